//! Comments: the rules (who may post, edit, delete, vote and report, with
//! which limits), the thread's order, and how a comment's plain text becomes
//! safe HTML. Both presentations (the forms in `html::comments`, the JSON API)
//! call these functions.

use crate::error::Refusal;
use crate::format::{article_href, escape_into};
use crate::i18n::ACCOUNTS_EN;
use crate::services::accounts::Viewer;
use crate::{AppState, WebError};
use std::collections::HashMap;
use std::sync::Arc;
use tidings_core::{CommentId, Timestamp};
use tidings_store::{CommentRow, CommentStatus, NewComment, PostOutcome, Thread, ThreadLock, User};

/// Most comments shown on one page.
pub(crate) const THREAD_LIMIT: i64 = 2000;
pub(crate) const REPORT_REASONS: &[&str] = &["spam", "abuse", "off-topic", "other"];
pub const SETTING_ENABLED: &str = "comments.enabled";
pub const SETTING_RULES: &str = "comments.rules";

#[derive(Debug, Clone)]
pub struct CommentsConfig {
    pub enabled: bool,
    /// Longest comment, in characters.
    pub max_length: usize,
    /// How deep replies may nest (top-level comments are depth 0).
    pub max_depth: i64,
    /// Authors may edit a comment for this long after posting.
    pub edit_window_secs: u64,
    pub per_user_per_hour: u32,
    pub per_ip_per_hour: u32,
    /// Accounts younger than this are "new"...
    pub new_account_hours: u64,
    /// ...and may put at most this many links in one comment.
    pub new_account_max_links: usize,
}

impl Default for CommentsConfig {
    fn default() -> Self {
        CommentsConfig {
            enabled: true,
            max_length: 5000,
            max_depth: 6,
            edit_window_secs: 900,
            per_user_per_hour: 30,
            per_ip_per_hour: 60,
            new_account_hours: 24,
            new_account_max_links: 1,
        }
    }
}

// ---------------------------------------------------------------- rendering

/// Clean what a person typed: unify line ends, drop control characters
/// (tabs and newlines stay), trim.
pub fn normalise_body(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

/// A link found in a line of text: its byte range and its safe href.
struct Found {
    start: usize,
    end: usize,
    href: String,
}

fn find_links(line: &str) -> Vec<Found> {
    let lower = line.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        let rest = lower.get(i..).unwrap_or_default();
        let at_boundary = i == 0
            || line
                .get(..i)
                .and_then(|p| p.chars().next_back())
                .is_some_and(|c| !c.is_alphanumeric() && c != '@' && c != '/');
        let prefix = ["https://", "http://", "www."]
            .into_iter()
            .find(|p| rest.starts_with(p));
        let (Some(prefix), true) = (prefix, at_boundary) else {
            i += line
                .get(i..)
                .and_then(|r| r.chars().next())
                .map_or(1, char::len_utf8);
            continue;
        };
        let tail = line.get(i..).unwrap_or_default();
        let run = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(tail.len());
        // Each run is looked at once: trimming only drops punctuation, so no
        // address starts in what is left of a run after its link, and a run
        // that holds no address is skipped whole. The scan stays linear.
        let end = trim_link_end(tail.get(..run).unwrap_or_default());
        // An address longer than browsers keep is not one.
        if end > MAX_LINK_BYTES {
            i += run;
            continue;
        }
        let text = tail.get(..end).unwrap_or_default();
        let candidate = if prefix == "www." {
            format!("http://{text}")
        } else {
            text.to_string()
        };
        let parsed = url::Url::parse(&candidate).ok().filter(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.host_str()
                    .is_some_and(|h| h.contains('.') || h == "localhost")
        });
        match parsed {
            Some(u) if end > prefix.len() => {
                out.push(Found {
                    start: i,
                    end: i + end,
                    href: u.to_string(),
                });
                i += end;
            }
            // Not an address: nothing in this run is linked (looking again
            // inside it would make the scan quadratic).
            _ => i += run,
        }
    }
    out
}

