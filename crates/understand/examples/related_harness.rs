//! Related-articles evaluation on Reuters-21578 (the 10,439 articles with topic labels):
//! precision@5 of sharing a topic label with the query, for
//! - `tfidf`: plain TF-IDF cosine (lower-cased words, tf * ln(N/df), full vectors);
//! - `bm25-mlt`: Lucene-style MoreLikeThis (top-25 query terms by tf-idf with minTermFreq 2,
//!   minDocFreq 5, then a BM25 query k1=1.2 b=0.75 over the corpus);
//! - `ours-exact`: `related_score` over every document, copies excluded (`rank_related`);
//! - `ours-rerank`: the serving path: BM25 MLT top-100 candidates reranked by `rank_related`.
//!
//! Also: how many of the top 5 are near-duplicates / same story of the query.
//!
//! Run: `cargo run --release -p tidings-understand --example related_harness`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop
)]

#[path = "common/corpus.rs"]
mod corpus;

use std::collections::HashMap;
use std::time::Instant;

use tidings_understand::features::{
    AnalyzeOptions, ArticleFeatures, ArticleInput, analyze, analyze_with,
};
use tidings_understand::fingerprint::is_near_duplicate;
use tidings_understand::related::{
    CONTEXT_BETA, CONTEXT_NEIGHBOURS, CONTEXT_TERMS, ENTITY_WEIGHT, RelatedDoc,
    context_vector_with, rank_related_with, related_score,
};
use tidings_understand::stories::same_story;
use tidings_understand::text::words;
use tidings_understand::vector::DfStats;
use tidings_understand::vector::TermVector;

fn env_or<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

const K: usize = 5;

struct Eval {
    hits: usize,
    total: usize,
    dups: usize,
    same_story: usize,
    queries: usize,
}

impl Eval {
    fn new() -> Self {
        Eval {
            hits: 0,
            total: 0,
            dups: 0,
            same_story: 0,
            queries: 0,
        }
    }
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
    fn report(&self, name: &str, secs: f64) {
        println!(
            "{name:<12} P@5 {:.4}  near-dup in top5 {:.4}  same-story in top5 {:.4}  ({} queries, {:.1} q/s)",
            self.hits as f64 / self.total as f64,
            self.dups as f64 / self.total as f64,
            self.same_story as f64 / self.total as f64,
            self.queries,
            self.queries as f64 / secs
        );
    }
}

/// Plain inverted index of weighted vectors for exhaustive cosine.
fn top_by_index(
    q: usize,
    qv: &[(u32, f32)],
    index: &HashMap<u32, Vec<(u32, f32)>>,
    n: usize,
    acc: &mut [f32],
) -> Vec<usize> {
    acc.iter_mut().for_each(|x| *x = 0.0);
    for (t, w) in qv {
        if let Some(p) = index.get(t) {
            for (d, dw) in p {
                acc[*d as usize] += w * dw;
            }
        }
    }
    let mut c: Vec<(usize, f32)> = acc
        .iter()
        .enumerate()
        .filter(|(d, s)| *d != q && **s > 0.0)
        .map(|(d, s)| (d, *s))
        .collect();
    c.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    c.truncate(n);
    c.into_iter().map(|x| x.0).collect()
}

