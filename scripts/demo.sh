#!/usr/bin/env bash
# The README's demo command: builds the widget and serves the demo page (all three views on
# the built-in config, with the snippet to copy) on http://127.0.0.1:8080, after showing the
# command line on the same config.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-web-tools.sh
./scripts/build-widget.sh
cargo build -p replyby --release --locked -q
bin=target/release/replyby
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run() { printf '\n$ replyby %s\n' "$*"; "$bin" "$@"; }
run check examples/acme.json
run status examples/acme.json --coverage business --at "$now"
run quote examples/acme.json --plan basic --at "$now"
printf '\nDemo page: http://127.0.0.1:8080/  (Ctrl-C to stop)\n'
exec python3 -m http.server 8080 --bind 127.0.0.1 --directory dist
