//! Sources as operators manage them on `/admin`: extraction rules, checked
//! and previewed by the crawler (the web layer never runs the pipeline: it
//! queues a job and shows its result), saved, and applied to stored articles.

use crate::{AppState, WebError};
use tidings_core::SourceId;
use tidings_core::jobs::{REEXTRACT, RULE_PREVIEW, Reextract, RulePreview, RulePreviewResult};
use tidings_store::NewJob;

/// Rules as typed in the form: an optional content selector and one remove
/// selector per line.
pub fn parse_form(content: &str, remove: &str) -> (Option<String>, Vec<String>) {
    let content = Some(content.trim().to_string()).filter(|c| !c.is_empty());
    let remove = remove
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    (content, remove)
}

/// Ask the crawler for a preview of these rules on the source's latest
/// articles; the preview's id.
pub async fn request_preview(
    state: &AppState,
    source: SourceId,
    content: Option<&str>,
    remove: &[String],
) -> Result<String, WebError> {
    let store = state.store();
    store.source(source).await?.ok_or(WebError::NotFound)?;
    let id = RulePreview::id_for(source.0, content, remove);
    if let Some((_, Some(_))) = store.rule_preview(&id).await? {
        return Ok(id); // computed already (previews are kept a day)
    }
    store.create_rule_preview(&id, source).await?;
    let job = RulePreview {
        id: id.clone(),
        source: source.0,
        content: content.map(str::to_string),
        remove: remove.to_vec(),
    };
    store
        .enqueue(
            &NewJob::new(RULE_PREVIEW, serde_json::json!(job))
                .key(format!("rule_preview:{id}:{}", tidings_core::now_ms())),
        )
        .await?;
    Ok(id)
}

/// A preview of `source`: `None` while the crawler has not computed it yet.
pub async fn preview(
    state: &AppState,
    source: SourceId,
    id: &str,
) -> Result<Option<RulePreviewResult>, WebError> {
    match state.store().rule_preview(id).await? {
        Some((s, result)) if s == source => Ok(result
            .map(|json| serde_json::from_str(&json))
            .transpose()
            .map_err(|e| WebError::Internal(format!("rule preview: {e}")))?),
        _ => Err(WebError::NotFound),
    }
}

/// Save rules that were previewed without error (a selector the extractor
/// cannot use is never saved), then re-extract the source's stored articles.
pub async fn save_rules(
    state: &AppState,
    source: SourceId,
    content: Option<&str>,
    remove: &[String],
) -> Result<(), WebError> {
    let id = RulePreview::id_for(source.0, content, remove);
    let checked = if content.is_none() && remove.is_empty() {
        true // clearing the rules needs no check
    } else {
        match preview(state, source, &id).await? {
            Some(p) => match p.error {
                Some(e) => return Err(WebError::Invalid(e)),
                None => true,
            },
            None => false,
        }
    };
    if !checked {
        return Err(WebError::Invalid(
            "preview the rules first: the crawler checks them on the source's latest articles"
                .into(),
        ));
    }
    let store = state.store();
    store.set_source_rules(source, content, remove).await?;
    let job = Reextract {
        source: Some(source.0),
        run: tidings_core::now_ms(),
        after: 0,
    };
    store
        .enqueue(&NewJob::new(REEXTRACT, serde_json::json!(job)).key(job.key()))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_become_rules() {
        assert_eq!(
            parse_form("  article .body ", ".promo\n\n  .newsletter  \n"),
            (
                Some("article .body".to_string()),
                vec![".promo".to_string(), ".newsletter".to_string()]
            )
        );
        assert_eq!(parse_form(" ", ""), (None, vec![]));
    }
}
