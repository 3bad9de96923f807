//! Loader for the news corpora: the real ones (research use only; never shipped) for the
//! evaluation examples and full-data tests, and the fixture corpus in the repository for
//! the tests that run everywhere.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

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
    /// Fixture corpus only: the label shared by articles about one event.
    pub event: Option<String>,
}

/// Load `reuters21578` or `newsarticles` from `TIDINGS_TEST_DATA` (or `../shared/data`
/// beside the repository, for the examples). Panics with the path when the file is
/// missing: evaluations and corpus tests must not silently skip.
pub fn load(name: &str) -> Vec<Doc> {
    let path = tidings_testdata::tool_data_dir().join(format!("news/{name}.jsonl.gz"));
    assert!(path.is_file(), "corpus {} is required", path.display());
    load_path(&path)
}

/// Our own fixture corpus (`crates/origin/fixtures/news.jsonl`), in corpus order.
pub fn fixture() -> Vec<Doc> {
    load_path(&tidings_testdata::news_fixture())
}

pub fn load_path(path: &Path) -> Vec<Doc> {
    tidings_testdata::jsonl_lines(path)
        .into_iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l).unwrap();
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
                event: s("event"),
            }
        })
        .collect()
}
