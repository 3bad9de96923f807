//! Sitemaps and sitemap indexes, with the Google News (`news:`) and image
//! extensions. Gzipped sitemaps are inflated with a cap (no gzip bombs).
//! One pass with bounded state: an element's text is kept up to
//! [`MAX_FIELD_BYTES`], only the last [`MAX_DEPTH`] element names are
//! remembered, and titles, names and keywords are capped like a feed's
//! (`text.rs`).

use crate::text::{
    MAX_LABEL_CHARS, MAX_LABELS, MAX_URL_BYTES, clean_capped, push_capped, title_text,
};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::Read;
use tidings_core::Timestamp;
use url::Url;

/// Inflated sitemaps larger than this are refused (the protocol's limit is 50 MB).
pub const MAX_SITEMAP_BYTES: u64 = 50 * 1024 * 1024;
/// An element's text is read up to this many bytes; every field we keep is
/// shorter (a URL at most 8 KiB, a title at most 1,000 characters).
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Elements nested deeper than this are skipped (sitemaps nest 4 deep).
pub const MAX_DEPTH: usize = 16;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SitemapUrl {
    pub loc: String,
    pub lastmod: Option<Timestamp>,
    pub news_title: Option<String>,
    pub news_published: Option<Timestamp>,
    pub news_language: Option<String>,
    pub news_publication: Option<String>,
    pub news_keywords: Vec<String>,
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Sitemap {
    /// A `<urlset>`: pages.
    Urls(Vec<SitemapUrl>),
    /// A `<sitemapindex>`: more sitemaps, with their last change.
    Index(Vec<(String, Option<Timestamp>)>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SitemapError {
    #[error("the sitemap is empty")]
    Empty,
    #[error("not a sitemap (root element <{0}>)")]
    NotASitemap(String),
    #[error("malformed sitemap XML at byte {0}: {1}")]
    Malformed(u64, String),
    #[error("the inflated sitemap exceeds {MAX_SITEMAP_BYTES} bytes")]
    TooLarge,
    #[error("broken gzip data: {0}")]
    Gzip(String),
}

/// Is this document a sitemap (as opposed to a feed)? Cheap sniff of the root.
pub fn looks_like_sitemap(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return true;
    }
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(2048)).unwrap_or_default());
    head.contains("<urlset") || head.contains("<sitemapindex")
}

pub fn parse_sitemap(bytes: &[u8], base: &Url) -> Result<Sitemap, SitemapError> {
    let inflated;
    let doc: &[u8] = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_SITEMAP_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| SitemapError::Gzip(e.to_string()))?;
        if out.len() as u64 > MAX_SITEMAP_BYTES {
            return Err(SitemapError::TooLarge);
        }
        inflated = out;
        &inflated
    } else {
        bytes
    };
    if doc.iter().all(u8::is_ascii_whitespace) {
        return Err(SitemapError::Empty);
    }
    let mut reader = Reader::from_reader(doc);
    let mut root: Option<String> = None;
    let mut path: Vec<String> = Vec::new();
    // Open elements past MAX_DEPTH, whose names are not kept.
    let mut too_deep = 0usize;
    let mut urls = Vec::new();
    let mut index = Vec::new();
    let mut cur = SitemapUrl::default();
    let mut text = String::new();
    let mut buf = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| SitemapError::Malformed(reader.error_position(), e.to_string()))?;
        match ev {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if root.is_none() {
                    if name != "urlset" && name != "sitemapindex" {
                        return Err(SitemapError::NotASitemap(name));
                    }
                    root = Some(name.clone());
                }
                text.clear();
                if path.len() >= MAX_DEPTH {
                    too_deep += 1;
                } else {
                    if name == "url" || name == "sitemap" {
                        cur = SitemapUrl::default();
                    }
                    path.push(name);
                }
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                if root.is_none() {
                    return Err(SitemapError::NotASitemap(name));
                }
            }
            Event::End(_) if too_deep > 0 => {
                too_deep -= 1;
                text.clear();
            }
            Event::End(_) => {
                set_field(&mut cur, &path, text.trim(), base);
                text.clear();
                let name = path.pop().unwrap_or_default();
                if name == "url" && !cur.loc.is_empty() {
                    urls.push(std::mem::take(&mut cur));
                } else if name == "sitemap" && !cur.loc.is_empty() {
                    let c = std::mem::take(&mut cur);
                    index.push((c.loc, c.lastmod));
                }
            }
            // quick-xml hands text over in pieces: runs of text, CDATA and `&refs;`.
            Event::Text(t) => push_capped(&mut text, &t.xml10_content(), MAX_FIELD_BYTES),
            Event::CData(t) => push_capped(&mut text, &t.into_inner(), MAX_FIELD_BYTES),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    push_capped(&mut text, c.encode_utf8(&mut [0; 4]), MAX_FIELD_BYTES);
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                {
                    push_capped(&mut text, s, MAX_FIELD_BYTES);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    match root.as_deref() {
        Some("urlset") => Ok(Sitemap::Urls(urls)),
        Some(_) => Ok(Sitemap::Index(index)),
        None => Err(SitemapError::Empty),
    }
}

