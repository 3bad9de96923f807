//! Reader apps through the real server, on both databases, with clients
//! written against the protocols as apps use them (raw HTTP, answers read
//! as text and JSON, nothing of ours): the Google Reader API (login,
//! subscribe, list, ids with continuation, contents, read / starred /
//! unread counts, mark all as read, a private feed nobody else sees, bad
//! tokens refused) and the Fever API.

use crate::common::*;
use crate::community::{PW, Web, cli_user, configure, http};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tidings_core::{ArticleId, CanonicalUrl, DisplayPolicy, SourceId, SourceKind};
use tidings_store::{NewArticle, NewSource, Store};

const READING_LIST: &str = "user/-/state/com.google/reading-list";
const STARRED: &str = "user/-/state/com.google/starred";
const READ: &str = "user/-/state/com.google/read";

/// A Google Reader client as apps write one.
struct Gr {
    base: String,
    ip: String,
    http: reqwest::Client,
    auth: String,
    t: String,
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        assert_eq!(self.status, 200, "{}", self.body);
        assert!(
            self.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{:?}",
            self.headers
        );
        serde_json::from_str(&self.body).unwrap()
    }
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl Gr {
    fn new(server: &Server, ip: &str) -> Gr {
        Gr {
            base: server.url("/api/greader"),
            ip: ip.into(),
            http: http(),
            auth: String::new(),
            t: String::new(),
        }
    }

    async fn answer(r: reqwest::RequestBuilder) -> Answer {
        let r = r.send().await.unwrap();
        Answer {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }

    /// `POST /accounts/ClientLogin`; keeps `Auth` and fetches the T token.
    async fn login(&mut self, user: &str, pw: &str) -> Answer {
        let a = Self::answer(
            self.http
                .post(format!("{}/accounts/ClientLogin", self.base))
                .header("x-forwarded-for", &self.ip)
                .form(&[("Email", user), ("Passwd", pw)]),
        )
        .await;
        if a.status == 200 {
            let auth = a
                .body
                .lines()
                .find_map(|l| l.strip_prefix("Auth="))
                .unwrap_or_else(|| panic!("no Auth= in {}", a.body));
            self.auth = auth.to_string();
            let t = self.get("/reader/api/0/token").await;
            assert_eq!(t.status, 200, "{}", t.body);
            self.t = t.body.trim().to_string();
        }
        a
    }

    async fn get(&self, path: &str) -> Answer {
        Self::answer(
            self.http
                .get(format!("{}{path}", self.base))
                .header("authorization", format!("GoogleLogin auth={}", self.auth)),
        )
        .await
    }

    async fn json(&self, path: &str) -> Value {
        let sep = if path.contains('?') { '&' } else { '?' };
        self.get(&format!("{path}{sep}output=json")).await.json()
    }

    /// A write: form body with the T token.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.push(("T", &self.t));
        Self::answer(
            self.http
                .post(format!("{}{path}", self.base))
                .header("authorization", format!("GoogleLogin auth={}", self.auth))
                .form(&f),
        )
        .await
    }

    async fn ok(&self, path: &str, form: &[(&str, &str)]) {
        let a = self.post(path, form).await;
        assert_eq!((a.status, a.body.as_str()), (200, "OK"), "{path} {form:?}");
    }

    /// Every id of a stream, page by page (`n`, `c`).
    async fn all_ids(&self, query: &str, n: usize) -> (Vec<i64>, usize) {
        let mut ids = Vec::new();
        let mut c: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = format!("/reader/api/0/stream/items/ids?{query}&n={n}");
            if let Some(c) = &c {
                path.push_str(&format!("&c={}", enc(c)));
            }
            let v = self.json(&path).await;
            pages += 1;
            let refs = v["itemRefs"].as_array().unwrap();
            assert!(refs.len() <= n);
            ids.extend(
                refs.iter()
                    .map(|r| r["id"].as_str().unwrap().parse::<i64>().unwrap()),
            );
            match v["continuation"].as_str() {
                Some(next) => c = Some(next.to_string()),
                None => break,
            }
            assert!(pages < 100, "endless continuation");
        }
        (ids, pages)
    }

    async fn unread(&self) -> Vec<(String, i64)> {
        let v = self.json("/reader/api/0/unread-count").await;
        let mut out: Vec<(String, i64)> = v["unreadcounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["id"].as_str().unwrap().to_string(),
                    u["count"].as_i64().unwrap(),
                )
            })
            .collect();
        out.sort();
        out
    }

    async fn contents(&self, ids: &[i64], long: bool) -> Value {
        let list: Vec<String> = ids
            .iter()
            .map(|i| {
                if long {
                    format!("tag:google.com,2005:reader/item/{i:016x}")
                } else {
                    i.to_string()
                }
            })
            .collect();
        let form: Vec<(&str, &str)> = list.iter().map(|i| ("i", i.as_str())).collect();
        self.post("/reader/api/0/stream/items/contents", &form)
            .await
            .json()
    }
}

