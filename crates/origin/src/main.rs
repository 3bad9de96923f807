//! `tidings-origin [--articles N] [--sites N] [--port P] [--syndicate-every N] [CORPUS.jsonl[.gz]...]`
//! Serves the local origin until killed; prints its address. Without a corpus
//! the sites serve the fixture corpus (`fixtures/news.jsonl`).
//! `tidings-origin --write-news-pages DIR` writes the news regression set
//! (`news_pages`) as `DIR/<slug>.html` + `DIR/<slug>.json` (`articleBody`, `url`, ...:
//! the layout `extraction_score.py` and the `wcxb_batch` example read) and exits.

use std::path::PathBuf;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut corpora = vec![];
    let (mut articles, mut sites, mut port, mut syndicate) = (2000usize, 20usize, 0u16, 0usize);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--articles" => articles = args.next().unwrap_or_default().parse()?,
            "--sites" => sites = args.next().unwrap_or_default().parse()?,
            "--port" => port = args.next().unwrap_or_default().parse()?,
            "--syndicate-every" => syndicate = args.next().unwrap_or_default().parse()?,
            "--write-news-pages" => {
                return write_news_pages(&PathBuf::from(args.next().unwrap_or_default()));
            }
            other => corpora.push(PathBuf::from(other)),
        }
    }
    let mut cfg = tidings_origin::OriginConfig::new(corpora, articles, sites);
    cfg.syndicate_every = syndicate;
    let origin = tidings_origin::start(cfg, port).await?;
    println!(
        "origin listening on http://{} with {} articles",
        origin.addr,
        origin.state.articles.len()
    );
    std::future::pending::<()>().await;
    Ok(())
}

fn write_news_pages(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let pages = tidings_origin::news_pages::pages();
    for p in &pages {
        std::fs::write(dir.join(format!("{}.html", p.slug)), &p.html)?;
        let meta = serde_json::json!({
            "articleBody": p.expected, "url": p.url, "title": p.title,
            "declared": p.declared, "layout": p.layout, "short": p.short,
        });
        std::fs::write(dir.join(format!("{}.json", p.slug)), meta.to_string())?;
    }
    println!("{} pages written to {}", pages.len(), dir.display());
    Ok(())
}
