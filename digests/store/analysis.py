"""Stored analysis: summaries, theme terms and themes, quotes; corpus statistics per guild."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from digests.clock import to_timestamp
from digests.store.database import Database, Transaction


@dataclass(frozen=True)
class TermRow:
    """A candidate theme term of a post."""

    label: str
    count: int
    in_title: bool
    first_position: float
    proper: bool


@dataclass(frozen=True)
class QuoteRow:
    """A quote as stored (and as read back, with its post)."""

    text: str
    speaker: str | None
    sentence: str
    id: int | None = None
    post_id: int | None = None
    post_title: str | None = None
    source_url: str | None = None
    published_at: str | None = None


@dataclass(frozen=True)
class ThemeCount:
    """How many of a guild's posts in a period carry a theme."""

    label: str
    posts: int


# A post's effective date; spelled exactly as in the posts_guild_effective index so it is used.
_EFFECTIVE = "COALESCE(p.published_ts, p.ingested_ts)"


class AnalysisRepository:
    """SQL for `post_analysis`, `post_terms`, `post_themes` and `quotes`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def corpus_statistics(
        self, transaction: Transaction | None, guild_id: int, labels: list[str]
    ) -> tuple[int, dict[str, int]]:
        """(number of analysed posts, posts carrying each label) for the guild's corpus."""
        reader = transaction or self._db
        row = await reader.fetch_one(
            "SELECT COUNT(*) AS n FROM post_analysis WHERE guild_id = ?", (guild_id,)
        )
        size = int(row["n"]) if row else 0
        frequencies: dict[str, int] = {}
        # SQLite caps bound parameters; ask in slices.
        for start in range(0, len(labels), 500):
            chunk = labels[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await reader.fetch_all(
                f"SELECT label, COUNT(*) AS n FROM post_terms WHERE guild_id = ? AND label IN ({marks})"
                " GROUP BY label",
                (guild_id, *chunk),
            )
            frequencies.update({r["label"]: int(r["n"]) for r in rows})
        return size, frequencies

    async def save(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        post_id: int,
        summary: list[str],
        anchor: date,
        terms: list[TermRow],
        themes: list[tuple[str, float]],
        quotes: list[QuoteRow],
        now: datetime,
    ) -> None:
        """Replace a post's stored analysis (everything but its forecasts)."""
        await transaction.execute(
            "INSERT INTO post_analysis (post_id, guild_id, summary_json, anchor_date, analysed_ts)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (post_id) DO UPDATE SET summary_json ="
            " excluded.summary_json, anchor_date = excluded.anchor_date, analysed_ts ="
            " excluded.analysed_ts",
            (
                post_id,
                guild_id,
                json.dumps(summary, ensure_ascii=False),
                anchor.isoformat(),
                to_timestamp(now),
            ),
        )
        for table in ("post_terms", "post_themes", "quotes"):
            await transaction.execute(f"DELETE FROM {table} WHERE post_id = ?", (post_id,))
        await transaction.execute_many(
            "INSERT INTO post_terms (guild_id, post_id, label, count, in_title, first_position, proper)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    guild_id,
                    post_id,
                    t.label,
                    t.count,
                    int(t.in_title),
                    t.first_position,
                    int(t.proper),
                )
                for t in terms
            ],
        )
        await transaction.execute_many(
            "INSERT INTO post_themes (guild_id, post_id, rank, label, score) VALUES (?, ?, ?, ?, ?)",
            [(guild_id, post_id, rank, label, score) for rank, (label, score) in enumerate(themes)],
        )
        await transaction.execute_many(
            "INSERT INTO quotes (guild_id, post_id, position, text, speaker, sentence)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (guild_id, post_id, position, q.text, q.speaker, q.sentence)
                for position, q in enumerate(quotes)
            ],
        )

    async def summary(self, guild_id: int, post_id: int) -> list[str] | None:
        """A post's stored summary sentences."""
        row = await self._db.fetch_one(
            "SELECT summary_json FROM post_analysis WHERE guild_id = ? AND post_id = ?",
            (guild_id, post_id),
        )
        return json.loads(row["summary_json"]) if row else None

    async def themes(self, guild_id: int, post_id: int) -> list[tuple[str, float]]:
        """A post's top themes, best first."""
        rows = await self._db.fetch_all(
            "SELECT label, score FROM post_themes WHERE guild_id = ? AND post_id = ? ORDER BY rank",
            (guild_id, post_id),
        )
        return [(row["label"], row["score"]) for row in rows]

    async def theme_counts(
        self, guild_id: int, since: datetime, until: datetime, limit: int = 50
    ) -> list[ThemeCount]:
        """Themes of the guild's posts published (or, undated, ingested) in [since, until)."""
        # Driven from the period's posts (posts_guild_effective), each post's labels read from
        # post_themes_post_label; CROSS JOIN keeps that order (never all the guild's themes).
        rows = await self._db.fetch_all(
            "SELECT t.label, COUNT(DISTINCT t.post_id) AS n FROM posts p"
            " CROSS JOIN post_themes t ON t.post_id = p.id"
            " WHERE p.guild_id = ? AND t.guild_id = ?"
            f" AND {_EFFECTIVE} >= ? AND {_EFFECTIVE} < ?"
            " GROUP BY t.label ORDER BY n DESC, t.label LIMIT ?",
            (guild_id, guild_id, to_timestamp(since), to_timestamp(until), limit),
        )
        return [ThemeCount(row["label"], int(row["n"])) for row in rows]

    async def theme_counts_for(
        self, guild_id: int, labels: list[str], since: datetime, until: datetime
    ) -> dict[str, int]:
        """How many of the guild's posts published (or, undated, ingested) in [since, until)
        carry each of `labels` (0 for a label no post of the period carries)."""
        wanted = list(dict.fromkeys(labels))
        counts = dict.fromkeys(wanted, 0)
        # SQLite caps bound parameters; ask in slices.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._db.fetch_all(
                "SELECT t.label, COUNT(DISTINCT t.post_id) AS n FROM posts p"
                " CROSS JOIN post_themes t ON t.post_id = p.id"
                " WHERE p.guild_id = ? AND t.guild_id = ?"
                f" AND {_EFFECTIVE} >= ? AND {_EFFECTIVE} < ? AND t.label IN ({marks})"
                " GROUP BY t.label",
                (guild_id, guild_id, to_timestamp(since), to_timestamp(until), *chunk),
            )
            counts.update({row["label"]: int(row["n"]) for row in rows})
        return counts

    async def posts_with_theme(
        self, guild_id: int, label: str, since: datetime | None = None, limit: int = 50
    ) -> list[int]:
        """Ids of the guild's posts carrying a theme, newest first."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT t.post_id FROM post_themes t JOIN posts p ON p.id = t.post_id"
            " WHERE t.guild_id = ? AND t.label = ? AND COALESCE(p.published_ts, p.ingested_ts) >= ?"
            " ORDER BY COALESCE(p.published_ts, p.ingested_ts) DESC LIMIT ?",
            (guild_id, label, to_timestamp(since) if since else 0, limit),
        )
        return [row["post_id"] for row in rows]

    async def theme_labels(self, guild_id: int, prefix: str = "", limit: int = 25) -> list[str]:
        """Theme labels of the guild, most common first (for autocomplete)."""
        rows = await self._db.fetch_all(
            "SELECT label, COUNT(*) AS n FROM post_themes WHERE guild_id = ? AND label LIKE ?"
            " ESCAPE '\\' GROUP BY label ORDER BY n DESC LIMIT ?",
            (guild_id, _like_prefix(prefix), limit),
        )
        return [row["label"] for row in rows]

    async def quotes_between(
        self, guild_id: int, since: datetime, until: datetime, limit: int = 20
    ) -> list[QuoteRow]:
        """Quotes of posts published (or ingested) in [since, until), attributed ones first."""
        # Driven from the period's posts (posts_guild_effective), not from all the guild's quotes.
        rows = await self._db.fetch_all(
            "SELECT q.id, q.post_id, q.text, q.speaker, q.sentence, p.title, p.canonical_url,"
            " p.published_at FROM posts p CROSS JOIN quotes q ON q.post_id = p.id"
            f" WHERE p.guild_id = ? AND q.guild_id = ? AND {_EFFECTIVE} >= ? AND {_EFFECTIVE} < ?"
            " ORDER BY q.speaker IS NULL, LENGTH(q.text) BETWEEN 20 AND 200 DESC, q.id LIMIT ?",
            (guild_id, guild_id, to_timestamp(since), to_timestamp(until), limit),
        )
        return [
            QuoteRow(
                text=row["text"],
                speaker=row["speaker"],
                sentence=row["sentence"],
                id=row["id"],
                post_id=row["post_id"],
                post_title=row["title"],
                source_url=row["canonical_url"],
                published_at=row["published_at"],
            )
            for row in rows
        ]

    async def quotes(
        self,
        guild_id: int,
        *,
        theme: str | None = None,
        speaker: str | None = None,
        query: str | None = None,
        limit: int = 10,
    ) -> list[QuoteRow]:
        """The guild's quotes, newest posts first, filtered by theme, speaker or text."""
        clauses = ["q.guild_id = ?"]
        parameters: list[object] = [guild_id]
        if theme:
            clauses.append(
                "q.post_id IN (SELECT post_id FROM post_themes WHERE guild_id = ? AND label = ?)"
            )
            parameters += [guild_id, theme]
        if speaker:
            clauses.append("q.speaker LIKE ? ESCAPE '\\'")
            parameters.append(_like_contains(speaker))
        if query:
            clauses.append("(q.text LIKE ? ESCAPE '\\' OR q.sentence LIKE ? ESCAPE '\\')")
            parameters += [_like_contains(query), _like_contains(query)]
        rows = await self._db.fetch_all(
            "SELECT q.id, q.post_id, q.text, q.speaker, q.sentence, p.title, p.canonical_url,"
            " p.published_at FROM quotes q JOIN posts p ON p.id = q.post_id"
            f" WHERE {' AND '.join(clauses)}"
            " ORDER BY COALESCE(p.published_ts, p.ingested_ts) DESC, q.position LIMIT ?",
            (*parameters, limit),
        )
        return [
            QuoteRow(
                text=row["text"],
                speaker=row["speaker"],
                sentence=row["sentence"],
                id=row["id"],
                post_id=row["post_id"],
                post_title=row["title"],
                source_url=row["canonical_url"],
                published_at=row["published_at"],
            )
            for row in rows
        ]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_prefix(text: str) -> str:
    return _escape_like(text) + "%"


def _like_contains(text: str) -> str:
    return "%" + _escape_like(text) + "%"
