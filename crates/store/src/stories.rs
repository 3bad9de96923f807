//! Stories: clusters of articles about the same event, and their coverage.

use crate::{Backend, Result, Store};
use serde::Serialize;
use sqlx::Row;
use tidings_core::{ArticleId, SourceId, StoryId, Timestamp, now_ms};

/// An article waiting for its story.
#[derive(Debug, Clone)]
pub struct UnclusteredArticle {
    pub id: ArticleId,
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub features: Option<Vec<u8>>,
}

/// A story as list pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct StoryRow {
    pub id: StoryId,
    pub title: String,
    pub lead_article_id: Option<ArticleId>,
    pub first_seen_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub article_count: i64,
    pub source_count: i64,
}

/// Stories lock this key on PostgreSQL so nodes cluster one article at a time.
const STORY_LOCK: i64 = 7_403_156;

const STORY_COLUMNS: &str =
    "id, title, lead_article_id, first_seen_at, last_seen_at, article_count, source_count";

fn story_from_row(r: &sqlx::any::AnyRow) -> Result<StoryRow> {
    Ok(StoryRow {
        id: StoryId(r.try_get("id")?),
        title: r.try_get("title")?,
        lead_article_id: r
            .try_get::<Option<i64>, _>("lead_article_id")?
            .map(ArticleId),
        first_seen_at: Timestamp(r.try_get("first_seen_at")?),
        last_seen_at: Timestamp(r.try_get("last_seen_at")?),
        article_count: r.try_get("article_count")?,
        source_count: r.try_get("source_count")?,
    })
}

impl Store {
    /// Articles without a story yet, oldest first (clustering is online: order
    /// matters). Private sources' articles never join a story: stories are public.
    pub async fn unclustered_articles(&self, limit: i64) -> Result<Vec<UnclusteredArticle>> {
        let rows = sqlx::query(
            "SELECT a.id, a.published_at, a.created_at, v.features
             FROM articles a LEFT JOIN article_vectors v ON v.article_id = a.id
             WHERE a.story_id IS NULL AND a.duplicate_of IS NULL
               AND a.source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')
             ORDER BY a.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UnclusteredArticle {
                    id: ArticleId(r.try_get("id")?),
                    published_at: r.try_get("published_at")?,
                    created_at: r.try_get("created_at")?,
                    features: r.try_get("features")?,
                })
            })
            .collect()
    }

    /// Start clustering: one transaction serialised against all other
    /// clustering (SQLite's writer lock; a PostgreSQL advisory lock), in which
    /// a batch of articles is placed one after the other.
    pub async fn begin_clustering(&self) -> Result<ClusterTx> {
        Ok(ClusterTx {
            tx: self.begin_story_write().await?,
            changed: Vec::new(),
        })
    }

    /// A write transaction that holds the stories' lock (SQLite's writer lock;
    /// on PostgreSQL an advisory lock): clustering and re-clustering take turns.
    pub(crate) async fn begin_story_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(STORY_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Set a story's representative headline and lead article.
    pub async fn set_story_headline(
        &self,
        story: StoryId,
        title: &str,
        lead: ArticleId,
    ) -> Result<()> {
        sqlx::query("UPDATE stories SET title = $1, lead_article_id = $2 WHERE id = $3")
            .bind(title)
            .bind(lead.0)
            .bind(story.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Members of a story with their features, newest first (for headline choice).
    pub async fn story_member_features(
        &self,
        story: StoryId,
        limit: i64,
    ) -> Result<Vec<(ArticleId, String, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT a.id, a.title, v.features FROM articles a JOIN article_vectors v ON v.article_id = a.id
             WHERE a.story_id = $1 AND v.features IS NOT NULL
             ORDER BY a.id DESC LIMIT $2",
        )
        .bind(story.0)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    ArticleId(r.try_get("id")?),
                    r.try_get("title")?,
                    r.try_get::<Option<Vec<u8>>, _>("features")?
                        .unwrap_or_default(),
                ))
            })
            .collect()
    }

    pub async fn story(&self, id: StoryId) -> Result<Option<StoryRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {STORY_COLUMNS} FROM stories WHERE id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(story_from_row).transpose()
    }

    /// Stories seen since `since`, most covered first (then most recent).
    pub async fn top_stories(
        &self,
        since: i64,
        min_sources: i64,
        limit: i64,
    ) -> Result<Vec<StoryRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {STORY_COLUMNS} FROM stories WHERE last_seen_at >= $1 AND source_count >= $2
             ORDER BY source_count DESC, article_count DESC, last_seen_at DESC LIMIT $3"
        )))
        .bind(since)
        .bind(min_sources)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(story_from_row).collect()
    }

    /// These stories, in the order of `ids` (missing ids are skipped).
    pub async fn stories_by_ids(&self, ids: &[StoryId]) -> Result<Vec<StoryRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ph: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {STORY_COLUMNS} FROM stories WHERE id IN ({})",
            ph.join(", ")
        )));
        for id in ids {
            q = q.bind(id.0);
        }
        let rows = q.fetch_all(&self.read).await?;
        let mut stories = rows
            .iter()
            .map(story_from_row)
            .collect::<Result<Vec<_>>>()?;
        crate::in_order_of(&mut stories, ids, |s| s.id);
        Ok(stories)
    }

    /// Other stories the articles of `story` are related to (their precomputed
    /// related articles, see [`Store::related_cards`]), most related first: the
    /// earlier and later steps of a saga and stories on the same subject, which
    /// a story of one event keeps apart. Both ends are public articles, so a
    /// reader's private feed never surfaces here.
    pub async fn related_stories(&self, story: StoryId, limit: i64) -> Result<Vec<StoryRow>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT b.story_id FROM articles a
               JOIN article_related r ON r.article_id = a.id
               JOIN articles b ON b.id = r.related_id
             WHERE a.story_id = $1 AND b.story_id IS NOT NULL AND b.story_id <> $1
               AND a.source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')
               AND b.source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')
             GROUP BY b.story_id
             ORDER BY SUM(r.score) DESC, b.story_id DESC
             LIMIT $2",
        )
        .bind(story.0)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let ids: Vec<StoryId> = ids.into_iter().map(StoryId).collect();
        self.stories_by_ids(&ids).await
    }

    pub async fn count_stories(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM stories")
            .fetch_one(&self.read)
            .await?)
    }

    /// Sources covering a story: their own articles plus syndicated copies they carried.
    pub async fn story_sources(&self, story: StoryId) -> Result<Vec<SourceId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT fe.source_id FROM feed_entries fe JOIN articles a ON a.id = fe.article_id
             WHERE a.story_id = $1 AND fe.source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')
             UNION SELECT DISTINCT source_id FROM articles WHERE story_id = $1",
        )
        .bind(story.0)
        .fetch_all(&self.read)
        .await?;
        let mut ids: Vec<SourceId> = ids.into_iter().map(SourceId).collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }
}

