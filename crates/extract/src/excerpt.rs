//! Short excerpts for listings.

/// The first paragraphs of `text` (paragraphs separated by blank lines), at most
/// about `max_chars` characters, cut on a word boundary with an ellipsis.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for (i, para) in text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        if i >= 2 {
            break;
        }
        let para = para.split_whitespace().collect::<Vec<_>>().join(" ");
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&para);
        if out.chars().count() >= max_chars {
            break;
        }
    }
    if out.chars().count() <= max_chars {
        return out;
    }
    let mut cut = String::new();
    for word in out.split(' ') {
        let next = cut.chars().count() + usize::from(!cut.is_empty()) + word.chars().count();
        if next + 1 > max_chars {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    if cut.is_empty() {
        // One giant word: cut on a character boundary.
        cut = out.chars().take(max_chars.saturating_sub(1)).collect();
    }
    let cut = cut.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '?' && c != '!');
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_unchanged() {
        assert_eq!(excerpt("One.\n\nTwo.\n\nThree.", 300), "One. Two.");
    }

    #[test]
    fn long_text_is_cut_on_a_word() {
        let t = "word ".repeat(200);
        let e = excerpt(&t, 300);
        assert!(e.chars().count() <= 300);
        assert!(e.ends_with("word…"));
        let e = excerpt(&"x".repeat(1000), 10);
        assert_eq!(e.chars().count(), 10);
    }
}
