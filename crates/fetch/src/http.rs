//! The HTTP client every fetch goes through: SSRF guard on every hop and every
//! resolved address, manual redirects (at most `max_redirects`, loops caught),
//! conditional GET, gzip/brotli, timeouts, a body cap enforced while streaming
//! (so a gzip bomb stops at the cap), robots.txt with Crawl-delay, and
//! per-host concurrency and delay under a global limit.

use crate::robots::{RobotsCache, RobotsVerdict};
use crate::ssrf::{self, Refusal};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

/// How Tidings behaves towards publishers' servers.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    pub allow_private_networks: bool,
    /// Sent as User-Agent; names Tidings and how to reach the operator.
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Whole request, body included: a slow-drip server cannot hold a worker longer.
    pub timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: u32,
    pub global_concurrency: usize,
    pub per_host_concurrency: usize,
    pub per_host_delay: Duration,
    pub respect_robots_txt: bool,
    /// Private addresses that are allowed anyway (an intranet feed server),
    /// checked with their port. Everything else private stays refused.
    pub allowed_private: Vec<SocketAddr>,
    /// Fixed DNS answers for these names (like curl --resolve). The answers are
    /// still checked by the SSRF guard; used by tests and split-horizon setups.
    pub dns_overrides: Vec<(String, std::net::IpAddr)>,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            allow_private_networks: false,
            user_agent: user_agent(""),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            global_concurrency: 32,
            per_host_concurrency: 2,
            per_host_delay: Duration::from_millis(1000),
            respect_robots_txt: true,
            allowed_private: Vec::new(),
            dns_overrides: Vec::new(),
        }
    }
}

/// The User-Agent: product and version, plus the operator's contact if given.
pub fn user_agent(contact: &str) -> String {
    let v = env!("CARGO_PKG_VERSION");
    if contact.trim().is_empty() {
        format!("Mozilla/5.0 (compatible; Tidings/{v}; +https://github.com/tidings-news/tidings)")
    } else {
        format!("Mozilla/5.0 (compatible; Tidings/{v}; +{})", contact.trim())
    }
}

/// The product token robots.txt rules are matched against.
pub const ROBOTS_AGENT: &str = "Tidings";

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    #[error("{host} resolves to a {reason} ({addr}); private networks are not fetched")]
    ResolvedPrivate {
        host: String,
        addr: String,
        reason: &'static str,
    },
    #[error("cannot resolve {0}")]
    Dns(String),
    #[error("cannot connect to {0}")]
    Connect(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("the response exceeds the {0}-byte limit")]
    TooLarge(u64),
    #[error("more than {0} redirects")]
    TooManyRedirects(u32),
    #[error("redirect loop at {0}")]
    RedirectLoop(String),
    #[error("redirect without a usable Location header")]
    BadRedirect,
    #[error("robots.txt disallows {0}")]
    RobotsDisallowed(String),
    #[error("HTTP error: {0}")]
    Http(String),
}

impl FetchError {
    /// Worth trying again later (as opposed to a permanent refusal).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchError::Dns(_)
                | FetchError::Connect(_)
                | FetchError::Timeout(_)
                | FetchError::Http(_)
        )
    }
}

/// A GET to make.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    pub url: Url,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub accept: &'static str,
}

impl FetchRequest {
    pub fn new(url: Url) -> Self {
        FetchRequest {
            url,
            etag: None,
            last_modified: None,
            accept: "*/*",
        }
    }
}

pub const ACCEPT_FEED: &str = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5";
pub const ACCEPT_HTML: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

/// What came back. Any final status is a response; the caller decides what a
/// 404 or 429 means for its source.
#[derive(Debug, Clone)]
pub struct FetchResponse {
    pub status: u16,
    pub final_url: Url,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
    pub redirects: u32,
}

impl FetchResponse {
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

struct HostSlot {
    permits: Arc<Semaphore>,
    next_at: Instant,
}

/// Turns at a host shared between processes (e.g. through the database), so
/// per-host politeness holds across crawler nodes. `wait_turn` returns when it
/// is this caller's turn to send a request to `host`, reserving the next turn
/// `delay` later.
pub trait HostGate: Send + Sync {
    fn wait_turn<'a>(
        &'a self,
        host: &'a str,
        delay: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>;
}

/// The shared fetcher. Cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    gate: Option<Arc<dyn HostGate>>,
    client: reqwest::Client,
    policy: Arc<FetchPolicy>,
    global: Arc<Semaphore>,
    hosts: Arc<Mutex<HashMap<String, HostSlot>>>,
    robots: RobotsCache,
}

