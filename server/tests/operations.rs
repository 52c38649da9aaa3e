//! Operating `replyby serve`: `/metrics` read by the Prometheus project's own parser, `/readyz`,
//! the log (one line per request and per delivery attempt, no personal data), and SIGTERM
//! under load. The real binary on loopback, on SQLite and (when `REPLYBY_TEST_PG` names a
//! superuser URL; `scripts/pg.sh start` prints one) on PostgreSQL; without it those tests say
//! so and pass. Needs `python3` with scripts/python-requirements.txt and
//! scripts/requirements-handoff.txt (scripts/install-python-tools.sh installs them).

#[path = "support/pg_url.rs"]
mod pg_url;
use pg_url::with_database;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "tok-Marker-5512-staff";
const METRICS_TOKEN: &str = "metrics-Marker-8823-token";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// Friday 2027-03-05 20:00 in New York: the demo's `basic` is closed (deferred), `enterprise`
/// (24/7) open.
const FRIDAY_NIGHT: &str = "2027-03-06T01:00:00Z";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replyby-ops-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("nothing listens on {port}");
}

/// A child process killed when dropped.
struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `replyby serve` with its stdout and stderr in files (the whole log, for the tests to read).
struct Server {
    proc: Proc,
    base: String,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Server {
    fn start(dir: &Path, db: &str, clock: &str, extra: &[&str]) -> Server {
        static STARTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let (stdout, stderr) = (dir.join(format!("stdout-{n}.log")), dir.join(format!("stderr-{n}.log")));
        let child = Command::new(env!("CARGO_BIN_EXE_replyby"))
            .args(["serve", "--listen", "127.0.0.1:0", "--db", db, "--static-dir", "/nonexistent"])
            .args(["--test-clock", clock])
            .args(extra)
            .env("REPLYBY_STAFF_TOKEN", TOKEN)
            .env("REPLYBY_TEST_WEBHOOK_SECRET", SECRET)
            .env("REPLYBY_TEST_METRICS_TOKEN", METRICS_TOKEN)
            .env_remove("RUST_LOG")
            .stdout(Stdio::from(std::fs::File::create(&stdout).expect("stdout file")))
            .stderr(Stdio::from(std::fs::File::create(&stderr).expect("stderr file")))
            .spawn()
            .expect("start replyby serve");
        let mut proc = Proc(child);
        let started = Instant::now();
        let base = loop {
            let text = std::fs::read_to_string(&stdout).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.contains("listening on http://")) {
                break line.rsplit(' ').next().expect("url").to_owned();
            }
            if let Ok(Some(status)) = proc.0.try_wait() {
                panic!("replyby serve exited ({status}): {}", std::fs::read_to_string(&stderr).unwrap_or_default());
            }
            assert!(started.elapsed() < Duration::from_secs(20), "no listening line");
            std::thread::sleep(Duration::from_millis(20));
        };
        Server { proc, base, stdout, stderr }
    }

    /// Everything it wrote, stdout and stderr.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
            + &std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    fn sigterm(&self) {
        let ok = Command::new("kill").args(["-TERM", &self.proc.0.id().to_string()]).status().expect("kill");
        assert!(ok.success());
    }

    /// Waits for the process to end; how long it took and whether it exited 0.
    fn wait(&mut self, limit: Duration) -> (Duration, bool) {
        let t = Instant::now();
        loop {
            if let Some(status) = self.proc.0.try_wait().expect("wait") {
                return (t.elapsed(), status.success());
            }
            assert!(t.elapsed() < limit, "still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Which store a test runs on.
#[derive(Clone)]
enum Store {
    Sqlite,
    /// A superuser URL: each test makes its own database there.
    Postgres(String),
}

impl Store {
    fn postgres() -> Option<Store> {
        match std::env::var("REPLYBY_TEST_PG") {
            Ok(url) if !url.is_empty() => Some(Store::Postgres(url)),
            _ => {
                eprintln!("skipped: REPLYBY_TEST_PG is not set (a superuser URL; scripts/pg.sh start prints one)");
                None
            }
        }
    }

    fn name(&self) -> &'static str {
        if matches!(self, Store::Sqlite) { "sqlite" } else { "postgres" }
    }

    /// A new, empty database: the `--db` value.
    async fn database(&self, dir: &Path, name: &str) -> String {
        match self {
            Store::Sqlite => dir.join("q.db").to_str().expect("path").to_owned(),
            Store::Postgres(admin) => {
                let client = admin_client(admin).await;
                let db = format!("replyby_ops_{}_{name}", std::process::id());
                for sql in [format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"), format!("CREATE DATABASE {db}")] {
                    client.batch_execute(&sql).await.expect("create database");
                }
                with_database(admin, &db)
            }
        }
    }
}

async fn admin_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) =
        tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect to REPLYBY_TEST_PG");
    tokio::spawn(connection);
    client
}

macro_rules! on_both_stores {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $test() {
                super::$test(super::Store::Sqlite).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $test() {
                if let Some(store) = super::Store::postgres() {
                    super::$test(store).await
                }
            })*
        }
    };
}

