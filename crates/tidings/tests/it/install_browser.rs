//! The site as an installed app, in real headless Chromium against the real
//! server: the manifest is fetched and valid and Chromium finds the site
//! installable, the service worker registers for the whole site, an article
//! the reader saved (on its page, or from a list without opening it, which
//! leaves it unread) opens with the server gone, and any other page then
//! shows the offline page, which axe-core finds clean.

use crate::chromium::driver;
use crate::common::*;
use crate::community::{PW, cli_user, configure};
use crate::site_browser::{AXE_RUN, axe_source};
use serde_json::{Value, json};
use std::time::Duration;
use tidings_core::{ArticleId, CanonicalUrl, DisplayPolicy, SourceKind};
use tidings_store::{NewArticle, NewSource};

/// Whether the service worker keeps a copy of `path`.
const KEPT: &str = r#"
const done = arguments[arguments.length - 1];
caches.open("tidings-kept").then(c => c.match(arguments[0])).then(r => done(!!r), e => done("error: " + e));
"#;

#[tokio::test]
async fn chromium_installable_and_saved_articles_readable_offline() {
    let Some(d) = driver() else { return };
    let Some(axe) = axe_source() else { return };
    let i = Install::sqlite();
    let store = i.store().await;
    let src = store
        .add_source(&NewSource {
            url: CanonicalUrl::parse("https://wire.example/feed.xml").unwrap(),
            kind: SourceKind::Feed,
            name: Some("Wire".into()),
            site_url: None,
            display: DisplayPolicy::Full,
            profile: Default::default(),
        })
        .await
        .unwrap()
        .id;
    let mut ids: Vec<ArticleId> = Vec::new();
    for (t, body) in [
        (
            "Harbour ferry returns",
            "The harbour ferry returns to service after a long winter refit.",
        ),
        (
            "Library opens late",
            "The city library opens late on Thursdays from next month.",
        ),
        (
            "Orchard frost warning",
            "Growers are warned of frost in the orchards this week.",
        ),
    ] {
        let slug = t.to_lowercase().replace(' ', "-");
        ids.push(
            store
                .insert_article(&NewArticle {
                    source_id: Some(src),
                    url: Some(
                        CanonicalUrl::parse(&format!("https://wire.example/{slug}")).unwrap(),
                    ),
                    original_url: format!("https://wire.example/{slug}"),
                    title: t.into(),
                    text: body.into(),
                    html: format!("<p>{body}</p>"),
                    language: Some("en".into()),
                    ..Default::default()
                })
                .await
                .unwrap(),
        );
    }
    cli_user(&i, "ada", None);
    let ada = store.user_by_name("ada").await.unwrap().unwrap().id;
    store.follow_source(ada, src).await.unwrap();
    configure(&i, "[api]\nrequests_per_minute = 0\n");
    let mut server = i.serve(&["--no-crawl"]);
    let b = d.session().await;

    // Installable: the manifest as Chromium reads it, and no installability error.
    b.go(&server.url("/")).await;
    b.wait_for("return document.readyState === 'complete'")
        .await;
    let m = b.cdp("Page.getAppManifest", json!({})).await;
    assert_eq!(m["url"], server.url("/manifest.webmanifest"), "{m}");
    assert_eq!(m["errors"], json!([]), "{m}");
    let manifest: Value = serde_json::from_str(m["data"].as_str().unwrap()).unwrap();
    assert_eq!(manifest["start_url"], "/");
    // The icon tabs, bookmarks and link previews show, where they look for it.
    for path in ["/favicon.ico", "/static/icon-192.png"] {
        let r = crate::community::http()
            .get(server.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "image/png", "{path}");
    }
    let icon = b
        .js(
            "return document.querySelector('link[rel=icon]').getAttribute('href')",
            json!([]),
        )
        .await;
    assert_eq!(icon, json!("/static/icon-192.png"));
    assert_eq!(manifest["display"], "standalone");
    for icon in manifest["icons"].as_array().unwrap() {
        let src = icon["src"].as_str().unwrap();
        let r = crate::community::http()
            .get(server.url(src))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{src}");
        assert_eq!(r.headers()["content-type"], "image/png");
        let png = r.bytes().await.unwrap();
        let size: u32 = icon["sizes"]
            .as_str()
            .unwrap()
            .split('x')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(
            u32::from_be_bytes(png[16..20].try_into().unwrap()),
            size,
            "{src}"
        );
    }
    let scope = b
        .js_async(
            "const done = arguments[arguments.length - 1];
             navigator.serviceWorker.ready.then(r => done(r.active ? r.scope : null));",
            json!([]),
        )
        .await;
    assert_eq!(scope, json!(server.url("/")));
    let errors = b.cdp("Page.getInstallabilityErrors", json!({})).await;
    assert_eq!(errors["installabilityErrors"], json!([]), "{errors}");

    // Sign in; save the first article on its page (with JavaScript: no reload).
    b.go(&server.url("/login")).await;
    b.fill("#username", "ada").await;
    b.fill("#password", PW).await;
    b.submit("form[action='/login'] button[type=submit]").await;
    b.go(&server.url(&format!("/a/{}", ids[0].0))).await;
    b.wait_for("return document.readyState === 'complete'")
        .await;
    let first = b.path().await;
    b.click("main form[data-reader=save] button").await;
    b.wait_for("return document.querySelector('main form[data-reader=save]').getAttribute('data-state') === 'on'")
        .await;
    // The second from the source page's list, without opening it.
    b.go(&server.url(&format!("/source/{}", src.0))).await;
    b.wait_for("return document.readyState === 'complete'")
        .await;
    let card = format!("#item-{}", ids[1].0);
    let second = b
        .js(
            "return document.querySelector(arguments[0] + \" a[href^='/a/']\").getAttribute('href')",
            json!([card]),
        )
        .await
        .as_str()
        .unwrap()
        .to_string();
    b.click(&format!("{card} form[data-reader=save] button"))
        .await;
    b.wait_for(&format!(
        "return document.querySelector(\"{card} form[data-reader=save]\").getAttribute('data-state') === 'on'"
    ))
    .await;
    for path in [&first, &second] {
        let mut kept = Value::Bool(false);
        for _ in 0..600 {
            kept = b.js_async(KEPT, json!([path])).await;
            if kept == Value::Bool(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(kept, Value::Bool(true), "{path} never kept");
    }
    // Keeping a copy is not reading: the second is saved and still unread.
    let state = store.reader_items(ada, &[ids[0], ids[1]]).await.unwrap();
    assert!(state[0].read && state[0].saved_at.is_some());
    assert!(
        !state[1].read && state[1].saved_at.is_some(),
        "{:?}",
        state[1]
    );

    // The server goes away.
    server.signal("TERM");
    server.wait(Duration::from_secs(30));
    for (path, title) in [
        (&first, "Harbour ferry returns"),
        (&second, "Library opens late"),
    ] {
        b.go(&server.url(path)).await;
        b.wait_for("return document.readyState === 'complete'")
            .await;
        let text = b.text().await;
        assert!(text.contains(title), "{path} offline: {text}");
        assert_eq!(
            b.js(
                "return document.title.includes(arguments[0])",
                json!([title])
            )
            .await,
            Value::Bool(true)
        );
    }
    // A page nobody kept: the offline page, accessible, styled, no CSP trouble.
    let third = format!("/a/{}", ids[2].0);
    b.go(&server.url(&third)).await;
    b.wait_for("return document.readyState === 'complete'")
        .await;
    let text = b.text().await;
    assert!(text.contains("You are offline"), "{text}");
    assert!(!text.contains("Orchard frost"));
    assert_eq!(b.path().await, third, "the address stays the one asked for");
    let styled = b
        .js(
            "return getComputedStyle(document.querySelector('.site-header')).borderBottomStyle",
            json!([]),
        )
        .await;
    assert_eq!(
        styled,
        json!("solid"),
        "the stylesheet comes from the worker's cache"
    );
    b.js(&format!("{axe}\n;return true;"), json!([])).await;
    let v = b.js_async(AXE_RUN, json!([])).await;
    assert_eq!(v["serious"], json!([]), "axe-core on the offline page: {v}");
    assert_eq!(v["other"], json!([]), "axe-core on the offline page: {v}");
    assert!(v["passes"].as_u64().unwrap() >= 10, "{v}");
    assert_eq!(b.js("return window.__csp", json!([])).await, json!([]));
    b.quit().await;
}
