//! Reader apps: the protocols existing news readers speak, as a third
//! presentation beside `html` and `api` (it imports neither): the Google
//! Reader API at `/api/greader` ([`greader`]: Reeder, NetNewsWire, Read You,
//! FeedMe, FocusReader, Fluent Reader, Newsflash…) and the Fever API at
//! `/api/fever` ([`fever`]). Both are views over `services::reader` (what
//! a reader follows, their streams and read state) and
//! `services::reader_apps` (signing apps in, bodies by display policy).
//!
//! These protocols authenticate themselves (`GoogleLogin auth=…`, Fever's
//! `api_key`), so the viewer middleware leaves their `Authorization` header
//! alone (`http::viewer::authenticates_itself`); their answers are personal and never cached.

pub mod fever;
pub mod greader;

use crate::{AppState, WebError};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

/// The routes of both protocols.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(greader::routes())
        .merge(fever::routes())
}

/// Largest request body an app may send (a few thousand item ids).
const MAX_BODY: usize = 1 << 20;

/// A request's parameters, from its query and (for a form body) its body,
/// in order; keys may repeat (`i=1&i=2`).
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: Option<&str>, body: &[u8]) -> Result<Params, WebError> {
        let mut pairs: Vec<(String, String)> = match query {
            Some(q) => serde_urlencoded::from_str(q)
                .map_err(|_| WebError::bad_request("the query string cannot be read"))?,
            None => Vec::new(),
        };
        if !body.is_empty() {
            let more: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
                .map_err(|_| WebError::bad_request("the form body cannot be read"))?;
            pairs.extend(more);
        }
        Ok(Params(pairs))
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `key` is present, with or without a value (`?api&items`).
    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// An integer parameter; absent or empty is `None`, anything else that
    /// is not an integer is a bad request naming it.
    pub fn int(&self, key: &str) -> Result<Option<i64>, WebError> {
        match self.get(key).map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| WebError::param(key, "must be an integer")),
        }
    }
}

impl FromRequest<AppState> for Params {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let query = req.uri().query().map(str::to_string);
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v.starts_with("application/x-www-form-urlencoded"));
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| WebError::bad_request("the request body cannot be read"))?;
        if bytes.len() > MAX_BODY {
            return Err(WebError::Problem {
                code: crate::Code::PayloadTooLarge,
                detail: format!("a request body may hold at most {MAX_BODY} bytes"),
                retry_after: None,
            });
        }
        let body: &[u8] = if form { &bytes } else { &[] };
        Params::parse(query.as_deref(), body)
    }
}

/// Personal answers: never stored by a cache on the way.
fn personal(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}

/// Set a key of a JSON object (nothing happens to anything else).
fn set(v: &mut serde_json::Value, key: &str, x: serde_json::Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_string(), x);
    }
}

/// This site's images in article bodies as absolute addresses (an app does
/// not resolve `/media/…` against the site).
fn absolute_media(html: &str, base: &str) -> String {
    html.replace("\"/media/", &format!("\"{base}/media/"))
        .replace(", /media/", &format!(", {base}/media/"))
}

/// The base URL apps reach this site at.
fn base(state: &AppState, headers: &HeaderMap) -> String {
    crate::http::hosts::base_url(state, headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_keep_repeated_keys_in_order() {
        let p = Params::parse(Some("output=json&i=1&api"), b"i=2&i=tag%3Agoogle.com&T=x").unwrap();
        assert_eq!(p.get("output"), Some("json"));
        assert_eq!(p.all("i").collect::<Vec<_>>(), ["1", "2", "tag:google.com"]);
        assert!(p.has("api") && !p.has("items"));
        assert_eq!(p.int("i").unwrap(), Some(1));
        assert!(p.int("T").is_err());
        assert_eq!(p.int("n").unwrap(), None);
    }

    #[test]
    fn media_links_become_absolute() {
        let h = "<img src=\"/media/ab/640.jpg\" srcset=\"/media/ab/320.jpg 320w, /media/ab/640.jpg 640w\">";
        assert_eq!(
            absolute_media(h, "https://n.example"),
            "<img src=\"https://n.example/media/ab/640.jpg\" srcset=\"https://n.example/media/ab/320.jpg 320w, https://n.example/media/ab/640.jpg 640w\">"
        );
    }
}
