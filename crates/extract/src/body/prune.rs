//! What is pruned before anything is chosen: subtree statistics, tag, role,
//! visibility and class/id word rules, consent dialogs (the pruning context [`Ctx`]).

use super::*;

/// Elements whose content is never article text.
pub(crate) const DROP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "canvas", "iframe", "object",
    "embed", "button", "input", "select", "textarea", "option", "nav", "aside", "footer", "dialog",
    "menu", "head", "link", "meta", "title", "video", "audio", "map", "form", "header", "label",
];

pub(crate) const DROP_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
    "toolbar",
    "tablist",
    "alert",
];

/// class/id words that mark boilerplate on news and blog pages. Matched as whole
/// words after splitting on `-`, `_`, spaces and camelCase.
pub(crate) const BAD_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "footer",
    "sidebar",
    "share",
    "sharing",
    "sharedaddy",
    "social",
    "related",
    "relatedposts",
    "recommended",
    "recommendations",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "promo",
    "ad",
    "ads",
    "advert",
    "adverts",
    "advertisement",
    "adsbygoogle",
    "sponsor",
    "sponsored",
    "comment",
    "comments",
    "disqus",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "popup",
    "modal",
    "toolbar",
    "pagination",
    "pager",
    "tags",
    "tagcloud",
    "byline",
    "meta",
    "dateline",
    "outbrain",
    "taboola",
    "trending",
    "popular",
    "author",
    "bio",
    "credit",
    "credits",
];

/// Boilerplate words for the article body only. On whole pages they name content
/// as often as furniture: `card-header` holds a listing item's title, `hidden-xs`
/// hides a block on phones only, `banner` is a product's hero text, `teaser` cards
/// are a listing's items, a `card-caption` holds a product's name and blurb.
pub(crate) const ARTICLE_ONLY_WORDS: &[&str] = &[
    "teaser",
    "teasers",
    "caption",
    "login",
    "masthead",
    "header",
    "copyright",
    "print",
    "hidden",
    "screen",
    "sr",
    "skip",
    "banner",
];

/// Cookie-consent dialogs: pruned even when they hold most of the page's paragraph
/// text (a preference centre is pages of prose; a listing has little of its own).
pub(crate) const CONSENT_WORDS: &[&str] = &[
    "consent",
    "gdpr",
    "onetrust",
    "cookiebot",
    "didomi",
    "cmplz",
    "usercentrics",
];

#[derive(Clone, Copy, Default)]
pub(crate) struct Stats {
    /// Characters of text in the subtree (whitespace-collapsed estimate).
    pub(crate) text: u32,
    /// Characters of text inside links.
    pub(crate) link: u32,
    /// Characters inside `<p>` elements, outside links.
    pub(crate) ptext: u32,
    /// Characters of long text nodes outside `<p>` and links: prose written with
    /// `<br>`s (forum posts, old CMS bodies) that `ptext` does not see.
    pub(crate) loose: u32,
    /// Characters inside raw-text elements (scripts, styles): text no reader sees.
    pub(crate) raw: u32,
}

impl Stats {
    /// Prose in the subtree, in `<p>`s or not.
    pub(crate) fn prose(&self) -> u32 {
        self.ptext.saturating_add(self.loose)
    }
}

/// A text node at least this long outside `<p>` and links counts as prose.
pub(crate) const LOOSE_MIN: usize = 100;

pub(crate) struct Ctx<'a> {
    pub(crate) arena: &'a Arena,
    pub(crate) stats: Vec<Stats>,
    pub(crate) bad: Vec<bool>,
    pub(crate) bad_page: Vec<bool>,
    pub(crate) goodp: Vec<u32>,
    /// All text of the `<body>`, not counting pruned subtrees.
    pub(crate) body_good_text: u32,
    /// The node is inside a cookie-consent dialog (or is one).
    pub(crate) consent: Vec<bool>,
    /// A discussion thread: its posts (and comments) are the content.
    pub(crate) forum: bool,
    /// The page is one article (expected or declared): its furniture rules apply.
    pub(crate) article: bool,
    /// Repeated cards found because the page is one article (outermost only).
    pub(crate) cards: Vec<Ix>,
    /// Their paragraph text: not counted as the page's when judging how much of
    /// it a container holds (a two-paragraph story beside forty cards with deks).
    pub(crate) cards_ptext: u32,
    /// The node or an ancestor is pruned.
    pub(crate) pruned: Vec<bool>,
}

