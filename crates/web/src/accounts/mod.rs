//! Accounts: who is asking (the [`Viewer`]), database sessions and API
//! tokens, CSRF tokens and the Origin check, password hashing off the async
//! threads, and the account pages.
//!
//! Sessions live in the database (any web node can serve any request); the
//! cookie holds a random token and the database only its hash. Forms carry a
//! CSRF token: the session's, or for visitors (login, register) a
//! double-submit cookie. Every unsafe request must also come from our own
//! origin.

mod pages;
pub mod password;

pub(crate) use pages::{LoginRefused, authenticate, issue_token};
pub use pages::{
    account_page, change_password, create_token, delete_account, login, login_page, logout,
    logout_everywhere, register, register_page, revoke_token,
};

use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
use tidings_core::Timestamp;
use tidings_store::{Role, User};
use tokio::sync::{OnceCell, Semaphore};

pub const SESSION_COOKIE: &str = "tidings_session";
pub const CSRF_COOKIE: &str = "tidings_csrf";
/// Marks a browser that logged in before: its attempts skip the account's
/// login backoff (see [`pages::authenticate`]).
pub const DEVICE_COOKIE: &str = "tidings_device";
/// Largest form body accepted (a comment at the length limit fits easily).
const MAX_FORM_BYTES: usize = 256 * 1024;

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
fn same_secret(a: &str, b: &str) -> bool {
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
    anon_csrf: Option<String>,
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
            return Err(WebError::Forbidden(crate::i18n::ACCOUNTS_EN.need_moderator));
        }
        not_banned(u)
    }

    /// An admin who is not banned.
    pub fn require_admin(&self) -> Result<&User, WebError> {
        let u = self.require_user()?;
        if u.role != Role::Admin {
            return Err(WebError::Forbidden(crate::i18n::ACCOUNTS_EN.need_admin));
        }
        not_banned(u)
    }

    pub fn role(&self) -> Option<Role> {
        self.user().map(|u| u.role)
    }

    fn anonymous(ip: String, secure: bool) -> Viewer {
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

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .unwrap_or_else(|| Viewer::anonymous(String::new(), false)))
    }
}

/// What the site header shows about the viewer (see `accounts/nav.html`).
#[derive(Debug, Clone)]
pub struct NavInfo {
    pub s: &'static crate::i18n::AccountsText,
    pub username: Option<String>,
    pub csrf: String,
    pub moderator: bool,
    pub admin: bool,
    pub can_register: bool,
}

impl Default for NavInfo {
    fn default() -> Self {
        NavInfo {
            s: &crate::i18n::ACCOUNTS_EN,
            username: None,
            csrf: String::new(),
            moderator: false,
            admin: false,
            can_register: false,
        }
    }
}

tokio::task_local! {
    static NAV: NavInfo;
}

/// The header's account links for the request being served (empty outside one).
pub fn nav() -> NavInfo {
    NAV.try_with(Clone::clone).unwrap_or_default()
}

