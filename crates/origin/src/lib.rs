//! A local origin server that plays the web for tests and benchmarks: news
//! sites built from a news corpus (our fixture corpus by default, the real
//! corpora when named; feeds + article pages with realistic chrome,
//! some articles syndicated to a second site), the feed test suites, WCXB pages,
//! hostile servers (slow drip, endless bodies, redirect loops, error
//! statuses, malformed XML, lying charsets, gzip bombs, huge feeds), and news
//! article pages with their expected text (`news_pages`, at `/newsroom/`).
//! Everything listens on 127.0.0.1 only.

#![allow(clippy::indexing_slicing)] // test infrastructure; inputs are our own

pub mod hostile;
pub mod news_pages;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One article from the corpora, placed on a site.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: usize,
    pub site: usize,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub published: String,
    pub author: String,
    /// Also published (with other chrome) by this second site.
    pub syndicated_to: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct OriginConfig {
    /// JSON Lines corpora (`*.jsonl.gz` or plain `*.jsonl`, see ../shared/data/news),
    /// read in order. Empty: the fixture corpus, `fixtures/news.jsonl`.
    pub corpora: Vec<PathBuf>,
    pub articles: usize,
    pub sites: usize,
    /// Every n-th article is also republished by the next site (0: never).
    pub syndicate_every: usize,
    /// Directory with the unpacked feed suites and WCXB pages, if any.
    pub files_dir: Option<PathBuf>,
    pub robots_txt: String,
    /// Generated articles instead of the corpora (tests that must run
    /// without ../shared/data).
    pub synthetic: bool,
    /// When the corpora hold fewer than `articles`, generated articles make
    /// up the rest (volume tests on the small fixture corpus).
    pub fill_synthetic: bool,
}

impl OriginConfig {
    pub fn new(corpora: Vec<PathBuf>, articles: usize, sites: usize) -> Self {
        OriginConfig {
            corpora,
            articles,
            sites: sites.max(1),
            syndicate_every: 0,
            files_dir: None,
            robots_txt: "User-agent: *\nDisallow: /private/\n".into(),
            synthetic: false,
            fill_synthetic: false,
        }
    }
}

pub struct OriginState {
    pub articles: Vec<Article>,
    pub sites: usize,
    pub files_dir: Option<PathBuf>,
    pub robots_txt: String,
    /// Requests per path (with query), for "fetched exactly once" checks.
    pub hits: Mutex<HashMap<String, u64>>,
    /// Per-site feed overrides: a site's feed can be switched to another state.
    pub feed_status: Mutex<HashMap<usize, u16>>,
}

impl OriginState {
    /// A state with no articles (pages rendered outside a site).
    pub fn empty() -> OriginState {
        OriginState {
            articles: Vec::new(),
            sites: 1,
            files_dir: None,
            robots_txt: String::new(),
            hits: Mutex::new(HashMap::new()),
            feed_status: Mutex::new(HashMap::new()),
        }
    }
}

pub struct Origin {
    pub addr: SocketAddr,
    pub state: Arc<OriginState>,
}

impl Origin {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
    pub fn feed_url(&self, site: usize) -> String {
        self.url(&format!("/s{site}/feed.xml"))
    }
    pub fn article_url(&self, a: &Article) -> String {
        self.url(&article_path(a.site, a.id))
    }
    pub fn hits(&self, path: &str) -> u64 {
        self.state
            .hits
            .lock()
            .map(|h| h.get(path).copied().unwrap_or(0))
            .unwrap_or(0)
    }
    pub fn total_hits_with_prefix(&self, prefix: &str) -> u64 {
        self.state
            .hits
            .lock()
            .map(|h| {
                h.iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .map(|(_, v)| *v)
                    .sum()
            })
            .unwrap_or(0)
    }
    pub fn all_hits(&self) -> HashMap<String, u64> {
        self.state
            .hits
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default()
    }
}

pub fn article_path(site: usize, id: usize) -> String {
    format!("/s{site}/news/{id}-story.html")
}

/// The fixture corpus (our own articles, Apache-2.0): what the sites serve
/// when no corpus is named.
pub const FIXTURE_NEWS: &str = include_str!("../fixtures/news.jsonl");

