//! The public website and JSON API of Tidings: an axum router over the store.
//!
//! `web` never runs the pipeline: it reads from the store and, when work is
//! needed, enqueues a job. Errors become responses in one place ([`error`]).

pub mod accounts;
mod admin;
pub mod ai;
pub mod api;
mod comments;
mod error;
mod feeds;
mod health;
mod hosts;
mod i18n;
mod media;
mod moderation;
mod page_cache;
mod pages;
mod seo;
mod time;

pub use accounts::{AccountsConfig, Registration, SecureCookies};
pub use api::ApiConfig;
pub use comments::CommentsConfig;
pub use error::WebError;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tidings_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

/// What the website needs to know from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Shown in the header, titles and feeds.
    pub site_name: String,
    /// Public base URL (e.g. `https://news.example.org`), when known; used for
    /// absolute links in feeds and sitemaps.
    pub base_url: Option<String>,
    /// Hosts (`name` or `name:port`) the site answers to; empty: any.
    pub allowed_hosts: Vec<String>,
    /// Identity of this process, shown in logs and metrics.
    pub node_id: String,
    /// `web`, `crawler` or `all`: shown by `/healthz`.
    pub role: String,
    pub request_timeout: Duration,
    pub accounts: AccountsConfig,
    pub comments: CommentsConfig,
    /// Where the crawler caches images (served at `/media/...`).
    pub media_dir: Option<std::path::PathBuf>,
    pub ai: ai::AiConfig,
    pub api: api::ApiConfig,
    /// Bearer token that opens `/metrics` and `/healthz`'s details to remote
    /// requests on the public listener.
    pub ops_token: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site_name: "Tidings".into(),
            base_url: None,
            allowed_hosts: Vec::new(),
            node_id: "local".into(),
            role: "all".into(),
            request_timeout: Duration::from_secs(30),
            accounts: AccountsConfig::default(),
            comments: CommentsConfig::default(),
            media_dir: None,
            ai: ai::AiConfig::default(),
            api: api::ApiConfig::default(),
            ops_token: None,
        }
    }
}

/// Shared state of every request handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    config: WebConfig,
    metrics: Option<PrometheusHandle>,
    search: Option<tidings_search::SearchIndex>,
    search_catching_up: Arc<std::sync::atomic::AtomicBool>,
    ai: ai::AiRuntime,
    accounts: accounts::Runtime,
    pages: std::sync::Arc<page_cache::PageCache>,
    sitemaps: seo::SitemapCache,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig, metrics: Option<PrometheusHandle>) -> Self {
        AppState {
            inner: Arc::new(Inner {
                ai: ai::AiRuntime::new(&config.ai),
                store,
                config,
                metrics,
                search: None,
                search_catching_up: Arc::new(std::sync::atomic::AtomicBool::new(false)),
                accounts: accounts::Runtime::default(),
                pages: Default::default(),
                sitemaps: Default::default(),
            }),
        }
    }

    /// Serve search from this node's index; `catching_up` is true while the
    /// index is being (re)built, and search pages say so.
    pub fn with_search(
        store: Store,
        config: WebConfig,
        metrics: Option<PrometheusHandle>,
        index: tidings_search::SearchIndex,
        catching_up: Arc<std::sync::atomic::AtomicBool>,
    ) -> Self {
        AppState {
            inner: Arc::new(Inner {
                ai: ai::AiRuntime::new(&config.ai),
                store,
                config,
                metrics,
                search: Some(index),
                search_catching_up: catching_up,
                accounts: accounts::Runtime::default(),
                pages: Default::default(),
                sitemaps: Default::default(),
            }),
        }
    }

    pub fn ai(&self) -> &ai::AiRuntime {
        &self.inner.ai
    }

    pub fn search(&self) -> Option<&tidings_search::SearchIndex> {
        self.inner.search.as_ref()
    }

    pub fn search_catching_up(&self) -> bool {
        self.inner
            .search_catching_up
            .load(std::sync::atomic::Ordering::Relaxed)
    }
    pub fn store(&self) -> &Store {
        &self.inner.store
    }
    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }
    pub(crate) fn accounts(&self) -> &accounts::Runtime {
        &self.inner.accounts
    }
    pub(crate) fn page_cache(&self) -> &std::sync::Arc<page_cache::PageCache> {
        &self.inner.pages
    }
    pub(crate) fn sitemaps(&self) -> &seo::SitemapCache {
        &self.inner.sitemaps
    }
}

/// The whole HTTP surface of Tidings.
pub fn router(state: AppState) -> Router {
    let timeout = state.config().request_timeout;
    Router::new()
        .route("/", get(pages::home))
        .route("/a/{slug}", get(pages::article_page))
        .route("/a/{slug}/ask", get(pages::ask_page))
        .route("/a/{slug}/translate", get(pages::translate_page))
        .route("/story/{id}", get(pages::story_page))
        .route("/story/{id}/{file}", get(feeds::story_feed))
        .route("/source/{id}", get(pages::source_page))
        .route("/source/{id}/{file}", get(feeds::source_feed))
        .route("/sources", get(pages::sources_page))
        .route("/topic/{slug}", get(pages::topic_page))
        .route("/topic/{slug}/{file}", get(feeds::topic_feed))
        .route("/about", get(pages::about))
        .route("/search", get(pages::search_page))
        .route("/search/{file}", get(feeds::search_feed))
        .route("/media/{id}/{file}", get(media::serve))
        .route("/{file}", get(root_file))
        .route("/static/{*path}", get(pages::static_file))
        .merge(community_routes())
        .merge(api::router(&state))
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            accounts::resolve_viewer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_cache::layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            hosts::check_host,
        ))
        // Probes and monitoring: any host, no viewer (an ops token is not an
        // API token), never cached.
        .route("/healthz", get(health::healthz))
        .route("/livez", get(health::livez))
        .route("/metrics", get(health::metrics))
        .with_state(state)
        .layer(middleware::from_fn(track_metrics))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-src https://www.youtube-nocookie.com https://player.vimeo.com; \
                 object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        ))
}

