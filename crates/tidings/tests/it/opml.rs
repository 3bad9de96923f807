//! OPML import and export: large files, nesting, and every kind of bad file.

use crate::common::*;

fn opml_with(n: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>t</title></head><body>\n<outline text=\"Folder\">\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "<outline type=\"rss\" text=\"Feed {i} &amp; more\" xmlUrl=\"https://site{i}.example.com/feed.xml?utm_source=opml\" htmlUrl=\"https://site{i}.example.com/\"/>\n"
        ));
    }
    s.push_str("</outline></body></opml>\n");
    s
}

#[tokio::test]
async fn import_large_file_then_export_round_trips() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let path = i.dir.path().join("big.opml");
        std::fs::write(&path, opml_with(3000)).unwrap();
        let o = i.run(&["opml", "import", path.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            stdout(&o).contains("imported 3000 new sources"),
            "{}",
            stdout(&o)
        );

        // Importing again adds nothing and says so.
        let o = i.run(&["opml", "import", path.to_str().unwrap()]);
        assert!(
            stdout(&o).contains("imported 0 new sources")
                && stdout(&o).contains("3000 already present"),
            "{}",
            stdout(&o)
        );

        let o = i.run(&["opml", "export"]);
        assert!(o.status.success());
        let doc = stdout(&o);
        assert_eq!(doc.matches("<outline").count(), 3000);
        assert!(
            doc.contains("xmlUrl=\"https://site7.example.com/feed.xml\""),
            "tracking params stripped"
        );
        assert!(doc.contains("htmlUrl=\"https://site7.example.com/\""));

        // The export imports cleanly into a fresh installation (from stdin).
        let fresh = Install::sqlite();
        let o = fresh.run_stdin(&["opml", "import", "-"], doc.as_bytes());
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("imported 3000 new sources"));
    }
}

#[tokio::test]
async fn bad_opml_files_write_nothing() {
    let i = Install::sqlite();
    let dir = i.dir.path();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "malformed.opml",
            b"<opml><body><outline xmlUrl=\"https://a.example/f\"></body></opml>".to_vec(),
            "not valid XML",
        ),
        (
            "truncated.opml",
            opml_with(50).as_bytes()[..2000].to_vec(),
            "not a usable OPML file",
        ),
        (
            "rss.opml",
            b"<rss version=\"2.0\"><channel/></rss>".to_vec(),
            "not an OPML document",
        ),
        ("empty.opml", Vec::new(), "document is empty"),
        (
            "nofeeds.opml",
            b"<opml><body><outline text=\"folder\"/></body></opml>".to_vec(),
            "lists no feeds",
        ),
        (
            "binary.opml",
            vec![0xff, 0xfe, 0x00, 0x01, 0x80, 0x81],
            "not a usable OPML file",
        ),
        (
            "badurl.opml",
            opml_with(5)
                .replace(
                    "https://site3.example.com/feed.xml?utm_source=opml",
                    "ftp://nope/feed",
                )
                .into_bytes(),
            "1 of 5 feeds have unusable URLs or attributes; nothing was imported",
        ),
    ];
    for (name, bytes, msg) in cases {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let o = i.run(&["opml", "import", p.to_str().unwrap()]);
        assert_fails_with(&o, &[msg]);
    }
    // Huge: refused before parsing.
    let huge = dir.join("huge.opml");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(40 * 1024 * 1024).unwrap();
    assert_fails_with(
        &i.run(&["opml", "import", huge.to_str().unwrap()]),
        &["are refused"],
    );
    // Unreadable.
    assert_fails_with(
        &i.run(&["opml", "import", "does-not-exist.opml"]),
        &["cannot read does-not-exist.opml"],
    );
    assert_fails_with(
        &i.run(&["opml", "import", dir.to_str().unwrap()]),
        &["cannot read"],
    );

    let o = i.run(&["source", "list", "--json"]);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap(),
        serde_json::json!([]),
        "nothing half-written"
    );
}
