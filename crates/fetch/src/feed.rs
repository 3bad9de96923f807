//! Feeds through feed-rs, wrapped so what users hit works: UTF-16/32 feeds are
//! converted to UTF-8, `<rss>` without `version` is tolerated, and a panic
//! inside the parser becomes an error instead of taking the worker down.
//! Titles, names and categories come out as plain text of bounded length
//! (`text.rs`); links and ids longer than 8 KiB are dropped or cut.

use crate::text::{
    MAX_DESCRIPTION_CHARS, MAX_LABEL_CHARS, MAX_LABELS, MAX_URL_BYTES, clean_capped, cut_bytes,
    title_text,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use tidings_core::Timestamp;
use url::Url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    Atom,
    Json,
    Rss0,
    Rss1,
    Rss2,
}

#[derive(Debug, Clone)]
pub struct ParsedFeed {
    pub kind: FeedKind,
    pub title: Option<String>,
    pub site_url: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub items: Vec<FeedItem>,
}

/// One entry, normalised: absolute URLs, times as `Timestamp`.
#[derive(Debug, Clone, Default)]
pub struct FeedItem {
    /// Stable id within the feed (the feed's guid/id, else the link).
    pub guid: String,
    pub url: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    /// Full content (HTML) when the feed carries it.
    pub content: Option<String>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<Timestamp>,
    pub updated: Option<Timestamp>,
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("the document is empty")]
    Empty,
    #[error("not a feed: {0}")]
    NotAFeed(String),
    #[error("malformed feed: {0}")]
    Malformed(String),
    #[error("the feed parser crashed on this document")]
    ParserPanicked,
}

/// Parse RSS 0.9x/1.0/2.0, Atom or JSON Feed. `base` resolves relative links.
pub fn parse_feed(bytes: &[u8], base: &Url) -> Result<ParsedFeed, FeedError> {
    // A feed that claims UTF-8 (or nothing) but is not: servers mislabel
    // Windows-1252 text all the time. Read it as that rather than fail.
    if std::str::from_utf8(bytes).is_err()
        && detect_wide(bytes).is_none()
        && declares_utf8_or_nothing(bytes)
    {
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
        return parse_feed_once(force_utf8_declaration(&text).as_bytes(), base);
    }
    parse_feed_once(bytes, base)
}

fn declares_utf8_or_nothing(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(200)).unwrap_or_default())
        .to_ascii_lowercase();
    match head.split_once("encoding=") {
        None => true,
        Some((_, rest)) => {
            rest.trim_start_matches(['"', '\'']).starts_with("utf-8")
                || rest.trim_start_matches(['"', '\'']).starts_with("utf8")
        }
    }
}

fn parse_feed_once(bytes: &[u8], base: &Url) -> Result<ParsedFeed, FeedError> {
    let normalised = normalise(bytes);
    let doc: &[u8] = &normalised;
    if doc.iter().all(u8::is_ascii_whitespace) {
        return Err(FeedError::Empty);
    }
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        .build();
    let parsed = catch_unwind(AssertUnwindSafe(|| parser.parse(doc)));
    let feed = match parsed {
        Err(_) => return Err(FeedError::ParserPanicked),
        Ok(Err(e)) => {
            let msg = e.to_string();
            // `<rss></rss>` or `<rss><channel/></rss>`: a feed with nothing in it yet.
            if msg.contains("no root element")
                && let Some(kind) = empty_feed_kind(doc)
            {
                return Ok(ParsedFeed {
                    kind,
                    title: None,
                    site_url: None,
                    description: None,
                    language: None,
                    items: Vec::new(),
                });
            }
            let broken_xml = msg.contains("parse XML")
                || msg.contains("Parser error")
                || msg.contains("ill-formed");
            let not_feed = msg.contains("unable to parse")
                || msg.contains("unsupported")
                || msg.contains("no root");
            return Err(if not_feed && !broken_xml {
                FeedError::NotAFeed(msg)
            } else {
                FeedError::Malformed(msg)
            });
        }
        Ok(Ok(f)) => f,
    };
    let kind = match feed.feed_type {
        feed_rs::model::FeedType::Atom => FeedKind::Atom,
        feed_rs::model::FeedType::JSON => FeedKind::Json,
        feed_rs::model::FeedType::RSS0 => FeedKind::Rss0,
        feed_rs::model::FeedType::RSS1 => FeedKind::Rss1,
        feed_rs::model::FeedType::RSS2 => FeedKind::Rss2,
    };
    let site_url = feed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .and_then(|l| absolute(&l.href, base));
    let items = feed.entries.iter().map(|e| item(e, base)).collect();
    Ok(ParsedFeed {
        kind,
        title: feed
            .title
            .map(|t| title_text(&t.content))
            .filter(|t| !t.is_empty()),
        site_url,
        description: feed
            .description
            .map(|t| clean_capped(&t.content, MAX_DESCRIPTION_CHARS))
            .filter(|t| !t.is_empty()),
        language: feed
            .language
            .map(|l| clean_capped(&l, MAX_LABEL_CHARS))
            .filter(|l| !l.is_empty()),
        items,
    })
}

