//! Exploration behind the related-articles design: P@5 on Reuters-21578 of vector variants
//! (exhaustive cosine, no copy exclusion) so each choice in `features`/`related` is measured.
//!
//! Run: `cargo run --release -p tidings-understand --example related_explore`
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

use tidings_understand::text::{Analyzer, hash_str, words};
use tidings_understand::vector::TermVector;

fn p_at_5(docs: &[corpus::Doc], vecs: &[TermVector]) -> f64 {
    let n = docs.len();
    let mut index: HashMap<u64, Vec<(u32, f32)>> = HashMap::new();
    for (d, v) in vecs.iter().enumerate() {
        for (t, w) in &v.terms {
            index.entry(*t).or_default().push((d as u32, *w));
        }
    }
    let mut acc = vec![0.0f32; n];
    let mut hits = 0usize;
    for q in 0..n {
        acc.iter_mut().for_each(|x| *x = 0.0);
        for (t, w) in &vecs[q].terms {
            for (d, dw) in &index[t] {
                acc[*d as usize] += w * dw;
            }
        }
        let mut c: Vec<(usize, f32)> = acc
            .iter()
            .enumerate()
            .filter(|(d, s)| *d != q && **s > 0.0)
            .map(|(d, s)| (d, *s))
            .collect();
        c.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for (d, _) in c.iter().take(5) {
            if docs[*d].topics.iter().any(|t| docs[q].topics.contains(t)) {
                hits += 1;
            }
        }
    }
    hits as f64 / (5 * n) as f64
}

fn neighbours(vecs: &[TermVector], k: usize) -> Vec<Vec<(usize, f32)>> {
    let n = vecs.len();
    let mut index: HashMap<u64, Vec<(u32, f32)>> = HashMap::new();
    for (d, v) in vecs.iter().enumerate() {
        for (t, w) in &v.terms {
            index.entry(*t).or_default().push((d as u32, *w));
        }
    }
    let mut acc = vec![0.0f32; n];
    (0..n)
        .map(|q| {
            acc.iter_mut().for_each(|x| *x = 0.0);
            for (t, w) in &vecs[q].terms {
                for (d, dw) in &index[t] {
                    acc[*d as usize] += w * dw;
                }
            }
            let mut c: Vec<(usize, f32)> = acc
                .iter()
                .enumerate()
                .filter(|(d, s)| *d != q && **s > 0.0)
                .map(|(d, s)| (d, *s))
                .collect();
            c.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            c.truncate(k);
            c
        })
        .collect()
}

