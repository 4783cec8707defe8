"""A digest as plain data: what happened in a guild over a period, ready for any renderer.

Everything here is a frozen dataclass of plain values (str, int, float, date, aware datetime), so a
digest can be rendered for the terminal, Markdown or Discord, charted, or stored as JSON
(`render.to_json` / `render.from_json`) without touching the store again. Forecasts are the
ledger's own `ForecastRecord`, as the store read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from digests.ledger.model import ForecastRecord


@dataclass(frozen=True)
class DigestPost:
    """A post published in the period."""

    post_id: int
    title: str
    source: str
    url: str | None
    author: str | None
    published: datetime | None
    summary: str | None  # the first sentence of the stored summary


@dataclass(frozen=True)
class ThemeTrend:
    """How many posts carried a theme in the period, against the previous period of equal length."""

    label: str
    count: int
    previous: int
    change: int  # count - previous
    is_new: bool  # absent from the previous period


@dataclass(frozen=True)
class QuoteItem:
    """The quote of the period."""

    text: str
    speaker: str | None
    post_title: str | None
    url: str | None


@dataclass(frozen=True)
class ScoreItem:
    """One line of the track record (by source)."""

    key: str
    resolved: int
    share_correct: float | None
    brier: float | None


@dataclass(frozen=True)
class Digest:
    """A guild's digest for [start, end)."""

    guild_id: int
    start: datetime
    end: datetime
    timezone: str
    catch_up: bool
    posts: list[DigestPost]
    post_count: int
    themes: list[ThemeTrend]
    new_forecasts: list[ForecastRecord]
    new_forecast_count: int
    coming_due: list[ForecastRecord]
    coming_days: int
    overdue: list[ForecastRecord]
    overdue_count: int
    resolved: list[ForecastRecord]
    quote: QuoteItem | None
    scoreboard: list[ScoreItem]
    # (period label, {theme: posts}) for the top themes over up to 6 periods, oldest first.
    theme_history: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    # The moment "coming due" and "overdue" are measured from (defaults to `end` when built).
    as_of: datetime | None = None
    # The guild's language ("en" or "ko"): the renderers word the digest in it.
    language: str = "en"

    @property
    def is_empty(self) -> bool:
        """Nothing happened: no posts and no new, coming, overdue or resolved forecasts."""
        return not (
            self.post_count
            or self.posts
            or self.new_forecast_count
            or self.new_forecasts
            or self.coming_due
            or self.overdue_count
            or self.overdue
            or self.resolved
        )

    @property
    def reference_time(self) -> datetime:
        """`as_of`, or the end of the period."""
        return self.as_of or self.end
