"""A recording Transport: the boundary between the outbox and a front end, faked for tests.

It records every attempt and every delivery, and can be told to fail: retryably
(DeliveryFailed), by refusal (DeliveryRefused, per channel), or by "dying" the way a killed
process would, either before or after the message went out.
"""

from __future__ import annotations

from datetime import UTC, datetime

from digests.reminders.outbox import Delivery, DeliveryRefused
from digests.store.outbox import OutboxMessage

# A forecast due 2025-12-20 in the default timezone (Asia/Seoul) closes at the next local
# midnight: 2025-12-21 00:00 KST, which is 2025-12-20 15:00 UTC.
DUE_DAY = "2025-12-20"
DUE_AT = datetime(2025, 12, 20, 15, 0, tzinfo=UTC)


class ProcessKilled(BaseException):
    """Stands in for kill -9: not an Exception, so no handler in the sender swallows it."""


class RecordingTransport:
    """Delivers by appending to a list; scripted failures come first.

    `delivered` holds the outbox rows that went out, one entry per row (a grouped delivery adds
    all its rows); `deliveries` the deliveries themselves, one per message.
    """

    def __init__(self) -> None:
        self.attempts: list[OutboxMessage] = []
        self.delivered: list[OutboxMessage] = []
        self.deliveries: list[Delivery] = []
        self.attempted_deliveries: list[Delivery] = []
        self.fail_next: list[BaseException] = []  # raised before delivering, in order
        self.fail_always: BaseException | None = None
        self.refused_channels: dict[int, str] = {}  # channel id → reason
        self.die_after_sending = False  # deliver, then "die" before the sender can mark it

    async def deliver(self, delivery: Delivery) -> None:
        """Record the attempt; raise what the script says, or deliver."""
        self.attempts.extend(delivery.messages)
        self.attempted_deliveries.append(delivery)
        if self.fail_next:
            raise self.fail_next.pop(0)
        if self.fail_always is not None:
            raise self.fail_always
        if delivery.destination == "channel" and delivery.destination_id in self.refused_channels:
            raise DeliveryRefused(self.refused_channels[delivery.destination_id])
        self.delivered.extend(delivery.messages)
        self.deliveries.append(delivery)
        if self.die_after_sending:
            raise ProcessKilled("killed after the message went out")

    def keys(self) -> list[str]:
        """Dedupe keys of what was delivered, in order."""
        return [message.dedupe_key for message in self.delivered]

    def kinds(self, destination: str | None = None) -> list[str]:
        """Kinds of what was delivered (optionally only to channels or to users)."""
        return [
            message.kind
            for message in self.delivered
            if destination is None or message.destination == destination
        ]