fn item(e: &feed_rs::model::Entry, base: &Url) -> FeedItem {
    let url = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| e.links.first())
        .and_then(|l| absolute(&l.href, base));
    let image = e
        .media
        .iter()
        .flat_map(|m| {
            m.thumbnails.iter().map(|t| t.image.uri.clone()).chain(
                m.content
                    .iter()
                    .filter(|c| {
                        c.content_type
                            .as_ref()
                            .is_none_or(|t| t.ty().as_str() == "image")
                    })
                    .filter_map(|c| c.url.as_ref().map(|u| u.to_string())),
            )
        })
        .find_map(|u| absolute(&u, base));
    // Ids are kept whole up to MAX_URL_BYTES: a longer one is cut (two items
    // whose megabyte-long ids share their first 8 KiB are one item).
    let guid = if e.id.trim().is_empty() {
        url.clone().unwrap_or_default()
    } else {
        cut_bytes(e.id.trim(), MAX_URL_BYTES).to_string()
    };
    FeedItem {
        guid,
        url,
        title: e
            .title
            .as_ref()
            .map(|t| title_text(&t.content))
            .filter(|t| !t.is_empty()),
        summary: e
            .summary
            .as_ref()
            .map(|t| t.content.trim().to_string())
            .filter(|t| !t.is_empty()),
        content: e
            .content
            .as_ref()
            .and_then(|c| c.body.as_ref())
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty()),
        authors: e
            .authors
            .iter()
            .filter_map(|p| p.name.as_ref().map(|n| clean_capped(n, MAX_LABEL_CHARS)))
            .filter(|n| !n.is_empty())
            .take(MAX_LABELS)
            .collect(),
        categories: e
            .categories
            .iter()
            .map(|c| clean_capped(c.label.as_deref().unwrap_or(&c.term), MAX_LABEL_CHARS))
            .filter(|c| !c.is_empty())
            .take(MAX_LABELS)
            .collect(),
        published: e
            .published
            .or(e.updated)
            .map(|d| Timestamp(d.timestamp_millis())),
        updated: e.updated.map(|d| Timestamp(d.timestamp_millis())),
        image,
    }
}

/// `href` made absolute, if it is an http(s) URL of at most MAX_URL_BYTES.
fn absolute(href: &str, base: &Url) -> Option<String> {
    let href = href.trim();
    if href.len() > MAX_URL_BYTES {
        return None;
    }
    let u = base.join(href).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.to_string())
}

/// Make the document something feed-rs can read: UTF-8 (from UTF-16/32 by BOM
/// or by the shape of `<?xml`), and an `<rss>` root with a version.
fn normalise(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut out: std::borrow::Cow<'_, [u8]> = match detect_wide(bytes) {
        Some(text) => std::borrow::Cow::Owned(force_utf8_declaration(&text).into_bytes()),
        None => std::borrow::Cow::Borrowed(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)),
    };
    if let Some(fixed) = add_rss_version(&out) {
        out = std::borrow::Cow::Owned(fixed);
    }
    if let Some(fixed) = atom03_to_atom10(&out) {
        out = std::borrow::Cow::Owned(fixed);
    }
    if find(
        out.get(..out.len().min(4096)).unwrap_or_default(),
        b"http://www.w3.org/2005/Atom",
    )
    .is_some()
        && let Some(fixed) = atom_text_types(&out)
    {
        out = std::borrow::Cow::Owned(fixed);
    }
    out
}

