//! Metadata. Sources in order of trust: JSON-LD (Article types, `@graph`), microdata,
//! OpenGraph, Twitter cards, other meta tags, `<time>`, bylines in the DOM.

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

const ARTICLE_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicquestionarticle",
    "blogposting",
    "liveblogposting",
    "socialmediaposting",
    "techarticle",
    "scholarlyarticle",
    "report",
    "medicalwebpage",
    "posting",
];

/// Types by which a page declares itself one article (a subset of
/// [`ARTICLE_TYPES`]: reports, scholarly and medical pages are documents).
const DECLARED_TYPES: &[&str] = &[
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicquestionarticle",
    "blogposting",
    "liveblogposting",
];

/// More JSON-LD article objects than this on one page: a listing marking up its
/// items (one page may repeat its own object in a second script).
const MAX_LD_ARTICLES: usize = 2;

/// Fields gathered from one JSON-LD object of an article type.
#[derive(Default)]
struct Ld {
    headline: Option<String>,
    authors: Vec<String>,
    published: Option<String>,
    modified: Option<String>,
    publisher: Option<String>,
    image: Option<(String, Option<u32>, Option<u32>)>,
    section: Option<String>,
    keywords: Vec<String>,
    language: Option<String>,
    description: Option<String>,
    url: Option<String>,
    body: Option<String>,
    videos: Vec<(Option<String>, Option<String>, Option<String>)>,
}

