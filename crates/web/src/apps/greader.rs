//! The Google Reader API at `/api/greader`, as FreshRSS and Miniflux serve
//! it to apps (Reeder, NetNewsWire, Read You, FeedMe, FocusReader, Fluent
//! Reader, Newsflash…): apps are given `https://HOST/api/greader` as the
//! server.
//!
//! - `POST /accounts/ClientLogin` (`Email`, `Passwd`: the username and the
//!   password or a personal API token) answers `SID=…\nLSID=…\nAuth=…`
//!   (JSON with `output=json`); every other call sends
//!   `Authorization: GoogleLogin auth=…` (401 without a live one).
//! - Writes (POST) also carry the `T` token from `/reader/api/0/token`
//!   (401 with `Google-Bad-Token: true` otherwise).
//! - A subscription is a follow of a source; its stream id is
//!   `feed/` + the source's address (`feed/` + its numeric id is read too).
//!   Labels (`user/-/label/X`) are the reader's labels on followed sources.
//!   `user/-/state/com.google/reading-list` is every followed source,
//!   `…/starred` the saved articles, `…/read` and `…/kept-unread` the read
//!   state (`edit-tag`).
//! - Item ids: long form `tag:google.com,2005:reader/item/` + 16 hex digits
//!   in items, short decimal form in `itemRefs`; both are read.
//! - Streams take `n`, `c` (continuation), `r=o` (oldest first), `ot`/`nt`
//!   (first seen at or after / before, unix seconds), `xt` and `it`
//!   (exclude / include a state), `output=json`.

use super::{Params, absolute_media, base, personal, set};
use crate::format::Cursor;
use crate::services::accounts::Viewer;
use crate::services::reader::{self, Target};
use crate::services::reader_apps::{self, AppItem, AppLogin};
use crate::{AppState, Code, WebError};
use axum::Router;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use tidings_core::{ArticleId, SourceId, Timestamp};
use tidings_store::{FollowedSource, Stream, StreamQuery, User};

const PREFIX: &str = "/api/greader";
const ITEM_PREFIX: &str = "tag:google.com,2005:reader/item/";
const READING_LIST: &str = "user/-/state/com.google/reading-list";
const STARRED: &str = "user/-/state/com.google/starred";
const READ: &str = "user/-/state/com.google/read";
/// `max` in `unread-count` (FreshRSS and Miniflux send 1000).
const READER_APP_MAX_COUNT: i64 = 1000;
/// Items per page of a stream when `n` is not given.
const DEFAULT_N: i64 = 20;
/// Most ids one `stream/items/ids` page lists.
const MAX_IDS: i64 = 10_000;
/// Most items (with their bodies) one contents page holds; apps follow
/// `continuation` for more.
const MAX_ITEMS: i64 = 250;

pub fn routes() -> Router<AppState> {
    let r = |p: &str| format!("{PREFIX}{p}");
    Router::new()
        .route(&r("/accounts/ClientLogin"), post(client_login))
        .route(&r("/reader/api/0/token"), get(token))
        .route(&r("/reader/api/0/user-info"), get(user_info))
        .route(
            &r("/reader/api/0/subscription/list"),
            get(subscription_list),
        )
        .route(&r("/reader/api/0/subscription/quickadd"), post(quickadd))
        .route(
            &r("/reader/api/0/subscription/edit"),
            post(subscription_edit),
        )
        .route(&r("/reader/api/0/tag/list"), get(tag_list))
        .route(&r("/reader/api/0/rename-tag"), post(rename_tag))
        .route(&r("/reader/api/0/disable-tag"), post(disable_tag))
        .route(&r("/reader/api/0/unread-count"), get(unread_count))
        .route(&r("/reader/api/0/stream/items/ids"), get(stream_ids))
        .route(
            &r("/reader/api/0/stream/items/contents"),
            get(items_contents).post(items_contents),
        )
        .route(
            &r("/reader/api/0/stream/contents"),
            get(stream_contents_query),
        )
        .route(
            &r("/reader/api/0/stream/contents/{*stream}"),
            get(stream_contents),
        )
        .route(&r("/reader/api/0/edit-tag"), post(edit_tag))
        .route(&r("/reader/api/0/mark-all-as-read"), post(mark_all_as_read))
}

