//! Sources (feeds and sitemaps) and their fetch state.

use crate::{Result, Store, StoreError, flag};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tidings_core::{CanonicalUrl, DisplayPolicy, SourceId, SourceKind, Timestamp, now_ms};

/// A source to add.
#[derive(Debug, Clone)]
pub struct NewSource {
    pub url: CanonicalUrl,
    pub kind: SourceKind,
    pub name: Option<String>,
    pub site_url: Option<String>,
    pub display: DisplayPolicy,
    /// What the operator says about it; on an import, also set on a source
    /// that exists already when any value is given.
    pub profile: tidings_core::SourceProfile,
}

/// A stored source with its fetch state and article count.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub id: SourceId,
    pub url: String,
    pub kind: SourceKind,
    pub name: Option<String>,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub display: DisplayPolicy,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub created_at: Timestamp,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetch_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub error_count: i64,
    pub next_fetch_at: Timestamp,
    pub fetch_interval_ms: i64,
    pub last_new_at: Option<Timestamp>,
    pub article_count: i64,
    /// Extraction rules set by an operator: the article's content selector…
    pub content_selector: Option<String>,
    /// …and selectors of blocks to remove.
    pub remove_selectors: Vec<String>,
    /// What the operator says about the source (country, owner, …).
    pub profile: tidings_core::SourceProfile,
    /// Added by a reader for themselves (see [`Store::subscribe_url`]):
    /// crawled for the readers who follow it, shown to nobody else.
    pub private: bool,
    /// The reader who added it, for a private source.
    pub added_by: Option<tidings_core::UserId>,
}

impl Source {
    /// The name to show: the operator's name, else the feed's title, else the host.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.title.clone())
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| {
                url::Url::parse(&self.url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_else(|| self.url.clone())
            })
    }

    /// Where the source stands, for lists.
    pub fn status(&self) -> tidings_core::SourceStatus {
        use tidings_core::SourceStatus;
        if !self.enabled {
            SourceStatus::Disabled
        } else if self.last_fetch_at.is_none() {
            SourceStatus::New
        } else if self.last_error.is_some() {
            SourceStatus::Error
        } else {
            SourceStatus::Ok
        }
    }
}

/// How a command names a source: by id or by URL.
#[derive(Debug, Clone)]
pub enum SourceRef {
    Id(SourceId),
    Url(CanonicalUrl),
}

/// The outcome of one poll, written back in one statement.
#[derive(Debug, Clone, Default)]
pub struct SourceFetchUpdate {
    pub status: Option<i64>,
    pub error: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub next_fetch_at: i64,
    pub fetch_interval_ms: i64,
    pub new_items: bool,
    /// `Some(reason)` disables the source (e.g. 410 Gone).
    pub disable: Option<String>,
}

/// `sources.visibility` of a source everyone sees; anything else is private.
pub(crate) const PUBLIC: &str = "public";
/// `sources.visibility` of a source a reader added for themselves.
pub(crate) const PRIVATE: &str = "private";

const SOURCE_COLUMNS: &str =
    "s.id, s.url, s.kind, s.name, s.title, s.site_url, s.description, s.language,
    s.display, s.enabled, s.disabled_reason, s.created_at, s.etag, s.last_modified, s.last_fetch_at,
    s.last_success_at, s.last_status, s.last_error, s.error_count, s.next_fetch_at,
    s.fetch_interval_ms, s.last_new_at, s.content_selector, s.remove_selectors,
    s.country, s.audience_language, s.owner, s.outlet_kind, s.perspective,
    s.visibility, s.added_by,
    (SELECT COUNT(*) FROM articles a WHERE a.source_id = s.id) AS article_count";

/// The profile columns of a row (`s.country`, … as selected).
pub(crate) fn profile_from_row(r: &AnyRow) -> Result<tidings_core::SourceProfile> {
    let kind: Option<String> = r.try_get("outlet_kind")?;
    Ok(tidings_core::SourceProfile {
        country: r.try_get("country")?,
        language: r.try_get("audience_language")?,
        owner: r.try_get("owner")?,
        kind: match kind {
            Some(k) => Some(
                tidings_core::OutletKind::parse(&k)
                    .ok_or_else(|| StoreError::Corrupt(format!("outlet kind `{k}`")))?,
            ),
            None => None,
        },
        perspective: r.try_get("perspective")?,
    })
}

