//! Hours on the open web: `GET /v1/status` and `GET /v1/hours` from the real binary on
//! loopback, each server standing at a pinned instant (`serve --test-clock`), and
//! `replyby hours` (its JSON-LD read by pyld; scripts/install-python-tools.sh installs it).

#[path = "support/serve.rs"]
mod support;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use support::{Server, serve};

/// The demo config, its clock standing at `now`.
fn start(name: &str, now: &str) -> Server {
    let dir = std::env::temp_dir().join(format!("replyby-open-web-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("q.db");
    serve(&["--static-dir", "/nonexistent", "--test-clock", now, "--db", db.to_str().expect("path")], "t")
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    fn max_age(&self) -> i64 {
        let cc = self.header("cache-control");
        cc.split(',')
            .find_map(|p| p.trim().strip_prefix("max-age="))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no max-age in {cc:?}"))
    }
}

async fn get(server: &Server, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut req = reqwest::Client::new().get(format!("{}{path}", server.base));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("json body") };
    Answer { status, headers, body }
}

fn strs(v: &Value, keys: &[&str]) -> Vec<Value> {
    keys.iter().map(|k| v[*k].clone()).collect()
}

#[tokio::test]
async fn status_while_open_on_a_wednesday_in_new_york() {
    // Wednesday 3 March 2027, 10:00 in New York: open until 17:00 (22:00Z).
    let s = start("open", "2027-03-03T15:00:00Z");
    let a = get(&s, "/v1/status?coverage=business", &[("origin", "https://status.example")]).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        strs(&a.body, &["coverage", "open", "closes_at", "next_open", "reason"]),
        [Value::from("business"), Value::from(true), Value::from("2027-03-03T22:00:00Z"), Value::Null, Value::Null]
    );
    assert!(a.body["at"].as_str().is_some_and(|t| t.starts_with("2027-03-03T15:00:")), "{}", a.body);
    // Seven hours to the next change: the 300-second cap.
    assert_eq!(a.max_age(), 300);
    assert!(a.header("cache-control").starts_with("public"));
    assert_eq!(a.header("access-control-allow-origin"), "*");
    assert!(a.header("access-control-expose-headers").to_ascii_lowercase().contains("etag"));
    // Revalidation within the same state: 304, though `at` has moved on.
    let etag = a.header("etag").to_owned();
    assert!(etag.starts_with("\"st-"), "{etag}");
    let again = get(&s, "/v1/status?coverage=business", &[("if-none-match", &etag)]).await;
    assert_eq!((again.status, again.header("etag")), (304, etag.as_str()));
    // Another state (closed, asked with `at`) is another ETag, and with `at` the answer
    // changes only with the config: 300 s.
    let evening = get(&s, "/v1/status?coverage=business&at=2027-03-03T23:00:00Z", &[("if-none-match", &etag)]).await;
    assert_eq!(evening.status, 200);
    assert_ne!(evening.header("etag"), etag);
    assert_eq!(evening.max_age(), 300);
    assert_eq!(
        strs(&evening.body, &["at", "open", "next_open"]),
        [Value::from("2027-03-03T23:00:00Z"), Value::from(false), Value::from("2027-03-04T14:00:00Z")]
    );
    assert_eq!(evening.body["reason"], serde_json::json!({ "kind": "outside_hours" }));
    // The day New York springs forward (Sunday 14 March): Saturday's answer opens Monday
    // 09:00 EDT, 13:00Z rather than the 14:00Z of winter.
    let dst = get(&s, "/v1/status?coverage=business&at=2027-03-13T15:00:00Z", &[]).await;
    assert_eq!(dst.body["next_open"], "2027-03-15T13:00:00Z");
    // `at` in any offset.
    let offset = get(&s, "/v1/status?coverage=business&at=2027-03-03T10:00:00-05:00", &[]).await;
    assert_eq!(offset.body["at"], "2027-03-03T15:00:00Z");
}

#[tokio::test]
async fn status_two_minutes_before_closing_is_cached_two_minutes() {
    let s = start("closing", "2027-03-03T21:58:00Z");
    let a = get(&s, "/v1/status?coverage=business", &[]).await;
    assert_eq!(a.body["open"], true);
    // The clock runs on from the pinned instant, so a second or so may have passed.
    assert!((110..=120).contains(&a.max_age()), "{}", a.header("cache-control"));
}

