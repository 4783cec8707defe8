"""A local fake Discord (gateway websocket + REST API on 127.0.0.1) for end-to-end tests.

An unmodified discord.py 2.7 ``commands.Bot``/``AutoShardedBot`` connects to it::

    from tests.fakediscord import FakeChannel, FakeDiscord, FakeGuild, FakeMember, FakeUser

    alice = FakeMember(FakeUser("alice"))
    guild = FakeGuild(name="Test", channels=[FakeChannel(name="general")], members=[alice])

    async with FakeDiscord(guilds=[guild]) as fake, fake.patched():
        async with fake.run_bot(MyBot()) as bot:
            await bot.tree.sync()
            inter = await fake.send_slash_command(guild.id, guild.channel("general").id,
                                                  alice, "ledger add", {"text": "hi"})
            cb = await inter.wait_response()
            assert cb.message.content == "Added: hi"

See :class:`FakeDiscord` for the full API.
"""

from .gateway import GatewaySession, Intent
from .interactions import FakeAttachmentOption, FakeInteraction, OptionType
from .models import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeOverwrite,
    FakeRole,
    FakeUser,
    Perm,
    compute_permissions,
    new_snowflake,
    snowflake_on_shard,
)
from .netguard import BlockedConnection, guard_network, is_loopback
from .records import (
    EPHEMERAL,
    GatewayEvent,
    InteractionCallback,
    MessageEdit,
    RecordedAttachment,
    RecordedMessage,
    RecordedRequest,
)
from .server import CreatedMessageHold, FakeDiscord, InjectedFailure

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "EPHEMERAL",
    "BlockedConnection",
    "CreatedMessageHold",
    "FakeAttachmentOption",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMember",
    "FakeOverwrite",
    "FakeRole",
    "FakeUser",
    "GatewayEvent",
    "GatewaySession",
    "InjectedFailure",
    "Intent",
    "InteractionCallback",
    "MessageEdit",
    "OptionType",
    "Perm",
    "RecordedAttachment",
    "RecordedMessage",
    "RecordedRequest",
    "compute_permissions",
    "guard_network",
    "is_loopback",
    "new_snowflake",
    "snowflake_on_shard",
]