on_both_stores!(
    metrics_count_requests_replays_429s_latency_and_deliveries,
    readyz_answers_for_the_store_and_healthz_stays_liveness,
    sigterm_under_load_answers_every_request_taken_and_finishes_the_send_under_way,
    erasure_removes_every_request_of_an_address_from_the_store_and_its_files,
    retention_erases_old_requests_fields_but_keeps_plan_times_and_undelivered_ones,
);

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post(base: &str, key: &str, body: &Value) -> (u16, Value) {
    let r = client()
        .post(format!("{base}/v1/requests"))
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("POST /v1/requests");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut req = client().get(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("GET");
    (r.status().as_u16(), r.text().await.expect("body"))
}

/// `/metrics` through the real parser: `{family: {type, unit, samples: [{name, labels, value}]}}`.
fn parse_metrics(text: &str) -> Value {
    let mut child = Command::new("python3")
        .arg(root().join("server/tests/support/check_metrics.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 (scripts/install-python-tools.sh installs prometheus_client)");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("check_metrics.py");
    assert!(out.status.success(), "{}\n---\n{text}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

/// The value of the sample `name` whose labels include `labels`.
fn sample(m: &Value, family: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    m[family]["samples"].as_array()?.iter().find_map(|s| {
        let fits = s["name"] == name && labels.iter().all(|(k, v)| s["labels"][*k] == *v);
        fits.then(|| s["value"].as_f64()).flatten()
    })
}

fn write_settings(dir: &Path, body: &str) -> String {
    let path = dir.join("settings.toml");
    std::fs::write(&path, body).expect("settings");
    path.to_str().expect("path").to_owned()
}

async fn until<T>(secs: u64, what: &str, mut cond: impl AsyncFnMut() -> Option<T>) -> T {
    let t = Instant::now();
    loop {
        if let Some(v) = cond().await {
            return v;
        }
        assert!(t.elapsed() < Duration::from_secs(secs), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn metrics_count_requests_replays_429s_latency_and_deliveries(store: Store) {
    let dir = temp_dir(&format!("metrics-{}", store.name()));
    let db = store.database(&dir, "metrics").await;
    // A webhook that takes connections and never answers: each send is under way (leased,
    // still pending) for its whole timeout, so nothing is rescheduled while the test reads.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead_port = silent.local_addr().expect("addr").port();
    let settings = write_settings(
        &dir,
        &format!(
            "[metrics]\ntoken = \"env:REPLYBY_TEST_METRICS_TOKEN\"\n\n[[webhooks]]\nurl = \"http://127.0.0.1:{dead_port}/h\"\n\
             secret = \"env:REPLYBY_TEST_WEBHOOK_SECRET\"\nevents = [\"request.received\"]\nallow_private = true\n"
        ),
    );
    let s = Server::start(&dir, &db, FRIDAY_NIGHT, &["--settings", &settings, "--rate-limit", "6"]);

    // Behind a token: none or a wrong one is 401; the metrics token and staff tokens may read.
    assert_eq!(get(&s.base, "/metrics", None).await.0, 401);
    assert_eq!(get(&s.base, "/metrics", Some("wrong-token-wrong-token")).await.0, 401);
    assert_eq!(get(&s.base, "/metrics", Some(TOKEN)).await.0, 200);

    let person = |plan: &str| json!({ "plan": plan, "email": "jo@example.com", "message": "hello", "fill_ms": 9000 });
    assert_eq!(post(&s.base, "k-basic", &person("basic")).await.0, 201);
    let (code, ent) = post(&s.base, "k-ent", &person("enterprise")).await;
    assert_eq!((code, ent["state"].as_str()), (201, Some("open")));
    let trap = json!({ "plan": "enterprise", "email": "bot@example.com", "message": "buy", "website": "http://x.example", "fill_ms": 9000 });
    assert_eq!(post(&s.base, "k-trap", &trap).await.0, 201);
    assert_eq!(post(&s.base, "k-ent", &person("enterprise")).await.0, 201, "a replay");
    // The limit is 6 a minute: the 7th and 8th are 429.
    let mut limited = 0;
    for i in 0..4 {
        if post(&s.base, &format!("k-flood-{i}"), &person("critical")).await.0 == 429 {
            limited += 1;
        }
    }
    assert_eq!(limited, 2);
    let id = ent["id"].as_str().expect("id");
    let ack = client().post(format!("{}/v1/queue/{id}/ack", s.base)).bearer_auth(TOKEN).send().await.expect("ack");
    assert_eq!(ack.status().as_u16(), 204);
    let (code, text) = get(&s.base, "/metrics", Some(METRICS_TOKEN)).await;
    assert_eq!(code, 200);
    let m = parse_metrics(&text);

    let received = |plan, state| {
        sample(&m, "replyby_requests_received", "replyby_requests_received_total", &[("plan", plan), ("state", state)])
    };
    assert_eq!(received("basic", "deferred"), Some(1.0));
    assert_eq!(received("enterprise", "open"), Some(1.0));
    assert_eq!(received("enterprise", "spam"), Some(1.0));
    assert_eq!(received("critical", "open"), Some(2.0));
    assert_eq!(sample(&m, "replyby_idempotent_replays", "replyby_idempotent_replays_total", &[]), Some(1.0));
    assert_eq!(sample(&m, "replyby_rate_limited", "replyby_rate_limited_total", &[]), Some(2.0));
    let h = &m["replyby_http_request_duration_seconds"];
    assert_eq!((h["type"].as_str(), h["unit"].as_str()), (Some("histogram"), Some("seconds")));
    let count = |route, status| {
        sample(
            &m,
            "replyby_http_request_duration_seconds",
            "replyby_http_request_duration_seconds_count",
            &[("method", "POST"), ("route", route), ("status", status)],
        )
    };
    assert_eq!(count("/v1/requests", "201"), Some(6.0));
    assert_eq!(count("/v1/requests", "429"), Some(2.0));
    // The route template, never the raw path with its id.
    assert_eq!(count("/v1/queue/{id}/ack", "204"), Some(1.0));
    assert!(!m.to_string().contains(id), "a request id in a label");
    // Four ordinary requests were stored with a webhook each (a spam one gets no delivery).
    let pending = sample(&m, "replyby_deliveries", "replyby_deliveries", &[("kind", "webhook"), ("state", "pending")]);
    assert_eq!(pending, Some(4.0));
    assert_eq!(
        sample(&m, "replyby_deliveries", "replyby_deliveries", &[("kind", "receipt"), ("state", "dead")]),
        Some(0.0)
    );
    assert_eq!(sample(&m, "replyby_overdue_requests", "replyby_overdue_requests", &[]), Some(0.0));
    assert_eq!(m["replyby_oldest_pending_delivery_age_seconds"]["unit"], "seconds");
    assert_eq!(sample(&m, "replyby_store_up", "replyby_store_up", &[]), Some(1.0));
    drop(s);

    // Two days on: the two 30-minute requests are overdue (the acked one, the spam one and
    // basic, due on Tuesday, are not), and the webhook deliveries have been due for two days.
    let s = Server::start(&dir, &db, "2027-03-08T01:00:00Z", &["--settings", &settings]);
    let (_, text) = get(&s.base, "/metrics", Some(METRICS_TOKEN)).await;
    let m = parse_metrics(&text);
    assert_eq!(sample(&m, "replyby_overdue_requests", "replyby_overdue_requests", &[]), Some(2.0), "{text}");
    let age =
        sample(&m, "replyby_oldest_pending_delivery_age_seconds", "replyby_oldest_pending_delivery_age_seconds", &[])
            .expect("age");
    assert!(age > 1.9 * 86400.0, "{age}");
    drop(silent);
}

async fn readyz_answers_for_the_store_and_healthz_stays_liveness(store: Store) {
    let dir = temp_dir(&format!("ready-{}", store.name()));
    let db = store.database(&dir, "ready").await;
    let s = Server::start(&dir, &db, FRIDAY_NIGHT, &[]);
    let (code, body) = get(&s.base, "/readyz", None).await;
    assert_eq!((code, body.as_str()), (200, r#"{"status":"ready"}"#));
    let Store::Postgres(admin) = &store else { return };
    // The database refuses connections and ours are ended: not ready, and why; liveness holds.
    let name = db.rsplit('/').next().expect("name").to_owned();
    let admin = admin_client(admin).await;
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .expect("block the database");
    let (code, body) = until(20, "503", async || {
        let (code, body) = get(&s.base, "/readyz", None).await;
        (code == 503).then_some((code, body))
    })
    .await;
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!((code, v["status"].as_str()), (503, Some("unavailable")), "{body}");
    assert!(v["reason"].as_str().is_some_and(|r| !r.is_empty()), "{body}");
    assert_eq!(get(&s.base, "/healthz", None).await.0, 200);
    // The metrics still answer, and say the store is down.
    let (code, text) = get(&s.base, "/metrics", Some(TOKEN)).await;
    assert_eq!(code, 200);
    assert_eq!(sample(&parse_metrics(&text), "replyby_store_up", "replyby_store_up", &[]), Some(0.0), "{text}");
    admin.batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await.expect("unblock");
    until(20, "ready again", async || (get(&s.base, "/readyz", None).await.0 == 200).then_some(())).await;
}

/// One client's outcome: a `201` with its id, refused before anything was sent (the listener
/// had closed), or anything else (a reset, an answer cut short, another status).
#[derive(Debug)]
enum Outcome {
    Created(String),
    Refused,
    /// No answer, after the signal: a connection the kernel completed in the instant between
    /// the listener's last accept and its close is reset without being read (no server can
    /// prevent that). Such a request must not have been stored: checked after the restart.
    Unanswered(String),
    Other(String),
}

async fn sigterm_under_load_answers_every_request_taken_and_finishes_the_send_under_way(store: Store) {
    let dir = temp_dir(&format!("term-{}", store.name()));
    let db = store.database(&dir, "term").await;
    // The acknowledgement's webhook is held 6 s by the receiver: a send under way at SIGTERM.
    let (_receiver, log, settings) = held_ack_webhook(&dir, 6);
    let s = Server::start(&dir, &db, FRIDAY_NIGHT, &["--settings", &settings, "--rate-limit", "0"]);
    let body = json!({ "plan": "enterprise", "email": "jo@example.com", "message": "hello", "fill_ms": 9000 });
    let (_, first) = post(&s.base, "first", &body).await;
    let first = first["id"].as_str().expect("id").to_owned();
    let ack = client().post(format!("{}/v1/queue/{first}/ack", s.base)).bearer_auth(TOKEN).send().await.expect("ack");
    assert_eq!(ack.status().as_u16(), 204);
    // The acknowledgement webhook is being held.
    until(10, "the held send", async || std::fs::read_to_string(&log).ok().filter(|l| !l.is_empty()).map(|_| ())).await;

    // Load: 8 clients, a new connection for every request, until the listener refuses them.
    let created = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let signalled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..8 {
        let (base, body, created, signalled) = (s.base.clone(), body.clone(), created.clone(), signalled.clone());
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
            let mut out = Vec::new();
            for i in 0.. {
                let r = http
                    .post(format!("{base}/v1/requests"))
                    .header("idempotency-key", format!("load-{c}-{i}"))
                    .json(&body)
                    .send()
                    .await;
                let outcome = match r {
                    Ok(r) if r.status() == 201 => match r.json::<Value>().await {
                        Ok(v) => Outcome::Created(v["id"].as_str().unwrap_or("").to_owned()),
                        Err(e) => Outcome::Other(format!("201 cut short: {e}")),
                    },
                    Ok(r) => Outcome::Other(format!("status {}", r.status())),
                    Err(e) if e.is_connect() => Outcome::Refused,
                    Err(e) if signalled.load(std::sync::atomic::Ordering::SeqCst) => {
                        Outcome::Unanswered(format!("{e:?}"))
                    }
                    Err(e) => Outcome::Other(format!("{e:?}")),
                };
                if matches!(outcome, Outcome::Created(_)) {
                    created.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                let done = !matches!(outcome, Outcome::Created(_));
                out.push(outcome);
                if done {
                    break;
                }
            }
            out
        }));
    }
    until(30, "load", async || (created.load(std::sync::atomic::Ordering::SeqCst) >= 100).then_some(())).await;
    // A connection opened before the signal asks /readyz just after it: no longer ready.
    let mut open = tokio::net::TcpStream::connect(s.base.trim_start_matches("http://")).await.expect("connect");
    signalled.store(true, std::sync::atomic::Ordering::SeqCst);
    s.sigterm();
    tokio::time::sleep(Duration::from_millis(150)).await;
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        open.write_all(b"GET /readyz HTTP/1.1\r\nhost: replyby\r\n\r\n").await.expect("write");
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), open.read_to_end(&mut answer)).await;
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.contains("shutting down"), "{answer}");
    }
    let s = exits_within_the_grace(s).await;
    let (mut ids, mut resets) = (Vec::new(), Vec::new());
    for c in clients {
        for o in c.await.expect("client") {
            match o {
                Outcome::Created(id) => ids.push(id),
                Outcome::Refused => {}
                Outcome::Unanswered(e) => resets.push(e),
                Outcome::Other(e) => panic!("a request taken was not answered: {e}"),
            }
        }
    }
    assert!(ids.len() >= 100);
    let log_text = s.log();
    assert!(log_text.contains("stopping"), "{log_text}");

    // Every 201 is stored, and the send under way at SIGTERM finished (delivered, once).
    let s = Server::start(&dir, &db, FRIDAY_NIGHT, &["--rate-limit", "0"]);
    let r = client().get(format!("{}/v1/queue", s.base)).bearer_auth(TOKEN).send().await.expect("queue");
    let queue: Value = r.json().await.expect("json");
    let stored: std::collections::HashSet<&str> =
        queue["requests"].as_array().expect("list").iter().filter_map(|r| r["id"].as_str()).collect();
    let lost: Vec<&String> = ids.iter().filter(|id| !stored.contains(id.as_str())).collect();
    assert!(lost.is_empty(), "{} of {} lost: {lost:?}", lost.len(), ids.len());
    // And nothing stored went unanswered: every stored request is one a client got its 201 for
    // (a request reset at the close was never read, so never stored).
    let answered: std::collections::HashSet<&str> = ids.iter().map(String::as_str).chain([first.as_str()]).collect();
    let silent: Vec<&&str> = stored.iter().filter(|id| !answered.contains(**id)).collect();
    assert!(silent.is_empty(), "stored but never answered: {silent:?}; the resets after the signal: {resets:?}");
    let r = client().get(format!("{}/v1/deliveries", s.base)).bearer_auth(TOKEN).send().await.expect("deliveries");
    let d: Value = r.json().await.expect("json");
    let acked: Vec<&Value> =
        d["deliveries"].as_array().expect("list").iter().filter(|d| d["request_id"] == first.as_str()).collect();
    assert_eq!(acked.len(), 1, "{d}");
    assert_eq!((acked[0]["state"].as_str(), acked[0]["attempts"].as_i64()), (Some("delivered"), Some(1)), "{d}");
}

/// Waits for an instance sent SIGTERM: it exits 0 within the 10 s grace (and a second).
async fn exits_within_the_grace(s: Server) -> Server {
    let (s, took, clean) = tokio::task::spawn_blocking(move || {
        let mut s = s;
        let (took, clean) = s.wait(Duration::from_secs(20));
        (s, took, clean)
    })
    .await
    .expect("join");
    assert!(clean, "exit status after SIGTERM");
    assert!(took < Duration::from_secs(11), "took {took:?}");
    s
}

/// A webhook receiver (checking signatures) that holds every `request.acknowledged` event for
/// `secs` before answering, and settings that send it there: the receiver, its log of events,
/// the settings file.
fn held_ack_webhook(dir: &Path, secs: u32) -> (Proc, PathBuf, String) {
    let log = dir.join("hooks.jsonl");
    let port = free_port();
    let receiver = Proc(
        Command::new("python3")
            .arg(root().join("scripts/dev/webhook-receiver.py"))
            .args(["--port", &port.to_string(), "--secret", SECRET, "--clock-start", FRIDAY_NIGHT])
            .arg("--log")
            .arg(&log)
            .args(["--script", &format!("/held=sleep:{secs}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("webhook receiver"),
    );
    wait_for_port(port);
    let settings = write_settings(
        dir,
        &format!(
            "[[webhooks]]\nurl = \"http://127.0.0.1:{port}/held\"\nsecret = \"env:REPLYBY_TEST_WEBHOOK_SECRET\"\n\
             events = [\"request.acknowledged\"]\nallow_private = true\n"
        ),
    );
    (receiver, log, settings)
}

/// A send that outlasts the grace (the receiver holds it 60 s): the instance still exits within
/// the 10 s and gives the delivery's lease back, so the next instance sends it at once instead
/// of waiting for the lease to run out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_send_longer_than_the_grace_gives_its_lease_back() {
    let dir = temp_dir("term-lease");
    let db = dir.join("q.db").to_str().expect("path").to_owned();
    let (_receiver, log, settings) = held_ack_webhook(&dir, 60);
    let s = Server::start(&dir, &db, FRIDAY_NIGHT, &["--settings", &settings]);
    let body = json!({ "plan": "enterprise", "email": "jo@example.com", "message": "hello", "fill_ms": 9000 });
    let (_, v) = post(&s.base, "stuck", &body).await;
    let id = v["id"].as_str().expect("id").to_owned();
    let ack = client().post(format!("{}/v1/queue/{id}/ack", s.base)).bearer_auth(TOKEN).send().await.expect("ack");
    assert_eq!(ack.status().as_u16(), 204);
    until(10, "the held send", async || std::fs::read_to_string(&log).ok().filter(|l| !l.is_empty()).map(|_| ())).await;
    let leased = |db: &str| -> (String, Option<i64>) {
        let conn = rusqlite::Connection::open(db).expect("open the SQLite file");
        conn.query_row("SELECT state, lease_until FROM deliveries WHERE request_id = ?1", [&id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("the delivery")
    };
    assert!(leased(&db).1.is_some(), "the send under way holds a lease");
    s.sigterm();
    let s = exits_within_the_grace(s).await;
    let text = s.log();
    assert!(text.contains("gave back the leases"), "{text}");
    assert_eq!(leased(&db), ("pending".to_owned(), None), "the lease is given back; the send is still to do");
}

/// A webhook receiver that answers every POST `400` with what it was sent (port in argv[1]).
const ECHO_RECEIVER: &str = r#"
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_carries_personal_data_or_a_secret() {
    let dir = temp_dir("logs");
    let db = dir.join("q.db").to_str().expect("path").to_owned();
    // aiosmtpd's Mailbox makes its maildir.
    let mail = dir.join("mail");
    let smtp_port = free_port();
    let _smtp = Proc(
        Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{smtp_port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&mail)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd"),
    );
    wait_for_port(smtp_port);
    let dead_port = free_port();
    // A receiver that refuses every event and echoes it back: what it says must stay out of the log.
    let echo_port = free_port();
    let _echo = Proc(
        Command::new("python3")
            .args(["-c", ECHO_RECEIVER, &echo_port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 echo receiver"),
    );
    wait_for_port(echo_port);
    let settings = write_settings(
        &dir,
        &format!(
            "[team]\nemail = \"support@acme.example\"\nfrom = \"Acme Support <support@acme.example>\"\n\n\
             [smtp]\nurl = \"smtp://127.0.0.1:{smtp_port}\"\n\n[receipts]\nenabled = true\n\n\
             [metrics]\ntoken = \"env:REPLYBY_TEST_METRICS_TOKEN\"\n\n\
             [[webhooks]]\nurl = \"http://127.0.0.1:{dead_port}/h\"\nsecret = \"env:REPLYBY_TEST_WEBHOOK_SECRET\"\n\
             events = [\"request.received\", \"request.released\", \"request.acknowledged\"]\nallow_private = true\n\n\
             [[webhooks]]\nurl = \"http://127.0.0.1:{echo_port}/hook/Path-Secret-5521?key=Query-Secret-8812\"\n\
             secret = \"env:REPLYBY_TEST_WEBHOOK_SECRET\"\nevents = [\"request.received\"]\nallow_private = true\n"
        ),
    );
    let marks = [
        "Path-Secret-5521",
        "Query-Secret-8812",
        "Website-Marker-6613",
        "Leaky.Customer@Secret-Mail.example",
        "Zebulon Quibbleworth",
        "Subject-Marker-7731",
        "Message-Marker-4419",
        TOKEN,
        METRICS_TOKEN,
        SECRET,
    ];
    let body = json!({
        "plan": "enterprise", "email": marks[3], "name": marks[4], "subject": marks[5],
        "message": format!("{} please call", marks[6]), "fill_ms": 9000
    });
    let mut logs = String::new();
    for format in ["json", "text"] {
        let s = Server::start(&dir, &db, FRIDAY_NIGHT, &["--settings", &settings, "--log-format", format]);
        let (code, v) = post(&s.base, &format!("leak-{format}"), &body).await;
        assert_eq!(code, 201);
        let id = v["id"].as_str().expect("id").to_owned();
        // Bad input echoes nothing either: a reused key, a bad address.
        assert_eq!(
            post(&s.base, &format!("leak-{format}"), &json!({ "plan": "basic", "email": marks[3], "message": "x" }))
                .await
                .0,
            422
        );
        assert_eq!(
            post(&s.base, "bad", &json!({ "plan": "basic", "email": marks[4], "message": marks[6] })).await.0,
            400
        );
        // A bot check tripped: the log says which, not what was typed in the hidden field.
        let trap = json!({ "plan": "basic", "email": "trap@example.com", "message": "m", "website": marks[2], "fill_ms": 9000 });
        assert_eq!(post(&s.base, &format!("trap-{format}"), &trap).await.0, 201);
        for path in ["/v1/queue?include=deferred,spam", "/v1/deliveries", "/metrics", "/readyz"] {
            assert_eq!(get(&s.base, path, Some(TOKEN)).await.0, 200, "{path}");
        }
        assert_eq!(get(&s.base, "/metrics", Some(METRICS_TOKEN)).await.0, 200);
        assert_eq!(get(&s.base, "/v1/queue", Some(SECRET)).await.0, 401);
        // The metrics token reads /metrics and nothing else.
        for path in ["/v1/queue", "/v1/deliveries", "/v1/audit"] {
            assert_eq!(get(&s.base, path, Some(METRICS_TOKEN)).await.0, 401, "{path}");
        }
        let ack = client().post(format!("{}/v1/queue/{id}/ack", s.base)).bearer_auth(TOKEN).send().await.expect("ack");
        assert_eq!(ack.status().as_u16(), 204);
        // The receipt and the team e-mail go out; the webhooks fail (nobody listens).
        until(20, "both e-mails and a failed webhook", async || {
            let log = s.log();
            let sent = log.matches("\"outcome\":\"delivered\"").count() + log.matches("outcome=\"delivered\"").count();
            let failed = log.matches("\"outcome\":\"failed\"").count() + log.matches("outcome=\"failed\"").count();
            let refused = log.contains("HTTP 400 Bad Request");
            (sent >= 1 && failed >= 2 && refused).then_some(())
        })
        .await;
        let log = s.log();
        assert!(log.contains("website_field"), "{log}");
        // One line per request with its route, status and latency.
        let request_lines: Vec<&str> = log.lines().filter(|l| l.contains("http request")).collect();
        assert!(request_lines.len() >= 9, "{log}");
        assert!(
            request_lines
                .iter()
                .any(|l| l.contains("/v1/queue/{id}/ack") && l.contains("204") && l.contains("latency_ms")),
            "{log}"
        );
        if format == "json" {
            for line in log.lines().filter(|l| l.starts_with('{')) {
                serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            }
        }
        if format == "json" {
            // The attempts are counted too.
            let (_, text) = get(&s.base, "/metrics", Some(METRICS_TOKEN)).await;
            let m = parse_metrics(&text);
            let attempts = |kind, result| {
                sample(
                    &m,
                    "replyby_delivery_attempts",
                    "replyby_delivery_attempts_total",
                    &[("kind", kind), ("result", result)],
                )
            };
            assert!(attempts("receipt", "delivered").is_some_and(|n| n >= 1.0), "{text}");
            assert!(attempts("webhook", "failed").is_some_and(|n| n >= 1.0), "{text}");
        }
        logs.push_str(&log);
    }
    assert!(std::fs::read_dir(mail.join("new")).map(|d| d.count()).unwrap_or(0) >= 2, "e-mails were sent");
    let lower = logs.to_lowercase();
    for mark in marks.iter().chain(&["leaky.customer", "quibbleworth", "please call"]) {
        assert!(!lower.contains(&mark.to_lowercase()), "the log holds {mark:?}:\n{logs}");
    }
}

async fn erasure_removes_every_request_of_an_address_from_the_store_and_its_files(store: Store) {
    let dir = temp_dir(&format!("erase-{}", store.name()));
    let db = store.database(&dir, "erase").await;
    // Deliveries that stay pending: the endpoint takes connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let settings = write_settings(
        &dir,
        &format!(
            "[[webhooks]]\nurl = \"http://127.0.0.1:{port}/h\"\nsecret = \"env:REPLYBY_TEST_WEBHOOK_SECRET\"\n\
             events = [\"request.received\", \"request.released\"]\nallow_private = true\n"
        ),
    );
    let s = Server::start(&dir, &db, FRIDAY_NIGHT, &["--settings", &settings, "--rate-limit", "0"]);
    let marks = ["erase.me@example.com", "Ozymandias-Marker", "Erasure-Marker-3391"];
    let theirs = |plan: &str, email: &str| json!({ "plan": plan, "email": email, "name": marks[1], "message": marks[2], "subject": "s", "fill_ms": 9000 });
    let (_, held) = post(&s.base, "a1", &theirs("basic", "Erase.Me@Example.com")).await;
    let (_, open) = post(&s.base, "a2", &theirs("enterprise", "erase.me@example.com")).await;
    let keep =
        json!({ "plan": "enterprise", "email": "keep@example.com", "message": "Kept-Marker-1177", "fill_ms": 9000 });
    assert_eq!(post(&s.base, "b", &keep).await.0, 201);

    // Admins only, and a body that names an address.
    let erasure = |token: Option<&'static str>, body: Value| {
        let base = s.base.clone();
        async move {
            let mut r = client().post(format!("{base}/v1/erasure")).json(&body);
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            let r = r.send().await.expect("erasure");
            (r.status().as_u16(), r.text().await.unwrap_or_default())
        }
    };
    assert_eq!(erasure(None, json!({ "email": marks[0] })).await.0, 401);
    let agent = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["staff", "add", "Agent", "--role", "agent", "--db", &db])
        .output()
        .expect("staff add");
    assert!(agent.status.success(), "{}", String::from_utf8_lossy(&agent.stderr));
    let agent_token: &'static str = String::from_utf8(agent.stdout).expect("utf-8").trim().to_owned().leak();
    assert_eq!(erasure(Some(agent_token), json!({ "email": marks[0] })).await.0, 403);
    let (code, body) = erasure(Some(TOKEN), json!({ "email": "no-at-sign" })).await;
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("email"), "{body}");

    // The command line, with the address in another case.
    let out = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["queue", "erase", "--email", "ERASE.ME@example.com", "--server", &s.base])
        .env("REPLYBY_STAFF_TOKEN", TOKEN)
        .output()
        .expect("queue erase");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let counts: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(counts, json!({ "requests": 2, "deliveries": 4, "pending_deliveries": 4 }));
    // Nothing left to erase the second time.
    let (code, again) = erasure(Some(TOKEN), json!({ "email": marks[0] })).await;
    assert_eq!(
        (code, serde_json::from_str::<Value>(&again).ok()),
        (200, Some(json!({ "requests": 0, "deliveries": 0, "pending_deliveries": 0 })))
    );

    let r = client()
        .get(format!("{}/v1/queue?include=deferred,spam", s.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("queue");
    let queue: Value = r.json().await.expect("json");
    let emails: Vec<&str> =
        queue["requests"].as_array().expect("list").iter().filter_map(|r| r["email"].as_str()).collect();
    assert_eq!(emails, ["keep@example.com"]);
    for id in [&held["id"], &open["id"]] {
        let id = id.as_str().expect("id");
        let r = client().post(format!("{}/v1/queue/{id}/ack", s.base)).bearer_auth(TOKEN).send().await.expect("ack");
        assert_eq!(r.status().as_u16(), 404, "{id}");
    }
    let r = client().get(format!("{}/v1/deliveries", s.base)).bearer_auth(TOKEN).send().await.expect("deliveries");
    let text = r.text().await.expect("body");
    assert!(!text.to_lowercase().contains(marks[0]), "{text}");

    if matches!(store, Store::Sqlite) {
        // Gone from the files: the database, its WAL and the shared-memory index.
        let mut bytes = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            bytes.extend(std::fs::read(format!("{db}{suffix}")).unwrap_or_default());
        }
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for mark in marks {
            assert!(!text.contains(&mark.to_lowercase()), "{mark} is still in the SQLite files");
        }
        assert!(text.contains("kept-marker-1177"), "the kept request is readable in the files (the check reads them)");
    }
    drop(silent);
}

/// Each request's `(email, message, plan, received_at)`, read from the database itself.
async fn stored_fields(store: &Store, db: &str) -> std::collections::HashMap<String, (String, String, String, i64)> {
    const SQL: &str = "SELECT id, email, message, plan, received_at FROM requests";
    match store {
        Store::Sqlite => {
            let conn = rusqlite::Connection::open(db).expect("open the SQLite file");
            let mut stmt = conn.prepare(SQL).expect("prepare");
            stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
        }
        Store::Postgres(_) => {
            let client = admin_client(db).await;
            let rows = client.query(SQL, &[]).await.expect("query");
            rows.iter().map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3), r.get(4)))).collect()
        }
    }
}

async fn retention_erases_old_requests_fields_but_keeps_plan_times_and_undelivered_ones(store: Store) {
    let dir = temp_dir(&format!("retention-{}", store.name()));
    let db = store.database(&dir, "retention").await;
    // The ack's webhook never gets through: that request keeps an undelivered delivery.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let settings = write_settings(
        &dir,
        &format!(
            "[retention]\nerase_after_days = 90\nspam_erase_after_days = 7\n\n\
             [[webhooks]]\nurl = \"http://127.0.0.1:{port}/h\"\nsecret = \"env:REPLYBY_TEST_WEBHOOK_SECRET\"\n\
             events = [\"request.acknowledged\"]\nallow_private = true\n"
        ),
    );
    let erased_line = |s: &Server| {
        s.log()
            .lines()
            .find(|l| l.contains("retention: customers' fields erased"))
            .map(|l| l.split("\"erased\":").nth(1).and_then(|v| v.split([',', '}']).next()).unwrap_or("").to_owned())
    };
    let s = Server::start(&dir, &db, FRIDAY_NIGHT, &["--settings", &settings, "--rate-limit", "0"]);
    let person =
        |email: &str| json!({ "plan": "enterprise", "email": email, "message": "Retained-Marker", "fill_ms": 9000 });
    let (_, never_acked) = post(&s.base, "r1", &person("old@example.com")).await;
    let (_, acked) = post(&s.base, "r2", &person("waiting@example.com")).await;
    let trap = json!({ "plan": "enterprise", "email": "bot@example.com", "message": "buy", "website": "http://x.example", "fill_ms": 9000 });
    let (_, spam) = post(&s.base, "r3", &trap).await;
    let id = |v: &Value| v["id"].as_str().expect("id").to_owned();
    let (never_acked, acked, spam) = (id(&never_acked), id(&acked), id(&spam));
    let r = client().post(format!("{}/v1/queue/{acked}/ack", s.base)).bearer_auth(TOKEN).send().await.expect("ack");
    assert_eq!(r.status().as_u16(), 204);
    let first = until(10, "the first pass", async || erased_line(&s)).await;
    assert_eq!(first, "0");
    let before = stored_fields(&store, &db).await;
    drop(s);

    // 30 days on: only the spam (7 days) is old enough.
    let s = Server::start(&dir, &db, "2027-04-05T01:00:00Z", &["--settings", &settings]);
    assert_eq!(until(10, "a pass", async || erased_line(&s)).await, "1");
    let now = stored_fields(&store, &db).await;
    assert_eq!((now[&spam].0.as_str(), now[&spam].1.as_str()), ("", ""));
    assert_eq!(now[&never_acked], before[&never_acked]);
    drop(s);

    // 100 days on: the request never acked goes too (counted from its release), keeping its
    // plan and times; the acked one waits for its delivery.
    let s = Server::start(&dir, &db, "2027-06-14T01:00:00Z", &["--settings", &settings]);
    assert_eq!(until(10, "a pass", async || erased_line(&s)).await, "1");
    let now = stored_fields(&store, &db).await;
    let (email, message, plan, received) = &now[&never_acked];
    assert_eq!((email.as_str(), message.as_str()), ("", ""));
    assert_eq!((plan, received), (&before[&never_acked].2, &before[&never_acked].3));
    assert_eq!(now[&acked], before[&acked], "a request with an undelivered delivery is left alone");
    let log = s.log();
    for mark in ["old@example.com", "Retained-Marker"] {
        assert!(!log.contains(mark), "{mark} in the log");
    }
    if matches!(store, Store::Sqlite) {
        // Gone from the files too, as for an erasure; the request still waiting is there.
        let mut bytes = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            bytes.extend(std::fs::read(format!("{db}{suffix}")).unwrap_or_default());
        }
        let text = String::from_utf8_lossy(&bytes);
        for mark in ["old@example.com", "bot@example.com"] {
            assert!(!text.contains(mark), "{mark} is still in the SQLite files");
        }
        assert!(text.contains("waiting@example.com"));
    }
    drop(s);
    drop(silent);
}

