//! AI features for Tidings: per article a summary, key points, answers to a reader's
//! question grounded in the article, and translation; per story a neutral summary of what
//! its sources agree on and where they differ, citing each source.
//!
//! Two providers behind one trait, [`Provider`]:
//! - [`Builtin`]: offline, extractive, pure and fast (runs at ingest). It never invents a
//!   word: every sentence it returns is a sentence of the article. It cannot translate.
//! - [`OpenAiCompatible`]: any `/v1/chat/completions` server (Ollama, llama.cpp server,
//!   vLLM, OpenAI), with streaming answers ([`DeltaStream`]) the web layer forwards as SSE.
//!
//! [`AnyProvider`] picks one at run time from configuration. The crate reads no
//! configuration and stores nothing: the caller passes settings and caches results under
//! [`cache_key`]. Everything returned for the reader is [`PlainText`], never HTML.
//!
//! ```
//! use tidings_ai::{ArticleText, Builtin};
//! use tidings_core::ArticleId;
//!
//! let text = "The city council approved a new budget of $3.5 million on Monday. \
//!     Mayor Jane Doe said the money would repair 12 bridges. \
//!     Work starts in May and ends in 2026. Critics said the plan ignores buses.";
//! let article = ArticleText::new(ArticleId(1), "Council passes budget", text);
//! let summary = Builtin::default().summarize(&article).unwrap();
//! assert!(summary.sentences[0].as_str().starts_with("The city council approved"));
//! let answer = Builtin::default().answer(&article, "How many bridges will be repaired?").unwrap();
//! assert!(answer.answered);
//! assert!(answer.quotes[0].text.as_str().contains("12 bridges"));
//! ```

mod builtin;
mod error;
pub mod openai;
mod plain;
mod prompt;
mod provider;
pub mod text;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tidings_core::ArticleId;

pub use builtin::{Builtin, clean_question};
pub use error::AiError;
pub use openai::{OpenAiCompatible, OpenAiConfig};
pub use plain::PlainText;
pub use prompt::{PROMPT_VERSION, Prompt, answer_from_model_text};
pub use provider::{AnyProvider, DeltaStream, Partial, Provider, collect_stream};

/// Input caps: an article longer than this is cut (and results say so). They bound the
/// work per request for both providers and the prompt size sent to a model.
pub mod limits {
    /// Article text considered, in bytes (about 4,000 words).
    pub const MAX_ARTICLE_BYTES: usize = 24_000;
    /// Sentences considered per article.
    pub const MAX_SENTENCES: usize = 400;
    /// A reader's question, in characters.
    pub const MAX_QUESTION_CHARS: usize = 300;
    /// Articles considered per story.
    pub const MAX_STORY_SOURCES: usize = 8;
    /// Per story source, bytes of text sent to a model.
    pub const MAX_STORY_SOURCE_BYTES: usize = 4_000;
    /// One output sentence or point, in characters.
    pub const MAX_OUTPUT_SENTENCE_CHARS: usize = 500;
    /// A whole model answer, in characters (streams stop there).
    pub const MAX_OUTPUT_CHARS: usize = 16_000;
}

/// An article as the AI features see it. `text` is plain text, paragraphs separated by
/// blank lines. It is data, never instructions: providers frame it as untrusted.
#[derive(Debug, Clone, Copy)]
pub struct ArticleText<'a> {
    pub id: ArticleId,
    pub title: &'a str,
    pub text: &'a str,
    /// ISO 639-1 code ("en"), as detected at ingest; "" if unknown.
    pub lang: &'a str,
    /// Publisher name or host, used to cite it in story summaries.
    pub source: &'a str,
    pub published_ms: Option<i64>,
}

impl<'a> ArticleText<'a> {
    /// An English article with no source or date (tests, examples).
    pub fn new(id: ArticleId, title: &'a str, text: &'a str) -> Self {
        ArticleText {
            id,
            title,
            text,
            lang: "en",
            source: "",
            published_ms: None,
        }
    }
}

