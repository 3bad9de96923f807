//! Accounts as the rest of the site sees them, without HTTP: who is asking
//! (the [`Viewer`]), the accounts settings, password hashing off the async
//! threads, salted client-address hashes, and the secrets (random tokens and
//! their digests) sessions, API tokens and invitations are stored as.

use crate::error::Refusal;
use crate::i18n::ACCOUNTS_EN;
use crate::services::password;
use crate::{AppState, WebError};
use std::net::IpAddr;
use tidings_core::Timestamp;
use tidings_store::{LoginGate, Role, User};
use tokio::sync::{OnceCell, Semaphore};

/// Who may create an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    Open,
    Closed,
    Invite,
}

/// When cookies get the `Secure` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecureCookies {
    /// When the site is served over HTTPS: `base_url` is https, or the proxy
    /// says `X-Forwarded-Proto: https`.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone)]
pub struct AccountsConfig {
    pub registration: Registration,
    /// A session without "remember me" ends after this long unused.
    pub session_hours: u64,
    /// A remembered session ends after this long unused.
    pub remember_days: u64,
    pub secure_cookies: SecureCookies,
    /// Failed logins of one account, from anywhere, before it backs off:
    /// each further failure makes every attempt without a known device wait
    /// (5 s, doubling).
    pub login_max_failures: u32,
    /// Failed logins of one client (address, or known device) on one login
    /// name before that pair backs off (1 s, doubling).
    pub login_max_failures_per_address: u32,
    /// The longest backoff wait, in minutes.
    pub lockout_minutes: u64,
    /// Login attempts per client address per hour, whatever the account
    /// (known devices are not counted).
    pub login_attempts_per_ip_per_hour: u32,
    pub registrations_per_ip_per_hour: u32,
    pub password_min_length: usize,
    /// Invitation codes expire after this many days.
    pub invitation_days: u64,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_proxy_headers: bool,
    /// Readers may subscribe (reader apps) to feeds that are not sources:
    /// each becomes a private source, crawled for its subscribers only.
    pub personal_feeds: bool,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        AccountsConfig {
            registration: Registration::Open,
            session_hours: 12,
            remember_days: 30,
            secure_cookies: SecureCookies::Auto,
            login_max_failures: 10,
            login_max_failures_per_address: 5,
            lockout_minutes: 15,
            login_attempts_per_ip_per_hour: 100,
            registrations_per_ip_per_hour: 5,
            password_min_length: 10,
            invitation_days: 14,
            trust_proxy_headers: false,
            personal_feeds: false,
        }
    }
}

/// Per-process state of the accounts layer.
pub struct Runtime {
    /// A hash to verify against when the username is unknown, so a login
    /// costs the same whether or not the account exists.
    dummy_hash: OnceCell<String>,
    /// Salt for hashing client addresses before they are stored.
    ip_salt: OnceCell<String>,
    /// Bounds concurrent argon2 work (19 MiB each).
    hashing: Semaphore,
}

impl Default for Runtime {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Runtime {
            dummy_hash: OnceCell::new(),
            ip_salt: OnceCell::new(),
            hashing: Semaphore::new(cores.max(2)),
        }
    }
}

impl AppState {
    /// Hash a new password on a blocking thread.
    pub async fn hash_password(&self, pw: &str) -> Result<String, WebError> {
        let _permit = self
            .accounts()
            .hashing
            .acquire()
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
        let pw = pw.to_string();
        tokio::task::spawn_blocking(move || password::hash_password(&pw))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?
            .map_err(|e| WebError::Internal(e.to_string()))
    }

