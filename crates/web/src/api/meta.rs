//! Sources, topics and health.

use super::ApiError;
use crate::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tidings_core::{SourceId, Topic};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceInfo {
    pub id: i64,
    pub name: String,
    /// The feed or sitemap URL Tidings polls.
    pub feed_url: String,
    pub site_url: Option<String>,
    pub kind: String,
    /// `full` or `excerpt`: how much of each article this site shows.
    pub display: String,
    pub language: Option<String>,
    pub article_count: i64,
    /// `ok`, `error`, `disabled` or `new`.
    pub status: String,
    pub last_fetch_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceList {
    pub items: Vec<SourceInfo>,
}

fn info(s: &tidings_store::Source) -> SourceInfo {
    SourceInfo {
        id: s.id.0,
        name: s.display_name(),
        feed_url: s.url.clone(),
        site_url: s.site_url.clone(),
        kind: s.kind.as_str().into(),
        display: s.display.as_str().into(),
        language: s.language.clone(),
        article_count: s.article_count,
        status: s.status().as_str().into(),
        last_fetch_at: s.last_fetch_at.map(|t| t.to_rfc3339()),
    }
}

/// Every source.
#[utoipa::path(get, path = "/api/v1/sources", tag = "sources",
    responses((status = 200, description = "All sources", body = SourceList)))]
pub async fn list_sources(State(state): State<AppState>) -> Result<Json<SourceList>, ApiError> {
    let items = state
        .store()
        .public_sources()
        .await?
        .iter()
        .map(info)
        .collect();
    Ok(Json(SourceList { items }))
}

/// One source.
#[utoipa::path(get, path = "/api/v1/sources/{id}", tag = "sources",
    params(("id" = i64, Path, description = "Source id")),
    responses(
        (status = 200, description = "The source", body = SourceInfo),
        (status = 404, description = "No such source", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_source(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SourceInfo>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::invalid("id", "must be an integer"))?;
    let s = state
        .store()
        .public_source(SourceId(id))
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("source {id} not found")))?;
    Ok(Json(info(&s)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicInfo {
    pub slug: String,
    pub label: String,
    pub article_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopicList {
    pub items: Vec<TopicInfo>,
}

/// The sections articles are sorted into.
#[utoipa::path(get, path = "/api/v1/topics", tag = "meta",
    responses((status = 200, description = "All topics with article counts", body = TopicList)))]
pub async fn list_topics(State(state): State<AppState>) -> Result<Json<TopicList>, ApiError> {
    let counts = state.store().topic_counts().await?;
    let items = Topic::ALL
        .iter()
        .map(|t| TopicInfo {
            slug: t.slug().into(),
            label: t.label().into(),
            article_count: counts
                .iter()
                .find(|(s, _)| s == t.slug())
                .map_or(0, |(_, n)| *n),
        })
        .collect();
    Ok(Json(TopicList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: String,
    pub database: String,
}

/// Service health (the database answers).
#[utoipa::path(get, path = "/api/v1/health", tag = "meta",
    responses(
        (status = 200, description = "Healthy", body = Health),
        (status = 503, description = "The database is unavailable", body = Health),
    ))]
pub async fn health(State(state): State<AppState>) -> Response {
    match state.store().ping().await {
        Ok(()) => Json(Health {
            status: "ok".into(),
            database: "ok".into(),
        })
        .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable".into(),
                database: "error".into(),
            }),
        )
            .into_response(),
    }
}
