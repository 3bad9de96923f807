//! Related articles, computed once per article after it joined its story:
//! the index's more-like-this gives the neighbours (400) whose score-weighted
//! vectors make the article's stored context vector; the best 100 of them are the
//! candidates, reranked by context vectors; copies and same-story articles are left out.

use crate::{JOB_RELATED, Pipeline};
use anyhow::Result;
use tidings_core::ArticleId;
use tidings_store::NewJob;
use tidings_understand::{
    ArticleFeatures, CONTEXT_NEIGHBOURS, RelatedDoc, TermVector, blob, context_vector_scored,
    query_context, rank_related,
};

/// Candidates reranked: the best of the neighbours by more-like-this score. More add
/// little (200: +0.0005 P@5 on Reuters) for more scoring work.
const CANDIDATES: usize = 100;
const SHOWN: usize = 5;

impl Pipeline {
    /// The job computing an article's related articles (none without a search index).
    pub(crate) fn related_job(&self, article: ArticleId) -> Option<NewJob> {
        self.search.as_ref()?;
        Some(
            NewJob::new(JOB_RELATED, serde_json::json!({ "article_id": article.0 }))
                .key(format!("related:{}", article.0))
                .priority(-2)
                .max_attempts(3),
        )
    }

    pub(crate) async fn compute_related(&self, article: ArticleId) -> Result<()> {
        let Some(index) = self.search.clone() else {
            return Ok(());
        };
        let Some(a) = self.store.article(article).await? else {
            return Ok(());
        };
        let Some(features_blob) = self.store.article_features(article).await? else {
            return Ok(());
        };
        let Ok(features) = blob::decode::<ArticleFeatures>(&features_blob) else {
            return Ok(());
        };
        let lang = features.lang.clone();
        let (title, text) = (a.title.clone(), a.text.clone());
        let hits = self
            .on_cpu("finding related articles", move || {
                index.more_like_this(&title, &text, &lang, CONTEXT_NEIGHBOURS, &[article.0])
            })
            .await??;
        let ids: Vec<i64> = hits.iter().map(|(id, _)| *id).collect();
        // Rank and score by id: the store returns rows in no particular order.
        let by_id: std::collections::HashMap<i64, (usize, f32)> = hits
            .iter()
            .enumerate()
            .map(|(rank, (id, score))| (*id, (rank, *score)))
            .collect();
        let loaded = self.store.article_vectors(&ids).await?;
        let story = a.story_id;
        let (own_context, chosen) = self
            .on_cpu("ranking related articles", move || {
                rank_neighbours(&features, story, &by_id, loaded)
            })
            .await?;
        self.store
            .set_related(article, &blob::encode(&own_context)?, &chosen)
            .await?;
        Ok(())
    }
}

/// Decode the loaded neighbours, build the article's context and rank the
/// candidates: the CPU part of a related job. Returns the context to store and
/// the chosen articles with their scores.
fn rank_neighbours(
    features: &ArticleFeatures,
    own_story: Option<tidings_core::StoryId>,
    by_id: &std::collections::HashMap<i64, (usize, f32)>,
    loaded: Vec<NeighbourRow>,
) -> (TermVector, Vec<(ArticleId, f64)>) {
    let mut rows: Vec<_> = loaded
        .into_iter()
        .filter_map(|(id, story, f, c)| {
            let &(rank, score) = by_id.get(&id.0)?;
            Some((rank, score, id, story, f?, c))
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    let mut cands: Vec<Neighbour> = Vec::with_capacity(rows.len());
    for (_, score, id, story, f, c) in rows {
        let Ok(f) = blob::decode::<ArticleFeatures>(&f) else {
            continue;
        };
        // Only the candidates are ranked; the other neighbours lend their
        // vector to the contexts.
        let (vector, features) = if cands.len() < CANDIDATES {
            (f.vector.clone(), Some(f))
        } else {
            (f.vector, None)
        };
        let context = c.and_then(|b| blob::decode::<TermVector>(&b).ok());
        cands.push(Neighbour {
            id,
            story,
            vector,
            features,
            context,
            score,
        });
    }
    let neighbours: Vec<(&TermVector, f32)> = cands.iter().map(|c| (&c.vector, c.score)).collect();
    let own_context = context_vector_scored(&features.vector, &neighbours);
    // Ranked with a second smoothing step on the query side only (the stored context
    // stays first-order); neighbours without a context yet count with their vector.
    let neighbour_contexts: Vec<(&TermVector, f32)> = cands
        .iter()
        .map(|c| (c.context.as_ref().unwrap_or(&c.vector), c.score))
        .collect();
    let ranking_context = query_context(&features.vector, &neighbour_contexts);
    let query = RelatedDoc {
        features,
        context: &ranking_context,
        story: own_story,
    };
    let (doc_ids, docs): (Vec<ArticleId>, Vec<RelatedDoc<'_>>) = cands
        .iter()
        .filter_map(|c| {
            let features = c.features.as_ref()?;
            Some((
                c.id,
                RelatedDoc {
                    features,
                    context: c.context.as_ref().unwrap_or(&c.vector),
                    story: c.story,
                },
            ))
        })
        .unzip();
    let ranked = rank_related(&query, &docs, SHOWN);
    let chosen: Vec<(ArticleId, f64)> = ranked
        .iter()
        .filter_map(|r| doc_ids.get(r.index).map(|id| (*id, f64::from(r.score))))
        .collect();
    (own_context, chosen)
}

/// A neighbour as the store returns it: id, story, features and context blobs.
type NeighbourRow = (
    ArticleId,
    Option<tidings_core::StoryId>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

/// A more-like-this neighbour with what the ranking needs.
struct Neighbour {
    id: ArticleId,
    story: Option<tidings_core::StoryId>,
    vector: TermVector,
    /// Decoded for the candidates only.
    features: Option<ArticleFeatures>,
    context: Option<TermVector>,
    score: f32,
}
