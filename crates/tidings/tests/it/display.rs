//! One display policy on every surface: a source set to `excerpt` shows an
//! excerpt on the article page, in the API, in feeds out and to the AI
//! features, whatever the shape of the article's text. And one error model:
//! each class of error answers the same way on a page and in the API.

use crate::common::*;
use tidings_core::{CanonicalUrl, DisplayPolicy, ExtractStatus, SourceKind};
use tidings_store::{NewArticle, NewSource};

/// Words numbered from `from`, `n` of them: `w17 w18 …`.
fn words(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("w{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `body` contains any numbered word at or past `limit`
/// (`w95` is found as a whole word, not inside `w950`).
fn shows_past(body: &str, limit: usize, total: usize) -> Option<String> {
    (limit..total).map(|i| format!("w{i}")).find(|w| {
        body.match_indices(w.as_str()).any(|(at, _)| {
            let next = body[at + w.len()..].chars().next();
            !next.is_some_and(|c| c.is_ascii_digit())
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_excerpt_source_never_serves_more_than_the_excerpt() {
    let i = Install::sqlite();
    let store = i.store().await;
    let src = store
        .add_source(&NewSource {
            url: CanonicalUrl::parse("https://excerpt.example/feed.xml").unwrap(),
            kind: SourceKind::Feed,
            name: Some("Excerpt Only".into()),
            site_url: None,
            display: DisplayPolicy::Excerpt,
            profile: Default::default(),
        })
        .await
        .unwrap();
    const TOTAL: usize = 1142;
    // One long paragraph (the shape that once went out whole), many short
    // paragraphs, and an article stored from its feed entry alone.
    let one = words(0, TOTAL);
    let many = (0..TOTAL / 20)
        .map(|p| words(p * 20, 20))
        .collect::<Vec<_>>()
        .join("\n\n");
    let shapes = [
        ("single", one.clone(), ExtractStatus::Extracted),
        ("multi", many.clone(), ExtractStatus::Extracted),
        ("feed-only", many, ExtractStatus::FeedOnly),
    ];
    let mut ids = Vec::new();
    for (name, text, status) in &shapes {
        let html = text
            .split("\n\n")
            .map(|p| format!("<p>{p}</p>"))
            .collect::<String>();
        let id = store
            .insert_article(&NewArticle {
                source_id: Some(src.id),
                url: Some(CanonicalUrl::parse(&format!("https://excerpt.example/{name}")).unwrap()),
                original_url: format!("https://excerpt.example/{name}"),
                title: format!("The {name} article about w-words"),
                // A publisher's description as long as the article: lists
                // and feeds must still show only a teaser.
                description: Some(text.clone()),
                language: Some("en".into()),
                html,
                text: text.clone(),
                extract_status: *status,
                ..Default::default()
            })
            .await
            .unwrap();
        ids.push((name, id));
    }
    store.close().await;
    let server = i.serve(&["--no-crawl"]);
    let http = http();
    let get = |path: String| {
        let url = server.url(&path);
        let http = http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            let s = r.status().as_u16();
            (s, r.text().await.unwrap())
        }
    };
    let limit = tidings_core::display::EXCERPT_MAX_WORDS;
    for (name, id) in &ids {
        let id = id.0;
        let mut surfaces = vec![
            format!("/a/{id}"),
            format!("/api/v1/articles/{id}"),
            format!("/api/v1/articles/{id}/summary"),
            format!("/api/v1/articles/{id}/key-points"),
            format!("/a/{id}/ask?q=What+happened+next"),
            format!("/api/v1/articles?source={}", src.id.0),
            "/api/v1/search?q=w500".to_string(),
            "/".to_string(),
        ];
        for f in ["feed.xml", "feed.atom", "feed.json"] {
            surfaces.push(format!("/source/{}/{f}", src.id.0));
            surfaces.push(format!("/{f}"));
        }
        for path in surfaces {
            let (s, body) = get(path.clone()).await;
            // The page redirects to its slug: follow it by asking the client.
            assert!(s < 500, "{name} {path}: {s} {body}");
            if let Some(w) = shows_past(&body, limit, TOTAL) {
                panic!("{name}: {path} shows `{w}`, past the excerpt: {body}");
            }
        }
        // Asked about a word past the excerpt, the answer cannot quote it (the
        // question itself is echoed, so only the answer's fields are read).
        let (_, ans) = get(format!("/api/v1/articles/{id}/ask?q=What+about+w500")).await;
        let v: serde_json::Value = serde_json::from_str(&ans).unwrap();
        let answer = format!("{} {}", v["text"], v["quotes"]);
        assert!(shows_past(&answer, limit, TOTAL).is_none(), "{name}: {ans}");
        // The excerpt itself is there: the reader gets the opening.
        let (_, api) = get(format!("/api/v1/articles/{id}")).await;
        let v: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(v["display"], "excerpt");
        let text = v["text"].as_str().unwrap();
        let n = text.split_whitespace().count();
        assert!(
            (tidings_core::display::EXCERPT_WORDS..=limit).contains(&n),
            "{name}: {n} words"
        );
        assert!(text.starts_with("w0 w1 w2"), "{name}: {text}");
        let html = v["html"].as_str().unwrap();
        assert!(html.starts_with("<p>w0 w1"), "{name}: {html}");
        let (_, page) = get(format!("/a/{id}")).await;
        assert!(
            page.contains("w0 w1 w2"),
            "{name}: the page shows the opening"
        );
    }
}

/// Each class of error on a page and on an API route: the same status and,
/// in the API, the code from the one table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_answer_alike_on_pages_and_in_the_api() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = i.serve(&["--no-crawl"]);
        let http = http();
        let get = |path: &str| {
            let r = http.get(server.url(path));
            async move {
                let r = r.send().await.unwrap();
                let s = r.status().as_u16();
                let ct = r
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default();
                (s, ct, r.text().await.unwrap())
            }
        };
        // Not found.
        let (s, ct, body) = get("/a/424242-nothing").await;
        assert_eq!(s, 404);
        assert!(
            ct.starts_with("text/html") && body.contains("Page not found"),
            "{body}"
        );
        let (s, ct, body) = get("/api/v1/articles/424242").await;
        assert_eq!((s, ct.as_str()), (404, "application/problem+json"));
        assert!(body.contains("\"code\":\"not_found\""), "{body}");
        // Bad input.
        let (s, ct, body) = get("/?before=not-a-cursor").await;
        assert_eq!(s, 400);
        assert!(
            ct.starts_with("text/html") && body.contains("bad page cursor"),
            "{body}"
        );
        let (s, _, body) = get("/api/v1/articles?cursor=not-a-cursor").await;
        assert_eq!(s, 400);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (v["code"].as_str(), v["parameter"].as_str()),
            (Some("invalid_parameter"), Some("cursor"))
        );

        // Database down (PostgreSQL refuses connections): 503 with
        // Retry-After on both, never "not found" and never the caller's fault.
        let Some(url) = i.database_url.clone() else {
            continue;
        };
        let db = url.rsplit('/').next().unwrap().to_string();
        let admin = tidings_store::Store::connect(
            &tidings_store::testing::pg_admin_url().unwrap(),
            &Default::default(),
        )
        .await
        .unwrap();
        admin
            .debug_execute(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false"))
            .await
            .unwrap();
        admin
            .debug_execute(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
            ))
            .await
            .unwrap();
        let mut page = (0, String::new(), String::new());
        for _ in 0..50 {
            page = get("/a/1").await;
            if page.0 == 503 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(page.0, 503, "{}", page.2);
        assert!(page.2.contains("Temporarily unavailable"), "{}", page.2);
        let r = http
            .get(server.url("/api/v1/articles/1"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 503);
        assert!(r.headers().contains_key("retry-after"));
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["code"], "unavailable");
        admin
            .debug_execute(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"))
            .await
            .unwrap();
        admin.close().await;
    }
}
