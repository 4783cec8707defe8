"""The forecast ledger's rows: insert from analysis (idempotent), manual additions, lookups."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from digests.clock import from_timestamp, to_timestamp
from digests.store.database import Database, Transaction

COLUMNS = (
    "id, guild_id, post_id, origin, fingerprint, sentence, claim, speaker, timex, due_start,"
    " due_end, due_ts, granularity, kind, hedge, confidence, probability, source_label,"
    " source_url, author, added_by, status, outcome, resolved_by, resolved_ts, evidence, note,"
    " created_ts, updated_ts"
)


@dataclass(frozen=True)
class NewForecast:
    """A forecast to write: from a post's analysis or typed in by a member."""

    fingerprint: str
    sentence: str
    claim: str
    speaker: str | None
    timex: str | None
    due_start: date | None
    due_end: date | None
    due_at: datetime | None  # when the window closes, in the guild's timezone
    granularity: str | None
    kind: str
    hedge: str
    confidence: float
    source_label: str | None = None
    source_url: str | None = None
    author: str | None = None
    probability: float | None = None
    added_by: int | None = None


@dataclass(frozen=True)
class ForecastRecord:
    """A ledger row."""

    id: int
    guild_id: int
    post_id: int | None
    origin: str
    fingerprint: str
    sentence: str
    claim: str
    speaker: str | None
    timex: str | None
    due_start: date | None
    due_end: date | None
    due_at: datetime | None
    granularity: str | None
    kind: str
    hedge: str
    confidence: float
    probability: float | None
    source_label: str | None
    source_url: str | None
    author: str | None
    added_by: int | None
    status: str
    outcome: str | None
    resolved_by: int | None
    resolved_at: datetime | None
    evidence: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime


def row_to_forecast(row: sqlite3.Row) -> ForecastRecord:
    """A ForecastRecord from a row selected with COLUMNS."""
    return ForecastRecord(
        id=row["id"],
        guild_id=row["guild_id"],
        post_id=row["post_id"],
        origin=row["origin"],
        fingerprint=row["fingerprint"],
        sentence=row["sentence"],
        claim=row["claim"],
        speaker=row["speaker"],
        timex=row["timex"],
        due_start=date.fromisoformat(row["due_start"]) if row["due_start"] else None,
        due_end=date.fromisoformat(row["due_end"]) if row["due_end"] else None,
        due_at=from_timestamp(row["due_ts"]) if row["due_ts"] is not None else None,
        granularity=row["granularity"],
        kind=row["kind"],
        hedge=row["hedge"],
        confidence=row["confidence"],
        probability=row["probability"],
        source_label=row["source_label"],
        source_url=row["source_url"],
        author=row["author"],
        added_by=row["added_by"],
        status=row["status"],
        outcome=row["outcome"],
        resolved_by=row["resolved_by"],
        resolved_at=from_timestamp(row["resolved_ts"]) if row["resolved_ts"] is not None else None,
        evidence=row["evidence"],
        note=row["note"],
        created_at=from_timestamp(row["created_ts"]),
        updated_at=from_timestamp(row["updated_ts"]),
    )


def _values(forecast: NewForecast) -> tuple[object, ...]:
    return (
        forecast.sentence,
        forecast.claim,
        forecast.speaker,
        forecast.timex,
        forecast.due_start.isoformat() if forecast.due_start else None,
        forecast.due_end.isoformat() if forecast.due_end else None,
        to_timestamp(forecast.due_at) if forecast.due_at else None,
        forecast.granularity,
        forecast.kind,
        forecast.hedge,
        forecast.confidence,
        forecast.probability,
        forecast.source_label,
        forecast.source_url,
        forecast.author,
        forecast.added_by,
    )


_WRITE_COLUMNS = (
    "sentence, claim, speaker, timex, due_start, due_end, due_ts, granularity, kind, hedge,"
    " confidence, probability, source_label, source_url, author, added_by"
)


