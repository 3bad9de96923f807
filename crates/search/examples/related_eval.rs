//! Related articles on Reuters-21578 (the 10,439 articles with topic labels), through the
//! real index: precision@5 of sharing a topic label with the query, for
//! - `tantivy-mlt`: tantivy's `MoreLikeThisQuery` with its defaults (the baseline);
//! - `mlt`: this crate's `more_like_this` (and variants, to choose its defaults);
//! - `served`: the pipeline's related path (crates/pipeline/src/related.rs): `more_like_this`
//!   top 400 neighbours -> score-weighted context vectors (`context_vector_scored`), the
//!   query represented by `query_context`, the best 100 neighbours reranked by
//!   `rank_related`; and the previous design (top 100, equal weights) in the same run.
//!
//! Also how many of the top 5 are near-duplicate copies of the query / the same story
//! (understand's pairwise `same_story` rule; Reuters has no story labels).
//!
//! Run: `cargo run --release -p tidings-search --example related_eval`
//! (`VARIANTS=0` skips the option sweep.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop
)]

#[path = "common/corpus.rs"]
mod corpus;

use std::time::Instant;

use tidings_search::MltOptions;
use tidings_understand::blob;
use tidings_understand::features::{ArticleFeatures, ArticleInput, analyze};
use tidings_understand::fingerprint::is_near_duplicate;
use tidings_understand::related::{
    CONTEXT_NEIGHBOURS, RelatedDoc, context_vector, context_vector_scored, query_context,
    rank_related,
};
use tidings_understand::stories::same_story;
use tidings_understand::vector::{DfStats, TermVector};

const K: usize = 5;

#[derive(Default)]
struct Eval {
    hits: usize,
    total: usize,
    dups: usize,
    same_story: usize,
    queries: usize,
    lat_us: Vec<u64>,
}

impl Eval {
    fn add(
        &mut self,
        q: usize,
        results: &[usize],
        docs: &[corpus::Doc],
        feats: &[ArticleFeatures],
    ) {
        self.queries += 1;
        for &r in results.iter().take(K) {
            self.total += 1;
            if docs[r].topics.iter().any(|t| docs[q].topics.contains(t)) {
                self.hits += 1;
            }
            if is_near_duplicate(&feats[q].signature, &feats[r].signature) {
                self.dups += 1;
            }
            if same_story(&feats[q], &feats[r]) {
                self.same_story += 1;
            }
        }
        // Missing results count as misses: P@5 divides by 5 for every query.
        self.total += K.saturating_sub(results.len().min(K));
    }
    fn report(&mut self, name: &str) {
        self.lat_us.sort_unstable();
        let pct = |p: f64| {
            self.lat_us
                .get(((self.lat_us.len() as f64 - 1.0) * p) as usize)
                .copied()
                .unwrap_or(0) as f64
                / 1000.0
        };
        println!(
            "{name:<34} P@5 {:.4}  copies in top5 {:.4}  same-story in top5 {:.4}  ({} queries; query p50 {:.2} ms p95 {:.2} ms)",
            self.hits as f64 / self.total as f64,
            self.dups as f64 / self.total as f64,
            self.same_story as f64 / self.total as f64,
            self.queries,
            pct(0.5),
            pct(0.95),
        );
    }
}

