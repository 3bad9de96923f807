//! Readers' own news through the real server, on both databases: follow,
//! mute, save and read through the site's forms (no JavaScript: POST and
//! redirect), "for you" grouped by story, read state set by opening an
//! article, mark all as read, "n new since your last visit", the same
//! through the JSON API (bad input answered 4xx as problems), and private
//! sources kept off every public surface.

use crate::common::*;
use crate::community::{PW, Web, cli_user, csrf_in, http, serve};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tidings_core::{ArticleId, CanonicalUrl, DisplayPolicy, SourceId, SourceKind, StoryId};
use tidings_store::{NewArticle, NewSource, Store};

/// Sources and articles: `wire` (3 articles), `herald` (2, the newer in a
/// story with wire's middle one), `noise` (2, one in topic `science`).
pub(crate) struct Seed {
    pub(crate) wire: SourceId,
    pub(crate) herald: SourceId,
    pub(crate) noise: SourceId,
    pub(crate) w: Vec<ArticleId>,
    pub(crate) h: Vec<ArticleId>,
    pub(crate) n: Vec<ArticleId>,
    pub(crate) story: StoryId,
}

async fn source(s: &Store, host: &str, titles: &[&str]) -> (SourceId, Vec<ArticleId>) {
    let src = s
        .add_source(&NewSource {
            url: CanonicalUrl::parse(&format!("https://{host}/feed.xml")).unwrap(),
            kind: SourceKind::Feed,
            name: Some(host.split('.').next().unwrap().to_string()),
            site_url: None,
            display: DisplayPolicy::Full,
            profile: Default::default(),
        })
        .await
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for t in titles {
        let slug: String = t.to_lowercase().replace(' ', "-");
        ids.push(
            s.insert_article(&NewArticle {
                source_id: Some(src),
                url: Some(CanonicalUrl::parse(&format!("https://{host}/{slug}")).unwrap()),
                original_url: format!("https://{host}/{slug}"),
                title: t.to_string(),
                text: format!("{t}. A report with a few words of body text."),
                html: format!("<p>{t}. A report with a few words of body text.</p>"),
                language: Some("en".into()),
                ..Default::default()
            })
            .await
            .unwrap(),
        );
    }
    (src, ids)
}

/// First-seen times one second apart, in this order, ending a minute ago.
async fn in_order(s: &Store, ids: &[ArticleId]) {
    let start = tidings_core::now_ms() - 60_000 - ids.len() as i64 * 1000;
    for (i, id) in ids.iter().enumerate() {
        s.debug_execute(&format!(
            "UPDATE articles SET created_at = {} WHERE id = {}",
            start + i as i64 * 1000,
            id.0
        ))
        .await
        .unwrap();
    }
}

pub(crate) async fn seed(s: &Store) -> Seed {
    let (wire, w) = source(
        s,
        "wire.example",
        &["Wire alpha", "Wire bravo", "Wire charlie"],
    )
    .await;
    let (herald, h) = source(s, "herald.example", &["Herald delta", "Herald echo"]).await;
    let (noise, n) = source(s, "noise.example", &["Noise foxtrot", "Noise golf"]).await;
    // w0 h0 n0 w1 h1 n1 w2, oldest first.
    in_order(s, &[w[0], h[0], n[0], w[1], h[1], n[1], w[2]]).await;
    let mut tx = s.begin_clustering().await.unwrap();
    let now = tidings_core::now_ms();
    let story = tx
        .new_story(w[1], "The bridge story", now, b"")
        .await
        .unwrap();
    tx.add_article(w[1], story, now, &[]).await.unwrap();
    tx.add_article(h[1], story, now, &[]).await.unwrap();
    tx.commit(&[]).await.unwrap();
    s.debug_execute(&format!(
        "INSERT INTO article_topics (article_id, topic, score) VALUES ({}, 'science', 1), ({}, 'science', 1)",
        n[0].0, h[0].0
    ))
    .await
    .unwrap();
    Seed {
        wire,
        herald,
        noise,
        w,
        h,
        n,
        story,
    }
}

