-- 002: what the scheduler and the template matcher query often.
CREATE INDEX recordings_due ON recordings (status, next_retry_at);
CREATE INDEX recordings_lease ON recordings (lease_until);
ALTER TABLE templates ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE recordings ADD COLUMN published_at INTEGER;
ALTER TABLE recordings ADD COLUMN retry_status TEXT;   -- where 'zpub retry' sends a FAILED recording
