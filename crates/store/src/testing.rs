//! Test support: a fresh database on every backend the environment offers.
//!
//! SQLite (a temp file) always. PostgreSQL when `TIDINGS_TEST_PG_URL` points at
//! a server where the user may create databases; each test gets its own
//! database. With `TIDINGS_TEST_REQUIRE_PG=1`, a missing or unreachable
//! PostgreSQL fails the test instead of skipping that backend.

#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use crate::{Store, StoreOptions};
use sqlx::Connection;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct TestDb {
    pub store: Store,
    pub url: String,
    pub backend_name: &'static str,
    _dir: Option<tempfile::TempDir>,
}

pub fn pg_required() -> bool {
    std::env::var("TIDINGS_TEST_REQUIRE_PG").is_ok_and(|v| v == "1" || v == "true")
}

pub fn pg_admin_url() -> Option<String> {
    match std::env::var("TIDINGS_TEST_PG_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            assert!(
                !pg_required(),
                "TIDINGS_TEST_REQUIRE_PG=1 but TIDINGS_TEST_PG_URL is not set"
            );
            None
        }
    }
}

/// A fresh SQLite database in a temp dir.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let store = Store::open(&url, &StoreOptions::default())
        .await
        .expect("open sqlite");
    TestDb {
        store,
        url,
        backend_name: "sqlite",
        _dir: Some(dir),
    }
}

/// A URL for a fresh, empty PostgreSQL database (created now), or None when
/// PostgreSQL is not configured.
pub async fn fresh_pg_url() -> Option<String> {
    static N: AtomicU64 = AtomicU64::new(0);
    let admin = pg_admin_url()?;
    sqlx::any::install_default_drivers();
    let mut conn = match sqlx::AnyConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => {
            assert!(!pg_required(), "cannot reach PostgreSQL at {admin}: {e}");
            eprintln!("skipping PostgreSQL: {e}");
            return None;
        }
    };
    let name = format!(
        "tidings_t{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        tidings_core::now_ms() % 1_000_000
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let _ = conn.close().await;
    let mut url = url::Url::parse(&admin).expect("TIDINGS_TEST_PG_URL is a URL");
    url.set_path(&format!("/{name}"));
    Some(url.to_string())
}

pub async fn postgres() -> Option<TestDb> {
    let url = fresh_pg_url().await?;
    let store = Store::open(&url, &StoreOptions::default())
        .await
        .expect("open postgres");
    Some(TestDb {
        store,
        url,
        backend_name: "postgres",
        _dir: None,
    })
}

/// One fresh database per available backend.
pub async fn all() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        v.push(pg);
    }
    v
}
