"""The digest chart: PNG bytes with data, None without, Korean labels without warning floods."""

from __future__ import annotations

import struct
import warnings
from datetime import UTC, datetime

from matplotlib import _pylab_helpers
from matplotlib.ft2font import FT2Font

from digests.app import Services
from digests.digest import DigestBuilder
from digests.digest.chart import cjk_font_family, render_chart
from digests.digest.model import ScoreItem
from tests.digest import END, START, empty_digest, sample_digest

PNG = b"\x89PNG\r\n\x1a\n"


def size(png: bytes) -> tuple[int, int]:
    """(width, height) from the PNG header."""
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_a_digest_with_data_gives_a_png_with_two_panels() -> None:
    figures_before = _pylab_helpers.Gcf.get_num_fig_managers()
    png = render_chart(sample_digest())
    assert png is not None and png.startswith(PNG)
    only_themes = render_chart(sample_digest(scoreboard=[]))
    only_scores = render_chart(sample_digest(theme_history=[]))
    assert only_themes is not None and only_themes.startswith(PNG)
    assert only_scores is not None and only_scores.startswith(PNG)
    # Two panels stack: taller than either one alone.
    assert size(png)[1] > size(only_themes)[1]
    assert size(png)[1] > size(only_scores)[1]
    # No pyplot figure was left behind.
    assert _pylab_helpers.Gcf.get_num_fig_managers() == figures_before


def test_nothing_to_plot_gives_none() -> None:
    assert render_chart(empty_digest()) is None
    # An empty period stays without a chart even when the guild has a track record.
    assert render_chart(empty_digest(scoreboard=sample_digest().scoreboard)) is None
    # Posts but no theme counts and no judged forecasts: nothing to draw.
    nothing = sample_digest(
        theme_history=[("12-08", {"AI": 0})],
        scoreboard=[ScoreItem("manual", 1, None, None)],
    )
    assert render_chart(nothing) is None


def test_korean_labels_render_without_warnings() -> None:
    digest = sample_digest(
        theme_history=[
            ("12-01", {"브로드컴": 1, "배터리 공급망": 2, "연준 금리 인하": 0}),
            ("12-08", {"브로드컴": 3, "배터리 공급망": 1, "연준 금리 인하": 2}),
        ],
        scoreboard=[
            ScoreItem("반도체 주간 메모", 3, 2 / 3, 0.2),
            ScoreItem("블로그", 1, 1.0, None),
        ],
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_chart(digest)
    assert png is not None and png.startswith(PNG)
    assert [str(warning.message) for warning in caught] == []


def test_the_cjk_font_lookup_is_cached_and_real() -> None:
    family = cjk_font_family()
    assert cjk_font_family() is family  # looked up once per process
    if family is not None:
        from matplotlib.font_manager import FontProperties, findfont

        path = findfont(FontProperties(family=family), fallback_to_default=False)
        assert 0xD55C in FT2Font(path).get_charmap()  # 한


async def test_a_built_digest_charts_its_themes(services: Services) -> None:
    text = (
        "브로드컴 주가가 사상 최고치를 기록했다. 브로드컴은 맞춤형 AI 칩 주문이 늘었다고 밝혔다.\n"
    )
    await services.ingest.ingest_text(
        text, 7, title="브로드컴 주가", published=datetime(2025, 12, 10, tzinfo=UTC)
    )
    builder = DigestBuilder(services.store, services.settings)
    digest = await builder.build(7, START, END)
    assert digest.theme_history and digest.theme_history[-1][1]
    png = render_chart(digest)
    assert png is not None and png.startswith(PNG)
    assert render_chart(await builder.build(8, START, END)) is None


def _pixels_of(png: bytes, color: str) -> int:
    """How many pixels of a PNG have exactly this colour (within rounding)."""
    import io

    import numpy as np
    from matplotlib.image import imread

    image = imread(io.BytesIO(png))[..., :3]
    target = np.array([int(color[index : index + 2], 16) / 255 for index in (1, 3, 5)])
    return int((np.abs(image - target).max(axis=2) < 0.02).sum())


def test_the_shipped_nanum_font_draws_hangul_without_a_system_font() -> None:
    from digests.digest.chart import shipped_font_path

    path = shipped_font_path()
    assert path is not None and path.endswith("NanumGothic.ttf")  # from koreanize-matplotlib
    assert 0xD55C in FT2Font(path).get_charmap()
    assert cjk_font_family() == "NanumGothic"


def test_one_period_is_drawn_as_bars_not_a_dot() -> None:
    one = sample_digest(theme_history=[("12-08", {"브로드컴": 3, "배터리": 1})], scoreboard=[])
    two = sample_digest(
        theme_history=[
            ("12-01", {"브로드컴": 3, "배터리": 1}),
            ("12-08", {"브로드컴": 3, "배터리": 1}),
        ],
        scoreboard=[],
    )
    one_png, two_png = render_chart(one), render_chart(two)
    assert one_png is not None and two_png is not None
    # A bar for 3 posts covers far more of the first colour than a line's markers do.
    assert _pixels_of(one_png, "#4269d0") > 4 * _pixels_of(two_png, "#4269d0")


def test_series_differ_in_colour_marker_and_line_and_equal_lines_are_nudged() -> None:
    from digests.digest.chart import series_offsets, series_style

    styles = [series_style(number) for number in range(4)]
    for key in ("color", "marker", "linestyle"):
        assert len({style[key] for style in styles}) == 4
    offsets = series_offsets(
        {"AI": [1, 2], "HBM": [1, 2], "금리": [0, 1], "LFP": [3, 2], "ESS": [5, 5]}
    )
    assert offsets["AI"] == 0 and offsets["금리"] == 0 and offsets["ESS"] == 0
    assert 0 < offsets["HBM"] < offsets["LFP"]  # LFP meets both at the second period


def test_chart_words_follow_the_digest_language() -> None:
    from digests.i18n import catalog

    korean = sample_digest(language="ko")
    png = render_chart(korean)
    assert png is not None and png != render_chart(sample_digest(language="en"))
    assert catalog("ko")("chart.share_of", percent="50", count=2) == "2건 중 50%"
