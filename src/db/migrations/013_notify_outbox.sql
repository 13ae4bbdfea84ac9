-- 012: the notification outbox.  An event (ready, failed, review_pending,
-- reauth_needed, quota_reached) is written in the same transaction as the
-- change it reports, with the exact JSON body every delivery will send, so a
-- crash neither loses it nor writes it twice and a retry is byte-identical
-- (same event id).  The daemon fans each event out to the operator's
-- webhooks that want it (one delivery row per hook) and posts the due
-- deliveries, retrying with backoff until one is answered with a 2xx.
CREATE TABLE notify_events (
  id           INTEGER PRIMARY KEY,
  event_id     TEXT NOT NULL UNIQUE,        -- what receivers deduplicate on
  event        TEXT NOT NULL,
  tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  recording_id INTEGER,                     -- kept after the recording is deleted
  body         TEXT NOT NULL,               -- the JSON sent, fixed at enqueue
  created_at   INTEGER NOT NULL,
  fanned       INTEGER NOT NULL DEFAULT 0   -- 1: deliveries were created
);
CREATE INDEX notify_events_unfanned ON notify_events(id) WHERE fanned = 0;
CREATE TABLE notify_deliveries (
  id          INTEGER PRIMARY KEY,
  event_row   INTEGER NOT NULL REFERENCES notify_events(id) ON DELETE CASCADE,
  hook        TEXT NOT NULL,                -- name under notify.webhooks
  url         TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL,             -- epoch ms of the next attempt
  state       TEXT NOT NULL DEFAULT 'pending', -- pending, delivered, dropped
  last_status INTEGER,
  last_error  TEXT,
  UNIQUE (event_row, hook)
);
CREATE INDEX notify_deliveries_due ON notify_deliveries(next_at) WHERE state = 'pending';
