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

/// A story that may be the same event as a new article.
#[derive(Debug, Clone)]
pub struct StoryCandidateRow {
    pub id: StoryId,
    pub profile: Vec<u8>,
    /// Lookup keys shared with the article.
    pub shared: i64,
}

/// What clustering decided for one article.
#[derive(Debug, Clone)]
pub enum StoryAssignment {
    New { profile: Vec<u8>, title: String },
    Join { story: StoryId, profile: Vec<u8> },
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
    /// Articles without a story yet, oldest first (clustering is online: order matters).
    pub async fn unclustered_articles(&self, limit: i64) -> Result<Vec<UnclusteredArticle>> {
        let rows = sqlx::query(
            "SELECT id, published_at, created_at, features FROM articles
             WHERE story_id IS NULL AND duplicate_of IS NULL ORDER BY id LIMIT $1",
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

    /// Put one article into a story, in one transaction serialised against all
    /// other clustering (SQLite's writer lock; a PostgreSQL advisory lock): load
    /// the stories active since `since` that share lookup keys with it (most
    /// shared first, at most `limit`), let `decide` choose, and apply the choice
    /// with its new profile, counts and keys. Returns None when the article was
    /// clustered meanwhile or `decide` declines.
    pub async fn cluster_article(
        &self,
        article: ArticleId,
        keys: &[i64],
        at: i64,
        since: i64,
        limit: i64,
        decide: &(dyn Fn(&[StoryCandidateRow]) -> Option<StoryAssignment> + Sync),
    ) -> Result<Option<StoryId>> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(STORY_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        let pending: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM articles WHERE id = $1 AND story_id IS NULL AND duplicate_of IS NULL",
        )
        .bind(article.0)
        .fetch_optional(&mut *tx)
        .await?;
        if pending.is_none() {
            return Ok(None);
        }
        let mut candidates = Vec::new();
        if !keys.is_empty() {
            let ph: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "SELECT s.id, s.features, k.shared FROM stories s JOIN (
                    SELECT story_id, COUNT(*) AS shared FROM story_keys
                    WHERE last_at >= $1 AND key IN ({}) GROUP BY story_id
                 ) k ON k.story_id = s.id
                 WHERE s.features IS NOT NULL
                 ORDER BY k.shared DESC, s.id LIMIT $2",
                ph.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(since)
                .bind(limit);
            for k in keys {
                q = q.bind(*k);
            }
            for r in q.fetch_all(&mut *tx).await? {
                candidates.push(StoryCandidateRow {
                    id: StoryId(r.try_get("id")?),
                    profile: r
                        .try_get::<Option<Vec<u8>>, _>("features")?
                        .unwrap_or_default(),
                    shared: r.try_get("shared")?,
                });
            }
        }
        let Some(choice) = decide(&candidates) else {
            return Ok(None);
        };
        let now = now_ms();
        let seq = Store::next_counter(&mut tx, "story_change").await?;
        let story = match choice {
            StoryAssignment::New { profile, title } => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO stories (title, lead_article_id, first_seen_at, last_seen_at, article_count,
                        source_count, features, created_at, updated_at, change_seq)
                     VALUES ($1, $2, $3, $3, 0, 0, $4, $5, $5, $6) RETURNING id",
                )
                .bind(title)
                .bind(article.0)
                .bind(at)
                .bind(profile)
                .bind(now)
                .bind(seq)
                .fetch_one(&mut *tx)
                .await?;
                id
            }
            StoryAssignment::Join { story, profile } => {
                sqlx::query(
                    "UPDATE stories SET features = $1,
                        first_seen_at = CASE WHEN $2 < first_seen_at THEN $2 ELSE first_seen_at END,
                        last_seen_at = CASE WHEN $2 > last_seen_at THEN $2 ELSE last_seen_at END,
                        updated_at = $3, change_seq = $4
                     WHERE id = $5",
                )
                .bind(profile)
                .bind(at)
                .bind(now)
                .bind(seq)
                .bind(story.0)
                .execute(&mut *tx)
                .await?;
                story.0
            }
        };
        // The article's change sequence is not bumped: joining a story changes
        // nothing the search index matches on, and it re-indexed every article
        // a second time (indexing and merges were ~20% of a crawl's profile).
        sqlx::query("UPDATE articles SET story_id = $1, updated_at = $2 WHERE id = $3")
            .bind(story)
            .bind(now)
            .bind(article.0)
            .execute(&mut *tx)
            .await?;
        refresh_story_counts(&mut tx, story).await?;
        for k in keys {
            sqlx::query(
                "INSERT INTO story_keys (key, story_id, last_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key, story_id) DO UPDATE SET last_at =
                    CASE WHEN excluded.last_at > story_keys.last_at THEN excluded.last_at ELSE story_keys.last_at END",
            )
            .bind(*k)
            .bind(story)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Some(StoryId(story)))
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
            "SELECT id, title, features FROM articles WHERE story_id = $1 AND features IS NOT NULL
             ORDER BY id DESC LIMIT $2",
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

    pub async fn count_stories(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM stories")
            .fetch_one(&self.read)
            .await?)
    }

    /// Sources covering a story: their own articles plus syndicated copies they carried.
    pub async fn story_sources(&self, story: StoryId) -> Result<Vec<SourceId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT fe.source_id FROM feed_entries fe JOIN articles a ON a.id = fe.article_id
             WHERE a.story_id = $1
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

async fn refresh_story_counts(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    story: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE stories SET
            article_count = (SELECT COUNT(*) FROM articles WHERE story_id = $1),
            source_count = (SELECT COUNT(*) FROM (
                SELECT fe.source_id FROM feed_entries fe JOIN articles a ON a.id = fe.article_id WHERE a.story_id = $1
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
