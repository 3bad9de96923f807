//! Readers' own news in real headless Chromium, against the real server:
//! follow a source and a story, save, mark read and unread, mark all as
//! read, once with JavaScript (the forms are sent by `reader.js`: nothing
//! reloads) and once with JavaScript turned off (the same forms, posted and
//! redirected back). What the page says is checked against the database,
//! and axe-core finds nothing on the signed-in pages with reader controls.

use crate::chromium::{Browser, driver};
use crate::common::*;
use crate::community::{PW, serve};
use crate::readers::seed;
use crate::site_browser::{AXE_RUN, axe_source};
use serde_json::json;
use tidings_core::{ArticleId, UserId};
use tidings_store::Store;

async fn open(b: &Browser, server: &Server, path: &str) {
    b.go(&server.url(path)).await;
    b.wait_for("return document.readyState === 'complete'")
        .await;
}

async fn register(b: &Browser, server: &Server, name: &str) {
    open(b, server, "/register").await;
    b.fill("#username", name).await;
    b.fill("#password", PW).await;
    b.fill("#password2", PW).await;
    b.submit("form[action='/register'] button[type=submit]")
        .await;
    assert!(b.text().await.contains(name), "signed in as {name}");
}

async fn count(b: &Browser, css: &str) -> u64 {
    b.js(
        "return document.querySelectorAll(arguments[0]).length",
        json!([css]),
    )
    .await
    .as_u64()
    .unwrap()
}

async fn label(b: &Browser, form_css: &str) -> String {
    b.js(
        "return document.querySelector(arguments[0] + ' [data-label]').textContent",
        json!([form_css]),
    )
    .await
    .as_str()
    .unwrap()
    .to_string()
}

/// Press a reader button with JavaScript on: the page must not reload, and
/// `done` must come to hold.
async fn press_in_place(b: &Browser, button: &str, done: &str) {
    b.js("window.__stay = 1", json!([])).await;
    b.click(button).await;
    b.wait_for(done).await;
    assert_eq!(
        b.js("return window.__stay === 1", json!([])).await,
        json!(true),
        "{button}: the page reloaded"
    );
}

async fn axe(b: &Browser, axe: &str, name: &str) {
    b.js(&format!("{axe}\n;return true;"), json!([])).await;
    let v = b.js_async(AXE_RUN, json!([])).await;
    assert_eq!(v["serious"], json!([]), "axe-core on {name}: {v}");
    assert_eq!(v["other"], json!([]), "axe-core on {name}: {v}");
    assert!(v["passes"].as_u64().unwrap() >= 10, "{name}: {v}");
}

async fn state(store: &Store, u: UserId, a: ArticleId) -> (bool, bool) {
    let s = store
        .item_states(u, &store.article_cards(&[a]).await.unwrap())
        .await
        .unwrap();
    (s[0].read, s[0].saved_at.is_some())
}

