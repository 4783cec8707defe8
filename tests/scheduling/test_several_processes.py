"""Several processes on one store: one digest per guild and period and one reminder per
forecast and kind whatever the number of processes (unique keys, not timing), and a shard's
process sweeping its own guilds however large another shard's backlog. Each "process" is a
Services of its own (its own connection and worker name) on one SQLite file."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.ledger.service import Actor
from digests.store.scope import ShardScope
from tests.conftest import make_settings
from tests.fakediscord import snowflake_on_shard
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport

CHANNEL = 500


@pytest.fixture
async def three_processes(
    tmp_path: Path, store_url: str, clock: ManualClock
) -> AsyncIterator[list[Services]]:
    opened = [
        await Services.open(
            make_settings(tmp_path, database_url=store_url, worker_id=f"worker-{n}"), clock
        )
        for n in range(3)
    ]
    try:
        yield opened
    finally:
        for services in opened:
            await services.close()


async def sweep_until_idle(processes: list[Services]) -> None:
    """All processes sweep together, pass after pass (as their schedulers do), until a pass
    queues nothing: a sweep queues at most one batch of follow-ups per stage."""
    for _ in range(20):
        reports = await asyncio.gather(*(p.reminders.sweep(batch=7) for p in processes))
        if not any(report.queued for report in reports):
            return
    raise AssertionError("the sweeps never ran out of work")


async def test_processes_racing_for_a_period_produce_one_digest(
    three_processes: list[Services], clock: ManualClock
) -> None:
    guild = 2
    clock.set(datetime(2025, 12, 14, 12, tzinfo=UTC))
    await three_processes[0].digests.schedule(guild, channel_id=CHANNEL, weekday="daily", days=1)
    clock.set(datetime(2025, 12, 15, 1, tzinfo=UTC))
    produced = await asyncio.gather(*(p.digests.run_due() for p in three_processes * 2))
    assert sum(len(batch) for batch in produced) == 1
    assert await three_processes[1].store.digests.count(guild) == 1
    assert [m.kind for m in await three_processes[2].store.outbox.list(guild)] == ["digest"]


async def test_processes_sweeping_together_queue_one_reminder_per_forecast_and_kind(
    three_processes: list[Services], clock: ManualClock
) -> None:
    first = three_processes[0]
    guild = 3
    await first.reminders.set_channel(guild, CHANNEL)
    for number in range(30):
        await first.ledger.add(Actor(guild, 10), claim=f"Claim {number}", due=DUE_DAY)
    clock.set(DUE_AT)
    await sweep_until_idle(three_processes)
    clock.advance(days=8)  # and the 7-day follow-up, swept by all three at once
    await sweep_until_idle(three_processes)
    rows = await first.store.outbox.list(guild, limit=1000)
    per_forecast = Counter((m.forecast_id, m.kind, m.destination) for m in rows)
    assert len(per_forecast) == 30 * 3  # channel ping, subscriber DM, follow-up
    assert set(per_forecast.values()) == {1}


async def test_a_shard_process_sweeps_its_guilds_behind_another_shards_backlog(
    tmp_path: Path, store_url: str, clock: ManualClock
) -> None:
    mine, theirs = snowflake_on_shard(1, 2), snowflake_on_shard(0, 2)
    services = await Services.open(
        make_settings(tmp_path, database_url=store_url, worker_id="shards-1"), clock
    )
    try:
        for guild in (mine, theirs):
            await services.reminders.set_channel(guild, CHANNEL)
        # The other shard's forecasts close first: they head the queue, and their process is down.
        for number in range(12):
            await services.ledger.add(Actor(theirs, 10), claim=f"Theirs {number}", due="2025-12-18")
        for number in range(3):
            await services.ledger.add(Actor(mine, 10), claim=f"Mine {number}", due=DUE_DAY)
        clock.set(DUE_AT + timedelta(hours=1))
        transport = RecordingTransport()
        scheduler = services.scheduler(transport, scope=lambda: ShardScope({1}, 2))
        report = await services.reminders.sweep(ShardScope({1}, 2), batch=5)
        assert report.due == 3
        await scheduler.tick()
        assert {m.guild_id for m in transport.delivered} == {mine}
        assert len([m for m in transport.delivered if m.destination == "channel"]) == 3
        theirs_rows = await services.store.outbox.list(theirs)
        assert theirs_rows == []  # left for the other shard's process
    finally:
        await services.close()
