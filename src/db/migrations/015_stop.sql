-- 015: stopping a running stage.  stop_by names who asked ("cli:alice",
-- "api:egor", "tui:alice").  While the recording is in a running status
-- the process holding its lease stops at its next progress report and puts
-- it back at the stage's input status; afterwards the mark stays and holds
-- the recording back from the daemon (and from any lease) until a person
-- runs, retries or publishes it, which clears it.
ALTER TABLE recordings ADD COLUMN stop_by TEXT;
ALTER TABLE recordings ADD COLUMN stop_at INTEGER;
