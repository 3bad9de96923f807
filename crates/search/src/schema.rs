//! The index schema and the per-language analyzers.
//!
//! Each article is analysed in its own language: its title and text go to the fields of that
//! language's group (`title_de`, `text_de`), whose analyzer stems with the Snowball stemmer
//! of that language. A query is analysed once per language group present in the index and
//! each group is searched with its own terms, so a German article is found by a German
//! inflection of the word and an English one by an English inflection, and BM25 statistics
//! stay per language. Languages without a stemmer share the `xx` group (lower-casing and
//! accent folding only).

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenizerManager,
};

/// Bumped when the schema or the analysis changes meaning: an index written with another
/// version is rebuilt on open (the caller reindexes from the database).
pub const SCHEMA_VERSION: u32 = 1;

/// A language group: an ISO 639-1 code and the stemmer used for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LangGroup {
    pub code: &'static str,
    pub stemmer: Option<Language>,
}

/// All groups; the last one (`xx`) is the fallback for every other language.
pub const GROUPS: [LangGroup; 19] = [
    LangGroup {
        code: "en",
        stemmer: Some(Language::English),
    },
    LangGroup {
        code: "de",
        stemmer: Some(Language::German),
    },
    LangGroup {
        code: "fr",
        stemmer: Some(Language::French),
    },
    LangGroup {
        code: "es",
        stemmer: Some(Language::Spanish),
    },
    LangGroup {
        code: "it",
        stemmer: Some(Language::Italian),
    },
    LangGroup {
        code: "pt",
        stemmer: Some(Language::Portuguese),
    },
    LangGroup {
        code: "nl",
        stemmer: Some(Language::Dutch),
    },
    LangGroup {
        code: "sv",
        stemmer: Some(Language::Swedish),
    },
    LangGroup {
        code: "da",
        stemmer: Some(Language::Danish),
    },
    LangGroup {
        code: "no",
        stemmer: Some(Language::Norwegian),
    },
    LangGroup {
        code: "fi",
        stemmer: Some(Language::Finnish),
    },
    LangGroup {
        code: "ro",
        stemmer: Some(Language::Romanian),
    },
    LangGroup {
        code: "hu",
        stemmer: Some(Language::Hungarian),
    },
    LangGroup {
        code: "ru",
        stemmer: Some(Language::Russian),
    },
    LangGroup {
        code: "tr",
        stemmer: Some(Language::Turkish),
    },
    LangGroup {
        code: "el",
        stemmer: Some(Language::Greek),
    },
    LangGroup {
        code: "ar",
        stemmer: Some(Language::Arabic),
    },
    LangGroup {
        code: "ta",
        stemmer: Some(Language::Tamil),
    },
    LangGroup {
        code: "xx",
        stemmer: None,
    },
];

/// Index of the fallback group in [`GROUPS`].
pub const FALLBACK_GROUP: usize = GROUPS.len() - 1;

/// The group index for an ISO 639-1 code (case-insensitive; `nb`/`nn` are Norwegian).
pub fn group_of(lang: &str) -> usize {
    let code = lang.trim().to_ascii_lowercase();
    let code = match code.as_str() {
        "nb" | "nn" => "no",
        // "en-GB", "pt_BR": the primary subtag decides.
        c => c.split(['-', '_']).next().unwrap_or(c),
    };
    GROUPS
        .iter()
        .position(|g| g.code == code)
        .unwrap_or(FALLBACK_GROUP)
}

/// Tokens longer than this are dropped (base64 blobs, URLs glued together).
const MAX_TOKEN_BYTES: usize = 40;

/// The analyzer of one group: words (Unicode alphanumeric runs), long tokens dropped,
/// lower-cased, stopwords removed where tantivy has a list, Snowball-stemmed, then accents
/// folded (after stemming, since the Snowball rules expect accented input), so a query typed
/// without accents still matches.
pub fn analyzer(group: LangGroup) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser);
    match group.stemmer {
        Some(lang) => match StopWordFilter::new(lang) {
            Some(stop) => base
                .filter(stop)
                .filter(Stemmer::new(lang))
                .filter(AsciiFoldingFilter)
                .build(),
            None => base
                .filter(Stemmer::new(lang))
                .filter(AsciiFoldingFilter)
                .build(),
        },
        None => base.filter(AsciiFoldingFilter).build(),
    }
}

