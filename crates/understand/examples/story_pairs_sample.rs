//! Draws the candidate article pairs from NewsArticles that a person then labels "same
//! event or not" (protocol in `eval/README.md`). Deterministic: the same corpus gives the
//! same pairs. Prints one block per pair (ids, stratum, titles, dates, sources, openings) to
//! read, and `eval/story_pairs_candidates.jsonl` lines to fill in.
//!
//! Strata (so that hard pairs are well represented):
//! - `hi`: text cosine ≥ 0.45; `mid`: 0.25–0.45; `low-ent`: 0.10–0.25 sharing an entity;
//! - `ent`: share their most mentioned entity, any cosine; `rand`: random pairs.
//!
//! All pairs are published at most 3 days apart, except `rand` (7 days).
//!
//! Run: `cargo run --release -p tidings-understand --example story_pairs_sample > /tmp/pairs.txt`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop
)]

#[path = "common/corpus.rs"]
mod corpus;

use std::collections::HashSet;

use tidings_understand::features::{ArticleFeatures, ArticleInput, analyze};
use tidings_understand::vector::DfStats;

const DAY: i64 = 86_400_000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn main() {
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
    let n = docs.len();
    let day = |i: usize| docs[i].published.map(|t| t.0 / DAY);
    let close = |i: usize, j: usize, days: i64| match (day(i), day(j)) {
        (Some(a), Some(b)) => (a - b).abs() <= days,
        _ => false,
    };
    let mut buckets: Vec<(&str, Vec<(usize, usize)>)> = vec![
        ("hi", vec![]),
        ("mid", vec![]),
        ("low-ent", vec![]),
        ("ent", vec![]),
    ];
    for i in 0..n {
        if docs[i].body.len() < 200 {
            continue;
        }
        for j in (i + 1)..n {
            if docs[j].body.len() < 200 || !close(i, j, 3) {
                continue;
            }
            let cos = feats[i].vector.dot(&feats[j].vector);
            let shares = feats[i]
                .entities
                .iter()
                .take(8)
                .any(|e| feats[j].entities.iter().take(8).any(|x| x.key == e.key));
            let top_same = matches!((feats[i].entities.first(), feats[j].entities.first()), (Some(a), Some(b)) if a.key == b.key);
            if cos >= 0.45 {
                buckets[0].1.push((i, j));
            } else if cos >= 0.25 {
                buckets[1].1.push((i, j));
            } else if cos >= 0.10 && shares {
                buckets[2].1.push((i, j));
            } else if top_same {
                buckets[3].1.push((i, j));
            }
        }
    }
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let want = [("hi", 90usize), ("mid", 110), ("low-ent", 80), ("ent", 40)];
    let mut chosen: Vec<(&str, usize, usize)> = Vec::new();
    let mut used: HashSet<(usize, usize)> = HashSet::new();
    for (name, k) in want {
        let b = &buckets.iter().find(|b| b.0 == name).unwrap().1;
        eprintln!("stratum {name}: {} pairs available", b.len());
        let mut picked = 0;
        let mut tries = 0;
        while picked < k.min(b.len()) && tries < 100_000 {
            tries += 1;
            let p = b[(rng.next() % b.len() as u64) as usize];
            if used.insert(p) {
                chosen.push((name, p.0, p.1));
                picked += 1;
            }
        }
    }
    let mut picked = 0;
    while picked < 30 {
        let i = (rng.next() % n as u64) as usize;
        let j = (rng.next() % n as u64) as usize;
        if i == j || !close(i, j, 7) || docs[i].body.len() < 200 || docs[j].body.len() < 200 {
            continue;
        }
        let p = (i.min(j), i.max(j));
        if used.insert(p) {
            chosen.push(("rand", p.0, p.1));
            picked += 1;
        }
    }
    let snippet = |s: &str, k: usize| -> String { s.chars().take(k).collect() };
    for (no, (name, i, j)) in chosen.iter().enumerate() {
        let cos = feats[*i].vector.dot(&feats[*j].vector);
        println!("#{no} [{name}] cos={cos:.2}");
        for &x in &[*i, *j] {
            println!(
                "  {} | {} | {} | {}",
                docs[x].id,
                docs[x].source,
                docs[x]
                    .published
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default()
                    .get(..10)
                    .unwrap_or(""),
                docs[x].title
            );
            println!("    {}", snippet(&docs[x].body, 320));
        }
        eprintln!(
            "{{\"a\":\"{}\",\"b\":\"{}\",\"stratum\":\"{name}\"}}",
            docs[*i].id, docs[*j].id
        );
    }
}
