//! Readers' own news: what each reader follows (sources, topics, stories),
//! mutes, labels, saves and has read, and the streams of articles made from
//! them (for-you, the reader's subscriptions, a source, a topic, a story, a
//! label, saved) for the site, the JSON API and reader apps.
//!
//! Read state: an article is read by a reader when their mark says so
//! (`read_marks.is_read`: 1 read, 0 kept unread whatever else holds); else
//! when it was first seen at or before a watermark of a stream it is in
//! (`read_watermarks`: "mark all as read" writes one row, never one per
//! article); else when it was first seen more than [`READ_HORIZON_MS`] ago.
//!
//! Order: every stream is sorted by first-seen time with the id breaking
//! ties, `(created_at, id)`, newest (or oldest) first: the key of every other
//! list, so a page's cursor stays valid while articles arrive.
//!
//! Privacy: a private source's articles reach a reader only through their
//! follow of that source (or their saved list). Following, saving and
//! marking refuse a source or article the reader may not see as if it did
//! not exist, so ids cannot be probed.

use crate::articles::{CARD_COLUMNS, card_from_row};
use crate::sources::{PRIVATE, PUBLIC};
use crate::{ArticleCard, Result, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use tidings_core::{ArticleId, CanonicalUrl, SourceId, SourceKind, StoryId, Timestamp, UserId};

/// Articles first seen longer ago than this count as read (30 days), as in
/// FreshRSS and Miniflux: a new follow does not bring years of unread.
pub const READ_HORIZON_MS: i64 = 30 * 86_400_000;

/// The unread count a page shows stops here ("100+"), so a count costs at
/// most this many rows per kind of follow: counting to 1,000 on every
/// `/for-you` view cost 15-38 ms (p50-p95, BENCHMARKS.md), to 100 a tenth of
/// the rows. Per-source counts for reader apps (`unread_by_source`) are exact.
pub const UNREAD_COUNT_CAP: i64 = 100;

/// `sources.disabled_reason` of a private source nobody follows any more:
/// following it again starts polling again.
pub const NO_SUBSCRIBERS: &str = "no subscribers";

/// Labels and a reader's own name for a source are at most this long.
pub const MAX_LABEL_CHARS: usize = 100;

/// A list of articles as a reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    /// For you: the followed sources, topics and stories, without muted sources.
    Following,
    /// The followed sources only (a reader app's reading list).
    Subscriptions,
    Source(SourceId),
    Topic(String),
    Story(StoryId),
    /// The followed sources the reader gave this label.
    Label(String),
    Saved,
}

impl Stream {
    /// The `read_watermarks.stream` "mark all as read" writes, for streams
    /// that have one (a label writes one per source, saved writes marks).
    pub fn watermark_key(&self) -> Option<String> {
        match self {
            Stream::Following | Stream::Subscriptions => Some("all".into()),
            Stream::Source(s) => Some(format!("source:{}", s.0)),
            Stream::Topic(t) => Some(format!("topic:{t}")),
            Stream::Story(s) => Some(format!("story:{}", s.0)),
            Stream::Label(_) | Stream::Saved => None,
        }
    }
}

/// Which part of a stream to list.
#[derive(Debug, Clone)]
pub struct StreamQuery {
    pub stream: Stream,
    /// Unread articles only.
    pub unread_only: bool,
    /// First seen at or after this time.
    pub since: Option<Timestamp>,
    /// First seen before this time.
    pub until: Option<Timestamp>,
    /// `(created_at, id)` of the last article of the previous page.
    pub cursor: Option<(i64, i64)>,
    pub oldest_first: bool,
    pub limit: i64,
}

impl StreamQuery {
    /// The first `limit` articles of `stream`, newest first.
    pub fn new(stream: Stream, limit: i64) -> StreamQuery {
        StreamQuery {
            stream,
            unread_only: false,
            since: None,
            until: None,
            cursor: None,
            oldest_first: false,
            limit,
        }
    }
}

/// One article of a stream: its id and sort time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StreamEntry {
    pub id: ArticleId,
    pub created_at: Timestamp,
}

/// A reader's state of one article.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ItemState {
    pub read: bool,
    pub saved_at: Option<Timestamp>,
}

/// An article with the reader's state.
#[derive(Debug, Clone, Serialize)]
pub struct ReaderItem {
    pub card: ArticleCard,
    pub read: bool,
    pub saved_at: Option<Timestamp>,
}

/// A reader's "everything first seen at or before" times per stream.
#[derive(Debug, Clone, Default)]
pub struct Watermarks {
    /// The `all` watermark (0: none).
    pub all: i64,
    pub sources: HashMap<i64, i64>,
    pub topics: HashMap<String, i64>,
    pub stories: HashMap<i64, i64>,
    /// When these were read: the read horizon counts back from here.
    pub now: i64,
}

impl Watermarks {
    /// Articles first seen at or before this are read (unless marked unread).
    pub fn base(&self) -> i64 {
        self.all.max(self.now.saturating_sub(READ_HORIZON_MS))
    }

    /// Whether a watermark (or the horizon) covers an article.
    pub fn covers(
        &self,
        created_at: Timestamp,
        source: SourceId,
        story: Option<StoryId>,
        topics: &[String],
    ) -> bool {
        let t = created_at.0;
        t <= self.base()
            || self.sources.get(&source.0).is_some_and(|w| t <= *w)
            || story
                .and_then(|s| self.stories.get(&s.0))
                .is_some_and(|w| t <= *w)
            || topics
                .iter()
                .any(|x| self.topics.get(x).is_some_and(|w| t <= *w))
    }

    /// Read, given the reader's mark of the article (if any).
    pub fn is_read(
        &self,
        mark: Option<bool>,
        created_at: Timestamp,
        source: SourceId,
        story: Option<StoryId>,
        topics: &[String],
    ) -> bool {
        mark.unwrap_or_else(|| self.covers(created_at, source, story, topics))
    }

    fn per_stream(&self) -> bool {
        !(self.sources.is_empty() && self.topics.is_empty() && self.stories.is_empty())
    }
}