fn item(a: ArticleId) -> String {
    format!("#item-{}", a.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_follow_save_and_read_with_and_without_javascript() {
    let Some(driver) = driver() else { return };
    let Some(axe_js) = axe_source() else { return };
    let i = Install::sqlite();
    let store = i.store().await;
    let d = seed(&store).await;
    let server = serve(&i, "");
    let source = format!("/source/{}", d.wire.0);
    let story = format!("/story/{}", d.story.0);
    let follow_form = ".reader-controls form[data-reader=follow]";

    // ---- With JavaScript: nothing reloads.
    let b = driver.session().await;
    register(&b, &server, "jsreader").await;
    let u = store.user_by_name("jsreader").await.unwrap().unwrap().id;
    open(&b, &server, &source).await;
    assert_eq!(label(&b, follow_form).await, "Follow");
    press_in_place(
        &b,
        &format!("{follow_form} button"),
        &format!("return document.querySelector('{follow_form}').dataset.state === 'on'"),
    )
    .await;
    assert_eq!(label(&b, follow_form).await, "Unfollow");
    assert_eq!(
        b.js(
            "return document.querySelector('[data-reader-status]').textContent",
            json!([])
        )
        .await,
        json!("Follow: ✓"),
        "said to screen readers"
    );
    axe(&b, &axe_js, "source page, signed in").await;
    open(&b, &server, &story).await;
    press_in_place(
        &b,
        &format!("{follow_form} button"),
        &format!("return document.querySelector('{follow_form}').dataset.state === 'on'"),
    )
    .await;
    axe(&b, &axe_js, "story page, signed in").await;
    let f = store.follows(u).await.unwrap();
    assert_eq!(
        (
            f.sources.iter().map(|s| s.source_id).collect::<Vec<_>>(),
            f.stories.iter().map(|s| s.story_id).collect::<Vec<_>>()
        ),
        (vec![d.wire], vec![d.story])
    );

    // For you: the source's three articles and the story's other one, unread.
    open(&b, &server, "/for-you").await;
    assert_eq!(count(&b, ".card.unread").await, 4);
    assert!(b.text().await.contains("4 unread"));
    axe(&b, &axe_js, "for you").await;
    let (w0, w1, w2) = (d.w[0], d.w[1], d.w[2]);
    press_in_place(
        &b,
        &format!("{} form[data-reader=save] button", item(w1)),
        &format!(
            "return document.querySelector('{} form[data-reader=save]').dataset.state === 'on'",
            item(w1)
        ),
    )
    .await;
    assert_eq!(
        label(&b, &format!("{} form[data-reader=save]", item(w1))).await,
        "Unsave"
    );
    press_in_place(
        &b,
        &format!("{} form[data-reader=read] button", item(w0)),
        &format!(
            "return !document.querySelector('{}').classList.contains('unread')",
            item(w0)
        ),
    )
    .await;
    assert_eq!(count(&b, ".card.unread").await, 3);
    assert_eq!(state(&store, u, w1).await, (false, true));
    assert_eq!(state(&store, u, w0).await, (true, false));
    // Unread again, in place.
    press_in_place(
        &b,
        &format!("{} form[data-reader=read] button", item(w0)),
        &format!(
            "return document.querySelector('{}').classList.contains('unread')",
            item(w0)
        ),
    )
    .await;
    assert_eq!(state(&store, u, w0).await, (false, false));

    // Opening an article makes it read; its page has the reader's forms.
    open(&b, &server, &format!("/a/{}", w2.0)).await;
    assert!(count(&b, "form[data-reader=save]").await == 1);
    assert_eq!(label(&b, "form[data-reader=read]").await, "Mark unread");
    axe(&b, &axe_js, "article page, signed in").await;
    assert_eq!(state(&store, u, w2).await, (true, false));
    open(&b, &server, "/for-you").await;
    assert_eq!(count(&b, ".card.unread").await, 3);

    // Mark all as read, in place.
    press_in_place(
        &b,
        "form[data-reader=read-all] button",
        "return document.querySelectorAll('.card.unread').length === 0",
    )
    .await;
    assert!(b.text().await.contains("0 unread"));
    open(&b, &server, "/for-you").await;
    assert_eq!(count(&b, ".card.unread").await, 0);
    assert_eq!(
        store
            .unread_count(u, &tidings_store::Stream::Following)
            .await
            .unwrap(),
        0
    );
    open(&b, &server, "/saved").await;
    assert_eq!(count(&b, ".card").await, 1);
    axe(&b, &axe_js, "saved").await;
    // Nothing logged (the site has an icon, /favicon.ico included).
    let log = b.console().await;
    assert!(log.is_empty(), "console: {log:?}");
    b.quit().await;

    // ---- Without JavaScript: the same forms, posted and sent back.
    let b = driver.session().await;
    b.cdp(
        "Emulation.setScriptExecutionDisabled",
        json!({"value": true}),
    )
    .await;
    register(&b, &server, "formreader").await;
    let u = store.user_by_name("formreader").await.unwrap().unwrap().id;
    open(&b, &server, &source).await;
    // `submit` waits for a new page: a press handled in place would time out.
    b.submit(&format!("{follow_form} button")).await;
    assert_eq!(b.path().await, source);
    assert_eq!(label(&b, follow_form).await, "Unfollow");
    open(&b, &server, &format!("/source/{}", d.herald.0)).await;
    b.submit(".reader-controls form[data-reader=mute] button")
        .await;
    assert_eq!(
        label(&b, ".reader-controls form[data-reader=mute]").await,
        "Unmute this source"
    );
    open(&b, &server, &story).await;
    b.submit(&format!("{follow_form} button")).await;
    assert_eq!(label(&b, follow_form).await, "Unfollow");
    let f = store.follows(u).await.unwrap();
    assert_eq!(f.sources.len(), 1);
    assert_eq!(f.stories.len(), 1);
    assert_eq!(f.muted.first().map(|m| m.source_id), Some(d.herald));

    // The story's herald article is muted now: the wire's three remain.
    open(&b, &server, "/for-you").await;
    assert_eq!(count(&b, ".card.unread").await, 3);
    b.submit(&format!("{} form[data-reader=save] button", item(w1)))
        .await;
    assert_eq!(b.path().await, "/for-you");
    assert_eq!(
        label(&b, &format!("{} form[data-reader=save]", item(w1))).await,
        "Unsave"
    );
    b.submit(&format!("{} form[data-reader=read] button", item(w0)))
        .await;
    assert_eq!(count(&b, ".card.unread").await, 2);
    assert_eq!(state(&store, u, w0).await, (true, false));
    assert_eq!(state(&store, u, w1).await, (false, true));
    b.submit("form[data-reader=read-all] button").await;
    assert_eq!(count(&b, ".card.unread").await, 0);
    assert!(b.text().await.contains("0 unread"));
    // Unsave from the saved list.
    open(&b, &server, "/saved").await;
    b.submit(&format!("{} form[data-reader=save] button", item(w1)))
        .await;
    assert_eq!(state(&store, u, w1).await, (true, false));
    assert_eq!(b.path().await, "/saved");
    assert_eq!(count(&b, ".card").await, 0);
    b.quit().await;
    store.close().await;
    assert!(
        !server.log_text().contains("\"level\":\"ERROR\""),
        "{}",
        server.log_text()
    );
}
