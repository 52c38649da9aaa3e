//! Durable storage of requests: SQLite in WAL mode with `synchronous=FULL`.
//!
//! One writer thread owns the write connection and commits in groups: it takes every
//! insert waiting in its channel, writes them in one transaction, commits (one fsync), and
//! only then answers each caller. So a `201` always follows a commit that survives a crash,
//! and throughput does not stop at one fsync per request.

use super::{Include, Inserted, RequestStore, StoreError, StoredRequest};
use async_trait::async_trait;
use rusqlite::{Connection, params};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// The schema, as numbered migrations applied in order and recorded in `schema_migrations`.
/// An applied migration is never edited; a change is a new file.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/sqlite/0001_requests.sql")),
    (2, include_str!("../../../migrations/sqlite/0002_spam.sql")),
];

/// Applies the migrations this binary knows and the database lacks, each in its own
/// `BEGIN IMMEDIATE` transaction (so two processes starting at once take turns), and refuses
/// a database that a newer replyby has migrated further.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    let newest_known = MIGRATIONS.last().map_or(0, |m| m.0);
    for &(version, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let applied: i64 = tx.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
        if applied > newest_known {
            return Err(StoreError::Migration(format!(
                "the database is at schema version {applied}, newer than this replyby knows ({newest_known}); run a newer replyby"
            )));
        }
        if applied < version {
            tx.execute_batch(sql).map_err(|e| StoreError::Migration(format!("migration {version}: {e}")))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, strftime('%s','now'))",
                [version],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

type Reply = oneshot::Sender<Result<Inserted, String>>;

pub struct SqliteStore {
    writer: mpsc::Sender<(StoredRequest, Reply)>,
    reader: Arc<Mutex<Connection>>,
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: the WAL is fsynced at every commit, so a committed request survives power loss.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Read back: a filesystem that cannot do WAL would silently fall back otherwise.
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    let sync: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
    if mode != "wal" || sync != 2 {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "{}: journal_mode={mode}, synchronous={sync}; replyby needs WAL with synchronous=FULL",
            path.display()
        )));
    }
    Ok(conn)
}

const COLUMNS: &str = "id, idempotency_key, body_hash, plan, email, name, subject, message, time_zone, locale, received_at, release_at, respond_by, acked_at, spam";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRequest> {
    Ok(StoredRequest {
        id: r.get(0)?,
        idempotency_key: r.get(1)?,
        body_hash: r.get(2)?,
        plan: r.get(3)?,
        email: r.get(4)?,
        name: r.get(5)?,
        subject: r.get(6)?,
        message: r.get(7)?,
        time_zone: r.get(8)?,
        locale: r.get(9)?,
        received_at: r.get(10)?,
        release_at: r.get(11)?,
        respond_by: r.get(12)?,
        acked_at: r.get(13)?,
        spam: r.get(14)?,
    })
}

/// Writes one group in one transaction; answers for each request in it.
fn write_group(conn: &mut Connection, group: &[StoredRequest]) -> rusqlite::Result<Vec<Inserted>> {
    let tx = conn.transaction()?;
    let mut out = Vec::with_capacity(group.len());
    {
        let mut insert = tx.prepare_cached(&format!(
            "INSERT INTO requests ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT(idempotency_key) DO NOTHING"
        ))?;
        let mut existing = tx.prepare_cached(&format!("SELECT {COLUMNS} FROM requests WHERE idempotency_key = ?1"))?;
        for r in group {
            let n = insert.execute(params![
                r.id,
                r.idempotency_key,
                r.body_hash,
                r.plan,
                r.email,
                r.name,
                r.subject,
                r.message,
                r.time_zone,
                r.locale,
                r.received_at,
                r.release_at,
                r.respond_by,
                r.acked_at,
                r.spam
            ])?;
            out.push(if n == 1 {
                Inserted::New(r.clone())
            } else {
                Inserted::Existing(existing.query_row([&r.idempotency_key], row)?)
            });
        }
    }
    tx.commit()?;
    Ok(out)
}

impl SqliteStore {
    /// Opens (or creates) the database and starts the writer thread.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let mut write = open(path)?;
        migrate(&mut write)?;
        let reader = open(path)?;
        let (tx, mut rx) = mpsc::channel::<(StoredRequest, Reply)>(4096);
        std::thread::Builder::new()
            .name("replyby-writer".into())
            .spawn(move || {
                while let Some(first) = rx.blocking_recv() {
                    let mut group = vec![first];
                    while group.len() < 512 {
                        match rx.try_recv() {
                            Ok(next) => group.push(next),
                            Err(_) => break,
                        }
                    }
                    let (rows, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
                    match write_group(&mut write, &rows) {
                        Ok(results) => {
                            for (reply, result) in replies.into_iter().zip(results) {
                                let _ = reply.send(Ok(result));
                            }
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "commit failed");
                            for reply in replies {
                                let _ = reply.send(Err(e.to_string()));
                            }
                        }
                    }
                }
            })
            .map_err(|_| StoreError::Stopped)?;
        Ok(SqliteStore { writer: tx, reader: Arc::new(Mutex::new(reader)) })
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let reader = self.reader.clone();
        tokio::task::spawn_blocking(move || {
            let conn = reader.lock().map_err(|_| StoreError::Stopped)?;
            f(&conn).map_err(StoreError::from)
        })
        .await
        .map_err(|_| StoreError::Stopped)?
    }
}

#[async_trait]
impl RequestStore for SqliteStore {
    async fn insert(&self, request: StoredRequest) -> Result<Inserted, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writer.send((request, tx)).await.map_err(|_| StoreError::Stopped)?;
        rx.await.map_err(|_| StoreError::Stopped)?.map_err(StoreError::Commit)
    }

    async fn list(&self, now: i64, include: Include) -> Result<Vec<StoredRequest>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM requests WHERE acked_at IS NULL AND (?1 OR release_at <= ?2) AND (?3 OR spam IS NULL)
                 ORDER BY respond_by, received_at"
            ))?;
            let rows = stmt.query_map(params![include.deferred, now, include.spam], row)?;
            rows.collect()
        })
        .await
    }

    async fn ack(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let id = id.to_owned();
        // Acks are rare: a short write on the reader connection, which SQLite serialises
        // with the writer through its own lock (busy_timeout above).
        self.read(move |conn| {
            let n =
                conn.execute("UPDATE requests SET acked_at = COALESCE(acked_at, ?2) WHERE id = ?1", params![id, now])?;
            Ok(n == 1)
        })
        .await
    }
}
