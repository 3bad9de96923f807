//! Batch extraction over a WCXB-style directory (`<id>.html` + `<id>.json` with "url").
//! Loads every page in memory, extracts on one thread, writes `<id>.txt` (and metadata
//! JSON to `OUT/../<name>-meta/<id>.json` with `--meta`), prints pages/s and p50/p99.
//!
//! usage: wcxb_batch DATA_DIR OUT_DIR [--engine ours|ours-only|readability|libreadability|trafilatura|trafilatura-nofallback|rs-trafilatura] [--meta] [--kind auto|article]
//! The peer engines need `--features peers`. `--kind article` runs ours expecting an
//! article (as the pipeline does for feed entries); the default is auto.
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(data), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: wcxb_batch DATA_DIR OUT_DIR [--engine NAME] [--meta]".into());
    };
    let engine = args
        .iter()
        .position(|a| a == "--engine")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
        .unwrap_or("ours");
    let want_meta = args.iter().any(|a| a == "--meta");
    let expect = match args
        .iter()
        .position(|a| a == "--kind")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
    {
        None | Some("auto") => tidings_extract::Expect::Auto,
        Some("article") => tidings_extract::Expect::Article,
        Some(other) => return Err(format!("--kind {other}: auto or article").into()),
    };
    let opts = tidings_extract::Options::expecting(expect);
    let mut pages = Vec::new();
    for e in std::fs::read_dir(data)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "html") {
            let id = p
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let html = std::fs::read(&p)?;
            let meta: serde_json::Value = std::fs::read_to_string(p.with_extension("json"))
                .ok()
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default();
            let url = meta
                .get("url")
                .and_then(|u| u.as_str())
                .unwrap_or("https://example.com/")
                .to_string();
            pages.push((id, html, url));
        }
    }
    pages.sort();
    std::fs::create_dir_all(out)?;
    let meta_dir = format!("{}-meta", out.trim_end_matches('/'));
    if want_meta {
        std::fs::create_dir_all(&meta_dir)?;
    }
    let mut times = Vec::with_capacity(pages.len());
    let mut results = Vec::with_capacity(pages.len());
    let t0 = Instant::now();
    let cpu0 = thread_cpu_s();
    for (id, html, url) in &pages {
        let u = url::Url::parse(url).or_else(|_| url::Url::parse("https://example.com/"))?;
        let t = Instant::now();
        let (text, meta) = run(engine, html, &u, &opts)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        results.push((id, text, meta));
    }
    let secs = t0.elapsed().as_secs_f64();
    // CPU time of this thread: on a machine shared with other jobs, wall time
    // measures the neighbours as much as the extractor.
    let cpu = match (cpu0, thread_cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => secs,
    };
    for (id, text, meta) in &results {
        std::fs::write(format!("{out}/{id}.txt"), text)?;
        if want_meta && let Some(m) = meta {
            std::fs::write(format!("{meta_dir}/{id}.json"), m)?;
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{{\"engine\":\"{engine}\",\"pages\":{},\"secs\":{:.2},\"pages_per_s\":{:.1},\"cpu_s\":{:.2},\"pages_per_cpu_s\":{:.1},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\"max_ms\":{:.1}}}",
        pages.len(),
        secs,
        pages.len() as f64 / secs,
        cpu,
        pages.len() as f64 / cpu,
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}

type Out = (String, Option<String>);

/// Seconds of CPU used by this thread (Linux schedstat), if available.
fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn run(
    engine: &str,
    html: &[u8],
    url: &url::Url,
    opts: &tidings_extract::Options,
) -> Result<Out, Box<dyn std::error::Error>> {
    Ok(match engine {
        "ours" => {
            let a = tidings_extract::extract_with(html, url, None, opts);
            let meta = serde_json::json!({
                "title": a.title, "authors": a.authors,
                "published": a.published.map(local_date),
                "published_utc": a.published.map(|t| t.utc.to_rfc3339()),
                "method": a.body_method, "site_name": a.site_name, "language": a.language,
            });
            (a.text, Some(meta.to_string()))
        }
        "ours-only" => (tidings_extract::debug_candidates(html, url).0, None),
        "whole" => (tidings_extract::debug_whole(html, url), None),
        "readability" => (
            tidings_extract::debug_candidates(html, url)
                .2
                .unwrap_or_default(),
            None,
        ),
        #[cfg(feature = "peers")]
        other => (peers::run(other, html, url)?, None),
        #[cfg(not(feature = "peers"))]
        other => return Err(format!("engine {other} needs --features peers").into()),
    })
}

fn local_date(t: tidings_extract::ArticleTime) -> String {
    let off = i64::from(t.offset_minutes.unwrap_or(0));
    let local = t.utc.to_jiff() + jiff::SignedDuration::from_secs(off * 60);
    local.strftime("%Y-%m-%d").to_string()
}

#[cfg(feature = "peers")]
mod peers {
    pub fn run(
        engine: &str,
        html: &[u8],
        url: &url::Url,
    ) -> Result<String, Box<dyn std::error::Error>> {
        let s = String::from_utf8_lossy(html);
        Ok(match engine {
            "dom_smoothie" => {
                let cfg = dom_smoothie::Config {
                    text_mode: dom_smoothie::TextMode::Formatted,
                    ..Default::default()
                };
                dom_smoothie::Readability::new(s.as_ref(), Some(url.as_str()), Some(cfg))
                    .ok()
                    .and_then(|mut r| r.parse().ok())
                    .map(|a| a.text_content.to_string())
                    .unwrap_or_default()
            }
            "libreadability" => libreadability::extract(&s, Some(url.as_str()))
                .map(|a| a.text_content)
                .unwrap_or_default(),
            "trafilatura" | "trafilatura-nofallback" => {
                let mut o = trafilatura::Options::default();
                o.enable_fallback = engine == "trafilatura";
                o.exclude_comments = true;
                o.original_url = Some(url.clone());
                trafilatura::extract(&s, &o)
                    .map(|r| r.content_text)
                    .unwrap_or_default()
            }
            "rs-trafilatura" => {
                let o = rs_trafilatura::Options {
                    url: Some(url.to_string()),
                    ..Default::default()
                };
                rs_trafilatura::extract_with_options(&s, &o)
                    .map(|r| r.content_text)
                    .unwrap_or_default()
            }
            other => return Err(format!("unknown engine {other}").into()),
        })
    }
}
