//! The stored form of features, context vectors and story profiles.
//!
//! A format byte, then postcard (compact binary serde). JSON, the first form,
//! cost the crawl most of its related-articles time: each related job decoded
//! ~500 blobs of ~4 KB of decimal term ids. Blobs written as JSON (first byte
//! `{`) are still read, so a database from an older release keeps working.
//!
//! Postcard is positional: a change to a stored struct's fields or enum
//! variants needs a new format byte (and the old one kept readable).

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Postcard encoding of the structs as they are in this release.
const POSTCARD_V1: u8 = 1;

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
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, BlobError> {
    Ok(postcard::to_extend(value, vec![POSTCARD_V1])?)
}

/// Decode a stored blob of either form.
pub fn decode<T: DeserializeOwned>(blob: &[u8]) -> Result<T, BlobError> {
    match blob.split_first() {
        None => Err(BlobError::Empty),
        Some((&POSTCARD_V1, rest)) => Ok(postcard::from_bytes(rest)?),
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
