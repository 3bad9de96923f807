//! Searching: the parsed query becomes one tantivy query per language group.

use std::collections::HashSet;
use std::ops::Bound;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument};

use crate::highlight;
use crate::index::{Error, SearchIndex};
use crate::query::{self, Clause, ParsedQuery, SourceFilter};
use crate::schema::{FALLBACK_GROUP, GROUPS, group_of};

/// Weight of a title match relative to a match in the text. Chosen on a known-item
/// evaluation (see BENCHMARKS.md).
pub const TITLE_BOOST: f32 = 2.0;
/// Deepest result reachable by paging (offset + limit); keeps deep paging cheap.
pub const MAX_WINDOW: usize = 1000;
pub const MAX_LIMIT: usize = 100;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// BM25 relevance (the default when the query has words; without words, newest).
    #[default]
    Relevance,
    Newest,
}

/// A search. `query` is the user's text in the syntax of [`crate::query`]; the other
/// filters are for the UI's controls and combine with the ones typed in the query.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub query: String,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Published at or after (unix ms).
    pub from_ms: Option<i64>,
    /// Published before (unix ms).
    pub to_ms: Option<i64>,
    pub source_ids: Vec<i64>,
    pub topics: Vec<String>,
    pub langs: Vec<String>,
    /// Weight of title matches; `None` is [`TITLE_BOOST`] (for evaluations).
    pub title_boost: Option<f32>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest::new("")
    }
}

impl SearchRequest {
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            sort: Sort::Relevance,
            offset: 0,
            limit: 20,
            from_ms: None,
            to_ms: None,
            source_ids: Vec::new(),
            topics: Vec::new(),
            langs: Vec::new(),
            title_boost: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub id: i64,
    /// BM25 score (0 when sorted by date without words).
    pub score: f32,
    /// Title, HTML-escaped, query words in `<mark>`: safe to embed in a page.
    pub title_html: String,
    /// About 220 characters of the text around the hits, escaped and marked the same way.
    pub snippet_html: String,
    pub published_ms: Option<i64>,
    pub source_id: i64,
    pub lang: String,
    pub topics: Vec<String>,
    /// The story when the article was indexed (usually none yet: articles
    /// join stories after ingest without being re-indexed); read the current
    /// one from the database.
    pub story_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// Number of matching articles.
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Offset of the next page, if there is one within reach.
    pub next_offset: Option<usize>,
    /// How the query was understood (for "did you mean" hints or showing active filters).
    pub parsed: ParsedQuery,
}

impl SearchIndex {
    /// Run a search. Malformed query text never fails: it degrades to plain words; errors
    /// are only index IO errors.
    pub fn search(&self, req: &SearchRequest) -> crate::Result<SearchResults> {
        let parsed = query::parse(&req.query);
        let searcher = self.inner.reader.searcher();
        let groups = self.query_groups(&searcher, &parsed, req);
        let q = self.build_query(&parsed, req, &groups);

        let limit = req.limit.clamp(1, MAX_LIMIT);
        let offset = req.offset.min(MAX_WINDOW.saturating_sub(limit));
        let sort = if parsed.has_text() {
            req.sort
        } else {
            Sort::Newest
        };
        let path = &self.inner.path;
        let err = |e| Error::tantivy(path, "search", e);
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let (docs, total): (Vec<(f32, DocAddress)>, usize) = match sort {
            // Two passes: top-k with pruning (block-WAND when the query is a plain union),
            // then a count that skips scoring. One pass with both collectors would score
            // every match.
            Sort::Relevance => {
                let docs = searcher.search(&q, &top.order_by_score()).map_err(err)?;
                let total = q.count(&searcher).map_err(err)?;
                (docs, total)
            }
            Sort::Newest => {
                let (d, total) = searcher
                    .search(
                        &q,
                        &(
                            top.order_by_fast_field::<i64>("published", Order::Desc),
                            Count,
                        ),
                    )
                    .map_err(err)?;
                (d.into_iter().map(|(_, a)| (0.0, a)).collect(), total)
            }
        };
        let terms = self.highlight_terms(&parsed);
        let mut hits = Vec::with_capacity(docs.len());
        for (score, addr) in docs {
            let doc: TantivyDocument = searcher
                .doc(addr)
                .map_err(|e| Error::tantivy(path, "read document", e))?;
            hits.push(self.hit(&doc, score, &terms));
        }
        let next = offset + hits.len();
        let next_offset = (next < total && next < MAX_WINDOW).then_some(next);
        Ok(SearchResults {
            total,
            hits,
            next_offset,
            parsed,
        })
    }

