-- Intentionally empty on SQLite: migration 0020 adds needs_date to PostgreSQL's index of
-- undated forecasts (see migrations_postgresql/0020_undated_order_needs_date.sql). SQLite's
-- forecasts_guild_undated serves that listing already; the file keeps both engines'
-- migration numbers equal.
SELECT 1;
