//! Named entities by a transparent rule: runs of capitalised words.
//!
//! "Vice President Mike Pence cast a vote in the Senate" gives `Mike Pence` and `Senate`.
//! Rules, each for a reason:
//! - a run is consecutive capitalised tokens; `of`/`de`/`van`… join two capitalised parts
//!   ("Bank of England"); commas, colons and sentence ends break runs;
//! - a sentence-initial word is kept only when the same word never appears in lower case in
//!   the text and is not a stopword ("Showers continued…" is not an entity);
//! - leading titles and articles are dropped ("President", "The"), possessive `'s` removed;
//! - a one-word entity that is the last word of a longer one merges into it ("Pence" ->
//!   "Mike Pence"), so counts gather on the full name;
//! - all-caps text (wire headlines) is ignored: every word is capitalised there;
//! - German capitalises all nouns: there a one-word run that also appears right after a
//!   determiner ("die Regierung", "im Bundestag") is a common noun and dropped. One-word
//!   names used with an article are lost; names of two or more words are kept;
//! - French/Italian elisions are split off ("l'Assemblée" -> "Assemblée").

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::text::Analyzer;

/// A named entity found in an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Display form, as first written in the text ("Mike Pence").
    pub name: String,
    /// Normalised key for matching and indexing: lower case, single spaces ("mike pence").
    pub key: String,
    /// Mentions, including merged short forms.
    pub count: u32,
}

const CONNECTORS: &[&str] = &[
    "of", "de", "del", "della", "der", "den", "van", "von", "du", "des", "la", "le", "al", "bin",
    "da", "dos", "and", "for", "on",
];

const TITLES: &[&str] = &[
    "the",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sen",
    "senator",
    "rep",
    "gov",
    "governor",
    "president",
    "prime",
    "minister",
    "secretary",
    "chancellor",
    "king",
    "queen",
    "pope",
    "general",
    "gen",
    "judge",
    "justice",
    "sir",
    "lord",
    "lady",
    "prof",
    "professor",
    "chairman",
    "ceo",
    "mayor",
    "vice",
    "former",
    "foreign",
    "first",
    "herr",
    "frau",
    "madame",
    "monsieur",
    "don",
    "doña",
    "señor",
    "minister",
    "premier",
    "state",
    "spokesman",
    "spokeswoman",
    "chief",
    "leader",
    "opposition",
    "democrat",
    "republican",
    "a",
    "an",
    "in",
    "on",
    "at",
    "but",
    "and",
    "as",
    "if",
    "when",
    "after",
    "while",
    "for",
    "with",
    "by",
    "from",
    "this",
    "that",
    "it",
    "he",
    "she",
    "they",
    "we",
    "his",
    "her",
    "their",
    "its",
    "our",
    "bundeskanzlerin",
    "bundeskanzler",
    "kanzlerin",
    "kanzler",
    "präsident",
    "präsidentin",
    "ministerin",
    "ministre",
    "président",
    "presidente",
    "premier",
    "ministro",
    "signor",
];

/// Words that are capitalised for calendar reasons, never entities on their own.
const CALENDAR: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "i",
    "it",
    "we",
    "he",
    "she",
    "they",
    "but",
    "and",
    "the",
    "a",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "januar",
    "februar",
    "märz",
    "mai",
    "juni",
    "juli",
    "oktober",
    "dezember",
];

/// Elided forms in French and Italian that precede a noun without a space.
const ELISIONS: &[&str] = &[
    "l'", "d'", "L'", "D'", "l’", "d’", "L’", "D’", "dell'", "dell’", "all'", "all’", "nell'",
    "nell’", "qu'", "qu’",
];

/// German capitalises every noun; a capitalised word right after one of these is a common
/// noun ("die Regierung", "am Mittwoch", "ihre Politik"), not a name.
const DE_DETERMINERS: &[&str] = &[
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines",
    "im", "am", "zum", "zur", "vom", "beim", "ins", "ans", "aufs", "ihre", "ihr", "ihren", "ihrem",
    "ihrer", "seine", "sein", "seinen", "seinem", "seiner", "unsere", "unser", "diese", "dieser",
    "diesem", "diesen", "dieses", "jede", "jeder", "jedes", "kein", "keine", "keinen", "mehr",
    "viele", "alle", "neue", "neuen",
];

struct Tok<'a> {
    word: &'a str,
    sentence_start: bool,
    /// Punctuation after the token that ends a run (`,` `;` `:` `.` `?` `!` `)` quotes).
    breaks_after: bool,
}

