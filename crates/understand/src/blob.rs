//! The stored form of features, context vectors and story profiles.
//!
//! A format byte, then postcard (compact binary serde). JSON, the first form,
//! cost the crawl most of its related-articles time: each related job decoded
//! ~500 blobs of ~4 KB of decimal term ids. Blobs written as JSON (first byte
//! `{`) are still read, so a database from an older release keeps working.
//!
//! Postcard is positional: a change to a stored struct's fields or enum
//! variants needs a new format byte (and the old one kept readable): each
//! stored type says, through [`Stored`], how its format-1 form is read.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::features::{ArticleFeatures, ArticleFeaturesV1};
use crate::stories::{StoryProfile, StoryProfileV1};
use crate::vector::TermVector;

/// Postcard encoding of the structs of the first binary release.
const POSTCARD_V1: u8 = 1;
/// Postcard encoding of the structs as they are in this release (features with lead
/// and title vectors, story profiles with member sums).
const POSTCARD_V2: u8 = 2;

/// A type stored as a blob, with how its format-1 encoding is read.
pub trait Stored: Serialize + DeserializeOwned {
    /// Decode a format-1 postcard body. Types unchanged since format 1 read it as is.
    fn from_v1(body: &[u8]) -> Result<Self, postcard::Error> {
        postcard::from_bytes(body)
    }
}

impl Stored for TermVector {}

impl Stored for ArticleFeatures {
    fn from_v1(body: &[u8]) -> Result<Self, postcard::Error> {
        postcard::from_bytes::<ArticleFeaturesV1>(body).map(Into::into)
    }
}

impl Stored for StoryProfile {
    fn from_v1(body: &[u8]) -> Result<Self, postcard::Error> {
        postcard::from_bytes::<StoryProfileV1>(body).map(Into::into)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("empty blob")]
    Empty,
    #[error("unknown blob format {0}")]
    UnknownFormat(u8),
    #[error("corrupt blob: {0}")]
    Postcard(#[from] postcard::Error),
    #[error("corrupt JSON blob: {0}")]
    Json(#[from] serde_json::Error),
}

/// Encode for storage.
pub fn encode<T: Stored>(value: &T) -> Result<Vec<u8>, BlobError> {
    Ok(postcard::to_extend(value, vec![POSTCARD_V2])?)
}

/// Decode a stored blob of either form.
pub fn decode<T: Stored>(blob: &[u8]) -> Result<T, BlobError> {
    match blob.split_first() {
        None => Err(BlobError::Empty),
        Some((&POSTCARD_V2, rest)) => Ok(postcard::from_bytes(rest)?),
        Some((&POSTCARD_V1, rest)) => Ok(T::from_v1(rest)?),
        Some((b'{' | b'[', _)) => Ok(serde_json::from_slice(blob)?),
        Some((&other, _)) => Err(BlobError::UnknownFormat(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{ArticleFeatures, ArticleInput, analyze};
    use crate::stories::StoryProfile;
    use crate::vector::{DfStats, TermVector};

    fn features() -> ArticleFeatures {
        analyze(
            &ArticleInput {
                title: "Oil prices rise after OPEC output deal",
                body: "Crude oil prices rose on Monday after OPEC members agreed to cut output, \
                       traders said. Brent crude gained two dollars a barrel as Saudi Arabia \
                       backed the deal in Vienna, said Energy Minister Khalid al-Falih.",
                url: Some("https://example.com/business/oil"),
                ..Default::default()
            },
            &DfStats::new(),
        )
        .features
    }

    #[test]
    fn round_trips_and_is_smaller_than_json() {
        let f = features();
        let blob = encode(&f).unwrap_or_default();
        let json = serde_json::to_vec(&f).unwrap_or_default();
        assert_eq!(decode::<ArticleFeatures>(&blob).ok().as_ref(), Some(&f));
        assert!(
            blob.len() * 2 < json.len(),
            "{} vs {}",
            blob.len(),
            json.len()
        );
        let profile = StoryProfile::new(&f);
        let blob = encode(&profile).unwrap_or_default();
        assert_eq!(decode::<StoryProfile>(&blob).ok(), Some(profile));
        let blob = encode(&f.vector).unwrap_or_default();
        assert_eq!(decode::<TermVector>(&blob).ok(), Some(f.vector));
    }

    #[test]
    fn reads_format_1_blobs() {
        // Written by the previous release: the version-1 fields in postcard, format byte 1.
        #[derive(Serialize)]
        struct V1<'a> {
            version: u32,
            title: &'a str,
            published: Option<tidings_core::Timestamp>,
            lang: &'a str,
            lang_guess: Option<crate::lang::LanguageGuess>,
            signature: &'a crate::fingerprint::NearDupSignature,
            vector: &'a TermVector,
            title_terms: &'a [u64],
            keywords: &'a [String],
            entities: &'a [crate::entities::Entity],
            topics: &'a [tidings_core::Topic],
            topic_source: crate::topics::TopicSource,
        }
        let f = features();
        let old = V1 {
            version: 1,
            title: &f.title,
            published: f.published,
            lang: &f.lang,
            lang_guess: f.lang_guess.clone(),
            signature: &f.signature,
            vector: &f.vector,
            title_terms: &f.title_terms,
            keywords: &f.keywords,
            entities: &f.entities,
            topics: &f.topics,
            topic_source: f.topic_source,
        };
        let blob = postcard::to_extend(&old, vec![POSTCARD_V1]).unwrap_or_default();
        let back = decode::<ArticleFeatures>(&blob).ok();
        assert_eq!(back.as_ref().map(|b| &b.vector), Some(&f.vector));
        assert_eq!(back.as_ref().map(|b| b.lead.is_empty()), Some(true));
        // An old story profile becomes a profile whose sums stand in for its centroid.
        #[derive(Serialize)]
        struct P1<'a> {
            centroid: &'a TermVector,
            entities: &'a [crate::entities::Entity],
            first: Option<tidings_core::Timestamp>,
            last: Option<tidings_core::Timestamp>,
            articles: u32,
            copies: u32,
        }
        let p1 = P1 {
            centroid: &f.vector,
            entities: &f.entities,
            first: f.published,
            last: f.published,
            articles: 3,
            copies: 1,
        };
        let blob = postcard::to_extend(&p1, vec![POSTCARD_V1]).unwrap_or_default();
        let p = decode::<StoryProfile>(&blob).ok();
        assert_eq!(p.as_ref().map(|p| (p.articles, p.copies)), Some((3, 1)));
        assert!(p.is_some_and(|p| (p.sums.body.dot(&f.vector) - 3.0).abs() < 1e-3));
    }

    #[test]
    fn reads_blobs_written_as_json() {
        let f = features();
        let json = serde_json::to_vec(&f).unwrap_or_default();
        assert_eq!(decode::<ArticleFeatures>(&json).ok(), Some(f));
    }

    #[test]
    fn bad_blobs_are_errors() {
        assert!(matches!(decode::<TermVector>(&[]), Err(BlobError::Empty)));
        assert!(matches!(
            decode::<TermVector>(&[7, 1, 2]),
            Err(BlobError::UnknownFormat(7))
        ));
        let blob = encode(&features()).unwrap_or_default();
        let cut = blob.get(..blob.len() / 2).unwrap_or_default();
        assert!(matches!(
            decode::<ArticleFeatures>(cut),
            Err(BlobError::Postcard(_))
        ));
        assert!(matches!(
            decode::<ArticleFeatures>(b"{\"version\": 1"),
            Err(BlobError::Json(_))
        ));
    }
}