/// Name under which a group's analyzer is registered with the index.
fn tokenizer_name(group: LangGroup) -> String {
    format!("tidings_{}", group.code)
}

/// Register every analyzer on an index's tokenizer manager (tokenizers are not persisted by
/// tantivy, so this runs on every open).
pub fn register(manager: &TokenizerManager) {
    for g in GROUPS {
        manager.register(&tokenizer_name(g), analyzer(g));
    }
}

/// Handles to every field.
#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub published: Field,
    pub source_id: Field,
    pub source_name: Field,
    pub lang: Field,
    pub topics: Field,
    pub story_id: Field,
    /// Stored only: the original texts, for display and snippets.
    pub title: Field,
    pub description: Field,
    pub body: Field,
    pub url: Field,
    /// Per group (same order as [`GROUPS`]): analysed title and text (description, body,
    /// keywords), indexed with positions for phrase queries, not stored.
    pub title_by_group: Vec<Field>,
    pub text_by_group: Vec<Field>,
}

impl Fields {
    pub fn title_field(&self, group: usize) -> Option<Field> {
        self.title_by_group.get(group).copied()
    }
    pub fn text_field(&self, group: usize) -> Option<Field> {
        self.text_by_group.get(group).copied()
    }
}

/// Build the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_i64_field("id", INDEXED | FAST | STORED);
    let published = b.add_i64_field("published", INDEXED | FAST | STORED);
    let source_id = b.add_i64_field("source_id", INDEXED | FAST | STORED);
    let story_id = b.add_i64_field("story_id", FAST | STORED);
    let fallback = GROUPS[FALLBACK_GROUP];
    let source_name = b.add_text_field(
        "source_name",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(&tokenizer_name(fallback))
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let lang = b.add_text_field("lang", STRING | STORED);
    let topics = b.add_text_field("topics", STRING | STORED);
    let title = b.add_text_field("title", STORED);
    let description = b.add_text_field("description", STORED);
    let body = b.add_text_field("body", STORED);
    let url = b.add_text_field("url", STORED);
    let mut title_by_group = Vec::with_capacity(GROUPS.len());
    let mut text_by_group = Vec::with_capacity(GROUPS.len());
    for g in GROUPS {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(&tokenizer_name(g))
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        title_by_group.push(b.add_text_field(&format!("title_{}", g.code), opts.clone()));
        text_by_group.push(b.add_text_field(&format!("text_{}", g.code), opts));
    }
    (
        b.build(),
        Fields {
            id,
            published,
            source_id,
            source_name,
            lang,
            topics,
            story_id,
            title,
            description,
            body,
            url,
            title_by_group,
            text_by_group,
        },
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use tantivy::tokenizer::TokenStream;

    fn tokens(lang: &str, text: &str) -> Vec<String> {
        let mut a = analyzer(GROUPS[group_of(lang)]);
        let mut s = a.token_stream(text);
        let mut out = vec![];
        while s.advance() {
            out.push(s.token().text.clone());
        }
        out
    }

    #[test]
    fn groups_map_codes() {
        assert_eq!(GROUPS[group_of("de")].code, "de");
        assert_eq!(GROUPS[group_of("EN-gb")].code, "en");
        assert_eq!(GROUPS[group_of("nb")].code, "no");
        assert_eq!(GROUPS[group_of("zh")].code, "xx");
        assert_eq!(GROUPS[group_of("")].code, "xx");
    }

    #[test]
    fn analysis_stems_per_language_and_folds_accents() {
        assert_eq!(
            tokens("en", "The elections were running"),
            ["elect", "were", "run"]
        );
        assert_eq!(tokens("de", "Die Wahlen"), ["wahl"]);
        assert_eq!(tokens("fr", "les élections"), ["elect"]);
        assert_eq!(tokens("zh", "Café ÜBER"), ["cafe", "uber"]);
    }
}
