"""The Discord bot end to end: the real discord.py stack against the local fake Discord.

Each test runs `bot.create_bot(settings)` unmodified against tests/fakediscord (gateway and
REST on 127.0.0.1), with a real SQLite file and a manual clock driving time.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from discord.ext import commands

from bot import create_bot
from digests.clock import ManualClock
from digests.settings import Settings
from tests.conftest import make_settings
from tests.fakediscord import (
    FakeAttachmentOption,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    FakeOverwrite,
    FakeRole,
    FakeUser,
    Perm,
    RecordedMessage,
)
from tests.support.local_http import FeedItem, LocalHTTPServer, rss_xml

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
KOREAN_POST = (
    "테슬라 2026년 전망\n\n"
    "일론 머스크는 “로보택시는 2026년 말까지 미국 전역에서 운행될 것”이라고 말했다.\n"
    "회사는 2026년 4분기에 신형 배터리 공장을 가동할 계획이다.\n"
    "테슬라의 에너지 저장 사업은 내년에 두 배로 성장할 것으로 예상된다."
)


@dataclass
class World:
    """Two servers: the main one with a moderator and a member, and a stranger's server."""

    guild: FakeGuild
    general: FakeChannel
    digests: FakeChannel
    locked: FakeChannel
    mods: FakeRole
    watchers: FakeRole
    mod: FakeMember
    bob: FakeMember
    other: FakeGuild
    other_general: FakeChannel
    carol: FakeMember


@pytest.fixture
def world() -> World:
    guild = FakeGuild(name="Hindsight Test")
    mods = guild.add_role(
        FakeRole("mods", permissions=Perm.MANAGE_GUILD | Perm.MANAGE_MESSAGES, mentionable=True)
    )
    watchers = guild.add_role(FakeRole("watchers", mentionable=True))
    mod = guild.add_member(FakeUser("mod"), roles=[mods])
    bob = guild.add_member(FakeUser("bob"), roles=[watchers])
    general = guild.add_channel(FakeChannel(name="general"))
    digests = guild.add_channel(FakeChannel(name="digests"))
    locked = guild.add_channel(
        FakeChannel(
            name="announcements", overwrites=[FakeOverwrite.everyone(deny=Perm.SEND_MESSAGES)]
        )
    )
    other = FakeGuild(name="Someone else")
    carol = other.add_member(
        FakeUser("carol"),
        roles=[
            other.add_role(FakeRole("admins", permissions=Perm.MANAGE_GUILD | Perm.MANAGE_MESSAGES))
        ],
    )
    other_general = other.add_channel(FakeChannel(name="general"))
    return World(
        guild, general, digests, locked, mods, watchers, mod, bob, other, other_general, carol
    )


@pytest.fixture
def bot_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def fake(world: World) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(guilds=[world.guild, world.other]) as running, running.patched():
        yield running


def new_bot(settings: Settings, clock: ManualClock) -> commands.Bot:
    return create_bot(settings, clock=clock, guild_ready_timeout=0.05)


@pytest.fixture
async def bot(fake: FakeDiscord, bot_settings: Settings, clock: ManualClock) -> AsyncIterator[Any]:
    async with fake.run_bot(new_bot(bot_settings, clock)) as running:
        yield running


