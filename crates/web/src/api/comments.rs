//! Comments: read a thread; with a bearer token, post, edit, delete, vote
//! and report by the same rules as the website's forms (`crate::comments`).

use super::problem::json_rejection;
use super::{ApiError, Problem};
use crate::AppState;
use crate::services::accounts::Viewer;
use crate::services::comments::{self as web, Sort};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tidings_core::{ArticleId, CommentId, StoryId};
use tidings_store::{CommentRow, CommentStatus, Thread};
use utoipa::{IntoParams, ToSchema};

/// Most comments one list returns.
const THREAD_LIMIT: i64 = 2000;

/// One comment. Deleted and moderated comments keep their place in the
/// thread with `body: null`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// 0 for a top-level comment, 1 for a reply, ...
    pub depth: i64,
    /// The author's username; null when deleted.
    pub author: Option<String>,
    /// `visible`, `deleted`, `hidden` or `removed`.
    pub status: String,
    /// Plain text; null unless `visible`.
    pub body: Option<String>,
    pub score: i64,
    pub created_at: String,
    pub edited_at: Option<String>,
}

impl Comment {
    fn from_row(c: &CommentRow) -> Comment {
        let visible = c.status == CommentStatus::Visible;
        Comment {
            id: c.id.0,
            parent_id: c.parent_id.map(|p| p.0),
            depth: c.depth,
            author: if c.status == CommentStatus::Deleted {
                None
            } else {
                c.username.clone()
            },
            status: c.status.as_str().to_string(),
            body: visible.then(|| c.body.clone()),
            score: c.score,
            created_at: c.created_at.to_rfc3339(),
            edited_at: c.edited_at.map(|t| t.to_rfc3339()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentList {
    /// Depth first: each comment followed by its replies, siblings in the chosen order.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThreadQuery {
    /// The article whose comments to list (give this or `story`).
    pub article: Option<i64>,
    /// The story whose comments to list (give this or `article`).
    pub story: Option<i64>,
    /// `oldest` (default), `newest` or `top`.
    pub sort: Option<String>,
}

fn thread_of(article: Option<i64>, story: Option<i64>) -> Result<Thread, ApiError> {
    match (article, story) {
        (Some(a), None) => Ok(Thread::Article(ArticleId(a))),
        (None, Some(s)) => Ok(Thread::Story(StoryId(s))),
        _ => Err(ApiError::invalid(
            "article",
            "or `story` is needed: give exactly one of them",
        )),
    }
}

fn comment_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::invalid("id", "must be an integer"))
}

/// Writes come from apps with a bearer token; the website's forms carry
/// CSRF tokens instead, so a cookie session cannot write here.
fn require_token(viewer: &Viewer) -> Result<(), ApiError> {
    match &viewer.signed_in {
        Some(s) if s.session.is_none() => Ok(()),
        _ => Err(crate::WebError::LoginRequired.into()),
    }
}

async fn read_comment(state: &AppState, id: i64) -> Result<Comment, ApiError> {
    let c = state
        .store()
        .comment(CommentId(id), None)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("comment {id} not found")))?;
    Ok(Comment::from_row(&c))
}

