//! The Fever API at `/api/fever` (`?api`), the older protocol several apps
//! still speak (Reeder, Unread, Fiery Feeds, ReadKit…), as Miniflux serves it.
//!
//! Every call carries `api_key` = `md5("username:password")`, where the
//! password is a Fever app password the reader makes on `/account/apps`
//! (see `services::reader_apps`); a wrong or missing key is answered
//! `{"api_version": 3, "auth": 0}`. Groups are the reader's labels (stable
//! ids derived from the name), feeds the sources they follow, items their
//! articles by id (`since_id`, `max_id`, `with_ids`; 50 per call), and
//! `mark=item|feed|group` with `as=read|unread|saved|unsaved` writes the
//! read state and saved articles. There are no favicons and no links.

use super::{Params, absolute_media, base, personal, set};
use crate::services::reader;
use crate::services::reader_apps;
use crate::{AppState, Code, WebError};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tidings_core::{ArticleId, SourceId, Timestamp};
use tidings_store::{IdPage, Stream, StreamQuery};

/// Items per call, as the protocol says.
const ITEMS: i64 = 50;
/// Most ids `unread_item_ids` and `saved_item_ids` list.
const MAX_IDS: i64 = 10_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/fever", get(fever).post(fever))
        .route("/api/fever/", get(fever).post(fever))
}

fn answer(v: &Value) -> Response {
    personal(
        (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            v.to_string(),
        )
            .into_response(),
    )
}

/// A label's group id: stable while the label exists, whatever else changes.
pub fn group_id(label: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    i64::try_from(h & 0x3fff_ffff).unwrap_or(0) + 1
}

fn ids_csv(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

async fn fever(State(state): State<AppState>, headers: HeaderMap, p: Params) -> Response {
    match run(&state, &headers, &p).await {
        Ok(v) => answer(&v),
        Err(e) => {
            e.log();
            let mut v = json!({"api_version": 3, "auth": 1, "error": e.problem().detail});
            if e.code() == Code::Unauthorized {
                set(&mut v, "auth", json!(0));
            }
            let mut r = answer(&v);
            *r.status_mut() = e.status();
            r
        }
    }
}

async fn run(state: &AppState, headers: &HeaderMap, p: &Params) -> Result<Value, WebError> {
    let key = p.get("api_key").unwrap_or_default();
    let Some(user) = reader_apps::user_for_fever_key(state, key).await? else {
        return Ok(json!({"api_version": 3, "auth": 0}));
    };
    let store = state.store();
    let uid = user.id;
    let mut v = json!({
        "api_version": 3,
        "auth": 1,
        "last_refreshed_on_time": Timestamp::now().0 / 1000,
    });
    if p.has("mark") {
        mark(state, uid, p).await?;
    }
    let wants_groups = p.has("groups");
    let wants_feeds = p.has("feeds");
    if wants_groups || wants_feeds {
        let follows = store.follows(uid).await?;
        let mut labels: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
        for s in &follows.sources {
            for l in &s.labels {
                labels.entry(l.as_str()).or_default().push(s.source_id.0);
            }
        }
        let feeds_groups: Vec<Value> = labels
            .iter()
            .map(|(l, ids)| json!({"group_id": group_id(l), "feed_ids": ids_csv(ids.iter().copied())}))
            .collect();
        if wants_groups {
            set(
                &mut v,
                "groups",
                labels
                    .keys()
                    .map(|l| json!({"id": group_id(l), "title": l}))
                    .collect(),
            );
        }
        if wants_feeds {
            set(
                &mut v,
                "feeds",
                follows
                    .sources
                    .iter()
                    .map(|s| {
                        json!({
                            "id": s.source_id.0,
                            "favicon_id": 0,
                            "title": s.name,
                            "url": s.url,
                            "site_url": s.site_url.as_deref().unwrap_or(&s.url),
                            "is_spark": 0,
                            "last_updated_on_time": 0,
                        })
                    })
                    .collect(),
            );
        }
        set(&mut v, "feeds_groups", json!(feeds_groups));
    }
    if p.has("favicons") {
        set(&mut v, "favicons", json!([]));
    }
    if p.has("links") {
        set(&mut v, "links", json!([]));
    }
    if p.has("items") {
        let ids: Vec<ArticleId> = if let Some(with) = p.get("with_ids") {
            let mut ids = Vec::new();
            for part in with.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let n: i64 = part
                    .parse()
                    .map_err(|_| WebError::param("with_ids", "must list article ids"))?;
                ids.push(ArticleId(n));
            }
            ids.truncate(usize::try_from(ITEMS).unwrap_or(50));
            ids
        } else {
            let page = match (p.int("since_id")?, p.int("max_id")?) {
                (_, Some(max)) if max > 0 => IdPage::Before(max),
                (Some(since), _) => IdPage::After(since.max(0)),
                _ => IdPage::After(0),
            };
            store.subscription_ids_by_id(uid, page, ITEMS).await?
        };
        let items = reader_apps::items(state, uid, &ids).await?;
        let base = base(state, headers);
        set(
            &mut v,
            "items",
            items
                .iter()
                .map(|it| {
                    let c = &it.item.card;
                    json!({
                        "id": c.id.0,
                        "feed_id": c.source_id.0,
                        "title": c.title,
                        "author": it.authors.join(", "),
                        "html": absolute_media(&it.html, &base),
                        "url": c.url,
                        "is_saved": i32::from(it.item.saved_at.is_some()),
                        "is_read": i32::from(it.item.read),
                        "created_on_time": c.published_at.unwrap_or(c.created_at).0 / 1000,
                    })
                })
                .collect(),
        );
        set(
            &mut v,
            "total_items",
            json!(store.subscription_article_count(uid).await?),
        );
    }
    if p.has("unread_item_ids") {
        let q = StreamQuery {
            unread_only: true,
            ..StreamQuery::new(Stream::Subscriptions, MAX_IDS)
        };
        let ids = store.stream_ids(uid, &q).await?;
        set(
            &mut v,
            "unread_item_ids",
            json!(ids_csv(ids.iter().map(|e| e.id.0))),
        );
    }
    if p.has("saved_item_ids") {
        let ids = store
            .stream_ids(uid, &StreamQuery::new(Stream::Saved, MAX_IDS))
            .await?;
        set(
            &mut v,
            "saved_item_ids",
            json!(ids_csv(ids.iter().map(|e| e.id.0))),
        );
    }
    Ok(v)
}

