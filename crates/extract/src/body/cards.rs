//! Repeated cards on a page read as one article (see [`Ctx::read_as_article`]).

use super::*;

/// Repeated cards (see [`Ctx::read_as_article`]): at least this many siblings,
pub(crate) const CARD_MIN: usize = 3;
/// each with at most this much text,
pub(crate) const CARD_MAX_TEXT: u32 = 300;
/// of which at least this share is link text,
pub(crate) const CARD_MIN_LINK: f32 = 0.3;
/// and less than this share of the page's paragraph text after the group.
pub(crate) const CARD_MAX_AFTER: f32 = 0.2;

impl Ctx<'_> {
    /// Reads the page as one article: its furniture rules apply, and repeated cards
    /// are found. A card is one of at least [`CARD_MIN`] siblings (`div`, `li`,
    /// `article`, `section`) of one tag and class, most of the group, each showing a
    /// heading, a picture or a `<time>`, holding little text ([`CARD_MAX_TEXT`]) of
    /// which links are a good part ([`CARD_MIN_LINK`]) or the heading: headline
    /// rails, "More from …" cards, playlists, one `<article>` per other story. A
    /// group followed by much of the page's paragraph text is inside the story (a
    /// roundup's product cards). Cards are not pruned (a container that holds them
    /// keeps them: there they are the page's content), but their text does not count
    /// as the page's when a container's share is judged, and Readability's copy of
    /// the document loses the cards outside the containers ours found.
    pub(crate) fn read_as_article(&mut self) {
        self.article = true;
        let arena = self.arena;
        // A card shows a headline or a picture or a time: a heading, an image or a
        // `<time>` inside (a list of links in a story's body has none of them).
        // A card whose headline is a link needs no more link text than that.
        let mut shows = vec![false; arena.nodes.len()];
        let mut linked_head = vec![false; arena.nodes.len()];
        for ix in (0..arena.nodes.len()).rev() {
            let Some(n) = arena.get(ix) else { continue };
            let heading =
                n.is_element() && matches!(n.tag.as_str(), "h2" | "h3" | "h4" | "h5" | "h6");
            let own =
                heading || (n.is_element() && matches!(n.tag.as_str(), "img" | "picture" | "time"));
            let st = self.stats(ix);
            let own_linked = heading && st.text > 0 && st.link as f32 >= 0.8 * st.text as f32;
            let up = (
                own || shows.get(ix).copied().unwrap_or(false),
                own_linked || linked_head.get(ix).copied().unwrap_or(false),
            );
            if let Some(slot) = shows.get_mut(ix) {
                *slot = up.0;
            }
            if let Some(slot) = linked_head.get_mut(ix) {
                *slot = up.1;
            }
            if let Some(p) = n.parent {
                if up.0
                    && let Some(slot) = shows.get_mut(p)
                {
                    *slot = true;
                }
                if up.1
                    && let Some(slot) = linked_head.get_mut(p)
                {
                    *slot = true;
                }
            }
        }
        // Paragraph text from each position on (pre-order), outside pruned subtrees:
        // cards followed by more of the story are part of it (a listicle's product
        // cards, linked section headings); rails come after the story or beside it.
        let n = arena.nodes.len();
        let mut after = vec![0u32; n + 1];
        for ix in (0..n).rev() {
            let own = match arena.get(ix) {
                Some(node) if node.is_el("p") && !self.in_pruned(ix) => self.stats(ix).ptext,
                _ => 0,
            };
            let next = after.get(ix + 1).copied().unwrap_or(0);
            if let Some(slot) = after.get_mut(ix) {
                *slot = next.saturating_add(own);
            }
        }
        let total = after.first().copied().unwrap_or(0).max(1) as f32;
        let mut cards = Vec::new();
        let mut groups: std::collections::HashMap<(&str, &str), (usize, Vec<Ix>)> =
            Default::default();
        for (ix, node) in arena.nodes.iter().enumerate() {
            if !node.is_element() || node.children.len() < CARD_MIN || self.in_pruned(ix) {
                continue;
            }
            groups.clear();
            for &k in arena.children(ix) {
                let Some(n) = arena.get(k) else { continue };
                if !n.is_element()
                    || self.is_bad(k)
                    || !matches!(n.tag.as_str(), "div" | "li" | "article" | "section")
                {
                    continue;
                }
                let st = self.stats(k);
                let text = st.text.saturating_sub(st.raw);
                let card = st.link > 0
                    && shows.get(k).copied().unwrap_or(false)
                    && text <= CARD_MAX_TEXT
                    && (st.link as f32 >= CARD_MIN_LINK * text as f32
                        || linked_head.get(k).copied().unwrap_or(false));
                let e = groups
                    .entry((n.tag.as_str(), n.attr("class").unwrap_or("")))
                    .or_default();
                e.0 += 1;
                if card {
                    e.1.push(k);
                }
            }
            for (_, (members, found)) in groups.drain() {
                if found.len() < CARD_MIN || 2 * found.len() < members {
                    continue;
                }
                let rest = found
                    .last()
                    .map(|&m| after.get(subtree_end(arena, m)).copied().unwrap_or(0))
                    .unwrap_or(0);
                if (rest as f32) < CARD_MAX_AFTER * total {
                    cards.extend(found);
                }
            }
        }
        // Cards nested in other cards count once.
        cards.sort_unstable();
        let mut end = 0;
        cards.retain(|&c| {
            let outer = c >= end;
            if outer {
                end = subtree_end(arena, c);
            }
            outer
        });
        self.cards_ptext = cards.iter().map(|&c| self.good_ptext(c)).sum();
        self.cards = cards;
    }

    /// Whether `ix` lies inside one of `roots`' subtrees.
    pub(crate) fn inside_any(&self, ix: Ix, roots: &[Ix]) -> bool {
        roots
            .iter()
            .any(|&r| (r..subtree_end(self.arena, r)).contains(&ix))
    }
}

