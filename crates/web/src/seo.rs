//! robots.txt, sitemap.xml and the news sitemap.

use crate::pages::{article_href, base_url};
use crate::{AppState, WebError};
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Pages worth indexing: home, topics, sources, recent stories and articles.
pub async fn sitemap(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let base = base_url(&state, &headers);
    let store = state.store();
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut url = |loc: String, lastmod: Option<Timestamp>| {
        x.push_str(&format!(
            "<url><loc>{}</loc>{}</url>\n",
            esc(&loc),
            lastmod
                .map(|t| format!("<lastmod>{}</lastmod>", t.to_rfc3339()))
                .unwrap_or_default()
        ));
    };
    url(format!("{base}/"), None);
    url(format!("{base}/about"), None);
    url(format!("{base}/sources"), None);
    for t in Topic::ALL {
        url(format!("{base}/topic/{}", t.slug()), None);
    }
    for s in store.list_sources().await? {
        url(format!("{base}/source/{}", s.id.0), s.last_new_at);
    }
    for s in store.recent_stories(2000).await? {
        if s.source_count > 1 {
            url(format!("{base}/story/{}", s.id.0), Some(s.last_seen_at));
        }
    }
    // The sitemap protocol allows 50,000 URLs per file; leave room for the rest.
    for a in store
        .list_articles(&ArticleFilter::All, 40_000, None)
        .await?
    {
        url(
            format!("{base}{}", article_href(a.id.0, &a.title)),
            Some(a.time()),
        );
    }
    x.push_str("</urlset>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        x,
    )
        .into_response())
}

/// Google News sitemap: articles first seen in the last two days.
pub async fn news_sitemap(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let base = base_url(&state, &headers);
    let since = Timestamp::now().0 - 2 * 86_400_000;
    let rows = state
        .store()
        .list_articles(&ArticleFilter::All, 1000, None)
        .await?;
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for a in rows.iter().filter(|a| a.created_at.0 >= since) {
        x.push_str(&format!(
            "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name><news:language>{}</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>\n",
            esc(&format!("{base}{}", article_href(a.id.0, &a.title))),
            esc(&state.config().site_name),
            esc(a.language.as_deref().unwrap_or("en")),
            a.time().to_rfc3339(),
            esc(&a.title)
        ));
    }
    x.push_str("</urlset>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        x,
    )
        .into_response())
}
