"""The reminder sweep's queries: across guilds, inside the sweep's transaction."""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime

from digests.clock import from_timestamp, to_timestamp
from digests.ledger.model import ForecastRecord
from digests.store.database import Database, Transaction
from digests.store.forecasts import COLUMNS, row_to_forecast
from digests.store.scope import scope_condition
from digests.store.user_reminders import UserReminder, row_to_user_reminder


class SweepRepository:
    """SQL the reminder sweep runs: forecasts coming due, nudges, snoozes, personal reminders.

    Unscoped by guild unless given a `scope`: one sweep serves every guild of its process (all
    of them, or a shard's), and each row it returns carries its guild.

    On PostgreSQL the rows a sweep reads are locked until its transaction ends and other
    processes' sweeps skip them (`FOR UPDATE SKIP LOCKED`): processes sweeping together share
    the work instead of all waiting on the same rows. (Unique keys keep the result right either
    way; on SQLite one writer at a time has the same effect.)"""

    def __init__(self, database: Database | None = None) -> None:
        self._lock = (
            " FOR UPDATE SKIP LOCKED"
            if getattr(database, "dialect", "sqlite") == "postgresql"
            else ""
        )

    async def newly_due(
        self,
        transaction: Transaction,
        now: datetime,
        limit: int,
        scope: Container[int] | None = None,
    ) -> list[ForecastRecord]:
        """Open forecasts whose window has closed (of `scope`'s guilds)."""
        condition, parameters = scope_condition(scope)
        rows = await transaction.fetch_all(
            f"SELECT {COLUMNS} FROM forecasts WHERE status = 'open' AND due_ts <= ?"
            f" AND {condition} ORDER BY due_ts LIMIT ?{self._lock}",
            (to_timestamp(now), *parameters, limit),
        )
        return [row_to_forecast(row) for row in rows]

    async def needing_nudge(
        self,
        transaction: Transaction,
        now: datetime,
        stage: int,
        limit: int,
        scope: Container[int] | None = None,
    ) -> list[ForecastRecord]:
        """Forecasts still awaiting a verdict `stage` days after their window closed, not yet nudged
        at that stage, and not snoozed."""
        condition, parameters = scope_condition(scope)
        # forecasts_due_nudge holds only forecasts awaiting a verdict, by stage: the ones not
        # nudged at this stage yet are few, while (status, due_ts) would visit every old one.
        rows = await transaction.fetch_all(
            f"SELECT {COLUMNS} FROM forecasts INDEXED BY forecasts_due_nudge"
            " WHERE status = 'due' AND due_ts <= ? AND nudge_stage < ?"
            " AND (snoozed_until_ts IS NULL OR snoozed_until_ts <= ?)"
            f" AND {condition} ORDER BY due_ts LIMIT ?{self._lock}",
            (to_timestamp(now) - stage * 86400, stage, to_timestamp(now), *parameters, limit),
        )
        return [row_to_forecast(row) for row in rows]

    async def snooze_ended(
        self,
        transaction: Transaction,
        now: datetime,
        limit: int,
        scope: Container[int] | None = None,
    ) -> list[tuple[ForecastRecord, datetime]]:
        """Snoozed forecasts whose snooze is over (and that still await a verdict)."""
        condition, parameters = scope_condition(scope)
        rows = await transaction.fetch_all(
            f"SELECT {COLUMNS}, snoozed_until_ts FROM forecasts WHERE snoozed_until_ts IS NOT NULL"
            # The unary + keeps the planner on forecasts_snoozed (few rows), not on every
            # forecast awaiting a verdict.
            f" AND snoozed_until_ts <= ? AND +status = 'due' AND {condition}"
            f" ORDER BY snoozed_until_ts LIMIT ?{self._lock}",
            (to_timestamp(now), *parameters, limit),
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
            "UPDATE forecasts SET nudge_stage = CASE WHEN nudge_stage > ? THEN nudge_stage ELSE ? END"
            " WHERE id = ?",
            (stage, stage, forecast_id),
        )

    async def user_reminders_due(
        self,
        transaction: Transaction,
        now: datetime,
        limit: int,
        scope: Container[int] | None = None,
    ) -> list[UserReminder]:
        """Personal reminders whose time has come and were not queued."""
        condition, parameters = scope_condition(scope)
        rows = await transaction.fetch_all(
            "SELECT id, guild_id, forecast_id, user_id, remind_ts, queued_ts, cancelled_ts FROM user_reminders"
            " WHERE queued_ts IS NULL AND cancelled_ts IS NULL AND remind_ts <= ?"
            f" AND {condition} ORDER BY remind_ts LIMIT ?{self._lock}",
            (to_timestamp(now), *parameters, limit),
        )
        return [row_to_user_reminder(row) for row in rows]

    async def mark_user_reminder_queued(
        self, transaction: Transaction, reminder_id: int, now: datetime
    ) -> None:
        """A personal reminder went to the outbox."""
        await transaction.execute(
            "UPDATE user_reminders SET queued_ts = ? WHERE id = ?", (to_timestamp(now), reminder_id)
        )
