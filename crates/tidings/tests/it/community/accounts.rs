//! Accounts through the real server: registration rules, sessions,
//! remember-me, CSRF and Origin checks, lockout, password change, log out
//! everywhere, API tokens, invitations, deletion, and the CLI.

use super::*;

#[tokio::test]
async fn register_login_logout_and_bad_input() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "");
        let mut web = Web::new(&server, "10.0.0.1");

        // The header offers log in and register to visitors.
        let home = web.get("/").await;
        assert!(home.body.contains("href=\"/login\"") && home.body.contains("href=\"/register\""));

        // Bad registrations: each refused with its reason, nothing created.
        let cases: &[(&str, &str, &str, &str)] = &[
            ("", PW, PW, "3 to 32"),
            ("ab", PW, PW, "3 to 32"),
            (&"x".repeat(33), PW, PW, "3 to 32"),
            ("<script>", PW, PW, "letters, digits"),
            ("admin", PW, PW, "reserved"),
            ("alice", "", "", "too short"),
            ("alice", "short1", "short1", "too short"),
            ("alice", "password123", "password123", "too common"),
            ("alice", "qwertyuiop", "qwertyuiop", "too common"),
            ("alice", "alice-alice-1", "alice-alice-1", "username"),
            ("alice", PW, "tall giraffe 43", "differ"),
            (
                "alice",
                &"long one 1".repeat(30),
                &"long one 1".repeat(30),
                "too long",
            ),
        ];
        for (name, pw, pw2, why) in cases {
            let t = web.csrf("/register").await;
            let r = web
                .post(
                    "/register",
                    &[
                        ("csrf", &t),
                        ("username", name),
                        ("password", pw),
                        ("password2", pw2),
                    ],
                )
                .await;
            assert_eq!(r.status, 422, "{name:?}/{pw:?}");
            assert!(
                form_error(&r.body).contains(why),
                "{name:?}: {}",
                form_error(&r.body)
            );
            assert!(!web.cookies.contains_key("tidings_session"));
        }
        let t = web.csrf("/register").await;
        let r = web
            .post(
                "/register",
                &[
                    ("csrf", &t),
                    ("username", "alice"),
                    ("email", "not an email"),
                    ("password", PW),
                    ("password2", PW),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert_eq!(i.store().await.count_users().await.unwrap(), 0);

        // A good one: signed in at once, with a strict cookie.
        let r = web.register("Alice", PW).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let cookie = r
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("tidings_session="))
            .unwrap();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain http here: {cookie}");
        assert!(
            !cookie.contains("Max-Age"),
            "a browser-session cookie without remember-me: {cookie}"
        );
        let home = web.get("/").await;
        assert!(
            home.body.contains(">Alice</a>"),
            "the header names the user"
        );
        assert_eq!(home.headers["cache-control"], "private, no-store");
        assert!(home.headers.get_all("vary").iter().any(|v| v == "Cookie"));

        // Taken, ignoring case.
        let mut other = Web::new(&server, "10.0.0.2");
        let r = other.register("ALICE", PW).await;
        assert_eq!(r.status, 409);
        assert!(form_error(&r.body).contains("taken"));

        // CSRF: missing token, wrong token, and cross-origin posts are refused.
        let good = web.token().await;
        let r = web.post("/logout", &[]).await;
        assert_eq!(r.status, 403, "no token");
        let r = web.post("/logout", &[("csrf", "0000")]).await;
        assert_eq!(r.status, 403, "wrong token");
        assert!(r.body.contains("did not come from this site"));
        let r = web
            .post_with(
                "/logout",
                &[("csrf", &good)],
                &[("origin", "https://evil.example")],
            )
            .await;
        assert_eq!(r.status, 403, "cross-origin");
        assert!(r.body.contains("another website"));
        let r = web
            .post_with("/logout", &[("csrf", &good)], &[("origin", "null")])
            .await;
        assert_eq!(r.status, 403, "opaque origin");
        let r = web
            .post_with(
                "/logout",
                &[("csrf", &good)],
                &[("referer", "https://evil.example/page")],
            )
            .await;
        assert_eq!(r.status, 403, "cross-site referer");
        let r = web
            .post_with(
                "/logout",
                &[("csrf", &good)],
                &[("sec-fetch-site", "cross-site")],
            )
            .await;
        assert_eq!(r.status, 403, "cross-site fetch metadata");
        // The visitor's token does not work for someone else's session.
        let stranger = other.csrf("/login").await;
        let r = web.post("/logout", &[("csrf", &stranger)]).await;
        assert_eq!(r.status, 403);
        assert!(
            web.get("/account").await.body.contains("Account: Alice"),
            "still signed in"
        );

        // Log out ends the session in the database: the old cookie is worthless.
        let old = web.cookies["tidings_session"].clone();
        let r = web.post("/logout", &[("csrf", &good)]).await;
        assert_eq!(r.status, 303);
        assert!(!web.cookies.contains_key("tidings_session"));
        web.cookies.insert("tidings_session".into(), old);
        let r = web.get("/account").await;
        assert_eq!(r.status, 303, "an ended session is a visitor");
        assert!(r.location().starts_with("/login?next="));
        assert!(
            r.set_cookies()
                .iter()
                .any(|c| c.starts_with("tidings_session=;")),
            "stale cookie cleared"
        );

        // Login: wrong password and unknown user get the same answer after the same work.
        let metric = |m: &str| {
            m.lines()
                .find(|l| l.starts_with("tidings_password_verifications_total"))
                .and_then(|l| l.split_whitespace().last())
                .map_or(0.0, |v| v.parse::<f64>().unwrap())
        };
        // Metrics are for operators: asked from this machine, not through the proxy.
        let metrics_url = format!("{}/metrics", web.base);
        let metrics = || async {
            crate::common::http()
                .get(&metrics_url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        };
        let before = metric(&metrics().await);
        let wrong = web.login("alice", "tall giraffe 43", false).await;
        let unknown = web.login("nobody-here", PW, false).await;
        assert_eq!((wrong.status, unknown.status), (401, 401));
        assert_eq!(form_error(&wrong.body), form_error(&unknown.body));
        let after = metric(&metrics().await);
        assert_eq!(
            after - before,
            2.0,
            "an unknown name still costs one argon2 verification"
        );

        // Remember me: a persistent cookie; then the session expires in the database.
        let r = web.login("alice", PW, true).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/");
        let c = r
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("tidings_session="))
            .unwrap();
        assert!(c.contains("Max-Age=2592000"), "{c}");
        let store = i.store().await;
        store
            .debug_execute("UPDATE sessions SET expires_at = 1")
            .await
            .unwrap();
        let r = web.get("/account").await;
        assert_eq!(r.status, 303, "expired session");
        let t = web.csrf("/login").await;
        let (_, aid) = seed_article(&store, "Expiry test").await;
        let r = web
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
        assert_eq!(r.status, 401, "posting with an expired session");

        // `next` only goes to local paths.
        let t = web.csrf("/login").await;
        let r = web
            .post(
                "/login",
                &[
                    ("csrf", &t),
                    ("username", "alice"),
                    ("password", PW),
                    ("next", "//evil.example/x"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/");
    }
}

/// Make every login backoff that is waiting now wait another hour, so the
/// test does not race the clock (the first waits are a few seconds).
async fn pin_backoffs(store: &tidings_store::Store) {
    let later = tidings_core::now_ms() + 3_600_000;
    store
        .debug_execute(&format!(
            "UPDATE login_backoff SET blocked_until = {later} WHERE delay_ms > 0"
        ))
        .await
        .unwrap();
}

/// `POST /api/v1/auth/token` from `ip`, optionally with a bearer token.
async fn api_login(
    server: &Server,
    ip: &str,
    password: &str,
    bearer: Option<&str>,
) -> reqwest::Response {
    let mut req = http()
        .post(server.url("/api/v1/auth/token"))
        .header("x-forwarded-for", ip)
        .json(&serde_json::json!({"username": "victim", "password": password, "name": "app"}));
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    req.send().await.unwrap()
}

/// Failed logins slow down the client that makes them (per login name) and,
/// past `login_max_failures`, the account; an account in backoff refuses
/// even the right password, except from a browser that logged in to it
/// before, a session of it or one of its API tokens. Nobody is locked out
/// for good: when the wait is over, the right password works from anywhere.
#[tokio::test]
async fn failed_logins_back_off_but_known_devices_get_in() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "");
        let store = i.store().await;
        cli_user(&i, "victim", Some("--admin"));
        let victim = store.user_by_name("victim").await.unwrap().unwrap();
        let account_key = tidings_store::account_backoff_key(victim.id);

        // The owner's usual browser logs in (and out): it keeps a device cookie.
        let mut home = Web::new(&server, "10.1.9.1");
        let r = home.login("victim", PW, false).await;
        assert_eq!(r.status, 303);
        let c = r
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("tidings_device="))
            .unwrap();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Max-Age=31536000"),
            "{c}"
        );
        let t = home.token().await;
        home.post("/logout", &[("csrf", &t)]).await;
        assert!(home.cookies.contains_key("tidings_device"));
        // A phone stays signed in (no device cookie); an app has a token.
        let mut phone = Web::new(&server, "10.1.9.2");
        assert_eq!(phone.login("victim", PW, false).await.status, 303);
        phone.cookies.remove("tidings_device");
        let app = phone.api_token("app").await;

        // One address: five free failures, the sixth is checked, then it must wait.
        let mut attacker = Web::new(&server, "10.1.0.1");
        let mut failed = String::new();
        for k in 0..6 {
            let r = attacker.login("victim", &format!("wrong {k}"), false).await;
            assert_eq!(r.status, 401, "{k}");
            failed = form_error(&r.body);
        }
        pin_backoffs(&store).await;
        let r = attacker.login("victim", PW, false).await;
        assert_eq!(r.status, 429, "even the right password waits");
        assert!(form_error(&r.body).contains("Too many login attempts"));
        let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(retry > 0 && form_error(&r.body).contains(&format!("wait {retry} s")));
        // The API's token requests follow the same rules.
        let r = api_login(&server, "10.1.0.1", PW, None).await;
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        // An unknown name is treated exactly alike (no account enumeration).
        for k in 0..6 {
            let r = attacker
                .login("no-such-user", &format!("x{k}"), false)
                .await;
            assert_eq!(
                (r.status, form_error(&r.body)),
                (401, failed.clone()),
                "{k}"
            );
        }
        pin_backoffs(&store).await;
        assert_eq!(attacker.login("no-such-user", "x", false).await.status, 429);

        // From a second address the account reaches login_max_failures (10)
        // and backs off after the eleventh failure.
        let mut second = Web::new(&server, "10.1.0.2");
        for k in 0..5 {
            assert_eq!(
                second
                    .login("victim", &format!("bad {k}"), false)
                    .await
                    .status,
                401
            );
        }
        pin_backoffs(&store).await;
        assert_eq!(
            store
                .login_backoff(&account_key)
                .await
                .unwrap()
                .unwrap()
                .failures,
            11
        );
        // Meanwhile the right password from anywhere new fails like a wrong one.
        for ip in ["10.1.0.3", "10.1.0.50"] {
            let r = Web::new(&server, ip).login("victim", PW, false).await;
            assert_eq!(r.status, 401, "{ip}");
            assert_eq!(form_error(&r.body), failed);
        }
        let r = api_login(&server, "10.1.0.51", PW, None).await;
        assert_eq!(r.status(), 401);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["code"], "invalid_credentials");
        // ...but the owner's browser gets in, and so do the signed-in phone and the app.
        let r = home.login("victim", PW, false).await;
        assert_eq!(r.status, 303, "{}", form_error(&r.body));
        assert_eq!(home.get("/account").await.status, 200);
        let t = home.token().await;
        home.post("/logout", &[("csrf", &t)]).await;
        let t = phone.token().await;
        let r = phone
            .post(
                "/login",
                &[("csrf", &t), ("username", "victim"), ("password", PW)],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(
            api_login(&server, "10.1.0.52", PW, Some(&app))
                .await
                .status(),
            201
        );
        // A wrong password from the owner's browser is still just wrong.
        assert_eq!(home.login("victim", "not it", false).await.status, 401);
        // Those logins leave the account's backoff in place for everyone else.
        let b = store.login_backoff(&account_key).await.unwrap().unwrap();
        assert_eq!(b.failures, 11);
        assert_eq!(
            Web::new(&server, "10.1.0.53")
                .login("victim", PW, false)
                .await
                .status,
            401
        );

        // When the wait is over, the right password works from a new address.
        store
            .debug_execute(&format!(
                "UPDATE login_backoff SET blocked_until = 0 WHERE key = '{account_key}'"
            ))
            .await
            .unwrap();
        assert_eq!(
            Web::new(&server, "10.1.0.60")
                .login("victim", PW, false)
                .await
                .status,
            303
        );
        assert_eq!(
            store.login_backoff(&account_key).await.unwrap(),
            None,
            "cleared"
        );

        // `tidings user unlock` lifts the account's backoff and every address's.
        for ip in ["10.1.0.4", "10.1.0.5", "10.1.0.6"] {
            let mut w = Web::new(&server, ip);
            for k in 0..5 {
                w.login("victim", &format!("again {k}"), false).await;
            }
        }
        pin_backoffs(&store).await;
        assert_eq!(
            Web::new(&server, "10.1.0.61")
                .login("victim", PW, false)
                .await
                .status,
            401
        );
        let o = i.run(&["user", "unlock", "victim"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("victim may log in again"));
        assert_eq!(
            attacker
                .login("victim", "wrong once more", false)
                .await
                .status,
            401
        );
        assert_eq!(attacker.login("victim", PW, false).await.status, 303);
    }
}