    /// Verify a password on a blocking thread. With `None` (unknown account)
    /// a dummy hash is verified instead, so the cost is the same.
    pub async fn verify_password(&self, pw: &str, phc: Option<&str>) -> Result<bool, WebError> {
        let rt = self.accounts();
        let dummy = rt
            .dummy_hash
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(|| password::hash_password("not the password"))
                    .await
                    .map_err(|e| WebError::Internal(e.to_string()))?
                    .map_err(|e| WebError::Internal(e.to_string()))
            })
            .await?;
        let known = phc.is_some();
        let phc = phc.unwrap_or(dummy).to_string();
        let _permit = rt
            .hashing
            .acquire()
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
        let pw = pw.to_string();
        let ok = tokio::task::spawn_blocking(move || password::verify_password(&pw, &phc))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
        metrics::counter!("tidings_password_verifications_total").increment(1);
        Ok(ok && known)
    }

    /// A stable, salted hash of a client address: rate-limit keys and
    /// `comments.ip_hash` never hold the address itself. An IPv6 address
    /// counts as its /64 (see [`client_network`]).
    pub async fn ip_hash(&self, ip: &str) -> Result<String, WebError> {
        let ip = ip
            .parse::<IpAddr>()
            .map_or_else(|_| ip.to_string(), client_network);
        let salt = self
            .accounts()
            .ip_salt
            .get_or_try_init(|| async {
                let candidate = random_token()?;
                Ok::<_, WebError>(self.store().site_secret("ip_salt", &candidate).await?)
            })
            .await?;
        Ok(digest(&format!("{salt}\n{ip}")).chars().take(32).collect())
    }

    /// The login backoffs: (per client on one login name, per account).
    pub(crate) fn login_backoff_policies(
        &self,
    ) -> (tidings_store::BackoffPolicy, tidings_store::BackoffPolicy) {
        let c = &self.config().accounts;
        let max_delay_ms = i64::try_from(c.lockout_minutes)
            .unwrap_or(15)
            .max(1)
            .saturating_mul(60_000);
        let policy = |free: u32, first_delay_ms: i64| tidings_store::BackoffPolicy {
            free_failures: i64::from(free.max(1)),
            first_delay_ms,
            max_delay_ms,
            forget_after_ms: LOGIN_FAILURES_FORGOTTEN_MS,
        };
        (
            policy(c.login_max_failures_per_address, 1_000),
            policy(c.login_max_failures, 5_000),
        )
    }
}

/// Failed logins are forgotten after a day without one.
const LOGIN_FAILURES_FORGOTTEN_MS: i64 = 86_400_000;

/// 32 random bytes as hex.
pub fn random_token() -> Result<String, WebError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(hex(&b))
}

fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}

/// BLAKE2b-256 of a secret, as hex: how sessions, tokens and invitation
/// codes are stored.
pub fn digest(secret: &str) -> String {
    use blake2::Digest;
    let mut h = blake2::Blake2b::<blake2::digest::consts::U32>::new();
    h.update(secret.as_bytes());
    hex(&h.finalize())
}

/// Equal strings, compared in constant time.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A signed-in user and how they signed in.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    /// Hash of the session cookie; None when the request used an API token.
    pub session: Option<String>,
    pub csrf: String,
}

/// Who is asking: resolved once per request by [`resolve_viewer`].
#[derive(Debug, Clone)]
pub struct Viewer {
    pub signed_in: Option<SessionUser>,
    /// The visitor's double-submit CSRF cookie, when they have one.
    pub(crate) anon_csrf: Option<String>,
    /// The hash of the browser's device cookie, when it sends one.
    pub(crate) device: Option<String>,
    /// The client's address (from the connection, or the proxy's header when
    /// trusted) as per-address limits count it: an IPv6 client's /64, see
    /// [`client_network`].
    pub ip: String,
    pub secure: bool,
}

impl Viewer {
    pub fn user(&self) -> Option<&User> {
        self.signed_in.as_ref().map(|s| &s.user)
    }

    /// The CSRF token forms on this page must carry, if any.
    pub fn csrf(&self) -> Option<&str> {
        match &self.signed_in {
            Some(s) => Some(&s.csrf),
            None => self.anon_csrf.as_deref(),
        }
    }

