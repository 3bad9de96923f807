//! Server-rendered pages. Handlers gather data from the store, turn it into
//! plain view structs (everything already formatted), and render a template.

mod about;
mod accounts;
mod admin;
mod ai;
mod article;
pub(crate) mod comments;
mod error_page;
mod feeds;
pub(crate) mod home;
mod install;
mod lists;
mod moderation;
pub(crate) mod reader;
mod reader_apps;
mod search;
mod seo;
mod story;

pub(crate) use seo::SitemapCache;

use crate::format::{Cursor, article_href, human_time, relative, short, source_href};
use crate::http::hosts::base_url;
use crate::http::media::ImgView;
use crate::i18n::{EN, Strings};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
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
    /// Reload the page after this many seconds (a result being computed).
    pub refresh_secs: Option<u32>,
    /// Account links in the header (accounts).
    pub nav: crate::http::viewer::NavInfo,
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
            refresh_secs: None,
            nav: crate::http::viewer::nav(),
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
            refresh_secs: None,
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
    pub img: Option<ImgView>,
    /// A signed-in reader's state and forms (read, saved).
    pub reader: Option<reader::CardState>,
}

impl CardView {
    pub fn from_card(a: &ArticleCard, now: Timestamp) -> Self {
        CardView {
            href: article_href(a.id.0, &a.title),
            title: a.title.clone(),
            source: a.source_name.clone(),
            source_href: source_href(a.source_id.0),
            excerpt: a
                .description
                .as_deref()
                .map(|d| short(d, 220))
                .filter(|d| !d.is_empty()),
            time_iso: a.time().to_rfc3339(),
            time_title: human_time(a.time()),
            time_rel: relative(a.time(), now, &EN),
            img: a
                .image
                .as_ref()
                .map(|(id, w, h)| ImgView::new(id, *w, *h, "", 320)),
            reader: None,
        }
    }
}

/// A page's `before` cursor: none for the first page.
pub fn cursor(s: Option<&str>) -> Result<Option<(i64, i64)>, WebError> {
    Cursor::parse(s)
        .map(|c| c.map(Cursor::pair))
        .map_err(|b| WebError::bad_request(format!("bad page cursor `{}`", b.0)))
}

/// The `before` value of the next page, when `rows` holds one more than a page.
pub fn next_cursor(rows: &[ArticleCard], page: i64) -> Option<String> {
    crate::format::next_cursor(rows, page).map(Cursor::encode)
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
        "reader.js" => (reader::READER_JS, "text/javascript; charset=utf-8"),
        other => match comments::static_asset(other) {
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

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub l: Layout<'a>,
    pub heading: &'a str,
    pub message: &'a str,
    pub status: u16,
}

/// Every page of the site, its feeds and files.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/a/{slug}", get(article::article_page))
        .route("/a/{slug}/ask", get(ai::ask_page))
        .route("/a/{slug}/translate", get(ai::translate_page))
        .route("/story/{id}", get(story::story_page))
        .route("/story/{id}/{file}", get(feeds::story_feed))
        .route("/source/{id}", get(lists::source_page))
        .route("/source/{id}/{file}", get(feeds::source_feed))
        .route("/sources", get(lists::sources_page))
        .route("/topic/{slug}", get(lists::topic_page))
        .route("/topic/{slug}/{file}", get(feeds::topic_feed))
        .route("/about", get(about::about))
        .route("/search", get(search::search_page))
        .route("/search/{file}", get(feeds::search_feed))
        .route("/media/{id}/{file}", get(crate::http::media::serve))
        .route("/{file}", get(root_file))
        .route("/static/{*path}", get(static_file))
        .merge(community_routes())
        .merge(install::routes())
        .merge(reader_apps::routes())
}

