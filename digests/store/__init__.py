"""The store layer: the only place with SQL. Every query is scoped by guild."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from digests.store.analysis import AnalysisRepository
from digests.store.database import Database, Transaction, open_database
from digests.store.digests import DigestRepository
from digests.store.feeds import FeedRepository
from digests.store.forecasts import ForecastRepository
from digests.store.guilds import GuildRepository
from digests.store.jobs import JobFailureRepository
from digests.store.leases import LeaseRepository
from digests.store.ledger import LedgerRepository
from digests.store.outbox import OutboxRepository
from digests.store.posts import PostRepository
from digests.store.subscriptions import SubscriptionRepository
from digests.store.sweep import SweepRepository
from digests.store.track_record import TrackRecordRepository
from digests.store.user_reminders import UserReminderRepository
from digests.store.votes import VoteRepository


class Store:
    """The database and the repositories over it."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.posts = PostRepository(database)
        self.feeds = FeedRepository(database)
        self.analysis = AnalysisRepository(database)
        self.forecasts = ForecastRepository(database)
        self.ledger = LedgerRepository(database)
        self.votes = VoteRepository(database)
        self.subscriptions = SubscriptionRepository(database)
        self.user_reminders = UserReminderRepository(database)
        self.sweep = SweepRepository(database)
        self.track_record = TrackRecordRepository(database)
        self.guilds = GuildRepository(database)
        self.digests = DigestRepository(database)
        self.outbox = OutboxRepository(database)
        self.jobs = JobFailureRepository(database)
        self.leases = LeaseRepository(database)

    @classmethod
    async def open(cls, target: str) -> Store:
        """Open the database `target` names (a `postgresql://` or `sqlite:///` URL, or a SQLite
        file path), applying migrations."""
        return cls(await open_database(target))

    async def close(self) -> None:
        """Close the database."""
        await self.database.close()

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """One all-or-nothing write transaction."""
        return self.database.transaction()


__all__ = ["Database", "Store", "Transaction"]