// ---------------------------------------------------------------- errors

/// What goes wrong, answered as these apps expect: plain text and a status.
#[derive(Debug)]
pub enum GrError {
    /// No live `GoogleLogin auth=` token.
    Unauthorized,
    /// A write without the right `T` token.
    BadWriteToken,
    Web(WebError),
}

impl From<WebError> for GrError {
    fn from(e: WebError) -> Self {
        GrError::Web(e)
    }
}

impl From<tidings_store::StoreError> for GrError {
    fn from(e: tidings_store::StoreError) -> Self {
        GrError::Web(e.into())
    }
}

fn text(status: StatusCode, body: String) -> Response {
    personal(
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response(),
    )
}

fn json_ok(v: &Value) -> Response {
    personal(
        (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            v.to_string(),
        )
            .into_response(),
    )
}

impl IntoResponse for GrError {
    fn into_response(self) -> Response {
        match self {
            GrError::Unauthorized => text(StatusCode::UNAUTHORIZED, "Unauthorized!\n".into()),
            GrError::BadWriteToken => {
                let mut r = text(StatusCode::UNAUTHORIZED, "Unauthorized!\n".into());
                r.headers_mut()
                    .insert("google-bad-token", HeaderValue::from_static("true"));
                r
            }
            GrError::Web(e) => {
                e.log();
                let mut r = text(e.status(), format!("{}\n", e.problem().detail));
                if let Some(s) = e.retry_after()
                    && let Ok(v) = HeaderValue::from_str(&s.to_string())
                {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                r
            }
        }
    }
}

type Res = Result<Response, GrError>;

// ---------------------------------------------------------------- auth

/// The reader behind `Authorization: GoogleLogin auth=…`.
pub struct Reader {
    pub user: User,
    token: String,
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = GrError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, GrError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .and_then(|v| {
                let (scheme, rest) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("GoogleLogin").then_some(rest)
            })
            .and_then(|rest| rest.trim().strip_prefix("auth="))
            .map(str::trim)
            .ok_or(GrError::Unauthorized)?;
        let user = reader_apps::user_for_token(state, token)
            .await?
            .ok_or(GrError::Unauthorized)?;
        Ok(Reader {
            user,
            token: token.to_string(),
        })
    }
}

impl Reader {
    /// Writes need the `T` token too.
    fn check_write(&self, p: &Params) -> Result<(), GrError> {
        match p.get("T") {
            Some(t) if reader_apps::is_write_token(&self.token, t) => Ok(()),
            _ => Err(GrError::BadWriteToken),
        }
    }
}

/// `POST /accounts/ClientLogin`.
async fn client_login(State(state): State<AppState>, viewer: Viewer, p: Params) -> Res {
    let (Some(email), Some(pw)) = (p.get("Email"), p.get("Passwd")) else {
        return Ok(text(
            StatusCode::UNAUTHORIZED,
            "Error=BadAuthentication\n".into(),
        ));
    };
    match reader_apps::login(&state, &viewer, email, pw).await? {
        AppLogin::Ok { token, .. } => {
            if p.get("output") == Some("json") {
                return Ok(json_ok(
                    &json!({"SID": token, "LSID": "null", "Auth": token}),
                ));
            }
            Ok(text(
                StatusCode::OK,
                format!("SID={token}\nLSID=null\nAuth={token}\n"),
            ))
        }
        AppLogin::Throttled { retry_after_secs } => {
            Err(GrError::Web(WebError::TooManyRequests { retry_after_secs }))
        }
        AppLogin::Failed => Ok(text(
            StatusCode::UNAUTHORIZED,
            "Error=BadAuthentication\n".into(),
        )),
    }
}

async fn token(r: Reader) -> Res {
    Ok(text(StatusCode::OK, reader_apps::write_token(&r.token)))
}

async fn user_info(r: Reader) -> Res {
    let id = r.user.id.0.to_string();
    Ok(json_ok(&json!({
        "userId": id,
        "userName": r.user.username,
        "userProfileId": id,
        "userEmail": r.user.email.clone().unwrap_or_default(),
        "isBloggerUser": false,
        "signupTimeSec": r.user.created_at.0 / 1000,
        "isMultiLoginEnabled": false,
    })))
}