/// Longest run of text taken as one address.
const MAX_LINK_BYTES: usize = 2048;

/// Where an address found in `run` ends: trailing punctuation belongs to the
/// sentence, and a closing bracket stays only when the address opened it.
/// Brackets are counted once and updated while trimming (recounting on every
/// step made a link followed by thousands of `)` quadratic).
fn trim_link_end(run: &str) -> usize {
    let count = |c: char| run.chars().filter(|&x| x == c).count();
    let mut balance = [
        ('(', ')', count('(') as i64 - count(')') as i64),
        ('[', ']', count('[') as i64 - count(']') as i64),
        ('{', '}', count('{') as i64 - count('}') as i64),
    ];
    let mut end = run.len();
    while let Some(c) = run.get(..end).and_then(|t| t.chars().next_back()) {
        let closer = balance.iter_mut().find(|(_, close, _)| *close == c);
        let trim = match closer {
            // More closers than openers: this one is the sentence's.
            Some((_, _, open_minus_close)) if *open_minus_close < 0 => {
                *open_minus_close += 1;
                true
            }
            Some(_) => false,
            None => matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*'),
        };
        if !trim {
            break;
        }
        end -= c.len_utf8();
    }
    end
}

/// How many links [`render_body`] would make.
pub fn count_links(text: &str) -> usize {
    text.lines().map(|l| find_links(l).len()).sum()
}

/// Plain text to safe HTML: paragraphs, line breaks, auto-linked addresses.
pub fn render_body(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let text = text.replace("\r\n", "\n");
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, out: &mut String| {
        if para.is_empty() {
            return;
        }
        out.push_str("<p>");
        for (k, line) in para.iter().enumerate() {
            if k > 0 {
                out.push_str("<br>");
            }
            let mut pos = 0;
            for f in find_links(line) {
                escape_into(out, line.get(pos..f.start).unwrap_or_default());
                out.push_str("<a href=\"");
                escape_into(out, &f.href);
                out.push_str("\" rel=\"nofollow ugc noopener\">");
                escape_into(out, line.get(f.start..f.end).unwrap_or_default());
                out.push_str("</a>");
                pos = f.end;
            }
            escape_into(out, line.get(pos..).unwrap_or_default());
        }
        out.push_str("</p>");
        para.clear();
    };
    for line in text.split('\n') {
        if line.trim().is_empty() {
            flush(&mut para, &mut out);
        } else {
            para.push(line);
        }
    }
    flush(&mut para, &mut out);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Oldest,
    Newest,
    Top,
}

/// A thread as every reader sees it, before their own part (their votes,
/// their own comments, a moderator's view): the comments in page order with
/// their bodies rendered, the lock and the section's settings. Kept per node
/// for a second ([`crate::services::memo`]); a write on this node (a new
/// comment, a vote) makes it stale at once.
pub struct PublicThread {
    /// Depth-first in the sort order asked for; each with its rendered body.
    pub comments: Vec<(CommentRow, String)>,
    pub lock: Option<ThreadLock>,
    /// Comments on for the site (configuration and the admin's setting).
    pub enabled: bool,
    pub rules: Option<String>,
}

impl PublicThread {
    /// No comments (for a section whose HTML was rendered already).
    pub const EMPTY: PublicThread = PublicThread {
        comments: Vec::new(),
        lock: None,
        enabled: true,
        rules: None,
    };
}

