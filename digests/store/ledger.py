"""The ledger's workflow over forecasts: listing, verdicts and windows, history, export."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from digests.clock import from_timestamp, to_timestamp
from digests.ledger.model import ForecastRecord
from digests.store.analysis import count_theme_rows
from digests.store.database import Database, Transaction
from digests.store.forecasts import COLUMNS, PREFIXED_COLUMNS, row_to_forecast


@dataclass(frozen=True)
class ForecastEvent:
    """One step of a forecast's history."""

    id: int
    kind: str
    actor: int | None
    payload: dict[str, object]
    created_at: datetime


# Undated statements (views: no window, not waiting for a date) are listed only when asked
# for; "all" is every tracked forecast, judged ones included, and those waiting for a date.
_LEDGER_FILTERS = {
    "open": "f.status = 'open' AND f.due_ts IS NOT NULL",
    "due": "f.status = 'due'",
    "resolved": "f.status = 'resolved'",
    "undated": "f.due_end IS NULL AND f.status != 'resolved' AND f.needs_date = 0",
    "needs-date": "f.needs_date = 1 AND f.status != 'resolved'",
    # due_ts (in the order index) settles most rows before the row itself is read.
    "all": "(f.due_ts IS NOT NULL OR f.status = 'resolved' OR f.needs_date = 1)",
    "everything": "1 = 1",
}
# Up to this many posts carrying a theme, a ledger listing by theme starts from those posts.
_FEW_THEME_POSTS = 2000


# Up to this many forecasts found by the trigram index, a source filter checks just those.
_FEW_SOURCE_MATCHES = 1000
_WINDOW = 8  # characters of a source text looked up at a time (six trigrams)
# When more posts than this have a source holding the text, the trigram lookups are skipped:
# their forecasts (three a post on the benchmark's ledger) are more than _FEW_SOURCE_MATCHES.
_MANY_SOURCE_POSTS = 300
# A PostgreSQL guild with at most this many forecasts is walked without the trigram lookup:
# the walk tests one lower-cased text per forecast (7 ms for 15k at load 5), while looking
# up a feed host in forecast_sources reads posting lists every guild's forecasts share
# (20-40 ms), whichever guild asks.
_SMALL_LEDGER = 20_000


