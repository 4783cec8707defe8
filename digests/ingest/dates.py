"""Publication dates from bylines, date lines and metadata strings.

Only lines that are *about* the post (a byline, a line that is nothing but a date, a
"Posted on …" line) give a published date; dates inside body sentences never do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

# Abbreviations as newsletters print them. Ambiguous ones (IST, CST) take the common reading.
_ZONE_OFFSETS_HOURS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "KST": 9,
    "JST": 9,
    "HKT": 8,
    "SGT": 8,
    "CST": -6,
    "CDT": -5,
    "EST": -5,
    "EDT": -4,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "IST": 5.5,
    "AEST": 10,
    "AEDT": 11,
}
# Generic abbreviations that switch with daylight saving time.
_ZONE_REGIONS = {"ET": "America/New_York", "CT": "America/Chicago", "PT": "America/Los_Angeles"}

_NUMERIC_DATE = (
    r"(?P<y>(?:19|20)\d{2})(?:(?P<sep>\s*[.\-/]\s*)(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})\.?"
    r"|\s*년\s*(?P<mk>\d{1,2})\s*월\s*(?P<dk>\d{1,2})\s*일)"
)
_NAMED_DATE = (
    r"(?:(?P<mn>[A-Za-z]{3,9})\.?\s+(?P<dn>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<yn>(?:19|20)\d{2})"
    r"|(?P<dn2>\d{1,2})\s+(?P<mn2>[A-Za-z]{3,9})\.?,?\s+(?P<yn2>(?:19|20)\d{2}))"
)
_WEEKDAY = r"(?:\s*\(?(?:[월화수목금토일](?:요일)?|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\)?,?)?"
_TIME = (
    r"(?:\s*(?:at\s+)?(?P<ampm1>오전|오후)?\s*(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2}))?"
    r"\s*(?P<ampm2>[AaPp]\.?[Mm]\.?)?)?"
)
_ZONE = (
    r"(?:\s*\(?(?P<tz>(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?|"
    + "|".join(sorted([*_ZONE_OFFSETS_HOURS, *_ZONE_REGIONS], key=len, reverse=True))
    + r")\)?)?"
)
_DATE_EXPRESSION = rf"(?:{_NUMERIC_DATE}|{_NAMED_DATE}){_WEEKDAY}{_TIME}{_ZONE}"

_DATE_PREFIX = (
    r"(?:posted\s+on|published(?:\s+on)?|updated(?:\s+on)?|date|작성일(?:시)?|게시일|등록일|"
    r"입력|발행일|수정|업데이트|기사입력|승인)?\s*:?\s*"
)
_DATE_LINE = re.compile(rf"^\s*{_DATE_PREFIX}{_DATE_EXPRESSION}\s*$", re.IGNORECASE)
_BYLINE = re.compile(
    r"^\s*(?:by\s+)?(?P<name>[^\d\n|·•@#:()\[\]]{1,40}?)\s*(?:기자|reporter|특파원)?\s*[|·•,\-–]?\s*"
    + _DATE_PREFIX
    + _DATE_EXPRESSION
    + r"\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Byline:
    """An author name with the moment the item was published."""

    author: str
    published: datetime


def _zone(label: str | None, default: ZoneInfo) -> timezone | ZoneInfo:
    if not label:
        return default
    label = label.strip().upper()
    if label in _ZONE_REGIONS:
        return ZoneInfo(_ZONE_REGIONS[label])
    if label in _ZONE_OFFSETS_HOURS:
        return timezone(timedelta(hours=_ZONE_OFFSETS_HOURS[label]))
    match = re.fullmatch(r"(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?", label)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes))
    return default


def _moment(match: re.Match[str], default: ZoneInfo) -> datetime | None:
    groups = match.groupdict()
    try:
        if groups.get("y"):
            month = groups.get("m") or groups.get("mk")
            day_of_month = groups.get("d") or groups.get("dk")
            day = date(int(groups["y"]), int(month), int(day_of_month))
        elif groups.get("yn"):
            day = date(int(groups["yn"]), _MONTHS[groups["mn"].lower()], int(groups["dn"]))
        else:
            day = date(int(groups["yn2"]), _MONTHS[groups["mn2"].lower()], int(groups["dn2"]))
    except (ValueError, KeyError, TypeError):
        return None
    clock = time(0, 0)
    if groups.get("hh"):
        hour, minute = int(groups["hh"]), int(groups["mi"])
        marker = (groups.get("ampm1") or groups.get("ampm2") or "").lower().replace(".", "")
        if marker in {"오후", "pm"} and hour < 12:
            hour += 12
        elif marker in {"오전", "am"} and hour == 12:
            hour = 0
        if hour > 23 or minute > 59:
            return None
        clock = time(hour, minute, int(groups.get("ss") or 0))
    zone = _zone(groups.get("tz"), default) if groups.get("hh") or groups.get("tz") else default
    return datetime.combine(day, clock, tzinfo=zone)


def parse_date_line(line: str, default: ZoneInfo) -> datetime | None:
    """The date of a line that consists of a date (and maybe a label, time and zone) only."""
    match = _DATE_LINE.match(line)
    return _moment(match, default) if match else None


def parse_byline(line: str, default: ZoneInfo) -> Byline | None:
    """A byline "NAME YYYY.MM.DD HH:MM TZ" (and common variants), or None."""
    if len(line) > 90 or _DATE_LINE.match(line):
        return None
    match = _BYLINE.match(line)
    if not match:
        return None
    name = re.sub(r"^by\s+", "", match.group("name").strip(" |·•,-–"), flags=re.IGNORECASE)
    words = name.split()
    # A byline names a person or a desk: a few words, not a sentence.
    if not name or len(words) > 5 or name.endswith((".", "다", "요")):
        return None
    moment = _moment(match, default)
    if moment is None:
        return None
    return Byline(author=name, published=moment)


def parse_metadata_date(value: str | None, default: ZoneInfo) -> datetime | None:
    """A date from page metadata: ISO 8601 (with or without time/zone) or a date line."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return parse_date_line(value, default)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default)
    return parsed
