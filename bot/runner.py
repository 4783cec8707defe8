"""`python -m bot` with a token: connect, run until stopped, explain what went wrong if not."""

from __future__ import annotations

import logging

import discord

from bot.client import create_bot
from digests.settings import Settings

logger = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> int:
    """Run the Discord bot until it is stopped; the process exit code."""
    assert settings.discord_token is not None
    bot = create_bot(settings)
    try:
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())
    except discord.LoginFailure:
        logger.error("Discord refused the token: check DISCORD_TOKEN (Bot → Reset Token).")
        return 2
    except discord.PrivilegedIntentsRequired:
        logger.error(
            "DISCORD_INGEST_LINKS needs the Message Content intent: enable it under Bot →"
            " Privileged Gateway Intents in the developer portal, or turn link ingestion off."
        )
        return 2
    return 0
