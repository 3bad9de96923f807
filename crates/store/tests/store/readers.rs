//! Readers' own news on both backends: follows, mutes, labels, saved
//! articles, read marks and watermarks, streams, and private sources kept
//! off every public query.

use super::{article, each_backend, src};
use tidings_core::{ArticleId, CanonicalUrl, SourceId, SourceKind, StoryId, Timestamp, UserId};
use tidings_store::{
    NewUser, PageTarget, READ_HORIZON_MS, Role, Store, StoreError, Stream, StreamQuery,
    UNREAD_COUNT_CAP,
};

async fn user(s: &Store, name: &str) -> UserId {
    s.create_user(&NewUser {
        username: name,
        email: None,
        password_hash: "$argon2id$fake",
        role: Role::Member,
    })
    .await
    .unwrap()
    .id
}

/// A source with `n` articles, first seen one second apart (oldest first).
async fn source_with(s: &Store, host: &str, n: usize) -> (SourceId, Vec<ArticleId>) {
    let so = s
        .add_source(&src(&format!("https://{host}/feed")))
        .await
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for i in 0..n {
        let id = s
            .insert_article(&article(
                so,
                &format!("https://{host}/a{i}"),
                &format!("{host} {i}"),
            ))
            .await
            .unwrap();
        ids.push(id);
    }
    (so, ids)
}

/// Give the articles distinct first-seen times: `base + index` seconds.
async fn spread(s: &Store, ids: &[ArticleId], base: i64) {
    for (i, id) in ids.iter().enumerate() {
        s.debug_execute(&format!(
            "UPDATE articles SET created_at = {} WHERE id = {}",
            base + i as i64 * 1000,
            id.0
        ))
        .await
        .unwrap();
    }
}

async fn ids(s: &Store, u: UserId, q: &StreamQuery) -> Vec<ArticleId> {
    s.stream_ids(u, q)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
}

async fn story_of(s: &Store, members: &[ArticleId]) -> StoryId {
    let mut tx = s.begin_clustering().await.unwrap();
    let now = tidings_core::now_ms();
    let story = tx.new_story(members[0], "A story", now, b"").await.unwrap();
    for m in members {
        tx.add_article(*m, story, now, &[]).await.unwrap();
    }
    tx.commit(&[]).await.unwrap();
    story
}

