//! Accounts, sessions, tokens, throttling, comments and moderation on both backends.

use super::{article, each_backend, src};
use tidings_core::{CommentId, Timestamp, UserId};
use tidings_store::{
    BackoffPolicy, BackoffState, CommentStatus, KNOWN_DEVICE_MS, KNOWN_DEVICES_PER_USER, LoginGate,
    ModAction, NewComment, NewUser, PostOutcome, RegisterError, Role, Store, StoreError, Thread,
    account_backoff_key, pair_backoff_key,
};

async fn user(s: &Store, name: &str, role: Role) -> tidings_store::User {
    s.create_user(&NewUser {
        username: name,
        email: None,
        password_hash: "$argon2id$fake",
        role,
    })
    .await
    .unwrap()
}

async fn thread(s: &Store) -> Thread {
    let so = s.add_source(&src("https://c.example/feed")).await.unwrap();
    let a = s
        .insert_article(&article(so.id, "https://c.example/a", "A"))
        .await
        .unwrap();
    Thread::Article(a)
}

fn post<'a>(t: Thread, u: UserId, parent: Option<CommentId>, body: &'a str) -> NewComment<'a> {
    NewComment {
        thread: t,
        parent,
        user: u,
        body,
        ip_hash: Some("iphash"),
    }
}

fn posted(o: PostOutcome) -> CommentId {
    match o {
        PostOutcome::Posted(id) => id,
        other => panic!("not posted: {other:?}"),
    }
}

