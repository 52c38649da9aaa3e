//! `GET /staff`: the staff page. Each person signs in with their own token (kept in a signed,
//! HttpOnly, SameSite=Strict session cookie naming them, never in a URL); released requests
//! overdue first, then by `respond_by`; held ones apart; each request's deliveries; Ack and
//! Retry as POST forms protected against cross-site requests (the cookie's SameSite, an
//! Origin check and a per-session form token). `/staff/schedule` is the Schedule view
//! (`staff/schedule_view.rs`).
//!
//! The session is signed with the store's session key, so any instance accepts it (several
//! `serve` instances behind a load balancer); see `auth.rs`.

mod schedule_view;

use super::auth::{COOKIE, PageStaff, SESSION_SECS, Staff, same_secret, session, session_value};
use super::error::AppError;
use super::intake::at;
use super::state::AppState;
use super::store::{Delivery, Include, StoredRequest};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;

/// The page's own script: fills in the browser's time zone at sign-in. Served as a file so
/// the page's CSP can forbid inline script.
pub const SCRIPT: &str = "document.querySelectorAll('input[name=zone]').forEach(function (i) {\n  try { i.value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) { i.value = 'UTC'; }\n});\n";
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// The page's stylesheet, served as a file for the same reason.
pub const STYLE: &str = include_str!("../../templates/staff.css");

/// The staff pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff", get(show))
        .route("/staff/login", post(login))
        .route("/staff/logout", post(logout))
        .route("/staff/requests/{id}/ack", post(ack))
        .route("/staff/deliveries/{id}/retry", post(retry))
        .route("/staff/schedule", get(schedule_view::show).post(schedule_view::save))
        .route("/staff/schedule/preview", post(schedule_view::preview))
        .route("/staff/schedule/{id}/remove", post(schedule_view::remove))
        .route("/staff/staff.js", get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], SCRIPT) }))
        .route("/staff/staff.css", get(|| async { ([(header::CONTENT_TYPE, "text/css")], STYLE) }))
}

/// A POST must come from this site: a cross-site form or fetch sends another Origin (or
/// `Sec-Fetch-Site: cross-site`), and the session's form token besides.
pub(super) fn same_site(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site" || v == "same-site")
    {
        return false;
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, h)| h == host),
        (None, _) => true, // old browsers send no Origin on same-origin form posts; the form token still applies
        _ => false,
    }
}

pub(super) fn page(html: String) -> Response {
    let mut r = Html(html).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // same-origin, not no-referrer: with no-referrer, browsers send `Origin: null` on the
    // page's own form posts, which the cross-site check must then refuse.
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

#[derive(Template)]
#[template(path = "staff_login.html")]
pub(super) struct Login<'a> {
    pub(super) company: &'a str,
    pub(super) error: Option<&'a str>,
    /// Where to go once signed in: the staff page, or the studio.
    pub(super) next: &'a str,
    /// What the page is for, in its title ("support queue", "config studio").
    pub(super) purpose: &'a str,
}

/// The pages a sign-in may lead back to; anything else goes to the staff page, so the form
/// cannot be used to send someone elsewhere.
pub(super) fn safe_next(next: &str) -> &'static str {
    match next {
        "/studio/" | "/studio" => "/studio/",
        _ => "/staff",
    }
}

/// One request on the page.
struct Row {
    id: String,
    plan: String,
    from: String,
    subject: String,
    message: String,
    due: String,
    overdue: bool,
    respond_by: String,
    respond_by_iso: String,
    /// "released Mon 8 Mar 08:00 CET", or "held until …".
    release: String,
    spam: Option<String>,
    deliveries: Vec<DeliveryRow>,
}

struct DeliveryRow {
    id: String,
    what: String,
    state: String,
    detail: String,
    retry: bool,
}

#[derive(Template)]
#[template(path = "staff.html")]
struct Page<'a> {
    company: &'a str,
    who: String,
    zone: String,
    now: String,
    csrf: String,
    released: Vec<Row>,
    held: Vec<Row>,
    spam: Vec<Row>,
    disabled: Vec<(String, String)>,
}

