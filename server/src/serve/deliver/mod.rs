//! The hand-off: what each request owes the team and the customer, and the worker that sends it.
//!
//! `outbox` decides what to deliver and when to try again, `worker` leases and sends. The
//! senders are pure builders plus one small async function each: `webhook` (Standard Webhooks
//! signing, the event body, an HTTP client that refuses private addresses), `email` (the team
//! e-mail and the customer's receipt, and SMTP sending), `ics` (the receipt's `reply-by.ics`
//! and the iCalendar writing the closed-days feed shares). Each send ends in an [`Outcome`];
//! `channels` puts them behind the worker, as the settings configure them.

pub mod channels;
pub mod outbox;
pub mod worker;

pub mod email;
pub mod ics;
pub mod webhook;

use std::time::Duration;

/// How one send went, whatever the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver took it: a 2xx, or the SMTP server accepted the message.
    Delivered,
    /// It did not arrive; worth another try (no sooner than `after` when the receiver said).
    /// `reason` is for staff: `HTTP 503`, `timed out after 10 s`, `permanent SMTP error 550 …`.
    Retry {
        /// The receiver's `Retry-After`, if any.
        after: Option<Duration>,
        /// What happened, in a sentence; never a secret.
        reason: String,
    },
    /// The webhook endpoint answered `410 Gone`: disable it.
    Gone {
        /// What happened, for staff.
        reason: String,
    },
}

impl From<Outcome> for worker::Attempt {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Delivered => worker::Attempt::Delivered,
            Outcome::Retry { after, reason } => worker::Attempt::Failed {
                // Whole seconds, rounded up: never sooner than the receiver asked.
                retry_after: after
                    .map(|d| i64::try_from(d.as_secs() + u64::from(d.subsec_nanos() > 0)).unwrap_or(i64::MAX)),
                error: reason,
            },
            Outcome::Gone { reason } => worker::Attempt::Gone { error: reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_become_worker_attempts_rounding_retry_after_up() {
        let a: worker::Attempt =
            Outcome::Retry { after: Some(Duration::from_millis(7_200)), reason: "HTTP 429".into() }.into();
        assert_eq!(a, worker::Attempt::Failed { retry_after: Some(8), error: "HTTP 429".into() });
        assert_eq!(worker::Attempt::from(Outcome::Delivered), worker::Attempt::Delivered);
        assert_eq!(
            worker::Attempt::from(Outcome::Gone { reason: "HTTP 410".into() }),
            worker::Attempt::Gone { error: "HTTP 410".into() }
        );
    }
}
