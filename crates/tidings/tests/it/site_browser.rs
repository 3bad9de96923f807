//! The reader's website in real headless Chromium, against the real server
//! with real crawled articles: every page type renders, logs nothing to the
//! console, loads nothing from another origin, works in dark mode and from
//! the keyboard, and axe-core finds no serious or critical violation.
//! Screenshots at phone and desktop width go to `target/screenshots/`.
//!
//! axe-core comes from npm (`.ci/run` installs it into `target/npm`;
//! `TIDINGS_TEST_AXE` may name another `axe.min.js`). Like Chromium, it is
//! skipped when missing unless `CI` or `TIDINGS_TEST_REQUIRE_BROWSER=1` is set.

use crate::chromium::{Browser, browser_required, driver};
use crate::common::*;
use crate::community::{PW, configure};
use crate::web::{crawled, get};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const PHONE: u32 = 390;
const DESKTOP: u32 = 1366;

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

/// axe-core's source, or None (skip) when it is not installed and not required.
pub(crate) fn axe_source() -> Option<String> {
    let path = std::env::var_os("TIDINGS_TEST_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("npm/node_modules/axe-core/axe.min.js"));
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) => {
            assert!(
                !browser_required(),
                "axe-core is required here but {} cannot be read ({e}): npm install --prefix target/npm axe-core@4",
                path.display()
            );
            eprintln!(
                "skipping the accessibility test: {} missing",
                path.display()
            );
            None
        }
    }
}

/// Every URL the page loaded or references for loading, that is not of the
/// page's own origin.
const FOREIGN: &str = r#"
const urls = [];
for (const e of performance.getEntriesByType("resource")) urls.push(e.name);
for (const e of performance.getEntriesByType("navigation")) urls.push(e.name);
for (const el of document.querySelectorAll("img[src], script[src], iframe[src], video[src], audio[src], source[src], embed[src], input[type=image][src]")) urls.push(el.src);
for (const el of document.querySelectorAll("img[srcset], source[srcset]")) {
  for (const part of el.srcset.split(",")) { const u = part.trim().split(/\s+/)[0]; if (u) urls.push(new URL(u, location.href).href); }
}
for (const el of document.querySelectorAll("video[poster], object[data]")) urls.push(el.poster || el.data);
for (const el of document.querySelectorAll("link[href]")) {
  if (/\b(stylesheet|icon|preload|prefetch|modulepreload|manifest|apple-touch-icon)\b/i.test(el.rel)) urls.push(el.href);
}
for (const sheet of document.styleSheets) {
  try { for (const r of sheet.cssRules) { const m = r.cssText.match(/url\(["']?([^"')]+)/g); if (m) m.forEach(x => urls.push(new URL(x.replace(/^url\(["']?/, ""), sheet.href || location.href).href)); } } catch (e) { urls.push("unreadable stylesheet " + sheet.href); }
}
return { count: urls.length, foreign: urls.filter(u => { try { return new URL(u).origin !== location.origin; } catch (e) { return true; } }) };
"#;

/// The relative luminance of the computed background and text colour of the body.
const COLOURS: &str = r#"
function lum(c) {
  const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return -1;
  const [r, g, b] = m[1].split(",").slice(0, 3).map(x => parseFloat(x) / 255).map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const s = getComputedStyle(document.body), h = getComputedStyle(document.querySelector("h1"));
return { bg: lum(s.backgroundColor), fg: lum(s.color), h1: lum(h.color), raw: [s.backgroundColor, s.color, h.color] };
"#;

/// axe-core over the whole page: serious and critical violations, summarised.
pub(crate) const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document).then(r => {
  const serious = r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
    v.impact + " " + v.id + ": " + v.help + " -> " + v.nodes.slice(0, 5).map(n => n.target.join(" ") + " [" + (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 200) + "]").join(" | "));
  const other = r.violations.filter(v => !(v.impact === "serious" || v.impact === "critical")).map(v => v.impact + " " + v.id);
  done({ serious: serious, other: other, passes: r.passes.length });
}).catch(e => done({ serious: ["axe failed: " + e], other: [], passes: 0 }));
"#;

