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
                profile: Default::default(),
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
        SourceCommand::Set {
            source,
            country,
            language,
            owner,
            kind,
            perspective,
        } => {
            set_profile(
                &source,
                [country, language, owner, kind, perspective],
                config,
            )
            .await
        }
        SourceCommand::Labels { labels } => set_labels(&labels, config).await,
        SourceCommand::ImportCsv { file } => import_csv(&file, config).await,
        SourceCommand::Rules {
            source,
            content,
            remove,
            clear,
            dry_run,
        } => rules(&source, content, remove, clear, dry_run, config).await,
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

/// `tidings source rules`: check the selectors, show them on the source's
/// latest kept pages, save them and queue the re-extraction of its articles.
async fn rules(
    source: &str,
    content: Option<String>,
    remove: Vec<String>,
    clear: bool,
    dry_run: bool,
    config: &Config,
) -> Result<()> {
    let rules = tidings_extract::Rules {
        content: content.filter(|c| !c.trim().is_empty()),
        remove,
    };
    // A bad selector stops here, before anything is saved.
    rules.validate()?;
    if !clear && rules.is_empty() {
        bail!("give --content and/or --remove selectors, or --clear");
    }
    let store = super::open_store(config).await?;
    let result = async {
        let Some(src) = store.find_source(&parse_ref(source)?).await? else {
            bail!("no source matches `{source}` (see `tidings source list`)");
        };
        let current = tidings_pipeline::rules::rules_of(&src);
        for id in store.latest_source_articles(src.id, 20).await?.into_iter() {
            let Some(page) = store.article_page(id).await? else {
                continue;
            };
            let title = store.article(id).await?.map(|a| a.title).unwrap_or_default();
            let body = tidings_pipeline::rules::inflate(&page.body)?;
            let url = url::Url::parse(&page.url)?;
            let ct = page.content_type.as_deref();
            let now = tidings_pipeline::rules::extract_page(&body, &url, ct, &current)?;
            let new = tidings_pipeline::rules::extract_page(&body, &url, ct, &rules)?;
            let words = |t: &str| t.split_whitespace().count();
            println!(
                "article {}: {title}\n  now:   {} words: {}\n  rules: {} words: {}",
                id.0,
                words(&now.text),
                tidings_core::display::short(&now.text, 160),
                words(&new.text),
                tidings_core::display::short(&new.text, 160)
            );
            break;
        }
        if dry_run {
            println!("dry run: nothing saved");
            return Ok(());
        }
        store
            .set_source_rules(src.id, rules.content.as_deref(), &rules.remove)
            .await?;
        let kept = store.count_articles_with_pages(Some(src.id)).await?;
        store
            .enqueue(&tidings_pipeline::rules::reextract_job(
                Some(src.id.0),
                tidings_core::now_ms(),
                0,
            ))
            .await?;
        println!(
            "saved the rules of source {}; its {kept} stored articles with kept pages are re-extracted in the background (or now: tidings reextract --source {})",
            src.id, src.id
        );
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// `tidings reextract [--source ID]`: extract stored articles again from
/// their kept pages, with a progress bar.
pub async fn reextract(source: Option<&str>, config: &Config) -> Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    let store = super::open_store(config).await?;
    let result = async {
        let source = match source {
            Some(s) => Some(
                store
                    .find_source(&parse_ref(s)?)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no source matches `{s}`"))?
                    .id,
            ),
            None => None,
        };
        let total = store.count_articles_with_pages(source).await?;
        let pipeline = super::pipeline(config, store.clone(), "reextract").await?;
        let pb = ProgressBar::new(u64::try_from(total).unwrap_or(0));
        pb.set_style(
            ProgressStyle::with_template(
                "{spinner} re-extracting {bar:40} {pos}/{len} {per_sec} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let (mut after, mut changed, mut kept) = (0, 0u64, 0u64);
        loop {
            let ids = store.articles_with_pages(source, after, 100).await?;
            let Some(last) = ids.last() else { break };
            after = last.0;
            for id in ids {
                match pipeline.reextract_article(id).await {
                    Ok(true) => changed += 1,
                    Ok(false) => kept += 1,
                    Err(e) => {
                        kept += 1;
                        pb.println(format!("article {}: {e:#}", id.0));
                    }
                }
                pb.inc(1);
            }
        }
        pb.finish_and_clear();
        println!("re-extracted {changed} articles; {kept} left as they were (no kept page text)");
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// The site's perspective labels (the setting `/admin/settings` edits too).
async fn labels_of(store: &tidings_store::Store) -> Result<Vec<String>> {
    Ok(store
        .get_setting("coverage.perspectives")
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// `tidings source set`: change the given values of a source's profile.
async fn set_profile(source: &str, given: [Option<String>; 5], config: &Config) -> Result<()> {
    let store = super::open_store(config).await?;
    let result = async {
        let Some(src) = store.find_source(&parse_ref(source)?).await? else {
            bail!("no source matches `{source}` (see `tidings source list`)");
        };
        let p = &src.profile;
        let current = [
            p.country.clone(),
            p.language.clone(),
            p.owner.clone(),
            p.kind.map(|k| k.as_str().to_string()),
            p.perspective.clone(),
        ];
        // Given values replace the current ones; the others stay.
        let merged: Vec<String> = given
            .iter()
            .zip(current.iter())
            .map(|(g, c)| g.clone().or_else(|| c.clone()).unwrap_or_default())
            .collect();
        let value = |i: usize| merged.get(i).map_or("", String::as_str);
        let profile = tidings_core::SourceProfile::normalised(
            value(0),
            value(1),
            value(2),
            value(3),
            value(4),
            &labels_of(&store).await?,
        )?;
        store.set_source_profile(src.id, &profile).await?;
        println!(
            "source {}: {}",
            src.id,
            serde_json::to_string(&profile).unwrap_or_default()
        );
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// `tidings source labels [LABEL…]`.
async fn set_labels(labels: &[String], config: &Config) -> Result<()> {
    let store = super::open_store(config).await?;
    let result = async {
        if labels.is_empty() {
            let current = labels_of(&store).await?;
            if current.is_empty() {
                println!("no perspective labels yet: tidings source labels Left Centre Right");
            } else {
                println!("{}", current.join(", "));
            }
            return Ok(());
        }
        let mut clean: Vec<String> = Vec::new();
        for l in labels.iter().map(|l| l.trim()).filter(|l| !l.is_empty()) {
            if l.chars().count() > 40 || l.chars().any(char::is_control) {
                bail!("`{l}`: a label has at most 40 characters");
            }
            if !clean.iter().any(|c| c.eq_ignore_ascii_case(l)) {
                clean.push(l.to_string());
            }
        }
        if clean.len() > 12 {
            bail!("at most 12 perspective labels");
        }
        store
            .set_setting("coverage.perspectives", &serde_json::to_string(&clean)?)
            .await?;
        println!("perspective labels: {}", clean.join(", "));
        Ok(())
    }
    .await;
    store.close().await;
    result
}

/// One CSV record (RFC 4180: quoted fields may hold commas, quotes as `""`
/// and line breaks).
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut field = String::new();
    let mut record = Vec::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.trim().is_empty()) {
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
            }
            (c, _) => field.push(c),
        }
    }
    record.push(field);
    if record.iter().any(|f| !f.trim().is_empty()) {
        records.push(record);
    }
    records
}

/// `tidings source import-csv FILE`: every row checked first, then all
/// sources added (or, when they exist, their profile updated) in one transaction.
async fn import_csv(file: &std::path::Path, config: &Config) -> Result<()> {
    use std::io::Read;
    let mut text = String::new();
    if file.as_os_str() == "-" {
        std::io::stdin().take(32 << 20).read_to_string(&mut text)?;
    } else {
        std::fs::File::open(file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?
            .take(32 << 20)
            .read_to_string(&mut text)?;
    }
    let mut rows = csv_records(text.trim_start_matches('\u{feff}')).into_iter();
    let Some(header) = rows.next() else {
        bail!("{} is empty", file.display());
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    const COLUMNS: [&str; 8] = [
        "url",
        "name",
        "display",
        "country",
        "language",
        "owner",
        "kind",
        "perspective",
    ];
    if let Some(bad) = header.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        bail!(
            "unknown column `{bad}`; the columns are {}",
            COLUMNS.join(", ")
        );
    }
    if !header.iter().any(|h| h == "url") {
        bail!("the header must name a `url` column");
    }
    let store = super::open_store(config).await?;
    let result = async {
        let labels = labels_of(&store).await?;
        let mut sources = Vec::new();
        let mut problems = Vec::new();
        for (n, row) in rows.enumerate() {
            let get = |c: &str| {
                header
                    .iter()
                    .position(|h| h == c)
                    .and_then(|i| row.get(i))
                    .map_or("", |v| v.trim())
            };
            let line = n + 2;
            let url = match CanonicalUrl::parse(get("url")) {
                Ok(u) => u,
                Err(e) => {
                    problems.push(format!("line {line}: url: {e}"));
                    continue;
                }
            };
            let display = match get("display") {
                "" => DisplayPolicy::Excerpt,
                d => match d.parse() {
                    Ok(d) => d,
                    Err(e) => {
                        problems.push(format!("line {line}: {e}"));
                        continue;
                    }
                },
            };
            let profile = match tidings_core::SourceProfile::normalised(
                get("country"),
                get("language"),
                get("owner"),
                get("kind"),
                get("perspective"),
                &labels,
            ) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(format!("line {line}: {e}"));
                    continue;
                }
            };
            sources.push(NewSource {
                kind: tidings_pipeline::discover::guess_kind(&url),
                url,
                name: Some(get("name").to_string()).filter(|n| !n.is_empty()),
                site_url: None,
                display,
                profile,
            });
        }
        if !problems.is_empty() {
            bail!(
                "{} rows cannot be used; nothing was imported:\n  {}",
                problems.len(),
                problems
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  ")
            );
        }
        let ids = store
            .add_sources_with_progress(&sources, true, &|_| {})
            .await?;
        let added = ids.iter().filter(|i| i.is_some()).count();
        println!(
            "imported {added} new sources from {} ({} already present, their details updated)",
            file.display(),
            sources.len() - added
        );
        Ok(())
    }
    .await;
    store.close().await;
    result
}
