//! Stories: the ranking of the front page and the API, and one story with
//! every source's coverage.

use crate::{AppState, WebError};
use tidings_core::{StoryId, Timestamp};
use tidings_store::{Coverage, StoryRow};

/// Rank stories by how many sources cover them and how recent they are:
/// coverage / (age in hours + 2)^1.2, so a story three outlets carried this
/// morning beats one that ten carried last week.
pub fn rank(stories: Vec<StoryRow>, now: Timestamp) -> Vec<StoryRow> {
    let score = |s: &StoryRow| {
        let coverage = s.source_count as f64 * 2.0 + s.article_count as f64;
        let age_h = ((now.0 - s.last_seen_at.0).max(0) as f64) / 3_600_000.0;
        coverage / (age_h + 2.0).powf(1.2)
    };
    let mut v = stories;
    v.sort_by(|a, b| score(b).total_cmp(&score(a)).then(b.id.cmp(&a.id)));
    v
}

/// The best-ranked recent stories covered by at least `min_sources` sources.
pub async fn top(
    state: &AppState,
    now: Timestamp,
    min_sources: i64,
    n: usize,
) -> Result<Vec<StoryRow>, WebError> {
    Ok(rank(state.store().recent_stories(500).await?, now)
        .into_iter()
        .filter(|s| s.source_count >= min_sources)
        .take(n)
        .collect())
}

/// How many related stories a story page and the API show.
pub const RELATED_STORIES: i64 = 5;

/// Stories related to `id` (other steps of a saga, the same subject), most
/// related first.
pub async fn related(state: &AppState, id: StoryId) -> Result<Vec<StoryRow>, WebError> {
    Ok(state.store().related_stories(id, RELATED_STORIES).await?)
}

/// One story and its coverage, newest first; `NotFound` when there is none.
pub async fn detail(state: &AppState, id: StoryId) -> Result<(StoryRow, Vec<Coverage>), WebError> {
    let store = state.store();
    let s = store.story(id).await?.ok_or(WebError::NotFound)?;
    let coverage = store.story_coverage(s.id).await?;
    Ok((s, coverage))
}