    /// The language groups to search: those with documents in this searcher, narrowed by
    /// any `lang:` filter.
    fn query_groups(
        &self,
        searcher: &Searcher,
        parsed: &ParsedQuery,
        req: &SearchRequest,
    ) -> Vec<usize> {
        let f = &self.inner.fields;
        let wanted: Option<HashSet<usize>> = {
            let langs: Vec<&String> = parsed.langs.iter().chain(req.langs.iter()).collect();
            (!langs.is_empty()).then(|| langs.iter().map(|l| group_of(l)).collect())
        };
        (0..GROUPS.len())
            .filter(|g| wanted.as_ref().is_none_or(|w| w.contains(g)))
            .filter(|&g| {
                let Some(field) = f.text_field(g) else {
                    return false;
                };
                let title = f.title_field(g);
                searcher.segment_readers().iter().any(|r| {
                    let has = |fl: Field| {
                        r.inverted_index(fl)
                            .map(|ii| ii.terms().num_terms() > 0)
                            .unwrap_or(false)
                    };
                    has(field) || title.is_some_and(has)
                })
            })
            .collect()
    }

    /// Terms of a clause analysed for one group, with positions.
    fn clause_terms(&self, g: usize, c: &Clause) -> Vec<(usize, String)> {
        match self.inner.analyzers.get(g) {
            Some(a) => {
                let mut t = highlight::tokens(a, c.text());
                t.truncate(query::MAX_CLAUSES);
                t
            }
            None => Vec::new(),
        }
    }

