#!/usr/bin/env python3
"""A webhook receiver for the demo and the tests: checks every Standard Webhooks signature
with the independent `standardwebhooks` package (PyPI), processes each webhook-id once, and
answers as scripted per path.

  webhook-receiver.py --port 9099 --secret whsec_... [--log events.jsonl]
                      [--script /flaky=500,200] [--script /gone=410] [--script /later=429:120,200]
                      [--script /slow=sleep:60] [--clock-start 2027-03-05T22:30:00Z]

A script is the answers to successive deliveries on that path; after the last one, 200.
`429:120` answers 429 with `Retry-After: 120`; `sleep:N` holds the connection N seconds.
`--clock-start`: the sender's clock is a test clock that started at this instant when this
receiver started; signature timestamps are checked against it with the usual 5-minute
tolerance (the package checks against the wall clock otherwise).
"""
import argparse
import json
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--log")
    p.add_argument("--script", action="append", default=[])
    p.add_argument("--clock-start")
    a = p.parse_args()

    scripts = {}
    for s in a.script:
        path, _, answers = s.partition("=")
        scripts[path] = answers.split(",")
    started = time.monotonic()
    clock_start = datetime.fromisoformat(a.clock_start.replace("Z", "+00:00")) if a.clock_start else None

    class PinnedWebhook(Webhook):
        # The package's own timestamp check, against the test clock when there is one.
        def _Webhook__verify_timestamp(self, header):
            now = clock_start + timedelta(seconds=time.monotonic() - started) if clock_start else datetime.now(timezone.utc)
            ts = datetime.fromtimestamp(float(header), tz=timezone.utc)
            if abs(ts - now) > timedelta(minutes=5):
                raise WebhookVerificationError(f"Message timestamp {ts} is more than 5 minutes from {now}")
            return ts

    hook = PinnedWebhook(a.secret)
    lock = threading.Lock()
    processed = set()
    counts = {}

    def log(entry):
        line = json.dumps(entry, sort_keys=True)
        with lock:
            if a.log:
                with open(a.log, "a") as f:
                    f.write(line + "\n")
        print(f"webhook receiver: {line}", flush=True)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                n = counts.get(self.path, 0)
                counts[self.path] = n + 1
            script = scripts.get(self.path, [])
            answer = script[n] if n < len(script) else "200"
            entry = {"path": self.path, "attempt": n + 1, "webhook_id": self.headers.get("webhook-id"),
                     "answer": answer, "t": time.monotonic() - started,
                     "sent_at": self.headers.get("webhook-timestamp")}
            try:
                event = hook.verify(body, dict(self.headers.items()))
                entry.update(verified=True, type=event["type"], request=event["data"]["id"],
                             timestamp=event["timestamp"], state=event["data"]["state"])
            except Exception as e:  # a bad signature is an answer too: 401
                entry.update(verified=False, error=str(e))
                log(entry)
                self.send_response(401)
                self.end_headers()
                return
            if answer.startswith("sleep:"):
                log(entry)
                time.sleep(float(answer.split(":")[1]))
                answer = "200"
            code, _, retry_after = answer.partition(":")
            code = int(code)
            if 200 <= code < 300:
                with lock:
                    first = entry["webhook_id"] not in processed
                    processed.add(entry["webhook_id"])
                entry["processed"] = first  # a repeat of a processed id is acknowledged, not processed again
            log(entry)
            self.send_response(code)
            if retry_after:
                self.send_header("Retry-After", retry_after)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print(f"webhook receiver: listening on http://127.0.0.1:{a.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
