//! All SQL of Tidings lives here. One API over two backends: SQLite (default,
//! one machine) and PostgreSQL (several nodes). Queries are written once with
//! `$1` placeholders and run through sqlx's `Any` driver; the few statements that
//! differ per backend branch on [`Backend`].
//!
//! Invariants: times are BIGINT unix milliseconds; flags are 0/1 integers;
//! every multi-row change is one transaction; a database error is never
//! reported as "not found".

mod ai;
mod articles;
mod comments;
mod copy;
mod entries;
mod error;
mod index_feed;
mod jobs;
mod media;
mod migrate;
mod nodes;
mod pages;
mod reader_apps;
mod readers;
mod recluster;
mod sources;
mod stories;
#[cfg(feature = "testing")]
pub mod testing;
mod users;

pub use articles::{
    ArticleCard, ArticleFilter, ArticleRow, Coverage, DupReason, IngestExtras, Ingested, NewArticle,
};
pub use comments::{
    COMMAND_LINE, CommentRow, CommentStatus, ModAction, ModLogEntry, NewComment, PostOutcome,
    ReportRow, Thread, ThreadLock,
};
pub use copy::TableCopy;
pub use entries::{EntriesOutcome, EntryRow, NewEntry};
pub use error::{StoreError, StoreErrorKind};
pub use index_feed::IndexRow;
pub use jobs::{ClaimedJob, Job, JobState, MAX_LEASE_EXPIRIES, NewJob};
pub use media::{MediaRow, MediaStatus};
pub use migrate::{MIGRATIONS_POSTGRES, MIGRATIONS_SQLITE, Migration};
pub use nodes::NodeInfo;
pub use pages::ArchivedPage;
pub use reader_apps::{AppArticle, IdPage};
pub use readers::{
    FollowedSource, FollowedStory, FollowedTopic, Follows, ItemState, MAX_LABEL_CHARS, MutedSource,
    NO_SUBSCRIBERS, PageState, PageTarget, READ_HORIZON_MS, ReaderItem, SourceUnread, Stream,
    StreamEntry, StreamQuery, Subscribed, UNREAD_COUNT_CAP, Watermarks,
};
pub use recluster::{ClusterableArticle, PlannedStory, ReclusterOutcome};
pub use sources::{NewSource, Source, SourceFetchUpdate, SourceRef};
pub use stories::{ClusterTx, StoryRow, UnclusteredArticle};
pub use users::{
    ApiToken, BackoffPolicy, BackoffState, Invitation, KNOWN_DEVICE_MS, KNOWN_DEVICES_PER_USER,
    LoginGate, NewUser, RegisterError, Role, SessionRow, User, UserAuth, account_backoff_key,
    pair_backoff_key,
};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections in the read pool (SQLite) or the whole pool (PostgreSQL).
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// Handle to the database. Cheap to clone.
///
/// SQLite allows one writer at a time, so writes go through a pool of exactly one
/// connection (no `SQLITE_BUSY` between our own connections) while reads use a
/// wider pool in WAL mode. On PostgreSQL both handles are the same pool.
#[derive(Clone, Debug)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// Alive while any clone of this store is: the SQLite checkpointer stops
    /// when it is gone.
    _alive: std::sync::Arc<()>,
}

/// How often the SQLite checkpointer copies committed pages into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

