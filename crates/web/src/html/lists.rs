//! Source and topic pages: paginated article lists.

use super::reader::{self, Controls};
use super::{CardView, Layout, PAGE_SIZE, cursor, next_cursor, render};
use crate::services::accounts::Viewer;
use crate::services::reader::Target;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde::Deserialize;
use tidings_core::{SourceId, Timestamp, Topic};
use tidings_store::ArticleFilter;

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage<'a> {
    pub l: Layout<'a>,
    pub heading: String,
    pub intro: Option<String>,
    pub external: Option<(String, String)>,
    pub cards: Vec<CardView>,
    pub next: Option<String>,
    pub base_path: String,
    pub empty: String,
    /// A signed-in reader's follow, mute and mark-all-read forms.
    pub controls: Option<Controls>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    before: Option<String>,
}

pub async fn source_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let before = cursor(q.before.as_deref())?;
    let store = state.store();
    let src = store
        .public_source(SourceId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let rows = store
        .list_articles(&ArticleFilter::Source(src.id), PAGE_SIZE + 1, before)
        .await?;
    let now = Timestamp::now();
    let back = reader::back(&uri);
    let shown = rows.get(..PAGE_SIZE as usize).unwrap_or(&rows);
    let controls = reader::list_controls(
        &state,
        &viewer,
        Target::Source(src.id),
        shown.first().map(|c| c.created_at),
        &back,
    )
    .await?;
    let cards = reader::cards(&state, &viewer, shown, &back, now).await?;
    let name = src.display_name();
    let path = format!("/source/{id}");
    let mut l = Layout::new(&state, &headers, &path, name.clone())
        .with_feeds(&format!("{path}/feed"), &name);
    l.noindex = before.is_some();
    let site = src.site_url.clone().or_else(|| {
        url::Url::parse(&src.url)
            .ok()
            .map(|u| format!("{}://{}/", u.scheme(), u.host_str().unwrap_or_default()))
    });
    render(&ListPage {
        l,
        heading: name.clone(),
        intro: src
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .or_else(|| Some(format!("{} articles from this source.", src.article_count))),
        external: site.map(|s| (s, format!("Visit {name}"))),
        next: next_cursor(&rows, PAGE_SIZE),
        cards,
        base_path: path,
        empty: "No articles from this source yet.".into(),
        controls,
    })
}

pub async fn topic_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    uri: Uri,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let topic = Topic::from_slug(&slug).ok_or(WebError::NotFound)?;
    let before = cursor(q.before.as_deref())?;
    let rows = state
        .store()
        .list_articles(&ArticleFilter::Topic(slug.clone()), PAGE_SIZE + 1, before)
        .await?;
    let now = Timestamp::now();
    let back = reader::back(&uri);
    let shown = rows.get(..PAGE_SIZE as usize).unwrap_or(&rows);
    let controls = reader::list_controls(
        &state,
        &viewer,
        Target::Topic(topic.slug().to_string()),
        shown.first().map(|c| c.created_at),
        &back,
    )
    .await?;
    let cards: Vec<CardView> = reader::cards(&state, &viewer, shown, &back, now).await?;
    let path = format!("/topic/{slug}");
    let mut l = Layout::new(&state, &headers, &path, topic.label().to_string())
        .with_feeds(&format!("{path}/feed"), topic.label());
    l.noindex = before.is_some();
    render(&ListPage {
        l,
        heading: topic.label().to_string(),
        intro: None,
        external: None,
        next: next_cursor(&rows, PAGE_SIZE),
        cards,
        base_path: path,
        empty: format!("No {} articles yet.", topic.label().to_lowercase()),
        controls,
    })
}

pub struct SourceView {
    pub href: String,
    pub name: String,
    pub articles: i64,
}

#[derive(Template)]
#[template(path = "sources.html")]
pub struct SourcesPage<'a> {
    pub l: Layout<'a>,
    pub sources: Vec<SourceView>,
}

pub async fn sources_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let sources = state
        .store()
        .public_sources()
        .await?
        .into_iter()
        .filter(|s| s.enabled || s.article_count > 0)
        .map(|s| SourceView {
            href: format!("/source/{}", s.id.0),
            name: s.display_name(),
            articles: s.article_count,
        })
        .collect();
    let l = Layout::new(&state, &headers, "/sources", "Sources".to_string());
    render(&SourcesPage { l, sources })
}
