"""Scheduled digests at guild-local times, one per period, and one catch-up after downtime."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.errors import InputError
from digests.scheduling.digest_service import QueuedDigest
from tests.reminders.recording import RecordingTransport
from tests.scheduling.conftest import Tick

NY_GUILD = 1
SEOUL_GUILD = 2
CHANNEL = 500
NEW_YORK = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def span(queued: QueuedDigest) -> tuple[datetime, datetime, bool]:
    digest = queued.digest
    return digest.start.astimezone(UTC), digest.end.astimezone(UTC), digest.catch_up


async def _weekly_new_york(services: Services) -> None:
    await services.digests.schedule(
        NY_GUILD, channel_id=CHANNEL, weekday="mon", at="09:00", timezone="America/New_York"
    )


async def test_monday_9am_new_york_fires_at_13_utc_after_the_march_change(
    services: Services, clock: ManualClock
) -> None:
    clock.set(utc(2025, 3, 1))
    await _weekly_new_york(services)
    clock.set(utc(2025, 3, 3, 13, 59))
    assert await services.digests.run_due() == []
    clock.set(utc(2025, 3, 3, 14))  # Monday 09:00 EST
    [first] = await services.digests.run_due()
    assert span(first)[1] == utc(2025, 3, 3, 14)

    clock.set(utc(2025, 3, 10, 12, 59))  # 08:59 EDT: not yet
    assert await services.digests.run_due() == []
    clock.set(utc(2025, 3, 10, 13))  # 09:00 EDT (keeping EST would wait until 14:00 UTC)
    [second] = await services.digests.run_due()
    # Contiguous with the previous period, 09:00 to 09:00 local time.
    assert span(second) == (utc(2025, 3, 3, 14), utc(2025, 3, 10, 13), False)
    assert second.digest.start.astimezone(NEW_YORK).hour == 9
    assert second.digest.end.astimezone(NEW_YORK).hour == 9
    clock.set(utc(2025, 3, 10, 14))
    assert await services.digests.run_due() == []


async def test_monday_9am_new_york_fires_at_14_utc_after_the_november_change(
    services: Services, clock: ManualClock
) -> None:
    clock.set(utc(2025, 10, 25))
    await _weekly_new_york(services)
    clock.set(utc(2025, 10, 27, 13))  # Monday 09:00 EDT
    [first] = await services.digests.run_due()
    assert span(first) == (utc(2025, 10, 20, 13), utc(2025, 10, 27, 13), False)

    clock.set(utc(2025, 11, 3, 13, 30))  # 08:30 EST: still before the digest time
    assert await services.digests.run_due() == []
    clock.set(utc(2025, 11, 3, 14))  # 09:00 EST
    [second] = await services.digests.run_due()
    # Contiguous with the previous period: no hour is dropped or covered twice.
    assert span(second) == (utc(2025, 10, 27, 13), utc(2025, 11, 3, 14), False)
    status = await services.digests.status(NY_GUILD)
    assert status.timezone == "America/New_York"
    assert status.next_run == utc(2025, 11, 10, 14)
    assert status.last is not None and status.last.period_end == utc(2025, 11, 3, 14)


async def test_seoul_daily_digest_fires_at_midnight_utc(
    services: Services, clock: ManualClock
) -> None:
    clock.set(utc(2025, 12, 14, 12))  # 21:00 in Seoul
    await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, weekday="daily", days=1)
    assert (await services.digests.status(SEOUL_GUILD)).next_run == utc(2025, 12, 15)
    clock.set(utc(2025, 12, 14, 23, 59))
    assert await services.digests.run_due() == []
    clock.set(utc(2025, 12, 15))  # 09:00 in Seoul
    [first] = await services.digests.run_due()
    assert span(first) == (utc(2025, 12, 14), utc(2025, 12, 15), False)
    clock.set(utc(2025, 12, 16))
    [second] = await services.digests.run_due()
    assert span(second) == (utc(2025, 12, 15), utc(2025, 12, 16), False)


async def test_a_schedule_starts_when_it_is_made(services: Services, clock: ManualClock) -> None:
    """Times before the schedule existed were not missed: no digest right away, and the first
    one covers one ordinary period (not labelled a catch-up)."""
    clock.set(utc(2025, 12, 15, 1))
    await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, weekday="daily")
    assert await services.digests.run_due() == []
    clock.set(utc(2025, 12, 16))
    [first] = await services.digests.run_due()
    assert span(first) == (utc(2025, 12, 9), utc(2025, 12, 16), False)


async def test_down_before_a_new_schedules_first_digest_catches_up_from_its_first_period(
    services: Services, clock: ManualClock
) -> None:
    clock.set(utc(2025, 12, 15, 1))
    await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, weekday="daily", days=1)
    clock.set(utc(2025, 12, 18, 5))  # three scheduled times passed while the bot was down
    [only] = await services.digests.run_due()
    assert span(only) == (utc(2025, 12, 15), utc(2025, 12, 18), True)
    assert await services.digests.run_due() == []


async def test_a_three_day_outage_is_covered_by_one_catch_up_digest(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    clock.set(utc(2025, 12, 14, 12))
    await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, weekday="daily", days=1)
    await tick()
    clock.set(utc(2025, 12, 15))
    await tick()
    clock.set(utc(2025, 12, 16))
    await tick()
    assert len(transport.delivered) == 2

    clock.set(utc(2025, 12, 19, 5))  # back after three days (14:00 in Seoul)
    report = await tick()
    assert [span(queued) for queued in report.digests] == [
        (utc(2025, 12, 16), utc(2025, 12, 19), True)
    ]
    message = transport.delivered[-1]
    assert message.kind == "digest" and message.destination_id == CHANNEL
    assert "Catch-up digest covering 2025-12-16 09:00 – 2025-12-19 09:00 (Asia/Seoul)" in str(
        message.payload["markdown"]
    )
    assert message.payload["digest"]["catch_up"] is True

    again = await tick()
    assert again.digests == [] and len(transport.delivered) == 3
    clock.advance(hours=6)
    assert (await tick()).digests == []

    clock.set(utc(2025, 12, 20))  # the next regular time
    report = await tick()
    assert [span(queued) for queued in report.digests] == [
        (utc(2025, 12, 19), utc(2025, 12, 20), False)
    ]
    assert [m.kind for m in transport.delivered] == ["digest"] * 4
    assert len({m.digest_id for m in transport.delivered}) == 4
    assert await services.store.digests.count(SEOUL_GUILD) == 4


async def test_a_period_is_produced_once_however_often_it_is_asked(
    services: Services, clock: ManualClock
) -> None:
    clock.set(utc(2025, 12, 14, 12))
    await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, weekday="daily", days=1)
    clock.set(utc(2025, 12, 15, 1))
    produced = [await services.digests.run_due() for _ in range(3)]
    assert [len(batch) for batch in produced] == [1, 0, 0]
    assert len(await services.store.outbox.list(SEOUL_GUILD)) == 1


async def test_switched_off_digests_stop_and_bad_schedules_are_refused(
    services: Services, clock: ManualClock
) -> None:
    clock.set(utc(2025, 12, 14, 12))
    await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, weekday="daily", days=1)
    clock.set(utc(2025, 12, 15, 1))
    assert len(await services.digests.run_due()) == 1
    await services.digests.off(SEOUL_GUILD)
    clock.advance(days=3)
    assert await services.digests.run_due() == []
    assert (await services.digests.status(SEOUL_GUILD)).next_run is None
    with pytest.raises(InputError):
        await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, timezone="Nowhere/City")
    with pytest.raises(InputError):
        await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, cron="99 * * * *")
    with pytest.raises(InputError):
        await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, days=0)


async def test_a_catch_up_after_switching_back_on_does_not_reach_into_the_off_time(
    services: Services, clock: ManualClock
) -> None:
    clock.set(utc(2025, 12, 14, 12))
    await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, weekday="daily", days=1)
    clock.set(utc(2025, 12, 15, 1))
    assert len(await services.digests.run_due()) == 1
    await services.digests.off(SEOUL_GUILD)
    clock.set(utc(2026, 2, 1, 1))  # switched back on weeks later…
    await services.digests.schedule(SEOUL_GUILD, channel_id=CHANNEL, weekday="daily", days=1)
    assert await services.digests.run_due() == []
    clock.set(utc(2026, 2, 4, 5))  # …then down for three of its times
    [catch_up] = await services.digests.run_due()
    assert span(catch_up) == (utc(2026, 2, 1), utc(2026, 2, 4), True)