/// Install the TLS crypto provider once per process (reqwest is built without one
/// so that the whole product uses one TLS stack: rustls with ring).
pub fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> Result<Fetcher, FetchError> {
        ensure_crypto_provider();
        let resolver = GuardedResolver {
            allow_private: policy.allow_private_networks,
            overrides: policy.dns_overrides.clone(),
        };
        let client = reqwest::Client::builder()
            .user_agent(policy.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.timeout)
            .read_timeout(policy.timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(policy.per_host_concurrency.max(1))
            .dns_resolver(Arc::new(resolver))
            .no_proxy()
            .build()
            .map_err(|e| FetchError::Http(e.to_string()))?;
        Ok(Fetcher {
            gate: None,
            client,
            global: Arc::new(Semaphore::new(policy.global_concurrency.max(1))),
            policy: Arc::new(policy),
            hosts: Arc::new(Mutex::new(HashMap::new())),
            robots: RobotsCache::new(),
        })
    }

    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Coordinate per-host delays through `gate` instead of this process alone.
    pub fn with_gate(mut self, gate: Arc<dyn HostGate>) -> Self {
        self.gate = Some(gate);
        self
    }

    /// The SSRF check for one hop, honouring the explicit private allow-list.
    pub fn check(&self, url: &Url) -> Result<(), FetchError> {
        let allowed = match (url.host(), url.port_or_known_default()) {
            (Some(url::Host::Ipv4(ip)), Some(port)) => self
                .policy
                .allowed_private
                .contains(&SocketAddr::from((ip, port))),
            (Some(url::Host::Ipv6(ip)), Some(port)) => self
                .policy
                .allowed_private
                .contains(&SocketAddr::from((ip, port))),
            _ => false,
        };
        ssrf::check_url(url, self.policy.allow_private_networks || allowed)?;
        Ok(())
    }

    /// GET `req.url`, following redirects under the policy.
    pub async fn get(&self, req: &FetchRequest) -> Result<FetchResponse, FetchError> {
        let mut url = req.url.clone();
        let mut seen = vec![url.to_string()];
        let mut redirects = 0u32;
        loop {
            self.check(&url)?;
            if self.policy.respect_robots_txt && url.path() != "/robots.txt" {
                match self.robots_verdict(&url).await {
                    RobotsVerdict::Allowed { .. } => {}
                    RobotsVerdict::Disallowed => {
                        return Err(FetchError::RobotsDisallowed(url.to_string()));
                    }
                }
            }
            // Conditional headers only apply to the URL the validators came from.
            let conditional = redirects == 0;
            let resp = self
                .one_hop(&url, req, conditional, BodyCap::Policy)
                .await?;
            if let Some(location) = resp.location {
                redirects += 1;
                if redirects > self.policy.max_redirects {
                    return Err(FetchError::TooManyRedirects(self.policy.max_redirects));
                }
                let next = url.join(&location).map_err(|_| FetchError::BadRedirect)?;
                if seen.contains(&next.to_string()) {
                    return Err(FetchError::RedirectLoop(next.to_string()));
                }
                seen.push(next.to_string());
                url = next;
                continue;
            }
            let mut r = resp.response;
            r.redirects = redirects;
            return Ok(r);
        }
    }

    async fn robots_verdict(&self, url: &Url) -> RobotsVerdict {
        let Some(origin) = robots_origin(url) else {
            return RobotsVerdict::Allowed { crawl_delay: None };
        };
        if let Some(v) = self.robots.verdict(&origin, url) {
            return v;
        }
        // Fetch robots.txt once per origin; failures mean "no rules" (RFC 9309:
        // 4xx allows all; 5xx and network errors we treat as allow too, but retry later).
        let robots_url = match Url::parse(&format!("{origin}/robots.txt")) {
            Ok(u) => u,
            Err(_) => return RobotsVerdict::Allowed { crawl_delay: None },
        };
        // Only the head of the file is parsed: read one byte past it, so the
        // parser knows whether the file went on.
        let cap = BodyCap::Truncate(crate::robots::MAX_ROBOTS_BYTES as u64 + 1);
        let fetched = self
            .one_hop(
                &robots_url,
                &FetchRequest::new(robots_url.clone()),
                false,
                cap,
            )
            .await;
        let body = match fetched {
            Ok(h) if h.location.is_none() && h.response.is_success() => Some(h.response.body),
            Ok(h) if h.location.is_none() && (400..500).contains(&h.response.status) => None,
            Ok(_) => None,
            Err(_) => None,
        };
        self.robots.store(&origin, body.as_deref());
        self.robots
            .verdict(&origin, url)
            .unwrap_or(RobotsVerdict::Allowed { crawl_delay: None })
    }

    /// Wait for a slot at this host: its concurrency limit and its minimum delay.
    async fn host_permit(&self, url: &Url) -> Result<OwnedSemaphorePermit, FetchError> {
        let host = url.host_str().unwrap_or_default().to_string();
        let crawl_delay = robots_origin(url)
            .and_then(|o| self.robots.crawl_delay(&o))
            .unwrap_or_default();
        let delay = self
            .policy
            .per_host_delay
            .max(crawl_delay.min(Duration::from_secs(60)));
        let sem = {
            let mut hosts = self
                .hosts
                .lock()
                .map_err(|_| FetchError::Http("host table poisoned".into()))?;
            hosts
                .entry(host.clone())
                .or_insert_with(|| HostSlot {
                    permits: Arc::new(Semaphore::new(self.policy.per_host_concurrency.max(1))),
                    next_at: Instant::now(),
                })
                .permits
                .clone()
        };
        let permit = sem
            .acquire_owned()
            .await
            .map_err(|_| FetchError::Http("host limiter closed".into()))?;
        if delay > Duration::ZERO
            && let Some(gate) = &self.gate
        {
            // Several crawler processes share the host: the shared gate hands
            // out the turns, so the delay holds across all of them.
            gate.wait_turn(&host, delay).await;
            return Ok(permit);
        }
        let wait_until = {
            let mut hosts = self
                .hosts
                .lock()
                .map_err(|_| FetchError::Http("host table poisoned".into()))?;
            let now = Instant::now();
            match hosts.get_mut(&host) {
                Some(slot) => {
                    let start = slot.next_at.max(now);
                    slot.next_at = start + delay;
                    start
                }
                None => now,
            }
        };
        tokio::time::sleep_until(wait_until.into()).await;
        Ok(permit)
    }

    async fn one_hop(
        &self,
        url: &Url,
        req: &FetchRequest,
        conditional: bool,
        body_cap: BodyCap,
    ) -> Result<Hop, FetchError> {
        let _global = self
            .global
            .acquire()
            .await
            .map_err(|_| FetchError::Http("global limiter closed".into()))?;
        let _host = self.host_permit(url).await?;
        let mut rb = self
            .client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, req.accept);
        if conditional {
            if let Some(e) = &req.etag {
                rb = rb.header(reqwest::header::IF_NONE_MATCH, e.as_str());
            }
            if let Some(lm) = &req.last_modified {
                rb = rb.header(reqwest::header::IF_MODIFIED_SINCE, lm.as_str());
            }
        }
        let resp = rb
            .send()
            .await
            .map_err(|e| classify(e, url, self.policy.timeout))?;
        let status = resp.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let location = if matches!(status, 301 | 302 | 303 | 307 | 308) {
            Some(header(reqwest::header::LOCATION).ok_or(FetchError::BadRedirect)?)
        } else {
            None
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let retry_after = header(reqwest::header::RETRY_AFTER).and_then(|v| parse_retry_after(&v));
        if let Some(len) = resp.content_length()
            && matches!(body_cap, BodyCap::Policy)
            && len > self.policy.max_body_bytes
            && resp
                .headers()
                .get(reqwest::header::CONTENT_ENCODING)
                .is_none()
        {
            return Err(FetchError::TooLarge(self.policy.max_body_bytes));
        }
        // Error pages are read only a little: their text is for the error message.
        let success = (200..300).contains(&status);
        let (cap, strict) = match body_cap {
            BodyCap::Policy if success => (self.policy.max_body_bytes, true),
            BodyCap::Policy => (64 * 1024, false),
            BodyCap::Truncate(n) if success => (n, false),
            BodyCap::Truncate(n) => (n.min(64 * 1024), false),
        };
        let body = if location.is_some() || status == 304 {
            Vec::new()
        } else {
            read_capped(resp, cap, strict, url, self.policy.timeout).await?
        };
        Ok(Hop {
            location,
            response: FetchResponse {
                status,
                final_url: url.clone(),
                content_type,
                etag,
                last_modified,
                retry_after,
                body,
                redirects: 0,
            },
        })
    }
}

