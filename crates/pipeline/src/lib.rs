//! The pipeline: the only crate that chains the stages. It schedules source
//! polls, runs persisted jobs from a bounded worker pool, and for each job
//! calls fetch -> extract -> understand -> store.
//!
//! Every job is idempotent: a poll is keyed by source and due time, an article
//! by its canonical URL, and every write re-checks what is already stored, so
//! a job killed half-way (kill -9) and run again by another worker does no
//! harm.

mod article;
pub mod cluster;
pub mod discover;
pub mod index;
pub mod inline;
pub mod media;
mod refresh;
mod related;
pub mod rules;
mod schedule;

pub use article::ArticleOutcome;
pub use refresh::PollOutcome;
pub use schedule::{next_interval, retry_delay};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tidings_core::{SourceId, now_ms};
use tidings_fetch::Fetcher;
use tidings_store::{ClaimedJob, NewJob, Store};
use tidings_understand::DfStats;
use tokio::sync::watch;
use tokio::task::JoinSet;

pub const JOB_POLL: &str = "poll";
pub const JOB_ARTICLE: &str = "article";
pub const JOB_CLUSTER: &str = "cluster";
pub const JOB_MEDIA: &str = "media";
pub const JOB_RELATED: &str = "related";

#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub node_id: String,
    /// Jobs run at once in this process.
    pub workers: usize,
    pub min_poll: Duration,
    pub max_poll: Duration,
    /// How long a claimed job is ours without renewal; a killed worker's jobs
    /// are picked up again after this.
    pub lease: Duration,
    /// Attempts for an article page before it is stored from the feed alone.
    pub article_attempts: i64,
    /// Pause between claims when the queue is empty.
    pub idle_wait: Duration,
    /// Where cached images go (None: images are not fetched).
    pub media_dir: Option<std::path::PathBuf>,
    /// The most one piece of CPU work on untrusted input (parsing a feed or
    /// sitemap, extracting a page, decoding an image) may take; past it the job
    /// fails with [`OverBudget`] and its source says so.
    pub cpu_budget: Duration,
    /// Keep each article's fetched page (compressed) for extracting it again.
    pub keep_pages: bool,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            node_id: "local".into(),
            workers: 8,
            min_poll: Duration::from_secs(300),
            max_poll: Duration::from_secs(6 * 3600),
            lease: Duration::from_secs(60),
            article_attempts: 3,
            idle_wait: Duration::from_millis(500),
            media_dir: None,
            cpu_budget: Duration::from_secs(20),
            keep_pages: true,
        }
    }
}

fn seconds(d: &Duration) -> String {
    match d.as_secs() {
        1 => "1-second".into(),
        0 => format!("{} ms", d.as_millis()),
        n => format!("{n}-second"),
    }
}

/// CPU work that ran past [`PipelineConfig::cpu_budget`].
#[derive(Debug, thiserror::Error)]
#[error("{what} took longer than its {} budget; given up", seconds(.budget))]
pub struct OverBudget {
    pub what: &'static str,
    pub budget: Duration,
}

/// Counters for progress bars, summaries and metrics.
#[derive(Debug, Default)]
pub struct Stats {
    pub polls: AtomicU64,
    pub polls_not_modified: AtomicU64,
    pub poll_errors: AtomicU64,
    pub entries_new: AtomicU64,
    pub entries_updated: AtomicU64,
    pub articles_new: AtomicU64,
    pub articles_feed_only: AtomicU64,
    pub duplicates: AtomicU64,
    pub article_errors: AtomicU64,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub polls: u64,
    pub polls_not_modified: u64,
    pub poll_errors: u64,
    pub entries_new: u64,
    pub entries_updated: u64,
    pub articles_new: u64,
    pub articles_feed_only: u64,
    pub duplicates: u64,
    pub article_errors: u64,
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        StatsSnapshot {
            polls: g(&self.polls),
            polls_not_modified: g(&self.polls_not_modified),
            poll_errors: g(&self.poll_errors),
            entries_new: g(&self.entries_new),
            entries_updated: g(&self.entries_updated),
            articles_new: g(&self.articles_new),
            articles_feed_only: g(&self.articles_feed_only),
            duplicates: g(&self.duplicates),
            article_errors: g(&self.article_errors),
        }
    }
}

