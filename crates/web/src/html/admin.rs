//! Admin pages: users and roles, sources (add, display policy, disable, fetch
//! errors and counts), site settings and invitations. Admins only.
//!
//! Adding a source only stores it: `web` never fetches. The crawler polls it.

use super::{Layout, render};
use crate::format::human_time;
use crate::http::viewer::CsrfForm;
use crate::i18n::{ACCOUNTS_EN, AccountsText};
use crate::services::accounts::{Registration, Viewer, digest, random_token};
use crate::services::comments::{SETTING_ENABLED, SETTING_RULES};
use crate::services::sources;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tidings_core::{CanonicalUrl, DisplayPolicy, SourceId, SourceKind, Timestamp, UserId};
use tidings_store::{NewSource, Role, StoreError};

fn layout<'a>(state: &'a AppState, headers: &HeaderMap, path: &str, title: &str) -> Layout<'a> {
    let mut l = Layout::new(state, headers, path, title.to_string());
    l.noindex = true;
    l
}

/// Admin pages send visitors to the login form; members get a 403.
fn gate(viewer: &Viewer, path: &str) -> Result<Option<Response>, WebError> {
    if viewer.user().is_none() {
        let enc: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        return Ok(Some(
            Redirect::to(&format!("/login?next={enc}")).into_response(),
        ));
    }
    viewer.require_admin()?;
    Ok(None)
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    q: Option<String>,
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done {
        Some("saved") => Some(ACCOUNTS_EN.saved),
        Some("added") => Some(ACCOUNTS_EN.source_added),
        Some("rules") => Some(ACCOUNTS_EN.rules_saved),
        _ => None,
    }
}

struct UserRow {
    id: i64,
    username: String,
    role: &'static str,
    created: String,
    last_login: String,
    banned: bool,
    me: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    q: String,
    users: Vec<UserRow>,
    total: i64,
    notice: Option<&'static str>,
}

pub async fn users(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    if let Some(r) = gate(&viewer, "/admin/users")? {
        return Ok(r);
    }
    let me = viewer.require_admin()?;
    let store = state.store();
    let query = q.q.unwrap_or_default();
    let query = query.trim();
    let now = Timestamp::now();
    let users = store
        .list_users((!query.is_empty()).then_some(query), 200)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id.0,
            me: u.id == me.id,
            banned: u.is_banned(now),
            username: u.username,
            role: u.role.as_str(),
            created: human_time(u.created_at),
            last_login: u
                .last_login_at
                .map(human_time)
                .unwrap_or_else(|| ACCOUNTS_EN.never.into()),
        })
        .collect();
    render(&UsersPage {
        l: layout(&state, &headers, "/admin/users", ACCOUNTS_EN.admin_users),
        s: &ACCOUNTS_EN,
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        q: query.to_string(),
        users,
        total: store.count_users().await?,
        notice: notice(q.done.as_deref()),
    })
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RoleForm>,
) -> Result<Response, WebError> {
    let me = viewer.require_admin()?;
    let role =
        Role::parse(&f.role).ok_or_else(|| WebError::Invalid(ACCOUNTS_EN.role_invalid.into()))?;
    if me.id.0 == id {
        // An admin cannot demote themselves (and so leave the site without one by accident).
        return Err(WebError::Refused(crate::error::Refusal::OwnRole));
    }
    state.store().change_role(UserId(id), me.id, role).await?;
    Ok(Redirect::to("/admin/users?done=saved").into_response())
}

struct SourceRow {
    id: i64,
    name: String,
    custom_name: String,
    url: String,
    kind: &'static str,
    display: &'static str,
    enabled: bool,
    status: &'static str,
    articles: i64,
    errors: i64,
    last_error: String,
    last_fetch: String,
    disabled_reason: String,
    country: String,
    language: String,
    owner: String,
    outlet_kind: &'static str,
    perspective: String,
}

#[derive(Template)]
#[template(path = "admin/sources.html")]
struct SourcesPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    sources: Vec<SourceRow>,
    notice: Option<&'static str>,
    error: Option<String>,
    form_url: String,
    form_name: String,
    kinds: Vec<(&'static str, &'static str)>,
    perspectives: Vec<String>,
}

