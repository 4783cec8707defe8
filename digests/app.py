"""The composition root: settings in, store and domain services out, closed in one place."""

from __future__ import annotations

from dataclasses import dataclass

from digests.clock import Clock, SystemClock
from digests.ingest.service import IngestService
from digests.settings import Settings
from digests.store import Store


@dataclass
class Services:
    """Everything a front end needs, built once from one Settings."""

    settings: Settings
    clock: Clock
    store: Store
    ingest: IngestService

    @classmethod
    async def open(cls, settings: Settings, clock: Clock | None = None) -> Services:
        """Open the store (applying migrations) and build the services over it."""
        clock = clock or SystemClock()
        settings.ensure_database_folder()
        store = await Store.open(settings.database_path)
        ingest = IngestService(store, settings, clock)
        return cls(settings=settings, clock=clock, store=store, ingest=ingest)

    async def close(self) -> None:
        """Release every resource the services hold."""
        await self.store.close()

    async def __aenter__(self) -> Services:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
