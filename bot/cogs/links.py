"""Optional: store links members post in chosen channels (needs the message content intent)."""

from __future__ import annotations

import logging
import re

import discord
from discord.ext import commands

from bot.cogs.base import HindsightCog
from digests.commands.handlers import Caller
from digests.errors import HindsightError

logger = logging.getLogger(__name__)
_LINK = re.compile(r"https?://[^\s<>()\"']+")
MAX_LINKS_PER_MESSAGE = 3
STORED_REACTION = "📥"


class LinkIngestCog(HindsightCog):
    """Reads links posted in the configured channels and stores their posts."""

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A link in a watched channel is fetched and stored; a 📥 reaction says it was."""
        if message.author.bot or message.guild is None:
            return
        if message.channel.id not in self.bot.settings.discord_ingest_channel_ids:
            return
        links = list(dict.fromkeys(_LINK.findall(message.content)))[:MAX_LINKS_PER_MESSAGE]
        # The channel was chosen by the server's moderators, so posting there is the consent.
        caller = Caller(message.guild.id, message.author.id, can_manage_messages=True)
        for link in links:
            try:
                reply = await self.handlers.ingest_url(caller, link.rstrip(".,;:!?"))
            except HindsightError as error:
                logger.info("link %s from message %s not stored: %s", link, message.id, error)
                continue
            if reply.tone == "success":
                try:
                    await message.add_reaction(STORED_REACTION)
                except discord.HTTPException:
                    logger.info("could not react to message %s", message.id)
