-- Indexes for the read paths of commands, digests and the reminder sweep on a large ledger
-- (the PostgreSQL counterpart of migrations/0005_performance.sql: the same indexes, with
-- expressions in parentheses; SQLite's NOCASE prefix index becomes a trigram index, which
-- serves ILIKE 'prefix%').

CREATE INDEX posts_guild_effective ON posts (guild_id, (COALESCE(published_ts, ingested_ts)));

CREATE INDEX posts_id_source ON posts (id, source);
CREATE INDEX posts_guild_source ON posts (guild_id, source);
CREATE INDEX posts_guild ON posts (guild_id);

CREATE INDEX post_themes_post_label ON post_themes (post_id, guild_id, label);
CREATE INDEX post_themes_label_trgm ON post_themes USING gin (label gin_trgm_ops);

CREATE INDEX forecasts_guild_due_order
    ON forecasts (guild_id, (due_ts IS NULL), due_ts, id, post_id, author, source_url, source_label);
CREATE INDEX forecasts_guild_status_due_order
    ON forecasts (guild_id, status, (due_ts IS NULL), due_ts);
CREATE INDEX forecasts_guild_undated ON forecasts (guild_id, (due_ts IS NULL), due_ts)
    WHERE due_end IS NULL AND status != 'resolved';

CREATE INDEX forecasts_guild_claim_order
    ON forecasts (guild_id, (status = 'resolved'), (due_ts IS NULL), due_ts);

CREATE INDEX forecasts_guild_resolved ON forecasts (guild_id, resolved_ts)
    WHERE resolved_ts IS NOT NULL;

CREATE INDEX forecasts_guild_track_record
    ON forecasts (guild_id, status, post_id, outcome, probability, author, speaker, source_url)
    WHERE status = 'resolved';

CREATE INDEX forecasts_due_nudge ON forecasts (nudge_stage, due_ts) WHERE status = 'due';
