#!/usr/bin/env bash
# Every test of the project: the README's test command, and what .ci/run calls.
# Installs what it needs: the wasm32 target, wasm-bindgen-cli (the Cargo.lock version),
# wasm-opt / playwright-core / axe-core from npm, and Debian's Chromium + ChromeDriver.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "tools"
./scripts/install-web-tools.sh

step "format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "native tests: core (scenarios, official calendars, property test vs reference), CLI, queue API + crash test"
cargo test --workspace --locked

step "the core builds for wasm32 with and without chrono-tz's table; benchmarks compile"
cargo build -p replyby-core --target wasm32-unknown-unknown --locked
cargo build -p replyby-core --target wasm32-unknown-unknown --no-default-features --locked
cargo bench -p replyby-core --no-run --locked

step "widget build"
./scripts/build-widget.sh

step "widget size budget for embed.js (the full report: node scripts/measure-widget.mjs)"
node -e '
  const { brotliCompressSync } = require("node:zlib"); const fs = require("node:fs");
  const n = brotliCompressSync(fs.readFileSync("dist/embed.js")).length;
  console.log(`embed.js: ${n} bytes brotli (budget 3072)`); if (n > 3072) process.exit(1);'

step "browser tests: wasm-bindgen-test in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver cargo test -p replyby-widget --target wasm32-unknown-unknown --test browser --locked

step "end-to-end: the embed on host pages, and the queue with the real server (Playwright, axe-core)"
cargo build -p replyby --locked
node --test tests/e2e/

echo
echo "all tests passed"
