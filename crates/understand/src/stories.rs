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
//! A story is one event, so an article joins on its *average* agreement with the story's
//! members (average linkage), not on its agreement with a centroid: a centroid drifts as a
//! story grows (the mean of "Cyprus banks", "Cyprus tourism" and "Cyprus evacuation" is
//! close to every article about Cyprus), while the average of the pairwise scores stays
//! low for an article that matches one member and not the others. The agreement blends
//! four cosines that each name an event from another side: the whole text, the headline
//! and lead, the headline alone, and the named entities (see [`MatchScore`]). The profile
//! keeps the *sums* of the members' vectors, so the average over members is one dot
//! product per part. Digests and round-ups ("10 things to know today") join nothing and
//! nothing joins them.

use serde::{Deserialize, Serialize};
use tidings_core::{ArticleId, StoryId, Timestamp};

use crate::entities::Entity;
use crate::features::{ArticleFeatures, entity_vector};
use crate::fingerprint::{NearDupSignature, is_near_duplicate, jaccard};
use crate::vector::TermVector;

/// Articles more than this far outside a story's time span never join it: three days.
pub const WINDOW_MS: i64 = 3 * 24 * 3600 * 1000;
/// Entities kept in a story profile.
pub const STORY_ENTITIES: usize = 30;
/// Terms kept in the member sums: body, lead, title, entities. A sum of 40 members of
/// 64 terms has ~1,500 terms, most of them in one member only; the kept ones carry
/// nearly all of the dot product with any member-like article.
const SUM_TERMS: [usize; 4] = [192, 128, 96, 96];

/// Weights of the parts of [`MatchScore::score`]: body, lead, title, entities. Chosen on
/// the development half of the labelled NewsArticles pairs (BENCHMARKS.md).
pub const WEIGHTS: [f32; 4] = [0.5, 0.2, 0.2, 0.1];

/// Thresholds of the match rule. On the development half of the labelled NewsArticles
/// pairs (BENCHMARKS.md) F0.5 is flat from 0.30 to 0.34 (0.795-0.825); the low end is
/// kept because the in-repo fixture corpus, written as different publications' reports
/// of 13 events, loses events fast above it (13 events joined: 10 at 0.30, 8 at 0.32,
/// 6 at 0.34): a threshold must hold on more than the set it was chosen on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoryParams {
    /// Minimum average score over the story's members to join.
    pub join: f32,
    pub window_ms: i64,
}

impl Default for StoryParams {
    fn default() -> Self {
        StoryParams {
            join: 0.30,
            window_ms: WINDOW_MS,
        }
    }
}

/// Sums of the members' vectors (copies excluded), each truncated to its heaviest terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileSums {
    pub body: TermVector,
    pub lead: TermVector,
    pub title: TermVector,
    pub entities: TermVector,
}

impl ProfileSums {
    fn add(&mut self, f: &ArticleFeatures) {
        let [b, l, t, e] = SUM_TERMS;
        self.body.accumulate(&f.vector, 1.0, b);
        // An article analysed before leads existed stands in with its body vector.
        self.lead.accumulate(lead_of(f), 1.0, l);
        self.title.accumulate(&f.title_vector, 1.0, t);
        self.entities
            .accumulate(&entity_vector(&f.entities), 1.0, e);
    }
}

fn lead_of(f: &ArticleFeatures) -> &TermVector {
    if f.lead.is_empty() {
        &f.vector
    } else {
        &f.lead
    }
}

/// What a story looks like to the matcher. Persist as a blob on the story row and update it
/// with [`StoryProfile::add`] whenever an article joins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryProfile {
    /// Sums of the member vectors; `sums.body` normalised is the story's centroid.
    pub sums: ProfileSums,
    /// Entities summed over members, most mentioned first.
    pub entities: Vec<Entity>,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Distinct articles (copies excluded).
    pub articles: u32,
    /// Near-duplicate copies folded in.
    pub copies: u32,
    /// A digest or round-up of many events: no article joins it.
    pub closed: bool,
}

/// Version 1 of [`StoryProfile`] (a normalised centroid), as stored by earlier releases.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct StoryProfileV1 {
    centroid: TermVector,
    entities: Vec<Entity>,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    articles: u32,
    copies: u32,
}

