//! The write side of the JSON API through the real server, on both
//! databases: comments with bearer tokens, tokens from a username and
//! password, the per-address rate limit with its headers, CORS, and the
//! OpenAPI document describing all of it.

use crate::common::*;
use crate::community::{PW, cli_user, seed_article, serve};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tidings_core::{ArticleId, Timestamp};
use tidings_store::Thread;

const PROBLEM: &str = "application/problem+json";

/// One API call from client address `ip`: status, headers, JSON body (Null when empty).
struct Call {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Call {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
    /// Assert a problem+json answer with this status and code.
    #[track_caller]
    fn problem(&self, status: u16, code: &str) -> &Call {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.header("content-type"), PROBLEM, "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert_eq!(self.body["status"], status);
        assert!(!self.body["detail"].as_str().unwrap().is_empty());
        self
    }
}

async fn finish(r: Response) -> Call {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    Call {
        status,
        headers,
        body,
    }
}

async fn call(
    server: &Server,
    ip: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Call {
    let mut req = http()
        .request(method, server.url(path))
        .header("x-forwarded-for", ip);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    finish(req.send().await.unwrap()).await
}

/// A new personal token for `user` (password [`PW`]) through the API.
async fn token(server: &Server, ip: &str, user: &str) -> String {
    let r = call(
        server,
        ip,
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"username": user, "password": PW, "name": "test app"})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["token"].as_str().unwrap().to_string()
}

fn ids(list: &Value) -> Vec<i64> {
    list["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_comments_read_write_edit_delete_vote_report() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let store = i.store().await;
        let (path, aid) = seed_article(&store, "Harbour bridge reopens after repairs").await;
        store
            .debug_execute(
                "INSERT INTO stories (title, first_seen_at, last_seen_at, article_count, source_count, created_at, updated_at) VALUES ('A story', 1, 1, 1, 1, 1, 1)",
            )
            .await
            .unwrap();
        let sid = 1;
        cli_user(&i, "ann", None);
        cli_user(&i, "ben", None);
        let server = serve(
            &i,
            "[comments]\nedit_window_secs = 4\nper_user_per_hour = 4\n",
        );
        let ip = "10.1.0.1";
        let get = |p: String| {
            let server = &server;
            async move { call(server, ip, Method::GET, &p, None, None).await }
        };

        // Reading needs no token; the thread must be named exactly once.
        let r = get(format!("/api/v1/comments?article={aid}")).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body, json!({"comments": []}));
        for (q, param) in [
            ("".to_string(), "article"),
            (format!("?article={aid}&story={sid}"), "article"),
            (format!("?article={aid}&sort=best"), "sort"),
            ("?article=abc".to_string(), ""),
        ] {
            let r = get(format!("/api/v1/comments{q}")).await;
            r.problem(400, "invalid_parameter");
            if !param.is_empty() {
                assert_eq!(r.body["parameter"], param, "{q}");
            }
        }
        get("/api/v1/comments?article=999999".into())
            .await
            .problem(404, "not_found");
        get("/api/v1/comments?story=999999".into())
            .await
            .problem(404, "not_found");

        // Writing needs a token: none, an unknown one, a malformed one.
        let new = json!({"article": aid, "body": "First!"});
        let r = call(
            &server,
            ip,
            Method::POST,
            "/api/v1/comments",
            None,
            Some(new.clone()),
        )
        .await;
        r.problem(401, "unauthorized");
        assert_eq!(r.header("www-authenticate"), "Bearer realm=\"tidings\"");
        call(
            &server,
            ip,
            Method::POST,
            "/api/v1/comments",
            Some("tdg_0000"),
            Some(new.clone()),
        )
        .await
        .problem(401, "invalid_token");
        call(
            &server,
            ip,
            Method::POST,
            "/api/v1/comments",
            Some("nonsense"),
            Some(new.clone()),
        )
        .await
        .problem(401, "invalid_token");

        let ann = token(&server, ip, "ann").await;
        let ben = token(&server, ip, "ben").await;
        let post = |tok: &str, body: Value| {
            let (server, tok) = (&server, tok.to_string());
            async move {
                call(
                    server,
                    ip,
                    Method::POST,
                    "/api/v1/comments",
                    Some(&tok),
                    Some(body),
                )
                .await
            }
        };
        let r = post(
            &ann,
            json!({"article": aid, "body": "The bridge was closed for a year."}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let c1 = r.body["id"].as_i64().unwrap();
        assert_eq!(r.body["url"], format!("{path}#c{c1}"));
        assert_eq!(r.header("location"), format!("{path}#c{c1}"));
        let r = post(
            &ben,
            json!({"article": aid, "parent": c1, "body": "Fourteen months, in fact."}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let c2 = r.body["id"].as_i64().unwrap();
        let r = post(
            &ann,
            json!({"article": aid, "body": "Traffic is back to normal."}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let c3 = r.body["id"].as_i64().unwrap();
        let c3_posted = Instant::now();
        let r = post(&ben, json!({"story": sid, "body": "On the story."})).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(
            r.body["url"]
                .as_str()
                .unwrap()
                .starts_with(&format!("/story/{sid}#c"))
        );

        // The form's rules, answered as problems.
        post(&ann, json!({"article": aid, "body": "  \n "}))
            .await
            .problem(422, "invalid_input");
        let r = post(
            &ann,
            json!({"article": aid, "body": "see https://a.example and https://b.example"}),
        )
        .await;
        r.problem(422, "invalid_input");
        assert!(
            r.body["detail"].as_str().unwrap().contains("link"),
            "{}",
            r.body
        );
        post(
            &ann,
            json!({"article": aid, "parent": 999999, "body": "orphan"}),
        )
        .await
        .problem(422, "invalid_input");
        post(&ann, json!({"article": 999999, "body": "nowhere"}))
            .await
            .problem(404, "not_found");
        post(&ann, json!({"body": "no thread"}))
            .await
            .problem(400, "invalid_parameter");
        let r = post(&ann, json!({"article": aid})).await;
        r.problem(400, "invalid_parameter");
        assert_eq!(r.body["parameter"], "body");
        let r = finish(
            http()
                .post(server.url("/api/v1/comments"))
                .bearer_auth(&ann)
                .header("content-type", "text/plain")
                .body("hello")
                .send()
                .await
                .unwrap(),
        )
        .await;
        r.problem(415, "unsupported_media_type");

        // Sorting: replies stay under their parents.
        let list = |sort: &str| get(format!("/api/v1/comments?article={aid}&sort={sort}"));
        assert_eq!(ids(&list("oldest").await.body), [c1, c2, c3]);
        assert_eq!(ids(&list("newest").await.body), [c3, c1, c2]);

        // Votes: others' comments only; the score moves and `top` follows it.
        let vote = |tok: &str, id: String, body: Value| {
            let (server, tok) = (&server, tok.to_string());
            async move {
                call(
                    server,
                    ip,
                    Method::POST,
                    &format!("/api/v1/comments/{id}/vote"),
                    Some(&tok),
                    Some(body),
                )
                .await
            }
        };
        let r = vote(&ben, c3.to_string(), json!({"up": true})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body, json!({"id": c3, "score": 1, "voted": true}));
        assert_eq!(ids(&list("top").await.body), [c3, c1, c2]);
        let r = vote(&ben, c3.to_string(), json!({"up": false})).await;
        assert_eq!(r.body["score"], 0);
        vote(&ben, c3.to_string(), json!({"up": true})).await;
        vote(&ann, c3.to_string(), json!({"up": true}))
            .await
            .problem(403, "forbidden");
        vote(&ben, "999999".into(), json!({"up": true}))
            .await
            .problem(404, "not_found");
        vote(&ben, "abc".into(), json!({"up": true}))
            .await
            .problem(400, "invalid_parameter");
        vote(&ben, c3.to_string(), json!({"up": "yes"}))
            .await
            .problem(400, "invalid_parameter");
        call(
            &server,
            ip,
            Method::POST,
            &format!("/api/v1/comments/{c3}/vote"),
            None,
            Some(json!({"up": true})),
        )
        .await
        .problem(401, "unauthorized");

        // Reports go to the moderators' queue.
        let report = |tok: &str, id: i64, body: Value| {
            let (server, tok) = (&server, tok.to_string());
            async move {
                call(
                    server,
                    ip,
                    Method::POST,
                    &format!("/api/v1/comments/{id}/report"),
                    Some(&tok),
                    Some(body),
                )
                .await
            }
        };
        let r = report(&ben, c1, json!({"reason": "off-topic"})).await;
        assert_eq!(r.status, 204, "{}", r.body);
        assert_eq!(r.body, Value::Null);
        let reports = store.open_reports(10).await.unwrap();
        assert_eq!(reports.len(), 1);
        report(&ann, c1, json!({"reason": "spam"}))
            .await
            .problem(403, "forbidden");
        report(&ben, c1, json!({"reason": "other"}))
            .await
            .problem(422, "invalid_input");
        report(
            &ben,
            c1,
            json!({"reason": "other", "details": "x".repeat(501)}),
        )
        .await
        .problem(422, "invalid_input");
        report(&ben, c1, json!({"reason": "boring"}))
            .await
            .problem(400, "invalid_parameter");
        report(&ben, 999999, json!({"reason": "spam"}))
            .await
            .problem(404, "not_found");

        // Edits: one's own, within the window.
        let edit = |tok: &str, id: i64, body: Value| {
            let (server, tok) = (&server, tok.to_string());
            async move {
                call(
                    server,
                    ip,
                    Method::PATCH,
                    &format!("/api/v1/comments/{id}"),
                    Some(&tok),
                    Some(body),
                )
                .await
            }
        };
        let r = edit(
            &ann,
            c1,
            json!({"body": "The bridge was closed for fourteen months."}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["id"], c1);
        assert_eq!(r.body["body"], "The bridge was closed for fourteen months.");
        assert_eq!(r.body["author"], "ann");
        assert!(r.body["edited_at"].is_string());
        edit(&ben, c1, json!({"body": "mine now"}))
            .await
            .problem(403, "not_yours");
        edit(&ann, c1, json!({"body": ""}))
            .await
            .problem(422, "invalid_input");
        edit(&ann, 999999, json!({"body": "x"}))
            .await
            .problem(404, "not_found");

        // Deletion leaves a tombstone in place.
        let del = |tok: Option<&str>, id: i64| {
            let (server, tok) = (&server, tok.map(str::to_string));
            async move {
                call(
                    server,
                    ip,
                    Method::DELETE,
                    &format!("/api/v1/comments/{id}"),
                    tok.as_deref(),
                    None,
                )
                .await
            }
        };
        del(Some(&ben), c1).await.problem(403, "not_yours");
        del(None, c1).await.problem(401, "unauthorized");
        del(Some(&ann), 999999).await.problem(404, "not_found");
        let r = del(Some(&ann), c1).await;
        assert_eq!(r.status, 204, "{}", r.body);
        let l = list("oldest").await.body;
        let first = &l["comments"][0];
        assert_eq!(first["id"], c1);
        assert_eq!(first["status"], "deleted");
        assert!(first["body"].is_null() && first["author"].is_null());
        assert_eq!(l["comments"][1]["body"], "Fourteen months, in fact.");
        assert_eq!(l["comments"][1]["parent_id"], c1);
        assert_eq!(l["comments"][2]["score"], 1);

        // A locked thread takes nothing new; a banned account writes nothing.
        let ann_id = store.user_by_name("ann").await.unwrap().unwrap().id;
        let ben_id = store.user_by_name("ben").await.unwrap().unwrap().id;
        store
            .set_thread_lock(
                Thread::Article(ArticleId(aid)),
                ann_id,
                true,
                Some("heated"),
            )
            .await
            .unwrap();
        post(&ann, json!({"article": aid, "body": "still here"}))
            .await
            .problem(403, "thread_locked");
        edit(&ann, c3, json!({"body": "changed"}))
            .await
            .problem(403, "edit_closed");
        store
            .set_thread_lock(Thread::Article(ArticleId(aid)), ann_id, false, None)
            .await
            .unwrap();
        store
            .ban_user(ben_id, ann_id, Timestamp::now().plus_ms(3_600_000), "spam")
            .await
            .unwrap();
        let r = post(&ben, json!({"story": sid, "body": "let me in"})).await;
        r.problem(403, "banned");
        assert!(r.body["detail"].as_str().unwrap().contains("spam"));
        vote(&ben, c3.to_string(), json!({"up": false}))
            .await
            .problem(403, "banned");
        report(&ben, c3, json!({"reason": "spam"}))
            .await
            .problem(403, "banned");
        let me = call(&server, ip, Method::GET, "/api/v1/me", Some(&ben), None).await;
        assert_eq!(me.body["banned"], true);

        // The hourly comment limit per account (4 here). Ann's two comments
        // counted, and so did the reply to a missing parent (refused after
        // the limits were checked); refusals before them did not.
        for n in 0..1 {
            let r = post(
                &ann,
                json!({"story": sid, "body": format!("story note {n}")}),
            )
            .await;
            assert_eq!(r.status, 201, "{}", r.body);
        }
        let r = post(&ann, json!({"story": sid, "body": "one too many"})).await;
        r.problem(429, "rate_limited");
        assert_eq!(r.header("retry-after"), "3600");

        // After the edit window, edits are refused.
        let left = Duration::from_secs(4).saturating_sub(c3_posted.elapsed());
        tokio::time::sleep(left + Duration::from_millis(300)).await;
        edit(&ann, c3, json!({"body": "too late"}))
            .await
            .problem(403, "edit_closed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_from_passwords_throttled_locked_and_revoked() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        cli_user(&i, "cat", None);
        cli_user(&i, "dan", None);
        let server = serve(
            &i,
            "login_attempts_per_ip_per_hour = 6\nlogin_max_failures = 3\n",
        );
        let ask = |ip: &str, body: Value| {
            let (server, ip) = (&server, ip.to_string());
            async move {
                call(
                    server,
                    &ip,
                    Method::POST,
                    "/api/v1/auth/token",
                    None,
                    Some(body),
                )
                .await
            }
        };

        let r = ask(
            "10.2.0.1",
            json!({"username": "cat", "password": PW, "name": "phone"}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let t1 = r.body["token"].as_str().unwrap().to_string();
        assert!(t1.starts_with("tdg_") && t1.len() > 40, "{t1}");
        assert_eq!(r.body["name"], "phone");
        assert!(r.body["id"].as_i64().unwrap() > 0);
        assert!(r.body["created_at"].as_str().unwrap().ends_with('Z'));

        let me = call(
            &server,
            "10.2.0.1",
            Method::GET,
            "/api/v1/me",
            Some(&t1),
            None,
        )
        .await;
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(me.body["username"], "cat");
        assert_eq!(me.body["role"], "member");
        assert_eq!(me.body["via_token"], true);
        assert_eq!(me.body["banned"], false);
        assert_eq!(me.header("cache-control"), "private, no-cache");
        call(&server, "10.2.0.1", Method::GET, "/api/v1/me", None, None)
            .await
            .problem(401, "unauthorized");

        // No user enumeration: an unknown name and a wrong password read the same.
        let wrong = ask(
            "10.2.0.2",
            json!({"username": "cat", "password": "not it", "name": "x"}),
        )
        .await;
        wrong.problem(401, "invalid_credentials");
        let unknown = ask(
            "10.2.0.2",
            json!({"username": "nobody", "password": "not it", "name": "x"}),
        )
        .await;
        unknown.problem(401, "invalid_credentials");
        assert_eq!(wrong.body, unknown.body);

        // Bad input.
        ask(
            "10.2.0.2",
            json!({"username": "cat", "password": PW, "name": "  "}),
        )
        .await
        .problem(422, "invalid_input");
        ask(
            "10.2.0.2",
            json!({"username": "cat", "password": PW, "name": "n".repeat(61)}),
        )
        .await
        .problem(422, "invalid_input");
        ask("10.2.0.2", json!({"username": "cat", "password": PW}))
            .await
            .problem(400, "invalid_parameter");

        // Three free failures, then the fourth puts dan's account into backoff:
        // meanwhile even the right password fails, alike. (The backoff is
        // pinned an hour ahead so the test does not race its first 5 s.)
        for n in 0..4 {
            let ip = format!("10.2.1.{n}");
            ask(
                &ip,
                json!({"username": "dan", "password": "guess", "name": "x"}),
            )
            .await
            .problem(401, "invalid_credentials");
        }
        i.store()
            .await
            .debug_execute(&format!(
                "UPDATE login_backoff SET blocked_until = {} WHERE delay_ms > 0",
                tidings_core::now_ms() + 3_600_000
            ))
            .await
            .unwrap();
        let locked = ask(
            "10.2.1.9",
            json!({"username": "dan", "password": PW, "name": "x"}),
        )
        .await;
        locked.problem(401, "invalid_credentials");
        assert_eq!(locked.body, unknown.body);

        // Six attempts per address per hour, whatever the account.
        for _ in 0..6 {
            ask(
                "10.2.2.1",
                json!({"username": "nobody", "password": "x", "name": "x"}),
            )
            .await
            .problem(401, "invalid_credentials");
        }
        let r = ask(
            "10.2.2.1",
            json!({"username": "cat", "password": PW, "name": "x"}),
        )
        .await;
        r.problem(429, "rate_limited");
        let retry: u64 = r.header("retry-after").parse().unwrap();
        assert!(
            (1..=3600).contains(&retry),
            "until the hour is over: {retry}"
        );

        // Revoking: only the token used, and only with a token.
        let t2 = token(&server, "10.2.3.1", "cat").await;
        call(
            &server,
            "10.2.3.1",
            Method::DELETE,
            "/api/v1/auth/token",
            None,
            None,
        )
        .await
        .problem(401, "unauthorized");
        let r = call(
            &server,
            "10.2.3.1",
            Method::DELETE,
            "/api/v1/auth/token",
            Some(&t1),
            None,
        )
        .await;
        assert_eq!(r.status, 204, "{}", r.body);
        call(
            &server,
            "10.2.3.1",
            Method::GET,
            "/api/v1/me",
            Some(&t1),
            None,
        )
        .await
        .problem(401, "invalid_token");
        call(
            &server,
            "10.2.3.1",
            Method::DELETE,
            "/api/v1/auth/token",
            Some(&t1),
            None,
        )
        .await
        .problem(401, "invalid_token");
        let me = call(
            &server,
            "10.2.3.1",
            Method::GET,
            "/api/v1/me",
            Some(&t2),
            None,
        )
        .await;
        assert_eq!(me.body["username"], "cat");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_rate_limit_headers_cors_and_document() {
    let cfg = "[api]\nrequests_per_minute = 5\ncors_origins = [\"https://app.example\"]\n";
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, cfg);
        let get = |ip: &str, path: &str| {
            let (server, ip, path) = (&server, ip.to_string(), path.to_string());
            async move { call(server, &ip, Method::GET, &path, None, None).await }
        };

        // Five requests a minute per address, announced on every answer.
        for n in 0..5 {
            let r = get("10.3.0.1", "/api/v1/topics").await;
            assert_eq!(r.status, 200);
            assert_eq!(r.header("ratelimit-limit"), "5");
            assert_eq!(r.header("ratelimit-remaining"), (4 - n).to_string());
            let reset: u64 = r.header("ratelimit-reset").parse().unwrap();
            assert!((1..=60).contains(&reset), "{reset}");
        }
        let r = get("10.3.0.1", "/api/v1/topics").await;
        r.problem(429, "rate_limited");
        assert_eq!(r.header("ratelimit-remaining"), "0");
        let retry: u64 = r.header("retry-after").parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(retry.to_string(), r.header("ratelimit-reset"));
        // Unknown API paths count too, and answer as problems.
        get("10.3.0.1", "/api/v1/nothing-here")
            .await
            .problem(429, "rate_limited");
        get("10.3.0.2", "/api/v1/nothing-here")
            .await
            .problem(404, "not_found");
        let r = get("10.3.0.2", "/api/v1/topics").await;
        assert_eq!(r.status, 200, "another address has its own budget");
        assert_eq!(r.header("ratelimit-remaining"), "3");
        // The website is not counted.
        let page = http()
            .get(server.url("/"))
            .header("x-forwarded-for", "10.3.0.1")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.headers().get("ratelimit-limit").is_none());

        // Counted in the database: another web node on it sees the same budget.
        if i.database_url.is_some() {
            let node = i.node();
            let other = serve(&node, cfg);
            let r = call(
                &other,
                "10.3.0.1",
                Method::GET,
                "/api/v1/topics",
                None,
                None,
            )
            .await;
            r.problem(429, "rate_limited");
        }

        // CORS: the configured origin may call the API (preflight included).
        let pre = |origin: &str| {
            http()
                .request(Method::OPTIONS, server.url("/api/v1/comments"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization, content-type",
                )
                .header("x-forwarded-for", "10.3.1.1")
                .send()
        };
        let ok = pre("https://app.example").await.unwrap();
        assert!(ok.status().is_success(), "{}", ok.status());
        let h = ok.headers();
        assert_eq!(h["access-control-allow-origin"], "https://app.example");
        assert!(
            h["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("POST")
        );
        let allowed = h["access-control-allow-headers"].to_str().unwrap();
        assert!(allowed.contains("authorization") && allowed.contains("content-type"));
        assert!(h.get("access-control-allow-credentials").is_none());
        let evil = pre("https://evil.example").await.unwrap();
        assert!(evil.headers().get("access-control-allow-origin").is_none());
        let r = http()
            .get(server.url("/api/v1/health"))
            .header("origin", "https://app.example")
            .header("x-forwarded-for", "10.3.1.2")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()["access-control-allow-origin"],
            "https://app.example"
        );
        let exposed = r.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap();
        assert!(
            exposed.contains("ratelimit-remaining") && exposed.contains("etag"),
            "{exposed}"
        );
        let r = http()
            .get(server.url("/"))
            .header("origin", "https://app.example")
            .send()
            .await
            .unwrap();
        assert!(
            r.headers().get("access-control-allow-origin").is_none(),
            "CORS is for the API only"
        );
        // A write from the allowed origin reaches the handler; from another it is refused.
        let login = |origin: &str| {
            http()
                .post(server.url("/api/v1/auth/token"))
                .header("origin", origin)
                .header("x-forwarded-for", "10.3.1.3")
                .json(&json!({"username": "nobody", "password": "x", "name": "x"}))
                .send()
        };
        finish(login("https://app.example").await.unwrap())
            .await
            .problem(401, "invalid_credentials");
        finish(login("https://evil.example").await.unwrap())
            .await
            .problem(403, "cross_origin");

        // The document describes every endpoint and the bearer scheme.
        let doc = get("10.3.0.1", "/api/openapi.json").await.body;
        assert!(doc["paths"].is_object(), "the document is not rate limited");
        for (p, m) in [
            ("/api/v1/comments", "get"),
            ("/api/v1/comments", "post"),
            ("/api/v1/comments/{id}", "patch"),
            ("/api/v1/comments/{id}", "delete"),
            ("/api/v1/comments/{id}/vote", "post"),
            ("/api/v1/comments/{id}/report", "post"),
            ("/api/v1/auth/token", "post"),
            ("/api/v1/auth/token", "delete"),
            ("/api/v1/me", "get"),
        ] {
            let op = &doc["paths"][p][m];
            assert!(op.is_object(), "{m} {p} missing from the document");
            let public =
                (p, m) == ("/api/v1/comments", "get") || (p, m) == ("/api/v1/auth/token", "post");
            if !public {
                assert_eq!(op["security"], json!([{"bearer": []}]), "{m} {p}");
            }
        }
        let scheme = &doc["components"]["securitySchemes"]["bearer"];
        assert_eq!(scheme["type"], "http");
        assert_eq!(scheme["scheme"], "bearer");
    }

    // Without cors_origins the API sends no CORS headers at all.
    let i = Install::sqlite();
    let server = serve(&i, "");
    let r = http()
        .get(server.url("/api/v1/health"))
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert_eq!(r.headers()["ratelimit-limit"], "600");
}
