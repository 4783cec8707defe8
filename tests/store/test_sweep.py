"""SweepRepository on a real SQLite file: what comes due, nudges by stage, snoozes, personal
reminders; across guilds, each row carrying its own guild."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from digests.store import Store
from tests.store.conftest import ALICE, GUILD, NOW, OTHER_GUILD, add_forecast, judge

TODAY = NOW.date()


async def newly_due(store: Store, now: datetime, limit: int = 100) -> list[tuple[int, int]]:
    async with store.transaction() as transaction:
        found = await store.sweep.newly_due(transaction, now, limit)
    return [(forecast.guild_id, forecast.id) for forecast in found]


async def mark_due(store: Store, forecast_id: int, stage: int = 0) -> None:
    async with store.transaction() as transaction:
        await store.sweep.mark_due(transaction, forecast_id, stage, NOW)


async def needing_nudge(store: Store, now: datetime, stage: int) -> list[int]:
    async with store.transaction() as transaction:
        return [f.id for f in await store.sweep.needing_nudge(transaction, now, stage, 100)]


async def test_newly_due_finds_every_guilds_closed_windows_oldest_first(
    ledger_store: Store,
) -> None:
    theirs = await add_forecast(ledger_store, OTHER_GUILD, "Theirs", TODAY - timedelta(days=3))
    mine = await add_forecast(ledger_store, GUILD, "Mine", TODAY - timedelta(days=1))
    await add_forecast(ledger_store, GUILD, "Not yet", TODAY + timedelta(days=1))
    await add_forecast(ledger_store, GUILD, "Undated", None)
    judged = await add_forecast(ledger_store, GUILD, "Judged", TODAY - timedelta(days=2))
    await judge(ledger_store, judged, "correct")

    assert await newly_due(ledger_store, NOW) == [(OTHER_GUILD, theirs), (GUILD, mine)]
    assert await newly_due(ledger_store, NOW, limit=1) == [(OTHER_GUILD, theirs)]


async def test_a_forecast_marked_due_is_no_longer_newly_due(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Mine", TODAY - timedelta(days=1))
    await mark_due(ledger_store, forecast_id)

    assert await newly_due(ledger_store, NOW) == []
    assert (await ledger_store.forecasts.get(GUILD, forecast_id)).status == "due"


async def test_nudges_come_by_stage_and_a_stage_never_goes_back(ledger_store: Store) -> None:
    closed = TODAY - timedelta(days=8)
    forecast_id = await add_forecast(ledger_store, GUILD, "Mine", closed)
    await mark_due(ledger_store, forecast_id, stage=0)

    assert await needing_nudge(ledger_store, NOW, 7) == [forecast_id]
    assert await needing_nudge(ledger_store, NOW, 14) == []  # not 14 days past yet
    async with ledger_store.transaction() as transaction:
        await ledger_store.sweep.set_nudge_stage(transaction, forecast_id, 7)
        await ledger_store.sweep.set_nudge_stage(transaction, forecast_id, 3)  # ignored
    assert await needing_nudge(ledger_store, NOW, 7) == []
    assert await needing_nudge(ledger_store, NOW + timedelta(days=7), 14) == [forecast_id]


async def test_a_snoozed_forecast_waits_then_its_snooze_ends(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Mine", TODAY - timedelta(days=8))
    await mark_due(ledger_store, forecast_id)
    until = NOW + timedelta(days=2)
    async with ledger_store.transaction() as transaction:
        await ledger_store.ledger.snooze(transaction, forecast_id, until, NOW)

    assert await needing_nudge(ledger_store, NOW, 7) == []
    async with ledger_store.transaction() as transaction:
        assert await ledger_store.sweep.snooze_ended(transaction, NOW, 100) == []
        [(ended, snoozed_until)] = await ledger_store.sweep.snooze_ended(transaction, until, 100)
        assert (ended.id, snoozed_until) == (forecast_id, until)
        await ledger_store.sweep.clear_snooze(transaction, forecast_id)
        assert await ledger_store.sweep.snooze_ended(transaction, until, 100) == []
    assert await needing_nudge(ledger_store, NOW, 7) == [forecast_id]


async def test_personal_reminders_due_across_guilds_until_queued(ledger_store: Store) -> None:
    mine = await add_forecast(ledger_store, GUILD, "Mine", date(2026, 6, 30))
    theirs = await add_forecast(ledger_store, OTHER_GUILD, "Theirs", date(2026, 6, 30))
    ids = []
    async with ledger_store.transaction() as transaction:
        for guild_id, forecast_id, hours in (
            (GUILD, mine, 2),
            (OTHER_GUILD, theirs, 1),
            (GUILD, mine, 48),  # not yet
            (GUILD, mine, 3),  # cancelled below
        ):
            ids.append(
                await ledger_store.user_reminders.add(
                    transaction,
                    guild_id=guild_id,
                    forecast_id=forecast_id,
                    user_id=ALICE,
                    remind_at=NOW + timedelta(hours=hours),
                    now=NOW,
                )
            )
    await ledger_store.user_reminders.cancel(GUILD, ALICE, ids[3], NOW)
    later = NOW + timedelta(hours=5)

    async with ledger_store.transaction() as transaction:
        due = await ledger_store.sweep.user_reminders_due(transaction, later, 100)
        assert [(r.guild_id, r.id) for r in due] == [(OTHER_GUILD, ids[1]), (GUILD, ids[0])]
        await ledger_store.sweep.mark_user_reminder_queued(transaction, ids[1], later)
        remaining = await ledger_store.sweep.user_reminders_due(transaction, later, 100)
    assert [r.id for r in remaining] == [ids[0]]
