"""The forecast ledger's rows: insert from analysis (idempotent), manual additions, lookups."""

from __future__ import annotations

import sqlite3
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