/// Atom text constructs must say `text`, `html` or `xhtml`; older and sloppy
/// feeds put MIME types there (`text/html`, `application/xhtml+xml`,
/// `text/plain`), which feed-rs rejects. Rewrite them in the start tags of
/// text constructs only (a `<link type="text/html">` is a real MIME type).
fn atom_text_types(doc: &[u8]) -> Option<Vec<u8>> {
    const TAGS: [&[u8]; 7] = [
        b"<title",
        b"<subtitle",
        b"<tagline",
        b"<summary",
        b"<content",
        b"<rights",
        b"<copyright",
    ];
    const MAP: [(&[u8], &[u8]); 4] = [
        (b"type=\"text/html\"", b"type=\"html\""),
        (b"type=\"application/xhtml+xml\"", b"type=\"xhtml\""),
        (b"type=\"text/plain\"", b"type=\"text\""),
        (b"type=\"\"", b"type=\"text\""),
    ];
    let mut out = Vec::with_capacity(doc.len());
    let mut i = 0;
    let mut changed = false;
    while i < doc.len() {
        let rest = doc.get(i..)?;
        let is_text_tag = rest.first() == Some(&b'<')
            && TAGS.iter().any(|t| {
                rest.starts_with(t)
                    && matches!(rest.get(t.len()), Some(b' ' | b'\t' | b'\r' | b'\n'))
            });
        if !is_text_tag {
            out.push(*rest.first()?);
            i += 1;
            continue;
        }
        let end = rest.iter().position(|&c| c == b'>').unwrap_or(rest.len());
        let mut tag = rest.get(..end)?.to_vec();
        // Out-of-line content (`src=`) carries a real MIME type.
        let out_of_line = find(&tag, b" src=").is_some();
        for (from, to) in MAP.iter().filter(|_| !out_of_line) {
            if let Some(p) = find(&tag, from) {
                tag.splice(p..p + from.len(), to.iter().copied());
                changed = true;
            }
        }
        out.extend_from_slice(&tag);
        i += end;
    }
    changed.then_some(out)
}

/// Atom 0.3 (2003, still served by old blogs) differs from Atom 1.0 mostly by
/// its namespace; feed-rs only knows 1.0, so read 0.3 as 1.0.
fn atom03_to_atom10(doc: &[u8]) -> Option<Vec<u8>> {
    const OLD: &[u8] = b"http://purl.org/atom/ns#";
    const NEW: &[u8] = b"http://www.w3.org/2005/Atom";
    let head = doc.get(..doc.len().min(4096))?;
    let pos = find(head, OLD)?;
    let mut out = Vec::with_capacity(doc.len());
    out.extend_from_slice(doc.get(..pos)?);
    out.extend_from_slice(NEW);
    out.extend_from_slice(doc.get(pos + OLD.len()..)?);
    Some(out)
}

/// Decode UTF-16 or UTF-32 documents (with or without BOM) to a String.
fn detect_wide(b: &[u8]) -> Option<String> {
    let (enc, skip): (&str, usize) = match b {
        [0x00, 0x00, 0xFE, 0xFF, ..] => ("utf-32be", 4),
        [0xFF, 0xFE, 0x00, 0x00, ..] => ("utf-32le", 4),
        [0xFE, 0xFF, ..] => ("utf-16be", 2),
        [0xFF, 0xFE, ..] => ("utf-16le", 2),
        [0x00, 0x00, 0x00, b'<', ..] => ("utf-32be", 0),
        [b'<', 0x00, 0x00, 0x00, ..] => ("utf-32le", 0),
        [0x00, b'<', 0x00, b'?', ..] | [0x00, b'<', ..] => ("utf-16be", 0),
        [b'<', 0x00, b'?', 0x00, ..] | [b'<', 0x00, ..] => ("utf-16le", 0),
        _ => return None,
    };
    let body = b.get(skip..)?;
    match enc {
        "utf-16le" => Some(
            encoding_rs::UTF_16LE
                .decode_without_bom_handling(body)
                .0
                .into_owned(),
        ),
        "utf-16be" => Some(
            encoding_rs::UTF_16BE
                .decode_without_bom_handling(body)
                .0
                .into_owned(),
        ),
        "utf-32le" | "utf-32be" => {
            let le = enc == "utf-32le";
            let s: String = body
                .chunks_exact(4)
                .map(|c| {
                    let arr = [
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                        c.get(2).copied().unwrap_or(0),
                        c.get(3).copied().unwrap_or(0),
                    ];
                    let v = if le {
                        u32::from_le_bytes(arr)
                    } else {
                        u32::from_be_bytes(arr)
                    };
                    char::from_u32(v).unwrap_or('\u{FFFD}')
                })
                .collect();
            Some(s)
        }
        _ => None,
    }
}