/// The features, as stored in the `ai_results.feature` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    Summary,
    KeyPoints,
    Ask,
    Translate,
    StorySummary,
}

impl Feature {
    pub const ALL: [Feature; 5] = [
        Feature::Summary,
        Feature::KeyPoints,
        Feature::Ask,
        Feature::Translate,
        Feature::StorySummary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Summary => "summary",
            Feature::KeyPoints => "key_points",
            Feature::Ask => "ask",
            Feature::Translate => "translate",
            Feature::StorySummary => "story_summary",
        }
    }

    pub fn parse(s: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A 3–5 sentence summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub sentences: Vec<PlainText>,
    /// The article was longer than [`limits::MAX_ARTICLE_BYTES`]; only its start was read.
    pub input_truncated: bool,
}

/// Key points as bullets, plus the article's keywords and named entities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPoints {
    pub points: Vec<PlainText>,
    /// Empty from model providers.
    pub keywords: Vec<PlainText>,
    /// Empty from model providers.
    pub entities: Vec<PlainText>,
    pub input_truncated: bool,
}

/// A sentence of the article that supports an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// The sentence, verbatim from the article.
    pub text: PlainText,
    /// Paragraph number, from 0.
    pub paragraph: usize,
    /// Sentence number in the article, from 0 (as split by [`text::sentences`]).
    pub sentence: usize,
}

/// An answer to a reader's question about one article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// False when the article does not answer the question; `text` then says so plainly.
    pub answered: bool,
    pub text: PlainText,
    /// The sentences supporting the answer, verbatim from the article (checked against it:
    /// a model's citation of a sentence that is not there is dropped).
    pub quotes: Vec<Quote>,
}

impl Answer {
    /// Answered with at least one quote from the article. A model may answer without
    /// citing (or cite only sentences that do not exist, which are dropped): show such an
    /// answer marked as unsupported by quotes.
    pub fn is_grounded(&self) -> bool {
        self.answered && !self.quotes.is_empty()
    }
}

/// An article translated by a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    /// The target language as asked for (a tag such as "de" or "pt-BR").
    pub lang: String,
    pub title: PlainText,
    pub paragraphs: Vec<PlainText>,
    /// Only the start of the article was translated (see [`limits::MAX_ARTICLE_BYTES`]).
    pub input_truncated: bool,
}

/// A source of a story, as cited by its claims (by index into [`StorySummary::sources`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    pub article_id: ArticleId,
    pub source: PlainText,
    pub title: PlainText,
}

/// A statement and the sources that support it (indices into [`StorySummary::sources`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub text: PlainText,
    pub sources: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DifferenceKind {
    /// The sources report the same point with different figures or facts.
    Conflict,
    /// Only some of the sources report this.
    OnlyIn,
}

/// Where the sources differ: for a conflict, one claim per side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub kind: DifferenceKind,
    pub claims: Vec<Claim>,
}

/// A neutral summary of a story across its sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorySummary {
    pub sources: Vec<SourceRef>,
    /// What several sources report alike (each claim cites at least two, unless the story
    /// has one source).
    pub agreed: Vec<Claim>,
    pub differences: Vec<Difference>,
}