/// A source a reader follows.
#[derive(Debug, Clone, Serialize)]
pub struct FollowedSource {
    pub source_id: SourceId,
    /// The reader's own name for it, else the source's.
    pub name: String,
    /// The reader's own name (Reader API rename), if they gave one.
    pub title: Option<String>,
    pub url: String,
    pub site_url: Option<String>,
    pub private: bool,
    pub labels: Vec<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct FollowedTopic {
    pub topic: String,
    pub created_at: Timestamp,
}

/// A story a reader follows, with what happened since they last opened it.
#[derive(Debug, Clone, Serialize)]
pub struct FollowedStory {
    pub story_id: StoryId,
    pub title: String,
    pub created_at: Timestamp,
    pub last_visit_at: Timestamp,
    /// Articles first seen since the last visit.
    pub new_since_visit: i64,
    pub last_seen_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct MutedSource {
    pub source_id: SourceId,
    pub name: String,
    pub created_at: Timestamp,
}

/// Everything a reader follows and mutes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Follows {
    pub sources: Vec<FollowedSource>,
    pub topics: Vec<FollowedTopic>,
    pub stories: Vec<FollowedStory>,
    pub muted: Vec<MutedSource>,
}

/// The things one page shows, for [`Store::page_state`]: any may be absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageTarget<'a> {
    /// An article and its first-seen time.
    pub article: Option<(ArticleId, Timestamp)>,
    pub source: Option<SourceId>,
    pub topic: Option<&'a str>,
    pub story: Option<StoryId>,
}

/// Where a reader stands on a page's things.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageState {
    /// The article's state (default when no article was asked about).
    pub article: ItemState,
    pub following_source: bool,
    pub muted_source: bool,
    pub following_topic: bool,
    /// When the reader last opened the story, if they follow it.
    pub story_last_visit: Option<Timestamp>,
}

/// The outcome of [`Store::subscribe_url`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscribed {
    pub source: SourceId,
    /// A private source was added for this subscription.
    pub created: bool,
    /// The reader did not follow it before.
    pub newly_followed: bool,
}

/// Unread articles of one followed source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SourceUnread {
    pub source_id: SourceId,
    pub count: i64,
    /// First-seen time of the newest unread article.
    pub newest: Timestamp,
}

/// How many of each kind of follow a reader has: which parts a stream query needs.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    sources: i64,
    topics: i64,
    stories: i64,
    muted: i64,
}

/// A statement with numbered arguments, built piece by piece.
#[derive(Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

enum Arg {
    Int(i64),
    Text(String),
}

impl Sql {
    fn int(&mut self, v: i64) -> String {
        self.args.push(Arg::Int(v));
        format!("${}", self.args.len())
    }

    fn text(&mut self, v: &str) -> String {
        self.args.push(Arg::Text(v.to_string()));
        format!("${}", self.args.len())
    }

    fn query(&self) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.text.clone()));
        for a in &self.args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(s) => q.bind(s.clone()),
            };
        }
        q
    }
}

/// An article (`a`) of a public source.
const PUBLIC_A: &str = "a.source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')";

/// Stream parts and the conditions every part shares, for one reader.
struct Plan {
    /// Conditions on `a` for the stream's articles, one per part; each is
    /// served by an index of its own, so each part is listed on its own
    /// and the parts merged.
    parts: Vec<String>,
    /// Time range and cursor.
    common: String,
    /// Unread: the part of the condition for articles above the base.
    unread: String,
    /// `$n` of the reader's id.
    user: String,
    /// `$n` of the base watermark.
    base: String,
}

fn plan(sql: &mut Sql, user: UserId, q: &StreamQuery, counts: &Counts, wm: &Watermarks) -> Plan {
    let u = sql.int(user.0);
    let mut parts = Vec::new();
    let muted = if counts.muted > 0 {
        format!(" AND a.source_id NOT IN (SELECT source_id FROM muted_sources WHERE user_id = {u})")
    } else {
        String::new()
    };
    match &q.stream {
        Stream::Following => {
            if counts.sources > 0 {
                parts.push(format!(
                    "a.source_id IN (SELECT source_id FROM followed_sources WHERE user_id = {u}){muted}"
                ));
            }
            if counts.stories > 0 {
                parts.push(format!(
                    "a.story_id IN (SELECT story_id FROM followed_stories WHERE user_id = {u}) AND {PUBLIC_A}{muted}"
                ));
            }
            if counts.topics > 0 {
                parts.push(format!(
                    "EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id
                       AND t.topic IN (SELECT topic FROM followed_topics WHERE user_id = {u}))
                     AND {PUBLIC_A}{muted}"
                ));
            }
        }
        Stream::Subscriptions => {
            if counts.sources > 0 {
                parts.push(format!(
                    "a.source_id IN (SELECT source_id FROM followed_sources WHERE user_id = {u})"
                ));
            }
        }
        Stream::Source(s) => {
            let s = sql.int(s.0);
            parts.push(format!("a.source_id = {s}"));
        }
        Stream::Topic(t) => {
            let t = sql.text(t);
            parts.push(format!(
                "EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id AND t.topic = {t}) AND {PUBLIC_A}"
            ));
        }
        Stream::Story(s) => {
            let s = sql.int(s.0);
            parts.push(format!("a.story_id = {s} AND {PUBLIC_A}"));
        }
        Stream::Label(l) => {
            let l = sql.text(l);
            parts.push(format!(
                "a.source_id IN (SELECT source_id FROM source_labels WHERE user_id = {u} AND label = {l})"
            ));
        }
        Stream::Saved => {
            parts.push(format!(
                "a.id IN (SELECT article_id FROM saved_articles WHERE user_id = {u})"
            ));
        }
    }
    let mut common = String::from("a.duplicate_of IS NULL");
    if let Some(s) = q.since {
        common.push_str(&format!(" AND a.created_at >= {}", sql.int(s.0)));
    }
    if let Some(t) = q.until {
        common.push_str(&format!(" AND a.created_at < {}", sql.int(t.0)));
    }
    if let Some((t, id)) = q.cursor {
        let (t, id) = (sql.int(t), sql.int(id));
        let op = if q.oldest_first { ">" } else { "<" };
        common.push_str(&format!(
            " AND (a.created_at {op} {t} OR (a.created_at = {t} AND a.id {op} {id}))"
        ));
    }
    let base = sql.int(wm.base());
    let mut unread = format!(
        "a.created_at > {base} AND NOT EXISTS (SELECT 1 FROM read_marks m
           WHERE m.user_id = {u} AND m.article_id = a.id AND m.is_read = 1)"
    );
    if wm.per_stream() {
        let mut hits = Vec::new();
        if !wm.sources.is_empty() {
            hits.push(format!(
                "EXISTS (SELECT 1 FROM read_watermarks w WHERE w.user_id = {u}
                   AND w.stream = 'source:' || a.source_id AND w.read_before >= a.created_at)"
            ));
        }
        if !wm.stories.is_empty() {
            hits.push(format!(
                "EXISTS (SELECT 1 FROM read_watermarks w WHERE w.user_id = {u}
                   AND w.stream = 'story:' || a.story_id AND w.read_before >= a.created_at)"
            ));
        }
        if !wm.topics.is_empty() {
            hits.push(format!(
                "EXISTS (SELECT 1 FROM article_topics t JOIN read_watermarks w
                   ON w.user_id = {u} AND w.stream = 'topic:' || t.topic
                   WHERE t.article_id = a.id AND w.read_before >= a.created_at)"
            ));
        }
        unread.push_str(&format!(
            " AND (NOT ({}) OR EXISTS (SELECT 1 FROM read_marks m
               WHERE m.user_id = {u} AND m.article_id = a.id AND m.is_read = 0))",
            hits.join(" OR ")
        ));
    }
    Plan {
        parts,
        common,
        unread,
        user: u,
        base,
    }
}

