"""Forecast rules: what is a dated claim, what only names a period, and which date it gets."""

from __future__ import annotations

from datetime import date

import pytest

from digests.analysis.pipeline import Analyzer
from tests.analysis.test_pipeline import make_post


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    # These tests pin the named rules; the learned decision is measured in test_evaluate.py.
    return Analyzer(forecast_model=None)


def dated(
    analyzer: Analyzer, text: str, published: date, title: str = "메모"
) -> list[tuple[str | None, date | None]]:
    (analysis,) = analyzer.analyze([make_post(text, published, title)], default_anchor=published)
    return [(f.timex, f.due_end) for f in analysis.forecasts]


def test_labels_questions_and_chapter_lines_are_not_claims(analyzer: Analyzer) -> None:
    text = (
        "▶ 다음 달\n"
        "다음 달에 3분기 실적이 나오는데요, 영업이익 1,100억원 정도 나올 거라고 봐요.\n"
        "명년(’26년)은 어떨까요?\n"
        "15:52 내년 이맘때 코스피\n"
    )
    # judged when the results come out next month
    assert dated(analyzer, text, date(2025, 9, 8)) == [("다음 달", date(2025, 10, 31))]


def test_a_rhetorical_question_still_asserts(analyzer: Analyzer) -> None:
    text = "삼전은 3분기 잠정실적 10월 초에 나올텐데 영업익 9조 정도는 찍을듯?"
    assert dated(analyzer, text, date(2025, 8, 18))


def test_an_arrow_replaces_the_old_date(analyzer: Analyzer) -> None:
    text = "🔹 베트남 2공장 가동 시점 26년 1H → 27년 1H로 연기"
    assert dated(analyzer, text, date(2025, 10, 14)) == [("27년 1H", date(2027, 6, 30))]


def test_a_telegraphic_bullet_is_a_claim_not_a_heading(analyzer: Analyzer) -> None:
    text = (
        "- 15일 금통위 → 동결 예상 (만장일치는 아닐 듯)\n- 1분기 중 코스피 5,000 터치 가능하다고 봄"
    )
    assert dated(analyzer, text, date(2026, 1, 13)) == [
        ("15일", date(2026, 1, 15)),
        ("1분기", date(2026, 3, 31)),
    ]


def test_a_news_dateline_and_an_occasion_of_saying_are_not_due_dates(analyzer: Analyzer) -> None:
    text = (
        "대양에너지는 18일 미국 공장의 일부 라인을 ESS용 라인으로 전환한다고 발표했다.\n"
        "국제통화기금(IMF)은 10월 세계경제전망에서 한국의 2026년 성장률을 1.8%로 예상했다."
    )
    assert dated(analyzer, text, date(2025, 12, 1)) == [("2026년", date(2026, 12, 31))]


def test_the_writers_old_calls_and_graded_scorecards_are_not_forecasts(analyzer: Analyzer) -> None:
    text = (
        "2023년 초만 해도 나는 완전자율주행 택시가 2025년이면 서울 시내를 달릴 거라고 믿었다.\n"
        '1. "Quillon AI IPOs before July." ✅ Priced June 11.\n'
        "Back in 2021 I wrote that utilities would be dead money until 2025.\n"
    )
    assert dated(analyzer, text, date(2025, 3, 1)) == []


def test_section_headings_set_the_year_of_a_predictions_list(analyzer: Analyzer) -> None:
    text = (
        "Part 1: How did my 2026 calls do?\n\n"
        "I still think it gets there by year-end.\n\n"
        "Part 2: Ten predictions for 2027\n\n"
        "1. At least one hyperscaler cuts its capex guidance by Q3.\n\n"
        "2. The 10-year Treasury ends the year below 4%.\n"
    )
    assert dated(analyzer, text, date(2026, 11, 16), title="Ten predictions") == [
        ("year-end", date(2026, 12, 31)),
        ("Q3", date(2027, 9, 30)),
        ("ends the year", date(2027, 12, 31)),
    ]


