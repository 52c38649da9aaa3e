//! What to deliver for a request, and when to try again: pure functions, no I/O.

use crate::serve::store::{Completion, DeliveryKind, NewDelivery, StoredRequest};

/// The webhook events, as named in the settings and in each event's `type`.
pub const RECEIVED: &str = "request.received";
/// Sent at `release_at`.
pub const RELEASED: &str = "request.released";
/// Sent when staff ack a request.
pub const ACKNOWLEDGED: &str = "request.acknowledged";

/// Where deliveries go, from the settings file: enough to schedule them (the secrets and
/// transports stay with the worker).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routes {
    /// Each webhook endpoint's URL and the events it takes.
    pub webhooks: Vec<(String, Vec<String>)>,
    /// The team's address, when released requests are e-mailed.
    pub team_email: Option<String>,
    /// Whether customers get a receipt.
    pub receipts: bool,
}

fn new_id() -> String {
    format!("dlv_{}", uuid::Uuid::new_v4().simple())
}

impl Routes {
    fn webhooks_for(&self, event: &'static str, due_at: i64) -> impl Iterator<Item = NewDelivery> + '_ {
        self.webhooks.iter().filter(move |(_, events)| events.iter().any(|e| e == event)).map(move |(url, _)| {
            NewDelivery {
                id: new_id(),
                kind: DeliveryKind::Webhook,
                target: url.clone(),
                event: Some(event.to_owned()),
                due_at,
            }
        })
    }

    /// The deliveries of a new request: `request.received` and the receipt at once; the team
    /// e-mail and `request.released` at `release_at` (at once when the team is open). A
    /// request that tripped a bot check gets none: it waits for staff, and nobody is mailed.
    pub fn for_new_request(&self, r: &StoredRequest) -> Vec<NewDelivery> {
        if r.spam.is_some() {
            return Vec::new();
        }
        let mut out: Vec<NewDelivery> = self.webhooks_for(RECEIVED, r.received_at).collect();
        if self.receipts {
            out.push(NewDelivery {
                id: new_id(),
                kind: DeliveryKind::Receipt,
                target: r.email.clone(),
                event: None,
                due_at: r.received_at,
            });
        }
        if let Some(team) = &self.team_email {
            out.push(NewDelivery {
                id: new_id(),
                kind: DeliveryKind::TeamEmail,
                target: team.clone(),
                event: None,
                due_at: r.release_at,
            });
        }
        out.extend(self.webhooks_for(RELEASED, r.release_at));
        out
    }

    /// The deliveries of an ack.
    pub fn for_ack(&self, now: i64) -> Vec<NewDelivery> {
        self.webhooks_for(ACKNOWLEDGED, now).collect()
    }
}

/// Retries stop this long after a delivery was scheduled: about three days, as Standard
/// Webhooks recommends.
pub const GIVE_UP_AFTER_SECS: i64 = 3 * 24 * 3600;
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 6 * 3600;
/// The longest `Retry-After` honoured (a receiver asking for more waits this long).
const MAX_RETRY_AFTER_SECS: i64 = 24 * 3600;

/// The wait after the `attempts`-th failed attempt: 5 s, 20 s, 80 s … (×4) up to 6 h, with
/// jitter over the upper half (`jitter` in 0..1), so many failed deliveries do not retry in
/// lockstep. Close to Standard Webhooks' suggested schedule (5 s, 5 min, 30 min, 2 h, 5 h …).
pub fn backoff_secs(attempts: i64, jitter: f64) -> i64 {
    let base = 5i64.saturating_mul(1i64 << (2 * (attempts.clamp(1, 11) - 1))).min(MAX_BACKOFF_SECS);
    let jitter = jitter.clamp(0.0, 1.0);
    (base as f64 * (0.5 + 0.5 * jitter)).round() as i64
}

/// What a failed attempt becomes: another try at `now + max(backoff, Retry-After)`, or dead
/// once the next try would fall after [`GIVE_UP_AFTER_SECS`] from `created_at`.
pub fn after_failure(
    attempts: i64,
    created_at: i64,
    now: i64,
    retry_after: Option<i64>,
    jitter: f64,
    error: String,
) -> Completion {
    let wait = backoff_secs(attempts, jitter).max(retry_after.unwrap_or(0).clamp(0, MAX_RETRY_AFTER_SECS));
    let at = now + wait;
    if at - created_at > GIVE_UP_AFTER_SECS {
        Completion::Dead { error: format!("gave up after {attempts} attempts over about three days; last: {error}") }
    } else {
        Completion::RetryAt { at, error }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(spam: Option<&str>) -> StoredRequest {
        StoredRequest {
            id: "req_1".into(),
            idempotency_key: "k".into(),
            body_hash: "h".into(),
            plan: "basic".into(),
            email: "Jo@Example.com".into(),
            name: None,
            subject: None,
            message: "m".into(),
            time_zone: None,
            locale: None,
            received_at: 1000,
            release_at: 5000,
            respond_by: 9000,
            acked_at: None,
            spam: spam.map(str::to_owned),
        }
    }

    fn routes() -> Routes {
        Routes {
            webhooks: vec![
                ("https://a.example/h".into(), vec![RECEIVED.into(), RELEASED.into(), ACKNOWLEDGED.into()]),
                ("https://b.example/h".into(), vec![RELEASED.into()]),
            ],
            team_email: Some("support@acme.example".into()),
            receipts: true,
        }
    }

    #[test]
    fn a_deferred_request_gets_its_receipt_now_and_its_release_later() {
        let d = routes().for_new_request(&request(None));
        let at = |kind: DeliveryKind, event: Option<&str>| -> Vec<(String, i64)> {
            d.iter()
                .filter(|x| x.kind == kind && x.event.as_deref() == event)
                .map(|x| (x.target.clone(), x.due_at))
                .collect()
        };
        assert_eq!(at(DeliveryKind::Receipt, None), vec![("Jo@Example.com".to_owned(), 1000)]);
        assert_eq!(at(DeliveryKind::TeamEmail, None), vec![("support@acme.example".to_owned(), 5000)]);
        assert_eq!(at(DeliveryKind::Webhook, Some(RECEIVED)), vec![("https://a.example/h".to_owned(), 1000)]);
        assert_eq!(
            at(DeliveryKind::Webhook, Some(RELEASED)),
            vec![("https://a.example/h".to_owned(), 5000), ("https://b.example/h".to_owned(), 5000)]
        );
        assert_eq!(d.len(), 5);
        let mut ids: Vec<&str> = d.iter().map(|x| x.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 5, "one id per delivery");
    }

    #[test]
    fn suspected_spam_gets_no_delivery_and_acks_only_webhooks() {
        assert!(routes().for_new_request(&request(Some("trap"))).is_empty());
        let acks = routes().for_ack(7);
        assert_eq!(acks.len(), 1);
        assert_eq!((acks[0].event.as_deref(), acks[0].due_at), (Some(ACKNOWLEDGED), 7));
    }

    #[test]
    fn backoff_grows_with_jitter_and_gives_up_after_three_days() {
        assert_eq!(backoff_secs(1, 1.0), 5);
        assert_eq!(backoff_secs(1, 0.0), 3);
        assert_eq!(backoff_secs(3, 1.0), 80);
        assert_eq!(backoff_secs(30, 1.0), 6 * 3600);
        // Retry-After wins when longer than the backoff.
        assert_eq!(
            after_failure(1, 0, 100, Some(600), 1.0, "x".into()),
            Completion::RetryAt { at: 700, error: "x".into() }
        );
        assert_eq!(
            after_failure(1, 0, 100, Some(2), 1.0, "x".into()),
            Completion::RetryAt { at: 105, error: "x".into() }
        );
        // Walk the schedule with the most patient jitter: it ends dead, after about three days.
        let (mut now, mut attempts) = (0i64, 1i64);
        loop {
            match after_failure(attempts, 0, now, None, 1.0, "down".into()) {
                Completion::RetryAt { at, .. } => {
                    now = at;
                    attempts += 1;
                }
                Completion::Dead { error } => {
                    assert!(error.contains("gave up"), "{error}");
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        assert!((2 * 24 * 3600..=GIVE_UP_AFTER_SECS).contains(&now), "last try at {now} s");
        assert!((15..=30).contains(&attempts), "{attempts} attempts");
    }
}
