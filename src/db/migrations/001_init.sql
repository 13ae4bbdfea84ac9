-- 001: the first schema.  Never edit a migration that has shipped: add a new
-- numbered file instead; the store applies missing ones in order on open.
CREATE TABLE tenants (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  config      TEXT NOT NULL DEFAULT '{}',
  quota_storage_bytes INTEGER,
  quota_minutes_month INTEGER,
  quota_concurrent    INTEGER,
  retention_days      INTEGER
);

CREATE TABLE users (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  role        TEXT NOT NULL CHECK (role IN ('owner','editor','viewer')),
  token_hash  TEXT,
  created_at  INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE recordings (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  source        TEXT NOT NULL,            -- 'local', 'zoom', 'watch'
  source_ref    TEXT NOT NULL,            -- file path, Zoom file id, ...
  title         TEXT NOT NULL,
  started_at    INTEGER,                  -- epoch ms, UTC
  duration_ms   INTEGER,
  status        TEXT NOT NULL,
  detail        TEXT,                     -- what is happening, or why it failed
  failed_stage  TEXT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  next_retry_at INTEGER,
  expires_at    INTEGER,
  lease_owner   TEXT,
  lease_until   INTEGER NOT NULL DEFAULT 0,
  progress      REAL,
  progress_what TEXT,
  progress_eta_ms INTEGER,
  config        TEXT NOT NULL DEFAULT '{}', -- per-recording override
  template_id   INTEGER REFERENCES templates(id) ON DELETE SET NULL,
  source_meta   TEXT NOT NULL DEFAULT '{}', -- what the source told us (Zoom file, probe)
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (tenant_id, source, source_ref)
);
CREATE INDEX recordings_status ON recordings (tenant_id, status);
CREATE INDEX recordings_started ON recordings (tenant_id, started_at);

CREATE TABLE stage_runs (
  id           INTEGER PRIMARY KEY,
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  stage        TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('running','done','failed','interrupted')),
  attempt      INTEGER NOT NULL,
  owner        TEXT,
  progress     REAL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  error        TEXT,
  summary      TEXT
);
CREATE INDEX stage_runs_rec ON stage_runs (recording_id);

CREATE TABLE artifacts (
  id           INTEGER PRIMARY KEY,
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL,
  path         TEXT NOT NULL,             -- relative to the data dir
  bytes        INTEGER NOT NULL,
  sha256       TEXT,
  extra        TEXT NOT NULL DEFAULT '{}',
  created_at   INTEGER NOT NULL
);
CREATE INDEX artifacts_rec ON artifacts (recording_id, kind);

CREATE TABLE topic_versions (
  id           INTEGER PRIMARY KEY,
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  version      INTEGER NOT NULL,
  json         TEXT NOT NULL,
  source       TEXT NOT NULL,             -- engine name or 'editor'
  approved_by  TEXT,
  approved_at  INTEGER,
  created_at   INTEGER NOT NULL,
  UNIQUE (recording_id, version)
);

CREATE TABLE templates (
  id               INTEGER PRIMARY KEY,
  tenant_id        INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  priority         INTEGER NOT NULL DEFAULT 0,
  matching_rules   TEXT NOT NULL DEFAULT '{}',
  processing_config TEXT NOT NULL DEFAULT '{}',
  metadata         TEXT NOT NULL DEFAULT '{}',
  output_targets   TEXT NOT NULL DEFAULT '{}',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE credentials (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,               -- 'transcription', 'oauth.youtube', ...
  ciphertext  BLOB NOT NULL,
  nonce       BLOB NOT NULL,
  expires_at  INTEGER,
  state       TEXT NOT NULL DEFAULT 'ok',  -- 'ok', 'reconnect'
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE publications (
  id           INTEGER PRIMARY KEY,
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  platform     TEXT NOT NULL,              -- 'youtube', 'vk', 'folder'
  target       TEXT NOT NULL DEFAULT '',   -- channel, group, folder
  state        TEXT NOT NULL DEFAULT 'pending',
  remote_id    TEXT,
  upload_url   TEXT,
  bytes_acked  INTEGER NOT NULL DEFAULT 0,
  bytes_total  INTEGER,
  url          TEXT,
  attempts     INTEGER NOT NULL DEFAULT 0,
  error        TEXT,
  next_retry_at INTEGER,
  extra        TEXT NOT NULL DEFAULT '{}',
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  UNIQUE (recording_id, platform, target)
);

CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  schedule    TEXT NOT NULL,
  config      TEXT NOT NULL DEFAULT '{}',
  dry_run     INTEGER NOT NULL DEFAULT 0,
  next_run_at INTEGER,
  last_run_at INTEGER,
  last_result TEXT,
  created_at  INTEGER NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE usage (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  recording_id INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
  kind        TEXT NOT NULL,               -- 'transcription_minutes', 'llm_tokens', ...
  provider    TEXT NOT NULL DEFAULT '',
  amount      REAL NOT NULL,
  cost        REAL NOT NULL DEFAULT 0,
  at          INTEGER NOT NULL
);
CREATE INDEX usage_tenant ON usage (tenant_id, at);

CREATE TABLE audit (
  id          INTEGER PRIMARY KEY,
  tenant_id   INTEGER,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  object      TEXT,
  origin      TEXT,
  at          INTEGER NOT NULL
);

-- The operations journal: every state change and stage event.
CREATE TABLE journal (
  id           INTEGER PRIMARY KEY,
  recording_id INTEGER REFERENCES recordings(id) ON DELETE CASCADE,
  at           INTEGER NOT NULL,
  level        TEXT NOT NULL,
  event        TEXT NOT NULL,
  message      TEXT NOT NULL
);
CREATE INDEX journal_rec ON journal (recording_id, at);

INSERT INTO tenants (name, created_at) VALUES ('default', CAST(strftime('%s','now') AS INTEGER) * 1000);
