"""How the bot runs: intents, optional link ingestion, shards, and starting without a token."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest

import bot as bot_package
from bot.client import HindsightBot, ShardedHindsightBot, ShardScope
from digests.analysis import kiwi
from digests.clock import ManualClock
from digests.ledger.service import Actor
from tests.conftest import REPO, make_settings
from tests.fakediscord import FakeChannel, FakeDiscord, FakeGuild, FakeUser, snowflake_on_shard
from tests.support.local_http import LocalHTTPServer


@pytest.fixture(autouse=True)
def _quiet_discord(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level("ERROR", logger="discord")
    yield


def test_importing_the_package_has_no_side_effects() -> None:
    code = "import sys, bot; print('discord' in sys.modules, callable(bot.create_bot))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.split() == ["False", "True"]


def test_create_bot_picks_the_sharded_client_only_when_asked(tmp_path: Path) -> None:
    plain = bot_package.create_bot(make_settings(tmp_path))
    assert isinstance(plain, HindsightBot)
    assert plain.intents.value == discord.Intents.default().value
    assert not plain.intents.message_content and not plain.intents.members
    assert plain.allowed_mentions is not None and plain.allowed_mentions.to_dict() == {"parse": []}
    sharded = bot_package.create_bot(
        make_settings(tmp_path, discord_shard_count=4, discord_shard_ids=[1, 3])
    )
    assert isinstance(sharded, ShardedHindsightBot)
    assert sharded.shard_count == 4 and sharded.shard_ids == [1, 3]
    scope = sharded.guild_scope
    assert isinstance(scope, ShardScope)
    assert snowflake_on_shard(1, 4) in scope and snowflake_on_shard(3, 4) in scope
    assert snowflake_on_shard(0, 4) not in scope and snowflake_on_shard(2, 4) not in scope
    links = bot_package.create_bot(make_settings(tmp_path, discord_ingest_links=True))
    assert links.intents.message_content


def test_without_a_token_it_explains_the_setup(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISCORD_", "DATABASE_URL"))
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        timeout=60,
    )
    assert result.returncode == 2
    assert "applications.commands" in result.stdout
    assert "python -m bot --console" in result.stdout
    assert "privileged" in result.stdout.lower()


async def test_a_shard_process_only_serves_its_own_guilds(tmp_path: Path) -> None:
    guilds = [FakeGuild(name=f"shard {n}", id=snowflake_on_shard(n, 2)) for n in (0, 1)]
    channels = [guild.add_channel(FakeChannel(name="general")) for guild in guilds]
    for guild in guilds:
        guild.add_member(FakeUser("member"))
    clock = ManualClock(datetime(2025, 12, 15, 9, tzinfo=UTC))
    settings = make_settings(tmp_path, discord_shard_count=2, discord_shard_ids=[1])
    async with FakeDiscord(guilds=guilds) as fake, fake.patched():
        running = bot_package.create_bot(settings, clock=clock, guild_ready_timeout=0.05)
        async with fake.run_bot(running):
            assert sorted(s.shard_id for s in fake.live_sessions()) == [1]
            for guild, channel in zip(guilds, channels, strict=True):
                await running.services.store.guilds.update(
                    guild.id, clock.now(), reminder_channel_id=channel.id
                )
                await running.services.ledger.add(
                    Actor(guild.id, 1), claim=f"claim in {guild.name}", due="2025-12-20"
                )
            clock.advance(seconds=7 * 86400)
            await running.scheduler.tick()
            assert fake.messages_in(channels[0].id) == []
            (ping,) = fake.messages_in(channels[1].id)
            assert "claim in shard 1" in str(ping.embeds[0].get("description"))
            shard_zero = await running.services.store.outbox.list(guilds[0].id)
            assert shard_zero == []  # another process (shard 0) queues and sends its own


async def test_kiwi_warms_up_in_the_background_once_the_bot_starts(tmp_path: Path) -> None:
    guild = FakeGuild(name="warm")
    async with FakeDiscord(guilds=[guild]) as fake, fake.patched():
        running = bot_package.create_bot(make_settings(tmp_path), guild_ready_timeout=0.05)
        async with fake.run_bot(running):
            warm_up = running.analysis_warm_up
            assert warm_up.name == "kiwi-warm-up" and warm_up.daemon
            await asyncio.to_thread(warm_up.join, 300)
            assert not warm_up.is_alive()
            assert kiwi.is_warm() and kiwi.load_count() == 1


async def test_links_posted_in_a_watched_channel_are_stored(tmp_path: Path) -> None:
    guild = FakeGuild(name="links")
    watched = guild.add_channel(FakeChannel(name="links"))
    chat = guild.add_channel(FakeChannel(name="chat"))
    member = guild.add_member(FakeUser("poster"))
    settings = make_settings(
        tmp_path, discord_ingest_links=True, discord_ingest_channel_ids=[watched.id]
    )
    clock = ManualClock(datetime(2025, 12, 15, 9, tzinfo=UTC))
    async with (
        LocalHTTPServer() as server,
        FakeDiscord(guilds=[guild]) as fake,
        fake.patched(),
    ):
        url = server.article(
            "/article", "HBM outlook", ["HBM demand will double in 2026, analysts expect."] * 3
        )
        other = server.article("/other", "Not watched", ["Nothing to see here at all."] * 3)
        running = bot_package.create_bot(settings, clock=clock, guild_ready_timeout=0.05)
        async with fake.run_bot(running):
            (session,) = fake.live_sessions()
            assert session.intents & discord.Intents(message_content=True).value
            posted = await fake.send_message(watched, member, f"worth a read: {url}")
            await fake.send_message(chat, member, f"and this {other}")
            await fake.wait_until(lambda: "📥" in posted.reactions or None, timeout=30)
            stored = await running.services.store.posts.list(guild.id)
            assert [post.title for post in stored] == ["HBM outlook"]
            assert server.requests_for("/other") == []


async def test_without_the_intent_the_gateway_refuses_link_ingestion(tmp_path: Path) -> None:
    guild = FakeGuild(name="links")
    settings = make_settings(tmp_path, discord_ingest_links=True)
    async with FakeDiscord(guilds=[guild], allowed_intents=0) as fake, fake.patched():
        running = bot_package.create_bot(settings, guild_ready_timeout=0.05)
        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with fake.run_bot(running):
                pass