/// Whether the page is a thread, and which kind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Thread {
    No,
    /// A forum thread: the posts and their comments are the content.
    Discussion,
    /// A question-and-answer page: the question and answers are, their comments
    /// are not.
    Questions,
}

/// Which class/id words prune subtrees.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Names {
    /// None: the Readability candidate was already cleaned by its own class rules
    /// (a second pass would cut e.g. `<section id="toc_1">` bodies).
    Off,
    /// The article body: every boilerplate word.
    Article,
    /// The whole page: without [`ARTICLE_ONLY_WORDS`].
    Page,
}

impl<'a> Ctx<'a> {
    /// `names`: which class/id words prune (see [`Names`]).
    pub(crate) fn new(arena: &'a Arena, names: Names, thread: Thread) -> Ctx<'a> {
        let n = arena.nodes.len();
        let mut stats = vec![Stats::default(); n];
        // Pre-order indices: children come after parents, so a reverse sweep is bottom-up.
        for ix in (0..n).rev() {
            let Some(node) = arena.get(ix) else { continue };
            let mut s = stats.get(ix).copied().unwrap_or_default();
            if matches!(node.kind, Kind::Text) {
                let c = node.vis as usize;
                s.text = s.text.saturating_add(c as u32);
                if c >= LOOSE_MIN {
                    s.loose = s.loose.saturating_add(c as u32);
                }
            }
            // Links are not prose; raw-text elements (scripts, styles) are long
            // text nodes that no reader sees.
            if node.is_el("a")
                || (node.is_element()
                    && matches!(
                        node.tag.as_str(),
                        "script" | "style" | "template" | "textarea" | "title" | "xmp"
                    ))
            {
                s.loose = 0;
                if !node.is_el("a") {
                    s.raw = s.text;
                }
            }
            if node.is_el("a") {
                s.link = s.text;
            }
            if node.is_el("p") {
                s.ptext = s.text.saturating_sub(s.link);
                s.loose = 0;
            }
            if let Some(slot) = stats.get_mut(ix) {
                *slot = s;
            }
            if let Some(p) = node.parent
                && let Some(ps) = stats.get_mut(p)
            {
                ps.text = ps.text.saturating_add(s.text);
                ps.link = ps.link.saturating_add(s.link);
                ps.ptext = ps.ptext.saturating_add(s.ptext);
                ps.loose = ps.loose.saturating_add(s.loose);
                ps.raw = ps.raw.saturating_add(s.raw);
            }
        }
        let body = arena.find_tag(0, "body").unwrap_or(0);
        let body_text = stats
            .get(body)
            .map(|s| s.prose().max(s.text.saturating_sub(s.raw) / 4))
            .unwrap_or(0);
        let mut bad = vec![false; n];
        // The same with the whole page's shorter word list (see [`Names::Page`]).
        let mut bad_page = vec![false; n];
        let mut consent = vec![false; n];
        // Pages repeat the same class strings hundreds of times: analyse each once.
        let mut cache: std::collections::HashMap<(&str, &str), WordFlags> = Default::default();
        for (ix, node) in arena.nodes.iter().enumerate() {
            if !node.is_element() {
                continue;
            }
            let st = stats.get(ix).copied().unwrap_or_default();
            let key = (
                node.attr("class").unwrap_or(""),
                node.attr("id").unwrap_or(""),
            );
            let flags = if names == Names::Off || (key.0.is_empty() && key.1.is_empty()) {
                WordFlags::default()
            } else {
                *cache
                    .entry(key)
                    .or_insert_with(|| word_flags(key.0, key.1, thread))
            };
            let b = self_bad(node, st, body_text, flags, false);
            // The page list is more lenient: only what the article list prunes can change.
            let bp = b
                && self_bad(
                    node,
                    st,
                    body_text,
                    WordFlags {
                        bad: flags.bad_page,
                        ..flags
                    },
                    true,
                );
            if let Some(slot) = bad.get_mut(ix) {
                *slot = b;
            }
            if let Some(slot) = bad_page.get_mut(ix) {
                *slot = bp;
            }
            if flags.consent
                && let Some(c) = consent.get_mut(ix)
            {
                *c = true;
            }
        }
        if names == Names::Page {
            std::mem::swap(&mut bad, &mut bad_page);
        }
        let mut ctx = Ctx {
            arena,
            stats,
            bad,
            bad_page,
            goodp: Vec::new(),
            body_good_text: 0,
            consent,
            forum: thread != Thread::No,
            article: false,
            cards: Vec::new(),
            cards_ptext: 0,
            pruned: Vec::new(),
        };
        ctx.finish();
        ctx
    }

    /// The same page judged with the whole page's word list ([`Names::Page`]),
    /// without analysing the class names again.
    pub(crate) fn page_variant(&self) -> Ctx<'a> {
        let mut ctx = Ctx {
            arena: self.arena,
            stats: self.stats.clone(),
            bad: self.bad_page.clone(),
            bad_page: self.bad_page.clone(),
            goodp: Vec::new(),
            body_good_text: 0,
            consent: self.consent.clone(),
            forum: self.forum,
            article: self.article,
            cards: self.cards.clone(),
            cards_ptext: self.cards_ptext,
            pruned: Vec::new(),
        };
        ctx.finish();
        ctx
    }

