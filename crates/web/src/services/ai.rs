//! The AI features on pages and in the API: summaries and key points (built
//! in, offline, computed once and cached), "ask about this article" (answers
//! quote the article), translation and story summaries when a model is
//! configured. Results are cached in the database per (subject, feature,
//! provider, model, prompt version); a failing provider never breaks a page:
//! the reader gets the built-in result or a plain message.

use crate::AppState;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use tidings_ai::{
    AiError, AnyProvider, ArticleText, Builtin, Feature, PROMPT_VERSION, Provider, cache_key,
};
use tidings_core::ArticleId;
use tidings_store::{ArticleRow, StoreError};
use tokio::sync::Semaphore;

/// How a deployment set the AI features up.
#[derive(Debug, Clone)]
pub struct AiConfig {
    /// A model (OpenAI-compatible); `None`: only the built-in, offline features.
    pub model: Option<AnyProvider>,
    /// Model calls at once in this process.
    pub max_concurrent: usize,
    /// Questions per minute per reader.
    pub ask_per_minute: u32,
    /// Translations (model calls) per minute per reader.
    pub translate_per_minute: u32,
    /// Languages translations may be asked into (ISO 639-1).
    pub translate_languages: Vec<String>,
}

impl Default for AiConfig {
    fn default() -> Self {
        AiConfig {
            model: None,
            max_concurrent: 4,
            ask_per_minute: 10,
            translate_per_minute: 5,
            translate_languages: ["de", "en", "es", "fr"].map(String::from).to_vec(),
        }
    }
}

/// What a reader spends a budget on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiUse {
    Ask,
    Translate,
}

impl AiUse {
    fn key(self) -> &'static str {
        match self {
            AiUse::Ask => "ai-ask",
            AiUse::Translate => "ai-translate",
        }
    }
}

/// How long a failed model call keeps the same request from calling again:
/// a failing or slow model is not asked the same thing over and over.
pub const FAILURE_TTL_MS: i64 = 120_000;

pub struct AiRuntime {
    pub builtin: Builtin,
    pub model: Option<AnyProvider>,
    permits: Semaphore,
    ask_per_minute: u32,
    translate_per_minute: u32,
    languages: Vec<String>,
}

impl AiRuntime {
    pub fn new(cfg: &AiConfig) -> Self {
        AiRuntime {
            builtin: Builtin::default(),
            model: cfg.model.clone(),
            permits: Semaphore::new(cfg.max_concurrent.max(1)),
            ask_per_minute: cfg.ask_per_minute.max(1),
            translate_per_minute: cfg.translate_per_minute.max(1),
            languages: cfg.translate_languages.clone(),
        }
    }

    /// The languages translations may be asked into.
    pub fn translate_languages(&self) -> &[String] {
        &self.languages
    }

    /// Is `lang` one of the configured translation languages?
    pub fn translates_into(&self, lang: &str) -> bool {
        self.languages.iter().any(|l| l == lang)
    }

    /// Whether this reader may use the feature `what` once more now.
    /// Anonymous readers share their address's budget; a signed-in reader has
    /// their own (so colleagues behind one office address do not block each
    /// other), and their address is capped at [`SIGNED_IN_ADDR_FACTOR`]
    /// budgets so accounts cannot be multiplied past it. Counted in the
    /// database under the address's salted hash: the limit holds across web
    /// nodes and no address is stored. A database that cannot count is an
    /// error, not a free pass to a paid model.
    pub async fn allow(
        &self,
        state: &AppState,
        viewer: &crate::services::accounts::Viewer,
        addr: &str,
        what: AiUse,
    ) -> Result<bool, crate::WebError> {
        let store = state.store();
        let now = tidings_core::Timestamp::now();
        let per_minute = i64::from(match what {
            AiUse::Ask => self.ask_per_minute,
            AiUse::Translate => self.translate_per_minute,
        });
        let addr = if viewer.ip.is_empty() {
            addr
        } else {
            &viewer.ip
        };
        let addr_key = format!("{}:addr:{}", what.key(), state.ip_hash(addr).await?);
        Ok(match viewer.user() {
            Some(u) => {
                let user_key = format!("{}:user:{}", what.key(), u.id.0);
                store.rate_limit_hit(&user_key, 60_000, now).await? <= per_minute
                    && store.rate_limit_hit(&addr_key, 60_000, now).await?
                        <= per_minute * SIGNED_IN_ADDR_FACTOR
            }
            None => store.rate_limit_hit(&addr_key, 60_000, now).await? <= per_minute,
        })
    }

    /// A turn to call the model; None when the queue did not move in 20 s.
    pub async fn permit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        tokio::time::timeout(Duration::from_secs(20), self.permits.acquire())
            .await
            .ok()?
            .ok()
    }

    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }
}

