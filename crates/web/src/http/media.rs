//! Serving cached images (their markup is `format::ImgView`).

use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use crate::format::ImgView;

/// `/media/{id}/{width}.{webp|jpg}` from the data dir, cached for a year
/// (the URL names the content).
pub async fn serve(
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    let valid_id = tidings_core::is_media_id(&id);
    let Some((width, ext)) = file.split_once('.') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = match ext {
        "webp" => "image/webp",
        "jpg" => "image/jpeg",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    if !valid_id
        || width.is_empty()
        || width.len() > 5
        || !width.chars().all(|c| c.is_ascii_digit())
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let image = |bytes: Vec<u8>| {
        (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response()
    };
    let dir = state.config().media_dir.as_ref();
    if let Some(dir) = dir
        && let Ok(bytes) = tokio::fs::read(dir.join(&id).join(&file)).await
    {
        return image(bytes);
    }
    // Not in this node's folder: on PostgreSQL the crawler node that fetched
    // it left a copy in the database; keep it here for the next reader.
    let store = state.store();
    if !store.shares_media_files() {
        return StatusCode::NOT_FOUND.into_response();
    }
    match store.media_file(&id, &file).await {
        Ok(Some(bytes)) => {
            if let Some(dir) = dir {
                let path = dir.join(&id).join(&file);
                let data = bytes.clone();
                // Best effort: a failed write only means the next read goes to the database.
                let _ = tokio::task::spawn_blocking(move || {
                    tidings_core::write_media_file(&path, &data)
                })
                .await;
            }
            image(bytes)
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => crate::WebError::from(e).into_response(),
    }
}
