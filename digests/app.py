"""The composition root: settings in, store and domain services out, closed in one place."""

from __future__ import annotations

from dataclasses import dataclass

from digests.analysis.pipeline import Analyzer
from digests.analysis.service import AnalysisService
from digests.clock import Clock, SystemClock
from digests.ingest.feed_service import FeedService
from digests.ingest.fetch import HostResolver, SafeFetcher
from digests.ingest.service import IngestService
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
        store = await Store.open(settings.database_path)
        fetcher = SafeFetcher(settings, resolver)
        analysis = AnalysisService(store, settings, clock, analyzer)
        ingest = IngestService(store, settings, clock, fetcher=fetcher, analyzer=analysis)
        feeds = FeedService(store, settings, clock, ingest, fetcher)
        return cls(
            settings=settings,
            clock=clock,
            store=store,
            fetcher=fetcher,
            analysis=analysis,
            ingest=ingest,
            feeds=feeds,
        )

    async def close(self) -> None:
        """Release every resource the services hold."""
        await self.fetcher.close()
        await self.store.close()

    async def __aenter__(self) -> Services:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
