//! The storage suite: every test runs on temp-file SQLite and, when
//! `TIDINGS_TEST_PG_URL` is set, on a fresh PostgreSQL database too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashSet;
use tidings_core::{CanonicalUrl, DisplayPolicy, SourceKind, now_ms};
use tidings_store::testing::{self, TestDb};
use tidings_store::{
    Backend, JobState, NewArticle, NewJob, NewSource, SourceRef, Store, StoreError, StoreOptions,
};

fn src(url: &str) -> NewSource {
    NewSource {
        url: CanonicalUrl::parse(url).unwrap(),
        kind: SourceKind::Feed,
        name: None,
        site_url: None,
        display: DisplayPolicy::Excerpt,
        profile: Default::default(),
    }
}

fn article(source: tidings_core::SourceId, url: &str, title: &str) -> NewArticle {
    NewArticle {
        source_id: Some(source),
        url: Some(CanonicalUrl::parse(url).unwrap()),
        original_url: url.to_string(),
        title: title.to_string(),
        text: "Body text of the article.".into(),
        authors: vec!["Ada Lovelace".into()],
        ..Default::default()
    }
}

/// Run `f` once per backend. It borrows the database so the temp dir outlives it.
async fn each_backend(f: impl AsyncFn(&TestDb)) {
    for db in testing::all().await {
        eprintln!("-- backend {}", db.backend_name);
        f(&db).await;
    }
}

#[tokio::test]
async fn both_backends_have_the_same_schema() {
    let sqlite = testing::sqlite().await;
    let Some(pg) = testing::postgres().await else {
        eprintln!("PostgreSQL not configured; schema comparison skipped");
        return;
    };
    let a = sqlite.store.schema_columns().await.unwrap();
    let b = pg.store.schema_columns().await.unwrap();
    assert!(
        a.len() > 100,
        "expected the full schema, got {} columns",
        a.len()
    );
    let sa: HashSet<_> = a.iter().collect();
    let sb: HashSet<_> = b.iter().collect();
    let only_sqlite: Vec<_> = sa.difference(&sb).collect();
    let only_pg: Vec<_> = sb.difference(&sa).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "schemas differ\nonly in sqlite: {only_sqlite:?}\nonly in postgres: {only_pg:?}"
    );
}

