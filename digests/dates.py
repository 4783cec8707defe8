"""Every date, time, duration and timezone a person types, read in one place.

`/predictions add due:`, `/predictions redate due:`, `/remind when:`, a post's date
(`/ingest date`, `posts date`), the console's `/time` and `--clock`, and the command line's
`--published` and `--now` all come through here, so they accept the same words and refuse the
same nonsense with the same clear reasons: dates that do not exist (2025-02-30), dates in the
past where the future is needed (a post's date is the other way round: past, never future), and
horizons beyond a sane limit (`MAX_FORECAST_HORIZON_YEARS`, 50 years by default). Nothing here reads a clock or the settings:
callers pass "now", the timezone and the limit, so every rule can be tested with a table.

Typed words are read by small named rules (`RULES`), each with examples that the tests run; what
no rule reads goes to the analysis' time-expression reader (quarters, halves, "2026년 말"…).

`due_moment` is the one definition of when a due date "closes": the end of that day (the next
midnight) in the guild's timezone.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digests.errors import InputError
from digests.i18n import message

DEFAULT_HORIZON_YEARS = 50
# A reminder set to a bare date fires at this local time.
REMINDER_TIME_OF_DAY = time(9, 0)
# Clocks and `--now` stay within these bounds, so that "now plus the horizon" and every date
# computed from it stay far inside what Python's calendar can represent.
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)
# A post's date may lie in the past, but not before this.
EARLIEST_POST_DATE = date(1900, 1, 1)
_MAX_TYPED_CHARS = 200
_MAX_ZONE_CHARS = 64  # the longest IANA name is about 32 characters
_EXAMPLES = message("date_error.examples")


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypedWhen:
    """What some typed words name: a day, and a moment when they name a time of day too."""

    day: date
    moment: datetime | None  # "in 3 hours"; None for a whole day
    rule: str  # the rule that read the words (for tests and error reports)


# --- calendar helpers ---------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _week_end(day: date) -> date:
    """The Sunday that ends `day`'s week (weeks run Monday to Sunday)."""
    return day + timedelta(days=6 - day.weekday())


def horizon_limit(today: date, years: int) -> date:
    """The last date `years` years after `today` (29 February falls back to the 28th)."""
    return _add_months(today, 12 * years)


def due_moment(due_date: date, zone: tzinfo) -> datetime:
    """When a forecast due on `due_date` closes: the end of that day in the guild's timezone,
    i.e. the next local midnight (as an aware datetime in `zone`).

    This is the only place the moment is computed; the ledger, the reminder sweep, digests and
    manual additions all use it, so a date closes at the same instant whoever recorded it."""
    try:
        next_day = due_date + timedelta(days=1)
    except OverflowError as error:
        raise ValueError(f"{due_date} is the last day of the calendar; it has no end") from error
    return datetime.combine(next_day, time(0, 0), tzinfo=zone)


# --- timezones ----------------------------------------------------------------------------------


def parse_timezone(name: str, subject: str = "timezone") -> ZoneInfo:
    """A timezone from its IANA name (Asia/Seoul, America/New_York, UTC); InputError naming it
    otherwise (unknown, empty, a path, or far too long to be one)."""
    cleaned = name.strip()
    hint = message("date_error.zone_hint")
    if not cleaned:
        raise InputError(subject, message("date_error.empty", hint=hint))
    if len(cleaned) > _MAX_ZONE_CHARS:
        raise InputError(
            subject, message("date_error.zone_too_long", count=len(cleaned), hint=hint)
        )
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError, OSError, UnicodeError):
        # OSError covers names that are folders of the tz database ("America") and other
        # names the file system refuses; ValueError covers paths ("../x") and NUL bytes.
        raise InputError(
            subject, message("date_error.zone_unknown", value=_shown(cleaned), hint=hint)
        ) from None


# --- numbers in words ---------------------------------------------------------------------------

_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2,
}  # fmt: skip
_KO_NUMBERS = {
    "한": 1, "두": 2, "세": 3, "석": 3, "네": 4, "넉": 4, "다섯": 5, "여섯": 6, "일곱": 7,
    "여덟": 8, "아홉": 9, "열": 10, "열한": 11, "열두": 12,
}  # fmt: skip
_EN_NUMBER = (
    r"(?P<n>\d+|" + "|".join(sorted(map(re.escape, _EN_NUMBERS), key=len, reverse=True)) + ")"
)
_KO_NUMBER = r"(?P<n>\d+|" + "|".join(sorted(_KO_NUMBERS, key=len, reverse=True)) + ")"

