//! Chromium tests: a person's path through accounts, comments and
//! moderation, and an XSS corpus that must not run. Chromium is driven over
//! WebDriver (Debian's `chromium-driver`) with a few plain HTTP calls.
//!
//! Without chromedriver the tests skip locally; with `CI` set or
//! `TIDINGS_TEST_REQUIRE_BROWSER=1` they fail (`.ci/run` installs it).

use super::*;
use crate::chromium::{Browser, driver};
use serde_json::{Value, json};

/// Checked by the page itself: what ran, and whether the DOM holds anything
/// a comment or a name could have smuggled in.
const AUDIT: &str = r#"
const out = { xss: window.__xss.slice(), csp: window.__csp.slice(), hit: window.__xss_hit || 0, bad: [] };
const body = document.body;
for (const el of body.querySelectorAll("*")) {
  for (const a of el.attributes) {
    const n = a.name.toLowerCase(), v = a.value.trim().toLowerCase().replace(/[\s\u0000-\u001f]/g, "");
    if (n.startsWith("on")) out.bad.push("handler " + el.tagName + " " + n);
    if (["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster", "srcset"].includes(n)
        && /^(javascript|vbscript|data|livescript):/.test(v)) out.bad.push("url " + el.tagName + " " + n + "=" + v);
    if (n === "style") out.bad.push("style attribute on " + el.tagName);
  }
}
for (const el of body.querySelectorAll("script,iframe,frame,frameset,object,embed,base,svg,math,style,link,meta,img,video,audio,source,picture,template,noscript,marquee,input[type=image],isindex,xss,details[ontoggle]")) {
  out.bad.push("element " + el.tagName);
}
for (const el of document.querySelectorAll("script")) {
  const src = el.getAttribute("src");
  if (!(src === "/static/app.js" || src === "/static/community.js" || src === "/static/reader.js" || src === "/static/install.js" || el.type === "application/ld+json")) out.bad.push("script " + (src || el.textContent.slice(0, 40)));
}
for (const el of body.querySelectorAll(".comment-body *")) {
  if (!["P", "BR", "A"].includes(el.tagName)) out.bad.push("in a comment: " + el.tagName);
  if (el.tagName === "A") {
    const names = Array.from(el.attributes).map(a => a.name).sort().join(",");
    if (names !== "href,rel" || el.rel !== "nofollow ugc noopener" || !/^https?:\/\//.test(el.getAttribute("href"))) out.bad.push("link " + el.outerHTML);
  }
}
out.bodies = Array.from(body.querySelectorAll(".comment-body")).map(b => Array.from(b.querySelectorAll("p")).map(p => p.textContent).join("\n\n"));
out.authors = Array.from(body.querySelectorAll(".comment-meta .author")).map(a => a.textContent.trim());
out.url = location.href;
return out;
"#;

impl Browser {
    /// Nothing ran and no CSP violation happened on this page.
    pub(crate) async fn assert_clean(&self) -> Value {
        let a = self.js(AUDIT, json!([])).await;
        assert_eq!(a["xss"], json!([]), "a payload ran on {}: {a}", a["url"]);
        assert_eq!(a["hit"], json!(0), "a payload ran on {}", a["url"]);
        assert_eq!(a["csp"], json!([]), "CSP violations on {}", a["url"]);
        assert_eq!(a["bad"], json!([]), "unexpected markup on {}", a["url"]);
        a
    }
}

#[tokio::test]
async fn chromium_register_comment_reply_edit_report_and_moderate() {
    let Some(driver) = driver() else { return };
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(&i, "");
        let store = i.store().await;
        let (path, _aid) = seed_article(&store, "Harbour bridge reopens").await;
        cli_user(&i, "mona", Some("--moderator"));
        let b = driver.session().await;
        let site = |p: &str| server.url(p);

        // Register.
        b.go(&site("/register")).await;
        b.fill("#username", "alice").await;
        b.fill("#password", PW).await;
        b.fill("#password2", PW).await;
        b.submit("form[action='/register'] button[type=submit]")
            .await;
        assert!(
            b.text().await.contains("alice"),
            "signed in after registering"
        );

        // Comment.
        b.go(&site(&path)).await;
        assert!(b.text().await.contains("No comments yet — be the first."));
        b.fill(
            "#comment-body",
            "The bridge looks great.\n\nMore at https://example.org/bridge",
        )
        .await;
        b.submit("#comment-form button[type=submit]").await;
        let text = b.text().await;
        assert!(text.contains("The bridge looks great.") && !text.contains("No comments yet"));
        let first = b
            .js("return document.querySelector('.comment').id", json!([]))
            .await;
        let first = first.as_str().unwrap().trim_start_matches('c').to_string();
        assert_eq!(
            b.js(
                "return document.querySelector('.comment-body a').rel",
                json!([])
            )
            .await,
            "nofollow ugc noopener"
        );
        b.assert_clean().await;

        // Reply (the reply box opens without JS: <details>).
        b.click(&format!("#c{first} details.reply summary")).await;
        b.fill(&format!("#reply-{first}"), "Replying to myself.")
            .await;
        b.submit(&format!("#c{first} details.reply button[type=submit]"))
            .await;
        assert!(b.text().await.contains("Replying to myself."));
        let reply = b
            .js(
                "return document.querySelectorAll('.comment')[1].id",
                json!([]),
            )
            .await
            .as_str()
            .unwrap()
            .trim_start_matches('c')
            .to_string();
        assert_eq!(
            b.js(
                &format!("return document.getElementById('c{reply}').className"),
                json!([])
            )
            .await,
            "comment depth-1 status-visible"
        );

        // Edit the reply: shown as edited.
        b.click(&format!("#c{reply} a.edit-link")).await;
        b.wait_for(
            "return location.pathname.endsWith('/edit') && document.readyState === 'complete'",
        )
        .await;
        b.fill("#body", "Replying to myself, with a correction.")
            .await;
        b.submit("form[action$='/edit'] button[type=submit]").await;
        let text = b.text().await;
        assert!(
            text.contains("with a correction.") && text.contains("edited"),
            "{text}"
        );
        b.assert_clean().await;

        // Another reader upvotes (script: no reload) and reports alice's comment.
        b.clear_cookies().await;
        b.go(&site("/register")).await;
        b.fill("#username", "bob").await;
        b.fill("#password", PW).await;
        b.fill("#password2", PW).await;
        b.submit("form[action='/register'] button[type=submit]")
            .await;
        b.go(&site(&path)).await;
        b.js("window.__same_page = 1", json!([])).await;
        b.click(&format!("#c{first} form[data-vote] button")).await;
        b.wait_for(&format!(
            "return document.querySelector('#c{first} [data-score]').textContent === '1'"
        ))
        .await;
        assert_eq!(
            b.js("return window.__same_page", json!([])).await,
            1,
            "voted without a reload"
        );
        b.click(&format!("#c{first} details.report summary")).await;
        b.click(&format!("#c{first} details.report input[value=abuse]"))
            .await;
        b.fill(&format!("#report-{first}"), "Rude about the bridge")
            .await;
        b.submit(&format!("#c{first} details.report button[type=submit]"))
            .await;
        assert!(
            b.text()
                .await
                .contains("a moderator will look at your report")
        );

        // The moderator removes it from the queue; the log shows it.
        b.clear_cookies().await;
        b.go(&site("/login?next=/mod")).await;
        b.fill("#username", "mona").await;
        b.fill("#password", PW).await;
        b.submit("form[action='/login'] button[type=submit]").await;
        assert_eq!(b.path().await, "/mod");
        let text = b.text().await;
        assert!(
            text.contains("The bridge looks great.")
                && text.contains("abuse: Rude about the bridge"),
            "{text}"
        );
        b.fill(&format!("#reason-remove-{first}"), "personal attack")
            .await;
        b.submit(&format!("#r{first} button[data-action=remove]"))
            .await;
        assert!(b.text().await.contains("No open reports."));
        b.go(&site("/mod/log")).await;
        let log = b.text().await;
        assert!(
            log.contains("remove")
                && log.contains("personal attack")
                && log.contains(&format!("comment {first}")),
            "{log}"
        );
        b.assert_clean().await;

        // Readers see the removal; the reply stays.
        b.clear_cookies().await;
        b.go(&site(&path)).await;
        let text = b.text().await;
        assert!(
            text.contains("[removed by a moderator]") && !text.contains("The bridge looks great.")
        );
        assert!(text.contains("with a correction."));
        b.quit().await;
    }
}

