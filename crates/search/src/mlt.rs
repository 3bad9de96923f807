//! More-like-this by text, Lucene style: the text's most characteristic terms (tf × idf,
//! idf from the index) become a BM25 query over the articles of the same language group.
//! The article does not need to be indexed.

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DocAddress, Searcher};

use crate::highlight;
use crate::index::{Error, SearchIndex};
use crate::schema::group_of;

/// Term selection for more-like-this. Defaults chosen on the Reuters related-articles
/// evaluation (BENCHMARKS.md).
#[derive(Debug, Clone, PartialEq)]
pub struct MltOptions {
    /// Most query terms kept (Lucene: 25).
    pub max_query_terms: usize,
    /// A term must occur this often in the text (Lucene: 2; 1 found better related
    /// articles on Reuters, whose bodies are short).
    pub min_term_freq: u32,
    /// ... and in at least this many indexed articles (Lucene: 5).
    pub min_doc_freq: u64,
    /// Terms in more than this share of the articles are skipped (weak evidence, long
    /// posting lists).
    pub max_doc_freq_ratio: f32,
    /// Title words count this many times in the text's term frequencies.
    pub title_weight: u32,
    /// Also match the query terms in the candidates' titles.
    pub match_titles: bool,
    /// Boost each term by its tf-idf relative to the best (Lucene's `boost`; off: it cost
    /// 0.04 P@5 on Reuters).
    pub boost_terms: bool,
}

impl Default for MltOptions {
    fn default() -> Self {
        MltOptions {
            max_query_terms: 25,
            min_term_freq: 1,
            min_doc_freq: 5,
            max_doc_freq_ratio: 0.5,
            title_weight: 1,
            match_titles: false,
            boost_terms: false,
        }
    }
}

impl SearchIndex {
    /// The `k` indexed articles most like this text, as `(id, score)` best first, leaving
    /// out `exclude` (the article itself, when indexed). Only articles in the same language
    /// group are candidates. An index error is an error, not an empty list.
    pub fn more_like_this(
        &self,
        title: &str,
        body: &str,
        lang: &str,
        k: usize,
        exclude: &[i64],
    ) -> crate::Result<Vec<(i64, f32)>> {
        self.more_like_this_with(title, body, lang, k, exclude, &MltOptions::default())
    }

