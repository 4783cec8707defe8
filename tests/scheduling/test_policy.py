"""Cron schedules in a guild's own timezone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from digests.errors import InputError
from digests.scheduling.policy import (
    fire_times,
    latest_fire,
    next_fire,
    weekly_cron,
    zone_named,
)

NEW_YORK = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")
MONDAY_9 = weekly_cron("mon", "09:00")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def as_utc(times: list[datetime]) -> list[datetime]:
    return [moment.astimezone(UTC) for moment in times]


def test_weekly_cron_strings() -> None:
    assert MONDAY_9 == "0 9 * * mon"
    assert weekly_cron("월요일", "7:30") == "30 7 * * mon"
    assert weekly_cron("daily", "23:05") == "5 23 * * *"
    with pytest.raises(InputError):
        weekly_cron("someday")
    with pytest.raises(InputError):
        weekly_cron("mon", "25:00")
    with pytest.raises(InputError):
        zone_named("Mars/Olympus_Mons")
    assert zone_named(" Asia/Seoul ").key == "Asia/Seoul"


def test_monday_9am_new_york_across_the_march_change() -> None:
    # DST starts on Sunday 2025-03-09: 09:00 is 14:00 UTC before, 13:00 UTC after.
    times = fire_times(MONDAY_9, NEW_YORK, utc(2025, 2, 28), utc(2025, 3, 18))
    assert as_utc(times) == [utc(2025, 3, 3, 14), utc(2025, 3, 10, 13), utc(2025, 3, 17, 13)]
    assert {(t.astimezone(NEW_YORK).hour, t.astimezone(NEW_YORK).minute) for t in times} == {(9, 0)}


def test_monday_9am_new_york_across_the_november_change() -> None:
    # DST ends on Sunday 2025-11-02: 09:00 is 13:00 UTC before, 14:00 UTC after.
    times = fire_times(MONDAY_9, NEW_YORK, utc(2025, 10, 20), utc(2025, 11, 4))
    assert as_utc(times) == [utc(2025, 10, 20, 13), utc(2025, 10, 27, 13), utc(2025, 11, 3, 14)]
    assert next_fire(MONDAY_9, NEW_YORK, utc(2025, 11, 3, 13, 30)) == utc(2025, 11, 3, 14)


def test_seoul_9am_is_midnight_utc_every_day() -> None:
    daily = weekly_cron("daily", "09:00")
    times = fire_times(daily, SEOUL, utc(2025, 12, 14, 12), utc(2025, 12, 17, 12))
    assert as_utc(times) == [utc(2025, 12, 15), utc(2025, 12, 16), utc(2025, 12, 17)]
    assert next_fire(MONDAY_9, SEOUL, utc(2025, 12, 15, 9)) == utc(2025, 12, 22)


def test_next_fire_is_strictly_after() -> None:
    fire = utc(2025, 12, 15)
    assert next_fire(weekly_cron("daily", "09:00"), SEOUL, fire) == fire + timedelta(days=1)
    assert next_fire(weekly_cron("daily", "09:00"), SEOUL, fire - timedelta(seconds=1)) == fire


def test_latest_fire_counts_the_missed_times() -> None:
    daily = weekly_cron("daily", "09:00")
    assert latest_fire(daily, SEOUL, utc(2025, 12, 15), utc(2025, 12, 18, 1)) == (
        utc(2025, 12, 18),
        3,
    )
    assert latest_fire(daily, SEOUL, utc(2025, 12, 15), utc(2025, 12, 15, 23)) == (None, 0)
    # Catch-up never reaches back more than a year.
    _, missed = latest_fire(daily, SEOUL, utc(2020, 1, 1), utc(2025, 12, 18, 1))
    assert 365 <= missed <= 367
