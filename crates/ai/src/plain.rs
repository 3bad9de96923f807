//! [`PlainText`]: what every feature returns. Model output and article sentences are text,
//! never markup: the type has no way to mark its content as safe HTML, and its `Display`
//! writes the raw text so that a template engine with auto-escaping (askama) escapes it.

use serde::{Deserialize, Serialize};

/// Text for the reader, never HTML. Control characters other than newline and tab are
/// removed on construction (a model or an article can contain them; a page must not).
/// Render it escaped: through askama's default escaping, or [`PlainText::html_escaped`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlainText(String);

impl PlainText {
    pub fn new(s: impl AsRef<str>) -> PlainText {
        PlainText(
            s.as_ref()
                .chars()
                .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
                .collect(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text escaped for an HTML text node or attribute value.
    pub fn html_escaped(&self) -> String {
        let mut out = String::with_capacity(self.0.len() + 16);
        for c in self.0.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        out
    }
}

impl std::fmt::Display for PlainText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for PlainText {
    fn from(s: &str) -> Self {
        PlainText::new(s)
    }
}

impl From<String> for PlainText {
    fn from(s: String) -> Self {
        PlainText::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_stays_text_and_escapes() {
        let t = PlainText::new("<script>alert('x')</script> & \u{7}bell\nline");
        assert_eq!(t.as_str(), "<script>alert('x')</script> & bell\nline");
        assert_eq!(
            t.html_escaped(),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; bell\nline"
        );
    }
}
