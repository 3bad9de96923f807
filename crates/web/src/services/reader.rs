//! Readers' own news, for every presentation (pages, the JSON API, reader
//! apps): following, muting, saving, read state, "for you" grouped by
//! story, saved articles and "n new since your last visit". Who may see what
//! is decided here and in the store: a private source's articles reach only
//! the readers who follow it.

use crate::{AppState, Code, WebError};
use tidings_core::UserId;
use tidings_core::{ArticleId, CanonicalUrl, SourceId, SourceKind, StoryId, Timestamp, Topic};
use tidings_store::{
    ArticleCard, ArticleRow, ItemState, MAX_LABEL_CHARS, PageState, PageTarget, ReaderItem,
    StoryRow, Stream, StreamQuery, Subscribed,
};

/// Most articles one request may mark read or unread.
pub const MAX_MARK: usize = 1000;

/// What a reader can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Source(SourceId),
    Topic(String),
    Story(StoryId),
}

impl Target {
    /// From a kind (`source`, `topic` or `story`) and an id or topic slug.
    pub fn parse(kind: &str, id: &str) -> Result<Target, WebError> {
        let num = || {
            id.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| WebError::param("id", "must be a positive integer"))
        };
        match kind {
            "source" => Ok(Target::Source(SourceId(num()?))),
            "story" => Ok(Target::Story(StoryId(num()?))),
            "topic" => Ok(Target::Topic(id.trim().to_string())),
            _ => Err(WebError::param(
                "kind",
                "must be `source`, `topic` or `story`",
            )),
        }
    }

    /// The articles this follow brings.
    pub fn stream(&self) -> Stream {
        match self {
            Target::Source(s) => Stream::Source(*s),
            Target::Topic(t) => Stream::Topic(t.clone()),
            Target::Story(s) => Stream::Story(*s),
        }
    }
}

/// A view "mark all as read" applies to: `for-you`, `saved`, or a
/// source, topic or story.
pub fn view(kind: &str, id: Option<&str>) -> Result<Stream, WebError> {
    match (kind, id.map(str::trim).filter(|s| !s.is_empty())) {
        ("for-you", _) => Ok(Stream::Following),
        ("saved", _) => Ok(Stream::Saved),
        (k @ ("source" | "topic" | "story"), Some(id)) => Ok(Target::parse(k, id)?.stream()),
        ("source" | "topic" | "story", None) => {
            Err(WebError::param("id", "is needed for this view"))
        }
        _ => Err(WebError::param(
            "view",
            "must be `for-you`, `saved`, `source`, `topic` or `story`",
        )),
    }
}

/// A topic slug the site knows, or `NotFound`.
fn topic(slug: &str) -> Result<&'static str, WebError> {
    Topic::from_slug(slug)
        .map(|t| t.slug())
        .ok_or(WebError::NotFound)
}

/// Follow (`on`) or stop following. Returns whether the reader follows it
/// now. `NotFound` for what does not exist or what they may not see.
pub async fn follow(
    state: &AppState,
    user: UserId,
    t: &Target,
    on: bool,
) -> Result<bool, WebError> {
    let store = state.store();
    match (t, on) {
        (Target::Source(s), true) => {
            store.follow_source(user, *s).await?;
        }
        (Target::Source(s), false) => {
            store.unfollow_source(user, *s).await?;
        }
        (Target::Topic(x), true) => {
            store.follow_topic(user, topic(x)?).await?;
        }
        (Target::Topic(x), false) => {
            store.unfollow_topic(user, topic(x)?).await?;
        }
        (Target::Story(s), true) => {
            store.follow_story(user, *s).await?;
        }
        (Target::Story(s), false) => {
            store.unfollow_story(user, *s).await?;
        }
    }
    Ok(on)
}

/// Mute (`on`) a public source, or unmute it. Returns whether it is muted now.
pub async fn mute(
    state: &AppState,
    user: UserId,
    source: SourceId,
    on: bool,
) -> Result<bool, WebError> {
    if on {
        state.store().mute_source(user, source).await?;
    } else {
        state.store().unmute_source(user, source).await?;
    }
    Ok(on)
}

