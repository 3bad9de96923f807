//! Paragraphs, sentences, words, content terms and named entities.
//!
//! Everything here is pure and bounded: the callers cap the input first
//! ([`crate::limits`]), and nothing here allocates more than a few copies of it.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

/// One sentence of an article, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// Whitespace collapsed to single spaces, trimmed.
    pub text: String,
    /// Paragraph number, from 0.
    pub paragraph: usize,
    /// Sentence number in the whole article, from 0.
    pub index: usize,
}

/// Split `text` into sentences. Paragraphs are separated by blank lines and always end a
/// sentence; single newlines inside a paragraph are spaces (hard-wrapped wire copy).
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (p, para) in paragraphs(text).iter().enumerate() {
        for s in split_paragraph(para) {
            let index = out.len();
            out.push(Sentence {
                text: s,
                paragraph: p,
                index,
            });
        }
    }
    out
}

/// Paragraphs: blank-line separated blocks, inner whitespace collapsed, empty ones dropped.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        for w in line.split_whitespace() {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(w);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Abbreviations after which a full stop never ends a sentence: titles and words that are
/// always followed by something ("Mr. Smith", "Jan. 5", "No. 10", "St. Louis").
const NEVER_END: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "lt", "col", "capt", "sgt", "cpl",
    "adm", "maj", "st", "mt", "ft", "rev", "hon", "pres", "supt", "det", "insp", "vs", "v",
    "approx", "dept", "est", "ave", "blvd", "rd", "messrs", "mme", "mlle", "sra", "sr", "jr",
    "sens", "reps", "govs", "gens",
];

/// Abbreviations only before a number ("No. 10", "Vol. 3"); "vote no. DeVos…" ends.
const BEFORE_NUMBER: &[&str] = &["no", "nos", "vol", "fig", "pp", "p", "art", "ch", "sec"];

/// Months: an abbreviation only when a number follows ("Jan. 5"); "in Jan. The…" ends.
const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

/// Abbreviations that may also end a sentence ("… of Acme Inc. The company …"): they end one
/// only when the next word is a typical sentence opener.
const MAY_END: &[&str] = &[
    "inc", "ltd", "corp", "co", "bros", "plc", "etc", "al", "am", "pm", "a.m", "p.m", "u.s", "u.k",
    "u.n", "e.u", "d.c", "e.g", "i.e",
];

/// Capitalised words that typically open a sentence; used to decide the ambiguous cases.
const OPENERS: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "but",
    "and",
    "in",
    "on",
    "at",
    "this",
    "that",
    "these",
    "those",
    "there",
    "his",
    "her",
    "their",
    "its",
    "our",
    "as",
    "after",
    "before",
    "while",
    "when",
    "however",
    "meanwhile",
    "also",
    "if",
    "for",
    "some",
    "many",
    "most",
    "officials",
    "police",
];

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '\u{201d}' | '\u{2019}' | '\u{bb}' | ')' | ']' | '\u{203a}'
    )
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '\u{2026}')
}

/// Split one paragraph (whitespace already collapsed) into sentences.
fn split_paragraph(para: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = para.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0usize; // byte offset of the current sentence
    let mut i = 0usize;
    while i < chars.len() {
        let Some(&(ib, c)) = chars.get(i) else { break };
        if !is_terminal(c) {
            i += 1;
            continue;
        }
        // Run of terminal punctuation and closing quotes/brackets. The NewsArticles corpus
        // writes a closing curly quote as `"?`: the `?` is taken as part of the closer.
        let mut j = i + 1;
        let mut saw_quote = false;
        while let Some(&(_, d)) = chars.get(j) {
            if is_terminal(d) || is_closer(d) {
                saw_quote |= is_closer(d);
                j += 1;
            } else {
                break;
            }
        }
        let end_byte = chars.get(j).map_or(para.len(), |&(b, _)| b);
        let next = chars.get(j).map(|&(_, d)| d);
        let boundary = match next {
            None => true,
            Some(n) if n.is_whitespace() => {
                let rest = para.get(end_byte..).unwrap_or("").trim_start();
                c != '.' && c != '\u{2026}' && starts_sentence(rest)
                    || (c == '.' || c == '\u{2026}')
                        && dot_ends_sentence(para.get(start..ib).unwrap_or(""), rest)
            }
            // `…quote."?The next sentence` (the corpus quirk) or `."The`.
            Some(n) => saw_quote && n.is_uppercase(),
        };
        if boundary {
            let s = para.get(start..end_byte).unwrap_or("").trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            start = end_byte;
        }
        i = j;
    }
    let tail = para.get(start..).unwrap_or("").trim();
    if !tail.is_empty() {
        out.push(tail.to_string());
    }
    out
}

