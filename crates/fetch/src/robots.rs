//! robots.txt (RFC 9309): fetched once per origin, parsed by our own linear
//! matcher, kept for a day in a cache bounded by size.
//!
//! # The matcher
//!
//! A file is read in one pass over its lines (LF, CR or CRLF; a BOM, `#`
//! comments, lines without a colon and bytes that are not UTF-8 are
//! tolerated; directive names are case-insensitive). Consecutive `User-agent`
//! lines open a group; `Allow`, `Disallow` and `Crawl-delay` lines belong to
//! the group above them. Every group naming our product token
//! ([`crate::http::ROBOTS_AGENT`], case-insensitive) is merged into one; if
//! there is none, every `*` group is; if there is no `*` group either, there
//! are no rules. Only the chosen rules are kept: each pattern is normalised
//! (percent-escapes upper-cased, escaped unreserved characters decoded, raw
//! non-ASCII and other unsafe bytes escaped, as RFC 9309 2.2.2 asks) and
//! copied into one byte buffer, and a rule is 12 bytes pointing into it. A
//! compiled file therefore takes at most ~3 times the bytes of its patterns
//! plus 12 bytes per rule: its memory is proportional to its input.
//!
//! A URL's path and `?query`, normalised the same way, are checked against
//! the rules: the longest matching pattern (in bytes) wins, `Allow` wins a
//! tie, no match means allowed, and `/robots.txt` is always allowed. A
//! pattern is split at its `*`s into literal pieces: the first must be a
//! prefix of the path, the middle ones are found left to right (the leftmost
//! occurrence is always the right choice when the only wildcard is `*`), and
//! a trailing `$` pins the last piece to the end of the path. There is no
//! regex and no backtracking: one rule costs at most its length plus the
//! path's. Pieces after the first are looked for in the first
//! [`MATCH_WINDOW`] bytes of the path only (the prefix and the `$` end are
//! checked on the whole path), so a hostile megabyte-long URL costs no more
//! than an 8 KiB one.
//!
//! # Bounds
//!
//! - Input: RFC 9309 asks to parse at least 500 KiB. The first
//!   [`MAX_ROBOTS_BYTES`] (512 KiB) are parsed, cut at the last line end
//!   inside them; the fetcher reads no more than that.
//! - Rules: at most [`MAX_RULES`] (10,000) are kept per origin; the rest of
//!   the file is ignored. Real files, even large publishers', have a few
//!   hundred to a few thousand rules; the cap bounds what one verdict costs
//!   (10,000 rules × (pattern + 8 KiB) at worst) and what one origin holds.
//! - Cache: least recently used origins are evicted once the compiled rules
//!   of all origins exceed [`DEFAULT_MAX_CACHE_BYTES`] (32 MiB) or there are
//!   more than [`DEFAULT_MAX_ORIGINS`] (10,000) of them; an entry older than
//!   a day is fetched again. A hostile 512 KiB file compiles to ~200 KB, so
//!   ten hostile origins hold ~2 MB (texting_robots, the crate used before,
//!   built a regex per `$` rule: ~400 MB each).

use memchr::memmem;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use url::Url;

const TTL: Duration = Duration::from_secs(24 * 3600);
/// How much of a robots.txt file is parsed (RFC 9309 asks for at least 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;
/// Rules kept per origin; see the module docs for why this is safe.
pub const MAX_RULES: usize = 10_000;
/// Crawl-delay values are clamped to 0..=60 s.
const MAX_CRAWL_DELAY_SECS: f64 = 60.0;
/// How far into a path the pieces of a pattern after its first `*` are looked
/// for. Most servers refuse request lines over 8 KiB anyway.
pub const MATCH_WINDOW: usize = 8 * 1024;
/// The cache's default budget for the compiled rules of all origins.
pub const DEFAULT_MAX_CACHE_BYTES: usize = 32 * 1024 * 1024;
/// The cache's default number of origins.
pub const DEFAULT_MAX_ORIGINS: usize = 10_000;
/// What an entry costs besides its rules: the map slot, the LRU node, the
/// `Arc` and the struct itself (an estimate; the origin's name is counted apart).
const ENTRY_OVERHEAD: usize = 160;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotsVerdict {
    Allowed { crawl_delay: Option<Duration> },
    Disallowed,
}

/// One rule: its pattern is `patterns[start..start + len]`.
#[derive(Debug, Clone, Copy)]
struct Rule {
    start: u32,
    len: u32,
    allow: bool,
}

