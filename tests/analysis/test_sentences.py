"""Sentence splitting: English boundaries, abbreviations and times of day."""

from __future__ import annotations

import pytest

from digests.analysis.sentences import segment


def texts(text: str) -> list[str]:
    return [sentence.text for sentence in segment(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The data is due at 8:00 a.m. ET. The Fed meets next week.",
            ["The data is due at 8:00 a.m. ET.", "The Fed meets next week."],
        ),
        (
            "Results come at 4 p.m. Tuesday and the call follows.",
            ["Results come at 4 p.m. Tuesday and the call follows."],
        ),
        (
            "The report (published 10 a.m. E.T.) said growth would slow. Markets fell.",
            ["The report (published 10 a.m. E.T.) said growth would slow.", "Markets fell."],
        ),
        (
            "The meeting ends at 5 p.m. Markets reopen on Monday.",
            ["The meeting ends at 5 p.m.", "Markets reopen on Monday."],
        ),
        (
            "Nvidia Corp. and Microsoft Corp. said capex will rise. Next year looks strong.",
            ["Nvidia Corp. and Microsoft Corp. said capex will rise.", "Next year looks strong."],
        ),
        (
            "Apple Inc. CEO Tim Cook spoke. Shares rose.",
            ["Apple Inc. CEO Tim Cook spoke.", "Shares rose."],
        ),
        (
            "Revenue was flat at Apple Inc. The company expects growth in 2026.",
            ["Revenue was flat at Apple Inc.", "The company expects growth in 2026."],
        ),
        (
            "The U.S. economy will grow 2% in 2026. Europe lags.",
            ["The U.S. economy will grow 2% in 2026.", "Europe lags."],
        ),
        (
            "Some chips, e.g. HBM, will stay tight through 2026. Others will not.",
            ["Some chips, e.g. HBM, will stay tight through 2026.", "Others will not."],
        ),
        (
            "It is Nvidia vs. AMD in 2026. We favour Nvidia.",
            ["It is Nvidia vs. AMD in 2026.", "We favour Nvidia."],
        ),
        (
            "Growth comes from AI. The rest is flat.",
            ["Growth comes from AI.", "The rest is flat."],
        ),
    ],
)
def test_english_sentences_split_at_their_ends_only(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_a_time_of_day_inside_a_korean_line_does_not_split_it() -> None:
    assert texts(
        "미국 노동부는 3일(현지시간) 8:30 a.m. ET 기준 고용지표를 발표했다. 시장은 반응했다."
    ) == [
        "미국 노동부는 3일(현지시간) 8:30 a.m. ET 기준 고용지표를 발표했다.",
        "시장은 반응했다.",
    ]


def test_sentence_offsets_point_back_to_the_text() -> None:
    text = "Shares fell at 9:30 a.m. EST on Monday. Analysts at Morgan Stanley Inc. were calm."
    for sentence in segment(text):
        assert text[sentence.start : sentence.end] == sentence.text
    assert len(segment(text)) == 2


def test_an_english_headline_in_title_case_is_a_heading() -> None:
    from digests.analysis.sentences import segment

    kinds = {
        s.text: s.kind
        for s in segment(
            "Tech: Raising Hyperscaler Capex 2026 Estimates\n"
            "We are raising our estimates for the five largest cloud providers this year.\n"
            "Monday    1000  Wholesale Inventories       Nov      +1.2%   (5)   +2.3%\n"
        )
    }
    assert kinds["Tech: Raising Hyperscaler Capex 2026 Estimates"] == "heading"
    assert (
        kinds["We are raising our estimates for the five largest cloud providers this year."]
        == "prose"
    )
    assert all(kind != "heading" for text, kind in kinds.items() if text.startswith("Monday"))
