//! Readers' own news on the site: "For you", "Saved", and the forms that
//! follow, mute, save and mark read. Every form is a CSRF-checked POST that
//! redirects back to the page it came from; `reader.js` sends the same
//! forms with `fetch` (answered in JSON) so nothing reloads. The rules are
//! in `services::reader`.

use super::{CardView, Layout, render};
use crate::format::{Cursor, relative, story_href};
use crate::http::viewer::{CsrfForm, safe_next};
use crate::i18n::{READER_EN, ReaderText};
use crate::services::accounts::Viewer;
use crate::services::reader::{self, Target};
use crate::{AppState, WebError};
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tidings_core::{ArticleId, SourceId, Timestamp};
use tidings_store::{ArticleCard, ItemState, ReaderItem};

/// A two-state form (follow, mute, save, read): the button names what a
/// press does now; `reader.js` swaps it after a press.
pub struct Toggle {
    pub action: &'static str,
    /// `data-reader`: how `reader.js` treats the answer.
    pub kind: &'static str,
    pub fields: Vec<(&'static str, String)>,
    /// The current state (following, muted, saved, read).
    pub on: bool,
    /// The button while on (what pressing it then does), and while off.
    pub when_on: &'static str,
    pub when_off: &'static str,
    pub class: &'static str,
    /// Said to screen readers after the label (the article's title in lists).
    pub hint: String,
    pub back: String,
}

/// "Mark all as read" for a view, up to the newest article it showed.
pub struct ReadAll {
    pub view: &'static str,
    pub id: String,
    pub before: i64,
    pub back: String,
}

/// The reader's controls of a page (follow, mute, save, read, mark all read).
pub struct Controls {
    pub r: &'static ReaderText,
    pub toggles: Vec<Toggle>,
    pub read_all: Option<ReadAll>,
    /// A line about what changed ("3 new articles since your last visit").
    pub news: Option<String>,
}

/// A card's state and forms, for a signed-in reader.
pub struct CardState {
    pub id: i64,
    pub read: bool,
    pub toggles: Vec<Toggle>,
    pub r: &'static ReaderText,
}

/// The path and query of this request: where a form returns to.
pub fn back(uri: &Uri) -> String {
    uri.path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

pub fn follow_toggle(kind: &'static str, id: String, on: bool, back: &str) -> Toggle {
    Toggle {
        action: "/reader/follow",
        kind: "follow",
        fields: vec![("kind", kind.to_string()), ("id", id)],
        on,
        when_on: READER_EN.unfollow,
        when_off: READER_EN.follow,
        class: "button",
        hint: String::new(),
        back: back.to_string(),
    }
}

pub fn mute_toggle(source: SourceId, on: bool, back: &str) -> Toggle {
    Toggle {
        action: "/reader/mute",
        kind: "mute",
        fields: vec![("source", source.0.to_string())],
        on,
        when_on: READER_EN.unmute,
        when_off: READER_EN.mute,
        class: "link-button",
        hint: String::new(),
        back: back.to_string(),
    }
}

pub fn save_toggle(article: ArticleId, on: bool, hint: &str, back: &str) -> Toggle {
    Toggle {
        action: "/reader/save",
        kind: "save",
        fields: vec![("article", article.0.to_string())],
        on,
        when_on: READER_EN.unsave,
        when_off: READER_EN.save,
        class: "link-button",
        hint: hint.to_string(),
        back: back.to_string(),
    }
}

pub fn read_toggle(article: ArticleId, on: bool, hint: &str, back: &str) -> Toggle {
    Toggle {
        action: "/reader/read",
        kind: "read",
        fields: vec![("article", article.0.to_string())],
        on,
        when_on: READER_EN.mark_unread,
        when_off: READER_EN.mark_read,
        class: "link-button",
        hint: hint.to_string(),
        back: back.to_string(),
    }
}

/// Cards of a list with the reader's state and forms (one batch for the
/// whole list); plain cards for visitors.
pub async fn cards(
    state: &AppState,
    viewer: &Viewer,
    cards: &[ArticleCard],
    back: &str,
    now: Timestamp,
) -> Result<Vec<CardView>, WebError> {
    let states = reader::list_states(state, viewer.user().map(|u| u.id), cards).await?;
    Ok(match states {
        None => cards.iter().map(|c| CardView::from_card(c, now)).collect(),
        Some(states) => cards
            .iter()
            .zip(states)
            .map(|(c, s)| card_with(c, s, back, now))
            .collect(),
    })
}

fn card_with(c: &ArticleCard, s: ItemState, back: &str, now: Timestamp) -> CardView {
    let mut v = CardView::from_card(c, now);
    v.reader = Some(CardState {
        id: c.id.0,
        read: s.read,
        toggles: vec![
            save_toggle(c.id, s.saved_at.is_some(), &c.title, back),
            read_toggle(c.id, s.read, &c.title, back),
        ],
        r: &READER_EN,
    });
    v
}

fn item_card(i: &ReaderItem, back: &str, now: Timestamp) -> CardView {
    card_with(
        &i.card,
        ItemState {
            read: i.read,
            saved_at: i.saved_at,
        },
        back,
        now,
    )
}

// ---------------------------------------------------------------- pages

pub struct GroupView {
    /// The story's page and title, when the articles are in one.
    pub story: Option<(String, String)>,
    pub sources: i64,
    pub cards: Vec<CardView>,
}

#[derive(Template)]
#[template(path = "reader/for_you.html")]
pub struct ForYouPage<'a> {
    pub l: Layout<'a>,
    pub r: &'static ReaderText,
    pub groups: Vec<GroupView>,
    pub unread_line: String,
    pub unread_only: bool,
    pub follows_anything: bool,
    pub controls: Option<Controls>,
    pub next: Option<String>,
}

#[derive(Deserialize)]
pub struct ForYouQuery {
    before: Option<String>,
    unread: Option<String>,
}

const PAGE: i64 = 30;

pub async fn for_you_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    uri: Uri,
    Query(q): Query<ForYouQuery>,
) -> Result<Response, WebError> {
    let Some(user) = viewer.user() else {
        return Ok(Redirect::to(&super::accounts::login_href("/for-you")).into_response());
    };
    let cursor = super::cursor(q.before.as_deref())?;
    let unread_only = q.unread.as_deref() == Some("1");
    let page = reader::for_you(&state, user.id, cursor, PAGE, unread_only).await?;
    let back = back(&uri);
    let now = Timestamp::now();
    let groups = page
        .groups
        .iter()
        .map(|g| GroupView {
            story: g
                .story
                .as_ref()
                .map(|s| (story_href(s.id.0), s.title.clone())),
            sources: g.story.as_ref().map_or(0, |s| s.source_count),
            cards: g.items.iter().map(|i| item_card(i, &back, now)).collect(),
        })
        .collect();
    let mut l = Layout::new(&state, &headers, "/for-you", READER_EN.for_you.to_string());
    l.noindex = true;
    let controls = page.newest.map(|t| Controls {
        r: &READER_EN,
        toggles: Vec::new(),
        read_all: Some(ReadAll {
            view: "for-you",
            id: String::new(),
            before: t.0,
            back: back.clone(),
        }),
        news: None,
    });
    render(&ForYouPage {
        l,
        r: &READER_EN,
        groups,
        unread_line: READER_EN
            .unread_count
            .replace("{n}", &unread_text(page.unread)),
        unread_only,
        follows_anything: page.follows_anything,
        controls,
        next: page.next.map(|(time, id)| {
            let c = Cursor { time, id }.encode();
            if unread_only {
                format!("{c}&unread=1")
            } else {
                c
            }
        }),
    })
}

