"""/digest …, /feed …, /ingest …, /settings …: what moderators configure."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

from bot.cogs.base import HindsightCog, caller_of, post_choices, require_postable
from digests.errors import InputError
from digests.i18n import message

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "daily"]


class DigestCog(HindsightCog):
    """Digests now and on a schedule."""

    digest = app_commands.Group(
        name="digest", description="Digests of the posts this server follows", guild_only=True
    )

    @digest.command(name="now")
    @app_commands.describe(days="How many days the digest covers (default 7)")
    async def now(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 366] | None = None
    ) -> None:
        """A digest of the last days, right now."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.digest_now(caller, days), slow=True)

    @digest.command(name="schedule")
    @app_commands.describe(
        channel="Where to post the digest",
        weekday="Which day (or daily)",
        time="Local time, HH:MM (default 09:00)",
        timezone="IANA timezone such as Asia/Seoul (default: the server's)",
    )
    async def schedule(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        weekday: Weekday = "mon",
        time: app_commands.Range[str, 4, 5] = "09:00",
        timezone: str | None = None,
    ) -> None:
        """Post a digest to a channel on a schedule (Manage Server)."""
        caller = caller_of(interaction)
        if caller.is_moderator:
            require_postable(interaction, channel)
        await self.answer(
            interaction,
            self.handlers.digest_schedule(caller, channel.id, weekday, time, timezone),
        )

    @digest.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """When the next digest comes, and why it is paused if it is."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.digest_status(caller))

    @digest.command(name="off")
    async def off(self, interaction: discord.Interaction) -> None:
        """Stop scheduled digests (Manage Server)."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.digest_off(caller))


