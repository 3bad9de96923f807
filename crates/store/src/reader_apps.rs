//! What reader apps (the Google Reader and Fever APIs) need beyond the
//! readers' streams (`readers.rs`): whole articles by id in one query, with
//! their source's addresses, and a reader's subscriptions in id order
//! (Fever pages by article id, not by first-seen time).
//!
//! Privacy is the caller's: ask [`Store::reader_items`] first, which leaves
//! out what the reader may not see, and load only those ids here.

use crate::articles::article_from_row;
use crate::{ArticleRow, Result, Store};
use sqlx::Row;
use tidings_core::{ArticleId, UserId};

/// An article with the addresses of its source (a reader app's `origin`).
#[derive(Debug, Clone)]
pub struct AppArticle {
    pub row: ArticleRow,
    /// The source's address (its feed, for a feed source).
    pub source_url: String,
    pub source_site_url: Option<String>,
}

/// Which page of a reader's subscriptions, in article id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdPage {
    /// Ids above this one, lowest first.
    After(i64),
    /// Ids below this one, highest first.
    Before(i64),
    /// The highest ids, highest first.
    Newest,
}

impl Store {
    /// Articles by id, in the order given; missing ids are left out. No
    /// visibility check: see the module's note.
    pub async fn app_articles(&self, ids: &[ArticleId]) -> Result<Vec<AppArticle>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(200) {
            let list = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT a.*, COALESCE(s.name, s.title, s.url) AS source_name, s.display AS source_display,
                    s.visibility AS source_visibility, s.url AS app_source_url,
                    s.site_url AS app_source_site_url
                 FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id IN ({list})"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.0);
            }
            for r in q.fetch_all(&self.read).await? {
                out.push(AppArticle {
                    row: article_from_row(&r)?,
                    source_url: r.try_get("app_source_url")?,
                    source_site_url: r.try_get("app_source_site_url")?,
                });
            }
        }
        let pos: std::collections::HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, id)| (id.0, i)).collect();
        out.sort_by_key(|a| pos.get(&a.row.id.0).copied().unwrap_or(usize::MAX));
        Ok(out)
    }

    /// A page of the articles of the sources a reader follows, by id.
    pub async fn subscription_ids_by_id(
        &self,
        user: UserId,
        page: IdPage,
        limit: i64,
    ) -> Result<Vec<ArticleId>> {
        let (cond, dir, bound) = match page {
            IdPage::After(id) => ("a.id > $2", "ASC", id),
            IdPage::Before(id) => ("a.id < $2", "DESC", id),
            IdPage::Newest => ("a.id < $2", "DESC", i64::MAX),
        };
        let sql = format!(
            "SELECT a.id FROM articles a
             WHERE a.source_id IN (SELECT source_id FROM followed_sources WHERE user_id = $1)
               AND a.duplicate_of IS NULL AND {cond}
             ORDER BY a.id {dir} LIMIT $3"
        );
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(user.0)
            .bind(bound)
            .bind(limit)
            .fetch_all(&self.read)
            .await?;
        Ok(ids.into_iter().map(ArticleId).collect())
    }

    /// How many articles the sources a reader follows have.
    pub async fn subscription_article_count(&self, user: UserId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM articles a
             WHERE a.source_id IN (SELECT source_id FROM followed_sources WHERE user_id = $1)
               AND a.duplicate_of IS NULL",
        )
        .bind(user.0)
        .fetch_one(&self.read)
        .await?)
    }
}
