"""SubscriptionRepository on a real SQLite file: subscribe once, list, unsubscribe, guild scoping."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from digests.store import Store
from tests.store.conftest import ALICE, BOB, GUILD, NOW, OTHER_GUILD, add_forecast, judge

DUE = date(2026, 3, 31)


async def subscribe(
    store: Store, guild_id: int, forecast_id: int, user_id: int, now: datetime = NOW
) -> bool:
    async with store.transaction() as transaction:
        return await store.subscriptions.subscribe(
            transaction,
            guild_id=guild_id,
            forecast_id=forecast_id,
            user_id=user_id,
            now=now,
        )


async def subscribers(store: Store, forecast_id: int) -> list[int]:
    async with store.transaction() as transaction:
        return await store.subscriptions.subscribers(transaction, forecast_id)


async def test_subscribing_twice_is_one_subscription(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)

    assert await subscribe(ledger_store, GUILD, forecast_id, ALICE) is True
    assert await subscribe(ledger_store, GUILD, forecast_id, ALICE) is False
    assert await subscribers(ledger_store, forecast_id) == [ALICE]


async def test_subscribers_come_in_the_order_they_subscribed(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    await subscribe(ledger_store, GUILD, forecast_id, BOB, now=NOW)
    await subscribe(ledger_store, GUILD, forecast_id, ALICE, now=NOW + timedelta(minutes=1))

    assert await subscribers(ledger_store, forecast_id) == [BOB, ALICE]


async def test_subscribed_lists_open_forecasts_soonest_due_first(ledger_store: Store) -> None:
    later = await add_forecast(ledger_store, GUILD, "Won passes 1500", DUE + timedelta(days=90))
    sooner = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    judged = await add_forecast(ledger_store, GUILD, "Oil tops 100", DUE)
    not_mine = await add_forecast(ledger_store, GUILD, "Gold tops 3000", DUE)
    for forecast_id in (later, sooner, judged):
        await subscribe(ledger_store, GUILD, forecast_id, ALICE)
    await subscribe(ledger_store, GUILD, not_mine, BOB)
    await judge(ledger_store, judged, "correct")

    found = await ledger_store.subscriptions.subscribed(GUILD, ALICE)

    assert [forecast.id for forecast in found] == [sooner, later]


async def test_unsubscribe_removes_only_that_member(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    await subscribe(ledger_store, GUILD, forecast_id, ALICE)
    await subscribe(ledger_store, GUILD, forecast_id, BOB)

    assert await ledger_store.subscriptions.unsubscribe(GUILD, forecast_id, ALICE) is True
    assert await ledger_store.subscriptions.unsubscribe(GUILD, forecast_id, ALICE) is False
    assert await subscribers(ledger_store, forecast_id) == [BOB]


async def test_another_guild_neither_sees_nor_removes_subscriptions(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    await subscribe(ledger_store, GUILD, forecast_id, ALICE)

    assert await ledger_store.subscriptions.subscribed(OTHER_GUILD, ALICE) == []
    assert await ledger_store.subscriptions.unsubscribe(OTHER_GUILD, forecast_id, ALICE) is False
    assert [f.id for f in await ledger_store.subscriptions.subscribed(GUILD, ALICE)] == [
        forecast_id
    ]
