//! The built-in provider: extractive, offline, deterministic, pure.
//!
//! - Summary: sentences scored by centrality (cosine to the article's TF-IDF centroid, the
//!   title counted twice) and position (news puts the facts first), picked greedily with a
//!   redundancy penalty (maximal marginal relevance) and returned in article order.
//! - Key points: sentences picked to cover the article's keywords and named entities, one
//!   new keyword set per point, trimmed of leading connectives and trailing attributions.
//! - Ask: passage retrieval. Question terms are weighted by rarity in the article (a term
//!   the article never uses weighs most); a sentence's coverage is the weighted share of
//!   question terms in it (its neighbours count half). It answers only when the coverage
//!   passes a threshold, every name in the question occurs in the article, and the sentence
//!   holds the kind of thing asked for (a number for "how many", a name for "who").
//! - Story summary: candidate sentences of each source are matched across sources;
//!   sentences other sources support are agreements, close sentences with different figures
//!   are conflicts, well-ranked sentences nobody else has are "only in".

use std::collections::{HashMap, HashSet};

use crate::text::{self, Analyzer, Sentence};
use crate::{
    AiError, Answer, ArticleText, Claim, Difference, DifferenceKind, KeyPoints, PlainText, Quote,
    SourceRef, StorySummary, Summary, limits,
};

/// The text of a refusal, from every provider.
pub const NOT_ANSWERED: &str = "The article does not answer this question.";

/// Tunables of the built-in provider. The defaults are the measured ones (BENCHMARKS.md).
#[derive(Debug, Clone)]
pub struct Builtin {
    /// Minimum weighted share of question terms a passage must contain to answer.
    pub answer_threshold: f64,
    /// Weight of position against centrality in summary scores, 0..1.
    pub position_weight: f64,
    /// Redundancy penalty in sentence selection, 0..1.
    pub redundancy_weight: f64,
    /// Cosine from which two sentences of different sources state the same thing.
    pub agree_similarity: f64,
}

impl Default for Builtin {
    fn default() -> Self {
        Builtin {
            answer_threshold: 0.6,
            position_weight: 0.45,
            redundancy_weight: 0.3,
            agree_similarity: 0.35,
        }
    }
}

impl Builtin {
    pub const NAME: &'static str = "builtin";
    /// Changes when the method changes, so cached results of the old one are not reused.
    pub const MODEL: &'static str = "extractive-1";

    /// A summary of 3–5 sentences of the article (fewer if it has fewer usable sentences).
    pub fn summarize(&self, article: &ArticleText<'_>) -> Result<Summary, AiError> {
        let doc = Doc::new(article)?;
        let n = summary_length(doc.eligible_count());
        let picked = self.select(&doc, &doc.summary_scores(self.position_weight), n);
        Ok(Summary {
            sentences: picked
                .iter()
                .filter_map(|&i| doc.sents.get(i))
                .map(|s| {
                    PlainText::new(text::truncate_words(
                        &s.s.text,
                        limits::MAX_OUTPUT_SENTENCE_CHARS,
                    ))
                })
                .collect(),
            input_truncated: doc.input_truncated,
        })
    }

    /// Key points (up to 5 bullets), keywords and named entities.
    pub fn key_points(&self, article: &ArticleText<'_>) -> Result<KeyPoints, AiError> {
        let doc = Doc::new(article)?;
        let keywords = doc.keywords(10);
        let entities = text::entities(
            &doc.sents.iter().map(|s| s.s.clone()).collect::<Vec<_>>(),
            doc.analyzer,
        );
        // What the points should cover: keyword stems and entity words, by weight.
        let mut targets: HashMap<String, f64> = HashMap::new();
        for (rank, (stem, _)) in keywords.iter().enumerate() {
            targets.insert(stem.clone(), 1.0 / (1.0 + rank as f64 * 0.15));
        }
        for e in entities.iter().take(6) {
            for t in doc.analyzer.terms(&e.name) {
                targets.entry(t).or_insert(0.8);
            }
        }
        let mut covered: HashSet<String> = HashSet::new();
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < 5 {
            let mut best: Option<(usize, f64)> = None;
            for (i, s) in doc.sents.iter().enumerate() {
                if !s.eligible || chosen.contains(&i) {
                    continue;
                }
                let gain: f64 = s
                    .set
                    .iter()
                    .filter(|t| !covered.contains(*t))
                    .filter_map(|t| targets.get(t))
                    .sum();
                let redundancy = chosen
                    .iter()
                    .filter_map(|&j| doc.sents.get(j))
                    .map(|o| cosine(&s.vec, &o.vec))
                    .fold(0.0, f64::max);
                let value = gain * (0.75 + 0.25 * position_score(i)) * (1.0 - 0.5 * redundancy);
                if value > best.map_or(0.0, |b| b.1) {
                    best = Some((i, value));
                }
            }
            let Some((i, _)) = best else { break };
            if let Some(s) = doc.sents.get(i) {
                covered.extend(s.set.iter().cloned());
            }
            chosen.push(i);
        }
        chosen.sort_unstable();
        Ok(KeyPoints {
            points: chosen
                .iter()
                .filter_map(|&i| doc.sents.get(i))
                .map(|s| {
                    PlainText::new(text::truncate_words(
                        &compress(&s.s.text),
                        limits::MAX_OUTPUT_SENTENCE_CHARS,
                    ))
                })
                .collect(),
            keywords: keywords
                .into_iter()
                .take(8)
                .map(|(_, surface)| PlainText::new(surface))
                .collect(),
            entities: entities
                .into_iter()
                .take(8)
                .map(|e| PlainText::new(e.name))
                .collect(),
            input_truncated: doc.input_truncated,
        })
    }

