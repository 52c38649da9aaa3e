//! Durable storage of requests: one interface, [`RequestStore`], and one module per database.
//!
//! **Invariant:** `insert` returns only after the commit that holds the request.

pub mod ops;
pub mod postgres;
mod postgres_schedule;
pub mod schedule;
pub mod sqlite;
mod sqlite_schedule;

use async_trait::async_trait;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

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
    /// Why a bot check tripped (`None` for an ordinary request). Such requests are kept for
    /// staff to look at, but are never released on their own.
    pub spam: Option<String>,
}

/// What an insert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// Newly committed.
    New(StoredRequest),
    /// The key was already stored: this is the first request with it.
    Existing(StoredRequest),
}

/// Which requests a listing includes besides the released, unacknowledged, ordinary ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Include {
    /// Requests still held until `release_at`.
    pub deferred: bool,
    /// Requests that tripped a bot check.
    pub spam: bool,
}

impl Include {
    /// Parses `?include=deferred,spam`.
    pub fn parse(s: Option<&str>) -> Include {
        let has = |word: &str| s.is_some_and(|s| s.split(',').any(|p| p.trim() == word));
        Include { deferred: has("deferred"), spam: has("spam") }
    }
}

/// What a delivery sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKind {
    /// A Standard Webhooks event to one endpoint.
    Webhook,
    /// The e-mail to the team at release.
    TeamEmail,
    /// The customer's receipt.
    Receipt,
}

impl DeliveryKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Webhook => "webhook",
            DeliveryKind::TeamEmail => "team_email",
            DeliveryKind::Receipt => "receipt",
        }
    }
    /// From the stored name.
    pub fn parse(s: &str) -> Option<DeliveryKind> {
        [DeliveryKind::Webhook, DeliveryKind::TeamEmail, DeliveryKind::Receipt].into_iter().find(|k| k.as_str() == s)
    }
}

/// A delivery to schedule with its request (or ack), in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub id: String,
    pub kind: DeliveryKind,
    /// The webhook URL or the e-mail address.
    pub target: String,
    /// The webhook event (`request.released` …); `None` for e-mails.
    pub event: Option<String>,
    /// Unix seconds: not sent before.
    pub due_at: i64,
}

/// At most one receipt per address in this many seconds: receipts must not make replyby a
/// tool for mailing strangers.
pub const RECEIPT_WINDOW_SECS: i64 = 600;

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Delivery {
    pub id: String,
    pub request_id: String,
    pub kind: String,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    pub due_at: i64,
    pub attempts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<i64>,
}

/// How an attempt ended, as the worker records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Sent (a 2xx, or the SMTP server took the message).
    Delivered,
    /// Failed; try again at this instant (Unix seconds).
    RetryAt { at: i64, error: String },
    /// Failed for good (out of tries, or the endpoint is disabled).
    Dead { error: String },
    /// The endpoint answered 410 Gone: the delivery is dead and the endpoint disabled.
    Gone { error: String },
}

/// A webhook endpoint that answered 410 Gone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DisabledEndpoint {
    pub url: String,
    pub disabled_at: i64,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("storage writer stopped")]
    Stopped,
    #[error("commit failed: {0}")]
    Commit(String),
    #[error("{0}")]
    Migration(String),
    /// The database cannot be reached right now; intake answers 503 and the client retries.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Another instance is storing a request with this idempotency key right now (`409`).
    #[error("a request with this idempotency key is still being stored")]
    InFlight,
    /// A PostgreSQL error that retrying will not cure.
    #[error("storage: {0}")]
    Postgres(String),
    /// The `--db` URL, or the database's settings, cannot be used.
    #[error("{0}")]
    Config(String),
}

/// Both interfaces of one database.
#[derive(Clone)]
pub struct Stores {
    pub requests: std::sync::Arc<dyn RequestStore>,
    pub schedule: std::sync::Arc<dyn schedule::ScheduleStore>,
    /// Metrics, readiness, leases at shutdown.
    pub ops: std::sync::Arc<dyn ops::OpsStore>,
}

/// Opens the store `--db` names: `postgres://…` is PostgreSQL, anything else a SQLite file.
pub async fn open(db: &str) -> Result<Stores, StoreError> {
    if postgres::is_url(db) {
        let store = std::sync::Arc::new(PostgresStore::open(db).await?);
        return Ok(Stores { requests: store.clone(), schedule: store.clone(), ops: store });
    }
    let store = std::sync::Arc::new(SqliteStore::open(std::path::Path::new(db))?);
    Ok(Stores { requests: store.clone(), schedule: store.clone(), ops: store })
}

/// Where requests and their deliveries live. Every implementation keeps the invariants:
/// `insert` and `ack` commit their deliveries in the same transaction as the change they
/// belong to, and a claimed delivery is leased to one worker until `lease_until`.
#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Stores a request and its deliveries unless its idempotency key is already stored;
    /// returns after commit. A receipt is left out when the same address got one within
    /// [`RECEIPT_WINDOW_SECS`].
    async fn insert(&self, request: StoredRequest, deliveries: Vec<NewDelivery>) -> Result<Inserted, StoreError>;
    /// Unacknowledged requests, earliest `respond_by` first: released ordinary ones, plus
    /// what `include` asks for.
    async fn list(&self, now: i64, include: Include) -> Result<Vec<StoredRequest>, StoreError>;
    /// Marks a request handled and schedules `deliveries` with it; false when there is no such
    /// request. A second ack changes nothing and schedules nothing.
    async fn ack(&self, id: &str, now: i64, deliveries: Vec<NewDelivery>) -> Result<bool, StoreError>;
    /// Leases up to `limit` pending deliveries due by `now` to `worker` until `lease_until`
    /// (counting the attempt), with their requests.
    async fn claim(
        &self,
        now: i64,
        lease_until: i64,
        worker: &str,
        limit: usize,
    ) -> Result<Vec<(Delivery, StoredRequest)>, StoreError>;
    /// Records how an attempt ended (only while `worker` still holds the lease).
    async fn complete(&self, id: &str, worker: &str, now: i64, completion: Completion) -> Result<(), StoreError>;
    /// The earliest `due_at` (or lease end) among pending deliveries, to sleep until.
    async fn next_due(&self) -> Result<Option<i64>, StoreError>;
    /// Deliveries, newest first, optionally of one state; or those of the given requests.
    async fn deliveries(&self, state: Option<String>, requests: Vec<String>) -> Result<Vec<Delivery>, StoreError>;
    /// Sends a dead (or pending) delivery again now, re-enabling its endpoint; false when
    /// there is no such delivery or it was delivered.
    async fn retry(&self, id: &str, now: i64) -> Result<bool, StoreError>;
    /// Endpoints disabled by a 410.
    async fn disabled_endpoints(&self) -> Result<Vec<DisabledEndpoint>, StoreError>;
}