    /// Derived counts that depend on what is pruned.
    pub(crate) fn finish(&mut self) {
        let arena = self.arena;
        let n = arena.nodes.len();
        let (stats, bad, consent) = (&self.stats, &self.bad, &mut self.consent);
        // Paragraph text per subtree, not counting pruned subtrees (bottom-up).
        let mut goodp: Vec<u32> = vec![0; n];
        for ix in (0..n).rev() {
            let Some(node) = arena.get(ix) else { continue };
            let own = if node.is_el("p") {
                stats.get(ix).map_or(0, |s| s.ptext)
            } else {
                goodp.get(ix).copied().unwrap_or(0)
            };
            if let Some(g) = goodp.get_mut(ix) {
                *g = own;
            }
            if let Some(p) = node.parent
                && !bad.get(ix).copied().unwrap_or(false)
                && let Some(pg) = goodp.get_mut(p)
            {
                *pg = pg.saturating_add(own);
            }
        }
        // Text of the body outside pruned subtrees: skip every element that is
        // pruned or has a pruned ancestor (pre-order: parents come first).
        let mut pruned = vec![false; n];
        let mut body_good_text: u32 = 0;
        for (ix, node) in arena.nodes.iter().enumerate() {
            let p = node
                .parent
                .and_then(|p| pruned.get(p).copied())
                .unwrap_or(false);
            let here = p || bad.get(ix).copied().unwrap_or(false);
            if let Some(pc) = node.parent.and_then(|p| consent.get(p).copied())
                && pc
                && let Some(c) = consent.get_mut(ix)
            {
                *c = true;
            }
            if let Some(slot) = pruned.get_mut(ix) {
                *slot = here;
            }
            if !here && matches!(node.kind, Kind::Text) {
                body_good_text = body_good_text.saturating_add(node.vis);
            }
        }
        self.goodp = goodp;
        self.body_good_text = body_good_text;
        self.pruned = pruned;
    }

    pub(crate) fn stats(&self, ix: Ix) -> Stats {
        self.stats.get(ix).copied().unwrap_or_default()
    }

    pub(crate) fn is_bad(&self, ix: Ix) -> bool {
        self.bad.get(ix).copied().unwrap_or(false)
    }

    /// Pruned itself or inside a pruned subtree.
    pub(crate) fn in_pruned(&self, ix: Ix) -> bool {
        self.pruned.get(ix).copied().unwrap_or(false)
    }

    /// Inside a cookie-consent dialog: its prose never votes for a container.
    pub(crate) fn in_consent(&self, ix: Ix) -> bool {
        self.consent.get(ix).copied().unwrap_or(false)
    }

