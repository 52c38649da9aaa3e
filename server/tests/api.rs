//! `replyby serve` as it runs: the real binary on loopback, on each store: a real SQLite file
//! (`sqlite::…`), and a fresh database on a real PostgreSQL (`postgres::…`, when
//! `REPLYBY_TEST_PG` names a superuser URL; `scripts/pg.sh start` prints one; without it those
//! tests say so and pass).

#[path = "support/pg_url.rs"]
mod pg_url;
use pg_url::with_database;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const TOKEN: &str = "staff-secret";

/// The instant the server's clock starts at (`serve --test-clock`): `REPLYBY_TEST_NOW`, or a
/// Wednesday afternoon in New York. No test here reads the wall clock; run the suite at
/// several instants with `REPLYBY_TEST_NOW=… cargo test -p replyby --test api`.
fn test_now() -> chrono::DateTime<chrono::Utc> {
    let text = std::env::var("REPLYBY_TEST_NOW").unwrap_or_else(|_| "2027-03-03T15:00:00Z".into());
    chrono::DateTime::parse_from_rfc3339(&text).expect("REPLYBY_TEST_NOW is RFC 3339").to_utc()
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replyby-api-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Starts the binary on an ephemeral port and waits for its "listening" line.
fn start(db: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", db, "--static-dir", "/nonexistent"])
        .args(["--test-clock", &test_now().to_rfc3339()])
        .args(extra)
        .env("REPLYBY_STAFF_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start replyby serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("listening line");
    let base = line.trim().rsplit(' ').next().expect("url").to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    Server { child, base }
}

/// Which store a test runs on.
#[derive(Clone)]
enum Store {
    Sqlite,
    /// A superuser URL: each test makes its own database there.
    Postgres(String),
}

impl Store {
    /// PostgreSQL when `REPLYBY_TEST_PG` is set; `None` (with the reason printed) otherwise.
    fn postgres() -> Option<Store> {
        match std::env::var("REPLYBY_TEST_PG") {
            Ok(url) if !url.is_empty() => Some(Store::Postgres(url)),
            _ => {
                eprintln!("skipped: REPLYBY_TEST_PG is not set (a superuser URL; scripts/pg.sh start prints one)");
                None
            }
        }
    }

    /// A new, empty database for the test `name`: the `--db` value.
    async fn database(&self, name: &str) -> String {
        match self {
            Store::Sqlite => temp_dir(&format!("sqlite-{name}")).join("q.db").to_str().expect("path").to_owned(),
            Store::Postgres(admin) => {
                let (client, connection) =
                    tokio_postgres::connect(admin, tokio_postgres::NoTls).await.expect("connect to REPLYBY_TEST_PG");
                tokio::spawn(connection);
                let db = format!("replyby_api_{}_{name}", std::process::id());
                for sql in [format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"), format!("CREATE DATABASE {db}")] {
                    client.batch_execute(&sql).await.expect("create database");
                }
                with_database(admin, &db)
            }
        }
    }
}

/// Each test, once per store.
macro_rules! on_both_stores {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                super::$test(super::Store::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                if let Some(store) = super::Store::postgres() {
                    super::$test(store).await
                }
            })*
        }
    };
}

on_both_stores!(
    idempotent_replays_and_conflicts,
    every_bad_input_is_named,
    floods_get_429_with_retry_after,
    cors_only_for_configured_origins_and_public_reads,
    closed_days_feed_is_icalendar,
    deferred_requests_wait_in_the_queue_until_release,
    every_demo_plan_gets_the_times_the_core_computes_for_its_receipt,
    bot_checks_keep_the_request_apart_and_answer_like_any_other,
    sigkill_midway_loses_no_acknowledged_request,
    staff_commands_list_and_ack_and_sigterm_stops_cleanly,
);

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post(base: &str, key: Option<&str>, body: &Value) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = client().post(format!("{base}/v1/requests")).json(body);
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let res = req.send().await.expect("send");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.json().await.unwrap_or(Value::Null), headers)
}

async fn queue(base: &str, deferred: bool) -> Vec<Value> {
    let url = format!("{base}/v1/queue{}", if deferred { "?include=deferred" } else { "" });
    let v: Value = client().get(url).bearer_auth(TOKEN).send().await.expect("send").json().await.expect("json");
    v["requests"].as_array().cloned().unwrap_or_default()
}

