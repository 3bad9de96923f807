//! Story clustering evaluation on NewsArticles with the hand-labelled pairs in
//! `eval/story_pairs.jsonl` (protocol in `eval/README.md`).
//!
//! Replays the corpus in publication order through the same calls the pipeline makes:
//! copy candidates by exact fingerprint / LSH band key, story candidates by shared lookup keys
//! among stories active in the time window, then `assign`. Reports pairwise precision and
//! recall of "same story" over the labelled pairs (all, and on the dev/test halves: even pair
//! index = dev, odd = test; thresholds were chosen on dev), a threshold sweep, and a
//! syndication check: perturbed copies of 500 articles replayed a day later must land in
//! their original's story.
//!
//! Run: `cargo run --release -p tidings-understand --example story_eval`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop
)]

#[path = "common/corpus.rs"]
mod corpus;
#[path = "common/perturb.rs"]
mod perturb;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use tidings_core::{ArticleId, StoryId, Timestamp};
use tidings_understand::features::{
    AnalyzeOptions, ArticleFeatures, ArticleInput, analyze, analyze_with, term_ids,
};
use tidings_understand::fingerprint::band_keys;
use tidings_understand::stories::{
    CopyCandidate, Decision, StoryCandidate, StoryParams, StoryProfile, WINDOW_MS, assign_with,
    representative_headline, same_story_with,
};
use tidings_understand::vector::DfStats;

fn env_or<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

struct Pair {
    a: String,
    b: String,
    same: bool,
    /// Which labelled set: "v1" (`story_pairs.jsonl`) or "v2" (`story_pairs_v2.jsonl`).
    set: &'static str,
    hard_negative: bool,
}

