//! The article page.

use super::{CardView, Layout, render};
use crate::format::{
    article_href, human_time, id_of_slug, json_for_script, language_name, relative, short,
    source_href, story_href, urlencode,
};
use crate::http::hosts::base_url;
use crate::http::media::ImgView;
use crate::services::articles;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use tidings_core::{ArticleId, ExtractStatus, Timestamp};

pub struct OtherSource {
    pub source: String,
    pub title: String,
    pub href: String,
    pub external: bool,
    pub time_iso: String,
    pub time_rel: String,
}

pub struct VideoView {
    /// Loaded into an iframe when the reader clicks (by app.js).
    pub player: Option<String>,
    /// Where the video lives (the no-JavaScript fallback).
    pub link: String,
    pub poster: Option<ImgView>,
}

#[derive(Template)]
#[template(path = "article.html")]
pub struct ArticlePage<'a> {
    pub l: Layout<'a>,
    pub ai: crate::services::ai::Panel,
    pub ai_article_id: i64,
    pub ai_ask_href: String,
    pub ai_translate: bool,
    pub ai_translate_href: String,
    pub ai_langs: Vec<(String, String)>,
    pub lead: Option<ImgView>,
    pub video: Option<VideoView>,
    pub title: String,
    pub source: String,
    pub source_href: String,
    pub original_url: String,
    pub authors: String,
    pub time_iso: String,
    pub time_title: String,
    pub time_rel: String,
    pub modified: Option<String>,
    /// Sanitized article HTML (from the extractor), with links to articles we
    /// also have pointed at our pages. Rendered unescaped.
    pub body_html: String,
    pub is_excerpt: bool,
    pub feed_only: bool,
    pub story_href: Option<String>,
    pub story_sources: i64,
    pub others: Vec<OtherSource>,
    pub more: Vec<CardView>,
    pub topics: Vec<(String, String)>,
    pub share: Vec<(&'static str, String)>,
    /// Comments (see `crate::comments`).
    pub comments: crate::html::comments::CommentsSection,
    /// A signed-in reader's save, read and follow forms.
    pub controls: Option<super::reader::Controls>,
}

