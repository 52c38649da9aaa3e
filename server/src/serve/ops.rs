//! Operations: `GET /metrics` (Prometheus, behind a token), `GET /readyz` (can this instance
//! take requests now), the per-request log line and latency histogram, and the drain at
//! shutdown. `/healthz` (in `public.rs`) stays a liveness check that touches nothing.

use super::auth::{by_token, same_secret};
use super::error::AppError;
use super::metrics::Metrics;
use super::state::AppState;
use super::store::ops::OpsStore;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long `/readyz` waits for the store before calling it unavailable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// What operations share: the metrics, the store's operations side, the scrape token, and
/// whether the instance is stopping.
#[derive(Default)]
pub struct Ops {
    pub metrics: Arc<Metrics>,
    /// `None` only in unit tests that build a state by hand.
    pub store: Option<Arc<dyn OpsStore>>,
    /// `[metrics] token`: a token that may read `/metrics` and nothing else.
    pub metrics_token: Option<String>,
    /// Set at SIGTERM: `/readyz` answers `503` so a load balancer stops sending requests.
    pub draining: AtomicBool,
    /// `[retention]`, when set.
    pub retention: Option<super::retention::Policy>,
}

impl Ops {
    pub fn new(store: Arc<dyn OpsStore>, metrics_token: Option<String>) -> Ops {
        Ops { store: Some(store), metrics_token, ..Ops::default() }
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics)).route("/readyz", get(readyz))
}

fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
}

async fn metrics(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let token = bearer(&headers).trim();
    let scraper = s.ops.metrics_token.as_deref().is_some_and(|t| !token.is_empty() && same_secret(token, t));
    if !scraper && by_token(&s, token).await?.is_none() {
        return Err(AppError::Unauthorized);
    }
    let store = s.ops.store.as_ref().ok_or_else(|| AppError::Internal("no store for metrics".into()))?;
    let now = s.now().timestamp();
    // A store that does not answer must not hide the counters: the scrape says so instead.
    let stats = match tokio::time::timeout(READY_TIMEOUT, store.stats(now)).await {
        Ok(Ok(stats)) => Some(stats),
        Ok(Err(e)) => {
            tracing::warn!(error = %crate::serve::logs::redact(&e), "metrics: the store did not answer");
            None
        }
        Err(_) => {
            tracing::warn!("metrics: the store did not answer in time");
            None
        }
    };
    let body = s.ops.metrics.render(stats.as_ref(), now);
    let mut r = body.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
    );
    Ok(r)
}

/// `GET /readyz`: `200` when the store answers through the path intake uses (and, on
/// PostgreSQL, still commits synchronously); `503` with the reason otherwise or once SIGTERM
/// came, so that a load balancer sends customers' requests elsewhere. Never cached.
async fn readyz(State(s): State<AppState>) -> Response {
    let outcome = if s.ops.draining.load(Ordering::SeqCst) {
        Err("the instance is shutting down".to_owned())
    } else if let Some(store) = s.ops.store.as_ref() {
        match tokio::time::timeout(READY_TIMEOUT, store.ready()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(format!("the store cannot take requests: {reason}")),
            Err(_) => Err(format!("the store did not answer within {} s", READY_TIMEOUT.as_secs())),
        }
    } else {
        Err("no store".to_owned())
    };
    let (status, body) = match outcome {
        Ok(()) => (StatusCode::OK, serde_json::json!({ "status": "ready" })),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({ "status": "unavailable", "reason": reason }))
        }
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// Middleware: one log line and one histogram observation per request, by the matched route
/// template (never the raw path or query, which may hold ids or anything a client sent).
pub async fn track(State(ops): State<Arc<Ops>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let response = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    ops.metrics.http(method.as_str(), &route, status, seconds);
    tracing::info!(method = %method, route = %route, status, latency_ms = seconds * 1000.0, "http request");
    response
}
