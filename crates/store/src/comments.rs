//! Comments on articles and stories, votes, reports, thread locks, bans and
//! the moderation log. Every moderator action and its log entry are written in
//! one transaction.

use crate::users::{USER_COLUMNS, opt_ts, user_from_row};
use crate::{Result, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tidings_core::{ArticleId, CommentId, StoryId, Timestamp, UserId};

/// The details of a moderation log entry made from the command line (it has
/// no moderator).
pub const COMMAND_LINE: &str = "command line";

/// What a comment thread hangs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum Thread {
    Article(ArticleId),
    Story(StoryId),
}

impl Thread {
    pub fn kind(self) -> &'static str {
        match self {
            Thread::Article(_) => "article",
            Thread::Story(_) => "story",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Thread::Article(a) => a.0,
            Thread::Story(s) => s.0,
        }
    }

    pub fn parse(kind: &str, id: i64) -> Option<Thread> {
        match kind {
            "article" => Some(Thread::Article(ArticleId(id))),
            "story" => Some(Thread::Story(StoryId(id))),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            Thread::Article(_) => "article_id",
            Thread::Story(_) => "story_id",
        }
    }
}

/// Where a comment stands. Hidden and removed comments keep their text for
/// moderators (and can be restored); deleted ones lost it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    Visible,
    Hidden,
    Removed,
    Deleted,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Visible => "visible",
            CommentStatus::Hidden => "hidden",
            CommentStatus::Removed => "removed",
            CommentStatus::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "visible" => Some(CommentStatus::Visible),
            "hidden" => Some(CommentStatus::Hidden),
            "removed" => Some(CommentStatus::Removed),
            "deleted" => Some(CommentStatus::Deleted),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CommentRow {
    pub id: CommentId,
    pub thread: Thread,
    pub parent_id: Option<CommentId>,
    pub user_id: Option<UserId>,
    /// None when the author's account was deleted.
    pub username: Option<String>,
    pub body: String,
    pub depth: i64,
    pub status: CommentStatus,
    pub score: i64,
    pub created_at: Timestamp,
    pub edited_at: Option<Timestamp>,
    pub deleted_at: Option<Timestamp>,
    /// Whether the viewer given to the query has upvoted it.
    pub voted: bool,
}

#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    pub thread: Thread,
    pub parent: Option<CommentId>,
    pub user: UserId,
    pub body: &'a str,
    pub ip_hash: Option<&'a str>,
}

/// The outcome of posting: refusals that depend on the database's state are
/// decided inside the posting transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostOutcome {
    Posted(CommentId),
    ThreadLocked,
    /// The parent does not exist, is in another thread, or was deleted/removed.
    BadParent,
    TooDeep,
}

/// A moderator's decision about a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModAction {
    Hide,
    Remove,
    Restore,
}

impl ModAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ModAction::Hide => "hide",
            ModAction::Remove => "remove",
            ModAction::Restore => "restore",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "hide" => Some(ModAction::Hide),
            "remove" => Some(ModAction::Remove),
            "restore" => Some(ModAction::Restore),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ThreadLock {
    pub locked_by: Option<String>,
    pub locked_at: Timestamp,
    pub reason: Option<String>,
}

/// An open report with the comment it is about.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub reporter: Option<String>,
    pub reason: String,
    pub created_at: Timestamp,
    pub comment: CommentRow,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModLogEntry {
    pub id: i64,
    pub moderator: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: i64,
    pub reason: Option<String>,
    pub details: Option<String>,
    pub created_at: Timestamp,
}

const COMMENT_COLUMNS: &str = "c.id, c.article_id, c.story_id, c.parent_id, c.user_id, u.username, c.body, c.depth, c.status, c.score, c.created_at, c.edited_at, c.deleted_at";

