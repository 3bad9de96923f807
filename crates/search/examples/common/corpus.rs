//! Loader for the real news corpora (research use only; never shipped), from
//! `TIDINGS_TEST_DATA` or `../shared/data` beside the repository. Used by the evaluation
//! examples, which fail when the files are missing.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use tidings_core::Timestamp;

#[derive(Debug, Clone)]
pub struct Doc {
    pub id: String,
    pub title: String,
    pub body: String,
    pub published: Option<Timestamp>,
    pub source: String,
    pub url: Option<String>,
    pub topics: Vec<String>,
    pub lewis_split: Option<String>,
}

/// `news/` of `TIDINGS_TEST_DATA`, or of `../shared/data` beside the repository.
pub fn data_dir() -> PathBuf {
    tidings_testdata::tool_data_dir().join("news")
}

/// Load `reuters21578` or `newsarticles`. Panics with the path when the file is missing:
/// evaluations and corpus tests must not silently skip.
pub fn load(name: &str) -> Vec<Doc> {
    let path = data_dir().join(format!("{name}.jsonl.gz"));
    assert!(path.is_file(), "corpus {} is required", path.display());
    tidings_testdata::jsonl_lines(&path)
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            Doc {
                id: s("id").unwrap(),
                title: s("title").unwrap_or_default(),
                body: s("body").unwrap_or_default(),
                published: s("published").and_then(|p| Timestamp::parse_rfc3339(&p)),
                source: s("source").unwrap_or_default(),
                url: s("url"),
                topics: v
                    .get("topics")
                    .and_then(|t| t.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                lewis_split: s("lewis_split"),
            }
        })
        .collect()
}

/// Index `docs` (id = position in the slice) into a fresh temporary index and commit.
/// Keep the returned directory alive as long as the index is used.
pub fn index_corpus(docs: &[Doc]) -> (tempfile::TempDir, tidings_search::SearchIndex) {
    use tidings_search::{IndexDoc, IndexerOptions, SearchIndex};
    let dir = tempfile::tempdir().unwrap();
    let (index, _) = SearchIndex::open(dir.path().join("idx")).unwrap();
    let mut w = index.indexer(IndexerOptions::default()).unwrap();
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
    w.commit(docs.len() as i64).unwrap();
    (dir, index)
}
