//! Request counts and latency per route (not per raw path, which would
//! explode label cardinality).

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("tidings_http_requests_total", &labels).increment(1);
    metrics::histogram!("tidings_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}
