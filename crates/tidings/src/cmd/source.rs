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
            let store = super::open_store(config).await?;
            let src = NewSource {
                kind: guess_kind(&url),
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
                println!("{}", serde_json::to_string_pretty(&sources)?);
            } else {
                print_table(&sources);
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

fn print_table(sources: &[Source]) {
    if sources.is_empty() {
        println!("No sources yet. Add one with: tidings source add https://example.com/feed.xml");
        return;
    }
    println!(
        "{:>4}  {:<8}  {:<7}  {:>8}  {:<20}  {:<40}  LAST ERROR",
        "ID", "STATUS", "DISPLAY", "ARTICLES", "LAST FETCH", "NAME"
    );
    for s in sources {
        let last = s
            .last_fetch_at
            .map(Timestamp::to_rfc3339)
            .unwrap_or_else(|| "never".into());
        let name: String = s.display_name().chars().take(40).collect();
        println!(
            "{:>4}  {:<8}  {:<7}  {:>8}  {:<20}  {:<40}  {}",
            s.id.0,
            s.status(),
            s.display.as_str(),
            s.article_count,
            last,
            name,
            s.last_error.as_deref().unwrap_or("")
        );
    }
}