fn main() {
    let docs: Vec<corpus::Doc> = corpus::load("reuters21578")
        .into_iter()
        .filter(|d| !d.topics.is_empty())
        .collect();
    let n = docs.len() as f32;
    let en = Analyzer::for_lang("en");
    // (title terms, body terms) per doc as stem strings
    let raw: Vec<(Vec<String>, Vec<String>)> = docs
        .iter()
        .map(|d| (words(&d.title).collect(), words(&d.body).collect()))
        .collect();

    let build = |toks: &[(Vec<String>, Vec<String>)],
                 boost: f32,
                 sublinear: bool,
                 max: usize|
     -> Vec<TermVector> {
        let mut df: HashMap<u64, u32> = HashMap::new();
        let tfs: Vec<HashMap<u64, f32>> = toks
            .iter()
            .map(|(t, b)| {
                let mut m: HashMap<u64, f32> = HashMap::new();
                for w in t {
                    *m.entry(hash_str(w)).or_default() += 1.0 + boost;
                }
                for w in b {
                    *m.entry(hash_str(w)).or_default() += 1.0;
                }
                for k in m.keys() {
                    *df.entry(*k).or_default() += 1;
                }
                m
            })
            .collect();
        tfs.into_iter()
            .map(|m| {
                let w = m
                    .into_iter()
                    .map(|(t, c)| {
                        let tf = if sublinear { 1.0 + c.ln() } else { c };
                        (t, tf * ((n + 1.0) / (df[&t] as f32 + 1.0)).ln())
                    })
                    .collect();
                TermVector::from_weights(w, max)
            })
            .collect()
    };

    let stop_raw: Vec<(Vec<String>, Vec<String>)> = raw
        .iter()
        .map(|(t, b)| {
            let f = |v: &Vec<String>| {
                v.iter()
                    .filter(|w| !en.is_stop(w))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            (f(t), f(b))
        })
        .collect();
    let alnum_stem: Vec<(Vec<String>, Vec<String>)> = raw
        .iter()
        .map(|(t, b)| {
            let f = |v: &Vec<String>| {
                v.iter()
                    .filter(|w| !en.is_stop(w) && w.chars().any(|c| c.is_alphabetic()))
                    .map(|w| en.stem(w))
                    .collect::<Vec<_>>()
            };
            (f(t), f(b))
        })
        .collect();
    let alnum_stem_nums: Vec<(Vec<String>, Vec<String>)> = raw
        .iter()
        .map(|(t, b)| {
            let f = |v: &Vec<String>| {
                v.iter()
                    .filter(|w| !en.is_stop(w))
                    .map(|w| en.stem(w))
                    .collect::<Vec<_>>()
            };
            (f(t), f(b))
        })
        .collect();
    let light = |w: &str| -> String {
        let n = w.chars().count();
        if n > 4 && w.ends_with("ies") {
            format!("{}y", &w[..w.len() - 3])
        } else if n > 3
            && w.ends_with('s')
            && !w.ends_with("ss")
            && !w.ends_with("us")
            && !w.ends_with("is")
        {
            w[..w.len() - 1].to_string()
        } else {
            w.to_string()
        }
    };
    let light_stem: Vec<(Vec<String>, Vec<String>)> = raw
        .iter()
        .map(|(t, b)| {
            let f = |v: &Vec<String>| {
                v.iter()
                    .filter(|w| !en.is_stop(w) && w.chars().any(|c| c.is_alphabetic()))
                    .map(|w| light(w))
                    .collect::<Vec<_>>()
            };
            (f(t), f(b))
        })
        .collect();
    for (name, src, boost, sub, max) in [
        (
            "light-stem sublinear all",
            &light_stem,
            0.0,
            true,
            usize::MAX,
        ),
        ("light-stem sublinear top64", &light_stem, 0.0, true, 64),
        ("raw words sublinear all", &raw, 0.0, true, usize::MAX),
        ("raw-stop sublinear all", &stop_raw, 0.0, true, usize::MAX),
        (
            "alnum-stem sublinear all",
            &alnum_stem,
            0.0,
            true,
            usize::MAX,
        ),
        (
            "alnum-stem+nums sublinear all",
            &alnum_stem_nums,
            0.0,
            true,
            usize::MAX,
        ),
        ("alnum-stem sublinear top64", &alnum_stem, 0.0, true, 64),
        ("alnum-stem sublinear top32", &alnum_stem, 0.0, true, 32),
        (
            "alnum-stem sublinear boost1 top64",
            &alnum_stem,
            1.0,
            true,
            64,
        ),
        ("alnum-stem tf top64", &alnum_stem, 0.0, false, 64),
    ] {
        let v = build(src, boost, sub, max);
        println!("{name:<36} P@5 {:.4}", p_at_5(&docs, &v));
    }
    // BM25-weighted document vectors, cosine.
    for (k1, b) in [(1.2f32, 0.75f32), (1.2, 0.3), (2.0, 0.75)] {
        let src = &alnum_stem;
        let mut df: HashMap<u64, u32> = HashMap::new();
        let tfs: Vec<HashMap<u64, f32>> = src
            .iter()
            .map(|(t, bb)| {
                let mut m: HashMap<u64, f32> = HashMap::new();
                for w in t.iter().chain(bb) {
                    *m.entry(hash_str(w)).or_default() += 1.0;
                }
                for k in m.keys() {
                    *df.entry(*k).or_default() += 1;
                }
                m
            })
            .collect();
        let lens: Vec<f32> = tfs.iter().map(|m| m.values().sum()).collect();
        let avg = lens.iter().sum::<f32>() / n;
        let v: Vec<TermVector> = tfs
            .into_iter()
            .zip(&lens)
            .map(|(m, l)| {
                let w = m
                    .into_iter()
                    .map(|(t, c)| {
                        let sat = c * (k1 + 1.0) / (c + k1 * (1.0 - b + b * l / avg));
                        (t, sat * ((n + 1.0) / (df[&t] as f32 + 1.0)).ln())
                    })
                    .collect();
                TermVector::from_weights(w, 64)
            })
            .collect();
        println!(
            "bm25 vectors k1={k1} b={b} top64       P@5 {:.4}",
            p_at_5(&docs, &v)
        );
    }

    // Neighbourhood smoothing: each document's vector plus a share of its k nearest
    // neighbours' vectors (computed once at ingest), then plain cosine.
    let expand = |base: &[TermVector], k: usize, beta: f32, keep: usize| -> Vec<TermVector> {
        let nb = neighbours(base, k);
        base.iter()
            .zip(&nb)
            .map(|(v, ns)| {
                let mut m: HashMap<u64, f32> = v.terms.iter().cloned().collect();
                let tot = ns.len().max(1) as f32;
                for (d, _) in ns {
                    for (t, w) in &base[*d].terms {
                        *m.entry(*t).or_default() += w * beta / tot;
                    }
                }
                TermVector::from_weights(m.into_iter().collect(), keep)
            })
            .collect()
    };
    let only = std::env::var("ONLY").unwrap_or_default();
    for (bname, base) in [
        ("stem64", build(&alnum_stem, 0.0, true, 64)),
        ("light64", build(&light_stem, 0.0, true, 64)),
        ("raw-all", build(&raw, 0.0, true, usize::MAX)),
    ] {
        if !only.is_empty() && only != bname {
            continue;
        }
        for (k, beta, keep) in [
            (10usize, 1.0f32, 128usize),
            (20, 2.0, 128),
            (30, 2.0, 200),
            (50, 3.0, 256),
            (50, 5.0, 256),
            (100, 5.0, 256),
        ] {
            let e = expand(&base, k, beta, keep);
            println!(
                "{bname} expanded k={k} beta={beta} keep={keep}  P@5 {:.4}",
                p_at_5(&docs, &e)
            );
        }
    }
}