pub(crate) fn bump(a: &AtomicU64, n: u64) {
    a.fetch_add(n, Ordering::Relaxed);
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PollPayload {
    pub source_id: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ArticlePayload {
    pub url: String,
    pub source_id: i64,
}

/// Cheap to clone; clones share counters and term statistics.
#[derive(Clone)]
pub struct Pipeline {
    pub(crate) store: Store,
    pub(crate) fetcher: Fetcher,
    pub(crate) cfg: Arc<PipelineConfig>,
    pub(crate) df: Arc<RwLock<DfStats>>,
    pub(crate) stats: Arc<Stats>,
    /// Clustering is online and order-dependent: one run at a time per process.
    /// Holds the story profiles it has read.
    pub(crate) clustering: Arc<tokio::sync::Mutex<cluster::ProfileCache>>,
    /// This node's search index, for more-like-this candidates.
    pub(crate) search: Option<tidings_search::SearchIndex>,
    /// One permit per core for CPU-bound work (see [`Pipeline::on_cpu`]).
    pub(crate) cpu: Arc<tokio::sync::Semaphore>,
}

const DF_SETTING: &str = "understand.df_stats";

/// How long a full worker pool waits for more free slots before claiming.
const CLAIM_GATHER: Duration = Duration::from_millis(20);

impl Pipeline {
    pub async fn new(store: Store, fetcher: Fetcher, cfg: PipelineConfig) -> Result<Pipeline> {
        let df = match store.get_setting(DF_SETTING).await? {
            Some(s) => serde_json::from_str(&s).unwrap_or_else(|e| {
                tracing::warn!("stored term statistics unreadable ({e}); starting afresh");
                DfStats::new()
            }),
            None => DfStats::new(),
        };
        Ok(Pipeline {
            store,
            fetcher,
            cfg: Arc::new(cfg),
            df: Arc::new(RwLock::new(df)),
            stats: Arc::new(Stats::default()),
            clustering: Arc::new(tokio::sync::Mutex::new(cluster::ProfileCache::default())),
            search: None,
            cpu: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            )),
        })
    }

    /// Run CPU-bound work (extraction, analysis, ranking, image encoding) off
    /// the async workers, at most one piece per core at once. Run inline, it
    /// stalled the async workers that drive database transactions; run
    /// unbounded, 16 workers' extractions time-sliced the cores while SQLite's
    /// single writer sat in a transaction whose next statement waited for a
    /// turn on a core.
    ///
    /// `what` names the work for the error when it runs past the CPU budget.
    /// The caller then gets [`OverBudget`] while the thread finishes on its own
    /// (threads cannot be stopped); it keeps its core's permit until then, so
    /// runaway work never takes more than its share of the cores.
    pub(crate) async fn on_cpu<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        let permit = self.cpu.clone().acquire_owned().await?;
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        });
        match tokio::time::timeout(self.cfg.cpu_budget, task).await {
            Ok(done) => Ok(done?),
            Err(_) => Err(OverBudget {
                what,
                budget: self.cfg.cpu_budget,
            }
            .into()),
        }
    }

    /// Use this node's search index for related articles.
    pub fn with_search(mut self, index: tidings_search::SearchIndex) -> Self {
        self.search = Some(index);
        self
    }

    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Save the term statistics (document frequencies) the analysis learns from.
    pub async fn save_state(&self) -> Result<()> {
        let json = {
            let df = self
                .df
                .read()
                .map_err(|_| anyhow::anyhow!("term statistics lock poisoned"))?;
            serde_json::to_string(&*df)?
        };
        self.store.set_setting(DF_SETTING, &json).await?;
        Ok(())
    }

    /// Enqueue a poll for every source that is due. The job key includes the
    /// due time, so several nodes scheduling at once enqueue each poll once.
    pub async fn schedule_due(&self) -> Result<usize> {
        let now = now_ms();
        let due = self.store.due_sources(now, 1000).await?;
        let mut n = 0;
        for s in due {
            let job = NewJob::new(
                JOB_POLL,
                serde_json::json!(PollPayload { source_id: s.id.0 }),
            )
            .key(format!("poll:{}:{}", s.id.0, now))
            .priority(10)
            .max_attempts(3);
            // Hold the source for a while: if every attempt of this poll dies,
            // it comes due again rather than never.
            let hold = i64::try_from(self.cfg.lease.as_millis()).unwrap_or(60_000) * 10;
            if self
                .store
                .schedule_poll(s.id, s.next_fetch_at, hold, &job)
                .await?
            {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Enqueue a poll of one source now (used by `crawl --once` and the admin UI).
    pub async fn poll_now(&self, source: SourceId) -> Result<bool> {
        let job = NewJob::new(
            JOB_POLL,
            serde_json::json!(PollPayload {
                source_id: source.0
            }),
        )
        .key(format!("poll:{}:now:{}", source.0, now_ms()))
        .priority(10)
        .max_attempts(1);
        Ok(self.store.enqueue(&job).await?.is_some())
    }

    /// Run jobs until `stop` turns true: claim up to the free worker slots,
    /// run each in its own task, renew leases, schedule due sources.
    pub async fn run(&self, mut stop: watch::Receiver<bool>, schedule: bool) -> Result<()> {
        let mut running: JoinSet<()> = JoinSet::new();
        let mut last_schedule = 0i64;
        let mut last_upkeep = 0i64;
        let lease_ms = i64::try_from(self.cfg.lease.as_millis()).unwrap_or(60_000);
        loop {
            if *stop.borrow() {
                break;
            }
            let now = now_ms();
            if now - last_schedule > 2_000 {
                last_schedule = now;
                if schedule && let Err(e) = self.schedule_due().await {
                    tracing::warn!("scheduling failed: {e:#}");
                }
                // New articles join stories in sweeps a few seconds apart.
                if let Err(e) = self.enqueue_cluster_sweep(now / 5_000).await {
                    tracing::warn!("scheduling clustering failed: {e:#}");
                }
            }
            if now - last_upkeep > lease_ms / 4 {
                last_upkeep = now;
                if let Err(e) = self.store.extend_leases(&self.cfg.node_id, lease_ms).await {
                    tracing::warn!("lease renewal failed: {e}");
                }
                if let Err(e) = self.store.release_expired_jobs().await {
                    tracing::warn!("job recovery failed: {e}");
                }
            }
            while running.try_join_next().is_some() {}
            let free = self.cfg.workers.saturating_sub(running.len());
            let mut claimed = Vec::new();
            if free > 0 {
                match self
                    .store
                    .claim_jobs(
                        &self.cfg.node_id,
                        &[
                            JOB_POLL,
                            JOB_ARTICLE,
                            JOB_CLUSTER,
                            JOB_MEDIA,
                            JOB_RELATED,
                            tidings_core::jobs::REEXTRACT,
                            tidings_core::jobs::RULE_PREVIEW,
                        ],
                        i64::try_from(free).unwrap_or(1),
                        lease_ms,
                    )
                    .await
                {
                    Ok(jobs) => claimed = jobs,
                    Err(e) => tracing::warn!("claiming jobs failed: {e}"),
                }
            }
            let got = claimed.len();
            for job in claimed {
                let me = self.clone();
                running.spawn(async move { me.run_job(job).await });
            }
            if got == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(self.cfg.idle_wait) => {}
                    _ = running.join_next(), if !running.is_empty() => {}
                    _ = stop.changed() => {}
                }
            } else if running.len() >= self.cfg.workers {
                tokio::select! {
                    _ = running.join_next() => {}
                    _ = stop.changed() => {}
                }
                // Then wait briefly for a few more slots: claiming is a write,
                // and claiming one job per freed slot made it one per job.
                let want = (self.cfg.workers / 4).max(1);
                let until = tokio::time::Instant::now() + CLAIM_GATHER;
                while self.cfg.workers.saturating_sub(running.len()) < want
                    && let Ok(Some(_)) = tokio::time::timeout_at(until, running.join_next()).await
                {
                }
            }
        }
        // Let in-flight jobs finish briefly; anything left is released for others.
        let drain = tokio::time::timeout(Duration::from_secs(10), async {
            while running.join_next().await.is_some() {}
        })
        .await;
        if drain.is_err() {
            running.abort_all();
        }
        let released = self.store.release_node_jobs(&self.cfg.node_id).await?;
        if released > 0 {
            tracing::info!("released {released} claimed jobs");
        }
        self.save_state().await.context("saving term statistics")?;
        Ok(())
    }

    /// Run queued work until none is left that can run now (`tidings crawl
    /// --once`, after `schedule_due`). `progress` is called as work completes.
    pub async fn drain(
        &self,
        progress: &(dyn Fn(StatsSnapshot, i64) + Sync),
    ) -> Result<StatsSnapshot> {
        loop {
            let (stop_tx, stop_rx) = watch::channel(false);
            let runner = {
                let me = self.clone();
                tokio::spawn(async move { me.run(stop_rx, false).await })
            };
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                // Work that can run now; retries scheduled for later do not hold this run.
                let pending = self.store.pending_jobs(now_ms() + 5_000).await?;
                progress(self.stats(), pending);
                if pending == 0 {
                    break;
                }
            }
            let _ = stop_tx.send(true);
            runner.await.context("crawler task")??;
            // Articles stored after the last sweep was queued; placing them in
            // stories queues their related articles, which this run computes too.
            self.cluster_pending().await?;
            if self.store.pending_jobs(now_ms() + 5_000).await? == 0 {
                return Ok(self.stats());
            }
        }
    }

    async fn run_job(&self, job: ClaimedJob) {
        let node = self.cfg.node_id.clone();
        let started = std::time::Instant::now();
        let kind = job.kind.clone();
        let result = match job.kind.as_str() {
            JOB_POLL => match serde_json::from_value::<PollPayload>(job.payload.clone()) {
                Ok(p) => self.refresh_source(SourceId(p.source_id)).await.map(|_| ()),
                Err(e) => Err(anyhow::anyhow!("bad poll payload: {e}")),
            },
            JOB_ARTICLE => match serde_json::from_value::<ArticlePayload>(job.payload.clone()) {
                Ok(p) => self
                    .ingest_url(
                        &p.url,
                        SourceId(p.source_id),
                        job.attempts,
                        job.max_attempts,
                        Some((job.id, &node)),
                    )
                    .await
                    .map(|_| ()),
                Err(e) => Err(anyhow::anyhow!("bad article payload: {e}")),
            },
            JOB_CLUSTER => self.cluster_pending().await.map(|_| ()),
            JOB_RELATED => match job
                .payload
                .get("article_id")
                .and_then(serde_json::Value::as_i64)
            {
                Some(id) => self.compute_related(tidings_core::ArticleId(id)).await,
                None => Err(anyhow::anyhow!("bad related payload")),
            },
            JOB_MEDIA => match serde_json::from_value::<media::MediaPayload>(job.payload.clone()) {
                Ok(p) => self.fetch_media(&p).await,
                Err(e) => Err(anyhow::anyhow!("bad media payload: {e}")),
            },
            tidings_core::jobs::REEXTRACT => {
                match serde_json::from_value::<tidings_core::jobs::Reextract>(job.payload.clone()) {
                    Ok(p) => self.reextract_batch(&p).await,
                    Err(e) => Err(anyhow::anyhow!("bad reextract payload: {e}")),
                }
            }
            tidings_core::jobs::RULE_PREVIEW => {
                match serde_json::from_value::<tidings_core::jobs::RulePreview>(job.payload.clone())
                {
                    Ok(p) => self.rule_preview(&p).await,
                    Err(e) => Err(anyhow::anyhow!("bad rule preview payload: {e}")),
                }
            }
            other => Err(anyhow::anyhow!("unknown job kind `{other}`")),
        };
        metrics::histogram!("tidings_job_seconds", "kind" => kind.clone())
            .record(started.elapsed().as_secs_f64());
        let outcome = match result {
            // An article job is marked done by its own transaction.
            Ok(()) if kind == JOB_ARTICLE => Ok(()),
            Ok(()) => self.store.complete_job(job.id, &node).await.map(|_| ()),
            Err(e) => {
                tracing::warn!(job = job.id.0, kind = %kind, "job failed: {e:#}");
                metrics::counter!("tidings_job_failures_total", "kind" => kind).increment(1);
                self.store
                    .fail_job(job.id, &node, &format!("{e:#}"))
                    .await
                    .map(|_| ())
            }
        };
        if let Err(e) = outcome {
            tracing::error!(job = job.id.0, "cannot record job outcome: {e}");
        }
    }
}