/// The chat messages a model provider sends for `feature`: for logging, debugging and other
/// model back ends. `articles` is one article (several for [`Feature::StorySummary`]);
/// `extra` is the question ([`Feature::Ask`]) or the language tag ([`Feature::Translate`]).
pub fn chat_prompt(
    feature: Feature,
    articles: &[ArticleText<'_>],
    extra: &str,
) -> Result<Prompt, AiError> {
    let first = articles
        .first()
        .ok_or_else(|| AiError::InvalidInput("no article".into()))?;
    Ok(match feature {
        Feature::Summary => prompt::summary(first).0,
        Feature::KeyPoints => prompt::key_points(first).0,
        Feature::Ask => prompt::ask(first, &builtin::clean_question(extra)?),
        Feature::Translate => prompt::translate(first, &prompt::language_name(extra)?.1).0,
        Feature::StorySummary => {
            let n = articles.len().min(limits::MAX_STORY_SOURCES);
            prompt::story(articles.get(..n).unwrap_or(articles))
        }
    })
}

/// The key of a cached result in the `ai_results` table.
///
/// `subject` names what the result is about: `"article:123"`, `"story:45"`. `extra` is the
/// question for [`Feature::Ask`] and the target language for [`Feature::Translate`] (case
/// and spacing are normalised, so "What  is X?" and "what is x?" share a result); pass ""
/// otherwise. For a story, put something that changes when its members change into
/// `extra` (for example the sorted member ids), or delete its rows when it changes.
///
/// The key keeps the subject and feature readable (for operators) and ends in a SHA-256 of
/// every field, length-prefixed, so no two different inputs share a key.
pub fn cache_key(
    subject: &str,
    feature: Feature,
    provider: &str,
    model: &str,
    prompt_version: u32,
    extra: &str,
) -> String {
    let extra_norm = normalize_extra(extra);
    let mut h = Sha256::new();
    for part in [
        subject,
        feature.as_str(),
        provider,
        model,
        &prompt_version.to_string(),
        &extra_norm,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let readable: String = subject
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-' || *c == '_')
        .take(64)
        .collect();
    format!("{readable}/{}/v{prompt_version}/{hex}", feature.as_str())
}

fn normalize_extra(extra: &str) -> String {
    extra
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keys_differ_per_field_and_normalise_questions() {
        let k = |s: &str, f, p: &str, m: &str, v, e: &str| cache_key(s, f, p, m, v, e);
        let base = k(
            "article:1",
            Feature::Ask,
            "openai",
            "llama3:8b",
            1,
            "Who won?",
        );
        assert!(base.starts_with("article:1/ask/v1/"), "{base}");
        assert_eq!(
            base,
            k(
                "article:1",
                Feature::Ask,
                "openai",
                "llama3:8b",
                1,
                "  who   WON? "
            )
        );
        for other in [
            k(
                "article:2",
                Feature::Ask,
                "openai",
                "llama3:8b",
                1,
                "Who won?",
            ),
            k(
                "article:1",
                Feature::Summary,
                "openai",
                "llama3:8b",
                1,
                "Who won?",
            ),
            k(
                "article:1",
                Feature::Ask,
                "builtin",
                "llama3:8b",
                1,
                "Who won?",
            ),
            k(
                "article:1",
                Feature::Ask,
                "openai",
                "llama3:70b",
                1,
                "Who won?",
            ),
            k(
                "article:1",
                Feature::Ask,
                "openai",
                "llama3:8b",
                2,
                "Who won?",
            ),
            k(
                "article:1",
                Feature::Ask,
                "openai",
                "llama3:8b",
                1,
                "Who lost?",
            ),
            // Length prefixes: moving a character between fields changes the key.
            k(
                "article:1",
                Feature::Ask,
                "openai",
                "llama3:8bW",
                1,
                "ho won?",
            ),
        ] {
            assert_ne!(base, other);
        }
        assert!(base.len() < 100);
    }

    #[test]
    fn chat_prompts_per_feature() {
        let a = ArticleText::new(ArticleId(1), "T", "One sentence here. Another one there.");
        let b = ArticleText {
            id: ArticleId(2),
            ..a
        };
        let p = chat_prompt(Feature::StorySummary, &[a, b], "");
        assert!(p.is_ok_and(|p| p.user.contains("[S2]")));
        let p = chat_prompt(Feature::Ask, &[a], "Why?");
        assert!(p.is_ok_and(|p| p.user.contains("[2] Another one there.")));
        assert!(chat_prompt(Feature::Ask, &[a], " ").is_err());
        assert!(chat_prompt(Feature::Translate, &[a], "not a tag!").is_err());
        assert!(chat_prompt(Feature::Summary, &[], "").is_err());
    }

    #[test]
    fn features_round_trip() {
        for f in Feature::ALL {
            assert_eq!(Feature::parse(f.as_str()), Some(f));
        }
        assert_eq!(Feature::parse("nope"), None);
    }
}