pub async fn article_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    comments: crate::html::comments::CommentsParams,
) -> Result<Response, WebError> {
    let id = id_of_slug(&slug).ok_or(WebError::NotFound)?;
    let reader = comments.viewer.user().map(|u| u.id);
    // What every reader sees alike comes from the node's memo; only the
    // reader's own parts are queried per request.
    let parts = articles::page_parts(&state, ArticleId(id)).await?;
    let detail = &parts.detail;
    let a = &detail.row;
    // A private source's article is for the readers who follow it only.
    if !crate::services::reader::may_read(&state, reader, a).await? {
        return Err(WebError::NotFound);
    }
    if let Some(orig) = a.duplicate_of {
        return Ok(Redirect::permanent(&article_href(orig.0, "")).into_response());
    }
    // One address per article: old or partial slugs redirect to the current one.
    let canonical_path = article_href(a.id.0, &a.title);
    if format!("/a/{slug}") != canonical_path {
        return Ok(Redirect::permanent(&canonical_path).into_response());
    }
    let now = Timestamp::now();
    let time = a.published_at.unwrap_or(a.created_at);
    let body_html = parts.body_html.clone();
    let ctx = &parts.ctx;
    let story_sources = ctx.story.as_ref().map_or(0, |s| s.source_count);
    let others: Vec<OtherSource> = ctx
        .coverage
        .iter()
        .take(12)
        .map(|c| {
            let external = c.is_copy || c.article_id == a.id;
            OtherSource {
                source: c.source_name.clone(),
                title: c.title.clone(),
                href: if external {
                    c.url.clone()
                } else {
                    article_href(c.article_id.0, &c.title)
                },
                external,
                time_iso: c.time.to_rfc3339(),
                time_rel: relative(c.time, now, &crate::i18n::EN),
            }
        })
        .collect();
    let topics: Vec<(String, String)> = detail
        .topics
        .iter()
        .filter_map(|slug| tidings_core::Topic::from_slug(slug))
        .map(|t| (t.slug().to_string(), t.label().to_string()))
        .collect();
    let more: Vec<CardView> = ctx
        .related
        .iter()
        .map(|c| CardView::from_card(c, now))
        .collect();
    let lead = detail.image.as_ref().map(|img| {
        ImgView::new(
            &img.id,
            img.width,
            img.height,
            a.image_alt.as_deref().unwrap_or(&a.title),
            1200,
        )
    });
    let video = tidings_core::video::StoredVideo::parse_list(&a.videos_json)
        .into_iter()
        .next()
        .map(|v| VideoView {
            player: v.player_url(),
            link: v.url.clone(),
            poster: parts
                .video_poster
                .as_ref()
                .map(|i| ImgView::new(&i.id, i.width, i.height, &a.title, 1200)),
        });
    let mut l = Layout::new(&state, &headers, &canonical_path, a.title.clone());
    if let Some(img) = &lead {
        l.og_image = Some(format!("{}{}", base_url(&state, &headers), img.src));
    }
    l.description = short(a.description.as_deref().unwrap_or(&detail.body.text), 200);
    l.canonical = a.original_url.clone();
    l.og_type = "article";
    let page_url = l.page_url.clone();
    l.json_ld = Some(json_for_script(&serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": short(&a.title, 110),
        "description": l.description,
        "datePublished": time.to_rfc3339(),
        "dateModified": a.modified_at.unwrap_or(time).to_rfc3339(),
        "author": a.authors.iter().map(|n| serde_json::json!({"@type": "Person", "name": n})).collect::<Vec<_>>(),
        "publisher": {"@type": "Organization", "name": a.source_name},
        "mainEntityOfPage": a.original_url,
        "url": page_url,
        "isAccessibleForFree": true,
    })));
    let share_url = urlencode(&page_url);
    let share_title = urlencode(&a.title);
    let share = vec![
        (
            "Email",
            format!("mailto:?subject={share_title}&body={share_url}"),
        ),
        (
            "X",
            format!("https://twitter.com/intent/tweet?url={share_url}&text={share_title}"),
        ),
        (
            "Facebook",
            format!("https://www.facebook.com/sharer/sharer.php?u={share_url}"),
        ),
        (
            "LinkedIn",
            format!("https://www.linkedin.com/sharing/share-offsite/?url={share_url}"),
        ),
        (
            "Mastodon",
            format!("https://mastodonshare.com/?url={share_url}&text={share_title}"),
        ),
    ];
    let ai = parts.ai.clone();
    let comments = crate::html::comments::section(
        &state,
        &comments,
        tidings_store::Thread::Article(a.id),
        &canonical_path,
        // Threads are public; a private source's article (a reader's own feed) has none.
        a.private,
    )
    .await?;
    // Opening the page marks the article read for a signed-in reader.
    let controls = match reader {
        Some(u) => {
            // A copy the service worker keeps for offline reading (sw.js) is
            // not a reading: it leaves the read state alone.
            let ps = if headers.contains_key("x-tidings-offline-copy") {
                crate::services::reader::page_state(
                    &state,
                    u,
                    tidings_store::PageTarget {
                        article: Some((a.id, a.created_at)),
                        source: Some(a.source_id),
                        story: a.story_id,
                        topic: None,
                    },
                )
                .await?
            } else {
                crate::services::reader::open_article(&state, u, a).await?
            };
            let back = canonical_path.clone();
            Some(super::reader::Controls {
                r: &crate::i18n::READER_EN,
                toggles: vec![
                    super::reader::save_toggle(a.id, ps.article.saved_at.is_some(), "", &back),
                    super::reader::read_toggle(a.id, ps.article.read, "", &back),
                    super::reader::Toggle {
                        hint: a.source_name.clone(),
                        ..super::reader::follow_toggle(
                            "source",
                            a.source_id.0.to_string(),
                            ps.following_source,
                            &back,
                        )
                    },
                ],
                read_all: None,
                news: None,
            })
        }
        None => None,
    };
    let page = ArticlePage {
        l,
        ai,
        ai_article_id: a.id.0,
        ai_ask_href: format!("{canonical_path}/ask"),
        ai_translate: state.ai().has_model(),
        ai_translate_href: format!("{canonical_path}/translate"),
        ai_langs: state
            .ai()
            .translate_languages()
            .iter()
            .map(|c| (c.clone(), language_name(c)))
            .collect(),
        lead,
        video,
        title: a.title.clone(),
        source: a.source_name.clone(),
        source_href: source_href(a.source_id.0),
        original_url: a.original_url.clone(),
        authors: a.authors.join(", "),
        time_iso: time.to_rfc3339(),
        time_title: human_time(time),
        time_rel: relative(time, now, &crate::i18n::EN),
        modified: a
            .modified_at
            .filter(|m| m.0 > time.0 + 60_000)
            .map(human_time),
        body_html,
        is_excerpt: detail.body.excerpt,
        feed_only: a.extract_status != ExtractStatus::Extracted,
        story_href: a
            .story_id
            .filter(|_| story_sources > 1)
            .map(|s| story_href(s.0)),
        story_sources,
        others,
        more,
        topics,
        share,
        comments,
        controls,
    };
    let mut resp = render(&page)?;
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=60"),
    );
    Ok(resp)
}
