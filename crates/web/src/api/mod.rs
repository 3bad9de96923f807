//! The public JSON API, `/api/v1`, described by an OpenAPI 3.1 document that
//! utoipa generates from these handlers (so it cannot drift), served at
//! `/api/openapi.json` and readable at `/api/docs`.
//!
//! Conventions: JSON in and out; errors are `application/problem+json` (RFC
//! 9457) with a stable `code`; reads carry an `ETag` and answer
//! `If-None-Match` with 304; times are RFC 3339; ids are stable integers;
//! lists page with an opaque `cursor`; writes take a personal API token
//! (`Authorization: Bearer tdg_…`); every client address has a request
//! budget per minute, counted in the database (so it holds across web
//! nodes) and announced in `RateLimit-*` headers; CORS as configured.

mod account;
mod ai;
mod articles;
mod comments;
mod meta;
mod problem;
mod reader;
mod search;
mod stories;

pub use problem::{ApiError, Problem};

use crate::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tidings_core::Timestamp;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
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
        (name = "ai", description = "Summaries, key points, questions and translations"),
        (name = "comments", description = "Reader comments on articles and stories"),
        (name = "account", description = "Personal API tokens and the account behind them"),
        (name = "reader", description = "The reader's own news: follows, mutes, saved articles, read state, for you"),
        (name = "meta", description = "Topics and service health")
    ),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

/// Declares the `bearer` security scheme: a personal API token, from
/// `POST /api/v1/auth/token` or the account page.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("tdg_…".into());
        http.description = Some(
            "A personal API token (`tdg_…`) from `POST /api/v1/auth/token` or the account page."
                .into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}

/// The API's settings.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Requests per client address per minute, across all web nodes; 0 turns the limit off.
    pub requests_per_minute: u32,
    /// Origins allowed to call the API from a browser: empty for none, `*` for any.
    pub cors_origins: Vec<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            requests_per_minute: 600,
            cors_origins: Vec::new(),
        }
    }
}

impl ApiConfig {
    /// Whether a browser page at `origin` may call the API.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.cors_origins
            .iter()
            .any(|o| o == "*" || o.eq_ignore_ascii_case(origin.trim_end_matches('/')))
    }
}

/// The API routes and the OpenAPI document describing exactly them.
pub fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(articles::list_articles))
        .routes(routes!(articles::get_article))
        .routes(routes!(search::related))
        .routes(routes!(search::search))
        .routes(routes!(stories::list_stories))
        .routes(routes!(stories::get_story))
        .routes(routes!(meta::list_sources))
        .routes(routes!(meta::get_source))
        .routes(routes!(meta::list_topics))
        .routes(routes!(meta::health))
        .routes(routes!(ai::article_summary))
        .routes(routes!(ai::article_key_points))
        .routes(routes!(ai::article_ask))
        .routes(routes!(ai::article_ask_stream))
        .routes(routes!(ai::article_translation))
        .routes(routes!(ai::story_summary))
        .routes(routes!(comments::list_comments, comments::post_comment))
        .routes(routes!(comments::edit_comment, comments::delete_comment))
        .routes(routes!(comments::vote_comment))
        .routes(routes!(comments::report_comment))
        .routes(routes!(account::create_token, account::revoke_token))
        .routes(routes!(account::me))
        .routes(routes!(reader::list_follows))
        .routes(routes!(reader::follow_source, reader::unfollow_source))
        .routes(routes!(reader::follow_topic, reader::unfollow_topic))
        .routes(routes!(reader::follow_story, reader::unfollow_story))
        .routes(routes!(reader::mute_source, reader::unmute_source))
        .routes(routes!(reader::list_saved))
        .routes(routes!(reader::save_article, reader::unsave_article))
        .routes(routes!(reader::mark_read))
        .routes(routes!(reader::mark_all_read))
        .routes(routes!(reader::for_you))
        .routes(routes!(reader::unread_counts))
        .split_for_parts();
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    add_common_responses(&mut doc);
    let router = router.layer(middleware::from_fn(etag));
    (router, doc)
}

/// Answers any operation can give, documented once: 400 (a malformed
/// parameter), 401 (an unknown or revoked token sent along), 429 (the
/// per-address budget is spent; see `Retry-After`), 503 (the database is
/// unavailable), and 415 for operations that take a JSON body.
fn add_common_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |desc: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(desc)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    let common = [
        ("400", "A parameter is invalid"),
        ("401", "The token sent is unknown or revoked"),
        (
            "429",
            "Too many requests from this address; see Retry-After",
        ),
        ("503", "The database is unavailable; see Retry-After"),
    ];
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            let r = &mut op.responses.responses;
            for (code, desc) in common {
                r.entry(code.to_string()).or_insert_with(|| problem(desc));
            }
            if op.request_body.is_some() {
                r.entry("415".to_string())
                    .or_insert_with(|| problem("The body is not JSON"));
            }
        }
    }
}

