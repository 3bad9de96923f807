//! Fields from OpenGraph, Twitter cards and other meta tags (with JSON-LD where it
//! has them): language, canonical URL, description, lead image, section, tags.

use super::*;

/// Language, canonical URL, description, lead image, section, tags.
pub(crate) fn fill(pg: &Sources<'_>, m: &mut Meta) {
    // Language, canonical, description.
    m.language = pg
        .scan
        .html_lang
        .clone()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && l.len() <= 35)
        .or(pg.get("og:locale").map(|l| l.replace('_', "-")))
        .or(pg.get("content-language").map(str::to_string))
        .or(pg.get("language").map(str::to_string))
        .or(pg.ld.language.clone());
    m.canonical_url = pg
        .scan
        .canonical
        .clone()
        .and_then(|c| abs_url(&pg.base, &c))
        .or(pg.get("og:url").and_then(|u| abs_url(&pg.base, u)))
        .or(pg.ld.url.as_deref().and_then(|u| abs_url(&pg.base, u)));
    m.description = pg
        .get("og:description")
        .or(pg.get("description"))
        .or(pg.get("twitter:description"))
        .map(str::to_string)
        .or(pg.ld.description.clone())
        .map(|d| collapse_ws(&decode_entities(&d)))
        .filter(|d| !d.is_empty());

    // Lead image.
    let og_alt = pg
        .get("og:image:alt")
        .or(pg.get("twitter:image:alt"))
        .map(str::to_string);
    let dim = |k: &str| pg.get(k).and_then(|v| v.trim().parse::<u32>().ok());
    m.image = pg
        .ld
        .image
        .as_ref()
        .and_then(|(u, w, h)| abs_url(&pg.base, u).map(|u| (u, *w, *h)))
        .map(|(url, width, height)| Image {
            url,
            alt: og_alt.clone(),
            width,
            height,
        })
        .or_else(|| {
            pg.get("og:image")
                .or(pg.get("og:image:url"))
                .or(pg.get("og:image:secure_url"))
                .and_then(|u| abs_url(&pg.base, u))
                .map(|url| Image {
                    url,
                    alt: og_alt.clone(),
                    width: dim("og:image:width"),
                    height: dim("og:image:height"),
                })
        })
        .or_else(|| {
            pg.get("twitter:image")
                .or(pg.get("twitter:image:src"))
                .and_then(|u| abs_url(&pg.base, u))
                .map(|url| Image {
                    url,
                    alt: og_alt.clone(),
                    width: None,
                    height: None,
                })
        });

    // Section and tags.
    m.section = pg
        .ld
        .section
        .clone()
        .or(pg.get("article:section").map(str::to_string))
        .or(pg.get("section").map(str::to_string))
        .or(pg.get("parsely-section").map(str::to_string))
        .map(|s| collapse_ws(&s))
        .filter(|s| !s.is_empty());
    let mut tags: Vec<String> = pg.ld.keywords.clone();
    if tags.is_empty() {
        tags = pg
            .get_all("article:tag")
            .into_iter()
            .map(str::to_string)
            .collect();
    }
    if tags.is_empty() {
        for k in ["news_keywords", "keywords", "parsely-tags"] {
            if let Some(v) = pg.get(k) {
                tags = v.split([',', ';']).map(str::to_string).collect();
                break;
            }
        }
    }
    m.tags = dedup_clean(tags, 50, 100);
}
