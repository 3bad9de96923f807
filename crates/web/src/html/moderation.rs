//! Moderation: the report queue, hiding/removing/restoring comments, thread
//! locks, bans, and the moderation log. Moderators and admins only; every
//! action is logged in the same transaction as the change (see the store).

use super::comments::local_back;
use super::{Layout, render};
use crate::format::human_time;
use crate::http::viewer::CsrfForm;
use crate::i18n::{ACCOUNTS_EN, AccountsText};
use crate::services::accounts::Viewer;
use crate::services::comments::render_body;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tidings_core::{CommentId, Timestamp, UserId};
use tidings_store::{CommentStatus, ModAction, Role, Thread};

/// "Until lifted" is stored as this far-future time.
const FOREVER: Timestamp = Timestamp(253_402_300_799_000); // 9999-12-31

pub struct ReportView {
    pub reporter: String,
    pub reason: String,
    pub time: String,
}

pub struct ReportedComment {
    pub id: i64,
    pub author: String,
    pub author_id: Option<i64>,
    pub body_html: String,
    pub status: &'static str,
    pub time: String,
    pub reports: Vec<ReportView>,
}

#[derive(Template)]
#[template(path = "mod/queue.html")]
struct QueuePage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    items: Vec<ReportedComment>,
    /// (action, label, button class) offered for each reported comment.
    actions: [(&'static str, &'static str, &'static str); 3],
}

fn login_redirect(path: &str) -> Response {
    let enc: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    Redirect::to(&format!("/login?next={enc}")).into_response()
}

fn layout<'a>(state: &'a AppState, headers: &HeaderMap, path: &str, title: &str) -> Layout<'a> {
    let mut l = Layout::new(state, headers, path, title.to_string());
    l.noindex = true;
    l
}

pub async fn queue(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Result<Response, WebError> {
    if viewer.user().is_none() {
        return Ok(login_redirect("/mod"));
    }
    viewer.require_moderator()?;
    let mut items: Vec<ReportedComment> = Vec::new();
    for r in state.store().open_reports(500).await? {
        let view = ReportView {
            reporter: r
                .reporter
                .unwrap_or_else(|| ACCOUNTS_EN.deleted_author.into()),
            reason: r.reason,
            time: human_time(r.created_at),
        };
        match items.iter_mut().find(|i| i.id == r.comment.id.0) {
            Some(i) => i.reports.push(view),
            None => items.push(ReportedComment {
                id: r.comment.id.0,
                author: r
                    .comment
                    .username
                    .clone()
                    .unwrap_or_else(|| ACCOUNTS_EN.deleted_author.into()),
                author_id: r.comment.user_id.map(|u| u.0),
                body_html: if r.comment.status == CommentStatus::Deleted {
                    String::new()
                } else {
                    render_body(&r.comment.body)
                },
                status: r.comment.status.as_str(),
                time: human_time(r.comment.created_at),
                reports: vec![view],
            }),
        }
    }
    render(&QueuePage {
        l: layout(&state, &headers, "/mod", ACCOUNTS_EN.mod_queue),
        s: &ACCOUNTS_EN,
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        items,
        actions: [
            ("hide", ACCOUNTS_EN.hide, "danger"),
            ("remove", ACCOUNTS_EN.remove, "danger"),
            ("dismiss", ACCOUNTS_EN.dismiss, "secondary"),
        ],
    })
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    reason: String,
    back: Option<String>,
}

fn reason(r: &str) -> Result<Option<String>, WebError> {
    let r = crate::services::comments::normalise_body(r);
    if r.chars().count() > 500 {
        return Err(WebError::Invalid(ACCOUNTS_EN.report_too_long.into()));
    }
    Ok((!r.is_empty()).then_some(r))
}

/// `POST /mod/comments/{id}/{hide|remove|restore|dismiss}`.
pub async fn comment_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, action)): Path<(i64, String)>,
    CsrfForm(f): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let me = viewer.require_moderator()?;
    let store = state.store();
    let why = reason(&f.reason)?;
    store
        .comment(CommentId(id), None)
        .await?
        .ok_or(WebError::NotFound)?;
    if action == "dismiss" {
        store
            .dismiss_reports(CommentId(id), me.id, why.as_deref())
            .await?;
    } else {
        let a = ModAction::parse(&action).ok_or(WebError::NotFound)?;
        if !store
            .moderate_comment(CommentId(id), me.id, a, why.as_deref())
            .await?
        {
            return Err(WebError::Invalid(ACCOUNTS_EN.nothing_changed.into()));
        }
    }
    Ok(Redirect::to(&local_back(f.back.as_deref(), "/mod")).into_response())
}

/// `POST /mod/threads/{kind}/{id}/{lock|unlock}`.
pub async fn thread_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((kind, id, action)): Path<(String, i64, String)>,
    CsrfForm(f): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let me = viewer.require_moderator()?;
    let thread = Thread::parse(&kind, id).ok_or(WebError::NotFound)?;
    let lock = match action.as_str() {
        "lock" => true,
        "unlock" => false,
        _ => return Err(WebError::NotFound),
    };
    let why = reason(&f.reason)?;
    state
        .store()
        .set_thread_lock(thread, me.id, lock, why.as_deref())
        .await?;
    Ok(Redirect::to(&local_back(f.back.as_deref(), "/mod/log")).into_response())
}

struct UserComment {
    id: i64,
    status: &'static str,
    body_html: String,
    time: String,
}

#[derive(Template)]
#[template(path = "mod/user.html")]
struct UserPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    csrf: String,
    id: i64,
    username: String,
    role: &'static str,
    since: String,
    banned: Option<String>,
    can_ban: bool,
    can_unban: bool,
    comments: Vec<UserComment>,
}

