-- The distinct sources of each guild's posts, with how many posts carry each, kept in step with
-- posts by triggers in the post's own transaction (see migrations/0016_post_sources.sql for
-- why). A typed source text is resolved here first, through this small table's trigram index,
-- instead of through posts_source_trgm, whose posting lists for the trigrams every source
-- shares ("exa", ".co", "htt") hold nearly every post.
CREATE TABLE post_sources (
    guild_id  BIGINT  NOT NULL,
    source    TEXT    NOT NULL,
    posts     BIGINT  NOT NULL,
    PRIMARY KEY (guild_id, source)
);
CREATE INDEX post_sources_trgm ON post_sources USING gin (source gin_trgm_ops);

INSERT INTO post_sources (guild_id, source, posts)
SELECT guild_id, source, COUNT(*) FROM posts GROUP BY guild_id, source;

CREATE FUNCTION post_sources_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        -- A source's row goes with its last post.
        UPDATE post_sources SET posts = posts - 1
        WHERE guild_id = OLD.guild_id AND source = OLD.source;
        DELETE FROM post_sources
        WHERE guild_id = OLD.guild_id AND source = OLD.source AND posts <= 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO post_sources (guild_id, source, posts) VALUES (NEW.guild_id, NEW.source, 1)
        ON CONFLICT (guild_id, source) DO UPDATE SET posts = post_sources.posts + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER post_sources_insert AFTER INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION post_sources_changed();
CREATE TRIGGER post_sources_delete AFTER DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION post_sources_changed();
CREATE TRIGGER post_sources_update AFTER UPDATE OF guild_id, source ON posts
    FOR EACH ROW EXECUTE FUNCTION post_sources_changed();

ANALYZE post_sources;
