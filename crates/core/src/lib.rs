//! Domain types shared by every Tidings crate: ids, time, URL canonicalisation,
//! display policy and topics. Depends on nothing of ours.

pub mod display;
mod ids;
pub mod jobs;
mod profile;
mod time;
mod topic;
pub mod urlcanon;
pub mod video;

pub use ids::{ArticleId, CommentId, JobId, SourceId, StoryId, UserId};
pub use profile::{OutletKind, ProfileError, SourceProfile};
pub use time::{Timestamp, now_ms};
pub use topic::Topic;
pub use urlcanon::{CanonicalUrl, UrlError};

use serde::{Deserialize, Serialize};

/// How much of a source's article text Tidings shows to readers.
/// `Excerpt` is the default: it respects publishers and links to the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisplayPolicy {
    Full,
    #[default]
    Excerpt,
}

impl DisplayPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            DisplayPolicy::Full => "full",
            DisplayPolicy::Excerpt => "excerpt",
        }
    }
}

impl std::str::FromStr for DisplayPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(DisplayPolicy::Full),
            "excerpt" => Ok(DisplayPolicy::Excerpt),
            other => Err(format!(
                "display policy must be `full` or `excerpt`, got `{other}`"
            )),
        }
    }
}

impl std::fmt::Display for DisplayPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a source: how its URL is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// RSS, Atom or JSON Feed.
    #[default]
    Feed,
    /// A (news) sitemap or sitemap index.
    Sitemap,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Feed => "feed",
            SourceKind::Sitemap => "sitemap",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "feed" => Some(SourceKind::Feed),
            "sitemap" => Some(SourceKind::Sitemap),
            _ => None,
        }
    }
}

/// Where a stored article's text came from: its page; the feed's own content
/// because the page had less text; or the feed entry alone, the page could
/// not be used. Written by the pipeline, shown by the site and the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtractStatus {
    #[default]
    Extracted,
    FeedContent,
    FeedOnly,
}

impl ExtractStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExtractStatus::Extracted => "extracted",
            ExtractStatus::FeedContent => "feed_content",
            ExtractStatus::FeedOnly => "feed_only",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "extracted" => Some(ExtractStatus::Extracted),
            "feed_content" => Some(ExtractStatus::FeedContent),
            "feed_only" => Some(ExtractStatus::FeedOnly),
            _ => None,
        }
    }
}

/// Where a cached image stands: asked for, ready to serve, or given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaStatus {
    Pending,
    Ready,
    Failed,
}

impl MediaStatus {
    /// As stored (`ok` for ready, the word the first release wrote).
    pub fn as_str(self) -> &'static str {
        match self {
            MediaStatus::Pending => "pending",
            MediaStatus::Ready => "ok",
            MediaStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(MediaStatus::Pending),
            "ok" => Some(MediaStatus::Ready),
            "failed" => Some(MediaStatus::Failed),
            _ => None,
        }
    }
}

/// A source's state in lists: never polled yet, fine, failing, or disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    New,
    Ok,
    Error,
    Disabled,
}

impl SourceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceStatus::New => "new",
            SourceStatus::Ok => "ok",
            SourceStatus::Error => "error",
            SourceStatus::Disabled => "disabled",
        }
    }
}

/// The id under which Tidings caches a remote image: a stable hash of its URL
/// (16 hex digits). Shared by the pipeline that stores media and the web
/// layer that serves it.
pub fn media_id(url: &str) -> String {
    // FNV-1a: stable across processes and releases (std's hasher is not).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in url.trim().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Whether `s` has the shape of a [`media_id`] (16 hex digits): what may
/// name a folder under `media/`.
pub fn is_media_id(s: &str) -> bool {
    s.len() == 16 && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Write a cached media file through a temporary name and a rename, so a
/// reader never sees half an image and a crash leaves no truncated file. The
/// temporary name carries the process id: crawler and web processes may
/// write the same file at once.
pub fn write_media_file(path: &std::path::Path, data: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path)
}

/// Widths of the resized copies of a cached image whose original is
/// `original_width` pixels wide: the page sizes that fit, never enlarged (a
/// small image keeps its own width).
pub fn media_variant_widths(original_width: u32) -> Vec<u32> {
    const WIDTHS: [u32; 3] = [320, 640, 1200];
    let fit: Vec<u32> = WIDTHS
        .iter()
        .copied()
        .filter(|w| *w <= original_width)
        .collect();
    if fit.is_empty() {
        vec![original_width.max(1)]
    } else {
        fit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_policy_parses_and_rejects() {
        assert_eq!("full".parse::<DisplayPolicy>(), Ok(DisplayPolicy::Full));
        assert_eq!(
            " Excerpt ".parse::<DisplayPolicy>(),
            Ok(DisplayPolicy::Excerpt)
        );
        assert!("everything".parse::<DisplayPolicy>().is_err());
        assert_eq!(DisplayPolicy::default(), DisplayPolicy::Excerpt);
    }
}
