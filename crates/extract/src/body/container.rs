//! Finding the main container(s): `itemprop`, CMS hints, `<article>`/`<main>`,
//! thread posts, a paragraph-density vote; the core of a container and its tail.

use super::*;

/// Substrings of class/id that mark the article body in common CMS templates,
/// strongest first. Each tier is tried in turn.
pub(crate) const BODY_HINTS: &[&[&str]] = &[
    &[
        "articlebody",
        "article-body",
        "article__body",
        "article_body",
        "story-body",
        "storybody",
        "entry-content",
        "post-content",
        "postcontent",
        "post-body",
        "postbody",
        "post_content",
        "article-content",
        "article__content",
        "articlecontent",
        "article_content",
        "story-content",
        "story__content",
        "entry-body",
        "article-text",
        "articletext",
        "body-text",
        "bodytext",
        "rich-text",
        "richtext",
        "post-entry",
        "single-content",
        "content-body",
        "text-content",
    ],
    &[
        "content-main",
        "main-content",
        "maincontent",
        "page-content",
        "content",
    ],
];

/// Substrings that every entry of [`BODY_HINTS`] contains (a cheap first filter).
pub(crate) const HINT_STEMS: &[&str] = &["body", "content", "text", "entry"];

/// Finds the main container(s) of the page, in document order.
pub(crate) fn find_container(ctx: &Ctx<'_>, headline: Option<Ix>) -> (Vec<Ix>, &'static str) {
    let arena = ctx.arena;
    let body = arena.find_tag(0, "body").unwrap_or(0);
    let body_p = ctx.good_ptext(body).saturating_sub(ctx.cards_ptext).max(1);
    let min_ok = |p: u32| p >= 200 || (p as f32) >= 0.6 * body_p as f32;

    // Tier 0: schema.org articleBody.
    let mut matches: Vec<(Ix, u32)> = Vec::new();
    for ix in arena.descendants(body) {
        let Some(n) = arena.get(ix) else { continue };
        if n.is_element()
            && !ctx.is_bad(ix)
            && n.attr("itemprop")
                .is_some_and(|v| v.eq_ignore_ascii_case("articlebody"))
        {
            matches.push((ix, ctx.good_ptext(ix)));
        }
    }
    if let Some((set, p, posts)) = pick_set(ctx, &matches, headline)
        && min_ok(p)
    {
        return (set, if posts { "posts" } else { "itemprop" });
    }
    // Tiers 1..: CMS class/id hints, then <article>, then <main>. Every tier's
    // matches are collected in one pass over the page.
    let mut tier_matches: Vec<Vec<(Ix, u32)>> = vec![Vec::new(); BODY_HINTS.len()];
    for ix in arena.descendants(body) {
        let Some(n) = arena.get(ix) else { continue };
        if !n.is_element()
            || ctx.is_bad(ix)
            || !matches!(
                n.tag.as_str(),
                "div" | "section" | "article" | "main" | "td"
            )
        {
            continue;
        }
        let vals: Vec<String> = ["class", "id"]
            .iter()
            .filter_map(|a| n.attr(a))
            .map(str::to_ascii_lowercase)
            // Every hint holds one of these: most class names are out in 4 searches.
            .filter(|v| HINT_STEMS.iter().any(|st| v.contains(st)))
            .collect();
        if vals.is_empty() {
            continue;
        }
        for (hints, out) in BODY_HINTS.iter().zip(tier_matches.iter_mut()) {
            let hit = vals.iter().any(|v| {
                hints.iter().any(|h| {
                    if *h == "content" {
                        v.split(char::is_whitespace).any(|w| w == "content")
                    } else {
                        v.contains(h)
                    }
                })
            });
            if hit {
                out.push((ix, ctx.good_ptext(ix)));
            }
        }
    }
    for (tier, matches) in tier_matches.iter().enumerate() {
        let set = if tier == 0 {
            pick_set(ctx, matches, headline)
        } else {
            story_match(arena, matches, headline).map(|(ix, p)| (vec![ix], p, false))
        };
        if let Some((set, p, posts)) = set
            && min_ok(p)
            && (p as f32) >= 0.2 * body_p as f32
        {
            let m = if posts {
                "posts"
            } else if tier == 0 {
                "cms-hint"
            } else {
                "content-hint"
            };
            return (set, m);
        }
    }
    if ctx.forum
        && let Some(set) = post_bodies(ctx, body)
    {
        return (set, "posts");
    }
    for tag in ["article", "main"] {
        let all: Vec<(Ix, u32)> = arena
            .find_all_tag(body, tag)
            .filter(|&ix| !ctx.is_bad(ix))
            .map(|ix| (ix, ctx.good_ptext(ix)))
            .collect();
        if let Some((ix, p)) = story_match(arena, &all, headline)
            && min_ok(p)
            && (p as f32) >= 0.3 * body_p as f32
        {
            let m = if tag == "article" {
                "article-tag"
            } else {
                "main-tag"
            };
            return (vec![ix], m);
        }
    }
    (vec![density_container(ctx, body)], "density")
}

