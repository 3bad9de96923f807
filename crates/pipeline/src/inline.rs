//! Inline images: every `<img>` the extractor kept in an article body is
//! fetched through the media pipeline like the lead image (SSRF guard, size
//! and pixel caps, resized copies, WebP and JPEG), and the stored HTML names
//! it by its media id instead of the publisher's URL: `<img data-media="…">`.
//! The web layer turns that into this site's `<picture>` when the image is
//! ready and drops it otherwise, so no page or API answer points a reader's
//! browser at a publisher's host.

use tidings_core::media_id;

/// Images cached per article at most; more are left out of the body.
pub const MAX_INLINE_IMAGES: usize = 24;

/// `html` with each `<img src="…">` rewritten to `<img data-media="ID">`
/// (its `alt` kept), and the source URLs to cache, in order, without repeats.
/// `html` is the extractor's sanitized output: attributes double-quoted and
/// escaped, `<img src … alt …>` as it writes them.
pub fn cache_inline_images(html: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(html.len());
    let mut urls: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<img ") {
        out.push_str(rest.get(..at).unwrap_or_default());
        let tag_and_after = rest.get(at..).unwrap_or_default();
        let Some(end) = tag_and_after.find('>') else {
            // A cut tag: nothing after it is markup we wrote.
            rest = "";
            break;
        };
        let tag = tag_and_after.get(..=end).unwrap_or_default();
        rest = tag_and_after.get(end + 1..).unwrap_or_default();
        let Some(src) = attr(tag, "src").map(|s| unescape(&s)) else {
            continue;
        };
        if !urls.contains(&src) {
            if urls.len() >= MAX_INLINE_IMAGES {
                continue;
            }
            urls.push(src.clone());
        }
        out.push_str("<img data-media=\"");
        out.push_str(&media_id(&src));
        out.push('"');
        if let Some(alt) = attr(tag, "alt") {
            out.push_str(" alt=\"");
            out.push_str(&alt);
            out.push('"');
        }
        out.push('>');
    }
    out.push_str(rest);
    (out, urls)
}

/// The raw (still escaped) value of `name="…"` in a tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let value = tag.get(start..)?;
    let end = value.find('"')?;
    Some(value.get(..end)?.to_string())
}

/// Undo the attribute escaping the extractor wrote.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_named_by_their_media_id() {
        let html = "<p>a</p>\n<figure><img src=\"https://cdn.example/a.jpg?w=1&amp;h=2\" alt=\"A &quot;map&quot;\"><figcaption>Map</figcaption></figure>\n<figure><img src=\"https://cdn.example/b.png\"></figure>\n<p>again <img src=\"https://cdn.example/a.jpg?w=1&amp;h=2\"></p>";
        let (out, urls) = cache_inline_images(html);
        assert_eq!(
            urls,
            vec![
                "https://cdn.example/a.jpg?w=1&h=2",
                "https://cdn.example/b.png"
            ]
        );
        let a = media_id("https://cdn.example/a.jpg?w=1&h=2");
        let b = media_id("https://cdn.example/b.png");
        assert_eq!(
            out,
            format!(
                "<p>a</p>\n<figure><img data-media=\"{a}\" alt=\"A &quot;map&quot;\"><figcaption>Map</figcaption></figure>\n<figure><img data-media=\"{b}\"></figure>\n<p>again <img data-media=\"{a}\"></p>"
            )
        );
        assert!(!out.contains("cdn.example"), "no publisher URL is stored");
    }

    #[test]
    fn too_many_images_are_left_out_and_broken_tags_are_dropped() {
        let html: String = (0..30)
            .map(|i| format!("<img src=\"https://cdn.example/{i}.jpg\">"))
            .collect();
        let (out, urls) = cache_inline_images(&html);
        assert_eq!(urls.len(), MAX_INLINE_IMAGES);
        assert_eq!(out.matches("<img").count(), MAX_INLINE_IMAGES);
        let (out, urls) = cache_inline_images("<p>x</p><img src=\"https://cdn.example/cut");
        assert_eq!((out.as_str(), urls.len()), ("<p>x</p>", 0));
        let (out, _) = cache_inline_images("<img alt=\"no source\"><p>y</p>");
        assert_eq!(out, "<p>y</p>");
    }
}
