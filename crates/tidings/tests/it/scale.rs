//! Scale-out on PostgreSQL: two crawler processes and two web processes share
//! one database. One crawler is killed with kill -9 mid-crawl and restarted;
//! every article is stored exactly once, no page is fetched twice except after
//! a lease expired, both web nodes find every article by search, and a session
//! made on one web node is valid on the other.

use crate::common::*;
use crate::community::{PW, Web, cli_user};
use crate::crawl::origin_filled;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const ARTICLES: usize = 2000;

fn crawler(i: &Install, name: &str) -> Server {
    i.serve_env(
        &["--allow-private-networks", "--role", "crawler"],
        &[
            ("TIDINGS_NODE_ID", name),
            ("TIDINGS_CRAWL__LEASE_SECS", "3"),
            ("TIDINGS_CRAWL__WORKERS", "6"),
            ("TIDINGS_FETCH_PER_HOST_DELAY_MS", "0"),
            ("TIDINGS_FETCH_PER_HOST_CONCURRENCY", "8"),
            ("TIDINGS_FETCH_TIMEOUT_SECS", "3"),
            ("TIDINGS_FETCH_CONNECT_TIMEOUT_SECS", "2"),
        ],
    )
}

fn web(i: &Install, name: &str) -> Server {
    i.serve_env(
        &["--role", "web"],
        &[
            ("TIDINGS_NODE_ID", name),
            ("TIDINGS_ACCOUNTS__TRUST_PROXY_HEADERS", "true"),
            // The test searches every article on both nodes: no API budget.
            ("TIDINGS_API__REQUESTS_PER_MINUTE", "0"),
        ],
    )
}

async fn json(url: String) -> serde_json::Value {
    let r = http().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200, "{url}");
    r.json().await.unwrap()
}