fn source_from_row(r: &AnyRow) -> Result<Source> {
    let kind: String = r.try_get("kind")?;
    let display: String = r.try_get("display")?;
    Ok(Source {
        id: SourceId(r.try_get("id")?),
        url: r.try_get("url")?,
        kind: SourceKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("source kind `{kind}`")))?,
        name: r.try_get("name")?,
        title: r.try_get("title")?,
        site_url: r.try_get("site_url")?,
        description: r.try_get("description")?,
        language: r.try_get("language")?,
        display: display
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("display policy `{display}`")))?,
        enabled: flag(r.try_get("enabled")?),
        disabled_reason: r.try_get("disabled_reason")?,
        created_at: Timestamp(r.try_get("created_at")?),
        etag: r.try_get("etag")?,
        last_modified: r.try_get("last_modified")?,
        last_fetch_at: r.try_get::<Option<i64>, _>("last_fetch_at")?.map(Timestamp),
        last_success_at: r
            .try_get::<Option<i64>, _>("last_success_at")?
            .map(Timestamp),
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        error_count: r.try_get("error_count")?,
        next_fetch_at: Timestamp(r.try_get("next_fetch_at")?),
        fetch_interval_ms: r.try_get("fetch_interval_ms")?,
        last_new_at: r.try_get::<Option<i64>, _>("last_new_at")?.map(Timestamp),
        article_count: r.try_get("article_count")?,
        content_selector: r.try_get("content_selector")?,
        profile: profile_from_row(r)?,
        private: r.try_get::<String, _>("visibility")? != PUBLIC,
        added_by: r
            .try_get::<Option<i64>, _>("added_by")?
            .map(tidings_core::UserId),
        remove_selectors: {
            let v: String = r.try_get("remove_selectors")?;
            serde_json::from_str(&v)
                .map_err(|e| StoreError::Corrupt(format!("remove selectors `{v}`: {e}")))?
        },
    })
}

