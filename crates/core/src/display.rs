//! What readers may see of an article: the one policy every surface (the
//! article page, the JSON API, feeds out, the AI features) applies.
//!
//! A publisher that chose `excerpt` gets an excerpt everywhere, whatever the
//! text's shape: whole opening paragraphs while they fit, the paragraph that
//! crosses the limit cut at a word boundary, and never more than
//! [`EXCERPT_MAX_WORDS`] words or [`EXCERPT_MAX_CHARS`] characters in all
//! (one 1,142-word paragraph once went out whole through the API).

use crate::DisplayPolicy;

/// About this many words of an excerpt-only article are shown.
pub const EXCERPT_WORDS: usize = 70;
/// Never more words than this (a paragraph may run a little past
/// [`EXCERPT_WORDS`] rather than stop mid-sentence close to its end).
pub const EXCERPT_MAX_WORDS: usize = 90;
/// Never more characters than this (a "word" can be very long).
pub const EXCERPT_MAX_CHARS: usize = 700;
/// Teasers in lists (cards, feeds out, API summaries): at most this many characters.
pub const TEASER_CHARS: usize = 300;

/// An article's body as its source's policy lets readers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown<'a> {
    /// The whole article: the stored sanitized HTML and the plain text.
    Full { html: &'a str, text: &'a str },
    /// The opening paragraphs only (plain text); readers continue at the publisher.
    Excerpt { paragraphs: Vec<String> },
}

impl Shown<'_> {
    /// The visible text, paragraphs separated by blank lines.
    pub fn text(&self) -> String {
        match self {
            Shown::Full { text, .. } => (*text).to_string(),
            Shown::Excerpt { paragraphs } => paragraphs.join("\n\n"),
        }
    }

    pub fn is_excerpt(&self) -> bool {
        matches!(self, Shown::Excerpt { .. })
    }
}

impl DisplayPolicy {
    /// What readers see of an article with this `html` and `text` (paragraphs
    /// separated by blank lines).
    pub fn apply<'a>(self, html: &'a str, text: &'a str) -> Shown<'a> {
        match self {
            DisplayPolicy::Full => Shown::Full { html, text },
            DisplayPolicy::Excerpt => Shown::Excerpt {
                paragraphs: excerpt_paragraphs(text),
            },
        }
    }
}

/// The opening of `text` within the excerpt limits, as paragraphs.
pub fn excerpt_paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut words, mut chars) = (0usize, 0usize);
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if words >= EXCERPT_WORDS {
            break;
        }
        let n = para.split_whitespace().count();
        let len = para.chars().count();
        if words + n <= EXCERPT_MAX_WORDS && chars + len <= EXCERPT_MAX_CHARS {
            out.push(para.split_whitespace().collect::<Vec<_>>().join(" "));
            words += n;
            chars += len;
            continue;
        }
        // The paragraph that crosses the limit: cut, and stop there.
        let cut = cut_words(
            para,
            EXCERPT_WORDS.saturating_sub(words).max(1),
            EXCERPT_MAX_CHARS.saturating_sub(chars),
        );
        if !cut.is_empty() {
            out.push(cut);
        }
        break;
    }
    out
}

/// At most `max_words` words and `max_chars` characters of `s`, on a word
/// boundary, with an ellipsis when anything was left out.
fn cut_words(s: &str, max_words: usize, max_chars: usize) -> String {
    let mut out = String::new();
    let mut all = true;
    for (i, w) in s.split_whitespace().enumerate() {
        let extra = w.chars().count() + usize::from(!out.is_empty());
        // Room for the ellipsis.
        if i >= max_words || out.chars().count() + extra + 1 > max_chars {
            all = false;
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if !all && !out.is_empty() {
        out.push('…');
    }
    out
}

/// A teaser for lists: at most `max` characters on a word boundary, with an
/// ellipsis when cut; whitespace collapsed.
pub fn short(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        return s;
    }
    let mut out = String::new();
    for w in s.split(' ') {
        if out.chars().count() + w.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out.push('…');
    out
}

/// The teaser lists show for an article (cards, feeds out, API summaries).
pub fn teaser(s: &str) -> String {
    short(s, TEASER_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[String]) -> usize {
        v.iter().map(|p| p.split_whitespace().count()).sum()
    }

    #[test]
    fn full_shows_everything() {
        let s = DisplayPolicy::Full.apply("<p>a</p>", "a");
        assert_eq!(
            s,
            Shown::Full {
                html: "<p>a</p>",
                text: "a"
            }
        );
        assert!(!s.is_excerpt());
    }

    #[test]
    fn excerpts_never_exceed_the_limits_whatever_the_shape() {
        // One long paragraph: cut, not served whole.
        let one = (0..1142)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let p = excerpt_paragraphs(&one);
        assert_eq!(p.len(), 1);
        assert_eq!(words(&p), EXCERPT_WORDS);
        assert!(p[0].ends_with('…'));
        // Many short paragraphs: whole ones until the limit.
        let many = (0..40)
            .map(|i| format!("Paragraph {i} has five words."))
            .collect::<Vec<_>>()
            .join("\n\n");
        let p = excerpt_paragraphs(&many);
        assert!(
            words(&p) <= EXCERPT_MAX_WORDS && words(&p) >= EXCERPT_WORDS,
            "{}",
            words(&p)
        );
        assert!(
            p.iter()
                .all(|x| x.starts_with("Paragraph") && !x.ends_with('…'))
        );
        // Very long words: the character limit holds.
        let long = vec!["x".repeat(400); 5].join(" ");
        let p = excerpt_paragraphs(&long);
        assert!(p.iter().map(|x| x.chars().count()).sum::<usize>() <= EXCERPT_MAX_CHARS);
        // A single word longer than the whole limit gives nothing rather than too much.
        assert!(
            excerpt_paragraphs(&"y".repeat(5000))
                .iter()
                .all(|x| x.chars().count() <= EXCERPT_MAX_CHARS)
        );
        // Short articles are shown whole.
        assert_eq!(excerpt_paragraphs("One.\n\nTwo."), vec!["One.", "Two."]);
        let s = DisplayPolicy::Excerpt.apply("<p>whole</p>", "One.\n\nTwo.");
        assert_eq!(s.text(), "One.\n\nTwo.");
        assert!(s.is_excerpt());
    }

    #[test]
    fn teasers_are_short() {
        assert_eq!(short("a  b\nc", 10), "a b c");
        let t = teaser(&"word ".repeat(200));
        assert!(t.chars().count() <= TEASER_CHARS && t.ends_with('…'));
    }
}