/// Which of `articles` (id, title) a web node cannot find by its title yet.
async fn unfound(node: &Server, articles: &[(i64, String)]) -> Vec<(i64, String)> {
    let mut missing = Vec::new();
    for (id, title) in articles {
        let q: String = title
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let url = reqwest::Url::parse_with_params(
            &node.url("/api/v1/search"),
            &[
                ("q", format!("\"{}\"", q.trim()).as_str()),
                ("limit", "100"),
            ],
        )
        .unwrap();
        let v = json(url.to_string()).await;
        let hit = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"].as_i64() == Some(*id));
        if !hit {
            missing.push((*id, title.clone()));
        }
    }
    missing
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_crawlers_two_web_nodes_one_killed() {
    let Some(i) = Install::postgres().await else {
        eprintln!("skipped: set TIDINGS_TEST_PG_URL to run the scale-out test");
        return;
    };
    let o = origin_filled(ARTICLES, 20).await;
    for s in 0..20 {
        let out = i.run(&["--allow-private-networks", "source", "add", &o.feed_url(s)]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    cli_user(&i, "reader", None);
    let store = i.store().await;

    let (wa, wb) = (i.node(), i.node());
    let web_a = web(&wa, "web-a");
    let web_b = web(&wb, "web-b");
    let (ca, cb) = (i.node(), i.node());
    let crawler_a = crawler(&ca, "crawler-a");
    let mut crawler_b = crawler(&cb, "crawler-b");

    // Health shows each node's identity and role.
    let h = json(web_a.url("/healthz")).await;
    assert!(h["node"].as_str().unwrap().starts_with("web-a-"), "{h}");
    assert_eq!(h["role"], "web");
    let h = json(crawler_b.url("/healthz")).await;
    assert!(h["node"].as_str().unwrap().starts_with("crawler-b-"), "{h}");
    assert_eq!(h["role"], "crawler");

    // kill -9 crawler B once it is busy, then restart it.
    let deadline = Instant::now() + Duration::from_secs(120);
    while store.count_articles().await.unwrap() < 200 {
        assert!(Instant::now() < deadline, "the crawl does not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    crawler_b.signal("KILL");
    crawler_b.wait(Duration::from_secs(10));
    let at_kill = store.count_articles().await.unwrap();
    assert!(at_kill < ARTICLES as i64, "the kill must land mid-crawl");
    let crawler_b = crawler(&cb, "crawler-b");

    // Both crawlers finish the work between them.
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        let entries = store.count_entries(None).await.unwrap();
        let unlinked = store.count_unlinked_entries().await.unwrap();
        // Ingest work (polls and article fetches); derived work (related
        // lists, images, clustering) may still run: it cannot lose or duplicate articles.
        let pending = store
            .unfinished_jobs_of(&["poll", "article"])
            .await
            .unwrap();
        if entries == ARTICLES as i64 && unlinked == 0 && pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "crawl did not finish: {entries} entries, {unlinked} unlinked, {pending} pending"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let done = Instant::now();

    // Exactly once, none lost.
    let links: HashMap<String, Option<String>> =
        store.entry_links().await.unwrap().into_iter().collect();
    assert_eq!(links.len(), ARTICLES);
    for a in &o.state.articles {
        let stored = links
            .get(&o.article_url(a))
            .unwrap_or_else(|| panic!("article {} never seen", a.id));
        assert!(stored.is_some(), "article {} lost", a.id);
    }
    assert_eq!(
        store.duplicate_text_groups().await.unwrap(),
        0,
        "a text stored twice"
    );
    let stored = store.count_articles().await.unwrap();
    let copies = links
        .iter()
        .filter(|(e, a)| a.as_deref() != Some(e.as_str()))
        .count();
    assert_eq!(stored as usize + copies, ARTICLES);
    // Each page once, plus at most one more after the killed node's lease expired.
    let over: Vec<_> = o
        .all_hits()
        .into_iter()
        .filter(|(p, n)| p.contains("/news/") && *n > 2)
        .collect();
    assert!(over.is_empty(), "{over:?}");
    // Both crawlers did work (the jobs were shared).
    let ran = store.job_workers().await.unwrap();
    let by = |p: &str| {
        ran.iter()
            .filter(|(w, _)| w.starts_with(p))
            .map(|(_, n)| n)
            .sum::<i64>()
    };
    assert!(by("crawler-a") > 0 && by("crawler-b") > 0, "{ran:?}");

    // Both web nodes find every article by search, within seconds of the end.
    let mut articles = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("/api/v1/articles?limit=100&cursor={c}"),
            None => "/api/v1/articles?limit=100".into(),
        };
        let v = json(web_a.url(&q)).await;
        for it in v["items"].as_array().unwrap() {
            articles.push((
                it["id"].as_i64().unwrap(),
                it["title"].as_str().unwrap().to_string(),
            ));
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(articles.len(), stored as usize);
    for node in [&web_a, &web_b] {
        let mut missing = unfound(node, &articles).await;
        while !missing.is_empty() {
            assert!(
                done.elapsed() < Duration::from_secs(30),
                "{} articles not searchable on {} 30 s after the crawl: {:?}",
                missing.len(),
                node.base,
                &missing[..missing.len().min(5)]
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
            missing = unfound(node, &missing).await;
        }
    }
    eprintln!(
        "both web nodes found all {} articles {:?} after the crawl",
        articles.len(),
        done.elapsed()
    );

    // Images fetched by a crawler node are served by both web nodes, which
    // have their own (empty) media folders: from the database, then kept.
    // Image jobs run in the order they were queued, behind the articles'
    // inline images: look at every article, oldest queued first.
    let deadline = Instant::now() + Duration::from_secs(300);
    let (media, width) = loop {
        let mut ready = None;
        let mut cards = store.latest_articles(ARTICLES as i64, None).await.unwrap();
        cards.reverse();
        for c in cards {
            if let Some((id, w, _)) = c.image
                && store
                    .media(&id)
                    .await
                    .unwrap()
                    .is_some_and(|m| m.status == tidings_core::MediaStatus::Ready)
            {
                ready = Some((id, w));
                break;
            }
        }
        if let Some(r) = ready {
            break r;
        }
        assert!(Instant::now() < deadline, "no image was fetched");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let w = tidings_core::media_variant_widths(u32::try_from(width).unwrap())[0];
    let file = format!("{w}.jpg");
    let stored_file = store.media_file(&media, &file).await.unwrap().unwrap();
    for (node, dir) in [(&web_a, &wa), (&web_b, &wb)] {
        let local = dir.data_dir().join("media").join(&media).join(&file);
        assert!(!local.exists());
        for _ in 0..2 {
            let r = http()
                .get(node.url(&format!("/media/{media}/{file}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{}", node.base);
            assert_eq!(r.headers()["content-type"], "image/jpeg");
            assert_eq!(r.bytes().await.unwrap().as_ref(), stored_file.as_slice());
        }
        assert!(local.exists(), "the web node keeps a copy");
    }

    // A session made on web node A is valid on web node B; logging out on B ends it on A.
    let mut browser = Web::new(&web_a, "203.0.113.9");
    let r = browser.login("reader", PW, false).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = browser.get("/account").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("reader"));
    browser.base = web_b.base.clone();
    let r = browser.get("/account").await;
    assert_eq!(r.status, 200, "the session from node A works on node B");
    assert!(r.body.contains("reader"));
    let t = browser.token().await;
    let r = browser.post("/logout", &[("csrf", &t)]).await;
    assert_eq!(r.status, 303);
    browser.base = web_a.base.clone();
    let r = browser.get("/account").await;
    assert_ne!(r.status, 200, "logged out everywhere");

    drop((crawler_a, crawler_b, web_a, web_b));
    store.close().await;
}
