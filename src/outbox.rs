//! The outbox: requests are written to localStorage before they are sent, sent with an
//! `Idempotency-Key`, and retried with full-jitter exponential backoff — also after a
//! reload — until the server answers. The key makes every retry safe: the server stores a
//! request once and replays its first answer.

use replyby_core::json::Json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where one request stands.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    /// Kept on this device, not yet answered.
    Pending {
        /// Attempts so far.
        attempts: u32,
        /// Next attempt, ms since the epoch.
        next_at: f64,
        /// Why the last attempt failed: the HTTP status the server answered (`"503"`), or
        /// `"unreachable"`. The form says it in the visitor's language.
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
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Idempotency key, made once when the customer presses send.
    pub key: String,
    /// The JSON body, exactly as first sent.
    pub body: Json,
    /// What the customer wrote it about, for the list.
    pub subject: String,
    /// Where it goes.
    pub endpoint: String,
    /// The state.
    pub state: State,
    /// A tab sending this item holds it until then (ms since epoch), so two tabs do not
    /// send it at the same moment.
    pub lease_until: f64,
}

/// Milliseconds are stored as whole numbers (no float formatting in the wasm).
fn ms(n: f64) -> Json {
    Json::from(n as i64)
}

fn text(v: &Json, key: &str) -> String {
    v.get(key).and_then(Json::as_str).unwrap_or_default().to_owned()
}

fn number(v: &Json, key: &str) -> f64 {
    v.get(key).and_then(Json::as_i64).unwrap_or(0) as f64
}

impl State {
    /// The server has answered: received or refused. An answer is final; a refused request
    /// is corrected as a new item.
    pub fn is_answer(&self) -> bool {
        !matches!(self, State::Pending { .. })
    }

    /// What an item's state becomes after one tab's attempt, given what storage holds now.
    /// Tabs share the outbox and can both send an item (the lease narrows that, storage
    /// events arrive late); the idempotency key keeps the server's copy single, and this
    /// keeps the device's: an answer another tab stored stays, whatever this attempt got.
    pub fn settle(stored: &State, attempt: State) -> State {
        if stored.is_answer() { stored.clone() } else { attempt }
    }

    fn to_json(&self) -> Json {
        match self {
            State::Pending { attempts, next_at, last_error } => Json::object([
                ("state", Json::str("pending")),
                ("attempts", Json::from(i64::from(*attempts))),
                ("next_at", ms(*next_at)),
                ("last_error", last_error.clone().map_or(Json::Null, Json::String)),
            ]),
            State::Received { id, release_at, respond_by, deferred } => Json::object([
                ("state", Json::str("received")),
                ("id", Json::str(id)),
                ("release_at", Json::str(release_at)),
                ("respond_by", Json::str(respond_by)),
                ("deferred", Json::Bool(*deferred)),
            ]),
            State::Refused { fields } => Json::object([
                ("state", Json::str("refused")),
                (
                    "fields",
                    Json::Array(fields.iter().map(|(f, m)| Json::Array(vec![Json::str(f), Json::str(m)])).collect()),
                ),
            ]),
        }
    }

