//! Per-source extraction rules, kept pages, and extracting again.
//!
//! Each article's fetched page is kept compressed (`article_pages`, for
//! `crawl.keep_pages_days`), so a change of a source's rules — or a new
//! extractor — is applied to stored articles without fetching anything:
//! a `reextract` job goes through the kept pages a batch at a time. A
//! `rule_preview` job shows `/admin` what rules would do on a source's latest
//! articles before they are saved.

use crate::Pipeline;
use anyhow::{Context, Result};
use std::io::{Read, Write};
use tidings_core::jobs::{Reextract, RulePreview, RulePreviewItem, RulePreviewResult};
use tidings_core::{ArticleId, ExtractStatus, SourceId};
use tidings_extract::{Article, RuleError, Rules};
use tidings_store::{NewJob, Source};

/// Articles per `reextract` job.
const BATCH: i64 = 50;
/// Articles a preview shows.
const PREVIEW_ARTICLES: i64 = 5;
/// A kept page never inflates past this (what the fetch cap allowed in).
const MAX_PAGE: u64 = 32 * 1024 * 1024;

/// The rules an operator set for `s`.
pub fn rules_of(s: &Source) -> Rules {
    Rules {
        content: s.content_selector.clone().filter(|c| !c.trim().is_empty()),
        remove: s.remove_selectors.clone(),
    }
}

/// Extract an article page (article mode: never the whole page) with a
/// source's rules (none: as usual). Pure CPU work.
pub fn extract_page(
    body: &[u8],
    url: &url::Url,
    content_type: Option<&str>,
    rules: &Rules,
) -> Result<Article, RuleError> {
    let article = tidings_extract::Options::expecting(tidings_extract::Expect::Article);
    if rules.is_empty() {
        return Ok(tidings_extract::extract_with(
            body,
            url,
            content_type,
            &article,
        ));
    }
    let (text, _) = tidings_extract::decode_html(body, content_type);
    let shaped = rules.apply(&text)?;
    Ok(tidings_extract::extract_with(
        shaped.as_bytes(),
        url,
        Some("text/html; charset=utf-8"),
        &article,
    ))
}

/// A page as kept: deflate-compressed.
pub fn compress(body: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
    // Writing to memory cannot fail; an empty copy just inflates to nothing.
    z.write_all(body)
        .and_then(|()| z.finish())
        .unwrap_or_default()
}

/// A kept page, inflated, with a cap (a corrupt or hostile row cannot blow up).
pub fn inflate(kept: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(kept)
        .take(MAX_PAGE)
        .read_to_end(&mut out)
        .context("a kept page does not inflate")?;
    Ok(out)
}

/// Plain text for a preview column: the first paragraphs, about 600 characters.
fn preview_text(a: &Article) -> String {
    tidings_core::display::short(&a.text.replace("\n\n", " ¶ "), 600)
}

impl Pipeline {
    /// Extract one article again from its kept page with its source's current
    /// rules. False when there is no kept page or the new extraction has no
    /// text (the article is left as it was).
    pub async fn reextract_article(&self, id: ArticleId) -> Result<bool> {
        let Some(page) = self.store.article_page(id).await? else {
            return Ok(false);
        };
        let Some(article) = self.store.article(id).await? else {
            return Ok(false);
        };
        let Some(source) = self.store.source(article.source_id).await? else {
            return Ok(false);
        };
        let rules = rules_of(&source);
        let url = url::Url::parse(&page.url)?;
        let ct = page.content_type.clone();
        let kept = page.body;
        let extracted = self
            .on_cpu("extracting a kept page", move || {
                inflate(&kept).map(|body| extract_page(&body, &url, ct.as_deref(), &rules))
            })
            .await???;
        if extracted.text.trim().is_empty() {
            return Ok(false);
        }
        let mut html = extracted.html;
        if self.cfg.media_dir.is_some() {
            let (named, urls) = crate::inline::cache_inline_images(&html);
            html = named;
            let media: Vec<_> = urls
                .iter()
                .map(|u| crate::media::media_request(u))
                .collect();
            self.store.request_media(&media).await?;
        }
        Ok(self
            .store
            .update_extraction(id, &html, &extracted.text, ExtractStatus::Extracted)
            .await?)
    }

    /// One batch of a re-extraction; queues the next batch when there is more.
    pub(crate) async fn reextract_batch(&self, p: &Reextract) -> Result<()> {
        let ids = self
            .store
            .articles_with_pages(p.source.map(SourceId), p.after, BATCH)
            .await?;
        for id in &ids {
            if let Err(e) = self.reextract_article(*id).await {
                tracing::warn!(article = id.0, "re-extraction failed: {e:#}");
            }
        }
        if let Some(last) = ids.last().filter(|_| ids.len() as i64 == BATCH) {
            self.store
                .enqueue(&reextract_job(p.source, p.run, last.0))
                .await?;
        }
        Ok(())
    }

    /// Compute a rule preview and store it for `/admin`.
    pub(crate) async fn rule_preview(&self, p: &RulePreview) -> Result<()> {
        let new_rules = Rules {
            content: p.content.clone().filter(|c| !c.trim().is_empty()),
            remove: p.remove.clone(),
        };
        let result = match new_rules.validate() {
            Err(e) => RulePreviewResult {
                error: Some(e.to_string()),
                items: Vec::new(),
            },
            Ok(()) => {
                let source = self.store.source(SourceId(p.source)).await?;
                let current = source.as_ref().map(rules_of).unwrap_or_default();
                let mut items = Vec::new();
                for id in self
                    .store
                    .latest_source_articles(SourceId(p.source), PREVIEW_ARTICLES * 4)
                    .await?
                {
                    if items.len() as i64 >= PREVIEW_ARTICLES {
                        break;
                    }
                    let Some(page) = self.store.article_page(id).await? else {
                        continue;
                    };
                    let title = self
                        .store
                        .article(id)
                        .await?
                        .map(|a| a.title)
                        .unwrap_or_default();
                    let url = url::Url::parse(&page.url)?;
                    let (ct, kept) = (page.content_type.clone(), page.body);
                    let (cur, new) = (current.clone(), new_rules.clone());
                    let both = self
                        .on_cpu("previewing extraction rules", move || -> Result<_> {
                            let body = inflate(&kept)?;
                            let a = extract_page(&body, &url, ct.as_deref(), &cur)?;
                            let b = extract_page(&body, &url, ct.as_deref(), &new)?;
                            Ok((preview_text(&a), preview_text(&b)))
                        })
                        .await??;
                    items.push(RulePreviewItem {
                        article_id: id.0,
                        title,
                        current: both.0,
                        with_rules: both.1,
                    });
                }
                RulePreviewResult { error: None, items }
            }
        };
        self.store
            .put_rule_preview(&p.id, &serde_json::to_string(&result)?)
            .await?;
        Ok(())
    }
}

/// The job that re-extracts a source's (or every) kept page after article
/// id `after`, in the run asked for at `run` (unix ms).
pub fn reextract_job(source: Option<i64>, run: i64, after: i64) -> NewJob {
    let p = Reextract { source, run, after };
    NewJob::new(tidings_core::jobs::REEXTRACT, serde_json::json!(p)).key(p.key())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_pages_round_trip_compressed() {
        let page = "<html><body><p>Hello</p></body></html>".repeat(100);
        let kept = compress(page.as_bytes());
        assert!(kept.len() < page.len() / 10);
        assert_eq!(inflate(&kept).unwrap(), page.as_bytes());
        assert!(inflate(b"not deflate").is_err() || inflate(b"not deflate").unwrap().is_empty());
    }
}