/// The `/api` subtree: `/api/v1/...`, the document and the docs page.
pub fn router(state: &AppState) -> Router<AppState> {
    let (v1, doc) = api_router();
    // Serves the document at /api/openapi.json and the (vendored) Swagger UI.
    let swagger: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .url("/api/openapi.json", doc)
        .into();
    let limited = Router::new()
        .merge(v1)
        // Unknown API paths answer in the API's language, not with an HTML page.
        .route(
            "/api/{*rest}",
            axum::routing::any(|| async { ApiError::not_found("no such API endpoint") }),
        )
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit));
    let api = Router::new()
        .merge(swagger.layer(middleware::from_fn(docs_csp)))
        .merge(limited);
    match cors_layer(&state.config().api) {
        Some(cors) => api.layer(cors),
        None => api,
    }
}

/// CORS for the API tree, or None when no origin is configured. Tokens
/// travel in `Authorization`, never in cookies, so credentials stay off.
fn cors_layer(cfg: &ApiConfig) -> Option<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if cfg.cors_origins.is_empty() {
        return None;
    }
    let origin = if cfg.cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            cfg.cors_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([
                Method::GET,
                Method::HEAD,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_NONE_MATCH,
            ])
            .expose_headers([
                header::ETAG,
                header::RETRY_AFTER,
                header::LOCATION,
                HeaderName::from_static("ratelimit-limit"),
                HeaderName::from_static("ratelimit-remaining"),
                HeaderName::from_static("ratelimit-reset"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// Every API request counts against its client address's budget for the
/// current minute, in the database. Over budget: 429 with `Retry-After`.
/// Every answer says `RateLimit-Limit`, `RateLimit-Remaining` and
/// `RateLimit-Reset` (seconds until the window ends).
async fn rate_limit(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    const WINDOW_MS: i64 = 60_000;
    let limit = state.config().api.requests_per_minute;
    if limit == 0 {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<crate::services::accounts::Viewer>()
        .map(|v| v.ip.clone())
        .unwrap_or_default();
    let now = Timestamp::now();
    let count = async {
        let key = format!("api:{}", state.ip_hash(&ip).await?);
        Ok::<_, ApiError>(
            state
                .store()
                .rate_limit_hit_window(&key, WINDOW_MS, now)
                .await?,
        )
    };
    // Reads are counted while they run (the database write then costs no
    // latency; an answer over budget is thrown away); writes only run when
    // there is budget left.
    let safe = matches!(*req.method(), Method::GET | Method::HEAD);
    let (counted, ran) = if safe {
        tokio::join!(count, next.run(req))
    } else {
        match count.await {
            Ok((n, start)) if n <= i64::from(limit) => (Ok((n, start)), next.run(req).await),
            // Over budget (answered below) or not counted: the write does not run.
            other => (other, Response::default()),
        }
    };
    let (count, start) = match counted {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let reset_ms = (start.0 + WINDOW_MS).saturating_sub(now.0).max(0);
    let reset = u64::try_from(reset_ms).unwrap_or(0).div_ceil(1000).max(1);
    let remaining = i64::from(limit).saturating_sub(count).max(0);
    let mut res = if count > i64::from(limit) {
        ApiError::rate_limited(reset).into_response()
    } else {
        ran
    };
    let h = res.headers_mut();
    h.insert("ratelimit-limit", HeaderValue::from(limit));
    h.insert("ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("ratelimit-reset", HeaderValue::from(reset));
    res
}

/// Weak ETags over the response body for GETs; `If-None-Match` gets a 304.
async fn etag(req: Request, next: Next) -> Response {
    let is_get = req.method() == Method::GET || req.method() == Method::HEAD;
    let inm = req.headers().get(header::IF_NONE_MATCH).cloned();
    // An answer for one account (`/me`, anything with a token) is not for shared caches.
    let personal = req.headers().contains_key(header::AUTHORIZATION);
    let res = next.run(req).await;
    let streaming = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !is_get || !res.status().is_success() || streaming {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return ApiError::new(crate::error::Code::Internal, "response too large").into_response();
    };
    let tag = format!("W/\"{:016x}\"", fnv(&bytes));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    parts.headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if personal {
            "private, no-cache"
        } else {
            "public, max-age=30"
        }),
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
    crate::format::Cursor::parse(c)
        .map(|c| c.map(crate::format::Cursor::pair))
        .map_err(|_| ApiError::invalid("cursor", "is not a cursor returned by this API"))
}

pub(crate) fn encode_cursor(created_at: i64, id: i64) -> String {
    crate::format::Cursor {
        time: created_at,
        id,
    }
    .encode()
}