/// The story's match (see [`story_match`]) plus the other matches near it: bodies
/// split into several sibling blocks ("rich-text" slices between figures) come
/// back whole. Nested matches collapse to the outermost one.
pub(crate) fn pick_set(
    ctx: &Ctx<'_>,
    matches: &[(Ix, u32)],
    headline: Option<Ix>,
) -> Option<(Vec<Ix>, u32, bool)> {
    let arena = ctx.arena;
    let (best, _) = story_match(arena, matches, headline)?;
    let best_anc: Vec<Ix> = ancestors(arena, best).skip(1).take(4).collect();
    // On a thread every post's body carries the same class (`js-post-body`), and
    // the question and its answers live in separate subtrees: take them all.
    let best_class = arena
        .get(best)
        .and_then(|n| n.attr("class"))
        .filter(|c| ctx.forum && !c.trim().is_empty());
    let mut set: Vec<Ix> = Vec::new();
    let mut posts = false;
    for &(ix, _) in matches {
        if ix != best && ctx.stats(ix).text == 0 {
            continue;
        }
        // Skip matches nested inside another match.
        if ancestors(arena, ix)
            .skip(1)
            .any(|a| matches.iter().any(|m| m.0 == a))
        {
            continue;
        }
        if ix == best || ancestors(arena, ix).any(|a| best_anc.contains(&a)) {
            set.push(ix);
        } else if best_class.is_some() && arena.get(ix).and_then(|n| n.attr("class")) == best_class
        {
            set.push(ix);
            posts = true;
        }
    }
    set.sort_unstable();
    let total = set.iter().map(|&ix| ctx.good_ptext(ix)).sum();
    Some((set, total, posts))
}

/// The largest match, unless it comes after the page's headline and an earlier
/// match that holds the headline or follows it is substantial: that one is the
/// story. Pages that preload the next articles (infinite scroll, "related
/// resources" with full bodies, one `<article>` per story) carry several bodies,
/// and the largest need not be this page's.
pub(crate) fn story_match(
    arena: &Arena,
    matches: &[(Ix, u32)],
    headline: Option<Ix>,
) -> Option<(Ix, u32)> {
    let &best = matches.iter().max_by_key(|m| m.1)?;
    let Some(h) = headline else {
        return Some(best);
    };
    if best.0 <= h {
        return Some(best);
    }
    let holds_h = |m: Ix| ancestors(arena, h).any(|a| a == m);
    let first = matches.iter().find(|m| {
        m.0 < best.0
            && m.1 >= 200
            && m.1 as f32 >= FIRST_AFTER_HEADLINE * best.1 as f32
            && (m.0 > h || holds_h(m.0))
            && !ancestors(arena, best.0).any(|a| a == m.0)
    });
    Some(first.copied().unwrap_or(best))
}

/// How large the first body after the headline must be, against the largest, to be
/// taken for the story.
pub(crate) const FIRST_AFTER_HEADLINE: f32 = 0.25;

