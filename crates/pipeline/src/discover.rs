//! Feed discovery: what a source address serves. A feed or a sitemap is
//! used as it is; a web page is searched for its `<link rel="alternate">`
//! feeds. The CLI asks when a source is added (to say what it found); a
//! source added any other way (`/admin`, OPML) is resolved at its first poll,
//! when the address turns out to be a page (see `refresh.rs`).

use tidings_core::{CanonicalUrl, SourceKind};
use tidings_fetch::http::ACCEPT_FEED;
use tidings_fetch::{FetchError, FetchRequest, Fetcher};

/// A feed a page offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub url: CanonicalUrl,
    pub title: Option<String>,
}

/// What an address serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A feed or sitemap: use the address itself.
    Source(SourceKind),
    /// A web page offering these feeds, best first (comment feeds last).
    Page(Vec<Offered>),
    /// A web page offering no feed.
    PageWithoutFeeds,
}

/// What `body` (served at `url`) is. CPU work on a publisher's page: callers
/// on an async runtime run it on the CPU pool.
pub fn classify(body: &[u8], url: &url::Url, content_type: Option<&str>) -> Found {
    if tidings_fetch::sitemap::looks_like_sitemap(body) {
        return Found::Source(SourceKind::Sitemap);
    }
    if tidings_fetch::feed::parse_feed(body, url).is_ok() {
        return Found::Source(SourceKind::Feed);
    }
    let page = tidings_extract::extract(body, url, content_type);
    let mut feeds: Vec<Offered> = page
        .feeds
        .iter()
        .filter_map(|f| {
            Some(Offered {
                url: CanonicalUrl::from_url(&f.url).ok()?,
                title: f.title.clone(),
            })
        })
        .collect();
    // Comment feeds are not news.
    feeds.sort_by_key(|f| {
        f.title
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase()
            .contains("comment")
    });
    feeds.dedup_by(|a, b| a.url == b.url);
    if feeds.is_empty() {
        Found::PageWithoutFeeds
    } else {
        Found::Page(feeds)
    }
}

/// Why an address cannot be a source.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// Refused by the fetch policy (private network, bad scheme).
    #[error("{0}")]
    Refused(FetchError),
    #[error("{url} answered HTTP {status}: there is nothing there")]
    Gone { url: String, status: u16 },
    #[error(
        "{0} is a web page without a feed link (<link rel=\"alternate\">); give the address of its RSS/Atom/JSON feed or news sitemap instead"
    )]
    NoFeed(String),
}

/// What to add for `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    pub url: CanonicalUrl,
    pub kind: SourceKind,
    /// The page's other feeds, when `url` was a page.
    pub also: Vec<Offered>,
    /// Set when the address could not be checked now (it is added as given).
    pub unchecked: Option<String>,
}

/// Fetch `url` and decide what to add: the address itself when it is a feed
/// or sitemap (or cannot be checked now: the crawler will report), else the
/// first feed the page offers.
pub async fn discover(fetcher: &Fetcher, url: &CanonicalUrl) -> Result<Discovery, DiscoverError> {
    let req = FetchRequest {
        accept: ACCEPT_FEED,
        ..FetchRequest::new(url.as_url().clone())
    };
    let as_given = |why: String| Discovery {
        url: url.clone(),
        kind: guess_kind(url),
        also: Vec::new(),
        unchecked: Some(why),
    };
    let r = match fetcher.get(&req).await {
        Ok(r) => r,
        Err(e @ (FetchError::Refused(_) | FetchError::ResolvedPrivate { .. })) => {
            return Err(DiscoverError::Refused(e));
        }
        Err(e) => return Ok(as_given(e.to_string())),
    };
    if r.status == 404 || r.status == 410 {
        return Err(DiscoverError::Gone {
            url: url.to_string(),
            status: r.status,
        });
    }
    if !r.is_success() {
        return Ok(as_given(format!("HTTP {}", r.status)));
    }
    let (body, final_url, ct) = (r.body, r.final_url, r.content_type);
    let found = tokio::task::spawn_blocking(move || classify(&body, &final_url, ct.as_deref()))
        .await
        .unwrap_or(Found::PageWithoutFeeds);
    match found {
        Found::Source(kind) => Ok(Discovery {
            url: url.clone(),
            kind,
            also: Vec::new(),
            unchecked: None,
        }),
        Found::Page(mut feeds) => {
            let first = feeds.remove(0);
            Ok(Discovery {
                url: first.url,
                kind: SourceKind::Feed,
                also: feeds,
                unchecked: None,
            })
        }
        Found::PageWithoutFeeds => Err(DiscoverError::NoFeed(url.to_string())),
    }
}

/// Sitemaps are recognised by name; everything else is read as a feed.
pub fn guess_kind(url: &CanonicalUrl) -> SourceKind {
    let path = url.as_url().path().to_ascii_lowercase();
    if path.contains("sitemap") && (path.ends_with(".xml") || path.ends_with(".xml.gz")) {
        SourceKind::Sitemap
    } else {
        SourceKind::Feed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> url::Url {
        url::Url::parse("https://news.example/").unwrap()
    }

    #[test]
    fn pages_offer_their_feeds_comments_last() {
        let page = br#"<html><head>
            <link rel="alternate" type="application/rss+xml" title="Comments" href="/comments.xml">
            <link rel="alternate" type="application/atom+xml" title="News" href="/news.atom">
            </head><body><p>Hello</p></body></html>"#;
        match classify(page, &url(), Some("text/html")) {
            Found::Page(f) => {
                assert_eq!(f[0].url.to_string(), "https://news.example/news.atom");
                assert_eq!(f[1].url.to_string(), "https://news.example/comments.xml");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            classify(b"<html><body>no feeds</body></html>", &url(), None),
            Found::PageWithoutFeeds
        );
        let rss = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>a</title><link>https://news.example/a</link></item></channel></rss>";
        assert_eq!(classify(rss, &url(), None), Found::Source(SourceKind::Feed));
        let sm = b"<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>https://news.example/a</loc></url></urlset>";
        assert_eq!(
            classify(sm, &url(), None),
            Found::Source(SourceKind::Sitemap)
        );
    }
}
