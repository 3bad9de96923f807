//! Tests on the real corpora in `shared/data/news` (see its README). They fail, not skip,
//! when the files are missing: the claims they check are the crate's main promises.
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

/// NewsArticles in publication order, and its document frequencies, loaded once per test run.
fn news_and_df() -> &'static (Vec<corpus::Doc>, DfStats) {
    static CACHE: OnceLock<(Vec<corpus::Doc>, DfStats)> = OnceLock::new();
    CACHE.get_or_init(|| {
        let mut d = corpus::load("newsarticles");
        d.sort_by(|a, b| a.published.cmp(&b.published).then(a.id.cmp(&b.id)));
        let df = df_of(&d);
        (d, df)
    })
}

fn news() -> &'static [corpus::Doc] {
    &news_and_df().0
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

#[test]
fn syndicated_copies_of_real_articles_are_near_duplicates() {
    let docs = news();
    let originals: Vec<&corpus::Doc> = docs
        .iter()
        .filter(|d| d.body.len() >= 600)
        .step_by(9)
        .take(300)
        .collect();
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
    // Edited, truncated and all-combined copies: at least 90% found.
    assert!(
        missed.len() * 10 <= originals.len() * 3,
        "missed {} of {}: {missed:?}",
        missed.len(),
        originals.len() * 3
    );
}

#[test]
fn different_articles_on_the_same_event_are_not_near_duplicates() {
    let docs = news();
    let by_id: HashMap<&str, &corpus::Doc> = docs.iter().map(|d| (d.id.as_str(), d)).collect();
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
fn syndicated_copies_always_land_in_their_originals_story() {
    let (docs, df) = news_and_df();
    // Replay a week of real articles through `assign`, as the pipeline does.
    let window: Vec<&corpus::Doc> = docs
        .iter()
        .filter(|d| d.published.is_some())
        .skip(1500)
        .take(250)
        .collect();
    let mut feats: Vec<ArticleFeatures> = Vec::new();
    let mut story_of: Vec<usize> = Vec::new();
    let mut profiles: Vec<StoryProfile> = Vec::new();
    let mut ingest = |f: ArticleFeatures,
                      feats: &mut Vec<ArticleFeatures>,
                      story_of: &mut Vec<usize>|
     -> usize {
        let copies: Vec<CopyCandidate<'_>> = feats
            .iter()
            .enumerate()
            .map(|(i, x)| CopyCandidate {
                article: ArticleId(i as i64),
                story: StoryId(story_of[i] as i64),
                signature: &x.signature,
            })
            .collect();
        let stories: Vec<StoryCandidate<'_>> = profiles
            .iter()
            .enumerate()
            .map(|(s, p)| StoryCandidate {
                story: StoryId(s as i64),
                profile: p,
            })
            .collect();
        let s = match assign(&f, &copies, &stories) {
            Decision::Copy { story, .. } => {
                profiles[story.0 as usize].add(&f, true);
                story.0 as usize
            }
            Decision::Join { story, .. } => {
                profiles[story.0 as usize].add(&f, false);
                story.0 as usize
            }
            Decision::New => {
                profiles.push(StoryProfile::new(&f));
                profiles.len() - 1
            }
        };
        feats.push(f);
        story_of.push(s);
        s
    };
    for d in &window {
        ingest(analyze(&input(d), df).features, &mut feats, &mut story_of);
    }
    let originals = feats.len();
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
            let s = ingest(f, &mut feats, &mut story_of);
            assert_eq!(
                s,
                story_of[i],
                "{} copy kind {} left its story",
                d.id,
                perturb::KINDS[kind]
            );
            checked += 1;
        }
    }
    assert!(checked > 500 && originals == 250);
}

#[test]
fn stories_do_not_merge_different_events_that_share_a_topic() {
    let (docs, df) = news_and_df();
    let by_id: HashMap<&str, &corpus::Doc> = docs.iter().map(|d| (d.id.as_str(), d)).collect();
    let f = |id: &str| analyze(&input(by_id[id]), df).features;
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
fn language_keywords_entities_and_topics_on_real_articles() {
    let (docs, df) = news_and_df();
    let sample: Vec<&corpus::Doc> = docs.iter().step_by(10).collect();
    let mut english = 0;
    for d in &sample {
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
    let mut n = 0;
    let mut agree = 0;
    for d in docs.iter().step_by(3) {
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
    assert!(n > 200 && agree * 10 >= n * 6, "{agree} of {n}");
}

#[test]
fn related_ranking_beats_plain_cosine_on_reuters_topics() {
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
