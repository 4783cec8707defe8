"""A PNG chart for a digest: theme counts over recent periods and the track record.

Uses matplotlib's object API on the Agg canvas (no pyplot, no global backend switch, nothing
left behind between calls). Korean labels need a CJK-capable font: NanumGothic ships with the
`koreanize-matplotlib` dependency and is registered from its file (the package itself is never
imported: importing it rewrites matplotlib's global rcParams). Only if that file is missing is a
font looked for among the ones matplotlib and the system know; without any, labels fall back to
the default font and the missing-glyph warnings are silenced (one log line instead).

Series stay apart: each theme has its own colour, marker and line style, and lines that would
lie on top of each other are nudged sideways a little. A single period has no trend to draw, so
its themes are shown as bars of that period's counts. Titles and axis words follow the
digest's language (the message catalog's `chart` table).

The command layer draws in worker threads; matplotlib shares font objects between figures and is
not thread-safe, so one chart is drawn at a time.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import logging
import os
import threading
import warnings
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findSystemFonts, fontManager
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator, PercentFormatter

from digests.digest.model import Digest
from digests.digest.render import clip, source_name
from digests.i18n import catalog

log = logging.getLogger(__name__)

# Families known to cover Hangul, best first (matched case-insensitively as substrings).
_CJK_HINTS = (
    "noto sans cjk kr",
    "noto sans kr",
    "noto sans cjk",
    "source han sans",
    "nanumgothic",
    "nanum gothic",
    "nanumbarungothic",
    "malgun gothic",
    "apple sd gothic neo",
    "applegothic",
    "noto serif cjk",
    "nanum",
    "un dotum",
    "undotum",
    "baekmuk",
    "gulim",
    "dotum",
    "wenquanyi",
    "droid sans fallback",
    "arial unicode",
    "unifont",
)
_FILE_HINTS = ("cjk", "nanum", "malgun", "gothic", "hangul", "kr", "han", "baekmuk", "unfonts")
_PROBES = (0xD55C, 0xAC00, 0xAE00)  # 한, 가, 글
_FALLBACK_FAMILY = "DejaVu Sans"
_GLYPH_WARNING = r"Glyph \d+ .*missing from"
_SHIPPED_FONT_PACKAGE = "koreanize_matplotlib"  # ships fonts/NanumGothic.ttf (SIL OFL)
_SHIPPED_FONT_FILE = "NanumGothic.ttf"
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LINESTYLES = ("-", "--", "-.", ":")
_NUDGE = 0.06  # sideways shift between series that share a point, in period units
_DRAWING = threading.Lock()
_COLORS = ("#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5")


def _covers_hangul(path: str) -> bool:
    try:
        charmap = FT2Font(path).get_charmap()
    except Exception:  # unreadable or unsupported font file
        return False
    return all(code in charmap for code in _PROBES)


def _hint_rank(name: str) -> int | None:
    lowered = name.lower()
    for rank, hint in enumerate(_CJK_HINTS):
        if hint in lowered:
            return rank
    return None


def shipped_font_path() -> str | None:
    """The NanumGothic file the koreanize-matplotlib package ships, or None when not installed.
    Found through the package's location only, without importing it."""
    spec = importlib.util.find_spec(_SHIPPED_FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, "fonts", _SHIPPED_FONT_FILE)
        if os.path.isfile(path):
            return path
    return None


def _shipped_family() -> str | None:
    path = shipped_font_path()
    if path is None or not _covers_hangul(path):
        return None
    try:
        fontManager.addfont(path)
        return FontProperties(fname=path).get_name()
    except Exception:  # an unreadable file: fall back to looking among installed fonts
        log.warning("could not register the shipped Korean font %s", path, exc_info=True)
        return None


@functools.cache
def cjk_font_family() -> str | None:
    """The family name of a font that renders Hangul, or None (looked up once): the shipped
    NanumGothic first, then any installed one."""
    shipped = _shipped_family()
    if shipped is not None:
        return shipped
    known = sorted(
        (rank, entry.name, entry.fname)
        for entry in fontManager.ttflist
        if (rank := _hint_rank(entry.name)) is not None
    )
    for _, name, path in known:
        if _covers_hangul(path):
            return name
    # Fonts installed after matplotlib built its font cache: look by file name, then register.
    seen = {entry.fname for entry in fontManager.ttflist}
    try:
        system = findSystemFonts()
    except Exception:  # a broken font folder must not break the digest
        system = []
    for path in sorted(system):
        base = os.path.basename(path).lower()
        if path in seen or not any(hint in base for hint in _FILE_HINTS):
            continue
        if _covers_hangul(path):
            try:
                fontManager.addfont(path)
                return FontProperties(fname=path).get_name()
            except Exception:
                continue
    # Any other known font whose character map has Hangul (the "Last Resort" font only draws
    # placeholder boxes, so it does not count).
    for entry in fontManager.ttflist:
        if "last resort" not in entry.name.lower() and _covers_hangul(entry.fname):
            return entry.name
    log.info("no CJK-capable font found; Korean chart labels will show as boxes")
    return None


def _families() -> list[str]:
    family = cjk_font_family()
    return [family, _FALLBACK_FAMILY] if family else [_FALLBACK_FAMILY]


def _font(size: float) -> FontProperties:
    return FontProperties(family=_families(), size=size)


def _history_series(digest: Digest) -> tuple[list[str], dict[str, list[int]]]:
    periods = [label for label, _ in digest.theme_history]
    labels: list[str] = []
    for _, counts in digest.theme_history:
        labels += [label for label in counts if label not in labels]
    series = {
        label: [counts.get(label, 0) for _, counts in digest.theme_history] for label in labels
    }
    if not any(any(values) for values in series.values()):
        return [], {}
    return periods, series


