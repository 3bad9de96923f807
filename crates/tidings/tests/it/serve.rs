//! `tidings serve`: health, metrics, the home page, graceful shutdown and
//! recovery after kill -9, on both databases.

use crate::common::*;
use std::time::Duration;
use tidings_core::{CanonicalUrl, DisplayPolicy, SourceKind};
use tidings_store::{JobState, NewArticle, NewJob, NewSource};

async fn seed(store: &tidings_store::Store, n: usize) {
    let src = store
        .add_source(&NewSource {
            url: CanonicalUrl::parse("https://news.example.com/feed.xml").unwrap(),
            kind: SourceKind::Feed,
            name: Some("Example Gazette".into()),
            site_url: None,
            display: DisplayPolicy::Excerpt,
            profile: Default::default(),
        })
        .await
        .unwrap();
    for k in 0..n {
        store
            .insert_article(&NewArticle {
                source_id: Some(src.id),
                url: Some(
                    CanonicalUrl::parse(&format!("https://news.example.com/story-{k}")).unwrap(),
                ),
                original_url: format!("https://news.example.com/story-{k}"),
                title: format!("Council approves budget <{k}>"),
                description: Some(format!("Summary number {k}.")),
                text: "Text.".into(),
                ..Default::default()
            })
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn serve_health_metrics_home_and_graceful_shutdown() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let mut server = i.serve(&["--no-crawl"]);
        let http = http();

        let h = http.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(h.status(), 200);
        let body: serde_json::Value = h.json().await.unwrap();
        assert_eq!(body["database"], "ok");
        assert_eq!(body["backend"], i.name());

        // Empty state with a hint.
        let home = http
            .get(server.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains("No news yet"), "{home}");
        assert!(home.contains("tidings source add"));

        // Articles written by another process show up (after at most the
        // anonymous page cache's second), newest first, escaped, paginated.
        let store = i.store().await;
        seed(&store, 35).await;
        let mut home = String::new();
        for _ in 0..50 {
            home = crate::web::get(server.url("/")).await.2;
            if !home.contains("No news yet") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            home.contains("Council approves budget &#60;34&#62;")
                || home.contains("Council approves budget &lt;34&gt;"),
            "{home}"
        );
        assert!(!home.contains("<34>"), "titles are escaped");
        assert!(home.contains("Example Gazette"));
        assert!(home.contains("<time datetime="));
        let first34 = home.find("budget &").unwrap();
        assert!(home[first34..].contains("34"));
        assert_eq!(home.matches("class=\"card\"").count(), 30);
        let next = home
            .split("rel=\"next\" href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&#38;", "&");
        let page2 = http
            .get(server.url(&next))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(page2.matches("class=\"card\"").count(), 5);
        assert!(page2.contains("budget &#60;0&#62;") || page2.contains("budget &lt;0&gt;"));
        let bad = http.get(server.url("/?before=zzz")).send().await.unwrap();
        assert_eq!(bad.status(), 400);

        let nf = http.get(server.url("/no/such/page")).send().await.unwrap();
        assert_eq!(nf.status(), 404);
        assert!(nf.text().await.unwrap().contains("Page not found"));

        let css = http
            .get(server.url("/static/style.css"))
            .send()
            .await
            .unwrap();
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");

        let m = http
            .get(server.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            m.lines()
                .any(|l| l.starts_with("tidings_http_requests_total{node=\"")
                    && l.contains(",method=\"GET\",route=\"/\",status=\"200\"}")),
            "{m}"
        );

        // The node is registered while it runs.
        assert_eq!(store.nodes().await.unwrap().len(), 1);

        // Graceful shutdown: claimed jobs go back to the queue, the node leaves.
        let node = store.nodes().await.unwrap()[0].id.clone();
        store
            .enqueue(&NewJob::new("test", serde_json::json!({})))
            .await
            .unwrap();
        let claimed = store.claim_jobs(&node, &[], 1, 600_000).await.unwrap();
        assert_eq!(claimed.len(), 1);
        server.signal("TERM");
        let status = server.wait(Duration::from_secs(20));
        assert!(
            status.success(),
            "exit status {status:?}\n{}",
            server.log_text()
        );
        assert!(
            server.log_text().contains("released 1 claimed jobs"),
            "{}",
            server.log_text()
        );
        let job = store.job(claimed[0].id).await.unwrap().unwrap();
        assert_eq!(job.state, JobState::Queued);
        assert_eq!(job.attempts, 0);
        assert!(store.nodes().await.unwrap().is_empty());
        store.close().await;
    }
}

