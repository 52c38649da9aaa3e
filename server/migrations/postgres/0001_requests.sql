-- The deferred queue's requests. Times are Unix seconds, as in the SQLite store, so both
-- stores answer with the same values.
CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  body_hash TEXT NOT NULL,          -- SHA-256 of the canonical body: a replay or a reused key
  plan TEXT NOT NULL,
  email TEXT NOT NULL,
  name TEXT,
  subject TEXT,
  message TEXT NOT NULL,
  time_zone TEXT,
  locale TEXT,
  received_at BIGINT NOT NULL,
  release_at BIGINT NOT NULL,
  respond_by BIGINT NOT NULL,
  acked_at BIGINT,
  spam TEXT                         -- why a bot check tripped; such requests are never released on their own
);
-- The staff queue: unacknowledged requests, earliest respond_by first.
CREATE INDEX requests_open ON requests (respond_by, received_at) WHERE acked_at IS NULL;
