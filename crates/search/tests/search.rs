//! The search index end to end: real tantivy in temp dirs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::disallowed_methods // std::thread::sleep: a sync test polling for a reload
)]

use tidings_search::{
    Error, IndexDoc, Indexer, IndexerOptions, OpenState, SearchIndex, SearchRequest, Sort,
};

const DAY: i64 = 86_400_000;
/// 2026-01-01T00:00:00Z
const JAN1: i64 = 1_767_225_600_000;

fn doc(id: i64, title: &str, body: &str) -> IndexDoc {
    IndexDoc {
        id,
        change_seq: id,
        title: title.into(),
        body: body.into(),
        url: format!("https://example.org/{id}"),
        source_id: 1,
        source_name: "Example News".into(),
        lang: "en".into(),
        topics: vec!["world".into()],
        published_ms: Some(JAN1 + id * DAY),
        ..Default::default()
    }
}

fn index_with(docs: &[IndexDoc]) -> (tempfile::TempDir, SearchIndex, Indexer) {
    let dir = tempfile::tempdir().unwrap();
    let (index, state) = SearchIndex::open(dir.path().join("idx")).unwrap();
    assert_eq!(state, OpenState::Fresh);
    let mut w = index.indexer(IndexerOptions::default()).unwrap();
    w.upsert(docs).unwrap();
    w.commit(docs.iter().map(|d| d.change_seq).max().unwrap_or(0))
        .unwrap();
    (dir, index, w)
}

