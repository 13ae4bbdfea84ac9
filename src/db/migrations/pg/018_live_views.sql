-- 018: live views.  Where SQLite's terminal app watches PRAGMA
-- data_version, PostgreSQL's listens on zpub_changes: every statement that
-- changes what the views show notifies it, once per transaction and table
-- (the payload is the table's name), whichever host made the change.
CREATE FUNCTION zpub_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('zpub_changes', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

CREATE TRIGGER zpub_notify_recordings AFTER INSERT OR UPDATE OR DELETE ON recordings
  FOR EACH STATEMENT EXECUTE FUNCTION zpub_notify_change();
CREATE TRIGGER zpub_notify_journal AFTER INSERT OR UPDATE OR DELETE ON journal
  FOR EACH STATEMENT EXECUTE FUNCTION zpub_notify_change();
CREATE TRIGGER zpub_notify_stage_runs AFTER INSERT OR UPDATE OR DELETE ON stage_runs
  FOR EACH STATEMENT EXECUTE FUNCTION zpub_notify_change();
CREATE TRIGGER zpub_notify_artifacts AFTER INSERT OR UPDATE OR DELETE ON artifacts
  FOR EACH STATEMENT EXECUTE FUNCTION zpub_notify_change();
CREATE TRIGGER zpub_notify_topic_versions AFTER INSERT OR UPDATE OR DELETE ON topic_versions
  FOR EACH STATEMENT EXECUTE FUNCTION zpub_notify_change();
CREATE TRIGGER zpub_notify_jobs AFTER INSERT OR UPDATE OR DELETE ON jobs
  FOR EACH STATEMENT EXECUTE FUNCTION zpub_notify_change();
CREATE TRIGGER zpub_notify_notify_events AFTER INSERT OR UPDATE OR DELETE ON notify_events
  FOR EACH STATEMENT EXECUTE FUNCTION zpub_notify_change();
CREATE TRIGGER zpub_notify_publications AFTER INSERT OR UPDATE OR DELETE ON publications
  FOR EACH STATEMENT EXECUTE FUNCTION zpub_notify_change();
CREATE TRIGGER zpub_notify_templates AFTER INSERT OR UPDATE OR DELETE ON templates
  FOR EACH STATEMENT EXECUTE FUNCTION zpub_notify_change();
