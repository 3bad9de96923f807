//! Pages for the AI features: an answer to a question about an article, and
//! a translation (when a model is configured).

use super::{Layout, render};
use crate::format::article_href;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use std::net::SocketAddr;
use tidings_ai::Provider;
use tidings_core::ArticleId;

pub struct QuoteView {
    pub text: String,
}

#[derive(Template)]
#[template(path = "ask.html")]
pub struct AskPage<'a> {
    pub l: Layout<'a>,
    pub article_href: String,
    pub article_title: String,
    pub question: String,
    pub answered: bool,
    pub answer: String,
    pub quotes: Vec<QuoteView>,
    pub by_model: bool,
    pub notice: Option<String>,
}

#[derive(Deserialize)]
pub struct AskQuery {
    pub q: Option<String>,
}

async fn load(state: &AppState, slug: &str) -> Result<tidings_store::ArticleRow, WebError> {
    let id: ArticleId = crate::services::ai::id_of(slug).ok_or(WebError::NotFound)?;
    state
        .store()
        .article(id)
        .await?
        .filter(|a| !a.private)
        .map(crate::services::ai::for_ai)
        .ok_or(WebError::NotFound)
}

pub async fn ask_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    viewer: crate::services::accounts::Viewer,
    Path(slug): Path<String>,
    Query(q): Query<AskQuery>,
) -> Result<Response, WebError> {
    let a = load(&state, &slug).await?;
    let question: String =
        q.q.unwrap_or_default()
            .trim()
            .chars()
            .take(tidings_ai::limits::MAX_QUESTION_CHARS)
            .collect();
    let href = article_href(a.id.0, &a.title);
    let mut page = AskPage {
        l: Layout::new(
            &state,
            &headers,
            &format!("{href}/ask"),
            format!("Ask about: {}", a.title),
        ),
        article_href: href,
        article_title: a.title.clone(),
        question: question.clone(),
        answered: false,
        answer: String::new(),
        quotes: Vec::new(),
        by_model: false,
        notice: None,
    };
    page.l.noindex = true;
    if question.is_empty() {
        page.notice = Some("Type a question about the article.".into());
    } else if !state
        .ai()
        .allow(
            &state,
            &viewer,
            &crate::http::viewer::client_addr(&state, &headers, Some(peer)),
            crate::services::ai::AiUse::Ask,
        )
        .await?
    {
        page.notice = Some(
            "You have asked many questions in a short time. Please wait a minute and try again."
                .into(),
        );
    } else {
        let (res, by_model) = crate::services::ai::ask(&state, &a, &question).await?;
        match res {
            Ok(ans) => {
                page.answered = ans.answered;
                page.answer = ans.text.to_string();
                page.quotes = ans
                    .quotes
                    .iter()
                    .map(|q| QuoteView {
                        text: q.text.to_string(),
                    })
                    .collect();
                page.by_model = by_model;
            }
            Err(e) => page.notice = Some(e.reader_message().to_string()),
        }
    }
    render(&page)
}

#[derive(Template)]
#[template(path = "translate.html")]
pub struct TranslatePage<'a> {
    pub l: Layout<'a>,
    pub article_href: String,
    pub lang: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub notice: Option<String>,
}

#[derive(Deserialize)]
pub struct TranslateQuery {
    pub lang: Option<String>,
}

pub async fn translate_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    viewer: crate::services::accounts::Viewer,
    Path(slug): Path<String>,
    Query(q): Query<TranslateQuery>,
) -> Result<Response, WebError> {
    let a = load(&state, &slug).await?;
    let Some(model) = state.ai().model.clone() else {
        return Err(WebError::NotFound);
    };
    let lang = q.lang.unwrap_or_default().trim().to_ascii_lowercase();
    if !state.ai().translates_into(&lang) {
        return Err(WebError::bad_request(format!(
            "choose one of the languages this site translates into: {}",
            state.ai().translate_languages().join(", ")
        )));
    }
    let href = article_href(a.id.0, &a.title);
    let text = crate::services::ai::article_text(&a);
    let which = crate::services::ai::Which::Model;
    let subject = ("article", a.id.0);
    let feature = tidings_ai::Feature::Translate;
    // Only a translation that is not cached yet costs a model call, and only
    // that counts against the reader's budget.
    let cached = crate::services::ai::peek(&state, subject, feature, which, &lang).await?;
    let over_budget = cached.is_none()
        && !state
            .ai()
            .allow(
                &state,
                &viewer,
                &crate::http::viewer::client_addr(&state, &headers, Some(peer)),
                crate::services::ai::AiUse::Translate,
            )
            .await?;
    let res = match cached {
        Some(t) => Ok(t),
        None if over_budget => Err(tidings_ai::AiError::RateLimited { retry_after: None }),
        None => {
            crate::services::ai::cached(&state, subject, feature, which, &lang, || async {
                model.translate(&text, &lang).await
            })
            .await?
        }
    };
    let mut l = Layout::new(
        &state,
        &headers,
        &format!("{href}/translate"),
        a.title.clone(),
    );
    l.noindex = true;
    let page = match res {
        Ok(t) => TranslatePage {
            l,
            article_href: href,
            lang: lang.clone(),
            title: t.title.to_string(),
            paragraphs: t.paragraphs.iter().map(|p| p.to_string()).collect(),
            notice: None,
        },
        Err(e) => {
            let notice = if over_budget {
                "You have asked for many translations in a short time. Please wait a minute and try again."
            } else {
                crate::services::ai::log_failure(&e);
                e.reader_message()
            };
            TranslatePage {
                l,
                article_href: href,
                lang,
                title: a.title.clone(),
                paragraphs: Vec::new(),
                notice: Some(notice.to_string()),
            }
        }
    };
    let mut res = render(&page)?;
    if over_budget {
        *res.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
    }
    Ok(res)
}
