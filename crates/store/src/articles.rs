//! Articles: one row per canonical URL.

use crate::{Result, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tidings_core::{ArticleId, CanonicalUrl, DisplayPolicy, SourceId, StoryId, Timestamp, now_ms};

/// An article to store. Lists (authors, tags, videos, keywords, entities) are
/// JSON text so both backends store them the same way.
#[derive(Debug, Clone, Default)]
pub struct NewArticle {
    pub source_id: Option<SourceId>,
    pub url: Option<CanonicalUrl>,
    pub original_url: String,
    pub title: String,
    pub description: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<i64>,
    pub published_offset: Option<i64>,
    pub modified_at: Option<i64>,
    pub site_name: Option<String>,
    pub language: Option<String>,
    pub image_url: Option<String>,
    pub image_alt: Option<String>,
    pub image_width: Option<i64>,
    pub image_height: Option<i64>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub videos_json: String,
    pub html: String,
    pub text: String,
    pub extract_status: String,
    pub extract_error: Option<String>,
    pub content_hash: Option<String>,
    pub simhash: Option<i64>,
    pub duplicate_of: Option<ArticleId>,
    pub keywords: Vec<String>,
    pub entities: Vec<String>,
    pub features: Option<Vec<u8>>,
    pub fetched_at: Option<i64>,
}

/// What list pages show for an article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleCard {
    pub id: ArticleId,
    pub title: String,
    pub url: String,
    pub description: Option<String>,
    pub source_id: SourceId,
    pub source_name: String,
    pub published_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub image_url: Option<String>,
    pub language: Option<String>,
    pub story_id: Option<StoryId>,
}

impl ArticleCard {
    /// The time to show and sort by: published, else first seen.
    pub fn time(&self) -> Timestamp {
        self.published_at.unwrap_or(self.created_at)
    }
}

/// A whole stored article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleRow {
    pub id: ArticleId,
    pub source_id: SourceId,
    pub source_name: String,
    pub source_display: DisplayPolicy,
    pub url: String,
    pub original_url: String,
    pub title: String,
    pub description: Option<String>,
    pub authors: Vec<String>,
    pub published_at: Option<Timestamp>,
    pub published_offset: Option<i64>,
    pub modified_at: Option<Timestamp>,
    pub site_name: Option<String>,
    pub language: Option<String>,
    pub image_url: Option<String>,
    pub image_alt: Option<String>,
    pub image_width: Option<i64>,
    pub image_height: Option<i64>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub videos_json: String,
    pub html: String,
    pub text: String,
    pub word_count: i64,
    pub extract_status: String,
    pub content_hash: Option<String>,
    pub simhash: Option<i64>,
    pub duplicate_of: Option<ArticleId>,
    pub story_id: Option<StoryId>,
    pub keywords: Vec<String>,
    pub entities: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub change_seq: i64,
}

const CARD_COLUMNS: &str = "a.id, a.title, a.url, a.description, a.source_id,
    COALESCE(s.name, s.title, s.url) AS source_name, a.published_at, a.created_at,
    a.image_url, a.language, a.story_id";

fn card_from_row(r: &AnyRow) -> Result<ArticleCard> {
    Ok(ArticleCard {
        id: ArticleId(r.try_get("id")?),
        title: r.try_get("title")?,
        url: r.try_get("url")?,
        description: r.try_get("description")?,
        source_id: SourceId(r.try_get("source_id")?),
        source_name: r.try_get("source_name")?,
        published_at: r.try_get::<Option<i64>, _>("published_at")?.map(Timestamp),
        created_at: Timestamp(r.try_get("created_at")?),
        image_url: r.try_get("image_url")?,
        language: r.try_get("language")?,
        story_id: r.try_get::<Option<i64>, _>("story_id")?.map(StoryId),
    })
}

fn json_list(r: &AnyRow, col: &str) -> Result<Vec<String>> {
    let s: String = r.try_get(col)?;
    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("articles.{col}: {e}")))
}

fn to_json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".to_string())
}

