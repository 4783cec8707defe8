-- The /predictions source filter tests each forecast's label, link and author against the
-- typed text. A feed host ("news3.g101.example.com") is the source of ~1.4% of the big
-- guild's forecasts, so a page of 200 walks ~17k entries of the listing index, and three
-- ILIKEs a row (each lower-cases both texts first) took most of its 64 ms (EXPLAIN ANALYZE).
-- source_text is the three, lower-cased once when written; the filter tests it with a plain
-- LIKE against the lower-cased pattern, which is what ILIKE does (lower(a || b) is
-- lower(a) || lower(b); chr(10) keeps a text from matching across two of them, and a typed
-- text holding a line break is tested field by field as before). SQLite's LIKE folds ASCII
-- only and is cheap: its schema has no such column (generated columns are not copied by
-- `migrate-store`, and the schemas' comparison leaves them out).
ALTER TABLE forecasts ADD COLUMN source_text TEXT GENERATED ALWAYS AS (
    lower(COALESCE(source_label, '') || chr(10) || COALESCE(source_url, '') || chr(10)
          || COALESCE(author, ''))
) STORED;

-- The listing indexes carry source_text instead of the three columns it is made of (the
-- source filter was their only reader), so the walk stays an index-only scan.
DROP INDEX forecasts_guild_listing;
CREATE INDEX forecasts_guild_listing
    ON forecasts (guild_id, (due_ts IS NULL), due_ts, id)
    INCLUDE (status, needs_date, due_end, post_id, source_text);
DROP INDEX forecasts_guild_status_listing;
CREATE INDEX forecasts_guild_status_listing
    ON forecasts (guild_id, status, (due_ts IS NULL), due_ts, id)
    INCLUDE (needs_date, due_end, post_id, source_text);

ANALYZE forecasts;
