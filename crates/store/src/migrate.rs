//! Versioned migrations, one folder per backend, embedded in the binary and
//! applied at start. Each migration runs in its own transaction.

use crate::{Backend, Result, Store, StoreError};
use sqlx::Executor;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS_SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "job_lease_expiries",
        sql: include_str!("../migrations/sqlite/0002_job_lease_expiries.sql"),
    },
    Migration {
        version: 3,
        name: "story_keys",
        sql: include_str!("../migrations/sqlite/0003_story_keys.sql"),
    },
    Migration {
        version: 4,
        name: "job_claim_index",
        sql: include_str!("../migrations/sqlite/0004_job_claim_index.sql"),
    },
    Migration {
        version: 5,
        name: "article_image_media",
        sql: include_str!("../migrations/sqlite/0005_article_image_media.sql"),
    },
    Migration {
        version: 6,
        name: "search_related",
        sql: include_str!("../migrations/sqlite/0006_search_related.sql"),
    },
    Migration {
        version: 7,
        name: "accounts",
        sql: include_str!("../migrations/sqlite/0007_accounts.sql"),
    },
    Migration {
        version: 8,
        name: "media_files",
        sql: include_str!("../migrations/sqlite/0008_media_files.sql"),
    },
    Migration {
        version: 9,
        name: "clustered_keys",
        sql: include_str!("../migrations/sqlite/0009_clustered_keys.sql"),
    },
    Migration {
        version: 10,
        name: "article_vectors",
        sql: include_str!("../migrations/sqlite/0010_article_vectors.sql"),
    },
    Migration {
        version: 11,
        name: "login_backoff",
        sql: include_str!("../migrations/sqlite/0011_login_backoff.sql"),
    },
    Migration {
        version: 12,
        name: "extraction_rules",
        sql: include_str!("../migrations/sqlite/0012_extraction_rules.sql"),
    },
    Migration {
        version: 13,
        name: "source_profiles",
        sql: include_str!("../migrations/sqlite/0013_source_profiles.sql"),
    },
    Migration {
        version: 14,
        name: "readers",
        sql: include_str!("../migrations/sqlite/0014_readers.sql"),
    },
];

pub const MIGRATIONS_POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "job_lease_expiries",
        sql: include_str!("../migrations/postgres/0002_job_lease_expiries.sql"),
    },
    Migration {
        version: 3,
        name: "story_keys",
        sql: include_str!("../migrations/postgres/0003_story_keys.sql"),
    },
    Migration {
        version: 4,
        name: "job_claim_index",
        sql: include_str!("../migrations/postgres/0004_job_claim_index.sql"),
    },
    Migration {
        version: 5,
        name: "article_image_media",
        sql: include_str!("../migrations/postgres/0005_article_image_media.sql"),
    },
    Migration {
        version: 6,
        name: "search_related",
        sql: include_str!("../migrations/postgres/0006_search_related.sql"),
    },
    Migration {
        version: 7,
        name: "accounts",
        sql: include_str!("../migrations/postgres/0007_accounts.sql"),
    },
    Migration {
        version: 8,
        name: "media_files",
        sql: include_str!("../migrations/postgres/0008_media_files.sql"),
    },
    Migration {
        version: 9,
        name: "clustered_keys",
        sql: include_str!("../migrations/postgres/0009_clustered_keys.sql"),
    },
    Migration {
        version: 10,
        name: "article_vectors",
        sql: include_str!("../migrations/postgres/0010_article_vectors.sql"),
    },
    Migration {
        version: 11,
        name: "login_backoff",
        sql: include_str!("../migrations/postgres/0011_login_backoff.sql"),
    },
    Migration {
        version: 12,
        name: "extraction_rules",
        sql: include_str!("../migrations/postgres/0012_extraction_rules.sql"),
    },
    Migration {
        version: 13,
        name: "source_profiles",
        sql: include_str!("../migrations/postgres/0013_source_profiles.sql"),
    },
    Migration {
        version: 14,
        name: "readers",
        sql: include_str!("../migrations/postgres/0014_readers.sql"),
    },
];

impl Store {
    pub fn migrations(&self) -> &'static [Migration] {
        match self.backend {
            Backend::Sqlite => MIGRATIONS_SQLITE,
            Backend::Postgres => MIGRATIONS_POSTGRES,
        }
    }

    /// Apply every migration the database has not seen yet.
    pub async fn migrate(&self) -> Result<()> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL)",
        )
        .execute(&self.write)
        .await?;
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            // Several nodes may start at once: one applies, the others wait here.
            sqlx::query("SELECT pg_advisory_xact_lock(7403155)")
                .execute(&mut *tx)
                .await?;
        }
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(&mut *tx)
            .await?;
        let applied = applied.unwrap_or(0);
        let known = self.migrations().last().map_or(0, |m| m.version);
        if applied > known {
            return Err(StoreError::TooNew(applied));
        }
        for m in self.migrations().iter().filter(|m| m.version > applied) {
            tracing::info!(version = m.version, name = m.name, "applying migration");
            (&mut *tx)
                .execute(m.sql)
                .await
                .map_err(|source| StoreError::Migration {
                    version: m.version,
                    name: m.name,
                    source,
                })?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(tidings_core::now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
