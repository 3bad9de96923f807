//! Articles: one row per canonical URL.

use crate::{Result, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tidings_core::{
    ArticleId, CanonicalUrl, DisplayPolicy, ExtractStatus, SourceId, StoryId, Timestamp, now_ms,
};

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
    pub extract_status: ExtractStatus,
    pub extract_error: Option<String>,
    pub content_hash: Option<String>,
    pub simhash: Option<i64>,
    pub duplicate_of: Option<ArticleId>,
    pub keywords: Vec<String>,
    pub entities: Vec<String>,
    pub features: Option<Vec<u8>>,
    pub fetched_at: Option<i64>,
    /// The cached copy of the lead image (a `media` id), when it is to be fetched.
    pub image_media: Option<String>,
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
    /// The cached lead image, when it was fetched: (media id, width, height).
    pub image: Option<(String, i64, i64)>,
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
    /// The source is private (a reader's own feed): shown only to its
    /// followers, never on a public surface.
    pub private: bool,
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
    /// The cached copy of the lead image (see `media`), once requested.
    pub image_media: Option<String>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub videos_json: String,
    pub html: String,
    pub text: String,
    pub word_count: i64,
    pub extract_status: ExtractStatus,
    pub extract_error: Option<String>,
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

/// An `articles` row (unaliased) whose source is public.
const PUBLIC_ARTICLE: &str =
    "articles.source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')";

pub(crate) const CARD_COLUMNS: &str = "a.id, a.title, a.url, a.description, a.source_id,
    COALESCE(s.name, s.title, s.url) AS source_name, a.published_at, a.created_at,
    a.image_url, a.language, a.story_id,
    (SELECT m.id FROM media m WHERE m.id = a.image_media AND m.status = 'ok') AS image_media,
    (SELECT m.width FROM media m WHERE m.id = a.image_media AND m.status = 'ok') AS image_media_width,
    (SELECT m.height FROM media m WHERE m.id = a.image_media AND m.status = 'ok') AS image_media_height";

pub(crate) fn card_from_row(r: &AnyRow) -> Result<ArticleCard> {
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
        image: match (
            r.try_get::<Option<String>, _>("image_media")?,
            r.try_get::<Option<i64>, _>("image_media_width")?,
            r.try_get::<Option<i64>, _>("image_media_height")?,
        ) {
            (Some(id), Some(w), Some(h)) => Some((id, w, h)),
            _ => None,
        },
    })
}

fn json_list(r: &AnyRow, col: &str) -> Result<Vec<String>> {
    let s: String = r.try_get(col)?;
    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("articles.{col}: {e}")))
}

fn to_json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".to_string())
}