fn main() {
    let t0 = Instant::now();
    let docs: Vec<corpus::Doc> = corpus::load("reuters21578")
        .into_iter()
        .filter(|d| !d.topics.is_empty())
        .collect();
    let n = docs.len();
    println!(
        "Reuters-21578 with topic labels: {n} articles (loaded in {:.1}s)",
        t0.elapsed().as_secs_f64()
    );

    // ---- vocabulary for baselines
    let mut vocab: HashMap<String, u32> = HashMap::new();
    let doc_tf: Vec<HashMap<u32, u32>> = docs
        .iter()
        .map(|d| {
            let mut m: HashMap<u32, u32> = HashMap::new();
            for w in words(&d.title).chain(words(&d.body)) {
                let next = vocab.len() as u32;
                let id = *vocab.entry(w).or_insert(next);
                *m.entry(id).or_default() += 1;
            }
            m
        })
        .collect();
    let mut df: HashMap<u32, u32> = HashMap::new();
    for m in &doc_tf {
        for t in m.keys() {
            *df.entry(*t).or_default() += 1;
        }
    }
    let nf = n as f32;

    // ---- baseline 1: plain TF-IDF cosine
    let tfidf: Vec<Vec<(u32, f32)>> = doc_tf
        .iter()
        .map(|m| {
            let mut v: Vec<(u32, f32)> = m
                .iter()
                .map(|(t, c)| (*t, *c as f32 * (nf / df[t] as f32).ln()))
                .collect();
            let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt().max(1e-9);
            v.iter_mut().for_each(|x| x.1 /= norm);
            v
        })
        .collect();
    let mut index: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
    for (d, v) in tfidf.iter().enumerate() {
        for (t, w) in v {
            index.entry(*t).or_default().push((d as u32, *w));
        }
    }

    // ---- our features (DF from the corpus itself, as the pipeline's DfStats would hold)
    let t1 = Instant::now();
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
    // VT / TB override the stored vector size and title boost (exploration only).
    let opts = AnalyzeOptions {
        vector_terms: env_or("VT", AnalyzeOptions::default().vector_terms),
        title_boost: env_or("TB", AnalyzeOptions::default().title_boost),
    };
    let feats: Vec<ArticleFeatures> = inputs
        .iter()
        .map(|i| analyze_with(i, &dfs, &opts).features)
        .collect();
    println!(
        "features: {:.0} articles/s (two passes: DF, then features)",
        2.0 * n as f64 / t1.elapsed().as_secs_f64()
    );

    let mut acc = vec![0.0f32; n];

    // tfidf baseline
    let mut e = Eval::new();
    let t = Instant::now();
    for q in 0..n {
        let r = top_by_index(q, &tfidf[q], &index, K, &mut acc);
        e.add(q, &r, &docs, &feats);
    }
    e.report("tfidf", t.elapsed().as_secs_f64());

    // ---- baseline 2: BM25 MoreLikeThis, Lucene defaults
    let lens: Vec<f32> = doc_tf
        .iter()
        .map(|m| m.values().sum::<u32>() as f32)
        .collect();
    let avgdl = lens.iter().sum::<f32>() / nf;
    let mut postings: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
    for (d, m) in doc_tf.iter().enumerate() {
        for (t, c) in m {
            postings.entry(*t).or_default().push((d as u32, *c));
        }
    }
    let bm25_scored = |q: usize, acc: &mut Vec<f32>, n_out: usize| -> Vec<(usize, f32)> {
        // Lucene MLT term selection: tf >= 2, df >= 5, score tf * (1 + ln(N / (df + 1))).
        let mut terms: Vec<(u32, f32)> = doc_tf[q]
            .iter()
            .filter(|(t, c)| **c >= 2 && df[*t] >= 5)
            .map(|(t, c)| (*t, *c as f32 * (1.0 + (nf / (df[t] as f32 + 1.0)).ln())))
            .collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        terms.truncate(25);
        acc.iter_mut().for_each(|x| *x = 0.0);
        for (t, _) in &terms {
            let dft = df[t] as f32;
            let idf = (1.0 + (nf - dft + 0.5) / (dft + 0.5)).ln();
            for (d, c) in &postings[t] {
                let tf = *c as f32;
                let norm = 1.2 * (1.0 - 0.75 + 0.75 * lens[*d as usize] / avgdl);
                acc[*d as usize] += idf * tf * 2.2 / (tf + norm);
            }
        }
        let mut c: Vec<(usize, f32)> = acc
            .iter()
            .enumerate()
            .filter(|(d, s)| *d != q && **s > 0.0)
            .map(|(d, s)| (d, *s))
            .collect();
        c.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        c.truncate(n_out);
        c
    };
    let bm25_mlt = |q: usize, acc: &mut Vec<f32>, n_out: usize| -> Vec<usize> {
        bm25_scored(q, acc, n_out)
            .into_iter()
            .map(|x| x.0)
            .collect()
    };
    let mut e = Eval::new();
    let t = Instant::now();
    for q in 0..n {
        let r = bm25_mlt(q, &mut acc, K);
        e.add(q, &r, &docs, &feats);
    }
    e.report("bm25-mlt", t.elapsed().as_secs_f64());

    // ---- ingest step: context vectors from each article's BM25 MLT neighbours
    let ctx_k: usize = env_or("CTX_K", CONTEXT_NEIGHBOURS);
    let ctx_beta: f32 = env_or("CTX_BETA", CONTEXT_BETA);
    let ctx_keep: usize = env_or("CTX_KEEP", CONTEXT_TERMS);
    let ew: f32 = env_or("EW", ENTITY_WEIGHT);
    let t = Instant::now();
    let mut neighbour_lists: Vec<Vec<usize>> = Vec::with_capacity(n);
    let contexts: Vec<TermVector> = (0..n)
        .map(|q| {
            let nb = bm25_mlt(q, &mut acc, ctx_k);
            let vs: Vec<&TermVector> = nb.iter().map(|&d| &feats[d].vector).collect();
            let mut sorted = nb.clone();
            sorted.sort_unstable();
            neighbour_lists.push(sorted);
            context_vector_with(&feats[q].vector, &vs, ctx_beta, ctx_keep)
        })
        .collect();
    println!(
        "context vectors (k={ctx_k} beta={ctx_beta} keep={ctx_keep}, entity weight {ew}): {:.0} articles/s incl. the MLT query",
        n as f64 / t.elapsed().as_secs_f64()
    );
    // MUTUAL=1: contexts from mutual neighbours only (q in c's list too), others as fallback.
    let contexts: Vec<TermVector> = if env_or("MUTUAL", 0u8) == 1 {
        (0..n)
            .map(|q| {
                let mut mutual: Vec<&TermVector> = Vec::new();
                for &d in &neighbour_lists[q] {
                    if neighbour_lists[d].binary_search(&q).is_ok() {
                        mutual.push(&feats[d].vector);
                    }
                }
                if mutual.len() < 10 {
                    mutual = neighbour_lists[q]
                        .iter()
                        .map(|&d| &feats[d].vector)
                        .collect();
                }
                context_vector_with(&feats[q].vector, &mutual, ctx_beta, ctx_keep)
            })
            .collect()
    } else {
        contexts
    };
    // CTX2=1: a second pass folding in the neighbours' context vectors instead of their own.
    let contexts: Vec<TermVector> = if env_or("CTX2", 0u8) == 1 {
        (0..n)
            .map(|q| {
                let nb = bm25_mlt(q, &mut acc, ctx_k);
                let vs: Vec<&TermVector> = nb.iter().map(|&d| &contexts[d]).collect();
                context_vector_with(&feats[q].vector, &vs, ctx_beta, ctx_keep)
            })
            .collect()
    } else {
        contexts
    };
    let rdoc = |d: usize| RelatedDoc {
        features: &feats[d],
        context: &contexts[d],
        story: None,
    };

    // ---- ours, exhaustive: inverted index over context vectors, then rank_related on the top 50
    let mut our_index: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
    let mut tid: HashMap<u64, u32> = HashMap::new();
    let our_vecs: Vec<Vec<(u32, f32)>> = contexts
        .iter()
        .map(|v| {
            v.terms
                .iter()
                .map(|(t, w)| {
                    let next = tid.len() as u32;
                    (*tid.entry(*t).or_insert(next), *w)
                })
                .collect()
        })
        .collect();
    for (d, v) in our_vecs.iter().enumerate() {
        for (t, w) in v {
            our_index.entry(*t).or_default().push((d as u32, *w));
        }
    }
    let mut e = Eval::new();
    let t = Instant::now();
    for q in 0..n {
        let cand = top_by_index(q, &our_vecs[q], &our_index, 50, &mut acc);
        let rc: Vec<RelatedDoc<'_>> = cand.iter().map(|&d| rdoc(d)).collect();
        let r: Vec<usize> = rank_related_with(&rdoc(q), &rc, K, ew)
            .into_iter()
            .map(|x| cand[x.index])
            .collect();
        e.add(q, &r, &docs, &feats);
    }
    e.report("ours-exact", t.elapsed().as_secs_f64());

    // ---- ours, serving path: BM25 MLT top-100 candidates, reranked
    let mut e = Eval::new();
    let t = Instant::now();
    let mut rerank_ns = 0u128;
    let mut reranked = 0usize;
    let mut per_topic: HashMap<String, (usize, usize, HashMap<String, usize>)> = HashMap::new();
    for q in 0..n {
        let cand = bm25_mlt(q, &mut acc, 100);
        let tr = Instant::now();
        let rc: Vec<RelatedDoc<'_>> = cand.iter().map(|&d| rdoc(d)).collect();
        let r: Vec<usize> = rank_related_with(&rdoc(q), &rc, K, ew)
            .into_iter()
            .map(|x| cand[x.index])
            .collect();
        rerank_ns += tr.elapsed().as_nanos();
        reranked += cand.len();
        e.add(q, &r, &docs, &feats);
        // Per first-topic precision, and which labels the misses carry.
        let topic = docs[q].topics[0].clone();
        let entry = per_topic
            .entry(topic)
            .or_insert((0usize, 0usize, HashMap::new()));
        entry.0 += K;
        for &d in r.iter().take(K) {
            if docs[d].topics.iter().any(|x| docs[q].topics.contains(x)) {
                entry.1 += 1;
            } else {
                *entry.2.entry(docs[d].topics[0].clone()).or_insert(0usize) += 1;
            }
        }
    }
    e.report("ours-rerank", t.elapsed().as_secs_f64());
    if env_or("PER_TOPIC", 0u8) == 1 {
        let mut rows: Vec<_> = per_topic.iter().collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.1.0));
        for (topic, (slots, hits, misses)) in rows.iter().take(12) {
            let mut m: Vec<_> = misses.iter().collect();
            m.sort_by(|a, b| b.1.cmp(a.1));
            let top: Vec<String> = m.iter().take(3).map(|(t, c)| format!("{t}:{c}")).collect();
            println!(
                "    {topic:<10} queries {:>5}  P@5 {:.3}  misses go to {}",
                slots / K,
                *hits as f64 / *slots as f64,
                top.join(" ")
            );
        }
    }
    // CENTER=w: rerank by cosine of mean-centred context vectors (hubness reduction), with
    // the global mean scaled by w.
    let center: f32 = env_or("CENTER", 0.0);
    if center > 0.0 {
        let mut mean: HashMap<u64, f32> = HashMap::new();
        for c in &contexts {
            for (t, w) in &c.terms {
                *mean.entry(*t).or_default() += w / n as f32;
            }
        }
        let mean = TermVector {
            terms: {
                let mut v: Vec<(u64, f32)> =
                    mean.into_iter().map(|(t, w)| (t, w * center)).collect();
                v.sort_by_key(|x| x.0);
                v
            },
        };
        let mm = mean.dot(&mean);
        let cm: Vec<f32> = contexts.iter().map(|c| c.dot(&mean)).collect();
        let mut e = Eval::new();
        let t = Instant::now();
        for q in 0..n {
            let cand = bm25_mlt(q, &mut acc, 100);
            let mut sc: Vec<(usize, f32)> = cand
                .iter()
                .filter(|&&d| !is_near_duplicate(&feats[q].signature, &feats[d].signature))
                .map(|&d| {
                    let num = contexts[q].dot(&contexts[d]) - cm[q] - cm[d] + mm;
                    let den = ((1.0 - 2.0 * cm[q] + mm) * (1.0 - 2.0 * cm[d] + mm))
                        .max(1e-9)
                        .sqrt();
                    (d, num / den)
                })
                .collect();
            sc.sort_by(|a, b| b.1.total_cmp(&a.1));
            let r: Vec<usize> = sc.iter().take(K).map(|x| x.0).collect();
            e.add(q, &r, &docs, &feats);
        }
        e.report(&format!("center {center}"), t.elapsed().as_secs_f64());
    }

    // SNN=λ: add λ × shared-neighbour similarity (share of common MLT neighbours).
    let snn: f32 = env_or("SNN", 0.0);
    if snn > 0.0 {
        let shared = |a: &[usize], b: &[usize]| {
            let (mut i, mut j, mut c) = (0, 0, 0);
            while i < a.len() && j < b.len() {
                match a[i].cmp(&b[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        c += 1;
                        i += 1;
                        j += 1;
                    }
                }
            }
            c as f32 / a.len().max(1) as f32
        };
        let mut e = Eval::new();
        let t = Instant::now();
        for q in 0..n {
            let cand = bm25_mlt(q, &mut acc, 100);
            let mut sc: Vec<(usize, f32)> = cand
                .iter()
                .filter(|&&d| !is_near_duplicate(&feats[q].signature, &feats[d].signature))
                .map(|&d| {
                    (
                        d,
                        related_score(&rdoc(q), &rdoc(d))
                            + snn * shared(&neighbour_lists[q], &neighbour_lists[d]),
                    )
                })
                .collect();
            sc.sort_by(|a, b| b.1.total_cmp(&a.1));
            let r: Vec<usize> = sc.iter().take(K).map(|x| x.0).collect();
            e.add(q, &r, &docs, &feats);
        }
        e.report(&format!("snn {snn}"), t.elapsed().as_secs_f64());
    }

    // The product also drops members of the query's own story; here stories are emulated by
    // the pairwise rule `same_story`.
    let mut e = Eval::new();
    let t = Instant::now();
    for q in 0..n {
        let cand: Vec<usize> = bm25_mlt(q, &mut acc, 100)
            .into_iter()
            .filter(|&d| !same_story(&feats[q], &feats[d]))
            .collect();
        let rc: Vec<RelatedDoc<'_>> = cand.iter().map(|&d| rdoc(d)).collect();
        let r: Vec<usize> = rank_related_with(&rdoc(q), &rc, K, ew)
            .into_iter()
            .map(|x| cand[x.index])
            .collect();
        e.add(q, &r, &docs, &feats);
    }
    e.report("ours-nostory", t.elapsed().as_secs_f64());

    let fuse: f32 = env_or("FUSE", 0.0);
    if fuse > 0.0 {
        let mut e = Eval::new();
        let t = Instant::now();
        for q in 0..n {
            let cand = bm25_scored(q, &mut acc, 100);
            let maxs = cand.first().map_or(1.0, |x| x.1);
            let mut sc: Vec<(usize, f32)> = cand
                .iter()
                .filter(|(d, _)| !is_near_duplicate(&feats[q].signature, &feats[*d].signature))
                .map(|&(d, b)| (d, related_score(&rdoc(q), &rdoc(d)) + fuse * b / maxs))
                .collect();
            sc.sort_by(|a, b| b.1.total_cmp(&a.1));
            let r: Vec<usize> = sc.iter().take(K).map(|x| x.0).collect();
            e.add(q, &r, &docs, &feats);
        }
        e.report(&format!("fuse {fuse}"), t.elapsed().as_secs_f64());
    }
    println!(
        "rerank cost: {:.2} us per candidate ({} candidates)",
        rerank_ns as f64 / 1000.0 / reranked.max(1) as f64,
        reranked
    );

    // Pairwise scorer alone, for the per-candidate cost claim.
    let t = Instant::now();
    let mut s = 0.0f32;
    let mut pairs = 0usize;
    for q in (0..n).step_by(10) {
        for d in (0..n).step_by(97) {
            s += related_score(&rdoc(q), &rdoc(d));
            pairs += 1;
        }
    }
    println!(
        "related_score: {:.3} us per pair ({pairs} pairs, checksum {s:.1})",
        t.elapsed().as_secs_f64() * 1e6 / pairs as f64
    );
}
