//! Fuzzes the whole extraction: any bytes, any declared charset -> no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("text/html; charset=utf-8"),
    Some("text/html; charset=iso-8859-1"),
    Some("text/html; charset=shift_jis"),
    Some("text/html; charset=utf-16"),
    Some("text/html; charset=bogus"),
];

fuzz_target!(|data: &[u8]| {
    let (ct, html) = match data.split_first() {
        Some((b, rest)) => (CONTENT_TYPES[usize::from(*b) % CONTENT_TYPES.len()], rest),
        None => (None, data),
    };
    let url = url::Url::parse("https://news.example.com/2025/01/story.html").unwrap();
    let a = tidings_extract::extract(html, &url, ct);
    let _ = serde_json::to_string(&a).unwrap();
    let _ = tidings_extract::excerpt(&a.text, 300);
});
