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
use tokio::sync::Notify;

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
    /// The last value, when it was made and in which write generation.
    value: Option<(Arc<V>, Instant, u64)>,
    /// Set while one request computes the next value; the others, when
    /// there is no value to serve them, wait for it.
    computing: Option<(Instant, Arc<Notify>)>,
}

/// What a request does for a key.
enum Lookup<V> {
    Serve(Arc<V>),
    /// Compute it; the others are told when it is done.
    Compute(Arc<Notify>),
    /// Someone else is computing it and there is nothing to serve yet.
    Wait(Arc<Notify>),
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
    /// one is never served. Errors are not kept. The first readers of a key
    /// with no value wait for one computation instead of each running their
    /// own (a burst of 64 on a cold page costs one).
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
        let mut waits = 0;
        let done = loop {
            match self.lookup(key, generation) {
                Lookup::Serve(v) => return Ok(v),
                Lookup::Compute(done) => break Some(done),
                // Waited twice already (computations that failed or overran):
                // compute our own, without taking the slot from whoever has it.
                Lookup::Wait(_) if waits >= 2 => break None,
                Lookup::Wait(notify) => {
                    waits += 1;
                    let notified = notify.notified();
                    tokio::pin!(notified);
                    notified.as_mut().enable();
                    // It may have ended between the lookup and `enable`: then
                    // there is nothing to wait for.
                    if self.is_computing(key, &notify) {
                        let _ = tokio::time::timeout(COMPUTE_WAIT, notified).await;
                    }
                }
            }
        };
        // Waiters go when this ends, whatever happens to the computation
        // (an error, or the request dropped with its client).
        let _release = done.map(|done| Release {
            memo: self,
            key,
            done,
        });
        match compute().await {
            Ok(v) => Ok(self.put(key, generation, v)),
            Err(e) => Err(e),
        }
    }

    /// Whether `n`'s computation of `key` is still under way.
    fn is_computing(&self, key: &str, n: &Arc<Notify>) -> bool {
        self.slots.lock().is_ok_and(|slots| {
            slots.get(key).is_some_and(|s| {
                s.computing
                    .as_ref()
                    .is_some_and(|(since, c)| Arc::ptr_eq(c, n) && since.elapsed() < COMPUTE_WAIT)
            })
        })
    }

    /// Keep a computed value (under the generation its computation started in:
    /// a value computed across a write may predate it, and is then never
    /// served after the write).
    fn put(&self, key: &str, generation: u64, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let Ok(mut slots) = self.slots.lock() else {
            return value;
        };
        // This key's slot is replaced below; the others make room for it.
        slots.remove(key);
        if slots.len() >= self.capacity {
            slots.retain(|_, s| s.value.as_ref().is_some_and(|v| v.1.elapsed() < STALE_MAX));
            if slots.len() >= self.capacity {
                slots.clear();
            }
        }
        slots.insert(
            key.to_string(),
            Slot {
                value: Some((value.clone(), Instant::now(), generation)),
                computing: None,
            },
        );
        value
    }

    /// What to do for `key` now: a request that finds nothing to serve and
    /// nobody computing becomes the one computing.
    fn lookup(&self, key: &str, generation: u64) -> Lookup<V> {
        let Ok(mut slots) = self.slots.lock() else {
            return Lookup::Compute(Arc::new(Notify::new()));
        };
        let Some(slot) = slots.get_mut(key) else {
            let n = Arc::new(Notify::new());
            slots.insert(
                key.to_string(),
                Slot {
                    value: None,
                    computing: Some((Instant::now(), n.clone())),
                },
            );
            return Lookup::Compute(n);
        };
        let usable = slot
            .value
            .as_ref()
            .filter(|(_, _, g)| *g == generation)
            .map(|(v, at, _)| (v.clone(), at.elapsed()));
        if let Some((v, age)) = &usable
            && *age < TTL
        {
            return Lookup::Serve(v.clone());
        }
        let computing = slot
            .computing
            .as_ref()
            .filter(|(since, _)| since.elapsed() < COMPUTE_WAIT)
            .map(|(_, n)| n.clone());
        match (computing, usable) {
            (Some(_), Some((v, age))) if age < STALE_MAX => Lookup::Serve(v),
            (Some(n), _) => Lookup::Wait(n),
            (None, _) => {
                let n = Arc::new(Notify::new());
                slot.computing = Some((Instant::now(), n.clone()));
                Lookup::Compute(n)
            }
        }
    }
}

