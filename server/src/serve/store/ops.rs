//! What operating the service asks of the store, beside the queue itself: the numbers behind
//! `GET /metrics`, the readiness check, and handing back a stopping worker's leases. One
//! interface, [`OpsStore`], implemented here for both databases (each a few statements).

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
}

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
}
