//! Standard Webhooks (<https://www.standardwebhooks.com>): signing, the event body, and one
//! HTTP attempt.
//!
//! Signing is a small pure function, [`sign`], tested with the specification's published
//! vector. Sending is [`client`] (resolve the host, refuse private addresses, pin the
//! connection to the checked addresses) then [`send`] (one POST, classified into an
//! [`Outcome`]); [`deliver`] does both. Retries, leases and backoff are the worker's.
//!
//! **Invariant:** unless the endpoint has `allow_private = true`, a webhook never connects to a
//! loopback, private, link-local, unique-local, unspecified, multicast or reserved address —
//! not even when DNS answers differently between the check and the connection (DNS
//! rebinding), because the connection is pinned to the addresses that were checked.

use super::Outcome;
use crate::serve::intake::{RequestView, view};
use crate::serve::store::StoredRequest;
use crate::settings::{Event, WebhookSecret};
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use replyby_core::engine::rfc3339;
use reqwest::Url;
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use sha2::Sha256;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, SystemTime};

/// How long one attempt may take, connection and answer included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The `webhook-signature` of a message: `v1,` + base64 of HMAC-SHA256 over
/// `{msg_id}.{timestamp}.{body}`, keyed with the secret's decoded bytes.
pub fn sign(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// The three Standard Webhooks headers of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headers {
    /// `webhook-id`: one per event and endpoint, the same on every retry (the delivery id).
    pub id: String,
    /// `webhook-timestamp`: Unix seconds of this attempt.
    pub timestamp: i64,
    /// `webhook-signature`.
    pub signature: String,
}

impl Headers {
    /// Signs `body` for an attempt at `now`.
    pub fn new(secret: &WebhookSecret, id: &str, now: DateTime<Utc>, body: &str) -> Headers {
        let timestamp = now.timestamp();
        Headers { id: id.to_owned(), timestamp, signature: sign(secret.key(), id, timestamp, body.as_bytes()) }
    }
}

#[derive(serde::Serialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: String,
    data: RequestView,
}

/// The event body: `{"type": EVENT, "timestamp": RFC3339, "data": REQUEST}`, REQUEST as staff
/// see it in `GET /v1/queue` (with `state` as of `at`). `at` is when the event happened
/// (`received_at`, `release_at`, the ack), so a retry sends the very same body.
pub fn event_body(event: Event, at: DateTime<Utc>, request: &StoredRequest) -> String {
    let body =
        Body { kind: event.as_str(), timestamp: rfc3339::format(&at), data: view(request, Some(at.timestamp()), true) };
    // Serializing strings and plain structs cannot fail.
    serde_json::to_string(&body).unwrap_or_default()
}

/// Is this an address anyone on the internet could reach: not loopback, private (RFC 1918),
/// shared (100.64/10), link-local, unique-local (fc00::/7), unspecified, multicast, broadcast,
/// documentation, benchmarking or reserved. IPv4 inside IPv6 (mapped, NAT64, 6to4) is judged
/// by its IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    !(o[0] == 0 // "this network", 0.0.0.0 included
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10, carrier-grade NAT
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // 192.0.0.0/24, IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // 198.18.0.0/15, benchmarking
        || o[0] >= 240) // 240.0.0.0/4, reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return is_public_v4(embedded(s[6], s[7])); // 64:ff9b::/96, NAT64
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded(s[1], s[2])); // 2002::/16, 6to4
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || s[..6] == [0; 6] // ::a.b.c.d, IPv4-compatible (deprecated)
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
        || (s[0] & 0xffc0) == 0xfec0 // fec0::/10, site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // 2001:db8::/32, documentation
        || (s[0] == 0x0100 && s[1..4] == [0; 3])) // 100::/64, discard
}

fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        // A 3xx is an answer to report, not a place to go: a redirect could lead anywhere.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        // A proxy would connect on our behalf to wherever the name resolves: no pinning then.
        .no_proxy()
        .use_rustls_tls()
        .user_agent(concat!("replyby/", env!("CARGO_PKG_VERSION"), " (Standard Webhooks)"))
}

