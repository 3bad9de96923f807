//! Highlighted, HTML-escaped titles and snippets.
//!
//! Written here rather than with tantivy's `SnippetGenerator` because each article is
//! tokenised with its own language's analyzer, the fallback when nothing matches is the
//! article's start, and the escaping is ours to guarantee: everything from the article is
//! escaped, and the only markup produced is `<mark>`, `</mark>` and the ellipsis.

use std::collections::HashSet;
use std::ops::Range;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

/// Snippet length target, in characters.
pub const SNIPPET_CHARS: usize = 220;
/// Only the start of a long body is scanned for hits (cost bound per hit).
const SCAN_BYTES: usize = 32_000;

/// Tokens of `text` as `(position, token text)` (stemmed, as indexed).
pub fn tokens(analyzer: &TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut a = analyzer.clone();
    let mut s = a.token_stream(text);
    let mut out = Vec::new();
    while s.advance() {
        let t = s.token();
        out.push((t.position, t.text.clone()));
    }
    out
}

/// Byte ranges of the tokens of `text` whose analysed form is in `terms`.
pub fn hit_ranges(
    analyzer: &TextAnalyzer,
    text: &str,
    terms: &HashSet<String>,
) -> Vec<Range<usize>> {
    if terms.is_empty() {
        return Vec::new();
    }
    let mut a = analyzer.clone();
    let mut s = a.token_stream(text);
    let mut out = Vec::new();
    while s.advance() {
        let t = s.token();
        if terms.contains(&t.text) {
            out.push(t.offset_from..t.offset_to);
        }
    }
    out
}

pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `text[range]` escaped with the given hits marked (ranges sorted, inside `range`).
fn render(text: &str, range: Range<usize>, hits: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(range.len() + 32);
    let mut at = range.start;
    for h in hits {
        if h.start < at || h.end > range.end {
            continue;
        }
        escape_into(&mut out, text.get(at..h.start).unwrap_or_default());
        out.push_str("<mark>");
        escape_into(&mut out, text.get(h.clone()).unwrap_or_default());
        out.push_str("</mark>");
        at = h.end;
    }
    escape_into(&mut out, text.get(at..range.end).unwrap_or_default());
    out
}

/// The whole title, escaped, hits marked.
pub fn title_html(analyzer: &TextAnalyzer, title: &str, terms: &HashSet<String>) -> String {
    let hits = hit_ranges(analyzer, title, terms);
    render(title, 0..title.len(), &hits)
}

/// A window of about `SNIPPET_CHARS` characters around the densest group of hits, escaped,
/// hits marked, with "…" where text was cut. Without hits, the start of the text.
pub fn snippet_html(analyzer: &TextAnalyzer, text: &str, terms: &HashSet<String>) -> String {
    let scan = crate::writer::cut(text, SCAN_BYTES);
    let hits = hit_ranges(analyzer, scan, terms);
    let max_bytes = byte_len_of_chars(text, 0, SNIPPET_CHARS);
    // Choose the window start: the hit that begins the window with the most distinct terms.
    let mut best: (usize, usize, usize) = (0, 0, 0); // (distinct, count, start byte)
    for (i, h) in hits.iter().enumerate() {
        let end_limit = h.start + max_bytes;
        let mut distinct: HashSet<&str> = HashSet::new();
        let mut count = 0;
        for g in hits.iter().skip(i).take_while(|g| g.end <= end_limit) {
            distinct.insert(scan.get(g.clone()).unwrap_or_default());
            count += 1;
        }
        if (distinct.len(), count) > (best.0, best.1) {
            best = (distinct.len(), count, h.start);
        }
    }
    // Start a little before the first hit, at a word boundary, so it reads in context.
    let start = if best.1 == 0 {
        0
    } else {
        back_to_word_start(text, best.2, 40)
    };
    let len = byte_len_of_chars(text, start, SNIPPET_CHARS);
    let mut end = (start + len).min(text.len());
    if end < text.len() {
        end = back_to_word_end(text, start, end);
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let shown: Vec<Range<usize>> = hits
        .into_iter()
        .filter(|h| h.start >= start && h.end <= end)
        .collect();
    out.push_str(&render(text, start..end, &shown));
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Bytes taken by `n` characters of `text` from byte `from`.
fn byte_len_of_chars(text: &str, from: usize, n: usize) -> usize {
    text.get(from..)
        .unwrap_or_default()
        .chars()
        .take(n)
        .map(char::len_utf8)
        .sum()
}

/// Move `at` back by up to `max_chars` characters, then forward to the start of a word.
fn back_to_word_start(text: &str, at: usize, max_chars: usize) -> usize {
    let before = text.get(..at).unwrap_or_default();
    let mut start = at;
    for (i, c) in before.char_indices().rev().take(max_chars) {
        start = i;
        if c == '\n' {
            return i + 1;
        }
    }
    if start == 0 {
        return 0;
    }
    // Skip the partial word we landed in.
    match text
        .get(start..at)
        .and_then(|s| s.find(char::is_whitespace))
    {
        Some(ws) => start + ws + 1,
        None => at,
    }
}

/// Move `end` back to just after the last whitespace in `text[start..end]` (if any).
fn back_to_word_end(text: &str, start: usize, end: usize) -> usize {
    match text
        .get(start..end)
        .and_then(|s| s.rfind(char::is_whitespace))
    {
        Some(ws) if ws > 0 => start + ws,
        _ => end,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::schema::{GROUPS, analyzer};

    fn terms(words: &[&str]) -> HashSet<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn title_escapes_and_marks() {
        let a = analyzer(GROUPS[0]);
        let html = title_html(&a, "Oil <b>prices</b> & \"rates\"", &terms(&["price"]));
        assert_eq!(
            html,
            "Oil &lt;b&gt;<mark>prices</mark>&lt;/b&gt; &amp; &quot;rates&quot;"
        );
    }

    #[test]
    fn snippet_windows_around_hits() {
        let a = analyzer(GROUPS[0]);
        let text = format!(
            "{} The central bank raised interest rates. {}",
            "Filler words here. ".repeat(30),
            "More filler. ".repeat(30)
        );
        let html = snippet_html(&a, &text, &terms(&["rate", "bank"]));
        assert!(html.starts_with('…'), "{html}");
        assert!(html.ends_with('…'), "{html}");
        assert!(
            html.contains("central <mark>bank</mark> raised interest <mark>rates</mark>"),
            "{html}"
        );
        assert!(html.chars().count() < SNIPPET_CHARS + 40);
        let none = snippet_html(&a, "Short <text>", &terms(&["zzz"]));
        assert_eq!(none, "Short &lt;text&gt;");
    }
}