# Units with their length in days (months and years: the longest, for the horizon check that
# runs before any arithmetic, so that "in 10000 years" is refused instead of overflowing).
_UNIT_DAYS = {
    "minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 31, "year": 366,
}  # fmt: skip
_EN_UNITS = {
    "minute": "minute", "min": "minute", "hour": "hour", "hr": "hour", "day": "day",
    "week": "week", "wk": "week", "month": "month", "mo": "month", "year": "year", "yr": "year",
}  # fmt: skip
_KO_UNITS = {
    "분": "minute", "시간": "hour", "일": "day", "주": "week", "주일": "week", "개월": "month",
    "달": "month", "년": "year", "해": "year",
}  # fmt: skip
_EN_UNIT = r"(?P<unit>" + "|".join(sorted(_EN_UNITS, key=len, reverse=True)) + r")s?"
_KO_UNIT = r"(?P<unit>" + "|".join(sorted(_KO_UNITS, key=len, reverse=True)) + ")"


def _number(text: str) -> int:
    text = " ".join(text.split())
    if text.isdigit():
        return int(text)
    return _EN_NUMBERS.get(text) or _KO_NUMBERS[text]


# --- the rules ----------------------------------------------------------------------------------

Groups = dict[str, str]


@dataclass(frozen=True)
class _Context:
    """What a rule may look at besides the words: now (in the guild's timezone), the limit."""

    now: datetime
    horizon_years: int
    subject: str
    text: str

    @property
    def today(self) -> date:
        return self.now.date()


Resolver = Callable[[Groups, _Context], "TypedWhen | date"]


@dataclass(frozen=True)
class DateRule:
    """One way of writing a date: a name, a pattern matched against the whole (lower-cased)
    input, how its named groups resolve, and examples as (typed, expected ISO date) read on
    EXAMPLE_NOW (the tests run every example)."""

    name: str
    pattern: re.Pattern[str]
    resolve: Resolver
    examples: tuple[tuple[str, str], ...]


