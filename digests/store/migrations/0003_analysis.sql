-- What the analysis found in each post: summary, theme terms, top themes, quotes, forecasts.
CREATE TABLE post_analysis (
    post_id       INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    guild_id      INTEGER NOT NULL,
    summary_json  TEXT    NOT NULL,   -- ["sentence", ...]
    anchor_date   TEXT    NOT NULL,   -- the date relative expressions were resolved against
    analysed_ts   INTEGER NOT NULL
);

-- Candidate theme terms per post: the guild's corpus statistics for TF-IDF.
CREATE TABLE post_terms (
    guild_id        INTEGER NOT NULL,
    post_id         INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    label           TEXT    NOT NULL,
    count           INTEGER NOT NULL,
    in_title        INTEGER NOT NULL,
    first_position  REAL    NOT NULL,
    proper          INTEGER NOT NULL,
    PRIMARY KEY (post_id, label)
);
CREATE INDEX post_terms_guild_label ON post_terms (guild_id, label);

-- A post's top themes as scored when it was stored.
CREATE TABLE post_themes (
    guild_id  INTEGER NOT NULL,
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    rank      INTEGER NOT NULL,
    label     TEXT    NOT NULL,
    score     REAL    NOT NULL,
    PRIMARY KEY (post_id, rank)
);
CREATE INDEX post_themes_guild_label ON post_themes (guild_id, label);

CREATE TABLE quotes (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    text      TEXT    NOT NULL,
    speaker   TEXT,
    sentence  TEXT    NOT NULL,
    UNIQUE (post_id, position)
);
CREATE INDEX quotes_guild ON quotes (guild_id, id);

-- The forecast ledger: found by analysis or added by a member.
CREATE TABLE forecasts (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    post_id       INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    origin        TEXT    NOT NULL CHECK (origin IN ('analysis', 'manual')),
    fingerprint   TEXT    NOT NULL,   -- stable identity, so re-analysis updates instead of adding
    sentence      TEXT    NOT NULL,
    claim         TEXT    NOT NULL,
    speaker       TEXT,
    timex         TEXT,
    due_start     TEXT,               -- ISO dates; NULL for undated forecasts
    due_end       TEXT,
    due_ts        INTEGER,            -- the moment the window closes (end of due_end, guild-local)
    granularity   TEXT,
    kind          TEXT    NOT NULL,
    hedge         TEXT    NOT NULL,
    confidence    REAL    NOT NULL,
    probability   REAL,               -- a member's stated probability (manual forecasts)
    source_label  TEXT,
    source_url    TEXT,
    author        TEXT,
    added_by      INTEGER,
    status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'due', 'resolved')),
    outcome       TEXT    CHECK (outcome IN ('correct', 'wrong', 'partly', 'unknown', 'withdrawn')),
    resolved_by   INTEGER,
    resolved_ts   INTEGER,
    evidence      TEXT,
    note          TEXT,
    created_ts    INTEGER NOT NULL,
    updated_ts    INTEGER NOT NULL,
    UNIQUE (guild_id, fingerprint)
);
CREATE INDEX forecasts_guild_status_due ON forecasts (guild_id, status, due_ts);
CREATE INDEX forecasts_due_sweep ON forecasts (status, due_ts);
CREATE INDEX forecasts_post ON forecasts (post_id);
CREATE INDEX forecasts_guild_created ON forecasts (guild_id, created_ts);
