-- Intentionally empty on SQLite: migration 0019 gives PostgreSQL a lower-cased copy of each
-- forecast's label, link and author for the source filter, because its ILIKE lower-cases
-- both texts on every row it tests (see migrations_postgresql/0019_forecast_source_text.sql).
-- SQLite's LIKE folds ASCII letters as it compares; the file keeps both engines' migration
-- numbers equal.
SELECT 1;
