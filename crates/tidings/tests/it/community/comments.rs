//! Comments through the real server: threads, sorting, votes, edits,
//! deletion, reports, limits and every refusal, on article and story pages.

use super::*;
use tidings_core::{ArticleId, StoryId};
use tidings_store::Thread;

async fn post(web: &mut Web, aid: i64, parent: Option<i64>, body: &str) -> Resp {
    let t = web.token().await;
    let id = aid.to_string();
    let parent = parent.map(|p| p.to_string()).unwrap_or_default();
    let mut form = vec![
        ("csrf", t.as_str()),
        ("thread", "article"),
        ("thread_id", id.as_str()),
        ("body", body),
    ];
    if !parent.is_empty() {
        form.push(("parent", parent.as_str()));
    }
    web.post("/comments", &form).await
}

/// The id in a redirect to `…#c123`.
fn cid(r: &Resp) -> i64 {
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().rsplit("#c").next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn threads_votes_edits_deletes_and_reports() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(
            &i,
            "[comments]\nmax_depth = 2\nmax_length = 200\nnew_account_hours = 0\n",
        );
        let store = i.store().await;
        let (path, aid) = seed_article(&store, "Council approves budget").await;

        // Visitors see the empty state and an invitation to log in; no form.
        let mut anon = Web::new(&server, "10.5.0.1");
        let page = anon.get(&path).await;
        assert!(page.body.contains("No comments yet — be the first."));
        assert!(page.body.contains("/login?next="));
        assert!(!page.body.contains("action=\"/comments\""));
        assert_eq!(
            page.headers["cache-control"], "public, max-age=60",
            "visitors' pages stay cacheable"
        );
        // A visitor cannot post, even with their own visitor token.
        let t = anon.csrf("/login").await;
        let r = anon
            .post(
                "/comments",
                &[
                    ("csrf", &t),
                    ("thread", "article"),
                    ("thread_id", &aid.to_string()),
                    ("body", "hi"),
                ],
            )
            .await;
        assert_eq!(r.status, 401);

        let mut ann = Web::new(&server, "10.5.0.2");
        ann.register("ann", PW).await;
        let mut ben = Web::new(&server, "10.5.0.3");
        ben.register("ben", PW).await;

        // Bad input: empty, blank, too long, unknown thread, wrong token.
        for (body, status, why) in [
            ("", 422, "empty"),
            (" \n\t ", 422, "empty"),
            (&"x".repeat(201) as &str, 422, "at most 200"),
        ] {
            let r = post(&mut ann, aid, None, body).await;
            assert_eq!(r.status, status, "{body:?}");
            assert!(r.body.contains(why), "{}", r.body);
        }
        let t = ann.token().await;
        let r = ann
            .post(
                "/comments",
                &[
                    ("csrf", &t),
                    ("thread", "article"),
                    ("thread_id", "999999"),
                    ("body", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, 404);
        let r = ann
            .post(
                "/comments",
                &[
                    ("csrf", &t),
                    ("thread", "planet"),
                    ("thread_id", &aid.to_string()),
                    ("body", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, 404);
        let r = ann
            .post(
                "/comments",
                &[
                    ("csrf", "wrong"),
                    ("thread", "article"),
                    ("thread_id", &aid.to_string()),
                    ("body", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, 403);
        assert_eq!(
            store
                .thread_comments(Thread::Article(ArticleId(aid)), None, 10)
                .await
                .unwrap()
                .len(),
            0
        );

        // A thread: comment, reply, reply to the reply; deeper is refused.
        let c1 = cid(&post(
            &mut ann,
            aid,
            None,
            "First <b>bold</b> claim.\n\nSee https://example.org/report?a=1&b=2.",
        )
        .await);
        let c2 = cid(&post(&mut ben, aid, Some(c1), "A reply from ben").await);
        let c3 = cid(&post(&mut ann, aid, Some(c2), "Deeper still").await);
        let r = post(&mut ben, aid, Some(c3), "too deep").await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("nested as deep"));
        let r = post(&mut ben, aid, Some(999_999), "no parent").await;
        assert_eq!(r.status, 422);
        let page = ann.get(&path).await.body;
        assert!(
            page.contains("First &lt;b&gt;bold&lt;/b&gt; claim."),
            "escaped"
        );
        assert!(
            page.contains(
                "<a href=\"https://example.org/report?a=1&amp;b=2\" rel=\"nofollow ugc noopener\">"
            ),
            "auto-linked"
        );
        assert!(
            page.contains(&format!("id=\"c{c2}\""))
                && page.contains("depth-1")
                && page.contains("depth-2")
        );
        assert!(
            page.find(&format!("id=\"c{c1}\"")).unwrap()
                < page.find(&format!("id=\"c{c2}\"")).unwrap()
        );
        assert!(!page.contains("No comments yet"));
        // The reply box is offered only where replies may go.
        assert!(page.contains(&format!("name=\"parent\" value=\"{c1}\"")));
        assert!(
            !page.contains(&format!("name=\"parent\" value=\"{c3}\"")),
            "at the depth limit"
        );

        // Votes: not one's own; idempotent; JSON for scripts; counted.
        let t = ann.token().await;
        let r = ann
            .post(
                &format!("/comments/{c1}/vote"),
                &[("csrf", &t), ("up", "1")],
            )
            .await;
        assert_eq!(r.status, 403, "own comment");
        let tb = ben.token().await;
        let r = ben
            .post(
                &format!("/comments/{c1}/vote"),
                &[("csrf", &tb), ("up", "1")],
            )
            .await;
        assert_eq!(r.status, 303);
        let r = ben
            .post_with(
                &format!("/comments/{c1}/vote"),
                &[("csrf", &tb), ("up", "1")],
                &[("origin", &server.base), ("accept", "application/json")],
            )
            .await;
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(
            (v["score"].as_i64(), v["voted"].as_bool()),
            (Some(1), Some(true))
        );
        let r = ben
            .post(
                &format!("/comments/{c1}/vote"),
                &[("csrf", &tb), ("up", "1")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(
            store
                .comment(tidings_core::CommentId(c1), None)
                .await
                .unwrap()
                .unwrap()
                .score,
            1
        );

        // Sorting: top puts the upvoted thread first; newest reverses.
        let c4 = cid(&post(&mut ben, aid, None, "A later top-level comment").await);
        let page = ann.get(&format!("{path}?sort=newest")).await.body;
        assert!(
            page.find(&format!("id=\"c{c4}\"")).unwrap()
                < page.find(&format!("id=\"c{c1}\"")).unwrap()
        );
        let page = ann.get(&format!("{path}?sort=top")).await.body;
        assert!(
            page.find(&format!("id=\"c{c1}\"")).unwrap()
                < page.find(&format!("id=\"c{c4}\"")).unwrap()
        );
        let page = ann.get(&format!("{path}?sort=oldest")).await.body;
        assert!(
            page.find(&format!("id=\"c{c1}\"")).unwrap()
                < page.find(&format!("id=\"c{c4}\"")).unwrap()
        );

        // Edit: own comment, within the window, shown as edited.
        let r = ben.get(&format!("/comments/{c1}/edit")).await;
        assert_eq!(r.status, 403, "not ben's");
        let r = ann.get(&format!("/comments/{c1}/edit")).await;
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("First &#60;b&#62;bold&#60;/b&#62; claim."),
            "{}",
            r.body
        );
        let t = csrf_in(&r.body).unwrap();
        let r = ann
            .post(
                &format!("/comments/{c1}/edit"),
                &[("csrf", &t), ("body", "")],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = ann
            .post(
                &format!("/comments/{c1}/edit"),
                &[("csrf", &t), ("body", "First claim, corrected.")],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = ann.get(&path).await.body;
        assert!(page.contains("First claim, corrected.") && page.contains(">edited<"));
        // After the window closes, no more edits.
        store
            .debug_execute(&format!(
                "UPDATE comments SET created_at = created_at - 3600000 WHERE id = {c1}"
            ))
            .await
            .unwrap();
        assert_eq!(ann.get(&format!("/comments/{c1}/edit")).await.status, 403);
        let r = ann
            .post(
                &format!("/comments/{c1}/edit"),
                &[("csrf", &t), ("body", "sneaky")],
            )
            .await;
        assert_eq!(r.status, 403);

        // Reports: a reason is required; not one's own; the moderator sees it.
        let r = ben
            .post(
                &format!("/comments/{c1}/report"),
                &[("csrf", &tb), ("reason", "")],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = ben
            .post(
                &format!("/comments/{c1}/report"),
                &[("csrf", &tb), ("reason", "other")],
            )
            .await;
        assert_eq!(r.status, 422, "other needs details");
        let r = ann
            .post(
                &format!("/comments/{c3}/report"),
                &[("csrf", &t), ("reason", "spam")],
            )
            .await;
        assert_eq!(r.status, 403, "own comment");
        let r = ben
            .post(
                &format!("/comments/{c1}/report"),
                &[
                    ("csrf", &tb),
                    ("reason", "abuse"),
                    ("details", "insults me"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(r.location().contains("done=reported"));
        assert!(
            ben.get(&r.location())
                .await
                .body
                .contains("a moderator will look at your report")
        );
        assert_eq!(store.count_open_reports().await.unwrap(), 1);

        // Delete own: a tombstone keeps the replies in place.
        let r = ben
            .post(&format!("/comments/{c1}/delete"), &[("csrf", &tb)])
            .await;
        assert_eq!(r.status, 403, "not ben's");
        let r = ann
            .post(&format!("/comments/{c1}/delete"), &[("csrf", &t)])
            .await;
        assert_eq!(r.status, 303);
        let page = ben.get(&path).await.body;
        assert!(!page.contains("First claim, corrected."));
        assert!(page.contains("[deleted]"));
        assert!(page.contains("A reply from ben") && page.contains("Deeper still"));
        let r = post(&mut ben, aid, Some(c1), "reply to a deleted comment").await;
        assert_eq!(r.status, 422);

        // /comments/{id} finds a comment in its thread; the API lists the thread.
        let r = anon.get(&format!("/comments/{c2}")).await;
        assert_eq!(r.location(), format!("{path}#c{c2}"));
        assert_eq!(anon.get("/comments/999999").await.status, 404);
        let list: serde_json::Value = http()
            .get(server.url(&format!("/api/v1/comments?article={aid}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let list = list["comments"].as_array().unwrap();
        assert_eq!(list.len(), 4);
        assert_eq!(list[0]["status"], "deleted");
        assert!(list[0]["body"].is_null());
        assert_eq!(list[1]["body"], "A reply from ben");
        assert_eq!(list[1]["parent_id"], c1);
    }
}

#[tokio::test]
async fn limits_bans_locks_and_stories() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(
            &i,
            "[comments]\nper_user_per_hour = 3\nper_ip_per_hour = 5\nnew_account_max_links = 1\n",
        );
        let store = i.store().await;
        let (path, aid) = seed_article(&store, "Rate limits").await;
        let mut a = Web::new(&server, "10.6.0.1");
        a.register("newbie", PW).await;

        // New accounts: at most one link per comment.
        let r = post(&mut a, aid, None, "see http://a.example and www.b.example").await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("at most 1 link"), "{}", r.body);
        // Per-user limit: the 4th comment in the hour is refused, with Retry-After.
        for k in 0..3 {
            assert_eq!(
                post(&mut a, aid, None, &format!("comment {k} http://a.example"))
                    .await
                    .status,
                303
            );
        }
        let r = post(&mut a, aid, None, "one too many").await;
        assert_eq!(r.status, 429);
        assert_eq!(r.headers["retry-after"], "3600");
        assert!(r.body.contains("limit"));
        // Per-address limit: other accounts from the same address share it.
        let mut b = Web::new(&server, "10.6.0.1");
        b.register("sibling", PW).await;
        assert_eq!(
            post(&mut b, aid, None, "fourth from this address")
                .await
                .status,
            303
        );
        assert_eq!(post(&mut b, aid, None, "fifth").await.status, 303);
        assert_eq!(post(&mut b, aid, None, "sixth").await.status, 429);
        // Elsewhere, fine.
        let mut c = Web::new(&server, "10.6.0.9");
        c.register("carol", PW).await;
        let first = cid(&post(&mut c, aid, None, "from elsewhere").await);

        // Banned users cannot write, and see why.
        cli_user(&i, "modder", Some("--moderator"));
        let mut m = Web::new(&server, "10.6.0.5");
        assert_eq!(m.login("modder", PW, false).await.status, 303);
        let carol = store.user_by_name("carol").await.unwrap().unwrap();
        let mt = m.token().await;
        let r = m
            .post(
                &format!("/mod/users/{}/ban", carol.id),
                &[("csrf", &mt), ("reason", ""), ("days", "2")],
            )
            .await;
        assert_eq!(r.status, 422, "a ban needs a reason");
        let r = m
            .post(
                &format!("/mod/users/{}/ban", carol.id),
                &[("csrf", &mt), ("reason", "spam links"), ("days", "x")],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = m
            .post(
                &format!("/mod/users/{}/ban", carol.id),
                &[("csrf", &mt), ("reason", "spam links"), ("days", "2")],
            )
            .await;
        assert_eq!(r.status, 303);
        let r = post(&mut c, aid, None, "still here?").await;
        assert_eq!(r.status, 403);
        assert!(
            r.body.contains("suspended") && r.body.contains("spam links"),
            "{}",
            r.body
        );
        let tc = c.token().await;
        let r = c
            .post(
                &format!("/comments/{first}/vote"),
                &[("csrf", &tc), ("up", "1")],
            )
            .await;
        assert_eq!(r.status, 403);
        let page = c.get(&path).await.body;
        assert!(
            page.contains("suspended until"),
            "the page says why there is no form"
        );
        assert!(!page.contains("id=\"comment-form\""));
        let r = m
            .post(&format!("/mod/users/{}/unban", carol.id), &[("csrf", &mt)])
            .await;
        assert_eq!(r.status, 303);
        assert!(!c.get(&path).await.body.contains("suspended until"));

        // A locked thread takes no comments; the form disappears.
        let r = m
            .post(
                &format!("/mod/threads/article/{aid}/lock"),
                &[("csrf", &mt), ("reason", "heated"), ("back", &path)],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), path);
        let mut d = Web::new(&server, "10.6.0.7");
        d.register("dora", PW).await;
        let page = d.get(&path).await.body;
        assert!(page.contains("This thread is locked") && page.contains("heated"));
        assert!(!page.contains("id=\"comment-form\""));
        let r = post(&mut d, aid, None, "let me in").await;
        assert_eq!(r.status, 403);
        assert!(r.body.contains("locked"));
        let r = post(&mut d, aid, Some(first), "a reply then").await;
        assert_eq!(r.status, 403);
        m.post(
            &format!("/mod/threads/article/{aid}/unlock"),
            &[("csrf", &mt)],
        )
        .await;
        assert_eq!(post(&mut d, aid, None, "open again").await.status, 303);

        // Comments switched off site-wide by an admin.
        cli_user(&i, "boss", Some("--admin"));
        let mut boss = Web::new(&server, "10.6.0.8");
        boss.login("boss", PW, false).await;
        let bt = boss.token().await;
        let r = boss
            .post("/admin/settings", &[("csrf", &bt), ("rules", "Be kind.")])
            .await;
        assert_eq!(r.status, 303);
        let page = d.get(&path).await.body;
        assert!(page.contains("Comments are turned off") && page.contains("Be kind."));
        assert_eq!(post(&mut d, aid, None, "hello?").await.status, 403);
        boss.post(
            "/admin/settings",
            &[("csrf", &bt), ("comments_enabled", "1"), ("rules", "")],
        )
        .await;
        assert_eq!(post(&mut d, aid, None, "back on").await.status, 303);

        // Story pages have comments too.
        let story = store.debug_execute(
            "INSERT INTO stories (title, first_seen_at, last_seen_at, article_count, source_count, created_at, updated_at) VALUES ('A story', 1, 1, 1, 1, 1, 1)"
        )
        .await
        .unwrap();
        assert_eq!(story, 1);
        let sid: i64 = 1;
        let page = d.get(&format!("/story/{sid}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("No comments yet — be the first."));
        let t = d.token().await;
        let r = d
            .post(
                "/comments",
                &[
                    ("csrf", &t),
                    ("thread", "story"),
                    ("thread_id", &sid.to_string()),
                    ("body", "On the story"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(r.location().starts_with(&format!("/story/{sid}#c")));
        assert!(
            d.get(&format!("/story/{sid}"))
                .await
                .body
                .contains("On the story")
        );
        assert_eq!(
            store
                .thread_comments(Thread::Story(StoryId(sid)), None, 10)
                .await
                .unwrap()
                .len(),
            1
        );

        // Apps post with a token, by the same rules; cookies cannot post JSON.
        let mut d = Web::new(&server, "10.6.0.10");
        d.register("appuser", PW).await;
        let t = d.token().await;
        let r = d
            .post("/account/tokens", &[("csrf", &t), ("name", "app")])
            .await;
        let token = r
            .body
            .split("id=\"new-token\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        let http = http();
        let ok = http
            .post(server.url("/api/v1/comments"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"article": aid, "body": "from an app"}))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 201);
        let empty = http
            .post(server.url("/api/v1/comments"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"article": aid, "body": "  "}))
            .send()
            .await
            .unwrap();
        assert_eq!(empty.status(), 422);
        let v: serde_json::Value = empty.json().await.unwrap();
        assert_eq!(v["detail"], "The comment is empty.");
        assert_eq!(v["code"], "invalid_input");
        let cookie = http
            .post(server.url("/api/v1/comments"))
            .header(
                "cookie",
                format!("tidings_session={}", d.cookies["tidings_session"]),
            )
            .json(&serde_json::json!({"article": aid, "body": "via cookie"}))
            .send()
            .await
            .unwrap();
        assert_eq!(cookie.status(), 401);
    }
}

/// The comments section is rendered once per node for the readers who see a
/// thread alike (services::memo) and given each reader's own CSRF token; a
/// reader with votes or comments of their own, and a moderator, get theirs
/// rendered for them; a write on this node shows at once.
#[tokio::test]
async fn a_thread_rendered_once_is_still_each_readers_own() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "[comments]\nnew_account_hours = 0\n");
        let store = i.store().await;
        let (path, aid) = seed_article(&store, "Harbour bridge reopens").await;
        let mut ann = Web::new(&server, "10.6.0.1");
        ann.register("ann", PW).await;
        let mut ben = Web::new(&server, "10.6.0.2");
        ben.register("ben", PW).await;
        let mut cat = Web::new(&server, "10.6.0.3");
        cat.register("cat", PW).await;
        let mut dan = Web::new(&server, "10.6.0.4");
        dan.register("dan", PW).await;
        let c1 = cid(&post(&mut ann, aid, None, "The bridge opens at noon.").await);
        let c2 = cid(&post(&mut ann, aid, None, "Buses go back to their route.").await);

        // Two readers who see the thread alike, one after the other (the
        // second is served the section rendered for the first): each page's
        // forms carry that reader's token only, and every comment's forms.
        let (tc, td) = (cat.token().await, dan.token().await);
        assert_ne!(tc, td);
        for who in ["cat", "dan", "cat"] {
            let (web, token) = if who == "cat" {
                (&mut cat, &tc)
            } else {
                (&mut dan, &td)
            };
            let page = web.get(&path).await.body;
            for c in [c1, c2] {
                assert!(page.contains(&format!("action=\"/comments/{c}/report\"")));
            }
            let tokens = csrf_values(&page);
            assert!(tokens.len() >= 7, "{} forms", tokens.len());
            assert!(tokens.iter().all(|t| t == token), "{tokens:?} vs {token}");
        }

        // A vote changes the voter's page (pressed) but not the others'; the
        // score shows at once for everyone (the write is on this node).
        let tb = ben.token().await;
        let r = ben
            .post(
                &format!("/comments/{c1}/vote"),
                &[("csrf", &tb), ("up", "1")],
            )
            .await;
        assert_eq!(r.status, 303);
        let pressed = |page: &str, c: i64| {
            let li = page.split(&format!("id=\"c{c}\"")).nth(1).unwrap();
            let li = li.split("</li>").next().unwrap();
            li.contains("aria-pressed=\"true\"")
        };
        let score = |page: &str, c: i64| {
            let li = page.split(&format!("id=\"c{c}\"")).nth(1).unwrap();
            li.split("data-score>")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string()
        };
        let bens = ben.get(&path).await.body;
        assert!(pressed(&bens, c1) && !pressed(&bens, c2));
        assert!(csrf_values(&bens).iter().all(|t| t == &tb));
        let cats = cat.get(&path).await.body;
        assert!(!pressed(&cats, c1));
        assert_eq!(
            (score(&bens, c1), score(&cats, c1)),
            ("1".into(), "1".into())
        );
        assert!(csrf_values(&cats).iter().all(|t| t == &tc));

        // The author sees edit and delete forms on their own comments only;
        // nobody else does.
        let anns = ann.get(&path).await.body;
        assert!(anns.contains(&format!("href=\"/comments/{c1}/edit\"")));
        assert!(anns.contains(&format!("action=\"/comments/{c1}/delete\"")));
        assert!(!cats.contains(&format!("href=\"/comments/{c1}/edit\"")));
        assert!(!cats.contains(&format!("action=\"/comments/{c1}/delete\"")));

        // A new comment shows at once, for its author and for the others.
        let c3 = cid(&post(&mut dan, aid, None, "Traffic was light this morning.").await);
        for web in [&mut cat, &mut dan, &mut ben] {
            let page = web.get(&path).await.body;
            assert!(page.contains(&format!("id=\"c{c3}\"")));
        }
        let dans = dan.get(&path).await.body;
        assert!(dans.contains(&format!("href=\"/comments/{c3}/edit\"")));
        assert!(csrf_values(&dans).iter().all(|t| t == &td));

        // Signed out, the same thread has no forms and no token of anyone's.
        let mut anon = Web::new(&server, "10.6.0.9");
        let page = anon.get(&path).await.body;
        assert!(page.contains(&format!("id=\"c{c3}\"")));
        assert!(!page.contains(&tc) && !page.contains(&td) && !page.contains(&tb));
        assert!(!page.contains("csrf-"), "no stand-in left in a page");
    }
}
