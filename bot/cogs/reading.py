"""/summary, /quote, /themes, /scoreboard, /export: reading what the server follows."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

from bot.cogs.base import HindsightCog, caller_of, post_choices, theme_choices

DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024  # a server without boosts

Days = app_commands.Range[int, 1, 366]


class ReadingCog(HindsightCog):
    """Summaries, quotes, themes and the track record."""

    @app_commands.command(name="summary")
    @app_commands.guild_only()
    @app_commands.describe(
        post="One post to summarise",
        theme="Summarise the posts about this theme",
        days="How many days back to look (default 7)",
    )
    @app_commands.autocomplete(post=post_choices, theme=theme_choices)
    async def summary(
        self,
        interaction: discord.Interaction,
        post: int | None = None,
        theme: str | None = None,
        days: Days | None = None,
    ) -> None:
        """Summary of one post, one theme, or the recent period."""
        caller = caller_of(interaction)
        await self.answer(
            interaction, self.handlers.summary(caller, post, theme, days), slow=post is None
        )

    @app_commands.command(name="quote")
    @app_commands.guild_only()
    @app_commands.describe(
        theme="Only quotes from posts about this theme",
        speaker="Only quotes by this person",
        query="Words the quote contains",
    )
    @app_commands.autocomplete(theme=theme_choices)
    async def quote(
        self,
        interaction: discord.Interaction,
        theme: str | None = None,
        speaker: str | None = None,
        query: str | None = None,
    ) -> None:
        """A notable quote with its speaker, source and link."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.quote(caller, theme, speaker, query))

    @app_commands.command(name="themes")
    @app_commands.guild_only()
    @app_commands.describe(days="How many days back to look (default 7)")
    async def themes(self, interaction: discord.Interaction, days: Days = 7) -> None:
        """Trending themes with counts and change, chart attached."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.themes(caller, days), slow=True)

    @app_commands.command(name="scoreboard")
    @app_commands.guild_only()
    @app_commands.describe(by="Group the track record by source, author or speaker")
    async def scoreboard(
        self,
        interaction: discord.Interaction,
        by: Literal["source", "author", "speaker"] = "source",
    ) -> None:
        """Track record: resolved forecasts, share correct and Brier score."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.scoreboard(caller, by))

    @app_commands.command(name="export")
    @app_commands.guild_only()
    async def export(self, interaction: discord.Interaction) -> None:
        """This server's forecasts as CSV and JSON files."""
        caller = caller_of(interaction)
        # Discord refuses files above the server's limit (10 MiB unless boosted).
        limit = interaction.guild.filesize_limit if interaction.guild else DEFAULT_UPLOAD_LIMIT
        await self.answer(
            interaction, self.handlers.export(caller, upload_limit=limit), slow=True, private=True
        )
