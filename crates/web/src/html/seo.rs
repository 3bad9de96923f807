//! robots.txt, sitemap.xml and the news sitemap.

use crate::format::{article_href, escape};
use crate::http::hosts::base_url;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tidings_core::{Timestamp, Topic};
use tidings_store::ArticleFilter;

pub async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&state, &headers);
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("User-agent: *\nAllow: /\nDisallow: /search\nDisallow: /api/\n\nSitemap: {base}/sitemap.xml\nSitemap: {base}/news-sitemap.xml\n"),
    )
        .into_response()
}

/// Article URLs per sitemap file (the protocol allows 50,000; smaller files
/// are cheaper to build and to fetch, and every page but the last is final).
pub const ARTICLES_PER_SITEMAP: i64 = 10_000;
/// How long a sitemap file is served from memory: the index, the pages and
/// the article file still growing.
const FRESH: Duration = Duration::from_secs(300);
/// A full article file only changes when an article is removed or renamed.
const FULL: Duration = Duration::from_secs(3600);
/// The news sitemap is polled often and must be current.
const NEWS: Duration = Duration::from_secs(60);

/// Built sitemap files, per host scope and file, bounded in bytes: building
/// one reads thousands of rows, so crawlers asking again get the copy.
#[derive(Default)]
pub struct SitemapCache {
    inner: Mutex<HashMap<String, (Instant, Duration, Bytes)>>,
}

/// At most this much XML is kept.
const CACHE_BYTES: usize = 32 << 20;

impl SitemapCache {
    fn get(&self, key: &str) -> Option<Bytes> {
        let map = self.inner.lock().ok()?;
        let (at, ttl, body) = map.get(key)?;
        (at.elapsed() < *ttl).then(|| body.clone())
    }

    fn put(&self, key: String, ttl: Duration, body: Bytes) {
        let Ok(mut map) = self.inner.lock() else {
            return;
        };
        map.retain(|_, (at, ttl, _)| at.elapsed() < *ttl);
        let mut total: usize = map.values().map(|(_, _, b)| b.len()).sum();
        // Oldest first out until the new file fits.
        while total + body.len() > CACHE_BYTES {
            let Some(oldest) = map
                .iter()
                .min_by_key(|(_, (at, _, _))| *at)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((_, _, b)) = map.remove(&oldest) {
                total -= b.len();
            }
        }
        if body.len() <= CACHE_BYTES {
            map.insert(key, (Instant::now(), ttl, body));
        }
    }
}

fn xml(body: Bytes) -> Response {
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Serve `file` from the cache, or build it with `build` and keep it for `ttl`.
async fn cached<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    file: &str,
    ttl: impl FnOnce(&str) -> Duration,
    build: F,
) -> Result<Response, WebError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<String, WebError>>,
{
    let key = format!("{}|{file}", crate::http::hosts::cache_scope(state, headers));
    let cache = state.sitemaps();
    if let Some(body) = cache.get(&key) {
        return Ok(xml(body));
    }
    let doc = build(base_url(state, headers)).await?;
    let ttl = ttl(&doc);
    let body = Bytes::from(doc);
    cache.put(key, ttl, body.clone());
    Ok(xml(body))
}

const URLSET: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";

fn push_url(x: &mut String, loc: &str, lastmod: Option<Timestamp>) {
    x.push_str("<url><loc>");
    x.push_str(&escape(loc));
    x.push_str("</loc>");
    if let Some(t) = lastmod {
        x.push_str("<lastmod>");
        x.push_str(&t.to_rfc3339());
        x.push_str("</lastmod>");
    }
    x.push_str("</url>\n");
}

/// `/sitemap.xml`: an index of the site's page file and its article files.
pub async fn sitemap(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let st = state.clone();
    cached(&state, &headers, "sitemap.xml", |_| FRESH, |base| async move {
        let max_id = st.store().max_article_id().await?;
        let mut x = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let mut entry = |loc: String| {
            x.push_str("<sitemap><loc>");
            x.push_str(&escape(&loc));
            x.push_str("</loc></sitemap>\n");
        };
        entry(format!("{base}/sitemap-pages.xml"));
        if max_id > 0 {
            for page in 0..=max_id / ARTICLES_PER_SITEMAP {
                entry(format!("{base}/sitemap-articles-{page}.xml"));
            }
        }
        x.push_str("</sitemapindex>\n");
        Ok(x)
    })
    .await
}

