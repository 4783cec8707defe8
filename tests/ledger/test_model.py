"""The one forecast record: how it is made, what it refuses, and its JSON form."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from digests.analysis.forecasts import Forecast
from digests.ledger.model import (
    ForecastRecord,
    forecast_fingerprint,
    forecast_from_analysis,
    forecast_from_json,
    forecast_to_json,
    manual_forecast,
)

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)


def found(due_end: date | None = date(2026, 3, 31)) -> Forecast:
    return Forecast(
        text="연준은 2026년 3월 31일까지 기준금리를 두 차례 인하할 것으로 전망된다.",
        claim="연준은 기준금리를 두 차례 인하할 것",
        speaker=None,
        timex="2026년 3월 31일까지" if due_end else None,
        due_start=date(2025, 12, 15) if due_end else None,
        due_end=due_end,
        granularity="day" if due_end else None,
        kind="outlook",
        hedge="likely",
        confidence=0.8,
        start=0,
        end=40,
        sentence_index=0,
        lang="ko",
    )


def from_post(
    zone: ZoneInfo, due_end: date | None = date(2026, 3, 31), *, needs_date: bool = False
) -> ForecastRecord:
    return forecast_from_analysis(
        found(due_end),
        guild_id=7,
        post_id=3,
        source_label="금리 메모",
        source_url="https://example.com/rates",
        author="김기자",
        zone=zone,
        needs_date=needs_date,
    )


def typed(zone: ZoneInfo) -> ForecastRecord:
    return manual_forecast(
        guild_id=7,
        user_id=10,
        claim="Fed cuts twice",
        typed_due="2026-03-31",
        today=date(2025, 12, 15),
        due_end=date(2026, 3, 31),
        zone=zone,
        now=NOW,
        probability=0.7,
    )


@pytest.mark.parametrize(
    ("zone", "closes"),
    [
        (NEW_YORK, datetime(2026, 4, 1, 4, 0, tzinfo=UTC)),
        (SEOUL, datetime(2026, 3, 31, 15, 0, tzinfo=UTC)),
    ],
)
def test_found_and_typed_forecasts_close_at_the_same_moment(
    zone: ZoneInfo, closes: datetime
) -> None:
    assert from_post(zone).due_at == typed(zone).due_at == closes


def test_a_forecast_found_in_a_post() -> None:
    record = from_post(SEOUL)
    assert (record.guild_id, record.post_id, record.origin) == (7, 3, "analysis")
    assert record.fingerprint == forecast_fingerprint("post3", found().text, found().timex)
    assert (record.source_label, record.source_url, record.author) == (
        "금리 메모",
        "https://example.com/rates",
        "김기자",
    )
    assert (record.id, record.status, record.created_at) == (None, "open", None)
    undated = from_post(SEOUL, due_end=None)
    assert undated.due_end is None and undated.due_at is None
    assert undated.is_view and not undated.needs_date
    assert not record.is_view


def test_a_forecast_that_needs_its_posts_date_keeps_its_words_but_no_window() -> None:
    dated = from_post(SEOUL)
    waiting = from_post(SEOUL, needs_date=True)
    assert waiting.needs_date and not waiting.is_view
    assert (waiting.timex, waiting.granularity) == (dated.timex, dated.granularity)
    assert (waiting.due_start, waiting.due_end, waiting.due_at) == (None, None, None)
    # The same identity: dating the post later finds this record again.
    assert waiting.fingerprint == dated.fingerprint
    data = json.loads(json.dumps(forecast_to_json(waiting), ensure_ascii=False))
    assert data["needs_date"] is True
    assert forecast_from_json(data, guild_id=7) == waiting


def test_a_forecast_typed_by_a_member() -> None:
    record = typed(SEOUL)
    assert (record.origin, record.added_by, record.author) == ("manual", 10, "<@10>")
    assert (record.due_start, record.due_end, record.granularity) == (
        date(2025, 12, 15),
        date(2026, 3, 31),
        "day",
    )
    assert (record.probability, record.hedge, record.timex) == (0.7, "likely", "2026-03-31")
    assert record.fingerprint.startswith("manual10:")


def test_the_fingerprint_ignores_spacing_and_case_but_not_the_words() -> None:
    assert forecast_fingerprint("post1", "Rates  fall\nby SPRING", "spring") == (
        forecast_fingerprint("post1", "rates fall by spring", "spring")
    )
    assert forecast_fingerprint("post1", "rates fall", "spring") != (
        forecast_fingerprint("post2", "rates fall", "spring")
    )
    assert forecast_fingerprint("post1", "rates fall", "spring") != (
        forecast_fingerprint("post1", "rates fall", "summer")
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"due_at": None}, "both a due date and a due moment, or neither"),
        ({"due_end": None}, "both a due date and a due moment, or neither"),
        ({"due_at": datetime(2026, 4, 1)}, "due_at must be timezone-aware"),
        ({"created_at": datetime(2026, 4, 1)}, "created_at must be timezone-aware"),
        ({"origin": "guess"}, "unknown forecast origin 'guess'"),
        ({"status": "closed"}, "unknown forecast status 'closed'"),
        ({"needs_date": True}, "needs its post's date has no window yet"),
    ],
)
def test_inconsistent_records_are_refused(change: dict[str, object], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        replace(typed(SEOUL), **change)  # type: ignore[arg-type]


def _every_field_set() -> ForecastRecord:
    record = replace(
        from_post(NEW_YORK),
        speaker="Powell",
        probability=0.4,
        added_by=11,
        status="resolved",
        outcome="wrong",
        resolved_by=99,
        resolved_at=datetime(2026, 4, 2, 1, 0, tzinfo=UTC),
        evidence="https://example.com/fomc",
        note="one cut only",
        id=42,
        created_at=datetime(2025, 12, 15, 9, 0, tzinfo=UTC),
        updated_at=datetime(2026, 4, 2, 1, 0, tzinfo=UTC),
    )
    assert all(getattr(record, field.name) is not None for field in fields(record))
    return record


def test_the_json_form_carries_every_field_and_reads_back_the_same() -> None:
    record = _every_field_set()
    data = json.loads(json.dumps(forecast_to_json(record), ensure_ascii=False))
    assert set(data) == {field.name for field in fields(ForecastRecord)}
    assert data["due_at"] == "2026-04-01T00:00:00-04:00"
    assert forecast_from_json(data, guild_id=1) == record  # its own guild, not the argument


def test_a_digest_queued_before_the_one_record_still_reads() -> None:
    # The shape digests carried for each forecast before ForecastRecord (ForecastItem).
    old = {
        "forecast_id": 5,
        "claim": "Won passes 1500",
        "due_end": "2026-01-31",
        "source_label": None,
        "source_url": "https://example.com/won",
        "speaker": None,
        "status": "due",
        "outcome": None,
        "probability": 0.6,
        "due_at": "2026-01-31T15:00:00+00:00",
    }
    record = forecast_from_json(old, guild_id=7)
    assert (record.id, record.guild_id, record.claim, record.sentence) == (
        5,
        7,
        "Won passes 1500",
        "Won passes 1500",
    )
    assert record.due_end == date(2026, 1, 31)
    assert record.due_at == datetime(2026, 1, 31, 15, 0, tzinfo=UTC)
    assert (record.status, record.probability) == ("due", 0.6)
