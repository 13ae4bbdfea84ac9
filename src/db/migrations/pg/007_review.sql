-- 007 (PostgreSQL): as ../007_review.sql.
ALTER TABLE recordings ADD COLUMN review_hold BIGINT NOT NULL DEFAULT 0;
CREATE INDEX recordings_review_hold ON recordings(review_hold) WHERE review_hold = 1;