/// The rules of one robots.txt that apply to us, compiled.
#[derive(Debug, Default)]
pub struct RobotsRules {
    /// Every pattern, normalised, back to back.
    patterns: Vec<u8>,
    /// Longest pattern first, `Allow` before `Disallow` at equal length: the
    /// first rule that matches decides.
    rules: Vec<Rule>,
    crawl_delay: Option<Duration>,
}

impl RobotsRules {
    /// Add a rule while parsing (ignored past `MAX_RULES`).
    fn push(&mut self, allow: bool, pattern: &[u8]) {
        if self.rules.len() >= MAX_RULES {
            return;
        }
        // Patterns come from at most MAX_ROBOTS_BYTES of input, escaped at
        // most 3x: far below u32::MAX.
        let (Ok(start), Ok(len)) = (
            u32::try_from(self.patterns.len()),
            u32::try_from(pattern.len()),
        ) else {
            return;
        };
        self.patterns.extend_from_slice(pattern);
        self.rules.push(Rule { start, len, allow });
    }

    /// Compile `body` for the crawler whose product token is `agent`.
    pub fn parse(body: &[u8], agent: &str) -> RobotsRules {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let body = cut_at_line_end(body, MAX_ROBOTS_BYTES);
        let mut ours = RobotsRules::default();
        let mut star = RobotsRules::default();
        // A group names us (even one without rules): the `*` groups do not apply.
        let mut named_us = false;
        // The previous directive was a User-agent line: the next one adds to
        // the same group instead of opening a new one.
        let mut in_agents = false;
        let (mut for_us, mut for_star) = (false, false);
        let mut pattern = Vec::new();
        for line in body.split(|&b| b == b'\n' || b == b'\r') {
            let line = match memchr::memchr(b'#', line) {
                Some(i) => line.get(..i).unwrap_or_default(),
                None => line,
            };
            let Some(colon) = memchr::memchr(b':', line) else {
                continue;
            };
            let key = line.get(..colon).unwrap_or_default().trim_ascii();
            let value = line.get(colon + 1..).unwrap_or_default().trim_ascii();
            if key.eq_ignore_ascii_case(b"user-agent") {
                if !in_agents {
                    in_agents = true;
                    for_us = false;
                    for_star = false;
                }
                match product_token(value) {
                    Agent::Star => for_star = true,
                    Agent::Named(t) if t.eq_ignore_ascii_case(agent.as_bytes()) => {
                        for_us = true;
                        named_us = true;
                    }
                    Agent::Named(_) => {}
                }
            } else if key.eq_ignore_ascii_case(b"allow") || key.eq_ignore_ascii_case(b"disallow") {
                in_agents = false;
                // An empty Disallow (or Allow) says nothing.
                if value.is_empty() || !(for_us || for_star) {
                    continue;
                }
                let allow = key.eq_ignore_ascii_case(b"allow");
                pattern.clear();
                // Paths start with `/`; a sloppy `Disallow: private/` means `/private/`.
                if !matches!(value.first(), Some(b'/' | b'*')) {
                    pattern.push(b'/');
                }
                normalise_into(&mut pattern, value);
                if for_us {
                    ours.push(allow, &pattern);
                }
                if for_star {
                    star.push(allow, &pattern);
                }
            } else if key.eq_ignore_ascii_case(b"crawl-delay") {
                in_agents = false;
                if let Some(d) = parse_delay(value) {
                    // The first Crawl-delay of the chosen groups applies.
                    if for_us {
                        ours.crawl_delay.get_or_insert(d);
                    }
                    if for_star {
                        star.crawl_delay.get_or_insert(d);
                    }
                }
            }
            // Sitemap and unknown directives are ignored and do not end a group.
        }
        let mut chosen = if named_us { ours } else { star };
        // Stable: rules of one length and kind keep the file's order.
        chosen
            .rules
            .sort_by_key(|r| (std::cmp::Reverse(r.len), !r.allow));
        chosen.patterns.shrink_to_fit();
        chosen.rules.shrink_to_fit();
        chosen
    }

    /// May `url` be fetched?
    pub fn allows(&self, url: &Url) -> bool {
        if url.path() == "/robots.txt" || self.rules.is_empty() {
            return true;
        }
        let mut path =
            Vec::with_capacity(url.path().len() + url.query().map_or(0, |q| q.len() + 1));
        normalise_into(&mut path, url.path().as_bytes());
        if let Some(q) = url.query() {
            path.push(b'?');
            normalise_into(&mut path, q.as_bytes());
        }
        self.allows_normalised(&path)
    }

