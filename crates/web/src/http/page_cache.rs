//! A one-second cache of rendered public pages ("microcaching").
//!
//! Readers who send no cookie and no credentials all get the same page for
//! the same address, and those pages already say `Cache-Control: public,
//! max-age=60`. This node keeps each such page (home, article, story, topic,
//! source, sources, about) for [`TTL`], so a burst of readers on one article
//! costs one render and a handful of queries instead of one per reader.
//!
//! What it must not do: show anyone a page meant for someone else (only
//! requests without `Cookie` and `Authorization` are served from it or fill
//! it, and only `200 text/html` responses without `Set-Cookie` are kept),
//! or hide a change made through this node (every state-changing request
//! clears it). Changes made elsewhere (the crawler, another node, the CLI)
//! show about [`TTL`] late: after it, the first
//! reader renders the page again while the others still get the previous
//! copy (never queueing behind a render), and the first readers of a page
//! nobody has wait for one render instead of each rendering it. The cache is per process and holds no state
//! that must be shared between nodes.

use crate::AppState;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// How long a page is served from memory.
pub const TTL: Duration = Duration::from_secs(1);
/// After [`TTL`], one request renders the page again while the others are
/// still served the previous copy, if it is at most this old: readers never
/// queue behind a render, and a page is at most one render late.
const STALE_MAX: Duration = Duration::from_secs(10);
/// A render taking longer than this no longer holds the others back.
const RENDER_WAIT: Duration = Duration::from_secs(5);
/// At most this many pages are kept; a full cache drops its expired pages,
/// then everything.
const MAX_ENTRIES: usize = 4096;
/// Larger pages are not kept.
const MAX_BODY: usize = 1 << 20;
/// At most this many bytes of pages are kept (the host is part of a key when
/// `base_url` is unset, so a client can make many keys for one page).
const MAX_BYTES: usize = 64 << 20;

/// Routes whose anonymous pages are the same for every reader.
const ROUTES: [&str; 8] = [
    "/",
    "/a/{slug}",
    "/story/{id}",
    "/topic/{slug}",
    "/source/{id}",
    "/sources",
    "/about",
    "/a/{slug}/ask",
];

#[derive(Default)]
pub struct PageCache {
    inner: Mutex<Pages>,
    /// Writes seen (the generation memoized page parts are checked against,
    /// `services::memo`), kept outside the lock so that reading it never waits.
    writes: std::sync::atomic::AtomicU64,
}

#[derive(Default)]
struct Pages {
    /// Bumped by every state-changing request; older pages are stale.
    generation: u64,
    pages: HashMap<String, Page>,
    /// Bytes of the bodies in `pages`.
    bytes: usize,
    /// Pages being rendered, with the readers waiting for them.
    rendering: HashMap<String, Render>,
}

struct Page {
    at: Instant,
    generation: u64,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

struct Render {
    since: Instant,
    done: Arc<Notify>,
}

/// What a request should do for a cacheable page.
enum Lookup {
    /// Serve this copy.
    Hit(Response),
    /// Render the page and offer it to the cache; the guard lets waiting
    /// readers go when it is dropped, whatever happens to the render.
    Render(RenderGuard),
    /// Another request is rendering this page and there is no copy to serve.
    Wait(Arc<Notify>),
}

struct RenderGuard {
    cache: Arc<PageCache>,
    key: String,
    generation: u64,
    done: Arc<Notify>,
}

impl Drop for RenderGuard {
    fn drop(&mut self) {
        if let Ok(mut pages) = self.cache.inner.lock()
            && pages
                .rendering
                .get(&self.key)
                .is_some_and(|r| Arc::ptr_eq(&r.done, &self.done))
        {
            pages.rendering.remove(&self.key);
        }
        self.done.notify_waiters();
    }
}

impl Page {
    fn response(&self) -> Response {
        let mut r = Response::new(Body::from(self.body.clone()));
        *r.status_mut() = self.status;
        *r.headers_mut() = self.headers.clone();
        r
    }
}

impl PageCache {
    fn lookup(self: &Arc<Self>, key: &str) -> Option<Lookup> {
        let mut pages = self.inner.lock().ok()?;
        let generation = pages.generation;
        let copy = pages
            .pages
            .get(key)
            .filter(|p| p.generation == generation)
            .map(|p| (p.at.elapsed(), p));
        if let Some((age, p)) = copy
            && age < TTL
        {
            return Some(Lookup::Hit(p.response()));
        }
        let stale = copy.and_then(|(age, p)| (age < STALE_MAX).then(|| p.response()));
        if let Some(r) = pages.rendering.get(key)
            && r.since.elapsed() < RENDER_WAIT
        {
            return Some(match stale {
                Some(copy) => Lookup::Hit(copy),
                None => Lookup::Wait(r.done.clone()),
            });
        }
        // This request renders; a render that overran is replaced (its
        // waiters were already released by their timeout).
        let done = Arc::new(Notify::new());
        pages.rendering.insert(
            key.to_string(),
            Render {
                since: Instant::now(),
                done: done.clone(),
            },
        );
        Some(Lookup::Render(RenderGuard {
            cache: self.clone(),
            key: key.to_string(),
            generation,
            done,
        }))
    }

