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
//! show at most [`TTL`] late. The cache is per process and holds no state
//! that must be shared between nodes.

use crate::AppState;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a page is served from memory.
pub const TTL: Duration = Duration::from_secs(1);
/// At most this many pages are kept; a full cache drops its expired pages,
/// then everything.
const MAX_ENTRIES: usize = 4096;
/// Larger pages are not kept.
const MAX_BODY: usize = 1 << 20;

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
}

#[derive(Default)]
struct Pages {
    /// Bumped by every state-changing request; older pages are stale.
    generation: u64,
    pages: HashMap<String, Page>,
}

struct Page {
    at: Instant,
    generation: u64,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl PageCache {
    fn get(&self, key: &str) -> Option<Response> {
        let pages = self.inner.lock().ok()?;
        let p = pages.pages.get(key)?;
        if p.generation != pages.generation || p.at.elapsed() >= TTL {
            return None;
        }
        let mut r = Response::new(Body::from(p.body.clone()));
        *r.status_mut() = p.status;
        *r.headers_mut() = p.headers.clone();
        Some(r)
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
        if pages.pages.len() >= MAX_ENTRIES {
            pages.pages.retain(|_, p| p.at.elapsed() < TTL);
            if pages.pages.len() >= MAX_ENTRIES {
                pages.pages.clear();
            }
        }
        pages.pages.insert(
            key,
            Page {
                at: Instant::now(),
                generation,
                status,
                headers,
                body,
            },
        );
    }

    fn generation(&self) -> u64 {
        self.inner.lock().map(|p| p.generation).unwrap_or(0)
    }

    /// Forget every page (a write happened).
    fn clear(&self) {
        if let Ok(mut pages) = self.inner.lock() {
            pages.generation = pages.generation.wrapping_add(1);
            pages.pages.clear();
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
    let key = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    if let Some(hit) = cache.get(&key) {
        return hit;
    }
    let generation = cache.generation();
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
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => {
            tracing::warn!(page = %key, "page not cached: {e}");
            crate::WebError::Internal(format!("page body: {e}")).into_response()
        }
    }
}