# The rules' examples are read at noon of a Monday.
EXAMPLE_NOW = datetime(2025, 12, 15, 12, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def _real_date(year: int, month: int, day: int, subject: str, text: str) -> date:
    """date(year, month, day), or an InputError that says which part does not exist."""
    typed = _shown(text)
    if not 1 <= year <= 9999:
        raise InputError(subject, message("date_error.bad_year", value=typed, year=year))
    if not 1 <= month <= 12:
        raise InputError(subject, message("date_error.bad_month", value=typed, month=month))
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise InputError(
            subject,
            message(
                "date_error.bad_day",
                value=typed,
                month=message(f"date_error.month.m{month}"),
                year=year,
                days=last,
            ),
        )
    return date(year, month, day)


def _numeric_date(groups: Groups, context: _Context) -> date:
    return _real_date(
        int(groups["y"]), int(groups["m"]), int(groups["d"]), context.subject, context.text
    )


def _year_month(groups: Groups, context: _Context) -> date:
    year, month = int(groups["y"]), int(groups["m"])
    _real_date(year, month, 1, context.subject, context.text)
    return _month_end(year, month)


def _offset(count: int, unit: str, context: _Context, sign: int) -> TypedWhen:
    """`count` units after (sign 1) or before (sign -1) now. Amounts far beyond the horizon are
    refused before any arithmetic (the exact limit is the caller's check)."""
    if count * _UNIT_DAYS[unit] > (context.horizon_years + 1) * 366:
        if sign > 0:
            raise _too_far(context)
        raise InputError(
            context.subject, message("date_error.too_long_ago", value=_shown(context.text))
        )
    if unit in ("minute", "hour"):
        moment = context.now + sign * timedelta(**{f"{unit}s": count})
        return TypedWhen(moment.date(), moment, "")
    if unit in ("day", "week"):
        return TypedWhen(context.today + sign * timedelta(**{f"{unit}s": count}), None, "")
    months = count * (12 if unit == "year" else 1)
    return TypedWhen(_add_months(context.today, sign * months), None, "")


def _english_offset(sign: int) -> Resolver:
    return lambda groups, context: _offset(
        _number(groups["n"]), _EN_UNITS[groups["unit"]], context, sign
    )


def _korean_offset(sign: int) -> Resolver:
    return lambda groups, context: _offset(
        _number(groups["n"]), _KO_UNITS[groups["unit"]], context, sign
    )


def _days_from_today(days: int) -> Resolver:
    return lambda groups, context: context.today + timedelta(days=days)


def _period_end(period: str, shift: int, today: date) -> date:
    """The last day of this (shift 0) or the next (shift 1) week, month or year."""
    if period == "week":
        return _week_end(today) + timedelta(weeks=shift)
    if period == "month":
        first = _add_months(today.replace(day=1), shift)
        return _month_end(first.year, first.month)
    return date(today.year + shift, 12, 31)


_SHIFTS = {"": 0, "this": 0, "the": 0, "next": 1, "이번": 0, "이": 0, "올": 0, "다음": 1, "내": 1}
_PERIODS = {"week": "week", "month": "month", "year": "year", "주": "week", "달": "month",
            "월": "month", "년": "year", "해": "year", "주말": "week", "월말": "month",
            "연말": "year"}  # fmt: skip


def _end_of_period(groups: Groups, context: _Context) -> date:
    which = (groups.get("which") or "").strip()
    return _period_end(_PERIODS[groups["period"]], _SHIFTS[which], context.today)


def _rule(name: str, pattern: str, resolve: Resolver, *examples: tuple[str, str]) -> DateRule:
    return DateRule(name, re.compile(pattern, re.IGNORECASE), resolve, examples)


_SEP = r"\s*(?P<sep>[-./])\s*"
_LATER = r"(?:후|뒤|이후|있다가)(?:\s*에)?(?:\s*까지)?"
RULES: tuple[DateRule, ...] = (
    _rule(
        "numeric-date",
        rf"(?P<y>\d{{4,}}){_SEP}(?P<m>\d{{1,4}})\s*(?P=sep)\s*(?P<d>\d{{1,4}})",
        _numeric_date,
        ("2026-03-31", "2026-03-31"),
        ("2026.3.31", "2026-03-31"),
        ("2026/03/31", "2026-03-31"),
        ("2026. 3. 31.", "2026-03-31"),
        ("2028-02-29", "2028-02-29"),
    ),
    _rule(
        "korean-date",
        r"(?P<y>\d{4})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일(?:\s*까지)?",
        _numeric_date,
        ("2026년 3월 31일", "2026-03-31"),
        ("2026년 3월 31일까지", "2026-03-31"),
    ),
    _rule(
        "year-month",
        rf"(?P<y>\d{{4}}){_SEP}(?P<m>\d{{1,2}})",
        _year_month,
        ("2026-03", "2026-03-31"),
        ("2026.02", "2026-02-28"),
    ),
    _rule(
        "korean-year-month",
        r"(?P<y>\d{4})\s*년\s*(?P<m>\d{1,2})\s*월(?:\s*말)?(?:\s*까지)?",
        _year_month,
        ("2026년 3월", "2026-03-31"),
        ("2026년 6월 말까지", "2026-06-30"),
    ),
    _rule(
        "today",
        r"today|tonight|오늘(?:\s*밤)?|금일",
        _days_from_today(0),
        ("today", "2025-12-15"),
        ("오늘", "2025-12-15"),
    ),
    _rule(
        "tomorrow",
        r"tomorrow|내일",
        _days_from_today(1),
        ("tomorrow", "2025-12-16"),
        ("내일", "2025-12-16"),
    ),
    _rule(
        "day-after-tomorrow",
        r"(?:the\s+)?day\s+after\s+tomorrow|모레|내일\s*모레",
        _days_from_today(2),
        ("the day after tomorrow", "2025-12-17"),
        ("모레", "2025-12-17"),
    ),
    _rule(
        "yesterday",
        r"yesterday|어제",
        _days_from_today(-1),
        ("yesterday", "2025-12-14"),
        ("어제", "2025-12-14"),
    ),
    _rule(
        "in-n-units",
        rf"(?:in|within|after)\s+{_EN_NUMBER}\s*{_EN_UNIT}(?:\s+(?:from\s+now|time))?",
        _english_offset(1),
        ("in 3 days", "2025-12-18"),
        ("in a week", "2025-12-22"),
        ("in 2 weeks", "2025-12-29"),
        ("in 3 months", "2026-03-15"),
        ("in 1 year", "2026-12-15"),
        ("in two months", "2026-02-15"),
        ("in 48 hours", "2025-12-17"),
        ("in 600 months", "2075-12-15"),
    ),
    _rule(
        "n-units-from-now",
        rf"\+?{_EN_NUMBER}\s*{_EN_UNIT}\s+(?:from\s+now|later|hence)",
        _english_offset(1),
        ("10 days from now", "2025-12-25"),
        ("3 weeks later", "2026-01-05"),
    ),
    _rule(
        "n-units-ago",
        rf"{_EN_NUMBER}\s*{_EN_UNIT}\s+ago",
        _english_offset(-1),
        ("3 days ago", "2025-12-12"),
        ("a month ago", "2025-11-15"),
    ),
    _rule(
        "korean-n-units-later",
        rf"(?:앞으로\s*)?{_KO_NUMBER}\s*{_KO_UNIT}\s*{_LATER}",
        _korean_offset(1),
        ("3일 후", "2025-12-18"),
        ("3일 뒤에", "2025-12-18"),
        ("2주 후", "2025-12-29"),
        ("6개월 후", "2026-06-15"),
        ("두 달 뒤", "2026-02-15"),
        ("1년 후", "2026-12-15"),
        ("48시간 후", "2025-12-17"),
        ("한 주 뒤", "2025-12-22"),
    ),
    _rule(
        "korean-a-week-later",
        rf"일주일\s*{_LATER}",
        lambda groups, context: _offset(1, "week", context, 1),
        ("일주일 후", "2025-12-22"),
        ("일주일 뒤에", "2025-12-22"),
    ),
    _rule(
        "korean-n-units-ago",
        rf"{_KO_NUMBER}\s*{_KO_UNIT}\s*전(?:\s*에)?",
        _korean_offset(-1),
        ("3일 전", "2025-12-12"),
        ("한 달 전", "2025-11-15"),
    ),
    _rule(
        "end-of-period",
        r"(?:by\s+)?(?:the\s+)?end\s+of\s+(?P<which>this\s+|next\s+|the\s+)?"
        r"(?P<period>week|month|year)",
        _end_of_period,
        ("end of this month", "2025-12-31"),
        ("end of next month", "2026-01-31"),
        ("by the end of the year", "2025-12-31"),
        ("end of next week", "2025-12-28"),
        ("end of month", "2025-12-31"),
    ),
    _rule(
        "next-period",
        r"(?P<which>next)\s+(?P<period>week|month|year)",
        _end_of_period,
        ("next week", "2025-12-28"),
        ("next month", "2026-01-31"),
        ("next year", "2026-12-31"),
    ),
    _rule(
        "korean-period-end",
        r"(?P<which>이번|다음|이|올|내)\s*(?P<period>주|달|월|년|해)"
        r"(?:\s*(?:말|안|중|내))?(?:\s*까지)?",
        _end_of_period,
        ("다음 달 말", "2026-01-31"),
        ("다음달", "2026-01-31"),
        ("이번 달 말", "2025-12-31"),
        ("이달 말까지", "2025-12-31"),
        ("다음 주", "2025-12-28"),
        ("내년", "2026-12-31"),
        ("올해 말", "2025-12-31"),
        ("내년 말까지", "2026-12-31"),
    ),
    _rule(
        "korean-this-period-end",
        r"(?P<period>연말|월말|주말)(?:\s*까지)?",
        _end_of_period,
        ("연말", "2025-12-31"),
        ("월말까지", "2025-12-31"),
        ("주말", "2025-12-21"),
    ),
)

# Words that look like a numeric date but are none of the rules' shapes (12/31/2026, 3/31):
# refused with the reason instead of being guessed at by the analysis reader.
_DATE_LIKE = re.compile(r"[+-]?\d+\s*[-./]\s*\d+(?:\s*[-./]\s*\d+)*")


# --- reading --------------------------------------------------------------------------------------


def _shown(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _too_far(context: _Context) -> InputError:
    years = context.horizon_years
    return InputError(
        context.subject, message("date_error.too_far", value=_shown(context.text), years=years)
    )


# Words around a date that say "by then" without changing it: "by 2026-03-31", "3월 말까지".
_DEADLINE_WORDS = re.compile(
    r"^(?:(?:by|until|till|before|on|due)\s+)?(?P<core>.+?)(?:\s*(?:전까지|까지|이전|에))?$"
)
# A numeric year-month-day anywhere in the words (checked before anything else reads them).
_EMBEDDED_DATE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})(?!\d)"
)