def test_a_stated_fiscal_year_counts_bare_quarters(analyzer: Analyzer) -> None:
    text = (
        "As a reminder, our fiscal year ends on June 30.\n"
        "For the second quarter, we expect revenue of $1.42 billion.\n"
        "We believe the business can reach a billion-dollar run rate next fiscal year.\n"
    )
    assert dated(analyzer, text, date(2025, 10, 29), title="Call") == [
        ("second quarter", date(2025, 12, 31)),
        ("next fiscal year", date(2027, 6, 30)),
    ]


def test_deadlines_in_english_look_ahead(analyzer: Analyzer) -> None:
    assert dated(analyzer, "$MU re-rates by summer.", date(2025, 11, 24), title="thread") == [
        ("summer", date(2026, 8, 31))
    ]


@pytest.fixture(scope="module")
def rules() -> Analyzer:
    return Analyzer(forecast_model=None)


def test_that_day_takes_the_day_the_post_last_named(rules: Analyzer) -> None:
    text = (
        "연준은 29일 이틀간의 회의를 마치고 기준금리를 결정한다.\n"
        "이날 메타의 실적 발표도 예정돼 있다.\n"
        "누리모빌리티는 이날 중동 진출 계획도 공개했다.\n"
    )
    found = dated(rules, text, date(2025, 10, 27))
    assert ("이날", date(2025, 10, 29)) in found
    assert found.count(("이날", date(2025, 10, 29))) == 1  # the past-tense news line is not one


def test_a_price_target_without_a_horizon_is_a_twelve_month_call(rules: Analyzer) -> None:
    text = "하나증권은 목표주가를 30만원에서 35만원으로 상향한다고 밝혔다."
    assert dated(rules, text, date(2025, 7, 16)) == [("목표주가", date(2026, 7, 16))]
    assert dated(rules, "목표주가의 의미를 설명하는 글이다.", date(2025, 7, 16)) == []


def test_figures_as_of_a_date_are_not_due_then(rules: Analyzer) -> None:
    text = "7월 8일 현재 7월에만 총 11개의 공모주가 청약을 진행할 예정이다."
    assert dated(rules, text, date(2025, 7, 1)) == [("7월", date(2025, 7, 31))]


def test_the_posts_own_date_written_out_is_today(rules: Analyzer) -> None:
    text = "2025년 11월 19일 장 마감 후 엔비디아가 3분기 실적을 발표할 예정이다."
    assert dated(rules, text, date(2025, 11, 19)) == [("2025년 11월 19일", date(2025, 11, 19))]
    dateline = "삼성전자는 19일 기자간담회에서 신제품을 공개할 것이라고 밝혔다."
    assert dated(rules, dateline, date(2025, 11, 19)) == []


def test_a_schedule_line_takes_the_day_named_just_before(rules: Analyzer) -> None:
    text = (
        "28일 화요일은 연준이 FOMC 회의를 시작한다.\n"
        "국내에선 한국은행이 3분기 GDP 속보치를 발표한다.\n"
        "지난 2분기엔 전 분기 대비 0.7% 성장한 바 있다.\n"
    )
    found = dated(rules, text, date(2025, 10, 26))
    assert found.count(("28일 화요일", date(2025, 10, 28))) == 2
    assert all(due == date(2025, 10, 28) for _, due in found)


def test_titles_frames_and_topics_are_not_claims(rules: Analyzer) -> None:
    text = (
        "셀트리온 (068270) 기업분석: 합병 시너지 가시화 및 2026년 신약 모멘텀 점검\n"
        "다만 내년 실적에 대한 증권가 전망은 엇갈린다.\n"
        "| Year | New Forecast (Dec '25) | Prior Forecast (Sept '25) | Change |\n"
        "As we head into 2026, the market feels different.\n"
        "I'll also preview the payout boosts that I expect for February 2026.\n"
        "셀트리온은 2026년 매출 5조원을 달성할 것이다.\n"
    )
    assert dated(rules, text, date(2025, 12, 10)) == [("2026년", date(2026, 12, 31))]