    /// Answer `question` from the article by passage retrieval, or say plainly that the
    /// article does not answer it.
    pub fn answer(&self, article: &ArticleText<'_>, question: &str) -> Result<Answer, AiError> {
        let question = clean_question(question)?;
        let doc = Doc::new(article)?;
        let a = doc.analyzer;
        let kind = AnswerKind::of(&question);
        // Words that only say what kind of answer is wanted ("how *old*", "how many
        // *times*") are not looked for in the text: the kind check covers them.
        let kind_words: HashSet<String> = kind.words().iter().map(|w| a.stem(w)).collect();
        let mut qterms: Vec<String> = a.terms(&question);
        let mut seen = HashSet::new();
        qterms.retain(|t| !kind_words.contains(t) && seen.insert(t.clone()));
        let refuse = || Answer {
            answered: false,
            text: PlainText::new(NOT_ANSWERED),
            quotes: Vec::new(),
        };
        if qterms.is_empty() {
            return Ok(refuse());
        }
        // Names in the question must occur in the article: "What did Merkel say?" about an
        // article without Merkel is not answered, however well the rest matches.
        let lower_text = doc.all_text_lower();
        for name in question_names(&question) {
            if !lower_text.contains(&name.to_lowercase()) {
                return Ok(refuse());
            }
        }
        let n = doc.sents.len().max(1) as f64;
        let weight = |t: &String| -> f64 {
            match doc.df.get(t) {
                Some(&df) => (1.0 + n / df as f64).ln(),
                None => (1.0 + n).ln() + 1.0,
            }
        };
        let total: f64 = qterms.iter().map(weight).sum();
        let qwords: HashSet<String> = text::words(&question).into_iter().collect();
        // (sentence, coverage, used a neighbour, rank)
        let mut best: Option<(usize, f64, bool, f64)> = None;
        for (i, s) in doc.sents.iter().enumerate() {
            let mut got = 0.0;
            let mut used_neighbour = false;
            for t in &qterms {
                if s.set.contains(t) {
                    got += weight(t);
                } else if doc.neighbours(i).any(|o| o.set.contains(t)) {
                    got += 0.5 * weight(t);
                    used_neighbour = true;
                }
            }
            let mut coverage = got / total;
            if !kind.satisfied_by(&s.s.text, &qwords) {
                // The passage lacks what is asked for; a neighbour may hold it.
                let neighbour_ok = doc
                    .neighbours(i)
                    .any(|o| kind.satisfied_by(&o.s.text, &qwords));
                if !neighbour_ok {
                    continue;
                }
                used_neighbour = true;
                coverage *= 0.9;
            }
            // Ties go to the earlier sentence: news states the main facts first.
            let rank = coverage + 0.05 * position_score(i);
            if rank > best.map_or(0.0, |b| b.3) {
                best = Some((i, coverage, used_neighbour, rank));
            }
        }
        let Some((i, coverage, used_neighbour, _)) = best else {
            return Ok(refuse());
        };
        if coverage < self.answer_threshold {
            return Ok(refuse());
        }
        let mut idx = vec![i];
        if used_neighbour {
            // Add the neighbour that contributed most.
            let extra = doc.neighbour_indices(i).into_iter().max_by_key(|&j| {
                doc.sents.get(j).map_or(0, |o| {
                    qterms.iter().filter(|t| o.set.contains(*t)).count()
                        + usize::from(kind.satisfied_by(&o.s.text, &qwords))
                })
            });
            if let Some(j) = extra {
                idx.push(j);
            }
        }
        idx.sort_unstable();
        let quotes: Vec<Quote> = idx
            .iter()
            .filter_map(|&j| doc.sents.get(j))
            .map(|s| Quote {
                text: PlainText::new(&s.s.text),
                paragraph: s.s.paragraph,
                sentence: s.s.index,
            })
            .collect();
        let joined = quotes
            .iter()
            .map(|q| q.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        // Cite like a model would ([n], 1-based), so that a streamed builtin answer parses
        // back to this answer with `answer_from_model_text`.
        let marks: String = quotes
            .iter()
            .map(|q| format!("[{}]", q.sentence + 1))
            .collect();
        Ok(Answer {
            answered: true,
            text: PlainText::new(format!(
                "The article says: \u{201c}{joined}\u{201d} {marks}"
            )),
            quotes,
        })
    }

    /// A neutral summary of a story: what several sources agree on, where they differ.
    pub fn story_summary(&self, articles: &[ArticleText<'_>]) -> Result<StorySummary, AiError> {
        let articles: Vec<&ArticleText<'_>> =
            articles.iter().take(limits::MAX_STORY_SOURCES).collect();
        if articles.is_empty() {
            return Err(AiError::InvalidInput("a story without articles".into()));
        }
        let docs: Vec<Doc> = articles.iter().filter_map(|a| Doc::new(a).ok()).collect();
        let sources = story_sources(&articles);
        if docs.is_empty() {
            return Err(AiError::InvalidInput(
                "no article of the story has text".into(),
            ));
        }
        if let [doc] = docs.as_slice() {
            let picked = self.select(
                doc,
                &doc.summary_scores(self.position_weight),
                summary_length(doc.eligible_count()),
            );
            return Ok(StorySummary {
                sources,
                agreed: picked
                    .iter()
                    .filter_map(|&i| doc.sents.get(i))
                    .map(|s| Claim {
                        text: out_text(s),
                        sources: vec![0],
                    })
                    .collect(),
                differences: Vec::new(),
            });
        }
        let story = StoryPass {
            // Vectors over the whole story, so similarity is comparable across sources.
            vectors: StoryVectors::new(&docs),
            docs: &docs,
            agree: self.agree_similarity,
        };
        let (scored, conflicts) = story.support(&story.candidates(self.position_weight));
        let agreed = story.agreed(&scored);
        let differences = story.only_in(&scored, conflicts);
        Ok(StorySummary {
            sources,
            agreed,
            differences,
        })
    }

    /// Greedy selection by score with a redundancy penalty; returns indices in text order.
    fn select(&self, doc: &Doc, scores: &[f64], n: usize) -> Vec<usize> {
        let mut chosen: Vec<usize> = Vec::new();
        let any_eligible = doc.sents.iter().any(|s| s.eligible);
        while chosen.len() < n {
            let mut best: Option<(usize, f64)> = None;
            for (i, s) in doc.sents.iter().enumerate() {
                if chosen.contains(&i) || (any_eligible && !s.eligible) {
                    continue;
                }
                let redundancy = chosen
                    .iter()
                    .filter_map(|&j| doc.sents.get(j))
                    .map(|o| cosine(&s.vec, &o.vec))
                    .fold(0.0, f64::max);
                let v = (1.0 - self.redundancy_weight) * scores.get(i).copied().unwrap_or(0.0)
                    - self.redundancy_weight * redundancy;
                if best.is_none_or(|b| v > b.1) {
                    best = Some((i, v));
                }
            }
            let Some((i, _)) = best else { break };
            chosen.push(i);
        }
        chosen.sort_unstable();
        chosen
    }
}

fn summary_length(eligible: usize) -> usize {
    match eligible {
        0..=3 => eligible.max(1),
        4..=14 => 3,
        15..=29 => 4,
        _ => 5,
    }
}

fn position_score(i: usize) -> f64 {
    1.0 / (1.0 + i as f64).sqrt()
}

/// What a question asks for, by its first words.
#[derive(Debug, Clone, Copy, PartialEq)]
enum AnswerKind {
    Number,
    Time,
    Name,
    Any,
}

impl AnswerKind {
    fn of(question: &str) -> AnswerKind {
        let w = text::words(question);
        let mut first: Vec<&str> = w.iter().map(String::as_str).take(4).collect();
        // "By how much…", "Until when…", "In what year…": skip a leading preposition.
        if first.first().is_some_and(|p| {
            matches!(
                *p,
                "by" | "until"
                    | "till"
                    | "since"
                    | "for"
                    | "in"
                    | "on"
                    | "at"
                    | "to"
                    | "and"
                    | "so"
            )
        }) {
            first.remove(0);
        }
        match first.as_slice() {
            [
                "how",
                "many" | "much" | "old" | "long" | "far" | "big" | "large" | "high",
                ..,
            ] => AnswerKind::Number,
            [
                "what" | "which",
                "percentage" | "percent" | "share" | "number" | "amount" | "proportion",
                ..,
            ] => AnswerKind::Number,
            ["when", ..]
            | [
                "what" | "which",
                "year" | "date" | "day" | "month" | "time",
                ..,
            ] => AnswerKind::Time,
            ["who" | "whom" | "whose", ..] => AnswerKind::Name,
            _ => AnswerKind::Any,
        }
    }

    /// Question words that only name the kind of answer.
    fn words(self) -> &'static [&'static str] {
        match self {
            AnswerKind::Number => &[
                "many",
                "much",
                "old",
                "long",
                "far",
                "big",
                "large",
                "high",
                "times",
                "percentage",
                "number",
                "amount",
            ],
            AnswerKind::Time => &["year", "date", "day", "month", "time"],
            AnswerKind::Name | AnswerKind::Any => &[],
        }
    }

    fn satisfied_by(self, sentence: &str, question_words: &HashSet<String>) -> bool {
        const NUMBER_WORDS: &[&str] = &[
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "dozen",
            "dozens",
            "twenty",
            "thirty",
            "forty",
            "fifty",
            "hundred",
            "hundreds",
            "thousand",
            "thousands",
            "million",
            "millions",
            "billion",
            "half",
            "percent",
            "single",
            "no",
            "none",
            "both",
            "several",
        ];
        const TIME_WORDS: &[&str] = &[
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
            "today",
            "yesterday",
            "tomorrow",
            "week",
            "month",
            "year",
            "morning",
            "evening",
            "night",
            "afternoon",
            "ago",
            "since",
            "until",
            "after",
            "before",
            "during",
            "earlier",
            "later",
            "jan",
            "feb",
            "aug",
            "sept",
            "oct",
            "nov",
            "dec",
            "weekend",
            "century",
            "decade",
        ];
        let words = text::words(sentence);
        match self {
            AnswerKind::Any => true,
            // A figure the question already states ("in 2016") is not the answer.
            AnswerKind::Number => words.iter().any(|w| {
                (text::is_number(w) || NUMBER_WORDS.contains(&w.as_str()))
                    && !question_words.contains(w)
            }),
            AnswerKind::Time => words.iter().any(|w| {
                (text::is_number(w) || TIME_WORDS.contains(&w.as_str()))
                    && !question_words.contains(w)
            }),
            AnswerKind::Name => sentence.split_whitespace().skip(1).any(|w| {
                let t: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
                t.chars().next().is_some_and(char::is_uppercase)
                    && !question_words.contains(&t.to_lowercase())
            }),
        }
    }
}

/// Names in a question: capitalised words after the first word, and their runs
/// ("What did Angela Merkel say" -> "Angela Merkel"). Each run must occur in the article.
fn question_names(question: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for (k, raw) in question.split_whitespace().enumerate() {
        let w: String = raw
            .trim_matches(|c: char| !c.is_alphanumeric())
            .trim_end_matches("'s")
            .to_string();
        let capital = k > 0 && w.chars().next().is_some_and(char::is_uppercase) && w != "I";
        if capital {
            cur.push(w);
        } else if !cur.is_empty() {
            out.push(cur.join(" "));
            cur.clear();
        }
        if raw.ends_with([',', '?', '.', ';', ':']) && !cur.is_empty() {
            out.push(cur.join(" "));
            cur.clear();
        }
    }
    if !cur.is_empty() {
        out.push(cur.join(" "));
    }
    out
}

/// The question as providers see it: control characters dropped, spaces
/// collapsed, at most [`limits::MAX_QUESTION_CHARS`]; an error when nothing is left.
pub fn clean_question(q: &str) -> Result<String, AiError> {
    let q: String = q
        .chars()
        .filter(|c| !c.is_control())
        .take(limits::MAX_QUESTION_CHARS)
        .collect();
    let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
    if q.is_empty() {
        return Err(AiError::InvalidInput("an empty question".into()));
    }
    Ok(q)
}

/// Two sentences of different sources about the same point with different figures.
fn is_conflict(a: &Sent, b: &Sent) -> bool {
    if a.numbers.is_empty() || b.numbers.is_empty() {
        return false;
    }
    let shared_words = a
        .set
        .iter()
        .filter(|t| !text::is_number(t) && b.set.contains(*t))
        .count();
    let shared_numbers = a.numbers.iter().any(|n| b.numbers.contains(n));
    // Years say when, not how much: ignore sentences whose only figures are years.
    let non_year = |ns: &[String]| {
        ns.iter()
            .any(|n| !(n.len() == 4 && n.starts_with(['1', '2'])))
    };
    shared_words >= 3 && !shared_numbers && non_year(&a.numbers) && non_year(&b.numbers)
}

/// Drop a leading connective and a trailing attribution: "But the plan, officials said,
/// costs $3m, he said." -> "The plan, officials said, costs $3m."
fn compress(s: &str) -> String {
    let mut t = s.trim().to_string();
    for lead in [
        "But ",
        "And ",
        "However, ",
        "Meanwhile, ",
        "Also, ",
        "So ",
        "Still, ",
    ] {
        if let Some(rest) = t.strip_prefix(lead) {
            let mut c = rest.chars();
            if let Some(f) = c.next() {
                t = f.to_uppercase().chain(c).collect();
            }
            break;
        }
    }
    if let Some(pos) = t.rfind(", ") {
        let tail = t.get(pos + 2..).unwrap_or("");
        let tail_words: Vec<&str> = tail.split_whitespace().collect();
        let attribution = tail_words.len() <= 8
            && tail_words.iter().any(|w| {
                let w = w
                    .trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase();
                matches!(
                    w.as_str(),
                    "said" | "says" | "according" | "told" | "added" | "reported" | "reports"
                )
            });
        let head = t.get(..pos).unwrap_or("");
        let closes_quote = head.ends_with(['"', '\u{201d}']) || head.matches('"').count() % 2 == 1;
        if attribution && !closes_quote && head.split_whitespace().count() >= 6 {
            t = format!("{head}.");
        }
    }
    t
}

/// A prepared sentence.
struct Sent {
    s: Sentence,
    set: HashSet<String>,
    vec: HashMap<String, f64>,
    numbers: Vec<String>,
    eligible: bool,
}

/// An article prepared for the extractive methods.
struct Doc {
    sents: Vec<Sent>,
    df: HashMap<String, usize>,
    title_vec: HashMap<String, f64>,
    surface: HashMap<String, HashMap<String, usize>>,
    analyzer: &'static Analyzer,
    input_truncated: bool,
}

impl Doc {
    fn new(article: &ArticleText<'_>) -> Result<Doc, AiError> {
        let raw = article.text.trim();
        if raw.is_empty() {
            return Err(AiError::InvalidInput("an article without text".into()));
        }
        let capped = text::cap_bytes(raw, limits::MAX_ARTICLE_BYTES);
        let input_truncated = capped.len() < raw.len();
        let mut sentences = text::sentences(capped);
        if input_truncated && sentences.len() > 1 {
            sentences.pop(); // the cut sentence
        }
        sentences.truncate(limits::MAX_SENTENCES);
        let analyzer = Analyzer::for_lang(article.lang);
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut surface: HashMap<String, HashMap<String, usize>> = HashMap::new();
        let mut tmp: Vec<(Sentence, Vec<String>)> = Vec::with_capacity(sentences.len());
        for s in sentences {
            let mut terms = Vec::new();
            for w in text::words(&s.text) {
                if analyzer.is_stop(&w) || (w.chars().count() < 2 && !text::is_number(&w)) {
                    continue;
                }
                let stem = analyzer.stem(&w);
                *surface
                    .entry(stem.clone())
                    .or_default()
                    .entry(w)
                    .or_default() += 1;
                terms.push(stem);
            }
            let uniq: HashSet<&String> = terms.iter().collect();
            for t in uniq {
                *df.entry(t.clone()).or_default() += 1;
            }
            tmp.push((s, terms));
        }
        let n = tmp.len().max(1) as f64;
        let idf = |t: &str| match df.get(t) {
            Some(&d) => (1.0 + n / d as f64).ln(),
            None => (1.0 + n).ln(),
        };
        let vector = |terms: &[String]| {
            let mut tf: HashMap<String, f64> = HashMap::new();
            for t in terms {
                *tf.entry(t.clone()).or_default() += 1.0;
            }
            for (t, v) in tf.iter_mut() {
                *v = (1.0 + v.ln()) * idf(t);
            }
            tf
        };
        let sents = tmp
            .into_iter()
            .map(|(s, terms)| {
                let words = s.text.split_whitespace().count();
                let eligible = is_eligible(&s.text, words);
                Sent {
                    vec: vector(&terms),
                    set: terms.iter().cloned().collect(),
                    numbers: text::numbers(&s.text),
                    eligible,
                    s,
                }
            })
            .collect::<Vec<_>>();
        let title_vec = vector(&analyzer.terms(article.title));
        Ok(Doc {
            sents,
            df,
            title_vec,
            surface,
            analyzer,
            input_truncated,
        })
    }

