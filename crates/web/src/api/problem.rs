//! Errors as RFC 9457 problem details, with a stable machine-readable code.

use crate::WebError;
use crate::i18n::ACCOUNTS_EN;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tidings_store::StoreError;
use utoipa::ToSchema;

/// `application/problem+json`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable code for programs: `not_found`, `invalid_parameter` (a query or
    /// path parameter, or an unreadable body), `invalid_input` (a well-formed
    /// request the rules refuse: empty comment, too many links, ...),
    /// `unauthorized` (no usable credentials), `invalid_token`,
    /// `invalid_credentials`, `forbidden`, `not_yours`, `thread_locked`,
    /// `edit_closed`, `comments_disabled`, `banned`, `cross_origin`, `csrf`,
    /// `rate_limited` (with `Retry-After`), `conflict`, `unavailable`, `internal`.
    pub code: String,
    /// The request parameter at fault, for `invalid_parameter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

#[derive(Debug)]
pub struct ApiError {
    // Boxed: handlers return Result<_, ApiError>, and a small Err keeps them cheap.
    pub problem: Box<Problem>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        ApiError {
            problem: Box::new(Problem {
                kind: "about:blank".into(),
                title: status.canonical_reason().unwrap_or("Error").to_string(),
                status: status.as_u16(),
                detail: detail.into(),
                code: code.into(),
                parameter: None,
            }),
            retry_after: None,
        }
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", what.to_string())
    }
    pub fn invalid(param: &str, why: &str) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            format!("`{param}` {why}"),
        );
        e.problem.parameter = Some(param.to_string());
        e
    }
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests; try again in {retry_after_secs} s"),
        );
        e.retry_after = Some(retry_after_secs);
        e
    }
    pub fn internal(detail: &str) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            detail.to_string(),
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(&format!("{what} not found")),
            StoreError::Duplicate(what) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("{what} already exists"),
            ),
            other => {
                tracing::error!(error = %other, "API request failed");
                let unavailable =
                    matches!(other, StoreError::Database(_) | StoreError::Connect(..));
                if unavailable {
                    let mut e = ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "the database is unavailable; try again shortly",
                    );
                    e.retry_after = Some(5);
                    e
                } else {
                    ApiError::internal("an unexpected error occurred")
                }
            }
        }
    }
}

impl From<WebError> for ApiError {
    /// The website's errors (accounts, comments) in the API's language.
    fn from(e: WebError) -> Self {
        let a = &ACCOUNTS_EN;
        match e {
            WebError::NotFound => ApiError::not_found("not found"),
            WebError::BadRequest(m) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", m)
            }
            WebError::Store(e) => e.into(),
            WebError::Template(e) => {
                tracing::error!(error = %e, "API request failed");
                ApiError::internal("an unexpected error occurred")
            }
            WebError::Internal(m) => {
                tracing::error!(error = %m, "API request failed");
                ApiError::internal("an unexpected error occurred")
            }
            WebError::LoginRequired => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this needs an API token: `Authorization: Bearer tdg_...`",
            ),
            WebError::BadToken => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", a.bad_token)
            }
            WebError::Forbidden(m) => {
                let code = if m == a.not_yours {
                    "not_yours"
                } else if m == a.thread_locked {
                    "thread_locked"
                } else if m == a.edit_closed {
                    "edit_closed"
                } else if m == a.comments_disabled {
                    "comments_disabled"
                } else {
                    "forbidden"
                };
                ApiError::new(StatusCode::FORBIDDEN, code, m)
            }
            WebError::Banned { until, reason } => ApiError::new(
                StatusCode::FORBIDDEN,
                "banned",
                format!(
                    "this account may not write until {}{}",
                    until.to_rfc3339(),
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!(": {reason}")
                    }
                ),
            ),
            WebError::Csrf => ApiError::new(StatusCode::FORBIDDEN, "csrf", a.csrf_failed),
            WebError::CrossOrigin => {
                ApiError::new(StatusCode::FORBIDDEN, "cross_origin", a.cross_origin)
            }
            WebError::Invalid(m) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", m)
            }
            WebError::TooManyRequests { retry_after_secs } => {
                ApiError::rate_limited(retry_after_secs)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self.problem).unwrap_or_else(|_| "{}".into());
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tidings\""),
            );
        }
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

/// Turn axum's own rejections (bad query strings, bad JSON) into problems.
pub fn rejection(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", e.to_string())
}

/// A JSON body that could not be read: 415 without a JSON content type,
/// else 400 (syntax or shape), always `invalid_parameter` with `parameter: body`.
pub fn json_rejection(e: axum::extract::rejection::JsonRejection) -> ApiError {
    let status = match e.status() {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut p = ApiError::new(status, "invalid_parameter", e.body_text());
    p.problem.parameter = Some("body".into());
    p
}
