//! Related articles, computed once per article after it joined its story:
//! the index's more-like-this gives 100 candidates, the understand crate's
//! context vectors rerank them, copies and same-story articles are left out.

use crate::{JOB_RELATED, Pipeline};
use anyhow::Result;
use tidings_core::ArticleId;
use tidings_store::NewJob;
use tidings_understand::{ArticleFeatures, RelatedDoc, TermVector, context_vector, rank_related};

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
            index.more_like_this(&title, &text, &lang, CANDIDATES, &[article.0])
        })
        .await??;
        let ids: Vec<i64> = hits.iter().map(|(id, _)| *id).collect();
        let loaded = self.store.article_vectors(&ids).await?;
        let mut cands: Vec<(
            ArticleId,
            Option<tidings_core::StoryId>,
            ArticleFeatures,
            Option<TermVector>,
        )> = Vec::new();
        for (id, story, f, c) in loaded {
            let Some(f) = f.and_then(|b| serde_json::from_slice::<ArticleFeatures>(&b).ok()) else {
                continue;
            };
            let ctx = c.and_then(|b| serde_json::from_slice::<TermVector>(&b).ok());
            cands.push((id, story, f, ctx));
        }
        let neighbours: Vec<&TermVector> = cands.iter().map(|c| &c.2.vector).collect();
        let own_context = context_vector(&features.vector, &neighbours);
        let query = RelatedDoc {
            features: &features,
            context: &own_context,
            story: a.story_id,
        };
        let docs: Vec<RelatedDoc<'_>> = cands
            .iter()
            .map(|(_, story, f, ctx)| RelatedDoc {
                features: f,
                context: ctx.as_ref().unwrap_or(&f.vector),
                story: *story,
            })
            .collect();
        let ranked = rank_related(&query, &docs, SHOWN);
        let chosen: Vec<(ArticleId, f64)> = ranked
            .iter()
            .filter_map(|r| cands.get(r.index).map(|c| (c.0, f64::from(r.score))))
            .collect();
        self.store
            .set_related(article, &serde_json::to_vec(&own_context)?, &chosen)
            .await?;
        Ok(())
    }
}
