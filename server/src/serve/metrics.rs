//! Every metric replyby exports, named once, here, in Prometheus' conventions: counters end in
//! `_total`, units are in the name (`_seconds`), labels hold only bounded values (plan ids
//! from the config, route templates, kinds, states), never anything a customer typed.
//!
//! | metric | type | labels |
//! | --- | --- | --- |
//! | `replyby_requests_received_total` | counter | `plan`, `state` (`open`, `deferred`, `spam`) |
//! | `replyby_idempotent_replays_total` | counter | |
//! | `replyby_rate_limited_total` | counter (each `429`) | |
//! | `replyby_http_request_duration_seconds` | histogram | `method`, `route` (the template), `status` |
//! | `replyby_delivery_attempts_total` | counter | `kind`, `result` (`delivered`, `failed`, `gone`, `dead`) |
//! | `replyby_deliveries` | gauge (the store, at each scrape) | `kind`, `state` (`pending`, `delivered`, `dead`) |
//! | `replyby_oldest_pending_delivery_age_seconds` | gauge: how long the oldest due, pending delivery has been due | |
//! | `replyby_overdue_requests` | gauge: released, unacknowledged requests past `respond_by` | |
//! | `replyby_store_up` | gauge: 1 when the store answered this scrape, else 0 (the three store gauges then keep their last values) | |

