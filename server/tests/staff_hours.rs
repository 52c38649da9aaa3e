//! Staff keep their own hours, as `replyby serve` runs: schedule changes, the config in the
//! store with versions and `If-Match`, staff as people with their own tokens, the audit
//! trail — each on a real SQLite file and on a real PostgreSQL (when `REPLYBY_TEST_PG` names
//! a superuser URL; `scripts/test.sh` always sets it), with two instances sharing one
//! database. Every server's clock is pinned (`--test-clock`); nothing reads the wall clock.

#[path = "support/pg_url.rs"]
mod pg_url;
#[path = "support/serve.rs"]
mod support;
use pg_url::with_database;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{Server, serve};

const BOOTSTRAP: &str = "bootstrap-secret";
/// Wednesday 3 March 2027, 10:00 in New York: the New York team is open.
const WEDNESDAY: &str = "2027-03-03T15:00:00Z";
/// Friday 5 March 2027, 20:00 in New York: closed until Monday.
const FRIDAY_EVENING: &str = "2027-03-06T01:00:00Z";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_replyby")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replyby-hours-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn start(db: &str, at: &str, extra: &[&str]) -> Server {
    let args =
        [&["--db", db, "--static-dir", "/nonexistent", "--rate-limit", "0", "--test-clock", at][..], extra].concat();
    serve(&args, BOOTSTRAP)
}

/// `replyby staff add NAME --role ROLE --db DB`: the token it prints once.
fn add_staff(db: &str, name: &str, role: &str) -> String {
    let out = Command::new(bin()).args(["staff", "add", name, "--role", role, "--db", db]).output().expect("staff add");
    assert!(out.status.success(), "staff add: {}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("rb_"), "{token}");
    token
}

#[derive(Clone)]
enum Store {
    Sqlite,
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

    async fn database(&self, name: &str) -> String {
        match self {
            Store::Sqlite => temp_dir(name).join("q.db").to_str().expect("path").to_owned(),
            Store::Postgres(admin) => {
                let (client, connection) =
                    tokio_postgres::connect(admin, tokio_postgres::NoTls).await.expect("connect");
                tokio::spawn(connection);
                let db = format!("replyby_hours_{}_{name}", std::process::id());
                for sql in [format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"), format!("CREATE DATABASE {db}")] {
                    client.batch_execute(&sql).await.expect("create database");
                }
                with_database(admin, &db)
            }
        }
    }
}

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
    a_closure_made_on_one_instance_is_live_on_the_other,
    a_change_with_problems_is_422_with_each_at_its_path,
    the_config_needs_an_admin_and_if_match_and_keeps_every_version,
    a_removed_token_is_refused_by_every_instance,
    a_queued_request_on_a_newly_closed_day_is_still_released_as_promised,
    the_audit_names_who_did_what,
);

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn send(req: reqwest::RequestBuilder) -> (u16, Value, reqwest::header::HeaderMap) {
    let res = req.send().await.expect("send");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)), headers)
}

async fn add_change(base: &str, token: &str, change: &Value) -> (u16, Value) {
    let (code, v, _) = send(client().post(format!("{base}/v1/schedule")).bearer_auth(token).json(change)).await;
    (code, v)
}

