//! The article page.

use super::{CardView, Layout, article_href, human_time, json_for_script, render, short};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use tidings_core::{ArticleId, CanonicalUrl, DisplayPolicy, Timestamp};

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
    pub poster: Option<crate::media::ImgView>,
}

#[derive(Template)]
#[template(path = "article.html")]
pub struct ArticlePage<'a> {
    pub l: Layout<'a>,
    pub ai: crate::ai::Panel,
    pub ai_article_id: i64,
    pub ai_ask_href: String,
    pub ai_translate: bool,
    pub ai_translate_href: String,
    pub ai_langs: Vec<(String, String)>,
    pub lead: Option<crate::media::ImgView>,
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
    pub comments: crate::comments::CommentsSection,
}

/// Names of languages offered for machine translation, in their own language.
const LANGUAGE_NAMES: [(&str, &str); 30] = [
    ("ar", "العربية"),
    ("bg", "Български"),
    ("ca", "Català"),
    ("cs", "Čeština"),
    ("da", "Dansk"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("en", "English"),
    ("es", "Español"),
    ("fa", "فارسی"),
    ("fi", "Suomi"),
    ("fr", "Français"),
    ("he", "עברית"),
    ("hi", "हिन्दी"),
    ("hu", "Magyar"),
    ("id", "Bahasa Indonesia"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("nl", "Nederlands"),
    ("no", "Norsk"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("sv", "Svenska"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("vi", "Tiếng Việt"),
    ("zh", "中文"),
];

/// A language's own name, or its code when we do not know it.
pub fn language_name(code: &str) -> String {
    LANGUAGE_NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, n)| (*n).to_string())
}

/// How much of a source set to `excerpt` readers see: about two short paragraphs.
const EXCERPT_WORDS: usize = 70;

pub async fn article_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    comments: crate::comments::CommentsParams,
) -> Result<Response, WebError> {
    let id: i64 = slug
        .split('-')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or(WebError::NotFound)?;
    let store = state.store();
    let a = store
        .article(ArticleId(id))
        .await?
        .ok_or(WebError::NotFound)?;
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

    let is_excerpt = a.source_display == DisplayPolicy::Excerpt;
    let body_html = if is_excerpt {
        excerpt_html(&a.text)
    } else {
        link_known_articles(&state, &a.html).await?
    };

    let mut others = Vec::new();
    let mut story_sources = 0;
    if let Some(story) = a.story_id {
        if let Some(s) = store.story(story).await? {
            story_sources = s.source_count;
        }
        for c in store.story_coverage(story).await? {
            if c.article_id == a.id && c.source_id == a.source_id {
                continue;
            }
            let external = c.is_copy || c.article_id == a.id;
            others.push(OtherSource {
                source: c.source_name,
                title: c.title.clone(),
                href: if external {
                    c.url
                } else {
                    article_href(c.article_id.0, &c.title)
                },
                external,
                time_iso: c.time.to_rfc3339(),
                time_rel: crate::time::relative(c.time, now, &crate::i18n::EN),
            });
        }
        others.truncate(12);
    }
    let topics: Vec<(String, String)> = store
        .article_topics(a.id)
        .await?
        .into_iter()
        .filter_map(|(slug, _)| tidings_core::Topic::from_slug(&slug))
        .map(|t| (t.slug().to_string(), t.label().to_string()))
        .collect();
    // Related articles (computed after the article joined its story); until
    // they exist, the latest from the same section.
    let mut more: Vec<CardView> = store
        .related_cards(a.id)
        .await?
        .iter()
        .map(|c| CardView::from_card(c, now))
        .collect();
    if more.is_empty()
        && let Some((slug, _)) = topics.first()
    {
        let rows = store
            .list_articles(&tidings_store::ArticleFilter::Topic(slug.clone()), 6, None)
            .await?;
        more = rows
            .iter()
            .filter(|c| c.id != a.id && c.story_id.is_none_or(|s| Some(s) != a.story_id))
            .take(5)
            .map(|c| CardView::from_card(c, now))
            .collect();
    }

    let lead = match &a.image_media {
        Some(id) => store
            .media(id)
            .await?
            .filter(|m| m.status == "ok")
            .and_then(|m| Some((m.width?, m.height?)))
            .map(|(w, h)| {
                crate::media::ImgView::new(
                    id,
                    w,
                    h,
                    a.image_alt.as_deref().unwrap_or(&a.title),
                    1200,
                )
            }),
        None => None,
    };
    let video = match tidings_core::video::StoredVideo::parse_list(&a.videos_json)
        .into_iter()
        .next()
    {
        Some(v) => {
            let poster = match v.poster_url() {
                Some(u) => {
                    let id = tidings_core::media_id(&u);
                    store
                        .media(&id)
                        .await?
                        .filter(|m| m.status == "ok")
                        .and_then(|m| Some((m.width?, m.height?)))
                        .map(|(w, h)| crate::media::ImgView::new(&id, w, h, &a.title, 1200))
                }
                None => None,
            };
            Some(VideoView {
                player: v.player_url(),
                link: v.url.clone(),
                poster,
            })
        }
        None => None,
    };
    let mut l = Layout::new(&state, &headers, &canonical_path, a.title.clone());
    if let Some(img) = &lead {
        l.og_image = Some(format!("{}{}", super::base_url(&state, &headers), img.src));
    }
    l.description = short(a.description.as_deref().unwrap_or(&a.text), 200);
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
    let ai = crate::ai::article_panel(&state, &a).await;
    let comments = crate::comments::section(
        &state,
        &comments,
        tidings_store::Thread::Article(a.id),
        &canonical_path,
    )
    .await?;
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
        source_href: format!("/source/{}", a.source_id.0),
        original_url: a.original_url.clone(),
        authors: a.authors.join(", "),
        time_iso: time.to_rfc3339(),
        time_title: human_time(time),
        time_rel: crate::time::relative(time, now, &crate::i18n::EN),
        modified: a
            .modified_at
            .filter(|m| m.0 > time.0 + 60_000)
            .map(human_time),
        body_html,
        is_excerpt,
        feed_only: a.extract_status != "extracted",
        story_href: a
            .story_id
            .filter(|_| story_sources > 1)
            .map(|s| format!("/story/{}", s.0)),
        story_sources,
        others,
        more,
        topics,
        share,
        comments,
    };
    let mut resp = render(&page)?;
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=60"),
    );
    Ok(resp)
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The first paragraphs of the text, up to about `EXCERPT_WORDS` words, as HTML.
fn excerpt_html(text: &str) -> String {
    let mut out = String::new();
    let mut words = 0;
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if words >= EXCERPT_WORDS {
            break;
        }
        let n = para.split_whitespace().count();
        let p = if words + n > EXCERPT_WORDS + 20 {
            short(para, (EXCERPT_WORDS - words.min(EXCERPT_WORDS)) * 7 + 40)
        } else {
            para.to_string()
        };
        out.push_str("<p>");
        out.push_str(&escape(&p));
        out.push_str("</p>\n");
        words += n;
    }
    out
}

pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Point links in the body at our own copy when we have the linked article
/// ("READ MORE: …" teasers inside stories stay on this site).
async fn link_known_articles(state: &AppState, html: &str) -> Result<String, WebError> {
    let hrefs = find_hrefs(html);
    if hrefs.is_empty() {
        return Ok(html.to_string());
    }
    let canon: Vec<(String, String)> = hrefs
        .iter()
        .filter_map(|h| {
            let decoded = h.replace("&amp;", "&");
            CanonicalUrl::parse(&decoded)
                .ok()
                .map(|c| (h.clone(), c.to_string()))
        })
        .collect();
    let urls: Vec<String> = canon.iter().map(|(_, c)| c.clone()).collect();
    let known = state.store().article_ids_by_urls(&urls).await?;
    if known.is_empty() {
        return Ok(html.to_string());
    }
    let mut out = html.to_string();
    for (raw, c) in &canon {
        if let Some((_, id)) = known.iter().find(|(u, _)| u == c) {
            out = out.replace(
                &format!("href=\"{raw}\""),
                &format!("href=\"{}\" data-local=\"1\"", article_href(id.0, "")),
            );
        }
    }
    Ok(out)
}

/// `href="…"` values in sanitized HTML (the sanitizer always double-quotes).
fn find_hrefs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("href=\"") {
        let after = rest.get(i + 6..).unwrap_or_default();
        let Some(end) = after.find('"') else { break };
        let h = after.get(..end).unwrap_or_default().to_string();
        if h.starts_with("http") && !out.contains(&h) {
            out.push(h);
        }
        rest = after.get(end..).unwrap_or_default();
    }
    out
}
