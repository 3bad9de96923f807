//! Comments on article and story pages: the threaded section (a partial the
//! page templates include) and the forms for posting, replies, edits,
//! deletion, votes and reports. The rules are in `services::comments`.
//!
//! Comment text is plain text, rendered by `services::comments::render_body`:
//! everything escaped, blank lines make paragraphs, `http(s)://` and `www.`
//! addresses become `rel="nofollow ugc noopener"` links. Nothing else becomes markup.

use super::{Layout, render};
use crate::format::human_time;
use crate::http::viewer::{CsrfForm, safe_next};
use crate::i18n::{ACCOUNTS_EN, AccountsText};
use crate::services::accounts::Viewer;
use crate::services::comments::{
    PublicThread, REPORT_REASONS, Sort, apply_delete, apply_edit, apply_report, apply_vote,
    edit_open, own_comment, public_thread, submit, thread_path,
};
use crate::{AppState, WebError};
use askama::Template;
use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tidings_core::{CommentId, Timestamp};
use tidings_store::{CommentStatus, Thread};

pub(crate) const COMMUNITY_CSS: &str = include_str!("../../static/community.css");
pub(crate) const COMMUNITY_JS: &str = include_str!("../../static/community.js");

/// Deepest indentation the stylesheet draws; deeper replies line up with it.
const MAX_INDENT: i64 = 8;
/// Static files of the accounts and comments UI.
pub fn static_asset(path: &str) -> Option<(&'static str, &'static str)> {
    match path {
        "community.css" => Some((COMMUNITY_CSS, "text/css; charset=utf-8")),
        "community.js" => Some((COMMUNITY_JS, "text/javascript; charset=utf-8")),
        _ => None,
    }
}

// ---------------------------------------------------------------- the section

#[derive(Deserialize, Default)]
struct SectionQuery {
    sort: Option<String>,
    /// A notice after a form: `reported`, `deleted`, `edited`.
    done: Option<String>,
}

/// What a page handler needs to build its comments section: the viewer and
/// the section's query parameters (`?sort=top`).
pub struct CommentsParams {
    pub viewer: Viewer,
    sort: Sort,
    done: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for CommentsParams {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        let q = Query::<SectionQuery>::try_from_uri(&parts.uri)
            .map(|q| q.0)
            .unwrap_or_default();
        Ok(CommentsParams {
            viewer,
            sort: Sort::parse(q.sort.as_deref()),
            done: q.done,
        })
    }
}

pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

pub struct CommentView {
    pub id: i64,
    pub indent: i64,
    pub author: String,
    pub author_id: Option<i64>,
    pub body_html: String,
    /// Shown instead of the text: "[deleted]", "[removed by a moderator]".
    pub tombstone: Option<&'static str>,
    /// For moderators: why they see text others do not.
    pub mod_note: Option<&'static str>,
    pub time_iso: String,
    pub time_title: String,
    pub time_rel: String,
    pub edited: bool,
    pub score: i64,
    pub voted: bool,
    pub can_reply: bool,
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_vote: bool,
    pub can_report: bool,
    pub mod_tools: bool,
    pub status: &'static str,
}

/// The comments section of a page, ready for `comments/section.html`.
pub struct CommentsSection {
    pub s: &'static AccountsText,
    pub thread_kind: &'static str,
    pub thread_id: i64,
    pub path: String,
    pub count: usize,
    pub items: Vec<CommentView>,
    pub sorts: Vec<SortLink>,
    pub sort: &'static str,
    pub csrf: String,
    pub can_post: bool,
    pub login_href: String,
    pub register_href: Option<String>,
    pub locked: Option<String>,
    pub disabled: bool,
    pub banned: Option<String>,
    pub notice: Option<&'static str>,
    pub is_mod: bool,
    pub max_len: usize,
    pub rules: Option<String>,
    pub reasons: &'static [&'static str],
    /// Set when the section was rendered once for many readers: the page
    /// writes this instead of rendering the fields above.
    pub prerendered: Option<PrerenderedSection>,
}