/// How many readers' budgets one address may use when they are signed in.
pub const SIGNED_IN_ADDR_FACTOR: i64 = 4;

/// The article's text without "READ MORE"-style teaser lines: they name
/// other articles and would otherwise surface in summaries and answers.
pub fn clean_text(text: &str) -> std::borrow::Cow<'_, str> {
    fn teaser(p: &str) -> bool {
        let head: String = p
            .trim_start()
            .chars()
            .take(16)
            .collect::<String>()
            .to_lowercase();
        [
            "read more",
            "read also",
            "also read",
            "related:",
            "see also",
            "more:",
            "watch:",
            "listen:",
        ]
        .iter()
        .any(|t| head.starts_with(t))
    }
    if !text.split("\n\n").any(teaser) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.split("\n\n")
            .filter(|p| !teaser(p))
            .collect::<Vec<_>>()
            .join("\n\n"),
    )
}

/// The row with its text made ready for the AI features: only what its
/// source's display policy lets readers see (an excerpt-only article is
/// summarised, quoted and answered from its excerpt), without teaser lines
/// ([`clean_text`]).
pub fn for_ai(mut a: ArticleRow) -> ArticleRow {
    if crate::services::articles::is_excerpt(&a) {
        a.text = crate::services::articles::body(&a).text;
        a.html.clear();
    }
    if let std::borrow::Cow::Owned(t) = clean_text(&a.text) {
        a.text = t;
    }
    a
}

/// `a` (passed through [`for_ai`]) as the AI features see it.
pub fn article_text(a: &ArticleRow) -> ArticleText<'_> {
    ArticleText {
        id: a.id,
        title: &a.title,
        text: &a.text,
        lang: a.language.as_deref().unwrap_or("en"),
        source: &a.source_name,
        published_ms: a.published_at.map(|t| t.0),
    }
}

/// Which provider answers: the configured model, or the built-in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Builtin,
    Model,
}

/// Look a result up in the cache, else compute, cache and return it. A
/// model's failure is remembered for [`FAILURE_TTL_MS`] (the same request
/// then fails at once); results are cached for good. The outer error is the
/// database's (never taken for a cache miss or the reader's fault); the
/// inner one is the provider's.
pub async fn cached<T, F, Fut>(
    state: &AppState,
    subject: (&str, i64),
    feature: Feature,
    which: Which,
    extra: &str,
    compute: F,
) -> Result<Result<T, AiError>, StoreError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, AiError>>,
{
    let rt = state.ai();
    let (key, provider, model) = key_of(state, subject, feature, which, extra);
    // A result cached by an older build that no longer reads is recomputed.
    if let Some(json) = state.store().ai_result(&key).await?
        && let Ok(v) = serde_json::from_str(&json)
    {
        return Ok(Ok(v));
    }
    let value = if which == Which::Model && rt.model.is_some() {
        // A model that just failed on this is not asked again for a while:
        // repeating a failing paid call would spend its budget and its turns.
        let failed_key = format!("ai-failed:{key}");
        let now = tidings_core::Timestamp::now();
        if state
            .store()
            .rate_limit_count(&failed_key, FAILURE_TTL_MS, now)
            .await?
            > 0
        {
            return Ok(Err(AiError::RateLimited {
                retry_after: Some(Duration::from_millis(FAILURE_TTL_MS.unsigned_abs())),
            }));
        }
        // Bounded concurrency: a slow model queues readers instead of piling up.
        let Some(_permit) = rt.permit().await else {
            return Ok(Err(AiError::Timeout));
        };
        match compute().await {
            Ok(v) => v,
            Err(e) => {
                state
                    .store()
                    .rate_limit_hit(&failed_key, FAILURE_TTL_MS, now)
                    .await?;
                return Ok(Err(e));
            }
        }
    } else {
        match compute().await {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        }
    };
    if let Ok(json) = serde_json::to_string(&value)
        && let Err(e) = state
            .store()
            .put_ai_result(
                &key,
                subject.0,
                subject.1,
                feature.as_str(),
                &provider,
                &model,
                i64::from(PROMPT_VERSION),
                None,
                &json,
            )
            .await
    {
        // The answer is right; only the next reader pays for it again.
        tracing::warn!("cannot cache an AI result: {e}");
    }
    Ok(Ok(value))
}

/// The cache key of a result, with the provider and model it names.
fn key_of(
    state: &AppState,
    subject: (&str, i64),
    feature: Feature,
    which: Which,
    extra: &str,
) -> (String, String, String) {
    let (provider, model) = match (which, &state.ai().model) {
        (Which::Model, Some(m)) => (m.name().to_string(), m.model().to_string()),
        _ => (Builtin::NAME.to_string(), Builtin::MODEL.to_string()),
    };
    let key = cache_key(
        &format!("{}:{}", subject.0, subject.1),
        feature,
        &provider,
        &model,
        PROMPT_VERSION,
        extra,
    );
    (key, provider, model)
}