/// Ends a computation when dropped, whatever happened to it (a value, an
/// error, or the request dropped with its client): the slot is no longer
/// marked as being computed (unless someone else took it over) and the
/// requests waiting for it go.
struct Release<'a, V> {
    memo: &'a Memo<V>,
    key: &'a str,
    done: Arc<Notify>,
}

impl<V> Drop for Release<'_, V> {
    fn drop(&mut self) {
        if let Ok(mut slots) = self.memo.slots.lock()
            && let Some(s) = slots.get_mut(self.key)
            && s.computing
                .as_ref()
                .is_some_and(|(_, n)| Arc::ptr_eq(n, &self.done))
        {
            s.computing = None;
            if s.value.is_none() {
                slots.remove(self.key);
            }
        }
        self.done.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn get(m: &Memo<u32>, key: &str, generation: u64, v: u32) -> u32 {
        *m.get_or_try(key, generation, || async { Ok::<_, ()>(v) })
            .await
            .unwrap()
    }

    /// What a request arriving now is served, if anything (it claims the
    /// computation otherwise).
    fn served(m: &Memo<u32>, key: &str, generation: u64) -> Option<u32> {
        match m.lookup(key, generation) {
            Lookup::Serve(v) => Some(*v),
            Lookup::Compute(_) | Lookup::Wait(_) => None,
        }
    }

    fn age(m: &Memo<u32>, key: &str, by: Duration) {
        let mut slots = m.slots.lock().unwrap();
        let v = slots.get_mut(key).unwrap().value.as_mut().unwrap();
        v.1 = Instant::now().checked_sub(by).unwrap();
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
        assert_eq!(served(&m, "a", 1), None);
        // ...while it runs, the others are served the previous value.
        assert_eq!(served(&m, "a", 1), Some(10));
        // Its result replaces the copy.
        m.put("a", 1, 11);
        assert_eq!(get(&m, "a", 1, 12).await, 11);
        // A copy past STALE_MAX is never served, even while someone computes.
        age(&m, "a", STALE_MAX + Duration::from_millis(10));
        assert_eq!(served(&m, "a", 1), None);
        assert_eq!(served(&m, "a", 1), None);
    }

    #[tokio::test]
    async fn a_burst_on_a_cold_key_costs_one_computation() {
        let m = Arc::new(Memo::new(8));
        let runs = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (m, runs) = (m.clone(), runs.clone());
                tokio::spawn(async move {
                    *m.get_or_try("a", 1, || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok::<_, ()>(7u32)
                    })
                    .await
                    .unwrap()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), 7);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
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
        // A key that never had a value leaves nothing behind when it fails
        // (a stream of requests for missing pages does not fill the memo).
        let r = m
            .get_or_try("missing", 1, || async { Err::<u32, _>("not found") })
            .await;
        assert_eq!(r.err(), Some("not found"));
        assert!(!m.slots.lock().unwrap().contains_key("missing"));
    }

    #[tokio::test]
    async fn waiters_compute_their_own_when_the_first_fails() {
        let m = Arc::new(Memo::new(8));
        let first = {
            let m = m.clone();
            tokio::spawn(async move {
                m.get_or_try("a", 1, || async {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err::<u32, _>("down")
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(10)).await;
        // Waits for the first, which fails; then computes its own.
        assert_eq!(get(&m, "a", 1, 5).await, 5);
        assert_eq!(first.await.unwrap().err(), Some("down"));
    }

    #[tokio::test]
    async fn a_computation_dropped_midway_makes_nobody_wait() {
        let m = Arc::new(Memo::new(8));
        let slow = {
            let m = m.clone();
            tokio::spawn(async move {
                m.get_or_try("a", 1, || async {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    Ok::<u32, ()>(1)
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The client went away: its request is dropped mid-computation.
        slow.abort();
        let _ = slow.await;
        // Nothing is marked as being computed any more, so the next reader
        // computes at once instead of waiting for a computation that ended.
        assert!(!m.slots.lock().unwrap().contains_key("a"));
        assert!(matches!(m.lookup("a", 1), Lookup::Compute(_)));
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
