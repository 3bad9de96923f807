/// Everything that can go wrong in the store. Callers map these to user-facing
/// messages in one place; a database failure is never turned into "not found".
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: use sqlite:PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot connect to database `{0}`: {1}")]
    Connect(String, String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "the database has migration {0}, newer than this build of Tidings knows; upgrade Tidings"
    )]
    TooNew(i64),
    #[error("{0} already exists")]
    Duplicate(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("invalid data in the database: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// True when a unique constraint refused the write.
    pub fn is_unique_violation(err: &sqlx::Error) -> bool {
        match err {
            sqlx::Error::Database(db) => db.is_unique_violation(),
            _ => false,
        }
    }
}