#[tokio::test]
async fn kill_9_leaves_a_database_that_opens_and_work_that_is_picked_up() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let mut server = i.serve(&["--no-crawl"]);
        let store = i.store().await;
        // Heavy writes from the server's own process are not possible yet, so
        // write from here while the server holds its connections, then kill it.
        seed(&store, 50).await;
        let node = store.nodes().await.unwrap()[0].id.clone();
        store
            .enqueue(&NewJob::new("test", serde_json::json!({"n": 1})))
            .await
            .unwrap();
        // The server's node claims the job with a short lease, then dies.
        let claimed = store.claim_jobs(&node, &[], 1, 1_500).await.unwrap();
        assert_eq!(claimed.len(), 1);
        server.signal("KILL");
        server.wait(Duration::from_secs(10));
        store.close().await;

        // Next start: the database opens cleanly and serves.
        let server2 = i.serve(&["--no-crawl"]);
        let http = http();
        let h = http
            .get(server2.url("/healthz"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}: {}", server2.log_text()));
        assert_eq!(h.status(), 200);
        let home = http
            .get(server2.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(home.matches("class=\"card\"").count(), 30);

        // The dead process's job is claimable again once its lease ran out.
        let store = i.store().await;
        tokio::time::sleep(Duration::from_millis(1_600)).await;
        store.release_expired_jobs().await.unwrap();
        let again = store.claim_jobs("survivor", &[], 1, 60_000).await.unwrap();
        assert_eq!(
            again.len(),
            1,
            "job held by the killed process is picked up again"
        );
        assert_eq!(again[0].id, claimed[0].id);
        assert_eq!(store.count_articles().await.unwrap(), 50);
        store.close().await;
    }
}