fn body(message: &str) -> Value {
    json!({ "plan": "enterprise", "email": "jo@example.com", "name": "Jo", "subject": "Router", "message": message })
}

async fn idempotent_replays_and_conflicts(store: Store) {
    let db = store.database("idem").await;
    let s = start(&db, &[]);
    let (a, first, _) = post(&s.base, Some("key-1"), &body("hello")).await;
    assert_eq!(a, 201, "{first}");
    assert_eq!(first["state"], "open");
    assert_eq!(first["plan"], "enterprise");
    // Same key, same body (other whitespace and trimming): the first answer again.
    let (b, again, _) = post(&s.base, Some("key-1"), &json!({ "message": " hello ", "plan": "enterprise", "email": "jo@example.com", "name": "Jo", "subject": "Router" })).await;
    assert_eq!((b, &again), (201, &first));
    // Same key, another body: 422.
    let (c, e, _) = post(&s.base, Some("key-1"), &body("something else")).await;
    assert_eq!(c, 422, "{e}");
    // No key: 400.
    let (d, e, _) = post(&s.base, None, &body("hello")).await;
    assert_eq!(d, 400, "{e}");
    assert_eq!(queue(&s.base, true).await.len(), 1);
}

async fn every_bad_input_is_named(store: Store) {
    let db = store.database("bad").await;
    let s = start(&db, &[]);
    let (code, v, _) = post(
        &s.base,
        Some("k"),
        &json!({ "plan": "gold", "email": "not-an-address", "message": "  ", "time_zone": "Mars/Base", "extra": 1 }),
    )
    .await;
    assert_eq!(code, 400);
    let fields: Vec<&str> =
        v["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    for f in ["extra", "plan", "email", "message", "time_zone"] {
        assert!(fields.contains(&f), "{f} missing in {v}");
    }
    // A NUL (which PostgreSQL cannot store) is a named field error on every store, never a 500.
    let (code, v, _) =
        post(&s.base, Some("nul"), &json!({ "plan": "enterprise", "email": "a@b.example", "message": "a\u{0}b" }))
            .await;
    assert_eq!(code, 400, "{v}");
    assert_eq!(v["fields"][0]["field"], "message");
    // Not JSON at all.
    let res = client()
        .post(format!("{}/v1/requests", s.base))
        .header("Idempotency-Key", "k2")
        .body("{oops")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 400);
    // Over 64 KiB.
    let big = body(&"x".repeat(70 * 1024));
    let (code, _, _) = post(&s.base, Some("k3"), &big).await;
    assert_eq!(code, 413);
    // Staff endpoints need the token.
    let res = client().get(format!("{}/v1/queue", s.base)).send().await.expect("send");
    assert_eq!(res.status().as_u16(), 401);
    let res = client().get(format!("{}/v1/queue", s.base)).bearer_auth("wrong").send().await.expect("send");
    assert_eq!(res.status().as_u16(), 401);
    let res = client().post(format!("{}/v1/queue/req_nope/ack", s.base)).bearer_auth(TOKEN).send().await.expect("send");
    assert_eq!(res.status().as_u16(), 404);
}

async fn floods_get_429_with_retry_after(store: Store) {
    let db = store.database("flood").await;
    let s = start(&db, &["--rate-limit", "5"]);
    let mut codes = Vec::new();
    for i in 0..8 {
        let (code, _, headers) = post(&s.base, Some(&format!("f{i}")), &body(&format!("m{i}"))).await;
        if code == 429 {
            let retry: u64 = headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .expect("Retry-After");
            assert!((1..=60).contains(&retry), "{retry}");
        }
        codes.push(code);
    }
    assert_eq!(codes, vec![201, 201, 201, 201, 201, 429, 429, 429]);
}

