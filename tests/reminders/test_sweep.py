"""The reminder sweep driven by a manual clock: due pings, follow-ups, snoozes, re-dating and
personal reminders, delivered through a recording transport over a real SQLite file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.errors import Conflict, InputError, NotFound, PermissionDenied
from digests.reminders.outbox import DeliveryFailed
from tests.reminders.conftest import MEMBER, MODERATOR, SECOND_MEMBER, Tick
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport

SEOUL = ZoneInfo("Asia/Seoul")


def _channel(transport: RecordingTransport) -> list[tuple[str, object]]:
    return [
        (message.kind, message.payload.get("stage"))
        for message in transport.delivered
        if message.destination == "channel"
    ]


async def test_the_due_ping_goes_out_once_when_the_window_closes(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    assert forecast.due_at == DUE_AT

    clock.set(DUE_AT - timedelta(minutes=1))
    await tick()
    assert transport.delivered == []

    clock.set(DUE_AT)
    await tick()
    assert [(m.kind, m.destination, m.destination_id) for m in transport.delivered] == [
        ("reminder", "channel", None),
        ("reminder", "user", MEMBER.user_id),  # the author is subscribed to their own forecast
    ]
    assert not any(m.late for m in transport.delivered)
    assert transport.delivered[0].payload["forecast"]["id"] == forecast.id

    for _ in range(5):
        clock.advance(hours=1)
        await tick()
    assert len(transport.delivered) == 2
    assert (await services.ledger.get(MEMBER.guild_id, forecast.id)).status == "due"


async def test_followups_come_7_and_30_days_after_the_due_date_while_unjudged(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    await tick()

    clock.set(DUE_AT + timedelta(days=7) - timedelta(minutes=1))
    await tick()
    assert _channel(transport) == [("reminder", None)]

    clock.set(DUE_AT + timedelta(days=7))
    await tick()
    clock.set(DUE_AT + timedelta(days=29))
    await tick()
    assert _channel(transport) == [("reminder", None), ("followup", 7)]

    clock.set(DUE_AT + timedelta(days=30))
    await tick()
    for days in (31, 60, 365):
        clock.set(DUE_AT + timedelta(days=days))
        await tick()
    assert _channel(transport) == [
        ("reminder", None),
        ("followup", 7),
        ("followup", 30),
    ]
    assert not any(m.late for m in transport.delivered)


async def test_no_followup_after_a_verdict_and_a_queued_one_is_cancelled(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    await tick()
    # The 7-day follow-up is queued but not yet sent when a moderator judges the forecast.
    clock.set(DUE_AT + timedelta(days=7))
    report = await services.reminders.sweep()
    assert report.followups == 1
    await services.ledger.resolve(MODERATOR, forecast.id, "correct")

    for days in (7, 8, 30, 40):
        clock.set(DUE_AT + timedelta(days=days))
        await tick()
    assert _channel(transport) == [("reminder", None)]
    statuses = {m.dedupe_key: m.status for m in await services.store.outbox.list(MEMBER.guild_id)}
    assert statuses[f"followup:{forecast.id}:{int(DUE_AT.timestamp())}:7"] == "cancelled"


async def test_after_downtime_only_the_latest_followup_is_sent_and_marked_late(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    await tick()
    # Offline from the day it came due until 35 days later: both follow-ups were missed.
    clock.set(DUE_AT + timedelta(days=35))
    await tick()
    await tick()
    assert _channel(transport) == [("reminder", None), ("followup", 30)]
    followup = transport.delivered[-1]
    assert followup.late is True and followup.payload["late"] is True


async def test_offline_through_the_due_date_and_followups_sends_one_channel_message(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    """The latest missed nudge only: the channel is not sent the due ping and the 30-day
    follow-up at the same moment; the subscriber still gets the ping they asked for."""
    await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT + timedelta(days=35))
    await tick()
    await tick()
    assert _channel(transport) == [("followup", 30)]
    assert [
        (m.kind, m.destination_id, m.late) for m in transport.delivered if m.destination == "user"
    ] == [("reminder", MEMBER.user_id, True)]
    assert all(m.late for m in transport.delivered)


async def test_snooze_a_week_pings_once_a_week_later(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    await tick()
    clock.set(DUE_AT + timedelta(hours=9))  # the member clicks "Snooze a week" under the ping
    until = await services.ledger.snooze(SECOND_MEMBER, forecast.id, 7)
    assert until == clock.now() + timedelta(days=7)

    # The 7-day follow-up falls inside the snooze: it waits.
    while clock.now() + timedelta(hours=6) < until:
        clock.advance(hours=6)
        await tick()
    assert _channel(transport) == [("reminder", None)]

    clock.set(until)
    await tick()
    await tick()
    assert _channel(transport) == [("reminder", None), ("snooze", None)]
    assert transport.delivered[-1].late is False

    clock.set(until + timedelta(days=2))
    await tick()
    assert _channel(transport) == [("reminder", None), ("snooze", None)]
    clock.set(DUE_AT + timedelta(days=30))
    await tick()
    assert _channel(transport) == [
        ("reminder", None),
        ("snooze", None),
        ("followup", 30),
    ]
    events = (await services.ledger.show(MEMBER.guild_id, forecast.id)).events
    assert [e.kind for e in events] == ["created", "snoozed"]
    assert events[-1].payload == {"until": until.isoformat()}


async def test_a_short_snooze_does_not_swallow_the_next_followup(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    await tick()
    until = await services.ledger.snooze(MEMBER, forecast.id, 1)
    clock.set(until)
    await tick()
    clock.set(DUE_AT + timedelta(days=7))
    await tick()
    assert _channel(transport) == [
        ("reminder", None),
        ("snooze", None),
        ("followup", 7),
    ]


@pytest.mark.parametrize("days", [0, -1, 366])
async def test_snooze_length_is_checked(services: Services, days: int) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    with pytest.raises(InputError):
        await services.ledger.snooze(MEMBER, forecast.id, days)


async def test_personal_reminders_in_3_months_and_on_a_date_and_cancelled(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Won passes 1500", due="2026-12-31")
    later = await services.ledger.remind_at(SECOND_MEMBER, forecast.id, "in 3 months")
    dated = await services.ledger.remind_at(SECOND_MEMBER, forecast.id, "2026-01-10")
    dropped = await services.ledger.remind_at(SECOND_MEMBER, forecast.id, "2026-02-01")
    assert later is not None and dated is not None and dropped is not None
    # 09:00 where the guild lives (Asia/Seoul) on the named day.
    assert later.remind_at == datetime(2026, 3, 15, 9, 0, tzinfo=SEOUL)
    assert dated.remind_at == datetime(2026, 1, 10, 0, 0, tzinfo=UTC)
    assert [r.id for r in await services.ledger.reminders(SECOND_MEMBER)] == [
        dated.id,
        dropped.id,
        later.id,
    ]

    await services.ledger.cancel_reminder(SECOND_MEMBER, dropped.id)
    with pytest.raises(NotFound):
        await services.ledger.cancel_reminder(SECOND_MEMBER, dropped.id)
    with pytest.raises(NotFound):  # not theirs
        await services.ledger.cancel_reminder(MEMBER, later.id)
    assert [r.id for r in await services.ledger.reminders(SECOND_MEMBER)] == [dated.id, later.id]

    def personal() -> list[tuple[int | None, str, bool]]:
        return [
            (m.destination_id, m.dedupe_key, m.late)
            for m in transport.delivered
            if m.kind == "personal"
        ]

    clock.set(dated.remind_at - timedelta(minutes=1))
    await tick()
    assert personal() == []
    clock.set(dated.remind_at)
    await tick()
    assert personal() == [(SECOND_MEMBER.user_id, f"personal:{dated.id}", False)]

    clock.set(datetime(2026, 2, 2, tzinfo=UTC))  # the cancelled one's day has passed
    await tick()
    clock.set(later.remind_at)
    await tick()
    clock.set(later.remind_at + timedelta(days=3))
    await tick()
    assert personal() == [
        (SECOND_MEMBER.user_id, f"personal:{dated.id}", False),
        (SECOND_MEMBER.user_id, f"personal:{later.id}", False),
    ]
    assert await services.ledger.reminders(SECOND_MEMBER) == []


async def test_a_personal_reminder_must_be_in_the_future(services: Services) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Won passes 1500", due="2026-12-31")
    with pytest.raises(InputError):
        await services.ledger.remind_at(MEMBER, forecast.id, "2025-12-01")
    with pytest.raises(InputError):
        await services.ledger.remind_at(MEMBER, forecast.id, "someday soon-ish")


async def test_remind_without_a_time_subscribes_to_the_due_date(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    assert await services.ledger.remind_at(SECOND_MEMBER, forecast.id, None) is None
    assert [f.id for f in await services.ledger.subscriptions(SECOND_MEMBER)] == [forecast.id]
    clock.set(DUE_AT)
    await tick()
    assert sorted(m.destination_id for m in transport.delivered if m.destination == "user") == [
        MEMBER.user_id,
        SECOND_MEMBER.user_id,
    ]
    assert await services.ledger.subscriptions(SECOND_MEMBER) == []  # no longer open


async def test_redating_cancels_the_old_ping_and_fires_once_at_the_new_date(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    await services.reminders.sweep()  # queued for the old date, not sent yet
    moved = await services.ledger.redate(MODERATOR, forecast.id, "2025-12-31")
    assert (moved.due_end, moved.status) == (date(2025, 12, 31), "open")
    new_due_at = datetime(2025, 12, 31, 15, 0, tzinfo=UTC)
    assert moved.due_at == new_due_at

    await tick()
    assert transport.delivered == []
    old = await services.store.outbox.list(MEMBER.guild_id)
    assert {m.status for m in old} == {"cancelled"} and len(old) == 2

    clock.set(new_due_at - timedelta(minutes=1))
    await tick()
    assert transport.delivered == []
    clock.set(new_due_at)
    await tick()
    for days in (1, 2, 3):
        clock.set(new_due_at + timedelta(days=days))
        await tick()
    assert [(m.kind, m.destination) for m in transport.delivered] == [
        ("reminder", "channel"),
        ("reminder", "user"),
    ]
    assert {m.payload["forecast"]["due_end"] for m in transport.delivered} == {"2025-12-31"}
    assert not any(m.late for m in transport.delivered)
    events = (await services.ledger.show(MEMBER.guild_id, forecast.id)).events
    assert [(e.kind, e.payload) for e in events][-1] == (
        "redated",
        {"from": DUE_DAY, "to": "2025-12-31"},
    )


async def test_redating_before_the_old_date_sends_nothing_then(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    await services.ledger.redate(MODERATOR, forecast.id, "2026-01-05")
    clock.set(DUE_AT + timedelta(hours=1))
    await tick()
    assert transport.delivered == []
    clock.set(datetime(2026, 1, 5, 15, 0, tzinfo=UTC))
    await tick()
    await tick()
    assert transport.kinds("channel") == ["reminder"]


async def test_redating_a_forecast_that_was_already_pinged_starts_its_reminders_over(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    clock.set(DUE_AT)
    await tick()
    clock.set(DUE_AT + timedelta(days=7))
    await tick()
    clock.set(DUE_AT + timedelta(days=8))
    await services.ledger.redate(MODERATOR, forecast.id, "2026-01-31")
    clock.set(datetime(2026, 1, 31, 15, 0, tzinfo=UTC))
    await tick()
    clock.set(datetime(2026, 2, 7, 15, 0, tzinfo=UTC))
    await tick()
    channel = [
        (m.kind, m.payload["forecast"]["due_end"])
        for m in transport.delivered
        if m.destination == "channel"
    ]
    assert channel == [
        ("reminder", DUE_DAY),
        ("followup", DUE_DAY),
        ("reminder", "2026-01-31"),
        ("followup", "2026-01-31"),
    ]


async def test_only_moderators_redate_and_not_after_a_verdict(services: Services) -> None:
    forecast = await services.ledger.add(MEMBER, claim="Rates fall by spring", due=DUE_DAY)
    with pytest.raises(PermissionDenied):
        await services.ledger.redate(MEMBER, forecast.id, "2026-01-05")
    await services.ledger.resolve(MODERATOR, forecast.id, "wrong")
    with pytest.raises(Conflict):
        await services.ledger.redate(MODERATOR, forecast.id, "2026-01-05")
    assert (await services.ledger.get(MEMBER.guild_id, forecast.id)).due_end == date(2025, 12, 20)


@pytest.mark.parametrize("change", ["resolve", "redate"])
async def test_a_personal_reminder_waiting_for_a_retry_survives_a_verdict_or_a_new_date(
    services: Services,
    clock: ManualClock,
    transport: RecordingTransport,
    tick: Tick,
    change: str,
) -> None:
    """A personal reminder is the member's own, at a time they chose; it is sent for judged
    forecasts too (its payload carries the outcome). Whether a verdict lands before the
    sweep queued it or during a delivery retry must not decide whether it arrives."""
    forecast = await services.ledger.add(MEMBER, claim="Won passes 1500", due="2026-12-31")
    reminder = await services.ledger.remind_at(SECOND_MEMBER, forecast.id, "2026-01-10")
    assert reminder is not None
    transport.fail_next = [DeliveryFailed("gateway hiccup")]
    clock.set(reminder.remind_at)
    await tick()
    assert transport.delivered == []
    if change == "resolve":
        await services.ledger.resolve(MODERATOR, forecast.id, "correct")
    else:
        await services.ledger.redate(MODERATOR, forecast.id, "2027-06-30")
    clock.advance(minutes=5)
    await tick()
    assert [(m.kind, m.destination_id) for m in transport.delivered] == [
        ("personal", SECOND_MEMBER.user_id)
    ]