fn article_from_row(r: &AnyRow) -> Result<ArticleRow> {
    let display: String = r.try_get("source_display")?;
    Ok(ArticleRow {
        id: ArticleId(r.try_get("id")?),
        source_id: SourceId(r.try_get("source_id")?),
        source_name: r.try_get("source_name")?,
        source_display: display.parse().unwrap_or_default(),
        url: r.try_get("url")?,
        original_url: r.try_get("original_url")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        authors: json_list(r, "authors")?,
        published_at: r.try_get::<Option<i64>, _>("published_at")?.map(Timestamp),
        published_offset: r.try_get("published_offset")?,
        modified_at: r.try_get::<Option<i64>, _>("modified_at")?.map(Timestamp),
        site_name: r.try_get("site_name")?,
        language: r.try_get("language")?,
        image_url: r.try_get("image_url")?,
        image_alt: r.try_get("image_alt")?,
        image_width: r.try_get("image_width")?,
        image_height: r.try_get("image_height")?,
        section: r.try_get("section")?,
        tags: json_list(r, "tags")?,
        videos_json: r.try_get("videos")?,
        html: r.try_get("html")?,
        text: r.try_get("text")?,
        word_count: r.try_get("word_count")?,
        extract_status: r.try_get("extract_status")?,
        content_hash: r.try_get("content_hash")?,
        simhash: r.try_get("simhash")?,
        duplicate_of: r.try_get::<Option<i64>, _>("duplicate_of")?.map(ArticleId),
        story_id: r.try_get::<Option<i64>, _>("story_id")?.map(StoryId),
        keywords: json_list(r, "keywords")?,
        entities: json_list(r, "entities")?,
        created_at: Timestamp(r.try_get("created_at")?),
        updated_at: Timestamp(r.try_get("updated_at")?),
        change_seq: r.try_get("change_seq")?,
    })
}

impl Store {
    /// Insert an article. An article with the same canonical URL is a `Duplicate`.
    pub async fn insert_article(&self, a: &NewArticle) -> Result<ArticleId> {
        let source_id = a
            .source_id
            .ok_or_else(|| StoreError::Corrupt("article without source".into()))?;
        let url = a
            .url
            .as_ref()
            .map(|u| u.as_str().to_string())
            .unwrap_or_else(|| a.original_url.clone());
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let seq = Store::next_counter(&mut tx, "article_change").await?;
        let word_count = i64::try_from(a.text.split_whitespace().count()).unwrap_or(i64::MAX);
        let res: std::result::Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO articles (source_id, url, original_url, title, description, authors,
                published_at, published_offset, modified_at, site_name, language, image_url,
                image_alt, image_width, image_height, section, tags, videos, html, text,
                word_count, extract_status, extract_error, content_hash, simhash, duplicate_of,
                keywords, entities, features, fetched_at, created_at, updated_at, change_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $31, $32)
             RETURNING id",
        )
        .bind(source_id.0)
        .bind(&url)
        .bind(&a.original_url)
        .bind(&a.title)
        .bind(a.description.as_deref())
        .bind(to_json_list(&a.authors))
        .bind(a.published_at)
        .bind(a.published_offset)
        .bind(a.modified_at)
        .bind(a.site_name.as_deref())
        .bind(a.language.as_deref())
        .bind(a.image_url.as_deref())
        .bind(a.image_alt.as_deref())
        .bind(a.image_width)
        .bind(a.image_height)
        .bind(a.section.as_deref())
        .bind(to_json_list(&a.tags))
        .bind(if a.videos_json.is_empty() {
            "[]"
        } else {
            a.videos_json.as_str()
        })
        .bind(&a.html)
        .bind(&a.text)
        .bind(word_count)
        .bind(if a.extract_status.is_empty() {
            "extracted"
        } else {
            a.extract_status.as_str()
        })
        .bind(a.extract_error.as_deref())
        .bind(a.content_hash.as_deref())
        .bind(a.simhash)
        .bind(a.duplicate_of.map(|d| d.0))
        .bind(to_json_list(&a.keywords))
        .bind(to_json_list(&a.entities))
        .bind(a.features.clone())
        .bind(a.fetched_at)
        .bind(now)
        .bind(seq)
        .fetch_one(&mut *tx)
        .await;
        let id = match res {
            Ok(id) => id,
            Err(e) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Duplicate(format!("article {url}")));
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        Ok(ArticleId(id))
    }

    pub async fn article(&self, id: ArticleId) -> Result<Option<ArticleRow>> {
        let row = sqlx::query(
            "SELECT a.*, COALESCE(s.name, s.title, s.url) AS source_name, s.display AS source_display
             FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(article_from_row).transpose()
    }

    pub async fn article_id_by_url(&self, url: &str) -> Result<Option<ArticleId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM articles WHERE url = $1")
            .bind(url)
            .fetch_optional(&self.read)
            .await?;
        Ok(id.map(ArticleId))
    }

    /// Newest articles first (by first-seen time, which never lies about the
    /// future), excluding syndicated copies. `before` is a cursor: the
    /// `(created_at, id)` of the last card of the previous page.
    pub async fn latest_articles(
        &self,
        limit: i64,
        before: Option<(i64, i64)>,
    ) -> Result<Vec<ArticleCard>> {
        let (t, id) = before.unwrap_or((i64::MAX, i64::MAX));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CARD_COLUMNS} FROM articles a JOIN sources s ON s.id = a.source_id
             WHERE a.duplicate_of IS NULL
               AND (a.created_at < $1 OR (a.created_at = $1 AND a.id < $2))
             ORDER BY a.created_at DESC, a.id DESC LIMIT $3"
        )))
        .bind(t)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(card_from_row).collect()
    }

    pub async fn count_articles(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM articles")
            .fetch_one(&self.read)
            .await?)
    }
}