/// Does `rest` (text after the punctuation and a space) look like the start of a sentence?
fn starts_sentence(rest: &str) -> bool {
    let Some(first) = rest.chars().find(|c| {
        !matches!(
            c,
            '"' | '\'' | '(' | '[' | '\u{201c}' | '\u{2018}' | '\u{ab}' | '-' | '\u{2014}'
        )
    }) else {
        return false;
    };
    first.is_uppercase() || first.is_numeric() || !first.is_alphabetic()
}

/// A full stop after `before` (the sentence so far) with `rest` following: a boundary?
fn dot_ends_sentence(before: &str, rest: &str) -> bool {
    if !starts_sentence(rest) {
        return false;
    }
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    let w = word
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if w.is_empty() {
        return true;
    }
    let next_word: String = rest
        .chars()
        .skip_while(|c| !c.is_alphanumeric())
        .take_while(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    let next_is_number = rest
        .chars()
        .find(|c| !matches!(c, '"' | '\'' | '('))
        .is_some_and(|c| c.is_ascii_digit());
    let opener = OPENERS.contains(&next_word.as_str());
    if NEVER_END.contains(&w.as_str()) {
        return false;
    }
    if MONTHS.contains(&w.as_str()) || BEFORE_NUMBER.contains(&w.as_str()) {
        return !next_is_number;
    }
    if MAY_END.contains(&w.as_str()) {
        return opener;
    }
    // Initials: "George W. Bush", "J. K. Rowling".
    let mut it = w.chars();
    if let (Some(ch), None) = (it.next(), it.next())
        && ch.is_alphabetic()
        && word.chars().next().is_some_and(char::is_uppercase)
    {
        return opener;
    }
    // Dotted acronyms ("U.S", "D.C") not in the list behave like MAY_END.
    if w.contains('.') && w.chars().all(|c| c.is_alphabetic() || c == '.') {
        return opener;
    }
    true
}

/// Lower-cased word tokens: alphanumeric runs; a number keeps its inner `.` and `,`
/// ("3.5", "1,000"). Apostrophes split words.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        let keep_sep = (c == '.' || c == ',')
            && cur.chars().last().is_some_and(|p| p.is_ascii_digit())
            && chars.get(k + 1).is_some_and(char::is_ascii_digit);
        if c.is_alphanumeric() || keep_sep {
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// True when the token is a number ("50", "3.5", "1,000", "2017").
pub fn is_number(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// Numbers in canonical form ("1,000" -> "1000") so "1,000" and "1000" match.
pub fn canonical_number(w: &str) -> String {
    w.chars().filter(|c| *c != ',').collect()
}

/// Stopwords and stemming for one language.
pub struct Analyzer {
    stemmer: Option<Stemmer>,
    stop: HashSet<&'static str>,
    english: bool,
}

const IRREGULAR: &[(&str, &str)] = &[
    ("met", "meet"),
    ("fell", "fall"),
    ("fallen", "fall"),
    ("won", "win"),
    ("lost", "lose"),
    ("took", "take"),
    ("taken", "take"),
    ("gave", "give"),
    ("given", "give"),
    ("left", "leave"),
    ("led", "lead"),
    ("held", "hold"),
    ("made", "make"),
    ("paid", "pay"),
    ("sold", "sell"),
    ("bought", "buy"),
    ("built", "build"),
    ("began", "begin"),
    ("begun", "begin"),
    ("ran", "run"),
    ("went", "go"),
    ("gone", "go"),
    ("came", "come"),
    ("saw", "see"),
    ("seen", "see"),
    ("found", "find"),
    ("thought", "think"),
    ("kept", "keep"),
    ("spent", "spend"),
    ("sent", "send"),
    ("struck", "strike"),
    ("shot", "shoot"),
    ("fought", "fight"),
    ("chose", "choose"),
    ("chosen", "choose"),
    ("rose", "rise"),
    ("risen", "rise"),
    ("fled", "flee"),
    ("flew", "fly"),
    ("flown", "fly"),
    ("drove", "drive"),
    ("wrote", "write"),
    ("written", "write"),
    ("spoke", "speak"),
    ("spoken", "speak"),
    ("broke", "break"),
    ("broken", "break"),
    ("stole", "steal"),
    ("grew", "grow"),
    ("grown", "grow"),
    ("knew", "know"),
    ("known", "know"),
    ("threw", "throw"),
    ("became", "become"),
    ("sank", "sink"),
    ("sought", "seek"),
    ("caught", "catch"),
    ("brought", "bring"),
    ("felt", "feel"),
    ("heard", "hear"),
    ("meant", "mean"),
    ("stood", "stand"),
    ("lay", "lie"),
    ("hid", "hide"),
    ("bore", "bear"),
    ("born", "bear"),
    ("ate", "eat"),
    ("woke", "wake"),
];

impl Analyzer {
    /// The analyzer for an ISO 639-1 code (or a tag such as "en-GB"). Languages without a
    /// stemmer here get no stemming and English stopwords (news quotes English names).
    pub fn for_lang(lang: &str) -> &'static Analyzer {
        static CACHE: OnceLock<Vec<(&'static str, Analyzer)>> = OnceLock::new();
        let all = CACHE.get_or_init(|| {
            LANGS
                .iter()
                // English stopwords for every language: cheap, and news in any language
                // quotes English names and phrases.
                .map(|(code, algo)| {
                    (
                        *code,
                        Analyzer {
                            stemmer: algo.map(Stemmer::create),
                            stop: EN_STOP.split_whitespace().collect(),
                            english: *code == "en",
                        },
                    )
                })
                .collect()
        });
        let code = lang
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        // The last entry ("") is the fallback; it always exists.
        all.iter()
            .find(|(c, _)| *c == code)
            .or_else(|| all.last())
            .map(|(_, a)| a)
            .unwrap_or_else(|| fallback())
    }

    pub fn is_stop(&self, w: &str) -> bool {
        self.stop.contains(w) || QUESTION_STOP.contains(&w)
    }

    /// Content terms of `text`: words that are not stopwords, stemmed; numbers kept in
    /// canonical form (a figure is content in news).
    pub fn terms(&self, text: &str) -> Vec<String> {
        words(text)
            .into_iter()
            .filter(|w| !self.is_stop(w))
            .filter(|w| is_number(w) || w.chars().count() > 1)
            .map(|w| self.stem(&w))
            .collect()
    }

    pub fn stem(&self, w: &str) -> String {
        if is_number(w) {
            return canonical_number(w);
        }
        // Irregular English past forms the stemmer leaves alone ("met" -> "meet"), so a
        // question in the present finds a report in the past.
        let w = if self.english {
            IRREGULAR
                .iter()
                .find(|(past, _)| *past == w)
                .map_or(w, |(_, base)| *base)
        } else {
            w
        };
        match &self.stemmer {
            Some(s) => s.stem(w).into_owned(),
            None => w.to_string(),
        }
    }
}

fn fallback() -> &'static Analyzer {
    static F: OnceLock<Analyzer> = OnceLock::new();
    F.get_or_init(|| Analyzer {
        stemmer: None,
        stop: EN_STOP.split_whitespace().collect(),
        english: false,
    })
}

const LANGS: &[(&str, Option<Algorithm>)] = &[
    ("en", Some(Algorithm::English)),
    ("de", Some(Algorithm::German)),
    ("fr", Some(Algorithm::French)),
    ("es", Some(Algorithm::Spanish)),
    ("it", Some(Algorithm::Italian)),
    ("pt", Some(Algorithm::Portuguese)),
    ("nl", Some(Algorithm::Dutch)),
    ("sv", Some(Algorithm::Swedish)),
    ("da", Some(Algorithm::Danish)),
    ("nb", Some(Algorithm::Norwegian)),
    ("fi", Some(Algorithm::Finnish)),
    ("ru", Some(Algorithm::Russian)),
    ("", None),
];

const EN_STOP: &str = "a about above after again against all am an and any are aren't as at be
because been before being below between both but by can can't cannot could couldn't did didn't
do does doesn't doing don't down during each few for from further had hadn't has hasn't have
haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd
i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor
not of off on once only or other ought our ours ourselves out over own same shan't she she'd
she'll she's should shouldn't so some such than that that's the their theirs them themselves then
there there's these they they'd they'll they're they've this those through to too under until up
very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
which while who who's whom why why's with won't would wouldn't you you'd you'll you're you've
your yours yourself yourselves s t d ll m re ve also said says say told mr mrs ms just will one
two like new year years last first time since however may many much even still get got us";

/// Words that carry no content in a question about an article.
const QUESTION_STOP: &[&str] = &[
    "article",
    "story",
    "report",
    "reported",
    "according",
    "mention",
    "mentioned",
    "state",
    "stated",
    "describe",
    "described",
    "tell",
    "explain",
    "happen",
    "happened",
];

/// A named entity: a run of capitalised words ("Mike Pence", "Bank of England").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub name: String,
    /// Lower case, for matching.
    pub key: String,
    pub count: usize,
}

const CONNECTORS: &[&str] = &[
    "of", "de", "del", "der", "van", "von", "du", "la", "al", "bin",
];
const TITLES: &[&str] = &[
    "the",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sen",
    "rep",
    "gov",
    "president",
    "prime",
    "minister",
    "secretary",
    "vice",
    "former",
    "general",
    "gen",
    "chancellor",
    "king",
    "queen",
    "pope",
    "judge",
    "mayor",
    "sir",
    "lord",
    "chairman",
    "ceo",
    "prof",
    "first",
    "lady",
];

/// Named entities by a transparent rule: runs of capitalised words, connectors such as "of"
/// joining two capitalised parts; a run at the start of a sentence counts only if its first
/// word never appears in lower case in the text and is not a stopword; leading titles and
/// "The" are dropped. All-caps sentences (wire headlines) are skipped. Sorted by count, then
/// first appearance.
pub fn entities(sentences: &[Sentence], analyzer: &Analyzer) -> Vec<Entity> {
    let mut lower_seen: HashSet<String> = HashSet::new();
    // Capitalised words seen after the start of a sentence: proof that a word is a name.
    let mut cap_mid: HashSet<String> = HashSet::new();
    for s in sentences {
        for (k, w) in s.text.split_whitespace().enumerate() {
            let t: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
            if t.chars().next().is_some_and(char::is_lowercase) {
                lower_seen.insert(t);
            } else if k > 0 {
                cap_mid.insert(t.to_lowercase());
            }
        }
    }
    let mut order: Vec<String> = Vec::new();
    let mut map: HashMap<String, Entity> = HashMap::new();
    for s in sentences {
        let letters: Vec<char> = s.text.chars().filter(|c| c.is_alphabetic()).collect();
        if letters.len() > 10 && letters.iter().all(|c| c.is_uppercase()) {
            continue;
        }
        for run in capital_runs(&s.text) {
            let mut parts: Vec<&str> = run.words.clone();
            while parts
                .first()
                .is_some_and(|w| TITLES.contains(&w.to_lowercase().as_str()))
            {
                parts.remove(0);
            }
            while parts
                .last()
                .is_some_and(|w| CONNECTORS.contains(&w.to_lowercase().as_str()))
            {
                parts.pop();
            }
            let Some(first) = parts.first() else { continue };
            if run.sentence_initial && parts.len() == run.words.len() {
                let lw = first.to_lowercase();
                let unproven = parts.len() == 1 && !cap_mid.contains(&lw);
                if unproven
                    || analyzer.is_stop(&lw)
                    || lower_seen.contains(&lw)
                    || OPENERS.contains(&lw.as_str())
                {
                    // "Showers continued": drop the first word, keep the rest if any.
                    parts.remove(0);
                    if parts.is_empty() {
                        continue;
                    }
                }
            }
            if parts.len() == 1
                && parts
                    .first()
                    .is_some_and(|w| analyzer.is_stop(&w.to_lowercase()) || w.chars().count() < 2)
            {
                continue;
            }
            let name = parts.join(" ");
            let key = name.to_lowercase();
            match map.get_mut(&key) {
                Some(e) => e.count += 1,
                None => {
                    order.push(key.clone());
                    map.insert(
                        key.clone(),
                        Entity {
                            name,
                            key,
                            count: 1,
                        },
                    );
                }
            }
        }
    }
    let mut out: Vec<Entity> = order.iter().filter_map(|k| map.remove(k)).collect();
    // "Pence" after "Mike Pence": count the short form on the full name.
    let longs: Vec<String> = out
        .iter()
        .filter(|e| e.key.contains(' '))
        .map(|e| e.key.clone())
        .collect();
    let mut moved: HashMap<String, usize> = HashMap::new();
    out.retain(|e| {
        if e.key.contains(' ') {
            return true;
        }
        let suffix = format!(" {}", e.key);
        match longs
            .iter()
            .filter(|l| l.ends_with(&suffix))
            .collect::<Vec<_>>()
            .as_slice()
        {
            [only] => {
                *moved.entry((*only).clone()).or_default() += e.count;
                false
            }
            _ => true,
        }
    });
    for e in &mut out {
        e.count += moved.get(&e.key).copied().unwrap_or(0);
    }
    // Stable: equal counts keep the order of first appearance.
    out.sort_by_key(|e| std::cmp::Reverse(e.count));
    out
}

struct Run<'a> {
    words: Vec<&'a str>,
    sentence_initial: bool,
}

