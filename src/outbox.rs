//! The outbox: requests are written to localStorage before they are sent, sent with an
//! `Idempotency-Key`, and retried with full-jitter exponential backoff — also after a
//! reload — until the server answers. The key makes every retry safe: the server stores a
//! request once and replays its first answer.

use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where one request stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Kept on this device, not yet answered.
    Pending {
        /// Attempts so far.
        attempts: u32,
        /// Next attempt, ms since the epoch.
        next_at: f64,
        /// Why the last attempt failed.
        last_error: Option<String>,
    },
    /// The server has it: its own times.
    Received {
        /// The server's id.
        id: String,
        /// When the team gets it (RFC 3339).
        release_at: String,
        /// By when the customer hears back (RFC 3339).
        respond_by: String,
        /// Held until the team opens.
        deferred: bool,
    },
    /// The server refused it; the fields and messages it named.
    Refused {
        /// `(field, message)` pairs.
        fields: Vec<(String, String)>,
    },
}

/// One request in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Idempotency key, made once when the customer presses send.
    pub key: String,
    /// The JSON body, exactly as first sent.
    pub body: serde_json::Value,
    /// What the customer wrote it about, for the list.
    pub subject: String,
    /// Where it goes.
    pub endpoint: String,
    /// The state.
    pub state: State,
    /// A tab sending this item holds it until then (ms since epoch), so two tabs do not
    /// send it at the same moment.
    #[serde(default)]
    pub lease_until: f64,
}

const STORAGE_KEY: &str = "replyby.outbox.v1";
/// First retry within a second, never more than a minute apart.
const BASE_MS: f64 = 1000.0;
const CAP_MS: f64 = 60_000.0;

/// Full jitter: a uniform wait in [0, min(cap, base · 2^attempt)] (`random` in [0, 1)).
pub fn backoff_ms(attempt: u32, random: f64) -> f64 {
    let ceiling = (BASE_MS * 2f64.powi(attempt.min(16) as i32)).min(CAP_MS);
    (random.clamp(0.0, 1.0) * ceiling).max(250.0)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Every item kept on this device (empty when storage is unavailable).
pub fn load() -> Vec<Item> {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Writes the whole outbox; false when the browser would not keep it (private mode, full).
pub fn save(items: &[Item]) -> bool {
    let Some(s) = storage() else { return false };
    let Ok(text) = serde_json::to_string(items) else { return false };
    s.set_item(STORAGE_KEY, &text).is_ok()
}

/// Applies `f` to the stored copy of one item (read-modify-write, so other tabs' items stay).
pub fn update(key: &str, f: impl FnOnce(&mut Item)) -> Option<Item> {
    let mut items = load();
    let item = items.iter_mut().find(|i| i.key == key)?;
    f(item);
    let out = item.clone();
    save(&items);
    Some(out)
}

/// A fresh idempotency key.
pub fn new_key() -> String {
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    match crypto {
        Some(c) => c.random_uuid(),
        None => {
            format!("{:016x}{:016x}", (js_sys::Math::random() * 1e16) as u64, (js_sys::Math::random() * 1e16) as u64)
        }
    }
}

/// What one attempt got.
pub enum Outcome {
    /// 201.
    Received(State),
    /// 400 with field errors, or 422 (the key was used with another body).
    Refused(State),
    /// Try again: network failure, 409, 429, 5xx.
    Retry {
        /// What went wrong.
        error: String,
        /// The server's Retry-After, in ms.
        after_ms: Option<f64>,
    },
}

/// One attempt to deliver an item.
pub async fn send(item: &Item) -> Outcome {
    let retry = |e: String| Outcome::Retry { error: e, after_ms: None };
    let Some(window) = web_sys::window() else { return retry("no window".into()) };
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().ok();
    if let Some(h) = &headers {
        let _ = h.set("content-type", "application/json");
        let _ = h.set("idempotency-key", &item.key);
        init.set_headers(h);
    }
    init.set_body(&JsValue::from_str(&item.body.to_string()));
    let response = match JsFuture::from(window.fetch_with_str_and_init(&item.endpoint, &init)).await {
        Ok(r) => r,
        Err(_) => return retry("the server could not be reached".into()),
    };
    let Ok(response) = response.dyn_into::<web_sys::Response>() else { return retry("no response".into()) };
    let status = response.status();
    let json: serde_json::Value = match response.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default(),
        Err(_) => serde_json::Value::Null,
    };
    let text = |k: &str| json[k].as_str().unwrap_or_default().to_owned();
    match status {
        201 => Outcome::Received(State::Received {
            id: text("id"),
            release_at: text("release_at"),
            respond_by: text("respond_by"),
            deferred: json["state"] == "deferred",
        }),
        400 | 413 | 422 => {
            let mut fields: Vec<(String, String)> = json["fields"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|f| {
                            (
                                f["field"].as_str().unwrap_or("").to_owned(),
                                f["message"].as_str().unwrap_or("").to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            if fields.is_empty() {
                fields.push((String::new(), text("error")));
            }
            Outcome::Refused(State::Refused { fields })
        }
        _ => {
            let after = response
                .headers()
                .get("retry-after")
                .ok()
                .flatten()
                .and_then(|v| v.parse::<f64>().ok())
                .map(|s| s * 1000.0);
            Outcome::Retry { error: format!("the server answered {status}"), after_ms: after }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_full_jitter_and_is_capped() {
        assert_eq!(backoff_ms(0, 0.999), 999.0);
        assert_eq!(backoff_ms(3, 0.5), 4000.0);
        assert_eq!(backoff_ms(30, 0.999), 59_940.0);
        assert_eq!(backoff_ms(5, 0.0), 250.0);
    }

    #[test]
    fn items_round_trip_through_json() {
        let item = Item {
            key: "k".into(),
            body: serde_json::json!({ "plan": "basic" }),
            subject: "s".into(),
            endpoint: "/v1/requests".into(),
            state: State::Pending { attempts: 2, next_at: 5.0, last_error: Some("x".into()) },
            lease_until: 0.0,
        };
        let text = serde_json::to_string(&item).expect("json");
        assert_eq!(serde_json::from_str::<Item>(&text).expect("back"), item);
    }
}
