//! The AI features through the real server: the built-in provider on real
//! crawled articles, and a configured model that streams answers and fails
//! (the page and API fall back and say so).

use crate::common::*;
use crate::web::{crawled, get};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

/// A full-text article with a good amount of text: (id, title, text).
async fn long_article(i: &Install) -> (i64, String, String) {
    let store = i.store().await;
    let mut cards = store.latest_articles(100, None).await.unwrap();
    // By title: the crawl stores articles in no fixed order, and the test
    // must read the same article every run.
    cards.sort_by(|a, b| a.title.cmp(&b.title));
    for c in cards.iter().filter(|c| c.source_name == "Full Times") {
        let a = store.article(c.id).await.unwrap().unwrap();
        if a.text.split_whitespace().count() > 150 {
            return (a.id.0, a.title, a.text);
        }
    }
    panic!("no long full-text article");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builtin_features_on_real_articles() {
    let i = Install::sqlite();
    let _o = crawled(&i).await;
    let server = i.serve_env(&["--no-crawl"], &[("TIDINGS_AI__ASK_PER_MINUTE", "6")]);
    let api = |p: &str| server.url(&format!("/api/v1{p}"));
    let (id, _, text) = long_article(&i).await;

    // Summary: 3–5 sentences, each taken from the article (extractive: nothing made up).
    let (s, ct, body) = get(api(&format!("/articles/{id}/summary"))).await;
    assert_eq!((s, ct.as_str()), (200, "application/json"), "{body}");
    let v = json(&body);
    let sentences = v["sentences"].as_array().unwrap();
    assert!((3..=5).contains(&sentences.len()), "{body}");
    for x in sentences {
        let x = x.as_str().unwrap();
        assert!(text.contains(x), "summary sentence not in the article: {x}");
    }
    assert_eq!(v["producer"]["provider"], "builtin");
    assert_eq!(v["producer"]["fallback"], false);

    let v = json(&get(api(&format!("/articles/{id}/key-points"))).await.2);
    assert!(!v["points"].as_array().unwrap().is_empty());
    assert!(!v["keywords"].as_array().unwrap().is_empty());

    // The article page shows the same summary and the ask form.
    let (s, _, page) = get(server.url(&format!("/a/{id}"))).await;
    assert_eq!(s, 200);
    assert!(page.contains("class=\"ai-panel\""));
    let first = sentences[0].as_str().unwrap();
    assert!(
        page.contains(&askama_escape(first)),
        "page shows the summary: {first}"
    );
    assert!(!page.contains("data-model-summary"), "no model configured");

    // A question the article answers: the answer quotes it.
    // Asked with the content words of one of its sentences.
    let sentence = text
        .split(". ")
        .find(|s| s.split_whitespace().filter(|w| w.len() > 5).count() >= 4)
        .expect("a sentence with content words");
    let mut words: Vec<&str> = sentence
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 5)
        .collect();
    words.truncate(5);
    // In lower case: two capitalised words in a row would read as a name
    // ("Shares Barrow") that the article must contain verbatim.
    let q = format!(
        "What does the article say about {}?",
        words.join(" ").to_lowercase()
    );
    let url = reqwest::Url::parse_with_params(&api(&format!("/articles/{id}/ask")), &[("q", &q)])
        .unwrap();
    let (s, _, body) = get(url.to_string()).await;
    assert_eq!(s, 200, "{body}");
    let v = json(&body);
    assert_eq!(v["answered"], true, "{body}");
    let quotes = v["quotes"].as_array().unwrap();
    assert!(!quotes.is_empty());
    for q in quotes {
        assert!(text.contains(q["text"].as_str().unwrap()));
    }
    // One it does not: said plainly, nothing quoted.
    let url = reqwest::Url::parse_with_params(
        &api(&format!("/articles/{id}/ask")),
        &[("q", "What is the melting point of tungsten carbide?")],
    )
    .unwrap();
    let v = json(&get(url.to_string()).await.2);
    assert_eq!(v["answered"], false, "{v}");
    assert!(v["quotes"].as_array().unwrap().is_empty());

    // Streamed (no model: one `answer` event).
    let url =
        reqwest::Url::parse_with_params(&api(&format!("/articles/{id}/ask/stream")), &[("q", &q)])
            .unwrap();
    let (s, ct, body) = get(url.to_string()).await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/event-stream"), "{ct}");
    assert!(body.contains("event: answer"), "{body}");

    // Bad input: clear problems, nothing counted against the reader.
    for (path, status, code) in [
        (format!("/articles/{id}/ask?q="), 400, "invalid_parameter"),
        (format!("/articles/{id}/ask"), 400, "invalid_parameter"),
        // Only a control character: nothing a provider could read.
        (
            format!("/articles/{id}/ask?q=%C2%87"),
            400,
            "invalid_parameter",
        ),
        (
            format!("/articles/{id}/ask/stream?q=%C2%87%20"),
            400,
            "invalid_parameter",
        ),
        (
            format!("/articles/{id}/ask?q={}", "x".repeat(301)),
            400,
            "invalid_parameter",
        ),
        (
            "/articles/abc/summary".to_string(),
            400,
            "invalid_parameter",
        ),
        ("/articles/999999/summary".to_string(), 404, "not_found"),
        (
            format!("/articles/{id}/translation?lang=german"),
            400,
            "invalid_parameter",
        ),
        // Translation needs a model.
        (
            format!("/articles/{id}/translation?lang=de"),
            501,
            "not_configured",
        ),
        ("/stories/999999/summary".to_string(), 404, "not_found"),
    ] {
        let (s, ct, body) = get(api(&path)).await;
        assert_eq!(s, status, "{path}: {body}");
        assert_eq!(ct, "application/problem+json", "{path}");
        assert_eq!(json(&body)["code"], code, "{path}");
    }

    // The no-JavaScript ask page.
    let url = reqwest::Url::parse_with_params(&server.url(&format!("/a/{id}/ask")), &[("q", &q)])
        .unwrap();
    let (s, _, page) = get(url.to_string()).await;
    assert_eq!(s, 200);
    assert!(page.contains("<blockquote"), "quotes shown");

    // Rate limit: 6 questions a minute; 4 asked so far (a minute boundary can
    // reset the count once, so allow up to 8 more).
    let mut limited = None;
    for _ in 0..8 {
        let url =
            reqwest::Url::parse_with_params(&api(&format!("/articles/{id}/ask")), &[("q", &q)])
                .unwrap();
        let r = http().get(url).send().await.unwrap();
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status(), 200);
    }
    let r = limited.expect("the 7th question in a minute is refused");
    assert_eq!(r.headers()["retry-after"], "60");
    assert_eq!(json(&r.text().await.unwrap())["code"], "rate_limited");

    // A signed-in reader from the same address has their own budget: the
    // address's anonymous budget is spent, theirs is not, and theirs runs out too.
    crate::community::cli_user(&i, "reader", None);
    let r = http()
        .post(api("/auth/token"))
        .json(&serde_json::json!({"username": "reader", "password": crate::community::PW, "name": "t"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let token = json(&r.text().await.unwrap())["token"]
        .as_str()
        .unwrap()
        .to_string();
    let ask_as_user = || {
        let url =
            reqwest::Url::parse_with_params(&api(&format!("/articles/{id}/ask")), &[("q", &q)])
                .unwrap();
        http().get(url).bearer_auth(&token).send()
    };
    let mut answered = 0;
    loop {
        let r = ask_as_user().await.unwrap();
        if r.status() == 429 {
            break;
        }
        assert_eq!(r.status(), 200);
        answered += 1;
        assert!(answered <= 12, "the signed-in budget never ran out");
    }
    assert!(
        answered >= 6,
        "the signed-in reader got {answered} questions"
    );

    // Story summary across sources, each claim citing them.
    let stories = json(&get(api("/stories?min_sources=2")).await.2);
    let sid = stories["items"][0]["id"]
        .as_i64()
        .expect("a two-source story");
    let (s, _, body) = get(api(&format!("/stories/{sid}/summary"))).await;
    assert_eq!(s, 200, "{body}");
    let v = json(&body);
    let n = v["sources"].as_array().unwrap().len();
    // The origin's two-source stories are syndicated copies: one text to summarise.
    assert!(n >= 1, "{body}");
    let claims: Vec<&serde_json::Value> = v["agreed"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            v["differences"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|d| d["claims"].as_array().unwrap()),
        )
        .collect();
    assert!(!claims.is_empty(), "{body}");
    for c in claims {
        for s in c["sources"].as_array().unwrap() {
            assert!((s.as_u64().unwrap() as usize) < n, "cites a listed source");
        }
    }
    // The page compares sources only when there are several different texts.
    let (s, _, page) = get(server.url(&format!("/story/{sid}"))).await;
    assert_eq!(s, 200);
    assert_eq!(page.contains("What the sources say"), n >= 2);

    // Results are cached in the database.
    let store = i.store().await;
    let cached: i64 = store.ai_results_count().await.unwrap();
    assert!(cached >= 4, "{cached} cached results");
}

/// What askama does to text in HTML.
fn askama_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// A model server speaking the OpenAI wire format: streamed requests get an
/// answer citing sentence [1]; other requests fail with 500.
async fn model_server(calls: Arc<AtomicUsize>) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = l.accept().await else {
                return;
            };
            let calls = calls.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                // Read the head, then the body by Content-Length.
                loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(h) = text.find("\r\n\r\n") {
                        let len: usize = text[..h]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        if buf.len() >= h + 4 + len {
                            break;
                        }
                    }
                }
                calls.fetch_add(1, Ordering::SeqCst);
                let req = String::from_utf8_lossy(&buf).to_string();
                let resp = if req.contains("\"stream\":true") {
                    let mut body = String::new();
                    for w in ["It ", "says ", "so ", "[1]."] {
                        body.push_str(&format!(
                            "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{w}\"}}}}]}}\n\n"
                        ));
                    }
                    body.push_str("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n{body}"
                    )
                } else {
                    let body = "{\"error\":{\"message\":\"overloaded\"}}";
                    format!(
                        "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    format!("http://{addr}/v1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_model_streams_and_failures_fall_back() {
    let i = Install::sqlite();
    let _o = crawled(&i).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let base = model_server(calls.clone()).await;
    let server = i.serve_env(
        &["--no-crawl"],
        &[
            ("TIDINGS_AI__PROVIDER", "openai"),
            ("TIDINGS_AI__BASE_URL", &base),
            ("TIDINGS_AI__MODEL", "test-model"),
            ("TIDINGS_AI__TIMEOUT_SECS", "10"),
            ("TIDINGS_AI__TRANSLATE_PER_MINUTE", "3"),
        ],
    );
    let api = |p: &str| server.url(&format!("/api/v1{p}"));
    let (id, _, text) = long_article(&i).await;

    // The page does not wait for the model: built-in summary now, model later.
    let (s, _, page) = get(server.url(&format!("/a/{id}"))).await;
    assert_eq!(s, 200);
    assert!(page.contains("data-model-summary"));
    assert!(
        page.contains("/translate"),
        "translation offered with a model"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // The model fails (500): the built-in summary answers, marked as a fallback.
    let (s, _, body) = get(api(&format!("/articles/{id}/summary"))).await;
    assert_eq!(s, 200, "{body}");
    let v = json(&body);
    assert_eq!(v["producer"]["provider"], "builtin");
    assert_eq!(v["producer"]["fallback"], true);
    assert!(calls.load(Ordering::SeqCst) >= 1);

    // Translation has no fallback: a problem the reader can act on.
    let before = calls.load(Ordering::SeqCst);
    let (s, _, body) = get(api(&format!("/articles/{id}/translation?lang=de"))).await;
    assert_eq!(s, 503, "{body}");
    assert_eq!(json(&body)["code"], "unavailable");
    assert!(!body.contains(&base), "no internal detail leaks: {body}");
    assert_eq!(calls.load(Ordering::SeqCst), before + 1);
    // The failure is remembered: asking again does not call the model again.
    let (s, _, body) = get(api(&format!("/articles/{id}/translation?lang=de"))).await;
    assert_eq!(s, 503, "{body}");
    assert_eq!(calls.load(Ordering::SeqCst), before + 1);
    let (s, _, page) = get(server.url(&format!("/a/{id}/translate?lang=fr"))).await;
    assert_eq!(s, 200);
    assert!(page.contains("unavailable right now"), "the page says so");
    assert_eq!(calls.load(Ordering::SeqCst), before + 2);
    // Three uncached translations a minute per reader: the fourth is refused
    // before it reaches the model, on the page and in the API.
    let (s, _, body) = get(api(&format!("/articles/{id}/translation?lang=es"))).await;
    assert_eq!(s, 429, "{body}");
    assert_eq!(json(&body)["code"], "rate_limited");
    let (s, _, page) = get(server.url(&format!("/a/{id}/translate?lang=it"))).await;
    assert_eq!(s, 429);
    assert!(page.contains("many translations"), "{page}");
    assert_eq!(calls.load(Ordering::SeqCst), before + 2);
    // Only the configured languages: any other two letters are refused.
    let (s, _, body) = get(api(&format!("/articles/{id}/translation?lang=xx"))).await;
    assert_eq!(s, 400, "{body}");
    assert!(body.contains("de, en, es"), "{body}");
    let (s, _, _) = get(server.url(&format!("/a/{id}/translate?lang=xx"))).await;
    assert_eq!(s, 400);

    // Streamed answer: deltas as they come, then the checked answer.
    let url = reqwest::Url::parse_with_params(
        &api(&format!("/articles/{id}/ask/stream")),
        &[("q", "What does it say?")],
    )
    .unwrap();
    let before = calls.load(Ordering::SeqCst);
    let (s, ct, body) = get(url.to_string()).await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/event-stream"));
    let deltas = body.matches("event: delta").count();
    assert_eq!(deltas, 4, "{body}");
    let answer = body
        .split("event: answer\ndata: ")
        .nth(1)
        .and_then(|r| r.lines().next())
        .unwrap_or_else(|| panic!("no answer event: {body}"));
    let v = json(answer);
    assert_eq!(v["answered"], true);
    assert_eq!(v["producer"]["provider"], "openai");
    let quote = v["quotes"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with(quote.split_whitespace().next().unwrap()),
        "cites sentence 1: {quote}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), before + 1);

    // Asked again: from the cache, the model is not called.
    let (_, _, body) = get(url.to_string()).await;
    assert!(body.contains("event: answer") && !body.contains("event: delta"));
    assert_eq!(calls.load(Ordering::SeqCst), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_stories_are_summarised_ahead_of_readers() {
    let i = Install::sqlite();
    let _o = crawled(&i).await;
    let store = i.store().await;
    assert_eq!(store.ai_results_count().await.unwrap(), 0);
    let server = i.serve_env(
        &["--no-crawl"],
        &[("TIDINGS_AI__PRECOMPUTE_TOP_STORIES", "2")],
    );
    // Nobody has asked for anything: the results appear on their own, for
    // two stories (story summary + lead article's summary and key points each).
    let mut n = 0;
    for _ in 0..300 {
        n = store.ai_results_count().await.unwrap();
        if n >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(n, 6, "two stories' results computed ahead");
    // The top story's summary is one of them: asking for it computes nothing new.
    let (_, _, home) = get(server.url("/")).await;
    let sid: i64 = home
        .split("href=\"/story/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|x| x.parse().ok())
        .expect("a top story on the home page");
    let (s, _, body) = get(server.url(&format!("/api/v1/stories/{sid}/summary"))).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(store.ai_results_count().await.unwrap(), 6);
}
