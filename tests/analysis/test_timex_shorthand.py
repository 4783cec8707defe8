"""Time expressions from broker notes, chats, transcripts and calls, resolved against a date."""

from __future__ import annotations

from datetime import date

import pytest

from digests.analysis.timex import find_time_expressions

ANCHOR = date(2025, 11, 3)


def due(text: str, anchor: date = ANCHOR) -> list[tuple[str, date]]:
    return [(e.text, e.due_end) for e in find_time_expressions(text, anchor, prefer="future")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3Q25F OP 312억(YoY +41%)", [("3Q25F", date(2025, 9, 30))]),
        ("1Q26F | 3,720 | 448", [("1Q26F", date(2026, 3, 31))]),
        ("26E 영업이익 1,870억원", [("26E", date(2026, 12, 31))]),
        ("27F 매출액 1.8조원 돌파 전망", [("27F", date(2027, 12, 31))]),
        ("26.3Q 도크 증설 완료 예정", [("26.3Q", date(2026, 9, 30))]),
        ("Contract prices up another 15% in Q1'26", [("Q1'26", date(2026, 3, 31))]),
        ("$NVDA to 250 by EOY", [("EOY", date(2025, 12, 31))]),
        ("take a quarter of spend within 2 yrs", [("within 2 yrs", date(2027, 11, 3))]),
        ("목표가 51,000원 (12M fwd 기준)", [("12M fwd", date(2026, 11, 3))]),
        ("향후 삼 년 정도는 늘어날 거고", [("향후 삼 년 정도", date(2028, 11, 3))]),
        ("내년 이맘때쯤이면 오천오백", [("내년 이맘때", date(2026, 11, 30))]),
        (
            "close before the end of the calendar year",
            [("the end of the calendar year", date(2025, 12, 31))],
        ),
        ("in the June quarter", [("the June quarter", date(2026, 6, 30))]),
        (
            "raise plans in the second half of this year",
            [("second half of this year", date(2025, 12, 31))],
        ),
        ("외국인 순매수는 설 연휴 전까지는 이어질 것", [("설 연휴", date(2026, 2, 17))]),
        ("추석 이후 반등", [("추석", date(2026, 9, 25))]),
    ],
)
def test_shorthand_forms(text: str, expected: list[tuple[str, date]]) -> None:
    assert due(text) == expected


def test_coming_weeks_is_a_range_of_weeks() -> None:
    (expression,) = find_time_expressions(
        "We will break ground in the coming weeks", date(2026, 5, 20)
    )
    assert (expression.due_start, expression.due_end) == (date(2026, 6, 3), date(2026, 7, 15))


def test_a_part_number_is_not_an_estimate_year() -> None:
    assert due("the 10E reactor and the 3F board") == []


def test_a_this_month_in_korean_is_not_two_months() -> None:
    assert due("이 달 안에 끝난다") == []
