//! Dump what the analyser sees of every NewsArticles article (stems of the title, of the
//! lead and of the body, entities, date, source) as JSON lines, for exploring story-matching
//! rules outside Rust before porting the winner. Research aid; not used by tests.
//!
//! Run: `cargo run --release -p tidings-understand --example story_dump -- OUT.jsonl`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/corpus.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::io::Write;

use tidings_understand::entities::extract_entities;
use tidings_understand::text::Analyzer;

fn main() {
    let out = std::env::args().nth(1).expect("OUT.jsonl");
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    for d in corpus::load("newsarticles") {
        let a = Analyzer::for_lang("en");
        let title: Vec<String> = a.terms(&d.title).map(|(s, _)| s).collect();
        let lead_words: String = d
            .body
            .split_whitespace()
            .take(60)
            .collect::<Vec<_>>()
            .join(" ");
        let lead: Vec<String> = a.terms(&lead_words).map(|(s, _)| s).collect();
        let mut body: BTreeMap<String, u32> = BTreeMap::new();
        for (s, _) in a.terms(&d.body) {
            *body.entry(s).or_default() += 1;
        }
        let ents: Vec<(String, u32)> = extract_entities(&d.title, &d.body, "en", 20)
            .into_iter()
            .map(|e| (e.key, e.count))
            .collect();
        let title_ents: Vec<String> = extract_entities(&d.title, "", "en", 20)
            .into_iter()
            .map(|e| e.key)
            .collect();
        let v = serde_json::json!({
            "id": d.id, "title": d.title, "source": d.source,
            "published": d.published.map(|t| t.0),
            "body_len": d.body.len(),
            "title_terms": title, "lead_terms": lead, "body_terms": body,
            "entities": ents, "title_entities": title_ents,
        });
        writeln!(w, "{v}").unwrap();
    }
}
