//! What search indexes follow: articles changed after a sequence number, and
//! deletions (tombstones), in change order. Related-article lists.

use crate::{Result, Store, StoreError};
use sqlx::Row;
use tidings_core::{ArticleId, SourceId, StoryId};

/// One article as the search index needs it.
#[derive(Debug, Clone)]
pub struct IndexRow {
    pub id: i64,
    pub change_seq: i64,
    pub title: String,
    pub text: String,
    pub description: Option<String>,
    pub url: String,
    pub source_id: i64,
    pub source_name: String,
    pub language: Option<String>,
    pub topics: Vec<String>,
    pub keywords: Vec<String>,
    pub published_ms: Option<i64>,
    pub story_id: Option<i64>,
    /// Copies and private sources' articles are not searchable on their own.
    pub hidden: bool,
    /// The source's display policy: the index holds only what it shows.
    pub display: tidings_core::DisplayPolicy,
}

impl Store {
    /// The highest change sequence number handed out so far.
    pub async fn article_change_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT value FROM counters WHERE name = 'article_change'")
                .fetch_one(&self.read)
                .await?,
        )
    }

    /// Articles changed after `after`, in change order.
    pub async fn articles_changed_since(&self, after: i64, limit: i64) -> Result<Vec<IndexRow>> {
        let rows = sqlx::query(
            "SELECT a.id, a.change_seq, a.title, a.text, a.description, a.url, a.source_id,
                COALESCE(s.name, s.title, s.url) AS source_name, a.language, a.keywords,
                COALESCE(a.published_at, a.created_at) AS published, a.story_id, a.duplicate_of,
                s.display, s.visibility
             FROM articles a JOIN sources s ON s.id = a.source_id
             WHERE a.change_seq > $1 ORDER BY a.change_seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let keywords: String = r.try_get("keywords")?;
            out.push(IndexRow {
                id: r.try_get("id")?,
                change_seq: r.try_get("change_seq")?,
                title: r.try_get("title")?,
                text: r.try_get("text")?,
                description: r.try_get("description")?,
                url: r.try_get("url")?,
                source_id: r.try_get("source_id")?,
                source_name: r.try_get("source_name")?,
                language: r.try_get("language")?,
                topics: Vec::new(),
                keywords: serde_json::from_str(&keywords).unwrap_or_default(),
                published_ms: r.try_get("published")?,
                story_id: r.try_get("story_id")?,
                // Private sources' articles are searchable by nobody.
                hidden: r.try_get::<Option<i64>, _>("duplicate_of")?.is_some()
                    || r.try_get::<String, _>("visibility")? != crate::sources::PUBLIC,
                display: {
                    let d: String = r.try_get("display")?;
                    d.parse()
                        .map_err(|_| StoreError::Corrupt(format!("display policy `{d}`")))?
                },
            });
        }
        // Topics for the batch in one query.
        if !out.is_empty() {
            let ph: Vec<String> = (1..=out.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT article_id, topic FROM article_topics WHERE article_id IN ({}) ORDER BY article_id, score DESC",
                ph.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in &out {
                q = q.bind(a.id);
            }
            for r in q.fetch_all(&self.read).await? {
                let id: i64 = r.try_get("article_id")?;
                let topic: String = r.try_get("topic")?;
                if let Some(a) = out.iter_mut().find(|a| a.id == id) {
                    a.topics.push(topic);
                }
            }
        }
        Ok(out)
    }

    /// Articles deleted after `after`: `(article id, change seq)`.
    pub async fn tombstones_since(&self, after: i64, limit: i64) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT article_id, change_seq FROM article_tombstones WHERE change_seq > $1 ORDER BY change_seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }

    /// Feature and context blobs of several articles (for related-article scoring).
    pub async fn article_vectors(
        &self,
        ids: &[i64],
    ) -> Result<Vec<(ArticleId, Option<StoryId>, Option<Vec<u8>>, Option<Vec<u8>>)>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(200) {
            if chunk.is_empty() {
                continue;
            }
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT a.id, a.story_id, v.features, v.context
                 FROM articles a LEFT JOIN article_vectors v ON v.article_id = a.id
                 WHERE a.id IN ({}) AND a.duplicate_of IS NULL",
                ph.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(&self.read).await? {
                out.push((
                    ArticleId(r.try_get("id")?),
                    r.try_get::<Option<i64>, _>("story_id")?.map(StoryId),
                    r.try_get("features")?,
                    r.try_get("context")?,
                ));
            }
        }
        Ok(out)
    }

    /// Store an article's context vector and its ranked related articles.
    pub async fn set_related(
        &self,
        article: ArticleId,
        context: &[u8],
        related: &[(ArticleId, f64)],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO article_vectors (article_id, context) VALUES ($2, $1)
             ON CONFLICT (article_id) DO UPDATE SET context = excluded.context",
        )
        .bind(context.to_vec())
        .bind(article.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM article_related WHERE article_id = $1")
            .bind(article.0)
            .execute(&mut *tx)
            .await?;
        for (rank, (id, score)) in related.iter().enumerate() {
            sqlx::query(
                "INSERT INTO article_related (article_id, related_id, rank, score) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(article.0)
            .bind(id.0)
            .bind(i64::try_from(rank).unwrap_or(0))
            .bind(*score)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Related articles of an article, best first, as cards.
    pub async fn related_cards(&self, article: ArticleId) -> Result<Vec<crate::ArticleCard>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT related_id FROM article_related WHERE article_id = $1 ORDER BY rank",
        )
        .bind(article.0)
        .fetch_all(&self.read)
        .await?;
        let ids: Vec<ArticleId> = ids.into_iter().map(ArticleId).collect();
        self.article_cards(&ids).await
    }

    /// Articles of a source (for tombstones before deleting it).
    pub(crate) async fn tombstone_source_articles(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        source: SourceId,
    ) -> Result<()> {
        let seq = Store::next_counter(tx, "article_change").await?;
        sqlx::query(
            "INSERT INTO article_tombstones (article_id, change_seq) SELECT id, $1 FROM articles WHERE source_id = $2
             ON CONFLICT (article_id) DO UPDATE SET change_seq = excluded.change_seq",
        )
        .bind(seq)
        .bind(source.0)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}