/// Where each title first appears in `body` (None: absent).
fn pos(body: &str, title: &str) -> Option<usize> {
    body.find(title)
}

fn unread_cards(body: &str) -> usize {
    body.matches("class=\"card unread").count()
        + body.matches("class=\"card has-img unread").count()
}

#[tokio::test]
async fn follow_mute_save_and_read_through_the_sites_forms() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let store = i.store().await;
        let d = seed(&store).await;
        let server = serve(&i, "");
        let mut web = Web::new(&server, "10.9.0.1");

        // Visitors are sent to log in; their pages carry no reader forms.
        let r = web.get("/for-you").await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/login?next=%2Ffor-you");
        assert!(
            !web.get(&format!("/source/{}", d.wire.0))
                .await
                .body
                .contains("/reader/follow")
        );

        assert_eq!(web.register("alice", PW).await.status, 303);
        let alice = store.user_by_name("alice").await.unwrap().unwrap().id;
        let page = web.get("/for-you").await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("You follow nothing yet"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("href=\"/for-you\""),
            "the header links For you"
        );

        // Follow a source from its page: a form, then back to the page.
        let src_path = format!("/source/{}", d.wire.0);
        let body = web.get(&src_path).await.body;
        assert!(body.contains("action=\"/reader/follow\"") && body.contains(">Follow<"));
        let t = csrf_in(&body).unwrap();
        let wire = d.wire.0.to_string();
        let r = web
            .post(
                "/reader/follow",
                &[
                    ("csrf", &t),
                    ("kind", "source"),
                    ("id", &wire),
                    ("on", "1"),
                    ("next", &src_path),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location()),
            (303, src_path.clone()),
            "{}",
            r.body
        );
        assert!(web.get(&src_path).await.body.contains(">Unfollow<"));
        // The story and a topic, and mute the noisy source followed through it.
        let story = d.story.0.to_string();
        for (kind, id) in [("story", story.as_str()), ("topic", "science")] {
            let r = web
                .post(
                    "/reader/follow",
                    &[("csrf", &t), ("kind", kind), ("id", id), ("on", "1")],
                )
                .await;
            assert_eq!(r.status, 303, "{kind}: {}", r.body);
        }
        let noise = d.noise.0.to_string();
        let r = web
            .post(
                "/reader/mute",
                &[("csrf", &t), ("source", &noise), ("on", "1")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(
            web.get(&format!("/source/{noise}"))
                .await
                .body
                .contains(">Unmute this source<")
        );

        // For you: the followed source's articles, the story's and the
        // topic's, newest first, the story's together, the muted source's not.
        let fy = web.get("/for-you").await.body;
        let order: Vec<Option<usize>> = [
            "Wire charlie",
            "The bridge story",
            "Herald echo",
            "Wire bravo",
            "Herald delta",
            "Wire alpha",
        ]
        .iter()
        .map(|t| pos(&fy, t))
        .collect();
        assert!(order.iter().all(Option::is_some), "{order:?}\n{fy}");
        let charlie = order[0].unwrap();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert!(charlie < order[1].unwrap());
        assert!(pos(&fy, "Noise foxtrot").is_none(), "muted");
        assert!(pos(&fy, "Noise golf").is_none(), "not followed");
        assert_eq!(unread_cards(&fy), 5, "{fy}");
        assert!(fy.contains("5 unread"));

        // Opening an article marks it read; its page offers to undo that.
        let a = web.get(&format!("/a/{}", d.w[2].0)).await;
        assert_eq!(a.status, 308);
        let path = a.location();
        let a = web.get(&path).await;
        assert_eq!(a.status, 200);
        assert!(
            a.body.contains(">Mark unread<") && a.body.contains(">Save<"),
            "{}",
            a.body
        );
        assert_eq!(a.headers["cache-control"], "private, no-store");
        let states = store
            .item_states(alice, &store.article_cards(&[d.w[2]]).await.unwrap())
            .await
            .unwrap();
        assert!(states[0].read);
        let fy = web.get("/for-you").await.body;
        assert_eq!(unread_cards(&fy), 4);
        // Reopening writes nothing: the mark stays as it was.
        web.get(&path).await;

        // Unread again from a list, without JavaScript: back at the card.
        let id = d.w[2].0.to_string();
        let r = web
            .post(
                "/reader/read",
                &[
                    ("csrf", &t),
                    ("article", &id),
                    ("on", "0"),
                    ("next", "/for-you"),
                ],
            )
            .await;
        assert_eq!(r.location(), format!("/for-you#item-{id}"));
        assert_eq!(unread_cards(&web.get("/for-you").await.body), 5);

        // Save; the same form with JavaScript gets JSON instead of a redirect.
        let bravo = d.w[1].0.to_string();
        let r = web
            .post_with(
                "/reader/save",
                &[("csrf", &t), ("article", &bravo), ("on", "1")],
                &[("origin", &server.base), ("accept", "application/json")],
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(
            serde_json::from_str::<Value>(&r.body).unwrap(),
            json!({"on": true})
        );
        let saved = web.get("/saved").await.body;
        assert!(
            saved.contains("Wire bravo") && saved.contains(">Unsave<"),
            "{saved}"
        );
        assert!(!saved.contains("Wire alpha"));

        // Mark all as read up to what the page showed.
        let fy = web.get("/for-you").await.body;
        let before = fy
            .split("name=\"before\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = web
            .post(
                "/reader/read-all",
                &[
                    ("csrf", &t),
                    ("view", "for-you"),
                    ("before", &before),
                    ("next", "/for-you"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let fy = web.get("/for-you").await.body;
        assert_eq!(unread_cards(&fy), 0);
        assert!(fy.contains("0 unread"));
        assert!(
            web.get("/for-you?unread=1")
                .await
                .body
                .contains("Nothing unread here.")
        );
        // A source page's own mark-all-read, and the topic page's forms.
        let body = web.get(&format!("/source/{}", d.herald.0)).await.body;
        assert!(body.contains("name=\"view\" value=\"source\""));
        let topic = web.get("/topic/science").await.body;
        assert!(topic.contains(">Unfollow<"), "followed topic");

        // Refused: no token, a bad kind, a missing thing, not signed in.
        let r = web
            .post(
                "/reader/follow",
                &[("kind", "source"), ("id", &wire), ("on", "1")],
            )
            .await;
        assert_eq!(r.status, 403);
        let r = web
            .post(
                "/reader/follow",
                &[("csrf", &t), ("kind", "planet"), ("id", "1"), ("on", "1")],
            )
            .await;
        assert_eq!(r.status, 400);
        let r = web
            .post(
                "/reader/save",
                &[("csrf", &t), ("article", "999999"), ("on", "1")],
            )
            .await;
        assert_eq!(r.status, 404);
        let r = web
            .post(
                "/reader/read-all",
                &[("csrf", &t), ("view", "story"), ("before", "x")],
            )
            .await;
        assert_eq!(r.status, 400);
        let mut stranger = Web::new(&server, "10.9.0.2");
        let st = stranger.csrf("/login").await;
        let r = stranger
            .post(
                "/reader/follow",
                &[
                    ("csrf", &st),
                    ("kind", "source"),
                    ("id", &wire),
                    ("on", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 401);

        // Unfollow and unmute: for you forgets them.
        for (path, f) in [
            (
                "/reader/follow",
                vec![("kind", "source"), ("id", wire.as_str())],
            ),
            (
                "/reader/follow",
                vec![("kind", "story"), ("id", story.as_str())],
            ),
            ("/reader/follow", vec![("kind", "topic"), ("id", "science")]),
            ("/reader/mute", vec![("source", noise.as_str())]),
        ] {
            let mut form = f.clone();
            form.push(("csrf", &t));
            form.push(("on", "0"));
            assert_eq!(web.post(path, &form).await.status, 303);
        }
        let f = store.follows(alice).await.unwrap();
        assert!(f.sources.is_empty() && f.topics.is_empty() && f.stories.is_empty());
        assert!(f.muted.is_empty());
        let _ = d.n;
        let _ = d.h;
    }
}

#[tokio::test]
async fn a_followed_story_says_what_is_new_since_the_last_visit() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let store = i.store().await;
        let d = seed(&store).await;
        let server = serve(&i, "");
        let mut web = Web::new(&server, "10.9.1.1");
        web.register("bob", PW).await;
        let path = format!("/story/{}", d.story.0);
        let body = web.get(&path).await.body;
        assert!(body.contains(">Follow<") && !body.contains("since your last visit"));
        let t = csrf_in(&body).unwrap();
        let id = d.story.0.to_string();
        web.post(
            "/reader/follow",
            &[("csrf", &t), ("kind", "story"), ("id", &id), ("on", "1")],
        )
        .await;
        assert!(
            web.get(&path)
                .await
                .body
                .contains("Nothing new since your last visit")
        );
        // Two more articles join the story after the visit.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let (_, more) = source(&store, "late.example", &["Late india", "Late juliet"]).await;
        let later = tidings_core::now_ms();
        for m in &more {
            store
                .debug_execute(&format!(
                    "UPDATE articles SET created_at = {later} WHERE id = {}",
                    m.0
                ))
                .await
                .unwrap();
        }
        let mut tx = store.begin_clustering().await.unwrap();
        for m in &more {
            tx.add_article(*m, d.story, later, &[]).await.unwrap();
        }
        tx.commit(&[]).await.unwrap();
        let body = web.get(&path).await.body;
        assert!(
            body.contains("2 new articles since your last visit"),
            "{body}"
        );
        // Seen now: the next visit starts from here.
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(
            web.get(&path)
                .await
                .body
                .contains("Nothing new since your last visit")
        );
        // The API says the same.
        let bob = store.user_by_name("bob").await.unwrap().unwrap().id;
        let f = store.follows(bob).await.unwrap();
        assert_eq!(f.stories[0].new_since_visit, 0);
    }
}

/// One API call: status, content type and JSON body (Null when empty).
async fn call(
    server: &Server,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, String, Value) {
    let mut req = http()
        .request(method, server.url(path))
        .header("x-forwarded-for", "10.9.2.1");
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = r.text().await.unwrap();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    };
    (status, ct, v)
}

#[track_caller]
fn problem(r: &(u16, String, Value), status: u16, code: &str) {
    assert_eq!(r.0, status, "{}", r.2);
    assert_eq!(r.1, "application/problem+json", "{}", r.2);
    assert_eq!(r.2["code"], code, "{}", r.2);
}

async fn token(server: &Server, user: &str) -> String {
    let r = call(
        server,
        Method::POST,
        "/api/v1/auth/token",
        None,
        Some(json!({"username": user, "password": PW, "name": "reader test"})),
    )
    .await;
    assert_eq!(r.0, 201, "{}", r.2);
    r.2["token"].as_str().unwrap().to_string()
}

fn item_ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_api_follows_saves_marks_and_lists_for_you() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let store = i.store().await;
        let d = seed(&store).await;
        cli_user(&i, "carol", None);
        let server = serve(&i, "[api]\nrequests_per_minute = 0\n");
        let tk = token(&server, "carol").await;
        let t = Some(tk.as_str());
        use Method as M;

        // Nothing followed yet.
        let r = call(&server, M::GET, "/api/v1/for-you", t, None).await;
        assert_eq!((r.0, item_ids(&r.2).len()), (200, 0), "{}", r.2);
        // Follow a source, a story, a topic; mute a source.
        for path in [
            format!("/api/v1/follows/sources/{}", d.wire.0),
            format!("/api/v1/follows/stories/{}", d.story.0),
            "/api/v1/follows/topics/science".to_string(),
        ] {
            let r = call(&server, M::PUT, &path, t, None).await;
            assert_eq!((r.0, &r.2), (200, &json!({"following": true})), "{path}");
            // Twice is once.
            assert_eq!(call(&server, M::PUT, &path, t, None).await.0, 200);
        }
        let r = call(
            &server,
            M::PUT,
            &format!("/api/v1/mutes/sources/{}", d.noise.0),
            t,
            None,
        )
        .await;
        assert_eq!(r.2, json!({"muted": true}));
        let f = call(&server, M::GET, "/api/v1/follows", t, None).await.2;
        assert_eq!(f["sources"][0]["id"], d.wire.0);
        assert_eq!(f["sources"][0]["private"], false);
        assert_eq!(f["topics"][0]["slug"], "science");
        assert_eq!(f["stories"][0]["id"], d.story.0);
        assert_eq!(f["muted"][0]["id"], d.noise.0);

        // For you: newest first, the story's articles after its newest one.
        let fy = call(&server, M::GET, "/api/v1/for-you", t, None).await.2;
        assert_eq!(
            item_ids(&fy),
            vec![d.w[2].0, d.h[1].0, d.w[1].0, d.h[0].0, d.w[0].0],
            "{fy}"
        );
        assert!(
            fy["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["read"] == false && i["saved"] == false)
        );
        assert_eq!(fy["stories"][0]["id"], d.story.0);
        assert_eq!(fy["unread_count"], 5);
        // Pages continue.
        let p1 = call(&server, M::GET, "/api/v1/for-you?limit=2", t, None)
            .await
            .2;
        assert_eq!(item_ids(&p1), vec![d.w[2].0, d.h[1].0]);
        let c = p1["next_cursor"].as_str().unwrap();
        let p2 = call(
            &server,
            M::GET,
            &format!("/api/v1/for-you?limit=2&cursor={c}"),
            t,
            None,
        )
        .await
        .2;
        assert_eq!(item_ids(&p2), vec![d.w[1].0, d.h[0].0]);

        // Read and saved, shown in lists for the token only.
        let r = call(
            &server,
            M::POST,
            "/api/v1/read",
            t,
            Some(json!({"articles": [d.w[0].0]})),
        )
        .await;
        assert_eq!(r.2, json!({"marked": 1}));
        let r = call(
            &server,
            M::PUT,
            &format!("/api/v1/saved/{}", d.w[1].0),
            t,
            None,
        )
        .await;
        assert_eq!(r.2, json!({"saved": true}));
        let list = call(
            &server,
            M::GET,
            &format!("/api/v1/articles?source={}", d.wire.0),
            t,
            None,
        )
        .await
        .2;
        let by_id = |v: &Value, id: i64| {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == id)
                .unwrap()
                .clone()
        };
        assert_eq!(by_id(&list, d.w[0].0)["read"], true);
        assert_eq!(by_id(&list, d.w[1].0)["saved"], true);
        assert_eq!(by_id(&list, d.w[2].0)["read"], false);
        let anon = call(
            &server,
            M::GET,
            &format!("/api/v1/articles?source={}", d.wire.0),
            None,
            None,
        )
        .await
        .2;
        assert!(by_id(&anon, d.w[0].0).get("read").is_none(), "{anon}");
        let saved = call(&server, M::GET, "/api/v1/saved", t, None).await.2;
        assert_eq!(item_ids(&saved), vec![d.w[1].0]);
        assert_eq!(saved["items"][0]["saved"], true);
        let u = call(&server, M::GET, "/api/v1/unread", t, None).await.2;
        assert_eq!(u["for_you"], 4);
        assert_eq!(u["sources"][0]["id"], d.wire.0);
        assert_eq!(u["sources"][0]["count"], 2);
        // Unread again, then everything read.
        let r = call(
            &server,
            M::POST,
            "/api/v1/read",
            t,
            Some(json!({"articles": [d.w[0].0], "read": false})),
        )
        .await;
        assert_eq!(r.2["marked"], 1);
        let r = call(
            &server,
            M::POST,
            "/api/v1/read/all",
            t,
            Some(json!({"view": "for_you"})),
        )
        .await;
        assert_eq!(r.0, 204, "{}", r.2);
        assert_eq!(
            call(&server, M::GET, "/api/v1/unread", t, None).await.2["for_you"],
            0
        );
        let r = call(&server, M::GET, "/api/v1/for-you?unread=true", t, None).await;
        assert_eq!(item_ids(&r.2).len(), 0);
        let r = call(
            &server,
            M::POST,
            "/api/v1/read/all",
            t,
            Some(json!({"view": "source", "source": d.herald.0, "before": "2020-01-01T00:00:00Z"})),
        )
        .await;
        assert_eq!(r.0, 204);

        // Bad input: 4xx problems, never 5xx.
        let bad: Vec<(Method, String, Option<Value>, u16, &str)> = vec![
            (
                M::PUT,
                "/api/v1/follows/sources/abc".into(),
                None,
                400,
                "invalid_parameter",
            ),
            (
                M::PUT,
                "/api/v1/follows/sources/-3".into(),
                None,
                400,
                "invalid_parameter",
            ),
            (
                M::PUT,
                "/api/v1/follows/sources/999999".into(),
                None,
                404,
                "not_found",
            ),
            (
                M::PUT,
                "/api/v1/follows/stories/999999".into(),
                None,
                404,
                "not_found",
            ),
            (
                M::PUT,
                "/api/v1/follows/topics/astrology".into(),
                None,
                404,
                "not_found",
            ),
            (
                M::PUT,
                "/api/v1/mutes/sources/999999".into(),
                None,
                404,
                "not_found",
            ),
            (
                M::PUT,
                "/api/v1/saved/999999".into(),
                None,
                404,
                "not_found",
            ),
            (
                M::POST,
                "/api/v1/read".into(),
                Some(json!({"articles": []})),
                400,
                "invalid_parameter",
            ),
            (
                M::POST,
                "/api/v1/read".into(),
                Some(json!({"articles": "all"})),
                400,
                "invalid_parameter",
            ),
            (
                M::POST,
                "/api/v1/read".into(),
                Some(json!({"articles": [999999]})),
                404,
                "not_found",
            ),
            (
                M::POST,
                "/api/v1/read".into(),
                Some(json!({"articles": [1], "x": 1})),
                400,
                "invalid_parameter",
            ),
            (
                M::POST,
                "/api/v1/read/all".into(),
                Some(json!({"view": "source"})),
                400,
                "invalid_parameter",
            ),
            (
                M::POST,
                "/api/v1/read/all".into(),
                Some(json!({"view": "everything"})),
                400,
                "invalid_parameter",
            ),
            (
                M::POST,
                "/api/v1/read/all".into(),
                Some(json!({"view": "story", "story": 999999})),
                404,
                "not_found",
            ),
            (
                M::POST,
                "/api/v1/read/all".into(),
                Some(json!({"view": "topic", "topic": "x"})),
                404,
                "not_found",
            ),
            (
                M::POST,
                "/api/v1/read/all".into(),
                Some(json!({"view": "for_you", "before": "yesterday"})),
                400,
                "invalid_parameter",
            ),
            (
                M::GET,
                "/api/v1/for-you?limit=0".into(),
                None,
                400,
                "invalid_parameter",
            ),
            (
                M::GET,
                "/api/v1/for-you?cursor=junk".into(),
                None,
                400,
                "invalid_parameter",
            ),
            (
                M::GET,
                "/api/v1/for-you?unread=maybe".into(),
                None,
                400,
                "invalid_parameter",
            ),
            (
                M::GET,
                "/api/v1/saved?limit=1000".into(),
                None,
                400,
                "invalid_parameter",
            ),
        ];
        for (m, path, body, status, code) in bad {
            let r = call(&server, m.clone(), &path, t, body.clone()).await;
            assert_eq!(r.0, status, "{m} {path} {body:?}: {}", r.2);
            problem(&r, status, code);
        }
        // A body that is not JSON.
        let r = http()
            .post(server.url("/api/v1/read"))
            .bearer_auth(&tk)
            .body("articles=1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 415);
        // No token, or a website session for a write.
        for (m, path) in [
            (M::GET, "/api/v1/for-you"),
            (M::GET, "/api/v1/follows"),
            (M::GET, "/api/v1/saved"),
            (M::GET, "/api/v1/unread"),
            (M::PUT, "/api/v1/saved/1"),
            (M::DELETE, "/api/v1/follows/topics/science"),
        ] {
            problem(
                &call(&server, m, path, None, None).await,
                401,
                "unauthorized",
            );
        }
        problem(
            &call(&server, M::GET, "/api/v1/for-you", Some("tdg_nope"), None).await,
            401,
            "invalid_token",
        );
        let mut web = Web::new(&server, "10.9.2.9");
        web.login("carol", PW, false).await;
        let session = web.get("/api/v1/for-you").await;
        assert_eq!(session.status, 200, "reads work with the site's session");
        let r = web.post("/api/v1/read", &[]).await;
        assert!(r.status == 401 || r.status == 415, "{}", r.status);

        // Undo everything.
        for path in [
            format!("/api/v1/follows/sources/{}", d.wire.0),
            format!("/api/v1/follows/stories/{}", d.story.0),
            "/api/v1/follows/topics/science".to_string(),
            format!("/api/v1/mutes/sources/{}", d.noise.0),
            format!("/api/v1/saved/{}", d.w[1].0),
        ] {
            let r = call(&server, M::DELETE, &path, t, None).await;
            assert_eq!(r.0, 200, "{path}: {}", r.2);
        }
        let f = call(&server, M::GET, "/api/v1/follows", t, None).await.2;
        assert_eq!(
            f,
            json!({"sources": [], "topics": [], "stories": [], "muted": []})
        );
    }
}

#[tokio::test]
async fn private_sources_never_reach_public_surfaces() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let store = i.store().await;
        let (public, p) = source(&store, "public.example", &["Public pelican parade"]).await;
        cli_user(&i, "ada", None);
        cli_user(&i, "bob", None);
        let ada = store.user_by_name("ada").await.unwrap().unwrap().id;
        let sub = store
            .subscribe_url(
                ada,
                &CanonicalUrl::parse("https://ada-secret.example/feed.xml").unwrap(),
                SourceKind::Feed,
                None,
                true,
            )
            .await
            .unwrap()
            .unwrap();
        let secret = store
            .insert_article(&NewArticle {
                source_id: Some(sub.source),
                url: Some(CanonicalUrl::parse("https://ada-secret.example/quokka").unwrap()),
                original_url: "https://ada-secret.example/quokka".into(),
                title: "Zanzibar quokka secret".into(),
                text: "The quokka of Zanzibar, in private.".into(),
                language: Some("en".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        store
            .debug_execute(&format!(
                "INSERT INTO article_topics (article_id, topic, score) VALUES ({}, 'world', 1), ({}, 'world', 1)",
                secret.0, p[0].0
            ))
            .await
            .unwrap();
        let priv_id = sub.source.0;
        let server = serve(&i, "[api]\nrequests_per_minute = 0\n");
        let client = http();
        // The index has caught up once the public article is found.
        let start = Instant::now();
        loop {
            let r: Value = client
                .get(server.url("/api/v1/search?q=pelican"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if r.to_string().contains("pelican") {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "never indexed: {r}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let bob_token = token(&server, "bob").await;
        let mut bob = Web::new(&server, "10.9.3.2");
        bob.login("bob", PW, false).await;
        let surfaces: Vec<String> = vec![
            "/".into(),
            "/about".into(),
            "/sources".into(),
            "/topic/world".into(),
            format!("/source/{}", public.0),
            "/feed.xml".into(),
            "/feed.atom".into(),
            "/feed.json".into(),
            "/topic/world/feed.xml".into(),
            "/sitemap.xml".into(),
            "/sitemap-pages.xml".into(),
            "/sitemap-articles-0.xml".into(),
            "/news-sitemap.xml".into(),
            "/search?q=quokka".into(),
            "/search?q=zanzibar".into(),
            "/search/feed.xml?q=quokka".into(),
            "/api/v1/articles".into(),
            "/api/v1/articles?topic=world".into(),
            format!("/api/v1/articles?source={priv_id}"),
            "/api/v1/sources".into(),
            "/api/v1/search?q=quokka".into(),
            "/api/v1/topics".into(),
            format!("/a/{}", p[0].0),
            format!("/api/v1/articles/{}/related", p[0].0),
        ];
        let hidden: Vec<String> = vec![
            format!("/a/{}", secret.0),
            format!("/api/v1/articles/{}", secret.0),
            format!("/api/v1/articles/{}/summary", secret.0),
            format!("/api/v1/comments?article={}", secret.0),
            format!("/source/{priv_id}"),
            format!("/source/{priv_id}/feed.xml"),
            format!("/api/v1/sources/{priv_id}"),
        ];
        let leaks = |body: &str| {
            let b = body.to_lowercase();
            // Its title, text or address (search pages echo the query word itself).
            b.contains("zanzibar quokka secret")
                || b.contains("quokka of zanzibar")
                || b.contains("ada-secret")
        };
        // As a visitor, as another signed-in reader, and with their token.
        for who in ["visitor", "bob", "bob's token"] {
            for path in surfaces.iter().chain(hidden.iter()) {
                let (status, body) = match who {
                    "bob" => {
                        let r = bob.get(path).await;
                        (r.status, r.body)
                    }
                    _ => {
                        let mut req = client.get(server.url(path));
                        if who == "bob's token" {
                            req = req.bearer_auth(&bob_token);
                        }
                        let r = req.send().await.unwrap();
                        (r.status().as_u16(), r.text().await.unwrap())
                    }
                };
                assert!(status < 500, "{who} {path}: {status}");
                assert!(
                    !leaks(&body),
                    "{who} sees the private source on {path}: {body}"
                );
                if hidden.contains(path) {
                    assert_eq!(status, 404, "{who} {path}");
                } else if who != "bob" {
                    assert!(status == 200, "{who} {path}: {status}");
                }
            }
        }
        // Bob cannot follow, save, mark or read it through the API either.
        let bt = Some(bob_token.as_str());
        for (m, path, body) in [
            (
                Method::PUT,
                format!("/api/v1/follows/sources/{priv_id}"),
                None,
            ),
            (
                Method::PUT,
                format!("/api/v1/mutes/sources/{priv_id}"),
                None,
            ),
            (Method::PUT, format!("/api/v1/saved/{}", secret.0), None),
            (
                Method::POST,
                "/api/v1/read".into(),
                Some(json!({"articles": [secret.0]})),
            ),
        ] {
            let r = call(&server, m, &path, bt, body).await;
            problem(&r, 404, "not_found");
        }
        let r = call(
            &server,
            Method::POST,
            "/api/v1/read/all",
            bt,
            Some(json!({"view": "source", "source": priv_id})),
        )
        .await;
        problem(&r, 404, "not_found");

        // Its follower reads it: in for you, on its page, in the API.
        let mut web = Web::new(&server, "10.9.3.1");
        web.login("ada", PW, false).await;
        assert!(
            web.get("/for-you")
                .await
                .body
                .contains("Zanzibar quokka secret")
        );
        let page = web.get(&format!("/a/{}", secret.0)).await;
        let page = web.get(&page.location()).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Zanzibar quokka secret"));
        assert_eq!(page.headers["cache-control"], "private, no-store");
        let at = token(&server, "ada").await;
        let r = call(
            &server,
            Method::GET,
            &format!("/api/v1/articles/{}", secret.0),
            Some(&at),
            None,
        )
        .await;
        assert_eq!(r.0, 200);
        let f = call(&server, Method::GET, "/api/v1/follows", Some(&at), None)
            .await
            .2;
        assert_eq!(f["sources"][0]["private"], true);
        // Still nothing for the visitor, even right after the follower's visit.
        let r = client
            .get(server.url(&format!("/a/{}", secret.0)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
}