/// Load articles from the corpora: their titles and bodies, spread over sites.
pub fn load_articles(cfg: &OriginConfig) -> anyhow::Result<Vec<Article>> {
    if cfg.synthetic {
        return Ok((0..cfg.articles)
            .map(|id| hostile::synthetic_article(id, id % cfg.sites))
            .collect());
    }
    let mut readers: Vec<Box<dyn BufRead>> = Vec::new();
    for path in &cfg.corpora {
        let f = std::fs::File::open(path)
            .map_err(|e| anyhow::anyhow!("corpus {}: {e}", path.display()))?;
        readers.push(if path.extension().is_some_and(|x| x == "gz") {
            Box::new(BufReader::new(flate2::read::GzDecoder::new(f)))
        } else {
            Box::new(BufReader::new(f))
        });
    }
    if readers.is_empty() {
        readers.push(Box::new(FIXTURE_NEWS.as_bytes()));
    }
    let mut out = Vec::with_capacity(cfg.articles);
    'outer: for r in readers {
        for line in r.lines() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value = serde_json::from_str(&line)?;
            let title = v["title"].as_str().unwrap_or("").trim().to_string();
            let body = v["body"].as_str().unwrap_or("");
            let paragraphs = split_paragraphs(body);
            let words: usize = paragraphs
                .iter()
                .map(|p| p.split_whitespace().count())
                .sum();
            if title.len() < 10 || words < 80 {
                continue;
            }
            let id = out.len();
            let site = id % cfg.sites;
            let title = if title.chars().filter(|c| c.is_uppercase()).count() * 2 > title.len() {
                title_case(&title)
            } else {
                title
            };
            out.push(Article {
                id,
                site,
                title,
                paragraphs,
                published: v["published"]
                    .as_str()
                    .unwrap_or("2026-11-01T00:00:00Z")
                    .to_string(),
                author: AUTHORS[id % AUTHORS.len()].to_string(),
                syndicated_to: (cfg.syndicate_every > 0
                    && id % cfg.syndicate_every == 0
                    && cfg.sites > 1)
                    .then_some((site + 1) % cfg.sites),
            });
            if out.len() >= cfg.articles {
                break 'outer;
            }
        }
    }
    while cfg.fill_synthetic && out.len() < cfg.articles {
        let id = out.len();
        out.push(hostile::synthetic_article(id, id % cfg.sites));
    }
    Ok(out)
}

pub(crate) const AUTHORS: [&str; 6] = [
    "Maria Keller",
    "James Okafor",
    "Lena Novak",
    "Tom Hughes",
    "Aiko Tanaka",
    "Priya Raman",
];

