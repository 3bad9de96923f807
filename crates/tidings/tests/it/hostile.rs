//! The hostile publisher against `tidings serve` with the crawler on: robots.txt
//! bombs on ten origins, a 4.8 MB `<style>` title, an image that decodes to
//! 320 MB, and ten comments that each made a render slow. The site keeps
//! answering, memory stays under a ceiling, each attack ends in its designed
//! outcome and the other sources are crawled. Synthetic articles: no corpora.
//!
//! Latency here is a hang detector (an attack once kept `/livez` silent for
//! 150 s), not a performance figure: `bench/hostile.sh` measures p99 and
//! render times on a release build (BENCHMARKS.md).

use crate::common::*;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tidings_origin::hostile::{HostilePublisher, comment_bomb, start_hostile};

/// Longest any probe may wait before the site counts as stalled.
const STALLED: Duration = Duration::from_secs(5);
/// Peak memory of the serving process (the review saw 3.7 GiB).
const RSS_CEILING_KIB: u64 = 1024 * 1024;

fn add_sources(urls: &[String], i: &Install) {
    for url in urls {
        let o = i.run(&["--allow-private-networks", "source", "add", url]);
        assert!(o.status.success(), "add {url}: {}", stderr(&o));
    }
}

/// Peak resident memory of a process, from /proc (KiB).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Each probe's time (None: failed or stalled).
type Probes = Arc<Mutex<Vec<Option<Duration>>>>;

/// Probe `url` every `every` until `stop`.
fn probe(
    url: String,
    every: Duration,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (tokio::task::JoinHandle<()>, Probes) {
    let times = Arc::new(Mutex::new(Vec::new()));
    let out = times.clone();
    tidings_fetch::ensure_crypto_provider();
    let http = reqwest::Client::builder().timeout(STALLED).build().unwrap();
    let task = tokio::spawn(async move {
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            let t = Instant::now();
            let ok = match http.get(&url).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            out.lock().unwrap().push(ok.then(|| t.elapsed()));
            tokio::time::sleep(every).await;
        }
    });
    (task, times)
}

