//! The front page: top stories, latest articles, sections by topic.

use super::{CardView, Layout, PAGE_SIZE, cursor, next_cursor, render};
use crate::format::{json_for_script, relative, story_href};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde::Deserialize;
use tidings_core::{Timestamp, Topic};
use tidings_store::ArticleFilter;

pub struct StoryView {
    pub href: String,
    pub title: String,
    pub sources: i64,
    pub articles: i64,
    pub time_iso: String,
    pub time_rel: String,
    pub lead: Option<CardView>,
}

/// Stories covered mostly by sources of one perspective.
pub struct OneSidedView {
    pub label: String,
    pub stories: Vec<StoryView>,
}

pub struct SectionView {
    pub slug: &'static str,
    pub label: &'static str,
    pub cards: Vec<CardView>,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub l: Layout<'a>,
    pub stories: &'a [StoryView],
    pub cards: Vec<CardView>,
    pub sections: &'a [SectionView],
    pub next: Option<String>,
    pub is_first_page: bool,
    pub one_sided: &'a [OneSidedView],
}

/// What the front page shows every reader alike (all but the reader's state
/// of the latest articles), kept per node for a second
/// ([`crate::services::memo`]) so a signed-in reader's page, rendered per
/// request, queries only their own state.
pub struct HomeParts {
    rows: Vec<tidings_store::ArticleCard>,
    next: Option<String>,
    stories: Vec<StoryView>,
    sections: Vec<SectionView>,
    one_sided: Vec<OneSidedView>,
}

#[derive(Deserialize)]
pub struct PageQuery {
    before: Option<String>,
}

pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    viewer: crate::services::accounts::Viewer,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let before = cursor(q.before.as_deref())?;
    let now = Timestamp::now();
    // The first page is the one everyone opens; older pages are computed
    // each time (their cursors would only crowd the memo).
    let parts = match before {
        None => {
            state
                .home_parts()
                .get_or_try("", state.write_generation(), || home_parts(&state, None))
                .await?
        }
        Some(_) => std::sync::Arc::new(home_parts(&state, before).await?),
    };
    let shown = parts.rows.get(..PAGE_SIZE as usize).unwrap_or(&parts.rows);
    // A signed-in reader's read and saved state, for the whole list at once.
    let back = super::reader::back(&uri);
    let cards: Vec<CardView> = super::reader::cards(&state, &viewer, shown, &back, now).await?;
    let mut l = Layout::new(&state, &headers, "/", state.config().site_name.clone())
        .with_feeds("/feed", "Latest news");
    l.json_ld = Some(json_for_script(&serde_json::json!({
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": state.config().site_name,
        "url": l.page_url,
        "potentialAction": {
            "@type": "SearchAction",
            "target": format!("{}/search?q={{query}}", l.page_url.trim_end_matches('/')),
            "query-input": "required name=query"
        }
    })));
    if before.is_some() {
        l.noindex = true;
    }
    render(&HomePage {
        l,
        stories: &parts.stories,
        cards,
        sections: &parts.sections,
        next: parts.next.clone(),
        is_first_page: before.is_none(),
        one_sided: &parts.one_sided,
    })
}

async fn home_parts(state: &AppState, before: Option<(i64, i64)>) -> Result<HomeParts, WebError> {
    let store = state.store();
    let now = Timestamp::now();
    let rows = store
        .list_articles(&ArticleFilter::All, PAGE_SIZE + 1, before)
        .await?;
    let next = next_cursor(&rows, PAGE_SIZE);

    let mut stories = Vec::new();
    let mut sections = Vec::new();
    let mut one_sided = Vec::new();
    if before.is_none() {
        let recent = crate::services::stories::top(state, now, 1, 60).await?;
        for (label, list) in crate::services::coverage::one_sided(state, &recent).await? {
            one_sided.push(OneSidedView {
                label,
                stories: list
                    .iter()
                    .take(5)
                    .map(|s| StoryView {
                        href: story_href(s.id.0),
                        title: s.title.clone(),
                        sources: s.source_count,
                        articles: s.article_count,
                        time_iso: s.last_seen_at.to_rfc3339(),
                        time_rel: relative(s.last_seen_at, now, &crate::i18n::EN),
                        lead: None,
                    })
                    .collect(),
            });
        }
        // Stories covered by more than one source make the top list.
        let top = crate::services::stories::top(state, now, 2, 8).await?;
        let leads: Vec<_> = top.iter().filter_map(|s| s.lead_article_id).collect();
        let lead_cards = store.article_cards(&leads).await?;
        for s in top {
            let lead = s
                .lead_article_id
                .and_then(|id| lead_cards.iter().find(|c| c.id == id))
                .map(|c| CardView::from_card(c, now));
            stories.push(StoryView {
                href: story_href(s.id.0),
                title: s.title.clone(),
                sources: s.source_count,
                articles: s.article_count,
                time_iso: s.last_seen_at.to_rfc3339(),
                time_rel: relative(s.last_seen_at, now, &crate::i18n::EN),
                lead,
            });
        }
        for t in Topic::ALL {
            let rows = store
                .list_articles(&ArticleFilter::Topic(t.slug().to_string()), 4, None)
                .await?;
            if !rows.is_empty() {
                sections.push(SectionView {
                    slug: t.slug(),
                    label: t.label(),
                    cards: rows.iter().map(|a| CardView::from_card(a, now)).collect(),
                });
            }
        }
    }
    Ok(HomeParts {
        rows,
        next,
        stories,
        sections,
        one_sided,
    })
}
