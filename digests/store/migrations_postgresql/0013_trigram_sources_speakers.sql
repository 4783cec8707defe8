-- Trigram indexes for two substring filters that read every row on PostgreSQL
-- (measured on the bench's 100k posts / 300k forecasts, EXPLAIN ANALYZE, big guild):
--
-- * posts.source: the /predictions source filter (and the source autocomplete) walks the ledger
--   and tests each forecast's post against `SELECT id FROM posts WHERE guild_id = ? AND source
--   ILIKE '%text%'`, a hashed subplan computed once per query. Without this index that subplan
--   read all 100k posts (111 ms of a 118 ms query); with it, a bitmap of the posts whose source
--   holds the text's trigrams, ANDed with posts_guild (15 ms; the query 21 ms).
-- * quotes.speaker: /quote speaker:NAME falls back to `quotes WHERE guild_id = ? AND speaker
--   ILIKE '%name%'` when the newest posts hold too few of the speaker's quotes; that was a scan
--   of every quote (35 ms), now a lookup of the few quotes holding the name (0.2 ms).
--
-- Both are plain pg_trgm GIN indexes like posts_title_trgm: the queries are unchanged, ILIKE
-- still decides (the index only proposes candidates). SQLite needs nothing here (see
-- migrations/0013_trigram_sources_speakers.sql).

CREATE INDEX posts_source_trgm ON posts USING gin (source gin_trgm_ops);
CREATE INDEX quotes_speaker_trgm ON quotes USING gin (speaker gin_trgm_ops);