struct Site<'a> {
    b: &'a Browser,
    server: &'a Server,
    axe: &'a str,
    shots: PathBuf,
    /// What the checks found, reported together at the end (one run shows
    /// every problem, not only the first).
    findings: std::cell::RefCell<Vec<String>>,
}

impl Site<'_> {
    fn expect(&self, ok: bool, what: String) {
        if !ok {
            eprintln!("FINDING: {what}");
            self.findings.borrow_mut().push(what);
        }
    }

    fn expect_eq(&self, got: Value, want: Value, what: String) {
        let ok = got == want;
        self.expect(ok, format!("{what}: got {got}, want {want}"));
    }

    async fn scheme(&self, dark: bool) {
        self.b
            .cdp(
                "Emulation.setEmulatedMedia",
                json!({"features": [{"name": "prefers-color-scheme", "value": if dark { "dark" } else { "light" }}]}),
            )
            .await;
    }

    async fn width(&self, w: u32) {
        self.b
            .cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({"width": w, "height": 900, "deviceScaleFactor": 1, "mobile": w < 600}),
            )
            .await;
    }

    async fn open(&self, path: &str) {
        self.b.go(&self.server.url(path)).await;
        self.b
            .wait_for("return document.readyState === 'complete'")
            .await;
    }

    async fn axe(&self, name: &str, mode: &str) {
        let loaded = self
            .b
            .js("return typeof window.axe === 'object'", json!([]))
            .await;
        if loaded != Value::Bool(true) {
            self.b
                .js(&format!("{}\n;return true;", self.axe), json!([]))
                .await;
        }
        let v = self.b.js_async(AXE_RUN, json!([])).await;
        self.expect_eq(
            v["serious"].clone(),
            json!([]),
            format!("axe-core: serious or critical violations on {name} ({mode})"),
        );
        // Below "serious" too: the pages are clean, and stay so.
        self.expect_eq(
            v["other"].clone(),
            json!([]),
            format!("axe-core: minor or moderate violations on {name} ({mode})"),
        );
        // It really checked the page.
        self.expect(
            v["passes"].as_u64().unwrap_or(0) >= 10,
            format!("axe-core checked too little on {name}: {v}"),
        );
    }

    /// Every check on the page at `path`; `expect` are selectors that must
    /// match (the page's key elements).
    async fn check(&self, name: &str, path: &str, status_text: Option<&str>, expect: &[&str]) {
        let b = self.b;
        self.width(DESKTOP).await;
        self.scheme(false).await;
        self.open(path).await;
        // Drop what earlier pages logged.
        b.console().await;

        // Keyboard first, while focus is at the start of the document.
        b.keys(&["\u{E004}"]).await;
        let first = b
            .js(
                "const a = document.activeElement; const r = a.getBoundingClientRect(); \
                 return [a.className, a.getAttribute('href'), r.left >= 0 && r.top >= 0 && r.width > 0];",
                json!([]),
            )
            .await;
        self.expect_eq(
            first,
            json!(["skip", "#main", true]),
            format!("{name}: the skip link is the first Tab stop and visible when focused"),
        );
        b.keys(&["\u{E007}"]).await; // Enter follows it
        self.expect_eq(
            b.js("return document.activeElement.id", json!([])).await,
            json!("main"),
            format!("{name}: the skip link moves focus to the main content"),
        );
        let items = b
            .js(
                "return document.querySelectorAll('[data-nav]').length",
                json!([]),
            )
            .await
            .as_u64()
            .unwrap();
        let current = "const all = Array.from(document.querySelectorAll('[data-nav]')); \
                       const c = all.filter(e => e.classList.contains('kbd-current')); \
                       return c.length === 1 && c[0].contains(document.activeElement) ? all.indexOf(c[0]) : -1;";
        if items >= 2 {
            b.keys(&["j"]).await;
            self.expect_eq(
                b.js(current, json!([])).await,
                json!(0),
                format!("{name}: j selects the first item"),
            );
            b.keys(&["j", "j"]).await;
            self.expect_eq(
                b.js(current, json!([])).await,
                json!(2u64.min(items - 1)),
                format!("{name}: j moves down"),
            );
            b.keys(&["k"]).await;
            self.expect_eq(
                b.js(current, json!([])).await,
                json!(2u64.min(items - 1) - 1),
                format!("{name}: k moves up"),
            );
        }
        let help = "return document.getElementById('kbd-help').hidden";
        self.expect_eq(
            b.js(help, json!([])).await,
            json!(true),
            format!("{name}: help hidden at first"),
        );
        b.keys(&["?"]).await;
        self.expect_eq(
            b.js(help, json!([])).await,
            json!(false),
            format!("{name}: ? opens the help"),
        );
        b.keys(&["?"]).await;
        self.expect_eq(
            b.js(help, json!([])).await,
            json!(true),
            format!("{name}: ? closes it again"),
        );

        // Renders: the key elements and text are there.
        for sel in expect {
            let n = b
                .js(
                    "return document.querySelectorAll(arguments[0]).length",
                    json!([sel]),
                )
                .await;
            self.expect(
                n.as_u64().unwrap() > 0,
                format!("{name}: no element matches {sel:?} on {}", b.path().await),
            );
        }
        if let Some(t) = status_text {
            // As read (CSS may show it in capitals).
            let text = b.text().await;
            self.expect(
                text.to_lowercase().contains(&t.to_lowercase()),
                format!("{name}: {t:?} not shown:\n{text}"),
            );
        }
        // Images that were loaded are real images (lazy ones may not be loaded yet).
        let broken = b
            .js(
                "return Array.from(document.images).filter(i => i.complete && i.currentSrc && i.naturalWidth === 0).map(i => i.currentSrc)",
                json!([]),
            )
            .await;
        self.expect_eq(broken, json!([]), format!("{name}: broken images"));

        // No request leaves the server.
        let res = b.js(FOREIGN, json!([])).await;
        self.expect_eq(
            res["foreign"].clone(),
            json!([]),
            format!("{name}: foreign resources"),
        );
        self.expect(
            res["count"].as_u64().unwrap() >= 3,
            format!("{name}: too few resources seen: {res}"),
        );

        // Accessibility, light.
        self.axe(name, "light").await;

        // Dark mode from the system preference.
        self.scheme(true).await;
        let c = b.js(COLOURS, json!([])).await;
        self.expect(
            c["bg"].as_f64().unwrap() < 0.05
                && c["fg"].as_f64().unwrap() > 0.6
                && c["h1"].as_f64().unwrap() > 0.6,
            format!("{name}: dark scheme gives a dark background and light text: {c}"),
        );
        self.axe(name, "dark").await;
        self.shot(name, "desktop-dark").await;
        self.scheme(false).await;
        let c = b.js(COLOURS, json!([])).await;
        self.expect(
            c["bg"].as_f64().unwrap() > 0.9 && c["fg"].as_f64().unwrap() < 0.1,
            format!("{name}: light scheme: {c}"),
        );
        self.shot(name, "desktop").await;

        // Phone width: nothing wider than the screen, still accessible.
        self.width(PHONE).await;
        let overflow = b
            .js(
                "return document.documentElement.scrollWidth - window.innerWidth",
                json!([]),
            )
            .await;
        self.expect(
            overflow.as_i64().unwrap() <= 0,
            format!("{name}: the page is {overflow} px wider than a {PHONE} px screen"),
        );
        self.axe(name, "phone").await;
        self.shot(name, "phone").await;
        self.width(DESKTOP).await;

        let page_url = self.server.url(path);
        let log: Vec<_> = b
            .console()
            .await
            .into_iter()
            // A "not found" page is itself a 404, which Chromium reports.
            .filter(|(_, m)| {
                !(status_text == Some("HTTP 404")
                    && m.starts_with(&page_url)
                    && m.contains("status of 404"))
            })
            .collect();
        self.expect(log.is_empty(), format!("{name}: console messages: {log:?}"));
        eprintln!("{name}: ok ({} resources checked)", res["count"]);
    }

    async fn shot(&self, name: &str, kind: &str) {
        let png = self.b.screenshot_png().await;
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        std::fs::write(self.shots.join(format!("{name}-{kind}.png")), png).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_every_page_type_accessible_dark_keyboard_and_local() {
    let Some(driver) = driver() else { return };
    let Some(axe) = axe_source() else { return };
    let i = Install::sqlite();
    let _o = crawled(&i).await;
    configure(&i, "[comments]\nnew_account_hours = 0\n");
    // Source attributes, so the story page shows its coverage split.
    for args in [
        &["source", "labels", "Left", "Centre", "Right"][..],
        &[
            "source",
            "set",
            "1",
            "--country",
            "DE",
            "--kind",
            "national",
            "--perspective",
            "Left",
        ],
        &[
            "source",
            "set",
            "2",
            "--country",
            "FR",
            "--kind",
            "wire",
            "--perspective",
            "Right",
        ],
    ] {
        let out = i.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let server = i.serve(&["--no-crawl"]);
    let store = i.store().await;
    let shots = target_dir().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    // The articles: a full-text one with a lead image, related articles and
    // a story; an excerpt one.
    let cards = store.latest_articles(100, None).await.unwrap();
    // Preferably one in a story of two sources ("same story from other sources").
    let mut full = None;
    for c in cards
        .iter()
        .filter(|c| c.source_name == "Full Times" && c.image.is_some())
    {
        let a = store.article(c.id).await.unwrap().unwrap();
        if a.text.split("\n\n").count() < 3 {
            continue;
        }
        let sources = match a.story_id {
            Some(sid) => store.story(sid).await.unwrap().unwrap().source_count,
            None => 0,
        };
        if full.as_ref().is_none_or(|(_, n)| sources > *n) {
            full = Some((a, sources));
        }
    }
    let (full, full_sources) = full.expect("a full-text article with an image");
    let excerpt = cards
        .iter()
        .find(|c| c.source_name == "Excerpt Herald")
        .expect("an excerpt article");
    let story = store
        .top_stories(0, 2, 10)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("a two-source story");
    let topic = store
        .topic_counts()
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|t| t.1)
        .expect("a topic with articles");
    // A word of a headline that search must find.
    let word = full
        .title
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.len() >= 6)
        .max_by_key(|w| w.len())
        .expect("a long word in the headline")
        .to_lowercase();

    let b = driver.session().await;
    let site = Site {
        b: &b,
        server: &server,
        axe: &axe,
        shots,
        findings: Default::default(),
    };

    // Signed out.
    site.check(
        "home",
        "/",
        Some("Top stories"),
        &[
            ".top-stories .story-item",
            ".latest .card",
            ".sections",
            "header nav.topics",
            "footer",
        ],
    )
    .await;
    site.check(
        "article-excerpt",
        &format!("/a/{}", excerpt.id.0),
        Some("Continue reading at Excerpt Herald"),
        &[
            "h1#headline",
            ".byline time[datetime]",
            ".body p",
            ".continue a.button",
            ".ai-panel",
            "#comments .signin-prompt",
        ],
    )
    .await;
    site.check(
        "story",
        &format!("/story/{}", story.id.0),
        Some("Full coverage"),
        &[
            ".coverage li",
            ".coverage-split .split li",
            ".first-report a.source",
            ".timeline li time[datetime]",
            ".related-stories li a[href^='/story/']",
            "#comments",
        ],
    )
    .await;
    site.check("source", "/source/1", Some("Full Times"), &[".card"])
        .await;
    site.check(
        "topic",
        &format!("/topic/{}", topic.0),
        None,
        &["h1", ".card"],
    )
    .await;
    site.check(
        "sources",
        "/sources",
        Some("Excerpt Herald"),
        &[".source-list li"],
    )
    .await;
    site.check(
        "search",
        &format!("/search?q={word}"),
        Some("results"),
        &["form.search.big", ".card mark"],
    )
    .await;
    site.check("about", "/about", None, &["h1"]).await;
    site.check(
        "ask",
        &format!("/a/{}/ask?q=what+happened", full.id.0),
        Some("Ask about this article"),
        &["form.search.big", ".answer"],
    )
    .await;
    site.check(
        "login",
        "/login",
        None,
        &["form[action='/login'] #username", "#password"],
    )
    .await;
    site.check(
        "register",
        "/register",
        None,
        &["form[action='/register'] #username", "#password2"],
    )
    .await;
    site.check(
        "not-found",
        "/a/999999",
        Some("HTTP 404"),
        &["h1", "a[href='/']"],
    )
    .await;

    // Signed in: register, the account page, then a comment on the full article.
    site.open("/register").await;
    b.fill("#username", "reader").await;
    b.fill("#password", PW).await;
    b.fill("#password2", PW).await;
    b.submit("form[action='/register'] button[type=submit]")
        .await;
    site.check("account", "/account", Some("reader"), &["h1", "form"])
        .await;
    site.open(&format!("/a/{}", full.id.0)).await;
    b.fill(
        "#comment-body",
        "A clear account of what happened; the photo helps.",
    )
    .await;
    b.submit("#comment-form button[type=submit]").await;
    site.check(
        "article-full",
        &format!("/a/{}", full.id.0),
        Some("A clear account of what happened"),
        &[
            "h1#headline",
            "figure.lead img[width][height][alt]",
            ".body p",
            ".ai-panel .ai-summary",
            ".ai-panel form[data-ask]",
            "#comments .comment .comment-body",
            "#comment-form textarea",
            ".related .card",
            if full_sources >= 2 {
                ".others li"
            } else {
                ".share a"
            },
            ".share a",
        ],
    )
    .await;
    // The lead image was loaded, from this server.
    let lead = b
        .js(
            "const i = document.querySelector('figure.lead img'); return [i.complete && i.naturalWidth > 0, new URL(i.currentSrc).origin === location.origin]",
            json!([]),
        )
        .await;
    assert_eq!(lead, json!([true, true]));

    // The toggle: dark on a light system, remembered across pages, and back.
    site.scheme(false).await;
    b.click("[data-theme-toggle]").await;
    let c = b.js(COLOURS, json!([])).await;
    assert!(
        c["bg"].as_f64().unwrap() < 0.05 && c["fg"].as_f64().unwrap() > 0.6,
        "{c}"
    );
    site.open("/").await;
    assert_eq!(
        b.js("return document.documentElement.dataset.theme", json!([]))
            .await,
        "dark"
    );
    let c = b.js(COLOURS, json!([])).await;
    assert!(
        c["bg"].as_f64().unwrap() < 0.05,
        "the choice is remembered: {c}"
    );
    b.keys(&["t"]).await;
    let c = b.js(COLOURS, json!([])).await;
    assert!(
        c["bg"].as_f64().unwrap() > 0.9,
        "t toggles back to light: {c}"
    );
    assert!(b.console().await.is_empty());

    let findings = site.findings.take();
    b.quit().await;
    store.close().await;
    assert!(
        findings.is_empty(),
        "{} findings:\n{}",
        findings.len(),
        findings.join("\n")
    );
    // The server logged no error while serving all of this.
    assert!(
        !server.log_text().contains("\"level\":\"ERROR\""),
        "{}",
        server.log_text()
    );
}