fn set_field(cur: &mut SitemapUrl, path: &[String], text: &str, base: &Url) {
    if text.is_empty() {
        return;
    }
    let url = |text: &str| {
        (text.len() <= MAX_URL_BYTES)
            .then(|| base.join(text).ok())
            .flatten()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.to_string())
    };
    let leaf = path.last().map(String::as_str).unwrap_or_default();
    let parent = path
        .len()
        .checked_sub(2)
        .and_then(|i| path.get(i))
        .map(String::as_str)
        .unwrap_or_default();
    match (parent, leaf) {
        ("url" | "sitemap", "loc") => {
            if let Some(u) = url(text) {
                cur.loc = u;
            }
        }
        ("url" | "sitemap", "lastmod") => cur.lastmod = parse_w3c_date(text),
        // Plain text, like a feed's titles: markup a publisher escaped into
        // it is dropped, and an empty result is no title.
        ("news", "title") => cur.news_title = Some(title_text(text)).filter(|t| !t.is_empty()),
        ("news", "publication_date") => cur.news_published = parse_w3c_date(text),
        ("news", "keywords") => {
            cur.news_keywords = text
                .split(',')
                .map(|k| clean_capped(k, MAX_LABEL_CHARS))
                .filter(|k| !k.is_empty())
                .take(MAX_LABELS)
                .collect();
        }
        ("publication", "name") => {
            cur.news_publication = Some(clean_capped(text, MAX_LABEL_CHARS));
        }
        ("publication", "language") => {
            cur.news_language = Some(clean_capped(text, MAX_LABEL_CHARS));
        }
        ("image", "loc") if cur.image.is_none() => cur.image = url(text),
        _ => {}
    }
}

