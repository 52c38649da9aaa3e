-- Staff keep their own hours: the config's versions, schedule changes, staff members (only
-- their tokens' SHA-256), an audit trail, and one revision counter every instance polls.
CREATE TABLE config_versions (
  version INTEGER PRIMARY KEY,
  body TEXT NOT NULL,            -- the config as JSON, without schedule changes
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE schedule_changes (
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  body TEXT NOT NULL,            -- the change as JSON (core::changes::Change)
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE staff (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,            -- agent | admin
  token_sha256 TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,          -- request.ack | schedule.add | schedule.remove | config.put | staff.add | staff.remove
  subject TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE revision (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL,
  session_key TEXT NOT NULL
);
INSERT INTO revision (id, n, session_key) VALUES (1, 0, lower(hex(randomblob(32))));
