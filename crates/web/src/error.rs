//! One error model for every surface. Each error has a typed [`Code`]; one
//! table gives the code's name (what API clients match on) and its HTTP
//! status. The HTML error page (`html::error_page`) and `problem+json`
//! ([`WebError::problem`]) are both rendered from it. Store errors get their
//! code from [`StoreError::kind`]: a database that cannot answer is
//! `unavailable` (503), never "not found" and never the caller's fault.

use crate::i18n::ACCOUNTS_EN;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tidings_store::{StoreError, StoreErrorKind};
use utoipa::ToSchema;

/// What went wrong, for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    NotFound,
    /// A query or path parameter, or an unreadable body.
    InvalidParameter,
    /// A well-formed request the rules refuse (empty comment, too many links…).
    InvalidInput,
    /// No usable credentials.
    Unauthorized,
    InvalidToken,
    InvalidCredentials,
    Forbidden,
    NotYours,
    ThreadLocked,
    EditClosed,
    CommentsDisabled,
    Banned,
    CrossOrigin,
    Csrf,
    RateLimited,
    Conflict,
    /// The input cannot be worked on (an AI feature on an article without text).
    Unprocessable,
    /// A request body that is not JSON.
    UnsupportedMediaType,
    /// A request body over the size limit.
    PayloadTooLarge,
    /// The feature needs something this site has not set up.
    NotConfigured,
    /// The site cannot answer now (database down or busy, model failing).
    Unavailable,
    Internal,
}

/// The one table: code → name and status.
const TABLE: [(Code, &str, StatusCode); 22] = [
    (Code::NotFound, "not_found", StatusCode::NOT_FOUND),
    (
        Code::InvalidParameter,
        "invalid_parameter",
        StatusCode::BAD_REQUEST,
    ),
    (
        Code::InvalidInput,
        "invalid_input",
        StatusCode::UNPROCESSABLE_ENTITY,
    ),
    (Code::Unauthorized, "unauthorized", StatusCode::UNAUTHORIZED),
    (
        Code::InvalidToken,
        "invalid_token",
        StatusCode::UNAUTHORIZED,
    ),
    (
        Code::InvalidCredentials,
        "invalid_credentials",
        StatusCode::UNAUTHORIZED,
    ),
    (Code::Forbidden, "forbidden", StatusCode::FORBIDDEN),
    (Code::NotYours, "not_yours", StatusCode::FORBIDDEN),
    (Code::ThreadLocked, "thread_locked", StatusCode::FORBIDDEN),
    (Code::EditClosed, "edit_closed", StatusCode::FORBIDDEN),
    (
        Code::CommentsDisabled,
        "comments_disabled",
        StatusCode::FORBIDDEN,
    ),
    (Code::Banned, "banned", StatusCode::FORBIDDEN),
    (Code::CrossOrigin, "cross_origin", StatusCode::FORBIDDEN),
    (Code::Csrf, "csrf", StatusCode::FORBIDDEN),
    (
        Code::RateLimited,
        "rate_limited",
        StatusCode::TOO_MANY_REQUESTS,
    ),
    (Code::Conflict, "conflict", StatusCode::CONFLICT),
    (
        Code::Unprocessable,
        "unprocessable",
        StatusCode::UNPROCESSABLE_ENTITY,
    ),
    (
        Code::UnsupportedMediaType,
        "unsupported_media_type",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    ),
    (
        Code::PayloadTooLarge,
        "payload_too_large",
        StatusCode::PAYLOAD_TOO_LARGE,
    ),
    (
        Code::NotConfigured,
        "not_configured",
        StatusCode::NOT_IMPLEMENTED,
    ),
    (
        Code::Unavailable,
        "unavailable",
        StatusCode::SERVICE_UNAVAILABLE,
    ),
    (
        Code::Internal,
        "internal",
        StatusCode::INTERNAL_SERVER_ERROR,
    ),
];

impl Code {
    fn row(self) -> (&'static str, StatusCode) {
        TABLE.iter().find(|(c, _, _)| *c == self).map_or(
            ("internal", StatusCode::INTERNAL_SERVER_ERROR),
            |(_, n, s)| (*n, *s),
        )
    }

