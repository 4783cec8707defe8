-- Intentionally empty on SQLite: migration 0017 gives PostgreSQL an index of each guild's
-- posts by source that includes their ids (see migrations_postgresql/0017_post_sources_ids.sql).
-- SQLite's posts_guild_source ends in the rowid, which is the post's id, so its reads of a
-- source's posts are index-only already; the file keeps both engines' migration numbers equal.
SELECT 1;
