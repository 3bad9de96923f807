//! Topic assignment measurements.
//!
//! 1. METHOD: Reuters-21578 ModApte (lewis_split TRAIN/TEST, documents with at least one
//!    topic label), the ten most frequent topics of the training split: train
//!    `LinearModel` on TRAIN at run time, report micro-F1 on TEST. Nothing trained here is
//!    shipped (Reuters is research-use only).
//! 2. PRODUCT: the shipped cascade's lexicon on NewsArticles, scored against the section
//!    the publisher put each article in (read from its URL: `/politics/`, `/sport/` ...).
//!
//! Run: `cargo run --release -p tidings-understand --example topics_eval`
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

use tidings_core::Topic;
use tidings_understand::features::{ArticleInput, analyze};
use tidings_understand::text::{Analyzer, hash_str};
use tidings_understand::topics::{
    LinearModel, TopicSource, TrainParams, assign_topics, topics_from_url,
};
use tidings_understand::vector::{DfStats, TermVector};

fn micro_f1(pred: &[Vec<usize>], gold: &[Vec<usize>]) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (p, g) in pred.iter().zip(gold) {
        tp += p.iter().filter(|x| g.contains(x)).count();
        fp += p.iter().filter(|x| !g.contains(x)).count();
        fn_ += g.iter().filter(|x| !p.contains(x)).count();
    }
    let pr = tp as f64 / (tp + fp).max(1) as f64;
    let rc = tp as f64 / (tp + fn_).max(1) as f64;
    (pr, rc, 2.0 * pr * rc / (pr + rc).max(1e-9))
}

