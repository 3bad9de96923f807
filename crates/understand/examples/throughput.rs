//! Single-thread throughput of each function on the 3,824 NewsArticles articles (median of
//! 5 runs; the machine is shared, so medians and ratios are what to compare).
//!
//! Run: `cargo run --release -p tidings-understand --example throughput`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop
)]

#[path = "common/corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::time::Instant;

use tidings_core::{ArticleId, StoryId};
use tidings_understand::entities::extract_entities;
use tidings_understand::features::{ArticleFeatures, ArticleInput, analyze, term_ids};
use tidings_understand::fingerprint::{band_keys, is_near_duplicate, signature};
use tidings_understand::lang::detect_language;
use tidings_understand::related::{RelatedDoc, context_vector, rank_related};
use tidings_understand::stories::{CopyCandidate, StoryCandidate, StoryProfile, assign};
use tidings_understand::topics::assign_topics;
use tidings_understand::vector::{DfStats, TermVector};

fn median_rate(items: usize, mut f: impl FnMut()) -> f64 {
    let mut rates: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            items as f64 / t.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[2]
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

fn main() {
    let docs = corpus::load("newsarticles");
    let n = docs.len();
    let mb = docs
        .iter()
        .map(|d| d.title.len() + d.body.len())
        .sum::<usize>() as f64
        / 1e6;
    println!(
        "{n} NewsArticles articles, {mb:.1} MB of text; rates are articles/s on one thread (median of 5)"
    );
    let mut df = DfStats::new();
    for d in &docs {
        df.observe(&term_ids(&d.title, &d.body, "en"));
    }
    let feats: Vec<ArticleFeatures> = docs
        .iter()
        .map(|d| analyze(&input(d), &df).features)
        .collect();

    let row = |name: &str, rate: f64| println!("  {name:<44} {rate:>12.0}");
    row(
        "detect_language (title + first 2,000 chars)",
        median_rate(n, || {
            for d in &docs {
                black_box(detect_language(&format!(
                    "{}\n{}",
                    d.title,
                    d.body.get(..2000).unwrap_or(&d.body)
                )));
            }
        }),
    );
    row(
        "signature (exact + MinHash 128 + SimHash)",
        median_rate(n, || {
            for d in &docs {
                black_box(signature(&d.body));
            }
        }),
    );
    row(
        "band_keys",
        median_rate(n, || {
            for f in &feats {
                black_box(band_keys(&f.signature));
            }
        }),
    );
    row(
        "extract_entities",
        median_rate(n, || {
            for d in &docs {
                black_box(extract_entities(&d.title, &d.body, "en", 20));
            }
        }),
    );
    row(
        "term_ids (for DfStats)",
        median_rate(n, || {
            for d in &docs {
                black_box(term_ids(&d.title, &d.body, "en"));
            }
        }),
    );
    row(
        "assign_topics (given the vector)",
        median_rate(n, || {
            for (d, f) in docs.iter().zip(&feats) {
                black_box(assign_topics(d.url.as_deref(), &[], &f.vector));
            }
        }),
    );
    row(
        "analyze (everything above, one pass)",
        median_rate(n, || {
            for d in &docs {
                black_box(analyze(&input(d), &df));
            }
        }),
    );

    // Story assignment against 50 copy candidates and 50 story candidates per article.
    let profiles: Vec<StoryProfile> = feats.iter().take(50).map(StoryProfile::new).collect();
    let stories: Vec<StoryCandidate<'_>> = profiles
        .iter()
        .enumerate()
        .map(|(i, p)| StoryCandidate {
            story: StoryId(i as i64),
            profile: p,
        })
        .collect();
    let copies: Vec<CopyCandidate<'_>> = feats
        .iter()
        .skip(100)
        .take(50)
        .enumerate()
        .map(|(i, f)| CopyCandidate {
            article: ArticleId(i as i64),
            story: StoryId(i as i64),
            signature: &f.signature,
        })
        .collect();
    row(
        "assign (50 copy + 50 story candidates)",
        median_rate(n, || {
            for f in &feats {
                black_box(assign(f, &copies, &stories));
            }
        }),
    );
    let mut p = StoryProfile::new(&feats[0]);
    row(
        "StoryProfile::add",
        median_rate(n, || {
            for f in &feats {
                p.add(f, false);
            }
        }),
    );
    black_box(&p);

    // Related: context vector from 100 neighbours, rerank of 100 candidates.
    let contexts: Vec<TermVector> = (0..n)
        .map(|i| {
            let nb: Vec<&TermVector> = (1..=100).map(|k| &feats[(i + k * 37) % n].vector).collect();
            context_vector(&feats[i].vector, &nb)
        })
        .collect();
    row(
        "context_vector (100 neighbours)",
        median_rate(n, || {
            for i in 0..n {
                let nb: Vec<&TermVector> =
                    (1..=100).map(|k| &feats[(i + k * 37) % n].vector).collect();
                black_box(context_vector(&feats[i].vector, &nb));
            }
        }),
    );
    let docs_r: Vec<RelatedDoc<'_>> = (0..n)
        .map(|i| RelatedDoc {
            features: &feats[i],
            context: &contexts[i],
            story: None,
        })
        .collect();
    let queries = 500;
    let per_query = median_rate(queries, || {
        for q in 0..queries {
            let cands: Vec<RelatedDoc<'_>> =
                (1..=100).map(|k| docs_r[(q * 7 + k * 13) % n]).collect();
            black_box(rank_related(&docs_r[q], &cands, 5));
        }
    });
    row("rank_related, 100 candidates (queries/s)", per_query);
    println!("  => {:.2} us per candidate", 1e6 / per_query / 100.0);
    let pairs = n * 50;
    let rate = median_rate(pairs, || {
        for i in 0..n {
            for k in 1..=50 {
                black_box(is_near_duplicate(
                    &feats[i].signature,
                    &feats[(i + k) % n].signature,
                ));
            }
        }
    });
    println!("  {:<44} {:>12.0}", "is_near_duplicate (pairs/s)", rate);

    // Sizes of what the store persists.
    let json = |v: usize| v as f64 / n as f64;
    let fj: usize = feats
        .iter()
        .map(|f| serde_json::to_string(f).unwrap().len())
        .sum();
    let cj: usize = contexts
        .iter()
        .map(|c| serde_json::to_string(c).unwrap().len())
        .sum();
    // Raw payload if encoded in binary: fixed-width numbers plus the strings.
    let raw: usize = feats
        .iter()
        .map(|f| {
            8 + 8
                + 4 * f.signature.minhash.len()
                + 12 * f.vector.terms.len()
                + 8 * f.title_terms.len()
                + f.title.len()
                + f.keywords.iter().map(|k| k.len() + 1).sum::<usize>()
                + f.entities
                    .iter()
                    .map(|e| e.name.len() + e.key.len() + 6)
                    .sum::<usize>()
        })
        .sum();
    println!("\npersisted sizes, mean per article:");
    println!(
        "  ArticleFeatures as JSON {:.0} B; as raw binary payload {:.0} B",
        json(fj),
        json(raw)
    );
    println!(
        "  context vector as JSON {:.0} B; binary {:.0} B",
        json(cj),
        12.0 * 128.0
    );
    let mut profile = StoryProfile::new(&feats[0]);
    for f in feats.iter().skip(1).take(30) {
        profile.add(f, false);
    }
    println!(
        "  StoryProfile of 31 articles as JSON {} B",
        serde_json::to_string(&profile).unwrap().len()
    );
    let reuters = corpus::load("reuters21578");
    // Language detection on two English corpora: how often is it English, and reliable?
    for (name, set) in [("NewsArticles", &docs), ("Reuters-21578", &reuters)] {
        let mut codes: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut reliable = 0usize;
        for d in set.iter() {
            let g = detect_language(&format!(
                "{}\n{}",
                d.title,
                d.body.get(..2000).unwrap_or(&d.body)
            ));
            let code = g.as_ref().map_or("none".to_string(), |g| g.code.clone());
            if std::env::var("SHOW_LANG").ok().as_deref() == Some(code.as_str()) {
                println!(
                    "    {} reliable={} conf={:.2}: {:?}",
                    d.id,
                    g.as_ref().is_some_and(|g| g.reliable),
                    g.as_ref().map_or(0.0, |g| g.confidence),
                    d.body.chars().take(120).collect::<String>()
                );
            }
            reliable += usize::from(g.is_some_and(|g| g.reliable));
            *codes.entry(code).or_default() += 1;
        }
        let mut c: Vec<(String, usize)> = codes.into_iter().collect();
        c.sort_by_key(|x| std::cmp::Reverse(x.1));
        let top: Vec<String> = c.iter().take(4).map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "  language of {name} ({} articles): {}; reliable {reliable}",
            set.len(),
            top.join(", ")
        );
    }
    let mut df_all = df.clone();
    for d in &reuters {
        df_all.observe(&term_ids(&d.title, &d.body, "en"));
    }
    let vocab = df_all.vocabulary();
    let mut pruned = df_all.clone();
    pruned.prune(2);
    println!(
        "  DfStats after {} articles: {} terms, {} with df >= 2 ({:.0}%), JSON {:.1} MB",
        df_all.docs(),
        vocab,
        pruned.vocabulary(),
        100.0 * pruned.vocabulary() as f64 / vocab as f64,
        serde_json::to_string(&df_all).unwrap().len() as f64 / 1e6
    );
}
