-- The face that started the metered work: cli, tui, daemon, api or job
-- ('' for rows written before this column).  recordings.work_face is the
-- face that last asked the daemon to work on a recording (an API publish or
-- retry, a job's import); the daemon's usage rows carry it, else 'daemon'.
ALTER TABLE usage ADD COLUMN face TEXT NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN work_face TEXT;
