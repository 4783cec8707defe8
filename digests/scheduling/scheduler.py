"""APScheduler jobs rebuilt from the database: digests per guild, polling per feed, the sweep.

The database is the only source of truth: jobs are never pickled, they are recreated at start
with fixed ids (`digest:<guild>`, `feed:<id>`, `sweep`) and `replace_existing`. Every job only
asks an idempotent service to do what is due, so a job that fires twice, late or not at all
cannot double or lose anything; the sweep also runs once at start to catch up after downtime.

Every job fails alone (see `isolation`): a pass of the scheduler always reaches its end, and a
failing sweep, digest, feed or delivery is recorded and backed off while the rest goes on. So
start-up, which runs a pass, cannot be stopped by one bad feed or one broken guild either.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from digests.clock import Clock
from digests.ingest.feed_service import FeedService, spread_offset
from digests.reminders.outbox import DrainReport, OutboxSender
from digests.reminders.service import ReminderService, SweepReport
from digests.scheduling.digest_service import DigestService, QueuedDigest
from digests.scheduling.isolation import JobRunner
from digests.scheduling.policy import trigger
from digests.settings import Settings
from digests.store import Store
from digests.store.jobs import EVERY_GUILD, worker_job

logger = logging.getLogger(__name__)

T = TypeVar("T")

GuildScope = Callable[[], set[int] | None]


SWEEP_JOB = "sweep"
DELIVERY_JOB = "delivery"


@dataclass
class TickReport:
    """What one pass of the scheduler did, and what failed in it."""

    sweep: SweepReport
    digests: list[QueuedDigest]
    drained: DrainReport
    feeds_polled: int
    failures: list[str] = field(default_factory=list)


class Scheduler:
    """Owns the AsyncIOScheduler; start it inside the running event loop (setup_hook or later)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock,
        *,
        reminders: ReminderService,
        digests: DigestService,
        feeds: FeedService,
        sender: OutboxSender,
        scope: GuildScope = lambda: None,
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self.reminders = reminders
        self.digests = digests
        self.feeds = feeds
        self.sender = sender
        self._scope = scope
        self._scheduler: AsyncIOScheduler | None = None
        self._tick_lock = asyncio.Lock()
        self.jobs = JobRunner(store, clock)

    @property
    def running(self) -> bool:
        """True between start() and shutdown()."""
        return self._scheduler is not None and self._scheduler.running

    def job_ids(self) -> list[str]:
        """Ids of the scheduled jobs (for status and tests)."""
        return sorted(job.id for job in self._scheduler.get_jobs()) if self._scheduler else []

    async def start(self, *, catch_up: bool = True) -> None:
        """Recover interrupted deliveries, build jobs from the database, start, catch up."""
        if self.running:
            return
        try:
            # Only this process's guilds (shards); deliveries left in `sending` wait if this
            # fails, and everything else starts.
            await self.sender.recover(self._scope())
        except Exception:
            logger.exception("re-queueing interrupted deliveries failed")
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        try:
            await self.rebuild()
        except Exception:  # the sweep job still ticks: it does everything that is due
            logger.exception("building the scheduled jobs failed")
        self._scheduler.start()
        if catch_up:
            await self.tick()

    async def shutdown(self) -> None:
        """Stop the scheduler, then wait for a pass in progress so nothing it claimed is left
        half done when the store closes."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        async with self._tick_lock:
            pass

    async def rebuild(self) -> None:
        """(Re)create every job from the database with fixed ids; remove stale ones."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        scope = self._scope()
        wanted: set[str] = {"sweep"}
        scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self._settings.reminder_sweep_seconds, timezone=UTC),
            id="sweep",
            replace_existing=True,
        )
        default_zone = self._settings.timezone
        for guild in await self._store.guilds.with_digests():
            if (scope is not None and guild.guild_id not in scope) or not guild.digest_cron:
                continue
            job_id = f"digest:{guild.guild_id}"
            try:
                zone = ZoneInfo(guild.timezone) if guild.timezone else default_zone
                schedule = trigger(guild.digest_cron, zone)
            except Exception:  # a stored schedule gone bad: the sweep's passes still cover it
                logger.exception("guild %s: cannot schedule its digests", guild.guild_id)
                continue
            wanted.add(job_id)
            scheduler.add_job(self.run_digests, schedule, id=job_id, replace_existing=True)
        interval = timedelta(minutes=self._settings.feed_poll_minutes)
        for feed in await self._store.feeds.list_active():
            if scope is not None and feed.guild_id not in scope:
                continue
            job_id = f"feed:{feed.id}"
            wanted.add(job_id)
            start = feed.created_at + spread_offset(feed.url, interval)
            scheduler.add_job(
                self.poll_feed,
                IntervalTrigger(
                    minutes=self._settings.feed_poll_minutes, start_date=start, timezone=UTC
                ),
                id=job_id,
                args=[feed.guild_id, feed.id],
                replace_existing=True,
            )
        for job in scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()

    async def tick(self) -> TickReport:
        """Do everything that is due: reminders, digests, feeds, then deliveries. Never raises:
        each part fails alone and the report lists what failed."""
        async with self._tick_lock:
            scope = self._scope()
            failures: list[str] = []
            sweep = await self._guarded(
                SWEEP_JOB, lambda: self.reminders.sweep(scope), SweepReport(), failures
            )
            digests = await self._guarded(
                "digests", lambda: self.digests.run_due(scope, failures), [], failures
            )
            polled = await self._guarded("feeds", lambda: self.feeds.poll_due(scope), [], failures)
            failures.extend(
                f"feed {outcome.feed_id} (guild {outcome.guild_id}): {outcome.error}"
                for outcome in polled
                if outcome.error
            )
            drained = await self._guarded(
                DELIVERY_JOB, lambda: self.sender.drain(scope), DrainReport(), failures
            )
            return TickReport(sweep, digests, drained, len(polled), failures)

    async def _guarded(
        self, job: str, work: Callable[[], Awaitable[T]], fallback: T, failures: list[str]
    ) -> T:
        """Run one part of a pass as a job of every guild: recorded and backed off on failure.
        Digests and feeds isolate each guild and feed themselves; guarding them here only
        catches a failure to even list what is due."""
        # Named per process: one process's failing sweep neither backs off nor shows up as
        # another's (they share the store).
        stored_job = worker_job(job, self._settings.worker_name)
        result, failure = await self.jobs.run(EVERY_GUILD, stored_job, work, fallback)
        if failure is not None:
            failures.append(f"{job}: {failure.last_error}")
        return result

    async def run_digests(self) -> None:
        """A guild's digest time came: produce what is due and deliver it."""
        async with self._tick_lock:
            scope = self._scope()
            failures: list[str] = []
            await self._guarded("digests", lambda: self.digests.run_due(scope), [], failures)
            await self._guarded(
                DELIVERY_JOB, lambda: self.sender.drain(scope), DrainReport(), failures
            )

    async def poll_feed(self, guild_id: int, feed_id: int) -> None:
        """A feed's polling time came (backoff may postpone it)."""
        feed = await self._store.feeds.get(guild_id, feed_id)
        if feed is None or not feed.active or feed.next_poll_at > self._clock.now():
            return
        try:
            await self.feeds.poll(feed, only_if_due=True)
        except Exception:  # one broken feed must not stop the others
            logger.exception("polling feed %s failed", feed.url)

    def next_run(self, job_id: str) -> datetime | None:
        """When a job fires next."""
        if self._scheduler is None:
            return None
        job = self._scheduler.get_job(job_id)
        return job.next_run_time if job else None
