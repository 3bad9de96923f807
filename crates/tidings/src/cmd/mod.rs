//! One module per command. Each takes the effective configuration.

mod opml;
mod serve;
mod source;

use crate::cli::Command;
use crate::config::Config;
use anyhow::{Context, Result};
use tidings_store::{Store, StoreOptions};

pub async fn run(cmd: Command, config: Config) -> Result<()> {
    match cmd {
        Command::Serve(_) => serve::run(config).await,
        Command::Source(c) => source::run(c, &config).await,
        Command::Opml(c) => opml::run(c, &config).await,
        Command::Config => {
            print!("{}", config.to_toml_redacted()?);
            Ok(())
        }
    }
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
