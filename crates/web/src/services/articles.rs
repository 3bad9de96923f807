//! Articles as readers get them: one article with its source's display
//! policy applied once (the page, the API, feeds out and the AI features all
//! take the body from here), and what surrounds it on its page.

use crate::format::{ImgView, article_href, inline_picture, paragraphs_html, unescape_attr};
use crate::{AppState, WebError};
use std::sync::Arc;
use tidings_core::display::Shown;
use tidings_core::{ArticleId, CanonicalUrl, DisplayPolicy};
use tidings_store::{ArticleCard, ArticleFilter, ArticleRow, Coverage, MediaStatus, StoryRow};

/// A cached image: (media id, original width, original height).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub id: String,
    pub width: i64,
    pub height: i64,
}

/// The body readers may see.
#[derive(Debug, Clone)]
pub struct Body {
    /// Only the opening: the source chose `excerpt`.
    pub excerpt: bool,
    /// Safe HTML: the sanitized article (full), or the excerpt's paragraphs.
    pub html: String,
    /// Plain text of exactly what `html` shows, paragraphs separated by blank lines.
    pub text: String,
}

/// The body of `a` as its source's policy allows, HTML and text. Full
/// articles keep their sanitized HTML; excerpts are plain paragraphs.
pub fn body(a: &ArticleRow) -> Body {
    body_of(a.source_display, &a.html, &a.text)
}

fn body_of(policy: DisplayPolicy, html: &str, text: &str) -> Body {
    match policy.apply(html, text) {
        Shown::Full { html, text } => Body {
            excerpt: false,
            html: html.to_string(),
            text: text.to_string(),
        },
        shown @ Shown::Excerpt { .. } => {
            let text = shown.text();
            let paragraphs: Vec<&str> = text.split("\n\n").collect();
            Body {
                excerpt: true,
                html: paragraphs_html(&paragraphs),
                text,
            }
        }
    }
}

/// One article anyone may see, by id; `NotFound` when there is none (or
/// when it is a private source's).
pub async fn load(state: &AppState, id: ArticleId) -> Result<ArticleRow, WebError> {
    load_for(state, id, None).await
}

/// One article the reader (or a visitor, `None`) may see: a private
/// source's only for its followers, `NotFound` for everyone else.
pub async fn load_for(
    state: &AppState,
    id: ArticleId,
    reader: Option<tidings_core::UserId>,
) -> Result<ArticleRow, WebError> {
    let a = state.store().article(id).await?.ok_or(WebError::NotFound)?;
    if !crate::services::reader::may_read(state, reader, &a).await? {
        return Err(WebError::NotFound);
    }
    Ok(a)
}

/// The article as readers see it: its row with the text cut to what the
/// display policy allows (so nothing downstream can show more), its body,
/// topics and lead image.
pub struct Detail {
    pub row: ArticleRow,
    pub body: Body,
    pub topics: Vec<String>,
    pub image: Option<Image>,
}

pub async fn detail(
    state: &AppState,
    id: ArticleId,
    reader: Option<tidings_core::UserId>,
) -> Result<Detail, WebError> {
    detail_of(state, load_for(state, id, reader).await?).await
}

/// [`detail`] of a row already loaded (and allowed).
async fn detail_of(state: &AppState, mut row: ArticleRow) -> Result<Detail, WebError> {
    let mut body = body(&row);
    if !body.excerpt {
        body.html = resolve_images(state, &body.html).await?;
    }
    // The row carries only what may be shown from here on.
    if body.excerpt {
        row.text = body.text.clone();
        row.html = body.html.clone();
    }
    let topics = state
        .store()
        .article_topics(row.id)
        .await?
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let image = match &row.image_media {
        Some(m) => ready_image(state, m).await?,
        None => None,
    };
    Ok(Detail {
        row,
        body,
        topics,
        image,
    })
}