/// Session data kept in `sessions.data`.
#[derive(serde::Serialize, serde::Deserialize)]
struct SessionData {
    csrf: String,
    remember: bool,
    /// Idle lifetime in milliseconds.
    ttl_ms: i64,
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when served over TLS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age_secs {
        c.push_str(&format!("; Max-Age={a}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

fn client_ip(state: &AppState, req: &Request) -> String {
    client_addr(
        state,
        req.headers(),
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0),
    )
}

/// The reader's address for rate limits: the peer, or the first
/// X-Forwarded-For hop when configured to trust a reverse proxy, as
/// [`client_network`] (an IPv6 client is its /64).
pub(crate) fn client_addr(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> String {
    if state.config().accounts.trust_proxy_headers
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return client_network(first);
    }
    peer.map(|p| client_network(p.ip()))
        .unwrap_or_else(|| "unknown".into())
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

fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    match state.config().accounts.secure_cookies {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => {
            state
                .config()
                .base_url
                .as_deref()
                .is_some_and(|b| b.starts_with("https://"))
                || headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.eq_ignore_ascii_case("https"))
        }
    }
}

/// Middleware: find the viewer (session cookie or API token), refuse
/// cross-origin writes, keep sessions alive, and make pages that show a
/// signed-in user private to them.
pub async fn resolve_viewer(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let req_path = req.uri().path().to_string();
    match resolve(&state, &mut req).await {
        Ok((viewer, renew)) => {
            let signed_in = viewer
                .signed_in
                .as_ref()
                .is_some_and(|s| s.session.is_some());
            let nav = NavInfo {
                s: &crate::i18n::ACCOUNTS_EN,
                username: viewer.user().map(|u| u.username.clone()),
                csrf: viewer.csrf().unwrap_or_default().to_string(),
                moderator: viewer.require_moderator().is_ok(),
                admin: viewer.require_admin().is_ok(),
                can_register: state.config().accounts.registration != Registration::Closed,
            };
            req.extensions_mut().insert(viewer);
            let mut res = NAV.scope(nav, next.run(req)).await;
            let h = res.headers_mut();
            if signed_in {
                h.insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                );
            }
            if h.get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"))
            {
                h.append(header::VARY, HeaderValue::from_static("Cookie"));
            }
            if let Some(c) = renew {
                h.append(header::SET_COOKIE, c);
            }
            res
        }
        // The API answers in its own language (problem+json), the site with a page.
        Err(e) if is_api(&req_path) => crate::api::ApiError::from(e).into_response(),
        Err(e) => e.into_response(),
    }
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

async fn resolve(
    state: &AppState,
    req: &mut Request,
) -> Result<(Viewer, Option<HeaderValue>), WebError> {
    let ip = client_ip(state, req);
    let secure = is_secure(state, req.headers());
    // API writes carry a bearer token (not sent by browsers on their own,
    // so no cross-site forgery) or come from an origin allowed by CORS.
    let api_exempt = is_api(req.uri().path())
        && (req.headers().contains_key(header::AUTHORIZATION)
            || req
                .headers()
                .get(header::ORIGIN)
                .and_then(|o| o.to_str().ok())
                .is_some_and(|o| state.config().api.allows_origin(o)));
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) && !api_exempt {
        check_origin(state, req.headers())?;
    }
    let mut viewer = Viewer::anonymous(ip, secure);
    viewer.device = cookie_value(req.headers(), DEVICE_COOKIE).map(digest);
    let now = Timestamp::now();
    let store = state.store();

    // Apps: `Authorization: Bearer tdg_…`.
    if let Some(auth) = req.headers().get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with("tdg_"))
            .ok_or(WebError::BadToken)?;
        let user = store
            .api_token_user(&digest(token), now)
            .await?
            .ok_or(WebError::BadToken)?;
        viewer.signed_in = Some(SessionUser {
            user,
            session: None,
            csrf: String::new(),
        });
        return Ok((viewer, None));
    }

    viewer.anon_csrf = cookie_value(req.headers(), CSRF_COOKIE).map(str::to_string);
    let Some(token) = cookie_value(req.headers(), SESSION_COOKIE) else {
        return Ok((viewer, None));
    };
    let hash = digest(token);
    let Some(s) = store.session(&hash, now).await? else {
        // Expired or ended elsewhere: drop the stale cookie.
        return Ok((
            viewer,
            Some(set_cookie(SESSION_COOKIE, "", Some(0), secure)),
        ));
    };
    let data: SessionData = serde_json::from_str(&s.data)
        .map_err(|e| WebError::Internal(format!("session data: {e}")))?;
    // Sliding lifetime: renew once half of it has passed.
    let mut renew = None;
    if s.expires_at.0.saturating_sub(now.0) < data.ttl_ms / 2 {
        store
            .extend_session(&hash, now.plus_ms(data.ttl_ms))
            .await?;
        if data.remember {
            renew = Some(set_cookie(
                SESSION_COOKIE,
                token,
                Some(data.ttl_ms / 1000),
                secure,
            ));
        }
    }
    viewer.signed_in = Some(SessionUser {
        user: s.user,
        session: Some(hash),
        csrf: data.csrf,
    });
    Ok((viewer, renew))
}

/// Start a session for `user`: a new random id (never reuse one from before
/// the login), stored hashed. Returns the `Set-Cookie` header.
pub async fn start_session(
    state: &AppState,
    viewer: &Viewer,
    user: &User,
    remember: bool,
) -> Result<HeaderValue, WebError> {
    let c = &state.config().accounts;
    let ttl_ms = if remember {
        i64::try_from(c.remember_days)
            .unwrap_or(30)
            .saturating_mul(86_400_000)
    } else {
        i64::try_from(c.session_hours)
            .unwrap_or(12)
            .saturating_mul(3_600_000)
    };
    let token = random_token()?;
    let data = SessionData {
        csrf: random_token()?,
        remember,
        ttl_ms,
    };
    let data = serde_json::to_string(&data).map_err(|e| WebError::Internal(e.to_string()))?;
    state
        .store()
        .create_session(
            &digest(&token),
            user.id,
            &data,
            Timestamp::now().plus_ms(ttl_ms),
        )
        .await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        &token,
        remember.then_some(ttl_ms / 1000),
        viewer.secure,
    ))
}

