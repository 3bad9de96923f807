//! Robustness over every WCXB page: no panic, bounded time, no CSS/JS in the output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests may opt out

mod common;

use std::time::{Duration, Instant};
use tidings_extract::detect::looks_like_code;

/// Paragraph texts of the output HTML, except those holding `<pre>`/`<code>`:
/// code blocks are content on documentation pages (the extractor keeps them too).
fn prose_paragraphs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in html
        .split("</p>")
        .flat_map(|c| c.split("</li>"))
        .flat_map(|c| c.split("</td>"))
    {
        if chunk.contains("<pre") || chunk.contains("<code") {
            continue;
        }
        let mut text = String::new();
        let mut in_tag = false;
        for c in chunk.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        if !text.trim().is_empty() {
            out.push(text);
        }
    }
    out
}

/// CPU time of the current thread (Linux `schedstat`, ns resolution). The budget
/// is about our work, not about other jobs sharing the 2 cores: under a load of 10
/// wall time says little. Falls back to wall time elsewhere.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// The sample kept in the repository: every page type, checked on every run.
#[test]
fn every_fixture_page_extracts_safely() {
    let dir = common::fixture_dir();
    let ids = common::ids_in(&dir);
    let types: std::collections::BTreeSet<String> = ids
        .iter()
        .map(|id| common::page_in(&dir, id).gold["page_type"].to_string())
        .collect();
    assert_eq!(
        types.len(),
        7,
        "every WCXB page type in the sample: {types:?}"
    );
    check_pages(&dir, &ids);
}

/// All 1,869 pages of the benchmark (with TIDINGS_TEST_DATA).
#[test]
fn every_wcxb_page_extracts_safely() {
    if tidings_testdata::full_data_or_skip("every_wcxb_page_extracts_safely").is_none() {
        return;
    }
    let dir = common::full_dir().unwrap();
    let ids = common::ids_in(dir);
    assert!(
        ids.len() >= 1800,
        "expected the full WCXB set, found {}",
        ids.len()
    );
    check_pages(dir, &ids);
}

/// No panic, bounded CPU time, no NUL, no CSS/JS in the output, serialisable.
fn check_pages(dir: &std::path::Path, ids: &[String]) {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    let chunks: Vec<Vec<String>> = (0..workers)
        .map(|w| ids.iter().skip(w).step_by(workers).cloned().collect())
        .collect();
    let started = Instant::now();
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                s.spawn(move || {
                    let mut fails = Vec::new();
                    let mut slowest = (Duration::ZERO, String::new());
                    for id in chunk {
                        let p = common::page_in(dir, id);
                        let url = p.url();
                        let t = Instant::now();
                        let cpu0 = thread_cpu();
                        let a = tidings_extract::extract(
                            &p.html,
                            &url,
                            Some("text/html; charset=utf-8"),
                        );
                        let wall = t.elapsed();
                        let took = match (cpu0, thread_cpu()) {
                            (Some(a), Some(b)) => b.saturating_sub(a),
                            _ => wall,
                        };
                        if took > slowest.0 {
                            slowest = (took, id.clone());
                        }
                        if took > Duration::from_secs(1) {
                            fails.push(format!("{id}: took {took:?} of CPU"));
                        }
                        // Wall clock only guards against hangs (sleeps, lock waits).
                        if wall > Duration::from_secs(10) {
                            fails.push(format!("{id}: took {wall:?} wall time"));
                        }
                        // Strings are UTF-8 by type; also reject NULs and stray replacement runs.
                        if a.text.contains('\0') || a.html.contains('\0') {
                            fails.push(format!("{id}: NUL in output"));
                        }
                        for para in prose_paragraphs(&a.html) {
                            if looks_like_code(&para) {
                                fails.push(format!(
                                    "{id}: code in html: {:?}",
                                    para.trim().chars().take(160).collect::<String>()
                                ));
                            }
                        }
                        if serde_json::to_string(&a).is_err() {
                            fails.push(format!("{id}: does not serialize"));
                        }
                    }
                    eprintln!(
                        "worker done: {} pages, slowest {:?} ({})",
                        chunk.len(),
                        slowest.0,
                        slowest.1
                    );
                    fails
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    eprintln!("{} pages in {:?}", ids.len(), started.elapsed());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_leak_that_inspired_us_is_caught() {
    // The detector used above must catch the kind of leak we saw in the wild.
    assert!(looks_like_code(
        ".mediaplayer { min-height: 150px; } .jwplayer .jw-controls .jw-controlbar { display: none; }"
    ));
    let html = b"<html><head><title>T</title></head><body><article>\
        <h1>Headline</h1>\
        <style>.mediaplayer { min-height: 150px; } .jwplayer .jw-controls { display: none; }</style>\
        <div>.mediaplayer { min-height: 150px; } .jwplayer .jw-controls .jw-controlbar { display: none; }</div>\
        <p>The council voted on Tuesday to expand the city's bus network, adding six routes by spring.</p>\
        <p>Officials said the plan, funded by a regional grant, would cut average waits by a third.</p>\
        <script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}</script>\
        </article></body></html>";
    let url = url::Url::parse("https://news.example/a").unwrap();
    let a = tidings_extract::extract(html, &url, None);
    assert!(
        a.text.contains("expand the city's bus network"),
        "{}",
        a.text
    );
    assert!(!a.text.contains("min-height"), "{}", a.text);
    assert!(!a.html.contains("min-height"), "{}", a.html);
    assert!(!a.text.contains("dataLayer"), "{}", a.text);
    assert!(
        !a.text.contains("Headline"),
        "headline must not be in the body: {}",
        a.text
    );
}
