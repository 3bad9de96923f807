//! "Related articles": a cheap pairwise score over stored features, used to rerank a
//! candidate list (from the search index's more-like-this or the lookup keys), excluding
//! copies and articles of the same story — readers want related, not repeated.

use serde::{Deserialize, Serialize};
use tidings_core::StoryId;

use crate::entities::Entity;
use crate::features::ArticleFeatures;
use crate::fingerprint::is_near_duplicate;

/// Weight of shared named entities against text similarity. Measured on Reuters-21578
/// (see BENCHMARKS.md); entities help when texts are short.
pub const ENTITY_WEIGHT: f32 = 0.15;

/// Weighted overlap of two entity lists in `[0, 1]`: shared mentions over the smaller list's
/// mentions (log-damped so one name repeated 30 times does not dominate).
pub fn entity_overlap(a: &[Entity], b: &[Entity]) -> f32 {
    let w = |e: &Entity| 1.0 + (e.count as f32).ln();
    let (wa, wb): (f32, f32) = (a.iter().map(w).sum(), b.iter().map(w).sum());
    if wa <= 0.0 || wb <= 0.0 {
        return 0.0;
    }
    let mut shared = 0.0;
    for x in a {
        if let Some(y) = b.iter().find(|y| y.key == x.key) {
            shared += w(x).min(w(y));
        }
    }
    shared / wa.min(wb)
}

/// Relatedness of two articles in `[0, 1]`: cosine of their term vectors blended with their
/// entity overlap. Costs one merge of two sorted vectors (≤ 64 terms each) and a scan of two
/// entity lists (≤ 20 each): about a microsecond.
pub fn related_score(a: &ArticleFeatures, b: &ArticleFeatures) -> f32 {
    let cos = a.vector.dot(&b.vector);
    (1.0 - ENTITY_WEIGHT) * cos + ENTITY_WEIGHT * entity_overlap(&a.entities, &b.entities)
}

/// One ranked related article.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Related {
    /// Index into the candidate slice.
    pub index: usize,
    pub score: f32,
}

/// A candidate for [`rank_related`]: stored features and the article's story, if any.
#[derive(Debug, Clone, Copy)]
pub struct RelatedCandidate<'a> {
    pub features: &'a ArticleFeatures,
    pub story: Option<StoryId>,
}

/// Rank `candidates` for `query`, best first, at most `k`. Excluded: near-duplicate copies
/// of the query, members of the query's own story (`query_story`), candidates with the same
/// title, copies of an article already chosen (so the list has no repeats), and scores of 0.
pub fn rank_related(
    query: &ArticleFeatures,
    query_story: Option<StoryId>,
    candidates: &[RelatedCandidate<'_>],
    k: usize,
) -> Vec<Related> {
    let mut scored: Vec<Related> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| query_story.is_none() || c.story != query_story)
        .map(|(index, c)| Related {
            index,
            score: related_score(query, c.features),
        })
        .filter(|r| r.score > 0.0)
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
    let mut out: Vec<Related> = Vec::with_capacity(k);
    for r in scored {
        if out.len() >= k {
            break;
        }
        let Some(c) = candidates.get(r.index) else {
            continue;
        };
        let f = c.features;
        let repeat = is_near_duplicate(&query.signature, &f.signature)
            || (!f.title.is_empty() && f.title.eq_ignore_ascii_case(&query.title))
            || out.iter().any(|o| {
                candidates
                    .get(o.index)
                    .is_some_and(|p| is_near_duplicate(&p.features.signature, &f.signature))
            });
        if !repeat {
            out.push(r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{ArticleInput, analyze};
    use crate::vector::DfStats;

    fn feat(title: &str, body: &str) -> ArticleFeatures {
        analyze(
            &ArticleInput {
                title,
                body,
                ..Default::default()
            },
            &DfStats::new(),
        )
        .features
    }

    #[test]
    fn ranks_related_and_drops_copies() {
        let q = feat(
            "Oil prices rise after OPEC output deal",
            "Crude oil prices rose on Monday after OPEC members agreed to cut output, traders said. \
             Brent crude gained two dollars a barrel as Saudi Arabia backed the deal in Vienna.",
        );
        let copy = feat(
            "OPEC deal lifts oil",
            "Crude oil prices rose on Monday after OPEC members agreed to cut output, traders said. \
             Brent crude gained two dollars a barrel as Saudi Arabia backed the deal in Vienna.",
        );
        let related = feat(
            "Saudi Arabia says OPEC cuts will hold",
            "Saudi Arabia expects OPEC output cuts to hold through the summer, its oil minister said, \
             as crude prices and Brent futures steadied in London trading.",
        );
        let unrelated = feat(
            "Striker scores twice in cup final",
            "The striker scored two goals as the team won the cup final on Saturday.",
        );
        let cands = [
            RelatedCandidate {
                features: &unrelated,
                story: None,
            },
            RelatedCandidate {
                features: &copy,
                story: None,
            },
            RelatedCandidate {
                features: &related,
                story: None,
            },
        ];
        let r = rank_related(&q, None, &cands, 5);
        assert_eq!(r.first().map(|x| x.index), Some(2));
        assert!(r.iter().all(|x| x.index != 1), "copy must be excluded");
        assert!(related_score(&q, &related) > related_score(&q, &unrelated));
        // Same-story exclusion.
        let s = Some(StoryId(7));
        let cands = [RelatedCandidate {
            features: &related,
            story: s,
        }];
        assert!(rank_related(&q, s, &cands, 5).is_empty());
    }
}
