-- Indexes for the read paths of commands, digests and the reminder sweep on a large ledger
-- (measured with scripts/bench_ledger.py: 100k posts, 300k forecasts in one file).

-- Posts by their effective date (published, else ingested): a period's posts, theme counts and
-- quotes, and newest-first listings. Queries must spell the expression exactly like this.
CREATE INDEX posts_guild_effective ON posts (guild_id, COALESCE(published_ts, ingested_ts));

-- A post's source without reading the post (track record by source); the guild's posts by
-- source (ledger listings filtered by source).
CREATE INDEX posts_id_source ON posts (id, source);
CREATE INDEX posts_guild_source ON posts (guild_id, source);
-- The guild's posts newest id first (short text searches).
CREATE INDEX posts_guild ON posts (guild_id);

-- A post's theme labels without visiting the table (theme counts driven from a period's posts).
CREATE INDEX post_themes_post_label ON post_themes (post_id, guild_id, label);
-- Theme labels by prefix, folding ASCII case as LIKE does (theme autocomplete).
CREATE INDEX post_themes_guild_label_nocase ON post_themes (guild_id, label COLLATE NOCASE);

-- The ledger in its listing order (soonest due first, undated last, then id): all forecasts
-- (carrying what the theme and source filters test, so rows are read only when they match;
-- id is spelled out so the order stays complete, and pages skipped by OFFSET are never read),
-- one status, and the undated ones still waiting.
CREATE INDEX forecasts_guild_due_order
    ON forecasts (guild_id, due_ts IS NULL, due_ts, id, post_id, author, source_url, source_label);
CREATE INDEX forecasts_guild_status_due_order
    ON forecasts (guild_id, status, due_ts IS NULL, due_ts);
CREATE INDEX forecasts_guild_undated ON forecasts (guild_id, due_ts IS NULL, due_ts)
    WHERE due_end IS NULL AND status != 'resolved';

-- Forecast autocomplete order: unresolved first, then soonest due, undated last.
CREATE INDEX forecasts_guild_claim_order
    ON forecasts (guild_id, status = 'resolved', due_ts IS NULL, due_ts);

-- Verdicts given in a period (digests).
CREATE INDEX forecasts_guild_resolved ON forecasts (guild_id, resolved_ts)
    WHERE resolved_ts IS NOT NULL;

-- The track record reads only resolved forecasts, from the index alone (in post order, so the
-- posts' sources are looked up in order).
CREATE INDEX forecasts_guild_track_record
    ON forecasts (guild_id, status, post_id, outcome, probability, author, speaker, source_url)
    WHERE status = 'resolved';

-- The sweep's follow-ups: forecasts awaiting a verdict, by the last nudge they got.
CREATE INDEX forecasts_due_nudge ON forecasts (nudge_stage, due_ts) WHERE status = 'due';
