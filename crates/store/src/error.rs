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

/// What a store error means for whoever asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// The thing asked for does not exist.
    NotFound,
    /// It exists already.
    Duplicate,
    /// The database cannot answer now (down, unreachable, out of connections,
    /// busy, shutting down): worth trying again shortly.
    Unavailable,
    /// Anything else: a bug, a schema or data problem.
    Internal,
}

impl StoreError {
    /// What this error means, read from sqlx's error variants and the
    /// database's own error codes (never from message text).
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            StoreError::NotFound(_) => StoreErrorKind::NotFound,
            StoreError::Duplicate(_) => StoreErrorKind::Duplicate,
            StoreError::Connect(..) => StoreErrorKind::Unavailable,
            StoreError::Database(e) if unavailable(e) => StoreErrorKind::Unavailable,
            _ => StoreErrorKind::Internal,
        }
    }

    /// True when a unique constraint refused the write.
    pub fn is_unique_violation(err: &sqlx::Error) -> bool {
        match err {
            sqlx::Error::Database(db) => db.is_unique_violation(),
            _ => false,
        }
    }
}

/// sqlx errors that mean "the database cannot answer now".
fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| unavailable_code(&c)),
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs (class 08 connection exceptions, 53 insufficient
/// resources, 57P01-57P03 shutdown / cannot connect now, 55000 which is what a
/// connection attempt gets while the database refuses connections for
/// maintenance, 40001 and 40P01 serialization failure and deadlock, which a
/// retry resolves) and SQLite's
/// primary result codes SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their
/// extended codes (the low byte).
fn unavailable_code(code: &str) -> bool {
    if code.starts_with("08") || code.starts_with("53") {
        return true;
    }
    if matches!(
        code,
        "57P01" | "57P02" | "57P03" | "55000" | "40001" | "40P01"
    ) {
        return true;
    }
    // SQLite's codes are numbers of at most four digits; SQLSTATEs have five
    // characters (some all digits, such as 42501, whose low byte is 5).
    code.len() <= 4 && code.parse::<i64>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_variants_and_codes() {
        assert_eq!(
            StoreError::NotFound("x".into()).kind(),
            StoreErrorKind::NotFound
        );
        assert_eq!(
            StoreError::Duplicate("x".into()).kind(),
            StoreErrorKind::Duplicate
        );
        assert_eq!(
            StoreError::Connect("u".into(), "refused".into()).kind(),
            StoreErrorKind::Unavailable
        );
        assert_eq!(
            StoreError::Database(sqlx::Error::PoolTimedOut).kind(),
            StoreErrorKind::Unavailable
        );
        assert_eq!(
            StoreError::Database(sqlx::Error::RowNotFound).kind(),
            StoreErrorKind::Internal,
            "a query that expected a row is a bug, not a missing page"
        );
        // A message that merely mentions a connection does not make it one.
        assert_eq!(
            StoreError::Corrupt("connection closed".into()).kind(),
            StoreErrorKind::Internal
        );
        for c in ["08006", "57P01", "55000", "53300", "40001", "5", "517", "6"] {
            assert!(unavailable_code(c), "{c}");
        }
        for c in ["23505", "42P01", "42501", "1", "19", "2067"] {
            assert!(!unavailable_code(c), "{c}");
        }
    }
}
