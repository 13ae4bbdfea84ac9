-- 002 (PostgreSQL): as ../002_scheduling.sql.
CREATE INDEX recordings_due ON recordings (status, next_retry_at);
CREATE INDEX recordings_lease ON recordings (lease_until);
ALTER TABLE templates ADD COLUMN enabled BIGINT NOT NULL DEFAULT 1;
ALTER TABLE recordings ADD COLUMN published_at BIGINT;
ALTER TABLE recordings ADD COLUMN retry_status TEXT COLLATE "C";   -- where 'zpub retry' sends a FAILED recording
