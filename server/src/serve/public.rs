//! Public reads, open to any origin: the config (with the schedule changes, an `ETag`, and
//! `304` for `If-None-Match`), the closed-days feed, and the liveness check (`/healthz`: the
//! process answers; readiness is `ops.rs`'s `/readyz`).

use super::error::{AppError, FieldError};
use super::ics;
use super::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Days;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/config", get(public_config).put(super::config_api::put_config))
        // Compressed (brotli or gzip, as the browser asks): presets are most of its bytes.
        .route("/v1/bundle", get(bundle).layer(tower_http::compression::CompressionLayer::new()))
        .route("/v1/closed-days.ics", get(closed_days_feed))
        .route("/healthz", get(|| async { Json(serde_json::json!({ "status": "ok" })) }))
}

#[derive(Deserialize)]
struct ConfigQuery {
    /// `base`: the config as stored, without schedule changes (what `PUT` replaces).
    layer: Option<String>,
}

/// Whether `If-None-Match` names `etag` (a list, or `*`).
pub fn matches(headers: &HeaderMap, name: header::HeaderName, etag: &str) -> bool {
    headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let t = t.trim();
        t == "*" || t.trim_start_matches("W/") == etag
    })
}

async fn public_config(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<ConfigQuery>) -> Response {
    let live = s.live.get();
    let (body, etag) = match q.layer.as_deref() {
        Some("base") => (axum::body::Bytes::from(live.base.clone()), live.version_tag()),
        _ => (live.public.clone(), live.etag.clone()),
    };
    let mut r = if matches(&headers, header::IF_NONE_MATCH, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // Always revalidate: a schedule change must reach an open widget on its next look.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-replyby-config-version", HeaderValue::from(live.version));
    r
}

/// `GET /v1/bundle`: the public config with every holiday preset it names, in one response
/// (`crate::bundle`), so a widget has all its data after one round trip; an `ETag`, `304` for
/// `If-None-Match`, revalidated like the config.
async fn bundle(State(s): State<AppState>, headers: HeaderMap) -> Response {
    let live = s.live.get();
    let mut r = if matches(&headers, header::IF_NONE_MATCH, &live.bundle_etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], live.bundle.clone()).into_response()
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&live.bundle_etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-replyby-config-version", HeaderValue::from(live.version));
    r
}

#[derive(Deserialize)]
struct FeedQuery {
    coverage: Option<String>,
}

async fn closed_days_feed(State(s): State<AppState>, Query(q): Query<FeedQuery>) -> Result<Response, AppError> {
    let id = q.coverage.ok_or_else(|| {
        AppError::Invalid(vec![FieldError { field: "coverage".into(), message: "is required".into() }])
    })?;
    let schedule = s.live.schedule();
    let coverage = schedule
        .coverages
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| AppError::NotFound(format!("no coverage has id \"{id}\"")))?;
    let now = (s.clock)();
    let today = now.date_naive();
    let from = today.checked_sub_days(Days::new(30)).unwrap_or(today);
    let to = today.checked_add_days(Days::new(400)).unwrap_or(today);
    let days = schedule.closed_days(&id, from, to).map_err(|e| AppError::Internal(e.to_string()))?;
    let names: Vec<(String, String)> = schedule.teams.iter().map(|t| (t.id.clone(), t.name.clone())).collect();
    let body = ics::feed(&schedule.config.company, &id, &coverage.name, &names, &days, now);
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], body).into_response())
}
