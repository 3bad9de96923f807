//! Sparse term vectors and document-frequency statistics.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A sparse, L2-normalised vector of `(term id, weight)` sorted by term id. Term ids are
/// [`crate::text::hash_str`] of stems, so vectors from different processes agree.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TermVector {
    pub terms: Vec<(u64, f32)>,
}

impl TermVector {
    /// Build from unsorted weights: keep the `max_terms` heaviest, sort by id, L2-normalise.
    pub fn from_weights(mut weights: Vec<(u64, f32)>, max_terms: usize) -> Self {
        weights.retain(|(_, w)| *w > 0.0 && w.is_finite());
        keep_heaviest(&mut weights, max_terms);
        weights.sort_unstable_by_key(|t| t.0);
        let norm = weights.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, w) in &mut weights {
                *w /= norm;
            }
        }
        TermVector { terms: weights }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Dot product by merging the sorted term lists: O(len a + len b), no allocation.
    /// Both vectors are normalised, so this is their cosine.
    pub fn dot(&self, other: &TermVector) -> f32 {
        let (mut i, mut j, mut s) = (0, 0, 0.0f32);
        let (a, b) = (&self.terms, &other.terms);
        while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
            match x.0.cmp(&y.0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += x.1 * y.1;
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }

    /// Number of shared term ids.
    pub fn overlap(&self, other: &TermVector) -> usize {
        let (mut i, mut j, mut n) = (0, 0, 0);
        let (a, b) = (&self.terms, &other.terms);
        while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
            match x.0.cmp(&y.0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        n
    }

    /// `self * a + other * b`, truncated to `max_terms` and renormalised. Used for story
    /// centroids (running mean of member vectors).
    pub fn blend(&self, a: f32, other: &TermVector, b: f32, max_terms: usize) -> TermVector {
        let mut m: HashMap<u64, f32> = HashMap::with_capacity(self.terms.len() + other.terms.len());
        for (t, w) in &self.terms {
            *m.entry(*t).or_default() += w * a;
        }
        for (t, w) in &other.terms {
            *m.entry(*t).or_default() += w * b;
        }
        TermVector::from_weights(m.into_iter().collect(), max_terms)
    }

    /// Add `scale * other` into this vector as a plain sum (no normalisation), keeping the
    /// `max_terms` heaviest terms. Story profiles keep sums of their members' vectors, so
    /// that `dot(article, sum) / n` is the article's mean cosine to the members (average
    /// linkage) at the cost of one dot product.
    pub fn accumulate(&mut self, other: &TermVector, scale: f32, max_terms: usize) {
        let mut out = Vec::with_capacity(self.terms.len() + other.terms.len());
        let (mut i, mut j) = (0, 0);
        let (a, b) = (&self.terms, &other.terms);
        loop {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    out.push((x.0, x.1 + y.1 * scale));
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x.0 < y.0 => {
                    out.push(*x);
                    i += 1;
                }
                (Some(_), Some(y)) | (None, Some(y)) => {
                    out.push((y.0, y.1 * scale));
                    j += 1;
                }
                (Some(x), None) => {
                    out.push(*x);
                    i += 1;
                }
                (None, None) => break,
            }
        }
        out.retain(|(_, w)| *w > 0.0 && w.is_finite());
        if out.len() > max_terms {
            keep_heaviest(&mut out, max_terms);
            out.sort_unstable_by_key(|t| t.0);
        }
        self.terms = out;
    }

    /// This vector times `k` (for turning an old normalised centroid into a sum).
    pub fn scaled(&self, k: f32) -> TermVector {
        TermVector {
            terms: self.terms.iter().map(|(t, w)| (*t, w * k)).collect(),
        }
    }

    /// The ids of the `n` heaviest terms (for database candidate lookup keys).
    pub fn top_ids(&self, n: usize) -> Vec<u64> {
        let mut v = self.terms.clone();
        v.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().take(n).map(|(t, _)| t).collect()
    }
}

/// Keep the `max_terms` heaviest `(id, weight)` pairs, in no particular order. Selection,
/// not a full sort: contexts fold thousands of terms into 128. The order is total (weight,
/// then id), so the kept set does not depend on the input order.
fn keep_heaviest(terms: &mut Vec<(u64, f32)>, max_terms: usize) {
    if terms.len() <= max_terms {
        return;
    }
    if max_terms > 0 {
        terms.select_nth_unstable_by(max_terms - 1, |a, b| {
            b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
        });
    }
    terms.truncate(max_terms);
}

