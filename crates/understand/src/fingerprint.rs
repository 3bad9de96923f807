//! Exact fingerprints and near-duplicate signatures (MinHash with LSH band keys, SimHash).
//!
//! The crawler computes a [`NearDupSignature`] per article body, stores `exact` and the
//! [`band_keys`] in indexed columns, and for a new article looks up stored articles sharing
//! `exact` or any band key, then confirms each candidate with [`is_near_duplicate`].

use serde::{Deserialize, Serialize};

use crate::text::{hash_bytes, mix64, words};

/// Number of MinHash values per signature.
pub const MINHASH_LEN: usize = 128;
/// LSH bands; each band hashes `MINHASH_LEN / LSH_BANDS` consecutive MinHash values.
/// 32 bands of 4 rows find a pair with Jaccard 0.5 with probability 0.87, 0.6 with 0.99,
/// and a pair with Jaccard 0.2 only with probability 0.05 (few wasted candidate checks).
pub const LSH_BANDS: usize = 32;
const ROWS: usize = MINHASH_LEN / LSH_BANDS;
/// Words per shingle. Four keeps a copy with light edits (one changed word every 20) above
/// the threshold while two articles that merely share phrases stay far below it.
pub const SHINGLE_WORDS: usize = 4;
/// Estimated Jaccard similarity of shingle sets at or above which two bodies are copies.
pub const NEAR_DUP_JACCARD: f32 = 0.5;
/// Fewer shingles than this and a body is too short to call near-duplicate on text alone;
/// only the exact fingerprint applies.
pub const MIN_SHINGLES: u32 = 8;

/// Everything needed to find and confirm copies of an article. Serialisable for the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NearDupSignature {
    /// [`exact_fingerprint`] of the body.
    pub exact: u64,
    /// 64-bit SimHash of the shingles (kept for cheap Hamming checks; MinHash decides).
    pub simhash: u64,
    /// `MINHASH_LEN` minimum hash values over the shingle set (empty when no shingles).
    pub minhash: Vec<u32>,
    /// Number of distinct shingles (after chrome filtering).
    pub shingles: u32,
}

/// Hash of the body's lower-cased words joined by single spaces: equal for texts that differ
/// only in case, punctuation or whitespace.
pub fn exact_fingerprint(text: &str) -> u64 {
    let mut h: u64 = 0;
    for w in words(text) {
        // Chain word hashes so order matters and no joined string is allocated.
        h = mix64(h.rotate_left(5) ^ hash_bytes(w.as_bytes(), 0));
    }
    h
}

/// Paragraphs that look like page chrome (bylines, share/nav lines, wire credits) rather
/// than article prose: short paragraphs. Dropping them on both sides of a comparison makes a
/// syndicated copy with different chrome agree with its original. Only applied when the
/// remaining prose is still most of the text, so short articles keep all their words.
fn prose_words(text: &str) -> Vec<String> {
    const MIN_PARAGRAPH_WORDS: usize = 8;
    let mut kept = Vec::new();
    let mut all = Vec::new();
    for para in text.split('\n') {
        let w: Vec<String> = words(para).collect();
        if w.len() >= MIN_PARAGRAPH_WORDS {
            kept.extend(w.iter().cloned());
        }
        all.extend(w);
    }
    if kept.len() * 2 >= all.len() {
        kept
    } else {
        all
    }
}

