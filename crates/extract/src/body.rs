//! Our own body extractor (trafilatura-style): prune boilerplate subtrees, pick the
//! main container from semantic and CMS hints (falling back to a paragraph-density
//! score), then keep or drop content paragraph by paragraph.
//!
//! It complements dom_smoothie (a Readability port) well: on WCXB articles the two
//! disagree on different pages, which is what the agreement step in `lib.rs` uses.

use crate::arena::{Arena, Ix, Kind, collapse_ws};

/// One paragraph-level unit of text in document order.
#[derive(Debug, Clone)]
pub struct Block {
    /// The block-level element that owns the text.
    pub owner: Ix,
    /// Text nodes making up this block (for rendering the kept ones).
    pub texts: Vec<Ix>,
    pub text: String,
    pub link_chars: usize,
    pub kind: BlockKind,
    pub keep: bool,
    /// Kept in the HTML but not in the text: inline "Related: <link>" lines, whose
    /// links a later step re-points at our own copies.
    pub html_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
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
    pub fn chars(&self) -> usize {
        self.text.chars().count()
    }
    pub fn link_density(&self) -> f32 {
        let n = self.chars();
        if n == 0 {
            0.0
        } else {
            self.link_chars as f32 / n as f32
        }
    }
}

pub const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

pub fn is_block_tag(tag: &str) -> bool {
    BLOCK_TAGS.contains(&tag)
}

/// Elements whose content is never article text.
const DROP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "canvas", "iframe", "object",
    "embed", "button", "input", "select", "textarea", "option", "nav", "aside", "footer", "dialog",
    "menu", "head", "link", "meta", "title", "video", "audio", "map", "form", "header", "label",
];