/// How much of a body `one_hop` reads.
#[derive(Debug, Clone, Copy)]
enum BodyCap {
    /// Up to the policy's `max_body_bytes`; a bigger body is an error.
    Policy,
    /// Up to this many bytes, keeping what was read (robots.txt).
    Truncate(u64),
}

struct Hop {
    location: Option<String>,
    response: FetchResponse,
}

/// Read the (decompressed) body, stopping with an error at `cap` bytes — or,
/// for error pages, just truncating.
async fn read_capped(
    mut resp: reqwest::Response,
    cap: u64,
    strict: bool,
    url: &Url,
    timeout: Duration,
) -> Result<Vec<u8>, FetchError> {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = usize::try_from(cap)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(body.len());
                if chunk.len() > room {
                    if strict {
                        return Err(FetchError::TooLarge(cap));
                    }
                    body.extend_from_slice(chunk.get(..room).unwrap_or_default());
                    return Ok(body);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(classify(e, url, timeout)),
        }
    }
}

fn classify(e: reqwest::Error, url: &Url, timeout: Duration) -> FetchError {
    // A refusal by our resolver surfaces as a connect error; keep its message.
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<ResolveRefusal>() {
            return FetchError::ResolvedPrivate {
                host: r.host.clone(),
                addr: r.addr.clone(),
                reason: r.reason,
            };
        }
        source = s.source();
    }
    let host = url.host_str().unwrap_or_default().to_string();
    if e.is_timeout() {
        FetchError::Timeout(timeout)
    } else if e.is_connect() {
        let text = format!("{e:?}");
        if text.contains("dns error")
            || text.contains("failed to lookup")
            || text.contains("resolve")
        {
            FetchError::Dns(host)
        } else {
            FetchError::Connect(host)
        }
    } else if e.is_decode() || e.is_body() {
        FetchError::Http(format!("broken response body from {host}: {e}"))
    } else {
        FetchError::Http(format!("{host}: {e}"))
    }
}

