#!/usr/bin/env bash
# Builds the widget into dist/ — the steps `trunk build --release` runs, without needing
# Trunk itself (a 10-minute install): cargo → wasm-bindgen --target web → wasm-opt -Oz,
# then embed.js, the demo page and the example config beside them. Also builds the timing
# floor (target/floor/). `trunk serve` with Trunk.toml gives the same output for development.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
OPT=(-Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue)

cargo build -p replyby-widget --lib --release --target wasm32-unknown-unknown --locked -q
rm -rf dist && mkdir -p dist
wasm-bindgen --target web --no-typescript --out-dir dist --out-name replyby-widget \
  target/wasm32-unknown-unknown/release/replyby_widget.wasm
wasm-opt "${OPT[@]}" dist/replyby-widget_bg.wasm -o dist/replyby-widget_bg.wasm
cp embed.js dist/ && cp examples/acme.json dist/
# The demo page, without Trunk's directives (embed.js loads the module itself).
grep -v 'data-trunk' index.html > dist/index.html

cargo build -p replyby-floor --release --target wasm32-unknown-unknown --locked -q
wasm-bindgen --target web --no-typescript --out-dir target/floor target/wasm32-unknown-unknown/release/replyby_floor.wasm
wasm-opt "${OPT[@]}" target/floor/replyby_floor_bg.wasm -o target/floor/replyby_floor_bg.wasm
echo "dist/: $(du -sh dist | cut -f1)"