/// Build the comments section of `thread`, shown on the page at `path`;
/// `closed` when the page takes no comments (a private source's article).
///
/// The section is most of a page's bytes (each comment carries its reply,
/// vote and report forms). For the viewers who see a thread alike (readers
/// signed out, and signed-in readers who are not moderators, not banned and
/// have neither voted nor written in it) it is rendered once per node and
/// second, with a stand-in for the CSRF token that each request swaps for
/// its own ([`PrerenderedSection`]).
pub async fn section(
    state: &AppState,
    p: &CommentsParams,
    thread: Thread,
    path: &str,
    closed: bool,
) -> Result<CommentsSection, WebError> {
    let user = p.viewer.user();
    let now = Timestamp::now();
    let public = public_thread(state, thread, p.sort).await?;
    // The reader's own part of the thread: their votes (one query, only when
    // there is something to vote on).
    let votes: std::collections::HashSet<i64> = match user {
        Some(u) if !public.comments.is_empty() => state
            .store()
            .thread_votes(thread, u.id)
            .await?
            .into_iter()
            .map(|c| c.0)
            .collect(),
        _ => Default::default(),
    };
    let alike = !closed
        && votes.is_empty()
        && user.is_none_or(|u| {
            !u.role.can_moderate()
                && !u.is_banned(now)
                && !public.comments.iter().any(|(c, _)| c.user_id == Some(u.id))
        });
    let csrf = p.viewer.csrf().unwrap_or_default().to_string();
    if !alike {
        return Ok(build_section(
            state, p, thread, path, &public, &votes, closed, csrf,
        ));
    }
    let key = format!(
        "{}:{}:{}:{}:{}:{path}",
        thread.kind(),
        thread.id(),
        p.sort.key(),
        user.is_some(),
        notice(p.done.as_deref()).unwrap_or_default(),
    );
    let html = state
        .thread_html()
        .get_or_try(&key, state.write_generation(), || async {
            let stand_in = csrf_stand_in().to_string();
            let s = build_section(state, p, thread, path, &public, &votes, false, stand_in);
            SectionOnly { comments: &s }
                .render()
                .map_err(|e| WebError::Internal(format!("comments section: {e}")))
        })
        .await?;
    let mut s = build_section(
        state,
        p,
        thread,
        path,
        &PublicThread::EMPTY,
        &votes,
        false,
        csrf,
    );
    s.prerendered = Some(PrerenderedSection {
        html,
        csrf: s.csrf.clone(),
    });
    Ok(s)
}

/// What stands for the CSRF token in a section rendered for many readers:
/// random per process, so no comment can contain it.
fn csrf_stand_in() -> &'static str {
    static STAND_IN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAND_IN.get_or_init(|| {
        let random = crate::services::accounts::random_token().unwrap_or_else(|_| {
            // No system randomness: the clock still makes it unguessable enough
            // for a string that only the reader's own page ever contains.
            format!(
                "{:x}",
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos())
            )
        });
        format!("csrf-{random}")
    })
}

/// A section rendered once for every reader who sees the thread alike; the
/// page writes it with this request's CSRF token in place of the stand-in.
pub struct PrerenderedSection {
    html: std::sync::Arc<String>,
    csrf: String,
}

impl std::fmt::Display for PrerenderedSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stand_in = csrf_stand_in();
        let mut rest = self.html.as_str();
        while let Some(i) = rest.find(stand_in) {
            f.write_str(rest.get(..i).unwrap_or_default())?;
            f.write_str(&self.csrf)?;
            rest = rest.get(i + stand_in.len()..).unwrap_or_default();
        }
        f.write_str(rest)
    }
}

