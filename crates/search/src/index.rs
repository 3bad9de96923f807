//! Opening (or recreating) the index directory, and the shared read side.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::schema::{self, Fields, GROUPS, SCHEMA_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("search index {path}: {context}: {source}")]
    Tantivy {
        path: PathBuf,
        context: &'static str,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("search index {path}: {context}: {source}")]
    Io {
        path: PathBuf,
        context: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "search index {path}: the directory holds files that are not a search index; refusing to reset it"
    )]
    NotAnIndexDir { path: PathBuf },
    #[error("search index {path}: another writer holds the index lock (one writer per index)")]
    Locked { path: PathBuf },
}

impl Error {
    pub(crate) fn tantivy(
        path: &Path,
        context: &'static str,
        source: tantivy::TantivyError,
    ) -> Self {
        match source {
            tantivy::TantivyError::LockFailure(..) => Error::Locked {
                path: path.to_path_buf(),
            },
            source => Error::Tantivy {
                path: path.to_path_buf(),
                context,
                source,
            },
        }
    }
    fn io(path: &Path, context: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            context,
            source,
        }
    }
}

/// What `open` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenState {
    /// No index was there; an empty one was created. Reindex everything.
    Fresh,
    /// An index was there; it has applied changes up to `last_seq` (0 if never committed
    /// through an `Indexer`). Catch up from there.
    Existing { last_seq: i64 },
    /// The index was unusable (corrupt files, another schema version) and was recreated
    /// empty. Reindex everything; the UI can say "search is being rebuilt".
    Rebuilt { reason: String },
}

/// The search index: cheap to clone and share across request handlers (`Send + Sync`).
/// Searches see a new commit within about a second (tantivy watches `meta.json`), and at
/// once in the process that committed (the `Indexer` reloads the reader).
#[derive(Clone)]
pub struct SearchIndex {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub path: PathBuf,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// One analyzer per language group, same order as `GROUPS`; cloned per use because
    /// tantivy's analyzers need `&mut` to run.
    pub analyzers: Vec<TextAnalyzer>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("path", &self.inner.path)
            .finish()
    }
}

/// Commit payload: schema version and the last applied change sequence number.
pub(crate) fn encode_payload(last_seq: i64) -> String {
    format!("tidings-search schema={SCHEMA_VERSION} last_seq={last_seq}")
}

/// `(schema version, last_seq)` from a payload.
pub(crate) fn decode_payload(p: &str) -> Option<(u32, i64)> {
    let mut schema = None;
    let mut seq = None;
    for part in p.split_whitespace() {
        if let Some(v) = part.strip_prefix("schema=") {
            schema = v.parse().ok();
        } else if let Some(v) = part.strip_prefix("last_seq=") {
            seq = v.parse().ok();
        }
    }
    Some((schema?, seq?))
}

impl SearchIndex {
    /// Open the index in `dir`, creating it when missing and recreating it (empty) when it
    /// is corrupt or was written with another schema version. Every file's checksum is
    /// verified, so garbage in a segment is caught here rather than by a later search.
    pub fn open(dir: impl AsRef<Path>) -> crate::Result<(SearchIndex, OpenState)> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", e))?;
        let has_meta = dir.join("meta.json").exists();
        if !has_meta {
            if !looks_like_index_or_empty(dir)? {
                return Err(Error::NotAnIndexDir {
                    path: dir.to_path_buf(),
                });
            }
            let fresh = is_empty(dir)?;
            reset(dir)?;
            let index = create(dir)?;
            let state = if fresh {
                OpenState::Fresh
            } else {
                OpenState::Rebuilt {
                    reason: "meta.json is missing".into(),
                }
            };
            return Ok((index, state));
        }
        match try_open(dir) {
            Ok((index, last_seq)) => Ok((index, OpenState::Existing { last_seq })),
            Err(reason) => {
                tracing::warn!(path = %dir.display(), %reason, "search index unusable; recreating it empty");
                reset(dir)?;
                let index = create(dir)?;
                Ok((index, OpenState::Rebuilt { reason }))
            }
        }
    }

    fn from_index(dir: &Path, index: Index, fields: Fields) -> crate::Result<SearchIndex> {
        schema::register(index.tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|e| Error::tantivy(dir, "open reader", e))?;
        let analyzers = GROUPS.iter().map(|g| schema::analyzer(*g)).collect();
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                path: dir.to_path_buf(),
                index,
                reader,
                fields,
                analyzers,
            }),
        })
    }

    /// The directory of this index.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The last change sequence number committed (read from the index's `meta.json`).
    pub fn last_seq(&self) -> crate::Result<i64> {
        let metas = self
            .inner
            .index
            .load_metas()
            .map_err(|e| Error::tantivy(&self.inner.path, "read meta.json", e))?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(decode_payload)
            .map_or(0, |p| p.1))
    }

    /// Number of live documents visible to searches now.
    pub fn num_docs(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    /// Make the latest commit visible now (normally automatic within about a second).
    pub fn reload(&self) -> crate::Result<()> {
        self.inner
            .reader
            .reload()
            .map_err(|e| Error::tantivy(&self.inner.path, "reload reader", e))
    }

    /// Bytes on disk of the index files.
    pub fn disk_bytes(&self) -> crate::Result<u64> {
        let mut total = 0;
        let entries = std::fs::read_dir(&self.inner.path)
            .map_err(|e| Error::io(&self.inner.path, "list directory", e))?;
        for e in entries.flatten() {
            if let Ok(m) = e.metadata()
                && m.is_file()
            {
                total += m.len();
            }
        }
        Ok(total)
    }
}