/// Posts requests from 4 clients until `stop`; every `(id, answered_at)` of a `201`.
fn load(
    base: &str,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vec<(String, Instant)>>> {
    (0..4)
        .map(|c| {
            let (base, stop) = (base.to_owned(), stop.clone());
            tokio::spawn(async move {
                let body =
                    json!({ "plan": "enterprise", "email": "jo@example.com", "message": "hello", "fill_ms": 9000 });
                let mut out = Vec::new();
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    i += 1;
                    let (code, v) = post(&base, &format!("bk-{c}-{i}"), &body).await;
                    assert_eq!(code, 201, "{v}");
                    out.push((v["id"].as_str().expect("id").to_owned(), Instant::now()));
                }
                out
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_of_a_live_sqlite_store_holds_every_request_acknowledged_before_it_began() {
    let dir = temp_dir("backup");
    let db = dir.join("q.db").to_str().expect("path").to_owned();
    let s = Server::start(&dir, &db, FRIDAY_NIGHT, &["--rate-limit", "0"]);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients = load(&s.base, stop.clone());
    tokio::time::sleep(Duration::from_millis(700)).await;
    // Requests keep arriving during the backup.
    let out = dir.join("copy.db");
    let began = Instant::now();
    let backup = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["backup", "--db", &db])
        .arg(&out)
        .output()
        .expect("replyby backup");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut answered = Vec::new();
    for c in clients {
        answered.extend(c.await.expect("client"));
    }
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    let report: Value = serde_json::from_slice(&backup.stdout).expect("json");
    let before: Vec<&String> = answered.iter().filter(|(_, at)| *at < began).map(|(id, _)| id).collect();
    let after = answered.len() - before.len();
    assert!(before.len() >= 20 && after >= 1, "{} before, {after} after", before.len());
    assert!(report["requests"].as_i64().is_some_and(|n| n as usize >= before.len()), "{report}");
    // Only the copy, no WAL beside it.
    assert!(!dir.join("copy.db-wal").exists());
    drop(s);

    // Restored: serve runs on the copy, and every request answered before the backup is there.
    let restored = dir.join("restored.db");
    std::fs::copy(&out, &restored).expect("restore");
    let s = Server::start(&dir, restored.to_str().expect("path"), FRIDAY_NIGHT, &[]);
    let r = client().get(format!("{}/v1/queue", s.base)).bearer_auth(TOKEN).send().await.expect("queue");
    let queue: Value = r.json().await.expect("json");
    let ids: std::collections::HashSet<&str> =
        queue["requests"].as_array().expect("list").iter().filter_map(|r| r["id"].as_str()).collect();
    let lost: Vec<&&String> = before.iter().filter(|id| !ids.contains(id.as_str())).collect();
    assert!(lost.is_empty(), "{} lost: {lost:?}", lost.len());

    // Bad input: where and what, never a panic; an existing file is never overwritten.
    let run =
        |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_replyby")).arg("backup").args(args).output().expect("run");
    let o = run(&["--db", &db, out.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists; replyby backup never overwrites"), "{o:?}");
    let missing = dir.join("missing.db");
    let o = run(&["--db", missing.to_str().expect("path"), dir.join("x.db").to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.db: no such SQLite file"), "{o:?}");
    assert!(!missing.exists(), "a backup must not create its source");
    let o = run(&["--db", "postgres://u@127.0.0.1:1/db", dir.join("y.db").to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("pg_dump"), "{o:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pg_dump_restored_into_a_fresh_cluster_serves_the_same_queue() {
    let Some(Store::Postgres(admin)) = Store::postgres() else { return };
    let dir = temp_dir("pgdump");
    let store = Store::Postgres(admin);
    let db = store.database(&dir, "dump").await;
    let s = Server::start(&dir, &db, FRIDAY_NIGHT, &["--rate-limit", "0"]);
    let mut ids = Vec::new();
    for i in 0..5 {
        let body = json!({ "plan": if i % 2 == 0 { "basic" } else { "enterprise" }, "email": "jo@example.com", "message": "m", "fill_ms": 9000 });
        let (code, v) = post(&s.base, &format!("d{i}"), &body).await;
        assert_eq!(code, 201);
        ids.push(v["id"].as_str().expect("id").to_owned());
    }
    // The line docs/operations.md gives, while the server runs.
    let dump = dir.join("replyby.dump");
    let out = Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--dbname", &db, "--file"])
        .arg(&dump)
        .output()
        .expect("pg_dump");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    drop(s);

    // A fresh cluster of its own, destroyed at the end.
    struct Cluster(PathBuf);
    impl Drop for Cluster {
        fn drop(&mut self) {
            let _ = Command::new(root().join("scripts/pg.sh")).arg("destroy").arg(&self.0).output();
        }
    }
    let cluster = Cluster(dir.join("cluster"));
    let started =
        Command::new(root().join("scripts/pg.sh")).arg("start").arg(&cluster.0).output().expect("pg.sh start");
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    let url = String::from_utf8(started.stdout).expect("utf-8").lines().last().expect("url").trim().to_owned();
    let fresh = admin_client(&url).await;
    fresh.batch_execute("CREATE DATABASE replyby").await.expect("createdb");
    let target = with_database(&url, "replyby");
    let out = Command::new("pg_restore")
        .args(["--no-owner", "--exit-on-error", "--dbname", &target])
        .arg(&dump)
        .output()
        .expect("pg_restore");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let s = Server::start(&dir, &target, FRIDAY_NIGHT, &[]);
    assert_eq!(get(&s.base, "/readyz", None).await.0, 200);
    let r =
        client().get(format!("{}/v1/queue?include=deferred", s.base)).bearer_auth(TOKEN).send().await.expect("queue");
    let queue: Value = r.json().await.expect("json");
    let mut restored: Vec<String> = queue["requests"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect();
    restored.sort();
    ids.sort();
    assert_eq!(restored, ids);
    // It takes new requests and acks too.
    let (code, _) = post(
        &s.base,
        "after-restore",
        &json!({ "plan": "enterprise", "email": "a@b.example", "message": "m", "fill_ms": 9000 }),
    )
    .await;
    assert_eq!(code, 201);
    let r = client().post(format!("{}/v1/queue/{}/ack", s.base, ids[0])).bearer_auth(TOKEN).send().await.expect("ack");
    assert_eq!(r.status().as_u16(), 204);
    drop(s);
}

#[test]
fn a_bad_log_format_is_named_and_refused_before_anything_starts() {
    let dir = temp_dir("logformat");
    let db = dir.join("q.db");
    let run = |flag: Option<&str>, env: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_replyby"));
        c.args(["serve", "--listen", "127.0.0.1:0", "--static-dir", "/nonexistent", "--db"]).arg(&db);
        if let Some(f) = flag {
            c.args(["--log-format", f]);
        }
        match env {
            Some(v) => c.env("REPLYBY_LOG_FORMAT", v),
            None => c.env_remove("REPLYBY_LOG_FORMAT"),
        };
        c.output().expect("run")
    };
    let o = run(Some("xml"), None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid value 'xml' for '--log-format"), "{o:?}");
    let o = run(None, Some("xml"));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("REPLYBY_LOG_FORMAT is \"xml\"; use json or text"), "{o:?}");
    assert!(!db.exists(), "nothing was opened");
}
