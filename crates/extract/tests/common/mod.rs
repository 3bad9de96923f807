//! Shared test helper: the WCXB pages. The sample in `tests/fixtures/wcxb/`
//! by default; the whole benchmark (unpacked once into the target dir) when
//! `TIDINGS_TEST_DATA` names the full data (see tidings-testdata).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests may opt out
#![allow(dead_code)] // each test binary uses part of the helper

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The 37 pages (with gold) kept in the repository.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wcxb")
}

/// The whole benchmark (1,869 pages), when the full data is there.
pub fn full_dir() -> Option<&'static PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let data = tidings_testdata::full_data()?;
        let archive = data.join("extraction/wcxb-v1.0-common.tar.zst");
        Some(tidings_testdata::unpack_once(&archive, "wcxb-data", "wcxb/0001.json").join("wcxb"))
    })
    .as_ref()
}

/// Directory holding `<id>.html` + `<id>.json`: the whole benchmark when the
/// full data is there, else the fixture sample.
pub fn wcxb_dir() -> PathBuf {
    full_dir().cloned().unwrap_or_else(fixture_dir)
}

pub struct Page {
    pub id: String,
    pub html: Vec<u8>,
    pub gold: serde_json::Value,
}

impl Page {
    pub fn url(&self) -> url::Url {
        self.gold["url"]
            .as_str()
            .and_then(|u| url::Url::parse(u).ok())
            .unwrap_or_else(|| url::Url::parse("https://example.com/").unwrap())
    }
}

/// A page of [`wcxb_dir`].
pub fn page(id: &str) -> Page {
    page_in(&wcxb_dir(), id)
}

pub fn page_in(dir: &Path, id: &str) -> Page {
    Page {
        id: id.to_string(),
        html: std::fs::read(dir.join(format!("{id}.html"))).unwrap(),
        gold: serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{id}.json"))).unwrap(),
        )
        .unwrap(),
    }
}

/// The ids of every page in `dir`, sorted.
pub fn ids_in(dir: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            if p.extension()? != "html" {
                return None;
            }
            Some(p.file_stem()?.to_string_lossy().to_string())
        })
        .collect();
    ids.sort();
    ids
}
