//! A per-node memo of values every reader sees alike: the public parts of
//! pages that are rendered per request for signed-in readers (the article,
//! its story and related articles, the comment thread). The page cache
//! (`http::page_cache`) keeps whole pages for anonymous readers; a signed-in
//! reader's page carries their name, CSRF token and state, so it is rendered
//! every time, but the parts around those need not be queried every time.
//!
//! The rules are the page cache's: a value is fresh for [`TTL`]; after that
//! one request computes it again while the others keep getting the previous
//! copy (never queueing behind the queries); every state-changing request on
//! this node makes all values stale at once (the write generation), so a
//! reader sees their own comment or vote at once. Changes made elsewhere (the
//! crawler, another node) show about [`TTL`] late.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a value is served without asking the database again.
pub const TTL: Duration = Duration::from_secs(1);
/// Past [`TTL`], the previous value is still served while one request
/// computes the next, if it is at most this old.
const STALE_MAX: Duration = Duration::from_secs(10);
/// A computation taking longer than this (or abandoned by a disconnected
/// client) no longer stops another request from starting one.
const COMPUTE_WAIT: Duration = Duration::from_secs(5);

pub struct Memo<V> {
    slots: Mutex<HashMap<String, Slot<V>>>,
    capacity: usize,
}

struct Slot<V> {
    at: Instant,
    generation: u64,
    value: Arc<V>,
    /// Set while one request computes the next value.
    computing: Option<Instant>,
}

impl<V> Memo<V> {
    /// A memo of at most `capacity` values (when full, expired values go
    /// first, then everything).
    pub fn new(capacity: usize) -> Self {
        Memo {
            slots: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The value for `key`, computed by `compute` when there is no fresh one.
    /// `generation` is the node's write generation now; a value from an older
    /// one is never served. Errors are not kept.
    pub async fn get_or_try<E, F, Fut>(
        &self,
        key: &str,
        generation: u64,
        compute: F,
    ) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        if let Some(v) = self.lookup(key, generation) {
            return Ok(v);
        }
        match compute().await {
            Ok(v) => Ok(self.put(key, generation, v)),
            Err(e) => {
                self.failed(key);
                Err(e)
            }
        }
    }

    /// Keep a computed value (under the generation its computation started in:
    /// a value computed across a write may predate it, and is then never
    /// served after the write).
    fn put(&self, key: &str, generation: u64, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let Ok(mut slots) = self.slots.lock() else {
            return value;
        };
        if slots.len() >= self.capacity && !slots.contains_key(key) {
            slots.retain(|_, s| s.at.elapsed() < STALE_MAX);
            if slots.len() >= self.capacity {
                slots.clear();
            }
        }
        slots.insert(
            key.to_string(),
            Slot {
                at: Instant::now(),
                generation,
                value: value.clone(),
                computing: None,
            },
        );
        value
    }

    /// A computation failed: the next request tries again.
    fn failed(&self, key: &str) {
        if let Ok(mut slots) = self.slots.lock()
            && let Some(s) = slots.get_mut(key)
        {
            s.computing = None;
        }
    }

    /// A value to serve now, or None when this request must compute it (and
    /// is then marked as the one computing).
    fn lookup(&self, key: &str, generation: u64) -> Option<Arc<V>> {
        let mut slots = self.slots.lock().ok()?;
        let slot = slots.get_mut(key)?;
        if slot.generation != generation {
            slot.computing = Some(Instant::now());
            return None;
        }
        let age = slot.at.elapsed();
        if age < TTL {
            return Some(slot.value.clone());
        }
        let someone_computing = slot.computing.is_some_and(|t| t.elapsed() < COMPUTE_WAIT);
        if someone_computing && age < STALE_MAX {
            return Some(slot.value.clone());
        }
        slot.computing = Some(Instant::now());
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(m: &Memo<u32>, key: &str, generation: u64, v: u32) -> u32 {
        *m.get_or_try(key, generation, || async { Ok::<_, ()>(v) })
            .await
            .unwrap()
    }

    fn age(m: &Memo<u32>, key: &str, by: Duration) {
        let mut slots = m.slots.lock().unwrap();
        let s = slots.get_mut(key).unwrap();
        s.at = Instant::now().checked_sub(by).unwrap();
    }

    #[tokio::test]
    async fn fresh_values_are_served_and_writes_make_them_stale() {
        let m = Memo::new(8);
        assert_eq!(get(&m, "a", 1, 10).await, 10);
        // Fresh: the computation is not run again.
        assert_eq!(get(&m, "a", 1, 11).await, 10);
        assert_eq!(get(&m, "b", 1, 20).await, 20);
        // A write on this node: the next reader gets a new value at once.
        assert_eq!(get(&m, "a", 2, 12).await, 12);
        assert_eq!(get(&m, "a", 2, 13).await, 12);
    }

    #[tokio::test]
    async fn past_the_ttl_one_request_recomputes_while_others_get_the_copy() {
        let m = Memo::new(8);
        get(&m, "a", 1, 10).await;
        age(&m, "a", TTL + Duration::from_millis(10));
        // The first request past the TTL is the one that recomputes...
        assert!(m.lookup("a", 1).is_none());
        // ...while it runs, the others are served the previous value.
        assert_eq!(m.lookup("a", 1).map(|v| *v), Some(10));
        // Its result replaces the copy.
        m.put("a", 1, 11);
        assert_eq!(get(&m, "a", 1, 12).await, 11);
        // A copy past STALE_MAX is never served, even while someone computes.
        age(&m, "a", STALE_MAX + Duration::from_millis(10));
        assert!(m.lookup("a", 1).is_none());
        assert!(m.lookup("a", 1).is_none());
    }

    #[tokio::test]
    async fn errors_are_not_kept_and_free_the_slot() {
        let m = Memo::new(8);
        get(&m, "a", 1, 10).await;
        age(&m, "a", TTL + Duration::from_millis(10));
        let r = m
            .get_or_try("a", 1, || async { Err::<u32, _>("down") })
            .await;
        assert_eq!(r.err(), Some("down"));
        // Nobody is computing any more: the next request tries again.
        assert_eq!(get(&m, "a", 1, 11).await, 11);
    }

    #[tokio::test]
    async fn a_full_memo_drops_old_values_first() {
        let m = Memo::new(2);
        get(&m, "a", 1, 1).await;
        get(&m, "b", 1, 2).await;
        age(&m, "a", STALE_MAX + Duration::from_millis(10));
        get(&m, "c", 1, 3).await;
        let slots = m.slots.lock().unwrap();
        let mut keys: Vec<&String> = slots.keys().collect();
        keys.sort();
        assert_eq!(keys, ["b", "c"]);
    }
}
