//! `POST /v1/requests` bodies: parsed leniently, validated strictly, every field error at once.

use super::error::FieldError;
use replyby_core::{Schedule, TzTable, ZoneDb};
use serde::Serialize;
use serde_json::Value;

/// A valid new request, as stored and hashed (field order fixed, so the hash is stable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewRequest {
    pub plan: String,
    pub email: String,
    pub name: Option<String>,
    pub subject: Option<String>,
    pub message: String,
    pub time_zone: Option<String>,
    pub locale: Option<String>,
    /// The widget's hidden trap field: a person never sees it, so anything in it came from a bot.
    pub website: Option<String>,
    /// Milliseconds between the form being shown and sent, as the widget measured it.
    pub fill_ms: Option<u64>,
}

/// Faster than this from showing the form to sending it, no person typed the request.
pub const MIN_FILL_MS: u64 = 1500;

const KNOWN: [&str; 9] = ["plan", "email", "name", "subject", "message", "time_zone", "locale", "website", "fill_ms"];

fn err(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.to_owned(), message: message.into() }
}

impl NewRequest {
    /// Validates a JSON body against the server's own config.
    pub fn parse(body: &Value, schedule: &Schedule) -> Result<NewRequest, Vec<FieldError>> {
        let mut errors = Vec::new();
        let Some(obj) = body.as_object() else {
            return Err(vec![err("", "the body must be a JSON object")]);
        };
        for key in obj.keys().filter(|k| !KNOWN.contains(&k.as_str())) {
            errors.push(err(key, format!("unknown field \"{key}\"")));
        }
        let mut text = |field: &str, required: bool, max: usize| -> Option<String> {
            match obj.get(field) {
                None | Some(Value::Null) => {
                    if required {
                        errors.push(err(field, "is required"));
                    }
                    None
                }
                Some(Value::String(s)) if s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) => {
                    // NUL and the like: no store keeps them faithfully (PostgreSQL refuses NUL).
                    errors.push(err(field, "must not contain control characters"));
                    None
                }
                Some(Value::String(s)) => {
                    let t = s.trim();
                    if t.is_empty() {
                        if required {
                            errors.push(err(field, "must not be empty"));
                        }
                        None
                    } else if t.chars().count() > max {
                        errors.push(err(field, format!("is longer than {max} characters")));
                        None
                    } else {
                        Some(t.to_owned())
                    }
                }
                Some(_) => {
                    errors.push(err(field, "must be a string"));
                    None
                }
            }
        };
        let plan = text("plan", true, 100);
        let email = text("email", true, 254);
        let name = text("name", false, 200);
        let subject = text("subject", false, 300);
        let message = text("message", true, 20_000);
        let time_zone = text("time_zone", false, 64);
        let locale = text("locale", false, 35);
        // The trap's content is kept as sent (within the body limit), never refused: a bot
        // must see the same answer as a person.
        let website = match obj.get("website") {
            Some(Value::String(w)) if !w.trim().is_empty() => Some(w.chars().take(200).collect()),
            _ => None,
        };
        let fill_ms = match obj.get("fill_ms") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(n) => Some(n),
                None => {
                    errors.push(err("fill_ms", "must be a whole number of milliseconds"));
                    None
                }
            },
        };
        if let Some(p) = &plan
            && schedule.plan_index(p).is_none()
        {
            let known: Vec<&str> = schedule.plans.iter().map(|p| p.id.as_str()).collect();
            errors.push(err("plan", format!("unknown plan \"{p}\" (plans: {})", known.join(", "))));
        }
        if let Some(e) = &email
            && !replyby_core::text::plausible_email(e)
        {
            errors.push(err("email", "is not an e-mail address"));
        }
        if let Some(z) = &time_zone
            && TzTable.zone(z).is_none()
        {
            errors.push(err("time_zone", format!("unknown time zone \"{z}\"")));
        }
        if let Some(l) = &locale
            && !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errors.push(err("locale", "is not a language tag like \"en-GB\""));
        }
        match (plan, email, message) {
            (Some(plan), Some(email), Some(message)) if errors.is_empty() => {
                Ok(NewRequest { plan, email, name, subject, message, time_zone, locale, website, fill_ms })
            }
            _ => Err(errors),
        }
    }
}

/// How a reason from [`NewRequest::spam_reason`] starts when the hidden field was filled in.
const WEBSITE_FILLED: &str = "the hidden Website field was filled in";

/// A spam reason's kind, for the log: the reason itself quotes what was typed in the hidden
/// field, which can be anything a person typed there.
pub fn spam_kind(reason: &str) -> &'static str {
    if reason.starts_with(WEBSITE_FILLED) { "website_field" } else { "fill_time" }
}

impl NewRequest {
    /// Why this request looks like a bot's, if it does. Such a request is stored and answered
    /// like any other, so neither a bot nor a person who tripped a check by mistake can tell;
    /// staff see it with `?include=spam`.
    pub fn spam_reason(&self) -> Option<String> {
        if let Some(w) = &self.website {
            return Some(format!("{WEBSITE_FILLED} (\"{w}\")"));
        }
        match self.fill_ms {
            Some(ms) if ms < MIN_FILL_MS => Some(format!("sent {ms} ms after the form was shown")),
            _ => None,
        }
    }
}
