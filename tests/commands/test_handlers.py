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
from tests.support.local_http import FeedItem, LocalHTTPServer, rss_xml

FEED = rss_xml(
    "시장 블로그",
    "https://blog.example/",
    [
        FeedItem(
            title="시장 메모",
            link="https://blog.example/posts/1",
            guid="post-1",
            summary="반도체 업황은 내년 상반기에 회복될 것이다. 메모리 가격도 함께 오를 것이다.",
        )
    ],
)


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
        lambda c: c.feed_enable(MEMBER, 1),
        lambda c: c.feed_channel(MEMBER, 1, 700),
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
    reply = commands.render_delivery(channel.kind, channel.payload, channel.late)
    assert "late" in reply.description
    assert reply.mention_roles == [42] and reply.mention_users == []
    assert "1 subscribed" in reply.description
    on_time = commands.render_delivery(channel.kind, channel.payload, False)
    assert "late" not in on_time.description


# --- feeds and failing jobs, as moderators see them -----------------------------------------


async def test_a_feed_without_a_channel_says_its_entries_are_not_announced(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    async with LocalHTTPServer() as server:
        url = server.feed("/feed.xml", FEED)
        added = await commands.feed_add(MODERATOR, url)
        assert added.tone == "warning"
        assert "stored but **not announced**" in added.description
        assert "/feed channel feed:1 channel:" in added.description
        listed = await commands.feed_list(MEMBER)
        assert "not announced (no channel; set one with /feed channel)" in listed.description

        moved = await commands.feed_channel(MODERATOR, 1, 700)
        assert moved.title == "Feed #1: new entries announced in #channel 700"
        assert "announced in #channel 700" in (await commands.feed_list(MEMBER)).description

        other = await commands.feed_add(MODERATOR, server.feed("/other.xml", FEED), channel=800)
        assert other.tone == "success"
        assert "New entries will be announced in #channel 800." in other.description


async def test_feed_list_shows_failures_with_the_next_try_and_a_way_back_from_disabled(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    async with LocalHTTPServer() as server:
        url = server.feed("/feed.xml", FEED)
        await commands.feed_add(MODERATOR, url, channel=700)
        server.error("/feed.xml", 500)
        clock.advance(hours=2)
        await services.feeds.poll_due()
        failing = (await commands.feed_list(MEMBER)).description
        assert (
            f"⚠️ failing (1×): {url}: HTTP 500 Internal Server Error; next try 2025-12-15 11:05 UTC"
            in failing
        )

        await services.store.database.execute(
            "UPDATE feeds SET disabled_ts = 1, disabled_reason = 'gave up'"
        )
        disabled = (await commands.feed_list(MEMBER)).description
        assert "⚠️ disabled: gave up (resume with /feed enable feed:1)" in disabled

        server.feed("/feed.xml", FEED, etag='"v2"')
        resumed = await commands.feed_enable(MODERATOR, 1)
        assert resumed.title == "Feed #1 resumed"
        assert "new entries are announced in #channel 700" in resumed.description
        assert "active" in (await commands.feed_list(MEMBER)).description


async def test_digest_status_shows_failing_jobs(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    await commands.digest_schedule(MODERATOR, 500, "daily", "09:00")
    await services.store.guilds.update(GUILD, clock.now(), digest_cron="every full moon")
    clock.set(datetime(2025, 12, 16, tzinfo=UTC))
    await services.scheduler(RecordingTransport()).tick()

    status = await commands.digest_status(MEMBER)

    assert status.tone == "warning"
    (field,) = [f for f in status.fields if f.name.startswith("⚠️ Failing")]
    assert field.name == "⚠️ Failing: this server's digest"
    assert field.value == (
        "1× since 2025-12-16 00:00 UTC: schedule: 'every full moon' is not a valid cron"
        " schedule: Wrong number of fields; got 3, expected 5\nNext try 2025-12-16 00:01 UTC."
    )


def test_a_feed_message_never_carries_an_identifier_as_its_link(commands: Commands) -> None:
    payload = {"title": "새 글", "url": "m2", "feed": "블로그", "language": "ko"}

    assert commands.render_delivery("feed", payload, False).url is None
    payload["url"] = "https://blog.example/p/2"
    assert commands.render_delivery("feed", payload, False).url == "https://blog.example/p/2"
