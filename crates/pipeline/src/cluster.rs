//! Story clustering: each stored article joins the story of the same event or
//! starts one. Online and order-dependent, so articles are clustered oldest
//! first, serialised against all other clustering.
//!
//! A run of articles shares one transaction, and the story profiles read are
//! kept parsed between runs, stamped with the story's change sequence so a
//! story changed by another node is read again. One article per transaction,
//! re-reading and re-parsing up to 50 candidate profiles each time, cost
//! 7.9 ms per article outside a crawl (`examples/cluster_speed.rs`).

use std::collections::HashMap;

use crate::{JOB_CLUSTER, Pipeline};
use anyhow::Result;
use tidings_core::{ArticleId, StoryId};
use tidings_store::{ClusterTx, NewJob};
use tidings_understand::stories::{StoryCandidate, WINDOW_MS};
use tidings_understand::{
    ArticleFeatures, Decision, StoryProfile, assign, blob, representative_headline,
};

/// Candidate stories looked at per article (most shared keys first).
const CANDIDATES: i64 = 50;
/// Articles read per round.
const BATCH: i64 = 500;
/// Articles placed per transaction: enough to share the work of a commit,
/// few enough not to hold the database's writer for long.
const PER_TX: usize = 50;
/// Parsed profiles kept between runs (~3 KB each); past this the cache starts
/// over. Three days of a busy site's stories fit.
const CACHED_PROFILES: usize = 10_000;

/// Story profiles kept parsed between clustering runs of this process.
#[derive(Default)]
pub(crate) struct ProfileCache {
    stories: HashMap<StoryId, CachedProfile>,
    /// Time each article took to place (candidate lookup, profile reads, the
    /// decision), in microseconds, newest last; for the clustering benchmark.
    assign_micros: Vec<u32>,
}

/// Placement times kept (the oldest half is dropped past this).
const ASSIGN_TIMES: usize = 200_000;

struct CachedProfile {
    /// The story's change sequence when read (0: changed in the open transaction).
    seq: i64,
    profile: StoryProfile,
}

/// An article ready to be placed.
struct Pending {
    id: ArticleId,
    at: i64,
    keys: Vec<i64>,
    features: ArticleFeatures,
}

impl Pipeline {
    /// A periodic clustering run (idempotent per `slot`), only when work waits.
    pub(crate) async fn enqueue_cluster_sweep(&self, slot: i64) -> Result<()> {
        if self.store.unclustered_articles(1).await?.is_empty() {
            return Ok(());
        }
        let job = NewJob::new(JOB_CLUSTER, serde_json::json!({}))
            .key(format!("cluster:sweep:{slot}"))
            .priority(5)
            .max_attempts(5);
        self.store.enqueue(&job).await?;
        Ok(())
    }