#[tokio::test]
async fn password_change_sessions_tokens_and_deletion() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "");
        let mut a = Web::new(&server, "10.2.0.1");
        assert_eq!(a.register("bob", PW).await.status, 303);
        let mut b = Web::new(&server, "10.2.0.2");
        assert_eq!(b.login("bob", PW, false).await.status, 303);
        let acct = a.get("/account").await;
        assert!(acct.body.contains("logged in on 2 device"), "{}", acct.body);

        // Change password: the current one is required; other sessions end.
        let t = a.token().await;
        let r = a
            .post(
                "/account/password",
                &[
                    ("csrf", &t),
                    ("current", "nope nope nope"),
                    ("password", "new giraffe 43"),
                    ("password2", "new giraffe 43"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(form_error(&r.body).contains("current password is wrong"));
        let r = a
            .post(
                "/account/password",
                &[
                    ("csrf", &t),
                    ("current", PW),
                    ("password", "password1"),
                    ("password2", "password1"),
                ],
            )
            .await;
        assert_eq!(r.status, 422, "weak new password");
        let r = a
            .post(
                "/account/password",
                &[
                    ("csrf", &t),
                    ("current", PW),
                    ("password", "new giraffe 43"),
                    ("password2", "new giraffe 43"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        assert!(
            a.get("/account?done=password")
                .await
                .body
                .contains("Password changed")
        );
        assert_eq!(
            b.get("/account").await.status,
            303,
            "the other session ended"
        );
        assert_eq!(b.login("bob", PW, false).await.status, 401, "old password");
        assert_eq!(b.login("bob", "new giraffe 43", false).await.status, 303);

        // API tokens: shown once, work as Bearer, listed, revocable.
        let t = a.token().await;
        let r = a
            .post("/account/tokens", &[("csrf", &t), ("name", "")])
            .await;
        assert_eq!(r.status, 422);
        let r = a
            .post("/account/tokens", &[("csrf", &t), ("name", "my phone")])
            .await;
        assert_eq!(r.status, 200);
        let token = r
            .body
            .split("id=\"new-token\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        assert!(token.starts_with("tdg_") && token.len() == 68, "{token}");
        let http = http();
        let me = http
            .get(server.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
        let me: serde_json::Value = me.json().await.unwrap();
        assert_eq!(me["username"], "bob");
        assert_eq!(me["via_token"], true);
        let page = a.get("/account").await.body;
        assert!(page.contains("my phone"));
        assert!(!page.contains(&token), "never shown again");
        let bad = http
            .get(server.url("/api/v1/me"))
            .bearer_auth("tdg_00")
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 401);
        let anon = http.get(server.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(anon.status(), 401);
        let tid = page
            .split("/account/tokens/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let r = a
            .post(&format!("/account/tokens/{tid}/revoke"), &[("csrf", &t)])
            .await;
        assert_eq!(r.status, 303);
        let me = http
            .get(server.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 401, "revoked");

        // Log out everywhere.
        let r = a.post("/account/logout-all", &[("csrf", &t)]).await;
        assert_eq!(r.status, 303);
        assert_eq!(a.get("/account").await.status, 303);
        assert_eq!(b.get("/account").await.status, 303);

        // Delete: needs the password and the typed name; comments become [deleted].
        assert_eq!(a.login("bob", "new giraffe 43", false).await.status, 303);
        let store = i.store().await;
        let (path, aid) = seed_article(&store, "Deletion thread").await;
        let t = a.token().await;
        let r = a
            .post(
                "/comments",
                &[
                    ("csrf", &t),
                    ("thread", "article"),
                    ("thread_id", &aid.to_string()),
                    ("body", "bob was here"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mut c = Web::new(&server, "10.2.0.3");
        c.register("carol", PW).await;
        let cid = store
            .thread_comments(
                tidings_store::Thread::Article(tidings_core::ArticleId(aid)),
                None,
                10,
            )
            .await
            .unwrap()[0]
            .id;
        let ct = c.token().await;
        let r = c
            .post(
                "/comments",
                &[
                    ("csrf", &ct),
                    ("thread", "article"),
                    ("thread_id", &aid.to_string()),
                    ("parent", &cid.to_string()),
                    ("body", "carol replies"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let r = a
            .post(
                "/account/delete",
                &[
                    ("csrf", &t),
                    ("password", "new giraffe 43"),
                    ("confirm", "wrong"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = a
            .post(
                "/account/delete",
                &[
                    ("csrf", &t),
                    ("password", "new giraffe 43"),
                    ("confirm", "bob"),
                ],
            )
            .await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("Account deleted"));
        let page = c.get(&path).await.body;
        assert!(!page.contains("bob was here"));
        assert!(page.contains("[deleted]"));
        assert!(page.contains("carol replies"), "the thread stays intact");
        assert_eq!(a.login("bob", "new giraffe 43", false).await.status, 401);
    }
}

/// Per-address limits count an IPv6 client by its /64 (rotating addresses
/// inside it gains nothing) and an IPv4-mapped client by its IPv4 address.
#[tokio::test]
async fn ipv6_clients_share_limits_per_slash_64() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "login_attempts_per_ip_per_hour = 3\n");
        let mut n = 0;
        let mut attempt = async |ip: &str| {
            n += 1;
            let mut w = Web::new(&server, ip);
            w.login(&format!("nobody{n}"), "whatever it is", false)
                .await
                .status
        };
        for ip in [
            "2001:db8:1:2::1",
            "2001:db8:1:2::2",
            "2001:db8:1:2:ffff:1:2:3",
        ] {
            assert_eq!(attempt(ip).await, 401, "{ip}");
        }
        let mut w = Web::new(&server, "2001:db8:1:2:abcd::9");
        let r = w.login("nobody", "whatever it is", false).await;
        assert_eq!(r.status, 429, "same /64");
        assert!(form_error(&r.body).contains("Too many login attempts"));
        assert!(r.headers.contains_key("retry-after"));
        assert_eq!(attempt("2001:db8:1:3::1").await, 401, "another /64");
        for _ in 0..3 {
            assert_eq!(attempt("10.4.0.1").await, 401);
        }
        assert_eq!(attempt("::ffff:10.4.0.1").await, 429, "IPv4-mapped");
    }
}

/// The status of `GET /api/v1/me` with a bearer token.
async fn me_status(server: &Server, token: &str) -> u16 {
    http()
        .get(server.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn password_change_and_logout_everywhere_revoke_api_tokens() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "");
        let mut a = Web::new(&server, "10.2.1.1");
        assert_eq!(a.register("dana", PW).await.status, 303);
        let page = a.get("/account").await.body;
        assert!(
            page.contains("name=\"revoke_tokens\" value=\"1\" checked"),
            "ticked by default"
        );
        let change = async |a: &mut Web, from: &str, to: &str, revoke: bool| {
            let t = a.token().await;
            let mut form = vec![
                ("csrf", t.as_str()),
                ("current", from),
                ("password", to),
                ("password2", to),
            ];
            if revoke {
                form.push(("revoke_tokens", "1"));
            }
            a.post("/account/password", &form).await.status
        };

        // Unticked: the tokens keep working.
        let t1 = a.api_token("laptop").await;
        assert_eq!(me_status(&server, &t1).await, 200);
        assert_eq!(change(&mut a, PW, "second giraffe 44", false).await, 303);
        assert_eq!(me_status(&server, &t1).await, 200, "kept on request");
        // Ticked: every token stops, this session stays.
        let t2 = a.api_token("phone").await;
        assert_eq!(
            change(&mut a, "second giraffe 44", "third giraffe 45", true).await,
            303
        );
        assert_eq!(me_status(&server, &t1).await, 401);
        assert_eq!(me_status(&server, &t2).await, 401);
        assert_eq!(a.get("/account").await.status, 200, "still signed in");

        // Log out everywhere: sessions and tokens (from the page or the API) end.
        let t3 = a.api_token("tablet").await;
        let r = http()
            .post(server.url("/api/v1/auth/token"))
            .json(&serde_json::json!({
                "username": "dana", "password": "third giraffe 45", "name": "cli"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let v: serde_json::Value = r.json().await.unwrap();
        let t4 = v["token"].as_str().unwrap().to_string();
        assert_eq!(me_status(&server, &t3).await, 200);
        assert_eq!(me_status(&server, &t4).await, 200);
        let t = a.token().await;
        let r = a.post("/account/logout-all", &[("csrf", &t)]).await;
        assert_eq!(r.status, 303);
        assert_eq!(a.get("/account").await.status, 303);
        assert_eq!(me_status(&server, &t3).await, 401);
        assert_eq!(me_status(&server, &t4).await, 401);
        assert!(
            a.login("dana", "third giraffe 45", false).await.status == 303,
            "the password still works"
        );
        assert!(a.get("/account").await.body.contains(">revoked<"));
    }
}

#[tokio::test]
async fn registration_closed_and_by_invitation() {
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "registration = \"closed\"\n");
        let mut web = Web::new(&server, "10.3.0.1");
        let r = web.get("/register").await;
        assert_eq!(r.status, 403);
        assert!(r.body.contains("does not accept new accounts"));
        assert!(!web.get("/").await.body.contains("href=\"/register\""));
        let t = web.csrf("/login").await;
        let r = web
            .post(
                "/register",
                &[
                    ("csrf", &t),
                    ("username", "eve"),
                    ("password", PW),
                    ("password2", PW),
                ],
            )
            .await;
        assert_eq!(r.status, 403);
        drop(server);

        let server = serve(&i, "registration = \"invite\"\n");
        cli_user(&i, "root-admin", Some("--admin"));
        let mut admin = Web::new(&server, "10.3.0.2");
        assert_eq!(admin.login("root-admin", PW, false).await.status, 303);
        let t = admin.token().await;
        let r = admin.post("/admin/invitations", &[("csrf", &t)]).await;
        assert_eq!(r.status, 200);
        let code = r
            .body
            .split("id=\"new-invite\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        let mut w = Web::new(&server, "10.3.0.3");
        let t = w.csrf("/register").await;
        assert!(w.get("/register").await.body.contains("name=\"invite\""));
        let r = w
            .post(
                "/register",
                &[
                    ("csrf", &t),
                    ("username", "invited"),
                    ("password", PW),
                    ("password2", PW),
                    ("invite", "bogus"),
                ],
            )
            .await;
        assert_eq!(r.status, 403);
        assert!(form_error(&r.body).contains("invitation"));
        let r = w
            .post(
                "/register",
                &[
                    ("csrf", &t),
                    ("username", "invited"),
                    ("password", PW),
                    ("password2", PW),
                    ("invite", &code),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", form_error(&r.body));
        let mut w2 = Web::new(&server, "10.3.0.4");
        let t = w2.csrf("/register").await;
        let r = w2
            .post(
                "/register",
                &[
                    ("csrf", &t),
                    ("username", "second"),
                    ("password", PW),
                    ("password2", PW),
                    ("invite", &code),
                ],
            )
            .await;
        assert_eq!(r.status, 403, "a code works once");
        assert!(
            admin
                .get("/admin/invitations")
                .await
                .body
                .contains("invited")
        );
    }
}

#[tokio::test]
async fn cli_user_add_list_role() {
    let i = Install::sqlite();
    let o = i.run_stdin(&["user", "add", "boss", "--admin"], b"tall giraffe 42\n");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("boss, admin"));
    let o = i.run_stdin(&["user", "add", "BOSS"], b"tall giraffe 42\n");
    assert_fails_with(&o, &["taken"]);
    let o = i.run_stdin(&["user", "add", "weak"], b"password1\n");
    assert_fails_with(&o, &["password is unusable"]);
    let o = i.run_stdin(&["user", "add", "empty"], b"");
    assert_fails_with(&o, &["no password"]);
    let o = i.run_stdin(&["user", "add", "<b>"], b"tall giraffe 42\n");
    assert_fails_with(&o, &["username"]);
    let o = i.run(&["user", "role", "boss", "moderator"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = i.run(&["user", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(list[0]["username"], "boss");
    assert_eq!(list[0]["role"], "moderator");
    let o = i.run(&["user", "role", "nobody", "admin"]);
    assert_fails_with(&o, &["no user `nobody`"]);
}