    /// The verdict for an already normalised path and query.
    fn allows_normalised(&self, path: &[u8]) -> bool {
        for r in &self.rules {
            let start = r.start as usize;
            let Some(pattern) = self.patterns.get(start..start + r.len as usize) else {
                continue;
            };
            if pattern_matches(pattern, path) {
                return r.allow;
            }
        }
        true
    }

    /// The Crawl-delay of the chosen groups, clamped to 0..=60 s.
    pub fn crawl_delay(&self) -> Option<Duration> {
        self.crawl_delay
    }

    /// How many rules were kept.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The heap and inline bytes these rules hold.
    pub fn approx_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.patterns.capacity()
            + self.rules.capacity() * std::mem::size_of::<Rule>()
    }
}

/// The first `cap` bytes of `body`, cut after the last line end inside them
/// (the whole of `body` when it is not longer).
fn cut_at_line_end(body: &[u8], cap: usize) -> &[u8] {
    if body.len() <= cap {
        return body;
    }
    let head = body.get(..cap).unwrap_or_default();
    match memchr::memrchr2(b'\n', b'\r', head) {
        Some(i) => head.get(..i).unwrap_or_default(),
        None => &[],
    }
}

enum Agent<'a> {
    Star,
    Named(&'a [u8]),
}

/// The product token of a User-agent value: `*`, or the leading letters,
/// `-` and `_` (so `Tidings/1.0` is `Tidings`, as in Google's parser).
fn product_token(value: &[u8]) -> Agent<'_> {
    if value.first() == Some(&b'*') {
        return Agent::Star;
    }
    let end = value
        .iter()
        .position(|b| !(b.is_ascii_alphabetic() || *b == b'-' || *b == b'_'))
        .unwrap_or(value.len());
    Agent::Named(value.get(..end).unwrap_or_default())
}

fn parse_delay(value: &[u8]) -> Option<Duration> {
    let secs: f64 = std::str::from_utf8(value).ok()?.parse().ok()?;
    secs.is_finite()
        .then(|| Duration::from_secs_f64(secs.clamp(0.0, MAX_CRAWL_DELAY_SECS)))
}