impl Plan {
    /// One `SELECT {cols} FROM articles a WHERE …` per part, and for unread
    /// lists one more for articles below the base that the reader keeps unread.
    fn selects(&self, cols: &str, unread_only: bool, tail: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .parts
            .iter()
            .map(|p| {
                let unread = if unread_only {
                    format!(" AND {}", self.unread)
                } else {
                    String::new()
                };
                format!(
                    "SELECT {cols} FROM articles a WHERE ({p}) AND {}{unread}{tail}",
                    self.common
                )
            })
            .collect();
        if unread_only && !self.parts.is_empty() {
            out.push(format!(
                "SELECT {cols} FROM articles a WHERE a.id IN (SELECT article_id FROM read_marks
                   WHERE user_id = {u} AND is_read = 0)
                 AND a.created_at <= {base} AND (({})) AND {}{tail}",
                self.parts.join(") OR ("),
                self.common,
                u = self.user,
                base = self.base,
            ));
        }
        out
    }
}

fn opt_ts(r: &AnyRow, col: &str) -> Result<Option<Timestamp>> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(Timestamp))
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A label or a reader's name for a source, trimmed; `Corrupt`-free
/// validation is the caller's (services refuse bad input before).
fn clean_label(l: &str) -> Result<String> {
    let l = l.trim();
    if l.is_empty() || l.chars().count() > MAX_LABEL_CHARS || l.chars().any(char::is_control) {
        return Err(StoreError::Corrupt(format!(
            "a label must be 1 to {MAX_LABEL_CHARS} characters without control characters"
        )));
    }
    Ok(l.to_string())
}

// ---------------------------------------------------------------- follows