#[tokio::test]
async fn status_when_closed_for_the_evening_and_on_a_holiday() {
    let s = start("closed", "2027-03-04T13:57:00Z");
    let a = get(&s, "/v1/status?coverage=business", &[]).await;
    assert_eq!(
        strs(&a.body, &["open", "closes_at", "next_open"]),
        [Value::from(false), Value::Null, Value::from("2027-03-04T14:00:00Z")]
    );
    assert_eq!(a.body["reason"], serde_json::json!({ "kind": "outside_hours" }));
    assert!((170..=180).contains(&a.max_age()), "{}", a.header("cache-control"));

    // Presidents' Day (Monday 15 February 2027), 10:00 in New York.
    let h = start("holiday", "2027-02-15T15:00:00Z");
    let a = get(&h, "/v1/status?coverage=business", &[]).await;
    assert_eq!(strs(&a.body, &["open", "next_open"]), [Value::from(false), Value::from("2027-02-16T14:00:00Z")]);
    assert_eq!(a.body["reason"], serde_json::json!({ "kind": "holiday", "name": "Washington's Birthday" }));
    assert_eq!(a.max_age(), 300);
    // An always-open coverage never changes: the cap.
    let always = get(&h, "/v1/status?coverage=always", &[]).await;
    assert_eq!((always.body["open"].clone(), always.max_age()), (Value::from(true), 300));
}

#[tokio::test]
async fn status_errors_say_what_and_where() {
    let s = start("errors", "2027-03-03T15:00:00Z");
    let a = get(&s, "/v1/status?coverage=premium", &[]).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.body["error"], "no coverage has id \"premium\"");
    assert_eq!(a.body["coverages"], serde_json::json!(["business", "extended", "follow-the-sun", "always"]));
    let a = get(&s, "/v1/status?coverage=business&at=tomorrow", &[]).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["fields"][0]["field"], "at");
    assert!(a.body["fields"][0]["message"].as_str().is_some_and(|m| m.contains("\"tomorrow\" is not an RFC 3339")));
    let a = get(&s, "/v1/status", &[]).await;
    assert_eq!((a.status, a.body["fields"][0]["field"].clone()), (400, Value::from("coverage")));
}

#[tokio::test]
async fn hours_in_both_formats_over_http() {
    let s = start("hours", "2026-12-20T15:00:00Z");
    let osm =
        get(&s, "/v1/hours?coverage=business&format=osm&to=2026-12-31", &[("origin", "https://maps.example")]).await;
    assert_eq!(osm.status, 200);
    assert_eq!(osm.header("access-control-allow-origin"), "*");
    assert_eq!(osm.body["from"], "2026-12-20", "from defaults to the server's today");
    assert_eq!(
        osm.body["hours"],
        serde_json::json!([{ "team": "nyc", "timezone": "America/New_York",
            "opening_hours": "Mo-Fr 09:00-17:00; 2026 Dec 24 09:00-13:00; 2026 Dec 25 off" }])
    );
    let ld = get(&s, "/v1/hours?coverage=extended&format=schema-org&from=2026-12-24&to=2026-12-31", &[]).await;
    assert_eq!(ld.status, 200);
    assert_eq!(ld.header("content-type"), "application/ld+json");
    assert_eq!(ld.body["@type"], "Organization");
    assert_eq!(ld.body["contactPoint"].as_array().map(Vec::len), Some(2));
    for (query, field) in [
        ("coverage=business&format=ical", "format"),
        ("coverage=business&format=osm&from=2026-13-01", "from"),
        ("coverage=business&format=osm&from=2027-01-02&to=2027-01-01", "to"),
    ] {
        let a = get(&s, &format!("/v1/hours?{query}"), &[]).await;
        assert_eq!((a.status, a.body["fields"][0]["field"].clone()), (400, Value::from(field)), "{query}: {}", a.body);
    }
    assert_eq!(get(&s, "/v1/hours?coverage=nope&format=osm", &[]).await.status, 404);
}

