//! A story: all coverage of one event, by source, newest first.

use super::{Layout, render};
use crate::format::{article_href, human_time, relative, source_href, story_href};
use crate::services::coverage;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use tidings_core::{StoryId, Timestamp};

pub struct CoverageView {
    pub source: String,
    pub source_href: String,
    pub title: String,
    pub href: String,
    pub external: bool,
    pub time_iso: String,
    pub time_title: String,
    pub time_rel: String,
}

pub struct SourceGroup {
    pub source: String,
    pub source_href: String,
    pub items: Vec<CoverageView>,
}

#[derive(Template)]
#[template(path = "story.html")]
pub struct StoryPage<'a> {
    pub l: Layout<'a>,
    pub title: String,
    pub sources: i64,
    pub articles: i64,
    pub first_iso: String,
    pub first_title: String,
    pub last_iso: String,
    pub last_rel: String,
    pub newest: Vec<CoverageView>,
    pub by_source: Vec<SourceGroup>,
    /// What the sources agree on and where they differ; None for a story too thin to summarise.
    pub ai: Option<crate::services::ai::StoryPanel>,
    /// Comments (see `crate::comments`).
    pub comments: crate::html::comments::CommentsSection,
    /// How the story's sources split on each attribute that is set.
    pub split: Vec<FacetView>,
    /// Who reported first.
    pub first: Option<CoverageView>,
    /// Items and their updates, oldest first.
    pub timeline: Vec<TimelineView>,
    /// Other stories this one's articles are related to (earlier or later
    /// steps, the same subject), most related first.
    pub related: Vec<RelatedStoryView>,
    /// A signed-in reader's follow and mark-all-read forms, and what is new
    /// since their last visit.
    pub controls: Option<super::reader::Controls>,
}

pub struct ShareView {
    pub label: String,
    pub sources: usize,
    pub percent: u32,
}

pub struct FacetView {
    pub name: &'static str,
    pub shares: Vec<ShareView>,
}

pub struct RelatedStoryView {
    pub title: String,
    pub href: String,
    pub articles: i64,
    pub sources: i64,
    pub last_iso: String,
    pub last_title: String,
    pub last_rel: String,
}

pub struct TimelineView {
    pub time_iso: String,
    pub time_title: String,
    pub source: String,
    pub source_href: String,
    pub title: String,
    pub href: String,
    pub update: bool,
}