fn tokens(text: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut sentence_start = true;
    for raw in text.split_whitespace() {
        let start_quote = raw.starts_with(['"', '“', '‘', '(', '\'', '[']);
        let word = raw.trim_matches(|c: char| !c.is_alphanumeric());
        let trailing: &str = raw
            .get(raw.trim_end_matches(|c: char| !c.is_alphanumeric()).len()..)
            .unwrap_or("");
        let ends_sentence = trailing.contains(['.', '?', '!']) && !is_abbreviation(word);
        let breaks_after = ends_sentence || trailing.contains([',', ';', ':', ')', '"', '”', '—']);
        if word.is_empty() {
            // A lone dash or quote breaks any run in progress.
            if let Some(last) = out.last_mut() {
                let last: &mut Tok<'_> = last;
                last.breaks_after = true;
            }
            continue;
        }
        let word = word
            .strip_suffix("'s")
            .or_else(|| word.strip_suffix("’s"))
            .unwrap_or(word);
        // Elided articles and prepositions ("l'Assemblée", "d'Italia", "dell'Europa").
        let word = ELISIONS
            .iter()
            .find_map(|e| word.strip_prefix(e).filter(|w| !w.is_empty()))
            .unwrap_or(word);
        if start_quote && let Some(last) = out.last_mut() {
            let last: &mut Tok<'_> = last;
            last.breaks_after = true;
        }
        out.push(Tok {
            word,
            sentence_start,
            breaks_after,
        });
        sentence_start = ends_sentence;
    }
    out
}

