#!/usr/bin/env bash
# The README's demo command. Builds the widget and `replyby`, then runs, side by side:
#   - replyby serve on http://127.0.0.1:8080 (demo page, queue API, staff page at /staff)
#     with the built-in config, a SQLite file (replyby-demo.db) and examples/demo-settings.toml;
#   - a real SMTP server on 127.0.0.1:2525 that keeps every e-mail in demo-mail/new/ and
#     prints each one as it arrives (scripts/dev/smtp-sink.py);
#   - a webhook receiver on 127.0.0.1:9099 that checks every signature with the independent
#     standardwebhooks package and prints each event (scripts/dev/webhook-receiver.py).
#
# By default both the server and the demo page stand at Tuesday 2027-03-09 08:58 in New York,
# two minutes before the New York team opens, and run on from there: write a request in the
# panel (Basic plan) and you see the receipt e-mail at once, then the team e-mail and the
# request.released webhook when the team opens. `./scripts/demo.sh --now` uses the real clock.
set -euo pipefail
cd "$(dirname "$0")/.."
AT="2027-03-09T13:58:00Z"
[ "${1:-}" = "--now" ] && AT=""

./scripts/install-web-tools.sh
./scripts/install-python-tools.sh
./scripts/build-widget.sh
# A debug build: only debug builds accept the pinned demo clock (--test-clock).
cargo build -p replyby --locked -q
if [ -n "$AT" ]; then
  sed -i "s|<script type=\"module\" src=\"embed.js\"|<script type=\"module\" src=\"embed.js\" data-now=\"$AT\"|" dist/index.html
fi

export REPLYBY_STAFF_TOKEN="${REPLYBY_STAFF_TOKEN:-demo-staff-token}"
export REPLYBY_WEBHOOK_SECRET="whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5"
rm -rf demo-mail
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
python3 scripts/dev/smtp-sink.py --port 2525 --maildir demo-mail & pids+=($!)
python3 scripts/dev/webhook-receiver.py --port 9099 --secret "$REPLYBY_WEBHOOK_SECRET" --log demo-webhooks.jsonl \
  ${AT:+--clock-start "$AT"} & pids+=($!)
sleep 1

cat <<EOT

replyby demo on http://127.0.0.1:8080/ ${AT:+(clock pinned: $AT, two minutes before New York opens, and running on)}
  staff page:   http://127.0.0.1:8080/staff   (token: $REPLYBY_STAFF_TOKEN)
  studio:       http://127.0.0.1:8080/studio  (sign in with the same token, an admin's): edit the config,
                see the preview for any visitor zone, Publish — the demo page's widgets show it
  staff queue:  REPLYBY_STAFF_TOKEN=$REPLYBY_STAFF_TOKEN target/debug/replyby queue list --include-deferred
  deliveries:   REPLYBY_STAFF_TOKEN=$REPLYBY_STAFF_TOKEN target/debug/replyby deliveries list
  calendar:     http://127.0.0.1:8080/v1/closed-days.ics?coverage=business
  schedule:     http://127.0.0.1:8080/staff/schedule — New York is closed Wednesday 17 March for an offsite
                (its note shows in the panel's closed days); add your own closure there
  your token:   target/debug/replyby staff add "Your Name" --role agent --db replyby-demo.db
  e-mails land in demo-mail/new/ and are printed below as "mail: …"; webhooks as "webhook receiver: …".
Ctrl-C stops it all.
EOT
target/debug/replyby serve --db replyby-demo.db --static-dir dist --listen 127.0.0.1:8080 \
  --settings examples/demo-settings.toml ${AT:+--test-clock "$AT"} & pids+=($!)
# The demo's own schedule change, made the way staff make one (once per demo database).
for _ in $(seq 50); do curl -fs http://127.0.0.1:8080/healthz >/dev/null 2>&1 && break; sleep 0.2; done
if ! target/debug/replyby schedule list | grep -q '"Company offsite"'; then
  target/debug/replyby schedule add --team nyc --name "Company offsite" --date 2027-03-17 \
    --note "Closed for our team offsite" >/dev/null && echo "demo: New York closed on 2027-03-17 (Company offsite)"
fi
wait "${pids[-1]}"
