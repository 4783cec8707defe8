"""Digests: a guild's period built into plain data, rendered as text, Markdown, JSON or a chart.

`render_chart` lives in `digests.digest.chart` (imported lazily here: matplotlib is only loaded
when a chart is asked for).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from digests.digest.builder import DigestBuilder, DigestLimits, theme_trends
from digests.digest.model import (
    Digest,
    DigestPost,
    QuoteItem,
    ScoreItem,
    ThemeTrend,
)
from digests.digest.render import defang, from_json, render_markdown, render_text, to_json

if TYPE_CHECKING:
    from digests.digest.chart import render_chart


def __getattr__(name: str) -> Any:
    if name == "render_chart":
        from digests.digest.chart import render_chart

        return render_chart
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Digest",
    "DigestBuilder",
    "DigestLimits",
    "DigestPost",
    "QuoteItem",
    "ScoreItem",
    "ThemeTrend",
    "defang",
    "from_json",
    "render_chart",
    "render_markdown",
    "render_text",
    "theme_trends",
    "to_json",
]
