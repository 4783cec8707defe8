"""Members' subscriptions to a forecast's reminders."""

from __future__ import annotations

from datetime import datetime

from digests.clock import to_timestamp
from digests.ledger.model import ForecastRecord
from digests.store.database import Database, Transaction
from digests.store.forecasts import PREFIXED_COLUMNS, row_to_forecast


class SubscriptionRepository:
    """SQL for the `subscriptions` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

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
                "INSERT INTO subscriptions (guild_id, forecast_id, user_id, created_ts)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
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

    async def subscribed(self, guild_id: int, user_id: int) -> list[ForecastRecord]:
        """Open forecasts a member asked to be pinged about, soonest due first."""
        rows = await self._db.fetch_all(
            # A member's subscriptions first (subscriptions_user), not every open forecast.
            f"SELECT {PREFIXED_COLUMNS} FROM subscriptions s CROSS JOIN forecasts f ON f.id = s.forecast_id"
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