#[tokio::test]
async fn follows_make_the_for_you_stream_grouped_newest_first_without_muted_sources() {
    each_backend(async |db| {
        let s = &db.store;
        let ada = user(s, "ada").await;
        let now = tidings_core::now_ms();
        let (wire, w) = source_with(s, "wire.example", 3).await;
        let (herald, h) = source_with(s, "herald.example", 2).await;
        let (noise, n) = source_with(s, "noise.example", 2).await;
        let mut all: Vec<ArticleId> = Vec::new();
        // Interleave first-seen times: w0 h0 n0 w1 h1 n1 w2.
        for (i, id) in [w[0], h[0], n[0], w[1], h[1], n[1], w[2]]
            .iter()
            .enumerate()
        {
            spread(s, &[*id], now - 60_000 + i as i64 * 1000).await;
            all.push(*id);
        }
        // Nothing followed: an empty stream, no query errors.
        let q = StreamQuery::new(Stream::Following, 10);
        assert!(ids(s, ada, &q).await.is_empty());
        assert_eq!(s.unread_count(ada, &Stream::Following).await.unwrap(), 0);

        assert!(s.follow_source(ada, wire).await.unwrap());
        assert!(!s.follow_source(ada, wire).await.unwrap(), "twice is once");
        assert_eq!(ids(s, ada, &q).await, vec![w[2], w[1], w[0]]);

        // A followed story brings its articles from other sources; a topic too.
        let story = story_of(s, &[h[1]]).await;
        assert!(s.follow_story(ada, story).await.unwrap());
        s.debug_execute(&format!(
            "INSERT INTO article_topics (article_id, topic, score) VALUES ({}, 'science', 1)",
            n[0].0
        ))
        .await
        .unwrap();
        assert!(s.follow_topic(ada, "science").await.unwrap());
        assert_eq!(ids(s, ada, &q).await, vec![w[2], h[1], w[1], n[0], w[0]]);

        // Muting a source takes it out of for-you even when followed otherwise.
        assert!(s.mute_source(ada, noise).await.unwrap());
        assert_eq!(ids(s, ada, &q).await, vec![w[2], h[1], w[1], w[0]]);
        assert!(s.unmute_source(ada, noise).await.unwrap());

        // Pages continue where the last one ended; oldest first too.
        let mut page = StreamQuery::new(Stream::Following, 2);
        let first = s.stream_ids(ada, &page).await.unwrap();
        assert_eq!(
            first.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![w[2], h[1]]
        );
        let last = first[1];
        page.cursor = Some((last.created_at.0, last.id.0));
        assert_eq!(ids(s, ada, &page).await, vec![w[1], n[0]]);
        let mut old = StreamQuery::new(Stream::Following, 3);
        old.oldest_first = true;
        assert_eq!(ids(s, ada, &old).await, vec![w[0], n[0], w[1]]);

        // Unread: all five are new; reading two leaves three.
        assert_eq!(s.unread_count(ada, &Stream::Following).await.unwrap(), 5);
        assert_eq!(s.mark_read(ada, &[w[2], n[0]], true).await.unwrap(), 2);
        let mut unread = StreamQuery::new(Stream::Following, 10);
        unread.unread_only = true;
        assert_eq!(ids(s, ada, &unread).await, vec![h[1], w[1], w[0]]);
        assert_eq!(s.unread_count(ada, &Stream::Following).await.unwrap(), 3);
        let items = s
            .stream_items(ada, &StreamQuery::new(Stream::Following, 10))
            .await
            .unwrap();
        let read: Vec<bool> = items.iter().map(|i| i.read).collect();
        assert_eq!(read, vec![true, false, false, true, false]);

        // Follows list what is followed, with stories' news since the last visit.
        let f = s.follows(ada).await.unwrap();
        assert_eq!(f.sources.len(), 1);
        assert_eq!(f.sources[0].name, "https://wire.example/feed");
        assert_eq!(f.topics[0].topic, "science");
        assert_eq!(f.stories[0].story_id, story);
        assert_eq!(f.stories[0].new_since_visit, 0);
        assert!(f.muted.is_empty());
        let _ = (herald, all);

        // Unknown targets are not found; unfollowing works once.
        assert!(matches!(
            s.follow_source(ada, SourceId(9999)).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.follow_topic(ada, "astrology").await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.follow_story(ada, StoryId(9999)).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(s.unfollow_topic(ada, "science").await.unwrap());
        assert!(!s.unfollow_topic(ada, "science").await.unwrap());
        assert!(s.unfollow_story(ada, story).await.unwrap());
        assert!(s.unfollow_source(ada, wire).await.unwrap());
        assert!(ids(s, ada, &q).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn new_since_the_last_visit_of_a_followed_story() {
    each_backend(async |db| {
        let s = &db.store;
        let ada = user(s, "ada").await;
        let (_, a) = source_with(s, "one.example", 3).await;
        let story = story_of(s, &[a[0]]).await;
        s.follow_story(ada, story).await.unwrap();
        let visit = Timestamp(tidings_core::now_ms());
        let state = s
            .page_state(
                ada,
                &PageTarget {
                    story: Some(story),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let last = state.story_last_visit.unwrap();
        // Two more articles join, first seen after the visit.
        spread(s, &a[1..], last.0 + 5_000).await;
        let mut tx = s.begin_clustering().await.unwrap();
        for m in &a[1..] {
            tx.add_article(*m, story, visit.0, &[]).await.unwrap();
        }
        tx.commit(&[]).await.unwrap();
        assert_eq!(s.story_articles_since(story, last).await.unwrap(), 2);
        assert_eq!(s.follows(ada).await.unwrap().stories[0].new_since_visit, 2);
        s.visit_story(ada, story, Timestamp(last.0 + 60_000))
            .await
            .unwrap();
        assert_eq!(s.follows(ada).await.unwrap().stories[0].new_since_visit, 0);
    })
    .await;
}

#[tokio::test]
async fn mark_all_as_read_writes_one_row_per_stream_and_marks_override_it() {
    each_backend(async |db| {
        let s = &db.store;
        let ada = user(s, "ada").await;
        let bob = user(s, "bob").await;
        let now = tidings_core::now_ms();
        let (wire, w) = source_with(s, "wire.example", 4).await;
        let (herald, h) = source_with(s, "herald.example", 2).await;
        spread(s, &w, now - 100_000).await;
        spread(s, &h, now - 50_000).await;
        for u in [ada, bob] {
            s.follow_source(u, wire).await.unwrap();
            s.follow_source(u, herald).await.unwrap();
        }
        assert_eq!(s.unread_count(ada, &Stream::Subscriptions).await.unwrap(), 6);

        // One source, up to its third article: a watermark, not marks.
        s.mark_read(ada, &[w[0]], true).await.unwrap();
        s.mark_read(ada, &[w[1]], false).await.unwrap(); // kept unread…
        s.mark_all_read(ada, &Stream::Source(wire), Timestamp(now - 100_000 + 2000))
            .await
            .unwrap();
        // …until marked all read: both marks went, the watermark holds.
        let marks = s
            .debug_execute(&format!(
                "UPDATE read_marks SET marked_at = marked_at WHERE user_id = {}",
                ada.0
            ))
            .await
            .unwrap();
        assert_eq!(marks, 0);
        assert_eq!(s.unread_count(ada, &Stream::Source(wire)).await.unwrap(), 1);
        assert_eq!(s.unread_count(bob, &Stream::Source(wire)).await.unwrap(), 4, "bob's own");
        let by_source = s.unread_by_source(ada).await.unwrap();
        assert_eq!(
            by_source
                .iter()
                .map(|u| (u.source_id, u.count))
                .collect::<Vec<_>>(),
            vec![(wire, 1), (herald, 2)]
        );
        // A mark beats the watermark both ways.
        s.mark_read(ada, &[w[0]], false).await.unwrap();
        assert_eq!(s.unread_count(ada, &Stream::Source(wire)).await.unwrap(), 2);
        let mut unread = StreamQuery::new(Stream::Source(wire), 10);
        unread.unread_only = true;
        assert_eq!(ids(s, ada, &unread).await, vec![w[3], w[0]]);
        let states = s
            .item_states(
                ada,
                &s.article_cards(&[w[0], w[1], w[3]]).await.unwrap(),
            )
            .await
            .unwrap();
        let mut by_id: Vec<(ArticleId, bool)> = s
            .article_cards(&[w[0], w[1], w[3]])
            .await
            .unwrap()
            .iter()
            .zip(&states)
            .map(|(c, st)| (c.id, st.read))
            .collect();
        by_id.sort();
        assert_eq!(by_id, vec![(w[0], false), (w[1], true), (w[3], false)]);

        // Everything: the `all` watermark; a future time counts as now.
        s.mark_all_read(ada, &Stream::Following, Timestamp(now + 3_600_000))
            .await
            .unwrap();
        assert_eq!(s.unread_count(ada, &Stream::Subscriptions).await.unwrap(), 0);
        let (_, late) = source_with(s, "late.example", 1).await;
        s.debug_execute(&format!(
            "UPDATE articles SET created_at = {} WHERE id = {}",
            tidings_core::now_ms() + 10_000,
            late[0].0
        ))
        .await
        .unwrap();
        s.debug_execute(&format!(
            "UPDATE articles SET source_id = {} WHERE id = {}",
            wire.0, late[0].0
        ))
        .await
        .unwrap();
        assert_eq!(
            s.unread_count(ada, &Stream::Subscriptions).await.unwrap(),
            1,
            "an article seen after the mark is new"
        );
        assert_eq!(s.unread_count(bob, &Stream::Subscriptions).await.unwrap(), 7);

        // Topic and story watermarks.
        s.debug_execute(&format!(
            "INSERT INTO article_topics (article_id, topic, score) VALUES ({}, 'world', 1), ({}, 'world', 1)",
            h[0].0, h[1].0
        ))
        .await
        .unwrap();
        s.mark_all_read(bob, &Stream::Topic("world".into()), Timestamp(now))
            .await
            .unwrap();
        assert_eq!(s.unread_count(bob, &Stream::Source(herald)).await.unwrap(), 0);
        let story = story_of(s, &[w[0], w[1]]).await;
        s.mark_all_read(bob, &Stream::Story(story), Timestamp(now))
            .await
            .unwrap();
        assert_eq!(s.unread_count(bob, &Stream::Source(wire)).await.unwrap(), 3);
        let page = s
            .page_state(
                bob,
                &PageTarget {
                    article: Some((h[0], Timestamp(now - 50_000))),
                    source: Some(herald),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(page.article.read, "read through the topic's watermark");
        assert!(page.following_source);

        // The read horizon: an old article is read without any mark.
        s.debug_execute(&format!(
            "UPDATE articles SET created_at = {} WHERE id = {}",
            now - READ_HORIZON_MS - 1000,
            w[3].0
        ))
        .await
        .unwrap();
        assert_eq!(s.unread_count(bob, &Stream::Source(wire)).await.unwrap(), 2);

        // Labels: mark all read on a label writes one watermark per source.
        assert!(s.add_source_label(bob, herald, "News").await.unwrap());
        assert!(s.add_source_label(bob, wire, " News ").await.unwrap());
        assert!(!s.add_source_label(bob, wire, "News").await.unwrap());
        assert_eq!(s.labels(bob).await.unwrap(), vec![("News".to_string(), 2)]);
        let mut label = StreamQuery::new(Stream::Label("News".into()), 10);
        label.unread_only = true;
        assert_eq!(ids(s, bob, &label).await, vec![late[0], w[2]]);
        s.mark_all_read(bob, &Stream::Label("News".into()), Timestamp(now + 60_000))
            .await
            .unwrap();
        // Up to now only: the article first seen "later" stays new.
        assert_eq!(ids(s, bob, &label).await, vec![late[0]]);
        assert_eq!(s.rename_label(bob, "News", "Daily").await.unwrap(), 2);
        assert_eq!(s.labels(bob).await.unwrap(), vec![("Daily".to_string(), 2)]);
        assert!(s.remove_source_label(bob, wire, "Daily").await.unwrap());
        assert_eq!(s.delete_label(bob, "Daily").await.unwrap(), 1);
        assert!(matches!(
            s.add_source_label(ada, SourceId(9999), "X").await,
            Err(StoreError::NotFound(_))
        ));
        assert!(s.rename_followed_source(bob, wire, Some("My wire")).await.unwrap());
        let f = s.follows(bob).await.unwrap();
        assert_eq!(f.sources[0].name, "https://herald.example/feed");
        assert_eq!(f.sources[1].name, "My wire");
        assert_eq!(f.sources[1].title.as_deref(), Some("My wire"));
    })
    .await;
}

#[tokio::test]
async fn saved_articles_and_unread_counts_stop_at_the_cap() {
    each_backend(async |db| {
        let s = &db.store;
        let ada = user(s, "ada").await;
        let (wire, w) = source_with(s, "wire.example", 3).await;
        assert!(s.save_article(ada, w[0]).await.unwrap());
        assert!(!s.save_article(ada, w[0]).await.unwrap());
        s.save_article(ada, w[2]).await.unwrap();
        assert!(matches!(
            s.save_article(ada, ArticleId(9999)).await,
            Err(StoreError::NotFound(_))
        ));
        let saved = s.saved_items(ada, None, 10).await.unwrap();
        let got: Vec<ArticleId> = saved.iter().map(|i| i.card.id).collect();
        assert!(got == vec![w[2], w[0]] || got == vec![w[0], w[2]], "{got:?}");
        assert!(saved.iter().all(|i| i.saved_at.is_some() && !i.read));
        let first = &saved[0];
        let next = s
            .saved_items(
                ada,
                Some((first.saved_at.unwrap().0, first.card.id.0)),
                10,
            )
            .await
            .unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(ids(s, ada, &StreamQuery::new(Stream::Saved, 10)).await.len(), 2);
        s.mark_all_read(ada, &Stream::Saved, Timestamp(tidings_core::now_ms()))
            .await
            .unwrap();
        assert!(s.saved_items(ada, None, 10).await.unwrap().iter().all(|i| i.read));
        assert!(s.unsave_article(ada, w[0]).await.unwrap());
        assert!(!s.unsave_article(ada, w[0]).await.unwrap());

        // Many unread: counted up to the cap only.
        s.follow_source(ada, wire).await.unwrap();
        let values: Vec<String> = (0..UNREAD_COUNT_CAP + 5)
            .map(|i| {
                format!(
                    "({}, 'https://wire.example/bulk{i}', 'https://wire.example/bulk{i}', 'Bulk {i}', {}, {})",
                    wire.0,
                    tidings_core::now_ms(),
                    tidings_core::now_ms()
                )
            })
            .collect();
        s.debug_execute(&format!(
            "INSERT INTO articles (source_id, url, original_url, title, created_at, updated_at) VALUES {}",
            values.join(", ")
        ))
        .await
        .unwrap();
        assert_eq!(
            s.unread_count(ada, &Stream::Following).await.unwrap(),
            UNREAD_COUNT_CAP
        );
        assert_eq!(
            s.unread_by_source(ada).await.unwrap()[0].count,
            UNREAD_COUNT_CAP + 5 + 1
        );
    })
    .await;
}

#[tokio::test]
async fn private_sources_reach_their_followers_only() {
    each_backend(async |db| {
        let s = &db.store;
        let ada = user(s, "ada").await;
        let bob = user(s, "bob").await;
        let (public, p) = source_with(s, "public.example", 1).await;
        let url = CanonicalUrl::parse("https://ada.example/feed.xml").unwrap();

        // Not allowed: nothing added.
        assert_eq!(
            s.subscribe_url(ada, &url, SourceKind::Feed, None, false)
                .await
                .unwrap(),
            None
        );
        let sub = s
            .subscribe_url(ada, &url, SourceKind::Feed, Some("Mine"), true)
            .await
            .unwrap()
            .unwrap();
        assert!(sub.created && sub.newly_followed);
        let private = sub.source;
        let src = s.source(private).await.unwrap().unwrap();
        assert!(src.private && src.enabled && src.added_by == Some(ada));
        // A subscription to a public source's address follows it.
        let again = s
            .subscribe_url(
                bob,
                &CanonicalUrl::parse("https://public.example/feed").unwrap(),
                SourceKind::Feed,
                None,
                false,
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.source, public);
        assert!(!again.created);

        let secret = s
            .insert_article(&article(
                private,
                "https://ada.example/secret",
                "Ada's secret",
            ))
            .await
            .unwrap();
        // Ada sees it in her streams; Bob cannot reach it by id or by follow.
        let q = StreamQuery::new(Stream::Subscriptions, 10);
        assert_eq!(ids(s, ada, &q).await, vec![secret]);
        assert_eq!(
            ids(s, bob, &StreamQuery::new(Stream::Source(private), 10)).await,
            Vec::<ArticleId>::new()
        );
        assert!(s.may_read_source(Some(ada), private).await.unwrap());
        assert!(!s.may_read_source(Some(bob), private).await.unwrap());
        assert!(!s.may_read_source(None, private).await.unwrap());
        assert!(matches!(
            s.follow_source(bob, private).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.mute_source(bob, private).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.save_article(bob, secret).await,
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(s.mark_read(bob, &[secret], true).await.unwrap(), 0);
        assert!(s.reader_items(bob, &[secret, p[0]]).await.unwrap().len() == 1);
        assert_eq!(s.reader_items(ada, &[secret]).await.unwrap().len(), 1);
        assert!(s.save_article(ada, secret).await.unwrap());

        // No public query shows it.
        let row = s.article(secret).await.unwrap().unwrap();
        assert!(row.private);
        assert!(!s.article(p[0]).await.unwrap().unwrap().private);
        use tidings_store::ArticleFilter;
        for f in [
            ArticleFilter::All,
            ArticleFilter::Source(private),
            ArticleFilter::Topic("world".into()),
        ] {
            assert!(
                s.list_articles(&f, 50, None)
                    .await
                    .unwrap()
                    .iter()
                    .all(|c| c.id != secret),
                "{f:?}"
            );
        }
        assert!(
            s.latest_articles(50, None)
                .await
                .unwrap()
                .iter()
                .all(|c| c.id != secret)
        );
        assert!(s.article_cards(&[secret]).await.unwrap().is_empty());
        assert!(
            s.sitemap_articles(0, i64::MAX)
                .await
                .unwrap()
                .iter()
                .all(|(id, _, _)| *id != secret)
        );
        assert!(
            s.article_ids_by_urls(&["https://ada.example/secret".to_string()])
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.public_sources()
                .await
                .unwrap()
                .iter()
                .all(|x| x.id != private)
        );
        assert!(s.public_source(private).await.unwrap().is_none());
        assert!(s.public_source(public).await.unwrap().is_some());
        assert!(
            s.unclustered_articles(50)
                .await
                .unwrap()
                .iter()
                .all(|a| a.id != secret),
            "never clustered into a (public) story"
        );
        let indexed = s.articles_changed_since(0, 100).await.unwrap();
        assert!(indexed.iter().find(|r| r.id == secret.0).unwrap().hidden);
        assert!(!indexed.iter().find(|r| r.id == p[0].0).unwrap().hidden);

        // A public source publishing the same address takes the article over.
        let (other, _) = source_with(s, "other.example", 0).await;
        let mut copy = article(other, "https://ada.example/secret", "Ada's secret");
        copy.text = "Body text of the article.".into();
        let seq_before = s.article(secret).await.unwrap().unwrap().change_seq;
        let got = s
            .ingest_article(
                &copy,
                &tidings_store::IngestExtras {
                    bands: &[],
                    topics: &[],
                    aliases: &[],
                    is_copy_of: &|_| false,
                    media: &[],
                    page: None,
                    job: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            got,
            tidings_store::Ingested::Duplicate {
                of: secret,
                reason: tidings_store::DupReason::Url
            }
        );
        let adopted = s.article(secret).await.unwrap().unwrap();
        assert!(!adopted.private && adopted.source_id == other);
        assert!(adopted.change_seq > seq_before, "search indexes see it");

        // The last follower leaving stops the polling; coming back restarts it.
        assert!(s.unfollow_source(ada, private).await.unwrap());
        let src = s.source(private).await.unwrap().unwrap();
        assert!(!src.enabled);
        assert_eq!(
            src.disabled_reason.as_deref(),
            Some(tidings_store::NO_SUBSCRIBERS)
        );
        let back = s
            .subscribe_url(ada, &url, SourceKind::Feed, None, false)
            .await
            .unwrap()
            .unwrap();
        assert!(!back.created && back.newly_followed);
        assert!(s.source(private).await.unwrap().unwrap().enabled);
    })
    .await;
}

/// A story page's related stories: the stories its articles' related articles
/// belong to, most related (summed score) first, never itself, and never one
/// reached only through a reader's private feed.
#[tokio::test]
async fn related_stories_rank_by_summed_relatedness_and_skip_private_feeds() {
    each_backend(async |db| {
        let s = &db.store;
        let ada = user(s, "ada").await;
        let (_, a) = source_with(s, "a.example", 2).await;
        let (_, b) = source_with(s, "b.example", 2).await;
        let (_, c) = source_with(s, "c.example", 1).await;
        let main = story_of(s, &a).await;
        let saga = story_of(s, &b).await;
        let subject = story_of(s, &c).await;
        let feed = CanonicalUrl::parse("https://ada.example/feed.xml").unwrap();
        let sub = s.subscribe_url(ada, &feed, SourceKind::Feed, None, true);
        let mine = sub.await.unwrap().unwrap().source;
        let secret = s
            .insert_article(&article(mine, "https://ada.example/x", "Ada's"))
            .await
            .unwrap();
        let private = story_of(s, &[secret]).await;
        // One strong link to `subject`, two weaker ones to `saga` (sum 1.0 > 0.9),
        // one to its own member, the strongest of all to the private story.
        s.set_related(a[0], b"", &[(c[0], 0.9), (b[0], 0.5), (a[1], 5.0)])
            .await
            .unwrap();
        s.set_related(a[1], b"", &[(secret, 9.0), (b[1], 0.5)])
            .await
            .unwrap();
        let got: Vec<StoryId> = s
            .related_stories(main, 5)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(got, vec![saga, subject]);
        assert!(!got.contains(&private));
        let one: Vec<StoryId> = s
            .related_stories(main, 1)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(one, vec![saga]);
        // The private story's own page lists nothing of the public ones through it.
        s.set_related(secret, b"", &[(a[0], 1.0)]).await.unwrap();
        assert!(s.related_stories(private, 5).await.unwrap().is_empty());
    })
    .await;
}