#[tokio::test]
async fn chromium_xss_corpus_does_not_run() {
    let Some(driver) = driver() else { return };
    let corpus: Vec<String> = include_str!("xss_payloads.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .chain([
            "<img src=x\0 onerror=alert(1)>".to_string(),
            "line one\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>".to_string(),
            "\"><svg onload=alert(1)>\r\n\r\nhttps://example.com/\"><img src=x onerror=alert(1)>"
                .to_string(),
        ])
        .collect();
    assert!(corpus.len() >= 150, "{}", corpus.len());
    for i in Install::all().await {
        eprintln!("-- {}", i.name());
        let server = serve(
            &i,
            "[comments]\nper_user_per_hour = 100000\nper_ip_per_hour = 100000\nnew_account_hours = 0\n",
        );
        let store = i.store().await;
        let (path, aid) = seed_article(&store, "Hostile input").await;
        cli_user(&i, "adam", Some("--admin"));

        // Payloads as usernames: the form refuses them all.
        let mut web = Web::new(&server, "10.9.0.1");
        for p in corpus.iter().take(40) {
            let r = web.register(p, PW).await;
            assert_eq!(r.status, 422, "username {p:?} accepted");
        }
        // Payloads as comments: all accepted, by a few authors.
        let mut writers = Vec::new();
        for k in 0..5 {
            let mut w = Web::new(&server, &format!("10.9.1.{k}"));
            assert_eq!(w.register(&format!("writer{k}"), PW).await.status, 303);
            writers.push(w);
        }
        let mut ids = Vec::new();
        for (k, p) in corpus.iter().enumerate() {
            let n = writers.len();
            let w = &mut writers[k % n];
            let t = w.token().await;
            let r = w
                .post(
                    "/comments",
                    &[
                        ("csrf", &t),
                        ("thread", "article"),
                        ("thread_id", &aid.to_string()),
                        ("body", p),
                    ],
                )
                .await;
            assert_eq!(r.status, 303, "payload {p:?} refused: {}", r.body);
            ids.push(r.location().rsplit("#c").next().unwrap().to_string());
        }
        // Reports carry payloads too, and moderation writes them to the log.
        let t = writers[1].token().await;
        for (k, id) in ids.iter().enumerate().step_by(2).take(20) {
            let details = &corpus[k];
            writers[1]
                .post(
                    &format!("/comments/{id}/report"),
                    &[
                        ("csrf", &t),
                        ("reason", "other"),
                        ("details", &details.chars().take(500).collect::<String>()),
                    ],
                )
                .await;
        }
        // Names that slipped past validation (imported, or an older version):
        // rendering must still be safe, so write hostile names straight into
        // the database.
        for k in 0..5 {
            let name = corpus[k * 7].replace('\'', "''");
            store
                .debug_execute(&format!(
                    "UPDATE users SET username = '{}{k}' WHERE username = 'writer{k}'",
                    name.replace('\0', "")
                ))
                .await
                .unwrap();
        }
        let writer0 = format!("{}0", corpus[0]);

        let b = driver.session().await;
        // The moderator logs in and acts on a few, so the log holds payload reasons.
        b.go(&server.url("/login?next=/mod")).await;
        b.fill("#username", "adam").await;
        b.fill("#password", PW).await;
        b.submit("form[action='/login'] button[type=submit]").await;
        b.assert_clean().await;
        for id in ids.iter().step_by(2).take(3) {
            b.fill(
                &format!("#reason-hide-{id}"),
                "<script>alert('reason')</script>",
            )
            .await;
            b.submit(&format!("#r{id} button[data-action=hide]")).await;
        }
        // A hostile name for the viewer too (shown in the header).
        store
            .debug_execute("UPDATE users SET username = '<img src=x onerror=alert(\"nav\")>' WHERE username = 'adam'")
            .await
            .unwrap();

        for bypass_csp in [true, false] {
            // With CSP bypassed, escaping alone must hold; with CSP, nothing may even try.
            b.cdp("Page.setBypassCSP", json!({ "enabled": bypass_csp }))
                .await;
            for page in [
                path.as_str(),
                "/mod",
                "/mod/log",
                "/admin/users",
                "/account",
            ] {
                b.go(&server.url(page)).await;
                b.wait_for("return document.readyState === 'complete'")
                    .await;
                let a = b.assert_clean().await;
                if page == path {
                    // Every payload is shown as the text it was.
                    let bodies: Vec<String> = a["bodies"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string())
                        .collect();
                    // The admin sees every comment, hidden ones included (with a note).
                    assert_eq!(bodies.len(), corpus.len());
                    for p in corpus.iter().filter(|p| !p.contains(['\0', '\n', '\r'])) {
                        let expected = p.trim();
                        assert!(
                            bodies.iter().any(|b| b == expected),
                            "payload not shown verbatim: {expected:?}"
                        );
                    }
                    let authors: Vec<&str> = a["authors"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap())
                        .collect();
                    assert!(
                        authors.contains(&writer0.trim()),
                        "hostile name shown as text: {authors:?}"
                    );
                }
            }
        }
        b.quit().await;
    }
}

