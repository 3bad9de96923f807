//! Understanding articles: fingerprints and near-duplicates, language, keywords and named
//! entities, topics, related-article similarity and story clustering.
//!
//! Pure functions over text and small serialisable structs: no IO, no async, no database.
//! See `README.md` in this crate for how the pipeline calls it and what it must persist.
//!
//! The per-article flow, with the database lookups replaced by in-memory slices:
//!
//! ```
//! use tidings_core::{ArticleId, StoryId, Timestamp};
//! use tidings_understand::stories::{CopyCandidate, StoryCandidate};
//! use tidings_understand::*;
//!
//! let mut df = DfStats::new(); // persisted by the pipeline
//! let body = "Vice President Mike Pence cast a tie-breaking vote on Tuesday to confirm Betsy \
//!     DeVos as education secretary after the Senate split 50-50 on her nomination.";
//! let input = ArticleInput {
//!     title: "Pence breaks tie to confirm DeVos",
//!     body,
//!     url: Some("https://example.com/politics/devos-confirmed"),
//!     published: Timestamp::parse_rfc3339("2017-02-07T18:00:00Z"),
//!     ..Default::default()
//! };
//! let analysis = analyze(&input, &df);
//! df.observe(&analysis.distinct_terms);
//! let first = analysis.features; // store as a blob; index exact fingerprint, band keys, lookup keys
//! assert_eq!(first.topics, [tidings_core::Topic::Politics]);
//!
//! // No candidates yet: a new story starts.
//! assert_eq!(assign(&first, &[], &[]), Decision::New);
//! let story = StoryProfile::new(&first);
//!
//! // A syndicated copy with other page chrome arrives; the band-key lookup finds the original.
//! let copy_body = format!("By Staff and agencies\n\n{body}\n\nShare this article");
//! let copy = analyze(&ArticleInput { body: &copy_body, ..input.clone() }, &df).features;
//! let copies = [CopyCandidate { article: ArticleId(1), story: StoryId(1), signature: &first.signature }];
//! let stories = [StoryCandidate { story: StoryId(1), profile: &story }];
//! assert!(matches!(assign(&copy, &copies, &stories), Decision::Copy { story: StoryId(1), .. }));
//! ```

pub mod blob;
pub mod entities;
pub mod features;
pub mod fingerprint;
pub mod lang;
pub mod related;
pub mod stories;
pub mod text;
pub mod topics;
pub mod vector;

pub use entities::{Entity, extract_entities};
pub use features::{Analysis, ArticleFeatures, ArticleInput, FEATURES_VERSION, analyze};
pub use fingerprint::{
    NearDupSignature, band_keys, exact_fingerprint, is_near_duplicate, signature,
};
pub use lang::{LanguageGuess, detect_language};
pub use related::{
    CONTEXT_NEIGHBOURS, Related, RelatedDoc, context_vector, context_vector_scored, query_context,
    rank_related, related_score,
};
pub use stories::{Decision, StoryProfile, assign, representative_headline, same_story};
pub use topics::{TopicSource, assign_topics};
pub use vector::{DfStats, TermVector};

#[cfg(test)]
mod corpus_tests;
