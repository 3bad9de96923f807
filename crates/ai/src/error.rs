//! Typed failures. Each has a reader-facing message (no internal detail: no URLs, keys or
//! server bodies) for the page, and a `Display` with detail for the logs.

use std::time::Duration;

use crate::Feature;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    /// The provider cannot do this feature (the built-in one does not translate).
    #[error("{provider} does not support {feature}")]
    Unsupported {
        feature: Feature,
        provider: &'static str,
    },
    /// The caller's input cannot be used (empty article, empty question, bad language tag).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The provider settings cannot be used (a base URL that does not parse).
    #[error("provider configuration: {0}")]
    Config(String),
    /// No answer (or no next chunk of a stream) within the configured time.
    #[error("the model server did not answer in time")]
    Timeout,
    /// Could not connect, or the connection broke before a response.
    #[error("cannot reach the model server: {0}")]
    Unreachable(String),
    /// 401/403: the API key is missing or wrong.
    #[error("the model server refused the API key (HTTP {status})")]
    Unauthorized { status: u16 },
    /// 404: usually the model name is unknown to the server (or the base URL is wrong).
    #[error("model {model:?} not found on the server (HTTP 404): {detail}")]
    ModelNotFound { model: String, detail: String },
    /// 429: the server asks us to slow down; `retry_after` from its Retry-After header.
    #[error("rate limited by the model server (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },
    /// Any other non-success status (5xx, 400 …).
    #[error("the model server failed with HTTP {status}: {detail}")]
    Server { status: u16, detail: String },
    /// The response is not what the wire format says: malformed JSON, missing fields,
    /// an error object, or too large.
    #[error("unusable response from the model server: {0}")]
    BadResponse(String),
    /// The model answered with nothing usable.
    #[error("the model returned no text")]
    Empty,
    /// A stream ended before its end marker: the text so far is partial.
    #[error("the answer stream broke off after {received_chars} characters")]
    StreamInterrupted { received_chars: usize },
    /// The model stopped at its output limit (`finish_reason: "length"`): partial text.
    #[error("the answer was cut at the output limit")]
    OutputTruncated,
}

impl AiError {
    /// A short message for the reader, in plain words. The page shows it instead of (or, for
    /// partial answers, under) the result; the rest of the page works as usual.
    pub fn reader_message(&self) -> &'static str {
        match self {
            AiError::Unsupported {
                feature: Feature::Translate,
                ..
            } => "Translation needs a language model, and this site does not have one configured.",
            AiError::Unsupported { .. } => "This feature is not available on this site.",
            AiError::InvalidInput(_) => "There is nothing here to work with.",
            AiError::Config(_) | AiError::Unauthorized { .. } | AiError::ModelNotFound { .. } => {
                "The AI service is not set up correctly. The site's administrator has been told."
            }
            AiError::Timeout => "The AI service took too long to answer. Please try again later.",
            AiError::Unreachable(_) | AiError::Server { .. } => {
                "The AI service is unavailable right now. Please try again later."
            }
            AiError::RateLimited { .. } => {
                "The AI service is busy right now. Please try again in a little while."
            }
            AiError::BadResponse(_) | AiError::Empty => {
                "The AI service gave an unusable answer. Please try again later."
            }
            AiError::StreamInterrupted { .. } => {
                "The answer was interrupted: what is shown is incomplete."
            }
            AiError::OutputTruncated => "The answer was cut short: what is shown is incomplete.",
        }
    }

    /// Worth trying again later (the same request may work): decides whether a failure may
    /// be cached briefly rather than for long.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            AiError::Timeout
                | AiError::Unreachable(_)
                | AiError::RateLimited { .. }
                | AiError::Server { .. }
                | AiError::StreamInterrupted { .. }
                | AiError::BadResponse(_)
                | AiError::Empty
        )
    }

    /// For 429: how long the server asked us to wait.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            AiError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The operator must act (bad key, unknown model, bad URL): log at error level.
    pub fn needs_operator(&self) -> bool {
        matches!(
            self,
            AiError::Config(_) | AiError::Unauthorized { .. } | AiError::ModelNotFound { .. }
        )
    }

    /// The error ends a partial answer (text already streamed stays, marked incomplete).
    pub fn is_partial(&self) -> bool {
        matches!(
            self,
            AiError::StreamInterrupted { .. } | AiError::OutputTruncated
        )
    }
}
