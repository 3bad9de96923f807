//! The title: the page's visible headline (an `<h1>` that is not a logo or site
//! name, preferring one that agrees with the metadata), else the metadata title
//! without its " | Site" affixes; the site name.

use super::*;

/// Site name and title.
pub(crate) fn fill(pg: &Sources<'_>, m: &mut Meta) {
    let site_name = pg
        .get("og:site_name")
        .map(str::to_string)
        .or(pg.ld.publisher.clone())
        .or(pg.ld_site.clone())
        .or(pg.get("application-name").map(str::to_string));
    m.site_name = site_name.clone().filter(|s| !s.is_empty());
    let raw_title = pg
        .ld
        .headline
        .clone()
        .or(pg.md.headline.clone())
        .or(pg.get("og:title").map(str::to_string))
        .or(pg.get("twitter:title").map(str::to_string))
        .or(pg.scan.title_tag.clone());
    let meta_title = raw_title
        .map(|t| collapse_ws(&decode_entities(&t)))
        .filter(|t| !t.is_empty());
    let h1_text = visible_headline(
        pg.arena,
        &pg.scan.h1s,
        m.site_name.as_deref(),
        meta_title.as_deref(),
    );
    m.title = match (&h1_text, &meta_title) {
        // The visible headline is what readers see and what the page is about; the
        // metadata titles carry SEO rewrites and " | Site" suffixes.
        (Some(h), _) => Some(h.clone()),
        (None, Some(t)) => Some(clean_title(t, m.site_name.as_deref(), None, pg.page_url)),
        (None, None) => None,
    }
    .filter(|t| !t.is_empty());
}

/// The page's visible headline: an `<h1>` that is not a logo or the site name.
/// With several, the one agreeing with the metadata title wins, else the first.
pub(crate) fn visible_headline(
    arena: &Arena,
    h1s: &[Ix],
    site: Option<&str>,
    meta_title: Option<&str>,
) -> Option<String> {
    let site_key = site.map(norm_key).unwrap_or_default();
    let meta_key = meta_title.map(norm_key).unwrap_or_default();
    let mut first: Option<String> = None;
    for &ix in h1s {
        let t = arena.text(ix);
        let k = norm_key(&t);
        if k.is_empty() || t.chars().count() > 300 || k == site_key {
            continue;
        }
        if ancestor_has_word(
            arena,
            ix,
            &[
                "logo", "brand", "masthead", "sidebar", "widget", "modal", "popup", "cookie",
            ],
        ) || arena.get(ix).is_some_and(|n| {
            let c = format!(
                "{} {}",
                n.attr("class").unwrap_or(""),
                n.attr("id").unwrap_or("")
            )
            .to_ascii_lowercase();
            c.contains("logo")
                || c.contains("site-title")
                || c.contains("site-name")
                || c.contains("brand")
        }) {
            continue;
        }
        if !meta_key.is_empty() && (meta_key.contains(&k) || k.contains(&meta_key)) {
            return Some(t);
        }
        if first.is_none() {
            first = Some(t);
        }
    }
    // A lone short h1 that disagrees with the metadata is more likely a section
    // label ("News") than the headline.
    first.filter(|t| meta_key.is_empty() || t.split_whitespace().count() >= 3)
}

/// Drops " | Site Name" style suffixes (and prefixes) from a page title.
pub(crate) fn clean_title(t: &str, site: Option<&str>, h1: Option<&str>, url: &Url) -> String {
    let t = t.trim();
    // If the <h1> is a part of the title, it is the headline.
    if let Some(h) = h1 {
        let hk = norm_key(h);
        let tk = norm_key(t);
        if !hk.is_empty() && hk == tk {
            return h.trim().to_string();
        }
    }
    const SEPS: &[&str] = &[
        " | ", " - ", " – ", " — ", " :: ", " » ", " « ", " · ", " • ", " / ", " ~ ", " : ",
    ];
    let site_key = site.map(norm_key).unwrap_or_default();
    let host_key: String = url
        .host_str()
        .unwrap_or("")
        .trim_start_matches("www.")
        .split('.')
        .next()
        .unwrap_or("")
        .to_lowercase();
    for sep in SEPS {
        if !t.contains(sep) {
            continue;
        }
        let parts: Vec<&str> = t.split(sep).collect();
        let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
            continue;
        };
        let is_site = |p: &str| {
            let k = norm_key(p);
            let nospace: String = k.chars().filter(|c| !c.is_whitespace()).collect();
            (!site_key.is_empty()
                && (k == site_key || site_key.contains(&k) || k.contains(&site_key)))
                || (!host_key.is_empty()
                    && host_key.len() >= 3
                    && (nospace == host_key || nospace.contains(&host_key)))
        };
        if parts.len() >= 2 && is_site(last) {
            let head = parts
                .get(..parts.len() - 1)
                .map(|p| p.join(sep))
                .unwrap_or_default();
            // Strip repeatedly: "Title - Section | Site".
            return clean_title(&head, site, h1, url);
        }
        if parts.len() >= 2 && is_site(first) {
            let tail = parts.get(1..).map(|p| p.join(sep)).unwrap_or_default();
            return clean_title(&tail, site, h1, url);
        }
        if let Some(h) = h1 {
            let hk = norm_key(h);
            if !hk.is_empty() && parts.iter().any(|p| norm_key(p) == hk) {
                return h.trim().to_string();
            }
        }
    }
    t.to_string()
}
