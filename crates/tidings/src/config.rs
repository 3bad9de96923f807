//! Typed, layered configuration: defaults -> `tidings.toml` -> `TIDINGS_*`
//! environment -> command-line flags. Only this module reads the environment.
//! An unusable value stops start-up with a message naming the key and value.

use anyhow::{Context, Result, bail};
use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Value};
use figment::{Figment, Profile, Provider};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where Tidings keeps its SQLite database, search index and media cache.
    pub data_dir: PathBuf,
    /// `postgres://user:pass@host/db` for PostgreSQL; empty means SQLite in `data_dir`.
    pub database_url: String,
    /// Address the web server listens on.
    pub listen: SocketAddr,
    /// What `tidings serve` runs: `web`, `crawler` or `all`.
    pub role: crate::cli::Role,
    pub log: LogConfig,
    pub site: SiteConfig,
    pub fetch: FetchConfig,
    pub crawl: CrawlConfig,
    pub storage: StorageConfig,
    pub ai: AiSection,
    pub accounts: AccountsConfig,
    pub comments: CommentsConfig,
    pub api: ApiSection,
    pub ops: OpsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./tidings-data"),
            database_url: String::new(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            role: crate::cli::Role::All,
            log: LogConfig::default(),
            site: SiteConfig::default(),
            fetch: FetchConfig::default(),
            crawl: CrawlConfig::default(),
            storage: StorageConfig::default(),
            ai: AiSection::default(),
            accounts: AccountsConfig::default(),
            comments: CommentsConfig::default(),
            api: ApiSection::default(),
            ops: OpsConfig::default(),
        }
    }
}

