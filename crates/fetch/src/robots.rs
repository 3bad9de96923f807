//! robots.txt: fetched once per origin, cached for a day, with Crawl-delay.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use texting_robots::Robot;
use url::Url;

const TTL: Duration = Duration::from_secs(24 * 3600);
/// robots.txt files larger than this are treated as "no rules" (RFC 9309 asks
/// crawlers to parse at least 500 KiB).
const MAX_ROBOTS_BYTES: usize = 512 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotsVerdict {
    Allowed { crawl_delay: Option<Duration> },
    Disallowed,
}

struct Entry {
    robot: Option<Robot>,
    fetched: Instant,
}

#[derive(Clone, Default)]
pub struct RobotsCache {
    inner: Arc<Mutex<HashMap<String, Entry>>>,
}

impl RobotsCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached verdict for `url`, or None when robots.txt must be fetched.
    pub fn verdict(&self, origin: &str, url: &Url) -> Option<RobotsVerdict> {
        let map = self.inner.lock().ok()?;
        let e = map.get(origin)?;
        if e.fetched.elapsed() > TTL {
            return None;
        }
        Some(match &e.robot {
            None => RobotsVerdict::Allowed { crawl_delay: None },
            Some(r) => {
                if r.allowed(url.as_str()) {
                    RobotsVerdict::Allowed {
                        crawl_delay: r.delay.map(|d| Duration::from_secs_f32(d.clamp(0.0, 60.0))),
                    }
                } else {
                    RobotsVerdict::Disallowed
                }
            }
        })
    }

    pub fn crawl_delay(&self, origin: &str) -> Option<Duration> {
        let map = self.inner.lock().ok()?;
        let r = map.get(origin)?.robot.as_ref()?;
        r.delay.map(|d| Duration::from_secs_f32(d.clamp(0.0, 60.0)))
    }

    /// Remember what `origin/robots.txt` said (None: no rules).
    pub fn store(&self, origin: &str, body: Option<&[u8]>) {
        let robot = body
            .filter(|b| b.len() <= MAX_ROBOTS_BYTES)
            .and_then(|b| Robot::new(crate::http::ROBOTS_AGENT, b).ok());
        if let Ok(mut map) = self.inner.lock() {
            map.insert(
                origin.to_string(),
                Entry {
                    robot,
                    fetched: Instant::now(),
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_and_delay() {
        let c = RobotsCache::new();
        c.store(
            "https://a.example",
            Some(b"User-agent: *\nDisallow: /private/\nCrawl-delay: 3\n\nUser-agent: BadBot\nDisallow: /\n"),
        );
        let ok = Url::parse("https://a.example/news/1").unwrap();
        let no = Url::parse("https://a.example/private/x").unwrap();
        assert_eq!(
            c.verdict("https://a.example", &ok),
            Some(RobotsVerdict::Allowed {
                crawl_delay: Some(Duration::from_secs(3))
            })
        );
        assert_eq!(
            c.verdict("https://a.example", &no),
            Some(RobotsVerdict::Disallowed)
        );
        assert_eq!(
            c.verdict("https://b.example", &ok),
            None,
            "unknown origin must be fetched"
        );
        c.store("https://b.example", None);
        assert_eq!(
            c.verdict("https://b.example", &ok),
            Some(RobotsVerdict::Allowed { crawl_delay: None })
        );
    }

    #[test]
    fn rules_for_tidings_by_name() {
        let c = RobotsCache::new();
        c.store(
            "https://c.example",
            Some(b"User-agent: Tidings\nDisallow: /\n\nUser-agent: *\nAllow: /\n"),
        );
        let u = Url::parse("https://c.example/a").unwrap();
        assert_eq!(
            c.verdict("https://c.example", &u),
            Some(RobotsVerdict::Disallowed)
        );
    }
}
