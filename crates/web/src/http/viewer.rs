//! HTTP plumbing for accounts: who is asking (the middleware that resolves
//! the [`Viewer`] from a session cookie or an API token), cookies, the CSRF
//! form extractor and the Origin check.
//!
//! Sessions live in the database (any web node can serve any request); the
//! cookie holds a random token and the database only its hash. Forms carry a
//! CSRF token: the session's, or for visitors (login, register) a
//! double-submit cookie. Every unsafe request must also come from our own
//! origin.

use crate::services::accounts::{
    Registration, SecureCookies, SessionUser, Viewer, client_network, digest, random_token,
    same_secret,
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
use tidings_store::User;

pub const SESSION_COOKIE: &str = "tidings_session";
pub const CSRF_COOKIE: &str = "tidings_csrf";
/// Marks a browser that logged in before: its attempts skip the account's
/// login backoff (see [`pages::authenticate`]).
pub const DEVICE_COOKIE: &str = "tidings_device";
/// Largest form body accepted (a comment at the length limit fits easily).
const MAX_FORM_BYTES: usize = 256 * 1024;

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
    pub r: &'static crate::i18n::ReaderText,
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
            r: &crate::i18n::READER_EN,
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
                r: &crate::i18n::READER_EN,
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
        Err(e) if is_api(&req_path) => e.problem_response(),
        Err(e) => e.into_response(),
    }
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Reader apps' protocols (Google Reader, Fever) carry credentials of
/// their own, checked by their handlers: `Authorization: GoogleLogin …` is
/// not a bearer token.
pub fn authenticates_itself(path: &str) -> bool {
    path.starts_with("/api/greader/") || path == "/api/fever" || path.starts_with("/api/fever/")
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
    if let Some(auth) = req
        .headers()
        .get(header::AUTHORIZATION)
        .filter(|_| !authenticates_itself(req.uri().path()))
    {
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
