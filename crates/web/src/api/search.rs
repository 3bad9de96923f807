//! Search and related articles.

use super::ApiError;
use super::articles::{ArticlePage, ArticleSummary, summary};
use crate::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use tidings_core::ArticleId;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words, "phrases", -exclusions and filters: `source:`, `topic:`, `lang:`,
    /// `after:2026-01-01`, `before:2026-02`.
    pub q: String,
    /// `relevance` (default) or `newest`.
    pub sort: Option<String>,
    /// Page size, 1–100 (default 20).
    pub limit: Option<i64>,
    /// Results to skip (from `next_offset`); at most 1000.
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitView {
    #[serde(flatten)]
    pub article: ArticleSummary,
    /// The title with matches in `<mark>`; everything else HTML-escaped.
    pub title_html: String,
    /// Text around the matches, escaped, matches in `<mark>`.
    pub snippet_html: String,
    pub score: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponse {
    pub total: i64,
    pub items: Vec<SearchHitView>,
    pub next_offset: Option<i64>,
    /// True while this server's index is being rebuilt (results may be incomplete).
    pub index_rebuilding: bool,
}

/// Full-text search.
#[utoipa::path(get, path = "/api/v1/search", tag = "articles", params(SearchQuery),
    responses(
        (status = 200, description = "Matching articles", body = SearchResponse),
        (status = 400, description = "A parameter is invalid", body = super::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Search is not available on this server", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn search(
    State(state): State<AppState>,
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let Query(q) = q.map_err(super::problem::rejection)?;
    if q.q.trim().is_empty() {
        return Err(ApiError::invalid("q", "must not be empty"));
    }
    if q.q.len() > 2000 {
        return Err(ApiError::invalid("q", "must be at most 2000 bytes"));
    }
    let limit = super::page_limit(q.limit)?;
    let offset = match q.offset {
        None => 0,
        Some(o) if (0..=1000).contains(&o) => o,
        Some(o) => {
            return Err(ApiError::invalid(
                "offset",
                &format!("must be between 0 and 1000, got {o}"),
            ));
        }
    };
    let newest = match q.sort.as_deref() {
        None | Some("relevance") => false,
        Some("newest") => true,
        Some(other) => {
            return Err(ApiError::invalid(
                "sort",
                &format!("must be `relevance` or `newest`, got `{other}`"),
            ));
        }
    };
    let res = crate::services::search::run(&state, &q.q, newest, offset as usize, limit as usize)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                crate::error::Code::Unavailable,
                "search is not available on this server",
            )
        })?;
    let ids: Vec<ArticleId> = res.hits.iter().map(|h| ArticleId(h.id)).collect();
    let cards = state.store().article_cards(&ids).await?;
    let items = res
        .hits
        .iter()
        .filter_map(|h| {
            cards
                .iter()
                .find(|c| c.id.0 == h.id)
                .map(|c| SearchHitView {
                    article: summary(c),
                    title_html: h.title_html.clone(),
                    snippet_html: h.snippet_html.clone(),
                    score: h.score,
                })
        })
        .collect();
    Ok(Json(SearchResponse {
        total: i64::try_from(res.total).unwrap_or(i64::MAX),
        items,
        next_offset: res.next_offset.map(|o| i64::try_from(o).unwrap_or(0)),
        index_rebuilding: state.search_catching_up(),
    }))
}

/// Articles related to this one (similar subject, not copies, not the same story).
#[utoipa::path(get, path = "/api/v1/articles/{id}/related", tag = "articles",
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "Related articles, best first (may be empty)", body = ArticlePage),
        (status = 404, description = "No such article", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn related(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ArticlePage>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::invalid("id", "must be an integer"))?;
    let store = state.store();
    if store.article(ArticleId(id)).await?.is_none() {
        return Err(ApiError::not_found(&format!("article {id} not found")));
    }
    let items = store
        .related_cards(ArticleId(id))
        .await?
        .iter()
        .map(summary)
        .collect();
    Ok(Json(ArticlePage {
        items,
        next_cursor: None,
    }))
}