    /// Cluster every article that has no story yet. Returns how many were placed.
    /// When another run is active in this process, return at once: it will
    /// reach these articles (and the periodic sweep catches stragglers).
    pub async fn cluster_pending(&self) -> Result<usize> {
        let Ok(mut cache) = self.clustering.try_lock() else {
            return Ok(0);
        };
        let mut placed = 0;
        loop {
            let batch = self.store.unclustered_articles(BATCH).await?;
            if batch.is_empty() {
                return Ok(placed);
            }
            let n = batch.len();
            let pending: Vec<Pending> = batch
                .into_iter()
                .filter_map(|a| {
                    let features = blob::decode::<ArticleFeatures>(a.features.as_deref()?)
                        .map_err(|_| {
                            tracing::warn!(article = a.id.0, "unreadable features; not clustered");
                        })
                        .ok()?;
                    let keys = features
                        .lookup_keys()
                        .into_iter()
                        .map(|k| i64::from_ne_bytes(k.to_ne_bytes()))
                        .collect();
                    Some(Pending {
                        id: a.id,
                        at: a.published_at.unwrap_or(a.created_at),
                        keys,
                        features,
                    })
                })
                .collect();
            for chunk in pending.chunks(PER_TX) {
                if cache.stories.len() > CACHED_PROFILES {
                    cache.stories.clear();
                }
                match self.cluster_chunk(&mut cache, chunk).await {
                    Ok(n) => placed += n,
                    Err(e) => {
                        // Profiles changed in the rolled-back transaction are wrong now.
                        cache.stories.clear();
                        return Err(e);
                    }
                }
            }
            if n < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                return Ok(placed);
            }
        }
    }

    /// Place a run of articles in one transaction; then refresh the headlines
    /// of the stories they joined. Returns how many were placed.
    async fn cluster_chunk(&self, cache: &mut ProfileCache, chunk: &[Pending]) -> Result<usize> {
        let mut tx = self.store.begin_clustering().await?;
        // Stories changed in this transaction, with their member count before.
        let mut changed: HashMap<StoryId, u32> = HashMap::new();
        let mut placed = 0;
        for a in chunk {
            if !tx.is_unclustered(a.id).await? {
                continue;
            }
            let t = std::time::Instant::now();
            let story = place(&mut tx, cache, &mut changed, a).await?;
            let took = t.elapsed();
            metrics::histogram!("tidings_story_assign_seconds").record(took.as_secs_f64());
            if cache.assign_micros.len() >= ASSIGN_TIMES {
                cache.assign_micros.drain(..ASSIGN_TIMES / 2);
            }
            cache
                .assign_micros
                .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
            tx.add_article(a.id, story, a.at, &a.keys).await?;
            // Related articles leave out the article's own story: compute them now.
            if let Some(job) = self.related_job(a.id) {
                tx.enqueue(&job).await?;
            }
            placed += 1;
        }
        let mut profiles = Vec::with_capacity(changed.len());
        for id in changed.keys() {
            if let Some(c) = cache.stories.get(id) {
                profiles.push((*id, blob::encode(&c.profile)?));
            }
        }
        let seq = tx.commit(&profiles).await?;
        for (id, before) in &changed {
            let Some(c) = cache.stories.get_mut(id) else {
                continue;
            };
            c.seq = seq;
            // Small stories every time; big ones when they pass a tenth
            // member, as a few more articles change little.
            let n = c.profile.articles;
            if n >= 2 && (n <= 20 || n / 10 != before / 10) {
                self.refresh_headline(*id, &c.profile).await?;
            }
        }
        Ok(placed)
    }

    /// Re-choose a story's headline from its (newest 50) members.
    async fn refresh_headline(&self, story: StoryId, profile: &StoryProfile) -> Result<()> {
        let Some(row) = self.store.story(story).await? else {
            return Ok(());
        };
        let members = self.store.story_member_features(story, 50).await?;
        let parsed: Vec<(ArticleId, ArticleFeatures)> = members
            .into_iter()
            .filter_map(|(id, _, b)| blob::decode::<ArticleFeatures>(&b).ok().map(|f| (id, f)))
            .collect();
        let refs: Vec<&ArticleFeatures> = parsed.iter().map(|(_, f)| f).collect();
        if let Some(i) = representative_headline(profile, &refs)
            && let Some((id, f)) = parsed.get(i)
            && f.title != row.title
        {
            self.store.set_story_headline(story, &f.title, *id).await?;
        }
        Ok(())
    }
}

