//! Publication and modification dates: JSON-LD, microdata, meta tags, `<time>`; then
//! a dated byline element, the URL's date, the first date-like short text.

use super::*;

/// Published and modified times.
pub(crate) fn fill(pg: &Sources<'_>, m: &mut Meta) {
    let pub_candidates = [
        pg.ld.published.clone(),
        pg.md.published.clone(),
        pg.get("article:published_time").map(str::to_string),
        pg.get("og:published_time").map(str::to_string),
        pg.get("datepublished").map(str::to_string),
        pg.get("publishdate").map(str::to_string),
        pg.get("publish-date").map(str::to_string),
        pg.get("pubdate").map(str::to_string),
        pg.get("date").map(str::to_string),
        pg.get("dc.date").map(str::to_string),
        pg.get("dc.date.issued").map(str::to_string),
        pg.get("dcterms.created").map(str::to_string),
        pg.get("dcterms.date").map(str::to_string),
        pg.get("sailthru.date").map(str::to_string),
        pg.get("parsely-pub-date").map(str::to_string),
        pg.get("article.published").map(str::to_string),
        pg.get("citation_publication_date").map(str::to_string),
        pg.get("citation_date").map(str::to_string),
        time_published(pg.arena, &pg.scan.times),
    ];
    m.published = pub_candidates.iter().flatten().find_map(|s| parse_date(s));
    let mod_candidates = [
        pg.ld.modified.clone(),
        pg.md.modified.clone(),
        pg.get("article:modified_time").map(str::to_string),
        pg.get("og:updated_time").map(str::to_string),
        pg.get("dcterms.modified").map(str::to_string),
        pg.get("datemodified").map(str::to_string),
    ];
    m.modified = mod_candidates.iter().flatten().find_map(|s| parse_date(s));
    // Fallbacks, most specific first: a dated byline element, the date in the URL
    // (/2025/09/04/), then the first short date-like text on the page.
    if m.published.is_none() {
        m.published = byline_date(pg.arena)
            .or_else(|| url_date(pg.page_url))
            .or_else(|| text_date(pg.arena));
    }
}

/// `<time>` elements: prefer ones marked as publication time.
pub(crate) fn time_published(arena: &Arena, times: &[Ix]) -> Option<String> {
    let mut first = None;
    for &ix in times {
        let Some(n) = arena.get(ix) else { continue };
        let v = n
            .attr("datetime")
            .map(str::to_string)
            .unwrap_or_else(|| arena.text(ix));
        let marked = n.attr("pubdate").is_some()
            || n.attr("itemprop")
                .is_some_and(|p| p.eq_ignore_ascii_case("datepublished"))
            || n.attr("class").is_some_and(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("publish") || c.contains("posted") || c.contains("entry-date")
            });
        if marked {
            return Some(v);
        }
        if first.is_none()
            && !ancestor_has_word(
                arena,
                ix,
                &["comment", "comments", "related", "footer", "sidebar"],
            )
        {
            first = Some(v);
        }
    }
    first
}

/// `/2025/09/04/` or `2025-09-04` in the URL path (news CMS permalinks).
pub(crate) fn url_date(u: &Url) -> Option<ArticleTime> {
    let segs: Vec<&str> = u.path_segments()?.collect();
    for w in segs.windows(3) {
        if let [y, mo, d] = w
            && y.len() == 4
            && (1..=2).contains(&mo.len())
            && (1..=2).contains(&d.len())
            && [y, mo, d]
                .iter()
                .all(|x| x.chars().all(|c| c.is_ascii_digit()))
            && let Some(t) = parse_date(&format!("{y}-{mo:0>2}-{d:0>2}"))
        {
            return Some(t);
        }
    }
    segs.iter().find_map(|s| {
        let b = s.as_bytes();
        (0..b.len().saturating_sub(9)).find_map(|i| {
            let cand = s.get(i..i + 10)?;
            let cb = cand.as_bytes();
            let shape = cb.iter().enumerate().all(|(k, c)| {
                if k == 4 || k == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
            if shape && (i == 0 || !b.get(i - 1).is_some_and(u8::is_ascii_digit)) {
                parse_date(cand)
            } else {
                None
            }
        })
    })
}

/// The first short text on the page that is a full date ("December 19, 2025").
pub(crate) fn text_date(arena: &Arena) -> Option<ArticleTime> {
    let body = arena.find_tag(0, "body")?;
    let mut seen = 0;
    let mut stack = vec![body];
    while let Some(ix) = stack.pop() {
        let Some(n) = arena.get(ix) else { continue };
        match n.kind {
            Kind::Text => {
                let t = n.text.trim();
                if (8..=60).contains(&t.len())
                    && t.chars().any(|c| c.is_ascii_digit())
                    && let Some(d) = parse_date(t)
                {
                    return Some(d);
                }
                seen += 1;
                if seen > 3000 {
                    return None;
                }
            }
            Kind::Element => {
                if matches!(
                    n.tag.as_str(),
                    "script"
                        | "style"
                        | "noscript"
                        | "template"
                        | "footer"
                        | "nav"
                        | "aside"
                        | "select"
                ) {
                    continue;
                }
                stack.extend(n.children.iter().rev());
            }
        }
    }
    None
}

/// A date in a byline-ish element when no metadata gave one.
pub(crate) fn byline_date(arena: &Arena) -> Option<ArticleTime> {
    for (ix, n) in arena.nodes.iter().enumerate() {
        if !n.is_element() || matches!(n.tag.as_str(), "script" | "style" | "body" | "html") {
            continue;
        }
        let c = format!(
            "{} {}",
            n.attr("class").unwrap_or(""),
            n.attr("id").unwrap_or("")
        )
        .to_ascii_lowercase();
        if !(c.contains("date")
            || c.contains("time")
            || c.contains("byline")
            || c.contains("posted")
            || c.contains("meta"))
        {
            continue;
        }
        let t = arena.text(ix);
        if t.chars().count() > 80 {
            continue;
        }
        if let Some(d) = parse_date(&t) {
            return Some(d);
        }
    }
    None
}
