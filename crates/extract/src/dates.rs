//! Lenient date parsing for the formats news pages use in metadata and bylines.

use crate::ArticleTime;
use jiff::civil::{Date, DateTime, Time};
use tidings_core::Timestamp;

const MONTHS: &[(&str, i8)] = &[
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("sept", 9),
    ("januar", 1),
    ("februar", 2),
    ("märz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("janvier", 1),
    ("février", 2),
    ("mars", 3),
    ("avril", 4),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
];

pub(crate) fn month_of(word: &str) -> Option<i8> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.chars().count() < 3 {
        return None;
    }
    for (name, m) in MONTHS {
        if *name == w {
            return Some(*m);
        }
    }
    // Abbreviations: "Sep", "Sept.", "Dec".
    if w.chars().count() <= 4 {
        for (name, m) in MONTHS {
            if name.starts_with(&w) {
                return Some(*m);
            }
        }
    }
    None
}

fn plausible(y: i16) -> bool {
    (1990..=2100).contains(&y)
}

fn from_civil(dt: DateTime, offset_minutes: Option<i32>) -> Option<ArticleTime> {
    if !plausible(dt.year()) {
        return None;
    }
    let off = offset_minutes.unwrap_or(0);
    let offset = jiff::tz::Offset::from_seconds(off.checked_mul(60)?).ok()?;
    let ts = offset.to_timestamp(dt).ok()?;
    Some(ArticleTime {
        utc: Timestamp::from_jiff(ts),
        offset_minutes,
    })
}

/// Parses a date/time string. Returns `None` for anything implausible.
pub fn parse_date(s: &str) -> Option<ArticleTime> {
    let s = s.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    parse_iso(s)
        .or_else(|| parse_rfc2822(s))
        .or_else(|| parse_textual(s))
}

/// A line that is only a date, perhaps with a "Published"/"Updated on" label and a
/// time: page furniture (the date is metadata), not prose.
pub fn is_date_line(s: &str) -> bool {
    const LABELS: &[&str] = &[
        "published",
        "updated",
        "last",
        "posted",
        "on",
        "date",
        "modified",
        "at",
        "am",
        "pm",
        "-",
        "|",
        "•",
        "·",
    ];
    let s = s.trim();
    if s.chars().count() > 60 || s.split_whitespace().count() > 10 {
        return false;
    }
    let dateish = |t: &str| {
        let t = t.trim_end_matches([',', '.', ':']).to_lowercase();
        t.is_empty()
            || LABELS.contains(&t.as_str())
            || month_of(&t).is_some()
            || t.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | '/' | ':' | '-'))
            || t.strip_suffix("am")
                .or_else(|| t.strip_suffix("pm"))
                .or_else(|| t.strip_suffix("st"))
                .or_else(|| t.strip_suffix("nd"))
                .or_else(|| t.strip_suffix("rd"))
                .or_else(|| t.strip_suffix("th"))
                .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_digit() || c == ':'))
    };
    if !s.split_whitespace().all(dateish) {
        return false;
    }
    // The labels would confuse the parser ("updated:" reads as a time).
    let bare: Vec<&str> = s
        .split_whitespace()
        .filter(|t| {
            let t = t.trim_end_matches([',', '.', ':']).to_lowercase();
            !LABELS.contains(&t.as_str()) || t == "am" || t == "pm"
        })
        .collect();
    let bare = bare.join(" ");
    if parse_textual(&bare).or_else(|| parse_iso(&bare)).is_some() {
        return true;
    }
    // Forms the parser does not take ("September 16th, 2023 at 09:27 am",
    // "January, 2024", two dates in one line) are still nothing but dates: a
    // month name and a year among date words.
    let words: Vec<String> = s
        .split_whitespace()
        .map(|t| t.trim_end_matches([',', '.', ':']).to_lowercase())
        .collect();
    words.iter().any(|t| month_of(t).is_some())
        && words.iter().any(|t| {
            t.len() == 4
                && t.chars().all(|c| c.is_ascii_digit())
                && (t.starts_with("19") || t.starts_with("20"))
        })
}