    fn eligible_count(&self) -> usize {
        let e = self.sents.iter().filter(|s| s.eligible).count();
        if e == 0 { self.sents.len() } else { e }
    }

    /// Centrality (cosine to the centroid, title twice) blended with position.
    fn summary_scores(&self, position_weight: f64) -> Vec<f64> {
        let mut centroid: HashMap<String, f64> = HashMap::new();
        for s in &self.sents {
            for (t, v) in &s.vec {
                *centroid.entry(t.clone()).or_default() += v;
            }
        }
        let norm_c = norm(&centroid).max(1e-9);
        let title_norm = norm(&self.title_vec);
        if title_norm > 0.0 {
            // Scale the title so it weighs as much as twice an average sentence.
            let avg = self.sents.iter().map(|s| norm(&s.vec)).sum::<f64>()
                / self.sents.len().max(1) as f64;
            let k = 2.0 * avg / title_norm * (norm_c / avg.max(1e-9)).sqrt();
            for (t, v) in &self.title_vec {
                *centroid.entry(t.clone()).or_default() += v * k;
            }
        }
        let cent: Vec<f64> = self
            .sents
            .iter()
            .map(|s| cosine(&s.vec, &centroid))
            .collect();
        let max = cent.iter().copied().fold(1e-9, f64::max);
        cent.iter()
            .enumerate()
            .map(|(i, c)| (1.0 - position_weight) * c / max + position_weight * position_score(i))
            .collect()
    }

