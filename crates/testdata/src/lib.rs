//! Where the tests find their data. One place for the whole workspace.
//!
//! By default every test runs on small fixtures inside the repository, so
//! `cargo test --workspace` passes in a fresh clone:
//!
//! - news articles: `crates/origin/fixtures/news.jsonl` (our own prose);
//! - WCXB pages with their gold JSON: `crates/extract/tests/fixtures/wcxb/`;
//! - the feedparser and feed-rs feed suites: `crates/fetch/tests/fixtures/feeds/`.
//!
//! The full third-party data sets are used when `TIDINGS_TEST_DATA` names a
//! folder laid out like `../shared/data` (`news/*.jsonl.gz`,
//! `extraction/wcxb-v1.0-common.tar.zst`); a relative path is taken from the
//! workspace root. `.ci/run` sets it. Tests that only make sense on the full
//! data (corpus-wide evaluations, figures quoted in the benchmarks) call
//! [`full_data_or_skip`]: without the variable they print why and pass, unless
//! `CI` or `TIDINGS_TEST_REQUIRE_DATA=1` is set, which makes the missing data a
//! failure (as `TIDINGS_TEST_REQUIRE_PG` does for PostgreSQL).

#![allow(clippy::panic, clippy::expect_used)] // test infrastructure: a panic fails the test that asked

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variable naming the full data folder.
pub const DATA_VAR: &str = "TIDINGS_TEST_DATA";
/// Set to `1` to make a missing `TIDINGS_TEST_DATA` a failure (`CI` does too).
pub const REQUIRE_VAR: &str = "TIDINGS_TEST_REQUIRE_DATA";

/// The repository's root (the workspace).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Whether the full data is required: `CI` or `TIDINGS_TEST_REQUIRE_DATA=1`.
pub fn required() -> bool {
    flag("CI") || flag(REQUIRE_VAR)
}

/// The full data folder when `TIDINGS_TEST_DATA` is set (relative paths from
/// the workspace root). A set variable that names no such folder is a mistake
/// and fails whoever asks, whatever else is set.
pub fn full_data() -> Option<PathBuf> {
    let raw = std::env::var_os(DATA_VAR).filter(|v| !v.is_empty())?;
    let dir = workspace_root().join(raw);
    assert!(
        dir.join("news").is_dir() && dir.join("extraction").is_dir(),
        "{DATA_VAR}={} does not look like ../shared/data (no news/ and extraction/ in it)",
        dir.display()
    );
    Some(dir)
}

/// For a test that only makes sense on the full data: the folder, or `None`
/// after saying on stderr that `what` was skipped. Fails instead of skipping
/// when the data is required (see [`required`]).
pub fn full_data_or_skip(what: &str) -> Option<PathBuf> {
    if let Some(dir) = full_data() {
        return Some(dir);
    }
    assert!(
        !required(),
        "{what} needs the full data sets: set {DATA_VAR}=../shared/data \
         (required because CI or {REQUIRE_VAR}=1 is set)"
    );
    eprintln!("skipped: {what} runs on the full data sets only; set {DATA_VAR}=../shared/data");
    None
}

/// The full data folder for evaluation tools (examples, benchmarks): the
/// variable when set, else `../shared/data` beside the repository.
pub fn tool_data_dir() -> PathBuf {
    full_data().unwrap_or_else(|| workspace_root().join("../shared/data"))
}

/// Our own news fixture corpus (same schema as the full corpora, plain JSONL).
pub fn news_fixture() -> PathBuf {
    workspace_root().join("crates/origin/fixtures/news.jsonl")
}

/// The news corpora the tests read: the two full corpora (NewsArticles, then
/// Reuters-21578) with `TIDINGS_TEST_DATA`, else the fixture corpus.
pub fn news_corpora() -> Vec<PathBuf> {
    match full_data() {
        Some(d) => vec![
            d.join("news/newsarticles.jsonl.gz"),
            d.join("news/reuters21578.jsonl.gz"),
        ],
        None => vec![news_fixture()],
    }
}

/// The lines of a JSON Lines file, gzip-compressed (`.gz`) or plain.
pub fn jsonl_lines(path: &Path) -> Vec<String> {
    let f =
        std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let r: Box<dyn BufRead> = if path.extension().is_some_and(|x| x == "gz") {
        Box::new(BufReader::new(flate2::read::GzDecoder::new(f)))
    } else {
        Box::new(BufReader::new(f))
    };
    r.lines()
        .map(|l| l.unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display())))
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// Cargo's target directory (`CARGO_TARGET_DIR` or the workspace's `target/`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(|d| workspace_root().join(d))
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Unpacks `archive` (`tar`, compression by suffix) once into
/// `target/<into>/` and returns that folder; `marker` is a path inside it that
/// exists once the archive is unpacked. Safe when several test binaries race:
/// each unpacks into its own temporary folder and renames it into place.
pub fn unpack_once(archive: &Path, into: &str, marker: &str) -> PathBuf {
    let dest = target_dir().join(into);
    if dest.join(marker).exists() {
        return dest;
    }
    assert!(archive.is_file(), "archive missing: {}", archive.display());
    let parent = target_dir();
    std::fs::create_dir_all(&parent).expect("create the target dir");
    let tmp = parent.join(format!("{into}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("create a temp dir");
    let mut tar = Command::new("tar");
    if archive.to_string_lossy().ends_with(".zst") {
        tar.arg("--zstd");
    }
    let ok = tar
        .arg("-xf")
        .arg(archive)
        .arg("-C")
        .arg(&tmp)
        .status()
        .expect("run tar")
        .success();
    assert!(ok, "cannot unpack {}", archive.display());
    if std::fs::rename(&tmp, &dest).is_err() && !dest.join(marker).exists() {
        // Not a race lost to another test binary: a partial copy is in the way.
        let _ = std::fs::remove_dir_all(&dest);
        let _ = std::fs::rename(&tmp, &dest);
    }
    assert!(
        dest.join(marker).exists(),
        "cannot unpack {} into {}",
        archive.display(),
        dest.display()
    );
    let _ = std::fs::remove_dir_all(&tmp);
    dest
}
