//! The delivery worker: leases due deliveries, sends each once per lease, records how it ended.
//!
//! **Invariant:** a delivery is sent only while this worker holds its lease, and its result is
//! recorded only while it still does; a worker that dies mid-send leaves the lease to run out,
//! and the delivery goes out again (with the same `webhook-id` / `Message-ID`).

use super::outbox::after_failure;
use crate::serve::store::{Completion, Delivery, RequestStore, StoredRequest};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// How long a claimed delivery is held: well over any send (each has a 10 s timeout), so a
/// live worker never loses its lease mid-send, and short enough that a crashed instance's
/// deliveries go out again within half a minute.
pub const LEASE_SECS: i64 = 30;
/// Sends in flight at once: a receiver that never answers holds one slot, not the worker.
const PARALLEL: usize = 16;
/// The longest sleep between looks at the store (other instances schedule deliveries too).
const POLL: Duration = Duration::from_secs(1);

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Sent.
    Delivered,
    /// Failed; worth trying again (after `retry_after` seconds at least, when the receiver said).
    Failed { retry_after: Option<i64>, error: String },
    /// The endpoint answered 410 Gone: disable it.
    Gone { error: String },
    /// Cannot succeed by retrying (the endpoint left the settings, or is disabled).
    Dead { error: String },
}

/// Sends one delivery; the worker does not care how.
#[async_trait::async_trait]
pub trait Send: std::marker::Send + Sync {
    /// One attempt at `now`.
    async fn send(&self, delivery: &Delivery, request: &StoredRequest, now: DateTime<Utc>) -> Attempt;
}

/// The worker's parts.
pub struct Worker {
    pub store: Arc<dyn RequestStore>,
    pub clock: Arc<dyn Fn() -> DateTime<Utc> + std::marker::Send + Sync>,
    pub sender: Arc<dyn Send>,
    pub wake: Arc<Notify>,
    /// Names this worker's leases (one per process).
    pub id: String,
}

fn completion(attempt: Attempt, delivery: &Delivery, now: i64) -> Completion {
    match attempt {
        Attempt::Delivered => Completion::Delivered,
        Attempt::Failed { retry_after, error } => {
            after_failure(delivery.attempts, delivery.created_at, now, retry_after, rand_unit(), error)
        }
        Attempt::Gone { error } => Completion::Gone { error },
        Attempt::Dead { error } => Completion::Dead { error },
    }
}

/// A number in 0..1 for jitter, from a fresh random UUID (already a dependency).
fn rand_unit() -> f64 {
    (uuid::Uuid::new_v4().as_u128() >> 75) as f64 / (1u64 << 53) as f64
}

impl Worker {
    /// Runs until the task is dropped.
    #[cfg(test)]
    pub async fn run(self) {
        self.run_until(std::future::pending(), Duration::ZERO).await
    }