    /// A clause in one group: the word (or phrase) in the title, boosted, or in the text.
    fn clause_query(&self, g: usize, c: &Clause, boost: f32) -> Option<Box<dyn Query>> {
        let f = &self.inner.fields;
        let toks = self.clause_terms(g, c);
        let (tf, xf) = (f.title_field(g)?, f.text_field(g)?);
        let one = |field: Field| -> Option<Box<dyn Query>> {
            match toks.as_slice() {
                [] => None,
                [(_, t)] => Some(Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                ))),
                [(p0, _), ..] => {
                    let terms = toks
                        .iter()
                        .map(|(p, t)| (p.saturating_sub(*p0), Term::from_field_text(field, t)))
                        .collect();
                    Some(Box::new(PhraseQuery::new_with_offset(terms)))
                }
            }
        };
        let title = one(tf)?;
        let text = one(xf)?;
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Should, Box::new(BoostQuery::new(title, boost))),
            (Occur::Should, text),
        ])))
    }

    fn build_query(
        &self,
        parsed: &ParsedQuery,
        req: &SearchRequest,
        groups: &[usize],
    ) -> Box<dyn Query> {
        let f = &self.inner.fields;
        let boost = req.title_boost.unwrap_or(TITLE_BOOST).clamp(0.0, 100.0);
        let mut top: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if parsed.has_text() {
            // One sub-query per language group: every word must match (title or text),
            // analysed the group's way. A word that analyses to nothing in a group (a
            // stopword there) is dropped for that group only.
            let mut per_group: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for &g in groups {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = parsed
                    .must
                    .iter()
                    .filter_map(|c| self.clause_query(g, c, boost))
                    .map(|q| (Occur::Must, q))
                    .collect();
                if clauses.is_empty() {
                    continue;
                }
                let no_exclusions = parsed.must_not.is_empty();
                if no_exclusions && clauses.len() == 1 {
                    // One word: keep the tree flat so tantivy sees a union of terms.
                    if let Some((_, q)) = clauses.pop() {
                        per_group.push((Occur::Should, q));
                    }
                    continue;
                }
                clauses.extend(
                    parsed
                        .must_not
                        .iter()
                        .filter_map(|c| self.clause_query(g, c, boost))
                        .map(|q| (Occur::MustNot, Box::new(Exclusion(q)) as Box<dyn Query>)),
                );
                per_group.push((Occur::Should, Box::new(BooleanQuery::new(clauses))));
            }
            if per_group.is_empty() {
                // Only stopwords: nothing can match.
                return Box::new(BooleanQuery::new(vec![]));
            }
            let text: Box<dyn Query> = match per_group.len() {
                1 => match per_group.pop() {
                    Some((_, q)) => q,
                    None => Box::new(BooleanQuery::new(vec![])),
                },
                _ => Box::new(BooleanQuery::new(per_group)),
            };
            top.push((Occur::Must, text));
        } else {
            top.push((Occur::Must, Box::new(AllQuery)));
            for c in &parsed.must_not {
                let any: Vec<(Occur, Box<dyn Query>)> = groups
                    .iter()
                    .filter_map(|&g| self.clause_query(g, c, boost))
                    .map(|q| (Occur::Should, q))
                    .collect();
                if !any.is_empty() {
                    top.push((
                        Occur::MustNot,
                        Box::new(Exclusion(Box::new(BooleanQuery::new(any)))),
                    ));
                }
            }
        }

        // Filters: constant score 0 so they do not change relevance.
        let mut filter = |alts: Vec<Box<dyn Query>>| {
            if !alts.is_empty() {
                let any = BooleanQuery::new(alts.into_iter().map(|q| (Occur::Should, q)).collect());
                top.push((
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(Box::new(any), 0.0)),
                ));
            }
        };
        let mut sources: Vec<Box<dyn Query>> = Vec::new();
        let ids = req.source_ids.iter().copied().map(SourceFilter::Id);
        for s in parsed.sources.iter().cloned().chain(ids) {
            match s {
                SourceFilter::Id(id) => sources.push(term_q(Term::from_field_i64(f.source_id, id))),
                SourceFilter::Name(name) => {
                    let toks = self
                        .inner
                        .analyzers
                        .get(FALLBACK_GROUP)
                        .map(|a| highlight::tokens(a, &name))
                        .unwrap_or_default();
                    match toks.as_slice() {
                        [] => {}
                        [(_, t)] => sources.push(term_q(Term::from_field_text(f.source_name, t))),
                        _ => sources.push(Box::new(PhraseQuery::new(
                            toks.iter()
                                .map(|(_, t)| Term::from_field_text(f.source_name, t))
                                .collect(),
                        ))),
                    }
                }
            }
        }
        // A source filter that could not be understood matches nothing, not everything.
        let had_sources = !parsed.sources.is_empty() || !req.source_ids.is_empty();
        if had_sources && sources.is_empty() {
            return Box::new(BooleanQuery::new(vec![]));
        }
        filter(sources);
        let topics = parsed.topics.iter().chain(req.topics.iter());
        filter(
            topics
                .map(|t| term_q(Term::from_field_text(f.topics, &t.to_lowercase())))
                .collect(),
        );
        let langs = parsed.langs.iter().chain(req.langs.iter());
        filter(
            langs
                .map(|l| term_q(Term::from_field_text(f.lang, &l.to_ascii_lowercase())))
                .collect(),
        );

        let lower = [parsed.after_ms, req.from_ms].into_iter().flatten().max();
        let upper = [parsed.before_ms, req.to_ms].into_iter().flatten().min();
        if lower.is_some() || upper.is_some() {
            let lo = lower.map_or(Bound::Unbounded, |v| {
                Bound::Included(Term::from_field_i64(f.published, v))
            });
            let hi = upper.map_or(Bound::Unbounded, |v| {
                Bound::Excluded(Term::from_field_i64(f.published, v))
            });
            let range: Box<dyn Query> = Box::new(RangeQuery::new(lo, hi));
            top.push((Occur::Must, Box::new(ConstScoreQuery::new(range, 0.0))));
        }
        if top.len() == 1
            && let Some((Occur::Must, q)) = top.pop()
        {
            return q;
        }
        Box::new(BooleanQuery::new(top))
    }

    /// Analysed forms of the positive words, per group, for highlighting.
    fn highlight_terms(&self, parsed: &ParsedQuery) -> Vec<HashSet<String>> {
        (0..GROUPS.len())
            .map(|g| {
                parsed
                    .must
                    .iter()
                    .flat_map(|c| self.clause_terms(g, c))
                    .map(|(_, t)| t)
                    .collect()
            })
            .collect()
    }

    fn hit(&self, doc: &TantivyDocument, score: f32, terms: &[HashSet<String>]) -> SearchHit {
        let f = &self.inner.fields;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
        };
        let int = |field: Field| doc.get_first(field).and_then(|v| v.as_i64());
        let lang = text(f.lang).to_string();
        let g = group_of(&lang);
        let empty = HashSet::new();
        let t = terms.get(g).unwrap_or(&empty);
        let (title_html, snippet_html) = match self.inner.analyzers.get(g) {
            Some(a) => {
                let body = text(f.body);
                let desc = text(f.description);
                // Snippet from the body; from the description when only it has the words.
                let src = if body.is_empty()
                    || (!desc.is_empty()
                        && highlight::hit_ranges(a, body, t).is_empty()
                        && !highlight::hit_ranges(a, desc, t).is_empty())
                {
                    desc
                } else {
                    body
                };
                (
                    highlight::title_html(a, text(f.title), t),
                    highlight::snippet_html(a, src, t),
                )
            }
            None => (String::new(), String::new()),
        };
        SearchHit {
            id: int(f.id).unwrap_or_default(),
            score,
            title_html,
            snippet_html,
            published_ms: int(f.published),
            source_id: int(f.source_id).unwrap_or_default(),
            lang,
            topics: doc
                .get_all(f.topics)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            story_id: int(f.story_id),
        }
    }
}