/// ISO 8601 / RFC 3339, with or without zone, with or without time.
fn parse_iso(s: &str) -> Option<ArticleTime> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i32> { s.get(r)?.parse::<i32>().ok() };
    if b.len() < 8 {
        return None;
    }
    let (y, mo, d, mut i) = if b.get(4) == Some(&b'-') || b.get(4) == Some(&b'/') {
        let sep = *b.get(4)?;
        if b.get(7) != Some(&sep) {
            return None;
        }
        (num(0..4)?, num(5..7)?, num(8..10)?, 10)
    } else if b.len() >= 8 && b.iter().take(8).all(u8::is_ascii_digit) {
        (num(0..4)?, num(4..6)?, num(6..8)?, 8)
    } else {
        return None;
    };
    let date = Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()?;
    let mut time = Time::midnight();
    let mut offset: Option<i32> = None;
    if matches!(b.get(i), Some(b'T' | b't' | b' ')) && b.get(i + 3) == Some(&b':') {
        let h = num(i + 1..i + 3)?;
        let m = num(i + 4..i + 6)?;
        i += 6;
        let mut sec = 0;
        if b.get(i) == Some(&b':') {
            sec = num(i + 1..i + 3)?;
            i += 3;
        }
        // Fractional seconds.
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        time = Time::new(
            i8::try_from(h).ok()?,
            i8::try_from(m).ok()?,
            i8::try_from(sec.min(59)).ok()?,
            0,
        )
        .ok()?;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        match b.get(i) {
            Some(b'Z' | b'z') => offset = Some(0),
            Some(&c @ (b'+' | b'-')) => {
                let sign = if c == b'-' { -1 } else { 1 };
                let oh = num(i + 1..i + 3)?;
                let om = if b.get(i + 3) == Some(&b':') {
                    num(i + 4..i + 6).unwrap_or(0)
                } else {
                    num(i + 3..i + 5).unwrap_or(0)
                };
                if oh > 14 || om > 59 {
                    return None;
                }
                offset = Some(sign * (oh * 60 + om));
            }
            _ => {
                let rest = s.get(i..).unwrap_or("").trim();
                if rest.eq_ignore_ascii_case("utc") || rest.eq_ignore_ascii_case("gmt") {
                    offset = Some(0);
                }
            }
        }
    }
    from_civil(date.to_datetime(time), offset)
}

fn parse_rfc2822(s: &str) -> Option<ArticleTime> {
    let z = jiff::fmt::rfc2822::parse(s).ok()?;
    let off = z.offset().seconds() / 60;
    let ts = z.timestamp();
    if !plausible(z.year()) {
        return None;
    }
    Some(ArticleTime {
        utc: Timestamp::from_jiff(ts),
        offset_minutes: Some(off),
    })
}

/// "September 4, 2025", "4 September 2025", "Sep 4 2025 10:30", "04.09.2025", "04/09/2025".
fn parse_textual(s: &str) -> Option<ArticleTime> {
    let cleaned: String = s
        .chars()
        .map(|c| if c == ',' || c == '|' { ' ' } else { c })
        .collect();
    let toks: Vec<&str> = cleaned.split_whitespace().collect();
    let mut year: Option<i16> = None;
    let mut month: Option<i8> = None;
    let mut day: Option<i8> = None;
    let mut time: Option<Time> = None;
    for t in &toks {
        let t = t.trim_end_matches(['.', ',']);
        if let Some(m) = month_of(t) {
            if month.is_none() {
                month = Some(m);
            }
            continue;
        }
        // dd.mm.yyyy or dd/mm/yyyy (day first: the common order outside the US;
        // US pages use ISO or textual months in metadata).
        let parts: Vec<&str> = t.split(['.', '/']).collect();
        if parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        {
            let (a, bb, c) = (parts.first()?, parts.get(1)?, parts.get(2)?);
            if c.len() == 4 {
                day = a.parse().ok();
                month = bb.parse().ok();
                year = c.parse().ok();
                continue;
            }
        }
        if t.contains(':') {
            let hm: Vec<&str> = t.split(':').collect();
            if let (Some(h), Some(m)) = (hm.first(), hm.get(1)) {
                let h: i8 = h.parse().ok()?;
                let m: i8 = m.get(..2).unwrap_or(m).parse().ok()?;
                time = Time::new(h, m, 0, 0).ok();
            }
            continue;
        }
        let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
        let suffix_ok = {
            let rest = t.get(digits.len()..).unwrap_or("");
            rest.is_empty()
                || matches!(
                    rest.to_ascii_lowercase().as_str(),
                    "st" | "nd" | "rd" | "th" | "er"
                )
        };
        if digits.is_empty() || !suffix_ok {
            continue;
        }
        if digits.len() == 4 && year.is_none() {
            year = digits.parse().ok();
        } else if digits.len() <= 2 && day.is_none() {
            day = digits.parse().ok();
        }
    }
    let date = Date::new(year?, month?, day?).ok()?;
    from_civil(date.to_datetime(time.unwrap_or(Time::midnight())), None)
}

#[cfg(test)]
mod tests {
    #[test]
    fn date_lines() {
        for l in [
            "August 23, 2023",
            "Last updated: Dec 4, 2025",
            "Published June 23, 2025 10:39AM",
            "Updated on July 9, 2025",
            "12.12.2025",
            "Last updated on September 16th, 2023 at 09:27 am",
            "Published: Jan 23, 2024",
            "Published on: February 14, 2025",
            "Last Updated January, 2024",
            "August 16, 2019 - Updated July 9, 2025",
        ] {
            assert!(super::is_date_line(l), "{l}");
        }
        for l in [
            "The vote on June 23, 2025 was close.",
            "Topics covered",
            "2025",
        ] {
            assert!(!super::is_date_line(l), "{l}");
        }
    }

