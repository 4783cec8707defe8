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
