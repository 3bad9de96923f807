//! The user's query syntax, parsed by hand so that no input can fail.
//!
//! ```text
//! word             must appear (title or text), stemmed in each article's language
//! "a phrase"       words in this order
//! -word -"phrase"  must not appear
//! source:12        source by id; source:bbc or source:"bbc news" by name (words of the name)
//! topic:sports     topic slug
//! lang:de          ISO 639-1 language
//! after:2026-01-01 published on or after the start of that day (UTC); also 2026-01, 2026, RFC 3339
//! before:2026-02   published before the start of that month
//! ```
//! Several `source:` (or `topic:`, `lang:`) filters match any of them. Anything that is not
//! valid syntax is read as plain words: an unbalanced quote is dropped, a lone `-` ignored,
//! `source:` with no value or `after:tomorrow` become the words themselves.

use jiff::civil::Date;

/// Caps that bound the work one query can cause (a 10 KB paste becomes a bounded query).
pub const MAX_CLAUSES: usize = 32;
pub const MAX_FILTER_VALUES: usize = 16;
const MAX_QUERY_BYTES: usize = 4096;

/// A positive or negative text clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// One word as typed (it may still analyse into several tokens, e.g. `covid-19`).
    Word(String),
    /// Quoted words, matched in order.
    Phrase(String),
}

impl Clause {
    pub fn text(&self) -> &str {
        match self {
            Clause::Word(s) | Clause::Phrase(s) => s,
        }
    }
}

/// A `source:` filter value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceFilter {
    Id(i64),
    Name(String),
}

/// The parsed form of a query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub must: Vec<Clause>,
    pub must_not: Vec<Clause>,
    pub sources: Vec<SourceFilter>,
    pub topics: Vec<String>,
    pub langs: Vec<String>,
    /// Inclusive lower bound, unix ms.
    pub after_ms: Option<i64>,
    /// Exclusive upper bound, unix ms.
    pub before_ms: Option<i64>,
}

impl ParsedQuery {
    pub fn has_text(&self) -> bool {
        !self.must.is_empty()
    }
}

/// One lexical item: optional `-`, optional `key:`, and a value that was quoted or not.
struct Item {
    negated: bool,
    key: Option<String>,
    value: String,
    quoted: bool,
}

/// Split the input into items. Quotes group words; an unclosed quote is dropped and its
/// words read as plain words.
fn lex(input: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied();
    while i < chars.len() {
        while at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut negated = false;
        if at(i) == Some('-') {
            negated = true;
            i += 1;
        }
        // Read up to whitespace or a quote.
        let start = i;
        while at(i).is_some_and(|c| !c.is_whitespace() && c != '"') {
            i += 1;
        }
        let head: String = chars.get(start..i).unwrap_or_default().iter().collect();
        let (key, rest) = match head.split_once(':') {
            Some((k, v)) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic()) => {
                (Some(k.to_ascii_lowercase()), v.to_string())
            }
            _ => (None, head.clone()),
        };
        if at(i) == Some('"') && rest.is_empty() {
            // A quoted value: `"..."`, `-"..."` or `key:"..."`.
            let open = i;
            let close = (open + 1..chars.len()).find(|&j| at(j) == Some('"'));
            match close {
                Some(close) => {
                    let value: String = chars
                        .get(open + 1..close)
                        .unwrap_or_default()
                        .iter()
                        .collect();
                    items.push(Item {
                        negated,
                        key,
                        value,
                        quoted: true,
                    });
                    i = close + 1;
                }
                None => {
                    // Unbalanced quote: drop it; what follows is read as plain words.
                    if let Some(k) = key {
                        items.push(Item {
                            negated,
                            key: None,
                            value: k,
                            quoted: false,
                        });
                    }
                    i = open + 1;
                }
            }
            continue;
        }
        // A quote glued inside a word (`abc"def`): treat it as a separator.
        if at(i) == Some('"') {
            i += 1;
        }
        items.push(Item {
            negated,
            key,
            value: rest,
            quoted: false,
        });
    }
    items
}

/// Parse a query string. Never fails: invalid syntax degrades to plain words.
pub fn parse(input: &str) -> ParsedQuery {
    let input = truncate_bytes(input, MAX_QUERY_BYTES);
    let mut q = ParsedQuery::default();
    for item in lex(input) {
        let Item {
            negated,
            key,
            value,
            quoted,
        } = item;
        if let Some(key) = key.as_deref()
            && !negated
            && apply_filter(&mut q, key, &value, quoted)
        {
            continue;
        }
        // Not a filter: the key (if any) and value are words.
        let text = match key {
            Some(k) if value.is_empty() => k,
            Some(k) if !quoted => format!("{k} {value}"),
            Some(k) => {
                push_clause(&mut q, negated, Clause::Word(k));
                value
            }
            None => value,
        };
        if text.trim().is_empty() {
            continue; // a lone `-` or `""`
        }
        if quoted {
            push_clause(&mut q, negated, Clause::Phrase(text));
        } else {
            for w in text.split_whitespace() {
                push_clause(&mut q, negated, Clause::Word(w.to_string()));
            }
        }
    }
    q
}

fn push_clause(q: &mut ParsedQuery, negated: bool, c: Clause) {
    let list = if negated {
        &mut q.must_not
    } else {
        &mut q.must
    };
    if list.len() < MAX_CLAUSES && !list.contains(&c) {
        list.push(c);
    }
}

