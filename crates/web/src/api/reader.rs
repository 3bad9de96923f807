//! Readers' own news: follows, mutes, saved articles, read state and "for
//! you", for the account behind the token. Reads also work with the
//! website's session; writes need an API token (the site's forms carry
//! CSRF tokens instead). The rules are in `services::reader`.

use super::articles::{ArticleSummary, summary};
use super::problem::json_rejection;
use super::stories::StorySummary;
use super::{ApiError, Problem, decode_cursor, encode_cursor, page_limit};
use crate::AppState;
use crate::services::accounts::Viewer;
use crate::services::reader::{self, Target};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tidings_core::{ArticleId, SourceId, StoryId, Timestamp, Topic, UserId};
use tidings_store::{ReaderItem, Stream};
use utoipa::{IntoParams, ToSchema};

/// The reader behind a read: a token or the website's session.
fn reader_of(viewer: &Viewer) -> Result<UserId, ApiError> {
    Ok(viewer.require_user()?.id)
}

/// The reader behind a write: an API token only.
fn writer_of(viewer: &Viewer) -> Result<UserId, ApiError> {
    match &viewer.signed_in {
        Some(s) if s.session.is_none() => Ok(s.user.id),
        _ => Err(crate::WebError::LoginRequired.into()),
    }
}

fn positive(name: &str, raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::invalid(name, "must be a positive integer"))
}

/// An article in a reader's list: the usual summary with `read` and `saved`.
pub(crate) fn reader_summary(i: &ReaderItem) -> ArticleSummary {
    let mut s = summary(&i.card);
    s.read = Some(i.read);
    s.saved = Some(i.saved_at.is_some());
    s
}

// ---------------------------------------------------------------- follows

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowedSourceInfo {
    pub id: i64,
    /// The reader's own name for it, else the source's.
    pub name: String,
    /// The reader's own name, if they gave one.
    pub title: Option<String>,
    pub url: String,
    pub site_url: Option<String>,
    /// A feed only this reader (and others who subscribed to it) sees.
    pub private: bool,
    pub labels: Vec<String>,
    pub followed_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowedTopicInfo {
    pub slug: String,
    pub label: String,
    pub followed_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowedStoryInfo {
    pub id: i64,
    pub title: String,
    pub page_url: String,
    pub followed_at: String,
    /// When the reader last opened the story's page.
    pub last_visit_at: String,
    /// Articles first seen since then.
    pub new_since_visit: i64,
    pub last_seen_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MutedSourceInfo {
    pub id: i64,
    pub name: String,
    pub muted_at: String,
}

/// Everything the reader follows and mutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct Follows {
    pub sources: Vec<FollowedSourceInfo>,
    pub topics: Vec<FollowedTopicInfo>,
    pub stories: Vec<FollowedStoryInfo>,
    pub muted: Vec<MutedSourceInfo>,
}

/// Whether the reader follows the thing now.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowState {
    pub following: bool,
}

/// Whether the source is muted now.
#[derive(Debug, Serialize, ToSchema)]
pub struct MuteState {
    pub muted: bool,
}

/// Whether the article is saved now.
#[derive(Debug, Serialize, ToSchema)]
pub struct SaveState {
    pub saved: bool,
}

/// What the reader follows (sources, topics, stories) and mutes.
#[utoipa::path(get, path = "/api/v1/follows", tag = "reader",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Follows and mutes", body = Follows),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_follows(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Follows>, ApiError> {
    let user = reader_of(&viewer)?;
    let f = state.store().follows(user).await?;
    Ok(Json(Follows {
        sources: f
            .sources
            .into_iter()
            .map(|s| FollowedSourceInfo {
                id: s.source_id.0,
                name: s.name,
                title: s.title,
                url: s.url,
                site_url: s.site_url,
                private: s.private,
                labels: s.labels,
                followed_at: s.created_at.to_rfc3339(),
            })
            .collect(),
        topics: f
            .topics
            .into_iter()
            .map(|t| FollowedTopicInfo {
                label: Topic::from_slug(&t.topic)
                    .map_or_else(|| t.topic.clone(), |x| x.label().to_string()),
                slug: t.topic,
                followed_at: t.created_at.to_rfc3339(),
            })
            .collect(),
        stories: f
            .stories
            .into_iter()
            .map(|s| FollowedStoryInfo {
                id: s.story_id.0,
                page_url: crate::format::story_href(s.story_id.0),
                title: s.title,
                followed_at: s.created_at.to_rfc3339(),
                last_visit_at: s.last_visit_at.to_rfc3339(),
                new_since_visit: s.new_since_visit,
                last_seen_at: s.last_seen_at.to_rfc3339(),
            })
            .collect(),
        muted: f
            .muted
            .into_iter()
            .map(|m| MutedSourceInfo {
                id: m.source_id.0,
                name: m.name,
                muted_at: m.created_at.to_rfc3339(),
            })
            .collect(),
    }))
}