/// Accounts, comments, moderation and admin (see `accounts`, `comments`,
/// `moderation`, `admin`). Every POST takes a CSRF-checked form.
fn community_routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(accounts::login_page).post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route(
            "/register",
            get(accounts::register_page).post(accounts::register),
        )
        .route("/account", get(accounts::account_page))
        .route("/account/password", post(accounts::change_password))
        .route("/account/logout-all", post(accounts::logout_everywhere))
        .route("/account/delete", post(accounts::delete_account))
        .route("/account/tokens", post(accounts::create_token))
        .route("/account/tokens/{id}/revoke", post(accounts::revoke_token))
        .route("/comments", post(comments::post_comment))
        .route("/comments/{id}", get(comments::comment_link))
        .route(
            "/comments/{id}/edit",
            get(comments::edit_page).post(comments::edit_comment),
        )
        .route("/comments/{id}/delete", post(comments::delete_comment))
        .route("/comments/{id}/vote", post(comments::vote))
        .route("/comments/{id}/report", post(comments::report))
        .route("/mod", get(moderation::queue))
        .route("/mod/log", get(moderation::log))
        .route(
            "/mod/comments/{id}/{action}",
            post(moderation::comment_action),
        )
        .route(
            "/mod/threads/{kind}/{id}/{action}",
            post(moderation::thread_action),
        )
        .route("/mod/users/{id}", get(moderation::user_page))
        .route("/mod/users/{id}/ban", post(moderation::ban))
        .route("/mod/users/{id}/unban", post(moderation::unban))
        .route("/admin", get(admin::index))
        .route("/admin/users", get(admin::users))
        .route("/admin/users/{id}/role", post(admin::set_role))
        .route(
            "/admin/sources",
            get(admin::sources).post(admin::add_source),
        )
        .route("/admin/sources/{id}", post(admin::edit_source))
        .route(
            "/admin/settings",
            get(admin::settings).post(admin::save_settings),
        )
        .route(
            "/admin/invitations",
            get(admin::invitations).post(admin::create_invitation),
        )
}

/// Files at the root: feeds of the front page, robots.txt, sitemaps, OpenSearch.
async fn root_file(
    state: axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    use axum::response::IntoResponse;
    match file.as_str() {
        "feed.xml" | "feed.atom" | "feed.json" | "rss.xml" => {
            feeds::home_feed(state, headers, axum::extract::Path(file)).await
        }
        "robots.txt" => Ok(seo::robots(state, headers).await),
        "sitemap.xml" => seo::sitemap(state, headers).await,
        "sitemap-pages.xml" => seo::sitemap_pages(state, headers).await,
        "news-sitemap.xml" => seo::news_sitemap(state, headers).await,
        f if f.starts_with("sitemap-articles-") => {
            let page = f
                .strip_prefix("sitemap-articles-")
                .and_then(|r| r.strip_suffix(".xml"))
                .filter(|n| !n.is_empty() && n.len() < 10 && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or(WebError::NotFound)?;
            seo::sitemap_articles(state.0, headers, page).await
        }
        "opensearch.xml" => {
            let base = pages::base_url(&state, &headers);
            let name = state.config().site_name.clone();
            Ok((
                [(header::CONTENT_TYPE, "application/opensearchdescription+xml")],
                format!(
                    "<?xml version=\"1.0\"?><OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\"><ShortName>{}</ShortName><Description>Search {}</Description><Url type=\"text/html\" template=\"{base}/search?q={{searchTerms}}\"/></OpenSearchDescription>",
                    feeds_escape(&name),
                    feeds_escape(&name)
                ),
            )
                .into_response())
        }
        _ => Err(WebError::NotFound),
    }
}

fn feeds_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a crawler-only node answers: liveness, readiness and metrics, with
/// the same access rules as on the website (see [`health`]).
pub fn ops_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/livez", get(health::livez))
        .route("/metrics", get(health::metrics))
        .with_state(state)
        .layer(middleware::from_fn(track_metrics))
}

/// The operators' listener (`ops.listen`): everything it serves is for
/// whoever can reach it, so every request there counts as an operator's.
pub fn ops_listener_router(state: AppState) -> Router {
    ops_router(state).layer(axum::Extension(health::OpsListener))
}

/// Count requests and their latency per route (not per raw path, which would
/// explode label cardinality).
async fn track_metrics(req: Request, next: Next) -> Response {
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

/// Serve `router` on `listener` until `shutdown` resolves; in-flight requests
/// finish before this returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
