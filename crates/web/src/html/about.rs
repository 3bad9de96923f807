//! About this site.

use super::{Layout, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

#[derive(Template)]
#[template(path = "about.html")]
pub struct AboutPage<'a> {
    pub l: Layout<'a>,
    pub sources: usize,
    pub articles: i64,
    pub stories: i64,
}

pub async fn about(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let store = state.store();
    let sources = store.public_sources().await?.len();
    let articles = store.count_articles().await?;
    let stories = store.count_stories().await?;
    let l = Layout::new(
        &state,
        &headers,
        "/about",
        format!("About {}", state.config().site_name),
    );
    render(&AboutPage {
        l,
        sources,
        articles,
        stories,
    })
}
