//! Story clustering: each stored article joins the story of the same event or
//! starts one. Online and order-dependent, so articles are clustered one at a
//! time, oldest first, each in a transaction serialised against all others.

use crate::{JOB_CLUSTER, Pipeline};
use anyhow::Result;
use tidings_core::{ArticleId, StoryId};
use tidings_store::{NewJob, StoryAssignment, StoryCandidateRow};
use tidings_understand::stories::{StoryCandidate, WINDOW_MS};
use tidings_understand::{
    ArticleFeatures, Decision, StoryProfile, assign, representative_headline,
};

/// Candidate stories looked at per article (most shared keys first).
const CANDIDATES: i64 = 50;
/// Articles clustered per job run.
const BATCH: i64 = 500;

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
        let Ok(_guard) = self.clustering.try_lock() else {
            return Ok(0);
        };
        let mut placed = 0;
        loop {
            let batch = self.store.unclustered_articles(BATCH).await?;
            if batch.is_empty() {
                return Ok(placed);
            }
            let n = batch.len();
            for a in batch {
                let Some(blob) = a.features else { continue };
                let Ok(features) = serde_json::from_slice::<ArticleFeatures>(&blob) else {
                    tracing::warn!(article = a.id.0, "unreadable features; not clustered");
                    continue;
                };
                let at = a.published_at.unwrap_or(a.created_at);
                let keys: Vec<i64> = features
                    .lookup_keys()
                    .into_iter()
                    .map(|k| i64::from_ne_bytes(k.to_ne_bytes()))
                    .collect();
                let f = &features;
                let decide = |rows: &[StoryCandidateRow]| -> Option<StoryAssignment> {
                    let profiles: Vec<(StoryId, StoryProfile)> = rows
                        .iter()
                        .filter_map(|r| serde_json::from_slice(&r.profile).ok().map(|p| (r.id, p)))
                        .collect();
                    let candidates: Vec<StoryCandidate<'_>> = profiles
                        .iter()
                        .map(|(id, p)| StoryCandidate {
                            story: *id,
                            profile: p,
                        })
                        .collect();
                    match assign(f, &[], &candidates) {
                        Decision::Join { story, .. } => {
                            let mut p = profiles.iter().find(|(id, _)| *id == story)?.1.clone();
                            p.add(f, false);
                            Some(StoryAssignment::Join {
                                story,
                                profile: serde_json::to_vec(&p).ok()?,
                            })
                        }
                        // Copies are never stored as articles (they are linked at ingest).
                        Decision::New | Decision::Copy { .. } => Some(StoryAssignment::New {
                            profile: serde_json::to_vec(&StoryProfile::new(f)).ok()?,
                            title: f.title.clone(),
                        }),
                    }
                };
                let since = at.saturating_sub(WINDOW_MS);
                if let Some(story) = self
                    .store
                    .cluster_article(a.id, &keys, at, since, CANDIDATES, &decide)
                    .await?
                {
                    placed += 1;
                    self.refresh_headline(story).await?;
                }
            }
            if n < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                return Ok(placed);
            }
        }
    }

    /// Re-choose a story's headline from its members (for small stories every
    /// time; for big ones now and then, as one more article changes little).
    async fn refresh_headline(&self, story: StoryId) -> Result<()> {
        let Some(row) = self.store.story(story).await? else {
            return Ok(());
        };
        let n = row.article_count;
        if n < 2 || (n > 20 && n % 10 != 0) {
            return Ok(());
        }
        let members = self.store.story_member_features(story, 50).await?;
        let profile_blob = self.store.story_profile(story).await?.unwrap_or_default();
        let Ok(profile) = serde_json::from_slice::<StoryProfile>(&profile_blob) else {
            return Ok(());
        };
        let parsed: Vec<(ArticleId, ArticleFeatures)> = members
            .into_iter()
            .filter_map(|(id, _, blob)| serde_json::from_slice(&blob).ok().map(|f| (id, f)))
            .collect();
        let refs: Vec<&ArticleFeatures> = parsed.iter().map(|(_, f)| f).collect();
        if let Some(i) = representative_headline(&profile, &refs)
            && let Some((id, f)) = parsed.get(i)
            && f.title != row.title
        {
            self.store.set_story_headline(story, &f.title, *id).await?;
        }
        Ok(())
    }
}