/// Distinct shingle hashes of a body.
pub fn shingles(text: &str) -> Vec<u64> {
    let w = prose_words(text);
    let hashes: Vec<u64> = w.iter().map(|x| hash_bytes(x.as_bytes(), 0)).collect();
    let mut out: Vec<u64> = if hashes.len() < SHINGLE_WORDS {
        if hashes.is_empty() {
            Vec::new()
        } else {
            vec![hashes.iter().fold(0u64, |a, h| mix64(a ^ h))]
        }
    } else {
        hashes
            .windows(SHINGLE_WORDS)
            .map(|win| {
                win.iter().fold(0x9e37_79b9_7f4a_7c15u64, |a, h| {
                    mix64(a.rotate_left(17) ^ h)
                })
            })
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// Compute the signature of an article body.
pub fn signature(body: &str) -> NearDupSignature {
    let sh = shingles(body);
    let mut minhash = if sh.is_empty() {
        Vec::new()
    } else {
        vec![u32::MAX; MINHASH_LEN]
    };
    let mut bits = [0i32; 64];
    let seeds: Vec<u64> = (0..MINHASH_LEN).map(seed).collect();
    for &s in &sh {
        for (slot, sd) in minhash.iter_mut().zip(&seeds) {
            // One independent-looking permutation per slot from a single shingle hash.
            let v = (mix64(s ^ sd) >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
        for (b, bit) in bits.iter_mut().enumerate() {
            *bit += if (s >> b) & 1 == 1 { 1 } else { -1 };
        }
    }
    let simhash = bits.iter().enumerate().fold(
        0u64,
        |acc, (b, &v)| if v > 0 { acc | (1 << b) } else { acc },
    );
    NearDupSignature {
        exact: exact_fingerprint(body),
        simhash,
        minhash,
        shingles: sh.len() as u32,
    }
}

/// Seed of MinHash slot `i`, fixed forever: changing it invalidates every stored signature.
fn seed(i: usize) -> u64 {
    mix64((i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// LSH band keys to index: `LSH_BANDS` values, the band number mixed in so equal rows in
/// different bands do not collide. Empty for bodies too short to compare
/// (fewer than [`MIN_SHINGLES`] shingles). Store as signed 64-bit integers if the database
/// has no unsigned type (`key as i64`).
pub fn band_keys(sig: &NearDupSignature) -> Vec<u64> {
    if sig.shingles < MIN_SHINGLES || sig.minhash.len() != MINHASH_LEN {
        return Vec::new();
    }
    sig.minhash
        .chunks(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            let mut h = mix64(band as u64 + 1);
            for &r in rows {
                h = mix64(h ^ u64::from(r));
            }
            h
        })
        .collect()
}

/// Estimated Jaccard similarity of the two shingle sets (share of equal MinHash slots).
pub fn jaccard(a: &NearDupSignature, b: &NearDupSignature) -> f32 {
    if a.minhash.len() != MINHASH_LEN || b.minhash.len() != MINHASH_LEN {
        return 0.0;
    }
    let same = a
        .minhash
        .iter()
        .zip(&b.minhash)
        .filter(|(x, y)| x == y)
        .count();
    same as f32 / MINHASH_LEN as f32
}

/// Hamming distance of the SimHashes.
pub fn simhash_distance(a: &NearDupSignature, b: &NearDupSignature) -> u32 {
    (a.simhash ^ b.simhash).count_ones()
}

/// Whether `b` is a copy of `a` (or the reverse): identical normalised text, or both long
/// enough and estimated shingle Jaccard ≥ [`NEAR_DUP_JACCARD`].
pub fn is_near_duplicate(a: &NearDupSignature, b: &NearDupSignature) -> bool {
    if a.exact == b.exact && a.shingles > 0 {
        return true;
    }
    a.shingles >= MIN_SHINGLES && b.shingles >= MIN_SHINGLES && jaccard(a, b) >= NEAR_DUP_JACCARD
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Michigan billionaire education activist Betsy DeVos was confirmed today to serve \
        as the secretary of education in President Trump's administration, after Vice President \
        Mike Pence cast a tie-breaking vote in the Senate. The Senate voted on the highly \
        contentious nomination this afternoon, and the tally was split evenly, requiring Pence to \
        use his authority as president of the upper chamber of Congress to break the impasse.";

    #[test]
    fn exact_ignores_case_and_punctuation_only() {
        let a = exact_fingerprint("Hello, World!  Again.");
        assert_eq!(a, exact_fingerprint("hello world again"));
        assert_ne!(a, exact_fingerprint("world hello again"));
        assert_ne!(a, exact_fingerprint("hello world again too"));
    }

    #[test]
    fn chrome_lines_do_not_break_a_copy() {
        let copy =
            format!("By Jane Doe, Reuters\n\nShare this article\n\n{TEXT}\n\nRead more: politics");
        let (a, b) = (signature(TEXT), signature(&copy));
        assert_ne!(a.exact, b.exact);
        assert!(jaccard(&a, &b) > 0.9, "{}", jaccard(&a, &b));
        assert!(is_near_duplicate(&a, &b));
        let shared = band_keys(&a)
            .iter()
            .filter(|k| band_keys(&b).contains(k))
            .count();
        assert!(shared > 0);
    }

    #[test]
    fn different_text_is_not_a_copy() {
        let other = "Senate Democrats staged a 24-hour marathon of speeches urging one more Republican \
            to vote against the nominee, citing her support for school vouchers and her lack of \
            experience with public schools, while teachers unions organised protests nationwide.";
        let (a, b) = (signature(TEXT), signature(other));
        assert!(jaccard(&a, &b) < 0.1);
        assert!(!is_near_duplicate(&a, &b));
    }

    #[test]
    fn empty_and_tiny_texts_are_safe() {
        let e = signature("");
        assert!(e.minhash.is_empty());
        assert!(band_keys(&e).is_empty());
        assert!(!is_near_duplicate(&e, &signature("")));
        let t = signature("Short note.");
        assert_eq!(t.shingles, 1);
        assert!(band_keys(&t).is_empty());
        assert!(is_near_duplicate(&t, &signature("short NOTE")));
    }
}
