"""Personal reminders: a member asks to be reminded of a forecast at a time of their choosing."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from digests.clock import from_timestamp, to_timestamp
from digests.store.database import Database, Transaction


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


def row_to_user_reminder(row: sqlite3.Row) -> UserReminder:
    """A UserReminder from a `user_reminders` row."""
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


class UserReminderRepository:
    """SQL for a member's own side of `user_reminders` (the sweep queues them)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
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

    async def pending(self, guild_id: int, user_id: int) -> list[UserReminder]:
        """A member's pending reminders."""
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, forecast_id, user_id, remind_ts, queued_ts, cancelled_ts FROM user_reminders"
            " WHERE guild_id = ? AND user_id = ? AND queued_ts IS NULL AND cancelled_ts IS NULL ORDER BY remind_ts",
            (guild_id, user_id),
        )
        return [row_to_user_reminder(row) for row in rows]

    async def cancel(self, guild_id: int, user_id: int, reminder_id: int, now: datetime) -> bool:
        """Cancel one of a member's reminders; False when it is not theirs or already sent."""
        return bool(
            await self._db.execute(
                "UPDATE user_reminders SET cancelled_ts = ? WHERE guild_id = ? AND user_id = ? AND id = ?"
                " AND queued_ts IS NULL AND cancelled_ts IS NULL",
                (to_timestamp(now), guild_id, user_id, reminder_id),
            )
        )