def test_a_revised_target_reports_a_forecast(rules: Analyzer) -> None:
    text = "3분기 실적 발표 후 증권가는 목표주가를 130만원에서 170만원으로 올렸다."
    assert dated(rules, text, date(2025, 10, 30)) == [("목표주가", date(2026, 10, 30))]


def test_a_heading_and_the_body_line_restating_it_are_one_forecast(rules: Analyzer) -> None:
    text = (
        "SK하이닉스 2026년 HBM 매출 2배 성장 전망\n"
        "SK하이닉스의 HBM 매출은 2026년 두 배로 성장할 것으로 전망된다.\n"
    )
    (analysis,) = rules.analyze(
        [make_post(text, date(2025, 12, 1))], default_anchor=date(2025, 12, 1)
    )
    assert [(f.sentence_index, f.due_end) for f in analysis.forecasts] == [(1, date(2026, 12, 31))]


def test_list_items_take_the_date_of_their_lead_in(rules: Analyzer) -> None:
    text = (
        "Several banks have issued forecasts for gold at the end of 2026:\n"
        "- Goldman Sachs: $4,900 an ounce\n"
        "- UBS: $5,000 an ounce\n"
        "Gold traded at $4,100 on Monday.\n"
        "- JPMorgan: bullish on silver\n"
    )
    found = dated(rules, text, date(2025, 11, 20))
    assert found == [("the end of 2026", date(2026, 12, 31))] * 2


def test_points_of_a_strategy_list_do_not_inherit_the_title_year(analyzer: Analyzer) -> None:
    text = (
        "2. 채권 전략: 편하지는 않지만, Carry On\n\n"
        "✔ 투자 전략 요약\n\n"
        "  • 금리 변동성은 여전히 부담\n"
        "  • 하지만 현 금리 수준은 캐리 수익 관점에서 매력적\n\n"
        "✔ 기준금리 전망\n\n"
        "  • 2026년 하반기 1회 추가 인하 가능성 존재\n"
    )
    found = dated(analyzer, text, date(2025, 12, 1), title="2026년 증시 전망 총정리")
    assert found == [("2026년 하반기", date(2026, 12, 31))]


def test_estimates_in_an_earnings_preview_are_judged_on_the_report_day(analyzer: Analyzer) -> None:
    text = (
        "26일 금융투자업계에 따르면, 엔비디아는 28일(현지시간) 뉴욕 증시 마감 후, 한국시간 기준 "
        "29일 새벽에 2분기 실적을 공개한다.\n"
        "컨센서스(시장 평균 전망치)는 매출 286억달러, EPS 0.64달러로 형성돼있다.\n"
        "시장에선 2분기 매출이 전년 대비 120% 증가할 것으로 보고 있다.\n"
    )
    found = dated(analyzer, text, date(2024, 8, 26))
    assert ("컨센서스", date(2024, 8, 29)) in found
    assert ("2분기", date(2024, 8, 29)) in found  # the quarter being reported, not June 30
    assert all(due != date(2024, 6, 30) for _, due in found)


def test_without_one_report_day_estimates_keep_their_period(analyzer: Analyzer) -> None:
    # A weekly calendar names several report days: no single frame, no implied date.
    text = (
        "마이크로소프트는 24일 실적을 발표한다. 인텔은 28일 실적을 발표한다.\n"
        "컨센서스는 매출 500억달러다.\n"
    )
    found = dated(analyzer, text, date(2023, 1, 20))
    assert all(timex != "컨센서스" for timex, _ in found)


def test_a_low_point_a_recovery_counts_from_is_not_its_date(analyzer: Analyzer) -> None:
    text = "증권가는 2025년을 바닥으로 2026년부터 본격 반등할 것으로 전망하고 있습니다."
    assert dated(analyzer, text, date(2025, 11, 1)) == [("2026년", date(2026, 12, 31))]


