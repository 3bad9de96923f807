//! Sitemaps and sitemap indexes, with the Google News (`news:`) and image
//! extensions. Gzipped sitemaps are inflated with a cap (no gzip bombs).

use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::Read;
use tidings_core::Timestamp;
use url::Url;

/// Inflated sitemaps larger than this are refused (the protocol's limit is 50 MB).
pub const MAX_SITEMAP_BYTES: u64 = 50 * 1024 * 1024;

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
                if name == "url" || name == "sitemap" {
                    cur = SitemapUrl::default();
                }
                text.clear();
                path.push(name);
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_string();
                if root.is_none() {
                    return Err(SitemapError::NotASitemap(name));
                }
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
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.into_inner()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                {
                    text.push_str(s);
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
    let leaf = path.last().map(String::as_str).unwrap_or_default();
    let parent = path
        .len()
        .checked_sub(2)
        .and_then(|i| path.get(i))
        .map(String::as_str)
        .unwrap_or_default();
    match (parent, leaf) {
        ("url" | "sitemap", "loc") => {
            if let Ok(u) = base.join(text)
                && matches!(u.scheme(), "http" | "https")
            {
                cur.loc = u.to_string();
            }
        }
        ("url" | "sitemap", "lastmod") => cur.lastmod = parse_w3c_date(text),
        ("news", "title") => {
            cur.news_title = Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        ("news", "publication_date") => cur.news_published = parse_w3c_date(text),
        ("news", "keywords") => {
            cur.news_keywords = text
                .split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty())
                .collect();
        }
        ("publication", "name") => cur.news_publication = Some(text.to_string()),
        ("publication", "language") => cur.news_language = Some(text.to_string()),
        ("image", "loc") if cur.image.is_none() => {
            cur.image = base.join(text).ok().map(|u| u.to_string());
        }
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
