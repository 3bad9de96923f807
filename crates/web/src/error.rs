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
        }
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
        let (title, message) = match status {
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
        };
        let page = ErrorPage {
            l: crate::pages::Layout::minimal(title),
            heading: title,
            message,
            status: status.as_u16(),
        };
        match page.render() {
            Ok(body) => (status, Html(body)).into_response(),
            Err(_) => (status, title).into_response(),
        }
    }
}
