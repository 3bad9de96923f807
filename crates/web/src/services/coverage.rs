//! How a story is covered across sources: the split by each attribute an
//! operator sets on sources (country, language, owner, kind of outlet,
//! perspective), who reported first, the timeline of its articles and
//! updates, and the stories covered mostly by sources of one perspective.

use crate::{AppState, WebError};
use tidings_core::{SourceId, StoryId, Timestamp};
use tidings_store::{Coverage, StoryRow};

/// Site setting: the operator's perspective labels, one JSON list.
pub const SETTING_PERSPECTIVES: &str = "coverage.perspectives";
/// A story counts as covered mostly by one side when at least this share of
/// its labelled sources carry one label…
const ONE_SIDE_SHARE: f64 = 0.75;
/// …and at least this many of its sources are labelled.
const ONE_SIDE_MIN_SOURCES: i64 = 3;

/// The operator's perspective labels (none until set).
pub async fn perspectives(state: &AppState) -> Result<Vec<String>, WebError> {
    Ok(state
        .store()
        .get_setting(SETTING_PERSPECTIVES)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// Labels as typed in a form: comma or line separated, trimmed, unique.
pub fn parse_labels(input: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for l in input
        .split([',', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        if l.chars().count() > 40 || l.chars().any(char::is_control) {
            return Err(format!("`{l}`: a label has at most 40 characters"));
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(l)) {
            out.push(l.to_string());
        }
    }
    if out.len() > 12 {
        return Err("at most 12 perspective labels".into());
    }
    Ok(out)
}

pub async fn save_perspectives(state: &AppState, labels: &[String]) -> Result<(), WebError> {
    let json = serde_json::to_string(labels).map_err(|e| WebError::Internal(e.to_string()))?;
    state
        .store()
        .set_setting(SETTING_PERSPECTIVES, &json)
        .await?;
    Ok(())
}

/// One value of an attribute and the sources with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub label: String,
    pub sources: usize,
    /// Of all the story's sources, 0–100.
    pub percent: u32,
}

/// How the story's sources split on one attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Facet {
    pub name: &'static str,
    pub shares: Vec<Share>,
}

/// What "not set" reads as.
pub const UNKNOWN: &str = "Not set";

/// The split of a story's sources (each counted once) on every attribute
/// that at least one of them has; biggest share first, "not set" last.
pub fn facets(coverage: &[Coverage]) -> Vec<Facet> {
    let mut sources: Vec<&Coverage> = Vec::new();
    for c in coverage {
        if !sources.iter().any(|s| s.source_id == c.source_id) {
            sources.push(c);
        }
    }
    let total = sources.len();
    let attr = |name: &'static str, f: &dyn Fn(&Coverage) -> Option<String>| -> Option<Facet> {
        let mut shares: Vec<Share> = Vec::new();
        for s in &sources {
            let label = f(s).unwrap_or_else(|| UNKNOWN.to_string());
            match shares.iter_mut().find(|x| x.label == label) {
                Some(x) => x.sources += 1,
                None => shares.push(Share {
                    label,
                    sources: 1,
                    percent: 0,
                }),
            }
        }
        if shares.iter().all(|s| s.label == UNKNOWN) {
            return None;
        }
        for s in &mut shares {
            s.percent = u32::try_from(s.sources * 100 / total.max(1)).unwrap_or(100);
        }
        shares.sort_by(|a, b| {
            (a.label == UNKNOWN)
                .cmp(&(b.label == UNKNOWN))
                .then(b.sources.cmp(&a.sources))
                .then(a.label.cmp(&b.label))
        });
        Some(Facet { name, shares })
    };
    [
        attr("Perspective", &|c| c.profile.perspective.clone()),
        attr("Country", &|c| c.profile.country.clone()),
        attr("Language", &|c| c.profile.language.clone()),
        attr("Kind of outlet", &|c| {
            c.profile.kind.map(|k| k.label().to_string())
        }),
        attr("Owner", &|c| c.profile.owner.clone()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The source that reported the story first (its earliest item), if any.
pub fn first(coverage: &[Coverage]) -> Option<&Coverage> {
    coverage
        .iter()
        .min_by_key(|c| (c.time, c.is_copy, c.source_id.0))
}

/// One event in a story's timeline.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub time: Timestamp,
    pub item: &'a Coverage,
    /// An update of an earlier item (the publisher changed the article).
    pub update: bool,
}

/// The story's items and their updates, oldest first.
pub fn timeline(coverage: &[Coverage]) -> Vec<Event<'_>> {
    let mut events: Vec<Event<'_>> = Vec::new();
    for c in coverage {
        events.push(Event {
            time: c.time,
            item: c,
            update: false,
        });
        // An update a minute or more after publication is news of its own.
        if let Some(m) = c.modified.filter(|m| m.0 > c.time.0 + 60_000) {
            events.push(Event {
                time: m,
                item: c,
                update: true,
            });
        }
    }
    events.sort_by_key(|e| (e.time, e.item.source_id.0, e.update));
    events
}

/// Stories covered mostly by sources of one perspective: per label, the
/// stories (best ranked first) where at least three quarters of the
/// labelled sources (three or more) carry it.
pub async fn one_sided(
    state: &AppState,
    stories: &[StoryRow],
) -> Result<Vec<(String, Vec<StoryRow>)>, WebError> {
    let labels = perspectives(state).await?;
    if labels.is_empty() || stories.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<StoryId> = stories.iter().map(|s| s.id).collect();
    let rows = state.store().story_perspectives(&ids).await?;
    let mut out: Vec<(String, Vec<StoryRow>)> =
        labels.iter().map(|l| (l.clone(), Vec::new())).collect();
    for s in stories {
        let mine: Vec<&(StoryId, String, i64)> = rows.iter().filter(|r| r.0 == s.id).collect();
        let labelled: i64 = mine.iter().map(|r| r.2).sum();
        if labelled < ONE_SIDE_MIN_SOURCES {
            continue;
        }
        if let Some(top) = mine.iter().max_by_key(|r| r.2)
            && top.2 as f64 >= labelled as f64 * ONE_SIDE_SHARE
            && let Some((_, list)) = out.iter_mut().find(|(l, _)| *l == top.1)
        {
            list.push(s.clone());
        }
    }
    out.retain(|(_, list)| !list.is_empty());
    Ok(out)
}

/// The distinct sources of a story.
pub fn source_count(coverage: &[Coverage]) -> usize {
    let mut ids: Vec<SourceId> = coverage.iter().map(|c| c.source_id).collect();
    ids.sort_by_key(|s| s.0);
    ids.dedup();
    ids.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tidings_core::{ArticleId, OutletKind, SourceProfile};

    fn item(source: i64, t: i64, perspective: Option<&str>, country: Option<&str>) -> Coverage {
        Coverage {
            source_id: SourceId(source),
            source_name: format!("S{source}"),
            article_id: ArticleId(source * 10),
            url: String::new(),
            title: format!("t{source}"),
            time: Timestamp(t),
            is_copy: false,
            modified: None,
            profile: SourceProfile {
                perspective: perspective.map(String::from),
                country: country.map(String::from),
                kind: Some(OutletKind::National),
                ..Default::default()
            },
        }
    }

    #[test]
    fn sources_are_counted_once_and_unset_is_last() {
        let c = vec![
            item(1, 30, Some("Left"), Some("DE")),
            item(1, 40, Some("Left"), Some("DE")),
            item(2, 10, Some("Right"), None),
            item(3, 20, Some("Left"), Some("FR")),
            item(4, 50, None, Some("DE")),
        ];
        let f = facets(&c);
        let names: Vec<&str> = f.iter().map(|x| x.name).collect();
        assert_eq!(names, ["Perspective", "Country", "Kind of outlet"]);
        let p = &f[0].shares;
        assert_eq!(
            (p[0].label.as_str(), p[0].sources, p[0].percent),
            ("Left", 2, 50)
        );
        assert_eq!(p.last().unwrap().label, UNKNOWN);
        assert_eq!(source_count(&c), 4);
        assert_eq!(first(&c).unwrap().source_id, SourceId(2));
    }

    #[test]
    fn timelines_include_updates() {
        let mut a = item(1, 1_000, None, None);
        a.modified = Some(Timestamp(500_000));
        let b = item(2, 200_000, None, None);
        let c = [a, b];
        let t = timeline(&c);
        assert_eq!(
            t.iter()
                .map(|e| (e.item.source_id.0, e.update))
                .collect::<Vec<_>>(),
            [(1, false), (2, false), (1, true)]
        );
    }

    #[test]
    fn labels_are_parsed() {
        assert_eq!(
            parse_labels(" Left, centre\nRight,left ").unwrap(),
            vec!["Left", "centre", "Right"]
        );
        assert!(parse_labels(&"x".repeat(41)).is_err());
    }
}
