"""Typed dates, times, durations and timezones: one parser, table-driven tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from digests.dates import (
    EXAMPLE_NOW,
    RULES,
    due_moment,
    horizon_limit,
    parse_calendar_date,
    parse_due_date,
    parse_duration,
    parse_instant,
    parse_post_date,
    parse_reminder_time,
    parse_timezone,
    read_when,
)
from digests.errors import InputError

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
# 2025-12-15 12:00 in Seoul, a Monday: the day every rule's examples are read on.
NOW = EXAMPLE_NOW.astimezone(UTC)


# --- every rule's own examples ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "typed", "expected"),
    [(rule.name, typed, expected) for rule in RULES for typed, expected in rule.examples],
)
def test_each_rule_reads_its_examples(rule: str, typed: str, expected: str) -> None:
    when = read_when(typed, now=EXAMPLE_NOW)
    assert (when.rule, when.day.isoformat()) == (rule, expected)


def test_every_rule_has_examples_and_a_unique_name() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert all(rule.examples for rule in RULES)


# --- due dates: valid, relative EN/KO, and what the analysis reader adds ------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-31", date(2026, 3, 31)),
        ("  2026-03-31 ", date(2026, 3, 31)),
        ("today", date(2025, 12, 15)),  # closes tonight, so it is still ahead
        ("in 3 days", date(2025, 12, 18)),
        ("In 3 Days", date(2025, 12, 18)),
        ("3일 후", date(2025, 12, 18)),
        ("다음 달 말", date(2026, 1, 31)),
        ("in 3 months", date(2026, 3, 15)),
        ("Q3 2026", date(2026, 9, 30)),
        ("내년 상반기", date(2026, 6, 30)),
        ("2026년 말", date(2026, 12, 31)),
        ("2027", date(2027, 12, 31)),
        ("in 50 years", date(2075, 12, 15)),
        ("2028-02-29", date(2028, 2, 29)),
        # deadline words around a date do not change it
        ("by 2026-03-31", date(2026, 3, 31)),
        ("2026-03-31까지", date(2026, 3, 31)),
        ("until the end of next month", date(2026, 1, 31)),
        ("다음 달 말까지", date(2026, 1, 31)),
        ("내년 3월 말까지", date(2026, 3, 31)),
    ],
)
def test_due_dates_people_type(typed: str, expected: date) -> None:
    assert parse_due_date(typed, now=NOW, zone=SEOUL) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        # impossible dates: never read as some other day
        ("2025-02-30", "'2025-02-30' is not a real date: February 2025 has 28 days"),
        ("2027-02-29", "'2027-02-29' is not a real date: February 2027 has 28 days"),
        ("2025-13-45", "'2025-13-45' is not a real date: there is no month 13"),
        ("2026-04-31", "'2026-04-31' is not a real date: April 2026 has 30 days"),
        ("2026-00-10", "there is no month 0"),
        ("2026-13", "there is no month 13"),
        ("10000-01-01", "year 10000 is beyond the calendar"),
        ("12/31/2026", "'12/31/2026' is not a date in YYYY-MM-DD form"),
        ("2026-02-30까지", "'2026-02-30까지' is not a real date: February 2026 has 28 days"),
        ("around 2026-02-30", "is not a real date: February 2026 has 28 days"),
        # the past, where the future is needed
        ("2025-12-14", "2025-12-14 is in the past; a due date must be today (2025-12-15) or later"),
        ("yesterday", "2025-12-14 is in the past"),
        ("3일 전", "2025-12-12 is in the past"),
        ("3 weeks ago", "2025-11-24 is in the past"),
        # beyond the horizon
        ("9999-12-31", "9999-12-31 is more than 50 years ahead"),
        ("2075-12-16", "until 2075-12-15 (MAX_FORECAST_HORIZON_YEARS)"),
        ("in 10000 years", "'in 10000 years' is more than 50 years ahead"),
        ("in 51 years", "is more than 50 years ahead"),
        ("99999999999999999999일 후", "is more than 50 years ahead"),
        ("in 99999999999 days", "is more than 50 years ahead"),
        # not a date at all
        ("", "empty; try 2026-03-31"),
        ("   ", "empty"),
        ("someday soon", "'someday soon' is not a date I understand"),
        ("x" * 300, "too long (300 characters) to be a date"),
    ],
)
def test_due_dates_refused_with_the_reason(typed: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_due_date(typed, now=NOW, zone=SEOUL)
    assert caught.value.subject == "due"
    assert reason in caught.value.reason


def test_the_horizon_is_the_callers_setting() -> None:
    assert parse_due_date("in 5 years", now=NOW, zone=SEOUL, horizon_years=5) == date(2030, 12, 15)
    with pytest.raises(InputError, match="more than 5 years ahead"):
        parse_due_date("2031-01-01", now=NOW, zone=SEOUL, horizon_years=5)
    assert horizon_limit(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_today_is_the_guilds_today() -> None:
    # 2025-12-15 03:00 UTC is still the 14th in New York and already the 15th in Seoul.
    early = datetime(2025, 12, 15, 3, 0, tzinfo=UTC)
    assert parse_due_date("today", now=early, zone=NEW_YORK) == date(2025, 12, 14)
    assert parse_due_date("today", now=early, zone=SEOUL) == date(2025, 12, 15)
    with pytest.raises(InputError, match="in the past"):
        parse_due_date("2025-12-14", now=early, zone=SEOUL)
    assert parse_due_date("2025-12-14", now=early, zone=NEW_YORK) == date(2025, 12, 14)


def test_the_subject_names_the_option() -> None:
    with pytest.raises(InputError) as caught:
        parse_due_date("2025-02-30", now=NOW, zone=SEOUL, subject="--due")
    assert caught.value.user_message.startswith("--due: '2025-02-30'")


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_due_date("tomorrow", now=datetime(2025, 12, 15), zone=SEOUL)


# --- reminders ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("in 3 days", datetime(2025, 12, 18, 9, 0, tzinfo=SEOUL)),
        ("3일 후", datetime(2025, 12, 18, 9, 0, tzinfo=SEOUL)),
        ("tomorrow", datetime(2025, 12, 16, 9, 0, tzinfo=SEOUL)),
        ("2026-06-01", datetime(2026, 6, 1, 9, 0, tzinfo=SEOUL)),
        ("다음 달 말", datetime(2026, 1, 31, 9, 0, tzinfo=SEOUL)),
        ("in 2 hours", datetime(2025, 12, 15, 14, 0, tzinfo=SEOUL)),
        ("3시간 후", datetime(2025, 12, 15, 15, 0, tzinfo=SEOUL)),
        ("in 90 minutes", datetime(2025, 12, 15, 13, 30, tzinfo=SEOUL)),
    ],
)
def test_reminder_times(typed: str, expected: datetime) -> None:
    assert parse_reminder_time(typed, now=NOW, zone=SEOUL) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("today", "2025-12-15 09:00 is not in the future"),  # it is noon already
        ("2025-12-01", "2025-12-01 09:00 is not in the future"),
        ("in 8000 years", "'in 8000 years' is more than 50 years ahead"),
        ("2025-02-30", "February 2025 has 28 days"),
    ],
)
def test_reminder_times_refused(typed: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_reminder_time(typed, now=NOW, zone=SEOUL)
    assert caught.value.subject == "when"
    assert reason in caught.value.reason


def test_a_reminder_date_is_nine_in_the_guilds_morning() -> None:
    moment = parse_reminder_time("2026-06-01", now=NOW, zone=NEW_YORK)
    assert moment == datetime(2026, 6, 1, 13, 0, tzinfo=UTC)


# --- the due moment -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "due", "closes_utc"),
    [
        # The end of the due day where the guild lives: the next local midnight.
        ("America/New_York", date(2026, 3, 31), datetime(2026, 4, 1, 4, 0, tzinfo=UTC)),
        ("Asia/Seoul", date(2026, 3, 31), datetime(2026, 3, 31, 15, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 1, 15), datetime(2026, 1, 16, 5, 0, tzinfo=UTC)),
        ("UTC", date(2026, 3, 31), datetime(2026, 4, 1, 0, 0, tzinfo=UTC)),
        # The day before daylight saving starts in New York (2026-03-08): midnight is EST.
        ("America/New_York", date(2026, 3, 7), datetime(2026, 3, 8, 5, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 9, 4, 0, tzinfo=UTC)),
    ],
)
def test_due_moment_is_the_end_of_the_day_in_the_guilds_zone(
    zone: str, due: date, closes_utc: datetime
) -> None:
    moment = due_moment(due, ZoneInfo(zone))
    assert moment == closes_utc
    assert moment.astimezone(ZoneInfo(zone)).date() == due + timedelta(days=1)
    assert moment.astimezone(ZoneInfo(zone)).hour == 0


def test_the_last_day_of_the_calendar_has_no_end() -> None:
    with pytest.raises(ValueError, match="last day of the calendar"):
        due_moment(date.max, SEOUL)


# --- timezones ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Asia/Seoul", " America/New_York ", "UTC", "Europe/London"])
def test_known_timezones(name: str) -> None:
    assert parse_timezone(name).key == name.strip()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Mars/Base", "'Mars/Base' is not a known timezone"),
        ("A" * 300, "300 characters is too long for a timezone name"),
        ("America", "'America' is not a known timezone"),  # a folder of the tz database
        ("../../etc/passwd", "is not a known timezone"),
        ("Asia/Seoul\x00", "is not a known timezone"),
        ("", "empty"),
    ],
)
def test_unknown_timezones_are_refused(name: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_timezone(name)
    assert caught.value.subject == "timezone"
    assert reason in caught.value.reason


# --- instants (--clock, --now) and durations (/time) -------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2025-12-15T09:00:00Z", datetime(2025, 12, 15, 9, 0, tzinfo=UTC)),
        ("2025-12-15T09:00:00z", datetime(2025, 12, 15, 9, 0, tzinfo=UTC)),
        ("2026-01-02T09:00+09:00", datetime(2026, 1, 2, 0, 0, tzinfo=UTC)),
    ],
)
def test_instants(typed: str, expected: datetime) -> None:
    assert parse_instant(typed, subject="--clock") == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("tomorrow", "'tomorrow' is not an ISO date-time like 2026-01-02T09:00+09:00"),
        ("2026-01-02", "'2026-01-02' has no timezone; add a UTC offset like +09:00 or Z"),
        ("2026-01-02T09:00", "has no timezone"),
        ("9999-12-31T23:59:59Z", "is outside the years 1970–2199"),
        ("1900-01-01T00:00Z", "is outside the years 1970–2199"),
        ("2026-02-30T00:00Z", "is not an ISO date-time"),
    ],
)
def test_instants_refused(typed: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_instant(typed, subject="--clock")
    assert caught.value.subject == "--clock"
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+3d", timedelta(days=3)),
        ("3d", timedelta(days=3)),
        ("+12h", timedelta(hours=12)),
        ("+2w", timedelta(weeks=2)),
        ("+90m", timedelta(minutes=90)),
        ("+30s", timedelta(seconds=30)),
        ("+3 days", timedelta(days=3)),
        ("3일", timedelta(days=3)),
    ],
)
def test_durations(typed: str, expected: timedelta) -> None:
    assert parse_duration(typed, subject="/time", limit=timedelta(days=365)) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("+3 fortnights", "'+3 fortnights' is not a duration like +3d, +12h, +2w"),
        ("-3d", "is not a duration"),
        ("", "is not a duration"),
        ("+99999999999d", "'+99999999999d' is longer than 365 days, the longest step"),
        ("+999999999999999999999999999w", "is longer than 365 days"),
    ],
)
def test_durations_refused(typed: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_duration(typed, subject="/time", limit=timedelta(days=365))
    assert reason in caught.value.reason


# --- command-line calendar dates (--published) -----------------------------------------------------


def test_calendar_dates() -> None:
    assert parse_calendar_date("2025-11-05", subject="--published") == date(2025, 11, 5)
    with pytest.raises(InputError, match="there is no month 13"):
        parse_calendar_date("2020-13-01", subject="--published")
    with pytest.raises(InputError, match="not a date in YYYY-MM-DD form"):
        parse_calendar_date("last week", subject="--published")
    with pytest.raises(InputError, match="2030-01-01 is in the future"):
        parse_calendar_date("2030-01-01", subject="--published", latest=date(2025, 12, 15))


def test_post_dates_lie_in_the_past_never_in_the_future() -> None:
    today = date(2025, 12, 15)
    assert parse_post_date("2020-09-23", today=today) == date(2020, 9, 23)
    assert parse_post_date(" 2020-9-3 ", today=today) == date(2020, 9, 3)
    assert parse_post_date("2025-12-15", today=today) == today
    with pytest.raises(InputError, match="2025-12-16 is in the future") as raised:
        parse_post_date("2025-12-16", today=today)
    assert raised.value.subject == "date"
    with pytest.raises(InputError, match="February 2025 has 28 days"):
        parse_post_date("2025-02-29", today=today)
    with pytest.raises(InputError, match="too early to be a post's date"):
        parse_post_date("1899-12-31", today=today)
    with pytest.raises(InputError, match="not a date in YYYY-MM-DD form") as raised:
        parse_post_date("yesterday", today=today, subject="--published")
    assert raised.value.subject == "--published"


def test_clock_and_step_errors_read_in_korean() -> None:
    """The console's /time and --clock errors come from the catalog, so a Korean reader gets Korean."""
    with pytest.raises(InputError) as bad_step:
        parse_duration("+3 fortnights", subject="/time", limit=timedelta(days=365))
    with pytest.raises(InputError) as no_zone:
        parse_instant("2026-01-02", subject="--clock")
    assert "기간이 아닙니다" in bad_step.value.reason.in_language("ko")
    assert "시간대가 없습니다" in no_zone.value.reason.in_language("ko")
