-- How each post's publication date was known, and forecasts that wait for their post's date.

-- metadata | url | text | given | unknown; NULL for posts stored before this was recorded
-- (their date, if any, came from metadata or the text).
ALTER TABLE posts ADD COLUMN published_source TEXT
    CHECK (published_source IN ('metadata', 'url', 'text', 'given', 'unknown'));
UPDATE posts SET published_source = 'unknown' WHERE published_at IS NULL;

-- 1: a forecast whose window is counted from the post's date ("내년", "앞으로 2~3년") in a post
-- whose date is unknown. Its window stays empty (never scheduled, never due) until the post
-- is dated. Undated statements have no window either, but needs_date = 0.
ALTER TABLE forecasts ADD COLUMN needs_date BIGINT NOT NULL DEFAULT 0
    CHECK (needs_date IN (0, 1));
CREATE INDEX forecasts_guild_needs_date ON forecasts (guild_id, (due_ts IS NULL), due_ts)
    WHERE needs_date = 1 AND status != 'resolved';
