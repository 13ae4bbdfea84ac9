-- 018: live views.  SQLite's views watch PRAGMA data_version, which moves
-- when another connection commits: nothing to add here.  PostgreSQL's
-- listen on a channel the tables' triggers notify (pg/018_live_views.sql).
SELECT 1;
