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