/// An unread count as shown: capped counts read "100+".
fn unread_text(n: i64) -> String {
    if n >= tidings_store::UNREAD_COUNT_CAP {
        format!("{n}+")
    } else {
        n.to_string()
    }
}

#[derive(Template)]
#[template(path = "reader/saved.html")]
pub struct SavedPage<'a> {
    pub l: Layout<'a>,
    pub r: &'static ReaderText,
    pub cards: Vec<CardView>,
    pub next: Option<String>,
    /// "Mark all as read" over the saved articles.
    pub controls: Option<Controls>,
}

#[derive(Deserialize)]
pub struct SavedQuery {
    before: Option<String>,
}

pub async fn saved_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    uri: Uri,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let Some(user) = viewer.user() else {
        return Ok(Redirect::to(&super::accounts::login_href("/saved")).into_response());
    };
    let before = super::cursor(q.before.as_deref())?;
    let (items, next) = reader::saved(&state, user.id, before, PAGE).await?;
    let back = back(&uri);
    let now = Timestamp::now();
    let mut l = Layout::new(&state, &headers, "/saved", READER_EN.saved.to_string());
    l.noindex = true;
    // Saved articles are listed by when they were saved: "mark all as read"
    // covers every one first seen until now.
    let controls = (!items.is_empty()).then(|| Controls {
        r: &READER_EN,
        toggles: Vec::new(),
        read_all: Some(ReadAll {
            view: "saved",
            id: String::new(),
            before: now.0,
            back: back.clone(),
        }),
        news: None,
    });
    render(&SavedPage {
        l,
        r: &READER_EN,
        cards: items.iter().map(|i| item_card(i, &back, now)).collect(),
        next: next.map(|(time, id)| Cursor { time, id }.encode()),
        controls,
    })
}

// ---------------------------------------------------------------- forms

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// The answer to a form: JSON for `reader.js`, else back to the page (at
/// the item, when there is one).
fn answer(headers: &HeaderMap, on: bool, next: Option<&str>, anchor: Option<String>) -> Response {
    if wants_json(headers) {
        return Json(serde_json::json!({ "on": on })).into_response();
    }
    let mut to = safe_next(next).unwrap_or_else(|| "/for-you".into());
    if let Some(a) = anchor
        && !to.contains('#')
    {
        to.push('#');
        to.push_str(&a);
    }
    Redirect::to(&to).into_response()
}