// ---------------------------------------------------------------- ids and streams

/// An item's long id.
pub fn long_id(id: ArticleId) -> String {
    format!("{ITEM_PREFIX}{:016x}", id.0)
}

/// An item id in any form apps send: long (hex), short (decimal), or bare
/// 16-digit hex.
pub fn parse_item_id(s: &str) -> Option<ArticleId> {
    let s = s.trim();
    let n = if let Some(hex) = s.strip_prefix(ITEM_PREFIX) {
        u64::from_str_radix(hex, 16).ok()?.cast_signed()
    } else if s.len() == 16
        && s.bytes().all(|b| b.is_ascii_hexdigit())
        && !s.bytes().all(|b| b.is_ascii_digit())
    {
        u64::from_str_radix(s, 16).ok()?.cast_signed()
    } else {
        s.parse::<i64>().ok()?
    };
    (n > 0).then_some(ArticleId(n))
}

/// A stream as apps name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GStream {
    ReadingList,
    Starred,
    Read,
    KeptUnread,
    Label(String),
    /// `feed/…`: a source's address or id.
    Feed(String),
}

pub fn parse_stream(s: &str) -> Option<GStream> {
    let s = s.trim();
    if let Some(f) = s.strip_prefix("feed/") {
        return (!f.is_empty()).then(|| GStream::Feed(f.to_string()));
    }
    // `user/-/…` or `user/12345/…`.
    let rest = s.strip_prefix("user/")?;
    let (_, rest) = rest.split_once('/')?;
    if let Some(l) = rest.strip_prefix("label/") {
        return (!l.trim().is_empty()).then(|| GStream::Label(l.trim().to_string()));
    }
    match rest.strip_prefix("state/com.google/")? {
        "reading-list" => Some(GStream::ReadingList),
        "starred" => Some(GStream::Starred),
        "read" => Some(GStream::Read),
        "kept-unread" => Some(GStream::KeptUnread),
        _ => None,
    }
}

fn feed_id(url: &str) -> String {
    format!("feed/{url}")
}

fn label_id(label: &str) -> String {
    format!("user/-/label/{label}")
}

/// The followed source a `feed/…` stream names.
fn find_source<'a>(sources: &'a [FollowedSource], f: &str) -> Option<&'a FollowedSource> {
    if let Ok(id) = f.parse::<i64>() {
        return sources.iter().find(|s| s.source_id.0 == id);
    }
    let canonical = tidings_core::CanonicalUrl::parse(f).ok();
    sources
        .iter()
        .find(|s| s.url == f || canonical.as_ref().is_some_and(|c| c.as_str() == s.url))
}

/// A source named by `feed/…` that the reader may read: a followed one,
/// or (by id) any other the store lets them see.
fn source_of(sources: &[FollowedSource], f: &str) -> Option<SourceId> {
    find_source(sources, f)
        .map(|s| s.source_id)
        .or_else(|| f.parse::<i64>().ok().filter(|n| *n > 0).map(SourceId))
}

/// What `xt` and `it` ask for.
#[derive(Debug, Default, Clone, Copy)]
struct Filter {
    unread_only: bool,
    read_only: bool,
    starred_only: bool,
    not_starred: bool,
}

impl Filter {
    fn from(p: &Params) -> Filter {
        let mut f = Filter::default();
        for x in p.all("xt").filter_map(parse_stream) {
            match x {
                GStream::Read => f.unread_only = true,
                GStream::Starred => f.not_starred = true,
                GStream::KeptUnread => f.read_only = true,
                _ => {}
            }
        }
        for x in p.all("it").filter_map(parse_stream) {
            match x {
                GStream::Read => f.read_only = true,
                GStream::Starred => f.starred_only = true,
                GStream::KeptUnread => f.unread_only = true,
                _ => {}
            }
        }
        f
    }

    /// Whether the filter needs each item's state (the store filters unread itself).
    fn by_state(&self) -> bool {
        self.read_only || self.starred_only || self.not_starred
    }
}

