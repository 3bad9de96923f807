//! The full-text search index of Tidings: tantivy schema, the one index writer, the query
//! syntax, highlighted snippets and more-like-this for related articles.
//!
//! The index is derived data: it can always be rebuilt from the database. It remembers the
//! last applied `articles.change_seq` in its own commit payload, so a node can catch up after
//! downtime by reindexing what changed since.
//!
//! ```no_run
//! # fn main() -> Result<(), tidings_search::Error> {
//! use tidings_search::{IndexDoc, IndexerOptions, OpenState, SearchIndex, SearchRequest};
//! let (index, state) = SearchIndex::open("data/search")?;
//! let since = match state {
//!     OpenState::Existing { last_seq } => last_seq,
//!     OpenState::Fresh | OpenState::Rebuilt { .. } => 0, // reindex everything
//! };
//! let mut writer = index.indexer(IndexerOptions::default())?;
//! writer.upsert(&[IndexDoc { id: 1, change_seq: since + 1, title: "Oil prices rise".into(),
//!     lang: "en".into(), ..Default::default() }])?;
//! writer.commit(since + 1)?;
//! let results = index.search(&SearchRequest::new("oil price"))?;
//! assert_eq!(results.total, 1);
//! # Ok(()) }
//! ```

mod highlight;
mod index;
mod mlt;
pub mod query;
mod schema;
mod search;
mod writer;

pub use index::{Error, OpenState, SearchIndex};
pub use mlt::MltOptions;
pub use query::{Clause, ParsedQuery, SourceFilter, parse as parse_query};
pub use schema::{SCHEMA_VERSION, group_of};
pub use search::{SearchHit, SearchRequest, SearchResults, Sort};
pub use writer::{IndexDoc, Indexer, IndexerOptions};

pub type Result<T, E = Error> = std::result::Result<T, E>;