fn percentile(times: &[Duration], p: f64) -> Duration {
    let mut v = times.to_vec();
    v.sort();
    v.get(((v.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_publisher_cannot_take_the_site_down() {
    let hp: HostilePublisher = start_hostile(6, 10).await.unwrap();
    let i = Install::sqlite();
    let mut feeds = vec![hp.good_feed(), hp.title_bomb_feed(), hp.image_bomb_feed()];
    feeds.extend(hp.robots_feeds());
    add_sources(&feeds, &i);
    let password = "a long enough password";
    let o = i.run_stdin(
        &["user", "add", "reader"],
        format!("{password}\n").as_bytes(),
    );
    assert!(o.status.success(), "{}", stderr(&o));

    let server = i.serve_env(
        &["--allow-private-networks"],
        &[
            ("TIDINGS_FETCH_PER_HOST_DELAY_MS", "0"),
            ("TIDINGS_FETCH_PER_HOST_CONCURRENCY", "8"),
            ("TIDINGS_FETCH_TIMEOUT_SECS", "20"),
            ("TIDINGS_API__REQUESTS_PER_MINUTE", "0"),
        ],
    );
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (livez_task, livez) = probe(
        server.url("/livez"),
        Duration::from_millis(50),
        stop.clone(),
    );
    let (home_task, home) = probe(server.url("/"), Duration::from_millis(100), stop.clone());

    // Wait for the crawl to finish what it can: every good article, both
    // items of every robots origin, the image bomb refused.
    let store = i.store().await;
    let good = hp.good_article_urls();
    let deadline = Instant::now() + Duration::from_secs(240);
    let image_url = hp.origin.url("/img/deep16.png");
    loop {
        let cards = store.latest_articles(500, None).await.unwrap();
        let have_good = good.iter().all(|u| cards.iter().any(|c| &c.url == u));
        let robots_items = cards
            .iter()
            .filter(|c| c.title.starts_with("Robots origin "))
            .count();
        let image = store.media_for_url(&image_url).await.unwrap();
        if have_good
            && robots_items == 20
            && image
                .as_ref()
                .is_some_and(|m| m.status != tidings_core::MediaStatus::Pending)
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "crawl incomplete: good {have_good}, robots items {robots_items}, image {image:?}\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // The comment bomb: ten comments that each cost ~41 ms a render before.
    let http = http();
    let token: serde_json::Value = http
        .post(server.url("/api/v1/auth/token"))
        .json(&serde_json::json!({"username": "reader", "password": password, "name": "t"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let cards = store.latest_articles(500, None).await.unwrap();
    let target = cards.iter().find(|c| c.url == good[0]).unwrap();
    for _ in 0..10 {
        let r = http
            .post(server.url("/api/v1/comments"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"article": target.id.0, "body": comment_bomb()}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let detail: serde_json::Value = http
        .get(server.url(&format!("/api/v1/articles/{}", target.id.0)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page_url = server.url(detail["page_url"].as_str().unwrap());
    let mut renders = Vec::new();
    for n in 0..10 {
        // `?x=N` misses the page cache: each request renders.
        let t = Instant::now();
        let page = http
            .get(format!("{page_url}?x={n}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        renders.push(t.elapsed());
        let linked =
            "<a href=\"https://e.example/\" rel=\"nofollow ugc noopener\">https://e.example/</a>";
        assert_eq!(
            page.matches(linked).count(),
            10,
            "ten comments, each linked once"
        );
    }

    // A fast build can finish the crawl within a few probes: take enough.
    while livez.lock().unwrap().len() < 40 || home.lock().unwrap().len() < 10 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    livez_task.await.unwrap();
    home_task.await.unwrap();
    let peak = peak_rss_kib(server.child.id()).unwrap_or(0);

    // The site answered throughout.
    for (name, times) in [("/livez", &livez), ("/", &home)] {
        let times = times.lock().unwrap();
        let failed = times.iter().filter(|t| t.is_none()).count();
        let ok: Vec<Duration> = times.iter().flatten().copied().collect();
        eprintln!(
            "{name}: {} probes, p50 {:?}, p99 {:?}, max {:?}",
            times.len(),
            percentile(&ok, 0.5),
            percentile(&ok, 0.99),
            percentile(&ok, 1.0)
        );
        assert_eq!(
            failed, 0,
            "{name}: {failed} probes failed or waited over {STALLED:?}"
        );
    }
    eprintln!(
        "article page with ten comment bombs: median {:?}; peak RSS {} MiB",
        percentile(&renders, 0.5),
        peak / 1024
    );
    assert!(peak > 0 && peak < RSS_CEILING_KIB, "peak RSS {peak} KiB");

    // Each attack ended in its designed outcome.
    let sources = store.list_sources().await.unwrap();
    let by_url = |u: &str| sources.iter().find(|s| s.url == u).unwrap().clone();
    let bomb = by_url(&hp.title_bomb_feed());
    assert_eq!(bomb.last_error, None, "the title bomb's feed is read");
    let entries = store.count_entries(Some(bomb.id)).await.unwrap();
    assert_eq!(entries, 2, "both items of the title-bomb feed");
    assert!(
        cards
            .iter()
            .all(|c| c.title.len() < 2000 && !c.title.contains("<style")),
        "no stored title carries the bomb"
    );
    let image = store.media_for_url(&image_url).await.unwrap().unwrap();
    assert_eq!(image.status, tidings_core::MediaStatus::Failed);
    assert!(
        image
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("would take 320 MB to decode; refused"),
        "{image:?}"
    );
    for feed in hp.robots_feeds() {
        let s = by_url(&feed);
        assert_eq!(
            s.last_error, None,
            "{feed} was crawled despite its robots.txt"
        );
    }
    store.close().await;
}