/// `/sitemap-pages.xml`: home, topics, sources and stories covered by several sources.
pub async fn sitemap_pages(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let st = state.clone();
    cached(
        &state,
        &headers,
        "sitemap-pages.xml",
        |_| FRESH,
        |base| async move {
            let store = st.store();
            let mut x = String::from(URLSET);
            push_url(&mut x, &format!("{base}/"), None);
            push_url(&mut x, &format!("{base}/about"), None);
            push_url(&mut x, &format!("{base}/sources"), None);
            for t in Topic::ALL {
                push_url(&mut x, &format!("{base}/topic/{}", t.slug()), None);
            }
            for s in store.public_sources().await? {
                push_url(&mut x, &format!("{base}/source/{}", s.id.0), s.last_new_at);
            }
            for s in store.recent_stories(2000).await? {
                if s.source_count > 1 {
                    push_url(
                        &mut x,
                        &format!("{base}/story/{}", s.id.0),
                        Some(s.last_seen_at),
                    );
                }
            }
            x.push_str("</urlset>\n");
            Ok(x)
        },
    )
    .await
}

/// `/sitemap-articles-N.xml`: articles with ids from N x [`ARTICLES_PER_SITEMAP`].
pub async fn sitemap_articles(
    state: AppState,
    headers: HeaderMap,
    page: i64,
) -> Result<Response, WebError> {
    let from = page
        .checked_mul(ARTICLES_PER_SITEMAP)
        .filter(|f| *f >= 0)
        .ok_or(WebError::NotFound)?;
    let to = from.saturating_add(ARTICLES_PER_SITEMAP);
    let max_id = state.store().max_article_id().await?;
    if from > max_id {
        return Err(WebError::NotFound);
    }
    let st = state.clone();
    let file = format!("sitemap-articles-{page}.xml");
    let ttl = move |_: &str| if max_id >= to { FULL } else { FRESH };
    cached(&state, &headers, &file, ttl, |base| async move {
        let mut x = String::from(URLSET);
        for (id, title, time) in st.store().sitemap_articles(from, to).await? {
            push_url(
                &mut x,
                &format!("{base}{}", article_href(id.0, &title)),
                Some(time),
            );
        }
        x.push_str("</urlset>\n");
        Ok(x)
    })
    .await
}

/// Google News sitemap: articles first seen in the last two days.
pub async fn news_sitemap(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let st = state.clone();
    cached(&state, &headers, "news-sitemap.xml", |_| NEWS, |base| async move {
        let since = Timestamp::now().0 - 2 * 86_400_000;
        let rows = st
            .store()
            .list_articles(&ArticleFilter::All, 1000, None)
            .await?;
        let mut x = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
        );
        let site = escape(&st.config().site_name);
        for a in rows.iter().filter(|a| a.created_at.0 >= since) {
            x.push_str(&format!(
                "<url><loc>{}</loc><news:news><news:publication><news:name>{site}</news:name><news:language>{}</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>\n",
                escape(&format!("{base}{}", article_href(a.id.0, &a.title))),
                escape(a.language.as_deref().unwrap_or("en")),
                a.time().to_rfc3339(),
                escape(&a.title)
            ));
        }
        x.push_str("</urlset>\n");
        Ok(x)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_stays_within_its_bytes() {
        let c = SitemapCache::default();
        let big = Bytes::from(vec![b'x'; CACHE_BYTES / 3]);
        for i in 0..5 {
            c.put(format!("k{i}"), FULL, big.clone());
        }
        let total: usize = c.inner.lock().unwrap().values().map(|v| v.2.len()).sum();
        assert!(total <= CACHE_BYTES, "{total}");
        assert!(c.get("k0").is_none(), "the oldest file went first");
        assert!(c.get("k4").is_some());
    }
}
