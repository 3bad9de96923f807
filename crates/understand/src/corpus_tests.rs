//! Tests on news corpora, of two kinds.
//!
//! - On the fixture corpus in the repository (`crates/origin/fixtures/news.jsonl`: our own
//!   articles, labelled by event): always run.
//! - On the real corpora (`news/` of `TIDINGS_TEST_DATA`, see ../shared/data/news/README.md):
//!   the crate's main promises at scale and the figures its benchmarks quote. Skipped without
//!   the data, and failing instead when `CI` or `TIDINGS_TEST_REQUIRE_DATA=1` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../examples/common/corpus.rs"]
mod corpus;
#[path = "../examples/common/perturb.rs"]
mod perturb;

use std::collections::HashMap;
use std::sync::OnceLock;

use tidings_core::{ArticleId, StoryId, Timestamp, Topic};

use crate::features::{ArticleFeatures, ArticleInput, analyze, term_ids};
use crate::fingerprint::{band_keys, is_near_duplicate, signature};
use crate::related::{RelatedDoc, context_vector, rank_related};
use crate::stories::{CopyCandidate, Decision, StoryCandidate, StoryProfile, assign, same_story};
use crate::topics::{TopicSource, assign_topics, topics_from_url};
use crate::vector::{DfStats, TermVector};

/// Articles in publication order, and their document frequencies.
struct Corpus {
    docs: Vec<corpus::Doc>,
    df: DfStats,
}

impl Corpus {
    fn new(mut docs: Vec<corpus::Doc>) -> Corpus {
        docs.sort_by(|a, b| a.published.cmp(&b.published).then(a.id.cmp(&b.id)));
        let df = df_of(&docs);
        Corpus { docs, df }
    }
}

/// The fixture corpus, loaded once per test run.
fn fixture() -> &'static Corpus {
    static CACHE: OnceLock<Corpus> = OnceLock::new();
    CACHE.get_or_init(|| Corpus::new(corpus::fixture()))
}

/// NewsArticles, loaded once per test run; `None` (the test is skipped) without the data.
fn full_news(test: &str) -> Option<&'static Corpus> {
    tidings_testdata::full_data_or_skip(test)?;
    static CACHE: OnceLock<Corpus> = OnceLock::new();
    Some(CACHE.get_or_init(|| Corpus::new(corpus::load("newsarticles"))))
}

fn input(d: &corpus::Doc) -> ArticleInput<'_> {
    ArticleInput {
        title: &d.title,
        body: &d.body,
        published: d.published,
        url: d.url.as_deref(),
        ..Default::default()
    }
}

/// Document frequencies the cheap way (`term_ids`), as a pipeline rebuilding its stats would.
fn df_of(docs: &[corpus::Doc]) -> DfStats {
    let mut df = DfStats::new();
    for d in docs {
        df.observe(&term_ids(&d.title, &d.body, "en"));
    }
    df
}

struct LabelledPair {
    a: String,
    b: String,
    same: bool,
    stratum: String,
}

fn labelled_pairs() -> Vec<LabelledPair> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/story_pairs.jsonl");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            LabelledPair {
                a: v["a"].as_str().unwrap().into(),
                b: v["b"].as_str().unwrap().into(),
                same: v["same_story"].as_bool().unwrap(),
                stratum: v["stratum"].as_str().unwrap().into(),
            }
        })
        .collect()
}

/// Pairs of fixture articles about the same event.
fn fixture_event_pairs() -> Vec<(&'static corpus::Doc, &'static corpus::Doc)> {
    let docs = &fixture().docs;
    let mut out = Vec::new();
    for (i, a) in docs.iter().enumerate() {
        for b in &docs[i + 1..] {
            if a.event.is_some() && a.event == b.event {
                out.push((a, b));
            }
        }
    }
    out
}

