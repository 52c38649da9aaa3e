#!/usr/bin/env bash
# The README's demo command: builds the widget and `replyby`, then runs `replyby serve` on
# http://127.0.0.1:8080 with the built-in config and a SQLite file (replyby-demo.db): the
# demo page (badge, panel with the request form, compare, and the snippet to copy), the
# queue API, the config and the closed-days feed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-web-tools.sh
./scripts/build-widget.sh
cargo build -p replyby --release --locked -q
export REPLYBY_STAFF_TOKEN="${REPLYBY_STAFF_TOKEN:-demo-staff-token}"
cat <<EOT

replyby demo on http://127.0.0.1:8080/
  staff queue:  REPLYBY_STAFF_TOKEN=$REPLYBY_STAFF_TOKEN target/release/replyby queue list --include-deferred
  calendar:     http://127.0.0.1:8080/v1/closed-days.ics?coverage=business
Ctrl-C stops it.
EOT
exec target/release/replyby serve --db replyby-demo.db --static-dir dist --listen 127.0.0.1:8080