/// End matter inside a container but outside the article's core: the core is the
/// deepest element holding [`CORE_SHARE`] of the container's paragraph text, and
/// kept blocks after its last one that live outside it (calls to action, disclaimers,
/// "about us" boxes, contact lines) are dropped when they are small next to the
/// core. A long tail outside the core is a body split into sibling blocks: kept.
/// With `lead`, a small run before the core goes too (site headers outside
/// `<header>` on whole pages; on article bodies it is the dek and intro, kept).
pub(crate) fn drop_tail_outside_core(
    ctx: &Ctx<'_>,
    blocks: &mut [Block],
    container: Ix,
    lead: bool,
) {
    let arena = ctx.arena;
    let core = core_of(ctx, container, CORE_SHARE);
    if core == container {
        return;
    }
    // Pre-order indices: the core's subtree is one range.
    let end = subtree_end(arena, core);
    let inside = |b: &Block| (core..end).contains(&b.owner);
    let core_chars = ctx.good_ptext(core).max(1) as f32;
    if let Some(last_in) = blocks.iter().rposition(|b| b.keep && inside(b)) {
        let tail: usize = blocks
            .iter()
            .skip(last_in + 1)
            .filter(|b| b.keep)
            .map(Block::chars)
            .sum();
        if (tail as f32) < TAIL_MAX * core_chars {
            for b in blocks.iter_mut().skip(last_in + 1) {
                b.keep = false;
            }
        }
    }
    if lead && let Some(first_in) = blocks.iter().position(|b| b.keep && inside(b)) {
        let head: usize = blocks
            .iter()
            .take(first_in)
            .filter(|b| b.keep)
            .map(Block::chars)
            .sum();
        if (head as f32) < LEAD_MAX * core_chars {
            for b in blocks.iter_mut().take(first_in) {
                b.keep = false;
            }
        }
    }
}

/// One past the last index of `ix`'s subtree (the arena is in pre-order): the
/// next sibling of `ix` or of its nearest ancestor that has one.
pub(crate) fn subtree_end(arena: &Arena, ix: Ix) -> Ix {
    for a in ancestors(arena, ix) {
        let Some(p) = arena.parent(a) else { break };
        let sibs = arena.children(p);
        if let Some(pos) = sibs.iter().position(|&s| s == a)
            && let Some(&next) = sibs.get(pos + 1)
        {
            return next;
        }
    }
    arena.nodes.len()
}

/// Share of the container's paragraph text that makes a descendant its core.
pub(crate) const CORE_SHARE: f32 = 0.9;
/// The most text (against the core's paragraph text) a tail may hold to be cut.
pub(crate) const TAIL_MAX: f32 = 0.2;
/// The same for the run before the core (whole pages only).
pub(crate) const LEAD_MAX: f32 = 0.1;

/// The deepest node under `c` that still holds `share` of its paragraph text.
pub(crate) fn core_of(ctx: &Ctx<'_>, c: Ix, share: f32) -> Ix {
    let total = ctx.good_ptext(c) as f32;
    let mut cur = c;
    loop {
        let best = ctx
            .arena
            .children(cur)
            .iter()
            .copied()
            .filter(|&k| !ctx.is_bad(k))
            .max_by_key(|&k| ctx.good_ptext(k));
        match best {
            Some(k) if ctx.good_ptext(k) as f32 >= share * total && total > 0.0 => cur = k,
            _ => return cur,
        }
    }
}

