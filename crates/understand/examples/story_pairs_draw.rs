//! Draws the candidate article pairs of the second story-pair set (`eval/story_pairs_v2.jsonl`,
//! rule and counts in `eval/STORY_PAIRS_V2.md`): NewsArticles pairs that a person then labels
//! "same happening or not". Deterministic (fixed seed): the same corpus gives the same list.
//!
//! Strata (text cosine of the crate's TF-IDF vectors, entities from the crate's extractor):
//! - `hn-top`: published the same day or ±1 day, same most-mentioned entity, cosine < 0.35;
//! - `hn-ent`: the same day or ±1 day, share an entity among each side's top 3, 0.05 ≤ cosine
//!   < 0.35 (hard-negative candidates: same actor, country or place, different wording);
//! - `hi`: cosine ≥ 0.45 within 3 days; `mid`: 0.25 ≤ cosine < 0.45 within 3 days;
//! - `dup`: near-identical bodies (MinHash Jaccard ≥ 0.3) from two sources within 3 days;
//! - `rand`: random pairs published within 7 days of each other.
//!
//! Pairs already in `eval/story_pairs.jsonl` are excluded, bodies under 200 characters are
//! skipped, and no article appears in more than 4 drawn pairs. The drawn pairs are shuffled
//! (seeded) so that labelling them in order and stopping anywhere keeps the strata mixed.
//!
//! Writes `OUT/candidates.jsonl` (one line per pair: index, ids, stratum, days apart, cosine,
//! shared top entities) and `OUT/pairs_batch_NN.txt` (40 pairs per file: ids, dates, sources,
//! titles, the first ~120 words of each body) for reading. `OUT` defaults to `/tmp/pairs`.
//!
//! Run: `cargo run --release -p tidings-understand --example story_pairs_draw [-- OUT]`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss
)]

#[path = "common/corpus.rs"]
mod corpus;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use tidings_understand::features::{ArticleFeatures, ArticleInput, analyze};
use tidings_understand::fingerprint::jaccard;
use tidings_understand::vector::DfStats;

