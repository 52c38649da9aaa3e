//! The staff API: the queue, acks, deliveries and retries (any signed-in staff member).

use super::auth::Staff;
use super::error::{AppError, FieldError};
use super::intake::{RequestView, at, view};
use super::state::AppState;
use super::store::{Delivery, Include};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/queue", get(list_queue))
        .route("/v1/queue/{id}/ack", post(ack_request))
        .route("/v1/deliveries", get(list_deliveries))
        .route("/v1/deliveries/{id}/retry", post(retry_delivery))
}

#[derive(Deserialize)]
struct ListQuery {
    include: Option<String>,
}

async fn list_queue(_: Staff, State(s): State<AppState>, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let now = (s.clock)().timestamp();
    let rows =
        s.store.list(now, Include::parse(q.include.as_deref())).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let requests: Vec<RequestView> = rows.iter().map(|r| view(r, Some(now), true)).collect();
    Ok(Json(serde_json::json!({ "requests": requests })).into_response())
}

async fn ack_request(who: Staff, State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    ack(&s, &who, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Acks a request for `who` (the API and the staff page): its deliveries in the ack's
/// transaction, then the audit entry naming them.
pub async fn ack(s: &AppState, who: &Staff, id: &str) -> Result<(), AppError> {
    let now = s.now().timestamp();
    if !s.store.ack(id, now, s.routes.for_ack(now)).await? {
        return Err(AppError::NotFound(format!("no request has id \"{id}\"")));
    }
    s.wake.notify_one();
    s.admin.record("request.ack", id, "", who.actor(now)).await?;
    Ok(())
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

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
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
    _: Staff,
    State(s): State<AppState>,
    Query(q): Query<DeliveriesQuery>,
) -> Result<Response, AppError> {
    if let Some(state) = q.state.as_deref()
        && !["pending", "delivered", "dead"].contains(&state)
    {
        return Err(AppError::Invalid(vec![FieldError {
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

async fn retry_delivery(_: Staff, State(s): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let now = (s.clock)().timestamp();
    if s.store.retry(&id, now).await? {
        s.wake.notify_one();
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(AppError::NotFound(format!("no undelivered delivery has id \"{id}\"")))
    }
}
