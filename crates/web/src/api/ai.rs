//! AI features: summary, key points, questions (whole or streamed as
//! server-sent events), translation, and story summaries. Results are cached;
//! a failing model falls back to the built-in provider where one can answer.

use super::ApiError;
use crate::AppState;
use crate::services::ai::{Which, cached, log_failure};
use axum::Json;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use tidings_ai::{AiError, Feature, Provider};
use tidings_core::{ArticleId, StoryId};
use tidings_store::ArticleRow;
use utoipa::{IntoParams, ToSchema};

/// Who produced a result.
#[derive(Debug, Serialize, ToSchema)]
pub struct Producer {
    /// `builtin` (offline, extractive) or the configured provider (`openai`).
    pub provider: String,
    pub model: String,
    /// The model failed and the built-in provider answered instead.
    pub fallback: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryView {
    pub sentences: Vec<String>,
    /// Only the start of a very long article was read.
    pub input_truncated: bool,
    pub producer: Producer,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPointsView {
    pub points: Vec<String>,
    /// Keywords and named entities (built-in provider only).
    pub keywords: Vec<String>,
    pub entities: Vec<String>,
    pub input_truncated: bool,
    pub producer: Producer,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteView {
    /// A sentence of the article, verbatim.
    pub text: String,
    /// Paragraph number, from 0.
    pub paragraph: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerView {
    /// False when the article does not answer the question; `text` says so.
    pub answered: bool,
    pub text: String,
    /// The sentences of the article that support the answer.
    pub quotes: Vec<QuoteView>,
    pub producer: Producer,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TranslationView {
    pub lang: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub input_truncated: bool,
    pub producer: Producer,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimView {
    pub text: String,
    /// Indexes into `sources`.
    pub sources: Vec<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CitedSource {
    pub article_id: i64,
    pub source: String,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DifferenceView {
    /// `conflict` (the sources disagree) or `only_in` (some sources only).
    pub kind: String,
    pub claims: Vec<ClaimView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StorySummaryView {
    pub sources: Vec<CitedSource>,
    /// What several sources report alike.
    pub agreed: Vec<ClaimView>,
    pub differences: Vec<DifferenceView>,
    pub producer: Producer,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AskQuery {
    /// The question, up to 300 characters.
    pub q: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TranslateQuery {
    /// Target language, ISO 639-1 (e.g. `de`).
    pub lang: String,
}

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::invalid("id", "must be an integer"))
}

async fn load(state: &AppState, id: &str) -> Result<ArticleRow, ApiError> {
    let id = parse_id(id)?;
    state
        .store()
        .article(ArticleId(id))
        .await?
        .filter(|a| !a.private)
        .map(crate::services::ai::for_ai)
        .ok_or_else(|| ApiError::not_found(&format!("article {id} not found")))
}

fn producer(state: &AppState, which: Which, fallback: bool) -> Producer {
    match (which, &state.ai().model) {
        (Which::Model, Some(m)) => Producer {
            provider: m.name().to_string(),
            model: m.model().to_string(),
            fallback,
        },
        _ => Producer {
            provider: tidings_ai::Builtin::NAME.to_string(),
            model: tidings_ai::Builtin::MODEL.to_string(),
            fallback,
        },
    }
}

/// A provider failure as a problem: the reader message, never internal detail.
fn ai_problem(e: &AiError) -> ApiError {
    log_failure(e);
    match e {
        AiError::Unsupported { .. } => {
            ApiError::new(crate::error::Code::NotConfigured, e.reader_message())
        }
        AiError::InvalidInput(_) => {
            ApiError::new(crate::error::Code::Unprocessable, e.reader_message())
        }
        _ => ApiError::new(crate::error::Code::Unavailable, e.reader_message()).retry_after(30),
    }
}

/// Run `feature` with the model when one is configured, else (or when it
/// fails) with the built-in provider.
async fn model_or_builtin<T, FM, FB>(
    state: &AppState,
    a: &ArticleRow,
    feature: Feature,
    model_call: FM,
    builtin_call: FB,
) -> Result<(T, Producer), ApiError>
where
    T: Serialize + serde::de::DeserializeOwned,
    FM: AsyncFnOnce(&tidings_ai::AnyProvider) -> Result<T, AiError>,
    FB: AsyncFnOnce(&tidings_ai::Builtin) -> Result<T, AiError>,
{
    let rt = state.ai();
    let subject = ("article", a.id.0);
    let mut fallback = false;
    if let Some(m) = &rt.model {
        match cached(state, subject, feature, Which::Model, "", || model_call(m)).await? {
            Ok(v) => return Ok((v, producer(state, Which::Model, false))),
            Err(e) => {
                log_failure(&e);
                fallback = true;
            }
        }
    }
    let b = &rt.builtin;
    let v = cached(state, subject, feature, Which::Builtin, "", || {
        builtin_call(b)
    })
    .await?
    .map_err(|e| ai_problem(&e))?;
    Ok((v, producer(state, Which::Builtin, fallback)))
}

/// A 3–5 sentence summary of an article.
#[utoipa::path(get, path = "/api/v1/articles/{id}/summary", tag = "ai",
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The summary", body = SummaryView),
        (status = 404, description = "No such article", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The article has no text to summarise", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn article_summary(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SummaryView>, ApiError> {
    let a = load(&state, &id).await?;
    let text = crate::services::ai::article_text(&a);
    let (s, producer) = model_or_builtin(
        &state,
        &a,
        Feature::Summary,
        async |m| m.summary(&text).await,
        async |b| b.summarize(&text),
    )
    .await?;
    Ok(Json(SummaryView {
        sentences: s.sentences.iter().map(|x| x.to_string()).collect(),
        input_truncated: s.input_truncated,
        producer,
    }))
}

/// Key points of an article as bullets.
#[utoipa::path(get, path = "/api/v1/articles/{id}/key-points", tag = "ai",
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The key points", body = KeyPointsView),
        (status = 404, description = "No such article", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The article has no text", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn article_key_points(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<KeyPointsView>, ApiError> {
    let a = load(&state, &id).await?;
    let text = crate::services::ai::article_text(&a);
    let (k, producer) = model_or_builtin(
        &state,
        &a,
        Feature::KeyPoints,
        async |m| m.key_points(&text).await,
        async |b| b.key_points(&text),
    )
    .await?;
    let strings = |v: &[tidings_ai::PlainText]| v.iter().map(|x| x.to_string()).collect();
    Ok(Json(KeyPointsView {
        points: strings(&k.points),
        keywords: strings(&k.keywords),
        entities: strings(&k.entities),
        input_truncated: k.input_truncated,
        producer,
    }))
}

fn question(q: &str) -> Result<String, ApiError> {
    let q = q.trim();
    if q.chars().count() > tidings_ai::limits::MAX_QUESTION_CHARS {
        return Err(ApiError::invalid(
            "q",
            &format!(
                "must be at most {} characters",
                tidings_ai::limits::MAX_QUESTION_CHARS
            ),
        ));
    }
    // What the providers will read: a question of only control characters is empty.
    tidings_ai::clean_question(q).map_err(|_| ApiError::invalid("q", "must not be empty"))
}

fn rate_limited() -> ApiError {
    ApiError::new(
        crate::error::Code::RateLimited,
        "too many questions from this address; try again in a minute",
    )
    .retry_after(60)
}

fn answer_view(a: tidings_ai::Answer, producer: Producer) -> AnswerView {
    AnswerView {
        answered: a.answered,
        text: a.text.to_string(),
        quotes: a
            .quotes
            .iter()
            .map(|q| QuoteView {
                text: q.text.to_string(),
                paragraph: q.paragraph,
            })
            .collect(),
        producer,
    }
}

/// Ask a question about an article. The answer quotes the sentences that
/// support it, or says plainly that the article does not answer it.
#[utoipa::path(get, path = "/api/v1/articles/{id}/ask", tag = "ai",
    params(("id" = i64, Path, description = "Article id"), AskQuery),
    responses(
        (status = 200, description = "The answer", body = AnswerView),
        (status = 400, description = "The question is missing or too long", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The article has no text", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many questions; see Retry-After", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn article_ask(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    viewer: crate::services::accounts::Viewer,
    Path(id): Path<String>,
    q: Result<Query<AskQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AnswerView>, ApiError> {
    let Query(q) = q.map_err(super::problem::rejection)?;
    let question = question(&q.q)?;
    let a = load(&state, &id).await?;
    if !state
        .ai()
        .allow(
            &state,
            &viewer,
            &crate::http::viewer::client_addr(&state, &headers, Some(peer)),
            crate::services::ai::AiUse::Ask,
        )
        .await?
    {
        return Err(rate_limited());
    }
    let (res, by_model) = crate::services::ai::ask(&state, &a, &question).await?;
    let ans = res.map_err(|e| ai_problem(&e))?;
    let fallback = state.ai().has_model() && !by_model;
    let which = if by_model {
        Which::Model
    } else {
        Which::Builtin
    };
    Ok(Json(answer_view(ans, producer(&state, which, fallback))))
}

/// The same question, answered as server-sent events: `delta` events carry
/// text as it is written, then one `answer` event carries the whole answer
/// (as from `/ask`, with checked quotes), or an `error` event a message.
#[utoipa::path(get, path = "/api/v1/articles/{id}/ask/stream", tag = "ai",
    params(("id" = i64, Path, description = "Article id"), AskQuery),
    responses(
        (status = 200, description = "An event stream; each event as described", content_type = "text/event-stream", body = AskEvent),
        (status = 400, description = "The question is missing or too long", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many questions; see Retry-After", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn article_ask_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    viewer: crate::services::accounts::Viewer,
    Path(id): Path<String>,
    q: Result<Query<AskQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(super::problem::rejection)?;
    let question = question(&q.q)?;
    let a = load(&state, &id).await?;
    if !state
        .ai()
        .allow(
            &state,
            &viewer,
            &crate::http::viewer::client_addr(&state, &headers, Some(peer)),
            crate::services::ai::AiUse::Ask,
        )
        .await?
    {
        return Err(rate_limited());
    }
    let Some(model) = state.ai().model.clone() else {
        // No model: the built-in answer is immediate; one event carries it.
        let (res, _) = crate::services::ai::ask(&state, &a, &question).await?;
        let ev = match res {
            Ok(ans) => event(
                "answer",
                &answer_view(ans, producer(&state, Which::Builtin, false)),
            ),
            Err(e) => error_event(&e),
        };
        let s = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(ev)]);
        return Ok(Sse::new(s).into_response());
    };
    let key = (("article", a.id.0), Feature::Ask, Which::Model);
    if let Some(ans) =
        crate::services::ai::peek::<tidings_ai::Answer>(&state, key.0, key.1, key.2, &question)
            .await?
    {
        let ev = event(
            "answer",
            &answer_view(ans, producer(&state, Which::Model, false)),
        );
        let s = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(ev)]);
        return Ok(Sse::new(s).into_response());
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<Event>(32);
    tokio::spawn(stream_answer(state, model, a, question, tx));
    let events = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|e| (Ok::<_, std::convert::Infallible>(e), rx))
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// One server-sent event of `/ask/stream` (documents the wire format; the
/// events themselves are built with axum's `Event`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AskEvent {
    event: AskEventName,
    /// JSON: `{"text": "…"}` for `delta`, an `AnswerView` for `answer`,
    /// `{"message": "…"}` for `error`.
    #[schema(content_media_type = "application/json")]
    data: String,
}

/// `delta`: more answer text; `answer`: the whole answer, last; `error`: the provider failed.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum AskEventName {
    Delta,
    Answer,
    Error,
}

fn event(name: &str, v: &impl Serialize) -> Event {
    Event::default()
        .event(name)
        .json_data(v)
        .unwrap_or_else(|_| Event::default().event("error").data("{}"))
}

fn error_event(e: &AiError) -> Event {
    log_failure(e);
    event(
        "error",
        &serde_json::json!({ "message": e.reader_message() }),
    )
}

/// Send the model's deltas as they come, then the parsed answer (cached).
async fn stream_answer(
    state: AppState,
    model: tidings_ai::AnyProvider,
    a: ArticleRow,
    question: String,
    tx: tokio::sync::mpsc::Sender<Event>,
) {
    let text = crate::services::ai::article_text(&a);
    let Some(_permit) = state.ai().permit().await else {
        let _ = tx.send(error_event(&AiError::Timeout)).await;
        return;
    };
    let mut stream = match model.ask_stream(&text, &question).await {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(error_event(&e)).await;
            return;
        }
    };
    let mut full = String::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(delta) => {
                full.push_str(delta.as_str());
                let ev = event("delta", &serde_json::json!({ "text": delta.as_str() }));
                if tx.send(ev).await.is_err() {
                    return; // the reader left
                }
            }
            Err(e) => {
                let _ = tx.send(error_event(&e)).await;
                return;
            }
        }
    }
    let answer = tidings_ai::answer_from_model_text(&text, &full);
    // Cached, so the same question is not sent to the model twice. The
    // reader has the answer already; a database that cannot keep it is logged.
    if let Err(e) = cached(
        &state,
        ("article", a.id.0),
        Feature::Ask,
        Which::Model,
        &question,
        || async { Ok(answer.clone()) },
    )
    .await
    {
        tracing::warn!("cannot cache a streamed answer: {e}");
    }
    let view = answer_view(answer, producer(&state, Which::Model, false));
    let _ = tx.send(event("answer", &view)).await;
}

/// An article translated by the configured model.
#[utoipa::path(get, path = "/api/v1/articles/{id}/translation", tag = "ai",
    params(("id" = i64, Path, description = "Article id"), TranslateQuery),
    responses(
        (status = 200, description = "The translation", body = TranslationView),
        (status = 400, description = "The language is not one this site translates into", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many translations; see Retry-After", body = super::Problem, content_type = "application/problem+json"),
        (status = 501, description = "No language model is configured", body = super::Problem, content_type = "application/problem+json"),
        (status = 503, description = "The model failed; see Retry-After", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn article_translation(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    viewer: crate::services::accounts::Viewer,
    Path(id): Path<String>,
    q: Result<Query<TranslateQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<TranslationView>, ApiError> {
    let Query(q) = q.map_err(super::problem::rejection)?;
    let lang = q.lang.trim().to_ascii_lowercase();
    if !state.ai().translates_into(&lang) {
        return Err(ApiError::invalid(
            "lang",
            &format!(
                "must be one of the languages this site translates into: {}",
                state.ai().translate_languages().join(", ")
            ),
        ));
    }
    let a = load(&state, &id).await?;
    let Some(model) = state.ai().model.clone() else {
        return Err(ai_problem(&AiError::Unsupported {
            feature: Feature::Translate,
            provider: "builtin",
        }));
    };
    let subject = ("article", a.id.0);
    // Only a translation not cached yet is a model call and counts.
    let t =
        match crate::services::ai::peek(&state, subject, Feature::Translate, Which::Model, &lang)
            .await?
        {
            Some(t) => t,
            None => {
                let addr = crate::http::viewer::client_addr(&state, &headers, Some(peer));
                if !state
                    .ai()
                    .allow(
                        &state,
                        &viewer,
                        &addr,
                        crate::services::ai::AiUse::Translate,
                    )
                    .await?
                {
                    return Err(ApiError::new(
                        crate::error::Code::RateLimited,
                        "too many translations from this reader; try again in a minute",
                    )
                    .retry_after(60));
                }
                let text = crate::services::ai::article_text(&a);
                cached(
                    &state,
                    subject,
                    Feature::Translate,
                    Which::Model,
                    &lang,
                    || async { model.translate(&text, &lang).await },
                )
                .await?
                .map_err(|e| ai_problem(&e))?
            }
        };
    Ok(Json(TranslationView {
        lang: t.lang,
        title: t.title.to_string(),
        paragraphs: t.paragraphs.iter().map(|p| p.to_string()).collect(),
        input_truncated: t.input_truncated,
        producer: producer(&state, Which::Model, false),
    }))
}

/// A neutral summary of a story across its sources: what they agree on and
/// where they differ, each statement citing its sources.
#[utoipa::path(get, path = "/api/v1/stories/{id}/summary", tag = "ai",
    params(("id" = i64, Path, description = "Story id")),
    responses(
        (status = 200, description = "The summary", body = StorySummaryView),
        (status = 404, description = "No such story", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The story has no article text", body = super::Problem, content_type = "application/problem+json"),
    ))]
pub async fn story_summary(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<StorySummaryView>, ApiError> {
    let id = parse_id(&id)?;
    let story = state
        .store()
        .story(StoryId(id))
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("story {id} not found")))?;
    let (s, by_model) = crate::services::ai::story_summary(&state, story.id, true)
        .await?
        .map_err(|e| ai_problem(&e))?;
    let claim = |c: &tidings_ai::Claim| ClaimView {
        text: c.text.to_string(),
        sources: c.sources.clone(),
    };
    let fallback = state.ai().has_model() && !by_model;
    Ok(Json(StorySummaryView {
        sources: s
            .sources
            .iter()
            .map(|r| CitedSource {
                article_id: r.article_id.0,
                source: r.source.to_string(),
                title: r.title.to_string(),
            })
            .collect(),
        agreed: s.agreed.iter().map(claim).collect(),
        differences: s
            .differences
            .iter()
            .map(|d| DifferenceView {
                kind: match d.kind {
                    tidings_ai::DifferenceKind::Conflict => "conflict".into(),
                    tidings_ai::DifferenceKind::OnlyIn => "only_in".into(),
                },
                claims: d.claims.iter().map(claim).collect(),
            })
            .collect(),
        producer: producer(
            &state,
            if by_model {
                Which::Model
            } else {
                Which::Builtin
            },
            fallback,
        ),
    }))
}