/// The store's stream for a stream id (`None`: a feed the reader cannot
/// read, which is an empty stream), with what the stream itself filters.
fn store_stream(g: &GStream, sources: &[FollowedSource], filter: &mut Filter) -> Option<Stream> {
    Some(match g {
        GStream::ReadingList => {
            if filter.starred_only {
                filter.starred_only = false;
                Stream::Saved
            } else {
                Stream::Subscriptions
            }
        }
        GStream::Starred => Stream::Saved,
        GStream::Read => {
            filter.read_only = true;
            Stream::Subscriptions
        }
        GStream::KeptUnread => {
            filter.unread_only = true;
            Stream::Subscriptions
        }
        GStream::Label(l) => Stream::Label(l.clone()),
        GStream::Feed(f) => Stream::Source(source_of(sources, f)?),
    })
}

/// One page of a stream: ids in order, and the continuation when there is more.
struct Page {
    ids: Vec<(ArticleId, Timestamp)>,
    continuation: Option<String>,
}

/// Seconds (`ot`, `nt`) as a time; 0 or absent is none.
fn secs(p: &Params, key: &str) -> Result<Option<Timestamp>, WebError> {
    Ok(p.int(key)?
        .filter(|s| *s > 0)
        .map(|s| Timestamp(s.saturating_mul(1000))))
}

async fn select(
    state: &AppState,
    user: &User,
    sources: &[FollowedSource],
    p: &Params,
    stream: &str,
    max: i64,
) -> Result<Page, GrError> {
    let g = parse_stream(stream)
        .ok_or_else(|| WebError::param("s", "is not a stream this server knows"))?;
    let mut filter = Filter::from(p);
    let n = p.int("n")?.unwrap_or(DEFAULT_N).clamp(1, max);
    let cursor = Cursor::parse(p.get("c"))
        .map_err(|_| WebError::param("c", "is not a continuation from this server"))?
        .map(Cursor::pair);
    let Some(s) = store_stream(&g, sources, &mut filter) else {
        return Ok(Page {
            ids: Vec::new(),
            continuation: None,
        });
    };
    let q = StreamQuery {
        unread_only: filter.unread_only,
        since: secs(p, "ot")?,
        until: secs(p, "nt")?,
        cursor,
        oldest_first: p.get("r") == Some("o"),
        ..StreamQuery::new(s, n + 1)
    };
    let mut entries = state.store().stream_ids(user.id, &q).await?;
    let page = usize::try_from(n).unwrap_or(0);
    let continuation = (entries.len() > page)
        .then(|| entries.get(page.saturating_sub(1)))
        .flatten()
        .map(|e| {
            Cursor {
                time: e.created_at.0,
                id: e.id.0,
            }
            .encode()
        });
    entries.truncate(page);
    let mut ids: Vec<(ArticleId, Timestamp)> =
        entries.iter().map(|e| (e.id, e.created_at)).collect();
    if filter.by_state() {
        let just: Vec<ArticleId> = ids.iter().map(|(id, _)| *id).collect();
        let states: HashMap<i64, (bool, bool)> = state
            .store()
            .reader_items(user.id, &just)
            .await?
            .into_iter()
            .map(|i| (i.card.id.0, (i.read, i.saved_at.is_some())))
            .collect();
        ids.retain(|(id, _)| {
            states.get(&id.0).is_some_and(|(read, saved)| {
                (!filter.read_only || *read)
                    && (!filter.starred_only || *saved)
                    && (!filter.not_starred || !*saved)
            })
        });
    }
    Ok(Page { ids, continuation })
}

fn usec(t: Timestamp) -> String {
    t.0.saturating_mul(1000).to_string()
}

/// `GET /reader/api/0/stream/items/ids?s=…`.
async fn stream_ids(State(state): State<AppState>, r: Reader, p: Params) -> Res {
    let follows = state.store().follows(r.user.id).await?;
    let stream = p.get("s").unwrap_or(READING_LIST);
    let page = select(&state, &r.user, &follows.sources, &p, stream, MAX_IDS).await?;
    let refs: Vec<Value> = page
        .ids
        .iter()
        .map(|(id, t)| json!({"id": id.0.to_string(), "directStreamIds": [], "timestampUsec": usec(*t)}))
        .collect();
    let mut v = json!({ "itemRefs": refs });
    if let Some(c) = page.continuation {
        set(&mut v, "continuation", json!(c));
    }
    Ok(json_ok(&v))
}

