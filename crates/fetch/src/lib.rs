//! Everything that talks to publishers' servers, and the parsers for what
//! they send: feeds, sitemaps and OPML subscription lists.

pub mod opml;
