-- 012 (PostgreSQL): as ../012_slides.sql.
CREATE TABLE slide_changes (
  recording_id BIGINT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
  at_ms        BIGINT NOT NULL CHECK (at_ms >= 0),
  out_ms       BIGINT CHECK (out_ms >= 0),
  change       DOUBLE PRECISION NOT NULL DEFAULT 0,
  PRIMARY KEY (recording_id, at_ms)
);