pub async fn story_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    comments: crate::html::comments::CommentsParams,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let reader = comments.viewer.user().map(|u| u.id);
    let (s, coverage) = crate::services::stories::detail(&state, StoryId(id)).await?;
    let now = Timestamp::now();
    let views: Vec<CoverageView> = coverage
        .iter()
        .map(|c| CoverageView {
            source: c.source_name.clone(),
            source_href: source_href(c.source_id.0),
            title: c.title.clone(),
            href: if c.is_copy {
                c.url.clone()
            } else {
                article_href(c.article_id.0, &c.title)
            },
            external: c.is_copy,
            time_iso: c.time.to_rfc3339(),
            time_title: human_time(c.time),
            time_rel: relative(c.time, now, &crate::i18n::EN),
        })
        .collect();
    let mut by_source: Vec<SourceGroup> = Vec::new();
    for (c, v) in coverage.iter().zip(views.iter()) {
        let item = CoverageView {
            source: v.source.clone(),
            source_href: v.source_href.clone(),
            title: v.title.clone(),
            href: v.href.clone(),
            external: v.external,
            time_iso: v.time_iso.clone(),
            time_title: v.time_title.clone(),
            time_rel: v.time_rel.clone(),
        };
        match by_source
            .iter_mut()
            .find(|g| g.source_href == source_href(c.source_id.0))
        {
            Some(g) => g.items.push(item),
            None => by_source.push(SourceGroup {
                source: v.source.clone(),
                source_href: v.source_href.clone(),
                items: vec![item],
            }),
        }
    }
    let path = story_href(id);
    let mut l = Layout::new(&state, &headers, &path, s.title.clone())
        .with_feeds(&format!("/story/{id}/feed"), "This story");
    l.description = format!(
        "Full coverage: {} articles from {} sources.",
        s.article_count, s.source_count
    );
    let ai = if s.source_count >= 2 {
        match crate::services::ai::story_summary(&state, s.id, false).await? {
            // Copies of one text are not several sources to compare.
            Ok((sum, by_model)) if sum.sources.len() >= 2 => {
                Some(crate::services::ai::story_panel(&sum, by_model))
            }
            Ok(_) => None,
            Err(e) => {
                tracing::debug!("no story summary for {}: {e}", s.id.0);
                None
            }
        }
        .filter(|p| !p.agreed.is_empty() || !p.differences.is_empty())
    } else {
        None
    };
    let comments = crate::html::comments::section(
        &state,
        &comments,
        tidings_store::Thread::Story(s.id),
        &path,
        false,
    )
    .await?;
    let view = |c: &tidings_store::Coverage| CoverageView {
        source: c.source_name.clone(),
        source_href: source_href(c.source_id.0),
        title: c.title.clone(),
        href: if c.is_copy {
            c.url.clone()
        } else {
            article_href(c.article_id.0, &c.title)
        },
        external: c.is_copy,
        time_iso: c.time.to_rfc3339(),
        time_title: human_time(c.time),
        time_rel: relative(c.time, now, &crate::i18n::EN),
    };
    let split = coverage::facets(&coverage)
        .into_iter()
        .map(|f| FacetView {
            name: f.name,
            shares: f
                .shares
                .into_iter()
                .map(|s| ShareView {
                    label: s.label,
                    sources: s.sources,
                    percent: s.percent,
                })
                .collect(),
        })
        .collect();
    let first = coverage::first(&coverage).map(view);
    let controls = match reader {
        Some(u) => {
            let news = crate::services::reader::visit_story(&state, u, s.id).await?;
            Some(super::reader::Controls {
                r: &crate::i18n::READER_EN,
                toggles: vec![super::reader::follow_toggle(
                    "story",
                    s.id.0.to_string(),
                    news.is_some(),
                    &path,
                )],
                read_all: Some(super::reader::ReadAll {
                    view: "story",
                    id: s.id.0.to_string(),
                    before: now.0,
                    back: path.clone(),
                }),
                news: news.map(|n| super::reader::news_line(n.new_since_visit, n.last_visit, now)),
            })
        }
        None => None,
    };
    let timeline = coverage::timeline(&coverage)
        .iter()
        .map(|e| {
            let v = view(e.item);
            TimelineView {
                time_iso: e.time.to_rfc3339(),
                time_title: human_time(e.time),
                source: v.source,
                source_href: v.source_href,
                title: v.title,
                href: v.href,
                update: e.update,
            }
        })
        .collect();
    let related = crate::services::stories::related(&state, s.id)
        .await?
        .into_iter()
        .map(|r| RelatedStoryView {
            href: story_href(r.id.0),
            title: r.title,
            articles: r.article_count,
            sources: r.source_count,
            last_iso: r.last_seen_at.to_rfc3339(),
            last_title: human_time(r.last_seen_at),
            last_rel: relative(r.last_seen_at, now, &crate::i18n::EN),
        })
        .collect();
    render(&StoryPage {
        related,
        split,
        first,
        timeline,
        ai,
        l,
        title: s.title.clone(),
        sources: s.source_count,
        articles: s.article_count,
        first_iso: s.first_seen_at.to_rfc3339(),
        first_title: human_time(s.first_seen_at),
        last_iso: s.last_seen_at.to_rfc3339(),
        last_rel: relative(s.last_seen_at, now, &crate::i18n::EN),
        newest: views,
        by_source,
        comments,
        controls,
    })
}