fn comment_from_row(r: &AnyRow) -> Result<CommentRow> {
    let article: Option<i64> = r.try_get("article_id")?;
    let story: Option<i64> = r.try_get("story_id")?;
    let thread = match (article, story) {
        (Some(a), _) => Thread::Article(ArticleId(a)),
        (None, Some(s)) => Thread::Story(StoryId(s)),
        (None, None) => return Err(StoreError::Corrupt("comment without a thread".into())),
    };
    let status: String = r.try_get("status")?;
    let voted: i64 = r.try_get("voted")?;
    Ok(CommentRow {
        id: CommentId(r.try_get("id")?),
        thread,
        parent_id: r.try_get::<Option<i64>, _>("parent_id")?.map(CommentId),
        user_id: r.try_get::<Option<i64>, _>("user_id")?.map(UserId),
        username: r.try_get("username")?,
        body: r.try_get("body")?,
        depth: r.try_get("depth")?,
        status: CommentStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("comment status `{status}`")))?,
        score: r.try_get("score")?,
        created_at: Timestamp(r.try_get("created_at")?),
        edited_at: opt_ts(r, "edited_at")?,
        deleted_at: opt_ts(r, "deleted_at")?,
        voted: voted != 0,
    })
}

fn voted_column(viewer: Option<UserId>) -> String {
    match viewer {
        Some(u) => format!(
            "(SELECT COUNT(*) FROM comment_votes v WHERE v.comment_id = c.id AND v.user_id = {})",
            u.0
        ),
        None => "0".to_string(),
    }
}

