-- When a guild's current digest schedule began: times before it were never missed, so the
-- first digest of a new schedule is its next scheduled time, not an immediate catch-up.
ALTER TABLE guild_settings ADD COLUMN digest_since_ts BIGINT;