/// Save (`on`) or unsave an article. Returns whether it is saved now.
pub async fn save(
    state: &AppState,
    user: UserId,
    article: ArticleId,
    on: bool,
) -> Result<bool, WebError> {
    if on {
        state.store().save_article(user, article).await?;
    } else {
        state.store().unsave_article(user, article).await?;
    }
    Ok(on)
}

/// Mark articles read or unread. One article the reader may not see (or
/// that does not exist) is `NotFound`; of several, those are skipped.
/// Returns how many were marked.
pub async fn mark(
    state: &AppState,
    user: UserId,
    ids: &[ArticleId],
    read: bool,
) -> Result<u64, WebError> {
    if ids.is_empty() || ids.len() > MAX_MARK {
        return Err(WebError::param(
            "articles",
            &format!("must list 1 to {MAX_MARK} article ids"),
        ));
    }
    let n = state.store().mark_read(user, ids, read).await?;
    if n == 0 && ids.len() == 1 {
        return Err(WebError::NotFound);
    }
    Ok(n)
}

/// Mark everything in a view first seen at or before `before` (default:
/// now) as read.
pub async fn mark_all(
    state: &AppState,
    user: UserId,
    view: &Stream,
    before: Option<Timestamp>,
) -> Result<(), WebError> {
    let store = state.store();
    let view = match view {
        Stream::Source(s) => {
            if !store.may_read_source(Some(user), *s).await? {
                return Err(WebError::NotFound);
            }
            view.clone()
        }
        Stream::Topic(t) => Stream::Topic(topic(t)?.to_string()),
        Stream::Story(s) => {
            store.story(*s).await?.ok_or(WebError::NotFound)?;
            view.clone()
        }
        other => other.clone(),
    };
    store
        .mark_all_read(user, &view, before.unwrap_or_else(Timestamp::now))
        .await?;
    Ok(())
}

/// Articles of one story on a page of "for you", newest first; `story` is
/// `None` for an article that is in no story (a group of its own).
#[derive(Debug, Clone)]
pub struct Group {
    pub story: Option<StoryRow>,
    pub items: Vec<ReaderItem>,
}

/// A page of "for you".
#[derive(Debug, Clone)]
pub struct ForYou {
    pub groups: Vec<Group>,
    /// `(created_at, id)` of the last article, when there is a next page.
    pub next: Option<(i64, i64)>,
    /// Unread articles in all of "for you" (up to `UNREAD_COUNT_CAP`).
    pub unread: i64,
    /// First-seen time of the newest article shown ("mark all as read"
    /// stops there, so what arrived since stays new).
    pub newest: Option<Timestamp>,
    /// Whether the reader follows anything at all.
    pub follows_anything: bool,
}

/// One page of "for you": new articles from what the reader follows,
/// without muted sources, newest first, grouped by story (a story's group
/// sits where its newest article on the page would).
pub async fn for_you(
    state: &AppState,
    user: UserId,
    cursor: Option<(i64, i64)>,
    limit: i64,
    unread_only: bool,
) -> Result<ForYou, WebError> {
    let store = state.store();
    let q = StreamQuery {
        cursor,
        unread_only,
        ..StreamQuery::new(Stream::Following, limit + 1)
    };
    let (entries, unread) = tokio::try_join!(
        store.stream_ids(user, &q),
        store.unread_count(user, &Stream::Following)
    )?;
    let page = usize::try_from(limit).unwrap_or(0);
    let next = (entries.len() > page)
        .then(|| entries.get(page.saturating_sub(1)))
        .flatten()
        .map(|e| (e.created_at.0, e.id.0));
    let ids: Vec<ArticleId> = entries.iter().take(page).map(|e| e.id).collect();
    let items = store.reader_items(user, &ids).await?;
    let mut story_ids: Vec<StoryId> = items.iter().filter_map(|i| i.card.story_id).collect();
    story_ids.sort_unstable();
    story_ids.dedup();
    let stories = store.stories_by_ids(&story_ids).await?;
    let follows_anything =
        !items.is_empty() || cursor.is_some() || store.reader_follows_anything(user).await?;
    Ok(ForYou {
        newest: items.first().map(|i| i.card.created_at),
        groups: group(items, &stories),
        next,
        unread,
        follows_anything,
    })
}

