#!/usr/bin/env bash
# Tools the widget's build and browser tests need, from the package registries only.
# Idempotent: each step is skipped when the tool already answers with the right version.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add wasm32-unknown-unknown
# The release widget rebuilds std for size (scripts/build-widget.sh), which needs its source.
rustup component add rust-src

# Trunk is optional (scripts/build-widget.sh runs its steps directly); install it with
#   cargo install trunk --version '^0.21' --locked     for `trunk serve` during development.

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly. Its own lock
# file pins a crate version the registry lacks, hence no --locked.
WB=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB\$"; then
  cargo install wasm-bindgen-cli --version "=$WB"
fi

# wasm-opt (binaryen 132), esbuild, playwright-core and axe-core, into ./node_modules.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/axe-core ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

./scripts/install-browser.sh
