//! `tidings-origin [--articles N] [--sites N] [--port P] [--syndicate-every N] [CORPUS.jsonl[.gz]...]`
//! Serves the local origin until killed; prints its address. Without a corpus
//! the sites serve the fixture corpus (`fixtures/news.jsonl`).

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
