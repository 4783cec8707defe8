"""Buttons: the persistent ones under reminders, and page turners under long lists."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.render import pack_messages
from digests.commands.replies import Reply
from digests.i18n import catalog, language_for

if TYPE_CHECKING:
    from bot.client import HindsightBot

PAGE_TIMEOUT_SECONDS = 600


class ForecastButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"hs:(?P<action>vote|snooze|remind):(?P<forecast>\d+)(?::(?P<argument>[a-z]+))?",
):
    """Any reminder button, recognised by its custom id alone: it works after a restart and
    for messages sent by an earlier process."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="…", custom_id=custom_id))
        self.custom_id = custom_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
    ) -> ForecastButton:
        """Rebuild the button from the id Discord sends back."""
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Hand the click to the command layer."""
        bot: HindsightBot = interaction.client  # type: ignore[assignment]
        await bot.run_button(interaction, self.custom_id)


class Pages(discord.ui.View):
    """◀ ▶ under a paginated list; only the member who asked can turn its pages."""

    def __init__(self, pages: list[Reply], owner_id: int) -> None:
        super().__init__(timeout=PAGE_TIMEOUT_SECONDS)
        self.pages = pages
        self.owner_id = owner_id
        self.index = 0
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    def embeds(self) -> list[discord.Embed]:
        """The current page's embeds."""
        return pack_messages(self.pages[self.index])[0].embeds

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Others get a short private note instead of turning someone else's pages."""
        if interaction.user.id == self.owner_id:
            return True
        words = catalog(language_for(interaction.locale))
        await interaction.response.send_message(words("reply.not_your_pages"), ephemeral=True)
        return False

    async def _show(self, interaction: discord.Interaction, step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync_buttons()
        await interaction.response.edit_message(embeds=self.embeds(), view=self)

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        """Previous page."""
        await self._show(interaction, -1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Any]) -> None:
        """Next page."""
        await self._show(interaction, 1)
