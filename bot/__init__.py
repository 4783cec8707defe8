"""Hindsight front ends: the Discord bot and the terminal shell.

`create_bot(settings)` builds the Discord bot without connecting; importing this package has
no side effects (discord.py is imported only when a bot is created).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from discord.ext import commands

    from digests.settings import Settings


def create_bot(settings: Settings, **options: Any) -> commands.Bot:
    """The configured Discord bot (not connected). Options: clock, resolver, analyzer and any
    discord.py client option."""
    from bot.client import create_bot as build

    return build(settings, **options)


__all__ = ["create_bot"]
