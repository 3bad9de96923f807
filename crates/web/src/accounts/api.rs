//! The account side of the JSON API: who am I (with an API token or a session).

use super::Viewer;
use crate::WebError;
use crate::error::ApiError;
use axum::Json;
use serde_json::{Value, json};

/// `GET /api/v1/me`: the account behind the request's token or session.
pub async fn me(viewer: Viewer) -> Result<Json<Value>, ApiError> {
    let u = viewer.user().ok_or(WebError::LoginRequired)?;
    Ok(Json(json!({
        "id": u.id,
        "username": u.username,
        "role": u.role,
        "created_at": u.created_at.to_rfc3339(),
        "banned": u.is_banned(tidings_core::Timestamp::now()),
        "via_token": viewer.signed_in.as_ref().is_some_and(|s| s.session.is_none()),
    })))
}
