-- The deferred queue's requests. IF NOT EXISTS: databases made before migrations were
-- recorded already have this table.
CREATE TABLE IF NOT EXISTS requests (
  id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  body_hash TEXT NOT NULL,
  plan TEXT NOT NULL,
  email TEXT NOT NULL,
  name TEXT,
  subject TEXT,
  message TEXT NOT NULL,
  time_zone TEXT,
  locale TEXT,
  received_at INTEGER NOT NULL,
  release_at INTEGER NOT NULL,
  respond_by INTEGER NOT NULL,
  acked_at INTEGER
);
CREATE INDEX IF NOT EXISTS requests_open ON requests(acked_at, release_at, respond_by);
