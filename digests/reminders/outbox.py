"""The one sender that drains the outbox through a front end's transport.

A transport (the terminal, Discord) delivers one `Delivery` — the outbox rows one message
carries: a single row, or the reminders of one guild grouped for one channel — or raises:
- DeliveryFailed: try again later, with exponential backoff, up to a limit;
- DeliveryRefused: the destination refuses us (missing permissions, deleted channel): the
  message is held, not dropped, and the guild's schedule is paused with the reason, until a
  moderator fixes the destination.

Sends are idempotent. The rows of a message are claimed under a batch key that never changes,
and every message carries a nonce derived from it (`Delivery.nonce`), so Discord returns the
first message when the same one is sent again within its nonce window. A delivery that may
have gone out without being confirmed — the process stopped between sending and marking it
sent, or the request failed midway — is flagged `unconfirmed`, and the transport looks for it
among the destination's recent messages before sending it again.

Several processes may drain one queue: each claims rows under its worker name with a lease
(`LEASE_SECONDS`), so a row is sent by the one process holding it; a dead process's claims are
taken over, unconfirmed, when their lease runs out, and the same process restarted takes its
own back at once. Claims are made one at a time and take a batch whole (its rows share one
nonce: a part sent alone would make the rest look sent); a process renews its claim just
before sending and sends nothing it no longer holds; confirmations name the claim's lease.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Container
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from digests.clock import Clock
from digests.outbox_payloads import PayloadError, read_payload
from digests.settings import Settings
from digests.store import Store
from digests.store.outbox import OutboxMessage

logger = logging.getLogger(__name__)

HOLD = timedelta(days=3650)  # held until released by a fix; never dropped
_BACKOFF_BASE = timedelta(seconds=30)
_BACKOFF_CAP = timedelta(hours=1)
# Kinds whose rows for one destination are sent as one message when the guild groups them.
GROUPED_KINDS = frozenset({"reminder", "followup"})
# One row of buttons per forecast, and Discord allows five rows under a message.
FORECASTS_PER_MESSAGE = 5
NONCE_LENGTH = 25  # Discord's limit for a string nonce


class DeliveryFailed(Exception):
    """A delivery that may work later (network trouble, rate limits, 5xx). `unconfirmed`: the
    message may have reached the destination all the same (a timeout after sending)."""

    def __init__(self, message: str, *, unconfirmed: bool = False) -> None:
        super().__init__(message)
        self.unconfirmed = unconfirmed


class DeliveryRefused(Exception):
    """The destination refuses delivery (400/403/404): retrying will not help until fixed.
    `reason` is kept as given: a catalog message is stored as one and shown to moderators in
    their language (/digest status)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def delivery_nonce(guild_id: int, key: str, part: int = 0) -> str:
    """The nonce of part `part` of the message with batch key `key`: the same every time that
    message is sent, at most 25 characters, different for every other message."""
    digest = hashlib.sha256(f"{guild_id}\x1f{key}\x1f{part}".encode()).hexdigest()
    return "hs" + digest[: NONCE_LENGTH - 2]


@dataclass(frozen=True)
class Delivery:
    """The outbox rows one message carries, claimed together under one batch key."""

    key: str
    messages: tuple[OutboxMessage, ...]
    # When the claim that took these rows lets go of them: with the worker's name, what
    # identifies that claim, so its confirmation cannot touch a later claim of the same rows.
    lease_until: datetime | None = None

    @property
    def first(self) -> OutboxMessage:
        """The first row (they share guild, kind and destination)."""
        return self.messages[0]

    @property
    def guild_id(self) -> int:
        """The guild the message belongs to."""
        return self.first.guild_id

    @property
    def kind(self) -> str:
        """What kind of message it is (reminder, followup, digest…)."""
        return self.first.kind

    @property
    def destination(self) -> str:
        """channel or user."""
        return self.first.destination

    @property
    def destination_id(self) -> int | None:
        """The channel or user id (None: the guild has not chosen a reminder channel yet)."""
        return self.first.destination_id

    @property
    def ids(self) -> list[int]:
        """The outbox ids of the rows."""
        return [message.id for message in self.messages]

    @property
    def attempts(self) -> int:
        """Attempts made, this one included."""
        return max(message.attempts for message in self.messages)

    @property
    def unconfirmed(self) -> bool:
        """An earlier attempt may have reached the destination: look before sending."""
        return any(message.unconfirmed for message in self.messages)

    def nonce(self, part: int = 0) -> str:
        """The nonce of the `part`-th Discord message this delivery is split into."""
        return delivery_nonce(self.guild_id, self.key, part)

    def to(self, destination_id: int) -> Delivery:
        """The same delivery addressed to another channel."""
        return replace(
            self,
            messages=tuple(replace(m, destination_id=destination_id) for m in self.messages),
        )


class Transport(Protocol):
    """How a front end delivers an outbox message."""

    async def deliver(self, delivery: Delivery) -> None:
        """Deliver one message or raise DeliveryFailed / DeliveryRefused."""


