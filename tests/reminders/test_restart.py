"""A process killed between queueing and sending a reminder, then restarted on the same file.

What the design guarantees:
- A ping is queued in the same transaction that advances the forecast's reminder stage, with a
  unique dedupe key, so a crash can neither lose it nor queue it twice.
- A sender claims a row (pending → sending) in its own transaction before delivering. A row a
  killed process left in `sending` is handed back at the next start (`OutboxSender.recover`,
  run by `Scheduler.start`), and is then delivered once.
- So a crash before the transport sent the message yields exactly one delivery. A crash after
  the transport sent it but before `mark_sent` committed yields a second delivery of the same
  row (same id, same dedupe key): delivery is at-least-once, never lost, and a duplicate can
  only come from that narrow window, carrying the key a transport can recognise it by.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.settings import Settings
from tests.reminders.conftest import GUILD, MEMBER
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
        claimed = await first.store.outbox.claim(clock.now(), limit=10)
        assert len(claimed) == 2 and {m.status for m in claimed} == {"sending"}
        other = RecordingTransport()
        report = await second.sender(other).drain()
        assert report.sent == [] and other.attempts == []
    finally:
        await second.close()
        await first.close()


async def test_sent_but_not_marked_is_delivered_again_at_least_once_never_lost(
    settings: Settings, clock: ManualClock
) -> None:
    first = await _queue_due_ping(settings, clock)
    dying = RecordingTransport()
    dying.die_after_sending = True  # the message went out; the process died before marking it
    with pytest.raises(ProcessKilled):
        await first.sender(dying).drain()
    assert len(dying.delivered) == 1
    gone_out = dying.delivered[0]
    await first.close()

    clock.advance(minutes=5)
    transport = await _restart_and_run(settings, clock)
    # The interrupted row is delivered again, carrying the same id and dedupe key; the other
    # row (never attempted before the kill) is delivered once.
    assert len(transport.delivered) == 2
    assert len(set(transport.keys())) == 2
    again = [m for m in transport.delivered if m.dedupe_key == gone_out.dedupe_key]
    assert [m.id for m in again] == [gone_out.id]
    assert [*dying.keys(), *transport.keys()].count(gone_out.dedupe_key) == 2
    assert set((await _statuses(settings, clock)).values()) == {"sent"}


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
