"""Fixtures for scheduling tests: a recording transport and the scheduler's tick."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from digests.app import Services
from digests.scheduling.scheduler import Scheduler, TickReport
from tests.reminders.recording import RecordingTransport
from tests.support import stores

Tick = Callable[[], Awaitable[TickReport]]


@pytest.fixture
def transport() -> RecordingTransport:
    """Records every delivery the outbox makes."""
    return RecordingTransport()


@pytest.fixture
def scheduler(services: Services, transport: RecordingTransport) -> Scheduler:
    """The scheduler over the test's services (tests call tick themselves)."""
    return services.scheduler(transport)


@pytest.fixture
def tick(scheduler: Scheduler) -> Tick:
    """One pass of everything due: sweep, digests, feeds, deliveries."""
    return scheduler.tick


# These tests run on both stores: SQLite and PostgreSQL.
store_url = stores.store_url