fn ids(index: &SearchIndex, q: &str) -> Vec<i64> {
    let r = index.search(&SearchRequest::new(q)).unwrap();
    r.hits.iter().map(|h| h.id).collect()
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

fn corpus() -> Vec<IndexDoc> {
    let mut d = vec![
        doc(
            1,
            "Oil prices rise after OPEC meeting",
            "Crude oil prices rose on Monday after the OPEC meeting in Vienna ended with a cut.",
        ),
        doc(
            2,
            "Central bank holds rates",
            "The central bank kept interest rates unchanged, citing oil prices and inflation.",
        ),
        doc(
            3,
            "Football: United win the derby",
            "United won the derby 2-1 on Saturday. The meeting of the rivals was tense.",
        ),
        doc(
            4,
            "Saudi output and the oil market",
            "Saudi Arabia said it would raise oil output, and prices fell in a price war.",
        ),
        doc(
            5,
            "Elections in Germany",
            "Voters elect a new parliament; the elections are close.",
        ),
    ];
    d[2].source_id = 2;
    d[2].source_name = "Sports Daily".into();
    d[2].topics = vec!["sports".into()];
    d[3].topics = vec!["business".into(), "world".into()];
    d[4].lang = "en".into();
    d
}

#[test]
fn words_must_all_match_and_stem() {
    let (_d, index, _w) = index_with(&corpus());
    assert_eq!(sorted(ids(&index, "oil prices")), vec![1, 2, 4]);
    // English stemming: "price" finds "prices", "elected" finds "elect"/"elections".
    assert_eq!(sorted(ids(&index, "price oil")), vec![1, 2, 4]);
    assert_eq!(ids(&index, "election"), vec![5]);
    assert_eq!(ids(&index, "oil derby"), Vec::<i64>::new());
    // Stopwords alone match nothing rather than everything.
    assert_eq!(ids(&index, "the"), Vec::<i64>::new());
    // Case and accents do not matter.
    assert_eq!(ids(&index, "VIÉNNA"), vec![1]);
}

#[test]
fn phrases_and_exclusions() {
    let (_d, index, _w) = index_with(&corpus());
    assert_eq!(ids(&index, r#""opec meeting""#), vec![1]);
    // Words present but not adjacent: no phrase match.
    assert_eq!(ids(&index, r#""oil meeting""#), Vec::<i64>::new());
    assert_eq!(sorted(ids(&index, "oil -saudi")), vec![1, 2]);
    assert_eq!(sorted(ids(&index, r#"oil -"price war""#)), vec![1, 2]);
    assert_eq!(sorted(ids(&index, "meeting -opec")), vec![3]);
    // Exclusion alone: everything but.
    assert_eq!(sorted(ids(&index, "-oil")), vec![3, 5]);
}

#[test]
fn filters() {
    let (_d, index, _w) = index_with(&corpus());
    assert_eq!(ids(&index, "meeting source:2"), vec![3]);
    assert_eq!(ids(&index, "meeting source:sports"), vec![3]);
    assert_eq!(ids(&index, r#"meeting source:"sports daily""#), vec![3]);
    assert_eq!(sorted(ids(&index, "meeting source:1")), vec![1]);
    assert_eq!(ids(&index, "source:nosuchsource"), Vec::<i64>::new());
    assert_eq!(ids(&index, "oil topic:business"), vec![4]);
    assert_eq!(
        sorted(ids(&index, "topic:sports topic:business")),
        vec![3, 4]
    );
    assert_eq!(ids(&index, "oil lang:de"), Vec::<i64>::new());
    assert_eq!(sorted(ids(&index, "oil lang:en")), vec![1, 2, 4]);
    // Published JAN1 + id days: 2026-01-03 is id 2, 2026-01-05 is id 4.
    assert_eq!(sorted(ids(&index, "oil after:2026-01-03")), vec![2, 4]);
    assert_eq!(sorted(ids(&index, "oil before:2026-01-03")), vec![1]);
    assert_eq!(
        ids(&index, "oil after:2026-01-03 before:2026-01-05"),
        vec![2]
    );
    assert_eq!(ids(&index, "after:2026-01-06"), vec![5]);
    // Request-level filters combine with typed ones.
    let mut req = SearchRequest::new("oil");
    req.source_ids = vec![1];
    req.topics = vec!["business".into()];
    req.from_ms = Some(JAN1);
    req.to_ms = Some(JAN1 + 10 * DAY);
    let r = index.search(&req).unwrap();
    assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![4]);
    assert_eq!(r.hits[0].topics, vec!["business", "world"]);
    assert_eq!(r.hits[0].published_ms, Some(JAN1 + 4 * DAY));
}

#[test]
fn sort_newest_total_and_paging() {
    let (_d, index, _w) = index_with(&corpus());
    let mut req = SearchRequest::new("oil");
    req.sort = Sort::Newest;
    let r = index.search(&req).unwrap();
    assert_eq!(r.total, 3);
    assert_eq!(
        r.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![4, 2, 1]
    );
    assert_eq!(r.hits[2].score, 0.0);
    req.limit = 2;
    let p1 = index.search(&req).unwrap();
    assert_eq!(p1.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![4, 2]);
    assert_eq!(p1.next_offset, Some(2));
    req.offset = 2;
    let p2 = index.search(&req).unwrap();
    assert_eq!(p2.total, 3);
    assert_eq!(p2.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![1]);
    assert_eq!(p2.next_offset, None);
    // No words: newest first over everything.
    let all = index.search(&SearchRequest::new("")).unwrap();
    assert_eq!(all.total, 5);
    assert_eq!(
        all.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![5, 4, 3, 2, 1]
    );
}

#[test]
fn title_match_ranks_above_body_match() {
    // Same length texts; the word is in the title of 11 and only in the body of 10.
    let docs = vec![
        doc(
            10,
            "Markets today",
            "Traders watched the inflation report closely as markets opened.",
        ),
        doc(
            11,
            "Inflation today",
            "Traders watched the markets report closely as markets opened.",
        ),
        doc(12, "Weather", "Sunny."),
    ];
    let (_d, index, _w) = index_with(&docs);
    assert_eq!(ids(&index, "inflation"), vec![11, 10]);
}

#[test]
fn languages_stem_their_own_way() {
    let mut de = doc(
        20,
        "Die Bundestagswahlen",
        "Die Wahlen zum Bundestag finden im Herbst statt. Die Parteien streiten.",
    );
    de.lang = "de".into();
    let mut fr = doc(
        21,
        "Les élections législatives",
        "Les électeurs votaient dimanche pour les élections législatives.",
    );
    fr.lang = "fr".into();
    let en = doc(
        22,
        "Parties campaign",
        "The parties were campaigning and voting continued.",
    );
    let mut other = doc(23, "Wybory w Polsce", "Polacy głosowali w wyborach.");
    other.lang = "pl".into();
    let (_d, index, _w) = index_with(&[de, fr, en, other]);
    // German: "Wahl" finds "Wahlen", "Partei" finds "Parteien".
    assert_eq!(ids(&index, "Wahl"), vec![20]);
    assert_eq!(ids(&index, "partei"), vec![20]);
    // French: "électeur" / "election" (no accents) find the inflected forms.
    assert_eq!(ids(&index, "électeur"), vec![21]);
    assert_eq!(ids(&index, "election legislative"), vec![21]);
    // English: "campaigned" finds "campaigning", "party" finds "parties".
    assert_eq!(ids(&index, "campaigned party"), vec![22]);
    // No stemmer for Polish: exact words, accent-insensitive.
    assert_eq!(ids(&index, "glosowali"), vec![23]);
    assert_eq!(ids(&index, "wyborach lang:pl"), vec![23]);
    // Highlights use the article's language.
    let r = index.search(&SearchRequest::new("wahl")).unwrap();
    assert!(
        r.hits[0].snippet_html.contains("<mark>Wahlen</mark>"),
        "{}",
        r.hits[0].snippet_html
    );
    assert_eq!(r.hits[0].lang, "de");
}

#[test]
fn snippets_escape_article_text_and_mark_hits() {
    let d = doc(
        30,
        "Hack <script>alert('t')</script> & oil",
        "Before <script>alert(\"x\")</script> the oil & gas <b>report</b> said oil was up.",
    );
    let (_d, index, _w) = index_with(&[d]);
    let r = index.search(&SearchRequest::new("oil")).unwrap();
    let h = &r.hits[0];
    assert_eq!(
        h.title_html,
        "Hack &lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; &amp; <mark>oil</mark>"
    );
    assert_eq!(
        h.snippet_html,
        "Before &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; the <mark>oil</mark> &amp; gas &lt;b&gt;report&lt;/b&gt; said <mark>oil</mark> was up."
    );
    for html in [&h.title_html, &h.snippet_html] {
        let stripped = html.replace("<mark>", "").replace("</mark>", "");
        assert!(!stripped.contains('<') && !stripped.contains('>'), "{html}");
    }
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let (_d, index, mut w) = index_with(&corpus());
    let mut changed = doc(1, "Gold prices rise", "Gold rose.");
    changed.change_seq = 6;
    w.upsert(&[changed]).unwrap();
    w.commit(6).unwrap();
    assert_eq!(ids(&index, "opec"), Vec::<i64>::new());
    assert_eq!(ids(&index, "gold"), vec![1]);
    assert_eq!(index.num_docs(), 5);
    w.delete(&[1, 999]).unwrap();
    w.commit(7).unwrap();
    assert_eq!(ids(&index, "gold"), Vec::<i64>::new());
    assert_eq!(index.num_docs(), 4);
    assert_eq!(index.last_seq().unwrap(), 7);
}

#[test]
fn last_seq_persists_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idx");
    {
        let (index, state) = SearchIndex::open(&path).unwrap();
        assert_eq!(state, OpenState::Fresh);
        let mut w = index.indexer(IndexerOptions::default()).unwrap();
        w.upsert(&corpus()).unwrap();
        w.commit(41).unwrap();
        w.upsert(&[doc(9, "Uncommitted", "Lost on close.")])
            .unwrap();
        w.close().unwrap();
    }
    let (index, state) = SearchIndex::open(&path).unwrap();
    assert_eq!(state, OpenState::Existing { last_seq: 41 });
    assert_eq!(index.num_docs(), 5);
    assert_eq!(ids(&index, "uncommitted"), Vec::<i64>::new());
    let w = index.indexer(IndexerOptions::default()).unwrap();
    assert_eq!(w.last_seq(), 41);
    // An empty index that was created and reopened is Existing at 0.
    let other = dir.path().join("empty");
    drop(SearchIndex::open(&other).unwrap());
    assert_eq!(
        SearchIndex::open(&other).unwrap().1,
        OpenState::Existing { last_seq: 0 }
    );
}

#[test]
fn one_writer_per_index() {
    let (_d, index, _w) = index_with(&corpus());
    match index.indexer(IndexerOptions::default()) {
        Err(Error::Locked { .. }) => {}
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a second writer was handed out"),
    }
}

fn rebuilt_after(corrupt: impl Fn(&std::path::Path)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idx");
    {
        let (index, _) = SearchIndex::open(&path).unwrap();
        let mut w = index.indexer(IndexerOptions::default()).unwrap();
        w.upsert(&corpus()).unwrap();
        w.commit(5).unwrap();
        w.close().unwrap();
    }
    corrupt(&path);
    let (index, state) = SearchIndex::open(&path).unwrap();
    assert_eq!(index.num_docs(), 0);
    // The rebuilt index works.
    let mut w = index.indexer(IndexerOptions::default()).unwrap();
    w.upsert(&corpus()).unwrap();
    w.commit(5).unwrap();
    assert_eq!(ids(&index, "opec"), vec![1]);
    match state {
        OpenState::Rebuilt { reason } => reason,
        s => panic!("expected Rebuilt, got {s:?}"),
    }
}

fn files_with_ext(dir: &std::path::Path, ext: &str) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect()
}

#[test]
fn corrupt_segment_is_rebuilt() {
    let reason = rebuilt_after(|path| {
        let store = files_with_ext(path, "store");
        assert!(!store.is_empty());
        let mut bytes = std::fs::read(&store[0]).unwrap();
        let mid = bytes.len() / 2;
        for b in bytes.iter_mut().skip(mid).take(16) {
            *b ^= 0x5a;
        }
        std::fs::write(&store[0], bytes).unwrap();
    });
    assert!(reason.contains("corrupt"), "{reason}");
}

#[test]
fn garbage_meta_is_rebuilt() {
    let reason =
        rebuilt_after(|path| std::fs::write(path.join("meta.json"), b"\x00garbage{").unwrap());
    assert!(reason.contains("cannot open"), "{reason}");
}

#[test]
fn missing_segment_file_is_rebuilt() {
    let reason = rebuilt_after(|path| {
        for p in files_with_ext(path, "idx") {
            std::fs::remove_file(p).unwrap();
        }
    });
    assert!(!reason.is_empty());
}

#[test]
fn refuses_to_reset_a_foreign_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    assert!(matches!(
        SearchIndex::open(dir.path()),
        Err(Error::NotAnIndexDir { .. })
    ));
    assert!(dir.path().join("notes.txt").exists());
}

#[test]
fn malformed_queries_never_fail() {
    let (_d, index, _w) = index_with(&corpus());
    let long = "oil ".repeat(2600); // ~10 KB
    let junk: String = (0..10_000)
        .map(|i| char::from(b"\"-:() *?\\[]{}^~!"[i % 16]))
        .collect();
    let cases = [
        r#"oil "opec"#,
        r#""""#,
        "-",
        "- -",
        "source:",
        "topic:",
        "lang:",
        "after:",
        "before:x",
        "after:2026-99-99",
        "source:\"",
        "\"-\"",
        "-\"\"",
        ":",
        "::",
        "a:b:c",
        "title:oil",
        "*",
        "oil~2",
        "(oil OR gas) AND NOT",
        "+oil",
        "\u{0}",
        "🛢️ oil",
        "日本語",
        &long,
        &junk,
    ];
    for q in cases {
        let r = index.search(&SearchRequest::new(q));
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    assert_eq!(ids(&index, r#"oil "opec"#), vec![1]);
    assert_eq!(sorted(ids(&index, &long)), vec![1, 2, 4]);
    assert_eq!(ids(&index, "source:"), Vec::<i64>::new());
    let mut huge = SearchRequest::new("oil");
    huge.offset = usize::MAX;
    huge.limit = usize::MAX;
    assert!(index.search(&huge).is_ok());
    huge.limit = 0;
    assert!(index.search(&huge).is_ok());
}

#[test]
fn more_like_this_by_text() {
    let mut docs = corpus();
    for i in 0..8 {
        docs.push(doc(
            100 + i,
            "Filler",
            &format!("Weather report number {i}: sunny skies and mild winds."),
        ));
    }
    docs.push(doc(
        50,
        "OPEC agrees oil output cut",
        "OPEC ministers agreed to cut oil output. Oil prices jumped as OPEC output fell.",
    ));
    let (_d, index, _w) = index_with(&docs);
    let opts = tidings_search::MltOptions {
        min_doc_freq: 1,
        min_term_freq: 1,
        ..Default::default()
    };
    let r = index
        .more_like_this_with(
            "OPEC oil output",
            "OPEC cut oil output and oil prices rose.",
            "en",
            3,
            &[50],
            &opts,
        )
        .unwrap();
    let got: Vec<i64> = r.iter().map(|x| x.0).collect();
    assert!(!got.contains(&50));
    assert!(got.len() <= 3 && !got.is_empty());
    assert!(got.iter().all(|id| [1, 2, 4].contains(id)), "{got:?}");
    assert!(r.windows(2).all(|w| w[0].1 >= w[1].1));
    // German text finds nothing among English articles; empty text finds nothing.
    assert!(
        index
            .more_like_this("", "", "en", 5, &[])
            .unwrap()
            .is_empty()
    );
    assert!(
        index
            .more_like_this("x", "y", "en", 0, &[])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn other_handles_see_commits() {
    let (_d, index, mut w) = index_with(&corpus());
    let handle = index.clone();
    // A second, independently opened handle follows through the reload policy.
    let (reopened, _) = SearchIndex::open(index.path()).unwrap();
    w.upsert(&[doc(60, "Copper", "Copper rose.")]).unwrap();
    w.commit(60).unwrap();
    assert_eq!(ids(&handle, "copper"), vec![60]);
    let mut seen = false;
    for _ in 0..100 {
        if ids(&reopened, "copper") == vec![60] {
            seen = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(seen, "the other handle never saw the commit");
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<SearchIndex>();
}
