//! The API's presentation of errors: the one error model (`crate::error`)
//! as RFC 9457 problem details, with the stable code from its table.

use crate::WebError;
use crate::error::Code;
pub use crate::error::Problem;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tidings_store::StoreError;

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl ApiError {
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        ApiError(WebError::Problem {
            code,
            detail: detail.into(),
            retry_after: None,
        })
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(Code::NotFound, what)
    }
    pub fn invalid(param: &str, why: &str) -> Self {
        ApiError(WebError::param(param, why))
    }
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        ApiError(WebError::TooManyRequests { retry_after_secs })
    }
    /// The same error, telling the client when to try again.
    pub fn retry_after(self, secs: u64) -> Self {
        match self.0 {
            WebError::Problem { code, detail, .. } => ApiError(WebError::Problem {
                code,
                detail,
                retry_after: Some(secs),
            }),
            other => ApiError(other),
        }
    }
}

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(WebError::Store(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.problem_response()
    }
}

/// Turn axum's own rejections (bad query strings, bad JSON) into problems.
pub fn rejection(e: impl std::fmt::Display) -> ApiError {
    ApiError(WebError::bad_request(e.to_string()))
}

/// A JSON body that could not be read: 415 without a JSON content type, 413
/// when too large, else 400 (syntax or shape) with `parameter: body`.
pub fn json_rejection(e: axum::extract::rejection::JsonRejection) -> ApiError {
    match e.status() {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::new(Code::UnsupportedMediaType, e.body_text())
        }
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(Code::PayloadTooLarge, e.body_text()),
        _ => ApiError(WebError::BadRequest {
            param: Some("body".into()),
            message: e.body_text(),
        }),
    }
}
