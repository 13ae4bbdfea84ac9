-- 011: webhook notifications already taken.  The control API's POST
-- /hooks/zoom keeps the signature of every notification it accepted for as
-- long as its timestamp is fresh (5 minutes), so the same signed body sent
-- again is refused as a replay, across restarts too.  Rows older than the
-- window are deleted as new ones come in.
CREATE TABLE webhook_seen (
	signature TEXT PRIMARY KEY,
	seen_at INTEGER NOT NULL
);
CREATE INDEX webhook_seen_at ON webhook_seen(seen_at);