/// The comments of an article or a story.
#[utoipa::path(get, path = "/api/v1/comments", tag = "comments",
    params(ThreadQuery),
    responses(
        (status = 200, description = "The thread", body = CommentList),
        (status = 400, description = "Neither or both of `article` and `story`, or a bad `sort`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or story", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_comments(
    State(state): State<AppState>,
    q: Result<Query<ThreadQuery>, QueryRejection>,
) -> Result<Json<CommentList>, ApiError> {
    let Query(q) = q.map_err(super::problem::rejection)?;
    let thread = thread_of(q.article, q.story)?;
    let sort = Sort::from_api(q.sort.as_deref())
        .ok_or_else(|| ApiError::invalid("sort", "must be one of oldest, newest, top"))?;
    web::thread_path(&state, thread).await?;
    let rows = state
        .store()
        .thread_comments(thread, None, THREAD_LIMIT)
        .await?;
    let comments = web::order_tree(rows, sort)
        .iter()
        .map(Comment::from_row)
        .collect();
    Ok(Json(CommentList { comments }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommentBody {
    /// The article to comment on (give this or `story`).
    pub article: Option<i64>,
    /// The story to comment on (give this or `article`).
    pub story: Option<i64>,
    /// The comment this replies to, in the same thread.
    pub parent: Option<i64>,
    /// Plain text; addresses become links when shown.
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentCreated {
    pub id: i64,
    /// Where the comment is shown on the site.
    pub url: String,
}

/// Post a comment or a reply.
#[utoipa::path(post, path = "/api/v1/comments", tag = "comments",
    request_body = NewCommentBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Posted", body = CommentCreated,
            headers(("Location" = String, description = "The comment on the site"))),
        (status = 400, description = "Unreadable body, or neither or both of `article` and `story`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Banned, thread locked or comments turned off", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or story", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, too long, too many links, bad parent or too deep", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many comments in the last hour", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Result<Json<NewCommentBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    require_token(&viewer)?;
    let Json(p) = body.map_err(json_rejection)?;
    let thread = thread_of(p.article, p.story)?;
    let (id, path) = web::submit(&state, &viewer, thread, p.parent.map(CommentId), &p.body).await?;
    let url = format!("{path}#c{id}");
    let mut res = (
        StatusCode::CREATED,
        Json(CommentCreated {
            id: id.0,
            url: url.clone(),
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&url) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    /// The new text.
    pub body: String,
}

/// Edit one's own comment, within the edit window.
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = EditBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The edited comment", body = Comment),
        (status = 400, description = "Bad id or unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yours, banned, or the edit window has closed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty, too long or too many links", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn edit_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Result<Json<EditBody>, JsonRejection>,
) -> Result<Json<Comment>, ApiError> {
    require_token(&viewer)?;
    let id = comment_id(&id)?;
    let Json(b) = body.map_err(json_rejection)?;
    web::apply_edit(&state, &viewer, id, &b.body).await?;
    Ok(Json(read_comment(&state, id).await?))
}

/// Delete one's own comment: it stays in the thread as a tombstone.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not yours", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_token(&viewer)?;
    let id = comment_id(&id)?;
    web::apply_delete(&state, &viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// true to upvote, false to withdraw one's vote.
    pub up: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoteResult {
    pub id: i64,
    pub score: i64,
    pub voted: bool,
}

/// Upvote someone else's comment, or withdraw the vote.
#[utoipa::path(post, path = "/api/v1/comments/{id}/vote", tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = VoteBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new score", body = VoteResult),
        (status = 400, description = "Bad id or unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "One's own comment, or banned", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The comment is not visible", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many votes in the last hour", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn vote_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Result<Json<VoteBody>, JsonRejection>,
) -> Result<Json<VoteResult>, ApiError> {
    require_token(&viewer)?;
    let id = comment_id(&id)?;
    let Json(b) = body.map_err(json_rejection)?;
    let (score, _) = web::apply_vote(&state, &viewer, id, b.up).await?;
    Ok(Json(VoteResult {
        id,
        score,
        voted: b.up,
    }))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReportReason {
    Spam,
    Abuse,
    OffTopic,
    Other,
}

impl ReportReason {
    fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Abuse => "abuse",
            ReportReason::OffTopic => "off-topic",
            ReportReason::Other => "other",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    pub reason: ReportReason,
    /// Up to 500 characters; needed when the reason is `other`.
    #[serde(default)]
    pub details: Option<String>,
}

/// Report someone else's comment to the moderators.
#[utoipa::path(post, path = "/api/v1/comments/{id}/report", tag = "comments",
    params(("id" = i64, Path, description = "Comment id")),
    request_body = ReportBody,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Reported"),
        (status = 400, description = "Bad id or unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "One's own comment, or banned", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Details missing for `other`, or too long", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many reports in the last hour", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn report_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Result<Json<ReportBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    require_token(&viewer)?;
    let id = comment_id(&id)?;
    let Json(b) = body.map_err(json_rejection)?;
    debug_assert!(web::REPORT_REASONS.contains(&b.reason.as_str()));
    web::apply_report(
        &state,
        &viewer,
        id,
        b.reason.as_str(),
        b.details.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
