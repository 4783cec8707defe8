"""Time expressions resolved to due windows, relative to a post's published date."""

from __future__ import annotations

from datetime import date

import pytest

from digests.analysis.timex import describe_rules, explain_time, find_time_expressions


def windows(sentence: str, anchor: date, **options: object) -> list[tuple[str, date, date]]:
    return [
        (expression.text, expression.due_start, expression.due_end)
        for expression in find_time_expressions(sentence, anchor, **options)  # type: ignore[arg-type]
    ]


def due_ends(sentence: str, anchor: date, **options: object) -> list[date]:
    return [end for _, _, end in windows(sentence, anchor, **options)]


@pytest.mark.parametrize(
    ("sentence", "anchor", "expected"),
    [
        ("테슬라 26년 목표 시총 3.3조달러", date(2023, 7, 12), [date(2026, 12, 31)]),
        ("2024년 2분기부터 가동될 예정", date(2023, 7, 12), [date(2024, 6, 30)]),
        ("허니잼 테슬라 23Q2 EPS 추정범위", date(2023, 7, 12), [date(2023, 6, 30)]),
        ("3Q24 실적과 1H25 가이던스", date(2024, 5, 1), [date(2024, 9, 30), date(2025, 6, 30)]),
        (
            "Q3 2025 EPS and H2 2025 margins",
            date(2025, 3, 1),
            [date(2025, 9, 30), date(2025, 12, 31)],
        ),
        (
            "내년 상반기 출시, 올해 말 완공",
            date(2025, 3, 10),
            [date(2026, 6, 30), date(2025, 12, 31)],
        ),
        ("내후년 연초에는", date(2025, 3, 10), [date(2027, 3, 31)]),
        ("2030년대 중반 상용화", date(2025, 3, 10), [date(2036, 12, 31)]),
        ("by the end of 2026", date(2025, 3, 1), [date(2026, 12, 31)]),
        ("first half of 2027", date(2025, 3, 1), [date(2027, 6, 30)]),
        ("mid-2026", date(2025, 3, 1), [date(2026, 6, 30)]),
        (
            "March 15, 2026 and 2025년 3월 15일",
            date(2025, 1, 1),
            [date(2026, 3, 15), date(2025, 3, 15)],
        ),
        ("내년 봄 iOS 업데이트", date(2025, 7, 3), [date(2026, 5, 31)]),
        ("before Thanksgiving", date(2024, 11, 2), [date(2024, 11, 28)]),
    ],
)
def test_calendar_expressions_resolve_to_the_end_of_their_window(
    sentence: str, anchor: date, expected: list[date]
) -> None:
    assert due_ends(sentence, anchor) == expected


@pytest.mark.parametrize(
    ("sentence", "anchor", "expected"),
    [
        # Ranges are judged at the end of their last part.
        (
            "FSD wide release 시기도 2024년 말에서 25년 전도로",
            date(2023, 7, 12),
            [date(2025, 12, 31)],
        ),
        ("중간고지를 25년~26년 정도로 보고", date(2023, 7, 12), [date(2026, 12, 31)]),
        ("2027~2028년 흑자전환", date(2025, 1, 1), [date(2028, 12, 31)]),
        ("between 2026 and 2028", date(2025, 1, 1), [date(2028, 12, 31)]),
        ("3~4분기 반영", date(2025, 3, 10), [date(2025, 12, 31)]),
    ],
)
def test_ranges(sentence: str, anchor: date, expected: list[date]) -> None:
    assert due_ends(sentence, anchor) == expected


def test_horizons_count_from_the_published_date() -> None:
    anchor = date(2020, 9, 23)
    [(text, start, end)] = windows("앞으로 2~3년은 이런 세상이 펼쳐지지 않을까?", anchor)
    assert text == "앞으로 2~3년"
    assert (start, end) == (date(2022, 9, 23), date(2023, 9, 23))
    assert due_ends("within 18 months", date(2024, 11, 18)) == [date(2026, 5, 18)]
    assert due_ends("향후 10년간 미국 자본이", date(2025, 11, 4)) == [date(2035, 11, 4)]
    assert due_ends("12개월 선행 EPS", date(2025, 8, 18)) == [date(2026, 8, 18)]


