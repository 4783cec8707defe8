"""The outbox: one row per dedupe key, retries with backoff, a give-up limit, and refused
destinations held (never dropped) with the guild's schedule paused until fixed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.ledger.model import ForecastRecord
from digests.outbox_payloads import ForecastSnapshot, ReminderPayload
from digests.reminders.outbox import DeliveryFailed, backoff
from digests.store.outbox import OutboxMessage
from tests.conftest import make_settings
from tests.reminders.conftest import GUILD, MEMBER, Tick
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport


@pytest.fixture
async def services(tmp_path: Path, store_url: str, clock: ManualClock) -> AsyncIterator[Services]:
    """Services that give up on a delivery after 3 attempts."""
    opened = await Services.open(
        make_settings(tmp_path, database_url=store_url, outbox_max_attempts=3), clock
    )
    try:
        yield opened
    finally:
        await opened.close()


async def _rows(services: Services, guild_id: int = GUILD) -> dict[str, OutboxMessage]:
    return {m.dedupe_key: m for m in await services.store.outbox.list(guild_id)}


async def _channel_row(services: Services) -> OutboxMessage:
    rows = [m for m in (await _rows(services)).values() if m.destination == "channel"]
    assert len(rows) == 1
    return rows[0]


async def test_a_dedupe_key_is_queued_once(services: Services, clock: ManualClock) -> None:
    async def enqueue(claim: str) -> bool:
        async with services.store.transaction() as transaction:
            return await services.store.outbox.enqueue(
                transaction,
                guild_id=GUILD,
                dedupe_key="due:1:123",
                destination="channel",
                destination_id=5,
                payload=ReminderPayload(forecast=ForecastSnapshot(id=1, claim=claim)),
                now=clock.now(),
            )

    assert await enqueue("first") is True
    assert await enqueue("second") is False
    rows = await services.store.outbox.list(GUILD)
    assert [(m.dedupe_key, m.kind) for m in rows] == [("due:1:123", "reminder")]
    assert rows[0].body == ReminderPayload(forecast=ForecastSnapshot(id=1, claim="first"))
    assert rows[0].payload["version"] == 2


async def test_a_sweep_that_finds_a_forecast_again_does_not_queue_its_ping_again(
    services: Services, clock: ManualClock
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    first = await services.reminders.sweep()
    assert first.due == 1 and len(first.queued) == 2
    # Even if the forecast's progress were lost (back to open), the keys hold.
    async with services.store.transaction() as transaction:
        await services.store.ledger.set_resolution(
            transaction,
            forecast.id,
            status="open",
            outcome=None,
            resolved_by=None,
            resolved_at=None,
            evidence=None,
            note=None,
            now=clock.now(),
        )
    clock.advance(minutes=5)
    again = await services.reminders.sweep()
    assert again.due == 0 and again.queued == []
    assert len(await services.store.outbox.list(GUILD)) == 2


async def test_a_failed_delivery_is_retried_with_backoff_then_given_up_with_its_error(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.ledger.unsubscribe(MEMBER, (await _add(services)).id)
    transport.fail_always = DeliveryFailed("503 Service Unavailable")
    clock.set(DUE_AT)
    report = await tick()
    assert report.drained.retried and not report.drained.sent
    row = await _channel_row(services)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "503 Service Unavailable")
    assert row.next_attempt_at == DUE_AT + timedelta(seconds=30)

    await tick()  # too early: the backoff holds it
    assert len(transport.attempts) == 1

    clock.set(row.next_attempt_at)
    await tick()
    row = await _channel_row(services)
    assert (row.status, row.attempts) == ("pending", 2)
    assert row.next_attempt_at == clock.now() + timedelta(seconds=60)

    clock.set(row.next_attempt_at)
    report = await tick()
    assert report.drained.failed == [row.id]
    row = await _channel_row(services)
    assert row.status == "failed"
    assert row.attempts == 3
    assert row.last_error == "gave up after 3 attempts: 503 Service Unavailable"

    clock.advance(days=2)
    await tick()
    assert len(transport.attempts) == 3  # exactly outbox_max_attempts deliveries were tried
    assert transport.delivered == []


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert backoff(30) == timedelta(hours=1)


async def test_a_delivery_that_fails_once_is_sent_on_the_retry(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.ledger.unsubscribe(MEMBER, (await _add(services)).id)
    transport.fail_next = [DeliveryFailed("connection reset")]
    clock.set(DUE_AT)
    await tick()
    clock.advance(seconds=30)
    await tick()
    row = await _channel_row(services)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert row.sent_at == clock.now()
    assert len(transport.delivered) == 1


async def test_a_crashing_transport_does_not_lose_the_message(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.ledger.unsubscribe(MEMBER, (await _add(services)).id)
    transport.fail_next = [RuntimeError("bug in the transport")]
    clock.set(DUE_AT)
    await tick()
    row = await _channel_row(services)
    assert (row.status, row.last_error) == ("pending", "internal error: bug in the transport")
    clock.advance(minutes=1)
    await tick()
    assert (await _channel_row(services)).status == "sent"


async def test_a_refused_digest_is_held_and_pauses_the_schedule_until_fixed(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    channel = 500
    await services.store.guilds.update(GUILD, clock.now(), reminder_channel_id=channel)
    await services.digests.schedule(GUILD, channel_id=channel, weekday="daily", at="09:00")
    transport.refused_channels[channel] = "Missing Permissions (403)"
    clock.set(datetime(2025, 12, 16, tzinfo=UTC))  # 09:00 in Seoul
    await tick()  # the first digest is refused
    held = [m for m in (await _rows(services)).values() if m.kind == "digest"]
    assert len(held) == 1 and held[0].status == "pending"
    assert held[0].next_attempt_at > clock.now() + timedelta(days=365)
    assert held[0].last_error == "Missing Permissions (403)"

    status = await services.digests.status(GUILD)
    assert status.paused_reason == "Missing Permissions (403)"
    assert status.held_messages == 1
    guild = await services.store.guilds.get(GUILD)
    assert guild.digest_paused_reason == "Missing Permissions (403)"

    # While paused: no new digests, and a reminder for the same channel is held too.
    await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT + timedelta(days=2))
    await tick()
    await tick()
    assert await services.store.digests.count(GUILD) == 1
    rows = await _rows(services)
    assert {m.kind: m.status for m in rows.values() if m.destination == "channel"} == {
        "digest": "pending",
        "reminder": "pending",
    }
    assert transport.kinds("channel") == []
    assert transport.kinds("user") == ["reminder"]  # DMs are not affected
    assert (await services.digests.status(GUILD)).held_messages == 2

    # A moderator fixes the channel and schedules again: everything held goes out.
    transport.refused_channels.clear()
    fixed = await services.digests.schedule(GUILD, channel_id=channel, weekday="daily", at="09:00")
    assert fixed.paused_reason is None
    await tick()
    rows = await _rows(services)
    assert {m.status for m in rows.values()} == {"sent"}  # nothing queued was lost
    assert sorted(transport.kinds("channel")) == ["digest", "digest", "reminder"]
    catch_up = await services.store.digests.latest(GUILD)
    assert catch_up is not None and catch_up.catch_up is True


async def test_a_refused_reminder_channel_holds_reminders_until_released(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    channel = 700
    await services.store.guilds.update(GUILD, clock.now(), reminder_channel_id=channel)
    await _add(services)
    transport.refused_channels[channel] = "Unknown Channel (404)"
    clock.set(DUE_AT)
    report = await tick()
    assert len(report.drained.held) == 1
    guild = await services.store.guilds.get(GUILD)
    assert guild.reminders_paused_reason == "Unknown Channel (404)"
    assert guild.digest_paused_reason is None
    clock.advance(days=3)
    await tick()
    assert transport.kinds("channel") == []
    assert (await _channel_row(services)).status == "pending"

    transport.refused_channels.clear()
    assert await services.sender(transport).release(GUILD, channel) == 1
    await tick()
    assert transport.kinds("channel") == ["reminder"]
    assert (await _channel_row(services)).status == "sent"


async def _add(services: Services) -> ForecastRecord:
    return await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