async fn set_follow(
    state: &AppState,
    viewer: &Viewer,
    t: Target,
    on: bool,
) -> Result<Json<FollowState>, ApiError> {
    let user = writer_of(viewer)?;
    let following = reader::follow(state, user, &t, on).await?;
    Ok(Json(FollowState { following }))
}

/// Follow a source: its new articles come to "for you".
#[utoipa::path(put, path = "/api/v1/follows/sources/{id}", tag = "reader",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Source id")),
    responses(
        (status = 200, description = "Followed (also when it was already)", body = FollowState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn follow_source(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<FollowState>, ApiError> {
    let id = positive("id", &id)?;
    set_follow(&state, &viewer, Target::Source(SourceId(id)), true).await
}

/// Stop following a source.
#[utoipa::path(delete, path = "/api/v1/follows/sources/{id}", tag = "reader",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Source id")),
    responses(
        (status = 200, description = "Not followed (also when it was not)", body = FollowState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unfollow_source(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<FollowState>, ApiError> {
    let id = positive("id", &id)?;
    set_follow(&state, &viewer, Target::Source(SourceId(id)), false).await
}

/// Follow a topic (by slug, see `/api/v1/topics`).
#[utoipa::path(put, path = "/api/v1/follows/topics/{slug}", tag = "reader",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Topic slug")),
    responses(
        (status = 200, description = "Followed (also when it was already)", body = FollowState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn follow_topic(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Json<FollowState>, ApiError> {
    set_follow(&state, &viewer, Target::Topic(slug), true).await
}

/// Stop following a topic.
#[utoipa::path(delete, path = "/api/v1/follows/topics/{slug}", tag = "reader",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "Topic slug")),
    responses(
        (status = 200, description = "Not followed (also when it was not)", body = FollowState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such topic", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unfollow_topic(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Json<FollowState>, ApiError> {
    set_follow(&state, &viewer, Target::Topic(slug), false).await
}

/// Follow a story: its new articles come to "for you", and its page says
/// what is new since the last visit.
#[utoipa::path(put, path = "/api/v1/follows/stories/{id}", tag = "reader",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Story id")),
    responses(
        (status = 200, description = "Followed (also when it was already)", body = FollowState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such story", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn follow_story(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<FollowState>, ApiError> {
    let id = positive("id", &id)?;
    set_follow(&state, &viewer, Target::Story(StoryId(id)), true).await
}

/// Stop following a story.
#[utoipa::path(delete, path = "/api/v1/follows/stories/{id}", tag = "reader",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Story id")),
    responses(
        (status = 200, description = "Not followed (also when it was not)", body = FollowState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unfollow_story(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<FollowState>, ApiError> {
    let id = positive("id", &id)?;
    set_follow(&state, &viewer, Target::Story(StoryId(id)), false).await
}

/// Mute a source: its articles stay out of "for you", even through a
/// followed topic or story.
#[utoipa::path(put, path = "/api/v1/mutes/sources/{id}", tag = "reader",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Source id")),
    responses(
        (status = 200, description = "Muted (also when it was already)", body = MuteState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mute_source(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<MuteState>, ApiError> {
    let user = writer_of(&viewer)?;
    let id = positive("id", &id)?;
    let muted = reader::mute(&state, user, SourceId(id), true).await?;
    Ok(Json(MuteState { muted }))
}

/// Unmute a source.
#[utoipa::path(delete, path = "/api/v1/mutes/sources/{id}", tag = "reader",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Source id")),
    responses(
        (status = 200, description = "Not muted (also when it was not)", body = MuteState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unmute_source(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<MuteState>, ApiError> {
    let user = writer_of(&viewer)?;
    let id = positive("id", &id)?;
    let muted = reader::mute(&state, user, SourceId(id), false).await?;
    Ok(Json(MuteState { muted }))
}

// ---------------------------------------------------------------- saved

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–100 (default 20).
    pub limit: Option<i64>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of the reader's articles, each with `read` and `saved`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReaderPage {
    pub items: Vec<ArticleSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The reader's saved articles, most recently saved first.
#[utoipa::path(get, path = "/api/v1/saved", tag = "reader",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of saved articles", body = ReaderPage),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_saved(
    State(state): State<AppState>,
    viewer: Viewer,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<ReaderPage>, ApiError> {
    let Query(q) = q.map_err(super::problem::rejection)?;
    let user = reader_of(&viewer)?;
    let limit = page_limit(q.limit)?;
    let before = decode_cursor(q.cursor.as_deref())?;
    let (items, next) = reader::saved(&state, user, before, limit).await?;
    Ok(Json(ReaderPage {
        items: items.iter().map(reader_summary).collect(),
        next_cursor: next.map(|(t, id)| encode_cursor(t, id)),
    }))
}

/// Save an article for later.
#[utoipa::path(put, path = "/api/v1/saved/{id}", tag = "reader",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "Saved (also when it was already)", body = SaveState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn save_article(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<SaveState>, ApiError> {
    let user = writer_of(&viewer)?;
    let id = positive("id", &id)?;
    let saved = reader::save(&state, user, ArticleId(id), true).await?;
    Ok(Json(SaveState { saved }))
}

/// Remove an article from the saved ones.
#[utoipa::path(delete, path = "/api/v1/saved/{id}", tag = "reader",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "Not saved (also when it was not)", body = SaveState),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unsave_article(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<SaveState>, ApiError> {
    let user = writer_of(&viewer)?;
    let id = positive("id", &id)?;
    let saved = reader::save(&state, user, ArticleId(id), false).await?;
    Ok(Json(SaveState { saved }))
}

// ---------------------------------------------------------------- read state

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadRequest {
    /// Article ids, 1 to 1000.
    pub articles: Vec<i64>,
    /// `true` (default) marks them read, `false` unread (even where "mark all
    /// as read" made them read).
    #[serde(default = "yes")]
    pub read: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadResult {
    /// How many of the articles were marked (unknown ones are skipped).
    pub marked: u64,
}

/// Mark articles read or unread.
#[utoipa::path(post, path = "/api/v1/read", tag = "reader",
    security(("bearer" = [])),
    request_body = ReadRequest,
    responses(
        (status = 200, description = "Marked", body = ReadResult),
        (status = 400, description = "No ids, too many, or an unreadable body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The one article given does not exist", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Result<Json<ReadRequest>, JsonRejection>,
) -> Result<Json<ReadResult>, ApiError> {
    let user = writer_of(&viewer)?;
    let Json(r) = body.map_err(json_rejection)?;
    let ids: Vec<ArticleId> = r.articles.iter().map(|i| ArticleId(*i)).collect();
    let marked = reader::mark(&state, user, &ids, r.read).await?;
    Ok(Json(ReadResult { marked }))
}

/// Which articles "mark all as read" applies to.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadView {
    ForYou,
    Saved,
    Source,
    Topic,
    Story,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadAllRequest {
    pub view: ReadView,
    /// The source, for `view: source`.
    pub source: Option<i64>,
    /// The topic slug, for `view: topic`.
    pub topic: Option<String>,
    /// The story, for `view: story`.
    pub story: Option<i64>,
    /// Only articles first seen at or before this time (RFC 3339; default:
    /// now), so what arrived after the reader looked stays unread.
    pub before: Option<String>,
}

/// Mark everything in a view as read ("for you" marks everything).
#[utoipa::path(post, path = "/api/v1/read/all", tag = "reader",
    security(("bearer" = [])),
    request_body = ReadAllRequest,
    responses(
        (status = 204, description = "Marked"),
        (status = 400, description = "A missing or unusable field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such source, topic or story", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Result<Json<ReadAllRequest>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let user = writer_of(&viewer)?;
    let Json(r) = body.map_err(json_rejection)?;
    let need = |v: Option<i64>, name: &str| {
        v.filter(|n| *n > 0).ok_or_else(|| {
            ApiError::invalid(
                name,
                &format!("is needed (a positive id) for view `{name}`"),
            )
        })
    };
    let view = match r.view {
        ReadView::ForYou => Stream::Following,
        ReadView::Saved => Stream::Saved,
        ReadView::Source => Stream::Source(SourceId(need(r.source, "source")?)),
        ReadView::Story => Stream::Story(StoryId(need(r.story, "story")?)),
        ReadView::Topic => Stream::Topic(
            r.topic
                .clone()
                .ok_or_else(|| ApiError::invalid("topic", "is needed for view `topic`"))?,
        ),
    };
    let before = match r.before.as_deref() {
        None => None,
        Some(b) => Some(Timestamp::parse_rfc3339(b).ok_or_else(|| {
            ApiError::invalid(
                "before",
                "must be an RFC 3339 time such as 2026-11-29T06:00:00Z",
            )
        })?),
    };
    reader::mark_all(&state, user, &view, before).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- for you

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForYouQuery {
    /// Page size, 1–100 (default 20).
    pub limit: Option<i64>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only unread articles.
    pub unread: Option<bool>,
}

/// A page of "for you".
#[derive(Debug, Serialize, ToSchema)]
pub struct ForYouPage {
    /// Newest first; articles of one story follow its newest one.
    pub items: Vec<ArticleSummary>,
    /// The stories of this page's articles (group `items` by `story_id`).
    pub stories: Vec<StorySummary>,
    /// Unread articles in all of "for you" (counted up to 1000).
    pub unread_count: i64,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// New articles from the sources, topics and stories the reader follows,
/// without muted sources, grouped by story, newest first.
#[utoipa::path(get, path = "/api/v1/for-you", tag = "reader",
    security(("bearer" = [])),
    params(ForYouQuery),
    responses(
        (status = 200, description = "A page of for-you", body = ForYouPage),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn for_you(
    State(state): State<AppState>,
    viewer: Viewer,
    q: Result<Query<ForYouQuery>, QueryRejection>,
) -> Result<Json<ForYouPage>, ApiError> {
    let Query(q) = q.map_err(super::problem::rejection)?;
    let user = reader_of(&viewer)?;
    let limit = page_limit(q.limit)?;
    let cursor = decode_cursor(q.cursor.as_deref())?;
    let page = reader::for_you(&state, user, cursor, limit, q.unread.unwrap_or(false)).await?;
    Ok(Json(ForYouPage {
        stories: page
            .groups
            .iter()
            .filter_map(|g| g.story.as_ref())
            .map(super::stories::summary)
            .collect(),
        items: page
            .groups
            .iter()
            .flat_map(|g| g.items.iter())
            .map(reader_summary)
            .collect(),
        unread_count: page.unread,
        next_cursor: page.next.map(|(t, id)| encode_cursor(t, id)),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceUnreadInfo {
    pub id: i64,
    pub count: i64,
    /// When the newest unread article was first seen.
    pub newest_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCounts {
    /// Unread in "for you" (counted up to 1000).
    pub for_you: i64,
    /// Unread per followed source that has any.
    pub sources: Vec<SourceUnreadInfo>,
}

/// Unread counts: "for you" and each followed source.
#[utoipa::path(get, path = "/api/v1/unread", tag = "reader",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unread counts", body = UnreadCounts),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unread_counts(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<UnreadCounts>, ApiError> {
    let user = reader_of(&viewer)?;
    let store = state.store();
    let (for_you, sources) = tokio::try_join!(
        store.unread_count(user, &Stream::Following),
        store.unread_by_source(user)
    )?;
    Ok(Json(UnreadCounts {
        for_you,
        sources: sources
            .into_iter()
            .map(|s| SourceUnreadInfo {
                id: s.source_id.0,
                count: s.count,
                newest_at: s.newest.to_rfc3339(),
            })
            .collect(),
    }))
}