fn split_paragraphs(body: &str) -> Vec<String> {
    let paras: Vec<String> = body
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    if paras.len() > 1 {
        return paras;
    }
    // One long block (NewsArticles): break it into paragraphs of ~3 sentences.
    let text = paras.into_iter().next().unwrap_or_default();
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut sentences = 0;
    for word in text.split(' ') {
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
        if word.ends_with('.') || word.ends_with('?') || word.ends_with('!') {
            sentences += 1;
            if sentences >= 3 {
                out.push(std::mem::take(&mut cur));
                sentences = 0;
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Start the origin on 127.0.0.1 (port 0 picks a free port).
pub async fn start(cfg: OriginConfig, port: u16) -> anyhow::Result<Origin> {
    let articles = load_articles(&cfg)?;
    let state = Arc::new(OriginState {
        articles,
        sites: cfg.sites,
        files_dir: cfg.files_dir.clone(),
        robots_txt: cfg.robots_txt.clone(),
        hits: Mutex::new(HashMap::new()),
        feed_status: Mutex::new(HashMap::new()),
    });
    let app = router(state.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Origin { addr, state })
}

fn router(state: Arc<OriginState>) -> Router {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/{site}/feed.xml", get(site_feed))
        .route("/{site}/news/{page}", get(article_page))
        .route("/{site}/sitemap.xml", get(site_sitemap))
        .route("/{site}/", get(site_home))
        .route("/files/{*path}", get(file))
        .route("/hostile/slow", get(slow))
        .route("/hostile/endless", get(endless))
        .route("/hostile/loop/{n}", get(redirect_loop))
        .route("/hostile/chain/{n}", get(redirect_chain))
        .route("/hostile/redirect", get(redirect_to))
        .route("/hostile/status/{code}", get(status))
        .route("/hostile/malformed.xml", get(malformed))
        .route("/hostile/lying-charset", get(lying_charset))
        .route("/hostile/lying-charset-feed.xml", get(lying_charset_feed))
        .route("/hostile/gzip-bomb", get(gzip_bomb))
        .route("/hostile/huge-feed.xml", get(huge_feed))
        .route("/hostile/binary", get(binary))
        .route("/hostile/mixed-feed.xml", get(mixed_feed))
        .route("/img/{name}", get(image))
        .route("/hostile/empty", get(empty))
        .route("/private/secret", get(|| async { "secret" }))
        .route("/newsroom/", get(news_pages::index))
        .route("/newsroom/{slug}", get(news_pages::serve))
        .merge(hostile::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_hits,
        ))
        .with_state(state)
}

async fn count_hits(
    State(s): State<Arc<OriginState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let key = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    if let Ok(mut h) = s.hits.lock() {
        *h.entry(key).or_insert(0) += 1;
    }
    next.run(req).await
}

fn site_index(s: &str) -> Option<usize> {
    s.strip_prefix('s')?.parse().ok()
}

async fn robots(State(s): State<Arc<OriginState>>) -> String {
    s.robots_txt.clone()
}

/// Articles of a site, newest first by corpus order (the corpus id).
fn site_articles(s: &OriginState, site: usize) -> Vec<&Article> {
    let mut v: Vec<&Article> = s
        .articles
        .iter()
        .filter(|a| a.site == site || a.syndicated_to == Some(site))
        .collect();
    v.reverse();
    v
}

async fn site_feed(
    State(s): State<Arc<OriginState>>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(site) = site_index(&site).filter(|i| *i < s.sites) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(code) = s
        .feed_status
        .lock()
        .ok()
        .and_then(|m| m.get(&site).copied())
    {
        let mut r = StatusCode::from_u16(code)
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response();
        if code == 429 || code == 503 {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
        }
        return r;
    }
    let items = site_articles(&s, site);
    let etag = format!("\"s{site}-{}\"", items.len());
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mut x = String::with_capacity(items.len() * 600);
    x.push_str(&format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Site {site} News</title><link>/s{site}/</link><description>News from site {site}</description><language>en</language>\n"
    ));
    for a in items {
        let path = article_path(site, a.id);
        let lead = a.paragraphs.first().map(String::as_str).unwrap_or("");
        x.push_str(&format!(
            "<item><title>{}</title><link>{path}?utm_source=rss&amp;utm_medium=feed</link><guid isPermaLink=\"false\">s{site}-a{}</guid><description>{}</description><author>{}</author><category>News</category><pubDate>{}</pubDate></item>\n",
            escape(&a.title),
            a.id,
            escape(lead),
            escape(&a.author),
            rfc2822(&a.published)
        ));
    }
    x.push_str("</channel></rss>\n");
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
            (header::ETAG, etag.as_str()),
        ],
        x,
    )
        .into_response()
}

pub(crate) fn rfc2822(rfc3339: &str) -> String {
    // "2016-04-19T00:00:00Z" -> "Tue, 19 Apr 2016 00:00:00 +0000" (weekday computed).
    let d = rfc3339.get(..10).unwrap_or("2026-11-01");
    let t = rfc3339.get(11..19).unwrap_or("00:00:00");
    let parts: Vec<i64> = d.split('-').filter_map(|p| p.parse().ok()).collect();
    let (y, m, day) = (
        parts.first().copied().unwrap_or(2026),
        parts.get(1).copied().unwrap_or(11),
        parts.get(2).copied().unwrap_or(1),
    );
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    // Sakamoto's day-of-week algorithm.
    let tbl = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let yy = if m < 3 { y - 1 } else { y };
    let dow = (yy + yy / 4 - yy / 100 + yy / 400 + tbl[((m - 1).clamp(0, 11)) as usize] + day) % 7;
    format!(
        "{}, {:02} {} {} {} +0000",
        days[dow as usize],
        day,
        months[((m - 1).clamp(0, 11)) as usize],
        y,
        t
    )
}