async fn sources_view(
    state: &AppState,
    headers: &HeaderMap,
    viewer: &Viewer,
    notice: Option<&'static str>,
    error: Option<(String, String, String)>,
) -> Result<Response, WebError> {
    let sources = state
        .store()
        .list_sources()
        .await?
        .into_iter()
        .map(|s| SourceRow {
            id: s.id.0,
            name: s.display_name(),
            custom_name: s.name.clone().unwrap_or_default(),
            kind: s.kind.as_str(),
            display: s.display.as_str(),
            enabled: s.enabled,
            status: s.status().as_str(),
            articles: s.article_count,
            errors: s.error_count,
            last_error: s.last_error.clone().unwrap_or_default(),
            last_fetch: s
                .last_fetch_at
                .map(human_time)
                .unwrap_or_else(|| ACCOUNTS_EN.never.into()),
            disabled_reason: s.disabled_reason.clone().unwrap_or_default(),
            country: s.profile.country.clone().unwrap_or_default(),
            language: s.profile.language.clone().unwrap_or_default(),
            owner: s.profile.owner.clone().unwrap_or_default(),
            outlet_kind: s.profile.kind.map_or("", tidings_core::OutletKind::as_str),
            perspective: s.profile.perspective.clone().unwrap_or_default(),
            url: s.url,
        })
        .collect();
    let (msg, url, name) = error.map_or((None, String::new(), String::new()), |(m, u, n)| {
        (Some(m), u, n)
    });
    let failed = msg.is_some();
    let res = render(&SourcesPage {
        l: layout(state, headers, "/admin/sources", ACCOUNTS_EN.admin_sources),
        s: &ACCOUNTS_EN,
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        sources,
        notice,
        error: msg,
        form_url: url,
        form_name: name,
        kinds: tidings_core::OutletKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        perspectives: crate::services::coverage::perspectives(state).await?,
    })?;
    Ok(if failed {
        (StatusCode::UNPROCESSABLE_ENTITY, res).into_response()
    } else {
        res
    })
}

pub async fn sources(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    if let Some(r) = gate(&viewer, "/admin/sources")? {
        return Ok(r);
    }
    sources_view(&state, &headers, &viewer, notice(q.done.as_deref()), None).await
}

#[derive(Deserialize)]
pub struct AddSourceForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    display: String,
}