/// The section alone, for [`section`]'s shared rendering.
#[derive(Template)]
#[template(path = "comments/section_only.html")]
struct SectionOnly<'a> {
    comments: &'a CommentsSection,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    match done {
        Some("reported") => Some(ACCOUNTS_EN.reported_notice),
        Some("deleted") => Some(ACCOUNTS_EN.deleted_notice),
        Some("moderated") => Some(ACCOUNTS_EN.moderated_notice),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn build_section(
    state: &AppState,
    p: &CommentsParams,
    thread: Thread,
    path: &str,
    public: &PublicThread,
    votes: &std::collections::HashSet<i64>,
    closed: bool,
    csrf: String,
) -> CommentsSection {
    let cfg = &state.config().comments;
    let viewer = &p.viewer;
    let user = viewer.user();
    let now = Timestamp::now();
    // A ban binds every role: a banned moderator sees threads as readers do.
    let is_mod = user.is_some_and(|u| u.role.can_moderate() && !u.is_banned(now));
    let banned = user.filter(|u| u.is_banned(now)).map(|u| {
        ACCOUNTS_EN
            .banned_body
            .replace("{until}", &human_time(u.banned_until.unwrap_or(now)))
            .replace("{reason}", u.ban_reason.as_deref().unwrap_or(""))
    });
    // A private source's article (a reader's own feed) has no thread.
    let enabled = public.enabled && !closed;
    let lock = public.lock.clone();
    let rules = public.rules.clone();
    let open = enabled && lock.is_none();
    let writer = user.filter(|u| !u.is_banned(now));
    let edit_from = now.plus_ms(-(i64::try_from(cfg.edit_window_secs).unwrap_or(0) * 1000));
    let count = public
        .comments
        .iter()
        .filter(|(c, _)| c.status == CommentStatus::Visible)
        .count();
    let items = public
        .comments
        .iter()
        .map(|(c, body_html)| {
            let own = writer.is_some_and(|u| Some(u.id) == c.user_id);
            let visible = c.status == CommentStatus::Visible;
            let (tombstone, mod_note) = match c.status {
                CommentStatus::Visible => (None, None),
                CommentStatus::Deleted => (Some(ACCOUNTS_EN.deleted_comment), None),
                CommentStatus::Hidden if is_mod => (None, Some(ACCOUNTS_EN.hidden_note)),
                CommentStatus::Removed if is_mod => (None, Some(ACCOUNTS_EN.removed_note)),
                CommentStatus::Hidden => (Some(ACCOUNTS_EN.hidden_comment), None),
                CommentStatus::Removed => (Some(ACCOUNTS_EN.removed_comment), None),
            };
            CommentView {
                id: c.id.0,
                indent: c.depth.clamp(0, MAX_INDENT),
                author: match (&c.username, c.status) {
                    (_, CommentStatus::Deleted) | (None, _) => ACCOUNTS_EN.deleted_author.into(),
                    (Some(n), _) => n.clone(),
                },
                author_id: c.user_id.map(|u| u.0).filter(|_| is_mod),
                body_html: if tombstone.is_some() {
                    String::new()
                } else {
                    body_html.clone()
                },
                tombstone,
                mod_note,
                time_iso: c.created_at.to_rfc3339(),
                time_title: human_time(c.created_at),
                time_rel: crate::format::relative(c.created_at, now, &crate::i18n::EN),
                edited: c.edited_at.is_some(),
                score: c.score,
                voted: votes.contains(&c.id.0),
                can_reply: open && writer.is_some() && visible && c.depth < cfg.max_depth,
                can_edit: open && own && visible && c.created_at >= edit_from,
                can_delete: own && c.status != CommentStatus::Deleted,
                can_vote: writer.is_some() && visible && !own,
                can_report: writer.is_some() && visible && !own,
                mod_tools: is_mod && c.status != CommentStatus::Deleted,
                status: c.status.as_str(),
            }
        })
        .collect();
    let sorts = [Sort::Oldest, Sort::Newest, Sort::Top]
        .into_iter()
        .map(|s| SortLink {
            label: match s {
                Sort::Oldest => ACCOUNTS_EN.sort_oldest,
                Sort::Newest => ACCOUNTS_EN.sort_newest,
                Sort::Top => ACCOUNTS_EN.sort_top,
            },
            href: format!("{path}?sort={}#comments", s.key()),
            current: s == p.sort,
        })
        .collect();
    let here = format!("{path}#comments");
    CommentsSection {
        s: &ACCOUNTS_EN,
        thread_kind: thread.kind(),
        thread_id: thread.id(),
        path: path.to_string(),
        count,
        items,
        sorts,
        sort: p.sort.key(),
        csrf,
        can_post: open && writer.is_some(),
        login_href: format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
        ),
        register_href: (state.config().accounts.registration
            != crate::services::accounts::Registration::Closed)
            .then(|| "/register".to_string()),
        locked: lock.map(|l| match l.reason {
            Some(r) if !r.is_empty() => format!("{} ({r})", ACCOUNTS_EN.thread_locked),
            _ => ACCOUNTS_EN.thread_locked.to_string(),
        }),
        disabled: !enabled,
        banned,
        notice: notice(p.done.as_deref()),
        is_mod,
        max_len: cfg.max_length,
        rules,
        reasons: REPORT_REASONS,
        prerendered: None,
    }
}

