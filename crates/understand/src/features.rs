//! One pass over an article that produces everything the other stages need, as one
//! serialisable struct the store persists as a blob.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tidings_core::{Timestamp, Topic};

use crate::entities::{Entity, extract_entities};
use crate::fingerprint::{NearDupSignature, signature};
use crate::lang::{LanguageGuess, detect_language};
use crate::text::{Analyzer, hash_str};
use crate::topics::{TopicSource, assign_topics};
use crate::vector::{DfStats, TermVector};

/// Bumped whenever the meaning of stored features changes (tokeniser, hashing, weights), so
/// the pipeline knows to recompute old blobs.
pub const FEATURES_VERSION: u32 = 2;

/// Terms kept in an article vector. Measured on Reuters-21578 related-article P@5: more
/// terms add noise words, fewer lose the subject (see BENCHMARKS.md).
pub const VECTOR_TERMS: usize = 64;
/// Title words count this many times extra: a headline states the subject.
pub const TITLE_BOOST: f32 = 2.0;
/// Body words in the lead (with the title) that the lead vector describes: what an article
/// says first names its event; later paragraphs drift into background.
pub const LEAD_WORDS: usize = 60;
const KEYWORDS: usize = 10;
const ENTITIES: usize = 20;

/// What the pipeline knows about an article when it analyses it.
#[derive(Debug, Clone, Default)]
pub struct ArticleInput<'a> {
    pub title: &'a str,
    /// Plain text, paragraphs separated by blank lines.
    pub body: &'a str,
    /// Canonical URL, for section topics.
    pub url: Option<&'a str>,
    /// Feed `<category>` values, for section topics.
    pub categories: &'a [String],
    pub published: Option<Timestamp>,
    /// Language declared by the page (`<html lang>`), used when detection is unsure.
    pub lang_hint: Option<&'a str>,
}

/// Everything the understand stage derived from one article. Persist it whole as a blob
/// (serde); index the fields listed in the crate README.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleFeatures {
    pub version: u32,
    pub title: String,
    pub published: Option<Timestamp>,
    /// ISO 639-1 code used for analysis (detected, or the hint, or "en").
    pub lang: String,
    pub lang_guess: Option<LanguageGuess>,
    pub signature: NearDupSignature,
    /// TF-IDF vector of title + body (sublinear tf, title boosted, top terms, L2-normalised).
    pub vector: TermVector,
    /// Term ids of the title alone, sorted.
    pub title_terms: Vec<u64>,
    /// Most characteristic words (surface form), strongest first.
    pub keywords: Vec<String>,
    pub entities: Vec<Entity>,
    pub topics: Vec<Topic>,
    pub topic_source: TopicSource,
    /// TF-IDF vector of the title and the first [`LEAD_WORDS`] body words (version 2).
    #[serde(default)]
    pub lead: TermVector,
    /// The title's distinct terms weighted by IDF, L2-normalised (version 2).
    #[serde(default)]
    pub title_vector: TermVector,
}

/// Version 1 of [`ArticleFeatures`], as stored by earlier releases (postcard is
/// positional: old blobs decode into this and convert, with empty version-2 vectors).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ArticleFeaturesV1 {
    version: u32,
    title: String,
    published: Option<Timestamp>,
    lang: String,
    lang_guess: Option<LanguageGuess>,
    signature: NearDupSignature,
    vector: TermVector,
    title_terms: Vec<u64>,
    keywords: Vec<String>,
    entities: Vec<Entity>,
    topics: Vec<Topic>,
    topic_source: TopicSource,
}

impl From<ArticleFeaturesV1> for ArticleFeatures {
    fn from(v: ArticleFeaturesV1) -> Self {
        ArticleFeatures {
            version: v.version,
            title: v.title,
            published: v.published,
            lang: v.lang,
            lang_guess: v.lang_guess,
            signature: v.signature,
            vector: v.vector,
            title_terms: v.title_terms,
            keywords: v.keywords,
            entities: v.entities,
            topics: v.topics,
            topic_source: v.topic_source,
            lead: TermVector::default(),
            title_vector: TermVector::default(),
        }
    }
}

