//! Videos embedded in articles, as stored (the extractor's JSON) and as pages
//! show them: a poster served by Tidings and a player loaded on click.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredVideo {
    /// `YouTube`, `Vimeo`, `Html5` or `Other`.
    pub kind: String,
    pub url: String,
    pub embed_url: Option<String>,
    pub poster: Option<String>,
}

impl StoredVideo {
    pub fn parse_list(json: &str) -> Vec<StoredVideo> {
        serde_json::from_str(json).unwrap_or_default()
    }

    fn youtube_id(&self) -> Option<String> {
        let u = url::Url::parse(&self.url).ok()?;
        let id = u
            .query_pairs()
            .find(|(k, _)| k == "v")
            .map(|(_, v)| v.into_owned())
            .or_else(|| u.path_segments()?.next_back().map(str::to_string))?;
        (id.len() >= 6
            && id.len() <= 20
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .then_some(id)
    }

    fn vimeo_id(&self) -> Option<String> {
        let u = url::Url::parse(self.embed_url.as_deref().unwrap_or(&self.url)).ok()?;
        let id = u
            .path_segments()?
            .rev()
            .find(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))?;
        Some(id.to_string())
    }

    /// The player to load when the reader clicks (privacy-friendly hosts).
    pub fn player_url(&self) -> Option<String> {
        match self.kind.as_str() {
            "YouTube" => self
                .youtube_id()
                .map(|id| format!("https://www.youtube-nocookie.com/embed/{id}?autoplay=1")),
            "Vimeo" => self
                .vimeo_id()
                .map(|id| format!("https://player.vimeo.com/video/{id}?autoplay=1&dnt=1")),
            _ => None,
        }
    }

    /// The poster image to cache: the page's own, else YouTube's standard thumbnail.
    pub fn poster_url(&self) -> Option<String> {
        self.poster.clone().or_else(|| {
            (self.kind == "YouTube")
                .then(|| self.youtube_id())
                .flatten()
                .map(|id| format!("https://i.ytimg.com/vi/{id}/hqdefault.jpg"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn youtube_and_vimeo() {
        let y = StoredVideo {
            kind: "YouTube".into(),
            url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ".into(),
            embed_url: None,
            poster: None,
        };
        assert_eq!(
            y.player_url().unwrap(),
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
        );
        assert_eq!(
            y.poster_url().unwrap(),
            "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"
        );
        let v = StoredVideo {
            kind: "Vimeo".into(),
            url: "https://vimeo.com/76979871".into(),
            embed_url: None,
            poster: Some("https://i.vimeocdn.com/x.jpg".into()),
        };
        assert_eq!(
            v.player_url().unwrap(),
            "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1"
        );
        assert_eq!(v.poster_url().unwrap(), "https://i.vimeocdn.com/x.jpg");
        let bad = StoredVideo {
            kind: "YouTube".into(),
            url: "https://www.youtube.com/watch?v=<script>".into(),
            embed_url: None,
            poster: None,
        };
        assert_eq!(bad.player_url(), None, "ids are checked, never pasted");
        assert!(StoredVideo::parse_list("not json").is_empty());
    }
}
