"""The forecast ledger's rows: insert from analysis (idempotent), manual additions, lookups.

The ledger's other aggregates have their own modules: `ledger` (listing, verdicts, history,
export), `votes`, `subscriptions`, `user_reminders`, `sweep` and `track_record`."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from digests.clock import from_timestamp, to_timestamp
from digests.ledger.model import ForecastRecord
from digests.store.database import Database, Transaction

COLUMNS = (
    "id, guild_id, post_id, origin, fingerprint, sentence, claim, speaker, timex, due_start,"
    " due_end, due_ts, granularity, kind, hedge, confidence, probability, source_label,"
    " source_url, author, added_by, status, outcome, resolved_by, resolved_ts, evidence, note,"
    " created_ts, updated_ts, needs_date"
)
# COLUMNS for a query that names the forecasts table `f`.
PREFIXED_COLUMNS = ", ".join(f"f.{column.strip()}" for column in COLUMNS.split(","))


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
        needs_date=bool(row["needs_date"]),
    )


def _values(forecast: ForecastRecord) -> tuple[object, ...]:
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
        int(forecast.needs_date),
    )


_WRITE_COLUMNS = (
    "sentence, claim, speaker, timex, due_start, due_end, due_ts, granularity, kind, hedge,"
    " confidence, probability, source_label, source_url, author, added_by, needs_date"
)
_WRITE_MARKS = ", ".join("?" * len(_WRITE_COLUMNS.split(",")))


class ForecastRepository:
    """SQL for the `forecasts` table's rows (the ledger's workflow has its own repositories)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def replace_for_post(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        post_id: int,
        forecasts: list[ForecastRecord],
        now: datetime,
    ) -> int:
        """Write a post's analysed forecasts: same fingerprint updates (unless already judged),
        new ones are added, and open ones the analysis no longer finds are dropped."""
        stamp = to_timestamp(now)
        for forecast in forecasts:
            if (forecast.guild_id, forecast.post_id, forecast.origin) != (
                guild_id,
                post_id,
                "analysis",
            ):
                raise ValueError(f"forecast {forecast.fingerprint} is not one of post {post_id}'s")
            await transaction.execute(
                f"INSERT INTO forecasts (guild_id, post_id, origin, fingerprint, {_WRITE_COLUMNS},"
                f" created_ts, updated_ts) VALUES (?, ?, 'analysis', ?, {_WRITE_MARKS}, ?, ?)"
                " ON CONFLICT (guild_id, fingerprint) DO UPDATE SET"
                " sentence = excluded.sentence, claim = excluded.claim, speaker = excluded.speaker,"
                " timex = excluded.timex, due_start = excluded.due_start, due_end = excluded.due_end,"
                " due_ts = excluded.due_ts, granularity = excluded.granularity, kind = excluded.kind,"
                " hedge = excluded.hedge, confidence = excluded.confidence,"
                " source_label = excluded.source_label, source_url = excluded.source_url,"
                " author = excluded.author, needs_date = excluded.needs_date,"
                " updated_ts = excluded.updated_ts WHERE forecasts.status != 'resolved'",
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
        self, transaction: Transaction, *, forecast: ForecastRecord, now: datetime
    ) -> int:
        """Insert a forecast a member typed in (in its guild); return its id."""
        if forecast.origin != "manual" or forecast.id is not None:
            raise ValueError("add_manual takes a new forecast typed by a member")
        stamp = to_timestamp(now)
        return await transaction.insert(
            f"INSERT INTO forecasts (guild_id, post_id, origin, fingerprint, {_WRITE_COLUMNS},"
            f" created_ts, updated_ts) VALUES (?, NULL, 'manual', ?, {_WRITE_MARKS}, ?, ?)",
            (forecast.guild_id, forecast.fingerprint, *_values(forecast), stamp, stamp),
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

    async def for_post_locked(
        self, transaction: Transaction, guild_id: int, post_id: int
    ) -> list[ForecastRecord]:
        """A post's forecasts, read inside a write transaction (re-dating a post)."""
        rows = await transaction.fetch_all(
            f"SELECT {COLUMNS} FROM forecasts WHERE guild_id = ? AND post_id = ? ORDER BY id",
            (guild_id, post_id),
        )
        return [row_to_forecast(row) for row in rows]

    async def add_found(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        post_id: int,
        forecast: ForecastRecord,
        now: datetime,
    ) -> int:
        """Insert one forecast found in a post; return its id."""
        if (forecast.guild_id, forecast.post_id, forecast.origin, forecast.id) != (
            guild_id,
            post_id,
            "analysis",
            None,
        ):
            raise ValueError(
                f"forecast {forecast.fingerprint} is not a new one of post {post_id}'s"
            )
        stamp = to_timestamp(now)
        return await transaction.insert(
            f"INSERT INTO forecasts (guild_id, post_id, origin, fingerprint, {_WRITE_COLUMNS},"
            f" created_ts, updated_ts) VALUES (?, ?, 'analysis', ?, {_WRITE_MARKS}, ?, ?)",
            (guild_id, post_id, forecast.fingerprint, *_values(forecast), stamp, stamp),
        )

    async def reanchor(
        self,
        transaction: Transaction,
        guild_id: int,
        forecast_id: int,
        *,
        forecast: ForecastRecord,
        status: str,
        now: datetime,
    ) -> None:
        """Give a forecast the window its post's (new) date implies. Its reminders start over
        for that window; its verdict, votes and subscriptions are left as they are."""
        await transaction.execute(
            "UPDATE forecasts SET due_start = ?, due_end = ?, due_ts = ?, granularity = ?,"
            " needs_date = ?, status = ?, nudge_stage = -1, snoozed_until_ts = NULL,"
            " updated_ts = ? WHERE guild_id = ? AND id = ?",
            (
                forecast.due_start.isoformat() if forecast.due_start else None,
                forecast.due_end.isoformat() if forecast.due_end else None,
                to_timestamp(forecast.due_at) if forecast.due_at else None,
                forecast.granularity,
                int(forecast.needs_date),
                status,
                to_timestamp(now),
                guild_id,
                forecast_id,
            ),
        )

    async def delete(self, transaction: Transaction, guild_id: int, forecast_ids: list[int]) -> int:
        """Remove forecasts of the guild (their votes, history and subscriptions go with them)."""
        if not forecast_ids:
            return 0
        marks = ",".join("?" * len(forecast_ids))
        return await transaction.execute(
            f"DELETE FROM forecasts WHERE guild_id = ? AND id IN ({marks})",
            (guild_id, *forecast_ids),
        )

    async def count(self, guild_id: int) -> int:
        """How many forecasts the guild's ledger holds."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM forecasts WHERE guild_id = ?", (guild_id,)
        )
        return int(row["n"]) if row else 0

    async def due_moments(self, guild_id: int) -> list[tuple[date, int]]:
        """Each (due date, stored due moment) pair among the guild's dated forecasts."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT due_end, due_ts FROM forecasts"
            " WHERE guild_id = ? AND due_end IS NOT NULL AND due_ts IS NOT NULL",
            (guild_id,),
        )
        return [(date.fromisoformat(row["due_end"]), int(row["due_ts"])) for row in rows]

    async def stored_due_moments(self) -> list[tuple[int, int]]:
        """Each distinct (guild, stored due moment) across guilds: the start-up check that due
        moments follow the timezones reads only this (from an index, not the rows)."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT guild_id, due_ts FROM forecasts WHERE due_ts IS NOT NULL"
        )
        return [(int(row["guild_id"]), int(row["due_ts"])) for row in rows]

    async def due_dates_at(self, guild_id: int, stored: int) -> list[date]:
        """The due dates of the guild's forecasts whose stored due moment is `stored`."""
        # forecasts_guild_due_order finds the moment directly when the query names its
        # "due_ts IS NULL" column; BETWEEN instead of "=" keeps SQLite from substituting the
        # value into that expression (which would hide the index).
        rows = await self._db.fetch_all(
            "SELECT DISTINCT due_end FROM forecasts WHERE guild_id = ?1 AND (due_ts IS NULL) = FALSE"
            " AND due_ts BETWEEN ?2 AND ?2 AND due_end IS NOT NULL",
            (guild_id, stored),
        )
        return [date.fromisoformat(row["due_end"]) for row in rows]

    async def move_due_moment(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        due_end: date,
        stored: int,
        due_at: datetime,
    ) -> int:
        """Set the due moment of a guild's forecasts due on `due_end` whose stored moment is
        `stored` (seconds); returns how many moved."""
        # "(due_ts IS NULL) = FALSE" lets forecasts_guild_due_order find the moment directly.
        return await transaction.execute(
            "UPDATE forecasts SET due_ts = ? WHERE guild_id = ? AND (due_ts IS NULL) = FALSE"
            " AND due_ts = ? AND due_end = ?",
            (to_timestamp(due_at), guild_id, stored, due_end.isoformat()),
        )