async fn site_sitemap(State(s): State<Arc<OriginState>>, Path(site): Path<String>) -> Response {
    let Some(site) = site_index(&site).filter(|i| *i < s.sites) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n",
    );
    for a in site_articles(&s, site) {
        x.push_str(&format!(
            "<url><loc>{}</loc><news:news><news:publication><news:name>Site {site}</news:name><news:language>en</news:language></news:publication><news:publication_date>{}</news:publication_date><news:title>{}</news:title></news:news></url>\n",
            article_path(site, a.id),
            a.published,
            escape(&a.title)
        ));
    }
    x.push_str("</urlset>\n");
    ([(header::CONTENT_TYPE, "application/xml")], x).into_response()
}

async fn site_home(State(s): State<Arc<OriginState>>, Path(site): Path<String>) -> Response {
    let Some(site) = site_index(&site).filter(|i| *i < s.sites) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Site {site} News</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Site {site} RSS\" href=\"/s{site}/feed.xml\">\
         <link rel=\"alternate\" type=\"application/atom+xml\" title=\"Comments\" href=\"/s{site}/comments.xml\">\
         </head><body><h1>Site {site} News</h1><p>Welcome.</p></body></html>"
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

async fn article_page(
    State(s): State<Arc<OriginState>>,
    Path((site, page)): Path<(String, String)>,
) -> Response {
    let Some(site) = site_index(&site) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let id: Option<usize> = page.split('-').next().and_then(|p| p.parse().ok());
    let Some(a) = id
        .and_then(|i| s.articles.get(i))
        .filter(|a| a.site == site || a.syndicated_to == Some(site))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let html = render_article(a, site, &s);
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// A page with the chrome real news sites have: navigation, share bar, a CSS
/// block, scripts, a newsletter box, related links and a footer around the story.
pub fn render_article(a: &Article, site: usize, s: &OriginState) -> String {
    let path = article_path(site, a.id);
    let copy = site != a.site;
    let mut body = String::new();
    // Some stories link to an earlier story of the same site inside their text,
    // the way "READ MORE: ..." links appear in real articles.
    let earlier = (a.id % 5 == 2)
        .then(|| {
            s.articles
                .iter()
                .rev()
                .find(|o| o.site == site && o.id < a.id)
        })
        .flatten();
    for (i, p) in a.paragraphs.iter().enumerate() {
        match (i, earlier) {
            (1, Some(o)) => body.push_str(&format!(
                "<p>{} READ MORE: <a href=\"{}\">{}</a></p>\n",
                escape(p),
                article_path(site, o.id),
                escape(&o.title)
            )),
            _ => body.push_str(&format!("<p>{}</p>\n", escape(p))),
        }
        if i == 1 {
            body.push_str("<div class=\"ad-slot\" id=\"ad-1\">Advertisement</div>\n<style>.mediaplayer { min-height: 150px; } .jwplayer .jw-controls { display: none; }</style>\n");
            body.push_str(&inline_images(a));
        }
    }
    let related: String = s
        .articles
        .iter()
        .filter(|o| o.site == site && o.id != a.id)
        .take(4)
        .map(|o| {
            format!(
                "<li><a href=\"{}\">{}</a></li>",
                article_path(site, o.id),
                escape(&o.title)
            )
        })
        .collect();
    let lead_in = if copy {
        format!(
            "<p class=\"syndication\">This story was originally published by Site {}.</p>",
            a.site
        )
    } else {
        String::new()
    };
    let json_ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "datePublished": a.published,
        "author": [{"@type": "Person", "name": a.author}],
        "publisher": {"@type": "Organization", "name": format!("Site {site} News")},
    });
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | Site {site} News</title>
<link rel="canonical" href="{path}">
<meta property="og:title" content="{title}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Site {site} News">
<meta name="author" content="{author}">
<meta property="og:image" content="{image}">
<meta property="article:published_time" content="{published}">
<script type="application/ld+json">{json_ld}</script>
<style>body {{ font-family: sans-serif; }} .nav a {{ margin: 0 4px; }}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head><body>
<header><nav class="nav"><a href="/s{site}/">Home</a><a href="/s{site}/world">World</a><a href="/s{site}/business">Business</a><a href="/s{site}/sport">Sport</a></nav></header>
<div class="share-bar"><a href="https://twitter.com/share">Share on Twitter</a> <a href="https://facebook.com/share">Facebook</a></div>
<main><article>
<h1>{title}</h1>
<p class="byline">By <span class="author">{author}</span> · <time datetime="{published}">{published}</time></p>
{lead_in}
<div class="article-body">
{body}</div>
</article>
<aside class="newsletter"><h3>Get our newsletter</h3><form><input type="email" placeholder="Email"><button>Subscribe</button></form></aside>
<section class="related"><h3>Read more</h3><ul>{related}</ul></section>
<section id="comments"><h3>Comments</h3><p>No comments yet...</p></section>
</main>
<footer><p>© 2026 Site {site} News. All rights reserved.</p><a href="/s{site}/privacy">Privacy</a></footer>
<script src="/static/app.js"></script>
</body></html>"#,
        title = escape(&a.title),
        author = escape(&a.author),
        published = escape(&a.published),
        image = match a.id % 10 {
            // Every tenth lead image is broken, one in ten more is absurdly large.
            3 => "/img/broken.png".to_string(),
            7 => "/img/huge.png".to_string(),
            _ => format!("/img/{}.png", a.id),
        },
    )
}

