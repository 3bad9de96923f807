//! The public website and JSON API of Tidings: an axum router over the store.
//!
//! `web` never runs the pipeline: it reads from the store and, when work is
//! needed, enqueues a job. Errors become responses in one place ([`error`]).

pub mod api;
mod apps;
mod error;
pub mod format;
mod html;
mod http;
mod i18n;
pub mod services;

pub use api::ApiConfig;
pub use error::{Code, WebError};
pub use services::accounts::{AccountsConfig, Registration, SecureCookies};
pub use services::comments::CommentsConfig;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use std::time::Duration;
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
    pub ai: services::ai::AiConfig,
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
            ai: services::ai::AiConfig::default(),
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

/// Articles whose public page parts a node keeps (the busiest ones: a
/// burst of readers is on a few pages), about 100 KB each.
const MEMO_ARTICLES: usize = 256;
/// Comment threads kept per node (per sort order).
const MEMO_THREADS: usize = 512;

struct Inner {
    store: Store,
    config: WebConfig,
    metrics: Option<PrometheusHandle>,
    search: Option<tidings_search::SearchIndex>,
    search_catching_up: Arc<std::sync::atomic::AtomicBool>,
    ai: services::ai::AiRuntime,
    accounts: services::accounts::Runtime,
    pages: std::sync::Arc<http::page_cache::PageCache>,
    sitemaps: html::SitemapCache,
    /// Public parts of pages rendered per request (services::memo).
    article_parts: services::memo::Memo<services::articles::PageParts>,
    threads: services::memo::Memo<services::comments::PublicThread>,
    thread_html: services::memo::Memo<String>,
    home_parts: services::memo::Memo<html::home::HomeParts>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig, metrics: Option<PrometheusHandle>) -> Self {
        Self::build(store, config, metrics, None, Arc::default())
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
        Self::build(store, config, metrics, Some(index), catching_up)
    }

    fn build(
        store: Store,
        config: WebConfig,
        metrics: Option<PrometheusHandle>,
        search: Option<tidings_search::SearchIndex>,
        search_catching_up: Arc<std::sync::atomic::AtomicBool>,
    ) -> Self {
        AppState {
            inner: Arc::new(Inner {
                ai: services::ai::AiRuntime::new(&config.ai),
                store,
                config,
                metrics,
                search,
                search_catching_up,
                accounts: services::accounts::Runtime::default(),
                pages: Default::default(),
                sitemaps: Default::default(),
                article_parts: services::memo::Memo::new(MEMO_ARTICLES),
                threads: services::memo::Memo::new(MEMO_THREADS),
                thread_html: services::memo::Memo::new(MEMO_THREADS),
                home_parts: services::memo::Memo::new(1),
            }),
        }
    }

    pub fn ai(&self) -> &services::ai::AiRuntime {
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
    pub(crate) fn accounts(&self) -> &services::accounts::Runtime {
        &self.inner.accounts
    }
    pub(crate) fn page_cache(&self) -> &std::sync::Arc<http::page_cache::PageCache> {
        &self.inner.pages
    }
    pub(crate) fn sitemaps(&self) -> &html::SitemapCache {
        &self.inner.sitemaps
    }
    pub(crate) fn article_parts(&self) -> &services::memo::Memo<services::articles::PageParts> {
        &self.inner.article_parts
    }
    pub(crate) fn threads(&self) -> &services::memo::Memo<services::comments::PublicThread> {
        &self.inner.threads
    }
    pub(crate) fn home_parts(&self) -> &services::memo::Memo<html::home::HomeParts> {
        &self.inner.home_parts
    }
    pub(crate) fn thread_html(&self) -> &services::memo::Memo<String> {
        &self.inner.thread_html
    }
    /// Bumped by every state-changing request this node serves: memoized
    /// page parts from an older generation are never shown.
    pub(crate) fn write_generation(&self) -> u64 {
        self.inner.pages.generation()
    }
}

/// The whole HTTP surface of Tidings: the pages (`html`) and the JSON API
/// (`api`), under the shared plumbing (`http`).
pub fn router(state: AppState) -> Router {
    let timeout = state.config().request_timeout;
    Router::new()
        .merge(html::routes())
        .merge(api::router(&state))
        .merge(apps::routes())
        .fallback(html::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::viewer::resolve_viewer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::page_cache::layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::hosts::check_host,
        ))
        // Probes and monitoring: any host, no viewer (an ops token is not an
        // API token), never cached.
        .merge(http::health::routes())
        .with_state(state)
        .layer(middleware::from_fn(http::metrics::track))
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

/// What a crawler-only node answers: liveness, readiness and metrics, with
/// the same access rules as on the website (see `http::health`).
pub fn ops_router(state: AppState) -> Router {
    http::health::routes()
        .with_state(state)
        .layer(middleware::from_fn(http::metrics::track))
}

/// The operators' listener (`ops.listen`): everything it serves is for
/// whoever can reach it, so every request there counts as an operator's.
pub fn ops_listener_router(state: AppState) -> Router {
    ops_router(state).layer(axum::Extension(http::health::OpsListener))
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
