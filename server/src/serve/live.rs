//! The live schedule: the one swap point. The store's newest config version (or the pinned
//! file) and the schedule changes are built into a [`Published`] — the schedule every time is
//! computed from, the public config and its ETag — and published whole through a
//! `tokio::sync::watch`. A handler reads it once ([`Live::get`]); no code path sees half a
//! change. Each instance polls the store's revision every second and rebuilds when it
//! moves, so a change made on another instance is live here within about a second (DESIGN.md
//! asks for 5 s); a change made here is published before its handler answers.

use super::store::schedule::{ScheduleStore, StoredChange};
use replyby_core::changes::{Change, apply};
use replyby_core::{ConfigErrors, Schedule, TzTable};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Where the config comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The store's newest version (`serve` without `--config`).
    Store,
    /// A file (`serve --config FILE`): `PUT /v1/config` is refused, SIGHUP re-reads it.
    File(PathBuf),
}

/// One published state.
#[derive(Debug)]
pub struct Published {
    /// The schedule, changes included.
    pub schedule: Arc<Schedule>,
    /// The config as stored (or as in the file), without changes.
    pub base: String,
    /// Its version in the store (0 for a file).
    pub version: i64,
    /// The changes that are live, oldest first, with the core's reading of each.
    pub changes: Vec<(StoredChange, Change)>,
    /// The public config (base + changes) as served by `GET /v1/config`.
    pub public: axum::body::Bytes,
    /// `GET /v1/config`'s ETag (quoted).
    pub etag: String,
    /// The public config with the presets it names (`GET /v1/bundle`, [`crate::bundle`]).
    pub bundle: axum::body::Bytes,
    /// `GET /v1/bundle`'s ETag (quoted).
    pub bundle_etag: String,
    /// The store's revision this was built from.
    pub revision: i64,
    /// The key that signs staff sessions (the store's, shared by every instance).
    pub session_key: String,
}

impl Published {
    /// The ETag `PUT /v1/config`'s `If-Match` names: the base version (`"v3"`).
    pub fn version_tag(&self) -> String {
        format!("\"v{}\"", self.version)
    }
}

/// A build that failed: why.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Store(#[from] super::store::StoreError),
    #[error("the config has problems:\n{0}")]
    Config(ConfigErrors),
    #[error("the store holds no config version")]
    NoConfig,
}

struct Inner {
    tx: watch::Sender<Arc<Published>>,
    store: Arc<dyn ScheduleStore>,
    source: Source,
    /// The file's text as last read successfully (Source::File).
    file_text: Mutex<String>,
}

/// The handle every handler and worker holds.
#[derive(Clone)]
pub struct Live(Arc<Inner>);

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").field("source", &self.0.source).finish()
    }
}

/// Builds a state from a base config text and the stored changes. A change that does not
/// apply to this config (its team is gone) is left out and logged, never fatal: the
/// schedule customers see must not break because the config moved under a change.
pub fn build(
    base: String,
    version: i64,
    stored: Vec<StoredChange>,
    revision: i64,
    session_key: String,
) -> Result<Published, ConfigErrors> {
    let config = replyby_core::parse(&base)?;
    let mut changes = Vec::new();
    for s in stored {
        match Change::parse(&s.body) {
            Ok(mut c) if c.check(&config).is_empty() => {
                c.id = Some(s.id.clone());
                changes.push((s, c));
            }
            Ok(_) | Err(_) => {
                tracing::warn!(change = %s.id, "schedule change left out: it does not apply to the current config")
            }
        }
    }
    let all: Vec<Change> = changes.iter().map(|(_, c)| c.clone()).collect();
    let schedule = Schedule::new(apply(&config, &all), &TzTable)?;
    let public = axum::body::Bytes::from(serde_json::to_vec(&schedule.config).unwrap_or_default());
    let tag = |bytes: &[u8]| format!("\"{}\"", &format!("{:x}", Sha256::digest(bytes))[..20]);
    let etag = tag(&public);
    let bundle = axum::body::Bytes::from(crate::bundle::bundle(std::str::from_utf8(&public).unwrap_or_default()));
    let bundle_etag = tag(&bundle);
    Ok(Published {
        schedule: Arc::new(schedule),
        base,
        version,
        changes,
        public,
        etag,
        bundle,
        bundle_etag,
        revision,
        session_key,
    })
}

