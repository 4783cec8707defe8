-- What the digest, /summary and /scoreboard used to count or join over the whole ledger, kept
-- in step by triggers in the writing transaction (see migrations/0018_ledger_summaries.sql).

-- How many forecasts each guild has in each status: a digest shows how many await a verdict,
-- and counting the big guild's 107k (an index-only scan) took 26-39 ms of a 56-80 ms digest.
-- A derived table: `migrate-store` rebuilds it once after copying (transfer.py: updating one
-- counter row per forecast copied keeps every version of that row until the copy commits).
CREATE TABLE forecast_counts (
    guild_id   BIGINT  NOT NULL,
    status     TEXT    NOT NULL,
    forecasts  BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, status)
);

INSERT INTO forecast_counts (guild_id, status, forecasts)
SELECT guild_id, status, COUNT(*) FROM forecasts GROUP BY guild_id, status;

CREATE FUNCTION forecast_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE forecast_counts SET forecasts = forecasts - 1
        WHERE guild_id = OLD.guild_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO forecast_counts (guild_id, status, forecasts) VALUES (NEW.guild_id, NEW.status, 1)
        ON CONFLICT (guild_id, status) DO UPDATE SET forecasts = forecast_counts.forecasts + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER forecast_counts_insert AFTER INSERT ON forecasts
    FOR EACH ROW EXECUTE FUNCTION forecast_counts_changed();
CREATE TRIGGER forecast_counts_delete AFTER DELETE ON forecasts
    FOR EACH ROW EXECUTE FUNCTION forecast_counts_changed();
CREATE TRIGGER forecast_counts_update AFTER UPDATE OF guild_id, status ON forecasts
    FOR EACH ROW WHEN (OLD.guild_id <> NEW.guild_id OR OLD.status <> NEW.status)
    EXECUTE FUNCTION forecast_counts_changed();

-- The source of each forecast's post (NULL without a post), on the forecast itself: the track
-- record by source grouped the big guild's 20k resolved forecasts after a merge join with
-- every post's source (~30 ms in EXPLAIN ANALYZE); now it reads forecasts_guild_track_record
-- alone. Set before a forecast is written (added, or pointed at another post: a deleted
-- post's forecasts are pointed at none by the foreign key, which fires the trigger) and
-- when a post is given another source.
ALTER TABLE forecasts ADD COLUMN post_source TEXT;

UPDATE forecasts f SET post_source = p.source FROM posts p WHERE p.id = f.post_id;

CREATE FUNCTION forecasts_post_source() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.post_source := (SELECT source FROM posts WHERE id = NEW.post_id);
    RETURN NEW;
END $$;

CREATE TRIGGER forecasts_post_source_insert BEFORE INSERT ON forecasts
    FOR EACH ROW EXECUTE FUNCTION forecasts_post_source();
CREATE TRIGGER forecasts_post_source_update BEFORE UPDATE OF post_id ON forecasts
    FOR EACH ROW EXECUTE FUNCTION forecasts_post_source();

CREATE FUNCTION posts_source_forecasts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE forecasts SET post_source = NEW.source WHERE post_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER posts_source_forecasts AFTER UPDATE OF source ON posts
    FOR EACH ROW WHEN (OLD.source IS DISTINCT FROM NEW.source)
    EXECUTE FUNCTION posts_source_forecasts();

DROP INDEX forecasts_guild_track_record;
CREATE INDEX forecasts_guild_track_record
    ON forecasts (guild_id, status, post_id, outcome, probability, author, speaker, source_url)
    INCLUDE (post_source)
    WHERE status = 'resolved';

ANALYZE forecast_counts;
ANALYZE forecasts;
