//! Durable storage of requests: SQLite in WAL mode with `synchronous=FULL`.
//!
//! One writer thread owns the write connection and commits in groups: it takes every
//! insert waiting in its channel, writes them in one transaction, commits (one fsync), and
//! only then answers each caller. So a `201` always follows a commit that survives a crash,
//! and throughput does not stop at one fsync per request. Every other write (acks, the
//! delivery worker's claims and results) goes through the same thread, each in its own
//! transaction, so writers never wait on each other's locks.

use super::{
    Completion, Delivery, DeliveryKind, DisabledEndpoint, Include, Inserted, NewDelivery, RECEIPT_WINDOW_SECS,
    RequestStore, StoreError, StoredRequest,
};
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
    (3, include_str!("../../../migrations/sqlite/0003_deliveries.sql")),
    (4, include_str!("../../../migrations/sqlite/0004_staff_schedule.sql")),
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

/// A write for the writer thread: inserts are committed in groups, anything else alone.
enum Command {
    Insert(Box<StoredRequest>, Vec<NewDelivery>, oneshot::Sender<Result<Inserted, String>>),
    Run(Box<dyn FnOnce(&mut Connection) + Send>),
}

pub struct SqliteStore {
    writer: mpsc::Sender<Command>,
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

const DELIVERY_COLUMNS: &str =
    "id, request_id, kind, target, event, state, due_at, attempts, last_error, created_at, delivered_at";

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        request_id: r.get(1)?,
        kind: r.get(2)?,
        target: r.get(3)?,
        event: r.get(4)?,
        state: r.get(5)?,
        due_at: r.get(6)?,
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        created_at: r.get(9)?,
        delivered_at: r.get(10)?,
    })
}

/// Schedules deliveries inside the caller's transaction; a receipt to an address that got
/// one within the window is left out.
fn schedule(
    tx: &rusqlite::Transaction<'_>,
    request_id: &str,
    now: i64,
    deliveries: &[NewDelivery],
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO deliveries (id, request_id, kind, target, event, state, due_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)",
    )?;
    let mut recent = tx
        .prepare_cached("SELECT COUNT(*) FROM deliveries WHERE kind = 'receipt' AND target = ?1 AND created_at > ?2")?;
    for d in deliveries {
        if d.kind == DeliveryKind::Receipt {
            let n: i64 = recent.query_row(params![d.target.to_lowercase(), now - RECEIPT_WINDOW_SECS], |r| r.get(0))?;
            if n > 0 {
                tracing::info!(request = request_id, "receipt skipped: this address got one in the last 10 minutes");
                continue;
            }
        }
        let target = if d.kind == DeliveryKind::Webhook { d.target.clone() } else { d.target.to_lowercase() };
        insert.execute(params![d.id, request_id, d.kind.as_str(), target, d.event, d.due_at, now])?;
    }
    Ok(())
}

/// Writes one group in one transaction; answers for each request in it.
fn write_group(conn: &mut Connection, group: &[(StoredRequest, Vec<NewDelivery>)]) -> rusqlite::Result<Vec<Inserted>> {
    let tx = conn.transaction()?;
    let mut out = Vec::with_capacity(group.len());
    {
        let mut insert = tx.prepare_cached(&format!(
            "INSERT INTO requests ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT(idempotency_key) DO NOTHING"
        ))?;
        let mut existing = tx.prepare_cached(&format!("SELECT {COLUMNS} FROM requests WHERE idempotency_key = ?1"))?;
        for (r, deliveries) in group {
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
                schedule(&tx, &r.id, r.received_at, deliveries)?;
                Inserted::New(r.clone())
            } else {
                Inserted::Existing(existing.query_row([&r.idempotency_key], row)?)
            });
        }
    }
    tx.commit()?;
    Ok(out)
}