async fn cors_only_for_configured_origins_and_public_reads(store: Store) {
    let db = store.database("cors").await;
    let s = start(&db, &[]);
    let preflight = |origin: &'static str| {
        client()
            .request(reqwest::Method::OPTIONS, format!("{}/v1/requests", s.base))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type,idempotency-key")
            .send()
    };
    let ok = preflight("https://www.acme.example").await.expect("send");
    assert_eq!(
        ok.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("https://www.acme.example")
    );
    let evil = preflight("https://evil.example").await.expect("send");
    assert!(evil.headers().get("access-control-allow-origin").is_none());
    let config = client()
        .get(format!("{}/v1/config", s.base))
        .header("Origin", "https://anywhere.example")
        .send()
        .await
        .expect("send");
    assert_eq!(config.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("*"));
    let v: Value = config.json().await.expect("json");
    assert_eq!(v["company"], "Acme Networks");
    let health: Value =
        client().get(format!("{}/healthz", s.base)).send().await.expect("send").json().await.expect("json");
    assert_eq!(health["status"], "ok");
    // Ready: the store answers through intake's path (SQLite's writer thread, a PostgreSQL
    // session that commits synchronously).
    let ready = client().get(format!("{}/readyz", s.base)).send().await.expect("send");
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(ready.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    assert_eq!(ready.json::<Value>().await.expect("json"), serde_json::json!({ "status": "ready" }));
}

async fn closed_days_feed_is_icalendar(store: Store) {
    let db = store.database("ics").await;
    let s = start(&db, &[]);
    let res = client().get(format!("{}/v1/closed-days.ics?coverage=extended", s.base)).send().await.expect("send");
    assert_eq!(res.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("text/calendar; charset=utf-8"));
    let text = res.text().await.expect("text");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "{text}");
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(text.contains("BEGIN:VEVENT\r\n") && text.contains("DTSTART;VALUE=DATE:"));
    assert!(text.lines().all(|l| l.len() <= 76), "lines are folded at 75 octets");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), text.matches("END:VEVENT").count());
    let missing = client().get(format!("{}/v1/closed-days.ics?coverage=nope", s.base)).send().await.expect("send");
    assert_eq!(missing.status().as_u16(), 404);
}

async fn deferred_requests_wait_in_the_queue_until_release(store: Store) {
    // A coverage open only two days after the pinned instant is closed now: requests on it
    // are deferred and hidden from the default staff view; 24/7 requests are open at once.
    let db = store.database("defer").await;
    let dir = temp_dir(&format!("defer-config-{}", matches!(store, Store::Sqlite)));
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [(test_now().date_naive().weekday().num_days_from_monday() as usize + 2) % 7];
    let config = json!({
        "company": "T",
        "teams": [{ "id": "t", "name": "T", "timezone": "UTC", "hours": { day: ["09:00-10:00"] } }],
        "coverages": [{ "id": "c", "name": "C", "teams": ["t"] }, { "id": "a", "name": "A", "always": true }],
        "plans": [{ "id": "later", "name": "Later", "coverage": "c", "first_reply": { "business_hours": 1 } },
                  { "id": "now", "name": "Now", "coverage": "a", "first_reply": { "hours": 1 } }]
    });
    let path = dir.join("config.json");
    std::fs::write(&path, config.to_string()).expect("write");
    let s = start(&db, &["--config", path.to_str().expect("path")]);
    let (c1, later, _) =
        post(&s.base, Some("a"), &json!({ "plan": "later", "email": "a@b.example", "message": "m" })).await;
    let (c2, now, _) =
        post(&s.base, Some("b"), &json!({ "plan": "now", "email": "a@b.example", "message": "m" })).await;
    assert_eq!((c1, c2), (201, 201));
    assert_eq!(later["state"], "deferred");
    let released = test_now().date_naive() + chrono::Days::new(2);
    assert_eq!(later["release_at"], format!("{released}T09:00:00Z"));
    assert_eq!(later["respond_by"], format!("{released}T10:00:00Z"));
    assert_eq!(now["state"], "open");
    let open: Vec<String> =
        queue(&s.base, false).await.iter().map(|r| r["id"].as_str().unwrap_or("").to_owned()).collect();
    assert_eq!(open, vec![now["id"].as_str().unwrap_or("").to_owned()]);
    assert_eq!(queue(&s.base, true).await.len(), 2);
    // Ack removes it from the queue.
    let res = client()
        .post(format!("{}/v1/queue/{}/ack", s.base, now["id"].as_str().unwrap_or("")))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 204);
    assert!(queue(&s.base, false).await.is_empty());
}

