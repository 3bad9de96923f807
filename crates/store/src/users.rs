//! Accounts: users and roles, database sessions, personal API tokens,
//! invitations, login throttling and rate-limit counters. Everything that must
//! hold across several web nodes lives here, in the database.
//!
//! Secrets never reach the database in the clear: sessions, API tokens and
//! invitation codes are stored as hashes made by the caller.

use crate::{Result, Store, StoreError};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use tidings_core::{Timestamp, UserId};

/// What an account may do. Moderators moderate comments and users; admins also
/// manage roles, sources and site settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Moderator,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "member" => Some(Role::Member),
            "moderator" => Some(Role::Moderator),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn can_moderate(self) -> bool {
        self >= Role::Moderator
    }

    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

/// A stored account (without its password hash).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub email: Option<String>,
    pub role: Role,
    pub created_at: Timestamp,
    pub banned_until: Option<Timestamp>,
    pub ban_reason: Option<String>,
    pub locked_until: Option<Timestamp>,
    pub last_login_at: Option<Timestamp>,
    pub password_changed_at: Option<Timestamp>,
}

impl User {
    /// True while a ban is in force at `now`.
    pub fn is_banned(&self, now: Timestamp) -> bool {
        self.banned_until.is_some_and(|t| t > now)
    }
}

/// A user with what a login needs to decide.
#[derive(Debug, Clone)]
pub struct UserAuth {
    pub user: User,
    pub password_hash: String,
}

/// A new account. `password_hash` is a PHC string made by the caller.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: Option<&'a str>,
    pub password_hash: &'a str,
    pub role: Role,
}

/// A database session, found by the hash of its cookie.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id_hash: String,
    pub user: User,
    /// Opaque JSON kept by the web layer (CSRF token, remember-me, lifetime).
    pub data: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    pub id: i64,
    pub created_by: Option<String>,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub used_by: Option<String>,
    pub used_at: Option<Timestamp>,
}

/// How failed logins turn into a temporary lockout.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    /// Failures (within `window_ms` of each other) that lock the account.
    pub max_failures: i64,
    pub window_ms: i64,
    /// How long the lock lasts.
    pub lock_ms: i64,
}

/// Why an invited registration could not happen.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error("the invitation code is unknown, used or expired")]
    BadInvitation,
    #[error("the username is taken")]
    UsernameTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub(crate) const USER_COLUMNS: &str = "u.id, u.username, u.email, u.role, u.created_at, u.banned_until, u.ban_reason, u.locked_until, u.last_login_at, u.password_changed_at";

pub(crate) fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: UserId(r.try_get("id")?),
        username: r.try_get("username")?,
        email: r.try_get("email")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
        created_at: Timestamp(r.try_get("created_at")?),
        banned_until: opt_ts(r, "banned_until")?,
        ban_reason: r.try_get("ban_reason")?,
        locked_until: opt_ts(r, "locked_until")?,
        last_login_at: opt_ts(r, "last_login_at")?,
        password_changed_at: opt_ts(r, "password_changed_at")?,
    })
}

pub(crate) fn opt_ts(r: &AnyRow, col: &str) -> Result<Option<Timestamp>> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(Timestamp))
}

impl Store {
    /// Create an account. A taken username (case-insensitive) is `Duplicate`.
    pub async fn create_user(&self, u: &NewUser<'_>) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let id = insert_user(&mut tx, u).await?;
        tx.commit().await?;
        self.user(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {id}")))
    }

    /// Create an account with an invitation code (by its hash), spending the
    /// code in the same transaction: two people cannot use one code.
    pub async fn create_user_with_invitation(
        &self,
        u: &NewUser<'_>,
        code_hash: &str,
        now: Timestamp,
    ) -> std::result::Result<User, RegisterError> {
        let mut tx = self.begin_write().await?;
        let inv: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM invitations WHERE code_hash = $1 AND used_at IS NULL
             AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(code_hash)
        .bind(now.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        let Some(inv) = inv else {
            return Err(RegisterError::BadInvitation);
        };
        let id = match insert_user(&mut tx, u).await {
            Ok(id) => id,
            Err(StoreError::Duplicate(_)) => return Err(RegisterError::UsernameTaken),
            Err(e) => return Err(e.into()),
        };
        let n = sqlx::query(
            "UPDATE invitations SET used_by = $1, used_at = $2 WHERE id = $3 AND used_at IS NULL",
        )
        .bind(id.0)
        .bind(now.0)
        .bind(inv)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if n != 1 {
            return Err(RegisterError::BadInvitation);
        }
        tx.commit().await.map_err(StoreError::from)?;
        self.user(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("user {id}")).into())
    }

    pub async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Find an account by name, ignoring case.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        Ok(self.user_auth(username).await?.map(|a| a.user))
    }

