"""UserReminderRepository on a real SQLite file: add, list pending, cancel; guild and member scoping."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from digests.store import Store
from tests.store.conftest import ALICE, BOB, GUILD, NOW, OTHER_GUILD, add_forecast

DUE = date(2026, 3, 31)


async def remind(
    store: Store, guild_id: int, forecast_id: int, user_id: int, remind_at: datetime
) -> int:
    async with store.transaction() as transaction:
        return await store.user_reminders.add(
            transaction,
            guild_id=guild_id,
            forecast_id=forecast_id,
            user_id=user_id,
            remind_at=remind_at,
            now=NOW,
        )


async def test_pending_reminders_come_soonest_first(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    later = await remind(ledger_store, GUILD, forecast_id, ALICE, NOW + timedelta(days=30))
    sooner = await remind(ledger_store, GUILD, forecast_id, ALICE, NOW + timedelta(days=3))
    await remind(ledger_store, GUILD, forecast_id, BOB, NOW + timedelta(days=1))

    pending = await ledger_store.user_reminders.pending(GUILD, ALICE)

    assert [reminder.id for reminder in pending] == [sooner, later]
    first = pending[0]
    assert (first.guild_id, first.forecast_id, first.user_id) == (GUILD, forecast_id, ALICE)
    assert first.remind_at == NOW + timedelta(days=3)
    assert (first.queued_at, first.cancelled_at) == (None, None)


async def test_cancel_takes_only_a_members_own_pending_reminder(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    reminder_id = await remind(ledger_store, GUILD, forecast_id, ALICE, NOW + timedelta(days=3))
    cancel = ledger_store.user_reminders.cancel

    assert await cancel(GUILD, BOB, reminder_id, NOW) is False  # not Bob's
    assert await cancel(OTHER_GUILD, ALICE, reminder_id, NOW) is False  # not that guild's
    assert await cancel(GUILD, ALICE, reminder_id, NOW) is True
    assert await cancel(GUILD, ALICE, reminder_id, NOW) is False  # already cancelled
    assert await ledger_store.user_reminders.pending(GUILD, ALICE) == []


async def test_a_queued_reminder_is_no_longer_pending_nor_cancellable(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    reminder_id = await remind(ledger_store, GUILD, forecast_id, ALICE, NOW + timedelta(days=3))
    async with ledger_store.transaction() as transaction:
        await ledger_store.sweep.mark_user_reminder_queued(transaction, reminder_id, NOW)

    assert await ledger_store.user_reminders.pending(GUILD, ALICE) == []
    assert await ledger_store.user_reminders.cancel(GUILD, ALICE, reminder_id, NOW) is False


async def test_another_guild_sees_no_reminders(ledger_store: Store) -> None:
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    await remind(ledger_store, GUILD, forecast_id, ALICE, NOW + timedelta(days=3))

    assert await ledger_store.user_reminders.pending(OTHER_GUILD, ALICE) == []
    assert len(await ledger_store.user_reminders.pending(GUILD, ALICE)) == 1
