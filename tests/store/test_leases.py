"""Leases on named work, shared by processes: one holder at a time, a dead holder's lease
runs out, only the holder releases. Two Store connections stand for two processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from digests.store import Store

NOW = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
GUILD = 7


@pytest.fixture
async def two_processes(store_url: str) -> AsyncIterator[tuple[Store, Store]]:
    first = await Store.open(store_url)
    second = await Store.open(store_url)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_a_lease_has_one_holder_until_it_runs_out(two_processes: tuple[Store, Store]) -> None:
    a, b = two_processes
    assert await a.leases.take("feed:1", guild_id=GUILD, holder="a", now=NOW, until=NOW + MINUTE)
    assert not await b.leases.take(
        "feed:1", guild_id=GUILD, holder="b", now=NOW, until=NOW + MINUTE
    )
    # Another name is free; the holder may extend its own lease.
    assert await b.leases.take("feed:2", guild_id=GUILD, holder="b", now=NOW, until=NOW + MINUTE)
    assert await a.leases.take(
        "feed:1", guild_id=GUILD, holder="a", now=NOW, until=NOW + 2 * MINUTE
    )
    later = NOW + 2 * MINUTE
    assert await b.leases.take(
        "feed:1", guild_id=GUILD, holder="b", now=later, until=later + MINUTE
    )
    lease = await a.leases.get("feed:1")
    assert lease is not None and (lease.holder, lease.until) == ("b", later + MINUTE)


async def test_only_the_holder_releases(two_processes: tuple[Store, Store]) -> None:
    a, b = two_processes
    await a.leases.take("feed:1", guild_id=GUILD, holder="a", now=NOW, until=NOW + MINUTE)
    assert not await b.leases.release("feed:1", holder="b")
    assert not await b.leases.take(
        "feed:1", guild_id=GUILD, holder="b", now=NOW, until=NOW + MINUTE
    )
    assert await a.leases.release("feed:1", holder="a")
    assert await b.leases.take("feed:1", guild_id=GUILD, holder="b", now=NOW, until=NOW + MINUTE)


async def test_racing_takers_get_one_lease(two_processes: tuple[Store, Store]) -> None:
    a, b = two_processes
    results = await asyncio.gather(
        *[
            store.leases.take(f"feed:{n}", guild_id=GUILD, holder=name, now=NOW, until=NOW + MINUTE)
            for n in range(20)
            for store, name in ((a, "a"), (b, "b"))
        ]
    )
    assert sum(results) == 20  # each of the 20 names went to exactly one of the two