/// `Retry-After` as seconds or an HTTP date; capped at a week.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(7 * 86_400)));
    }
    let t = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    let secs = (t.as_second() - now.as_second()).clamp(0, 7 * 86_400);
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

fn robots_origin(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    Some(format!("{}://{host}{port}", url.scheme()))
}

#[derive(Debug)]
struct ResolveRefusal {
    host: String,
    addr: String,
    reason: &'static str,
}

impl std::fmt::Display for ResolveRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} resolves to a {} ({})",
            self.host, self.reason, self.addr
        )
    }
}

impl std::error::Error for ResolveRefusal {}

/// DNS resolution that refuses names resolving to any non-public address
/// (all answers are checked, so a mixed answer cannot slip a private one in).
struct GuardedResolver {
    allow_private: bool,
    overrides: Vec<(String, std::net::IpAddr)>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_private;
        let host = name.as_str().to_string();
        let fixed: Vec<SocketAddr> = self
            .overrides
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(&host))
            .map(|(_, ip)| SocketAddr::new(*ip, 0))
            .collect();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = if fixed.is_empty() {
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect()
            } else {
                fixed
            };
            if !allow {
                for a in &addrs {
                    if let Some(reason) = ssrf::non_public_reason(a.ip()) {
                        return Err(Box::new(ResolveRefusal {
                            host: host.clone(),
                            addr: a.ip().to_string(),
                            reason,
                        })
                            as Box<dyn std::error::Error + Send + Sync>);
                    }
                }
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
