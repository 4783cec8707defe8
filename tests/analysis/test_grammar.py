"""Tests of digests/analysis/grammar.py: which way a sentence's yearless dates resolve."""

from __future__ import annotations

import pytest

from digests.analysis.grammar import english_date_of_past_verb, sentence_orientation
from digests.analysis.sentences import segment


def orientation(text: str) -> str:
    (sentence,) = segment(text)
    return sentence_orientation(sentence.text, sentence.tokens, sentence.lang)


@pytest.mark.parametrize(
    "text",
    [
        "마이크로소프트는 예상보다 나은 실적을 발표했다.",
        "수익은 655억 달러로, 예상치인 645억 달러를 초과했다.",
    ],
)
def test_results_measured_against_the_estimate_are_told_in_the_past(text: str) -> None:
    assert orientation(text) == "past"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The estimate is a yardstick of the results; note style tells what happened.
        ("수익은 655억 달러로, 예상치인 645억 달러를 초과함.", "past"),
        ("회사는 수요일에 예상보다 나은 실적을 발표함.", "past"),
        ("하반기 신제품 출시 예정임.", "future"),
        ("2분기 실적부터 매출이 숫자로 찍히기 시작", "future"),
        # An estimate still looks ahead.
        ("4분기 매출은 50억 달러로 예상됨.", "future"),
        ("7월에 신제품을 생산한다.", "future"),
    ],
)
def test_note_style_endings_and_estimate_yardsticks(text: str, expected: str) -> None:
    assert orientation(text) == expected


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (" gave a revenue forecast", True),
        (", the Japanese manufacturer announced that", True),
        (" showed demand will decline", True),
        (" the company will report", False),
        (", revenue is expected to rise", False),
        (".", False),
    ],
)
def test_an_english_date_followed_by_its_past_verb(after: str, expected: bool) -> None:
    assert english_date_of_past_verb(after) is expected
