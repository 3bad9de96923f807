//! Scale benchmark on a replicated corpus.
//!
//! Both real corpora (Reuters-21578 + NewsArticles, 23,603 articles) are replicated until N
//! articles: each copy gets a new id, a published date shifted by 30 days per replica, a
//! synthetic URL, a source id per (publisher, replica % 10) and a topic slug derived from
//! the seed (synthetic). Texts repeat, so the index has ~42 identical copies of each
//! article at 1M: posting lists are as long as real ones of that size, the vocabulary is
//! smaller than a real 1M corpus would have.
//!
//! ```text
//! cargo run --release -p tidings-search --example scale -- build  DIR [N] [THREADS]
//! cargo run --release -p tidings-search --example scale -- search DIR
//! ```
//! `build` measures the index build rate (one indexing thread by default, batches of 1,000,
//! a commit every 50,000 articles) and the size on disk. `search` runs in a fresh process
//! and measures open time (checksums), search latency over a query mix, more-like-this
//! latency, and the process's resident memory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/corpus.rs"]
mod corpus;

use std::time::Instant;

use tidings_search::{IndexDoc, IndexerOptions, SearchIndex, SearchRequest, Sort};

const TOPICS: [&str; 8] = [
    "world",
    "politics",
    "business",
    "technology",
    "science",
    "health",
    "sports",
    "entertainment",
];
const DAY_MS: i64 = 86_400_000;