    /// Runs until `stop`, then claims nothing more and waits up to `grace` for the sends in
    /// flight to finish. Whatever is still sending then keeps its lease (the caller may give
    /// the leases back: [`crate::serve::store::ops::OpsStore::release_leases`]).
    pub async fn run_until(self, stop: impl std::future::Future<Output = ()>, grace: Duration) {
        let slots = Arc::new(Semaphore::new(PARALLEL));
        tokio::pin!(stop);
        loop {
            let now = (self.clock)().timestamp();
            let free = slots.available_permits();
            let batch = if free == 0 {
                Vec::new()
            } else {
                match self.store.claim(now, now + LEASE_SECS, &self.id, free).await {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::error!(error = %crate::serve::logs::redact(&e), "cannot claim deliveries");
                        Vec::new()
                    }
                }
            };
            let claimed = batch.len();
            for (delivery, request) in batch {
                let Ok(permit) = slots.clone().acquire_owned().await else { return };
                let (store, clock, sender, id) =
                    (self.store.clone(), self.clock.clone(), self.sender.clone(), self.id.clone());
                tokio::spawn(async move {
                    // The sender logs the attempt (`metrics::Counted`); this line names no target
                    // (a receipt's is the customer's address).
                    let attempt = sender.send(&delivery, &request, clock()).await;
                    let now = clock().timestamp();
                    let done = completion(attempt, &delivery, now);
                    if let Completion::Dead { .. } | Completion::Gone { .. } = &done {
                        tracing::error!(delivery = %delivery.id, kind = %delivery.kind, request = %request.id, "delivery is dead");
                    }
                    if let Err(e) = store.complete(&delivery.id, &id, now, done).await {
                        tracing::error!(delivery = %delivery.id, error = %crate::serve::logs::redact(&e), "cannot record a delivery's result; it will be sent again");
                    }
                    drop(permit);
                });
            }
            if claimed > 0 && claimed == free {
                continue; // there may be more due right now
            }
            let next = self.store.next_due().await.ok().flatten();
            let wait = match next {
                Some(at) if at <= now => Duration::from_millis(200),
                Some(at) => POLL.min(Duration::from_secs((at - now) as u64)),
                None => POLL,
            };
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = &mut stop => break,
            }
        }
        let busy = PARALLEL - slots.available_permits();
        if busy > 0 {
            tracing::info!(sends = busy, "stopping: waiting for the sends in flight");
        }
        match tokio::time::timeout(grace, slots.acquire_many(PARALLEL as u32)).await {
            Ok(_) => tracing::info!("delivery worker stopped"),
            Err(_) => tracing::warn!(
                sends = PARALLEL - slots.available_permits(),
                "delivery worker stopped with sends still in flight; their leases are given back"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::store::{DeliveryKind, NewDelivery, SqliteStore};
    use std::sync::Mutex;

    /// Answers from a script, one entry per attempt, and records what it was asked.
    struct Scripted {
        answers: Mutex<Vec<Attempt>>,
        seen: Mutex<Vec<(String, i64)>>,
    }

    #[async_trait::async_trait]
    impl Send for Scripted {
        async fn send(&self, d: &Delivery, _: &StoredRequest, now: DateTime<Utc>) -> Attempt {
            self.seen.lock().expect("lock").push((d.id.clone(), now.timestamp()));
            let mut a = self.answers.lock().expect("lock");
            if a.is_empty() { Attempt::Delivered } else { a.remove(0) }
        }
    }

    fn request(id: &str, at: i64) -> StoredRequest {
        StoredRequest {
            id: id.into(),
            idempotency_key: id.into(),
            body_hash: "h".into(),
            plan: "basic".into(),
            email: "jo@example.com".into(),
            name: None,
            subject: None,
            message: "m".into(),
            time_zone: None,
            locale: None,
            received_at: at,
            release_at: at,
            respond_by: at + 3600,
            acked_at: None,
            spam: None,
        }
    }

    #[tokio::test]
    async fn a_failed_attempt_is_retried_after_retry_after_and_then_delivered() {
        let dir = std::env::temp_dir().join(format!("replyby-worker-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let store: Arc<dyn RequestStore> = Arc::new(SqliteStore::open(&dir.join("q.db")).expect("store"));
        let t0 = 1_800_000_000;
        let d = NewDelivery {
            id: "dlv_1".into(),
            kind: DeliveryKind::Webhook,
            target: "http://127.0.0.1:9/h".into(),
            event: Some("request.received".into()),
            due_at: t0,
        };
        store.insert(request("req_1", t0), vec![d]).await.expect("insert");
        let sender = Arc::new(Scripted {
            answers: Mutex::new(vec![Attempt::Failed { retry_after: Some(120), error: "HTTP 503".into() }]),
            seen: Mutex::default(),
        });
        // A clock the test moves by hand.
        let now = Arc::new(std::sync::atomic::AtomicI64::new(t0));
        let n = now.clone();
        let clock: Arc<dyn Fn() -> DateTime<Utc> + std::marker::Send + Sync> = Arc::new(move || {
            DateTime::from_timestamp(n.load(std::sync::atomic::Ordering::SeqCst), 0).unwrap_or_default()
        });
        let worker =
            Worker { store: store.clone(), clock, sender: sender.clone(), wake: Arc::default(), id: "w1".into() };
        let task = tokio::spawn(worker.run());
        let state = |store: Arc<dyn RequestStore>| async move {
            store.deliveries(None, vec!["req_1".into()]).await.expect("deliveries")[0].clone()
        };
        // First attempt fails: rescheduled no earlier than Retry-After.
        for _ in 0..200 {
            if state(store.clone()).await.last_error.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let d = state(store.clone()).await;
        assert_eq!((d.state.as_str(), d.attempts, d.last_error.as_deref()), ("pending", 1, Some("HTTP 503")));
        assert!(d.due_at >= t0 + 120, "due {} < Retry-After", d.due_at - t0);
        // Not before it is due, however often the worker looks.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(sender.seen.lock().expect("lock").len(), 1);
        // Move the clock past it: delivered on the second attempt.
        now.store(d.due_at, std::sync::atomic::Ordering::SeqCst);
        for _ in 0..200 {
            if state(store.clone()).await.state == "delivered" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let d = state(store.clone()).await;
        assert_eq!((d.state.as_str(), d.attempts), ("delivered", 2));
        task.abort();
    }
}