const DROP_ROLES: &[&str] = &[
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
const BAD_WORDS: &[&str] = &[
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
const ARTICLE_ONLY_WORDS: &[&str] = &[
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
const CONSENT_WORDS: &[&str] = &[
    "consent",
    "gdpr",
    "onetrust",
    "cookiebot",
    "didomi",
    "cmplz",
    "usercentrics",
];

/// Substrings of class/id that mark the article body in common CMS templates,
/// strongest first. Each tier is tried in turn.
const BODY_HINTS: &[&[&str]] = &[
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
const HINT_STEMS: &[&str] = &["body", "content", "text", "entry"];

#[derive(Clone, Copy, Default)]
struct Stats {
    /// Characters of text in the subtree (whitespace-collapsed estimate).
    text: u32,
    /// Characters of text inside links.
    link: u32,
    /// Characters inside `<p>` elements, outside links.
    ptext: u32,
    /// Characters of long text nodes outside `<p>` and links: prose written with
    /// `<br>`s (forum posts, old CMS bodies) that `ptext` does not see.
    loose: u32,
    /// Characters inside raw-text elements (scripts, styles): text no reader sees.
    raw: u32,
}

impl Stats {
    /// Prose in the subtree, in `<p>`s or not.
    fn prose(&self) -> u32 {
        self.ptext.saturating_add(self.loose)
    }
}

/// A text node at least this long outside `<p>` and links counts as prose.
const LOOSE_MIN: usize = 100;

/// Repeated cards (see [`Ctx::read_as_article`]): at least this many siblings,
const CARD_MIN: usize = 3;
/// each with at most this much text,
const CARD_MAX_TEXT: u32 = 300;
/// of which at least this share is link text,
const CARD_MIN_LINK: f32 = 0.3;
/// and less than this share of the page's paragraph text after the group.
const CARD_MAX_AFTER: f32 = 0.2;

pub struct BodyResult {
    pub blocks: Vec<Block>,
    pub method: &'static str,
    /// The containers the blocks come from.
    pub containers: Vec<Ix>,
    /// Share of the page's (unpruned) paragraph text inside the chosen containers.
    pub coverage: f32,
}

pub struct Ctx<'a> {
    pub arena: &'a Arena,
    stats: Vec<Stats>,
    bad: Vec<bool>,
    bad_page: Vec<bool>,
    goodp: Vec<u32>,
    /// All text of the `<body>`, not counting pruned subtrees.
    body_good_text: u32,
    /// The node is inside a cookie-consent dialog (or is one).
    consent: Vec<bool>,
    /// A discussion thread: its posts (and comments) are the content.
    pub forum: bool,
    /// The page is one article (expected or declared): its furniture rules apply.
    pub article: bool,
    /// Repeated cards found because the page is one article (outermost only).
    pub cards: Vec<Ix>,
    /// Their paragraph text: not counted as the page's when judging how much of
    /// it a container holds (a two-paragraph story beside forty cards with deks).
    cards_ptext: u32,
    /// The node or an ancestor is pruned.
    pruned: Vec<bool>,
}

/// Whether the page is a thread, and which kind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Thread {
    No,
    /// A forum thread: the posts and their comments are the content.
    Discussion,
    /// A question-and-answer page: the question and answers are, their comments
    /// are not.
    Questions,
}

/// Which class/id words prune subtrees.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Names {
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
    pub fn new(arena: &'a Arena, names: Names, thread: Thread) -> Ctx<'a> {
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
    pub fn page_variant(&self) -> Ctx<'a> {
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
    fn finish(&mut self) {
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

    fn stats(&self, ix: Ix) -> Stats {
        self.stats.get(ix).copied().unwrap_or_default()
    }

    pub fn is_bad(&self, ix: Ix) -> bool {
        self.bad.get(ix).copied().unwrap_or(false)
    }

    /// Pruned itself or inside a pruned subtree.
    fn in_pruned(&self, ix: Ix) -> bool {
        self.pruned.get(ix).copied().unwrap_or(false)
    }

    /// Inside a cookie-consent dialog: its prose never votes for a container.
    fn in_consent(&self, ix: Ix) -> bool {
        self.consent.get(ix).copied().unwrap_or(false)
    }

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
    pub fn read_as_article(&mut self) {
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
    pub fn inside_any(&self, ix: Ix, roots: &[Ix]) -> bool {
        roots
            .iter()
            .any(|&r| (r..subtree_end(self.arena, r)).contains(&ix))
    }

    /// Characters of text in the page outside pruned subtrees.
    pub fn good_text(&self) -> u32 {
        self.body_good_text
    }

    /// Outermost nodes of cookie-consent dialogs.
    pub fn consent_roots(&self) -> impl Iterator<Item = Ix> + '_ {
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
    pub fn all_text(&self) -> u32 {
        let body = self.arena.find_tag(0, "body").unwrap_or(0);
        self.stats(body).text
    }

    /// Paragraph text of a subtree, not counting pruned parts.
    fn good_ptext(&self, ix: Ix) -> u32 {
        self.goodp.get(ix).copied().unwrap_or(0)
    }
}

/// What the class/id words of an element say about it.
#[derive(Clone, Copy, Default)]
struct WordFlags {
    any_word: bool,
    /// Some word marks boilerplate.
    bad: bool,
    /// Some word of the whole page's shorter list marks boilerplate.
    bad_page: bool,
    /// Some word marks content ("post-content").
    protect: bool,
    /// Some word marks boilerplate even inside content containers.
    strong: bool,
    /// The words that condemn a `<p>` or heading.
    para_bad: bool,
    /// A cookie-consent dialog.
    consent: bool,
}

fn word_flags(class: &str, id: &str, thread: Thread) -> WordFlags {
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
fn words(s: &str, out: &mut String) {
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

fn self_bad(
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

/// Finds the main container(s) of the page, in document order.
pub fn find_container(ctx: &Ctx<'_>, headline: Option<Ix>) -> (Vec<Ix>, &'static str) {
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
fn pick_set(
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
fn story_match(arena: &Arena, matches: &[(Ix, u32)], headline: Option<Ix>) -> Option<(Ix, u32)> {
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
const FIRST_AFTER_HEADLINE: f32 = 0.25;

/// End matter inside a container but outside the article's core: the core is the
/// deepest element holding [`CORE_SHARE`] of the container's paragraph text, and
/// kept blocks after its last one that live outside it (calls to action, disclaimers,
/// "about us" boxes, contact lines) are dropped when they are small next to the
/// core. A long tail outside the core is a body split into sibling blocks: kept.
/// With `lead`, a small run before the core goes too (site headers outside
/// `<header>` on whole pages; on article bodies it is the dek and intro, kept).
pub fn drop_tail_outside_core(ctx: &Ctx<'_>, blocks: &mut [Block], container: Ix, lead: bool) {
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
fn subtree_end(arena: &Arena, ix: Ix) -> Ix {
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
const CORE_SHARE: f32 = 0.9;
/// The most text (against the core's paragraph text) a tail may hold to be cut.
const TAIL_MAX: f32 = 0.2;
/// The same for the run before the core (whole pages only).
const LEAD_MAX: f32 = 0.1;

/// The deepest node under `c` that still holds `share` of its paragraph text.
fn core_of(ctx: &Ctx<'_>, c: Ix, share: f32) -> Ix {
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
fn post_bodies(ctx: &Ctx<'_>, body: Ix) -> Option<Vec<Ix>> {
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
const POSTS_MIN_SHARE: f32 = 0.3;
/// A deeper group holding this share of the largest group's text is preferred.
const POSTS_NEAR: f32 = 0.8;

/// `ix` and its ancestors, nearest first.
fn ancestors(arena: &Arena, ix: Ix) -> impl Iterator<Item = Ix> + '_ {
    std::iter::successors(Some(ix), move |&i| arena.parent(i))
}

/// Readability-style: paragraphs vote for their parent (1) and grandparent (1/2);
/// the element with the best vote wins.
fn density_container(ctx: &Ctx<'_>, body: Ix) -> Ix {
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

/// Splits a container into blocks, skipping pruned subtrees.
pub fn segment(ctx: &Ctx<'_>, container: Ix) -> Vec<Block> {
    enum Step {
        Enter(Ix, Ix, bool),
        Exit,
    }
    let arena = ctx.arena;
    let mut blocks: Vec<Block> = Vec::new();
    // Identifies the currently open block: (owner, sequence number).
    let mut seq: u32 = 0;
    let mut open: Option<(Ix, u32)> = None;
    let mut stack = vec![Step::Enter(container, container, false)];
    while let Some(step) = stack.pop() {
        let (ix, owner, in_link) = match step {
            Step::Exit => {
                seq = seq.wrapping_add(1);
                continue;
            }
            Step::Enter(ix, owner, in_link) => (ix, owner, in_link),
        };
        let Some(n) = arena.get(ix) else { continue };
        match n.kind {
            Kind::Text => {
                if n.text.trim().is_empty() {
                    if let Some(b) = blocks.last_mut()
                        && open == Some((owner, seq))
                        && !b.text.ends_with(' ')
                    {
                        b.text.push(' ');
                    }
                    continue;
                }
                let need_new = open != Some((owner, seq));
                if need_new {
                    blocks.push(Block {
                        owner,
                        texts: Vec::new(),
                        text: String::new(),
                        link_chars: 0,
                        kind: kind_of(arena, owner),
                        keep: true,
                        html_only: false,
                    });
                    open = Some((owner, seq));
                }
                if let Some(b) = blocks.last_mut() {
                    b.texts.push(ix);
                    b.text.push_str(&n.text);
                    if in_link {
                        b.link_chars += n.vis as usize;
                    }
                }
            }
            Kind::Element => {
                if ix != container && ctx.is_bad(ix) {
                    continue;
                }
                if &*n.tag == "br" {
                    if let Some(b) = blocks.last_mut()
                        && open == Some((owner, seq))
                    {
                        b.text.push('\n');
                    }
                    continue;
                }
                if &*n.tag == "img" {
                    // Images become their own blocks (figures in the HTML, nothing in
                    // the text); the paragraph around them continues after.
                    blocks.push(Block {
                        owner: ix,
                        texts: Vec::new(),
                        text: String::new(),
                        link_chars: 0,
                        kind: BlockKind::Image,
                        keep: true,
                        html_only: true,
                    });
                    seq = seq.wrapping_add(1);
                    continue;
                }
                let block = is_block_tag(&n.tag);
                let child_owner = if block { ix } else { owner };
                let link = in_link || &*n.tag == "a";
                if block {
                    seq = seq.wrapping_add(1);
                    stack.push(Step::Exit);
                }
                for &c in n.children.iter().rev() {
                    stack.push(Step::Enter(c, child_owner, link));
                }
            }
        }
    }
    for b in &mut blocks {
        b.text = collapse_keep_newlines(&b.text);
    }
    blocks.retain(|b| !b.text.is_empty() || b.kind == BlockKind::Image);
    blocks
}

fn collapse_keep_newlines(s: &str) -> String {
    s.split('\n')
        .map(collapse_ws)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Classifies a block by its owner and nearest structural ancestors.
fn kind_of(arena: &Arena, owner: Ix) -> BlockKind {
    let tag = arena.tag(owner);
    match tag {
        "p" => BlockKind::Para,
        "h1" => BlockKind::Heading(1),
        "h2" => BlockKind::Heading(2),
        "h3" => BlockKind::Heading(3),
        "h4" => BlockKind::Heading(4),
        "h5" => BlockKind::Heading(5),
        "h6" => BlockKind::Heading(6),
        "li" | "dd" | "dt" => BlockKind::ListItem,
        "blockquote" => BlockKind::Quote,
        "pre" => BlockKind::Pre,
        "td" | "th" | "caption" => BlockKind::Cell,
        "figcaption" => BlockKind::Caption,
        _ => BlockKind::Other,
    }
}

/// Headings that introduce teaser lists or page furniture, in the languages our
/// sources mostly use. Everything under such a heading (to the next heading of the
/// same or higher level) is dropped.
const TEASER_HEADINGS: &[&str] = &[
    "related",
    "read more",
    "read next",
    "read this next",
    "read also",
    "also read",
    "also in the news",
    "also on",
    "more in",
    "more like this",
    "don t miss",
    "dont miss",
    "in case you missed",
    "editor s picks",
    "editors picks",
    "top stories",
    "what to read next",
    "keep reading",
    "further reading",
    "recommended for you",
    "you may like",
    "more from",
    "more stories",
    "more news",
    "more on this",
    "you may also like",
    "you might also like",
    "you may also enjoy",
    "you might also enjoy",
    "you may also be interested",
    "you may be interested",
    "you might also be interested",
    "you might be interested",
    "you may have missed",
    "similar posts",
    "similar articles",
    "other articles",
    "more to explore",
    "up next",
    "recommended",
    "popular",
    "most read",
    "most popular",
    "trending",
    "latest news",
    "latest stories",
    "latest posts",
    "recent posts",
    "share this",
    "leave a reply",
    "leave a comment",
    "comments",
    "sign up",
    "subscribe",
    "newsletter",
    "about the author",
    "follow us",
    "weitere artikel",
    "mehr zum thema",
    "das könnte sie auch interessieren",
    "lesen sie auch",
    "à lire aussi",
    "lire aussi",
    "sur le même sujet",
    "te puede interesar",
    "noticias relacionadas",
    "leggi anche",
];

/// Teaser labels that head the replies: content on a discussion thread.
const COMMENT_LABELS: &[&str] = &["comments", "leave a reply", "leave a comment"];

/// Section labels of an article's apparatus (reference lists, footnotes), matched
/// whole: "Sources of income" is a section of the story, "Sources" is not.
const END_MATTER: &[&str] = &[
    "references",
    "citations",
    "sources",
    "article sources",
    "view article sources",
    "footnotes",
    "notes and references",
    "bibliography",
    "works cited",
    "literature cited",
    "more articles",
];

/// Short lines that are page furniture, not prose.
const FURNITURE: &[&str] = &[
    "advertisement",
    "advertisements",
    "sponsored",
    "share",
    "share this",
    "share this article",
    "share on facebook",
    "share on twitter",
    "tweet",
    "email",
    "print",
    "read more",
    "continue reading",
    "click here",
    "related",
    "comments",
    "skip to content",
    "loading",
    "loading...",
    "anzeige",
    "werbung",
    "publicité",
    "publicidad",
    "pubblicità",
];

/// Lower-case words without punctuation, one space between them: the form
/// block texts are compared in. One pass (it runs several times per block and
/// was 5 % of all instructions as a filter/split/join chain).
pub fn norm_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else if c.is_whitespace() {
            space = true;
        }
    }
    out
}

/// Paragraph-level filtering inside the container.
/// `thread`: the page is a discussion, where a "Comments" heading starts the content.
pub fn filter_blocks(
    arena: &Arena,
    blocks: &mut [Block],
    title: Option<&str>,
    strict: bool,
    thread: bool,
    article: bool,
) {
    let title_key = title.map(norm_key).unwrap_or_default();
    // Teaser sections under telling headings.
    // A teaser label that is not a heading element ("ALSO IN THE NEWS" in a <div>)
    // cuts until the next heading; a heading cuts until one of its level or higher.
    let mut cut_level: Option<u8> = None;
    let keys: Vec<String> = blocks.iter().map(|b| norm_key(&b.text)).collect();
    for (b, key) in blocks.iter_mut().zip(&keys) {
        let teaser = key.len() < 60
            && key.split_whitespace().count() <= 6
            && (TEASER_HEADINGS.iter().any(|h| key.starts_with(h))
                || END_MATTER.contains(&key.as_str()))
            && !(thread && COMMENT_LABELS.iter().any(|h| key.starts_with(h)));
        match b.kind {
            BlockKind::Heading(level) => {
                if let Some(cl) = cut_level
                    && level <= cl
                {
                    cut_level = None;
                }
                if teaser {
                    cut_level = Some(level);
                }
            }
            BlockKind::Para | BlockKind::Other if teaser && cut_level.is_none() => {
                cut_level = Some(6);
            }
            _ => {}
        }
        if cut_level.is_some() {
            b.keep = false;
        }
    }
    // List-of-links groups (tag lists, teaser lists): judge the whole list.
    let mut list_links: std::collections::HashMap<Ix, (usize, usize)> = Default::default();
    for b in blocks.iter() {
        if strict
            && b.kind == BlockKind::ListItem
            && let Some(list) = nearest(arena, b.owner, &["ul", "ol", "dl"])
        {
            let e = list_links.entry(list).or_default();
            e.0 += b.chars();
            e.1 += b.link_chars;
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (b, key) in blocks.iter_mut().zip(&keys) {
        if !b.keep {
            continue;
        }
        let n = b.chars();
        let ld = b.link_density();
        if b.kind == BlockKind::Image {
            continue;
        }
        if key.is_empty() {
            b.keep = false;
            continue;
        }
        // The headline is shown separately: never twice.
        if !title_key.is_empty() && (*key == title_key || (b.kind == BlockKind::Heading(1))) {
            b.keep = false;
            continue;
        }
        if strict
            && b.kind == BlockKind::ListItem
            && let Some(list) = nearest(arena, b.owner, &["ul", "ol", "dl"])
            && let Some(&(t, l)) = list_links.get(&list)
            && t > 0
            && l as f32 / t as f32 > 0.6
        {
            b.keep = false;
            continue;
        }
        // A short block that is (nearly) all link text is navigation; prose with
        // some links stays (WCXB: 0.9 beats 0.55 on every split and page type).
        if strict && ld > 0.9 && n < 400 {
            b.keep = false;
            continue;
        }
        if ld > 0.3 && n < 300 && is_teaser_line(key) {
            b.html_only = true;
        }
        if is_byline_line(&b.text) {
            b.keep = false;
            continue;
        }
        if strict && is_furniture_line(&b.text, key) {
            b.keep = false;
            continue;
        }
        if n < 30 && FURNITURE.contains(&key.as_str()) {
            b.keep = false;
            continue;
        }
        // Leaked CSS/JS (inline <style> rendered as text, JSON blobs, inline handlers):
        // never prose. Code in <pre>/<code> is content and stays.
        if b.kind != BlockKind::Pre
            && nearest(arena, b.owner, &["pre", "code"]).is_none()
            && crate::detect::looks_like_code(&b.text)
            && arena.find_tag(b.owner, "code").is_none()
        {
            b.keep = false;
            continue;
        }
        if strict && b.kind == BlockKind::Caption {
            // Captions belong to their figure in the HTML; WCXB gold (and readers
            // of plain text) leave them out of the prose.
            b.html_only = true;
            continue;
        }
        // Exact repeats (mobile/desktop duplicates, pull quotes). On whole pages and
        // Readability's candidate a short repeat is usually a field of each item
        // ("For monitors: 5-22 lbs", "Starting at $434"): only longer ones go there
        // (WCXB all types +0.0004 / +0.0009, articles +0.0001 / +0.0003).
        let rep_min = if strict { 20 } else { 60 };
        if n > rep_min && !seen.insert(key) {
            b.keep = false;
        }
    }
    if article {
        article_furniture(arena, blocks, &keys, thread);
    }
    // A lone date line at either edge of the body is the dateline (metadata);
    // inside the body it can be a timeline entry, so it stays there.
    if strict {
        let kept: Vec<usize> = (0..blocks.len())
            .filter(|&i| {
                blocks
                    .get(i)
                    .is_some_and(|b| b.keep && b.kind != BlockKind::Image)
            })
            .collect();
        let edge = kept.iter().take(2).chain(kept.iter().rev().take(2));
        for &i in edge {
            if let Some(b) = blocks.get_mut(i)
                && crate::dates::is_date_line(&b.text)
            {
                b.keep = false;
            }
        }
    }
    // Trailing headings with nothing after them are section furniture.
    for b in blocks.iter_mut().rev() {
        if !b.keep || b.kind == BlockKind::Image {
            continue;
        }
        if matches!(b.kind, BlockKind::Heading(_)) {
            b.keep = false;
        } else {
            break;
        }
    }
}

/// What an article's page puts around and between its paragraphs (applied when the
/// page is read as one article): time stamps alone (a playlist's "01:01:43", a
/// list's "11/20/2019 01:14 PM"); links with only a time stamp beside them
/// (headline lists); runs of short, mostly-link blocks (rails); login, newsletter,
/// conference calls; copyright and street-address lines; link spam; and, on a page
/// that is not a thread, everything from a comments label on.
fn article_furniture(arena: &Arena, blocks: &mut [Block], keys: &[String], thread: bool) {
    let mut cut = false;
    for (b, key) in blocks.iter_mut().zip(keys) {
        if cut {
            b.keep = false;
            continue;
        }
        if !b.keep || b.kind == BlockKind::Image {
            continue;
        }
        let cell = b.kind == BlockKind::Cell;
        if !thread && is_comments_label(key, b.kind) {
            cut = true;
            b.keep = false;
            continue;
        }
        let n = b.chars();
        let ld = b.link_density();
        // Time stamps, datelines and headline items (a table's cells are data: their
        // dates stay). A date alone inside the body can be a timeline's entry; a
        // clock time, a duration or "32M ago" alone is a list's or a playlist's.
        let stamped = !cell
            && (crate::dates::stamp_line(&b.text).is_some_and(|s| s.time || s.relative)
                || crate::dates::is_dateline(&b.text)
                || (n < 250
                    && b.link_chars > 0
                    && crate::dates::is_stamp_line(&unlinked(arena, b))));
        let drop = stamped
            || is_call_to_action(key, ld)
            || is_legal_line(&b.text, key)
            || (n < 400 && ld >= 0.7 && links_in(arena, b) >= SPAM_LINKS);
        if drop {
            b.keep = false;
        }
    }
    // Rails that escaped the card rule: runs of short blocks that are mostly link.
    let mut run: Vec<usize> = Vec::new();
    let flush = |run: &mut Vec<usize>, blocks: &mut [Block]| {
        if run.len() >= RAIL_MIN {
            for &i in run.iter() {
                if let Some(b) = blocks.get_mut(i) {
                    b.keep = false;
                }
            }
        }
        run.clear();
    };
    // Only at the end of the body: inside it, a list of links is the story's own
    // (a changelog's bug links, a list of sources).
    for i in (0..blocks.len()).rev() {
        let Some(b) = blocks.get(i) else { continue };
        if !b.keep || matches!(b.kind, BlockKind::Image | BlockKind::Cell) {
            continue;
        }
        if b.chars() < RAIL_MAX_CHARS && b.link_density() >= 0.5 {
            run.push(i);
        } else {
            break;
        }
    }
    flush(&mut run, blocks);
}

/// A run of at least this many short, mostly-link blocks is a rail,
const RAIL_MIN: usize = 3;
/// each block shorter than this.
const RAIL_MAX_CHARS: usize = 150;
/// A short block with this many links, nearly all link text, is link spam (a long
/// one can be a story's list of sources).
const SPAM_LINKS: usize = 5;

/// The block's text outside links.
fn unlinked(arena: &Arena, b: &Block) -> String {
    let mut out = String::new();
    for &t in &b.texts {
        if nearest_below(arena, t, b.owner, "a").is_none()
            && let Some(n) = arena.get(t)
        {
            out.push_str(&n.text);
            out.push(' ');
        }
    }
    out
}

/// Distinct links in the block.
fn links_in(arena: &Arena, b: &Block) -> usize {
    let mut seen: Vec<Ix> = Vec::new();
    for &t in &b.texts {
        if let Some(a) = nearest_below(arena, t, b.owner, "a")
            && !seen.contains(&a)
        {
            seen.push(a);
        }
    }
    seen.len()
}

/// The nearest `tag` element above `from`, not going past `top`.
fn nearest_below(arena: &Arena, from: Ix, top: Ix, tag: &str) -> Option<Ix> {
    let mut cur = arena.parent(from);
    let mut hops = 0;
    while let Some(ix) = cur {
        if arena.tag(ix) == tag {
            return Some(ix);
        }
        if ix == top || hops > 32 {
            return None;
        }
        hops += 1;
        cur = arena.parent(ix);
    }
    None
}

/// "23 Comments", "Comments (7)", a "Comments" heading, "Join the conversation",
/// "Leave a reply": the start of a comment section. A bare "Comments" that is not a
/// heading can be a label in the story (a table's column, a code listing's field).
fn is_comments_label(key: &str, kind: BlockKind) -> bool {
    if key.len() > 40 {
        return false;
    }
    let rest = key
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start();
    let rest = rest
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end();
    let counted = rest.len() < key.len();
    let heading = matches!(kind, BlockKind::Heading(_));
    (matches!(rest, "comments" | "responses" | "replies") && (counted || heading))
        || matches!(
            rest,
            "reader comments"
                | "show comments"
                | "view comments"
                | "load comments"
                | "join the conversation"
                | "join the discussion"
                | "leave a reply"
                | "leave a comment"
                | "add a comment"
                | "post a comment"
        )
        || rest.starts_with("thoughts on ")
        || rest.starts_with("responses to ")
}

/// "Log in", "Sign up for our newsletter", "Register for the … Summit", "Get
/// breaking news alerts in your inbox": a call to act, not article text. Short, and
/// either mostly link or starting with the verb.
fn is_call_to_action(key: &str, ld: f32) -> bool {
    const TOPICS: &[&str] = &[
        "log in",
        "login",
        "sign in",
        "sign up",
        "signup",
        "register",
        "registration",
        "subscribe",
        "subscription",
        "subscriber",
        "newsletter",
        "newsletters",
        "inbox",
        "alerts",
        "account",
        "conference",
        "summit",
        "webinar",
        "membership",
    ];
    const VERBS: &[&str] = &[
        "log",
        "login",
        "sign",
        "register",
        "subscribe",
        "get",
        "join",
        "create",
        "download",
        "follow",
        "click",
        "try",
        "start",
        "unlock",
        "become",
    ];
    if key.len() > 200 {
        return false;
    }
    let words = key.split_whitespace().count();
    if words == 0 || words > 16 {
        return false;
    }
    let topic = TOPICS.iter().any(|t| {
        key.match_indices(t).any(|(i, _)| {
            let before = key
                .get(..i)
                .is_none_or(|s| s.is_empty() || s.ends_with(' '));
            let after = key
                .get(i + t.len()..)
                .is_none_or(|s| s.is_empty() || s.starts_with(' '));
            before && after
        })
    });
    let verb = key
        .split_whitespace()
        .next()
        .is_some_and(|w| VERBS.contains(&w));
    topic && (ld >= 0.5 || verb)
}

/// Copyright notices and street addresses (a footer's lines).
fn is_legal_line(text: &str, key: &str) -> bool {
    let n = text.chars().count();
    if n >= 250 {
        return false;
    }
    // "© 2026 …", "Copyright 2026", "All rights reserved" (a "™©" joke in a
    // sentence is not a notice).
    let year_after = |i: usize| {
        text.get(i..).is_some_and(|t| {
            t.split_whitespace()
                .take(3)
                .any(|w| w.trim_matches(|c: char| !c.is_ascii_digit()).len() == 4)
        })
    };
    if key.contains("all rights reserved")
        || key.starts_with("copyright ")
        || text.match_indices('©').any(|(i, _)| year_after(i))
    {
        return true;
    }
    n < 200 && is_address(text)
}

/// "410 Commerce Street, Suite 200, Harlow, OH 44102", "17 Mill Street, Port Ellen,
/// PA 17011 · (717) 555-0142": a house number followed by a street word, and a
/// postal code or a phone number.
fn is_address(text: &str) -> bool {
    const STREET: &[&str] = &[
        "street",
        "st",
        "avenue",
        "ave",
        "road",
        "rd",
        "boulevard",
        "blvd",
        "lane",
        "ln",
        "drive",
        "dr",
        "way",
        "plaza",
        "place",
        "pl",
        "square",
        "sq",
        "court",
        "parkway",
        "pkwy",
        "highway",
        "hwy",
        "suite",
        "floor",
    ];
    let toks: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '·' | '|' | ';'))
        .filter(|t| !t.is_empty())
        .collect();
    let street =
        toks.iter().enumerate().any(|(i, t)| {
            (1..=5).contains(&t.len())
                && t.chars().all(|c| c.is_ascii_digit())
                && toks.iter().skip(i + 1).take(4).any(|w| {
                    STREET.contains(&w.trim_end_matches('.').to_ascii_lowercase().as_str())
                })
        });
    if !street {
        return false;
    }
    let zip = toks.windows(2).any(|w| {
        let (Some(st), Some(z)) = (w.first(), w.get(1)) else {
            return false;
        };
        st.len() == 2
            && st.chars().all(|c| c.is_ascii_uppercase())
            && z.get(..5)
                .is_some_and(|d| d.len() == 5 && d.chars().all(|c| c.is_ascii_digit()))
    });
    let phone = toks.iter().any(|t| {
        let t = t.trim_matches(|c: char| !c.is_ascii_digit());
        t.len() == 8
            && t.get(3..4) == Some("-")
            && t.chars().filter(char::is_ascii_digit).count() == 7
    });
    zip || phone
}

/// "Related: <headline>", "READ MORE: <headline>" lines inside a body.
fn is_teaser_line(key: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "related",
        "read more",
        "read also",
        "also read",
        "see also",
        "more",
        "must read",
        "recommended",
        "watch",
        "listen",
        "read",
        "lire aussi",
        "à lire aussi",
        "lesen sie auch",
        "mehr zum thema",
        "leer más",
        "lee también",
        "leggi anche",
    ];
    PREFIXES.iter().any(|p| {
        key.strip_prefix(p)
            .is_some_and(|rest| rest.starts_with(' ') && rest.split_whitespace().count() >= 2)
    })
}

/// Short lines that frame an article rather than tell it: "Like this:",
/// "The post … appeared first on …" (feed footers), copyright, photo credits and
/// tag lists.
fn is_furniture_line(text: &str, key: &str) -> bool {
    const LINES: &[&str] = &[
        "like this",
        "like loading",
        "share this",
        "share this post",
        "share this story",
        "share article",
        "copy link",
        "table of contents",
        "in this article",
        "show caption",
        "hide caption",
        "listen to this article",
        // Post-rating widgets ("Rate my Post").
        "how useful was this post",
        "click on a star to rate it",
        "no votes so far be the first to rate this post",
        "we are sorry that this post was not useful for you",
        "let us improve this post",
        "tell us how we can improve this post",
    ];
    const PREFIXES: &[&str] = &[
        "image:",
        "image credit",
        "photo:",
        "photo credit",
        "photograph:",
        "credit:",
        "tags:",
        "categories:",
        "filed under",
        "thank you for reading ",
        "thanks for reading ",
        "average rating ",
        "copyright ©",
        "copyright (c)",
        "©",
    ];
    let n = text.chars().count();
    if n >= 400 {
        return false;
    }
    // Affiliate disclosures ("Purchases made through our links may earn us a
    // commission"): a notice about the page, longer than the other lines.
    if key.contains("commission")
        && ["affiliate", "our links", "purchases made", "we may earn"]
            .iter()
            .any(|w| key.contains(w))
    {
        return true;
    }
    if n > 200 {
        return false;
    }
    let lower = text.trim().to_lowercase();
    if LINES.contains(&key) || is_reading_time(key) {
        return true;
    }
    if lower.starts_with("the post ") && lower.contains(" appeared first on ") {
        return true;
    }
    n < 150 && PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// "5 min read", "Reading time: 11 minutes".
fn is_reading_time(key: &str) -> bool {
    if key.len() > 40 || !key.contains("min") {
        return false;
    }
    let words: Vec<&str> = key.split_whitespace().collect();
    words.len() <= 5
        && words.iter().any(|w| matches!(*w, "read" | "reading"))
        && words
            .iter()
            .any(|w| matches!(*w, "min" | "mins" | "minute" | "minutes"))
        && words.iter().all(|w| {
            matches!(
                *w,
                "read" | "reading" | "time" | "min" | "mins" | "minute" | "minutes"
            ) || w.chars().all(|c| c.is_ascii_digit())
        })
}

/// "By Jane Doe", "Von Anna Schmidt | 4. März": a byline, not prose.
fn is_byline_line(t: &str) -> bool {
    let t = t.trim();
    let Some(rest) = [
        "By ",
        "BY ",
        "Von ",
        "Par ",
        "Por ",
        "Written by ",
        "Posted by ",
    ]
    .iter()
    .find_map(|p| t.strip_prefix(p)) else {
        return false;
    };
    let name = rest.split(['|', '•', '·', '\n', ',']).next().unwrap_or("");
    let words: Vec<&str> = name.split_whitespace().collect();
    t.chars().count() <= 100
        && (1..=5).contains(&words.len())
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
}

pub fn nearest(arena: &Arena, from: Ix, tags: &[&str]) -> Option<Ix> {
    let mut cur = Some(from);
    let mut hops = 0;
    while let Some(ix) = cur {
        if tags.contains(&arena.tag(ix)) {
            return Some(ix);
        }
        hops += 1;
        if hops > 64 {
            return None;
        }
        cur = arena.parent(ix);
    }
    None
}

/// The whole `<body>` as one container, lenient paragraph rules (link lists kept):
/// the fallback for pages whose main content is not one block of prose (listings,
/// collections, product pages, threads).
pub fn extract_whole(ctx: &Ctx<'_>, title: Option<&str>) -> Vec<Block> {
    let body = ctx.arena.find_tag(0, "body").unwrap_or(0);
    let mut blocks = segment(ctx, body);
    filter_blocks(ctx.arena, &mut blocks, title, false, ctx.forum, false);
    // Site headers and footers outside `<header>`/`<footer>`.
    drop_tail_outside_core(ctx, &mut blocks, body, true);
    blocks
}

pub fn extract_body(arena: &Arena, title: Option<&str>, thread: Thread) -> BodyResult {
    extract_body_in(&Ctx::new(arena, Names::Article, thread), title)
}

/// [`extract_body`] with a context built by the caller.
pub fn extract_body_in(ctx: &Ctx<'_>, title: Option<&str>) -> BodyResult {
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

    #[test]
    fn every_body_hint_holds_a_stem() {
        for h in super::BODY_HINTS.iter().flat_map(|t| t.iter()) {
            assert!(super::HINT_STEMS.iter().any(|st| h.contains(st)), "{h}");
        }
    }

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

    #[test]
    fn norm_key_words() {
        assert_eq!(
            super::norm_key("  Don't MISS: \n Ärger-frei  "),
            "dont miss ärgerfrei"
        );
        assert_eq!(super::norm_key("..."), "");
    }

    #[test]
    fn article_furniture_lines() {
        use super::{BlockKind, is_call_to_action, is_comments_label, is_legal_line, norm_key};
        let label = |t: &str, k| is_comments_label(&norm_key(t), k);
        assert!(label("23 Comments", BlockKind::Other));
        assert!(label("Comments (7)", BlockKind::Other));
        assert!(label("Comments", BlockKind::Heading(3)));
        assert!(label("Join the conversation", BlockKind::Other));
        // A bare label inside a story (a table column, a code listing's field).
        assert!(!label("Comments", BlockKind::Other));
        assert!(!label("Comment", BlockKind::Heading(3)));
        assert!(!label("Comments from the minister", BlockKind::Heading(2)));
        let cta = |t: &str, ld| is_call_to_action(&norm_key(t), ld);
        assert!(cta("Sign up for the Morning Briefing newsletter", 1.0));
        assert!(cta("Register for the Energy Futures Conference", 0.0));
        assert!(cta("Log in", 1.0));
        assert!(!cta("The newsletter's editor resigned on Monday.", 0.0));
        assert!(!cta(
            "Registration for the event opened on Monday, officials said.",
            0.0
        ));
        let legal = |t: &str| is_legal_line(t, &norm_key(t));
        assert!(legal(
            "Copyright © 2026 Courier Media Group. All rights reserved."
        ));
        assert!(legal(
            "The Daily Courier, 410 Commerce Street, Suite 200, Harlow, OH 44102"
        ));
        assert!(legal("17 Mill Street, Port Ellen · (717) 555-0142"));
        assert!(!legal(
            "The crash happened outside 410 Commerce Street on Monday."
        ));
        assert!(!legal(
            "This isn't supposed to be a manifesto™© we just think it's cool."
        ));
    }

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

    #[test]
    fn furniture_lines() {
        let f = |t: &str| super::is_furniture_line(t, &super::norm_key(t));
        assert!(f("Like this:"));
        assert!(f("Click on a star to rate it!"));
        assert!(f("Average rating 5 / 5. Vote count: 1"));
        assert!(f("Thank you for reading The Green Techpreneur"));
        assert!(!f("Thanks to readers, the fund reached its goal."));
        assert!(f("The post Ten Tips appeared first on Example News."));
        assert!(f("Image credit: © Depositphotos.com/AndrewLozovyi"));
        assert!(f("Copyright © 2023 NPR. All rights reserved."));
        assert!(!f("Like this summer, the next one will be hot."));
        assert!(!f("The post office closed at noon."));
        assert!(f("5 min read"));
        assert!(f("Reading Time: 11 minutes"));
        assert!(!f("Read for 5 minutes a day."));
        assert!(f(
            "Products are chosen independently by our editors. Purchases made through our links may earn us a commission."
        ));
    }
}
