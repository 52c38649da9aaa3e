#!/usr/bin/env bash
# Builds the widget (dist/, with Trunk) and the timing floor (target/floor/).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
trunk build --release
cargo build -p replyby-floor --release --target wasm32-unknown-unknown --locked -q
wasm-bindgen --target web --out-dir target/floor target/wasm32-unknown-unknown/release/replyby_floor.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  target/floor/replyby_floor_bg.wasm -o target/floor/replyby_floor_bg.wasm
