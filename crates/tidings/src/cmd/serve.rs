//! `tidings serve`: the web server plus background upkeep, with graceful
//! shutdown on SIGINT/SIGTERM (in-flight requests finish, claimed jobs are
//! released, the database closes cleanly).

use crate::config::Config;
use anyhow::{Context, Result};
use std::time::Duration;
use tidings_store::Store;
use tokio::sync::watch;

/// How long a claimed job stays ours without a heartbeat.
pub const LEASE_MS: i64 = 60_000;
const UPKEEP_EVERY: Duration = Duration::from_secs(10);

pub async fn run(config: Config) -> Result<()> {
    use crate::cli::Role;
    let node_id = node_id();
    let role = match config.role {
        // --no-crawl keeps its meaning: this process serves only.
        Role::All if !config.crawl.enabled => Role::Web,
        r => r,
    };
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
        .add_global_label("node", node_id.clone())
        .add_global_label("role", role.as_str())
        .install_recorder()
        .context("cannot install the metrics recorder")?;
    let span = tracing::info_span!("node", id = %node_id, role = role.as_str());
    tracing::Instrument::instrument(serve(config, node_id, role, metrics, span.clone()), span).await
}

async fn serve(
    config: Config,
    node_id: String,
    role: crate::cli::Role,
    metrics: metrics_exporter_prometheus::PrometheusHandle,
    span: tracing::Span,
) -> Result<()> {
    use crate::cli::Role;
    let store = super::open_store(&config).await?;
    let role_name = role.as_str();
    store
        .register_node(
            &node_id,
            role_name,
            &hostname(),
            i64::from(std::process::id()),
        )
        .await?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (config key `listen`)", config.listen))?;
    let addr = listener.local_addr()?;
    let ops_listener = match config.ops.listen.as_str() {
        "" => None,
        a => {
            let l = tokio::net::TcpListener::bind(a)
                .await
                .with_context(|| format!("cannot listen on {a} (config key `ops.listen`)"))?;
            tracing::info!("operators' endpoints on http://{}", l.local_addr()?);
            Some(l)
        }
    };
    tracing::info!(
        node = %node_id,
        backend = store.backend().name(),
        data_dir = %config.data_dir.display(),
        "Tidings is listening on http://{addr}"
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let keep_pages_ms = i64::try_from(config.crawl.keep_pages_days)
        .unwrap_or(i64::MAX / 86_400_000)
        .saturating_mul(86_400_000);
    let upkeep = tokio::spawn(upkeep(
        store.clone(),
        node_id.clone(),
        keep_pages_ms,
        stop_rx.clone(),
    ));
    // Every node keeps its own search index, following the database.
    let (index, follower) = super::open_search(&config, &store)?;
    let catching_up = follower
        .as_ref()
        .map(|f| f.catching_up.clone())
        .unwrap_or_default();
    let indexer = follower.map(|f| {
        let rx = stop_rx.clone();
        tokio::spawn(tracing::Instrument::instrument(f.run(rx), span.clone()))
    });
    let crawler = if role != Role::Web {
        tracing::info!("crawler enabled ({} workers)", config.crawl.workers);
        let pipeline = super::pipeline(&config, store.clone(), &node_id)
            .await?
            .with_search(index.clone());
        Some(spawn_crawler(pipeline, stop_rx.clone(), span.clone())?)
    } else {
        tracing::info!("crawler disabled (role web)");
        None
    };

    let web_config = tidings_web::WebConfig {
        site_name: config.site.name.clone(),
        base_url: (!config.site.base_url.is_empty()).then(|| config.site.base_url.clone()),
        allowed_hosts: config.site.allowed_hosts.clone(),
        node_id: node_id.clone(),
        role: role.as_str().to_string(),
        accounts: config.web_accounts(),
        comments: config.web_comments(),
        api: config.web_api(),
        media_dir: Some(config.data_dir.join("media")),
        ai: ai_config(&config)?,
        ops_token: (!config.ops.token.is_empty()).then(|| config.ops.token.clone()),
        ..Default::default()
    };
    let state = tidings_web::AppState::with_search(
        store.clone(),
        web_config,
        Some(metrics),
        index,
        catching_up,
    );
    let precompute = (role != Role::Crawler && config.ai.precompute_top_stories > 0).then(|| {
        tokio::spawn(tidings_web::services::ai::precompute_loop(
            state.clone(),
            config.ai.precompute_top_stories as usize,
            std::time::Duration::from_secs(300),
            stop_rx.clone(),
        ))
    });
    let ops_app = ops_listener
        .is_some()
        .then(|| tidings_web::ops_listener_router(state.clone()));
    let app = if role == Role::Crawler {
        tidings_web::ops_router(state)
    } else {
        tidings_web::router(state)
    };
    if let (Some(ops), Some(app)) = (ops_listener, ops_app) {
        let mut shutdown_rx = stop_rx.clone();
        tokio::spawn(async move {
            let stop = async move {
                let _ = shutdown_rx.wait_for(|s| *s).await;
            };
            if let Err(e) = tidings_web::serve(ops, app, stop).await {
                tracing::error!("the operators' listener failed: {e}");
            }
        });
    }
    let mut shutdown_rx = stop_rx.clone();
    let server = tidings_web::serve(listener, app, async move {
        let _ = shutdown_rx.wait_for(|s| *s).await;
    });
    tokio::pin!(server);

    let result = tokio::select! {
        r = &mut server => r.context("web server failed"),
        sig = shutdown_signal() => {
            tracing::info!("{sig}: shutting down; waiting for in-flight requests");
            let _ = stop_tx.send(true);
            server.await.context("web server failed during shutdown")
        }
    };
    let _ = stop_tx.send(true);
    let _ = upkeep.await;
    // Work ahead of readers can be dropped: what finished is cached.
    if let Some(p) = precompute {
        p.abort();
    }
    if let Some(i) = indexer {
        match i.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("search indexing stopped with an error: {e:#}"),
            Err(e) => tracing::warn!("search indexing task failed: {e}"),
        }
    }
    // The crawler's runtime outlives its work until the store is closed: database
    // connections it opened belong to its IO driver.
    let mut crawler_runtime = None;
    if let Some(c) = crawler {
        match c.await {
            Ok((Ok(()), rt)) => crawler_runtime = Some(rt),
            // Logged by the crawler thread when it happened.
            Ok((Err(_), rt)) => crawler_runtime = Some(rt),
            Err(_) => tracing::warn!("the crawler thread ended without a result"),
        }
    }

    match store.release_node_jobs(&node_id).await {
        Ok(n) if n > 0 => tracing::info!("released {n} claimed jobs"),
        Ok(_) => {}
        Err(e) => tracing::warn!("could not release claimed jobs: {e}"),
    }
    if let Err(e) = store.unregister_node(&node_id).await {
        tracing::warn!("could not unregister node: {e}");
    }
    store.close().await;
    if let Some(rt) = crawler_runtime {
        rt.shutdown_background();
    }
    tracing::info!("stopped");
    result
}

