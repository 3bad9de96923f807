//! The AI results cache: one row per (subject, feature, provider, model,
//! prompt version, extra) as hashed by `tidings_ai::cache_key`.

use crate::{Result, Store};
use tidings_core::now_ms;

impl Store {
    pub async fn ai_result(&self, cache_key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT result FROM ai_results WHERE cache_key = $1")
                .bind(cache_key)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// Cached results (operators' statistics, tests).
    pub async fn ai_results_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM ai_results")
            .fetch_one(&self.read)
            .await?)
    }

    /// Store a result (a later identical computation just replaces it).
    #[allow(clippy::too_many_arguments)]
    pub async fn put_ai_result(
        &self,
        cache_key: &str,
        subject_kind: &str,
        subject_id: i64,
        feature: &str,
        provider: &str,
        model: &str,
        prompt_version: i64,
        language: Option<&str>,
        result: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO ai_results (cache_key, subject_kind, subject_id, feature, provider, model, prompt_version,
                language, result, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (cache_key) DO UPDATE SET result = excluded.result, created_at = excluded.created_at",
        )
        .bind(cache_key)
        .bind(subject_kind)
        .bind(subject_id)
        .bind(feature)
        .bind(provider)
        .bind(model)
        .bind(prompt_version)
        .bind(language)
        .bind(result)
        .bind(now_ms())
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