impl Store {
    /// Follow a public source. `Ok(false)` when already followed;
    /// `NotFound` for a source that does not exist or that the reader may
    /// not see (someone else's private source).
    pub async fn follow_source(&self, user: UserId, source: SourceId) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO followed_sources (user_id, source_id, title, created_at)
             SELECT $1, s.id, NULL, $3 FROM sources s WHERE s.id = $2 AND s.visibility = 'public'
             ON CONFLICT (user_id, source_id) DO NOTHING",
        )
        .bind(user.0)
        .bind(source.0)
        .bind(tidings_core::now_ms())
        .execute(&self.write)
        .await?
        .rows_affected();
        if n > 0 {
            return Ok(true);
        }
        if self.follows_source(user, source).await? {
            Ok(false)
        } else {
            Err(StoreError::NotFound(format!("source {source}")))
        }
    }

    /// Whether the reader follows any source, topic or story.
    pub async fn reader_follows_anything(&self, user: UserId) -> Result<bool> {
        let (c, _) = self.reader_context(user).await?;
        Ok(c.sources + c.topics + c.stories > 0)
    }

    /// Whether the reader follows the source.
    pub async fn follows_source(&self, user: UserId, source: SourceId) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT created_at FROM followed_sources WHERE user_id = $1 AND source_id = $2",
        )
        .bind(user.0)
        .bind(source.0)
        .fetch_optional(&self.read)
        .await?;
        Ok(found.is_some())
    }

    /// Whether a reader (or a visitor, `None`) may see the source's articles:
    /// public, or private and followed by them. `false` for a missing source.
    pub async fn may_read_source(&self, user: Option<UserId>, source: SourceId) -> Result<bool> {
        let v: Option<i64> = sqlx::query_scalar(
            "SELECT CASE WHEN s.visibility = 'public' THEN 1
                WHEN EXISTS (SELECT 1 FROM followed_sources f WHERE f.user_id = $2 AND f.source_id = s.id) THEN 1
                ELSE 0 END
             FROM sources s WHERE s.id = $1",
        )
        .bind(source.0)
        .bind(user.map(|u| u.0))
        .fetch_optional(&self.read)
        .await?;
        Ok(v == Some(1))
    }

    /// Stop following a source (its labels go with it). A private source
    /// nobody follows any more stops being polled. `Ok(false)` when it was
    /// not followed.
    pub async fn unfollow_source(&self, user: UserId, source: SourceId) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM followed_sources WHERE user_id = $1 AND source_id = $2")
            .bind(user.0)
            .bind(source.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            sqlx::query(
                "UPDATE sources SET enabled = 0, disabled_reason = $2, updated_at = $3
                 WHERE id = $1 AND visibility = 'private'
                   AND NOT EXISTS (SELECT 1 FROM followed_sources f WHERE f.source_id = $1)",
            )
            .bind(source.0)
            .bind(NO_SUBSCRIBERS)
            .bind(tidings_core::now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Subscribe a reader to a feed by its address (a Reader API
    /// subscription). A source at that address, public or another reader's
    /// private one, is followed; otherwise, when `may_add_private` (the
    /// operator allows personal feeds), a private source is added for the
    /// reader, due for a poll now, and followed. `Ok(None)`: no such source
    /// and none may be added. `title` becomes the reader's name for it.
    pub async fn subscribe_url(
        &self,
        user: UserId,
        url: &CanonicalUrl,
        kind: SourceKind,
        title: Option<&str>,
        may_add_private: bool,
    ) -> Result<Option<Subscribed>> {
        let title = title.map(clean_label).transpose()?;
        let now = tidings_core::now_ms();
        let mut tx = self.begin_write().await?;
        let found: Option<(i64, String)> =
            sqlx::query_as("SELECT id, visibility FROM sources WHERE url = $1")
                .bind(url.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        let (id, created) = match found {
            Some((id, _)) => (id, false),
            None if !may_add_private => return Ok(None),
            None => {
                let added: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO sources (url, kind, display, created_at, updated_at, next_fetch_at,
                        visibility, added_by)
                     VALUES ($1, $2, 'full', $3, $3, 0, $4, $5)
                     ON CONFLICT (url) DO NOTHING RETURNING id",
                )
                .bind(url.as_str())
                .bind(kind.as_str())
                .bind(now)
                .bind(PRIVATE)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
                match added {
                    Some(id) => (id, true),
                    // Added by another node between the two statements.
                    None => {
                        let id: i64 = sqlx::query_scalar("SELECT id FROM sources WHERE url = $1")
                            .bind(url.as_str())
                            .fetch_one(&mut *tx)
                            .await?;
                        (id, false)
                    }
                }
            }
        };
        let n = sqlx::query(
            "INSERT INTO followed_sources (user_id, source_id, title, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, source_id) DO NOTHING",
        )
        .bind(user.0)
        .bind(id)
        .bind(title.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 && title.is_some() {
            sqlx::query(
                "UPDATE followed_sources SET title = $3 WHERE user_id = $1 AND source_id = $2",
            )
            .bind(user.0)
            .bind(id)
            .bind(title.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        // A private source left by its last reader polls again.
        sqlx::query(
            "UPDATE sources SET enabled = 1, disabled_reason = NULL, next_fetch_at = 0, updated_at = $2
             WHERE id = $1 AND visibility = 'private' AND enabled = 0 AND disabled_reason = $3",
        )
        .bind(id)
        .bind(now)
        .bind(NO_SUBSCRIBERS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(Subscribed {
            source: SourceId(id),
            created,
            newly_followed: n > 0,
        }))
    }

    /// Set (or with `None` clear) the reader's own name for a followed
    /// source. `Ok(false)` when they do not follow it.
    pub async fn rename_followed_source(
        &self,
        user: UserId,
        source: SourceId,
        title: Option<&str>,
    ) -> Result<bool> {
        let title = title.map(clean_label).transpose()?;
        let n = sqlx::query(
            "UPDATE followed_sources SET title = $3 WHERE user_id = $1 AND source_id = $2",
        )
        .bind(user.0)
        .bind(source.0)
        .bind(title.as_deref())
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// Put a label on a followed source. `Ok(false)` when it had it
    /// already; `NotFound` when the reader does not follow the source.
    pub async fn add_source_label(
        &self,
        user: UserId,
        source: SourceId,
        label: &str,
    ) -> Result<bool> {
        let label = clean_label(label)?;
        let n = sqlx::query(
            "INSERT INTO source_labels (user_id, source_id, label)
             SELECT f.user_id, f.source_id, $3 FROM followed_sources f
             WHERE f.user_id = $1 AND f.source_id = $2
             ON CONFLICT (user_id, label, source_id) DO NOTHING",
        )
        .bind(user.0)
        .bind(source.0)
        .bind(&label)
        .execute(&self.write)
        .await?
        .rows_affected();
        if n > 0 {
            return Ok(true);
        }
        if self.follows_source(user, source).await? {
            Ok(false)
        } else {
            Err(StoreError::NotFound(format!("followed source {source}")))
        }
    }

    /// Take a label off a followed source. `Ok(false)` when it did not have it.
    pub async fn remove_source_label(
        &self,
        user: UserId,
        source: SourceId,
        label: &str,
    ) -> Result<bool> {
        let n = sqlx::query(
            "DELETE FROM source_labels WHERE user_id = $1 AND source_id = $2 AND label = $3",
        )
        .bind(user.0)
        .bind(source.0)
        .bind(label.trim())
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// The reader's labels with how many followed sources carry each, by name.
    pub async fn labels(&self, user: UserId) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT label, COUNT(*) FROM source_labels WHERE user_id = $1 GROUP BY label ORDER BY label",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?)
    }

    /// Rename a label on every source that has it (merging into `to` where
    /// both are present). Returns the sources relabelled.
    pub async fn rename_label(&self, user: UserId, from: &str, to: &str) -> Result<u64> {
        let to = clean_label(to)?;
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "INSERT INTO source_labels (user_id, source_id, label)
             SELECT user_id, source_id, $3 FROM source_labels WHERE user_id = $1 AND label = $2
             ON CONFLICT (user_id, label, source_id) DO NOTHING",
        )
        .bind(user.0)
        .bind(from.trim())
        .bind(&to)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if from.trim() != to {
            sqlx::query("DELETE FROM source_labels WHERE user_id = $1 AND label = $2")
                .bind(user.0)
                .bind(from.trim())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Remove a label from every source (the sources stay followed).
    pub async fn delete_label(&self, user: UserId, label: &str) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM source_labels WHERE user_id = $1 AND label = $2")
                .bind(user.0)
                .bind(label.trim())
                .execute(&self.write)
                .await?
                .rows_affected(),
        )
    }

    /// Follow a topic (by slug). `Ok(false)` when already followed;
    /// `NotFound` for an unknown topic.
    pub async fn follow_topic(&self, user: UserId, topic: &str) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO followed_topics (user_id, topic, created_at)
             SELECT $1, t.slug, $3 FROM topics t WHERE t.slug = $2
             ON CONFLICT (user_id, topic) DO NOTHING",
        )
        .bind(user.0)
        .bind(topic)
        .bind(tidings_core::now_ms())
        .execute(&self.write)
        .await?
        .rows_affected();
        if n > 0 {
            return Ok(true);
        }
        let exists: Option<String> = sqlx::query_scalar("SELECT slug FROM topics WHERE slug = $1")
            .bind(topic)
            .fetch_optional(&self.read)
            .await?;
        match exists {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound(format!("topic {topic}"))),
        }
    }

    pub async fn unfollow_topic(&self, user: UserId, topic: &str) -> Result<bool> {
        let n = sqlx::query("DELETE FROM followed_topics WHERE user_id = $1 AND topic = $2")
            .bind(user.0)
            .bind(topic)
            .execute(&self.write)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// Follow a story; its last visit starts now. `Ok(false)` when already
    /// followed; `NotFound` for an unknown story.
    pub async fn follow_story(&self, user: UserId, story: StoryId) -> Result<bool> {
        let now = tidings_core::now_ms();
        let n = sqlx::query(
            "INSERT INTO followed_stories (user_id, story_id, created_at, last_visit_at)
             SELECT $1, s.id, $3, $3 FROM stories s WHERE s.id = $2
             ON CONFLICT (user_id, story_id) DO NOTHING",
        )
        .bind(user.0)
        .bind(story.0)
        .bind(now)
        .execute(&self.write)
        .await?
        .rows_affected();
        if n > 0 {
            return Ok(true);
        }
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM stories WHERE id = $1")
            .bind(story.0)
            .fetch_optional(&self.read)
            .await?;
        match exists {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound(format!("story {story}"))),
        }
    }

    pub async fn unfollow_story(&self, user: UserId, story: StoryId) -> Result<bool> {
        let n = sqlx::query("DELETE FROM followed_stories WHERE user_id = $1 AND story_id = $2")
            .bind(user.0)
            .bind(story.0)
            .execute(&self.write)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// The reader opened a followed story at `at` ("new since your last
    /// visit" counts from here). No-op for a story they do not follow.
    pub async fn visit_story(&self, user: UserId, story: StoryId, at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE followed_stories SET last_visit_at = $3
             WHERE user_id = $1 AND story_id = $2 AND last_visit_at < $3",
        )
        .bind(user.0)
        .bind(story.0)
        .bind(at.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// How many articles of a story were first seen after `since`.
    pub async fn story_articles_since(&self, story: StoryId, since: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM articles a WHERE a.story_id = $1 AND a.created_at > $2
               AND a.duplicate_of IS NULL",
        )
        .bind(story.0)
        .bind(since.0)
        .fetch_one(&self.read)
        .await?)
    }

    /// Mute a public source: its articles leave the reader's for-you.
    /// `Ok(false)` when muted already; `NotFound` for a missing or private source.
    pub async fn mute_source(&self, user: UserId, source: SourceId) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO muted_sources (user_id, source_id, created_at)
             SELECT $1, s.id, $3 FROM sources s WHERE s.id = $2 AND s.visibility = 'public'
             ON CONFLICT (user_id, source_id) DO NOTHING",
        )
        .bind(user.0)
        .bind(source.0)
        .bind(tidings_core::now_ms())
        .execute(&self.write)
        .await?
        .rows_affected();
        if n > 0 {
            return Ok(true);
        }
        let muted: Option<i64> = sqlx::query_scalar(
            "SELECT created_at FROM muted_sources WHERE user_id = $1 AND source_id = $2",
        )
        .bind(user.0)
        .bind(source.0)
        .fetch_optional(&self.read)
        .await?;
        match muted {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound(format!("source {source}"))),
        }
    }

    pub async fn unmute_source(&self, user: UserId, source: SourceId) -> Result<bool> {
        let n = sqlx::query("DELETE FROM muted_sources WHERE user_id = $1 AND source_id = $2")
            .bind(user.0)
            .bind(source.0)
            .execute(&self.write)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// Everything the reader follows and mutes: sources by name (with their
    /// labels), topics by slug, stories most recently active first (with
    /// what is new since the last visit), muted sources by name.
    pub async fn follows(&self, user: UserId) -> Result<Follows> {
        let rows = sqlx::query(
            "SELECT f.source_id, f.title, f.created_at, COALESCE(s.name, s.title, s.url) AS source_name,
                s.url, s.site_url, s.visibility
             FROM followed_sources f JOIN sources s ON s.id = f.source_id
             WHERE f.user_id = $1
             ORDER BY lower(COALESCE(f.title, s.name, s.title, s.url)), f.source_id",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?;
        let labels: Vec<(i64, String)> = sqlx::query_as(
            "SELECT source_id, label FROM source_labels WHERE user_id = $1 ORDER BY label",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?;
        let mut sources = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("source_id")?;
            let title: Option<String> = r.try_get("title")?;
            let source_name: String = r.try_get("source_name")?;
            sources.push(FollowedSource {
                source_id: SourceId(id),
                name: title.clone().unwrap_or(source_name),
                title,
                url: r.try_get("url")?,
                site_url: r.try_get("site_url")?,
                private: r.try_get::<String, _>("visibility")? != PUBLIC,
                labels: labels
                    .iter()
                    .filter(|(s, _)| *s == id)
                    .map(|(_, l)| l.clone())
                    .collect(),
                created_at: Timestamp(r.try_get("created_at")?),
            });
        }
        let topics = sqlx::query_as::<_, (String, i64)>(
            "SELECT topic, created_at FROM followed_topics WHERE user_id = $1 ORDER BY topic",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?
        .into_iter()
        .map(|(topic, t)| FollowedTopic {
            topic,
            created_at: Timestamp(t),
        })
        .collect();
        let rows = sqlx::query(
            "SELECT f.story_id, st.title, f.created_at, f.last_visit_at, st.last_seen_at,
                (SELECT COUNT(*) FROM articles a WHERE a.story_id = f.story_id
                   AND a.created_at > f.last_visit_at AND a.duplicate_of IS NULL) AS new_since
             FROM followed_stories f JOIN stories st ON st.id = f.story_id
             WHERE f.user_id = $1 ORDER BY st.last_seen_at DESC, f.story_id DESC",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?;
        let mut stories = Vec::with_capacity(rows.len());
        for r in &rows {
            stories.push(FollowedStory {
                story_id: StoryId(r.try_get("story_id")?),
                title: r.try_get("title")?,
                created_at: Timestamp(r.try_get("created_at")?),
                last_visit_at: Timestamp(r.try_get("last_visit_at")?),
                new_since_visit: r.try_get("new_since")?,
                last_seen_at: Timestamp(r.try_get("last_seen_at")?),
            });
        }
        let muted = sqlx::query_as::<_, (i64, String, i64)>(
            "SELECT m.source_id, COALESCE(s.name, s.title, s.url), m.created_at
             FROM muted_sources m JOIN sources s ON s.id = m.source_id
             WHERE m.user_id = $1 ORDER BY lower(COALESCE(s.name, s.title, s.url)), m.source_id",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?
        .into_iter()
        .map(|(id, name, t)| MutedSource {
            source_id: SourceId(id),
            name,
            created_at: Timestamp(t),
        })
        .collect();
        Ok(Follows {
            sources,
            topics,
            stories,
            muted,
        })
    }

    /// Where the reader stands on a page's article, source, topic and story,
    /// in one round trip (signed-in pages are rendered per request).
    pub async fn page_state(&self, user: UserId, t: &PageTarget<'_>) -> Result<PageState> {
        let article = t.article.map(|(a, _)| a.0);
        let source_key = t.source.map(|s| format!("source:{}", s.0));
        let story_key = t.story.map(|s| format!("story:{}", s.0));
        let r = sqlx::query(
            "SELECT
                (SELECT is_read FROM read_marks WHERE user_id = $1 AND article_id = $2) AS mark,
                (SELECT saved_at FROM saved_articles WHERE user_id = $1 AND article_id = $2) AS saved_at,
                (SELECT created_at FROM followed_sources WHERE user_id = $1 AND source_id = $3) AS f_source,
                (SELECT created_at FROM muted_sources WHERE user_id = $1 AND source_id = $3) AS m_source,
                (SELECT created_at FROM followed_topics WHERE user_id = $1 AND topic = $4) AS f_topic,
                (SELECT last_visit_at FROM followed_stories WHERE user_id = $1 AND story_id = $5) AS f_story,
                (SELECT MAX(read_before) FROM read_watermarks
                   WHERE user_id = $1 AND stream IN ('all', $6, $7)) AS wm,
                (SELECT MAX(w.read_before) FROM article_topics t JOIN read_watermarks w
                   ON w.user_id = $1 AND w.stream = 'topic:' || t.topic WHERE t.article_id = $2) AS wm_topic",
        )
        .bind(user.0)
        .bind(article)
        .bind(t.source.map(|s| s.0))
        .bind(t.topic)
        .bind(t.story.map(|s| s.0))
        .bind(source_key.as_deref().unwrap_or(""))
        .bind(story_key.as_deref().unwrap_or(""))
        .fetch_one(&self.read)
        .await?;
        let mark: Option<i64> = r.try_get("mark")?;
        let read = match (mark, t.article) {
            (Some(m), _) => m != 0,
            (None, Some((_, created))) => {
                let wm: Option<i64> = r.try_get("wm")?;
                let wm_topic: Option<i64> = r.try_get("wm_topic")?;
                let horizon = tidings_core::now_ms().saturating_sub(READ_HORIZON_MS);
                created.0 <= horizon.max(wm.unwrap_or(0)).max(wm_topic.unwrap_or(0))
            }
            (None, None) => false,
        };
        Ok(PageState {
            article: ItemState {
                read,
                saved_at: opt_ts(&r, "saved_at")?,
            },
            following_source: r.try_get::<Option<i64>, _>("f_source")?.is_some(),
            muted_source: r.try_get::<Option<i64>, _>("m_source")?.is_some(),
            following_topic: r.try_get::<Option<i64>, _>("f_topic")?.is_some(),
            story_last_visit: opt_ts(&r, "f_story")?,
        })
    }
}

// ---------------------------------------------------------------- saved

impl Store {
    /// Save an article for later. `Ok(false)` when saved already;
    /// `NotFound` for an article that does not exist or that the reader may
    /// not see.
    pub async fn save_article(&self, user: UserId, article: ArticleId) -> Result<bool> {
        let n = sqlx::query(
            "INSERT INTO saved_articles (user_id, article_id, saved_at)
             SELECT $1, a.id, $3 FROM articles a JOIN sources s ON s.id = a.source_id
             WHERE a.id = $2 AND (s.visibility = 'public' OR EXISTS (SELECT 1 FROM followed_sources f
                 WHERE f.user_id = $1 AND f.source_id = a.source_id))
             ON CONFLICT (user_id, article_id) DO NOTHING",
        )
        .bind(user.0)
        .bind(article.0)
        .bind(tidings_core::now_ms())
        .execute(&self.write)
        .await?
        .rows_affected();
        if n > 0 {
            return Ok(true);
        }
        let saved: Option<i64> = sqlx::query_scalar(
            "SELECT saved_at FROM saved_articles WHERE user_id = $1 AND article_id = $2",
        )
        .bind(user.0)
        .bind(article.0)
        .fetch_optional(&self.read)
        .await?;
        match saved {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound(format!("article {article}"))),
        }
    }

    /// `Ok(false)` when it was not saved.
    pub async fn unsave_article(&self, user: UserId, article: ArticleId) -> Result<bool> {
        let n = sqlx::query("DELETE FROM saved_articles WHERE user_id = $1 AND article_id = $2")
            .bind(user.0)
            .bind(article.0)
            .execute(&self.write)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// The reader's saved articles, most recently saved first; `before` is
    /// `(saved_at, article id)` of the last item of the previous page.
    pub async fn saved_items(
        &self,
        user: UserId,
        before: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<ReaderItem>> {
        let (t, id) = before.unwrap_or((i64::MAX, i64::MAX));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CARD_COLUMNS}, sv.saved_at AS r_saved_at, m.is_read AS r_mark
             FROM saved_articles sv JOIN articles a ON a.id = sv.article_id
             JOIN sources s ON s.id = a.source_id
             LEFT JOIN read_marks m ON m.user_id = sv.user_id AND m.article_id = sv.article_id
             WHERE sv.user_id = $1 AND (sv.saved_at < $2 OR (sv.saved_at = $2 AND sv.article_id < $3))
             ORDER BY sv.saved_at DESC, sv.article_id DESC LIMIT $4"
        )))
        .bind(user.0)
        .bind(t)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        self.items_from_rows(user, &rows).await
    }
}

// ---------------------------------------------------------------- read state

impl Store {
    /// Mark articles read (or, with `read` false, unread even where a
    /// watermark would make them read). Articles the reader may not see are
    /// skipped; returns how many were marked.
    pub async fn mark_read(&self, user: UserId, ids: &[ArticleId], read: bool) -> Result<u64> {
        let now = tidings_core::now_ms();
        let mut marked = 0;
        for chunk in ids.chunks(500) {
            let sql = format!(
                "INSERT INTO read_marks (user_id, article_id, is_read, marked_at)
                 SELECT $1, a.id, $2, $3 FROM articles a JOIN sources s ON s.id = a.source_id
                 WHERE a.id IN ({}) AND (s.visibility = 'public' OR EXISTS (SELECT 1 FROM followed_sources f
                     WHERE f.user_id = $1 AND f.source_id = a.source_id))
                 ON CONFLICT (user_id, article_id) DO UPDATE SET is_read = excluded.is_read,
                     marked_at = excluded.marked_at",
                placeholders(4, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(user.0)
                .bind(i64::from(read))
                .bind(now);
            for id in chunk {
                q = q.bind(id.0);
            }
            marked += q.execute(&self.write).await?.rows_affected();
        }
        Ok(marked)
    }

    /// Mark everything in a stream first seen at or before `before` (at most
    /// now) as read: one watermark row for the stream (one per source for a
    /// label; marks on the saved articles for `Saved`), and the reader's
    /// marks it makes redundant (or overrides) go. One transaction.
    pub async fn mark_all_read(
        &self,
        user: UserId,
        stream: &Stream,
        before: Timestamp,
    ) -> Result<()> {
        let now = tidings_core::now_ms();
        let before = before.0.min(now);
        let mut tx = self.begin_write().await?;
        let keys: Vec<String> = match stream {
            Stream::Label(l) => {
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT source_id FROM source_labels WHERE user_id = $1 AND label = $2",
                )
                .bind(user.0)
                .bind(l.as_str())
                .fetch_all(&mut *tx)
                .await?;
                ids.into_iter().map(|s| format!("source:{s}")).collect()
            }
            Stream::Saved => Vec::new(),
            other => other.watermark_key().into_iter().collect(),
        };
        for key in &keys {
            sqlx::query(
                "INSERT INTO read_watermarks (user_id, stream, read_before, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, stream) DO UPDATE SET
                    read_before = CASE WHEN excluded.read_before > read_watermarks.read_before
                        THEN excluded.read_before ELSE read_watermarks.read_before END,
                    updated_at = excluded.updated_at",
            )
            .bind(user.0)
            .bind(key)
            .bind(before)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // The marks of the stream's articles up to `before`: read ones say
        // what the watermark says now; kept-unread ones are overridden.
        let member = match stream {
            Stream::Following | Stream::Subscriptions => "1 = 1",
            Stream::Source(_) => "a.source_id = $3",
            Stream::Topic(_) => {
                "EXISTS (SELECT 1 FROM article_topics t WHERE t.article_id = a.id AND t.topic = $3)"
            }
            Stream::Story(_) => "a.story_id = $3",
            Stream::Label(_) => {
                "a.source_id IN (SELECT source_id FROM source_labels WHERE user_id = $1 AND label = $3)"
            }
            Stream::Saved => "",
        };
        if let Stream::Saved = stream {
            sqlx::query(
                "INSERT INTO read_marks (user_id, article_id, is_read, marked_at)
                 SELECT sv.user_id, sv.article_id, 1, $3 FROM saved_articles sv
                 JOIN articles a ON a.id = sv.article_id
                 WHERE sv.user_id = $1 AND a.created_at <= $2
                 ON CONFLICT (user_id, article_id) DO UPDATE SET is_read = 1, marked_at = excluded.marked_at",
            )
            .bind(user.0)
            .bind(before)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        } else {
            let sql = format!(
                "DELETE FROM read_marks WHERE user_id = $1 AND article_id IN (
                    SELECT a.id FROM articles a
                    WHERE a.id IN (SELECT article_id FROM read_marks WHERE user_id = $1)
                      AND a.created_at <= $2 AND {member})"
            );
            let q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(user.0)
                .bind(before);
            let q = match stream {
                Stream::Source(s) => q.bind(s.0),
                Stream::Story(s) => q.bind(s.0),
                Stream::Topic(t) | Stream::Label(t) => q.bind(t.clone()),
                _ => q,
            };
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The reader's watermarks, read now.
    pub async fn read_watermarks(&self, user: UserId) -> Result<Watermarks> {
        Ok(self.reader_context(user).await?.1)
    }

    /// The reader's follow counts and watermarks, in one round trip.
    async fn reader_context(&self, user: UserId) -> Result<(Counts, Watermarks)> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT stream, read_before FROM read_watermarks WHERE user_id = $1
             UNION ALL SELECT '#sources', COUNT(*) FROM followed_sources WHERE user_id = $1
             UNION ALL SELECT '#topics', COUNT(*) FROM followed_topics WHERE user_id = $1
             UNION ALL SELECT '#stories', COUNT(*) FROM followed_stories WHERE user_id = $1
             UNION ALL SELECT '#muted', COUNT(*) FROM muted_sources WHERE user_id = $1",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?;
        let mut c = Counts::default();
        let mut w = Watermarks {
            now: tidings_core::now_ms(),
            ..Default::default()
        };
        for (k, v) in rows {
            match k.as_str() {
                "#sources" => c.sources = v,
                "#topics" => c.topics = v,
                "#stories" => c.stories = v,
                "#muted" => c.muted = v,
                "all" => w.all = v,
                k => {
                    if let Some(s) = k.strip_prefix("source:").and_then(|s| s.parse().ok()) {
                        w.sources.insert(s, v);
                    } else if let Some(s) = k.strip_prefix("story:").and_then(|s| s.parse().ok()) {
                        w.stories.insert(s, v);
                    } else if let Some(t) = k.strip_prefix("topic:") {
                        w.topics.insert(t.to_string(), v);
                    }
                }
            }
        }
        Ok((c, w))
    }

    /// Topics of these articles (for topic watermarks).
    async fn topics_of(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT article_id, topic FROM article_topics WHERE article_id IN ({})",
                placeholders(1, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for (id, t) in q.fetch_all(&self.read).await? {
                out.entry(id).or_default().push(t);
            }
        }
        Ok(out)
    }

    /// The reader's state of each card, in the cards' order: two queries
    /// for the whole list (three with topic watermarks), never one per card.
    pub async fn item_states(&self, user: UserId, cards: &[ArticleCard]) -> Result<Vec<ItemState>> {
        if cards.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = cards.iter().map(|c| c.id.0).collect();
        let mut found: HashMap<i64, (Option<i64>, Option<i64>)> = HashMap::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT x.id, m.is_read, sv.saved_at FROM articles x
                 LEFT JOIN read_marks m ON m.user_id = $1 AND m.article_id = x.id
                 LEFT JOIN saved_articles sv ON sv.user_id = $1 AND sv.article_id = x.id
                 WHERE x.id IN ({}) AND (m.user_id IS NOT NULL OR sv.user_id IS NOT NULL)",
                placeholders(2, chunk.len())
            );
            let mut q =
                sqlx::query_as::<_, (i64, Option<i64>, Option<i64>)>(sqlx::AssertSqlSafe(sql))
                    .bind(user.0);
            for id in chunk {
                q = q.bind(*id);
            }
            for (id, mark, saved) in q.fetch_all(&self.read).await? {
                found.insert(id, (mark, saved));
            }
        }
        let (_, wm) = self.reader_context(user).await?;
        let topics = if wm.topics.is_empty() {
            HashMap::new()
        } else {
            self.topics_of(&ids).await?
        };
        Ok(cards
            .iter()
            .map(|c| {
                let (mark, saved) = found.get(&c.id.0).copied().unwrap_or_default();
                let t = topics.get(&c.id.0).map(Vec::as_slice).unwrap_or_default();
                ItemState {
                    read: wm.is_read(
                        mark.map(|m| m != 0),
                        c.created_at,
                        c.source_id,
                        c.story_id,
                        t,
                    ),
                    saved_at: saved.map(Timestamp),
                }
            })
            .collect())
    }

    /// Cards with state from rows of `CARD_COLUMNS` plus `r_mark` and `r_saved_at`.
    async fn items_from_rows(&self, user: UserId, rows: &[AnyRow]) -> Result<Vec<ReaderItem>> {
        let mut items = Vec::with_capacity(rows.len());
        let mut marks = Vec::with_capacity(rows.len());
        for r in rows {
            marks.push(r.try_get::<Option<i64>, _>("r_mark")?.map(|m| m != 0));
            items.push(ReaderItem {
                card: card_from_row(r)?,
                read: false,
                saved_at: opt_ts(r, "r_saved_at")?,
            });
        }
        if items.is_empty() {
            return Ok(items);
        }
        let (_, wm) = self.reader_context(user).await?;
        let topics = if wm.topics.is_empty() {
            HashMap::new()
        } else {
            let ids: Vec<i64> = items.iter().map(|i| i.card.id.0).collect();
            self.topics_of(&ids).await?
        };
        for (item, mark) in items.iter_mut().zip(marks) {
            let c = &item.card;
            let t = topics.get(&c.id.0).map(Vec::as_slice).unwrap_or_default();
            item.read = wm.is_read(mark, c.created_at, c.source_id, c.story_id, t);
        }
        Ok(items)
    }
}

// ---------------------------------------------------------------- streams

impl Store {
    /// One page of a stream: ids and sort times, in the stream's order.
    /// Each part of the stream (followed sources, stories, topics) is read
    /// through its own index up to the page size, and the parts merged.
    pub async fn stream_ids(&self, user: UserId, q: &StreamQuery) -> Result<Vec<StreamEntry>> {
        if let Stream::Source(s) = q.stream
            && !self.may_read_source(Some(user), s).await?
        {
            return Ok(Vec::new());
        }
        let (counts, wm) = self.reader_context(user).await?;
        let mut sql = Sql::default();
        let p = plan(&mut sql, user, q, &counts, &wm);
        if p.parts.is_empty() || q.limit <= 0 {
            return Ok(Vec::new());
        }
        let dir = if q.oldest_first { "ASC" } else { "DESC" };
        let limit = sql.int(q.limit);
        let tail = format!(" ORDER BY a.created_at {dir}, a.id {dir} LIMIT {limit}");
        let selects: Vec<String> = p
            .selects("a.id, a.created_at", q.unread_only, &tail)
            .into_iter()
            .enumerate()
            .map(|(i, s)| format!("SELECT * FROM ({s}) p{i}"))
            .collect();
        sql.text = format!(
            "SELECT id, created_at FROM ({}) u ORDER BY created_at {dir}, id {dir} LIMIT {limit}",
            selects.join(" UNION ")
        );
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| {
                Ok(StreamEntry {
                    id: ArticleId(r.try_get("id")?),
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Unread articles in a stream, counted up to [`UNREAD_COUNT_CAP`].
    pub async fn unread_count(&self, user: UserId, stream: &Stream) -> Result<i64> {
        if let Stream::Source(s) = stream
            && !self.may_read_source(Some(user), *s).await?
        {
            return Ok(0);
        }
        let (counts, wm) = self.reader_context(user).await?;
        let mut sql = Sql::default();
        let q = StreamQuery {
            unread_only: true,
            ..StreamQuery::new(stream.clone(), UNREAD_COUNT_CAP)
        };
        let p = plan(&mut sql, user, &q, &counts, &wm);
        if p.parts.is_empty() {
            return Ok(0);
        }
        let cap = sql.int(UNREAD_COUNT_CAP);
        let selects: Vec<String> = p
            .selects("a.id", true, &format!(" LIMIT {cap}"))
            .into_iter()
            .enumerate()
            .map(|(i, s)| format!("SELECT * FROM ({s}) p{i}"))
            .collect();
        sql.text = format!("SELECT COUNT(*) FROM ({}) u", selects.join(" UNION "));
        let n: i64 = sql.query().fetch_one(&self.read).await?.try_get(0)?;
        Ok(n.min(UNREAD_COUNT_CAP))
    }

    /// Unread articles of each followed source that has any, with the
    /// newest one's time (a reader app's unread counts).
    pub async fn unread_by_source(&self, user: UserId) -> Result<Vec<SourceUnread>> {
        let (counts, wm) = self.reader_context(user).await?;
        let mut sql = Sql::default();
        let q = StreamQuery {
            unread_only: true,
            ..StreamQuery::new(Stream::Subscriptions, 0)
        };
        let p = plan(&mut sql, user, &q, &counts, &wm);
        if p.parts.is_empty() {
            return Ok(Vec::new());
        }
        let selects = p.selects("a.source_id, a.id, a.created_at", true, "");
        sql.text = format!(
            "SELECT source_id, COUNT(*) AS n, MAX(created_at) AS newest FROM ({}) u GROUP BY source_id",
            selects.join(" UNION ")
        );
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(SourceUnread {
                source_id: SourceId(r.try_get("source_id")?),
                count: r.try_get("n")?,
                newest: Timestamp(r.try_get("newest")?),
            });
        }
        out.sort_by_key(|s| s.source_id);
        Ok(out)
    }

    /// Articles by id with the reader's state, in the order given. Ids the
    /// reader may not see (a private source they do not follow, unless they
    /// saved the article) or that do not exist are left out.
    pub async fn reader_items(&self, user: UserId, ids: &[ArticleId]) -> Result<Vec<ReaderItem>> {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT {CARD_COLUMNS}, m.is_read AS r_mark, sv.saved_at AS r_saved_at
                 FROM articles a JOIN sources s ON s.id = a.source_id
                 LEFT JOIN read_marks m ON m.user_id = $1 AND m.article_id = a.id
                 LEFT JOIN saved_articles sv ON sv.user_id = $1 AND sv.article_id = a.id
                 WHERE a.id IN ({}) AND (s.visibility = 'public' OR sv.user_id IS NOT NULL
                    OR EXISTS (SELECT 1 FROM followed_sources f WHERE f.user_id = $1 AND f.source_id = a.source_id))",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user.0);
            for id in chunk {
                q = q.bind(id.0);
            }
            rows.extend(q.fetch_all(&self.read).await?);
        }
        let mut items = self.items_from_rows(user, &rows).await?;
        let pos: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (id.0, i)).collect();
        items.sort_by_key(|i| pos.get(&i.card.id.0).copied().unwrap_or(usize::MAX));
        Ok(items)
    }

    /// One page of a stream with the reader's state of each article.
    pub async fn stream_items(&self, user: UserId, q: &StreamQuery) -> Result<Vec<ReaderItem>> {
        let ids: Vec<ArticleId> = self
            .stream_ids(user, q)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        self.reader_items(user, &ids).await
    }
}