pub fn extract_meta(arena: &Arena, page_url: &Url) -> Meta {
    let mut m = Meta::default();
    // Collect <meta>, <link>, ld+json scripts, <base>, <title> in one pass.
    let mut metas: Vec<(String, String)> = Vec::new();
    let mut ld_scripts: Vec<Ix> = Vec::new();
    let mut title_tag: Option<String> = None;
    let mut canonical: Option<String> = None;
    let mut html_lang: Option<String> = None;
    let mut iframes: Vec<Ix> = Vec::new();
    let mut video_tags: Vec<Ix> = Vec::new();
    let mut times: Vec<Ix> = Vec::new();
    let mut itemprops: Vec<Ix> = Vec::new();
    let mut h1s: Vec<Ix> = Vec::new();
    let mut feeds_raw: Vec<(String, Option<String>, String)> = Vec::new();
    let mut rel_authors: Vec<Ix> = Vec::new();
    // Elements whose microdata type is an article type (nested ones included).
    let mut md_articles = 0usize;
    for (ix, n) in arena.nodes.iter().enumerate() {
        if !matches!(n.kind, Kind::Element) {
            continue;
        }
        match n.tag.as_str() {
            "html" if html_lang.is_none() => {
                html_lang = n.attr("lang").or(n.attr("xml:lang")).map(str::to_string);
            }
            "meta" => {
                let key = n
                    .attr("property")
                    .or(n.attr("name"))
                    .or(n.attr("itemprop"))
                    .or(n.attr("http-equiv"));
                if let (Some(k), Some(v)) = (key, n.attr("content")) {
                    let v = collapse_ws(&decode_entities(v));
                    if !v.is_empty() {
                        metas.push((k.trim().to_ascii_lowercase(), v));
                    }
                }
            }
            "link" => {
                let rel = n.attr("rel").unwrap_or("").to_ascii_lowercase();
                let rels: Vec<&str> = rel.split_whitespace().collect();
                if rels.contains(&"canonical") && canonical.is_none() {
                    canonical = n.attr("href").map(str::to_string);
                }
                if rels.contains(&"alternate")
                    && let Some(href) = n.attr("href")
                {
                    let ty = n.attr("type").unwrap_or("").trim().to_ascii_lowercase();
                    let title = n.attr("title").map(collapse_ws).filter(|t| !t.is_empty());
                    let kind = match ty.as_str() {
                        "application/rss+xml" | "application/rdf+xml" => Some("rss"),
                        "application/atom+xml" => Some("atom"),
                        "application/feed+json" => Some("json"),
                        // Plain JSON alternates are mostly REST/oEmbed endpoints: only
                        // a JSON Feed when it says so.
                        "application/json" => {
                            let t = title.as_deref().unwrap_or("").to_ascii_lowercase();
                            let h = href.to_ascii_lowercase();
                            (t.contains("feed") || h.contains("feed.json")).then_some("json")
                        }
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        feeds_raw.push((href.to_string(), title, kind.to_string()));
                    }
                }
                if rels.contains(&"author") {
                    rel_authors.push(ix);
                }
            }
            "base" if m.base.is_none() => {
                m.base = n.attr("href").and_then(|h| abs_url(page_url, h));
            }
            "title" if title_tag.is_none() && !in_svg(arena, ix) => {
                title_tag = Some(arena.text(ix));
            }
            "script"
                if n.attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                ld_scripts.push(ix);
            }
            "iframe" => iframes.push(ix),
            "video" => video_tags.push(ix),
            "time" => times.push(ix),
            "h1" if h1s.len() < 8 => {
                h1s.push(ix);
            }
            "a" if n
                .attr("rel")
                .is_some_and(|r| r.to_ascii_lowercase().contains("author")) =>
            {
                rel_authors.push(ix);
            }
            _ => {}
        }
        if n.attr("itemprop").is_some() && &*n.tag != "meta" {
            itemprops.push(ix);
        }
        // Microdata threads (Stack Exchange marks its pages up as QAPage).
        if let Some(t) = n.attr("itemtype") {
            let t = t.trim_end_matches('/');
            let t = t.rsplit('/').next().unwrap_or(t);
            if t.eq_ignore_ascii_case("QAPage") {
                m.qa = true;
            } else if t.eq_ignore_ascii_case("DiscussionForumPosting") {
                m.forum = true;
            } else if DECLARED_TYPES.iter().any(|d| t.eq_ignore_ascii_case(d)) {
                md_articles += 1;
            }
        }
    }
    let base = m.base.clone().unwrap_or_else(|| page_url.clone());
    let get = |k: &str| -> Option<&str> {
        metas
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let get_all = |k: &str| -> Vec<&str> {
        metas
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect()
    };

    // JSON-LD.
    let mut ld = Ld::default();
    let mut ld_site: Option<String> = None;
    let mut ld_other_authors: Vec<String> = Vec::new();
    let mut ld_articles = 0usize;
    for ix in ld_scripts {
        let raw = raw_text(arena, ix);
        let Some(v) = parse_json_lenient(&raw) else {
            continue;
        };
        let mut objs = Vec::new();
        collect_objects(&v, &mut objs, 0);
        for o in objs {
            let types = types_of(o);
            if types.iter().any(|t| t == "qapage") {
                m.qa = true;
            } else if types.iter().any(|t| t == "discussionforumposting") {
                m.forum = true;
            }
            if types.iter().any(|t| DECLARED_TYPES.contains(&t.as_str())) {
                ld_articles += 1;
            }
            if types.iter().any(|t| ARTICLE_TYPES.contains(&t.as_str())) {
                if ld.headline.is_none() && ld.published.is_none() {
                    ld = read_ld(o);
                } else {
                    // A second article object (e.g. a teaser) only fills gaps.
                    let more = read_ld(o);
                    if ld.authors.is_empty() {
                        ld.authors = more.authors;
                    }
                    if ld.published.is_none() {
                        ld.published = more.published;
                    }
                }
            } else if types.iter().any(|t| t == "videoobject") {
                ld.videos.push(read_video(o));
                if ld_other_authors.is_empty() {
                    ld_other_authors = read_ld(o).authors;
                }
            } else if types
                .iter()
                .any(|t| t == "website" || t == "organization" || t == "newsmediaorganization")
                && ld_site.is_none()
            {
                ld_site = str_of(o.get("name"));
            } else if ld_other_authors.is_empty() && o.contains_key("author") {
                // WebPage, Recipe, HowTo...: their author is the page's author.
                ld_other_authors = read_ld(o).authors;
            }
        }
    }
    if ld.authors.is_empty() {
        ld.authors = std::mem::take(&mut ld_other_authors);
    }
    let og_article = get("og:type").is_some_and(|t| t.eq_ignore_ascii_case("article"));
    let published_time = get("article:published_time").is_some();
    // Each source counts on its own: a page may repeat its own JSON-LD object (two
    // scripts), while several microdata articles are a listing's items or related
    // stories.
    m.declares_article = og_article
        || published_time
        || (1..=MAX_LD_ARTICLES).contains(&ld_articles)
        || md_articles == 1;
    m.ld_body = ld.body.take();
    if let Some(segs) = page_url.path_segments() {
        // Not `topics` or `community`: those name tag listings (`/topics/rust`) and
        // site sections (`/community/tutorials/`) more often than threads.
        let forum_seg = |s: &str| {
            matches!(
                s,
                "forum"
                    | "forums"
                    | "thread"
                    | "threads"
                    | "topic"
                    | "t"
                    | "questions"
                    | "comments"
                    | "discussion"
                    | "discussions"
            )
        };
        // Script-style engines: phpBB `viewtopic.php?t=`, vBulletin `showthread.php`,
        // SMF `index.php?topic=`.
        let script = |s: &str| matches!(s, "viewtopic.php" | "showthread.php" | "showtopic.php");
        let query = page_url
            .query_pairs()
            .any(|(k, _)| matches!(k.as_ref(), "topic" | "showtopic" | "threadid"));
        if segs.into_iter().any(|s| forum_seg(s) || script(s)) || query {
            m.forum = true;
        }
    }

    // Microdata.
    let mut md_headline = None;
    let mut md_authors = Vec::new();
    let mut md_published = None;
    let mut md_modified = None;
    for &ix in &itemprops {
        let Some(n) = arena.get(ix) else { continue };
        let prop = n.attr("itemprop").unwrap_or("").to_ascii_lowercase();
        let value = || {
            n.attr("content")
                .or(n.attr("datetime"))
                .map(str::to_string)
                .unwrap_or_else(|| arena.text(ix))
        };
        for p in prop.split_whitespace() {
            match p {
                "headline" if md_headline.is_none() => md_headline = Some(value()),
                "author" | "creator" => {
                    // Prefer a nested itemprop=name.
                    let name = arena
                        .descendants(ix)
                        .find(|&d| {
                            arena
                                .get(d)
                                .and_then(|x| x.attr("itemprop"))
                                .is_some_and(|v| v.eq_ignore_ascii_case("name"))
                        })
                        .map(|d| {
                            arena
                                .get(d)
                                .and_then(|x| x.attr("content").map(str::to_string))
                                .unwrap_or_else(|| arena.text(d))
                        })
                        .unwrap_or_else(value);
                    md_authors.push(name);
                }
                "datepublished" if md_published.is_none() => md_published = Some(value()),
                "datemodified" if md_modified.is_none() => md_modified = Some(value()),
                _ => {}
            }
        }
    }

    // Title.
    let site_name = get("og:site_name")
        .map(str::to_string)
        .or(ld.publisher.clone())
        .or(ld_site)
        .or(get("application-name").map(str::to_string));
    m.site_name = site_name.clone().filter(|s| !s.is_empty());
    let raw_title = ld
        .headline
        .clone()
        .or(md_headline)
        .or(get("og:title").map(str::to_string))
        .or(get("twitter:title").map(str::to_string))
        .or(title_tag.clone());
    let meta_title = raw_title
        .map(|t| collapse_ws(&decode_entities(&t)))
        .filter(|t| !t.is_empty());
    let h1_text = visible_headline(arena, &h1s, m.site_name.as_deref(), meta_title.as_deref());
    m.title = match (&h1_text, &meta_title) {
        // The visible headline is what readers see and what the page is about; the
        // metadata titles carry SEO rewrites and " | Site" suffixes.
        (Some(h), _) => Some(h.clone()),
        (None, Some(t)) => Some(clean_title(t, m.site_name.as_deref(), None, page_url)),
        (None, None) => None,
    }
    .filter(|t| !t.is_empty());

    // Authors: the first source that yields a plausible name wins (a source whose
    // only value is junk, e.g. an URL or "admin", does not block the next one).
    let meta_authors = || {
        let mut v = Vec::new();
        for k in [
            "author",
            "article:author",
            "dc.creator",
            "byl",
            "sailthru.author",
            "parsely-author",
            "citation_author",
            "twitter:creator",
        ] {
            for x in get_all(k) {
                if !(k == "twitter:creator" && x.starts_with('@')) {
                    v.push(x.to_string());
                }
            }
            if !v.is_empty() {
                break;
            }
        }
        v
    };
    let sources: [&dyn Fn() -> Vec<String>; 6] = [
        &|| ld.authors.clone(),
        &|| md_authors.clone(),
        &meta_authors,
        &|| rel_authors.iter().map(|&ix| arena.text(ix)).collect(),
        &|| dom_byline(arena).into_iter().collect(),
        &|| text_byline(arena).into_iter().collect(),
    ];
    m.authors = sources
        .iter()
        .map(|f| clean_authors(f()))
        .find(|v| !v.is_empty())
        .unwrap_or_default();

    // Dates.
    let pub_candidates = [
        ld.published.clone(),
        md_published,
        get("article:published_time").map(str::to_string),
        get("og:published_time").map(str::to_string),
        get("datepublished").map(str::to_string),
        get("publishdate").map(str::to_string),
        get("publish-date").map(str::to_string),
        get("pubdate").map(str::to_string),
        get("date").map(str::to_string),
        get("dc.date").map(str::to_string),
        get("dc.date.issued").map(str::to_string),
        get("dcterms.created").map(str::to_string),
        get("dcterms.date").map(str::to_string),
        get("sailthru.date").map(str::to_string),
        get("parsely-pub-date").map(str::to_string),
        get("article.published").map(str::to_string),
        get("citation_publication_date").map(str::to_string),
        get("citation_date").map(str::to_string),
        time_published(arena, &times),
    ];
    m.published = pub_candidates.iter().flatten().find_map(|s| parse_date(s));
    let mod_candidates = [
        ld.modified.clone(),
        md_modified,
        get("article:modified_time").map(str::to_string),
        get("og:updated_time").map(str::to_string),
        get("dcterms.modified").map(str::to_string),
        get("datemodified").map(str::to_string),
    ];
    m.modified = mod_candidates.iter().flatten().find_map(|s| parse_date(s));
    // Fallbacks, most specific first: a dated byline element, the date in the URL
    // (/2025/09/04/), then the first short date-like text on the page.
    if m.published.is_none() {
        m.published = byline_date(arena)
            .or_else(|| url_date(page_url))
            .or_else(|| text_date(arena));
    }

    // Language, canonical, description.
    m.language = html_lang
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && l.len() <= 35)
        .or(get("og:locale").map(|l| l.replace('_', "-")))
        .or(get("content-language").map(str::to_string))
        .or(get("language").map(str::to_string))
        .or(ld.language.clone());
    m.canonical_url = canonical
        .and_then(|c| abs_url(&base, &c))
        .or(get("og:url").and_then(|u| abs_url(&base, u)))
        .or(ld.url.as_deref().and_then(|u| abs_url(&base, u)));
    m.description = get("og:description")
        .or(get("description"))
        .or(get("twitter:description"))
        .map(str::to_string)
        .or(ld.description.clone())
        .map(|d| collapse_ws(&decode_entities(&d)))
        .filter(|d| !d.is_empty());

    // Lead image.
    let og_alt = get("og:image:alt")
        .or(get("twitter:image:alt"))
        .map(str::to_string);
    let dim = |k: &str| get(k).and_then(|v| v.trim().parse::<u32>().ok());
    m.image = ld
        .image
        .as_ref()
        .and_then(|(u, w, h)| abs_url(&base, u).map(|u| (u, *w, *h)))
        .map(|(url, width, height)| Image {
            url,
            alt: og_alt.clone(),
            width,
            height,
        })
        .or_else(|| {
            get("og:image")
                .or(get("og:image:url"))
                .or(get("og:image:secure_url"))
                .and_then(|u| abs_url(&base, u))
                .map(|url| Image {
                    url,
                    alt: og_alt.clone(),
                    width: dim("og:image:width"),
                    height: dim("og:image:height"),
                })
        })
        .or_else(|| {
            get("twitter:image")
                .or(get("twitter:image:src"))
                .and_then(|u| abs_url(&base, u))
                .map(|url| Image {
                    url,
                    alt: og_alt.clone(),
                    width: None,
                    height: None,
                })
        });

    // Section and tags.
    m.section = ld
        .section
        .clone()
        .or(get("article:section").map(str::to_string))
        .or(get("section").map(str::to_string))
        .or(get("parsely-section").map(str::to_string))
        .map(|s| collapse_ws(&s))
        .filter(|s| !s.is_empty());
    let mut tags: Vec<String> = ld.keywords.clone();
    if tags.is_empty() {
        tags = get_all("article:tag")
            .into_iter()
            .map(str::to_string)
            .collect();
    }
    if tags.is_empty() {
        for k in ["news_keywords", "keywords", "parsely-tags"] {
            if let Some(v) = get(k) {
                tags = v.split([',', ';']).map(str::to_string).collect();
                break;
            }
        }
    }
    m.tags = dedup_clean(tags, 50, 100);

    // Videos: JSON-LD, og:video, iframes and <video>.
    let mut videos: Vec<Video> = Vec::new();
    for (content, embed, thumb) in &ld.videos {
        let embed_u = embed.as_deref().and_then(|e| abs_url(&base, e));
        let content_u = content.as_deref().and_then(|c| abs_url(&base, c));
        if let Some(v) = embed_u.as_ref().and_then(video_from_embed).or_else(|| {
            content_u.clone().map(|u| Video {
                kind: VideoKind::Other,
                url: u,
                embed_url: embed_u.clone(),
                poster: None,
            })
        }) {
            let poster = thumb.as_deref().and_then(|t| abs_url(&base, t));
            videos.push(Video { poster, ..v });
        }
    }
    for k in ["og:video:secure_url", "og:video:url", "og:video"] {
        if let Some(u) = get(k).and_then(|u| abs_url(&base, u)) {
            let v = video_from_embed(&u).unwrap_or(Video {
                kind: VideoKind::Other,
                url: u,
                embed_url: None,
                poster: None,
            });
            videos.push(v);
            break;
        }
    }
    for ix in iframes {
        let Some(n) = arena.get(ix) else { continue };
        let src = n
            .attr("src")
            .or(n.attr("data-src"))
            .or(n.attr("data-lazy-src"));
        if let Some(u) = src.and_then(|s| abs_url(&base, s))
            && let Some(v) = video_from_embed(&u)
        {
            videos.push(v);
        }
    }
    for ix in video_tags {
        let Some(n) = arena.get(ix) else { continue };
        let src = n.attr("src").map(str::to_string).or_else(|| {
            arena.descendants(ix).find_map(|d| {
                let dn = arena.get(d)?;
                if dn.is_el("source") {
                    dn.attr("src").map(str::to_string)
                } else {
                    None
                }
            })
        });
        if let Some(u) = src.and_then(|s| abs_url(&base, &s)) {
            videos.push(Video {
                kind: VideoKind::Html5,
                url: u,
                embed_url: None,
                poster: n.attr("poster").and_then(|p| abs_url(&base, p)),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    videos.retain(|v| seen.insert(v.url.to_string()));
    videos.truncate(20);
    m.videos = videos;

    let mut seen = std::collections::HashSet::new();
    for (href, title, kind) in feeds_raw {
        if let Some(url) = abs_url(&base, &href)
            && seen.insert(url.to_string())
        {
            m.feeds.push(FeedLink { url, title, kind });
        }
    }
    m
}

fn in_svg(arena: &Arena, ix: Ix) -> bool {
    let mut cur = arena.parent(ix);
    while let Some(p) = cur {
        if arena.tag(p) == "svg" {
            return true;
        }
        cur = arena.parent(p);
    }
    false
}

/// Raw text of a script element (not whitespace-collapsed).
fn raw_text(arena: &Arena, ix: Ix) -> String {
    let mut s = String::new();
    for &c in arena.children(ix) {
        if let Some(n) = arena.get(c) {
            s.push_str(&n.text);
        }
    }
    s
}

/// JSON-LD on real pages is often wrapped in comments/CDATA or has trailing junk.
fn parse_json_lenient(raw: &str) -> Option<Value> {
    let t = raw
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches("//<![CDATA[")
        .trim_end_matches("//]]>")
        .trim();
    if t.is_empty() || t.len() > 4 * 1024 * 1024 {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Some(v);
    }
    // Raw control characters inside strings are the most common breakage.
    let fixed: String = t
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if let Ok(v) = serde_json::from_str::<Value>(&fixed) {
        return Some(v);
    }
    // Trailing garbage: parse the first complete value.
    let mut de = serde_json::Deserializer::from_str(&fixed).into_iter::<Value>();
    de.next().and_then(Result::ok)
}

/// Flattens arrays and `@graph` into a list of objects (bounded depth).
fn collect_objects<'a>(
    v: &'a Value,
    out: &mut Vec<&'a serde_json::Map<String, Value>>,
    depth: usize,
) {
    if depth > 6 || out.len() > 200 {
        return;
    }
    match v {
        Value::Array(a) => {
            for x in a {
                collect_objects(x, out, depth + 1);
            }
        }
        Value::Object(o) => {
            out.push(o);
            if let Some(g) = o.get("@graph") {
                collect_objects(g, out, depth + 1);
            }
            // Articles nested as mainEntity of a WebPage.
            if let Some(me) = o.get("mainEntity") {
                collect_objects(me, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn types_of(o: &serde_json::Map<String, Value>) -> Vec<String> {
    match o.get("@type") {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
            .collect(),
        _ => Vec::new(),
    }
}

fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Array(a) => a.iter().find_map(|x| str_of(Some(x))),
        Value::Object(o) => str_of(o.get("name")).or(str_of(o.get("@value"))),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn read_ld(o: &serde_json::Map<String, Value>) -> Ld {
    let mut ld = Ld {
        headline: str_of(o.get("headline")).or(str_of(o.get("name"))),
        published: str_of(o.get("datePublished")).or(str_of(o.get("dateCreated"))),
        modified: str_of(o.get("dateModified")),
        section: str_of(o.get("articleSection")),
        language: str_of(o.get("inLanguage")),
        description: str_of(o.get("description")),
        body: str_of(o.get("articleBody")),
        ..Ld::default()
    };
    ld.url = match o.get("mainEntityOfPage") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Object(m)) => str_of(m.get("@id")).or(str_of(m.get("url"))),
        _ => None,
    }
    .or(str_of(o.get("url")));
    if let Some(p) = o.get("publisher") {
        ld.publisher = match p {
            Value::Object(po) => str_of(po.get("name")),
            Value::Array(a) => a
                .iter()
                .find_map(|x| x.as_object().and_then(|po| str_of(po.get("name")))),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
    }
    let mut authors = Vec::new();
    let mut push_author = |v: &Value| match v {
        Value::String(s) => authors.push(s.clone()),
        Value::Object(a) => {
            if let Some(n) = str_of(a.get("name")) {
                authors.push(n);
            }
        }
        _ => {}
    };
    for key in ["author", "creator"] {
        match o.get(key) {
            Some(Value::Array(a)) => a.iter().for_each(&mut push_author),
            Some(v) => push_author(v),
            None => {}
        }
    }
    ld.authors = authors;
    ld.image = image_of(o.get("image")).or(image_of(o.get("thumbnailUrl")));
    ld.keywords = match o.get("keywords") {
        Some(Value::String(s)) => s.split(',').map(str::to_string).collect(),
        Some(Value::Array(a)) => a.iter().filter_map(|x| str_of(Some(x))).collect(),
        _ => Vec::new(),
    };
    if let Some(v) = o.get("video") {
        let mut objs = Vec::new();
        collect_objects(v, &mut objs, 0);
        for vo in objs {
            ld.videos.push(read_video(vo));
        }
    }
    ld
}

fn image_of(v: Option<&Value>) -> Option<(String, Option<u32>, Option<u32>)> {
    match v? {
        Value::String(s) => Some((s.clone(), None, None)),
        Value::Array(a) => a.iter().find_map(|x| image_of(Some(x))),
        Value::Object(o) => {
            let url = str_of(o.get("url")).or(str_of(o.get("contentUrl")))?;
            let dim = |k: &str| match o.get(k) {
                Some(Value::Number(n)) => n.as_u64().and_then(|x| u32::try_from(x).ok()),
                Some(Value::String(s)) => s.trim().trim_end_matches("px").parse().ok(),
                _ => None,
            };
            Some((url, dim("width"), dim("height")))
        }
        _ => None,
    }
}

fn read_video(
    o: &serde_json::Map<String, Value>,
) -> (Option<String>, Option<String>, Option<String>) {
    (
        str_of(o.get("contentUrl")),
        str_of(o.get("embedUrl")),
        image_of(o.get("thumbnailUrl")).map(|t| t.0),
    )
}

/// Recognises YouTube and Vimeo players.
pub fn video_from_embed(u: &Url) -> Option<Video> {
    let host = u
        .host_str()?
        .trim_start_matches("www.")
        .trim_start_matches("m.");
    let segs: Vec<&str> = u
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    let yt_host = matches!(host, "youtube.com" | "youtube-nocookie.com" | "youtu.be");
    if yt_host {
        let id = match (host, segs.as_slice()) {
            ("youtu.be", [id, ..]) => Some(id.to_string()),
            (_, ["embed", id, ..]) | (_, ["v", id, ..]) | (_, ["shorts", id, ..]) => {
                Some(id.to_string())
            }
            (_, ["watch"]) => u
                .query_pairs()
                .find(|(k, _)| k == "v")
                .map(|(_, v)| v.to_string()),
            _ => None,
        }?;
        if id.is_empty()
            || id == "videoseries"
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let url = Url::parse(&format!("https://www.youtube.com/watch?v={id}")).ok()?;
        let embed = Url::parse(&format!("https://www.youtube.com/embed/{id}")).ok();
        return Some(Video {
            kind: VideoKind::YouTube,
            url,
            embed_url: embed,
            poster: None,
        });
    }
    if host == "player.vimeo.com" || host == "vimeo.com" {
        let id = segs
            .iter()
            .rev()
            .find(|s| s.chars().all(|c| c.is_ascii_digit()))?;
        let url = Url::parse(&format!("https://vimeo.com/{id}")).ok()?;
        let embed = Url::parse(&format!("https://player.vimeo.com/video/{id}")).ok();
        return Some(Video {
            kind: VideoKind::Vimeo,
            url,
            embed_url: embed,
            poster: None,
        });
    }
    None
}

/// The page's visible headline: an `<h1>` that is not a logo or the site name.
/// With several, the one agreeing with the metadata title wins, else the first.
fn visible_headline(
    arena: &Arena,
    h1s: &[Ix],
    site: Option<&str>,
    meta_title: Option<&str>,
) -> Option<String> {
    let site_key = site.map(norm_key).unwrap_or_default();
    let meta_key = meta_title.map(norm_key).unwrap_or_default();
    let mut first: Option<String> = None;
    for &ix in h1s {
        let t = arena.text(ix);
        let k = norm_key(&t);
        if k.is_empty() || t.chars().count() > 300 || k == site_key {
            continue;
        }
        if ancestor_has_word(
            arena,
            ix,
            &[
                "logo", "brand", "masthead", "sidebar", "widget", "modal", "popup", "cookie",
            ],
        ) || arena.get(ix).is_some_and(|n| {
            let c = format!(
                "{} {}",
                n.attr("class").unwrap_or(""),
                n.attr("id").unwrap_or("")
            )
            .to_ascii_lowercase();
            c.contains("logo")
                || c.contains("site-title")
                || c.contains("site-name")
                || c.contains("brand")
        }) {
            continue;
        }
        if !meta_key.is_empty() && (meta_key.contains(&k) || k.contains(&meta_key)) {
            return Some(t);
        }
        if first.is_none() {
            first = Some(t);
        }
    }
    // A lone short h1 that disagrees with the metadata is more likely a section
    // label ("News") than the headline.
    first.filter(|t| meta_key.is_empty() || t.split_whitespace().count() >= 3)
}

/// Drops " | Site Name" style suffixes (and prefixes) from a page title.
fn clean_title(t: &str, site: Option<&str>, h1: Option<&str>, url: &Url) -> String {
    let t = t.trim();
    // If the <h1> is a part of the title, it is the headline.
    if let Some(h) = h1 {
        let hk = norm_key(h);
        let tk = norm_key(t);
        if !hk.is_empty() && hk == tk {
            return h.trim().to_string();
        }
    }
    const SEPS: &[&str] = &[
        " | ", " - ", " – ", " — ", " :: ", " » ", " « ", " · ", " • ", " / ", " ~ ", " : ",
    ];
    let site_key = site.map(norm_key).unwrap_or_default();
    let host_key: String = url
        .host_str()
        .unwrap_or("")
        .trim_start_matches("www.")
        .split('.')
        .next()
        .unwrap_or("")
        .to_lowercase();
    for sep in SEPS {
        if !t.contains(sep) {
            continue;
        }
        let parts: Vec<&str> = t.split(sep).collect();
        let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
            continue;
        };
        let is_site = |p: &str| {
            let k = norm_key(p);
            let nospace: String = k.chars().filter(|c| !c.is_whitespace()).collect();
            (!site_key.is_empty()
                && (k == site_key || site_key.contains(&k) || k.contains(&site_key)))
                || (!host_key.is_empty()
                    && host_key.len() >= 3
                    && (nospace == host_key || nospace.contains(&host_key)))
        };
        if parts.len() >= 2 && is_site(last) {
            let head = parts
                .get(..parts.len() - 1)
                .map(|p| p.join(sep))
                .unwrap_or_default();
            // Strip repeatedly: "Title - Section | Site".
            return clean_title(&head, site, h1, url);
        }
        if parts.len() >= 2 && is_site(first) {
            let tail = parts.get(1..).map(|p| p.join(sep)).unwrap_or_default();
            return clean_title(&tail, site, h1, url);
        }
        if let Some(h) = h1 {
            let hk = norm_key(h);
            if !hk.is_empty() && parts.iter().any(|p| norm_key(p) == hk) {
                return h.trim().to_string();
            }
        }
    }
    t.to_string()
}

/// Organisations are valid authors here (a company blog's author is the company),
/// so a name equal to the site name is kept.
fn clean_authors(raw: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in raw {
        let a = collapse_ws(&decode_entities(&a));
        if a.starts_with("http://")
            || a.starts_with("https://")
            || a.contains('@') && !a.contains(' ')
        {
            continue;
        }
        let a = strip_by(&a);
        for part in a
            .split(" and ")
            .flat_map(|p| p.split(" & "))
            .flat_map(|p| p.split(['|', ';', '\n']))
        {
            let p = part
                .trim()
                .trim_matches(|c: char| c == ',' || c == '.' || c == ':')
                .trim();
            let k = norm_key(p);
            if p.is_empty() || p.chars().count() > 60 || k.is_empty() || !plausible_name(p) {
                continue;
            }
            if !out.iter().any(|x| norm_key(x) == k) {
                out.push(p.to_string());
            }
        }
    }
    out.truncate(10);
    out
}

/// Rejects sentence fragments, ids, handles and labels posing as author names.
fn plausible_name(p: &str) -> bool {
    let words: Vec<&str> = p.split_whitespace().collect();
    if words.is_empty() || words.len() > 6 {
        return false;
    }
    if p.chars().filter(char::is_ascii_digit).count() > 2 {
        return false;
    }
    let lower = p.to_lowercase();
    if matches!(
        lower.as_str(),
        "admin"
            | "administrator"
            | "written by"
            | "posted by"
            | "by"
            | "author"
            | "staff"
            | "editor"
            | "guest"
            | "anonymous"
            | "unknown"
    ) {
        return false;
    }
    // "cooking. She aims to explore": a sentence, not a name.
    if p.contains(". ")
        && words
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_lowercase) && w.len() > 3)
    {
        return false;
    }
    // A single lower-case token is a handle ("shopwithselect").
    !(words.len() == 1 && p.chars().all(|c| !c.is_uppercase()))
}

/// A "By Jane Doe" line in the page text.
fn text_byline(arena: &Arena) -> Option<String> {
    for n in arena.nodes.iter() {
        if !matches!(n.kind, Kind::Text) {
            continue;
        }
        let t = n.text.trim();
        let starts = ["By ", "BY ", "by ", "Von ", "Par ", "Por "]
            .iter()
            .any(|p| t.starts_with(p));
        let bare = matches!(t, "By" | "By:" | "BY" | "by" | "Von" | "Par" | "Por");
        if !(starts || bare) || t.chars().count() > 80 {
            continue;
        }
        // The byline element: the text's parent, or its grandparent for "By <a>Name</a>".
        let mut cur = n.parent;
        for _ in 0..2 {
            let Some(p) = cur else { break };
            let full = arena.text(p);
            let name = strip_by(&full);
            let name = name
                .split(['|', '•', '·', '\n'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if name.chars().count() <= 60
                && name.split_whitespace().count() >= 2
                && plausible_name(&name)
                && name.split_whitespace().all(|w| {
                    w.chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || !c.is_alphabetic())
                })
            {
                return Some(name);
            }
            if full.chars().count() > 120 {
                break;
            }
            cur = arena.parent(p);
        }
    }
    None
}

fn strip_by(s: &str) -> String {
    let t = s.trim();
    for p in [
        "By ",
        "by ",
        "BY ",
        "Von ",
        "von ",
        "Par ",
        "par ",
        "Por ",
        "por ",
        "Written by ",
        "Posted by ",
        "Author: ",
        "Autor: ",
    ] {
        if let Some(r) = t.strip_prefix(p) {
            return r.trim().to_string();
        }
    }
    t.to_string()
}

/// `<time>` elements: prefer ones marked as publication time.
fn time_published(arena: &Arena, times: &[Ix]) -> Option<String> {
    let mut first = None;
    for &ix in times {
        let Some(n) = arena.get(ix) else { continue };
        let v = n
            .attr("datetime")
            .map(str::to_string)
            .unwrap_or_else(|| arena.text(ix));
        let marked = n.attr("pubdate").is_some()
            || n.attr("itemprop")
                .is_some_and(|p| p.eq_ignore_ascii_case("datepublished"))
            || n.attr("class").is_some_and(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("publish") || c.contains("posted") || c.contains("entry-date")
            });
        if marked {
            return Some(v);
        }
        if first.is_none()
            && !ancestor_has_word(
                arena,
                ix,
                &["comment", "comments", "related", "footer", "sidebar"],
            )
        {
            first = Some(v);
        }
    }
    first
}

fn ancestor_has_word(arena: &Arena, ix: Ix, ws: &[&str]) -> bool {
    let mut cur = arena.parent(ix);
    let mut hops = 0;
    while let Some(p) = cur {
        hops += 1;
        if hops > 30 {
            break;
        }
        if let Some(n) = arena.get(p) {
            let c = format!(
                "{} {}",
                n.attr("class").unwrap_or(""),
                n.attr("id").unwrap_or("")
            )
            .to_ascii_lowercase();
            if ws
                .iter()
                .any(|w| c.split(|ch: char| !ch.is_alphanumeric()).any(|x| x == *w))
            {
                return true;
            }
            if matches!(n.tag.as_str(), "footer" | "aside") {
                return true;
            }
        }
        cur = arena.parent(p);
    }
    false
}

/// A byline element in the DOM: class/id with "author" or "byline".
fn dom_byline(arena: &Arena) -> Option<String> {
    for (ix, n) in arena.nodes.iter().enumerate() {
        if !n.is_element()
            || matches!(
                n.tag.as_str(),
                "meta" | "link" | "script" | "style" | "body" | "html"
            )
        {
            continue;
        }
        let c = format!(
            "{} {}",
            n.attr("class").unwrap_or(""),
            n.attr("id").unwrap_or("")
        )
        .to_ascii_lowercase();
        let hit = c
            .split(|ch: char| !ch.is_alphanumeric())
            .any(|w| matches!(w, "author" | "byline" | "authorname" | "writer"))
            || c.contains("author-name")
            || c.contains("byline__name");
        if !hit || ancestor_has_word(arena, ix, &["comment", "comments", "related"]) {
            continue;
        }
        let t = strip_by(&arena.text(ix));
        let words = t.split_whitespace().count();
        if (1..=5).contains(&words)
            && t.chars().count() <= 50
            && !t.chars().any(|c| c.is_ascii_digit())
        {
            return Some(t);
        }
    }
    None
}

/// `/2025/09/04/` or `2025-09-04` in the URL path (news CMS permalinks).
fn url_date(u: &Url) -> Option<ArticleTime> {
    let segs: Vec<&str> = u.path_segments()?.collect();
    for w in segs.windows(3) {
        if let [y, mo, d] = w
            && y.len() == 4
            && (1..=2).contains(&mo.len())
            && (1..=2).contains(&d.len())
            && [y, mo, d]
                .iter()
                .all(|x| x.chars().all(|c| c.is_ascii_digit()))
            && let Some(t) = parse_date(&format!("{y}-{mo:0>2}-{d:0>2}"))
        {
            return Some(t);
        }
    }
    segs.iter().find_map(|s| {
        let b = s.as_bytes();
        (0..b.len().saturating_sub(9)).find_map(|i| {
            let cand = s.get(i..i + 10)?;
            let cb = cand.as_bytes();
            let shape = cb.iter().enumerate().all(|(k, c)| {
                if k == 4 || k == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
            if shape && (i == 0 || !b.get(i - 1).is_some_and(u8::is_ascii_digit)) {
                parse_date(cand)
            } else {
                None
            }
        })
    })
}

/// The first short text on the page that is a full date ("December 19, 2025").
fn text_date(arena: &Arena) -> Option<ArticleTime> {
    let body = arena.find_tag(0, "body")?;
    let mut seen = 0;
    let mut stack = vec![body];
    while let Some(ix) = stack.pop() {
        let Some(n) = arena.get(ix) else { continue };
        match n.kind {
            Kind::Text => {
                let t = n.text.trim();
                if (8..=60).contains(&t.len())
                    && t.chars().any(|c| c.is_ascii_digit())
                    && let Some(d) = parse_date(t)
                {
                    return Some(d);
                }
                seen += 1;
                if seen > 3000 {
                    return None;
                }
            }
            Kind::Element => {
                if matches!(
                    n.tag.as_str(),
                    "script"
                        | "style"
                        | "noscript"
                        | "template"
                        | "footer"
                        | "nav"
                        | "aside"
                        | "select"
                ) {
                    continue;
                }
                stack.extend(n.children.iter().rev());
            }
        }
    }
    None
}

/// A date in a byline-ish element when no metadata gave one.
fn byline_date(arena: &Arena) -> Option<ArticleTime> {
    for (ix, n) in arena.nodes.iter().enumerate() {
        if !n.is_element() || matches!(n.tag.as_str(), "script" | "style" | "body" | "html") {
            continue;
        }
        let c = format!(
            "{} {}",
            n.attr("class").unwrap_or(""),
            n.attr("id").unwrap_or("")
        )
        .to_ascii_lowercase();
        if !(c.contains("date")
            || c.contains("time")
            || c.contains("byline")
            || c.contains("posted")
            || c.contains("meta"))
        {
            continue;
        }
        let t = arena.text(ix);
        if t.chars().count() > 80 {
            continue;
        }
        if let Some(d) = parse_date(&t) {
            return Some(d);
        }
    }
    None
}

fn dedup_clean(v: Vec<String>, max: usize, max_len: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        let s = collapse_ws(&decode_entities(&s));
        if s.is_empty() || s.chars().count() > max_len {
            continue;
        }
        if !out.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
            out.push(s);
        }
        if out.len() >= max {
            break;
        }
    }
    out
}

/// Decodes entities that survive double-escaping in meta values and JSON-LD.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i + 2..).unwrap_or("");
        let end = tail.find(';').filter(|&e| e <= 8);
        let decoded = end.and_then(|e| {
            let num = tail.get(..e)?;
            let v = match num.strip_prefix(['x', 'X']) {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(v).filter(|c| !c.is_control())
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = tail.get(e + 1..).unwrap_or("");
            }
            _ => {
                out.push_str("&#");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#8217;", "’")
        .replace("&#8216;", "‘")
        .replace("&#8220;", "“")
        .replace("&#8221;", "”")
        .replace("&#8211;", "–")
        .replace("&#8212;", "—")
        .replace("&nbsp;", " ")
        .replace("&bull;", "•")
        .replace("&hellip;", "…")
        .replace("&ndash;", "–")
        .replace("&mdash;", "—")
        .replace("&rsquo;", "’")
        .replace("&lsquo;", "‘")
        .replace("&ldquo;", "“")
        .replace("&rdquo;", "”")
}
