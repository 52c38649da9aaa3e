-- Staff keep their own hours: the config's versions, schedule changes, staff members (only
-- their tokens' SHA-256), an audit trail, and one revision counter every instance polls.
CREATE TABLE config_versions (
  version BIGINT PRIMARY KEY,
  body TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE schedule_changes (
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  body TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE TABLE audit (
  seq BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n BIGINT NOT NULL,
  session_key TEXT NOT NULL
);
INSERT INTO revision (id, n, session_key) VALUES (1, 0, md5(random()::text) || md5(random()::text));
