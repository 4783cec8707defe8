"""Exactly-once delivery across real processes killed with SIGKILL.

2,000 forecasts come due in four servers (two send one message per forecast, two group them);
worker processes (`tests.support.outbox_worker`) sweep them into the outbox and deliver through
a transport that appends every message to a file. Processes are killed with SIGKILL at any
moment — mid-sweep, mid-send, between sending and marking sent — and started again. At the
end every outbox row has been sent in exactly one recorded message: none lost, none doubled.

- one process on SQLite, killed and restarted 20 times;
- three processes on one store (SQLite, and PostgreSQL when the suite has a server), one killed
  mid-sweep and restarted, another killed for good (its claims are taken over by the others
  when its lease runs out).

Sizes for a longer run: HINDSIGHT_KILL_PROCESSES="FORECASTS,KILLS" (default "2000,20"). The
workers' PostgreSQL plan mode, to show the outcome does not depend on it:
HINDSIGHT_TEST_PLAN_CACHE_MODE=auto|force_custom_plan|force_generic_plan (default: the pool's).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from digests.clock import SystemClock
from digests.ledger.model import manual_forecast
from digests.reminders.outbox import delivery_nonce
from digests.settings import Settings
from digests.store import Store
from tests.conftest import make_settings
from tests.support.child_process import ChildProcess, child_environment
from tests.support.outbox_worker import sent_count, sent_lines

pytestmark = pytest.mark.slow  # about 10-50 s each on a 2-core machine

_SIZES = [int(n) for n in os.environ.get("HINDSIGHT_KILL_PROCESSES", "2000,20").split(",")]
FORECASTS, KILLS = _SIZES[0], _SIZES[1]
GUILDS = (11, 12, 13, 14)  # 11 and 12 one message per forecast; 13 and 14 grouped
AUTHORS = 7  # members per server, each subscribed to their own forecasts (a DM each)
LEASE_SECONDS = 5  # the smallest allowed: a dead process's claims wait this long
DEADLINE_SECONDS = 90.0  # a hung run fails instead of blocking the suite


@dataclass
class Progress:
    """Where the work stands, read from the store and the record file."""

    open_forecasts: int
    unsent_rows: int
    rows: int
    lines: int


async def seed(settings: Settings) -> None:
    """FORECASTS forecasts spread over GUILDS, all due since yesterday, written in bulk (the
    same rows `LedgerService.add` writes: the forecast and its author's subscription)."""
    now = SystemClock().now()
    zone = settings.timezone
    yesterday = (now - timedelta(days=1)).astimezone(zone).date()
    store = await Store.open(settings.database_url)
    try:
        async with store.transaction() as transaction:
            for number in range(FORECASTS):
                guild = GUILDS[number % len(GUILDS)]
                author = 100 + number % AUTHORS
                forecast = manual_forecast(
                    guild_id=guild,
                    user_id=author,
                    claim=f"Forecast {number} of guild {guild}",
                    typed_due=yesterday.isoformat(),
                    today=yesterday,
                    due_end=yesterday,
                    zone=zone,
                    now=now - timedelta(days=3),
                    probability=None,
                )
                forecast_id = await store.forecasts.add_manual(
                    transaction, forecast=forecast, now=now - timedelta(days=3)
                )
                await store.subscriptions.subscribe(
                    transaction, guild_id=guild, forecast_id=forecast_id, user_id=author, now=now
                )
        for guild in GUILDS:
            await store.guilds.update(
                guild,
                now,
                reminder_channel_id=guild * 1000,
                reminder_grouping="single" if guild in GUILDS[:2] else "grouped",
            )
    finally:
        await store.close()


async def progress(store: Store, record: Path) -> Progress:
    """Where the work stands, read through a connection the test keeps open."""
    open_row = await store.database.fetch_one(
        "SELECT COUNT(*) AS n FROM forecasts WHERE status = 'open'"
    )
    rows = await store.database.fetch_one(
        "SELECT COUNT(*) AS n, SUM(CASE WHEN status = 'sent' THEN 0 ELSE 1 END) AS unsent"
        " FROM outbox"
    )
    assert open_row is not None and rows is not None
    return Progress(open_row["n"], rows["unsent"] or 0, rows["n"], sent_count(record))


def workers(settings: Settings, record: Path, tmp_path: Path, count: int) -> list[ChildProcess]:
    return [
        ChildProcess(
            "tests.support.outbox_worker",
            [str(record)],
            child_environment(
                {
                    "DATABASE_URL": settings.database_url,
                    "WORKER_ID": f"worker-{number}",
                    "LEASE_SECONDS": str(LEASE_SECONDS),
                    "REMINDER_FOLLOWUP_DAYS": "30",
                    "LOG_LEVEL": "ERROR",
                }
            ),
            tmp_path,
        )
        for number in range(count)
    ]


async def wait_for(
    store: Store, record: Path, processes: list[ChildProcess], done: object, what: str
) -> Progress:
    """Poll until `done(progress)` holds; fail with the processes' errors on the deadline or
    when one of them ends by itself."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        state = await progress(store, record)
        if done(state):  # type: ignore[operator]
            return state
        crashed = [
            p for p in processes if p.process is not None and p.process.poll() not in (None, -9)
        ]
        if crashed or time.monotonic() > deadline:
            for process in processes:
                if process.running:
                    process.kill()
            details = "\n".join(p.errors()[-3000:] for p in processes if p.process is not None)
            raise AssertionError(f"waiting for {what}: {state}\n{details}")
        # Not faster: the watcher shares two cores with three workers and the server.
        await asyncio.sleep(0.05)


def finished(state: Progress) -> bool:
    return state.open_forecasts == 0 and state.rows > 0 and state.unsent_rows == 0


async def explain(store: Store, record: Path, ids: set[int]) -> str:
    """For a failure: each row's batch and claim, and the recorded messages with its batch's
    nonce (a lost row whose nonce was sent without it was deduplicated by that nonce)."""
    lines = sent_lines(record)
    notes = []
    for row_id in sorted(ids):
        row = await store.database.fetch_one(
            "SELECT guild_id, batch_key, attempts, claimed_by FROM outbox WHERE id = ?", (row_id,)
        )
        assert row is not None
        nonce = delivery_nonce(row["guild_id"], row["batch_key"] or "")
        carried = [line for line in lines if line["nonce"] == nonce]
        notes.append(
            f"row {row_id}: batch {row['batch_key']!r}, {row['attempts']} attempts,"
            f" last claimed by {row['claimed_by']}; messages with its nonce: {carried}"
        )
    return "\n".join(notes)


async def assert_each_row_sent_once(store: Store, record: Path) -> int:
    """Every outbox row is in exactly one recorded message; returns the number of rows."""
    rows = await store.database.fetch_all("SELECT id, status FROM outbox")
    forecasts = await store.database.fetch_all(
        "SELECT status, COUNT(*) AS n FROM forecasts GROUP BY status"
    )
    assert {row["status"] for row in rows} == {"sent"}
    assert {row["status"]: row["n"] for row in forecasts} == {"due": FORECASTS}
    sends = Counter(row_id for line in sent_lines(record) for row_id in line["ids"])  # type: ignore[attr-defined]
    doubled = {row_id: n for row_id, n in sends.items() if n > 1}
    lost = {row["id"] for row in rows} - set(sends)
    assert doubled == {} and lost == set(), await explain(store, record, set(doubled) | lost)
    assert len(rows) == 2 * FORECASTS  # the channel ping and the author's DM of each
    assert set(sends) == {row["id"] for row in rows}
    return len(rows)


@contextlib.asynccontextmanager
async def watching(settings: Settings) -> AsyncIterator[Store]:
    """The seeded store, and a connection to it the test watches the work through."""
    await seed(settings)
    store = await Store.open(settings.database_url)
    try:
        yield store
    finally:
        await store.close()


async def test_one_process_killed_20_times_neither_loses_nor_doubles(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    record = tmp_path / "sent.jsonl"
    (worker,) = workers(settings, record, tmp_path, 1)
    rng = random.Random(11)
    mid_sweep = 0
    async with watching(settings) as store:
        try:
            for kill in range(KILLS):
                before = await progress(store, record)
                if finished(before):
                    break
                worker.start()
                # Kill once this run has done something (swept a batch or sent a message): the
                # first time at once (mid-sweep), later at a random moment after that.
                await wait_for(
                    store,
                    record,
                    [worker],
                    lambda s, b=before: (
                        finished(s) or s.lines > b.lines or s.open_forecasts < b.open_forecasts
                    ),
                    "the worker to make progress",
                )
                if kill:
                    await asyncio.sleep(rng.uniform(0, 0.15))
                worker.kill()
                mid_sweep += 0 < (await progress(store, record)).open_forecasts < FORECASTS
            kills = worker.starts
            worker.start()
            await wait_for(store, record, [worker], finished, "the last run to finish")
        finally:
            if worker.running:
                worker.kill()
        assert kills == KILLS, "the work ran out before every kill (make it larger)"
        assert mid_sweep >= 1, "no kill landed mid-sweep"
        await assert_each_row_sent_once(store, record)


async def test_three_processes_one_killed_mid_sweep_one_for_good_neither_lose_nor_double(
    tmp_path: Path, store_url: str
) -> None:
    settings = make_settings(tmp_path, database_url=store_url)
    record = tmp_path / "sent.jsonl"
    processes = workers(settings, record, tmp_path, 3)
    async with watching(settings) as store:
        try:
            for process in processes:
                process.start()
            await wait_for(
                store,
                record,
                processes,
                lambda s: 0 < s.open_forecasts < FORECASTS,
                "the sweep to be under way",
            )
            processes[1].kill()  # mid-sweep
            assert (await progress(store, record)).open_forecasts > 0, "the sweep had ended"
            processes[1].start()
            await wait_for(
                store, record, processes, lambda s: s.lines > 100, "deliveries to be under way"
            )
            processes[2].kill()  # for good: its claims wait for their lease to run out
            await wait_for(store, record, processes, finished, "the others to finish")
        finally:
            for process in processes:
                if process.running:
                    process.kill()
        await assert_each_row_sent_once(store, record)
    workers_seen = {line["worker"] for line in sent_lines(record)}
    assert {"worker-0", "worker-1"} <= workers_seen


def test_a_line_still_being_appended_is_not_read_as_a_send(tmp_path: Path) -> None:
    """A reader can see part of another process's append (torn at a page boundary): the
    unconfirmed check and the watcher must not fail on it, nor count it."""
    record = tmp_path / "sent.jsonl"
    record.write_text('{"nonce": "hsa", "worker": "worker-0", "ids": [1]}\n{"nonce": "hsb", "wo')
    assert [line["nonce"] for line in sent_lines(record)] == ["hsa"]
    assert sent_count(record) == 1
