//! Search, for the page, the feed of a search and the API alike.

use crate::{AppState, WebError};
use tidings_search::{SearchRequest, Sort};

/// Run a search for pages, feeds and the API alike; `None` when this node
/// has no search index.
pub async fn run(
    state: &AppState,
    q: &str,
    newest: bool,
    offset: usize,
    limit: usize,
) -> Result<Option<tidings_search::SearchResults>, WebError> {
    let Some(index) = state.search().cloned() else {
        return Ok(None);
    };
    let mut req = SearchRequest::new(q.to_string());
    req.sort = if newest {
        Sort::Newest
    } else {
        Sort::Relevance
    };
    req.offset = offset.min(1000);
    req.limit = limit;
    let res = tokio::task::spawn_blocking(move || index.search(&req))
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Some(res))
}