/// Result of [`analyze`]: the features plus the article's distinct term ids, which the
/// caller passes to [`DfStats::observe`] (kept out of the features to keep blobs small).
#[derive(Debug, Clone)]
pub struct Analysis {
    pub features: ArticleFeatures,
    pub distinct_terms: Vec<u64>,
}

/// Knobs of [`analyze_with`]; the defaults are what the product uses and what was measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalyzeOptions {
    pub vector_terms: usize,
    pub title_boost: f32,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            vector_terms: VECTOR_TERMS,
            title_boost: TITLE_BOOST,
        }
    }
}

/// Pick the analysis language: a reliable detection wins; otherwise the page's declared
/// language; otherwise the unreliable detection; otherwise English.
fn choose_lang(guess: Option<&LanguageGuess>, hint: Option<&str>) -> String {
    let hint = hint
        .map(|h| h.trim().to_ascii_lowercase())
        .and_then(|h| h.get(..2).map(str::to_string));
    match (guess, hint) {
        (Some(g), _) if g.reliable => g.code.clone(),
        (_, Some(h)) => h,
        (Some(g), None) => g.code.clone(),
        (None, None) => "en".to_string(),
    }
}

/// Analyse one article. `df` supplies IDF weights (an empty `DfStats` weighs every term
/// alike). Pure and deterministic; never panics on any input.
pub fn analyze(input: &ArticleInput<'_>, df: &DfStats) -> Analysis {
    analyze_with(input, df, &AnalyzeOptions::default())
}

/// [`analyze`] with explicit options (for evaluations).
pub fn analyze_with(input: &ArticleInput<'_>, df: &DfStats, opts: &AnalyzeOptions) -> Analysis {
    let mut probe = String::with_capacity(input.title.len() + 2_100);
    probe.push_str(input.title);
    probe.push('\n');
    probe.push_str(input.body.get(..2_000).unwrap_or(input.body));
    let lang_guess = detect_language(&probe);
    let lang = choose_lang(lang_guess.as_ref(), input.lang_hint);
    let analyzer = Analyzer::for_lang(&lang);

    // term id -> (tf including title boost, surface form first seen)
    let mut tf: HashMap<u64, (f32, String)> = HashMap::new();
    let mut title_terms = Vec::new();
    for (stem, surface) in analyzer.terms(input.title) {
        let id = hash_str(&stem);
        title_terms.push(id);
        tf.entry(id).or_insert((0.0, surface)).0 += 1.0 + opts.title_boost;
    }
    title_terms.sort_unstable();
    title_terms.dedup();
    // The lead: title (boosted as in the full vector) and the first body words.
    let mut lead_tf: HashMap<u64, f32> = HashMap::new();
    for (id, (n, _)) in &tf {
        lead_tf.insert(*id, *n);
    }
    let lead_words: String = input
        .body
        .split_whitespace()
        .take(LEAD_WORDS)
        .collect::<Vec<_>>()
        .join(" ");
    for (stem, _) in analyzer.terms(&lead_words) {
        *lead_tf.entry(hash_str(&stem)).or_default() += 1.0;
    }
    let lead = TermVector::from_weights(
        lead_tf
            .into_iter()
            .map(|(id, n)| (id, (1.0 + n.ln()) * df.idf(id)))
            .collect(),
        opts.vector_terms,
    );
    let title_vector = TermVector::from_weights(
        title_terms.iter().map(|t| (*t, df.idf(*t))).collect(),
        title_terms.len(),
    );
    for (stem, surface) in analyzer.terms(input.body) {
        tf.entry(hash_str(&stem)).or_insert((0.0, surface)).0 += 1.0;
    }
    let mut distinct_terms: Vec<u64> = tf.keys().copied().collect();
    distinct_terms.sort_unstable();

    let weighted: Vec<(u64, f32, &str)> = tf
        .iter()
        .map(|(id, (n, s))| (*id, (1.0 + n.ln()) * df.idf(*id), s.as_str()))
        .collect();
    let mut ranked = weighted.clone();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(b.2)));
    let keywords = ranked
        .iter()
        .take(KEYWORDS)
        .map(|(_, _, s)| s.to_string())
        .collect();
    let vector = TermVector::from_weights(
        weighted.iter().map(|(i, w, _)| (*i, *w)).collect(),
        opts.vector_terms,
    );

    let entities = extract_entities(input.title, input.body, &lang, ENTITIES);
    let (topics, topic_source) = assign_topics(input.url, input.categories, &vector);
    let features = ArticleFeatures {
        version: FEATURES_VERSION,
        title: input.title.trim().to_string(),
        published: input.published,
        lang,
        lang_guess,
        signature: signature(input.body),
        vector,
        title_terms,
        keywords,
        entities,
        topics,
        topic_source,
        lead,
        title_vector,
    };
    Analysis {
        features,
        distinct_terms,
    }
}