/// Choose the story of one article (reading the candidate profiles the cache
/// lacks or holds outdated) and update its profile in the cache.
async fn place(
    tx: &mut ClusterTx,
    cache: &mut ProfileCache,
    changed: &mut HashMap<StoryId, u32>,
    a: &Pending,
) -> Result<StoryId> {
    let since = a.at.saturating_sub(WINDOW_MS);
    let ids = tx.story_candidates(&a.keys, since, CANDIDATES).await?;
    // A story changed in this transaction still shows its old sequence here.
    let unread: Vec<StoryId> = ids
        .iter()
        .filter(|(id, seq)| {
            !changed.contains_key(id) && cache.stories.get(id).is_none_or(|c| c.seq != *seq)
        })
        .map(|(id, _)| *id)
        .collect();
    let seqs: HashMap<StoryId, i64> = ids.iter().copied().collect();
    for (id, blob) in tx.story_profiles(&unread).await? {
        match blob::decode::<StoryProfile>(&blob) {
            Ok(profile) => {
                let seq = seqs.get(&id).copied().unwrap_or_default();
                cache.stories.insert(id, CachedProfile { seq, profile });
            }
            Err(e) => tracing::warn!(story = id.0, "unreadable story profile: {e}"),
        }
    }
    let candidates: Vec<StoryCandidate<'_>> = ids
        .iter()
        .filter_map(|(id, _)| {
            cache.stories.get(id).map(|c| StoryCandidate {
                story: *id,
                profile: &c.profile,
            })
        })
        .collect();
    Ok(match assign(&a.features, &[], &candidates) {
        Decision::Join { story, .. } => {
            if let Some(c) = cache.stories.get_mut(&story) {
                changed.entry(story).or_insert(c.profile.articles);
                c.profile.add(&a.features, false);
            }
            story
        }
        // Copies are never stored as articles (they are linked at ingest).
        Decision::New | Decision::Copy { .. } => {
            let profile = StoryProfile::new(&a.features);
            let encoded = blob::encode(&profile)?;
            let story = tx
                .new_story(a.id, &a.features.title, a.at, &encoded)
                .await?;
            changed.insert(story, 0);
            cache
                .stories
                .insert(story, CachedProfile { seq: 0, profile });
            story
        }
    })
}

/// What `tidings recluster` is doing, for its progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReclusterPhase {
    Reading,
    Clustering,
    Writing,
}

/// A stored article as re-clustering sees it.
struct Stored {
    id: ArticleId,
    at: i64,
    /// Its story before.
    old: Option<StoryId>,
    features: ArticleFeatures,
}

/// What a re-clustering did.
#[derive(Debug, Clone, Default)]
pub struct ReclusterReport {
    pub articles: usize,
    /// Articles whose stored features could not be read (left without a story).
    pub unreadable: usize,
    pub stories_before: i64,
    pub stories: usize,
    /// Stories with two or more articles.
    pub multi: usize,
    pub largest: usize,
    /// Digests and round-ups, kept apart.
    pub digests: usize,
    pub outcome: tidings_store::ReclusterOutcome,
}

impl Pipeline {
    /// How long this process took to place each recent article in a story
    /// (microseconds, oldest first).
    pub async fn story_assign_micros(&self) -> Vec<u32> {
        self.clustering.lock().await.assign_micros.clone()
    }

