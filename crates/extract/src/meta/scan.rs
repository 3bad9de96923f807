//! The one pass over the page's elements that collects what the metadata steps read:
//! `<meta>` and `<link>` tags, JSON-LD scripts, `<base>`, `<title>`, `<time>`, `<h1>`s,
//! embeds, microdata properties and types.

use super::*;

/// What one pass over the elements collected.
#[derive(Default)]
pub(crate) struct Scan {
    /// `<meta>` tags: (lower-case property/name/itemprop/http-equiv, content).
    pub(crate) metas: Vec<(String, String)>,
    pub(crate) ld_scripts: Vec<Ix>,
    pub(crate) title_tag: Option<String>,
    pub(crate) canonical: Option<String>,
    pub(crate) html_lang: Option<String>,
    pub(crate) iframes: Vec<Ix>,
    pub(crate) video_tags: Vec<Ix>,
    pub(crate) times: Vec<Ix>,
    /// Elements with an `itemprop`, `<meta>` excepted.
    pub(crate) itemprops: Vec<Ix>,
    /// The first eight `<h1>`s.
    pub(crate) h1s: Vec<Ix>,
    /// `<link rel="alternate">` feeds: (href, title, kind).
    pub(crate) feeds_raw: Vec<(String, Option<String>, String)>,
    /// `rel="author"` links.
    pub(crate) rel_authors: Vec<Ix>,
    /// Elements whose microdata type is an article type (nested ones included).
    pub(crate) md_articles: usize,
    /// `<base href>` resolved against the page URL.
    pub(crate) base: Option<Url>,
    /// Microdata QAPage / DiscussionForumPosting.
    pub(crate) qa: bool,
    pub(crate) forum: bool,
}

impl Scan {
    /// The first `<meta>` value under a key.
    pub(crate) fn get(&self, k: &str) -> Option<&str> {
        self.metas
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    /// Every `<meta>` value under a key.
    pub(crate) fn get_all(&self, k: &str) -> Vec<&str> {
        self.metas
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Collects `<meta>`, `<link>`, ld+json scripts, `<base>`, `<title>` and the rest in
/// one pass.
pub(crate) fn scan(arena: &Arena, page_url: &Url) -> Scan {
    let mut s = Scan::default();
    for (ix, n) in arena.nodes.iter().enumerate() {
        if !matches!(n.kind, Kind::Element) {
            continue;
        }
        match n.tag.as_str() {
            "html" if s.html_lang.is_none() => {
                s.html_lang = n.attr("lang").or(n.attr("xml:lang")).map(str::to_string);
            }
            "meta" => {
                let key = n
                    .attr("property")
                    .or(n.attr("name"))
                    .or(n.attr("itemprop"))
                    .or(n.attr("http-equiv"));
                if let (Some(k), Some(v)) = (key, n.attr("content")) {
                    let v = collapse_ws(&decode_entities(v));
                    if !v.is_empty() {
                        s.metas.push((k.trim().to_ascii_lowercase(), v));
                    }
                }
            }
            "link" => {
                let rel = n.attr("rel").unwrap_or("").to_ascii_lowercase();
                let rels: Vec<&str> = rel.split_whitespace().collect();
                if rels.contains(&"canonical") && s.canonical.is_none() {
                    s.canonical = n.attr("href").map(str::to_string);
                }
                if rels.contains(&"alternate")
                    && let Some(href) = n.attr("href")
                {
                    let ty = n.attr("type").unwrap_or("").trim().to_ascii_lowercase();
                    let title = n.attr("title").map(collapse_ws).filter(|t| !t.is_empty());
                    let kind = match ty.as_str() {
                        "application/rss+xml" | "application/rdf+xml" => Some("rss"),
                        "application/atom+xml" => Some("atom"),
                        "application/feed+json" => Some("json"),
                        // Plain JSON alternates are mostly REST/oEmbed endpoints: only
                        // a JSON Feed when it says so.
                        "application/json" => {
                            let t = title.as_deref().unwrap_or("").to_ascii_lowercase();
                            let h = href.to_ascii_lowercase();
                            (t.contains("feed") || h.contains("feed.json")).then_some("json")
                        }
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        s.feeds_raw
                            .push((href.to_string(), title, kind.to_string()));
                    }
                }
                if rels.contains(&"author") {
                    s.rel_authors.push(ix);
                }
            }
            "base" if s.base.is_none() => {
                s.base = n.attr("href").and_then(|h| abs_url(page_url, h));
            }
            "title" if s.title_tag.is_none() && !in_svg(arena, ix) => {
                s.title_tag = Some(arena.text(ix));
            }
            "script"
                if n.attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                s.ld_scripts.push(ix);
            }
            "iframe" => s.iframes.push(ix),
            "video" => s.video_tags.push(ix),
            "time" => s.times.push(ix),
            "h1" if s.h1s.len() < 8 => {
                s.h1s.push(ix);
            }
            "a" if n
                .attr("rel")
                .is_some_and(|r| r.to_ascii_lowercase().contains("author")) =>
            {
                s.rel_authors.push(ix);
            }
            _ => {}
        }
        if n.attr("itemprop").is_some() && &*n.tag != "meta" {
            s.itemprops.push(ix);
        }
        // Microdata threads (Stack Exchange marks its pages up as QAPage).
        if let Some(t) = n.attr("itemtype") {
            let t = t.trim_end_matches('/');
            let t = t.rsplit('/').next().unwrap_or(t);
            if t.eq_ignore_ascii_case("QAPage") {
                s.qa = true;
            } else if t.eq_ignore_ascii_case("DiscussionForumPosting") {
                s.forum = true;
            } else if DECLARED_TYPES.iter().any(|d| t.eq_ignore_ascii_case(d)) {
                s.md_articles += 1;
            }
        }
    }
    s
}

pub(crate) fn in_svg(arena: &Arena, ix: Ix) -> bool {
    let mut cur = arena.parent(ix);
    while let Some(p) = cur {
        if arena.tag(p) == "svg" {
            return true;
        }
        cur = arena.parent(p);
    }
    false
}
