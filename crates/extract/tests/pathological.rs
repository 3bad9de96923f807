//! Hostile and broken input: an empty or partial Article, never a panic, hang or
//! unbounded memory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests may opt out

use std::time::{Duration, Instant};
use tidings_extract::{Article, extract};

fn url() -> url::Url {
    url::Url::parse("https://news.example.com/2025/01/02/story.html").unwrap()
}

/// Generous wall-clock bound: catches hangs and quadratic blow-ups, not speed.
fn timed(html: &[u8], ct: Option<&str>) -> Article {
    let t = Instant::now();
    let a = extract(html, &url(), ct);
    let took = t.elapsed();
    assert!(took < Duration::from_secs(20), "took {took:?}");
    serde_json::to_string(&a).unwrap();
    a
}

#[test]
fn empty_input() {
    let a = timed(b"", None);
    assert!(a.text.is_empty() && a.html.is_empty() && a.title.is_none());
    let a = timed(b"   \n\t ", Some("text/html"));
    assert!(a.text.is_empty());
}

#[test]
fn binary_garbage() {
    // Deterministic pseudo-random bytes (xorshift), 2 MB.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..2 * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let a = timed(&bytes, None);
    assert!(a.text.len() < bytes.len() * 4);
    let a = timed(&bytes, Some("application/octet-stream"));
    assert!(a.title.is_none() || a.title.is_some());
}

#[test]
fn ten_megabytes_on_one_line() {
    let mut html =
        String::from("<html><head><title>Big | Example</title></head><body><article><p>");
    while html.len() < 10 * 1024 * 1024 {
        html.push_str("lorem ipsum dolor sit amet, ");
    }
    html.push_str("</p></article></body></html>");
    assert!(!html.contains('\n'));
    let a = timed(html.as_bytes(), None);
    assert!(
        a.text.starts_with("lorem ipsum"),
        "{}",
        &a.text[..a.text.len().min(80)]
    );

    // Many small elements on one line: the node cap bounds the work.
    let mut html = String::from("<html><body>");
    while html.len() < 10 * 1024 * 1024 {
        html.push_str("<p>a <b>b</b> <a href=/x>c</a></p>");
    }
    html.push_str("</body></html>");
    timed(html.as_bytes(), None);
}

#[test]
fn ten_thousand_nested_elements() {
    for tag in ["div", "span", "b", "blockquote", "table"] {
        let mut html = String::from("<html><head><title>Deep</title></head><body>");
        for _ in 0..10_000 {
            html.push_str(&format!("<{tag}>"));
        }
        html.push_str(
            "The deep paragraph survives, with enough words to count as a real paragraph of text.",
        );
        for _ in 0..10_000 {
            html.push_str(&format!("</{tag}>"));
        }
        html.push_str("</body></html>");
        let a = timed(html.as_bytes(), None);
        assert!(a.title.as_deref() == Some("Deep"), "{tag}: {:?}", a.title);
    }
    // Unclosed nesting to the end of input.
    let html = "<div>".repeat(50_000);
    timed(html.as_bytes(), None);
}

#[test]
fn lying_charset() {
    let body = "<html><head><meta charset=\"utf-8\"><title>Caf\u{e9}</title></head><body><article>\
                <p>Der Bürgermeister eröffnete am Dienstag die neue Brücke über die Spree, \
                die nach drei Jahren Bauzeit fertig wurde.</p></article></body></html>";
    // Declared UTF-8, actually windows-1252: decodes with replacement characters.
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(body);
    let a = timed(&latin1, Some("text/html; charset=utf-8"));
    assert!(a.text.contains("rgermeister"), "{}", a.text);
    // Declared Shift_JIS, actually UTF-8: garbage but valid UTF-8, no panic.
    let a = timed(body.as_bytes(), Some("text/html; charset=shift_jis"));
    assert!(std::str::from_utf8(a.text.as_bytes()).is_ok());
    // Declared Latin-1, actually UTF-8: we trust the bytes.
    let a = timed(body.as_bytes(), Some("text/html; charset=iso-8859-1"));
    assert!(a.text.contains("Bürgermeister"), "{}", a.text);
    // A bogus label falls back to detection.
    let a = timed(body.as_bytes(), Some("text/html; charset=no-such-charset"));
    assert!(a.text.contains("Brücke"), "{}", a.text);
    // UTF-16 with a BOM.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in body.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let a = timed(&utf16, Some("text/html; charset=utf-8"));
    assert!(a.text.contains("Brücke"), "{}", a.text);
}

#[test]
fn unclosed_script_and_style_do_not_leak() {
    let mut html = String::from(
        "<html><body><p>Before the script there is a sentence of real prose, long enough.</p><script>",
    );
    html.push_str(&"var x = function(){ document.write('<p>leak</p>'); }; ".repeat(20_000));
    let a = timed(html.as_bytes(), None);
    assert!(
        !a.text.contains("document.write"),
        "{}",
        &a.text[..a.text.len().min(200)]
    );
    let html = format!(
        "<html><body><style>{}",
        ".a { color: red; } ".repeat(50_000)
    );
    let a = timed(html.as_bytes(), None);
    assert!(!a.text.contains("color: red"));
}

#[test]
fn fuzz_regressions() {
    // dom_smoothie 0.19 sliced an embed attribute inside a multi-byte character.
    let crash = include_bytes!("fixtures/fuzz-crash-dom-smoothie-utf8.bin");
    timed(&crash[1..], None);
    timed(crash, Some("text/html; charset=utf-8"));
}
