//! What operating the service asks of the store, beside the queue itself: the numbers behind
//! `GET /metrics`, the readiness check, handing back a stopping worker's leases, and erasure.
//! One interface, [`OpsStore`], implemented here for both databases (each a few statements).
//!
//! **Erasure on SQLite** leaves nothing in the files: `secure_delete` overwrites the freed
//! cells with zeros, and a `TRUNCATE` checkpoint copies the WAL into the database and empties
//! it (the old frames held the rows as first written). On PostgreSQL the rows are deleted and
//! the tables vacuumed; the server's WAL and any backups keep them until those are recycled.

use super::postgres::classify;
use super::{PostgresStore, SqliteStore, StoreError};
use async_trait::async_trait;
use rusqlite::params;

/// The store's side of the metrics, read at each scrape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpsStats {
    /// `(kind, state, count)` for every kind and state that has deliveries.
    pub deliveries: Vec<(String, String, i64)>,
    /// The earliest `due_at` (Unix seconds) among pending deliveries already due: how late the
    /// hand-off is running. `None` when nothing pending is due.
    pub oldest_pending_due: Option<i64>,
    /// Released, unacknowledged, ordinary requests whose `respond_by` has passed.
    pub overdue_released: i64,
}

/// Operations on the store that the queue logic does not need.
#[async_trait]
pub trait OpsStore: Send + Sync {
    /// The numbers behind the store's gauges, at `now`.
    async fn stats(&self, now: i64) -> Result<OpsStats, StoreError>;
    /// `Ok` when the store answers and can commit durably right now; the reason otherwise.
    async fn ready(&self) -> Result<(), String>;
    /// Gives back the leases `worker` holds on deliveries still pending (a stopping instance),
    /// so another instance sends them at once instead of after the lease; how many.
    async fn release_leases(&self, worker: &str) -> Result<u64, StoreError>;
    /// Deletes every request from `email` (compared without case) and all its deliveries.
    async fn erase_email(&self, email: &str) -> Result<Erased, StoreError>;
    /// Retention: erases the customer's fields (address, name, subject, message, zone,
    /// locale; the plan and the times stay) of requests acked, or if never acked released, at
    /// or before `before` (ordinary) or `spam_before` (suspected spam), and the address in
    /// their receipts. A request with a delivery not yet delivered is left alone. How many.
    async fn erase_expired(&self, before: Option<i64>, spam_before: Option<i64>) -> Result<u64, StoreError>;
}

/// Which requests retention erases: `{b}` and `{s}` are the two cut-offs' placeholders.
fn expired(b: &str, s: &str) -> String {
    format!(
        "SELECT id FROM requests WHERE email != ''
         AND ((spam IS NULL AND {b} IS NOT NULL AND COALESCE(acked_at, release_at) <= {b})
           OR (spam IS NOT NULL AND {s} IS NOT NULL AND COALESCE(acked_at, release_at) <= {s}))
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.request_id = requests.id AND d.state != 'delivered')"
    )
}

const BLANK_RECEIPTS: &str =
    "UPDATE deliveries SET target = '', last_error = NULL WHERE kind = 'receipt' AND request_id IN";
const BLANK_REQUESTS: &str = "UPDATE requests SET email = '', name = NULL, subject = NULL, message = '', time_zone = NULL, locale = NULL WHERE id IN";

/// What an erasure removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Erased {
    pub requests: u64,
    /// Every delivery of those requests.
    pub deliveries: u64,
    /// Of those, the ones not yet sent (now never sent).
    pub pending_deliveries: u64,
}

/// A checkpoint that could not finish (a reader held an old snapshot) is tried again.
const CHECKPOINT_TRIES: usize = 50;

const SQLITE_OVERDUE: &str = "SELECT COUNT(*) FROM requests
     WHERE acked_at IS NULL AND spam IS NULL AND release_at <= ?1 AND respond_by < ?1";