/// Mark the viewer's browser as a known device of `user` (it just proved the
/// password): a new random cookie, stored hashed, replacing the one it sent.
/// Returns the `Set-Cookie` header.
pub async fn remember_device(
    state: &AppState,
    viewer: &Viewer,
    user: &User,
) -> Result<HeaderValue, WebError> {
    let token = random_token()?;
    state
        .store()
        .remember_device(
            user.id,
            &digest(&token),
            viewer.device.as_deref(),
            Timestamp::now(),
        )
        .await?;
    Ok(set_cookie(
        DEVICE_COOKIE,
        &token,
        Some(tidings_store::KNOWN_DEVICE_MS / 1000),
        viewer.secure,
    ))
}

/// The origin this site is served from, as browsers write it in `Origin`.
fn expected_origin(state: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(b) = &state.config().base_url
        && let Ok(u) = url::Url::parse(b)
    {
        return Some(u.origin().ascii_serialization());
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| p.eq_ignore_ascii_case("https"))
        .map_or("http", |_| "https");
    Some(format!("{proto}://{}", host.to_ascii_lowercase()))
}

/// Refuse a write that a browser says comes from another site: `Origin`
/// when present, else `Sec-Fetch-Site`, else `Referer`. A request with none
/// of them (a script, an app) still needs a valid CSRF token or API token.
fn check_origin(state: &AppState, headers: &HeaderMap) -> Result<(), WebError> {
    let expected = expected_origin(state, headers);
    let matches = |origin: &str| {
        expected
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(origin.trim_end_matches('/')))
    };
    if let Some(o) = headers.get(header::ORIGIN) {
        let o = o.to_str().unwrap_or("null");
        return if matches(o) {
            Ok(())
        } else {
            Err(WebError::CrossOrigin)
        };
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(WebError::CrossOrigin);
    }
    if let Some(r) = headers.get(header::REFERER) {
        let origin = r
            .to_str()
            .ok()
            .and_then(|r| url::Url::parse(r).ok())
            .map(|u| u.origin().ascii_serialization());
        return match origin {
            Some(o) if matches(&o) => Ok(()),
            _ => Err(WebError::CrossOrigin),
        };
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A form whose `csrf` field must match the viewer's token. Every
/// state-changing form handler takes its input through this extractor.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let viewer = req.extensions().get::<Viewer>().cloned();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| WebError::Invalid(crate::i18n::ACCOUNTS_EN.form_unreadable.into()))?;
        if bytes.len() > MAX_FORM_BYTES {
            return Err(WebError::Invalid(
                crate::i18n::ACCOUNTS_EN.form_too_big.into(),
            ));
        }
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError::Invalid(crate::i18n::ACCOUNTS_EN.form_unreadable.into()))?;
        let expected = viewer.as_ref().and_then(Viewer::csrf).unwrap_or_default();
        if !same_secret(&field.csrf, expected) {
            return Err(WebError::Csrf);
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| WebError::Invalid(crate::i18n::ACCOUNTS_EN.form_unreadable.into()))
    }
}

/// A local path to return to after a form: `/…` but not `//host` or `/\host`.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && !n.starts_with("/\\")
        && n.len() <= 500
        && !n.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_stay_local() {
        assert_eq!(
            safe_next(Some("/a/1-x?sort=top#c3")).as_deref(),
            Some("/a/1-x?sort=top#c3")
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
    }

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

    #[test]
    fn cookies_are_read_strictly() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; tidings_session=abc123; b=2"),
        );
        assert_eq!(cookie_value(&h, SESSION_COOKIE), Some("abc123"));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("tidings_session=not hex!"),
        );
        assert_eq!(cookie_value(&h, SESSION_COOKIE), None);
        let c = set_cookie("n", "v", Some(60), true);
        assert_eq!(c, "n=v; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=60");
    }
}