fn writer_loop(mut write: Connection, mut rx: mpsc::Receiver<Command>) {
    let mut pending: Option<Command> = None;
    loop {
        let Some(first) = pending.take().or_else(|| rx.blocking_recv()) else { return };
        match first {
            Command::Run(f) => f(&mut write),
            Command::Insert(r, d, reply) => {
                let mut group = vec![(*r, d)];
                let mut replies = vec![reply];
                while group.len() < 512 {
                    match rx.try_recv() {
                        Ok(Command::Insert(r, d, reply)) => {
                            group.push((*r, d));
                            replies.push(reply);
                        }
                        Ok(other) => {
                            pending = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                match write_group(&mut write, &group) {
                    Ok(results) => {
                        for (reply, result) in replies.into_iter().zip(results) {
                            let _ = reply.send(Ok(result));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %crate::serve::logs::redact(&e), "commit failed");
                        for reply in replies {
                            let _ = reply.send(Err(e.to_string()));
                        }
                    }
                }
            }
        }
    }
}

impl SqliteStore {
    /// Opens (or creates) the database, applies migrations and starts the writer thread.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let mut write = open(path)?;
        migrate(&mut write)?;
        let reader = open(path)?;
        let (tx, rx) = mpsc::channel::<Command>(4096);
        std::thread::Builder::new()
            .name("replyby-writer".into())
            .spawn(move || writer_loop(write, rx))
            .map_err(|_| StoreError::Stopped)?;
        Ok(SqliteStore { writer: tx, reader: Arc::new(Mutex::new(reader)) })
    }

    pub(super) async fn read<T: Send + 'static>(
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

    /// Runs `f` on the writer thread's connection itself, outside any transaction (pragmas,
    /// checkpoints).
    pub(super) async fn on_writer<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        let job = move |conn: &mut Connection| {
            let _ = tx.send(f(conn));
        };
        self.writer.send(Command::Run(Box::new(job))).await.map_err(|_| StoreError::Stopped)?;
        rx.await.map_err(|_| StoreError::Stopped)?.map_err(StoreError::from)
    }

    /// Runs `f` in a transaction of its own on the writer thread and commits.
    pub(super) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        let job = move |conn: &mut Connection| {
            let result = conn.transaction().and_then(|t| {
                let v = f(&t)?;
                t.commit()?;
                Ok(v)
            });
            let _ = tx.send(result);
        };
        self.writer.send(Command::Run(Box::new(job))).await.map_err(|_| StoreError::Stopped)?;
        rx.await.map_err(|_| StoreError::Stopped)?.map_err(StoreError::from)
    }
}

#[async_trait]
impl RequestStore for SqliteStore {
    async fn insert(&self, request: StoredRequest, deliveries: Vec<NewDelivery>) -> Result<Inserted, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writer.send(Command::Insert(Box::new(request), deliveries, tx)).await.map_err(|_| StoreError::Stopped)?;
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

