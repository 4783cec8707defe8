"""Short exclusive leases on named pieces of work, shared by every process of one store.

A lease is taken in one statement that succeeds only when nobody holds the name, the holder
is the same worker, or the holder's lease ran out: two processes can never both hold it, and a
process that died blocks the work only until its lease ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digests.clock import from_timestamp, to_timestamp
from digests.store.database import Database


@dataclass(frozen=True)
class Lease:
    """Who holds a piece of work, until when."""

    name: str
    guild_id: int
    holder: str
    until: datetime


class LeaseRepository:
    """SQL for `leases`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def take(
        self, name: str, *, guild_id: int, holder: str, now: datetime, until: datetime
    ) -> bool:
        """Hold `name` for `holder` until `until`; False when another live holder has it."""
        changed = await self._db.execute(
            "INSERT INTO leases (name, guild_id, holder, until_ts) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " until_ts = excluded.until_ts, guild_id = excluded.guild_id"
            " WHERE leases.holder = excluded.holder OR leases.until_ts <= ?",
            (name, guild_id, holder, to_timestamp(until), to_timestamp(now)),
        )
        return changed == 1

    async def release(self, name: str, *, holder: str) -> bool:
        """Give `name` up (only its holder can); True when it was held by `holder`."""
        return (
            await self._db.execute(
                "DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder)
            )
            == 1
        )

    async def get(self, name: str) -> Lease | None:
        """The lease on `name`, expired or not, if any."""
        row = await self._db.fetch_one(
            "SELECT name, guild_id, holder, until_ts FROM leases WHERE name = ?", (name,)
        )
        if row is None:
            return None
        return Lease(row["name"], row["guild_id"], row["holder"], from_timestamp(row["until_ts"]))
