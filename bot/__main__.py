"""`python -m bot`: the Discord bot, or `--console` for the terminal front end."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from digests.dates import parse_instant
from digests.errors import DatabaseUnavailable, InputError
from digests.settings import load_settings

SETUP_HELP = """No DISCORD_TOKEN is set, so the Discord bot cannot start.

To run Hindsight on Discord:
  1. Open https://discord.com/developers/applications and create an application.
  2. Under "Bot", reset and copy the token; put it in .env as DISCORD_TOKEN=...
     No privileged intents are needed (Message Content only for DISCORD_INGEST_LINKS).
  3. Under "OAuth2 → URL Generator", tick the scopes "bot" and "applications.commands" and the
     permissions View Channels, Send Messages, Embed Links, Attach Files, Read Message History
     and Add Reactions (permissions integer 117824); open the generated link to invite the bot.
  4. Run: python -m bot

Meanwhile, the terminal front end works without Discord: python -m bot --console"""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--console", action="store_true", help="run the terminal front end")
    parser.add_argument(
        "--guild", type=int, help="guild id the console acts in (default from settings)"
    )
    parser.add_argument(
        "--clock",
        help="start a manual clock at this ISO time with a UTC offset, e.g."
        " 2025-12-15T09:00:00Z (scripted console sessions)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="folder for charts and exports"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except InputError as error:
        sys.exit(f"error: {error.user_message}")
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.console:
        from bot.console import quiet_libraries, run_console

        quiet_libraries(settings.log_level)

        start = None
        if args.clock is not None:
            try:
                start = parse_instant(args.clock, subject="--clock")
            except InputError as error:
                parser.error(error.user_message)
        sys.exit(
            _until_done(
                run_console(settings, guild_id=args.guild, clock_start=start, out_dir=args.out)
            )
        )
    if settings.discord_token is None:
        print(SETUP_HELP)
        sys.exit(2)
    from bot.runner import run_bot

    sys.exit(_until_done(run_bot(settings)))


def _until_done(main: Coroutine[Any, Any, int]) -> int:
    """Run a front end; a database it cannot reach at start is one clear line, not a traceback."""
    try:
        return asyncio.run(main)
    except DatabaseUnavailable as error:
        sys.exit(f"error: {error.user_message}")


if __name__ == "__main__":
    main()