// ---------------------------------------------------------------- writing

#[derive(Deserialize)]
pub struct PostForm {
    #[serde(default)]
    thread: String,
    #[serde(default)]
    thread_id: i64,
    parent: Option<i64>,
    #[serde(default)]
    body: String,
    sort: Option<String>,
}

fn back(path: &str, sort: Option<&str>, extra: Option<&str>, anchor: &str) -> String {
    let mut q = Vec::new();
    if let Some(s) = sort.filter(|s| matches!(*s, "newest" | "top")) {
        q.push(format!("sort={s}"));
    }
    if let Some(e) = extra {
        q.push(format!("done={e}"));
    }
    let q = if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    };
    format!("{path}{q}#{anchor}")
}

/// `POST /comments`: a new comment or a reply, then back to the thread.
pub async fn post_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<PostForm>,
) -> Result<Response, WebError> {
    let thread = Thread::parse(&f.thread, f.thread_id).ok_or(WebError::NotFound)?;
    let (id, path) = submit(&state, &viewer, thread, f.parent.map(CommentId), &f.body).await?;
    Ok(Redirect::to(&back(&path, f.sort.as_deref(), None, &format!("c{id}"))).into_response())
}

/// `GET /comments/{id}`: the comment in its thread.
pub async fn comment_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let c = state
        .store()
        .comment(CommentId(id), None)
        .await?
        .ok_or(WebError::NotFound)?;
    let path = thread_path(&state, c.thread).await?;
    Ok(Redirect::to(&format!("{path}#c{id}")).into_response())
}

#[derive(Template)]
#[template(path = "comments/edit.html")]
struct EditPage<'a> {
    l: Layout<'a>,
    s: &'static AccountsText,
    id: i64,
    csrf: String,
    body: String,
    back: String,
    max_len: usize,
}

pub async fn edit_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (c, path) = own_comment(&state, &viewer, id).await?;
    if !edit_open(&state, &c) {
        return Err(WebError::Refused(crate::error::Refusal::EditClosed));
    }
    let mut l = Layout::new(
        &state,
        &headers,
        &format!("/comments/{id}/edit"),
        ACCOUNTS_EN.edit_comment.into(),
    );
    l.noindex = true;
    render(&EditPage {
        l,
        s: &ACCOUNTS_EN,
        id,
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        body: c.body,
        back: format!("{path}#c{id}"),
        max_len: state.config().comments.max_length,
    })
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    body: String,
}

pub async fn edit_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<EditForm>,
) -> Result<Response, WebError> {
    let path = apply_edit(&state, &viewer, id, &f.body).await?;
    Ok(Redirect::to(&format!("{path}#c{id}")).into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn delete_comment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let path = apply_delete(&state, &viewer, id).await?;
    Ok(Redirect::to(&back(&path, None, Some("deleted"), &format!("c{id}"))).into_response())
}

#[derive(Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    up: String,
    sort: Option<String>,
}

/// `POST /comments/{id}/vote`: upvote (`up=1`) or withdraw (`up=0`). Answers
/// JSON to scripts that ask for it, else goes back to the thread.
pub async fn vote(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<VoteForm>,
) -> Result<Response, WebError> {
    let up = f.up == "1";
    let (score, c) = apply_vote(&state, &viewer, id, up).await?;
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Ok(
            Json(serde_json::json!({ "id": id, "score": score, "voted": up })).into_response(),
        );
    }
    let path = thread_path(&state, c.thread).await?;
    Ok(Redirect::to(&back(&path, f.sort.as_deref(), None, &format!("c{id}"))).into_response())
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    details: String,
}

pub async fn report(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ReportForm>,
) -> Result<Response, WebError> {
    let path = apply_report(&state, &viewer, id, &f.reason, &f.details).await?;
    Ok(Redirect::to(&back(&path, None, Some("reported"), &format!("c{id}"))).into_response())
}

/// The `next` value of a form, if it is a local path.
pub fn local_back(next: Option<&str>, fallback: &str) -> String {
    safe_next(next).unwrap_or_else(|| fallback.to_string())
}