/// What the crawler thread hands back: how its run ended, and its runtime.
type CrawlerDone = tokio::sync::oneshot::Receiver<(Result<()>, tokio::runtime::Runtime)>;

/// Run the crawler on its own runtime and threads. Everything it does with
/// publishers' data (fetching, parsing, extracting, decoding) then competes with
/// the website only for cores, which the kernel shares fairly, never for the
/// serving runtime's workers: a hostile feed cannot make `/livez` wait.
fn spawn_crawler(
    pipeline: tidings_pipeline::Pipeline,
    stop: watch::Receiver<bool>,
    span: tracing::Span,
) -> Result<CrawlerDone> {
    let workers = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("tidings-crawler")
        .enable_all()
        .build()
        .context("cannot start the crawler's runtime")?;
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("tidings-crawler".into())
        .spawn(move || {
            let run = tracing::Instrument::instrument(pipeline.run(stop, true), span.clone());
            let result = runtime.block_on(run);
            if let Err(e) = &result {
                span.in_scope(|| tracing::error!("the crawler stopped: {e:#}"));
            }
            let _ = done_tx.send((result, runtime));
        })
        .context("cannot start the crawler thread")?;
    Ok(done_rx)
}

/// Heartbeat, lease renewal and recovery of work left by dead processes;
/// once an hour, expired sessions, rate-limit windows, login backoffs and
/// known devices are forgotten.
async fn upkeep(
    store: Store,
    node_id: String,
    keep_pages_ms: i64,
    mut stop: watch::Receiver<bool>,
) {
    const PRUNE_EVERY_MS: i64 = 3_600_000;
    let mut pruned_at = 0_i64;
    loop {
        if let Err(e) = store.heartbeat_node(&node_id).await {
            tracing::warn!("heartbeat failed: {e}");
        }
        if let Err(e) = store.extend_leases(&node_id, LEASE_MS).await {
            tracing::warn!("lease renewal failed: {e}");
        }
        match store.release_expired_jobs().await {
            Ok(n) if n > 0 => tracing::info!("recovered {n} jobs from workers that died"),
            Ok(_) => {}
            Err(e) => tracing::warn!("job recovery failed: {e}"),
        }
        let _ = store.prune_nodes(10 * 60_000).await;
        let now = tidings_core::Timestamp::now();
        if now.0.saturating_sub(pruned_at) >= PRUNE_EVERY_MS {
            pruned_at = now.0;
            if let Err(e) = store.prune_sessions(now).await {
                tracing::warn!("pruning sessions and login counters failed: {e}");
            }
            // Kept pages past `crawl.keep_pages_days`; rule previews after a day.
            if let Err(e) = store.prune_article_pages(now.plus_ms(-keep_pages_ms)).await {
                tracing::warn!("pruning kept pages failed: {e}");
            }
            if let Err(e) = store.prune_rule_previews(now.plus_ms(-86_400_000)).await {
                tracing::warn!("pruning rule previews failed: {e}");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(UPKEEP_EVERY) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

pub async fn shutdown_signal() -> &'static str {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
        "SIGTERM"
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<&'static str>();
    tokio::select! {
        s = ctrl_c => s,
        s = term => s,
    }
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// `name-pid-xxxx`, unique per process (it owns job leases: a restarted
/// process must not take over the leases of the one that died), readable in
/// logs, `/healthz` and metrics. `name` is `TIDINGS_NODE_ID`, else the host name.
pub fn node_id() -> String {
    let name = std::env::var("TIDINGS_NODE_ID")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(hostname);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{name}-{}-{:04x}", std::process::id(), nanos & 0xffff)
}

/// The AI features as configured; a model that cannot be set up stops start-up.
fn ai_config(config: &Config) -> Result<tidings_web::services::ai::AiConfig> {
    let ai = &config.ai;
    let model = match ai.provider.as_str() {
        "openai" => {
            let mut c = tidings_ai::OpenAiConfig::new(ai.base_url.clone(), ai.model.clone());
            c.api_key = (!ai.api_key.is_empty()).then(|| ai.api_key.clone());
            c.timeout = std::time::Duration::from_secs(ai.timeout_secs);
            c.stream_total_timeout = c.stream_total_timeout.max(c.timeout);
            let p = tidings_ai::OpenAiCompatible::new(c).map_err(|e| {
                anyhow::anyhow!(
                    "config key `ai.base_url` = `{}` is unusable: {e}",
                    ai.base_url
                )
            })?;
            tracing::info!(model = %ai.model, "AI features use an OpenAI-compatible model");
            Some(tidings_ai::AnyProvider::OpenAi(p))
        }
        _ => None,
    };
    Ok(tidings_web::services::ai::AiConfig {
        model,
        max_concurrent: ai.max_concurrent as usize,
        ask_per_minute: ai.ask_per_minute,
        translate_per_minute: ai.translate_per_minute,
        translate_languages: ai.translate_languages.clone(),
    })
}
