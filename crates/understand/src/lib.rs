//! Understanding articles: fingerprints and near-duplicates, language, keywords and named
//! entities, topics, related-article similarity and story clustering.
//!
//! Pure functions over text and small serialisable structs: no IO, no async, no database.
//! See `README.md` in this crate for how the pipeline calls it and what it must persist.

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
pub use related::{Related, RelatedDoc, context_vector, rank_related, related_score};
pub use stories::{Decision, StoryProfile, assign, representative_headline, same_story};
pub use topics::{TopicSource, assign_topics};
pub use vector::{DfStats, TermVector};

#[cfg(test)]
mod corpus_tests;