def test_durations_into_the_past_are_marked_past() -> None:
    [expression] = find_time_expressions("2년 전부터 차도 잘 팔리기 시작하고", date(2020, 9, 23))
    assert expression.past_marker
    [expression] = find_time_expressions("over the past 3 years", date(2020, 9, 23))
    assert expression.past_marker


def test_numbers_that_are_not_dates_are_ignored() -> None:
    assert windows("GPU도 26만장 확보하였다. 캐시우드 목표가 2000달러", date(2025, 11, 5)) == []
    assert windows("2026년형 모델과 36TB/s 목표", date(2025, 1, 1)) == []
    assert windows("The Fed cut by a quarter point", date(2025, 1, 1)) == []
    assert windows("미국 10년물 금리와 40년이 지난 현재", date(2025, 1, 1)) == []


def test_bare_months_and_days_take_their_year_from_the_reading() -> None:
    anchor = date(2023, 7, 12)
    assert due_ends("7월 14일 (금): 변경 리밸런싱 비중 발표", anchor) == [date(2023, 7, 14)]
    assert due_ends("3월 출시 예정", date(2025, 11, 4), prefer="future") == [date(2026, 3, 31)]
    assert due_ends("3월에 발표했다", date(2025, 11, 4), prefer="past") == [date(2025, 3, 31)]
    # A title such as "2026 predictions" fixes yearless parts of its list.
    assert due_ends("연말 50% 돌파", date(2025, 12, 22), context_year=2026) == [date(2026, 12, 31)]


def test_same_sentence_year_carries_over() -> None:
    sentence = "첫 서비스는 2026년 3월 16일 시작되며 같은 해 연말까지 80대로 늘린다"
    assert due_ends(sentence, date(2025, 9, 2)) == [date(2026, 3, 16), date(2026, 12, 31)]


def test_relative_days_weeks_and_schedule_notation() -> None:
    anchor = date(2025, 6, 12)  # a Thursday
    assert due_ends("다음주 수요일 FOMC", anchor) == [date(2025, 6, 18)]
    assert due_ends("담주 금요일(20일) 네 마녀의 날", anchor) == [date(2025, 6, 20)]
    assert due_ends("익일 발표", anchor) == [date(2025, 6, 13)]
    assert due_ends("다음 달 20일 판교에서 열린다", date(2025, 4, 30)) == [date(2025, 5, 20)]
    assert due_ends("- 10/15(수) 9월 CPI 발표", date(2025, 10, 6))[0] == date(2025, 10, 15)
    assert windows("지분 1/2 매각", anchor) == []


def test_fiscal_and_estimate_labels() -> None:
    [fy] = find_time_expressions("We raise FY26E EPS", date(2025, 7, 22))
    assert fy.fiscal and fy.due_end == date(2026, 12, 31)
    [calendar] = find_time_expressions("by the end of calendar 2026", date(2025, 7, 22))
    assert not calendar.fiscal
    [half] = find_time_expressions("A recovery through 2HFY26", date(2025, 7, 22))
    assert half.fiscal and half.granularity == "half"


def test_relations_until_since_before() -> None:
    [until] = find_time_expressions("2026년까지 1기가와트", date(2025, 10, 24))
    assert until.relation == "until"
    [since] = find_time_expressions("2024년 2분기부터는", date(2023, 7, 12))
    assert since.relation == "since"
    [before] = find_time_expressions("probably not before June", date(2025, 1, 3))
    assert before.relation == "before"
    [by_year_end] = find_time_expressions("before the end of the year", date(2024, 11, 2))
    assert by_year_end.relation == "until"