#[async_trait]
impl OpsStore for SqliteStore {
    async fn stats(&self, now: i64) -> Result<OpsStats, StoreError> {
        self.read(move |conn| {
            let mut by = conn.prepare_cached("SELECT kind, state, COUNT(*) FROM deliveries GROUP BY kind, state")?;
            let deliveries =
                by.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
            let oldest_pending_due = conn.query_row(
                "SELECT MIN(due_at) FROM deliveries WHERE state = 'pending' AND due_at <= ?1",
                [now],
                |r| r.get(0),
            )?;
            let overdue_released = conn.query_row(SQLITE_OVERDUE, [now], |r| r.get(0))?;
            Ok(OpsStats { deliveries, oldest_pending_due, overdue_released })
        })
        .await
    }

    async fn ready(&self) -> Result<(), String> {
        // Through the writer thread (a stopped writer cannot store a request) and the reader.
        self.write(|tx| tx.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get::<_, i64>(0)))
            .await
            .map_err(|e| format!("the SQLite writer does not answer: {e}"))?;
        self.read(|conn| conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)))
            .await
            .map_err(|e| format!("the SQLite reader does not answer: {e}"))?;
        Ok(())
    }

    async fn release_leases(&self, worker: &str) -> Result<u64, StoreError> {
        let worker = worker.to_owned();
        self.write(move |tx| {
            let n = tx.execute(
                "UPDATE deliveries SET lease_until = NULL
                 WHERE leased_by = ?1 AND state = 'pending' AND lease_until IS NOT NULL",
                params![worker],
            )?;
            Ok(n as u64)
        })
        .await
    }

    async fn erase_email(&self, email: &str) -> Result<Erased, StoreError> {
        self.erase_from_files(email.to_owned()).await
    }

    async fn erase_expired(&self, before: Option<i64>, spam_before: Option<i64>) -> Result<u64, StoreError> {
        self.on_writer(move |conn| {
            conn.pragma_update(None, "secure_delete", "ON")?;
            let tx = conn.transaction()?;
            let which = expired("?1", "?2");
            tx.execute(&format!("{BLANK_RECEIPTS} ({which})"), params![before, spam_before])?;
            let n = tx.execute(&format!("{BLANK_REQUESTS} ({which})"), params![before, spam_before])?;
            tx.commit()?;
            // As for an erasure: the WAL's old frames hold the fields as first written. The
            // fields are blanked for every reader already; a WAL a reader kept busy is emptied
            // by the next pass that erases anything, so it is reported, not failed.
            if n > 0 && !truncate_wal(conn)? {
                tracing::warn!(
                    erased = n,
                    "retention: the WAL could not be emptied (a reader stayed busy); the next pass that erases anything empties it"
                );
            }
            Ok(n as u64)
        })
        .await
    }
}