    /// The stable name API clients match on.
    pub fn as_str(self) -> &'static str {
        self.row().0
    }

    pub fn status(self) -> StatusCode {
        self.row().1
    }
}

/// Why an action is refused to a signed-in person: each with its code and
/// the sentence they read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NeedModerator,
    NeedAdmin,
    RegistrationClosed,
    CommentsDisabled,
    ThreadLocked,
    NotYours,
    EditClosed,
    OwnVote,
    OwnReport,
    OwnRole,
    CannotBan,
    CannotUnban,
}

impl Refusal {
    pub fn code(self) -> Code {
        match self {
            Refusal::CommentsDisabled => Code::CommentsDisabled,
            Refusal::ThreadLocked => Code::ThreadLocked,
            Refusal::NotYours => Code::NotYours,
            Refusal::EditClosed => Code::EditClosed,
            _ => Code::Forbidden,
        }
    }

    pub fn message(self) -> &'static str {
        let a = &ACCOUNTS_EN;
        match self {
            Refusal::NeedModerator => a.need_moderator,
            Refusal::NeedAdmin => a.need_admin,
            Refusal::RegistrationClosed => a.registration_closed,
            Refusal::CommentsDisabled => a.comments_disabled,
            Refusal::ThreadLocked => a.thread_locked,
            Refusal::NotYours => a.not_yours,
            Refusal::EditClosed => a.edit_closed,
            Refusal::OwnVote => a.own_vote,
            Refusal::OwnReport => a.own_report,
            Refusal::OwnRole => a.own_role,
            Refusal::CannotBan => a.cannot_ban,
            Refusal::CannotUnban => a.cannot_unban,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    /// A request parameter that cannot be used; `param` names it when known.
    #[error("bad request: {message}")]
    BadRequest {
        param: Option<String>,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    #[error("login required")]
    LoginRequired,
    #[error("forbidden: {}", .0.message())]
    Refused(Refusal),
    #[error("banned until {until:?}: {reason}")]
    Banned {
        until: tidings_core::Timestamp,
        reason: String,
    },
    #[error("missing or wrong CSRF token")]
    Csrf,
    #[error("cross-origin request refused")]
    CrossOrigin,
    #[error("unknown or revoked API token")]
    BadToken,
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(String),
    /// Any other answer, by code (API features: AI, credentials, conflicts).
    #[error("{code:?}: {detail}")]
    Problem {
        code: Code,
        detail: String,
        retry_after: Option<u64>,
    },
}

impl WebError {
    /// A parameter that cannot be used, and why (`` `limit` must be … ``).
    pub fn param(name: &str, why: &str) -> WebError {
        WebError::BadRequest {
            param: Some(name.to_string()),
            message: format!("`{name}` {why}"),
        }
    }

    /// A bad request not tied to one parameter.
    pub fn bad_request(message: impl Into<String>) -> WebError {
        WebError::BadRequest {
            param: None,
            message: message.into(),
        }
    }

    pub fn code(&self) -> Code {
        match self {
            WebError::NotFound => Code::NotFound,
            WebError::BadRequest { .. } => Code::InvalidParameter,
            WebError::Store(e) => match e.kind() {
                StoreErrorKind::NotFound => Code::NotFound,
                StoreErrorKind::Duplicate => Code::Conflict,
                StoreErrorKind::Unavailable => Code::Unavailable,
                StoreErrorKind::Internal => Code::Internal,
            },
            WebError::Template(_) | WebError::Internal(_) => Code::Internal,
            WebError::LoginRequired => Code::Unauthorized,
            WebError::Refused(r) => r.code(),
            WebError::Banned { .. } => Code::Banned,
            WebError::Csrf => Code::Csrf,
            WebError::CrossOrigin => Code::CrossOrigin,
            WebError::BadToken => Code::InvalidToken,
            WebError::Invalid(_) => Code::InvalidInput,
            WebError::TooManyRequests { .. } => Code::RateLimited,
            WebError::Problem { code, .. } => *code,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.code().status()
    }

    /// Seconds to wait before trying again, when it helps to say.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            WebError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            WebError::Problem { retry_after, .. } => *retry_after,
            e if e.code() == Code::Unavailable => Some(5),
            _ => None,
        }
    }

    /// Log server-side failures once, where they become responses.
    pub fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, code = self.code().as_str(), "request failed");
        }
    }

    /// What an API client reads in `detail` (no internals for server errors).
    fn detail(&self) -> String {
        let a = &ACCOUNTS_EN;
        match self {
            WebError::NotFound => "not found".into(),
            WebError::BadRequest { message, .. } => message.clone(),
            WebError::LoginRequired => {
                "this needs an API token: `Authorization: Bearer tdg_...`".into()
            }
            WebError::Refused(r) => r.message().into(),
            WebError::Banned { until, reason } => format!(
                "this account may not write until {}{}",
                until.to_rfc3339(),
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                }
            ),
            WebError::Csrf => a.csrf_failed.into(),
            WebError::CrossOrigin => a.cross_origin.into(),
            WebError::BadToken => a.bad_token.into(),
            WebError::Invalid(m) => m.clone(),
            WebError::TooManyRequests { retry_after_secs } => {
                format!("too many requests; try again in {retry_after_secs} s")
            }
            WebError::Problem { detail, .. } => detail.clone(),
            e => match e.code() {
                Code::NotFound => "not found".into(),
                Code::Conflict => "it exists already".into(),
                Code::Unavailable => "the database is unavailable; try again shortly".into(),
                _ => "an unexpected error occurred".into(),
            },
        }
    }

    /// This error as RFC 9457 problem details.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.detail(),
            code: self.code().as_str().to_string(),
            parameter: match self {
                WebError::BadRequest { param, .. } => param.clone(),
                _ => None,
            },
        }
    }

    /// This error as an `application/problem+json` response.
    pub fn problem_response(&self) -> Response {
        self.log();
        let problem = self.problem();
        let status = self.status();
        let body = serde_json::to_string(&problem).unwrap_or_else(|_| "{}".into());
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
        if let Some(s) = self.retry_after()
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}

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
    /// `rate_limited` (with `Retry-After`), `conflict`, `unprocessable`,
    /// `unsupported_media_type`, `payload_too_large`, `not_configured`,
    /// `unavailable` (with `Retry-After`), `internal`.
    pub code: String,
    /// The request parameter at fault, for `invalid_parameter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_row() {
        let codes = [
            Code::NotFound,
            Code::InvalidParameter,
            Code::InvalidInput,
            Code::Unauthorized,
            Code::InvalidToken,
            Code::InvalidCredentials,
            Code::Forbidden,
            Code::NotYours,
            Code::ThreadLocked,
            Code::EditClosed,
            Code::CommentsDisabled,
            Code::Banned,
            Code::CrossOrigin,
            Code::Csrf,
            Code::RateLimited,
            Code::Conflict,
            Code::Unprocessable,
            Code::UnsupportedMediaType,
            Code::PayloadTooLarge,
            Code::NotConfigured,
            Code::Unavailable,
            Code::Internal,
        ];
        assert_eq!(codes.len(), TABLE.len());
        for c in codes {
            assert_eq!(TABLE.iter().filter(|(x, _, _)| *x == c).count(), 1, "{c:?}");
        }
        let names: std::collections::HashSet<_> = TABLE.iter().map(|r| r.1).collect();
        assert_eq!(names.len(), TABLE.len(), "names are unique");
    }

    #[test]
    fn database_errors_are_never_the_callers_fault() {
        let down = WebError::Store(StoreError::Connect(
            "postgres://db/tidings".into(),
            "pool timed out".into(),
        ));
        assert_eq!(down.code(), Code::Unavailable);
        assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(down.retry_after(), Some(5));
        let p = down.problem();
        assert_eq!(p.code, "unavailable");
        assert!(!p.detail.contains("postgres"), "no internals: {}", p.detail);
        let bug = WebError::Store(StoreError::Corrupt("connection".into()));
        assert_eq!(bug.code(), Code::Internal);
        assert_eq!(
            WebError::Refused(Refusal::ThreadLocked).problem().code,
            "thread_locked"
        );
        let p = WebError::param("limit", "must be between 1 and 100").problem();
        assert_eq!((p.status, p.parameter.as_deref()), (400, Some("limit")));
    }
}
