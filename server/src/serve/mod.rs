//! `replyby serve`: the deferred queue, the public config and closed-days feed, and the
//! built widget with its demo page.

pub mod catalog;
pub mod deliver;
pub mod error;
pub mod ics;
pub mod new_request;
pub mod staff;
pub mod store;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Days, Utc};
use deliver::outbox::Routes;
use error::AppError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use new_request::NewRequest;
use replyby_core::Schedule;
use replyby_core::engine::rfc3339;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use store::{Include, Inserted, RequestStore, StoredRequest};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::services::ServeDir;

/// Largest accepted request body.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub schedule: Arc<Schedule>,
    pub store: Arc<dyn RequestStore>,
    pub staff_token: Arc<str>,
    /// Idempotency keys whose first request is still being processed.
    pub in_flight: Arc<Mutex<HashSet<String>>>,
    pub limiter: Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    /// The clock, so tests can stand at a chosen instant.
    pub clock: Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>,
    /// Where deliveries go (from `--settings`; none without it).
    pub routes: Arc<Routes>,
    /// Wakes the delivery worker when something new is due.
    pub wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(schedule: Schedule, store: Arc<dyn RequestStore>, staff_token: String, per_minute: u32) -> AppState {
        let limiter = NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
        AppState {
            schedule: Arc::new(schedule),
            store,
            staff_token: staff_token.into(),
            in_flight: Arc::default(),
            limiter,
            clock: Arc::new(Utc::now),
            routes: Arc::default(),
            wake: Arc::default(),
        }
    }
}

/// A clock that reads `start` at the moment it is made and runs on at the real rate: for
/// tests that need the server to stand at a chosen instant (`serve --test-clock`).
pub fn offset_clock(start: DateTime<Utc>) -> Arc<dyn Fn() -> DateTime<Utc> + Send + Sync> {
    let origin = std::time::Instant::now();
    Arc::new(move || start + chrono::TimeDelta::from_std(origin.elapsed()).unwrap_or_default())
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

fn at(secs: i64) -> String {
    rfc3339::format(&DateTime::from_timestamp(secs, 0).unwrap_or_default())
}

fn view(r: &StoredRequest, now: Option<i64>, staff: bool) -> RequestView {
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

/// The router: the public API (CORS for the configured origins), the staff API, and
/// static files (the widget, readable from any origin).
pub fn app(state: AppState, static_dir: Option<PathBuf>) -> Router {
    let origins: Vec<HeaderValue> = state
        .schedule
        .config
        .queue
        .as_ref()
        .map(|q| q.allowed_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect())
        .unwrap_or_default();
    let posting = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE, "idempotency-key".parse().unwrap_or(header::CONTENT_TYPE)])
        .expose_headers([header::RETRY_AFTER]);
    let public = CorsLayer::new().allow_origin(Any).allow_methods([Method::GET]);

    let requests = Router::new()
        .route("/v1/requests", post(create_request))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(posting);
    let reads = Router::new()
        .route("/v1/config", get(public_config))
        .route("/v1/closed-days.ics", get(closed_days_feed))
        .route("/healthz", get(|| async { Json(serde_json::json!({ "status": "ok" })) }));
    let staff = Router::new()
        .route("/v1/queue", get(list_queue))
        .route("/v1/queue/{id}/ack", post(ack_request))
        .route("/v1/deliveries", get(list_deliveries))
        .route("/v1/deliveries/{id}/retry", post(retry_delivery))
        .route("/staff", get(staff::show))
        .route("/staff/login", post(staff::login))
        .route("/staff/logout", post(staff::logout))
        .route("/staff/requests/{id}/ack", post(staff::ack))
        .route("/staff/deliveries/{id}/retry", post(staff::retry))
        .route("/staff/staff.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], staff::SCRIPT) }))
        .route("/staff/staff.css", get(|| async { ([(header::CONTENT_TYPE, "text/css")], staff::STYLE) }));
    let mut router: Router = requests.merge(staff).merge(reads.layer(public.clone())).with_state(state);
    if let Some(dir) = static_dir {
        // The widget's files: readable from any origin (module scripts load with CORS).
        let files: Router = Router::new().fallback_service(ServeDir::new(dir)).layer(public);
        router = router.fallback_service(files);
    }
    router.layer(tower_http::trace::TraceLayer::new_for_http())
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
    let new = NewRequest::parse(&json, &s.schedule).map_err(AppError::Invalid)?;
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
    let quote = s.schedule.quote(&new.plan, now).map_err(|e| AppError::Internal(e.to_string()))?;
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
                    tracing::info!(id = %r.id, plan = %r.plan, release_at = r.release_at, "request received");
                    s.wake.notify_one();
                }
                Some(why) => {
                    tracing::warn!(id = %r.id, plan = %r.plan, reason = %why, "request kept as suspected spam")
                }
            }
            r
        }
        Inserted::Existing(r) if r.body_hash == hash => r,
        Inserted::Existing(_) => return Err(AppError::KeyReused),
    };
    Ok((StatusCode::CREATED, Json(view(&stored, None, false))).into_response())
}