def test_every_expression_names_the_rules_that_built_it() -> None:
    anchor = date(2023, 7, 12)
    [composite] = find_time_expressions("2024년 2분기부터 가동될 예정", anchor)
    assert composite.rule == "ko_year4+ko_quarter"
    [joined] = find_time_expressions("FSD wide release 시기도 2024년 말에서 25년 전도로", anchor)
    assert joined.rule == "ko_year4+ko_part~ko_duration@range_end_year"
    [horizon] = find_time_expressions("앞으로 2~3년은", anchor)
    assert horizon.rule == "ko_duration"


def test_explain_time_lists_rule_window_granularity_and_relation() -> None:
    [explained] = explain_time("2024년 2분기부터 가동될 예정", date(2023, 7, 12))
    assert explained.rules == ("ko_year4", "ko_quarter")
    assert (explained.due_start, explained.due_end) == (date(2024, 4, 1), date(2024, 6, 30))
    assert (explained.granularity, explained.relation) == ("quarter", "since")
    assert explained.describe() == (
        "'2024년 2분기' → 2024-04-01..2024-06-30 quarter since [explicit_year]"
        " (rule ko_year4+ko_quarter)"
    )
    assert explained.as_dict()["window"] == ["2024-04-01", "2024-06-30"]
    assert explain_time("숫자 없는 문장", date(2023, 7, 12)) == []


def test_describe_rules_lists_every_rule_in_the_order_tried() -> None:
    described = describe_rules()
    assert described[0].name == "numeric_date"
    by_name = {rule.name: rule for rule in described}
    assert by_name["ko_year2"].function == "year"
    assert by_name["ko_year2"].parameters == {"anchor_years": [-25, 10]}
    assert by_name["ko_consecutive_count"].removes
    assert all(rule.examples >= 1 for rule in described)


def test_a_day_range_is_one_window_and_its_second_day_keeps_the_month() -> None:
    anchor = date(2025, 5, 2)
    assert windows("회의는 5월 6일 ~ 7일 열린다", anchor) == [
        ("5월 6일 ~ 7일", date(2025, 5, 6), date(2025, 5, 7))
    ]
    assert windows("6~7일 양일간", anchor) == [("6~7일", date(2025, 5, 6), date(2025, 5, 7))]
    assert windows("FOMC meets May 6–7", anchor) == [
        ("May 6–7", date(2025, 5, 6), date(2025, 5, 7))
    ]
    # Two consecutive days joined to a dated day are one event's window, in that month even
    # once the month is over; days further apart stay two days of that month.
    later = date(2025, 5, 20)
    assert windows("5월 6일과 7일 열린 회의", later, prefer="past") == [
        ("5월 6일과 7일", date(2025, 5, 6), date(2025, 5, 7)),
    ]
    assert windows("5월 6일과 9일 열린 회의", later, prefer="past") == [
        ("5월 6일", date(2025, 5, 6), date(2025, 5, 6)),
        ("9일", date(2025, 5, 9), date(2025, 5, 9)),
    ]


def test_a_dateline_day_is_never_a_later_month() -> None:
    # "31일(현지시간)" in a post of June 1st (Korean time): the US date was May 31st.
    assert due_ends("애플은 31일(현지시간) 실적을 발표했다", date(2025, 6, 1)) == [
        date(2025, 5, 31)
    ]
    for prefer in ("future", "past", "nearest"):
        [(_, start, end)] = windows("3일(현지시간) 발표", date(2025, 5, 5), prefer=prefer)
        assert start == end == date(2025, 5, 3)


def test_next_year_is_always_the_year_after_the_anchor() -> None:
    anchor = date(2025, 12, 20)
    forms = ["내년", "내년 말", "내년 하반기", "내년 3월", "내년 봄", "내년 연말", "next year"]
    for text in forms:
        for prefer in ("future", "past", "nearest"):
            for context_year in (None, 2027, 2024):
                found = find_time_expressions(
                    f"2024년 실적에 이어 {text} 전망",
                    anchor,
                    prefer=prefer,
                    context_year=context_year,
                )
                next_year = [e for e in found if text in e.text]
                assert [e.due_end.year for e in next_year] == [2026], (text, prefer, found)


