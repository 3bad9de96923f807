//! Understanding articles: fingerprints and near-duplicates, language, keywords and named
//! entities, topics, related-article similarity and story clustering.
//!
//! Pure functions over text and small serialisable structs: no IO, no async, no database.
//! See `README.md` in this crate for how the pipeline calls it and what it must persist.

pub mod fingerprint;
pub mod lang;
pub mod text;
