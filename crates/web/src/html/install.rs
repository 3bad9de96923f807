//! The site as an installable app: the web app manifest, its icons, the
//! service worker (`/sw.js`, scope `/`) with the script that registers it
//! (`install.js`), and the page the worker shows offline. Nothing inline:
//! the CSP (`script-src 'self'`, no `worker-src` or `manifest-src`, so
//! both fall back to `'self'`) holds as it is.

use super::{Layout, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const SW_JS: &str = include_str!("../../static/sw.js");
const INSTALL_JS: &str = include_str!("../../static/install.js");
const ICON_192: &[u8] = include_bytes!("../../static/icon-192.png");
const ICON_512: &[u8] = include_bytes!("../../static/icon-512.png");
/// The brand colour (`--accent` in style.css).
const THEME: &str = "#0a58ca";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/manifest.webmanifest", get(manifest))
        .route("/sw.js", get(service_worker))
        .route("/offline", get(offline))
        .route("/static/install.js", get(install_js))
        .route("/static/icon-192.png", get(|| async { png(ICON_192) }))
        // Browsers, feed readers and link previews ask for /favicon.ico
        // without reading the page; a PNG there is understood by all of them.
        .route("/favicon.ico", get(|| async { png(ICON_192) }))
        .route("/static/icon-512.png", get(|| async { png(ICON_512) }))
}

fn png(bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response()
}

async fn manifest(State(state): State<AppState>) -> Response {
    let name = &state.config().site_name;
    let short: String = name.chars().take(12).collect();
    let icon = |src: &str, size: &str, purpose: &str| serde_json::json!({"src": src, "sizes": size, "type": "image/png", "purpose": purpose});
    let m = serde_json::json!({
        "name": name,
        "short_name": short,
        "description": format!("{name}: news from many sources, in one place."),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": [
            icon("/static/icon-192.png", "192x192", "any"),
            icon("/static/icon-512.png", "512x512", "any"),
            icon("/static/icon-512.png", "512x512", "maskable"),
        ],
    });
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        m.to_string(),
    )
        .into_response()
}

/// The worker is checked for updates on every visit (`no-cache`).
async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SW_JS,
    )
        .into_response()
}

async fn install_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        INSTALL_JS,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "install/offline.html")]
struct OfflinePage<'a> {
    l: Layout<'a>,
}

/// The page the worker shows for a page it has no copy of. The same for
/// everyone (it is cached once): no account links.
async fn offline(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let mut l = Layout::new(&state, &headers, "/offline", "Offline".into());
    l.nav = Default::default();
    l.noindex = true;
    render(&OfflinePage { l })
}
