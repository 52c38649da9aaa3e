//! Hours on the open web, for other systems, open to any origin: `GET /v1/status` (is a
//! coverage open, cached until the next open/close change, at most 300 s) and `GET /v1/hours`
//! (schema.org JSON-LD or OSM `opening_hours`).

use super::error::{AppError, FieldError};
use super::public::matches;
use super::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Days, NaiveDate, Utc};
use replyby_core::Schedule;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The longest a status answer may be cached, in seconds.
pub const MAX_AGE: i64 = 300;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/status", get(status)).route("/v1/hours", get(hours))
}

#[derive(Deserialize)]
struct StatusQuery {
    coverage: Option<String>,
    at: Option<String>,
}

fn required(value: Option<String>, field: &str) -> Result<String, AppError> {
    value.ok_or_else(|| AppError::Invalid(vec![FieldError { field: field.into(), message: "is required".into() }]))
}

fn known_coverage(schedule: &Schedule, id: &str) -> Result<(), AppError> {
    if schedule.coverages.iter().any(|c| c.id == id) {
        Ok(())
    } else {
        Err(AppError::UnknownCoverage {
            id: id.to_owned(),
            known: schedule.coverages.iter().map(|c| c.id.clone()).collect(),
        })
    }
}

/// How long the answer at `now` stays true: until the next open/close change, at most
/// [`MAX_AGE`]. An answer about a given `at` changes only with the config: [`MAX_AGE`].
pub fn max_age(status: &replyby_core::Status, now: DateTime<Utc>, explicit_at: bool) -> i64 {
    let next = status.closes_at.or(status.next_open);
    match next {
        Some(n) if !explicit_at => (n - now).num_seconds().clamp(0, MAX_AGE),
        _ => MAX_AGE,
    }
}

async fn status(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<StatusQuery>,
) -> Result<Response, AppError> {
    let id = required(q.coverage, "coverage")?;
    let live = s.live.get();
    let schedule = &live.schedule;
    known_coverage(schedule, &id)?;
    let now = s.now();
    let at = match &q.at {
        None => now,
        Some(text) => DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).map_err(|e| {
            AppError::Invalid(vec![FieldError {
                field: "at".into(),
                message: format!("\"{text}\" is not an RFC 3339 instant like 2027-02-16T14:00:00Z ({e})"),
            }])
        })?,
    };
    let status = schedule
        .status(&id, at)
        .map_err(|e| AppError::Invalid(vec![FieldError { field: "at".into(), message: e.to_string() }]))?;
    // The ETag names the answer — open or closed, until or from when, why — and the config
    // it came from, not `at`: revalidating within the same state is a `304`.
    let mut state = serde_json::to_value(&status).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Some(o) = state.as_object_mut() {
        o.remove("at");
    }
    let etag = format!("\"st-{}\"", &format!("{:x}", Sha256::digest(format!("{state}{}", live.etag)))[..20]);
    let age = max_age(&status, now, q.at.is_some());
    let mut r = if matches(&headers, header::IF_NONE_MATCH, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Json(&status).into_response()
    };
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={age}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    Ok(r)
}

#[derive(Deserialize)]
struct HoursQuery {
    coverage: Option<String>,
    format: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn date_param(value: Option<&str>, field: &str, default: NaiveDate) -> Result<NaiveDate, AppError> {
    match value {
        None => Ok(default),
        Some(text) => replyby_core::text::parse_date(text).ok_or_else(|| {
            AppError::Invalid(vec![FieldError {
                field: field.into(),
                message: format!("\"{text}\" is not a date YYYY-MM-DD"),
            }])
        }),
    }
}

async fn hours(State(s): State<AppState>, Query(q): Query<HoursQuery>) -> Result<Response, AppError> {
    let id = required(q.coverage, "coverage")?;
    let format = required(q.format, "format")?;
    let schedule = s.live.schedule();
    known_coverage(&schedule, &id)?;
    let today = s.now().date_naive();
    let from = date_param(q.from.as_deref(), "from", today)?;
    let to = date_param(q.to.as_deref(), "to", from.checked_add_days(Days::new(365)).unwrap_or(from))?;
    let bad_range =
        |e: replyby_core::Error| AppError::Invalid(vec![FieldError { field: "to".into(), message: e.to_string() }]);
    let body = match format.as_str() {
        "schema-org" => {
            let ld = replyby_core::publish::schema_org(&schedule, &id, from, to).map_err(bad_range)?;
            return Ok(([(header::CONTENT_TYPE, "application/ld+json")], ld.to_string()).into_response());
        }
        "osm" => osm_document(&schedule, &id, from, to).map_err(bad_range)?,
        other => {
            return Err(AppError::Invalid(vec![FieldError {
                field: "format".into(),
                message: format!("\"{other}\" is not a format (schema-org or osm)"),
            }]));
        }
    };
    Ok(Json(body).into_response())
}

/// `replyby hours --format osm` and `GET /v1/hours?format=osm`: the coverage and each team's
/// `opening_hours` value.
pub fn osm_document(
    schedule: &Schedule,
    id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<serde_json::Value, replyby_core::Error> {
    let hours = replyby_core::publish::osm(schedule, id, from, to)?;
    Ok(serde_json::json!({ "coverage": id, "from": from.to_string(), "to": to.to_string(), "hours": hours }))
}