/// Refuses any address that is not public (unless `allow_private`); the refusal says which.
fn check(addrs: &[SocketAddr], allow_private: bool) -> Result<(), String> {
    if addrs.is_empty() {
        return Err("the host has no address".to_owned());
    }
    match addrs.iter().find(|a| !is_public(a.ip())) {
        Some(bad) if !allow_private => Err(format!(
            "refused: the host resolves to {}, a loopback, private or reserved address (set allow_private = true for a local receiver)",
            bad.ip()
        )),
        _ => Ok(()),
    }
}

/// A client for one endpoint: resolves its host, checks every address, and pins the
/// connection to them. An IP-literal URL is checked directly. The error is a sentence for staff.
pub async fn client(url: &Url, allow_private: bool, timeout: Duration) -> Result<reqwest::Client, String> {
    let port = url.port_or_known_default().ok_or("the URL has no port")?;
    let built = match url.host() {
        Some(url::Host::Ipv4(ip)) => {
            check(&[SocketAddr::from((ip, port))], allow_private)?;
            builder(timeout).build()
        }
        Some(url::Host::Ipv6(ip)) => {
            check(&[SocketAddr::from((ip, port))], allow_private)?;
            builder(timeout).build()
        }
        Some(url::Host::Domain(host)) => {
            let lookup = tokio::time::timeout(timeout, tokio::net::lookup_host((host, port)));
            let addrs: Vec<SocketAddr> = match lookup.await {
                Ok(Ok(addrs)) => addrs.collect(),
                Ok(Err(e)) => return Err(format!("cannot resolve {host}: {e}")),
                Err(_) => return Err(format!("timed out resolving {host}")),
            };
            check(&addrs, allow_private)?;
            builder(timeout).resolve_to_addrs(host, &addrs).build()
        }
        None => return Err("the URL has no host".to_owned()),
    };
    built.map_err(|e| format!("cannot set up an HTTP client: {}", cause(&e)))
}

/// The innermost cause of an error, which says what happened ("connection refused").
fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = e;
    while let Some(next) = inner.source() {
        inner = next;
    }
    inner.to_string()
}

/// One attempt: POSTs `body` with the Standard Webhooks headers and classifies the answer.
/// Any 2xx is [`Outcome::Delivered`]; 410 is [`Outcome::Gone`]; everything else (3xx, 4xx,
/// 5xx, network errors, timeouts) is [`Outcome::Retry`], with the receiver's `Retry-After`.
pub async fn send(client: &reqwest::Client, url: &Url, headers: &Headers, body: String) -> Outcome {
    let request = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", &headers.id)
        .header("webhook-timestamp", headers.timestamp.to_string())
        .header("webhook-signature", &headers.signature)
        .body(body);
    let mut response = match request.send().await {
        Ok(r) => r,
        Err(e) => return Outcome::Retry { after: None, reason: describe(&e) },
    };
    let status = response.status();
    if status.is_success() {
        return Outcome::Delivered;
    }
    let code = status.as_u16();
    let after = retry_after(response.headers());
    let mut reason = match status.canonical_reason() {
        Some(text) => format!("HTTP {code} {text}"),
        None => format!("HTTP {code}"),
    };
    if status.is_redirection() {
        let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let location: String = location.chars().take(200).collect();
        reason.push_str(&format!(
            ": redirects are not followed (Location: {location}); point the webhook at the final URL"
        ));
    } else if code == 410 {
        return Outcome::Gone { reason: format!("{reason}: the endpoint asked to be disabled") };
    } else if let Ok(Some(chunk)) = response.chunk().await {
        // A short excerpt of what the receiver said, for staff.
        let text: String =
            String::from_utf8_lossy(&chunk).chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
        let text = text.trim();
        if !text.is_empty() {
            reason.push_str(&format!(": {text}"));
        }
    }
    Outcome::Retry { after, reason }
}

/// [`client`] then [`send`]: one attempt at an endpoint.
pub async fn deliver(url: &Url, allow_private: bool, timeout: Duration, headers: &Headers, body: String) -> Outcome {
    match client(url, allow_private, timeout).await {
        Ok(c) => send(&c, url, headers, body).await,
        Err(reason) => Outcome::Retry { after: None, reason },
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out waiting for the receiver".to_owned()
    } else if e.is_connect() {
        format!("cannot connect: {}", cause(e))
    } else {
        format!("the request failed: {}", cause(e))
    }
}

