//! The hostile publisher: everything a security review threw at a running
//! Tidings, served from 127.0.0.1, with synthetic articles (no corpora needed,
//! so the default test suite can run it from a bare clone).
//!
//! - robots.txt bombs: several origins (one port each, so each is its own
//!   robots.txt origin) whose ~500 KB robots.txt is nothing but
//!   `Disallow: /pN*q$` rules; each also has a small feed that must still be
//!   crawled.
//! - a title bomb: a feed whose first item's title is 4.8 MB of
//!   `<style></style>` (escaped, as a feed carries markup in a title).
//! - an image bomb: an article whose lead image is a small PNG that decodes to
//!   320 MB (16-bit RGBA, 8000 x 5000).
//! - comment bombs: [`comment_bomb`] is an address followed by thousands of `)`.
//!
//! Start it with [`start_hostile`]; the good site beside the attacks is a
//! normal origin site (`/s0/feed.xml`) of synthetic articles.

use crate::{Article, OriginConfig, escape, render_article};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

/// Where the attacks are served.
pub struct HostilePublisher {
    /// The main origin: the good site (`/s0/feed.xml`), `/hostile/title-bomb.xml`,
    /// `/hostile/image-bomb.xml`.
    pub origin: crate::Origin,
    /// Origins whose robots.txt is a bomb; each serves `/feed.xml`.
    pub robots_origins: Vec<SocketAddr>,
}

impl HostilePublisher {
    pub fn good_feed(&self) -> String {
        self.origin.feed_url(0)
    }
    pub fn title_bomb_feed(&self) -> String {
        self.origin.url("/hostile/title-bomb.xml")
    }
    pub fn image_bomb_feed(&self) -> String {
        self.origin.url("/hostile/image-bomb.xml")
    }
    pub fn robots_feeds(&self) -> Vec<String> {
        self.robots_origins
            .iter()
            .map(|a| format!("http://{a}/feed.xml"))
            .collect()
    }
    /// The good site's article URLs, which must all arrive.
    pub fn good_article_urls(&self) -> Vec<String> {
        self.origin
            .state
            .articles
            .iter()
            .map(|a| self.origin.article_url(a))
            .collect()
    }
}

/// Start the hostile publisher: a good site of `good_articles` synthetic
/// articles beside the attacks, and `robots_bombs` robots.txt-bomb origins.
pub async fn start_hostile(
    good_articles: usize,
    robots_bombs: usize,
) -> anyhow::Result<HostilePublisher> {
    let mut cfg = OriginConfig::new(Vec::new(), good_articles, 1);
    cfg.synthetic = true;
    let origin = crate::start(cfg, 0).await?;
    let mut robots_origins = Vec::new();
    for n in 0..robots_bombs {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        robots_origins.push(listener.local_addr()?);
        let app = robots_bomb_router(n);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
    }
    Ok(HostilePublisher {
        origin,
        robots_origins,
    })
}

/// The routes of the main origin that carry attacks (merged into its router).
pub(crate) fn routes() -> Router<Arc<crate::OriginState>> {
    Router::new()
        .route("/hostile/title-bomb.xml", get(title_bomb))
        .route("/hostile/image-bomb.xml", get(image_bomb_feed))
        .route("/hostile/image-bomb.html", get(image_bomb_page))
        .route("/img/deep16.png", get(deep_png))
}

/// Bytes of `<style></style>` in the title bomb's title (the review's 4.8 MB).
pub const TITLE_BOMB_BYTES: usize = 4_800_000;

/// A robots.txt of about `bytes` made of `Disallow: /pN*q$` rules: every rule
/// a wildcard with an end anchor, the shape that compiled to one regex each.
pub fn robots_bomb(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 64);
    out.push_str("User-agent: *\n");
    let mut n = 0u64;
    while out.len() < bytes {
        out.push_str(&format!("Disallow: /p{n}*q$\n"));
        n += 1;
    }
    out
}

/// A comment that made every render of its page slow: an address followed by
/// thousands of closing brackets (trimming recounted them on every step).
pub fn comment_bomb() -> String {
    format!("https://e.example/{}", ")".repeat(4980))
}

