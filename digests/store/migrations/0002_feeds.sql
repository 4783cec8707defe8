-- RSS/Atom feeds a guild follows, their polling state, and the entries already seen.
CREATE TABLE feeds (
    id                INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    url               TEXT    NOT NULL,
    title             TEXT,
    channel_id        INTEGER,          -- where new entries are announced (Discord), if anywhere
    added_by          TEXT,
    etag              TEXT,
    last_modified     TEXT,
    created_ts        INTEGER NOT NULL,
    last_polled_ts    INTEGER,
    last_success_ts   INTEGER,
    next_poll_ts      INTEGER NOT NULL,
    failure_count     INTEGER NOT NULL DEFAULT 0,
    first_failure_ts  INTEGER,
    last_error        TEXT,
    disabled_ts       INTEGER,
    disabled_reason   TEXT,
    UNIQUE (guild_id, url)
);
CREATE INDEX feeds_due ON feeds (next_poll_ts) WHERE disabled_ts IS NULL;

CREATE TABLE feed_entries (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    feed_id     INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    entry_key   TEXT    NOT NULL,       -- guid, else link, else content hash
    post_id     INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    is_new      INTEGER NOT NULL,       -- 0 for entries stored on the feed's first fetch
    seen_ts     INTEGER NOT NULL,
    UNIQUE (feed_id, entry_key)
);
CREATE INDEX feed_entries_guild ON feed_entries (guild_id, seen_ts);