def test_a_year_followed_by_from_is_a_start_the_caller_can_tell_apart() -> None:
    low, start = find_time_expressions("2024년을 저점으로 2025년부터 회복", date(2024, 6, 1))
    assert (low.text, low.relation) == ("2024년", "at")
    assert (start.text, start.relation) == ("2025년", "since")
    [pivot] = find_time_expressions("2025년을 기점으로 반등", date(2024, 6, 1))
    assert pivot.relation == "since"
    [onwards] = find_time_expressions("from 2026 onwards", date(2025, 6, 1))
    assert onwards.relation == "since"


def test_spans_of_years_next_to_an_explicit_year_count_from_that_year() -> None:
    anchor = date(2025, 3, 1)
    until, span = find_time_expressions("2028년까지 3년간 10조원을 투자", anchor)
    assert (until.due_end, until.relation) == (date(2028, 12, 31), "until")
    assert (span.due_start, span.due_end, span.relation) == (
        date(2026, 1, 1),
        date(2028, 12, 31),
        "during",
    )
    assert span.rule == "ko_duration@to_year"
    span, until = find_time_expressions("over three years through 2028", anchor)
    assert (span.due_start, span.due_end) == (date(2026, 1, 1), date(2028, 12, 31))
    assert (until.text, until.relation) == ("2028", "until")
    # Not next to a year: still counted from the post.
    [alone] = find_time_expressions("향후 3년간 10조원을 투자", anchor)
    assert (alone.due_start, alone.due_end) == (anchor, date(2028, 3, 1))


def test_vague_counts_give_a_vague_window_from_the_anchor() -> None:
    anchor = date(2025, 3, 1)
    for text, end in [
        ("수 개월 내에 결정", date(2025, 8, 1)),
        ("몇 달 안에 결정", date(2025, 7, 1)),
        ("수년 내 상용화", date(2030, 3, 1)),
        ("within a few weeks", date(2025, 3, 29)),
        ("over the next few quarters", date(2026, 3, 1)),
    ]:
        [expression] = find_time_expressions(text, anchor)
        assert (expression.due_start, expression.due_end) == (anchor, end), text
        assert expression.vague and expression.relation == "within", text
    [ago] = find_time_expressions("몇 년 전 발표된", anchor)
    assert ago.past_marker and ago.relation == "ago"


def test_times_of_day_are_not_dates() -> None:
    anchor = date(2025, 3, 5)
    assert windows("The data is due at 8:00 a.m. ET.", anchor) == []
    assert windows("오전 8시 발표", anchor) == []
    assert windows("Results at 4 p.m. on Tuesday", anchor) == [
        ("Tuesday", date(2025, 3, 11), date(2025, 3, 11))
    ]


def test_weekdays_and_months_in_the_past_resolve_to_the_last_one() -> None:
    anchor = date(2025, 3, 5)  # a Wednesday
    assert due_ends("a note published on Monday", anchor, prefer="past") == [date(2025, 3, 3)]
    assert due_ends("a note published on Monday", anchor) == [date(2025, 3, 10)]
    [last] = find_time_expressions("shares fell last Monday", anchor)
    assert (last.due_end, last.past_marker) == (date(2025, 3, 3), True)
    assert due_ends("kept rates unchanged in March", date(2025, 2, 5), prefer="past") == [
        date(2024, 3, 31)
    ]
    assert due_ends("Sales doubled since last March", date(2025, 5, 5)) == [date(2025, 3, 31)]
    assert due_ends("오는 3월 출시한다고 밝혔다", date(2025, 11, 4), prefer="past") == [
        date(2026, 3, 31)
    ]
