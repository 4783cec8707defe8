"""The delivery outbox: every message the bot sends goes through here, exactly once.

Rows are created in the same transaction as the state change that causes them, with a unique
dedupe key, so the same reminder can never be queued twice. A sender claims rows (pending →
sending) under a batch key — the rows one Discord message carries — delivers, and marks them
sent; rows left in `sending` by a crash are handed back marked `unconfirmed`, so the next
attempt looks for the message before sending it again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Container, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digests.clock import from_timestamp, to_timestamp
from digests.outbox_payloads import OutboxPayload, payload_json, read_payload
from digests.store.database import Database, Transaction

_COLUMNS = (
    "id, guild_id, dedupe_key, kind, destination, destination_id, forecast_id, digest_id,"
    " payload_json, status, attempts, next_attempt_ts, last_error, late, created_ts, sent_ts,"
    " batch_key, unconfirmed"
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
    payload: dict[str, Any]  # as stored; `body` is the typed reading
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    late: bool
    created_at: datetime
    sent_at: datetime | None
    batch_key: str | None = None  # the rows sent as one message share it (set when claimed)
    unconfirmed: bool = False  # an earlier send may have gone out unconfirmed: look first

    @property
    def body(self) -> OutboxPayload:
        """The typed payload, upgraded from the version that wrote it (PayloadError if it
        cannot be read)."""
        return read_payload(self.kind, self.payload)


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
        batch_key=row["batch_key"],
        unconfirmed=bool(row["unconfirmed"]),
    )


def _placeholders(ids: Sequence[int]) -> str:
    return ", ".join("?" for _ in ids)


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
        destination: str,
        destination_id: int | None,
        payload: OutboxPayload,
        now: datetime,
        forecast_id: int | None = None,
        digest_id: int | None = None,
        late: bool = False,
    ) -> bool:
        """Queue a delivery unless one with the same key exists; True when queued. The row's
        kind is the payload's."""
        changed = await transaction.execute(
            "INSERT INTO outbox (guild_id, dedupe_key, kind, destination, destination_id,"
            " forecast_id, digest_id, payload_json, next_attempt_ts, late, created_ts)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (
                guild_id,
                dedupe_key,
                payload.kind,
                destination,
                destination_id,
                forecast_id,
                digest_id,
                json.dumps(payload_json(payload), ensure_ascii=False),
                to_timestamp(now),
                int(late),
                to_timestamp(now),
            ),
        )
        return changed == 1

    async def due(self, transaction: Transaction, now: datetime, limit: int) -> list[OutboxMessage]:
        """Pending rows whose time has come, oldest first (all guilds: callers filter)."""
        rows = await transaction.fetch_all(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_ts <= ?"
            " ORDER BY next_attempt_ts, id LIMIT ?",
            (to_timestamp(now), limit),
        )
        return [_row(row) for row in rows]

    async def due_unbatched(
        self,
        transaction: Transaction,
        now: datetime,
        *,
        guild_id: int,
        kind: str,
        destination: str,
        destination_id: int | None,
        limit: int,
    ) -> list[OutboxMessage]:
        """Due pending rows of one guild, kind and destination never claimed before, oldest
        first: the members of a group, however they fall in the order of `due`."""
        rows = await transaction.fetch_all(
            f"SELECT {_COLUMNS} FROM outbox WHERE guild_id = ? AND kind = ? AND destination = ?"
            " AND destination_id IS ? AND status = 'pending' AND batch_key IS NULL"
            " AND next_attempt_ts <= ? ORDER BY id LIMIT ?",
            (guild_id, kind, destination, destination_id, to_timestamp(now), limit),
        )
        return [_row(row) for row in rows]

    async def pending_batch(
        self, transaction: Transaction, guild_id: int, batch_key: str
    ) -> list[OutboxMessage]:
        """The still pending rows of a batch (a member cancelled since is left out)."""
        rows = await transaction.fetch_all(
            f"SELECT {_COLUMNS} FROM outbox WHERE guild_id = ? AND batch_key = ?"
            " AND status = 'pending' ORDER BY id",
            (guild_id, batch_key),
        )
        return [_row(row) for row in rows]

    async def start_sending(
        self, transaction: Transaction, ids: Sequence[int], batch_key: str
    ) -> int:
        """Claim pending rows as one message (pending → sending, one more attempt). A row keeps
        the batch key it was first claimed under."""
        return await transaction.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1,"
            f" batch_key = COALESCE(batch_key, ?) WHERE status = 'pending' AND id IN ({_placeholders(ids)})",
            (batch_key, *ids),
        )

    async def mark_sent(self, ids: Sequence[int], now: datetime) -> None:
        """The delivery happened."""
        await self._db.execute(
            "UPDATE outbox SET status = 'sent', sent_ts = ?, last_error = NULL, unconfirmed = 0"
            f" WHERE id IN ({_placeholders(ids)})",
            (to_timestamp(now), *ids),
        )

    async def retry_later(
        self, ids: Sequence[int], when: datetime, error: str, *, unconfirmed: bool = False
    ) -> None:
        """The delivery failed for now: try again at `when`. `unconfirmed`: it may have gone
        out all the same, so the next attempt looks for it first."""
        await self._db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_ts = ?, last_error = ?,"
            f" unconfirmed = CASE WHEN unconfirmed > ? THEN unconfirmed ELSE ? END"
            f" WHERE id IN ({_placeholders(ids)})",
            (to_timestamp(when), error, int(unconfirmed), int(unconfirmed), *ids),
        )

    async def mark_failed(self, ids: Sequence[int], error: str) -> None:
        """The delivery cannot happen (unreadable, or too many attempts)."""
        await self._db.execute(
            f"UPDATE outbox SET status = 'failed', last_error = ? WHERE id IN ({_placeholders(ids)})",
            (error, *ids),
        )

    async def release_stale(self, guild_ids: Container[int] | None = None) -> int:
        """Hand back rows a stopped sender left in `sending` (of `guild_ids`, or all), marked
        unconfirmed: the sender may have stopped after Discord took the message."""
        async with self._db.transaction() as transaction:
            rows = await transaction.fetch_all(
                "SELECT id, guild_id FROM outbox WHERE status = 'sending'"
            )
            ids = [row["id"] for row in rows if guild_ids is None or row["guild_id"] in guild_ids]
            if not ids:
                return 0
            return await transaction.execute(
                "UPDATE outbox SET status = 'pending', unconfirmed = 1"
                f" WHERE status = 'sending' AND id IN ({_placeholders(ids)})",
                ids,
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
