//! Near-duplicate detection on real articles with realistic syndication perturbations.
//!
//! Positives: every NewsArticles article and every 4th Reuters article with a body of at
//! least 300 characters, against a syndicated copy (`common/perturb.rs`: nav text, another
//! lead-in and byline, wire credits, share/footer lines, light copy edits, truncation to 75%,
//! all combined). Negatives: (a) the 350 hand-labelled NewsArticles pairs (182 of them are
//! *different articles about the same event*, the hard case); (b) each original against its
//! most similar other original by text cosine. Flagged negatives are printed for reading:
//! some are real re-publications of one wire text.
//!
//! Reports, for MinHash (the decision rule) and SimHash: recall per perturbation kind, LSH
//! candidate recall (a shared band key), flagged negatives, and throughput.
//!
//! Run: `cargo run --release -p tidings-understand --example neardup_eval`
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

use std::collections::HashMap;
use std::time::Instant;

use tidings_understand::fingerprint::{
    NearDupSignature, band_keys, is_near_duplicate, jaccard, signature, simhash_distance,
};
use tidings_understand::text::{Analyzer, hash_str};
use tidings_understand::vector::TermVector;

fn shares_band(a: &NearDupSignature, b: &NearDupSignature) -> bool {
    let ka = band_keys(a);
    band_keys(b).iter().any(|k| ka.contains(k))
}