def test_an_english_weekday_told_as_news_is_the_day_gone_by(analyzer: Analyzer) -> None:
    published = date(2025, 9, 30)  # a Tuesday
    past = "With Bitcoin's price reaching a high of $115,879 on Sunday, a 50% gain would be huge."
    assert dated(analyzer, past, published) == []
    since = "Solana has lost more than 47% of its value since January 1."
    assert dated(analyzer, since, published) == []
    ahead = "Micron is scheduled to report results on Thursday, with EPS seen at $2.85."
    assert dated(analyzer, ahead, published) == [("Thursday", date(2025, 10, 2))]


def test_a_weekday_list_after_a_schedule_sentence_looks_ahead(analyzer: Analyzer) -> None:
    text = (
        "151 companies in the S&P 500 are slated to release their quarterly results. "
        "That includes Meta and Microsoft on Wednesday and Amazon and Apple on Thursday."
    )
    found = dated(analyzer, text, date(2025, 7, 27))
    assert ("Wednesday", date(2025, 7, 30)) in found


def test_two_figures_for_one_date_are_two_claims(analyzer: Analyzer) -> None:
    text = "LG에너지솔루션의 2026년 매출은 34조원, 영업이익도 3조8000억원으로 회복될 전망입니다."
    published = date(2025, 11, 1)
    (analysis,) = analyzer.analyze([make_post(text, published, "메모")], default_anchor=published)
    # each item keeps its sentence as its text (what a reader checks) and its own claim
    assert [f.text for f in analysis.forecasts] == [text, text]
    assert "34조원" in analysis.forecasts[0].claim
    assert "3조8000억원" in analysis.forecasts[1].claim
    estimate = "테슬라 23Q2 EPS 추정범위는 $0.93에서 $0.97이며 추정치는 $0.95입니다."
    assert len(dated(analyzer, estimate, date(2023, 7, 10))) == 1  # one estimate, told twice


def test_a_fact_beside_a_claim_or_a_baseline_does_not_split_it(analyzer: Analyzer) -> None:
    published = date(2025, 11, 1)
    fact = "회사의 총 백로그는 1100억 달러를 넘어섰고, 4분기 매출은 50억 달러로 전망된다."
    assert len(dated(analyzer, fact, published)) == 1
    baseline = "Management expects margins of 18% in fiscal 2026, up from 14% in fiscal 2025."
    assert len(dated(analyzer, baseline, published)) == 1


def test_a_timeline_line_names_what_is_due_in_its_period(analyzer: Analyzer) -> None:
    text = "📅 2026년 상반기: 아리바이오 ‘AR1001’ 글로벌 임상 3상 결과 발표\n"
    assert dated(analyzer, text, date(2026, 2, 1)) == [("2026년 상반기", date(2026, 6, 30))]


def test_the_day_a_report_came_out_is_not_its_due_date(analyzer: Analyzer) -> None:
    text = "Realtor.com released its 2026 Housing Forecast on Dec. 3, 2025, projecting a cautious recovery."
    found = dated(analyzer, text, date(2025, 12, 3))
    assert all(due != date(2025, 12, 3) for _, due in found)


def test_an_estimate_of_a_year_just_ended_is_judged_when_its_results_are_out(
    analyzer: Analyzer,
) -> None:
    text = "증권가 컨센서스에 따르면 농심은 지난해 영업이익이 1895억 원으로 전망됐다."
    # no report day named: annual results are out about six weeks after the year ends
    assert dated(analyzer, text, date(2026, 1, 20)) == [("지난해", date(2026, 2, 14))]


