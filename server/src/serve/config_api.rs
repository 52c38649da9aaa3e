//! The config in the store: `PUT /v1/config` (admins, `If-Match`), its versions, and the
//! audit trail.

use super::auth::{Admin, Publisher};
use super::error::AppError;
use super::intake::at;
use super::live::Source;
use super::public::matches;
use super::state::AppState;
use super::store::schedule::PutConfig;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use replyby_core::{ConfigError, Schedule, TzTable};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/config/versions", get(versions))
        .route("/v1/config/versions/{version}", get(version))
        .route("/v1/audit", get(audit))
}

/// The problems of a config as `PUT` would store it, at their JSON paths, in `replyby check`'s
/// words; schedule changes belong to `/v1/schedule`, not to the config.
pub fn problems(text: &str) -> Vec<ConfigError> {
    match replyby_core::parse(text) {
        Err(e) => e.0,
        Ok(config) => {
            let mut out = match Schedule::new(config.clone(), &TzTable) {
                Ok(_) => Vec::new(),
                Err(e) => e.0,
            };
            if !config.changes.is_empty() {
                out.push(ConfigError {
                    path: "/changes".into(),
                    message:
                        "schedule changes are made with POST /v1/schedule, not in the config (leave \"changes\" out)"
                            .into(),
                });
            }
            out
        }
    }
}

#[derive(Deserialize)]
pub struct PutQuery {
    /// A line for the version list ("Berlin closes at 14:00 on Fridays").
    #[serde(default)]
    note: String,
}

/// `PUT /v1/config`: needs an admin (a bearer token, or the studio's session and form token)
/// and `If-Match` with the base version's ETag.
pub async fn put_config(
    Publisher(who): Publisher,
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PutQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    if let Source::File(path) = s.live.source() {
        return Err(AppError::Conflict(format!(
            "the config is managed by a file ({}): edit it and send the server SIGHUP",
            path.display()
        )));
    }
    if headers.get(header::IF_MATCH).is_none() {
        return Err(AppError::MissingIfMatch);
    }
    let live = s.live.get();
    if !matches(&headers, header::IF_MATCH, &live.version_tag()) {
        return Err(AppError::Stale { current: live.version, etag: live.version_tag() });
    }
    let text = String::from_utf8(body.to_vec()).map_err(|_| AppError::BadJson("the body is not UTF-8".into()))?;
    let problems = problems(&text);
    if !problems.is_empty() {
        return Err(AppError::Problems("config", problems));
    }
    let now = s.now().timestamp();
    match s.admin.put_config(live.version, text, q.note, who.actor(now)).await? {
        PutConfig::Stale(current) => {
            // Another instance stored a newer version than this one has published yet: publish
            // it now, so the editor who reads the config again sees the version that won.
            if let Err(e) = s.live.refresh().await {
                tracing::error!(error = %crate::serve::logs::redact(&e), "a newer config version could not be published");
            }
            Err(AppError::Stale { current, etag: format!("\"v{current}\"") })
        }
        PutConfig::Stored(v) => {
            if let Err(e) = s.live.refresh().await {
                tracing::error!(error = %crate::serve::logs::redact(&e), "config stored but not yet published");
            }
            tracing::info!(version = v, by = %who.id, "config version stored");
            let mut r = (
                StatusCode::OK,
                Json(serde_json::json!({ "version": v, "created_by": who.name, "created_at": at(now) })),
            )
                .into_response();
            if let Ok(tag) = HeaderValue::from_str(&format!("\"v{v}\"")) {
                r.headers_mut().insert(header::ETAG, tag);
            }
            Ok(r)
        }
    }
}

async fn versions(_: Admin, State(s): State<AppState>) -> Result<Response, AppError> {
    let list: Vec<serde_json::Value> = s
        .admin
        .config_versions()
        .await?
        .into_iter()
        .map(|v| {
            serde_json::json!({ "version": v.version, "created_by": v.created_by, "created_at": at(v.created_at), "note": v.note, "etag": format!("\"v{}\"", v.version) })
        })
        .collect();
    Ok(Json(serde_json::json!({ "versions": list })).into_response())
}

async fn version(_: Admin, State(s): State<AppState>, Path(v): Path<i64>) -> Result<Response, AppError> {
    let found = s.admin.config_version(v).await?.ok_or_else(|| AppError::NotFound(format!("no config version {v}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], found.body).into_response())
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<i64>,
}

async fn audit(_: Admin, State(s): State<AppState>, Query(q): Query<AuditQuery>) -> Result<Response, AppError> {
    let entries: Vec<serde_json::Value> = s
        .admin
        .audit(q.limit.unwrap_or(200).clamp(1, 10_000))
        .await?
        .into_iter()
        .map(|e| {
            serde_json::json!({ "at": at(e.at), "actor": e.actor, "action": e.action, "subject": e.subject, "detail": e.detail })
        })
        .collect();
    Ok(Json(serde_json::json!({ "entries": entries })).into_response())
}