/// "35 min", "2 h", "3 days": how far `secs` is, in the unit a person would say.
pub fn span(secs: i64) -> String {
    let m = (secs.abs() + 30) / 60; // to the nearest minute
    if m < 60 {
        format!("{} min", m.max(1))
    } else if m < 48 * 60 {
        format!("{} h", m / 60)
    } else {
        format!("{} days", m / (24 * 60))
    }
}

pub(super) fn local(t: i64, zone: chrono_tz::Tz) -> String {
    let t = zone
        .timestamp_opt(t, 0)
        .single()
        .unwrap_or_else(|| zone.from_utc_datetime(&DateTime::<Utc>::default().naive_utc()));
    t.format("%a %-d %b %H:%M %Z").to_string()
}

fn delivery_row(d: &Delivery, zone: chrono_tz::Tz, now: i64) -> DeliveryRow {
    let what = match (d.kind.as_str(), &d.event) {
        ("webhook", Some(e)) => format!("webhook {e} → {}", d.target),
        ("team_email", _) => format!("team e-mail → {}", d.target),
        ("receipt", _) => format!("receipt → {}", d.target),
        (k, _) => k.to_owned(),
    };
    let detail = match d.state.as_str() {
        "delivered" => d.delivered_at.map(|t| local(t, zone)).unwrap_or_default(),
        "pending" if d.due_at > now => format!("due {}", local(d.due_at, zone)),
        _ => {
            let tries = format!("{} attempt{}", d.attempts, if d.attempts == 1 { "" } else { "s" });
            match &d.last_error {
                Some(e) => format!("{tries}; {e}"),
                None => tries,
            }
        }
    };
    DeliveryRow { id: d.id.clone(), what, state: d.state.clone(), detail, retry: d.state == "dead" }
}

fn row(r: &StoredRequest, deliveries: &[Delivery], zone: chrono_tz::Tz, now: i64) -> Row {
    let left = r.respond_by - now;
    Row {
        id: r.id.clone(),
        plan: r.plan.clone(),
        from: match &r.name {
            Some(n) => format!("{n} <{}>", r.email),
            None => r.email.clone(),
        },
        subject: r.subject.clone().unwrap_or_else(|| r.message.lines().next().unwrap_or("").chars().take(80).collect()),
        message: r.message.clone(),
        due: if left < 0 { format!("overdue {}", span(left)) } else { format!("due in {}", span(left)) },
        overdue: left < 0,
        respond_by: local(r.respond_by, zone),
        respond_by_iso: at(r.respond_by),
        release: if r.release_at > now {
            format!("held until {}", local(r.release_at, zone))
        } else {
            format!("released {}", local(r.release_at, zone))
        },
        spam: r.spam.clone(),
        deliveries: deliveries.iter().filter(|d| d.request_id == r.id).map(|d| delivery_row(d, zone, now)).collect(),
    }
}

/// `GET /staff`.
pub async fn show(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let schedule = s.live.schedule();
    let Some(session) = session(&s, &headers).await else {
        let html = Login { company: &schedule.config.company, error: None, next: "/staff", purpose: "support queue" }
            .render()
            .map_err(internal)?;
        return Ok(page(html));
    };
    let now = (s.clock)().timestamp();
    let internal_store = |e: super::store::StoreError| AppError::Internal(e.to_string());
    let all = s.store.list(now, Include { deferred: true, spam: true }).await.map_err(internal_store)?;
    let ids: Vec<String> = all.iter().map(|r| r.id.clone()).collect();
    let deliveries = s.store.deliveries(None, ids).await.map_err(internal_store)?;
    let disabled = s.store.disabled_endpoints().await.map_err(internal_store)?;
    let zone = session.zone;
    let mut released = Vec::new();
    let mut held = Vec::new();
    let mut spam = Vec::new();
    for r in &all {
        let shown = row(r, &deliveries, zone, now);
        if r.spam.is_some() {
            spam.push(shown);
        } else if r.release_at <= now {
            released.push(shown);
        } else {
            held.push(shown);
        }
    }
    // Overdue first (the most overdue at the top), then by respond_by: one ordering, since
    // respond_by already sorts overdue before due.
    released.sort_by_key(|r| r.respond_by_iso.clone());
    held.sort_by_key(|r| r.respond_by_iso.clone());
    let html = Page {
        company: &schedule.config.company,
        who: signed_in(&session.staff),
        zone: zone.name().to_owned(),
        now: local(now, zone),
        csrf: session.csrf,
        released,
        held,
        spam,
        disabled: disabled
            .into_iter()
            .map(|d| (d.url, format!("{} since {}", d.reason, local(d.disabled_at, zone))))
            .collect(),
    }
    .render()
    .map_err(internal)?;
    Ok(page(html))
}