/// Who may ban whom: moderators ban members; admins also ban moderators;
/// nobody bans an admin (demote first) or themselves.
fn may_ban(me: &tidings_store::User, target: &tidings_store::User) -> bool {
    me.id != target.id
        && target.role != Role::Admin
        && (target.role == Role::Member || me.role == Role::Admin)
}

/// Who may lift whose ban: admins anyone's, moderators the bans of those they
/// may ban; nobody their own (another admin or `tidings user unban` must).
fn may_unban(me: &tidings_store::User, target: &tidings_store::User) -> bool {
    me.id != target.id && (me.role == Role::Admin || may_ban(me, target))
}

pub async fn user_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    if viewer.user().is_none() {
        return Ok(login_redirect(&format!("/mod/users/{id}")));
    }
    let me = viewer.require_moderator()?;
    let store = state.store();
    let u = store.user(UserId(id)).await?.ok_or(WebError::NotFound)?;
    let now = Timestamp::now();
    let comments = store
        .user_comments(u.id, 50)
        .await?
        .into_iter()
        .map(|c| UserComment {
            id: c.id.0,
            status: c.status.as_str(),
            body_html: render_body(&c.body),
            time: human_time(c.created_at),
        })
        .collect();
    render(&UserPage {
        l: layout(&state, &headers, &format!("/mod/users/{id}"), &u.username),
        s: &ACCOUNTS_EN,
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        id,
        username: u.username.clone(),
        role: u.role.as_str(),
        since: human_time(u.created_at),
        banned: u.is_banned(now).then(|| {
            let until = u.banned_until.unwrap_or(FOREVER);
            let until = if until >= FOREVER {
                ACCOUNTS_EN.until_lifted.to_string()
            } else {
                human_time(until)
            };
            format!("{until} — {}", u.ban_reason.as_deref().unwrap_or(""))
        }),
        can_ban: may_ban(me, &u),
        can_unban: may_unban(me, &u),
        comments,
    })
}

#[derive(Deserialize)]
pub struct BanForm {
    #[serde(default)]
    reason: String,
    /// Days; 0 means until lifted.
    #[serde(default)]
    days: String,
}

pub async fn ban(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<BanForm>,
) -> Result<Response, WebError> {
    let me = viewer.require_moderator()?;
    let store = state.store();
    let target = store.user(UserId(id)).await?.ok_or(WebError::NotFound)?;
    if !may_ban(me, &target) {
        return Err(WebError::Refused(crate::error::Refusal::CannotBan));
    }
    let why = reason(&f.reason)?
        .ok_or_else(|| WebError::Invalid(ACCOUNTS_EN.ban_reason_missing.into()))?;
    let days: i64 = f
        .days
        .trim()
        .parse()
        .ok()
        .filter(|d| (0..=3650).contains(d))
        .ok_or_else(|| WebError::Invalid(ACCOUNTS_EN.ban_days_invalid.into()))?;
    let until = if days == 0 {
        FOREVER
    } else {
        Timestamp::now().plus_ms(days * 86_400_000)
    };
    store.ban_user(target.id, me.id, until, &why).await?;
    Ok(Redirect::to(&format!("/mod/users/{id}")).into_response())
}

pub async fn unban(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let me = viewer.require_moderator()?;
    let store = state.store();
    let target = store.user(UserId(id)).await?.ok_or(WebError::NotFound)?;
    if !may_unban(me, &target) {
        return Err(WebError::Refused(crate::error::Refusal::CannotUnban));
    }
    let why = reason(&f.reason)?;
    store
        .unban_user(target.id, Some(me.id), why.as_deref())
        .await?;
    Ok(Redirect::to(&format!("/mod/users/{id}")).into_response())
}

pub struct LogView {
    pub time: String,
    pub moderator: String,
    pub action: String,
    pub target: String,
    pub target_href: String,
    pub reason: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "mod/log.html")]
struct LogPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    entries: Vec<LogView>,
    older: Option<String>,
}

#[derive(Deserialize)]
pub struct LogQuery {
    before: Option<i64>,
}

pub async fn log(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Query(q): Query<LogQuery>,
) -> Result<Response, WebError> {
    if viewer.user().is_none() {
        return Ok(login_redirect("/mod/log"));
    }
    viewer.require_moderator()?;
    const PAGE: i64 = 100;
    let rows = state.store().moderation_log(q.before, PAGE + 1).await?;
    let older = (rows.len() > usize::try_from(PAGE).unwrap_or(100))
        .then(|| {
            rows.get(usize::try_from(PAGE - 1).unwrap_or(0))
                .map(|e| format!("/mod/log?before={}", e.id))
        })
        .flatten();
    let entries = rows
        .into_iter()
        .take(usize::try_from(PAGE).unwrap_or(100))
        .map(|e| LogView {
            time: human_time(e.created_at),
            moderator: e.moderator.unwrap_or_else(|| {
                if e.details.as_deref() == Some(tidings_store::COMMAND_LINE) {
                    ACCOUNTS_EN.command_line.into()
                } else {
                    ACCOUNTS_EN.deleted_author.into()
                }
            }),
            target: format!("{} {}", e.target_kind, e.target_id),
            target_href: match e.target_kind.as_str() {
                "comment" => format!("/comments/{}", e.target_id),
                "user" => format!("/mod/users/{}", e.target_id),
                "article" => format!("/a/{}", e.target_id),
                "story" => format!("/story/{}", e.target_id),
                _ => "/mod/log".into(),
            },
            action: e.action,
            reason: e.reason.unwrap_or_default(),
            details: e.details.unwrap_or_default(),
        })
        .collect();
    render(&LogPage {
        l: layout(&state, &headers, "/mod/log", ACCOUNTS_EN.mod_log),
        s: &ACCOUNTS_EN,
        entries,
        older,
    })
}
