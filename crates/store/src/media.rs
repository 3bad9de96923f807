//! Cached images (lead images, thumbnails, video posters), fetched once by the
//! crawler and served by Tidings so readers never contact publishers' hosts.

use crate::{Result, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
pub use tidings_core::MediaStatus;
use tidings_core::now_ms;

#[derive(Debug, Clone, Serialize)]
pub struct MediaRow {
    pub id: String,
    pub source_url: String,
    pub status: MediaStatus,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub error: Option<String>,
}

impl Store {
    /// Remember, inside the caller's transaction, that `id` should be fetched
    /// from `url`. False when it is already known.
    pub(crate) async fn add_media_in(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: &str,
        url: &str,
    ) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO media (id, source_url, status, created_at) VALUES ($1, $2, 'pending', $3)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(url)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn media_done(
        &self,
        id: &str,
        content_type: &str,
        width: i64,
        height: i64,
        bytes: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE media SET status = 'ok', content_type = $1, width = $2, height = $3, bytes = $4,
                error = NULL, fetched_at = $5 WHERE id = $6",
        )
        .bind(content_type)
        .bind(width)
        .bind(height)
        .bind(bytes)
        .bind(now_ms())
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn media_failed(&self, id: &str, error: &str) -> Result<()> {
        sqlx::query(
            "UPDATE media SET status = 'failed', error = $1, fetched_at = $2 WHERE id = $3",
        )
        .bind(error.chars().take(500).collect::<String>())
        .bind(now_ms())
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Ask for images to be cached: each new media row and its fetch job,
    /// in one transaction (known images are left as they are).
    pub async fn request_media(&self, media: &[(String, String, crate::NewJob)]) -> Result<()> {
        if media.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for (id, url, job) in media {
            if Store::add_media_in(&mut tx, id, url).await? {
                Store::enqueue_in(&mut tx, job).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The cached images with these ids (any order; unknown ids are left out).
    pub async fn media_many(&self, ids: &[String]) -> Result<Vec<MediaRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(200) {
            let ph: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, source_url, status, width, height, error FROM media WHERE id IN ({})",
                ph.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id);
            }
            for r in q.fetch_all(&self.read).await? {
                out.push(media_from_row(&r)?);
            }
        }
        Ok(out)
    }

    /// The cached image made from `url`, if any (operators' checks, tests).
    pub async fn media_for_url(&self, url: &str) -> Result<Option<MediaRow>> {
        let row = sqlx::query("SELECT id FROM media WHERE source_url = $1")
            .bind(url)
            .fetch_optional(&self.read)
            .await?;
        match row {
            Some(r) => self.media(&r.try_get::<String, _>("id")?).await,
            None => Ok(None),
        }
    }

    pub async fn media(&self, id: &str) -> Result<Option<MediaRow>> {
        let r = sqlx::query(
            "SELECT id, source_url, status, width, height, error FROM media WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        r.as_ref().map(media_from_row).transpose()
    }

    /// Whether image files are kept in the database (PostgreSQL: several
    /// nodes with their own data dirs) rather than only in a node's `media/`.
    pub fn shares_media_files(&self) -> bool {
        self.backend == crate::Backend::Postgres
    }

    /// Store the files of one image (name like `640.webp`), replacing any
    /// earlier copy, all or nothing.
    pub async fn put_media_files(&self, id: &str, files: &[(String, Vec<u8>)]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (name, body) in files {
            sqlx::query(
                "INSERT INTO media_files (media_id, name, body) VALUES ($1, $2, $3)
                 ON CONFLICT (media_id, name) DO UPDATE SET body = excluded.body",
            )
            .bind(id)
            .bind(name)
            .bind(body.as_slice())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One stored image file.
    pub async fn media_file(&self, id: &str, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(
            sqlx::query_scalar("SELECT body FROM media_files WHERE media_id = $1 AND name = $2")
                .bind(id)
                .bind(name)
                .fetch_optional(&self.read)
                .await?,
        )
    }
}

fn media_from_row(r: &sqlx::any::AnyRow) -> Result<MediaRow> {
    Ok(MediaRow {
        id: r.try_get("id")?,
        source_url: r.try_get("source_url")?,
        status: {
            let s: String = r.try_get("status")?;
            MediaStatus::parse(&s)
                .ok_or_else(|| StoreError::Corrupt(format!("media status `{s}`")))?
        },
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        error: r.try_get("error")?,
    })
}
