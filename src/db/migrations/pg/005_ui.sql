-- 005 (PostgreSQL): as ../005_ui.sql.  Text orders byte-wise in both (SQLite's
-- BINARY collation; the PostgreSQL database is created with locale C).
CREATE INDEX IF NOT EXISTS recordings_ui_title ON recordings (tenant_id, title);
CREATE INDEX IF NOT EXISTS recordings_ui_duration ON recordings (tenant_id, duration_ms);
CREATE INDEX IF NOT EXISTS recordings_ui_status_started ON recordings (tenant_id, status, started_at);
