//! Log in, register, log out, and the account page (password, sessions,
//! API tokens, deletion).

use super::{Layout, render};
use crate::format::human_time;
use crate::http::viewer::{
    CSRF_COOKIE, CsrfForm, SESSION_COOKIE, remember_device, safe_next, set_cookie, start_session,
};
use crate::i18n::{ACCOUNTS_EN, AccountsText};
use crate::services::accounts::{
    LoginRefused, Registration, Viewer, authenticate, digest, issue_token, random_token,
};
use crate::services::password::{
    PasswordProblem, UsernameProblem, check_email, check_new_password, check_username,
};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tidings_core::Timestamp;
use tidings_store::{NewUser, RegisterError, Role, StoreError};

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    can_register: bool,
}

#[derive(Template)]
#[template(path = "accounts/register.html")]
struct RegisterPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    next: String,
    username: String,
    email: String,
    invite: String,
    error: Option<String>,
    mode: &'static str,
    min_len: usize,
}

struct TokenView {
    id: i64,
    name: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    username: String,
    email: String,
    role: &'static str,
    since: String,
    sessions: i64,
    banned: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    new_token: Option<String>,
    tokens: Vec<TokenView>,
    min_len: usize,
}

#[derive(Template)]
#[template(path = "accounts/message.html")]
struct MessagePage<'a> {
    l: Layout<'a>,
    heading: &'static str,
    message: &'static str,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

/// The visitor's CSRF token, and the cookie to set when they had none.
fn anon_csrf(viewer: &Viewer) -> Result<(String, Option<HeaderValue>), WebError> {
    match viewer.csrf() {
        Some(t) => Ok((t.to_string(), None)),
        None => {
            let t = random_token()?;
            let c = set_cookie(CSRF_COOKIE, &t, None, viewer.secure);
            Ok((t, Some(c)))
        }
    }
}

fn with_cookies(mut res: Response, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    for c in cookies {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn with_status(mut res: Response, status: StatusCode) -> Response {
    *res.status_mut() = status;
    res
}

pub(crate) fn login_href(next: &str) -> String {
    let enc: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("/login?next={enc}")
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let next = safe_next(q.next.as_deref()).unwrap_or_else(|| "/".into());
    if viewer.user().is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let (csrf, cookie) = anon_csrf(&viewer)?;
    let page = LoginPage {
        l: noindex(Layout::new(
            &state,
            &headers,
            "/login",
            ACCOUNTS_EN.login.into(),
        )),
        s: &ACCOUNTS_EN,
        csrf,
        next,
        username: String::new(),
        error: None,
        can_register: state.config().accounts.registration != Registration::Closed,
    };
    Ok(with_cookies(render(&page)?, cookie))
}

fn noindex(mut l: Layout<'_>) -> Layout<'_> {
    l.noindex = true;
    l
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    remember: Option<String>,
    next: Option<String>,
}

/// One answer for every failure (unknown name, wrong password, an account
/// in backoff), after the same argon2 work, so neither the message nor the
/// time tells whether an account exists. A successful login also marks the
/// browser as a known device of the account.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> Result<Response, WebError> {
    let cfg = &state.config().accounts;
    let next = safe_next(f.next.as_deref()).unwrap_or_else(|| "/".into());
    let fail = |status: StatusCode, msg: String| -> Result<Response, WebError> {
        let page = LoginPage {
            l: noindex(Layout::new(
                &state,
                &headers,
                "/login",
                ACCOUNTS_EN.login.into(),
            )),
            s: &ACCOUNTS_EN,
            csrf: viewer.csrf().unwrap_or_default().to_string(),
            next: next.clone(),
            username: f.username.chars().take(64).collect(),
            error: Some(msg),
            can_register: cfg.registration != Registration::Closed,
        };
        Ok(with_status(with_cookies(render(&page)?, None), status))
    };

    let user = match authenticate(&state, &viewer, &f.username, &f.password).await? {
        Ok(u) => u,
        Err(LoginRefused::Throttled { retry_after_secs }) => {
            let msg = ACCOUNTS_EN
                .login_throttled
                .replace("{n}", &retry_after_secs.to_string());
            let mut res = fail(StatusCode::TOO_MANY_REQUESTS, msg)?;
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return Ok(res);
        }
        Err(LoginRefused::Failed) => {
            return fail(StatusCode::UNAUTHORIZED, ACCOUNTS_EN.login_failed.into());
        }
    };
    let cookie = start_session(&state, &viewer, &user, f.remember.is_some()).await?;
    let device = remember_device(&state, &viewer, &user).await?;
    Ok(with_cookies(
        Redirect::to(&next).into_response(),
        [cookie, device],
    ))
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    if let Some(h) = viewer.signed_in.as_ref().and_then(|s| s.session.as_deref()) {
        state.store().delete_session(h).await?;
    }
    Ok(with_cookies(
        Redirect::to("/").into_response(),
        [set_cookie(SESSION_COOKIE, "", Some(0), viewer.secure)],
    ))
}

fn mode_name(r: Registration) -> &'static str {
    match r {
        Registration::Open => "open",
        Registration::Closed => "closed",
        Registration::Invite => "invite",
    }
}

pub async fn register_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let next = safe_next(q.next.as_deref()).unwrap_or_else(|| "/".into());
    if viewer.user().is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let (csrf, cookie) = anon_csrf(&viewer)?;
    let cfg = &state.config().accounts;
    let page = RegisterPage {
        l: noindex(Layout::new(
            &state,
            &headers,
            "/register",
            ACCOUNTS_EN.register.into(),
        )),
        s: &ACCOUNTS_EN,
        csrf,
        next,
        username: String::new(),
        email: String::new(),
        invite: String::new(),
        error: None,
        mode: mode_name(cfg.registration),
        min_len: cfg.password_min_length,
    };
    let res = render(&page)?;
    let res = if cfg.registration == Registration::Closed {
        with_status(res, StatusCode::FORBIDDEN)
    } else {
        res
    };
    Ok(with_cookies(res, cookie))
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
    #[serde(default)]
    invite: String,
    next: Option<String>,
}

