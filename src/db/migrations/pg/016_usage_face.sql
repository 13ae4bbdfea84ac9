-- 016 (PostgreSQL): as ../016_usage_face.sql.
ALTER TABLE usage ADD COLUMN face TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN work_face TEXT COLLATE "C";
