//! The command-line contract, on both databases, including bad input.

use crate::common::*;

#[tokio::test]
async fn help_documents_every_command() {
    let i = Install::sqlite();
    let o = i.run(&["--help"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for word in [
        "serve",
        "source",
        "opml",
        "config",
        "--data-dir",
        "--database-url",
        "--config",
        "--allow-private-networks",
    ] {
        assert!(out.contains(word), "--help lacks {word}:\n{out}");
    }
    let o = i.run(&["source", "--help"]);
    let out = stdout(&o);
    for word in ["add", "list", "remove"] {
        assert!(out.contains(word), "source --help lacks {word}");
    }
    let o = i.run(&["serve", "--help"]);
    let out = stdout(&o);
    assert!(out.contains("--listen") && out.contains("--no-crawl"));
}

#[tokio::test]
async fn source_add_list_remove_on_every_backend() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let o = i.run(&[
            "source",
            "add",
            "https://news.example.com/feed.xml?utm_source=x",
            "--name",
            "Example News",
            "--display",
            "full",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("added source 1"), "{}", stdout(&o));
        let o = i.run(&["source", "add", "https://other.example.org/sitemap.xml"]);
        assert!(o.status.success(), "{}", stderr(&o));

        let o = i.run(&["source", "list", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["url"], "https://news.example.com/feed.xml");
        assert_eq!(list[0]["name"], "Example News");
        assert_eq!(list[0]["display"], "full");
        assert_eq!(list[0]["article_count"], 0);
        assert_eq!(list[0]["last_error"], serde_json::Value::Null);
        assert_eq!(list[1]["kind"], "sitemap");
        assert_eq!(list[1]["display"], "excerpt");

        let o = i.run(&["source", "list"]);
        let table = stdout(&o);
        assert!(
            table.contains("STATUS")
                && table.contains("LAST ERROR")
                && table.contains("Example News"),
            "{table}"
        );

        // Duplicate: clear error, nothing added.
        let o = i.run(&["source", "add", "https://news.example.com/feed.xml#top"]);
        assert_fails_with(&o, &["already exists"]);

        let o = i.run(&["source", "remove", "1"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = i.run(&["source", "remove", "https://other.example.org/sitemap.xml"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let o = i.run(&["source", "remove", "1"]);
        assert_fails_with(&o, &["no source matches `1`"]);
        let o = i.run(&["source", "list", "--json"]);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap(),
            serde_json::json!([])
        );
    }
}

#[tokio::test]
async fn bad_source_input_is_refused_clearly() {
    let i = Install::sqlite();
    assert_fails_with(
        &i.run(&["source", "add", "not a url"]),
        &["not a valid URL"],
    );
    assert_fails_with(
        &i.run(&["source", "add", "ftp://example.com/feed"]),
        &["only http and https"],
    );
    assert_fails_with(
        &i.run(&["source", "add", "javascript:alert(1)"]),
        &["only http and https"],
    );
    assert_fails_with(
        &i.run(&["source", "remove", "::"]),
        &["neither a source id nor a valid URL"],
    );
    let o = i.run(&[
        "source",
        "add",
        "https://example.com/feed",
        "--display",
        "everything",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("invalid value 'everything'"),
        "{}",
        stderr(&o)
    );
    // Nothing was created by the failures.
    let o = i.run(&["source", "list", "--json"]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap(),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn config_layers_and_unusable_values() {
    let i = Install::sqlite();
    // Defaults.
    let o = i.run(&["config"]);
    assert!(o.status.success());
    let cfg: toml_like::Doc = toml_like::parse(&stdout(&o));
    assert_eq!(cfg.get("listen"), Some("\"127.0.0.1:8080\""));

    // File, then env over file, then flag over env.
    std::fs::write(
        i.dir.path().join("tidings.toml"),
        "listen = \"127.0.0.1:9001\"\n[site]\nname = \"From File\"\n[crawl]\nworkers = 3\n",
    )
    .unwrap();
    let o = i.run(&["config"]);
    let cfg = toml_like::parse(&stdout(&o));
    assert_eq!(cfg.get("listen"), Some("\"127.0.0.1:9001\""));
    assert_eq!(cfg.get("name"), Some("\"From File\""));
    let o = i
        .cmd()
        .args(["config"])
        .env("TIDINGS_LISTEN", "127.0.0.1:9002")
        .env("TIDINGS_CRAWL__WORKERS", "5")
        .output()
        .unwrap();
    let cfg = toml_like::parse(&stdout(&o));
    assert_eq!(cfg.get("listen"), Some("\"127.0.0.1:9002\""));
    assert_eq!(cfg.get("workers"), Some("5"));
    let o = i
        .cmd()
        .args(["--allow-private-networks", "config"])
        .env("TIDINGS_FETCH_ALLOW_PRIVATE_NETWORKS", "false")
        .output()
        .unwrap();
    assert_eq!(
        toml_like::parse(&stdout(&o)).get("allow_private_networks"),
        Some("true")
    );

    // Unusable values name the key, the value and where it came from.
    let o = i
        .cmd()
        .args(["config"])
        .env("TIDINGS_LISTEN", "nowhere")
        .output()
        .unwrap();
    assert_fails_with(&o, &["`listen`", "`nowhere`", "TIDINGS_LISTEN"]);
    let o = i
        .cmd()
        .args(["config"])
        .env("TIDINGS_FETCH__MAX_REDIRECTS", "99")
        .output()
        .unwrap();
    assert_fails_with(&o, &["`fetch.max_redirects`", "`99`"]);
    let o = i
        .cmd()
        .args(["config"])
        .env("TIDINGS_NO_SUCH_THING", "1")
        .output()
        .unwrap();
    assert_fails_with(&o, &["TIDINGS_NO_SUCH_THING", "not a Tidings setting"]);
    std::fs::write(
        i.dir.path().join("bad.toml"),
        "[crawl]\nmin_poll_interval_secs = 9000\nmax_poll_interval_secs = 60\n",
    )
    .unwrap();
    assert_fails_with(
        &i.run(&["--config", "bad.toml", "config"]),
        &["crawl.min_poll_interval_secs", "9000"],
    );
    std::fs::write(i.dir.path().join("typo.toml"), "[fetch]\ntimeout_sec = 3\n").unwrap();
    assert_fails_with(
        &i.run(&["--config", "typo.toml", "config"]),
        &["timeout_sec"],
    );
    std::fs::write(i.dir.path().join("broken.toml"), "listen = \n").unwrap();
    assert_fails_with(
        &i.run(&["--config", "broken.toml", "config"]),
        &["broken.toml"],
    );
    assert_fails_with(
        &i.run(&["--config", "missing.toml", "config"]),
        &["cannot read config file missing.toml"],
    );
    assert_fails_with(
        &i.run(&["--database-url", "mysql://db/x", "config"]),
        &["`database_url`", "mysql://db/x"],
    );
    // Secrets never print.
    let o = i.run(&["--database-url", "postgres://u:hunter2@db/x", "config"]);
    assert!(o.status.success());
    assert!(!stdout(&o).contains("hunter2"));
}

#[tokio::test]
async fn unreachable_database_is_a_clear_error() {
    let i = Install::sqlite();
    let o = i
        .cmd()
        .args([
            "--database-url",
            "postgres://u:pw@127.0.0.1:1/none",
            "source",
            "list",
        ])
        .output()
        .unwrap();
    assert_fails_with(&o, &["cannot open the database", "127.0.0.1:1"]);
    assert!(
        !stderr(&o).contains(":pw@"),
        "password leaked: {}",
        stderr(&o)
    );
    // A data dir that cannot be created.
    std::fs::write(i.dir.path().join("file"), "x").unwrap();
    let o = std::process::Command::new(BIN)
        .current_dir(i.dir.path())
        .args(["--data-dir", "file/sub", "source", "list"])
        .output()
        .unwrap();
    assert_fails_with(&o, &["cannot create the data directory"]);
}

/// Just enough TOML reading for assertions on `tidings config` output.
mod toml_like {
    pub struct Doc(Vec<(String, String)>);
    impl Doc {
        pub fn get(&self, key: &str) -> Option<&str> {
            self.0
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        }
    }
    pub fn parse(s: &str) -> Doc {
        Doc(s
            .lines()
            .filter_map(|l| l.split_once(" = "))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect())
    }
}

/// `tidings extract --kind`: the flag reaches the engine. On the news regression
/// pages that do not declare themselves articles, `--kind article` must give what
/// the engine gives in article mode and the default what it gives under Auto; and on
/// at least one of them the two differ (else this test could not fail).
#[tokio::test]
async fn extract_kind_flag_selects_article_mode() {
    use tidings_extract::{Expect, Options, extract_with};
    let i = Install::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let mut differing = 0;
    for page in tidings_origin::news_pages::pages()
        .iter()
        .filter(|p| !p.declared)
    {
        let url = url::Url::parse(&page.url).unwrap();
        let engine = |e: Expect| {
            extract_with(page.html.as_bytes(), &url, None, &Options::expecting(e))
                .text
                .trim()
                .to_string()
        };
        let (auto, article) = (engine(Expect::Auto), engine(Expect::Article));
        if auto == article {
            continue;
        }
        differing += 1;
        let path = dir.path().join(format!("{}.html", page.slug));
        std::fs::write(&path, &page.html).unwrap();
        let p = path.to_str().unwrap();
        for (args, want) in [
            (
                vec!["extract", p, "--url", &page.url, "--format", "text"],
                &auto,
            ),
            (
                vec![
                    "extract", p, "--url", &page.url, "--format", "text", "--kind", "article",
                ],
                &article,
            ),
        ] {
            let out = i.run(&args);
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(
                String::from_utf8_lossy(&out.stdout).trim(),
                want.as_str(),
                "{args:?}"
            );
        }
    }
    assert!(
        differing > 0,
        "no undeclared news page reads differently in article mode"
    );
    let out = i.run(&["extract", "x.html", "--kind", "listing"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("article"));
}
