//! Plain-text fields from publishers (titles, names, categories, keywords),
//! made plain and bounded: every pass here is linear in its input, and what
//! is kept is capped, so one item cannot carry megabytes into the database
//! through a title.
//!
//! A capped text keeps its first `max` characters (after whitespace is
//! collapsed) and ends with `…` to show it was cut. HTML bodies (a feed's
//! content and summary) are not plain text and are not capped here: they are
//! bounded by the body cap and sanitized and extracted downstream.

use memchr::{memchr, memmem};

/// Longest title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 1_000;
/// Longest feed description kept, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// Longest author name, category, keyword, publication name or language kept,
/// in characters.
pub const MAX_LABEL_CHARS: usize = 200;
/// Most authors, categories or keywords kept per item.
pub const MAX_LABELS: usize = 50;
/// Longest link or id kept, in bytes. Sitemaps allow 2,048 characters; most
/// servers refuse request lines over 8 KiB.
pub const MAX_URL_BYTES: usize = 8 * 1024;

/// Collapse whitespace runs to one space, trim, and keep at most `max_chars`
/// characters; a longer text is cut there and ends with `…`. Stops reading
/// `s` once the cap is reached.
pub fn clean_capped(s: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0usize;
    for word in s.split_whitespace() {
        let sep = usize::from(!out.is_empty());
        let room = max_chars.saturating_sub(count + sep);
        // The byte where the word no longer fits, if it does not.
        if let Some((cut, _)) = word.char_indices().nth(room) {
            if room > 0 {
                if sep == 1 {
                    out.push(' ');
                }
                out.push_str(word.get(..cut).unwrap_or_default());
            }
            out.push('…');
            return out;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(word);
        count += sep + word.chars().count();
    }
    out
}

/// Titles are plain text: drop any markup (and script/style bodies) that a
/// publisher put in them, decode the entities that were escaped, collapse
/// spaces, cap at [`MAX_TITLE_CHARS`].
pub fn title_text(s: &str) -> String {
    if !s.contains('<') && !s.contains('&') {
        return clean_capped(s, MAX_TITLE_CHARS);
    }
    clean_capped(&decode_entities(&strip_markup(s)), MAX_TITLE_CHARS)
}

/// `s` without its tags, and without the bodies of `<script>` and `<style>`
/// elements. One pass: each search starts where the previous one ended.
pub fn strip_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = memchr(b'<', rest.as_bytes()) {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i..).unwrap_or_default();
        let skip_to = if starts_with_ignore_case(after, "<script") {
            find_end_tag(after, "</script>")
        } else if starts_with_ignore_case(after, "<style") {
            find_end_tag(after, "</style>")
        } else {
            memchr(b'>', after.as_bytes()).map(|e| e + 1)
        };
        // An element never closed hides the rest of the text.
        rest = skip_to.and_then(|e| after.get(e..)).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Where `tag` (`</name>`, ASCII) ends in `s`, ignoring ASCII case: every
/// `</` is found once and the bytes after it compared, nothing is lowered
/// or copied.
fn find_end_tag(s: &str, tag: &str) -> Option<usize> {
    let hay = s.as_bytes();
    memmem::find_iter(hay, b"</")
        .find(|&p| {
            hay.get(p..p + tag.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(tag.as_bytes()))
        })
        .map(|p| p + tag.len())
}

/// Decode the HTML entities feeds double-escape in titles (`&amp;`, `&lt;`,
/// `&#39;`, `&#x41;`, …); unknown ones stay as written. One pass.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = memchr(b'&', rest.as_bytes()) {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i..).unwrap_or_default();
        // Entity names we know are short: look for `;` in the next 12 bytes only.
        let end = after.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|e| {
            let name = after.get(1..e)?;
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" | "#39" => '\'',
                "nbsp" => '\u{a0}',
                n if n.starts_with("#x") || n.starts_with("#X") => {
                    char::from_u32(u32::from_str_radix(n.get(2..)?, 16).ok()?)?
                }
                n if n.starts_with('#') => char::from_u32(n.get(1..)?.parse().ok()?)?,
                _ => return None,
            };
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = after.get(len..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` cut to at most `max_bytes` bytes, at a character boundary.
pub fn cut_bytes(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// Append `piece` to `buf` without letting `buf` grow past `max_bytes`
/// (cut at a character boundary).
pub fn push_capped(buf: &mut String, piece: &str, max_bytes: usize) {
    let room = max_bytes.saturating_sub(buf.len());
    buf.push_str(cut_bytes(piece, room));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_plain_text() {
        assert_eq!(
            title_text("safe<script>location.href='x'</script> description"),
            "safe description"
        );
        assert_eq!(
            title_text("Fish &amp; Chips &#x41;&#66; <b>bold</b>"),
            "Fish & Chips AB bold"
        );
        assert_eq!(title_text("5 &lt; 6 &bogus; &"), "5 < 6 &bogus; &");
        assert_eq!(
            title_text("a<SCRIPT type=x>1</ScRiPt>b<Style>p{}</STYLE>c<style>never closed"),
            "abc"
        );
        assert_eq!(title_text("x</style>y<br/>z<"), "xyz");
        assert_eq!(title_text("x </scrip> <script>a</scrip></script> y"), "x y");
    }

    #[test]
    fn clean_capped_cuts_at_characters_and_marks_the_cut() {
        assert_eq!(clean_capped("  a \n b\t\tc  ", 10), "a b c");
        assert_eq!(clean_capped("abc def", 7), "abc def");
        assert_eq!(clean_capped("abc def", 6), "abc de…");
        assert_eq!(clean_capped("abc def", 4), "abc…");
        assert_eq!(clean_capped("abc def", 3), "abc…");
        assert_eq!(clean_capped("abcdef", 0), "…");
        assert_eq!(clean_capped("", 0), "");
        assert_eq!(clean_capped("ééé ççç", 5), "ééé ç…");
        let long = "word ".repeat(10_000);
        let capped = clean_capped(&long, MAX_TITLE_CHARS);
        // 200 words and their spaces are 999 characters: no room for a 201st.
        assert_eq!(capped.chars().count(), MAX_TITLE_CHARS);
        assert!(capped.ends_with(" word…"));
    }

    #[test]
    fn hostile_titles_take_one_pass() {
        // The publisher's title: 4.8 MB of `<style></style>`. It took 73 s
        // when each `<style` lowered the whole rest of the string; one pass
        // takes milliseconds, so a quadratic regression would hang this test.
        let n = 4_800_000 / "<style></style>".len();
        assert_eq!(title_text(&"<style></style>".repeat(n)), "");
        assert_eq!(
            title_text(&format!("{}Real title", "<StYlE></sTyLe>".repeat(n))),
            "Real title"
        );
        let scripts = "<ScRiPt>x</sCrIpT>".repeat(n);
        assert_eq!(title_text(&format!("A{scripts}B")), "AB");
        // A huge title of text is cut to the cap.
        let words = "news &amp; views ".repeat(300_000);
        let t = title_text(&words);
        assert_eq!(t.chars().count(), MAX_TITLE_CHARS + 1);
        assert!(t.starts_with("news & views news & views"));
        assert!(t.ends_with('…'));
    }

    #[test]
    fn byte_caps_respect_characters() {
        assert_eq!(cut_bytes("héllo", 2), "h");
        assert_eq!(cut_bytes("héllo", 3), "hé");
        assert_eq!(cut_bytes("héllo", 99), "héllo");
        let mut buf = String::from("ab");
        push_capped(&mut buf, "cdé", 5);
        assert_eq!(buf, "abcd");
        push_capped(&mut buf, "xyz", 5);
        assert_eq!(buf, "abcdx");
    }
}
