//! The hand-off against the real thing: the `replyby` binary with `--settings`, a real SMTP
//! server (aiosmtpd, Maildir), a real webhook receiver that checks every signature with the
//! independent `standardwebhooks` package (scripts/dev/webhook-receiver.py), a real SQLite
//! file. Every server stands at a pinned instant (`--test-clock`); nothing reads the time of day.
//!
//! Needs `python3` with the packages in scripts/requirements-handoff.txt
//! (scripts/install-python-tools.sh installs them).

use mail_parser::MimeHeaders;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "handoff-staff";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("replyby-handoff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// Waits until `cond` holds, up to `secs` seconds (a condition, not a guessed delay).
async fn until<T>(secs: u64, what: &str, mut cond: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = cond().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out after {secs} s waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A real SMTP server keeping messages in `dir/new/`.
fn smtp(dir: &Path) -> (Proc, u16) {
    let port = free_port();
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m aiosmtpd (scripts/install-python-tools.sh installs it)");
    wait_for_port(port);
    (Proc(child), port)
}

/// The Standard Webhooks receiver, with per-path scripted answers; its log is JSON lines.
fn receiver(log: &Path, clock: &str, scripts: &[&str]) -> (Proc, u16) {
    let port = free_port();
    let mut cmd = Command::new("python3");
    cmd.arg(root().join("scripts/dev/webhook-receiver.py"))
        .args(["--port", &port.to_string(), "--secret", SECRET, "--clock-start", clock])
        .arg("--log")
        .arg(log);
    for s in scripts {
        cmd.args(["--script", s]);
    }
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("webhook receiver");
    wait_for_port(port);
    (Proc(child), port)
}

fn events(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

struct Server {
    proc: Proc,
    base: String,
}

fn serve(db: &Path, settings: &Path, clock: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["serve", "--listen", "127.0.0.1:0", "--static-dir", "/nonexistent", "--rate-limit", "0"])
        .arg("--db")
        .arg(db)
        .arg("--settings")
        .arg(settings)
        .args(["--test-clock", clock])
        .env("REPLYBY_STAFF_TOKEN", TOKEN)
        .env("REPLYBY_TEST_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("replyby serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("listening line");
    let base = line.trim().rsplit(' ').next().expect("url").to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    Server { proc: Proc(child), base }
}

fn settings(dir: &Path, smtp_port: u16, hooks: &[(String, &str)]) -> PathBuf {
    let mut text = format!(
        "[team]\nemail = \"support@acme.example\"\nfrom = \"Acme Support <support@acme.example>\"\n\n\
         [smtp]\nurl = \"smtp://127.0.0.1:{smtp_port}\"\n\n[receipts]\nenabled = true\n"
    );
    for (url, events) in hooks {
        text.push_str(&format!(
            "\n[[webhooks]]\nurl = \"{url}\"\nsecret = \"env:REPLYBY_TEST_WEBHOOK_SECRET\"\nevents = {events}\nallow_private = true\n"
        ));
    }
    let path = dir.join("settings.toml");
    std::fs::write(&path, text).expect("settings");
    path
}

async fn post(base: &str, key: &str, body: &Value) -> (u16, Value, Duration) {
    let started = Instant::now();
    let res = reqwest::Client::new()
        .post(format!("{base}/v1/requests"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("send");
    let code = res.status().as_u16();
    (code, res.json().await.unwrap_or(Value::Null), started.elapsed())
}

async fn deliveries(base: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}/v1/deliveries"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

/// Every message in a Maildir, parsed by a real MIME parser.
fn mails(dir: &Path) -> Vec<Vec<u8>> {
    let mut out: Vec<(std::time::SystemTime, Vec<u8>)> = std::fs::read_dir(dir.join("new"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, std::fs::read(e.path()).ok()?)))
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|m| m.0);
    out.into_iter().map(|m| m.1).collect()
}

fn rfc3339(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s).expect("RFC 3339").to_utc()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_night_request_gets_its_receipt_at_once_and_reaches_the_team_when_it_opens() {
    // Tuesday 2027-03-09 08:59:30 in New York: Basic (New York business hours) opens in 30 s.
    let clock = "2027-03-09T13:59:30Z";
    let dir = temp_dir("night");
    let maildir = dir.join("mail");
    let (_smtp, smtp_port) = smtp(&maildir);
    let log = dir.join("hooks.jsonl");
    let (_hooks, hook_port) = receiver(&log, clock, &[]);
    let hooks = [(
        format!("http://127.0.0.1:{hook_port}/all"),
        r#"["request.received", "request.released", "request.acknowledged"]"#,
    )];
    let s = serve(&dir.join("q.db"), &settings(&dir, smtp_port, &hooks), clock);
    let body = json!({ "plan": "basic", "email": "ana@example.com.br", "name": "Ana Souza", "subject": "Roteador",
                       "message": "O roteador pisca vermelho.", "time_zone": "America/Sao_Paulo", "locale": "pt-BR" });
    let (code, created, _) = post(&s.base, "night-1", &body).await;
    assert_eq!(code, 201, "{created}");
    assert_eq!(
        (created["state"].as_str(), created["release_at"].as_str()),
        (Some("deferred"), Some("2027-03-09T14:00:00Z"))
    );
    let id = created["id"].as_str().expect("id").to_owned();
    let release_at = rfc3339("2027-03-09T14:00:00Z");

    // At once: the receipt (and request.received), and nothing for the team yet.
    let receipt = until(15, "the receipt", async || mails(&maildir).into_iter().next()).await;
    let parsed = mail_parser::MessageParser::default().parse(&receipt).expect("MIME");
    assert_eq!(parsed.to().and_then(|a| a.first()).and_then(|a| a.address()), Some("ana@example.com.br"));
    assert_eq!(parsed.from().and_then(|a| a.first()).and_then(|a| a.address()), Some("support@acme.example"));
    let date = parsed.date().expect("Date").to_timestamp();
    assert!(date < release_at.timestamp(), "the receipt went out at {date}, not at once");
    let ics =
        parsed.attachments().find(|a| a.attachment_name() == Some("reply-by.ics")).expect("a reply-by.ics attachment");
    let ctype = ics.content_type().expect("content type");
    assert_eq!((ctype.ctype(), ctype.subtype()), ("text", Some("calendar")));
    assert_eq!(ctype.attribute("method"), Some("PUBLISH"));
    let calendar = String::from_utf8(ics.contents().to_vec()).expect("UTF-8");
    let event = check_calendar(&calendar);
    assert_eq!(event.0, rfc3339(created["respond_by"].as_str().expect("respond_by")));
    assert!(event.1.contains(&id), "UID {} is not stable per request", event.1);
    let text = parsed.body_text(0).expect("text body").to_string();
    // In the customer's language, and quoting nothing the sender typed (the API is public: a
    // receipt must not carry someone's words to a stranger).
    assert!(text.contains("Olá") && text.contains("março de 2027"), "{text}");
    for typed in ["Ana", "Roteador", "pisca"] {
        assert!(!text.contains(typed), "the receipt quotes \"{typed}\":\n{text}");
    }

    let received = until(15, "request.received", async || {
        events(&log).into_iter().find(|e| e["type"] == "request.received" && e["request"] == id.as_str())
    })
    .await;
    assert_eq!(received["verified"], true, "{received}");

    // Not before release_at: everything the team gets carries a send time at or after it.
    let team = until(60, "the team e-mail", async || {
        mails(&maildir).into_iter().find(|m| {
            mail_parser::MessageParser::default()
                .parse(m)
                .and_then(|p| {
                    p.to().and_then(|a| a.first()).and_then(|a| a.address()).map(|a| a == "support@acme.example")
                })
                .unwrap_or(false)
        })
    })
    .await;
    let team = mail_parser::MessageParser::default().parse(&team).expect("MIME");
    assert!(
        team.date().expect("Date").to_timestamp() >= release_at.timestamp(),
        "the team e-mail went out before release"
    );
    assert_eq!(team.reply_to().and_then(|a| a.first()).and_then(|a| a.address()), Some("ana@example.com.br"));
    let team_text = team.body_text(0).expect("text").to_string();
    assert!(team_text.contains("O roteador pisca vermelho."), "{team_text}");
    assert!(team_text.contains("basic") || team_text.contains("Basic"), "{team_text}");

    let released = until(30, "request.released", async || {
        events(&log).into_iter().find(|e| e["type"] == "request.released" && e["request"] == id.as_str())
    })
    .await;
    assert_eq!(released["verified"], true);
    // The event is timestamped when it happened, and sent (webhook-timestamp) no earlier.
    assert_eq!(rfc3339(released["timestamp"].as_str().expect("timestamp")), release_at, "{released}");
    let sent: i64 = released["sent_at"].as_str().and_then(|s| s.parse().ok()).expect("webhook-timestamp");
    assert!(sent >= release_at.timestamp(), "request.released sent at {sent}, before release");
    assert_eq!(released["state"], "open");

    // Staff ack it: request.acknowledged.
    let res = reqwest::Client::new()
        .post(format!("{}/v1/queue/{id}/ack", s.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("ack");
    assert_eq!(res.status().as_u16(), 204);
    until(30, "request.acknowledged", async || {
        events(&log).into_iter().find(|e| e["type"] == "request.acknowledged" && e["request"] == id.as_str())
    })
    .await;
    // One receipt, one team e-mail; every delivery delivered.
    assert_eq!(mails(&maildir).len(), 2);
    let d = deliveries(&s.base).await;
    let states: Vec<&str> =
        d["deliveries"].as_array().expect("list").iter().filter_map(|x| x["state"].as_str()).collect();
    assert_eq!(states.len(), 5, "{d}");
    assert!(states.iter().all(|s| *s == "delivered"), "{d}");
}

/// The one VEVENT's start and UID, checked against RFC 5545 with a real parser.
fn check_calendar(text: &str) -> (chrono::DateTime<chrono::Utc>, String) {
    assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'), "lines end in CRLF");
    assert!(text.split("\r\n").all(|l| l.len() <= 75), "lines are folded at 75 octets");
    let reader = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let cals: Vec<_> = reader.collect::<Result<Vec<_>, _>>().expect("a valid iCalendar file");
    assert_eq!(cals.len(), 1);
    let cal = &cals[0];
    let prop = |props: &[ical::property::Property], name: &str| {
        props.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap_or_default()
    };
    assert_eq!(prop(&cal.properties, "METHOD"), "PUBLISH");
    assert_eq!(cal.events.len(), 1);
    let e = &cal.events[0];
    assert!(!prop(&e.properties, "DTSTAMP").is_empty());
    let start = chrono::NaiveDateTime::parse_from_str(&prop(&e.properties, "DTSTART"), "%Y%m%dT%H%M%SZ")
        .expect("DTSTART in UTC")
        .and_utc();
    (start, prop(&e.properties, "UID"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_honour_retry_after_a_410_disables_and_a_silent_receiver_does_not_hold_up_intake() {
    let clock = "2027-03-03T15:00:00Z"; // any instant: Enterprise is 24/7, so released at once
    let dir = temp_dir("retries");
    let (_smtp, smtp_port) = smtp(&dir.join("mail"));
    let log = dir.join("hooks.jsonl");
    let (_hooks, port) = receiver(&log, clock, &["/flaky=500,200", "/later=429:8,200", "/gone=410", "/slow=sleep:40"]);
    let url = |p: &str| format!("http://127.0.0.1:{port}{p}");
    let received = r#"["request.received"]"#;
    let hooks =
        [(url("/flaky"), received), (url("/later"), received), (url("/gone"), received), (url("/slow"), received)];
    let s = serve(&dir.join("q.db"), &settings(&dir, smtp_port, &hooks), clock);
    let body =
        |n: usize| json!({ "plan": "enterprise", "email": format!("c{n}@example.com"), "message": format!("m{n}") });
    let (code, first, _) = post(&s.base, "r-0", &body(0)).await;
    assert_eq!(code, 201, "{first}");
    let id = first["id"].as_str().expect("id").to_owned();

    // While /slow holds its connection, intake answers as fast as ever.
    until(10, "the slow receiver to be called", async || events(&log).into_iter().find(|e| e["path"] == "/slow")).await;
    let mut worst = Duration::ZERO;
    for n in 1..=20 {
        let (code, _, took) = post(&s.base, &format!("r-{n}"), &body(n)).await;
        assert_eq!(code, 201);
        worst = worst.max(took);
    }
    assert!(worst < Duration::from_secs(2), "a POST took {worst:?} while a receiver hung");

    // 500 then 200: the same webhook-id twice, processed once.
    let flaky: Vec<Value> = until(30, "the flaky receiver's second attempt", async || {
        let e: Vec<Value> =
            events(&log).into_iter().filter(|e| e["path"] == "/flaky" && e["request"] == id.as_str()).collect();
        (e.len() >= 2).then_some(e)
    })
    .await;
    assert_eq!(flaky[0]["webhook_id"], flaky[1]["webhook_id"]);
    assert_eq!((flaky[0]["answer"].as_str(), flaky[1]["answer"].as_str()), (Some("500"), Some("200")));
    assert_eq!(flaky[1]["processed"], true);

    // 429 with Retry-After: 8 → the next attempt no sooner than 8 s later.
    let later: Vec<Value> = until(40, "the 429 receiver's second attempt", async || {
        let e: Vec<Value> =
            events(&log).into_iter().filter(|e| e["path"] == "/later" && e["request"] == id.as_str()).collect();
        (e.len() >= 2).then_some(e)
    })
    .await;
    let gap = later[1]["t"].as_f64().unwrap_or(0.0) - later[0]["t"].as_f64().unwrap_or(0.0);
    assert!(gap >= 7.5, "retried {gap:.1} s after a Retry-After of 8");
    assert_eq!(later[0]["webhook_id"], later[1]["webhook_id"]);

    // 410: that delivery is dead and the endpoint disabled; later events are not sent to it.
    let d = until(20, "the 410 to disable the endpoint", async || {
        let d = deliveries(&s.base).await;
        (!d["disabled_endpoints"].as_array().map(Vec::is_empty).unwrap_or(true)).then_some(d)
    })
    .await;
    assert_eq!(d["disabled_endpoints"][0]["url"], url("/gone"));
    let gone_calls = events(&log).into_iter().filter(|e| e["path"] == "/gone").count();
    assert_eq!(gone_calls, 1, "only the first delivery reached the gone endpoint");
    let dead: Vec<&Value> =
        d["deliveries"].as_array().expect("list").iter().filter(|x| x["target"] == url("/gone").as_str()).collect();
    assert!(dead.len() >= 2 && dead.iter().all(|x| x["state"] == "dead"), "{d}");

    // The silent receiver: the 10 s timeout fails the attempt, which waits for a retry.
    let slow = until(30, "the slow delivery's timeout", async || {
        let d = deliveries(&s.base).await;
        d["deliveries"]
            .as_array()
            .expect("list")
            .iter()
            .find(|x| {
                x["target"] == url("/slow").as_str() && x["request_id"] == id.as_str() && x["last_error"].is_string()
            })
            .cloned()
    })
    .await;
    assert_eq!(slow["state"], "pending", "{slow}");
    assert!(slow["last_error"].as_str().is_some_and(|e| e.to_lowercase().contains("time")), "{slow}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_between_commit_and_send_loses_no_delivery() {
    let clock = "2027-03-03T15:00:00Z";
    let dir = temp_dir("crash");
    let maildir = dir.join("mail");
    let (_smtp, smtp_port) = smtp(&maildir);
    let log = dir.join("hooks.jsonl");
    // The first attempt is held until the server is dead; every later one answers 200.
    let (_hooks, port) = receiver(&log, clock, &["/hold=sleep:20"]);
    let hooks = [(format!("http://127.0.0.1:{port}/hold"), r#"["request.received"]"#)];
    let settings = settings(&dir, smtp_port, &hooks);
    let db = dir.join("q.db");
    let started = Instant::now();
    let s = serve(&db, &settings, clock);
    let mut ids = Vec::new();
    for n in 0..5 {
        let (code, v, _) = post(
            &s.base,
            &format!("c-{n}"),
            &json!({ "plan": "enterprise", "email": format!("k{n}@example.com"), "message": "m" }),
        )
        .await;
        assert_eq!(code, 201);
        ids.push(v["id"].as_str().expect("id").to_owned());
    }
    // SIGKILL while the first webhook is mid-send (the receiver holds it).
    until(10, "a send in flight", async || events(&log).into_iter().next()).await;
    let pid = s.proc.0.id().to_string();
    assert!(Command::new("kill").args(["-9", &pid]).status().expect("kill").success());
    drop(s);
    // Restart on the same file, the clock running on from where it was.
    let resumed = rfc3339(clock) + chrono::TimeDelta::from_std(started.elapsed()).expect("elapsed");
    let s = serve(&db, &settings, &replyby_core::engine::rfc3339::format(&resumed));
    // Every request's webhook and receipt is delivered, the interrupted one after its lease.
    let d = until(90, "every delivery delivered after the restart", async || {
        let d = deliveries(&s.base).await;
        let all = d["deliveries"].as_array().cloned().unwrap_or_default();
        (all.len() == 15 && all.iter().all(|x| x["state"] == "delivered")).then_some(all)
    })
    .await;
    assert_eq!(d.len(), 15, "a webhook, a receipt and a team e-mail for each of the 5");
    let seen = events(&log);
    for id in &ids {
        let mine: Vec<&Value> = seen.iter().filter(|e| e["request"] == id.as_str()).collect();
        assert!(!mine.is_empty(), "no webhook for {id}");
        let webhook_ids: std::collections::HashSet<&str> =
            mine.iter().filter_map(|e| e["webhook_id"].as_str()).collect();
        assert_eq!(webhook_ids.len(), 1, "{id} was sent under two webhook-ids: {mine:?}");
        assert_eq!(mine.iter().filter(|e| e["processed"] == true).count(), 1, "{mine:?}");
    }
    assert!(seen.iter().any(|e| e["answer"] == "sleep:20"), "the kill did not interrupt a send");
    // At least once: a message the kill interrupted may arrive twice, always with its Message-ID.
    let ids: std::collections::HashSet<String> = mails(&maildir)
        .iter()
        .map(|m| {
            mail_parser::MessageParser::default()
                .parse(m)
                .and_then(|p| p.message_id().map(str::to_owned))
                .expect("Message-ID")
        })
        .collect();
    assert_eq!(ids.len(), 10, "one receipt and one team e-mail each, none lost");
}

#[test]
fn bad_settings_files_are_refused_with_every_problem_named() {
    let dir = temp_dir("bad");
    let path = dir.join("bad.toml");
    std::fs::write(
        &path,
        "[team]\nemail = \"support@\"\nfrom = \"Acme <support@acme.example>\"\n\n[smtp]\nurl = \"http://mail.example\"\n\
         password = \"env:REPLYBY_NOT_SET_ANYWHERE\"\n\n[[webhooks]]\nurl = \"https://hooks.example/x\"\n\
         secret = \"whsec_c2hvcnQ=\"\nevnts = [\"request.received\"]\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["serve", "--listen", "127.0.0.1:0", "--static-dir", "/nonexistent", "--settings"])
        .arg(&path)
        .arg("--db")
        .arg(dir.join("q.db"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "team.email",
        "smtp.url",
        "smtp.password",
        "REPLYBY_NOT_SET_ANYWHERE",
        "webhooks[0].secret",
        "webhooks[0].evnts",
    ] {
        assert!(err.contains(want), "{want} not named in:\n{err}");
    }
    assert!(!err.contains("c2hvcnQ"), "a secret leaked into an error message:\n{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).is_empty() || !String::from_utf8_lossy(&out.stdout).contains("listening")
    );
}
