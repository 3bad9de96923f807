//! Seed a benchmark database: many stored articles with real text, and a
//! comment thread on one crawled article that has a story and related
//! articles (the page the web benchmark requests).
//!
//! ```sh
//! cargo run --release -p tidings --example bench_seed -- \
//!     DATABASE_URL ARTICLES COMMENTS CORPUS.jsonl.gz...
//! ```
//!
//! Articles go in through the store (`Store::insert_article`), one
//! transaction each, into a source named "Archive Wire"; their text comes
//! from the corpora (real news articles, reused with a numbered headline
//! when the corpora run out). Prints the id of the benchmarked article.

use anyhow::{Context, Result, bail};
use std::time::Instant;
use tidings_core::{CanonicalUrl, DisplayPolicy, SourceKind, Timestamp};
use tidings_store::{NewArticle, NewComment, NewSource, NewUser, Role, Store, Thread};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, articles, comments, corpora @ ..] = args.as_slice() else {
        bail!("usage: bench_seed DATABASE_URL ARTICLES COMMENTS CORPUS.jsonl.gz...");
    };
    let articles: usize = articles.parse().context("ARTICLES")?;
    let comments: usize = comments.parse().context("COMMENTS")?;
    let store = Store::open(url, &Default::default()).await?;

    let target = pick_target(&store).await?;

    let texts = tidings_origin::load_articles(&tidings_origin::OriginConfig::new(
        corpora.iter().map(Into::into).collect(),
        articles,
        1,
    ))?;
    if texts.is_empty() {
        bail!("no articles in {corpora:?}");
    }
    let source = store
        .add_source(&NewSource {
            url: CanonicalUrl::parse("https://archive-wire.example/feed.xml")?,
            kind: SourceKind::Feed,
            name: Some("Archive Wire".into()),
            site_url: Some("https://archive-wire.example/".into()),
            display: DisplayPolicy::Full,
            profile: Default::default(),
        })
        .await?
        .id;
    let start = Instant::now();
    let now = Timestamp::now().0;
    for n in 0..articles {
        let t = texts.get(n % texts.len()).context("corpus article")?;
        let round = n / texts.len();
        let title = if round == 0 {
            t.title.clone()
        } else {
            format!("{} ({})", t.title, round + 1)
        };
        let url = format!("https://archive-wire.example/news/{n}");
        let text = t.paragraphs.join("\n\n");
        let html: String = t
            .paragraphs
            .iter()
            .map(|p| format!("<p>{}</p>\n", tidings_origin::escape(p)))
            .collect();
        // Spread over the last year, newest last.
        let at = now - i64::try_from(articles - n)? * 300_000;
        store
            .insert_article(&NewArticle {
                source_id: Some(source),
                url: Some(CanonicalUrl::parse(&url)?),
                original_url: url,
                title,
                description: t.paragraphs.first().cloned(),
                authors: vec![t.author.clone()],
                published_at: Some(at),
                language: Some("en".into()),
                html,
                text,
                extract_status: tidings_core::ExtractStatus::Extracted,
                fetched_at: Some(at),
                ..Default::default()
            })
            .await?;
        if (n + 1) % 10_000 == 0 {
            eprintln!(
                "{} articles, {:.0}/s",
                n + 1,
                (n + 1) as f64 / start.elapsed().as_secs_f64()
            );
        }
    }

    // A thread: a few readers, comments and replies.
    let mut users = Vec::new();
    for k in 0..8 {
        let name = format!("reader{k}");
        let u = store
            .create_user(&NewUser {
                username: &name,
                email: None,
                password_hash: "not-a-login",
                role: Role::Member,
            })
            .await?;
        users.push(u.id);
    }
    let mut posted = Vec::new();
    for k in 0..comments {
        let body = texts
            .get(k % texts.len())
            .and_then(|t| t.paragraphs.get(1).or(t.paragraphs.first()))
            .cloned()
            .unwrap_or_default();
        let parent = if k % 3 == 2 {
            posted.last().copied()
        } else {
            None
        };
        let outcome = store
            .post_comment(
                &NewComment {
                    thread: Thread::Article(target),
                    parent,
                    user: *users.get(k % users.len()).context("user")?,
                    body: &body.chars().take(600).collect::<String>(),
                    ip_hash: None,
                },
                6,
            )
            .await?;
        if let tidings_store::PostOutcome::Posted(id) = outcome {
            posted.push(id);
        }
    }
    eprintln!(
        "seeded {articles} articles and {} comments in {:.1} s; total articles {}",
        posted.len(),
        start.elapsed().as_secs_f64(),
        store.count_articles().await?
    );
    println!("{}", target.0);
    store.close().await;
    Ok(())
}

/// A crawled full-text article in a story of two or more sources with
/// related articles: the richest article page.
async fn pick_target(store: &Store) -> Result<tidings_core::ArticleId> {
    for s in store.top_stories(0, 2, 50).await? {
        for c in store.story_coverage(s.id).await? {
            let Some(a) = store.article(c.article_id).await? else {
                continue;
            };
            if a.source_display == DisplayPolicy::Full
                && !c.is_copy
                && !store.related_cards(a.id).await?.is_empty()
            {
                return Ok(a.id);
            }
        }
    }
    bail!("no crawled full-text article in a two-source story with related articles: crawl first")
}