async fn every_demo_plan_gets_the_times_the_core_computes_for_its_receipt(store: Store) {
    // The server computes the times from its own clock and config: for each plan of the
    // built-in config, the answer is the core's quote at the server's received_at, and the
    // state says whether the team was open then.
    let db = store.database("quote").await;
    let s = start(&db, &[]);
    let schedule = replyby_core::load(replyby_core::DEMO_CONFIG, &replyby_core::TzTable).expect("demo config");
    for plan in ["basic", "pro", "global", "enterprise", "critical"] {
        let (code, v, _) =
            post(&s.base, Some(&format!("q-{plan}")), &json!({ "plan": plan, "email": "a@b.example", "message": "m" }))
                .await;
        assert_eq!(code, 201, "{v}");
        let received = chrono::DateTime::parse_from_rfc3339(v["received_at"].as_str().expect("received_at"))
            .expect("rfc3339")
            .to_utc();
        let lag = received - test_now();
        assert!(lag >= chrono::TimeDelta::zero() && lag < chrono::TimeDelta::minutes(1), "clock not pinned: {v}");
        let quote = schedule.quote(plan, received).expect("quote");
        let fmt = |t| replyby_core::engine::rfc3339::format(&t);
        assert_eq!(v["release_at"], fmt(quote.release_at), "{plan} at {}", fmt(received));
        assert_eq!(v["respond_by"], fmt(quote.respond_by), "{plan} at {}", fmt(received));
        assert_eq!(v["state"], if quote.release_at > received { "deferred" } else { "open" });
    }
}