impl From<StoryProfileV1> for StoryProfile {
    /// The centroid times the member count stands in for the body sum (it overstates
    /// the members' agreement, so `tidings recluster` rebuilds old stories properly);
    /// the other sums start empty, which only makes joining harder.
    fn from(v: StoryProfileV1) -> Self {
        StoryProfile {
            sums: ProfileSums {
                body: v.centroid.scaled(v.articles.max(1) as f32),
                ..ProfileSums::default()
            },
            entities: v.entities,
            first: v.first,
            last: v.last,
            articles: v.articles,
            copies: v.copies,
            closed: false,
        }
    }
}

impl StoryProfile {
    /// A story started by one article.
    pub fn new(first: &ArticleFeatures) -> Self {
        let mut sums = ProfileSums::default();
        sums.add(first);
        StoryProfile {
            sums,
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
            closed: is_digest(&first.title),
        }
    }

    /// Fold an article in. Copies only widen the time span and count: counting their text
    /// again would pull the story towards whoever syndicates most.
    pub fn add(&mut self, f: &ArticleFeatures, is_copy: bool) {
        if let Some(p) = f.published {
            self.first = Some(self.first.map_or(p, |x| x.min(p)));
            self.last = Some(self.last.map_or(p, |x| x.max(p)));
        }
        if is_copy {
            self.copies = self.copies.saturating_add(1);
            return;
        }
        self.sums.add(f);
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

    /// How alike the members are: the mean pairwise body cosine, read from the sum
    /// (`|sum|^2 = n + 2 * sum of pairwise cosines` for unit vectors). 1 for a story of one.
    /// Under average linkage the mean pairwise agreement cannot fall below the join
    /// threshold (see `stories_cannot_drift_below_the_join_threshold`); stories from the
    /// centroid rule before it are rebuilt by `tidings recluster`.
    pub fn cohesion(&self) -> f32 {
        let n = self.articles as f32;
        if n < 2.0 {
            return 1.0;
        }
        ((self.sums.body.dot(&self.sums.body) - n) / (n * (n - 1.0))).clamp(0.0, 1.0)
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

/// Headlines of digests, briefings and round-ups, and of timelines: one article about
/// many events. Read from what the headline says the article is, in the
/// languages Tidings analyses. A timeline names itself first ("Timeline: ...", "A
/// timeline of ..."); a headline that only ends on the word ("Obamacare timeline") is
/// about one plan's schedule, not a chronology.
pub fn is_digest(title: &str) -> bool {
    let t = title.to_lowercase();
    let head = t.trim_start_matches(|c: char| !c.is_alphanumeric());
    const STARTS: &[&str] = &[
        "timeline",
        "a timeline",
        "chronology",
        "a chronology",
        "chronologie",
        "zeitleiste",
    ];
    if STARTS.iter().any(|p| {
        head.strip_prefix(p)
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric()))
    }) {
        return true;
    }
    const PHRASES: &[&str] = &[
        "things to know",
        "things you need to know",
        "what you need to know today",
        "need to know today",
        "things in tech",
        "morning briefing",
        "evening briefing",
        "daily briefing",
        "news briefing",
        "briefing:",
        "news in brief",
        "in brief:",
        "world in brief",
        "news roundup",
        "news round-up",
        "round-up:",
        "roundup:",
        "week in review",
        "week in pictures",
        "day in pictures",
        "year in pictures",
        "the week in ",
        "news quiz",
        "press review",
        "top stories",
        "top headlines",
        "headlines:",
        "today's headlines",
        "morning digest",
        "daily digest",
        "what we're watching",
        "stories you may have missed",
        "the day in ",
        "kurz gemeldet",
        "nachrichten im überblick",
        "en bref",
        "revue de presse",
    ];
    PHRASES.iter().any(|p| t.contains(p))
}

/// The evidence of a match between an article and a story (or another article): mean
/// cosines over the story's members of the whole text, the headline with the lead, the
/// headline alone, and the entities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchScore {
    pub cosine: f32,
    pub lead: f32,
    pub title: f32,
    pub entities: f32,
    /// The parts blended with [`WEIGHTS`].
    pub score: f32,
}

