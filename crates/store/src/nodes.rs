//! Process registry: each running Tidings process announces itself and beats
//! a heartbeat, so operators (and other nodes) can see who is alive.

use crate::{Result, Store};
use serde::Serialize;
use tidings_core::{Timestamp, now_ms};

#[derive(Debug, Clone, Serialize)]
pub struct NodeInfo {
    pub id: String,
    pub role: String,
    pub hostname: String,
    pub pid: i64,
    pub started_at: Timestamp,
    pub heartbeat_at: Timestamp,
}

impl Store {
    pub async fn register_node(
        &self,
        id: &str,
        role: &str,
        hostname: &str,
        pid: i64,
    ) -> Result<()> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO nodes (id, role, hostname, pid, started_at, heartbeat_at)
             VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        )
        .bind(id)
        .bind(role)
        .bind(hostname)
        .bind(pid)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn heartbeat_node(&self, id: &str) -> Result<()> {
        sqlx::query("UPDATE nodes SET heartbeat_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn unregister_node(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM nodes WHERE id = $1")
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Forget nodes whose heartbeat is older than `stale_ms`.
    pub async fn prune_nodes(&self, stale_ms: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM nodes WHERE heartbeat_at < $1")
            .bind(now_ms().saturating_sub(stale_ms))
            .execute(&self.write)
            .await?
            .rows_affected())
    }

    pub async fn nodes(&self) -> Result<Vec<NodeInfo>> {
        let rows: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT id, role, hostname, pid, started_at, heartbeat_at FROM nodes ORDER BY started_at",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, role, hostname, pid, s, h)| NodeInfo {
                id,
                role,
                hostname,
                pid,
                started_at: Timestamp(s),
                heartbeat_at: Timestamp(h),
            })
            .collect())
    }
}
