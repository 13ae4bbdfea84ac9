-- 015 (PostgreSQL): as ../015_stop.sql.
ALTER TABLE recordings ADD COLUMN stop_by TEXT COLLATE "C";
ALTER TABLE recordings ADD COLUMN stop_at BIGINT;
