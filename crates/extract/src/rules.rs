//! Per-source extraction rules an operator writes for a site the general
//! method gets wrong: a CSS selector for the element that holds the article
//! and selectors of blocks to remove. They are applied to the page before
//! extraction (blocks removed; the body reduced to the content element, the
//! `<head>` kept for the metadata), then the page is extracted as usual.

use dom_query::{Document, Matcher};

/// A source's rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// The element holding the article (the first match is used).
    pub content: Option<String>,
    /// Blocks to take out wherever they are.
    pub remove: Vec<String>,
}

/// A selector that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub selector: String,
    pub reason: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a CSS selector Tidings can use: {}",
            self.selector, self.reason
        )
    }
}

impl std::error::Error for RuleError {}

/// Longest selector accepted (a selector is a few dozen characters).
const MAX_SELECTOR: usize = 500;
/// Most remove selectors per source.
pub const MAX_REMOVE: usize = 20;

impl Rules {
    pub fn is_empty(&self) -> bool {
        self.content.is_none() && self.remove.is_empty()
    }

    /// Check every selector: the error names the first that cannot be used.
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.remove.len() > MAX_REMOVE {
            return Err(RuleError {
                selector: format!("{} remove selectors", self.remove.len()),
                reason: format!("at most {MAX_REMOVE}"),
            });
        }
        for sel in self.content.iter().chain(self.remove.iter()) {
            check(sel)?;
        }
        Ok(())
    }

    /// The page with the rules applied, as HTML to extract from. The
    /// selectors must have passed [`Rules::validate`]; an invalid one is an
    /// error here too.
    pub fn apply(&self, html: &str) -> Result<String, RuleError> {
        self.validate()?;
        let doc = Document::from(crate::guard::bounded(html));
        for sel in &self.remove {
            if let Some(found) = doc.try_select(sel) {
                found.remove();
            }
        }
        let Some(content) = &self.content else {
            return Ok(doc.html().to_string());
        };
        let Some(found) = doc.try_select(content) else {
            // The site changed its layout: extract the whole page as usual.
            return Ok(doc.html().to_string());
        };
        let body = found.first().html();
        let head = doc
            .try_select("head")
            .map(|h| h.inner_html().to_string())
            .unwrap_or_default();
        Ok(format!(
            "<!doctype html><html><head>{head}</head><body><article>{body}</article></body></html>"
        ))
    }
}

fn check(sel: &str) -> Result<(), RuleError> {
    let err = |reason: &str| RuleError {
        selector: sel.chars().take(80).collect(),
        reason: reason.to_string(),
    };
    let t = sel.trim();
    if t.is_empty() {
        return Err(err("it is empty"));
    }
    if t.len() > MAX_SELECTOR {
        return Err(err("it is too long"));
    }
    Matcher::new(t)
        .map(|_| ())
        .map_err(|_| err("it does not parse as CSS"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html><head><title>T</title><meta property=\"og:title\" content=\"Headline\"></head><body><div class=\"promo\"><p>Subscribe now for more.</p></div><div id=\"story\"><h1>Headline</h1><p>First paragraph of the story.</p><aside class=\"box\"><p>Read also this.</p></aside><p>Second paragraph.</p></div><div class=\"rail\"><p>Other news.</p></div></body></html>";

    #[test]
    fn remove_and_content_shape_the_page() {
        let r = Rules {
            content: Some("#story".into()),
            remove: vec![".box".into(), ".promo".into()],
        };
        let html = r.apply(PAGE).unwrap();
        assert!(html.contains("First paragraph") && html.contains("Second paragraph"));
        assert!(
            !html.contains("Read also")
                && !html.contains("Other news")
                && !html.contains("Subscribe")
        );
        assert!(html.contains("og:title"), "the head stays for the metadata");
    }

    #[test]
    fn bad_selectors_are_named() {
        let r = Rules {
            content: None,
            remove: vec!["div[".into()],
        };
        let e = r.validate().unwrap_err();
        assert_eq!(e.selector, "div[");
        assert!(
            e.to_string().starts_with("`div[` is not a CSS selector"),
            "{e}"
        );
        assert!(r.apply(PAGE).is_err());
        assert!(
            Rules {
                content: Some("  ".into()),
                remove: vec![]
            }
            .validate()
            .is_err()
        );
        // A content selector that matches nothing leaves the page whole.
        let r = Rules {
            content: Some("#nothing".into()),
            remove: vec![],
        };
        assert!(r.apply(PAGE).unwrap().contains("Other news"));
    }
}
