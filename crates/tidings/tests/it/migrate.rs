//! `tidings migrate-db`: a populated SQLite installation moves to PostgreSQL
//! with identical counts and checksums, survives a kill -9 half-way and resumes.

use crate::common::*;
use crate::crawl::{crawl_env, origin};
use std::time::Duration;
use tidings_core::CanonicalUrl;
use tidings_store::NewArticle;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres_interrupted_and_resumed() {
    let Some(pg_url) = tidings_store::testing::fresh_pg_url().await else {
        eprintln!("PostgreSQL not configured; skipped");
        return;
    };
    let i = Install::sqlite();
    // Real articles, stories, entries, media rows from a crawl…
    let o = origin(30, 3, 4).await;
    for s in 0..3 {
        assert!(
            i.run(&["--allow-private-networks", "source", "add", &o.feed_url(s)])
                .status
                .success()
        );
    }
    let mut c = i.cmd();
    crawl_env(&mut c);
    assert!(
        c.args(["--allow-private-networks", "crawl", "--once"])
            .output()
            .unwrap()
            .status
            .success()
    );
    // …plus enough bulk that the copy takes a while.
    let store = i.store().await;
    let src = store.list_sources().await.unwrap()[0].id;
    let text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(40);
    for k in 0..4000 {
        store
            .insert_article(&NewArticle {
                source_id: Some(src),
                url: Some(CanonicalUrl::parse(&format!("https://bulk.example/{k}")).unwrap()),
                original_url: format!("https://bulk.example/{k}"),
                title: format!("Bulk article {k} – ünïcödé"),
                text: text.clone(),
                features: Some(vec![k as u8; 64]),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    let source_articles = store.count_articles().await.unwrap();
    store.close().await;
    let db = i.data_dir().join("tidings.db");
    let from = format!("sqlite:{}", db.display());

    // Interrupt the copy with kill -9 shortly after it starts.
    let mut child = std::process::Command::new(BIN)
        .args(["migrate-db", "--from", &from, "--to", &pg_url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it as soon as the first articles arrive.
    let mut target = None;
    for _ in 0..2000 {
        if let Ok(t) = tidings_store::Store::connect(&pg_url, &Default::default()).await
            && t.count_articles().await.unwrap_or(0) > 0
        {
            let _ = child.kill();
            target = Some(t);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.wait().unwrap();
    let target = target.expect("the copy started");
    let total = |counts: Vec<(String, i64)>| counts.iter().map(|(_, n)| n).sum::<i64>();
    let source_store =
        tidings_store::Store::open(&format!("sqlite://{}", db.display()), &Default::default())
            .await
            .unwrap();
    let copied = total(target.table_counts().await.unwrap());
    let all = total(source_store.table_counts().await.unwrap());
    source_store.close().await;
    eprintln!("rows copied before the kill: {copied} of {all}");
    assert!(copied < all, "the kill must land mid-copy");

    // Resume: the same command finishes and verifies.
    let out = std::process::Command::new(BIN)
        .args(["migrate-db", "--from", &from, "--to", &pg_url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("counts and checksums match"),
        "{}",
        stdout(&out)
    );
    assert_eq!(target.count_articles().await.unwrap(), source_articles);
    // The images the SQLite node kept in its data dir are now in the
    // database, byte for byte, for web nodes elsewhere.
    let media = i.data_dir().join("media");
    let mut files = 0;
    for d in std::fs::read_dir(&media).unwrap().flatten() {
        let id = d.file_name().to_string_lossy().to_string();
        for f in std::fs::read_dir(d.path()).unwrap().flatten() {
            let name = f.file_name().to_string_lossy().to_string();
            assert_eq!(
                target.media_file(&id, &name).await.unwrap(),
                Some(std::fs::read(f.path()).unwrap()),
                "{id}/{name}"
            );
            files += 1;
        }
    }
    assert!(files >= 10, "{files} image files");
    assert!(
        stdout(&out).contains(&format!("{files} image files")),
        "{}",
        stdout(&out)
    );
    // Every table has the same checksum on both sides.
    let source =
        tidings_store::Store::open(&format!("sqlite://{}", db.display()), &Default::default())
            .await
            .unwrap();
    for t in source.copied_tables().await.unwrap() {
        assert_eq!(
            source.table_checksum(&t).await.unwrap(),
            target.table_checksum(&t).await.unwrap(),
            "{t}"
        );
    }
    // New rows on PostgreSQL get fresh ids (the identity sequences moved on).
    let id = target
        .insert_article(&NewArticle {
            source_id: Some(src),
            url: Some(CanonicalUrl::parse("https://after.example/1").unwrap()),
            original_url: "https://after.example/1".into(),
            title: "After the move".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(id.0 > source_articles);

    // The moved installation serves.
    let pg = Install {
        dir: tempfile::tempdir().unwrap(),
        database_url: Some(pg_url.clone()),
    };
    let server = pg.serve(&["--no-crawl"]);
    let home = crate::web::get(server.url("/")).await.2;
    assert!(home.contains("After the move"));
    // Bad input is refused clearly.
    let out = std::process::Command::new(BIN)
        .args([
            "migrate-db",
            "--from",
            "sqlite:/no/such.db",
            "--to",
            &pg_url,
        ])
        .output()
        .unwrap();
    assert_fails_with(&out, &["no SQLite database at /no/such.db"]);
    let out = std::process::Command::new(BIN)
        .args(["migrate-db", "--from", &from, "--to", &from])
        .output()
        .unwrap();
    assert_fails_with(&out, &["same database"]);
    source.close().await;
    target.close().await;
}