/// "Ana (agent)": who is signed in, for the page header.
pub(super) fn signed_in(staff: &Staff) -> String {
    format!("{} ({})", staff.name, staff.role.as_str())
}

pub(super) fn internal(e: askama::Error) -> AppError {
    AppError::Internal(e.to_string())
}

#[derive(Deserialize)]
pub struct LoginForm {
    token: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    next: String,
}

/// `POST /staff/login`: the token in the form body; a session cookie back.
pub async fn login(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let staff = if same_site(&headers) { super::auth::by_token(&s, &f.token).await? } else { None };
    let Some(staff) = staff else {
        let company = s.live.schedule().config.company.clone();
        let next = safe_next(&f.next);
        let purpose = if next == "/staff" { "support queue" } else { "config studio" };
        let html = Login { company: &company, error: Some("That is not a staff token."), next, purpose }
            .render()
            .map_err(internal)?;
        let mut r = page(html);
        *r.status_mut() = StatusCode::UNAUTHORIZED;
        return Ok(r);
    };
    let zone = if f.zone.parse::<chrono_tz::Tz>().is_ok() { f.zone } else { "UTC".to_owned() };
    let value = session_value(&s, &staff, &zone);
    let secure =
        if headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https") { "; Secure" } else { "" };
    // Path=/: the studio (`/studio/`) and its publish (`PUT /v1/config`) share the session.
    let cookie = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}");
    let mut r = Redirect::to(safe_next(&f.next)).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.to_string()))?);
    Ok(r)
}

/// `POST /staff/logout`.
pub async fn logout() -> Response {
    let mut r = Redirect::to("/staff").into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    for old in [
        "replyby_staff=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        // Sessions from before the cookie's path widened to the studio.
        "replyby_staff=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0",
    ] {
        r.headers_mut().append(header::SET_COOKIE, HeaderValue::from_static(old));
    }
    r
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: String,
}

/// The signed-in person behind a POST from the staff page, after the cross-site checks.
pub(super) async fn check(s: &AppState, headers: &HeaderMap, csrf: &str) -> Result<PageStaff, AppError> {
    let session = session(s, headers).await.ok_or(AppError::Unauthorized)?;
    let ok = same_site(headers) && same_secret(csrf, &session.csrf);
    if ok { Ok(session) } else { Err(AppError::Forbidden) }
}

/// `POST /staff/requests/{id}/ack`.
pub async fn ack(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    let session = check(&s, &headers, &f.csrf).await?;
    super::queue::ack(&s, &session.staff, &id).await?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/staff")]).into_response())
}

/// `POST /staff/deliveries/{id}/retry`.
pub async fn retry(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    check(&s, &headers, &f.csrf).await?;
    let now = (s.clock)().timestamp();
    if !s.store.retry(&id, now).await.map_err(|e| AppError::Internal(e.to_string()))? {
        return Err(AppError::NotFound(format!("no undelivered delivery has id \"{id}\"")));
    }
    s.wake.notify_one();
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/staff")]).into_response())
}

#[cfg(test)]
mod tests {
    use super::span;

    #[test]
    fn spans_read_as_a_person_says_them() {
        assert_eq!(span(-35 * 60), "35 min");
        assert_eq!(span(2 * 3600 + 59 * 60), "2 h");
        assert_eq!(span(20), "1 min");
        assert_eq!(span(3 * 24 * 3600), "3 days");
    }
}
