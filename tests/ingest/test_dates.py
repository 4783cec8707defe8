"""Publication dates read from a post's opening and its address (digests/ingest/dates.py).

The forms below are written the way Korean and English sites, newsletters, cafés, blogs and
video pages print them; each case names where such a line comes from.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from digests.ingest.dates import as_of_date, opening_date, parse_byline, url_date

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
BODY_KO = "반도체 업황은 내년 상반기까지 회복세를 이어갈 것으로 보인다."
BODY_EN = "Memory prices should keep rising through the first half of next year."


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        # Korean news pages: input/edit stamps on one line, in several spellings.
        ("입력 2025.12.03 09:40 수정 2025.12.03 10:20", datetime(2025, 12, 3, 9, 40)),
        (
            "기사입력 2025.12.03. 오전 9:40 최종수정 2025.12.03. 오전 10:20",
            datetime(2025, 12, 3, 9, 40),
        ),
        (
            "입력 : 2025-12-03 09:40:12 | 수정 : 2025-12-03 10:00:00",
            datetime(2025, 12, 3, 9, 40, 12),
        ),
        ("입력 2025-12-03", datetime(2025, 12, 3)),
        ("[입력 2025.12.03 17:05]", datetime(2025, 12, 3, 17, 5)),
        ("송고시간 2025-12-03 06:00", datetime(2025, 12, 3, 6, 0)),
        ("문의 02-1234-5678", None),  # a phone number is no date
        # Korean blogs and cafés.
        ("2025년 12월 3일 오전 9:40", datetime(2025, 12, 3, 9, 40)),
        ("2025년 12월 3일 (수)", datetime(2025, 12, 3)),
        ("2025.12.03(수) 09:40", datetime(2025, 12, 3, 9, 40)),
        ("작성: 2024.08.19 / 개인 공부용 메모라 반말 주의", datetime(2024, 8, 19)),
        ("주식하는직장인 | 2025.08.18 22:41 | 조회 312 | 댓글 27", datetime(2025, 8, 18, 22, 41)),
        ("2025.05.29 목요일 · 미국주식 일기", datetime(2025, 5, 29)),
        ("배포일: 2025년 10월 28일(화) | 문의: 한결테크 IR팀", datetime(2025, 10, 28)),
        ("영상 업로드: 2025.07.05 / 정리: 2025.07.06", datetime(2025, 7, 6)),
        ("━━━━━━━━ 2025년 10월 14일 ━━━━━━━━", datetime(2025, 10, 14)),
        ("바다곰 2025. 9. 8. 21:14", datetime(2025, 9, 8, 21, 14)),
        ("홍길동 기자 2025.12.03 09:40", datetime(2025, 12, 3, 9, 40)),
        ("조회수 41,327회 2026. 2. 19. #코스피 #금리", datetime(2026, 2, 19)),
        ("2025.08.18 | 기업분석 | 애널리스트 정하늘", datetime(2025, 8, 18)),
        # English blogs, newsletters and wires.
        ("Posted on December 3, 2025", datetime(2025, 12, 3)),
        ("Posted on December 3, 2025 by Jane Doe", datetime(2025, 12, 3)),
        ("Posted September 4, 2025 · Halyard Research desk", datetime(2025, 9, 4)),
        (
            "Posted September 15, 2025 by Maya Lindqvist, Partner at Northgate",
            datetime(2025, 9, 15),
        ),
        ("Jane Doe · Dec 3, 2025 · 5 min read", datetime(2025, 12, 3)),
        ("Lena Park · Posted August 12, 2025 · 7 min read", datetime(2025, 8, 12)),
        ("May 6, 2025 ∙ 9 min read", datetime(2025, 5, 6)),
        ("Published Dec 3, 2025 | Updated Dec 4, 2025", datetime(2025, 12, 3)),
        ("Updated Dec 4, 2025 | Published Dec 3, 2025", datetime(2025, 12, 3)),
        ("3 December 2025", datetime(2025, 12, 3)),
        ("Dec 3, 2025 —", datetime(2025, 12, 3)),
        ("41K views · Feb 19, 2026", datetime(2026, 2, 19)),
    ],
)
def test_dated_openings(opening: str, expected: datetime | None) -> None:
    found = opening_date(f"시장 메모\n{opening}\n{BODY_KO}", SEOUL)

    if expected is None:
        assert found is None
    else:
        assert found is not None, opening
        assert found.published.replace(tzinfo=None) == expected


def test_a_time_zone_written_with_the_date_is_kept() -> None:
    found = opening_date(f"Oct 29, 2025, 5:00 p.m. ET\n{BODY_EN}", SEOUL)

    assert found is not None
    assert found.published == datetime(2025, 10, 29, 17, 0, tzinfo=NEW_YORK)
    assert found.published.utcoffset() == timedelta(hours=-4)


def test_a_date_without_a_zone_is_in_the_default_zone() -> None:
    found = opening_date(f"입력 2025.12.03 09:40\n{BODY_KO}", SEOUL)

    assert found is not None and found.published.tzinfo == SEOUL


@pytest.mark.parametrize(
    "first_paragraph",
    [
        "Dec 3, 2025 — Samsung said on Wednesday it would raise HBM output.",
        "SEOUL, Dec. 3, 2025 -- Samsung Electronics said on Wednesday it would raise output.",
        "NEW YORK, December 3, 2025 – Nvidia will report earnings next week.",
        "2025-12-03 - 오늘의 반도체 메모: 삼성전자가 HBM 증설을 발표했다.",
    ],
)
def test_a_news_dateline_opening_the_first_paragraph(first_paragraph: str) -> None:
    found = opening_date(f"Title of the story\n{first_paragraph}\n{BODY_EN}", SEOUL)

    assert found is not None and found.published.date().isoformat() == "2025-12-03"
    assert found.rule == "dateline"


def test_the_author_of_a_date_first_byline_comes_along() -> None:
    found = opening_date(f"Posted on December 3, 2025 by Jane Doe\n{BODY_EN}", SEOUL)
    medium = opening_date(f"Jane Doe · Dec 3, 2025 · 5 min read\n{BODY_EN}", SEOUL)

    assert found is not None and found.author == "Jane Doe"
    assert medium is not None and medium.author == "Jane Doe"


@pytest.mark.parametrize(
    "text",
    [
        # Dates inside sentences are what the post talks about, not when it was written.
        f"시장 메모\n2025년 12월 3일에 실적 발표가 있었다. 주가는 크게 올랐다.\n{BODY_KO}",
        f"Memo\nOn December 3, 2025 the company reported record revenue.\n{BODY_EN}",
        f"Memo\nIn 2025 — the year of AI — everything changed.\n{BODY_EN}",
        # Relative or partial dates say nothing about the year.
        f"테슬라 메모\n어제, 22일. 테슬라가 이벤트데이를 열었다.\n{BODY_KO}",
        f"1/13(화) 장전 메모 ✍️\n{BODY_KO}",
        f"12월 3일 수요일\n{BODY_KO}",
        # A line of fields whose "date" field is a sentence is not metadata.
        f"메모\n실적은 좋았다 | 2025.12.03에 발표됐다.\n{BODY_KO}",
    ],
)
def test_openings_without_a_publication_date(text: str) -> None:
    assert opening_date(text, SEOUL) is None


def test_only_the_opening_lines_count() -> None:
    late = "\n".join(["메모", *[BODY_KO] * 6, "입력 2025.12.03 09:40"])

    assert opening_date(late, SEOUL) is None
    assert opening_date("\n".join(["메모", *[BODY_KO] * 4, "입력 2025.12.03 09:40"]), SEOUL)


@pytest.mark.parametrize(
    ("opening", "day"),
    [
        ("(2025.11.28 기준)", "2025-11-28"),
        ("※ 2025년 11월 28일 종가 기준", "2025-11-28"),
        ("주가는 2025.11.28 현재 기준입니다.", "2025-11-28"),
        ("[표] 주요 종목 등락률 (2025/11/28 장 마감 기준)", "2025-11-28"),
        ("All figures as of Nov 28, 2025.", "2025-11-28"),
        ("Prices as of 2025-11-28, 4 p.m. ET", "2025-11-28"),
    ],
)
def test_as_of_dates_in_the_opening(opening: str, day: str) -> None:
    found = as_of_date(f"시장 메모\n{opening}\n{BODY_KO}", SEOUL)

    assert found is not None and found.published.date().isoformat() == day
    assert found.rule == "as of"


def test_an_as_of_date_deep_in_the_body_does_not_count() -> None:
    text = "\n".join(["메모", *[BODY_KO] * 6, "(2025.11.28 기준)"])

    assert as_of_date(text, SEOUL) is None


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://blog.example.com/2025/12/03/hbm-notes/", "2025-12-03"),
        ("https://example.com/posts/2025-12-03-hbm-notes", "2025-12-03"),
        ("https://www.example.co.kr/news/article/20251203093000", "2025-12-03"),
        ("https://www.example.co.kr/news/20251203/123456", "2025-12-03"),
        ("https://example.com/view?date=20251203&id=7", "2025-12-03"),
        ("https://example.com/2025.12.03/notes", "2025-12-03"),
    ],
)
def test_dates_in_addresses(url: str, day: str) -> None:
    found = url_date(url, SEOUL)

    assert found is not None and found.published.date().isoformat() == day
    assert found.published.tzinfo == SEOUL


@pytest.mark.parametrize(
    "url",
    [
        "https://n.news.naver.com/article/015/0005123456",  # an article number
        "https://blog.naver.com/someone/223456789012",  # a post number
        "https://example.com/2025/12/hbm-notes",  # a month, not a day
        "https://example.com/20251399/x",  # not a date
        "https://example.com/id/120251203",  # digits inside a longer number
        "https://20251203.example.com/notes",  # the host is not the path
        None,
    ],
)
def test_addresses_without_a_day(url: str | None) -> None:
    assert url_date(url, SEOUL) is None


def test_offsets_written_as_numbers() -> None:
    found = opening_date(f"입력 2025-12-03 09:40 +0900\n{BODY_KO}", ZoneInfo("UTC"))

    assert found is not None
    assert found.published.utcoffset() == timezone(timedelta(hours=9)).utcoffset(None)


@pytest.mark.parametrize(
    "line",
    [
        "Saturday, December 07, 2019",
        "Schedule for Week of December 8, 2019",
        "Earnings for Q3 2025",
    ],
)
def test_a_weekday_or_a_title_ending_in_a_date_is_no_byline(line: str) -> None:
    assert parse_byline(line, ZoneInfo("UTC")) is None