/// Per-host turns kept in the database, so politeness holds across every
/// crawler process that shares it.
pub struct StoreGate(pub Store);

impl tidings_fetch::HostGate for StoreGate {
    fn wait_turn<'a>(
        &'a self,
        host: &'a str,
        delay: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>> {
        Box::pin(async move {
            let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 4);
            match self.0.reserve_host_slot(host, delay_ms).await {
                Ok(start) => {
                    let wait = start - now_ms();
                    if wait > 0 {
                        tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0)))
                            .await;
                    }
                }
                // Without the database, fall back to waiting one delay: never hammer.
                Err(e) => {
                    tracing::warn!("host turn from the database failed: {e}");
                    tokio::time::sleep(delay).await;
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pipeline(budget: Duration) -> (Pipeline, tidings_store::testing::TestDb) {
        let db = tidings_store::testing::sqlite().await;
        let fetcher = Fetcher::new(tidings_fetch::FetchPolicy::default()).unwrap();
        let cfg = PipelineConfig {
            cpu_budget: budget,
            ..Default::default()
        };
        let p = Pipeline::new(db.store.clone(), fetcher, cfg).await.unwrap();
        (p, db)
    }

    #[tokio::test]
    async fn cpu_work_past_its_budget_fails_with_a_clear_error_and_keeps_its_core() {
        let (p, _db) = pipeline(Duration::from_millis(50)).await;
        let cores = p.cpu.available_permits();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        // Work that cannot finish until we say so: it is over budget for sure.
        let e = p
            .on_cpu("parsing the feed", move || {
                let _ = rx.recv();
            })
            .await
            .unwrap_err();
        let over = e.downcast_ref::<OverBudget>().expect("an OverBudget error");
        assert_eq!(over.what, "parsing the feed");
        assert_eq!(
            e.to_string(),
            "parsing the feed took longer than its 50 ms budget; given up"
        );
        // The runaway thread still holds its core's permit ...
        assert_eq!(p.cpu.available_permits(), cores - 1);
        tx.send(()).unwrap();
        // ... until it finishes.
        for _ in 0..500 {
            if p.cpu.available_permits() == cores {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(p.cpu.available_permits(), cores);
        // Work within its budget returns its value.
        let (p, _db) = pipeline(Duration::from_secs(30)).await;
        assert_eq!(p.on_cpu("adding", || 2 + 2).await.unwrap(), 4);
    }
}