/// The body's images as this site serves them: each `<img data-media>` (and
/// any `<img src>` stored before images were cached) becomes a `<picture>` of
/// our own copies when the image is ready, and is left out otherwise (still
/// being fetched, failed, an icon): no `<img>` in an answer points anywhere
/// but here, and none is broken. A figure left with neither image nor
/// caption goes too.
pub async fn resolve_images(state: &AppState, html: &str) -> Result<String, WebError> {
    let tags = img_tags(html);
    if tags.is_empty() {
        return Ok(html.to_string());
    }
    let ids: Vec<String> = tags.iter().map(|t| t.media.clone()).collect();
    let ready: std::collections::HashMap<String, (i64, i64)> = state
        .store()
        .media_many(&ids)
        .await?
        .into_iter()
        .filter(|m| m.status == MediaStatus::Ready)
        .filter_map(|m| Some((m.id, (m.width?, m.height?))))
        .collect();
    let mut out = String::with_capacity(html.len());
    let mut pos = 0;
    for t in &tags {
        out.push_str(html.get(pos..t.start).unwrap_or_default());
        if let Some((w, h)) = ready.get(&t.media) {
            out.push_str(&inline_picture(&ImgView::new(
                &t.media, *w, *h, &t.alt, 1200,
            )));
        }
        pos = t.end;
    }
    out.push_str(html.get(pos..).unwrap_or_default());
    Ok(out
        .replace("<figure></figure>\n", "")
        .replace("<figure></figure>", ""))
}

/// An `<img>` tag in stored article HTML: where it is, which cached image it
/// names, and its (escaped) alt text unescaped.
struct ImgTag {
    start: usize,
    end: usize,
    media: String,
    alt: String,
}

fn img_tags(html: &str) -> Vec<ImgTag> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = html.get(from..).and_then(|r| r.find("<img ")) {
        let start = from + at;
        let Some(len) = html.get(start..).and_then(|r| r.find('>')) else {
            break;
        };
        let end = start + len + 1;
        let tag = html.get(start..end).unwrap_or_default();
        let media = attr(tag, "data-media")
            .filter(|m| tidings_core::is_media_id(m))
            .or_else(|| attr(tag, "src").map(|u| tidings_core::media_id(&unescape_attr(&u))));
        out.push(ImgTag {
            start,
            end,
            media: media.unwrap_or_default(),
            alt: attr(tag, "alt")
                .map(|a| unescape_attr(&a))
                .unwrap_or_default(),
        });
        from = end;
    }
    out
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let value = tag.get(start..)?;
    Some(value.get(..value.find('"')?)?.to_string())
}

/// The cached image `id`, when it is ready to serve.
pub async fn ready_image(state: &AppState, id: &str) -> Result<Option<Image>, WebError> {
    Ok(state
        .store()
        .media(id)
        .await?
        .filter(|m| m.status == MediaStatus::Ready)
        .and_then(|m| {
            Some(Image {
                id: m.id,
                width: m.width?,
                height: m.height?,
            })
        }))
}

/// The card of an article row (for the API's list shape of a detail).
pub fn card_of(a: &ArticleRow, image: Option<&Image>) -> ArticleCard {
    ArticleCard {
        id: a.id,
        title: a.title.clone(),
        url: a.url.clone(),
        description: a.description.clone(),
        source_id: a.source_id,
        source_name: a.source_name.clone(),
        published_at: a.published_at,
        created_at: a.created_at,
        image_url: a.image_url.clone(),
        language: a.language.clone(),
        story_id: a.story_id,
        image: image.map(|i| (i.id.clone(), i.width, i.height)),
    }
}

/// What surrounds an article on its page: its story and the other sources'
/// coverage, and related articles (or, until they are computed, the latest
/// of its first topic).
pub struct Context {
    pub story: Option<StoryRow>,
    /// Other items of the story, without this article itself.
    pub coverage: Vec<Coverage>,
    pub related: Vec<ArticleCard>,
}

pub async fn context(
    state: &AppState,
    a: &ArticleRow,
    topics: &[String],
) -> Result<Context, WebError> {
    let store = state.store();
    let mut story = None;
    let mut coverage = Vec::new();
    if let Some(s) = a.story_id {
        story = store.story(s).await?;
        coverage = store
            .story_coverage(s)
            .await?
            .into_iter()
            .filter(|c| !(c.article_id == a.id && c.source_id == a.source_id))
            .collect();
    }
    let mut related = store.related_cards(a.id).await?;
    if related.is_empty()
        && let Some(slug) = topics.first()
    {
        related = store
            .list_articles(&ArticleFilter::Topic(slug.clone()), 6, None)
            .await?
            .into_iter()
            .filter(|c| c.id != a.id && c.story_id.is_none_or(|s| Some(s) != a.story_id))
            .take(5)
            .collect();
    }
    Ok(Context {
        story,
        coverage,
        related,
    })
}

