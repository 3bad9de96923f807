//! Refreshing one source, end to end, in one readable function.

use crate::schedule::{jitter, next_interval, retry_delay};
use crate::{ArticlePayload, JOB_ARTICLE, Pipeline, bump};
use anyhow::Result;
use std::time::Duration;
use tidings_core::{CanonicalUrl, SourceId, SourceKind, now_ms};
use tidings_fetch::feed::{FeedItem, parse_feed};
use tidings_fetch::http::ACCEPT_FEED;
use tidings_fetch::sitemap::{Sitemap, SitemapUrl, looks_like_sitemap, parse_sitemap};
use tidings_fetch::{FetchError, FetchRequest};
use tidings_store::{NewEntry, NewJob, Source, SourceFetchUpdate};

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollOutcome {
    pub status: Option<u16>,
    pub not_modified: bool,
    pub new: usize,
    pub updated: usize,
    pub enqueued: usize,
    pub error: Option<String>,
    pub disabled: bool,
}

/// Child sitemaps read per poll of a sitemap index (newest first).
const MAX_CHILD_SITEMAPS: usize = 5;

impl Pipeline {
    /// Poll one source: conditional GET, parse the feed or sitemap, record its
    /// entries (new URLs become article jobs in the same transaction), and set
    /// the next poll from the publishing rhythm or the error backoff. Errors of
    /// the source are recorded on it, not returned: a bad feed is a normal day.
    pub async fn refresh_source(&self, id: SourceId) -> Result<PollOutcome> {
        self.poll(id, false).await
    }

    /// [`Pipeline::refresh_source`]; `discovered` once the address was
    /// already moved from a page to its feed (never twice in one poll).
    async fn poll(&self, id: SourceId, discovered: bool) -> Result<PollOutcome> {
        let Some(source) = self.store.source(id).await? else {
            return Ok(PollOutcome::default()); // removed since the job was queued
        };
        if !source.enabled {
            return Ok(PollOutcome::default());
        }
        bump(&self.stats.polls, 1);
        let url = url::Url::parse(&source.url)?;
        let request = FetchRequest {
            url: url.clone(),
            etag: source.etag.clone(),
            last_modified: source.last_modified.clone(),
            accept: ACCEPT_FEED,
        };
        let mut response = match self.fetcher.get(&request).await {
            Ok(r) => r,
            Err(e) => {
                return self
                    .record_error(&source, None, &e.to_string(), retry_after_of(&e))
                    .await;
            }
        };
        let status = response.status;
        if response.not_modified() {
            bump(&self.stats.polls_not_modified, 1);
            let interval = next_interval(
                self.interval_of(&source),
                0,
                &[],
                self.cfg.min_poll,
                self.cfg.max_poll,
            );
            self.record_success(&source, status, &response, interval, false, None)
                .await?;
            return Ok(PollOutcome {
                status: Some(status),
                not_modified: true,
                ..Default::default()
            });
        }
        if status == 410 {
            let reason = "the publisher says this feed is gone for good (HTTP 410); re-enable it if it comes back";
            return self.disable(&source, status, reason).await;
        }
        if !response.is_success() {
            let msg = format!("HTTP {status} from {}", response.final_url);
            return self
                .record_error(&source, Some(status), &msg, response.retry_after)
                .await;
        }

        // Parsing is CPU work on what a publisher sent: on the CPU pool, under its budget.
        let base = response.final_url.clone();
        let body = std::mem::take(&mut response.body);
        if looks_like_html(&body) && !discovered {
            // A site's page, not its feed (added from /admin or OPML as the
            // site's address): find the feed it offers and poll that instead.
            let ct = response.content_type.clone();
            let found = self
                .on_cpu("reading the page for its feeds", move || {
                    crate::discover::classify(&body, &base, ct.as_deref())
                })
                .await;
            return match found {
                Ok(crate::discover::Found::Page(feeds)) => {
                    let Some(first) = feeds.into_iter().next() else {
                        return self
                            .record_error(&source, Some(status), "the page offers no feed", None)
                            .await;
                    };
                    match self
                        .store
                        .move_source(source.id, &first.url, SourceKind::Feed)
                        .await
                    {
                        Ok(()) => {
                            tracing::info!(source = source.id.0, from = %source.url, to = %first.url, "the source's page offers a feed: polling it");
                            Box::pin(self.poll(id, true)).await
                        }
                        Err(tidings_store::StoreError::Duplicate(_)) => {
                            let msg = format!(
                                "{} is a web page whose feed {} is already another source",
                                source.url, first.url
                            );
                            self.record_error(&source, Some(status), &msg, None).await
                        }
                        Err(e) => Err(e.into()),
                    }
                }
                Ok(crate::discover::Found::Source(_)) | Err(_) => {
                    let msg = "the page could not be read as a feed".to_string();
                    self.record_error(&source, Some(status), &msg, None).await
                }
                Ok(crate::discover::Found::PageWithoutFeeds) => {
                    let msg =
                        crate::discover::DiscoverError::NoFeed(source.url.clone()).to_string();
                    self.record_error(&source, Some(status), &msg, None).await
                }
            };
        }
        let parsed = if source.kind == SourceKind::Sitemap || looks_like_sitemap(&body) {
            self.read_sitemap(body, base).await
        } else {
            self.on_cpu("parsing the feed", move || {
                parse_feed(&body, &base)
                    .map(|f| {
                        (
                            f.items.iter().filter_map(entry_from_item).collect(),
                            Some(f),
                        )
                    })
                    .map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()))
        };
        let (entries, feed): (Vec<NewEntry>, _) = match parsed {
            Ok(p) => p,
            Err(msg) => return self.record_error(&source, Some(status), &msg, None).await,
        };

        let source_id = source.id;
        let outcome = self
            .store
            .upsert_entries(source.id, &entries, &|e: &NewEntry| {
                e.url.as_ref().map(|u| {
                    NewJob::new(
                        JOB_ARTICLE,
                        serde_json::json!(ArticlePayload {
                            url: u.clone(),
                            source_id: source_id.0
                        }),
                    )
                    .key(format!("article:{u}"))
                    .max_attempts(self.cfg.article_attempts)
                })
            })
            .await?;
        bump(&self.stats.entries_new, outcome.new as u64);
        bump(&self.stats.entries_updated, outcome.updated as u64);

        let times: Vec<i64> = entries.iter().filter_map(|e| e.published_at).collect();
        let interval = next_interval(
            self.interval_of(&source),
            outcome.new,
            &times,
            self.cfg.min_poll,
            self.cfg.max_poll,
        );
        self.record_success(&source, status, &response, interval, outcome.new > 0, feed)
            .await?;
        Ok(PollOutcome {
            status: Some(status),
            new: outcome.new,
            updated: outcome.updated,
            enqueued: outcome.enqueued,
            ..Default::default()
        })
    }