/// [`PublicThread`] of `thread` in `sort` order, from the node's memo when fresh.
pub async fn public_thread(
    state: &AppState,
    thread: Thread,
    sort: Sort,
) -> Result<Arc<PublicThread>, WebError> {
    let key = format!("{}:{}:{}", thread.kind(), thread.id(), sort.key());
    state
        .threads()
        .get_or_try(&key, state.write_generation(), || async {
            let store = state.store();
            let rows = store.thread_comments(thread, None, THREAD_LIMIT).await?;
            let comments = order_tree(rows, sort)
                .into_iter()
                .map(|c| {
                    let html = render_body(&c.body);
                    (c, html)
                })
                .collect();
            Ok::<_, WebError>(PublicThread {
                comments,
                lock: store.thread_lock(thread).await?,
                enabled: state.config().comments.enabled
                    && comments_enabled_setting(store.get_setting(SETTING_ENABLED).await?),
                rules: store
                    .get_setting(SETTING_RULES)
                    .await?
                    .filter(|r| !r.trim().is_empty()),
            })
        })
        .await
}

impl Sort {
    /// The API's spelling: `oldest` (default), `newest`, `top`; None for anything else.
    pub(crate) fn from_api(s: Option<&str>) -> Option<Sort> {
        match s {
            None | Some("oldest") => Some(Sort::Oldest),
            Some("newest") => Some(Sort::Newest),
            Some("top") => Some(Sort::Top),
            Some(_) => None,
        }
    }
    pub(crate) fn parse(s: Option<&str>) -> Sort {
        match s {
            Some("newest") => Sort::Newest,
            Some("top") => Sort::Top,
            _ => Sort::Oldest,
        }
    }
    pub(crate) fn key(self) -> &'static str {
        match self {
            Sort::Oldest => "oldest",
            Sort::Newest => "newest",
            Sort::Top => "top",
        }
    }
}

pub(crate) fn comments_enabled_setting(v: Option<String>) -> bool {
    v.as_deref() != Some("0")
}