/// Runs of capitalised words in one sentence, punctuation-stripped.
fn capital_runs(sentence: &str) -> Vec<Run<'_>> {
    let mut runs = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut cur_initial = false;
    let mut pending: Vec<&str> = Vec::new(); // connectors waiting for a capitalised word
    for (k, raw) in sentence.split_whitespace().enumerate() {
        let breaks_after = raw.ends_with([',', ';', ':', '.', '!', '?', ')', '"']);
        let w = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let w = w
            .strip_suffix("'s")
            .or_else(|| w.strip_suffix("\u{2019}s"))
            .unwrap_or(w);
        let capital = w.chars().next().is_some_and(char::is_uppercase);
        if capital {
            if cur.is_empty() {
                cur_initial = k == 0;
            } else {
                cur.append(&mut pending);
            }
            cur.push(w);
        } else if !cur.is_empty() && CONNECTORS.contains(&w) && pending.is_empty() {
            pending.push(w);
        } else {
            pending.clear();
            if !cur.is_empty() {
                runs.push(Run {
                    words: std::mem::take(&mut cur),
                    sentence_initial: cur_initial,
                });
            }
        }
        if breaks_after && !cur.is_empty() {
            pending.clear();
            runs.push(Run {
                words: std::mem::take(&mut cur),
                sentence_initial: cur_initial,
            });
        }
    }
    if !cur.is_empty() {
        runs.push(Run {
            words: cur,
            sentence_initial: cur_initial,
        });
    }
    runs
}

