//! Accounts, comments, moderation and admin through the real server, on both
//! databases: a browser-like client (cookies, Origin header, no redirects
//! followed) and helpers shared by the tests in this folder.

mod accounts;
mod browser;
mod comments;
mod moderation;

use crate::common::*;
use reqwest::header::{HeaderMap, HeaderValue};
use std::collections::BTreeMap;
use tidings_core::{CanonicalUrl, DisplayPolicy, SourceKind};
use tidings_store::{NewArticle, NewSource, Store};

pub const PW: &str = "tall giraffe 42";

/// A plain HTTP client (reqwest needs the process's TLS provider even for http).
pub fn http() -> reqwest::Client {
    tidings_fetch::http::ensure_crypto_provider();
    reqwest::Client::new()
}

/// Write `tidings.toml` for the install (read from its working directory).
pub fn configure(i: &Install, toml: &str) {
    std::fs::write(i.dir.path().join("tidings.toml"), toml).unwrap();
}

/// A test server with settings that let the tests vary the client address.
pub fn serve(i: &Install, extra_toml: &str) -> Server {
    configure(
        i,
        &format!("[accounts]\ntrust_proxy_headers = true\n{extra_toml}"),
    );
    i.serve(&["--no-crawl"])
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

/// One browser: its own cookies and client address.
pub struct Web {
    pub base: String,
    http: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub ip: String,
}

impl Web {
    pub fn new(server: &Server, ip: &str) -> Web {
        tidings_fetch::http::ensure_crypto_provider();
        Web {
            base: server.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            ip: ip.to_string(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, r: reqwest::Response) -> Resp {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        for c in headers.get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let (kv, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() || attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let body = r.text().await.unwrap();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("x-forwarded-for", &self.ip)
            .send()
            .await
            .unwrap();
        self.finish(r).await
    }

    /// POST a form as a browser on this site would (same Origin).
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        let origin = self.base.clone();
        self.post_with(path, form, &[("origin", &origin)]).await
    }

    pub async fn post_with(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("x-forwarded-for", &self.ip)
            .form(form);
        for (k, v) in headers {
            req = req.header(*k, HeaderValue::from_str(v).unwrap());
        }
        let r = req.send().await.unwrap();
        self.finish(r).await
    }

    /// GET a page and return the CSRF token of its first form.
    pub async fn csrf(&mut self, path: &str) -> String {
        let r = self.get(path).await;
        csrf_in(&r.body)
            .unwrap_or_else(|| panic!("no csrf token on {path} ({}):\n{}", r.status, r.body))
    }

    pub async fn register(&mut self, name: &str, password: &str) -> Resp {
        let t = self.csrf("/register").await;
        self.post(
            "/register",
            &[
                ("csrf", &t),
                ("username", name),
                ("password", password),
                ("password2", password),
            ],
        )
        .await
    }

    pub async fn login(&mut self, name: &str, password: &str, remember: bool) -> Resp {
        let t = self.csrf("/login").await;
        let mut form = vec![
            ("csrf", t.as_str()),
            ("username", name),
            ("password", password),
        ];
        if remember {
            form.push(("remember", "1"));
        }
        self.post("/login", &form).await
    }

    /// The session's CSRF token (from the header's log-out form).
    pub async fn token(&mut self) -> String {
        self.csrf("/account").await
    }

    /// A new personal API token made on the account page (the secret shown once).
    pub async fn api_token(&mut self, name: &str) -> String {
        let t = self.token().await;
        let r = self
            .post("/account/tokens", &[("csrf", &t), ("name", name)])
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
            .split("id=\"new-token\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string()
    }
}

pub fn csrf_in(html: &str) -> Option<String> {
    csrf_values(html).into_iter().next()
}

/// Every `name="csrf"` value in a page, in order.
pub fn csrf_values(html: &str) -> Vec<String> {
    html.split("name=\"csrf\" value=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The text of the first element with `class="form-error"`.
pub fn form_error(html: &str) -> String {
    let Some(i) = html.find("class=\"form-error\"") else {
        return String::new();
    };
    let rest = &html[i..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find("</p>").unwrap();
    rest[start..end].to_string()
}

/// A source and one article; returns the article's page path and id.
pub async fn seed_article(store: &Store, title: &str) -> (String, i64) {
    let url = format!(
        "https://news.example.com/{}",
        title.len() + title.as_bytes()[0] as usize
    );
    let src = match store
        .add_source(&NewSource {
            url: CanonicalUrl::parse("https://news.example.com/feed.xml").unwrap(),
            kind: SourceKind::Feed,
            name: Some("Example Gazette".into()),
            site_url: None,
            display: DisplayPolicy::Excerpt,
            profile: Default::default(),
        })
        .await
    {
        Ok(s) => s.id,
        Err(_) => store.list_sources().await.unwrap()[0].id,
    };
    let id = store
        .insert_article(&NewArticle {
            source_id: Some(src),
            url: Some(CanonicalUrl::parse(&url).unwrap()),
            original_url: url.clone(),
            title: title.to_string(),
            text: "Body text.".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let slug: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(str::to_lowercase)
        .collect();
    (format!("/a/{}-{}", id.0, slug.join("-")), id.0)
}

/// Create a user with a role through the CLI (password on stdin).
pub fn cli_user(i: &Install, name: &str, flag: Option<&str>) {
    let mut args = vec!["user", "add", name];
    if let Some(f) = flag {
        args.push(f);
    }
    let o = i.run_stdin(&args, format!("{PW}\n").as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
}
