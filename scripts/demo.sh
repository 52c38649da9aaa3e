#!/usr/bin/env bash
# The README's demo command: replyby on the built-in example config.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p replyby --release --locked -q
bin=target/release/replyby
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run() { printf '\n$ replyby %s\n' "$*"; "$bin" "$@"; }
run check examples/acme.json
run status examples/acme.json --coverage business --at "$now"
for plan in basic pro global enterprise; do run quote examples/acme.json --plan "$plan" --at "$now"; done
run closed-days examples/acme.json --coverage extended --from "$(date -u +%Y-%m-%d)" --to "$(date -u -d '+60 days' +%Y-%m-%d)"