#[cfg(test)]
mod tests {
    /// Cards after a short story are not the story's: Readability does not get to
    /// merge them, and their deks do not stop a small body container from being
    /// taken. A roundup's cards followed by more of the article stay.
    #[test]
    fn cards_around_a_short_story() {
        let cards: String = (1..=12)
            .map(|i| {
                format!(
                    r#"<div class="tile"><a href="/n/{i}"><img src="/i/{i}.jpg"></a><h3><a href="/n/{i}">Other headline number {i} about the council</a></h3><p>A short dek for story {i}, with a few more words.</p></div>"#
                )
            })
            .collect();
        let html = format!(
            r#"<html><body><div class="col"><h1>The story</h1><div class="story-text"><p>{}</p><p>{}</p></div><div class="grid">{cards}</div></div></body></html>"#,
            "storyword, ".repeat(20),
            "secondword, ".repeat(20)
        );
        let doc = dom_query::Document::from(html.as_str());
        let arena = crate::arena::Arena::from_document(&doc);
        let mut ctx = super::Ctx::new(&arena, super::Names::Article, super::Thread::No);
        ctx.read_as_article();
        assert_eq!(ctx.cards.len(), 12);
        let res = super::extract_body_in(&ctx, Some("The story"));
        let text: String = res
            .blocks
            .iter()
            .filter(|b| b.keep)
            .map(|b| b.text.as_str())
            .collect();
        assert!(
            text.contains("storyword") && text.contains("secondword"),
            "{text}"
        );
        assert!(!text.contains("Other headline"), "{text}");
        // The same cards followed by the rest of a long article are the article's.
        let roundup = html.replace(
            "</div></div></body>",
            &format!("</div><p>{}</p></div></body>", "closingword, ".repeat(200)),
        );
        let doc = dom_query::Document::from(roundup.as_str());
        let arena = crate::arena::Arena::from_document(&doc);
        let mut ctx = super::Ctx::new(&arena, super::Names::Article, super::Thread::No);
        ctx.read_as_article();
        assert!(ctx.cards.is_empty());
    }
}
