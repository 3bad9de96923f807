//! Server-rendered pages.

use crate::i18n::{EN, Strings};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tidings_core::Timestamp;

const PAGE_SIZE: i64 = 30;
pub(crate) const STYLE_CSS: &str = include_str!("../static/style.css");

/// One article in a list, ready to render.
pub struct CardView {
    pub title: String,
    pub url: String,
    pub source: String,
    pub excerpt: Option<String>,
    pub time_iso: String,
    pub time_rel: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub site_name: &'a str,
    pub t: &'a Strings,
    pub cards: Vec<CardView>,
    pub next: Option<String>,
    pub is_first_page: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub site_name: &'a str,
    pub t: &'a Strings,
    pub title: &'a str,
    pub message: &'a str,
    pub status: u16,
}

#[derive(Deserialize)]
pub struct PageQuery {
    before: Option<String>,
}

fn parse_cursor(s: &str) -> Option<(i64, i64)> {
    let (t, id) = s.split_once('.')?;
    Some((t.parse().ok()?, id.parse().ok()?))
}

pub async fn home(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let before = match q.before.as_deref() {
        None | Some("") => None,
        Some(s) => {
            Some(parse_cursor(s).ok_or_else(|| WebError::BadRequest(format!("bad cursor `{s}`")))?)
        }
    };
    let rows = state.store().latest_articles(PAGE_SIZE + 1, before).await?;
    let now = Timestamp::now();
    let has_more = rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
    let mut cards: Vec<CardView> = rows
        .iter()
        .take(usize::try_from(PAGE_SIZE).unwrap_or(0))
        .map(|a| CardView {
            title: a.title.clone(),
            url: a.url.clone(),
            source: a.source_name.clone(),
            excerpt: a.description.clone().filter(|d| !d.trim().is_empty()),
            time_iso: a.time().to_rfc3339(),
            time_rel: crate::time::relative(a.time(), now, &EN),
        })
        .collect();
    cards.truncate(usize::try_from(PAGE_SIZE).unwrap_or(0));
    let next = if has_more {
        rows.get(cards.len().saturating_sub(1))
            .map(|a| format!("{}.{}", a.created_at.0, a.id.0))
    } else {
        None
    };
    let page = HomePage {
        site_name: &state.config().site_name,
        t: &EN,
        cards,
        next,
        is_first_page: before.is_none(),
    };
    Ok(Html(page.render()?).into_response())
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// Static assets, embedded in the binary so one file is the whole install.
pub async fn static_file(Path(path): Path<String>) -> Response {
    match path.as_str() {
        "style.css" => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            STYLE_CSS,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
