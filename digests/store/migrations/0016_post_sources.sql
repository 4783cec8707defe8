-- The distinct sources of each guild's posts (a feed's URL, a page's link, 'pasted text'), with
-- how many posts carry each, kept in step with posts by the triggers below in the same
-- transaction as the post itself.
--
-- The /predictions source filter and the source autocomplete test a typed text against each
-- forecast's post source. A feed host ("news3.g1.example.com") is the source of a few percent
-- of a large ledger; finding those posts used to mean testing every post's source (or, on
-- PostgreSQL, reading trigram posting lists that every source shares: "exa", ".co"). Now the
-- text is first resolved against this small table (tens of feeds plus one row per linked page,
-- not one per post) and then the matching posts are one range each of posts_guild_source.
-- The table is derived: `migrate-store` does not copy it, the triggers rebuild it as the
-- posts arrive.
CREATE TABLE post_sources (
    guild_id  INTEGER NOT NULL,
    source    TEXT    NOT NULL,
    posts     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, source)
) WITHOUT ROWID;

INSERT INTO post_sources (guild_id, source, posts)
SELECT guild_id, source, COUNT(*) FROM posts GROUP BY guild_id, source;

CREATE TRIGGER post_sources_insert AFTER INSERT ON posts BEGIN
    INSERT INTO post_sources (guild_id, source, posts) VALUES (new.guild_id, new.source, 1)
    ON CONFLICT (guild_id, source) DO UPDATE SET posts = posts + 1;
END;

-- A source's row goes with its last post.
CREATE TRIGGER post_sources_delete AFTER DELETE ON posts BEGIN
    UPDATE post_sources SET posts = posts - 1
    WHERE guild_id = old.guild_id AND source = old.source;
    DELETE FROM post_sources WHERE guild_id = old.guild_id AND source = old.source AND posts <= 0;
END;

-- A post moved to another guild or given another source counts for its new pair only.
CREATE TRIGGER post_sources_update AFTER UPDATE OF guild_id, source ON posts BEGIN
    UPDATE post_sources SET posts = posts - 1
    WHERE guild_id = old.guild_id AND source = old.source;
    DELETE FROM post_sources WHERE guild_id = old.guild_id AND source = old.source AND posts <= 0;
    INSERT INTO post_sources (guild_id, source, posts) VALUES (new.guild_id, new.source, 1)
    ON CONFLICT (guild_id, source) DO UPDATE SET posts = posts + 1;
END;