/// Polls `f` until it holds, for at most `limit`; how long it took.
async fn within<F, Fut>(limit: Duration, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if f().await {
            return start.elapsed();
        }
        assert!(start.elapsed() < limit, "not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn public_config(base: &str) -> (Value, String) {
    let (code, v, h) = send(client().get(format!("{base}/v1/config"))).await;
    assert_eq!(code, 200);
    (v, h.get("etag").and_then(|e| e.to_str().ok()).unwrap_or("").to_owned())
}

async fn a_closure_made_on_one_instance_is_live_on_the_other(store: Store) {
    let db = store.database("live").await;
    let a = start(&db, WEDNESDAY, &[]);
    let b = start(&db, WEDNESDAY, &[]);
    let ana = add_staff(&db, "Ana", "agent");
    let (_, etag_before) = public_config(&b.base).await;
    let change = json!({ "team": "nyc", "name": "Company offsite", "date": "2027-03-10", "note": "Closed for our team offsite" });
    let (code, made) = add_change(&a.base, &ana, &change).await;
    assert_eq!(code, 201, "{made}");
    assert_eq!((made["created_by"].as_str(), made["team"].as_str()), (Some("Ana"), Some("nyc")));
    assert!(made["id"].as_str().is_some_and(|id| id.starts_with("sch_")), "{made}");
    // The other instance serves it within 5 s.
    let took = within(Duration::from_secs(5), || async {
        public_config(&b.base).await.0["changes"][0]["note"] == "Closed for our team offsite"
    })
    .await;
    eprintln!("instance B served the change after {took:?}");
    let (config, etag) = public_config(&b.base).await;
    assert_ne!(etag, etag_before);
    // A widget revalidating with the ETag it has gets 304 until the next change.
    let (code, _, _) = send(client().get(format!("{}/v1/config", b.base)).header("if-none-match", &etag)).await;
    assert_eq!(code, 304);
    let (code, _, _) = send(client().get(format!("{}/v1/config", b.base)).header("if-none-match", &etag_before)).await;
    assert_eq!(code, 200);
    // `replyby closed-days` on the public config shows the day closed, with its note.
    let file = temp_dir("public").join("public.json");
    std::fs::write(&file, config.to_string()).expect("write");
    let out = Command::new(bin())
        .args([
            "closed-days",
            file.to_str().expect("path"),
            "--coverage",
            "business",
            "--from",
            "2027-03-10",
            "--to",
            "2027-03-10",
        ])
        .output()
        .expect("closed-days");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let days: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(days[0]["name"], "Company offsite");
    assert_eq!(days[0]["note"], "Closed for our team offsite");
    assert_eq!(days[0]["announce_from"], "2027-02-24");
    // The ICS feed of either instance has it.
    let ics = client().get(format!("{}/v1/closed-days.ics?coverage=business", b.base)).send().await.expect("ics");
    assert!(ics.text().await.expect("text").contains("Company offsite"));
    // A request written on B for that Wednesday's opening hour now opens Thursday.
    let (_, listed, _) =
        send(client().get(format!("{}/v1/schedule?from=2027-03-01&to=2027-03-31", b.base)).bearer_auth(&ana)).await;
    assert_eq!(listed["changes"].as_array().map(Vec::len), Some(1));
    let (_, none, _) = send(client().get(format!("{}/v1/schedule?from=2027-04-01", b.base)).bearer_auth(&ana)).await;
    assert_eq!(none["changes"].as_array().map(Vec::len), Some(0));
    // Removed on B: gone from A within 5 s.
    let id = made["id"].as_str().expect("id");
    let (code, _, _) = send(client().delete(format!("{}/v1/schedule/{id}", b.base)).bearer_auth(&ana)).await;
    assert_eq!(code, 204);
    within(Duration::from_secs(5), || async { public_config(&a.base).await.0.get("changes").is_none() }).await;
    let (code, _, _) = send(client().delete(format!("{}/v1/schedule/{id}", a.base)).bearer_auth(&ana)).await;
    assert_eq!(code, 404);
}

async fn a_change_with_problems_is_422_with_each_at_its_path(store: Store) {
    let db = store.database("problems").await;
    let s = start(&db, WEDNESDAY, &[]);
    let bad = json!({ "team": "nyk", "name": "X", "date": "2027-02-30", "hours": ["25:00-26:00"] });
    let (code, v) = add_change(&s.base, BOOTSTRAP, &bad).await;
    assert_eq!(code, 422, "{v}");
    let problems: Vec<(String, String)> = v["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| (p["path"].as_str().unwrap_or("").to_owned(), p["message"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(
        problems,
        vec![
            ("/team".to_owned(), "no team has id \"nyk\" (did you mean \"nyc\"?)".to_owned()),
            ("/date".to_owned(), "\"2027-02-30\" is not a real date YYYY-MM-DD".to_owned()),
            (
                "/hours/0".to_owned(),
                "interval \"25:00-26:00\": \"25:00\" is not a time of day (00:00 to 23:59, or 24:00 at an end)"
                    .to_owned()
            ),
        ]
    );
    // A personal phone number in a note is refused: customers would see it.
    let phone = json!({ "team": "nyc", "name": "Offsite", "date": "2027-03-10", "note": "Urgent? Call Dave on +1 (555) 010-4477" });
    let (code, v) = add_change(&s.base, BOOTSTRAP, &phone).await;
    assert_eq!(code, 422, "{v}");
    assert_eq!(v["problems"][0]["path"], "/note");
    // Not JSON, and no token.
    let (code, v, _) =
        send(client().post(format!("{}/v1/schedule", s.base)).bearer_auth(BOOTSTRAP).body("{nope")).await;
    assert_eq!(code, 422, "{v}");
    assert!(v["problems"][0]["message"].as_str().is_some_and(|m| m.starts_with("not valid JSON")), "{v}");
    let (code, _) = add_change(&s.base, "wrong", &json!({})).await;
    assert_eq!(code, 401);
    // Nothing was stored.
    assert!(public_config(&s.base).await.0.get("changes").is_none());
}

async fn put(base: &str, token: &str, if_match: Option<&str>, body: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = client().put(format!("{base}/v1/config")).bearer_auth(token).body(body.to_owned());
    if let Some(tag) = if_match {
        req = req.header("if-match", tag);
    }
    send(req).await
}

async fn the_config_needs_an_admin_and_if_match_and_keeps_every_version(store: Store) {
    let db = store.database("config").await;
    let a = start(&db, WEDNESDAY, &[]);
    let b = start(&db, WEDNESDAY, &[]);
    let agent = add_staff(&db, "Ana", "agent");
    let admin = add_staff(&db, "Max", "admin");
    let (code, base, headers) = send(client().get(format!("{}/v1/config?layer=base", a.base))).await;
    assert_eq!(code, 200);
    let tag = headers.get("etag").and_then(|e| e.to_str().ok()).expect("etag").to_owned();
    assert_eq!(tag, "\"v1\"", "the store is seeded with the demo as version 1");
    let mut edited = base.clone();
    edited["company"] = json!("Acme Networks (EU)");
    let text = edited.to_string();
    assert_eq!(put(&a.base, &agent, Some(&tag), &text).await.0, 403);
    assert_eq!(put(&a.base, &admin, None, &text).await.0, 428);
    let (code, v, _) = put(&a.base, &admin, Some("\"v7\""), &text).await;
    assert_eq!(code, 412, "{v}");
    let mut broken = base.clone();
    broken["teams"][1]["timezone"] = json!("Europe/Berln");
    let (code, v, _) = put(&a.base, &admin, Some(&tag), &broken.to_string()).await;
    assert_eq!(code, 422, "{v}");
    assert_eq!(v["problems"][0]["path"], "/teams/1/timezone");
    assert_eq!(v["problems"][0]["message"], "unknown time zone \"Europe/Berln\" (did you mean \"Europe/Berlin\"?)");
    let (code, v, headers) = put(&a.base, &admin, Some(&tag), &text).await;
    assert_eq!(code, 200, "{v}");
    assert_eq!((v["version"].as_i64(), v["created_by"].as_str()), (Some(2), Some("Max")));
    assert_eq!(headers.get("etag").and_then(|e| e.to_str().ok()), Some("\"v2\""));
    // The same If-Match again is stale now, on either instance.
    assert_eq!(put(&b.base, &admin, Some(&tag), &text).await.0, 412);
    within(Duration::from_secs(5), || async { public_config(&b.base).await.0["company"] == "Acme Networks (EU)" })
        .await;
    let (code, versions, _) = send(client().get(format!("{}/v1/config/versions", b.base)).bearer_auth(&admin)).await;
    assert_eq!(code, 200);
    let list: Vec<(i64, String)> = versions["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| (v["version"].as_i64().unwrap_or(0), v["created_by"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(list, vec![(2, "Max".to_owned()), (1, "seed".to_owned())]);
    assert_eq!(send(client().get(format!("{}/v1/config/versions", b.base)).bearer_auth(&agent)).await.0, 403);
    // Rollback with the command line: version 1 again, as version 3.
    let out = Command::new(bin())
        .args(["config", "rollback", "1", "--server", &a.base])
        .env("REPLYBY_STAFF_TOKEN", &admin)
        .output()
        .expect("config rollback");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    within(Duration::from_secs(5), || async { public_config(&b.base).await.0["company"] == "Acme Networks" }).await;
    let pulled = Command::new(bin())
        .args(["config", "pull", "--server", &b.base])
        .env("REPLYBY_STAFF_TOKEN", &admin)
        .output()
        .expect("config pull");
    let pulled: Value = serde_json::from_slice(&pulled.stdout).expect("pulled json");
    assert_eq!(pulled, base);
    // A config pinned to a file: PUT is 409.
    let file = temp_dir("pinned-file").join("acme.json");
    std::fs::write(&file, replyby_core::DEMO_CONFIG).expect("write");
    let pinned = start(&store.database("pinned").await, WEDNESDAY, &["--config", file.to_str().expect("path")]);
    let (code, v, _) = put(&pinned.base, BOOTSTRAP, Some("\"v0\""), &text).await;
    assert_eq!(code, 409, "{v}");
    assert!(v["error"].as_str().is_some_and(|e| e.contains("managed by a file")), "{v}");
}

async fn queue_status(base: &str, token: &str) -> u16 {
    send(client().get(format!("{base}/v1/queue")).bearer_auth(token)).await.0
}

async fn a_removed_token_is_refused_by_every_instance(store: Store) {
    let db = store.database("remove").await;
    let a = start(&db, WEDNESDAY, &[]);
    let b = start(&db, WEDNESDAY, &[]);
    let bob = add_staff(&db, "Bob", "agent");
    assert_eq!((queue_status(&a.base, &bob).await, queue_status(&b.base, &bob).await), (200, 200));
    let list = Command::new(bin()).args(["staff", "list", "--db", &db]).output().expect("staff list");
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("\"Bob\"") && text.contains("\"agent\"") && !text.contains(&bob), "{text}");
    // A second person of the same name is refused.
    let again =
        Command::new(bin()).args(["staff", "add", "Bob", "--role", "admin", "--db", &db]).output().expect("add");
    assert_eq!(again.status.code(), Some(1));
    let removed = Command::new(bin()).args(["staff", "remove", "Bob", "--db", &db]).output().expect("staff remove");
    assert!(removed.status.success(), "{}", String::from_utf8_lossy(&removed.stderr));
    within(Duration::from_secs(5), || async {
        queue_status(&a.base, &bob).await == 401 && queue_status(&b.base, &bob).await == 401
    })
    .await;
    // The bootstrap admin still works.
    assert_eq!(queue_status(&b.base, BOOTSTRAP).await, 200);
}

async fn a_queued_request_on_a_newly_closed_day_is_still_released_as_promised(store: Store) {
    let db = store.database("promised").await;
    let s = start(&db, FRIDAY_EVENING, &[]);
    let body = json!({ "plan": "basic", "email": "jo@example.com", "message": "my router" });
    let (code, first, _) =
        send(client().post(format!("{}/v1/requests", s.base)).header("idempotency-key", "k1").json(&body)).await;
    assert_eq!(code, 201, "{first}");
    assert_eq!(
        (first["release_at"].as_str(), first["state"].as_str()),
        (Some("2027-03-08T14:00:00Z"), Some("deferred"))
    );
    // Staff close Monday: the answer says one queued request falls in the closed time.
    let (code, made) = add_change(
        &s.base,
        BOOTSTRAP,
        &json!({ "team": "nyc", "name": "Storm", "date": "2027-03-08", "note": "Closed: storm" }),
    )
    .await;
    assert_eq!(code, 201, "{made}");
    assert_eq!(made["queued_requests_in_closed_time"], 1);
    // The queued request keeps what it was promised …
    let (_, q, _) = send(client().get(format!("{}/v1/queue?include=deferred", s.base)).bearer_auth(BOOTSTRAP)).await;
    let queued = &q["requests"][0];
    assert_eq!(
        (queued["release_at"].as_str(), queued["respond_by"].as_str()),
        (first["release_at"].as_str(), first["respond_by"].as_str())
    );
    // … and a new one is quoted with Monday closed: released Tuesday.
    let (code, second, _) =
        send(client().post(format!("{}/v1/requests", s.base)).header("idempotency-key", "k2").json(&body)).await;
    assert_eq!(code, 201, "{second}");
    assert_eq!(second["release_at"], "2027-03-09T14:00:00Z");
}

async fn the_audit_names_who_did_what(store: Store) {
    let db = store.database("audit").await;
    let s = start(&db, WEDNESDAY, &[]);
    let ana = add_staff(&db, "Ana", "agent");
    let body = json!({ "plan": "enterprise", "email": "jo@example.com", "message": "help" });
    let (_, r, _) =
        send(client().post(format!("{}/v1/requests", s.base)).header("idempotency-key", "a1").json(&body)).await;
    let id = r["id"].as_str().expect("id").to_owned();
    let (code, _, _) = send(client().post(format!("{}/v1/queue/{id}/ack", s.base)).bearer_auth(&ana)).await;
    assert_eq!(code, 204);
    let (code, made) = add_change(&s.base, &ana, &json!({ "team": "berlin", "name": "Slow week", "from": "2027-03-08", "to": "2027-03-12", "closed": false, "note": "Replies are slower this week" })).await;
    assert_eq!(code, 201, "{made}");
    assert_eq!(send(client().get(format!("{}/v1/audit", s.base)).bearer_auth(&ana)).await.0, 403);
    let (code, audit, _) = send(client().get(format!("{}/v1/audit", s.base)).bearer_auth(BOOTSTRAP)).await;
    assert_eq!(code, 200);
    let entries: Vec<(String, String, String)> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap_or("").to_owned(),
                e["action"].as_str().unwrap_or("").to_owned(),
                e["subject"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let made_id = made["id"].as_str().expect("id").to_owned();
    assert_eq!(entries[0], ("Ana".to_owned(), "schedule.add".to_owned(), made_id));
    assert_eq!(entries[1], ("Ana".to_owned(), "request.ack".to_owned(), id));
    assert!(entries.iter().any(|e| e.1 == "staff.add"), "{entries:?}");
    assert_eq!(audit["entries"][0]["at"], WEDNESDAY);
    // The staff page greets the person by name.
    let page = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let res = page
        .post(format!("{}/staff/login", s.base))
        .form(&[("token", ana.as_str()), ("zone", "America/New_York")])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status().as_u16(), 303);
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .expect("cookie")
        .split(';')
        .next()
        .unwrap_or("")
        .to_owned();
    let html = page
        .get(format!("{}/staff", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Signed in as <strong>Ana (agent)</strong>"), "{html}");
    let html = page
        .get(format!("{}/staff/schedule", s.base))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Slow week"), "the Schedule view lists the notice");
}

fn hup(server: &Server) {
    let status = Command::new("kill").args(["-HUP", &server.child.id().to_string()]).status().expect("kill -HUP");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_rereads_the_config_file_and_refuses_one_with_problems() {
    let dir = temp_dir("sighup");
    let file = dir.join("acme.json");
    std::fs::write(&file, replyby_core::DEMO_CONFIG).expect("write");
    let db = dir.join("q.db");
    let s = start(db.to_str().expect("path"), WEDNESDAY, &["--config", file.to_str().expect("path")]);
    // Schedule changes layer on a file-pinned config too.
    let (code, v) =
        add_change(&s.base, BOOTSTRAP, &json!({ "team": "nyc", "name": "Offsite", "date": "2027-03-10" })).await;
    assert_eq!(code, 201, "{v}");
    let mut edited: Value = serde_json::from_str(replyby_core::DEMO_CONFIG).expect("demo");
    edited["company"] = json!("Acme Rebranded");
    std::fs::write(&file, edited.to_string()).expect("write");
    hup(&s);
    within(Duration::from_secs(5), || async { public_config(&s.base).await.0["company"] == "Acme Rebranded" }).await;
    assert_eq!(public_config(&s.base).await.0["changes"][0]["name"], "Offsite");
    // A file with a problem is refused: the running config stays.
    edited["company"] = json!("Broken");
    edited["teams"][0]["timezone"] = json!("America/New_Yrok");
    std::fs::write(&file, edited.to_string()).expect("write");
    hup(&s);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(public_config(&s.base).await.0["company"], "Acme Rebranded");
}
