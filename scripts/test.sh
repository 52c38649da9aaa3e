#!/usr/bin/env bash
# Every test of the project: the README's test command, and what .ci/run calls.
# Installs what it needs (rustup target, Trunk, wasm-bindgen-cli, wasm-opt, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "toolchain"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown

step "format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "native tests (core, CLI)"
cargo test --workspace --locked

step "the core builds for wasm32, with and without chrono-tz's table"
cargo build -p replyby-core --target wasm32-unknown-unknown --locked
cargo build -p replyby-core --target wasm32-unknown-unknown --no-default-features --locked

step "benchmarks compile (run them with: cargo bench -p replyby-core)"
cargo bench -p replyby-core --no-run --locked

echo
echo "all tests passed"