fn main() {
    let t0 = Instant::now();
    let docs: Vec<corpus::Doc> = corpus::load("reuters21578")
        .into_iter()
        .filter(|d| !d.topics.is_empty())
        .collect();
    let n = docs.len();
    println!("Reuters-21578 with topic labels: {n} articles");

    // ---- index them (lang en: the corpus is English; detection would say fr for tables)
    let t = Instant::now();
    let (_dir, index) = corpus::index_corpus(&docs);
    println!(
        "indexed in {:.1}s ({:.0} docs/s incl. commit)",
        t.elapsed().as_secs_f64(),
        n as f64 / t.elapsed().as_secs_f64()
    );

    // ---- understand's features, DF from the corpus itself (as the pipeline's DfStats would)
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

    let run = |name: &str, f: &dyn Fn(usize) -> Vec<(i64, f32)>| {
        let mut e = Eval::default();
        for q in 0..n {
            let t = Instant::now();
            let r = f(q);
            e.lat_us.push(t.elapsed().as_micros() as u64);
            let r: Vec<usize> = r.into_iter().map(|x| x.0 as usize).collect();
            e.add(q, &r, &docs, &feats);
        }
        e.report(name);
    };

    run("tantivy-mlt (baseline)", &|q| {
        index
            .more_like_this_tantivy_baseline(&docs[q].title, &docs[q].body, "en", K, &[q as i64])
            .unwrap()
    });
    run("mlt (defaults)", &|q| {
        index
            .more_like_this(&docs[q].title, &docs[q].body, "en", K, &[q as i64])
            .unwrap()
    });
    if std::env::var("VARIANTS").as_deref() != Ok("0") {
        let d = MltOptions::default();
        let variants: Vec<(&str, MltOptions)> = vec![
            (
                "  term boosts (Lucene)",
                MltOptions {
                    boost_terms: true,
                    ..d.clone()
                },
            ),
            (
                "  min_tf 2 (Lucene)",
                MltOptions {
                    min_term_freq: 2,
                    ..d.clone()
                },
            ),
            (
                "  min_df 2",
                MltOptions {
                    min_doc_freq: 2,
                    ..d.clone()
                },
            ),
            (
                "  40 terms",
                MltOptions {
                    max_query_terms: 40,
                    ..d.clone()
                },
            ),
            (
                "  20 terms",
                MltOptions {
                    max_query_terms: 20,
                    ..d.clone()
                },
            ),
            (
                "  15 terms",
                MltOptions {
                    max_query_terms: 15,
                    ..d.clone()
                },
            ),
            (
                "  title x2",
                MltOptions {
                    title_weight: 2,
                    ..d.clone()
                },
            ),
            (
                "  match titles",
                MltOptions {
                    match_titles: true,
                    ..d.clone()
                },
            ),
            (
                "  max df 10%",
                MltOptions {
                    max_doc_freq_ratio: 0.1,
                    ..d.clone()
                },
            ),
        ];
        for (name, o) in variants {
            run(name, &|q| {
                index
                    .more_like_this_with(&docs[q].title, &docs[q].body, "en", K, &[q as i64], &o)
                    .unwrap()
            });
        }
    }

    // ---- serving path, as crates/pipeline/src/related.rs runs it: MLT top
    // CONTEXT_NEIGHBOURS -> stored context = context_vector_scored over all of them; the
    // query ranked with query_context (its neighbours' stored contexts), the best 100
    // neighbours as candidates -> rank_related. Earlier designs in the same run for the
    // before/after comparison.
    let t = Instant::now();
    let lists: Vec<Vec<(usize, f32)>> = (0..n)
        .map(|q| {
            index
                .more_like_this(
                    &docs[q].title,
                    &docs[q].body,
                    "en",
                    CONTEXT_NEIGHBOURS,
                    &[q as i64],
                )
                .unwrap()
                .into_iter()
                .map(|(d, s)| (d as usize, s))
                .collect()
        })
        .collect();
    let mlt_ms = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    #[derive(Clone, Copy, PartialEq)]
    enum Ctx {
        Equal,
        Scored,
    }
    let build = |k: usize, how: Ctx| -> Vec<TermVector> {
        (0..n)
            .map(|q| {
                let nb = &lists[q][..k.min(lists[q].len())];
                match how {
                    Ctx::Equal => {
                        let vs: Vec<&TermVector> =
                            nb.iter().map(|&(d, _)| &feats[d].vector).collect();
                        context_vector(&feats[q].vector, &vs)
                    }
                    Ctx::Scored => {
                        let vs: Vec<(&TermVector, f32)> =
                            nb.iter().map(|&(d, s)| (&feats[d].vector, s)).collect();
                        context_vector_scored(&feats[q].vector, &vs)
                    }
                }
            })
            .collect()
    };
    let t = Instant::now();
    let served_contexts = build(CONTEXT_NEIGHBOURS, Ctx::Scored);
    let ctx_ms = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
    let rerank = |name: &str, contexts: &[TermVector], query_side: bool, pool: usize| {
        let mut e = Eval::default();
        let mut qctx_us = 0u128;
        for q in 0..n {
            let tr = Instant::now();
            let nb = &lists[q];
            let qctx = if query_side {
                let vs: Vec<(&TermVector, f32)> =
                    nb.iter().map(|&(d, s)| (&contexts[d], s)).collect();
                query_context(&feats[q].vector, &vs)
            } else {
                contexts[q].clone()
            };
            qctx_us += tr.elapsed().as_micros();
            let cand: Vec<usize> = nb.iter().take(pool).map(|x| x.0).collect();
            let rc: Vec<RelatedDoc<'_>> = cand
                .iter()
                .map(|&d| RelatedDoc {
                    features: &feats[d],
                    context: &contexts[d],
                    story: None,
                })
                .collect();
            let qd = RelatedDoc {
                features: &feats[q],
                context: &qctx,
                story: None,
            };
            let r: Vec<usize> = rank_related(&qd, &rc, K)
                .into_iter()
                .map(|x| cand[x.index])
                .collect();
            e.lat_us.push(tr.elapsed().as_micros() as u64);
            e.add(q, &r, &docs, &feats);
        }
        e.report(name);
        if query_side {
            println!(
                "    query_context {:.3} ms mean (included in the row's latency)",
                qctx_us as f64 / 1000.0 / n as f64
            );
        }
    };
    let previous = build(100, Ctx::Equal);
    rerank("previous: mlt top100, equal weights", &previous, false, 100);
    if std::env::var("VARIANTS").as_deref() != Ok("0") {
        rerank(
            "  score-weighted, 100 neighbours",
            &build(100, Ctx::Scored),
            false,
            100,
        );
        rerank(
            "  equal weights, 400 neighbours",
            &build(400, Ctx::Equal),
            false,
            100,
        );
        rerank(
            "  score-weighted 400 (stored context)",
            &served_contexts,
            false,
            100,
        );
        rerank(
            "  served, all 400 as candidates",
            &served_contexts,
            true,
            400,
        );
    }
    rerank("served: + query_context", &served_contexts, true, 100);
    println!(
        "    MLT top-{CONTEXT_NEIGHBOURS} query {mlt_ms:.2} ms mean; context_vector_scored {ctx_ms:.3} ms mean; latencies above are the rerank only"
    );
    // The pipeline also decodes each neighbour's stored features and context: time that
    // for 100 and 400 neighbours over 300 queries, in the stored form (`blob`, postcard)
    // and in JSON (the first stored form, still readable).
    type Codec = (
        &'static str,
        fn(&ArticleFeatures, &TermVector) -> (Vec<u8>, Vec<u8>),
    );
    let codecs: [Codec; 2] = [
        ("JSON", |f, c| {
            (
                serde_json::to_vec(f).unwrap(),
                serde_json::to_vec(c).unwrap(),
            )
        }),
        ("blob", |f, c| {
            (blob::encode(f).unwrap(), blob::encode(c).unwrap())
        }),
    ];
    for (name, enc) in codecs {
        let blobs: Vec<(Vec<u8>, Vec<u8>)> = (0..n)
            .map(|d| enc(&feats[d], &served_contexts[d]))
            .collect();
        let bytes: usize = blobs.iter().map(|(f, c)| f.len() + c.len()).sum();
        for k in [100usize, CONTEXT_NEIGHBOURS] {
            let t = Instant::now();
            for q in 0..300 {
                for &(d, _) in lists[q].iter().take(k) {
                    let f: ArticleFeatures = blob::decode(&blobs[d].0).unwrap();
                    let c: TermVector = blob::decode(&blobs[d].1).unwrap();
                    std::hint::black_box((f, c));
                }
            }
            println!(
                "    decoding {k} neighbours' stored features + context ({name}, {} bytes per article): {:.2} ms per article",
                bytes / n.max(1),
                t.elapsed().as_secs_f64() * 1000.0 / 300.0
            );
        }
    }
    println!("total {:.1}s", t0.elapsed().as_secs_f64());
}
