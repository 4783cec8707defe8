"""A real store (SQLite and PostgreSQL) and forecasts written through it, for the ledger's repositories' tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time

import pytest

from digests.ledger.model import ForecastRecord
from digests.store import Store
from tests.support import stores

NOW = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)
GUILD = 1_190_000_000_000_000_101
OTHER_GUILD = 1_190_000_000_000_000_202
ALICE = 400_000_000_000_000_001
BOB = 400_000_000_000_000_002


@pytest.fixture
async def ledger_store(store_url: str) -> AsyncIterator[Store]:
    """A fresh store of the test's own (SQLite file or PostgreSQL database)."""
    opened = await Store.open(store_url)
    try:
        yield opened
    finally:
        await opened.close()


def due_at(day: date) -> datetime:
    """The due moment the tests give a due day: its end, in UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


async def add_forecast(
    store: Store,
    guild_id: int,
    claim: str,
    due: date | None,
    *,
    author: str | None = "Newsletter",
    speaker: str | None = None,
    probability: float | None = None,
    source_url: str | None = None,
    needs_date: bool = False,
    now: datetime = NOW,
) -> int:
    """Write one forecast through the store (as a member would add it); return its id."""
    forecast = ForecastRecord(
        guild_id=guild_id,
        origin="manual",
        fingerprint=f"test:{guild_id}:{claim}",
        sentence=claim,
        claim=claim,
        speaker=speaker,
        timex=due.isoformat() if due else None,
        due_start=due,
        due_end=due,
        due_at=due_at(due) if due else None,
        granularity="day" if due else None,
        kind="outlook",
        hedge="likely",
        confidence=0.9,
        probability=probability,
        source_label=source_url,
        source_url=source_url,
        author=author,
        needs_date=needs_date,
    )
    async with store.transaction() as transaction:
        return await store.forecasts.add_manual(transaction, forecast=forecast, now=now)


async def judge(
    store: Store, forecast_id: int, outcome: str | None, *, at: datetime = NOW, by: int = BOB
) -> None:
    """Give a forecast a verdict (`None` takes it back to open)."""
    async with store.transaction() as transaction:
        await store.ledger.set_resolution(
            transaction,
            forecast_id,
            status="resolved" if outcome else "open",
            outcome=outcome,
            resolved_by=by if outcome else None,
            resolved_at=at if outcome else None,
            evidence=None,
            note=None,
            now=at,
        )


# These tests run on both stores: SQLite and PostgreSQL.
store_url = stores.store_url
postgres_admin_url = stores.postgres_admin_url
