//! Several `replyby serve` instances on one PostgreSQL, as they run: the real binary, a real
//! PostgreSQL. Every test needs `REPLYBY_TEST_PG`, a superuser URL (`scripts/pg.sh start`
//! prints one); without it each test says so and passes. The tests that kill or stop the
//! database make a throwaway cluster of their own with `scripts/pg.sh start DIR` (as root, it
//! runs PostgreSQL as the `postgres` user), so nothing else using `REPLYBY_TEST_PG` is disturbed.

#[path = "support/pg_url.rs"]
mod pg_url;
use pg_url::with_database;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "pg-staff";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn admin_url() -> Option<String> {
    match std::env::var("REPLYBY_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("skipped: REPLYBY_TEST_PG is not set (a superuser URL; scripts/pg.sh start prints one)");
            None
        }
    }
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
}

/// A new, empty database on the server `admin` names; its URL.
async fn fresh_database(admin: &str, name: &str) -> String {
    let client = connect(admin).await;
    let db = format!("replyby_pg_{}_{name}", std::process::id());
    for sql in [format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"), format!("CREATE DATABASE {db}")] {
        client.batch_execute(&sql).await.expect("create database");
    }
    with_database(admin, &db)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A throwaway cluster of this test's own, destroyed when dropped.
struct Cluster {
    dir: PathBuf,
    url: String,
}

impl Cluster {
    fn start(name: &str) -> Cluster {
        let dir = std::env::temp_dir().join(format!("replyby-pgtest-{}-{name}", std::process::id()));
        let _ = Command::new(root().join("scripts/pg.sh")).arg("destroy").arg(&dir).status();
        let out = Command::new(root().join("scripts/pg.sh")).arg("start").arg(&dir).output().expect("scripts/pg.sh");
        assert!(out.status.success(), "scripts/pg.sh start: {}", String::from_utf8_lossy(&out.stderr));
        let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        Cluster { dir, url }
    }

    fn pg(&self, action: &str) {
        let out = Command::new(root().join("scripts/pg.sh")).arg(action).arg(&self.dir).output().expect("pg.sh");
        assert!(out.status.success(), "scripts/pg.sh {action}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(root().join("scripts/pg.sh")).arg("destroy").arg(&self.dir).status();
    }
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

/// Starts the binary; its stderr (the JSON log) is read only by [`refused`]: a pipe nobody
/// reads would fill up and stop the server mid-test.
fn spawn(db: &str, extra: &[&str], stderr: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["serve", "--listen", "127.0.0.1:0", "--rate-limit", "0", "--static-dir", "/nonexistent", "--db", db])
        .args(extra)
        .env("REPLYBY_STAFF_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start replyby serve")
}

/// Waits for the "listening" line.
fn listening(mut child: Child) -> Server {
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("listening line");
    let base = line.trim().rsplit(' ').next().unwrap_or("").to_owned();
    if !base.starts_with("http://127.0.0.1:") {
        let _ = child.kill();
        let _ = child.wait();
        panic!("replyby serve did not start: {line:?}");
    }
    Server { child, base }
}

fn start(db: &str, extra: &[&str]) -> Server {
    listening(spawn(db, extra, Stdio::null()))
}

/// Runs `replyby serve`, expecting it to refuse to start; its exit code and stderr.
fn refused(db: &str) -> (Option<i32>, String) {
    let mut child = spawn(db, &[], Stdio::piped());
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("replyby serve started although it should have refused");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn body(i: usize) -> Value {
    json!({ "plan": "basic", "email": format!("customer{}@example.com", i % 50), "message": format!("request {i}") })
}

/// One POST: the status and the body's bytes; `None` when no answer came (connection lost).
async fn post(client: &reqwest::Client, base: &str, key: &str, body: &Value) -> Option<(u16, String)> {
    let res = client
        .post(format!("{base}/v1/requests"))
        .header("Idempotency-Key", key)
        .json(body)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .ok()?;
    let status = res.status().as_u16();
    Some((status, res.text().await.ok()?))
}

fn id_of(text: &str) -> String {
    serde_json::from_str::<Value>(text).ok().and_then(|v| v["id"].as_str().map(str::to_owned)).unwrap_or_default()
}

/// What the webhook receiver saw: (webhook-id, event type, request id) per POST.
type Seen = Arc<Mutex<Vec<(String, String, String)>>>;

/// A webhook receiver on loopback that takes a moment to answer (so a killed instance dies
/// mid-send) and records every POST.
async fn receiver() -> (String, Seen) {
    use axum::http::HeaderMap;
    let seen: Seen = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let record = record.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                let id = headers.get("webhook-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                let event = v["type"].as_str().unwrap_or("").to_owned();
                let request = v["data"]["id"].as_str().unwrap_or("").to_owned();
                record.lock().expect("lock").push((id, event, request));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// Whether this build has `serve --settings` (the hand-off), to configure a webhook.
fn has_settings() -> bool {
    Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["serve", "--help"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("--settings"))
        .unwrap_or(false)
}

async fn deliveries(client: &reqwest::Client, base: &str, state: &str) -> Vec<Value> {
    let v: Value = client
        .get(format!("{base}/v1/deliveries?state={state}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    v["deliveries"].as_array().cloned().unwrap_or_default()
}

/// The outcome of every key: the answers that came back (status, body).
type Answers = Arc<Mutex<HashMap<String, Vec<(u16, String)>>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_a_sigkill_and_a_database_crash_lose_nothing_and_store_nothing_twice() {
    if admin_url().is_none() {
        return;
    }
    let cluster = Cluster::start("two");
    let db = fresh_database(&cluster.url, "two").await;
    let dir = cluster.dir.join("work");
    std::fs::create_dir_all(&dir).expect("dir");
    let (hook, seen) = receiver().await;
    let settings = dir.join("settings.toml");
    std::fs::write(
        &settings,
        format!(
            "[[webhooks]]\nurl = \"{hook}\"\nsecret = \"{SECRET}\"\nevents = [\"request.received\"]\nallow_private = true\n"
        ),
    )
    .expect("settings");
    let hand_off = has_settings();
    if !hand_off {
        eprintln!("note: this build has no `serve --settings`: deliveries are not checked");
    }
    let extra: Vec<&str> = if hand_off { vec!["--settings", settings.to_str().expect("path")] } else { vec![] };
    let a = start(&db, &extra);
    let b = start(&db, &extra);
    let bases = Arc::new(Mutex::new(vec![a.base.clone(), b.base.clone()]));
    let answers: Answers = Arc::default();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let total = 3000;
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let mut tasks = Vec::new();
    for worker in 0..48 {
        let (bases, answers, done, client) = (bases.clone(), answers.clone(), done.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            for i in (worker..total).step_by(48) {
                let key = format!("two-{i}");
                let targets = bases.lock().expect("lock").clone();
                let request = body(i);
                let got: Vec<Option<(u16, String)>> = if i % 10 == 0 {
                    // The same key to both instances at once.
                    let (x, y) = tokio::join!(
                        post(&client, &targets[0], &key, &request),
                        post(&client, &targets[1 % targets.len()], &key, &request)
                    );
                    vec![x, y]
                } else {
                    vec![post(&client, &targets[i % targets.len()], &key, &request).await]
                };
                answers.lock().expect("lock").entry(key).or_default().extend(got.into_iter().flatten());
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }));
    }
    let wait_for = |n: usize| {
        let done = done.clone();
        async move {
            while done.load(std::sync::atomic::Ordering::SeqCst) < n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    // A third of the way: SIGKILL instance b (mid-request, mid-send), start another in its place.
    wait_for(total / 3).await;
    eprintln!("a third answered: SIGKILL of one instance");
    let mut b = b;
    assert!(Command::new("kill").args(["-9", &b.child.id().to_string()]).status().expect("kill").success());
    let _ = b.child.wait();
    let b2 = start(&db, &extra);
    bases.lock().expect("lock")[1] = b2.base.clone();
    // Two thirds: the database dies as in a power cut, and comes back.
    wait_for(2 * total / 3).await;
    eprintln!("two thirds answered: the database crashes");
    cluster.pg("crash");
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.pg("start");
    eprintln!("the database is back");
    for t in tasks {
        t.await.expect("join");
    }
    eprintln!("all answered");
    drop(b);

    // Retry every request whose answer was lost (no answer, 409, 503) until it is stored.
    let first_answers = answers.lock().expect("lock").clone();
    let mut lost = 0;
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for got in first_answers.values() {
        for (s, _) in got {
            *statuses.entry(*s).or_default() += 1;
        }
    }
    let targets = [a.base.clone(), b2.base.clone()];
    let mut final_ids: HashMap<String, (String, String)> = HashMap::new();
    for i in 0..total {
        let key = format!("two-{i}");
        let got = first_answers.get(&key).cloned().unwrap_or_default();
        let created: Vec<&(u16, String)> = got.iter().filter(|(s, _)| *s == 201).collect();
        for (s, text) in &got {
            assert!([201, 409, 503].contains(s), "{key}: unexpected {s} {text}");
        }
        // Every 201 for one key carries the same request, byte for byte.
        if let Some((_, first)) = created.first() {
            assert!(created.iter().all(|(_, t)| t == first), "{key}: two different answers: {created:?}");
            final_ids.insert(key, (id_of(first), first.clone()));
            continue;
        }
        lost += 1;
        let mut tries = 0;
        loop {
            tries += 1;
            assert!(tries < 200, "{key} never stored after the database came back");
            match post(&client, &targets[tries % 2], &key, &body(i)).await {
                Some((201, text)) => {
                    final_ids.insert(key, (id_of(&text), text));
                    break;
                }
                Some((s, text)) if s != 409 && s != 503 => panic!("{key}: {s} {text}"),
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }
    eprintln!("answers by status: {statuses:?}; {lost} of {total} keys had no 201 and were retried");
    assert!(statuses.get(&201).copied().unwrap_or(0) > total / 2, "too few requests got through: {statuses:?}");

    // Every key is stored exactly once, under the id its 201 named.
    let pg = connect(&db).await;
    let rows = pg.query("SELECT idempotency_key, id FROM requests", &[]).await.expect("requests");
    let stored: HashMap<String, String> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(rows.len(), total, "one row per key");
    for (key, (id, _)) in &final_ids {
        assert_eq!(stored.get(key), Some(id), "{key}: the 201's id is the stored one");
    }
    // A replay anywhere answers with the first answer, byte for byte.
    for i in (0..total).step_by(37) {
        let key = format!("two-{i}");
        for base in &targets {
            let again = post(&client, base, &key, &body(i)).await.expect("answer");
            assert_eq!(again, (201, final_ids[&key].1.clone()), "{key} replayed on {base}");
        }
    }
    // Another body with a used key: 422, on either instance.
    let other = post(
        &client,
        &targets[1],
        "two-1",
        &json!({ "plan": "basic", "email": "x@example.com", "message": "changed" }),
    )
    .await
    .expect("answer");
    assert_eq!(other.0, 422, "{other:?}");

    if hand_off {
        // Every delivery was sent at least once (the killed instance's leases ran out and the
        // others sent them), always with the one webhook-id of its delivery.
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            // The staff API shows the newest 1000; count them all in the database.
            let pending = deliveries(&client, &a.base, "pending").await.len();
            let states: HashMap<String, i64> = pg
                .query("SELECT state, count(*) FROM deliveries GROUP BY state", &[])
                .await
                .expect("states")
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            if pending == 0 && states.get("delivered") == Some(&(total as i64)) {
                break;
            }
            assert!(Instant::now() < deadline, "deliveries by state: {states:?}");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let rows = pg
            .query("SELECT d.id, d.request_id FROM deliveries d WHERE d.event = 'request.received'", &[])
            .await
            .expect("deliveries");
        assert_eq!(rows.len(), total, "one request.received per request");
        let seen = seen.lock().expect("lock").clone();
        let mut ids_by_request: HashMap<String, HashSet<String>> = HashMap::new();
        for (webhook_id, event, request) in &seen {
            assert_eq!(event, "request.received");
            ids_by_request.entry(request.clone()).or_default().insert(webhook_id.clone());
        }
        for row in &rows {
            let request: String = row.get(1);
            let ids = ids_by_request.get(&request).cloned().unwrap_or_default();
            assert_eq!(ids.len(), 1, "{request}: sent with webhook-ids {ids:?}");
        }
        let distinct: HashSet<&String> = seen.iter().map(|(id, _, _)| id).collect();
        assert_eq!(distinct.len(), total, "one webhook-id per delivery");
        eprintln!("webhooks: {} sends for {total} deliveries", seen.len());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_down_during_intake_is_503_with_retry_after_and_then_recovers() {
    if admin_url().is_none() {
        return;
    }
    let cluster = Cluster::start("down");
    // Over TLS, checking the server's certificate against the cluster's own CA.
    let plain = fresh_database(&cluster.url, "down").await;
    let tls = format!("{plain}?sslmode=require&sslrootcert={}", cluster.dir.join("ca.crt").display());
    let mut s = start(&tls, &[]);
    let client = reqwest::Client::new();
    let (code, _) = post(&client, &s.base, "up-0", &body(0)).await.expect("answer");
    assert_eq!(code, 201);
    let ready = |base: String| {
        let client = client.clone();
        async move {
            let r = client.get(format!("{base}/readyz")).send().await.expect("readyz");
            let code = r.status().as_u16();
            (code, r.json::<Value>().await.expect("readyz JSON"))
        }
    };
    assert_eq!(ready(s.base.clone()).await, (200, serde_json::json!({ "status": "ready" })));
    let pg = connect(&plain).await;
    let ssl: bool = pg
        .query_one("SELECT bool_and(ssl) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE application_name = 'replyby'", &[])
        .await
        .expect("pg_stat_ssl")
        .get(0);
    assert!(ssl, "replyby's sessions use TLS");
    drop(pg);

    cluster.pg("crash");
    let mut unavailable = Vec::new();
    for i in 1..=6 {
        let t = Instant::now();
        let res = client
            .post(format!("{}/v1/requests", s.base))
            .header("Idempotency-Key", format!("down-{i}"))
            .json(&body(i))
            .send()
            .await
            .expect("the server answers while the database is down");
        assert_eq!(res.status().as_u16(), 503, "{:?}", res.text().await);
        let retry = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        assert!(retry.is_some_and(|r| (1..=60).contains(&r)), "Retry-After: {retry:?}");
        assert!(t.elapsed() < Duration::from_secs(10), "a 503 took {:?}", t.elapsed());
        unavailable.push(i);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(s.child.try_wait().expect("wait").is_none(), "the server is still running");
    let health = client.get(format!("{}/healthz", s.base)).send().await.expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
    // Alive, but not ready: a load balancer sends customers elsewhere, and is told why.
    let (code, answer) = ready(s.base.clone()).await;
    assert_eq!(code, 503, "{answer}");
    assert_eq!(answer["status"], "unavailable");
    assert!(answer["reason"].as_str().is_some_and(|r| r.starts_with("the store")), "{answer}");

    // The database returns: the same server stores requests again, without a restart.
    cluster.pg("start");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match post(&client, &s.base, "down-1", &body(1)).await {
            Some((201, _)) => break,
            other => {
                assert!(Instant::now() < deadline, "no recovery: {other:?}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    for i in unavailable {
        let (code, text) = post(&client, &s.base, &format!("down-{i}"), &body(i)).await.expect("answer");
        assert_eq!(code, 201, "{text}");
    }
    assert_eq!(ready(s.base.clone()).await.0, 200, "ready again");
    let pg = connect(&plain).await;
    let n: i64 = pg.query_one("SELECT count(*) FROM requests", &[]).await.expect("count").get(0);
    assert_eq!(n, 7);
    let _ = s.child.kill();

    // A server that could lose acknowledged commits is refused at start, naming the setting.
    for setting in ["fsync", "full_page_writes"] {
        pg.batch_execute(&format!("ALTER SYSTEM SET {setting} = off")).await.expect("alter");
        pg.batch_execute("SELECT pg_reload_conf()").await.expect("reload");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v: String = pg.query_one(&format!("SHOW {setting}"), &[]).await.expect("show").get(0);
            if v == "off" {
                break;
            }
            assert!(Instant::now() < deadline, "{setting} stays {v}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (code, stderr) = refused(&plain);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains(&format!("{setting} = off")), "{stderr}");
        pg.batch_execute(&format!("ALTER SYSTEM RESET {setting}")).await.expect("reset");
        pg.batch_execute("SELECT pg_reload_conf()").await.expect("reload");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_at_once_both_come_up_and_a_newer_schema_is_refused() {
    let Some(admin) = admin_url() else { return };
    let db = fresh_database(&admin, "migrate").await;
    let (x, y) = (spawn(&db, &[], Stdio::null()), spawn(&db, &[], Stdio::null()));
    let (x, y) = (listening(x), listening(y));
    let client = reqwest::Client::new();
    let (code, first) = post(&client, &x.base, "m-1", &body(1)).await.expect("answer");
    assert_eq!(code, 201);
    assert_eq!(post(&client, &y.base, "m-1", &body(1)).await, Some((201, first)));
    drop((x, y));
    let pg = connect(&db).await;
    let versions: Vec<i64> = pg
        .query("SELECT version FROM schema_migrations ORDER BY version", &[])
        .await
        .expect("versions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let files =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres")).expect("migrations").count();
    assert_eq!(versions, (1..=files as i64).collect::<Vec<_>>(), "each migration applied once");
    pg.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)", &[]).await.expect("future");
    let (code, stderr) = refused(&db);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("the database is at schema version 99, newer than this replyby knows"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_in_flight_on_another_instance_is_409_and_then_replays_everywhere() {
    let Some(admin) = admin_url() else { return };
    let db = fresh_database(&admin, "inflight").await;
    let (x, y) = (start(&db, &[]), start(&db, &[]));
    let client = reqwest::Client::new();
    // Another instance is storing "k" right now: it holds the key's lock until its COMMIT.
    let mut other = connect(&db).await;
    let tx = other.transaction().await.expect("begin");
    tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('replyby key:' || $1, 0))", &[&"k"]).await.expect("lock");
    for base in [&x.base, &y.base] {
        let (code, text) = post(&client, base, "k", &body(7)).await.expect("answer");
        assert_eq!(code, 409, "{text}");
    }
    tx.rollback().await.expect("rollback");
    let (code, first) = post(&client, &x.base, "k", &body(7)).await.expect("answer");
    assert_eq!(code, 201, "{first}");
    assert_eq!(
        post(&client, &y.base, "k", &body(7)).await,
        Some((201, first.clone())),
        "the first answer, byte for byte"
    );
    let (code, text) = post(&client, &y.base, "k", &body(8)).await.expect("answer");
    assert_eq!(code, 422, "{text}");
}
