//! Everything that talks to publishers' servers, and the parsers for what
//! they send: feeds, sitemaps and OPML subscription lists.

pub mod feed;
pub mod http;
pub mod opml;
pub mod robots;
pub mod sitemap;
pub mod ssrf;
mod text;

pub use http::{
    FetchError, FetchPolicy, FetchRequest, FetchResponse, Fetcher, HostGate, ensure_crypto_provider,
};
