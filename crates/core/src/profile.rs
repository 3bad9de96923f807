//! What an operator says about a source, to show how a story's coverage
//! splits: its country, language, owner, kind of outlet, and a perspective
//! label from a list the operator defines.

use serde::{Deserialize, Serialize};

/// The kind of outlet a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutletKind {
    Wire,
    National,
    Local,
    PublicBroadcaster,
    International,
    Magazine,
    Blog,
    Other,
}

impl OutletKind {
    pub const ALL: [OutletKind; 8] = [
        OutletKind::Wire,
        OutletKind::National,
        OutletKind::Local,
        OutletKind::PublicBroadcaster,
        OutletKind::International,
        OutletKind::Magazine,
        OutletKind::Blog,
        OutletKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OutletKind::Wire => "wire",
            OutletKind::National => "national",
            OutletKind::Local => "local",
            OutletKind::PublicBroadcaster => "public_broadcaster",
            OutletKind::International => "international",
            OutletKind::Magazine => "magazine",
            OutletKind::Blog => "blog",
            OutletKind::Other => "other",
        }
    }

    /// What readers see.
    pub fn label(self) -> &'static str {
        match self {
            OutletKind::Wire => "Wire service",
            OutletKind::National => "National",
            OutletKind::Local => "Local",
            OutletKind::PublicBroadcaster => "Public broadcaster",
            OutletKind::International => "International",
            OutletKind::Magazine => "Magazine",
            OutletKind::Blog => "Blog",
            OutletKind::Other => "Other",
        }
    }

    pub fn parse(s: &str) -> Option<OutletKind> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        OutletKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A source's attributes; every one may be unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceProfile {
    /// ISO 3166-1 alpha-2, upper case (`DE`).
    pub country: Option<String>,
    /// ISO 639-1, lower case (`de`), as the operator says (the feed's own
    /// language is used when this is unset).
    pub language: Option<String>,
    pub owner: Option<String>,
    pub kind: Option<OutletKind>,
    /// One of the operator's perspective labels.
    pub perspective: Option<String>,
}

/// A profile value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError(pub String);

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProfileError {}

impl SourceProfile {
    /// Checked and normalised values (empty strings mean unset). `labels`
    /// are the operator's perspective labels; a perspective must be one of them.
    pub fn normalised(
        country: &str,
        language: &str,
        owner: &str,
        kind: &str,
        perspective: &str,
        labels: &[String],
    ) -> Result<SourceProfile, ProfileError> {
        let country = match country.trim() {
            "" => None,
            c if c.len() == 2 && c.chars().all(|x| x.is_ascii_alphabetic()) => {
                Some(c.to_ascii_uppercase())
            }
            c => {
                return Err(ProfileError(format!(
                    "country `{c}` must be a two-letter ISO 3166 code such as DE"
                )));
            }
        };
        let language = match language.trim() {
            "" => None,
            l if l.len() == 2 && l.chars().all(|x| x.is_ascii_alphabetic()) => {
                Some(l.to_ascii_lowercase())
            }
            l => {
                return Err(ProfileError(format!(
                    "language `{l}` must be a two-letter ISO 639-1 code such as de"
                )));
            }
        };
        let owner = match owner.trim() {
            "" => None,
            o if o.chars().count() <= 200 && !o.chars().any(char::is_control) => {
                Some(o.to_string())
            }
            _ => return Err(ProfileError("owner must be at most 200 characters".into())),
        };
        let kind = match kind.trim() {
            "" => None,
            k => Some(OutletKind::parse(k).ok_or_else(|| {
                ProfileError(format!(
                    "kind `{k}` must be one of {}",
                    OutletKind::ALL.map(OutletKind::as_str).join(", ")
                ))
            })?),
        };
        let perspective = match perspective.trim() {
            "" => None,
            p => match labels.iter().find(|l| l.eq_ignore_ascii_case(p)) {
                Some(l) => Some(l.clone()),
                None if labels.is_empty() => {
                    return Err(ProfileError(
                        "no perspective labels are defined yet (set them in the site settings: coverage.perspectives)".into(),
                    ));
                }
                None => {
                    return Err(ProfileError(format!(
                        "perspective `{p}` must be one of the site's labels: {}",
                        labels.join(", ")
                    )));
                }
            },
        };
        Ok(SourceProfile {
            country,
            language,
            owner,
            kind,
            perspective,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_normalised() {
        let labels = vec![
            "Left".to_string(),
            "Centre".to_string(),
            "Right".to_string(),
        ];
        let p = SourceProfile::normalised(
            "de",
            "DE",
            " Axel Springer ",
            "public-broadcaster",
            "centre",
            &labels,
        )
        .unwrap();
        assert_eq!(p.country.as_deref(), Some("DE"));
        assert_eq!(p.language.as_deref(), Some("de"));
        assert_eq!(p.owner.as_deref(), Some("Axel Springer"));
        assert_eq!(p.kind, Some(OutletKind::PublicBroadcaster));
        assert_eq!(p.perspective.as_deref(), Some("Centre"));
        assert_eq!(
            SourceProfile::normalised("", "", "", "", "", &[]).unwrap(),
            SourceProfile::default()
        );
        assert!(SourceProfile::normalised("Germany", "", "", "", "", &labels).is_err());
        assert!(SourceProfile::normalised("", "", "", "tabloid", "", &labels).is_err());
        let e = SourceProfile::normalised("", "", "", "", "far", &labels).unwrap_err();
        assert!(e.0.contains("Left, Centre, Right"), "{e}");
    }
}
