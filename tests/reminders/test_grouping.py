"""Grouped reminders: the forecasts of a guild coming due in one sweep go out as one message per
destination (at most FORECASTS_PER_MESSAGE each), follow-ups likewise; a guild (or the bot's
default) can keep one message per forecast. A group keeps its batch key — and so its Discord
nonce — across retries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from digests.app import Services
from digests.clock import ManualClock
from digests.ledger.model import ForecastRecord
from digests.ledger.service import Actor
from digests.reminders.outbox import FORECASTS_PER_MESSAGE, DeliveryFailed, delivery_nonce
from tests.conftest import make_settings
from tests.reminders.conftest import GUILD, MEMBER, MODERATOR, OTHER_GUILD, Tick
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport

CHANNEL = 500
OTHER_CHANNEL = 600


async def _add_due(services: Services, count: int, actor: Actor = MEMBER) -> list[ForecastRecord]:
    return [
        await services.ledger.add(actor, claim=f"Forecast number {n}", due=DUE_DAY)
        for n in range(count)
    ]


def _forecast_ids(transport: RecordingTransport, destination: str) -> list[list[int]]:
    """Per delivered message to `destination`: the forecasts it carried."""
    return [
        [message.forecast_id or 0 for message in delivery.messages]
        for delivery in transport.deliveries
        if delivery.destination == destination
    ]


async def test_forecasts_due_in_one_sweep_go_out_as_few_messages_per_channel(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.store.guilds.update(GUILD, clock.now(), reminder_channel_id=CHANNEL)
    forecasts = await _add_due(services, 12)
    clock.set(DUE_AT)
    report = await tick()

    channel = _forecast_ids(transport, "channel")
    assert [len(ids) for ids in channel] == [5, 5, 2]
    assert sorted(i for ids in channel for i in ids) == [f.id for f in forecasts]
    # The author is subscribed to their own forecasts: their DMs are grouped the same way.
    assert [len(ids) for ids in _forecast_ids(transport, "user")] == [5, 5, 2]
    assert {d.kind for d in transport.deliveries} == {"reminder"}
    assert len(report.drained.sent) == 24
    rows = await services.store.outbox.list(GUILD)
    assert {row.status for row in rows} == {"sent"}
    # Each message's rows share its batch key: the dedupe key of its first row.
    for delivery in transport.deliveries:
        assert delivery.key == delivery.messages[0].dedupe_key
        assert {row.batch_key for row in rows if row.id in delivery.ids} == {delivery.key}


async def test_a_guild_can_keep_one_message_per_forecast(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.store.guilds.update(
        GUILD, clock.now(), reminder_channel_id=CHANNEL, reminder_grouping="single"
    )
    await services.store.guilds.update(OTHER_GUILD, clock.now(), reminder_channel_id=OTHER_CHANNEL)
    await _add_due(services, 3)
    await _add_due(services, 3, Actor(OTHER_GUILD, 10))
    clock.set(DUE_AT)
    await tick()

    by_guild = {
        guild: [len(d.messages) for d in transport.deliveries if d.guild_id == guild]
        for guild in (GUILD, OTHER_GUILD)
    }
    assert by_guild == {GUILD: [1, 1, 1, 1, 1, 1], OTHER_GUILD: [3, 3]}  # channel + DMs each
    assert all(
        d.key == d.messages[0].dedupe_key for d in transport.deliveries if d.guild_id == GUILD
    )


async def test_with_single_as_the_default_a_guild_can_choose_grouped(
    tmp_path: Path, store_url: str, clock: ManualClock
) -> None:
    settings = make_settings(tmp_path, database_url=store_url, reminder_grouping="single")
    async with await Services.open(settings, clock) as services:
        await services.store.guilds.update(GUILD, clock.now(), reminder_grouping="grouped")
        await _add_due(services, 2)
        await _add_due(services, 2, Actor(OTHER_GUILD, 10))
        transport = RecordingTransport()
        clock.set(DUE_AT)
        await services.scheduler(transport).tick()

    channel = [
        (d.guild_id, len(d.messages)) for d in transport.deliveries if d.destination == "channel"
    ]
    assert sorted(channel) == [(GUILD, 2), (OTHER_GUILD, 1), (OTHER_GUILD, 1)]


async def test_follow_ups_are_grouped_apart_from_due_pings(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await services.store.guilds.update(GUILD, clock.now(), reminder_channel_id=CHANNEL)
    first = await _add_due(services, 3)
    clock.set(DUE_AT)
    await tick()
    later = [
        await services.ledger.add(MEMBER, claim=f"Later forecast {n}", due="2025-12-27")
        for n in range(2)
    ]
    assert later[0].due_at == DUE_AT + timedelta(days=7)
    transport.deliveries.clear()
    clock.set(DUE_AT + timedelta(days=7))  # the first ones' 7-day follow-up, the later ones due
    await tick()

    channel = [
        (d.kind, sorted(m.forecast_id or 0 for m in d.messages))
        for d in transport.deliveries
        if d.destination == "channel"
    ]
    assert sorted(channel) == [
        ("followup", sorted(f.id for f in first)),
        ("reminder", sorted(f.id for f in later)),
    ]


async def test_a_group_too_big_for_one_message_is_split_at_the_button_limit(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    await _add_due(services, 2 * FORECASTS_PER_MESSAGE + 1)
    for forecast in await services.ledger.list(GUILD, status="all", page_size=50):
        await services.ledger.unsubscribe(MEMBER, forecast.id)
    clock.set(DUE_AT)
    await tick()
    sizes = [len(d.messages) for d in transport.deliveries]
    assert sizes == [FORECASTS_PER_MESSAGE, FORECASTS_PER_MESSAGE, 1]


async def test_a_failed_group_is_retried_as_the_same_message_without_what_was_resolved(
    services: Services, clock: ManualClock, transport: RecordingTransport, tick: Tick
) -> None:
    first = await _add_due(services, 3)
    for forecast in first:
        await services.ledger.unsubscribe(MEMBER, forecast.id)
    transport.fail_next = [DeliveryFailed("503 Service Unavailable")]
    clock.set(DUE_AT)
    await tick()
    (failed,) = transport.attempted_deliveries
    assert len(failed.messages) == 3 and transport.deliveries == []

    # Meanwhile a moderator judges one of them, and two more forecasts come due.
    await services.ledger.resolve(MODERATOR, first[0].id, "correct")
    more = [
        await services.ledger.add(MEMBER, claim=f"Another {n}", due="2025-12-22") for n in range(2)
    ]
    for forecast in more:
        await services.ledger.unsubscribe(MEMBER, forecast.id)
    clock.set(DUE_AT + timedelta(days=2))
    await tick()

    retried, new = transport.deliveries
    assert retried.key == failed.key and retried.nonce() == failed.nonce()
    assert [m.forecast_id for m in retried.messages] == [first[1].id, first[2].id]
    assert [m.forecast_id for m in new.messages] == [f.id for f in more]
    assert new.key != failed.key


async def test_an_unreadable_row_fails_alone_and_the_rest_of_its_group_goes_out(
    services: Services, clock: ManualClock, transport: RecordingTransport
) -> None:
    forecasts = await _add_due(services, 3)
    for forecast in forecasts:
        await services.ledger.unsubscribe(MEMBER, forecast.id)
    clock.set(DUE_AT)
    await services.reminders.sweep()
    broken = next(
        row for row in await services.store.outbox.list(GUILD) if row.forecast_id == forecasts[1].id
    )
    await services.store.database.execute(
        "UPDATE outbox SET payload_json = ? WHERE id = ?", ('{"forecast": {"id": "x"}}', broken.id)
    )

    report = await services.sender(transport).drain()

    assert report.failed == [broken.id]
    (delivery,) = transport.deliveries
    assert [m.forecast_id for m in delivery.messages] == [forecasts[0].id, forecasts[2].id]
    row = await services.store.outbox.get(broken.id)
    assert row is not None and row.status == "failed"
    assert row.last_error is not None and "unreadable reminder payload" in row.last_error


def test_nonces_are_stable_within_discords_limit_and_distinct() -> None:
    nonce = delivery_nonce(1, "due:12:1766242800", 0)
    assert nonce == delivery_nonce(1, "due:12:1766242800", 0)
    assert len(nonce) <= 25
    others = {
        delivery_nonce(1, "due:12:1766242800", 1),
        delivery_nonce(2, "due:12:1766242800", 0),
        delivery_nonce(1, "due:13:1766242800", 0),
    }
    assert nonce not in others and len(others) == 3


async def test_a_group_is_claimed_whole_wherever_its_rows_fall_in_the_queue(
    services: Services, clock: ManualClock, transport: RecordingTransport
) -> None:
    await services.store.guilds.update(OTHER_GUILD, clock.now(), reminder_grouping="single")
    for number in range(6):  # the two guilds' rows alternate in the queue
        for actor in (MEMBER, Actor(OTHER_GUILD, 10)):
            forecast = await services.ledger.add(actor, claim=f"Claim {number}", due=DUE_DAY)
            await services.ledger.unsubscribe(actor, forecast.id)
    clock.set(DUE_AT)
    await services.reminders.sweep()

    await services.sender(transport).drain(limit=6)  # sees 3 rows of each guild

    sizes = [(d.guild_id, len(d.messages)) for d in transport.deliveries]
    assert sizes == [(GUILD, 5), (GUILD, 1), (OTHER_GUILD, 1), (OTHER_GUILD, 1), (OTHER_GUILD, 1)]