/// Accounts, comments, moderation and admin. Every POST takes a
/// CSRF-checked form.
fn community_routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(accounts::login_page).post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route(
            "/register",
            get(accounts::register_page).post(accounts::register),
        )
        .route("/account", get(accounts::account_page))
        .route("/account/password", post(accounts::change_password))
        .route("/account/logout-all", post(accounts::logout_everywhere))
        .route("/account/delete", post(accounts::delete_account))
        .route("/account/tokens", post(accounts::create_token))
        .route("/account/tokens/{id}/revoke", post(accounts::revoke_token))
        .route("/for-you", get(reader::for_you_page))
        .route("/saved", get(reader::saved_page))
        .route("/reader/follow", post(reader::follow))
        .route("/reader/mute", post(reader::mute))
        .route("/reader/save", post(reader::save))
        .route("/reader/read", post(reader::read))
        .route("/reader/read-all", post(reader::read_all))
        .route("/comments", post(comments::post_comment))
        .route("/comments/{id}", get(comments::comment_link))
        .route(
            "/comments/{id}/edit",
            get(comments::edit_page).post(comments::edit_comment),
        )
        .route("/comments/{id}/delete", post(comments::delete_comment))
        .route("/comments/{id}/vote", post(comments::vote))
        .route("/comments/{id}/report", post(comments::report))
        .route("/mod", get(moderation::queue))
        .route("/mod/log", get(moderation::log))
        .route(
            "/mod/comments/{id}/{action}",
            post(moderation::comment_action),
        )
        .route(
            "/mod/threads/{kind}/{id}/{action}",
            post(moderation::thread_action),
        )
        .route("/mod/users/{id}", get(moderation::user_page))
        .route("/mod/users/{id}/ban", post(moderation::ban))
        .route("/mod/users/{id}/unban", post(moderation::unban))
        .route("/admin", get(admin::index))
        .route("/admin/users", get(admin::users))
        .route("/admin/users/{id}/role", post(admin::set_role))
        .route(
            "/admin/sources",
            get(admin::sources).post(admin::add_source),
        )
        .route("/admin/sources/{id}", post(admin::edit_source))
        .route(
            "/admin/sources/{id}/rules",
            get(admin::rules_page).post(admin::rules_action),
        )
        .route(
            "/admin/settings",
            get(admin::settings).post(admin::save_settings),
        )
        .route(
            "/admin/invitations",
            get(admin::invitations).post(admin::create_invitation),
        )
}

/// Files at the root: feeds of the front page, robots.txt, sitemaps, OpenSearch.
async fn root_file(
    state: axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, WebError> {
    use axum::response::IntoResponse;
    match file.as_str() {
        "feed.xml" | "feed.atom" | "feed.json" | "rss.xml" => {
            feeds::home_feed(state, headers, axum::extract::Path(file)).await
        }
        "robots.txt" => Ok(seo::robots(state, headers).await),
        "sitemap.xml" => seo::sitemap(state, headers).await,
        "sitemap-pages.xml" => seo::sitemap_pages(state, headers).await,
        "news-sitemap.xml" => seo::news_sitemap(state, headers).await,
        f if f.starts_with("sitemap-articles-") => {
            let page = f
                .strip_prefix("sitemap-articles-")
                .and_then(|r| r.strip_suffix(".xml"))
                .filter(|n| !n.is_empty() && n.len() < 10 && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or(WebError::NotFound)?;
            seo::sitemap_articles(state.0, headers, page).await
        }
        "opensearch.xml" => {
            let base = base_url(&state, &headers);
            let name = state.config().site_name.clone();
            Ok((
                [(header::CONTENT_TYPE, "application/opensearchdescription+xml")],
                format!(
                    "<?xml version=\"1.0\"?><OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\"><ShortName>{}</ShortName><Description>Search {}</Description><Url type=\"text/html\" template=\"{base}/search?q={{searchTerms}}\"/></OpenSearchDescription>",
                    crate::format::escape(&name),
                    crate::format::escape(&name)
                ),
            )
                .into_response())
        }
        _ => Err(WebError::NotFound),
    }
}
