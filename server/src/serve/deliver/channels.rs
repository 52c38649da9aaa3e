//! The real senders behind the worker: webhooks, the team e-mail and the receipt, as the
//! settings file configures them.

use super::worker::{Attempt, Send};
use super::{email, webhook};
use crate::serve::live::Live;
use crate::serve::store::{Delivery, DeliveryKind, RequestStore, StoredRequest};
use crate::settings::{Event, Settings};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::sync::Arc;

/// What the worker sends with.
pub struct Channels {
    pub settings: Settings,
    /// The live schedule: e-mails name the plan and the team's zone as they are now.
    pub live: Live,
    pub store: Arc<dyn RequestStore>,
    /// Built once from `[smtp]`; `None` without it.
    pub mailer: Option<email::Mailer>,
    /// The receipt's sentences in a language (`receipt.subject` …), from the widget's catalogs.
    pub catalog: fn(&str, &str) -> Option<String>,
}

impl Channels {
    /// The senders for these settings.
    pub fn new(
        settings: Settings,
        live: Live,
        store: Arc<dyn RequestStore>,
        catalog: fn(&str, &str) -> Option<String>,
    ) -> Result<Channels, String> {
        let mailer = settings.smtp.as_ref().map(email::Mailer::new).transpose()?;
        Ok(Channels { settings, live, store, mailer, catalog })
    }

    /// The zone of the first team of the plan's coverage (UTC for a coverage with no team).
    fn team_zone(&self, plan: &str) -> Tz {
        let s = self.live.schedule();
        s.plan_index(plan)
            .and_then(|p| s.coverages[s.plans[p].coverage].teams.first().copied())
            .and_then(|t| s.config.teams.get(t))
            .and_then(|t| t.timezone.parse().ok())
            .unwrap_or(chrono_tz::UTC)
    }

    async fn webhook(&self, d: &Delivery, r: &StoredRequest, now: DateTime<Utc>) -> Attempt {
        let Some(endpoint) = self.settings.webhook(&d.target) else {
            return Attempt::Dead { error: format!("{} is no longer in the settings", d.target) };
        };
        if let Ok(disabled) = self.store.disabled_endpoints().await
            && let Some(gone) = disabled.iter().find(|e| e.url == d.target)
        {
            return Attempt::Dead { error: format!("not sent: the endpoint is disabled ({})", gone.reason) };
        }
        let Some(event) = d.event.as_deref().and_then(Event::parse) else {
            return Attempt::Dead { error: format!("unknown event {:?}", d.event) };
        };
        // When the event happened, so every retry sends the very same body.
        let happened = match event {
            Event::Received => r.received_at,
            Event::Released => r.release_at,
            Event::Acknowledged => r.acked_at.unwrap_or(d.due_at),
        };
        let body = webhook::event_body(event, DateTime::from_timestamp(happened, 0).unwrap_or_default(), r);
        let headers = webhook::Headers::new(&endpoint.secret, &d.id, now, &body);
        webhook::deliver(&endpoint.url, endpoint.allow_private, webhook::TIMEOUT, &headers, body).await.into()
    }

    async fn mail(&self, d: &Delivery, r: &StoredRequest, now: DateTime<Utc>) -> Attempt {
        let (Some(team), Some(mailer)) = (&self.settings.team, &self.mailer) else {
            return Attempt::Dead { error: "no [team] and [smtp] in the settings".into() };
        };
        let schedule = self.live.schedule();
        let company = &schedule.config.company;
        let team_zone = self.team_zone(&r.plan);
        let message = if d.kind == DeliveryKind::TeamEmail.as_str() {
            let plan_name = schedule.plan_index(&r.plan).map_or(r.plan.as_str(), |p| &schedule.plans[p].name);
            email::team_email(&email::TeamEmail {
                request: r,
                team,
                company,
                plan_name,
                team_zone,
                delivery_id: &d.id,
                now,
            })
        } else {
            // The receipt quotes nothing the sender typed (no name, subject or message): the
            // API is public, and a receipt must not carry someone's words to a stranger.
            let quiet = StoredRequest { name: None, subject: None, message: String::new(), ..r.clone() };
            let language = crate::serve::catalog::language(r.locale.as_deref().unwrap_or("en"));
            let locale = if language == "en" { "en".to_owned() } else { r.locale.clone().unwrap_or_default() };
            let lookup = |key: &str| (self.catalog)(language, key);
            email::receipt(
                &email::Receipt { request: &quiet, team, company, team_zone, locale: &locale, delivery_id: &d.id, now },
                &lookup,
            )
        };
        match message {
            Ok(m) => mailer.send(&m).await.into(),
            Err(e) => Attempt::Dead { error: e.to_string() },
        }
    }
}

#[async_trait::async_trait]
impl Send for Channels {
    async fn send(&self, d: &Delivery, r: &StoredRequest, now: DateTime<Utc>) -> Attempt {
        match DeliveryKind::parse(&d.kind) {
            Some(DeliveryKind::Webhook) => self.webhook(d, r, now).await,
            Some(DeliveryKind::TeamEmail | DeliveryKind::Receipt) => self.mail(d, r, now).await,
            None => Attempt::Dead { error: format!("unknown delivery kind \"{}\"", d.kind) },
        }
    }
}