use super::deliver::worker::{Attempt, Send};
use super::store::ops::OpsStats;
use super::store::{Delivery, DeliveryKind, StoredRequest};
use chrono::{DateTime, Utc};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PlanState {
    plan: String,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Http {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindResult {
    kind: String,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindState {
    kind: String,
    state: String,
}

/// 1 ms to about 16 s: intake waits for a commit (fsync), so milliseconds matter.
fn http_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The registry and every metric in it.
pub struct Metrics {
    registry: Registry,
    received: Family<PlanState, Counter>,
    replays: Counter,
    rate_limited: Counter,
    http: Family<Http, Histogram, fn() -> Histogram>,
    attempts: Family<KindResult, Counter>,
    deliveries: Family<KindState, Gauge>,
    oldest_pending: Gauge,
    overdue: Gauge,
    store_up: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let received = Family::<PlanState, Counter>::default();
        registry.register(
            "replyby_requests_received",
            "Requests newly stored, by plan and state at receipt (open, deferred, spam)",
            received.clone(),
        );
        let replays = Counter::default();
        registry.register(
            "replyby_idempotent_replays",
            "Requests answered with the first answer for their Idempotency-Key",
            replays.clone(),
        );
        let rate_limited = Counter::default();
        registry.register("replyby_rate_limited", "Answers 429 Too Many Requests", rate_limited.clone());
        let http = Family::<Http, Histogram, fn() -> Histogram>::new_with_constructor(http_histogram);
        registry.register_with_unit(
            "replyby_http_request_duration",
            "HTTP request latency by method, route template and status",
            Unit::Seconds,
            http.clone(),
        );
        let attempts = Family::<KindResult, Counter>::default();
        registry.register(
            "replyby_delivery_attempts",
            "Delivery attempts by kind (webhook, team_email, receipt) and result",
            attempts.clone(),
        );
        let deliveries = Family::<KindState, Gauge>::default();
        registry.register("replyby_deliveries", "Deliveries in the store by kind and state", deliveries.clone());
        let oldest_pending = Gauge::default();
        registry.register_with_unit(
            "replyby_oldest_pending_delivery_age",
            "How long the oldest pending delivery has been due (0 when none is due)",
            Unit::Seconds,
            oldest_pending.clone(),
        );
        let overdue = Gauge::default();
        registry.register(
            "replyby_overdue_requests",
            "Released, unacknowledged requests whose respond_by has passed",
            overdue.clone(),
        );
        let store_up = Gauge::default();
        registry.register(
            "replyby_store_up",
            "1 when the store answered this scrape; 0 when it did not (the store's gauges keep their last values)",
            store_up.clone(),
        );
        Metrics {
            registry,
            received,
            replays,
            rate_limited,
            http,
            attempts,
            deliveries,
            oldest_pending,
            overdue,
            store_up,
        }
    }

    /// A request newly stored: `state` is `open`, `deferred` or `spam`.
    pub fn received(&self, plan: &str, state: &'static str) {
        self.received.get_or_create(&PlanState { plan: plan.to_owned(), state }).inc();
    }

    /// A replay of a stored request.
    pub fn replay(&self) {
        self.replays.inc();
    }

    /// One HTTP answer; `route` is the matched template (`/v1/queue/{id}/ack`).
    pub fn http(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if status == 429 {
            self.rate_limited.inc();
        }
        self.http.get_or_create(&Http { method: method.to_owned(), route: route.to_owned(), status }).observe(seconds);
    }

    /// One delivery attempt and how it ended.
    pub fn attempt(&self, kind: &str, attempt: &Attempt) {
        let result = match attempt {
            Attempt::Delivered => "delivered",
            Attempt::Failed { .. } => "failed",
            Attempt::Gone { .. } => "gone",
            Attempt::Dead { .. } => "dead",
        };
        self.attempts.get_or_create(&KindResult { kind: kind.to_owned(), result }).inc();
    }

    /// The exposition (OpenMetrics text), with the store's gauges set from `stats` at `now`;
    /// without stats (the store did not answer) the counters still go out.
    pub fn render(&self, stats: Option<&OpsStats>, now: i64) -> String {
        self.store_up.set(i64::from(stats.is_some()));
        if let Some(stats) = stats {
            self.set_store_gauges(stats, now);
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    fn set_store_gauges(&self, stats: &OpsStats, now: i64) {
        // Every kind and state, so a series that drops to zero reads 0 rather than vanishing.
        for kind in [DeliveryKind::Webhook, DeliveryKind::TeamEmail, DeliveryKind::Receipt] {
            for state in ["pending", "delivered", "dead"] {
                let n = stats.deliveries.iter().find(|(k, s, _)| k == kind.as_str() && s == state).map_or(0, |d| d.2);
                self.deliveries.get_or_create(&KindState { kind: kind.as_str().into(), state: state.into() }).set(n);
            }
        }
        self.oldest_pending.set(stats.oldest_pending_due.map_or(0, |due| (now - due).max(0)));
        self.overdue.set(stats.overdue_released);
    }
}

/// A sender that counts and logs each attempt of the one it wraps. The log line names the
/// delivery, its kind and request (ids only) and the outcome, with addresses taken out.
pub struct Counted {
    pub inner: Arc<dyn Send>,
    pub metrics: Arc<Metrics>,
}

#[async_trait::async_trait]
impl Send for Counted {
    async fn send(&self, delivery: &Delivery, request: &StoredRequest, now: DateTime<Utc>) -> Attempt {
        let started = std::time::Instant::now();
        let attempt = self.inner.send(delivery, request, now).await;
        self.metrics.attempt(&delivery.kind, &attempt);
        let ms = started.elapsed().as_millis() as u64;
        let (outcome, error) = match &attempt {
            Attempt::Delivered => ("delivered", String::new()),
            Attempt::Failed { error, .. } => ("failed", super::logs::redact(error)),
            Attempt::Gone { error } => ("gone", super::logs::redact(error)),
            Attempt::Dead { error } => ("dead", super::logs::redact(error)),
        };
        tracing::info!(
            delivery = %delivery.id,
            kind = %delivery.kind,
            request = %request.id,
            attempt = delivery.attempts,
            outcome,
            error,
            latency_ms = ms,
            "delivery attempt"
        );
        attempt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_conventions_and_every_delivery_series_is_present() {
        let m = Metrics::new();
        m.received("basic", "deferred");
        m.http("POST", "/v1/requests", 429, 0.002);
        let text = m.render(Some(&OpsStats { oldest_pending_due: Some(90), ..OpsStats::default() }), 100);
        assert!(text.contains("replyby_requests_received_total{plan=\"basic\",state=\"deferred\"} 1"), "{text}");
        assert!(text.contains("replyby_rate_limited_total 1"), "{text}");
        assert!(text.contains("# TYPE replyby_http_request_duration_seconds histogram"), "{text}");
        assert!(text.contains("replyby_deliveries{kind=\"receipt\",state=\"dead\"} 0"), "{text}");
        assert!(text.contains("replyby_oldest_pending_delivery_age_seconds 10"), "{text}");
        assert!(text.trim_end().ends_with("# EOF"), "{text}");
        assert!(text.contains("replyby_store_up 1"), "{text}");
        let down = m.render(None, 200);
        assert!(down.contains("replyby_store_up 0") && down.contains("replyby_rate_limited_total 1"), "{down}");
        assert!(down.contains("replyby_oldest_pending_delivery_age_seconds 10"), "the last value is kept: {down}");
    }
}