fn create(dir: &Path) -> crate::Result<SearchIndex> {
    let (schema, fields) = schema::build();
    let index = Index::create_in_dir(dir, schema).map_err(|e| Error::tantivy(dir, "create", e))?;
    schema::register(index.tokenizers());
    // An initial commit with our payload: an empty index that is reopened reads as
    // `Existing { last_seq: 0 }` with a known schema version.
    let mut writer: tantivy::IndexWriter = index
        .writer_with_num_threads(1, 15_000_000)
        .map_err(|e| Error::tantivy(dir, "take writer lock", e))?;
    let mut prepared = writer
        .prepare_commit()
        .map_err(|e| Error::tantivy(dir, "commit", e))?;
    prepared.set_payload(&encode_payload(0));
    prepared
        .commit()
        .map_err(|e| Error::tantivy(dir, "commit", e))?;
    writer
        .wait_merging_threads()
        .map_err(|e| Error::tantivy(dir, "close writer", e))?;
    SearchIndex::from_index(dir, index, fields)
}

/// Open an existing index; `Err(reason)` when it must be rebuilt.
fn try_open(dir: &Path) -> Result<(SearchIndex, i64), String> {
    let index = Index::open_in_dir(dir).map_err(|e| format!("cannot open: {e}"))?;
    let (schema, fields) = schema::build();
    if index.schema() != schema {
        return Err("the schema differs from this version's".into());
    }
    let metas = index
        .load_metas()
        .map_err(|e| format!("cannot read meta.json: {e}"))?;
    let last_seq = match metas.payload.as_deref().map(decode_payload) {
        Some(Some((v, seq))) if v == SCHEMA_VERSION => seq,
        Some(Some((v, _))) => {
            return Err(format!(
                "written with schema version {v}, this version uses {SCHEMA_VERSION}"
            ));
        }
        Some(None) => return Err("unrecognised commit payload".into()),
        None => return Err("no commit payload (not written by tidings-search)".into()),
    };
    let corrupt = index
        .validate_checksum()
        .map_err(|e| format!("cannot verify checksums: {e}"))?;
    if !corrupt.is_empty() {
        let mut names: Vec<String> = corrupt.iter().map(|p| p.display().to_string()).collect();
        names.sort();
        return Err(format!(
            "corrupt files (checksum mismatch): {}",
            names.join(", ")
        ));
    }
    let si = SearchIndex::from_index(dir, index, fields).map_err(|e| e.to_string())?;
    // Opening every segment's files catches truncated or missing ones.
    si.inner
        .reader
        .reload()
        .map_err(|e| format!("cannot load segments: {e}"))?;
    Ok((si, last_seq))
}

fn is_empty(dir: &Path) -> crate::Result<bool> {
    let mut it = std::fs::read_dir(dir).map_err(|e| Error::io(dir, "list directory", e))?;
    Ok(it.next().is_none())
}

/// An empty directory, or one with tantivy's bookkeeping file: we may reset it. Anything
/// else (a mistyped path pointing at someone's files) is refused.
fn looks_like_index_or_empty(dir: &Path) -> crate::Result<bool> {
    Ok(is_empty(dir)? || dir.join(".managed.json").exists() || dir.join("meta.json").exists())
}

/// Remove the index files (the directory is ours: checked by the caller or it has meta.json).
fn reset(dir: &Path) -> crate::Result<()> {
    std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, "remove corrupt index", e))?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips() {
        assert_eq!(
            decode_payload(&encode_payload(42)),
            Some((SCHEMA_VERSION, 42))
        );
        assert_eq!(decode_payload("garbage"), None);
    }
}