/// The article page's AI panel in a real browser: the summary is there, a
/// question typed into the panel is answered in place (streamed over
/// server-sent events) with quotes from the article, as text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_ai_panel_answers_in_place() {
    let Some(driver) = driver() else { return };
    let i = Install::sqlite();
    let _o = crate::web::crawled(&i).await;
    let server = i.serve(&["--no-crawl"]);
    let store = i.store().await;
    let mut article = None;
    for c in store.latest_articles(100, None).await.unwrap() {
        let a = store.article(c.id).await.unwrap().unwrap();
        if c.source_name == "Full Times" && a.text.split_whitespace().count() > 150 {
            article = Some(a);
            break;
        }
    }
    let a = article.expect("a long full-text article");
    // A question the built-in provider answers (checked through the API,
    // which the panel uses too): the content words of one of its sentences.
    let mut question = None;
    for sentence in a
        .text
        .split(". ")
        .filter(|s| s.split_whitespace().filter(|w| w.len() > 5).count() >= 4)
        .take(4)
    {
        let words: Vec<&str> = sentence
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 5)
            .take(5)
            .collect();
        let q = format!("What does the article say about {}?", words.join(" "));
        let url = reqwest::Url::parse_with_params(
            &server.url(&format!("/api/v1/articles/{}/ask", a.id.0)),
            &[("q", &q)],
        )
        .unwrap();
        let v: Value = http().get(url).send().await.unwrap().json().await.unwrap();
        if v["answered"] == Value::Bool(true) {
            question = Some(q);
            break;
        }
    }
    let question = question.expect("a question the article answers");

    let b = driver.session().await;
    b.go(&server.url(&format!("/a/{}", a.id.0))).await;
    let n = b
        .js(
            "return document.querySelectorAll('.ai-summary p').length",
            json!([]),
        )
        .await;
    assert!(n.as_i64().unwrap() >= 3, "summary sentences: {n}");
    b.fill("#ai-q", &question).await;
    b.click("form[data-ask] button").await;
    b.wait_for(
        "const o = document.querySelector('.ai-answer'); return !o.hidden && !o.hasAttribute('aria-busy') && o.textContent.length > 0",
    )
    .await;
    let path = b.path().await;
    assert!(
        path.starts_with(&format!("/a/{}", a.id.0)) && !path.contains("/ask"),
        "answered in place, no page load: {path}"
    );
    let quotes = b
        .js(
            "return Array.from(document.querySelectorAll('.ai-answer blockquote')).map(q => q.textContent)",
            json!([]),
        )
        .await;
    let quotes = quotes.as_array().unwrap();
    assert!(!quotes.is_empty(), "the answer quotes the article");
    for q in quotes {
        assert!(
            a.text.contains(q.as_str().unwrap()),
            "quote not in the article: {q}"
        );
    }
    let csp = b.js("return window.__csp", json!([])).await;
    assert_eq!(csp, json!([]), "no CSP violation");
    b.quit().await;
}