/// After converting, the declaration must not claim the old encoding.
fn force_utf8_declaration(text: &str) -> String {
    let t = text.trim_start_matches('\u{FEFF}');
    if let Some(rest) = t.strip_prefix("<?xml")
        && let Some(end) = rest.find("?>")
    {
        let decl = rest.get(..end).unwrap_or_default();
        let cleaned = remove_attr(decl, "encoding");
        return format!(
            "<?xml{cleaned} encoding=\"utf-8\"?>{}",
            rest.get(end + 2..).unwrap_or_default()
        );
    }
    t.to_string()
}

fn remove_attr(decl: &str, name: &str) -> String {
    let Some(i) = decl.find(name) else {
        return decl.to_string();
    };
    let after = decl.get(i..).unwrap_or_default();
    let Some(q1) = after.find(['"', '\'']) else {
        return decl.to_string();
    };
    let quote = after.get(q1..q1 + 1).unwrap_or("\"");
    let Some(q2) = after.get(q1 + 1..).and_then(|s| s.find(quote)) else {
        return decl.to_string();
    };
    format!(
        "{}{}",
        decl.get(..i).unwrap_or_default().trim_end(),
        after.get(q1 + 1 + q2 + 1..).unwrap_or_default()
    )
}

/// feed-rs refuses `<rss>` without a version attribute; real feeds omit it.
fn add_rss_version(doc: &[u8]) -> Option<Vec<u8>> {
    // Only look at the start of the document for the root element.
    let head = doc.get(..doc.len().min(4096))?;
    let pos = find(head, b"<rss")?;
    let after = head.get(pos + 4..)?;
    let end = after.iter().position(|&c| c == b'>')?;
    let tag = after.get(..end)?;
    if !matches!(
        after.first(),
        Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')
    ) || find(tag, b"version").is_some()
    {
        return None;
    }
    let mut out = Vec::with_capacity(doc.len() + 16);
    out.extend_from_slice(doc.get(..pos + 4)?);
    out.extend_from_slice(b" version=\"2.0\"");
    out.extend_from_slice(doc.get(pos + 4..)?);
    Some(out)
}