    pub fn require_user(&self) -> Result<&User, WebError> {
        self.user().ok_or(WebError::LoginRequired)
    }

    /// A signed-in user who may write (not banned).
    pub fn require_writer(&self) -> Result<&User, WebError> {
        not_banned(self.require_user()?)
    }

    /// A moderator or admin who is not banned: a ban takes every power away,
    /// whatever the role.
    pub fn require_moderator(&self) -> Result<&User, WebError> {
        let u = self.require_user()?;
        if !u.role.can_moderate() {
            return Err(WebError::Refused(Refusal::NeedModerator));
        }
        not_banned(u)
    }

    /// An admin who is not banned.
    pub fn require_admin(&self) -> Result<&User, WebError> {
        let u = self.require_user()?;
        if u.role != Role::Admin {
            return Err(WebError::Refused(Refusal::NeedAdmin));
        }
        not_banned(u)
    }

    pub fn role(&self) -> Option<Role> {
        self.user().map(|u| u.role)
    }

    pub(crate) fn anonymous(ip: String, secure: bool) -> Viewer {
        Viewer {
            signed_in: None,
            anon_csrf: None,
            device: None,
            ip,
            secure,
        }
    }
}

/// `u`, unless a ban is in force: then the error that says until when and why.
fn not_banned(u: &User) -> Result<&User, WebError> {
    if u.is_banned(Timestamp::now()) {
        return Err(WebError::Banned {
            until: u.banned_until.unwrap_or(Timestamp(i64::MAX)),
            reason: u.ban_reason.clone().unwrap_or_default(),
        });
    }
    Ok(u)
}

/// What every per-address limit counts: an IPv4 address as it is (also when
/// it arrives IPv4-mapped, `::ffff:a.b.c.d`), an IPv6 address as its /64,
/// written `2001:db8:1:2::/64`. One subscriber usually gets a whole /64 and
/// can pick any address in it, so a limit on single addresses would not hold.
pub fn client_network(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let [a, b, c, d, ..] = v6.segments();
                format!("{}/64", std::net::Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
            }
        },
    }
}

/// Why a login was refused.
pub(crate) enum LoginRefused {
    /// Too many attempts from this client: its address's hourly budget is
    /// spent, or it failed too often on this login name (known or not).
    Throttled { retry_after_secs: u64 },
    /// An unknown name, a wrong password, or an account in backoff: one answer.
    Failed,
}