/// Append `input` in the one form used for comparison (RFC 9309 2.2.2):
/// `%xx` upper-cased, or decoded when it is an unreserved character
/// (`%7e` is `~`); raw non-ASCII, control, space and other characters that
/// are neither unreserved nor reserved escaped (a rule written `/ツ` matches
/// the URL's `/%E3%83%84`); a `%` that starts no escape becomes `%25`.
/// Reserved characters, `*` and `$` among them, are kept as written, escaped
/// or not (as Google's parser does; RFC 9309's table also equates a query's
/// `https://` with `https%3A%2F%2F`, which this does not).
fn normalise_into(out: &mut Vec<u8>, input: &[u8]) {
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b == b'%' {
            let hi = input.get(i + 1).and_then(|&h| hex_value(h));
            let lo = input.get(i + 2).and_then(|&l| hex_value(l));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                let v = hi * 16 + lo;
                if is_unreserved(v) {
                    out.push(v);
                } else {
                    push_escaped(out, v);
                }
                i += 3;
                continue;
            }
            push_escaped(out, b'%');
        } else if is_unreserved(b) || is_reserved(b) {
            out.push(b);
        } else {
            push_escaped(out, b);
        }
        i += 1;
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn is_reserved(b: u8) -> bool {
    matches!(
        b,
        b':' | b'/'
            | b'?'
            | b'#'
            | b'['
            | b']'
            | b'@'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
    )
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn push_escaped(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(b'%');
    out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
    out.push(HEX.get(usize::from(b & 0xF)).copied().unwrap_or(b'0'));
}

/// Does `pattern` (normalised; `*` any run of bytes, a final `$` the end)
/// match `path` (normalised) from its start? Linear: no backtracking.
fn pattern_matches(pattern: &[u8], path: &[u8]) -> bool {
    let (body, anchored) = match pattern.split_last() {
        Some((b'$', rest)) => (rest, true),
        _ => (pattern, false),
    };
    let mut pieces = body.split(|&b| b == b'*');
    let first = pieces.next().unwrap_or_default();
    if !path.starts_with(first) {
        return false;
    }
    let Some(mut piece) = pieces.next() else {
        // No `*`: a prefix, or the whole path with `$`.
        return !anchored || path.len() == first.len();
    };
    let window = path.get(..MATCH_WINDOW).unwrap_or(path);
    let mut pos = first.len();
    // Every piece but the last: its leftmost occurrence after the previous
    // one leaves the most room for the rest, so it is the one to take.
    for next in pieces {
        if !piece.is_empty() {
            match window.get(pos..).and_then(|w| memmem::find(w, piece)) {
                Some(at) => pos += at + piece.len(),
                None => return false,
            }
        }
        piece = next;
    }
    if anchored {
        path.len() >= pos + piece.len() && path.ends_with(piece)
    } else {
        piece.is_empty()
            || window
                .get(pos..)
                .is_some_and(|w| memmem::find(w, piece).is_some())
    }
}

struct Entry {
    rules: Arc<RobotsRules>,
    fetched: Instant,
    /// This entry's key in `Inner::lru`.
    used: u64,
    /// What this entry counts for in `Inner::bytes`.
    bytes: usize,
}

struct Inner {
    map: HashMap<String, Entry>,
    /// Origins by last use, oldest first.
    lru: BTreeMap<u64, String>,
    clock: u64,
    bytes: usize,
    max_bytes: usize,
    max_origins: usize,
}

impl Inner {
    fn remove(&mut self, origin: &str) {
        if let Some(e) = self.map.remove(origin) {
            self.lru.remove(&e.used);
            self.bytes = self.bytes.saturating_sub(e.bytes);
        }
    }

    /// The rules for `origin` if they are fresh, marking them as just used.
    fn get(&mut self, origin: &str) -> Option<Arc<RobotsRules>> {
        let e = self.map.get_mut(origin)?;
        if e.fetched.elapsed() > TTL {
            self.remove(origin);
            return None;
        }
        self.clock += 1;
        if let Some(name) = self.lru.remove(&e.used) {
            self.lru.insert(self.clock, name);
        }
        e.used = self.clock;
        Some(e.rules.clone())
    }
}

/// Compiled robots.txt rules per origin (`scheme://host[:port]`), least
/// recently used evicted past a size and a count. Cheap to clone (shared).
#[derive(Clone)]
pub struct RobotsCache {
    inner: Arc<Mutex<Inner>>,
}

impl Default for RobotsCache {
    fn default() -> Self {
        Self::with_limits(DEFAULT_MAX_CACHE_BYTES, DEFAULT_MAX_ORIGINS)
    }
}

impl RobotsCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// A cache holding at most about `max_bytes` of compiled rules and at most
    /// `max_origins` origins (the entry stored last is always kept).
    pub fn with_limits(max_bytes: usize, max_origins: usize) -> Self {
        RobotsCache {
            inner: Arc::new(Mutex::new(Inner {
                map: HashMap::new(),
                lru: BTreeMap::new(),
                clock: 0,
                bytes: 0,
                max_bytes,
                max_origins: max_origins.max(1),
            })),
        }
    }

    fn get(&self, origin: &str) -> Option<Arc<RobotsRules>> {
        self.inner.lock().ok()?.get(origin)
    }

    /// The cached verdict for `url`, or None when robots.txt must be fetched.
    pub fn verdict(&self, origin: &str, url: &Url) -> Option<RobotsVerdict> {
        // Matching runs outside the lock.
        let rules = self.get(origin)?;
        Some(if rules.allows(url) {
            RobotsVerdict::Allowed {
                crawl_delay: rules.crawl_delay(),
            }
        } else {
            RobotsVerdict::Disallowed
        })
    }

    pub fn crawl_delay(&self, origin: &str) -> Option<Duration> {
        self.get(origin)?.crawl_delay()
    }

    /// Remember what `origin/robots.txt` said (None: no rules).
    pub fn store(&self, origin: &str, body: Option<&[u8]>) {
        // Parsing runs outside the lock.
        let rules = body
            .map(|b| RobotsRules::parse(b, crate::http::ROBOTS_AGENT))
            .unwrap_or_default();
        let bytes = rules.approx_bytes() + 2 * origin.len() + ENTRY_OVERHEAD;
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        inner.remove(origin);
        inner.clock += 1;
        let used = inner.clock;
        inner.lru.insert(used, origin.to_string());
        inner.map.insert(
            origin.to_string(),
            Entry {
                rules: Arc::new(rules),
                fetched: Instant::now(),
                used,
                bytes,
            },
        );
        inner.bytes += bytes;
        while (inner.bytes > inner.max_bytes || inner.map.len() > inner.max_origins)
            && inner.map.len() > 1
        {
            let Some((_, oldest)) = inner.lru.pop_first() else {
                break;
            };
            if let Some(e) = inner.map.remove(&oldest) {
                inner.bytes = inner.bytes.saturating_sub(e.bytes);
            }
        }
    }

    /// About how many bytes the cached rules of all origins hold.
    pub fn approx_bytes(&self) -> usize {
        self.inner.lock().map(|i| i.bytes).unwrap_or(0)
    }

    /// How many origins are cached.
    pub fn origins(&self) -> usize {
        self.inner.lock().map(|i| i.map.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(body: &str) -> RobotsRules {
        RobotsRules::parse(body.as_bytes(), crate::http::ROBOTS_AGENT)
    }

    fn url(path: &str) -> Url {
        Url::parse(&format!("https://x.example{path}")).unwrap()
    }

    /// Which of `paths` `body` allows, in order.
    fn verdicts(body: &str, paths: &[&str]) -> Vec<bool> {
        let r = rules(body);
        paths.iter().map(|p| r.allows(&url(p))).collect()
    }

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

    #[test]
    fn longest_match_wins() {
        // RFC 9309 2.2.2 and 5.2.
        let body = "User-agent: *\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n\
                    Disallow: /example/\nAllow: /example/page/ok/\n";
        assert_eq!(
            verdicts(
                body,
                &[
                    "/example/page/",
                    "/example/page/disallowed.gif",
                    "/example/other",
                    "/example/page/ok/x",
                    "/elsewhere",
                ]
            ),
            [true, false, false, true, true]
        );
        // Length is the pattern's, wildcards included, not the matched text's.
        let body = "User-agent: *\nDisallow: /*.php\nAllow: /folder/\n";
        assert_eq!(
            verdicts(body, &["/folder/page.php", "/other/page.php"]),
            [true, false],
            "/folder/ (8 bytes) beats /*.php (6 bytes)"
        );
    }

    #[test]
    fn allow_wins_a_tie() {
        let body = "User-agent: *\nDisallow: /page\nAllow: /page\nDisallow: /a*c\nAllow: /ab*\n";
        assert_eq!(
            verdicts(body, &["/page", "/abc", "/axc"]),
            [true, true, false]
        );
        // Order in the file does not matter.
        let body = "User-agent: *\nAllow: /page\nDisallow: /page\n";
        assert_eq!(verdicts(body, &["/page"]), [true]);
    }

    #[test]
    fn dollar_and_star() {
        // RFC 9309 2.2.3.
        let body = "User-agent: *\nDisallow: /this/path/exactly$\nDisallow: /that/*/exactly\n\
                    Disallow: /*.gif$\nDisallow: /q?*sort=\n";
        assert_eq!(
            verdicts(
                body,
                &[
                    "/this/path/exactly",
                    "/this/path/exactly/more",
                    "/that/a/b/exactly",
                    "/that/exactly",
                    "/img/x.gif",
                    "/img/x.gif?size=2",
                    "/img/x.gifs",
                    "/q?a=1&sort=date",
                    "/q?a=1",
                ]
            ),
            [false, true, false, true, false, true, true, false, true]
        );
        // `$` anywhere but the end is a literal; `**` is `*`.
        let body = "User-agent: *\nDisallow: /a$b\nDisallow: /c**d$\n";
        assert_eq!(
            verdicts(body, &["/a$b", "/ab", "/cxd", "/cd", "/cdx"]),
            [false, true, false, false, true]
        );
        // `Disallow: /` blocks everything but robots.txt itself; an empty
        // Disallow says nothing.
        assert_eq!(
            verdicts("User-agent: *\nDisallow: /\n", &["/", "/a", "/robots.txt"]),
            [false, false, true]
        );
        assert_eq!(
            verdicts("User-agent: *\nDisallow:\n", &["/", "/a"]),
            [true, true]
        );
    }

    #[test]
    fn percent_encoding_is_normalised() {
        // RFC 9309 2.2.2's table, and the case of escapes.
        let body = "User-agent: *\nDisallow: /foo/bar/ツ\nDisallow: /enc/%E3%83%84\n\
                    Disallow: /foo/bar/%62%61%7A\nDisallow: /case/%aa\nDisallow: /space here\n";
        assert_eq!(
            verdicts(
                body,
                &[
                    "/foo/bar/%E3%83%84",
                    "/foo/bar/ツ",
                    "/enc/ツ",
                    "/enc/%e3%83%84",
                    "/foo/bar/baz",
                    "/case/%AA",
                    "/case/%aa",
                    "/space%20here",
                    "/foo/bar/other",
                ]
            ),
            [false, false, false, false, false, false, false, false, true]
        );
        // An escaped reserved character is not the character itself.
        let body = "User-agent: *\nDisallow: /a%2Fb\n";
        assert_eq!(verdicts(body, &["/a%2fb", "/a/b"]), [false, true]);
        // A `%` that starts no escape compares as `%25` on both sides.
        let body = "User-agent: *\nDisallow: /100%\n";
        assert_eq!(verdicts(body, &["/100%25", "/100"]), [false, true]);
    }

    #[test]
    fn user_agent_groups_are_chosen_and_merged() {
        // RFC 9309 2.2.1: groups naming us are merged; `*` groups are not
        // used when one names us; the token is case-insensitive and ends at
        // the first character that is not a letter, `-` or `_`.
        let body = "User-agent: *\nDisallow: /star\n\n\
                    User-agent: tidings/2.0\nDisallow: /foo\nDisallow: /bar\n\n\
                    User-agent: OtherBot\nDisallow: /other\n\n\
                    User-agent: TIDINGS\nDisallow: /baz\n\n\
                    User-agent: TidingsBot\nDisallow: /bot\n";
        assert_eq!(
            verdicts(body, &["/foo", "/bar", "/baz", "/star", "/other", "/bot"]),
            [false, false, false, true, true, true]
        );
        // Consecutive User-agent lines share the rules below them.
        let body = "User-agent: a\nUser-agent: Tidings\nUser-agent: b\nDisallow: /g\n\n\
                    User-agent: c\nDisallow: /h\n";
        assert_eq!(verdicts(body, &["/g", "/h"]), [false, true]);
        // No group for us: the `*` groups, merged.
        let body = "User-agent: *\nDisallow: /a\n\nUser-agent: x\nDisallow: /x\n\n\
                    User-agent: *\nDisallow: /b\n";
        assert_eq!(verdicts(body, &["/a", "/b", "/x"]), [false, false, true]);
        // A group naming us without rules: everything allowed.
        let body = "User-agent: *\nDisallow: /\n\nUser-agent: Tidings\n";
        assert_eq!(verdicts(body, &["/a"]), [true]);
        // Blank lines do not separate groups (RFC 9309's grammar): these two
        // User-agent lines open one group.
        let body = "User-agent: Tidings\n\nUser-agent: *\nDisallow: /\n";
        assert_eq!(verdicts(body, &["/a"]), [false]);
        // Neither ours nor `*`, or rules before any group: no rules.
        let body = "Disallow: /early\nUser-agent: x\nDisallow: /\n";
        assert_eq!(verdicts(body, &["/early", "/a"]), [true, true]);
        // A Sitemap line does not end a group.
        let body =
            "User-agent: Tidings\nSitemap: https://x.example/s.xml\nUser-agent: y\nDisallow: /s\n";
        assert_eq!(verdicts(body, &["/s"]), [false]);
    }

    #[test]
    fn crawl_delay_is_clamped_and_per_group() {
        let delay = |body: &str| rules(body).crawl_delay();
        assert_eq!(
            delay("User-agent: *\nCrawl-delay: 3\n"),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            delay("User-agent: *\nCrawl-delay: 0.5\n"),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            delay("User-agent: *\nCrawl-delay: 1000\n"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            delay("User-agent: *\nCrawl-delay: -5\n"),
            Some(Duration::ZERO)
        );
        assert_eq!(delay("User-agent: *\nCrawl-delay: NaN\n"), None);
        assert_eq!(delay("User-agent: *\nCrawl-delay: inf\n"), None);
        assert_eq!(delay("User-agent: *\nCrawl-delay: soon\n"), None);
        assert_eq!(
            delay("User-agent: *\nCrawl-delay: 9\n\nUser-agent: Tidings\nCrawl-delay: 2\n"),
            Some(Duration::from_secs(2)),
            "our group's delay, not the `*` group's"
        );
        assert_eq!(
            delay("User-agent: *\nCrawl-delay: 9\n\nUser-agent: Tidings\nDisallow: /x\n"),
            None
        );
    }

    #[test]
    fn sloppy_files_are_read() {
        // BOM, CR and CRLF line ends, comments, upper-case directives, spaces
        // around the colon, lines without a colon, a path without its
        // leading slash, bytes that are not UTF-8.
        let mut body = b"\xEF\xBB\xBFuser-AGENT : *  # everyone\r\n".to_vec();
        body.extend_from_slice(b"this line has no colon\r");
        body.extend_from_slice(b"DISALLOW:/cr # comment\r");
        body.extend_from_slice(b"# Disallow: /commented\n");
        body.extend_from_slice(b"Disallow: private/\n");
        body.extend_from_slice(b"Disallow: /caf\xe9\n");
        body.extend_from_slice(b"Disallow: /tail");
        let r = RobotsRules::parse(&body, "Tidings");
        let got: Vec<bool> = [
            "/cr",
            "/commented",
            "/private/x",
            "/caf%E9",
            "/café",
            "/tail",
            "/ok",
        ]
        .iter()
        .map(|p| r.allows(&url(p)))
        .collect();
        assert_eq!(got, [false, true, false, false, true, false, true]);
        assert_eq!(r.rule_count(), 4);
    }

    #[test]
    fn only_the_first_512_kib_are_parsed() {
        let mut body = String::from("User-agent: *\nDisallow: /early\n");
        let filler = "# padding padding padding padding padding padding padding\n";
        while body.len() + filler.len() < MAX_ROBOTS_BYTES - 5 {
            body.push_str(filler);
        }
        while body.len() < MAX_ROBOTS_BYTES - 5 {
            body.push('\n');
        }
        // This line crosses the cap: it is dropped whole, not cut to `/stra`.
        body.push_str("Disallow: /straddle\nDisallow: /late\n");
        assert!(body.len() > MAX_ROBOTS_BYTES);
        assert_eq!(
            verdicts(&body, &["/early", "/straddle", "/stra", "/late"]),
            [false, true, true, true]
        );
        // A file of exactly the cap without a final line end is read whole.
        let mut body = String::from("User-agent: *\n");
        while body.len() + filler.len() < MAX_ROBOTS_BYTES - 20 {
            body.push_str(filler);
        }
        while body.len() < MAX_ROBOTS_BYTES - 14 {
            body.push('\n');
        }
        body.push_str("Disallow: /end");
        assert_eq!(body.len(), MAX_ROBOTS_BYTES);
        assert_eq!(verdicts(&body, &["/end"]), [false]);
    }

    /// The obvious backtracking matcher, for comparison.
    fn reference(pattern: &[u8], path: &[u8]) -> bool {
        match pattern.split_first() {
            None => true,
            Some((b'$', [])) => path.is_empty(),
            Some((b'*', rest)) => (0..=path.len()).any(|i| reference(rest, &path[i..])),
            Some((c, rest)) => path.first() == Some(c) && reference(rest, &path[1..]),
        }
    }

    #[test]
    fn glob_matching_agrees_with_backtracking() {
        // Every pattern over {a, b, *} up to 5 long (with and without `$`)
        // against every path over {a, b} up to 6 long.
        fn all(alphabet: &[u8], max: usize) -> Vec<Vec<u8>> {
            let mut out = vec![Vec::new()];
            let mut layer = vec![Vec::new()];
            for _ in 0..max {
                layer = layer
                    .iter()
                    .flat_map(|w| {
                        alphabet.iter().map(move |c| {
                            let mut w = w.clone();
                            w.push(*c);
                            w
                        })
                    })
                    .collect();
                out.extend(layer.iter().cloned());
            }
            out
        }
        let paths = all(b"ab", 6);
        let mut checked = 0;
        for body in all(b"ab*", 5) {
            for anchored in [false, true] {
                let mut pattern = body.clone();
                if anchored {
                    pattern.push(b'$');
                }
                for path in &paths {
                    assert_eq!(
                        pattern_matches(&pattern, path),
                        reference(&pattern, path),
                        "{:?} on {:?}",
                        String::from_utf8_lossy(&pattern),
                        String::from_utf8_lossy(path)
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 364 * 2 * 127);
    }

    #[test]
    fn long_paths_are_matched_within_the_window() {
        let long = format!("/{}", "a".repeat(3 * MATCH_WINDOW));
        let body = "User-agent: *\nDisallow: /a*a$\nDisallow: /*zz\n";
        let r = rules(body);
        assert!(!r.allows(&url(&long)), "prefix and `$` see the whole path");
        assert!(r.allows(&url(&format!("{long}b"))));
        // A piece after a `*` is looked for in the first 8 KiB only.
        assert!(!r.allows(&url(&format!("/zz{long}"))));
        assert!(r.allows(&url(&format!("{long}zz"))));
    }

    /// The hostile publisher's file: 512 KiB of `Disallow: /pN*q$`.
    fn hostile_file() -> String {
        let mut body = String::from("User-agent: *\n");
        let mut n = 0;
        loop {
            let line = format!("Disallow: /p{n}*q$\n");
            if body.len() + line.len() > MAX_ROBOTS_BYTES {
                break;
            }
            body.push_str(&line);
            n += 1;
        }
        body
    }

    #[test]
    fn hostile_dollar_rules_stay_small_and_right() {
        let body = hostile_file();
        assert!(body.len() > MAX_ROBOTS_BYTES - 32);
        let r = rules(&body);
        assert_eq!(r.rule_count(), MAX_RULES);
        assert_eq!(
            verdicts(
                &body,
                &[
                    "/p5/xq", "/p5/x", "/p12/q", "/p9999q", "/a/q", "/p", "/p7?q"
                ]
            ),
            [false, true, false, false, true, true, false]
        );
        let c = RobotsCache::new();
        c.store("https://hostile.example", Some(body.as_bytes()));
        let bytes = c.approx_bytes();
        assert!(
            bytes <= 4 * body.len(),
            "{bytes} bytes for a {}-byte file",
            body.len()
        );
        assert!(bytes >= r.approx_bytes());
        assert_eq!(
            c.verdict("https://hostile.example", &url("/p3/q")),
            Some(RobotsVerdict::Disallowed)
        );

        // The most a file can grow by: raw non-ASCII patterns, each byte
        // escaped to three.
        let line = format!("Disallow: /{}*$\n", "ツ".repeat(40));
        let body = format!(
            "User-agent: *\n{}",
            line.repeat(MAX_ROBOTS_BYTES / line.len())
        );
        let r = rules(&body);
        assert!(r.approx_bytes() <= 4 * body.len(), "{}", r.approx_bytes());
        assert!(!r.allows(&url(&format!("/{}/x", "ツ".repeat(40)))));
    }

    #[test]
    fn cache_evicts_least_recently_used_past_its_budget() {
        let budget = 256 * 1024;
        let c = RobotsCache::with_limits(budget, 1_000);
        let body: String = std::iter::once("User-agent: *\n".to_string())
            .chain((0..500).map(|i| format!("Disallow: /section-{i}/\n")))
            .collect();
        let origin = |i: usize| format!("https://site{i}.example");
        let page = url("/section-7/a");
        for i in 0..100 {
            c.store(&origin(i), Some(body.as_bytes()));
            // Origin 1 is used all the time: it stays.
            if i >= 1 {
                assert_eq!(
                    c.verdict(&origin(1), &page),
                    Some(RobotsVerdict::Disallowed)
                );
            }
            assert!(
                c.approx_bytes() <= budget,
                "{} > {budget}",
                c.approx_bytes()
            );
        }
        assert!(c.origins() < 100 && c.origins() > 5, "{}", c.origins());
        assert_eq!(c.verdict(&origin(0), &page), None, "the oldest is gone");
        assert_eq!(c.verdict(&origin(2), &page), None);
        assert_eq!(
            c.verdict(&origin(1), &page),
            Some(RobotsVerdict::Disallowed)
        );
        assert_eq!(
            c.verdict(&origin(99), &page),
            Some(RobotsVerdict::Disallowed)
        );
        // Storing an origin again replaces it without counting it twice.
        let before = c.approx_bytes();
        c.store(&origin(99), Some(body.as_bytes()));
        assert_eq!(c.approx_bytes(), before);
    }

    #[test]
    fn cache_holds_at_most_its_number_of_origins() {
        let c = RobotsCache::new();
        for i in 0..=DEFAULT_MAX_ORIGINS {
            c.store(&format!("https://o{i}.example"), None);
        }
        assert_eq!(c.origins(), DEFAULT_MAX_ORIGINS);
        assert_eq!(c.verdict("https://o0.example", &url("/")), None);
        assert!(c.verdict("https://o1.example", &url("/")).is_some());
        assert!(c.approx_bytes() <= DEFAULT_MAX_CACHE_BYTES);
    }
}
