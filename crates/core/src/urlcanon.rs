//! URL canonicalisation: one article, one URL, however a feed spelled it.

use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("`{0}` is not a valid URL: {1}")]
    Invalid(String, url::ParseError),
    #[error("`{0}` uses the scheme `{1}`; only http and https are allowed")]
    Scheme(String, String),
    #[error("`{0}` has no host")]
    NoHost(String),
}

/// Query parameters that only track the reader; they never select content.
const TRACKING_EXACT: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "__twitter_impression",
    "_ga",
    "_gl",
    "ncid",
    "cmpid",
    "smid",
    "at_medium",
    "at_campaign",
];

fn is_tracking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_") || TRACKING_EXACT.contains(&k.as_str())
}

/// An absolute http(s) URL in canonical form: lower-case host, no default port,
/// no fragment, no credentials, no tracking parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CanonicalUrl(Url);

impl CanonicalUrl {
    pub fn parse(input: &str) -> Result<Self, UrlError> {
        let url = Url::parse(input.trim()).map_err(|e| UrlError::Invalid(input.to_string(), e))?;
        Self::from_url(&url)
    }

    /// Resolve `input` against `base` (for relative links in feeds and pages).
    pub fn parse_with_base(input: &str, base: &Url) -> Result<Self, UrlError> {
        let url = base
            .join(input.trim())
            .map_err(|e| UrlError::Invalid(input.to_string(), e))?;
        Self::from_url(&url)
    }

    pub fn from_url(url: &Url) -> Result<Self, UrlError> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(UrlError::Scheme(url.to_string(), other.to_string())),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(UrlError::NoHost(url.to_string()));
        }
        let mut u = url.clone();
        u.set_fragment(None);
        // Credentials in a URL are never part of an article's identity. Both setters only
        // fail for URLs that cannot have credentials, which http(s) URLs always can.
        let _ = u.set_username("");
        let _ = u.set_password(None);
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else if kept.len() != u.query_pairs().count() {
            u.query_pairs_mut().clear().extend_pairs(kept);
        }
        // A lone trailing dot on the host names the same site.
        if let Some(host) = u.host_str()
            && host.ends_with('.')
        {
            let trimmed = host.trim_end_matches('.').to_string();
            let _ = u.set_host(Some(&trimmed));
        }
        Ok(CanonicalUrl(u))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }
}

impl std::fmt::Display for CanonicalUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// The registrable-ish site of a host: `www.`, `m.` and `amp.` prefixes removed.
/// Used to decide whether a page's `rel=canonical` points within the same site.
pub fn site_of(host: &str) -> &str {
    let h = host.trim_end_matches('.');
    for p in ["www.", "m.", "amp.", "mobile."] {
        if let Some(rest) = h.strip_prefix(p) {
            return rest;
        }
    }
    h
}

/// Two hosts belong to the same site when one is the other or a subdomain of it
/// (after dropping `www.`-like prefixes).
pub fn same_site(a: &str, b: &str) -> bool {
    let (a, b) = (
        site_of(a).to_ascii_lowercase(),
        site_of(b).to_ascii_lowercase(),
    );
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tracking_and_fragment() {
        let c = CanonicalUrl::parse(
            "HTTPS://News.Example.COM:443/a/b?id=7&utm_source=x&UTM_Medium=y&fbclid=z&gclid=q#top",
        )
        .unwrap();
        assert_eq!(c.as_str(), "https://news.example.com/a/b?id=7");
    }

    #[test]
    fn drops_empty_query_and_credentials() {
        let c = CanonicalUrl::parse("http://user:pw@example.com:80/x?utm_campaign=a").unwrap();
        assert_eq!(c.as_str(), "http://example.com/x");
    }

    #[test]
    fn keeps_meaningful_params_in_order() {
        let c = CanonicalUrl::parse("https://example.com/story?b=2&a=1").unwrap();
        assert_eq!(c.as_str(), "https://example.com/story?b=2&a=1");
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            CanonicalUrl::parse("ftp://example.com/"),
            Err(UrlError::Scheme(..))
        ));
        assert!(matches!(
            CanonicalUrl::parse("javascript:alert(1)"),
            Err(UrlError::Scheme(..))
        ));
        assert!(matches!(
            CanonicalUrl::parse("not a url"),
            Err(UrlError::Invalid(..))
        ));
        assert!(CanonicalUrl::parse("").is_err());
    }

    #[test]
    fn resolves_relative() {
        let base = Url::parse("https://example.com/news/").unwrap();
        let c = CanonicalUrl::parse_with_base("../a?utm_source=rss", &base).unwrap();
        assert_eq!(c.as_str(), "https://example.com/a");
    }

    #[test]
    fn same_site_rules() {
        assert!(same_site("www.example.com", "example.com"));
        assert!(same_site("edition.example.com", "example.com"));
        assert!(!same_site("example.com", "evil-example.com"));
        assert!(!same_site("example.com", "example.org"));
    }
}
