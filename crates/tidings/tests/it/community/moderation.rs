//! Moderation and admin through the real server: who may see what, the
//! report queue, hide/remove/restore, the log, bans, roles, sources, settings.

use super::*;

#[tokio::test]
async fn moderation_queue_actions_and_log() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "");
        let store = i.store().await;
        let (path, aid) = seed_article(&store, "Moderated thread").await;
        cli_user(&i, "mona", Some("--moderator"));
        cli_user(&i, "adam", Some("--admin"));
        let mut author = Web::new(&server, "10.7.0.1");
        author.register("writer", PW).await;
        let mut reader = Web::new(&server, "10.7.0.2");
        reader.register("reader", PW).await;
        let mut anon = Web::new(&server, "10.7.0.3");

        // Members and visitors stay out.
        assert_eq!(anon.get("/mod").await.status, 303);
        assert!(
            anon.get("/mod/log")
                .await
                .location()
                .starts_with("/login?next=%2Fmod%2Flog")
        );
        assert_eq!(reader.get("/mod").await.status, 403);
        assert_eq!(reader.get("/mod/log").await.status, 403);
        assert_eq!(reader.get("/admin/users").await.status, 403);

        let t = author.token().await;
        let r = author
            .post(
                "/comments",
                &[
                    ("csrf", &t),
                    ("thread", "article"),
                    ("thread_id", &aid.to_string()),
                    ("body", "Offensive words here"),
                ],
            )
            .await;
        let cid: i64 = r.location().rsplit("#c").next().unwrap().parse().unwrap();
        let rt = reader.token().await;
        let r = reader
            .post(&format!("/mod/comments/{cid}/remove"), &[("csrf", &rt)])
            .await;
        assert_eq!(r.status, 403, "members cannot moderate");
        reader
            .post(
                &format!("/comments/{cid}/report"),
                &[("csrf", &rt), ("reason", "abuse"), ("details", "slurs")],
            )
            .await;

        let mut m = Web::new(&server, "10.7.0.4");
        assert_eq!(m.login("mona", PW, false).await.status, 303);
        assert!(m.get("/").await.body.contains("href=\"/mod\""));
        let q = m.get("/mod").await;
        assert_eq!(q.status, 200);
        assert!(
            q.body.contains("Offensive words here")
                && q.body.contains("abuse: slurs")
                && q.body.contains("reader")
        );
        let mt = csrf_in(&q.body).unwrap();

        // Remove: readers see a tombstone, moderators the text with a note.
        let r = m
            .post(
                &format!("/mod/comments/{cid}/remove"),
                &[("csrf", &mt), ("reason", "rule 2"), ("back", "/mod")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/mod");
        assert!(m.get("/mod").await.body.contains("No open reports."));
        let page = reader.get(&path).await.body;
        assert!(!page.contains("Offensive words here"));
        assert!(page.contains("[removed by a moderator]"));
        let page = m.get(&path).await.body;
        assert!(page.contains("Offensive words here") && page.contains(">removed<"));
        let r = m
            .post(&format!("/mod/comments/{cid}/remove"), &[("csrf", &mt)])
            .await;
        assert_eq!(r.status, 422, "already removed");
        let r = m
            .post(&format!("/mod/comments/{cid}/explode"), &[("csrf", &mt)])
            .await;
        assert_eq!(r.status, 404);
        let r = m.post("/mod/comments/999999/hide", &[("csrf", &mt)]).await;
        assert_eq!(r.status, 404);
        // `back` only goes to local paths.
        let r = m
            .post(
                &format!("/mod/comments/{cid}/restore"),
                &[("csrf", &mt), ("back", "https://evil.example/")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/mod");
        assert!(
            reader
                .get(&path)
                .await
                .body
                .contains("Offensive words here"),
            "restored"
        );
        let r = m
            .post(&format!("/mod/comments/{cid}/hide"), &[("csrf", &mt)])
            .await;
        assert_eq!(r.status, 303);
        assert!(
            reader
                .get(&path)
                .await
                .body
                .contains("[hidden by a moderator]")
        );

        // Bans: moderators cannot ban admins or other moderators.
        let adam = store.user_by_name("adam").await.unwrap().unwrap();
        let r = m
            .post(
                &format!("/mod/users/{}/ban", adam.id),
                &[("csrf", &mt), ("reason", "x"), ("days", "1")],
            )
            .await;
        assert_eq!(r.status, 403);
        let writer = store.user_by_name("writer").await.unwrap().unwrap();
        let r = m
            .post(
                &format!("/mod/users/{}/ban", writer.id),
                &[("csrf", &mt), ("reason", "repeat abuse"), ("days", "0")],
            )
            .await;
        assert_eq!(r.status, 303);
        let up = m.get(&format!("/mod/users/{}", writer.id)).await.body;
        assert!(up.contains("until lifted") && up.contains("repeat abuse"));

        // The log shows every action, newest first, with moderator, reason and target.
        let log = m.get("/mod/log").await.body;
        let rows: Vec<&str> = log
            .split("<td class=\"log-action\">")
            .skip(1)
            .map(|s| s.split('<').next().unwrap())
            .collect();
        assert_eq!(rows, ["ban", "hide", "restore", "remove"]);
        assert!(log.contains("rule 2") && log.contains("repeat abuse") && log.contains("mona"));
        assert!(log.contains(&format!("href=\"/comments/{cid}\"")));
        assert!(log.contains(&format!("href=\"/mod/users/{}\"", writer.id)));
        // Thread locks are logged too.
        m.post(
            &format!("/mod/threads/article/{aid}/lock"),
            &[("csrf", &mt), ("reason", "cool down")],
        )
        .await;
        assert!(m.get("/mod/log").await.body.contains("cool down"));
        let r = m.post("/mod/threads/planet/1/lock", &[("csrf", &mt)]).await;
        assert_eq!(r.status, 404);
        // Moderators are not admins.
        assert_eq!(m.get("/admin/users").await.status, 403);
        assert_eq!(m.get("/admin/sources").await.status, 403);
    }
}

#[tokio::test]
async fn admin_users_sources_and_settings() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "");
        let store = i.store().await;
        cli_user(&i, "adam", Some("--admin"));
        let mut a = Web::new(&server, "10.8.0.1");
        a.login("adam", PW, false).await;
        let mut u = Web::new(&server, "10.8.0.2");
        u.register("promote-me", PW).await;

        // Roles.
        let page = a.get("/admin/users").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("promote-me"));
        let t = csrf_in(&page.body).unwrap();
        let target = store.user_by_name("promote-me").await.unwrap().unwrap();
        let r = a
            .post(
                &format!("/admin/users/{}/role", target.id),
                &[("csrf", &t), ("role", "emperor")],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = a
            .post(
                &format!("/admin/users/{}/role", target.id),
                &[("csrf", &t), ("role", "moderator")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(
            u.get("/").await.body.contains("href=\"/mod\""),
            "the new moderator sees the link"
        );
        assert_eq!(u.get("/mod").await.status, 200);
        let me = store.user_by_name("adam").await.unwrap().unwrap();
        let r = a
            .post(
                &format!("/admin/users/{}/role", me.id),
                &[("csrf", &t), ("role", "member")],
            )
            .await;
        assert_eq!(r.status, 403, "not one's own role");
        let r = a
            .post(
                "/admin/users/999999/role",
                &[("csrf", &t), ("role", "member")],
            )
            .await;
        assert_eq!(r.status, 404);
        assert!(
            a.get("/admin/users?q=promote")
                .await
                .body
                .contains("promote-me")
        );
        assert!(
            !a.get("/admin/users?q=zzz")
                .await
                .body
                .contains("promote-me")
        );
        assert!(a.get("/mod/log").await.body.contains("role"));

        // Sources: add (stored only), bad URL, duplicate, edit, disable.
        let r = a
            .post(
                "/admin/sources",
                &[
                    ("csrf", &t),
                    ("url", "not a url"),
                    ("kind", "feed"),
                    ("display", "excerpt"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("not a usable"));
        let r = a
            .post(
                "/admin/sources",
                &[
                    ("csrf", &t),
                    ("url", "ftp://x.example/feed"),
                    ("kind", "feed"),
                    ("display", "excerpt"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = a
            .post(
                "/admin/sources",
                &[
                    ("csrf", &t),
                    ("url", "https://news.example.org/rss?utm_source=x"),
                    ("name", "Example News"),
                    ("kind", "feed"),
                    ("display", "full"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let list = store.list_sources().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].url, "https://news.example.org/rss");
        assert_eq!(list[0].display, DisplayPolicy::Full);
        assert_eq!(list[0].last_fetch_at, None, "web does not fetch");
        let r = a
            .post(
                "/admin/sources",
                &[
                    ("csrf", &t),
                    ("url", "https://news.example.org/rss"),
                    ("kind", "feed"),
                    ("display", "full"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("already exists"));
        // Fetch errors and counts are shown.
        store
            .record_fetch(
                list[0].id,
                &tidings_store::SourceFetchUpdate {
                    status: Some(503),
                    error: Some("HTTP 503 from upstream".into()),
                    next_fetch_at: 0,
                    fetch_interval_ms: 60_000,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let page = a.get("/admin/sources").await.body;
        assert!(page.contains("HTTP 503 from upstream") && page.contains("Example News"));
        let sid = list[0].id;
        let r = a
            .post(
                &format!("/admin/sources/{sid}"),
                &[("csrf", &t), ("name", ""), ("display", "sideways")],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = a
            .post(
                &format!("/admin/sources/{sid}"),
                &[("csrf", &t), ("name", "Renamed"), ("display", "excerpt")],
            )
            .await;
        assert_eq!(r.status, 303);
        let s = store.source(sid).await.unwrap().unwrap();
        assert_eq!(
            (s.name.as_deref(), s.display, s.enabled),
            (Some("Renamed"), DisplayPolicy::Excerpt, false)
        );
        let r = a
            .post(
                &format!("/admin/sources/{sid}"),
                &[
                    ("csrf", &t),
                    ("name", "Renamed"),
                    ("display", "excerpt"),
                    ("enabled", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(store.source(sid).await.unwrap().unwrap().enabled);
        assert_eq!(
            a.post(
                "/admin/sources/999999",
                &[("csrf", &t), ("display", "full")]
            )
            .await
            .status,
            404
        );

        // Settings: the form shows what is stored.
        let r = a
            .post(
                "/admin/settings",
                &[("csrf", &t), ("rules", &"x".repeat(2001))],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = a
            .post(
                "/admin/settings",
                &[
                    ("csrf", &t),
                    ("comments_enabled", "1"),
                    ("rules", "No spam."),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = a.get("/admin/settings").await.body;
        assert!(page.contains("No spam.") && page.contains("checked"));
        // The moderator (promoted above) is not an admin.
        assert_eq!(u.get("/admin/settings").await.status, 403);
        let ut = u.token().await;
        assert_eq!(
            u.post("/admin/settings", &[("csrf", &ut), ("rules", "mine")])
                .await
                .status,
            403
        );
    }
}

/// A ban takes every power away, whatever the role; only admins (or
/// moderators who could have made the ban) lift bans, and nobody their own.
#[tokio::test]
async fn bans_bind_moderators_and_admins_too() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "");
        let store = i.store().await;
        let (_, aid) = seed_article(&store, "Banned moderators").await;
        cli_user(&i, "adam", Some("--admin"));
        cli_user(&i, "alba", Some("--admin"));
        cli_user(&i, "mona", Some("--moderator"));
        cli_user(&i, "mick", Some("--moderator"));
        let mut author = Web::new(&server, "10.9.0.1");
        author.register("writer", PW).await;
        let t = author.token().await;
        let r = author
            .post(
                "/comments",
                &[
                    ("csrf", &t),
                    ("thread", "article"),
                    ("thread_id", &aid.to_string()),
                    ("body", "A comment to moderate"),
                ],
            )
            .await;
        let cid: i64 = r.location().rsplit("#c").next().unwrap().parse().unwrap();
        let comment_status = async || {
            store
                .comment(tidings_core::CommentId(cid), None)
                .await
                .unwrap()
                .unwrap()
                .status
        };
        let banned = async |name: &str| {
            store
                .user_by_name(name)
                .await
                .unwrap()
                .unwrap()
                .is_banned(tidings_core::Timestamp::now())
        };
        let id_of = async |name: &str| store.user_by_name(name).await.unwrap().unwrap().id;
        let (mona, mick, writer, alba) = (
            id_of("mona").await,
            id_of("mick").await,
            id_of("writer").await,
            id_of("alba").await,
        );

        // Mona is signed in (and has a token) when an admin bans her.
        let mut m = Web::new(&server, "10.9.0.2");
        assert_eq!(m.login("mona", PW, false).await.status, 303);
        let token = m.api_token("mona's app").await;
        let mt = m.token().await;
        let mut a = Web::new(&server, "10.9.0.3");
        assert_eq!(a.login("adam", PW, false).await.status, 303);
        let at = a.token().await;
        let r = a
            .post(
                &format!("/mod/users/{mona}/ban"),
                &[("csrf", &at), ("reason", "abuse of powers"), ("days", "0")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(banned("mona").await);

        // Banned, she moderates nothing: no hiding, no queue, no log, no bans, no locks.
        let r = m
            .post(&format!("/mod/comments/{cid}/hide"), &[("csrf", &mt)])
            .await;
        assert_eq!(r.status, 403);
        assert!(r.body.contains("abuse of powers"), "{}", r.body);
        assert_eq!(
            comment_status().await,
            tidings_store::CommentStatus::Visible
        );
        assert_eq!(m.get("/mod").await.status, 403);
        assert_eq!(m.get("/mod/log").await.status, 403);
        assert!(!m.get("/").await.body.contains("href=\"/mod\""), "no link");
        let r = m
            .post(
                &format!("/mod/users/{writer}/ban"),
                &[("csrf", &mt), ("reason", "revenge"), ("days", "1")],
            )
            .await;
        assert_eq!(r.status, 403);
        assert!(!banned("writer").await);
        let r = m
            .post(
                &format!("/mod/threads/article/{aid}/lock"),
                &[("csrf", &mt)],
            )
            .await;
        assert_eq!(r.status, 403);
        // ...and cannot lift her own ban.
        let r = m
            .post(
                &format!("/mod/users/{mona}/unban"),
                &[("csrf", &mt), ("reason", "I disagree")],
            )
            .await;
        assert_eq!(r.status, 403);
        assert!(banned("mona").await, "the ban still stands in the store");
        // Her API token writes nothing either.
        let r = http()
            .post(server.url("/api/v1/comments"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"article": aid, "body": "from a banned moderator"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["code"], "banned");

        // Another moderator may not lift a ban he could not have made.
        let mut k = Web::new(&server, "10.9.0.4");
        assert_eq!(k.login("mick", PW, false).await.status, 303);
        let kt = k.token().await;
        let r = k
            .post(&format!("/mod/users/{mona}/unban"), &[("csrf", &kt)])
            .await;
        assert_eq!(r.status, 403);
        assert!(banned("mona").await);
        assert!(
            !k.get(&format!("/mod/users/{mona}"))
                .await
                .body
                .contains("/unban\""),
            "no unban form for him"
        );
        // He may lift the bans he could make (of members).
        let r = k
            .post(
                &format!("/mod/users/{writer}/ban"),
                &[("csrf", &kt), ("reason", "spam"), ("days", "3")],
            )
            .await;
        assert_eq!(r.status, 303);
        let r = k
            .post(&format!("/mod/users/{writer}/unban"), &[("csrf", &kt)])
            .await;
        assert_eq!(r.status, 303);
        assert!(!banned("writer").await);
        assert_eq!(
            k.post("/mod/users/999999/unban", &[("csrf", &kt)])
                .await
                .status,
            404
        );

        // A banned admin administers nothing and cannot lift their own ban.
        store
            .ban_user(
                alba,
                mick,
                tidings_core::Timestamp(253_402_300_799_000),
                "x",
            )
            .await
            .unwrap();
        let mut b = Web::new(&server, "10.9.0.5");
        assert_eq!(b.login("alba", PW, false).await.status, 303);
        let bt = b.token().await;
        assert_eq!(b.get("/admin/users").await.status, 403);
        assert_eq!(
            b.post("/admin/settings", &[("csrf", &bt), ("rules", "mine")])
                .await
                .status,
            403
        );
        assert_eq!(
            b.post(
                &format!("/admin/users/{mick}/role"),
                &[("csrf", &bt), ("role", "member")]
            )
            .await
            .status,
            403
        );
        let r = b
            .post(&format!("/mod/users/{alba}/unban"), &[("csrf", &bt)])
            .await;
        assert_eq!(r.status, 403);
        assert!(banned("alba").await);

        // Another admin lifts a ban; so does the command line.
        let r = a
            .post(
                &format!("/mod/users/{mona}/unban"),
                &[("csrf", &at), ("reason", "appeal granted")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(!banned("mona").await);
        let o = i.run(&["user", "unban", "alba", "--reason", "operator decision"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("alba is no longer banned"));
        assert!(!banned("alba").await);
        let o = i.run(&["user", "unban", "alba"]);
        assert!(stdout(&o).contains("alba was not banned"));
        let log = a.get("/mod/log").await.body;
        assert!(log.contains("appeal granted") && log.contains("operator decision"));
        assert!(log.contains("(command line)"));
        let r = m
            .post(&format!("/mod/comments/{cid}/hide"), &[("csrf", &mt)])
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(comment_status().await, tidings_store::CommentStatus::Hidden);
        assert_eq!(b.get("/admin/users").await.status, 200);
    }
}

/// `/admin/sources/ID/rules`: a bad selector is reported by the crawler's
/// preview and cannot be saved; a good one is previewed on the latest
/// articles side by side, saved, and the stored articles are extracted again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_previews_saves_and_applies_extraction_rules() {
    let mut cfg = tidings_origin::OriginConfig::new(Vec::new(), 3, 1);
    cfg.synthetic = true;
    let o = tidings_origin::start(cfg, 0).await.unwrap();
    let i = Install::sqlite();
    let out = i.run(&[
        "--allow-private-networks",
        "source",
        "add",
        &o.feed_url(0),
        "--display",
        "full",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = i.run_stdin(
        &["user", "add", "boss", "--admin"],
        format!("{PW}\n").as_bytes(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    configure(&i, "[accounts]\ntrust_proxy_headers = true\n");
    let server = i.serve_env(
        &["--allow-private-networks"],
        &[
            ("TIDINGS_FETCH_PER_HOST_DELAY_MS", "0"),
            ("TIDINGS_CRAWL__WORKERS", "4"),
        ],
    );
    let store = i.store().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while store.latest_articles(10, None).await.unwrap().len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the crawl did not store the articles"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let mut web = Web::new(&server, "10.9.0.1");
    assert_eq!(web.login("boss", PW, false).await.status, 303);
    let page = "/admin/sources/1/rules";
    // Poll the rules page until the crawler has answered the preview.
    async fn settled(web: &mut Web, location: &str) -> Resp {
        for _ in 0..150 {
            let r = web.get(location).await;
            if !r.body.contains("http-equiv=\"refresh\"") {
                return r;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        panic!("the preview never came");
    }

    let t = web.csrf(page).await;
    let r = web
        .post(
            page,
            &[
                ("csrf", &t),
                ("content", ""),
                ("remove", "figure["),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let shown = settled(&mut web, &r.location()).await;
    assert_eq!(shown.status, 422);
    assert!(
        shown.body.contains("is not a CSS selector"),
        "{}",
        shown.body
    );
    assert!(
        !shown.body.contains("value=\"save\""),
        "no save for a bad selector"
    );
    // Posting a save anyway is refused, and nothing is saved.
    let r = web
        .post(
            page,
            &[
                ("csrf", &t),
                ("content", ""),
                ("remove", "figure["),
                ("action", "save"),
            ],
        )
        .await;
    let refused = web.get(&r.location()).await;
    assert!(
        refused.body.contains("is not a CSS selector"),
        "{}",
        refused.body
    );
    let src = store
        .source(tidings_core::SourceId(1))
        .await
        .unwrap()
        .unwrap();
    assert!(src.remove_selectors.is_empty());

    // A good selector: previewed side by side, saved, applied.
    let r = web
        .post(
            page,
            &[
                ("csrf", &t),
                ("content", ""),
                ("remove", "figure.inline"),
                ("action", "preview"),
            ],
        )
        .await;
    let shown = settled(&mut web, &r.location()).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(
        shown.body.contains("rules-preview") && shown.body.contains("value=\"save\""),
        "{}",
        shown.body
    );
    let r = web
        .post(
            page,
            &[
                ("csrf", &t),
                ("content", ""),
                ("remove", "figure.inline"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/admin/sources?done=rules");
    let src = store
        .source(tidings_core::SourceId(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(src.remove_selectors, vec!["figure.inline".to_string()]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let mut left = 0;
        for c in store.latest_articles(10, None).await.unwrap() {
            let a = store.article(c.id).await.unwrap().unwrap();
            if a.html.contains("Scene of the story") {
                left += 1;
            }
        }
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{left} articles not re-extracted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    store.close().await;
}
