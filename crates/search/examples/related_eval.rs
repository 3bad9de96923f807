//! Related articles on Reuters-21578 (the 10,439 articles with topic labels), through the
//! real index: precision@5 of sharing a topic label with the query, for
//! - `tantivy-mlt`: tantivy's `MoreLikeThisQuery` with its defaults (the baseline);
//! - `mlt`: this crate's `more_like_this` (and variants, to choose its defaults);
//! - `mlt+rerank`: `more_like_this` top 100 reranked by `tidings_understand::rank_related`
//!   with context vectors built from each article's own top-100 MLT neighbours (the
//!   understand README's serving path).
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

use tidings_search::{IndexDoc, IndexerOptions, MltOptions, SearchIndex};
use tidings_understand::features::{ArticleFeatures, ArticleInput, analyze};
use tidings_understand::fingerprint::is_near_duplicate;
use tidings_understand::related::{RelatedDoc, context_vector, rank_related};
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
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(dir.path().join("idx")).unwrap();
    let mut w = index.indexer(IndexerOptions::default()).unwrap();
    let t = Instant::now();
    let batch: Vec<IndexDoc> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| IndexDoc {
            id: i as i64,
            change_seq: i as i64 + 1,
            title: d.title.clone(),
            body: d.body.clone(),
            url: String::new(),
            source_id: 1,
            source_name: d.source.clone(),
            lang: "en".into(),
            published_ms: d.published.map(|p| p.0),
            ..Default::default()
        })
        .collect();
    for chunk in batch.chunks(1000) {
        w.upsert(chunk).unwrap();
    }
    w.commit(n as i64).unwrap();
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

    // ---- serving path: MLT top 100 -> context vectors -> rank_related
    let rerank_opts: Vec<(&str, MltOptions)> = if std::env::var("VARIANTS").as_deref() == Ok("0") {
        vec![("mlt top100 + rank_related", MltOptions::default())]
    } else {
        vec![
            ("mlt top100 + rank_related", MltOptions::default()),
            (
                "  (candidates with min_tf 2)",
                MltOptions {
                    min_term_freq: 2,
                    ..MltOptions::default()
                },
            ),
            (
                "  (candidates with 20 terms)",
                MltOptions {
                    max_query_terms: 20,
                    ..MltOptions::default()
                },
            ),
            (
                "  (candidates with 15 terms)",
                MltOptions {
                    max_query_terms: 15,
                    ..MltOptions::default()
                },
            ),
            (
                "  (candidates from tantivy-mlt)",
                MltOptions {
                    boost_terms: true,
                    ..MltOptions::default()
                },
            ),
        ]
    };
    for (name, o) in rerank_opts {
        let t = Instant::now();
        let neighbours: Vec<Vec<usize>> = (0..n)
            .map(|q| {
                let r = if name.contains("tantivy") {
                    index.more_like_this_tantivy_baseline(
                        &docs[q].title,
                        &docs[q].body,
                        "en",
                        100,
                        &[q as i64],
                    )
                } else {
                    index.more_like_this_with(
                        &docs[q].title,
                        &docs[q].body,
                        "en",
                        100,
                        &[q as i64],
                        &o,
                    )
                };
                r.unwrap().into_iter().map(|x| x.0 as usize).collect()
            })
            .collect();
        let mlt100 = t.elapsed().as_secs_f64() / n as f64;
        let contexts: Vec<TermVector> = (0..n)
            .map(|q| {
                let vs: Vec<&TermVector> =
                    neighbours[q].iter().map(|&d| &feats[d].vector).collect();
                context_vector(&feats[q].vector, &vs)
            })
            .collect();
        let rdoc = |d: usize| RelatedDoc {
            features: &feats[d],
            context: &contexts[d],
            story: None,
        };
        let mut e = Eval::default();
        for q in 0..n {
            let tr = Instant::now();
            let cand = &neighbours[q];
            let rc: Vec<RelatedDoc<'_>> = cand.iter().map(|&d| rdoc(d)).collect();
            let r: Vec<usize> = rank_related(&rdoc(q), &rc, K)
                .into_iter()
                .map(|x| cand[x.index])
                .collect();
            e.lat_us.push(tr.elapsed().as_micros() as u64);
            e.add(q, &r, &docs, &feats);
        }
        e.report(name);
        println!(
            "    MLT top-100 query {:.2} ms mean; latencies in the row above are the rerank only",
            mlt100 * 1000.0
        );
    }
    println!("total {:.1}s", t0.elapsed().as_secs_f64());
}
