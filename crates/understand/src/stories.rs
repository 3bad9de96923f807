//! Online story clustering: each new article joins the best matching recent story, folds
//! into the story of the article it copies, or starts a new story.
//!
//! The pipeline keeps stories in the database; for each new article it pulls
//! - copy candidates: stored articles sharing its exact fingerprint or an LSH band key;
//! - story candidates: stories active within [`WINDOW_MS`] of the article whose articles
//!   share a lookup key (`ArticleFeatures::lookup_keys`);
//!
//! calls [`assign`], then applies the [`Decision`] and updates the story's [`StoryProfile`].
//!
//! Matching needs both kinds of evidence, so that two events never merge because they share
//! a topic: the text must be close (cosine of TF-IDF vectors, where topic words are common
//! and so weigh little) *and* the article must name what the story names (shared entities),
//! unless the texts are so close that they can only be about one event.

use serde::{Deserialize, Serialize};
use tidings_core::{ArticleId, StoryId, Timestamp};

use crate::entities::Entity;
use crate::features::ArticleFeatures;
use crate::fingerprint::{NearDupSignature, is_near_duplicate, jaccard};
use crate::related::entity_overlap;
use crate::vector::TermVector;

/// Articles more than this far outside a story's time span never join it: three days.
pub const WINDOW_MS: i64 = 3 * 24 * 3600 * 1000;
/// Terms kept in a story centroid.
pub const CENTROID_TERMS: usize = 128;
/// Entities kept in a story profile.
pub const STORY_ENTITIES: usize = 30;

/// Thresholds of the match rule (see [`match_score`]). Chosen on the development half of the
/// labelled NewsArticles pairs (see BENCHMARKS.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoryParams {
    /// Minimum blended score to join.
    pub join: f32,
    /// Minimum text cosine even when entities agree.
    pub min_cosine: f32,
    /// Cosine above which shared entities are not required.
    pub text_only_cosine: f32,
    /// Minimum entity overlap when the cosine is below `text_only_cosine`.
    pub min_entity_overlap: f32,
    pub window_ms: i64,
}

impl Default for StoryParams {
    fn default() -> Self {
        StoryParams {
            join: 0.22,
            min_cosine: 0.26,
            text_only_cosine: 0.45,
            min_entity_overlap: 0.1,
            window_ms: WINDOW_MS,
        }
    }
}

/// What a story looks like to the matcher. Persist as a blob on the story row and update it
/// with [`StoryProfile::add`] whenever an article joins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryProfile {
    /// Mean of member vectors (copies excluded), top terms, normalised.
    pub centroid: TermVector,
    /// Entities summed over members, most mentioned first.
    pub entities: Vec<Entity>,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Distinct articles (copies excluded).
    pub articles: u32,
    /// Near-duplicate copies folded in.
    pub copies: u32,
}

impl StoryProfile {
    /// A story started by one article.
    pub fn new(first: &ArticleFeatures) -> Self {
        StoryProfile {
            centroid: first.vector.clone(),
            entities: first
                .entities
                .iter()
                .take(STORY_ENTITIES)
                .cloned()
                .collect(),
            first: first.published,
            last: first.published,
            articles: 1,
            copies: 0,
        }
    }

    /// Fold an article in. Copies only widen the time span and count: counting their text
    /// again would pull the centroid towards whoever syndicates most.
    pub fn add(&mut self, f: &ArticleFeatures, is_copy: bool) {
        if let Some(p) = f.published {
            self.first = Some(self.first.map_or(p, |x| x.min(p)));
            self.last = Some(self.last.map_or(p, |x| x.max(p)));
        }
        if is_copy {
            self.copies = self.copies.saturating_add(1);
            return;
        }
        let n = self.articles as f32;
        self.centroid =
            self.centroid
                .blend(n / (n + 1.0), &f.vector, 1.0 / (n + 1.0), CENTROID_TERMS);
        for e in &f.entities {
            match self.entities.iter_mut().find(|x| x.key == e.key) {
                Some(x) => x.count = x.count.saturating_add(e.count),
                None => self.entities.push(e.clone()),
            }
        }
        self.entities
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        self.entities.truncate(STORY_ENTITIES);
        self.articles = self.articles.saturating_add(1);
    }

    fn in_window(&self, t: Option<Timestamp>, window: i64) -> bool {
        match (t, self.first, self.last) {
            (Some(t), Some(first), Some(last)) => {
                t.0 >= first.0.saturating_sub(window) && t.0 <= last.0.saturating_add(window)
            }
            // Unknown times cannot be excluded by time; text and entities still decide.
            _ => true,
        }
    }
}

