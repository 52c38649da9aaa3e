//! Load: durable `POST /v1/requests` per second and latency, against the real binary on
//! loopback: by default one instance on a real SQLite file (WAL, synchronous=FULL); with
//! `--db postgres://…` (a superuser URL: the bench makes a fresh database there and drops it
//! after) instances on PostgreSQL, `--instances N` of them sharing it, requests alternating.
//! `cargo bench -p replyby --bench load [-- REQUESTS CONCURRENCY] [--db URL] [--instances N]`
//! (or `REPLYBY_BENCH_DB`, `REPLYBY_BENCH_INSTANCES`).

#[path = "../tests/support/pg_url.rs"]
mod pg_url;
use pg_url::with_database;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The value after `--name`, else the environment variable.
fn option(args: &[String], name: &str, var: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| std::env::var(var).ok().filter(|v| !v.is_empty()))
}

fn start(db: &str) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_replyby"));
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--rate-limit", "0", "--static-dir", "/nonexistent", "--db", db]);
    // Deliveries on: REPLYBY_BENCH_SETTINGS names a settings file (a slow webhook receiver, say).
    if let Ok(settings) = std::env::var("REPLYBY_BENCH_SETTINGS") {
        cmd.args(["--settings", &settings]);
    }
    let mut child = cmd
        .env("REPLYBY_STAFF_TOKEN", "load")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("listening");
    let base = line.trim().rsplit(' ').next().expect("url").to_owned();
    assert!(base.starts_with("http://"), "the server did not start: {line:?}");
    (child, base)
}

fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut skip = false;
    for a in &all {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a == "--db" || a == "--instances" {
            skip = true;
        } else if !a.starts_with('-') {
            positional.push(a.clone());
        }
    }
    let total: usize = positional.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let concurrency: usize = positional.get(1).and_then(|a| a.parse().ok()).unwrap_or(64);
    let postgres = option(&all, "--db", "REPLYBY_BENCH_DB");
    let instances: usize =
        option(&all, "--instances", "REPLYBY_BENCH_INSTANCES").and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");

    let dir = std::env::temp_dir().join(format!("replyby-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bench_db = format!("replyby_bench_{}", std::process::id());
    let admin = postgres.as_ref().map(|url| {
        rt.block_on(async {
            // The URL's query is for replyby (pool_size, sslmode…); this connection needs none of it.
            let server = url.split('?').next().unwrap_or(url);
            let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls).await.expect("connect");
            tokio::spawn(connection);
            client.batch_execute(&format!("CREATE DATABASE {bench_db}")).await.expect("create database");
            client
        })
    });
    let db = match &postgres {
        Some(url) => with_database(url, &bench_db),
        None => {
            assert_eq!(instances, 1, "several instances need --db postgres://…");
            dir.join("load.db").to_str().expect("path").to_owned()
        }
    };
    let mut servers: Vec<(Child, String)> = Vec::new();
    for _ in 0..instances {
        servers.push(start(&db));
    }
    let bases: Vec<String> = servers.iter().map(|(_, b)| b.clone()).collect();

    let (elapsed, mut latencies, failures) = rt.block_on(async move {
        let client = reqwest::Client::new();
        let start = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..concurrency {
            let (client, bases) = (client.clone(), bases.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut failures = 0;
                for i in (w..total).step_by(concurrency) {
                    let base = &bases[i % bases.len()];
                    let t = Instant::now();
                    let res = client
                        .post(format!("{base}/v1/requests"))
                        .header("Idempotency-Key", format!("load-{i}"))
                        .json(&serde_json::json!({ "plan": "basic", "email": "load@example.com", "subject": "load", "message": format!("request {i}") }))
                        .send()
                        .await;
                    match res {
                        Ok(r) if r.status().as_u16() == 201 => lat.push(t.elapsed()),
                        _ => failures += 1,
                    }
                }
                (lat, failures)
            }));
        }
        let mut all = Vec::new();
        let mut failures = 0;
        for t in tasks {
            let (lat, f) = t.await.expect("task");
            all.extend(lat);
            failures += f;
        }
        (start.elapsed(), all, failures)
    });
    for (mut child, _) in servers {
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Some(client) = admin {
        rt.block_on(async {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {bench_db} WITH (FORCE)")).await;
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Duration::ZERO)
    };
    let store = if postgres.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("| store | instances | requests | concurrency | durable 201/s | p50 | p99 | max | failures |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {store} | {instances} | {} | {concurrency} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {failures} |",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
}
