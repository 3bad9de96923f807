//! The one place where errors become HTTP responses.

use crate::pages::ErrorPage;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use tidings_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    // ---- accounts, comments, moderation ----
    #[error("login required")]
    LoginRequired,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
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
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            // A database that is down or busy is a server problem, never "not found".
            WebError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            WebError::Store(StoreError::Database(sqlx_err)) if is_unavailable(sqlx_err) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            WebError::Store(_) | WebError::Template(_) | WebError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            WebError::LoginRequired | WebError::BadToken => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_)
            | WebError::Banned { .. }
            | WebError::Csrf
            | WebError::CrossOrigin => StatusCode::FORBIDDEN,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// The title and message a person sees for this error.
    fn text(&self, status: StatusCode) -> (&'static str, String) {
        let a = &crate::i18n::ACCOUNTS_EN;
        match self {
            WebError::LoginRequired => (a.login_required_title, a.login_required.to_string()),
            WebError::Forbidden(m) => (a.forbidden_title, (*m).to_string()),
            WebError::Banned { until, reason } => (
                a.banned_title,
                a.banned_body
                    .replace("{until}", &crate::pages::human_time(*until))
                    .replace("{reason}", reason),
            ),
            WebError::Csrf => (a.forbidden_title, a.csrf_failed.to_string()),
            WebError::CrossOrigin => (a.forbidden_title, a.cross_origin.to_string()),
            WebError::BadToken => (a.forbidden_title, a.bad_token.to_string()),
            WebError::Invalid(m) => (a.invalid_title, m.clone()),
            WebError::TooManyRequests { retry_after_secs } => (
                a.too_many_title,
                a.too_many_body.replace(
                    "{minutes}",
                    &retry_after_secs.div_ceil(60).max(1).to_string(),
                ),
            ),
            _ => {
                let (t, m) = generic_text(status);
                (t, m.to_string())
            }
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            WebError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

fn generic_text(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "There is nothing at this address. It may have been removed, or the link may be mistyped.",
        ),
        StatusCode::BAD_REQUEST => ("Bad request", "The request could not be understood."),
        StatusCode::SERVICE_UNAVAILABLE => (
            "Temporarily unavailable",
            "The site is busy or its database is unreachable. Please try again in a moment.",
        ),
        _ => (
            "Something went wrong",
            "An unexpected error occurred. It has been logged.",
        ),
    }
}

fn is_unavailable(e: &impl std::fmt::Display) -> bool {
    let s = e.to_string();
    s.contains("pool timed out") || s.contains("connection") || s.contains("closed")
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let (title, message) = self.text(status);
        let mut l = crate::pages::Layout::minimal(title);
        l.nav = crate::accounts::nav();
        let page = ErrorPage {
            l,
            heading: title,
            message: &message,
            status: status.as_u16(),
        };
        let mut res = match page.render() {
            Ok(body) => (status, Html(body)).into_response(),
            Err(_) => (status, title).into_response(),
        };
        if let Some(s) = self.retry_after() {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, s.into());
        }
        res
    }
}
