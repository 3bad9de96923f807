//! Per-user state at scale: seed readers with follows, mutes, watermarks and
//! read marks over a database that already has articles (bench_seed's), then
//! time the store calls behind "for you" and a reader app's unread counts for
//! a sample of readers.
//!
//! ```sh
//! cargo run --release -p tidings --example bench_readers -- \
//!     DATABASE_URL [USERS] [MARKS_PER_USER] [SAMPLES]
//! ```
//!
//! Seeding (skipped when the readers are there already) spreads the
//! articles over 200 sources (first seen when published: bench_seed's
//! articles are five minutes apart over a year, so the last 30 days hold
//! about 8,600 of 100,000), puts the newest 30,000 in stories of three and
//! a third of them in topics, adds USERS readers (10,000) who each follow 15
//! sources, 3 topics and 5 stories and mute a source, gives a fifth of them
//! an "all read before 3 days ago" watermark and another fifth a source
//! watermark, and MARKS_PER_USER read marks each (100: 1M in all, one in
//! twenty "kept unread") on articles of the sources they follow. Readers who
//! existed before (the account the web benchmark signs in with) get the same.
//!
//! Then, for SAMPLES readers (500) spread over the ids: the page of "for
//! you" as `services::reader::for_you` reads it (ids and the unread count
//! together, then the cards with state, then their stories), the unread
//! count per followed source (`unread_by_source`, the Reader API's
//! `unread-count`), and the state of 30 cards of a list (`item_states`).
//! Prints p50 / p95 / p99 / max of each.

use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};
use tidings_core::{ArticleId, CanonicalUrl, DisplayPolicy, SourceKind, StoryId, UserId};
use tidings_store::{NewSource, Store, Stream, StreamQuery};

const SOURCES: i64 = 200;
const FOLLOWED_SOURCES: i64 = 15;
const FOLLOWED_STORIES: i64 = 5;
const STORY_ARTICLES: i64 = 30_000;

/// `WITH RECURSIVE` numbers 0..n, on both databases.
fn numbers(name: &str, n: i64) -> String {
    format!("{name}(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM {name} WHERE i + 1 < {n})")
}

async fn ints(store: &Store, sql: &str) -> Result<Vec<i64>> {
    store
        .debug_query_ints(sql)
        .await
        .with_context(|| sql.to_string())
}