/// One round trip to the widget's data: `GET /v1/bundle` is the public config with every preset it
/// names (those `replyby bundle` puts in), an ETag that answers `304`, brotli when the browser
/// asks, and a new ETag and config once staff add a closure.
#[tokio::test]
async fn the_bundle_holds_the_live_config_and_its_presets_and_follows_a_change() {
    let s = start("bundle", "2027-03-03T15:00:00Z");
    let client = reqwest::Client::new();
    let config = client.get(format!("{}/v1/config", s.base)).send().await.expect("config").text().await.expect("text");
    let b = get(&s, "/v1/bundle", &[]).await;
    assert_eq!(b.status, 200);
    assert_eq!(b.header("cache-control"), "no-cache");
    assert_eq!(b.body["replyby_bundle"], 1);
    assert_eq!(b.body["config"].as_str(), Some(config.as_str()), "the config GET /v1/config serves, byte for byte");
    let cli = replyby(&["bundle", "examples/acme.json"]);
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let cli: Value = serde_json::from_slice(&cli.stdout).expect("replyby bundle prints JSON");
    let presets = b.body["presets"].as_object().expect("presets");
    assert!(presets.contains_key("us"), "{:?}", presets.keys().collect::<Vec<_>>());
    assert_eq!(b.body["presets"], cli["presets"], "the server and the CLI bundle the same presets");
    for (id, text) in presets {
        let doc: Value =
            serde_json::from_str(text.as_str().expect("a preset is its file's text")).expect("preset JSON");
        assert!(doc.is_object(), "{id}");
    }

    let etag = b.header("etag").to_owned();
    assert!(etag.starts_with('"'), "{etag:?}");
    assert_eq!(get(&s, "/v1/bundle", &[("if-none-match", &etag)]).await.status, 304);
    let raw = serde_json::to_vec(&b.body).expect("bytes").len();
    let br = client.get(format!("{}/v1/bundle", s.base)).header("accept-encoding", "br").send().await.expect("br");
    assert_eq!(br.headers().get("content-encoding").and_then(|v| v.to_str().ok()), Some("br"));
    let compressed = br.bytes().await.expect("body").len();
    assert!(compressed * 3 < raw, "brotli {compressed} bytes of {raw}");

    let change = serde_json::json!({ "team": "nyc", "name": "Bundle offsite", "date": "2027-03-10" });
    let made =
        client.post(format!("{}/v1/schedule", s.base)).bearer_auth("t").json(&change).send().await.expect("post");
    assert_eq!(made.status().as_u16(), 201);
    let mut after = get(&s, "/v1/bundle", &[]).await;
    for _ in 0..50 {
        if after.header("etag") != etag {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = get(&s, "/v1/bundle", &[]).await;
    }
    assert_ne!(after.header("etag"), etag, "a schedule change makes a new bundle");
    assert!(after.body["config"].as_str().unwrap_or_default().contains("Bundle offsite"), "{}", after.body["config"]);
    assert_eq!(get(&s, "/v1/bundle", &[("if-none-match", &etag)]).await.status, 200, "the old ETag no longer matches");
}

fn replyby(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("run replyby")
}

#[test]
fn schema_org_json_ld_is_read_by_pyld_and_uses_only_schema_org_terms() {
    for coverage in ["business", "follow-the-sun", "always"] {
        let out = replyby(&[
            "hours",
            "examples/acme.json",
            "--coverage",
            coverage,
            "--format",
            "schema-org",
            "--from",
            "2026-12-20",
            "--to",
            "2027-04-30",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut check = Command::new("python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/check-jsonld.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 (scripts/install-python-tools.sh installs pyld and rdflib)");
        check.stdin.take().expect("stdin").write_all(&out.stdout).expect("write");
        let result = check.wait_with_output().expect("check");
        assert!(
            result.status.success(),
            "{coverage}: {}{}",
            String::from_utf8_lossy(&result.stdout),
            String::from_utf8_lossy(&result.stderr)
        );
        assert!(String::from_utf8_lossy(&result.stdout).starts_with("ok: "));
    }
}

#[test]
fn hours_import_prints_hours_or_the_column_of_the_problem() {
    let out = replyby(&["hours", "import", "Mo-Fr 09:00-17:00; Sa 10:00-14:00"]);
    assert!(out.status.success());
    let hours: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(hours, serde_json::json!({ "mon-fri": ["09:00-17:00"], "sat": ["10:00-14:00"] }));
    let out = replyby(&["hours", "import", "Mo-Fr 09:00-17:00; PH off"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "replyby: column 20: holiday rules (PH, SH) cannot be expressed here: give the team holidays instead\n  \
         Mo-Fr 09:00-17:00; PH off\n                     ^\n"
    );
    let out = replyby(&["hours", "examples/acme.json", "--format", "osm"]);
    assert_eq!(out.status.code(), Some(2));
}
