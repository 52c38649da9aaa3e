//! `POST /v1/requests`: the intake. Validated, quoted from the live schedule (never the
//! client's times), committed with its deliveries, then answered `201`.

use super::error::AppError;
use super::new_request::NewRequest;
use super::state::AppState;
use super::store::{Inserted, StoredRequest};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::DateTime;
use replyby_core::engine::rfc3339;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 64 * 1024;

/// `POST /v1/requests`, cross-origin for the live config's `queue.allowed_origins`.
pub fn routes(state: &AppState) -> Router<AppState> {
    let live = state.live.clone();
    let posting = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            let schedule = live.schedule();
            let allowed = schedule.config.queue.as_ref().map(|q| q.allowed_origins.as_slice()).unwrap_or_default();
            origin.to_str().is_ok_and(|o| allowed.iter().any(|a| a == o))
        }))
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE, header::HeaderName::from_static("idempotency-key")])
        .expose_headers([header::RETRY_AFTER]);
    Router::new().route("/v1/requests", post(create_request)).layer(DefaultBodyLimit::max(BODY_LIMIT)).layer(posting)
}

/// The API's view of a request.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, Clone)]
pub struct RequestView {
    pub id: String,
    pub plan: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub message: Option<String>,
    pub received_at: String,
    pub release_at: String,
    pub respond_by: String,
    /// `deferred` (held until release_at) or `open`.
    pub state: String,
    /// Staff only: why a bot check tripped.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub spam: Option<String>,
}

pub fn at(secs: i64) -> String {
    rfc3339::format(&DateTime::from_timestamp(secs, 0).unwrap_or_default())
}

pub fn view(r: &StoredRequest, now: Option<i64>, staff: bool) -> RequestView {
    // The 201 reports the state at receipt (so a replay is identical); the queue, the state now.
    let reference = now.unwrap_or(r.received_at);
    RequestView {
        id: r.id.clone(),
        plan: r.plan.clone(),
        email: staff.then(|| r.email.clone()),
        name: r.name.clone().filter(|_| staff),
        subject: r.subject.clone().filter(|_| staff),
        message: staff.then(|| r.message.clone()),
        received_at: at(r.received_at),
        release_at: at(r.release_at),
        respond_by: at(r.respond_by),
        state: if r.release_at > reference { "deferred" } else { "open" }.to_owned(),
        spam: r.spam.clone().filter(|_| staff),
    }
}

fn key_of(headers: &HeaderMap) -> Result<String, AppError> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    if key.is_empty() {
        return Err(AppError::MissingKey);
    }
    if key.chars().count() > 200 {
        return Err(AppError::KeyTooLong);
    }
    Ok(key.to_owned())
}

/// Removes a key from the in-flight set however the handler ends.
struct InFlight(Arc<Mutex<HashSet<String>>>, String);
impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut set) = self.0.lock() {
            set.remove(&self.1);
        }
    }
}

async fn create_request(
    State(s): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, AppError> {
    if let Some(limiter) = &s.limiter
        && let Err(not_until) = limiter.check_key(&peer.ip())
    {
        let wait = not_until.wait_time_from(governor::clock::Clock::now(&governor::clock::DefaultClock::default()));
        return Err(AppError::RateLimited(wait.as_secs().max(1)));
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE { AppError::TooLarge } else { AppError::BadJson(e.body_text()) }
    })?;
    let key = key_of(&headers)?;
    let json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| AppError::BadJson(e.to_string()))?;
    // One read of the live schedule for the whole request: no half of a change.
    let schedule = s.live.schedule();
    let new = NewRequest::parse(&json, &schedule).map_err(AppError::Invalid)?;
    let hash = format!("{:x}", Sha256::digest(serde_json::to_vec(&new).unwrap_or_default()));

    let _guard = {
        let mut set = s.in_flight.lock().map_err(|_| AppError::Internal("in-flight lock".into()))?;
        if !set.insert(key.clone()) {
            return Err(AppError::InFlight);
        }
        InFlight(s.in_flight.clone(), key.clone())
    };

    // The server computes the times from its own config; the client's are never trusted.
    let now = (s.clock)();
    let quote = schedule.quote(&new.plan, now).map_err(|e| AppError::Internal(e.to_string()))?;
    let spam = new.spam_reason();
    let row = StoredRequest {
        id: format!("req_{}", uuid::Uuid::new_v4().simple()),
        idempotency_key: key,
        body_hash: hash.clone(),
        plan: new.plan,
        email: new.email,
        name: new.name,
        subject: new.subject,
        message: new.message,
        time_zone: new.time_zone,
        locale: new.locale,
        received_at: quote.submitted_at.timestamp(),
        release_at: quote.release_at.timestamp(),
        respond_by: quote.respond_by.timestamp(),
        acked_at: None,
        spam,
    };
    let deliveries = s.routes.for_new_request(&row);
    let stored = match s.store.insert(row, deliveries).await? {
        Inserted::New(r) => {
            match &r.spam {
                None => {
                    let state = if r.release_at > r.received_at { "deferred" } else { "open" };
                    s.ops.metrics.received(&r.plan, state);
                    tracing::info!(id = %r.id, plan = %r.plan, release_at = r.release_at, "request received");
                    s.wake.notify_one();
                }
                Some(why) => {
                    s.ops.metrics.received(&r.plan, "spam");
                    tracing::warn!(id = %r.id, plan = %r.plan, reason = super::new_request::spam_kind(why), "request kept as suspected spam")
                }
            }
            r
        }
        Inserted::Existing(r) if r.body_hash == hash => {
            s.ops.metrics.replay();
            r
        }
        Inserted::Existing(_) => return Err(AppError::KeyReused),
    };
    Ok((StatusCode::CREATED, Json(view(&stored, None, false))).into_response())
}
