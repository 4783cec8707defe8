"""LedgerRepository on a real SQLite file: listing and its filters, windows of time, verdicts and
re-dating, history, what members acted on, export; every query scoped by guild."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from digests.store import Store
from tests.store.conftest import (
    ALICE,
    BOB,
    GUILD,
    NOW,
    OTHER_GUILD,
    add_forecast,
    due_at,
    judge,
)

DUE = date(2026, 3, 31)


async def ids(store: Store, guild_id: int, **filters: object) -> list[int]:
    return [forecast.id for forecast in await store.ledger.list(guild_id, **filters)]


async def test_the_listing_is_soonest_due_first_and_by_status(ledger_store: Store) -> None:
    later = await add_forecast(ledger_store, GUILD, "Won passes 1500", DUE + timedelta(days=90))
    sooner = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    judged = await add_forecast(ledger_store, GUILD, "Oil tops 100", DUE + timedelta(days=1))
    view = await add_forecast(ledger_store, GUILD, "AI keeps growing", None)
    waiting = await add_forecast(ledger_store, GUILD, "Next year, chips", None, needs_date=True)
    await judge(ledger_store, judged, "correct")

    assert await ids(ledger_store, GUILD) == [sooner, judged, later, waiting]
    assert await ids(ledger_store, GUILD, status="open") == [sooner, later]
    assert await ids(ledger_store, GUILD, status="resolved") == [judged]
    assert await ids(ledger_store, GUILD, status="undated") == [view]
    assert await ids(ledger_store, GUILD, status="needs-date") == [waiting]
    assert await ids(ledger_store, GUILD, status="everything") == [
        sooner,
        judged,
        later,
        view,
        waiting,
    ]
    assert await ids(ledger_store, GUILD, limit=2, offset=1) == [judged, later]


async def test_search_text_is_literal_not_a_like_pattern(ledger_store: Store) -> None:
    share = await add_forecast(ledger_store, GUILD, "LFP share above 50% by June", DUE)
    await add_forecast(ledger_store, GUILD, "LFP share above 500 units", DUE)
    sourced = await add_forecast(
        ledger_store, GUILD, "Fed cuts", DUE, source_url="https://a_b.example"
    )
    await add_forecast(ledger_store, GUILD, "Fed hikes", DUE, source_url="https://axb.example")

    assert await ids(ledger_store, GUILD, query="50%") == [share]
    assert await ids(ledger_store, GUILD, source="a_b") == [sourced]
    assert await ids(ledger_store, GUILD, query="nowhere") == []


async def test_another_guild_lists_and_finds_nothing_of_ours(ledger_store: Store) -> None:
    mine = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    theirs = await add_forecast(ledger_store, OTHER_GUILD, "Rates fall by spring too", DUE)

    assert await ids(ledger_store, GUILD, status="everything") == [mine]
    assert await ids(ledger_store, OTHER_GUILD, status="everything") == [theirs]
    assert await ledger_store.ledger.claims_like(OTHER_GUILD, "spring") == [
        (theirs, "Rates fall by spring too")
    ]
    async with ledger_store.transaction() as transaction:
        assert await ledger_store.ledger.lock(transaction, OTHER_GUILD, mine) is None
        assert (await ledger_store.ledger.lock(transaction, GUILD, mine)).id == mine
    assert await ledger_store.ledger.events(OTHER_GUILD, mine) == []
    assert [row["claim"] for row in await exported(ledger_store, OTHER_GUILD, ["claim"])] == [
        "Rates fall by spring too"
    ]


async def test_between_counts_what_it_lists(ledger_store: Store) -> None:
    early = await add_forecast(ledger_store, GUILD, "Early", DUE)
    late = await add_forecast(ledger_store, GUILD, "Late", DUE + timedelta(days=60))
    await add_forecast(ledger_store, GUILD, "Undated", None, now=NOW)
    await add_forecast(ledger_store, OTHER_GUILD, "Theirs", DUE)
    since, until = due_at(DUE) - timedelta(days=1), due_at(DUE) + timedelta(days=1)
    ledger = ledger_store.ledger

    found = await ledger.between(GUILD, "due_ts", since, until)
    assert [forecast.id for forecast in found] == [early]
    assert await ledger.count_between(GUILD, "due_ts", since, until) == 1
    created = await ledger.between(GUILD, "created_ts", NOW, NOW + timedelta(seconds=1))
    assert len(created) == 3
    dated = await ledger.between(
        GUILD, "created_ts", NOW, NOW + timedelta(seconds=1), dated_only=True
    )
    assert [forecast.id for forecast in dated] == [early, late]
    assert (
        await ledger.count_between(
            GUILD, "created_ts", NOW, NOW + timedelta(seconds=1), status="open", dated_only=True
        )
        == 2
    )
    with pytest.raises(ValueError, match="claim"):
        await ledger.between(GUILD, "claim", since, until)
    with pytest.raises(ValueError, match="claim"):
        await ledger.count_between(GUILD, "claim", since, until)


async def test_awaiting_verdict_holds_the_forecasts_marked_due(ledger_store: Store) -> None:
    first = await add_forecast(ledger_store, GUILD, "First", DUE)
    second = await add_forecast(ledger_store, GUILD, "Second", DUE - timedelta(days=5))
    theirs = await add_forecast(ledger_store, OTHER_GUILD, "Theirs", DUE)
    async with ledger_store.transaction() as transaction:
        for forecast_id in (first, second, theirs):
            await ledger_store.sweep.mark_due(transaction, forecast_id, 0, NOW)

    waiting = await ledger_store.ledger.awaiting_verdict(GUILD)
    assert [forecast.id for forecast in waiting] == [second, first]  # longest waiting first
    assert await ledger_store.ledger.count_awaiting_verdict(GUILD) == 2
    assert await ledger_store.ledger.count_awaiting_verdict(OTHER_GUILD) == 1


async def test_a_verdict_is_written_and_taken_back(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    async with ledger_store.transaction() as transaction:
        await ledger_store.ledger.set_resolution(
            transaction,
            forecast_id,
            status="resolved",
            outcome="wrong",
            resolved_by=BOB,
            resolved_at=NOW,
            evidence="https://news.example/rates",
            note="held",
            now=NOW,
        )
    judged = await ledger_store.forecasts.get(GUILD, forecast_id)
    assert (judged.status, judged.outcome, judged.resolved_by, judged.resolved_at) == (
        "resolved",
        "wrong",
        BOB,
        NOW,
    )
    assert (judged.evidence, judged.note) == ("https://news.example/rates", "held")

    await judge(ledger_store, forecast_id, None)
    undone = await ledger_store.forecasts.get(GUILD, forecast_id)
    assert (undone.status, undone.outcome, undone.resolved_at) == ("open", None, None)


async def test_a_new_window_restarts_reminders(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Waiting", None, needs_date=True)
    new_end = DUE + timedelta(days=30)
    async with ledger_store.transaction() as transaction:
        await ledger_store.sweep.mark_due(transaction, forecast_id, 7, NOW)
        await ledger_store.ledger.snooze(transaction, forecast_id, NOW + timedelta(days=3), NOW)
        await ledger_store.ledger.set_window(
            transaction,
            forecast_id,
            due_start=None,
            due_end=new_end,
            due_at=due_at(new_end),
            granularity="day",
            status="open",
            now=NOW,
        )
        # No snooze left to end, and the first nudge stage is due again once it is due.
        assert await ledger_store.sweep.snooze_ended(transaction, NOW + timedelta(days=9), 10) == []
    moved = await ledger_store.forecasts.get(GUILD, forecast_id)
    assert (moved.due_end, moved.due_at, moved.status, moved.needs_date) == (
        new_end,
        due_at(new_end),
        "open",
        False,
    )


async def test_history_is_kept_in_order_and_the_last_of_a_kind_found(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    async with ledger_store.transaction() as transaction:
        for minutes, kind, payload in (
            (0, "resolved", {"outcome": "wrong", "근거": "뉴스"}),
            (1, "redated", {"from": "2026-03-31", "to": "2026-04-30"}),
            (2, "undone", {}),
            (3, "redated", {"from": "2026-04-30", "to": "2026-05-31"}),
        ):
            await ledger_store.ledger.add_event(
                transaction,
                guild_id=GUILD,
                forecast_id=forecast_id,
                kind=kind,
                actor=ALICE,
                payload=payload,
                now=NOW + timedelta(minutes=minutes),
            )
        last = await ledger_store.ledger.last_event(transaction, forecast_id, ("redated",))
        none = await ledger_store.ledger.last_event(transaction, forecast_id, ("snoozed",))

    events = await ledger_store.ledger.events(GUILD, forecast_id)
    assert [event.kind for event in events] == ["resolved", "redated", "undone", "redated"]
    assert events[0].payload == {"outcome": "wrong", "근거": "뉴스"}
    assert (events[0].actor, events[0].created_at) == (ALICE, NOW)
    assert last is not None and last.payload == {"from": "2026-04-30", "to": "2026-05-31"}
    assert none is None


async def test_engaged_names_the_forecasts_members_acted_on(ledger_store: Store) -> None:
    voted, subscribed, reminded, cancelled, redated, reanchored, untouched = [
        await add_forecast(ledger_store, GUILD, f"Claim {n}", DUE) for n in range(7)
    ]
    async with ledger_store.transaction() as transaction:
        await ledger_store.votes.vote(
            transaction,
            guild_id=GUILD,
            forecast_id=voted,
            user_id=ALICE,
            outcome="correct",
            now=NOW,
        )
        await ledger_store.subscriptions.subscribe(
            transaction, guild_id=GUILD, forecast_id=subscribed, user_id=ALICE, now=NOW
        )
        for forecast_id in (reminded, cancelled):
            await ledger_store.user_reminders.add(
                transaction,
                guild_id=GUILD,
                forecast_id=forecast_id,
                user_id=ALICE,
                remind_at=NOW + timedelta(days=1),
                now=NOW,
            )
        for forecast_id, kind in ((redated, "redated"), (reanchored, "reanchored")):
            await ledger_store.ledger.add_event(
                transaction,
                guild_id=GUILD,
                forecast_id=forecast_id,
                kind=kind,
                actor=None,
                payload={},
                now=NOW,
            )
    [cancelled_reminder] = [
        r
        for r in await ledger_store.user_reminders.pending(GUILD, ALICE)
        if r.forecast_id == cancelled
    ]
    await ledger_store.user_reminders.cancel(GUILD, ALICE, cancelled_reminder.id, NOW)
    everything = [voted, subscribed, reminded, cancelled, redated, reanchored, untouched]

    async with ledger_store.transaction() as transaction:
        found = await ledger_store.ledger.engaged(
            transaction, GUILD, everything, ignore_events=("reanchored",)
        )
        elsewhere = await ledger_store.ledger.engaged(transaction, OTHER_GUILD, everything)
        nothing_asked = await ledger_store.ledger.engaged(transaction, GUILD, [])

    assert found == {voted, subscribed, reminded, redated}
    assert elsewhere == set()
    assert nothing_asked == set()


async def exported(store: Store, guild_id: int, fields: list[str]) -> list[dict[str, object]]:
    """Every row `export_rows` streams (it blocks: read in a worker thread, as the export does)."""
    return await asyncio.to_thread(list, store.ledger.export_rows(guild_id, fields))


async def test_export_rows_give_plain_values_in_listing_order(ledger_store: Store) -> None:
    later = await add_forecast(ledger_store, GUILD, "Later", DUE + timedelta(days=5))
    sooner = await add_forecast(ledger_store, GUILD, "Sooner", DUE)
    await judge(ledger_store, sooner, "correct")

    rows = await exported(
        ledger_store, GUILD, ["id", "claim", "outcome", "resolved_at", "created_at"]
    )

    assert rows == [
        {
            "id": sooner,
            "claim": "Sooner",
            "outcome": "correct",
            "resolved_at": str(NOW),
            "created_at": str(NOW),
        },
        {
            "id": later,
            "claim": "Later",
            "outcome": None,
            "resolved_at": None,
            "created_at": str(NOW),
        },
    ]
    with pytest.raises(ValueError, match="password"):
        await exported(ledger_store, GUILD, ["claim", "password"])


async def test_guild_of_finds_a_forecasts_server(ledger_store: Store) -> None:
    mine = await add_forecast(ledger_store, GUILD, "Mine", DUE)
    theirs = await add_forecast(ledger_store, OTHER_GUILD, "Theirs", DUE)

    assert await ledger_store.ledger.guild_of(mine) == GUILD
    assert await ledger_store.ledger.guild_of(theirs) == OTHER_GUILD
    assert await ledger_store.ledger.guild_of(theirs + 1000) is None