fn robots_bomb_router(n: usize) -> Router {
    Router::new()
        .route(
            "/robots.txt",
            get(|| async {
                static BOMB: OnceLock<String> = OnceLock::new();
                BOMB.get_or_init(|| robots_bomb(500_000)).clone()
            }),
        )
        .route(
            "/feed.xml",
            get(move || async move { rss(&robots_items(n), &format!("Robots origin {n}")) }),
        )
        .route(
            "/news/{page}",
            get(move |Path(page): Path<String>| async move {
                let id: usize = page
                    .split('.')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0);
                let a = robots_article(n, id);
                let state = crate::OriginState::empty();
                let html = render_article(&a, 0, &state)
                    .replace(&crate::article_path(0, a.id), &format!("/news/{id}.html"));
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html)
            }),
        )
}

/// Two articles per robots origin: the crawl of these origins must go on.
fn robots_items(n: usize) -> Vec<(String, String, String)> {
    (0..2)
        .map(|i| {
            let a = robots_article(n, i);
            (a.title.clone(), format!("/news/{i}.html"), a.published)
        })
        .collect()
}

fn robots_article(n: usize, i: usize) -> Article {
    let mut a = synthetic_article(10_000 + n * 10 + i, 0);
    a.title = format!("Robots origin {n} reports item {i}: {}", a.title);
    a
}

/// A small RSS document with items of (title, link, RFC 3339 date).
fn rss(items: &[(String, String, String)], title: &str) -> Response {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{}</title><link>/</link><description>d</description>\n",
        escape(title)
    );
    for (t, link, published) in items {
        x.push_str(&format!(
            "<item><title>{}</title><link>{link}</link><guid>{link}</guid><pubDate>{}</pubDate></item>\n",
            escape(t),
            crate::rfc2822(published)
        ));
    }
    x.push_str("</channel></rss>\n");
    ([(header::CONTENT_TYPE, "application/rss+xml")], x).into_response()
}

async fn title_bomb(State(s): State<Arc<crate::OriginState>>) -> Response {
    static FEED: OnceLock<String> = OnceLock::new();
    let feed = FEED.get_or_init(|| {
        let bomb = "&lt;style&gt;&lt;/style&gt;".repeat(TITLE_BOMB_BYTES / "<style></style>".len());
        let second = s
            .articles
            .first()
            .map(|a| (escape(&a.title), crate::article_path(a.site, a.id)))
            .unwrap_or_default();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Title bomb</title><link>/</link><description>d</description>\n\
             <item><title>{bomb}</title><link>/hostile/image-bomb.html?from=title</link><guid>bomb-1</guid></item>\n\
             <item><title>{}</title><link>{}?from=title-bomb</link><guid>bomb-2</guid></item>\n\
             </channel></rss>\n",
            second.0, second.1
        )
    });
    (
        [(header::CONTENT_TYPE, "application/rss+xml")],
        feed.clone(),
    )
        .into_response()
}

async fn image_bomb_feed() -> Response {
    rss(
        &[(
            "Image bomb: a photo that decodes to 320 MB".to_string(),
            "/hostile/image-bomb.html".to_string(),
            "2026-11-02T08:00:00Z".to_string(),
        )],
        "Image bomb",
    )
}

async fn image_bomb_page() -> Response {
    let mut a = synthetic_article(20_000, 0);
    a.title = "Image bomb: a photo that decodes to 320 MB".into();
    let html = render_article(&a, 0, &crate::OriginState::empty())
        .replace(&format!("/img/{}.png", a.id), "/img/deep16.png");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// 8000 x 5000 pixels of 16-bit RGBA: 320 MB decoded, ~300 KB on the wire.
async fn deep_png() -> Response {
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    let png = PNG.get_or_init(|| deep_png_bytes(8000, 5000));
    if png.is_empty() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, "image/png")], png.clone()).into_response()
}

