//! OPML subscription lists: import (any nesting, categories from parent
//! outlines) and export.

use crate::text::{MAX_TITLE_CHARS, MAX_URL_BYTES, clean_capped};
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// Files larger than this are refused before parsing: a subscription list of
/// 100,000 feeds is ~20 MB, so anything bigger is a mistake or an attack.
pub const MAX_OPML_BYTES: usize = 32 * 1024 * 1024;

/// One feed found in an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    pub xml_url: String,
    pub title: Option<String>,
    pub html_url: Option<String>,
    /// The `text`/`title` of the enclosing folder outline, if any.
    pub category: Option<String>,
    /// What a list says about the source, as written (Tidings' own outline
    /// attributes `country`, `language`, `owner`, `kind`, `perspective`):
    /// the importer checks the values.
    pub profile: Vec<(String, String)>,
}

/// The outline attributes that carry a source's profile.
pub const PROFILE_ATTRIBUTES: [&str; 5] = ["country", "language", "owner", "kind", "perspective"];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpmlError {
    #[error("the file is {0} bytes; OPML files over {MAX_OPML_BYTES} bytes are refused")]
    TooLarge(usize),
    #[error("not valid XML at byte {position}: {message}")]
    Xml { position: u64, message: String },
    #[error("not an OPML document (root element is <{0}>, expected <opml>)")]
    NotOpml(String),
    #[error("the document is empty")]
    Empty,
    #[error("the document ended before </opml>")]
    Truncated,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        if a.key.as_ref().eq_ignore_ascii_case(name) {
            a.normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        } else {
            None
        }
    })
}

/// An attribute as a title or folder name: whitespace collapsed, at most
/// 1,000 characters.
fn label(e: &BytesStart<'_>, name: &str) -> Option<String> {
    attr(e, name)
        .map(|v| clean_capped(&v, MAX_TITLE_CHARS))
        .filter(|v| !v.is_empty())
}

