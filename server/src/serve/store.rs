//! Durable storage of requests: SQLite in WAL mode with `synchronous=FULL`.
//!
//! One writer thread owns the write connection and commits in groups: it takes every
//! insert waiting in its channel, writes them in one transaction, commits (one fsync), and
//! only then answers each caller. So a `201` always follows a commit that survives a crash,
//! and throughput does not stop at one fsync per request.

use async_trait::async_trait;
use rusqlite::{Connection, params};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    pub id: String,
    pub idempotency_key: String,
    /// SHA-256 of the canonical body, to tell a replay from a reused key.
    pub body_hash: String,
    pub plan: String,
    pub email: String,
    pub name: Option<String>,
    pub subject: Option<String>,
    pub message: String,
    pub time_zone: Option<String>,
    pub locale: Option<String>,
    /// Unix seconds.
    pub received_at: i64,
    pub release_at: i64,
    pub respond_by: i64,
    pub acked_at: Option<i64>,
}

/// What an insert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// Newly committed.
    New(StoredRequest),
    /// The key was already stored: this is the first request with it.
    Existing(StoredRequest),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("storage writer stopped")]
    Stopped,
    #[error("commit failed: {0}")]
    Commit(String),
}

/// Where requests live (SQLite here; a trait so tests and other stores can stand in).
#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Stores a request unless its idempotency key is already stored; returns after commit.
    async fn insert(&self, request: StoredRequest) -> Result<Inserted, StoreError>;
    /// Unacknowledged requests, earliest `respond_by` first; released ones only unless
    /// `include_deferred`.
    async fn list(&self, now: i64, include_deferred: bool) -> Result<Vec<StoredRequest>, StoreError>;
    /// Marks a request handled; false when there is no such request.
    async fn ack(&self, id: &str, now: i64) -> Result<bool, StoreError>;
}

type Reply = oneshot::Sender<Result<Inserted, String>>;

pub struct SqliteStore {
    writer: mpsc::Sender<(StoredRequest, Reply)>,
    reader: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS requests (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  body_hash TEXT NOT NULL,
  plan TEXT NOT NULL,
  email TEXT NOT NULL,
  name TEXT,
  subject TEXT,
  message TEXT NOT NULL,
  time_zone TEXT,
  locale TEXT,
  received_at INTEGER NOT NULL,
  release_at INTEGER NOT NULL,
  respond_by INTEGER NOT NULL,
  acked_at INTEGER
);
CREATE INDEX IF NOT EXISTS requests_open ON requests(acked_at, release_at, respond_by);
";

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

const COLUMNS: &str = "id, idempotency_key, body_hash, plan, email, name, subject, message, time_zone, locale, received_at, release_at, respond_by, acked_at";

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
    })
}

/// Writes one group in one transaction; answers for each request in it.
fn write_group(conn: &mut Connection, group: &[StoredRequest]) -> rusqlite::Result<Vec<Inserted>> {
    let tx = conn.transaction()?;
    let mut out = Vec::with_capacity(group.len());
    {
        let mut insert = tx.prepare_cached(&format!(
            "INSERT INTO requests ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
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
                r.acked_at
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
        write.execute_batch(SCHEMA)?;
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

    async fn list(&self, now: i64, include_deferred: bool) -> Result<Vec<StoredRequest>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM requests WHERE acked_at IS NULL AND (?1 OR release_at <= ?2) ORDER BY respond_by, received_at"
            ))?;
            let rows = stmt.query_map(params![include_deferred, now], row)?;
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