#[tokio::test]
async fn users_are_unique_ignoring_case_and_roles_round_trip() {
    each_backend(async |db| {
        let s = &db.store;
        let a = user(s, "Alice", Role::Member).await;
        assert_eq!(a.role, Role::Member);
        let dup = s
            .create_user(&NewUser {
                username: "alice",
                email: None,
                password_hash: "x",
                role: Role::Member,
            })
            .await;
        assert!(matches!(dup, Err(StoreError::Duplicate(_))), "{dup:?}");
        assert_eq!(s.user_by_name("ALICE").await.unwrap().unwrap().id, a.id);
        assert!(s.user_by_name("bob").await.unwrap().is_none());
        s.set_role(a.id, Role::Admin).await.unwrap();
        assert_eq!(s.user(a.id).await.unwrap().unwrap().role, Role::Admin);
        assert!(matches!(
            s.set_role(UserId(999_999), Role::Admin).await,
            Err(StoreError::NotFound(_))
        ));
        // LIKE wildcards in a search are literal.
        user(s, "under_score", Role::Member).await;
        assert_eq!(s.list_users(Some("_"), 10).await.unwrap().len(), 1);
        assert_eq!(s.list_users(None, 10).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn login_backoff_doubles_after_the_free_failures() {
    each_backend(async |db| {
        let s = &db.store;
        let p = BackoffPolicy {
            free_failures: 2,
            first_delay_ms: 1_000,
            max_delay_ms: 4_000,
            forget_after_ms: 60_000,
        };
        let t0 = Timestamp(1_000_000);
        let at = |ms: i64| t0.plus_ms(ms);
        let charge =
            async |key: &str, ms: i64| s.login_backoff_charge(key, at(ms), &p).await.unwrap();
        let wait = |ms: i64| LoginGate::Wait { until: at(ms) };
        // Two free failures, then 1 s, 2 s, 4 s, 4 s after each failure.
        assert_eq!(charge("k", 0).await, LoginGate::Open);
        assert_eq!(charge("k", 1).await, LoginGate::Open);
        assert_eq!(charge("k", 2).await, LoginGate::Open);
        assert_eq!(charge("k", 3).await, wait(1_002));
        assert_eq!(
            charge("k", 1_001).await,
            wait(1_002),
            "refusals do not count"
        );
        assert_eq!(
            s.login_backoff("k").await.unwrap(),
            Some(BackoffState {
                failures: 3,
                blocked_until: at(1_002)
            })
        );
        assert_eq!(charge("k", 1_002).await, LoginGate::Open);
        assert_eq!(charge("k", 1_003).await, wait(3_002));
        assert_eq!(charge("k", 3_002).await, LoginGate::Open);
        assert_eq!(charge("k", 3_003).await, wait(7_002));
        assert_eq!(charge("k", 7_002).await, LoginGate::Open);
        assert_eq!(charge("k", 7_003).await, wait(11_002), "at most 4 s");
        // Keys are independent.
        assert_eq!(charge("other", 7_003).await, LoginGate::Open);
        // A success clears the attempt's keys and notes the time.
        let u = user(s, "carol", Role::Member).await;
        assert_eq!(charge("k", 11_002).await, LoginGate::Open);
        s.record_login_success(u.id, at(11_003), &["k"])
            .await
            .unwrap();
        assert_eq!(s.login_backoff("k").await.unwrap(), None);
        assert_eq!(
            s.user(u.id).await.unwrap().unwrap().last_login_at,
            Some(at(11_003))
        );
        assert!(s.login_backoff("other").await.unwrap().is_some());
        // Failures a minute apart (forget_after_ms) never add up.
        for k in 0..6 {
            assert_eq!(charge("slow", k * 60_001).await, LoginGate::Open, "{k}");
        }
        assert_eq!(s.login_backoff("slow").await.unwrap().unwrap().failures, 1);
        // Pruning forgets backoffs a day old that no longer wait.
        let later = at(6 * 60_001 + 86_400_001);
        s.prune_sessions(later).await.unwrap();
        assert_eq!(s.login_backoff("slow").await.unwrap(), None);
        assert_eq!(s.login_backoff("other").await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn unlock_clears_an_accounts_backoffs_only() {
    each_backend(async |db| {
        let s = &db.store;
        let p = BackoffPolicy {
            free_failures: 1,
            first_delay_ms: 60_000,
            max_delay_ms: 60_000,
            forget_after_ms: 86_400_000,
        };
        let now = Timestamp::now();
        let a = user(s, "amy", Role::Admin).await;
        let b = user(s, "ben", Role::Member).await;
        let keys = [
            account_backoff_key(a.id),
            pair_backoff_key(Some(a.id), "h", "a1"),
            pair_backoff_key(Some(a.id), "h", "dx"),
            account_backoff_key(b.id),
            pair_backoff_key(Some(b.id), "h", "a1"),
            pair_backoff_key(None, "amyhash", "a1"),
        ];
        for k in &keys {
            s.login_backoff_charge(k, now, &p).await.unwrap();
            s.login_backoff_charge(k, now, &p).await.unwrap();
            assert!(matches!(
                s.login_backoff_charge(k, now, &p).await.unwrap(),
                LoginGate::Wait { .. }
            ));
        }
        s.clear_lockout(a.id).await.unwrap();
        for (i, k) in keys.iter().enumerate() {
            let gone = s.login_backoff(k).await.unwrap().is_none();
            assert_eq!(gone, i < 3, "{k}");
        }
        assert_eq!(
            s.login_backoff_charge(&keys[0], now, &p).await.unwrap(),
            LoginGate::Open
        );
    })
    .await;
}

#[tokio::test]
async fn known_devices_rotate_are_capped_and_forgotten() {
    each_backend(async |db| {
        let s = &db.store;
        let u = user(s, "dora", Role::Member).await;
        let v = user(s, "vic", Role::Member).await;
        let t0 = Timestamp::now();
        s.remember_device(u.id, "d1", None, t0).await.unwrap();
        assert!(s.is_known_device(u.id, "d1", t0).await.unwrap());
        assert!(
            !s.is_known_device(v.id, "d1", t0).await.unwrap(),
            "not hers"
        );
        assert!(!s.is_known_device(u.id, "d2", t0).await.unwrap());
        // A new login from that browser replaces its cookie.
        s.remember_device(u.id, "d2", Some("d1"), t0.plus_ms(1))
            .await
            .unwrap();
        assert!(!s.is_known_device(u.id, "d1", t0).await.unwrap());
        assert!(s.is_known_device(u.id, "d2", t0).await.unwrap());
        // ...but never another account's.
        s.remember_device(v.id, "v1", None, t0).await.unwrap();
        s.remember_device(u.id, "d3", Some("v1"), t0.plus_ms(2))
            .await
            .unwrap();
        assert!(s.is_known_device(v.id, "v1", t0).await.unwrap());
        // The most recent KNOWN_DEVICES_PER_USER stay.
        for k in 0..KNOWN_DEVICES_PER_USER {
            s.remember_device(u.id, &format!("n{k}"), None, t0.plus_ms(10 + k))
                .await
                .unwrap();
        }
        assert!(!s.is_known_device(u.id, "d3", t0).await.unwrap());
        assert!(s.is_known_device(u.id, "n0", t0).await.unwrap());
        assert!(s.is_known_device(v.id, "v1", t0).await.unwrap());
        // Unused for KNOWN_DEVICE_MS: unknown, then pruned; gone with the account.
        let late = t0.plus_ms(KNOWN_DEVICE_MS + 100);
        assert!(!s.is_known_device(u.id, "n0", late).await.unwrap());
        s.prune_sessions(late).await.unwrap();
        assert!(!s.is_known_device(u.id, "n0", t0).await.unwrap());
        s.remember_device(v.id, "v2", None, t0).await.unwrap();
        s.delete_user(v.id).await.unwrap();
        assert!(!s.is_known_device(v.id, "v2", t0).await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_and_end_together() {
    each_backend(async |db| {
        let s = &db.store;
        let u = user(s, "erin", Role::Member).await;
        let now = Timestamp::now();
        s.create_session("h1", u.id, "{}", now.plus_ms(60_000))
            .await
            .unwrap();
        s.create_session("h2", u.id, "{}", now.plus_ms(60_000))
            .await
            .unwrap();
        s.create_session("old", u.id, "{}", now.plus_ms(-1))
            .await
            .unwrap();
        let got = s.session("h1", now).await.unwrap().unwrap();
        assert_eq!(got.user.id, u.id);
        assert!(s.session("old", now).await.unwrap().is_none(), "expired");
        assert!(s.session("nope", now).await.unwrap().is_none());
        assert_eq!(s.count_user_sessions(u.id, now).await.unwrap(), 2);
        // A password change ends the other sessions; tokens stay unless asked.
        s.create_api_token(u.id, "app", "tok1").await.unwrap();
        s.set_password(u.id, "newhash", Some("h1"), false)
            .await
            .unwrap();
        assert!(s.session("h1", now).await.unwrap().is_some());
        assert!(s.session("h2", now).await.unwrap().is_none());
        assert_eq!(s.password_hash(u.id).await.unwrap().unwrap(), "newhash");
        assert!(s.api_token_user("tok1", now).await.unwrap().is_some());
        s.set_password(u.id, "newerhash", Some("h1"), true)
            .await
            .unwrap();
        assert!(s.session("h1", now).await.unwrap().is_some());
        assert!(s.api_token_user("tok1", now).await.unwrap().is_none());
        // Log out everywhere: sessions and tokens, not other people's.
        s.create_session("h3", u.id, "{}", now.plus_ms(60_000))
            .await
            .unwrap();
        s.create_api_token(u.id, "app2", "tok2").await.unwrap();
        s.create_api_token(u.id, "app3", "tok3").await.unwrap();
        let other = user(s, "erin2", Role::Member).await;
        s.create_api_token(other.id, "theirs", "tok4")
            .await
            .unwrap();
        assert_eq!(s.log_out_everywhere(u.id).await.unwrap(), (2, 2));
        assert!(s.session("h1", now).await.unwrap().is_none());
        assert!(s.api_token_user("tok2", now).await.unwrap().is_none());
        assert!(s.api_token_user("tok4", now).await.unwrap().is_some());
        assert_eq!(s.delete_user_sessions(u.id).await.unwrap(), 0);
        assert_eq!(s.prune_sessions(now).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn api_tokens_and_invitations() {
    each_backend(async |db| {
        let s = &db.store;
        let u = user(s, "frank", Role::Admin).await;
        let t = s.create_api_token(u.id, "phone", "th1").await.unwrap();
        let now = Timestamp::now();
        assert_eq!(
            s.api_token_user("th1", now).await.unwrap().unwrap().id,
            u.id
        );
        assert!(
            s.list_api_tokens(u.id).await.unwrap()[0]
                .last_used_at
                .is_some()
        );
        let other = user(s, "gina", Role::Member).await;
        assert!(
            !s.revoke_api_token(other.id, t.id).await.unwrap(),
            "not hers"
        );
        assert!(s.revoke_api_token(u.id, t.id).await.unwrap());
        assert!(!s.revoke_api_token(u.id, t.id).await.unwrap());
        assert!(s.api_token_user("th1", now).await.unwrap().is_none());

        s.create_invitation("code1", Some(u.id), Some(now.plus_ms(60_000)))
            .await
            .unwrap();
        s.create_invitation("expired", Some(u.id), Some(now.plus_ms(-1)))
            .await
            .unwrap();
        let nu = |name: &'static str| NewUser {
            username: name,
            email: None,
            password_hash: "h",
            role: Role::Member,
        };
        let err = s
            .create_user_with_invitation(&nu("h1"), "expired", now)
            .await;
        assert!(matches!(err, Err(RegisterError::BadInvitation)), "{err:?}");
        let err = s
            .create_user_with_invitation(&nu("frank"), "code1", now)
            .await;
        assert!(matches!(err, Err(RegisterError::UsernameTaken)), "{err:?}");
        let ok = s
            .create_user_with_invitation(&nu("hank"), "code1", now)
            .await
            .unwrap();
        assert_eq!(ok.username, "hank");
        let err = s
            .create_user_with_invitation(&nu("ivan"), "code1", now)
            .await;
        assert!(
            matches!(err, Err(RegisterError::BadInvitation)),
            "used once"
        );
        let inv = s.list_invitations(10).await.unwrap();
        assert_eq!(
            inv.iter()
                .filter(|i| i.used_by.as_deref() == Some("hank"))
                .count(),
            1
        );
        assert!(s.user_by_name("ivan").await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn rate_limits_use_fixed_windows() {
    each_backend(async |db| {
        let s = &db.store;
        let t = Timestamp(10_000_000);
        for k in 1..=3 {
            assert_eq!(s.rate_limit_hit("k", 1000, t.plus_ms(k)).await.unwrap(), k);
        }
        assert_eq!(s.rate_limit_hit("other", 1000, t).await.unwrap(), 1);
        assert_eq!(
            s.rate_limit_count("k", 1000, t.plus_ms(10)).await.unwrap(),
            3
        );
        // A new window starts over.
        assert_eq!(
            s.rate_limit_hit("k", 1000, t.plus_ms(1001)).await.unwrap(),
            1
        );
        assert_eq!(
            s.rate_limit_count("k", 1000, t.plus_ms(5000))
                .await
                .unwrap(),
            0
        );
        let a = s.site_secret("ip", "first").await.unwrap();
        let b = s.site_secret("ip", "second").await.unwrap();
        assert_eq!((a.as_str(), b.as_str()), ("first", "first"));
    })
    .await;
}

#[tokio::test]
async fn comments_threads_depth_votes_edits_and_locks() {
    each_backend(async |db| {
        let s = &db.store;
        let t = thread(s).await;
        let a = user(s, "amy", Role::Member).await;
        let b = user(s, "ben", Role::Member).await;
        let m = user(s, "mod", Role::Moderator).await;
        let c1 = posted(
            s.post_comment(&post(t, a.id, None, "first"), 2)
                .await
                .unwrap(),
        );
        let c2 = posted(
            s.post_comment(&post(t, b.id, Some(c1), "reply"), 2)
                .await
                .unwrap(),
        );
        let c3 = posted(
            s.post_comment(&post(t, a.id, Some(c2), "deeper"), 2)
                .await
                .unwrap(),
        );
        assert_eq!(
            s.post_comment(&post(t, b.id, Some(c3), "too deep"), 2)
                .await
                .unwrap(),
            PostOutcome::TooDeep
        );
        // A parent from another thread is refused.
        let so = s.add_source(&src("https://d.example/feed")).await.unwrap();
        let other = Thread::Article(
            s.insert_article(&article(so.id, "https://d.example/x", "X"))
                .await
                .unwrap(),
        );
        assert_eq!(
            s.post_comment(&post(other, b.id, Some(c1), "x"), 2)
                .await
                .unwrap(),
            PostOutcome::BadParent
        );

        let all = s.thread_comments(t, Some(b.id), 100).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].depth, 1);
        assert_eq!(all[1].parent_id, Some(c1));
        assert_eq!(all[0].username.as_deref(), Some("amy"));

        // Votes are idempotent and move the score.
        assert_eq!(s.set_vote(c1, b.id, true).await.unwrap(), 1);
        assert_eq!(s.set_vote(c1, b.id, true).await.unwrap(), 1);
        assert_eq!(s.set_vote(c1, m.id, true).await.unwrap(), 2);
        assert_eq!(s.set_vote(c1, m.id, false).await.unwrap(), 1);
        assert!(s.comment(c1, Some(b.id)).await.unwrap().unwrap().voted);
        assert!(!s.comment(c1, Some(m.id)).await.unwrap().unwrap().voted);

        // Edits: own comment, within the window.
        let now = Timestamp::now();
        assert!(
            !s.edit_comment(c1, b.id, "hijack", now.plus_ms(-60_000))
                .await
                .unwrap()
        );
        assert!(
            !s.edit_comment(c1, a.id, "late", now.plus_ms(60_000))
                .await
                .unwrap()
        );
        assert!(
            s.edit_comment(c1, a.id, "first, edited", now.plus_ms(-60_000))
                .await
                .unwrap()
        );
        let e = s.comment(c1, None).await.unwrap().unwrap();
        assert_eq!(e.body, "first, edited");
        assert!(e.edited_at.is_some());

        // Reports: one open report per reporter.
        assert!(s.report_comment(c2, a.id, "spam").await.unwrap());
        assert!(!s.report_comment(c2, a.id, "spam again").await.unwrap());
        assert!(s.report_comment(c2, m.id, "rude").await.unwrap());
        assert_eq!(s.count_open_reports().await.unwrap(), 2);
        let reports = s.open_reports(10).await.unwrap();
        assert_eq!(reports[0].comment.id, c2);
        assert_eq!(reports[0].reporter.as_deref(), Some("amy"));

        // Remove resolves the reports and logs; restore brings it back.
        assert!(
            s.moderate_comment(c2, m.id, ModAction::Remove, Some("rule 1"))
                .await
                .unwrap()
        );
        assert_eq!(s.count_open_reports().await.unwrap(), 0);
        assert_eq!(
            s.comment(c2, None).await.unwrap().unwrap().status,
            CommentStatus::Removed
        );
        assert!(
            !s.moderate_comment(c2, m.id, ModAction::Remove, None)
                .await
                .unwrap()
        );
        // No replies under a removed comment.
        assert_eq!(
            s.post_comment(&post(t, a.id, Some(c2), "x"), 5)
                .await
                .unwrap(),
            PostOutcome::BadParent
        );
        assert!(
            s.moderate_comment(c2, m.id, ModAction::Restore, None)
                .await
                .unwrap()
        );
        assert_eq!(
            s.comment(c2, None).await.unwrap().unwrap().status,
            CommentStatus::Visible
        );

        // Own delete leaves a tombstone that cannot be restored.
        assert!(!s.delete_own_comment(c2, a.id).await.unwrap());
        assert!(s.delete_own_comment(c2, b.id).await.unwrap());
        let d = s.comment(c2, None).await.unwrap().unwrap();
        assert_eq!((d.status, d.body.as_str()), (CommentStatus::Deleted, ""));
        assert!(
            !s.moderate_comment(c2, m.id, ModAction::Restore, None)
                .await
                .unwrap()
        );
        assert_eq!(s.thread_comments(t, None, 100).await.unwrap().len(), 3);

        // Locks.
        assert!(
            s.set_thread_lock(t, m.id, true, Some("heated"))
                .await
                .unwrap()
        );
        assert!(!s.set_thread_lock(t, m.id, true, None).await.unwrap());
        assert_eq!(
            s.post_comment(&post(t, a.id, None, "x"), 5).await.unwrap(),
            PostOutcome::ThreadLocked
        );
        assert_eq!(
            s.thread_lock(t).await.unwrap().unwrap().reason.as_deref(),
            Some("heated")
        );
        assert!(s.set_thread_lock(t, m.id, false, None).await.unwrap());
        assert!(s.thread_lock(t).await.unwrap().is_none());

        // Bans.
        let until = Timestamp::now().plus_ms(3_600_000);
        s.ban_user(b.id, m.id, until, "spam").await.unwrap();
        let bb = s.user(b.id).await.unwrap().unwrap();
        assert!(bb.is_banned(Timestamp::now()));
        assert_eq!(bb.ban_reason.as_deref(), Some("spam"));
        assert!(s.unban_user(b.id, Some(m.id), None).await.unwrap());
        assert!(
            !s.user(b.id)
                .await
                .unwrap()
                .unwrap()
                .is_banned(Timestamp::now())
        );
        assert!(
            !s.unban_user(b.id, Some(m.id), None).await.unwrap(),
            "not banned"
        );
        // From the command line: no moderator, and the log says so.
        s.ban_user(b.id, m.id, until, "again").await.unwrap();
        assert!(s.unban_user(b.id, None, Some("appeal")).await.unwrap());
        let cli = &s.moderation_log(None, 1).await.unwrap()[0];
        assert_eq!(
            (cli.moderator.as_deref(), cli.details.as_deref()),
            (None, Some(tidings_store::COMMAND_LINE))
        );

        let log = s.moderation_log(None, 50).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "unban", "ban", "unban", "ban", "unlock", "lock", "restore", "remove"
            ]
        );
        assert_eq!(log[7].moderator.as_deref(), Some("mod"));
        assert_eq!(log[7].reason.as_deref(), Some("rule 1"));
        assert_eq!(log[7].target_id, c2.0);
        let page2 = s.moderation_log(Some(log[3].id), 50).await.unwrap();
        assert_eq!(page2.len(), 4);
    })
    .await;
}

#[tokio::test]
async fn deleting_an_account_keeps_threads_intact() {
    each_backend(async |db| {
        let s = &db.store;
        let t = thread(s).await;
        let a = user(s, "gone", Role::Member).await;
        let b = user(s, "stays", Role::Member).await;
        let c1 = posted(
            s.post_comment(&post(t, a.id, None, "mine"), 5)
                .await
                .unwrap(),
        );
        let c2 = posted(
            s.post_comment(&post(t, b.id, Some(c1), "reply"), 5)
                .await
                .unwrap(),
        );
        s.set_vote(c2, a.id, true).await.unwrap();
        s.create_session("sess", a.id, "{}", Timestamp::now().plus_ms(60_000))
            .await
            .unwrap();
        s.report_comment(c2, a.id, "x").await.unwrap();
        s.delete_user(a.id).await.unwrap();
        assert!(s.user(a.id).await.unwrap().is_none());
        assert!(s.session("sess", Timestamp::now()).await.unwrap().is_none());
        let all = s.thread_comments(t, None, 10).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].status, CommentStatus::Deleted);
        assert_eq!(all[0].body, "");
        assert_eq!(all[0].username, None);
        assert_eq!(all[1].body, "reply");
        assert_eq!(all[1].parent_id, Some(c1));
        assert_eq!(all[1].score, 0, "the deleted account's vote is gone");
        assert!(matches!(
            s.delete_user(a.id).await,
            Err(StoreError::NotFound(_))
        ));
    })
    .await;
}
