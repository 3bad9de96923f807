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

/// Look at what the URL serves (`tidings_pipeline::discover`): a feed or
/// sitemap is added as it is; a web page's first feed is added (the others
/// are listed). When the URL cannot be reached now, it is added as given and
/// the crawler will report what it finds.
async fn discover(url: &CanonicalUrl, config: &Config) -> Result<(CanonicalUrl, SourceKind)> {
    let mut policy = config.fetch_policy();
    policy.connect_timeout = std::time::Duration::from_secs(5);
    policy.timeout = std::time::Duration::from_secs(15);
    policy.per_host_delay = std::time::Duration::ZERO;
    let fetcher = tidings_fetch::Fetcher::new(policy)?;
    let d = tidings_pipeline::discover::discover(&fetcher, url).await?;
    if let Some(why) = &d.unchecked {
        eprintln!(
            "warning: cannot check {url} now ({why}); adding it as a {}, the crawler will retry",
            d.kind.as_str()
        );
    } else if &d.url != url {
        println!(
            "{url} is a web page; found {} feed{}: using {}",
            d.also.len() + 1,
            if d.also.is_empty() { "" } else { "s" },
            d.url
        );
        for other in &d.also {
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
    }
    Ok((d.url, d.kind))
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