def _normalised(text: str) -> str:
    cleaned = " ".join(text.split()).strip(" .,!?").casefold()
    match = _DEADLINE_WORDS.fullmatch(cleaned)
    return match["core"] if match else cleaned


def read_when(
    text: str,
    *,
    now: datetime,
    horizon_years: int = DEFAULT_HORIZON_YEARS,
    subject: str = "due",
) -> TypedWhen:
    """The day (and, for "in 3 hours", the moment) some typed words name, read on `now` (an
    aware datetime in the guild's timezone). Refuses what does not exist or cannot be read;
    does not judge past or future (the callers do, each for its own purpose)."""
    if now.tzinfo is None:
        raise ValueError("read_when needs an aware 'now'")
    if not text or not text.strip():
        raise InputError(subject, message("date_error.empty", hint=_EXAMPLES))
    if len(text) > _MAX_TYPED_CHARS:
        raise InputError(subject, message("date_error.too_long", count=len(text), hint=_EXAMPLES))
    context = _Context(now=now, horizon_years=horizon_years, subject=subject, text=text.strip())
    cleaned = _normalised(text)
    for rule in RULES:
        match = rule.pattern.fullmatch(cleaned)
        if match is None:
            continue
        groups = {key: value for key, value in match.groupdict().items() if value is not None}
        try:
            found = rule.resolve(groups, context)
        except (OverflowError, ValueError):  # arithmetic beyond the calendar
            raise _too_far(context) from None
        if isinstance(found, TypedWhen):
            return TypedWhen(found.day, found.moment, rule.name)
        return TypedWhen(found, None, rule.name)
    if _DATE_LIKE.fullmatch(cleaned):
        raise InputError(
            subject,
            message("date_error.not_iso_hint", value=_shown(context.text), hint=_EXAMPLES),
        )
    for embedded in _EMBEDDED_DATE.finditer(cleaned):
        # Never let the analysis reader turn "2026-02-30 무렵" into some other day.
        _real_date(
            int(embedded["y"]), int(embedded["m"]), int(embedded["d"]), subject, context.text
        )
    return _read_with_analysis(context)


