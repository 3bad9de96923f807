//! Copying a whole database to another backend (`tidings migrate-db`):
//! table by table in dependency order, in primary-key order, in batches;
//! resumable (rows already copied are skipped) and verified by counts and
//! content checksums computed the same way on both sides.

use crate::{Backend, Result, Store, StoreError};
use sqlx::Row;
use std::collections::BTreeMap;

/// Tables in the order their foreign keys need; tables not listed (added by
/// later migrations) follow in name order. `schema_migrations` and `nodes` are
/// not copied: the target has its own.
const ORDER: &[&str] = &[
    "counters",
    "settings",
    // Before sources: a reader's private source names who added it.
    "users",
    "sources",
    "hosts",
    "stories",
    "articles",
    "article_bands",
    "article_vectors",
    "feed_entries",
    "topics",
    "article_topics",
    "story_keys",
    "sessions",
    "api_tokens",
    "invitations",
    "rate_limits",
    "comments",
    "comment_votes",
    "reports",
    "thread_locks",
    "moderation_log",
    "ai_results",
    "media",
    "media_files",
    "jobs",
    "article_tombstones",
    "article_related",
];
const SKIP: &[&str] = &["schema_migrations", "nodes"];
const BATCH: usize = 200;

#[derive(Debug, Clone)]
pub struct TableCopy {
    pub table: String,
    pub source_rows: i64,
    pub copied: u64,
}

/// One table's columns with their storage class (`integer`, `text`, `blob`, `real`).
#[derive(Debug, Clone)]
struct TableInfo {
    name: String,
    columns: Vec<(String, String)>,
}

