//! Design sweep for related articles on Reuters-21578 through the real index: variants of
//! the context vector and of the rerank over cached MLT neighbour lists (cached in
//! `/tmp/related_sweep_*.json`). Exploration only; `related_eval` measures the served path.
//!
//! Run: `cargo run --release -p tidings-search --example related_sweep`, with
//! `CTX=k:weight:beta[:25|40[:keep]],...` (weight `flat`, `score`, `score2`, `score15`,
//! `scoresqrt`, `rank`; default `100:flat:5`), `KMAX=` (MLT list length, 400),
//! `SCORERS=ownq0.2,hub0.2,lcenter0.5,mltrank,ctx2q1,ctx2q1@200,qb2,...`, `QE=1` (query
//! expansion from the first-pass top m), `POOLS=1` (also 200 and 40-term candidates).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop,
    clippy::type_complexity
)]

#[path = "common/corpus.rs"]
mod corpus;

use std::collections::HashMap;
use std::time::Instant;

use tidings_search::MltOptions;
use tidings_understand::features::{ArticleFeatures, ArticleInput, analyze};
use tidings_understand::fingerprint::is_near_duplicate;
use tidings_understand::related::{RelatedDoc, context_vector_with, rank_related};
use tidings_understand::vector::{DfStats, TermVector};

const K: usize = 5;

fn weighted_context(
    own: &TermVector,
    nb: &[(&TermVector, f32)],
    beta: f32,
    keep: usize,
) -> TermVector {
    let mut m: HashMap<u64, f32> = own.terms.iter().copied().collect();
    let tot: f32 = nb.iter().map(|x| x.1).sum();
    if tot > 0.0 {
        for (v, w) in nb {
            for (t, x) in &v.terms {
                *m.entry(*t).or_default() += x * w * beta / tot;
            }
        }
    }
    TermVector::from_weights(m.into_iter().collect(), keep)
}

