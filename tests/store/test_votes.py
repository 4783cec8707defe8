"""VoteRepository on a real SQLite file: one vote per member, tallies, guild scoping."""

from __future__ import annotations

from datetime import date, timedelta

from digests.store import Store
from tests.store.conftest import ALICE, BOB, GUILD, NOW, OTHER_GUILD, add_forecast

DUE = date(2026, 3, 31)


async def vote(store: Store, guild_id: int, forecast_id: int, user_id: int, outcome: str) -> None:
    async with store.transaction() as transaction:
        await store.votes.vote(
            transaction,
            guild_id=guild_id,
            forecast_id=forecast_id,
            user_id=user_id,
            outcome=outcome,
            now=NOW,
        )


async def test_a_member_has_one_vote_and_may_change_it(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    await vote(ledger_store, GUILD, forecast_id, ALICE, "correct")
    await vote(ledger_store, GUILD, forecast_id, BOB, "wrong")
    await vote(ledger_store, GUILD, forecast_id, ALICE, "partly")  # Alice changes her mind

    tally = await ledger_store.votes.tally(GUILD, forecast_id)

    assert tally.counts == {"partly": 1, "wrong": 1}
    assert tally.by_user == {ALICE: "partly", BOB: "wrong"}
    assert tally.total == 2


async def test_a_forecast_without_votes_has_an_empty_tally(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)

    tally = await ledger_store.votes.tally(GUILD, forecast_id)

    assert (tally.counts, tally.by_user, tally.total) == ({}, {}, 0)


async def test_votes_are_counted_per_forecast(ledger_store: Store) -> None:
    first = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    second = await add_forecast(ledger_store, GUILD, "Won passes 1500", DUE + timedelta(days=30))
    await vote(ledger_store, GUILD, first, ALICE, "correct")
    await vote(ledger_store, GUILD, second, ALICE, "wrong")

    assert (await ledger_store.votes.tally(GUILD, first)).by_user == {ALICE: "correct"}
    assert (await ledger_store.votes.tally(GUILD, second)).by_user == {ALICE: "wrong"}


async def test_another_guild_sees_no_votes(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    await vote(ledger_store, GUILD, forecast_id, ALICE, "correct")

    assert (await ledger_store.votes.tally(OTHER_GUILD, forecast_id)).total == 0
    assert (await ledger_store.votes.tally(GUILD, forecast_id)).total == 1


async def test_votes_go_with_their_forecast(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    await vote(ledger_store, GUILD, forecast_id, ALICE, "correct")
    async with ledger_store.transaction() as transaction:
        await ledger_store.forecasts.delete(transaction, GUILD, [forecast_id])

    assert (await ledger_store.votes.tally(GUILD, forecast_id)).total == 0