/// The images inside an article's text, the ways news sites write them: a
/// figure with a caption, a lazy-loaded image (placeholder `src`, real one in
/// `data-src`), a `<picture>` with a WebP source, a `<noscript>` copy, a
/// tracking pixel and a share icon.
fn inline_images(a: &Article) -> String {
    let id = a.id;
    let mut out = format!(
        "<figure class=\"inline\"><img src=\"/img/{id}-1.png\" width=\"640\" height=\"360\" alt=\"Scene of the story {id}\"><figcaption>A picture from story {id}. Photo: Site agency</figcaption></figure>\n"
    );
    match id % 3 {
        0 => out.push_str(&format!(
            "<figure><img class=\"lazy\" src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\" data-src=\"/img/{id}-2.png\" alt=\"A chart for story {id}\"><noscript><img src=\"/img/{id}-2.png\" alt=\"A chart for story {id}\"></noscript></figure>\n"
        )),
        1 => out.push_str(&format!(
            "<figure><picture><source type=\"image/webp\" srcset=\"/img/{id}-3.png 640w\"><img src=\"/img/{id}-3.png\" alt=\"A map for story {id}\"></picture><figcaption>Map of the area.</figcaption></figure>\n"
        )),
        _ => {}
    }
    out.push_str("<img src=\"/img/pixel.gif\" width=\"1\" height=\"1\" alt=\"\">\n<p class=\"share\"><a href=\"/share\"><img src=\"/img/icon.svg\" width=\"16\" height=\"16\" alt=\"Share\"></a></p>\n");
    out
}

async fn file(State(s): State<Arc<OriginState>>, Path(path): Path<String>) -> Response {
    let Some(dir) = &s.files_dir else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if path.contains("..") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let full: PathBuf = FsPath::new(dir).join(&path);
    match tokio::fs::read(&full).await {
        Ok(bytes) => {
            let ct = if path.ends_with(".html") {
                "text/html"
            } else if path.ends_with(".json") {
                "application/json"
            } else {
                "application/xml"
            };
            ([(header::CONTENT_TYPE, ct)], bytes).into_response()
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// One byte per second, forever-ish: only a total timeout stops it.
async fn slow() -> Response {
    let stream = async_stream(|i| async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        (i < 3600).then(|| vec![b'<'])
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/rss+xml")
        .body(stream)
        .unwrap_or_default()
}

/// An endless body at full speed: only a body cap stops it.
async fn endless() -> Response {
    let stream = async_stream(|_| async move { Some(vec![b'a'; 64 * 1024]) });
    Response::builder()
        .header(header::CONTENT_TYPE, "text/html")
        .body(stream)
        .unwrap_or_default()
}

fn async_stream<F, Fut>(f: F) -> Body
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<Vec<u8>>> + Send,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    tokio::spawn(async move {
        let mut i = 0u64;
        while let Some(chunk) = f(i).await {
            if tx.send(Ok(chunk)).await.is_err() {
                break;
            }
            i += 1;
        }
    });
    Body::from_stream(ReceiverStream(rx))
}

struct ReceiverStream(tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>);

impl futures_core_stream::Stream for ReceiverStream {
    type Item = Result<Vec<u8>, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

mod futures_core_stream {
    pub use futures_core::Stream;
}

async fn redirect_loop(Path(n): Path<u32>) -> Response {
    let next = (n + 1) % 2;
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("/hostile/loop/{next}"))],
    )
        .into_response()
}

async fn redirect_chain(Path(n): Path<u32>) -> Response {
    if n == 0 {
        return ([(header::CONTENT_TYPE, "text/plain")], "end of chain").into_response();
    }
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, format!("/hostile/chain/{}", n - 1))],
    )
        .into_response()
}