pub fn username_message(p: UsernameProblem) -> &'static str {
    match p {
        UsernameProblem::Length => ACCOUNTS_EN.username_length,
        UsernameProblem::Characters => ACCOUNTS_EN.username_chars,
        UsernameProblem::Reserved => ACCOUNTS_EN.username_reserved,
    }
}

pub fn password_message(p: PasswordProblem, min: usize) -> String {
    match p {
        PasswordProblem::TooShort => ACCOUNTS_EN.password_short.replace("{n}", &min.to_string()),
        PasswordProblem::TooLong => ACCOUNTS_EN.password_long.to_string(),
        PasswordProblem::Common => ACCOUNTS_EN.password_common.to_string(),
        PasswordProblem::LikeUsername => ACCOUNTS_EN.password_username.to_string(),
        PasswordProblem::Mismatch => ACCOUNTS_EN.password_mismatch.to_string(),
    }
}

pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<RegisterForm>,
) -> Result<Response, WebError> {
    let cfg = &state.config().accounts;
    if cfg.registration == Registration::Closed {
        return Err(WebError::Refused(crate::error::Refusal::RegistrationClosed));
    }
    let store = state.store();
    let next = safe_next(f.next.as_deref()).unwrap_or_else(|| "/".into());
    let username = f.username.trim().to_string();
    let email = f.email.trim().to_string();
    let fail = |status: StatusCode, msg: String| -> Result<Response, WebError> {
        let page = RegisterPage {
            l: noindex(Layout::new(
                &state,
                &headers,
                "/register",
                ACCOUNTS_EN.register.into(),
            )),
            s: &ACCOUNTS_EN,
            csrf: viewer.csrf().unwrap_or_default().to_string(),
            next: next.clone(),
            username: username.chars().take(64).collect(),
            email: email.chars().take(254).collect(),
            invite: f.invite.chars().take(100).collect(),
            error: Some(msg),
            mode: mode_name(cfg.registration),
            min_len: cfg.password_min_length,
        };
        Ok(with_status(with_cookies(render(&page)?, None), status))
    };
    if let Err(p) = check_username(&username, false) {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, username_message(p).into());
    }
    if !email.is_empty() && !check_email(&email) {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            ACCOUNTS_EN.email_invalid.into(),
        );
    }
    if let Err(p) = check_new_password(
        &f.password,
        &f.password2,
        &username,
        cfg.password_min_length,
    ) {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            password_message(p, cfg.password_min_length),
        );
    }
    let now = Timestamp::now();
    let key = format!("register:{}", state.ip_hash(&viewer.ip).await?);
    if store.rate_limit_hit(&key, 3_600_000, now).await?
        > i64::from(cfg.registrations_per_ip_per_hour)
    {
        return fail(
            StatusCode::TOO_MANY_REQUESTS,
            ACCOUNTS_EN.register_throttled.into(),
        );
    }
    let hash = state.hash_password(&f.password).await?;
    let nu = NewUser {
        username: &username,
        email: (!email.is_empty()).then_some(email.as_str()),
        password_hash: &hash,
        role: Role::Member,
    };
    let created = if cfg.registration == Registration::Invite {
        let code = f.invite.trim();
        match store
            .create_user_with_invitation(&nu, &digest(code), now)
            .await
        {
            Ok(u) => u,
            Err(RegisterError::BadInvitation) => {
                return fail(StatusCode::FORBIDDEN, ACCOUNTS_EN.invite_invalid.into());
            }
            Err(RegisterError::UsernameTaken) => {
                return fail(StatusCode::CONFLICT, ACCOUNTS_EN.username_taken.into());
            }
            Err(RegisterError::Store(e)) => return Err(e.into()),
        }
    } else {
        match store.create_user(&nu).await {
            Ok(u) => u,
            Err(StoreError::Duplicate(_)) => {
                return fail(StatusCode::CONFLICT, ACCOUNTS_EN.username_taken.into());
            }
            Err(e) => return Err(e.into()),
        }
    };
    let cookie = start_session(&state, &viewer, &created, false).await?;
    let device = remember_device(&state, &viewer, &created).await?;
    Ok(with_cookies(
        Redirect::to(&next).into_response(),
        [cookie, device],
    ))
}

