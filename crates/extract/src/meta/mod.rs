//! Metadata. Sources in order of trust: JSON-LD (Article types, `@graph`), microdata,
//! OpenGraph, Twitter cards, other meta tags, `<time>`, bylines in the DOM.
//!
//! One pass over the elements ([`scan`]) collects what the steps read; each step
//! ([`title`], [`bylines`], [`dates`], [`opengraph`], [`videos`], [`feeds`]) fills its
//! fields of [`Meta`] from those [`Sources`]; [`kind`] says what the page declares
//! itself to be.

mod bylines;
mod dates;
mod feeds;
mod jsonld;
mod kind;
mod microdata;
mod opengraph;
mod scan;
mod text;
mod title;
mod videos;

use self::{bylines::*, jsonld::*, microdata::Microdata, scan::*, text::*};
use crate::arena::{Arena, Ix, Kind, collapse_ws};
use crate::body::norm_key;
use crate::dates::parse_date;
use crate::render::abs_url;
use crate::{ArticleTime, FeedLink, Image, Video, VideoKind};
use serde_json::Value;
use url::Url;

#[derive(Default)]
pub struct Meta {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<ArticleTime>,
    pub modified: Option<ArticleTime>,
    pub site_name: Option<String>,
    pub language: Option<String>,
    pub canonical_url: Option<Url>,
    pub description: Option<String>,
    pub image: Option<Image>,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub videos: Vec<Video>,
    pub feeds: Vec<FeedLink>,
    /// `<base href>` resolved against the page URL.
    pub base: Option<Url>,
    /// JSON-LD `articleBody`, when the page ships it.
    pub ld_body: Option<String>,
    /// A discussion thread (schema.org DiscussionForumPosting/QAPage or a forum URL):
    /// comments are the content there.
    pub forum: bool,
    /// A question-and-answer page (schema.org QAPage): the question and its answers
    /// are the content, the comments under them are not.
    pub qa: bool,
    /// The page says it is one article: OpenGraph type `article`,
    /// `article:published_time`, one or two JSON-LD objects of an article type (a
    /// listing marks up each of its items, so more do not count) or one microdata
    /// item of one.
    pub declares_article: bool,
}

impl Meta {
    /// What kind of thread the page is, for the body extractor.
    pub fn thread(&self) -> crate::body::Thread {
        use crate::body::Thread;
        match (self.qa, self.forum) {
            (true, _) => Thread::Questions,
            (false, true) => Thread::Discussion,
            (false, false) => Thread::No,
        }
    }
}

/// What the metadata steps read: the page, what one pass over it collected, its
/// JSON-LD article object and site name, its microdata.
pub(crate) struct Sources<'a> {
    pub(crate) arena: &'a Arena,
    pub(crate) page_url: &'a Url,
    /// `<base href>`, else the page URL.
    pub(crate) base: Url,
    pub(crate) scan: Scan,
    pub(crate) ld: Ld,
    pub(crate) ld_site: Option<String>,
    pub(crate) md: Microdata,
}

impl Sources<'_> {
    /// The first `<meta>` value under a key.
    fn get(&self, k: &str) -> Option<&str> {
        self.scan.get(k)
    }

    /// Every `<meta>` value under a key.
    fn get_all(&self, k: &str) -> Vec<&str> {
        self.scan.get_all(k)
    }
}

pub fn extract_meta(arena: &Arena, page_url: &Url) -> Meta {
    let scan = scan::scan(arena, page_url);
    let base = scan.base.clone().unwrap_or_else(|| page_url.clone());
    let json = jsonld::read(arena, &scan.ld_scripts);
    let mut ld = json.ld;
    let mut m = Meta {
        base: scan.base.clone(),
        qa: scan.qa || json.qa,
        forum: scan.forum || json.forum || kind::forum_url(page_url),
        declares_article: kind::declares_article(&scan, json.articles),
        ld_body: ld.body.take(),
        ..Meta::default()
    };
    let md = microdata::read(arena, &scan.itemprops);
    let pg = Sources {
        arena,
        page_url,
        base,
        scan,
        ld,
        ld_site: json.site,
        md,
    };
    title::fill(&pg, &mut m);
    bylines::fill(&pg, &mut m);
    dates::fill(&pg, &mut m);
    opengraph::fill(&pg, &mut m);
    videos::fill(&pg, &mut m);
    feeds::fill(&pg, &mut m);
    m
}
