//! The command-line contract. Later issues and outside checks rely on these
//! names; `--help` documents each.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tidings",
    version,
    about = "Tidings: self-hosted news aggregation",
    long_about = "Tidings collects news from RSS/Atom/JSON feeds and sitemaps, extracts clean \
                  articles, groups them into stories and serves a fast public website and JSON API.\n\n\
                  Configuration layers: defaults, then tidings.toml (or --config), then TIDINGS_* \
                  environment variables, then these flags."
)]
pub struct Cli {
    /// Directory for the SQLite database, search index and media cache [default: ./tidings-data]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database URL: postgres://user:pass@host/db selects PostgreSQL [default: SQLite in the data dir]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Configuration file [default: ./tidings.toml when present]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Allow fetching from loopback and private networks (intranets, tests)
    #[arg(long, global = true)]
    pub allow_private_networks: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (and the crawler, unless --no-crawl)
    Serve(ServeArgs),
    /// Add, list and remove news sources
    #[command(subcommand)]
    Source(SourceCommand),
    /// Import or export sources as OPML
    #[command(subcommand)]
    Opml(OpmlCommand),
    /// Poll sources and store their articles (without the web server)
    Crawl(CrawlArgs),
    /// Extract the article from a page, a URL, stdin, or every page in a directory
    Extract(ExtractArgs),
    /// Rebuild this node's search index from the database
    Reindex,
    /// Rebuild every story with the current clustering method (after upgrading
    /// Tidings); stories that continue keep their id, comments and followers
    Recluster,
    /// Extract stored articles again from their kept pages (after changing
    /// rules or upgrading Tidings), without fetching anything
    Reextract {
        /// Only this source's articles (id or URL)
        #[arg(long)]
        source: Option<String>,
    },
    /// Copy a whole installation to another database (e.g. SQLite to PostgreSQL);
    /// resumable, and verified by row counts and content checksums
    MigrateDb(MigrateArgs),
    /// Print the effective configuration (secrets hidden)
    Config,
    /// Manage accounts: add (with a role), list, change roles, unlock, unban
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password comes from a prompt, or from the first line of standard input
    Add {
        /// The username (3-32 of A-Z a-z 0-9 _ - .)
        name: String,
        /// Make the account an administrator
        #[arg(long, conflicts_with = "moderator")]
        admin: bool,
        /// Make the account a moderator
        #[arg(long)]
        moderator: bool,
        /// An email address to keep with the account
        #[arg(long)]
        email: Option<String>,
    },
    /// List accounts with their roles
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Set an account's role: member, moderator or admin
    Role {
        name: String,
        #[arg(value_parser = ["member", "moderator", "admin"])]
        role: String,
    },
    /// Lift an account's login backoff now (its own and every address's)
    Unlock { name: String },
    /// Lift an account's ban (logged as from the command line); the way for a
    /// banned admin, who cannot lift their own
    Unban {
        name: String,
        /// Why, for the moderation log
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The database to copy from, e.g. sqlite:./tidings-data/tidings.db
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The database to copy into, e.g. postgres://tidings@db/tidings (created tables, empty or partly copied)
    #[arg(long, value_name = "URL")]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Poll every due source once, finish all resulting work, print a summary and exit
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExtractFormat {
    /// Every field as JSON
    Json,
    /// The article text
    Text,
    /// The clean article HTML
    Html,
}

/// What `tidings extract` expects a page to be.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ExtractKind {
    /// Decide from the page: an article if it declares itself one (OpenGraph,
    /// JSON-LD, microdata), else an article, listing, product page or thread
    #[default]
    Auto,
    /// One article, as the crawler reads pages from feed and sitemap entries:
    /// never the whole page
    Article,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// An HTML file, an http(s) URL, - for standard input, or a directory of NAME.html files
    pub input: String,
    /// Output format [default: json for one page, text for a directory]
    #[arg(long, value_enum)]
    pub format: Option<ExtractFormat>,
    /// The page's address, for resolving relative links (files and stdin)
    #[arg(long, value_name = "BASE_URL")]
    pub url: Option<String>,
    /// For a directory: write OUTDIR/NAME.txt (or .json) for every DIR/NAME.html
    #[arg(long, value_name = "OUTDIR")]
    pub out: Option<PathBuf>,
    /// What the page is expected to be
    #[arg(long, value_enum, default_value_t = ExtractKind::Auto)]
    pub kind: ExtractKind,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Serve only; do not poll sources in this process (same as --role web)
    #[arg(long)]
    pub no_crawl: bool,
    /// What this process does: `web` (pages and API), `crawler` (polls sources and
    /// runs jobs; answers only /healthz, /livez and /metrics) or `all` [default: all]
    #[arg(long, value_enum)]
    pub role: Option<Role>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Web,
    Crawler,
    All,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Web => "web",
            Role::Crawler => "crawler",
            Role::All => "all",
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Display {
    /// Show the whole article
    Full,
    /// Show an excerpt and link to the publisher (default)
    Excerpt,
}

#[derive(Debug, Subcommand)]
pub enum SourceCommand {
    /// Add a feed or sitemap by URL
    Add {
        /// The feed, sitemap or site URL
        url: String,
        /// A name to show instead of the feed's title
        #[arg(long)]
        name: Option<String>,
        /// How much of each article to show readers
        #[arg(long, value_enum, default_value = "excerpt")]
        display: Display,
    },
    /// List sources with status, last fetch, last error and article count
    List {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Remove a source (by id or URL) and its articles
    Remove {
        /// Source id (see `source list`) or URL
        source: String,
    },
    /// Set what you know about a source (shown in how stories' coverage splits);
    /// an option given empty clears that value
    Set {
        /// Source id (see `source list`) or URL
        source: String,
        /// ISO 3166 country code, e.g. DE
        #[arg(long)]
        country: Option<String>,
        /// ISO 639-1 language code, e.g. de (the feed's own is used when unset)
        #[arg(long)]
        language: Option<String>,
        /// Who owns the outlet
        #[arg(long)]
        owner: Option<String>,
        /// wire, national, local, public_broadcaster, international, magazine, blog or other
        #[arg(long)]
        kind: Option<String>,
        /// One of the site's perspective labels (see `source labels`)
        #[arg(long)]
        perspective: Option<String>,
    },
    /// Show, or set, the site's perspective labels (e.g. Left Centre Right)
    Labels {
        /// The labels to set; none: print the current ones
        labels: Vec<String>,
    },
    /// Add or update sources from a CSV file with a header row: url, and any
    /// of name, display, country, language, owner, kind, perspective (all or nothing)
    ImportCsv {
        /// The CSV file, or - for standard input
        file: PathBuf,
    },
    /// Set a source's extraction rules (CSS selectors), shown on its latest
    /// articles first; saving re-extracts its stored articles in the background
    Rules {
        /// Source id (see `source list`) or URL
        source: String,
        /// The element that holds the article, e.g. `article .story-body`
        #[arg(long)]
        content: Option<String>,
        /// Blocks to take out, e.g. `.newsletter` (repeat for several)
        #[arg(long)]
        remove: Vec<String>,
        /// Remove the source's rules
        #[arg(long, conflicts_with_all = ["content", "remove"])]
        clear: bool,
        /// Only show what the rules would do; save nothing
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OpmlCommand {
    /// Add every feed in an OPML file (all or nothing; existing ones are skipped)
    Import {
        /// The OPML file, or - for standard input
        file: PathBuf,
    },
    /// Write all sources as OPML to standard output
    Export,
}
