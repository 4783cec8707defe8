"""Delivering outbox messages to Discord channels and DMs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.render import allowed_mentions, button_view, pack_messages
from digests.reminders.outbox import DeliveryFailed, DeliveryRefused
from digests.store.outbox import OutboxMessage

if TYPE_CHECKING:
    from bot.client import HindsightBot

logger = logging.getLogger(__name__)
REFUSING_STATUSES = {400, 403, 404}


class DiscordTransport:
    """Sends one outbox message; tells retryable trouble from a destination that refuses us."""

    def __init__(self, bot: HindsightBot) -> None:
        self.bot = bot

    async def _destination(self, message: OutboxMessage) -> discord.abc.Messageable:
        if message.destination == "user":
            assert message.destination_id is not None
            user = self.bot.get_user(message.destination_id) or await self.bot.fetch_user(
                message.destination_id
            )
            return user.dm_channel or await user.create_dm()
        if message.destination_id is None:
            raise DeliveryRefused(
                "no reminder channel is set: a moderator can choose one with"
                " /settings reminder_channel"
            )
        channel = self.bot.get_channel(message.destination_id)
        if isinstance(channel, discord.abc.Messageable):
            return channel
        return self.bot.get_partial_messageable(message.destination_id, guild_id=message.guild_id)

    async def deliver(self, message: OutboxMessage) -> None:
        """Send the message (split over several Discord messages when long)."""
        reply = await self.bot.handlers.render_delivery(message.kind, message.payload, message.late)
        mentions = allowed_mentions(reply)
        try:
            destination = await self._destination(message)
            for part in pack_messages(reply):
                await destination.send(
                    content=part.content,
                    embeds=part.embeds,
                    files=part.files(),
                    view=button_view(part.buttons) or discord.utils.MISSING,
                    allowed_mentions=mentions,
                )
        except DeliveryRefused:
            raise
        except discord.HTTPException as error:
            if error.status in REFUSING_STATUSES:
                raise DeliveryRefused(
                    f"Discord refused to deliver ({error.status}): {error.text or error}"
                ) from error
            raise DeliveryFailed(f"Discord error {error.status}: {error.text or error}") from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise DeliveryFailed(f"network trouble: {error}") from error
