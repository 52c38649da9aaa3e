//! Schedule changes staff make (`/v1/schedule`): a closure, reduced hours, or a notice.
//! Data first: the core reads and checks the change, the whole schedule is built with it
//! (so nothing is stored that would not load), then it is stored with its audit entry and
//! published before the answer.
//!
//! Requests already in the queue keep the times they were promised: a request's
//! `release_at` and `respond_by` were told to the customer in the `201` and the receipt, and
//! its deliveries are already scheduled for them. One whose `release_at` now falls in closed
//! time is still released at that original time (its team e-mail and webhook go out as
//! promised, so nothing waits unseen), and the answer to the change counts such requests in
//! `queued_requests_in_closed_time`, so the person closing the day sees whom they promised.

use super::auth::Staff;
use super::error::AppError;
use super::intake::at;
use super::state::AppState;
use super::store::Include;
use super::store::schedule::StoredChange;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use replyby_core::changes::{Change, apply};
use replyby_core::{ConfigError, Schedule, TzTable};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/schedule", get(list).post(add)).route("/v1/schedule/{id}", delete(remove))
}

/// A change as the API shows it.
pub fn change_json(stored: &StoredChange, change: &Change) -> serde_json::Value {
    let mut v = serde_json::to_value(change).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.insert("id".into(), stored.id.clone().into());
        o.insert("closed".into(), change.closed.into());
        o.insert("created_by".into(), stored.created_by.clone().into());
        o.insert("created_at".into(), at(stored.created_at).into());
    }
    v
}

/// Reads and checks a change against the live config; every problem at its path.
pub fn read_change(s: &AppState, text: &str) -> Result<(Change, Schedule), Vec<ConfigError>> {
    let mut change = Change::parse(text).map_err(|e| e.0)?;
    change.id = None;
    let live = s.live.get();
    let base = replyby_core::parse(&live.base).map_err(|e| e.0)?;
    let mut problems = change.check(&base).0;
    problems.extend(
        replyby_core::lint::lint_change("", &change)
            .into_iter()
            .map(|w| ConfigError { path: w.path, message: format!("{} (customers see this text)", w.message) }),
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut all: Vec<Change> = live.changes.iter().map(|(_, c)| c.clone()).collect();
    all.push(change.clone());
    let schedule = Schedule::new(apply(&base, &all), &TzTable).map_err(|e| e.0)?;
    Ok((change, schedule))
}

/// Stores a checked change for `who` and publishes it; how many queued requests are
/// released in time the change closes.
pub async fn store_change(
    s: &AppState,
    who: &Staff,
    change: Change,
    with_it: &Schedule,
) -> Result<(StoredChange, usize), AppError> {
    let now = s.now();
    let stored = StoredChange {
        id: format!("sch_{}", uuid::Uuid::new_v4().simple()),
        team: change.team.clone(),
        body: serde_json::to_string(&change).map_err(|e| AppError::Internal(e.to_string()))?,
        created_by: who.name.clone(),
        created_at: now.timestamp(),
    };
    s.admin.add_change(stored.clone()).await?;
    if let Err(e) = s.live.refresh().await {
        tracing::error!(error = %crate::serve::logs::redact(&e), "schedule change stored but not yet published");
    }
    tracing::info!(change = %stored.id, team = %stored.team, by = %who.id, "schedule change added");
    Ok((stored, in_closed_time(s, with_it, now).await?))
}

async fn in_closed_time(s: &AppState, schedule: &Schedule, now: DateTime<Utc>) -> Result<usize, AppError> {
    let queued = s.store.list(now.timestamp(), Include { deferred: true, spam: false }).await?;
    Ok(queued
        .iter()
        .filter(|r| r.release_at > now.timestamp())
        .filter(|r| {
            let plan = schedule.plan_index(&r.plan).map(|i| &schedule.plans[i]);
            let at = DateTime::from_timestamp(r.release_at, 0);
            match (plan, at) {
                (Some(p), Some(at)) => schedule.status(&schedule.coverages[p.coverage].id, at).is_ok_and(|st| !st.open),
                _ => false,
            }
        })
        .count())
}

async fn add(who: Staff, State(s): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    let text = std::str::from_utf8(&body).map_err(|_| AppError::BadJson("the body is not UTF-8".into()))?;
    let (change, schedule) = read_change(&s, text).map_err(|p| AppError::Problems("schedule change", p))?;
    let (stored, affected) = store_change(&s, &who, change.clone(), &schedule).await?;
    let mut v = change_json(&stored, &change);
    if let Some(o) = v.as_object_mut() {
        o.insert("queued_requests_in_closed_time".into(), affected.into());
    }
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

#[derive(Deserialize)]
struct Range {
    from: Option<String>,
    to: Option<String>,
}

fn date(key: &str, v: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    v.map(|d| {
        replyby_core::text::parse_date(d).ok_or_else(|| {
            AppError::Invalid(vec![super::error::FieldError {
                field: key.into(),
                message: format!("\"{d}\" is not a date YYYY-MM-DD"),
            }])
        })
    })
    .transpose()
}

async fn list(_: Staff, State(s): State<AppState>, Query(q): Query<Range>) -> Result<Response, AppError> {
    let (from, to) = (date("from", q.from.as_deref())?, date("to", q.to.as_deref())?);
    let live = s.live.get();
    let changes: Vec<serde_json::Value> = live
        .changes
        .iter()
        .filter(|(_, c)| match c.span() {
            Some((a, b)) => from.is_none_or(|f| b >= f) && to.is_none_or(|t| a <= t),
            None => true,
        })
        .map(|(stored, c)| change_json(stored, c))
        .collect();
    Ok(Json(serde_json::json!({ "changes": changes })).into_response())
}

/// Removes a change for `who` and publishes; false when there is none.
pub async fn remove_change(s: &AppState, who: &Staff, id: &str) -> Result<bool, AppError> {
    let removed = s.admin.remove_change(id, who.actor(s.now().timestamp())).await?;
    if removed {
        if let Err(e) = s.live.refresh().await {
            tracing::error!(error = %crate::serve::logs::redact(&e), "schedule change removed but not yet published");
        }
        tracing::info!(change = %id, by = %who.id, "schedule change removed");
    }
    Ok(removed)
}

async fn remove(who: Staff, State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    if remove_change(&s, &who, &id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(AppError::NotFound(format!("no schedule change has id \"{id}\"")))
    }
}