/// `mark=item&as=read|unread|saved|unsaved&id=…`, or
/// `mark=feed|group&as=read&id=…&before=…` (unix seconds; group 0 is all).
async fn mark(state: &AppState, user: tidings_core::UserId, p: &Params) -> Result<(), WebError> {
    let id = p
        .int("id")?
        .ok_or_else(|| WebError::param("id", "is needed"))?;
    let how = p.get("as").unwrap_or_default();
    match p.get("mark").unwrap_or_default() {
        "item" => {
            let a = ArticleId(id);
            match how {
                "read" => reader::mark(state, user, &[a], true).await.map(|_| ()),
                "unread" => reader::mark(state, user, &[a], false).await.map(|_| ()),
                "saved" => reader::save(state, user, a, true).await.map(|_| ()),
                "unsaved" => reader::save(state, user, a, false).await.map(|_| ()),
                _ => Err(WebError::param(
                    "as",
                    "must be `read`, `unread`, `saved` or `unsaved`",
                )),
            }
        }
        kind @ ("feed" | "group") => {
            if how != "read" {
                return Err(WebError::param("as", "must be `read` for a feed or group"));
            }
            let view = if kind == "feed" {
                Stream::Source(SourceId(id))
            } else if id <= 0 {
                Stream::Subscriptions
            } else {
                let labels = state.store().labels(user).await?;
                let l = labels
                    .into_iter()
                    .map(|(l, _)| l)
                    .find(|l| group_id(l) == id)
                    .ok_or(WebError::NotFound)?;
                Stream::Label(l)
            };
            let before = p
                .int("before")?
                .filter(|b| *b > 0)
                .map(|b| Timestamp(b.saturating_mul(1000)));
            reader::mark_all(state, user, &view, before).await
        }
        _ => Err(WebError::param("mark", "must be `item`, `feed` or `group`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_ids_are_stable_and_positive() {
        assert_eq!(group_id("Tech"), group_id("Tech"));
        assert_ne!(group_id("Tech"), group_id("World"));
        assert!(group_id("") > 0 && group_id("Tech") <= 0x4000_0000);
        assert_eq!(ids_csv([3, 1, 2].into_iter()), "3,1,2");
    }
}