/// Score an article against a story's members (average linkage).
pub fn match_score(article: &ArticleFeatures, story: &StoryProfile) -> MatchScore {
    let n = story.articles.max(1) as f32;
    let cosine = article.vector.dot(&story.sums.body) / n;
    let lead = if story.sums.lead.is_empty() {
        cosine
    } else {
        lead_of(article).dot(&story.sums.lead) / n
    };
    let title = article.title_vector.dot(&story.sums.title) / n;
    let entities = entity_vector(&article.entities).dot(&story.sums.entities) / n;
    let [wb, wl, wt, we] = WEIGHTS;
    MatchScore {
        cosine,
        lead,
        title,
        entities,
        score: wb * cosine + wl * lead + wt * title + we * entities,
    }
}

/// Whether a match is strong enough under `p` (time is checked separately).
pub fn accepts(m: &MatchScore, p: &StoryParams) -> bool {
    m.score >= p.join
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
    if is_digest(&a.title) || is_digest(&b.title) {
        return false;
    }
    accepts(&match_score(a, &StoryProfile::new(b)), p)
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
    if is_digest(&article.title) {
        return Decision::New;
    }
    let best = stories
        .iter()
        .filter(|s| !s.profile.closed && s.profile.in_window(article.published, p.window_ms))
        .map(|s| (s.story, match_score(article, s.profile)))
        .filter(|(_, m)| accepts(m, p))
        .max_by(|a, b| a.1.score.total_cmp(&b.1.score).then(b.0.cmp(&a.0)));
    match best {
        Some((story, score)) => Decision::Join { story, score },
        None => Decision::New,
    }
}

/// Story candidates per article, most shared lookup keys first (as the pipeline's
/// database lookup).
pub const CANDIDATES: usize = 50;

/// Online clustering in memory, the way the pipeline does it against the database:
/// candidates are the stories active in the window that share a lookup key, most shared
/// first, at most [`CANDIDATES`]; then [`assign_with`]. Feed articles oldest first. Used by
/// `tidings recluster` and the evaluations.
#[derive(Debug, Default)]
pub struct Clusterer {
    profiles: Vec<StoryProfile>,
    /// lookup key -> stories indexed under it (pruned as they leave the window)
    by_key: std::collections::HashMap<u64, Vec<usize>>,
    params: Option<StoryParams>,
}

impl Clusterer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_params(params: StoryParams) -> Self {
        Clusterer {
            params: Some(params),
            ..Self::default()
        }
    }

    /// Place an article that is not a copy; returns its story's index.
    pub fn place(&mut self, f: &ArticleFeatures) -> usize {
        let p = self.params.unwrap_or_default();
        let keys = f.lookup_keys();
        let mut shared: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for k in &keys {
            let Some(list) = self.by_key.get_mut(k) else {
                continue;
            };
            let profiles = &self.profiles;
            list.retain(
                |&s| match (profiles.get(s).and_then(|x| x.last), f.published) {
                    (Some(last), Some(t)) => last.0.saturating_add(p.window_ms) >= t.0,
                    _ => true,
                },
            );
            for &s in list.iter() {
                *shared.entry(s).or_default() += 1;
            }
        }
        let mut ranked: Vec<(usize, usize)> = shared.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(CANDIDATES);
        let candidates: Vec<StoryCandidate<'_>> = ranked
            .iter()
            .filter_map(|(s, _)| {
                self.profiles.get(*s).map(|profile| StoryCandidate {
                    story: StoryId(i64::try_from(*s).unwrap_or(i64::MAX)),
                    profile,
                })
            })
            .collect();
        let story = match assign_with(f, &[], &candidates, &p) {
            Decision::Join { story, .. } => usize::try_from(story.0).ok(),
            Decision::New | Decision::Copy { .. } => None,
        };
        let s = match story.filter(|s| *s < self.profiles.len()) {
            Some(s) => {
                if let Some(x) = self.profiles.get_mut(s) {
                    x.add(f, false);
                }
                s
            }
            None => {
                self.profiles.push(StoryProfile::new(f));
                self.profiles.len() - 1
            }
        };
        for k in keys {
            let list = self.by_key.entry(k).or_default();
            if !list.contains(&s) {
                list.push(s);
            }
        }
        s
    }

    /// The stories made so far, by index.
    pub fn profiles(&self) -> &[StoryProfile] {
        &self.profiles
    }
}

