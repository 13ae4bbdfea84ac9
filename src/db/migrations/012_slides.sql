-- 010: slide changes.  Where the whole picture of a recording changes (a new
-- slide, another shared screen), found by the process stage's analysis and
-- replaced as a whole each time it runs: at_ms on the source timeline,
-- out_ms where the change shows in the cut video (NULL when it was cut
-- away).  Thumbnails are taken from distinct slides and topic timecodes
-- snap to them.
CREATE TABLE slide_changes (
  recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  at_ms        INTEGER NOT NULL CHECK (at_ms >= 0),
  out_ms       INTEGER CHECK (out_ms >= 0),
  change       REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (recording_id, at_ms)
);
