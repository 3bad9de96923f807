//! One module per command. Each takes the effective configuration.

mod crawl;
mod extract;
mod opml;
mod serve;
mod source;
mod user;

use crate::cli::Command;
use crate::config::Config;
use anyhow::{Context, Result};
use tidings_store::{Store, StoreOptions};

pub async fn run(cmd: Command, config: Config) -> Result<()> {
    match cmd {
        Command::Serve(_) => serve::run(config).await,
        Command::Source(c) => source::run(c, &config).await,
        Command::Opml(c) => opml::run(c, &config).await,
        Command::Crawl(a) => crawl::run(a, config).await,
        Command::Extract(a) => extract::run(a, &config).await,
        Command::User(c) => user::run(c, &config).await,
        Command::Config => print_out(&config.to_toml_redacted()?),
    }
}

/// The pipeline for this process: the store, a fetcher with the configured
/// policy, and the crawl settings.
pub async fn pipeline(
    config: &Config,
    store: Store,
    node_id: &str,
) -> Result<tidings_pipeline::Pipeline> {
    let fetcher = tidings_fetch::Fetcher::new(config.fetch_policy())
        .context("cannot set up the HTTP client")?;
    let c = &config.crawl;
    let cfg = tidings_pipeline::PipelineConfig {
        node_id: node_id.to_string(),
        workers: usize::try_from(c.workers).unwrap_or(8),
        min_poll: std::time::Duration::from_secs(c.min_poll_interval_secs),
        max_poll: std::time::Duration::from_secs(c.max_poll_interval_secs),
        lease: std::time::Duration::from_secs(c.lease_secs),
        media_dir: Some(config.data_dir.join("media")),
        ..Default::default()
    };
    tidings_pipeline::Pipeline::new(store, fetcher, cfg).await
}

/// Open the database, creating the data dir for SQLite on first use.
pub async fn open_store(config: &Config) -> Result<Store> {
    let url = config.effective_database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
    }
    let opts = StoreOptions {
        max_connections: config.storage.max_connections,
        ..StoreOptions::default()
    };
    Store::open(&url, &opts).await.with_context(|| {
        format!(
            "cannot open the database {}",
            tidings_store::redact_url(&url)
        )
    })
}

/// Print to standard output; a reader that went away (`tidings … | head`) is
/// not an error.
pub fn print_out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
