-- 010: account-wide Zoom ingest.  A recording listed from another user of
-- the Zoom account keeps its host's e-mail (the host routes it to a tenant
-- by providers.zoom.hosts).  A walk of the account (its users, then each
-- user's recordings month by month) keeps its progress here, so a walk cut
-- short (a crash, kill -9, Zoom's daily limit) goes on where it stopped:
-- the users it listed, and per user how many windows are done.  A finished
-- walk is deleted; the next sync starts a new one.
ALTER TABLE recordings ADD COLUMN host TEXT;

CREATE TABLE zoom_walks (
	id INTEGER PRIMARY KEY,
	walk_key TEXT NOT NULL UNIQUE,      -- "FROM..TO" and "+inactive": what is walked
	users_listed INTEGER NOT NULL DEFAULT 0,
	started_at INTEGER NOT NULL
);

CREATE TABLE zoom_walk_users (
	walk_id INTEGER NOT NULL REFERENCES zoom_walks(id) ON DELETE CASCADE,
	pos INTEGER NOT NULL,               -- order of the listing
	user_id TEXT NOT NULL,
	email TEXT NOT NULL,
	windows_done INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (walk_id, user_id)
);
