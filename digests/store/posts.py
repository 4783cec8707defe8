"""Posts: insert with de-duplication, lookups, listing and full-text search, all per guild."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from digests.clock import from_timestamp, to_timestamp
from digests.models import DateSource, Post, SourceKind, StoredPost
from digests.store.database import Database, Transaction

_COLUMNS = (
    "id, guild_id, source, source_kind, canonical_url, title, author, published_at, lang, text,"
    " content_hash, ingested_ts, published_source"
)


def row_to_post(row: sqlite3.Row) -> StoredPost:
    """Build a StoredPost from a `posts` row selected with the standard columns."""
    published = row["published_at"]
    return StoredPost(
        id=row["id"],
        guild_id=row["guild_id"],
        source=row["source"],
        source_kind=SourceKind(row["source_kind"]),
        canonical_url=row["canonical_url"],
        title=row["title"],
        author=row["author"],
        published=datetime.fromisoformat(published) if published else None,
        published_source=DateSource(row["published_source"]) if row["published_source"] else None,
        lang=row["lang"],
        text=row["text"],
        content_hash=row["content_hash"],
        ingested_at=from_timestamp(row["ingested_ts"]),
    )


def _contains(text: str) -> str:
    """A LIKE pattern (escaped with backslash) matching `text` anywhere."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _source_value(post: Post) -> str | None:
    """What `published_source` stores: unknown without a date, else how it was known."""
    source = post.date_source
    return source.value if source is not None else None


