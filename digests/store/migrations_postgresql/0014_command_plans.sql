-- Query plans for the commands that missed 50 ms p95 on PostgreSQL at 100k posts / 300k
-- forecasts (scripts/bench_ledger.py; EXPLAIN (ANALYZE, BUFFERS) on the seeded database).

-- Theme counts of a period (/themes, digests, /summary): one row per post and theme by the
-- post's effective date, read in date order from this index alone. The query it replaces
-- joined the period's posts to post_themes and, as a hash join, read all 800k theme rows
-- (150 ms for 30 days of the big guild; now 28k index entries, ~10 ms). SQLite has the same
-- index (migrations/0014_command_plans.sql).
CREATE INDEX theme_periods_guild_effective ON theme_periods (guild_id, effective_ts, label);

-- Theme autocomplete by prefix: lower() of a label under the "C" collation folds ASCII letters
-- only (SQLite's NOCASE) and sorts by code point, so a prefix is one range of this index, read
-- by itself (label is included). A one-syllable Korean prefix matches ~21k theme rows, which
-- the trigram index (one trigram for one character) could only propose by reading each row.
CREATE INDEX post_themes_guild_label_folded
    ON post_themes (guild_id, (lower(label COLLATE "C"))) INCLUDE (label);

-- The ledger's listing order with everything its filters test (status, needs_date, due_end and
-- the source columns) included: a listing first walks this index alone to find a page of ids
-- (an index-only scan: no table row is read for a forecast that does not match) and then
-- reads just that page. It replaces forecasts_guild_due_order (same keys: what used that
-- index can use this one).
CREATE INDEX forecasts_guild_listing
    ON forecasts (guild_id, (due_ts IS NULL), due_ts, id)
    INCLUDE (status, needs_date, due_end, post_id, author, source_url, source_label);
DROP INDEX forecasts_guild_due_order;
-- The same for one status, with id in the key: without it the 'open' page was taken from the
-- walk above, past every due and judged forecast (126k entries, 125 ms).
CREATE INDEX forecasts_guild_status_listing
    ON forecasts (guild_id, status, (due_ts IS NULL), due_ts, id)
    INCLUDE (needs_date, due_end, post_id, author, source_url, source_label);
DROP INDEX forecasts_guild_status_due_order;

-- Undated statements and those waiting for a date all have due_ts NULL: without id in the key
-- the page had to be sorted by id out of every such forecast (25k in the big guild, 58 ms).
-- SQLite's indexes end in the rowid (= id) already.
CREATE INDEX forecasts_guild_undated_order ON forecasts (guild_id, (due_ts IS NULL), due_ts, id)
    WHERE due_end IS NULL AND status != 'resolved';
DROP INDEX forecasts_guild_undated;
CREATE INDEX forecasts_guild_needs_date_order
    ON forecasts (guild_id, (due_ts IS NULL), due_ts, id)
    WHERE needs_date = 1 AND status != 'resolved';
DROP INDEX forecasts_guild_needs_date;

-- How guild, status and outcome go together: without it the planner took the big guild's
-- resolved forecasts for 1.9k rows (they are 20k) and looked each one's post up by id (94 ms
-- for the track record by source); with it, one merge join with posts_id_source (30 ms).
CREATE STATISTICS forecasts_guild_status_outcome (mcv) ON guild_id, status, outcome FROM forecasts;

-- Statistics for the new expression index and the tables whose plans change, so an upgraded
-- database plans with them right away rather than after autovacuum's next ANALYZE.
ANALYZE theme_periods;
ANALYZE post_themes;
ANALYZE forecasts;