/// Distinct term ids of an article (what [`analyze`] returns as `distinct_terms`) without
/// the rest of the analysis: about ten times cheaper, for rebuilding [`DfStats`] from stored
/// titles and bodies. `lang` is the stored `ArticleFeatures::lang`.
pub fn term_ids(title: &str, body: &str, lang: &str) -> Vec<u64> {
    let a = Analyzer::for_lang(lang);
    let mut ids: Vec<u64> = a
        .terms(title)
        .chain(a.terms(body))
        .map(|(s, _)| hash_str(&s))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// An article's (or story's) entities as a vector: key hash -> `1 + ln(mentions)`,
/// L2-normalised, so entity agreement is a cosine that sums over story members.
pub fn entity_vector(entities: &[Entity]) -> TermVector {
    TermVector::from_weights(
        entities
            .iter()
            .map(|e| (entity_key_id(&e.key), 1.0 + (e.count.max(1) as f32).ln()))
            .collect(),
        entities.len(),
    )
}

/// Hash of an entity key for lookup tables, in a namespace apart from term ids.
pub fn entity_key_id(key: &str) -> u64 {
    hash_str(&format!("entity:{key}"))
}

impl ArticleFeatures {
    /// Keys for the database's candidate lookup (story clustering and related articles):
    /// the ids of the 8 heaviest terms and of the 6 most mentioned entities. Two articles on
    /// the same event almost always share one. Store as `(key as i64, article_id, published)`
    /// rows with an index on `key`.
    pub fn lookup_keys(&self) -> Vec<u64> {
        let mut k = self.vector.top_ids(8);
        k.extend(self.entities.iter().take(6).map(|e| entity_key_id(&e.key)));
        k.sort_unstable();
        k.dedup();
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyze_produces_consistent_features() {
        let body = "Michigan billionaire education activist Betsy DeVos was confirmed today to \
            serve as the secretary of education in President Trump's administration, after Vice \
            President Mike Pence cast a tie-breaking vote in the Senate. DeVos faced opposition \
            from teachers unions over school vouchers.";
        let input = ArticleInput {
            title: "Betsy DeVos Confirmed as Education Secretary",
            body,
            url: Some("http://abcnews.go.com/Politics/pence-break-tie-betsy-devos/story?id=1"),
            ..Default::default()
        };
        let a = analyze(&input, &DfStats::new());
        let f = &a.features;
        assert_eq!(f.lang, "en");
        assert_eq!(f.topics, [Topic::Politics]);
        assert_eq!(f.topic_source, TopicSource::Url);
        assert!(f.keywords.iter().any(|k| k == "devos"), "{:?}", f.keywords);
        assert!(f.entities.iter().any(|e| e.key == "betsy devos"));
        assert!((f.vector.dot(&f.vector) - 1.0).abs() < 1e-4);
        assert!(!f.title_terms.is_empty());
        assert!(a.distinct_terms.len() >= f.vector.terms.len());
        assert!(!f.lookup_keys().is_empty());
        assert_eq!(term_ids(input.title, input.body, &f.lang), a.distinct_terms);
        // Serde round trip: the store keeps it as a blob.
        let json = serde_json::to_string(f).unwrap_or_default();
        let back: Option<ArticleFeatures> = serde_json::from_str(&json).ok();
        assert_eq!(back.as_ref(), Some(f));
    }

    #[test]
    fn german_and_french_articles_use_their_own_stopwords_and_stemmers() {
        let de = ArticleInput {
            title: "Merkel verteidigt Flüchtlingspolitik im Bundestag",
            body: "Bundeskanzlerin Angela Merkel hat am Mittwoch im Bundestag ihre \
                Flüchtlingspolitik verteidigt. Die Opposition warf der Regierung vor, die \
                Kommunen mit den Kosten allein zu lassen. Merkel sagte, die Bundesregierung \
                werde die Länder und Kommunen weiter unterstützen.",
            ..Default::default()
        };
        let f = analyze(&de, &DfStats::new()).features;
        assert_eq!(f.lang, "de");
        assert!(
            f.keywords
                .iter()
                .all(|k| !["die", "und", "der", "hat", "mit"].contains(&k.as_str()))
        );
        assert!(
            f.keywords
                .iter()
                .any(|k| k.starts_with("flüchtlingspolitik")),
            "{:?}",
            f.keywords
        );
        let keys: Vec<&str> = f.entities.iter().map(|e| e.key.as_str()).collect();
        // Nouns are capitalised in German: only names are entities ("im Bundestag" reads as
        // a common noun by the rule, a known limit).
        assert_eq!(keys, ["angela merkel"]);

        let fr = ArticleInput {
            title: "Le gouvernement présente sa réforme des retraites",
            body: "Le Premier ministre Édouard Philippe a présenté mercredi la réforme des \
                retraites devant l'Assemblée nationale. Les syndicats ont annoncé une grève \
                pour protester contre cette réforme des retraites.",
            ..Default::default()
        };
        let f = analyze(&fr, &DfStats::new()).features;
        assert_eq!(f.lang, "fr");
        assert!(
            f.keywords.iter().any(|k| k.starts_with("retraite")),
            "{:?}",
            f.keywords
        );
        assert!(
            f.keywords
                .iter()
                .all(|k| !["les", "des", "la", "le"].contains(&k.as_str()))
        );
        assert!(
            f.entities.iter().any(|e| e.key == "édouard philippe"),
            "{:?}",
            f.entities
        );
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let long_word = "a".repeat(100_000);
        let many_caps = "Alpha Beta Gamma Delta ".repeat(5_000);
        let cases: Vec<&str> = vec![
            "",
            " ",
            "\u{0}\u{1}\u{7f}",
            "🙂🙂🙂 🚀 #hashtag @user",
            "北京市人民政府今天宣布新的经济政策。",
            "مرحبا بالعالم هذا نص عربي للاختبار",
            "Ünïcödé — “quotes” ‘single’ … l’État d’Italia",
            &long_word,
            &many_caps,
            "A. B. C. D. E. F. G.",
            "'s 's 's ’s",
            "\n\n\n\n",
        ];
        for c in &cases {
            for t in &cases {
                let input = ArticleInput {
                    title: t,
                    body: c,
                    url: Some("::not a url::/sport//x"),
                    categories: &["".to_string(), "Sport & Politics".to_string()],
                    published: Some(tidings_core::Timestamp(i64::MIN)),
                    lang_hint: Some("ü"),
                };
                let f = analyze(&input, &DfStats::new()).features;
                assert!(!f.topics.is_empty());
                let other = ArticleFeatures {
                    published: Some(tidings_core::Timestamp(i64::MAX)),
                    ..f.clone()
                };
                let _ = crate::stories::same_story(&f, &other);
            }
        }
    }

    #[test]
    fn empty_article_is_safe() {
        let a = analyze(&ArticleInput::default(), &DfStats::new());
        assert!(a.features.vector.is_empty());
        assert_eq!(a.features.topics, [Topic::World]);
        assert_eq!(a.features.lang, "en");
    }
}