@dataclass
class DrainReport:
    """What one drain did (outbox row ids)."""

    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … up to an hour."""
    return min(_BACKOFF_CAP, _BACKOFF_BASE * (2 ** max(0, attempts - 1)))


class OutboxSender:
    """Drains the outbox: claim, deliver, mark."""

    def __init__(
        self, store: Store, settings: Settings, clock: Clock, transport: Transport
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self.transport = transport

    @property
    def worker(self) -> str:
        """The name this process claims outbox rows under."""
        return self._settings.worker_name

    @property
    def lease(self) -> timedelta:
        """How long a claim is held before another process may take it over."""
        return timedelta(seconds=self._settings.lease_seconds)

    async def recover(self, guild_ids: Container[int] | None = None) -> int:
        """At start: rows this worker left in `sending` when it stopped (and any whose lease
        ran out) go back to the queue, flagged so that the next attempt first looks whether
        they went out. Rows another live process holds are left to it."""
        released = await self._store.outbox.release_stale(
            guild_ids, worker=self.worker, now=self._clock.now()
        )
        if released:
            logger.warning("re-queued %d deliveries interrupted by a previous stop", released)
        return released

    async def groups_reminders(self, guild_id: int) -> bool:
        """Whether the guild gets one message per channel and sweep instead of one per
        forecast (its /settings choice, else the bot's default)."""
        choice = (await self._store.guilds.get(guild_id)).reminder_grouping
        return (choice or self._settings.reminder_grouping) == "grouped"

    async def claim(
        self, guild_ids: Container[int] | None = None, limit: int = 50
    ) -> list[Delivery]:
        """Take what is due now, as messages: rows claimed before keep their batch; new
        reminders of a grouping guild are grouped per destination and kind — the whole group,
        up to `limit` rows, wherever its rows fall in the queue — at most
        FORECASTS_PER_MESSAGE to a message."""
        now = self._clock.now()
        grouping: dict[int, bool] = {}
        lease_until = now + self.lease
        async with self._store.transaction() as transaction:
            # One claim at a time across processes: two claims running together could each
            # lock part of one batch (its rows are locked one by one) and send the parts as
            # two messages with the batch's one nonce.
            await self._store.outbox.lock_claims(transaction)
            taken_over = await self._store.outbox.release_expired(transaction, now, guild_ids)
            if taken_over:
                logger.warning(
                    "took over %d deliveries whose sender's lease ran out (process stopped?)",
                    taken_over,
                )
            rows = await self._store.outbox.due(transaction, now, limit, guild_ids)
            plan: dict[object, list[OutboxMessage]] = {}
            for row in rows:
                if row.batch_key is not None:
                    if row.batch_key not in plan:
                        plan[row.batch_key] = await self._store.outbox.pending_batch(
                            transaction, row.guild_id, row.batch_key
                        )
                    continue
                if row.guild_id not in grouping:
                    grouping[row.guild_id] = await self.groups_reminders(row.guild_id)
                if grouping[row.guild_id] and row.kind in GROUPED_KINDS:
                    group = ("group", row.guild_id, row.destination, row.destination_id, row.kind)
                    if group not in plan:
                        plan[group] = await self._store.outbox.due_unbatched(
                            transaction,
                            now,
                            guild_id=row.guild_id,
                            kind=row.kind,
                            destination=row.destination,
                            destination_id=row.destination_id,
                            limit=limit,
                        )
                else:
                    plan[row.dedupe_key] = [row]
            deliveries: list[Delivery] = []
            for key, members in plan.items():
                chunks = (
                    [
                        members[start : start + FORECASTS_PER_MESSAGE]
                        for start in range(0, len(members), FORECASTS_PER_MESSAGE)
                    ]
                    if isinstance(key, tuple)
                    else [members]
                )
                for chunk in chunks:
                    if not chunk:
                        continue
                    batch_key = key if isinstance(key, str) else chunk[0].dedupe_key
                    # Exactly the rows the claim changed, as it left them (`attempts` counts
                    # this attempt too: backoff and the give-up limit use it). A row another
                    # claim took first is not ours to send.
                    claimed = await self._store.outbox.start_sending(
                        transaction,
                        [m.id for m in chunk],
                        batch_key,
                        worker=self.worker,
                        lease_until=lease_until,
                    )
                    if claimed:
                        deliveries.append(Delivery(batch_key, tuple(claimed), lease_until))
        return deliveries

    async def drain(self, guild_ids: Container[int] | None = None, limit: int = 50) -> DrainReport:
        """Deliver what is due now."""
        report = DrainReport()
        for delivery in await self.claim(guild_ids, limit):
            await self._deliver(delivery, report)
        return report

    async def _readable(self, delivery: Delivery, report: DrainReport) -> Delivery | None:
        """The delivery without rows whose payload cannot be read (marked failed: no retry
        would make them readable)."""
        readable: list[OutboxMessage] = []
        for message in delivery.messages:
            try:
                read_payload(message.kind, message.payload)
            except PayloadError as error:
                logger.error("outbox message %d is unreadable: %s", message.id, error)
                await self._store.outbox.mark_failed(
                    [message.id], str(error), worker=self.worker, lease_until=delivery.lease_until
                )
                report.failed.append(message.id)
            else:
                readable.append(message)
        return replace(delivery, messages=tuple(readable)) if readable else None

    async def _deliver(self, delivery: Delivery, report: DrainReport) -> None:
        now = self._clock.now()
        if delivery.destination == "channel" and delivery.destination_id is None:
            # Queued before the guild chose a reminder channel: use the one set since, if any.
            guild = await self._store.guilds.get(delivery.guild_id)
            if guild.reminder_channel_id is not None:
                delivery = delivery.to(guild.reminder_channel_id)
        readable = await self._readable(delivery, report)
        if readable is None:
            return
        delivery = readable
        # A long drain (a slow destination, a busy machine) can outlast the claim's lease:
        # send only while surely holding the rows. With half the lease left nobody can have
        # taken them over; otherwise renew the claim for a full lease first. Rows taken over
        # meanwhile are the other claim's to send (it looks first whether they went out).
        started = self._clock.now()
        if delivery.lease_until is None or delivery.lease_until - started < self.lease / 2:
            renewed_until = started + self.lease
            held = await self._store.outbox.renew(
                delivery.ids,
                worker=self.worker,
                lease_until=delivery.lease_until,
                renewed_until=renewed_until,
            )
            if held < len(delivery.ids):
                logger.warning(
                    "outbox message(s) %s not sent: the claim's lease ran out and they were"
                    " taken over",
                    delivery.ids,
                )
                return
            delivery = replace(delivery, lease_until=renewed_until)
        try:
            await self.transport.deliver(delivery)
        except DeliveryRefused as error:
            await self._hold(delivery, error.reason, now)
            report.held.extend(delivery.ids)
        except DeliveryFailed as error:
            if delivery.attempts >= self._settings.outbox_max_attempts:
                await self._store.outbox.mark_failed(
                    delivery.ids,
                    f"gave up after {delivery.attempts} attempts: {error}",
                    worker=self.worker,
                    lease_until=delivery.lease_until,
                )
                report.failed.extend(delivery.ids)
            else:
                await self._store.outbox.retry_later(
                    delivery.ids,
                    now + backoff(delivery.attempts),
                    str(error),
                    unconfirmed=error.unconfirmed,
                    worker=self.worker,
                    lease_until=delivery.lease_until,
                )
                report.retried.extend(delivery.ids)
        except Exception as error:  # a bug in a transport must not wedge the queue
            logger.exception("delivery of outbox message(s) %s crashed", delivery.ids)
            # Whether anything went out is unknown: the next attempt looks first.
            await self._store.outbox.retry_later(
                delivery.ids,
                now + backoff(delivery.attempts),
                f"internal error: {error}",
                unconfirmed=True,
                worker=self.worker,
                lease_until=delivery.lease_until,
            )
            report.retried.extend(delivery.ids)
        else:
            marked = await self._store.outbox.mark_sent(
                delivery.ids,
                self._clock.now(),
                worker=self.worker,
                lease_until=delivery.lease_until,
            )
            if marked < len(delivery.ids):
                # The lease ran out while sending and another process took the rows over; it
                # looks for this message before sending, so nothing is doubled.
                logger.warning(
                    "outbox message(s) %s were sent after their lease ran out", delivery.ids
                )
            report.sent.extend(delivery.ids)

    async def _hold(self, delivery: Delivery, reason: str, now: datetime) -> None:
        # The outbox keeps the English text (for operators); the guild's settings keep the
        # message itself, shown to moderators in their language.
        await self._store.outbox.retry_later(
            delivery.ids,
            now + HOLD,
            str(reason),
            worker=self.worker,
            lease_until=delivery.lease_until,
        )
        if delivery.destination == "channel" and delivery.destination_id is not None:
            await self._store.outbox.hold_destination(
                delivery.guild_id, delivery.destination_id, now + HOLD, str(reason)
            )
        guild = await self._store.guilds.get(delivery.guild_id)
        if delivery.kind == "digest":
            await self._store.guilds.update(delivery.guild_id, now, digest_paused_reason=reason)
        elif (
            delivery.destination == "channel"
            and delivery.destination_id == guild.reminder_channel_id
        ):
            await self._store.guilds.update(delivery.guild_id, now, reminders_paused_reason=reason)
        logger.warning(
            "guild %s: destination refused (%s); messages held", delivery.guild_id, reason
        )

    async def release(self, guild_id: int, destination_id: int) -> int:
        """Send held messages of a destination again (after it was fixed)."""
        return await self._store.outbox.release_destination(
            guild_id, destination_id, self._clock.now()
        )