/// The evidence of a match between an article and a story (or another article).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchScore {
    pub cosine: f32,
    pub entities: f32,
    /// `0.7 * cosine + 0.3 * entities`.
    pub score: f32,
}

/// Score an article vector and entities against a story's (or another article's).
pub fn match_score(
    vector: &TermVector,
    entities: &[Entity],
    other_vector: &TermVector,
    other_entities: &[Entity],
) -> MatchScore {
    let cosine = vector.dot(other_vector);
    let ent = entity_overlap(entities, other_entities);
    MatchScore {
        cosine,
        entities: ent,
        score: 0.7 * cosine + 0.3 * ent,
    }
}

/// Whether a match is strong enough under `p` (time is checked separately).
pub fn accepts(m: &MatchScore, p: &StoryParams) -> bool {
    m.score >= p.join
        && m.cosine >= p.min_cosine
        && (m.cosine >= p.text_only_cosine || m.entities >= p.min_entity_overlap)
}

/// Pairwise rule: are two articles about the same event? Copies always are.
pub fn same_story(a: &ArticleFeatures, b: &ArticleFeatures) -> bool {
    same_story_with(a, b, &StoryParams::default())
}

/// [`same_story`] with explicit thresholds.
pub fn same_story_with(a: &ArticleFeatures, b: &ArticleFeatures, p: &StoryParams) -> bool {
    if is_near_duplicate(&a.signature, &b.signature) {
        return true;
    }
    if let (Some(x), Some(y)) = (a.published, b.published)
        && x.0.abs_diff(y.0) > p.window_ms.unsigned_abs()
    {
        return false;
    }
    accepts(
        &match_score(&a.vector, &a.entities, &b.vector, &b.entities),
        p,
    )
}

/// A stored article that may be a copy (from the fingerprint / band-key lookup).
#[derive(Debug, Clone, Copy)]
pub struct CopyCandidate<'a> {
    pub article: ArticleId,
    pub story: StoryId,
    pub signature: &'a NearDupSignature,
}

/// A recent story that may be the same event.
#[derive(Debug, Clone, Copy)]
pub struct StoryCandidate<'a> {
    pub story: StoryId,
    pub profile: &'a StoryProfile,
}

/// What to do with a new article.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decision {
    /// A near-duplicate copy of `of`: fold into its story, hide it from lists.
    Copy {
        story: StoryId,
        of: ArticleId,
        jaccard: f32,
    },
    /// Same event as `story`.
    Join { story: StoryId, score: MatchScore },
    /// Nothing matches: start a story.
    New,
}