fn is_abbreviation(word: &str) -> bool {
    // "U.S." and "Mr." do not end sentences; single capitals ("J.") neither.
    word.contains('.')
        || matches!(
            word,
            "Mr" | "Mrs" | "Ms" | "Dr" | "Sen" | "Rep" | "Gov" | "Gen" | "St" | "Jr" | "Sr"
        )
        || (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
}

fn is_capitalised(word: &str) -> bool {
    let mut ch = word.chars();
    ch.next().is_some_and(char::is_uppercase) && word.chars().any(char::is_alphabetic)
}

/// Share of letters that are upper case; above 0.8 the text is a wire headline or a shout.
fn mostly_upper(text: &str) -> bool {
    let (mut up, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if c.is_uppercase() {
            up += 1;
        }
    }
    letters > 0 && up * 10 > letters * 8
}

/// Named entities of an article, most mentioned first (ties: first mentioned first), at most
/// `max` of them.
pub fn extract_entities(title: &str, body: &str, lang: &str, max: usize) -> Vec<Entity> {
    let analyzer = Analyzer::for_lang(lang);
    let mut text = String::with_capacity(title.len() + body.len() + 2);
    if !mostly_upper(title) {
        text.push_str(title);
        text.push_str(".\n");
    }
    if !mostly_upper(body) {
        text.push_str(body);
    }
    let toks = tokens(&text);
    let lower_words: HashSet<&str> = toks
        .iter()
        .filter(|t| t.word.chars().next().is_some_and(char::is_lowercase))
        .map(|t| t.word)
        .collect();
    // German nouns seen after a determiner anywhere in the text are common nouns.
    let common_nouns: HashSet<&str> = if lang == "de" {
        toks.windows(2)
            .filter_map(|w| match w {
                [a, b] if DE_DETERMINERS.contains(&a.word.to_lowercase().as_str()) => Some(b.word),
                _ => None,
            })
            .collect()
    } else {
        HashSet::new()
    };

    // (key -> (display, count, first position))
    let mut found: HashMap<String, (String, u32, usize)> = HashMap::new();
    let mut run: Vec<&str> = Vec::new();
    let mut run_start = 0usize;
    let mut flush = |run: &mut Vec<&str>, pos: usize| {
        // Trailing connectors never end an entity ("Bank of").
        while run
            .last()
            .is_some_and(|w| CONNECTORS.contains(&w.to_lowercase().as_str()))
        {
            run.pop();
        }
        while run
            .first()
            .is_some_and(|w| TITLES.contains(&w.to_lowercase().as_str()))
        {
            run.remove(0);
        }
        if run.len() == 1
            && run.first().is_some_and(|w| {
                let l = w.to_lowercase();
                CALENDAR.contains(&l.as_str())
                    || analyzer.is_stop(&l)
                    || w.chars().count() < 2
                    || common_nouns.contains(w)
            })
        {
            run.clear();
        }
        if !run.is_empty() && run.len() <= 6 {
            let name = run.join(" ");
            let key = name.to_lowercase();
            let e = found.entry(key).or_insert((name, 0, pos));
            e.1 += 1;
        }
        run.clear();
    };
    for (i, t) in toks.iter().enumerate() {
        let cap = is_capitalised(t.word);
        let lower = t.word.to_lowercase();
        let connector = !run.is_empty()
            && CONNECTORS.contains(&lower.as_str())
            && toks.get(i + 1).is_some_and(|n| is_capitalised(n.word));
        let keep_initial = !t.sentence_start
            || (!lower_words.contains(lower.as_str())
                && !analyzer.is_stop(&lower)
                && !TITLES.contains(&lower.as_str())
                && !CALENDAR.contains(&lower.as_str()));
        if (cap && keep_initial) || connector {
            if run.is_empty() {
                run_start = i;
            }
            run.push(t.word);
        } else {
            flush(&mut run, run_start);
        }
        if t.breaks_after {
            flush(&mut run, run_start);
        }
    }
    flush(&mut run, run_start);

    // Merge one-word short forms into the longer name ending with them ("Pence").
    let long_keys: Vec<(String, String)> = found
        .keys()
        .filter(|k| k.contains(' '))
        .filter_map(|k| {
            k.rsplit(' ')
                .next()
                .map(|last| (last.to_string(), k.clone()))
        })
        .collect();
    let mut by_last: HashMap<String, Vec<String>> = HashMap::new();
    for (last, k) in long_keys {
        by_last.entry(last).or_default().push(k);
    }
    let singles: Vec<String> = found.keys().filter(|k| !k.contains(' ')).cloned().collect();
    for s in singles {
        if let Some(longs) = by_last.get(&s) {
            // Only merge when the short form is unambiguous.
            if let [target] = longs.as_slice()
                && let Some((_, c, pos)) = found.remove(&s)
                && let Some(e) = found.get_mut(target)
            {
                e.1 += c;
                e.2 = e.2.min(pos);
            }
        }
    }

    let mut list: Vec<(String, (String, u32, usize))> = found.into_iter().collect();
    list.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.1.2.cmp(&b.1.2)));
    list.into_iter()
        .take(max)
        .map(|(key, (name, count, _))| Entity { name, key, count })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(es: &[Entity]) -> Vec<&str> {
        es.iter().map(|e| e.key.as_str()).collect()
    }

    #[test]
    fn finds_people_places_and_organisations() {
        let body = "Michigan billionaire Betsy DeVos was confirmed today, after Vice President Mike \
            Pence cast a tie-breaking vote in the Senate. Pence read the count. DeVos stirred up \
            opposition. The Bank of England said nothing. On Monday, Elizabeth Warren spoke.";
        let es = extract_entities("DeVos confirmed", body, "en", 20);
        let k = keys(&es);
        for want in [
            "betsy devos",
            "mike pence",
            "senate",
            "bank of england",
            "elizabeth warren",
            "michigan",
        ] {
            assert!(k.contains(&want), "{want} missing from {k:?}");
        }
        // Short forms merged, so counts gather.
        let devos = es.iter().find(|e| e.key == "betsy devos").map(|e| e.count);
        assert_eq!(devos, Some(3));
        assert_eq!(
            es.iter().find(|e| e.key == "mike pence").map(|e| e.count),
            Some(2)
        );
        // Calendar words and sentence-initial common words are not entities.
        assert!(!k.contains(&"monday"));
        assert!(!k.contains(&"the bank of england"));
        assert!(!k.iter().any(|x| x.starts_with("on ")));
    }

    #[test]
    fn sentence_initial_common_words_are_dropped() {
        let body = "Showers continued throughout the week. Rain showers also fell in Bahia, Comissaria Smith said.";
        let k: Vec<String> = extract_entities("", body, "en", 10)
            .into_iter()
            .map(|e| e.key)
            .collect();
        assert!(k.contains(&"bahia".to_string()));
        assert!(k.contains(&"comissaria smith".to_string()));
        assert!(!k.contains(&"showers".to_string()), "{k:?}");
    }

    #[test]
    fn all_caps_headlines_are_ignored() {
        let es = extract_entities("BAHIA COCOA REVIEW", "cocoa prices rose.", "en", 10);
        assert!(es.is_empty());
    }
}
