//! Crash safety: crawl an origin of 2,000 articles, kill -9 the crawler at
//! random moments five times, restart each time: in the end every article is
//! stored exactly once and none is lost.

use crate::common::*;
use crate::crawl::{crawl_env, origin_filled};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A crawler process, killed when dropped (a failing test must not leave it running).
struct Crawler(std::process::Child);

impl Drop for Crawler {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn crawler(i: &Install) -> Crawler {
    let mut c = i.cmd();
    crawl_env(&mut c);
    c.env("TIDINGS_CRAWL__LEASE_SECS", "3")
        .env("TIDINGS_CRAWL__WORKERS", "8")
        .args(["--allow-private-networks", "crawl"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Crawler)
        .unwrap()
}

/// A small deterministic generator: the "random" moments are the same every run.
fn moments(seed: u64, n: usize) -> Vec<Duration> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_millis(400 + x % 2600)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_five_times_loses_and_duplicates_nothing() {
    const ARTICLES: usize = 2000;
    let o = origin_filled(ARTICLES, 20).await;
    let i = Install::sqlite();
    for s in 0..20 {
        let out = i.run(&["--allow-private-networks", "source", "add", &o.feed_url(s)]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let store = i.store().await;
    let mut counts_at_kill = vec![];
    for wait in moments(0x5eed_cafe, 5) {
        let mut child = crawler(&i);
        tokio::time::sleep(wait).await;
        child.0.kill().unwrap(); // SIGKILL
        child.0.wait().unwrap();
        counts_at_kill.push(store.count_articles().await.unwrap());
    }
    eprintln!("articles stored when each kill hit: {counts_at_kill:?}");
    assert!(
        counts_at_kill.last().copied().unwrap_or(0) < ARTICLES as i64,
        "the kills must land mid-crawl"
    );

    // Restart and let it finish: every feed entry polled and resolved to an article.
    let restarted = Instant::now();
    let child = crawler(&i);
    let deadline = Instant::now() + Duration::from_secs(600);
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
            "crawl did not finish: {entries} entries, {unlinked} unlinked, {pending} jobs pending, failed: {:?}",
            store
                .jobs_in_state(tidings_store::JobState::Failed, 5)
                .await
                .unwrap()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    eprintln!("finished {:?} after the last restart", restarted.elapsed());
    drop(child);

    // Exactly once: every origin article resolved to one stored article; no two
    // stored articles share a URL (a constraint) or a text (copies in the corpus
    // itself are linked to their first occurrence, not stored twice).
    let links = store.entry_links().await.unwrap();
    assert_eq!(links.len(), ARTICLES);
    let by_entry: std::collections::HashMap<String, Option<String>> = links.into_iter().collect();
    for a in &o.state.articles {
        let url = o.article_url(a);
        let stored = by_entry
            .get(&url)
            .unwrap_or_else(|| panic!("article {} never seen", a.id));
        assert!(stored.is_some(), "article {} lost", a.id);
    }
    assert_eq!(
        store.duplicate_text_groups().await.unwrap(),
        0,
        "a text stored twice"
    );
    let stored = store.count_articles().await.unwrap();
    let copies = by_entry
        .iter()
        .filter(|(e, a)| a.as_deref() != Some(e.as_str()))
        .count();
    eprintln!(
        "{stored} articles stored; {copies} entries were copies of an earlier article in the corpus"
    );
    assert_eq!(stored as usize + copies, ARTICLES);
    assert!(
        store
            .jobs_in_state(tidings_store::JobState::Failed, 10)
            .await
            .unwrap()
            .is_empty(),
        "no job gave up"
    );
    // No page was fetched more than twice: once, plus at most one retry after a lease expired.
    let over: Vec<_> = o
        .all_hits()
        .into_iter()
        .filter(|(p, n)| p.contains("/news/") && *n > 2)
        .collect();
    assert!(over.is_empty(), "{over:?}");
    store.close().await;
}
