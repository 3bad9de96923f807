//! OPML subscription lists: import (any nesting, categories from parent
//! outlines) and export.

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
}

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
    // Stack of folder names for nested outlines (None for outlines that are feeds).
    let mut folders: Vec<Option<String>> = Vec::new();
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
                    let xml_url = attr(e, "xmlUrl");
                    let text = attr(e, "text").or_else(|| attr(e, "title"));
                    match xml_url {
                        Some(u) => {
                            if urls.insert(u.clone()) {
                                let category = folders.iter().rev().find_map(|f| f.clone());
                                feeds.push(OpmlFeed {
                                    xml_url: u,
                                    title: attr(e, "title").or(text),
                                    html_url: attr(e, "htmlUrl"),
                                    category,
                                });
                            }
                            if !is_empty {
                                folders.push(None);
                            }
                        }
                        None => {
                            if !is_empty {
                                folders.push(text);
                            }
                        }
                    }
                }
            }
            Event::End(ref e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if name == "outline" {
                    folders.pop();
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