/// Depth-first order: each comment followed by its replies, siblings in the
/// chosen order.
pub(crate) fn order_tree(rows: Vec<CommentRow>, sort: Sort) -> Vec<CommentRow> {
    let ids: std::collections::HashSet<i64> = rows.iter().map(|c| c.id.0).collect();
    let mut children: HashMap<Option<i64>, Vec<CommentRow>> = HashMap::new();
    for c in rows {
        // A reply whose parent is missing (over the page limit) shows at the top level.
        let parent = c.parent_id.map(|p| p.0).filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(c);
    }
    for list in children.values_mut() {
        match sort {
            Sort::Oldest => list.sort_by_key(|c| (c.created_at, c.id)),
            Sort::Newest => list.sort_by_key(|c| std::cmp::Reverse((c.created_at, c.id))),
            Sort::Top => list.sort_by_key(|c| (std::cmp::Reverse(c.score), c.created_at, c.id)),
        }
    }
    let mut out = Vec::new();
    let mut stack: Vec<CommentRow> = children.remove(&None).unwrap_or_default();
    stack.reverse();
    while let Some(c) = stack.pop() {
        if let Some(mut kids) = children.remove(&Some(c.id.0)) {
            kids.reverse();
            stack.extend(kids);
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------- writing

/// Where a thread is shown, checking that it exists.
pub(crate) async fn thread_path(state: &AppState, thread: Thread) -> Result<String, WebError> {
    let store = state.store();
    match thread {
        Thread::Article(id) => {
            // Threads are public: a private source's article has none.
            let a = store
                .article(id)
                .await?
                .filter(|a| !a.private)
                .ok_or(WebError::NotFound)?;
            Ok(article_href(a.id.0, &a.title))
        }
        Thread::Story(id) => {
            store.story(id).await?.ok_or(WebError::NotFound)?;
            Ok(format!("/story/{}", id.0))
        }
    }
}

fn too_many() -> WebError {
    WebError::TooManyRequests {
        retry_after_secs: 3600,
    }
}

/// Check a comment's text for `user`: not empty, not too long, not too
/// many links for a new account. Returns the cleaned text.
fn check_body(state: &AppState, user: &User, raw: &str) -> Result<String, WebError> {
    let cfg = &state.config().comments;
    let body = normalise_body(raw);
    if body.is_empty() {
        return Err(WebError::Invalid(ACCOUNTS_EN.comment_empty.into()));
    }
    if body.chars().count() > cfg.max_length {
        return Err(WebError::Invalid(
            ACCOUNTS_EN
                .comment_too_long
                .replace("{n}", &cfg.max_length.to_string()),
        ));
    }
    let age_ms = Timestamp::now().0.saturating_sub(user.created_at.0);
    let new_ms = i64::try_from(cfg.new_account_hours)
        .unwrap_or(0)
        .saturating_mul(3_600_000);
    if age_ms < new_ms && count_links(&body) > cfg.new_account_max_links {
        return Err(WebError::Invalid(
            ACCOUNTS_EN
                .too_many_links
                .replace("{n}", &cfg.new_account_max_links.to_string()),
        ));
    }
    Ok(body)
}

/// Post a comment for a writer: every rule, then one insert.
pub(crate) async fn submit(
    state: &AppState,
    viewer: &Viewer,
    thread: Thread,
    parent: Option<CommentId>,
    raw: &str,
) -> Result<(CommentId, String), WebError> {
    let user = viewer.require_writer()?;
    let store = state.store();
    let cfg = &state.config().comments;
    if !cfg.enabled || !comments_enabled_setting(store.get_setting(SETTING_ENABLED).await?) {
        return Err(WebError::Refused(Refusal::CommentsDisabled));
    }
    let path = thread_path(state, thread).await?;
    let body = check_body(state, user, raw)?;
    // Refusals that cost nothing come before the rate limits (the posting
    // transaction checks the lock again).
    if store.thread_lock(thread).await?.is_some() {
        return Err(WebError::Refused(Refusal::ThreadLocked));
    }
    let now = Timestamp::now();
    let ip = state.ip_hash(&viewer.ip).await?;
    // The account's limit first: a refusal there does not use up the address's.
    let by_user = store
        .rate_limit_hit(&format!("comment:user:{}", user.id), 3_600_000, now)
        .await?;
    if by_user > i64::from(cfg.per_user_per_hour) {
        return Err(too_many());
    }
    let by_ip = store
        .rate_limit_hit(&format!("comment:ip:{ip}"), 3_600_000, now)
        .await?;
    if by_ip > i64::from(cfg.per_ip_per_hour) {
        return Err(too_many());
    }
    let outcome = store
        .post_comment(
            &NewComment {
                thread,
                parent,
                user: user.id,
                body: &body,
                ip_hash: Some(&ip),
            },
            cfg.max_depth,
        )
        .await?;
    match outcome {
        PostOutcome::Posted(id) => Ok((id, path)),
        PostOutcome::ThreadLocked => Err(WebError::Refused(Refusal::ThreadLocked)),
        PostOutcome::BadParent => Err(WebError::Invalid(ACCOUNTS_EN.bad_parent.into())),
        PostOutcome::TooDeep => Err(WebError::Invalid(ACCOUNTS_EN.too_deep.into())),
    }
}

pub(crate) async fn own_comment(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(CommentRow, String), WebError> {
    let user = viewer.require_writer()?;
    let c = state
        .store()
        .comment(CommentId(id), Some(user.id))
        .await?
        .ok_or(WebError::NotFound)?;
    if c.user_id != Some(user.id) {
        return Err(WebError::Refused(Refusal::NotYours));
    }
    let path = thread_path(state, c.thread).await?;
    Ok((c, path))
}

pub(crate) fn edit_open(state: &AppState, c: &CommentRow) -> bool {
    let window = i64::try_from(state.config().comments.edit_window_secs).unwrap_or(0) * 1000;
    c.status == CommentStatus::Visible && c.created_at.0 >= Timestamp::now().0 - window
}

/// Edit the viewer's own comment within the edit window, if its thread is
/// not locked. Returns the thread's path.
pub(crate) async fn apply_edit(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    raw: &str,
) -> Result<String, WebError> {
    let (c, path) = own_comment(state, viewer, id).await?;
    let user = viewer.require_writer()?;
    if !edit_open(state, &c) || state.store().thread_lock(c.thread).await?.is_some() {
        return Err(WebError::Refused(Refusal::EditClosed));
    }
    let body = check_body(state, user, raw)?;
    let window = i64::try_from(state.config().comments.edit_window_secs).unwrap_or(0) * 1000;
    let from = Timestamp::now().plus_ms(-window);
    if !state
        .store()
        .edit_comment(CommentId(id), user.id, &body, from)
        .await?
    {
        return Err(WebError::Refused(Refusal::EditClosed));
    }
    Ok(path)
}

/// Delete the viewer's own comment (banned authors may still delete).
/// Returns the thread's path.
pub(crate) async fn apply_delete(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<String, WebError> {
    let user = viewer.require_user()?;
    let c = state
        .store()
        .comment(CommentId(id), None)
        .await?
        .ok_or(WebError::NotFound)?;
    if c.user_id != Some(user.id) {
        return Err(WebError::Refused(Refusal::NotYours));
    }
    let path = thread_path(state, c.thread).await?;
    state
        .store()
        .delete_own_comment(CommentId(id), user.id)
        .await?;
    Ok(path)
}

/// Upvote (or withdraw the vote on) a visible comment of someone else.
/// Returns the new score and the comment.
pub(crate) async fn apply_vote(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    up: bool,
) -> Result<(i64, CommentRow), WebError> {
    let user = viewer.require_writer()?;
    let store = state.store();
    let c = store
        .comment(CommentId(id), None)
        .await?
        .ok_or(WebError::NotFound)?;
    if c.user_id == Some(user.id) {
        return Err(WebError::Refused(Refusal::OwnVote));
    }
    if c.status != CommentStatus::Visible {
        return Err(WebError::Invalid(ACCOUNTS_EN.bad_parent.into()));
    }
    let now = Timestamp::now();
    let votes = store
        .rate_limit_hit(&format!("vote:user:{}", user.id), 3_600_000, now)
        .await?;
    if votes > 600 {
        return Err(too_many());
    }
    let score = store.set_vote(CommentId(id), user.id, up).await?;
    Ok((score, c))
}

/// Report someone else's comment to the moderators. `reason` is one of
/// [`REPORT_REASONS`]; `other` needs details. Returns the thread's path.
pub(crate) async fn apply_report(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    reason: &str,
    details: &str,
) -> Result<String, WebError> {
    let user = viewer.require_writer()?;
    let store = state.store();
    let c = store
        .comment(CommentId(id), None)
        .await?
        .ok_or(WebError::NotFound)?;
    if c.user_id == Some(user.id) {
        return Err(WebError::Refused(Refusal::OwnReport));
    }
    if !REPORT_REASONS.contains(&reason) {
        return Err(WebError::Invalid(ACCOUNTS_EN.report_reason_missing.into()));
    }
    let details = normalise_body(details);
    if details.chars().count() > 500 {
        return Err(WebError::Invalid(ACCOUNTS_EN.report_too_long.into()));
    }
    if reason == "other" && details.is_empty() {
        return Err(WebError::Invalid(ACCOUNTS_EN.report_reason_missing.into()));
    }
    let n = store
        .rate_limit_hit(
            &format!("report:user:{}", user.id),
            3_600_000,
            Timestamp::now(),
        )
        .await?;
    if n > i64::from(state.config().comments.per_user_per_hour) {
        return Err(too_many());
    }
    let reason = if details.is_empty() {
        reason.to_string()
    } else {
        format!("{reason}: {details}")
    };
    store
        .report_comment(CommentId(id), user.id, &reason)
        .await?;
    thread_path(state, c.thread).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_core::ArticleId;

    #[test]
    fn text_becomes_paragraphs_and_links() {
        let html = render_body(
            "Hello <b>world</b> & \"friends\"\nsecond line\n\n\nnew para: see https://example.com/a?b=1&c=2. Or www.example.org/x_(y), fine",
        );
        assert_eq!(
            html,
            "<p>Hello &lt;b&gt;world&lt;/b&gt; &amp; &quot;friends&quot;<br>second line</p>\
             <p>new para: see <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow ugc noopener\">https://example.com/a?b=1&amp;c=2</a>. \
             Or <a href=\"http://www.example.org/x_(y)\" rel=\"nofollow ugc noopener\">www.example.org/x_(y)</a>, fine</p>"
        );
    }

    #[test]
    fn brackets_after_an_address_belong_to_the_sentence() {
        // The review's attack: a link followed by thousands of `)` (was quadratic).
        let body = format!("see (https://example.com/a_(b){}", ")".repeat(4980));
        let html = render_body(&body);
        assert_eq!(
            html,
            format!(
                "<p>see (<a href=\"https://example.com/a_(b)\" rel=\"nofollow ugc noopener\">https://example.com/a_(b)</a>{}</p>",
                ")".repeat(4980)
            )
        );
        assert_eq!(
            render_body("[www.example.org/x]."),
            "<p>[<a href=\"http://www.example.org/x\" rel=\"nofollow ugc noopener\">www.example.org/x</a>].</p>"
        );
        // Nested openers without addresses: nothing is linked, all text kept.
        let nested = "(www.".repeat(2000);
        assert_eq!(render_body(&nested), format!("<p>{nested}</p>"));
        // An address longer than any browser keeps is left as text.
        let long = format!("https://example.com/{}", "a".repeat(3000));
        assert_eq!(render_body(&long), format!("<p>{long}</p>"));
    }

    #[test]
    fn only_web_addresses_become_links() {
        for s in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "xhttp://example.com",
            "http://",
            "http://nodot",
        ] {
            let html = render_body(s);
            assert!(!html.contains("<a "), "{s} -> {html}");
        }
        // Quotes and angle brackets end an address: no way out of the attribute.
        let html = render_body(
            "http://example.com/\"onmouseover=\"alert(1) https://x.example/'><img src=x onerror=alert(1)>",
        );
        assert!(!html.contains("\"onmouseover"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert_eq!(html.matches("<a ").count(), 2, "{html}");
        assert!(html.contains("href=\"https://x.example/\""), "{html}");
    }

    #[test]
    fn links_are_counted_and_bodies_normalised() {
        assert_eq!(
            count_links("a http://a.example b www.b.example c https://c.example."),
            3
        );
        assert_eq!(count_links("no links here"), 0);
        assert_eq!(normalise_body("  a\r\nb\u{0}\u{7}c\t \n"), "a\nbc");
    }

    fn row(id: i64, parent: Option<i64>, at: i64, score: i64) -> CommentRow {
        CommentRow {
            id: CommentId(id),
            thread: Thread::Article(ArticleId(1)),
            parent_id: parent.map(CommentId),
            user_id: None,
            username: None,
            body: String::new(),
            depth: 0,
            status: CommentStatus::Visible,
            score,
            created_at: Timestamp(at),
            edited_at: None,
            deleted_at: None,
            voted: false,
        }
    }

    #[test]
    fn threads_keep_replies_under_parents_in_each_order() {
        let rows = || {
            vec![
                row(1, None, 1, 0),
                row(2, None, 2, 5),
                row(3, Some(1), 3, 1),
                row(4, Some(1), 4, 2),
                row(5, Some(3), 5, 0),
            ]
        };
        let ids = |s| {
            order_tree(rows(), s)
                .iter()
                .map(|c| c.id.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(Sort::Oldest), [1, 3, 5, 4, 2]);
        assert_eq!(ids(Sort::Newest), [2, 1, 4, 3, 5]);
        assert_eq!(ids(Sort::Top), [2, 1, 4, 3, 5]);
    }
}