def _read_with_analysis(context: _Context) -> TypedWhen:
    """Quarters, halves, months and the like, read by the analysis' time-expression reader: the
    end of the window the words name (a month means its last day)."""
    from digests.analysis.timex import find_time_expressions

    try:
        expressions = find_time_expressions(context.text, context.today, prefer="future")
    except (OverflowError, ValueError):  # a year beyond the calendar
        raise _too_far(context) from None
    if not expressions:
        raise InputError(
            context.subject,
            message("date_error.not_understood", value=_shown(context.text), hint=_EXAMPLES),
        )
    ahead = [expression for expression in expressions if not expression.past_marker]
    chosen = (ahead or expressions)[-1]
    return TypedWhen(chosen.due_end, None, f"analysis:{chosen.granularity}")


def _local_now(now: datetime, zone: tzinfo) -> datetime:
    if now.tzinfo is None:
        raise ValueError("'now' must be timezone-aware")
    return now.astimezone(zone)


def _check_horizon(day: date, today: date, years: int, subject: str, shown: str) -> None:
    limit = horizon_limit(today, years)
    if day > limit:
        raise InputError(
            subject,
            message("date_error.too_far_until", value=shown, years=years, limit=limit.isoformat()),
        )


def parse_due_date(
    text: str,
    *,
    now: datetime,
    zone: tzinfo,
    horizon_years: int = DEFAULT_HORIZON_YEARS,
    subject: str = "due",
) -> date:
    """The due date of a forecast from what a member typed (2026-03-31, "in 3 months",
    "Q3 2026", "다음 달 말"…): today or later where the guild lives, and within the horizon."""
    local = _local_now(now, zone)
    when = read_when(text, now=local, horizon_years=horizon_years, subject=subject)
    today = local.date()
    if when.day < today:
        raise InputError(
            subject,
            message("date_error.due_past", value=when.day.isoformat(), today=today.isoformat()),
        )
    _check_horizon(when.day, today, horizon_years, subject, when.day.isoformat())
    return when.day


def parse_reminder_time(
    text: str,
    *,
    now: datetime,
    zone: tzinfo,
    horizon_years: int = DEFAULT_HORIZON_YEARS,
    subject: str = "when",
) -> datetime:
    """When to remind a member, from what they typed: a day (reminded at 09:00 there, the
    guild's local time) or a time ("in 3 hours"); in the future and within the horizon."""
    local = _local_now(now, zone)
    when = read_when(text, now=local, horizon_years=horizon_years, subject=subject)
    moment = when.moment or datetime.combine(when.day, REMINDER_TIME_OF_DAY, tzinfo=zone)
    if moment <= now:
        shown = (
            moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if when.moment
            else f"{when.day.isoformat()} {REMINDER_TIME_OF_DAY:%H:%M}"
        )
        raise InputError(subject, message("date_error.not_future", value=shown))
    _check_horizon(when.day, local.date(), horizon_years, subject, when.day.isoformat())
    return moment