/// A valid, highly compressible 16-bit RGBA PNG, built row by row so that
/// making it never holds the decoded image.
pub fn deep_png_bytes(w: u32, h: u32) -> Vec<u8> {
    let row = vec![0u8; 1 + w as usize * 8];
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..h {
        if z.write_all(&row).is_err() {
            return Vec::new();
        }
    }
    let Ok(idat) = z.finish() else {
        return Vec::new();
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    crate::png_chunks(&[(b"IHDR", ihdr), (b"IDAT", idat), (b"IEND", Vec::new())])
}

/// Words for synthetic news text: enough variety that no two articles look
/// like copies of each other to the near-duplicate check.
const WORDS: [&str; 120] = [
    "council",
    "minister",
    "budget",
    "river",
    "bridge",
    "election",
    "court",
    "ruling",
    "hospital",
    "school",
    "teachers",
    "union",
    "strike",
    "harbour",
    "airport",
    "runway",
    "farmers",
    "harvest",
    "drought",
    "flood",
    "storm",
    "police",
    "inquiry",
    "report",
    "contract",
    "company",
    "shares",
    "profit",
    "loss",
    "market",
    "energy",
    "prices",
    "wind",
    "solar",
    "grid",
    "railway",
    "station",
    "tunnel",
    "museum",
    "festival",
    "concert",
    "library",
    "mayor",
    "governor",
    "senate",
    "vote",
    "bill",
    "tax",
    "reform",
    "pension",
    "clinic",
    "vaccine",
    "study",
    "scientists",
    "university",
    "students",
    "league",
    "match",
    "coach",
    "stadium",
    "season",
    "record",
    "fans",
    "tickets",
    "housing",
    "rents",
    "tenants",
    "developer",
    "permit",
    "zoning",
    "traffic",
    "cyclists",
    "buses",
    "ferry",
    "coast",
    "fishermen",
    "quota",
    "border",
    "customs",
    "exports",
    "imports",
    "factory",
    "workers",
    "wages",
    "jobs",
    "startup",
    "investors",
    "bank",
    "loan",
    "interest",
    "inflation",
    "survey",
    "residents",
    "neighbours",
    "park",
    "trees",
    "water",
    "supply",
    "pipes",
    "repairs",
    "engineers",
    "design",
    "plan",
    "delay",
    "cost",
    "funding",
    "grant",
    "charity",
    "volunteers",
    "archive",
    "letters",
    "history",
    "anniversary",
    "ceremony",
    "award",
    "judge",
    "appeal",
    "evidence",
    "witness",
    "lawyers",
];

const LINKS: [&str; 12] = [
    "said",
    "told",
    "announced",
    "approved",
    "rejected",
    "questioned",
    "expected",
    "warned",
    "confirmed",
    "proposed",
    "delayed",
    "welcomed",
];

/// A deterministic synthetic article (number `id`, on `site`).
pub fn synthetic_article(id: usize, site: usize) -> Article {
    // xorshift: deterministic, no dependency.
    let mut x = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    let mut sentence = |words: usize| {
        let mut s = String::new();
        for k in 0..words {
            let w = if k % 4 == 2 {
                LINKS[next(LINKS.len())]
            } else {
                WORDS[next(WORDS.len())]
            };
            if k == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        s.push('.');
        s
    };
    let title = {
        let t = sentence(7);
        t.trim_end_matches('.').to_string()
    };
    let paragraphs = (0..5)
        .map(|_| (0..3).map(|_| sentence(12)).collect::<Vec<_>>().join(" "))
        .collect();
    Article {
        id,
        site,
        title: format!("{title} ({id})"),
        paragraphs,
        published: format!("2026-11-{:02}T{:02}:00:00Z", 1 + id % 28, id % 24),
        author: crate::AUTHORS[id % crate::AUTHORS.len()].to_string(),
        syndicated_to: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bombs_are_what_they_say() {
        let r = robots_bomb(500_000);
        assert!(r.len() >= 500_000 && r.len() < 500_100);
        assert!(
            r.lines()
                .skip(1)
                .all(|l| l.starts_with("Disallow: /p") && l.ends_with("*q$"))
        );
        let c = comment_bomb();
        assert_eq!(c.matches(')').count(), 4980);
        assert!(
            c.chars().count() <= 5000,
            "within the default comment length"
        );
        let png = deep_png_bytes(8000, 5000);
        assert!(png.len() < 1_000_000, "{} bytes", png.len());
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(&png[16..24], &[0, 0, 0x1f, 0x40, 0, 0, 0x13, 0x88]);
        assert_eq!(&png[24..26], &[16, 6]);
    }

    #[test]
    fn synthetic_articles_differ() {
        let a = synthetic_article(1, 0);
        let b = synthetic_article(2, 0);
        assert_ne!(a.title, b.title);
        assert_ne!(a.paragraphs, b.paragraphs);
        assert_eq!(a.paragraphs.len(), 5);
        assert_eq!(synthetic_article(1, 0).paragraphs, a.paragraphs);
    }
}