async fn log_action(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    moderator: Option<UserId>,
    action: &str,
    target_kind: &str,
    target_id: i64,
    reason: Option<&str>,
    details: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO moderation_log (moderator_id, action, target_kind, target_id, reason, details, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(moderator.map(|m| m.0))
    .bind(action)
    .bind(target_kind)
    .bind(target_id)
    .bind(reason)
    .bind(details)
    .bind(tidings_core::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Post a comment or a reply. The thread lock, the parent and the depth
    /// limit (`max_depth`: replies may nest this deep, top level is 0) are
    /// checked in the same transaction as the insert.
    pub async fn post_comment(&self, c: &NewComment<'_>, max_depth: i64) -> Result<PostOutcome> {
        let mut tx = self.begin_write().await?;
        let locked: Option<i64> = sqlx::query_scalar(
            "SELECT target_id FROM thread_locks WHERE target_kind = $1 AND target_id = $2",
        )
        .bind(c.thread.kind())
        .bind(c.thread.id())
        .fetch_optional(&mut *tx)
        .await?;
        if locked.is_some() {
            return Ok(PostOutcome::ThreadLocked);
        }
        let depth = match c.parent {
            None => 0,
            Some(p) => {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT depth, status FROM comments WHERE id = $1 AND {} = $2",
                    c.thread.column()
                )))
                .bind(p.0)
                .bind(c.thread.id())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok(PostOutcome::BadParent);
                };
                let status: String = row.try_get("status")?;
                if status != "visible" {
                    return Ok(PostOutcome::BadParent);
                }
                let d: i64 = row.try_get("depth")?;
                d.saturating_add(1)
            }
        };
        if depth > max_depth {
            return Ok(PostOutcome::TooDeep);
        }
        let (article, story) = match c.thread {
            Thread::Article(a) => (Some(a.0), None),
            Thread::Story(s) => (None, Some(s.0)),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO comments (article_id, story_id, parent_id, user_id, body, depth, status, score, created_at, ip_hash)
             VALUES ($1, $2, $3, $4, $5, $6, 'visible', 0, $7, $8) RETURNING id",
        )
        .bind(article)
        .bind(story)
        .bind(c.parent.map(|p| p.0))
        .bind(c.user.0)
        .bind(c.body)
        .bind(depth)
        .bind(tidings_core::now_ms())
        .bind(c.ip_hash)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PostOutcome::Posted(CommentId(id)))
    }

    /// Every comment of a thread (all statuses: the web layer decides what
    /// each viewer sees), oldest first. `viewer` fills [`CommentRow::voted`].
    pub async fn thread_comments(
        &self,
        thread: Thread,
        viewer: Option<UserId>,
        limit: i64,
    ) -> Result<Vec<CommentRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COMMENT_COLUMNS}, {} AS voted FROM comments c LEFT JOIN users u ON u.id = c.user_id
             WHERE c.{} = $1 ORDER BY c.created_at, c.id LIMIT $2",
            voted_column(viewer),
            thread.column()
        )))
        .bind(thread.id())
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(comment_from_row).collect()
    }

    /// The comments of `thread` that `user` has upvoted (what a thread read
    /// without a viewer lacks for them).
    pub async fn thread_votes(&self, thread: Thread, user: UserId) -> Result<Vec<CommentId>> {
        let rows: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT v.comment_id FROM comment_votes v JOIN comments c ON c.id = v.comment_id
             WHERE v.user_id = $1 AND c.{} = $2",
            thread.column()
        )))
        .bind(user.0)
        .bind(thread.id())
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(|(id,)| CommentId(id)).collect())
    }

    pub async fn comment(
        &self,
        id: CommentId,
        viewer: Option<UserId>,
    ) -> Result<Option<CommentRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COMMENT_COLUMNS}, {} AS voted FROM comments c LEFT JOIN users u ON u.id = c.user_id
             WHERE c.id = $1",
            voted_column(viewer)
        )))
        .bind(id.0)
        .fetch_optional(&self.write)
        .await?;
        row.as_ref().map(comment_from_row).transpose()
    }

    /// Edit one's own visible comment if it was posted after `not_before`.
    /// False when any condition fails.
    pub async fn edit_comment(
        &self,
        id: CommentId,
        user: UserId,
        body: &str,
        not_before: Timestamp,
    ) -> Result<bool> {
        Ok(sqlx::query(
            "UPDATE comments SET body = $1, edited_at = $2
             WHERE id = $3 AND user_id = $4 AND status = 'visible' AND created_at >= $5",
        )
        .bind(body)
        .bind(tidings_core::now_ms())
        .bind(id.0)
        .bind(user.0)
        .bind(not_before.0)
        .execute(&self.write)
        .await?
        .rows_affected()
            == 1)
    }

    /// Delete one's own comment: the text goes, a tombstone keeps the replies
    /// in place. False when it is not the user's or already deleted.
    pub async fn delete_own_comment(&self, id: CommentId, user: UserId) -> Result<bool> {
        Ok(sqlx::query(
            "UPDATE comments SET body = '', status = 'deleted', deleted_at = $1
             WHERE id = $2 AND user_id = $3 AND status <> 'deleted'",
        )
        .bind(tidings_core::now_ms())
        .bind(id.0)
        .bind(user.0)
        .execute(&self.write)
        .await?
        .rows_affected()
            == 1)
    }

    /// Set (`up`) or withdraw the user's upvote and return the comment's score.
    /// Idempotent; the score moves in the same transaction as the vote.
    pub async fn set_vote(&self, id: CommentId, user: UserId, up: bool) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let changed = if up {
            sqlx::query(
                "INSERT INTO comment_votes (comment_id, user_id, value, created_at) VALUES ($1, $2, 1, $3)
                 ON CONFLICT (comment_id, user_id) DO NOTHING",
            )
            .bind(id.0)
            .bind(user.0)
            .bind(tidings_core::now_ms())
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            sqlx::query("DELETE FROM comment_votes WHERE comment_id = $1 AND user_id = $2")
                .bind(id.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        };
        if changed > 0 {
            sqlx::query("UPDATE comments SET score = score + $1 WHERE id = $2")
                .bind(if up { 1_i64 } else { -1 })
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        let score: Option<i64> = sqlx::query_scalar("SELECT score FROM comments WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?;
        let score = score.ok_or_else(|| StoreError::NotFound(format!("comment {id}")))?;
        tx.commit().await?;
        Ok(score)
    }

    /// Report a comment. False when this reporter already has an open report on it.
    pub async fn report_comment(
        &self,
        id: CommentId,
        reporter: UserId,
        reason: &str,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM reports WHERE comment_id = $1 AND reporter_id = $2 AND resolved_at IS NULL",
        )
        .bind(id.0)
        .bind(reporter.0)
        .fetch_optional(&mut *tx)
        .await?;
        if open.is_some() {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO reports (comment_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.0)
        .bind(reporter.0)
        .bind(reason)
        .bind(tidings_core::now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Open reports, oldest first, with their comments.
    pub async fn open_reports(&self, limit: i64) -> Result<Vec<ReportRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT r.id AS rid, ru.username AS reporter, r.reason, r.created_at AS r_created,
                    {COMMENT_COLUMNS}, 0 AS voted
             FROM reports r JOIN comments c ON c.id = r.comment_id
             LEFT JOIN users u ON u.id = c.user_id LEFT JOIN users ru ON ru.id = r.reporter_id
             WHERE r.resolved_at IS NULL ORDER BY r.created_at, r.id LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReportRow {
                    id: r.try_get("rid")?,
                    reporter: r.try_get("reporter")?,
                    reason: r.try_get("reason")?,
                    created_at: Timestamp(r.try_get("r_created")?),
                    comment: comment_from_row(r)?,
                })
            })
            .collect()
    }

    pub async fn count_open_reports(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE resolved_at IS NULL")
                .fetch_one(&self.read)
                .await?,
        )
    }

    /// Hide, remove or restore a comment, resolve its open reports and log it.
    /// Restoring a comment its author deleted is refused (its text is gone).
    /// False when the comment does not exist or the action changes nothing.
    pub async fn moderate_comment(
        &self,
        id: CommentId,
        moderator: UserId,
        action: ModAction,
        reason: Option<&str>,
    ) -> Result<bool> {
        let (to, from_ok): (&str, &[&str]) = match action {
            ModAction::Hide => ("hidden", &["visible", "removed"]),
            ModAction::Remove => ("removed", &["visible", "hidden"]),
            ModAction::Restore => ("visible", &["hidden", "removed"]),
        };
        let mut tx = self.begin_write().await?;
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM comments WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(status) = status else {
            return Ok(false);
        };
        if !from_ok.contains(&status.as_str()) {
            return Ok(false);
        }
        sqlx::query("UPDATE comments SET status = $1 WHERE id = $2")
            .bind(to)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let now = tidings_core::now_ms();
        sqlx::query(
            "UPDATE reports SET resolved_at = $1, resolved_by = $2, resolution = $3
             WHERE comment_id = $4 AND resolved_at IS NULL",
        )
        .bind(now)
        .bind(moderator.0)
        .bind(action.as_str())
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        log_action(
            &mut tx,
            Some(moderator),
            action.as_str(),
            "comment",
            id.0,
            reason,
            Some(&format!("{status} -> {to}")),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Close a comment's open reports without acting on it. Returns how many.
    pub async fn dismiss_reports(
        &self,
        id: CommentId,
        moderator: UserId,
        reason: Option<&str>,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE reports SET resolved_at = $1, resolved_by = $2, resolution = 'dismissed'
             WHERE comment_id = $3 AND resolved_at IS NULL",
        )
        .bind(tidings_core::now_ms())
        .bind(moderator.0)
        .bind(id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            log_action(
                &mut tx,
                Some(moderator),
                "dismiss_reports",
                "comment",
                id.0,
                reason,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    pub async fn thread_lock(&self, thread: Thread) -> Result<Option<ThreadLock>> {
        let row = sqlx::query(
            "SELECT u.username, l.locked_at, l.reason FROM thread_locks l LEFT JOIN users u ON u.id = l.locked_by
             WHERE l.target_kind = $1 AND l.target_id = $2",
        )
        .bind(thread.kind())
        .bind(thread.id())
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(ThreadLock {
                locked_by: r.try_get("username")?,
                locked_at: Timestamp(r.try_get("locked_at")?),
                reason: r.try_get("reason")?,
            })
        })
        .transpose()
    }

    /// Lock (`locked`) or unlock a thread, with a log entry. False when it
    /// already was in that state.
    pub async fn set_thread_lock(
        &self,
        thread: Thread,
        moderator: UserId,
        locked: bool,
        reason: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = if locked {
            sqlx::query(
                "INSERT INTO thread_locks (target_kind, target_id, locked_by, locked_at, reason)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (target_kind, target_id) DO NOTHING",
            )
            .bind(thread.kind())
            .bind(thread.id())
            .bind(moderator.0)
            .bind(tidings_core::now_ms())
            .bind(reason)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            sqlx::query("DELETE FROM thread_locks WHERE target_kind = $1 AND target_id = $2")
                .bind(thread.kind())
                .bind(thread.id())
                .execute(&mut *tx)
                .await?
                .rows_affected()
        };
        if n > 0 {
            let action = if locked { "lock" } else { "unlock" };
            log_action(
                &mut tx,
                Some(moderator),
                action,
                thread.kind(),
                thread.id(),
                reason,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Ban a user until `until` (a far-future time for "until lifted"), ending
    /// their sessions, with a log entry. Moderators cannot ban admins: the
    /// caller checks roles.
    pub async fn ban_user(
        &self,
        target: UserId,
        moderator: UserId,
        until: Timestamp,
        reason: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE users SET banned_until = $1, ban_reason = $2 WHERE id = $3")
            .bind(until.0)
            .bind(reason)
            .bind(target.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {target}")));
        }
        log_action(
            &mut tx,
            Some(moderator),
            "ban",
            "user",
            target.0,
            Some(reason),
            Some(&format!("until {}", until.to_rfc3339())),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lift a user's ban, with a log entry: by `moderator`, or with `None`
    /// from the command line (logged with the details [`COMMAND_LINE`]).
    /// False when the user was not banned.
    pub async fn unban_user(
        &self,
        target: UserId,
        moderator: Option<UserId>,
        reason: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE users SET banned_until = NULL, ban_reason = NULL WHERE id = $1 AND banned_until IS NOT NULL",
        )
        .bind(target.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            let details = moderator.is_none().then_some(COMMAND_LINE);
            log_action(
                &mut tx, moderator, "unban", "user", target.0, reason, details,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Change a user's role, with a log entry.
    pub async fn change_role(
        &self,
        target: UserId,
        admin: UserId,
        role: crate::Role,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(target.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {target}")));
        }
        log_action(
            &mut tx,
            Some(admin),
            "role",
            "user",
            target.0,
            None,
            Some(role.as_str()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The moderation log, newest first; `before` pages by id.
    pub async fn moderation_log(
        &self,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ModLogEntry>> {
        let rows = sqlx::query(
            "SELECT l.id, u.username, l.action, l.target_kind, l.target_id, l.reason, l.details, l.created_at
             FROM moderation_log l LEFT JOIN users u ON u.id = l.moderator_id
             WHERE l.id < $1 ORDER BY l.id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ModLogEntry {
                    id: r.try_get("id")?,
                    moderator: r.try_get("username")?,
                    action: r.try_get("action")?,
                    target_kind: r.try_get("target_kind")?,
                    target_id: r.try_get("target_id")?,
                    reason: r.try_get("reason")?,
                    details: r.try_get("details")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// The most recent comments of a user, newest first, for moderators.
    pub async fn user_comments(&self, user: UserId, limit: i64) -> Result<Vec<CommentRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COMMENT_COLUMNS}, 0 AS voted FROM comments c LEFT JOIN users u ON u.id = c.user_id
             WHERE c.user_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2"
        )))
        .bind(user.0)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(comment_from_row).collect()
    }

    /// The author of a comment, with their account.
    pub async fn comment_author(&self, id: CommentId) -> Result<Option<crate::User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM comments c JOIN users u ON u.id = c.user_id WHERE c.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }
}