async fn redirect_to(Query(q): Query<HashMap<String, String>>) -> Response {
    let to = q.get("url").cloned().unwrap_or_else(|| "/".into());
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn status(Path(code): Path<u16>) -> Response {
    let mut r = (
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        format!("status {code}"),
    )
        .into_response();
    if code == 429 || code == 503 {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
    }
    r
}

async fn malformed() -> Response {
    ([(header::CONTENT_TYPE, "application/rss+xml")], "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Broken</title><item><title>Unclosed & bad</title><link>/x</item></channel>").into_response()
}

/// Says UTF-8 in both header and meta, sends windows-1252 bytes.
async fn lying_charset() -> Response {
    let mut html = b"<!doctype html><html><head><meta charset=\"utf-8\"><title>Caf\xe9 society</title></head><body><article><h1>Caf\xe9 society</h1>".to_vec();
    for _ in 0..6 {
        html.extend_from_slice(b"<p>The caf\xe9 on the corner serves cr\xe8me br\xfbl\xe9e to na\xefve tourists and regulars alike, every single day of the week.</p>");
    }
    html.extend_from_slice(b"</article></body></html>");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

async fn lying_charset_feed(State(s): State<Arc<OriginState>>) -> Response {
    let mut x = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Caf\xe9 news</title>".to_vec();
    if let Some(a) = s.articles.first() {
        x.extend_from_slice(
            format!(
                "<item><title>{}</title><link>{}</link></item>",
                escape(&a.title),
                article_path(a.site, a.id)
            )
            .as_bytes(),
        );
    }
    x.extend_from_slice(
        b"<item><title>Cr\xe8me</title><link>/hostile/lying-charset</link></item></channel></rss>",
    );
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        x,
    )
        .into_response()
}

/// 64 MiB of spaces, gzip-compressed to ~64 KB, sent with Content-Encoding: gzip.
async fn gzip_bomb() -> Response {
    static BOMB: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let bytes = BOMB
        .get_or_init(|| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let chunk = vec![b' '; 1 << 20];
            let _ = gz.write_all(b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>");
            for _ in 0..64 {
                let _ = gz.write_all(&chunk);
            }
            gz.finish().unwrap_or_default()
        })
        .clone();
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml"),
            (header::CONTENT_ENCODING, "gzip"),
        ],
        bytes,
    )
        .into_response()
}

/// A 50 MB feed, streamed.
async fn huge_feed() -> Response {
    let stream = async_stream(|i| async move {
        if i == 0 {
            return Some(
                b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Huge</title>"
                    .to_vec(),
            );
        }
        if i > 50 * 16 {
            return None;
        }
        let mut chunk = Vec::with_capacity(64 * 1024);
        while chunk.len() < 64 * 1024 - 200 {
            chunk.extend_from_slice(
                format!("<item><title>Item {i}</title><link>http://127.0.0.1/x/{i}</link></item>")
                    .as_bytes(),
            );
        }
        Some(chunk)
    });
    Response::builder()
        .header(header::CONTENT_TYPE, "application/rss+xml")
        .body(stream)
        .unwrap_or_default()
}

async fn binary() -> Response {
    let bytes: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    ([(header::CONTENT_TYPE, "text/html")], bytes).into_response()
}

