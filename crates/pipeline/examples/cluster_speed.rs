//! How fast stored articles are clustered into stories: runs the pipeline's
//! `cluster_pending` over a copy of a crawled database whose story
//! assignments were cleared. Figures in BENCHMARKS.md.
//!
//! `bash bench/cluster.sh DB` runs it on a copy of a kept `bench/crawl.sh` database,
//! or by hand: `cargo run --release -p tidings-pipeline --example cluster_speed -- DB`
//! on a copy of `tidings.db` after
//! `UPDATE articles SET story_id = NULL; DELETE FROM story_keys; DELETE FROM stories;`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a measurement tool: bad input should stop it loudly
use std::time::Instant;
use tidings_fetch::{FetchPolicy, Fetcher};
use tidings_pipeline::{Pipeline, PipelineConfig};
use tidings_store::{Store, StoreOptions};

#[tokio::main]
async fn main() {
    let db = std::env::args().nth(1).expect("usage: cluster_speed DB");
    let store = Store::open(&format!("sqlite://{db}"), &StoreOptions::default())
        .await
        .unwrap();
    let pending = store.unclustered_articles(1_000_000).await.unwrap().len();
    let fetcher = Fetcher::new(FetchPolicy::default()).unwrap();
    let pipeline = Pipeline::new(store.clone(), fetcher, PipelineConfig::default())
        .await
        .unwrap();
    let t = Instant::now();
    let placed = pipeline.cluster_pending().await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    let stories = store.count_stories().await.unwrap();
    println!(
        "{placed} of {pending} articles clustered into {stories} stories in {secs:.2} s: \
         {:.2} ms per article, {:.0} articles/s",
        secs * 1000.0 / placed.max(1) as f64,
        placed as f64 / secs
    );
    let mut t = pipeline.story_assign_micros().await;
    t.sort_unstable();
    let q = |p: f64| {
        t.get(((t.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    println!(
        "story assignment per article (candidates, profiles, decision): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        q(0.5),
        q(0.95),
        q(0.99),
        q(1.0)
    );
}