def test_a_calendars_week_dates_the_estimates_listed_under_it(analyzer: Analyzer) -> None:
    # A Sunday schedule post: its heading's week, not the post's day, dates the consensus lines.
    text = (
        "Schedule for Week of December 8, 2019\n"
        "The FOMC meets this week, and no change to policy is expected.\n"
        "No major economic releases scheduled.\n"
        "8:30 AM: The Consumer Price Index for November from the BLS. The consensus is for a "
        "0.2% increase in CPI.\n"
        "8:30 AM: The Producer Price Index for November from the BLS. The consensus is for a "
        "0.2% increase in PPI.\n"
        "8:30 AM: Initial claims. The consensus is for 212,000 initial claims, up from 203,000 "
        "last week.\n"
    )
    found = dated(analyzer, text, date(2019, 12, 8), title="Schedule")
    week_end = date(2019, 12, 13)
    assert ("this week", week_end) in found  # written on a Sunday, looking ahead
    assert found.count(("consensus is for", week_end)) == 3  # CPI and PPI are two claims
    assert len(found) == 4  # "No major economic releases scheduled." is no claim
    # the same lines without a week heading have no date
    undated = text.replace("Schedule for Week of December 8, 2019\n", "")
    assert ("consensus is for", week_end) not in dated(analyzer, undated, date(2019, 12, 8))


def test_a_week_ahead_tables_rows_take_their_weekday(analyzer: Analyzer) -> None:
    # A Friday post about next week: "Friday" is next Friday, and rows without a weekday take
    # the one above them; "Jan 8" names the data's week, not a due day.
    text = (
        "The following are forecasts for next week's U.S. data from a survey.\n"
        "DATE      TIME  RELEASE                    PERIOD     CONSENSUS    PREVIOUS\n"
        "Wednesday 0830  Consumer Price Index  M/M   Dec      +0.5%   (16)  +0.8%\n"
        "          0830  Consumer Price Index  Y/Y   Dec      +7.1%   (11)  +6.8%\n"
        "Friday    0830  Retail Sales                Dec      +0.2%   (15)  +0.3%\n"
        "          0915  Industrial Production       Dec      +0.4%   (13)  +0.5%\n"
    )
    found = dated(analyzer, text, date(2022, 1, 7), title="Data Week Ahead")
    dues = sorted(due for _, due in found if due is not None)
    assert date(2022, 1, 12) in dues and date(2022, 1, 14) in dues
    assert date(2022, 1, 7) not in dues  # the post's own Friday is not the row's
    assert dues.count(date(2022, 1, 14)) == 2  # Industrial Production takes Friday


def test_arrowed_lines_of_a_briefing_are_items_not_captions(analyzer: Analyzer) -> None:
    briefing = (
        "▲9일 미국 9월 및 10월 구인이직보고서 발표.\n"
        "▲미국 외에도 9일 호주, 10일 캐나다, 11일 스위스 중앙은행 통화정책회의 개최.\n"
    )
    assert dated(analyzer, briefing, date(2025, 12, 6))
    # one arrowed line alone is a photo caption
    caption = "▲10일 열리는 회의를 앞두고 취재진이 모여 있다.\n본문은 여기서 시작한다.\n"
    assert dated(analyzer, caption, date(2025, 12, 6)) == []


def test_a_calendar_days_line_dates_the_rows_below_it(analyzer: Analyzer) -> None:
    text = (
        "이번 주에는 7일 세계은행의 경제전망보고서에 관심이 모아진다.\n"
        "6월6일\n"
        "미국: 재닛 옐런 연방준비제도 의장 연설\n"
        "6월9일\n"
        "중국: 5월 소비자물가지수(CPI) 전년비 2.3%(2.3%)\n"
        "유럽: 1·4분기 국내총생산(GDP) 확정치 전기대비 0.5%(0.5%)\n"
    )
    found = dated(analyzer, text, date(2016, 6, 5))
    dues = [due for _, due in found]
    assert date(2016, 6, 6) in dues  # the speech
    assert dues.count(date(2016, 6, 9)) == 2  # the CPI row and the GDP row ("1·4분기" is Q1)
    assert date(2016, 12, 31) not in dues
    # a post's own dateline opens no day's rows
    dateline = "어제, 22일.\n미국: 의장 연설\n"
    assert dated(analyzer, dateline, date(2026, 12, 6)) == []