/// A thread's posts: the elements sharing one tag and class that together hold the
/// most of the page's text (outside pruned subtrees and links), at least two of
/// them; of the groups holding nearly as much ([`POSTS_NEAR`]), the deepest, so the
/// post bodies win over the post frames with their author cards. Forum engines
/// write bodies with `<br>`s and without a recognisable class (`bbWrapper`,
/// `Message`, `cooked`), so neither the hints nor the paragraph vote find them.
pub(crate) fn post_bodies(ctx: &Ctx<'_>, body: Ix) -> Option<Vec<Ix>> {
    let arena = ctx.arena;
    let n = arena.nodes.len();
    // Text per subtree outside pruned subtrees and links (bottom-up).
    let mut good = vec![0u32; n];
    // Subtree sizes: the arena is in pre-order, so `ix`'s subtree is `ix..ix + size`.
    let mut size = vec![1usize; n];
    for ix in (0..n).rev() {
        let Some(node) = arena.get(ix) else { continue };
        if let Some(p) = node.parent
            && let Some(&sz) = size.get(ix)
            && let Some(ps) = size.get_mut(p)
        {
            *ps += sz;
        }
        let own = match node.kind {
            Kind::Text => node.vis,
            _ if node.is_el("a") => 0,
            _ => good.get(ix).copied().unwrap_or(0),
        };
        if let Some(g) = good.get_mut(ix) {
            *g = own;
        }
        if let Some(p) = node.parent
            && !ctx.is_bad(ix)
            && let Some(pg) = good.get_mut(p)
        {
            *pg = pg.saturating_add(own);
        }
    }
    let total = good.get(body).copied().unwrap_or(0);
    // Groups by (tag, class): members, text, depth of the first member.
    let mut groups: std::collections::HashMap<(&str, &str), (Vec<Ix>, u32, usize)> =
        Default::default();
    let mut depth = vec![0usize; n];
    for ix in arena.descendants(body) {
        let Some(node) = arena.get(ix) else { continue };
        let d = node.parent.map_or(0, |p| depth.get(p).map_or(0, |d| d + 1));
        if let Some(slot) = depth.get_mut(ix) {
            *slot = d;
        }
        // Posts are containers; same-class paragraphs are one article's styling.
        if ctx.in_pruned(ix)
            || !matches!(
                node.tag.as_str(),
                "div" | "article" | "section" | "li" | "td"
            )
        {
            continue;
        }
        let Some(class) = node.attr("class").map(str::trim).filter(|c| !c.is_empty()) else {
            continue;
        };
        let g = good.get(ix).copied().unwrap_or(0);
        if g == 0 {
            continue;
        }
        let e = groups
            .entry((node.tag.as_str(), class))
            .or_insert_with(|| (Vec::new(), 0, d));
        // Only the outermost member of nested same-class elements counts.
        if e.0
            .last()
            .is_some_and(|&m| ix < m + size.get(m).copied().unwrap_or(1))
        {
            continue;
        }
        e.0.push(ix);
        e.1 = e.1.saturating_add(g);
    }
    let max = groups
        .values()
        .filter(|g| g.0.len() >= 2)
        .map(|g| g.1)
        .max()?;
    if (max as f32) < POSTS_MIN_SHARE * total as f32 || max < 200 {
        return None;
    }
    let (members, _, _) = groups
        .into_values()
        .filter(|g| g.0.len() >= 2 && g.1 as f32 >= POSTS_NEAR * max as f32)
        .max_by_key(|g| (g.2, g.1))?;
    Some(members)
}

/// Share of the page's text a thread's posts must hold.
pub(crate) const POSTS_MIN_SHARE: f32 = 0.3;
/// A deeper group holding this share of the largest group's text is preferred.
pub(crate) const POSTS_NEAR: f32 = 0.8;

/// `ix` and its ancestors, nearest first.
pub(crate) fn ancestors(arena: &Arena, ix: Ix) -> impl Iterator<Item = Ix> + '_ {
    std::iter::successors(Some(ix), move |&i| arena.parent(i))
}

/// Readability-style: paragraphs vote for their parent (1) and grandparent (1/2);
/// the element with the best vote wins.
pub(crate) fn density_container(ctx: &Ctx<'_>, body: Ix) -> Ix {
    let arena = ctx.arena;
    let mut score = vec![0f32; arena.nodes.len()];
    for ix in arena.descendants(body) {
        let Some(n) = arena.get(ix) else { continue };
        if !matches!(n.tag.as_str(), "p" | "pre" | "blockquote" | "td") || ctx.in_consent(ix) {
            continue;
        }
        let st = ctx.stats(ix);
        let good = st.text.saturating_sub(st.link);
        if good < 25 {
            continue;
        }
        let commas = arena.text(ix).matches([',', '，', '、']).count() as f32;
        let s = 1.0 + commas + (good as f32 / 100.0).min(3.0);
        let mut cur = n.parent;
        for div in [1.0f32, 2.0, 3.0] {
            let Some(p) = cur else { break };
            if let Some(slot) = score.get_mut(p) {
                *slot += s / div;
            }
            cur = arena.parent(p);
        }
    }
    let mut best = (body, 0f32);
    for (ix, &s) in score.iter().enumerate() {
        if s <= 0.0 || ctx.is_bad(ix) || ctx.in_consent(ix) {
            continue;
        }
        let st = ctx.stats(ix);
        let ld = if st.text > 0 {
            st.link as f32 / st.text as f32
        } else {
            0.0
        };
        let adj = s * (1.0 - ld);
        if adj > best.1 {
            best = (ix, adj);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_body_hint_holds_a_stem() {
        for h in super::BODY_HINTS.iter().flat_map(|t| t.iter()) {
            assert!(super::HINT_STEMS.iter().any(|st| h.contains(st)), "{h}");
        }
    }
}
