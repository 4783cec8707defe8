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
    r"(?:(?:\s*,)?\s*(?:at\s+)?(?P<ampm1>오전|오후)?\s*(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2}))?"
    r"\s*(?P<ampm2>[AaPp]\.?[Mm]\.?)?)?"
)
_ZONE = (
    r"(?:\s*\(?(?P<tz>(?:UTC|GMT)?\s*[+-]\d{1,2}(?::?\d{2})?|"
    + "|".join(sorted([*_ZONE_OFFSETS_HOURS, *_ZONE_REGIONS], key=len, reverse=True))
    + r")\)?)?"
)
_DATE_EXPRESSION = rf"(?:{_NUMERIC_DATE}|{_NAMED_DATE}){_WEEKDAY}{_TIME}{_ZONE}"

_DATE_PREFIX = (
    r"(?:posted(?:\s+on)?|published(?:\s+on)?|updated(?:\s+on)?|date|작성일(?:시)?|작성|게시일|등록일|"
    r"입력|발행일|배포일|송고(?:시간)?|정리|수정|업데이트|기사입력|승인)?\s*:?\s*"
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


_NOT_AN_AUTHOR = re.compile(
    r"^(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:for|of|the|week|schedule|on|in|at)$"
    r"|^(?:[월화수목금토일]요일)$",
    re.IGNORECASE,
)


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
    if _NOT_AN_AUTHOR.search(name):
        # "Saturday, December 07, 2019", "Schedule for Week of December 8": a date line or a
        # title that ends in a date, not somebody's name.
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


# --- the opening of a post, and its address -----------------------------------------------------
# Forms the splitter does not split on (so they never cut a document into items), read only in
# a post's first lines: a date anywhere else in the body is what the post talks about, not when
# it was written.

OPENING_LINES = 6
_OPENING_LINE_MAX = 160
_PUBLISHED_LABEL = (
    r"(?:기사\s*입력|입력|최초\s*입력|등록(?:일(?:시)?)?|작성(?:일(?:시)?)?|게시(?:일(?:시)?)?|발행(?:일)?|"
    r"송고|posted(?:\s+on)?|published(?:\s+on)?|first\s+published(?:\s+on)?)"
)
_OTHER_LABEL = (
    r"(?:최종\s*)?(?:수정|업데이트|갱신)(?:일(?:시)?)?|updated(?:\s+on)?|last\s+updated(?:\s+on)?"
)
# "입력 2025.12.03 09:40 수정 2025.12.03 10:20", "Published Dec 3, 2025 | Updated Dec 4, 2025":
# the publication date is the labelled one, whatever else the line carries.
_LABELLED_DATE = re.compile(
    rf"^\s*[\[(]?\s*{_PUBLISHED_LABEL}\s*[:：]?\s*{_DATE_EXPRESSION}\s*[\])]?"
    rf"(?:\s*[|·•,/]?\s*(?:{_OTHER_LABEL})\s*[:：]?\s*.*)?$",
    re.IGNORECASE,
)
# "Posted on December 3, 2025 by Jane Doe", "Dec 3, 2025 by Jane Doe".
_DATE_THEN_AUTHOR = re.compile(
    rf"^\s*(?:{_PUBLISHED_LABEL}\s*[:：]?\s*)?{_DATE_EXPRESSION}\s*[|·•,]?\s*by\s+"
    r"(?P<author>[^\d\n|·•@#:,()\[\]]{1,40}?)\s*(?:,[^\n|]{0,60})?$",
    re.IGNORECASE,
)
# "Jane Doe · Dec 3, 2025 · 5 min read": a blog platform's byline with its reading time.
_READING_TIME = re.compile(
    r"\s*[|·•∙,\-–]\s*(?:\d{1,3}\s*(?:min(?:ute)?s?)\s*read|읽는\s*데\s*\d{1,3}\s*분|\d{1,3}\s*분\s*읽기)\s*$",
    re.IGNORECASE,
)
# "조회수 41,327회 2026. 2. 19.", "41K views · Feb 19, 2026": a video page's counter and date.
_VIEWS_THEN_DATE = re.compile(
    rf"^\s*(?:조회수\s*[\d,.]+\s*[만천]?\s*회|[\d,.]+\s*[KkMm만천]?\s*views)\s*[·•∙|]?\s*"
    rf"{_DATE_EXPRESSION}",
    re.IGNORECASE,
)
# "Dec 3, 2025 — The company said …", "SEOUL, Dec. 3, 2025 -- …": a news dateline.
_DATELINE_PREFIX = re.compile(
    rf"^\s*(?:[A-Z][A-Za-z.' ]{{1,30}}(?:,\s*[A-Z][A-Za-z.' ]{{1,30}})?,\s*)?{_DATE_EXPRESSION}"
    r"\s*(?:\([A-Za-z ]{2,20}\)\s*)?(?:—|–|--|-)(?:\s+\S.*|\s*)$"
)
# "(2025.11.28 기준)", "2025년 11월 28일 종가 기준", "as of Nov 28, 2025": the day the figures
# were taken, written where the post opens; close to when it was written, but weaker evidence
# than a byline or the address, so it is tried last.
_AS_OF_KO = re.compile(
    rf"{_DATE_EXPRESSION}\s*(?:현재|종가|장\s*마감|마감|시점)?\s*기준",
    re.IGNORECASE,
)
_AS_OF_EN = re.compile(rf"\bas\s+of\s+{_DATE_EXPRESSION}", re.IGNORECASE)
# /2025/12/03/, /2025-12-03-slug, /20251203/, ?date=20251203, /article/20251203093000.
_URL_DATE = re.compile(
    r"(?:[/=_-])(?P<y>20\d{2})(?P<sep>[/.-]?)(?P<m>0[1-9]|1[0-2])(?P=sep)(?P<d>0[1-9]|[12]\d|3[01])"
    r"(?:\d{6})?(?=$|[/?#&_.-])"
)


# "주식하는직장인 | 2025.08.18 22:41 | 조회 312", "2025.05.29 목요일 · 미국주식 일기",
# "배포일: 2025년 10월 28일(화) | 문의: IR팀": a line of short fields, one of them the date.
_FIELD_SEPARATOR = re.compile(r"\s+[|·•∙┃｜/]\s+|\s*[|┃｜]\s*|\s{2,}")
_DECORATION = re.compile(r"^[\s━─═=~*#_·•\-]+|[\s━─═=~*#_·•\-]+$")
_UPDATED_FIELD = re.compile(rf"^\s*(?:{_OTHER_LABEL})\b", re.IGNORECASE)
_FIELD_MAX = 40
_SENTENCE_END = re.compile(r"(?:[.!?]|다|요)\s*$")


@dataclass(frozen=True)
class FoundDate:
    """A publication date read from a post's own text or address, and where it was found."""

    published: datetime
    # Which form gave it: date line, byline, labelled, views, fields, dateline, as of, url.
    rule: str
    author: str | None = None


def _opening(text: str) -> list[str]:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return lines[:OPENING_LINES]


def _first_match(
    lines: list[str], pattern: re.Pattern[str], zone: ZoneInfo, method: str = "match"
) -> tuple[datetime, re.Match[str]] | None:
    for line in lines:
        match = getattr(pattern, method)(line)
        if match:
            moment = _moment(match, zone)
            if moment is not None:
                return moment, match
    return None


def _field_line_date(line: str, zone: ZoneInfo) -> datetime | None:
    """The date of a line of short metadata fields (author, date, category, views)."""
    fields = [field for field in _FIELD_SEPARATOR.split(_DECORATION.sub("", line)) if field]
    if len(fields) < 2 or any(
        len(field) > _FIELD_MAX or _SENTENCE_END.search(field) for field in fields
    ):
        return None
    # A published date beats an "updated" one whichever comes first.
    ordered = sorted(fields, key=lambda field: bool(_UPDATED_FIELD.match(field)))
    for field in ordered:
        moment = parse_date_line(field, zone)
        if moment is not None:
            return moment
    return None


def opening_date(text: str, zone: ZoneInfo) -> FoundDate | None:
    """A publication date stated where a post opens: a labelled date line ("입력 … 수정 …"), a
    byline that puts the date first or adds a reading time, or a news dateline ("Dec 3, 2025 —").
    None when the opening states none (dates in the body never count)."""
    lines = _opening(text)
    short = [line for line in lines if len(line) <= _OPENING_LINE_MAX]
    for line in short:
        bare = _DECORATION.sub("", line)
        if (moment := parse_date_line(bare, zone)) is not None:
            return FoundDate(moment, "date line")
        byline = parse_byline(bare, zone)
        if byline is not None:
            # The splitter already took the author of a byline among the first lines; further
            # down, "NAME DATE" may as well be a dated heading ("삼성전자 2025.12.03"), so only
            # its date is used.
            return FoundDate(byline.published, "byline")
        for rule, pattern in (("labelled", _LABELLED_DATE), ("views", _VIEWS_THEN_DATE)):
            match = pattern.match(line)
            if match and (moment := _moment(match, zone)) is not None:
                return FoundDate(moment, rule)
        match = _DATE_THEN_AUTHOR.match(line)
        if match and (moment := _moment(match, zone)) is not None:
            author = match.group("author").strip(" .,")
            return FoundDate(moment, "byline", author if len(author.split()) <= 5 else None)
        trimmed = _READING_TIME.sub("", line)
        if trimmed != line:
            byline = parse_byline(trimmed, zone)
            if byline is not None:
                return FoundDate(byline.published, "byline", byline.author)
            if (moment := parse_date_line(trimmed, zone)) is not None:
                return FoundDate(moment, "byline")
        if (moment := _field_line_date(line, zone)) is not None:
            return FoundDate(moment, "fields")
    found = _first_match(lines, _DATELINE_PREFIX, zone)
    if found is not None:
        return FoundDate(found[0], "dateline")
    return None


def as_of_date(text: str, zone: ZoneInfo) -> FoundDate | None:
    """The "기준" / "as of" day the opening of a post states for its figures, or None."""
    lines = _opening(text)
    found = _first_match(lines, _AS_OF_KO, zone, "search") or _first_match(
        lines, _AS_OF_EN, zone, "search"
    )
    return FoundDate(found[0], "as of") if found else None


def url_date(url: str | None, zone: ZoneInfo) -> FoundDate | None:
    """The day a post's address carries in its path (/2025/12/03/, /20251203), or None."""
    if not url:
        return None
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]+", "", url.strip(), flags=re.IGNORECASE)
    for match in _URL_DATE.finditer(path):
        try:
            day = date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        except ValueError:
            continue
        return FoundDate(datetime.combine(day, time(0, 0), tzinfo=zone), "url")
    return None