/// The receiver's `Retry-After`: delay-seconds, or an HTTP-date measured from the answer's
/// own `Date` (so clock skew between us and the receiver does not matter), else from our
/// wall clock (the date is the receiver's wall clock, not the server's test clock).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let reference = headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .unwrap_or_else(SystemTime::now);
    Some(at.duration_since(reference).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::http::{HeaderMap as AxumHeaders, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::post;
    use std::sync::{Arc, Mutex};

    /// The Standard Webhooks reference libraries' published vector (python
    /// `tests/test_webhooks.py::test_sign_function`, also in the other languages' tests).
    #[test]
    fn signing_matches_the_specification_vector() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
        assert_eq!(
            sign(secret.key(), "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    /// A second vector with a non-ASCII body, generated with the PyPI `standardwebhooks` 1.1.0
    /// package: `Webhook("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").sign("dlv_0123456789abcdef",
    /// datetime.fromtimestamp(1804600800, tz=timezone.utc), BODY)`.
    #[test]
    fn signing_matches_the_python_reference_on_utf8() {
        let secret = WebhookSecret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").expect("secret");
        let body =
            r#"{"type":"request.released","data":{"name":"Ana Souza","message":"O roteador pisca — vermelho ☎"}}"#;
        let at = DateTime::from_timestamp(1804600800, 0).expect("instant");
        let h = Headers::new(&secret, "dlv_0123456789abcdef", at, body);
        assert_eq!(h.signature, "v1,yDSLtNPpKcyEd2bOYhLhzAQEGbFPtb7Eb0bryyOw3WI=");
        assert_eq!(h.timestamp, 1804600800);
        // The signature covers the id, the timestamp and every byte of the body.
        assert_ne!(sign(secret.key(), "dlv_0123456789abcdeg", 1804600800, body.as_bytes()), h.signature);
        assert_ne!(sign(secret.key(), "dlv_0123456789abcdef", 1804600801, body.as_bytes()), h.signature);
    }

    fn request() -> StoredRequest {
        StoredRequest {
            id: "req_1".into(),
            idempotency_key: "k".into(),
            body_hash: "h".into(),
            plan: "basic".into(),
            email: "ana@example.com.br".into(),
            name: Some("Ana Souza".into()),
            subject: None,
            message: "O roteador pisca vermelho.".into(),
            time_zone: Some("America/Sao_Paulo".into()),
            locale: Some("pt-BR".into()),
            received_at: 1_804_600_000,
            release_at: 1_804_600_800,
            respond_by: 1_804_629_600,
            acked_at: None,
            spam: None,
        }
    }

    #[test]
    fn the_event_body_carries_the_staff_view_as_of_the_event() {
        let r = request();
        let received = event_body(Event::Received, DateTime::from_timestamp(r.received_at, 0).expect("t"), &r);
        let v: serde_json::Value = serde_json::from_str(&received).expect("JSON");
        assert_eq!(v["type"], "request.received");
        assert_eq!(v["timestamp"], "2027-03-09T13:46:40Z");
        assert_eq!(v["data"]["id"], "req_1");
        assert_eq!(v["data"]["email"], "ana@example.com.br");
        assert_eq!(v["data"]["message"], "O roteador pisca vermelho.");
        assert_eq!(v["data"]["state"], "deferred");
        assert_eq!(v["data"]["respond_by"], "2027-03-09T22:00:00Z");
        assert!(received.starts_with(r#"{"type":"request.received","timestamp":"#), "{received}");
        let released = event_body(Event::Released, DateTime::from_timestamp(r.release_at, 0).expect("t"), &r);
        let v: serde_json::Value = serde_json::from_str(&released).expect("JSON");
        assert_eq!((v["type"].as_str(), v["data"]["state"].as_str()), (Some("request.released"), Some("open")));
    }

    #[test]
    fn private_and_reserved_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "2001:db8::1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip} counted as public");
        }
        for ip in ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.215.14", "64:ff9b::101:101"] {
            assert!(is_public(ip.parse().expect("ip")), "{ip} counted as private");
        }
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_as_an_http_date() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, reqwest::header::HeaderValue::from_static(v));
            }
            h
        };
        assert_eq!(retry_after(&headers(&[("retry-after", "120")])), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after(&headers(&[
                ("retry-after", "Tue, 09 Mar 2027 14:02:00 GMT"),
                ("date", "Tue, 09 Mar 2027 14:00:30 GMT"),
            ])),
            Some(Duration::from_secs(90))
        );
        // A date already past means "now".
        assert_eq!(retry_after(&headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")])), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[])), None);
    }

    type Seen = Arc<Mutex<Vec<(String, AxumHeaders, String)>>>;

    /// A receiver on 127.0.0.1 with one path per kind of answer; records every request.
    async fn receiver() -> (String, Seen) {
        let seen: Seen = Arc::default();
        let record = |path: &'static str, seen: Seen, answer: fn() -> axum::response::Response| {
            post(move |headers: AxumHeaders, body: String| async move {
                seen.lock().expect("lock").push((path.to_owned(), headers, body));
                answer()
            })
        };
        let app = Router::new()
            .route("/ok", record("/ok", seen.clone(), || StatusCode::OK.into_response()))
            .route("/accepted", record("/accepted", seen.clone(), || StatusCode::NO_CONTENT.into_response()))
            .route(
                "/fail",
                record("/fail", seen.clone(), || (StatusCode::INTERNAL_SERVER_ERROR, "database\ndown").into_response()),
            )
            .route(
                "/later",
                record("/later", seen.clone(), || {
                    (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "7")], "slow down").into_response()
                }),
            )
            .route(
                "/date",
                record("/date", seen.clone(), || {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [("retry-after", "Tue, 09 Mar 2027 14:02:00 GMT"), ("date", "Tue, 09 Mar 2027 14:00:00 GMT")],
                    )
                        .into_response()
                }),
            )
            .route("/bad", record("/bad", seen.clone(), || StatusCode::BAD_REQUEST.into_response()))
            .route("/gone", record("/gone", seen.clone(), || StatusCode::GONE.into_response()))
            .route(
                "/moved",
                record("/moved", seen.clone(), || {
                    (StatusCode::FOUND, [("location", "https://elsewhere.example/hook")]).into_response()
                }),
            )
            .route(
                "/slow",
                post(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    StatusCode::OK
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{addr}"), seen)
    }

    fn headers(body: &str) -> Headers {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
        Headers::new(&secret, "dlv_42", DateTime::from_timestamp(1_804_600_800, 0).expect("t"), body)
    }

    async fn attempt(base: &str, path: &str, timeout: Duration) -> Outcome {
        let url = Url::parse(&format!("{base}{path}")).expect("url");
        let body = r#"{"type":"request.received"}"#;
        deliver(&url, true, timeout, &headers(body), body.to_owned()).await
    }

    #[tokio::test]
    async fn answers_are_classified() {
        let (base, seen) = receiver().await;
        assert_eq!(attempt(&base, "/ok", TIMEOUT).await, Outcome::Delivered);
        assert_eq!(attempt(&base, "/accepted", TIMEOUT).await, Outcome::Delivered);
        assert_eq!(
            attempt(&base, "/fail", TIMEOUT).await,
            Outcome::Retry { after: None, reason: "HTTP 500 Internal Server Error: database down".into() }
        );
        assert_eq!(
            attempt(&base, "/later", TIMEOUT).await,
            Outcome::Retry {
                after: Some(Duration::from_secs(7)),
                reason: "HTTP 429 Too Many Requests: slow down".into()
            }
        );
        assert_eq!(
            attempt(&base, "/date", TIMEOUT).await,
            Outcome::Retry { after: Some(Duration::from_secs(120)), reason: "HTTP 503 Service Unavailable".into() }
        );
        assert_eq!(
            attempt(&base, "/bad", TIMEOUT).await,
            Outcome::Retry { after: None, reason: "HTTP 400 Bad Request".into() }
        );
        assert_eq!(
            attempt(&base, "/gone", TIMEOUT).await,
            Outcome::Gone { reason: "HTTP 410 Gone: the endpoint asked to be disabled".into() }
        );
        assert_eq!(
            attempt(&base, "/moved", TIMEOUT).await,
            Outcome::Retry {
                after: None,
                reason: "HTTP 302 Found: redirects are not followed (Location: https://elsewhere.example/hook); \
                         point the webhook at the final URL"
                    .into()
            }
        );
        // What arrived: the body as signed and the three headers.
        let seen = seen.lock().expect("lock");
        let (path, h, body) = &seen[0];
        assert_eq!((path.as_str(), body.as_str()), ("/ok", r#"{"type":"request.received"}"#));
        assert_eq!(h.get("webhook-id").and_then(|v| v.to_str().ok()), Some("dlv_42"));
        assert_eq!(h.get("webhook-timestamp").and_then(|v| v.to_str().ok()), Some("1804600800"));
        assert_eq!(h.get("webhook-signature").and_then(|v| v.to_str().ok()), Some(headers(body).signature.as_str()));
        assert_eq!(h.get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"));
        // The redirect was not followed anywhere.
        assert_eq!(seen.iter().filter(|s| s.0 == "/moved").count(), 1);
    }

    #[tokio::test]
    async fn a_silent_receiver_times_out() {
        let (base, _) = receiver().await;
        let started = std::time::Instant::now();
        match attempt(&base, "/slow", Duration::from_millis(300)).await {
            Outcome::Retry { after: None, reason } => assert_eq!(reason, "timed out waiting for the receiver"),
            other => panic!("{other:?}"),
        }
        assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    }

    #[tokio::test]
    async fn nothing_listening_is_a_retry() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        match attempt(&format!("http://127.0.0.1:{port}"), "/x", TIMEOUT).await {
            Outcome::Retry { after: None, reason } => assert!(reason.starts_with("cannot connect: "), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn private_addresses_are_refused_without_allow_private() {
        let (base, seen) = receiver().await;
        let port = base.rsplit(':').next().expect("port").to_owned();
        let body = "{}";
        for url in [format!("{base}/ok"), format!("http://localhost:{port}/ok"), format!("http://[::1]:{port}/ok")] {
            let url = Url::parse(&url).expect("url");
            match deliver(&url, false, TIMEOUT, &headers(body), body.to_owned()).await {
                Outcome::Retry { after: None, reason } => {
                    assert!(reason.starts_with("refused: the host resolves to "), "{reason}");
                    assert!(reason.contains("allow_private = true"), "{reason}");
                }
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(seen.lock().expect("lock").is_empty(), "a refused endpoint was contacted");
        // The same endpoint with allow_private is reached.
        let url = Url::parse(&format!("{base}/ok")).expect("url");
        assert_eq!(deliver(&url, true, TIMEOUT, &headers(body), body.to_owned()).await, Outcome::Delivered);
    }

    #[tokio::test]
    async fn a_checked_name_is_pinned_to_the_checked_addresses() {
        // `hooks.invalid` cannot resolve (RFC 6761); the pinned client reaches the receiver
        // anyway, so the connection uses the checked addresses and never asks DNS again.
        let (base, seen) = receiver().await;
        let addr: SocketAddr = base.trim_start_matches("http://").parse().expect("addr");
        check(&[addr], true).expect("allowed");
        let pinned = builder(TIMEOUT).resolve_to_addrs("hooks.invalid", &[addr]).build().expect("client");
        let url = Url::parse(&format!("http://hooks.invalid:{}/ok", addr.port())).expect("url");
        assert_eq!(send(&pinned, &url, &headers("{}"), "{}".into()).await, Outcome::Delivered);
        assert_eq!(seen.lock().expect("lock").len(), 1);
        // And the checks on resolved addresses: one bad address is enough to refuse.
        let public: SocketAddr = "93.184.215.14:443".parse().expect("addr");
        assert!(check(&[public], false).is_ok());
        assert!(check(&[public, addr], false).is_err());
        assert_eq!(check(&[], true), Err("the host has no address".to_owned()));
        // An unresolvable name is a retry that says so (an error or, without DNS, a timeout).
        let url = Url::parse("https://hooks.invalid/x").expect("url");
        match client(&url, false, Duration::from_secs(3)).await {
            Ok(_) => panic!("hooks.invalid resolved"),
            Err(e) => assert!(e.contains("resolv") && e.contains("hooks.invalid"), "{e}"),
        }
    }
}