/// A story changed in a [`ClusterTx`]: its new profile and time span.
struct ChangedStory {
    id: StoryId,
    first: i64,
    last: i64,
}

/// An open clustering transaction (see [`Store::begin_clustering`]). Story
/// profiles are the caller's business: it reads them once, keeps them parsed
/// while the batch runs and hands the changed ones to [`ClusterTx::commit`].
pub struct ClusterTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    changed: Vec<ChangedStory>,
}

impl ClusterTx {
    /// Whether the article still waits for a story (another node may have
    /// placed it since it was listed).
    pub async fn is_unclustered(&mut self, article: ArticleId) -> Result<bool> {
        let pending: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM articles WHERE id = $1 AND story_id IS NULL AND duplicate_of IS NULL",
        )
        .bind(article.0)
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(pending.is_some())
    }

    /// Stories with lookup keys active since `since` shared with `keys`, most
    /// shared first, at most `limit`, each with its change sequence (it moves
    /// whenever the story's profile changes, so callers may keep profiles).
    pub async fn story_candidates(
        &mut self,
        keys: &[i64],
        since: i64,
        limit: i64,
    ) -> Result<Vec<(StoryId, i64)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let ph: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT k.story_id, s.change_seq FROM (
                SELECT story_id, COUNT(*) AS shared FROM story_keys
                WHERE last_at >= $1 AND key IN ({})
                GROUP BY story_id ORDER BY shared DESC, story_id LIMIT $2
             ) k JOIN stories s ON s.id = k.story_id
             ORDER BY k.shared DESC, k.story_id",
            ph.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(since)
            .bind(limit);
        for k in keys {
            q = q.bind(*k);
        }
        let mut out = Vec::new();
        for r in q.fetch_all(&mut *self.tx).await? {
            out.push((StoryId(r.try_get("story_id")?), r.try_get("change_seq")?));
        }
        Ok(out)
    }

    /// The stored clustering profiles of these stories (stories without one are left out).
    pub async fn story_profiles(&mut self, ids: &[StoryId]) -> Result<Vec<(StoryId, Vec<u8>)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ph: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT id, features FROM stories WHERE features IS NOT NULL AND id IN ({})",
            ph.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(id.0);
        }
        let mut out = Vec::with_capacity(ids.len());
        for r in q.fetch_all(&mut *self.tx).await? {
            out.push((StoryId(r.try_get("id")?), r.try_get("features")?));
        }
        Ok(out)
    }

    /// Start a story with `article` as its first member.
    pub async fn new_story(
        &mut self,
        article: ArticleId,
        title: &str,
        at: i64,
        profile: &[u8],
    ) -> Result<StoryId> {
        let now = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO stories (title, lead_article_id, first_seen_at, last_seen_at, article_count,
                source_count, features, created_at, updated_at, change_seq)
             VALUES ($1, $2, $3, $3, 0, 0, $4, $5, $5, 0) RETURNING id",
        )
        .bind(title)
        .bind(article.0)
        .bind(at)
        .bind(profile)
        .bind(now)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(StoryId(id))
    }

    /// Put `article` (published or seen `at`) into `story` and index the
    /// story under the article's lookup keys.
    pub async fn add_article(
        &mut self,
        article: ArticleId,
        story: StoryId,
        at: i64,
        keys: &[i64],
    ) -> Result<()> {
        // The article's change sequence is not bumped: joining a story changes
        // nothing the search index matches on, and it re-indexed every article
        // a second time (indexing and merges were ~20% of a crawl's profile).
        sqlx::query("UPDATE articles SET story_id = $1, updated_at = $2 WHERE id = $3")
            .bind(story.0)
            .bind(now_ms())
            .bind(article.0)
            .execute(&mut *self.tx)
            .await?;
        let mut keys = keys.to_vec();
        // One row per key in a statement (PostgreSQL refuses a key twice).
        keys.sort_unstable();
        keys.dedup();
        if !keys.is_empty() {
            let rows: Vec<String> = (0..keys.len())
                .map(|i| format!("(${}, $1, $2)", i + 3))
                .collect();
            let sql = format!(
                "INSERT INTO story_keys (key, story_id, last_at) VALUES {}
                 ON CONFLICT (key, story_id) DO UPDATE SET last_at =
                    CASE WHEN excluded.last_at > story_keys.last_at THEN excluded.last_at ELSE story_keys.last_at END",
                rows.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(story.0).bind(at);
            for k in &keys {
                q = q.bind(*k);
            }
            q.execute(&mut *self.tx).await?;
        }
        match self.changed.iter_mut().find(|c| c.id == story) {
            Some(c) => {
                c.first = c.first.min(at);
                c.last = c.last.max(at);
            }
            None => self.changed.push(ChangedStory {
                id: story,
                first: at,
                last: at,
            }),
        }
        Ok(())
    }

    /// Enqueue a follow-up job that commits with the clustering.
    pub async fn enqueue(&mut self, job: &crate::NewJob) -> Result<()> {
        Store::enqueue_in(&mut self.tx, job).await?;
        Ok(())
    }

    /// Write the changed stories' `profiles` (one per story given to
    /// [`ClusterTx::add_article`]), time spans and counts, and commit. Returns
    /// the changed stories' new change sequence (0 when nothing changed).
    pub async fn commit(mut self, profiles: &[(StoryId, Vec<u8>)]) -> Result<i64> {
        let mut seq = 0;
        if !self.changed.is_empty() {
            let now = now_ms();
            seq = Store::next_counter(&mut self.tx, "story_change").await?;
            for c in &self.changed {
                let profile = profiles.iter().find(|(id, _)| *id == c.id).map(|(_, p)| p);
                sqlx::query(
                    "UPDATE stories SET features = COALESCE($1, features),
                        first_seen_at = CASE WHEN $2 < first_seen_at THEN $2 ELSE first_seen_at END,
                        last_seen_at = CASE WHEN $3 > last_seen_at THEN $3 ELSE last_seen_at END,
                        updated_at = $4, change_seq = $5
                     WHERE id = $6",
                )
                .bind(profile)
                .bind(c.first)
                .bind(c.last)
                .bind(now)
                .bind(seq)
                .bind(c.id.0)
                .execute(&mut *self.tx)
                .await?;
                refresh_story_counts(&mut self.tx, c.id.0).await?;
            }
        }
        self.tx.commit().await?;
        Ok(seq)
    }
}

pub(crate) async fn refresh_story_counts(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    story: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE stories SET
            article_count = (SELECT COUNT(*) FROM articles WHERE story_id = $1),
            source_count = (SELECT COUNT(*) FROM (
                SELECT fe.source_id FROM feed_entries fe JOIN articles a ON a.id = fe.article_id WHERE a.story_id = $1
                  AND fe.source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')
                UNION SELECT source_id FROM articles WHERE story_id = $1) s)
         WHERE id = $1",
    )
    .bind(story)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The clustering profile blob of a story.
    pub async fn story_profile(&self, story: StoryId) -> Result<Option<Vec<u8>>> {
        let p: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT features FROM stories WHERE id = $1")
                .bind(story.0)
                .fetch_optional(&self.read)
                .await?;
        Ok(p.flatten())
    }
}

impl Store {
    pub(crate) async fn top_stories_by_recency(&self, limit: i64) -> Result<Vec<StoryRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {STORY_COLUMNS} FROM stories WHERE article_count > 0 ORDER BY last_seen_at DESC, id DESC LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(story_from_row).collect()
    }
}
