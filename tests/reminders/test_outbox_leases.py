"""The outbox shared by several processes: claims are disjoint, a lease that ran out is taken
over (unconfirmed), the same worker restarted takes its own claims back at once, and a
process's late word about rows it lost is ignored. Each process is a Services of its own (its
own connection and worker name) on one SQLite file; the clock is shared."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.ledger.service import Actor
from digests.reminders.outbox import Delivery, DeliveryFailed, OutboxSender
from tests.conftest import make_settings
from tests.reminders.conftest import GUILD, OTHER_GUILD
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport

LEASE_SECONDS = 60


async def open_process(tmp_path: Path, store_url: str, clock: ManualClock, worker: str) -> Services:
    settings = make_settings(
        tmp_path,
        database_url=store_url,
        worker_id=worker,
        lease_seconds=LEASE_SECONDS,
        reminder_grouping="single",
    )
    return await Services.open(settings, clock)


@pytest.fixture
async def processes(
    tmp_path: Path, store_url: str, clock: ManualClock
) -> AsyncIterator[tuple[Services, Services]]:
    a = await open_process(tmp_path, store_url, clock, "worker-a")
    b = await open_process(tmp_path, store_url, clock, "worker-b")
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


async def due_reminders(services: Services, clock: ManualClock, count: int) -> None:
    """`count` forecasts per guild come due and are swept into the outbox."""
    await services.reminders.set_channel(GUILD, 500)
    await services.reminders.set_channel(OTHER_GUILD, 600)
    for guild in (GUILD, OTHER_GUILD):
        for number in range(count):
            forecast = await services.ledger.add(
                Actor(guild, 10), claim=f"Claim {number}", due=DUE_DAY
            )
            await services.ledger.unsubscribe(Actor(guild, 10), forecast.id)
    clock.set(DUE_AT)
    await services.reminders.sweep()


async def outbox_rows(services: Services) -> list[tuple[int, str, str | None, bool]]:
    rows = [
        row
        for guild in (GUILD, OTHER_GUILD)
        for row in await services.store.outbox.list(guild, limit=10_000)
    ]
    return sorted((row.id, row.status, row.last_error, row.unconfirmed) for row in rows)


async def test_two_processes_claim_disjoint_rows(
    processes: tuple[Services, Services], clock: ManualClock
) -> None:
    a, b = processes
    await due_reminders(a, clock, 6)
    first = await a.sender(RecordingTransport()).claim(limit=5)
    second = await b.sender(RecordingTransport()).claim(limit=50)
    first_ids = {i for d in first for i in d.ids}
    second_ids = {i for d in second for i in d.ids}
    assert len(first_ids) == 5 and len(second_ids) == 7
    assert first_ids.isdisjoint(second_ids)
    assert await b.sender(RecordingTransport()).claim() == []  # nothing left to take
    holders = await a.store.database.fetch_all(
        "SELECT claimed_by, lease_until_ts, COUNT(*) AS n FROM outbox GROUP BY 1, 2"
    )
    expiry = int(DUE_AT.timestamp()) + LEASE_SECONDS
    assert {(r["claimed_by"], r["lease_until_ts"], r["n"]) for r in holders} == {
        ("worker-a", expiry, 5),
        ("worker-b", expiry, 7),
    }


async def test_senders_racing_deliver_every_row_once(
    processes: tuple[Services, Services], clock: ManualClock
) -> None:
    a, b = processes
    await due_reminders(a, clock, 40)
    transports = [RecordingTransport(), RecordingTransport()]
    senders = [a.sender(transports[0]), b.sender(transports[1])]

    async def drain_until_empty(sender: OutboxSender) -> None:
        sent = True
        while sent:  # each drain's transactions let the other sender in between
            sent = bool((await sender.drain(limit=7)).sent)

    # Each sender takes one batch first, so both surely take part however the race below is
    # scheduled on a loaded machine; then they race for the rest.
    for sender in senders:
        assert (await sender.drain(limit=7)).sent
    await asyncio.gather(*(drain_until_empty(sender) for sender in senders))
    sent = Counter(m.id for t in transports for m in t.delivered)
    assert len(sent) == 80 and set(sent.values()) == {1}
    assert all(t.delivered for t in transports)  # both took part
    assert {status for _, status, _, _ in await outbox_rows(a)} == {"sent"}


async def test_a_claim_whose_lease_ran_out_is_taken_over_unconfirmed(
    processes: tuple[Services, Services], clock: ManualClock
) -> None:
    a, b = processes
    await due_reminders(a, clock, 1)
    hung = a.sender(RecordingTransport())
    claimed = await hung.claim()
    assert len(claimed) == 2
    taker = b.sender(RecordingTransport())
    clock.advance(seconds=LEASE_SECONDS - 1)
    assert await taker.claim() == []  # still held
    clock.advance(seconds=1)
    taken = await taker.claim()
    assert sorted(i for d in taken for i in d.ids) == sorted(i for d in claimed for i in d.ids)
    assert all(d.unconfirmed for d in taken)  # the channel is looked at before resending

    # The hung process wakes up: its word about rows it no longer holds changes nothing.
    ids = [i for d in claimed for i in d.ids]
    assert await a.store.outbox.mark_sent(ids, clock.now(), worker="worker-a") == 0
    assert await a.store.outbox.retry_later(ids, clock.now(), "late", worker="worker-a") == 0
    assert await a.store.outbox.mark_failed(ids, "late", worker="worker-a") == 0
    assert {(status, error) for _, status, error, _ in await outbox_rows(a)} == {("sending", None)}
    assert await b.store.outbox.mark_sent(ids, clock.now(), worker="worker-b") == 2


async def test_a_sender_whose_lease_ran_out_mid_drain_sends_nothing_taken_over(
    processes: tuple[Services, Services], clock: ManualClock
) -> None:
    a, b = processes
    await due_reminders(a, clock, 1)
    taken_over: list[Delivery] = []

    class SlowTransport(RecordingTransport):
        """The first send outlasts the lease, and worker-b takes the claim over meanwhile."""

        async def deliver(self, delivery: Delivery) -> None:
            await super().deliver(delivery)
            if not taken_over:
                clock.advance(seconds=LEASE_SECONDS)
                taken_over.extend(await b.sender(RecordingTransport()).claim())

    slow = SlowTransport()
    report = await a.sender(slow).drain()
    assert len(slow.deliveries) == 1  # the second message was worker-b's by then
    assert report.sent == slow.deliveries[0].ids
    assert sorted(i for d in taken_over for i in d.ids) == sorted(
        row_id for row_id, *_ in await outbox_rows(a)
    )
    assert all(d.unconfirmed for d in taken_over)  # it looks before sending again


async def test_an_old_claim_cannot_confirm_rows_its_own_worker_claimed_again(
    processes: tuple[Services, Services], clock: ManualClock
) -> None:
    a, _ = processes
    await due_reminders(a, clock, 1)
    sender = a.sender(RecordingTransport())
    hung = await sender.claim()
    clock.advance(seconds=LEASE_SECONDS)
    # The same worker takes its rows over (a hung pass, a restart under the same name).
    again = await sender.claim()
    ids = sorted(i for d in hung for i in d.ids)
    assert sorted(i for d in again for i in d.ids) == ids
    old_lease, new_lease = hung[0].lease_until, again[0].lease_until
    assert old_lease is not None and new_lease is not None and old_lease < new_lease

    # The first claim's word about those rows changes nothing: they are the second's.
    store = a.store.outbox
    assert await store.mark_sent(ids, clock.now(), worker="worker-a", lease_until=old_lease) == 0
    assert (
        await store.retry_later(ids, clock.now(), "late", worker="worker-a", lease_until=old_lease)
        == 0
    )
    assert await store.mark_failed(ids, "late", worker="worker-a", lease_until=old_lease) == 0
    assert {(status, error) for _, status, error, _ in await outbox_rows(a)} == {("sending", None)}
    assert await store.mark_sent(ids, clock.now(), worker="worker-a", lease_until=new_lease) == 2


async def test_a_restarted_worker_takes_back_its_own_claims_and_leaves_the_others(
    tmp_path: Path, store_url: str, processes: tuple[Services, Services], clock: ManualClock
) -> None:
    a, b = processes
    await due_reminders(a, clock, 3)
    mine = await a.sender(RecordingTransport()).claim(limit=2)
    theirs = await b.sender(RecordingTransport()).claim(limit=2)
    await a.close()  # "killed": its claims stay in `sending`
    restarted = await open_process(tmp_path, store_url, clock, "worker-a")
    try:
        assert await restarted.sender(RecordingTransport()).recover() == len(
            [i for d in mine for i in d.ids]
        )
        rows = {
            row_id: (status, unconfirmed)
            for row_id, status, _, unconfirmed in await outbox_rows(restarted)
        }
        assert {rows[i] for d in mine for i in d.ids} == {("pending", True)}
        assert {rows[i] for d in theirs for i in d.ids} == {("sending", False)}
    finally:
        await restarted.close()


async def test_a_failed_send_gives_the_rows_back_unclaimed(
    processes: tuple[Services, Services], clock: ManualClock
) -> None:
    a, b = processes
    await due_reminders(a, clock, 1)
    transport = RecordingTransport()
    transport.fail_always = DeliveryFailed("503")
    report = await a.sender(transport).drain()
    assert len(report.retried) == 2
    held = await a.store.database.fetch_all("SELECT claimed_by, lease_until_ts FROM outbox")
    assert {(r["claimed_by"], r["lease_until_ts"]) for r in held} == {(None, None)}
    clock.advance(hours=2)
    assert len((await b.sender(RecordingTransport()).drain()).sent) == 2
