"""What every cog shares: who is calling, how to answer, and the autocomplete sources."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.respond import send_reply
from digests.commands.handlers import Caller, Commands
from digests.commands.replies import Reply
from digests.errors import PermissionDenied
from digests.i18n import language_for, message

if TYPE_CHECKING:
    from bot.client import HindsightBot

MAX_CHOICES = 25


def caller_of(interaction: discord.Interaction) -> Caller:
    """The member, their server, what Discord says they may do in this channel, and their
    Discord language (replies and errors are written in it)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    permissions = interaction.permissions
    return Caller(
        guild_id=interaction.guild_id,
        user_id=interaction.user.id,
        is_moderator=permissions.manage_guild or permissions.administrator,
        can_manage_messages=permissions.manage_messages or permissions.administrator,
        language=language_for(interaction.locale),
        display_name=interaction.user.display_name,
    )


class HindsightCog(commands.Cog):
    """A cog translates: interaction → one command-layer call → rendered reply."""

    def __init__(self, bot: HindsightBot) -> None:
        self.bot = bot

    @property
    def handlers(self) -> Commands:
        """The transport-neutral command layer."""
        return self.bot.handlers

    async def answer(
        self,
        interaction: discord.Interaction,
        work: Awaitable[Reply],
        *,
        slow: bool = False,
        private: bool = False,
    ) -> None:
        """Run the command and send its reply; slow work is deferred first so Discord hears
        back within 3 seconds."""
        if slow:
            await interaction.response.defer(thinking=True, ephemeral=private)
        await send_reply(interaction, await work)


# --- autocomplete sources (module functions: app_commands.autocomplete binds them per option) --


def _handlers(interaction: discord.Interaction) -> Commands:
    return interaction.client.handlers  # type: ignore[attr-defined]


async def forecast_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """Forecasts of this server matching what was typed."""
    if interaction.guild_id is None:
        return []
    found = await _handlers(interaction).complete_forecasts(interaction.guild_id, current)
    return [app_commands.Choice(name=label[:100], value=value) for label, value in found][
        :MAX_CHOICES
    ]


async def post_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """Posts of this server matching what was typed."""
    if interaction.guild_id is None:
        return []
    found = await _handlers(interaction).complete_posts(interaction.guild_id, current)
    return [app_commands.Choice(name=label[:100], value=value) for label, value in found][
        :MAX_CHOICES
    ]


async def theme_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Themes of this server matching what was typed."""
    if interaction.guild_id is None:
        return []
    found = await _handlers(interaction).complete_themes(interaction.guild_id, current)
    return [app_commands.Choice(name=label[:100], value=label[:100]) for label in found][
        :MAX_CHOICES
    ]


async def source_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Sources and authors of this server's forecasts."""
    if interaction.guild_id is None:
        return []
    found = await _handlers(interaction).complete_sources(interaction.guild_id, current)
    return [app_commands.Choice(name=label[:100], value=label[:100]) for label in found][
        :MAX_CHOICES
    ]


POSTING_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "attach_files")


def require_postable(
    interaction: discord.Interaction,
    channel: discord.abc.GuildChannel | app_commands.AppCommandChannel,
) -> None:
    """Refuse, naming what is missing, a channel where the bot could not post what it schedules."""
    guild = interaction.guild
    target = guild.get_channel(channel.id) if guild else None
    if guild is None or target is None or guild.me is None:
        raise PermissionDenied(message("error.cannot_see_channel", channel=channel.mention))
    if not isinstance(target, discord.abc.Messageable):
        raise PermissionDenied(message("error.not_a_text_channel", channel=target.mention))
    granted = target.permissions_for(guild.me)
    missing = [name for name in POSTING_PERMISSIONS if not getattr(granted, name)]
    if missing:
        raise PermissionDenied(
            message(
                "error.cannot_post",
                channel=target.mention,
                permissions=[message(f"permission.{name}") for name in missing],
            )
        )