/// W3C datetime as sitemaps use it: a date, or a date-time with zone.
pub fn parse_w3c_date(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Some(t) = Timestamp::parse_rfc3339(s) {
        return Some(t);
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return d
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| Timestamp::from_jiff(z.timestamp()));
    }
    // `2026-11-29T06:00+01:00` (no seconds) and `2026-11-29T06:00:00` (no zone, taken as UTC).
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| Timestamp::from_jiff(z.timestamp()));
    }
    s.parse::<jiff::ZonedDateTime>()
        .ok()
        .map(|z| Timestamp::from_jiff(z.timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn base() -> Url {
        Url::parse("https://news.example.com/sitemap.xml").unwrap()
    }

    const NEWS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://news.example.com/2026/11/29/budget</loc>
    <lastmod>2026-11-29T07:00:00+01:00</lastmod>
    <news:news>
      <news:publication><news:name>Example News</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-29T06:00:00Z</news:publication_date>
      <news:title>Council passes &amp; signs budget</news:title>
      <news:keywords>budget, council</news:keywords>
    </news:news>
    <image:image><image:loc>https://img.example.com/b.jpg</image:loc></image:image>
  </url>
  <url><loc>/relative/page</loc><lastmod>2026-11-28</lastmod></url>
  <url><lastmod>2026-11-28</lastmod></url>
</urlset>"#;

    #[test]
    fn news_sitemap() {
        let Sitemap::Urls(urls) = parse_sitemap(NEWS.as_bytes(), &base()).unwrap() else {
            panic!()
        };
        assert_eq!(urls.len(), 2, "entries without loc are dropped");
        let u = &urls[0];
        assert_eq!(
            u.news_title.as_deref(),
            Some("Council passes & signs budget")
        );
        assert_eq!(
            u.news_published,
            Timestamp::parse_rfc3339("2026-11-29T06:00:00Z")
        );
        assert_eq!(u.lastmod, Timestamp::parse_rfc3339("2026-11-29T06:00:00Z"));
        assert_eq!(u.news_language.as_deref(), Some("en"));
        assert_eq!(u.news_publication.as_deref(), Some("Example News"));
        assert_eq!(u.news_keywords, vec!["budget", "council"]);
        assert_eq!(u.image.as_deref(), Some("https://img.example.com/b.jpg"));
        assert_eq!(urls[1].loc, "https://news.example.com/relative/page");
        assert_eq!(
            urls[1].lastmod,
            Timestamp::parse_rfc3339("2026-11-28T00:00:00Z")
        );
    }

    #[test]
    fn index_and_gzip() {
        let idx = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example.com/s1.xml.gz</loc><lastmod>2026-11-29</lastmod></sitemap>
<sitemap><loc>https://news.example.com/s2.xml</loc></sitemap></sitemapindex>"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(idx.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        assert!(looks_like_sitemap(&bytes));
        let Sitemap::Index(list) = parse_sitemap(&bytes, &base()).unwrap() else {
            panic!()
        };
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].0, "https://news.example.com/s1.xml.gz");
        assert!(list[0].1.is_some() && list[1].1.is_none());
    }

    /// A news sitemap of three URLs, `title` (XML text) as the second's title.
    fn news_with_title(title: &str) -> String {
        let url = |n: u32, t: &str| {
            format!(
                "<url><loc>https://news.example.com/{n}</loc><news:news><news:title>{t}</news:title>\
                 <news:keywords>k{n}</news:keywords></news:news></url>"
            )
        };
        format!(
            r#"<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{}{}{}</urlset>"#,
            url(1, "Before"),
            url(2, title),
            url(3, "After")
        )
    }

    fn urls(doc: &str) -> Vec<SitemapUrl> {
        match parse_sitemap(doc.as_bytes(), &base()).unwrap() {
            Sitemap::Urls(u) => u,
            Sitemap::Index(_) => panic!("not an index"),
        }
    }

    fn check_neighbours(u: &[SitemapUrl]) {
        assert_eq!(u.len(), 3);
        assert_eq!(u[0].news_title.as_deref(), Some("Before"));
        assert_eq!(u[2].news_title.as_deref(), Some("After"));
        assert_eq!(u[1].loc, "https://news.example.com/2");
        assert_eq!(u[1].news_keywords, vec!["k2"]);
        assert_eq!(u[2].news_keywords, vec!["k3"]);
    }

    #[test]
    fn hostile_news_titles_are_dropped_or_capped() {
        // ~5 MB of escaped `<style></style>`: markup only, so no title.
        let n = 5_000_000 / "&lt;style&gt;&lt;/style&gt;".len();
        let u = urls(&news_with_title(&"&lt;style&gt;&lt;/style&gt;".repeat(n)));
        check_neighbours(&u);
        assert_eq!(u[1].news_title, None);
        // The same in CDATA, mixed-case `<script>`s, then a real title.
        let scripts = "<ScRiPt>x</sCrIpT>".repeat(5_000_000 / 18);
        let u = urls(&news_with_title(&format!("<![CDATA[{scripts}]]>")));
        check_neighbours(&u);
        assert_eq!(u[1].news_title, None);
        let u = urls(&news_with_title(
            "<![CDATA[<ScRiPt>x</sCrIpT> Real <b>title</b>]]>",
        ));
        assert_eq!(u[1].news_title.as_deref(), Some("Real title"));
        // 5 MB of words: the first 1,000 characters, marked as cut.
        let u = urls(&news_with_title(&"Headline &amp; more ".repeat(250_000)));
        check_neighbours(&u);
        let t = u[1].news_title.as_deref().unwrap();
        assert_eq!(t.chars().count(), crate::text::MAX_TITLE_CHARS + 1);
        assert!(t.starts_with("Headline & more Headline & more"));
        assert!(t.ends_with('…'));
    }

    #[test]
    fn deep_nesting_and_long_fields_are_bounded() {
        let deep = 100_000;
        let doc = format!(
            "<urlset><url><loc>https://news.example.com/a</loc>{}<loc>https://evil.example/</loc>{}\
             <news:news><news:keywords>{}</news:keywords></news:news></url>\
             <url><loc>https://news.example.com/{}</loc></url><url><loc>/b</loc></url></urlset>",
            "<x>".repeat(deep),
            "</x>".repeat(deep),
            (0..500).map(|i| format!("kw{i},")).collect::<String>(),
            "p".repeat(20_000),
        );
        let u = urls(&doc);
        assert_eq!(u.len(), 2, "the URL of 20 KB is not a URL");
        assert_eq!(
            u[0].loc, "https://news.example.com/a",
            "deep elements are skipped"
        );
        assert_eq!(u[0].news_keywords.len(), crate::text::MAX_LABELS);
        assert_eq!(u[1].loc, "https://news.example.com/b");
    }

    #[test]
    fn gzip_bomb_and_garbage() {
        // 60 MB of zeros compresses to ~60 KB: refused at the cap, not inflated whole.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b' '; 1024 * 1024];
        gz.write_all(b"<urlset>").unwrap();
        for _ in 0..60 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = gz.finish().unwrap();
        assert!(bomb.len() < 200_000);
        assert_eq!(parse_sitemap(&bomb, &base()), Err(SitemapError::TooLarge));
        assert_eq!(parse_sitemap(b"  ", &base()), Err(SitemapError::Empty));
        assert!(matches!(
            parse_sitemap(b"<rss/>", &base()),
            Err(SitemapError::NotASitemap(_))
        ));
        assert!(matches!(
            parse_sitemap(b"<urlset><url><loc>x</url>", &base()),
            Err(SitemapError::Malformed(..))
        ));
        assert!(parse_sitemap(&[0x1f, 0x8b, 0, 1, 2], &base()).is_err());
    }
}