    /// Rebuild every story with the current clustering method: all stored
    /// articles are clustered again oldest first, in memory, and the result
    /// written in one transaction. A new story keeps the id of the old story
    /// most of its articles came from (when no bigger one claimed it), so
    /// links, comments and followers stay with the event.
    pub async fn recluster(
        &self,
        progress: &(dyn Fn(ReclusterPhase, u64, u64) + Sync),
    ) -> Result<ReclusterReport> {
        let mut report = ReclusterReport {
            stories_before: self.store.count_stories().await?,
            ..Default::default()
        };
        let total = u64::try_from(self.store.count_articles().await?).unwrap_or(0);
        let mut articles: Vec<Stored> = Vec::new();
        let mut after = ArticleId(0);
        let mut read = 0u64;
        loop {
            let page = self.store.clusterable_articles(after, 2_000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for a in page {
                read += 1;
                match a.features.as_deref().map(blob::decode::<ArticleFeatures>) {
                    Some(Ok(features)) => articles.push(Stored {
                        id: a.id,
                        at: a.at,
                        old: a.story,
                        features,
                    }),
                    _ => report.unreadable += 1,
                }
            }
            progress(ReclusterPhase::Reading, read, total.max(read));
        }
        articles.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        report.articles = articles.len();

        let n = u64::try_from(articles.len()).unwrap_or(0);
        let mut clusterer = tidings_understand::stories::Clusterer::new();
        let mut members: Vec<Vec<&Stored>> = Vec::new();
        for (i, a) in articles.iter().enumerate() {
            let s = clusterer.place(&a.features);
            if members.len() <= s {
                members.resize_with(s + 1, Vec::new);
            }
            if let Some(m) = members.get_mut(s) {
                m.push(a);
            }
            if i % 500 == 0 {
                progress(ReclusterPhase::Clustering, i as u64, n);
            }
        }
        progress(ReclusterPhase::Clustering, n, n);

        // Old ids go to the biggest new story holding most of their articles.
        let mut order: Vec<(usize, &Vec<&Stored>)> = members.iter().enumerate().collect();
        order.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let mut taken: HashMap<StoryId, usize> = HashMap::new();
        for (s, m) in &order {
            let mut counts: HashMap<StoryId, usize> = HashMap::new();
            for a in m.iter() {
                if let Some(old) = a.old {
                    *counts.entry(old).or_default() += 1;
                }
            }
            let mut c: Vec<(StoryId, usize)> = counts.into_iter().collect();
            c.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            if let Some((old, _)) = c.into_iter().find(|(old, _)| !taken.contains_key(old)) {
                taken.insert(old, *s);
            }
        }
        let reuse: HashMap<usize, StoryId> = taken.iter().map(|(old, s)| (*s, *old)).collect();
        // Comments of an old story that does not continue follow most of its articles.
        let mut old_to_new: HashMap<StoryId, HashMap<usize, usize>> = HashMap::new();
        for (s, m) in members.iter().enumerate() {
            for a in m {
                if let Some(old) = a.old
                    && !taken.contains_key(&old)
                {
                    *old_to_new.entry(old).or_default().entry(s).or_default() += 1;
                }
            }
        }

        let profiles = clusterer.profiles();
        let mut plan = Vec::with_capacity(members.len());
        let mut plan_index: HashMap<usize, usize> = HashMap::new();
        for ((s, m), profile) in members.iter().enumerate().zip(profiles) {
            let Some(first_member) = m.first() else {
                continue;
            };
            let feats: Vec<&ArticleFeatures> = m.iter().map(|a| &a.features).collect();
            let lead = representative_headline(profile, &feats)
                .and_then(|k| m.get(k))
                .unwrap_or(first_member);
            plan_index.insert(s, plan.len());
            report.multi += usize::from(m.len() > 1);
            report.largest = report.largest.max(m.len());
            report.digests += usize::from(profile.closed);
            plan.push(tidings_store::PlannedStory {
                reuse: reuse.get(&s).copied(),
                title: lead.features.title.clone(),
                lead: lead.id,
                first: m.iter().map(|a| a.at).min().unwrap_or_default(),
                last: m.iter().map(|a| a.at).max().unwrap_or_default(),
                profile: blob::encode(profile)?,
                members: m
                    .iter()
                    .map(|a| {
                        let keys = a
                            .features
                            .lookup_keys()
                            .into_iter()
                            .map(|k| i64::from_ne_bytes(k.to_ne_bytes()))
                            .collect();
                        (a.id, a.at, keys)
                    })
                    .collect(),
            });
        }
        report.stories = plan.len();
        let comment_moves: Vec<(StoryId, usize)> = old_to_new
            .into_iter()
            .filter_map(|(old, to)| {
                to.into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                    .and_then(|(s, _)| plan_index.get(&s).map(|p| (old, *p)))
            })
            .collect();
        let planned = u64::try_from(plan.len()).unwrap_or(0);
        // This process's clustering waits, and its parsed profiles are stale after.
        let mut cache = self.clustering.lock().await;
        cache.stories.clear();
        report.outcome = self
            .store
            .apply_recluster(&plan, &comment_moves, |i| {
                progress(ReclusterPhase::Writing, i as u64, planned)
            })
            .await?;
        Ok(report)
    }
}
