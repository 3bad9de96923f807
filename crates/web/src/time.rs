//! Relative times ("3 days ago") for readers.

use crate::i18n::Strings;
use tidings_core::Timestamp;

/// "just now", "5 minutes ago", "3 days ago", or a date for old items.
pub fn relative(t: Timestamp, now: Timestamp, s: &Strings) -> String {
    let secs = (now.0 - t.0) / 1000;
    if secs < 0 {
        // Clocks disagree a little; never say "in 3 minutes" for news.
        return s.just_now.to_string();
    }
    let mins = secs / 60;
    let hours = mins / 60;
    let days = hours / 24;
    match () {
        _ if secs < 60 => s.just_now.to_string(),
        _ if mins < 60 => plural(mins, s.minute_ago, s.minutes_ago),
        _ if hours < 24 => plural(hours, s.hour_ago, s.hours_ago),
        _ if days < 30 => plural(days, s.day_ago, s.days_ago),
        _ => t.to_jiff().strftime("%-d %b %Y").to_string(),
    }
}

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        one.to_string()
    } else {
        many.replace("{n}", &n.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::EN;

    #[test]
    fn relative_times() {
        let now = Timestamp(1_795_932_511_000);
        let ago = |s: i64| relative(Timestamp(now.0 - s * 1000), now, &EN);
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(-30), "just now");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(5 * 60), "5 minutes ago");
        assert_eq!(ago(3600), "1 hour ago");
        assert_eq!(ago(3 * 86400), "3 days ago");
        assert_eq!(ago(400 * 86400), "25 Oct 2025");
    }
}
