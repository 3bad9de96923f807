use serde::{Deserialize, Serialize};

/// A point in time as milliseconds since the Unix epoch (UTC). Stored as BIGINT
/// in both databases, so comparisons and ordering work the same everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        Timestamp(now_ms())
    }

    pub fn from_jiff(t: jiff::Timestamp) -> Self {
        Timestamp(t.as_millisecond())
    }

    pub fn to_jiff(self) -> jiff::Timestamp {
        // Out-of-range values clamp rather than fail: a stored time is never a reason to crash.
        jiff::Timestamp::from_millisecond(self.0).unwrap_or(if self.0 < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        })
    }

    /// RFC 3339 in UTC with second precision, e.g. `2026-11-29T06:08:31Z`.
    pub fn to_rfc3339(self) -> String {
        let t = self.to_jiff();
        let secs = t.as_second();
        jiff::Timestamp::from_second(secs).unwrap_or(t).to_string()
    }

    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        s.trim()
            .parse::<jiff::Timestamp>()
            .ok()
            .map(Self::from_jiff)
    }

    pub fn plus_ms(self, ms: i64) -> Self {
        Timestamp(self.0.saturating_add(ms))
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let t = Timestamp::parse_rfc3339("2026-11-29T06:08:31Z").unwrap();
        assert_eq!(t.0, 1_795_932_511_000);
        assert_eq!(t.to_rfc3339(), "2026-11-29T06:08:31Z");
        let off = Timestamp::parse_rfc3339("2026-11-29T08:08:31+02:00").unwrap();
        assert_eq!(off, t);
        assert!(Timestamp::parse_rfc3339("yesterday").is_none());
    }

    #[test]
    fn extreme_values_do_not_panic() {
        assert!(!Timestamp(i64::MAX).to_rfc3339().is_empty());
        assert!(!Timestamp(i64::MIN).to_rfc3339().is_empty());
    }
}