/// The kind of a well-formed feed document that has no channel or entries.
fn empty_feed_kind(doc: &[u8]) -> Option<FeedKind> {
    let text = String::from_utf8_lossy(doc.get(..doc.len().min(4096))?);
    let mut reader = quick_xml::Reader::from_str(&text);
    loop {
        match reader.read_event().ok()? {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = e.local_name();
                return match name.as_ref() {
                    "rss" => Some(FeedKind::Rss2),
                    "feed" => Some(FeedKind::Atom),
                    "RDF" => Some(FeedKind::Rss1),
                    _ => None,
                };
            }
            quick_xml::events::Event::Eof => return None,
            _ => {}
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://news.example.com/feeds/main.xml").unwrap()
    }

    const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title> Example
  News </title><link>https://news.example.com/</link><description>All the news</description><language>en-gb</language>
<item><title>Budget passes</title><link>/2026/11/budget?utm_source=rss</link><guid isPermaLink="false">b-1</guid>
<description>&lt;p&gt;The council voted.&lt;/p&gt;</description><category>Politics</category>
<pubDate>Sun, 29 Nov 2026 06:00:00 +0100</pubDate><enclosure url="https://img.example.com/b.jpg" type="image/jpeg" length="1000"/></item>
<item><title>No guid</title><link>https://news.example.com/2</link></item>
</channel></rss>"#;

    #[test]
    fn rss_items_are_normalised() {
        let f = parse_feed(RSS.as_bytes(), &base()).unwrap();
        assert_eq!(f.kind, FeedKind::Rss2);
        assert_eq!(f.title.as_deref(), Some("Example News"));
        assert_eq!(f.language.as_deref(), Some("en-gb"));
        assert_eq!(f.items.len(), 2);
        let a = &f.items[0];
        assert_eq!(a.guid, "b-1");
        assert_eq!(
            a.url.as_deref(),
            Some("https://news.example.com/2026/11/budget?utm_source=rss")
        );
        assert_eq!(a.categories, vec!["Politics"]);
        assert_eq!(
            a.published,
            Timestamp::parse_rfc3339("2026-11-29T05:00:00Z")
        );
        assert_eq!(a.image.as_deref(), Some("https://img.example.com/b.jpg"));
        assert!(a.summary.as_deref().unwrap().contains("council voted"));
        assert!(!f.items[1].guid.is_empty());
    }

    #[test]
    fn rss_without_version_is_tolerated() {
        let doc = RSS.replace("<rss version=\"2.0\"", "<rss");
        let f = parse_feed(doc.as_bytes(), &base()).unwrap();
        assert_eq!(f.items.len(), 2);
    }

    #[test]
    fn utf16_and_utf32_feeds_are_converted() {
        let doc = RSS
            .replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"")
            .replace("Budget passes", "Budget passé ✓");
        let mut le = vec![0xFF, 0xFE];
        le.extend(doc.encode_utf16().flat_map(|u| u.to_le_bytes()));
        let f = parse_feed(&le, &base()).unwrap();
        assert_eq!(f.items[0].title.as_deref(), Some("Budget passé ✓"));
        let be: Vec<u8> = doc.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(
            parse_feed(&be, &base()).unwrap().items.len(),
            2,
            "UTF-16BE without BOM"
        );
        let mut u32le = vec![0xFF, 0xFE, 0, 0];
        u32le.extend(doc.chars().flat_map(|c| (c as u32).to_le_bytes()));
        assert_eq!(
            parse_feed(&u32le, &base()).unwrap().items[0]
                .title
                .as_deref(),
            Some("Budget passé ✓")
        );
    }

    #[test]
    fn latin1_declared_feed_decodes() {
        let doc = RSS
            .replace("UTF-8", "ISO-8859-1")
            .replace("Budget passes", "Caf\u{e9}");
        let bytes: Vec<u8> = doc
            .chars()
            .map(|c| {
                if (c as u32) < 256 {
                    c as u32 as u8
                } else {
                    b'?'
                }
            })
            .collect();
        let f = parse_feed(&bytes, &base()).unwrap();
        assert_eq!(f.items[0].title.as_deref(), Some("Café"));
    }

    #[test]
    fn atom_and_json_feed() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>x</id><updated>2026-01-01T00:00:00Z</updated>