/// Empties the WAL into the database file (whose freed pages `secure_delete` zeroes) and
/// truncates it; `false` when a reader kept it busy every try (readers hold an older snapshot,
/// and are short).
fn truncate_wal(conn: &rusqlite::Connection) -> rusqlite::Result<bool> {
    for _ in 0..CHECKPOINT_TRIES {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 {
            return Ok(true);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(false)
}

fn sqlite_erase(tx: &rusqlite::Transaction<'_>, email: &str) -> rusqlite::Result<Erased> {
    let mine = "SELECT id FROM requests WHERE lower(email) = lower(?1)";
    let pending_deliveries: i64 = tx.query_row(
        &format!("SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND request_id IN ({mine})"),
        [email],
        |r| r.get(0),
    )?;
    let deliveries = tx.execute(&format!("DELETE FROM deliveries WHERE request_id IN ({mine})"), [email])?;
    let requests = tx.execute("DELETE FROM requests WHERE lower(email) = lower(?1)", [email])?;
    Ok(Erased {
        requests: requests as u64,
        deliveries: deliveries as u64,
        pending_deliveries: pending_deliveries as u64,
    })
}

impl SqliteStore {
    async fn erase_from_files(&self, email: String) -> Result<Erased, StoreError> {
        self.on_writer(move |conn| {
            conn.pragma_update(None, "secure_delete", "ON")?;
            let tx = conn.transaction()?;
            let erased = sqlite_erase(&tx, &email)?;
            tx.commit()?;
            if truncate_wal(conn)? {
                return Ok(erased);
            }
            Err(rusqlite::Error::InvalidParameterName(
                "the erased rows are deleted, but the WAL could not be emptied (a reader stayed busy); run the erasure again".into(),
            ))
        })
        .await
    }
}

#[async_trait]
impl OpsStore for PostgresStore {
    async fn stats(&self, now: i64) -> Result<OpsStats, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query("SELECT kind, state, COUNT(*) FROM deliveries GROUP BY kind, state", &[])
            .await
            .map_err(classify)?;
        let deliveries = rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(classify)?;
        let oldest_pending_due: Option<i64> = client
            .query_one("SELECT MIN(due_at) FROM deliveries WHERE state = 'pending' AND due_at <= $1", &[&now])
            .await
            .and_then(|r| r.try_get(0))
            .map_err(classify)?;
        let overdue_released: i64 = client
            .query_one(
                "SELECT COUNT(*) FROM requests
                 WHERE acked_at IS NULL AND spam IS NULL AND release_at <= $1 AND respond_by < $1",
                &[&now],
            )
            .await
            .and_then(|r| r.try_get(0))
            .map_err(classify)?;
        Ok(OpsStats { deliveries, oldest_pending_due, overdue_released })
    }

    async fn ready(&self) -> Result<(), String> {
        let client = self.client().await.map_err(|e| e.to_string())?;
        let row = client
            .query_one("SELECT current_setting('synchronous_commit'), pg_is_in_recovery()", &[])
            .await
            .map_err(|e| format!("PostgreSQL does not answer: {}", classify(e)))?;
        let (sync, standby): (String, bool) =
            (row.try_get(0).map_err(|e| e.to_string())?, row.try_get(1).map_err(|e| e.to_string())?);
        if sync != "on" {
            return Err(format!("PostgreSQL session runs with synchronous_commit = {sync}; replyby needs on"));
        }
        if standby {
            return Err("PostgreSQL is a standby in recovery: it cannot store requests".into());
        }
        Ok(())
    }

    async fn release_leases(&self, worker: &str) -> Result<u64, StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE deliveries SET lease_until = NULL
                 WHERE leased_by = $1 AND state = 'pending' AND lease_until IS NOT NULL",
                &[&worker],
            )
            .await
            .map_err(classify)
    }

    async fn erase_email(&self, email: &str) -> Result<Erased, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        let mine = "SELECT id FROM requests WHERE lower(email) = lower($1)";
        let pending: i64 = tx
            .query_one(
                &format!("SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND request_id IN ({mine})"),
                &[&email],
            )
            .await
            .and_then(|r| r.try_get(0))
            .map_err(classify)?;
        let deliveries = tx
            .execute(&format!("DELETE FROM deliveries WHERE request_id IN ({mine})"), &[&email])
            .await
            .map_err(classify)?;
        let requests =
            tx.execute("DELETE FROM requests WHERE lower(email) = lower($1)", &[&email]).await.map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        vacuum(&client, "erasure").await;
        Ok(Erased { requests, deliveries, pending_deliveries: pending as u64 })
    }

    async fn erase_expired(&self, before: Option<i64>, spam_before: Option<i64>) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(classify)?;
        let which = expired("$1::int8", "$2::int8");
        tx.execute(&format!("{BLANK_RECEIPTS} ({which})"), &[&before, &spam_before]).await.map_err(classify)?;
        let n = tx.execute(&format!("{BLANK_REQUESTS} ({which})"), &[&before, &spam_before]).await.map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        // The blanked fields' old row versions stay in the heap until vacuumed, as an
        // erasure's deleted rows do.
        if n > 0 {
            vacuum(&client, "retention").await;
        }
        Ok(n)
    }
}

/// `VACUUM requests, deliveries` after rows were erased or blanked, outside any transaction
/// (VACUUM cannot run inside one). The rows are already gone for every reader; a VACUUM cut
/// short (the statement timeout on a large table) is finished by autovacuum, so it is
/// reported, not failed.
async fn vacuum(client: &deadpool_postgres::Object, pass: &'static str) {
    if let Err(e) = client.batch_execute("VACUUM requests, deliveries").await {
        tracing::warn!(error = %crate::serve::logs::redact(classify(e)), pass, "VACUUM did not finish; autovacuum will");
    }
}
