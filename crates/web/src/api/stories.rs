//! Stories: lists ranked by coverage and recency; detail with coverage.

use super::ApiError;
use super::articles::SourceRef;
use crate::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use tidings_core::{StoryId, Timestamp};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct StorySummary {
    pub id: i64,
    /// A representative headline chosen among the coverage.
    pub title: String,
    pub page_url: String,
    pub article_count: i64,
    pub source_count: i64,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub lead_article_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoryList {
    pub items: Vec<StorySummary>,
}

/// One source's item in a story.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageItem {
    pub source: SourceRef,
    pub article_id: i64,
    pub title: String,
    /// The item's URL at that source.
    pub url: String,
    pub published_at: String,
    /// A syndicated copy (same text) of `article_id` carried by this source.
    pub is_copy: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoryDetail {
    #[serde(flatten)]
    pub summary: StorySummary,
    /// Every source's coverage, newest first.
    pub coverage: Vec<CoverageItem>,
    /// Other stories this one's articles are related to (earlier or later
    /// steps of the same saga, the same subject), most related first; at most 5.
    pub related: Vec<StorySummary>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StoryQuery {
    /// How many stories, 1–100 (default 20).
    pub limit: Option<i64>,
    /// Only stories covered by at least this many sources (default 1).
    pub min_sources: Option<i64>,
}

pub(crate) fn summary(s: &tidings_store::StoryRow) -> StorySummary {
    StorySummary {
        id: s.id.0,
        title: s.title.clone(),
        page_url: crate::format::story_href(s.id.0),
        article_count: s.article_count,
        source_count: s.source_count,
        first_seen_at: s.first_seen_at.to_rfc3339(),
        last_seen_at: s.last_seen_at.to_rfc3339(),
        lead_article_id: s.lead_article_id.map(|a| a.0),
    }
}

/// Top stories: ranked by how many sources cover them and how recent they are.
#[utoipa::path(get, path = "/api/v1/stories", tag = "stories", params(StoryQuery),
    responses(
        (status = 200, description = "Stories, best first", body = StoryList),
        (status = 400, description = "A parameter is invalid", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_stories(
    State(state): State<AppState>,
    q: Result<Query<StoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<StoryList>, ApiError> {
    let Query(q) = q.map_err(super::problem::rejection)?;
    let limit = super::page_limit(q.limit)?;
    let min_sources = q.min_sources.unwrap_or(1);
    if !(1..=1000).contains(&min_sources) {
        return Err(ApiError::invalid(
            "min_sources",
            "must be between 1 and 1000",
        ));
    }
    let items =
        crate::services::stories::top(&state, Timestamp::now(), min_sources, limit as usize)
            .await?
            .iter()
            .map(summary)
            .collect();
    Ok(Json(StoryList { items }))
}

/// One story with all its coverage.
#[utoipa::path(get, path = "/api/v1/stories/{id}", tag = "stories",
    params(("id" = i64, Path, description = "Story id")),
    responses(
        (status = 200, description = "The story", body = StoryDetail),
        (status = 404, description = "No such story", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_story(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<StoryDetail>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::invalid("id", "must be an integer"))?;
    let (s, coverage) = crate::services::stories::detail(&state, StoryId(id)).await?;
    let coverage = coverage
        .into_iter()
        .map(|c| CoverageItem {
            source: SourceRef {
                id: c.source_id.0,
                name: c.source_name,
            },
            article_id: c.article_id.0,
            title: c.title,
            url: c.url,
            published_at: c.time.to_rfc3339(),
            is_copy: c.is_copy,
        })
        .collect();
    let related = crate::services::stories::related(&state, s.id)
        .await?
        .iter()
        .map(summary)
        .collect();
    Ok(Json(StoryDetail {
        summary: summary(&s),
        coverage,
        related,
    }))
}