pub(crate) fn article_from_row(r: &AnyRow) -> Result<ArticleRow> {
    let display: String = r.try_get("source_display")?;
    Ok(ArticleRow {
        id: ArticleId(r.try_get("id")?),
        source_id: SourceId(r.try_get("source_id")?),
        source_name: r.try_get("source_name")?,
        source_display: display.parse().unwrap_or_default(),
        private: r.try_get::<String, _>("source_visibility")? != crate::sources::PUBLIC,
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
        image_media: r.try_get("image_media")?,
        section: r.try_get("section")?,
        tags: json_list(r, "tags")?,
        videos_json: r.try_get("videos")?,
        html: r.try_get("html")?,
        text: r.try_get("text")?,
        word_count: r.try_get("word_count")?,
        extract_status: {
            let s: String = r.try_get("extract_status")?;
            ExtractStatus::parse(&s)
                .ok_or_else(|| StoreError::Corrupt(format!("extract status `{s}`")))?
        },
        extract_error: r.try_get("extract_error")?,
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
        let mut tx = self.begin_write().await?;
        let id = match insert_article_in(&mut tx, a, source_id, &url).await {
            Ok(id) => id,
            Err(StoreError::Database(e)) if StoreError::is_unique_violation(&e) => {
                return Err(StoreError::Duplicate(format!("article {url}")));
            }
            Err(e) => return Err(e),
        };
        tx.commit().await?;
        Ok(ArticleId(id))
    }

    pub async fn article(&self, id: ArticleId) -> Result<Option<ArticleRow>> {
        let row = sqlx::query(
            "SELECT a.*, COALESCE(s.name, s.title, s.url) AS source_name, s.display AS source_display,
                s.visibility AS source_visibility
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
             WHERE a.duplicate_of IS NULL AND s.visibility = 'public'
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

/// Why an incoming article was not stored as a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DupReason {
    /// Same canonical URL.
    Url,
    /// Same normalised text.
    Exact,
    /// A near-duplicate (syndicated copy with other page chrome).
    NearDuplicate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    Inserted(ArticleId),
    Duplicate { of: ArticleId, reason: DupReason },
}

/// Everything stored alongside a new article, in the same transaction.
pub struct IngestExtras<'a> {
    /// LSH band keys of the body's near-duplicate signature.
    pub bands: &'a [i64],
    /// Section topics with scores.
    pub topics: &'a [(String, f64)],
    /// Other URLs this article is known by (e.g. the feed's URL before the page's
    /// canonical link); entries listing them are linked too.
    pub aliases: &'a [String],
    /// Given a candidate's `features` blob, is the new article a copy of it?
    pub is_copy_of: &'a (dyn Fn(&[u8]) -> bool + Sync),
    /// Images a new article wants cached: (media id, source URL, the job that
    /// fetches it), queued when the media row is new.
    pub media: &'a [(String, String, crate::NewJob)],
    /// The fetched page, kept for extracting again: (URL, content type,
    /// compressed body).
    pub page: Option<(&'a str, Option<&'a str>, &'a [u8])>,
    /// The job doing this ingest (id, node): marked done in the same
    /// transaction, so the work and its record commit together.
    pub job: Option<(tidings_core::JobId, &'a str)>,
}

impl Store {
    /// Store an article unless it is a copy of one we have (same URL, same
    /// text, or a near-duplicate found through shared LSH bands). Checks and
    /// insert happen in one transaction that is serialised against others
    /// touching the same URL or bands, so two workers ingesting two copies of
    /// one story at once still store it once. Feed entries listing the URL (or
    /// an alias) are linked to the stored or original article.
    pub async fn ingest_article(&self, a: &NewArticle, x: &IngestExtras<'_>) -> Result<Ingested> {
        let source_id = a
            .source_id
            .ok_or_else(|| StoreError::Corrupt("article without source".into()))?;
        let url = a
            .url
            .as_ref()
            .map(|u| u.as_str().to_string())
            .unwrap_or_else(|| a.original_url.clone());
        // On SQLite, compare with the articles stored so far before taking the
        // single writer: reading and decoding candidates under it made every
        // other ingest wait. Inside the transaction only articles stored since
        // (ids above `seen`) are left to check; ids only grow (AUTOINCREMENT).
        let before = if self.backend == crate::Backend::Sqlite {
            let seen: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM articles")
                .fetch_one(&self.read)
                .await?;
            let mut conn = self.read.acquire().await?;
            let copy_of = near_duplicate_in(&mut conn, x, 0, seen).await?;
            Some(CheckedBefore { seen, copy_of })
        } else {
            None
        };
        let mut tx = self.begin_write().await?;
        if self.backend == crate::Backend::Postgres {
            // SQLite's single writer serialises this already; PostgreSQL needs
            // locks on the URL and every band, taken in a stable order.
            let mut keys: Vec<i64> = x.bands.to_vec();
            keys.push(lock_key(&url));
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(k)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let mut link_urls: Vec<&str> = vec![url.as_str(), a.original_url.as_str()];
        link_urls.extend(x.aliases.iter().map(String::as_str));

        let found = match original_of(&mut tx, &url, a.content_hash.as_deref(), x, before).await? {
            Some((orig, reason)) => public_original(&mut tx, source_id, orig, reason).await?,
            None => None,
        };
        if let Some((orig, reason)) = found {
            link_entries(&mut tx, &link_urls, orig).await?;
            if let Some((job, node)) = x.job {
                Store::complete_job_in(&mut tx, job, node).await?;
            }
            tx.commit().await?;
            return Ok(Ingested::Duplicate {
                of: ArticleId(orig),
                reason,
            });
        }

        let id = insert_article_in(&mut tx, a, source_id, &url).await?;
        // One statement per table: 32 band rows one by one were a good part
        // of the crawl's time in SQLite and its thread hand-offs.
        if !x.bands.is_empty() {
            let rows: Vec<String> = (0..x.bands.len())
                .map(|i| format!("(${}, $1)", i + 2))
                .collect();
            let sql = format!(
                "INSERT INTO article_bands (band, article_id) VALUES {} ON CONFLICT DO NOTHING",
                rows.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
            for band in x.bands {
                q = q.bind(*band);
            }
            q.execute(&mut *tx).await?;
        }
        if !x.topics.is_empty() {
            let rows: Vec<String> = (0..x.topics.len())
                .map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3))
                .collect();
            let sql = format!(
                "INSERT INTO article_topics (article_id, topic, score) VALUES {} ON CONFLICT DO NOTHING",
                rows.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
            for (topic, score) in x.topics {
                q = q.bind(topic.as_str()).bind(*score);
            }
            q.execute(&mut *tx).await?;
        }
        link_entries(&mut tx, &link_urls, id).await?;
        for (media_id, media_url, job) in x.media {
            if Store::add_media_in(&mut tx, media_id, media_url).await? {
                Store::enqueue_in(&mut tx, job).await?;
            }
        }
        if let Some((url, content_type, body)) = x.page {
            sqlx::query(
                "INSERT INTO article_pages (article_id, url, content_type, fetched_at, body)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(url)
            .bind(content_type)
            .bind(now_ms())
            .bind(body)
            .execute(&mut *tx)
            .await?;
        }
        if let Some((job, node)) = x.job {
            Store::complete_job_in(&mut tx, job, node).await?;
        }
        tx.commit().await?;
        Ok(Ingested::Inserted(ArticleId(id)))
    }

    /// The stored `features` blob of an article.
    pub async fn article_features(&self, id: ArticleId) -> Result<Option<Vec<u8>>> {
        let f: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT features FROM article_vectors WHERE article_id = $1")
                .bind(id.0)
                .fetch_optional(&self.read)
                .await?;
        Ok(f.flatten())
    }

    /// Topics of an article, strongest first.
    pub async fn article_topics(&self, id: ArticleId) -> Result<Vec<(String, f64)>> {
        Ok(sqlx::query_as(
            "SELECT topic, score FROM article_topics WHERE article_id = $1 ORDER BY score DESC, topic",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?)
    }

    /// How many sources list this article (its own plus syndicated copies).
    pub async fn article_entry_sources(&self, id: ArticleId) -> Result<Vec<SourceId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT source_id FROM feed_entries WHERE article_id = $1 ORDER BY source_id",
        )
        .bind(id.0)
        .fetch_all(&self.read)
        .await?;
        Ok(ids.into_iter().map(SourceId).collect())
    }
}

/// What the near-duplicate check found before the write transaction.
struct CheckedBefore {
    /// Highest article id then.
    seen: i64,
    copy_of: Option<i64>,
}

/// A private source's article (a reader's own feed) never hides a public
/// source's: a public source's article at the same URL takes the stored one
/// over (it becomes that source's, and public: its change number moves so
/// search indexes pick it up), and the same or near-same text from a public
/// source is stored as an article of its own. Otherwise the original stands.
async fn public_original(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    source: SourceId,
    orig: i64,
    reason: DupReason,
) -> Result<Option<(i64, DupReason)>> {
    let (new_vis, orig_vis): (Option<String>, String) = sqlx::query_as(
        "SELECT (SELECT visibility FROM sources WHERE id = $1), s.visibility
         FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = $2",
    )
    .bind(source.0)
    .bind(orig)
    .fetch_one(&mut **tx)
    .await?;
    let public = crate::sources::PUBLIC;
    if new_vis.as_deref() != Some(public) || orig_vis == public {
        return Ok(Some((orig, reason)));
    }
    if reason != DupReason::Url {
        return Ok(None);
    }
    let seq = Store::next_counter(tx, "article_change").await?;
    sqlx::query(
        "UPDATE articles SET source_id = $1, change_seq = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(source.0)
    .bind(seq)
    .bind(now_ms())
    .bind(orig)
    .execute(&mut **tx)
    .await?;
    Ok(Some((orig, reason)))
}

/// The stored article the new one is: same URL, same text, or a near-duplicate
/// (the last checked only among articles stored since `before`, if given).
async fn original_of(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    url: &str,
    content_hash: Option<&str>,
    x: &IngestExtras<'_>,
    before: Option<CheckedBefore>,
) -> Result<Option<(i64, DupReason)>> {
    let by_url: Option<i64> = sqlx::query_scalar("SELECT id FROM articles WHERE url = $1")
        .bind(url)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = by_url {
        return Ok(Some((id, DupReason::Url)));
    }
    if let Some(h) = content_hash {
        let exact: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM articles WHERE content_hash = $1 AND duplicate_of IS NULL
             ORDER BY id LIMIT 1",
        )
        .bind(h)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = exact {
            return Ok(Some((id, DupReason::Exact)));
        }
    }
    let after = match before {
        Some(CheckedBefore {
            copy_of: Some(id), ..
        }) => {
            let still: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM articles WHERE id = $1 AND duplicate_of IS NULL",
            )
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
            if still.is_some() {
                return Ok(Some((id, DupReason::NearDuplicate)));
            }
            // It stopped being an original meanwhile: look at every article again.
            0
        }
        Some(CheckedBefore {
            seen,
            copy_of: None,
        }) => seen,
        None => 0,
    };
    Ok(near_duplicate_in(tx, x, after, i64::MAX)
        .await?
        .map(|id| (id, DupReason::NearDuplicate)))
}

/// The first stored original (id in `after+1 ..= upto`) that shares an LSH band
/// with the new article and that `is_copy_of` confirms.
async fn near_duplicate_in(
    conn: &mut sqlx::AnyConnection,
    x: &IngestExtras<'_>,
    after: i64,
    upto: i64,
) -> Result<Option<i64>> {
    if x.bands.is_empty() || after >= upto {
        return Ok(None);
    }
    let n = x.bands.len();
    let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    // From the start: an index seek per band. Only articles stored since a
    // first check (`after` > 0, inside the write transaction: a few): their
    // band rows by article id, so not every band's seek holds the writer.
    let band = if after > 0 { "+band" } else { "band" };
    let sql = format!(
        // Bands first, then the few articles they name: a join lets SQLite
        // walk all articles in id order instead.
        "SELECT a.id, v.features FROM articles a JOIN article_vectors v ON v.article_id = a.id
         WHERE a.id IN (SELECT article_id FROM article_bands
                        WHERE {band} IN ({}) AND article_id > ${n1} AND article_id <= ${n2})
           AND a.duplicate_of IS NULL
         ORDER BY a.id LIMIT 64",
        placeholders.join(", "),
        n1 = n + 1,
        n2 = n + 2
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in x.bands {
        q = q.bind(*b);
    }
    for r in q.bind(after).bind(upto).fetch_all(&mut *conn).await? {
        let features: Option<Vec<u8>> = r.try_get("features")?;
        if let Some(f) = features
            && (x.is_copy_of)(&f)
        {
            return Ok(Some(r.try_get("id")?));
        }
    }
    Ok(None)
}

async fn link_entries(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    urls: &[&str],
    id: i64,
) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    let urls: Vec<&str> = urls
        .iter()
        .copied()
        .filter(|u| !u.is_empty() && seen.insert(*u))
        .collect();
    if urls.is_empty() {
        return Ok(());
    }
    // One statement: each is a round trip to the writer.
    let ph: Vec<String> = (0..urls.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "UPDATE feed_entries SET article_id = $1 WHERE url IN ({}) AND article_id IS NULL",
        ph.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
    for u in urls {
        q = q.bind(u);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// A stable 63-bit key for advisory locks on a URL.
fn lock_key(s: &str) -> i64 {
    // FNV-1a: stable across processes and releases (unlike std's hasher).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}

async fn insert_article_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    a: &NewArticle,
    source_id: SourceId,
    url: &str,
) -> Result<i64> {
    let now = now_ms();
    let seq = Store::next_counter(tx, "article_change").await?;
    let word_count = i64::try_from(a.text.split_whitespace().count()).unwrap_or(i64::MAX);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO articles (source_id, url, original_url, title, description, authors,
            published_at, published_offset, modified_at, site_name, language, image_url,
            image_alt, image_width, image_height, section, tags, videos, html, text,
            word_count, extract_status, extract_error, content_hash, simhash, duplicate_of,
            keywords, entities, fetched_at, created_at, updated_at, change_seq, image_media)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $30, $31, $32)
         RETURNING id",
    )
    .bind(source_id.0)
    .bind(url)
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
    .bind(a.extract_status.as_str())
    .bind(a.extract_error.as_deref())
    .bind(a.content_hash.as_deref())
    .bind(a.simhash)
    .bind(a.duplicate_of.map(|d| d.0))
    .bind(to_json_list(&a.keywords))
    .bind(to_json_list(&a.entities))
    .bind(a.fetched_at)
    .bind(now)
    .bind(seq)
    .bind(a.image_media.as_deref())
    .fetch_one(&mut **tx)
    .await?;
    if let Some(f) = &a.features {
        sqlx::query("INSERT INTO article_vectors (article_id, features) VALUES ($1, $2)")
            .bind(id)
            .bind(f.as_slice())
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

impl Store {
    /// Integrity check: groups of stored articles with identical text (should be 0:
    /// copies are linked to their original, not stored).
    pub async fn duplicate_text_groups(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT content_hash FROM articles WHERE content_hash IS NOT NULL
             GROUP BY content_hash HAVING COUNT(*) > 1) t",
        )
        .fetch_one(&self.read)
        .await?)
    }

    /// The article each entry URL of a source resolved to: `(entry url, article url)`.
    pub async fn entry_links(&self) -> Result<Vec<(String, Option<String>)>> {
        Ok(sqlx::query_as(
            "SELECT e.url, a.url FROM feed_entries e LEFT JOIN articles a ON a.id = e.article_id
             WHERE e.url IS NOT NULL ORDER BY e.id",
        )
        .fetch_all(&self.read)
        .await?)
    }
}

/// Which articles a list shows.
#[derive(Debug, Clone)]
pub enum ArticleFilter {
    All,
    Source(SourceId),
    Topic(String),
    Story(StoryId),
}

/// One source's coverage of a story: its own article, or a copy it carried.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub source_id: SourceId,
    pub source_name: String,
    pub article_id: ArticleId,
    /// The URL at that source (the original for copies).
    pub url: String,
    pub title: String,
    pub time: Timestamp,
    /// True when this source's item is a syndicated copy of `article_id`.
    pub is_copy: bool,
    /// When the publisher last changed the article, if it said.
    pub modified: Option<Timestamp>,
    /// What the operator says about the source; its language falls back to
    /// the feed's.
    pub profile: tidings_core::SourceProfile,
}

impl Store {
    /// Newest first by first-seen time, with a `(created_at, id)` cursor.
    /// Public articles only (no private source's).
    pub async fn list_articles(
        &self,
        filter: &ArticleFilter,
        limit: i64,
        before: Option<(i64, i64)>,
    ) -> Result<Vec<ArticleCard>> {
        let (t, id) = before.unwrap_or((i64::MAX, i64::MAX));
        let (join, cond) = match filter {
            ArticleFilter::All => ("", ""),
            ArticleFilter::Source(_) => ("", " AND a.source_id = $4"),
            ArticleFilter::Topic(_) => (
                " JOIN article_topics t ON t.article_id = a.id",
                " AND t.topic = $4",
            ),
            ArticleFilter::Story(_) => ("", " AND a.story_id = $4"),
        };
        let sql = format!(
            "SELECT {CARD_COLUMNS} FROM articles a JOIN sources s ON s.id = a.source_id{join}
             WHERE a.duplicate_of IS NULL AND s.visibility = 'public'
               AND (a.created_at < $1 OR (a.created_at = $1 AND a.id < $2)){cond}
             ORDER BY a.created_at DESC, a.id DESC LIMIT $3"
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(t)
            .bind(id)
            .bind(limit);
        let q = match filter {
            ArticleFilter::All => q,
            ArticleFilter::Source(s) => q.bind(s.0),
            ArticleFilter::Topic(slug) => q.bind(slug.clone()),
            ArticleFilter::Story(s) => q.bind(s.0),
        };
        let rows = q.fetch_all(&self.read).await?;
        rows.iter().map(card_from_row).collect()
    }

    /// One page of the site's article sitemap: articles whose id is in
    /// `[from, to)` (duplicates left out), by id, as (id, title, time shown).
    /// Pages by id range stay the same as articles are added, so each can be
    /// cached and only the last one grows.
    pub async fn sitemap_articles(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<(ArticleId, String, Timestamp)>> {
        let rows = sqlx::query(
            "SELECT id, title, COALESCE(published_at, created_at) AS t FROM articles
             WHERE id >= $1 AND id < $2 AND duplicate_of IS NULL
               AND source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')
             ORDER BY id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    ArticleId(r.try_get("id")?),
                    r.try_get("title")?,
                    Timestamp(r.try_get("t")?),
                ))
            })
            .collect()
    }

    /// The highest article id, 0 when there is none.
    pub async fn max_article_id(&self) -> Result<i64> {
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM articles")
            .fetch_one(&self.read)
            .await?;
        Ok(max.unwrap_or(0))
    }

    /// Cards for the given ids, in their order (missing ids and private
    /// sources' articles are skipped).
    pub async fn article_cards(&self, ids: &[ArticleId]) -> Result<Vec<ArticleCard>> {
        self.cards_where(ids, " AND s.visibility = 'public'").await
    }

    /// Cards for the given ids, private sources' too: for the reader
    /// functions, which decide who sees what (`readers.rs`).
    pub(crate) async fn cards_where(
        &self,
        ids: &[ArticleId],
        cond: &'static str,
    ) -> Result<Vec<ArticleCard>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ph: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {CARD_COLUMNS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id IN ({}){cond}",
            ph.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for i in ids {
            q = q.bind(i.0);
        }
        let rows = q.fetch_all(&self.read).await?;
        let mut cards = rows.iter().map(card_from_row).collect::<Result<Vec<_>>>()?;
        crate::in_order_of(&mut cards, ids, |c| c.id);
        Ok(cards)
    }

    /// Which of these (canonical) URLs are articles we have: stored under that
    /// URL, or a feed entry there that is a copy of one (syndicated text).
    pub async fn article_ids_by_urls(&self, urls: &[String]) -> Result<Vec<(String, ArticleId)>> {
        let mut out = Vec::new();
        for chunk in urls.chunks(200) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let ph = ph.join(", ");
            let sql = format!(
                "SELECT url, id FROM articles WHERE url IN ({ph}) AND {PUBLIC_ARTICLE}
                 UNION SELECT fe.url, fe.article_id AS id FROM feed_entries fe JOIN articles
                   ON articles.id = fe.article_id
                   WHERE fe.url IN ({ph}) AND {PUBLIC_ARTICLE}"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for u in chunk {
                q = q.bind(u.as_str());
            }
            for r in q.fetch_all(&self.read).await? {
                out.push((r.try_get("url")?, ArticleId(r.try_get("id")?)));
            }
        }
        Ok(out)
    }

    /// Every source's item in a story, newest first.
    pub async fn story_coverage(&self, story: StoryId) -> Result<Vec<Coverage>> {
        let rows = sqlx::query(
            "SELECT fe.source_id, COALESCE(s.name, s.title, s.url) AS source_name, a.id AS article_id,
                    COALESCE(fe.url, a.url) AS url, COALESCE(fe.title, a.title) AS title,
                    COALESCE(fe.published_at, a.published_at, a.created_at) AS t,
                    CASE WHEN fe.source_id = a.source_id THEN 0 ELSE 1 END AS is_copy,
                    a.modified_at, s.country, COALESCE(s.audience_language, s.language) AS audience_language,
                    s.owner, s.outlet_kind, s.perspective
             FROM feed_entries fe JOIN articles a ON a.id = fe.article_id JOIN sources s ON s.id = fe.source_id
             WHERE a.story_id = $1 AND s.visibility = 'public'
             ORDER BY t DESC, fe.id DESC",
        )
        .bind(story.0)
        .fetch_all(&self.read)
        .await?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for r in &rows {
            let c = Coverage {
                source_id: SourceId(r.try_get("source_id")?),
                source_name: r.try_get("source_name")?,
                article_id: ArticleId(r.try_get("article_id")?),
                url: r.try_get("url")?,
                title: r.try_get("title")?,
                time: Timestamp(r.try_get("t")?),
                is_copy: r.try_get::<i64, _>("is_copy")? == 1,
                modified: r.try_get::<Option<i64>, _>("modified_at")?.map(Timestamp),
                profile: crate::sources::profile_from_row(r)?,
            };
            // One line per (source, article): a source listing one URL twice is one item.
            if seen.insert((c.source_id, c.article_id)) {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// The perspective labels of the sources covering each of these stories:
    /// (story, label, distinct sources). Sources without a label are left out.
    pub async fn story_perspectives(
        &self,
        stories: &[StoryId],
    ) -> Result<Vec<(StoryId, String, i64)>> {
        let mut out = Vec::new();
        for chunk in stories.chunks(200) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT a.story_id, s.perspective, COUNT(DISTINCT s.id) AS n
                 FROM feed_entries fe JOIN articles a ON a.id = fe.article_id JOIN sources s ON s.id = fe.source_id
                 WHERE a.story_id IN ({}) AND s.perspective IS NOT NULL AND s.visibility = 'public'
                 GROUP BY a.story_id, s.perspective",
                ph.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for s in chunk {
                q = q.bind(s.0);
            }
            for r in q.fetch_all(&self.read).await? {
                out.push((
                    StoryId(r.try_get("story_id")?),
                    r.try_get("perspective")?,
                    r.try_get("n")?,
                ));
            }
        }
        Ok(out)
    }

    /// Article counts per topic slug.
    pub async fn topic_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT topic, COUNT(*) FROM article_topics
             WHERE article_id NOT IN (SELECT a.id FROM articles a
                 WHERE a.source_id IN (SELECT id FROM sources WHERE visibility <> 'public'))
             GROUP BY topic ORDER BY topic",
        )
        .fetch_all(&self.read)
        .await?)
    }

    /// Recently active stories (for ranking in the web layer).
    pub async fn recent_stories(&self, limit: i64) -> Result<Vec<crate::StoryRow>> {
        self.top_stories_by_recency(limit).await
    }
}