fn seeds() -> Vec<corpus::Doc> {
    let mut d = corpus::load("reuters21578");
    d.extend(corpus::load("newsarticles"));
    d
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn source_base(source: &str) -> i64 {
    (fnv(source) % 1000) as i64 * 10
}

fn make_doc(seeds: &[corpus::Doc], i: usize) -> IndexDoc {
    let s = &seeds[i % seeds.len()];
    let rep = (i / seeds.len()) as i64;
    let topic = if s
        .topics
        .iter()
        .any(|t| t == "earn" || t == "acq" || t == "crude")
    {
        "business"
    } else {
        TOPICS[(fnv(&s.id) % 8) as usize]
    };
    IndexDoc {
        id: i as i64,
        change_seq: i as i64 + 1,
        title: s.title.clone(),
        body: s.body.clone(),
        description: None,
        url: format!("https://{}/r{rep}/{}", s.source, s.id.replace(':', "-")),
        source_id: source_base(&s.source) + rep % 10,
        source_name: s.source.clone(),
        lang: "en".into(),
        topics: vec![topic.into()],
        keywords: Vec::new(),
        published_ms: s.published.map(|p| p.0 + rep * 30 * DAY_MS),
        story_id: None,
    }
}

fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .filter(|l| {
            ["VmRSS", "VmHWM", "RssAnon", "RssFile"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(", ")
}

fn build(dir: &str, n: usize, threads: usize) {
    let seeds = seeds();
    println!(
        "seeds: {} articles; building {n} ({:.1}x), {threads} indexing thread(s)",
        seeds.len(),
        n as f64 / seeds.len() as f64
    );
    let _ = std::fs::remove_dir_all(dir);
    let (index, state) = SearchIndex::open(dir).unwrap();
    println!("open: {state:?}");
    let mut w = index
        .indexer(IndexerOptions {
            threads,
            memory_bytes: threads * (256 << 20),
        })
        .unwrap();
    let t = Instant::now();
    let mut text_bytes = 0usize;
    let mut gen_secs = 0.0;
    let mut i = 0;
    while i < n {
        let tg = Instant::now();
        let batch: Vec<IndexDoc> = (i..(i + 1000).min(n))
            .map(|j| make_doc(&seeds, j))
            .collect();
        gen_secs += tg.elapsed().as_secs_f64();
        text_bytes += batch
            .iter()
            .map(|d| d.title.len() + d.body.len())
            .sum::<usize>();
        w.upsert(&batch).unwrap();
        i += batch.len();
        if i % 50_000 == 0 || i == n {
            w.commit(i as i64).unwrap();
            let s = t.elapsed().as_secs_f64();
            println!(
                "  {i:>8} docs  {s:>7.1}s  {:>7.0} docs/s  {:>6.1} MB/s of text  {}",
                i as f64 / (s - gen_secs),
                text_bytes as f64 / 1e6 / (s - gen_secs),
                rss()
            );
        }
    }
    let added = t.elapsed().as_secs_f64() - gen_secs;
    w.close().unwrap();
    let closed = t.elapsed().as_secs_f64() - gen_secs;
    let bytes = index.disk_bytes().unwrap();
    println!(
        "BUILD n={n} threads={threads}: {:.0} docs/s to last commit ({added:.1}s), {:.0} docs/s incl. waiting for merges ({closed:.1}s); text {:.0} MB; generating docs took {gen_secs:.1}s (excluded)",
        n as f64 / added,
        n as f64 / closed,
        text_bytes as f64 / 1e6
    );
    let segs = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .map(|e| e.path().extension().is_some_and(|x| x == "store"))
                .unwrap_or(false)
        })
        .count();
    println!(
        "DISK {:.1} MB ({:.0} bytes/doc), {segs} segments; process {}",
        bytes as f64 / 1e6,
        bytes as f64 / n as f64,
        rss()
    );
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(((v.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

const STOP: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "at", "by", "with", "from", "is",
    "as", "its", "it", "be", "vs", "says", "said", "after", "over", "new",
];

/// A deterministic query mix from the seeds' titles: 1-3 consecutive words; every 5th with
/// a filter, every 7th a quoted phrase, every 10th sorted by newest.
fn queries(seeds: &[corpus::Doc], count: usize) -> Vec<SearchRequest> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while out.len() < count {
        i += 1;
        let s = &seeds[(i * 7919) % seeds.len()];
        let words: Vec<String> = s
            .title
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 2 && !STOP.contains(&w.to_lowercase().as_str()))
            .map(|w| w.to_lowercase())
            .collect();
        if words.is_empty() {
            continue;
        }
        let len = 1 + i % 3;
        let start = i % words.len();
        let picked: Vec<&String> = words.iter().skip(start).take(len).collect();
        let mut q = if i.is_multiple_of(7) && picked.len() >= 2 {
            format!(
                "\"{}\"",
                picked
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        } else {
            picked
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        match i % 20 {
            0 => q.push_str(&format!(
                " source:{}",
                source_base(&s.source) + (i as i64 % 10)
            )),
            5 => q.push_str(" topic:business"),
            10 => q.push_str(" lang:en"),
            15 => q.push_str(" after:2016-06-01"),
            _ => {}
        }
        let mut r = SearchRequest::new(q);
        if i % 10 == 3 {
            r.sort = Sort::Newest;
        }
        out.push(r);
    }
    out
}

fn search(dir: &str) {
    println!("process before open: {}", rss());
    let t = Instant::now();
    let (index, state) = SearchIndex::open(dir).unwrap();
    println!(
        "open (incl. checksum verification of every file): {:.2}s, {:?}, {} docs",
        t.elapsed().as_secs_f64(),
        state,
        index.num_docs()
    );
    println!("process after open: {}", rss());
    let seeds = seeds();
    let qs = queries(&seeds, 2200);
    let (warm, measured) = qs.split_at(200);
    for q in warm {
        index.search(q).unwrap();
    }
    let mut all = Vec::new();
    let mut by_kind: Vec<(&str, Vec<f64>)> = vec![
        ("1 word", vec![]),
        ("2 words", vec![]),
        ("3 words", vec![]),
        ("phrase", vec![]),
        ("with filter", vec![]),
        ("sort newest", vec![]),
    ];
    let mut totals = Vec::new();
    for q in measured {
        let t = Instant::now();
        let r = index.search(q).unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        all.push(ms);
        totals.push(r.total as f64);
        let parsed = &r.parsed;
        let kind = if q.sort == Sort::Newest {
            5
        } else if !parsed.sources.is_empty()
            || !parsed.topics.is_empty()
            || !parsed.langs.is_empty()
            || parsed.after_ms.is_some()
        {
            4
        } else if parsed
            .must
            .iter()
            .any(|c| matches!(c, tidings_search::Clause::Phrase(_)))
        {
            3
        } else {
            parsed.must.len().clamp(1, 3) - 1
        };
        by_kind[kind].1.push(ms);
    }
    let n = all.len();
    println!(
        "SEARCH {n} queries (20 results, snippets, total count): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.1} ms; median total hits {:.0}",
        pct(&mut all, 0.5),
        pct(&mut all, 0.95),
        pct(&mut all, 0.99),
        pct(&mut all, 1.0),
        pct(&mut totals, 0.5)
    );
    for (k, v) in &mut by_kind {
        if !v.is_empty() {
            println!(
                "  {k:<12} {:>5} queries  p50 {:>6.2} ms  p95 {:>6.2} ms",
                v.len(),
                pct(v, 0.5),
                pct(v, 0.95)
            );
        }
    }
    for k in [10usize, 100, 400] {
        let mut lat = Vec::new();
        for i in 0..600 {
            let s = &seeds[(i * 104_729) % seeds.len()];
            let t = Instant::now();
            let r = index
                .more_like_this(&s.title, &s.body, "en", k, &[])
                .unwrap();
            if i >= 100 {
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            std::hint::black_box(r);
        }
        println!(
            "MLT k={k}: 500 articles' text, p50 {:.2} ms, p95 {:.2} ms",
            pct(&mut lat, 0.5),
            pct(&mut lat, 0.95)
        );
    }
    // What drives MLT latency (k = 100): term selection vs. the query.
    let d = tidings_search::MltOptions::default();
    let variants = [
        (
            "min_tf 2",
            tidings_search::MltOptions {
                min_term_freq: 2,
                ..d.clone()
            },
        ),
        (
            "max df 10%",
            tidings_search::MltOptions {
                max_doc_freq_ratio: 0.1,
                ..d.clone()
            },
        ),
        (
            "15 terms",
            tidings_search::MltOptions {
                max_query_terms: 15,
                ..d.clone()
            },
        ),
    ];
    for (name, o) in variants {
        let mut lat = Vec::new();
        for i in 0..300 {
            let s = &seeds[(i * 104_729) % seeds.len()];
            let t = Instant::now();
            let r = index
                .more_like_this_with(&s.title, &s.body, "en", 100, &[], &o)
                .unwrap();
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(r);
        }
        println!(
            "  MLT k=100 {name:<12} p50 {:.2} ms, p95 {:.2} ms",
            pct(&mut lat, 0.5),
            pct(&mut lat, 0.95)
        );
    }
    println!("process after searching: {}", rss());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("build") => {
            let dir = args.get(2).expect("DIR");
            let n = args
                .get(3)
                .and_then(|s| s.parse().ok())
                .unwrap_or(1_000_000);
            let threads = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
            build(dir, n, threads);
        }
        Some("search") => search(args.get(2).expect("DIR")),
        _ => eprintln!("usage: scale build DIR [N] [THREADS] | scale search DIR"),
    }
}
