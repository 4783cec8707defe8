-- Corpus statistics count a guild's analysed posts for every post ingested; without an index
-- that count read every guild's analyses (≈ 13 ms a post at 100k posts).
CREATE INDEX post_analysis_guild ON post_analysis (guild_id);

-- The /predictions source filter and its autocomplete match a text anywhere in a forecast's
-- source label, link or author, or its post's source. A rare text used to mean reading the
-- guild's whole ledger; this trigram index finds the few forecasts that can match (the store
-- still checks each with LIKE, so the answers are exactly those of the plain query).
-- One row per forecast (rowid = forecasts.id), kept in step by the triggers below; without
-- positions (detail = 'none': about half the size), so a text is looked up as all its trigrams.
CREATE VIRTUAL TABLE forecast_sources
USING fts5(guild_id UNINDEXED, sources, tokenize = 'trigram', detail = 'none');

INSERT INTO forecast_sources (rowid, guild_id, sources)
SELECT f.id, f.guild_id,
       COALESCE(f.source_label, '') || char(10) || COALESCE(f.source_url, '') || char(10)
       || COALESCE(f.author, '') || char(10) || COALESCE(p.source, '')
FROM forecasts f LEFT JOIN posts p ON p.id = f.post_id;

CREATE TRIGGER forecast_sources_insert AFTER INSERT ON forecasts BEGIN
    INSERT INTO forecast_sources (rowid, guild_id, sources) VALUES (
        new.id, new.guild_id,
        COALESCE(new.source_label, '') || char(10) || COALESCE(new.source_url, '') || char(10)
        || COALESCE(new.author, '') || char(10)
        || COALESCE((SELECT source FROM posts WHERE id = new.post_id), ''));
END;

CREATE TRIGGER forecast_sources_update
AFTER UPDATE OF guild_id, source_label, source_url, author, post_id ON forecasts BEGIN
    DELETE FROM forecast_sources WHERE rowid = old.id;
    INSERT INTO forecast_sources (rowid, guild_id, sources) VALUES (
        new.id, new.guild_id,
        COALESCE(new.source_label, '') || char(10) || COALESCE(new.source_url, '') || char(10)
        || COALESCE(new.author, '') || char(10)
        || COALESCE((SELECT source FROM posts WHERE id = new.post_id), ''));
END;

CREATE TRIGGER forecast_sources_delete AFTER DELETE ON forecasts BEGIN
    DELETE FROM forecast_sources WHERE rowid = old.id;
END;

-- Which posts carry which theme, by the post's effective date (published, else ingested): one
-- row per post and theme, kept in step with post_themes and the posts' dates by the triggers
-- below. "How many posts of each of these themes in this period" (the previous period and the
-- history of /themes and digests) then reads just those themes' entries for the period, not
-- every theme row of every post in it.
CREATE TABLE theme_periods (
    guild_id      INTEGER NOT NULL,
    label         TEXT    NOT NULL,
    effective_ts  INTEGER NOT NULL,
    post_id       INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, label, effective_ts, post_id)
) WITHOUT ROWID;
CREATE INDEX theme_periods_post ON theme_periods (post_id, label);

INSERT OR IGNORE INTO theme_periods (guild_id, label, effective_ts, post_id)
SELECT t.guild_id, t.label, COALESCE(p.published_ts, p.ingested_ts), t.post_id
FROM post_themes t JOIN posts p ON p.id = t.post_id;

CREATE TRIGGER theme_periods_insert AFTER INSERT ON post_themes BEGIN
    INSERT OR IGNORE INTO theme_periods (guild_id, label, effective_ts, post_id)
    SELECT new.guild_id, new.label, COALESCE(published_ts, ingested_ts), new.post_id
    FROM posts WHERE id = new.post_id;
END;

-- A post may carry a label at two ranks: its period row goes with the last of them.
CREATE TRIGGER theme_periods_delete AFTER DELETE ON post_themes
WHEN NOT EXISTS (SELECT 1 FROM post_themes WHERE post_id = old.post_id AND label = old.label)
BEGIN
    DELETE FROM theme_periods WHERE post_id = old.post_id AND label = old.label;
END;

CREATE TRIGGER theme_periods_update AFTER UPDATE OF guild_id, post_id, label ON post_themes BEGIN
    DELETE FROM theme_periods WHERE post_id = old.post_id AND label = old.label
        AND NOT EXISTS (SELECT 1 FROM post_themes WHERE post_id = old.post_id AND label = old.label);
    INSERT OR IGNORE INTO theme_periods (guild_id, label, effective_ts, post_id)
    SELECT new.guild_id, new.label, COALESCE(published_ts, ingested_ts), new.post_id
    FROM posts WHERE id = new.post_id;
END;

CREATE TRIGGER theme_periods_redated AFTER UPDATE OF published_ts, ingested_ts ON posts BEGIN
    UPDATE theme_periods SET effective_ts = COALESCE(new.published_ts, new.ingested_ts)
    WHERE post_id = new.id;
END;
