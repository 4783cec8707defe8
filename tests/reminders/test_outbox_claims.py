"""Outbox claims on PostgreSQL with several claimers at once, under every plan mode.

Each claimer is a Services of its own (its own connection pool and worker name) on one
PostgreSQL database; the clock is shared. A claim must take each due row once, send exactly
the rows it changed, and take a batch — one message, one nonce — whole or not at all: a batch
split between two claims went out as two messages with the same nonce, and Discord answers a
known nonce with the message it already has, so the second part was marked sent unsent.

psycopg prepares a statement from its fifth run on a connection, and PostgreSQL then plans it
for its values or once for all (`plan_cache_mode`); the claims here run far more often than
that, so each mode's plans are the ones that decide.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import psycopg
import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.ledger.service import Actor
from digests.reminders.outbox import Delivery
from digests.store import postgres
from tests.conftest import make_settings
from tests.reminders.conftest import GUILD, OTHER_GUILD
from tests.reminders.recording import DUE_AT, DUE_DAY

pytestmark = pytest.mark.postgresql

LEASE_SECONDS = 60
PLAN_MODES = ["auto", "force_custom_plan", "force_generic_plan"]


class NonceTransport:
    """Delivers like Discord with `enforce_nonce`: a message whose nonce was seen already is
    not posted again (Discord returns the first one), and the sender cannot tell."""

    def __init__(self) -> None:
        self.messages: dict[str, list[int]] = {}  # nonce → the outbox ids it carried

    async def deliver(self, delivery: Delivery) -> None:
        """Post the message unless its nonce was posted before."""
        self.messages.setdefault(delivery.nonce(), delivery.ids)


async def open_claimer(tmp_path: Path, url: str, clock: ManualClock, worker: str) -> Services:
    settings = make_settings(
        tmp_path, database_url=url, worker_id=worker, lease_seconds=LEASE_SECONDS
    )
    return await Services.open(settings, clock)


async def due_forecasts(services: Services, clock: ManualClock, per_guild: int) -> None:
    """`per_guild` forecasts in each guild come due and are swept into the outbox: GUILD
    groups its reminders (the channel's and each author's DMs), OTHER_GUILD sends one message
    per reminder; three authors, each subscribed to their own forecasts."""
    for guild, channel, grouping in ((GUILD, 500, "grouped"), (OTHER_GUILD, 600, "single")):
        await services.reminders.set_channel(guild, channel)
        await services.store.guilds.update(guild, clock.now(), reminder_grouping=grouping)
        for number in range(per_guild):
            await services.ledger.add(
                Actor(guild, 10 + number % 3), claim=f"Claim {number}", due=DUE_DAY
            )
    clock.set(DUE_AT)
    await services.reminders.sweep()


async def outbox(services: Services) -> list[dict[str, object]]:
    rows = await services.store.database.fetch_all(
        "SELECT id, status, claimed_by, lease_until_ts, batch_key, attempts FROM outbox"
    )
    return [dict(zip(row.keys(), row, strict=True)) for row in rows]


@pytest.mark.parametrize("plan_mode", PLAN_MODES)
async def test_concurrent_claimers_take_each_row_once_and_hold_exactly_what_they_return(
    plan_mode: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    postgres_store_url: str,
    clock: ManualClock,
) -> None:
    monkeypatch.setattr(postgres, "PLAN_CACHE_MODE", plan_mode)
    dead = await open_claimer(tmp_path, postgres_store_url, clock, "worker-dead")
    try:
        await due_forecasts(dead, clock, 24)
        # A process claims some batches and dies: they come back, unconfirmed, when its
        # lease runs out, and are claimed again by whichever claimer gets there.
        # It claims in the grouping guild, so that what it abandons holds whole batches
        # whatever order the sweep queued the two guilds' rows in.
        abandoned = await dead.sender(NonceTransport()).claim(guild_ids={GUILD}, limit=20)
    finally:
        await dead.close()
    abandoned_ids = {i for d in abandoned for i in d.ids}
    assert abandoned_ids and any(len(d.ids) > 1 for d in abandoned)
    clock.advance(seconds=LEASE_SECONDS)

    claimers = [
        await open_claimer(tmp_path, postgres_store_url, clock, f"worker-{name}") for name in "abc"
    ]
    try:
        taken: dict[str, list[Delivery]] = {}

        async def claim_until_none_pending(services: Services) -> None:
            sender = services.sender(NonceTransport())
            mine = taken.setdefault(sender.worker, [])
            for _ in range(200):
                mine.extend(await sender.claim(limit=3))
                pending = await services.store.database.fetch_one(
                    "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'"
                )
                assert pending is not None
                if pending["n"] == 0:
                    return
                await asyncio.sleep(0)
            raise AssertionError(f"{sender.worker}: rows still pending after 200 claims")

        await asyncio.gather(*(claim_until_none_pending(services) for services in claimers))

        rows = await outbox(claimers[0])
        by_id = {row["id"]: row for row in rows}
        deliveries = [d for mine in taken.values() for d in mine]
        # Each row claimed once, by one claim.
        claims = Counter(i for d in deliveries for i in d.ids)
        assert set(claims) == set(by_id) and set(claims.values()) == {1}
        # A batch is one claim: one delivery per key, carrying every row under that key.
        assert len({d.key for d in deliveries}) == len(deliveries)
        members: dict[object, set[object]] = {}
        for row in rows:
            members.setdefault(row["batch_key"], set()).add(row["id"])
        assert {d.key: set(d.ids) for d in deliveries} == members
        # What a claimer holds is exactly what its claims returned, under their leases.
        for worker, mine in taken.items():
            held = {i for i, row in by_id.items() if row["claimed_by"] == worker}
            assert held == {i for d in mine for i in d.ids}
            for delivery in mine:
                assert delivery.lease_until is not None
                lease = int(delivery.lease_until.timestamp())
                assert {by_id[i]["lease_until_ts"] for i in delivery.ids} == {lease}
                assert all(by_id[i]["status"] == "sending" for i in delivery.ids)
                for message in delivery.messages:
                    assert message.attempts == by_id[message.id]["attempts"]
                    assert message.unconfirmed == (message.id in abandoned_ids)
        assert {row["attempts"] for i, row in by_id.items() if i in abandoned_ids} == {2}
        assert {row["attempts"] for i, row in by_id.items() if i not in abandoned_ids} == {1}

        # The mode was in force, and the claim statements ran prepared under it.
        plans = Counter[str]()
        for services in claimers:
            async with services.store.transaction() as transaction:
                mode = await transaction.fetch_one("SHOW plan_cache_mode")
                used = await transaction.fetch_one(
                    "SELECT COALESCE(SUM(generic_plans), 0) AS generic,"
                    " COALESCE(SUM(custom_plans), 0) AS custom FROM pg_prepared_statements"
                    " WHERE statement LIKE '%SKIP LOCKED%'"
                )
            assert mode is not None and mode[0] == plan_mode
            assert used is not None
            plans.update(generic=used["generic"], custom=used["custom"])
        if plan_mode == "force_generic_plan":
            assert plans["generic"] > 0 and plans["custom"] == 0
        elif plan_mode == "force_custom_plan":
            assert plans["custom"] > 0 and plans["generic"] == 0
        else:
            assert plans["custom"] + plans["generic"] > 0
    finally:
        for services in claimers:
            await services.close()


async def test_a_batch_partly_locked_elsewhere_is_claimed_whole_later_and_nothing_is_lost(
    tmp_path: Path, postgres_store_url: str, clock: ManualClock
) -> None:
    a, b, dead = [
        await open_claimer(tmp_path, postgres_store_url, clock, worker)
        for worker in ("worker-a", "worker-b", "worker-dead")
    ]
    try:
        await a.reminders.set_channel(GUILD, 500)
        await a.store.guilds.update(GUILD, clock.now(), reminder_grouping="grouped")
        for number in range(7):
            forecast = await a.ledger.add(Actor(GUILD, 10), claim=f"Claim {number}", due=DUE_DAY)
            await a.ledger.unsubscribe(Actor(GUILD, 10), forecast.id)
        clock.set(DUE_AT)
        await a.reminders.sweep()
        # The channel's seven reminders are two messages: five rows, then two.
        first, second = await dead.sender(NonceTransport()).claim()
        assert (len(first.ids), len(second.ids)) == (5, 2)
        # Its process stopped before sending: both batches are due again, unconfirmed.
        assert await a.store.outbox.release_stale() == 7

        discord = NonceTransport()
        async with await psycopg.AsyncConnection.connect(postgres_store_url) as other:
            # Another transaction (another claim, a cancellation…) holds one row of the
            # first batch while worker-a claims.
            async with other.transaction():
                await other.execute(
                    "SELECT id FROM outbox WHERE id = %s FOR UPDATE", (first.ids[2],)
                )
                report_a = await a.sender(discord).drain()
            report_b = await b.sender(discord).drain()

        assert sorted(report_a.sent) == sorted(second.ids)  # not a part of the first batch
        assert sorted(report_b.sent) == sorted(first.ids)  # the first batch whole
        assert sorted(discord.messages.values()) == sorted([first.ids, second.ids])
        assert {row["status"] for row in await outbox(a)} == {"sent"}
    finally:
        for services in (a, b, dead):
            await services.close()
