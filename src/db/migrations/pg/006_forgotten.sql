-- 006 (PostgreSQL): as ../006_forgotten.sql.  SQLite's WITHOUT ROWID has no
-- counterpart and needs none: a PostgreSQL table never has a row id column.
CREATE TABLE forgotten_refs (
  tenant_id   BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  source      TEXT COLLATE "C" NOT NULL,
  source_ref  TEXT COLLATE "C" NOT NULL,
  title       TEXT COLLATE "C" NOT NULL,              -- what it was called, for people reading the table
  deleted_at  BIGINT NOT NULL,            -- epoch ms
  PRIMARY KEY (tenant_id, source, source_ref)
);
