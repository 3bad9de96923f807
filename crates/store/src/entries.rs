//! Feed entries: what each source listed, and which article each became.

use crate::jobs::NewJob;
use crate::{Result, Store, StoreError};
use sqlx::Row;
use tidings_core::{ArticleId, SourceId, now_ms};

/// One item from a feed or sitemap, with its URL already canonical.
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    pub guid: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub image_url: Option<String>,
    pub published_at: Option<i64>,
}

/// What happened to each entry of a poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntriesOutcome {
    /// Entries seen for the first time.
    pub new: usize,
    /// Known entries whose title or date changed.
    pub updated: usize,
    /// New entries whose URL is already an article (another source had it): linked.
    pub linked: usize,
    /// Article jobs enqueued (new URLs).
    pub enqueued: usize,
}

/// A stored entry, as the article stage needs it (for the feed-content fallback).
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub id: i64,
    pub source_id: SourceId,
    pub guid: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub content: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub image_url: Option<String>,
    pub published_at: Option<i64>,
    pub article_id: Option<ArticleId>,
}

fn json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// Record a poll's entries in one transaction: insert new ones, update
    /// changed ones, link new entries whose URL is already an article, and
    /// enqueue `job_for(url)` for each new URL (idempotent by the job's key).
    pub async fn upsert_entries(
        &self,
        source: SourceId,
        entries: &[NewEntry],
        job_for: &(dyn Fn(&NewEntry) -> Option<NewJob> + Sync),
    ) -> Result<EntriesOutcome> {
        let now = now_ms();
        let mut out = EntriesOutcome::default();
        let mut tx = self.begin_write().await?;
        // Known entries of this poll, in one query per chunk.
        let mut known: std::collections::HashMap<String, (i64, Option<String>, Option<i64>)> =
            std::collections::HashMap::new();
        for chunk in entries.chunks(200) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT guid, id, title, published_at FROM feed_entries WHERE source_id = $1 AND guid IN ({})",
                placeholders.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(source.0);
            for e in chunk {
                q = q.bind(e.guid.as_str());
            }
            for r in q.fetch_all(&mut *tx).await? {
                known.insert(
                    r.try_get("guid")?,
                    (
                        r.try_get("id")?,
                        r.try_get("title")?,
                        r.try_get("published_at")?,
                    ),
                );
            }
        }
        let mut seen = std::collections::HashSet::new();
        for e in entries {
            if e.guid.is_empty() || !seen.insert(e.guid.as_str()) {
                continue;
            }
            if let Some((id, title, published)) = known.get(&e.guid) {
                if (e.title.is_some() && e.title != *title)
                    || (e.published_at.is_some() && e.published_at != *published)
                {
                    sqlx::query(
                        "UPDATE feed_entries SET title = COALESCE($1, title), summary = COALESCE($2, summary),
                            content = COALESCE($3, content), published_at = COALESCE($4, published_at),
                            last_seen_at = $5 WHERE id = $6",
                    )
                    .bind(e.title.as_deref())
                    .bind(e.summary.as_deref())
                    .bind(e.content.as_deref())
                    .bind(e.published_at)
                    .bind(now)
                    .bind(*id)
                    .execute(&mut *tx)
                    .await?;
                    out.updated += 1;
                }
                continue;
            }
            let existing: Option<i64> = match &e.url {
                Some(u) => {
                    sqlx::query_scalar("SELECT id FROM articles WHERE url = $1")
                        .bind(u.as_str())
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            sqlx::query(
                "INSERT INTO feed_entries (source_id, guid, url, title, summary, content, authors, categories,
                    image_url, published_at, first_seen_at, last_seen_at, article_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
            )
            .bind(source.0)
            .bind(e.guid.as_str())
            .bind(e.url.as_deref())
            .bind(e.title.as_deref())
            .bind(e.summary.as_deref())
            .bind(e.content.as_deref())
            .bind(json(&e.authors))
            .bind(json(&e.categories))
            .bind(e.image_url.as_deref())
            .bind(e.published_at)
            .bind(now)
            .bind(existing)
            .execute(&mut *tx)
            .await?;
            out.new += 1;
            if existing.is_some() {
                out.linked += 1;
            } else if let Some(job) = job_for(e)
                && Store::enqueue_in(&mut tx, &job).await?.is_some()
            {
                out.enqueued += 1;
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The entries that point at `url` (several sources may list one URL),
    /// richest content first.
    pub async fn entries_for_url(&self, url: &str) -> Result<Vec<EntryRow>> {
        let rows = sqlx::query(
            "SELECT id, source_id, guid, url, title, summary, content, authors, categories, image_url,
                published_at, article_id
             FROM feed_entries WHERE url = $1 ORDER BY LENGTH(COALESCE(content, '')) DESC, id",
        )
        .bind(url)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let authors: String = r.try_get("authors")?;
                let categories: String = r.try_get("categories")?;
                Ok(EntryRow {
                    id: r.try_get("id")?,
                    source_id: SourceId(r.try_get("source_id")?),
                    guid: r.try_get("guid")?,
                    url: r.try_get("url")?,
                    title: r.try_get("title")?,
                    summary: r.try_get("summary")?,
                    content: r.try_get("content")?,
                    authors: serde_json::from_str(&authors)
                        .map_err(|e| StoreError::Corrupt(format!("feed_entries.authors: {e}")))?,
                    categories: serde_json::from_str(&categories).map_err(|e| {
                        StoreError::Corrupt(format!("feed_entries.categories: {e}"))
                    })?,
                    image_url: r.try_get("image_url")?,
                    published_at: r.try_get("published_at")?,
                    article_id: r.try_get::<Option<i64>, _>("article_id")?.map(ArticleId),
                })
            })
            .collect()
    }

    pub async fn count_entries(&self, source: Option<SourceId>) -> Result<i64> {
        Ok(match source {
            Some(s) => {
                sqlx::query_scalar("SELECT COUNT(*) FROM feed_entries WHERE source_id = $1")
                    .bind(s.0)
                    .fetch_one(&self.read)
                    .await?
            }
            None => {
                sqlx::query_scalar("SELECT COUNT(*) FROM feed_entries")
                    .fetch_one(&self.read)
                    .await?
            }
        })
    }

    /// Entries not (yet) linked to an article.
    pub async fn count_unlinked_entries(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM feed_entries WHERE article_id IS NULL AND url IS NOT NULL",
        )
        .fetch_one(&self.read)
        .await?)
    }
}
