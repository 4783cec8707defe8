"""When digests are due: cron schedules in the guild's own timezone, and catch-up after downtime.

APScheduler's CronTrigger does the calendar work (including daylight-saving changes); these
functions only ask it for fire times, so the policy can be tested with any clock.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from digests.dates import parse_timezone
from digests.errors import InputError
from digests.i18n import message

WEEKDAYS = {
    "mon": "mon", "monday": "mon", "월": "mon", "월요일": "mon",
    "tue": "tue", "tuesday": "tue", "화": "tue", "화요일": "tue",
    "wed": "wed", "wednesday": "wed", "수": "wed", "수요일": "wed",
    "thu": "thu", "thursday": "thu", "목": "thu", "목요일": "thu",
    "fri": "fri", "friday": "fri", "금": "fri", "금요일": "fri",
    "sat": "sat", "saturday": "sat", "토": "sat", "토요일": "sat",
    "sun": "sun", "sunday": "sun", "일": "sun", "일요일": "sun",
    "daily": "*", "every day": "*", "매일": "*",
}  # fmt: skip
_TIME = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")
_MAX_CATCH_UP = timedelta(days=366)


def zone_named(name: str) -> ZoneInfo:
    """A timezone from its IANA name; InputError naming it otherwise."""
    return parse_timezone(name)


def weekly_cron(weekday: str = "mon", at: str = "09:00") -> str:
    """A cron string ("minute hour day month day_of_week") for a weekday and a time of day."""
    day = WEEKDAYS.get(weekday.strip().lower())
    if day is None:
        raise InputError("weekday", message("schedule.bad_weekday", value=repr(weekday)))
    match = _TIME.match(at)
    if match is None:
        raise InputError("time", message("schedule.bad_time", value=repr(at)))
    return f"{int(match.group(2))} {int(match.group(1))} * * {day}"


def trigger(cron: str, zone: ZoneInfo) -> CronTrigger:
    """The CronTrigger of a cron string in a timezone; InputError when the string is invalid."""
    try:
        return CronTrigger.from_crontab(cron, timezone=zone)
    except ValueError as error:
        raise InputError(
            "schedule", message("schedule.bad_cron", value=repr(cron), detail=str(error))
        ) from error


def next_fire(cron: str, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The first scheduled time strictly after `after`."""
    return trigger(cron, zone).get_next_fire_time(None, after + timedelta(microseconds=1))


def fire_times(cron: str, zone: ZoneInfo, after: datetime, until: datetime) -> list[datetime]:
    """Scheduled times in (after, until]."""
    schedule = trigger(cron, zone)
    times: list[datetime] = []
    previous: datetime | None = None
    moment = after
    while True:
        fire = schedule.get_next_fire_time(previous, moment + timedelta(microseconds=1))
        if fire is None or fire > until:
            return times
        times.append(fire)
        previous, moment = fire, fire


def latest_fire(
    cron: str, zone: ZoneInfo, since: datetime, now: datetime
) -> tuple[datetime | None, int]:
    """The most recent scheduled time in (since, now] and how many were in that range."""
    since = max(since, now - _MAX_CATCH_UP)
    times = fire_times(cron, zone, since, now)
    return (times[-1] if times else None), len(times)
