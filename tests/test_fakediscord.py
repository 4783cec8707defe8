"""End-to-end tests proving the local fake Discord works with a real discord.py 2.7 bot."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import io
import json
import socket
import warnings
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import (
    BlockedConnection,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    FakeOverwrite,
    FakeRole,
    FakeUser,
    Perm,
    snowflake_on_shard,
)

PANEL_BUTTON_ID = "tiny:panel:ack"
TOPICS = ["rates", "rail", "housing", "rents"]


# ---------------------------------------------------------------------------------------
# the tiny bot under test
# ---------------------------------------------------------------------------------------


class PanelView(discord.ui.View):
    """Persistent view: survives bot restarts because of the fixed custom_id."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(
        label="Acknowledge", style=discord.ButtonStyle.primary, custom_id=PANEL_BUTTON_ID
    )
    async def acknowledge(
        self, interaction: discord.Interaction, button: discord.ui.Button
    ) -> None:
        await interaction.response.send_message(
            f"Acknowledged by {interaction.user.name}", ephemeral=True
        )


class NoteModal(discord.ui.Modal, title="New note"):
    note = discord.ui.TextInput(label="Note", custom_id="tiny:note:text", max_length=200)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Noted: {self.note.value}", ephemeral=True)


def register_commands(tree: app_commands.CommandTree) -> None:
    """Fresh command objects per bot instance."""
    ledger = app_commands.Group(name="ledger", description="Ledger commands")

    @ledger.command(name="add", description="Add a ledger entry")
    @app_commands.describe(text="What to record")
    async def ledger_add(interaction: discord.Interaction, text: str) -> None:
        embed = discord.Embed(title="Ledger entry", description=text, colour=0x2F855A)
        await interaction.response.send_message(f"Added: {text}", embed=embed, ephemeral=True)

    @app_commands.command(name="report", description="Build the weekly report")
    async def report(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        embed = discord.Embed(title="Weekly report", description="2 themes")
        data = io.BytesIO(b"theme,count\nrates,2\n")
        await interaction.followup.send(embed=embed, file=discord.File(data, filename="report.csv"))

    @app_commands.command(name="progress", description="Deferred ephemeral work with edits")
    async def progress(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content="50%")
        await interaction.edit_original_response(content="done")
        await interaction.followup.send("extra details", ephemeral=True)

    @app_commands.command(name="panel", description="Post the ledger panel")
    async def panel(interaction: discord.Interaction) -> None:
        await interaction.channel.send("Ledger panel", view=PanelView())
        await interaction.response.send_message("Panel posted", ephemeral=True)

    @app_commands.command(name="topic", description="Look up a topic")
    async def topic(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"Topic: {name}")

    @topic.autocomplete("name")
    async def topic_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TOPICS if t.startswith(current)]

    @app_commands.command(name="note", description="Write a note")
    async def note(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(NoteModal())

    for command in (ledger, report, progress, panel, topic, note):
        tree.add_command(command)


class TinyBotMixin:
    def _setup_tiny(self) -> None:
        register_commands(self.tree)  # type: ignore[attr-defined]

        @commands.command(name="hello")
        async def hello(ctx: commands.Context) -> None:
            await ctx.reply(f"Hello, {ctx.author.name}!", mention_author=False)

        self.add_command(hello)  # type: ignore[attr-defined]

    async def setup_hook(self) -> None:
        self.add_view(PanelView())  # type: ignore[attr-defined]


def _bot_kwargs(**kwargs: object) -> dict[str, object]:
    kwargs.setdefault("intents", discord.Intents.default())
    kwargs.setdefault("command_prefix", commands.when_mentioned)
    kwargs.setdefault("guild_ready_timeout", 0.05)
    return kwargs


class TinyBot(TinyBotMixin, commands.Bot):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**_bot_kwargs(**kwargs))
        self._setup_tiny()


class TinyShardedBot(TinyBotMixin, commands.AutoShardedBot):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**_bot_kwargs(**kwargs))
        self._setup_tiny()


# ---------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------


@dataclass
class World:
    guild: FakeGuild
    general: FakeChannel
    locked: FakeChannel
    alice: FakeMember
    bob: FakeMember
    mods: FakeRole