#[tokio::test]
async fn migrations_are_idempotent_and_reopen_cleanly() {
    each_backend(async |db| {
        // A second open applies nothing and keeps the data.
        db.store
            .add_source(&src("https://example.com/feed"))
            .await
            .unwrap();
        db.store.close().await;
        let again = Store::open(&db.url, &StoreOptions::default())
            .await
            .unwrap();
        assert_eq!(again.list_sources().await.unwrap().len(), 1);
        again.migrate().await.unwrap();
        again.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn sources_add_list_remove() {
    each_backend(async |db| {
        let s = &db.store;
        let a = s
            .add_source(&src("https://example.com/feed.xml?utm_source=x"))
            .await
            .unwrap();
        assert_eq!(a.url, "https://example.com/feed.xml");
        assert_eq!(a.display, DisplayPolicy::Excerpt);
        assert!(a.enabled);
        assert_eq!(a.status().as_str(), "new");
        assert_eq!(a.display_name(), "example.com");

        let mut named = src("https://other.example/rss");
        named.name = Some("Other News".into());
        named.display = DisplayPolicy::Full;
        let b = s.add_source(&named).await.unwrap();
        assert_eq!(b.display_name(), "Other News");
        assert_eq!(b.display, DisplayPolicy::Full);

        // Duplicate is a clear error, not a second row.
        let dup = s
            .add_source(&src("https://example.com/feed.xml#frag"))
            .await;
        assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
        assert_eq!(s.list_sources().await.unwrap().len(), 2);

        // Article counts come with the list.
        s.insert_article(&article(a.id, "https://example.com/a1", "One"))
            .await
            .unwrap();
        s.insert_article(&article(a.id, "https://example.com/a2", "Two"))
            .await
            .unwrap();
        let list = s.list_sources().await.unwrap();
        assert_eq!(list[0].article_count, 2);
        assert_eq!(list[1].article_count, 0);

        // Remove by URL and by id; articles go with their source.
        let removed = s
            .remove_source(&SourceRef::Url(
                CanonicalUrl::parse("https://example.com/feed.xml").unwrap(),
            ))
            .await
            .unwrap();
        assert_eq!(removed.id, a.id);
        assert_eq!(s.count_articles().await.unwrap(), 0);
        s.remove_source(&SourceRef::Id(b.id)).await.unwrap();
        let missing = s.remove_source(&SourceRef::Id(b.id)).await;
        assert!(
            matches!(missing, Err(StoreError::NotFound(_))),
            "{missing:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn batch_add_is_all_or_nothing() {
    each_backend(async |db| {
        let s = &db.store;
        s.add_source(&src("https://a.example/feed")).await.unwrap();
        let batch = vec![
            src("https://b.example/feed"),
            src("https://a.example/feed"),
            src("https://c.example/feed"),
        ];
        let err = s.add_sources(&batch, false).await;
        assert!(matches!(err, Err(StoreError::Duplicate(_))));
        assert_eq!(
            s.list_sources().await.unwrap().len(),
            1,
            "nothing half-written"
        );

        let ids = s.add_sources(&batch, true).await.unwrap();
        assert_eq!(ids.iter().filter(|i| i.is_some()).count(), 2);
        assert!(ids[1].is_none());
        assert_eq!(s.list_sources().await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn source_settings_and_fetch_state() {
    each_backend(async |db| {
        let s = &db.store;
        let a = s.add_source(&src("https://a.example/feed")).await.unwrap();
        assert_eq!(s.due_sources(now_ms(), 10).await.unwrap().len(), 1);
        let upd = tidings_store::SourceFetchUpdate {
            status: Some(200),
            etag: Some("\"abc\"".into()),
            title: Some("A News".into()),
            next_fetch_at: now_ms() + 60_000,
            fetch_interval_ms: 60_000,
            new_items: true,
            ..Default::default()
        };
        s.record_fetch(a.id, &upd).await.unwrap();
        let a2 = s.source(a.id).await.unwrap().unwrap();
        assert_eq!(a2.etag.as_deref(), Some("\"abc\""));
        assert_eq!(a2.display_name(), "A News");
        assert_eq!(a2.status().as_str(), "ok");
        assert!(s.due_sources(now_ms(), 10).await.unwrap().is_empty());

        let err = tidings_store::SourceFetchUpdate {
            status: Some(410),
            error: Some("410 Gone".into()),
            disable: Some("the feed is gone (HTTP 410)".into()),
            next_fetch_at: now_ms(),
            fetch_interval_ms: 60_000,
            ..Default::default()
        };
        s.record_fetch(a.id, &err).await.unwrap();
        let a3 = s.source(a.id).await.unwrap().unwrap();
        assert!(!a3.enabled);
        assert_eq!(a3.status().as_str(), "disabled");
        assert_eq!(a3.error_count, 1);
        assert_eq!(
            a3.etag.as_deref(),
            Some("\"abc\""),
            "errors keep validators"
        );
        assert!(
            s.due_sources(now_ms() + 1, 10).await.unwrap().is_empty(),
            "disabled is never due"
        );

        s.update_source_settings(
            a.id,
            Some(Some("Renamed")),
            Some(DisplayPolicy::Full),
            Some(true),
        )
        .await
        .unwrap();
        let a4 = s.source(a.id).await.unwrap().unwrap();
        assert!(a4.enabled && a4.error_count == 0 && a4.disabled_reason.is_none());
        assert_eq!(a4.display, DisplayPolicy::Full);
        assert_eq!(a4.display_name(), "Renamed");
        let missing = s
            .update_source_settings(tidings_core::SourceId(999), None, None, Some(true))
            .await;
        assert!(matches!(missing, Err(StoreError::NotFound(_))));
    })
    .await;
}

#[tokio::test]
async fn a_display_change_sends_the_sources_articles_to_the_index_again() {
    each_backend(async |db| {
        let s = &db.store;
        let a = s.add_source(&src("https://a.example/feed")).await.unwrap();
        let b = s.add_source(&src("https://b.example/feed")).await.unwrap();
        for n in 0..3 {
            s.insert_article(&article(a.id, &format!("https://a.example/{n}"), "A"))
                .await
                .unwrap();
        }
        s.insert_article(&article(b.id, "https://b.example/0", "B"))
            .await
            .unwrap();
        let seen = s.article_change_seq().await.unwrap();
        assert!(
            s.articles_changed_since(seen, 100)
                .await
                .unwrap()
                .is_empty()
        );
        // The same policy again changes nothing.
        s.update_source_settings(a.id, None, Some(DisplayPolicy::Excerpt), None)
            .await
            .unwrap();
        assert!(
            s.articles_changed_since(seen, 100)
                .await
                .unwrap()
                .is_empty()
        );
        s.update_source_settings(a.id, None, Some(DisplayPolicy::Full), None)
            .await
            .unwrap();
        let changed = s.articles_changed_since(seen, 100).await.unwrap();
        assert_eq!(
            changed.len(),
            3,
            "every article of the source, none of the other"
        );
        assert!(changed.iter().all(|r| r.display == DisplayPolicy::Full));
        let seqs: std::collections::HashSet<i64> = changed.iter().map(|r| r.change_seq).collect();
        assert_eq!(seqs.len(), 3, "each with its own change number");
        // Paged one at a time, the follower still sees all three.
        let mut after = seen;
        let mut paged = 0;
        while let Some(r) = s.articles_changed_since(after, 1).await.unwrap().pop() {
            after = r.change_seq;
            paged += 1;
        }
        assert_eq!(paged, 3);
        // Later changes still get higher numbers.
        s.insert_article(&article(b.id, "https://b.example/1", "B2"))
            .await
            .unwrap();
        assert_eq!(s.articles_changed_since(after, 10).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn articles_round_trip_and_page() {
    each_backend(async |db| {
        let s = &db.store;
        let src = s.add_source(&src("https://a.example/feed")).await.unwrap();
        let mut ids = vec![];
        for i in 0..5 {
            let mut a = article(
                src.id,
                &format!("https://a.example/{i}?utm_medium=rss"),
                &format!("Title {i}"),
            );
            a.tags = vec!["x".into(), format!("t{i}")];
            a.published_at = Some(1_700_000_000_000 + i);
            ids.push(s.insert_article(&a).await.unwrap());
        }
        let dup = s
            .insert_article(&article(src.id, "https://a.example/0", "again"))
            .await;
        assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");

        let full = s.article(ids[2]).await.unwrap().unwrap();
        assert_eq!(full.url, "https://a.example/2");
        assert_eq!(full.tags, vec!["x".to_string(), "t2".to_string()]);
        assert_eq!(full.authors, vec!["Ada Lovelace".to_string()]);
        assert_eq!(full.word_count, 5);
        assert_eq!(full.source_name, "https://a.example/feed");
        assert!(full.change_seq > 0);
        assert!(
            s.article(tidings_core::ArticleId(12345))
                .await
                .unwrap()
                .is_none()
        );

        let page1 = s.latest_articles(3, None).await.unwrap();
        assert_eq!(page1.len(), 3);
        assert_eq!(page1[0].id, ids[4]);
        let last = page1.last().unwrap();
        let page2 = s
            .latest_articles(3, Some((last.created_at.0, last.id.0)))
            .await
            .unwrap();
        assert_eq!(
            page2.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![ids[1], ids[0]]
        );

        // Every insert takes a distinct, increasing change sequence number.
        let mut seqs = vec![];
        for id in &ids {
            seqs.push(s.article(*id).await.unwrap().unwrap().change_seq);
        }
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    })
    .await;
}

#[tokio::test]
async fn jobs_idempotency_claim_complete() {
    each_backend(async |db| {
        let s = &db.store;
        let j =
            NewJob::new("fetch", serde_json::json!({"url": "https://a.example/1"})).key("fetch:1");
        let id = s.enqueue(&j).await.unwrap().expect("first enqueue");
        assert_eq!(s.enqueue(&j).await.unwrap(), None, "same key is a no-op");

        let claimed = s.claim_jobs("node-a", &[], 10, 60_000).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].id, id);
        assert_eq!(claimed[0].attempts, 1);
        assert_eq!(claimed[0].payload["url"], "https://a.example/1");
        assert!(
            s.claim_jobs("node-b", &[], 10, 60_000)
                .await
                .unwrap()
                .is_empty(),
            "claimed once"
        );

        assert!(
            !s.complete_job(id, "node-b").await.unwrap(),
            "only the holder completes"
        );
        assert!(s.complete_job(id, "node-a").await.unwrap());
        assert_eq!(s.job(id).await.unwrap().unwrap().state, JobState::Done);
        assert_eq!(
            s.enqueue(&j).await.unwrap(),
            None,
            "done jobs keep their key"
        );

        // Kind filter and future run_at.
        s.enqueue(&NewJob::new("index", serde_json::json!({})))
            .await
            .unwrap();
        s.enqueue(&NewJob::new("fetch", serde_json::json!({})).run_at(now_ms() + 3_600_000))
            .await
            .unwrap();
        assert!(
            s.claim_jobs("n", &["fetch"], 10, 1000)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.claim_jobs("n", &["index"], 10, 1000).await.unwrap().len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn jobs_retry_with_backoff_then_fail_visibly() {
    each_backend(async |db| {
        let s = &db.store;
        let id = s
            .enqueue(&NewJob::new("fetch", serde_json::json!({})).max_attempts(2))
            .await
            .unwrap()
            .unwrap();
        let c = s.claim_jobs("n", &[], 1, 60_000).await.unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(
            s.fail_job(id, "n", "connection refused").await.unwrap(),
            JobState::Queued
        );
        let j = s.job(id).await.unwrap().unwrap();
        assert_eq!(j.last_error.as_deref(), Some("connection refused"));
        assert!(j.run_at.0 > now_ms() + 20_000, "backs off before retrying");
        assert!(s.claim_jobs("n", &[], 1, 60_000).await.unwrap().is_empty());

        // Pretend the backoff elapsed.
        sqlx_set_run_at(db, id.0).await;
        let c = s.claim_jobs("n", &[], 1, 60_000).await.unwrap();
        assert_eq!(c[0].attempts, 2);
        assert_eq!(
            s.fail_job(id, "n", "still refused").await.unwrap(),
            JobState::Failed
        );
        let failed = s.jobs_in_state(JobState::Failed, 10).await.unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].last_error.as_deref(), Some("still refused"));
        assert!(failed[0].finished_at.is_some());
    })
    .await;
}

async fn sqlx_set_run_at(db: &TestDb, id: i64) {
    // Tests reach into the table only to fast-forward time.
    let store = Store::connect(&db.url, &StoreOptions::default())
        .await
        .unwrap();
    store
        .debug_execute(&format!("UPDATE jobs SET run_at = 0 WHERE id = {id}"))
        .await
        .unwrap();
    store.close().await;
}

#[tokio::test]
async fn claims_of_a_dead_worker_are_released() {
    each_backend(async |db| {
        let s = &db.store;
        let id = s
            .enqueue(&NewJob::new("fetch", serde_json::json!({})))
            .await
            .unwrap()
            .unwrap();
        // "dead" claims with a lease that is already over, as a killed process leaves it.
        let c = s.claim_jobs("dead-node", &[], 1, -1).await.unwrap();
        assert_eq!(c.len(), 1);
        assert!(
            s.claim_jobs("live", &[], 1, 60_000)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(s.release_expired_jobs().await.unwrap(), 1);
        let again = s.claim_jobs("live", &[], 1, 60_000).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].id, id);
        assert_eq!(
            again[0].attempts, 1,
            "a dead worker is not the job's fault: the attempt is given back"
        );

        // A live node's leases are extended, not released.
        assert_eq!(s.extend_leases("live", 60_000).await.unwrap(), 1);
        assert_eq!(s.release_expired_jobs().await.unwrap(), 0);
        // Graceful shutdown hands work back without spending an attempt.
        assert_eq!(s.release_node_jobs("live").await.unwrap(), 1);
        let j = s.job(id).await.unwrap().unwrap();
        assert_eq!(j.state, JobState::Queued);
        assert_eq!(j.attempts, 0);

        // A job whose worker keeps dying is failed for good, with the reason.
        // (It already lost one worker above.)
        for _ in 1..tidings_store::MAX_LEASE_EXPIRIES {
            assert_eq!(s.claim_jobs("doomed", &[], 1, -1).await.unwrap().len(), 1);
            s.release_expired_jobs().await.unwrap();
        }
        let j = s.job(id).await.unwrap().unwrap();
        assert_eq!(j.state, JobState::Failed);
        assert!(j.last_error.unwrap().contains("worker died"));
    })
    .await;
}

#[tokio::test]
async fn concurrent_claimers_never_share_a_job() {
    each_backend(async |db| {
        let s = db.store.clone();
        for i in 0..200 {
            s.enqueue(&NewJob::new("work", serde_json::json!({ "i": i })).key(format!("w{i}")))
                .await
                .unwrap();
        }
        let mut handles = vec![];
        for w in 0..6 {
            let s = s.clone();
            handles.push(tokio::spawn(async move {
                let node = format!("worker-{w}");
                let mut got = vec![];
                loop {
                    let c = s.claim_jobs(&node, &[], 7, 60_000).await.unwrap();
                    if c.is_empty() {
                        break;
                    }
                    for j in c {
                        assert!(s.complete_job(j.id, &node).await.unwrap());
                        got.push(j.id);
                    }
                }
                got
            }));
        }
        let mut all = vec![];
        for h in handles {
            all.extend(h.await.unwrap());
        }
        let unique: HashSet<_> = all.iter().collect();
        assert_eq!(all.len(), 200);
        assert_eq!(unique.len(), 200);
    })
    .await;
}

#[tokio::test]
async fn ai_results_are_cached_by_key_and_replaced() {
    each_backend(async |db| {
        let s = &db.store;
        assert_eq!(s.ai_result("k1").await.unwrap(), None);
        s.put_ai_result(
            "k1",
            "article",
            7,
            "summary",
            "builtin",
            "m",
            1,
            None,
            "{\"a\":1}",
        )
        .await
        .unwrap();
        s.put_ai_result(
            "k2",
            "article",
            7,
            "ask",
            "builtin",
            "m",
            1,
            Some("en"),
            "{\"b\":2}",
        )
        .await
        .unwrap();
        // The same key again replaces (a recomputation), never duplicates.
        s.put_ai_result(
            "k1",
            "article",
            7,
            "summary",
            "builtin",
            "m",
            1,
            None,
            "{\"a\":3}",
        )
        .await
        .unwrap();
        assert_eq!(
            s.ai_result("k1").await.unwrap().as_deref(),
            Some("{\"a\":3}")
        );
        assert_eq!(
            s.ai_result("k2").await.unwrap().as_deref(),
            Some("{\"b\":2}")
        );
        assert_eq!(s.ai_result("nope").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn settings_and_nodes() {
    each_backend(async |db| {
        let s = &db.store;
        assert_eq!(s.get_setting("site.name").await.unwrap(), None);
        s.set_setting("site.name", "Local News").await.unwrap();
        s.set_setting("site.name", "Town News").await.unwrap();
        assert_eq!(
            s.get_setting("site.name").await.unwrap().as_deref(),
            Some("Town News")
        );

        s.register_node("n1", "all", "host", 42).await.unwrap();
        s.heartbeat_node("n1").await.unwrap();
        let nodes = s.nodes().await.unwrap();
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0].pid, 42);
        s.unregister_node("n1").await.unwrap();
        assert!(s.nodes().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn bad_urls_are_clear_errors() {
    let e = Store::open("mysql://localhost/x", &StoreOptions::default())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("unsupported database URL"), "{e}");
    let e = Store::open(
        "postgres://u:secret@127.0.0.1:1/x",
        &StoreOptions {
            acquire_timeout: std::time::Duration::from_secs(2),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("cannot connect"), "{msg}");
    assert!(!msg.contains("secret"), "password must not leak: {msg}");
    let dir = tempfile::tempdir().unwrap();
    let e = Store::open(
        &format!(
            "sqlite://{}/no/such/dir/x.db?mode=rwc",
            dir.path().display()
        ),
        &StoreOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("cannot connect"), "{e}");
    let _ = Backend::Sqlite;
}

#[tokio::test]
async fn host_turns_are_spaced_across_processes() {
    each_backend(async |db| {
        // Two handles on one database stand for two crawler processes.
        let other = Store::connect(&db.url, &StoreOptions::default())
            .await
            .unwrap();
        let mut handles = vec![];
        for k in 0..10 {
            let s = if k % 2 == 0 {
                db.store.clone()
            } else {
                other.clone()
            };
            handles.push(tokio::spawn(async move {
                s.reserve_host_slot("news.example.com", 1000).await.unwrap()
            }));
        }
        let mut starts = vec![];
        for h in handles {
            starts.push(h.await.unwrap());
        }
        starts.sort_unstable();
        for w in starts.windows(2) {
            assert!(
                w[1] - w[0] >= 1000,
                "turns must be a delay apart: {starts:?}"
            );
        }
        // Another host has its own turns.
        let t = db
            .store
            .reserve_host_slot("other.example.org", 1000)
            .await
            .unwrap();
        assert!(t <= now_ms());
        other.close().await;
    })
    .await;
}

// Accounts, comments and moderation: tests/store/accounts.rs.
#[path = "store/accounts.rs"]
mod accounts;

// Follows, saved articles, read state, streams, private sources: tests/store/readers.rs.
#[path = "store/readers.rs"]
mod readers;

#[tokio::test]
async fn media_files_round_trip_and_replace() {
    each_backend(async |db| {
        let s = &db.store;
        assert_eq!(s.shares_media_files(), db.backend_name == "postgres");
        // Every byte value survives (binary, not text).
        let jpg: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
        let files = vec![
            ("320.jpg".to_string(), jpg.clone()),
            ("320.webp".to_string(), b"RIFF\0\0WEBP".to_vec()),
        ];
        s.put_media_files("00112233aabbccdd", &files).await.unwrap();
        assert_eq!(
            s.media_file("00112233aabbccdd", "320.jpg").await.unwrap(),
            Some(jpg)
        );
        assert_eq!(
            s.media_file("00112233aabbccdd", "640.jpg").await.unwrap(),
            None
        );
        // Fetched again (a retried job): replaced, not duplicated.
        s.put_media_files("00112233aabbccdd", &[("320.jpg".into(), vec![1, 2, 3])])
            .await
            .unwrap();
        assert_eq!(
            s.media_file("00112233aabbccdd", "320.jpg").await.unwrap(),
            Some(vec![1, 2, 3])
        );
    })
    .await;
}
