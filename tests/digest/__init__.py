"""Digest tests. `sample_digest` builds a hand-made digest with every section for the render and
chart tests (the builder tests use the real store)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from digests.digest.model import (
    Digest,
    DigestPost,
    QuoteItem,
    ScoreItem,
    ThemeTrend,
)
from digests.ledger.model import ForecastRecord

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2025, 12, 8, tzinfo=SEOUL)
END = datetime(2025, 12, 15, tzinfo=SEOUL)


def forecast(
    forecast_id: int, claim: str, due_at: datetime | None, **values: object
) -> ForecastRecord:
    item = ForecastRecord(
        guild_id=7,
        origin="analysis",
        fingerprint=f"post1:{forecast_id}",
        sentence=claim,
        kind="outlook",
        hedge="likely",
        confidence=0.8,
        post_id=1,
        id=forecast_id,
        claim=claim,
        due_end=due_at.astimezone(SEOUL).date() - timedelta(days=1) if due_at else None,
        source_label="반도체 주간 메모",
        source_url=None,
        speaker=None,
        status="open",
        outcome=None,
        probability=None,
        due_at=due_at,
    )
    return replace(item, **values)  # type: ignore[arg-type]


def sample_digest(**values: object) -> Digest:
    """A digest of 2025-12-08 – 2025-12-15 (Asia/Seoul) with something in every section."""
    digest = Digest(
        guild_id=7,
        start=START,
        end=END,
        timezone="Asia/Seoul",
        catch_up=False,
        posts=[
            DigestPost(
                post_id=2,
                title="브로드컴 실적 메모",
                source="https://www.example.com/feed.xml",
                url="https://www.example.com/broadcom",
                author="김기자",
                published=datetime(2025, 12, 12, 9, tzinfo=SEOUL),
                summary="브로드컴의 호크 탄 CEO는 AI 매출이 개선될 것이라고 말했다.",
            ),
            DigestPost(
                post_id=1,
                title="Battery note",
                source="/home/me/notes/battery.txt",
                url=None,
                author=None,
                published=None,
                summary=None,
            ),
        ],
        post_count=3,
        themes=[
            ThemeTrend("브로드컴", 3, 1, 2, False),
            ThemeTrend("Battery", 2, 0, 2, True),
            ThemeTrend("AI", 1, 2, -1, False),
            ThemeTrend("실적", 1, 1, 0, False),
        ],
        new_forecasts=[
            forecast(
                11,
                "엔비디아 차세대 GPU는 내년 상반기 양산 예정",
                datetime(2026, 7, 1, tzinfo=SEOUL),
                speaker="젠슨 황",
                probability=0.7,
            ),
            forecast(12, "Lithium demand will double", None, source_label="Battery note"),
        ],
        new_forecast_count=4,
        coming_due=[
            forecast(13, "4분기 AI 매출 62억 달러", datetime(2025, 12, 20, tzinfo=SEOUL)),
        ],
        coming_days=14,
        overdue=[
            forecast(
                14,
                "Rates will be cut in November",
                datetime(2025, 12, 10, tzinfo=SEOUL),
                status="due",
                source_label=None,
                source_url="https://news.example.org/rates",
            ),
        ],
        overdue_count=2,
        resolved=[
            forecast(
                15,
                "Apple ships a foldable in 2025",
                datetime(2025, 12, 1, tzinfo=SEOUL),
                status="resolved",
                outcome="wrong",
            ),
            forecast(
                16,
                "Samsung HBM4 passes qualification",
                datetime(2025, 12, 5, tzinfo=SEOUL),
                status="resolved",
                outcome="partly",
            ),
        ],
        quote=QuoteItem(
            text="2026년 이후에도 AI 매출이 상당히 개선될 것",
            speaker="호크 탄",
            post_title="브로드컴 실적 메모",
            url="https://www.example.com/broadcom",
        ),
        scoreboard=[
            ScoreItem("https://www.example.com/feed.xml", 4, 0.75, 0.1234),
            ScoreItem("manual", 2, 0.5, None),
            ScoreItem("withdrawn only", 1, None, None),
        ],
        theme_history=[
            ("11-24", {"브로드컴": 0, "Battery": 0, "AI": 1, "실적": 0}),
            ("12-01", {"브로드컴": 1, "Battery": 0, "AI": 2, "실적": 1}),
            ("12-08", {"브로드컴": 3, "Battery": 2, "AI": 1, "실적": 1}),
        ],
        as_of=END,
    )
    return replace(digest, **values)  # type: ignore[arg-type]


def empty_digest(**values: object) -> Digest:
    """A digest of the same range in which nothing happened."""
    digest = Digest(
        guild_id=7,
        start=START,
        end=END,
        timezone="Asia/Seoul",
        catch_up=False,
        posts=[],
        post_count=0,
        themes=[],
        new_forecasts=[],
        new_forecast_count=0,
        coming_due=[],
        coming_days=14,
        overdue=[],
        overdue_count=0,
        resolved=[],
        quote=None,
        scoreboard=[],
        theme_history=[],
        as_of=END,
    )
    return replace(digest, **values)  # type: ignore[arg-type]


__all__ = ["END", "SEOUL", "START", "empty_digest", "forecast", "sample_digest"]
