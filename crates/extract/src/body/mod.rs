//! Our own body extractor (trafilatura-style): prune boilerplate subtrees, pick the
//! main container from semantic and CMS hints (falling back to a paragraph-density
//! score), then keep or drop content paragraph by paragraph.
//!
//! The passes, one module each: [`prune`] (statistics per subtree and what is pruned:
//! the context [`Ctx`]), [`cards`] (repeated cards on a page read as one article),
//! [`container`] (where the body is, its core and tail), [`blocks`] (the container cut
//! into paragraph-level blocks), [`filter`] (which blocks stay) and [`furniture`]
//! (lines that frame an article rather than tell it).
//!
//! It complements dom_smoothie (a Readability port) well: on WCXB articles the two
//! disagree on different pages, which is what the choice in `combine.rs` uses.

mod blocks;
mod cards;
mod container;
mod filter;
mod furniture;
mod prune;

pub(crate) use self::{blocks::*, container::*, filter::*, furniture::*, prune::*};
use crate::arena::{Arena, Ix, Kind, collapse_ws};

/// One paragraph-level unit of text in document order.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// The block-level element that owns the text.
    pub(crate) owner: Ix,
    /// Text nodes making up this block (for rendering the kept ones).
    pub(crate) texts: Vec<Ix>,
    pub(crate) text: String,
    pub(crate) link_chars: usize,
    pub(crate) kind: BlockKind,
    pub(crate) keep: bool,
    /// Kept in the HTML but not in the text: inline "Related: <link>" lines, whose
    /// links a later step re-points at our own copies.
    pub(crate) html_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockKind {
    Para,
    Heading(u8),
    ListItem,
    Quote,
    Pre,
    Cell,
    Caption,
    /// An image (the block's `owner` is the `<img>`); no text.
    Image,
    Other,
}

impl Block {
    pub(crate) fn chars(&self) -> usize {
        self.text.chars().count()
    }
    pub(crate) fn link_density(&self) -> f32 {
        let n = self.chars();
        if n == 0 {
            0.0
        } else {
            self.link_chars as f32 / n as f32
        }
    }
}

pub(crate) struct BodyResult {
    pub(crate) blocks: Vec<Block>,
    pub(crate) method: &'static str,
    /// The containers the blocks come from.
    pub(crate) containers: Vec<Ix>,
    /// Share of the page's (unpruned) paragraph text inside the chosen containers.
    pub(crate) coverage: f32,
}

/// The whole `<body>` as one container, lenient paragraph rules (link lists kept):
/// the fallback for pages whose main content is not one block of prose (listings,
/// collections, product pages, threads).
pub(crate) fn extract_whole(ctx: &Ctx<'_>, title: Option<&str>) -> Vec<Block> {
    let body = ctx.arena.find_tag(0, "body").unwrap_or(0);
    let mut blocks = segment(ctx, body);
    filter_blocks(ctx.arena, &mut blocks, title, false, ctx.forum, false);
    // Site headers and footers outside `<header>`/`<footer>`.
    drop_tail_outside_core(ctx, &mut blocks, body, true);
    blocks
}

pub(crate) fn extract_body(arena: &Arena, title: Option<&str>, thread: Thread) -> BodyResult {
    extract_body_in(&Ctx::new(arena, Names::Article, thread), title)
}

/// [`extract_body`] with a context built by the caller.
pub(crate) fn extract_body_in(ctx: &Ctx<'_>, title: Option<&str>) -> BodyResult {
    let arena = ctx.arena;
    // The headline element (the title is taken from a visible `<h1>`).
    let body = arena.find_tag(0, "body").unwrap_or(0);
    let headline = title.map(norm_key).filter(|k| !k.is_empty()).and_then(|k| {
        arena
            .find_all_tag(body, "h1")
            .find(|&ix| norm_key(&arena.text(ix)) == k)
    });
    let (containers, method) = find_container(ctx, headline);
    let body = arena.find_tag(0, "body").unwrap_or(0);
    let inside: u32 = containers.iter().map(|&c| ctx.good_ptext(c)).sum();
    let coverage = inside as f32 / ctx.good_ptext(body).max(1) as f32;
    let mut blocks = Vec::new();
    for &c in &containers {
        blocks.extend(segment(ctx, c));
    }
    filter_blocks(arena, &mut blocks, title, true, ctx.forum, ctx.article);
    if let [c] = containers.as_slice() {
        drop_tail_outside_core(ctx, &mut blocks, *c, false);
    }
    BodyResult {
        blocks,
        method,
        containers,
        coverage,
    }
}

#[cfg(test)]
mod tests {
    /// Our body candidate's kept text for a page.
    fn kept_text(html: &str, title: &str) -> String {
        let doc = dom_query::Document::from(html);
        let arena = crate::arena::Arena::from_document(&doc);
        let res = super::extract_body(&arena, Some(title), super::Thread::No);
        res.blocks
            .iter()
            .filter(|b| b.keep)
            .map(|b| b.text.as_str())
            .collect()
    }

    #[test]
    fn story_before_preloaded_next_article() {
        let para = |w: &str| format!("<p>{}</p>", [w; 40].join(" "));
        let html = format!(
            "<html><body><article><h1>The story</h1>{}</article>\
             <article><h2>Next story</h2>{}{}</article></body></html>",
            para("storyword,"),
            para("nextword,"),
            para("nextword;")
        );
        let text = kept_text(&html, "The story");
        assert!(text.contains("storyword"), "{text}");
        assert!(!text.contains("nextword"), "{text}");
    }

    #[test]
    fn teaser_labels_cut_their_section() {
        for label in [
            "You May Also Enjoy",
            "You might be interested in",
            "Up next",
        ] {
            let para = |w: &str| format!("<p>{}</p>", [w; 40].join(" "));
            let html = format!(
                "<html><body><article><h1>The story</h1>{}<h2>{label}</h2>{}</article></body></html>",
                para("storyword,"),
                para("teaserword,"),
            );
            let text = kept_text(&html, "The story");
            assert!(text.contains("storyword"), "{label}: {text}");
            assert!(!text.contains("teaserword"), "{label}: {text}");
        }
    }
}
