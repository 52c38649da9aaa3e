//! `replyby backup --db PATH OUT`: a consistent copy of a live SQLite store.
//!
//! SQLite's online backup API copies every page in one step, under one read transaction: in
//! WAL mode that does not block the running server's writer, and the copy is the database as
//! of the moment the step began, so every request acknowledged (committed) before the backup
//! began is in it. The copy is written beside OUT, checked (`integrity_check`), turned into a
//! single self-contained file (rollback journal, no WAL), and only then renamed to OUT.
//! PostgreSQL is backed up with `pg_dump` (docs/operations.md).

use anyhow::{Context, bail};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// What a backup holds.
#[derive(Debug, serde::Serialize)]
pub struct Report {
    pub out: String,
    pub requests: i64,
    pub deliveries: i64,
    pub bytes: u64,
}

pub fn sqlite(db: &Path, out: &Path) -> anyhow::Result<Report> {
    if !db.is_file() {
        bail!("{}: no such SQLite file", db.display());
    }
    if out.exists() {
        bail!("{} exists; replyby backup never overwrites a file (remove it or choose another name)", out.display());
    }
    let src = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .with_context(|| format!("cannot open {}", db.display()))?;
    src.busy_timeout(std::time::Duration::from_secs(10))?;
    let tmp = out.with_file_name(format!(
        ".{}.partial",
        out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "backup".into())
    ));
    let _ = std::fs::remove_file(&tmp);
    let result = copy(&src, &tmp);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    let (requests, deliveries) = result?;
    std::fs::rename(&tmp, out).with_context(|| format!("cannot move the copy to {}", out.display()))?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(Report { out: out.display().to_string(), requests, deliveries, bytes })
}

fn copy(src: &Connection, tmp: &Path) -> anyhow::Result<(i64, i64)> {
    let mut dst = Connection::open(tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    {
        let backup = Backup::new(src, &mut dst)?;
        // -1: every page in one step, so the copy is one snapshot (a step-by-step copy starts
        // over whenever the server writes in between).
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                StepResult::Busy | StepResult::Locked => std::thread::sleep(std::time::Duration::from_millis(50)),
                _ => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        }
    }
    // One file to keep: no WAL beside it.
    dst.pragma_update(None, "journal_mode", "DELETE")?;
    let check: String = dst.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        bail!("the copy failed its integrity check: {check}");
    }
    let requests = dst
        .query_row("SELECT COUNT(*) FROM requests", [], |r| r.get(0))
        .context("the copy has no requests table: is --db a replyby store?")?;
    let deliveries = dst.query_row("SELECT COUNT(*) FROM deliveries", [], |r| r.get(0)).unwrap_or(0);
    dst.execute_batch("PRAGMA synchronous = FULL")?;
    drop(dst);
    // The copy is on disk before it takes OUT's name.
    std::fs::File::open(tmp)?.sync_all()?;
    Ok((requests, deliveries))
}
