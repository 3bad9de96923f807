//! How values are written for people and machines, once for every surface:
//! escaping for HTML and XML, teasers, slugs and our own URLs, times, page
//! cursors. Pure functions; no HTTP, no templates, no database.

use crate::i18n::Strings;
use tidings_core::Timestamp;

pub use tidings_core::display::{short, teaser};

// ---------------------------------------------------------------- escaping

/// Escape `s` for HTML or XML text and attribute values: the five special
/// characters become entities, and the characters XML 1.0 forbids (C0
/// controls other than tab and line ends, U+FFFE, U+FFFF), which no page needs
/// either, are dropped — one bad title cannot break a feed or a sitemap.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s);
    out
}

/// [`escape`], appending to `out`.
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// The text of an attribute value as [`escape`] (or the extractor) wrote it.
pub fn unescape_attr(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Paragraphs of plain text as HTML `<p>` elements.
pub fn paragraphs_html<S: AsRef<str>>(paragraphs: &[S]) -> String {
    let mut out = String::new();
    for p in paragraphs {
        out.push_str("<p>");
        escape_into(&mut out, p.as_ref());
        out.push_str("</p>\n");
    }
    out
}

/// A JSON value for `<script type="application/ld+json">`: nothing in it can
/// end the script element.
pub fn json_for_script(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A value for a URL query.
pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ---------------------------------------------------------------- our URLs

/// The readable part of an article's address: up to eight words, lower case.
pub fn slug(title: &str) -> String {
    let mut s = String::new();
    for w in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
    {
        if !s.is_empty() {
            s.push('-');
        }
        s.push_str(&w.to_lowercase());
    }
    s.chars().take(80).collect()
}

/// `/a/123-council-approves-budget`: the id is what matters; the slug is for people.
pub fn article_href(id: i64, title: &str) -> String {
    let slug = slug(title);
    if slug.is_empty() {
        format!("/a/{id}")
    } else {
        format!("/a/{id}-{slug}")
    }
}

/// The article id at the start of a slug (`123-council-…` → 123).
pub fn id_of_slug(slug: &str) -> Option<i64> {
    slug.split('-').next()?.parse().ok()
}

pub fn story_href(id: i64) -> String {
    format!("/story/{id}")
}

pub fn source_href(id: i64) -> String {
    format!("/source/{id}")
}

pub fn topic_href(slug: &str) -> String {
    format!("/topic/{slug}")
}

// ---------------------------------------------------------------- images

/// A cached image ready for `<picture>`: WebP for browsers that take it, JPEG otherwise.
pub struct ImgView {
    pub src: String,
    pub webp_srcset: String,
    pub jpg_srcset: String,
    pub width: i64,
    pub height: i64,
    pub alt: String,
}

impl ImgView {
    /// `id` is the media id; `(w, h)` the original size.
    pub fn new(id: &str, w: i64, h: i64, alt: &str, prefer_width: u32) -> ImgView {
        let widths = tidings_core::media_variant_widths(u32::try_from(w).unwrap_or(1));
        let pick = widths
            .iter()
            .copied()
            .filter(|x| *x <= prefer_width)
            .max()
            .or_else(|| widths.first().copied())
            .unwrap_or(1);
        let set = |ext: &str| {
            widths
                .iter()
                .map(|x| format!("/media/{id}/{x}.{ext} {x}w"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let shown_h = if w > 0 { (h * i64::from(pick)) / w } else { h };
        ImgView {
            src: format!("/media/{id}/{pick}.jpg"),
            webp_srcset: set("webp"),
            jpg_srcset: set("jpg"),
            width: i64::from(pick),
            height: shown_h.max(1),
            alt: alt.to_string(),
        }
    }
}

/// An image inside an article body, as this site serves it: WebP and JPEG
/// copies in a `<picture>`, sized, loaded lazily.
pub fn inline_picture(v: &ImgView) -> String {
    let mut out = String::from("<picture><source type=\"image/webp\" srcset=\"");
    escape_into(&mut out, &v.webp_srcset);
    out.push_str("\" sizes=\"(max-width: 720px) 100vw, 720px\"><img src=\"");
    escape_into(&mut out, &v.src);
    out.push_str("\" srcset=\"");
    escape_into(&mut out, &v.jpg_srcset);
    out.push_str(&format!(
        "\" sizes=\"(max-width: 720px) 100vw, 720px\" width=\"{}\" height=\"{}\" alt=\"",
        v.width, v.height
    ));
    escape_into(&mut out, &v.alt);
    out.push_str("\" loading=\"lazy\" decoding=\"async\"></picture>");
    out
}

// ---------------------------------------------------------------- times

/// "29 Nov 2026, 06:08 UTC" for hover titles and notices.
pub fn human_time(t: Timestamp) -> String {
    t.to_jiff().strftime("%-d %b %Y, %H:%M UTC").to_string()
}

/// "just now", "5 minutes ago", "3 days ago", or a date for old items.
pub fn relative(t: Timestamp, now: Timestamp, s: &Strings) -> String {
    let secs = (now.0 - t.0) / 1000;
    if secs < 0 {
        // Clocks disagree a little; never say "in 3 minutes" for news.
        return s.just_now.to_string();
    }
    let mins = secs / 60;
    let hours = mins / 60;
    let days = hours / 24;
    match () {
        _ if secs < 60 => s.just_now.to_string(),
        _ if mins < 60 => plural(mins, s.minute_ago, s.minutes_ago),
        _ if hours < 24 => plural(hours, s.hour_ago, s.hours_ago),
        _ if days < 30 => plural(days, s.day_ago, s.days_ago),
        _ => t.to_jiff().strftime("%-d %b %Y").to_string(),
    }
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        one.to_string()
    } else {
        many.replace("{n}", &n.to_string())
    }
}

// ---------------------------------------------------------------- cursors

/// A position in a list sorted newest first: (first seen, id) of the last
/// item of the previous page. Written `1795932511000.42`; opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub time: i64,
    pub id: i64,
}

impl Cursor {
    /// `None` for no cursor (the first page); `Err` for text that is not one.
    pub fn parse(s: Option<&str>) -> Result<Option<Cursor>, BadCursor> {
        match s.map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => s
                .split_once('.')
                .and_then(|(t, id)| {
                    Some(Cursor {
                        time: t.parse().ok()?,
                        id: id.parse().ok()?,
                    })
                })
                .map(Some)
                .ok_or_else(|| BadCursor(s.chars().take(64).collect())),
        }
    }

    pub fn encode(self) -> String {
        format!("{}.{}", self.time, self.id)
    }

    pub fn pair(self) -> (i64, i64) {
        (self.time, self.id)
    }
}

/// A `cursor` parameter that this site did not hand out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCursor(pub String);

/// The cursor of the next page when `rows` holds one more than a `page`
/// (the extra row only says that there is a next page).
pub fn next_cursor(rows: &[tidings_store::ArticleCard], page: i64) -> Option<Cursor> {
    let page = usize::try_from(page).unwrap_or(0);
    (rows.len() > page)
        .then(|| rows.get(page.saturating_sub(1)))
        .flatten()
        .map(|a| Cursor {
            time: a.created_at.0,
            id: a.id.0,
        })
}

// ---------------------------------------------------------------- languages

/// Names of languages offered for machine translation, in their own language.
const LANGUAGE_NAMES: [(&str, &str); 30] = [
    ("ar", "العربية"),
    ("bg", "Български"),
    ("ca", "Català"),
    ("cs", "Čeština"),
    ("da", "Dansk"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("en", "English"),
    ("es", "Español"),
    ("fa", "فارسی"),
    ("fi", "Suomi"),
    ("fr", "Français"),
    ("he", "עברית"),
    ("hi", "हिन्दी"),
    ("hu", "Magyar"),
    ("id", "Bahasa Indonesia"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("nl", "Nederlands"),
    ("no", "Norsk"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("sv", "Svenska"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("vi", "Tiếng Việt"),
    ("zh", "中文"),
];

/// A language's own name, or its code when we do not know it.
pub fn language_name(code: &str) -> String {
    LANGUAGE_NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, n)| (*n).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::EN;

    #[test]
    fn one_escaper_for_html_and_xml() {
        assert_eq!(
            escape("a\u{0}b\u{1b}c\td\ne <&> \"'\u{FFFF}é"),
            "abc\td\ne &lt;&amp;&gt; &quot;&#39;é"
        );
        assert_eq!(paragraphs_html(&["a<b", "c"]), "<p>a&lt;b</p>\n<p>c</p>\n");
        assert_eq!(
            json_for_script(&serde_json::json!({"x": "</script>&"})),
            "{\"x\":\"\\u003c/script\\u003e\\u0026\"}"
        );
    }

    #[test]
    fn slugs_and_hrefs() {
        assert_eq!(
            article_href(12, "Council approves budget!"),
            "/a/12-council-approves-budget"
        );
        assert_eq!(article_href(3, "¿?"), "/a/3");
        assert_eq!(id_of_slug("12-council"), Some(12));
        assert_eq!(id_of_slug("x-12"), None);
    }

    #[test]
    fn relative_times() {
        let now = Timestamp(1_795_932_511_000);
        let ago = |s: i64| relative(Timestamp(now.0 - s * 1000), now, &EN);
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(-30), "just now");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(5 * 60), "5 minutes ago");
        assert_eq!(ago(3600), "1 hour ago");
        assert_eq!(ago(3 * 86400), "3 days ago");
        assert_eq!(ago(400 * 86400), "25 Oct 2025");
    }

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        assert_eq!(Cursor::parse(None), Ok(None));
        assert_eq!(Cursor::parse(Some("")), Ok(None));
        let c = Cursor {
            time: 1_795_932_511_000,
            id: 42,
        };
        assert_eq!(Cursor::parse(Some(&c.encode())), Ok(Some(c)));
        assert!(Cursor::parse(Some("12")).is_err());
        assert!(Cursor::parse(Some("a.b")).is_err());
    }
}
