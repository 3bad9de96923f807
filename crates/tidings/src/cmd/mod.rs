//! One module per command. Each takes the effective configuration.

mod crawl;
mod extract;
mod migrate;
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
        Command::MigrateDb(a) => migrate::run(a).await,
        Command::Reindex => reindex(&config).await,
        Command::Recluster => recluster(&config).await,
        Command::Reextract { source } => source::reextract(source.as_deref(), &config).await,
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
        cpu_budget: std::time::Duration::from_secs(c.cpu_budget_secs),
        keep_pages: c.keep_pages_days > 0,
        ..Default::default()
    };
    tidings_pipeline::Pipeline::new(store, fetcher, cfg).await
}

/// This node's search index (in the data dir), with the writer that follows
/// the database, unless another process on this data dir already owns it.
pub fn open_search(
    config: &Config,
    store: &Store,
) -> Result<(
    tidings_search::SearchIndex,
    Option<tidings_pipeline::index::IndexFollower>,
)> {
    let dir = config.data_dir.join("search");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let (index, state) = tidings_search::SearchIndex::open(&dir)
        .with_context(|| format!("cannot open the search index in {}", dir.display()))?;
    let catching_up = match &state {
        tidings_search::OpenState::Fresh => true,
        tidings_search::OpenState::Rebuilt { reason } => {
            tracing::warn!(
                "the search index was unusable ({reason}); rebuilding it from the database"
            );
            true
        }
        tidings_search::OpenState::Existing { .. } => false,
    };
    let follower =
        tidings_pipeline::index::IndexFollower::new(store.clone(), index.clone(), catching_up);
    Ok((index, Some(follower)))
}

/// Open the database, creating the data dir for SQLite on first use.
pub async fn open_store(config: &Config) -> Result<Store> {
    let url = config.effective_database_url();
    if url.starts_with("sqlite:") {
        private_dir(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                config.data_dir.display()
            )
        })?;
        if let Some(db) = sqlite_path(&url) {
            private_db_file(&db)
                .with_context(|| format!("cannot create the database file {}", db.display()))?;
        }
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

/// The file of a `sqlite:` URL (`sqlite://PATH?…` or `sqlite:PATH`).
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| std::path::PathBuf::from(path))
}

/// The data directory holds the database, sessions' hashes and cached media:
/// it is created 0700, and an existing one readable by others is made private.
fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        make_private(dir, std::fs::metadata(dir)?.permissions().mode())?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Create the SQLite file 0600 before SQLite does (it would use 0644; its WAL
/// and shared-memory files copy the database file's mode), and make an
/// existing one readable by others private.
fn private_db_file(db: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(db)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            let path = std::path::PathBuf::from(name);
            if let Ok(meta) = std::fs::metadata(&path) {
                make_private(&path, meta.permissions().mode())?;
            }
        }
    }
    let _ = db;
    Ok(())
}

/// Drop the group and other permission bits of `path` when it has any.
#[cfg(unix)]
fn make_private(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))?;
        tracing::warn!(
            "{} was readable by other users (mode {:o}); made it private",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
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

/// `tidings reindex`: drop this node's search index and build it again.
/// `tidings recluster`: rebuild every story, with a progress bar per phase.
async fn recluster(config: &Config) -> Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    use tidings_pipeline::cluster::ReclusterPhase;
    let store = open_store(config).await?;
    let result = async {
        let pipeline = pipeline(config, store.clone(), "recluster").await?;
        let pb = ProgressBar::new(0);
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg:<11} {bar:40} {pos}/{len} {per_sec} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let phase = std::sync::Mutex::new(None);
        let r = pipeline
            .recluster(&|p, done, total| {
                if let Ok(mut current) = phase.lock()
                    && *current != Some(p)
                {
                    *current = Some(p);
                    pb.reset();
                    pb.set_message(match p {
                        ReclusterPhase::Reading => "reading",
                        ReclusterPhase::Clustering => "clustering",
                        ReclusterPhase::Writing => "writing",
                    });
                }
                pb.set_length(total);
                pb.set_position(done);
            })
            .await
            .context("re-clustering failed; the stories are as they were")?;
        pb.finish_and_clear();
        let o = &r.outcome;
        print_out(&format!(
            "re-clustered {} articles: {} stories before, {} now ({} with 2+ articles, largest {}, {} digests kept apart); \
             {} kept their id, {} new, {} removed, {} comments moved{}\n",
            r.articles,
            r.stories_before,
            r.stories,
            r.multi,
            r.largest,
            r.digests,
            o.stories_kept,
            o.stories_created,
            o.stories_deleted,
            o.comments_moved,
            if r.unreadable > 0 {
                format!("; {} articles with unreadable features left for the pipeline", r.unreadable)
            } else {
                String::new()
            }
        ))
    }
    .await;
    store.close().await;
    result
}

async fn reindex(config: &Config) -> Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    let store = open_store(config).await?;
    let (_index, follower) = open_search(config, &store)?;
    let follower = follower.context("no search index")?;
    let total = store.article_change_seq().await?;
    let pb = ProgressBar::new(u64::try_from(total).unwrap_or(0));
    pb.set_style(
        ProgressStyle::with_template("{spinner} indexing {bar:40} {pos} changes {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let n = follower
        .rebuild(&|done, _target| pb.set_position(done))
        .await
        .context(
            "reindexing failed (is `tidings serve` running on this data dir? stop it first)",
        )?;
    pb.finish_and_clear();
    store.close().await;
    print_out(&format!("indexed {n} articles\n"))
}