    fn interval_of(&self, s: &Source) -> Duration {
        Duration::from_millis(u64::try_from(s.fetch_interval_ms).unwrap_or(900_000))
    }

    /// A sitemap, or the newest few sitemaps of an index.
    async fn read_sitemap(
        &self,
        body: Vec<u8>,
        base: url::Url,
    ) -> Result<(Vec<NewEntry>, Option<tidings_fetch::feed::ParsedFeed>), String> {
        let sitemap = self
            .on_cpu("parsing the sitemap", move || parse_sitemap(&body, &base))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        match sitemap {
            Sitemap::Urls(urls) => Ok((urls.iter().filter_map(entry_from_sitemap).collect(), None)),
            Sitemap::Index(mut children) => {
                children.sort_by_key(|c| std::cmp::Reverse(c.1));
                let mut entries = Vec::new();
                for (loc, _) in children.into_iter().take(MAX_CHILD_SITEMAPS) {
                    let Ok(u) = url::Url::parse(&loc) else {
                        continue;
                    };
                    let req = FetchRequest {
                        accept: ACCEPT_FEED,
                        ..FetchRequest::new(u.clone())
                    };
                    let Ok(r) = self.fetcher.get(&req).await else {
                        continue;
                    };
                    let child = self
                        .on_cpu("parsing a child sitemap", move || {
                            parse_sitemap(&r.body, &r.final_url)
                        })
                        .await;
                    if let Ok(Ok(Sitemap::Urls(urls))) = child {
                        entries.extend(urls.iter().filter_map(entry_from_sitemap));
                    }
                }
                Ok((entries, None))
            }
        }
    }

