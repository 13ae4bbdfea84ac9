-- 008: cut editing.  An editor's overrides of the silence analysis, on the
-- source recording's timeline: a 'keep' range is never cut, a 'remove'
-- range always is.  The rows of one recording are disjoint (edit.c resolves
-- overlaps, the newest winning, before it writes them); the process stage
-- reads them as an input of the cut plan.
CREATE TABLE cut_overrides (
  id           INTEGER PRIMARY KEY,
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('keep', 'remove')),
  start_ms     INTEGER NOT NULL CHECK (start_ms >= 0),
  end_ms       INTEGER NOT NULL CHECK (end_ms > start_ms),
  created_by   TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL
);
CREATE INDEX cut_overrides_recording ON cut_overrides(recording_id, start_ms);