async fn account_view(
    state: &AppState,
    headers: &HeaderMap,
    viewer: &Viewer,
    notice: Option<String>,
    error: Option<String>,
    new_token: Option<String>,
) -> Result<Response, WebError> {
    let u = viewer.require_user()?;
    let store = state.store();
    let now = Timestamp::now();
    let tokens = store
        .list_api_tokens(u.id)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            created: human_time(t.created_at),
            last_used: t
                .last_used_at
                .map(human_time)
                .unwrap_or_else(|| ACCOUNTS_EN.never.into()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let page = AccountPage {
        l: noindex(Layout::new(
            state,
            headers,
            "/account",
            ACCOUNTS_EN.account.into(),
        )),
        s: &ACCOUNTS_EN,
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        username: u.username.clone(),
        email: u.email.clone().unwrap_or_default(),
        role: u.role.as_str(),
        since: human_time(u.created_at),
        sessions: store.count_user_sessions(u.id, now).await?,
        banned: u.is_banned(now).then(|| {
            ACCOUNTS_EN
                .banned_body
                .replace("{until}", &human_time(u.banned_until.unwrap_or(now)))
                .replace("{reason}", u.ban_reason.as_deref().unwrap_or(""))
        }),
        notice,
        error: error.clone(),
        new_token,
        tokens,
        min_len: state.config().accounts.password_min_length,
    };
    let res = render(&page)?;
    Ok(if error.is_some() {
        with_status(res, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        res
    })
}

pub async fn account_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if viewer.user().is_none() {
        return Ok(Redirect::to(&login_href("/account")).into_response());
    }
    let notice = match q.done.as_deref() {
        Some("password") => Some(ACCOUNTS_EN.password_changed.to_string()),
        Some("revoked") => Some(ACCOUNTS_EN.token_revoked.to_string()),
        _ => None,
    };
    account_view(&state, &headers, &viewer, notice, None, None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
    /// Present (the box is ticked, as it is by default): revoke every API token too.
    revoke_tokens: Option<String>,
}

/// A new password ends every other session; with "also revoke my API
/// tokens" ticked (the default) every API token stops working too.
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, WebError> {
    let u = viewer.require_user()?.clone();
    let store = state.store();
    let stored = store.password_hash(u.id).await?;
    if !state.verify_password(&f.current, stored.as_deref()).await? {
        let msg = ACCOUNTS_EN.current_password_wrong.to_string();
        return account_view(&state, &headers, &viewer, None, Some(msg), None).await;
    }
    let min = state.config().accounts.password_min_length;
    if let Err(p) = check_new_password(&f.password, &f.password2, &u.username, min) {
        return account_view(
            &state,
            &headers,
            &viewer,
            None,
            Some(password_message(p, min)),
            None,
        )
        .await;
    }
    let hash = state.hash_password(&f.password).await?;
    let keep = viewer.signed_in.as_ref().and_then(|s| s.session.as_deref());
    store
        .set_password(u.id, &hash, keep, f.revoke_tokens.is_some())
        .await?;
    Ok(Redirect::to("/account?done=password").into_response())
}

/// End every session of the account and revoke every API token.
pub async fn logout_everywhere(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let u = viewer.require_user()?;
    state.store().log_out_everywhere(u.id).await?;
    Ok(with_cookies(
        Redirect::to("/login").into_response(),
        [set_cookie(SESSION_COOKIE, "", Some(0), viewer.secure)],
    ))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn delete_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<DeleteForm>,
) -> Result<Response, WebError> {
    let u = viewer.require_user()?.clone();
    let store = state.store();
    let stored = store.password_hash(u.id).await?;
    let ok = state
        .verify_password(&f.password, stored.as_deref())
        .await?;
    if !ok || f.confirm.trim() != u.username {
        let msg = ACCOUNTS_EN.delete_confirm_wrong.to_string();
        return account_view(&state, &headers, &viewer, None, Some(msg), None).await;
    }
    store.delete_user(u.id).await?;
    let page = MessagePage {
        l: noindex(Layout::new(
            &state,
            &headers,
            "/account",
            ACCOUNTS_EN.account_deleted_title.into(),
        )),
        heading: ACCOUNTS_EN.account_deleted_title,
        message: ACCOUNTS_EN.account_deleted,
    };
    Ok(with_cookies(
        render(&page)?,
        [set_cookie(SESSION_COOKIE, "", Some(0), viewer.secure)],
    ))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> Result<Response, WebError> {
    let u = viewer.require_user()?.clone();
    let token = match issue_token(&state, &u, &f.name).await {
        Ok((token, _)) => token,
        Err(WebError::Invalid(msg)) => {
            return account_view(&state, &headers, &viewer, None, Some(msg), None).await;
        }
        Err(e) => return Err(e),
    };
    account_view(
        &state,
        &headers,
        &viewer,
        Some(ACCOUNTS_EN.token_created.into()),
        None,
        Some(token),
    )
    .await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let u = viewer.require_user()?;
    if !state.store().revoke_api_token(u.id, id).await? {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/account?done=revoked").into_response())
}
