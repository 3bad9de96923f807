//! Microdata: `itemprop` headline, author (a nested `itemprop=name` preferred),
//! datePublished, dateModified.

use super::*;

/// The page's microdata fields.
#[derive(Default)]
pub(crate) struct Microdata {
    pub(crate) headline: Option<String>,
    pub(crate) authors: Vec<String>,
    pub(crate) published: Option<String>,
    pub(crate) modified: Option<String>,
}

pub(crate) fn read(arena: &Arena, itemprops: &[Ix]) -> Microdata {
    let mut md_headline = None;
    let mut md_authors = Vec::new();
    let mut md_published = None;
    let mut md_modified = None;
    for &ix in itemprops {
        let Some(n) = arena.get(ix) else { continue };
        let prop = n.attr("itemprop").unwrap_or("").to_ascii_lowercase();
        let value = || {
            n.attr("content")
                .or(n.attr("datetime"))
                .map(str::to_string)
                .unwrap_or_else(|| arena.text(ix))
        };
        for p in prop.split_whitespace() {
            match p {
                "headline" if md_headline.is_none() => md_headline = Some(value()),
                "author" | "creator" => {
                    // Prefer a nested itemprop=name.
                    let name = arena
                        .descendants(ix)
                        .find(|&d| {
                            arena
                                .get(d)
                                .and_then(|x| x.attr("itemprop"))
                                .is_some_and(|v| v.eq_ignore_ascii_case("name"))
                        })
                        .map(|d| {
                            arena
                                .get(d)
                                .and_then(|x| x.attr("content").map(str::to_string))
                                .unwrap_or_else(|| arena.text(d))
                        })
                        .unwrap_or_else(value);
                    md_authors.push(name);
                }
                "datepublished" if md_published.is_none() => md_published = Some(value()),
                "datemodified" if md_modified.is_none() => md_modified = Some(value()),
                _ => {}
            }
        }
    }
    Microdata {
        headline: md_headline,
        authors: md_authors,
        published: md_published,
        modified: md_modified,
    }
}