const DAY: i64 = 86_400_000;
const MAX_USES: usize = 4;
const BATCH: usize = 40;
const OPENING_WORDS: usize = 120;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Cand {
    i: usize,
    j: usize,
    cos: f32,
    days: i64,
    shared: Vec<String>,
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/pairs".to_string()),
    );
    std::fs::create_dir_all(&out).unwrap();
    let docs = corpus::load("newsarticles");
    let mut df = DfStats::new();
    for d in &docs {
        df.observe(
            &analyze(
                &ArticleInput {
                    title: &d.title,
                    body: &d.body,
                    ..Default::default()
                },
                &df,
            )
            .distinct_terms,
        );
    }
    let feats: Vec<ArticleFeatures> = docs
        .iter()
        .map(|d| {
            analyze(
                &ArticleInput {
                    title: &d.title,
                    body: &d.body,
                    published: d.published,
                    ..Default::default()
                },
                &df,
            )
            .features
        })
        .collect();

    // Pairs of the first set, excluded here.
    let first_set = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("eval/story_pairs.jsonl");
    let mut excluded: HashSet<(String, String)> = HashSet::new();
    for line in std::fs::read_to_string(&first_set).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let a = v["a"].as_str().unwrap().to_string();
        let b = v["b"].as_str().unwrap().to_string();
        excluded.insert((a.clone(), b.clone()));
        excluded.insert((b, a));
    }

    // Order articles by date so that the window scan is short.
    let mut order: Vec<usize> = (0..docs.len())
        .filter(|&i| docs[i].body.len() >= 200 && docs[i].published.is_some())
        .collect();
    let day = |i: usize| docs[i].published.unwrap().0.div_euclid(DAY);
    order.sort_by_key(|&i| (day(i), i));

    let names = ["hn-top", "hn-ent", "hi", "mid", "dup", "rand"];
    let mut buckets: HashMap<&str, Vec<Cand>> = names.iter().map(|n| (*n, Vec::new())).collect();
    for (x, &i) in order.iter().enumerate() {
        for &j in &order[x + 1..] {
            let days = day(j) - day(i);
            if days > 7 {
                break;
            }
            let (lo, hi) = (i.min(j), i.max(j));
            if excluded.contains(&(docs[lo].id.clone(), docs[hi].id.clone())) {
                continue;
            }
            let (fa, fb) = (&feats[lo], &feats[hi]);
            let cos = fa.vector.dot(&fb.vector);
            let shared: Vec<String> = fa
                .entities
                .iter()
                .take(8)
                .filter(|e| fb.entities.iter().take(8).any(|x| x.key == e.key))
                .map(|e| e.name.clone())
                .collect();
            let top_same = matches!((fa.entities.first(), fb.entities.first()),
                (Some(a), Some(b)) if a.key == b.key);
            let top3_shared = fa
                .entities
                .iter()
                .take(3)
                .any(|e| fb.entities.iter().take(3).any(|x| x.key == e.key));
            let c = Cand {
                i: lo,
                j: hi,
                cos,
                days,
                shared,
            };
            let stratum = if days <= 3
                && docs[lo].source != docs[hi].source
                && jaccard(&fa.signature, &fb.signature) >= 0.3
            {
                "dup"
            } else if days <= 1 && top_same && cos < 0.35 {
                "hn-top"
            } else if days <= 1 && top3_shared && (0.05..0.35).contains(&cos) {
                "hn-ent"
            } else if days <= 3 && cos >= 0.45 {
                "hi"
            } else if days <= 3 && cos >= 0.25 {
                "mid"
            } else {
                "rand"
            };
            buckets.get_mut(stratum).unwrap().push(c);
        }
    }

    let want = [
        ("dup", 25usize),
        ("hn-top", 420),
        ("hn-ent", 380),
        ("hi", 170),
        ("mid", 190),
        ("rand", 70),
    ];
    let mut rng = Rng(0x5eed_2017_0b5e_0002);
    let mut uses: HashMap<usize, usize> = HashMap::new();
    let mut chosen: Vec<(&str, Cand)> = Vec::new();
    for (name, k) in want {
        let mut b = std::mem::take(buckets.get_mut(name).unwrap());
        eprintln!("stratum {name}: {} pairs available", b.len());
        // Seeded Fisher-Yates, then take pairs whose articles are not used up.
        for x in (1..b.len()).rev() {
            let y = rng.below(x + 1);
            b.swap(x, y);
        }
        let mut picked = 0;
        for c in b {
            if picked == k {
                break;
            }
            let ui = uses.get(&c.i).copied().unwrap_or(0);
            let uj = uses.get(&c.j).copied().unwrap_or(0);
            if ui >= MAX_USES || uj >= MAX_USES {
                continue;
            }
            *uses.entry(c.i).or_default() += 1;
            *uses.entry(c.j).or_default() += 1;
            chosen.push((name, c));
            picked += 1;
        }
        eprintln!("stratum {name}: {picked} drawn");
    }
    for x in (1..chosen.len()).rev() {
        let y = rng.below(x + 1);
        chosen.swap(x, y);
    }

    let opening = |s: &str| -> String {
        let words: Vec<&str> = s.split_whitespace().collect();
        let mut o = words[..words.len().min(OPENING_WORDS)].join(" ");
        if words.len() > OPENING_WORDS {
            let _ = write!(o, " [… {} words]", words.len());
        }
        o
    };
    let date = |i: usize| {
        docs[i]
            .published
            .map(|t| t.to_rfc3339())
            .unwrap_or_default()
            .get(..10)
            .unwrap_or("")
            .to_string()
    };
    let mut cands = String::new();
    let mut batch = String::new();
    for (no, (name, c)) in chosen.iter().enumerate() {
        let _ = writeln!(
            cands,
            "{{\"n\":{no},\"a\":{},\"b\":{},\"stratum\":\"{name}\",\"days_apart\":{},\"cos\":{:.3},\"shared\":{}}}",
            json_str(&docs[c.i].id),
            json_str(&docs[c.j].id),
            c.days,
            c.cos,
            serde_json::to_string(&c.shared).unwrap()
        );
        let _ = writeln!(
            batch,
            "#{no} [{name}] d={} cos={:.2} shared={}",
            c.days,
            c.cos,
            c.shared.join(", ")
        );
        for (tag, x) in [("A", c.i), ("B", c.j)] {
            let _ = writeln!(
                batch,
                "{tag} {} | {} | {} | {}",
                docs[x].id.trim_start_matches("newsarticles:"),
                docs[x].source,
                date(x),
                docs[x].title
            );
            let _ = writeln!(batch, "  {}", opening(&docs[x].body));
        }
        batch.push('\n');
        if (no + 1) % BATCH == 0 || no + 1 == chosen.len() {
            let file = out.join(format!("pairs_batch_{:02}.txt", no / BATCH));
            std::fs::write(file, std::mem::take(&mut batch)).unwrap();
        }
    }
    std::fs::write(out.join("candidates.jsonl"), cands).unwrap();
    eprintln!("{} pairs written to {}", chosen.len(), out.display());
}