fn authorize(s: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if is_staff_token(s, given) { Ok(()) } else { Err(AppError::Unauthorized) }
}

/// Whether two secrets are equal, in time that does not depend on where they first differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `given` is the staff token (never true while the token is empty).
pub fn is_staff_token(s: &AppState, given: &str) -> bool {
    !s.staff_token.is_empty() && same_secret(given, &s.staff_token)
}

#[derive(Deserialize)]
struct ListQuery {
    include: Option<String>,
}

async fn list_queue(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    authorize(&s, &headers)?;
    let now = (s.clock)().timestamp();
    let rows =
        s.store.list(now, Include::parse(q.include.as_deref())).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let requests: Vec<RequestView> = rows.iter().map(|r| view(r, Some(now), true)).collect();
    Ok(Json(serde_json::json!({ "requests": requests })).into_response())
}

async fn ack_request(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    authorize(&s, &headers)?;
    let now = (s.clock)().timestamp();
    if s.store.ack(&id, now, s.routes.for_ack(now)).await? {
        s.wake.notify_one();
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(AppError::NotFound(format!("no request has id \"{id}\"")))
    }
}

/// The staff API's view of a delivery: times as RFC 3339.
#[derive(Serialize)]
struct DeliveryView {
    id: String,
    request_id: String,
    kind: String,
    target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<String>,
    state: String,
    due_at: String,
    attempts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivered_at: Option<String>,
}

impl From<store::Delivery> for DeliveryView {
    fn from(d: store::Delivery) -> Self {
        DeliveryView {
            id: d.id,
            request_id: d.request_id,
            kind: d.kind,
            target: d.target,
            event: d.event,
            state: d.state,
            due_at: at(d.due_at),
            attempts: d.attempts,
            last_error: d.last_error,
            created_at: at(d.created_at),
            delivered_at: d.delivered_at.map(at),
        }
    }
}

#[derive(Deserialize)]
struct DeliveriesQuery {
    state: Option<String>,
}

async fn list_deliveries(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Response, AppError> {
    authorize(&s, &headers)?;
    if let Some(state) = q.state.as_deref()
        && !["pending", "delivered", "dead"].contains(&state)
    {
        return Err(AppError::Invalid(vec![error::FieldError {
            field: "state".into(),
            message: format!("\"{state}\" is not one of pending, delivered, dead"),
        }]));
    }
    let rows = s.store.deliveries(q.state, Vec::new()).await?;
    let disabled = s.store.disabled_endpoints().await?;
    let deliveries: Vec<DeliveryView> = rows.into_iter().map(DeliveryView::from).collect();
    let disabled: Vec<serde_json::Value> = disabled
        .into_iter()
        .map(|d| serde_json::json!({ "url": d.url, "disabled_at": at(d.disabled_at), "reason": d.reason }))
        .collect();
    Ok(Json(serde_json::json!({ "deliveries": deliveries, "disabled_endpoints": disabled })).into_response())
}

async fn retry_delivery(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    authorize(&s, &headers)?;
    let now = (s.clock)().timestamp();
    if s.store.retry(&id, now).await? {
        s.wake.notify_one();
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(AppError::NotFound(format!("no undelivered delivery has id \"{id}\"")))
    }
}

async fn public_config(State(s): State<AppState>) -> Response {
    Json(&s.schedule.config).into_response()
}

#[derive(Deserialize)]
struct FeedQuery {
    coverage: Option<String>,
}

async fn closed_days_feed(State(s): State<AppState>, Query(q): Query<FeedQuery>) -> Result<Response, AppError> {
    let id = q.coverage.ok_or_else(|| {
        AppError::Invalid(vec![error::FieldError { field: "coverage".into(), message: "is required".into() }])
    })?;
    let coverage = s
        .schedule
        .coverages
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| AppError::NotFound(format!("no coverage has id \"{id}\"")))?;
    let now = (s.clock)();
    let today = now.date_naive();
    let from = today.checked_sub_days(Days::new(30)).unwrap_or(today);
    let to = today.checked_add_days(Days::new(400)).unwrap_or(today);
    let days = s.schedule.closed_days(&id, from, to).map_err(|e| AppError::Internal(e.to_string()))?;
    let names: Vec<(String, String)> = s.schedule.teams.iter().map(|t| (t.id.clone(), t.name.clone())).collect();
    let body = ics::feed(&s.schedule.config.company, &id, &coverage.name, &names, &days, now);
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], body).into_response())
}