@pytest.fixture
def world() -> World:
    guild = FakeGuild(name="Hindsight Test")
    mods = guild.add_role(FakeRole("mods", permissions=Perm.MANAGE_MESSAGES, mentionable=True))
    alice = guild.add_member(FakeUser("alice"), roles=[mods])
    bob = guild.add_member(FakeUser("bob"))
    general = guild.add_channel(FakeChannel(name="general"))
    locked = guild.add_channel(
        FakeChannel(
            name="announcements",
            overwrites=[FakeOverwrite.everyone(deny=Perm.SEND_MESSAGES)],
        )
    )
    return World(guild, general, locked, alice, bob, mods)


@pytest.fixture(autouse=True)
async def no_leaks() -> AsyncIterator[None]:
    """Fail on leaked tasks, loop errors (e.g. unclosed sessions) and ResourceWarnings."""
    loop = asyncio.get_running_loop()
    loop_errors: list[dict[str, object]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, ctx: loop_errors.append(ctx))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        try:
            yield
            for _ in range(3):
                await asyncio.sleep(0)
            gc.collect()
            await asyncio.sleep(0)
        finally:
            loop.set_exception_handler(previous)
    current = asyncio.current_task()
    leaked = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert not leaked, f"leaked tasks: {leaked}"
    assert not loop_errors, f"event loop errors: {loop_errors}"
    resource = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert not resource, f"resource warnings: {[str(w.message) for w in resource]}"


@pytest.fixture
async def fake(world: World) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(guilds=[world.guild]) as fake, fake.patched():
        yield fake
    fake.assert_clean()


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[TinyBot]:
    async with fake.run_bot(TinyBot()) as running:
        await running.tree.sync()
        yield running  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _quiet_discord_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level("ERROR", logger="discord")
    yield


# ---------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------


