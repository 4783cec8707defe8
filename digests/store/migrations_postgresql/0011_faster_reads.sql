-- Faster reads (see migrations/0011_faster_reads.sql for the reasons).
CREATE INDEX post_analysis_guild ON post_analysis (guild_id);

-- The /predictions source filter: each forecast's source label, link, author and post source
-- in one text with a trigram index, kept in step by triggers (SQLite: an FTS5 trigram table).
-- The store looks a text up with ILIKE here and still checks each candidate as before.
CREATE TABLE forecast_sources (
    forecast_id  BIGINT  PRIMARY KEY REFERENCES forecasts (id) ON DELETE CASCADE,
    guild_id     BIGINT  NOT NULL,
    sources      TEXT    NOT NULL
);
CREATE INDEX forecast_sources_trgm ON forecast_sources USING gin (sources gin_trgm_ops);

INSERT INTO forecast_sources (forecast_id, guild_id, sources)
SELECT f.id, f.guild_id,
       COALESCE(f.source_label, '') || chr(10) || COALESCE(f.source_url, '') || chr(10)
       || COALESCE(f.author, '') || chr(10) || COALESCE(p.source, '')
FROM forecasts f LEFT JOIN posts p ON p.id = f.post_id;

CREATE FUNCTION forecast_sources_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO forecast_sources (forecast_id, guild_id, sources) VALUES (
        NEW.id, NEW.guild_id,
        COALESCE(NEW.source_label, '') || chr(10) || COALESCE(NEW.source_url, '') || chr(10)
        || COALESCE(NEW.author, '') || chr(10)
        || COALESCE((SELECT source FROM posts WHERE id = NEW.post_id), ''))
    ON CONFLICT (forecast_id) DO UPDATE SET guild_id = excluded.guild_id, sources = excluded.sources;
    RETURN NULL;
END $$;

CREATE TRIGGER forecast_sources_insert AFTER INSERT ON forecasts
    FOR EACH ROW EXECUTE FUNCTION forecast_sources_refresh();
CREATE TRIGGER forecast_sources_update
    AFTER UPDATE OF guild_id, source_label, source_url, author, post_id ON forecasts
    FOR EACH ROW EXECUTE FUNCTION forecast_sources_refresh();
-- Deletion follows the forecast through ON DELETE CASCADE.

-- Which posts carry which theme, by the post's effective date (see the SQLite migration).
CREATE TABLE theme_periods (
    guild_id      BIGINT  NOT NULL,
    label         TEXT    NOT NULL,
    effective_ts  BIGINT  NOT NULL,
    post_id       BIGINT  NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, label, effective_ts, post_id)
);
CREATE INDEX theme_periods_post ON theme_periods (post_id, label);

INSERT INTO theme_periods (guild_id, label, effective_ts, post_id)
SELECT t.guild_id, t.label, COALESCE(p.published_ts, p.ingested_ts), t.post_id
FROM post_themes t JOIN posts p ON p.id = t.post_id
ON CONFLICT DO NOTHING;

CREATE FUNCTION theme_periods_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM theme_periods WHERE post_id = OLD.post_id AND label = OLD.label
            AND NOT EXISTS (SELECT 1 FROM post_themes WHERE post_id = OLD.post_id AND label = OLD.label);
    END IF;
    INSERT INTO theme_periods (guild_id, label, effective_ts, post_id)
    SELECT NEW.guild_id, NEW.label, COALESCE(published_ts, ingested_ts), NEW.post_id
    FROM posts WHERE id = NEW.post_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

-- A post may carry a label at two ranks: its period row goes with the last of them.
CREATE FUNCTION theme_periods_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM post_themes WHERE post_id = OLD.post_id AND label = OLD.label) THEN
        DELETE FROM theme_periods WHERE post_id = OLD.post_id AND label = OLD.label;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION theme_periods_redated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE theme_periods SET effective_ts = COALESCE(NEW.published_ts, NEW.ingested_ts)
    WHERE post_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER theme_periods_insert AFTER INSERT ON post_themes
    FOR EACH ROW EXECUTE FUNCTION theme_periods_added();
CREATE TRIGGER theme_periods_delete AFTER DELETE ON post_themes
    FOR EACH ROW EXECUTE FUNCTION theme_periods_removed();
CREATE TRIGGER theme_periods_update AFTER UPDATE OF guild_id, post_id, label ON post_themes
    FOR EACH ROW EXECUTE FUNCTION theme_periods_added();
CREATE TRIGGER theme_periods_redated AFTER UPDATE OF published_ts, ingested_ts ON posts
    FOR EACH ROW EXECUTE FUNCTION theme_periods_redated();
