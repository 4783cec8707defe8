"""Digests already produced: one per guild per scheduled period (a unique key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digests.clock import from_timestamp, to_timestamp
from digests.store.database import Database, Transaction


@dataclass(frozen=True)
class DigestRecord:
    """A digest that was built for a guild."""

    id: int
    guild_id: int
    period_key: str
    period_start: datetime
    period_end: datetime
    catch_up: bool
    created_at: datetime


class DigestRepository:
    """SQL for `digests`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        period_key: str,
        period_start: datetime,
        period_end: datetime,
        catch_up: bool,
        now: datetime,
    ) -> int | None:
        """Reserve the digest of a period; None when that period already has one."""
        changed = await transaction.execute(
            "INSERT INTO digests (guild_id, period_key, period_start_ts, period_end_ts,"
            " catch_up, created_ts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                guild_id,
                period_key,
                to_timestamp(period_start),
                to_timestamp(period_end),
                int(catch_up),
                to_timestamp(now),
            ),
        )
        if changed != 1:
            return None
        row = await transaction.fetch_one(
            "SELECT id FROM digests WHERE guild_id = ? AND period_key = ?", (guild_id, period_key)
        )
        return int(row["id"]) if row else None

    async def latest(self, guild_id: int) -> DigestRecord | None:
        """The guild's most recent digest."""
        row = await self._db.fetch_one(
            "SELECT id, guild_id, period_key, period_start_ts, period_end_ts, catch_up, created_ts"
            " FROM digests WHERE guild_id = ? ORDER BY period_end_ts DESC, id DESC LIMIT 1",
            (guild_id,),
        )
        if row is None:
            return None
        return DigestRecord(
            id=row["id"],
            guild_id=row["guild_id"],
            period_key=row["period_key"],
            period_start=from_timestamp(row["period_start_ts"]),
            period_end=from_timestamp(row["period_end_ts"]),
            catch_up=bool(row["catch_up"]),
            created_at=from_timestamp(row["created_ts"]),
        )

    async def count(self, guild_id: int) -> int:
        """How many digests the guild received."""
        row = await self._db.fetch_one(
            "SELECT COUNT(*) AS n FROM digests WHERE guild_id = ?", (guild_id,)
        )
        return int(row["n"]) if row else 0