/// The article page stays light: its HTML and every stylesheet it links
/// together under 100 KB, measured on the real bytes the server sends for a
/// full-text article with a lead image, related articles, the AI panel and
/// comments.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_page_html_and_css_under_100_kb() {
    let i = Install::sqlite();
    let _o = crawled(&i).await;
    let server = i.serve(&["--no-crawl"]);
    let store = i.store().await;
    let cards = store.latest_articles(100, None).await.unwrap();
    let mut heaviest = (0usize, String::new(), String::new());
    for c in cards.iter().filter(|c| c.source_name == "Full Times") {
        let r = http()
            .get(server.url(&format!("/a/{}", c.id.0)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let path = r.url().path().to_string();
        let html = r.bytes().await.unwrap();
        if html.len() > heaviest.0 {
            heaviest = (html.len(), path, String::from_utf8(html.to_vec()).unwrap());
        }
    }
    let (html_bytes, path, html) = heaviest;
    for part in [
        "class=\"ai-panel\"",
        "id=\"comments\"",
        "class=\"related\"",
        "<figure class=\"lead\">",
    ] {
        assert!(html.contains(part), "{path} lacks {part}");
    }
    let mut css_bytes = 0;
    let mut sheets = 0;
    for link in html.split("<link rel=\"stylesheet\" href=\"").skip(1) {
        let href = link.split('"').next().unwrap();
        let (s, ct, body) = get(server.url(href)).await;
        assert_eq!(s, 200, "{href}");
        assert!(ct.starts_with("text/css"), "{href}: {ct}");
        css_bytes += body.len();
        sheets += 1;
    }
    assert!(
        sheets >= 1 && css_bytes > 1000,
        "{sheets} stylesheets, {css_bytes} bytes"
    );
    let total = html_bytes + css_bytes;
    eprintln!("{path}: HTML {html_bytes} B + CSS {css_bytes} B ({sheets} sheets) = {total} B");
    assert!(
        total < 100 * 1024,
        "{path}: HTML {html_bytes} B + CSS {css_bytes} B = {total} B, over 100 KB"
    );
    store.close().await;
}

/// Anonymous pages come from the one-second page cache, yet a write through
/// this server shows at once, and nobody gets a page rendered for someone else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_cache_serves_anonymous_readers_and_never_hides_a_write() {
    use crate::community::{Web, seed_article};
    let i = Install::sqlite();
    let server = crate::community::serve(&i, "[comments]\nnew_account_hours = 0\n");
    let store = i.store().await;
    let (path, aid) = seed_article(&store, "Ferry timetable changes").await;
    let anon = || async { get(server.url(&path)).await.2 };
    let before = anon().await;
    assert!(before.contains("No comments yet"));
    assert_eq!(
        anon().await,
        before,
        "the same page for every anonymous reader"
    );

    let mut w = Web::new(&server, "10.1.0.1");
    assert_eq!(w.register("harbourfan", PW).await.status, 303);
    let signed_in = w.get(&path).await;
    assert!(
        signed_in.body.contains("harbourfan"),
        "the reader's own page"
    );
    assert!(
        !anon().await.contains("harbourfan"),
        "a signed-in page is never served to others"
    );
    let t = w.token().await;
    let r = w
        .post(
            "/comments",
            &[
                ("csrf", &t),
                ("thread", "article"),
                ("thread_id", &aid.to_string()),
                ("body", "The 7:40 ferry is back."),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let after = anon().await;
    assert!(
        after.contains("The 7:40 ferry is back.") && !after.contains("No comments yet"),
        "the comment shows to anonymous readers at once"
    );
    store.close().await;
}

/// In Chromium, on crawled article pages with inline, lazy and `<picture>`
/// images: every image loads (`naturalWidth > 0`), every one comes from this
/// site, and the tracking pixel and the share icon are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_inline_images_all_load_from_this_site() {
    let Some(driver) = driver() else { return };
    let mut cfg = tidings_origin::OriginConfig::new(Vec::new(), 6, 1);
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
    let mut c = i.cmd();
    crate::crawl::crawl_env(&mut c);
    let out = c
        .args(["--allow-private-networks", "crawl", "--once"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let server = i.serve(&["--no-crawl"]);
    let store = i.store().await;
    let b = driver.session().await;
    let mut seen = 0;
    for card in store.latest_articles(20, None).await.unwrap() {
        let path = tidings_web::format::article_href(card.id.0, &card.title);
        b.go(&server.url(&path)).await;
        // Load lazy images now, then wait until every image has settled.
        let imgs = b
            .js_async(
                "const done = arguments[arguments.length - 1];
                 const imgs = [...document.querySelectorAll('img')];
                 imgs.forEach(i => i.loading = 'eager');
                 Promise.all(imgs.map(i => i.complete ? null : new Promise(r => { i.onload = r; i.onerror = r; })))
                   .then(() => done(imgs.map(i => [i.currentSrc || i.src, i.naturalWidth, i.closest('.body') !== null])));",
                serde_json::json!([]),
            )
            .await;
        let imgs = imgs.as_array().unwrap_or_else(|| panic!("{imgs}")).clone();
        let in_body = imgs.iter().filter(|x| x[2] == true).count();
        assert!(
            in_body >= 1,
            "{path}: the article's figure is shown: {imgs:?}"
        );
        for x in &imgs {
            let src = x[0].as_str().unwrap();
            assert!(
                src.starts_with(&server.base),
                "{path}: {src} is not this site's"
            );
            assert!(
                !src.contains("pixel") && !src.contains("icon"),
                "{path}: {src}"
            );
            assert!(x[1].as_i64().unwrap() > 0, "{path}: {src} did not load");
        }
        seen += in_body;
    }
    assert!(seen > 6, "inline images seen: {seen}");
    b.quit().await;
    store.close().await;
}
