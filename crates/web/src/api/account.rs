//! The account: log in for a personal API token, revoke it, who am I.

use super::problem::json_rejection;
use super::{ApiError, Problem};
use crate::AppState;
use crate::services::accounts::{LoginRefused, Viewer, authenticate, digest, issue_token};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// A name for the token, 1 to 60 characters, e.g. the app and device.
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    /// The secret, shown only this once: send it as `Authorization: Bearer <token>`.
    pub token: String,
    pub id: i64,
    pub name: String,
    pub created_at: String,
}

/// Log in with a username and password to get a new personal API token.
///
/// The same rules as the login form: attempts per client address are
/// limited; a client that keeps failing on one name waits longer and longer
/// (429 with `Retry-After`); an account that keeps failing backs off (its
/// attempts are refused unchecked, except with a token of that account); and
/// every failure (unknown name, wrong password, account in backoff) gets the
/// same answer.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "account",
    request_body = TokenRequest,
    responses(
        (status = 201, description = "A new token", body = NewToken),
        (status = 400, description = "Unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong username or password, or the account is backing off", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad token name", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address, or too many failures from it on this name", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Result<Json<TokenRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let Json(r) = body.map_err(json_rejection)?;
    let user = match authenticate(&state, &viewer, &r.username, &r.password).await? {
        Ok(u) => u,
        Err(LoginRefused::Throttled { retry_after_secs }) => {
            return Err(ApiError::rate_limited(retry_after_secs));
        }
        Err(LoginRefused::Failed) => {
            return Err(ApiError::new(
                crate::error::Code::InvalidCredentials,
                crate::i18n::ACCOUNTS_EN.login_failed,
            ));
        }
    };
    let (token, record) = issue_token(&state, &user, &r.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            token,
            id: record.id,
            name: record.name,
            created_at: record.created_at.to_rfc3339(),
        }),
    ))
}

/// Revoke the token this request is made with.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Result<StatusCode, ApiError> {
    let user = match &viewer.signed_in {
        Some(s) if s.session.is_none() => &s.user,
        _ => return Err(crate::WebError::LoginRequired.into()),
    };
    // The middleware accepted this header's token for `user`.
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(crate::WebError::LoginRequired)?;
    if !state
        .store()
        .revoke_api_token_by_hash(user.id, &digest(token))
        .await?
    {
        return Err(crate::WebError::BadToken.into());
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    /// `member`, `moderator` or `admin`.
    pub role: String,
    pub created_at: String,
    /// Whether the account is banned from writing now.
    pub banned: bool,
    /// True when the request used an API token (false: a session cookie).
    pub via_token: bool,
}

/// The account behind the request's token (or the website session).
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = Me),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(viewer: Viewer) -> Result<Json<Me>, ApiError> {
    let u = viewer.user().ok_or(crate::WebError::LoginRequired)?;
    Ok(Json(Me {
        id: u.id.0,
        username: u.username.clone(),
        role: u.role.as_str().to_string(),
        created_at: u.created_at.to_rfc3339(),
        banned: u.is_banned(tidings_core::Timestamp::now()),
        via_token: viewer
            .signed_in
            .as_ref()
            .is_some_and(|s| s.session.is_none()),
    }))
}
