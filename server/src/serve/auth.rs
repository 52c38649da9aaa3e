//! Who is asking. [`Staff`] and [`Admin`] are extractors, so a handler's signature says what
//! it needs and a forgotten check is a type error: a bearer token on the API, a signed
//! session cookie on the staff pages ([`PageStaff`]).
//!
//! Tokens: each person's is stored only as its SHA-256 and looked up on every request, so a
//! removed person's token stops working at once on every instance.
//! `REPLYBY_STAFF_TOKEN` is the bootstrap admin. Sessions are signed with a key kept in the
//! store (shared by every instance) and name the person; the person is looked up again on
//! every page, so removing them ends their sessions too.

use super::error::AppError;
use super::state::AppState;
use super::store::schedule::Role;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The bootstrap admin's name in the audit trail.
pub const BOOTSTRAP: &str = "bootstrap";

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl Staff {
    /// For the audit trail.
    pub fn actor(&self, at: i64) -> super::store::schedule::Actor<'_> {
        super::store::schedule::Actor { name: &self.name, at }
    }
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A signed-in admin.
#[derive(Debug, Clone)]
pub struct Admin(pub Staff);

/// SHA-256 of a token, hex: what the store keeps.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// A new token: 32 random bytes, URL-safe base64, prefixed so it is recognisable in a leak.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!("rb_{}", B64.encode(bytes))
}

/// Whether two secrets are equal, in time that does not depend on where they first differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn bootstrap_id(token: &str) -> String {
    format!("{BOOTSTRAP}-{}", &token_hash(token)[..16])
}

/// The person a token belongs to, if any.
pub async fn by_token(s: &AppState, token: &str) -> Result<Option<Staff>, AppError> {
    let token = token.trim();
    if token.is_empty() {
        return Ok(None);
    }
    if !s.staff_token.is_empty() && same_secret(token, &s.staff_token) {
        return Ok(Some(Staff { id: bootstrap_id(token), name: BOOTSTRAP.into(), role: Role::Admin }));
    }
    Ok(s.admin.staff_by_token(&token_hash(token)).await?.map(|m| Staff { id: m.id, name: m.name, role: m.role }))
}

async fn by_id(s: &AppState, id: &str) -> Result<Option<Staff>, AppError> {
    if id.starts_with(BOOTSTRAP) {
        let ok = !s.staff_token.is_empty() && same_secret(id, &bootstrap_id(&s.staff_token));
        return Ok(ok.then(|| Staff { id: id.to_owned(), name: BOOTSTRAP.into(), role: Role::Admin }));
    }
    Ok(s.admin.staff_by_id(id).await?.map(|m| Staff { id: m.id, name: m.name, role: m.role }))
}

fn bearer(headers: &HeaderMap) -> &str {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        by_token(s, bearer(&parts.headers)).await?.ok_or(AppError::Unauthorized)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        let staff = Staff::from_request_parts(parts, s).await?;
        if staff.is_admin() { Ok(Admin(staff)) } else { Err(AppError::NotAdmin(staff.name)) }
    }
}

/// Who may publish a config: an admin's bearer token (the API, `replyby config push`), or an
/// admin signed in on the staff page's session with the session's form token in
/// `X-Replyby-Form-Token` from a same-origin page (the config studio). A cookie alone is never
/// enough: a cross-site page can make the browser send the cookie, not the form token.
pub struct Publisher(pub Staff);

/// The header the studio sends its session's form token in.
pub const FORM_TOKEN: &str = "x-replyby-form-token";

impl FromRequestParts<AppState> for Publisher {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        if !bearer(&parts.headers).is_empty() {
            return Admin::from_request_parts(parts, s).await.map(|Admin(staff)| Publisher(staff));
        }
        // The staff page's own check for its form posts: the session, same site, its form token.
        let token = parts.headers.get(FORM_TOKEN).and_then(|v| v.to_str().ok()).unwrap_or("");
        let session = super::staff::check(s, &parts.headers, token).await?;
        if !session.staff.is_admin() {
            return Err(AppError::NotAdmin(session.staff.name));
        }
        Ok(Publisher(session.staff))
    }
}

// ---- staff page sessions ----

pub const COOKIE: &str = "replyby_staff";
/// A session lasts a working day and a half.
pub const SESSION_SECS: i64 = 12 * 3600;

fn mac(key: &str, payload: &str) -> String {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    m.update(payload.as_bytes());
    B64.encode(m.finalize().into_bytes())
}

/// A staff member signed in on the staff page: who, the zone to show times in, and the
/// form token for this session's POSTs.
#[derive(Debug, Clone)]
pub struct PageStaff {
    pub staff: Staff,
    pub zone: chrono_tz::Tz,
    pub csrf: String,
}

/// The cookie value for a new session.
pub fn session_value(s: &AppState, staff: &Staff, zone: &str) -> String {
    let key = s.live.get().session_key.clone();
    let expires = s.now().timestamp() + SESSION_SECS;
    let payload = format!("{}.{expires}.{}", B64.encode(&staff.id), B64.encode(zone));
    format!("{payload}.{}", mac(&key, &payload))
}

/// The session the request's cookie holds, if it is valid and its person still exists.
pub async fn session(s: &AppState, headers: &HeaderMap) -> Option<PageStaff> {
    let cookies = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("; ");
    let value = cookies.split(';').map(str::trim).find_map(|c| c.strip_prefix(&format!("{COOKIE}=")))?;
    let (payload, sig) = value.rsplit_once('.')?;
    let key = s.live.get().session_key.clone();
    // Constant-time comparison through the MAC's own verify.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).ok()?;
    m.update(payload.as_bytes());
    m.verify_slice(&B64.decode(sig).ok()?).ok()?;
    let mut parts = payload.split('.');
    let (id, expires, zone) = (parts.next()?, parts.next()?, parts.next()?);
    if expires.parse::<i64>().ok()? < s.now().timestamp() {
        return None;
    }
    let id = String::from_utf8(B64.decode(id).ok()?).ok()?;
    let staff = by_id(s, &id).await.ok()??;
    let zone = String::from_utf8(B64.decode(zone).ok()?).ok()?;
    Some(PageStaff { staff, zone: zone.parse().unwrap_or(chrono_tz::UTC), csrf: mac(&key, &format!("csrf.{payload}")) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed_as_hex_sha256() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with("rb_") && a.len() >= 40, "{a}");
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
