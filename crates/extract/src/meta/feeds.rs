//! `<link rel="alternate">` feeds, absolute and each once.

use super::*;

/// The feeds the page links to.
pub(crate) fn fill(pg: &Sources<'_>, m: &mut Meta) {
    let mut seen = std::collections::HashSet::new();
    for (href, title, kind) in pg.scan.feeds_raw.iter().cloned() {
        if let Some(url) = abs_url(&pg.base, &href)
            && seen.insert(url.to_string())
        {
            m.feeds.push(FeedLink { url, title, kind });
        }
    }
}
