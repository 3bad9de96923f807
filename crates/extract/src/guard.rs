//! Input guards applied before parsing, so hostile pages cost bounded time.

/// Largest input we parse; longer documents are cut (at a char boundary).
/// News pages are well under 5 MB; this bounds memory and time.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// Nesting beyond this is cut: html5ever's scope checks are linear in the depth of
/// the open-element stack, so 50,000 unclosed `<div>`s take quadratic time.
pub const MAX_NESTING: usize = 3000;

/// Elements that never nest (void) or close themselves implicitly when a sibling
/// opens: they do not deepen the tree in practice.
const FLAT: &[&[u8]] = &[
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
    b"p",
    b"li",
    b"dt",
    b"dd",
    b"option",
    b"tr",
    b"td",
    b"th",
    b"tbody",
    b"thead",
    b"tfoot",
    b"rt",
    b"rp",
    b"optgroup",
    b"colgroup",
    b"!doctype",
];

/// Returns the longest prefix of `html` whose (lexically estimated) element nesting
/// stays within [`MAX_NESTING`], and within [`MAX_INPUT_BYTES`].
pub fn bounded(html: &str) -> &str {
    let mut end = html.len().min(MAX_INPUT_BYTES);
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    let html = html.get(..end).unwrap_or("");
    let b = html.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    while let Some(off) = b.get(i..).and_then(memchr_lt) {
        let at = i + off;
        i = at + 1;
        match b.get(i) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'!')
                // Comments can hide anything: skip to the end marker.
                if b.get(i..i + 3) == Some(b"!--") => {
                    match find(b.get(i..).unwrap_or(&[]), b"-->") {
                        Some(e) => i += e + 3,
                        None => break,
                    }
                }
            Some(c) if c.is_ascii_alphabetic() => {
                let name_end = b
                    .get(i..)
                    .and_then(|s| s.iter().position(|c| !c.is_ascii_alphanumeric()))
                    .map_or(b.len(), |p| i + p);
                // Lower-cased into a stack buffer: no allocation per tag. Longer
                // names are none of the listed ones.
                let raw = b.get(i..name_end).unwrap_or(&[]);
                let mut buf = [0u8; 12];
                let name: &[u8] = match buf.get_mut(..raw.len()) {
                    Some(dst) => {
                        for (d, s) in dst.iter_mut().zip(raw) {
                            *d = s.to_ascii_lowercase();
                        }
                        dst
                    }
                    None => b"",
                };
                let tag_end = b
                    .get(name_end..)
                    .and_then(|s| memchr::memchr(b'>', s))
                    .map_or(b.len(), |p| name_end + p);
                let self_closing = tag_end > 0 && b.get(tag_end - 1) == Some(&b'/');
                if !self_closing && !FLAT.contains(&name) {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return html.get(..at).unwrap_or("");
                    }
                }
                // Raw-text elements: their content is not markup.
                if matches!(name, b"script" | b"style" | b"textarea" | b"title" | b"xmp") {
                    match find_close_tag(b.get(tag_end..).unwrap_or(&[]), name) {
                        Some(e) => i = tag_end + e,
                        None => break,
                    }
                } else {
                    i = tag_end;
                }
            }
            _ => {}
        }
    }
    html
}

/// Offset of `</name` (ASCII case-insensitive) in `hay`, without copying it.
fn find_close_tag(hay: &[u8], name: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = hay.get(from..).and_then(|s| memchr::memmem::find(s, b"</")) {
        let at = from + off;
        let cand = hay.get(at + 2..at + 2 + name.len())?;
        if cand.eq_ignore_ascii_case(name) {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

fn memchr_lt(s: &[u8]) -> Option<usize> {
    memchr::memchr(b'<', s)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_pages_are_untouched() {
        let html = "<html><body><div><p>a<p>b<ul><li>x<li>y</ul><img src=x><br></div><script>if (a<b) {}</script></body></html>";
        assert_eq!(bounded(html), html);
        let many_p = "<p>x".repeat(100_000);
        assert_eq!(bounded(&many_p).len(), many_p.len());
    }

    #[test]
    fn deep_nesting_is_cut() {
        let html = format!("<body>{}", "<div>".repeat(50_000));
        let cut = bounded(&html);
        assert!(cut.len() < html.len());
        assert_eq!(cut.matches("<div>").count(), MAX_NESTING - 1);
    }
}
