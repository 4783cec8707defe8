"""Which forecasts of a post are counted from its publication date (digests/analysis/anchoring)."""

from __future__ import annotations

from datetime import date

import pytest

from digests.analysis.anchoring import anchored_forecasts
from digests.analysis.pipeline import Analyzer, PostAnalysis
from digests.ingest.text import content_hash
from digests.models import Post, SourceKind

INGESTED = date(2025, 12, 15)
ESSAY = "\n".join(
    [
        "배터리 산업에 대한 생각",
        "앞으로 2~3년 안에 전고체 배터리가 상용화될 것이다.",
        "내년에는 HBM 가격이 20% 오를 것으로 전망한다.",
        "2027년까지 로보택시가 미국 10개 도시에서 운행될 것이다.",
        "반도체 업황은 결국 좋아질 것 같다.",
        "In 2028 Tesla will deliver five million cars, and next year margins will recover.",
        "I think small modular reactors will not power a data center before 2030.",
    ]
)


def make_post(text: str, title: str = "배터리 산업에 대한 생각") -> Post:
    return Post(
        guild_id=1,
        source="test",
        source_kind=SourceKind.TEXT,
        title=title,
        lang="ko",
        text=text,
        content_hash=content_hash(text),
    )


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def held(analyzer: Analyzer, analysis: PostAnalysis) -> dict[str | None, bool]:
    positions = anchored_forecasts(analyzer, analysis)
    return {
        forecast.timex: index in positions
        for index, forecast in enumerate(analysis.forecasts)
        if forecast.timex is not None
    }


def test_relative_windows_depend_on_the_date_and_explicit_years_do_not(
    analyzer: Analyzer,
) -> None:
    [analysis] = analyzer.analyze([make_post(ESSAY)], default_anchor=INGESTED)

    assert held(analyzer, analysis) == {
        "앞으로 2~3년 안에": True,
        "내년": True,
        "next year": True,
        "2027년": False,
        "2028": False,
        # The window opens when the post was written, but it is judged at the end of 2029
        # whenever that was: it can be tracked.
        "2030": False,
    }


def test_undated_statements_never_wait_for_a_date(analyzer: Analyzer) -> None:
    [analysis] = analyzer.analyze([make_post(ESSAY)], default_anchor=INGESTED)
    positions = anchored_forecasts(analyzer, analysis)

    views = [index for index, f in enumerate(analysis.forecasts) if f.due_end is None]
    assert views, "the essay has an undated statement"
    assert not positions & set(views)


def test_a_title_year_fixes_the_year_of_its_bare_periods(analyzer: Analyzer) -> None:
    text = (
        "2027년 반도체 전망\n3분기에는 HBM4 양산이 본격화될 것이다.\n내년에는 감산이 끝날 것이다."
    )
    [analysis] = analyzer.analyze(
        [make_post(text, title="2027년 반도체 전망")], default_anchor=INGESTED
    )

    windows = {f.timex: f.due_end for f in analysis.forecasts}
    assert windows["3분기"] == date(2027, 9, 30)
    assert held(analyzer, analysis) == {"3분기": False, "내년": True}


def test_forecasts_read_again_match_the_windows_the_date_gives(analyzer: Analyzer) -> None:
    [analysis] = analyzer.analyze([make_post(ESSAY)], default_anchor=INGESTED)

    again = analyzer.forecasts_as_of(analysis, date(2020, 9, 23))
    [dated] = analyzer.analyze([make_post(ESSAY)], default_anchor=date(2020, 9, 23))

    assert [(f.timex, f.due_end) for f in again] == [(f.timex, f.due_end) for f in dated.forecasts]
    assert dict((f.timex, f.due_end) for f in again)["내년"] == date(2021, 12, 31)