fn main() {
    let docs: Vec<corpus::Doc> = corpus::load("reuters21578")
        .into_iter()
        .filter(|d| !d.topics.is_empty())
        .collect();
    let n = docs.len();
    let (_dir, index) = corpus::index_corpus(&docs);
    let inputs: Vec<ArticleInput<'_>> = docs
        .iter()
        .map(|d| ArticleInput {
            title: &d.title,
            body: &d.body,
            published: d.published,
            ..Default::default()
        })
        .collect();
    let mut dfs = DfStats::new();
    for i in &inputs {
        dfs.observe(&analyze(i, &DfStats::new()).distinct_terms);
    }
    let feats: Vec<ArticleFeatures> = inputs.iter().map(|i| analyze(i, &dfs).features).collect();

    let mlt = |terms: usize, k: usize| -> Vec<Vec<(usize, f32)>> {
        let path = format!("/tmp/related_sweep_{terms}_{k}.json");
        if let Ok(s) = std::fs::read_to_string(&path) {
            return serde_json::from_str(&s).unwrap();
        }
        let o = MltOptions {
            max_query_terms: terms,
            ..MltOptions::default()
        };
        let t = Instant::now();
        let r: Vec<Vec<(usize, f32)>> = (0..n)
            .map(|q| {
                index
                    .more_like_this_with(&docs[q].title, &docs[q].body, "en", k, &[q as i64], &o)
                    .unwrap()
                    .into_iter()
                    .map(|(d, s)| (d as usize, s))
                    .collect()
            })
            .collect();
        println!(
            "mlt {terms} terms top {k}: {:.2} ms/query",
            t.elapsed().as_secs_f64() * 1000.0 / n as f64
        );
        std::fs::write(&path, serde_json::to_string(&r).unwrap()).unwrap();
        r
    };
    let l25 = mlt(25, 200);
    let l40 = mlt(40, 200);

    let p5 = |res: &dyn Fn(usize) -> Vec<usize>| -> (f64, f64) {
        let (mut hits, mut dups) = (0usize, 0usize);
        for q in 0..n {
            for d in res(q).into_iter().take(K) {
                if docs[d].topics.iter().any(|t| docs[q].topics.contains(t)) {
                    hits += 1;
                }
                if is_near_duplicate(&feats[q].signature, &feats[d].signature) {
                    dups += 1;
                }
            }
        }
        (hits as f64 / (n * K) as f64, dups as f64 / (n * K) as f64)
    };

    // Contexts: (name, lists used, neighbours, weighting).
    let build = |lists: &Vec<Vec<(usize, f32)>>, k: usize, weight: &str, beta: f32, keep: usize| {
        (0..n)
            .map(|q| {
                let nb: Vec<(&TermVector, f32)> = lists[q]
                    .iter()
                    .take(k)
                    .enumerate()
                    .map(|(i, &(d, s))| {
                        let top = lists[q][0].1.max(1e-6);
                        let w = match weight {
                            "score" => s / top,
                            "score2" => (s / top).powi(2),
                            "score15" => (s / top).powf(1.5),
                            "scoresqrt" => (s / top).sqrt(),
                            "rank" => 1.0 / (1.0 + i as f32 / 20.0),
                            _ => 1.0,
                        };
                        (&feats[d].vector, w)
                    })
                    .collect();
                if weight == "flat" {
                    let vs: Vec<&TermVector> = nb.iter().map(|x| x.0).collect();
                    context_vector_with(&feats[q].vector, &vs, beta, keep)
                } else {
                    weighted_context(&feats[q].vector, &nb, beta, keep)
                }
            })
            .collect::<Vec<TermVector>>()
    };

    let only = std::env::var("ONLY").unwrap_or_default();
    let l25b = mlt(
        25,
        std::env::var("KMAX").map_or(400, |v| v.parse().unwrap()),
    );
    let spec = std::env::var("CTX").unwrap_or("100:flat:5".into());
    let names: Vec<String> = spec.split(',').map(str::to_string).collect();
    let keep_of =
        |name: &str| -> usize { name.split(':').nth(4).map_or(128, |x| x.parse().unwrap()) };
    let ctx_variants: Vec<(&str, &Vec<Vec<(usize, f32)>>, usize, &str, f32)> = names
        .iter()
        .map(|x| {
            let p: Vec<&str> = x.split(':').collect();
            let lists = if p.get(3) == Some(&"40") { &l40 } else { &l25b };
            (
                x.as_str(),
                lists,
                p[0].parse().unwrap(),
                p[1],
                p[2].parse().unwrap(),
            )
        })
        .collect();
    for (cname, lists, k, weight, beta) in ctx_variants {
        if !only.is_empty() && !cname.contains(&only) {
            continue;
        }
        let contexts = build(lists, k, weight, beta, keep_of(cname));
        let rank = |q: usize, pool: &[(usize, f32)], qctx: &TermVector| -> Vec<usize> {
            let rc: Vec<RelatedDoc<'_>> = pool
                .iter()
                .map(|&(d, _)| RelatedDoc {
                    features: &feats[d],
                    context: &contexts[d],
                    story: None,
                })
                .collect();
            let qd = RelatedDoc {
                features: &feats[q],
                context: qctx,
                story: None,
            };
            rank_related(&qd, &rc, K)
                .into_iter()
                .map(|x| pool[x.index].0)
                .collect()
        };
        for (pname, plists, pk) in [
            ("pool 25t top100", &l25b, 100usize),
            ("pool 25t top200", &l25, 200),
            ("pool 40t top100", &l40, 100),
        ] {
            let (p, d) = p5(&|q| rank(q, &plists[q][..pk.min(plists[q].len())], &contexts[q]));
            println!("{cname:<32} {pname:<16} plain     P@5 {p:.4} copies {d:.4}");
            // Query expansion at rank time: add the mean context of the m best first-pass
            // candidates to the query's context.
            let qe: Vec<(usize, f32)> = if std::env::var("QE").is_ok_and(|v| v == "1") {
                vec![(5, 1.0), (10, 1.0), (10, 2.0), (20, 1.0), (20, 3.0)]
            } else {
                vec![]
            };
            for (m, g) in qe {
                let (p, d) = p5(&|q| {
                    let pool = &plists[q][..pk.min(plists[q].len())];
                    let first = rank(q, pool, &contexts[q]);
                    let mut first_m = first.clone();
                    if m > K {
                        // rank_related stops at K; rank the rest by plain cosine.
                        let mut sc: Vec<(usize, f32)> = pool
                            .iter()
                            .map(|&(d, _)| (d, contexts[q].dot(&contexts[d])))
                            .collect();
                        sc.sort_by(|a, b| b.1.total_cmp(&a.1));
                        first_m = sc.iter().take(m).map(|x| x.0).collect();
                    }
                    let vs: Vec<&TermVector> = first_m.iter().map(|&d| &contexts[d]).collect();
                    let qx = context_vector_with(&contexts[q], &vs, g, 128);
                    rank(q, pool, &qx)
                });
                println!("{cname:<32} {pname:<16} qe m{m} g{g}  P@5 {p:.4} copies {d:.4}");
            }
            // Other scores, same exclusions as rank_related.
            let pick = |q: usize, scored: Vec<(usize, f32)>| -> Vec<usize> {
                let mut sc = scored;
                sc.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                let mut out: Vec<usize> = Vec::new();
                for (d, _) in sc {
                    if out.len() >= K {
                        break;
                    }
                    let f = &feats[d];
                    let rep = is_near_duplicate(&feats[q].signature, &f.signature)
                        || (!f.title.is_empty() && f.title.eq_ignore_ascii_case(&feats[q].title))
                        || out
                            .iter()
                            .any(|&o| is_near_duplicate(&feats[o].signature, &f.signature));
                    if !rep {
                        out.push(d);
                    }
                }
                out
            };
            let scorers: Vec<&str> = std::env::var("SCORERS")
                .unwrap_or_default()
                .split(',')
                .filter(|x| !x.is_empty())
                .map(|x| Box::leak(x.to_string().into_boxed_str()) as &str)
                .collect();
            for sname in scorers {
                let (p, d) = p5(&|q| {
                    let pool = &plists[q][..pk.min(plists[q].len())];
                    let q2;
                    let cq = if sname.starts_with("ctx2q") {
                        let l = &l25b[q];
                        let top = l.first().map_or(1.0, |x| x.1).max(1e-6);
                        let (b, k2) = sname
                            .trim_start_matches("ctx2q")
                            .split_once('@')
                            .unwrap_or((sname.trim_start_matches("ctx2q"), "0"));
                        let k2: usize = if k2 == "0" { k } else { k2.parse().unwrap() };
                        let nb: Vec<(&TermVector, f32)> = l
                            .iter()
                            .take(k2)
                            .map(|&(d, s)| (&contexts[d], s / top))
                            .collect();
                        let beta: f32 = b.parse().unwrap_or(5.0);
                        q2 = weighted_context(&feats[q].vector, &nb, beta, 128);
                        &q2
                    } else if sname.starts_with("qb") {
                        let l = &l25b[q];
                        let top = l.first().map_or(1.0, |x| x.1).max(1e-6);
                        let nb: Vec<(&TermVector, f32)> = l
                            .iter()
                            .take(k)
                            .map(|&(d, s)| (&feats[d].vector, s / top))
                            .collect();
                        let beta: f32 = sname.trim_start_matches("qb").parse().unwrap_or(5.0);
                        q2 = weighted_context(&feats[q].vector, &nb, beta, keep_of(cname));
                        &q2
                    } else {
                        &contexts[q]
                    };
                    let mean = {
                        let vs: Vec<&TermVector> =
                            pool.iter().map(|&(d, _)| &contexts[d]).collect();
                        context_vector_with(&TermVector::default(), &vs, 1.0, 100_000)
                    };
                    let scored: Vec<(usize, f32)> = pool
                        .iter()
                        .map(|&(d, mlt)| {
                            let cd = &contexts[d];
                            let cos = cq.dot(cd);
                            let s = match sname {
                                "ownq0.1" => cos + 0.1 * feats[q].vector.dot(cd),
                                "ownq0.2" => cos + 0.2 * feats[q].vector.dot(cd),
                                "ownq0.3" => cos + 0.3 * feats[q].vector.dot(cd),
                                "ownc0.2" => cos + 0.2 * cq.dot(&feats[d].vector),
                                "ownboth0.2" => {
                                    cos + 0.2 * (feats[q].vector.dot(cd) + cq.dot(&feats[d].vector))
                                }
                                "ownown0.1" => cos + 0.1 * feats[q].vector.dot(&feats[d].vector),
                                "hub0.2" => cos - 0.2 * cd.dot(&mean),
                                "hub0.5" => cos - 0.5 * cd.dot(&mean),
                                "lcenter0.5" | "lcenter1" => {
                                    let l: f32 = if sname == "lcenter1" { 1.0 } else { 0.5 };
                                    let (qm, dm, mm) = (
                                        cq.dot(&mean) * l,
                                        cd.dot(&mean) * l,
                                        mean.dot(&mean) * l * l,
                                    );
                                    (cos - qm - dm + mm)
                                        / ((1.0 - 2.0 * qm + mm) * (1.0 - 2.0 * dm + mm))
                                            .max(1e-9)
                                            .sqrt()
                                }
                                "mltrank" => cos + 0.02 * (mlt / pool[0].1.max(1e-6)),
                                _ => cos,
                            };
                            (d, s)
                        })
                        .collect();
                    pick(q, scored)
                });
                println!("{cname:<32} {pname:<16} {sname:<9} P@5 {p:.4} copies {d:.4}");
            }
            if !std::env::var("POOLS").is_ok_and(|v| v == "1") {
                break;
            }
        }
    }
}
