"""Outbox deliveries on Discord: nonces, grouped reminders within Discord's limits, and no
message doubled or lost when the bot stops between sending and marking a message sent.

The fake Discord honours `nonce` + `enforce_nonce` like Discord (the earlier message comes
back within its window) and does not return nonces when messages are listed, so a restart
finds an unconfirmed message among the channel's recent messages by its content. A "crash" is
made exact with `FakeDiscord.hold_created_messages`: Discord has created the message, the bot
has not heard back, and the bot is stopped right there — in process (its task cancelled), or
for real with SIGKILL on a separate bot process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from discord.ext import commands

from bot import create_bot
from bot.render import pack_messages
from digests.app import Services
from digests.clock import ManualClock, SystemClock
from digests.digest.model import DigestPost
from digests.digest.render import to_json
from digests.ledger.service import Actor
from digests.outbox_payloads import DigestPayload
from digests.reminders.outbox import FORECASTS_PER_MESSAGE, delivery_nonce
from digests.settings import Settings
from tests.conftest import make_settings
from tests.digest import sample_digest
from tests.fakediscord import (
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    FakeOverwrite,
    FakeUser,
    Perm,
    RecordedMessage,
)
from tests.support.child_process import ChildProcess, child_environment

DUE_DAY = "2025-12-20"  # closes 2025-12-21 00:00 in Seoul
DUE_AT = datetime(2025, 12, 20, 15, 0, tzinfo=UTC)


@dataclass
class World:
    """A server with a reminder channel, and a member who records forecasts."""

    guild: FakeGuild
    reminders: FakeChannel
    bob: FakeMember


def make_world(name: str = "Hindsight Test") -> World:
    guild = FakeGuild(name=name)
    reminders = guild.add_channel(FakeChannel(name="reminders"))
    bob = guild.add_member(FakeUser("bob"))
    return World(guild, reminders, bob)


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def bot_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(autouse=True)
def _quiet_discord(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level("ERROR", logger="discord")
    yield


def new_bot(settings: Settings, clock: ManualClock) -> commands.Bot:
    return create_bot(settings, clock=clock, guild_ready_timeout=0.05)


async def queue_due_reminders(
    running: Any, world: World, clock: ManualClock, count: int, *, subscribe: bool = True
) -> list[int]:
    """`count` forecasts by bob coming due together, swept into the outbox (not sent)."""
    services: Services = running.services
    await services.reminders.set_channel(world.guild.id, world.reminders.id)
    author = Actor(world.guild.id, world.bob.id)
    ids = []
    for number in range(count):
        forecast = await services.ledger.add(author, claim=f"Forecast {number}", due=DUE_DAY)
        if not subscribe:
            await services.ledger.unsubscribe(author, forecast.id)
        ids.append(forecast.id)
    clock.set(DUE_AT)
    await services.reminders.sweep()
    return ids


def forecasts_shown(messages: list[RecordedMessage]) -> list[int]:
    """The forecast of every vote row in `messages` (one entry per forecast per message)."""
    return [
        int(custom_id.split(":")[2])
        for message in messages
        for custom_id in message.custom_ids()
        if custom_id.startswith("hs:vote:") and custom_id.endswith(":correct")
    ]


async def statuses(settings: Settings, guild_id: int) -> set[str]:
    async with await Services.open(settings, ManualClock(DUE_AT)) as services:
        return {row.status for row in await services.store.outbox.list(guild_id)}


async def stop_mid_send(running: Any, fake: FakeDiscord, channel: FakeChannel) -> RecordedMessage:
    """Run the bot's scheduler pass until Discord has created a message in `channel` but the
    bot has not heard back, then stop it there (as a crash would: nothing marked sent)."""
    hold = fake.hold_created_messages(channel)
    passing = asyncio.create_task(running.scheduler.tick())
    try:
        (created,) = await fake.wait_until(lambda: hold.held or None, timeout=20)
    finally:
        passing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await passing
        hold.release()
    return created


# --- nonces and grouped messages -----------------------------------------------------------------


async def test_every_outbox_message_carries_a_nonce_from_its_batch_key(
    world: World, bot_settings: Settings, clock: ManualClock
) -> None:
    async with (
        FakeDiscord(guilds=[world.guild]) as fake,
        fake.patched(),
        fake.run_bot(new_bot(bot_settings, clock)) as running,
    ):
        await queue_due_reminders(running, world, clock, 7)
        await running.scheduler.tick()
        rows = await running.services.store.outbox.list(world.guild.id)

    channel = fake.messages_in(world.reminders.id)
    assert [len(forecasts_shown([m])) for m in channel] == [5, 2]  # grouped, 5 to a message
    assert len(fake.dm_messages(world.bob)) == 2  # bob's own DMs, grouped the same way
    posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    sent_nonces = [r.json["nonce"] for r in posts]
    assert all(r.json["enforce_nonce"] is True for r in posts)
    expected = {delivery_nonce(world.guild.id, key, 0) for key in {r.batch_key for r in rows}}
    assert len(sent_nonces) == 4 and set(sent_nonces) == expected
    assert all(len(nonce) <= 25 for nonce in sent_nonces)
    assert {row.status for row in rows} == {"sent"}


async def test_a_full_group_fits_discords_limits_and_each_row_votes_for_its_own_forecast(
    world: World, bot_settings: Settings, clock: ManualClock
) -> None:
    long_claim = "Memory prices will keep rising through the year " * 8  # clipped to 300
    async with FakeDiscord(guilds=[world.guild]) as fake, fake.patched():
        async with fake.run_bot(new_bot(bot_settings, clock)) as first:
            services: Services = first.services
            await services.reminders.set_channel(world.guild.id, world.reminders.id)
            author = Actor(world.guild.id, world.bob.id)
            ids = []
            for number in range(5):
                forecast = await services.ledger.add(
                    author,
                    claim=f"{number} {long_claim}"[:300],
                    due=DUE_DAY,
                    source="https://example.com/" + "long-path/" * 30,
                )
                await services.ledger.unsubscribe(author, forecast.id)
                ids.append(forecast.id)
            clock.set(DUE_AT)
            await first.scheduler.tick()
            (grouped,) = fake.messages_in(world.reminders.id)  # the fake validates the limits
            assert forecasts_shown([grouped]) == ids
            assert len(grouped.components) == 5
            assert all(len(row["components"]) == 5 for row in grouped.components)
            third = grouped.find_component(f"hs:vote:{ids[2]}:wrong")
            assert third is not None
            row_of_third = next(row for row in grouped.components if third in row["components"])
            assert row_of_third["components"][0]["label"] == f"#{ids[2]} · Came true"
            click = await fake.click_button(grouped, f"hs:vote:{ids[2]}:wrong", world.bob)
            await click.wait_response()
            tally = await services.store.votes.tally(world.guild.id, ids[2])
            assert tally.by_user == {world.bob.id: "wrong"}

        # Old grouped messages keep working after a restart.
        async with fake.run_bot(new_bot(bot_settings, clock)) as second:
            click = await fake.click_button(grouped, f"hs:vote:{ids[4]}:correct", world.bob)
            await click.wait_response()
            tally = await second.services.store.votes.tally(world.guild.id, ids[4])
            assert tally.by_user == {world.bob.id: "correct"}
            untouched = await second.services.store.votes.tally(world.guild.id, ids[3])
            assert untouched.by_user == {}


# --- stopped between sending and marking sent ------------------------------------------------------


@pytest.mark.parametrize(
    ("nonce_window", "can_read_history", "doubled", "repeats"),
    [
        # Restarted within Discord's nonce window, history readable: found, not sent again.
        (300.0, True, 0, 0),
        # Restarted after the window: the recent-messages check alone prevents the double.
        (0.0, True, 0, 0),
        # No Read Message History: the resend under the same nonce returns the first message.
        (300.0, False, 0, 1),
        # Both safeguards gone (restart after the window without Read Message History): the
        # one case left where a message is doubled — the README says so.
        (0.0, False, 1, 0),
    ],
    ids=["nonce-and-history", "history-only", "nonce-only", "neither"],
)
async def test_a_bot_stopped_between_send_and_mark_sent_does_not_send_it_again(
    world: World,
    bot_settings: Settings,
    clock: ManualClock,
    nonce_window: float,
    can_read_history: bool,
    doubled: int,
    repeats: int,
) -> None:
    me = FakeUser("hindsight", bot=True)
    if not can_read_history:
        world.reminders.overwrites.append(
            FakeOverwrite.member(me.id, deny=Perm.READ_MESSAGE_HISTORY)
        )
    async with (
        FakeDiscord(guilds=[world.guild], bot_user=me, nonce_window=nonce_window) as fake,
        fake.patched(),
    ):
        async with fake.run_bot(new_bot(bot_settings, clock)) as first:
            # Two messages (5 + 2): the first reaches Discord, the second never leaves.
            ids = await queue_due_reminders(first, world, clock, 7, subscribe=False)
            created = await stop_mid_send(first, fake, world.reminders)
        assert forecasts_shown([created]) == ids[:5]
        assert await statuses(bot_settings, world.guild.id) == {"sending"}

        clock.advance(minutes=1)
        async with fake.run_bot(new_bot(bot_settings, clock)) as second:
            await second.scheduler.tick()

    # The message that had gone out is recognised; the one that had not is not mistaken for
    # it and goes out now.
    shown = forecasts_shown(fake.messages_in(world.reminders.id))
    assert sorted(shown) == sorted(ids + ids[:5] * doubled)
    assert len(fake.nonce_repeats) == repeats
    assert await statuses(bot_settings, world.guild.id) == {"sent"}


async def test_a_long_digest_stopped_after_its_first_part_sends_only_the_rest(
    world: World, bot_settings: Settings, clock: ManualClock
) -> None:
    posts = [
        DigestPost(
            post_id=number,
            title=f"Long post {number}",
            source="https://example.com/feed.xml",
            url=f"https://example.com/{number}",
            author="Writer",
            published=DUE_AT,
            summary=f"Post {number}: " + "Sales of memory chips will double by 2027. " * 12,
        )
        for number in range(40)
    ]
    digest = sample_digest(guild_id=world.guild.id, posts=posts, post_count=len(posts))
    payload = DigestPayload(digest=to_json(digest), markdown="")
    async with FakeDiscord(guilds=[world.guild]) as fake, fake.patched():
        async with fake.run_bot(new_bot(bot_settings, clock)) as first:
            services: Services = first.services
            async with services.store.transaction() as transaction:
                await services.store.outbox.enqueue(
                    transaction,
                    guild_id=world.guild.id,
                    dedupe_key="digest:long",
                    destination="channel",
                    destination_id=world.reminders.id,
                    payload=payload,
                    now=clock.now(),
                )
            parts = pack_messages(await first.handlers.render_delivery(payload, False))
            assert len(parts) >= 3
            await stop_mid_send(first, fake, world.reminders)
            assert len(fake.messages_in(world.reminders.id)) == 1

        async with fake.run_bot(new_bot(bot_settings, clock)) as second:
            await second.scheduler.tick()
            sent = fake.messages_in(world.reminders.id)
            assert [m.embeds[0].get("description") for m in sent] == [
                part.embeds[0].description for part in parts
            ]
            # The parts sent after the restart carry their own part's nonce.
            nonces = [
                r.json["nonce"]
                for r in fake.requests
                if r.method == "POST" and r.path.endswith("/messages")
            ]
            assert nonces == [
                delivery_nonce(world.guild.id, "digest:long", n) for n in range(len(parts))
            ]
    assert await statuses(bot_settings, world.guild.id) == {"sent"}


# --- the real process, killed with SIGKILL ------------------------------------------------------------


class BotProcess(ChildProcess):
    """`tests.support.bot_process` on the test's database, pointed at the fake."""

    def __init__(self, fake: FakeDiscord, settings: Settings, workdir: Path) -> None:
        environment = child_environment(
            {
                "DATABASE_URL": settings.database_url,
                "DISCORD_TOKEN": fake.token,
                "DISCORD_SYNC_COMMANDS": "false",
                "LOG_LEVEL": "WARNING",
            }
        )
        super().__init__(
            "tests.support.bot_process", [fake.api_base, fake.gateway_url], environment, workdir
        )


