//! Article extraction: HTML bytes + URL -> [`Article`]. Pure: no IO, no async.
//!
//! Pipeline (see README.md for the measurements behind each step):
//! 1. [`decode_html`]: BOM, HTTP charset, `<meta>` prescan, detection -> UTF-8.
//! 2. One html5ever parse (via dom_query) copied into a flat arena (`arena`).
//! 3. Metadata from JSON-LD, microdata, OpenGraph, Twitter, meta tags, `<time>`, DOM bylines.
//! 4. Body: our trafilatura-style extractor and dom_smoothie (Readability) run on the
//!    same parse; paragraph-level agreement picks and cleans the result.
//! 5. Rendering from an allow-list: sanitized HTML with absolute links, and plain text.

mod arena;
mod body;
mod charset;
mod combine;
mod dates;
pub mod detect;
mod excerpt;
mod guard;
mod meta;
mod render;
mod rules;

pub use charset::decode_html;
pub use excerpt::excerpt;
pub use rules::{RuleError, Rules};

use serde::Serialize;
use tidings_core::Timestamp;
use url::Url;

/// Everything extracted from one page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Article {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<ArticleTime>,
    pub modified: Option<ArticleTime>,
    pub site_name: Option<String>,
    /// BCP-47-ish as found, e.g. "en", "de-DE".
    pub language: Option<String>,
    pub canonical_url: Option<Url>,
    pub description: Option<String>,
    pub image: Option<Image>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub videos: Vec<Video>,
    /// `<link rel="alternate">` feeds, for feed discovery.
    pub feeds: Vec<FeedLink>,
    /// Sanitized body HTML (allow-listed tags, absolute links).
    pub html: String,
    /// Body as plain text, paragraphs separated by blank lines.
    pub text: String,
    /// Which method produced the body (for debugging and metrics).
    pub body_method: String,
    /// The charset the page was decoded with.
    pub encoding: String,
}

/// A point in time with the zone offset the page gave, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ArticleTime {
    pub utc: Timestamp,
    /// Minutes east of UTC; `None` when the page gave no zone (then `utc` assumes UTC).
    pub offset_minutes: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Image {
    pub url: Url,
    pub alt: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum VideoKind {
    YouTube,
    Vimeo,
    Html5,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Video {
    pub kind: VideoKind,
    /// Page or file URL.
    pub url: Url,
    pub embed_url: Option<Url>,
    pub poster: Option<Url>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedLink {
    pub url: Url,
    pub title: Option<String>,
    /// "rss" | "atom" | "json"
    pub kind: String,
}

/// What the caller expects the page to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expect {
    /// Nothing known: the page may be an article, a listing, a product, a thread.
    /// A page that declares itself an article (OpenGraph `article`,
    /// `article:published_time`, JSON-LD or microdata Article types) is read as one.
    #[default]
    Auto,
    /// One article (the URL came from a feed or news-sitemap entry): the body is
    /// never the whole page, however short the article.
    Article,
}

/// Options of [`extract_with`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    pub expect: Expect,
}

impl Options {
    /// Default options with an expectation.
    pub const fn expecting(expect: Expect) -> Options {
        Options { expect }
    }
}

/// Extracts metadata and the main text of a page, expecting nothing of it
/// ([`Expect::Auto`]). Never panics; a page with nothing usable gives an `Article`
/// with empty fields.
pub fn extract(html: &[u8], url: &Url, content_type: Option<&str>) -> Article {
    extract_with(html, url, content_type, &Options::default())
}

/// [`extract`] with options: what the caller expects the page to be.
pub fn extract_with(html: &[u8], url: &Url, content_type: Option<&str>, opts: &Options) -> Article {
    let (text, enc) = decode_html(html, content_type);
    let doc = dom_query::Document::from(guard::bounded(&text));
    drop(text);
    let arena = arena::Arena::from_document(&doc);
    let meta = meta::extract_meta(&arena, url);
    let base = meta.base.clone().unwrap_or_else(|| url.clone());
    let article = opts.expect == Expect::Article || meta.declares_article;
    let body = combine::extract_body(
        doc,
        &arena,
        &base,
        &combine::Page {
            title: meta.title.as_deref(),
            thread: meta.thread(),
            ld_body: meta.ld_body.as_deref(),
            article,
        },
    );
    Article {
        title: meta.title,
        authors: meta.authors,
        published: meta.published,
        modified: meta.modified,
        site_name: meta.site_name,
        language: meta.language,
        canonical_url: meta.canonical_url,
        description: meta.description,
        image: meta.image,
        section: meta.section,
        tags: meta.tags,
        videos: meta.videos,
        feeds: meta.feeds,
        html: body.html,
        text: body.text,
        body_method: body.method,
        encoding: enc.name().to_string(),
    }
}

/// The body candidates before combination: (ours text, ours method, readability text).
/// For the benchmark example and diagnostics only; not part of the stable API.
#[doc(hidden)]
pub fn debug_candidates(html: &[u8], url: &Url) -> (String, String, Option<String>) {
    let (text, _) = decode_html(html, None);
    let doc = dom_query::Document::from(guard::bounded(&text));
    let arena = arena::Arena::from_document(&doc);
    let meta = meta::extract_meta(&arena, url);
    let base = meta.base.clone().unwrap_or_else(|| url.clone());
    let c = combine::candidates(
        doc,
        &arena,
        &base,
        meta.title.as_deref(),
        meta.thread(),
        true,
    );
    (c.ours.text, c.ours_method.to_string(), c.ds.map(|d| d.text))
}

/// The whole-page candidate's text (for the benchmark example and diagnostics only).
#[doc(hidden)]
pub fn debug_whole(html: &[u8], url: &Url) -> String {
    let (text, _) = decode_html(html, None);
    let doc = dom_query::Document::from(guard::bounded(&text));
    let arena = arena::Arena::from_document(&doc);
    let meta = meta::extract_meta(&arena, url);
    let base = meta.base.clone().unwrap_or_else(|| url.clone());
    combine::whole_text(&arena, &base, meta.title.as_deref(), meta.thread())
}

/// Seconds spent in each stage for one page: decode+parse, arena, meta, ours, readability.
#[doc(hidden)]
pub fn debug_timings(html: &[u8], url: &Url) -> [f64; 5] {
    let t = std::time::Instant::now();
    let (text, _) = decode_html(html, None);
    let doc = dom_query::Document::from(guard::bounded(&text));
    let t1 = t.elapsed().as_secs_f64();
    let arena = arena::Arena::from_document(&doc);
    let t2 = t.elapsed().as_secs_f64();
    let meta = meta::extract_meta(&arena, url);
    let t3 = t.elapsed().as_secs_f64();
    let res = body::extract_body(&arena, meta.title.as_deref(), meta.thread());
    let _ = render::render(&arena, &res.blocks, url);
    let t4 = t.elapsed().as_secs_f64();
    let _ = combine::candidates(doc, &arena, url, None, body::Thread::No, true);
    let t5 = t.elapsed().as_secs_f64();
    [t1, t2 - t1, t3 - t2, t4 - t3, t5 - t4 - (t4 - t3)]
}