def _search_windows(text: str) -> list[str]:
    """The start, middle and end of a text, `_WINDOW` characters each (the text if shorter)."""
    if len(text) <= _WINDOW:
        return [text]
    middle = (len(text) - _WINDOW) // 2
    return list(dict.fromkeys([text[:_WINDOW], text[middle : middle + _WINDOW], text[-_WINDOW:]]))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class LedgerRepository:
    """SQL for the ledger's workflow: listing, judging, re-dating, history and export."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def list(
        self,
        guild_id: int,
        *,
        status: str = "all",
        theme: str | None = None,
        source: str | None = None,
        query: str | None = None,
        limit: int = 25,
        offset: int = 0,
    ) -> list[ForecastRecord]:
        """The guild's forecasts, soonest due first (undated last)."""
        clauses = ["f.guild_id = ?", _LEDGER_FILTERS.get(status, "1 = 1")]
        parameters: list[object] = [guild_id]
        source_table = "forecasts f"
        if theme:
            # Walking the ledger in its order finds a common theme's forecasts quickly, but a
            # rare theme's only after most of the guild's; those start from the theme's posts.
            found = await count_theme_rows(self._db, guild_id, theme, _FEW_THEME_POSTS + 1)
            if found <= _FEW_THEME_POSTS:
                source_table = (
                    "(SELECT DISTINCT post_id FROM post_themes WHERE guild_id = ? AND label = ?)"
                    " AS themed CROSS JOIN forecasts f ON f.post_id = themed.post_id"
                )
                parameters = [guild_id, theme, guild_id]
            else:
                # A scalar subquery, not EXISTS: PostgreSQL turns EXISTS into a semi-join whose
                # plan depends on how common it guesses the label is, and the generic plan of a
                # prepared statement (after five runs) guesses an average label and starts from
                # its theme rows, sorting all of a common theme's forecasts. A scalar subquery
                # is always tested row by row along the listing order, which is what a common
                # theme (the only kind this branch sees) wants, with any label.
                clauses.append(
                    "(SELECT 1 FROM post_themes t WHERE t.post_id = f.post_id"
                    " AND t.guild_id = ? AND t.label = ? LIMIT 1) IS NOT NULL"
                )
                parameters += [guild_id, theme]
        if source:
            pattern = "%" + _escape_like(source) + "%"
            # The forecast's own label, link and author: on PostgreSQL one lower-cased text
            # (source_text, migration 0019) tested with a case-sensitive LIKE (`~~`, which
            # escapes with a backslash too) against the lower-cased pattern: what ILIKE does
            # to each of the three, without lower-casing them again on every row.
            own_sources = (
                "f.source_text ~~ lower(?)"
                if self._db.dialect == "postgresql" and "\n" not in source
                else "f.source_label LIKE ? ESCAPE '\\' OR f.source_url LIKE ? ESCAPE '\\'"
                " OR f.author LIKE ? ESCAPE '\\'"
            )
            own_patterns = [pattern] * own_sources.count("?")
            candidates = await self._source_candidates(guild_id, source)
            if candidates is None:
                # A common text: walking the ledger in its order meets matches soon. The posts
                # whose source matches are found once, instead of looking up every forecast's
                # post (a forecast's post is always of its guild): the text is matched against
                # the guild's distinct sources (post_sources, migration 0016), and each
                # matching source's posts are one range of posts_guild_source (CROSS JOIN
                # keeps SQLite from walking every post of the guild instead).
                clauses.append(
                    "(f.post_id IN (SELECT p.id FROM post_sources s CROSS JOIN posts p"
                    " ON p.guild_id = s.guild_id AND p.source = s.source"
                    f" WHERE s.guild_id = ? AND s.source LIKE ? ESCAPE '\\') OR {own_sources})"
                )
                parameters += [guild_id, pattern, *own_patterns]
            else:
                # A rare text: only the forecasts the trigram index found can match. They are
                # read by id (CROSS JOIN keeps that order) and each is checked exactly as above,
                # its post looked up by id.
                ids, id_list = self._id_list(candidates)
                if source_table == "forecasts f":
                    source_table = f"{ids} CROSS JOIN forecasts f ON f.id = candidate.value"
                    parameters.insert(0, id_list)
                else:
                    clauses.append(f"f.id IN (SELECT value FROM {ids})")
                    parameters.append(id_list)
                clauses.append(
                    f"({own_sources} OR EXISTS (SELECT 1 FROM posts p"
                    " WHERE p.id = f.post_id AND p.guild_id = ? AND p.source LIKE ? ESCAPE '\\'))"
                )
                parameters += [*own_patterns, guild_id, pattern]
        if query:
            clauses.append("(f.claim LIKE ? ESCAPE '\\' OR f.sentence LIKE ? ESCAPE '\\')")
            pattern = "%" + _escape_like(query) + "%"
            parameters += [pattern, pattern]
        # The order is served by forecasts_guild_due_order (PostgreSQL: _listing) /
        # _status_due_order / _undated.
        order = " ORDER BY f.due_ts IS NULL, f.due_ts, f.id"
        page = f"FROM {source_table} WHERE {' AND '.join(clauses)}{order} LIMIT ? OFFSET ?"
        if self._db.dialect == "postgresql":
            # PostgreSQL reads a table row for every index entry an index scan walks, matching
            # or not; SQLite tests what its index holds first. So the page's ids are found by
            # an index-only walk of forecasts_guild_listing (which holds every column the
            # filters test; migration 0014), and only the page's rows are read.
            # The page's size and offset are written into the SQL (they are integers): with
            # them as parameters, the generic plan PostgreSQL switches a prepared statement to
            # after five runs cannot tell a page from the whole ledger and joins the page to
            # forecasts by a hash over every row (516 ms instead of 9 in EXPLAIN ANALYZE).
            page = page.replace("LIMIT ? OFFSET ?", f"LIMIT {int(limit)} OFFSET {int(offset)}")
            rows = await self._db.fetch_all(
                f"SELECT {PREFIXED_COLUMNS} FROM (SELECT f.id {page}) AS page"
                f" JOIN forecasts f ON f.id = page.id{order}",
                parameters,
            )
        else:
            rows = await self._db.fetch_all(
                f"SELECT {PREFIXED_COLUMNS} {page}", (*parameters, limit, offset)
            )
        return [row_to_forecast(row) for row in rows]

    def _id_list(self, ids: list[int]) -> tuple[str, object]:
        """`ids` as a table `candidate` with one column, `value`, and its one parameter."""
        if self._db.dialect == "postgresql":
            return "unnest(CAST(? AS BIGINT[])) AS candidate (value)", ids
        return "json_each(?) AS candidate", json.dumps(ids)

    async def _source_candidates(self, guild_id: int, text: str) -> list[int] | None:
        """Ids of forecasts whose sources (label, link, author, post source) hold every trigram
        of a piece of `text`: a superset of the guild's forecasts that hold `text` (the caller
        keeps the guild's). None when the index is no help: the text is under three characters,
        or more than _FEW_SOURCE_MATCHES forecasts hold each piece looked up.

        The lookup is not narrowed to the guild on purpose: that would read every match's row
        to test its guild, and a text common in another guild would cost as much as the walk
        it replaces. The cost also grows with how common the trigrams are, so a long text is
        looked up by a few short pieces (start, middle, end) and the smallest answer is kept."""
        if len(text) < 3:
            return None
        # Posts of the guild whose source holds the text, counted from its distinct sources
        # (post_sources, migration 0016; a few rows): a feed's host is the source of many
        # posts, and then the walk meets matches soon while the lookups below would read
        # trigram posting lists shared by nearly every forecast.
        matching = (
            "SELECT COALESCE(SUM(posts), 0) AS n{ledger} FROM post_sources"
            " WHERE guild_id = ? AND source LIKE ? ESCAPE '\\'"
        )
        parameters: tuple[object, ...] = (guild_id, "%" + _escape_like(text) + "%")
        if self._db.dialect == "postgresql":
            # With the size of the guild's ledger (forecast_counts, migration 0018).
            ledger = (
                ", (SELECT COALESCE(SUM(forecasts), 0) FROM forecast_counts"
                " WHERE guild_id = ?) AS ledger"
            )
            row = await self._db.fetch_one(matching.format(ledger=ledger), (guild_id, *parameters))
        else:
            row = await self._db.fetch_one(matching.format(ledger=""), parameters)
        if row is not None and int(row["n"]) > min(_MANY_SOURCE_POSTS, _FEW_SOURCE_MATCHES):
            return None
        if self._db.dialect == "postgresql":
            if row is not None and int(row["ledger"]) <= _SMALL_LEDGER:
                return None
            # pg_trgm's index on forecast_sources answers the whole text at once.
            rows = await self._db.fetch_all(
                "SELECT forecast_id FROM forecast_sources WHERE sources LIKE ? ESCAPE '\\' LIMIT ?",
                ("%" + _escape_like(text) + "%", _FEW_SOURCE_MATCHES + 1),
            )
            return [row[0] for row in rows] if len(rows) <= _FEW_SOURCE_MATCHES else None
        best: list[int] | None = None
        for window in _search_windows(text):
            trigrams = dict.fromkeys(window[start : start + 3] for start in range(len(window) - 2))
            rows = await self._db.fetch_all(
                "SELECT rowid FROM forecast_sources WHERE forecast_sources MATCH ? LIMIT ?",
                (
                    " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams),
                    _FEW_SOURCE_MATCHES + 1,
                ),
            )
            if best is None or len(rows) < len(best):
                best = [row[0] for row in rows]
            if len(best) <= _FEW_SOURCE_MATCHES:
                break
        return best if best is not None and len(best) <= _FEW_SOURCE_MATCHES else None

    async def between(
        self,
        guild_id: int,
        column: str,
        since: datetime,
        until: datetime,
        *,
        status: str | None = None,
        limit: int = 25,
        dated_only: bool = False,
    ) -> list[ForecastRecord]:
        """Forecasts whose `column` (created_ts, due_ts or resolved_ts) falls in [since, until);
        `dated_only` leaves out those without a window (views, and those waiting for a date)."""
        if column not in {"created_ts", "due_ts", "resolved_ts"}:
            raise ValueError(column)
        status_clause = (" AND status = ?" if status else "") + (
            " AND due_ts IS NOT NULL" if dated_only else ""
        )
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM forecasts WHERE guild_id = ? AND {column} >= ? AND {column} < ?"
            f"{status_clause} ORDER BY {column}, id LIMIT ?",
            (
                guild_id,
                to_timestamp(since),
                to_timestamp(until),
                *([status] if status else []),
                limit,
            ),
        )
        return [row_to_forecast(row) for row in rows]

    async def count_between(
        self,
        guild_id: int,
        column: str,
        since: datetime,
        until: datetime,
        status: str | None = None,
        dated_only: bool = False,
    ) -> int:
        """How many forecasts `between` would return without a limit."""
        if column not in {"created_ts", "due_ts", "resolved_ts"}:
            raise ValueError(column)
        status_clause = (" AND status = ?" if status else "") + (
            " AND due_ts IS NOT NULL" if dated_only else ""
        )
        row = await self._db.fetch_one(
            f"SELECT COUNT(*) AS n FROM forecasts WHERE guild_id = ? AND {column} >= ? AND {column} < ?{status_clause}",
            (guild_id, to_timestamp(since), to_timestamp(until), *([status] if status else [])),
        )
        return int(row["n"]) if row else 0

    async def awaiting_verdict(self, guild_id: int, limit: int = 25) -> list[ForecastRecord]:
        """Forecasts whose window closed and nobody judged yet, longest waiting first."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM forecasts WHERE guild_id = ? AND status = 'due'"
            " ORDER BY due_ts, id LIMIT ?",
            (guild_id, limit),
        )
        return [row_to_forecast(row) for row in rows]

    async def count_awaiting_verdict(self, guild_id: int) -> int:
        """How many forecasts wait for a verdict (kept counted: forecast_counts, migration
        0018)."""
        row = await self._db.fetch_one(
            "SELECT COALESCE(SUM(forecasts), 0) AS n FROM forecast_counts"
            " WHERE guild_id = ? AND status = 'due'",
            (guild_id,),
        )
        return int(row["n"]) if row else 0

    async def count_overdue(self, guild_id: int, now: datetime) -> int:
        """How many forecasts await a verdict as of `now`: those marked due, plus open ones
        whose window closed before `now` (`count_awaiting_verdict` plus `count_between` of open
        due_ts before `now`, in one round trip)."""
        # Those marked due are counted as they change (forecast_counts, migration 0018: a
        # large guild has 100k of them); the open ones past their date are the few the
        # sweep has not reached yet, counted from forecasts_guild_status_due.
        row = await self._db.fetch_one(
            "SELECT (SELECT COALESCE(SUM(forecasts), 0) FROM forecast_counts"
            " WHERE guild_id = ? AND status = 'due')"
            " + (SELECT COUNT(*) FROM forecasts WHERE guild_id = ? AND due_ts >= 0"
            " AND due_ts < ? AND status = 'open') AS n",
            (guild_id, guild_id, to_timestamp(now)),
        )
        return int(row["n"]) if row else 0

    async def claims_like(self, guild_id: int, text: str, limit: int = 25) -> list[tuple[int, str]]:
        """(id, claim) of forecasts whose claim contains `text` (autocomplete)."""
        rows = await self._db.fetch_all(
            "SELECT id, claim FROM forecasts WHERE guild_id = ? AND claim LIKE ? ESCAPE '\\'"
            " ORDER BY status = 'resolved', due_ts IS NULL, due_ts LIMIT ?",
            (guild_id, "%" + _escape_like(text) + "%", limit),
        )
        return [(row["id"], row["claim"]) for row in rows]

    # --- state changes (inside the caller's transaction) -------------------------------------

    async def lock(
        self, transaction: Transaction, guild_id: int, forecast_id: int
    ) -> ForecastRecord | None:
        """Read a forecast inside a write transaction."""
        row = await transaction.fetch_one(
            f"SELECT {COLUMNS} FROM forecasts WHERE guild_id = ? AND id = ?",
            (guild_id, forecast_id),
        )
        return row_to_forecast(row) if row else None

    async def set_resolution(
        self,
        transaction: Transaction,
        forecast_id: int,
        *,
        status: str,
        outcome: str | None,
        resolved_by: int | None,
        resolved_at: datetime | None,
        evidence: str | None,
        note: str | None,
        now: datetime,
    ) -> None:
        """Write (or clear) a forecast's verdict."""
        await transaction.execute(
            "UPDATE forecasts SET status = ?, outcome = ?, resolved_by = ?, resolved_ts = ?,"
            " evidence = ?, note = ?, updated_ts = ? WHERE id = ?",
            (
                status,
                outcome,
                resolved_by,
                to_timestamp(resolved_at) if resolved_at else None,
                evidence,
                note,
                to_timestamp(now),
                forecast_id,
            ),
        )

    async def set_window(
        self,
        transaction: Transaction,
        forecast_id: int,
        *,
        due_start: date | None,
        due_end: date,
        due_at: datetime,
        granularity: str,
        status: str,
        now: datetime,
    ) -> None:
        """Move a forecast's window (re-dating); reminders start over for the new date."""
        await transaction.execute(
            "UPDATE forecasts SET due_start = ?, due_end = ?, due_ts = ?, granularity = ?, status = ?,"
            " needs_date = 0, nudge_stage = -1, snoozed_until_ts = NULL, updated_ts = ? WHERE id = ?",
            (
                due_start.isoformat() if due_start else None,
                due_end.isoformat(),
                to_timestamp(due_at),
                granularity,
                status,
                to_timestamp(now),
                forecast_id,
            ),
        )

    async def snooze(
        self, transaction: Transaction, forecast_id: int, until: datetime, now: datetime
    ) -> None:
        """Hold a forecast's nudges until `until`."""
        await transaction.execute(
            "UPDATE forecasts SET snoozed_until_ts = ?, updated_ts = ? WHERE id = ?",
            (to_timestamp(until), to_timestamp(now), forecast_id),
        )

    async def add_event(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        forecast_id: int,
        kind: str,
        actor: int | None,
        payload: dict[str, object],
        now: datetime,
    ) -> None:
        """Append to a forecast's history."""
        await transaction.execute(
            "INSERT INTO forecast_events (guild_id, forecast_id, kind, actor, payload_json, created_ts)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                forecast_id,
                kind,
                actor,
                json.dumps(payload, ensure_ascii=False, default=str),
                to_timestamp(now),
            ),
        )

    async def events(self, guild_id: int, forecast_id: int) -> list[ForecastEvent]:
        """A forecast's history, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT id, kind, actor, payload_json, created_ts FROM forecast_events"
            " WHERE guild_id = ? AND forecast_id = ? ORDER BY id",
            (guild_id, forecast_id),
        )
        return [
            ForecastEvent(
                r["id"],
                r["kind"],
                r["actor"],
                json.loads(r["payload_json"]),
                from_timestamp(r["created_ts"]),
            )
            for r in rows
        ]

    async def last_event(
        self, transaction: Transaction, forecast_id: int, kinds: tuple[str, ...]
    ) -> ForecastEvent | None:
        """The newest history step of the given kinds."""
        marks = ",".join("?" * len(kinds))
        row = await transaction.fetch_one(
            "SELECT id, kind, actor, payload_json, created_ts FROM forecast_events"
            f" WHERE forecast_id = ? AND kind IN ({marks}) ORDER BY id DESC LIMIT 1",
            (forecast_id, *kinds),
        )
        if row is None:
            return None
        return ForecastEvent(
            row["id"],
            row["kind"],
            row["actor"],
            json.loads(row["payload_json"]),
            from_timestamp(row["created_ts"]),
        )

    async def engaged(
        self,
        transaction: Transaction,
        guild_id: int,
        forecast_ids: list[int],
        *,
        ignore_events: tuple[str, ...] = (),
    ) -> set[int]:
        """Those of `forecast_ids` that members acted on: a vote, a subscription, a personal
        reminder, or a history step (a verdict, a re-date, a snooze) other than `ignore_events`."""
        if not forecast_ids:
            return set()
        marks = ",".join("?" * len(forecast_ids))
        ignored = ",".join("?" * len(ignore_events)) or "''"
        found: set[int] = set()
        for table, extra, parameters in (
            ("votes", "", ()),
            ("subscriptions", "", ()),
            ("user_reminders", " AND cancelled_ts IS NULL", ()),
            ("forecast_events", f" AND kind NOT IN ({ignored})", ignore_events),
        ):
            rows = await transaction.fetch_all(
                f"SELECT DISTINCT forecast_id FROM {table} WHERE guild_id = ?"
                f" AND forecast_id IN ({marks}){extra}",
                (guild_id, *forecast_ids, *parameters),
            )
            found.update(int(row["forecast_id"]) for row in rows)
        return found

    def export_rows(
        self, guild_id: int, fields: Sequence[str], batch: int = 1000
    ) -> Iterator[dict[str, object]]:
        """The guild's whole ledger in listing order, as plain values, one row at a time.

        Blocking: call it from a worker thread. It reads on a connection of its own
        (`Database.reader`), so however long the ledger, neither the event loop nor the shared
        connection waits for it, and only `batch` rows are in memory at once."""
        column = {"resolved_at": "resolved_ts", "created_at": "created_ts"}
        unknown = set(fields) - set(COLUMNS.replace(" ", "").split(",")) - set(column)
        if unknown:
            raise ValueError(f"unknown export fields: {sorted(unknown)}")
        timestamps = [index for index, name in enumerate(fields) if name in column]
        connection = self._db.reader()
        try:
            cursor = connection.execute(
                f"SELECT {', '.join(column.get(name, name) for name in fields)} FROM forecasts"
                " WHERE guild_id = ? ORDER BY due_ts IS NULL, due_ts, id",
                (guild_id,),
            )
            while rows := cursor.fetchmany(batch):
                for row in rows:
                    values = list(row)
                    for index in timestamps:
                        if values[index] is not None:
                            values[index] = str(from_timestamp(values[index]))
                    yield dict(zip(fields, values, strict=True))
        finally:
            connection.close()

    async def guild_of(self, forecast_id: int) -> int | None:
        """The guild a forecast belongs to. Deliberately unscoped: a button clicked in a DM
        carries only the forecast's id, and this finds the server it belongs to."""
        row = await self._db.fetch_one(
            "SELECT guild_id FROM forecasts WHERE id = ?", (forecast_id,)
        )
        return int(row["guild_id"]) if row else None
