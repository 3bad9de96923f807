//! The one writer of an index directory.

use tantivy::schema::Term;
use tantivy::{IndexWriter, TantivyDocument};

use crate::index::{Error, SearchIndex, encode_payload};
use crate::schema::group_of;

/// One article as the search index sees it; the lead fills it from the database.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexDoc {
    pub id: i64,
    /// `articles.change_seq` of this version of the article.
    pub change_seq: i64,
    pub title: String,
    /// Plain text, paragraphs split by blank lines.
    pub body: String,
    pub description: Option<String>,
    pub url: String,
    pub source_id: i64,
    pub source_name: String,
    /// ISO 639-1; decides the stemmer (unknown codes get the no-stemming fallback).
    pub lang: String,
    /// Topic slugs.
    pub topics: Vec<String>,
    pub keywords: Vec<String>,
    pub published_ms: Option<i64>,
    pub story_id: Option<i64>,
}

/// Writer settings.
#[derive(Debug, Clone)]
pub struct IndexerOptions {
    /// Indexing threads. One is plenty for a news crawler; a full rebuild may use more.
    pub threads: usize,
    /// Memory for buffering before a segment is written, over all threads (min 15 MB per
    /// thread). More memory means fewer, larger segments and faster rebuilds.
    pub memory_bytes: usize,
}

impl Default for IndexerOptions {
    fn default() -> Self {
        IndexerOptions {
            threads: 1,
            memory_bytes: 64 << 20,
        }
    }
}

/// Texts longer than this are indexed only up to here (a pathological page must not cost
/// a segment's worth of memory).
const MAX_INDEXED_BYTES: usize = 200_000;
/// The stored body, used for snippets, is cut here: news bodies rarely exceed it, and the
/// doc store then stays bounded.
const MAX_STORED_BODY_BYTES: usize = 32_000;

/// The single owner of the index writer (tantivy's lock makes a second one fail with
/// [`Error::Locked`]). Drive it from one task: read a batch of changed articles, `upsert`
/// or `delete` them, `commit(last change_seq of the batch)` every N documents or T ms.
/// Uncommitted changes are lost on a crash, and the stored `last_seq` then still points
/// before them, so they are reindexed: at-least-once, and upserts are idempotent.
pub struct Indexer {
    index: SearchIndex,
    writer: IndexWriter,
    pending: usize,
    last_seq: i64,
}

impl SearchIndex {
    /// Take the index writer. Fails with [`Error::Locked`] if another writer (in this or
    /// another process) has it.
    pub fn indexer(&self, opts: IndexerOptions) -> crate::Result<Indexer> {
        let threads = opts.threads.max(1);
        let memory = opts.memory_bytes.max(threads * 15_000_000);
        let writer = self
            .inner
            .index
            .writer_with_num_threads(threads, memory)
            .map_err(|e| Error::tantivy(&self.inner.path, "take writer lock", e))?;
        let last_seq = self.last_seq()?;
        Ok(Indexer {
            index: self.clone(),
            writer,
            pending: 0,
            last_seq,
        })
    }
}

impl Indexer {
    /// Add or replace (by `id`) these articles. Visible to searches after `commit`.
    pub fn upsert(&mut self, docs: &[IndexDoc]) -> crate::Result<()> {
        let f = &self.index.inner.fields;
        for d in docs {
            self.writer.delete_term(Term::from_field_i64(f.id, d.id));
            let doc = self.to_document(d);
            self.writer
                .add_document(doc)
                .map_err(|e| Error::tantivy(&self.index.inner.path, "add document", e))?;
            self.pending += 1;
        }
        Ok(())
    }

    /// Remove these articles (ids not in the index are ignored).
    pub fn delete(&mut self, ids: &[i64]) -> crate::Result<()> {
        let f = &self.index.inner.fields;
        for id in ids {
            self.writer.delete_term(Term::from_field_i64(f.id, *id));
            self.pending += 1;
        }
        Ok(())
    }

    /// Remove every document (before a full rebuild into the same directory; the old
    /// contents stay searchable until the next commit).
    pub fn delete_all(&mut self) -> crate::Result<()> {
        self.writer
            .delete_all_documents()
            .map_err(|e| Error::tantivy(&self.index.inner.path, "delete all", e))?;
        self.pending += 1;
        Ok(())
    }

    /// Make everything since the last commit durable and visible, recording `last_seq`
    /// (the highest `change_seq` applied) in the commit itself.
    pub fn commit(&mut self, last_seq: i64) -> crate::Result<()> {
        let path = &self.index.inner.path;
        let mut prepared = self
            .writer
            .prepare_commit()
            .map_err(|e| Error::tantivy(path, "commit", e))?;
        prepared.set_payload(&encode_payload(last_seq));
        prepared
            .commit()
            .map_err(|e| Error::tantivy(path, "commit", e))?;
        self.pending = 0;
        self.last_seq = last_seq;
        // Searches in this process see the commit now, not after the file watcher's delay.
        self.index.reload()
    }

    /// Drop uncommitted changes.
    pub fn rollback(&mut self) -> crate::Result<()> {
        self.writer
            .rollback()
            .map_err(|e| Error::tantivy(&self.index.inner.path, "rollback", e))?;
        self.pending = 0;
        Ok(())
    }

    /// Upserts and deletes since the last commit (to decide when to commit).
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// The `last_seq` of the last commit.
    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// Wait for background merges and release the lock (dropping also releases it, but
    /// without waiting for merges).
    pub fn close(self) -> crate::Result<()> {
        let path = self.index.inner.path.clone();
        self.writer
            .wait_merging_threads()
            .map_err(|e| Error::tantivy(&path, "close writer", e))
    }

    fn to_document(&self, d: &IndexDoc) -> TantivyDocument {
        let f = &self.index.inner.fields;
        let g = group_of(&d.lang);
        let mut doc = TantivyDocument::default();
        doc.add_i64(f.id, d.id);
        if let Some(p) = d.published_ms {
            doc.add_i64(f.published, p);
        }
        doc.add_i64(f.source_id, d.source_id);
        if let Some(s) = d.story_id {
            doc.add_i64(f.story_id, s);
        }
        doc.add_text(f.source_name, &d.source_name);
        doc.add_text(f.lang, d.lang.trim().to_ascii_lowercase());
        for t in &d.topics {
            doc.add_text(f.topics, t.trim().to_lowercase());
        }
        doc.add_text(f.title, &d.title);
        if let Some(desc) = &d.description {
            doc.add_text(f.description, desc);
        }
        doc.add_text(f.body, cut(&d.body, MAX_STORED_BODY_BYTES));
        doc.add_text(f.url, &d.url);
        if let Some(tf) = f.title_field(g) {
            doc.add_text(tf, cut(&d.title, MAX_INDEXED_BYTES));
        }
        if let Some(xf) = f.text_field(g) {
            if let Some(desc) = &d.description {
                doc.add_text(xf, cut(desc, MAX_INDEXED_BYTES));
            }
            doc.add_text(xf, cut(&d.body, MAX_INDEXED_BYTES));
            if !d.keywords.is_empty() {
                doc.add_text(xf, d.keywords.join(" "));
            }
        }
        doc
    }
}

/// The longest prefix of `s` of at most `max` bytes, on a char boundary.
pub(crate) fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}
