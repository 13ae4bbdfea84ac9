-- 007: the review gate (publish.review = "required").  A recording the
-- runner stopped at TRANSCRIBED because no person has approved its newest
-- topic version is held: the daemon leaves it alone and `zpub list --review
-- pending` lists it, until `zpub approve` (or the API, or the terminal app)
-- lifts the hold.  Whether review is required comes from the config layers,
-- so the hold is only the runner's finding, kept where a query can see it.
ALTER TABLE recordings ADD COLUMN review_hold INTEGER NOT NULL DEFAULT 0;
CREATE INDEX recordings_review_hold ON recordings(review_hold) WHERE review_hold = 1;
