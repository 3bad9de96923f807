//! Re-clustering: every story rebuilt after the clustering method changed
//! (`tidings recluster`). The caller reads the articles, clusters them in
//! memory and hands back a plan; [`Store::apply_recluster`] writes it in one
//! transaction, serialised against the pipeline's clustering, keeping the ids
//! of stories that continue (their links, comments and followers stay).

use crate::{Result, Store};
use sqlx::Row;
use tidings_core::{ArticleId, StoryId, now_ms};

use crate::stories::refresh_story_counts;

/// An article as re-clustering reads it.
#[derive(Debug, Clone)]
pub struct ClusterableArticle {
    pub id: ArticleId,
    /// Published, or first seen when the publisher gave no date.
    pub at: i64,
    pub story: Option<StoryId>,
    pub features: Option<Vec<u8>>,
}

/// One story of a re-clustering plan.
#[derive(Debug, Clone)]
pub struct PlannedStory {
    /// The existing story this one continues, if any (each id at most once per plan).
    pub reuse: Option<StoryId>,
    pub title: String,
    pub lead: ArticleId,
    pub first: i64,
    pub last: i64,
    pub profile: Vec<u8>,
    /// Members with their time and lookup keys.
    pub members: Vec<(ArticleId, i64, Vec<i64>)>,
}

/// What [`Store::apply_recluster`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReclusterOutcome {
    pub stories_kept: usize,
    pub stories_created: usize,
    pub stories_deleted: u64,
    pub comments_moved: u64,
}

impl Store {
    /// Articles clustering places (copies excluded), oldest id first, after `after`.
    pub async fn clusterable_articles(
        &self,
        after: ArticleId,
        limit: i64,
    ) -> Result<Vec<ClusterableArticle>> {
        let rows = sqlx::query(
            "SELECT a.id, COALESCE(a.published_at, a.created_at) AS at, a.story_id, v.features
             FROM articles a LEFT JOIN article_vectors v ON v.article_id = a.id
             WHERE a.duplicate_of IS NULL AND a.id > $1 ORDER BY a.id LIMIT $2",
        )
        .bind(after.0)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ClusterableArticle {
                    id: ArticleId(r.try_get("id")?),
                    at: r.try_get("at")?,
                    story: r.try_get::<Option<i64>, _>("story_id")?.map(StoryId),
                    features: r.try_get("features")?,
                })
            })
            .collect()
    }

    /// Write a re-clustering plan in one transaction. Articles not in the plan
    /// (stored since it was made) are left without a story, for the pipeline
    /// to place. Comments and followers of a story that does not continue move
    /// to the story named in `comment_moves` (old -> new index in `plan`); an
    /// old story with comments and nowhere to move them is kept. `progress` is called after
    /// each planned story.
    pub async fn apply_recluster(
        &self,
        plan: &[PlannedStory],
        comment_moves: &[(StoryId, usize)],
        mut progress: impl FnMut(usize),
    ) -> Result<ReclusterOutcome> {
        let mut tx = self.begin_story_write().await?;
        let now = now_ms();
        let seq = Store::next_counter(&mut tx, "story_change").await?;
        sqlx::query("DELETE FROM story_keys")
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE articles SET story_id = NULL WHERE story_id IS NOT NULL")
            .execute(&mut *tx)
            .await?;
        let mut out = ReclusterOutcome::default();
        let mut ids = Vec::with_capacity(plan.len());
        for (i, s) in plan.iter().enumerate() {
            let id = match s.reuse {
                Some(id) => {
                    sqlx::query(
                        "UPDATE stories SET title = $1, lead_article_id = $2, first_seen_at = $3,
                            last_seen_at = $4, features = $5, updated_at = $6, change_seq = $7
                         WHERE id = $8",
                    )
                    .bind(&s.title)
                    .bind(s.lead.0)
                    .bind(s.first)
                    .bind(s.last)
                    .bind(&s.profile)
                    .bind(now)
                    .bind(seq)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                    out.stories_kept += 1;
                    id
                }
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO stories (title, lead_article_id, first_seen_at, last_seen_at,
                            article_count, source_count, features, created_at, updated_at, change_seq)
                         VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $6, $7) RETURNING id",
                    )
                    .bind(&s.title)
                    .bind(s.lead.0)
                    .bind(s.first)
                    .bind(s.last)
                    .bind(&s.profile)
                    .bind(now)
                    .bind(seq)
                    .fetch_one(&mut *tx)
                    .await?;
                    out.stories_created += 1;
                    StoryId(id)
                }
            };
            ids.push(id);
            for chunk in s.members.chunks(400) {
                let ph: Vec<String> = (0..chunk.len()).map(|k| format!("${}", k + 3)).collect();
                let sql = format!(
                    "UPDATE articles SET story_id = $1, updated_at = $2 WHERE id IN ({})",
                    ph.join(", ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0).bind(now);
                for (a, _, _) in chunk {
                    q = q.bind(a.0);
                }
                q.execute(&mut *tx).await?;
            }
            // Each key once per story, at its newest member's time.
            let mut keys: Vec<(i64, i64)> = s
                .members
                .iter()
                .flat_map(|(_, at, ks)| ks.iter().map(move |k| (*k, *at)))
                .collect();
            keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            keys.dedup_by_key(|k| k.0);
            for chunk in keys.chunks(300) {
                let rows: Vec<String> = (0..chunk.len())
                    .map(|k| format!("(${}, $1, ${})", 2 * k + 2, 2 * k + 3))
                    .collect();
                let sql = format!(
                    "INSERT INTO story_keys (key, story_id, last_at) VALUES {}",
                    rows.join(", ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id.0);
                for (k, at) in chunk {
                    q = q.bind(*k).bind(*at);
                }
                q.execute(&mut *tx).await?;
            }
            progress(i + 1);
        }
        for (old, new) in comment_moves {
            let Some(new) = ids.get(*new) else { continue };
            if new == old {
                continue;
            }
            let r = sqlx::query("UPDATE comments SET story_id = $1 WHERE story_id = $2")
                .bind(new.0)
                .bind(old.0)
                .execute(&mut *tx)
                .await?;
            out.comments_moved += r.rows_affected();
            // Followers follow the event too (once, if they followed both).
            sqlx::query(
                "INSERT INTO followed_stories (user_id, story_id, created_at, last_visit_at)
                 SELECT user_id, $1, created_at, last_visit_at FROM followed_stories f
                 WHERE f.story_id = $2 AND NOT EXISTS (
                    SELECT 1 FROM followed_stories g WHERE g.user_id = f.user_id AND g.story_id = $1)",
            )
            .bind(new.0)
            .bind(old.0)
            .execute(&mut *tx)
            .await?;
        }
        let r = sqlx::query(
            "DELETE FROM stories WHERE change_seq <> $1
               AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.story_id = stories.id)
               AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.story_id = stories.id)",
        )
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        out.stories_deleted = r.rows_affected();
        for id in &ids {
            refresh_story_counts(&mut tx, id.0).await?;
        }
        // Old stories kept only for their comments have no articles now.
        sqlx::query(
            "UPDATE stories SET article_count = 0, source_count = 0 WHERE change_seq <> $1",
        )
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(out)
    }
}