    use super::*;

    fn ymd(t: ArticleTime) -> String {
        let off = t.offset_minutes.unwrap_or(0);
        let ts = t.utc.to_jiff() + jiff::SignedDuration::from_secs(i64::from(off) * 60);
        ts.strftime("%Y-%m-%d %H:%M").to_string()
    }

    #[test]
    fn iso_variants() {
        let t = parse_date("2025-09-04T10:15:00+02:00").unwrap();
        assert_eq!(t.offset_minutes, Some(120));
        assert_eq!(t.utc.to_rfc3339(), "2025-09-04T08:15:00Z");
        assert_eq!(ymd(t), "2025-09-04 10:15");
        assert_eq!(
            parse_date("2025-09-04T10:15:00.123Z")
                .unwrap()
                .offset_minutes,
            Some(0)
        );
        assert_eq!(
            parse_date("2025-09-04T10:15:00-0500")
                .unwrap()
                .offset_minutes,
            Some(-300)
        );
        let naive = parse_date("2025-09-04 10:15").unwrap();
        assert_eq!(naive.offset_minutes, None);
        assert_eq!(ymd(parse_date("2025-09-04").unwrap()), "2025-09-04 00:00");
        assert!(parse_date("0001-01-01").is_none());
    }

    #[test]
    fn rfc2822_and_text() {
        let t = parse_date("Thu, 04 Sep 2025 10:00:00 +0000").unwrap();
        assert_eq!(t.offset_minutes, Some(0));
        assert_eq!(
            ymd(parse_date("September 4, 2025").unwrap()),
            "2025-09-04 00:00"
        );
        assert_eq!(
            ymd(parse_date("4th Sept. 2025 10:30").unwrap()),
            "2025-09-04 10:30"
        );
        assert_eq!(ymd(parse_date("04.09.2025").unwrap()), "2025-09-04 00:00");
        assert_eq!(ymd(parse_date("4. März 2025").unwrap()), "2025-03-04 00:00");
        assert!(parse_date("yesterday").is_none());
    }
}

/// What a line made only of time stamps holds (see [`stamp_line`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamp {
    /// A date: a month name, 11/20/2019, 2019-11-20.
    pub date: bool,
    /// A clock time or a duration: 01:14 PM, 01:01:43.
    pub time: bool,
    /// A relative time: 32M ago, 3 hours ago, yesterday.
    pub relative: bool,
}

/// A line made only of time stamps: dates, clock times, video durations
/// ("01:01:43"), relative times ("32M ago", "3 hours ago", "Yesterday"), zone names
/// and "Updated"/"Posted" labels. Next to a link it marks a headline list or
/// playlist item. Bare numbers are not stamps (a table's or a list's figures), and
/// a month name needs a number beside it.
pub fn stamp_line(s: &str) -> Option<Stamp> {
    const LABELS: &[&str] = &[
        "published",
        "updated",
        "last",
        "posted",
        "on",
        "at",
        "am",
        "pm",
        "a.m",
        "p.m",
        "et",
        "pt",
        "ct",
        "mt",
        "est",
        "edt",
        "pst",
        "pdt",
        "cst",
        "cdt",
        "gmt",
        "utc",
        "bst",
        "cet",
        "cest",
        "-",
        "|",
        "•",
        "·",
        "/",
    ];
    const UNITS: &[&str] = &[
        "s", "sec", "secs", "second", "seconds", "m", "min", "mins", "minute", "minutes", "h",
        "hr", "hrs", "hour", "hours", "d", "day", "days", "w", "wk", "week", "weeks", "mo",
        "month", "months", "y", "yr", "yrs", "year", "years",
    ];
    let s = s.trim();
    if s.is_empty() || s.len() > 240 || s.chars().count() > 60 || !may_stamp(s) {
        return None;
    }
    let toks: Vec<String> = s
        .split_whitespace()
        .map(|t| {
            t.trim_matches(|c: char| matches!(c, ',' | '.' | '(' | ')' | '[' | ']' | ':'))
                .to_lowercase()
        })
        .collect();
    let ago = toks.iter().any(|t| t == "ago");
    let mut st = Stamp::default();
    let (mut month, mut number) = (false, false);
    for t in &toks {
        if t.is_empty() || LABELS.contains(&t.as_str()) || t == "ago" {
            continue;
        }
        if matches!(t.as_str(), "yesterday" | "today" | "now" | "just") {
            st.relative = true;
            continue;
        }
        if month_of(t).is_some() {
            month = true;
            continue;
        }
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            if ago && UNITS.contains(&t.as_str()) {
                st.relative = true;
                continue;
            }
            return None;
        }
        number = true;
        let rest = t.get(digits..).unwrap_or("");
        let seps = t.chars().filter(|c| matches!(c, '/' | '-' | '.')).count();
        let numeric = t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '/' | ':' | '-'));
        if numeric {
            // A bare number is filler.
            if t.contains(':') {
                st.time = true;
            } else if t.contains('/') || seps >= 2 {
                st.date = true;
            }
        } else if matches!(rest, "am" | "pm")
            || (rest.starts_with(':') && (rest.ends_with("am") || rest.ends_with("pm")))
        {
            st.time = true;
        } else if ago && UNITS.contains(&rest) {
            st.relative = true;
        } else if !matches!(rest, "st" | "nd" | "rd" | "th") {
            return None;
        }
    }
    if month && number {
        st.date = true;
    }
    (st != Stamp::default()).then_some(st)
}

