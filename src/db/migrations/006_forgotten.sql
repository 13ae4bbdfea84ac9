-- 006: recordings deleted here that came from a source a sync lists again
-- (Zoom, a watched folder).  Without this a deleted Zoom recording is new
-- to the next sync, which downloads and publishes it again.  Kept per
-- tenant: a deletion in one tenant never hides a recording in another.
-- `zpub sync zoom --include-deleted` removes the rows of what it re-creates.
CREATE TABLE forgotten_refs (
  tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  source      TEXT NOT NULL,
  source_ref  TEXT NOT NULL,
  title       TEXT NOT NULL,              -- what it was called, for people reading the table
  deleted_at  INTEGER NOT NULL,           -- epoch ms
  PRIMARY KEY (tenant_id, source, source_ref)
) WITHOUT ROWID;