/// Group items (newest first) by story, keeping the order of each story's
/// first item.
pub fn group(items: Vec<ReaderItem>, stories: &[StoryRow]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for item in items {
        let story = item.card.story_id;
        let found = story.and_then(|s| {
            groups
                .iter_mut()
                .find(|g| g.story.as_ref().is_some_and(|x| x.id == s))
        });
        match found {
            Some(g) => g.items.push(item),
            None => groups.push(Group {
                story: story.and_then(|s| stories.iter().find(|x| x.id == s).cloned()),
                items: vec![item],
            }),
        }
    }
    groups
}

/// A page of saved articles, most recently saved first, and the cursor of
/// the next page (`(saved_at, article id)`).
pub async fn saved(
    state: &AppState,
    user: UserId,
    before: Option<(i64, i64)>,
    limit: i64,
) -> Result<(Vec<ReaderItem>, Option<(i64, i64)>), WebError> {
    let mut items = state.store().saved_items(user, before, limit + 1).await?;
    let page = usize::try_from(limit).unwrap_or(0);
    let next = if items.len() > page {
        items.truncate(page);
        items
            .last()
            .and_then(|i| Some((i.saved_at?.0, i.card.id.0)))
    } else {
        None
    };
    Ok((items, next))
}

/// The reader's state of each card of a list (one batch, never a query per
/// card); `None` for visitors.
pub async fn list_states(
    state: &AppState,
    user: Option<UserId>,
    cards: &[ArticleCard],
) -> Result<Option<Vec<ItemState>>, WebError> {
    match user {
        Some(u) => Ok(Some(state.store().item_states(u, cards).await?)),
        None => Ok(None),
    }
}

/// Whether a reader (or a visitor) may see an article: any public one; a
/// private source's only when they follow the source.
pub async fn may_read(
    state: &AppState,
    user: Option<UserId>,
    a: &ArticleRow,
) -> Result<bool, WebError> {
    if !a.private {
        return Ok(true);
    }
    match user {
        Some(u) => Ok(state.store().follows_source(u, a.source_id).await?),
        None => Ok(false),
    }
}

/// A reader opens an article page: their state of it and its source and
/// story, and the article becomes read (written only when it was unread,
/// so reopening costs no write).
pub async fn open_article(
    state: &AppState,
    user: UserId,
    a: &ArticleRow,
) -> Result<PageState, WebError> {
    let mut s = state
        .store()
        .page_state(
            user,
            &PageTarget {
                article: Some((a.id, a.created_at)),
                source: Some(a.source_id),
                story: a.story_id,
                topic: None,
            },
        )
        .await?;
    if !s.article.read {
        state.store().mark_read(user, &[a.id], true).await?;
        s.article.read = true;
    }
    Ok(s)
}

/// What a reader following a story sees on its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryNews {
    /// Articles first seen since the last visit (before this one).
    pub new_since_visit: i64,
    pub last_visit: Timestamp,
}

/// A reader opens a story page: whether they follow it and, if so, what is
/// new since their last visit, which moves to now (written only when there
/// was something new).
pub async fn visit_story(
    state: &AppState,
    user: UserId,
    story: StoryId,
) -> Result<Option<StoryNews>, WebError> {
    let store = state.store();
    let s = store
        .page_state(
            user,
            &PageTarget {
                story: Some(story),
                ..Default::default()
            },
        )
        .await?;
    let Some(last) = s.story_last_visit else {
        return Ok(None);
    };
    let n = store.story_articles_since(story, last).await?;
    if n > 0 {
        store.visit_story(user, story, Timestamp::now()).await?;
    }
    Ok(Some(StoryNews {
        new_since_visit: n,
        last_visit: last,
    }))
}

/// Where a reader stands on a source, topic or story page's subject.
pub async fn page_state(
    state: &AppState,
    user: UserId,
    target: PageTarget<'_>,
) -> Result<PageState, WebError> {
    Ok(state.store().page_state(user, &target).await?)
}