    /// A fresh copy, if there is one (after waiting for a render).
    fn fresh(&self, key: &str) -> Option<Response> {
        let pages = self.inner.lock().ok()?;
        let p = pages.pages.get(key)?;
        (p.generation == pages.generation && p.at.elapsed() < TTL).then(|| p.response())
    }

    fn put(
        &self,
        key: String,
        generation: u64,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) {
        let Ok(mut pages) = self.inner.lock() else {
            return;
        };
        if generation != pages.generation {
            return;
        }
        let full = |p: &Pages| p.pages.len() >= MAX_ENTRIES || p.bytes + body.len() > MAX_BYTES;
        if full(&pages) {
            pages.pages.retain(|_, p| p.at.elapsed() < STALE_MAX);
            pages.bytes = pages.pages.values().map(|p| p.body.len()).sum();
            if full(&pages) {
                pages.pages.clear();
                pages.bytes = 0;
            }
        }
        pages.bytes += body.len();
        let old = pages.pages.insert(
            key,
            Page {
                at: Instant::now(),
                generation,
                status,
                headers,
                body,
            },
        );
        if let Some(old) = old {
            pages.bytes = pages.bytes.saturating_sub(old.body.len());
        }
    }

    /// The write generation: bumped by every state-changing request.
    pub(crate) fn generation(&self) -> u64 {
        self.writes.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Forget every page (a write happened).
    fn clear(&self) {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut pages) = self.inner.lock() {
            pages.generation = pages.generation.wrapping_add(1);
            pages.pages.clear();
            pages.bytes = 0;
        }
    }
}

/// The middleware: serve, fill or clear the cache.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cache = state.page_cache();
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        cache.clear();
        let res = next.run(req).await;
        // And again: a reader may have refilled it while the write ran.
        cache.clear();
        return res;
    }
    let cacheable = req.method() == Method::GET
        && !req.headers().contains_key(header::COOKIE)
        && !req.headers().contains_key(header::AUTHORIZATION)
        && req
            .extensions()
            .get::<MatchedPath>()
            .is_some_and(|p| ROUTES.contains(&p.as_str()));
    if !cacheable {
        return next.run(req).await;
    }
    // Without a configured base URL a page's links follow the request's host:
    // a request naming another host must not fill the cache for this one.
    let key = format!(
        "{}{}",
        crate::http::hosts::cache_scope(&state, req.headers()),
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or_default()
    );
    let guard = match cache.lookup(&key) {
        Some(Lookup::Hit(r)) => return r,
        Some(Lookup::Render(g)) => g,
        Some(Lookup::Wait(done)) => {
            // Single flight: the first reader of a page nobody has renders
            // it, the others wait for that copy instead of rendering it too.
            let notified = done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(r) = cache.fresh(&key) {
                return r;
            }
            let _ = tokio::time::timeout(RENDER_WAIT, notified).await;
            if let Some(r) = cache.fresh(&key) {
                return r;
            }
            // Not kept (an error page, a write in between): render our own.
            return next.run(req).await;
        }
        None => return next.run(req).await,
    };
    let generation = guard.generation;
    let res = next.run(req).await;
    let keep = res.status() == StatusCode::OK
        && res
            .body()
            .size_hint()
            .exact()
            .is_some_and(|n| n <= MAX_BODY as u64)
        && !res.headers().contains_key(header::SET_COOKIE)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !keep {
        return res;
    }
    let (parts, body) = res.into_parts();
    // The body is in memory already (pages are rendered in full), so
    // reading it cannot wait on anything.
    match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            cache.put(
                key,
                generation,
                parts.status,
                parts.headers.clone(),
                bytes.clone(),
            );
            drop(guard);
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::warn!(page = %key, "page not cached: {e}");
            crate::WebError::Internal(format!("page body: {e}")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(cache: &PageCache, key: &str, age: Duration, body: &'static str) {
        let mut pages = cache.inner.lock().unwrap();
        let generation = pages.generation;
        pages.pages.insert(
            key.into(),
            Page {
                at: Instant::now().checked_sub(age).unwrap(),
                generation,
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                body: Bytes::from_static(body.as_bytes()),
            },
        );
    }

    async fn body(r: Response) -> String {
        let b = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn the_cache_stays_within_its_bytes() {
        let cache = PageCache::default();
        let big = Bytes::from(vec![b'x'; MAX_BODY]);
        // Many hosts asking for one big page: never more than MAX_BYTES kept.
        for n in 0..(2 * MAX_BYTES / MAX_BODY) {
            let g = cache.inner.lock().unwrap().generation;
            cache.put(
                format!("http://h{n}.example/a/1"),
                g,
                StatusCode::OK,
                HeaderMap::new(),
                big.clone(),
            );
            let pages = cache.inner.lock().unwrap();
            let real: usize = pages.pages.values().map(|p| p.body.len()).sum();
            assert_eq!(pages.bytes, real);
            assert!(pages.bytes <= MAX_BYTES, "{}", pages.bytes);
        }
        // Replacing a page counts its bytes once.
        let g = cache.inner.lock().unwrap().generation;
        for _ in 0..3 {
            cache.put(
                "k".into(),
                g,
                StatusCode::OK,
                HeaderMap::new(),
                Bytes::from_static(b"abc"),
            );
        }
        let pages = cache.inner.lock().unwrap();
        assert_eq!(
            pages.bytes,
            pages.pages.values().map(|p| p.body.len()).sum::<usize>()
        );
    }

    #[tokio::test]
    async fn fresh_copy_is_served() {
        let cache = Arc::new(PageCache::default());
        page(&cache, "/", Duration::ZERO, "v1");
        let Some(Lookup::Hit(r)) = cache.lookup("/") else {
            panic!("a fresh page is a hit")
        };
        assert_eq!(body(r).await, "v1");
    }

    #[tokio::test]
    async fn expired_copy_one_renders_others_get_the_old_copy() {
        let cache = Arc::new(PageCache::default());
        page(&cache, "/", Duration::from_secs(2), "old");
        let Some(Lookup::Render(guard)) = cache.lookup("/") else {
            panic!("the first reader after expiry renders")
        };
        for _ in 0..3 {
            let Some(Lookup::Hit(r)) = cache.lookup("/") else {
                panic!("the others are not held up")
            };
            assert_eq!(body(r).await, "old");
        }
        cache.put(
            "/".into(),
            guard.generation,
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from_static(b"new"),
        );
        drop(guard);
        let Some(Lookup::Hit(r)) = cache.lookup("/") else {
            panic!("the new copy is served")
        };
        assert_eq!(body(r).await, "new");
    }

    #[tokio::test]
    async fn copy_too_old_or_from_before_a_write_is_never_served() {
        let cache = Arc::new(PageCache::default());
        page(&cache, "/", STALE_MAX + Duration::from_secs(1), "ancient");
        let Some(Lookup::Render(_g)) = cache.lookup("/") else {
            panic!("renders")
        };
        assert!(
            matches!(cache.lookup("/"), Some(Lookup::Wait(_))),
            "waits for the render rather than get a copy older than STALE_MAX"
        );
        let cache = Arc::new(PageCache::default());
        page(&cache, "/a", Duration::ZERO, "before");
        cache.clear();
        assert!(matches!(cache.lookup("/a"), Some(Lookup::Render(_))));
    }

    #[tokio::test]
    async fn waiters_wake_when_the_render_lands_or_fails() {
        let cache = Arc::new(PageCache::default());
        let Some(Lookup::Render(guard)) = cache.lookup("/x") else {
            panic!("renders")
        };
        let Some(Lookup::Wait(done)) = cache.lookup("/x") else {
            panic!("a second reader waits")
        };
        let waiter = {
            let cache = cache.clone();
            tokio::spawn(async move {
                let n = done.notified();
                tokio::pin!(n);
                n.as_mut().enable();
                n.await;
                cache.fresh("/x").is_some()
            })
        };
        tokio::task::yield_now().await;
        cache.put(
            "/x".into(),
            guard.generation,
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from_static(b"page"),
        );
        drop(guard);
        assert!(waiter.await.unwrap(), "the waiter finds the rendered page");

        // A render that ends without a page (an error, a cancelled request)
        // also lets the waiters go, and the next reader renders.
        let Some(Lookup::Render(guard)) = cache.lookup("/y") else {
            panic!("renders")
        };
        let Some(Lookup::Wait(done)) = cache.lookup("/y") else {
            panic!("waits")
        };
        let n = done.notified();
        tokio::pin!(n);
        n.as_mut().enable();
        drop(guard);
        n.await;
        assert!(matches!(cache.lookup("/y"), Some(Lookup::Render(_))));
    }
}
