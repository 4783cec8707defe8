-- Intentionally empty on SQLite: migration 0013 adds PostgreSQL trigram indexes for the
-- `posts.source` and `quotes.speaker` substring filters (see
-- migrations_postgresql/0013_trigram_sources_speakers.sql). SQLite's LIKE '%text%' cannot use
-- a B-tree index, and the posts subquery already reads the covering posts_guild_source index,
-- so there is nothing useful to add here; the file exists so both engines keep the same
-- migration numbers.
SELECT 1;