/// Check a username and password by the login form's rules (the API's
/// token requests use the same):
///
/// 1. Each client address has `login_attempts_per_ip_per_hour` attempts.
/// 2. Each client (its address, or its device cookie when that is known to
///    the account) on each login name has `login_max_failures_per_address`
///    free failures; after that it waits 1 s, then twice as long after each
///    further failure (at most `lockout_minutes`) before an attempt is even
///    checked. Unknown names count the same, so this says nothing about
///    which accounts exist, and the answer may say how long to wait.
/// 3. Each account has `login_max_failures` free failures from everyone;
///    after that it backs off (5 s, doubling, at most `lockout_minutes`):
///    meanwhile attempts are refused unchecked with the usual failure answer
///    and are not counted, unless they come from a known device (a browser
///    that logged in to the account before) or a session of the account.
///    Those skip steps 1 and 3 and do not count towards them.
///
/// Every attempt past step 2 costs the same argon2 work. A success clears
/// the client's failures and, when it passed step 3, the account's.
pub(crate) async fn authenticate(
    state: &AppState,
    viewer: &Viewer,
    username: &str,
    password: &str,
) -> Result<Result<tidings_store::User, LoginRefused>, WebError> {
    let store = state.store();
    let now = Timestamp::now();
    let cfg = &state.config().accounts;
    let (pair_policy, account_policy) = state.login_backoff_policies();
    let wait = |until: Timestamp| {
        u64::try_from(until.0.saturating_sub(now.0))
            .unwrap_or(0)
            .div_ceil(1000)
            .max(1)
    };
    let name = username.trim();
    let password = password
        .chars()
        .take(password::MAX_PASSWORD_CHARS + 1)
        .collect::<String>();
    // No account has an empty, over-long or control-character name (and
    // PostgreSQL refuses NUL in text): such a login fails like any other.
    let auth = if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
        None
    } else {
        store.user_auth(name).await?
    };
    let account = auth.as_ref().map(|a| a.user.id);
    let device = match (account, viewer.device.as_deref()) {
        (Some(id), Some(d)) if store.is_known_device(id, d, now).await? => Some(d),
        _ => None,
    };
    let known = device.is_some() || (account.is_some() && viewer.user().map(|u| u.id) == account);

    let ip = state.ip_hash(&viewer.ip).await?;
    if !known {
        const HOUR_MS: i64 = 3_600_000;
        let (hits, start) = store
            .rate_limit_hit_window(&format!("login:{ip}"), HOUR_MS, now)
            .await?;
        if hits > i64::from(cfg.login_attempts_per_ip_per_hour) {
            return Ok(Err(LoginRefused::Throttled {
                retry_after_secs: wait(start.plus_ms(HOUR_MS)),
            }));
        }
    }
    let client = match device {
        Some(d) => format!("d{}", d.chars().take(32).collect::<String>()),
        None => format!("a{ip}"),
    };
    let name_hash: String = digest(&name.to_lowercase()).chars().take(32).collect();
    let pair = tidings_store::pair_backoff_key(account, &name_hash, &client);
    if let LoginGate::Wait { until } = store.login_backoff_charge(&pair, now, &pair_policy).await? {
        return Ok(Err(LoginRefused::Throttled {
            retry_after_secs: wait(until),
        }));
    }
    let account_key = account.map(tidings_store::account_backoff_key);
    let checked = match &account_key {
        Some(key) if !known => {
            store
                .login_backoff_charge(key, now, &account_policy)
                .await?
                == LoginGate::Open
        }
        Some(_) => true,
        None => false,
    };
    // Unchecked attempts verify against a dummy hash: the same work, no answer.
    let ok = state
        .verify_password(
            &password,
            auth.as_ref()
                .filter(|_| checked)
                .map(|a| a.password_hash.as_str()),
        )
        .await?;
    let Some(auth) = auth.filter(|_| ok) else {
        return Ok(Err(LoginRefused::Failed));
    };
    let mut clear = vec![pair.as_str()];
    if let Some(key) = account_key.as_deref().filter(|_| !known) {
        clear.push(key);
    }
    store
        .record_login_success(auth.user.id, now, &clear)
        .await?;
    Ok(Ok(auth.user))
}

/// A new personal API token for `user` named `name` (1 to 60 characters):
/// the secret, shown once, and its record (the database keeps only the hash).
pub(crate) async fn issue_token(
    state: &AppState,
    user: &tidings_store::User,
    name: &str,
) -> Result<(String, tidings_store::ApiToken), WebError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(WebError::Invalid(ACCOUNTS_EN.token_name_invalid.into()));
    }
    let token = format!("tdg_{}", random_token()?);
    let record = state
        .store()
        .create_api_token(user.id, name, &digest(&token))
        .await?;
    Ok((token, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("", ""), "an empty token never matches");
        assert_eq!(digest("x").len(), 64);
    }

    #[test]
    fn limits_count_an_ipv6_client_by_its_slash_64() {
        let net = |s: &str| client_network(s.parse().unwrap());
        assert_eq!(net("192.0.2.7"), "192.0.2.7");
        assert_eq!(net("::ffff:192.0.2.7"), "192.0.2.7", "IPv4-mapped");
        assert_eq!(net("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(
            net("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
            net("2001:db8:1:2::1"),
            "one /64, one limit"
        );
        assert_ne!(net("2001:db8:1:3::1"), net("2001:db8:1:2::1"));
        assert_eq!(net("::1"), "::/64");
    }
}
