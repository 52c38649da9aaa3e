//! Retention (`[retention]` in the settings): a task that erases customers' fields once a
//! request is old enough, counted from its ack or, for a request never acked, its release;
//! a separate age for suspected spam. It keeps the plan and the times (for the numbers), never
//! touches a request whose deliveries are not all delivered, and logs how many it erased.

use super::state::Clock;
use super::store::ops::OpsStore;
use std::sync::Arc;
use std::time::Duration;

/// How often the task looks (and once at start).
pub const EVERY: Duration = Duration::from_secs(3600);

/// The ages, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub after: Option<i64>,
    pub spam_after: Option<i64>,
}

impl Policy {
    /// From the settings' days; `None` when neither age is set.
    pub fn from_days(after: Option<u32>, spam_after: Option<u32>) -> Option<Policy> {
        let secs = |d: Option<u32>| d.map(|d| i64::from(d) * 86_400);
        (after.is_some() || spam_after.is_some()).then(|| Policy { after: secs(after), spam_after: secs(spam_after) })
    }
}

/// One pass at `now`: how many requests were erased.
pub async fn once(store: &dyn OpsStore, policy: Policy, now: i64) -> Result<u64, super::store::StoreError> {
    store.erase_expired(policy.after.map(|a| now - a), policy.spam_after.map(|a| now - a)).await
}

/// Runs until dropped: a pass at start, then every [`EVERY`].
pub async fn run(store: Arc<dyn OpsStore>, policy: Policy, clock: Clock) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        match once(store.as_ref(), policy, clock().timestamp()).await {
            Ok(n) => tracing::info!(
                erased = n,
                after_days = policy.after.map(|a| a / 86_400),
                spam_after_days = policy.spam_after.map(|a| a / 86_400),
                "retention: customers' fields erased"
            ),
            Err(e) => {
                tracing::warn!(error = %crate::serve::logs::redact(&e), "retention: could not erase; will try again")
            }
        }
    }
}
