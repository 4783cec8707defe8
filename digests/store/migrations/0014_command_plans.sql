-- Theme counts of a period (/themes, digests, /summary) read theme_periods (one row per post and
-- theme, by the post's effective date) in date order from this index alone, on both engines
-- (see migrations_postgresql/0014_command_plans.sql, where the rest of this migration is:
-- PostgreSQL-only indexes for plans SQLite's indexes already serve).
CREATE INDEX theme_periods_guild_effective ON theme_periods (guild_id, effective_ts, label);