/// Both labelled sets; `PAIRS=v1` or `PAIRS=v2` keeps one.
fn load_pairs() -> Vec<Pair> {
    let want = std::env::var("PAIRS").unwrap_or_default();
    let mut out = Vec::new();
    for (set, file) in [("v1", "story_pairs.jsonl"), ("v2", "story_pairs_v2.jsonl")] {
        if !want.is_empty() && want != set {
            continue;
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("eval")
            .join(file);
        for l in std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .lines()
        {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            out.push(Pair {
                a: v["a"].as_str().unwrap().to_string(),
                b: v["b"].as_str().unwrap().to_string(),
                same: v["same_story"].as_bool().unwrap(),
                set,
                hard_negative: v["hard_negative"].as_bool().unwrap_or(false),
            });
        }
    }
    out
}

/// B-cubed precision and recall restricted to what the labels know: for each labelled
/// article, its labelled partners (plus itself) stand for its cluster.
fn bcubed(pairs: &[&Pair], together: impl Fn(&Pair) -> bool) -> (f64, f64) {
    let mut per: HashMap<&str, (usize, usize, usize)> = HashMap::new(); // (both, pred, gold)
    for p in pairs {
        let t = together(p);
        for k in [p.a.as_str(), p.b.as_str()] {
            let e = per.entry(k).or_insert((1, 1, 1));
            e.0 += usize::from(t && p.same);
            e.1 += usize::from(t);
            e.2 += usize::from(p.same);
        }
    }
    let n = per.len().max(1) as f64;
    let p = per
        .values()
        .map(|(b, pr, _)| *b as f64 / *pr as f64)
        .sum::<f64>()
        / n;
    let r = per
        .values()
        .map(|(b, _, g)| *b as f64 / *g as f64)
        .sum::<f64>()
        / n;
    (p, r)
}

/// The pipeline's state, in memory: what the store would hold and index.
#[derive(Default)]
struct Store {
    feats: Vec<ArticleFeatures>,
    story_of: Vec<StoryId>,
    stories: Vec<StoryProfile>,
    members: Vec<Vec<usize>>,
    by_exact: HashMap<u64, Vec<usize>>,
    by_band: HashMap<u64, Vec<usize>>,
    /// lookup key -> stories having an article with it
    by_key: HashMap<u64, HashSet<usize>>,
    /// At most this many story candidates per article (most shared keys first).
    cap: usize,
    candidates_seen: usize,
    candidates_max: usize,
}

impl Store {
    /// Ingest one article the way the pipeline would; returns its story index.
    fn ingest(&mut self, f: ArticleFeatures, p: &StoryParams) -> (usize, Decision) {
        let me = self.feats.len();
        // Copy candidates: same exact fingerprint or any shared band key.
        let mut cands: HashSet<usize> = HashSet::new();
        if let Some(v) = self.by_exact.get(&f.signature.exact) {
            cands.extend(v);
        }
        let keys = band_keys(&f.signature);
        for k in &keys {
            if let Some(v) = self.by_band.get(k) {
                cands.extend(v);
            }
        }
        let mut cands: Vec<usize> = cands.into_iter().collect();
        cands.sort_unstable();
        let copies: Vec<CopyCandidate<'_>> = cands
            .iter()
            .map(|&i| CopyCandidate {
                article: ArticleId(i as i64),
                story: self.story_of[i],
                signature: &self.feats[i].signature,
            })
            .collect();
        // Story candidates: stories sharing a lookup key (time window is checked by assign).
        // As a database would: stories active in the window, ranked by shared keys, capped.
        let lk = f.lookup_keys();
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for k in &lk {
            if let Some(s) = self.by_key.get(k) {
                for &st in s {
                    if self.stories[st]
                        .last
                        .zip(f.published)
                        .is_none_or(|(l, t)| l.0 + WINDOW_MS >= t.0)
                    {
                        *shared.entry(st).or_default() += 1;
                    }
                }
            }
        }
        let mut sc: Vec<(usize, usize)> = shared.into_iter().collect();
        sc.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        self.candidates_seen += sc.len();
        self.candidates_max = self.candidates_max.max(sc.len());
        sc.truncate(self.cap);
        let sc: Vec<usize> = sc.into_iter().map(|x| x.0).collect();
        let stories: Vec<StoryCandidate<'_>> = sc
            .iter()
            .map(|&s| StoryCandidate {
                story: StoryId(s as i64),
                profile: &self.stories[s],
            })
            .collect();
        let d = assign_with(&f, &copies, &stories, p);
        let s = match d {
            Decision::Copy { story, .. } => {
                let s = story.0 as usize;
                self.stories[s].add(&f, true);
                s
            }
            Decision::Join { story, .. } => {
                let s = story.0 as usize;
                self.stories[s].add(&f, false);
                s
            }
            Decision::New => {
                self.stories.push(StoryProfile::new(&f));
                self.members.push(Vec::new());
                self.stories.len() - 1
            }
        };
        self.members[s].push(me);
        self.by_exact.entry(f.signature.exact).or_default().push(me);
        for k in keys {
            self.by_band.entry(k).or_default().push(me);
        }
        for k in lk {
            self.by_key.entry(k).or_default().insert(s);
        }
        self.story_of.push(StoryId(s as i64));
        self.feats.push(f);
        (s, d)
    }
}

fn pr(pred: &[(bool, bool)]) -> (f64, f64, usize) {
    let tp = pred.iter().filter(|(p, g)| *p && *g).count();
    let fp = pred.iter().filter(|(p, g)| *p && !*g).count();
    let fn_ = pred.iter().filter(|(p, g)| !*p && *g).count();
    (
        tp as f64 / (tp + fp).max(1) as f64,
        tp as f64 / (tp + fn_).max(1) as f64,
        pred.len(),
    )
}

fn f1(p: f64, r: f64) -> f64 {
    2.0 * p * r / (p + r).max(1e-9)
}

fn main() {
    let mut docs = corpus::load("newsarticles");
    docs.sort_by(|a, b| a.published.cmp(&b.published).then(a.id.cmp(&b.id)));
    let pairs = load_pairs();
    // DF mode: `corpus` (default) = IDF from the whole corpus, as a pipeline's DfStats holds
    // after a while; `online` = each article weighed with the DF of the articles before it
    // (a cold start); `empty` = no DF at all.
    let df_mode = std::env::var("DF").unwrap_or_else(|_| "corpus".into());
    let mut df = DfStats::new();
    if df_mode == "corpus" {
        for d in &docs {
            df.observe(&term_ids(&d.title, &d.body, "en"));
        }
    }
    let opts = AnalyzeOptions {
        vector_terms: env_or("VT", AnalyzeOptions::default().vector_terms),
        title_boost: env_or("TB", AnalyzeOptions::default().title_boost),
    };
    let t = Instant::now();
    let mut feats: Vec<ArticleFeatures> = Vec::with_capacity(docs.len());
    for d in &docs {
        let a = analyze_with(
            &ArticleInput {
                title: &d.title,
                body: &d.body,
                published: d.published,
                url: d.url.as_deref(),
                ..Default::default()
            },
            &df,
            &opts,
        );
        if df_mode == "online" {
            df.observe(&a.distinct_terms);
        }
        feats.push(a.features);
    }
    println!("DF mode: {df_mode}");
    println!(
        "analyze: {:.0} articles/s ({} NewsArticles)",
        docs.len() as f64 / t.elapsed().as_secs_f64(),
        docs.len()
    );
    let idx: HashMap<&str, usize> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();

    let run = |p: &StoryParams| -> (Store, f64) {
        let mut st = Store {
            cap: env_or("CAP", 50usize),
            ..Default::default()
        };
        let t = Instant::now();
        for f in &feats {
            st.ingest(f.clone(), p);
        }
        let secs = t.elapsed().as_secs_f64();
        (st, feats.len() as f64 / secs)
    };
    let eval = |st: &Store, which: Option<usize>| -> (f64, f64, usize) {
        let v: Vec<(bool, bool)> = pairs
            .iter()
            .enumerate()
            .filter(|(i, _)| which.is_none_or(|w| i % 2 == w))
            .map(|(_, p)| {
                (
                    st.story_of[idx[p.a.as_str()]] == st.story_of[idx[p.b.as_str()]],
                    p.same,
                )
            })
            .collect();
        pr(&v)
    };

    // Threshold sweep on the dev half.
    println!("\nsweep on the dev half (even pair indices):");
    let base = StoryParams::default();
    let mut results: Vec<(f64, f64, f64, StoryParams)> = Vec::new();
    let base = StoryParams {
        join: env_or("JOIN", base.join),
        ..base
    };
    let sweep: bool = env_or("SWEEP", true);
    let joins: Vec<f32> = if sweep {
        vec![0.22, 0.24, 0.26, 0.28, 0.30, 0.32, 0.34, 0.36, 0.40]
    } else {
        vec![]
    };
    for join in joins {
        let p = StoryParams { join, ..base };
        let (st, _) = run(&p);
        let (pp, rr, _) = eval(&st, Some(0));
        // F0.5: a wrong merge costs more than a missed one.
        let f05 = 1.25 * pp * rr / (0.25 * pp + rr).max(1e-9);
        results.push((f05, pp, rr, p));
        println!("  join {join:.2} -> dev P {pp:.3} R {rr:.3} F0.5 {f05:.3}");
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    if let Some(best) = results.first() {
        println!("best on dev by F0.5: join {:.2}", best.3.join);
    }

    let (st, rate) = run(&base);
    if let Ok(path) = std::env::var("STORIES") {
        let out: String = docs
            .iter()
            .enumerate()
            .map(|(i, d)| format!("{}\t{}\n", d.id, st.story_of[i].0))
            .collect();
        std::fs::write(path, out).unwrap();
    }
    println!(
        "\nshipped defaults (average linkage, join {:.2}, window 3 days):",
        base.join
    );
    for (name, w) in [("all", None), ("dev", Some(0)), ("test", Some(1))] {
        let (p, r, n) = eval(&st, w);
        println!(
            "  online clustering, {name:<4} ({n} pairs): pairwise precision {p:.3} recall {r:.3} F1 {:.3}",
            f1(p, r)
        );
    }
    let together = |p: &Pair| st.story_of[idx[p.a.as_str()]] == st.story_of[idx[p.b.as_str()]];
    for set in ["v1", "v2"] {
        let sp: Vec<&Pair> = pairs.iter().filter(|p| p.set == set).collect();
        if sp.is_empty() {
            continue;
        }
        let v: Vec<(bool, bool)> = sp.iter().map(|p| (together(p), p.same)).collect();
        let (p, r, n) = pr(&v);
        let (bp, br) = bcubed(&sp, together);
        let hn: Vec<&&Pair> = sp.iter().filter(|p| p.hard_negative).collect();
        let hn_merged = hn.iter().filter(|p| together(p)).count();
        println!(
            "  {set} ({n} pairs): pairwise precision {p:.3} recall {r:.3} F1 {:.3}; B-cubed P {bp:.3} R {br:.3} F1 {:.3}; hard negatives merged {hn_merged}/{}",
            f1(p, r),
            f1(bp, br),
            hn.len()
        );
    }
    if env_or("SHOW_ERRORS", false) {
        for p in &pairs {
            let (a, b) = (idx[p.a.as_str()], idx[p.b.as_str()]);
            let together = st.story_of[a] == st.story_of[b];
            if together != p.same {
                let m = tidings_understand::stories::match_score(
                    &feats[a],
                    &StoryProfile::new(&feats[b]),
                );
                println!(
                    "  {} score {:.2} cos {:.2} lead {:.2} title {:.2} ent {:.2}: {:?} / {:?}",
                    if together { "FP" } else { "FN" },
                    m.score,
                    m.cosine,
                    m.lead,
                    m.title,
                    m.entities,
                    docs[a].title,
                    docs[b].title
                );
            }
        }
    }
    let v: Vec<(bool, bool)> = pairs
        .iter()
        .map(|p| {
            (
                same_story_with(&feats[idx[p.a.as_str()]], &feats[idx[p.b.as_str()]], &base),
                p.same,
            )
        })
        .collect();
    let (p, r, _) = pr(&v);
    println!("  pairwise rule same_story(a, b), all: precision {p:.3} recall {r:.3}");
    println!(
        "  story candidates per article in the window: mean {:.1}, max {} (capped at {} by shared keys)",
        st.candidates_seen as f64 / feats.len() as f64,
        st.candidates_max,
        st.cap
    );
    let sizes: Vec<usize> = st.members.iter().map(Vec::len).collect();
    let multi = sizes.iter().filter(|s| **s > 1).count();
    let maxs = sizes.iter().max().copied().unwrap_or(0);
    println!(
        "  {} articles -> {} stories ({} with 2+ articles, largest {}); assign throughput {:.0} articles/s incl. candidate lookup",
        feats.len(),
        st.stories.len(),
        multi,
        maxs,
        rate
    );
    // Largest stories with their chosen headline, for a human look.
    let mut order: Vec<usize> = (0..st.members.len()).collect();
    order.sort_by(|a, b| st.members[*b].len().cmp(&st.members[*a].len()));
    for &s in order.iter().take(8) {
        let m: Vec<&ArticleFeatures> = st.members[s].iter().map(|&i| &st.feats[i]).collect();
        let h = representative_headline(&st.stories[s], &m)
            .map(|i| m[i].title.as_str())
            .unwrap_or("");
        println!("    story of {:>3}: {h}", m.len());
    }

    // Syndication: perturbed copies replayed a day later must fold into the original's story.
    let mut st = st;
    let mut ok = 0usize;
    let mut as_copy = 0usize;
    let mut n = 0usize;
    for (k, i) in (0..docs.len()).step_by(7).take(500).enumerate() {
        let d = &docs[i];
        if d.body.len() < 300 {
            continue;
        }
        let body = perturb::syndicate(&d.body, k);
        let title = format!(
            "{} | {}",
            d.title,
            perturb::SITE_NAMES[k % perturb::SITE_NAMES.len()]
        );
        let f = analyze(
            &ArticleInput {
                title: &title,
                body: &body,
                published: d.published.map(|t| Timestamp(t.0 + 86_400_000)),
                ..Default::default()
            },
            &df,
        )
        .features;
        let want = st.story_of[i];
        let (s, dec) = st.ingest(f, &base);
        n += 1;
        if StoryId(s as i64) == want {
            ok += 1;
        }
        if matches!(dec, Decision::Copy { .. }) {
            as_copy += 1;
        }
    }
    println!(
        "\nsyndicated copies with different chrome: {ok}/{n} landed in their original's story ({as_copy} as near-duplicate copies)"
    );
}
