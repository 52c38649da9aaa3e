//! Load: durable `POST /v1/requests` per second and latency, against the real binary on
//! loopback with a real SQLite file (WAL, synchronous=FULL).
//! `cargo bench -p replyby --bench load [-- REQUESTS CONCURRENCY]`

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let total: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let concurrency: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(64);
    let dir = std::env::temp_dir().join(format!("replyby-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["serve", "--listen", "127.0.0.1:0", "--rate-limit", "0", "--static-dir", "/nonexistent", "--db"])
        .arg(dir.join("load.db"))
        .env("REPLYBY_STAFF_TOKEN", "load")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("listening");
    let base = line.trim().rsplit(' ').next().expect("url").to_owned();

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (elapsed, mut latencies, failures) = rt.block_on(async move {
        let client = reqwest::Client::new();
        let start = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..concurrency {
            let (client, base) = (client.clone(), base.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut failures = 0;
                for i in (w..total).step_by(concurrency) {
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
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Duration::ZERO)
    };
    println!("| requests | concurrency | durable 201/s | p50 | p99 | max | failures |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {} | {concurrency} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {failures} |",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
}