/// A label or a reader's own name for a source, trimmed: 1 to
/// `MAX_LABEL_CHARS` characters, no control characters.
pub fn clean_label(name: &str) -> Result<String, WebError> {
    let l = name.trim();
    if l.is_empty() || l.chars().count() > MAX_LABEL_CHARS || l.chars().any(char::is_control) {
        return Err(WebError::Invalid(format!(
            "a label must be 1 to {MAX_LABEL_CHARS} characters, without control characters"
        )));
    }
    Ok(l.to_string())
}

/// Subscribe a reader to a feed by its address (reader apps): the source
/// at that address, or, when the operator allows personal feeds
/// (`[accounts] personal_feeds`), a private source added for them.
/// Otherwise `forbidden`, saying so.
pub async fn subscribe(
    state: &AppState,
    user: UserId,
    url: &str,
    title: Option<&str>,
) -> Result<Subscribed, WebError> {
    let url = CanonicalUrl::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.as_str().split(':').next(), Some("http" | "https")))
        .ok_or_else(|| WebError::param("url", "must be an http or https address"))?;
    let title = title.map(clean_label).transpose()?;
    let allowed = state.config().accounts.personal_feeds;
    state
        .store()
        .subscribe_url(user, &url, SourceKind::Feed, title.as_deref(), allowed)
        .await?
        .ok_or_else(|| WebError::Problem {
            code: Code::Forbidden,
            detail: "this site follows only the sources its operators add; personal feeds are \
                     turned off (`[accounts] personal_feeds`)"
                .into(),
            retry_after: None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_core::SourceId;

    fn item(id: i64, story: Option<i64>) -> ReaderItem {
        ReaderItem {
            card: ArticleCard {
                id: ArticleId(id),
                title: format!("a{id}"),
                url: String::new(),
                description: None,
                source_id: SourceId(1),
                source_name: String::new(),
                published_at: None,
                created_at: Timestamp(id),
                image_url: None,
                language: None,
                story_id: story.map(StoryId),
                image: None,
            },
            read: false,
            saved_at: None,
        }
    }

    fn story(id: i64) -> StoryRow {
        StoryRow {
            id: StoryId(id),
            title: format!("s{id}"),
            lead_article_id: None,
            first_seen_at: Timestamp(0),
            last_seen_at: Timestamp(0),
            article_count: 2,
            source_count: 2,
        }
    }

    #[test]
    fn groups_follow_the_newest_article_of_each_story() {
        let items = vec![
            item(9, Some(1)),
            item(8, None),
            item(7, Some(2)),
            item(6, Some(1)),
            item(5, None),
        ];
        let g = group(items, &[story(1), story(2)]);
        let shape: Vec<(Option<i64>, Vec<i64>)> = g
            .iter()
            .map(|g| {
                (
                    g.story.as_ref().map(|s| s.id.0),
                    g.items.iter().map(|i| i.card.id.0).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (Some(1), vec![9, 6]),
                (None, vec![8]),
                (Some(2), vec![7]),
                (None, vec![5]),
            ]
        );
    }

    #[test]
    fn targets_and_views_parse_or_say_what_is_wrong() {
        assert_eq!(
            Target::parse("source", "3").unwrap(),
            Target::Source(SourceId(3))
        );
        assert_eq!(
            Target::parse("topic", "science").unwrap(),
            Target::Topic("science".into())
        );
        assert!(Target::parse("source", "-1").is_err());
        assert!(Target::parse("source", "x").is_err());
        assert!(Target::parse("planet", "1").is_err());
        assert_eq!(view("for-you", None).unwrap(), Stream::Following);
        assert_eq!(view("story", Some("4")).unwrap(), Stream::Story(StoryId(4)));
        assert!(view("story", None).is_err());
        assert!(view("everything", None).is_err());
        assert!(clean_label(" News ").is_ok_and(|l| l == "News"));
        assert!(clean_label("").is_err() && clean_label("a\nb").is_err());
        assert!(clean_label(&"x".repeat(MAX_LABEL_CHARS + 1)).is_err());
    }
}