def _scores(digest: Digest) -> list[tuple[str, float, int]]:
    return [  # share_correct is checked below
        (clip(source_name(item.key) or item.key, 28), item.share_correct, item.resolved)
        for item in digest.scoreboard
        if item.share_correct is not None
    ]


def render_chart(digest: Digest) -> bytes | None:
    """The digest's chart as PNG bytes, or None when there is nothing to plot (thread-safe)."""
    with _DRAWING:
        return _render(digest)


def _render(digest: Digest) -> bytes | None:
    if digest.is_empty:
        return None
    periods, series = _history_series(digest)
    scores = _scores(digest)
    panels = int(bool(series)) + int(bool(scores))
    if not panels:
        return None

    words = catalog(digest.language)
    figure = Figure(figsize=(8, 3.4 * panels), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    text, small = _font(11), _font(8.5)
    axes = figure.subplots(panels, 1, squeeze=False)[:, 0]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
        index = 0
        if series:
            if len(periods) == 1:
                _plot_one_period(axes[index], periods[0], series, words, text, small)
            else:
                _plot_history(axes[index], periods, series, words, text, small)
            index += 1
        if scores:
            _plot_scores(axes[index], scores, words, text, small)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    figure.clear()
    return buffer.getvalue()


def _style_ticks(axis: Axes, font: FontProperties) -> None:
    axis.tick_params(labelsize=font.get_size(), labelfontfamily=_families())


def series_offsets(series: dict[str, list[int]]) -> dict[str, float]:
    """A sideways shift per series so that lines meeting at the same points do not hide each
    other: each series takes the first lane (0, _NUDGE, 2·_NUDGE…) where no earlier series
    has a point in common with it."""
    lanes: list[set[tuple[int, int]]] = []
    offsets: dict[str, float] = {}
    for label, values in series.items():
        points = set(enumerate(values))
        lane = next((n for n, taken in enumerate(lanes) if not taken & points), len(lanes))
        if lane == len(lanes):
            lanes.append(set())
        lanes[lane] |= points
        offsets[label] = lane * _NUDGE
    return offsets


def series_style(number: int) -> dict[str, object]:
    """Colour, marker and line style of the n-th series: neighbours differ in all three."""
    return {
        "color": _COLORS[number % len(_COLORS)],
        "marker": _MARKERS[number % len(_MARKERS)],
        "linestyle": _LINESTYLES[number % len(_LINESTYLES)],
    }


def _plot_history(
    axis: Axes,
    periods: list[str],
    series: dict[str, list[int]],
    words: Callable[..., str],
    text: FontProperties,
    small: FontProperties,
) -> None:
    positions = list(range(len(periods)))
    offsets = series_offsets(series)
    for number, (label, values) in enumerate(series.items()):
        shift = offsets[label]
        axis.plot(
            [position + shift for position in positions],
            values,
            linewidth=1.8,
            markersize=6,
            label=clip(label, 24),
            zorder=3 + number,
            **series_style(number),  # type: ignore[arg-type]
        )
    axis.set_xticks(positions, periods)
    axis.set_xlim(-0.3, max(positions) + 0.3 + max(offsets.values(), default=0))
    axis.set_ylim(bottom=0, top=max(max(values) for values in series.values()) * 1.15 + 0.5)
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_ylabel(words("chart.posts"), fontproperties=small)
    axis.set_title(words("chart.themes_title"), fontproperties=text, loc="left")
    axis.grid(axis="y", alpha=0.3)
    axis.legend(prop=small, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _style_ticks(axis, small)


def _plot_one_period(
    axis: Axes,
    period: str,
    series: dict[str, list[int]],
    words: Callable[..., str],
    text: FontProperties,
    small: FontProperties,
) -> None:
    """One period has no trend: its themes as horizontal bars, largest on top."""
    ranked = sorted(
        ((label, values[0]) for label, values in series.items() if values[0] > 0),
        key=lambda item: -item[1],
    )
    names = [clip(label, 28) for label, _ in ranked][::-1]
    counts = [count for _, count in ranked][::-1]
    bars = axis.barh(names, counts, color=_COLORS[0], height=0.55)
    for bar, count in zip(bars, counts, strict=True):
        axis.text(
            count + max(counts) * 0.02,
            bar.get_y() + bar.get_height() / 2,
            str(count),
            va="center",
            fontproperties=small,
        )
    axis.set_xlim(0, max(counts) * 1.15 + 0.5)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel(words("chart.posts"), fontproperties=small)
    axis.set_title(words("chart.themes_one_period", period=period), fontproperties=text, loc="left")
    axis.grid(axis="x", alpha=0.3)
    _style_ticks(axis, small)


def _plot_scores(
    axis: Axes,
    scores: list[tuple[str, float, int]],
    words: Callable[..., str],
    text: FontProperties,
    small: FontProperties,
) -> None:
    names = [name for name, _, _ in scores][::-1]
    shares = [share * 100 for _, share, _ in scores][::-1]
    resolved = [count for _, _, count in scores][::-1]
    bars = axis.barh(names, shares, color=_COLORS[0], height=0.55)
    for bar, share, count in zip(bars, shares, resolved, strict=True):
        axis.text(
            min(share, 100) + 1.5,
            bar.get_y() + bar.get_height() / 2,
            words("chart.share_of", percent=f"{share:.0f}", count=count),
            va="center",
            fontproperties=small,
        )
    axis.set_xlim(0, 118)
    axis.xaxis.set_major_formatter(PercentFormatter(decimals=0))
    axis.set_xticks([0, 25, 50, 75, 100])
    axis.set_title(words("chart.track_title"), fontproperties=text, loc="left")
    axis.grid(axis="x", alpha=0.3)
    _style_ticks(axis, small)