/// Everything an item's JSON needs about the reader's sources.
struct Sources {
    names: HashMap<i64, String>,
    labels: HashMap<i64, Vec<String>>,
}

impl Sources {
    fn of(sources: &[FollowedSource]) -> Sources {
        Sources {
            names: sources
                .iter()
                .map(|s| (s.source_id.0, s.name.clone()))
                .collect(),
            labels: sources
                .iter()
                .map(|s| (s.source_id.0, s.labels.clone()))
                .collect(),
        }
    }
}

fn item_json(it: &AppItem, src: &Sources, base: &str) -> Value {
    let c = &it.item.card;
    let published = c.published_at.unwrap_or(c.created_at);
    let mut categories = vec![json!(READING_LIST)];
    if it.item.read {
        categories.push(json!(READ));
    }
    if it.item.saved_at.is_some() {
        categories.push(json!(STARRED));
    }
    for l in src.labels.get(&c.source_id.0).into_iter().flatten() {
        categories.push(json!(label_id(l)));
    }
    let mut v = json!({
        "id": long_id(c.id),
        "crawlTimeMsec": c.created_at.0.to_string(),
        "timestampUsec": usec(c.created_at),
        "published": published.0 / 1000,
        "updated": it.modified_at.unwrap_or(published).0 / 1000,
        "title": c.title,
        "canonical": [{"href": c.url}],
        "alternate": [{"href": c.url, "type": "text/html"}],
        "categories": categories,
        "origin": {
            "streamId": feed_id(&it.source_url),
            "title": src.names.get(&c.source_id.0).unwrap_or(&c.source_name),
            "htmlUrl": it.source_site_url.as_deref().unwrap_or(&it.source_url),
        },
        "summary": {"direction": "ltr", "content": absolute_media(&it.html, base)},
    });
    if !it.authors.is_empty() {
        set(&mut v, "author", json!(it.authors.join(", ")));
    }
    v
}

fn stream_title(g: Option<&GStream>, sources: &[FollowedSource]) -> String {
    match g {
        Some(GStream::Starred) => "Starred".into(),
        Some(GStream::Read) => "Read".into(),
        Some(GStream::Label(l)) => l.clone(),
        Some(GStream::Feed(f)) => find_source(sources, f)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| f.clone()),
        _ => "Reading list".into(),
    }
}

/// `POST /reader/api/0/stream/items/contents` with `i=` repeated.
async fn items_contents(
    State(state): State<AppState>,
    headers: HeaderMap,
    r: Reader,
    p: Params,
) -> Res {
    let mut ids = Vec::new();
    for raw in p.all("i") {
        ids.push(parse_item_id(raw).ok_or_else(|| WebError::param("i", "is not an item id"))?);
    }
    if ids.len() > usize::try_from(MAX_IDS).unwrap_or(0) {
        return Err(WebError::param("i", &format!("may name at most {MAX_IDS} items")).into());
    }
    let follows = state.store().follows(r.user.id).await?;
    let items = reader_apps::items(&state, r.user.id, &ids).await?;
    let src = Sources::of(&follows.sources);
    let base = base(&state, &headers);
    Ok(json_ok(&json!({
        "direction": "ltr",
        "id": READING_LIST,
        "title": "Reading list",
        "updated": Timestamp::now().0 / 1000,
        "items": items.iter().map(|i| item_json(i, &src, &base)).collect::<Vec<_>>(),
    })))
}

/// `GET /reader/api/0/stream/contents/{stream}`.
async fn stream_contents(
    State(state): State<AppState>,
    headers: HeaderMap,
    r: Reader,
    Path(stream): Path<String>,
    p: Params,
) -> Res {
    contents(&state, &headers, &r, &stream, &p).await
}

/// `GET /reader/api/0/stream/contents?s=…` (the reading list without `s`).
async fn stream_contents_query(
    State(state): State<AppState>,
    headers: HeaderMap,
    r: Reader,
    p: Params,
) -> Res {
    let stream = p.get("s").unwrap_or(READING_LIST).to_string();
    contents(&state, &headers, &r, &stream, &p).await
}

