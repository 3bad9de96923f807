//! Accounts: users and roles, database sessions, personal API tokens,
//! invitations, login backoff, known devices and rate-limit counters. Everything that must
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

/// How failed logins slow down the next attempts under one backoff key
/// (see [`Store::login_backoff_charge`]).
#[derive(Debug, Clone, Copy)]
pub struct BackoffPolicy {
    /// Failures that cost no wait.
    pub free_failures: i64,
    /// The wait after the first failure past the free ones; each further
    /// failure doubles it...
    pub first_delay_ms: i64,
    /// ...up to this.
    pub max_delay_ms: i64,
    /// A key without a failure for this long starts again from zero.
    pub forget_after_ms: i64,
}

/// Whether a login attempt under a backoff key may be checked now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginGate {
    /// Checked; the attempt was counted as a failure until it succeeds.
    Open,
    /// Not before this time.
    Wait { until: Timestamp },
}

/// A backoff key's count, for operators and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffState {
    pub failures: i64,
    pub blocked_until: Timestamp,
}

/// The backoff key of one account, counting failures from anywhere.
pub fn account_backoff_key(user: UserId) -> String {
    format!("account:{user}")
}

/// The backoff key of one client (`client`: a hash naming an address or a
/// device) trying one login name: the account when it exists, else a hash of
/// the name as typed (unknown names back off exactly like known ones).
pub fn pair_backoff_key(user: Option<UserId>, name_hash: &str, client: &str) -> String {
    match user {
        Some(u) => format!("pair:{u}:{client}"),
        None => format!("pair:n{name_hash}:{client}"),
    }
}

/// Known devices (browsers that logged in) are forgotten after this long unused.
pub const KNOWN_DEVICE_MS: i64 = 365 * 86_400_000;
/// Known devices kept per account (the most recently used).
pub const KNOWN_DEVICES_PER_USER: i64 = 20;

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