enum Val {
    Int(Option<i64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
    Real(Option<f64>),
}

impl Store {
    async fn tables(&self) -> Result<Vec<TableInfo>> {
        let mut by: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (t, c, ty) in self.schema_columns().await? {
            by.entry(t).or_default().push((c, ty));
        }
        let mut out = Vec::new();
        for name in ORDER {
            if let Some(cols) = by.remove(*name) {
                out.push(TableInfo {
                    name: (*name).to_string(),
                    columns: cols,
                });
            }
        }
        for (name, columns) in by {
            if !SKIP.contains(&name.as_str()) {
                out.push(TableInfo { name, columns });
            }
        }
        Ok(out)
    }

    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for t in self.tables().await? {
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {}",
                t.name
            )))
            .fetch_one(&self.read)
            .await?;
            out.push((t.name, n));
        }
        Ok(out)
    }

    /// Copy every table of `self` into `target` (already migrated). Calls
    /// `progress(table, rows copied so far in it, rows in it)`.
    pub async fn copy_into(
        &self,
        target: &Store,
        progress: &(dyn Fn(&str, u64, i64) + Sync),
    ) -> Result<Vec<TableCopy>> {
        let mut report = Vec::new();
        let target_tables = target.tables().await?;
        for t in self.tables().await? {
            // SQLite keeps images in the data dir, not in `media_files`: the
            // caller imports those files (see `import_media_files`).
            if t.name == "media_files" && !self.shares_media_files() {
                continue;
            }
            let Some(tt) = target_tables.iter().find(|x| x.name == t.name) else {
                return Err(StoreError::Corrupt(format!(
                    "the target has no table `{}`: migrate it first",
                    t.name
                )));
            };
            // Copy the columns both sides have, in the source's order.
            let cols: Vec<(String, String)> = t
                .columns
                .iter()
                .filter(|(c, _)| tt.columns.iter().any(|(x, _)| x == c))
                .cloned()
                .collect();
            let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {}",
                t.name
            )))
            .fetch_one(&self.read)
            .await?;
            let has_id = cols.iter().any(|(c, ty)| c == "id" && ty == "integer");
            let order = order_by(&t.name, &cols);
            let mut copied = 0u64;
            // Resume: integer-keyed tables continue after the target's last id.
            let mut after: i64 = if has_id {
                sqlx::query_scalar::<_, Option<i64>>(sqlx::AssertSqlSafe(format!(
                    "SELECT MAX(id) FROM {}",
                    t.name
                )))
                .fetch_one(&target.read)
                .await?
                .unwrap_or(i64::MIN)
            } else {
                i64::MIN
            };
            let mut offset: i64 = 0;
            let col_list = cols
                .iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            loop {
                let sql = if has_id {
                    format!(
                        "SELECT {col_list} FROM {} WHERE id > $1 ORDER BY id LIMIT {BATCH}",
                        t.name
                    )
                } else {
                    format!(
                        "SELECT {col_list} FROM {} ORDER BY {order} LIMIT {BATCH} OFFSET $1",
                        t.name
                    )
                };
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(if has_id { after } else { offset })
                    .fetch_all(&self.read)
                    .await?;
                if rows.is_empty() {
                    break;
                }
                let mut values: Vec<Vec<Val>> = Vec::with_capacity(rows.len());
                for r in &rows {
                    let mut v = Vec::with_capacity(cols.len());
                    for (i, (_, ty)) in cols.iter().enumerate() {
                        v.push(match ty.as_str() {
                            "integer" => Val::Int(r.try_get(i)?),
                            "blob" => Val::Blob(r.try_get(i)?),
                            "real" => Val::Real(r.try_get(i)?),
                            _ => Val::Text(r.try_get(i)?),
                        });
                    }
                    values.push(v);
                }
                if has_id {
                    if let Some(Val::Int(Some(last))) = values.last().and_then(|v| {
                        cols.iter()
                            .position(|(c, _)| c == "id")
                            .and_then(|p| v.get(p))
                    }) {
                        after = *last;
                    }
                } else {
                    offset += i64::try_from(rows.len()).unwrap_or(0);
                }
                copied += target.insert_rows(&t.name, &cols, &values).await?;
                progress(&t.name, copied, total);
            }
            if has_id && target.backend == Backend::Postgres {
                // Explicit ids leave the identity sequence behind: move it past them.
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                    t.name
                )))
                .execute(&target.write)
                .await?;
            }
            report.push(TableCopy {
                table: t.name.clone(),
                source_rows: total,
                copied,
            });
        }
        Ok(report)
    }

    async fn insert_rows(
        &self,
        table: &str,
        cols: &[(String, String)],
        rows: &[Vec<Val>],
    ) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let n = cols.len();
        let placeholders: Vec<String> = (0..rows.len())
            .map(|r| {
                format!(
                    "({})",
                    (1..=n)
                        .map(|c| format!("${}", r * n + c))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        // Counters are seeded by the migration; the copy carries the real values.
        let conflict = if table == "counters" {
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value".to_string()
        } else {
            " ON CONFLICT DO NOTHING".to_string()
        };
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}{conflict}",
            cols.iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            placeholders.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in rows {
            for v in row {
                q = match v {
                    Val::Int(x) => q.bind(*x),
                    Val::Text(x) => q.bind(x.clone()),
                    Val::Blob(x) => q.bind(x.clone()),
                    Val::Real(x) => q.bind(*x),
                };
            }
        }
        let mut tx = self.begin_write().await?;
        let affected = q.execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(affected)
    }

    /// A checksum of a table's content, the same on SQLite and PostgreSQL for
    /// the same rows: every column of every row hashed, row hashes summed (so
    /// the backends' different text collations cannot change it).
    pub async fn table_checksum(&self, table: &str) -> Result<(i64, u64)> {
        let tables = self.tables().await?;
        let t = tables
            .iter()
            .find(|t| t.name == table)
            .ok_or_else(|| StoreError::NotFound(format!("table {table}")))?;
        let order = order_by(&t.name, &t.columns);
        let col_list = t
            .columns
            .iter()
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut sum: u64 = 0;
        let mut n = 0i64;
        let mut offset = 0i64;
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {col_list} FROM {table} ORDER BY {order} LIMIT 1000 OFFSET $1"
            )))
            .bind(offset)
            .fetch_all(&self.read)
            .await?;
            if rows.is_empty() {
                break;
            }
            offset += i64::try_from(rows.len()).unwrap_or(0);
            for r in &rows {
                n += 1;
                let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                let mut feed = |bytes: &[u8]| {
                    for b in bytes {
                        h ^= u64::from(*b);
                        h = h.wrapping_mul(0x0100_0000_01b3);
                    }
                };
                for (i, (_, ty)) in t.columns.iter().enumerate() {
                    match ty.as_str() {
                        "integer" => {
                            feed(format!("{:?}|", r.try_get::<Option<i64>, _>(i)?).as_bytes())
                        }
                        "blob" => {
                            let b: Option<Vec<u8>> = r.try_get(i)?;
                            feed(&b.unwrap_or_default());
                            feed(b"|");
                        }
                        "real" => {
                            feed(format!("{:?}|", r.try_get::<Option<f64>, _>(i)?).as_bytes())
                        }
                        _ => feed(format!("{:?}|", r.try_get::<Option<String>, _>(i)?).as_bytes()),
                    }
                }
                sum = sum.wrapping_add(h);
            }
        }
        Ok((n, sum))
    }

    /// The name of every table `copy_into` copies from this database, for verification.
    pub async fn copied_tables(&self) -> Result<Vec<String>> {
        Ok(self
            .tables()
            .await?
            .into_iter()
            .map(|t| t.name)
            .filter(|t| t != "media_files" || self.shares_media_files())
            .collect())
    }
}

/// A deterministic row order: the id, or every column (composite keys).
fn order_by(_table: &str, cols: &[(String, String)]) -> String {
    if cols.iter().any(|(c, _)| c == "id") {
        "id".into()
    } else {
        cols.iter()
            .filter(|(_, ty)| ty != "blob")
            .map(|(c, _)| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