fn main() {
    let news = corpus::load("newsarticles");
    let reuters = corpus::load("reuters21578");
    let originals: Vec<&corpus::Doc> = news
        .iter()
        .filter(|d| d.body.len() >= 300)
        .chain(reuters.iter().step_by(4).filter(|d| d.body.len() >= 300))
        .collect();
    println!(
        "{} originals ({} NewsArticles, rest Reuters)",
        originals.len(),
        news.iter().filter(|d| d.body.len() >= 300).count()
    );

    let t = Instant::now();
    let sigs: Vec<NearDupSignature> = originals.iter().map(|d| signature(&d.body)).collect();
    let secs = t.elapsed().as_secs_f64();
    let chars: usize = originals.iter().map(|d| d.body.len()).sum();
    println!(
        "signature(): {:.0} articles/s, {:.1} MB/s (one thread)",
        originals.len() as f64 / secs,
        chars as f64 / secs / 1e6
    );

    // ---- positives by perturbation kind
    let kinds = perturb::KINDS.len();
    let mut rec = vec![(0usize, 0usize, 0usize, 0usize, 0usize); kinds]; // n, minhash, lsh, simhash<=3, simhash<=12
    let mut pos_j: Vec<f32> = Vec::new();
    for (i, d) in originals.iter().enumerate() {
        let k = i % kinds;
        let copy = signature(&perturb::syndicate(&d.body, i));
        let r = &mut rec[k];
        r.0 += 1;
        if is_near_duplicate(&sigs[i], &copy) {
            r.1 += 1;
        }
        if shares_band(&sigs[i], &copy) {
            r.2 += 1;
        }
        let h = simhash_distance(&sigs[i], &copy);
        if h <= 3 {
            r.3 += 1;
        }
        if h <= 12 {
            r.4 += 1;
        }
        pos_j.push(jaccard(&sigs[i], &copy));
    }
    println!("\npositives (original vs syndicated copy):");
    println!(
        "  {:<20} {:>6} {:>10} {:>12} {:>13} {:>14}",
        "kind", "pairs", "minhash", "lsh-cand", "simhash<=3", "simhash<=12"
    );
    let mut tot = (0, 0, 0, 0, 0);
    for (k, r) in rec.iter().enumerate() {
        println!(
            "  {:<20} {:>6} {:>10.4} {:>12.4} {:>13.4} {:>14.4}",
            perturb::KINDS[k],
            r.0,
            r.1 as f64 / r.0 as f64,
            r.2 as f64 / r.0 as f64,
            r.3 as f64 / r.0 as f64,
            r.4 as f64 / r.0 as f64
        );
        tot = (
            tot.0 + r.0,
            tot.1 + r.1,
            tot.2 + r.2,
            tot.3 + r.3,
            tot.4 + r.4,
        );
    }
    println!(
        "  {:<20} {:>6} {:>10.4} {:>12.4} {:>13.4} {:>14.4}",
        "all",
        tot.0,
        tot.1 as f64 / tot.0 as f64,
        tot.2 as f64 / tot.0 as f64,
        tot.3 as f64 / tot.0 as f64,
        tot.4 as f64 / tot.0 as f64
    );
    pos_j.sort_by(f32::total_cmp);
    println!(
        "  estimated Jaccard of copies: p5 {:.2} median {:.2}",
        pos_j[pos_j.len() / 20],
        pos_j[pos_j.len() / 2]
    );

    // ---- negatives (a): the labelled pairs
    let by_id: HashMap<&str, &corpus::Doc> = news.iter().map(|d| (d.id.as_str(), d)).collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/story_pairs.jsonl");
    let mut flagged = Vec::new();
    let (mut n_same, mut n_other, mut sim3, mut sim12) = (0, 0, 0, 0);
    for l in std::fs::read_to_string(path).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let (a, b) = (
            by_id[v["a"].as_str().unwrap()],
            by_id[v["b"].as_str().unwrap()],
        );
        if v["same_story"].as_bool().unwrap() {
            n_same += 1;
        } else {
            n_other += 1;
        }
        let (sa, sb) = (signature(&a.body), signature(&b.body));
        if is_near_duplicate(&sa, &sb) {
            flagged.push((
                a.id.clone(),
                b.id.clone(),
                jaccard(&sa, &sb),
                a.title.clone(),
                b.title.clone(),
            ));
        }
        let h = simhash_distance(&sa, &sb);
        sim3 += usize::from(h <= 3);
        sim12 += usize::from(h <= 12);
    }
    println!(
        "\nnegatives (a): {} labelled pairs ({n_same} same event, {n_other} different): flagged by minhash {}, by simhash<=3 {sim3}, by simhash<=12 {sim12}",
        n_same + n_other,
        flagged.len()
    );
    for f in &flagged {
        println!(
            "  flagged J={:.2} {} / {}: {:?} / {:?}",
            f.2, f.0, f.1, f.3, f.4
        );
    }

    // ---- negatives (b): most similar other original by cosine
    let en = Analyzer::for_lang("en");
    let vecs: Vec<TermVector> = originals
        .iter()
        .map(|d| {
            let mut m: HashMap<u64, f32> = HashMap::new();
            for (s, _) in en.terms(&d.body) {
                *m.entry(hash_str(&s)).or_default() += 1.0;
            }
            TermVector::from_weights(m.into_iter().collect(), 64)
        })
        .collect();
    let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, v) in vecs.iter().enumerate() {
        for (t, _) in &v.terms {
            index.entry(*t).or_default().push(i as u32);
        }
    }
    let mut nn_pairs = 0usize;
    let mut nn_flag = 0usize;
    let mut nn_sim3 = 0usize;
    let mut exact_same = 0usize;
    let mut examples = Vec::new();
    let mut seen = vec![0u32; originals.len()];
    for (i, v) in vecs.iter().enumerate() {
        let mut best = (0.0f32, usize::MAX);
        let stamp = i as u32 + 1;
        for (t, _) in &v.terms {
            for &j in &index[t] {
                let j = j as usize;
                if j == i || seen[j] == stamp {
                    continue;
                }
                seen[j] = stamp;
                let c = v.dot(&vecs[j]);
                if c > best.0 {
                    best = (c, j);
                }
            }
        }
        if best.1 == usize::MAX {
            continue;
        }
        let j = best.1;
        nn_pairs += 1;
        if sigs[i].exact == sigs[j].exact {
            exact_same += 1;
        }
        if is_near_duplicate(&sigs[i], &sigs[j]) {
            nn_flag += 1;
            if i < j && sigs[i].exact != sigs[j].exact {
                examples.push((
                    originals[i].id.clone(),
                    originals[j].id.clone(),
                    jaccard(&sigs[i], &sigs[j]),
                    best.0,
                ));
            }
        }
        nn_sim3 += usize::from(simhash_distance(&sigs[i], &sigs[j]) <= 3);
    }
    println!(
        "\nnegatives (b): {nn_pairs} nearest-neighbour pairs: flagged by minhash {nn_flag} ({exact_same} have identical text), by simhash<=3 {nn_sim3}"
    );
    // Non-identical flagged pairs (each pair once), for reading.
    let title = |id: &str| {
        originals
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.title.clone())
            .unwrap_or_default()
    };
    println!("  non-identical flagged pairs: {}", examples.len());
    for e in &examples {
        println!(
            "  J={:.2} cos={:.2} {} / {}: {:?} / {:?}",
            e.2,
            e.3,
            e.0,
            e.1,
            title(&e.0),
            title(&e.1)
        );
    }
}