    /// An account with its password hash, for logging in.
    pub async fn user_auth(&self, username: &str) -> Result<Option<UserAuth>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE lower(u.username) = lower($1)"
        )))
        .bind(username)
        .fetch_optional(&self.write)
        .await?;
        row.as_ref()
            .map(|r| {
                Ok(UserAuth {
                    user: user_from_row(r)?,
                    password_hash: r.try_get("password_hash")?,
                })
            })
            .transpose()
    }

    /// The password hash of an account (for re-checking before sensitive changes).
    pub async fn password_hash(&self, id: UserId) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.write)
                .await?,
        )
    }

    /// Accounts, newest first, optionally filtered by a name fragment.
    pub async fn list_users(&self, name_like: Option<&str>, limit: i64) -> Result<Vec<User>> {
        let pattern = format!(
            "%{}%",
            name_like
                .unwrap_or("")
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE lower(u.username) LIKE $1 ESCAPE '\\'
             ORDER BY u.id DESC LIMIT $2"
        )))
        .bind(pattern)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.read)
            .await?)
    }

    pub async fn set_role(&self, id: UserId, role: Role) -> Result<()> {
        let n = sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
            .bind(role.as_str())
            .bind(id.0)
            .execute(&self.write)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        Ok(())
    }

    /// Count a failed login. Failures more than `window_ms` apart start a new
    /// count; reaching `max_failures` locks the account for `lock_ms` and starts
    /// the count again. Failures while locked are not counted (the lock holds
    /// anyway). One statement, so concurrent attempts on several nodes add up.
    /// Returns the lock's end when the account is locked now.
    pub async fn record_login_failure(
        &self,
        id: UserId,
        now: Timestamp,
        p: &LockoutPolicy,
    ) -> Result<Option<Timestamp>> {
        let next = "(CASE WHEN failed_login_at IS NULL OR failed_login_at < $2 THEN 1 ELSE failed_logins + 1 END)";
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE users SET
                failed_logins = CASE WHEN {next} >= $3 THEN 0 ELSE {next} END,
                locked_until = CASE WHEN {next} >= $3 THEN $4 ELSE locked_until END,
                failed_login_at = $1
             WHERE id = $5 AND (locked_until IS NULL OR locked_until <= $1)"
        )))
        .bind(now.0)
        .bind(now.0.saturating_sub(p.window_ms))
        .bind(p.max_failures)
        .bind(now.0.saturating_add(p.lock_ms))
        .bind(id.0)
        .execute(&self.write)
        .await?;
        let locked: Option<i64> =
            sqlx::query_scalar("SELECT locked_until FROM users WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.write)
                .await?
                .flatten();
        Ok(locked.filter(|t| *t > now.0).map(Timestamp))
    }

    /// A successful login clears the failure count.
    pub async fn record_login_success(&self, id: UserId, now: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, failed_login_at = NULL, last_login_at = $1 WHERE id = $2",
        )
        .bind(now.0)
        .bind(id.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Lift a lockout now (an admin's decision, or a test's).
    pub async fn clear_lockout(&self, id: UserId) -> Result<()> {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, failed_login_at = NULL, locked_until = NULL WHERE id = $1",
        )
        .bind(id.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Set a new password hash and end every session of the account except
    /// `keep_session` (the one that made the change), and with
    /// `revoke_tokens` revoke every live API token too, in one transaction.
    pub async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        keep_session: Option<&str>,
        revoke_tokens: bool,
    ) -> Result<()> {
        let now = tidings_core::now_ms();
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now)
        .bind(id.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(id.0)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        if revoke_tokens {
            revoke_all_tokens(&mut tx, id, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Delete an account. Its comments stay as tombstones (empty body, status
    /// `deleted`) so threads keep their shape; its votes leave the scores; its
    /// sessions and tokens go. One transaction.
    pub async fn delete_user(&self, id: UserId) -> Result<()> {
        let now = tidings_core::now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE comments SET score = score - COALESCE((SELECT SUM(v.value) FROM comment_votes v
                 WHERE v.comment_id = comments.id AND v.user_id = $1), 0)
             WHERE id IN (SELECT comment_id FROM comment_votes WHERE user_id = $1)",
        )
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE comments SET body = '', status = 'deleted', deleted_at = COALESCE(deleted_at, $1)
             WHERE user_id = $2",
        )
        .bind(now)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        let n = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!("user {id}")));
        }
        tx.commit().await?;
        Ok(())
    }

    // ---- sessions ----

    pub async fn create_session(
        &self,
        id_hash: &str,
        user: UserId,
        data: &str,
        expires_at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, data, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash)
        .bind(user.0)
        .bind(data)
        .bind(tidings_core::now_ms())
        .bind(expires_at.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The live session with this id hash, with its user.
    pub async fn session(&self, id_hash: &str, now: Timestamp) -> Result<Option<SessionRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.id AS sid, s.data, s.created_at AS s_created, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = $1 AND s.expires_at > $2"
        )))
        .bind(id_hash)
        .bind(now.0)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref()
            .map(|r| {
                Ok(SessionRow {
                    id_hash: r.try_get("sid")?,
                    user: user_from_row(r)?,
                    data: r.try_get("data")?,
                    created_at: Timestamp(r.try_get("s_created")?),
                    expires_at: Timestamp(r.try_get("expires_at")?),
                })
            })
            .transpose()
    }

    /// Move a session's expiry (sliding lifetime).
    pub async fn extend_session(&self, id_hash: &str, expires_at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id = $2")
            .bind(expires_at.0)
            .bind(id_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// End every session of a user. Returns how many.
    pub async fn delete_user_sessions(&self, user: UserId) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&self.write)
            .await?
            .rows_affected())
    }

    /// "Log out everywhere": end every session of a user and revoke every
    /// live API token, in one transaction. Returns (sessions, tokens).
    pub async fn log_out_everywhere(&self, user: UserId) -> Result<(u64, u64)> {
        let mut tx = self.begin_write().await?;
        let sessions = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let tokens = revoke_all_tokens(&mut tx, user, tidings_core::now_ms()).await?;
        tx.commit().await?;
        Ok((sessions, tokens))
    }

    pub async fn count_user_sessions(&self, user: UserId, now: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2",
        )
        .bind(user.0)
        .bind(now.0)
        .fetch_one(&self.read)
        .await?)
    }

    /// Forget expired sessions and stale rate-limit windows.
    pub async fn prune_sessions(&self, now: Timestamp) -> Result<u64> {
        let n = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now.0)
            .execute(&self.write)
            .await?
            .rows_affected();
        // No window is longer than a day.
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(now.0.saturating_sub(86_400_000))
            .execute(&self.write)
            .await?;
        Ok(n)
    }

    // ---- API tokens ----

    pub async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken> {
        let now = tidings_core::now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(user.0)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .fetch_one(&self.write)
        .await?;
        Ok(ApiToken {
            id,
            name: name.to_string(),
            created_at: Timestamp(now),
            last_used_at: None,
            revoked_at: None,
        })
    }

    pub async fn list_api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens
             WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                    last_used_at: opt_ts(r, "last_used_at")?,
                    revoked_at: opt_ts(r, "revoked_at")?,
                })
            })
            .collect()
    }

    /// Revoke one of the user's tokens. False when it is not theirs or already revoked.
    pub async fn revoke_api_token(&self, user: UserId, token_id: i64) -> Result<bool> {
        Ok(sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(tidings_core::now_ms())
        .bind(token_id)
        .bind(user.0)
        .execute(&self.write)
        .await?
        .rows_affected()
            == 1)
    }

    /// Revoke the user's live token with this hash (the one a request used).
    /// False when there is none.
    pub async fn revoke_api_token_by_hash(&self, user: UserId, token_hash: &str) -> Result<bool> {
        Ok(sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(tidings_core::now_ms())
        .bind(token_hash)
        .bind(user.0)
        .execute(&self.write)
        .await?
        .rows_affected()
            == 1)
    }

    /// The user behind a live token, noting when it was used (at most once a minute).
    pub async fn api_token_user(&self, token_hash: &str, now: Timestamp) -> Result<Option<User>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, t.id AS tid, t.last_used_at AS t_used FROM api_tokens t
             JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        )))
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let user = user_from_row(&r)?;
        let tid: i64 = r.try_get("tid")?;
        let used: Option<i64> = r.try_get("t_used")?;
        if used.is_none_or(|u| u < now.0.saturating_sub(60_000)) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now.0)
                .bind(tid)
                .execute(&self.write)
                .await?;
        }
        Ok(Some(user))
    }

    // ---- invitations ----

    pub async fn create_invitation(
        &self,
        code_hash: &str,
        created_by: Option<UserId>,
        expires_at: Option<Timestamp>,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO invitations (code_hash, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(code_hash)
        .bind(created_by.map(|u| u.0))
        .bind(tidings_core::now_ms())
        .bind(expires_at.map(|t| t.0))
        .fetch_one(&self.write)
        .await?)
    }

    pub async fn list_invitations(&self, limit: i64) -> Result<Vec<Invitation>> {
        let rows = sqlx::query(
            "SELECT i.id, c.username AS creator, i.created_at, i.expires_at, u.username AS user_name, i.used_at
             FROM invitations i LEFT JOIN users c ON c.id = i.created_by LEFT JOIN users u ON u.id = i.used_by
             ORDER BY i.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Invitation {
                    id: r.try_get("id")?,
                    created_by: r.try_get("creator")?,
                    created_at: Timestamp(r.try_get("created_at")?),
                    expires_at: opt_ts(r, "expires_at")?,
                    used_by: r.try_get("user_name")?,
                    used_at: opt_ts(r, "used_at")?,
                })
            })
            .collect()
    }

    // ---- rate limits ----

    /// Count one event under `key` in a fixed window of `window_ms` and return
    /// the count in the current window, this event included. One atomic upsert,
    /// so nodes sharing the database share the limit.
    pub async fn rate_limit_hit(&self, key: &str, window_ms: i64, now: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
             ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.count + 1 END,
                window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END
             RETURNING count",
        )
        .bind(key)
        .bind(now.0)
        .bind(now.0.saturating_sub(window_ms))
        .fetch_one(&self.write)
        .await?)
    }

    /// [`Store::rate_limit_hit`], also returning when the current window
    /// started (unix ms), so callers can say when the limit resets.
    pub async fn rate_limit_hit_window(
        &self,
        key: &str,
        window_ms: i64,
        now: Timestamp,
    ) -> Result<(i64, Timestamp)> {
        let row = sqlx::query(
            "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
             ON CONFLICT (key) DO UPDATE SET
                count = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.count + 1 END,
                window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END
             RETURNING count, window_start",
        )
        .bind(key)
        .bind(now.0)
        .bind(now.0.saturating_sub(window_ms))
        .fetch_one(&self.write)
        .await?;
        Ok((
            row.try_get("count")?,
            Timestamp(row.try_get("window_start")?),
        ))
    }

    /// The count under `key` in its current window, without counting.
    pub async fn rate_limit_count(&self, key: &str, window_ms: i64, now: Timestamp) -> Result<i64> {
        let n: Option<i64> = sqlx::query_scalar(
            "SELECT count FROM rate_limits WHERE key = $1 AND window_start > $2",
        )
        .bind(key)
        .bind(now.0.saturating_sub(window_ms))
        .fetch_optional(&self.write)
        .await?;
        Ok(n.unwrap_or(0))
    }

    /// A random secret kept in the settings table, created on first use by
    /// whichever node asks first (`candidate` is used only then).
    pub async fn site_secret(&self, name: &str, candidate: &str) -> Result<String> {
        let key = format!("secret:{name}");
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
        )
        .bind(&key)
        .bind(candidate)
        .bind(tidings_core::now_ms())
        .execute(&self.write)
        .await?;
        self.get_setting(&key)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("setting {key} vanished")))
    }
}

/// Revoke every live API token of `user`. Returns how many.
async fn revoke_all_tokens(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user: UserId,
    now: i64,
) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user.0)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

async fn insert_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    u: &NewUser<'_>,
) -> Result<UserId> {
    let res = sqlx::query_scalar(
        "INSERT INTO users (username, email, password_hash, role, created_at, password_changed_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(u.username)
    .bind(u.email)
    .bind(u.password_hash)
    .bind(u.role.as_str())
    .bind(tidings_core::now_ms())
    .fetch_one(&mut **tx)
    .await;
    match res {
        Ok(id) => Ok(UserId(id)),
        Err(e) if StoreError::is_unique_violation(&e) => {
            Err(StoreError::Duplicate(format!("user {}", u.username)))
        }
        Err(e) => Err(e.into()),
    }
}
