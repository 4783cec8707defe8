"""Every command, option and choice description the bot registers has its Korean text."""

from __future__ import annotations

from typing import Any

from discord import Locale, app_commands

from bot.client import COGS
from bot.i18n import HindsightTranslator


def _commands(items: list[Any]) -> list[Any]:
    found = []
    for item in items:
        found.append(item)
        if isinstance(item, app_commands.Group):
            found += _commands(item.commands)
    return found


def _descriptions() -> list[tuple[str, app_commands.TranslationContextLocation]]:
    where = app_commands.TranslationContextLocation
    texts = []
    for cog in COGS:
        for command in _commands(list(cog.__cog_app_commands__)):
            location = (
                where.group_description
                if isinstance(command, app_commands.Group)
                else where.command_description
            )
            texts.append((command.description, location))
            for parameter in getattr(command, "parameters", []):
                texts.append((parameter.description, where.parameter_description))
                texts += [(choice.name, where.choice_name) for choice in parameter.choices]
    return texts


async def test_every_description_and_choice_has_korean() -> None:
    translator = HindsightTranslator()
    texts = _descriptions()
    assert len(texts) > 50  # the walk found the real commands
    missing = []
    for text, location in texts:
        context = app_commands.TranslationContext(location, None)
        korean = await translator.translate(
            app_commands.locale_str(str(text)), Locale.korean, context
        )
        if not korean:
            missing.append(str(text))
    assert not missing


async def test_other_locales_and_names_stay_english() -> None:
    translator = HindsightTranslator()
    where = app_commands.TranslationContextLocation
    description = app_commands.locale_str("The post's text")
    context = app_commands.TranslationContext(where.parameter_description, None)
    assert await translator.translate(description, Locale.korean, context) == "글 본문"
    assert await translator.translate(description, Locale.french, context) is None
    name = app_commands.TranslationContext(where.command_name, None)
    assert (
        await translator.translate(app_commands.locale_str("source"), Locale.korean, name) is None
    )
