"""The Discord bot: resources open in setup_hook and close in close(); cogs do the talking."""

from __future__ import annotations

import logging
import threading
from collections.abc import Container
from typing import Any

import discord
from discord.ext import commands

from bot.cogs.base import caller_of
from bot.cogs.links import LinkIngestCog
from bot.cogs.predictions import PredictionsCog, RemindCog
from bot.cogs.reading import ReadingCog
from bot.cogs.schedules import DigestCog, FeedCog, IngestCog, SettingsCog
from bot.i18n import HindsightTranslator
from bot.render import DiscordFormatter
from bot.respond import HindsightTree, report_error, send_reply
from bot.transport import DiscordTransport
from bot.views import ForecastButton
from digests.analysis.kiwi import start_warm_up
from digests.analysis.pipeline import Analyzer
from digests.app import Services
from digests.clock import Clock
from digests.commands.handlers import Caller, Commands
from digests.i18n import language_for
from digests.ingest.fetch import HostResolver
from digests.scheduling.scheduler import Scheduler
from digests.settings import Settings
from digests.store.scope import ShardScope

logger = logging.getLogger(__name__)

COGS = (ReadingCog, PredictionsCog, RemindCog, DigestCog, FeedCog, IngestCog, SettingsCog)


class HindsightMixin:
    """What the plain and the sharded bot share."""

    settings: Settings
    services: Services
    handlers: Commands
    scheduler: Scheduler
    analysis_warm_up: threading.Thread  # loads Kiwi in the background from setup_hook

    def _init_hindsight(
        self,
        settings: Settings,
        clock: Clock | None,
        resolver: HostResolver | None,
        analyzer: Analyzer | None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._resolver = resolver
        self._analyzer = analyzer
        self._opened = False

    @property
    def guild_scope(self) -> Container[int] | None:
        """The guilds this process schedules for: all, or those of its configured shards."""
        if self.settings.discord_shard_ids and self.settings.discord_shard_count:
            return ShardScope(
                set(self.settings.discord_shard_ids), self.settings.discord_shard_count
            )
        return None

    async def setup_hook(self) -> None:
        """Open the store and services, add the cogs and buttons, sync, start the scheduler."""
        bot: Any = self
        self.services = await Services.open(
            self.settings, self._clock, resolver=self._resolver, analyzer=self._analyzer
        )
        self._opened = True
        # Kiwi takes seconds and ~330 MB to load: in the background now, not in the first /ingest.
        self.analysis_warm_up = start_warm_up()
        self.handlers = Commands(self.services, DiscordFormatter())
        await bot.tree.set_translator(HindsightTranslator())
        for cog in COGS:
            await bot.add_cog(cog(bot))
        if self.settings.discord_ingest_links:
            await bot.add_cog(LinkIngestCog(bot))
        bot.add_dynamic_items(ForecastButton)
        if self.settings.discord_sync_commands:
            await self.sync_commands()
        self.scheduler = self.services.scheduler(
            DiscordTransport(bot),
            lambda: self.guild_scope,  # type: ignore[arg-type,return-value]
        )
        await self.scheduler.start(catch_up=True)

    async def sync_commands(self) -> None:
        """To the development guilds when configured (instant), otherwise globally."""
        bot: Any = self
        if self.settings.discord_guild_ids:
            for guild_id in self.settings.discord_guild_ids:
                guild = discord.Object(guild_id)
                bot.tree.copy_global_to(guild=guild)
                await bot.tree.sync(guild=guild)
        else:
            await bot.tree.sync()

    async def on_ready(self) -> None:
        """Jobs are rebuilt from the database; doing it again on a reconnect is harmless."""
        await self.scheduler.rebuild()
        logger.info("ready as %s in %d guilds", getattr(self, "user", None), len(self.guilds))  # type: ignore[attr-defined]

    async def run_button(self, interaction: discord.Interaction, custom_id: str) -> None:
        """A reminder button: in a server as the member; in a DM, in the forecast's server."""
        try:
            if interaction.guild_id is not None:
                caller = caller_of(interaction)
            else:
                guild_id = await self.handlers.forecast_guild(custom_id)
                caller = Caller(
                    guild_id, interaction.user.id, language=language_for(interaction.locale)
                )
            await send_reply(interaction, await self.handlers.button(caller, custom_id))
        except Exception as error:  # the same funnel as slash commands
            await report_error(interaction, error)

    async def close(self) -> None:
        """Stop the scheduler, disconnect, then close the store."""
        scheduler = getattr(self, "scheduler", None)
        if scheduler is not None:
            await scheduler.shutdown()
        await super().close()  # type: ignore[misc]
        if self._opened:
            self._opened = False
            await self.services.close()


def _options(settings: Settings, options: dict[str, Any]) -> dict[str, Any]:
    intents = discord.Intents.default()
    # Privileged: only asked for when link ingestion is switched on.
    intents.message_content = settings.discord_ingest_links
    options.setdefault("intents", intents)
    options.setdefault("allowed_mentions", discord.AllowedMentions.none())
    options.setdefault("command_prefix", commands.when_mentioned)
    options.setdefault("help_command", None)
    options.setdefault("tree_cls", HindsightTree)
    return options


class HindsightBot(HindsightMixin, commands.Bot):
    """One connection (up to ~2,500 servers)."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        resolver: HostResolver | None = None,
        analyzer: Analyzer | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**_options(settings, options))
        self._init_hindsight(settings, clock, resolver, analyzer)


class ShardedHindsightBot(HindsightMixin, commands.AutoShardedBot):
    """Several shards in one process; with DISCORD_SHARD_IDS, only those shards."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        resolver: HostResolver | None = None,
        analyzer: Analyzer | None = None,
        **options: Any,
    ) -> None:
        if settings.discord_shard_count:
            options.setdefault("shard_count", settings.discord_shard_count)
        if settings.discord_shard_ids:
            options.setdefault("shard_ids", list(settings.discord_shard_ids))
        super().__init__(**_options(settings, options))
        self._init_hindsight(settings, clock, resolver, analyzer)


def create_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    resolver: HostResolver | None = None,
    analyzer: Analyzer | None = None,
    **options: Any,
) -> commands.Bot:
    """The configured bot, not connected; sharded when the settings ask for shards."""
    sharded = settings.discord_shard_count is not None or bool(settings.discord_shard_ids)
    cls = ShardedHindsightBot if sharded else HindsightBot
    return cls(settings, clock=clock, resolver=resolver, analyzer=analyzer, **options)
