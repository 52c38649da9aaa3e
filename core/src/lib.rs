//! # replyby-core
//!
//! The scheduling core of replyby: the config model and its validation, holiday rules
//! and presets, team hours, coverages, and the times DESIGN.md defines — `status`,
//! `release_at`, `respond_by` and `closed_days`.
//!
//! ```
//! use replyby_core::{load, TzTable};
//! use chrono::{DateTime, Utc};
//!
//! let config = r#"{
//!   "company": "Acme",
//!   "teams": [{ "id": "nyc", "name": "New York", "timezone": "America/New_York",
//!               "hours": { "mon-fri": ["09:00-17:00"] }, "holidays": ["us"] }],
//!   "coverages": [{ "id": "business", "name": "Business hours", "teams": ["nyc"] }],
//!   "plans": [{ "id": "basic", "name": "Basic", "coverage": "business",
//!               "first_reply": { "business_days": 1 } }]
//! }"#;
//! let schedule = load(config, &TzTable)?;
//! // Friday 20:00 in New York: released Monday 09:00, answered by Tuesday at close.
//! let at: DateTime<Utc> = "2027-02-06T01:00:00Z".parse()?;
//! let quote = schedule.quote("basic", at)?;
//! assert_eq!(quote.release_at.to_rfc3339(), "2027-02-08T14:00:00+00:00");
//! assert_eq!(quote.respond_by.to_rfc3339(), "2027-02-09T22:00:00+00:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **Invariant:** the core does no I/O and never reads the clock: every function takes
//! the instant it is about and gets its zones through the [`ZoneDb`] seam.
#![doc = ""]

pub mod changes;
pub mod config;
pub mod engine;
mod error;
pub mod holidays;
pub mod hours;
pub mod json;
#[cfg(feature = "lint")]
pub mod lint;
#[cfg(feature = "osm-import")]
pub mod osm_import;
mod preset;
pub mod publish;
mod read;
mod schedule;
mod sort;
pub mod suggest;
pub mod text;
pub mod week;
pub mod zone;

pub use config::{Config, FirstReply};
pub use engine::{ClosedDay, Quote, Reason, Run, Status};
pub use error::{ConfigError, ConfigErrors, Error};
pub use preset::preset_ids;
pub use schedule::{ActiveNotice, Coverage, Plan, Schedule, Team, from_json, load, load_with_presets, parse};
#[cfg(feature = "tz-table")]
pub use zone::TzTable;
pub use zone::{Instant, LocalTime, Zone, ZoneDb};

/// The built-in demo config (`replyby serve` without `--config`, the README's example).
pub const DEMO_CONFIG: &str = include_str!("../../examples/acme.json");
