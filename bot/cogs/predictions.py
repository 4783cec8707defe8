"""/predictions …: the forecast ledger."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

from bot.cogs.base import (
    HindsightCog,
    caller_of,
    forecast_choices,
    source_choices,
    theme_choices,
)

OUTCOMES = [
    app_commands.Choice(name="came true", value="correct"),
    app_commands.Choice(name="didn't happen", value="wrong"),
    app_commands.Choice(name="partly", value="partly"),
    app_commands.Choice(name="can't tell", value="unknown"),
    app_commands.Choice(name="withdrawn", value="withdrawn"),
]
Status = Literal["all", "open", "due", "resolved", "needs-date", "undated"]


class PredictionsCog(HindsightCog):
    """List, add, judge and re-date forecasts."""

    predictions = app_commands.Group(
        name="predictions", description="Dated forecasts from the posts you follow", guild_only=True
    )

    @predictions.command(name="list")
    @app_commands.describe(
        status="Which: all, open, due (awaiting a verdict), resolved, needs-date, undated (views)",
        theme="Only forecasts from posts about this theme",
        source="Only forecasts from this source or author",
    )
    @app_commands.autocomplete(theme=theme_choices, source=source_choices)
    async def list_(
        self,
        interaction: discord.Interaction,
        status: Status = "all",
        theme: str | None = None,
        source: str | None = None,
    ) -> None:
        """Forecasts of this server, soonest due first."""
        caller = caller_of(interaction)
        await self.answer(
            interaction, self.handlers.predictions_list(caller, status, theme, source)
        )

    @predictions.command(name="show")
    @app_commands.describe(id="The forecast's number")
    @app_commands.autocomplete(id=forecast_choices)
    async def show(self, interaction: discord.Interaction, id: int) -> None:
        """One forecast with its votes and history."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.predictions_show(caller, id))

    @predictions.command(name="add")
    @app_commands.describe(
        claim="What is forecast",
        due="When it can be judged: a date, 2026-12-31, 2027 Q2, 내년 상반기…",
        probability="How likely, e.g. 70%",
        source="A link to where it was said",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        claim: app_commands.Range[str, 3, 500],
        due: app_commands.Range[str, 2, 100],
        probability: str | None = None,
        source: str | None = None,
    ) -> None:
        """Record a forecast by hand."""
        caller = caller_of(interaction)
        await self.answer(
            interaction, self.handlers.predictions_add(caller, claim, due, probability, source)
        )

    @predictions.command(name="resolve")
    @app_commands.describe(
        id="The forecast's number",
        outcome="Did it come true?",
        evidence="A link that shows the outcome",
        note="A short note on the verdict",
    )
    @app_commands.choices(outcome=OUTCOMES)
    @app_commands.autocomplete(id=forecast_choices)
    async def resolve(
        self,
        interaction: discord.Interaction,
        id: int,
        outcome: app_commands.Choice[str],
        evidence: str | None = None,
        note: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        """Judge a forecast: final for moderators, a vote for everyone else."""
        caller = caller_of(interaction)
        await self.answer(
            interaction,
            self.handlers.predictions_resolve(caller, id, outcome.value, evidence, note),
        )

    @predictions.command(name="undo")
    @app_commands.describe(id="The forecast's number")
    @app_commands.autocomplete(id=forecast_choices)
    async def undo(self, interaction: discord.Interaction, id: int) -> None:
        """Take back the last verdict on a forecast (moderators)."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.predictions_undo(caller, id))

    @predictions.command(name="redate")
    @app_commands.describe(id="The forecast's number", due="The new due date")
    @app_commands.autocomplete(id=forecast_choices)
    async def redate(
        self, interaction: discord.Interaction, id: int, due: app_commands.Range[str, 2, 100]
    ) -> None:
        """Move a forecast's due date (moderators), or date an undated view to track it."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.predictions_redate(caller, id, due))


class RemindCog(HindsightCog):
    """Personal reminders about forecasts."""

    remind = app_commands.Group(
        name="remind", description="Reminders about forecasts", guild_only=True
    )

    @remind.command(name="prediction")
    @app_commands.describe(
        prediction="The forecast's number",
        when="When to remind you: in 3 months, 2026-06-01… (default: when it comes due)",
    )
    @app_commands.autocomplete(prediction=forecast_choices)
    async def prediction(
        self,
        interaction: discord.Interaction,
        prediction: int,
        when: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        """Be reminded of a forecast when it comes due, or at a time you choose."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.remind_prediction(caller, prediction, when))

    @remind.command(name="list")
    async def list_(self, interaction: discord.Interaction) -> None:
        """Your pending reminders."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.remind_list(caller))

    @remind.command(name="cancel")
    @app_commands.describe(
        id="The reminder's number (from /remind list)",
        prediction="Or: stop the ping when this forecast comes due",
    )
    @app_commands.autocomplete(prediction=forecast_choices)
    async def cancel(
        self,
        interaction: discord.Interaction,
        id: int | None = None,
        prediction: int | None = None,
    ) -> None:
        """Cancel one of your reminders."""
        caller = caller_of(interaction)
        await self.answer(interaction, self.handlers.remind_cancel(caller, id, prediction))