/// `on`: "1" to turn on (follow, mute, save, read), anything else to turn off.
fn is_on(v: &str) -> bool {
    v == "1"
}

#[derive(Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    on: String,
    next: Option<String>,
}

pub async fn follow(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<FollowForm>,
) -> Result<Response, WebError> {
    let user = viewer.require_user()?;
    let target = Target::parse(&f.kind, &f.id)?;
    let on = reader::follow(&state, user.id, &target, is_on(&f.on)).await?;
    Ok(answer(&headers, on, f.next.as_deref(), None))
}

#[derive(Deserialize)]
pub struct MuteForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    on: String,
    next: Option<String>,
}

pub async fn mute(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<MuteForm>,
) -> Result<Response, WebError> {
    let user = viewer.require_user()?;
    let Target::Source(source) = Target::parse("source", &f.source)? else {
        return Err(WebError::param("source", "must be a source id"));
    };
    let on = reader::mute(&state, user.id, source, is_on(&f.on)).await?;
    Ok(answer(&headers, on, f.next.as_deref(), None))
}

#[derive(Deserialize)]
pub struct ArticleForm {
    #[serde(default)]
    article: String,
    #[serde(default)]
    on: String,
    next: Option<String>,
}

fn article_id(s: &str) -> Result<ArticleId, WebError> {
    s.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(ArticleId)
        .ok_or_else(|| WebError::param("article", "must be an article id"))
}

pub async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<ArticleForm>,
) -> Result<Response, WebError> {
    let user = viewer.require_user()?;
    let id = article_id(&f.article)?;
    let on = reader::save(&state, user.id, id, is_on(&f.on)).await?;
    Ok(answer(
        &headers,
        on,
        f.next.as_deref(),
        Some(format!("item-{}", id.0)),
    ))
}

pub async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<ArticleForm>,
) -> Result<Response, WebError> {
    let user = viewer.require_user()?;
    let id = article_id(&f.article)?;
    let on = is_on(&f.on);
    reader::mark(&state, user.id, &[id], on).await?;
    Ok(answer(
        &headers,
        on,
        f.next.as_deref(),
        Some(format!("item-{}", id.0)),
    ))
}

#[derive(Deserialize)]
pub struct ReadAllForm {
    #[serde(default)]
    view: String,
    id: Option<String>,
    /// First-seen time (unix ms) of the newest article the page showed.
    before: Option<String>,
    next: Option<String>,
}

pub async fn read_all(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(f): CsrfForm<ReadAllForm>,
) -> Result<Response, WebError> {
    let user = viewer.require_user()?;
    let view = reader::view(&f.view, f.id.as_deref())?;
    let before = match f.before.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(b) => Some(Timestamp(b.parse::<i64>().map_err(|_| {
            WebError::param("before", "must be a time in unix milliseconds")
        })?)),
    };
    reader::mark_all(&state, user.id, &view, before).await?;
    Ok(answer(&headers, true, f.next.as_deref(), None))
}

/// Controls for a list page (source, topic): follow (and for a source,
/// mute), mark all as read up to the newest card shown.
pub async fn list_controls(
    state: &AppState,
    viewer: &Viewer,
    target: Target,
    newest: Option<Timestamp>,
    back: &str,
) -> Result<Option<Controls>, WebError> {
    let Some(user) = viewer.user() else {
        return Ok(None);
    };
    let (kind, id, source, topic, story) = match &target {
        Target::Source(s) => ("source", s.0.to_string(), Some(*s), None, None),
        Target::Topic(t) => ("topic", t.clone(), None, Some(t.as_str()), None),
        Target::Story(s) => ("story", s.0.to_string(), None, None, Some(*s)),
    };
    let ps = reader::page_state(
        state,
        user.id,
        tidings_store::PageTarget {
            source,
            topic,
            story,
            article: None,
        },
    )
    .await?;
    let following = match target {
        Target::Source(_) => ps.following_source,
        Target::Topic(_) => ps.following_topic,
        Target::Story(_) => ps.story_last_visit.is_some(),
    };
    let mut toggles = vec![follow_toggle(kind, id.clone(), following, back)];
    if let Some(s) = source {
        toggles.push(mute_toggle(s, ps.muted_source, back));
    }
    Ok(Some(Controls {
        r: &READER_EN,
        toggles,
        read_all: newest.map(|t| ReadAll {
            view: kind,
            id,
            before: t.0,
            back: back.to_string(),
        }),
        news: None,
    }))
}

/// The "n new since your last visit" line of a followed story.
pub fn news_line(n: i64, last_visit: Timestamp, now: Timestamp) -> String {
    let lead = match n {
        0 => READER_EN.nothing_new.to_string(),
        1 => READER_EN.new_since_one.to_string(),
        n => READER_EN.new_since_many.replace("{n}", &n.to_string()),
    };
    format!("{lead} ({}).", relative(last_visit, now, &crate::i18n::EN))
}

/// `reader.js`: sends the reader's forms without reloading the page.
pub const READER_JS: &str = include_str!("../../static/reader.js");
