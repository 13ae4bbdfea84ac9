-- 005: orders the terminal app's recordings browser pages through, so a
-- page of 100,000 recordings sorted by title, duration or status (with or
-- without a status filter) reads the index instead of sorting the table.
CREATE INDEX IF NOT EXISTS recordings_ui_title ON recordings (tenant_id, title);
CREATE INDEX IF NOT EXISTS recordings_ui_duration ON recordings (tenant_id, duration_ms);
CREATE INDEX IF NOT EXISTS recordings_ui_status_started ON recordings (tenant_id, status, started_at);
