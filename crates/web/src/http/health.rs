//! Liveness, readiness and metrics endpoints for operators and load balancers.
//!
//! `/livez` and the status of `/healthz` are for anyone (load balancers probe
//! by address). What only operators should see — `/metrics` and the details
//! of `/healthz` (node, role, backend, the database's error) — answers
//! requests made on this machine and not forwarded by a proxy, requests with
//! `Authorization: Bearer <ops token>`, and every request on the operators'
//! listener; anyone else gets 404 from `/metrics` and the bare status.

use crate::AppState;
use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::SocketAddr;

/// `/healthz`, `/livez` and `/metrics`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/livez", get(livez))
        .route("/metrics", get(metrics))
}

/// Marks requests that arrived on the operators' listener.
#[derive(Debug, Clone, Copy)]
pub struct OpsListener;

/// May this request see what only operators see?
fn is_operator(state: &AppState, req: &Request) -> bool {
    if req.extensions().get::<OpsListener>().is_some() {
        return true;
    }
    if let Some(token) = &state.config().ops_token
        && bearer(req.headers()).is_some_and(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
    {
        return true;
    }
    // A proxy on this machine makes every reader look local: a forwarded
    // request is never taken for a local one.
    let forwarded = ["x-forwarded-for", "forwarded", "x-real-ip"]
        .iter()
        .any(|h| req.headers().contains_key(*h));
    let local = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback());
    local && !forwarded
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Compare secrets without leaking where they differ through timing.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Ready to serve: the database answers. 503 when it does not, so a load
/// balancer takes this node out of rotation.
pub async fn healthz(State(state): State<AppState>, req: Request) -> Response {
    let db = tokio::time::timeout(std::time::Duration::from_secs(3), state.store().ping()).await;
    let (status, db_status, error) = match db {
        Ok(Ok(())) => (StatusCode::OK, "ok", None),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "error",
            Some(e.to_string()),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "error",
            Some("database did not answer within 3 s".to_string()),
        ),
    };
    let headline = if status == StatusCode::OK {
        "ok"
    } else {
        "unavailable"
    };
    if !is_operator(&state, &req) {
        let body = serde_json::json!({ "status": headline, "database": db_status });
        return (status, Json(body)).into_response();
    }
    let body = serde_json::json!({
        "status": headline,
        "database": db_status,
        "backend": state.store().backend().name(),
        "node": state.config().node_id,
        "role": state.config().role,
        "error": error,
    });
    (status, Json(body)).into_response()
}

/// The process is up (no dependency checks).
pub async fn livez() -> &'static str {
    "ok"
}

pub async fn metrics(State(state): State<AppState>, req: Request) -> Response {
    if !is_operator(&state, &req) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match &state.inner.metrics {
        Some(h) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            h.render(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "metrics are not enabled").into_response(),
    }
}