/// Decide the story of a new article. Copies win over text matches (highest Jaccard first);
/// then the best accepted story within the time window; ties go to the lower story id so the
/// result does not depend on candidate order.
pub fn assign(
    article: &ArticleFeatures,
    copies: &[CopyCandidate<'_>],
    stories: &[StoryCandidate<'_>],
) -> Decision {
    assign_with(article, copies, stories, &StoryParams::default())
}

/// [`assign`] with explicit thresholds.
pub fn assign_with(
    article: &ArticleFeatures,
    copies: &[CopyCandidate<'_>],
    stories: &[StoryCandidate<'_>],
    p: &StoryParams,
) -> Decision {
    let best_copy = copies
        .iter()
        .filter(|c| is_near_duplicate(&article.signature, c.signature))
        .map(|c| (c, jaccard(&article.signature, c.signature)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.article.cmp(&a.0.article)));
    if let Some((c, j)) = best_copy {
        return Decision::Copy {
            story: c.story,
            of: c.article,
            jaccard: j,
        };
    }
    let best = stories
        .iter()
        .filter(|s| s.profile.in_window(article.published, p.window_ms))
        .map(|s| {
            (
                s.story,
                match_score(
                    &article.vector,
                    &article.entities,
                    &s.profile.centroid,
                    &s.profile.entities,
                ),
            )
        })
        .filter(|(_, m)| accepts(m, p))
        .max_by(|a, b| a.1.score.total_cmp(&b.1.score).then(b.0.cmp(&a.0)));
    match best {
        Some((story, score)) => Decision::Join { story, score },
        None => Decision::New,
    }
}

/// Index of the member whose title best represents the story: the title whose words carry
/// most of the story centroid's weight, preferring 5–16 word headlines (no one-word labels,
/// no run-on teasers); ties go to the earliest published. `None` when no member has a title.
pub fn representative_headline(
    profile: &StoryProfile,
    members: &[&ArticleFeatures],
) -> Option<usize> {
    let weight = |t: &u64| {
        profile
            .centroid
            .terms
            .binary_search_by_key(t, |x| x.0)
            .ok()
            .and_then(|i| profile.centroid.terms.get(i))
            .map_or(0.0, |x| x.1)
    };
    members
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.title.trim().is_empty())
        .map(|(i, m)| {
            let cover: f32 = m.title_terms.iter().map(weight).sum();
            let n_words = m.title.split_whitespace().count();
            let shape = if (5..=16).contains(&n_words) {
                1.0
            } else {
                0.7
            };
            (i, cover * shape, m.published.map_or(i64::MAX, |t| t.0))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.2.cmp(&a.2)).then(b.0.cmp(&a.0)))
        .map(|(i, _, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{ArticleInput, analyze};
    use crate::vector::DfStats;

    fn feat(title: &str, body: &str, day: i64) -> ArticleFeatures {
        let input = ArticleInput {
            title,
            body,
            published: Some(Timestamp(day * 86_400_000)),
            ..Default::default()
        };
        analyze(&input, &DfStats::new()).features
    }

    const DEVOS: &str = "Betsy DeVos was confirmed as education secretary after Vice President \
        Mike Pence cast a tie-breaking vote in the Senate, the first time a vice president has \
        broken a tie to confirm a Cabinet nominee. Democrats had opposed DeVos over school vouchers.";

    #[test]
    fn copies_fold_and_same_event_joins_and_other_events_start_stories() {
        let a = feat("Senate confirms DeVos", DEVOS, 100);
        let story = StoryProfile::new(&a);
        let copy = feat(
            "DeVos confirmed",
            &format!("By AP staff\n\n{DEVOS}\n\nShare this story"),
            100,
        );
        let copies = [CopyCandidate {
            article: ArticleId(1),
            story: StoryId(9),
            signature: &a.signature,
        }];
        let stories = [StoryCandidate {
            story: StoryId(9),
            profile: &story,
        }];
        assert!(matches!(
            assign(&copy, &copies, &stories),
            Decision::Copy {
                story: StoryId(9),
                of: ArticleId(1),
                ..
            }
        ));

        let same_event = feat(
            "Pence breaks tie to confirm DeVos as education secretary",
            "Vice President Mike Pence cast the deciding vote on Tuesday to confirm Betsy DeVos as \
             education secretary, after the Senate split 50-50 on her nomination. Critics of DeVos \
             pointed to her support for school vouchers.",
            101,
        );
        assert!(matches!(
            assign(&same_event, &[], &stories),
            Decision::Join {
                story: StoryId(9),
                ..
            }
        ));

        // Same topic (politics, Senate), different event.
        let other = feat(
            "Senate panel delays vote on attorney general pick Sessions",
            "The Senate Judiciary Committee delayed its vote on Jeff Sessions, the nominee for \
             attorney general, as Democrats questioned his record on civil rights in Alabama.",
            101,
        );
        assert_eq!(assign(&other, &[], &stories), Decision::New);
        // Same event far outside the window starts a new story.
        let late = feat(
            "DeVos confirmed",
            DEVOS.replace("Democrats", "Critics").as_str(),
            120,
        );
        assert_eq!(assign(&late, &[], &stories), Decision::New);
    }

    #[test]
    fn profile_updates_and_headline() {
        let a = feat("Senate confirms DeVos", DEVOS, 100);
        let b = feat(
            "Pence breaks tie to confirm DeVos as education secretary",
            "Vice President Mike Pence cast the deciding vote to confirm Betsy DeVos as education \
             secretary after the Senate split 50-50 on her nomination.",
            101,
        );
        let mut p = StoryProfile::new(&a);
        p.add(&b, false);
        p.add(&a, true);
        assert_eq!((p.articles, p.copies), (2, 1));
        assert_eq!(p.first, a.published);
        assert_eq!(p.last, b.published);
        assert!(p.entities.iter().any(|e| e.key == "betsy devos"));
        let pick = representative_headline(&p, &[&a, &b]);
        assert_eq!(pick, Some(1), "the fuller headline covers the story better");
        assert_eq!(representative_headline(&p, &[]), None);
    }
}