    /// Characters of text in the page outside pruned subtrees.
    pub(crate) fn good_text(&self) -> u32 {
        self.body_good_text
    }

    /// Outermost nodes of cookie-consent dialogs.
    pub(crate) fn consent_roots(&self) -> impl Iterator<Item = Ix> + '_ {
        self.consent.iter().enumerate().filter_map(|(ix, &c)| {
            let parent_c = self
                .arena
                .parent(ix)
                .and_then(|p| self.consent.get(p).copied())
                .unwrap_or(false);
            (c && !parent_c).then_some(ix)
        })
    }

    /// Characters of text in the whole `<body>`, pruned or not.
    pub(crate) fn all_text(&self) -> u32 {
        let body = self.arena.find_tag(0, "body").unwrap_or(0);
        self.stats(body).text
    }

    /// Paragraph text of a subtree, not counting pruned parts.
    pub(crate) fn good_ptext(&self, ix: Ix) -> u32 {
        self.goodp.get(ix).copied().unwrap_or(0)
    }
}

/// What the class/id words of an element say about it.
#[derive(Clone, Copy, Default)]
pub(crate) struct WordFlags {
    pub(crate) any_word: bool,
    /// Some word marks boilerplate.
    pub(crate) bad: bool,
    /// Some word of the whole page's shorter list marks boilerplate.
    pub(crate) bad_page: bool,
    /// Some word marks content ("post-content").
    pub(crate) protect: bool,
    /// Some word marks boilerplate even inside content containers.
    pub(crate) strong: bool,
    /// The words that condemn a `<p>` or heading.
    pub(crate) para_bad: bool,
    /// A cookie-consent dialog.
    pub(crate) consent: bool,
}

pub(crate) fn word_flags(class: &str, id: &str, thread: Thread) -> WordFlags {
    let mut buf = String::new();
    words(class, &mut buf);
    words(id, &mut buf);
    let mut ws: Vec<&str> = buf.split_terminator(' ').collect();
    match thread {
        // On a discussion thread the comments are the content.
        Thread::Discussion => ws.retain(|w| {
            !matches!(
                *w,
                "comment" | "comments" | "disqus" | "author" | "meta" | "byline"
            )
        }),
        // Posts carry their author's card and meta line inside the body.
        Thread::Questions => ws.retain(|w| !matches!(*w, "author" | "meta" | "byline")),
        Thread::No => {}
    }
    let has = |set: &[&str]| ws.iter().any(|w| set.contains(w));
    let bad_page = has(BAD_WORDS);
    WordFlags {
        any_word: !ws.is_empty(),
        bad: bad_page || has(ARTICLE_ONLY_WORDS),
        bad_page,
        consent: has(CONSENT_WORDS),
        protect: has(&[
            "body",
            "content",
            "text",
            "entry",
            "story",
            "articlebody",
            "main",
            "post",
        ]),
        strong: has(&[
            "comment",
            "comments",
            "related",
            "share",
            "sharing",
            "social",
            "newsletter",
            "meta",
            "footer",
            "byline",
            "tags",
            "ad",
            "ads",
            "advert",
            "advertisement",
            "sidebar",
            "nav",
            "navigation",
            "menu",
            "breadcrumb",
            "breadcrumbs",
            "author",
            "bio",
            "promo",
            "subscribe",
            "caption",
            "credit",
        ]),
        para_bad: has(&[
            "byline",
            "dateline",
            "author",
            "credit",
            "credits",
            "caption",
            "share",
            "newsletter",
            "subscribe",
            "copyright",
            "breadcrumb",
            "sponsored",
        ]),
    }
}