@pytest.fixture(autouse=True)
def _quiet_discord(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level("ERROR", logger="discord")
    yield


class Slash:
    """Runs slash commands as a member and returns the finished answer."""

    def __init__(self, fake: FakeDiscord, guild: FakeGuild, channel: FakeChannel) -> None:
        self.fake = fake
        self.guild = guild
        self.channel = channel

    async def __call__(
        self,
        user: FakeMember,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        guild: FakeGuild | None = None,
        channel: FakeChannel | None = None,
        locale: str = "en-US",
    ) -> RecordedMessage:
        guild = guild or self.guild
        channel = channel or self.channel
        interaction = await self.fake.send_slash_command(
            guild.id, channel.id, user, name, options or {}, locale=locale
        )
        callback = await interaction.wait_response(timeout=30)
        if callback.type == 5:
            return await interaction.wait_original(timeout=60)
        assert callback.message is not None, f"/{name} answered without a message"
        return callback.message


@pytest.fixture
def slash(fake: FakeDiscord, world: World) -> Slash:
    return Slash(fake, world.guild, world.general)


def title(message: RecordedMessage) -> str:
    return str(message.embeds[0].get("title", "")) if message.embeds else ""


def text_of(message: RecordedMessage) -> str:
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [str(embed.get("title", "")), str(embed.get("description", ""))]
        parts += [f"{f['name']} {f['value']}" for f in embed.get("fields", [])]
        parts.append(str(embed.get("footer", {}).get("text", "")))
    return "\n".join(parts)


async def add_forecast(slash: Slash, user: FakeMember, claim: str, due: str) -> int:
    answer = await slash(user, "predictions add", {"claim": claim, "due": due})
    assert title(answer).startswith("Recorded forecast #"), text_of(answer)
    return int(title(answer).removeprefix("Recorded forecast #"))


# --- sync ------------------------------------------------------------------------------------


async def test_commands_sync_with_korean_descriptions(fake: FakeDiscord, bot: Any) -> None:
    synced = {command["name"]: command for command in fake.synced_commands()}
    assert set(synced) == {
        "summary", "quote", "themes", "scoreboard", "export", "predictions", "remind",
        "digest", "feed", "ingest", "settings",
    }  # fmt: skip
    subcommands = {
        name: sorted(option["name"] for option in command.get("options", []) if option["type"] == 1)
        for name, command in synced.items()
    }
    assert subcommands["predictions"] == ["add", "list", "redate", "resolve", "show", "undo"]
    assert subcommands["remind"] == ["cancel", "list", "prediction"]
    assert subcommands["digest"] == ["now", "off", "schedule", "status"]
    assert subcommands["ingest"] == ["date", "file", "text", "url"]
    assert subcommands["settings"] == [
        "language", "reminder_channel", "reminder_grouping", "reminder_role", "timezone",
    ]  # fmt: skip

    def described(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        yield path, node
        for option in node.get("options", []):
            yield from described(option, f"{path} {option['name']}")

    for name, command in synced.items():
        for path, node in described(command, name):
            assert node["description"], path
            korean = (node.get("description_localizations") or {}).get("ko")
            assert korean and korean != node["description"], f"no Korean description for {path}"
            for choice in node.get("choices", []):
                assert (choice.get("name_localizations") or {}).get("ko"), f"{path} {choice}"
    # configuration needs Manage Server and ingesting Manage Messages, before any runtime check
    assert int(synced["settings"]["default_member_permissions"]) == Perm.MANAGE_GUILD
    assert int(synced["feed"]["default_member_permissions"]) == Perm.MANAGE_GUILD
    assert int(synced["ingest"]["default_member_permissions"]) == Perm.MANAGE_MESSAGES
    assert all(command.get("contexts") in (None, [0]) for command in synced.values())


async def test_development_guilds_get_the_commands_directly(
    fake: FakeDiscord, world: World, tmp_path: Path, clock: ManualClock
) -> None:
    settings = make_settings(tmp_path, discord_guild_ids=[world.guild.id])
    async with fake.run_bot(new_bot(settings, clock)):
        assert [scope for scope, _ in fake.command_syncs] == [world.guild.id]
        assert {c["name"] for c in fake.synced_commands(world.guild.id)} >= {
            "predictions",
            "digest",
        }


# --- the ledger through Discord -------------------------------------------------------------


async def test_forecast_lifecycle_votes_and_moderator_verdict(
    slash: Slash, world: World, bot: Any
) -> None:
    forecast = await add_forecast(slash, world.bob, "Robotaxi in 10 US cities", "2026-12-31")

    listed = await slash(world.bob, "predictions list", {"status": "open"})
    assert f"**#{forecast}**" in text_of(listed) and "Robotaxi in 10 US cities" in text_of(listed)
    assert "<t:" in text_of(listed)  # due dates as Discord timestamps

    shown = await slash(world.bob, "predictions show", {"id": forecast})
    assert title(shown).startswith(f"#{forecast}")
    assert f"hs:vote:{forecast}:correct" in shown.custom_ids()

    vote = await slash(world.bob, "predictions resolve", {"id": forecast, "outcome": "wrong"})
    assert vote.ephemeral and "vote" in title(vote).lower()
    verdict = await slash(world.mod, "predictions resolve", {"id": forecast, "outcome": "correct"})
    assert "resolved" in title(verdict) and "came true" in title(verdict)

    refused = await slash(world.bob, "predictions undo", {"id": forecast})
    assert refused.ephemeral and refused.content.startswith("⚠️") and "moderator" in refused.content
    undone = await slash(world.mod, "predictions undo", {"id": forecast})
    assert "undone" in title(undone)
    redated = await slash(world.mod, "predictions redate", {"id": forecast, "due": "2027-06-30"})
    assert "re-dated" in title(redated) and "<t:" in text_of(redated)


async def test_bad_input_gets_a_private_message_naming_it(
    slash: Slash, world: World, bot: Any
) -> None:
    answer = await slash(
        world.bob, "predictions add", {"claim": "Something will happen", "due": "someday soon"}
    )
    assert answer.ephemeral
    assert answer.content.startswith("⚠️ due:") and "someday soon" in answer.content
    missing = await slash(world.bob, "predictions show", {"id": 999})
    assert missing.ephemeral and "No forecast #999" in missing.content
    for due, reason in [
        ("2025-02-30", "'2025-02-30' is not a real date: February 2025 has 28 days"),
        ("9999-12-31", "9999-12-31 is more than 50 years ahead"),
        ("in 10000 years", "'in 10000 years' is more than 50 years ahead"),
    ]:
        refused = await slash(world.bob, "predictions add", {"claim": "Rates fall", "due": due})
        assert refused.ephemeral and refused.content.startswith(f"⚠️ due: {reason}")
    zone = await slash(world.mod, "settings timezone", {"timezone": "A" * 300})
    assert zone.ephemeral
    assert zone.content.startswith("⚠️ timezone: 300 characters is too long for a timezone name")


async def test_relative_dates_in_english_and_korean(slash: Slash, world: World, bot: Any) -> None:
    forecast = await add_forecast(slash, world.bob, "KOSPI above 3000", "다음 달 말")
    reminder = await slash(
        world.bob, "remind prediction", {"prediction": forecast, "when": "in 3 days"}
    )
    assert reminder.ephemeral and title(reminder).startswith("Reminder #")
    later = await slash(world.bob, "remind prediction", {"prediction": forecast, "when": "3일 후"})
    assert title(later).startswith("Reminder #")


async def test_ids_from_another_server_are_not_found(
    slash: Slash, world: World, fake: FakeDiscord, bot: Any
) -> None:
    forecast = await add_forecast(slash, world.bob, "Rates fall below 3%", "2026-06-30")
    for name, options in [
        ("predictions show", {"id": forecast}),
        ("predictions resolve", {"id": forecast, "outcome": "correct"}),
        ("remind prediction", {"prediction": forecast}),
        ("predictions undo", {"id": forecast}),
    ]:
        answer = await slash(
            world.carol, name, options, guild=world.other, channel=world.other_general
        )
        assert answer.ephemeral and f"No forecast #{forecast} in this server" in answer.content, (
            name
        )
    listed = await slash(
        world.carol, "predictions list", guild=world.other, channel=world.other_general
    )
    assert "Rates fall" not in text_of(listed) and "No forecasts" in text_of(listed)
    choices = await fake.send_autocomplete(
        world.other.id,
        world.other_general.id,
        world.carol,
        "predictions show",
        focused="id",
        value="Rates",
    )
    assert (await choices.wait_response()).choices == []
    mine = await fake.send_autocomplete(
        world.guild.id, world.general.id, world.bob, "predictions show", focused="id", value="Rates"
    )
    assert [c["value"] for c in (await mine.wait_response()).choices] == [forecast]


async def test_personal_reminders_list_and_cancel(slash: Slash, world: World, bot: Any) -> None:
    forecast = await add_forecast(slash, world.bob, "Oil above $100", "2026-03-31")
    later = await slash(
        world.bob, "remind prediction", {"prediction": forecast, "when": "in 3 months"}
    )
    assert later.ephemeral and title(later).startswith("Reminder #")
    reminder = int(title(later).split("#")[1].split()[0])
    on_due = await slash(world.bob, "remind prediction", {"prediction": forecast})
    assert "You will be reminded" in title(on_due)
    listed = await slash(world.bob, "remind list")
    assert f"**#{reminder}**" in text_of(listed) and f"forecast #{forecast}" in text_of(listed)
    assert "no pending" in text_of(await slash(world.mod, "remind list"))
    cancelled = await slash(world.bob, "remind cancel", {"id": reminder})
    assert "cancelled" in title(cancelled)
    again = await slash(world.bob, "remind cancel", {"id": reminder})
    assert again.content.startswith("⚠️") and f"#{reminder}" in again.content
    bad_when = await slash(
        world.bob, "remind prediction", {"prediction": forecast, "when": "whenever"}
    )
    assert bad_when.content.startswith("⚠️ when:")


# --- posts of unknown date ---------------------------------------------------------------------


async def test_ingest_date_dates_a_post_and_only_for_those_who_may_ingest(
    slash: Slash, world: World, bot: Any
) -> None:
    stored = await slash(world.mod, "ingest text", {"text": KOREAN_POST, "title": "테슬라 전망"})
    post_id = int(text_of(stored).split("stored #")[1].split()[0])
    hint = f"1 forecast needs the post's date: /ingest date post:{post_id} date:YYYY-MM-DD"
    assert hint in text_of(stored)
    waiting = await slash(world.bob, "predictions list", {"status": "needs-date"})
    assert "내년에 두 배로 성장" in text_of(waiting)

    # Discord does not even offer /ingest to members without Manage Messages.
    with pytest.raises(PermissionError, match="would not show /ingest"):
        await slash(world.bob, "ingest date", {"post": post_id, "date": "2025-01-10"})
    bad = await slash(world.mod, "ingest date", {"post": post_id, "date": "soon"})
    elsewhere = await slash(
        world.carol,
        "ingest date",
        {"post": post_id, "date": "2025-01-10"},
        guild=world.other,
        channel=world.other_general,
    )
    dated = await slash(world.mod, "ingest date", {"post": post_id, "date": "2025-01-10"})

    # Re-reading a post can take a moment, so the answer is deferred: errors follow it up.
    assert bad.content == "⚠️ date: 'soon' is not a date in YYYY-MM-DD form"
    assert elsewhere.content == f"⚠️ No post #{post_id} in this server."
    assert title(dated) == f"Post #{post_id} dated 2025-01-10"
    assert "1 forecast waiting for this date is now tracked" in text_of(dated)
    after = await slash(world.bob, "predictions list", {"status": "needs-date"})
    assert "No forecasts match" in text_of(after)
    listed = await slash(world.bob, "predictions list")
    # Written 2025-01-10, "내년" is 2026: due as the year ends (a Discord date stamp).
    assert "· due <t:1798718400:D> · open\n테슬라의 에너지 저장 사업은 내년에" in text_of(listed)


# --- reading ---------------------------------------------------------------------------------


async def test_ingest_then_summary_quote_themes_scoreboard_export(
    slash: Slash, world: World, bot: Any
) -> None:
    stored = await slash(
        world.mod, "ingest text", {"text": KOREAN_POST, "title": "테슬라 2026년 전망"}
    )
    assert title(stored).startswith("1 stored"), text_of(stored)
    post_id = int(text_of(stored).split("stored #")[1].split()[0])

    summary = await slash(world.bob, "summary", {"post": post_id})
    assert title(summary) == "테슬라 2026년 전망" and "•" in text_of(summary)
    period = await slash(world.bob, "summary", {"days": 30})
    assert "Summary of the last 30 days" in title(period)

    quote = await slash(world.bob, "quote", {"speaker": "머스크"})
    assert "로보택시" in title(quote) and "머스크" in text_of(quote)
    no_quote = await slash(world.bob, "quote", {"query": "nothing like this"})
    assert no_quote.ephemeral and no_quote.content.startswith("⚠️")

    themes = await slash(world.bob, "themes", {"days": 30})
    assert "Themes" in title(themes)
    assert themes.attachments and themes.attachments[0].data.startswith(PNG_MAGIC)

    listed = await slash(world.bob, "predictions list")
    assert "로보택시" in text_of(listed)

    forecast = await add_forecast(slash, world.mod, "Fed cuts twice", "2025-12-20")
    await slash(world.mod, "predictions resolve", {"id": forecast, "outcome": "correct"})
    board = await slash(world.bob, "scoreboard", {"by": "author"})
    assert "Track record by author" in title(board)
    # The author is the member's display name, stored when they added the forecast.
    assert "**mod** · 1 resolved" in text_of(board) and "<@" not in text_of(board)
    empty_board = await slash(
        world.carol, "scoreboard", guild=world.other, channel=world.other_general
    )
    assert "No resolved forecasts" in text_of(empty_board)

    export = await slash(world.bob, "export")
    files = {attachment.filename: attachment.data for attachment in export.attachments}
    assert set(files) == {"forecasts.csv", "forecasts.json"}
    rows = list(csv.DictReader(io.StringIO(files["forecasts.csv"].decode("utf-8"))))
    assert any(row["claim"] == "Fed cuts twice" for row in rows)
    assert len(json.loads(files["forecasts.json"])) == len(rows)


async def test_ingest_file_url_and_refusals(slash: Slash, world: World, bot: Any) -> None:
    attached = FakeAttachmentOption(
        "notes.md",
        b"# Chip notes\n\nTSMC will start 2nm mass production in 2025 Q4, ahead of its rivals.\n",
    )
    stored = await slash(world.mod, "ingest file", {"file": attached})
    assert title(stored).startswith("1 stored"), text_of(stored)
    binary = FakeAttachmentOption("image.txt", PNG_MAGIC + bytes(range(256)))
    refused = await slash(world.mod, "ingest file", {"file": binary})
    assert "image.txt" in refused.content and refused.content.startswith("⚠️")

    async with LocalHTTPServer() as server:
        url = server.article(
            "/post",
            "Memory prices",
            ["DRAM prices will rise 20% in 2026 according to analysts."] * 3,
        )
        fetched = await slash(world.mod, "ingest url", {"url": url})
        assert title(fetched).startswith("1 stored"), text_of(fetched)
    private = await slash(
        world.mod, "ingest url", {"url": "http://169.254.169.254/latest/meta-data"}
    )
    assert private.content.startswith("⚠️") and "169.254.169.254" in private.content


async def test_feeds_are_followed_listed_and_removed(slash: Slash, world: World, bot: Any) -> None:
    async with LocalHTTPServer() as server:
        items = [FeedItem(f"Item {n}", link=server.url(f"/items/{n}"), guid=f"item-{n}",
                          content=f"Paragraph {n} says chips will be scarce in 2026.")
                 for n in range(2)]  # fmt: skip
        url = server.feed("/feed.xml", rss_xml("Chip feed", server.url("/"), items))
        added = await slash(world.mod, "feed add", {"url": url, "channel": world.general})
        assert title(added).startswith("Following feed #"), text_of(added)
        feed_id = int(title(added).split("#")[1])
        listed = await slash(world.mod, "feed list")
        assert "Chip feed" in text_of(listed) and "active" in text_of(listed)
        duplicate = await slash(world.mod, "feed add", {"url": url})
        assert duplicate.content.startswith("⚠️")
        silenced = await slash(world.mod, "feed channel", {"id": feed_id})
        assert title(silenced) == f"Feed #{feed_id}: new entries not announced" + (
            " (no channel; set one with /feed channel)"
        ), text_of(silenced)
        moved = await slash(world.mod, "feed channel", {"id": feed_id, "channel": world.general})
        assert "announced in" in title(moved), text_of(moved)
        resumed = await slash(world.mod, "feed enable", {"id": feed_id})
        assert title(resumed) == f"Feed #{feed_id} resumed", text_of(resumed)
        removed = await slash(world.mod, "feed remove", {"id": feed_id})
        assert "removed" in title(removed)
        gone = await slash(world.mod, "feed remove", {"id": feed_id})
        assert gone.content.startswith("⚠️")


async def test_settings_need_manage_server_at_runtime_too(
    slash: Slash, world: World, fake: FakeDiscord, bot: Any
) -> None:
    assert "Asia/Seoul" in title(
        await slash(world.mod, "settings timezone", {"timezone": "Asia/Seoul"})
    )
    bad = await slash(world.mod, "settings timezone", {"timezone": "Mars/Olympus"})
    assert bad.content.startswith("⚠️ timezone:")
    assert "Language set to ko" in title(
        await slash(world.mod, "settings language", {"language": "ko"})
    )
    role = await slash(world.mod, "settings reminder_role", {"role": world.watchers})
    assert f"<@&{world.watchers.id}>" in text_of(role)
    # A member whose client still shows the command (Discord would hide it) is refused by us.
    interaction = await fake.send_slash_command(
        world.guild.id, world.general.id, world.bob, "settings timezone", {"timezone": "UTC"},
        check_permissions=False,
    )  # fmt: skip
    await interaction.wait_done()  # the timezone command defers: its answer is a follow-up
    assert any("Manage Server" in (message.content or "") for message in interaction.messages())


async def test_scheduling_checks_the_bots_permissions_in_the_channel(
    slash: Slash, world: World, bot: Any
) -> None:
    refused = await slash(world.mod, "digest schedule", {"channel": world.locked})
    assert refused.ephemeral and "Send Messages" in refused.content
    assert "No digest is scheduled" in text_of(await slash(world.bob, "digest status"))
    reminder_channel = await slash(
        world.mod, "settings reminder_channel", {"channel": world.locked}
    )
    assert "Send Messages" in reminder_channel.content
    member = await slash(world.bob, "digest schedule", {"channel": world.digests})
    assert "Manage Server" in member.content
    scheduled = await slash(
        world.mod,
        "digest schedule",
        {"channel": world.digests, "weekday": "daily", "time": "09:00"},
    )
    assert "Digest scheduled" in title(scheduled) and f"<#{world.digests.id}>" in text_of(scheduled)
    assert "off" in title(await slash(world.mod, "digest off"))


# --- mentions --------------------------------------------------------------------------------


async def test_text_from_posts_never_pings(
    slash: Slash, world: World, fake: FakeDiscord, bot: Any
) -> None:
    hostile = f"@everyone @here <@{world.bob.id}> <@&{world.watchers.id}> 테슬라는 2026년에 흑자를 낼 것이다."
    await slash(
        world.mod, "ingest text", {"text": hostile, "title": f"Hey @everyone <@{world.bob.id}>"}
    )
    await add_forecast(slash, world.mod, f"@everyone <@{world.bob.id}> wins", "2026-01-31")
    for name, options in [
        ("predictions list", {}),
        ("digest now", {"days": 7}),
        ("summary", {"days": 7}),
    ]:
        message = await slash(world.bob, name, options)
        assert message.mentioned_user_ids() == [] and message.mentioned_role_ids() == [], name
        assert not message.mentions_everyone(), name
        assert "@everyone" not in text_of(message), name  # defanged, not just blocked
    assert all(
        m.allowed_mentions is not None and not m.mentions_everyone() for m in fake.sent_messages
    )


# --- scheduled work --------------------------------------------------------------------------


async def test_scheduled_digest_arrives_at_the_clocks_time(
    slash: Slash, world: World, fake: FakeDiscord, clock: ManualClock, bot: Any
) -> None:
    await slash(world.mod, "ingest text", {"text": KOREAN_POST, "title": "테슬라 2026년 전망"})
    # 2025-12-15 09:00 UTC is 18:00 in Seoul; the digest is due daily at 09:00 Seoul time.
    await slash(
        world.mod,
        "digest schedule",
        {"channel": world.digests, "weekday": "daily", "time": "09:00"},
    )
    await bot.scheduler.tick()
    assert fake.messages_in(world.digests.id) == []
    clock.set(datetime(2025, 12, 15, 23, 59, tzinfo=UTC))  # 08:59 in Seoul
    await bot.scheduler.tick()
    assert fake.messages_in(world.digests.id) == []
    clock.set(datetime(2025, 12, 16, 0, 1, tzinfo=UTC))  # 09:01 in Seoul
    await bot.scheduler.tick()
    (digest,) = fake.messages_in(world.digests.id)
    assert "테슬라" in text_of(digest)
    assert digest.attachments and digest.attachments[0].data.startswith(PNG_MAGIC)
    await bot.scheduler.tick()  # the same period never twice
    assert len(fake.messages_in(world.digests.id)) == 1
    status = await slash(world.bob, "digest status")
    assert "Last" in text_of(status) and "Paused" not in text_of(status)


async def test_reminder_ping_buttons_vote_and_survive_a_restart(
    slash: Slash, world: World, fake: FakeDiscord, clock: ManualClock, bot_settings: Settings
) -> None:
    async with fake.run_bot(new_bot(bot_settings, clock)) as first:
        await slash(world.mod, "settings reminder_channel", {"channel": world.general})
        await slash(world.mod, "settings reminder_role", {"role": world.watchers})
        forecast = await add_forecast(
            slash, world.mod, f"<@{world.bob.id}> says GDP +3%", "2025-12-20"
        )
        await slash(world.bob, "remind prediction", {"prediction": forecast})
        clock.advance(seconds=7 * 86400)
        await first.scheduler.tick()
        ping = await fake.wait_for_message(world.general.id, lambda m: bool(m.custom_ids()))
        assert f"Forecast due: #{forecast}" == title(ping)
        # only the configured role is pinged; the subscriber gets a DM instead of a second ping
        assert ping.mentioned_role_ids() == [world.watchers.id]
        assert ping.mentioned_user_ids() == [] and not ping.mentions_everyone()
        (dm,) = fake.dm_messages(world.bob)
        assert title(dm) == f"Forecast due: #{forecast}"
        assert ping.custom_ids() == [
            f"hs:vote:{forecast}:correct", f"hs:vote:{forecast}:wrong", f"hs:vote:{forecast}:partly",
            f"hs:vote:{forecast}:unknown", f"hs:snooze:{forecast}", f"hs:remind:{forecast}",
        ]  # fmt: skip
        click = await fake.click_button(ping, f"hs:vote:{forecast}:wrong", world.bob)
        answer = await click.wait_response()
        assert answer.ephemeral and "vote" in title(answer.message).lower()
        tally = await first.services.store.votes.tally(world.guild.id, forecast)
        assert tally.by_user == {world.bob.id: "wrong"}
        await first.scheduler.tick()
        assert len([m for m in fake.messages_in(world.general.id) if m.custom_ids()]) == 1

    async with fake.run_bot(new_bot(bot_settings, clock)) as second:
        click = await fake.click_button(ping, f"hs:vote:{forecast}:partly", world.mod)
        await click.wait_response()
        dm_click = await fake.click_button(dm, f"hs:vote:{forecast}:correct", world.bob)
        assert "vote" in title((await dm_click.wait_response()).message).lower()
        tally = await second.services.store.votes.tally(world.guild.id, forecast)
        assert tally.by_user == {world.bob.id: "correct", world.mod.id: "partly"}
        snooze = await fake.click_button(ping, f"hs:snooze:{forecast}", world.mod)
        assert "snoozed" in title((await snooze.wait_response()).message)
        await second.scheduler.tick()
        assert len([m for m in fake.messages_in(world.general.id) if m.custom_ids()]) == 1


async def test_a_refused_channel_pauses_the_schedule_and_keeps_the_digest(
    slash: Slash, world: World, fake: FakeDiscord, clock: ManualClock, bot: Any
) -> None:
    await slash(world.mod, "ingest text", {"text": KOREAN_POST, "title": "테슬라 2026년 전망"})
    await slash(
        world.mod,
        "digest schedule",
        {"channel": world.digests, "weekday": "daily", "time": "09:00"},
    )
    failure = fake.fail_channel(world.digests.id)
    clock.set(datetime(2025, 12, 16, 0, 5, tzinfo=UTC))
    await bot.scheduler.tick()
    assert failure.hits >= 1 and fake.messages_in(world.digests.id) == []
    status = await slash(world.bob, "digest status")
    assert (
        "Paused" in text_of(status)
        and "403" in text_of(status)
        and "1 message(s) held" in text_of(status)
    )
    clock.advance(seconds=86400)
    await bot.scheduler.tick()  # paused: no new digest piles up, nothing is sent
    assert failure.hits == 1

    fake.clear_failure(failure)
    await slash(
        world.mod,
        "digest schedule",
        {"channel": world.digests, "weekday": "daily", "time": "09:00"},
    )
    await bot.scheduler.tick()
    delivered = fake.messages_in(world.digests.id)
    assert len(delivered) >= 1 and "테슬라" in text_of(delivered[0])
    assert "Paused" not in text_of(await slash(world.bob, "digest status"))


async def test_unexpected_errors_are_logged_and_answered_with_an_apology(
    slash: Slash,
    world: World,
    bot: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.handlers, "scoreboard", broken)
    with caplog.at_level(logging.ERROR, logger="bot.respond"):
        answer = await slash(world.bob, "scoreboard")
    assert answer.ephemeral and "Sorry, something went wrong" in answer.content
    assert "database on fire" not in answer.content
    record = next(r for r in caplog.records if r.name == "bot.respond")
    assert record.exc_info and "database on fire" in str(record.exc_info[1])


async def test_long_lists_are_paginated_with_buttons(
    slash: Slash, world: World, fake: FakeDiscord, bot: Any
) -> None:
    for number in range(20):
        await add_forecast(
            slash, world.mod, f"Claim number {number}", f"2026-{number % 12 + 1:02d}-15"
        )
    interaction = await fake.send_slash_command(
        world.guild.id, world.general.id, world.bob, "predictions list", {}
    )
    first = (await interaction.wait_response()).message
    assert first is not None and "page 1 of 3" in text_of(first)
    (_previous, following) = first.custom_ids()
    turned = await fake.click_button(first, following, world.bob)
    assert (await turned.wait_response()).type == 7
    assert "page 2 of 3" in text_of(fake.get_message(first.id))
    stranger = await fake.click_button(first, following, world.mod)
    assert (await stranger.wait_response()).ephemeral
    assert "page 2 of 3" in text_of(fake.get_message(first.id))


async def test_long_digests_split_across_messages_within_discord_limits(
    slash: Slash, world: World, bot: Any, fake: FakeDiscord
) -> None:
    for number in range(12):
        body = f"Post {number}. " + " ".join(
            f"Company {number}-{k} expects sales to double by 2027." for k in range(30)
        )
        await slash(
            world.mod, "ingest text", {"text": body, "title": f"Long post {number} " + "x" * 200}
        )
    interaction = await fake.send_slash_command(
        world.guild.id, world.general.id, world.bob, "digest now", {"days": 7}
    )
    await interaction.wait_response(timeout=30)
    await interaction.wait_original(timeout=60)
    messages = [m for m in [interaction.original, *interaction.followups] if m is not None]
    for message in messages:
        assert len(message.embeds) <= 10
        total = sum(len(e.get("title", "")) + len(e.get("description", "")) + len(e.get("footer", {}).get("text", ""))
                    + sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", [])) for e in message.embeds)  # fmt: skip
        assert total <= 6000
        for embed in message.embeds:
            assert len(embed.get("description", "")) <= 4096 and len(embed.get("title", "")) <= 256
    assert "Long post 11" in "".join(text_of(m) for m in messages)


async def test_bot_closes_its_resources(
    fake: FakeDiscord, bot_settings: Settings, clock: ManualClock
) -> None:
    running = new_bot(bot_settings, clock)
    async with fake.run_bot(running):
        assert running.scheduler.running
    assert not running.scheduler.running
    with pytest.raises(ValueError, match="no active connection"):
        await running.services.store.posts.count(0)


async def test_error_paths_of_reading_and_configuration_commands(
    slash: Slash, world: World, fake: FakeDiscord, bot: Any
) -> None:
    missing_post = await slash(world.bob, "summary", {"post": 404})
    assert missing_post.ephemeral and "No post #404 in this server" in missing_post.content
    empty_themes = await slash(world.bob, "themes", {"days": 7})
    assert "No themes yet" in text_of(empty_themes)
    not_a_mod = await slash(world.bob, "digest off")
    assert not_a_mod.ephemeral and "Manage Server" in not_a_mod.content
    interaction = await fake.send_slash_command(
        world.guild.id, world.general.id, world.bob, "ingest text", {"text": "2026년에 오른다"},
        check_permissions=False,
    )  # fmt: skip
    await interaction.wait_done()
    assert interaction.original is not None and "Manage Messages" in interaction.original.content
    assert interaction.original.ephemeral  # refused before any work was deferred
    assert await bot.services.store.posts.count(world.guild.id) == 0
    no_reminder = await slash(world.bob, "remind cancel")
    assert no_reminder.content.startswith("⚠️ reminder:")


async def test_a_refused_reminder_channel_holds_reminders_until_a_new_channel_is_set(
    slash: Slash, world: World, fake: FakeDiscord, clock: ManualClock, bot: Any
) -> None:
    await slash(world.mod, "settings reminder_channel", {"channel": world.general})
    forecast = await add_forecast(slash, world.mod, "Copper above $12k", "2025-12-20")
    failure = fake.fail_channel(world.general.id)
    clock.advance(seconds=7 * 86400)
    await bot.scheduler.tick()
    assert failure.hits == 1
    status = await slash(world.bob, "digest status", channel=world.digests)
    assert "Reminders paused" in text_of(status) and "403" in text_of(status)
    await bot.scheduler.tick()
    assert failure.hits == 1  # held, not retried in a loop

    await slash(
        world.mod, "settings reminder_channel", {"channel": world.digests}, channel=world.digests
    )
    await bot.scheduler.tick()
    (ping,) = [m for m in fake.messages_in(world.digests.id) if m.custom_ids()]
    assert title(ping) == f"Forecast due: #{forecast}"
    assert "Reminders paused" not in text_of(
        await slash(world.bob, "digest status", channel=world.digests)
    )


async def test_a_korean_member_gets_korean_replies_and_errors(
    slash: Slash, world: World, bot: Any
) -> None:
    """Replies follow the member's Discord language, whatever the server's language is."""
    added = await slash(
        world.mod, "predictions add", {"claim": "금리 인하", "due": "2027-06-30"}, locale="ko"
    )
    assert title(added).startswith("예측 #") and "기록됨" in title(added), text_of(added)
    assert "기한" in text_of(added) and "Due" not in text_of(added)
    listed = await slash(world.bob, "predictions list", locale="ko")
    assert title(listed) == "예측" and "진행 중" in text_of(listed), text_of(listed)
    themes = await slash(world.bob, "themes", locale="ko")
    assert title(themes).startswith("테마 · 최근"), text_of(themes)
    board = await slash(world.bob, "scoreboard", {"by": "author"}, locale="ko")
    assert title(board) == "적중 기록 (작성자별)", text_of(board)
    missing = await slash(world.bob, "summary", {"post": 999}, locale="ko")
    assert missing.ephemeral and "이 서버에 #999 글이 없습니다." in (missing.content or "")
    # The same commands in English for an English-speaking member.
    english = await slash(world.bob, "predictions list", locale="en-US")
    assert title(english) == "Forecasts" and "open" in text_of(english)
