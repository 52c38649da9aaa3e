-- The delivery outbox: every webhook event, team e-mail and customer receipt is a row,
-- written in the same transaction as the request (or the ack) it belongs to.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL REFERENCES requests(id),
  kind TEXT NOT NULL,            -- webhook | team_email | receipt
  target TEXT NOT NULL,          -- the webhook URL, or the e-mail address
  event TEXT,                    -- request.received | request.released | request.acknowledged
  state TEXT NOT NULL,           -- pending | delivered | dead
  due_at INTEGER NOT NULL,       -- Unix seconds
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER,           -- set while one worker is sending it
  leased_by TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX deliveries_due ON deliveries(state, due_at);
CREATE INDEX deliveries_request ON deliveries(request_id);
CREATE INDEX deliveries_receipts ON deliveries(kind, target, created_at);
-- Webhook endpoints that answered 410 Gone: nothing more is sent to them until staff retry.
CREATE TABLE disabled_endpoints (
  url TEXT PRIMARY KEY,
  disabled_at INTEGER NOT NULL,
  reason TEXT NOT NULL
);