    /// Keywords: stems by sentence frequency, title words doubled; with their commonest
    /// written form.
    fn keywords(&self, k: usize) -> Vec<(String, String)> {
        let mut scored: Vec<(&String, f64)> = self
            .df
            .iter()
            .filter(|(t, _)| !text::is_number(t))
            .map(|(t, &d)| {
                let title = if self.title_vec.contains_key(t) {
                    2.0
                } else {
                    1.0
                };
                (t, d as f64 * title)
            })
            .filter(|(_, s)| *s >= 2.0)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        scored
            .into_iter()
            .take(k)
            .map(|(t, _)| {
                let form = self
                    .surface
                    .get(t)
                    .and_then(|m| m.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))))
                    .map_or_else(|| t.clone(), |(w, _)| w.clone());
                (t.clone(), form)
            })
            .collect()
    }

    fn neighbour_indices(&self, i: usize) -> Vec<usize> {
        let Some(me) = self.sents.get(i) else {
            return Vec::new();
        };
        [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter(|&j| {
                self.sents
                    .get(j)
                    .is_some_and(|o| o.s.paragraph == me.s.paragraph)
            })
            .collect()
    }

    fn neighbours(&self, i: usize) -> impl Iterator<Item = &Sent> {
        self.neighbour_indices(i)
            .into_iter()
            .filter_map(|j| self.sents.get(j))
    }

    fn all_text_lower(&self) -> String {
        self.sents
            .iter()
            .map(|s| s.s.text.to_lowercase())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Sentences fit for a summary: not too short or long, not page furniture.
fn is_eligible(s: &str, words: usize) -> bool {
    if !(5..=70).contains(&words) {
        return false;
    }
    let lower = s.to_lowercase();
    const FURNITURE: &[&str] = &[
        "http",
        "www.",
        "@",
        "click here",
        "sign up",
        "subscribe",
        "getty images",
        "photo:",
        "copyright",
        "all rights reserved",
        "read more",
        "follow us",
        "newsletter",
    ];
    if FURNITURE.iter().any(|f| lower.contains(f)) {
        return false;
    }
    // Questions ("How many films are shown?") are headings or rhetoric in news copy.
    if s.trim_end_matches(['"', '\'', '\u{201d}', ')'])
        .ends_with('?')
    {
        return false;
    }
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    !(letters.len() > 10 && letters.iter().all(|c| c.is_uppercase()))
        && s.chars().next().is_some_and(|c| !c.is_lowercase())
}

/// Per-story vectors: TF-IDF with document frequencies over all sources' sentences.
struct StoryVectors {
    docs: Vec<Vec<HashMap<String, f64>>>,
}

impl StoryVectors {
    fn new(docs: &[Doc]) -> StoryVectors {
        let mut df: HashMap<&String, usize> = HashMap::new();
        let mut n = 0usize;
        for d in docs {
            for s in &d.sents {
                n += 1;
                for t in &s.set {
                    *df.entry(t).or_default() += 1;
                }
            }
        }
        let n = n.max(1) as f64;
        let docs = docs
            .iter()
            .map(|d| {
                d.sents
                    .iter()
                    .map(|s| {
                        s.set
                            .iter()
                            .map(|t| {
                                let w = df.get(t).map_or(1.0, |&x| (1.0 + n / x as f64).ln());
                                (t.clone(), w)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        StoryVectors { docs }
    }

    fn get(&self, d: usize, i: usize) -> Option<&HashMap<String, f64>> {
        self.docs.get(d).and_then(|x| x.get(i))
    }

    fn doc(&self, d: usize) -> &[HashMap<String, f64>] {
        self.docs.get(d).map_or(&[], Vec::as_slice)
    }
}

fn norm(v: &HashMap<String, f64>) -> f64 {
    v.values().map(|x| x * x).sum::<f64>().sqrt()
}

fn cosine(a: &HashMap<String, f64>, b: &HashMap<String, f64>) -> f64 {
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let dot: f64 = small
        .iter()
        .filter_map(|(t, x)| big.get(t).map(|y| x * y))
        .sum();
    let d = norm(a) * norm(b);
    if d <= 0.0 { 0.0 } else { dot / d }
}

/// The sources a story summary cites: one per article with text.
fn story_sources(articles: &[&ArticleText<'_>]) -> Vec<SourceRef> {
    articles
        .iter()
        .filter(|a| !a.text.trim().is_empty())
        .map(|a| SourceRef {
            article_id: a.id,
            source: PlainText::new(if a.source.is_empty() {
                "unknown source"
            } else {
                a.source
            }),
            title: PlainText::new(a.title),
        })
        .collect()
}

/// A sentence as output: cut to the length outputs may have.
fn out_text(s: &Sent) -> PlainText {
    PlainText::new(text::truncate_words(
        &s.s.text,
        limits::MAX_OUTPUT_SENTENCE_CHARS,
    ))
}

/// A candidate sentence of a story summary and the other sources that say it too.
struct Cand {
    d: usize,
    i: usize,
    score: f64,
    support: Vec<usize>,
}

/// The passes of a story summary over several sources: candidates, their
/// support in the other sources (and conflicts), what they agree on, and what
/// only one says.
struct StoryPass<'a> {
    vectors: StoryVectors,
    docs: &'a [Doc],
    agree: f64,
}

impl StoryPass<'_> {
    fn sent(&self, d: usize, i: usize) -> Option<&Sent> {
        self.docs.get(d).and_then(|x| x.sents.get(i))
    }

    /// Each source's best sentences by its own summary score: (doc, sentence, score).
    fn candidates(&self, position_weight: f64) -> Vec<(usize, usize, f64)> {
        let mut cands = Vec::new();
        for (d, doc) in self.docs.iter().enumerate() {
            let scores = doc.summary_scores(position_weight);
            let mut ranked: Vec<(usize, f64)> = scores
                .iter()
                .copied()
                .enumerate()
                .filter(|(i, _)| doc.sents.get(*i).is_some_and(|s| s.eligible))
                .collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            for (i, sc) in ranked.into_iter().take(8) {
                cands.push((d, i, sc));
            }
        }
        cands
    }

    /// The sentence of `other` closest to sentence `i` of `d`, and its cosine.
    fn best_match(&self, d: usize, i: usize, other: usize) -> (usize, f64) {
        let Some(v) = self.vectors.get(d, i) else {
            return (0, 0.0);
        };
        let mut best = (0, 0.0);
        for (j, w) in self.vectors.doc(other).iter().enumerate() {
            let c = cosine(v, w);
            if c > best.1 {
                best = (j, c);
            }
        }
        best
    }

    /// Support of each candidate in each other source; close sentences that
    /// disagree on a figure are conflicts (at most two, one per pair of sources).
    fn support(&self, cands: &[(usize, usize, f64)]) -> (Vec<Cand>, Vec<Difference>) {
        let mut scored = Vec::new();
        let mut conflicts: Vec<Difference> = Vec::new();
        let mut conflict_seen: HashSet<(usize, usize)> = HashSet::new();
        for &(d, i, score) in cands {
            let mut support = Vec::new();
            for other in 0..self.docs.len() {
                if other == d {
                    continue;
                }
                let (j, c) = self.best_match(d, i, other);
                if c < self.agree {
                    continue;
                }
                let (Some(a), Some(b)) = (self.sent(d, i), self.sent(other, j)) else {
                    continue;
                };
                if !is_conflict(a, b) {
                    support.push(other);
                    continue;
                }
                let key = (d.min(other), d.max(other));
                if conflicts.len() < 2 && conflict_seen.insert(key) {
                    conflicts.push(Difference {
                        kind: DifferenceKind::Conflict,
                        claims: vec![
                            Claim {
                                text: out_text(a),
                                sources: vec![d],
                            },
                            Claim {
                                text: out_text(b),
                                sources: vec![other],
                            },
                        ],
                    });
                }
            }
            scored.push(Cand {
                d,
                i,
                score,
                support,
            });
        }
        (scored, conflicts)
    }

    /// What sources agree on: most-supported first, at most four, diverse.
    fn agreed(&self, scored: &[Cand]) -> Vec<Claim> {
        let mut order: Vec<usize> = (0..scored.len()).collect();
        order.sort_by(|&a, &b| {
            let (Some(x), Some(y)) = (scored.get(a), scored.get(b)) else {
                return a.cmp(&b);
            };
            y.support
                .len()
                .cmp(&x.support.len())
                .then(y.score.total_cmp(&x.score))
                .then(a.cmp(&b))
        });
        let mut agreed: Vec<Claim> = Vec::new();
        let mut used: Vec<(usize, usize)> = Vec::new();
        for k in order {
            let Some(c) = scored.get(k) else { continue };
            if c.support.is_empty() || agreed.len() >= 4 {
                continue;
            }
            let redundant = used.iter().any(|&(d, i)| {
                match (self.vectors.get(c.d, c.i), self.vectors.get(d, i)) {
                    (Some(a), Some(b)) => cosine(a, b) >= 0.5,
                    _ => false,
                }
            });
            if redundant {
                continue;
            }
            let Some(s) = self.sent(c.d, c.i) else {
                continue;
            };
            let mut cited = c.support.clone();
            cited.push(c.d);
            cited.sort_unstable();
            cited.dedup();
            agreed.push(Claim {
                text: out_text(s),
                sources: cited,
            });
            used.push((c.d, c.i));
        }
        agreed
    }

    /// After the conflicts, what only one source says: its best unsupported
    /// sentence, if clearly unmatched elsewhere (at most six differences).
    fn only_in(&self, scored: &[Cand], conflicts: Vec<Difference>) -> Vec<Difference> {
        let mut differences = conflicts;
        for d in 0..self.docs.len() {
            if differences.len() >= 6 {
                break;
            }
            let first_unsupported = scored.iter().filter(|c| c.d == d).take(3).find(|c| {
                c.support.is_empty()
                    && (0..self.docs.len())
                        .filter(|&o| o != d)
                        .all(|o| self.best_match(c.d, c.i, o).1 < self.agree * 0.7)
            });
            if let Some(c) = first_unsupported
                && let Some(s) = self.sent(c.d, c.i)
            {
                differences.push(Difference {
                    kind: DifferenceKind::OnlyIn,
                    claims: vec![Claim {
                        text: out_text(s),
                        sources: vec![d],
                    }],
                });
            }
        }
        differences
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use tidings_core::ArticleId;

    #[test]
    fn compress_trims_connectives_and_attributions() {
        assert_eq!(
            compress("But the new bridge will cost $3.5 million to build, the mayor said."),
            "The new bridge will cost $3.5 million to build."
        );
        // A quotation keeps its speaker.
        assert_eq!(
            compress("\"We will build the bridge this year,\" the mayor said."),
            "\"We will build the bridge this year,\" the mayor said."
        );
    }

    #[test]
    fn question_kinds_and_names() {
        assert_eq!(AnswerKind::of("How many people died?"), AnswerKind::Number);
        assert_eq!(AnswerKind::of("When did it start?"), AnswerKind::Time);
        assert_eq!(AnswerKind::of("Who won the vote?"), AnswerKind::Name);
        assert_eq!(AnswerKind::of("Why did it fail?"), AnswerKind::Any);
        assert_eq!(
            question_names("What did Angela Merkel say about Greece?"),
            vec!["Angela Merkel", "Greece"]
        );
    }

    #[test]
    fn empty_inputs_are_typed_errors() {
        let a = ArticleText::new(ArticleId(1), "t", "   ");
        assert!(matches!(
            Builtin::default().summarize(&a),
            Err(AiError::InvalidInput(_))
        ));
        let a = ArticleText::new(ArticleId(1), "t", "Some text here that is long enough.");
        assert!(matches!(
            Builtin::default().answer(&a, "  \n "),
            Err(AiError::InvalidInput(_))
        ));
        assert!(matches!(
            Builtin::default().story_summary(&[]),
            Err(AiError::InvalidInput(_))
        ));
    }
}
