//! The Chromium harness of the browser tests: chromedriver (Debian's
//! `chromium-driver`) started per test, one WebDriver session per browser,
//! Chrome DevTools commands through chromedriver's `goog/cdp/execute`.
//!
//! Without chromedriver the tests skip locally; with `CI` set or
//! `TIDINGS_TEST_REQUIRE_BROWSER=1` they fail (`.ci/run` installs it).

use crate::common::*;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Installed before every page's own scripts: records dialogs, CSP
/// violations and a marker some payloads set.
pub(crate) const SENTINEL: &str = r#"
window.__xss = [];
window.__csp = [];
(function () {
  function rec(kind) { return function () { window.__xss.push(kind + ":" + Array.prototype.join.call(arguments, ",")); }; }
  window.alert = rec("alert"); window.confirm = rec("confirm"); window.prompt = rec("prompt"); window.print = rec("print");
  document.addEventListener("securitypolicyviolation", function (e) {
    window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
  });
})();
"#;

pub(crate) fn browser_required() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
        || std::env::var("TIDINGS_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// chromedriver, or None (skip) when it is not installed and not required.
pub(crate) fn driver() -> Option<Driver> {
    let present =
        std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists();
    if !present {
        assert!(
            !browser_required(),
            "Chromium tests are required here but {CHROMEDRIVER} or {CHROMIUM} is missing: apt-get install chromium chromium-driver"
        );
        eprintln!("skipping the Chromium test: {CHROMEDRIVER} not installed");
        return None;
    }
    Some(Driver::start())
}

pub(crate) struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

#[allow(clippy::disallowed_methods)] // a bounded start-up poll in a test helper
impl Driver {
    pub(crate) fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let d = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: http(),
        };
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return d;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("chromedriver did not start on port {port}");
    }

    pub(crate) async fn session(&self) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,1000".into(),
            // Nothing but loopback resolves: a page that tried to reach
            // another host would fail (and log an error) instead.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "unhandledPromptBehavior": "accept",
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let r: Value = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        let b = Browser {
            url: format!("{}/session/{id}", self.base),
            http: self.http.clone(),
            _profile: profile,
        };
        b.cdp("Page.enable", json!({})).await;
        b.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": SENTINEL}),
        )
        .await;
        b
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) struct Browser {
    url: String,
    http: reqwest::Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub(crate) async fn cmd(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let r: Value = self
            .http
            .request(method, format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if r["value"].get("error").is_some() {
            // Leave a picture of the page for the person reading the failure.
            if let Ok(shot) = self
                .http
                .get(format!("{}/screenshot", self.url))
                .send()
                .await
                && let Ok(v) = shot.json::<Value>().await
                && let Some(png) = v["value"].as_str()
            {
                let _ = std::fs::write(
                    std::env::temp_dir().join("tidings-browser-failure.png.b64"),
                    png,
                );
            }
            panic!("webdriver {path}: {}", r["value"]);
        }
        r["value"].clone()
    }

    pub(crate) async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            json!({"cmd": cmd, "params": params}),
        )
        .await
    }

    pub(crate) async fn go(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    pub(crate) async fn js(&self, script: &str, args: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
        .await
    }

    pub(crate) async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_string()
    }

    pub(crate) async fn click(&self, css: &str) {
        let e = self.find(css).await;
        // Centre it first, at once: the site scrolls smoothly, and a click
        // during the scroll lands on the old position.
        self.js(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
            json!([{ ELEMENT: e }]),
        )
        .await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            json!({}),
        )
        .await;
    }

    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/clear"),
            json!({}),
        )
        .await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    /// Submit a form by clicking its button, and wait for the next page.
    pub(crate) async fn submit(&self, button_css: &str) {
        self.js("window.__leaving = 1", json!([])).await;
        self.click(button_css).await;
        self.wait_for("return !window.__leaving && document.readyState === 'complete'")
            .await;
    }

    #[allow(clippy::disallowed_methods)]
    /// Wait for `cond` to hold: generous, because CI runs the browser
    /// beside the crawl tests on two cores (a bound, not a speed check).
    pub(crate) async fn wait_for(&self, cond: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if self.js(cond, json!([])).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("condition never held: {cond}");
    }

    pub(crate) async fn text(&self) -> String {
        self.js("return document.body.innerText", json!([]))
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    pub(crate) async fn path(&self) -> String {
        self.js("return location.pathname + location.search", json!([]))
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    pub(crate) async fn clear_cookies(&self) {
        self.cmd(reqwest::Method::DELETE, "/cookie", json!({}))
            .await;
    }

    /// `execute/async`: the script calls `arguments[arguments.length - 1]` with its result.
    pub(crate) async fn js_async(&self, script: &str, args: Value) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/async",
            json!({"script": script, "args": args}),
        )
        .await
    }

    /// The browser's console since the last call (errors, warnings, failed
    /// loads, CSP reports), as `(level, message)`.
    pub(crate) async fn console(&self) -> Vec<(String, String)> {
        let v = self
            .cmd(reqwest::Method::POST, "/se/log", json!({"type": "browser"}))
            .await;
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["level"].as_str().unwrap_or_default().to_string(),
                    e["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// Press keys in order (WebDriver key actions; `\u{E004}` is Tab).
    pub(crate) async fn keys(&self, keys: &[&str]) {
        let mut actions = Vec::new();
        for k in keys {
            actions.push(json!({"type": "keyDown", "value": k}));
            actions.push(json!({"type": "keyUp", "value": k}));
        }
        self.cmd(
            reqwest::Method::POST,
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
        self.cmd(reqwest::Method::DELETE, "/actions", json!({}))
            .await;
    }

    /// A PNG of the whole page (not only the viewport).
    pub(crate) async fn screenshot_png(&self) -> Vec<u8> {
        let v = self
            .cdp(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": true}),
            )
            .await;
        base64_decode(v["data"].as_str().unwrap())
    }

    pub(crate) async fn quit(self) {
        self.cmd(reqwest::Method::DELETE, "", json!({})).await;
    }
}

/// Standard base64 (what DevTools returns for screenshots).
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let data: Vec<u8> = chunk.iter().copied().filter(|c| *c != b'=').collect();
        let mut n = 0u32;
        for (k, c) in data.iter().enumerate() {
            n |= val(*c) << (18 - 6 * k);
        }
        let b = n.to_be_bytes();
        out.extend_from_slice(&b[1..data.len()]);
    }
    out
}