pub(crate) const USER_COLUMNS: &str = "u.id, u.username, u.email, u.role, u.created_at, u.banned_until, u.ban_reason, u.last_login_at, u.password_changed_at";

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

    /// Charge a login attempt to a backoff key before its password is
    /// checked: refused (`Wait`) while the key waits; else counted as a
    /// failure (the caller clears the key when the password was right). The
    /// first `free_failures` cost nothing; the next makes the key wait
    /// `first_delay_ms`, each further one twice the last wait, at most
    /// `max_delay_ms`, counted from that failure. A key without a failure for
    /// `forget_after_ms` starts from zero. One statement, so attempts racing on
    /// several nodes cannot slip through together.
    pub async fn login_backoff_charge(
        &self,
        key: &str,
        now: Timestamp,
        p: &BackoffPolicy,
    ) -> Result<LoginGate> {
        let first = p.first_delay_ms.clamp(0, p.max_delay_ms.max(0));
        let max = p.max_delay_ms.max(first);
        let stale = "login_backoff.last_failure_at < $3";
        let next = format!("(CASE WHEN {stale} THEN 1 ELSE login_backoff.failures + 1 END)");
        let prev = format!("(CASE WHEN {stale} THEN 0 ELSE login_backoff.delay_ms END)");
        let delay = format!(
            "(CASE WHEN {next} <= $4 THEN 0 WHEN {prev} * 2 > $6 THEN $6
                   WHEN {prev} * 2 < $5 THEN $5 ELSE {prev} * 2 END)"
        );
        let fresh_delay = if p.free_failures < 1 { first } else { 0 };
        let charged: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO login_backoff (key, failures, last_failure_at, delay_ms, blocked_until)
             VALUES ($1, 1, $2, $7, $8)
             ON CONFLICT (key) DO UPDATE SET
                failures = {next}, delay_ms = {delay}, blocked_until = $2 + {delay},
                last_failure_at = $2
             WHERE login_backoff.blocked_until <= $2
             RETURNING failures"
        )))
        .bind(key)
        .bind(now.0)
        .bind(now.0.saturating_sub(p.forget_after_ms))
        .bind(p.free_failures)
        .bind(first)
        .bind(max)
        .bind(fresh_delay)
        .bind(now.0.saturating_add(fresh_delay))
        .fetch_optional(&self.write)
        .await?;
        if charged.is_some() {
            return Ok(LoginGate::Open);
        }
        let until = self
            .login_backoff(key)
            .await?
            .map_or(now, |b| b.blocked_until);
        Ok(LoginGate::Wait { until })
    }

    /// The count under a backoff key, if it has one.
    pub async fn login_backoff(&self, key: &str) -> Result<Option<BackoffState>> {
        let row = sqlx::query("SELECT failures, blocked_until FROM login_backoff WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.write)
            .await?;
        row.map(|r| {
            Ok(BackoffState {
                failures: r.try_get("failures")?,
                blocked_until: Timestamp(r.try_get("blocked_until")?),
            })
        })
        .transpose()
    }

    /// A successful login: clear the given backoff keys (the attempt's own
    /// charges) and note the time, in one transaction.
    pub async fn record_login_success(
        &self,
        id: UserId,
        now: Timestamp,
        clear: &[&str],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for key in clear {
            sqlx::query("DELETE FROM login_backoff WHERE key = $1")
                .bind(*key)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
            .bind(now.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lift every login backoff of an account now (an operator's decision,
    /// `tidings user unlock`): the account's own and every client's on it.
    pub async fn clear_lockout(&self, id: UserId) -> Result<()> {
        sqlx::query("DELETE FROM login_backoff WHERE key = $1 OR key LIKE $2")
            .bind(account_backoff_key(id))
            .bind(format!("pair:{id}:%"))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    // ---- known devices ----

    /// Remember a browser that just logged in to `user` by the hash of its
    /// new device cookie, forgetting the cookie it replaces (`replaces`, when
    /// it was this user's) and all but the account's most recently used
    /// [`KNOWN_DEVICES_PER_USER`] devices. One transaction.
    pub async fn remember_device(
        &self,
        user: UserId,
        token_hash: &str,
        replaces: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM known_devices WHERE token_hash = $1 AND user_id = $2")
                .bind(old)
                .bind(user.0)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO known_devices (token_hash, user_id, created_at, last_used_at)
             VALUES ($1, $2, $3, $3)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM known_devices WHERE user_id = $1 AND token_hash NOT IN (
                SELECT token_hash FROM known_devices WHERE user_id = $1
                ORDER BY last_used_at DESC, created_at DESC LIMIT $2)",
        )
        .bind(user.0)
        .bind(KNOWN_DEVICES_PER_USER)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the device cookie with this hash was given to a browser that
    /// logged in to `user` within [`KNOWN_DEVICE_MS`].
    pub async fn is_known_device(
        &self,
        user: UserId,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM known_devices
             WHERE token_hash = $1 AND user_id = $2 AND last_used_at > $3",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(now.0.saturating_sub(KNOWN_DEVICE_MS))
        .fetch_one(&self.write)
        .await?;
        Ok(n > 0)
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

    /// Forget expired sessions, stale rate-limit windows, login backoffs
    /// without a failure for a day (and no wait left) and devices unused for
    /// [`KNOWN_DEVICE_MS`]. Returns how many sessions ended.
    pub async fn prune_sessions(&self, now: Timestamp) -> Result<u64> {
        let n = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now.0)
            .execute(&self.write)
            .await?
            .rows_affected();
        // No window is longer than a day.
        let day_ago = now.0.saturating_sub(86_400_000);
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(day_ago)
            .execute(&self.write)
            .await?;
        sqlx::query("DELETE FROM login_backoff WHERE last_failure_at < $1 AND blocked_until <= $2")
            .bind(day_ago)
            .bind(now.0)
            .execute(&self.write)
            .await?;
        sqlx::query("DELETE FROM known_devices WHERE last_used_at <= $1")
            .bind(now.0.saturating_sub(KNOWN_DEVICE_MS))
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

    /// Revoke the user's live tokens called `name` beyond the `keep` used
    /// (or made) most recently: tokens an app login makes on each sign-in do
    /// not pile up, while every app still syncing keeps its own. Returns how
    /// many were revoked.
    pub async fn revoke_api_tokens_beyond(
        &self,
        user: UserId,
        name: &str,
        keep: i64,
    ) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1
             WHERE user_id = $2 AND name = $3 AND revoked_at IS NULL AND id NOT IN (
                 SELECT id FROM api_tokens WHERE user_id = $2 AND name = $3 AND revoked_at IS NULL
                 ORDER BY COALESCE(last_used_at, created_at) DESC, id DESC LIMIT $4)",
        )
        .bind(tidings_core::now_ms())
        .bind(user.0)
        .bind(name)
        .bind(keep)
        .execute(&self.write)
        .await?
        .rows_affected())
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
