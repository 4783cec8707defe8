"""Korean for every command, option and choice description, through discord.py's translator.

Names stay English (members type them); descriptions and choice labels show in the reader's
Discord language. The words live in the message catalog (`digests/i18n/<language>.toml`, table
`command`, keyed by the English source text), with every other message the bot shows.
"""

from __future__ import annotations

from discord import Locale, app_commands

from digests.i18n import messages

COMMAND_TABLE = "command."


class HindsightTranslator(app_commands.Translator):
    """English source strings → Korean; other locales fall back to English."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        """The Korean text for a description or choice label, or None."""
        if locale is not Locale.korean:
            return None  # English is the source text; other languages have no catalog yet
        if context.location in (
            app_commands.TranslationContextLocation.command_name,
            app_commands.TranslationContextLocation.group_name,
            app_commands.TranslationContextLocation.parameter_name,
        ):
            return None
        return messages("ko").get(COMMAND_TABLE + string.message)
