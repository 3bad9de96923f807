//! Authors: JSON-LD, microdata, meta tags, `rel=author`, byline elements in the DOM,
//! "By Jane Doe" lines; names cleaned and checked.

use super::*;

/// The authors.
pub(crate) fn fill(pg: &Sources<'_>, m: &mut Meta) {
    // Authors: the first source that yields a plausible name wins (a source whose
    // only value is junk, e.g. an URL or "admin", does not block the next one).
    let meta_authors = || {
        let mut v = Vec::new();
        for k in [
            "author",
            "article:author",
            "dc.creator",
            "byl",
            "sailthru.author",
            "parsely-author",
            "citation_author",
            "twitter:creator",
        ] {
            for x in pg.get_all(k) {
                if !(k == "twitter:creator" && x.starts_with('@')) {
                    v.push(x.to_string());
                }
            }
            if !v.is_empty() {
                break;
            }
        }
        v
    };
    let sources: [&dyn Fn() -> Vec<String>; 6] = [
        &|| pg.ld.authors.clone(),
        &|| pg.md.authors.clone(),
        &meta_authors,
        &|| {
            pg.scan
                .rel_authors
                .iter()
                .map(|&ix| pg.arena.text(ix))
                .collect()
        },
        &|| dom_byline(pg.arena).into_iter().collect(),
        &|| text_byline(pg.arena).into_iter().collect(),
    ];
    m.authors = sources
        .iter()
        .map(|f| clean_authors(f()))
        .find(|v| !v.is_empty())
        .unwrap_or_default();
}

/// Organisations are valid authors here (a company blog's author is the company),
/// so a name equal to the site name is kept.
pub(crate) fn clean_authors(raw: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in raw {
        let a = collapse_ws(&decode_entities(&a));
        if a.starts_with("http://")
            || a.starts_with("https://")
            || a.contains('@') && !a.contains(' ')
        {
            continue;
        }
        let a = strip_by(&a);
        for part in a
            .split(" and ")
            .flat_map(|p| p.split(" & "))
            .flat_map(|p| p.split(['|', ';', '\n']))
        {
            let p = part
                .trim()
                .trim_matches(|c: char| c == ',' || c == '.' || c == ':')
                .trim();
            let k = norm_key(p);
            if p.is_empty() || p.chars().count() > 60 || k.is_empty() || !plausible_name(p) {
                continue;
            }
            if !out.iter().any(|x| norm_key(x) == k) {
                out.push(p.to_string());
            }
        }
    }
    out.truncate(10);
    out
}

/// Rejects sentence fragments, ids, handles and labels posing as author names.
pub(crate) fn plausible_name(p: &str) -> bool {
    let words: Vec<&str> = p.split_whitespace().collect();
    if words.is_empty() || words.len() > 6 {
        return false;
    }
    if p.chars().filter(char::is_ascii_digit).count() > 2 {
        return false;
    }
    let lower = p.to_lowercase();
    if matches!(
        lower.as_str(),
        "admin"
            | "administrator"
            | "written by"
            | "posted by"
            | "by"
            | "author"
            | "staff"
            | "editor"
            | "guest"
            | "anonymous"
            | "unknown"
    ) {
        return false;
    }
    // "cooking. She aims to explore": a sentence, not a name.
    if p.contains(". ")
        && words
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_lowercase) && w.len() > 3)
    {
        return false;
    }
    // A single lower-case token is a handle ("shopwithselect").
    !(words.len() == 1 && p.chars().all(|c| !c.is_uppercase()))
}

/// A "By Jane Doe" line in the page text.
pub(crate) fn text_byline(arena: &Arena) -> Option<String> {
    for n in arena.nodes.iter() {
        if !matches!(n.kind, Kind::Text) {
            continue;
        }
        let t = n.text.trim();
        let starts = ["By ", "BY ", "by ", "Von ", "Par ", "Por "]
            .iter()
            .any(|p| t.starts_with(p));
        let bare = matches!(t, "By" | "By:" | "BY" | "by" | "Von" | "Par" | "Por");
        if !(starts || bare) || t.chars().count() > 80 {
            continue;
        }
        // The byline element: the text's parent, or its grandparent for "By <a>Name</a>".
        let mut cur = n.parent;
        for _ in 0..2 {
            let Some(p) = cur else { break };
            let full = arena.text(p);
            let name = strip_by(&full);
            let name = name
                .split(['|', '•', '·', '\n'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if name.chars().count() <= 60
                && name.split_whitespace().count() >= 2
                && plausible_name(&name)
                && name.split_whitespace().all(|w| {
                    w.chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
                })
            {
                return Some(name);
            }
            if full.chars().count() > 120 {
                break;
            }
            cur = arena.parent(p);
        }
    }
    None
}

pub(crate) fn strip_by(s: &str) -> String {
    let t = s.trim();
    for p in [
        "By ",
        "by ",
        "BY ",
        "Von ",
        "von ",
        "Par ",
        "par ",
        "Por ",
        "por ",
        "Written by ",
        "Posted by ",
        "Author: ",
        "Autor: ",
    ] {
        if let Some(r) = t.strip_prefix(p) {
            return r.trim().to_string();
        }
    }
    t.to_string()
}

/// A byline element in the DOM: class/id with "author" or "byline".
pub(crate) fn dom_byline(arena: &Arena) -> Option<String> {
    for (ix, n) in arena.nodes.iter().enumerate() {
        if !n.is_element()
            || matches!(
                n.tag.as_str(),
                "meta" | "link" | "script" | "style" | "body" | "html"
            )
        {
            continue;
        }
        let c = format!(
            "{} {}",
            n.attr("class").unwrap_or(""),
            n.attr("id").unwrap_or("")
        )
        .to_ascii_lowercase();
        let hit = c
            .split(|ch: char| !ch.is_alphanumeric())
            .any(|w| matches!(w, "author" | "byline" | "authorname" | "writer"))
            || c.contains("author-name")
            || c.contains("byline__name");
        if !hit || ancestor_has_word(arena, ix, &["comment", "comments", "related"]) {
            continue;
        }
        let t = strip_by(&arena.text(ix));
        let words = t.split_whitespace().count();
        if (1..=5).contains(&words)
            && t.chars().count() <= 50
            && !t.chars().any(|c| c.is_ascii_digit())
        {
            return Some(t);
        }
    }
    None
}

pub(crate) fn ancestor_has_word(arena: &Arena, ix: Ix, ws: &[&str]) -> bool {
    let mut cur = arena.parent(ix);
    let mut hops = 0;
    while let Some(p) = cur {
        hops += 1;
        if hops > 30 {
            break;
        }
        if let Some(n) = arena.get(p) {
            let c = format!(
                "{} {}",
                n.attr("class").unwrap_or(""),
                n.attr("id").unwrap_or("")
            )
            .to_ascii_lowercase();
            if ws
                .iter()
                .any(|w| c.split(|ch: char| !ch.is_alphanumeric()).any(|x| x == *w))
            {
                return true;
            }
            if matches!(n.tag.as_str(), "footer" | "aside") {
                return true;
            }
        }
        cur = arena.parent(p);
    }
    false
}