/// Every chrome-only copy of every original is a near-duplicate sharing an LSH band;
/// edited, truncated and all-combined copies: at least 70% found.
fn assert_copies_are_near_duplicates(originals: &[&corpus::Doc]) {
    let mut missed = Vec::new();
    for (i, d) in originals.iter().enumerate() {
        let a = signature(&d.body);
        // Every chrome-only kind must match, always; copy edits and truncation are checked
        // in aggregate below.
        for kind in [0usize, 1, 2] {
            let b = signature(&perturb::syndicate(&d.body, kind + 6 * i));
            assert!(
                is_near_duplicate(&a, &b),
                "{} kind {}",
                d.id,
                perturb::KINDS[kind]
            );
            let ka = band_keys(&a);
            assert!(
                band_keys(&b).iter().any(|k| ka.contains(k)),
                "{} has no shared LSH band",
                d.id
            );
        }
        for kind in [3usize, 4, 5] {
            if !is_near_duplicate(&a, &signature(&perturb::syndicate(&d.body, kind + 6 * i))) {
                missed.push((d.id.clone(), kind));
            }
        }
    }
    assert!(
        missed.len() * 10 <= originals.len() * 3,
        "missed {} of {}: {missed:?}",
        missed.len(),
        originals.len() * 3
    );
}

#[test]
fn syndicated_copies_of_real_articles_are_near_duplicates() {
    let Some(c) = full_news("syndicated_copies_of_real_articles_are_near_duplicates") else {
        return;
    };
    let originals: Vec<&corpus::Doc> = c
        .docs
        .iter()
        .filter(|d| d.body.len() >= 600)
        .step_by(9)
        .take(300)
        .collect();
    assert_copies_are_near_duplicates(&originals);
}

#[test]
fn syndicated_copies_of_fixture_articles_are_near_duplicates() {
    let originals: Vec<&corpus::Doc> = fixture().docs.iter().collect();
    assert!(originals.iter().all(|d| d.body.len() >= 600));
    assert_copies_are_near_duplicates(&originals);
}

#[test]
fn different_articles_on_the_same_event_are_not_near_duplicates() {
    let Some(c) = full_news("different_articles_on_the_same_event_are_not_near_duplicates") else {
        return;
    };
    let by_id: HashMap<&str, &corpus::Doc> = c.docs.iter().map(|d| (d.id.as_str(), d)).collect();
    let pairs = labelled_pairs();
    let same: Vec<&LabelledPair> = pairs.iter().filter(|p| p.same).collect();
    let flagged: Vec<(&str, &str)> = same
        .iter()
        .filter(|p| {
            is_near_duplicate(
                &signature(&by_id[p.a.as_str()].body),
                &signature(&by_id[p.b.as_str()].body),
            )
        })
        .map(|p| (p.a.as_str(), p.b.as_str()))
        .collect();
    // Only outlets re-running one wire text may match; rewritten coverage never does.
    assert!(flagged.len() * 50 <= same.len(), "{flagged:?}");
    assert!(same.len() > 150);
}

#[test]
fn fixture_reports_of_one_event_are_not_near_duplicates() {
    let pairs = fixture_event_pairs();
    // 13 events of 2 or 3 articles.
    assert_eq!(pairs.len(), 27);
    let flagged: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(a, b)| is_near_duplicate(&signature(&a.body), &signature(&b.body)))
        .map(|(a, b)| (a.id.as_str(), b.id.as_str()))
        .collect();
    // Each report is written afresh: none is a copy of another.
    assert!(flagged.is_empty(), "{flagged:?}");
}

/// Stories as the pipeline makes them: `assign` over articles in order, each joining a
/// story, being a copy in one, or starting one. Returns each article's story.
struct Replay<'a> {
    feats: Vec<ArticleFeatures>,
    story_of: Vec<usize>,
    profiles: Vec<StoryProfile>,
    df: &'a DfStats,
}

impl<'a> Replay<'a> {
    fn new(df: &'a DfStats) -> Self {
        Replay {
            feats: Vec::new(),
            story_of: Vec::new(),
            profiles: Vec::new(),
            df,
        }
    }

    fn ingest(&mut self, f: ArticleFeatures) -> usize {
        let copies: Vec<CopyCandidate<'_>> = self
            .feats
            .iter()
            .enumerate()
            .map(|(i, x)| CopyCandidate {
                article: ArticleId(i as i64),
                story: StoryId(self.story_of[i] as i64),
                signature: &x.signature,
            })
            .collect();
        let stories: Vec<StoryCandidate<'_>> = self
            .profiles
            .iter()
            .enumerate()
            .map(|(s, p)| StoryCandidate {
                story: StoryId(s as i64),
                profile: p,
            })
            .collect();
        let s = match assign(&f, &copies, &stories) {
            Decision::Copy { story, .. } => {
                self.profiles[story.0 as usize].add(&f, true);
                story.0 as usize
            }
            Decision::Join { story, .. } => {
                self.profiles[story.0 as usize].add(&f, false);
                story.0 as usize
            }
            Decision::New => {
                self.profiles.push(StoryProfile::new(&f));
                self.profiles.len() - 1
            }
        };
        self.feats.push(f);
        self.story_of.push(s);
        s
    }

