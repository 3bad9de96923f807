//! The pages articles were extracted from, kept (compressed by the caller)
//! for `crawl.keep_pages_days`, so articles can be extracted again — after
//! an operator changes a source's rules, or after an extractor upgrade —
//! without fetching anything. And the previews of rules that `/admin`
//! asks the crawler for.

use crate::{Result, Store};
use sqlx::Row;
use tidings_core::{ArticleId, ExtractStatus, SourceId, Timestamp, now_ms};

/// A kept page.
#[derive(Debug, Clone)]
pub struct ArchivedPage {
    pub article_id: ArticleId,
    pub url: String,
    pub content_type: Option<String>,
    pub fetched_at: Timestamp,
    /// As the caller stored it (compressed).
    pub body: Vec<u8>,
}

impl Store {
    /// Keep `body` as the page of `article` (replacing an older copy).
    pub async fn put_article_page(
        &self,
        article: ArticleId,
        url: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO article_pages (article_id, url, content_type, fetched_at, body)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (article_id) DO UPDATE SET url = excluded.url,
                content_type = excluded.content_type, fetched_at = excluded.fetched_at,
                body = excluded.body",
        )
        .bind(article.0)
        .bind(url)
        .bind(content_type)
        .bind(now_ms())
        .bind(body)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn article_page(&self, article: ArticleId) -> Result<Option<ArchivedPage>> {
        let r = sqlx::query(
            "SELECT article_id, url, content_type, fetched_at, body FROM article_pages WHERE article_id = $1",
        )
        .bind(article.0)
        .fetch_optional(&self.read)
        .await?;
        r.map(|r| {
            Ok(ArchivedPage {
                article_id: ArticleId(r.try_get("article_id")?),
                url: r.try_get("url")?,
                content_type: r.try_get("content_type")?,
                fetched_at: Timestamp(r.try_get("fetched_at")?),
                body: r.try_get("body")?,
            })
        })
        .transpose()
    }

    /// Forget pages fetched before `before` (the retention setting).
    pub async fn prune_article_pages(&self, before: Timestamp) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM article_pages WHERE fetched_at < $1")
                .bind(before.0)
                .execute(&self.write)
                .await?
                .rows_affected(),
        )
    }

    /// Ids of articles with a kept page, of one source or all, after `after`
    /// in id order (for paging through a re-extraction).
    pub async fn articles_with_pages(
        &self,
        source: Option<SourceId>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<ArticleId>> {
        let rows: Vec<i64> = match source {
            Some(s) => {
                sqlx::query_scalar(
                    "SELECT p.article_id FROM article_pages p JOIN articles a ON a.id = p.article_id
                     WHERE a.source_id = $1 AND p.article_id > $2 ORDER BY p.article_id LIMIT $3",
                )
                .bind(s.0)
                .bind(after)
                .bind(limit)
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query_scalar(
                    "SELECT article_id FROM article_pages WHERE article_id > $1 ORDER BY article_id LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(&self.read)
                .await?
            }
        };
        Ok(rows.into_iter().map(ArticleId).collect())
    }

    /// How many articles have a kept page (of one source, or all).
    pub async fn count_articles_with_pages(&self, source: Option<SourceId>) -> Result<i64> {
        Ok(match source {
            Some(s) => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM article_pages p JOIN articles a ON a.id = p.article_id WHERE a.source_id = $1",
                )
                .bind(s.0)
                .fetch_one(&self.read)
                .await?
            }
            None => {
                sqlx::query_scalar("SELECT COUNT(*) FROM article_pages")
                    .fetch_one(&self.read)
                    .await?
            }
        })
    }

    /// Replace an article's body with a new extraction of its kept page; the
    /// search index takes it again (a new change number).
    pub async fn update_extraction(
        &self,
        article: ArticleId,
        html: &str,
        text: &str,
        status: ExtractStatus,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let seq = Store::next_counter(&mut tx, "article_change").await?;
        let words = i64::try_from(text.split_whitespace().count()).unwrap_or(i64::MAX);
        let n = sqlx::query(
            "UPDATE articles SET html = $1, text = $2, word_count = $3, extract_status = $4,
             change_seq = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(html)
        .bind(text)
        .bind(words)
        .bind(status.as_str())
        .bind(seq)
        .bind(now_ms())
        .bind(article.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Ask for a preview of rules for `source` (computed by the crawler).
    pub async fn create_rule_preview(&self, id: &str, source: SourceId) -> Result<()> {
        sqlx::query(
            "INSERT INTO rule_previews (id, source_id, created_at, result) VALUES ($1, $2, $3, NULL)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(source.0)
        .bind(now_ms())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn put_rule_preview(&self, id: &str, result: &str) -> Result<()> {
        sqlx::query("UPDATE rule_previews SET result = $1 WHERE id = $2")
            .bind(result)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// A preview: its source and, once computed, its result (JSON).
    pub async fn rule_preview(&self, id: &str) -> Result<Option<(SourceId, Option<String>)>> {
        let r = sqlx::query("SELECT source_id, result FROM rule_previews WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        r.map(|r| Ok((SourceId(r.try_get("source_id")?), r.try_get("result")?)))
            .transpose()
    }

    /// Forget previews older than `before`.
    pub async fn prune_rule_previews(&self, before: Timestamp) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM rule_previews WHERE created_at < $1")
                .bind(before.0)
                .execute(&self.write)
                .await?
                .rows_affected(),
        )
    }

    /// The newest articles of a source (for previews).
    pub async fn latest_source_articles(
        &self,
        source: SourceId,
        limit: i64,
    ) -> Result<Vec<ArticleId>> {
        let rows: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM articles WHERE source_id = $1 AND duplicate_of IS NULL
             ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(source.0)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(ArticleId).collect())
    }
}
