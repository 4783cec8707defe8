"""Members' votes on forecasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digests.clock import to_timestamp
from digests.store.database import Database, Transaction


@dataclass(frozen=True)
class VoteTally:
    """Community votes on a forecast."""

    counts: dict[str, int]
    by_user: dict[int, str]

    @property
    def total(self) -> int:
        """How many members voted."""
        return sum(self.counts.values())


class VoteRepository:
    """SQL for the `votes` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

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
