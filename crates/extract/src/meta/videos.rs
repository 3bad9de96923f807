//! Videos: JSON-LD VideoObjects, `og:video`, YouTube/Vimeo embeds and `<video>`.

use super::*;

/// The page's videos (at most 20, each URL once).
pub(crate) fn fill(pg: &Sources<'_>, m: &mut Meta) {
    // Videos: JSON-LD, og:video, iframes and <video>.
    let mut videos: Vec<Video> = Vec::new();
    for (content, embed, thumb) in &pg.ld.videos {
        let embed_u = embed.as_deref().and_then(|e| abs_url(&pg.base, e));
        let content_u = content.as_deref().and_then(|c| abs_url(&pg.base, c));
        if let Some(v) = embed_u.as_ref().and_then(video_from_embed).or_else(|| {
            content_u.clone().map(|u| Video {
                kind: VideoKind::Other,
                url: u,
                embed_url: embed_u.clone(),
                poster: None,
            })
        }) {
            let poster = thumb.as_deref().and_then(|t| abs_url(&pg.base, t));
            videos.push(Video { poster, ..v });
        }
    }
    for k in ["og:video:secure_url", "og:video:url", "og:video"] {
        if let Some(u) = pg.get(k).and_then(|u| abs_url(&pg.base, u)) {
            let v = video_from_embed(&u).unwrap_or(Video {
                kind: VideoKind::Other,
                url: u,
                embed_url: None,
                poster: None,
            });
            videos.push(v);
            break;
        }
    }
    for &ix in &pg.scan.iframes {
        let Some(n) = pg.arena.get(ix) else { continue };
        let src = n
            .attr("src")
            .or(n.attr("data-src"))
            .or(n.attr("data-lazy-src"));
        if let Some(u) = src.and_then(|s| abs_url(&pg.base, s))
            && let Some(v) = video_from_embed(&u)
        {
            videos.push(v);
        }
    }
    for &ix in &pg.scan.video_tags {
        let Some(n) = pg.arena.get(ix) else { continue };
        let src = n.attr("src").map(str::to_string).or_else(|| {
            pg.arena.descendants(ix).find_map(|d| {
                let dn = pg.arena.get(d)?;
                if dn.is_el("source") {
                    dn.attr("src").map(str::to_string)
                } else {
                    None
                }
            })
        });
        if let Some(u) = src.and_then(|s| abs_url(&pg.base, &s)) {
            videos.push(Video {
                kind: VideoKind::Html5,
                url: u,
                embed_url: None,
                poster: n.attr("poster").and_then(|p| abs_url(&pg.base, p)),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    videos.retain(|v| seen.insert(v.url.to_string()));
    videos.truncate(20);
    m.videos = videos;
}

/// Recognises YouTube and Vimeo players.
pub(crate) fn video_from_embed(u: &Url) -> Option<Video> {
    let host = u
        .host_str()?
        .trim_start_matches("www.")
        .trim_start_matches("m.");
    let segs: Vec<&str> = u
        .path_segments()
        .map(|s| s.filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    let yt_host = matches!(host, "youtube.com" | "youtube-nocookie.com" | "youtu.be");
    if yt_host {
        let id = match (host, segs.as_slice()) {
            ("youtu.be", [id, ..]) => Some(id.to_string()),
            (_, ["embed", id, ..]) | (_, ["v", id, ..]) | (_, ["shorts", id, ..]) => {
                Some(id.to_string())
            }
            (_, ["watch"]) => u
                .query_pairs()
                .find(|(k, _)| k == "v")
                .map(|(_, v)| v.to_string()),
            _ => None,
        }?;
        if id.is_empty()
            || id == "videoseries"
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let url = Url::parse(&format!("https://www.youtube.com/watch?v={id}")).ok()?;
        let embed = Url::parse(&format!("https://www.youtube.com/embed/{id}")).ok();
        return Some(Video {
            kind: VideoKind::YouTube,
            url,
            embed_url: embed,
            poster: None,
        });
    }
    if host == "player.vimeo.com" || host == "vimeo.com" {
        let id = segs
            .iter()
            .rev()
            .find(|s| s.chars().all(|c| c.is_ascii_digit()))?;
        let url = Url::parse(&format!("https://vimeo.com/{id}")).ok()?;
        let embed = Url::parse(&format!("https://player.vimeo.com/video/{id}")).ok();
        return Some(Video {
            kind: VideoKind::Vimeo,
            url,
            embed_url: embed,
            poster: None,
        });
    }
    None
}
