"""Delivering outbox messages to Discord channels and DMs, each at most once.

Every Discord message sent from the outbox carries a nonce derived from its outbox batch key
(`Delivery.nonce`); discord.py sends it with `enforce_nonce`, so Discord answers a repeat of the
same message within its nonce window (a few minutes) with the message it already created.
A delivery that may have gone out without being confirmed (`Delivery.unconfirmed`: the process
stopped between sending and marking it sent) is first looked for among the destination's recent
messages — which also covers a restart long after Discord's window — and only the parts not
found there are sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.render import OutgoingMessage, allowed_mentions, button_view, pack_messages
from digests.i18n import message as catalog_message
from digests.reminders.outbox import Delivery, DeliveryFailed, DeliveryRefused

if TYPE_CHECKING:
    from bot.client import HindsightBot

logger = logging.getLogger(__name__)
REFUSING_STATUSES = {400, 403, 404}
# How many of a destination's latest messages are searched for an unconfirmed send. The bot
# stops at most one message short of marking it sent, so its message is among the latest
# unless the channel is very busy; Discord's nonce check covers the first minutes regardless.
RECENT_MESSAGES = 50

Fingerprint = tuple[str, tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...], tuple[str, ...]]


def _fingerprint(
    content: str | None, embeds: Sequence[discord.Embed], custom_ids: Sequence[str]
) -> Fingerprint:
    """What identifies a message the bot sent: its text, embeds and buttons (Discord keeps a
    nonce only for a few minutes, and does not return it when listing messages)."""
    return (
        (content or "").strip(),
        tuple(
            (
                (embed.title or "").strip(),
                (embed.description or "").strip(),
                tuple((field.name or "", (field.value or "").strip()) for field in embed.fields),
            )
            for embed in embeds
        ),
        tuple(custom_ids),
    )


def outgoing_fingerprint(part: OutgoingMessage) -> Fingerprint:
    """The fingerprint of a message about to be sent."""
    return _fingerprint(part.content, part.embeds, [button.custom_id for button in part.buttons])


def message_fingerprint(message: discord.Message) -> Fingerprint:
    """The fingerprint of a message read back from Discord."""
    custom_ids = [
        custom_id
        for row in message.components
        for child in getattr(row, "children", [row])
        if (custom_id := getattr(child, "custom_id", None))
    ]
    return _fingerprint(message.content, message.embeds, custom_ids)


class DiscordTransport:
    """Sends one outbox delivery; tells retryable trouble from a destination that refuses us."""

    def __init__(self, bot: HindsightBot) -> None:
        self.bot = bot

    async def _destination(self, delivery: Delivery) -> discord.abc.Messageable:
        if delivery.destination == "user":
            assert delivery.destination_id is not None
            user = self.bot.get_user(delivery.destination_id) or await self.bot.fetch_user(
                delivery.destination_id
            )
            return user.dm_channel or await user.create_dm()
        if delivery.destination_id is None:
            raise DeliveryRefused(catalog_message("delivery_error.no_channel"))
        channel = self.bot.get_channel(delivery.destination_id)
        if isinstance(channel, discord.abc.Messageable):
            return channel
        return self.bot.get_partial_messageable(delivery.destination_id, guild_id=delivery.guild_id)

    async def already_posted(
        self,
        destination: discord.abc.Messageable,
        delivery: Delivery,
        parts: Sequence[OutgoingMessage],
    ) -> set[int]:
        """Which parts of an unconfirmed delivery are among the destination's latest messages
        by the bot (matched by nonce when Discord returns it, else by content)."""
        me = self.bot.user
        try:
            recent = [
                message
                async for message in destination.history(limit=RECENT_MESSAGES)
                if me is not None and message.author.id == me.id
            ]
        except discord.HTTPException as error:
            # Without Read Message History the check cannot be made; the nonce still keeps a
            # resend within Discord's window from creating a second message.
            logger.warning(
                "guild %s: could not read recent messages to confirm outbox %s (%s); resending"
                " under the same nonce",
                delivery.guild_id,
                delivery.ids,
                error.status,
            )
            return set()
        posted: set[int] = set()
        for index, part in enumerate(parts):
            nonce = delivery.nonce(index)
            wanted = outgoing_fingerprint(part)
            for message in recent:
                if str(message.nonce) == nonce or message_fingerprint(message) == wanted:
                    posted.add(index)
                    recent.remove(message)
                    break
        return posted

    async def deliver(self, delivery: Delivery) -> None:
        """Send the delivery (split over several Discord messages when long), each part under
        its own nonce; an unconfirmed one only where it is not found already."""
        reply = await self.bot.handlers.render_outgoing(delivery)
        mentions = allowed_mentions(reply)
        parts = pack_messages(reply)
        sent_any = False
        try:
            destination = await self._destination(delivery)
            posted = (
                await self.already_posted(destination, delivery, parts)
                if delivery.unconfirmed
                else set()
            )
            if posted:
                logger.info(
                    "outbox %s: %d of %d message(s) had gone out before; not sent again",
                    delivery.ids,
                    len(posted),
                    len(parts),
                )
            for index, part in enumerate(parts):
                if index in posted:
                    continue
                await destination.send(
                    content=part.content,
                    embeds=part.embeds,
                    files=part.files(),
                    view=button_view(part.buttons) or discord.utils.MISSING,
                    allowed_mentions=mentions,
                    nonce=delivery.nonce(index),
                )
                sent_any = True
        except DeliveryRefused:
            raise
        except discord.HTTPException as error:
            if error.status in REFUSING_STATUSES:
                raise DeliveryRefused(
                    catalog_message(
                        "delivery_error.refused",
                        status=error.status,
                        detail=error.text or str(error),
                    )
                ) from error
            # A server error may come after Discord created the message.
            raise DeliveryFailed(
                f"Discord error {error.status}: {error.text or error}",
                unconfirmed=sent_any or error.status >= 500,
            ) from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            # The request may have reached Discord before the connection failed.
            raise DeliveryFailed(f"network trouble: {error}", unconfirmed=True) from error