/// Parse an OPML document. Outlines without `xmlUrl` are folders; their text
/// becomes the category of the feeds inside. Duplicate URLs are kept once.
pub fn parse(bytes: &[u8]) -> Result<Vec<OpmlFeed>, OpmlError> {
    if bytes.len() > MAX_OPML_BYTES {
        return Err(OpmlError::TooLarge(bytes.len()));
    }
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().trim_text(true);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut seen_root = false;
    let mut closed_root = false;
    // One entry per open outline: did it open a named folder? The names of
    // the open folders are a stack of their own, so a feed finds its
    // category at the top in O(1) however deep it is.
    let mut outlines: Vec<bool> = Vec::new();
    let mut folders: Vec<String> = Vec::new();
    let mut feeds = Vec::new();
    let mut urls = std::collections::HashSet::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| OpmlError::Xml {
                position: reader.error_position(),
                message: e.to_string(),
            })?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(ev, Event::Empty(_));
                let name = e.local_name();
                let name = name.as_ref().to_ascii_lowercase();
                if !seen_root {
                    if name != "opml" {
                        return Err(OpmlError::NotOpml(name));
                    }
                    seen_root = true;
                    continue;
                }
                if name == "outline" {
                    let xml_url = attr(e, "xmlUrl").filter(|u| u.len() <= MAX_URL_BYTES);
                    let text = label(e, "text").or_else(|| label(e, "title"));
                    match xml_url {
                        Some(u) => {
                            if urls.insert(u.clone()) {
                                feeds.push(OpmlFeed {
                                    xml_url: u,
                                    title: label(e, "title").or(text),
                                    html_url: attr(e, "htmlUrl")
                                        .filter(|u| u.len() <= MAX_URL_BYTES),
                                    category: folders.last().cloned(),
                                    profile: PROFILE_ATTRIBUTES
                                        .iter()
                                        .filter_map(|k| label(e, k).map(|v| ((*k).to_string(), v)))
                                        .collect(),
                                });
                            }
                            if !is_empty {
                                outlines.push(false);
                            }
                        }
                        None => {
                            if !is_empty {
                                outlines.push(text.is_some());
                                folders.extend(text);
                            }
                        }
                    }
                }
            }
            Event::End(ref e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if name == "outline" {
                    if outlines.pop() == Some(true) {
                        folders.pop();
                    }
                } else if name == "opml" {
                    closed_root = true;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !seen_root {
        return Err(OpmlError::Empty);
    }
    if !closed_root {
        return Err(OpmlError::Truncated);
    }
    Ok(feeds)
}

/// Write an OPML 2.0 document listing `feeds`.
pub fn export(title: &str, feeds: &[OpmlFeed]) -> String {
    let mut out = String::with_capacity(256 + feeds.len() * 160);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>",
    );
    out.push_str(&escape(title));
    out.push_str("</title>\n  </head>\n  <body>\n");
    for f in feeds {
        let text = f.title.as_deref().unwrap_or(&f.xml_url);
        out.push_str("    <outline type=\"rss\" text=\"");
        out.push_str(&escape(text));
        out.push_str("\" title=\"");
        out.push_str(&escape(text));
        out.push_str("\" xmlUrl=\"");
        out.push_str(&escape(&f.xml_url));
        out.push('"');
        if let Some(h) = &f.html_url {
            out.push_str(" htmlUrl=\"");
            out.push_str(&escape(h));
            out.push('"');
        }
        for (k, v) in &f.profile {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(&escape(v));
            out.push('"');
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="World">
      <outline type="rss" text="BBC &amp; Co" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml" htmlUrl="https://www.bbc.co.uk/news"/>
      <outline text="Nested">
        <outline type="rss" title="Deep" xmlUrl="https://deep.example/feed"/>
      </outline>
    </outline>
    <outline type="rss" text="Loose" xmlUrl="https://loose.example/atom.xml"/>
    <outline type="rss" text="Loose again" xmlUrl="https://loose.example/atom.xml"/>
  </body>
</opml>"#;

    #[test]
    fn parses_nested_folders_and_dedups() {
        let feeds = parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(feeds.len(), 3);
        assert_eq!(feeds[0].title.as_deref(), Some("BBC & Co"));
        assert_eq!(feeds[0].category.as_deref(), Some("World"));
        assert_eq!(
            feeds[0].html_url.as_deref(),
            Some("https://www.bbc.co.uk/news")
        );
        assert_eq!(feeds[1].category.as_deref(), Some("Nested"));
        assert_eq!(feeds[2].category, None);
    }

    #[test]
    fn export_round_trips() {
        let feeds = parse(SAMPLE.as_bytes()).unwrap();
        let doc = export("Tidings <sources>", &feeds);
        assert!(doc.contains("<title>Tidings &lt;sources&gt;</title>"));
        let again = parse(doc.as_bytes()).unwrap();
        assert_eq!(again.len(), 3);
        assert_eq!(again[0].xml_url, feeds[0].xml_url);
        assert_eq!(again[0].title, feeds[0].title);
    }

    #[test]
    fn profiles_travel_in_outline_attributes() {
        let doc = r#"<opml version="2.0"><body><outline type="rss" text="A" xmlUrl="https://a.example/feed" country="DE" kind="public_broadcaster" perspective="Centre" owner="ARD &amp; ZDF" other="x"/></body></opml>"#;
        let feeds = parse(doc.as_bytes()).unwrap();
        assert_eq!(
            feeds[0].profile,
            vec![
                ("country".to_string(), "DE".to_string()),
                ("owner".to_string(), "ARD & ZDF".to_string()),
                ("kind".to_string(), "public_broadcaster".to_string()),
                ("perspective".to_string(), "Centre".to_string()),
            ]
        );
        let again = parse(export("x", &feeds).as_bytes()).unwrap();
        assert_eq!(again[0].profile, feeds[0].profile);
    }

    #[test]
    fn deep_folders_and_long_titles_are_bounded() {
        // 100,000 unnamed outlines inside one folder, 100,000 feeds at the
        // bottom: each feed used to walk the whole stack for its category
        // (10^10 steps); now the category is the top of a stack.
        let depth = 100_000;
        let long = "very long title ".repeat(10_000);
        let mut doc = String::from("<opml><body><outline text=\"Top\">");
        doc.push_str(&"<outline>".repeat(depth));
        for i in 0..depth {
            // Only the first feed has a (160 KB) title.
            let title = if i == 0 { long.as_str() } else { "" };
            doc.push_str(&format!(
                "<outline xmlUrl=\"https://f.example/{i}\" title=\"{title}\"/>"
            ));
        }
        doc.push_str(&"</outline>".repeat(depth));
        doc.push_str(&format!(
            "<outline text=\"Big\" xmlUrl=\"https://f.example/{}\"/>",
            "p".repeat(20_000)
        ));
        doc.push_str("</outline></body></opml>");
        let feeds = parse(doc.as_bytes()).unwrap();
        assert_eq!(feeds.len(), depth, "the 20 KB URL is not a feed");
        assert!(feeds.iter().all(|f| f.category.as_deref() == Some("Top")));
        assert_eq!(feeds[99_999].xml_url, "https://f.example/99999");
        let t = feeds[0].title.as_deref().unwrap();
        assert_eq!(t.chars().count(), MAX_TITLE_CHARS + 1);
        assert!(t.starts_with("very long title very") && t.ends_with('…'));
        assert_eq!(feeds[1].title, None);
    }

    #[test]
    fn bad_documents_are_clear_errors() {
        assert_eq!(parse(b""), Err(OpmlError::Empty));
        assert!(
            matches!(parse(b"<rss><channel/></rss>"), Err(OpmlError::NotOpml(n)) if n == "rss")
        );
        assert!(matches!(
            parse(b"<opml><body><outline xmlUrl='x'></body></opml>"),
            Err(OpmlError::Xml { .. })
        ));
        assert_eq!(parse(b"<opml><body>"), Err(OpmlError::Truncated));
        assert!(parse(b"\x00\x01\x02binary").is_err());
        let huge = vec![b' '; MAX_OPML_BYTES + 1];
        assert_eq!(parse(&huge), Err(OpmlError::TooLarge(MAX_OPML_BYTES + 1)));
    }
}
