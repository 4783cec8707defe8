"""The one sender that drains the outbox through a front end's transport.

A transport (the terminal, Discord) delivers one message or raises:
- DeliveryFailed: try again later, with exponential backoff, up to a limit;
- DeliveryRefused: the destination refuses us (missing permissions, deleted channel): the
  message is held, not dropped, and the guild's schedule is paused with the reason, until a
  moderator fixes the destination.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from digests.clock import Clock
from digests.settings import Settings
from digests.store import Store
from digests.store.outbox import OutboxMessage

logger = logging.getLogger(__name__)

HOLD = timedelta(days=3650)  # held until released by a fix; never dropped
_BACKOFF_BASE = timedelta(seconds=30)
_BACKOFF_CAP = timedelta(hours=1)


class DeliveryFailed(Exception):
    """A delivery that may work later (network trouble, rate limits, 5xx)."""


class DeliveryRefused(Exception):
    """The destination refuses delivery (400/403/404): retrying will not help until fixed."""


class Transport(Protocol):
    """How a front end delivers an outbox message."""

    async def deliver(self, message: OutboxMessage) -> None:
        """Deliver one message or raise DeliveryFailed / DeliveryRefused."""


@dataclass
class DrainReport:
    """What one drain did."""

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

    async def recover(self) -> int:
        """At start: rows a crashed sender left in `sending` go back to the queue."""
        released = await self._store.outbox.release_stale()
        if released:
            logger.warning("re-queued %d deliveries interrupted by a previous stop", released)
        return released

    async def drain(self, guild_ids: set[int] | None = None, limit: int = 50) -> DrainReport:
        """Deliver what is due now."""
        report = DrainReport()
        for message in await self._store.outbox.claim(self._clock.now(), limit, guild_ids):
            await self._deliver(message, report)
        return report

    async def _deliver(self, message: OutboxMessage, report: DrainReport) -> None:
        now = self._clock.now()
        if message.destination == "channel" and message.destination_id is None:
            # Queued before the guild chose a reminder channel: use the one set since, if any.
            guild = await self._store.guilds.get(message.guild_id)
            if guild.reminder_channel_id is not None:
                message = replace(message, destination_id=guild.reminder_channel_id)
        try:
            await self.transport.deliver(message)
        except DeliveryRefused as error:
            await self._hold(message, str(error), now)
            report.held.append(message.id)
        except DeliveryFailed as error:
            if message.attempts >= self._settings.outbox_max_attempts:
                await self._store.outbox.mark_failed(
                    message.id, f"gave up after {message.attempts} attempts: {error}"
                )
                report.failed.append(message.id)
            else:
                await self._store.outbox.retry_later(
                    message.id, now + backoff(message.attempts), str(error)
                )
                report.retried.append(message.id)
        except Exception as error:  # a bug in a transport must not wedge the queue
            logger.exception("delivery of outbox message %d crashed", message.id)
            await self._store.outbox.retry_later(
                message.id, now + backoff(message.attempts), f"internal error: {error}"
            )
            report.retried.append(message.id)
        else:
            await self._store.outbox.mark_sent(message.id, self._clock.now())
            report.sent.append(message.id)

    async def _hold(self, message: OutboxMessage, reason: str, now: datetime) -> None:
        await self._store.outbox.retry_later(message.id, now + HOLD, reason)
        if message.destination == "channel" and message.destination_id is not None:
            await self._store.outbox.hold_destination(
                message.guild_id, message.destination_id, now + HOLD, reason
            )
        guild = await self._store.guilds.get(message.guild_id)
        if message.kind == "digest":
            await self._store.guilds.update(message.guild_id, now, digest_paused_reason=reason)
        elif (
            message.destination == "channel" and message.destination_id == guild.reminder_channel_id
        ):
            await self._store.guilds.update(message.guild_id, now, reminders_paused_reason=reason)
        logger.warning(
            "guild %s: destination refused (%s); messages held", message.guild_id, reason
        )

    async def release(self, guild_id: int, destination_id: int) -> int:
        """Send held messages of a destination again (after it was fixed)."""
        return await self._store.outbox.release_destination(
            guild_id, destination_id, self._clock.now()
        )
