//! Server-rendered pages. Handlers gather data from the store, turn it into
//! plain view structs (everything already formatted), and render a template.

mod about;
pub(crate) mod ai;
pub(crate) mod article;
pub(crate) mod home;
mod lists;
pub(crate) mod search;
mod story;

pub use about::about;
pub use ai::{ask_page, translate_page};
pub use article::article_page;
pub use home::home;
pub use lists::{source_page, sources_page, topic_page};
pub use search::search_page;
pub use story::story_page;

use crate::i18n::{EN, Strings};
use crate::{AppState, WebError};
use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tidings_core::{Timestamp, Topic};
use tidings_store::ArticleCard;

pub const PAGE_SIZE: i64 = 30;
pub(crate) const STYLE_CSS: &str = include_str!("../../static/style.css");
pub(crate) const APP_JS: &str = include_str!("../../static/app.js");

/// Everything the shared layout needs.
pub struct Layout<'a> {
    pub site_name: &'a str,
    pub t: &'a Strings,
    pub title: String,
    pub description: String,
    /// Absolute URL of this page on this site.
    pub page_url: String,
    /// `rel=canonical`: for article pages, the publisher's original.
    pub canonical: String,
    pub topics: Vec<TopicLink>,
    /// Feeds of this page (`<link rel="alternate">`).
    pub feeds: Vec<FeedLinkView>,
    pub og_type: &'static str,
    pub og_image: Option<String>,
    pub json_ld: Option<String>,
    pub noindex: bool,
    /// Account links in the header (accounts).
    pub nav: crate::accounts::NavInfo,
}

pub struct TopicLink {
    pub slug: &'static str,
    pub label: &'static str,
}

pub struct FeedLinkView {
    pub href: String,
    pub title: String,
    pub mime: &'static str,
}

impl<'a> Layout<'a> {
    pub fn new(state: &'a AppState, headers: &HeaderMap, path: &str, title: String) -> Self {
        let base = base_url(state, headers);
        Layout {
            site_name: &state.config().site_name,
            t: &EN,
            description: format!(
                "{} — news from many sources, in one place.",
                state.config().site_name
            ),
            page_url: format!("{base}{path}"),
            canonical: format!("{base}{path}"),
            title,
            topics: Topic::ALL
                .iter()
                .map(|t| TopicLink {
                    slug: t.slug(),
                    label: t.label(),
                })
                .collect(),
            feeds: Vec::new(),
            og_type: "website",
            og_image: None,
            json_ld: None,
            noindex: false,
            nav: crate::accounts::nav(),
        }
    }

    /// A layout for pages rendered without request context (errors).
    pub fn minimal(title: &str) -> Layout<'static> {
        Layout {
            site_name: "Tidings",
            t: &EN,
            title: title.to_string(),
            description: String::new(),
            page_url: String::new(),
            canonical: String::new(),
            topics: Topic::ALL
                .iter()
                .map(|t| TopicLink {
                    slug: t.slug(),
                    label: t.label(),
                })
                .collect(),
            feeds: Vec::new(),
            og_type: "website",
            og_image: None,
            json_ld: None,
            noindex: true,
            nav: Default::default(),
        }
    }

    /// Offer RSS, Atom and JSON Feed versions of a list at `path` (`/feed` for home).
    pub fn with_feeds(mut self, path: &str, what: &str) -> Self {
        self.feeds = vec![
            FeedLinkView {
                href: format!("{path}.xml"),
                title: format!("{what} (RSS)"),
                mime: "application/rss+xml",
            },
            FeedLinkView {
                href: format!("{path}.atom"),
                title: format!("{what} (Atom)"),
                mime: "application/atom+xml",
            },
            FeedLinkView {
                href: format!("{path}.json"),
                title: format!("{what} (JSON Feed)"),
                mime: "application/feed+json",
            },
        ];
        self
    }
}

/// The public base URL: the configured one, else what the request says.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(b) = &state.config().base_url {
        return b.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{proto}://{host}")
}

/// One article in a list, ready to render.
pub struct CardView {
    pub href: String,
    pub title: String,
    pub source: String,
    pub source_href: String,
    pub excerpt: Option<String>,
    pub time_iso: String,
    pub time_title: String,
    pub time_rel: String,
    pub img: Option<crate::media::ImgView>,
}

impl CardView {
    pub fn from_card(a: &ArticleCard, now: Timestamp) -> Self {
        CardView {
            href: article_href(a.id.0, &a.title),
            title: a.title.clone(),
            source: a.source_name.clone(),
            source_href: format!("/source/{}", a.source_id.0),
            excerpt: a
                .description
                .as_deref()
                .map(|d| short(d, 220))
                .filter(|d| !d.is_empty()),
            time_iso: a.time().to_rfc3339(),
            time_title: human_time(a.time()),
            time_rel: crate::time::relative(a.time(), now, &EN),
            img: a
                .image
                .as_ref()
                .map(|(id, w, h)| crate::media::ImgView::new(id, *w, *h, "", 320)),
        }
    }
}

/// `/a/123-council-approves-budget`: the id is what matters; the slug is for people.
pub fn article_href(id: i64, title: &str) -> String {
    let slug = slug(title);
    if slug.is_empty() {
        format!("/a/{id}")
    } else {
        format!("/a/{id}-{slug}")
    }
}

pub fn slug(title: &str) -> String {
    let mut s = String::new();
    for w in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
    {
        if !s.is_empty() {
            s.push('-');
        }
        s.push_str(&w.to_lowercase());
    }
    s.chars().take(80).collect()
}

/// Cut text to at most `max` characters on a word boundary, with an ellipsis.
pub fn short(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        return s;
    }
    let mut out = String::new();
    for w in s.split(' ') {
        if out.chars().count() + w.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out.push('…');
    out
}

/// "29 Nov 2026, 06:08 UTC" for hover titles.
pub fn human_time(t: Timestamp) -> String {
    t.to_jiff().strftime("%-d %b %Y, %H:%M UTC").to_string()
}

pub fn parse_cursor(s: Option<&str>) -> Result<Option<(i64, i64)>, WebError> {
    match s {
        None | Some("") => Ok(None),
        Some(s) => {
            let parsed = s
                .split_once('.')
                .and_then(|(t, id)| Some((t.parse().ok()?, id.parse().ok()?)));
            parsed
                .map(Some)
                .ok_or_else(|| WebError::BadRequest(format!("bad page cursor `{s}`")))
        }
    }
}

/// The cursor of the next page when `rows` holds one more than a page.
pub fn next_cursor(rows: &[ArticleCard], page: i64) -> Option<String> {
    let page = usize::try_from(page).unwrap_or(0);
    if rows.len() > page {
        rows.get(page.saturating_sub(1))
            .map(|a| format!("{}.{}", a.created_at.0, a.id.0))
    } else {
        None
    }
}

pub fn render(t: &impl Template) -> Result<Response, WebError> {
    Ok(Html(t.render()?).into_response())
}

pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// Static assets, embedded in the binary so one file is the whole install.
pub async fn static_file(axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    let (body, mime) = match path.as_str() {
        "style.css" => (STYLE_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        other => match crate::comments::static_asset(other) {
            Some(found) => found,
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Escape text for a JSON value inside `<script type="application/ld+json">`.
pub fn json_for_script(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub l: Layout<'a>,
    pub heading: &'a str,
    pub message: &'a str,
    pub status: u16,
}