    pub fn more_like_this_with(
        &self,
        title: &str,
        body: &str,
        lang: &str,
        k: usize,
        exclude: &[i64],
        opts: &MltOptions,
    ) -> crate::Result<Vec<(i64, f32)>> {
        if k == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.inner.reader.searcher();
        let Some(q) = self.mlt_query(&searcher, title, body, lang, opts)? else {
            return Ok(Vec::new());
        };
        let path = &self.inner.path;
        let want = k + exclude.len();
        let top = tantivy::collector::TopDocs::with_limit(want).order_by_score();
        let docs = searcher
            .search(&q, &top)
            .map_err(|e| Error::tantivy(path, "more like this", e))?;
        let mut out = Vec::with_capacity(k);
        let mut ids = IdReader::new(&searcher);
        for (score, addr) in docs {
            let id = ids
                .id(addr)
                .map_err(|e| Error::tantivy(path, "read id", e))?;
            if let Some(id) = id
                && !exclude.contains(&id)
            {
                out.push((id, score));
                if out.len() == k {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// tantivy's own `MoreLikeThisQuery` with its defaults over the text (title and body
    /// as one value) in the language group's text field: the baseline the benchmark
    /// compares against. Not for production use.
    #[doc(hidden)]
    pub fn more_like_this_tantivy_baseline(
        &self,
        title: &str,
        body: &str,
        lang: &str,
        k: usize,
        exclude: &[i64],
    ) -> crate::Result<Vec<(i64, f32)>> {
        let g = group_of(lang);
        let Some(field) = self.inner.fields.text_field(g) else {
            return Ok(Vec::new());
        };
        let searcher = self.inner.reader.searcher();
        let path = &self.inner.path;
        let text = format!("{title}\n\n{body}");
        let q = tantivy::query::MoreLikeThisQuery::builder()
            .with_document_fields(vec![(field, vec![tantivy::schema::OwnedValue::Str(text)])]);
        let top =
            tantivy::collector::TopDocs::with_limit(k.max(1) + exclude.len()).order_by_score();
        let docs = searcher
            .search(&q, &top)
            .map_err(|e| Error::tantivy(path, "more like this", e))?;
        let mut ids = IdReader::new(&searcher);
        let mut out = Vec::new();
        for (score, addr) in docs {
            if let Some(id) = ids
                .id(addr)
                .map_err(|e| Error::tantivy(path, "read id", e))?
                && !exclude.contains(&id)
                && out.len() < k
            {
                out.push((id, score));
            }
        }
        Ok(out)
    }

    fn mlt_query(
        &self,
        searcher: &Searcher,
        title: &str,
        body: &str,
        lang: &str,
        opts: &MltOptions,
    ) -> crate::Result<Option<Box<dyn Query>>> {
        let g = group_of(lang);
        let f = &self.inner.fields;
        let (Some(a), Some(text_field), Some(title_field)) = (
            self.inner.analyzers.get(g),
            f.text_field(g),
            f.title_field(g),
        ) else {
            return Ok(None);
        };
        let mut tf: HashMap<String, u32> = HashMap::new();
        for (_, t) in highlight::tokens(a, title) {
            *tf.entry(t).or_default() += opts.title_weight;
        }
        for (_, t) in highlight::tokens(a, crate::writer::cut(body, 100_000)) {
            *tf.entry(t).or_default() += 1;
        }
        let n = searcher.num_docs();
        if n == 0 {
            return Ok(None);
        }
        let max_df = ((n as f64) * f64::from(opts.max_doc_freq_ratio)).ceil() as u64;
        let path = &self.inner.path;
        let mut scored: Vec<(f32, String)> = Vec::new();
        for (term, freq) in tf {
            if freq < opts.min_term_freq {
                continue;
            }
            let df = searcher
                .doc_freq(&Term::from_field_text(text_field, &term))
                .map_err(|e| Error::tantivy(path, "more like this", e))?;
            if df < opts.min_doc_freq.max(1) || df > max_df {
                continue;
            }
            scored.push((freq as f32 * idf(df, n), term));
        }
        // Deterministic order: score, then the term.
        scored.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
        scored.truncate(opts.max_query_terms);
        let best = scored.first().map_or(1.0, |s| s.0).max(f32::MIN_POSITIVE);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (score, term) in &scored {
            let boost = if opts.boost_terms { score / best } else { 1.0 };
            let mut fields = vec![text_field];
            if opts.match_titles {
                fields.push(title_field);
            }
            for field in fields {
                let q = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), boost))));
            }
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        Ok(Some(Box::new(BooleanQuery::new(clauses))))
    }
}

/// BM25's idf, as tantivy scores it.
fn idf(df: u64, n: u64) -> f32 {
    let (df, n) = (df as f32, n as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// Maps hits to article ids through the `id` fast field, one column per segment.
pub(crate) struct IdReader<'s> {
    searcher: &'s Searcher,
    columns: HashMap<u32, tantivy::columnar::Column<i64>>,
}

impl<'s> IdReader<'s> {
    pub fn new(searcher: &'s Searcher) -> Self {
        IdReader {
            searcher,
            columns: HashMap::new(),
        }
    }

    pub fn id(&mut self, addr: DocAddress) -> tantivy::Result<Option<i64>> {
        if !self.columns.contains_key(&addr.segment_ord) {
            let Some(reader) = self
                .searcher
                .segment_readers()
                .get(addr.segment_ord as usize)
            else {
                return Ok(None);
            };
            let col = reader.fast_fields().i64("id")?;
            self.columns.insert(addr.segment_ord, col);
        }
        Ok(self
            .columns
            .get(&addr.segment_ord)
            .and_then(|c| c.first(addr.doc_id)))
    }
}
