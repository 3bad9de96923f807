//! Related articles, computed once per article after it joined its story:
//! the index's more-like-this gives the neighbours (400) whose score-weighted
//! vectors make the article's stored context vector; the best 100 of them are the
//! candidates, reranked by context vectors; copies and same-story articles are left out.

use crate::{JOB_RELATED, Pipeline};
use anyhow::Result;
use tidings_core::ArticleId;
use tidings_store::NewJob;
use tidings_understand::{
    ArticleFeatures, CONTEXT_NEIGHBOURS, RelatedDoc, TermVector, context_vector_scored,
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
        let Some(blob) = self.store.article_features(article).await? else {
            return Ok(());
        };
        let Ok(features) = serde_json::from_slice::<ArticleFeatures>(&blob) else {
            return Ok(());
        };
        let lang = features.lang.clone();
        let (title, text) = (a.title.clone(), a.text.clone());
        let hits = tokio::task::spawn_blocking(move || {
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
        let mut cands: Vec<Neighbour> = Vec::new();
        for (id, story, f, c) in loaded {
            let Some(f) = f.and_then(|b| serde_json::from_slice::<ArticleFeatures>(&b).ok()) else {
                continue;
            };
            let Some(&(rank, score)) = by_id.get(&id.0) else {
                continue;
            };
            let ctx = c.and_then(|b| serde_json::from_slice::<TermVector>(&b).ok());
            cands.push(Neighbour {
                id,
                story,
                features: f,
                context: ctx,
                rank,
                score,
            });
        }
        cands.sort_by_key(|c| c.rank);
        let neighbours: Vec<(&TermVector, f32)> = cands
            .iter()
            .map(|c| (&c.features.vector, c.score))
            .collect();
        let own_context = context_vector_scored(&features.vector, &neighbours);
        // Ranked with a second smoothing step on the query side only (the stored context
        // stays first-order); neighbours without a context yet count with their vector.
        let neighbour_contexts: Vec<(&TermVector, f32)> = cands
            .iter()
            .map(|c| (c.context.as_ref().unwrap_or(&c.features.vector), c.score))
            .collect();
        let ranking_context = query_context(&features.vector, &neighbour_contexts);
        let query = RelatedDoc {
            features: &features,
            context: &ranking_context,
            story: a.story_id,
        };
        cands.truncate(CANDIDATES);
        let docs: Vec<RelatedDoc<'_>> = cands
            .iter()
            .map(|c| RelatedDoc {
                features: &c.features,
                context: c.context.as_ref().unwrap_or(&c.features.vector),
                story: c.story,
            })
            .collect();
        let ranked = rank_related(&query, &docs, SHOWN);
        let chosen: Vec<(ArticleId, f64)> = ranked
            .iter()
            .filter_map(|r| cands.get(r.index).map(|c| (c.id, f64::from(r.score))))
            .collect();
        self.store
            .set_related(article, &serde_json::to_vec(&own_context)?, &chosen)
            .await?;
        Ok(())
    }
}

/// A more-like-this neighbour with what the ranking needs.
struct Neighbour {
    id: ArticleId,
    story: Option<tidings_core::StoryId>,
    features: ArticleFeatures,
    context: Option<TermVector>,
    /// Position in the more-like-this list.
    rank: usize,
    score: f32,
}
