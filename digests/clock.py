"""An injectable clock, so that tests and the scheduler agree on what "now" is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; used by tests and scripted terminal sessions."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """Return the clock's current time in UTC."""
        return self._now

    def set(self, moment: datetime) -> None:
        """Jump to an aware moment (forwards or backwards)."""
        if moment.tzinfo is None:
            raise ValueError("ManualClock.set needs a timezone-aware datetime")
        self._now = moment.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        """Move forwards by a timedelta given as keyword arguments; return the new time."""
        self._now += timedelta(**delta)
        return self._now


def to_timestamp(moment: datetime) -> int:
    """Seconds since the epoch for an aware datetime (the store's time column format)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not allowed; attach a timezone")
    return int(moment.timestamp())


def from_timestamp(seconds: int | float) -> datetime:
    """The aware UTC datetime for seconds since the epoch."""
    return datetime.fromtimestamp(seconds, UTC)