    async fn ack(&self, id: &str, now: i64, deliveries: Vec<NewDelivery>) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |tx| {
            let exists: i64 = tx.query_row("SELECT COUNT(*) FROM requests WHERE id = ?1", [&id], |r| r.get(0))?;
            let first =
                tx.execute("UPDATE requests SET acked_at = ?2 WHERE id = ?1 AND acked_at IS NULL", params![id, now])?;
            if first == 1 {
                schedule(tx, &id, now, &deliveries)?;
            }
            Ok(exists == 1)
        })
        .await
    }

    async fn claim(
        &self,
        now: i64,
        lease_until: i64,
        worker: &str,
        limit: usize,
    ) -> Result<Vec<(Delivery, StoredRequest)>, StoreError> {
        let worker = worker.to_owned();
        self.write(move |tx| {
            let ids: Vec<String> = {
                let mut due = tx.prepare_cached(
                    "SELECT id FROM deliveries WHERE state = 'pending' AND due_at <= ?1
                     AND (lease_until IS NULL OR lease_until <= ?1) ORDER BY due_at LIMIT ?2",
                )?;
                due.query_map(params![now, limit as i64], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
            };
            let mut out = Vec::with_capacity(ids.len());
            let mut lease = tx.prepare_cached(
                "UPDATE deliveries SET lease_until = ?2, leased_by = ?3, attempts = attempts + 1 WHERE id = ?1",
            )?;
            let mut get = tx.prepare_cached(&format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = ?1"))?;
            let mut request = tx.prepare_cached(&format!("SELECT {COLUMNS} FROM requests WHERE id = ?1"))?;
            for id in ids {
                lease.execute(params![id, lease_until, worker])?;
                let d = get.query_row([&id], delivery_row)?;
                let r = request.query_row([&d.request_id], row)?;
                out.push((d, r));
            }
            Ok(out)
        })
        .await
    }

    async fn complete(&self, id: &str, worker: &str, now: i64, completion: Completion) -> Result<(), StoreError> {
        let (id, worker) = (id.to_owned(), worker.to_owned());
        self.write(move |tx| {
            let held = "id = ?1 AND leased_by = ?2 AND state = 'pending'";
            match completion {
                Completion::Delivered => tx.execute(
                    &format!("UPDATE deliveries SET state = 'delivered', delivered_at = ?3, lease_until = NULL, last_error = NULL WHERE {held}"),
                    params![id, worker, now],
                )?,
                Completion::RetryAt { at, error } => tx.execute(
                    &format!("UPDATE deliveries SET due_at = ?3, last_error = ?4, lease_until = NULL WHERE {held}"),
                    params![id, worker, at, error],
                )?,
                Completion::Dead { error } => tx.execute(
                    &format!("UPDATE deliveries SET state = 'dead', last_error = ?3, lease_until = NULL WHERE {held}"),
                    params![id, worker, error],
                )?,
                Completion::Gone { error } => {
                    tx.execute(
                        "INSERT INTO disabled_endpoints (url, disabled_at, reason)
                         SELECT target, ?2, ?3 FROM deliveries WHERE id = ?1 ON CONFLICT(url) DO NOTHING",
                        params![id, now, error],
                    )?;
                    tx.execute(
                        &format!("UPDATE deliveries SET state = 'dead', last_error = ?3, lease_until = NULL WHERE {held}"),
                        params![id, worker, error],
                    )?
                }
            };
            Ok(())
        })
        .await
    }

    async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        self.read(|conn| {
            conn.query_row(
                "SELECT MIN(MAX(due_at, COALESCE(lease_until, 0))) FROM deliveries WHERE state = 'pending'",
                [],
                |r| r.get(0),
            )
        })
        .await
    }

    async fn deliveries(&self, state: Option<String>, requests: Vec<String>) -> Result<Vec<Delivery>, StoreError> {
        self.read(move |conn| {
            if !requests.is_empty() {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE request_id = ?1 ORDER BY created_at, id"
                ))?;
                let mut out = Vec::new();
                for r in &requests {
                    out.extend(stmt.query_map([r], delivery_row)?.collect::<rusqlite::Result<Vec<_>>>()?);
                }
                return Ok(out);
            }
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE (?1 IS NULL OR state = ?1)
                 ORDER BY created_at DESC, id LIMIT 1000"
            ))?;
            let rows = stmt.query_map([state], delivery_row)?;
            rows.collect()
        })
        .await
    }

    async fn retry(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |tx| {
            tx.execute(
                "DELETE FROM disabled_endpoints WHERE url = (SELECT target FROM deliveries WHERE id = ?1 AND kind = 'webhook')",
                [&id],
            )?;
            let n = tx.execute(
                "UPDATE deliveries SET state = 'pending', due_at = ?2, attempts = 0, lease_until = NULL
                 WHERE id = ?1 AND state != 'delivered'",
                params![id, now],
            )?;
            Ok(n == 1)
        })
        .await
    }

    async fn disabled_endpoints(&self) -> Result<Vec<DisabledEndpoint>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT url, disabled_at, reason FROM disabled_endpoints ORDER BY url")?;
            let rows = stmt.query_map([], |r| {
                Ok(DisabledEndpoint { url: r.get(0)?, disabled_at: r.get(1)?, reason: r.get(2)? })
            })?;
            rows.collect()
        })
        .await
    }
}
