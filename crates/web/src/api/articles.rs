//! Articles: list with filters and cursor pagination; detail per display policy.

use super::{ApiError, decode_cursor, encode_cursor, page_limit};
use crate::AppState;
use crate::format::{article_href, teaser};
use crate::services::articles;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use tidings_core::{ArticleId, SourceId, StoryId, Timestamp, Topic};
use tidings_store::{ArticleCard, ArticleFilter};
use utoipa::{IntoParams, ToSchema};

/// An article in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    /// The publisher's URL.
    pub url: String,
    /// This site's page for the article.
    pub page_url: String,
    pub excerpt: Option<String>,
    pub source: SourceRef,
    /// RFC 3339; the publication time, or when Tidings first saw it.
    pub published_at: String,
    pub first_seen_at: String,
    pub language: Option<String>,
    pub story_id: Option<i64>,
    /// The lead image as this site serves it (apps never need the
    /// publisher's host); absent until the crawler has fetched it.
    pub image: Option<ImageRef>,
    /// Whether the reader behind the request has read it (only with a
    /// token or session).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<bool>,
    /// Whether the reader behind the request saved it (only with a token
    /// or session).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved: Option<bool>,
}

/// A lead image served by this site.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageRef {
    /// JPEG, at most 640 pixels wide.
    pub url: String,
    pub width: i64,
    pub height: i64,
    /// Every width available, as JPEG and WebP (for `srcset`).
    pub variants: Vec<ImageVariant>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImageVariant {
    pub width: u32,
    pub jpeg: String,
    pub webp: String,
}

