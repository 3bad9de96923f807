//! The news regression set (`tidings_origin::news_pages`): short and long articles
//! inside the chrome that leaks into extracted text on real news sites (headline
//! rails with timestamps, "More from X" cards, video playlists, login / newsletter /
//! conference links, share icons, link spam, footers with an address, comment
//! threads). Every page is extracted expecting an article and in Auto mode and
//! scored against its expected text with the benchmark's metric (word 4-grams).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests may opt out

use std::collections::HashMap;
use tidings_extract::{Expect, Options, extract_with};
use tidings_origin::news_pages::{NewsPage, pages};

/// Word 4-grams with their counts; words are runs of letters, digits and `_`
/// (the scorer's `\w+`).
fn shingles(text: &str) -> HashMap<Vec<String>, usize> {
    let toks: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let mut out = HashMap::new();
    for w in toks.windows(4.min(toks.len().max(1))) {
        *out.entry(w.to_vec()).or_insert(0) += 1;
    }
    out
}

/// (precision, recall) of `got` against `want`, by multiset 4-gram overlap.
fn score(want: &str, got: &str) -> (f64, f64) {
    let (w, g) = (shingles(want), shingles(got));
    let tp: usize = g
        .iter()
        .map(|(k, &n)| n.min(w.get(k).copied().unwrap_or(0)))
        .sum();
    let (nw, ng): (usize, usize) = (w.values().sum(), g.values().sum());
    let p = if ng == 0 { 0.0 } else { tp as f64 / ng as f64 };
    let r = if nw == 0 { 1.0 } else { tp as f64 / nw as f64 };
    (p, r)
}

struct Row {
    slug: String,
    p: f64,
    r: f64,
    method: String,
    /// A share icon made it into the HTML.
    icon: bool,
}

fn run(pages: &[NewsPage], expect: Expect) -> Vec<Row> {
    pages
        .iter()
        .map(|page| {
            let url = url::Url::parse(&page.url).unwrap();
            let a = extract_with(
                page.html.as_bytes(),
                &url,
                None,
                &Options::expecting(expect),
            );
            let (p, r) = score(&page.expected, &a.text);
            Row {
                slug: page.slug.clone(),
                p,
                r,
                method: a.body_method,
                icon: a.html.contains("/static/icons/"),
            }
        })
        .collect()
}

fn report(name: &str, rows: &[Row]) -> String {
    let n = rows.len().max(1) as f64;
    let mp = rows.iter().map(|r| r.p).sum::<f64>() / n;
    let mr = rows.iter().map(|r| r.r).sum::<f64>() / n;
    let mut s = format!(
        "{name}: mean P {mp:.3} R {mr:.3} over {} pages\n",
        rows.len()
    );
    for r in rows {
        s.push_str(&format!(
            "  {:55} P {:.3} R {:.3} {}\n",
            r.slug, r.p, r.r, r.method
        ));
    }
    s
}

/// Per-page floors: every page, short or long, declared or not, in article mode.
const MIN_P: f64 = 0.9;
const MIN_R: f64 = 0.9;

#[test]
fn news_pages_in_article_mode() {
    let pages = pages();
    let rows = run(&pages, Expect::Article);
    let table = report("article mode", &rows);
    println!("{table}");
    for r in &rows {
        assert!(
            r.p >= MIN_P && r.r >= MIN_R,
            "{}: P {:.3} R {:.3}\n{table}",
            r.slug,
            r.p,
            r.r
        );
        assert!(!r.icon, "{}: share icon in the HTML", r.slug);
    }
}

/// Auto mode: a page that declares itself an article is read as one; a page that
/// declares nothing may be a listing, so only its recall is held to the floor.
#[test]
fn news_pages_in_auto_mode() {
    let pages = pages();
    let rows = run(&pages, Expect::Auto);
    let table = report("auto", &rows);
    println!("{table}");
    for (r, page) in rows.iter().zip(&pages) {
        assert!(r.r >= MIN_R, "{}: R {:.3}\n{table}", r.slug, r.r);
        if page.declared {
            assert!(r.p >= MIN_P, "{}: P {:.3}\n{table}", r.slug, r.p);
        }
    }
}

#[test]
fn the_metric() {
    assert_eq!(score("a b c d e", "a b c d e"), (1.0, 1.0));
    let (p, r) = score("a b c d e", "a b c d e f g");
    assert!((p - 0.5).abs() < 1e-9 && (r - 1.0).abs() < 1e-9);
}