def test_a_span_counted_from_a_past_moment_is_past(analyzer: Analyzer) -> None:
    graded = "6개월 후인 지난 1월22일 이 목표가는 오차율 0.00%로 정확히 맞았다."
    assert dated(analyzer, graded, date(2021, 2, 3)) == []
    ahead = "회사는 6개월 후 신제품을 출시할 계획이다."
    assert [due for _, due in dated(analyzer, ahead, date(2021, 2, 3))] == [date(2021, 8, 3)]


def test_next_week_beside_this_week_on_a_weekend_is_the_week_after(analyzer: Analyzer) -> None:
    text = "다음주 미국 FOMC 회의가 예정된 가운데 이번 주에는 세계은행의 경제전망보고서가 나온다."
    dues = [due for _, due in dated(analyzer, text, date(2016, 6, 5))]  # a Sunday
    assert date(2016, 6, 17) in dues  # the FOMC week
    assert date(2016, 6, 10) in dues  # this (coming) week's report


def test_a_months_nth_week_is_a_market_week(analyzer: Analyzer) -> None:
    text = "1월 넷째 주 수도권 2349가구 등 전국에서 6016가구가 분양시장에 나온다."
    assert [due for _, due in dated(analyzer, text, date(2019, 1, 19))] == [date(2019, 1, 25)]


def test_a_bullet_titled_as_a_roadmap_is_no_claim(analyzer: Analyzer) -> None:
    text = "- K-배터리 3사의 2026 반격 로드맵 🏭\n- 2026년, K-바이오의 운명을 결정지을 ‘슈퍼 사이클’ 타임라인\n"
    assert dated(analyzer, text, date(2025, 12, 1)) == []
    assert dated(analyzer, "시장반영6/10일부 선반영, 추가 상승 여력 존재", date(2026, 2, 1)) == []


def test_a_period_likened_to_or_followed_is_a_baseline(analyzer: Analyzer) -> None:
    """The period a forecast is compared with ("1분기와 마찬가지로", "following a 0.6% increase
    in December", a calendar row's "(3분기 3.2%)") is no due date of its own."""
    likened = "2분기 실적 역시 1분기와 마찬가지로 내수 부진이 이어질 것이란 관측이다."
    assert [due for _, due in dated(analyzer, likened, date(2019, 5, 20))] == [date(2019, 6, 30)]
    followed = (
        "Economists forecast a 0.2% decline in consumer spending in the third quarter, "
        "following a 0.6% increase in the second quarter."
    )
    assert dated(analyzer, followed, date(2024, 5, 10)) == [("third quarter", date(2024, 9, 30))]
    row = "다음 주 4분기 GDP 증가율(3분기 3.2%) 발표가 예정돼 있다."
    assert "3분기" not in [text for text, _ in dated(analyzer, row, date(2023, 1, 20))]


def test_an_english_date_of_a_past_verb_is_the_day_gone_by(analyzer: Analyzer) -> None:
    """ "on Wednesday gave", "a report on Sept. 10 showed": the date is when the past verb just
    after it happened, not the next such day."""
    gave = "Texas Instruments on Wednesday gave a revenue forecast for the current period."
    assert all(due != date(2021, 7, 28) for _, due in dated(analyzer, gave, date(2021, 7, 23)))
    showed = (
        "OPEC's monthly report on Sept. 10 showed demand for its oil will decline to "
        "29.2 million barrels a day next year."
    )
    assert dated(analyzer, showed, date(2015, 9, 20)) == [("next year", date(2016, 12, 31))]


