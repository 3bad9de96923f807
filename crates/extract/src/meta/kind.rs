//! What the page says it is: one article, a discussion thread, a Q&A page.

use super::*;

/// The page says it is one article: OpenGraph type `article`, `article:published_time`,
/// one or two JSON-LD objects of an article type (a listing marks up each of its items,
/// so more do not count) or one microdata item of one. Each source counts on its own: a
/// page may repeat its own JSON-LD object (two scripts), while several microdata
/// articles are a listing's items or related stories.
pub(crate) fn declares_article(scan: &Scan, ld_articles: usize) -> bool {
    let og_article = scan
        .get("og:type")
        .is_some_and(|t| t.eq_ignore_ascii_case("article"));
    let published_time = scan.get("article:published_time").is_some();
    og_article
        || published_time
        || (1..=MAX_LD_ARTICLES).contains(&ld_articles)
        || scan.md_articles == 1
}

/// A forum's URL: a thread path segment or a forum engine's script.
pub(crate) fn forum_url(page_url: &Url) -> bool {
    if let Some(segs) = page_url.path_segments() {
        // Not `topics` or `community`: those name tag listings (`/topics/rust`) and
        // site sections (`/community/tutorials/`) more often than threads.
        let forum_seg = |s: &str| {
            matches!(
                s,
                "forum"
                    | "forums"
                    | "thread"
                    | "threads"
                    | "topic"
                    | "t"
                    | "questions"
                    | "comments"
                    | "discussion"
                    | "discussions"
            )
        };
        // Script-style engines: phpBB `viewtopic.php?t=`, vBulletin `showthread.php`,
        // SMF `index.php?topic=`.
        let script = |s: &str| matches!(s, "viewtopic.php" | "showthread.php" | "showtopic.php");
        let query = page_url
            .query_pairs()
            .any(|(k, _)| matches!(k.as_ref(), "topic" | "showtopic" | "threadid"));
        if segs.into_iter().any(|s| forum_seg(s) || script(s)) || query {
            return true;
        }
    }
    false
}
