"""Stored analysis: summaries, theme terms and themes, quotes; corpus statistics per guild."""

from __future__ import annotations

import itertools
import json
import sqlite3
import string
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
_QUOTE_COLUMNS = (
    "q.id, q.post_id, q.text, q.speaker, q.sentence, p.title, p.canonical_url, p.published_at"
)
# Up to this many theme rows, a query filtered by theme starts from the theme's posts.
_FEW_THEME_POSTS = 2000
# Text-filtered quotes are first looked for among this many of the newest posts.
_RECENT_POSTS = 500
# Theme autocomplete without a prefix ranks the themes of this many of the newest posts.
_RECENT_THEME_POSTS = 2000
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


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

    async def set_anchor(
        self, transaction: Transaction, guild_id: int, post_id: int, anchor: date, now: datetime
    ) -> None:
        """Record the date a post's relative expressions are now read against (re-dating)."""
        await transaction.execute(
            "UPDATE post_analysis SET anchor_date = ?, analysed_ts = ? WHERE guild_id = ?"
            " AND post_id = ?",
            (anchor.isoformat(), to_timestamp(now), guild_id, post_id),
        )

    async def anchor(self, guild_id: int, post_id: int) -> date | None:
        """The date a post's relative expressions were read against, if it was analysed."""
        row = await self._db.fetch_one(
            "SELECT anchor_date FROM post_analysis WHERE guild_id = ? AND post_id = ?",
            (guild_id, post_id),
        )
        return date.fromisoformat(row["anchor_date"]) if row else None

    async def summary(self, guild_id: int, post_id: int) -> list[str] | None:
        """A post's stored summary sentences."""
        row = await self._db.fetch_one(
            "SELECT summary_json FROM post_analysis WHERE guild_id = ? AND post_id = ?",
            (guild_id, post_id),
        )
        return json.loads(row["summary_json"]) if row else None

    async def summaries(self, guild_id: int, post_ids: list[int]) -> dict[int, list[str]]:
        """The stored summary sentences of several posts at once (posts without an analysis
        are left out)."""
        found: dict[int, list[str]] = {}
        wanted = list(dict.fromkeys(post_ids))
        # SQLite caps bound parameters; ask in slices.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = await self._db.fetch_all(
                "SELECT post_id, summary_json FROM post_analysis"
                f" WHERE guild_id = ? AND post_id IN ({','.join('?' * len(chunk))})",
                (guild_id, *chunk),
            )
            found.update({row["post_id"]: json.loads(row["summary_json"]) for row in rows})
        return found

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
        # theme_periods holds one row per post and label with the post's effective date: the
        # period's rows are one range of theme_periods_guild_effective (migration 0014), read
        # from the index alone, and counting them counts posts.
        rows = await self._db.fetch_all(
            "SELECT label, COUNT(*) AS n FROM theme_periods"
            " INDEXED BY theme_periods_guild_effective"
            " WHERE guild_id = ? AND effective_ts >= ? AND effective_ts < ?"
            " GROUP BY label ORDER BY n DESC, label LIMIT ?",
            (guild_id, to_timestamp(since), to_timestamp(until), limit),
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
            # Each label's posts of the period in theme_periods (one row per post and theme,
            # by the post's effective date; migration 0011): not every theme row of every post
            # of the period.
            rows = await self._db.fetch_all(
                "SELECT label, COUNT(*) AS n FROM theme_periods"
                f" WHERE guild_id = ? AND label IN ({marks})"
                " AND effective_ts >= ? AND effective_ts < ? GROUP BY label",
                (guild_id, *chunk, to_timestamp(since), to_timestamp(until)),
            )
            counts.update({row["label"]: int(row["n"]) for row in rows})
        return counts

    async def theme_counts_in_periods(
        self, guild_id: int, labels: list[str], edges: list[datetime]
    ) -> list[dict[str, int]]:
        """`theme_counts_for` of each period between consecutive `edges` (increasing), in one
        query: one dict per period, oldest first, 0 for a label no post of it carries."""
        if any(later <= earlier for earlier, later in itertools.pairwise(edges)):
            raise ValueError("period edges must increase")
        wanted = list(dict.fromkeys(labels))
        periods = [dict.fromkeys(wanted, 0) for _ in edges[1:]]
        if not periods or not wanted:
            return periods
        stamps = [to_timestamp(edge) for edge in edges]
        # Which period a row falls in: the first edge it lies before (the range bounds it).
        bucket = (
            "CASE "
            + " ".join(f"WHEN effective_ts < ? THEN {index}" for index in range(len(periods)))
            + " END"
        )
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = await self._db.fetch_all(
                f"SELECT label, {bucket} AS period, COUNT(*) AS n FROM theme_periods"
                f" WHERE guild_id = ? AND label IN ({','.join('?' * len(chunk))})"
                " AND effective_ts >= ? AND effective_ts < ? GROUP BY label, period",
                (*stamps[1:], guild_id, *chunk, stamps[0], stamps[-1]),
            )
            for row in rows:
                periods[int(row["period"])][row["label"]] = int(row["n"])
        return periods

    async def posts_with_theme(
        self, guild_id: int, label: str, since: datetime | None = None, limit: int = 50
    ) -> list[int]:
        """Ids of the guild's posts carrying a theme, newest first."""
        since_ts = to_timestamp(since) if since else 0
        if await self._theme_posts(guild_id, label) > _FEW_THEME_POSTS:
            # A common theme: walk the newest posts (posts_guild_effective) and stop at `limit`.
            rows = await self._db.fetch_all(
                f"SELECT p.id AS post_id FROM posts p WHERE p.guild_id = ? AND {_EFFECTIVE} >= ?"
                " AND EXISTS (SELECT 1 FROM post_themes t WHERE t.post_id = p.id"
                f" AND t.guild_id = ? AND t.label = ?) ORDER BY {_EFFECTIVE} DESC LIMIT ?",
                (guild_id, since_ts, guild_id, label, limit),
            )
            return [row["post_id"] for row in rows]
        rows = await self._db.fetch_all(
            # The effective date is selected too (it is the post's: DISTINCT still keeps one
            # row per post), as PostgreSQL orders a DISTINCT only by what it selects.
            "SELECT DISTINCT t.post_id, COALESCE(p.published_ts, p.ingested_ts) AS effective"
            " FROM post_themes t JOIN posts p ON p.id = t.post_id"
            " WHERE t.guild_id = ? AND t.label = ? AND COALESCE(p.published_ts, p.ingested_ts) >= ?"
            " ORDER BY COALESCE(p.published_ts, p.ingested_ts) DESC LIMIT ?",
            (guild_id, label, since_ts, limit),
        )
        return [row["post_id"] for row in rows]

    async def theme_labels(self, guild_id: int, prefix: str = "", limit: int = 25) -> list[str]:
        """Theme labels of the guild, most common first (for autocomplete). Without a prefix,
        "most common" is among the guild's newest _RECENT_THEME_POSTS posts (all its posts in
        a smaller guild): the themes it writes about now, found without counting every theme
        row it ever stored; any older theme comes up as soon as a prefix is typed."""
        if not prefix:
            recent = await self._recent_theme_labels(guild_id, limit)
            if recent is not None:
                return recent
            # LIKE '%' matches every label: count them all without calling LIKE on each row.
            rows = await self._db.fetch_all(
                "SELECT label, COUNT(*) AS n FROM post_themes WHERE guild_id = ?"
                " GROUP BY label ORDER BY n DESC LIMIT ?",
                (guild_id, limit),
            )
        elif self._db.dialect == "sqlite" and (bounds := _nocase_prefix_range(prefix)) is not None:
            # LIKE folds ASCII case like NOCASE does, so its matches lie in this NOCASE range
            # of post_themes_guild_label_nocase; LIKE still decides.
            rows = await self._db.fetch_all(
                "SELECT label, COUNT(*) AS n FROM post_themes"
                " INDEXED BY post_themes_guild_label_nocase WHERE guild_id = ?"
                " AND label COLLATE NOCASE >= ? AND label COLLATE NOCASE < ?"
                " AND label LIKE ? ESCAPE '\\' GROUP BY label ORDER BY n DESC LIMIT ?",
                (guild_id, *bounds, _like_prefix(prefix), limit),
            )
        elif self._db.dialect == "postgresql" and (bounds := _ascii_fold_prefix_range(prefix)):
            # The same range over post_themes_guild_label_folded (migration 0014): lower() of a
            # label under the "C" collation folds ASCII letters only, as SQLite's NOCASE does,
            # and orders by code point. A short prefix (one Hangul syllable matches ~4% of the
            # theme rows) is then a range of that index read by itself, not trigram candidates
            # read from the table. The range alone decides: for a prefix of ASCII and uncaseable
            # characters it holds exactly what ILIKE 'prefix%' matches (but for a label starting
            # with a non-ASCII letter ILIKE folds to ASCII, such as the Kelvin sign to k).
            rows = await self._db.fetch_all(
                "SELECT label, COUNT(*) AS n FROM post_themes WHERE guild_id = ?"
                ' AND lower(label COLLATE "C") >= ? AND lower(label COLLATE "C") < ?'
                " GROUP BY label ORDER BY n DESC LIMIT ?",
                (guild_id, *bounds, limit),
            )
        else:
            # (On PostgreSQL, post_themes_label_trgm serves this ILIKE 'prefix%'.)
            rows = await self._db.fetch_all(
                "SELECT label, COUNT(*) AS n FROM post_themes WHERE guild_id = ? AND label LIKE ?"
                " ESCAPE '\\' GROUP BY label ORDER BY n DESC LIMIT ?",
                (guild_id, _like_prefix(prefix), limit),
            )
        return [row["label"] for row in rows]

    async def _recent_theme_labels(self, guild_id: int, limit: int) -> list[str] | None:
        """The `limit` labels carried by most of the guild's newest _RECENT_THEME_POSTS posts
        (theme_periods_guild_effective from that post's date on); None when the guild has no
        more posts than that, or its newest posts carry fewer than `limit` labels: then all
        its theme rows are counted instead."""
        cutoff = await self._db.fetch_one(
            f"SELECT {_EFFECTIVE} AS since FROM posts p WHERE p.guild_id = ?"
            f" ORDER BY {_EFFECTIVE} DESC LIMIT 1 OFFSET ?",
            (guild_id, _RECENT_THEME_POSTS),
        )
        if cutoff is None:
            return None
        rows = await self._db.fetch_all(
            "SELECT label, COUNT(*) AS n FROM theme_periods"
            " INDEXED BY theme_periods_guild_effective WHERE guild_id = ? AND effective_ts > ?"
            " GROUP BY label ORDER BY n DESC, label LIMIT ?",
            (guild_id, cutoff["since"], limit),
        )
        return [row["label"] for row in rows] if len(rows) >= limit else None

    async def quotes_between(
        self, guild_id: int, since: datetime, until: datetime, limit: int = 20
    ) -> list[QuoteRow]:
        """Quotes of posts published (or ingested) in [since, until), attributed ones first."""
        # Driven from the period's posts (posts_guild_effective), each post's quotes read by
        # post id (the unary + keeps the planner off quotes_guild, all the guild's quotes).
        quotes = "CROSS JOIN quotes q ON q.post_id = p.id"
        if self._db.dialect == "postgresql":
            # PostgreSQL priced a week's 825 lookups by post id above reading all 128k quotes
            # for a hash join (37-57 ms in EXPLAIN ANALYZE); a LATERAL subquery (OFFSET 0
            # keeps it from being flattened into that join) looks each post's quotes up by
            # its unique (post_id, position).
            quotes = ", LATERAL (SELECT * FROM quotes WHERE quotes.post_id = p.id OFFSET 0) AS q"
        rows = await self._db.fetch_all(
            "SELECT q.id, q.post_id, q.text, q.speaker, q.sentence, p.title, p.canonical_url,"
            f" p.published_at FROM posts p {quotes}"
            f" WHERE p.guild_id = ? AND +q.guild_id = ? AND {_EFFECTIVE} >= ? AND {_EFFECTIVE} < ?"
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
        text_clauses: list[str] = []
        text_parameters: list[object] = []
        if speaker:
            text_clauses.append("q.speaker LIKE ? ESCAPE '\\'")
            text_parameters.append(_like_contains(speaker))
        if query:
            text_clauses.append("(q.text LIKE ? ESCAPE '\\' OR q.sentence LIKE ? ESCAPE '\\')")
            text_parameters += [_like_contains(query), _like_contains(query)]
        if theme and await self._theme_posts(guild_id, theme) <= _FEW_THEME_POSTS:
            # A rare theme: start from its posts rather than walk the guild's newest posts.
            rows = await self._db.fetch_all(
                f"SELECT {_QUOTE_COLUMNS} FROM (SELECT DISTINCT post_id FROM post_themes"
                " WHERE guild_id = ? AND label = ?) AS themed"
                " CROSS JOIN quotes q ON q.post_id = themed.post_id JOIN posts p ON p.id = q.post_id"
                f" WHERE {' AND '.join(['+q.guild_id = ?', *text_clauses])}"
                f" ORDER BY {_EFFECTIVE} DESC, q.position LIMIT ?",
                (guild_id, theme, guild_id, *text_parameters, limit),
            )
            return [_quote_row(row) for row in rows]
        # Otherwise walk the guild's posts newest first (posts_guild_effective) and stop after
        # `limit` quotes: quick whenever matches are common.
        clauses = ["p.guild_id = ?", "+q.guild_id = ?"]
        parameters: list[object] = [guild_id, guild_id]
        if theme:
            clauses.append(
                "EXISTS (SELECT 1 FROM post_themes t WHERE t.post_id = p.id AND t.guild_id = ?"
                " AND t.label = ?)"
            )
            parameters += [guild_id, theme]
        newest_first = (
            f"SELECT {_QUOTE_COLUMNS} FROM posts p CROSS JOIN quotes q ON q.post_id = p.id"
            " WHERE {where}"
            f" ORDER BY {_EFFECTIVE} DESC, q.position LIMIT ?"
        )
        if not text_clauses:
            rows = await self._db.fetch_all(
                newest_first.format(where=" AND ".join(clauses)), (*parameters, limit)
            )
            return [_quote_row(row) for row in rows]
        # Text filters may match rarely, and walking every post would then cost more than
        # scanning the quotes. Try the newest posts first (all posts as recent as the
        # _RECENT_POSTS-th newest): enough matches there are the answer, as every other post
        # is older; otherwise scan all the guild's quotes.
        window = await self._db.fetch_one(
            f"SELECT {_EFFECTIVE} AS since FROM posts p WHERE p.guild_id = ?"
            f" ORDER BY {_EFFECTIVE} DESC LIMIT 1 OFFSET ?",
            (guild_id, _RECENT_POSTS - 1),
        )
        if window is not None:
            rows = await self._db.fetch_all(
                newest_first.format(
                    where=" AND ".join([*clauses, f"{_EFFECTIVE} >= ?", *text_clauses])
                ),
                (*parameters, window["since"], *text_parameters, limit),
            )
            if len(rows) >= limit:
                return [_quote_row(row) for row in rows]
        theme_clause = (
            ["q.post_id IN (SELECT post_id FROM post_themes WHERE guild_id = ? AND label = ?)"]
            if theme
            else []
        )
        rows = await self._db.fetch_all(
            f"SELECT {_QUOTE_COLUMNS} FROM quotes q JOIN posts p ON p.id = q.post_id"
            f" WHERE {' AND '.join(['q.guild_id = ?', *theme_clause, *text_clauses])}"
            f" ORDER BY {_EFFECTIVE} DESC, q.position LIMIT ?",
            (guild_id, *([guild_id, theme] if theme else []), *text_parameters, limit),
        )
        return [_quote_row(row) for row in rows]

    async def _theme_posts(self, guild_id: int, label: str) -> int:
        """How many of the guild's theme rows carry `label`, counted up to one more than
        _FEW_THEME_POSTS (enough to pick a query plan; a common theme's 11k rows are not)."""
        return await count_theme_rows(self._db, guild_id, label, _FEW_THEME_POSTS + 1)


async def count_theme_rows(database: Database, guild_id: int, label: str, cap: int) -> int:
    """How many of the guild's theme rows carry `label`, but at most `cap`."""
    row = await database.fetch_one(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM post_themes WHERE guild_id = ? AND label = ?"
        " LIMIT ?) AS capped",
        (guild_id, label, cap),
    )
    return int(row["n"]) if row else 0


def _quote_row(row: sqlite3.Row) -> QuoteRow:
    return QuoteRow(
        text=row["text"],
        speaker=row["speaker"],
        sentence=row["sentence"],
        id=row["id"],
        post_id=row["post_id"],
        post_title=row["title"],
        source_url=row["canonical_url"],
        published_at=row["published_at"],
    )


def _nocase_prefix_range(prefix: str) -> tuple[str, str] | None:
    """[low, high) under NOCASE holding every label that `LIKE prefix || '%'` matches (SQLite's
    LIKE and NOCASE both fold ASCII letters only); None when no such bound can be written."""
    if not prefix:
        return None
    low = prefix.translate(_ASCII_LOWER)
    last = ord(low[-1]) + 1
    if last > 0x10FFFF or 0xD800 <= last <= 0xDFFF:
        return None
    return low, low[:-1] + chr(last)


def _ascii_fold_prefix_range(prefix: str) -> tuple[str, str] | None:
    """The NOCASE range of `prefix` (see `_nocase_prefix_range`) when PostgreSQL's ILIKE folds
    `prefix` exactly as that range does: every character is ASCII or has no case. A prefix
    holding another cased letter (é, Σ), which ILIKE folds too, gets None."""
    if any(not char.isascii() and char.lower() != char.upper() for char in prefix):
        return None
    return _nocase_prefix_range(prefix)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_prefix(text: str) -> str:
    return _escape_like(text) + "%"


def _like_contains(text: str) -> str:
    return "%" + _escape_like(text) + "%"