pub async fn add_source(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<AddSourceForm>,
) -> Result<Response, WebError> {
    viewer.require_admin()?;
    let fail = |m: &str| (m.to_string(), f.url.clone(), f.name.clone());
    let url = match CanonicalUrl::parse(f.url.trim()) {
        Ok(u) if matches!(u.as_url().scheme(), "http" | "https") => u,
        _ => {
            return sources_view(
                &state,
                &headers,
                &viewer,
                None,
                Some(fail(ACCOUNTS_EN.source_url_invalid)),
            )
            .await;
        }
    };
    let kind = SourceKind::parse(&f.kind).unwrap_or_default();
    let display: DisplayPolicy = f.display.parse().unwrap_or_default();
    let name = f.name.trim();
    if name.chars().count() > 200 {
        return sources_view(
            &state,
            &headers,
            &viewer,
            None,
            Some(fail(ACCOUNTS_EN.source_name_long)),
        )
        .await;
    }
    let src = NewSource {
        url,
        kind,
        name: (!name.is_empty()).then(|| name.to_string()),
        site_url: None,
        display,
        profile: Default::default(),
    };
    match state.store().add_source(&src).await {
        Ok(_) => Ok(Redirect::to("/admin/sources?done=added").into_response()),
        Err(StoreError::Duplicate(_)) => {
            sources_view(
                &state,
                &headers,
                &viewer,
                None,
                Some(fail(ACCOUNTS_EN.source_exists)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct EditSourceForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    display: String,
    enabled: Option<String>,
    #[serde(default)]
    country: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    outlet_kind: String,
    #[serde(default)]
    perspective: String,
}

pub async fn edit_source(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<EditSourceForm>,
) -> Result<Response, WebError> {
    viewer.require_admin()?;
    let display: DisplayPolicy = f
        .display
        .parse()
        .map_err(|_| WebError::Invalid(ACCOUNTS_EN.display_invalid.into()))?;
    let name = f.name.trim();
    if name.chars().count() > 200 {
        return Err(WebError::Invalid(ACCOUNTS_EN.source_name_long.into()));
    }
    let store = state.store();
    let src = store
        .source(SourceId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let labels = crate::services::coverage::perspectives(&state).await?;
    let profile = tidings_core::SourceProfile::normalised(
        &f.country,
        &f.language,
        &f.owner,
        &f.outlet_kind,
        &f.perspective,
        &labels,
    )
    .map_err(|e| WebError::Invalid(e.0))?;
    store.set_source_profile(src.id, &profile).await?;
    let enabled = f.enabled.is_some();
    store
        .update_source_settings(
            src.id,
            Some((!name.is_empty()).then_some(name)),
            Some(display),
            (enabled != src.enabled).then_some(enabled),
        )
        .await?;
    Ok(Redirect::to("/admin/sources?done=saved").into_response())
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    comments_enabled: bool,
    rules: String,
    perspectives: String,
    notice: Option<&'static str>,
    registration: &'static str,
}

pub async fn settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    if let Some(r) = gate(&viewer, "/admin/settings")? {
        return Ok(r);
    }
    let store = state.store();
    render(&SettingsPage {
        l: layout(
            &state,
            &headers,
            "/admin/settings",
            ACCOUNTS_EN.admin_settings,
        ),
        s: &ACCOUNTS_EN,
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        comments_enabled: store.get_setting(SETTING_ENABLED).await?.as_deref() != Some("0"),
        rules: store.get_setting(SETTING_RULES).await?.unwrap_or_default(),
        perspectives: crate::services::coverage::perspectives(&state)
            .await?
            .join(", "),
        notice: notice(q.done.as_deref()),
        registration: match state.config().accounts.registration {
            Registration::Open => "open",
            Registration::Closed => "closed",
            Registration::Invite => "invite",
        },
    })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    comments_enabled: Option<String>,
    #[serde(default)]
    rules: String,
    #[serde(default)]
    perspectives: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<SettingsForm>,
) -> Result<Response, WebError> {
    viewer.require_admin()?;
    let rules = crate::services::comments::normalise_body(&f.rules);
    if rules.chars().count() > 2000 {
        return Err(WebError::Invalid(ACCOUNTS_EN.rules_too_long.into()));
    }
    let store = state.store();
    store
        .set_setting(
            SETTING_ENABLED,
            if f.comments_enabled.is_some() {
                "1"
            } else {
                "0"
            },
        )
        .await?;
    store.set_setting(SETTING_RULES, &rules).await?;
    let labels =
        crate::services::coverage::parse_labels(&f.perspectives).map_err(WebError::Invalid)?;
    crate::services::coverage::save_perspectives(&state, &labels).await?;
    Ok(Redirect::to("/admin/settings?done=saved").into_response())
}

struct InvitationRow {
    id: i64,
    created_by: String,
    created: String,
    expires: String,
    used_by: String,
}

#[derive(Template)]
#[template(path = "admin/invitations.html")]
struct InvitationsPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    invitations: Vec<InvitationRow>,
    new_code: Option<String>,
    invite_mode: bool,
}

async fn invitations_view(
    state: &AppState,
    headers: &HeaderMap,
    viewer: &Viewer,
    new_code: Option<String>,
) -> Result<Response, WebError> {
    let invitations = state
        .store()
        .list_invitations(200)
        .await?
        .into_iter()
        .map(|i| InvitationRow {
            id: i.id,
            created_by: i.created_by.unwrap_or_default(),
            created: human_time(i.created_at),
            expires: i.expires_at.map(human_time).unwrap_or_default(),
            used_by: i.used_by.unwrap_or_default(),
        })
        .collect();
    render(&InvitationsPage {
        l: layout(
            state,
            headers,
            "/admin/invitations",
            ACCOUNTS_EN.admin_invitations,
        ),
        s: &ACCOUNTS_EN,
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        invitations,
        new_code,
        invite_mode: state.config().accounts.registration == Registration::Invite,
    })
}

pub async fn invitations(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Result<Response, WebError> {
    if let Some(r) = gate(&viewer, "/admin/invitations")? {
        return Ok(r);
    }
    invitations_view(&state, &headers, &viewer, None).await
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn create_invitation(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let me = viewer.require_admin()?;
    let code: String = random_token()?.chars().take(24).collect();
    let days = i64::try_from(state.config().accounts.invitation_days).unwrap_or(14);
    state
        .store()
        .create_invitation(
            &digest(&code),
            Some(me.id),
            Some(Timestamp::now().plus_ms(days.saturating_mul(86_400_000))),
        )
        .await?;
    invitations_view(&state, &headers, &viewer, Some(code)).await
}

pub async fn index() -> Redirect {
    Redirect::to("/admin/users")
}

// ---------------------------------------------------------------- extraction rules

struct PreviewRow {
    href: String,
    title: String,
    current: String,
    with_rules: String,
}

#[derive(Template)]
#[template(path = "admin/rules.html")]
struct RulesPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    source_id: i64,
    source_name: String,
    source_url: String,
    content: String,
    remove: String,
    has_rules: bool,
    pending: bool,
    done: bool,
    can_save: bool,
    error: Option<String>,
    items: Vec<PreviewRow>,
}

#[derive(Deserialize, Default)]
pub struct RulesQuery {
    content: Option<String>,
    remove: Option<String>,
    preview: Option<String>,
    error: Option<String>,
}

/// `/admin/sources/{id}/rules`: the source's rules, or rules being
/// previewed (`?content=&remove=&preview=`), with the crawler's preview.
pub async fn rules_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<RulesQuery>,
) -> Result<Response, WebError> {
    let path = format!("/admin/sources/{id}/rules");
    if let Some(r) = gate(&viewer, &path)? {
        return Ok(r);
    }
    let src = state
        .store()
        .source(SourceId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let (content, remove) = match (&q.content, &q.remove) {
        (None, None) => (
            src.content_selector.clone().unwrap_or_default(),
            src.remove_selectors.join("\n"),
        ),
        (c, r) => (c.clone().unwrap_or_default(), r.clone().unwrap_or_default()),
    };
    let result = match &q.preview {
        Some(p) => sources::preview(&state, SourceId(id), p).await?,
        None => None,
    };
    let pending = q.preview.is_some() && result.is_none();
    let error = q
        .error
        .clone()
        .or_else(|| result.as_ref().and_then(|r| r.error.clone()));
    let items = result
        .as_ref()
        .map(|r| {
            r.items
                .iter()
                .map(|i| PreviewRow {
                    href: crate::format::article_href(i.article_id, &i.title),
                    title: i.title.clone(),
                    current: i.current.clone(),
                    with_rules: i.with_rules.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut l = layout(&state, &headers, &path, ACCOUNTS_EN.rules_title);
    if pending {
        l.refresh_secs = Some(2);
    }
    let failed = error.is_some();
    let res = render(&RulesPage {
        l,
        s: &ACCOUNTS_EN,
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        source_id: id,
        source_name: src.display_name(),
        source_url: src.url.clone(),
        content,
        remove,
        has_rules: src.content_selector.is_some() || !src.remove_selectors.is_empty(),
        pending,
        done: result.is_some(),
        can_save: result.as_ref().is_some_and(|r| r.error.is_none()),
        error,
        items,
    })?;
    Ok(if failed {
        (StatusCode::UNPROCESSABLE_ENTITY, res).into_response()
    } else {
        res
    })
}

#[derive(Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    content: String,
    #[serde(default)]
    remove: String,
    #[serde(default)]
    action: String,
}

/// Preview, save (only previewed rules without an error) or clear.
pub async fn rules_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<RulesForm>,
) -> Result<Response, WebError> {
    viewer.require_admin()?;
    let source = SourceId(id);
    let (content, remove) = sources::parse_form(&f.content, &f.remove);
    let back = |preview: Option<&str>, error: Option<&str>| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("content", content.as_deref().unwrap_or_default());
        q.append_pair("remove", &remove.join("\n"));
        if let Some(p) = preview {
            q.append_pair("preview", p);
        }
        if let Some(e) = error {
            q.append_pair("error", e);
        }
        format!("/admin/sources/{id}/rules?{}", q.finish())
    };
    match f.action.as_str() {
        "save" | "clear" => {
            let (content, remove) = if f.action == "clear" {
                (None, Vec::new())
            } else {
                (content.clone(), remove.clone())
            };
            match sources::save_rules(&state, source, content.as_deref(), &remove).await {
                Ok(()) => Ok(Redirect::to("/admin/sources?done=rules").into_response()),
                Err(WebError::Invalid(m)) => {
                    Ok(Redirect::to(&back(None, Some(&m))).into_response())
                }
                Err(e) => Err(e),
            }
        }
        _ => {
            let p = sources::request_preview(&state, source, content.as_deref(), &remove).await?;
            Ok(Redirect::to(&back(Some(&p), None)).into_response())
        }
    }
}