/// Runs the service and its delivery worker until Ctrl-C or SIGTERM, then drains in-flight
/// requests. (A send cut short by the stop is sent again after its lease: at least once.)
pub async fn run(
    state: AppState,
    listen: SocketAddr,
    static_dir: Option<PathBuf>,
    sender: Arc<dyn deliver::worker::Send>,
) -> anyhow::Result<()> {
    let worker = deliver::worker::Worker {
        store: state.store.clone(),
        clock: state.clock.clone(),
        sender,
        wake: state.wake.clone(),
        id: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
    };
    let worker = tokio::spawn(worker.run());
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "replyby serve listening");
    println!("replyby serve: listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(state, static_dir).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await?;
    worker.abort();
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tokio::sync::Notify;
    use tower::ServiceExt;

    /// A real store whose inserts wait until released, to hold a request "in flight".
    struct SlowStore {
        gate: Arc<Notify>,
        inner: store::SqliteStore,
    }

    #[async_trait::async_trait]
    impl RequestStore for SlowStore {
        async fn insert(&self, r: StoredRequest, d: Vec<store::NewDelivery>) -> Result<Inserted, store::StoreError> {
            self.gate.notified().await;
            self.inner.insert(r, d).await
        }
        async fn list(&self, now: i64, include: Include) -> Result<Vec<StoredRequest>, store::StoreError> {
            self.inner.list(now, include).await
        }
        async fn ack(&self, id: &str, now: i64, d: Vec<store::NewDelivery>) -> Result<bool, store::StoreError> {
            self.inner.ack(id, now, d).await
        }
        async fn claim(
            &self,
            now: i64,
            lease_until: i64,
            worker: &str,
            limit: usize,
        ) -> Result<Vec<(store::Delivery, StoredRequest)>, store::StoreError> {
            self.inner.claim(now, lease_until, worker, limit).await
        }
        async fn complete(
            &self,
            id: &str,
            worker: &str,
            now: i64,
            c: store::Completion,
        ) -> Result<(), store::StoreError> {
            self.inner.complete(id, worker, now, c).await
        }
        async fn next_due(&self) -> Result<Option<i64>, store::StoreError> {
            self.inner.next_due().await
        }
        async fn deliveries(
            &self,
            state: Option<String>,
            requests: Vec<String>,
        ) -> Result<Vec<store::Delivery>, store::StoreError> {
            self.inner.deliveries(state, requests).await
        }
        async fn retry(&self, id: &str, now: i64) -> Result<bool, store::StoreError> {
            self.inner.retry(id, now).await
        }
        async fn disabled_endpoints(&self) -> Result<Vec<store::DisabledEndpoint>, store::StoreError> {
            self.inner.disabled_endpoints().await
        }
    }

    fn request(key: &str) -> Request<Body> {
        let mut r = Request::post("/v1/requests")
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(Body::from(r#"{"plan":"basic","email":"a@b.example","message":"hi"}"#))
            .unwrap_or_default();
        r.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 9))));
        r
    }

    #[tokio::test]
    async fn a_key_still_in_flight_is_409_and_then_replays() {
        let gate = Arc::new(Notify::new());
        let dir = std::env::temp_dir().join(format!("replyby-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let inner = store::SqliteStore::open(&dir.join("q.db")).expect("store");
        let store = Arc::new(SlowStore { gate: gate.clone(), inner });
        let schedule = replyby_core::load(replyby_core::DEMO_CONFIG, &replyby_core::TzTable).expect("demo config");
        let mut state = AppState::new(schedule, store, "t".into(), 0);
        // Friday 2027-03-05 20:00 New York: basic is closed, so the request is deferred.
        state.clock = Arc::new(|| "2027-03-06T01:00:00Z".parse().unwrap_or_default());
        let in_flight = state.in_flight.clone();
        let app = app(state, None);
        let first = tokio::spawn(app.clone().oneshot(request("same")));
        // Wait until the first request holds the key (a condition, not a delay).
        while !in_flight.lock().map(|s| s.contains("same")).unwrap_or(false) {
            tokio::task::yield_now().await;
        }
        let second = app.clone().oneshot(request("same")).await.expect("response");
        assert_eq!(second.status(), StatusCode::CONFLICT);
        gate.notify_one();
        let first = first.await.expect("join").expect("response");
        assert_eq!(first.status(), StatusCode::CREATED);
        let bytes = axum::body::to_bytes(first.into_body(), 1 << 16).await.expect("body");
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(
            (v["release_at"].as_str(), v["respond_by"].as_str(), v["state"].as_str()),
            (Some("2027-03-08T14:00:00Z"), Some("2027-03-09T22:00:00Z"), Some("deferred"))
        );
        // Once committed, the same key replays the first answer.
        gate.notify_one();
        let third = app.oneshot(request("same")).await.expect("response");
        assert_eq!(third.status(), StatusCode::CREATED);
        let bytes = axum::body::to_bytes(third.into_body(), 1 << 16).await.expect("body");
        let again: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(again, v);
    }
}
