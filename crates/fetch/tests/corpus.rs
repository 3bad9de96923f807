//! Every feed of feedparser's and feed-rs's test suites goes through our
//! parser: no panic anywhere, and feed-rs's expected parses agree with ours.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use tidings_fetch::feed::{FeedError, parse_feed};

/// The suites live in the repository, whole (they are small): `tests/fixtures/feeds/`.
fn suite(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/feeds")
        .join(name)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "xml" || x == "json")
            && !p.to_string_lossy().ends_with(".serde.json")
        {
            out.push(p);
        }
    }
}

#[test]
fn feedparser_suite_parses_without_panic() {
    let dir = suite("feedparser");
    let mut all = vec![];
    files(&dir, &mut all);
    assert!(
        all.len() >= 2107,
        "expected the whole suite, found {}",
        all.len()
    );
    let base = url::Url::parse("http://127.0.0.1/feed.xml").unwrap();
    let (mut ok, mut panicked, mut wellformed, mut wellformed_ok) = (0, vec![], 0, 0);
    let mut title_checks = (0, 0);
    for p in &all {
        let bytes = std::fs::read(p).unwrap();
        let res = parse_feed(&bytes, &base);
        let expect = expectation(&bytes);
        let bozo_expected = expect
            .as_deref()
            .is_some_and(|e| e.trim_start().starts_with("bozo"));
        if !bozo_expected && p.to_string_lossy().contains("/wellformed/") {
            wellformed += 1;
            if res.is_ok() {
                wellformed_ok += 1;
            }
        }
        match &res {
            Ok(f) => {
                ok += 1;
                if let Some(want) = expect.as_deref().and_then(simple_entry_title) {
                    title_checks.0 += 1;
                    if f.items.first().and_then(|i| i.title.as_deref()) == Some(want.as_str()) {
                        title_checks.1 += 1;
                    }
                }
            }
            Err(FeedError::ParserPanicked) => panicked.push(p.display().to_string()),
            Err(_) => {}
        }
    }
    eprintln!(
        "feedparser suite: {} files, {ok} parsed ({:.1}%), well-formed {wellformed_ok}/{wellformed} ({:.1}%), \
         first-entry titles equal to feedparser's expectation {}/{}",
        all.len(),
        100.0 * ok as f64 / all.len() as f64,
        100.0 * wellformed_ok as f64 / wellformed.max(1) as f64,
        title_checks.1,
        title_checks.0
    );
    assert!(panicked.is_empty(), "the parser panicked on: {panicked:?}");
}

/// The `Expect:` line of feedparser's leading comment (decoding UTF-16/32 files first).
fn expectation(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes).replace('\0', "");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Expect:"))?;
    Some(
        line.trim_start()
            .trim_start_matches("Expect:")
            .trim()
            .to_string(),
    )
}

/// `... entries[0]['title'] == 'X'` with a plain ASCII X and nothing after it.
fn simple_entry_title(expect: &str) -> Option<String> {
    let key = "entries[0]['title'] == u'";
    let key2 = "entries[0]['title'] == '";
    let rest = expect
        .split_once(key)
        .or_else(|| expect.split_once(key2))?
        .1;
    let (value, tail) = rest.split_once('\'')?;
    (tail.trim().is_empty() && !value.contains('\\') && !value.contains('<') && value.is_ascii())
        .then(|| value.to_string())
}

#[test]
fn feed_rs_fixtures_agree_with_expected_parses() {
    let dir = suite("feed-rs");
    let mut all = vec![];
    files(&dir, &mut all);
    let base = url::Url::parse("http://127.0.0.1/").unwrap();
    let mut compared = 0;
    for p in &all {
        let bytes = std::fs::read(p).unwrap();
        let res = parse_feed(&bytes, &base);
        assert!(
            !matches!(res, Err(FeedError::ParserPanicked)),
            "panic on {}",
            p.display()
        );
        let expected = p.with_extension("serde.json");
        let Ok(json) = std::fs::read_to_string(&expected) else {
            continue;
        };
        let want: serde_json::Value = serde_json::from_str(&json).unwrap();
        let feed = res.unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let entries = want["entries"].as_array().unwrap();
        assert_eq!(feed.items.len(), entries.len(), "{}", p.display());
        if let (Some(first), Some(item)) = (entries.first(), feed.items.first())
            && let Some(t) = first["title"]["content"].as_str()
        {
            let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(item.title.as_deref(), Some(t.as_str()), "{}", p.display());
        }
        compared += 1;
    }
    assert!(compared >= 60, "compared only {compared} fixtures");
}