async fn contents(
    state: &AppState,
    headers: &HeaderMap,
    r: &Reader,
    stream: &str,
    p: &Params,
) -> Res {
    let follows = state.store().follows(r.user.id).await?;
    let page = select(state, &r.user, &follows.sources, p, stream, MAX_ITEMS).await?;
    let ids: Vec<ArticleId> = page.ids.iter().map(|(id, _)| *id).collect();
    let items = reader_apps::items(state, r.user.id, &ids).await?;
    let src = Sources::of(&follows.sources);
    let base = base(state, headers);
    let mut v = json!({
        "direction": "ltr",
        "id": stream,
        "title": stream_title(parse_stream(stream).as_ref(), &follows.sources),
        "self": [{"href": format!("{base}{PREFIX}/reader/api/0/stream/contents/{stream}")}],
        "updated": Timestamp::now().0 / 1000,
        "items": items.iter().map(|i| item_json(i, &src, &base)).collect::<Vec<_>>(),
    });
    if let Some(c) = page.continuation {
        set(&mut v, "continuation", json!(c));
    }
    Ok(json_ok(&v))
}

// ---------------------------------------------------------------- subscriptions and tags

async fn subscription_list(State(state): State<AppState>, r: Reader) -> Res {
    let follows = state.store().follows(r.user.id).await?;
    let subs: Vec<Value> = follows
        .sources
        .iter()
        .map(|s| {
            json!({
                "id": feed_id(&s.url),
                "title": s.name,
                "categories": s.labels.iter().map(|l| json!({"id": label_id(l), "label": l})).collect::<Vec<_>>(),
                "url": s.url,
                "htmlUrl": s.site_url.as_deref().unwrap_or(&s.url),
                "iconUrl": "",
                "sortid": format!("{:08x}", s.source_id.0),
                "firstitemmsec": s.created_at.0.to_string(),
            })
        })
        .collect();
    Ok(json_ok(&json!({ "subscriptions": subs })))
}

async fn tag_list(State(state): State<AppState>, r: Reader) -> Res {
    let labels = state.store().labels(r.user.id).await?;
    let mut tags = vec![json!({"id": STARRED, "sortid": "00000000"})];
    for (l, _) in &labels {
        tags.push(json!({"id": label_id(l), "label": l, "type": "folder"}));
    }
    Ok(json_ok(&json!({ "tags": tags })))
}

/// The address in a `feed/…` stream id or a bare address.
fn feed_address(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix("feed/").unwrap_or(s)
}

/// `POST subscription/quickadd` (`quickadd`: an address).
async fn quickadd(State(state): State<AppState>, r: Reader, p: Params) -> Res {
    r.check_write(&p)?;
    let query = p
        .get("quickadd")
        .ok_or_else(|| WebError::param("quickadd", "is needed: the feed's address"))?;
    let sub = reader::subscribe(&state, r.user.id, feed_address(query), None).await?;
    let follows = state.store().follows(r.user.id).await?;
    let s = follows
        .sources
        .iter()
        .find(|s| s.source_id == sub.source)
        .ok_or(WebError::NotFound)?;
    Ok(json_ok(&json!({
        "numResults": 1,
        "query": query,
        "streamId": feed_id(&s.url),
        "streamName": s.name,
    })))
}

/// A label from `user/-/label/X`.
fn label_of(s: &str) -> Result<String, WebError> {
    match parse_stream(s) {
        Some(GStream::Label(l)) => reader::clean_label(&l),
        _ => Err(WebError::param("a", "must be a label, `user/-/label/NAME`")),
    }
}

