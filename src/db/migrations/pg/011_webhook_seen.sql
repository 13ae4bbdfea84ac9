-- 011 (PostgreSQL): as ../011_webhook_seen.sql.
CREATE TABLE webhook_seen (
	signature TEXT COLLATE "C" PRIMARY KEY,
	seen_at BIGINT NOT NULL
);
CREATE INDEX webhook_seen_at ON webhook_seen(seen_at);