/// Index of the member whose title best represents the story: the title whose words carry
/// most of the story's summed weight, preferring 5–16 word headlines (no one-word labels,
/// no run-on teasers); ties go to the earliest published. `None` when no member has a title.
pub fn representative_headline(
    profile: &StoryProfile,
    members: &[&ArticleFeatures],
) -> Option<usize> {
    let weight = |t: &u64| {
        profile
            .sums
            .body
            .terms
            .binary_search_by_key(t, |x| x.0)
            .ok()
            .and_then(|i| profile.sums.body.terms.get(i))
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
    fn digests_join_nothing_and_nothing_joins_them() {
        let wework = "WeWork's founder Adam Neumann sold shares and borrowed against his stake \
            before the company's planned public offering, an investigation found. WeWork \
            investors questioned the valuation of the office-sharing company.";
        let a = feat(
            "WeWork founder cashed out before IPO, investigation finds",
            wework,
            100,
        );
        let digest = feat(
            "10 things in tech you need to know today",
            &format!(
                "1. Apple unveiled three new phones with bigger batteries and a new camera. \
                 2. {wework} 3. Uber cut hundreds of jobs in its marketing team as losses grew. \
                 4. Amazon opened a cashierless grocery store in London. 5. Google's quantum \
                 computer solved a problem beyond classical machines, researchers said. 6. \
                 Facebook launched a news tab with stories chosen by journalists."
            ),
            100,
        );
        assert!(is_digest(&digest.title) && !is_digest(&a.title));
        for many in [
            "Timeline: What we know about the campaign and Russia",
            "A Timeline of President Trump's Immigration Executive Order and Legal Challenges",
            "Timeline of investigation into Kim Jong Nam's apparent assassination",
            "Week in pictures: From Women's Day to Kashmir killing",
        ] {
            assert!(is_digest(many), "{many}");
        }
        for one in [
            "Fact-checking Trump's 'repeal and replace' Obamacare timeline",
            "Timelines slip for the bridge repairs",
            "Factbox: who is running in the Dutch election",
            "Storm Doris: in pictures",
        ] {
            assert!(!is_digest(one), "{one}");
        }
        let story = StoryProfile::new(&a);
        let stories = [StoryCandidate {
            story: StoryId(1),
            profile: &story,
        }];
        assert_eq!(assign(&digest, &[], &stories), Decision::New);
        let closed = StoryProfile::new(&digest);
        assert!(closed.closed);
        let stories = [StoryCandidate {
            story: StoryId(2),
            profile: &closed,
        }];
        assert_eq!(assign(&a, &[], &stories), Decision::New);
        assert!(!same_story(&a, &digest));
    }

    #[test]
    fn the_clusterer_places_events_and_story_cohesion_reads_the_sums() {
        let a = feat("Senate confirms DeVos", DEVOS, 100);
        let b = feat(
            "Pence breaks tie to confirm DeVos as education secretary",
            "Vice President Mike Pence cast the deciding vote on Tuesday to confirm Betsy \
             DeVos as education secretary, after the Senate split 50-50 on her nomination. \
             Critics of DeVos pointed to her support for school vouchers.",
            101,
        );
        let other = feat(
            "Senate panel delays vote on attorney general pick Sessions",
            "The Senate Judiciary Committee delayed its vote on Jeff Sessions, the nominee for \
             attorney general, as Democrats questioned his record on civil rights in Alabama.",
            101,
        );
        let mut c = Clusterer::new();
        assert_eq!(c.place(&a), 0);
        assert_eq!(c.place(&b), 0, "the same event joins");
        assert_eq!(c.place(&other), 1, "another event starts a story");
        let p = &c.profiles()[0];
        assert_eq!(p.articles, 2);
        // Cohesion of two members is their cosine (up to the sums' truncation).
        assert!((p.cohesion() - a.vector.dot(&b.vector)).abs() < 0.02);
        assert_eq!(c.profiles()[1].cohesion(), 1.0);
        // Average linkage: the score against a story is the mean of the pairwise scores.
        let pair_a = match_score(&other, &StoryProfile::new(&a)).score;
        let pair_b = match_score(&other, &StoryProfile::new(&b)).score;
        let avg = match_score(&other, p).score;
        assert!(
            (avg - (pair_a + pair_b) / 2.0).abs() < 0.02,
            "{avg} {pair_a} {pair_b}"
        );
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