<entry><id>urn:1</id><title>T</title><link href="https://a.example/1"/><updated>2026-01-02T00:00:00Z</updated><author><name>Jo</name></author></entry></feed>"#;
        let f = parse_feed(atom.as_bytes(), &base()).unwrap();
        assert_eq!(f.kind, FeedKind::Atom);
        assert_eq!(f.items[0].authors, vec!["Jo"]);
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://j.example/1","title":"Hello","content_html":"<p>x</p>"}]}"#;
        let f = parse_feed(json.as_bytes(), &base()).unwrap();
        assert_eq!(f.kind, FeedKind::Json);
        assert_eq!(f.items[0].content.as_deref(), Some("<p>x</p>"));
    }

    #[test]
    fn feed_lying_about_utf8_is_read_as_windows_1252() {
        let mut doc = RSS.as_bytes().to_vec();
        let pos = doc.windows(13).position(|w| w == b"Budget passes").unwrap();
        doc.splice(pos..pos + 13, b"Caf\xe9 cr\xe8me".iter().copied());
        let f = parse_feed(&doc, &base()).unwrap();
        assert_eq!(f.items[0].title.as_deref(), Some("Café crème"));
    }

    /// An RSS feed with a normal item, `hostile` as the second item's title
    /// (already XML-escaped or in CDATA), and another normal item.
    fn feed_with_title(hostile: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Hostile</title><link>https://h.example/</link>
<item><title>Before</title><link>https://h.example/1</link><guid>g1</guid></item>
<item><title>{hostile}</title><link>https://h.example/2</link><guid>g2</guid><category>c</category></item>
<item><title>After</title><link>https://h.example/3</link><guid>g3</guid></item>
</channel></rss>"#
        )
    }

    fn check_neighbours(f: &ParsedFeed) {
        assert_eq!(f.items.len(), 3);
        assert_eq!(f.items[0].title.as_deref(), Some("Before"));
        assert_eq!(f.items[2].title.as_deref(), Some("After"));
        assert_eq!(f.items[2].url.as_deref(), Some("https://h.example/3"));
        let h = &f.items[1];
        assert_eq!(h.guid, "g2");
        assert_eq!(h.url.as_deref(), Some("https://h.example/2"));
        assert_eq!(h.categories, vec!["c"]);
    }

    #[test]
    fn hostile_titles_are_dropped_or_capped() {
        // The publisher's feed: one title of 4.8 MB of `<style></style>`
        // (73 s in title_text when it was quadratic; the test would hang).
        let n = 4_800_000 / "<style></style>".len();
        let doc = feed_with_title(&format!("<![CDATA[{}]]>", "<style></style>".repeat(n)));
        assert!(doc.len() > 4_800_000);
        let f = parse_feed(doc.as_bytes(), &base()).unwrap();
        check_neighbours(&f);
        assert_eq!(f.items[1].title, None, "nothing but markup: no title");

        // The same with escaped, mixed-case `<script>`s around a real title.
        let scripts = "&lt;ScRiPt&gt;alert(1)&lt;/sCrIpT&gt;".repeat(n / 2);
        let doc = feed_with_title(&format!("{scripts} Real &amp;amp; title {scripts}"));
        let f = parse_feed(doc.as_bytes(), &base()).unwrap();
        check_neighbours(&f);
        assert_eq!(f.items[1].title.as_deref(), Some("Real & title"));

        // 5 MB of words: the first 1,000 characters, marked as cut.
        let doc = feed_with_title(&"Breaking ".repeat(600_000));
        let f = parse_feed(doc.as_bytes(), &base()).unwrap();
        check_neighbours(&f);
        let t = f.items[1].title.as_deref().unwrap();
        assert_eq!(t.chars().count(), crate::text::MAX_TITLE_CHARS + 1);
        assert!(t.starts_with("Breaking Breaking"));
        assert!(t.ends_with('…'));
    }

    #[test]
    fn labels_links_and_ids_are_bounded() {
        let long_cat: String = "x".repeat(10_000);
        let cats: String = (0..200)
            .map(|i| format!("<category>{i} {long_cat}</category>"))
            .collect();
        let long_link = format!("https://h.example/{}", "p".repeat(20_000));
        let long_guid = "é".repeat(10_000);
        let doc = format!(
            r#"<rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>{long_link}</link><guid>{long_guid}</guid>{cats}</item>
</channel></rss>"#
        );
        let f = parse_feed(doc.as_bytes(), &base()).unwrap();
        let i = &f.items[0];
        assert_eq!(i.url, None, "a 20 KB link is not a link");
        assert_eq!(i.guid, "é".repeat(MAX_URL_BYTES / 2));
        assert_eq!(i.categories.len(), MAX_LABELS);
        assert!(i.categories[0].starts_with("0 xxx"));
        assert_eq!(i.categories[0].chars().count(), MAX_LABEL_CHARS + 1);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert_eq!(parse_feed(b"", &base()).unwrap_err(), FeedError::Empty);
        assert!(parse_feed(b"<html><body>hi</body></html>", &base()).is_err());
        assert!(parse_feed(b"<rss><channel><item><title>unclosed", &base()).is_err());
        assert!(parse_feed(b"\x00\x01\x02\x03", &base()).is_err());
        assert!(parse_feed(b"{not json", &base()).is_err());
    }
}