fn main() {
    let docs = corpus::load("reuters21578");
    let train: Vec<&corpus::Doc> = docs
        .iter()
        .filter(|d| d.lewis_split.as_deref() == Some("TRAIN") && !d.topics.is_empty())
        .collect();
    let test: Vec<&corpus::Doc> = docs
        .iter()
        .filter(|d| d.lewis_split.as_deref() == Some("TEST") && !d.topics.is_empty())
        .collect();
    let mut freq: HashMap<&str, usize> = HashMap::new();
    for d in &train {
        for t in &d.topics {
            *freq.entry(t.as_str()).or_default() += 1;
        }
    }
    let mut top: Vec<(&str, usize)> = freq.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    top.truncate(10);
    let labels: Vec<String> = top.iter().map(|x| x.0.to_string()).collect();
    println!(
        "ModApte: {} train, {} test documents with topics; top-10: {:?}",
        train.len(),
        test.len(),
        labels
    );

    let gold = |d: &corpus::Doc| -> Vec<usize> {
        labels
            .iter()
            .enumerate()
            .filter(|(_, l)| d.topics.contains(l))
            .map(|(i, _)| i)
            .collect()
    };

    // Two representations: the stored article vector (`analyze`, top terms) and a full
    // vector (all terms, same weighting) to show what truncation costs a classifier.
    fn input(d: &corpus::Doc) -> ArticleInput<'_> {
        ArticleInput {
            title: &d.title,
            body: &d.body,
            ..Default::default()
        }
    }
    let mut df = DfStats::new();
    for d in &train {
        df.observe(&analyze(&input(d), &DfStats::new()).distinct_terms);
    }
    let en = Analyzer::for_lang("en");
    let full = |d: &corpus::Doc| -> TermVector {
        let mut m: HashMap<u64, f32> = HashMap::new();
        for (s, _) in en.terms(&d.title).chain(en.terms(&d.body)) {
            *m.entry(hash_str(&s)).or_default() += 1.0;
        }
        TermVector::from_weights(
            m.into_iter()
                .map(|(t, c)| (t, (1.0 + c.ln()) * df.idf(t)))
                .collect(),
            usize::MAX,
        )
    };
    for (name, use_full) in [
        ("stored vector (top 64 terms)", false),
        ("full vector", true),
    ] {
        let t0 = Instant::now();
        let vec_of = |d: &corpus::Doc| {
            if use_full {
                full(d)
            } else {
                analyze(&input(d), &df).features.vector
            }
        };
        let xtr: Vec<TermVector> = train.iter().map(|d| vec_of(d)).collect();
        let xte: Vec<TermVector> = test.iter().map(|d| vec_of(d)).collect();
        let ex: Vec<(&TermVector, Vec<usize>)> =
            xtr.iter().zip(&train).map(|(x, d)| (x, gold(d))).collect();
        let model = LinearModel::train(labels.clone(), &ex, TrainParams::default());
        let secs = t0.elapsed().as_secs_f64();
        let pred: Vec<Vec<usize>> = xte.iter().map(|x| model.predict(x)).collect();
        let g: Vec<Vec<usize>> = test.iter().map(|d| gold(d)).collect();
        let (p, r, f) = micro_f1(&pred, &g);
        println!("{name:<30} all ModApte test docs:      micro P {p:.4} R {r:.4} F1 {f:.4}");
        // The R10 convention: only test documents carrying one of the ten topics.
        let keep: Vec<usize> = (0..test.len()).filter(|&i| !g[i].is_empty()).collect();
        let pred10: Vec<Vec<usize>> = keep.iter().map(|&i| pred[i].clone()).collect();
        let g10: Vec<Vec<usize>> = keep.iter().map(|&i| g[i].clone()).collect();
        let (p, r, f) = micro_f1(&pred10, &g10);
        println!(
            "{name:<30} test docs with a top-10 topic ({}): micro P {p:.4} R {r:.4} F1 {f:.4}  (features+training {secs:.1}s)",
            keep.len()
        );
    }

    // ---- product cascade on NewsArticles against URL sections
    let news = corpus::load("newsarticles");
    let mut n = 0usize;
    let mut hit = 0usize;
    let mut defaulted = 0usize;
    let mut confusion: HashMap<(Topic, Topic), usize> = HashMap::new();
    let df = DfStats::new();
    let mut url_labelled = 0usize;
    let mut two = 0usize;
    let mut by_host: HashMap<String, (usize, usize)> = HashMap::new();
    for d in &news {
        let gold = d.url.as_deref().map(topics_from_url).unwrap_or_default();
        if gold.is_empty() {
            continue;
        }
        url_labelled += 1;
        // Hide the URL: this measures the lexicon the cascade falls back to.
        let f = analyze(
            &ArticleInput {
                title: &d.title,
                body: &d.body,
                ..Default::default()
            },
            &df,
        )
        .features;
        let (pred, src) = assign_topics(None, &[], &f.vector);
        n += 1;
        two += usize::from(pred.len() > 1);
        if src == TopicSource::Default {
            defaulted += 1;
        }
        let ok = pred.iter().any(|p| gold.contains(p));
        if ok {
            hit += 1;
        }
        let h = by_host.entry(d.source.clone()).or_default();
        h.0 += 1;
        h.1 += usize::from(ok);
        if let (Some(g), Some(p)) = (gold.first(), pred.first())
            && std::env::var("SHOW").ok().as_deref() == Some(&format!("{}:{}", g.slug(), p.slug()))
        {
            let top: Vec<String> = tidings_understand::topics::lexicon_scores(&f.vector)
                .iter()
                .take(3)
                .map(|(t, s)| format!("{}={s:.2}", t.slug()))
                .collect();
            println!(
                "  {} | {} | {}",
                d.url.as_deref().unwrap_or(""),
                d.title,
                top.join(" ")
            );
        }
        if let (Some(g), Some(p)) = (gold.first(), pred.first()) {
            *confusion.entry((*g, *p)).or_default() += 1;
        }
    }
    println!("  articles given two topics by the lexicon: {two}");
    println!(
        "NewsArticles: {url_labelled} of {} articles have a section in their URL; lexicon (URL hidden) agrees on {hit}/{n} = {:.3}; {defaulted} fell back to World",
        news.len(),
        hit as f64 / n.max(1) as f64
    );
    let mut hosts: Vec<(String, (usize, usize))> = by_host.into_iter().collect();
    hosts.sort();
    let per: Vec<String> = hosts
        .iter()
        .map(|(h, (n, a))| format!("{h} {a}/{n}"))
        .collect();
    println!("  per source: {}", per.join(", "));
    let mut rows: Vec<((Topic, Topic), usize)> = confusion.into_iter().collect();
    rows.sort_by_key(|r| r.0);
    for g in Topic::ALL {
        let line: Vec<String> = rows
            .iter()
            .filter(|((gg, _), _)| *gg == g)
            .map(|((_, p), c)| format!("{}:{c}", p.slug()))
            .collect();
        if !line.is_empty() {
            println!("  url={:<13} lexicon -> {}", g.slug(), line.join(" "));
        }
    }
}
