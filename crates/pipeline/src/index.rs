//! Keeping a node's search index in step with the database: the one writer
//! follows the articles' change sequence (and deletions), commits in batches,
//! and catches up after downtime or from scratch.

use anyhow::{Context, Result};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tidings_search::{IndexDoc, Indexer, IndexerOptions, SearchIndex};
use tidings_store::{IndexRow, Store};
use tokio::sync::watch;

const BATCH: i64 = 500;
const COMMIT_DOCS: usize = 1000;
const COMMIT_EVERY: Duration = Duration::from_secs(1);

/// Follows the database into one index directory.
pub struct IndexFollower {
    store: Store,
    index: SearchIndex,
    /// True while the index is far behind (fresh or rebuilt): search says so.
    pub catching_up: Arc<AtomicBool>,
}

/// The document of a row: for an excerpt-only source only what its policy
/// shows, so no search snippet reveals more (the display policy in core).
fn doc(r: IndexRow) -> IndexDoc {
    let (body, description) = match r.display {
        tidings_core::DisplayPolicy::Full => (r.text, r.description),
        excerpt => (
            excerpt.apply("", &r.text).text(),
            r.description.as_deref().map(tidings_core::display::teaser),
        ),
    };
    IndexDoc {
        id: r.id,
        change_seq: r.change_seq,
        title: r.title,
        body,
        description,
        url: r.url,
        source_id: r.source_id,
        source_name: r.source_name,
        lang: r
            .language
            .map(|l| l.get(..2).unwrap_or("en").to_ascii_lowercase())
            .unwrap_or_else(|| "en".into()),
        topics: r.topics,
        keywords: r.keywords,
        published_ms: r.published_ms,
        story_id: r.story_id,
    }
}

impl IndexFollower {
    pub fn new(store: Store, index: SearchIndex, catching_up: bool) -> Self {
        IndexFollower {
            store,
            index,
            catching_up: Arc::new(AtomicBool::new(catching_up)),
        }
    }

    /// Apply every change after the index's last sequence number; returns how
    /// many documents were written. `progress(done, target_seq)` is called per batch.
    pub async fn catch_up(
        &self,
        writer: &mut Option<Indexer>,
        progress: &(dyn Fn(u64, i64) + Sync),
    ) -> Result<u64> {
        let target = self.store.article_change_seq().await?;
        let mut since = writer.as_ref().map(Indexer::last_seq).unwrap_or(0);
        let mut done = 0u64;
        let mut pending = 0usize;
        let mut last_commit = Instant::now();
        loop {
            let rows = self.store.articles_changed_since(since, BATCH).await?;
            let tombs = self.store.tombstones_since(since, BATCH).await?;
            if rows.is_empty() && tombs.is_empty() {
                break;
            }
            // Apply both streams up to the lower of their batch ends, so no change is skipped.
            let row_end = if rows.len() as i64 == BATCH {
                rows.last().map_or(i64::MAX, |r| r.change_seq)
            } else {
                i64::MAX
            };
            let tomb_end = if tombs.len() as i64 == BATCH {
                tombs.last().map_or(i64::MAX, |t| t.1)
            } else {
                i64::MAX
            };
            let end = row_end.min(tomb_end);
            let mut upserts = Vec::new();
            let mut deletes = Vec::new();
            let mut max_seq = since;
            for r in rows.into_iter().filter(|r| r.change_seq <= end) {
                max_seq = max_seq.max(r.change_seq);
                if r.hidden {
                    deletes.push(r.id)
                } else {
                    upserts.push(doc(r))
                }
            }
            for (id, seq) in tombs.into_iter().filter(|t| t.1 <= end) {
                max_seq = max_seq.max(seq);
                deletes.push(id);
            }
            let n = upserts.len() + deletes.len();
            let mut w = writer.take().context("index writer closed")?;
            let (w, res) = tokio::task::spawn_blocking(move || {
                let r = w.upsert(&upserts).and_then(|()| w.delete(&deletes));
                (w, r)
            })
            .await?;
            *writer = Some(w);
            res?;
            done += n as u64;
            pending += n;
            since = max_seq;
            if pending >= COMMIT_DOCS || last_commit.elapsed() >= COMMIT_EVERY {
                self.commit(writer, since).await?;
                pending = 0;
                last_commit = Instant::now();
                progress(done, target);
            }
        }
        if pending > 0 || writer.as_ref().is_some_and(|w| w.last_seq() < since) {
            self.commit(writer, since).await?;
        }
        progress(done, target);
        Ok(done)
    }

    async fn commit(&self, writer: &mut Option<Indexer>, seq: i64) -> Result<()> {
        let mut w = writer.take().context("index writer closed")?;
        let (w, res) = tokio::task::spawn_blocking(move || {
            let r = w.commit(seq);
            (w, r)
        })
        .await?;
        *writer = Some(w);
        res?;
        Ok(())
    }

    /// Follow the database until `stop`: catch up, then poll for changes.
    pub async fn run(self, mut stop: watch::Receiver<bool>) -> Result<()> {
        let mut writer = Some(self.index.indexer(IndexerOptions::default())?);
        loop {
            match self.catch_up(&mut writer, &|_, _| {}).await {
                Ok(n) => {
                    if self.catching_up.swap(false, Ordering::Relaxed) {
                        tracing::info!("search index is up to date");
                    }
                    if n > 0 {
                        tracing::debug!("indexed {n} changes");
                    }
                }
                Err(e) => tracing::warn!("indexing failed: {e:#}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(300)) => {}
                _ = stop.wait_for(|s| *s) => break,
            }
        }
        if let Some(w) = writer {
            tokio::task::spawn_blocking(move || w.close()).await??;
        }
        Ok(())
    }

    /// Drop everything and index the whole database again (`tidings reindex`).
    pub async fn rebuild(&self, progress: &(dyn Fn(u64, i64) + Sync)) -> Result<u64> {
        let mut w = self.index.indexer(IndexerOptions {
            threads: 2,
            memory_bytes: 256 * 1024 * 1024,
        })?;
        let w = tokio::task::spawn_blocking(move || {
            let r = w.delete_all().and_then(|()| w.commit(0));
            r.map(|()| w)
        })
        .await??;
        let mut writer = Some(w);
        let n = self.catch_up(&mut writer, progress).await?;
        if let Some(w) = writer {
            tokio::task::spawn_blocking(move || w.close()).await??;
        }
        Ok(n)
    }
}
