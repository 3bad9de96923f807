//! Title boost, chosen by a known-item evaluation on NewsArticles (3,824 real English news
//! articles, 2016-17): for each article, a query a reader might type to find it again, and
//! the reciprocal rank of that article among all (MRR, and the share found at rank 1 and
//! in the top 10).
//! - `title`: 2 consecutive content words of the headline;
//! - `lead`: 3 consecutive content words of the first sentence of the body.
//!
//! Run: `cargo run --release -p tidings-search --example boost_eval`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/corpus.rs"]
mod corpus;

use tidings_search::SearchRequest;

const STOP: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "at", "by", "with", "from", "is",
    "as", "its", "it", "be", "was", "are", "that", "this", "has", "have", "says", "said", "will",
    "after", "over", "new", "his", "her", "their", "who", "not", "but", "were", "been",
];

fn content_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.len() > 2 && !STOP.contains(&w.as_str()))
        .collect()
}

fn main() {
    let docs = corpus::load("newsarticles");
    let (_dir, index) = corpus::index_corpus(&docs);

    let mut sets: Vec<(&str, Vec<(usize, String)>)> = vec![("title", vec![]), ("lead", vec![])];
    for (i, d) in docs.iter().enumerate() {
        let t = content_words(&d.title);
        if t.len() >= 2 {
            let s = (i * 7) % (t.len() - 1);
            sets[0].1.push((i, format!("{} {}", t[s], t[s + 1])));
        }
        let first = d.body.split(['.', '\n']).next().unwrap_or("");
        let l = content_words(first);
        if l.len() >= 3 {
            let s = (i * 7) % (l.len() - 2);
            sets[1]
                .1
                .push((i, format!("{} {} {}", l[s], l[s + 1], l[s + 2])));
        }
    }
    println!("NewsArticles: {} articles", docs.len());
    for boost in [1.0f32, 1.5, 2.0, 3.0, 5.0] {
        let mut line = format!("title boost {boost:<4}");
        let mut mean_mrr = 0.0;
        for (name, qs) in &sets {
            let (mut mrr, mut at1, mut top10) = (0.0, 0usize, 0usize);
            for (target, q) in qs {
                let mut req = SearchRequest::new(q.clone());
                req.limit = 100;
                req.title_boost = Some(boost);
                let r = index.search(&req).unwrap();
                if let Some(rank) = r.hits.iter().position(|h| h.id == *target as i64) {
                    mrr += 1.0 / (rank as f64 + 1.0);
                    at1 += usize::from(rank == 0);
                    top10 += usize::from(rank < 10);
                }
            }
            let n = qs.len() as f64;
            mean_mrr += mrr / n / sets.len() as f64;
            line.push_str(&format!(
                "   {name} ({} q): MRR {:.3} @1 {:.3} @10 {:.3}",
                qs.len(),
                mrr / n,
                at1 as f64 / n,
                top10 as f64 / n
            ));
        }
        println!("{line}   mean MRR {mean_mrr:.3}");
    }
}
