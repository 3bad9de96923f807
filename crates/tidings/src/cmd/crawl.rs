//! `tidings crawl [--once]`: the crawler without the web server.

use crate::cli::CrawlArgs;
use crate::config::Config;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Duration;

pub async fn run(args: CrawlArgs, config: Config) -> Result<()> {
    let store = super::open_store(&config).await?;
    let node_id = super::serve::node_id();
    store
        .register_node(
            &node_id,
            "crawler",
            &super::serve::hostname(),
            i64::from(std::process::id()),
        )
        .await?;
    // Keep the search index current as articles arrive (related articles use it),
    // unless a running server on this data dir already owns its writer.
    let (index, follower) = super::open_search(&config, &store)?;
    let (stop_index, index_rx) = tokio::sync::watch::channel(false);
    let indexer = follower.map(|f| tokio::spawn(f.run(index_rx)));
    let pipeline = super::pipeline(&config, store.clone(), &node_id)
        .await?
        .with_search(index);
    let result = if args.once {
        once(&pipeline).await
    } else {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let runner = {
            let p = pipeline.clone();
            tokio::spawn(async move { p.run(rx, true).await })
        };
        let sig = super::serve::shutdown_signal().await;
        tracing::info!("{sig}: stopping the crawler");
        let _ = tx.send(true);
        runner.await?
    };
    let _ = stop_index.send(true);
    if let Some(i) = indexer {
        match i.await {
            Ok(Err(e)) => tracing::info!("search index not updated by this run: {e:#}"),
            Err(e) => tracing::warn!("search indexing task failed: {e}"),
            Ok(Ok(())) => {}
        }
    }
    let _ = store.unregister_node(&node_id).await;
    store.close().await;
    result
}

async fn once(pipeline: &tidings_pipeline::Pipeline) -> Result<()> {
    let due = pipeline.schedule_due().await?;
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(Duration::from_millis(200));
    pb.set_message(format!("polling {due} sources"));
    let stats = pipeline
        .drain(&|s, pending| {
            pb.set_message(format!(
                "polled {}/{due} sources, {} new articles, {} duplicates, {} errors, {pending} jobs left",
                s.polls,
                s.articles_new + s.articles_feed_only,
                s.duplicates,
                s.poll_errors + s.article_errors
            ));
        })
        .await?;
    pb.finish_and_clear();
    println!(
        "polled {} sources ({} unchanged): {} new articles ({} from feed content only), {} new feed entries, {} updated, {} duplicates, {} errors",
        stats.polls,
        stats.polls_not_modified,
        stats.articles_new + stats.articles_feed_only,
        stats.articles_feed_only,
        stats.entries_new,
        stats.entries_updated,
        stats.duplicates,
        stats.poll_errors + stats.article_errors
    );
    Ok(())
}
