-- 003 (PostgreSQL): as ../003_admin.sql.
ALTER TABLE jobs ADD COLUMN enabled BIGINT NOT NULL DEFAULT 1;
CREATE INDEX jobs_due ON jobs (enabled, next_run_at);
CREATE UNIQUE INDEX users_token ON users (token_hash) WHERE token_hash IS NOT NULL;
CREATE INDEX audit_at ON audit (tenant_id, at);
CREATE INDEX templates_tenant ON templates (tenant_id, enabled, priority);