class FeedCog(HindsightCog):
    """RSS/Atom feeds the server follows."""

    feed = app_commands.Group(
        name="feed",
        description="RSS and Atom feeds this server follows",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @feed.command(name="add")
    @app_commands.checks.has_permissions(manage_guild=True)
    @app_commands.describe(
        url="The feed's address", channel="Announce new entries in this channel (optional)"
    )
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 8, 2000],
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Follow a feed; new entries are stored and can be announced (Manage Server)."""
        caller = caller_of(interaction)
        if channel is not None and caller.is_moderator:
            require_postable(interaction, channel)
        await self.answer(
            interaction,
            self.handlers.feed_add(caller, url, channel.id if channel else None),
            slow=True,
        )

    @feed.command(name="list")
    async def list_(self, interaction: discord.Interaction) -> None:
        """Feeds this server follows, with their state."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.feed_list(caller))

    @feed.command(name="remove")
    @app_commands.describe(id="The feed's number (from /feed list)")
    async def remove(self, interaction: discord.Interaction, id: int) -> None:
        """Stop following a feed (Manage Server)."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.feed_remove(caller, id))

    @feed.command(name="enable")
    @app_commands.describe(id="The feed's number (from /feed list)")
    async def enable(self, interaction: discord.Interaction, id: int) -> None:
        """Resume a disabled or failing feed (Manage Server)."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.feed_enable(caller, id))

    @feed.command(name="channel")
    @app_commands.describe(
        id="The feed's number (from /feed list)",
        channel="Announce new entries here (leave empty to stop announcing)",
    )
    async def channel(
        self,
        interaction: discord.Interaction,
        id: int,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Where a feed's new entries are announced (Manage Server)."""
        caller = caller_of(interaction)
        if channel is not None and caller.is_moderator:
            require_postable(interaction, channel)
        await self.answer(
            interaction, self.handlers.feed_channel(caller, id, channel.id if channel else None)
        )


class IngestCog(HindsightCog):
    """Adding posts by hand."""

    ingest = app_commands.Group(
        name="ingest",
        description="Add a post for Hindsight to read",
        guild_only=True,
        default_permissions=discord.Permissions(manage_messages=True),
    )

    @ingest.command(name="url")
    @app_commands.checks.has_permissions(manage_messages=True)
    @app_commands.describe(url="A link to an article, a blog post or a feed")
    async def url(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 8, 2000]
    ) -> None:
        """Store a post (or a feed's entries) from a link (Manage Messages)."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.ingest_url(caller, url), slow=True)

    @ingest.command(name="text")
    @app_commands.checks.has_permissions(manage_messages=True)
    @app_commands.describe(text="The post's text", title="A title for it")
    async def text(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 6000],
        title: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        """Store pasted text as a post (Manage Messages)."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.ingest_text(caller, text, title), slow=True)

    @ingest.command(name="date")
    @app_commands.checks.has_permissions(manage_messages=True)
    @app_commands.describe(
        post="The post whose date to set", date="When it was written, YYYY-MM-DD"
    )
    @app_commands.autocomplete(post=post_choices)
    async def date(
        self,
        interaction: discord.Interaction,
        post: int,
        date: app_commands.Range[str, 1, 20],
    ) -> None:
        """Set a post's date; its forecasts are re-dated and their reminders move (Manage Messages)."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.posts_date(caller, post, date), slow=True)

    @ingest.command(name="file")
    @app_commands.checks.has_permissions(manage_messages=True)
    @app_commands.describe(file="A .txt, .md or .html file")
    async def file(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        """Store an attached text, Markdown or HTML file (Manage Messages)."""
        caller = caller_of(interaction)
        limit = self.bot.settings.max_document_bytes
        if file.size > limit:
            raise InputError(
                file.filename,
                message("ingest_error.too_many_bytes", size=f"{file.size:,}", limit=f"{limit:,}"),
            )
        await interaction.response.defer(thinking=True)
        data = await file.read()
        await self.answer(interaction, self.handlers.ingest_file(caller, file.filename, data))


class SettingsCog(HindsightCog):
    """Server settings."""

    settings = app_commands.Group(
        name="settings",
        description="Hindsight's settings for this server",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @settings.command(name="timezone")
    @app_commands.describe(timezone="IANA timezone such as Asia/Seoul or America/New_York")
    async def timezone(self, interaction: discord.Interaction, timezone: str) -> None:
        """The server's timezone for digests and due dates (Manage Server)."""
        caller = caller_of(interaction)
        # Slow: the server's forecasts move to the new timezone's midnights.
        await self.answer(
            interaction, self.handlers.settings_timezone(caller, timezone), slow=True, private=True
        )

    @settings.command(name="reminder_channel")
    @app_commands.describe(channel="Where due-date reminders are posted")
    async def reminder_channel(
        self, interaction: discord.Interaction, channel: discord.TextChannel
    ) -> None:
        """Where due-date reminders are posted (Manage Server)."""
        caller = caller_of(interaction)
        if caller.is_moderator:
            require_postable(interaction, channel)
        await self.answer(interaction, self.handlers.settings_reminder_channel(caller, channel.id))

    @settings.command(name="reminder_role")
    @app_commands.describe(role="A role pinged with every reminder (leave empty for none)")
    async def reminder_role(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        """A role pinged with every reminder (Manage Server)."""
        caller = caller_of(interaction)
        await self.answer(
            interaction, self.handlers.settings_reminder_role(caller, role.id if role else None)
        )

    @settings.command(name="language")
    @app_commands.describe(language="Language of digests and reminders")
    async def language(
        self, interaction: discord.Interaction, language: Literal["en", "ko"]
    ) -> None:
        """The server's language for digests (Manage Server)."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.settings_language(caller, language))

    @settings.command(name="reminder_grouping")
    @app_commands.describe(
        grouping="grouped: one message for the forecasts coming due together; single: one each"
    )
    async def reminder_grouping(
        self, interaction: discord.Interaction, grouping: Literal["grouped", "single"]
    ) -> None:
        """One reminder message per channel for forecasts due together, or one per forecast."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.settings_reminder_grouping(caller, grouping))