impl Store {
    /// Add one source. A source with the same URL is a `Duplicate` error.
    pub async fn add_source(&self, src: &NewSource) -> Result<Source> {
        let ids = self.add_sources(std::slice::from_ref(src), false).await?;
        let id = ids
            .into_iter()
            .next()
            .flatten()
            .ok_or_else(|| StoreError::Duplicate(format!("source {}", src.url)))?;
        self.source(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("source {id}")))
    }

    /// Add many sources in ONE transaction: all or nothing. With `skip_existing`,
    /// URLs already present are skipped (their slot in the result is `None`);
    /// without it, any duplicate aborts the whole batch.
    pub async fn add_sources(
        &self,
        sources: &[NewSource],
        skip_existing: bool,
    ) -> Result<Vec<Option<SourceId>>> {
        self.add_sources_with_progress(sources, skip_existing, &|_| {})
            .await
    }

    /// [`Store::add_sources`], calling `progress(done)` as rows are written.
    pub async fn add_sources_with_progress(
        &self,
        sources: &[NewSource],
        skip_existing: bool,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Option<SourceId>>> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let mut out = Vec::with_capacity(sources.len());
        for s in sources {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO sources (url, kind, name, site_url, display, created_at, updated_at, next_fetch_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6, 0)
                 ON CONFLICT (url) DO NOTHING RETURNING id",
            )
            .bind(s.url.as_str())
            .bind(s.kind.as_str())
            .bind(s.name.as_deref())
            .bind(s.site_url.as_deref())
            .bind(s.display.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if id.is_none() && !skip_existing {
                return Err(StoreError::Duplicate(format!("source {}", s.url)));
            }
            if s.profile != tidings_core::SourceProfile::default() {
                let p = &s.profile;
                sqlx::query(
                    "UPDATE sources SET country = $1, audience_language = $2, owner = $3,
                     outlet_kind = $4, perspective = $5 WHERE url = $6",
                )
                .bind(p.country.as_deref())
                .bind(p.language.as_deref())
                .bind(p.owner.as_deref())
                .bind(p.kind.map(tidings_core::OutletKind::as_str))
                .bind(p.perspective.as_deref())
                .bind(s.url.as_str())
                .execute(&mut *tx)
                .await?;
            }
            out.push(id.map(SourceId));
            if out.len() % 100 == 0 {
                progress(out.len());
            }
        }
        progress(out.len());
        tx.commit().await?;
        Ok(out)
    }

    pub async fn source(&self, id: SourceId) -> Result<Option<Source>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s WHERE s.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(source_from_row).transpose()
    }

    /// Set what the operator says about a source (unset values clear).
    pub async fn set_source_profile(
        &self,
        id: SourceId,
        p: &tidings_core::SourceProfile,
    ) -> Result<()> {
        let n = sqlx::query(
            "UPDATE sources SET country = $1, audience_language = $2, owner = $3, outlet_kind = $4,
             perspective = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(p.country.as_deref())
        .bind(p.language.as_deref())
        .bind(p.owner.as_deref())
        .bind(p.kind.map(tidings_core::OutletKind::as_str))
        .bind(p.perspective.as_deref())
        .bind(now_ms())
        .bind(id.0)
        .execute(&self.write)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        Ok(())
    }

    /// Set (or clear, with `None` and no removals) a source's extraction rules.
    pub async fn set_source_rules(
        &self,
        id: SourceId,
        content: Option<&str>,
        remove: &[String],
    ) -> Result<()> {
        let remove = serde_json::to_string(remove)
            .map_err(|e| StoreError::Corrupt(format!("remove selectors: {e}")))?;
        let n = sqlx::query(
            "UPDATE sources SET content_selector = $1, remove_selectors = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(content)
        .bind(remove)
        .bind(now_ms())
        .bind(id.0)
        .execute(&self.write)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        Ok(())
    }

    /// Point a source at another address (the feed its page offered), with
    /// that address's kind; due for a poll now. `Duplicate` when another source
    /// already has the address.
    pub async fn move_source(
        &self,
        id: SourceId,
        url: &CanonicalUrl,
        kind: SourceKind,
    ) -> Result<()> {
        let r = sqlx::query(
            "UPDATE sources SET url = $1, kind = $2, next_fetch_at = 0, etag = NULL,
             last_modified = NULL, updated_at = $3 WHERE id = $4",
        )
        .bind(url.as_str())
        .bind(kind.as_str())
        .bind(now_ms())
        .bind(id.0)
        .execute(&self.write)
        .await;
        match r {
            Ok(done) if done.rows_affected() == 0 => {
                Err(StoreError::NotFound(format!("source {id}")))
            }
            Ok(_) => Ok(()),
            Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::Duplicate(format!(
                "a source with the URL {url}"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn source_by_url(&self, url: &CanonicalUrl) -> Result<Option<Source>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s WHERE s.url = $1"
        )))
        .bind(url.as_str())
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(source_from_row).transpose()
    }

    pub async fn find_source(&self, r: &SourceRef) -> Result<Option<Source>> {
        match r {
            SourceRef::Id(id) => self.source(*id).await,
            SourceRef::Url(u) => self.source_by_url(u).await,
        }
    }

    /// The sources anyone may see (pages, feeds, sitemaps, the API), oldest
    /// first: every source but those readers added for themselves.
    pub async fn public_sources(&self) -> Result<Vec<Source>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s WHERE s.visibility = 'public' ORDER BY s.id"
        )))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(source_from_row).collect()
    }

    /// A source anyone may see: `None` for a private one, as for a missing one.
    pub async fn public_source(&self, id: SourceId) -> Result<Option<Source>> {
        Ok(self.source(id).await?.filter(|s| !s.private))
    }

    /// Every source (private ones too: for operators and the crawler), oldest first.
    pub async fn list_sources(&self) -> Result<Vec<Source>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s ORDER BY s.id"
        )))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(source_from_row).collect()
    }

    /// Remove a source and (by cascade) its feed entries and articles.
    /// Returns the removed source, or `NotFound`.
    pub async fn remove_source(&self, r: &SourceRef) -> Result<Source> {
        let src = self
            .find_source(r)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("source {}", source_ref_label(r))))?;
        let mut tx = self.begin_write().await?;
        Store::tombstone_source_articles(&mut tx, src.id).await?;
        sqlx::query("DELETE FROM sources WHERE id = $1")
            .bind(src.id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(src)
    }

    /// Change how a source is shown, named or whether it is polled.
    pub async fn update_source_settings(
        &self,
        id: SourceId,
        name: Option<Option<&str>>,
        display: Option<DisplayPolicy>,
        enabled: Option<bool>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM sources WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("source {id}")));
        }
        let now = now_ms();
        if let Some(name) = name {
            sqlx::query("UPDATE sources SET name = $1, updated_at = $2 WHERE id = $3")
                .bind(name)
                .bind(now)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(d) = display {
            let changed = sqlx::query(
                "UPDATE sources SET display = $1, updated_at = $2 WHERE id = $3 AND display <> $1",
            )
            .bind(d.as_str())
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed > 0 {
                // Search indexes hold only what the policy shows: every
                // article of the source is indexed again, each with its own
                // change number (followers page by it).
                let base = Store::next_counter(&mut tx, "article_change").await?;
                let max_id: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(id) FROM articles WHERE source_id = $1")
                        .bind(id.0)
                        .fetch_one(&mut *tx)
                        .await?;
                if let Some(max_id) = max_id {
                    sqlx::query("UPDATE articles SET change_seq = $1 + id WHERE source_id = $2")
                        .bind(base)
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("UPDATE counters SET value = $1 WHERE name = 'article_change'")
                        .bind(base.saturating_add(max_id))
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        if let Some(e) = enabled {
            // Re-enabling clears the error streak and makes the source due now.
            sqlx::query(
                "UPDATE sources SET enabled = $1, disabled_reason = NULL, error_count = 0,
                 next_fetch_at = CASE WHEN $1 = 1 THEN 0 ELSE next_fetch_at END, updated_at = $2
                 WHERE id = $3",
            )
            .bind(i64::from(e))
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sources whose next poll is due at `now`, soonest first.
    pub async fn due_sources(&self, now: i64, limit: i64) -> Result<Vec<Source>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM sources s
             WHERE s.enabled = 1 AND s.next_fetch_at <= $1
             ORDER BY s.next_fetch_at, s.id LIMIT $2"
        )))
        .bind(now)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(source_from_row).collect()
    }

    /// Record the outcome of a poll.
    pub async fn record_fetch(&self, id: SourceId, u: &SourceFetchUpdate) -> Result<()> {
        let now = now_ms();
        let ok = u.error.is_none();
        sqlx::query(
            "UPDATE sources SET
                last_fetch_at = $1,
                last_status = $2,
                last_error = $3,
                error_count = CASE WHEN $4 = 1 THEN 0 ELSE error_count + 1 END,
                last_success_at = CASE WHEN $4 = 1 THEN $1 ELSE last_success_at END,
                etag = CASE WHEN $4 = 1 THEN COALESCE($5, etag) ELSE etag END,
                last_modified = CASE WHEN $4 = 1 THEN COALESCE($6, last_modified) ELSE last_modified END,
                title = COALESCE($7, title),
                site_url = COALESCE($8, site_url),
                description = COALESCE($9, description),
                language = COALESCE($10, language),
                next_fetch_at = $11,
                fetch_interval_ms = $12,
                last_new_at = CASE WHEN $13 = 1 THEN $1 ELSE last_new_at END,
                enabled = CASE WHEN $14 IS NULL THEN enabled ELSE 0 END,
                disabled_reason = COALESCE($14, disabled_reason),
                updated_at = $1
             WHERE id = $15",
        )
        .bind(now)
        .bind(u.status)
        .bind(u.error.as_deref())
        .bind(i64::from(ok))
        .bind(u.etag.as_deref())
        .bind(u.last_modified.as_deref())
        .bind(u.title.as_deref())
        .bind(u.site_url.as_deref())
        .bind(u.description.as_deref())
        .bind(u.language.as_deref())
        .bind(u.next_fetch_at)
        .bind(u.fetch_interval_ms)
        .bind(i64::from(u.new_items))
        .bind(u.disable.as_deref())
        .bind(id.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }
}

fn source_ref_label(r: &SourceRef) -> String {
    match r {
        SourceRef::Id(id) => id.to_string(),
        SourceRef::Url(u) => u.to_string(),
    }
}

impl Store {
    /// Claim a due source for polling and enqueue its poll job, atomically.
    /// The source's due time moves `hold_ms` ahead, so if the poll never
    /// completes (its worker died for good), the source comes due again later
    /// instead of waiting forever. Returns false when another node claimed it
    /// first (its due time no longer matches).
    pub async fn schedule_poll(
        &self,
        id: SourceId,
        due_at: Timestamp,
        hold_ms: i64,
        job: &crate::NewJob,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE sources SET next_fetch_at = $1 WHERE id = $2 AND next_fetch_at = $3 AND enabled = 1")
            .bind(now_ms().saturating_add(hold_ms))
            .bind(id.0)
            .bind(due_at.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        Store::enqueue_in(&mut tx, job).await?;
        tx.commit().await?;
        Ok(true)
    }
}

impl Store {
    /// Reserve the next request slot at `host`: returns the time (unix ms) the
    /// caller may send its request; the following slot is `delay_ms` later.
    /// One statement, so every process sharing the database takes turns.
    pub async fn reserve_host_slot(&self, host: &str, delay_ms: i64) -> Result<i64> {
        let now = now_ms();
        // One upsert: every statement is a commit and a round trip to the writer.
        let start: i64 = sqlx::query_scalar(
            "INSERT INTO hosts (host, next_allowed_at) VALUES ($3, $1 + $2)
             ON CONFLICT (host) DO UPDATE SET next_allowed_at =
                (CASE WHEN hosts.next_allowed_at > $1 THEN hosts.next_allowed_at ELSE $1 END) + $2
             RETURNING next_allowed_at - $2",
        )
        .bind(now)
        .bind(delay_ms)
        .bind(host)
        .fetch_one(&self.write)
        .await?;
        Ok(start)
    }
}
