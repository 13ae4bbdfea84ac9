-- 009 (PostgreSQL): as ../009_update.sql.
ALTER TABLE recordings ADD COLUMN update_pending BIGINT NOT NULL DEFAULT 0;
CREATE INDEX recordings_update_pending ON recordings(update_pending) WHERE update_pending = 1;
