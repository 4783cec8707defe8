"""A process killed between queueing and sending a reminder, then restarted on the same file.

What the design guarantees:
- A ping is queued in the same transaction that advances the forecast's reminder stage, with a
  unique dedupe key, so a crash can neither lose it nor queue it twice.
- A sender claims rows (pending → sending) under a batch key in its own transaction before
  delivering. Rows a killed process left in `sending` are handed back at the next start
  (`OutboxSender.recover`, run by `Scheduler.start`) flagged `unconfirmed`, and delivered again
  under the same batch key — so under the same Discord nonce.
- So a crash before the transport sent the message yields exactly one delivery. A crash after
  the transport sent it but before `mark_sent` committed hands the same delivery (same rows, same
  key) to the transport again, flagged unconfirmed: the Discord transport then finds the message
  among the channel's recent messages (or Discord returns it for the repeated nonce) instead of
  posting it twice — tested end to end against the fake Discord in
  tests/bot/test_transport.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.ledger.service import Actor
from digests.reminders.outbox import DeliveryFailed
from digests.settings import Settings
from tests.reminders.conftest import GUILD, MEMBER, OTHER_GUILD
from tests.reminders.recording import DUE_AT, DUE_DAY, ProcessKilled, RecordingTransport


async def _restart_and_run(settings: Settings, clock: ManualClock) -> RecordingTransport:
    """A fresh process on the same database file: start the scheduler (recover + catch up),
    run a few more passes, stop."""
    transport = RecordingTransport()
    services = await Services.open(settings, clock)
    scheduler = services.scheduler(transport)
    try:
        await scheduler.start()
        for _ in range(3):
            clock.advance(minutes=1)
            await scheduler.tick()
    finally:
        await scheduler.shutdown()
        await services.close()
    return transport


async def _statuses(settings: Settings, clock: ManualClock) -> dict[str, str]:
    async with await Services.open(settings, clock) as services:
        return {m.dedupe_key: m.status for m in await services.store.outbox.list(GUILD)}


async def _queue_due_ping(settings: Settings, clock: ManualClock) -> Services:
    services = await Services.open(settings, clock)
    await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    report = await services.reminders.sweep()
    assert len(report.queued) == 2  # the channel ping and the author's DM
    return services


async def test_killed_after_queueing_before_any_send(
    settings: Settings, clock: ManualClock
) -> None:
    first = await _queue_due_ping(settings, clock)
    await first.close()  # the process dies before its sender ran

    transport = await _restart_and_run(settings, clock)
    assert [(m.kind, m.destination) for m in transport.delivered] == [
        ("reminder", "channel"),
        ("reminder", "user"),
    ]
    assert set((await _statuses(settings, clock)).values()) == {"sent"}


async def test_killed_while_sending_is_delivered_exactly_once_after_restart(
    settings: Settings, clock: ManualClock
) -> None:
    first = await _queue_due_ping(settings, clock)
    dying = RecordingTransport()
    dying.fail_next = [ProcessKilled("kill -9 before the message went out")]
    with pytest.raises(ProcessKilled):
        await first.sender(dying).drain()
    assert dying.delivered == []
    assert set((await _statuses(settings, clock)).values()) == {"sending"}
    await first.close()

    clock.advance(minutes=5)
    transport = await _restart_and_run(settings, clock)
    assert len(transport.delivered) == 2
    assert len(set(transport.keys())) == 2
    assert set((await _statuses(settings, clock)).values()) == {"sent"}

    # Another restart later: nothing is sent again.
    clock.advance(days=1)
    assert (await _restart_and_run(settings, clock)).delivered == []


async def test_a_row_being_sent_is_not_taken_by_another_sender(
    settings: Settings, clock: ManualClock
) -> None:
    first = await _queue_due_ping(settings, clock)
    second = await Services.open(settings, clock)
    try:
        claimed = await first.sender(RecordingTransport()).claim(limit=10)
        rows = [message for delivery in claimed for message in delivery.messages]
        assert len(rows) == 2 and {m.status for m in rows} == {"sending"}
        other = RecordingTransport()
        report = await second.sender(other).drain()
        assert report.sent == [] and other.attempts == []
    finally:
        await second.close()
        await first.close()


async def test_sent_but_not_marked_is_handed_over_again_unconfirmed_under_the_same_key(
    settings: Settings, clock: ManualClock
) -> None:
    first = await _queue_due_ping(settings, clock)
    dying = RecordingTransport()
    dying.die_after_sending = True  # the message went out; the process died before marking it
    with pytest.raises(ProcessKilled):
        await first.sender(dying).drain()
    (gone_out,) = dying.deliveries
    assert not gone_out.unconfirmed
    await first.close()

    clock.advance(minutes=5)
    transport = await _restart_and_run(settings, clock)
    # Both rows were left in `sending` (the second was claimed in the same pass): both come
    # back unconfirmed, and the one that went out carries the same key, hence the same nonce.
    assert len(transport.deliveries) == 2
    assert all(delivery.unconfirmed for delivery in transport.deliveries)
    (again,) = [d for d in transport.deliveries if d.key == gone_out.key]
    assert again.ids == gone_out.ids and again.nonce() == gone_out.nonce()
    assert set((await _statuses(settings, clock)).values()) == {"sent"}
    # Confirmed once sent: a later restart hands nothing over.
    clock.advance(days=1)
    assert (await _restart_and_run(settings, clock)).deliveries == []


async def test_a_delivery_that_failed_uncertainly_is_looked_for_before_the_retry(
    settings: Settings, clock: ManualClock
) -> None:
    services = await _queue_due_ping(settings, clock)
    try:
        transport = RecordingTransport()
        transport.fail_next = [
            DeliveryFailed("timed out after sending", unconfirmed=True),
            DeliveryFailed("refused before sending"),
        ]
        sender = services.sender(transport)
        await sender.drain()
        assert [d.unconfirmed for d in transport.attempted_deliveries] == [False, False]
        clock.advance(hours=1)
        await sender.drain()
        retried = {d.key: d.unconfirmed for d in transport.attempted_deliveries[2:]}
        first, second = transport.attempted_deliveries[:2]
        assert retried == {first.key: True, second.key: False}
    finally:
        await services.close()


async def test_restart_after_a_long_outage_sends_each_due_ping_once_marked_late(
    settings: Settings, clock: ManualClock
) -> None:
    async with await Services.open(settings, clock) as services:
        await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT + timedelta(days=3))
    transport = await _restart_and_run(settings, clock)
    assert [(m.kind, m.destination, m.late) for m in transport.delivered] == [
        ("reminder", "channel", True),
        ("reminder", "user", True),
    ]


async def test_a_shard_process_recovers_only_its_own_guilds_deliveries(
    settings: Settings, clock: ManualClock
) -> None:
    services = await Services.open(settings, clock)
    try:
        for actor in (MEMBER, Actor(OTHER_GUILD, 10)):
            await services.ledger.add(actor, claim="Rates fall by spring", due=DUE_DAY)
        clock.set(DUE_AT)
        await services.reminders.sweep()
        sender = services.sender(RecordingTransport())
        claimed = await sender.claim()
        assert {d.guild_id for d in claimed} == {GUILD, OTHER_GUILD}

        assert await sender.recover({OTHER_GUILD}) == 2  # its channel ping and DM
        other = await services.store.outbox.list(OTHER_GUILD)
        assert {(m.status, m.unconfirmed) for m in other} == {("pending", True)}
        # Another process may still be sending these: left alone.
        mine = await services.store.outbox.list(GUILD)
        assert {(m.status, m.unconfirmed) for m in mine} == {("sending", False)}
    finally:
        await services.close()
