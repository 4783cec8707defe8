"""The scheduler: jobs rebuilt from the database, a catch-up pass at start, guild scopes."""

from __future__ import annotations

from digests.app import Services
from digests.clock import ManualClock
from digests.ledger.service import Actor
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport


async def test_start_builds_jobs_from_the_database_and_catches_up(
    services: Services, clock: ManualClock
) -> None:
    await services.digests.schedule(1, channel_id=500, weekday="mon", at="09:00")
    await services.digests.schedule(2, channel_id=600, weekday="daily", at="08:00")
    await services.ledger.add(Actor(1, 10), claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    transport = RecordingTransport()
    scheduler = services.scheduler(transport)
    try:
        await scheduler.start()
        assert scheduler.running
        assert scheduler.job_ids() == ["digest:1", "digest:2", "sweep"]
        # The pass at start delivered what was due while the bot was down: guild 2's daily
        # digests (one catch-up) and the due ping; guild 1's weekly time has not come yet.
        assert sorted(transport.kinds()) == ["digest", "reminder", "reminder"]
        assert [m.guild_id for m in transport.delivered if m.kind == "digest"] == [2]

        await services.digests.off(2)
        await scheduler.rebuild()
        assert scheduler.job_ids() == ["digest:1", "sweep"]
        await scheduler.start()  # already running: nothing happens twice
        assert len(transport.delivered) == 3
    finally:
        await scheduler.shutdown()
    assert not scheduler.running and scheduler.job_ids() == []


async def test_a_scoped_scheduler_only_touches_its_own_guilds(
    services: Services, clock: ManualClock
) -> None:
    mine, theirs = Actor(1, 10), Actor(2, 20)
    await services.ledger.add(mine, claim="Rates fall by spring", due=DUE_DAY)
    await services.ledger.add(theirs, claim="Won passes 1500", due=DUE_DAY)
    await services.digests.schedule(2, channel_id=600, weekday="daily")
    clock.set(DUE_AT)
    transport = RecordingTransport()
    scheduler = services.scheduler(transport, scope=lambda: {1})
    report = await scheduler.tick()
    assert report.digests == []
    assert {m.guild_id for m in transport.delivered} == {1}
    assert await services.store.outbox.list(2) == []
    assert (await services.ledger.get(2, 2)).status == "open"  # left for its own shard

    other = RecordingTransport()
    await services.scheduler(other, scope=lambda: {2}).tick()
    assert {m.guild_id for m in other.delivered} == {2}
    assert sorted(other.kinds()) == ["digest", "reminder", "reminder"]