/// Numbers written in the text, canonical ("1,000" -> "1000"), in order, deduplicated.
pub fn numbers(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    words(text)
        .into_iter()
        .filter(|w| is_number(w))
        .map(|w| canonical_number(w.trim_end_matches(['.', ','])))
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

/// Cut `s` to at most `max` characters at a word boundary, marking the cut with "…".
pub fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for w in s.split_whitespace() {
        if out.chars().count() + w.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        out = s.chars().take(max.saturating_sub(1)).collect();
    }
    out.push('\u{2026}');
    out
}

/// Cut `s` to at most `max_bytes` bytes on a char boundary.
pub fn cap_bytes(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn texts(t: &str) -> Vec<String> {
        sentences(t).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn abbreviations_numbers_and_quotes() {
        let t = "Mr. Smith arrived in the U.S. on Jan. 5 with $3.5 million. He left at 5 p.m. \
                 The next day he said: \"We are done.\" Then he went home! Was it over? \
                 George W. Bush agreed. Sens. Susan Collins said no. Then No. 10 spoke.";
        assert_eq!(
            texts(t),
            vec![
                "Mr. Smith arrived in the U.S. on Jan. 5 with $3.5 million.",
                "He left at 5 p.m.",
                "The next day he said: \"We are done.\"",
                "Then he went home!",
                "Was it over?",
                "George W. Bush agreed.",
                "Sens. Susan Collins said no.",
                "Then No. 10 spoke.",
            ]
        );
    }

    #[test]
    fn non_ascii_text_before_an_abbreviation() {
        // Byte and character offsets differ after "é" and the curly quotes.
        let t = "Le café \u{201c}Chez Léon\u{201d} a vu Mr. Dupont. Il est parti.";
        assert_eq!(
            texts(t),
            vec![
                "Le café \u{201c}Chez Léon\u{201d} a vu Mr. Dupont.",
                "Il est parti."
            ]
        );
    }

    #[test]
    fn paragraphs_end_sentences_and_wraps_join() {
        let t = "First line\nwraps here\n\nSecond paragraph without stop\n\n\nThird. Fourth.";
        let s = sentences(t);
        let got: Vec<(&str, usize)> = s.iter().map(|s| (s.text.as_str(), s.paragraph)).collect();
        assert_eq!(
            got,
            vec![
                ("First line wraps here", 0),
                ("Second paragraph without stop", 1),
                ("Third.", 2),
                ("Fourth.", 2)
            ]
        );
    }

    #[test]
    fn corpus_quote_quirk_and_lowercase_continuations() {
        let t = "\"It is hard to imagine a worse choice,\"?Sen. Warren said. She read letters \
                 from the U.S. Senate floor... and then stopped. Inc. results rose.";
        assert_eq!(
            texts(t),
            vec![
                "\"It is hard to imagine a worse choice,\"?Sen. Warren said.",
                "She read letters from the U.S. Senate floor... and then stopped.",
                "Inc. results rose.",
            ]
        );
        let t2 = "He said \"no.\"?The vote failed.";
        assert_eq!(texts(t2), vec!["He said \"no.\"?", "The vote failed."]);
    }

    #[test]
    fn words_keep_decimals_and_thousands() {
        assert_eq!(
            words("GDP grew 3.5% to 1,000 units, then fell."),
            vec!["gdp", "grew", "3.5", "to", "1,000", "units", "then", "fell"]
        );
        assert_eq!(numbers("Up 3.5% to 1,000, from 1000."), vec!["3.5", "1000"]);
    }

    #[test]
    fn entities_from_capital_runs() {
        let s = sentences(
            "Vice President Mike Pence cast a vote in the Senate. The Bank of England held rates. \
             Showers continued in London. Pence spoke.",
        );
        let e = entities(&s, Analyzer::for_lang("en"));
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert!(names.contains(&"Mike Pence"), "{names:?}");
        assert!(names.contains(&"Bank of England"), "{names:?}");
        assert!(names.contains(&"London"), "{names:?}");
        assert!(names.contains(&"Senate"), "{names:?}");
        assert!(!names.iter().any(|n| n.starts_with("Showers")), "{names:?}");
        assert!(
            !names.contains(&"Pence"),
            "merged into the full name: {names:?}"
        );
        assert_eq!(e[0].name, "Mike Pence");
        assert_eq!(e[0].count, 2);
    }

    #[test]
    fn truncation_is_bounded() {
        let t = truncate_words("one two three four five", 12);
        assert_eq!(t, "one two\u{2026}");
        assert_eq!(cap_bytes("héllo", 2), "h");
    }
}
