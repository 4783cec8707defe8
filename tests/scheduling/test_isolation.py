"""Every job fails alone: a broken guild, a crashing sweep or a bad feed is recorded, backed off
and shown to moderators, while every other job of the pass runs, and start-up goes on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digests.app import Services
from digests.clock import ManualClock
from digests.errors import InputError
from digests.ledger.service import Actor
from digests.reminders.service import ReminderService, SweepReport
from digests.scheduling.digest_service import DigestService
from digests.scheduling.isolation import JOB_BACKOFF, JobRunner
from digests.scheduling.scheduler import Scheduler
from digests.settings import Settings
from digests.store.jobs import EVERY_GUILD
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport
from tests.support.local_http import LocalHTTPServer

BROKEN_GUILD = 1
HEALTHY_GUILD = 2
# 2025-12-16 00:00 UTC is 09:00 in Seoul: a daily 09:00 digest is due.
DIGEST_TIME = datetime(2025, 12, 16, tzinfo=UTC)


async def test_a_job_that_fails_is_recorded_backed_off_and_forgotten_once_it_works(
    services: Services, clock: ManualClock
) -> None:
    runner = JobRunner(services.store, clock)
    calls: list[str] = []

    async def failing() -> str:
        calls.append("failing")
        raise InputError("schedule", "'x' is not a valid cron schedule")

    async def working() -> str:
        calls.append("working")
        return "done"

    result, failure = await runner.run(7, "digest", failing, "fallback")
    assert result == "fallback" and failure is not None
    assert (failure.failure_count, failure.last_error) == (
        1,
        "schedule: 'x' is not a valid cron schedule",
    )
    assert failure.retry_at == clock.now() + JOB_BACKOFF[0]

    assert await runner.run(7, "digest", working, "skipped") == ("skipped", None)
    assert calls == ["failing"]  # backing off: not even tried

    clock.advance(seconds=JOB_BACKOFF[0].total_seconds())
    _, second = await runner.run(7, "digest", failing, None)
    assert second is not None and second.failure_count == 2
    assert second.retry_at == clock.now() + JOB_BACKOFF[1]
    assert second.first_failure_at == failure.first_failure_at

    clock.advance(seconds=JOB_BACKOFF[1].total_seconds())
    assert await runner.run(7, "digest", working, None) == ("done", None)
    assert await services.store.jobs.get(7, "digest") is None
    # A new runner (a restart) reads what is failing from the database.
    await runner.run(7, "digest", failing, None)
    assert await JobRunner(services.store, clock).run(7, "digest", working, None) == (None, None)


async def test_a_broken_guild_does_not_stop_another_guilds_digest(
    services: Services, clock: ManualClock
) -> None:
    for guild in (BROKEN_GUILD, HEALTHY_GUILD):
        await services.digests.schedule(guild, channel_id=guild * 100, weekday="daily")
    # A timezone that no longer exists on this machine (a corrupted row, an old tzdata).
    await services.store.guilds.update(BROKEN_GUILD, clock.now(), timezone="Mars/Olympus")
    clock.set(DIGEST_TIME)
    transport = RecordingTransport()

    report = await services.scheduler(transport).tick()

    assert [queued.guild_id for queued in report.digests] == [HEALTHY_GUILD]
    assert [message.guild_id for message in transport.delivered] == [HEALTHY_GUILD]
    failure = await services.store.jobs.get(BROKEN_GUILD, "digest")
    assert failure is not None and failure.last_error == (
        "internal error (ZoneInfoNotFoundError); the details are in the bot's log"
    )
    status = await services.digests.status(HEALTHY_GUILD)
    assert status.failures == ()

    # Fixed by a moderator: the next pass after the back-off produces the digest.
    await services.digests.schedule(
        BROKEN_GUILD, channel_id=100, weekday="daily", timezone="Asia/Seoul"
    )
    clock.advance(minutes=1)
    await services.scheduler(transport).tick()
    assert await services.store.jobs.get(BROKEN_GUILD, "digest") is None
    assert sorted(message.guild_id for message in transport.delivered) == [
        BROKEN_GUILD,
        HEALTHY_GUILD,
    ]


class CrashingReminders(ReminderService):
    """A sweep with a bug in it."""

    async def sweep(self, guild_ids: set[int] | None = None, batch: int = 500) -> SweepReport:
        raise RuntimeError("sweep bug")


def process_scheduler(
    services: Services,
    transport: RecordingTransport,
    reminders: type[ReminderService] = CrashingReminders,
    settings: Settings | None = None,
) -> Scheduler:
    """A scheduler of one process on the shared store: its own settings (its WORKER_ID), its
    own reminder service (by default one whose sweep crashes) and digest service."""
    settings = settings or services.settings
    return Scheduler(
        services.store,
        settings,
        services.clock,
        reminders=reminders(services.store, settings, services.clock),
        digests=DigestService(services.store, settings, services.clock),
        feeds=services.feeds,
        sender=services.sender(transport),
    )


async def test_a_crashing_sweep_still_lets_digests_and_deliveries_run(
    services: Services, clock: ManualClock
) -> None:
    await services.digests.schedule(HEALTHY_GUILD, channel_id=200, weekday="daily")
    clock.set(DIGEST_TIME)
    transport = RecordingTransport()
    scheduler = process_scheduler(services, transport)

    report = await scheduler.tick()

    assert transport.kinds() == ["digest"]
    assert report.failures == [
        "sweep: internal error (RuntimeError); the details are in the bot's log"
    ]
    (failure,) = (await services.digests.status(HEALTHY_GUILD)).failures
    assert (failure.guild_id, failure.job, failure.failure_count) == (EVERY_GUILD, "sweep", 1)
    # Backing off: the next pass does not even try the sweep.
    assert (await scheduler.tick()).failures == []


async def test_each_process_backs_off_and_shows_only_its_own_every_server_failures(
    services: Services, clock: ManualClock
) -> None:
    """Two shard processes on one store: A's crashing sweep is A's. B still sweeps, and the
    servers B serves do not see A's failure in their status; A's servers do."""
    await services.digests.schedule(HEALTHY_GUILD, channel_id=200, weekday="daily")
    clock.set(DIGEST_TIME)
    settings_a = services.settings.model_copy(update={"worker_id": "shards-0"})
    settings_b = services.settings.model_copy(update={"worker_id": "shards-1"})
    crashing_a = process_scheduler(services, RecordingTransport(), settings=settings_a)
    assert len((await crashing_a.tick()).failures) == 1

    swept: list[str] = []

    class CountingReminders(ReminderService):
        async def sweep(self, guild_ids: set[int] | None = None, batch: int = 500) -> SweepReport:
            swept.append("b")
            return await super().sweep(guild_ids, batch)

    healthy_b = process_scheduler(services, RecordingTransport(), CountingReminders, settings_b)
    assert (await healthy_b.tick()).failures == [] and swept == ["b"]  # A's backoff is not B's

    seen_by_b = await DigestService(services.store, settings_b, clock).status(HEALTHY_GUILD)
    (seen_by_a,) = (
        await DigestService(services.store, settings_a, clock).status(HEALTHY_GUILD)
    ).failures
    assert seen_by_b.failures == ()
    assert (seen_by_a.name, seen_by_a.worker, seen_by_a.job) == (
        "sweep",
        "shards-0",
        "sweep@shards-0",
    )


async def test_start_up_survives_a_crashing_sweep_a_broken_guild_and_a_dead_feed(
    services: Services, clock: ManualClock
) -> None:
    await services.ledger.add(Actor(HEALTHY_GUILD, 10), claim="Rates fall by spring", due=DUE_DAY)
    await services.digests.schedule(HEALTHY_GUILD, channel_id=200, weekday="daily")
    await services.digests.schedule(BROKEN_GUILD, channel_id=100, weekday="daily")
    await services.store.guilds.update(BROKEN_GUILD, clock.now(), digest_cron="every full moon")
    transport = RecordingTransport()
    scheduler = process_scheduler(services, transport)
    async with LocalHTTPServer() as server:
        url = server.feed(
            "/feed.xml",
            b'<rss version="2.0"><channel><title>t</title>'
            b"<item><title>x</title></item></channel></rss>",
        )
        await services.feeds.add(HEALTHY_GUILD, url)
        server.respond("/feed.xml", body=b"\x00 not a feed", content_type="application/rss+xml")
        clock.set(DUE_AT + timedelta(days=1))
        try:
            await scheduler.start()
            assert scheduler.running
            assert "digest:2" in scheduler.job_ids() and "digest:1" not in scheduler.job_ids()
        finally:
            await scheduler.shutdown()

    assert transport.kinds() == ["digest"]
    (feed,) = await services.feeds.list(HEALTHY_GUILD)
    assert (
        feed.failure_count == 1
        and feed.last_error == f"{url}: malformed feed XML: not well-formed (invalid token)"
    )
    jobs = {(f.guild_id, f.job) for f in await services.store.jobs.all_failing()}
    assert jobs == {(EVERY_GUILD, "sweep"), (BROKEN_GUILD, "digest")}