# Forecasts coming due in the grouping server and in the one-message-each server, and how many
# times the bot process is killed mid-send before a last run finishes the work. A longer run:
# HINDSIGHT_KILL_TEST="40,20,30" (forecasts, forecasts, kills; about 1.5 minutes).
_KILL_TEST = [int(n) for n in os.environ.get("HINDSIGHT_KILL_TEST", "12,2,4").split(",")]
KILL_TEST_FORECASTS = (_KILL_TEST[0], _KILL_TEST[1])
KILL_TEST_KILLS = _KILL_TEST[2]


def messages_for(forecasts: int, grouped: bool) -> int:
    """Discord messages that many forecasts make in one destination."""
    return -(-forecasts // FORECASTS_PER_MESSAGE) if grouped else forecasts


@contextlib.asynccontextmanager
async def seeded_outbox(settings: Settings, worlds: list[World]) -> AsyncIterator[list[int]]:
    """Forecasts in two servers (one grouping, one keeping a message per forecast) that came
    due yesterday, swept into the outbox; yields their ids."""
    now = SystemClock().now()
    clock = ManualClock(now - timedelta(days=3))
    ids: list[int] = []
    async with await Services.open(settings, clock) as services:
        for world, count in zip(worlds, KILL_TEST_FORECASTS, strict=True):
            await services.reminders.set_channel(world.guild.id, world.reminders.id)
            author = Actor(world.guild.id, world.bob.id)
            for number in range(count):
                due = (now - timedelta(days=1)).astimezone(settings.timezone).date()
                forecast = await services.ledger.add(
                    author, claim=f"{world.guild.name} {number}", due=due.isoformat()
                )
                ids.append(forecast.id)
        await services.store.guilds.update(
            worlds[1].guild.id, clock.now(), reminder_grouping="single"
        )
        clock.set(now)
        await services.reminders.sweep()
    yield ids


async def test_a_bot_process_killed_between_send_and_mark_sent_neither_doubles_nor_loses(
    tmp_path: Path,
) -> None:
    worlds = [make_world("Grouping"), make_world("One each")]
    settings = make_settings(tmp_path)
    grouped_count, single_count = KILL_TEST_FORECASTS
    # Each destination (channel, bob's DMs) of each server gets the same messages.
    per_destination = [messages_for(grouped_count, True), messages_for(single_count, False)]
    total = 2 * sum(per_destination)
    assert total > KILL_TEST_KILLS  # every kill lands on a message not yet confirmed
    async with (
        seeded_outbox(settings, worlds) as ids,
        FakeDiscord(guilds=[w.guild for w in worlds]) as fake,
        fake.patched(),
    ):
        bot = BotProcess(fake, settings, tmp_path)
        killed_at: list[RecordedMessage] = []
        for _ in range(KILL_TEST_KILLS):
            hold = fake.hold_created_messages()
            bot.start()
            try:
                (created,) = await fake.wait_until(lambda h=hold: h.held or None, timeout=60)
            except TimeoutError:
                bot.kill()
                pytest.fail(f"the bot process sent nothing: {bot.errors()[-2000:]}")
            bot.kill()  # Discord has the message; the bot never heard back
            hold.release()
            killed_at.append(created)
        assert len({m.id for m in killed_at}) == KILL_TEST_KILLS

        bot.start()
        try:
            for _ in range(600):  # until every row is marked sent (at most a minute)
                if all([await statuses(settings, w.guild.id) == {"sent"} for w in worlds]):
                    break
                await asyncio.sleep(0.1)
        finally:
            bot.kill()

    in_channels = [i for w in worlds for i in forecasts_shown(fake.messages_in(w.reminders.id))]
    in_dms = [i for w in worlds for i in forecasts_shown(fake.dm_messages(w.bob))]
    assert sorted(in_channels) == sorted(ids)  # each forecast once: none doubled, none lost
    assert sorted(in_dms) == sorted(ids)
    for world, expected in zip(worlds, per_destination, strict=True):
        assert len(fake.messages_in(world.reminders.id)) == expected
        assert len(fake.dm_messages(world.bob)) == expected
    assert len([m for m in fake.sent_messages if m.custom_ids()]) == total
    assert fake.errors == []