/// Apply `key:value` if it is a known filter with a valid value; false otherwise.
fn apply_filter(q: &mut ParsedQuery, key: &str, value: &str, quoted: bool) -> bool {
    let value = value.trim();
    if value.is_empty() {
        return false;
    }
    match key {
        "source" => {
            let f = match value.parse::<i64>() {
                Ok(id) if !quoted => SourceFilter::Id(id),
                _ => SourceFilter::Name(value.to_string()),
            };
            if q.sources.len() < MAX_FILTER_VALUES && !q.sources.contains(&f) {
                q.sources.push(f);
            }
            true
        }
        "topic" => {
            let slug = value.to_lowercase();
            if q.topics.len() < MAX_FILTER_VALUES && !q.topics.contains(&slug) {
                q.topics.push(slug);
            }
            true
        }
        "lang" => {
            let code = value.to_ascii_lowercase();
            if code.len() < 2 || code.len() > 8 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
                return false;
            }
            if q.langs.len() < MAX_FILTER_VALUES && !q.langs.contains(&code) {
                q.langs.push(code);
            }
            true
        }
        "after" | "since" | "from" => match parse_date_start(value) {
            Some(ms) => {
                q.after_ms = Some(q.after_ms.map_or(ms, |a| a.max(ms)));
                true
            }
            None => false,
        },
        "before" | "until" => match parse_date_start(value) {
            Some(ms) => {
                q.before_ms = Some(q.before_ms.map_or(ms, |b| b.min(ms)));
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// The start (unix ms, UTC) of a date written `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or RFC 3339.
pub fn parse_date_start(s: &str) -> Option<i64> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    let parts: Vec<&str> = s.split('-').collect();
    let num = |i: usize| parts.get(i).and_then(|p| p.parse::<i16>().ok());
    let (y, m, d) = match parts.len() {
        1 if s.len() == 4 => (num(0)?, 1, 1),
        2 => (num(0)?, i8::try_from(num(1)?).ok()?, 1),
        3 => (
            num(0)?,
            i8::try_from(num(1)?).ok()?,
            i8::try_from(num(2)?).ok()?,
        ),
        _ => return None,
    };
    let date = Date::new(y, m, d).ok()?;
    let ts = jiff::tz::TimeZone::UTC.to_timestamp(date.into()).ok()?;
    Some(ts.as_millisecond())
}

fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let head = s.get(..end).unwrap_or_default();
    // Do not leave a cut word at the end.
    match head.rfind(char::is_whitespace) {
        Some(ws) => head.get(..ws).unwrap_or_default(),
        None => head,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn w(s: &str) -> Clause {
        Clause::Word(s.into())
    }
    fn p(s: &str) -> Clause {
        Clause::Phrase(s.into())
    }

    #[test]
    fn words_phrases_exclusions() {
        let q = parse(r#"oil "opec meeting" -saudi -"price war""#);
        assert_eq!(q.must, vec![w("oil"), p("opec meeting")]);
        assert_eq!(q.must_not, vec![w("saudi"), p("price war")]);
    }

    #[test]
    fn filters() {
        let q = parse(
            r#"source:12 source:"bbc news" source:reuters topic:Sports lang:DE after:2026-01-02 before:2026-02"#,
        );
        assert_eq!(
            q.sources,
            vec![
                SourceFilter::Id(12),
                SourceFilter::Name("bbc news".into()),
                SourceFilter::Name("reuters".into())
            ]
        );
        assert_eq!(q.topics, vec!["sports"]);
        assert_eq!(q.langs, vec!["de"]);
        assert_eq!(q.after_ms, Some(1_767_312_000_000));
        assert_eq!(q.before_ms, Some(1_769_904_000_000));
        assert!(!q.has_text());
    }

    #[test]
    fn malformed_degrades_to_words() {
        assert_eq!(
            parse(r#"oil "opec meeting"#).must,
            vec![w("oil"), w("opec"), w("meeting")]
        );
        assert_eq!(parse("-").must, vec![]);
        assert_eq!(parse("- oil -").must, vec![w("oil")]);
        assert_eq!(parse("source:").must, vec![w("source")]);
        assert_eq!(
            parse("after:tomorrow").must,
            vec![w("after"), w("tomorrow")]
        );
        assert_eq!(parse("lang:1").must, vec![w("lang"), w("1")]);
        assert_eq!(parse(r#""""#), ParsedQuery::default());
        assert_eq!(parse(r#"a"b"#).must, vec![w("a"), w("b")]);
        assert_eq!(
            parse("http://x.org/a").must,
            vec![w("http"), w("//x.org/a")]
        );
        let big = "word ".repeat(2000);
        let q = parse(&big);
        assert_eq!(q.must, vec![w("word")]);
        let many: String = (0..3000).map(|i| format!("w{i} ")).collect();
        assert_eq!(parse(&many).must.len(), MAX_CLAUSES);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date_start("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_date_start("1970"), Some(0));
        assert_eq!(parse_date_start("1970-02"), Some(31 * 86_400_000));
        assert_eq!(parse_date_start("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_date_start("2026-13-01"), None);
        assert_eq!(parse_date_start("x"), None);
    }
}