class PostRepository:
    """SQL for the `posts` table and its FTS index."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def find_duplicate(self, transaction: Transaction, post: Post) -> tuple[int, str] | None:
        """The id of a stored post this one duplicates, and why, or None."""
        if post.canonical_url:
            row = await transaction.fetch_one(
                "SELECT id FROM posts WHERE guild_id = ? AND canonical_url = ?",
                (post.guild_id, post.canonical_url),
            )
            if row:
                return int(row["id"]), "same canonical URL"
        row = await transaction.fetch_one(
            "SELECT id FROM posts WHERE guild_id = ? AND content_hash = ?",
            (post.guild_id, post.content_hash),
        )
        if row:
            return int(row["id"]), "same content"
        return None

    async def containing(
        self,
        transaction: Transaction,
        guild_id: int,
        fragments: list[str],
        limit: int = 5,
        window: int = 200,
    ) -> list[StoredPost]:
        """Posts of the guild whose text contains any of `fragments` (3+ characters each; the
        trigram index finds them anywhere in the text), newest first. Only the newest
        `window` matches across guilds are looked at, so a fragment every post shares costs
        no more than a rare one."""
        usable = [fragment for fragment in fragments if len(fragment) >= 3]
        if not usable:
            return []
        if self._db.dialect == "postgresql":
            # pg_trgm's index on posts.text answers each LIKE '%fragment%' (case folded as
            # SQLite's trigram tokenizer folds it).
            matches = " OR ".join("text LIKE ? ESCAPE '\\'" for _ in usable)
            rows = await transaction.fetch_all(
                f"SELECT {_COLUMNS} FROM posts WHERE id IN (SELECT id FROM posts"
                f" WHERE {matches} ORDER BY id DESC LIMIT ?) AND guild_id = ?"
                " ORDER BY id DESC LIMIT ?",
                (*(_contains(fragment) for fragment in usable), window, guild_id, limit),
            )
            return [row_to_post(row) for row in rows]
        query = "text : (" + " OR ".join('"' + f.replace('"', '""') + '"' for f in usable) + ")"
        # The index is searched once (a join would search it once per post of the guild).
        rows = await transaction.fetch_all(
            f"SELECT {_COLUMNS} FROM posts WHERE id IN (SELECT rowid FROM posts_fts"
            " WHERE posts_fts MATCH ? ORDER BY rowid DESC LIMIT ?) AND guild_id = ?"
            " ORDER BY id DESC LIMIT ?",
            (query, window, guild_id, limit),
        )
        return [row_to_post(row) for row in rows]

    async def insert(self, transaction: Transaction, post: Post, ingested_at: datetime) -> int:
        """Insert a post inside an open transaction; return its id."""
        return await transaction.insert(
            "INSERT INTO posts (guild_id, source, source_kind, canonical_url, title, author,"
            " published_at, published_ts, lang, text, content_hash, ingested_ts, published_source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                post.guild_id,
                post.source,
                post.source_kind.value,
                post.canonical_url,
                post.title,
                post.author,
                post.published.isoformat() if post.published else None,
                to_timestamp(post.published) if post.published else None,
                post.lang,
                post.text,
                post.content_hash,
                to_timestamp(ingested_at),
                _source_value(post),
            ),
        )

    async def set_published(
        self,
        transaction: Transaction,
        guild_id: int,
        post_id: int,
        published: datetime,
        source: DateSource,
    ) -> bool:
        """Give a post of the guild its publication date; False when there is no such post."""
        return (
            await transaction.execute(
                "UPDATE posts SET published_at = ?, published_ts = ?, published_source = ?"
                " WHERE guild_id = ? AND id = ?",
                (published.isoformat(), to_timestamp(published), source.value, guild_id, post_id),
            )
            == 1
        )

    async def lock(
        self, transaction: Transaction, guild_id: int, post_id: int
    ) -> StoredPost | None:
        """Read one post of the guild inside a write transaction."""
        row = await transaction.fetch_one(
            f"SELECT {_COLUMNS} FROM posts WHERE guild_id = ? AND id = ?", (guild_id, post_id)
        )
        return row_to_post(row) if row else None

    async def get(self, guild_id: int, post_id: int) -> StoredPost | None:
        """One post of the guild, or None (also when the id belongs to another guild)."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM posts WHERE guild_id = ? AND id = ?", (guild_id, post_id)
        )
        return row_to_post(row) if row else None

    async def list(
        self,
        guild_id: int,
        *,
        limit: int = 50,
        offset: int = 0,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[StoredPost]:
        """Posts of a guild, newest first (by published date, then ingestion)."""
        clauses = ["guild_id = ?"]
        parameters: list[object] = [guild_id]
        if since is not None:
            clauses.append("COALESCE(published_ts, ingested_ts) >= ?")
            parameters.append(to_timestamp(since))
        if until is not None:
            clauses.append("COALESCE(published_ts, ingested_ts) < ?")
            parameters.append(to_timestamp(until))
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM posts WHERE {' AND '.join(clauses)}"
            " ORDER BY COALESCE(published_ts, ingested_ts) DESC, id DESC LIMIT ? OFFSET ?",
            (*parameters, limit, offset),
        )
        return [row_to_post(row) for row in rows]

    async def count_between(self, guild_id: int, since: datetime, until: datetime) -> int:
        """How many posts of the guild were published (or, undated, ingested) in [since, until)."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM posts WHERE guild_id = ?"
            " AND COALESCE(published_ts, ingested_ts) >= ? AND COALESCE(published_ts, ingested_ts) < ?",
            (guild_id, to_timestamp(since), to_timestamp(until)),
        )
        return int(row["n"]) if row else 0

    async def count(self, guild_id: int) -> int:
        """How many posts the guild has."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM posts WHERE guild_id = ?", (guild_id,)
        )
        return int(row["n"]) if row else 0

    async def titles_by_source(self, guild_id: int, sources: list[str]) -> dict[str, str]:
        """The title of the latest post stored from each source (files and pasted text are
        named by their title where a reader sees them)."""
        titles: dict[str, str] = {}
        untitled: list[str] = []
        for start in range(0, len(sources), 500):
            chunk = sources[start : start + 500]
            # Each source's newest post, found in posts_guild_source(_id) alone, then only
            # those posts are read: reading every post of a source to keep the last title read
            # the big guild's 3.5k pasted texts (90 ms on PostgreSQL).
            rows = await self._db.fetch_all(
                "SELECT source, title FROM posts WHERE id IN (SELECT MAX(id) FROM posts"
                f" WHERE guild_id = ? AND source IN ({', '.join('?' for _ in chunk)})"
                " GROUP BY source)",
                (guild_id, *chunk),
            )
            titles.update({row["source"]: row["title"] for row in rows if row["title"]})
            untitled += [row["source"] for row in rows if not row["title"]]
        for start in range(0, len(untitled), 500):
            # A newest post without a title (rare): the latest titled one names the source.
            chunk = untitled[start : start + 500]
            rows = await self._db.fetch_all(
                "SELECT source, title FROM posts WHERE guild_id = ? AND source IN"
                f" ({', '.join('?' for _ in chunk)}) AND title IS NOT NULL AND title != ''"
                " ORDER BY id",
                (guild_id, *chunk),
            )
            titles.update({row["source"]: row["title"] for row in rows})
        return titles

    async def recent_titled(
        self, guild_id: int, fragment: str, limit: int = 25, window: int = 5000
    ) -> list[StoredPost]:
        """Among the guild's newest `window` posts, those whose title contains `fragment`,
        newest first (autocomplete: quick, and recent posts are what people look for)."""
        pattern = _contains(fragment)
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM posts WHERE id IN (SELECT id FROM (SELECT id, title FROM posts"
            " WHERE guild_id = ? ORDER BY id DESC LIMIT ?) AS recent"
            " WHERE title LIKE ? ESCAPE '\\' LIMIT ?)"
            " ORDER BY id DESC",
            (guild_id, window, pattern, limit),
        )
        return [row_to_post(row) for row in rows]

    async def search(self, guild_id: int, query: str, limit: int = 10) -> list[StoredPost]:
        """Posts whose title or text contains `query` (trigram FTS; shorter queries use LIKE)."""
        query = query.strip()
        if not query:
            return []
        if len(query) >= 3 and self._db.dialect == "sqlite":
            phrase = '"' + query.replace('"', '""') + '"'
            rows = await self._db.fetch_all(
                f"SELECT {', '.join('p.' + c.strip() for c in _COLUMNS.split(','))}"
                " FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid"
                " WHERE posts_fts MATCH ? AND p.guild_id = ? ORDER BY rank LIMIT ?",
                (phrase, guild_id, limit),
            )
        else:
            # Short queries on SQLite; every query on PostgreSQL, where pg_trgm's indexes on
            # title and text answer LIKE '%…%' directly.
            pattern = _contains(query)
            rows = await self._db.fetch_all(
                f"SELECT {_COLUMNS} FROM posts WHERE guild_id = ?"
                " AND (title LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')"
                " ORDER BY id DESC LIMIT ?",
                (guild_id, pattern, pattern, limit),
            )
        return [row_to_post(row) for row in rows]
