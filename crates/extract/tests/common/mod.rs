//! Shared test helper: the WCXB pages, unpacked once into the target dir.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)] // tests may opt out
#![allow(dead_code)] // each test binary uses part of the helper

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// `shared/` sits beside the workspace root.
fn archive() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/extraction/wcxb-v1.0-common.tar.zst")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// Directory holding `<id>.html` + `<id>.json`. Unpacks the archive on first use
/// (into a temp dir, then an atomic rename, so parallel test binaries are safe).
/// Panics (fails the test) when the archive is missing: these tests must not skip.
pub fn wcxb_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dest = target_dir().join("wcxb-data");
        let ready = dest.join("wcxb");
        if ready.join("0001.json").exists() {
            return ready;
        }
        let arch = archive();
        assert!(
            arch.exists(),
            "WCXB archive missing at {} (expected ../shared/data/extraction beside the workspace)",
            arch.display()
        );
        std::fs::create_dir_all(&dest).unwrap();
        let tmp = dest.join(format!("tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        let st = Command::new("tar")
            .arg("--zstd")
            .arg("-xf")
            .arg(&arch)
            .arg("-C")
            .arg(&tmp)
            .status()
            .expect("run tar");
        assert!(st.success(), "tar --zstd -xf failed");
        if std::fs::rename(tmp.join("wcxb"), &ready).is_err() {
            // Another test binary won the race.
            assert!(ready.join("0001.json").exists());
        }
        let _ = std::fs::remove_dir_all(&tmp);
        ready
    })
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

pub fn page(id: &str) -> Page {
    let dir = wcxb_dir();
    Page {
        id: id.to_string(),
        html: std::fs::read(dir.join(format!("{id}.html"))).unwrap(),
        gold: serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{id}.json"))).unwrap(),
        )
        .unwrap(),
    }
}

pub fn all_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(wcxb_dir())
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