    fn ingest_doc(&mut self, d: &corpus::Doc) -> usize {
        let f = analyze(&input(d), self.df).features;
        self.ingest(f)
    }
}

/// Replays `window` through `assign`, then syndicated copies of each of its articles:
/// every copy lands in its original's story. Returns the number of copies checked.
fn assert_copies_land_in_their_originals_story(window: &[&corpus::Doc], df: &DfStats) -> usize {
    let mut r = Replay::new(df);
    for d in window {
        r.ingest_doc(d);
    }
    assert_eq!(r.feats.len(), window.len());
    let mut checked = 0;
    for (i, d) in window.iter().enumerate() {
        if d.body.len() < 400 {
            continue;
        }
        for kind in [0usize, 1, 2, 3, 5] {
            let body = perturb::syndicate(&d.body, kind + 6 * i);
            let title = format!(
                "{} - {}",
                d.title,
                perturb::SITE_NAMES[i % perturb::SITE_NAMES.len()]
            );
            let f = analyze(
                &ArticleInput {
                    title: &title,
                    body: &body,
                    published: d.published.map(|t| Timestamp(t.0 + 36 * 3_600_000)),
                    ..Default::default()
                },
                df,
            )
            .features;
            let s = r.ingest(f);
            assert_eq!(
                s,
                r.story_of[i],
                "{} copy kind {} left its story",
                d.id,
                perturb::KINDS[kind]
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn syndicated_copies_always_land_in_their_originals_story() {
    let Some(c) = full_news("syndicated_copies_always_land_in_their_originals_story") else {
        return;
    };
    // Replay a week of real articles through `assign`, as the pipeline does.
    let window: Vec<&corpus::Doc> = c
        .docs
        .iter()
        .filter(|d| d.published.is_some())
        .skip(1500)
        .take(250)
        .collect();
    assert_eq!(window.len(), 250);
    let checked = assert_copies_land_in_their_originals_story(&window, &c.df);
    assert!(checked > 500);
}

#[test]
fn syndicated_copies_of_fixture_articles_land_in_their_originals_story() {
    let c = fixture();
    let window: Vec<&corpus::Doc> = c.docs.iter().collect();
    let checked = assert_copies_land_in_their_originals_story(&window, &c.df);
    // Five copies of every article (all are longer than 400 bytes).
    assert_eq!(checked, 5 * window.len());
}

/// The fixture corpus in publication order with each article's features.
fn fixture_with_features() -> Vec<(&'static corpus::Doc, &'static ArticleFeatures)> {
    static FEATS: OnceLock<Vec<ArticleFeatures>> = OnceLock::new();
    let c = fixture();
    let feats = FEATS.get_or_init(|| {
        c.docs
            .iter()
            .map(|d| analyze(&input(d), &c.df).features)
            .collect()
    });
    c.docs.iter().zip(feats).collect()
}

#[test]
fn fixture_stories_follow_the_events() {
    // The fixture corpus in publication order through `assign`: reports of one event,
    // worded differently by different publications, meet in one story; a story never
    // holds two events, not even the hard negatives written to share names and topics
    // with an event (another central bank, another fire, the cup winners' next match).
    let c = fixture();
    let events: std::collections::BTreeSet<&String> =
        c.docs.iter().filter_map(|d| d.event.as_ref()).collect();
    assert_eq!(events.len(), 13);
    // 10 on 2026-12-07 with average linkage (11 with the centroid rule it replaced,
    // which also merged different events on the NewsArticles pairs); the others are
    // split by a follow-up published days later (aid arriving after the earthquake, the
    // regulator's inquiry two weeks after the merger), which opens a story of its own.
    let joined = events_joined(&fixture_with_features(), &c.df);
    assert!(joined >= 10, "{joined} of 13 events in one story");
}

/// Replays `docs` with their features (in the given order) through `assign`: asserts no
/// story holds two events and returns how many events have all their articles in one story.
fn events_joined(docs: &[(&corpus::Doc, &ArticleFeatures)], df: &DfStats) -> usize {
    let mut r = Replay::new(df);
    let stories: Vec<usize> = docs.iter().map(|(_, f)| r.ingest((*f).clone())).collect();
    let docs: Vec<&corpus::Doc> = docs.iter().map(|(d, _)| *d).collect();
    let mut members: HashMap<usize, Vec<&corpus::Doc>> = HashMap::new();
    for (d, s) in docs.iter().zip(&stories) {
        members.entry(*s).or_default().push(d);
    }
    let mut joined = 0;
    for m in members.values() {
        let first = &m[0];
        for d in &m[1..] {
            assert!(
                first.event.is_some() && first.event == d.event,
                "one story holds {} ({:?}) and {} ({:?})",
                first.title,
                first.event,
                d.title,
                d.event
            );
        }
        let event_size = docs.iter().filter(|d| d.event == first.event).count();
        if first.event.is_some() && m.len() == event_size {
            joined += 1;
        }
    }
    joined
}

#[test]
fn fixture_stories_hold_in_any_arrival_order() {
    // A crawl stores articles in no fixed order and clusters what it has, oldest first,
    // every few seconds: online clustering sees many orders. In 200 shuffled orders no
    // story holds two events, and most events still meet in one story.
    let c = fixture();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut counts = Vec::new();
    for _ in 0..200 {
        let mut order = fixture_with_features();
        for i in (1..order.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        counts.push(events_joined(&order, &c.df));
    }
    counts.sort();
    eprintln!(
        "events joined in 200 orders: min {} median {} max {}",
        counts[0], counts[100], counts[199]
    );
    // min 9, median 10, max 10 on 2026-12-07 with average linkage (10 in publication
    // order; the centroid rule it replaced: 9 / 11 / 12).
    assert!(counts[0] >= 9, "{counts:?}");
    assert!(counts[100] >= 10, "{counts:?}");
}

#[test]
fn stories_do_not_merge_different_events_that_share_a_topic() {
    let Some(c) = full_news("stories_do_not_merge_different_events_that_share_a_topic") else {
        return;
    };
    let by_id: HashMap<&str, &corpus::Doc> = c.docs.iter().map(|d| (d.id.as_str(), d)).collect();
    let f = |id: &str| analyze(&input(by_id[id]), &c.df).features;
    // Hard negatives: different events with shared names or topic words.
    let hard: Vec<LabelledPair> = labelled_pairs()
        .into_iter()
        .filter(|p| !p.same && (p.stratum == "low-ent" || p.stratum == "ent"))
        .collect();
    let merged: Vec<(&str, &str)> = hard
        .iter()
        .filter(|p| same_story(&f(&p.a), &f(&p.b)))
        .map(|p| (p.a.as_str(), p.b.as_str()))
        .collect();
    assert!(hard.len() > 90);
    assert!(
        merged.len() * 20 <= hard.len(),
        "{} of {} merged: {merged:?}",
        merged.len(),
        hard.len()
    );
    // Shared topic alone never suffices: two Politics articles from different days and events.
    let (a, b) = (f("newsarticles:1"), f("newsarticles:2"));
    assert!(a.topics.contains(&Topic::Politics) || a.topic_source == TopicSource::Lexicon);
    assert!(!same_story(&a, &b));
}

#[test]
fn fixture_pairs_same_story_on_events_only() {
    let c = fixture();
    let feats: HashMap<&str, ArticleFeatures> = c
        .docs
        .iter()
        .map(|d| (d.id.as_str(), analyze(&input(d), &c.df).features))
        .collect();
    let (mut same, mut same_hits, mut other, mut merged) = (0, 0, 0, Vec::new());
    for (i, a) in c.docs.iter().enumerate() {
        for b in &c.docs[i + 1..] {
            let s = same_story(&feats[a.id.as_str()], &feats[b.id.as_str()]);
            if a.event.is_some() && a.event == b.event {
                same += 1;
                same_hits += usize::from(s);
            } else {
                other += 1;
                if s {
                    merged.push((a.title.as_str(), b.title.as_str()));
                }
            }
        }
    }
    eprintln!("same-event pairs judged one story: {same_hits} of {same}");
    assert_eq!(same + other, c.docs.len() * (c.docs.len() - 1) / 2);
    assert!(merged.is_empty(), "{merged:?}");
    // 19 of the 27 on 2026-12-07 (21 with the centroid rule, which merged more
    // different events on the NewsArticles pairs).
    assert!(same_hits >= 19, "{same_hits} of {same}");
}

#[test]
fn language_keywords_entities_and_topics_on_real_articles() {
    let Some(c) = full_news("language_keywords_entities_and_topics_on_real_articles") else {
        return;
    };
    let (docs, df) = (&c.docs, &c.df);
    assert_language_topics_keywords(&docs.iter().step_by(10).collect::<Vec<_>>(), df);

    let devos = docs.iter().find(|d| d.id == "newsarticles:1").unwrap();
    let f = analyze(&input(devos), df).features;
    let keys: Vec<&str> = f.entities.iter().map(|e| e.key.as_str()).collect();
    for want in ["betsy devos", "mike pence", "senate", "elizabeth warren"] {
        assert!(keys.contains(&want), "{want} not in {keys:?}");
    }
    assert!(f.keywords.iter().any(|k| k == "devos"), "{:?}", f.keywords);
    assert_eq!(f.topics, [Topic::Politics]);
    assert_eq!(f.topic_source, TopicSource::Url);

    // Lexicon (URL hidden) agrees with the publisher's URL section for most articles.
    let (n, agree) = lexicon_agreement(&docs.iter().step_by(3).collect::<Vec<_>>(), df);
    assert!(n > 200 && agree * 10 >= n * 6, "{agree} of {n}");
}

#[test]
fn language_keywords_entities_and_topics_on_fixture_articles() {
    let c = fixture();
    assert_language_topics_keywords(&c.docs.iter().collect::<Vec<_>>(), &c.df);

    let election = c
        .docs
        .iter()
        .find(|d| d.title.starts_with("Arvenia's ruling party loses"))
        .unwrap();
    let f = analyze(&input(election), &c.df).features;
    let keys: Vec<&str> = f.entities.iter().map(|e| e.key.as_str()).collect();
    for want in ["tomas reinholt", "ilse varga", "arvenia"] {
        assert!(keys.contains(&want), "{want} not in {keys:?}");
    }
    assert!(
        f.keywords.iter().any(|k| k == "election"),
        "{:?}",
        f.keywords
    );
    assert_eq!(f.topics, [Topic::World]);
    assert_eq!(f.topic_source, TopicSource::Url);

    let (n, agree) = lexicon_agreement(&c.docs.iter().collect::<Vec<_>>(), &c.df);
    assert!(n >= 40 && agree * 10 >= n * 6, "{agree} of {n}");
}

/// English detected reliably for 98% of `sample`; every article gets a topic and at most
/// ten keywords, and its features survive a blob round trip.
fn assert_language_topics_keywords(sample: &[&corpus::Doc], df: &DfStats) {
    let mut english = 0;
    for d in sample {
        let f = analyze(&input(d), df).features;
        if f.lang == "en" && f.lang_guess.as_ref().is_some_and(|g| g.reliable) {
            english += 1;
        }
        assert!(!f.topics.is_empty(), "{} has no topic", d.id);
        assert!(f.keywords.len() <= 10);
        // Blob round trip.
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<ArticleFeatures>(&json).unwrap(), f);
    }
    // The corpus is English.
    assert!(
        english * 100 >= sample.len() * 98,
        "{english} of {}",
        sample.len()
    );
}

/// How often the lexicon (URL hidden) names a topic of the URL's section: (articles with a
/// section, agreements).
fn lexicon_agreement(docs: &[&corpus::Doc], df: &DfStats) -> (usize, usize) {
    let mut n = 0;
    let mut agree = 0;
    for d in docs {
        let gold = d.url.as_deref().map(topics_from_url).unwrap_or_default();
        if gold.is_empty() {
            continue;
        }
        let f = analyze(
            &ArticleInput {
                url: None,
                ..input(d)
            },
            df,
        )
        .features;
        let (pred, _) = assign_topics(None, &[], &f.vector);
        n += 1;
        agree += usize::from(pred.iter().any(|p| gold.contains(p)));
    }
    (n, agree)
}

#[test]
fn related_ranking_beats_plain_cosine_on_reuters_topics() {
    if tidings_testdata::full_data_or_skip("related_ranking_beats_plain_cosine_on_reuters_topics")
        .is_none()
    {
        return;
    }
    let docs: Vec<corpus::Doc> = corpus::load("reuters21578")
        .into_iter()
        .filter(|d| !d.topics.is_empty())
        .take(1500)
        .collect();
    let df = &df_of(&docs);
    let feats: Vec<ArticleFeatures> = docs
        .iter()
        .map(|d| analyze(&input(d), df).features)
        .collect();
    let n = docs.len();
    let top = |q: usize, v: &dyn Fn(usize) -> f32, k: usize| -> Vec<usize> {
        let mut c: Vec<(usize, f32)> = (0..n).filter(|&d| d != q).map(|d| (d, v(d))).collect();
        c.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        c.into_iter().take(k).map(|x| x.0).collect()
    };
    // Context vectors from each article's 50 nearest neighbours (the ingest step).
    let contexts: Vec<TermVector> = (0..n)
        .map(|q| {
            let nb = top(q, &|d| feats[q].vector.dot(&feats[d].vector), 50);
            let vs: Vec<&TermVector> = nb.iter().map(|&d| &feats[d].vector).collect();
            context_vector(&feats[q].vector, &vs)
        })
        .collect();
    let hit = |q: usize, r: usize| docs[r].topics.iter().any(|t| docs[q].topics.contains(t));
    let (mut base, mut ours, mut copies) = (0usize, 0usize, 0usize);
    for q in (0..n).step_by(3) {
        let cand = top(q, &|d| feats[q].vector.dot(&feats[d].vector), 50);
        base += cand.iter().take(5).filter(|&&r| hit(q, r)).count();
        let rd: Vec<RelatedDoc<'_>> = cand
            .iter()
            .map(|&d| RelatedDoc {
                features: &feats[d],
                context: &contexts[d],
                story: None,
            })
            .collect();
        let qd = RelatedDoc {
            features: &feats[q],
            context: &contexts[q],
            story: None,
        };
        let r = rank_related(&qd, &rd, 5);
        ours += r.iter().filter(|x| hit(q, cand[x.index])).count();
        copies += r
            .iter()
            .filter(|x| is_near_duplicate(&feats[q].signature, &feats[cand[x.index]].signature))
            .count();
    }
    assert!(ours > base, "ours {ours} vs cosine {base}");
    assert_eq!(copies, 0);
}

/// The lowest mean pairwise agreement (the blend [`crate::stories::match_score`] joins on,
/// computed exactly from the members' own vectors) over the stories of two or more
/// articles that [`crate::stories::Clusterer`] makes from `feats` in the given order.
fn lowest_story_agreement(feats: &[&ArticleFeatures]) -> (f32, usize) {
    let mut clusterer = crate::stories::Clusterer::new();
    let mut members: HashMap<usize, Vec<&ArticleFeatures>> = HashMap::new();
    for f in feats {
        members.entry(clusterer.place(f)).or_default().push(f);
    }
    let mut lowest = 1.0f32;
    let mut stories = 0;
    for m in members.values().filter(|m| m.len() > 1) {
        stories += 1;
        let (mut sum, mut pairs) = (0.0f32, 0usize);
        for (i, a) in m.iter().enumerate() {
            for b in &m[..i] {
                sum += crate::stories::match_score(a, &StoryProfile::new(b)).score;
                pairs += 1;
            }
        }
        lowest = lowest.min(sum / pairs as f32);
    }
    (lowest, stories)
}

/// Why no story drifts: an article joins only when its average agreement with the members
/// already there reaches the join threshold, so the mean over all pairs of members (each
/// pair counted when its later article joined) never falls below it, however the story
/// grows. A story cannot wander from its first event to a neighbouring one through a chain
/// of articles each close to the last. (Sums keep only their heaviest terms, hence the
/// small tolerance.)
#[test]
fn stories_cannot_drift_below_the_join_threshold() {
    let join = crate::stories::StoryParams::default().join;
    let fixture: Vec<&ArticleFeatures> = fixture_with_features().iter().map(|(_, f)| *f).collect();
    let (lowest, stories) = lowest_story_agreement(&fixture);
    eprintln!("fixture: {stories} stories of 2+, lowest mean agreement {lowest:.3}");
    assert!(stories >= 10);
    assert!(lowest >= join - 0.02, "{lowest} < {join}");
    let Some(c) = full_news("stories_cannot_drift_below_the_join_threshold") else {
        return;
    };
    let feats: Vec<ArticleFeatures> = c
        .docs
        .iter()
        .map(|d| analyze(&input(d), &c.df).features)
        .collect();
    let refs: Vec<&ArticleFeatures> = feats.iter().collect();
    let (lowest, stories) = lowest_story_agreement(&refs);
    eprintln!("NewsArticles: {stories} stories of 2+, lowest mean agreement {lowest:.3}");
    assert!(stories > 300);
    assert!(lowest >= join - 0.02, "{lowest} < {join}");
}
