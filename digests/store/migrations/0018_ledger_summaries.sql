-- What the digest, /summary and /scoreboard used to count or join over the whole ledger, kept
-- in step by triggers in the writing transaction (migrations_postgresql/0018 does the same
-- with PostgreSQL's triggers; the measurements are there).

-- How many forecasts each guild has in each status. A digest shows how many forecasts await a
-- verdict; counting them (107k in the benchmark's big guild) was the largest query of a digest.
-- A derived table: `migrate-store` does not copy it, the triggers rebuild it.
CREATE TABLE forecast_counts (
    guild_id   INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    forecasts  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, status)
) WITHOUT ROWID;

INSERT INTO forecast_counts (guild_id, status, forecasts)
SELECT guild_id, status, COUNT(*) FROM forecasts GROUP BY guild_id, status;

CREATE TRIGGER forecast_counts_insert AFTER INSERT ON forecasts BEGIN
    INSERT INTO forecast_counts (guild_id, status, forecasts) VALUES (new.guild_id, new.status, 1)
    ON CONFLICT (guild_id, status) DO UPDATE SET forecasts = forecasts + 1;
END;

CREATE TRIGGER forecast_counts_delete AFTER DELETE ON forecasts BEGIN
    UPDATE forecast_counts SET forecasts = forecasts - 1
    WHERE guild_id = old.guild_id AND status = old.status;
END;

CREATE TRIGGER forecast_counts_update AFTER UPDATE OF guild_id, status ON forecasts
WHEN old.guild_id != new.guild_id OR old.status != new.status BEGIN
    UPDATE forecast_counts SET forecasts = forecasts - 1
    WHERE guild_id = old.guild_id AND status = old.status;
    INSERT INTO forecast_counts (guild_id, status, forecasts) VALUES (new.guild_id, new.status, 1)
    ON CONFLICT (guild_id, status) DO UPDATE SET forecasts = forecasts + 1;
END;

-- The source of each forecast's post (NULL without a post), on the forecast itself: the track
-- record by source groups resolved forecasts by it, and then reads forecasts alone instead of
-- joining every resolved forecast to its post. Kept equal to posts.source by the triggers:
-- a forecast added or pointed at another post (a deleted post's forecasts are pointed at
-- none by the foreign key, which fires the update trigger), a post given another source.
ALTER TABLE forecasts ADD COLUMN post_source TEXT;

UPDATE forecasts SET post_source = (SELECT source FROM posts WHERE posts.id = forecasts.post_id)
WHERE post_id IS NOT NULL;

CREATE TRIGGER forecasts_post_source_insert AFTER INSERT ON forecasts BEGIN
    UPDATE forecasts SET post_source = (SELECT source FROM posts WHERE id = new.post_id)
    WHERE id = new.id;
END;

CREATE TRIGGER forecasts_post_source_update AFTER UPDATE OF post_id ON forecasts BEGIN
    UPDATE forecasts SET post_source = (SELECT source FROM posts WHERE id = new.post_id)
    WHERE id = new.id;
END;

CREATE TRIGGER posts_source_forecasts AFTER UPDATE OF source ON posts BEGIN
    UPDATE forecasts SET post_source = new.source WHERE post_id = new.id;
END;

-- The track record reads resolved forecasts from this index alone, now with their post's source.
DROP INDEX forecasts_guild_track_record;
CREATE INDEX forecasts_guild_track_record
    ON forecasts (guild_id, status, post_id, outcome, probability, author, speaker, source_url,
                  post_source)
    WHERE status = 'resolved';
