//! `tidings migrate-db --from URL --to URL`: move an installation between
//! databases. Resumable: run it again after an interruption and it continues.

use crate::cli::MigrateArgs;
use anyhow::{Context, Result, bail};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::sync::Mutex;
use tidings_store::{Store, StoreOptions, redact_url};

fn sqlite_url(u: &str) -> String {
    // Accept `sqlite:path` as users type it; open existing files only.
    if let Some(rest) = u.strip_prefix("sqlite://") {
        format!("sqlite://{rest}")
    } else if let Some(rest) = u.strip_prefix("sqlite:") {
        format!("sqlite://{rest}")
    } else {
        u.to_string()
    }
}

pub async fn run(a: MigrateArgs) -> Result<()> {
    let from = sqlite_url(&a.from);
    let to = sqlite_url(&a.to);
    if from == to {
        bail!("--from and --to name the same database");
    }
    if let Some(path) = from.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or(path);
        if !std::path::Path::new(file).is_file() {
            bail!("--from: no SQLite database at {file}");
        }
    }
    let source = Store::open(&from, &StoreOptions::default())
        .await
        .with_context(|| format!("cannot open --from {}", redact_url(&from)))?;
    let target = Store::open(&to, &StoreOptions::default())
        .await
        .with_context(|| format!("cannot open --to {}", redact_url(&to)))?;
    eprintln!("copying {} -> {}", redact_url(&from), redact_url(&to));

    let bars = MultiProgress::new();
    let style = ProgressStyle::with_template("{prefix:>16} {bar:30} {pos}/{len} rows")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let by_table: Mutex<HashMap<String, ProgressBar>> = Mutex::new(HashMap::new());
    let report = source
        .copy_into(&target, &|table, done, total| {
            if let Ok(mut m) = by_table.lock() {
                let pb = m.entry(table.to_string()).or_insert_with(|| {
                    let pb = bars.add(ProgressBar::new(u64::try_from(total).unwrap_or(0)));
                    pb.set_style(style.clone());
                    pb.set_prefix(table.to_string());
                    pb
                });
                pb.set_position(done);
            }
        })
        .await
        .context("copy failed (run the same command again to resume)")?;
    if let Ok(m) = by_table.lock() {
        for pb in m.values() {
            pb.finish();
        }
    }

    // Verify: identical row counts and content checksums, table by table.
    let mut bad = Vec::new();
    for t in &report {
        let (n1, c1) = source.table_checksum(&t.table).await?;
        let (n2, c2) = target.table_checksum(&t.table).await?;
        if n1 != n2 || c1 != c2 {
            bad.push(format!(
                "{}: {n1} rows (checksum {c1:016x}) vs {n2} rows (checksum {c2:016x})",
                t.table
            ));
        }
    }
    // Images: a SQLite installation keeps them in `media/` next to its
    // database; PostgreSQL nodes read them from the database.
    let mut images = 0;
    if bad.is_empty()
        && !source.shares_media_files()
        && target.shares_media_files()
        && let Some(dir) = from
            .strip_prefix("sqlite://")
            .map(|p| std::path::Path::new(p.split('?').next().unwrap_or(p)))
            .and_then(|f| f.parent())
            .map(|d| d.join("media"))
            .filter(|d| d.is_dir())
    {
        images = import_media_files(&target, &dir).await?;
    }
    source.close().await;
    target.close().await;
    if !bad.is_empty() {
        bail!(
            "verification failed; the target differs:\n  {}",
            bad.join("\n  ")
        );
    }
    let rows: i64 = report.iter().map(|t| t.source_rows).sum();
    println!(
        "copied {} tables, {rows} rows; counts and checksums match; {images} image files",
        report.len()
    );
    Ok(())
}

/// Copy `<media>/<id>/<width>.<ext>` files into the database, one image at a
/// time (a rerun replaces what an interrupted run left). Returns the file count.
async fn import_media_files(target: &Store, dir: &std::path::Path) -> Result<usize> {
    let mut n = 0;
    let ids = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in ids.flatten() {
        let id = entry.file_name().to_string_lossy().to_string();
        if !tidings_core::is_media_id(&id) {
            continue;
        }
        let mut files = Vec::new();
        for f in std::fs::read_dir(entry.path())?.flatten() {
            let name = f.file_name().to_string_lossy().to_string();
            if name.ends_with(".jpg") || name.ends_with(".webp") {
                files.push((name, std::fs::read(f.path())?));
            }
        }
        if !files.is_empty() {
            n += files.len();
            target.put_media_files(&id, &files).await?;
        }
    }
    Ok(n)
}
