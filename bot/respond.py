"""Answering interactions: replies as messages, and the one funnel every error goes through."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.render import allowed_mentions, button_view, pack_messages
from bot.views import Pages
from digests.commands.replies import Reply
from digests.errors import HindsightError
from digests.i18n import catalog, language_for

logger = logging.getLogger(__name__)

APOLOGY = catalog("en")("error.apology")
_PERMISSION_NAMES = {
    "manage_guild": "Manage Server",
    "manage_messages": "Manage Messages",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "view_channel": "View Channel",
}


def permission_names(names: list[str], language: object = "en") -> str:
    """Discord's own names for permissions, as members see them in the server settings (in
    their language where the catalog's `permission` table has the name)."""
    words = catalog(language)
    return ", ".join(
        words.get(f"permission.{name}")
        or _PERMISSION_NAMES.get(name, name.replace("_", " ").title())
        for name in names
    )


async def _send(interaction: discord.Interaction, ephemeral: bool, **kwargs: Any) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


async def send_reply(interaction: discord.Interaction, reply: Reply) -> None:
    """Answer with the reply: pages get ◀ ▶, long text continues in further messages."""
    mentions = allowed_mentions(reply)
    if reply.pages:
        pages = Pages([reply, *reply.pages], interaction.user.id)
        first = pack_messages(reply)[0]
        await _send(
            interaction,
            reply.ephemeral,
            content=first.content or discord.utils.MISSING,
            embeds=pages.embeds(),
            files=first.files(),
            view=pages,
            allowed_mentions=mentions,
        )
        return
    for message in pack_messages(reply):
        view = button_view(message.buttons)
        await _send(
            interaction,
            reply.ephemeral,
            content=message.content or discord.utils.MISSING,
            embeds=message.embeds,
            files=message.files(),
            view=view or discord.utils.MISSING,
            allowed_mentions=mentions,
        )


def user_message(error: BaseException, language: object = "en") -> str | None:
    """What to tell the member about an error (in their language), or None when it is our bug."""
    words = catalog(language)
    if isinstance(error, app_commands.TransformerError):
        kind = error.type.name.lower().replace("_", " ")
        return words("error.invalid_value", value=repr(error.value), kind=kind)
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, HindsightError):
        return error.message_in(words.language)
    if isinstance(error, app_commands.MissingPermissions):
        names = permission_names(error.missing_permissions, words.language)
        return words("error.member_lacks_permission", permissions=names)
    if isinstance(error, app_commands.BotMissingPermissions):
        names = permission_names(error.missing_permissions, words.language)
        return words("error.bot_lacks_permission", permissions=names)
    if isinstance(error, app_commands.NoPrivateMessage):
        return words("error.server_only")
    if isinstance(error, app_commands.CommandOnCooldown):
        return words("error.cooldown", seconds=f"{error.retry_after:.0f}")
    if isinstance(error, app_commands.CheckFailure):
        return words("error.not_here")
    return None


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one error funnel: domain errors become a private message; anything else is logged
    with its traceback and answered with a short apology."""
    language = language_for(interaction.locale)
    text = user_message(error, language)
    if text is None:
        command = interaction.command.qualified_name if interaction.command else "component"
        original = getattr(error, "original", error)
        logger.error(
            "interaction %s (%s) failed",
            interaction.id,
            command,
            exc_info=(type(original), original, original.__traceback__),
        )
        text = catalog(language)("error.apology")
    try:
        await _send(
            interaction,
            True,
            content=f"⚠️ {text}",
            allowed_mentions=discord.AllowedMentions.none(),
        )
    except discord.HTTPException:
        logger.warning("could not tell interaction %s about its error", interaction.id)


class HindsightTree(app_commands.CommandTree):
    """The command tree whose on_error is the funnel."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Every slash-command error ends here."""
        await report_error(interaction, error)
