-- Posts ingested for a guild, with a trigram full-text index so Korean substrings match.
CREATE TABLE posts (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    source         TEXT    NOT NULL,
    source_kind    TEXT    NOT NULL CHECK (source_kind IN ('file', 'url', 'feed', 'text')),
    canonical_url  TEXT,
    title          TEXT    NOT NULL,
    author         TEXT,
    published_at   TEXT,              -- ISO 8601 with the offset it was written in; NULL = unknown
    published_ts   INTEGER,           -- the same moment as epoch seconds, for ordering and ranges
    lang           TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    content_hash   TEXT    NOT NULL,
    ingested_ts    INTEGER NOT NULL,
    UNIQUE (guild_id, content_hash)
);
CREATE UNIQUE INDEX posts_guild_canonical_url ON posts (guild_id, canonical_url)
    WHERE canonical_url IS NOT NULL;
CREATE INDEX posts_guild_published ON posts (guild_id, published_ts);
CREATE INDEX posts_guild_ingested ON posts (guild_id, ingested_ts);

CREATE VIRTUAL TABLE posts_fts USING fts5(
    title, text, content = 'posts', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, text ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO posts_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