class ForecastRepository:
    """SQL for the `forecasts` table (the ledger's workflow tables come with the ledger)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def replace_for_post(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        post_id: int,
        forecasts: list[NewForecast],
        now: datetime,
    ) -> int:
        """Write a post's analysed forecasts: same fingerprint updates (unless already judged),
        new ones are added, and open ones the analysis no longer finds are dropped."""
        stamp = to_timestamp(now)
        for forecast in forecasts:
            await transaction.execute(
                f"INSERT INTO forecasts (guild_id, post_id, origin, fingerprint, {_WRITE_COLUMNS},"
                " created_ts, updated_ts) VALUES (?, ?, 'analysis', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, fingerprint) DO UPDATE SET"
                " sentence = excluded.sentence, claim = excluded.claim, speaker = excluded.speaker,"
                " timex = excluded.timex, due_start = excluded.due_start, due_end = excluded.due_end,"
                " due_ts = excluded.due_ts, granularity = excluded.granularity, kind = excluded.kind,"
                " hedge = excluded.hedge, confidence = excluded.confidence,"
                " source_label = excluded.source_label, source_url = excluded.source_url,"
                " author = excluded.author, updated_ts = excluded.updated_ts"
                " WHERE forecasts.status != 'resolved'",
                (guild_id, post_id, forecast.fingerprint, *_values(forecast), stamp, stamp),
            )
        keep = [forecast.fingerprint for forecast in forecasts]
        marks = ",".join("?" * len(keep)) or "''"
        await transaction.execute(
            "DELETE FROM forecasts WHERE guild_id = ? AND post_id = ? AND origin = 'analysis'"
            f" AND status = 'open' AND fingerprint NOT IN ({marks})",
            (guild_id, post_id, *keep),
        )
        return len(forecasts)

    async def add_manual(
        self, transaction: Transaction, *, guild_id: int, forecast: NewForecast, now: datetime
    ) -> int:
        """Insert a forecast a member typed in; return its id."""
        stamp = to_timestamp(now)
        return await transaction.insert(
            f"INSERT INTO forecasts (guild_id, post_id, origin, fingerprint, {_WRITE_COLUMNS},"
            " created_ts, updated_ts) VALUES (?, NULL, 'manual', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, forecast.fingerprint, *_values(forecast), stamp, stamp),
        )

    async def get(self, guild_id: int, forecast_id: int) -> ForecastRecord | None:
        """One forecast of the guild (None for another guild's id)."""
        row = await self._db.fetch_one(
            f"SELECT {COLUMNS} FROM forecasts WHERE guild_id = ? AND id = ?",
            (guild_id, forecast_id),
        )
        return row_to_forecast(row) if row else None

    async def for_post(self, guild_id: int, post_id: int) -> list[ForecastRecord]:
        """A post's forecasts in the order they were found."""
        rows = await self._db.fetch_all(
            f"SELECT {COLUMNS} FROM forecasts WHERE guild_id = ? AND post_id = ? ORDER BY id",
            (guild_id, post_id),
        )
        return [row_to_forecast(row) for row in rows]

    async def count(self, guild_id: int) -> int:
        """How many forecasts the guild's ledger holds."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM forecasts WHERE guild_id = ?", (guild_id,)
        )
        return int(row["n"]) if row else 0


@dataclass(frozen=True)
class ForecastEvent:
    """One step of a forecast's history."""

    id: int
    kind: str
    actor: int | None
    payload: dict[str, object]
    created_at: datetime


@dataclass(frozen=True)
class VoteTally:
    """Community votes on a forecast."""

    counts: dict[str, int]
    by_user: dict[int, str]

    @property
    def total(self) -> int:
        """How many members voted."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class UserReminder:
    """A member's request to be reminded of a forecast at a time of their choosing."""

    id: int
    guild_id: int
    forecast_id: int
    user_id: int
    remind_at: datetime
    queued_at: datetime | None
    cancelled_at: datetime | None


@dataclass(frozen=True)
class TrackRecordRow:
    """Resolved forecasts of one source, author or speaker."""

    key: str
    resolved: int
    correct: int
    partly: int
    wrong: int
    brier: float | None
    with_probability: int

    @property
    def share_correct(self) -> float | None:
        """Correct share among judged forecasts (partly counts half)."""
        judged = self.correct + self.partly + self.wrong
        return (self.correct + 0.5 * self.partly) / judged if judged else None


_LEDGER_FILTERS = {
    "open": "f.status = 'open'",
    "due": "f.status = 'due'",
    "resolved": "f.status = 'resolved'",
    "undated": "f.due_end IS NULL AND f.status != 'resolved'",
    "all": "1 = 1",
}
_SCORE_KEYS = {
    "source": "COALESCE(p.source, f.source_url, 'manual')",
    "author": "COALESCE(f.author, 'unknown author')",
    "speaker": "COALESCE(f.speaker, f.author, 'the author')",
}
# Up to this many posts carrying a theme, a ledger listing by theme starts from those posts.
_FEW_THEME_POSTS = 2000
_F_COLUMNS = ", ".join(f"f.{column.strip()}" for column in COLUMNS.split(","))


# Up to this many forecasts found by the trigram index, a source filter checks just those.
_FEW_SOURCE_MATCHES = 1000
_WINDOW = 8  # characters of a source text looked up at a time (six trigrams)


def _search_windows(text: str) -> list[str]:
    """The start, middle and end of a text, `_WINDOW` characters each (the text if shorter)."""
    if len(text) <= _WINDOW:
        return [text]
    middle = (len(text) - _WINDOW) // 2
    return list(dict.fromkeys([text[:_WINDOW], text[middle : middle + _WINDOW], text[-_WINDOW:]]))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class LedgerRepository:
    """SQL for the ledger's workflow: listing, judging, votes, subscriptions, reminders."""

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
            row = await self._db.fetch_one(
                "SELECT COUNT(*) AS n FROM post_themes WHERE guild_id = ? AND label = ?",
                (guild_id, theme),
            )
            if row is not None and int(row["n"]) <= _FEW_THEME_POSTS:
                source_table = (
                    "(SELECT DISTINCT post_id FROM post_themes WHERE guild_id = ? AND label = ?)"
                    " AS themed CROSS JOIN forecasts f ON f.post_id = themed.post_id"
                )
                parameters = [guild_id, theme, guild_id]
            else:
                clauses.append(
                    "EXISTS (SELECT 1 FROM post_themes t WHERE t.post_id = f.post_id"
                    " AND t.guild_id = ? AND t.label = ?)"
                )
                parameters += [guild_id, theme]
        if source:
            pattern = "%" + _escape_like(source) + "%"
            candidates = await self._source_candidates(guild_id, source)
            if candidates is None:
                # A common text: walking the ledger in its order meets matches soon. The posts
                # whose source matches are found once (posts_guild_source), instead of looking
                # up every forecast's post (a forecast's post is always of its guild).
                clauses.append(
                    "(f.source_label LIKE ? ESCAPE '\\' OR f.source_url LIKE ? ESCAPE '\\'"
                    " OR f.author LIKE ? ESCAPE '\\' OR f.post_id IN (SELECT id FROM posts"
                    " WHERE guild_id = ? AND source LIKE ? ESCAPE '\\'))"
                )
                parameters += [pattern, pattern, pattern, guild_id, pattern]
            else:
                # A rare text: only the forecasts the trigram index found can match. They are
                # read by id (CROSS JOIN keeps that order) and each is checked exactly as above,
                # its post looked up by id.
                if source_table == "forecasts f":
                    source_table = (
                        "json_each(?) AS candidate CROSS JOIN forecasts f ON f.id = candidate.value"
                    )
                    parameters.insert(0, json.dumps(candidates))
                else:
                    clauses.append("f.id IN (SELECT value FROM json_each(?))")
                    parameters.append(json.dumps(candidates))
                clauses.append(
                    "(f.source_label LIKE ? ESCAPE '\\' OR f.source_url LIKE ? ESCAPE '\\'"
                    " OR f.author LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM posts p"
                    " WHERE p.id = f.post_id AND p.guild_id = ? AND p.source LIKE ? ESCAPE '\\'))"
                )
                parameters += [pattern, pattern, pattern, guild_id, pattern]
        if query:
            clauses.append("(f.claim LIKE ? ESCAPE '\\' OR f.sentence LIKE ? ESCAPE '\\')")
            pattern = "%" + _escape_like(query) + "%"
            parameters += [pattern, pattern]
        # The order is served by forecasts_guild_due_order / _status_due_order / _undated.
        rows = await self._db.fetch_all(
            f"SELECT {_F_COLUMNS} FROM {source_table}"
            f" WHERE {' AND '.join(clauses)}"
            " ORDER BY f.due_ts IS NULL, f.due_ts, f.id LIMIT ? OFFSET ?",
            (*parameters, limit, offset),
        )
        return [row_to_forecast(row) for row in rows]

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
    ) -> list[ForecastRecord]:
        """Forecasts whose `column` (created_ts, due_ts or resolved_ts) falls in [since, until)."""
        if column not in {"created_ts", "due_ts", "resolved_ts"}:
            raise ValueError(column)
        status_clause = " AND status = ?" if status else ""
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
    ) -> int:
        """How many forecasts `between` would return without a limit."""
        if column not in {"created_ts", "due_ts", "resolved_ts"}:
            raise ValueError(column)
        status_clause = " AND status = ?" if status else ""
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
        """How many forecasts wait for a verdict."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM forecasts WHERE guild_id = ? AND status = 'due'", (guild_id,)
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
            " nudge_stage = -1, snoozed_until_ts = NULL, updated_ts = ? WHERE id = ?",
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

    # --- votes and subscriptions ----------------------------------------------------------------

    async def vote(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        forecast_id: int,
        user_id: int,
        outcome: str,
        now: datetime,
    ) -> None:
        """Record (or change) a member's vote."""
        await transaction.execute(
            "INSERT INTO votes (guild_id, forecast_id, user_id, outcome, voted_ts) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (forecast_id, user_id) DO UPDATE SET outcome = excluded.outcome, voted_ts = excluded.voted_ts",
            (guild_id, forecast_id, user_id, outcome, to_timestamp(now)),
        )

    async def tally(self, guild_id: int, forecast_id: int) -> VoteTally:
        """Votes on a forecast."""
        rows = await self._db.fetch_all(
            "SELECT user_id, outcome FROM votes WHERE guild_id = ? AND forecast_id = ?",
            (guild_id, forecast_id),
        )
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
        return VoteTally(counts, {row["user_id"]: row["outcome"] for row in rows})

    async def subscribe(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        forecast_id: int,
        user_id: int,
        now: datetime,
    ) -> bool:
        """Add a member to a forecast's reminders; False when already there."""
        return (
            await transaction.execute(
                "INSERT OR IGNORE INTO subscriptions (guild_id, forecast_id, user_id, created_ts) VALUES (?, ?, ?, ?)",
                (guild_id, forecast_id, user_id, to_timestamp(now)),
            )
            == 1
        )

    async def unsubscribe(self, guild_id: int, forecast_id: int, user_id: int) -> bool:
        """Remove a member from a forecast's reminders."""
        return bool(
            await self._db.execute(
                "DELETE FROM subscriptions WHERE guild_id = ? AND forecast_id = ? AND user_id = ?",
                (guild_id, forecast_id, user_id),
            )
        )

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

    async def subscribed(self, guild_id: int, user_id: int) -> list[ForecastRecord]:
        """Open forecasts a member asked to be pinged about, soonest due first."""
        rows = await self._db.fetch_all(
            # A member's subscriptions first (subscriptions_user), not every open forecast.
            f"SELECT {_F_COLUMNS} FROM subscriptions s CROSS JOIN forecasts f ON f.id = s.forecast_id"
            " WHERE s.guild_id = ? AND s.user_id = ? AND f.guild_id = ? AND f.status = 'open'"
            " ORDER BY f.due_ts IS NULL, f.due_ts, f.id",
            (guild_id, user_id, guild_id),
        )
        return [row_to_forecast(row) for row in rows]

    async def subscribers(self, transaction: Transaction, forecast_id: int) -> list[int]:
        """Members subscribed to a forecast."""
        rows = await transaction.fetch_all(
            "SELECT user_id FROM subscriptions WHERE forecast_id = ? ORDER BY created_ts",
            (forecast_id,),
        )
        return [row["user_id"] for row in rows]

    # --- personal reminders --------------------------------------------------------------------

    async def add_user_reminder(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        forecast_id: int,
        user_id: int,
        remind_at: datetime,
        now: datetime,
    ) -> int:
        """A member asks to be reminded of a forecast at `remind_at`."""
        return await transaction.insert(
            "INSERT INTO user_reminders (guild_id, forecast_id, user_id, remind_ts, created_ts) VALUES (?, ?, ?, ?, ?)",
            (guild_id, forecast_id, user_id, to_timestamp(remind_at), to_timestamp(now)),
        )

    async def user_reminders(self, guild_id: int, user_id: int) -> list[UserReminder]:
        """A member's pending reminders."""
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, forecast_id, user_id, remind_ts, queued_ts, cancelled_ts FROM user_reminders"
            " WHERE guild_id = ? AND user_id = ? AND queued_ts IS NULL AND cancelled_ts IS NULL ORDER BY remind_ts",
            (guild_id, user_id),
        )
        return [_user_reminder(row) for row in rows]

    async def cancel_user_reminder(
        self, guild_id: int, user_id: int, reminder_id: int, now: datetime
    ) -> bool:
        """Cancel one of a member's reminders; False when it is not theirs or already sent."""
        return bool(
            await self._db.execute(
                "UPDATE user_reminders SET cancelled_ts = ? WHERE guild_id = ? AND user_id = ? AND id = ?"
                " AND queued_ts IS NULL AND cancelled_ts IS NULL",
                (to_timestamp(now), guild_id, user_id, reminder_id),
            )
        )

    # --- the reminder sweep (across guilds) ----------------------------------------------------

    async def newly_due(
        self, transaction: Transaction, now: datetime, limit: int
    ) -> list[ForecastRecord]:
        """Open forecasts whose window has closed."""
        rows = await transaction.fetch_all(
            f"SELECT {COLUMNS} FROM forecasts WHERE status = 'open' AND due_ts <= ? ORDER BY due_ts LIMIT ?",
            (to_timestamp(now), limit),
        )
        return [row_to_forecast(row) for row in rows]

    async def needing_nudge(
        self, transaction: Transaction, now: datetime, stage: int, limit: int
    ) -> list[ForecastRecord]:
        """Forecasts still awaiting a verdict `stage` days after their window closed, not yet nudged
        at that stage, and not snoozed."""
        # forecasts_due_nudge holds only forecasts awaiting a verdict, by stage: the ones not
        # nudged at this stage yet are few, while (status, due_ts) would visit every old one.
        rows = await transaction.fetch_all(
            f"SELECT {COLUMNS} FROM forecasts INDEXED BY forecasts_due_nudge"
            " WHERE status = 'due' AND due_ts <= ? AND nudge_stage < ?"
            " AND (snoozed_until_ts IS NULL OR snoozed_until_ts <= ?) ORDER BY due_ts LIMIT ?",
            (to_timestamp(now) - stage * 86400, stage, to_timestamp(now), limit),
        )
        return [row_to_forecast(row) for row in rows]

    async def snooze_ended(
        self, transaction: Transaction, now: datetime, limit: int
    ) -> list[tuple[ForecastRecord, datetime]]:
        """Snoozed forecasts whose snooze is over (and that still await a verdict)."""
        rows = await transaction.fetch_all(
            f"SELECT {COLUMNS}, snoozed_until_ts FROM forecasts WHERE snoozed_until_ts IS NOT NULL"
            # The unary + keeps the planner on forecasts_snoozed (few rows), not on every
            # forecast awaiting a verdict.
            " AND snoozed_until_ts <= ? AND +status = 'due' ORDER BY snoozed_until_ts LIMIT ?",
            (to_timestamp(now), limit),
        )
        return [(row_to_forecast(row), from_timestamp(row["snoozed_until_ts"])) for row in rows]

    async def clear_snooze(self, transaction: Transaction, forecast_id: int) -> None:
        """The snooze was answered with a nudge."""
        await transaction.execute(
            "UPDATE forecasts SET snoozed_until_ts = NULL WHERE id = ?", (forecast_id,)
        )

    async def mark_due(
        self, transaction: Transaction, forecast_id: int, stage: int, now: datetime
    ) -> None:
        """The window closed and the first reminder is queued."""
        await transaction.execute(
            "UPDATE forecasts SET status = 'due', nudge_stage = ?, updated_ts = ? WHERE id = ?",
            (stage, to_timestamp(now), forecast_id),
        )

    async def set_nudge_stage(self, transaction: Transaction, forecast_id: int, stage: int) -> None:
        """Remember the last follow-up queued (a stage never goes back; re-dating resets it)."""
        await transaction.execute(
            "UPDATE forecasts SET nudge_stage = MAX(nudge_stage, ?) WHERE id = ?",
            (stage, forecast_id),
        )

    async def user_reminders_due(
        self, transaction: Transaction, now: datetime, limit: int
    ) -> list[UserReminder]:
        """Personal reminders whose time has come and were not queued."""
        rows = await transaction.fetch_all(
            "SELECT id, guild_id, forecast_id, user_id, remind_ts, queued_ts, cancelled_ts FROM user_reminders"
            " WHERE queued_ts IS NULL AND cancelled_ts IS NULL AND remind_ts <= ? ORDER BY remind_ts LIMIT ?",
            (to_timestamp(now), limit),
        )
        return [_user_reminder(row) for row in rows]

    async def mark_user_reminder_queued(
        self, transaction: Transaction, reminder_id: int, now: datetime
    ) -> None:
        """A personal reminder went to the outbox."""
        await transaction.execute(
            "UPDATE user_reminders SET queued_ts = ? WHERE id = ?", (to_timestamp(now), reminder_id)
        )

    # --- track record ---------------------------------------------------------------------------

    async def verdict_marker(self, guild_id: int) -> tuple[int, int | None]:
        """How many verdicts a guild has and when the latest was given: it changes whenever a
        verdict is given, changed or undone, so a track record computed for it stays valid."""
        # resolved_ts is set exactly while a verdict stands, so forecasts_guild_resolved
        # answers this from the index alone.
        row = await self._db.fetch_one(
            "SELECT COUNT(resolved_ts) AS n, MAX(resolved_ts) AS latest FROM forecasts"
            " WHERE guild_id = ? AND resolved_ts IS NOT NULL",
            (guild_id,),
        )
        return (int(row["n"]), row["latest"]) if row else (0, None)

    async def track_record(self, guild_id: int, by: str, limit: int = 20) -> list[TrackRecordRow]:
        """Resolved forecasts grouped by source, author or speaker, with Brier scores."""
        key = _SCORE_KEYS[by]
        # Resolved forecasts are read from forecasts_guild_track_record alone; the posts are
        # joined only when the key needs their source.
        source = "forecasts f"
        if by == "source":
            # posts_id_source answers each post's source without reading the post itself.
            source += " LEFT JOIN posts p INDEXED BY posts_id_source ON p.id = f.post_id"
        rows = await self._db.fetch_all(
            f"SELECT {key} AS k, COUNT(*) AS resolved,"
            " SUM(f.outcome = 'correct') AS correct, SUM(f.outcome = 'partly') AS partly,"
            " SUM(f.outcome = 'wrong') AS wrong,"
            " AVG(CASE WHEN f.probability IS NOT NULL AND f.outcome IN ('correct', 'wrong', 'partly') THEN"
            "   (f.probability - CASE f.outcome WHEN 'correct' THEN 1.0 WHEN 'partly' THEN 0.5 ELSE 0.0 END)"
            "   * (f.probability - CASE f.outcome WHEN 'correct' THEN 1.0 WHEN 'partly' THEN 0.5 ELSE 0.0 END)"
            " END) AS brier,"
            " SUM(f.probability IS NOT NULL AND f.outcome IN ('correct', 'wrong', 'partly')) AS with_probability"
            f" FROM {source}"
            " WHERE f.guild_id = ? AND f.status = 'resolved' AND f.outcome != 'withdrawn'"
            " GROUP BY k ORDER BY resolved DESC, k LIMIT ?",
            (guild_id, limit),
        )
        return [
            TrackRecordRow(
                key=row["k"],
                resolved=int(row["resolved"]),
                correct=int(row["correct"] or 0),
                partly=int(row["partly"] or 0),
                wrong=int(row["wrong"] or 0),
                brier=row["brier"],
                with_probability=int(row["with_probability"] or 0),
            )
            for row in rows
        ]


def _user_reminder(row: sqlite3.Row) -> UserReminder:
    return UserReminder(
        id=row["id"],
        guild_id=row["guild_id"],
        forecast_id=row["forecast_id"],
        user_id=row["user_id"],
        remind_at=from_timestamp(row["remind_ts"]),
        queued_at=from_timestamp(row["queued_ts"]) if row["queued_ts"] is not None else None,
        cancelled_at=from_timestamp(row["cancelled_ts"])
        if row["cancelled_ts"] is not None
        else None,
    )
