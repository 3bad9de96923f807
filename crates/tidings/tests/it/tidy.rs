//! Architecture rules checked over `cargo metadata` (see ARCHITECTURE.md).

use std::collections::{BTreeMap, BTreeSet};

fn workspace_deps() -> BTreeMap<String, BTreeSet<String>> {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut map = BTreeMap::new();
    for p in meta["packages"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap().to_string();
        let deps: BTreeSet<String> = p["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            // Normal dependencies only: tests may use anything.
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().unwrap().to_string())
            .filter(|n| n.starts_with("tidings"))
            .collect();
        map.insert(name, deps);
    }
    map
}

#[test]
fn crates_depend_only_along_the_data_flow() {
    let deps = workspace_deps();
    let allowed: &[(&str, &[&str])] = &[
        ("tidings-core", &[]),
        ("tidings-fetch", &["tidings-core"]),
        ("tidings-extract", &["tidings-core"]),
        ("tidings-understand", &["tidings-core"]),
        ("tidings-store", &["tidings-core"]),
        ("tidings-search", &["tidings-core"]),
        ("tidings-ai", &["tidings-core"]),
        (
            "tidings-web",
            &[
                "tidings-core",
                "tidings-store",
                "tidings-search",
                "tidings-ai",
            ],
        ),
        // Test and benchmark infrastructure: stands alone, never shipped.
        ("tidings-origin", &[]),
        ("tidings-testdata", &[]),
    ];
    for (name, ok) in allowed {
        let Some(actual) = deps.get(*name) else {
            continue;
        };
        for d in actual {
            assert!(
                ok.contains(&d.as_str()),
                "{name} must not depend on {d} (see ARCHITECTURE.md)"
            );
        }
    }
    for (name, d) in &deps {
        for infra in ["tidings-origin", "tidings-testdata"] {
            assert!(
                !d.contains(infra),
                "{name} ships test infrastructure ({infra}) as a normal dependency"
            );
        }
    }
    for name in deps.keys() {
        assert!(
            name == "tidings"
                || name == "tidings-pipeline"
                || allowed.iter().any(|(n, _)| n == name),
            "new crate {name}: add its allowed dependencies to this test and ARCHITECTURE.md"
        );
    }
}

#[test]
fn sql_lives_only_in_the_store() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut offenders = vec![];
    for krate in std::fs::read_dir(&root).unwrap() {
        let krate = krate.unwrap().path();
        if krate.file_name().is_some_and(|n| n == "store") {
            continue;
        }
        let src = krate.join("src");
        if !src.is_dir() {
            continue;
        }
        let mut stack = vec![src];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    if text.contains("sqlx::") {
                        offenders.push(p.display().to_string());
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "SQL outside crates/store: {offenders:?}"
    );
}

/// Every `.rs` file under `dir`, with its text.
fn rust_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p, text));
            }
        }
    }
    out
}

/// `crates/web` in layers: `format`, `error` and `i18n` at the bottom;
/// `services` (the rules and the data, no HTTP, no templates) on them;
/// `http` (plumbing shared by the presentations) beside; `html`, `api` and
/// `apps` (the reader apps' protocols) on top, presentations that never
/// import each other.
#[test]
fn web_layers_depend_one_way() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    // (folder or file, what it must not name)
    let rules: [(&str, &[&str]); 7] = [
        ("html", &["crate::api", "crate::apps"]),
        ("api", &["crate::html", "crate::apps"]),
        ("apps", &["crate::html", "crate::api", "askama"]),
        ("http", &["crate::html", "crate::api", "crate::apps"]),
        (
            "services",
            &[
                "axum",
                "askama",
                "crate::html",
                "crate::api",
                "crate::apps",
                "crate::http",
            ],
        ),
        (
            "format.rs",
            &[
                "axum",
                "crate::html",
                "crate::api",
                "crate::http",
                "crate::services",
            ],
        ),
        (
            "error.rs",
            &[
                "crate::html",
                "crate::api",
                "crate::http",
                "crate::services",
            ],
        ),
    ];
    let mut offenders = vec![];
    for (part, banned) in rules {
        let path = src.join(part);
        let files = if path.is_dir() {
            rust_files(&path)
        } else {
            vec![(path.clone(), std::fs::read_to_string(&path).unwrap())]
        };
        assert!(!files.is_empty(), "{part} is empty or missing");
        for (p, text) in files {
            // Doc comments may name other layers; code may not.
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for b in banned {
                if code.contains(b) {
                    offenders.push(format!("{} uses {b}", p.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "layering broken: {offenders:#?}");
}

/// One escaper: no other module writes its own `&amp;` table.
#[test]
fn text_is_escaped_in_one_place() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut offenders = vec![];
    for (p, text) in rust_files(&src) {
        if p.ends_with("format.rs") {
            continue;
        }
        if text.contains("\"&amp;\"") && text.contains("\"&lt;\"") {
            offenders.push(p.display().to_string());
        }
    }
    assert!(
        offenders.is_empty(),
        "escapers outside format.rs: {offenders:?}"
    );
}
