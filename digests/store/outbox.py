"""The delivery outbox: every message the bot sends goes through here, exactly once.

Rows are created in the same transaction as the state change that causes them, with a unique
dedupe key, so the same reminder can never be queued twice. A sender claims rows (pending →
sending) under a batch key — the rows one Discord message carries — delivers, and marks them
sent; rows left in `sending` by a crash are handed back marked `unconfirmed`, so the next
attempt looks for the message before sending it again.

Several processes may share the queue. A claim records who holds the rows (`claimed_by`, the
worker's name) and until when (`lease_until_ts`). Claims are made one at a time, across
processes: on SQLite by the single writer's `BEGIN IMMEDIATE`, on PostgreSQL by a
transaction-scoped advisory lock (`lock_claims`). Row locks alone are not enough: a batch's
rows are one message with one nonce, and two claimers locking different rows of one batch
(`FOR UPDATE SKIP LOCKED`) each claimed part of it under the same key; the second part's
message then had the first part's nonce, Discord answered with the first message, and the
second part's rows were marked sent without ever being sent. A batch is therefore claimed
whole or not at all (`pending_batch`). A lease that ran out means its process died or hung:
any process takes the rows again, unconfirmed. A process's late writes about rows it no
longer holds are ignored (every confirmation names its worker and its claim's lease).
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
from digests.store.scope import scope_condition

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


# pg_advisory_xact_lock key held by an outbox claim on PostgreSQL ("outbox" in ASCII): one
# claim at a time across processes, as SQLite's single writer gives.
CLAIM_LOCK_KEY = 0x6F7574626F78


def _is_postgresql(database: Database) -> bool:
    return getattr(database, "dialect", "sqlite") == "postgresql"


def _skip_locked(database: Database) -> str:
    """Row locks for a claim: on PostgreSQL a claim skips rows another transaction holds (a
    cancellation, a hold; claims themselves run one at a time); SQLite has one writer at a
    time (the claim's BEGIN IMMEDIATE), so there is nothing to skip."""
    return " FOR UPDATE SKIP LOCKED" if _is_postgresql(database) else ""


def _held_by(worker: str | None, lease_until: datetime | None = None) -> tuple[str, list[Any]]:
    """Only rows `worker` still holds (None: any row, for single-process callers and tests);
    with `lease_until`, only under the claim that set that lease: rows taken over and claimed
    again since, even by the same worker, belong to the newer claim."""
    if worker is None:
        return "", []
    if lease_until is None:
        return " AND status = 'sending' AND claimed_by = ?", [worker]
    return (
        " AND status = 'sending' AND claimed_by = ? AND lease_until_ts = ?",
        [worker, to_timestamp(lease_until)],
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

    async def lock_claims(self, transaction: Transaction) -> None:
        """Wait until no other process is claiming, and keep them waiting until this
        transaction ends. On SQLite the claim's write transaction already does this."""
        if _is_postgresql(self._db):
            await transaction.fetch_one("SELECT pg_advisory_xact_lock(?)", (CLAIM_LOCK_KEY,))

    async def due(
        self,
        transaction: Transaction,
        now: datetime,
        limit: int,
        scope: Container[int] | None = None,
    ) -> list[OutboxMessage]:
        """Pending rows whose time has come, oldest first, of the guilds in `scope` (None: all).
        On PostgreSQL rows another claim holds are skipped."""
        condition, parameters = scope_condition(scope)
        rows = await transaction.fetch_all(
            f"SELECT {_COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_ts <= ?"
            f" AND {condition} ORDER BY next_attempt_ts, id LIMIT ?{_skip_locked(self._db)}",
            (to_timestamp(now), *parameters, limit),
        )
        return [_row(row) for row in rows]

    async def release_expired(
        self, transaction: Transaction, now: datetime, scope: Container[int] | None = None
    ) -> int:
        """Rows whose claim's lease ran out (its process died or hung) go back to the queue,
        unconfirmed: the message may have gone out before the process stopped."""
        condition, parameters = scope_condition(scope)
        return await transaction.execute(
            "UPDATE outbox SET status = 'pending', unconfirmed = 1, claimed_by = NULL,"
            " lease_until_ts = NULL WHERE status = 'sending'"
            f" AND (lease_until_ts IS NULL OR lease_until_ts <= ?) AND {condition}",
            (to_timestamp(now), *parameters),
        )

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
            f" AND next_attempt_ts <= ? ORDER BY id LIMIT ?{_skip_locked(self._db)}",
            (guild_id, kind, destination, destination_id, to_timestamp(now), limit),
        )
        return [_row(row) for row in rows]

    async def pending_batch(
        self, transaction: Transaction, guild_id: int, batch_key: str
    ) -> list[OutboxMessage]:
        """The still pending rows of a batch (a member cancelled since is left out), locked,
        all or none: they are one message with one nonce, so a part sent alone would make
        the rest look sent. On PostgreSQL, when another transaction holds one of them, none
        is returned (the batch waits for the next claim)."""
        rows = await transaction.fetch_all(
            f"SELECT {_COLUMNS} FROM outbox WHERE guild_id = ? AND batch_key = ?"
            f" AND status = 'pending' ORDER BY id{_skip_locked(self._db)}",
            (guild_id, batch_key),
        )
        if _is_postgresql(self._db):
            pending = await transaction.fetch_all(
                "SELECT id FROM outbox WHERE guild_id = ? AND batch_key = ? AND status = 'pending'",
                (guild_id, batch_key),
            )
            if {row["id"] for row in pending} != {row["id"] for row in rows}:
                return []
        return [_row(row) for row in rows]

    async def start_sending(
        self,
        transaction: Transaction,
        ids: Sequence[int],
        batch_key: str,
        *,
        worker: str = "main",
        lease_until: datetime | None = None,
    ) -> list[OutboxMessage]:
        """Claim pending rows as one message for `worker` until `lease_until` (pending →
        sending, one more attempt); return the rows claimed, as claimed, by id (a row another
        process took meanwhile is left out): exactly what the caller may send. A row keeps
        the batch key it was first claimed under."""
        rows = await transaction.fetch_all(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1,"
            " batch_key = COALESCE(batch_key, ?), claimed_by = ?, lease_until_ts = ?"
            f" WHERE status = 'pending' AND id IN ({_placeholders(ids)}) RETURNING {_COLUMNS}",
            (
                batch_key,
                worker,
                to_timestamp(lease_until) if lease_until is not None else None,
                *ids,
            ),
        )
        return sorted((_row(row) for row in rows), key=lambda message: message.id)

    async def renew(
        self,
        ids: Sequence[int],
        *,
        worker: str,
        lease_until: datetime | None,
        renewed_until: datetime,
    ) -> int:
        """Extend the claim `worker` made with lease `lease_until` to `renewed_until`, just
        before sending; return the rows still held (fewer than `ids`: the lease ran out and
        another claim took them over, and this one must not send)."""
        held, parameters = _held_by(worker, lease_until)
        return await self._db.execute(
            f"UPDATE outbox SET lease_until_ts = ? WHERE id IN ({_placeholders(ids)}){held}",
            (to_timestamp(renewed_until), *ids, *parameters),
        )

    async def mark_sent(
        self,
        ids: Sequence[int],
        now: datetime,
        *,
        worker: str | None = None,
        lease_until: datetime | None = None,
    ) -> int:
        """The delivery happened; return the rows marked. With `worker` (and the claim's
        `lease_until`), only rows it still holds under that claim (a lease lost to another
        claim is that claim's to confirm)."""
        held, parameters = _held_by(worker, lease_until)
        return await self._db.execute(
            "UPDATE outbox SET status = 'sent', sent_ts = ?, last_error = NULL, unconfirmed = 0,"
            f" lease_until_ts = NULL WHERE id IN ({_placeholders(ids)}){held}",
            (to_timestamp(now), *ids, *parameters),
        )

    async def retry_later(
        self,
        ids: Sequence[int],
        when: datetime,
        error: str,
        *,
        unconfirmed: bool = False,
        worker: str | None = None,
        lease_until: datetime | None = None,
    ) -> int:
        """The delivery failed for now: try again at `when`. `unconfirmed`: it may have gone
        out all the same, so the next attempt looks for it first. With `worker` (and
        `lease_until`), only rows it still holds under that claim."""
        held, parameters = _held_by(worker, lease_until)
        return await self._db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_ts = ?, last_error = ?,"
            " unconfirmed = CASE WHEN ? = 1 THEN 1 ELSE unconfirmed END, claimed_by = NULL,"
            f" lease_until_ts = NULL WHERE id IN ({_placeholders(ids)}){held}",
            (to_timestamp(when), error, int(unconfirmed), *ids, *parameters),
        )

    async def mark_failed(
        self,
        ids: Sequence[int],
        error: str,
        *,
        worker: str | None = None,
        lease_until: datetime | None = None,
    ) -> int:
        """The delivery cannot happen (unreadable, or too many attempts). With `worker` (and
        `lease_until`), only rows it still holds under that claim."""
        held, parameters = _held_by(worker, lease_until)
        return await self._db.execute(
            "UPDATE outbox SET status = 'failed', last_error = ?, lease_until_ts = NULL"
            f" WHERE id IN ({_placeholders(ids)}){held}",
            (error, *ids, *parameters),
        )

    async def release_stale(
        self,
        guild_ids: Container[int] | None = None,
        *,
        worker: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """Hand back rows a stopped sender left in `sending` (of `guild_ids`, or all), marked
        unconfirmed: the sender may have stopped after Discord took the message. With
        `worker` and `now`, only the rows that worker held (it is starting again: whatever it
        had in flight died with it) and those whose lease ran out; another live process's
        claims are left to it."""
        condition, parameters = scope_condition(guild_ids)
        whose = ""
        if worker is not None and now is not None:
            whose = (
                " AND (claimed_by = ? OR claimed_by IS NULL OR lease_until_ts IS NULL"
                " OR lease_until_ts <= ?)"
            )
            parameters = [*parameters, worker, to_timestamp(now)]
        return await self._db.execute(
            "UPDATE outbox SET status = 'pending', unconfirmed = 1, claimed_by = NULL,"
            f" lease_until_ts = NULL WHERE status = 'sending' AND {condition}{whose}",
            parameters,
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