async fn add_source(s: &Store, host: &str, display: DisplayPolicy) -> SourceId {
    s.add_source(&NewSource {
        url: CanonicalUrl::parse(&format!("https://{host}/feed.xml")).unwrap(),
        kind: SourceKind::Feed,
        name: Some(host.split('.').next().unwrap().to_string()),
        site_url: Some(format!("https://{host}/")),
        display,
        profile: Default::default(),
    })
    .await
    .unwrap()
    .id
}

async fn add_article(
    s: &Store,
    source: SourceId,
    host: &str,
    title: &str,
    text: &str,
) -> ArticleId {
    let slug = title.to_lowercase().replace(' ', "-");
    let html: String = text.split("\n\n").map(|p| format!("<p>{p}</p>")).collect();
    s.insert_article(&NewArticle {
        source_id: Some(source),
        url: Some(CanonicalUrl::parse(&format!("https://{host}/{slug}")).unwrap()),
        original_url: format!("https://{host}/{slug}"),
        title: title.into(),
        text: text.into(),
        html,
        language: Some("en".into()),
        ..Default::default()
    })
    .await
    .unwrap()
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

fn serve_with(i: &Install, personal_feeds: bool) -> Server {
    configure(
        i,
        &format!(
            "[accounts]\ntrust_proxy_headers = true\npersonal_feeds = {personal_feeds}\n[api]\nrequests_per_minute = 0\n"
        ),
    );
    i.serve(&["--no-crawl"])
}

/// A long article: the excerpt-only source's shows only its opening.
fn long_text(tag: &str) -> String {
    (0..12)
        .map(|p| {
            let words: Vec<String> = (0..40).map(|w| format!("{tag}{p}w{w}")).collect();
            format!("Paragraph {p} of {tag}: {}.", words.join(" "))
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[tokio::test]
async fn google_reader_api_as_apps_use_it() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let store = i.store().await;
        let wire = add_source(&store, "wire.example", DisplayPolicy::Full).await;
        let herald = add_source(&store, "herald.example", DisplayPolicy::Excerpt).await;
        let mut w = Vec::new();
        for t in ["Wire alpha", "Wire bravo", "Wire charlie"] {
            w.push(
                add_article(
                    &store,
                    wire,
                    "wire.example",
                    t,
                    &format!("{t} body. Pelican parade today."),
                )
                .await,
            );
        }
        let h0 = add_article(
            &store,
            herald,
            "herald.example",
            "Herald delta",
            &long_text("delta"),
        )
        .await;
        let h1 = add_article(
            &store,
            herald,
            "herald.example",
            "Herald echo",
            &long_text("echo"),
        )
        .await;
        // Oldest first: w0 h0 w1 h1 w2.
        in_order(&store, &[w[0], h0, w[1], h1, w[2]]).await;
        cli_user(&i, "ada", None);
        cli_user(&i, "bob", None);
        let mut server = serve_with(&i, true);

        // No token, a made-up one: 401.
        let mut ada = Gr::new(&server, "10.7.0.1");
        assert_eq!(ada.get("/reader/api/0/subscription/list").await.status, 401);
        ada.auth = "tdg_0000".into();
        assert_eq!(ada.get("/reader/api/0/subscription/list").await.status, 401);
        assert_eq!(ada.get("/reader/api/0/user-info").await.status, 401);
        // A wrong password: the app's usual answer.
        let a = ada.login("ada", "not the password").await;
        assert_eq!(a.status, 401);
        assert!(a.body.contains("Error=BadAuthentication"), "{}", a.body);
        let a = ada.login("ada", PW).await;
        assert_eq!(a.status, 200, "{}", a.body);
        assert!(
            a.body.starts_with("SID=") && a.body.contains("\nAuth=tdg_"),
            "{}",
            a.body
        );
        assert!(!ada.t.is_empty());
        let me = ada.json("/reader/api/0/user-info").await;
        assert_eq!(me["userName"], "ada");
        // The issued token is revocable like any other: it is listed.
        let ada_id = store.user_by_name("ada").await.unwrap().unwrap().id;
        assert!(
            store
                .list_api_tokens(ada_id)
                .await
                .unwrap()
                .iter()
                .any(|t| t.name.contains("Google Reader"))
        );

        // Writes need T.
        let a = ada
            .http
            .post(format!("{}/reader/api/0/subscription/quickadd", ada.base))
            .header("authorization", format!("GoogleLogin auth={}", ada.auth))
            .form(&[("quickadd", "https://wire.example/feed.xml")])
            .send()
            .await
            .unwrap();
        assert_eq!(a.status(), 401);
        assert_eq!(a.headers()["google-bad-token"], "true");

        // Subscribe: quickadd, and subscription/edit with a title and a label.
        let q = ada
            .post(
                "/reader/api/0/subscription/quickadd",
                &[("quickadd", "https://wire.example/feed.xml")],
            )
            .await
            .json();
        assert_eq!(q["numResults"], 1);
        assert_eq!(q["streamId"], "feed/https://wire.example/feed.xml");
        assert_eq!(q["streamName"], "wire");
        ada.ok(
            "/reader/api/0/subscription/edit",
            &[
                ("ac", "subscribe"),
                ("s", "feed/https://herald.example/feed.xml"),
                ("t", "The Herald"),
                ("a", "user/-/label/News"),
            ],
        )
        .await;
        let subs = ada.json("/reader/api/0/subscription/list").await;
        let subs = subs["subscriptions"].as_array().unwrap();
        assert_eq!(subs.len(), 2, "{subs:?}");
        let h = subs
            .iter()
            .find(|s| s["id"] == "feed/https://herald.example/feed.xml")
            .unwrap();
        assert_eq!(h["title"], "The Herald");
        assert_eq!(h["url"], "https://herald.example/feed.xml");
        assert_eq!(h["htmlUrl"], "https://herald.example/");
        assert_eq!(
            h["categories"],
            json!([{"id": "user/-/label/News", "label": "News"}])
        );
        let tags = ada.json("/reader/api/0/tag/list").await;
        let tag_ids: Vec<&str> = tags["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert_eq!(tag_ids, [STARRED, "user/-/label/News"]);

        // Unread counts: per feed, per label, the reading list.
        let feed_w = "feed/https://wire.example/feed.xml".to_string();
        let feed_h = "feed/https://herald.example/feed.xml".to_string();
        let rl = READING_LIST.to_string();
        let label = "user/-/label/News".to_string();
        assert_eq!(
            ada.unread().await,
            vec![
                (feed_h.clone(), 2),
                (feed_w.clone(), 3),
                (label.clone(), 2),
                (rl.clone(), 5)
            ]
        );

        // Ids, newest first, two per page: three pages, nothing twice.
        let newest_first: Vec<i64> = [w[2], h1, w[1], h0, w[0]].iter().map(|a| a.0).collect();
        let (ids, pages) = ada.all_ids(&format!("s={}", enc(READING_LIST)), 2).await;
        assert_eq!((ids.clone(), pages), (newest_first.clone(), 3));
        // Oldest first, and one feed, and a time window (ot: seconds).
        let (ids, _) = ada
            .all_ids(&format!("s={}&r=o", enc(READING_LIST)), 3)
            .await;
        assert_eq!(ids, newest_first.iter().rev().copied().collect::<Vec<_>>());
        let (ids, _) = ada.all_ids(&format!("s={}", enc(&feed_h)), 10).await;
        assert_eq!(ids, [h1.0, h0.0]);
        let (ids, _) = ada.all_ids(&format!("s={}", enc(&label)), 10).await;
        assert_eq!(ids, [h1.0, h0.0]);
        let (ids, _) = ada
            .all_ids(
                &format!(
                    "s={}&ot={}",
                    enc(READING_LIST),
                    tidings_core::now_ms() / 1000 + 60
                ),
                10,
            )
            .await;
        assert!(ids.is_empty());
        let bad = ada
            .get("/reader/api/0/stream/items/ids?s=user/-/state/com.google/reading-list&c=nonsense")
            .await;
        assert_eq!(bad.status, 400);

        // Contents by id, long and short forms alike.
        let long = ada.contents(&[w[2].0, h0.0], true).await;
        let short = ada.contents(&[w[2].0, h0.0], false).await;
        assert_eq!(long["items"], short["items"]);
        let items = long["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let it = &items[0];
        assert_eq!(
            it["id"],
            format!("tag:google.com,2005:reader/item/{:016x}", w[2].0)
        );
        assert_eq!(it["title"], "Wire charlie");
        assert_eq!(
            it["alternate"][0]["href"],
            "https://wire.example/wire-charlie"
        );
        assert_eq!(
            it["canonical"][0]["href"],
            "https://wire.example/wire-charlie"
        );
        assert_eq!(it["origin"]["streamId"], feed_w);
        assert_eq!(it["origin"]["title"], "wire");
        assert_eq!(it["origin"]["htmlUrl"], "https://wire.example/");
        let crawl: i64 = it["crawlTimeMsec"].as_str().unwrap().parse().unwrap();
        let usec: i64 = it["timestampUsec"].as_str().unwrap().parse().unwrap();
        assert_eq!(usec, crawl * 1000);
        assert_eq!(it["published"].as_i64().unwrap(), crawl / 1000);
        assert!(
            it["summary"]["content"]
                .as_str()
                .unwrap()
                .contains("Wire charlie body.")
        );
        assert_eq!(it["categories"], json!([READING_LIST]));
        let hd = &items[1];
        assert_eq!(hd["origin"]["title"], "The Herald");
        assert_eq!(hd["categories"], json!([READING_LIST, "user/-/label/News"]));
        // The excerpt-only source: its opening only, the very HTML the JSON API serves.
        let content = hd["summary"]["content"].as_str().unwrap();
        assert!(
            content.contains("delta0w0") && !content.contains("delta11w39"),
            "{content}"
        );
        for (id, item) in [(w[2], it), (h0, hd)] {
            let api: Value = http()
                .get(server.url(&format!("/api/v1/articles/{}", id.0)))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(item["summary"]["content"], api["html"], "article {id:?}");
        }
        // stream/contents: a feed (its id in the path, encoded as apps do), a page and its continuation.
        let v = ada
            .json(&format!(
                "/reader/api/0/stream/contents/{}?n=1",
                enc(&feed_w)
            ))
            .await;
        assert_eq!(v["id"], feed_w);
        assert_eq!(v["items"][0]["title"], "Wire charlie");
        let c = v["continuation"].as_str().unwrap().to_string();
        let v = ada
            .json(&format!(
                "/reader/api/0/stream/contents/{}?n=5&c={}",
                enc(&feed_w),
                enc(&c)
            ))
            .await;
        let titles: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["Wire bravo", "Wire alpha"]);
        assert!(v.get("continuation").is_none());

        // Read, kept unread, starred.
        let w2 = w[2].0.to_string();
        ada.ok("/reader/api/0/edit-tag", &[("i", &w2), ("a", READ)])
            .await;
        assert_eq!(
            ada.unread().await.iter().find(|(k, _)| *k == rl).unwrap().1,
            4
        );
        let it = ada.contents(&[w[2].0], true).await;
        assert_eq!(it["items"][0]["categories"], json!([READING_LIST, READ]));
        let (unread_ids, _) = ada
            .all_ids(&format!("s={}&xt={}", enc(READING_LIST), enc(READ)), 10)
            .await;
        assert_eq!(unread_ids, [h1.0, w[1].0, h0.0, w[0].0]);
        let (read_ids, _) = ada
            .all_ids(&format!("s={}&it={}", enc(READING_LIST), enc(READ)), 10)
            .await;
        assert_eq!(read_ids, [w[2].0]);
        ada.ok(
            "/reader/api/0/edit-tag",
            &[
                ("i", &w2),
                ("a", "user/-/state/com.google/kept-unread"),
                ("r", READ),
            ],
        )
        .await;
        assert_eq!(
            ada.unread().await.iter().find(|(k, _)| *k == rl).unwrap().1,
            5
        );
        let long_h1 = format!("tag:google.com,2005:reader/item/{:016x}", h1.0);
        ada.ok(
            "/reader/api/0/edit-tag",
            &[("i", &long_h1), ("i", &w2), ("a", STARRED)],
        )
        .await;
        let (starred, _) = ada.all_ids(&format!("s={}", enc(STARRED)), 10).await;
        assert_eq!(starred, [w[2].0, h1.0]);
        let v = ada
            .json(&format!("/reader/api/0/stream/contents/{}", enc(STARRED)))
            .await;
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        assert!(
            v["items"][0]["categories"]
                .as_array()
                .unwrap()
                .contains(&json!(STARRED))
        );
        ada.ok("/reader/api/0/edit-tag", &[("i", &w2), ("r", STARRED)])
            .await;
        let (starred, _) = ada.all_ids(&format!("s={}", enc(STARRED)), 10).await;
        assert_eq!(starred, [h1.0]);

        // Mark all as read: one feed up to now (ts in microseconds), then everything.
        let now_usec = (tidings_core::now_ms() * 1000).to_string();
        ada.ok(
            "/reader/api/0/mark-all-as-read",
            &[("s", &feed_w), ("ts", &now_usec)],
        )
        .await;
        assert_eq!(
            ada.unread().await,
            vec![(feed_h.clone(), 2), (label.clone(), 2), (rl.clone(), 2)]
        );
        ada.ok("/reader/api/0/mark-all-as-read", &[("s", READING_LIST)])
            .await;
        assert_eq!(ada.unread().await, vec![(rl.clone(), 0)]);

        // Labels: rename, then remove from the subscription; unsubscribe.
        ada.ok(
            "/reader/api/0/rename-tag",
            &[("s", "user/-/label/News"), ("dest", "user/-/label/Papers")],
        )
        .await;
        let subs = ada.json("/reader/api/0/subscription/list").await;
        assert!(
            subs.to_string().contains("user/-/label/Papers")
                && !subs.to_string().contains("label/News")
        );
        ada.ok(
            "/reader/api/0/subscription/edit",
            &[
                ("ac", "edit"),
                ("s", &feed_h),
                ("r", "user/-/label/Papers"),
                ("t", "Herald"),
            ],
        )
        .await;
        let subs = ada.json("/reader/api/0/subscription/list").await;
        let h = subs["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == feed_h)
            .unwrap()
            .clone();
        assert_eq!(
            (h["title"].clone(), h["categories"].clone()),
            (json!("Herald"), json!([]))
        );
        ada.ok(
            "/reader/api/0/subscription/edit",
            &[("ac", "unsubscribe"), ("s", &feed_h)],
        )
        .await;
        assert_eq!(
            ada.json("/reader/api/0/subscription/list").await["subscriptions"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        // A feed that is no source: a private source for ada alone.
        let secret_feed = "https://ada-secret.example/feed.xml";
        let q = ada
            .post(
                "/reader/api/0/subscription/quickadd",
                &[("quickadd", secret_feed)],
            )
            .await
            .json();
        assert_eq!(q["streamId"], format!("feed/{secret_feed}"));
        let follows = store.follows(ada_id).await.unwrap();
        let private = follows
            .sources
            .iter()
            .find(|s| s.url == secret_feed)
            .unwrap();
        assert!(private.private);
        let secret = add_article(
            &store,
            private.source_id,
            "ada-secret.example",
            "Zanzibar quokka secret",
            "The quokka of Zanzibar, in private.",
        )
        .await;
        let (ids, _) = ada.all_ids(&format!("s={}", enc(READING_LIST)), 50).await;
        assert_eq!(ids.first(), Some(&secret.0));
        let v = ada
            .json(&format!(
                "/reader/api/0/stream/contents/{}",
                enc(&format!("feed/{secret_feed}"))
            ))
            .await;
        assert_eq!(v["items"][0]["title"], "Zanzibar quokka secret");

        // Bob, with a personal API token as his password, sees none of it.
        let tok: Value = http()
            .post(server.url("/api/v1/auth/token"))
            .header("x-forwarded-for", "10.7.0.2")
            .json(&json!({"username": "bob", "password": PW, "name": "apps"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let bob_token = tok["token"].as_str().unwrap().to_string();
        let mut bob = Gr::new(&server, "10.7.0.2");
        let a = bob.login("bob", &bob_token).await;
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(bob.auth, bob_token, "a token signs in as itself");
        // A token of another account is no password for this one.
        let mut mallory = Gr::new(&server, "10.7.0.3");
        assert_eq!(mallory.login("ada", &bob_token).await.status, 401);
        // Its articles or its address (a stream id bob sends is echoed back to him).
        let leaks = |path: &str, body: &str| {
            let b = body.to_lowercase();
            b.contains("quokka") || (b.contains("ada-secret") && !path.contains("ada-secret"))
        };
        let secret_long = format!("tag:google.com,2005:reader/item/{:016x}", secret.0);
        for path in [
            format!(
                "/reader/api/0/stream/contents/{}",
                enc(&format!("feed/{secret_feed}"))
            ),
            format!(
                "/reader/api/0/stream/contents/feed%2F{}",
                private.source_id.0
            ),
            format!("/reader/api/0/stream/items/ids?s={}", enc(READING_LIST)),
            format!(
                "/reader/api/0/stream/items/ids?s=feed%2F{}",
                private.source_id.0
            ),
            "/reader/api/0/subscription/list".into(),
            "/reader/api/0/unread-count".into(),
            format!(
                "/reader/api/0/stream/items/contents?i={}",
                enc(&secret_long)
            ),
        ] {
            let a = bob.get(&path).await;
            assert_eq!(a.status, 200, "{path}: {}", a.body);
            assert!(
                !leaks(&path, &a.body),
                "bob sees the private feed on {path}: {}",
                a.body
            );
        }
        assert!(
            bob.contents(&[secret.0], true).await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let a = bob
            .post(
                "/reader/api/0/edit-tag",
                &[("i", &secret.0.to_string()), ("a", STARRED)],
            )
            .await;
        assert_eq!(a.status, 404, "{}", a.body);
        let a = bob
            .post(
                "/reader/api/0/edit-tag",
                &[("i", &secret.0.to_string()), ("a", READ)],
            )
            .await;
        assert_eq!(a.status, 404, "{}", a.body);
        let a = bob
            .post(
                "/reader/api/0/mark-all-as-read",
                &[("s", &format!("feed/{}", private.source_id.0))],
            )
            .await;
        assert_eq!(a.status, 404, "{}", a.body);

        // Nor does the public site, its feeds, search or the public API.
        let client = http();
        let start = Instant::now();
        loop {
            let r = client
                .get(server.url("/api/v1/search?q=pelican"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if r.contains("Wire") {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "never indexed: {r}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for path in [
            "/".to_string(),
            "/sources".into(),
            "/feed.xml".into(),
            "/feed.json".into(),
            "/sitemap-articles-0.xml".into(),
            "/search?q=quokka".into(),
            "/api/v1/articles".into(),
            "/api/v1/sources".into(),
            "/api/v1/search?q=quokka".into(),
            format!("/a/{}", secret.0),
            format!("/api/v1/articles/{}", secret.0),
            format!("/source/{}", private.source_id.0),
        ] {
            let r = client.get(server.url(&path)).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap().to_lowercase();
            assert!(status == 200 || status == 404, "{path}: {status}");
            assert!(
                !body.contains("zanzibar quokka")
                    && !body.contains("quokka of zanzibar")
                    && !body.contains("ada-secret"),
                "the public sees the private feed on {path}"
            );
        }

        // The login form's throttling: a client that keeps failing on a name waits.
        let mut eve = Gr::new(&server, "10.7.0.9");
        let mut throttled = None;
        for _ in 0..20 {
            let a = eve.login("bob", "not bob's password").await;
            if a.status == 429 {
                throttled = Some(a);
                break;
            }
            assert_eq!(a.status, 401, "{}", a.body);
        }
        let a = throttled.expect("failed logins were never throttled");
        assert!(a.headers.contains_key("retry-after"), "{:?}", a.headers);
        assert_eq!(
            eve.login("bob", PW).await.status,
            429,
            "checked only after the wait"
        );

        // With personal feeds turned off, a feed that is no source is refused, saying why.
        server.signal("TERM");
        server.wait(Duration::from_secs(30));
        let server = serve_with(&i, false);
        let mut ada = Gr::new(&server, "10.7.0.4");
        assert_eq!(ada.login("ada", PW).await.status, 200);
        let a = ada
            .post(
                "/reader/api/0/subscription/quickadd",
                &[("quickadd", "https://elsewhere.example/rss")],
            )
            .await;
        assert_eq!(a.status, 403, "{}", a.body);
        assert!(a.body.contains("personal_feeds"), "{}", a.body);
        assert!(
            a.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );

        // An app that signs in with the password on every sync does not pile
        // up tokens: the ten most recently used stay live, older ones stop
        // working (401), and the account lists only those as live.
        let first = ada.auth.clone();
        assert_eq!(ada.get("/reader/api/0/user-info").await.status, 200);
        let mut apps = Vec::new();
        for n in 0..11 {
            let mut app = Gr::new(&server, &format!("10.7.1.{n}"));
            assert_eq!(app.login("ada", PW).await.status, 200);
            apps.push(app);
        }
        let mut old = Gr::new(&server, "10.7.0.4");
        old.auth = first;
        assert_eq!(old.get("/reader/api/0/user-info").await.status, 401);
        assert_eq!(apps[0].get("/reader/api/0/user-info").await.status, 401);
        for app in &apps[1..] {
            assert_eq!(app.get("/reader/api/0/user-info").await.status, 200);
        }
        let store = i.store().await;
        let user = store.user_by_name("ada").await.unwrap().unwrap();
        let live = store
            .list_api_tokens(user.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.name.starts_with("Reader app (Google") && t.revoked_at.is_none())
            .count();
        assert_eq!(live, 10);
    }
}

#[tokio::test]
async fn fever_api_as_apps_use_it() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let store = i.store().await;
        let wire = add_source(&store, "wire.example", DisplayPolicy::Full).await;
        let herald = add_source(&store, "herald.example", DisplayPolicy::Excerpt).await;
        let a0 = add_article(&store, wire, "wire.example", "Wire alpha", "Alpha body.").await;
        let a1 = add_article(
            &store,
            herald,
            "herald.example",
            "Herald bravo",
            &long_text("bravo"),
        )
        .await;
        let a2 = add_article(
            &store,
            wire,
            "wire.example",
            "Wire charlie",
            "Charlie body.",
        )
        .await;
        in_order(&store, &[a0, a1, a2]).await;
        cli_user(&i, "ada", None);
        let server = serve_with(&i, false);

        // The reader makes a Fever app password on their account page.
        let mut web = Web::new(&server, "10.8.0.1");
        web.login("ada", PW, false).await;
        let page = web.get("/account/apps").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("/api/greader") && page.body.contains("/api/fever"));
        let csrf = crate::community::csrf_in(&page.body).unwrap();
        let r = web.post("/account/apps/fever", &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let pw = r
            .body
            .split("id=\"fever-password\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        // What a Fever client sends: md5("username:password").
        let key = {
            use md5::Digest;
            let d = md5::Md5::digest(format!("ada:{pw}").as_bytes());
            d.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let fever = |query: &'static str, key: String, form: Vec<(&'static str, String)>| {
            let url = server.url(&format!("/api/fever/?api{query}"));
            async move {
                let mut f = form;
                f.push(("api_key", key));
                let r = http().post(url).form(&f).send().await.unwrap();
                assert_eq!(r.status(), 200);
                assert!(
                    r.headers()["content-type"]
                        .to_str()
                        .unwrap()
                        .starts_with("application/json")
                );
                r.json::<Value>().await.unwrap()
            }
        };
        let v = fever("", "0".repeat(32), vec![]).await;
        assert_eq!(v, json!({"api_version": 3, "auth": 0}));
        let v = fever("", key.clone(), vec![]).await;
        assert_eq!(
            (v["api_version"].clone(), v["auth"].clone()),
            (json!(3), json!(1))
        );
        assert!(v["last_refreshed_on_time"].as_i64().unwrap() > 1_700_000_000);

        // Follow both sources (the JSON API), label one: feeds and groups.
        let t = web.api_token("fever test").await;
        for s in [wire, herald] {
            let r = http()
                .put(server.url(&format!("/api/v1/follows/sources/{}", s.0)))
                .bearer_auth(&t)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        let ada_id = store.user_by_name("ada").await.unwrap().unwrap().id;
        store
            .add_source_label(ada_id, herald, "Papers")
            .await
            .unwrap();
        let v = fever("&feeds&groups", key.clone(), vec![]).await;
        let feeds = v["feeds"].as_array().unwrap();
        assert_eq!(feeds.len(), 2);
        assert!(feeds.iter().any(|f| f["id"] == wire.0
            && f["title"] == "wire"
            && f["url"] == "https://wire.example/feed.xml"));
        assert_eq!(v["groups"].as_array().unwrap().len(), 1);
        assert_eq!(v["groups"][0]["title"], "Papers");
        let gid = v["groups"][0]["id"].clone();
        assert_eq!(
            v["feeds_groups"],
            json!([{"group_id": gid, "feed_ids": herald.0.to_string()}])
        );
        assert_eq!(
            fever("&favicons", key.clone(), vec![]).await["favicons"],
            json!([])
        );

        // Items by id: since_id (ascending), max_id (descending), with_ids.
        let v = fever("&items&since_id=0", key.clone(), vec![]).await;
        let ids: Vec<i64> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [a0.0, a1.0, a2.0]);
        assert_eq!(v["total_items"], 3);
        let it = &v["items"][0];
        assert_eq!(
            (it["feed_id"].clone(), it["title"].clone()),
            (json!(wire.0), json!("Wire alpha"))
        );
        assert_eq!(
            (it["is_read"].clone(), it["is_saved"].clone()),
            (json!(0), json!(0))
        );
        assert_eq!(it["url"], "https://wire.example/wire-alpha");
        let html = v["items"][1]["html"].as_str().unwrap();
        assert!(
            html.contains("bravo0w0") && !html.contains("bravo11w39"),
            "excerpt only: {html}"
        );
        let v = fever("&items", key.clone(), vec![("since_id", a0.0.to_string())]).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        let v = fever("&items", key.clone(), vec![("max_id", a2.0.to_string())]).await;
        let ids: Vec<i64> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [a1.0, a0.0]);
        let v = fever(
            "&items",
            key.clone(),
            vec![("with_ids", format!("{},{}", a2.0, a0.0))],
        )
        .await;
        let ids: Vec<i64> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, [a2.0, a0.0]);

        // Read and saved state.
        let csv = |ids: &[ArticleId]| {
            ids.iter()
                .map(|a| a.0.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let v = fever("&unread_item_ids&saved_item_ids", key.clone(), vec![]).await;
        assert_eq!(v["unread_item_ids"], csv(&[a2, a1, a0]));
        assert_eq!(v["saved_item_ids"], "");
        for (how, id) in [("read", a1), ("saved", a0), ("saved", a2), ("unsaved", a2)] {
            let v = fever(
                "",
                key.clone(),
                vec![
                    ("mark", "item".into()),
                    ("as", how.into()),
                    ("id", id.0.to_string()),
                ],
            )
            .await;
            assert_eq!(v["auth"], 1, "{v}");
        }
        let v = fever("&unread_item_ids&saved_item_ids", key.clone(), vec![]).await;
        assert_eq!(v["unread_item_ids"], csv(&[a2, a0]));
        assert_eq!(v["saved_item_ids"], csv(&[a0]));
        let v = fever("&items", key.clone(), vec![("with_ids", a0.0.to_string())]).await;
        assert_eq!(
            (
                v["items"][0]["is_read"].clone(),
                v["items"][0]["is_saved"].clone()
            ),
            (json!(0), json!(1))
        );
        fever(
            "",
            key.clone(),
            vec![
                ("mark", "item".into()),
                ("as", "unread".into()),
                ("id", a1.0.to_string()),
            ],
        )
        .await;
        assert_eq!(
            fever("&unread_item_ids", key.clone(), vec![]).await["unread_item_ids"],
            csv(&[a2, a1, a0])
        );
        // A group, then a feed, read up to now.
        let now = (tidings_core::now_ms() / 1000 + 1).to_string();
        fever(
            "",
            key.clone(),
            vec![
                ("mark", "group".into()),
                ("as", "read".into()),
                ("id", gid.to_string()),
                ("before", now.clone()),
            ],
        )
        .await;
        assert_eq!(
            fever("&unread_item_ids", key.clone(), vec![]).await["unread_item_ids"],
            csv(&[a2, a0])
        );
        fever(
            "",
            key.clone(),
            vec![
                ("mark", "feed".into()),
                ("as", "read".into()),
                ("id", wire.0.to_string()),
                ("before", now),
            ],
        )
        .await;
        assert_eq!(
            fever("&unread_item_ids", key.clone(), vec![]).await["unread_item_ids"],
            ""
        );

        // The app password is a token like any other: revoked, it stops working.
        let tokens = store.list_api_tokens(ada_id).await.unwrap();
        let fever_token = tokens.iter().find(|t| t.name.contains("Fever")).unwrap();
        assert!(
            store
                .revoke_api_token(ada_id, fever_token.id)
                .await
                .unwrap()
        );
        assert_eq!(fever("", key.clone(), vec![]).await["auth"], 0);
    }
}