async fn one(store: &Store, sql: &str) -> Result<i64> {
    ints(store, sql)
        .await?
        .first()
        .copied()
        .with_context(|| format!("no row: {sql}"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(url) = args.first() else {
        bail!("usage: bench_readers DATABASE_URL [USERS] [MARKS_PER_USER] [SAMPLES]");
    };
    let arg = |i: usize, d: i64| -> Result<i64> {
        args.get(i).map_or(Ok(d), |s| {
            s.parse().with_context(|| format!("argument {i}: {s}"))
        })
    };
    let users = arg(1, 10_000)?;
    let marks = arg(2, 100)?;
    let samples = arg(3, 500)?;
    let store = Store::open(url, &Default::default()).await?;

    let seeded = store
        .debug_execute("UPDATE users SET role = role WHERE username = 'member0'")
        .await?;
    if seeded == 0 {
        seed(&store, users, marks).await?;
    }
    let ids = ints(&store, "SELECT id FROM users ORDER BY id").await?;
    measure(&store, &ids, samples).await
}

async fn seed(store: &Store, users: i64, marks: i64) -> Result<()> {
    let t0 = Instant::now();
    let now = tidings_core::now_ms();
    // Sources: the existing ones plus enough to make 200.
    let existing = store.list_sources().await?;
    for k in existing.len() as i64..SOURCES {
        store
            .add_source(&NewSource {
                url: CanonicalUrl::parse(&format!("https://wire{k}.example/feed.xml"))?,
                kind: SourceKind::Feed,
                name: Some(format!("Wire {k}")),
                site_url: None,
                display: DisplayPolicy::Full,
                profile: Default::default(),
            })
            .await?;
    }
    let sources: Vec<i64> = store.list_sources().await?.iter().map(|s| s.id.0).collect();
    let s_min = *sources.iter().min().context("sources")?;
    let s_max = *sources.iter().max().context("sources")?;
    if s_max - s_min + 1 != SOURCES {
        bail!("source ids are not contiguous: {s_min}..{s_max} for {SOURCES}");
    }
    // The stored articles (bench_seed's "Archive Wire", or all when there
    // is none) over the sources, by id.
    let archive = existing
        .iter()
        .find(|s| s.name.as_deref() == Some("Archive Wire"))
        .map_or_else(String::new, |s| format!(" WHERE source_id = {}", s.id.0));
    // First seen when published (bench_seed spreads those over a year, five
    // minutes apart): about 8,600 articles in the last 30 days, not all.
    store
        .debug_execute(&format!(
            "UPDATE articles SET created_at = published_at WHERE published_at IS NOT NULL AND published_at < created_at{}",
            archive.replace(" WHERE ", " AND ")
        ))
        .await?;
    store
        .debug_execute(&format!(
            "UPDATE articles SET source_id = {s_min} + (id % {SOURCES}){archive}"
        ))
        .await?;
    // The newest articles in stories of three, a third of them in a topic.
    let (a_max, a_min) = (
        one(store, "SELECT MAX(id) FROM articles").await?,
        one(store, "SELECT MIN(id) FROM articles").await?,
    );
    let first = (a_max - STORY_ARTICLES + 1).max(a_min);
    let n_stories = (a_max - first + 1) / 3;
    store
        .debug_execute(&format!(
            "INSERT INTO stories (title, first_seen_at, last_seen_at, article_count, source_count, created_at, updated_at)
             WITH RECURSIVE {} SELECT 'Story ' || i, {now}, {now}, 3, 3, {now}, {now} FROM n",
            numbers("n", n_stories)
        ))
        .await?;
    let st_min = one(store, "SELECT MAX(id) FROM stories").await? - n_stories + 1;
    store
        .debug_execute(&format!(
            "UPDATE articles SET story_id = {st_min} + (id - {first}) / 3 WHERE id >= {first} AND id < {first} + {n_stories} * 3"
        ))
        .await?;
    store
        .debug_execute(&format!(
            "UPDATE stories SET first_seen_at = (SELECT MIN(created_at) FROM articles a WHERE a.story_id = stories.id),
                last_seen_at = (SELECT MAX(created_at) FROM articles a WHERE a.story_id = stories.id),
                lead_article_id = (SELECT MIN(id) FROM articles a WHERE a.story_id = stories.id)
             WHERE id >= {st_min}"
        ))
        .await?;
    let topics: Vec<&str> = tidings_core::Topic::ALL.iter().map(|t| t.slug()).collect();
    let n_topics = topics.len() as i64;
    for (k, t) in topics.iter().enumerate() {
        store
            .debug_execute(&format!(
                "INSERT INTO article_topics (article_id, topic, score)
                 SELECT id, '{t}', 1 FROM articles WHERE id >= {first} AND id % 3 = 0 AND (id / 3) % {n_topics} = {k}
                 ON CONFLICT DO NOTHING"
            ))
            .await?;
    }
    eprintln!(
        "sources, {n_stories} stories and topics in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    // Readers.
    store
        .debug_execute(&format!(
            "INSERT INTO users (username, password_hash, role, created_at)
             WITH RECURSIVE {} SELECT 'member' || i, 'not-a-login', 'member', {now} FROM n",
            numbers("n", users)
        ))
        .await?;
    let u_ids = ints(store, "SELECT id FROM users ORDER BY id").await?;
    let u_min = *u_ids.first().context("users")?;
    let u_max = *u_ids.last().context("users")?;
    let per_source = (a_max - a_min + 1) / SOURCES;
    // Follows, mutes, watermarks and marks, 1,000 readers per statement.
    let mut from = u_min;
    while from <= u_max {
        let to = (from + 999).min(u_max);
        let span = to - from + 1;
        let users_cte =
            format!("u(id) AS (SELECT {from} UNION ALL SELECT id + 1 FROM u WHERE id + 1 <= {to})");
        store
            .debug_execute(&format!(
                "INSERT INTO followed_sources (user_id, source_id, created_at)
                 WITH RECURSIVE {users_cte}, {}
                 SELECT u.id, {s_min} + ((u.id * 7 + j.i * 13) % {SOURCES}), {now} FROM u, j",
                numbers("j", FOLLOWED_SOURCES)
            ))
            .await?;
        store
            .debug_execute(&format!(
                "INSERT INTO muted_sources (user_id, source_id, created_at)
                 WITH RECURSIVE {users_cte}
                 SELECT u.id, {s_min} + ((u.id * 7 + {FOLLOWED_SOURCES} * 13) % {SOURCES}), {now} FROM u"
            ))
            .await?;
        for (k, t) in topics.iter().enumerate() {
            let k = k as i64;
            // Reader u follows topics u, u+5 and u+10 (mod the topic count).
            store
                .debug_execute(&format!(
                    "INSERT INTO followed_topics (user_id, topic, created_at)
                     WITH RECURSIVE {users_cte}
                     SELECT u.id, '{t}', {now} FROM u
                     WHERE (u.id % {n_topics}) IN ({k}, ({k} + {n_topics} - 5) % {n_topics}, ({k} + {n_topics} - 10) % {n_topics})
                     ON CONFLICT DO NOTHING"
                ))
                .await?;
        }
        store
            .debug_execute(&format!(
                "INSERT INTO followed_stories (user_id, story_id, created_at, last_visit_at)
                 WITH RECURSIVE {users_cte}, {}
                 SELECT u.id, {st_min} + ((u.id * 97 + j.i * 1009) % {n_stories}), {now}, {} FROM u, j
                 WHERE 1 = 1 ON CONFLICT DO NOTHING",
                numbers("j", FOLLOWED_STORIES),
                now - 2 * 86_400_000
            ))
            .await?;
        store
            .debug_execute(&format!(
                "INSERT INTO read_watermarks (user_id, stream, read_before, updated_at)
                 WITH RECURSIVE {users_cte}
                 SELECT u.id, 'all', {}, {now} FROM u WHERE u.id % 5 = 0",
                now - 3 * 86_400_000
            ))
            .await?;
        store
            .debug_execute(&format!(
                "INSERT INTO read_watermarks (user_id, stream, read_before, updated_at)
                 WITH RECURSIVE {users_cte}
                 SELECT u.id, 'source:' || ({s_min} + ((u.id * 7) % {SOURCES})), {}, {now} FROM u WHERE u.id % 5 = 1",
                now - 86_400_000
            ))
            .await?;
        // Mark k of reader u: an article of followed source k % 15, among
        // that source's newest 500.
        store
            .debug_execute(&format!(
                "INSERT INTO read_marks (user_id, article_id, is_read, marked_at)
                 WITH RECURSIVE {users_cte}, {}
                 SELECT u.id, a.id, CASE WHEN k.i % 20 = 19 THEN 0 ELSE 1 END, {now}
                 FROM u, k, articles a
                 WHERE a.id = {a_max} - (({a_max} - ((u.id * 7 + (k.i % {FOLLOWED_SOURCES}) * 13) % {SOURCES})) % {SOURCES})
                     - {SOURCES} * ((u.id * 31 + k.i * 17) % {})
                 ON CONFLICT DO NOTHING",
                numbers("k", marks),
                per_source.clamp(1, 500)
            ))
            .await?;
        eprintln!(
            "readers {from}..{to} ({span}) in {:.1} s",
            t0.elapsed().as_secs_f64()
        );
        from = to + 1;
    }
    store.debug_execute("ANALYZE").await?;
    eprintln!(
        "seeded {users} readers in {:.1} s: {}",
        t0.elapsed().as_secs_f64(),
        counts(store).await?
    );
    Ok(())
}

async fn counts(store: &Store) -> Result<String> {
    let mut out = Vec::new();
    for t in [
        "users",
        "articles",
        "followed_sources",
        "followed_topics",
        "followed_stories",
        "muted_sources",
        "read_watermarks",
        "read_marks",
    ] {
        out.push(format!(
            "{t} {}",
            one(store, &format!("SELECT COUNT(*) FROM {t}")).await?
        ));
    }
    Ok(out.join(", "))
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn report(name: &str, v: &mut [Duration]) {
    println!(
        "{name:<40} n={:<5} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        v.len(),
        pct(v, 0.50),
        pct(v, 0.95),
        pct(v, 0.99),
        pct(v, 1.0)
    );
}

async fn measure(store: &Store, users: &[i64], samples: i64) -> Result<()> {
    let step = (users.len() / samples.max(1) as usize).max(1);
    let sample: Vec<UserId> = users.iter().step_by(step).map(|u| UserId(*u)).collect();
    let (mut for_you, mut unread_page, mut by_source, mut states) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut ids_only, mut count_only) = (Vec::new(), Vec::new());
    let (mut items_seen, mut unread_seen, mut sources_seen) = (0usize, 0i64, 0usize);
    // Warm the caches once.
    for u in sample.iter().take(20) {
        store.unread_by_source(*u).await?;
    }
    for u in &sample {
        // "For you" as the service reads it: a page of 30 (+1 to know
        // whether there is a next page) and the unread count together,
        // then the cards with state, then their stories.
        let t = Instant::now();
        let q = StreamQuery::new(Stream::Following, 31);
        let (entries, unread) = tokio::try_join!(
            store.stream_ids(*u, &q),
            store.unread_count(*u, &Stream::Following)
        )?;
        let ids: Vec<ArticleId> = entries.iter().take(30).map(|e| e.id).collect();
        let items = store.reader_items(*u, &ids).await?;
        let mut stories: Vec<StoryId> = items.iter().filter_map(|i| i.card.story_id).collect();
        stories.sort_unstable();
        stories.dedup();
        store.stories_by_ids(&stories).await?;
        for_you.push(t.elapsed());
        items_seen += items.len();
        unread_seen += unread;

        // Its two big parts on their own.
        let t = Instant::now();
        store.stream_ids(*u, &q).await?;
        ids_only.push(t.elapsed());
        let t = Instant::now();
        store.unread_count(*u, &Stream::Following).await?;
        count_only.push(t.elapsed());

        // The unread-only page.
        let t = Instant::now();
        let q = StreamQuery {
            unread_only: true,
            ..StreamQuery::new(Stream::Following, 31)
        };
        let entries = store.stream_ids(*u, &q).await?;
        let ids: Vec<ArticleId> = entries.iter().take(30).map(|e| e.id).collect();
        store.reader_items(*u, &ids).await?;
        unread_page.push(t.elapsed());

        let t = Instant::now();
        let per_source = store.unread_by_source(*u).await?;
        by_source.push(t.elapsed());
        sources_seen += per_source.len();

        // A list page's 30 cards with the reader's state.
        let cards: Vec<_> = items.iter().map(|i| i.card.clone()).collect();
        let t = Instant::now();
        store.item_states(*u, &cards).await?;
        states.push(t.elapsed());
    }
    let n = sample.len().max(1);
    println!(
        "{} readers sampled; per reader on average: {} for-you items on the first page, {} unread in for-you, {} followed sources with unread",
        sample.len(),
        items_seen / n,
        unread_seen / n as i64,
        sources_seen / n
    );
    report("for-you page (ids + unread count + cards)", &mut for_you);
    report("  of which: a page of ids", &mut ids_only);
    report("  of which: the unread count (capped)", &mut count_only);
    report("for-you, unread only", &mut unread_page);
    report("unread-count per followed source", &mut by_source);
    report("list state of 30 cards", &mut states);
    Ok(())
}