/// Document frequencies of term ids, for IDF weights. The pipeline keeps one (persisted as a
/// blob, or rebuilt at start from stored articles) and feeds every new article to
/// [`DfStats::observe`]. IDF only needs to be roughly right: weights are computed once per
/// article when its features are built.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DfStats {
    docs: u64,
    df: HashMap<u64, u32>,
}

impl DfStats {
    pub fn new() -> Self {
        Self::default()
    }

    /// Count one document's distinct term ids (duplicates in `distinct_terms` are counted once
    /// each, so pass them deduplicated).
    pub fn observe(&mut self, distinct_terms: &[u64]) {
        self.docs += 1;
        for t in distinct_terms {
            let e = self.df.entry(*t).or_default();
            *e = e.saturating_add(1);
        }
    }

    /// Documents observed.
    pub fn docs(&self) -> u64 {
        self.docs
    }

    /// Distinct terms tracked.
    pub fn vocabulary(&self) -> usize {
        self.df.len()
    }

    pub fn df(&self, term: u64) -> u32 {
        self.df.get(&term).copied().unwrap_or(0)
    }

    /// Smoothed IDF `ln((N + 1) / (df + 1)) + 1`: unseen terms get the highest weight,
    /// a term in every document gets 1.
    pub fn idf(&self, term: u64) -> f32 {
        let n = self.docs as f32;
        ((n + 1.0) / (self.df(term) as f32 + 1.0)).ln() + 1.0
    }

    /// Drop terms seen in fewer than `min_df` documents (typos, one-off names) to bound the
    /// size of the persisted blob. Dropped terms then count as unseen (highest IDF).
    pub fn prune(&mut self, min_df: u32) {
        self.df.retain(|_, d| *d >= min_df);
    }

    /// Add another instance's counts (e.g. per-worker stats).
    pub fn merge(&mut self, other: &DfStats) {
        self.docs += other.docs;
        for (t, d) in &other.df {
            let e = self.df.entry(*t).or_default();
            *e = e.saturating_add(*d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_normalise_truncate_and_dot() {
        let a = TermVector::from_weights(vec![(3, 3.0), (1, 4.0), (9, 0.0)], 10);
        assert_eq!(a.terms.len(), 2);
        assert!((a.dot(&a) - 1.0).abs() < 1e-6);
        let b = TermVector::from_weights(vec![(1, 1.0)], 10);
        assert!((a.dot(&b) - 0.8).abs() < 1e-6);
        assert_eq!(a.overlap(&b), 1);
        let t = TermVector::from_weights(vec![(1, 1.0), (2, 5.0), (3, 2.0)], 2);
        assert_eq!(t.terms.iter().map(|x| x.0).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(t.top_ids(1), [2]);
        let c = a.blend(1.0, &b, 1.0, 10);
        assert!(c.dot(&b) > a.dot(&b));
        // Sums: the mean cosine of a vector to the members is dot(v, sum) / n.
        let mut sum = TermVector::default();
        sum.accumulate(&a, 1.0, 10);
        sum.accumulate(&b, 1.0, 10);
        assert!((sum.dot(&b) / 2.0 - (a.dot(&b) + 1.0) / 2.0).abs() < 1e-6);
        assert_eq!(sum.terms.iter().map(|x| x.0).collect::<Vec<_>>(), [1, 3]);
        sum.accumulate(&t, 1.0, 2);
        assert_eq!(sum.terms.len(), 2, "truncated to the heaviest terms");
        assert_eq!(sum.scaled(2.0).terms[0].1, sum.terms[0].1 * 2.0);
    }

    #[test]
    fn idf_orders_rare_above_common() {
        let mut df = DfStats::new();
        df.observe(&[1, 2]);
        df.observe(&[1]);
        df.observe(&[1, 3]);
        assert_eq!(df.docs(), 3);
        assert!(df.idf(1) < df.idf(2));
        assert!(df.idf(2) < df.idf(99));
        let mut p = df.clone();
        p.prune(2);
        assert_eq!(p.vocabulary(), 1);
        p.merge(&df);
        assert_eq!(p.df(1), 6);
    }
}
