//! Errors as pages: the status from the one code table (`crate::error`),
//! the words a person reads from the error itself.

use super::{ErrorPage, Layout};
use crate::WebError;
use crate::format::human_time;
use crate::i18n::ACCOUNTS_EN;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let (title, message) = text(&self, status);
        let mut l = Layout::minimal(title);
        l.nav = crate::http::viewer::nav();
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

/// The title and message a person sees for this error.
fn text(e: &WebError, status: StatusCode) -> (&'static str, String) {
    let a = &ACCOUNTS_EN;
    match e {
        WebError::LoginRequired => (a.login_required_title, a.login_required.to_string()),
        WebError::Refused(r) => (a.forbidden_title, r.message().to_string()),
        WebError::Banned { until, reason } => (
            a.banned_title,
            a.banned_body
                .replace("{until}", &human_time(*until))
                .replace("{reason}", reason),
        ),
        WebError::Csrf => (a.forbidden_title, a.csrf_failed.to_string()),
        WebError::CrossOrigin => (a.forbidden_title, a.cross_origin.to_string()),
        WebError::BadToken => (a.forbidden_title, a.bad_token.to_string()),
        WebError::Invalid(m) => (a.invalid_title, m.clone()),
        WebError::BadRequest { message, .. } => ("Bad request", message.clone()),
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
