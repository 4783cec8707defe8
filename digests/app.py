"""The composition root: settings in, store and domain services out, closed in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from digests.analysis.pipeline import Analyzer
from digests.analysis.service import AnalysisService
from digests.clock import Clock, SystemClock
from digests.ingest.feed_service import FeedService
from digests.ingest.fetch import HostResolver, SafeFetcher
from digests.ingest.service import IngestService
from digests.ledger.post_dates import PostDatingService
from digests.ledger.service import LedgerService
from digests.reminders.outbox import OutboxSender, Transport
from digests.reminders.service import ReminderService
from digests.scheduling.digest_service import DigestService
from digests.scheduling.scheduler import Scheduler
from digests.settings import Settings
from digests.store import Store


@dataclass
class Services:
    """Everything a front end needs, built once from one Settings."""

    settings: Settings
    clock: Clock
    store: Store
    fetcher: SafeFetcher
    analysis: AnalysisService
    ingest: IngestService
    feeds: FeedService
    ledger: LedgerService
    post_dates: PostDatingService
    reminders: ReminderService
    digests: DigestService

    @classmethod
    async def open(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        *,
        resolver: HostResolver | None = None,
        analyzer: Analyzer | None = None,
    ) -> Services:
        """Open the store (applying migrations) and build the services over it."""
        clock = clock or SystemClock()
        settings.ensure_database_folder()
        store = await Store.open(settings.database_url)
        fetcher = SafeFetcher(settings, resolver)
        analysis = AnalysisService(store, settings, clock, analyzer)
        ingest = IngestService(store, settings, clock, fetcher=fetcher, analyzer=analysis)
        services = cls(
            settings=settings,
            clock=clock,
            store=store,
            fetcher=fetcher,
            analysis=analysis,
            ingest=ingest,
            feeds=FeedService(store, settings, clock, ingest, fetcher),
            ledger=LedgerService(store, settings, clock),
            post_dates=PostDatingService(store, settings, clock, analysis),
            reminders=ReminderService(store, settings, clock),
            digests=DigestService(store, settings, clock),
        )
        try:
            # Due moments stored in another timezone than their guild's (older versions used
            # the default for forecasts found in posts; DEFAULT_TIMEZONE may have changed) are
            # moved before any reminder is swept. Nothing is written when all are aligned.
            await services.ledger.realign_due_moments()
        except BaseException:
            await services.close()
            raise
        return services

    def sender(self, transport: Transport) -> OutboxSender:
        """The outbox sender for a front end's transport."""
        return OutboxSender(self.store, self.settings, self.clock, transport)

    def scheduler(
        self, transport: Transport, scope: Callable[[], set[int] | None] = lambda: None
    ) -> Scheduler:
        """The scheduler that runs digests, feeds, reminders and deliveries for a front end."""
        return Scheduler(
            self.store,
            self.settings,
            self.clock,
            reminders=self.reminders,
            digests=self.digests,
            feeds=self.feeds,
            sender=self.sender(transport),
            scope=scope,
        )

    async def close(self) -> None:
        """Release every resource the services hold."""
        await self.fetcher.close()
        await self.store.close()

    async def __aenter__(self) -> Services:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