async def test_login_ready_and_guilds_visible(fake: FakeDiscord, world: World) -> None:
    async with fake.run_bot(TinyBot()) as bot:
        assert bot.is_ready()
        assert bot.user is not None and bot.user.id == fake.bot_user.id
        assert bot.application_id == fake.application_id
        assert [r.path for r in fake.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
        assert not any(r.path == "/gateway/bot" for r in fake.requests)

        guild = bot.get_guild(world.guild.id)
        assert guild is not None and guild.name == "Hindsight Test"
        assert guild.owner_id == world.alice.id  # first human member owns it
        assert guild.default_role.id == world.guild.id
        assert {c.name for c in guild.text_channels} == {"general", "announcements"}
        assert {r.name for r in guild.roles} >= {"@everyone", "mods", "fakebot"}
        me = guild.me
        assert me is not None and me.id == fake.bot_user.id

        general = guild.get_channel(world.general.id)
        locked = guild.get_channel(world.locked.id)
        assert isinstance(general, discord.TextChannel) and isinstance(locked, discord.TextChannel)
        assert general.permissions_for(me).send_messages
        assert not locked.permissions_for(me).send_messages
        assert locked.permissions_for(me).view_channel
        for channel in (world.general, world.locked):
            expected = world.guild.permissions_for(fake.bot_user.id, channel.id)
            assert guild.get_channel(channel.id).permissions_for(me).value == expected

        (session,) = fake.live_sessions()
        assert session.intents == discord.Intents.default().value
        assert session.guild_ids == [world.guild.id]
        # zlib-stream, or zstd-stream when a zstd module is importable
        asked = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
        assert session.conn is not None and session.conn.compress == asked


async def test_tree_sync_global_and_guild_recorded(fake: FakeDiscord, world: World) -> None:
    async with fake.run_bot(TinyBot()) as bot:
        synced = await bot.tree.sync()
        names = {"ledger", "report", "progress", "panel", "topic", "note"}
        assert {c["name"] for c in fake.synced_commands()} == names
        assert {c.name: c.id for c in synced} == {
            c["name"]: int(c["id"]) for c in fake.synced_commands()
        }
        ledger = fake.synced_command("ledger")
        (sub,) = ledger["options"]
        assert (sub["name"], sub["type"]) == ("add", 1)
        assert sub["options"][0].items() >= {"name": "text", "type": 3, "required": True}.items()

        guild_obj = discord.Object(world.guild.id)
        bot.tree.copy_global_to(guild=guild_obj)
        guild_synced = await bot.tree.sync(guild=guild_obj)
        assert {c.name for c in guild_synced} == names
        assert all(c.guild_id == world.guild.id for c in guild_synced)
        assert {c["name"] for c in fake.synced_commands(world.guild.id)} == names
        assert [scope for scope, _ in fake.command_syncs] == [None, world.guild.id]

        # ids are stable across re-syncs, like on Discord
        again = await bot.tree.sync()
        assert {c.name: c.id for c in again} == {c.name: c.id for c in synced}
        fetched = await bot.tree.fetch_commands(guild=guild_obj)
        assert {c.name for c in fetched} == names


async def test_slash_subcommand_response_recorded(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    inter = await fake.send_slash_command(
        world.guild.id, world.general.id, world.alice, "ledger add", {"text": "rates rising"}
    )
    (option,) = inter.payload["data"]["options"]
    assert option == {
        "name": "add",
        "type": 1,
        "options": [{"name": "text", "type": 3, "value": "rates rising"}],
    }
    assert inter.payload["member"]["permissions"] == str(
        world.guild.permissions_for(world.alice.id, world.general.id)
    )

    cb = await inter.wait_response()
    assert cb.type == 4
    assert cb.ephemeral
    msg = cb.message
    assert msg is not None and msg is inter.original
    assert msg.content == "Added: rates rising"
    assert msg.embeds[0]["title"] == "Ledger entry"
    assert msg.embeds[0]["description"] == "rates rising"
    assert msg.embeds[0]["color"] == 0x2F855A
    assert msg.ephemeral and msg.flags & 64
    assert msg.source == "interaction" and msg.interaction_id == inter.id
    assert fake.messages_in(world.general.id) == [msg]


async def test_deferred_followup_with_file(fake: FakeDiscord, world: World, bot: TinyBot) -> None:
    inter = await fake.send_slash_command(world.guild.id, world.general.id, world.bob, "report")
    cb = await inter.wait_response()
    assert cb.type == 5 and not cb.ephemeral

    followup = await inter.wait_followup()
    assert followup.embeds[0]["title"] == "Weekly report"
    (attachment,) = followup.attachments
    assert attachment.filename == "report.csv"
    assert attachment.data == b"theme,count\nrates,2\n"
    # the first follow-up after a "thinking" deferral replaces the placeholder, like Discord
    assert followup is inter.original and not followup.loading
    assert any(r.path.startswith(f"/webhooks/{fake.application_id}/") for r in fake.requests)

    # the bot can read its own attachment back from the fake CDN
    channel = bot.get_channel(world.general.id)
    message = await channel.fetch_message(followup.id)
    assert await message.attachments[0].read() == b"theme,count\nrates,2\n"


async def test_deferred_edits_of_original_and_ephemeral_followup(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    inter = await fake.send_slash_command(world.guild.id, world.general.id, world.bob, "progress")
    cb = await inter.wait_response()
    assert cb.type == 5 and cb.ephemeral
    original = await inter.wait_original(lambda m: m.content == "done")
    assert [e.payload["content"] for e in original.edits] == ["50%", "done"]
    assert original.ephemeral
    extra = await inter.wait_followup()
    assert extra is not original
    assert extra.content == "extra details" and extra.ephemeral


async def test_persistent_button_survives_bot_restart(fake: FakeDiscord, world: World) -> None:
    async with fake.run_bot(TinyBot()) as bot:
        await bot.tree.sync()
        inter = await fake.send_slash_command(world.guild.id, world.general.id, world.bob, "panel")
        assert (await inter.wait_response()).content == "Panel posted"
        panel = await fake.wait_for_message(
            world.general.id, lambda m: PANEL_BUTTON_ID in m.custom_ids()
        )
        assert panel.content == "Ledger panel" and panel.source == "channel"
        assert fake.find_message(custom_id=PANEL_BUTTON_ID) is panel

        click = await fake.click_button(panel, PANEL_BUTTON_ID, world.alice)
        cb = await click.wait_response()
        assert cb.type == 4 and cb.ephemeral
        assert cb.content == "Acknowledged by alice"
    first_session = next(iter(fake.sessions.values()))

    # a brand-new bot instance (new process in real life) against the same fake
    async with fake.run_bot(TinyBot()) as bot2:
        assert bot2.get_guild(world.guild.id) is not None
        click = await fake.click_button(panel, PANEL_BUTTON_ID, world.bob)
        cb = await click.wait_response()
        assert cb.content == "Acknowledged by bob"
    assert [e.kind for e in fake.gateway_events].count("identify") == 2
    assert first_session.invalidated


async def test_channel_send_forbidden(fake: FakeDiscord, world: World, bot: TinyBot) -> None:
    general = bot.get_channel(world.general.id)
    failure = fake.fail_channel(world.general.id)
    with pytest.raises(discord.Forbidden) as excinfo:
        await general.send("will not arrive")
    assert excinfo.value.status == 403
    assert excinfo.value.code == 50013
    assert failure.hits == 1
    assert fake.messages_in(world.general.id) == []

    fake.clear_failures(world.general.id)
    sent = await general.send("arrives")
    assert fake.messages_in(world.general.id)[-1].id == sent.id

    # permission overwrites are enforced too (deny SEND_MESSAGES for @everyone)
    locked = bot.get_channel(world.locked.id)
    with pytest.raises(discord.Forbidden) as excinfo:
        await locked.send("nope")
    assert excinfo.value.code == 50013


async def test_allowed_mentions_recorded(fake: FakeDiscord, world: World) -> None:
    async with fake.run_bot(TinyBot(allowed_mentions=discord.AllowedMentions.none())) as bot:
        general = bot.get_channel(world.general.id)
        guild = bot.get_guild(world.guild.id)
        alice = guild.get_member(world.alice.id) or discord.Object(world.alice.id)
        content = f"{world.alice.mention} {world.bob.mention} {world.mods.mention} @everyone"

        await general.send(content)
        quiet = fake.sent_messages[-1]
        assert quiet.allowed_mentions == {"parse": []}
        assert quiet.mentioned_user_ids() == [] and not quiet.mentions_everyone()

        await general.send(content, allowed_mentions=discord.AllowedMentions(users=[alice]))
        loud = fake.sent_messages[-1]
        assert loud.allowed_mentions == {"parse": [], "users": [world.alice.id]}
        assert loud.mentioned_user_ids() == [world.alice.id]
        assert loud.mentioned_role_ids() == []
        assert not loud.mentions_everyone()


async def test_autosharded_bot_gets_each_guild_on_its_shard() -> None:
    guilds = [
        FakeGuild(name=f"shard-{shard}-guild", id=snowflake_on_shard(shard, 2))
        for shard in (0, 1, 1)
    ]
    for guild in guilds:
        guild.add_channel(FakeChannel(name="general"))
    async with FakeDiscord(guilds=guilds) as fake, fake.patched():
        async with fake.run_bot(TinyShardedBot(shard_count=2)) as bot:
            assert bot.shard_count == 2 and sorted(bot.shards) == [0, 1]
            by_shard = {s.shard_id: s for s in fake.live_sessions()}
            assert sorted(by_shard) == [0, 1]
            assert all(s.shard_count == 2 for s in by_shard.values())
            assert by_shard[0].guild_ids == [guilds[0].id]
            assert by_shard[1].guild_ids == [guilds[1].id, guilds[2].id]
            for guild in guilds:
                seen = bot.get_guild(guild.id)
                assert seen is not None and seen.shard_id == (guild.id >> 22) % 2
            assert not any(r.path == "/gateway/bot" for r in fake.requests)

            # an interaction in a shard-1 guild is delivered on shard 1 only
            await bot.tree.sync()
            user = guilds[2].members[-1]
            inter = await fake.send_slash_command(
                guilds[2].id, guilds[2].channels[0].id, user, "ledger add", {"text": "s1"}
            )
            assert (await inter.wait_response()).content == "Added: s1"
            assert by_shard[1].events("INTERACTION_CREATE")
            assert not by_shard[0].events("INTERACTION_CREATE")
        fake.assert_clean()


async def test_autosharded_bot_uses_recommended_shard_count() -> None:
    guilds = [FakeGuild(name=f"g{shard}", id=snowflake_on_shard(shard, 3)) for shard in range(3)]
    async with (
        FakeDiscord(guilds=guilds, recommended_shards=3) as fake,
        fake.patched(),
        fake.run_bot(TinyShardedBot()) as bot,
    ):
        assert bot.shard_count == 3
        assert any(r.path == "/gateway/bot" for r in fake.requests)
        assert sorted(s.shard_id for s in fake.live_sessions()) == [0, 1, 2]
        assert {g.id for g in bot.guilds} == {g.id for g in guilds}
    fake.assert_clean()


async def test_autocomplete_and_modal(fake: FakeDiscord, world: World, bot: TinyBot) -> None:
    ac = await fake.send_autocomplete(
        world.guild.id, world.general.id, world.alice, "topic", focused="name", value="r"
    )
    cb = await ac.wait_response()
    assert cb.type == 8
    assert [c["value"] for c in cb.choices] == ["rates", "rail", "rents"]

    inter = await fake.send_slash_command(world.guild.id, world.general.id, world.alice, "note")
    cb = await inter.wait_response()
    assert cb.type == 9 and cb.modal is not None and cb.modal["title"] == "New note"
    submit = await fake.submit_modal(inter, {"tiny:note:text": "watch the bond market"})
    done = await submit.wait_response()
    assert done.type == 4 and done.content == "Noted: watch the bond market"


async def test_message_create_reaches_prefix_command(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    mark = len(fake.messages)
    await fake.send_message(world.general.id, world.bob, "no mention, content hidden")
    await fake.send_message(world.general.id, world.alice, f"{fake.bot_user.mention} hello")
    reply = await fake.wait_for_message(world.general.id, since=mark)
    assert reply.content == "Hello, alice!"
    assert reply.message_reference is not None and reply.type == 19
    assert reply.allowed_mentions is not None and reply.allowed_mentions["replied_user"] is False

    (session,) = fake.live_sessions()
    user_creates = [d for d in session.events("MESSAGE_CREATE") if not d["author"].get("bot")]
    # without the message content intent, Discord blanks content unless the bot is mentioned
    assert [d["content"] for d in user_creates] == ["", f"{fake.bot_user.mention} hello"]


async def test_dm_send_and_closed_dms(fake: FakeDiscord, world: World, bot: TinyBot) -> None:
    alice = await bot.fetch_user(world.alice.id)
    await alice.send("Your weekly digest is ready")
    (dm,) = fake.dm_messages(world.alice)
    assert dm.content == "Your weekly digest is ready" and dm.source == "dm"
    assert dm.guild_id is None

    fake.fail_dm(world.bob)
    bob = await bot.fetch_user(world.bob.id)
    with pytest.raises(discord.Forbidden) as excinfo:
        await bob.send("hi")
    assert excinfo.value.code == 50007


async def test_gateway_drop_resumes_and_replays(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    (session,) = fake.live_sessions()
    mark = len(fake.gateway_events)
    assert await fake.drop_connections() == 1
    # sent while the bot is reconnecting: buffered and replayed on RESUME
    inter = await fake.send_slash_command(
        world.guild.id, world.general.id, world.alice, "ledger add", {"text": "after drop"}
    )
    resumed = await fake.wait_for_gateway_event("resume", since=mark)
    assert resumed.session_id == session.id
    assert (await inter.wait_response()).content == "Added: after drop"
    assert fake.live_sessions() == [session]
    assert session.conn is not None and session.conn.path == "/gateway-resume"


async def test_reconnect_and_invalid_session_ops(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    (session,) = fake.live_sessions()
    mark = len(fake.gateway_events)
    assert await fake.request_reconnect() == 1  # op 7: client closes and RESUMEs
    assert (await fake.wait_for_gateway_event("resume", since=mark)).session_id == session.id

    mark = len(fake.gateway_events)
    ready_again = asyncio.create_task(bot.wait_for("ready", timeout=5))
    assert await fake.invalidate_sessions() == 1  # op 9 d=false: client re-IDENTIFYs
    await fake.wait_for_gateway_event("identify", since=mark)
    await ready_again  # don't close the bot while its guild_ready_timeout is pending
    (new_session,) = await fake.wait_until(lambda: fake.live_sessions() or None)
    assert new_session is not session and session.invalidated
    inter = await fake.send_slash_command(
        world.guild.id, world.general.id, world.alice, "ledger add", {"text": "fresh"}
    )
    assert (await inter.wait_response()).content == "Added: fresh"


async def test_runtime_overwrite_change_is_seen_by_both_sides(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    channel = bot.get_channel(world.general.id)
    me = channel.guild.me
    assert channel.permissions_for(me).send_messages
    world.general.overwrites.append(FakeOverwrite.role(world.guild.id, deny=Perm.SEND_MESSAGES))
    await fake.update_channel(world.general)
    await fake.wait_until(lambda: (not channel.permissions_for(me).send_messages) or None)
    with pytest.raises(discord.Forbidden):
        await channel.send("denied")


async def test_privileged_intents_and_bad_token(fake: FakeDiscord) -> None:
    fake.allowed_intents = 0  # the app has no privileged intents enabled
    intents = discord.Intents.default()
    intents.members = True
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with fake.run_bot(TinyBot(intents=intents)):
            pass
    with pytest.raises(discord.LoginFailure):
        async with fake.run_bot(TinyBot(), token="not-the-token"):
            pass


async def test_select_menus_and_context_menus(fake: FakeDiscord, world: World) -> None:
    class Picker(discord.ui.View):
        @discord.ui.select(
            custom_id="tiny:pick",
            max_values=2,
            options=[discord.SelectOption(label=t, value=t) for t in TOPICS],
        )
        async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
            await interaction.response.edit_message(content=f"Picked {select.values}", view=None)
            self.stop()  # bot.close() does not cancel a view's timeout task

    bot = TinyBot()

    @bot.tree.context_menu(name="Inspect")
    async def inspect(interaction: discord.Interaction, member: discord.Member) -> None:
        perms = member.guild_permissions
        await interaction.response.send_message(f"{member.name} mod={perms.manage_messages}")

    async with fake.run_bot(bot):
        await bot.tree.sync()
        sent = await bot.get_channel(world.general.id).send("Pick topics", view=Picker())
        picker = fake.get_message(sent.id)
        inter = await fake.select_menu(picker, "tiny:pick", ["rates", "rail"], world.bob)
        cb = await inter.wait_response()
        assert cb.type == 7 and cb.message is picker
        assert picker.content == "Picked ['rates', 'rail']" and picker.components == []
        assert picker.edits[-1].via == "interaction_update"

        inter = await fake.send_user_command(
            world.guild.id, world.general.id, world.bob, "Inspect", world.alice
        )
        assert (await inter.wait_response()).content == "alice mod=True"


async def test_unknown_endpoint_is_404_and_recorded(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    guild = bot.get_guild(world.guild.id)
    with pytest.raises(discord.NotFound):
        await guild.fetch_emojis()
    (req,) = fake.unhandled_requests
    assert (req.method, req.path) == ("GET", f"/guilds/{world.guild.id}/emojis")
    fake.unhandled_requests.clear()


async def test_late_interaction_response_is_unknown_interaction(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    errors: list[Exception] = []

    @bot.tree.command(name="slow", description="Responds too late")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.2)
        try:
            await interaction.response.send_message("too late")
        except discord.NotFound as exc:
            errors.append(exc)

    await bot.tree.sync()
    fake.interaction_deadline = 0.05
    inter = await fake.send_slash_command(world.guild.id, world.general.id, world.bob, "slow")
    await fake.wait_until(lambda: errors or None, what="the bot's failed callback")
    assert errors[0].code == 10062
    assert not inter.responded


async def test_network_guard_blocks_non_loopback(fake: FakeDiscord) -> None:
    with socket.socket() as sock, pytest.raises(BlockedConnection):
        sock.connect(("192.0.2.1", 9))  # TEST-NET-1: refused before any packet is sent
    assert fake.blocked_connections == ["192.0.2.1"]
    fake.blocked_connections.clear()


@pytest.mark.parametrize("compress", [None, "zlib-stream", "zstd-stream"])
async def test_raw_gateway_protocol(fake: FakeDiscord, world: World, compress: str | None) -> None:
    """Protocol-level check without discord.py: HELLO, IDENTIFY, heartbeat, RESUME."""
    if compress == "zstd-stream":
        if importlib.util.find_spec("zstandard") is None:
            pytest.skip("zstandard not installed")
        import zstandard

        decomp = zstandard.ZstdDecompressor().decompressobj()

        def decode(raw: bytes) -> bytes:
            return decomp.decompress(raw)

    elif compress == "zlib-stream":
        zctx = zlib.decompressobj()

        def decode(raw: bytes) -> bytes:
            assert raw.endswith(b"\x00\x00\xff\xff")  # one Z_SYNC_FLUSH per frame
            return zctx.decompress(raw)

    else:

        def decode(raw: bytes) -> bytes:
            return raw

    async def recv(ws: aiohttp.ClientWebSocketResponse) -> dict[str, object]:
        msg = await ws.receive(timeout=5)
        raw = msg.data if msg.type is aiohttp.WSMsgType.BINARY else msg.data.encode()
        return json.loads(decode(raw))

    query = {"v": "10", "encoding": "json"} | ({"compress": compress} if compress else {})
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(fake.gateway_url, params=query) as ws:
            hello = await recv(ws)
            assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
            await ws.send_json({"op": 1, "d": None})
            assert (await recv(ws))["op"] == 11
            await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 513}})
            ready = await recv(ws)
            assert (ready["t"], ready["s"]) == ("READY", 1)
            assert ready["d"]["resume_gateway_url"] == fake.resume_gateway_url
            assert ready["d"]["guilds"] == [{"id": str(world.guild.id), "unavailable": True}]
            assert ready["d"]["application"]["id"] == str(fake.application_id)
            guild_create = await recv(ws)
            assert (guild_create["t"], guild_create["s"]) == ("GUILD_CREATE", 2)
            session_id = ready["d"]["session_id"]
            await ws.close(code=4000)  # like discord.py; 1000/1001 would invalidate the session
        # resume on a new connection: missed dispatches are replayed, then RESUMED
        await fake.dispatch("TYPING_START", {"channel_id": "1"}, guild_id=world.guild.id)
        resume_url = fake.resume_gateway_url + "?v=10&encoding=json"
        async with http.ws_connect(resume_url) as ws:
            assert json.loads((await ws.receive(timeout=5)).data)["op"] == 10
            await ws.send_json(
                {"op": 6, "d": {"token": fake.token, "session_id": session_id, "seq": 2}}
            )
            replayed = json.loads((await ws.receive(timeout=5)).data)
            assert (replayed["t"], replayed["s"]) == ("TYPING_START", 3)
            resumed = json.loads((await ws.receive(timeout=5)).data)
            assert (resumed["t"], resumed["s"]) == ("RESUMED", 4)
        async with http.ws_connect(resume_url) as ws:
            await ws.receive(timeout=5)
            await ws.send_json({"op": 6, "d": {"token": fake.token, "session_id": "nope"}})
            assert json.loads((await ws.receive(timeout=5)).data) == {
                "op": 9,
                "d": False,
                "s": None,
                "t": None,
            }
        async with http.ws_connect(fake.gateway_url) as ws:
            await ws.receive(timeout=5)
            await ws.send_json({"op": 2, "d": {"token": "wrong"}})
            closing = await ws.receive(timeout=5)
            assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4004


async def test_a_repeated_nonce_returns_the_first_message_like_discord(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    general = bot.get_channel(world.general.id)
    first = await general.send("once", nonce="hs-same-nonce")
    again = await general.send("once, resent", nonce="hs-same-nonce")
    other = await general.send("another", nonce="hs-other-nonce")
    automatic = [await general.send("random nonce") for _ in range(2)]  # discord.py's own

    assert again.id == first.id and other.id != first.id
    assert automatic[0].id != automatic[1].id
    assert [m.content for m in fake.messages_in(world.general.id)] == [
        "once", "another", "random nonce", "random nonce",
    ]  # fmt: skip
    assert fake.nonce_repeats == [fake.get_message(first.id)]
    created = [r for r in fake.requests if r.method == "POST" and r.json.get("nonce")]
    assert all(r.json["enforce_nonce"] is True for r in created)
    assert created[0].response["nonce"] == "hs-same-nonce"
    # Like Discord, listing messages later does not return nonces.
    listed = [m async for m in general.history(limit=10)]
    assert [m.nonce for m in listed] == [None] * 4

    # Past the window (or with nonces not enforced) the same nonce creates a new message.
    fake.nonce_window = 0
    later = await general.send("once", nonce="hs-same-nonce")
    assert later.id != first.id


async def test_a_nonce_longer_than_discord_allows_is_refused(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    general = bot.get_channel(world.general.id)
    with pytest.raises(discord.HTTPException) as excinfo:
        await general.send("too long", nonce="x" * 26)
    assert excinfo.value.status == 400 and excinfo.value.code == 50035
    assert fake.messages_in(world.general.id) == []


async def test_a_held_message_exists_before_the_bot_hears_back(
    fake: FakeDiscord, world: World, bot: TinyBot
) -> None:
    general = bot.get_channel(world.general.id)
    hold = fake.hold_created_messages(world.general.id)
    sending = asyncio.create_task(general.send("held"))
    (held,) = await fake.wait_until(lambda: hold.held or None)
    await asyncio.sleep(0.05)
    assert held.content == "held" and not sending.done()
    hold.release()
    sent = await sending
    assert sent.id == held.id
    # Released holds catch nothing more.
    await general.send("free")
    assert hold.held == [held]
