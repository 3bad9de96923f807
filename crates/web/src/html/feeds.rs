//! Feeds out: every list is also RSS 2.0, Atom and JSON Feed.

use crate::format::{article_href, escape, teaser};
use crate::http::hosts::base_url;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use tidings_core::{SourceId, StoryId, Topic};
use tidings_store::{ArticleCard, ArticleFilter};

const FEED_ITEMS: i64 = 50;

#[derive(Clone, Copy)]
pub enum Format {
    Rss,
    Atom,
    Json,
}

impl Format {
    fn from_file(name: &str) -> Option<Self> {
        match name {
            "feed.xml" | "rss.xml" => Some(Format::Rss),
            "feed.atom" => Some(Format::Atom),
            "feed.json" => Some(Format::Json),
            _ => None,
        }
    }
}

struct Channel {
    title: String,
    /// Absolute URL of the HTML page this feed mirrors.
    link: String,
    /// Absolute URL of this feed.
    self_url: String,
    description: String,
}

fn render(format: Format, ch: &Channel, items: &[ArticleCard], base: &str) -> Response {
    let link = |a: &ArticleCard| format!("{base}{}", article_href(a.id.0, &a.title));
    match format {
        Format::Rss => {
            let mut x = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel>\n<title>{}</title><link>{}</link><description>{}</description><atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/><generator>Tidings</generator>\n",
                escape(&ch.title),
                escape(&ch.link),
                escape(&ch.description),
                escape(&ch.self_url)
            );
            for a in items {
                let l = link(a);
                x.push_str(&format!(
                    "<item><title>{}</title><link>{}</link><guid isPermaLink=\"true\">{}</guid><pubDate>{}</pubDate><source url=\"{}\">{}</source>{}</item>\n",
                    escape(&a.title),
                    escape(&l),
                    escape(&l),
                    a.time().to_jiff().strftime("%a, %d %b %Y %H:%M:%S +0000"),
                    escape(&format!("{base}/source/{}/feed.xml", a.source_id.0)),
                    escape(&a.source_name),
                    a.description.as_deref().map(|d| format!("<description>{}</description>", escape(&teaser(d)))).unwrap_or_default()
                ));
            }
            x.push_str("</channel></rss>\n");
            (
                [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
                x,
            )
                .into_response()
        }
        Format::Atom => {
            let updated = items
                .first()
                .map(|a| a.time().to_rfc3339())
                .unwrap_or_else(|| tidings_core::Timestamp::now().to_rfc3339());
            let mut x = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{}</title><id>{}</id><link href=\"{}\"/><link rel=\"self\" href=\"{}\"/><updated>{updated}</updated><subtitle>{}</subtitle><generator>Tidings</generator>\n",
                escape(&ch.title),
                escape(&ch.self_url),
                escape(&ch.link),
                escape(&ch.self_url),
                escape(&ch.description)
            );
            for a in items {
                let l = link(a);
                x.push_str(&format!(
                    "<entry><title>{}</title><id>{}</id><link href=\"{}\"/><updated>{}</updated><published>{}</published><author><name>{}</name></author>{}</entry>\n",
                    escape(&a.title),
                    escape(&l),
                    escape(&l),
                    a.time().to_rfc3339(),
                    a.time().to_rfc3339(),
                    escape(&a.source_name),
                    a.description.as_deref().map(|d| format!("<summary>{}</summary>", escape(&teaser(d)))).unwrap_or_default()
                ));
            }
            x.push_str("</feed>\n");
            (
                [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
                x,
            )
                .into_response()
        }
        Format::Json => {
            let v = serde_json::json!({
                "version": "https://jsonfeed.org/version/1.1",
                "title": ch.title,
                "home_page_url": ch.link,
                "feed_url": ch.self_url,
                "description": ch.description,
                "items": items.iter().map(|a| serde_json::json!({
                    "id": link(a),
                    "url": link(a),
                    "title": a.title,
                    "summary": a.description.as_deref().map(teaser),
                    "content_text": a.description.as_deref().map(teaser).unwrap_or_default(),
                    "date_published": a.time().to_rfc3339(),
                    "authors": [{"name": a.source_name}],
                })).collect::<Vec<_>>(),
            });
            (
                [(header::CONTENT_TYPE, "application/feed+json; charset=utf-8")],
                v.to_string(),
            )
                .into_response()
        }
    }
}

async fn build(
    state: &AppState,
    headers: &HeaderMap,
    format: Format,
    filter: ArticleFilter,
    title: String,
    page: String,
    file: &str,
) -> Result<Response, WebError> {
    let base = base_url(state, headers);
    let items = state
        .store()
        .list_articles(&filter, FEED_ITEMS, None)
        .await?;
    let ch = Channel {
        description: format!("{title} — {}", state.config().site_name),
        title: format!("{title} · {}", state.config().site_name),
        link: format!("{base}{page}"),
        self_url: if page == "/" {
            format!("{base}/{file}")
        } else {
            format!("{base}{page}/{file}")
        },
    };
    Ok(render(format, &ch, &items, &base))
}

pub async fn home_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let format = Format::from_file(&file).ok_or(WebError::NotFound)?;
    build(
        &state,
        &headers,
        format,
        ArticleFilter::All,
        "Latest news".into(),
        "/".into(),
        &file,
    )
    .await
}

pub async fn topic_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let format = Format::from_file(&file).ok_or(WebError::NotFound)?;
    let t = Topic::from_slug(&slug).ok_or(WebError::NotFound)?;
    build(
        &state,
        &headers,
        format,
        ArticleFilter::Topic(slug.clone()),
        t.label().into(),
        format!("/topic/{slug}"),
        &file,
    )
    .await
}

pub async fn source_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let format = Format::from_file(&file).ok_or(WebError::NotFound)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let src = state
        .store()
        .public_source(SourceId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    build(
        &state,
        &headers,
        format,
        ArticleFilter::Source(src.id),
        src.display_name(),
        format!("/source/{id}"),
        &file,
    )
    .await
}

pub async fn story_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let format = Format::from_file(&file).ok_or(WebError::NotFound)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let s = state
        .store()
        .story(StoryId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    build(
        &state,
        &headers,
        format,
        ArticleFilter::Story(s.id),
        s.title,
        format!("/story/{id}"),
        &file,
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct SearchFeedQuery {
    q: Option<String>,
}

/// A saved search as a feed: newest matches first.
pub async fn search_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    axum::extract::Query(p): axum::extract::Query<SearchFeedQuery>,
) -> Result<Response, WebError> {
    let format = Format::from_file(&file).ok_or(WebError::NotFound)?;
    let q = p.q.unwrap_or_default();
    if q.trim().is_empty() {
        return Err(WebError::bad_request("a search feed needs ?q="));
    }
    let res = crate::services::search::run(&state, &q, true, 0, FEED_ITEMS as usize)
        .await?
        .ok_or_else(|| WebError::Internal("search is not available".into()))?;
    let ids: Vec<tidings_core::ArticleId> = res
        .hits
        .iter()
        .map(|h| tidings_core::ArticleId(h.id))
        .collect();
    let items = state.store().article_cards(&ids).await?;
    let base = base_url(&state, &headers);
    let enc: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let ch = Channel {
        title: format!("“{q}” · {}", state.config().site_name),
        link: format!("{base}/search?q={enc}"),
        self_url: format!("{base}/search/{file}?q={enc}"),
        description: format!("Articles matching “{q}”"),
    };
    Ok(render(format, &ch, &items, &base))
}