/// Who sees the operators' endpoints (`/metrics`, the details of `/healthz`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpsConfig {
    /// A second address serving `/metrics`, `/healthz` and `/livez` to anyone
    /// who reaches it (keep it on a private network); empty: none.
    pub listen: String,
    /// A bearer token that opens `/metrics` and the details of `/healthz` on
    /// the public listener; empty: only local requests see them.
    pub token: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `tidings=debug,info`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    pub name: String,
    /// The public URL readers use, e.g. `https://news.example.org`. Used for
    /// absolute links in feeds, sitemaps and share links.
    pub base_url: String,
    /// Host names (optionally with `:port`) this site answers to; requests
    /// naming another host get 421. Empty: any host (links then follow `Host`).
    pub allowed_hosts: Vec<String>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            name: "Tidings".into(),
            base_url: String::new(),
            allowed_hosts: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchConfig {
    /// Allow fetching from loopback and private networks (intranets, tests).
    pub allow_private_networks: bool,
    /// A URL or email where publishers can reach the operator; part of the User-Agent.
    pub contact: String,
    pub connect_timeout_secs: u64,
    pub timeout_secs: u64,
    pub max_body_bytes: u64,
    pub max_redirects: u32,
    pub global_concurrency: u32,
    pub per_host_concurrency: u32,
    pub per_host_delay_ms: u64,
    pub respect_robots_txt: bool,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            allow_private_networks: false,
            contact: String::new(),
            connect_timeout_secs: 10,
            timeout_secs: 30,
            max_body_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            global_concurrency: 32,
            per_host_concurrency: 2,
            per_host_delay_ms: 1000,
            respect_robots_txt: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlConfig {
    /// Run the crawler inside `tidings serve`.
    pub enabled: bool,
    /// Concurrent jobs in this process.
    pub workers: u32,
    /// Bounds for the adaptive poll interval of each source.
    pub min_poll_interval_secs: u64,
    pub max_poll_interval_secs: u64,
    /// How long a claimed job stays with a worker that stopped answering; after
    /// this, another worker (or the restarted process) takes it over.
    pub lease_secs: u64,
    /// The most CPU time one piece of work on a publisher's data (parsing a
    /// feed, extracting a page, decoding an image) may take before its job fails.
    pub cpu_budget_secs: u64,
    /// Days the fetched page of each article is kept (compressed), so rule
    /// changes and new extractors apply without fetching again; 0 keeps none.
    pub keep_pages_days: u64,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            enabled: true,
            workers: 8,
            min_poll_interval_secs: 300,
            max_poll_interval_secs: 6 * 3600,
            lease_secs: 60,
            cpu_budget_secs: 20,
            keep_pages_days: 90,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Database connections per process (read pool on SQLite).
    pub max_connections: u32,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig { max_connections: 8 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AiSection {
    /// `builtin` (offline, the default) or `openai` (any OpenAI-compatible endpoint).
    pub provider: String,
    /// For `openai`: up to and including the version path, e.g. `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    pub model: String,
    /// Sent as a bearer token; empty sends none. Never printed by `tidings config`.
    pub api_key: String,
    pub timeout_secs: u64,
    /// Model calls in flight in this process.
    pub max_concurrent: u32,
    /// Questions per minute per reader: per signed-in user, else per IP address.
    pub ask_per_minute: u32,
    /// Translations per minute per reader (cache misses only), counted like questions.
    pub translate_per_minute: u32,
    /// The languages readers may ask translations into (ISO 639-1 codes).
    pub translate_languages: Vec<String>,
    /// Compute the AI results of this many top stories ahead of time (web
    /// nodes, every five minutes); 0 computes everything on first request.
    pub precompute_top_stories: u32,
}

/// Widely read languages that current models translate well.
const DEFAULT_TRANSLATE_LANGUAGES: [&str; 16] = [
    "ar", "de", "en", "es", "fr", "hi", "it", "ja", "ko", "nl", "pl", "pt", "ru", "tr", "uk", "zh",
];

impl Default for AiSection {
    fn default() -> Self {
        AiSection {
            provider: "builtin".into(),
            base_url: String::new(),
            model: String::new(),
            api_key: String::new(),
            timeout_secs: 90,
            max_concurrent: 4,
            ask_per_minute: 10,
            translate_per_minute: 5,
            translate_languages: DEFAULT_TRANSLATE_LANGUAGES
                .iter()
                .map(|l| (*l).to_string())
                .collect(),
            precompute_top_stories: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationMode {
    Open,
    Closed,
    Invite,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SecureCookiesMode {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountsConfig {
    /// `open`, `closed` or `invite` (an admin hands out codes).
    pub registration: RegistrationMode,
    pub session_hours: u64,
    pub remember_days: u64,
    pub secure_cookies: SecureCookiesMode,
    pub login_max_failures: u32,
    pub login_max_failures_per_address: u32,
    pub lockout_minutes: u64,
    pub login_attempts_per_ip_per_hour: u32,
    pub registrations_per_ip_per_hour: u32,
    pub password_min_length: u32,
    pub invitation_days: u64,
    pub trust_proxy_headers: bool,
    /// Readers may subscribe to feeds that are not sources (reader apps):
    /// each becomes a private source, crawled for its subscribers only.
    pub personal_feeds: bool,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        let d = tidings_web::AccountsConfig::default();
        AccountsConfig {
            registration: RegistrationMode::Open,
            session_hours: d.session_hours,
            remember_days: d.remember_days,
            secure_cookies: SecureCookiesMode::Auto,
            login_max_failures: d.login_max_failures,
            login_max_failures_per_address: d.login_max_failures_per_address,
            lockout_minutes: d.lockout_minutes,
            login_attempts_per_ip_per_hour: d.login_attempts_per_ip_per_hour,
            registrations_per_ip_per_hour: d.registrations_per_ip_per_hour,
            password_min_length: u32::try_from(d.password_min_length).unwrap_or(10),
            invitation_days: d.invitation_days,
            trust_proxy_headers: d.trust_proxy_headers,
            personal_feeds: d.personal_feeds,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CommentsConfig {
    pub enabled: bool,
    pub max_length: u32,
    pub max_depth: u32,
    pub edit_window_secs: u64,
    pub per_user_per_hour: u32,
    pub per_ip_per_hour: u32,
    pub new_account_hours: u64,
    pub new_account_max_links: u32,
}

impl Default for CommentsConfig {
    fn default() -> Self {
        let d = tidings_web::CommentsConfig::default();
        CommentsConfig {
            enabled: d.enabled,
            max_length: u32::try_from(d.max_length).unwrap_or(5000),
            max_depth: u32::try_from(d.max_depth).unwrap_or(6),
            edit_window_secs: d.edit_window_secs,
            per_user_per_hour: d.per_user_per_hour,
            per_ip_per_hour: d.per_ip_per_hour,
            new_account_hours: d.new_account_hours,
            new_account_max_links: u32::try_from(d.new_account_max_links).unwrap_or(1),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiSection {
    /// Requests per client address per minute to `/api`, across all web nodes; 0 = no limit.
    pub requests_per_minute: u32,
    /// Origins whose pages may call `/api` from a browser: `[]` none, `["*"]` any.
    pub cors_origins: Vec<String>,
}

impl Default for ApiSection {
    fn default() -> Self {
        let d = tidings_web::ApiConfig::default();
        ApiSection {
            requests_per_minute: d.requests_per_minute,
            cors_origins: d.cors_origins,
        }
    }
}

/// Values given on the command line; `None` leaves lower layers in charge.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub allow_private_networks: bool,
    pub listen: Option<String>,
    pub no_crawl: bool,
    pub role: Option<crate::cli::Role>,
}

const ENV_PREFIX: &str = "TIDINGS_";
/// `TIDINGS_*` variables that are not configuration keys.
const ENV_NOT_CONFIG: &[&str] = &[
    "config",
    "node_id",
    "test_pg_url",
    "test_require_pg",
    "test_require_browser",
];

impl Config {
    /// Build the effective configuration from all layers.
    pub fn load(ov: &Overrides) -> Result<Config> {
        Self::load_from(ov, std::env::vars())
    }

    pub fn load_from(
        ov: &Overrides,
        env: impl Iterator<Item = (String, String)>,
    ) -> Result<Config> {
        let env: Vec<(String, String)> = env.collect();
        let mut fig = Figment::from(Serialized::defaults(Config::default()));

        let explicit = ov.config_file.clone().or_else(|| {
            env.iter()
                .find(|(k, _)| k == "TIDINGS_CONFIG")
                .map(|(_, v)| PathBuf::from(v))
        });
        match explicit {
            Some(path) => {
                // Read it once ourselves: a missing or unreadable file named on purpose is an error.
                std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read config file {}", path.display()))?;
                fig = fig.merge(Toml::file_exact(&path));
            }
            None => {
                let default = Path::new("tidings.toml");
                if default.is_file() {
                    fig = fig.merge(Toml::file(default));
                }
            }
        }

        fig = fig.merge(env_provider(&env)?);

        let mut flags: Vec<(String, Value)> = Vec::new();
        if let Some(d) = &ov.data_dir {
            flags.push(("data_dir".into(), Value::from(d.display().to_string())));
        }
        if let Some(u) = &ov.database_url {
            flags.push(("database_url".into(), Value::from(u.clone())));
        }
        if let Some(l) = &ov.listen {
            flags.push(("listen".into(), Value::from(l.clone())));
        }
        if ov.allow_private_networks {
            flags.push(("fetch.allow_private_networks".into(), Value::from(true)));
        }
        if ov.no_crawl {
            flags.push(("crawl.enabled".into(), Value::from(false)));
        }
        if let Some(r) = ov.role {
            flags.push(("role".into(), Value::from(r.as_str().to_string())));
        }
        fig = fig.merge(KeyLayer {
            name: "command line",
            pairs: flags,
            spell: |keys| match keys.join(".").as_str() {
                "fetch.allow_private_networks" => "--allow-private-networks".into(),
                "crawl.enabled" => "--no-crawl".into(),
                "role" => "--role".into(),
                k => format!("--{}", k.replace('_', "-")),
            },
        });
        let config: Config = fig.extract().map_err(|e| describe_error(&fig, e))?;
        config.validate()?;
        Ok(config)
    }

    /// The fetch policy this configuration asks for.
    pub fn fetch_policy(&self) -> tidings_fetch::FetchPolicy {
        let f = &self.fetch;
        tidings_fetch::FetchPolicy {
            allow_private_networks: f.allow_private_networks,
            user_agent: tidings_fetch::http::user_agent(&f.contact),
            connect_timeout: std::time::Duration::from_secs(f.connect_timeout_secs),
            timeout: std::time::Duration::from_secs(f.timeout_secs),
            max_body_bytes: f.max_body_bytes,
            max_redirects: f.max_redirects,
            global_concurrency: usize::try_from(f.global_concurrency).unwrap_or(32),
            per_host_concurrency: usize::try_from(f.per_host_concurrency).unwrap_or(2),
            per_host_delay: std::time::Duration::from_millis(f.per_host_delay_ms),
            respect_robots_txt: f.respect_robots_txt,
            ..Default::default()
        }
    }

    /// Checks that types alone cannot express.
    fn validate(&self) -> Result<()> {
        fn bad(key: &str, value: impl std::fmt::Display, why: &str) -> anyhow::Error {
            anyhow::anyhow!("config key `{key}` = `{value}` is unusable: {why}")
        }
        let known_scheme = ["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|p| self.database_url.starts_with(p));
        if !self.database_url.is_empty() && !known_scheme {
            bail!(bad(
                "database_url",
                tidings_store::redact_url(&self.database_url),
                "use postgres://user:password@host/database or sqlite:PATH"
            ));
        }
        if self.data_dir.as_os_str().is_empty() {
            bail!(bad("data_dir", "", "must name a directory"));
        }
        if !self.site.base_url.is_empty() {
            match url::Url::parse(&self.site.base_url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => bail!(bad(
                    "site.base_url",
                    &self.site.base_url,
                    "must be an http(s) URL"
                )),
            }
        }
        for h in &self.site.allowed_hosts {
            let ok = !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
            if !ok {
                bail!(bad(
                    "site.allowed_hosts",
                    h,
                    "must be host names like news.example.org or news.example.org:8080"
                ));
            }
        }
        if !self.ops.listen.is_empty() && self.ops.listen.parse::<SocketAddr>().is_err() {
            bail!(bad(
                "ops.listen",
                &self.ops.listen,
                "must be an address and port such as 127.0.0.1:9090"
            ));
        }
        if !self.ops.token.is_empty() && self.ops.token.len() < 16 {
            bail!(bad(
                "ops.token",
                "<redacted>",
                "must be at least 16 characters"
            ));
        }
        let f = &self.fetch;
        if f.max_redirects > 20 {
            bail!(bad("fetch.max_redirects", f.max_redirects, "at most 20"));
        }
        if f.timeout_secs == 0 || f.connect_timeout_secs == 0 {
            bail!(bad(
                "fetch.timeout_secs",
                f.timeout_secs,
                "timeouts must be at least 1 second"
            ));
        }
        if f.max_body_bytes < 1024 {
            bail!(bad(
                "fetch.max_body_bytes",
                f.max_body_bytes,
                "at least 1024"
            ));
        }
        if f.global_concurrency == 0 {
            bail!(bad("fetch.global_concurrency", 0, "at least 1"));
        }
        if f.per_host_concurrency == 0 {
            bail!(bad("fetch.per_host_concurrency", 0, "at least 1"));
        }
        let c = &self.crawl;
        if c.workers == 0 {
            bail!(bad("crawl.workers", 0, "at least 1"));
        }
        if c.lease_secs < 2 {
            bail!(bad("crawl.lease_secs", c.lease_secs, "at least 2"));
        }
        if c.cpu_budget_secs == 0 {
            bail!(bad("crawl.cpu_budget_secs", 0, "at least 1"));
        }
        if c.min_poll_interval_secs == 0 {
            bail!(bad("crawl.min_poll_interval_secs", 0, "at least 1"));
        }
        if c.min_poll_interval_secs > c.max_poll_interval_secs {
            bail!(bad(
                "crawl.min_poll_interval_secs",
                c.min_poll_interval_secs,
                &format!(
                    "must not exceed crawl.max_poll_interval_secs ({})",
                    c.max_poll_interval_secs
                )
            ));
        }
        let a = &self.accounts;
        if a.password_min_length < 8 || a.password_min_length > 64 {
            bail!(bad(
                "accounts.password_min_length",
                a.password_min_length,
                "between 8 and 64"
            ));
        }
        if a.session_hours == 0 || a.remember_days == 0 {
            bail!(bad(
                "accounts.session_hours",
                a.session_hours,
                "sessions must last at least 1 hour (and remember_days at least 1)"
            ));
        }
        if a.login_max_failures == 0 {
            bail!(bad(
                "accounts.login_max_failures",
                a.login_max_failures,
                "at least 1"
            ));
        }
        if a.login_max_failures_per_address == 0 {
            bail!(bad(
                "accounts.login_max_failures_per_address",
                a.login_max_failures_per_address,
                "at least 1"
            ));
        }
        if a.lockout_minutes == 0 || a.lockout_minutes > 1440 {
            bail!(bad(
                "accounts.lockout_minutes",
                a.lockout_minutes,
                "between 1 and 1440 (a day)"
            ));
        }
        let cm = &self.comments;
        if cm.max_length == 0 || cm.max_length > 100_000 {
            bail!(bad(
                "comments.max_length",
                cm.max_length,
                "between 1 and 100000"
            ));
        }
        if cm.max_depth > 100 {
            bail!(bad("comments.max_depth", cm.max_depth, "at most 100"));
        }
        for o in &self.api.cors_origins {
            let ok = o == "*"
                || url::Url::parse(o).is_ok_and(|u| {
                    matches!(u.scheme(), "http" | "https")
                        && u.host_str().is_some()
                        && u.path() == "/"
                        && u.query().is_none()
                        && u.origin().ascii_serialization() == o.trim_end_matches('/')
                });
            if !ok {
                bail!(bad(
                    "api.cors_origins",
                    o,
                    "an origin like https://app.example.org (scheme, host, optional port), or *"
                ));
            }
        }
        if self.storage.max_connections == 0 {
            bail!(bad("storage.max_connections", 0, "at least 1"));
        }
        let ai = &self.ai;
        match ai.provider.as_str() {
            "builtin" => {}
            "openai" => {
                if url::Url::parse(&ai.base_url)
                    .map(|u| !matches!(u.scheme(), "http" | "https"))
                    .unwrap_or(true)
                {
                    bail!(bad(
                        "ai.base_url",
                        &ai.base_url,
                        "an http(s) URL is needed for provider openai"
                    ));
                }
                if ai.model.trim().is_empty() {
                    bail!(bad(
                        "ai.model",
                        &ai.model,
                        "name the model for provider openai"
                    ));
                }
            }
            other => bail!(bad("ai.provider", other, "one of builtin, openai")),
        }
        for l in &ai.translate_languages {
            if l.len() != 2 || !l.chars().all(|c| c.is_ascii_lowercase()) {
                bail!(bad(
                    "ai.translate_languages",
                    l,
                    "must be two-letter ISO 639-1 codes in lower case, e.g. \"de\""
                ));
            }
        }
        if ai.timeout_secs == 0 {
            bail!(bad("ai.timeout_secs", 0, "at least 1"));
        }
        if ai.max_concurrent == 0 {
            bail!(bad("ai.max_concurrent", 0, "at least 1"));
        }
        if ai.ask_per_minute == 0 {
            bail!(bad("ai.ask_per_minute", 0, "at least 1"));
        }
        if let Err(e) = self.log.level.parse::<tracing_subscriber::EnvFilter>() {
            bail!(bad("log.level", &self.log.level, &e.to_string()));
        }
        Ok(())
    }

    /// The database URL in effect: explicit, or SQLite inside the data dir.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("tidings.db").display()
            )
        } else {
            self.database_url.clone()
        }
    }

    /// What the web layer needs to know about accounts.
    pub fn web_accounts(&self) -> tidings_web::AccountsConfig {
        let a = &self.accounts;
        tidings_web::AccountsConfig {
            registration: match a.registration {
                RegistrationMode::Open => tidings_web::Registration::Open,
                RegistrationMode::Closed => tidings_web::Registration::Closed,
                RegistrationMode::Invite => tidings_web::Registration::Invite,
            },
            session_hours: a.session_hours,
            remember_days: a.remember_days,
            secure_cookies: match a.secure_cookies {
                SecureCookiesMode::Auto => tidings_web::SecureCookies::Auto,
                SecureCookiesMode::Always => tidings_web::SecureCookies::Always,
                SecureCookiesMode::Never => tidings_web::SecureCookies::Never,
            },
            login_max_failures: a.login_max_failures,
            login_max_failures_per_address: a.login_max_failures_per_address,
            lockout_minutes: a.lockout_minutes,
            login_attempts_per_ip_per_hour: a.login_attempts_per_ip_per_hour,
            registrations_per_ip_per_hour: a.registrations_per_ip_per_hour,
            password_min_length: usize::try_from(a.password_min_length).unwrap_or(10),
            invitation_days: a.invitation_days,
            trust_proxy_headers: a.trust_proxy_headers,
            personal_feeds: a.personal_feeds,
        }
    }

    pub fn web_comments(&self) -> tidings_web::CommentsConfig {
        let c = &self.comments;
        tidings_web::CommentsConfig {
            enabled: c.enabled,
            max_length: usize::try_from(c.max_length).unwrap_or(5000),
            max_depth: i64::from(c.max_depth),
            edit_window_secs: c.edit_window_secs,
            per_user_per_hour: c.per_user_per_hour,
            per_ip_per_hour: c.per_ip_per_hour,
            new_account_hours: c.new_account_hours,
            new_account_max_links: usize::try_from(c.new_account_max_links).unwrap_or(1),
        }
    }

    pub fn web_api(&self) -> tidings_web::ApiConfig {
        tidings_web::ApiConfig {
            requests_per_minute: self.api.requests_per_minute,
            cors_origins: self
                .api
                .cors_origins
                .iter()
                .map(|o| o.trim_end_matches('/').to_string())
                .collect(),
        }
    }

    /// The configuration as TOML, with secrets hidden.
    pub fn to_toml_redacted(&self) -> Result<String> {
        let mut c = self.clone();
        c.database_url = tidings_store::redact_url(&c.database_url);
        if !c.ops.token.is_empty() {
            c.ops.token = "<redacted>".into();
        }
        if !c.ai.api_key.is_empty() {
            c.ai.api_key = "<redacted>".into();
        }
        Ok(toml::to_string_pretty(&c)?)
    }
}

/// Map `TIDINGS_*` variables onto config keys. Both `TIDINGS_FETCH_TIMEOUT_SECS`
/// and `TIDINGS_FETCH__TIMEOUT_SECS` name `fetch.timeout_secs`.
fn env_provider(env: &[(String, String)]) -> Result<impl Provider> {
    let known = known_keys();
    let mut pairs: Vec<(String, Value)> = Vec::new();
    for (k, v) in env {
        let Some(rest) = k.strip_prefix(ENV_PREFIX) else {
            continue;
        };
        let lower = rest.to_ascii_lowercase();
        if ENV_NOT_CONFIG.contains(&lower.as_str()) || lower.starts_with("test_") {
            continue;
        }
        let key = lower.replace("__", ".");
        let resolved = known.iter().find(|(full, _)| *full == key).or_else(|| {
            known
                .iter()
                .find(|(full, _)| full.replacen('.', "_", 1) == lower)
        });
        match resolved {
            Some((key, is_text)) => pairs.push((
                key.clone(),
                if *is_text {
                    Value::from(v.clone())
                } else {
                    env_value(v)
                },
            )),
            None => bail!(
                "environment variable `{k}` is not a Tidings setting (see `tidings config` for the keys)"
            ),
        }
    }
    Ok(KeyLayer {
        name: "environment",
        pairs,
        spell: |keys| format!("{ENV_PREFIX}{}", keys.join("__").to_ascii_uppercase()),
    })
}

/// A layer of dotted keys (environment or flags) as a figment provider, so
/// errors say which variable or flag held the bad value.
struct KeyLayer {
    name: &'static str,
    pairs: Vec<(String, Value)>,
    /// How a key is spelled in this layer (`TIDINGS_FETCH__TIMEOUT_SECS`, `--listen`).
    spell: fn(&[&str]) -> String,
}

impl Provider for KeyLayer {
    fn metadata(&self) -> figment::Metadata {
        let spell = self.spell;
        figment::Metadata::named(self.name).interpolater(move |_profile, keys| spell(keys))
    }

    fn data(&self) -> Result<figment::value::Map<Profile, Dict>, figment::Error> {
        let mut root = Dict::new();
        for (key, value) in &self.pairs {
            insert_dotted(&mut root, key, value.clone());
        }
        Ok(Profile::Default.collect(root))
    }
}

fn env_value(raw: &str) -> Value {
    // Numbers, booleans and lists (`["a", "b"]`) are typed; everything else
    // stays the exact string.
    match raw.parse::<Value>() {
        Ok(v @ (Value::Num(..) | Value::Bool(..) | Value::Array(..))) => v,
        _ => Value::from(raw.to_string()),
    }
}

fn insert_dotted(d: &mut Dict, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            d.insert(key.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = d
                .entry(head.to_string())
                .or_insert_with(|| Value::from(Dict::new()));
            if !matches!(entry, Value::Dict(..)) {
                *entry = Value::from(Dict::new());
            }
            if let Value::Dict(_, inner) = entry {
                insert_dotted(inner, rest, value);
            }
        }
    }
}

/// Every leaf key of the configuration, dotted (`fetch.timeout_secs`), with
/// whether its value is text (so `TIDINGS_SITE__NAME=2024` stays a string).
fn known_keys() -> Vec<(String, bool)> {
    fn walk(prefix: &str, d: &Dict, out: &mut Vec<(String, bool)>) {
        for (k, v) in d {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Dict(_, inner) => walk(&key, inner, out),
                Value::String(..) => out.push((key, true)),
                _ => out.push((key, false)),
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(map) = Serialized::defaults(Config::default()).data()
        && let Some(d) = map.get(&Profile::Default)
    {
        walk("", d, &mut out);
    }
    out
}

/// Turn figment's error into one that names the key, the value and where it came from.
fn describe_error(fig: &Figment, e: figment::Error) -> anyhow::Error {
    let mut lines = Vec::new();
    for err in e {
        let key = err.path.join(".");
        let value = fig
            .find_value(&key)
            .ok()
            .map(|v| match v {
                Value::String(_, s) => s,
                Value::Bool(_, b) => b.to_string(),
                Value::Char(_, c) => c.to_string(),
                Value::Num(_, n) => n
                    .to_i128()
                    .map(|i| i.to_string())
                    .or_else(|| n.to_f64().map(|f| f.to_string()))
                    .unwrap_or_default(),
                other => format!("{other:?}"),
            })
            .unwrap_or_default();
        let origin = err
            .metadata
            .as_ref()
            .map(|m| {
                let path: Vec<&str> = err.path.iter().map(String::as_str).collect();
                let place = m.interpolate(&Profile::Default, &path);
                match &m.source {
                    Some(src) => format!(" (from {} {src})", m.name),
                    None => format!(" (from {} {place})", m.name),
                }
            })
            .unwrap_or_default();
        lines.push(format!(
            "config key `{key}` = `{value}`{origin} is unusable: {}",
            err.kind
        ));
    }
    anyhow::anyhow!(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(ov: &Overrides, env: &[(&str, &str)]) -> Result<Config> {
        Config::load_from(ov, env.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn example_file_documents_every_key_with_its_default() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tidings.example.toml");
        let ov = Overrides {
            config_file: Some(path.clone()),
            ..Default::default()
        };
        let from_file = load(&ov, &[]).unwrap();
        assert_eq!(
            toml::to_string(&from_file).unwrap(),
            toml::to_string(&Config::default()).unwrap()
        );
        let text = std::fs::read_to_string(path).unwrap();
        for (key, _) in known_keys() {
            let leaf = key.rsplit('.').next().unwrap();
            assert!(
                text.contains(&format!("\n{leaf} = ")),
                "example lacks `{key}`"
            );
        }
    }

    #[test]
    fn env_spellings_and_precedence() {
        let c = load(
            &Overrides::default(),
            &[
                ("TIDINGS_FETCH_TIMEOUT_SECS", "7"),
                ("TIDINGS_SITE__NAME", "2024"),
            ],
        )
        .unwrap();
        assert_eq!(c.fetch.timeout_secs, 7);
        assert_eq!(c.site.name, "2024");
        let ov = Overrides {
            listen: Some("127.0.0.1:1".into()),
            ..Default::default()
        };
        let c = load(&ov, &[("TIDINGS_LISTEN", "127.0.0.1:2")]).unwrap();
        assert_eq!(c.listen.port(), 1, "flags beat the environment");
        // Test-harness variables share the prefix but are not settings.
        let c = load(
            &Overrides::default(),
            &[("TIDINGS_TEST_PG_URL", "postgres://x")],
        )
        .unwrap();
        assert_eq!(c.listen.port(), 8080);
    }

    #[test]
    fn sqlite_url_lives_in_the_data_dir() {
        let c = Config {
            data_dir: PathBuf::from("/srv/news"),
            ..Default::default()
        };
        assert_eq!(
            c.effective_database_url(),
            "sqlite:///srv/news/tidings.db?mode=rwc"
        );
    }
}
