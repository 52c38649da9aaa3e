//! The config studio on `replyby serve`: `GET /studio/` is the built page
//! (`<static-dir>/studio/index.html`, made by `scripts/build-widget.sh`) for an admin signed in
//! with the staff page's session, the sign-in form otherwise; `GET /studio/session` tells the
//! page who is signed in, the form token its publish sends, and where the config lives. The
//! page's scripts, styles and wasm are plain static files (the same page also works with no
//! server); publishing is `PUT /v1/config` ([`super::auth::Publisher`]).

use super::auth::{FORM_TOKEN, session};
use super::error::AppError;
use super::live::Source;
use super::staff::{Login, internal};
use super::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::path::PathBuf;

/// The studio's Content-Security-Policy: its own scripts and wasm, its own styles, requests to
/// this server only; not framed.
const CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The studio's routes; `static_dir` is `serve --static-dir`, where the built page is.
pub fn routes(static_dir: Option<PathBuf>) -> Router<AppState> {
    Router::new()
        // Relative URLs in the page (`studio.js`, `../embed.js`) need the trailing slash.
        .route("/studio", get(|| async { Redirect::permanent("/studio/") }))
        .route("/studio/", get(move |state, headers| show(state, headers, static_dir.clone())))
        .route("/studio/index.html", get(|| async { Redirect::permanent("/studio/") }))
        .route("/studio/session", get(who))
}

fn page(status: StatusCode, html: String) -> Response {
    let mut r = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    r
}

fn message(title: &str, text: &str) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{t}</title><link rel=\"stylesheet\" href=\"/staff/staff.css\"></head><body><main class=\"signin\"><h1>{t}</h1><p>{m}</p>\
<p><a href=\"/staff\">The staff page</a></p></main></body></html>",
        t = esc(title),
        m = esc(text)
    )
}

/// `GET /studio/`.
async fn show(
    State(s): State<AppState>,
    headers: HeaderMap,
    static_dir: Option<PathBuf>,
) -> Result<Response, AppError> {
    let Some(who) = session(&s, &headers).await else {
        let company = s.live.schedule().config.company.clone();
        let html = Login { company: &company, error: None, next: "/studio/", purpose: "config studio" }
            .render()
            .map_err(internal)?;
        return Ok(page(StatusCode::OK, html));
    };
    if !who.staff.is_admin() {
        let text = format!(
            "{} is signed in as an agent. Agents change hours and closures on the staff page's Schedule view; the studio edits the whole config, which needs an admin.",
            who.staff.name
        );
        return Ok(page(StatusCode::FORBIDDEN, message("The studio is for admins", &text)));
    }
    let file = static_dir.map(|d| d.join("studio").join("index.html"));
    match file.as_ref().map(std::fs::read_to_string) {
        Some(Ok(html)) => Ok(page(StatusCode::OK, html)),
        _ => {
            let text = "The studio has not been built: run ./scripts/build-widget.sh, then start replyby serve with --static-dir dist.";
            Ok(page(StatusCode::NOT_FOUND, message("The studio is not built", text)))
        }
    }
}

/// `GET /studio/session`: `{name, role, formToken, formTokenHeader, configUrl, bundleUrl,
/// embedUrl, source, now}`; `401`
/// without a session, `403` for an agent.
async fn who(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let who = session(&s, &headers).await.ok_or(AppError::Unauthorized)?;
    if !who.staff.is_admin() {
        return Err(AppError::NotAdmin(who.staff.name));
    }
    let source = match s.live.source() {
        Source::File(path) => serde_json::json!({ "file": path.display().to_string() }),
        Source::Store => serde_json::json!("store"),
    };
    let body = serde_json::json!({
        "name": who.staff.name,
        "role": who.staff.role.as_str(),
        "formToken": who.csrf,
        "formTokenHeader": FORM_TOKEN,
        "configUrl": "/v1/config",
        "bundleUrl": "/v1/bundle",
        "embedUrl": "/embed.js",
        "source": source,
        // The server's clock (pinned under --test-clock): the preview's first instant.
        "now": super::intake::at(s.now().timestamp()),
    });
    let mut r = axum::Json(body).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// `GET /` and `/index.html` under `replyby serve --static-dir`: the demo page
/// (`<static-dir>/index.html`), with its widgets reading this server's live config
/// (`/v1/bundle`) instead of the static `acme.json` beside it, so what staff publish or
/// schedule shows on it. Without the page, `404` as before.
pub fn demo_routes(static_dir: Option<PathBuf>) -> Router<AppState> {
    let Some(dir) = static_dir else { return Router::new() };
    let file = dir.join("index.html");
    let show = move || {
        let file = file.clone();
        async move {
            match tokio::fs::read_to_string(&file).await {
                Ok(html) => (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")],
                    html.replace("data-config=\"acme.json\"", "data-config=\"/v1/bundle\""),
                )
                    .into_response(),
                Err(_) => StatusCode::NOT_FOUND.into_response(),
            }
        }
    };
    Router::new().route("/", get(show.clone())).route("/index.html", get(show))
}
