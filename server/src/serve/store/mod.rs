//! Durable storage of requests: one interface, [`RequestStore`], and one module per database.
//!
//! **Invariant:** `insert` returns only after the commit that holds the request.

pub mod sqlite;

use async_trait::async_trait;

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
}

/// Where requests live.
#[async_trait]
pub trait RequestStore: Send + Sync {
    /// Stores a request unless its idempotency key is already stored; returns after commit.
    async fn insert(&self, request: StoredRequest) -> Result<Inserted, StoreError>;
    /// Unacknowledged requests, earliest `respond_by` first: released ordinary ones, plus
    /// what `include` asks for.
    async fn list(&self, now: i64, include: Include) -> Result<Vec<StoredRequest>, StoreError>;
    /// Marks a request handled; false when there is no such request.
    async fn ack(&self, id: &str, now: i64) -> Result<bool, StoreError>;
}
