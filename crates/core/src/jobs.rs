//! Background work that the web layer asks for (it never runs the pipeline,
//! it enqueues a job): the job kinds and their payloads, typed, shared by
//! the producer (`web`, the CLI) and the consumer (`pipeline`).

use serde::{Deserialize, Serialize};

/// Extract a source's (or every source's) kept pages again, a batch at a
/// time: each job does the articles after `after` (by id) and queues the next.
pub const REEXTRACT: &str = "reextract";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reextract {
    pub source: Option<i64>,
    /// When the run was asked for (unix ms): each run is its own series of jobs.
    pub run: i64,
    pub after: i64,
}

impl Reextract {
    /// The job's idempotency key: one batch per (source, run, position).
    pub fn key(&self) -> String {
        let source = self
            .source
            .map_or_else(|| "all".to_string(), |s| s.to_string());
        format!("reextract:{source}:{}:{}", self.run, self.after)
    }
}

/// Compute a preview of extraction rules on a source's latest articles.
pub const RULE_PREVIEW: &str = "rule_preview";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePreview {
    /// The preview's id (what `/admin` waits for).
    pub id: String,
    pub source: i64,
    pub content: Option<String>,
    pub remove: Vec<String>,
}

impl RulePreview {
    /// The preview's id: the same rules on the same source are one preview.
    pub fn id_for(source: i64, content: Option<&str>, remove: &[String]) -> String {
        // FNV-1a over the parts: stable across processes (std's hasher is not).
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut eat = |s: &str| {
            for b in s.bytes().chain(std::iter::once(0xff)) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        eat(&source.to_string());
        eat(content.unwrap_or_default());
        for r in remove {
            eat(r);
        }
        format!("{h:016x}")
    }
}

/// What a rule preview found, per article: the current extraction and the
/// one with the new rules, side by side. `error` when a selector cannot be
/// used (nothing else is set then).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePreviewResult {
    pub error: Option<String>,
    pub items: Vec<RulePreviewItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePreviewItem {
    pub article_id: i64,
    pub title: String,
    pub current: String,
    pub with_rules: String,
}
