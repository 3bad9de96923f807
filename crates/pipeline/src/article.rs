//! Turning one article URL into a stored article: fetch the page, extract it,
//! find its canonical URL, fingerprint it, and store it unless it is a copy of
//! one we have. When the page cannot be had, the feed's own content is stored
//! and the article is marked so.

use crate::{Pipeline, bump, media::media_request};
use anyhow::Result;
use std::sync::RwLock;
use tidings_core::{
    ArticleId, CanonicalUrl, ExtractStatus, JobId, SourceId, Timestamp, now_ms, urlcanon::same_site,
};
use tidings_fetch::http::ACCEPT_HTML;
use tidings_fetch::{FetchError, FetchRequest};
use tidings_store::{DupReason, EntryRow, IngestExtras, Ingested, NewArticle};
use tidings_understand::{
    ArticleFeatures, ArticleInput, DfStats, NearDupSignature, analyze, band_keys, blob,
    is_near_duplicate,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleOutcome {
    Stored(ArticleId),
    /// Stored from the feed's content because the page could not be used.
    FeedOnly(ArticleId),
    Duplicate(ArticleId, DupReason),
    /// Nothing to do (the source was removed meanwhile).
    Skipped,
}

/// Extracted text shorter than this is not an article body; the feed's content
/// is used when it has more.
const MIN_BODY_WORDS: usize = 40;

/// Pages and feed contents of entries are read as one article each.
const AS_ARTICLE: tidings_extract::Options =
    tidings_extract::Options::expecting(tidings_extract::Expect::Article);

/// Why the page could not be used, for `extract_error`.
enum PageProblem {
    /// Try the job again later (network trouble, 429, 5xx) if attempts remain.
    Transient(String),
    /// Retrying will not help (404, robots.txt, refused, too large, not HTML).
    Permanent(String),
}

impl Pipeline {
    /// Ingest one article URL. On success the `job` (if any) is marked done,
    /// in the article's own transaction when one is written.
    pub async fn ingest_url(
        &self,
        url: &str,
        source_id: SourceId,
        attempt: i64,
        max_attempts: i64,
        job: Option<(JobId, &str)>,
    ) -> Result<ArticleOutcome> {
        if let Some(id) = self.store.article_id_by_url(url).await? {
            bump(&self.stats.duplicates, 1);
            self.complete(job).await?;
            return Ok(ArticleOutcome::Duplicate(id, DupReason::Url));
        }
        let Some(source) = self.store.source(source_id).await? else {
            self.complete(job).await?;
            return Ok(ArticleOutcome::Skipped);
        };
        let entries = self.store.entries_for_url(url).await?;
        let page_url = url::Url::parse(url)?;

        let page = self
            .fetch_page(&page_url, crate::rules::rules_of(&source))
            .await;
        let mut kept = None;
        let (extracted, problem) = match page {
            Ok((article, page)) => {
                kept = page;
                (Some(article), None)
            }
            Err(PageProblem::Transient(msg)) if attempt < max_attempts => {
                anyhow::bail!("{msg} (attempt {attempt} of {max_attempts})");
            }
            Err(PageProblem::Transient(msg) | PageProblem::Permanent(msg)) => (None, Some(msg)),
        };

        let prepared = {
            let (url, df, problem) = (url.to_string(), self.df.clone(), problem.clone());
            self.on_cpu("analysing the article", move || {
                prepare(
                    &url,
                    &page_url,
                    source_id,
                    extracted,
                    &entries,
                    problem.as_deref(),
                    &df,
                )
            })
            .await??
        };
        let Some(Prepared {
            mut new,
            distinct_terms,
            signature,
            bands,
            topics,
            aliases,
        }) = prepared
        else {
            // Nothing from the page and nothing from the feed: not an article.
            bump(&self.stats.article_errors, 1);
            anyhow::bail!(
                "{}",
                problem.unwrap_or_else(
                    || "the page has no article text and the feed none either".into()
                )
            );
        };
        let is_copy_of = move |blob: &[u8]| -> bool {
            blob::decode::<ArticleFeatures>(blob)
                .map(|other| is_near_duplicate(&signature, &other.signature))
                .unwrap_or(false)
        };

        // Images to cache: the lead image, the first video's poster and the
        // images inside the body (named by media id from here on). Their jobs
        // are queued in the article's own transaction.
        let mut media = Vec::new();
        if self.cfg.media_dir.is_some() {
            let (html, inline) = crate::inline::cache_inline_images(&new.html);
            new.html = html;
            media.extend(inline.iter().map(|u| media_request(u)));
            if let Some(img) = &new.image_url {
                let lead = media_request(img);
                new.image_media = Some(lead.0.clone());
                media.push(lead);
            }
            for v in tidings_core::video::StoredVideo::parse_list(&new.videos_json)
                .iter()
                .take(1)
            {
                if let Some(poster) = v.poster_url() {
                    media.push(media_request(&poster));
                }
            }
        }
        let result = self
            .store
            .ingest_article(
                &new,
                &IngestExtras {
                    bands: &bands,
                    topics: &topics,
                    aliases: &aliases,
                    is_copy_of: &is_copy_of,
                    media: &media,
                    page: kept
                        .as_ref()
                        .map(|k| (k.url.as_str(), k.content_type.as_deref(), k.body.as_slice())),
                    job,
                },
            )
            .await?;
        Ok(match result {
            Ingested::Inserted(id) => {
                if let Ok(mut df) = self.df.write() {
                    df.observe(&distinct_terms);
                }
                if problem.is_some() || new.extract_status != ExtractStatus::Extracted {
                    bump(&self.stats.articles_feed_only, 1);
                    ArticleOutcome::FeedOnly(id)
                } else {
                    bump(&self.stats.articles_new, 1);
                    ArticleOutcome::Stored(id)
                }
            }
            Ingested::Duplicate { of, reason } => {
                bump(&self.stats.duplicates, 1);
                ArticleOutcome::Duplicate(of, reason)
            }
        })
    }

    async fn complete(&self, job: Option<(JobId, &str)>) -> Result<()> {
        if let Some((id, node)) = job {
            self.store.complete_job(id, node).await?;
        }
        Ok(())
    }

    /// Fetch and extract a page with its source's rules; the page comes back
    /// compressed for keeping when `keep_pages` is on.
    async fn fetch_page(
        &self,
        url: &url::Url,
        rules: tidings_extract::Rules,
    ) -> Result<(tidings_extract::Article, Option<KeptPage>), PageProblem> {
        let req = FetchRequest {
            accept: ACCEPT_HTML,
            ..FetchRequest::new(url.clone())
        };
        let r = match self.fetcher.get(&req).await {
            Ok(r) => r,
            Err(
                e @ (FetchError::Dns(_)
                | FetchError::Connect(_)
                | FetchError::Timeout(_)
                | FetchError::Http(_)),
            ) => {
                return Err(PageProblem::Transient(e.to_string()));
            }
            Err(e) => return Err(PageProblem::Permanent(e.to_string())),
        };
        if r.status == 429 || r.status >= 500 {
            return Err(PageProblem::Transient(format!(
                "HTTP {} from {}",
                r.status, r.final_url
            )));
        }
        if !r.is_success() {
            return Err(PageProblem::Permanent(format!(
                "HTTP {} from {}",
                r.status, r.final_url
            )));
        }
        let ct = r
            .content_type
            .as_deref()
            .unwrap_or("text/html")
            .to_ascii_lowercase();
        if !(ct.contains("html") || ct.contains("xml") || ct.starts_with("text/")) {
            return Err(PageProblem::Permanent(format!("not a web page ({ct})")));
        }
        if looks_binary(&r.body) {
            return Err(PageProblem::Permanent(format!(
                "{} sent binary data, not a web page",
                r.final_url
            )));
        }
        // Extraction is CPU work: keep it off the async workers.
        let final_url = r.final_url.clone();
        let body = r.body;
        let content_type = r.content_type;
        let fu = final_url.clone();
        let keep = self.cfg.keep_pages;
        // Every article job comes from a feed or news-sitemap entry: the page is
        // expected to be one article, never a listing to keep whole
        // (`rules::extract_page` extracts in article mode, with the source's rules).
        let (article, kept) = self
            .on_cpu("extracting the page", move || {
                let article =
                    crate::rules::extract_page(&body, &fu, content_type.as_deref(), &rules)
                        // Saved rules were checked; should one fail, extract as usual.
                        .unwrap_or_else(|_| {
                            tidings_extract::extract_with(
                                &body,
                                &fu,
                                content_type.as_deref(),
                                &AS_ARTICLE,
                            )
                        });
                let kept = keep.then(|| KeptPage {
                    url: fu.to_string(),
                    content_type: content_type.clone(),
                    body: crate::rules::compress(&body),
                });
                (article, kept)
            })
            .await
            .map_err(|e| match e.downcast_ref::<crate::OverBudget>() {
                Some(over) => PageProblem::Permanent(over.to_string()),
                None => PageProblem::Permanent(format!("extraction crashed: {e}")),
            })?;
        Ok((article, kept))
    }
}

/// A fetched page as kept for extracting again (compressed).
struct KeptPage {
    url: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// An article made ready to store, with what deduplication needs.
struct Prepared {
    new: NewArticle,
    distinct_terms: Vec<u64>,
    signature: NearDupSignature,
    bands: Vec<i64>,
    topics: Vec<(String, f64)>,
    aliases: Vec<String>,
}

/// The CPU part of an ingest: combine page and feed, choose the canonical URL,
/// analyse the text. Runs on the CPU pool. `None`: neither page nor feed has
/// any text.
fn prepare(
    url: &str,
    page_url: &url::Url,
    source_id: SourceId,
    extracted: Option<tidings_extract::Article>,
    entries: &[EntryRow],
    problem: Option<&str>,
    df: &RwLock<DfStats>,
) -> Result<Option<Prepared>> {
    let entry = entries.first();
    let mut new = build_article(url, source_id, extracted.as_ref(), entry, problem);
    if new.text.trim().is_empty() && new.title.trim().is_empty() {
        return Ok(None);
    }

    // The page's own canonical URL wins when it stays on the same site.
    let mut aliases = Vec::new();
    if let Some(c) = extracted.as_ref().and_then(|a| a.canonical_url.as_ref())
        && same_site(
            c.host_str().unwrap_or_default(),
            page_url.host_str().unwrap_or_default(),
        )
        && let Ok(canonical) = CanonicalUrl::from_url(c)
        && canonical.as_str() != url
    {
        aliases.push(url.to_string());
        new.url = Some(canonical);
    }

    let categories: Vec<String> = entry.map(|e| e.categories.clone()).unwrap_or_default();
    let features = {
        let df = df
            .read()
            .map_err(|_| anyhow::anyhow!("term statistics lock poisoned"))?;
        let input = ArticleInput {
            title: &new.title,
            body: &new.text,
            url: new.url.as_ref().map(|u| u.as_str()),
            categories: &categories,
            published: new.published_at.map(Timestamp),
            lang_hint: new.language.as_deref(),
        };
        analyze(&input, &df)
    };
    let f = &features.features;
    new.language = Some(f.lang.clone());
    new.keywords = f.keywords.clone();
    new.entities = f.entities.iter().map(|e| e.name.clone()).collect();
    new.content_hash = (!new.text.trim().is_empty()).then(|| format!("{:016x}", f.signature.exact));
    new.simhash = Some(i64::from_ne_bytes(f.signature.simhash.to_ne_bytes()));
    new.features = Some(blob::encode(f)?);
    let bands: Vec<i64> = band_keys(&f.signature)
        .into_iter()
        .map(|b| i64::from_ne_bytes(b.to_ne_bytes()))
        .collect();
    let topics: Vec<(String, f64)> = f
        .topics
        .iter()
        .map(|t| (t.slug().to_string(), 1.0))
        .collect();
    let signature = f.signature.clone();
    Ok(Some(Prepared {
        new,
        distinct_terms: features.distinct_terms,
        signature,
        bands,
        topics,
        aliases,
    }))
}

/// Control bytes in the first few KB mean an image, archive or garbage, whatever
/// the Content-Type says. (UTF-16 pages have NULs too; they announce
/// themselves with a BOM.)
fn looks_binary(body: &[u8]) -> bool {
    if body.starts_with(&[0xFF, 0xFE]) || body.starts_with(&[0xFE, 0xFF]) {
        return false;
    }
    let head = body.get(..body.len().min(4096)).unwrap_or_default();
    if head.is_empty() {
        return false;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x09 || (0x0E..0x20).contains(&b) || b == 0x7F)
        .count();
    control * 20 > head.len()
}

/// Combine what the page and the feed say into a storable article.
fn build_article(
    url: &str,
    source_id: SourceId,
    page: Option<&tidings_extract::Article>,
    entry: Option<&EntryRow>,
    problem: Option<&str>,
) -> NewArticle {
    let page_words = page.map(|p| p.text.split_whitespace().count()).unwrap_or(0);
    // The feed's text matters only when the page gave too little; making it
    // runs the extractor over the feed's HTML, so it is not done otherwise.
    let feed_text = if page_words < MIN_BODY_WORDS {
        entry.map(feed_body).unwrap_or_default()
    } else {
        String::new()
    };
    let use_feed_body =
        page_words < MIN_BODY_WORDS && feed_text.split_whitespace().count() > page_words;
    let (html, text, status) = match page {
        Some(p) if !use_feed_body => (p.html.clone(), p.text.clone(), ExtractStatus::Extracted),
        _ => {
            let html = entry
                .and_then(|e| e.content.clone().or_else(|| e.summary.clone()))
                .unwrap_or_default();
            let html = sanitize_feed_html(&html, url);
            (
                html,
                feed_text.clone(),
                if page.is_some() {
                    ExtractStatus::FeedContent
                } else {
                    ExtractStatus::FeedOnly
                },
            )
        }
    };
    let title = page
        .and_then(|p| p.title.clone())
        .filter(|t| !t.trim().is_empty())
        .or_else(|| entry.and_then(|e| e.title.clone()))
        .unwrap_or_default();
    let description = page
        .and_then(|p| p.description.clone())
        .filter(|d| !d.trim().is_empty())
        .or_else(|| {
            entry
                .and_then(|e| e.summary.as_deref().map(plain_text))
                .filter(|s| !s.is_empty())
        })
        .or_else(|| Some(tidings_extract::excerpt(&text, 300)).filter(|s| !s.is_empty()));
    let published = page.and_then(|p| p.published);
    let authors = page
        .map(|p| p.authors.clone())
        .filter(|a| !a.is_empty())
        .or_else(|| entry.map(|e| e.authors.clone()))
        .unwrap_or_default();
    NewArticle {
        source_id: Some(source_id),
        url: CanonicalUrl::parse(url).ok(),
        original_url: url.to_string(),
        title,
        description,
        authors,
        published_at: published
            .map(|t| t.utc.0)
            .or_else(|| entry.and_then(|e| e.published_at)),
        published_offset: published.and_then(|t| t.offset_minutes).map(i64::from),
        modified_at: page.and_then(|p| p.modified).map(|t| t.utc.0),
        site_name: page.and_then(|p| p.site_name.clone()),
        language: page.and_then(|p| p.language.clone()),
        image_url: page
            .and_then(|p| p.image.as_ref().map(|i| i.url.to_string()))
            .or_else(|| entry.and_then(|e| e.image_url.clone())),
        image_alt: page.and_then(|p| p.image.as_ref().and_then(|i| i.alt.clone())),
        image_width: page.and_then(|p| p.image.as_ref().and_then(|i| i.width.map(i64::from))),
        image_height: page.and_then(|p| p.image.as_ref().and_then(|i| i.height.map(i64::from))),
        section: page.and_then(|p| p.section.clone()),
        tags: page.map(|p| p.tags.clone()).unwrap_or_default(),
        videos_json: page
            .and_then(|p| serde_json::to_string(&p.videos).ok())
            .unwrap_or_else(|| "[]".into()),
        html,
        text,
        extract_status: status,
        extract_error: problem.map(str::to_string),
        fetched_at: page.map(|_| now_ms()),
        ..Default::default()
    }
}

/// The feed's content or summary as plain text, paragraphs separated by blank lines.
fn feed_body(e: &EntryRow) -> String {
    let html = e
        .content
        .as_deref()
        .or(e.summary.as_deref())
        .unwrap_or_default();
    if html.trim().is_empty() {
        return String::new();
    }
    let wrapped = format!("<!doctype html><html><body><article>{html}</article></body></html>");
    let base = e
        .url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .unwrap_or_else(|| {
            url::Url::parse("http://localhost/").unwrap_or_else(|_| unreachable_url())
        });
    let a = tidings_extract::extract_with(
        wrapped.as_bytes(),
        &base,
        Some("text/html; charset=utf-8"),
        &AS_ARTICLE,
    );
    if a.text.split_whitespace().count() >= plain_text(html).split_whitespace().count() / 2 {
        a.text
    } else {
        plain_text(html)
    }
}

#[allow(clippy::panic)]
fn unreachable_url() -> url::Url {
    panic!("a literal URL failed to parse")
}

/// Feed HTML goes through the same sanitizer as pages.
fn sanitize_feed_html(html: &str, url: &str) -> String {
    if html.trim().is_empty() {
        return String::new();
    }
    let wrapped = format!("<!doctype html><html><body><article>{html}</article></body></html>");
    match url::Url::parse(url) {
        Ok(base) => {
            tidings_extract::extract_with(
                wrapped.as_bytes(),
                &base,
                Some("text/html; charset=utf-8"),
                &AS_ARTICLE,
            )
            .html
        }
        Err(_) => String::new(),
    }
}

/// Strip tags, keep text; paragraphs by block tags.
fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}
