//! `/account/apps`: how to connect reader apps (the Google Reader and Fever
//! APIs, served by `crate::apps`), and Fever app passwords.

use super::accounts::{Empty, login_href};
use super::{Layout, render};
use crate::http::hosts::base_url;
use crate::http::viewer::CsrfForm;
use crate::services::accounts::Viewer;
use crate::services::reader_apps;
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/apps", get(apps_page))
        .route("/account/apps/fever", post(fever_password))
}

#[derive(Template)]
#[template(path = "accounts/apps.html")]
struct AppsPage<'a> {
    l: Layout<'a>,
    base: String,
    username: String,
    csrf: String,
    personal_feeds: bool,
    fever_password: Option<String>,
}

fn page(
    state: &AppState,
    headers: &HeaderMap,
    viewer: &Viewer,
    fever_password: Option<String>,
) -> Result<Response, WebError> {
    let u = viewer.require_user()?;
    let mut l = Layout::new(state, headers, "/account/apps", "Reader apps".into());
    l.noindex = true;
    render(&AppsPage {
        l,
        base: base_url(state, headers),
        username: u.username.clone(),
        csrf: viewer.csrf().unwrap_or_default().to_string(),
        personal_feeds: state.config().accounts.personal_feeds,
        fever_password,
    })
}

async fn apps_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Result<Response, WebError> {
    if viewer.user().is_none() {
        return Ok(Redirect::to(&login_href("/account/apps")).into_response());
    }
    page(&state, &headers, &viewer, None)
}

async fn fever_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: Viewer,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let u = viewer.require_user()?.clone();
    let pw = reader_apps::create_fever_password(&state, &u).await?;
    page(&state, &headers, &viewer, Some(pw))
}
