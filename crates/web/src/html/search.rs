//! The search page.

use super::{Layout, render};
use crate::format::{article_href, human_time, relative};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use tidings_core::Timestamp;

pub const SEARCH_PAGE: usize = 20;

pub struct HitView {
    pub href: String,
    /// Escaped by the search crate, with `<mark>` around matches.
    pub title_html: String,
    pub snippet_html: String,
    pub source: String,
    pub source_href: String,
    pub time_iso: String,
    pub time_title: String,
    pub time_rel: String,
    pub story_href: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage<'a> {
    pub l: Layout<'a>,
    pub q: String,
    pub newest: bool,
    pub total: usize,
    pub hits: Vec<HitView>,
    pub next: Option<String>,
    pub prev: Option<String>,
    pub rebuilding: bool,
    pub unavailable: bool,
    pub feed_q: String,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub sort: Option<String>,
    pub offset: Option<usize>,
}

pub async fn search_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let q =
        p.q.unwrap_or_default()
            .chars()
            .take(500)
            .collect::<String>();
    let newest = p.sort.as_deref() == Some("newest");
    let offset = p.offset.unwrap_or(0);
    let mut hits = Vec::new();
    let mut total = 0;
    let mut next = None;
    let mut unavailable = false;
    if !q.trim().is_empty() {
        match crate::services::search::run(&state, &q, newest, offset, SEARCH_PAGE).await? {
            Some(res) => {
                total = res.total;
                let ids: Vec<tidings_core::ArticleId> = res
                    .hits
                    .iter()
                    .map(|h| tidings_core::ArticleId(h.id))
                    .collect();
                let cards = state.store().article_cards(&ids).await?;
                let now = Timestamp::now();
                for h in &res.hits {
                    // The index can briefly know an article the database just removed.
                    let Some(c) = cards.iter().find(|c| c.id.0 == h.id) else {
                        continue;
                    };
                    hits.push(HitView {
                        href: article_href(c.id.0, &c.title),
                        title_html: h.title_html.clone(),
                        snippet_html: h.snippet_html.clone(),
                        source: c.source_name.clone(),
                        source_href: format!("/source/{}", c.source_id.0),
                        time_iso: c.time().to_rfc3339(),
                        time_title: human_time(c.time()),
                        time_rel: relative(c.time(), now, &crate::i18n::EN),
                        story_href: c.story_id.map(|s| format!("/story/{}", s.0)),
                    });
                }
                next = res.next_offset.map(|o| page_link(&q, newest, o));
            }
            None => unavailable = true,
        }
    }
    let prev = (offset > 0).then(|| page_link(&q, newest, offset.saturating_sub(SEARCH_PAGE)));
    let title = if q.is_empty() {
        "Search".to_string()
    } else {
        format!("{q} – Search")
    };
    let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let mut l =
        Layout::new(&state, &headers, "/search", title).with_feeds("/search/feed", "These results");
    for f in &mut l.feeds {
        f.href = format!("{}?q={encoded}", f.href);
    }
    l.noindex = true;
    render(&SearchPage {
        l,
        q,
        newest,
        total,
        hits,
        next,
        prev,
        rebuilding: state.search_catching_up(),
        unavailable,
        feed_q: encoded,
    })
}

fn page_link(q: &str, newest: bool, offset: usize) -> String {
    let enc: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!(
        "/search?q={enc}{}&offset={offset}",
        if newest { "&sort=newest" } else { "" }
    )
}
