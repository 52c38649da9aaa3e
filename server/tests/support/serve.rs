//! `replyby serve` as the tests start it: the built binary on a free loopback port, its logs at
//! `warn` and off the terminal, killed when dropped. Each test file adds the flags it needs
//! (`--db`, `--test-clock`, `--static-dir` …) and the staff token.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running server and its base URL (`http://127.0.0.1:PORT`).
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `replyby serve --listen 127.0.0.1:0 ARGS…` with `REPLYBY_STAFF_TOKEN=token`, once it says
/// where it listens.
pub fn serve(args: &[&str], token: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_replyby"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env("REPLYBY_STAFF_TOKEN", token)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start replyby serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("listening line");
    let base = line.trim().rsplit(' ').next().unwrap_or("").to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "replyby serve did not start: {line:?}");
    Server { child, base }
}