def parse_calendar_date(text: str, *, subject: str, latest: date | None = None) -> date:
    """A date written as YYYY-MM-DD (command-line options), refusing impossible dates and,
    with `latest`, dates after it."""
    cleaned = text.strip()
    match = re.fullmatch(r"(\d{4,})-(\d{1,2})-(\d{1,2})", cleaned)
    if match is None:
        raise InputError(subject, message("date_error.not_iso", value=_shown(cleaned)))
    day = _real_date(int(match[1]), int(match[2]), int(match[3]), subject, cleaned)
    if latest is not None and day > latest:
        raise InputError(
            subject,
            message("date_error.after", value=day.isoformat(), latest=latest.isoformat()),
        )
    return day


def parse_post_date(text: str, *, today: date, subject: str = "date") -> date:
    """The day a post was written, as typed (YYYY-MM-DD: `/ingest date`, `posts date`,
    `--published`): a real date in the past or `today` (the guild's), never in the future, and
    not before 1900."""
    day = parse_calendar_date(text, subject=subject)
    if day > today:
        raise InputError(
            subject,
            message("date_error.post_future", value=day.isoformat(), today=today.isoformat()),
        )
    if day < EARLIEST_POST_DATE:
        raise InputError(
            subject,
            message(
                "date_error.post_too_early",
                value=day.isoformat(),
                earliest=EARLIEST_POST_DATE.isoformat(),
            ),
        )
    return day


# --- instants and durations ------------------------------------------------------------------------


def parse_instant(text: str, *, subject: str) -> datetime:
    """An exact moment from an ISO 8601 date-time with a UTC offset or Z
    (2025-12-15T09:00:00Z, 2026-01-02T09:00+09:00), between 1970 and 2200."""
    cleaned = text.strip()
    example = "2026-01-02T09:00+09:00"
    if len(cleaned) > _MAX_TYPED_CHARS:
        raise InputError(subject, message("date_error.instant_too_long", count=len(cleaned)))
    try:
        moment = datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", cleaned))
    except ValueError:
        raise InputError(
            subject, message("date_error.instant_not_iso", value=_shown(cleaned), example=example)
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(subject, message("date_error.instant_no_zone", value=_shown(cleaned)))
    if not EARLIEST_INSTANT <= moment < LATEST_INSTANT:
        raise InputError(
            subject,
            message(
                "date_error.instant_out_of_range",
                value=_shown(cleaned),
                first=EARLIEST_INSTANT.year,
                last=LATEST_INSTANT.year - 1,
            ),
        )
    return moment


_DURATION = re.compile(
    r"\+?\s*(?P<n>\d+)\s*(?P<unit>s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?"
    r"|d|days?|w|wk|wks|weeks?|초|분|시간|일|주)"
)
_DURATION_UNITS = {
    "s": "seconds", "sec": "seconds", "secs": "seconds", "second": "seconds", "seconds": "seconds",
    "초": "seconds", "m": "minutes", "min": "minutes", "mins": "minutes", "minute": "minutes",
    "minutes": "minutes", "분": "minutes", "h": "hours", "hr": "hours", "hrs": "hours",
    "hour": "hours", "hours": "hours", "시간": "hours", "d": "days", "day": "days",
    "days": "days", "일": "days", "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks",
    "weeks": "weeks", "주": "weeks",
}  # fmt: skip


def parse_duration(text: str, *, subject: str, limit: timedelta) -> timedelta:
    """A forward step of time: +3d, +12h, +2w, +90m, +30s (or "3 days", "3일"), at most `limit`."""
    cleaned = " ".join(text.split()).casefold()
    match = _DURATION.fullmatch(cleaned)
    if match is None:
        raise InputError(subject, message("date_error.not_duration", value=_shown(text.strip())))
    unit = _DURATION_UNITS[match["unit"]]
    count = int(match["n"])
    seconds_per_unit = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
    if count * seconds_per_unit[unit] > limit.total_seconds():
        raise InputError(
            subject,
            message("date_error.duration_too_long", value=_shown(text.strip()), days=limit.days),
        )
    return timedelta(**{unit: count})
