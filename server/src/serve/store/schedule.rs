//! What staff keep in the store besides requests: the config's versions, schedule changes,
//! staff members, the audit trail, and a revision counter. One interface,
//! [`ScheduleStore`], implemented for each database (`sqlite_schedule.rs`,
//! `postgres_schedule.rs`).
//!
//! **Invariant:** every write that changes what customers see or who may sign in bumps the
//! revision in the same transaction, and writes its audit entry there too; each instance
//! polls the revision and rebuilds its schedule when it moves.

use super::StoreError;
use async_trait::async_trait;

/// One version of the config (without schedule changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigVersion {
    pub version: i64,
    /// The config's JSON text.
    pub body: String,
    pub created_by: String,
    pub created_at: i64,
    pub note: String,
}

/// A schedule change as stored: the core's `Change` as JSON, and who made it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    pub id: String,
    pub team: String,
    pub body: String,
    pub created_by: String,
    pub created_at: i64,
}

/// What a staff member may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads and acks the queue, makes schedule changes.
    Agent,
    /// Also edits the config and the staff list.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A person who signs in with a token of their own.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_at: i64,
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    /// The staff member's name (or `bootstrap`, `seed`, `file`).
    pub actor: String,
    /// `request.ack`, `schedule.add`, `schedule.remove`, `config.put`, `staff.add`, `staff.remove`.
    pub action: String,
    /// What it was done to: a request, change or staff id, or a config version.
    pub subject: String,
    pub detail: String,
}

/// What `put_config` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutConfig {
    /// Stored as this version.
    Stored(i64),
    /// The newest version is not the one the caller started from: this one is.
    Stale(i64),
}

/// Who acted, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub at: i64,
}

#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Stores `body` as version 1 unless a version exists; true when it did.
    async fn seed_config(&self, body: String, by: &str, now: i64) -> Result<bool, StoreError>;
    /// The newest version.
    async fn latest_config(&self) -> Result<Option<ConfigVersion>, StoreError>;
    /// Every version, newest first.
    async fn config_versions(&self) -> Result<Vec<ConfigVersion>, StoreError>;
    /// One version.
    async fn config_version(&self, version: i64) -> Result<Option<ConfigVersion>, StoreError>;
    /// Stores `body` as the version after `expected`, if `expected` is still the newest.
    async fn put_config(
        &self,
        expected: i64,
        body: String,
        note: String,
        by: Actor<'_>,
    ) -> Result<PutConfig, StoreError>;
    /// Every schedule change, oldest first.
    async fn changes(&self) -> Result<Vec<StoredChange>, StoreError>;
    /// Stores a change (its audit entry in the same transaction).
    async fn add_change(&self, change: StoredChange) -> Result<(), StoreError>;
    /// Removes a change; false when there is none with that id.
    async fn remove_change(&self, id: &str, by: Actor<'_>) -> Result<bool, StoreError>;
    /// Adds a staff member with the SHA-256 (hex) of their token; a name already taken is
    /// `StoreError::Config`.
    async fn add_staff(&self, member: StaffMember, token_sha256: String, by: Actor<'_>) -> Result<(), StoreError>;
    /// Every staff member, by name.
    async fn staff(&self) -> Result<Vec<StaffMember>, StoreError>;
    /// Removes a staff member by name or id; false when there is none.
    async fn remove_staff(&self, who: &str, by: Actor<'_>) -> Result<bool, StoreError>;
    /// The staff member whose token has this SHA-256.
    async fn staff_by_token(&self, token_sha256: &str) -> Result<Option<StaffMember>, StoreError>;
    /// The staff member with this id.
    async fn staff_by_id(&self, id: &str) -> Result<Option<StaffMember>, StoreError>;
    /// Adds an audit entry on its own (an ack, whose deliveries are the request store's).
    async fn record(&self, action: &str, subject: &str, detail: &str, by: Actor<'_>) -> Result<(), StoreError>;
    /// The newest `limit` audit entries, newest first.
    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;
    /// The revision counter and the key that signs staff sessions (shared by every instance).
    async fn revision(&self) -> Result<(i64, String), StoreError>;
}