impl Live {
    /// Loads the first state: the file, or the store's newest version (seeding the store
    /// with `seed` when it holds none).
    pub async fn start(
        store: Arc<dyn ScheduleStore>,
        source: Source,
        seed: &str,
        now: i64,
    ) -> Result<Live, BuildError> {
        let file_text = match &source {
            Source::File(path) => std::fs::read_to_string(path).map_err(|e| {
                BuildError::Config({
                    let mut errors = ConfigErrors::default();
                    errors.0.push(replyby_core::ConfigError {
                        path: String::new(),
                        message: format!("cannot read {}: {e}", path.display()),
                    });
                    errors
                })
            })?,
            Source::Store => {
                if store.seed_config(seed.to_owned(), "seed", now).await? {
                    tracing::info!("config store seeded with the built-in demo config as version 1");
                }
                String::new()
            }
        };
        let first = Self::assemble(&store, &source, &file_text).await?;
        let (tx, _) = watch::channel(Arc::new(first));
        Ok(Live(Arc::new(Inner { tx, store, source, file_text: Mutex::new(file_text) })))
    }

    async fn assemble(
        store: &Arc<dyn ScheduleStore>,
        source: &Source,
        file_text: &str,
    ) -> Result<Published, BuildError> {
        // The revision first: a change committed while we read is then picked up next poll.
        let (revision, key) = store.revision().await?;
        let (base, version) = match source {
            Source::File(_) => (file_text.to_owned(), 0),
            Source::Store => {
                let v = store.latest_config().await?.ok_or(BuildError::NoConfig)?;
                (v.body, v.version)
            }
        };
        let changes = store.changes().await?;
        build(base, version, changes, revision, key).map_err(BuildError::Config)
    }

    /// What is live now.
    pub fn get(&self) -> Arc<Published> {
        self.0.tx.borrow().clone()
    }

    /// The schedule now.
    pub fn schedule(&self) -> Arc<Schedule> {
        self.get().schedule.clone()
    }

    /// Where the config comes from.
    pub fn source(&self) -> &Source {
        &self.0.source
    }

    /// Rebuilds from the store and publishes. A build that fails keeps what is live.
    pub async fn refresh(&self) -> Result<(), BuildError> {
        let text = self.0.file_text.lock().map(|t| t.clone()).unwrap_or_default();
        let next = Self::assemble(&self.0.store, &self.0.source, &text).await?;
        self.0.tx.send_replace(Arc::new(next));
        Ok(())
    }

    /// Rebuilds when the store's revision moved (another instance, or `replyby staff`).
    pub async fn poll(&self) -> Result<bool, BuildError> {
        let (revision, _) = self.0.store.revision().await?;
        if revision == self.get().revision {
            return Ok(false);
        }
        self.refresh().await?;
        Ok(true)
    }

    /// SIGHUP: reads the file again; a file with problems is refused and the running config
    /// kept (the problems are returned for the log).
    pub async fn reload_file(&self) -> Result<(), BuildError> {
        let Source::File(path) = &self.0.source else { return Ok(()) };
        let text = std::fs::read_to_string(path).map_err(|e| {
            let mut errors = ConfigErrors::default();
            errors.0.push(replyby_core::ConfigError {
                path: String::new(),
                message: format!("cannot read {}: {e}", path.display()),
            });
            BuildError::Config(errors)
        })?;
        let current = self.get();
        let changes = current.changes.iter().map(|(s, _)| s.clone()).collect();
        let next = build(text.clone(), 0, changes, current.revision, current.session_key.clone())
            .map_err(BuildError::Config)?;
        if let Ok(mut t) = self.0.file_text.lock() {
            *t = text;
        }
        self.0.tx.send_replace(Arc::new(next));
        Ok(())
    }

    /// Polls the store every `every` until the process ends.
    pub async fn watch_store(self, every: std::time::Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.poll().await {
                Ok(true) => tracing::info!(revision = self.get().revision, "schedule rebuilt from the store"),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %crate::serve::logs::redact(&e), "could not check the store for schedule changes")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: &str, body: &str) -> StoredChange {
        StoredChange { id: id.into(), team: "nyc".into(), body: body.into(), created_by: "ana".into(), created_at: 0 }
    }

    #[test]
    fn a_change_whose_team_is_gone_is_left_out_not_fatal() {
        let base = replyby_core::DEMO_CONFIG.to_owned();
        let ok = stored("sch_1", r#"{"team":"nyc","name":"Offsite","date":"2027-03-10","note":"Team offsite"}"#);
        let gone = stored("sch_2", r#"{"team":"tokyo","name":"X","date":"2027-03-11"}"#);
        let p = build(base, 4, vec![ok, gone], 9, "k".into()).expect("builds");
        assert_eq!(p.changes.len(), 1);
        let public: serde_json::Value = serde_json::from_slice(&p.public).expect("json");
        assert_eq!(public["changes"][0]["id"], "sch_1");
        assert_eq!(public["changes"][0]["note"], "Team offsite");
        assert_eq!(p.version_tag(), "\"v4\"");
    }
}
