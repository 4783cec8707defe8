"""The real Hindsight bot in a process of its own, pointed at a fake Discord: for tests that
kill it (SIGKILL) at a chosen moment and start it again on the same database.

    python -m tests.support.bot_process API_BASE GATEWAY_URL

Settings come from the environment only (DATABASE_URL, DISCORD_TOKEN, …; no `.env`). The bot
runs exactly as `python -m bot` does — the scheduler starts in `setup_hook`, recovers what a
previous process left, sweeps and drains the outbox — until it is killed.
"""

from __future__ import annotations

import asyncio
import sys

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.client import create_bot
from digests.settings import Settings


async def run(api_base: str, gateway_url: str) -> None:
    """Point discord.py at the fake, then run the bot until the process ends."""
    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.discord_token is not None, "set DISCORD_TOKEN to the fake's token"
    bot = create_bot(settings, guild_ready_timeout=0.05)
    async with bot:
        await bot.start(settings.discord_token.get_secret_value())


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], sys.argv[2]))