    async fn record_success(
        &self,
        source: &Source,
        status: u16,
        response: &tidings_fetch::FetchResponse,
        interval: Duration,
        new_items: bool,
        feed: Option<tidings_fetch::feed::ParsedFeed>,
    ) -> Result<()> {
        let next = jitter(interval, source.id.0 as u64 ^ now_ms() as u64);
        let update = SourceFetchUpdate {
            status: Some(i64::from(status)),
            error: None,
            etag: response.etag.clone(),
            last_modified: response.last_modified.clone(),
            title: feed.as_ref().and_then(|f| f.title.clone()),
            site_url: feed.as_ref().and_then(|f| f.site_url.clone()),
            description: feed.as_ref().and_then(|f| f.description.clone()),
            language: feed.as_ref().and_then(|f| f.language.clone()),
            next_fetch_at: now_ms() + i64::try_from(next.as_millis()).unwrap_or(i64::MAX / 2),
            fetch_interval_ms: i64::try_from(interval.as_millis()).unwrap_or(900_000),
            new_items,
            disable: None,
        };
        self.store.record_fetch(source.id, &update).await?;
        Ok(())
    }

    async fn record_error(
        &self,
        source: &Source,
        status: Option<u16>,
        message: &str,
        retry_after: Option<Duration>,
    ) -> Result<PollOutcome> {
        bump(&self.stats.poll_errors, 1);
        let delay = retry_delay(source.error_count + 1, self.cfg.min_poll, retry_after);
        tracing::info!(source = source.id.0, url = %source.url, "poll failed: {message}; next try in {}s", delay.as_secs());
        let update = SourceFetchUpdate {
            status: status.map(i64::from),
            error: Some(message.to_string()),
            next_fetch_at: now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2),
            fetch_interval_ms: source.fetch_interval_ms,
            ..Default::default()
        };
        self.store.record_fetch(source.id, &update).await?;
        Ok(PollOutcome {
            status,
            error: Some(message.to_string()),
            ..Default::default()
        })
    }

    async fn disable(&self, source: &Source, status: u16, reason: &str) -> Result<PollOutcome> {
        bump(&self.stats.poll_errors, 1);
        tracing::warn!(source = source.id.0, url = %source.url, "disabled: {reason}");
        let update = SourceFetchUpdate {
            status: Some(i64::from(status)),
            error: Some(format!("HTTP {status}: gone")),
            disable: Some(reason.to_string()),
            next_fetch_at: now_ms(),
            fetch_interval_ms: source.fetch_interval_ms,
            ..Default::default()
        };
        self.store.record_fetch(source.id, &update).await?;
        Ok(PollOutcome {
            status: Some(status),
            disabled: true,
            error: Some(reason.into()),
            ..Default::default()
        })
    }
}

/// An HTML document rather than a feed: what a site's home page serves.
fn looks_like_html(body: &[u8]) -> bool {
    let head = body.get(..body.len().min(512)).unwrap_or_default();
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let t = text.trim_start_matches('\u{feff}').trim_start();
    t.starts_with("<!doctype html") || t.starts_with("<html")
}

fn retry_after_of(_e: &FetchError) -> Option<Duration> {
    None
}

fn entry_from_item(i: &FeedItem) -> Option<NewEntry> {
    let url = i
        .url
        .as_deref()
        .and_then(|u| CanonicalUrl::parse(u).ok())
        .map(|c| c.to_string());
    let guid = if i.guid.is_empty() {
        url.clone()?
    } else {
        i.guid.clone()
    };
    Some(NewEntry {
        guid,
        url,
        title: i.title.clone(),
        summary: i.summary.clone(),
        content: i.content.clone(),
        authors: i.authors.clone(),
        categories: i.categories.clone(),
        image_url: i.image.clone(),
        published_at: i.published.map(|t| t.0),
    })
}

fn entry_from_sitemap(u: &SitemapUrl) -> Option<NewEntry> {
    let url = CanonicalUrl::parse(&u.loc).ok()?.to_string();
    Some(NewEntry {
        guid: url.clone(),
        url: Some(url),
        title: u.news_title.clone(),
        categories: u.news_keywords.clone(),
        image_url: u.image.clone(),
        published_at: u.news_published.or(u.lastmod).map(|t| t.0),
        ..Default::default()
    })
}
