"""The delivery outbox: every message the bot sends goes through here, exactly once.

Rows are created in the same transaction as the state change that causes them, with a unique
dedupe key, so the same reminder can never be queued twice. A sender claims a row (pending →
sending), delivers, and marks it sent; rows left in `sending` by a crash are handed back.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from digests.clock import from_timestamp, to_timestamp
from digests.store.database import Database, Transaction

_COLUMNS = (
    "id, guild_id, dedupe_key, kind, destination, destination_id, forecast_id, digest_id,"
    " payload_json, status, attempts, next_attempt_ts, last_error, late, created_ts, sent_ts"
)


@dataclass(frozen=True)
class OutboxMessage:
    """A queued delivery."""

    id: int
    guild_id: int
    dedupe_key: str
    kind: str
    destination: str  # channel|user
    destination_id: int | None
    forecast_id: int | None
    digest_id: int | None
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    late: bool
    created_at: datetime
    sent_at: datetime | None


def _row(row: sqlite3.Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        guild_id=row["guild_id"],
        dedupe_key=row["dedupe_key"],
        kind=row["kind"],
        destination=row["destination"],
        destination_id=row["destination_id"],
        forecast_id=row["forecast_id"],
        digest_id=row["digest_id"],
        payload=json.loads(row["payload_json"]),
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=from_timestamp(row["next_attempt_ts"]),
        last_error=row["last_error"],
        late=bool(row["late"]),
        created_at=from_timestamp(row["created_ts"]),
        sent_at=from_timestamp(row["sent_ts"]) if row["sent_ts"] is not None else None,
    )


class OutboxRepository:
    """SQL for `outbox`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def enqueue(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        dedupe_key: str,
        kind: str,
        destination: str,
        destination_id: int | None,
        payload: dict[str, Any],
        now: datetime,
        forecast_id: int | None = None,
        digest_id: int | None = None,
        late: bool = False,
    ) -> bool:
        """Queue a delivery unless one with the same key exists; True when queued."""
        changed = await transaction.execute(
            "INSERT OR IGNORE INTO outbox (guild_id, dedupe_key, kind, destination, destination_id,"
            " forecast_id, digest_id, payload_json, next_attempt_ts, late, created_ts)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                dedupe_key,
                kind,
                destination,
                destination_id,
                forecast_id,
                digest_id,
                json.dumps(payload, ensure_ascii=False, default=str),
                to_timestamp(now),
                int(late),
                to_timestamp(now),
            ),
        )
        return changed == 1

    async def claim(
        self, now: datetime, limit: int = 20, guild_ids: set[int] | None = None
    ) -> list[OutboxMessage]:
        """Take pending deliveries whose time has come (they become `sending`)."""
        async with self._db.transaction() as transaction:
            rows = await transaction.fetch_all(
                f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_ts <= ?"
                " ORDER BY next_attempt_ts, id LIMIT ?",
                (to_timestamp(now), limit * 4 if guild_ids is not None else limit),
            )
            messages = [_row(row) for row in rows]
            if guild_ids is not None:
                messages = [m for m in messages if m.guild_id in guild_ids][:limit]
            for message in messages:
                await transaction.execute(
                    "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
                    (message.id,),
                )
        # As claimed: `attempts` counts this attempt too (backoff and the give-up limit use it).
        return [replace(m, status="sending", attempts=m.attempts + 1) for m in messages]

    async def mark_sent(self, message_id: int, now: datetime) -> None:
        """The delivery happened."""
        await self._db.execute(
            "UPDATE outbox SET status = 'sent', sent_ts = ?, last_error = NULL WHERE id = ?",
            (to_timestamp(now), message_id),
        )

    async def retry_later(self, message_id: int, when: datetime, error: str) -> None:
        """The delivery failed for now: try again at `when`."""
        await self._db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_ts = ?, last_error = ? WHERE id = ?",
            (to_timestamp(when), error, message_id),
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        """The delivery cannot happen (refused destination, too many attempts)."""
        await self._db.execute(
            "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", (error, message_id)
        )

    async def release_stale(self) -> int:
        """Hand back rows a crashed sender left in `sending`; returns how many."""
        return await self._db.execute(
            "UPDATE outbox SET status = 'pending' WHERE status = 'sending'"
        )

    async def cancel_for_forecast(self, transaction: Transaction, forecast_id: int) -> int:
        """Drop unsent reminders of a forecast's due date (it was resolved or re-dated). Personal
        reminders stay: a member chose their time, and they are sent for judged forecasts too."""
        return await transaction.execute(
            "UPDATE outbox SET status = 'cancelled' WHERE forecast_id = ? AND status = 'pending'"
            " AND kind != 'personal'",
            (forecast_id,),
        )

    async def hold_destination(
        self, guild_id: int, destination_id: int, until: datetime, reason: str
    ) -> int:
        """Keep everything queued for a refused destination, to retry once it is fixed."""
        return await self._db.execute(
            "UPDATE outbox SET next_attempt_ts = ?, last_error = ? WHERE guild_id = ?"
            " AND destination = 'channel' AND destination_id = ? AND status = 'pending'",
            (to_timestamp(until), reason, guild_id, destination_id),
        )

    async def redirect_channel_reminders(
        self, guild_id: int, previous: int | None, channel_id: int, now: datetime
    ) -> int:
        """Unsent channel reminders of a guild go to its new reminder channel, now."""
        return await self._db.execute(
            "UPDATE outbox SET destination_id = ?, next_attempt_ts = ? WHERE guild_id = ?"
            " AND destination = 'channel' AND kind IN ('reminder', 'followup', 'snooze')"
            " AND status = 'pending' AND (destination_id IS ? OR destination_id IS NULL)",
            (channel_id, to_timestamp(now), guild_id, previous),
        )

    async def release_destination(self, guild_id: int, destination_id: int, now: datetime) -> int:
        """Deliver held messages for a destination now (its problem was fixed), and those that
        were waiting for the guild to choose a channel at all."""
        return await self._db.execute(
            "UPDATE outbox SET next_attempt_ts = ? WHERE guild_id = ? AND destination = 'channel'"
            " AND (destination_id = ? OR destination_id IS NULL) AND status = 'pending'",
            (to_timestamp(now), guild_id, destination_id),
        )

    async def list(
        self, guild_id: int, *, status: str | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        """The guild's deliveries, newest first."""
        if status is None:
            rows = await self._db.fetch_all(
                f"SELECT {_COLUMNS} FROM outbox WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
                (guild_id, limit),
            )
        else:
            rows = await self._db.fetch_all(
                f"SELECT {_COLUMNS} FROM outbox WHERE guild_id = ? AND status = ? ORDER BY id DESC LIMIT ?",
                (guild_id, status, limit),
            )
        return [_row(row) for row in rows]

    async def get(self, message_id: int) -> OutboxMessage | None:
        """One delivery by id."""
        row = await self._db.fetch_one(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (message_id,))
        return _row(row) if row else None
