-- The undated listing (views: no window, not waiting for a date) tests needs_date = 0 on top
-- of the partial index's own condition. Without needs_date in that index the page needed a
-- table row per entry, and after migration 0019 rebuilt forecasts_guild_listing the planner
-- preferred walking the whole listing instead, past 185k dated forecasts of the big guild to
-- the undated ones at its end (EXPLAIN ANALYZE 47-100 ms; `predictions list undated` 82 / 141
-- ms p50 / p95). With needs_date included the page is read from this index alone (0.1 ms).
DROP INDEX forecasts_guild_undated_order;
CREATE INDEX forecasts_guild_undated_order ON forecasts (guild_id, (due_ts IS NULL), due_ts, id)
    INCLUDE (needs_date)
    WHERE due_end IS NULL AND status != 'resolved';
ANALYZE forecasts;