/// Splits class/id values into lower-case words on separators and camelCase.
/// Layout modifiers name what an element *has* or does, not what it is
/// (`p-body-main--withSidebar`, `has-comments`, `no-sidebar`, `hide-read-more-ad`
/// wrap content): the rest of a class token after `with`, `has`, `no`, `without` or
/// `hide` is dropped.
pub(crate) fn words(s: &str, out: &mut String) {
    for token in s.split_whitespace() {
        let mut modifier = false;
        // Start of the word being built in `out`; each finished word ends with ' '.
        let mut start = out.len();
        let mut prev_lower = false;
        let end_word = |out: &mut String, start: &mut usize, modifier: &mut bool| {
            if out.len() == *start {
                return;
            }
            if *modifier {
                out.truncate(*start);
                return;
            }
            *modifier = matches!(
                out.get(*start..),
                Some("with" | "has" | "no" | "without" | "hide")
            );
            out.push(' ');
            *start = out.len();
        };
        for c in token.chars() {
            if c.is_alphanumeric() {
                if c.is_uppercase() && prev_lower {
                    end_word(out, &mut start, &mut modifier);
                }
                prev_lower = c.is_lowercase();
                if c.is_ascii() {
                    out.push(c.to_ascii_lowercase());
                } else {
                    out.extend(c.to_lowercase());
                }
            } else {
                prev_lower = false;
                end_word(out, &mut start, &mut modifier);
            }
        }
        end_word(out, &mut start, &mut modifier);
    }
}

pub(crate) fn self_bad(
    node: &crate::arena::Node,
    st: Stats,
    body_text: u32,
    flags: WordFlags,
    page: bool,
) -> bool {
    let tag = node.tag.as_str();

    if matches!(tag, "html" | "body" | "#document") {
        return false;
    }
    if flags.consent {
        return true;
    }
    // A subtree holding most of the page's paragraph text is never pruned by a name:
    // whole-page wrappers sometimes carry words like "sidebar-layout" or `<form>`.
    let prose = st.prose();
    let holds_page = body_text > 0 && prose as f32 > 0.5 * body_text as f32 && prose > 400;
    if DROP_TAGS.contains(&tag) {
        // `<noscript>` too: app shells (Discourse) serve the whole thread there.
        if matches!(
            tag,
            "form" | "header" | "aside" | "footer" | "nav" | "label" | "noscript"
        ) && holds_page
        {
            return false;
        }
        return true;
    }
    // Hidden blocks on a whole page are mostly tabs and accordions (product details,
    // FAQ answers) that a click reveals; on an article body they are furniture.
    // A hidden tab panel is the same content under another tab (install steps per OS).
    let tabpanel = node
        .attr("role")
        .is_some_and(|r| r.trim().eq_ignore_ascii_case("tabpanel"));
    if !page
        && !tabpanel
        && (node.attr("hidden").is_some() || node.attr("aria-hidden") == Some("true"))
    {
        return !holds_page;
    }
    if !page
        && !tabpanel
        && let Some(style) = node.attr("style")
    {
        let s: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return !holds_page;
        }
    }
    if let Some(role) = node.attr("role")
        && let role = role.trim().to_ascii_lowercase()
        && DROP_ROLES.contains(&role.as_str())
        // A tab strip on a whole page heads the tabs' content (product details,
        // plans); in an article body it is furniture.
        && !(page && role == "tablist")
    {
        return !holds_page;
    }
    if holds_page || tag == "main" {
        return false;
    }
    let f = flags;
    if !f.any_word {
        return false;
    }
    // Paragraphs and headings are content unless named as page furniture outright.
    if matches!(tag, "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6") {
        return f.para_bad;
    }
    if !f.bad {
        return false;
    }
    if f.protect {
        // Keep "post-content" but still drop "post-meta", "entry-footer", "comment-content".
        return f.strong && st.ptext < 2000;
    }
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn layout_modifiers_do_not_prune() {
        assert!(
            !super::word_flags(
                "p-body-main p-body-main--withSidebar",
                "",
                super::Thread::No
            )
            .bad
        );
        assert!(!super::word_flags("post has-comments", "", super::Thread::No).bad);
        // The rest of the token after the modifier goes, not only the next word.
        assert!(!super::word_flags("grid-items hide-read-more-ad", "", super::Thread::No).bad);
        assert!(super::word_flags("ad-slot hide", "", super::Thread::No).bad);
        assert!(super::word_flags("sidebar-left", "", super::Thread::No).bad);
        assert!(super::word_flags("widget", "comments", super::Thread::No).bad);
    }
}
