//! `tidings source add|list|remove`.

use crate::cli::{Display, SourceCommand};
use crate::config::Config;
use anyhow::{Result, bail};
use tidings_core::{CanonicalUrl, DisplayPolicy, SourceId, SourceKind, Timestamp};
use tidings_store::{NewSource, Source, SourceRef, StoreError};

pub async fn run(cmd: SourceCommand, config: &Config) -> Result<()> {
    match cmd {
        SourceCommand::Add { url, name, display } => {
            let url = CanonicalUrl::parse(&url)?;
            let (url, kind) = discover(&url, config).await?;
            let store = super::open_store(config).await?;
            let src = NewSource {
                kind,
                url,
                name: name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
                site_url: None,
                display: match display {
                    Display::Full => DisplayPolicy::Full,
                    Display::Excerpt => DisplayPolicy::Excerpt,
                },
            };
            let res = store.add_source(&src).await;
            store.close().await;
            match res {
                Ok(s) => {
                    println!(
                        "added source {} ({}, display: {}): {}",
                        s.id,
                        s.kind.as_str(),
                        s.display,
                        s.url
                    );
                    Ok(())
                }
                Err(StoreError::Duplicate(_)) => {
                    bail!("a source with the URL {} already exists", src.url)
                }
                Err(e) => Err(e.into()),
            }
        }
        SourceCommand::List { json } => {
            let store = super::open_store(config).await?;
            let sources = store.list_sources().await;
            store.close().await;
            let sources = sources?;
            if json {
                super::print_out(&(serde_json::to_string_pretty(&sources)? + "\n"))?;
            } else {
                print_table(&sources)?;
            }
            Ok(())
        }
        SourceCommand::Remove { source } => {
            let r = parse_ref(&source)?;
            let store = super::open_store(config).await?;
            let res = store.remove_source(&r).await;
            store.close().await;
            match res {
                Ok(s) => {
                    println!(
                        "removed source {} ({}) and its {} articles",
                        s.id, s.url, s.article_count
                    );
                    Ok(())
                }
                Err(StoreError::NotFound(_)) => {
                    bail!("no source matches `{source}` (see `tidings source list`)")
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// Look at what the URL serves: a feed or sitemap is added as it is; a web
/// page is searched for `<link rel="alternate">` feeds and the first one is
/// added (the others are listed). When the URL cannot be reached now, it is
/// added as given and the crawler will report what it finds.
async fn discover(url: &CanonicalUrl, config: &Config) -> Result<(CanonicalUrl, SourceKind)> {
    use tidings_fetch::{FetchError, FetchRequest, Fetcher};
    let mut policy = config.fetch_policy();
    policy.connect_timeout = std::time::Duration::from_secs(5);
    policy.timeout = std::time::Duration::from_secs(15);
    policy.per_host_delay = std::time::Duration::ZERO;
    let fetcher = Fetcher::new(policy)?;
    let req = FetchRequest {
        accept: tidings_fetch::http::ACCEPT_FEED,
        ..FetchRequest::new(url.as_url().clone())
    };
    let r = match fetcher.get(&req).await {
        Ok(r) => r,
        Err(e @ (FetchError::Refused(_) | FetchError::ResolvedPrivate { .. })) => {
            bail!("{e}")
        }
        Err(e) => {
            eprintln!(
                "warning: cannot check {url} now ({e}); adding it as a feed, the crawler will retry"
            );
            return Ok((url.clone(), guess_kind(url)));
        }
    };
    if r.status == 404 || r.status == 410 {
        bail!("{url} answered HTTP {}: there is nothing there", r.status);
    }
    if !r.is_success() {
        eprintln!(
            "warning: {url} answered HTTP {}; adding it as a feed, the crawler will retry",
            r.status
        );
        return Ok((url.clone(), guess_kind(url)));
    }
    if tidings_fetch::sitemap::looks_like_sitemap(&r.body) {
        return Ok((url.clone(), SourceKind::Sitemap));
    }
    if tidings_fetch::feed::parse_feed(&r.body, &r.final_url).is_ok() {
        return Ok((url.clone(), SourceKind::Feed));
    }
    let page = tidings_extract::extract(&r.body, &r.final_url, r.content_type.as_deref());
    let mut feeds: Vec<_> = page.feeds.iter().collect();
    // Comment feeds are not news.
    feeds.sort_by_key(|f| {
        f.title
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase()
            .contains("comment")
    });
    let Some(first) = feeds.first() else {
        bail!(
            "{url} is a web page without a feed link (<link rel=\"alternate\">); \
             give the address of its RSS/Atom/JSON feed or news sitemap instead"
        );
    };
    let chosen = CanonicalUrl::from_url(&first.url)?;
    println!(
        "{url} is a web page; found {} feed{}: using {}{}",
        feeds.len(),
        if feeds.len() == 1 { "" } else { "s" },
        chosen,
        first
            .title
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default()
    );
    for other in feeds.iter().skip(1) {
        println!(
            "  also offered: {}{}",
            other.url,
            other
                .title
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default()
        );
    }
    Ok((chosen, SourceKind::Feed))
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

fn parse_ref(s: &str) -> Result<SourceRef> {
    let s = s.trim();
    if let Ok(id) = s.parse::<i64>() {
        return Ok(SourceRef::Id(SourceId(id)));
    }
    match CanonicalUrl::parse(s) {
        Ok(u) => Ok(SourceRef::Url(u)),
        Err(e) => bail!("`{s}` is neither a source id nor a valid URL: {e}"),
    }
}

fn print_table(sources: &[Source]) -> Result<()> {
    use std::fmt::Write;
    if sources.is_empty() {
        return super::print_out(
            "No sources yet. Add one with: tidings source add https://example.com/feed.xml\n",
        );
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>4}  {:<8}  {:<7}  {:>8}  {:<20}  {:<40}  LAST ERROR",
        "ID", "STATUS", "DISPLAY", "ARTICLES", "LAST FETCH", "NAME"
    );
    for s in sources {
        let last = s
            .last_fetch_at
            .map(Timestamp::to_rfc3339)
            .unwrap_or_else(|| "never".into());
        let name: String = s.display_name().chars().take(40).collect();
        let _ = writeln!(
            out,
            "{:>4}  {:<8}  {:<7}  {:>8}  {:<20}  {:<40}  {}",
            s.id.0,
            s.status().as_str(),
            s.display.as_str(),
            s.article_count,
            last,
            name,
            s.last_error.as_deref().unwrap_or("")
        );
    }
    super::print_out(&out)
}