async fn bot_checks_keep_the_request_apart_and_answer_like_any_other(store: Store) {
    let db = store.database("spam").await;
    let s = start(&db, &[]);
    let person = json!({ "plan": "enterprise", "email": "jo@example.com", "message": "hello", "fill_ms": 9000 });
    let trap = json!({ "plan": "enterprise", "email": "bot@example.com", "message": "buy", "website": "http://spam.example", "fill_ms": 9000 });
    let quick = json!({ "plan": "enterprise", "email": "fast@example.com", "message": "hi", "fill_ms": 300 });
    let mut answers = Vec::new();
    for (key, body) in [("p", &person), ("t", &trap), ("q", &quick)] {
        let (code, v, _) = post(&s.base, Some(key), body).await;
        assert_eq!(code, 201, "{v}");
        // Nothing in the answer tells a bot (or a person who tripped a check) apart.
        let mut keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        keys.sort();
        assert_eq!(keys, ["id", "plan", "received_at", "release_at", "respond_by", "state"], "{v}");
        assert_eq!(v["state"], "open");
        answers.push(v);
    }
    // The normal queue has only the person's request; include=spam adds the others, each with why.
    let normal = queue(&s.base, true).await;
    assert_eq!(normal.len(), 1);
    assert_eq!(normal[0]["id"], answers[0]["id"]);
    assert!(normal[0].get("spam").is_none());
    let v: Value = client()
        .get(format!("{}/v1/queue?include=deferred,spam", s.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let all = v["requests"].as_array().expect("requests");
    assert_eq!(all.len(), 3);
    let reason = |id: &Value| all.iter().find(|r| &r["id"] == id).map(|r| r["spam"].clone()).unwrap_or(Value::Null);
    assert!(reason(&answers[1]["id"]).as_str().is_some_and(|r| r.contains("Website")), "{v}");
    assert!(reason(&answers[2]["id"]).as_str().is_some_and(|r| r.contains("300 ms")), "{v}");
    // The message a trapped sender typed is kept whole for staff.
    assert!(all.iter().any(|r| r["message"] == "buy"));
    // And the staff command line shows them with --include-spam.
    let out = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["queue", "list", "--include-spam", "--server", &s.base])
        .env("REPLYBY_STAFF_TOKEN", TOKEN)
        .output()
        .expect("run");
    let listed: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(listed["requests"].as_array().map(Vec::len), Some(3), "{listed}");
    // A malformed fill time is a named field error, not silence.
    let (code, e, _) = post(
        &s.base,
        Some("bad-fill"),
        &json!({ "plan": "enterprise", "email": "a@b.example", "message": "m", "fill_ms": "soon" }),
    )
    .await;
    assert_eq!(code, 400);
    assert_eq!(e["fields"][0]["field"], "fill_ms");
}

use chrono::Datelike;

async fn sigkill_midway_loses_no_acknowledged_request(store: Store) {
    let db = store.database("crash").await;
    let s = start(&db, &["--rate-limit", "0"]);
    let base = s.base.clone();
    let acknowledged = Arc::new(tokio::sync::Mutex::new(Vec::<(String, String)>::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let total = 3000;
    let mut tasks = Vec::new();
    let client = client();
    for worker in 0..64 {
        let (acknowledged, done, base, client) = (acknowledged.clone(), done.clone(), base.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            for i in (worker..total).step_by(64) {
                let key = format!("crash-{i}");
                let res = client
                    .post(format!("{base}/v1/requests"))
                    .header("Idempotency-Key", &key)
                    .json(&body(&format!("message {i}")))
                    .send()
                    .await;
                if let Ok(res) = res
                    && res.status().as_u16() == 201
                    && let Ok(v) = res.json::<Value>().await
                {
                    acknowledged.lock().await.push((key, v["id"].as_str().unwrap_or("").to_owned()));
                }
                done.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    // Kill the server with SIGKILL once about a third has been answered.
    while done.load(Ordering::SeqCst) < total / 3 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let pid = s.child.id() as i32;
    assert_eq!(unsafe_free_kill(pid), 0);
    for t in tasks {
        let _ = t.await;
    }
    drop(s);
    let acknowledged = acknowledged.lock().await.clone();
    assert!(acknowledged.len() >= total / 4, "only {} acknowledged before the kill", acknowledged.len());
    assert!(acknowledged.len() < total, "the kill came too late to test anything");

    let s = start(&db, &["--rate-limit", "0"]);
    let stored = queue(&s.base, true).await;
    let ids: std::collections::HashMap<&str, usize> = stored.iter().fold(Default::default(), |mut m, r| {
        *m.entry(r["id"].as_str().unwrap_or("")).or_default() += 1;
        m
    });
    for (key, id) in &acknowledged {
        assert_eq!(ids.get(id.as_str()), Some(&1), "{key} ({id}) got a 201 but is not stored exactly once");
    }
    // Retrying every acknowledged key after the restart replays the same id, never a second row.
    for (key, id) in acknowledged.iter().take(50) {
        let i: usize = key.trim_start_matches("crash-").parse().expect("n");
        let (code, v, _) = post(&s.base, Some(key), &body(&format!("message {i}"))).await;
        assert_eq!((code, v["id"].as_str()), (201, Some(id.as_str())));
    }
    assert_eq!(queue(&s.base, true).await.len(), stored.len());
    eprintln!("crash test: {} of {total} acknowledged before SIGKILL, {} stored", acknowledged.len(), stored.len());
}

/// SIGKILL through the `kill` command, so the test needs no unsafe code.
fn unsafe_free_kill(pid: i32) -> i32 {
    Command::new("kill").args(["-9", &pid.to_string()]).status().map(|s| s.code().unwrap_or(1)).unwrap_or(1)
}

async fn staff_commands_list_and_ack_and_sigterm_stops_cleanly(store: Store) {
    let db = store.database("cli").await;
    let mut s = start(&db, &[]);
    let (code, created, _) = post(&s.base, Some("cli-1"), &body("from the CLI test")).await;
    assert_eq!(code, 201);
    let id = created["id"].as_str().expect("id").to_owned();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_replyby")).args(args).env("REPLYBY_STAFF_TOKEN", TOKEN).output().expect("run")
    };
    let list = run(&["queue", "list", "--include-deferred", "--server", &s.base]);
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    let v: Value = serde_json::from_slice(&list.stdout).expect("json");
    assert_eq!(v["requests"][0]["id"], id.as_str());
    assert_eq!(v["requests"][0]["message"], "from the CLI test");
    let ack = run(&["queue", "ack", &id, "--server", &s.base]);
    assert!(ack.status.success());
    let after: Value = serde_json::from_slice(&run(&["queue", "list", "--server", &s.base]).stdout).expect("json");
    assert_eq!(after["requests"], json!([]));
    let denied = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["queue", "list", "--server", &s.base])
        .env("REPLYBY_STAFF_TOKEN", "wrong")
        .output()
        .expect("run");
    assert_eq!(denied.status.code(), Some(1));
    // SIGTERM: graceful shutdown, exit 0.
    let pid = s.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let status = s.child.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
}