/// `(media id, original width, original height)` as this site's image.
pub(crate) fn image_ref(id: &str, w: i64, h: i64) -> ImageRef {
    let v = crate::http::media::ImgView::new(id, w, h, "", 640);
    ImageRef {
        url: v.src,
        width: v.width,
        height: v.height,
        variants: tidings_core::media_variant_widths(u32::try_from(w).unwrap_or(1))
            .into_iter()
            .map(|x| ImageVariant {
                width: x,
                jpeg: format!("/media/{id}/{x}.jpg"),
                webp: format!("/media/{id}/{x}.webp"),
            })
            .collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceRef {
    pub id: i64,
    pub name: String,
}

/// A page of articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticlePage {
    pub items: Vec<ArticleSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// One article in full (as much as its source's display policy allows).
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleDetail {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    pub authors: Vec<String>,
    pub modified_at: Option<String>,
    /// `full`: `html` and `text` hold the whole article; `excerpt`: only the
    /// opening, and readers continue at `url`.
    pub display: String,
    /// Sanitized HTML of the article body (or its opening).
    pub html: String,
    /// Plain text, paragraphs separated by blank lines.
    pub text: String,
    pub topics: Vec<String>,
    pub keywords: Vec<String>,
    pub word_count: i64,
    /// `extracted` from the page, or `feed_only` when the page could not be read.
    pub extract_status: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only articles from this source id.
    pub source: Option<i64>,
    /// Only articles in this topic (slug, see `/api/v1/topics`).
    pub topic: Option<String>,
    /// Only articles in this language (ISO 639-1, e.g. `en`).
    pub lang: Option<String>,
    /// Only articles of this story.
    pub story: Option<i64>,
    /// Only articles first seen at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Only articles first seen before this time (RFC 3339).
    pub until: Option<String>,
    /// Page size, 1–100 (default 20).
    pub limit: Option<i64>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

pub(crate) fn summary(a: &ArticleCard) -> ArticleSummary {
    ArticleSummary {
        id: a.id.0,
        title: a.title.clone(),
        url: a.url.clone(),
        page_url: article_href(a.id.0, &a.title),
        excerpt: a.description.as_deref().map(teaser),
        source: SourceRef {
            id: a.source_id.0,
            name: a.source_name.clone(),
        },
        published_at: a.time().to_rfc3339(),
        first_seen_at: a.created_at.to_rfc3339(),
        language: a.language.clone(),
        story_id: a.story_id.map(|s| s.0),
        image: a.image.as_ref().map(|(id, w, h)| image_ref(id, *w, *h)),
        read: None,
        saved: None,
    }
}

fn time_param(name: &str, v: Option<&str>) -> Result<Option<i64>, ApiError> {
    match v {
        None | Some("") => Ok(None),
        Some(s) => Timestamp::parse_rfc3339(s)
            .map(|t| Some(t.0))
            .ok_or_else(|| {
                ApiError::invalid(
                    name,
                    "must be an RFC 3339 time such as 2026-11-29T06:00:00Z",
                )
            }),
    }
}

/// List articles, newest first.
#[utoipa::path(get, path = "/api/v1/articles", tag = "articles", params(ListQuery),
    responses(
        (status = 200, description = "A page of articles", body = ArticlePage),
        (status = 400, description = "A parameter is invalid", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_articles(
    State(state): State<AppState>,
    viewer: crate::services::accounts::Viewer,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ArticlePage>, ApiError> {
    let Query(q) = q.map_err(super::problem::rejection)?;
    let limit = page_limit(q.limit)?;
    let mut cursor = decode_cursor(q.cursor.as_deref())?;
    let since = time_param("since", q.since.as_deref())?;
    let until = time_param("until", q.until.as_deref())?;
    let filters = [q.source.is_some(), q.topic.is_some(), q.story.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if filters > 1 {
        return Err(ApiError::invalid(
            "source",
            "combine at most one of `source`, `topic` and `story`",
        ));
    }
    let filter = if let Some(s) = q.source {
        ArticleFilter::Source(SourceId(s))
    } else if let Some(t) = &q.topic {
        if Topic::from_slug(t).is_none() {
            return Err(ApiError::invalid(
                "topic",
                &format!("`{t}` is not a topic (see /api/v1/topics)"),
            ));
        }
        ArticleFilter::Topic(t.clone())
    } else if let Some(s) = q.story {
        ArticleFilter::Story(StoryId(s))
    } else {
        ArticleFilter::All
    };
    if let Some(l) = &q.lang
        && (l.len() != 2 || !l.chars().all(|c| c.is_ascii_lowercase()))
    {
        return Err(ApiError::invalid(
            "lang",
            "must be a two-letter ISO 639-1 code such as `en`",
        ));
    }
    // `until` is an upper bound on first-seen time: start the walk there.
    if let Some(u) = until
        && cursor.is_none_or(|(t, _)| t > u)
    {
        cursor = Some((u, i64::MIN));
    }
    let mut cards: Vec<ArticleCard> = Vec::new();
    let mut next = None;
    // Language and `since` filter while walking pages (kept simple: lists are newest first).
    'pages: for _ in 0..20 {
        let rows = state
            .store()
            .list_articles(&filter, limit + 1, cursor)
            .await?;
        let more = rows.len() as i64 > limit;
        for a in rows.iter().take(limit as usize) {
            cursor = Some((a.created_at.0, a.id.0));
            if since.is_some_and(|s| a.created_at.0 < s) {
                next = None;
                break 'pages;
            }
            if q.lang
                .as_deref()
                .is_some_and(|l| a.language.as_deref() != Some(l))
            {
                continue;
            }
            cards.push(a.clone());
            if cards.len() as i64 == limit {
                next = (more || rows.len() as i64 > cards.len() as i64)
                    .then(|| encode_cursor(a.created_at.0, a.id.0));
                break 'pages;
            }
        }
        if !more {
            next = None;
            break;
        }
        next = cursor.map(|(t, id)| encode_cursor(t, id));
    }
    // The reader's read and saved state, for the whole page at once.
    let states =
        crate::services::reader::list_states(&state, viewer.user().map(|u| u.id), &cards).await?;
    let items = cards
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut s = summary(c);
            if let Some(st) = states.as_ref().and_then(|v| v.get(i)) {
                s.read = Some(st.read);
                s.saved = Some(st.saved_at.is_some());
            }
            s
        })
        .collect();
    Ok(Json(ArticlePage {
        items,
        next_cursor: next,
    }))
}

/// One article.
#[utoipa::path(get, path = "/api/v1/articles/{id}", tag = "articles",
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article", body = ArticleDetail),
        (status = 404, description = "No such article", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_article(
    State(state): State<AppState>,
    viewer: crate::services::accounts::Viewer,
    Path(id): Path<String>,
) -> Result<Json<ArticleDetail>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::invalid("id", "must be an integer"))?;
    let d = articles::detail(&state, ArticleId(id), viewer.user().map(|u| u.id)).await?;
    let a = &d.row;
    Ok(Json(ArticleDetail {
        summary: summary(&articles::card_of(a, d.image.as_ref())),
        authors: a.authors.clone(),
        modified_at: a.modified_at.map(|t| t.to_rfc3339()),
        display: a.source_display.as_str().into(),
        html: d.body.html.clone(),
        text: d.body.text.clone(),
        topics: d.topics.clone(),
        keywords: a.keywords.clone(),
        word_count: a.word_count,
        extract_status: a.extract_status.as_str().into(),
    }))
}