/// Every stamp holds a digit, except "yesterday", "today" and "just now": a cheap
/// first filter (these checks run on every short block of an article).
fn may_stamp(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) || {
        let l = s.to_lowercase();
        l.contains("yesterday") || l.contains("today") || l.contains("now")
    }
}

/// A line made only of time stamps (see [`stamp_line`]).
pub fn is_stamp_line(s: &str) -> bool {
    stamp_line(s).is_some()
}

/// A dateline with names: "Posted 2026-02-11 by Priya Menon", "Staff reporter
/// 32M ago", "2026-02-01 · Eliza Marsh": a time stamp with at most four capitalised
/// names and role words around it.
pub fn is_dateline(s: &str) -> bool {
    const ROLES: &[&str] = &[
        "by",
        "and",
        "staff",
        "reporter",
        "writer",
        "editor",
        "correspondent",
        "contributor",
        "photographer",
    ];
    let s = s.trim();
    if s.len() > 400 || s.chars().count() > 100 || !may_stamp(s) {
        return false;
    }
    if s.split_whitespace().count() > 12 {
        return false;
    }
    let mut names = 0;
    let rest: Vec<&str> = s
        .split_whitespace()
        .filter(|t| {
            let w = t.trim_matches(|c: char| !c.is_alphanumeric());
            let lower = w.to_lowercase();
            if ROLES.contains(&lower.as_str()) {
                return false;
            }
            let name = w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\''))
                && month_of(w).is_none()
                && !matches!(
                    lower.as_str(),
                    "published" | "updated" | "posted" | "yesterday" | "today" | "last"
                );
            if name {
                names += 1;
            }
            !name
        })
        .collect();
    // A byline's marker: a role, a "Posted"-style label or a separator ("18:20
    // Debate" is a programme's line, "Coachella (April 10-12)" a list's).
    let marked = s.split_whitespace().any(|t| {
        let w = t
            .trim_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '·' | '|' | '•'))
            .to_lowercase();
        ROLES.contains(&w.as_str())
            || matches!(
                w.as_str(),
                "posted" | "published" | "updated" | "·" | "|" | "•"
            )
    });
    // "Deon Farrow 32M ago": a relative time is marker enough.
    names <= 4 && stamp_line(&rest.join(" ")).is_some_and(|st| marked || (st.relative && names > 0))
}

#[cfg(test)]
mod stamp_tests {
    use super::is_stamp_line;

    #[test]
    fn datelines() {
        use super::is_dateline;
        for s in [
            "Posted 2026-02-11 by Priya Menon",
            "Staff reporter 32M ago",
            "2026-02-01 · Eliza Marsh",
            "Deon Farrow 32M ago",
            "By Jane Doe | Nov. 20, 2019, 1:14 p.m. ET",
        ] {
            assert!(is_dateline(s), "{s}");
        }
        for s in [
            "The council met on March 3.",
            "Jane Doe",
            "Fares start at 89 dollars each way.",
            "18:20 Debate",
            "2. Lollapalooza Chile (March 13-15)",
            "Rating: 4.8/5",
        ] {
            assert!(!is_dateline(s), "{s}");
        }
    }

    #[test]
    fn stamp_lines() {
        for s in [
            "11/20/2019 01:14 PM",
            "01:01:43",
            "32M ago",
            "3 hours ago",
            "Yesterday",
            "Updated 5 min ago",
            "Nov. 20, 2019, 1:14 p.m. ET",
            "2:15",
            "(2 days ago)",
        ] {
            assert!(is_stamp_line(s), "{s}");
        }
        for s in [
            "The bridge closed at 8 am.",
            "Comments",
            "1",
            "2019",
            "13.1%",
            "5 min read",
            "April",
            "12:00 PM PT -- Sheriff's deputies were at The London",
            "",
            "ago",
            "Chapter 4",
        ] {
            assert!(!is_stamp_line(s), "{s}");
        }
    }
}