/// A cached result, without computing one.
pub async fn peek<T: DeserializeOwned>(
    state: &AppState,
    subject: (&str, i64),
    feature: Feature,
    which: Which,
    extra: &str,
) -> Result<Option<T>, StoreError> {
    let (key, _, _) = key_of(state, subject, feature, which, extra);
    Ok(state
        .store()
        .ai_result(&key)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// Log a provider failure once, loudly when the operator must act.
pub fn log_failure(e: &AiError) {
    if e.needs_operator() {
        tracing::error!("AI provider misconfigured: {e}");
    } else {
        tracing::warn!("AI provider failed: {e}");
    }
}

/// Summary and key points for a page: the model's when cached or quick, else
/// the built-in ones (always available).
#[derive(Debug, Clone)]
pub struct Panel {
    pub summary: Vec<String>,
    pub points: Vec<String>,
    /// Filled in by the browser from the API when a model is configured.
    pub model_pending: bool,
    pub by_model: bool,
    pub notice: Option<&'static str>,
}

pub async fn article_panel(state: &AppState, a: &ArticleRow) -> Result<Panel, StoreError> {
    let a = &for_ai(a.clone());
    let subject = ("article", a.id.0);
    let text = article_text(a);
    let b = &state.ai().builtin;
    let builtin_summary = cached(
        state,
        subject,
        Feature::Summary,
        Which::Builtin,
        "",
        || async { b.summarize(&text) },
    )
    .await?;
    let builtin_points = cached(
        state,
        subject,
        Feature::KeyPoints,
        Which::Builtin,
        "",
        || async { b.key_points(&text) },
    )
    .await?;
    let mut panel = Panel {
        summary: builtin_summary
            .map(|s| s.sentences.iter().map(|x| x.to_string()).collect())
            .unwrap_or_default(),
        points: builtin_points
            .map(|k| k.points.iter().map(|x| x.to_string()).collect())
            .unwrap_or_default(),
        model_pending: false,
        by_model: false,
        notice: None,
    };
    if state.ai().has_model() {
        // Only the cache here: a model call would make the page wait on it.
        {
            match peek::<tidings_ai::Summary>(state, subject, Feature::Summary, Which::Model, "")
                .await?
            {
                Some(s) => {
                    panel.summary = s.sentences.iter().map(|x| x.to_string()).collect();
                    panel.by_model = true;
                }
                None => panel.model_pending = true,
            }
        }
    }
    if panel.summary.is_empty() && panel.points.is_empty() {
        panel.notice = Some("This article is too short to summarise.");
    }
    Ok(panel)
}

/// Answer a question about an article with the configured provider (the
/// model if there is one, falling back to the built-in answerer when the
/// model fails, saying so).
pub async fn ask(
    state: &AppState,
    a: &ArticleRow,
    question: &str,
) -> Result<(Result<tidings_ai::Answer, AiError>, bool), StoreError> {
    let text = article_text(a);
    let rt = state.ai();
    if let Some(m) = &rt.model {
        let r = cached(
            state,
            ("article", a.id.0),
            Feature::Ask,
            Which::Model,
            question,
            || async { m.ask(&text, question).await },
        )
        .await?;
        return Ok(match r {
            Ok(ans) => (Ok(ans), true),
            Err(e) => {
                log_failure(&e);
                let b = rt.builtin.answer(&text, question);
                (b.map_err(|_| e), false)
            }
        });
    }
    let b = &rt.builtin;
    Ok((
        cached(
            state,
            ("article", a.id.0),
            Feature::Ask,
            Which::Builtin,
            question,
            || async { b.answer(&text, question) },
        )
        .await?,
        false,
    ))
}

pub fn id_of(s: &str) -> Option<ArticleId> {
    s.split('-').next()?.parse().ok().map(ArticleId)
}

/// A neutral summary of a story across its sources: the model's when one is
/// configured (falling back to the built-in one when it fails), cached per
/// set of member articles so new coverage gives a new summary.
pub async fn story_summary(
    state: &AppState,
    story: tidings_core::StoryId,
    call_model: bool,
) -> Result<Result<(tidings_ai::StorySummary, bool), AiError>, StoreError> {
    let store = state.store();
    let coverage = store.story_coverage(story).await?;
    // One article per source, copies aside: the summary compares publishers.
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    for c in coverage.iter().filter(|c| !c.is_copy) {
        if rows.len() >= tidings_ai::limits::MAX_STORY_SOURCES {
            break;
        }
        if !seen.insert(c.source_id) {
            continue;
        }
        if let Some(a) = store.article(c.article_id).await?
            && !a.text.trim().is_empty()
        {
            rows.push(for_ai(a));
        }
    }
    if rows.is_empty() {
        return Ok(Err(AiError::InvalidInput(
            "no article text in this story".into(),
        )));
    }
    let texts: Vec<ArticleText<'_>> = rows.iter().map(article_text).collect();
    let mut ids: Vec<i64> = rows.iter().map(|a| a.id.0).collect();
    ids.sort_unstable();
    let extra = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rt = state.ai();
    let subject = ("story", story.0);
    if rt.has_model() && !call_model {
        // Pages do not wait on a model: they show its summary once the API made it.
        if let Some(s) = peek(state, subject, Feature::StorySummary, Which::Model, &extra).await? {
            return Ok(Ok((s, true)));
        }
    } else if let Some(m) = &rt.model {
        match cached(
            state,
            subject,
            Feature::StorySummary,
            Which::Model,
            &extra,
            || async { m.story_summary(&texts).await },
        )
        .await?
        {
            Ok(s) => return Ok(Ok((s, true))),
            Err(e) => log_failure(&e),
        }
    }
    let b = &rt.builtin;
    cached(
        state,
        subject,
        Feature::StorySummary,
        Which::Builtin,
        &extra,
        || async { Provider::story_summary(b, &texts).await },
    )
    .await
    .map(|r| r.map(|s| (s, false)))
}

/// Compute ahead of time what readers of the top `n` stories (as the home
/// page ranks them) will ask for: each story's summary across its sources
/// and its lead article's summary and key points, with the model when one
/// is configured (so the first reader does not wait on it). Results land in
/// the shared cache; what is cached already costs one lookup. Returns how
/// many stories were visited.
pub async fn precompute_top_stories(state: &AppState, n: usize) -> usize {
    let now = tidings_core::Timestamp::now();
    let top = match crate::services::stories::top(state, now, 2, n).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!("AI precompute: cannot list stories: {e}");
            return 0;
        }
    };
    for s in &top {
        match story_summary(state, s.id, true).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::debug!(story = s.id.0, "AI precompute: story summary: {e}"),
            Err(e) => {
                tracing::warn!("AI precompute stopped: {e}");
                return 0;
            }
        }
        let Some(lead) = s.lead_article_id else {
            continue;
        };
        let a = match state.store().article(lead).await {
            Ok(Some(a)) => for_ai(a),
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!("AI precompute stopped: {e}");
                return 0;
            }
        };
        // The built-in summary and key points, as the article page shows them.
        if let Err(e) = article_panel(state, &a).await {
            tracing::warn!("AI precompute stopped: {e}");
            return 0;
        }
        if let Some(m) = &state.ai().model {
            let text = article_text(&a);
            let subject = ("article", a.id.0);
            let summary = cached(state, subject, Feature::Summary, Which::Model, "", || {
                m.summary(&text)
            })
            .await;
            let points = match summary {
                Ok(r) => {
                    if let Err(e) = r {
                        log_failure(&e);
                    }
                    cached(state, subject, Feature::KeyPoints, Which::Model, "", || {
                        m.key_points(&text)
                    })
                    .await
                }
                Err(e) => Err(e),
            };
            match points {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => log_failure(&e),
                Err(e) => {
                    tracing::warn!("AI precompute stopped: {e}");
                    return 0;
                }
            }
        }
    }
    top.len()
}

