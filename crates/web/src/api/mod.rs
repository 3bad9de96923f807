//! The public JSON API, `/api/v1`, described by an OpenAPI 3.1 document that
//! utoipa generates from these handlers (so it cannot drift), served at
//! `/api/openapi.json` and readable at `/api/docs`.
//!
//! Conventions: JSON in and out; errors are `application/problem+json` (RFC
//! 9457) with a stable `code`; reads carry an `ETag` and answer
//! `If-None-Match` with 304; times are RFC 3339; ids are stable integers;
//! lists page with an opaque `cursor`.

mod articles;
mod meta;
mod problem;
mod stories;

pub use problem::{ApiError, Problem};

use crate::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tidings API",
        description = "News from many sources, grouped into stories. Read endpoints need no key; writes use a bearer token.",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "articles", description = "Articles and their related articles"),
        (name = "stories", description = "Stories: all coverage of one event"),
        (name = "sources", description = "The publishers this site follows"),
        (name = "meta", description = "Topics and service health")
    )
)]
struct ApiDoc;

/// The API routes and the OpenAPI document describing exactly them.
pub fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(articles::list_articles))
        .routes(routes!(articles::get_article))
        .routes(routes!(stories::list_stories))
        .routes(routes!(stories::get_story))
        .routes(routes!(meta::list_sources))
        .routes(routes!(meta::get_source))
        .routes(routes!(meta::list_topics))
        .routes(routes!(meta::health))
        .split_for_parts();
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    let router = router.layer(middleware::from_fn(etag));
    (router, doc)
}

/// The `/api` subtree: `/api/v1/...`, the document and the docs page.
pub fn router() -> Router<AppState> {
    let (v1, doc) = api_router();
    // Serves the document at /api/openapi.json and the (vendored) Swagger UI.
    let swagger: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .url("/api/openapi.json", doc)
        .into();
    Router::new()
        .merge(swagger.layer(middleware::from_fn(docs_csp)))
        .merge(v1)
        // Unknown API paths answer in the API's language, not with an HTML page.
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { ApiError::not_found("no such API endpoint") }),
        )
}

/// Weak ETags over the response body for GETs; `If-None-Match` gets a 304.
async fn etag(req: Request, next: Next) -> Response {
    let is_get = req.method() == Method::GET || req.method() == Method::HEAD;
    let inm = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    if !is_get || !res.status().is_success() {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return ApiError::internal("response too large").into_response();
    };
    let tag = format!("W/\"{:016x}\"", fnv(&bytes));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    if let Some(inm) = inm.and_then(|v| v.to_str().ok().map(str::to_string))
        && inm.split(',').any(|t| t.trim() == tag || t.trim() == "*")
    {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, axum::body::Body::empty());
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Swagger UI needs inline styles; the rest of the site does not.
async fn docs_csp(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; frame-ancestors 'none'",
        ),
    );
    res
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Pagination: `limit` (1–100, default 20) and an opaque `cursor` from the previous page.
pub(crate) fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(20),
        Some(n) if (1..=100).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::invalid(
            "limit",
            &format!("must be between 1 and 100, got {n}"),
        )),
    }
}

pub(crate) fn decode_cursor(c: Option<&str>) -> Result<Option<(i64, i64)>, ApiError> {
    match c {
        None | Some("") => Ok(None),
        Some(c) => c
            .split_once('.')
            .and_then(|(t, id)| Some((t.parse().ok()?, id.parse().ok()?)))
            .map(Some)
            .ok_or_else(|| ApiError::invalid("cursor", "is not a cursor returned by this API")),
    }
}

pub(crate) fn encode_cursor(created_at: i64, id: i64) -> String {
    format!("{created_at}.{id}")
}
