"""JobFailureRepository on a real SQLite file: counting, back-off, clearing, guild scoping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from digests.store import Store
from digests.store.jobs import EVERY_GUILD

NOW = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)
WAIT = [timedelta(minutes=1), timedelta(minutes=5)]


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(store_url)
    try:
        yield opened
    finally:
        await opened.close()


async def test_failures_count_up_and_the_last_wait_repeats(store: Store) -> None:
    first = await store.jobs.record(7, "digest", error="boom", now=NOW, wait=WAIT)
    later = NOW + timedelta(minutes=1)
    second = await store.jobs.record(7, "digest", error="boom again", now=later, wait=WAIT)
    third = await store.jobs.record(7, "digest", error="x" * 900, now=later, wait=WAIT)

    assert (first.failure_count, first.retry_at) == (1, NOW + WAIT[0])
    assert (second.failure_count, second.retry_at, second.last_error) == (
        2,
        later + WAIT[1],
        "boom again",
    )
    assert (second.first_failure_at, second.last_failure_at) == (NOW, later)
    assert third.failure_count == 3 and third.retry_at == later + WAIT[1]
    assert len(third.last_error) == 500


async def test_clearing_forgets_one_job_of_one_guild(store: Store) -> None:
    await store.jobs.record(7, "digest", error="a", now=NOW, wait=WAIT)
    await store.jobs.record(8, "digest", error="b", now=NOW, wait=WAIT)

    assert await store.jobs.clear(7, "digest") is True
    assert await store.jobs.clear(7, "digest") is False
    assert await store.jobs.get(7, "digest") is None
    assert (await store.jobs.get(8, "digest")) is not None


async def test_a_guild_sees_its_own_jobs_and_those_of_every_guild(store: Store) -> None:
    await store.jobs.record(EVERY_GUILD, "sweep", error="s", now=NOW, wait=WAIT)
    await store.jobs.record(7, "digest", error="d", now=NOW + timedelta(seconds=1), wait=WAIT)
    await store.jobs.record(8, "digest", error="other", now=NOW, wait=WAIT)

    assert [(f.guild_id, f.job) for f in await store.jobs.for_guild(7)] == [
        (EVERY_GUILD, "sweep"),
        (7, "digest"),
    ]
    assert len(await store.jobs.all_failing()) == 3