/// Run [`precompute_top_stories`] now and then every `every` until `stop`.
pub async fn precompute_loop(
    state: AppState,
    n: usize,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let started = std::time::Instant::now();
        let visited = precompute_top_stories(&state, n).await;
        tracing::debug!(
            stories = visited,
            ms = started.elapsed().as_millis() as u64,
            "AI results computed ahead for the top stories"
        );
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
    }
}

/// A story summary as the page shows it: claims with the sources they cite.
pub struct ClaimView {
    pub text: String,
    pub sources: String,
}

pub struct StoryPanel {
    pub agreed: Vec<ClaimView>,
    pub differences: Vec<ClaimView>,
    pub by_model: bool,
}

pub fn story_panel(s: &tidings_ai::StorySummary, by_model: bool) -> StoryPanel {
    let cite = |c: &tidings_ai::Claim| ClaimView {
        text: c.text.to_string(),
        sources: c
            .sources
            .iter()
            .filter_map(|i| s.sources.get(*i).map(|r| r.source.to_string()))
            .collect::<Vec<_>>()
            .join(", "),
    };
    StoryPanel {
        agreed: s.agreed.iter().map(cite).collect(),
        differences: s
            .differences
            .iter()
            .flat_map(|d| d.claims.iter().map(cite))
            .collect(),
        by_model,
    }
}
