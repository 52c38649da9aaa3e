//! Every status code the API answers with, chosen in one place.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error("the body is not valid JSON: {0}")]
    BadJson(String),
    #[error("an Idempotency-Key header is required (a fresh random value per request, reused on retries)")]
    MissingKey,
    #[error("the Idempotency-Key header is longer than 200 characters")]
    KeyTooLong,
    #[error("a request with this Idempotency-Key is still being processed; retry shortly")]
    InFlight,
    #[error("this Idempotency-Key was already used with a different body")]
    KeyReused,
    #[error("the body is larger than 64 KiB")]
    TooLarge,
    #[error("too many requests; retry after {}", seconds(*.0))]
    RateLimited(u64),
    #[error("a valid staff token is required (Authorization: Bearer …)")]
    Unauthorized,
    #[error("this form did not come from the staff page; reload it and try again")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    /// No coverage with that id (`404`, with the ids there are).
    #[error("no coverage has id \"{id}\"")]
    UnknownCoverage { id: String, known: Vec<String> },
    #[error("the service cannot store requests right now; retry after {}", seconds(*.0))]
    Unavailable(u64),
    /// A config or schedule change with problems, each at its JSON path (`422`).
    #[error("the {0} has problems")]
    Problems(&'static str, Vec<replyby_core::ConfigError>),
    /// Signed in, but not as an admin (`403`).
    #[error("only an admin may do this; {0} is an agent")]
    NotAdmin(String),
    /// The config is pinned to a file (`409`).
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` names a version that is no longer the newest (`412`).
    #[error("the config changed since you read it: version {current} is the newest (ETag {etag})")]
    Stale { current: i64, etag: String },
    /// `If-Match` is missing (`428`).
    #[error("If-Match is required: send the ETag of the version you edited (GET /v1/config?layer=base)")]
    MissingIfMatch,
    #[error("internal error")]
    Internal(String),
}

impl From<super::store::StoreError> for AppError {
    fn from(e: super::store::StoreError) -> Self {
        match e {
            super::store::StoreError::Unavailable(detail) => {
                tracing::warn!(detail = %crate::serve::logs::redact(&detail), "database unavailable");
                AppError::Unavailable(5)
            }
            super::store::StoreError::InFlight => AppError::InFlight,
            other => AppError::Internal(other.to_string()),
        }
    }
}

fn seconds(n: u64) -> String {
    if n == 1 { "1 second".to_owned() } else { format!("{n} seconds") }
}

#[derive(Serialize)]
struct Body<'a> {
    error: String,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    fields: &'a [FieldError],
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<&'a [replyby_core::ConfigError]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverages: Option<&'a [String]>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::Invalid(_) | AppError::BadJson(_) | AppError::MissingKey | AppError::KeyTooLong => {
                StatusCode::BAD_REQUEST
            }
            AppError::InFlight => StatusCode::CONFLICT,
            AppError::KeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound(_) | AppError::UnknownCoverage { .. } => StatusCode::NOT_FOUND,
            AppError::Problems(..) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotAdmin(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Stale { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::MissingIfMatch => StatusCode::PRECONDITION_REQUIRED,
            AppError::Internal(detail) => {
                // Internals stay in the log, off the wire.
                tracing::error!(detail = %crate::serve::logs::redact(detail), "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let fields = match &self {
            AppError::Invalid(f) => f.as_slice(),
            _ => &[],
        };
        let problems = match &self {
            AppError::Problems(_, p) => Some(p.as_slice()),
            _ => None,
        };
        let coverages = match &self {
            AppError::UnknownCoverage { known, .. } => Some(known.as_slice()),
            _ => None,
        };
        let mut response =
            (status, Json(Body { error: self.to_string(), fields, problems, coverages })).into_response();
        if let AppError::Stale { etag, .. } = &self
            && let Ok(v) = HeaderValue::from_str(etag)
        {
            response.headers_mut().insert(header::ETAG, v);
        }
        if let AppError::RateLimited(secs) | AppError::Unavailable(secs) = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let AppError::Unauthorized = self {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
