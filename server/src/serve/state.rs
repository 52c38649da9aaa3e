//! What every handler shares.

use super::deliver::outbox::Routes;
use super::live::Live;
use super::store::RequestStore;
use super::store::schedule::ScheduleStore;
use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashSet;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

/// The clock, so tests can stand at a chosen instant.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The live schedule (config + schedule changes), published whole.
    pub live: Live,
    pub store: Arc<dyn RequestStore>,
    /// Config versions, schedule changes, staff, audit.
    pub admin: Arc<dyn ScheduleStore>,
    /// `REPLYBY_STAFF_TOKEN`: the bootstrap admin (empty: none).
    pub staff_token: Arc<str>,
    /// Idempotency keys whose first request is still being processed.
    pub in_flight: Arc<Mutex<HashSet<String>>>,
    pub limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    pub clock: Clock,
    /// Where deliveries go (from `--settings`; none without it).
    pub routes: Arc<Routes>,
    /// Wakes the delivery worker when something new is due.
    pub wake: Arc<tokio::sync::Notify>,
    /// Metrics, readiness, the drain at shutdown.
    pub ops: Arc<super::ops::Ops>,
}

impl AppState {
    pub fn new(
        live: Live,
        store: Arc<dyn RequestStore>,
        admin: Arc<dyn ScheduleStore>,
        staff_token: String,
        per_minute: u32,
    ) -> AppState {
        let limiter = NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
        AppState {
            live,
            store,
            admin,
            staff_token: staff_token.into(),
            in_flight: Arc::default(),
            limiter,
            clock: Arc::new(Utc::now),
            routes: Arc::default(),
            wake: Arc::default(),
            ops: Arc::default(),
        }
    }

    /// Now, by the state's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}

/// A clock that reads `start` at the moment it is made and runs on at the real rate: for
/// tests that need the server to stand at a chosen instant (`serve --test-clock`).
pub fn offset_clock(start: DateTime<Utc>) -> Clock {
    let origin = std::time::Instant::now();
    Arc::new(move || start + chrono::TimeDelta::from_std(origin.elapsed()).unwrap_or_default())
}