def test_a_price_target_set_in_the_past_tense_is_a_forecast_unless_graded(
    analyzer: Analyzer,
) -> None:
    """ "목표가를 255달러로 책정했다" gives a call for the year ahead; "목표가를 … 제시해 오차율
    -2.44%로" reviews a call already judged."""
    published = date(2024, 8, 30)
    given = "씨티는 애플의 목표가를 255달러로 책정했다."
    assert [due for _, due in dated(analyzer, given, published)] == [date(2025, 8, 30)]
    graded = "노 애널리스트도 목표가를 20만5000원으로 제시해 오차율 -2.44%로 좋은 성적을 거뒀다."
    assert dated(analyzer, graded, published) == []


def test_today_in_a_news_sentence_told_as_said_is_the_day_of_saying(analyzer: Analyzer) -> None:
    """ "회장이 오늘 … 진행하겠다고 밝혔습니다": today is when it was said, not a due date."""
    published = date(2019, 8, 5)
    said = "회장이 오늘 유튜브 생중계를 통해 결과를 발표하고 NDA를 진행하겠다고 밝혔습니다."
    assert dated(analyzer, said, published) == []
    spoke = "이 총재는 오늘 기자간담회를 열고 “기대가 커진 것으로 알고 있다”며 이같이 말했습니다."
    assert dated(analyzer, spoke, published) == []


def test_the_pages_own_date_opening_its_text_is_no_due_date(analyzer: Analyzer) -> None:
    """ "date 2021-07-23 Texas Instruments …" opens the page with its date; "2025년 11월 19일,
    CNBC에 따르면 …" dates what the sentence tells."""
    dateline = "date 2021-07-23 Texas Instruments gave a forecast that may disappoint investors."
    assert dated(analyzer, dateline, date(2021, 7, 23)) == []
    told = "2025년 11월 19일, 월가 컨센서스는 매출 549억 달러를 전망한다."
    assert [due for _, due in dated(analyzer, told, date(2025, 11, 19))] == [date(2025, 11, 19)]


def test_latest_readings_and_negated_past_look_back(analyzer: Analyzer) -> None:
    """ "the latest nowcast (July 10)", "an improvement over Q1's 1.4%", "We didn't gain … in the
    first quarter": dates gone by or baselines, never next year's."""
    published = date(2024, 7, 16)
    latest = (
        "Using the latest nowcast (July 10) from the GDPNow model as a proxy, growth looks firm."
    )
    assert dated(analyzer, latest, published) == []
    over = "Q3 output is projected to rise 2.0%, an improvement over Q1's tepid 1.4% rise."
    assert [text for text, _ in dated(analyzer, over, published)] == ["Q3"]
    negated = "We didn't gain any confidence in the first quarter, but inflation will cool."
    assert all(due.year == 2024 for _, due in dated(analyzer, negated, published))


def test_a_date_ending_the_claim_before_said_is_the_claims(analyzer: Analyzer) -> None:
    """ "… will launch a new EV by 2026, Sato said in February": the year is the claim's; only a
    date opening the sentence ("In a note dated Sunday, Goldman wrote …") is the time of saying."""
    claim = "Lexus will launch a next-generation battery-electric vehicle by 2026, Sato said."
    assert dated(analyzer, claim, date(2023, 4, 14)) == [("2026", date(2026, 12, 31))]
    saying = "In a note dated Sunday, Goldman wrote that it keeps its 2026 surplus forecast."
    assert [text for text, _ in dated(analyzer, saying, date(2026, 2, 27))] == ["2026"]


def test_a_clause_without_a_figure_does_not_join_a_sentences_claims(analyzer: Analyzer) -> None:
    """ "매출 12조 원, 영업이익은 1조 9천억 원 수준에 달할 것으로 추정하며 특수선 부문이 수익성을
    견인할 것으로 내다봤다": two figure claims; the closing clause belongs to the second."""
    text = (
        "증권가에서는 2026년 매출액이 12조 7천억 원, 영업이익은 1조 9천억 원 수준에 달할 것으로 "
        "추정하며 특수선 부문이 수익성을 견인할 것으로 내다보고 있습니다."
    )
    assert len(dated(analyzer, text, date(2025, 12, 20))) == 2
