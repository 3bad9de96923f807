//! Liveness, readiness and metrics endpoints for operators and load balancers.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Ready to serve: the database answers. 503 when it does not, so a load
/// balancer takes this node out of rotation.
pub async fn healthz(State(state): State<AppState>) -> Response {
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
    let body = serde_json::json!({
        "status": if status == StatusCode::OK { "ok" } else { "unavailable" },
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

pub async fn metrics(State(state): State<AppState>) -> Response {
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