/// Everything the article page shows every reader alike: the article as
/// readers see it (links to articles we have pointed here), its story,
/// coverage and related articles, its video's poster and the AI panel. Kept
/// per node for a second ([`crate::services::memo`]), so a signed-in
/// reader's page, rendered per request, queries only what is theirs. Whether
/// a reader may see a private source's article is checked per request
/// ([`crate::services::reader::may_read`]).
pub struct PageParts {
    pub detail: Detail,
    /// The body to show: links to articles we also have lead to our pages.
    pub body_html: String,
    pub ctx: Context,
    pub video_poster: Option<Image>,
    pub ai: crate::services::ai::Panel,
}

/// [`PageParts`] of an article, from the node's memo when fresh.
pub async fn page_parts(state: &AppState, id: ArticleId) -> Result<Arc<PageParts>, WebError> {
    state
        .article_parts()
        .get_or_try(&id.0.to_string(), state.write_generation(), || {
            build_page_parts(state, id)
        })
        .await
}

async fn build_page_parts(state: &AppState, id: ArticleId) -> Result<PageParts, WebError> {
    let row = state.store().article(id).await?.ok_or(WebError::NotFound)?;
    let detail = detail_of(state, row).await?;
    let a = &detail.row;
    let body_html = if detail.body.excerpt {
        detail.body.html.clone()
    } else {
        link_known_articles(state, &detail.body.html).await?
    };
    let ctx = context(state, a, &detail.topics).await?;
    let video_poster = match tidings_core::video::StoredVideo::parse_list(&a.videos_json)
        .into_iter()
        .next()
        .and_then(|v| v.poster_url())
    {
        Some(u) => ready_image(state, &tidings_core::media_id(&u)).await?,
        None => None,
    };
    let ai = crate::services::ai::article_panel(state, a).await?;
    Ok(PageParts {
        detail,
        body_html,
        ctx,
        video_poster,
        ai,
    })
}

/// Point links in a full article's HTML at our own copy when we have the
/// linked article ("READ MORE: …" teasers inside stories stay on this site).
pub async fn link_known_articles(state: &AppState, html: &str) -> Result<String, WebError> {
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

/// True when the source shows only excerpts.
pub fn is_excerpt(a: &ArticleRow) -> bool {
    a.source_display == DisplayPolicy::Excerpt
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHOLE: &str = "<p>the whole article</p>";

    #[test]
    fn the_policy_is_applied_to_html_and_text_alike() {
        let long = (0..1142)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let b = body_of(DisplayPolicy::Excerpt, WHOLE, &long);
        assert!(b.excerpt);
        assert_eq!(b.text.split_whitespace().count(), 70);
        assert!(!b.html.contains("whole article"), "never the stored HTML");
        assert!(b.html.starts_with("<p>w0 w1") && b.html.ends_with("…</p>\n"));
        let b = body_of(DisplayPolicy::Full, WHOLE, &long);
        assert!(!b.excerpt);
        assert_eq!(b.html, "<p>the whole article</p>");
        assert_eq!(b.text, long);
    }
}

#[cfg(test)]
mod image_tests {
    use super::*;

    #[test]
    fn img_tags_name_their_media() {
        let html = "<figure><img data-media=\"00000000000000aa\" alt=\"A &amp; B\"><figcaption>c</figcaption></figure><p>x <img src=\"https://cdn.example/a.jpg?x=1&amp;y=2\"></p>";
        let tags = img_tags(html);
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[0].media, "00000000000000aa");
        assert_eq!(tags[0].alt, "A & B");
        assert_eq!(
            tags[1].media,
            tidings_core::media_id("https://cdn.example/a.jpg?x=1&y=2")
        );
        assert_eq!(
            &html[tags[1].start..tags[1].end],
            "<img src=\"https://cdn.example/a.jpg?x=1&amp;y=2\">"
        );
    }
}
