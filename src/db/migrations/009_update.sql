-- 009: edits reach what is published.  A READY recording whose newest topic
-- version a person approved is marked; the daemon (publish.update_after_edit)
-- sends the new title, description and chapters to every target it is on and
-- clears the mark, as `zpub publish ID --update` does.  What each platform
-- was last sent stays in the publication's extra JSON ("sent").
ALTER TABLE recordings ADD COLUMN update_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX recordings_update_pending ON recordings(update_pending) WHERE update_pending = 1;