#[tokio::test]
async fn healthz_reports_503_when_the_database_is_gone() {
    let Some(i) = Install::postgres().await else {
        eprintln!("PostgreSQL not configured; skipped");
        return;
    };
    let server = i.serve(&["--no-crawl"]);
    let http = http();
    assert_eq!(
        http.get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Make the database refuse connections and cut the existing ones.
    let url = i.database_url.clone().unwrap();
    let db = url.rsplit('/').next().unwrap().to_string();
    let admin = tidings_store::testing::pg_admin_url().unwrap();
    let admin = tidings_store::Store::connect(&admin, &Default::default())
        .await
        .unwrap();
    admin
        .debug_execute(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false"))
        .await
        .unwrap();
    admin
        .debug_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
        ))
        .await
        .unwrap();
    let mut status = 0;
    for _ in 0..50 {
        status = http
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        if status == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 503);
    // The home page says the site is unavailable rather than "not found" or a blank 500.
    let home = http.get(server.url("/")).send().await.unwrap();
    assert!(home.status().is_server_error());
    admin
        .debug_execute(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let mut back = 0;
    for _ in 0..50 {
        back = http
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        if back == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(back, 200, "recovers when the database is back");
    admin.close().await;
}

/// The finding: with `base_url` unset, one request with `Host: evil.example`
/// filled the page cache with links to evil.example for every next reader.
#[tokio::test]
async fn a_foreign_host_header_never_reaches_other_readers() {
    let i = Install::sqlite();
    seed(&i.store().await, 3).await;
    let server = i.serve(&["--no-crawl"]);
    let http = http();
    let page = |host: Option<&'static str>, path: &'static str| {
        let mut r = http.get(server.url(path));
        if let Some(h) = host {
            r = r.header("host", h);
        }
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, poisoned) = page(Some("evil.example"), "/").await;
    assert_eq!(s, 200);
    assert!(
        poisoned.contains("http://evil.example/"),
        "without base_url links follow Host: this page is the attacker's own"
    );
    // Within the cache's second, the next anonymous reader of the same page.
    let (s, home) = page(None, "/").await;
    assert_eq!(s, 200);
    assert!(!home.contains("evil.example"), "the cache keys on the host");
    assert!(home.contains(&server.base));
    drop(server);

    // With an allow-list the site does not answer for other hosts at all,
    // while probes by address still work.
    let server = i.serve_env(
        &["--no-crawl"],
        &[(
            "TIDINGS_SITE__ALLOWED_HOSTS",
            r#"["127.0.0.1", "news.example.org"]"#,
        )],
    );
    let status = |host: &'static str, path: &'static str| {
        let r = http.get(server.url(path)).header("host", host);
        async move { r.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status("evil.example", "/").await, 421);
    assert_eq!(status("evil.example", "/api/v1/articles").await, 421);
    assert_eq!(status("news.example.org", "/").await, 200);
    assert_eq!(status("NEWS.example.org:8443", "/about").await, 200);
    assert_eq!(status("evil.example", "/livez").await, 200);
    assert_eq!(status("evil.example", "/healthz").await, 200);
    let (s, _) = {
        let r = http.get(server.url("/")).send().await.unwrap();
        (r.status().as_u16(), ())
    };
    assert_eq!(s, 200, "the listed address itself");
    // A value that cannot be a host stops start-up, naming the key.
    let out = i
        .cmd()
        .args(["config"])
        .env("TIDINGS_SITE__ALLOWED_HOSTS", r#"["https://x.example/"]"#)
        .output()
        .unwrap();
    assert_fails_with(&out, &["site.allowed_hosts", "https://x.example/"]);
}

/// `/metrics` and the details of `/healthz` are for operators: local
/// requests, the ops token, or the ops listener; the public gets 404 and a
/// bare status. The data directory and database are private to the user.
#[tokio::test]
async fn operators_endpoints_are_not_public_and_files_are_private() {
    let i = Install::sqlite();
    let token = "a-long-enough-ops-token";
    let server = i.serve_env(
        &["--no-crawl"],
        &[
            ("TIDINGS_OPS__TOKEN", token),
            ("TIDINGS_OPS__LISTEN", "127.0.0.1:0"),
        ],
    );
    let http = http();
    let get = |url: String, headers: &[(&'static str, String)]| {
        let mut r = http.get(url);
        for (k, v) in headers {
            r = r.header(*k, v.clone());
        }
        async move {
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let remote = ("x-forwarded-for", "203.0.113.7".to_string());
    let bearer = ("authorization", format!("Bearer {token}"));

    // Local, not forwarded: an operator on the machine.
    assert_eq!(get(server.url("/livez"), &[]).await.0, 200);
    let (s, m) = get(server.url("/metrics"), &[]).await;
    assert_eq!(s, 200);
    assert!(m.contains("tidings_http_requests_total"), "{m}");
    let (_, h) = get(server.url("/healthz"), &[]).await;
    let h: serde_json::Value = serde_json::from_str(&h).unwrap();
    assert_eq!(h["backend"], "sqlite");
    assert!(h["node"].is_string());

    // Through a proxy: a member of the public.
    let (s, m) = get(server.url("/metrics"), std::slice::from_ref(&remote)).await;
    assert_eq!(s, 404);
    assert!(!m.contains("tidings_"), "{m}");
    let (s, h) = get(server.url("/healthz"), std::slice::from_ref(&remote)).await;
    assert_eq!(s, 200);
    let h: serde_json::Value = serde_json::from_str(&h).unwrap();
    assert_eq!(h, serde_json::json!({"status": "ok", "database": "ok"}));
    let wrong = ("authorization", "Bearer not-the-token-at-all".to_string());
    assert_eq!(
        get(server.url("/metrics"), &[remote.clone(), wrong])
            .await
            .0,
        404
    );

    // The token opens them from anywhere.
    let (s, m) = get(server.url("/metrics"), &[remote.clone(), bearer.clone()]).await;
    assert_eq!(s, 200);
    assert!(m.contains("tidings_http_requests_total"));

    // The operators' listener serves them to whoever reaches it.
    let mut ops = None;
    for _ in 0..100 {
        let log = server.log_text();
        if let Some(i) = log.find("operators' endpoints on http://") {
            let rest = &log[i + "operators' endpoints on http://".len()..];
            ops = Some(
                rest.chars()
                    .take_while(|c| *c != '"' && !c.is_whitespace())
                    .collect::<String>(),
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ops = format!("http://{}", ops.expect("the ops listener is announced"));
    let (s, m) = get(format!("{ops}/metrics"), std::slice::from_ref(&remote)).await;
    assert_eq!(s, 200);
    assert!(m.contains("tidings_"));
    let (_, h) = get(format!("{ops}/healthz"), std::slice::from_ref(&remote)).await;
    assert!(h.contains("\"node\""), "{h}");
    assert_eq!(
        get(format!("{ops}/"), &[]).await.0,
        404,
        "only the ops endpoints"
    );
    drop(server);

    // Files: the data directory 0700, the database 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |p: std::path::PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(i.data_dir()), 0o700);
        assert_eq!(mode(i.data_dir().join("tidings.db")), 0o600);
        // An existing installation readable by others is made private on start.
        std::fs::set_permissions(i.data_dir(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(
            i.data_dir().join("tidings.db"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let out = i.run(&["source", "list"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(mode(i.data_dir()), 0o700);
        assert_eq!(mode(i.data_dir().join("tidings.db")), 0o600);
        assert!(stderr(&out).contains("made it private"), "{}", stderr(&out));
    }
}