async fn empty() -> Response {
    ([(header::CONTENT_TYPE, "application/rss+xml")], "").into_response()
}

/// A feed whose items point at good and bad pages: the crawler must store what
/// it can (from the feed when the page fails) and keep going.
async fn mixed_feed(State(s): State<Arc<OriginState>>) -> Response {
    let good = s
        .articles
        .first()
        .map(|a| article_path(a.site, a.id))
        .unwrap_or_default();
    let items = [
        (good.as_str(), "A good story", ""),
        (
            "/hostile/status/404",
            "Gone missing",
            "<p>This story's page is gone, but the feed carries its text: the council met on Tuesday and agreed the new budget after a long debate about schools, roads and the library.</p>",
        ),
        ("/hostile/lying-charset", "Caf\u{e9} society", ""),
        (
            "/hostile/endless",
            "Endless page",
            "<p>The page never ends, yet this summary is here.</p>",
        ),
        (
            "/hostile/loop/0",
            "Loop page",
            "<p>A page that redirects forever; the feed summary stands in for it.</p>",
        ),
        (
            "/hostile/binary",
            "Binary page",
            "<p>Not a web page at all; the feed summary stands in for it.</p>",
        ),
    ];
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Mixed</title>",
    );
    for (i, (link, title, desc)) in items.iter().enumerate() {
        x.push_str(&format!(
            "<item><guid>mixed-{i}</guid><title>{}</title><link>{link}</link><description>{}</description></item>",
            escape(title),
            escape(desc)
        ));
    }
    x.push_str("</channel></rss>");
    (
        [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        x,
    )
        .into_response()
}

/// Lead images, drawn on the fly: `/img/<n>.png` is a 800x450 picture; `broken.png`
/// is not an image; `huge.png` claims 100,000 x 100,000 pixels.
async fn image(Path(name): Path<String>) -> Response {
    let png = match name.as_str() {
        "broken.png" => b"\x89PNG\r\n\x1a\nthis is not really an image".to_vec(),
        "huge.png" => {
            let mut p = make_png(4, 4, 0);
            p[16..20].copy_from_slice(&100_000u32.to_be_bytes());
            p[20..24].copy_from_slice(&100_000u32.to_be_bytes());
            p
        }
        "pixel.gif" => {
            return (
                [(header::CONTENT_TYPE, "image/gif")],
                b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec(),
            )
                .into_response();
        }
        "icon.svg" => {
            return (
                [(header::CONTENT_TYPE, "image/svg+xml")],
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"7\"/></svg>",
            )
                .into_response();
        }
        n => {
            let stem = n.strip_suffix(".png").unwrap_or_default();
            match stem.split_once('-') {
                // Inline images of article `i`: `/img/{i}-{k}.png`.
                Some((i, k)) => match (i.parse::<u32>(), k.parse::<u32>()) {
                    (Ok(i), Ok(k)) => make_png(640, 360, i.wrapping_mul(7).wrapping_add(k)),
                    _ => return StatusCode::NOT_FOUND.into_response(),
                },
                None => match stem.parse::<u32>() {
                    Ok(i) => make_png(800, 450, i),
                    Err(_) => return StatusCode::NOT_FOUND.into_response(),
                },
            }
        }
    };
    ([(header::CONTENT_TYPE, "image/png")], png).into_response()
}

/// A minimal truecolour PNG (IHDR, one zlib IDAT, IEND).
pub fn make_png(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            raw.push(((x * 255 / w.max(1)) ^ seed) as u8);
            raw.push(((y * 255 / h.max(1)) + seed * 37) as u8);
            raw.push((seed * 91 % 256) as u8);
        }
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = z.write_all(&raw);
    let idat = z.finish().unwrap_or_default();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunks(&[(b"IHDR", ihdr), (b"IDAT", idat), (b"IEND", Vec::new())])
}

/// A PNG file of these chunks (the signature, then each with its checksum).
pub(crate) fn png_chunks(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in chunks {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(data);
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

/// The PNG chunk checksum. (A bitwise loop here cost the origin ~2 ms of
/// CPU per 290 KB image, taken from the crawler it shares the cores with.)
fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}