/// `POST subscription/edit`: `ac` is `subscribe`, `unsubscribe` or `edit`;
/// `s` the feed(s), `t` a title, `a`/`r` labels to add or remove.
async fn subscription_edit(State(state): State<AppState>, r: Reader, p: Params) -> Res {
    r.check_write(&p)?;
    let store = state.store();
    let user = r.user.id;
    let streams: Vec<&str> = p.all("s").collect();
    if streams.is_empty() {
        return Err(WebError::param("s", "is needed: the subscription's stream id").into());
    }
    let title = p.get("t").map(str::trim).filter(|t| !t.is_empty());
    let ac = p.get("ac").unwrap_or("edit");
    for s in streams {
        let source = match ac {
            "subscribe" => {
                let sub = reader::subscribe(&state, user, feed_address(s), title).await?;
                sub.source
            }
            "unsubscribe" | "edit" => {
                let follows = store.follows(user).await?;
                let found = find_source(&follows.sources, feed_address(s))
                    .ok_or(WebError::NotFound)?
                    .source_id;
                if ac == "unsubscribe" {
                    reader::follow(&state, user, &Target::Source(found), false).await?;
                    continue;
                }
                if let Some(t) = title {
                    store
                        .rename_followed_source(user, found, Some(&reader::clean_label(t)?))
                        .await?;
                }
                found
            }
            _ => {
                return Err(
                    WebError::param("ac", "must be `subscribe`, `unsubscribe` or `edit`").into(),
                );
            }
        };
        for a in p.all("a") {
            store.add_source_label(user, source, &label_of(a)?).await?;
        }
        for rm in p.all("r") {
            store
                .remove_source_label(user, source, &label_of(rm)?)
                .await?;
        }
    }
    Ok(text(StatusCode::OK, "OK".into()))
}

/// `POST rename-tag` (`s`, `dest`).
async fn rename_tag(State(state): State<AppState>, r: Reader, p: Params) -> Res {
    r.check_write(&p)?;
    let from = label_of(p.get("s").unwrap_or_default())?;
    let to = label_of(p.get("dest").unwrap_or_default())?;
    state.store().rename_label(r.user.id, &from, &to).await?;
    Ok(text(StatusCode::OK, "OK".into()))
}

/// `POST disable-tag` (`s`): the label goes, the sources stay followed.
async fn disable_tag(State(state): State<AppState>, r: Reader, p: Params) -> Res {
    r.check_write(&p)?;
    let label = label_of(p.get("s").unwrap_or_default())?;
    state.store().delete_label(r.user.id, &label).await?;
    Ok(text(StatusCode::OK, "OK".into()))
}

/// `GET unread-count`: per followed source with unread articles, per
/// label, and the whole reading list.
async fn unread_count(State(state): State<AppState>, r: Reader) -> Res {
    let store = state.store();
    let (per_source, follows) =
        tokio::try_join!(store.unread_by_source(r.user.id), store.follows(r.user.id))?;
    let by_id: HashMap<i64, &FollowedSource> =
        follows.sources.iter().map(|s| (s.source_id.0, s)).collect();
    let mut out = Vec::new();
    let mut labels: std::collections::BTreeMap<&str, (i64, Timestamp)> = Default::default();
    let (mut total, mut newest) = (0i64, Timestamp(0));
    for u in &per_source {
        let Some(s) = by_id.get(&u.source_id.0) else {
            continue;
        };
        out.push(json!({"id": feed_id(&s.url), "count": u.count, "newestItemTimestampUsec": usec(u.newest)}));
        for l in &s.labels {
            let e = labels.entry(l.as_str()).or_insert((0, Timestamp(0)));
            e.0 += u.count;
            e.1 = e.1.max(u.newest);
        }
        total += u.count;
        newest = newest.max(u.newest);
    }
    for (l, (n, t)) in labels {
        out.push(json!({"id": label_id(l), "count": n, "newestItemTimestampUsec": usec(t)}));
    }
    out.push(json!({"id": READING_LIST, "count": total, "newestItemTimestampUsec": usec(newest)}));
    Ok(json_ok(
        // The counts are exact; `max` is what apps may show as "max+".
        &json!({"max": READER_APP_MAX_COUNT, "unreadcounts": out}),
    ))
}

// ---------------------------------------------------------------- read state