    fn from_json(v: &Json) -> Option<State> {
        Some(match v.get("state")?.as_str()? {
            "pending" => State::Pending {
                attempts: number(v, "attempts") as u32,
                next_at: number(v, "next_at"),
                last_error: v.get("last_error").and_then(Json::as_str).map(str::to_owned),
            },
            "received" => State::Received {
                id: text(v, "id"),
                release_at: text(v, "release_at"),
                respond_by: text(v, "respond_by"),
                deferred: v.get("deferred") == Some(&Json::Bool(true)),
            },
            "refused" => State::Refused {
                fields: match v.get("fields") {
                    Some(Json::Array(pairs)) => pairs
                        .iter()
                        .filter_map(|p| match p {
                            Json::Array(fm) => match fm.as_slice() {
                                [Json::String(f), Json::String(m)] => Some((f.clone(), m.clone())),
                                _ => None,
                            },
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                },
            },
            _ => return None,
        })
    }
}

impl Item {
    /// As stored in localStorage.
    pub fn to_json(&self) -> Json {
        Json::object([
            ("key", Json::str(&self.key)),
            ("body", self.body.clone()),
            ("subject", Json::str(&self.subject)),
            ("endpoint", Json::str(&self.endpoint)),
            ("state", self.state.to_json()),
            ("lease_until", ms(self.lease_until)),
        ])
    }

    /// Back from localStorage; `None` for anything that is not an item.
    pub fn from_json(v: &Json) -> Option<Item> {
        Some(Item {
            key: v.get("key")?.as_str()?.to_owned(),
            body: v.get("body")?.clone(),
            subject: text(v, "subject"),
            endpoint: v.get("endpoint")?.as_str()?.to_owned(),
            state: State::from_json(v.get("state")?)?,
            lease_until: number(v, "lease_until"),
        })
    }
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
        .and_then(|text| Json::parse(&text).ok())
        .map(|v| match v {
            Json::Array(items) => items.iter().filter_map(Item::from_json).collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default()
}

/// Writes the whole outbox; false when the browser would not keep it (private mode, full).
pub fn save(items: &[Item]) -> bool {
    let Some(s) = storage() else { return false };
    let text = Json::Array(items.iter().map(Item::to_json).collect()).to_string();
    s.set_item(STORAGE_KEY, &text).is_ok()
}

/// Every item kept on this device, after removing the received ones whose reply-by time has
/// passed at `now`: the device kept only their key and times, to show "you'll hear back by …",
/// and once that time is past there is nothing left to show. Pending and refused items stay
/// (they still hold what the customer wrote, to send or correct).
pub fn load_forgetting_spent(now: chrono::DateTime<chrono::Utc>) -> Vec<Item> {
    let items = load();
    let spent = |i: &Item| {
        matches!(&i.state, State::Received { respond_by, .. }
            if replyby_core::text::parse_instant(respond_by).is_some_and(|by| by <= now))
    };
    if !items.iter().any(spent) {
        return items;
    }
    let kept: Vec<Item> = items.into_iter().filter(|i| !spent(i)).collect();
    save(&kept);
    kept
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
        /// What went wrong: the HTTP status (`"503"`) or `"unreachable"`.
        error: String,
        /// The server's Retry-After, in ms.
        after_ms: Option<f64>,
    },
}

/// The error of an attempt that never got an HTTP answer.
pub const UNREACHABLE: &str = "unreachable";

/// One attempt to deliver an item.
pub async fn send(item: &Item) -> Outcome {
    let retry = |e: String| Outcome::Retry { error: e, after_ms: None };
    let Some(window) = web_sys::window() else { return retry(UNREACHABLE.into()) };
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
        Err(_) => return retry(UNREACHABLE.into()),
    };
    let Ok(response) = response.dyn_into::<web_sys::Response>() else { return retry(UNREACHABLE.into()) };
    let status = response.status();
    let json = match response.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()).and_then(|t| Json::parse(&t).ok()),
        Err(_) => None,
    }
    .unwrap_or(Json::Null);
    match status {
        201 => Outcome::Received(State::Received {
            id: text(&json, "id"),
            release_at: text(&json, "release_at"),
            respond_by: text(&json, "respond_by"),
            deferred: json.get("state").and_then(Json::as_str) == Some("deferred"),
        }),
        400 | 413 | 422 => {
            let mut fields: Vec<(String, String)> = match json.get("fields") {
                Some(Json::Array(a)) => a.iter().map(|f| (text(f, "field"), text(f, "message"))).collect(),
                _ => Vec::new(),
            };
            if fields.is_empty() {
                fields.push((String::new(), text(&json, "error")));
            }
            Outcome::Refused(State::Refused { fields })
        }
        _ => {
            let after = response
                .headers()
                .get("retry-after")
                .ok()
                .flatten()
                .and_then(|v| v.trim().parse::<u32>().ok())
                .map(|s| f64::from(s) * 1000.0);
            Outcome::Retry { error: status.to_string(), after_ms: after }
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
    fn an_answer_in_storage_outlives_a_later_failed_attempt_from_another_tab() {
        let received =
            State::Received { id: "r1".into(), release_at: "a".into(), respond_by: "b".into(), deferred: false };
        let refused = State::Refused { fields: vec![("email".into(), "bad".into())] };
        let failed = State::Pending { attempts: 3, next_at: 5.0, last_error: Some("unreachable".into()) };
        let earlier = State::Pending { attempts: 2, next_at: 1.0, last_error: None };
        assert_eq!(State::settle(&received, failed.clone()), received);
        assert_eq!(State::settle(&refused, failed.clone()), refused);
        assert_eq!(State::settle(&received, refused.clone()), received);
        assert_eq!(State::settle(&earlier, failed.clone()), failed);
        assert_eq!(State::settle(&earlier, received.clone()), received);
    }

    #[test]
    fn items_round_trip_through_json() {
        let states = [
            State::Pending { attempts: 2, next_at: 1_790_000_000_123.0, last_error: Some("x \"y\"".into()) },
            State::Pending { attempts: 0, next_at: 0.0, last_error: None },
            State::Received { id: "r1".into(), release_at: "a".into(), respond_by: "b".into(), deferred: true },
            State::Refused { fields: vec![("email".into(), "bad".into()), (String::new(), "gone".into())] },
        ];
        for state in states {
            let item = Item {
                key: "k".into(),
                body: Json::object([("plan", Json::str("basic")), ("message", Json::str("héllo\n<b>"))]),
                subject: "s".into(),
                endpoint: "/v1/requests".into(),
                state,
                lease_until: 1_790_000_000_000.0,
            };
            let text = item.to_json().to_string();
            let back = Json::parse(&text).ok().as_ref().and_then(Item::from_json);
            assert_eq!(back, Some(item), "{text}");
        }
    }
}
