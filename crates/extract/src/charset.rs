//! Charset pipeline: BOM, HTTP `Content-Type`, `<meta>` prescan, then detection.
//! The output is always valid UTF-8 (malformed sequences become U+FFFD).

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How many bytes the `<meta>` prescan looks at. The HTML spec says 1024; real pages
/// often put the charset after a long comment or inline script, so we look further.
const PRESCAN_BYTES: usize = 8 * 1024;

/// Decodes HTML bytes to a UTF-8 string and reports the encoding used.
///
/// Order of trust: byte-order mark, the HTTP `Content-Type` charset, a `<meta>`
/// declaration, then statistical detection (chardetng). One exception, justified by
/// how often it happens on the web: a page *declared* as a legacy single-byte charset
/// whose bytes are valid, non-ASCII UTF-8 is decoded as UTF-8 (the declaration lies;
/// random Latin-1 text is almost never valid UTF-8), and its mirror: a page declared
/// UTF-8 whose bytes are not UTF-8 is detected.
pub fn decode_html(bytes: &[u8], content_type: Option<&str>) -> (String, &'static Encoding) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or(&[]);
        let (text, _) = enc.decode_without_bom_handling(rest);
        return (text.into_owned(), enc);
    }
    let declared = content_type
        .and_then(charset_from_content_type)
        .or_else(|| prescan_meta(bytes.get(..PRESCAN_BYTES).unwrap_or(bytes)));
    let enc = match declared {
        Some(enc) => {
            if enc != UTF_8 && is_single_byte(enc) && looks_like_utf8(bytes) {
                UTF_8
            } else if enc == UTF_8 && std::str::from_utf8(bytes).is_err() {
                // The opposite lie, just as common: "UTF-8" on legacy bytes. Let
                // detection decide (it still answers UTF-8 for pages that are
                // UTF-8 with a stray bad byte).
                detect(bytes)
            } else {
                enc
            }
        }
        None => detect(bytes),
    };
    let (text, _) = enc.decode_without_bom_handling(bytes);
    (text.into_owned(), enc)
}

/// The charset parameter of a Content-Type value, e.g. `text/html; charset="utf-8"`.
fn charset_from_content_type(ct: &str) -> Option<&'static Encoding> {
    for part in ct.split(';').skip(1) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        if k.trim().eq_ignore_ascii_case("charset") {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
            return label(v.as_bytes());
        }
    }
    None
}

/// Maps a charset label to an encoding, with the HTML spec's overrides: a page
/// cannot declare itself UTF-16 in ASCII, and x-user-defined means windows-1252.
fn label(l: &[u8]) -> Option<&'static Encoding> {
    let enc = Encoding::for_label(l)?;
    if enc == UTF_16BE || enc == UTF_16LE {
        return Some(UTF_8);
    }
    if enc == encoding_rs::X_USER_DEFINED {
        return Some(WINDOWS_1252);
    }
    Some(enc)
}

/// Finds `<meta charset=..>` or `<meta http-equiv=content-type content="..charset=..">`
/// in the first bytes. A simplified form of the HTML prescan: good enough for real
/// pages, never reads past the slice.
fn prescan_meta(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut pos = 0;
    while let Some(off) = find(lower.get(pos..)?, b"<meta") {
        let start = pos + off + 5;
        let end = lower
            .get(start..)
            .and_then(|s| s.iter().position(|&b| b == b'>'))
            .map(|e| start + e)
            .unwrap_or(lower.len());
        let tag = lower.get(start..end)?;
        if let Some(ci) = find(tag, b"charset") {
            let mut rest = tag.get(ci + 7..)?;
            rest = trim_ascii_start(rest);
            if let Some(r) = rest.strip_prefix(b"=") {
                let r = trim_ascii_start(r);
                let r = r
                    .strip_prefix(b"\"")
                    .or_else(|| r.strip_prefix(b"'"))
                    .unwrap_or(r);
                let stop = r
                    .iter()
                    .position(|&b| {
                        b == b'"' || b == b'\'' || b == b';' || b == b'/' || b.is_ascii_whitespace()
                    })
                    .unwrap_or(r.len());
                if let Some(enc) = r.get(..stop).and_then(label) {
                    return Some(enc);
                }
            }
        }
        pos = end;
    }
    None
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    // Valid UTF-8 (including pure ASCII) is UTF-8: detection only guesses legacy pages.
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // A few hundred KB are plenty for a confident guess; bounds the cost on huge input.
    let sample = bytes.get(..256 * 1024).unwrap_or(bytes);
    det.feed(sample, sample.len() == bytes.len());
    det.guess(None, chardetng::Utf8Detection::Allow)
}

fn is_single_byte(enc: &'static Encoding) -> bool {
    enc.is_single_byte()
}

/// True when the bytes are valid UTF-8 and contain at least one multi-byte sequence.
fn looks_like_utf8(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b >= 0x80) && std::str::from_utf8(bytes).is_ok()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_ascii_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    s.get(n..).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("<meta charset=iso-8859-1>é".as_bytes());
        let (s, enc) = decode_html(&b, Some("text/html; charset=windows-1251"));
        assert_eq!(enc, UTF_8);
        assert!(s.ends_with('é'));
    }

    #[test]
    fn header_then_meta_then_detect() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><body>caf\xe9</body>";
        let (s, enc) = decode_html(latin1, None);
        assert_eq!(enc, WINDOWS_1252);
        assert!(s.contains("café"));
        let (s, enc) = decode_html(
            b"<p>\xcf\xf0\xe8\xe2\xe5\xf2</p>",
            Some("text/html; charset=\"windows-1251\""),
        );
        assert_eq!(enc.name(), "windows-1251");
        assert!(s.contains("Привет"));
        let http_equiv =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">";
        assert_eq!(decode_html(http_equiv, None).1.name(), "Shift_JIS");
    }

    #[test]
    fn lying_latin1_declaration_on_utf8_bytes() {
        let (s, enc) = decode_html(
            "<meta charset=iso-8859-1><p>Zürich – café</p>".as_bytes(),
            None,
        );
        assert_eq!(enc, UTF_8);
        assert!(s.contains("Zürich – café"));
    }

    #[test]
    fn utf16_meta_is_utf8_and_detection_guesses_legacy() {
        assert_eq!(decode_html(b"<meta charset=utf-16><p>x</p>", None).1, UTF_8);
        let text = "Съешь же ещё этих мягких французских булок, да выпей чаю. ".repeat(20);
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
        let (s, enc) = decode_html(&bytes, None);
        assert_eq!(enc.name(), "windows-1251");
        assert!(s.contains("французских"));
    }
}