/// `POST edit-tag`: `i` items, `a` states to add, `r` states to remove
/// (`read`, `kept-unread`, `starred`; item labels are not kept and are
/// ignored, as are other states).
async fn edit_tag(State(state): State<AppState>, r: Reader, p: Params) -> Res {
    r.check_write(&p)?;
    let user = r.user.id;
    let mut ids = Vec::new();
    for raw in p.all("i") {
        ids.push(parse_item_id(raw).ok_or_else(|| WebError::param("i", "is not an item id"))?);
    }
    if ids.is_empty() {
        return Err(WebError::param("i", "is needed: the items to tag").into());
    }
    let changes = p
        .all("a")
        .map(|t| (t, true))
        .chain(p.all("r").map(|t| (t, false)));
    for (tag, add) in changes {
        match (parse_stream(tag), add) {
            (Some(GStream::Read), read) => mark(&state, user, &ids, read).await?,
            (Some(GStream::KeptUnread), true) => mark(&state, user, &ids, false).await?,
            (Some(GStream::Starred), on) => {
                for id in &ids {
                    match reader::save(&state, user, *id, on).await {
                        Ok(_) => {}
                        // Of several, the ones the reader cannot see are skipped.
                        Err(e) if ids.len() > 1 && e.code() == Code::NotFound => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            _ => {}
        }
    }
    Ok(text(StatusCode::OK, "OK".into()))
}

async fn mark(
    state: &AppState,
    user: tidings_core::UserId,
    ids: &[ArticleId],
    read: bool,
) -> Result<(), GrError> {
    for chunk in ids.chunks(reader::MAX_MARK) {
        reader::mark(state, user, chunk, read).await?;
    }
    Ok(())
}

/// `ts` as apps send it: microseconds (Google Reader), milliseconds or seconds.
fn time_of(ts: i64) -> Timestamp {
    Timestamp(if ts > 100_000_000_000_000 {
        ts / 1000
    } else if ts > 100_000_000_000 {
        ts
    } else {
        ts.saturating_mul(1000)
    })
}

/// `POST mark-all-as-read` (`s`, `ts`: what was first seen at or before it).
async fn mark_all_as_read(State(state): State<AppState>, r: Reader, p: Params) -> Res {
    r.check_write(&p)?;
    let s = p
        .get("s")
        .ok_or_else(|| WebError::param("s", "is needed: the stream to mark"))?;
    let follows = state.store().follows(r.user.id).await?;
    let g =
        parse_stream(s).ok_or_else(|| WebError::param("s", "is not a stream this server knows"))?;
    let view = match &g {
        GStream::ReadingList | GStream::Read | GStream::KeptUnread => Stream::Subscriptions,
        GStream::Starred => Stream::Saved,
        GStream::Label(l) => Stream::Label(l.clone()),
        GStream::Feed(f) => {
            Stream::Source(source_of(&follows.sources, f).ok_or(WebError::NotFound)?)
        }
    };
    let before = p.int("ts")?.filter(|t| *t > 0).map(time_of);
    reader::mark_all(&state, r.user.id, &view, before).await?;
    Ok(text(StatusCode::OK, "OK".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_ids_in_every_form() {
        let id = ArticleId(26);
        assert_eq!(
            long_id(id),
            "tag:google.com,2005:reader/item/000000000000001a"
        );
        assert_eq!(parse_item_id(&long_id(id)), Some(id));
        assert_eq!(parse_item_id("26"), Some(id));
        assert_eq!(parse_item_id("000000000000001a"), Some(id));
        assert_eq!(parse_item_id("0"), None);
        assert_eq!(parse_item_id("tag:google.com,2005:reader/item/zz"), None);
        assert_eq!(parse_item_id("x"), None);
    }

    #[test]
    fn streams_as_apps_name_them() {
        assert_eq!(parse_stream(READING_LIST), Some(GStream::ReadingList));
        assert_eq!(
            parse_stream("user/1234/state/com.google/starred"),
            Some(GStream::Starred)
        );
        assert_eq!(
            parse_stream("user/-/label/Tech news"),
            Some(GStream::Label("Tech news".into()))
        );
        assert_eq!(
            parse_stream("feed/https://a.example/feed.xml"),
            Some(GStream::Feed("https://a.example/feed.xml".into()))
        );
        assert_eq!(parse_stream("user/-/state/com.google/broadcast"), None);
        assert_eq!(parse_stream("feed/"), None);
        assert_eq!(parse_stream("splice/x"), None);
    }

    #[test]
    fn mark_all_times_in_any_unit() {
        assert_eq!(time_of(1_700_000_000), Timestamp(1_700_000_000_000));
        assert_eq!(time_of(1_700_000_000_123), Timestamp(1_700_000_000_123));
        assert_eq!(time_of(1_700_000_000_123_456), Timestamp(1_700_000_000_123));
    }
}
