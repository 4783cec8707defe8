"""The command layer's behaviour: votes versus verdicts, permissions, reminder buttons, the
digest status showing why a schedule is paused, and how queued messages are rendered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.commands.handlers import (
    Commands,
    parse_button_id,
    reminder_buttons,
    vote_button_id,
)
from digests.errors import InputError, PermissionDenied
from tests.commands.conftest import GUILD, MEMBER, MODERATOR
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport


async def test_a_member_votes_and_a_moderator_decides(
    services: Services, commands: Commands
) -> None:
    added = await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY, "70%")
    assert added.title is not None and "#1" in added.title
    vote = await commands.predictions_resolve(MEMBER, 1, "wrong")
    assert vote.ephemeral is True
    assert (await services.ledger.get(GUILD, 1)).status == "open"
    verdict = await commands.predictions_resolve(MODERATOR, 1, "correct")
    assert verdict.ephemeral is False
    assert (await services.ledger.get(GUILD, 1)).outcome == "correct"
    shown = await commands.predictions_show(MEMBER, 1)
    assert shown.buttons == []  # nothing left to vote on
    assert any(field.name == "Verdict" for field in shown.fields)
    undone = await commands.predictions_undo(MODERATOR, 1)
    assert undone.tone == "success"
    assert (await commands.predictions_show(MEMBER, 1)).buttons == reminder_buttons(1)


async def test_a_moderator_clicking_a_vote_button_only_votes(
    services: Services, commands: Commands
) -> None:
    await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY)
    await commands.button(MODERATOR, vote_button_id(1, "correct"))
    view = await services.ledger.show(GUILD, 1)
    assert view.forecast.status == "open"
    assert view.tally.by_user == {MODERATOR.user_id: "correct"}


async def test_the_snooze_button_snoozes_a_week(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY)
    snooze = next(b for b in reminder_buttons(1) if b.label == "Snooze a week")
    assert parse_button_id(snooze.custom_id) == ("snooze", 1, None)
    reply = await commands.button(MEMBER, snooze.custom_id)
    assert reply.ephemeral
    events = (await services.ledger.show(GUILD, 1)).events
    assert events[-1].kind == "snoozed"
    assert events[-1].payload["until"] == (clock.now() + timedelta(days=7)).isoformat()
    with pytest.raises(InputError):
        await commands.button(MEMBER, "someone-else:vote:1:correct")


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.predictions_undo(MEMBER, 1),
        lambda c: c.predictions_redate(MEMBER, 1, "2026-01-31"),
        lambda c: c.digest_schedule(MEMBER, 500),
        lambda c: c.digest_off(MEMBER),
        lambda c: c.settings_timezone(MEMBER, "America/New_York"),
        lambda c: c.settings_reminder_channel(MEMBER, 700),
        lambda c: c.feed_remove(MEMBER, 1),
        lambda c: c.ingest_text(MEMBER, "Rates will fall by spring."),
    ],
)
async def test_members_cannot_moderate(
    services: Services, commands: Commands, call: Callable[[Commands], Awaitable[object]]
) -> None:
    await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY)
    await commands.predictions_resolve(MODERATOR, 1, "correct")
    with pytest.raises(PermissionDenied):
        await call(commands)
    assert (await services.ledger.get(GUILD, 1)).outcome == "correct"
    assert (await services.store.guilds.get(GUILD)).timezone is None


async def test_digest_status_says_why_the_schedule_is_paused(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    await commands.digest_schedule(MODERATOR, 500, "daily", "09:00")
    transport = RecordingTransport()
    transport.refused_channels[500] = "Missing Access (50001)"
    clock.set(datetime(2025, 12, 16, tzinfo=UTC))  # 09:00 in Seoul
    await services.scheduler(transport).tick()
    status = await commands.digest_status(MEMBER)
    assert status.tone == "warning"
    assert "Paused: Missing Access (50001)" in status.description
    assert "1 message(s) held" in status.description

    transport.refused_channels.clear()
    fixed = await commands.digest_schedule(MODERATOR, 500, "daily", "09:00")
    assert "Paused" not in fixed.description
    await services.scheduler(transport).tick()
    assert transport.kinds() == ["digest"]


async def test_a_late_reminder_says_so_and_pings_only_the_role(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    await services.store.guilds.update(GUILD, clock.now(), reminder_role_id=42)
    await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY)
    clock.set(DUE_AT + timedelta(days=2))
    transport = RecordingTransport()
    await services.scheduler(transport).tick()
    channel = next(m for m in transport.delivered if m.destination == "channel")
    reply = await commands.render_delivery(channel.kind, channel.payload, channel.late)
    assert "late" in reply.description
    assert reply.mention_roles == [42] and reply.mention_users == []
    assert "1 subscribed" in reply.description
    on_time = await commands.render_delivery(channel.kind, channel.payload, False)
    assert "late" not in on_time.description
