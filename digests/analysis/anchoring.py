"""Which forecasts of a post are counted from its publication date.

"내년", "앞으로 2~3년", "this quarter", a bare "연말" or "3분기" name a window only once the day
the post was written is known; "2027년", "Q3 2026" or a title's "2026 전망" do not need it.
Rather than second-guess the time rules, the post's forecasts are read a second time as if it
had been written about eighteen months earlier: a window that moves with the date depends on
it, one that stays put does not. (Eighteen months shift every relative window: a year-based
guess cannot land on the same year twice, as it could with a shift of a whole year.)
"""

from __future__ import annotations

from datetime import date, timedelta

from digests.analysis.forecasts import Forecast
from digests.analysis.pipeline import Analyzer, PostAnalysis

PROBE_SHIFT = timedelta(days=548)


def _identity(forecast: Forecast) -> tuple[str, str | None, int]:
    """The same statement and time expression, wherever the window lands."""
    return forecast.text, forecast.timex, forecast.timex_start


def _due(forecast: Forecast) -> date | None:
    # The day it can be judged. The start may move with the date while the end stays put
    # ("before 2030" opens when the post was written): such a forecast is judged on time.
    return forecast.due_end


def anchored_forecasts(analyzer: Analyzer, analysis: PostAnalysis) -> set[int]:
    """Positions in `analysis.forecasts` of the dated forecasts whose window depends on the
    post's date. Undated statements (no window at all) are never among them. A forecast the
    second reading does not find at all is counted as depending on the date: holding it back
    until the post is dated is safer than scheduling it on a guess."""
    probe = analyzer.forecasts_as_of(analysis, analysis.anchor - PROBE_SHIFT)
    dues = {_identity(forecast): _due(forecast) for forecast in probe}
    return {
        index
        for index, forecast in enumerate(analysis.forecasts)
        if forecast.due_end is not None and dues.get(_identity(forecast)) != _due(forecast)
    }
