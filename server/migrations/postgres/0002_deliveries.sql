-- The delivery outbox: every webhook event, team e-mail and customer receipt is a row,
-- written in the same transaction as the request (or the ack) it belongs to.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL REFERENCES requests (id),
  kind TEXT NOT NULL,               -- webhook | team_email | receipt
  target TEXT NOT NULL,             -- the webhook URL, or the e-mail address (lowercase)
  event TEXT,                       -- request.received | request.released | request.acknowledged
  state TEXT NOT NULL,              -- pending | delivered | dead
  due_at BIGINT NOT NULL,           -- Unix seconds
  attempts BIGINT NOT NULL DEFAULT 0,
  lease_until BIGINT,               -- set while one instance's worker is sending it
  leased_by TEXT,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT
);
-- What the workers claim (FOR UPDATE SKIP LOCKED): pending deliveries by due time.
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE state = 'pending';
CREATE INDEX deliveries_request ON deliveries (request_id);
CREATE INDEX deliveries_created ON deliveries (created_at DESC, id);

-- Webhook endpoints that answered 410 Gone: nothing more is sent to them until staff retry.
CREATE TABLE disabled_endpoints (
  url TEXT PRIMARY KEY,
  disabled_at BIGINT NOT NULL,
  reason TEXT NOT NULL
);

-- The last receipt scheduled for each address: at most one per address per window, decided
-- atomically across instances by INSERT … ON CONFLICT DO UPDATE … WHERE on this row.
CREATE TABLE receipts_sent (
  address TEXT PRIMARY KEY,         -- lowercase
  sent_at BIGINT NOT NULL
);
