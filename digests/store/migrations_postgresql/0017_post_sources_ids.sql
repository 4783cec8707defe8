-- The posts of a source, with their ids, from the index alone: the source filter resolves a
-- typed text to a few distinct sources (post_sources, migration 0016) and then reads each
-- source's posts from this index. posts_guild_source alone made that read visit every such
-- post's heap row for its id (953 posts of a feed: 6-11 ms of an 11-29 ms listing in EXPLAIN
-- ANALYZE). SQLite's posts_guild_source ends in the rowid, which is the id, already.
CREATE INDEX posts_guild_source_id ON posts (guild_id, source) INCLUDE (id);
DROP INDEX posts_guild_source;
ANALYZE posts;