impl Store {
    /// Open (and for SQLite create) the database at `url` and apply pending migrations.
    pub async fn open(url: &str, opts: &StoreOptions) -> Result<Store> {
        let store = Self::connect(url, opts).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connect without migrating (used by tools that inspect a database).
    pub async fn connect(url: &str, opts: &StoreOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        };
        let connect_opts = AnyConnectOptions::from_str(url)
            .map_err(|e| StoreError::Connect(redact_url(url), e.to_string()))?;
        match backend {
            Backend::Sqlite => {
                let write = sqlite_pool(1, opts, true)
                    .connect_with(connect_opts.clone())
                    .await
                    .map_err(|e| StoreError::Connect(redact_url(url), e.to_string()))?;
                let read = sqlite_pool(opts.max_connections.max(1), opts, false)
                    .connect_with(connect_opts)
                    .await
                    .map_err(|e| StoreError::Connect(redact_url(url), e.to_string()))?;
                let alive = std::sync::Arc::new(());
                spawn_checkpointer(read.clone(), std::sync::Arc::downgrade(&alive));
                Ok(Store {
                    read,
                    write,
                    backend,
                    _alive: alive,
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(opts.max_connections.max(2))
                    .acquire_timeout(opts.acquire_timeout)
                    .connect_with(connect_opts)
                    .await
                    .map_err(|e| StoreError::Connect(redact_url(url), e.to_string()))?;
                Ok(Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                    _alive: std::sync::Arc::new(()),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    /// Close all connections; on SQLite this also checkpoints the WAL.
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            // Fold the WAL back into the main file so a copied database is complete.
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.write)
                .await;
        }
        self.read.close().await;
        self.write.close().await;
    }

    /// Start a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so a read-then-write transaction never deadlocks
    /// against another process.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }

    /// Bump a named counter inside a transaction and return its new value. On
    /// PostgreSQL the row lock holds until commit, so values become visible in
    /// the order they were handed out: a follower reading `> last` misses nothing.
    pub(crate) async fn next_counter(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        name: &str,
    ) -> Result<i64> {
        let v: i64 = sqlx::query_scalar(
            "UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value",
        )
        .bind(name)
        .fetch_one(&mut **tx)
        .await?;
        Ok(v)
    }

    /// Key/value site settings that belong in the UI.
    pub async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(tidings_core::now_ms())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Names of the user tables and their columns, sorted; used by the test that
    /// both backends produce the same schema, and by `migrate-db`.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String, String)>> {
        let rows: Vec<(String, String, String)> = match self.backend {
            Backend::Sqlite => {
                sqlx::query_as(
                    "SELECT m.name, p.name, lower(p.type) FROM sqlite_master m
                     JOIN pragma_table_info(m.name) p
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
                     ORDER BY m.name, p.name",
                )
                .fetch_all(&self.read)
                .await?
            }
            Backend::Postgres => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text, data_type::text
                     FROM information_schema.columns
                     WHERE table_schema = current_schema()
                     ORDER BY table_name, column_name",
                )
                .fetch_all(&self.read)
                .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(t, c, ty)| (t, c, normalise_type(&ty).to_string()))
            .collect())
    }
}

/// Map backend type names onto the four storage classes both schemas use.
fn normalise_type(ty: &str) -> &'static str {
    let t = ty.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("char") || t.contains("text") {
        "text"
    } else if t.contains("blob") || t.contains("bytea") {
        "blob"
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        "real"
    } else {
        "other"
    }
}

/// Copy committed WAL pages into the database file from a read connection,
/// beside the writer. Run by the writer's commits (SQLite's default), the
/// checkpoints held the single write connection: ~19% of its time in a crawl.
fn spawn_checkpointer(read: AnyPool, alive: std::sync::Weak<()>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(CHECKPOINT_EVERY).await;
            if alive.upgrade().is_none() || read.is_closed() {
                return;
            }
            // PASSIVE never blocks the writer or readers; what it cannot copy
            // now (pages a reader still needs) it copies next time.
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&read)
                .await
            {
                tracing::debug!("checkpoint: {e}");
            }
        }
    });
}

fn sqlite_pool(max: u32, opts: &StoreOptions, writer: bool) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(1)
        .acquire_timeout(opts.acquire_timeout)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if writer {
                    // The checkpointer keeps the WAL short; the writer's own
                    // checkpoints are a backstop at 40 MB.
                    conn.execute("PRAGMA wal_autocheckpoint = 10000;").await?;
                }
                // WAL lets readers run beside the writer; NORMAL sync is durable across
                // process crashes (kill -9) and only risks the last commits on power loss.
                // Memory-mapped reads: an article row spills its HTML and text into
                // overflow pages that a read of a later column walks; read through
                // syscalls, the related step's 400-row reads took ~26 ms each.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA mmap_size = 1073741824;",
                )
                .await?;
                Ok(())
            })
        })
}

/// Hide the password in a database URL before it reaches a log or an error.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Read a 0/1 flag column.
pub(crate) fn flag(v: i64) -> bool {
    v != 0
}

impl Store {
    /// Run a raw statement. For tests and maintenance tools only: product code
    /// uses the typed methods.
    #[doc(hidden)]
    pub async fn debug_execute(&self, sql: &str) -> Result<u64> {
        Ok(sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&self.write)
            .await?
            .rows_affected())
    }

    /// Run a raw query whose rows are one integer each. For tests and
    /// benchmark tools only, like [`Store::debug_execute`].
    #[doc(hidden)]
    pub async fn debug_query_ints(&self, sql: &str) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_all(&self.read)
            .await?)
    }
}

/// Rows read with `WHERE id IN (...)` come back in the database's order; put
/// them back in the order the caller listed the ids (ranked lists: related
/// articles and stories, search hits). Rows whose id is not listed go last.
fn in_order_of<T, K: Eq + std::hash::Hash>(rows: &mut [T], ids: &[K], key: impl Fn(&T) -> K) {
    let rank: std::collections::HashMap<&K, usize> =
        ids.iter().enumerate().map(|(i, k)| (k, i)).collect();
    rows.sort_by_key(|r| rank.get(&key(r)).copied().unwrap_or(usize::MAX));
}
