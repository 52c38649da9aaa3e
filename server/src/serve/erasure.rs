//! `POST /v1/erasure` `{"email": ADDRESS}` (admins): every request from that address and all
//! its deliveries are removed, from the database files too (see `store/ops.rs`), and the
//! answer says how many. The log and the audit trail record the counts, never the address.

use super::auth::Admin;
use super::error::{AppError, FieldError};
use super::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/erasure", post(erase))
}

/// The address to erase, from the body: a string with an `@`, at most 320 characters.
fn address(body: &[u8]) -> Result<String, AppError> {
    let json: serde_json::Value = serde_json::from_slice(body).map_err(|e| AppError::BadJson(e.to_string()))?;
    let bad = |message: &str| AppError::Invalid(vec![FieldError { field: "email".into(), message: message.into() }]);
    if let Some(other) = json.as_object().and_then(|o| o.keys().find(|k| *k != "email")) {
        return Err(AppError::Invalid(vec![FieldError { field: other.clone(), message: "unknown field".into() }]));
    }
    let email = match json.get("email") {
        Some(serde_json::Value::String(s)) => s.trim().to_owned(),
        Some(_) => return Err(bad("must be a string")),
        None => return Err(bad("is required")),
    };
    if email.is_empty() || !email.contains('@') || email.chars().count() > 320 {
        return Err(bad("is not an e-mail address"));
    }
    Ok(email)
}

async fn erase(Admin(who): Admin, State(s): State<AppState>, body: Bytes) -> Result<Response, AppError> {
    let email = address(&body)?;
    let store = s.ops.store.as_ref().ok_or_else(|| AppError::Internal("no store for erasure".into()))?;
    let erased = store.erase_email(&email).await?;
    let now = s.now().timestamp();
    let detail = format!("{} requests, {} deliveries", erased.requests, erased.deliveries);
    s.admin.record("requests.erase", "", &detail, who.actor(now)).await?;
    tracing::info!(
        requests = erased.requests,
        deliveries = erased.deliveries,
        pending_deliveries = erased.pending_deliveries,
        by = %who.id,
        "erasure on request"
    );
    Ok(Json(erased).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_names_one_address() {
        assert_eq!(address(br#"{"email":" Jo@Example.com "}"#).ok().as_deref(), Some("Jo@Example.com"));
        for body in [&br#"{}"#[..], br#"{"email":5}"#, br#"{"email":"jo"}"#, br#"{"email":"a@b","x":1}"#, b"nope"] {
            assert!(address(body).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }
}