fn term_q(t: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(t, IndexRecordOption::Basic))
}

/// Wraps an exclusion so that tantivy probes it through the default `seek_danger`.
///
/// tantivy 0.27's `PhraseScorer::seek_danger` assumes the target is at or after its current
/// doc, but `Exclude` probes exclusions with earlier targets (its debug assertion fires on
/// `oil -"price war"`). The default implementation handles any target.
#[derive(Debug)]
struct Exclusion(Box<dyn Query>);

impl Clone for Exclusion {
    fn clone(&self) -> Self {
        Exclusion(self.0.box_clone())
    }
}

impl Query for Exclusion {
    fn weight(
        &self,
        scoring: tantivy::query::EnableScoring<'_>,
    ) -> tantivy::Result<Box<dyn tantivy::query::Weight>> {
        Ok(Box::new(ExclusionWeight(self.0.weight(scoring)?)))
    }
    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct ExclusionWeight(Box<dyn tantivy::query::Weight>);

impl tantivy::query::Weight for ExclusionWeight {
    fn scorer(
        &self,
        reader: &tantivy::SegmentReader,
        boost: f32,
    ) -> tantivy::Result<Box<dyn tantivy::query::Scorer>> {
        Ok(Box::new(ExclusionScorer(self.0.scorer(reader, boost)?)))
    }
    fn explain(
        &self,
        reader: &tantivy::SegmentReader,
        doc: tantivy::DocId,
    ) -> tantivy::Result<tantivy::query::Explanation> {
        self.0.explain(reader, doc)
    }
}

struct ExclusionScorer(Box<dyn tantivy::query::Scorer>);

impl tantivy::DocSet for ExclusionScorer {
    fn advance(&mut self) -> tantivy::DocId {
        self.0.advance()
    }
    fn seek(&mut self, target: tantivy::DocId) -> tantivy::DocId {
        self.0.seek(target)
    }
    fn doc(&self) -> tantivy::DocId {
        self.0.doc()
    }
    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl tantivy::query::Scorer for ExclusionScorer {
    fn score(&mut self) -> f32 {
        self.0.score()
    }
}
