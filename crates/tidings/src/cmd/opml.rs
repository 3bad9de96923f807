//! `tidings opml import|export`.

use crate::cli::OpmlCommand;
use crate::config::Config;
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use tidings_core::{CanonicalUrl, DisplayPolicy};
use tidings_fetch::opml::{self, MAX_OPML_BYTES, OpmlFeed};
use tidings_store::NewSource;

pub async fn run(cmd: OpmlCommand, config: &Config) -> Result<()> {
    match cmd {
        OpmlCommand::Import { file } => import(&file, config).await,
        OpmlCommand::Export => {
            let store = super::open_store(config).await?;
            let sources = store.list_sources().await;
            store.close().await;
            let feeds: Vec<OpmlFeed> = sources?
                .into_iter()
                .map(|s| OpmlFeed {
                    title: Some(s.display_name()),
                    xml_url: s.url,
                    html_url: s.site_url,
                    category: None,
                    profile: profile_attributes(&s.profile),
                })
                .collect();
            print!(
                "{}",
                opml::export(&format!("{} sources", config.site.name), &feeds)
            );
            Ok(())
        }
    }
}

fn read_capped(file: &std::path::Path) -> Result<Vec<u8>> {
    let limit = u64::try_from(MAX_OPML_BYTES).unwrap_or(u64::MAX) + 1;
    let mut buf = Vec::new();
    if file.as_os_str() == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
    } else {
        let f =
            std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
        f.take(limit)
            .read_to_end(&mut buf)
            .with_context(|| format!("cannot read {}", file.display()))?;
    }
    Ok(buf)
}

async fn import(file: &std::path::Path, config: &Config) -> Result<()> {
    let bytes = read_capped(file)?;
    let feeds = opml::parse(&bytes)
        .with_context(|| format!("{} is not a usable OPML file", file.display()))?;
    if feeds.is_empty() {
        bail!(
            "{} lists no feeds (no <outline> with an xmlUrl)",
            file.display()
        );
    }
    // Validate everything before writing anything.
    let labels = {
        let store = super::open_store(config).await?;
        let v = store
            .get_setting("coverage.perspectives")
            .await
            .map(|v| v.and_then(|j| serde_json::from_str::<Vec<String>>(&j).ok()));
        store.close().await;
        v?.unwrap_or_default()
    };
    let mut sources = Vec::with_capacity(feeds.len());
    let mut invalid = Vec::new();
    for f in &feeds {
        let profile = match profile_from_attributes(&f.profile, &labels) {
            Ok(p) => p,
            Err(e) => {
                invalid.push(format!("{}: {e}", f.xml_url));
                continue;
            }
        };
        match CanonicalUrl::parse(&f.xml_url) {
            Ok(url) => sources.push(NewSource {
                profile,
                kind: tidings_pipeline::discover::guess_kind(&url),
                url,
                name: None,
                site_url: f
                    .html_url
                    .clone()
                    .filter(|h| CanonicalUrl::parse(h).is_ok()),
                display: DisplayPolicy::Excerpt,
            }),
            Err(e) => invalid.push(format!("{}: {e}", f.xml_url)),
        }
    }
    if !invalid.is_empty() {
        let shown: Vec<_> = invalid.iter().take(10).cloned().collect();
        bail!(
            "{} of {} feeds have unusable URLs or attributes; nothing was imported:\n  {}{}",
            invalid.len(),
            feeds.len(),
            shown.join("\n  "),
            if invalid.len() > 10 { "\n  …" } else { "" }
        );
    }
    // Canonical forms may collapse two spellings of one URL.
    let mut seen = std::collections::HashSet::new();
    sources.retain(|s| seen.insert(s.url.clone()));

    let store = super::open_store(config).await?;
    let pb = ProgressBar::new(u64::try_from(sources.len()).unwrap_or(0));
    pb.set_style(
        ProgressStyle::with_template("{spinner} importing {pos}/{len} feeds {bar:30} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // One transaction per import: all or nothing. Chunks only drive the progress bar.
    let res = store
        .add_sources_with_progress(&sources, true, &|n| {
            pb.set_position(u64::try_from(n).unwrap_or(0))
        })
        .await;
    pb.finish_and_clear();
    store.close().await;
    let ids = res?;
    let added = ids.iter().filter(|i| i.is_some()).count();
    println!(
        "imported {added} new sources from {} ({} already present)",
        file.display(),
        sources.len() - added
    );
    Ok(())
}

/// A source's profile as OPML outline attributes (only the set ones).
fn profile_attributes(p: &tidings_core::SourceProfile) -> Vec<(String, String)> {
    [
        ("country", p.country.clone()),
        ("language", p.language.clone()),
        ("owner", p.owner.clone()),
        ("kind", p.kind.map(|k| k.as_str().to_string())),
        ("perspective", p.perspective.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k.to_string(), v?)))
    .collect()
}

/// Read a profile from `(attribute, value)` pairs, checked against the
/// site's perspective labels.
pub fn profile_from_attributes(
    attrs: &[(String, String)],
    labels: &[String],
) -> Result<tidings_core::SourceProfile, tidings_core::ProfileError> {
    let get = |k: &str| {
        attrs
            .iter()
            .find(|(a, _)| a == k)
            .map_or("", |(_, v)| v.as_str())
    };
    tidings_core::SourceProfile::normalised(
        get("country"),
        get("language"),
        get("owner"),
        get("kind"),
        get("perspective"),
        labels,
    )
}
