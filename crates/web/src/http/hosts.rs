//! Which host the site is for. Without `base_url`, links, canonical URLs and
//! `og:url` are built from the request's `Host`, so a request naming another
//! host must neither be answered as this site (when `allowed_hosts` is set)
//! nor share a cached page with requests for the real host (the page cache
//! keys on [`cache_scope`]).

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Refuse requests for hosts not in `allowed_hosts` with 421 Misdirected
/// Request. (`/livez`, `/healthz` and `/metrics` are routed outside this
/// layer: load balancers and monitoring probe nodes by address.)
pub async fn check_host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let allowed = &state.config().allowed_hosts;
    if allowed.is_empty() {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if host_allowed(allowed, host) {
        return next.run(req).await;
    }
    (
        StatusCode::MISDIRECTED_REQUEST,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This site does not answer for that host name.\n",
    )
        .into_response()
}

/// Is `host` (a `Host` header: name, optional port) in the list? Names compare
/// without case; an entry without a port allows any port.
pub fn host_allowed(allowed: &[String], host: &str) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let (name, _) = split_port(&host);
    allowed.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        match split_port(&entry) {
            (n, None) => n == name,
            _ => entry == host,
        }
    })
}

/// `name:port` → (`name`, Some(port)); IPv6 literals keep their brackets.
fn split_port(host: &str) -> (&str, Option<&str>) {
    match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => (name, Some(port)),
        _ => (host, None),
    }
}

/// What a cached page depends on besides its path: nothing when `base_url`
/// fixes every link; otherwise the host and scheme the links are built from.
pub fn cache_scope(state: &AppState, headers: &HeaderMap) -> String {
    if state.config().base_url.is_some() {
        return String::new();
    }
    base_url(state, headers)
}

/// The public base URL: the configured one, else what the request says.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(b) = &state.config().base_url {
        return b.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{proto}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_by_name_and_port() {
        let allowed = vec!["News.Example.org".to_string(), "[::1]:8080".to_string()];
        assert!(host_allowed(&allowed, "news.example.org"));
        assert!(host_allowed(&allowed, "NEWS.example.org:443"));
        assert!(host_allowed(&allowed, "[::1]:8080"));
        assert!(!host_allowed(&allowed, "[::1]:8081"));
        assert!(!host_allowed(&allowed, "[::1]"));
        assert!(!host_allowed(&allowed, "evil.example"));
        assert!(!host_allowed(&allowed, "news.example.org.evil.example"));
        assert!(!host_allowed(&allowed, ""));
    }
}
