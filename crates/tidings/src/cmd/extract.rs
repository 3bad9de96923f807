//! `tidings extract`: run the extraction engine on one page or a directory.

use crate::cli::{ExtractArgs, ExtractFormat, ExtractKind};
use crate::config::Config;
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use std::path::Path;
use tidings_fetch::{FetchRequest, Fetcher};

pub async fn run(args: ExtractArgs, config: &Config) -> Result<()> {
    let opts = options(args.kind);
    let base = match &args.url {
        Some(u) => {
            Some(url::Url::parse(u).with_context(|| format!("--url `{u}` is not a valid URL"))?)
        }
        None => None,
    };
    let input = args.input.as_str();
    if input.starts_with("http://") || input.starts_with("https://") {
        let url =
            url::Url::parse(input).with_context(|| format!("`{input}` is not a valid URL"))?;
        let fetcher = Fetcher::new(config.fetch_policy())?;
        let r = fetcher
            .get(&FetchRequest {
                accept: tidings_fetch::http::ACCEPT_HTML,
                ..FetchRequest::new(url)
            })
            .await
            .with_context(|| format!("cannot fetch {input}"))?;
        if !r.is_success() {
            bail!("{input} answered HTTP {}", r.status);
        }
        let a =
            tidings_extract::extract_with(&r.body, &r.final_url, r.content_type.as_deref(), &opts);
        return print_one(&a, args.format.unwrap_or(ExtractFormat::Json));
    }
    if input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        let base = base.unwrap_or_else(default_base);
        let a = tidings_extract::extract_with(&bytes, &base, None, &opts);
        return print_one(&a, args.format.unwrap_or(ExtractFormat::Json));
    }
    let path = Path::new(input);
    if path.is_dir() {
        let Some(out) = &args.out else {
            bail!("{input} is a directory: say where the results go with --out OUTDIR");
        };
        let format = args.format.unwrap_or(ExtractFormat::Text);
        if format == ExtractFormat::Html {
            bail!("--format html works for one page; use text or json for a directory");
        }
        return extract_dir(path, out, format, &opts);
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {input}"))?;
    let base = base
        .or_else(|| sidecar_url(path))
        .unwrap_or_else(default_base);
    let a = tidings_extract::extract_with(&bytes, &base, None, &opts);
    print_one(&a, args.format.unwrap_or(ExtractFormat::Json))
}

fn default_base() -> url::Url {
    url::Url::parse("http://localhost/")
        .unwrap_or_else(|_| url::Url::parse("http://127.0.0.1/").unwrap_or_else(|_| unreachable()))
}

#[allow(clippy::panic)]
fn unreachable() -> url::Url {
    panic!("literal URLs parse")
}

/// `NAME.json` beside `NAME.html` may carry the page's URL (the WCXB layout).
fn sidecar_url(html: &Path) -> Option<url::Url> {
    let text = std::fs::read_to_string(html.with_extension("json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    url::Url::parse(v.get("url")?.as_str()?).ok()
}

fn print_one(a: &tidings_extract::Article, format: ExtractFormat) -> Result<()> {
    let text = match format {
        ExtractFormat::Json => serde_json::to_string_pretty(a)?,
        ExtractFormat::Text => a.text.clone(),
        ExtractFormat::Html => a.html.clone(),
    };
    super::print_out(&(text + "\n"))
}

fn options(kind: ExtractKind) -> tidings_extract::Options {
    tidings_extract::Options::expecting(match kind {
        ExtractKind::Auto => tidings_extract::Expect::Auto,
        ExtractKind::Article => tidings_extract::Expect::Article,
    })
}

fn extract_dir(
    dir: &Path,
    out: &Path,
    format: ExtractFormat,
    opts: &tidings_extract::Options,
) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut pages: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    pages.sort();
    if pages.is_empty() {
        bail!("{} has no .html files", dir.display());
    }
    let pb = ProgressBar::new(pages.len() as u64);
    pb.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} pages {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut failed = 0usize;
    for p in &pages {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let result = std::fs::read(p).map(|bytes| {
            let base = sidecar_url(p).unwrap_or_else(default_base);
            tidings_extract::extract_with(&bytes, &base, None, opts)
        });
        match result {
            Ok(a) => {
                let (name, body) = match format {
                    ExtractFormat::Json => {
                        (format!("{stem}.json"), serde_json::to_string_pretty(&a)?)
                    }
                    _ => (format!("{stem}.txt"), a.text),
                };
                std::fs::write(out.join(&name), body)
                    .with_context(|| format!("cannot write {name}"))?;
            }
            Err(e) => {
                failed += 1;
                pb.println(format!("cannot read {}: {e}", p.display()));
            }
        }
        pb.inc(1);
    }
    pb.finish_and_clear();
    println!(
        "extracted {} pages into {}{}",
        pages.len() - failed,
        out.display(),
        if failed > 0 {
            format!(" ({failed} unreadable)")
        } else {
            String::new()
        }
    );
    Ok(())
}
