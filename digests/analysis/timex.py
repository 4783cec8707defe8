"""Time expressions in Korean and English finance writing, resolved to date windows.

Resolution is relative to an anchor (the post's published date). The parser works in three
passes: atoms (a year, a quarter, a month, "말", "early", "앞으로 2~3년" …), composites of
adjacent atoms ("2024년 2분기", "Q3 2025", "end of 2026"), and ranges joining two composites
("2024년 말에서 25년", "between 2026 and 2028"). Each result knows its window, granularity and
its relation to the text around it (until, since, after, within, ago …), which the forecast
extractor uses together with tense.

The atoms come from named rules kept as data (`resources/timex/{shared,ko,en}.toml`, read by
`timex_rules`): each rule's pattern, the normalisation function that turns its match into an
atom (`NORMALISERS` below), negative "remove" rules, and worked examples that are tests. Every
result names the rule(s) behind it (`TimeExpression.rule`): "ko_year4+ko_half" for a composite,
"a~b" for a range, "rule@step" for a later adjustment; `explain_time` lists them for a sentence.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from digests.analysis.timex_rules import TimexRule, load_rules

# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class TimeExpression:
    """A resolved time expression inside a sentence."""

    start: int
    end: int
    text: str
    due_start: date
    due_end: date
    granularity: str  # day|month|quarter|half|year|range|horizon
    relation: str = "at"  # at|until|since|after|before|within|ago|during
    explicit_year: bool = True
    relative: bool = False  # 올해, next year, 앞으로 3년 …
    past_marker: bool = False  # 지난, last, ago, 전 …
    vague: bool = False  # a decade, "2030을 바라보며" style horizons
    fiscal: bool = False  # FY2026, FQ3: the company's fiscal calendar, read as calendar periods
    rule: str = ""  # the rule(s) that produced it: "ko_year4+ko_half", "a~b", "rule@step"

    def contains(self, moment: date) -> bool:
        """True when `moment` lies inside the window."""
        return self.due_start <= moment <= self.due_end


# ---------------------------------------------------------------------------------------------
# Calendar helpers


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(moment: date, months: int) -> date:
    total = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def _add_years(moment: date, years: float) -> date:
    return _add_months(moment, round(years * 12))


def _year_window(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _quarter_window(year: int, quarter: int) -> tuple[date, date]:
    first = 3 * (quarter - 1) + 1
    return date(year, first, 1), _month_end(year, first + 2)


def _half_window(year: int, half: int) -> tuple[date, date]:
    return (
        (date(year, 1, 1), date(year, 6, 30))
        if half == 1
        else (date(year, 7, 1), date(year, 12, 31))
    )


def _month_window(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), _month_end(year, month)


# Parts of a year: (first month, last month)
_YEAR_PARTS = {"early": (1, 3), "mid": (4, 6), "late": (10, 12), "end": (10, 12), "second": (7, 12)}
# Parts of a month: (first day, last day or None for the month's end)
_MONTH_PARTS = {
    "early": (1, 10),
    "mid": (11, 20),
    "late": (21, None),
    "end": (21, None),
    "second": (16, None),
}
# Parts of a decade, in years from its start
_DECADE_PARTS = {"early": (0, 3), "mid": (3, 6), "late": (7, 9), "end": (7, 9), "second": (5, 9)}


def _year_part_window(year: int, part: str) -> tuple[date, date]:
    first, last = _YEAR_PARTS[part]
    return date(year, first, 1), _month_end(year, last)


def _month_part_window(year: int, month: int, part: str) -> tuple[date, date]:
    first, last = _MONTH_PARTS[part]
    end_day = last or calendar.monthrange(year, month)[1]
    return date(year, month, first), date(year, month, end_day)


# ---------------------------------------------------------------------------------------------
# Rules and vocabularies (digests/analysis/resources/timex/*.toml)


@dataclass
class _Atom:
    start: int
    end: int
    kind: str  # year|quarter|half|month|day|date|part|decade|rel|weekday|holiday|duration|range
    rule: str = ""  # the rule that found it, with "@step" for each later adjustment
    year: int | None = None
    year_explicit: bool = False
    quarter: int | None = None
    half: int | None = None
    month: int | None = None
    day: int | None = None
    part: str | None = None
    relative_years: int | None = None
    window: tuple[date, date] | None = None
    granularity: str | None = None
    relation: str = "at"
    past_marker: bool = False
    vague: bool = False
    fiscal: bool = False
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class _Found:
    """A rule's match, as its normalisation function sees it."""

    rule: TimexRule
    match: re.Match[str]
    sentence: str

    def group(self, *names: str) -> str | None:
        """The first of the named groups that took part in the match."""
        groups = self.match.groupdict()
        return next((groups[name] for name in names if groups.get(name)), None)

    def atom(self, kind: str, **values: object) -> _Atom:
        """An atom spanning the match, named after the rule. Parameter start_group (a group
        name or a list of them): the expression starts there, not at the match ("in June",
        "last Monday" → "June", "Monday"; the word before still decides relation and year)."""
        start, end = self.match.span()
        start_group = self.rule.parameters.get("start_group")
        if start_group:
            names = [start_group] if isinstance(start_group, str) else start_group
            start = next(
                (self.match.start(name) for name in names if self.match.group(name)), start
            )
        atom = _Atom(start, end, kind, self.rule.name, **values)  # type: ignore[arg-type]
        atom.extra["function"] = self.rule.function
        shift = self.group("shift", "lead")
        if shift and shift.lower() in _VOCABULARY["shifts"]:
            atom.extra["shift"] = _VOCABULARY["shifts"][shift.lower()]
        return atom

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The rule's normalisation parameters."""
        return self.rule.parameters


_Normaliser = Callable[[_Found], "_Atom | None"]
NORMALISERS: dict[str, _Normaliser] = {}


def _normaliser(name: str) -> Callable[[_Normaliser], _Normaliser]:
    def register(function: _Normaliser) -> _Normaliser:
        NORMALISERS[name] = function
        return function

    return register


def _two_digit_year(value: int) -> int:
    return 2000 + value if value < 70 else 1900 + value


def _year_value(text: str) -> int:
    value = int(text.lstrip("'’"))
    return _two_digit_year(value) if value < 100 else value


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower()).replace("’", "'")


def _ko_number(text: str) -> float | None:
    if text in _VOCABULARY["numbers_ko"]:
        return float(_VOCABULARY["numbers_ko"][text])
    try:
        return float(text)
    except ValueError:
        return None


def _en_number(text: str) -> float | None:
    text = _words(text)
    if text in _VOCABULARY["numbers_en"]:
        return float(_VOCABULARY["numbers_en"][text])
    try:
        return float(text)
    except ValueError:
        return None


def _vague_count(text: str) -> tuple[int, int] | None:
    """ "몇", "수", "a few", "several": the fewest and the most such a count means."""
    counts = _VOCABULARY["vague_counts"].get(_words(text))
    return (int(counts[0]), int(counts[1])) if counts else None


@_normaliser("calendar_date")
def _calendar_date(found: _Found) -> _Atom | None:
    """2025.11.04, 2025-11-04: a full date."""
    day = _safe_date(
        int(found.group("y") or 0), int(found.group("m") or 0), int(found.group("d") or 0)
    )
    if day is None:
        return None
    return found.atom("date", year=day.year, year_explicit=True, month=day.month, day=day.day)


@_normaliser("unit_range")
def _unit_range(found: _Found) -> _Atom | None:
    """3~4분기, 7~8월, 2025~2026년: two numbers sharing one unit."""
    atom = found.atom("range")
    atom.extra.update(
        a=int(found.group("a") or 0), b=int(found.group("b") or 0), unit=found.group("unit")
    )
    return atom


@_normaliser("decade")
def _decade(found: _Found) -> _Atom | None:
    """2030년대, the mid-2030s."""
    atom = found.atom("decade", year=int(found.group("y") or 0) * 10, year_explicit=True)
    part = found.group("part")
    if part:
        atom.part = _PART_NAMES[part.lower()]
    return atom


@_normaliser("year")
def _year(found: _Found) -> _Atom | None:
    """A calendar year. Parameters: bare (written without 년/FY, so more easily a number),
    years = [lowest, highest] accepted, anchor_years = [before, after] the anchor's year
    accepted (checked once the anchor is known), fiscal = true | "unless_calendar"."""
    year = _year_value(found.group("y") or "0")
    limits = found.parameters.get("years")
    if limits and not limits[0] <= year <= limits[1]:
        return None
    fiscal = found.parameters.get("fiscal", False)
    if fiscal == "unless_calendar":
        fiscal = found.match.group(0)[:1].lower() != "c"
    atom = found.atom("year", year=year, year_explicit=True, fiscal=bool(fiscal))
    atom.extra["bare"] = bool(found.parameters.get("bare", False))
    if "anchor_years" in found.parameters:
        atom.extra["anchor_years"] = tuple(found.parameters["anchor_years"])
    return atom


@_normaliser("end_of")
def _end_of(found: _Found) -> _Atom | None:
    """EOY, EOQ, EOM, YE25: the end of a year, quarter or month."""
    unit = {"EOY": "year", "YE": "year", "EOQ": "quarter", "EOM": "month"}[found.group("eo") or ""]
    year_text = found.group("y")
    if year_text:
        if unit != "year":
            return None
        # "YE25": the end of 2025, like "2025년 말"
        return found.atom("year", year=_year_value(year_text), year_explicit=True, part="end")
    atom = found.atom("rel")
    atom.extra["word"] = f"end of this {unit}"
    return atom


@_normaliser("forward_months")
def _forward_months(found: _Found) -> _Atom | None:
    """12M fwd: a horizon of that many months from the anchor."""
    atom = found.atom("duration")
    atom.extra.update(
        amount=float(found.group("a") or 0), amount_to=None, unit="month", prefix="next", suffix=""
    )
    return atom


@_normaliser("coming_period")
def _coming_period(found: _Found) -> _Atom | None:
    """ "in the coming weeks": a vague horizon; parameter amounts = {unit = [fewest, most]}."""
    unit = (found.group("unit", "unit2") or "").lower().rstrip("s")
    low, high = found.parameters["amounts"][unit]
    atom = found.atom("duration", vague=True)
    atom.extra.update(amount=low, amount_to=high, unit=unit, prefix="next", suffix="")
    return atom


@_normaliser("month_quarter")
def _month_quarter(found: _Found) -> _Atom | None:
    """ "the June quarter": the calendar quarter that ends in that month."""
    month = _MONTHS_EN[(found.group("mn") or "").lower().rstrip(".")]
    return found.atom("quarter", quarter=(month - 1) // 3 + 1)


@_normaliser("same_time")
def _same_time(found: _Found) -> _Atom | None:
    """ "내년 이맘때", "this time next year": the same time of year, some years on."""
    word = _words(found.group("r") or f"{found.group('r2')} year")
    atom = found.atom("rel")
    atom.extra["word"] = f"this time {_REL_YEARS[word]:+d}"
    return atom


@_normaliser("quarter")
def _quarter(found: _Found) -> _Atom | None:
    """A quarter by number (3Q, Q3, 3분기, 삼분기) or ordinal (third quarter), with the year
    when written (23Q2, FY26Q3). Parameter fiscal: the company's fiscal calendar."""
    ordinal = found.group("ord")
    number = (
        _VOCABULARY["ordinals_en"][ordinal.lower()]
        if ordinal
        else int(_ko_number(found.group("q", "q2") or "") or 0)
    )
    atom = found.atom("quarter", quarter=number, fiscal=bool(found.parameters.get("fiscal")))
    year_text = found.group("y", "y2")
    if year_text:
        atom.year, atom.year_explicit = _year_value(year_text), True
    return atom


@_normaliser("half")
def _half(found: _Found) -> _Atom | None:
    """상반기/하반기, 1H/H2, first half, 2HFY26: a half year."""
    word = (found.group("h", "h2") or "").lower()
    atom = found.atom(
        "half", half=int(_VOCABULARY["halves"][word]), fiscal=bool(found.parameters.get("fiscal"))
    )
    year_text = found.group("y")
    if year_text:
        atom.year, atom.year_explicit = _year_value(year_text), True
    return atom


def _month_of(found: _Found) -> int | None:
    name = found.group("mn")
    if name:
        return _MONTHS_EN[name.lower().rstrip(".")]
    number = found.group("m")
    return int(number) if number else None


@_normaliser("month_day")
def _month_day(found: _Found) -> _Atom | None:
    """7월 14일, 10/15, March 15, 2026, 15 March: a day of a month."""
    atom = found.atom("day", month=_month_of(found), day=int(found.group("d") or 1))
    if found.group("y"):
        atom.year, atom.year_explicit = int(found.group("y") or 0), True
    return atom


@_normaliser("day_range")
def _day_range(found: _Found) -> _Atom | None:
    """9월 16~17일, March 18–19: days of one month."""
    first, last = int(found.group("d") or 1), int(found.group("d2") or 1)
    limit = found.parameters.get("max_days")
    if isinstance(limit, int) and not 0 < last - first < limit:
        return None  # "9일과 20일": two days, not one span
    atom = found.atom("day", month=_month_of(found), day=last)
    atom.extra["first_day"] = first
    if found.group("y"):
        atom.year, atom.year_explicit = int(found.group("y") or 0), True
    return atom


@_normaliser("week_of")
def _week_of(found: _Found) -> _Atom | None:
    """Week of December 8: a day whose window widens to its market week once resolved."""
    atom = _month_day(found)
    if atom is not None:
        atom.extra["week_of"] = True
    return atom


_KO_NTH = {"첫째": 1, "첫": 1, "둘째": 2, "셋째": 3, "넷째": 4, "다섯째": 5}


@_normaliser("month_week")
def _month_week(found: _Found) -> _Atom | None:
    """1월 넷째 주: a day of that month whose window becomes the nth market week once the
    year is known."""
    text = found.group("n") or "1"
    nth = _KO_NTH.get(text) or int(text)
    atom = found.atom("day", month=_month_of(found), day=1)
    atom.extra["week_of"] = True
    atom.extra["nth_week"] = nth
    return atom


@_normaliser("weekday")
def _weekday(found: _Found) -> _Atom | None:
    """수요일, Wednesday."""
    atom = found.atom("weekday")
    atom.extra["weekday"] = int(_VOCABULARY["weekdays"][(found.group("wd") or "").lower()])
    return atom


@_normaliser("month")
def _month(found: _Found) -> _Atom | None:
    """3월, July 2023, "in June", "last March" (the shift word fixes the year)."""
    atom = found.atom("month", month=_month_of(found))
    if found.group("y"):
        atom.year, atom.year_explicit = int(found.group("y") or 0), True
    return atom


@_normaliser("dateline_day")
def _dateline_day(found: _Found) -> _Atom | None:
    """ "3일(현지시간)": a news dateline, a day that has already come (read as the past)."""
    month = found.group("m", "m2")
    atom = found.atom(
        "day", month=int(month) if month else None, day=int(found.group("d", "d2") or 1)
    )
    atom.extra["dateline"] = True
    return atom


@_normaliser("day")
def _day(found: _Found) -> _Atom | None:
    """19일: a day of a month not written."""
    return found.atom("day", day=int(found.group("d") or 1))


@_normaliser("season")
def _season(found: _Found) -> _Atom | None:
    """봄, next fall, spring 2026. Parameters: needs_year (a season without a year is no date),
    leads (written before its year), relative_years ({this = 0, next = 1 …})."""
    season = _VOCABULARY["seasons"][(found.group("season") or "").lower()]
    atom = found.atom("part", part=f"season_{season}")
    rel = (found.group("rel") or "").lower()
    if rel:
        atom.relative_years = int(found.parameters["relative_years"][rel])
    _mark_part(atom, found)
    return atom


def _mark_part(atom: _Atom, found: _Found) -> None:
    if found.parameters.get("leads"):
        atom.extra["leads"] = True  # "end of 2026", "spring 2026": the part comes first
    if found.parameters.get("needs_year"):
        atom.extra["needs_year"] = True


@_normaliser("end_of_period")
def _end_of_period(found: _Found) -> _Atom | None:
    """ "the end of the year", "year-end", "the start of this quarter"."""
    unit = (found.group("unit") or "year").lower()
    edge = (found.group("edge") or "end").lower()
    if found.group("ye"):
        unit, edge = "year", "end"
    atom = found.atom("rel")
    atom.extra["word"] = f"{edge} of this {unit}"
    return atom


@_normaliser("holiday")
def _holiday_atom(found: _Found) -> _Atom | None:
    """추석, 설 연휴, Thanksgiving. Parameter names: written form (without spaces) → holiday."""
    word = _words(found.group("holiday") or "")
    names = found.parameters.get("names")
    atom = found.atom("holiday")
    atom.extra["holiday"] = names[word.replace(" ", "")] if names else word
    return atom


@_normaliser("part")
def _part(found: _Found) -> _Atom | None:
    """말, 연말, 초반, early, end of, year-end: a part of the period next to it."""
    atom = found.atom("part", part=_PART_NAMES[_words(found.group("p", "p2") or "")])
    _mark_part(atom, found)
    return atom


@_normaliser("relative")
def _relative(found: _Found) -> _Atom | None:
    """올해, 내년, 다음 달, 같은 해, next quarter, today: a period named from the anchor."""
    word = _words(found.group("r") or "")
    atom = found.atom("rel", fiscal="fiscal" in word)
    atom.extra["word"] = _REL_SYNONYMS.get(word, word)
    return atom


@_normaliser("next_period")
def _next_period(found: _Found) -> _Atom | None:
    """ "the next decade", "the coming years". Parameter years: unit → years (others vague)."""
    unit = (found.group("unit") or "").lower()
    years = found.parameters["years"].get(unit)
    atom = found.atom("duration", relation="within", vague=years is None)
    atom.extra.update(amount=years or 0, amount_to=None, unit="year", prefix="next", suffix="")
    return atom


@_normaliser("ko_duration")
def _ko_duration(found: _Found) -> _Atom | None:
    """앞으로 2~3년, 향후 10년간, 3년 내, 2년 후, 3년 전. Parameter range_end_years: how near
    the anchor a "25년 전" closing a range must be to read as the year 2025."""
    prefix = (found.group("pre") or "").strip()
    suffix = (found.group("post") or "").strip()
    # "26년 정도" is "around 2026"; only a prefix makes such an amount a duration.
    weak_suffix = suffix in {"가량", "정도", "쯤", "여", "째", "내외"}
    if not prefix and (not suffix or weak_suffix):
        return None
    count = found.group("a") or ""
    unit_word = found.group("unit") or ""
    if unit_word == "해" and count not in _VOCABULARY["numbers_ko"]:
        return None
    if count == "수" and unit_word == "주":
        return None  # 수주 is an order won ("수주 잔고"), not "a few weeks"
    amount = _ko_number(count)
    return _duration(found, amount, _VOCABULARY["units_ko"][unit_word], prefix, suffix)


@_normaliser("en_duration")
def _en_duration(found: _Found) -> _Atom | None:
    """within 18 months, in the next 3 years, over the past 3 years, two years from now."""
    preposition = prefix = (found.group("pre") or "").strip().lower()
    suffix = (found.group("post") or "").strip().lower()
    nxt = (found.group("next") or "").lower()
    if nxt:
        prefix = {"past": "past", "last": "past", "previous": "past"}.get(nxt, "next")
    if not prefix and not suffix:
        return None
    if prefix == "for" and not nxt:
        return None  # "for 10 years" says how long, not when
    amount = _en_number(found.group("a") or "")
    unit = _VOCABULARY["units_en"][(found.group("unit") or "").lower().rstrip("s")]
    if unit == "decade":
        unit, amount = "year", (amount or 1) * 10
    atom = _duration(found, amount, unit, prefix, suffix)
    atom.extra["preposition"] = preposition
    return atom


def _duration(found: _Found, amount: float | None, unit: str, prefix: str, suffix: str) -> _Atom:
    upper = found.group("b")
    amount_to = float(upper) if upper and upper.isdigit() else _en_number(upper) if upper else None
    atom = found.atom("duration", vague=amount is None)
    atom.extra.update(amount=amount, amount_to=amount_to, unit=unit, prefix=prefix, suffix=suffix)
    if amount is None:
        # "수 개월 내에", "within a few weeks": a vague count, read as [fewest, most].
        atom.extra["vague_count"] = _vague_count(found.group("a") or "")
    if "range_end_years" in found.parameters:
        atom.extra["range_end_years"] = tuple(found.parameters["range_end_years"])
    return atom


@_normaliser("remove")
def _remove(found: _Found) -> _Atom | None:
    """A negative rule: the span it matches holds no time expression."""
    return found.atom("remove")


RULES = load_rules(functions=NORMALISERS)
_VOCABULARY = RULES.vocabulary
_MONTHS_EN: Mapping[str, int] = _VOCABULARY["months_en"]
_PART_NAMES: Mapping[str, str] = _VOCABULARY["parts"]
_REL_YEARS: Mapping[str, int] = _VOCABULARY["relative_years"]
_REL_SYNONYMS: Mapping[str, str] = _VOCABULARY["relative_synonyms"]
_RULE_ORDER = {rule.name: index for index, rule in enumerate(RULES.rules)}


def _atoms(sentence: str) -> list[_Atom]:
    found: list[_Atom] = []
    removed: list[tuple[int, int]] = []
    lowered = sentence.lower()
    for rule in RULES.rules:
        if rule.needles is not None and not any(needle in lowered for needle in rule.needles):
            continue
        normalise = NORMALISERS[rule.function]
        for match in rule.compiled.finditer(sentence):
            if not rule.accepts(match, sentence):
                continue
            atom = normalise(_Found(rule, match, sentence))
            if atom is None:
                continue
            if rule.removes:
                removed.append((atom.start, atom.end))
            else:
                found.append(atom)
    if removed:
        found = [
            atom
            for atom in found
            if not any(start <= atom.start and atom.end <= end for start, end in removed)
        ]
    # Longest match wins where atoms overlap; the earlier rule wins ties.
    found.sort(key=lambda atom: (-(atom.end - atom.start), _RULE_ORDER.get(atom.rule, 0)))
    chosen: list[_Atom] = []
    taken = [False] * (len(sentence) + 1)
    for atom in found:
        if any(taken[atom.start : atom.end]):
            continue
        for index in range(atom.start, atom.end):
            taken[index] = True
        chosen.append(atom)
    chosen.sort(key=lambda atom: atom.start)
    atoms = [_range_end_year(atom, chosen, sentence) for atom in chosen]
    _inherit_bracketed_month(atoms, sentence)
    return atoms


# "5월 6일과 7일", "5월 6일, 7일": a bare day joined to a dated one shares its month.
_DAY_JOIN = re.compile(r"\s*(?:~|∼|〜|-|–|에서|부터|과|와|및|,|and|or|to)\s*", re.IGNORECASE)


def _inherit_bracketed_month(atoms: list[_Atom], sentence: str) -> None:
    """ "9월 FOMC(16~17일)", "금요일(20일)": a bracketed day belongs to the month just before;
    "5월 6일과 7일": so does a day joined to a dated day (never another month's 7th)."""
    for index, atom in enumerate(atoms):
        if atom.kind != "day" or atom.month is not None:
            continue
        if index > 0 and _DAY_JOIN.fullmatch(sentence[atoms[index - 1].end : atom.start]):
            previous = atoms[index - 1]
            if previous.kind == "day" and previous.month is not None:
                atom.month = previous.month
                atom.year, atom.year_explicit = previous.year, previous.year_explicit
                atom.rule += "@month_before"
            continue
        if sentence[max(0, atom.start - 1) : atom.start] != "(":
            continue
        for previous in reversed(atoms[:index]):
            if atom.start - previous.end > 16:
                break
            if previous.kind in {"month", "day"} and previous.month is not None:
                atom.month = previous.month
                atom.year, atom.year_explicit = previous.year, previous.year_explicit
                atom.extra["bracketed"] = True
                atom.rule += "@month_before"
                break


_RANGE_CONNECTOR_BEFORE = re.compile(r"(?:에서|부터|~|∼|〜|-|–)\s*$")


def _range_end_year(atom: _Atom, chosen: list[_Atom], sentence: str) -> _Atom:
    """Read "25년 전" as the year 2025 when it closes a range ("2024년 말에서 25년 전도로")."""
    if atom.kind != "duration" or "range_end_years" not in atom.extra:
        return atom
    if atom.extra.get("prefix") or atom.extra.get("suffix") != "전":
        return atom
    previous = [other for other in chosen if other.end <= atom.start]
    if not previous or previous[-1].kind not in {"year", "part", "quarter", "half"}:
        return atom
    if not _RANGE_CONNECTOR_BEFORE.search(sentence[previous[-1].end : atom.start]):
        return atom
    amount = atom.extra.get("amount")
    if not isinstance(amount, float | int) or amount != int(amount) or not 0 <= amount < 100:
        return atom
    text = sentence[atom.start : atom.end]
    year_end = atom.start + text.index("년") + 1
    year = _Atom(
        atom.start,
        year_end,
        "year",
        f"{atom.rule}@range_end_year",
        year=_two_digit_year(int(amount)),
        year_explicit=True,
    )
    year.extra["anchor_years"] = atom.extra["range_end_years"]
    return year


# ---------------------------------------------------------------------------------------------
# Composites

_GAP = re.compile(r"^[\s의]*$")
_GAP_OF = re.compile(
    r"^\s*(?:-|of|in)?\s*(?:the\s+)?(?:fiscal\s+year\s+|fiscal\s+|FY\s*|회계\s*연도\s*)?$",
    re.IGNORECASE,
)


@dataclass
class _Composite:
    start: int
    end: int
    atoms: list[_Atom]


def _can_follow(left: _Atom, right: _Atom, gap: str) -> bool:
    a, b = left.kind, right.kind
    if (a, b) == ("weekday", "day") and re.fullmatch(r"\s*\(|\s*,\s*", gap):
        return True  # "금요일(20일)", "Friday, January 23rd": the date says which Friday
    if not (_GAP.match(gap) or _GAP_OF.match(gap)):
        return False
    if left.year_explicit and right.year_explicit:
        return False
    korean_gap = _GAP.match(gap) is not None
    pairs = {
        ("year", "quarter"), ("year", "half"), ("year", "month"), ("year", "day"), ("year", "part"),
        ("month", "day"), ("month", "part"), ("decade", "part"), ("rel", "quarter"), ("rel", "half"),
        ("rel", "month"), ("rel", "part"), ("rel", "day"), ("quarter", "year"), ("half", "year"),
        ("part", "year"), ("part", "month"), ("part", "decade"), ("month", "year"), ("part", "rel"),
        ("part", "quarter"), ("part", "half"), ("day", "year"), ("half", "part"), ("quarter", "part"),
        ("year", "rel"), ("rel", "weekday"), ("weekday", "day"), ("day", "weekday"),
        ("half", "rel"), ("quarter", "rel"), ("month", "rel"),
    }  # fmt: skip
    if (a, b) not in pairs:
        return False
    if (a, b) == ("year", "rel"):
        return right.extra.get("word") in {"this quarter"}  # rarely meaningful; keep separate
    if (a, b) in {("half", "rel"), ("quarter", "rel"), ("month", "rel")}:
        # "the second half of this year", "Q3 of next year", "June of next year"
        return not korean_gap and right.extra.get("word") in {"this year", "next year", "last year"}
    if (a, b) in {("quarter", "year"), ("half", "year"), ("month", "year"), ("day", "year")}:
        # "Q3 2025", "first half of 2026", "July 2023": English order only.
        return not right.extra.get("bare") or not korean_gap or gap.strip() in {"", ","}
    if (a, b) in {
        ("part", "year"),
        ("part", "month"),
        ("part", "decade"),
        ("part", "rel"),
        ("part", "quarter"),
        ("part", "half"),
    }:
        # English parts come first ("end of 2025"); Korean parts follow ("2025년 말").
        return bool(left.extra.get("leads"))
    if b == "part" and right.extra.get("leads"):
        return False
    if a == "year" and left.extra.get("bare") and korean_gap and b in {"month", "day"}:
        return gap.strip() == ""
    return True


def _composites(atoms: list[_Atom], sentence: str) -> list[_Composite]:
    result: list[_Composite] = []
    for atom in atoms:
        if result:
            last = result[-1]
            gap = sentence[last.end : atom.start]
            kinds = {member.kind for member in last.atoms}
            if atom.kind not in kinds and _can_follow(last.atoms[-1], atom, gap):
                if re.search(r"(?i)fiscal|회계|FY", gap):
                    atom.fiscal = True  # "2026 회계연도 1분기", "the third quarter of fiscal 2025"
                last.atoms.append(atom)
                last.end = atom.end
                continue
        result.append(_Composite(atom.start, atom.end, [atom]))
    return result


# ---------------------------------------------------------------------------------------------
# Resolution


@dataclass
class _Resolved:
    start: int
    end: int
    window: tuple[date, date]
    granularity: str
    explicit_year: bool
    relative: bool = False
    past_marker: bool = False
    vague: bool = False
    relation: str = "at"
    unit_year_only: bool = False
    fiscal: bool = False
    rule: str = ""
    duration: _Atom | None = None  # the duration atom it was read from, if any


_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11)}


def _season_window(year: int, season: str) -> tuple[date, date]:
    if season == "winter":
        return date(year, 12, 1), _month_end(year + 1, 2)
    first, last = _SEASONS[season]
    return date(year, first, 1), _month_end(year, last)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (nth - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = _month_end(year, month)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


# Korean lunar holidays (the day itself), which close the Korean market for three days.
_LUNAR_HOLIDAYS = {
    "seollal": {
        2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29),
        2026: (2, 17), 2027: (2, 7), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3),
    },
    "chuseok": {
        2020: (10, 1), 2021: (9, 21), 2022: (9, 10), 2023: (9, 29), 2024: (9, 17), 2025: (10, 6),
        2026: (9, 25), 2027: (9, 15), 2028: (10, 3), 2029: (9, 22), 2030: (9, 12),
    },
}  # fmt: skip


def _holiday(year: int, name: str) -> date:
    """Market holidays by name (Thanksgiving is the fourth Thursday of November, 설날 and 추석
    follow the lunar calendar)."""
    if name in _LUNAR_HOLIDAYS:
        month, day = _LUNAR_HOLIDAYS[name].get(year, (2, 1) if name == "seollal" else (9, 20))
        return date(year, month, day)
    if name.startswith("thanksgiving"):
        return _nth_weekday(year, 11, 3, 4)
    if name.startswith("black friday"):
        return _nth_weekday(year, 11, 3, 4) + timedelta(days=1)
    if name == "christmas eve":
        return date(year, 12, 24)
    if name.startswith("christmas"):
        return date(year, 12, 25)
    if name.startswith("new year") and name.endswith("eve"):
        return date(year, 12, 31)
    if name.startswith("new year"):
        return date(year, 1, 1)
    if name.startswith("labor day"):
        return _nth_weekday(year, 9, 0, 1)
    if name.startswith("memorial day"):
        return _last_weekday(year, 5, 0)
    return date(year, 7, 4)


def _pick_year(anchor: date, window_for_year, prefer: str, slack_days: int) -> int:
    """The year for an expression written without one (a bare 3분기, 7월, 연말).

    future: the first occurrence not over by more than `slack_days`; past: the last one that
    has started; nearest: the occurrence closest to the anchor.
    """
    year = anchor.year
    start, end = window_for_year(year)
    if prefer == "future":
        return year + 1 if end < anchor - timedelta(days=slack_days) else year
    if prefer == "past":
        return year - 1 if start > anchor else year
    if prefer == "nearest" and (end - start).days > 45:
        # A bare "하반기" or "3분기" means this year's unless the grammar says otherwise.
        return year

    def distance(candidate: int) -> int:
        first, last = window_for_year(candidate)
        if first <= anchor <= last:
            return 0
        return min(abs((first - anchor).days), abs((last - anchor).days))

    return min(
        (year - 1, year, year + 1),
        key=lambda candidate: (distance(candidate), abs(candidate - year)),
    )


_SAME_YEAR = {"같은 해", "같은해", "그 해", "그해", "당해", "that year", "the same year"}
_FOLLOWING_YEAR = {"이듬해", "the following year", "다음 해", "다음해"}


def _resolve_composite(
    composite: _Composite,
    anchor: date,
    prefer: str,
    context_year: int | None,
    sentence_year: int | None = None,
) -> _Resolved | None:
    """Resolve a composite, remembering whether it was written in fiscal terms."""
    resolved = _resolve_composite_window(composite, anchor, prefer, context_year, sentence_year)
    if resolved is not None:
        resolved.rule = "+".join(atom.rule for atom in composite.atoms)
        if any(atom.fiscal for atom in composite.atoms):
            resolved.fiscal = True
    return resolved


def _resolve_composite_window(
    composite: _Composite,
    anchor: date,
    prefer: str,
    context_year: int | None,
    sentence_year: int | None = None,
) -> _Resolved | None:
    by_kind = {atom.kind: atom for atom in composite.atoms}
    year_atom = by_kind.get("year")
    rel = by_kind.get("rel")
    part_atom = by_kind.get("part")
    part = part_atom.part if part_atom else None
    explicit_year = year_atom is not None
    relative = False
    past_marker = False
    # "last March", "지난 월요일", "오는 3월": the word before fixes which one is meant.
    shift = next((str(a.extra["shift"]) for a in composite.atoms if "shift" in a.extra), None)
    # "3일(현지시간)": a news dateline, this month's day or the last one before, never later
    dateline = any(atom.extra.get("dateline") for atom in composite.atoms)
    year: int | None = year_atom.year if year_atom else None
    for atom in composite.atoms:
        if atom.year is not None and year is None:
            year, explicit_year = atom.year, atom.year_explicit
    if rel is not None:
        word = str(rel.extra["word"])
        if word in _SAME_YEAR:
            if sentence_year is None:
                return None
            year, explicit_year = sentence_year, True
        elif word in _FOLLOWING_YEAR and sentence_year is not None:
            year, explicit_year = sentence_year + 1, True
        elif word == "the year":
            # "grows 50% for the year": the year the post is about, or the current one
            year = context_year if context_year is not None else anchor.year
            relative, explicit_year = True, True
        elif word in _REL_YEARS:
            year = anchor.year + _REL_YEARS[word]
            relative, explicit_year = True, True
            past_marker = _REL_YEARS[word] < 0
            if word in {"early next year"}:
                part = part or "early"
            if word in {"late next year"}:
                part = part or "late"
        elif not {"quarter", "half", "month", "day", "weekday"} & by_kind.keys():
            if context_year is not None and word.endswith("this year"):
                # "by year-end" in a "2025 predictions" post means the end of 2025.
                return _resolve_relative_period(composite, word, date(context_year, 6, 30))
            return _resolve_relative_period(composite, word, anchor)
    if (
        year is None
        and context_year is not None
        and any(k in by_kind for k in ("quarter", "half", "month"))
    ):
        year, explicit_year = context_year, False
    if part is not None and part.startswith("season_"):
        season = part.removeprefix("season_")
        if year is None and part_atom is not None and part_atom.extra.get("needs_year"):
            return None
        if year is None and part_atom is not None and part_atom.relative_years is not None:
            year, relative, explicit_year = anchor.year + part_atom.relative_years, True, True
        if year is None:
            year = _pick_year(anchor, lambda y: _season_window(y, season), prefer, 0)
        return _Resolved(
            composite.start,
            composite.end,
            _season_window(year, season),
            "month",
            explicit_year,
            relative,
        )
    weekday = by_kind.get("weekday")
    if weekday is not None and "day" not in by_kind:
        target = int(weekday.extra["weekday"])
        word = str(rel.extra["word"]) if rel is not None else ""
        week_start = anchor - timedelta(days=anchor.weekday())
        if word in {"다음 주", "다음주", "next week"}:
            moment = week_start + timedelta(days=7 + target)
        elif word in {"지난주", "지난 주", "last week"}:
            moment = week_start - timedelta(days=7 - target)
        elif word in {"이번 주", "이번주", "this week"}:
            moment = week_start + timedelta(days=target)
        elif rel is None:
            moment = _weekday_moment(anchor, target, shift, prefer)
        else:
            return None
        return _Resolved(
            composite.start, composite.end, (moment, moment), "day", False, True, shift == "last"
        )
    holiday = by_kind.get("holiday")
    if holiday is not None:
        name = str(holiday.extra["holiday"])
        if year is None:
            year = _pick_year(anchor, lambda y: (_holiday(y, name),) * 2, prefer, 0)
        moment = _holiday(year, name)
        return _Resolved(
            composite.start, composite.end, (moment, moment), "day", explicit_year, relative
        )
    decade = by_kind.get("decade")
    if decade is not None:
        base = int(decade.year or 0)
        decade_part = decade.part or part
        if decade_part in _DECADE_PARTS:
            first, last = _DECADE_PARTS[decade_part]
            window = (date(base + first, 1, 1), date(base + last, 12, 31))
        else:
            window = (date(base, 1, 1), date(base + 9, 12, 31))
        return _Resolved(composite.start, composite.end, window, "range", True, vague=True)
    if "date" in by_kind:
        atom = by_kind["date"]
        day = date(int(atom.year or 0), int(atom.month or 1), int(atom.day or 1))
        return _Resolved(composite.start, composite.end, (day, day), "day", True)
    quarter = by_kind.get("quarter")
    if quarter is not None:
        number = int(quarter.quarter or 1)
        if year is None:
            year = _pick_year(anchor, lambda y: _quarter_window(y, number), prefer, 100)
        window = _quarter_window(year, number)
        if part in {"end", "late"}:
            window = (_month_end(year, 3 * number) - timedelta(days=20), window[1])
        return _Resolved(
            composite.start, composite.end, window, "quarter", explicit_year, relative, past_marker
        )
    half = by_kind.get("half")
    if half is not None:
        number = int(half.half or 1)
        if year is None:
            year = _pick_year(anchor, lambda y: _half_window(y, number), prefer, 60)
        return _Resolved(
            composite.start,
            composite.end,
            _half_window(year, number),
            "half",
            explicit_year,
            relative,
            past_marker,
        )
    day_atom = by_kind.get("day")
    month_atom = by_kind.get("month")
    if (
        day_atom is not None
        and rel is not None
        and str(rel.extra["word"])
        in {
            "다음 달",
            "다음달",
            "next month",
            "이번 달",
            "이번달",
            "이달",
            "this month",
            "지난 달",
            "지난달",
            "last month",
        }
    ):
        word = str(rel.extra["word"])
        shift = (
            1
            if word.startswith(("다음", "next"))
            else -1
            if word.startswith(("지난", "last"))
            else 0
        )
        month_start = _add_months(date(anchor.year, anchor.month, 1), shift)
        moment = _safe_date(month_start.year, month_start.month, int(day_atom.day or 1))
        if moment is None:
            return None
        return _Resolved(
            composite.start, composite.end, (moment, moment), "day", False, True, shift < 0
        )
    if day_atom is not None:
        month = day_atom.month or (month_atom.month if month_atom else None)
        day_of_month = int(day_atom.day or 1)
        if month is None:
            moment = _bare_day(anchor, day_of_month, prefer, shift, dateline)
            if moment is None or year is not None:
                return None
            past_marker = past_marker or shift == "last"
            return _Resolved(
                composite.start,
                composite.end,
                _day_window(moment, day_atom),
                "day",
                False,
                relative,
                past_marker,
            )

        def day_window(y: int) -> tuple[date, date]:
            moment = _safe_date(y, month, day_of_month) or date(y, month, 1)
            return _day_window(moment, day_atom)  # a week's window when it names one

        if year is None and shift is not None:
            year, past_marker = _shifted_year(anchor, day_window, shift), shift == "last"
        if year is None:
            # A dated dateline ("12월 30일(현지시간)") is the nearest such day, never next year's.
            day_prefer = ("past" if prefer == "past" else "nearest") if dateline else prefer
            # A month's week just gone ("6월 첫째주" written on June 5) is this year's.
            slack = 40 if day_atom.extra.get("week_of") else 0
            year = _pick_year(anchor, day_window, day_prefer, slack)
        moment = _safe_date(year, month, day_of_month)
        if moment is None:
            return None
        return _Resolved(
            composite.start,
            composite.end,
            _day_window(moment, day_atom),
            "day",
            explicit_year,
            relative,
            past_marker,
        )
    if month_atom is not None:
        month = int(month_atom.month or 1)
        if year is None and shift is not None:
            year = _shifted_year(anchor, lambda y: _month_window(y, month), shift)
            past_marker = shift == "last"
        if year is None:
            year = _pick_year(anchor, lambda y: _month_window(y, month), prefer, 0)
        window = _month_window(year, month)
        month_part = {"month_early": "early", "month_end": "end"}.get(part or "", part)
        if month_part in _MONTH_PARTS:
            window = _month_part_window(year, month, month_part)
        return _Resolved(
            composite.start, composite.end, window, "month", explicit_year, relative, past_marker
        )
    if part is not None and year is None:
        return _resolve_bare_part(composite, part, anchor, prefer, context_year)
    if year is not None:
        window = _year_window(year)
        granularity = "year"
        part = part or (year_atom.part if year_atom is not None else None)
        mapped = {"year_early": "early", "year_end": "end"}.get(part or "", part)
        if mapped in _YEAR_PARTS:
            window = _year_part_window(year, mapped)
        if year_atom is not None and year_atom.fiscal:
            # Fiscal years end in different months; the calendar year is the common reading.
            granularity = "year"
        unit_year_only = part is None and rel is None
        resolved = _Resolved(
            composite.start,
            composite.end,
            window,
            granularity,
            explicit_year,
            relative,
            past_marker,
        )
        resolved.unit_year_only = unit_year_only
        return resolved
    return None


def _bare_day(
    anchor: date, day: int, prefer: str, shift: str | None, dateline: bool
) -> date | None:
    """The date of a day written without its month ("19일").

    "지난 19일" is the last one before the anchor, "오는 19일" the next one after, "이번 19일"
    this month's. Otherwise the anchor's month's; for a future reading the next month's once it
    has passed, for a past reading the previous month's while it is ahead, and for no reading
    the nearest of the three. A dateline ("19일(현지시간)") is never a later month's: this
    month's for a future reading, else the last one not after the anchor.
    """
    this_month = date(anchor.year, anchor.month, 1)
    months = [_add_months(this_month, offset) for offset in (-2, -1, 0, 1, 2)]
    options = [moment for first in months if (moment := _safe_date(first.year, first.month, day))]
    candidate = _safe_date(anchor.year, anchor.month, day)
    if shift == "last":
        return max((moment for moment in options if moment < anchor), default=None)
    if shift == "next":
        return min((moment for moment in options if moment > anchor), default=None)
    if shift == "this":
        return candidate
    if dateline:
        before = [moment for moment in options if moment <= anchor]
        if prefer == "future" and candidate is not None:
            return candidate
        if prefer == "nearest" and candidate is not None and before:
            return min((candidate, before[-1]), key=lambda moment: abs((moment - anchor).days))
        return before[-1] if before else None
    if candidate is None:
        return None
    nxt, prev = months[3], months[1]
    if prefer == "future" and candidate < anchor:
        return _safe_date(nxt.year, nxt.month, day)
    if prefer == "past" and candidate > anchor:
        return _safe_date(prev.year, prev.month, day)
    if prefer == "nearest":
        nearby = [
            moment
            for moment in (
                _safe_date(prev.year, prev.month, day),
                candidate,
                _safe_date(nxt.year, nxt.month, day),
            )
            if moment is not None
        ]
        return min(nearby, key=lambda moment: abs((moment - anchor).days))
    return candidate


def _weekday_moment(anchor: date, target: int, shift: str | None, prefer: str) -> date:
    """The date of a weekday: "last Monday" the one before the anchor, "next Monday" the one
    after; "this Monday" or a bare "Monday" the coming one (the anchor's own day included), or
    in a past-tense reading the most recent one ("a note published on Monday")."""
    back = (anchor.weekday() - target) % 7
    ahead = (target - anchor.weekday()) % 7
    if shift == "last":
        return anchor - timedelta(days=back or 7)
    if shift == "next":
        return anchor + timedelta(days=ahead or 7)
    if prefer == "past":
        return anchor - timedelta(days=back)
    return anchor + timedelta(days=ahead)


def _shifted_year(
    anchor: date, window_for_year: Callable[[int], tuple[date, date]], shift: str
) -> int:
    """The year of "last March" (the latest one over before the anchor), "next March" (the
    first one not yet begun) or "this March" (the anchor's year)."""
    if shift == "last":
        return anchor.year if window_for_year(anchor.year)[1] < anchor else anchor.year - 1
    if shift == "next":
        return anchor.year if window_for_year(anchor.year)[0] > anchor else anchor.year + 1
    return anchor.year


def _day_window(moment: date, day_atom: _Atom) -> tuple[date, date]:
    """The window of a resolved day: the day, a range of days ending on it, or its market week
    (Monday to Friday; a Saturday or Sunday names the week after it)."""
    nth = day_atom.extra.get("nth_week")
    if isinstance(nth, int):
        # the week holding the month's nth Thursday
        first = moment.replace(day=1)
        thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 7 * (nth - 1))
        monday = thursday - timedelta(days=3)
        return monday, monday + timedelta(days=4)
    if day_atom.extra.get("week_of"):
        monday = moment - timedelta(days=moment.weekday())
        if moment.weekday() >= 5:
            monday += timedelta(days=7)
        return monday, monday + timedelta(days=4)
    return _first_day_of_range(moment, day_atom), moment


def _first_day_of_range(last: date, day_atom: _Atom) -> date:
    """The first day of "16~17일", "May 6–7" (in the month before when it is the larger
    number: "30~2일"); the day itself for a single day."""
    first = day_atom.extra.get("first_day")
    if not isinstance(first, int) or first == last.day:
        return last
    if first < last.day:
        return last.replace(day=first)
    previous = _add_months(last.replace(day=1), -1)
    return _safe_date(previous.year, previous.month, first) or last


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve_bare_part(
    composite: _Composite, part: str, anchor: date, prefer: str, context_year: int | None = None
) -> _Resolved | None:
    """연말, 연초, 연내, 월말, year-end … without a year: the context's or the anchor's year."""
    span = (composite.start, composite.end)
    if context_year is not None and part in {"year_end", "year_within", "year_early"}:
        window = (
            _year_window(context_year)
            if part == "year_within"
            else _year_part_window(context_year, "end" if part == "year_end" else "early")
        )
        return _Resolved(*span, window, "year", False, True)
    if part == "year_end":
        return _Resolved(*span, _year_part_window(anchor.year, "end"), "year", False, True)
    if part == "year_within":
        return _Resolved(*span, _year_window(anchor.year), "year", False, True)
    if part == "year_early":
        year = anchor.year + 1 if prefer == "future" and anchor.month > 3 else anchor.year
        return _Resolved(*span, _year_part_window(year, "early"), "year", False, True)
    if part in {"month_end", "month_early"}:
        month_part = "end" if part == "month_end" else "early"
        window = _month_part_window(anchor.year, anchor.month, month_part)
        return _Resolved(*span, window, "month", False, True)
    return None


def _resolve_relative_period(composite: _Composite, word: str, anchor: date) -> _Resolved | None:
    month_start = date(anchor.year, anchor.month, 1)
    quarter = (anchor.month - 1) // 3 + 1
    same_time = re.fullmatch(r"this time ([+-]\d+)", word)
    if same_time:
        years = int(same_time.group(1))
        moment = _add_months(anchor, 12 * years)
        return _Resolved(
            composite.start,
            composite.end,
            _month_window(moment.year, moment.month),
            "month",
            False,
            True,
            years < 0,
        )
    edge_match = re.fullmatch(
        r"(end|start|beginning|middle) of this (year|quarter|month|decade)", word
    )
    if edge_match:
        edge, unit = edge_match.groups()
        if unit == "year":
            part = {"end": "end", "middle": "mid"}.get(edge, "early")
            window = _year_part_window(anchor.year, part)
        elif unit == "quarter":
            window = _quarter_window(anchor.year, quarter)
            if edge == "end":
                window = (window[1] - timedelta(days=20), window[1])
        elif unit == "month":
            window = _month_part_window(
                anchor.year, anchor.month, "end" if edge == "end" else "early"
            )
        else:
            base = anchor.year - anchor.year % 10
            window = (
                (date(base + 7, 1, 1), date(base + 9, 12, 31))
                if edge == "end"
                else (date(base, 1, 1), date(base + 3, 12, 31))
            )
        granularity = {"year": "year", "quarter": "quarter", "month": "month", "decade": "range"}[
            unit
        ]
        return _Resolved(composite.start, composite.end, window, granularity, False, True)
    if word in {"다음 달", "다음달", "next month"}:
        start = _add_months(month_start, 1)
        return _Resolved(
            composite.start,
            composite.end,
            _month_window(start.year, start.month),
            "month",
            False,
            True,
        )
    if word in {"이번 달", "이번달", "이달", "this month"}:
        return _Resolved(
            composite.start,
            composite.end,
            _month_window(anchor.year, anchor.month),
            "month",
            False,
            True,
        )
    if word in {"지난 달", "지난달", "last month"}:
        start = _add_months(month_start, -1)
        return _Resolved(
            composite.start,
            composite.end,
            _month_window(start.year, start.month),
            "month",
            False,
            True,
            True,
        )
    if word in {"다음 분기", "다음분기", "next quarter"}:
        start = _add_months(date(anchor.year, 3 * (quarter - 1) + 1, 1), 3)
        window = _quarter_window(start.year, (start.month - 1) // 3 + 1)
        return _Resolved(composite.start, composite.end, window, "quarter", False, True)
    if word in {"이번 분기", "이번분기", "this quarter"}:
        return _Resolved(
            composite.start,
            composite.end,
            _quarter_window(anchor.year, quarter),
            "quarter",
            False,
            True,
        )
    if word in {"지난 분기", "지난분기", "last quarter"}:
        start = _add_months(date(anchor.year, 3 * (quarter - 1) + 1, 1), -3)
        window = _quarter_window(start.year, (start.month - 1) // 3 + 1)
        return _Resolved(composite.start, composite.end, window, "quarter", False, True, True)
    # Weeks are market weeks, Monday to Friday: "next week's data" is out by Friday. Written on
    # a weekend, "이번 주" is the week ahead (a Saturday or Sunday schedule post); an English
    # "this week" on a weekend as often closes the week behind ("That's it for this week").
    if word in {"다음 주", "다음주", "next week"}:
        start = anchor + timedelta(days=7 - anchor.weekday())
        return _Resolved(
            composite.start, composite.end, (start, start + timedelta(days=4)), "day", False, True
        )
    if word in {"이번 주", "이번주"}:
        start = anchor - timedelta(days=anchor.weekday())
        korean = any(atom.rule.startswith("ko_") for atom in composite.atoms)
        if anchor.weekday() >= 5 and korean:
            start += timedelta(days=7)
        return _Resolved(
            composite.start, composite.end, (start, start + timedelta(days=4)), "day", False, True
        )
    if word in {"지난주"}:
        start = anchor - timedelta(days=anchor.weekday() + 7)
        return _Resolved(
            composite.start,
            composite.end,
            (start, start + timedelta(days=6)),
            "day",
            False,
            True,
            True,
        )
    if word == "내일":
        moment = anchor + timedelta(days=1)
        return _Resolved(composite.start, composite.end, (moment, moment), "day", False, True)
    if word == "오늘":
        return _Resolved(composite.start, composite.end, (anchor, anchor), "day", False, True)
    if word == "어제":
        moment = anchor - timedelta(days=1)
        return _Resolved(composite.start, composite.end, (moment, moment), "day", False, True, True)
    if word == "모레":
        moment = anchor + timedelta(days=2)
        return _Resolved(composite.start, composite.end, (moment, moment), "day", False, True)
    return None


def _shifter(anchor: date, unit: str) -> Callable[..., date]:
    """A function moving the anchor by an amount of `unit`s (forwards, or back with sign -1)."""
    months_per = {"year": 12, "month": 1, "quarter": 3}.get(unit)
    days_per = {"week": 7, "day": 1}.get(unit)

    def shift(value: float, sign: int = 1) -> date:
        if months_per:
            return _add_months(anchor, sign * round(float(value) * months_per))
        return anchor + timedelta(days=sign * float(value) * (days_per or 1))

    return shift


_PAST_PREFIXES = {"지난", "최근", "과거", "past", "last", "previous"}
_PAST_SUFFIXES = {"전", "만에", "ago"}
_AFTER_SUFFIXES = {"후", "뒤", "later", "from now", "ahead"}
# "수 개월 내에", "몇 달 안에", "within a few weeks", "over the next few quarters"
_WITHIN_SUFFIXES = {"내", "내외", "이내", "안에", "안", "안으로", "내로"}
_FORWARD_PREFIXES = {"앞으로", "향후", "within", "in", "next", "over", "during", "by"}


def _resolve_vague_duration(atom: _Atom, anchor: date, counts: tuple[int, int]) -> _Resolved | None:
    """A vague count of periods: a window from the anchor to the most the count can mean
    (forwards or back), or between the fewest and the most for "N 후"/"from now"."""
    fewest, most = counts
    shift = _shifter(anchor, str(atom.extra["unit"]))
    prefix = str(atom.extra.get("prefix") or "")
    suffix = str(atom.extra.get("suffix") or "")
    span = (atom.start, atom.end)
    if atom.extra.get("preposition") == "for":
        return None  # "for the next several years" says how long something lasts
    if prefix in _PAST_PREFIXES or suffix in _PAST_SUFFIXES:
        window = (shift(most, -1), anchor)
        return _Resolved(*span, window, "horizon", False, True, True, True, relation="ago")
    if suffix in _AFTER_SUFFIXES or prefix == "after":
        window = (shift(fewest), shift(most))
        return _Resolved(*span, window, "horizon", False, True, vague=True, relation="after")
    if suffix in _WITHIN_SUFFIXES or prefix in _FORWARD_PREFIXES:
        window = (anchor, shift(most))
        return _Resolved(*span, window, "horizon", False, True, vague=True, relation="within")
    return None  # "수년간 이어진": how long, not when


def _resolve_duration(atom: _Atom, anchor: date) -> _Resolved | None:
    amount = atom.extra.get("amount")
    amount_to = atom.extra.get("amount_to")
    prefix = str(atom.extra.get("prefix") or "")
    suffix = str(atom.extra.get("suffix") or "")
    if amount is None:
        counts = atom.extra.get("vague_count")
        return _resolve_vague_duration(atom, anchor, counts) if counts else None  # type: ignore[arg-type]
    shift = _shifter(anchor, str(atom.extra["unit"]))
    if prefix in _PAST_PREFIXES or suffix in _PAST_SUFFIXES:
        start = shift(float(amount_to or amount), -1)
        return _Resolved(
            atom.start, atom.end, (start, anchor), "horizon", False, True, True, relation="ago"
        )
    low = shift(float(amount))
    high = shift(float(amount_to)) if amount_to else low
    if suffix in _AFTER_SUFFIXES or (prefix in {"in", "after"} and suffix not in {"간", "동안"}):
        relation = "after" if suffix in _AFTER_SUFFIXES or prefix == "after" else "within"
        if relation == "after":
            return _Resolved(
                atom.start, atom.end, (low, high), "horizon", False, True, relation="after"
            )
        return _Resolved(
            atom.start, atom.end, (anchor, high), "horizon", False, True, relation="within"
        )
    if prefix or suffix:
        if amount_to:
            return _Resolved(
                atom.start, atom.end, (low, high), "horizon", False, True, relation="within"
            )
        return _Resolved(
            atom.start, atom.end, (anchor, high), "horizon", False, True, relation="within"
        )
    return None


def _resolve_range_atom(atom: _Atom, anchor: date, prefer: str) -> _Resolved | None:
    a, b, unit = int(atom.extra["a"]), int(atom.extra["b"]), str(atom.extra["unit"])
    if unit == "년":
        first, last = _year_value(str(a)) if a < 100 else a, b
        if last < 100:
            last = (first // 100) * 100 + last
        if not (1900 <= first <= last <= 2200) or last - first > 30:
            return None
        return _Resolved(
            atom.start, atom.end, (date(first, 12, 31), date(last, 12, 31)), "range", True
        )
    if unit == "분기" and 1 <= a < b <= 4:
        year = _pick_year(anchor, lambda y: _quarter_window(y, b), prefer, 100)
        return _Resolved(
            atom.start,
            atom.end,
            (_quarter_window(year, a)[1], _quarter_window(year, b)[1]),
            "range",
            False,
        )
    if unit == "월" and 1 <= a < b <= 12:
        year = _pick_year(anchor, lambda y: _month_window(y, b), prefer, 0)
        return _Resolved(
            atom.start, atom.end, (_month_end(year, a), _month_end(year, b)), "range", False
        )
    return None


# ---------------------------------------------------------------------------------------------
# Relations and ranges

_RANGE_JOIN = re.compile(
    r"^\s*(?:에서|부터|~|∼|〜|-|–|—|to|through|thru|until|and|or|에서부터|에서\s*늦어도|내지|또는|혹은)\s*$",
    re.IGNORECASE,
)
_BETWEEN_BEFORE = re.compile(r"(?:between|from)\s*$", re.IGNORECASE)
_AFTER_RELATION = [
    (re.compile(r"^\s*(?:\([^)]{1,6}\))?\s*(?:까지|내에|이내|안에|중에|중으로|내로)"), "until"),
    (
        # "2025년부터 회복", "2025년을 기점으로", "2026 onwards": a start, not a due date
        re.compile(
            r"^\s*(?:\([^)]{1,6}\))?\s*(?:부터|이래|이후로|since|(?:을|를)\s*(?:기점으로|시작으로)"
            r"|onwards?\b|and\s+beyond\b)"
        ),
        "since",
    ),
    (re.compile(r"^\s*(?:\([^)]{1,6}\))?\s*(?:이후|후|뒤|이상)"), "after"),
    (re.compile(r"^\s*(?:\([^)]{1,6}\))?\s*(?:이전|전까지|전에|전)(?!도|후)"), "before"),
]
_BEFORE_RELATION = [
    (
        re.compile(
            r"(?:\bby|\buntil|\btill|\bthrough|\bno\s+later\s+than|\bbefore\s+the\s+end\s+of)\s+(?:the\s+)?$",
            re.IGNORECASE,
        ),
        "until",
    ),
    (
        re.compile(
            r"(?:\bsince|\bstarting(?:\s+in)?|\bbeginning(?:\s+in)?|\bfrom)\s+$", re.IGNORECASE
        ),
        "since",
    ),
    (re.compile(r"(?:\bafter|\bbeyond|\bpost)\s+$", re.IGNORECASE), "after"),
    (re.compile(r"(?:\bbefore|\bprior\s+to)\s+$", re.IGNORECASE), "before"),
    (re.compile(r"(?:지난|작년|지난해)\s*$"), "past"),
    (re.compile(r"(?:\blast|\bpast|\bprevious)\s+$", re.IGNORECASE), "past"),
]


def _relation(sentence: str, start: int, end: int) -> tuple[str, bool]:
    after = sentence[end : end + 12]
    before = sentence[max(0, start - 24) : start]
    for pattern, relation in _BEFORE_RELATION:
        if pattern.search(before):
            if relation == "past":
                return "at", True
            return relation, False
    for pattern, relation in _AFTER_RELATION:
        if pattern.match(after):
            return relation, False
    return "at", False


def _join_ranges(items: list[_Resolved], sentence: str) -> list[_Resolved]:
    joined: list[_Resolved] = []
    for item in items:
        if joined:
            last = joined[-1]
            gap = sentence[last.end : item.start]
            if (
                _RANGE_JOIN.match(gap)
                and item.window[1] >= last.window[1]
                and item.start - last.end <= 12
                # "over three years through 2028" is a span tied to its end year, not a range
                and "horizon" not in {last.granularity, item.granularity}
            ):
                between = _BETWEEN_BEFORE.search(sentence[max(0, last.start - 10) : last.start])
                word = gap.strip().lower()
                if word in {"and", "or"} and not between:
                    joined.append(item)
                    continue
                start = last.window[1] if last.granularity != "range" else last.window[0]
                merged = _Resolved(
                    last.start,
                    item.end,
                    (min(start, item.window[1]), item.window[1]),
                    "range",
                    last.explicit_year or item.explicit_year,
                    last.relative or item.relative,
                    last.past_marker and item.past_marker,
                    rule=f"{last.rule}~{item.rule}",
                )
                joined[-1] = merged
                continue
        joined.append(item)
    return joined


# "2028년까지 3년간", "2026~2028년 3년간", "three years through 2028": the years end there;
# "2026년부터 3년간", "over three years from 2026": they start there.
_TO_END_YEAR = re.compile(r"^\s*(?:까지(?:의)?|,)?\s*$")
_FROM_START_YEAR = re.compile(r"^\s*(?:부터|에서부터|from)\s*$", re.IGNORECASE)
_TO_END_YEAR_AFTER = re.compile(r"^\s*(?:through|to|until|till|ending(?:\s+in)?)\s*$", re.I)
_SPAN_PREFIXES = {"", "앞으로", "향후", "over", "during"}


def _tie_durations_to_years(items: list[_Resolved], sentence: str) -> list[_Resolved]:
    """A span of whole years written next to an explicit year counts from that year, not from
    the post's date: "2028년까지 3년간" is 2026–2028, "2026년부터 3년간" is 2026–2028."""
    tied: list[_Resolved | None] = list(items)
    for index, item in enumerate(items):
        years = _span_years(item)
        if years is None:
            if item.duration is not None and item.duration.extra.get("needs_year"):
                tied[index] = None  # "…년부터 N개월": not a span we can place
            continue
        before = items[index - 1] if index > 0 else None
        after = items[index + 1] if index + 1 < len(items) else None
        window: tuple[date, date] | None = None
        step = ""
        if before is not None and _is_explicit_year(before):
            gap = sentence[before.end : item.start]
            if _FROM_START_YEAR.match(gap):
                first = before.window[0].year
                window, step = (date(first, 1, 1), date(first + years - 1, 12, 31)), "from_year"
            elif _TO_END_YEAR.match(gap) and (
                before.granularity == "range" or gap.strip().startswith("까지")
            ):
                last = before.window[1].year
                window, step = (date(last - years + 1, 1, 1), date(last, 12, 31)), "to_year"
        if window is None and after is not None and _is_explicit_year(after):
            gap = sentence[item.end : after.start]
            if _TO_END_YEAR_AFTER.match(gap):
                last = after.window[1].year
                window, step = (date(last - years + 1, 1, 1), date(last, 12, 31)), "to_year"
            elif _FROM_START_YEAR.match(gap):
                first = after.window[0].year
                window, step = (date(first, 1, 1), date(first + years - 1, 12, 31)), "from_year"
        if window is not None:
            tied[index] = replace(
                item,
                window=window,
                granularity="range",
                explicit_year=True,
                relative=False,
                relation="during",
                rule=f"{item.rule}@{step}",
            )
        elif item.duration is not None and item.duration.extra.get("needs_year"):
            tied[index] = None
    return [item for item in tied if item is not None]


def _span_years(item: _Resolved) -> int | None:
    """The number of years of a forward span ("3년간", "향후 3년간", "over three years")."""
    atom = item.duration
    if atom is None or atom.extra.get("unit") != "year" or atom.extra.get("amount_to"):
        return None
    amount = atom.extra.get("amount")
    prefix = str(atom.extra.get("prefix") or "")
    suffix = str(atom.extra.get("suffix") or "")
    if not isinstance(amount, float | int) or amount != int(amount) or not 1 <= amount <= 30:
        return None
    if prefix not in _SPAN_PREFIXES or suffix not in {"간", "동안", ""}:
        return None
    return int(amount)


def _is_explicit_year(item: _Resolved) -> bool:
    """A year, or a range of years, written as such (2028년, 2026~2028년, 내년)."""
    return item.explicit_year and item.granularity in {"year", "range"} and item.duration is None


def _repair_two_digit_range_years(items: list[_Resolved]) -> None:
    """In "2024년 말에서 25년", a two-digit year after a four-digit one is in the same century."""
    del items  # _two_digit_year already maps 25 → 2025; kept as a hook for other centuries


# Cheap gate: a sentence without digits or time words has no time expression.
MAYBE_TIME = re.compile(
    r"\d|올해|금년|올\s|내년|명년|후년|작년|지난해|재작년|이듬해|같은\s*해|그\s*해|당해|상반|하반|전반기|후반기|"
    r"연말|연초|연내|연중|월말|월초|분기|다음\s*(?:달|주|해|날)|이번\s*(?:달|주|해)|이달|지난\s*(?:달|주)|지난주|"
    r"내일|모레|앞으로|향후|담주|차주|금주|금일|오늘|익일|명일|전일|작일|어제|개월|[일이삼사오육칠팔구십]\s*년|today|tonight|yesterday|mid-?year|[일이삼사]\s*분기|[한두세네열]\s*(?:달|해)|봄|여름|가을|겨울|요일|"
    r"year|quarter|month|week|decade|half|spring|summer|fall|autumn|winter|tomorrow|christmas|"
    r"thanksgiving|monday|tuesday|wednesday|thursday|friday|saturday|sunday|eoy|eoq|eom|이맘|설\s*연휴|설날|구정|추석|한가위|"
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|몇\s*(?:해|달|년|주)|수\s*(?:년|해)",
    re.IGNORECASE,
)
# ‘2025 테크 데이’, "CES 2026": a year inside a short quoted name is part of the name.
_SHORT_QUOTE = re.compile(r"[‘“\"「『][^’”\"」』]{1,30}[’”\"」』]")


_YEAR_THEN_FROM = re.compile(
    r"(?:(?:19|20)?\d{2}\s*년(?:도)?|(?:19|20)\d{2})\s*(?:부터|에서부터)\s*$"
)


def _event_relative(atom: _Atom, sentence: str) -> bool:
    """ "반감기 후 3개월 안에", "17개월 뒤 2017년 12월": counted from an event, not from the post."""
    if atom.kind != "duration" or atom.extra.get("function") != "ko_duration":
        return False
    if atom.extra.get("prefix") in {"앞으로", "향후", "지난", "최근", "과거"}:
        return False
    before = sentence[max(0, atom.start - 8) : atom.start]
    if re.search(r"(후|이후|뒤|부터|이래)\s*$", before):
        # "2026년부터 3년간" counts from that year (see _tie_durations_to_years), which must
        # then take it; any other "…부터 N년" counts from an event the text names.
        if _YEAR_THEN_FROM.search(sentence[max(0, atom.start - 14) : atom.start]):
            atom.extra["needs_year"] = True
            return False
        return True
    after = sentence[atom.end : atom.end + 12]
    return atom.extra.get("suffix") in {"후", "뒤"} and bool(
        re.match(r"\s*(?:19|20)\d{2}\s*년", after)
    )


def _near_anchor(atom: _Atom, anchor: date) -> bool:
    """A rule's `anchor_years = [before, after]`: how far from the anchor's year it may read."""
    limits = atom.extra.get("anchor_years")
    if not isinstance(limits, tuple) or atom.year is None:
        return True
    return anchor.year + int(limits[0]) <= atom.year <= anchor.year + int(limits[1])


def find_time_expressions(
    sentence: str,
    anchor: date,
    *,
    prefer: str = "future",
    context_year: int | None = None,
) -> list[TimeExpression]:
    """All time expressions in `sentence`, resolved against `anchor`, in text order.

    `prefer` ("future", "past" or "nearest") decides the year of expressions written without
    one (a bare "3분기" or "7월"): the next occurrence for a future-looking sentence, the last
    one for a past-tense sentence, the closest one when the sentence does not say.
    `context_year` (e.g. from a title such as "2026 predictions") is used before the anchor.
    """
    # A sentence is read several times (once per tense, once per clause); the expressions are
    # immutable, so the last few answers are kept.
    return list(_find(sentence, anchor, prefer, context_year))


@functools.lru_cache(maxsize=64)
def _find(
    sentence: str, anchor: date, prefer: str, context_year: int | None
) -> tuple[TimeExpression, ...]:
    if not MAYBE_TIME.search(sentence):
        return ()
    quoted_names = [match.span() for match in _SHORT_QUOTE.finditer(sentence)]
    atoms = [
        atom
        for atom in _atoms(sentence)
        if not any(
            start <= atom.start
            and atom.end <= end
            # ‘2025년 전망 10가지’: a title; in “…” a bare year is a name, a dated year is speech.
            and (atom.extra.get("bare") or sentence[start] == "‘")
            for start, end in quoted_names
        )
        and not _event_relative(atom, sentence)
        # "40년이 지난" is a duration even where the grammar does not say so: a two-digit year
        # far from the post's date is far more likely an amount of years.
        and _near_anchor(atom, anchor)
    ]
    resolved: list[_Resolved] = []
    sentence_year: int | None = None
    for composite in _composites(
        [atom for atom in atoms if atom.kind not in {"duration", "range"}], sentence
    ):
        # An expression without a year takes the year named earlier in the same sentence
        # ("2026년 3월 16일 … 같은 해 연말까지", "2026년 3월 … 연말").
        has_year = any(
            atom.year is not None or atom.kind in {"rel", "decade", "date"}
            for atom in composite.atoms
        )
        year_context = (
            sentence_year if (not has_year and sentence_year is not None) else context_year
        )
        item = _resolve_composite(composite, anchor, prefer, year_context, sentence_year)
        if item is not None:
            resolved.append(item)
            if item.explicit_year and item.granularity not in {"range", "horizon"}:
                sentence_year = item.window[1].year
    for atom in atoms:
        if atom.kind == "duration":
            item = _resolve_duration(atom, anchor)
        elif atom.kind == "range":
            item = _resolve_range_atom(atom, anchor, prefer)
        else:
            continue
        if item is not None:
            item.rule = atom.rule
            item.duration = atom if atom.kind == "duration" else None
            resolved.append(item)
    resolved.sort(key=lambda item: item.start)
    resolved = _tie_durations_to_years(_join_ranges(resolved, sentence), sentence)
    expressions = []
    for item in resolved:
        relation, past_before = _relation(sentence, item.start, item.end)
        if item.relation != "at":
            relation = item.relation
        if relation == "before" and re.match(
            r"(?i)(the\s+)?end\s+of|year[\s-]end|연말|말", sentence[item.start : item.end].strip()
        ):
            relation = "until"  # "before the end of the year" is "by the end of the year"
        text = sentence[item.start : item.end].strip()
        start_offset = item.start + (
            len(sentence[item.start : item.end]) - len(sentence[item.start : item.end].lstrip())
        )
        window_start, window_end = item.window
        granularity = item.granularity
        if relation == "after" and granularity in {"year", "quarter", "half", "month"}:
            # "2026년 이후": judged once the named period is over.
            window_start = window_end
        expressions.append(
            TimeExpression(
                start=start_offset,
                end=start_offset + len(text),
                text=text,
                due_start=window_start,
                due_end=window_end,
                granularity=granularity,
                relation=relation,
                explicit_year=item.explicit_year,
                relative=item.relative,
                past_marker=item.past_marker or past_before or relation == "ago",
                vague=item.vague,
                fiscal=item.fiscal,
                rule=item.rule,
            )
        )
    return tuple(expressions)


def with_year(expression: TimeExpression, year: int) -> TimeExpression:
    """The same expression moved to another year (used when context fixes an inferred year)."""
    shift = year - expression.due_end.year
    return replace(
        expression,
        due_start=_add_years(expression.due_start, shift),
        due_end=_add_years(expression.due_end, shift),
    )


# ---------------------------------------------------------------------------------------------
# Explaining


@dataclass(frozen=True)
class TimeExplanation:
    """One time expression of a sentence with the rules behind it, for people to read."""

    text: str
    start: int
    end: int
    rule: str  # as on TimeExpression: "ko_year4+ko_half", "a~b", "rule@step"
    rules: tuple[str, ...]  # the rule names inside `rule`, in order
    due_start: date
    due_end: date
    granularity: str
    relation: str
    flags: tuple[str, ...]  # explicit_year, relative, past_marker, vague, fiscal when set

    def describe(self) -> str:
        """One line: text, window, granularity, relation, flags and rule."""
        flags = f" [{', '.join(self.flags)}]" if self.flags else ""
        return (
            f"{self.text!r} → {self.due_start.isoformat()}..{self.due_end.isoformat()}"
            f" {self.granularity} {self.relation}{flags} (rule {self.rule})"
        )

    def as_dict(self) -> dict[str, object]:
        """JSON-ready fields (dates as ISO strings)."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "rule": self.rule,
            "rules": list(self.rules),
            "window": [self.due_start.isoformat(), self.due_end.isoformat()],
            "granularity": self.granularity,
            "relation": self.relation,
            "flags": list(self.flags),
        }


def rule_names(rule: str) -> tuple[str, ...]:
    """The rule names inside a produced rule string ("ko_year4+ko_part~ko_duration@step")."""
    return tuple(part.split("@")[0] for part in re.split(r"[+~]", rule) if part)


def explain_time(
    sentence: str, anchor: date, *, prefer: str = "future", context_year: int | None = None
) -> list[TimeExplanation]:
    """Each time expression of `sentence` (as `find_time_expressions` reads it) with the rule
    that found it, its window, granularity, relation and flags."""
    flag_names = ("explicit_year", "relative", "past_marker", "vague", "fiscal")
    return [
        TimeExplanation(
            text=expression.text,
            start=expression.start,
            end=expression.end,
            rule=expression.rule,
            rules=rule_names(expression.rule),
            due_start=expression.due_start,
            due_end=expression.due_end,
            granularity=expression.granularity,
            relation=expression.relation,
            flags=tuple(name for name in flag_names if getattr(expression, name)),
        )
        for expression in find_time_expressions(
            sentence, anchor, prefer=prefer, context_year=context_year
        )
    ]


@dataclass(frozen=True)
class RuleDescription:
    """A rule as the data files state it."""

    name: str
    lang: str
    source: str
    function: str
    parameters: Mapping[str, Any]
    pattern: str
    examples: int
    removes: bool


def describe_rules() -> list[RuleDescription]:
    """Every time-expression rule in the order they are tried."""
    return [
        RuleDescription(
            name=rule.name,
            lang=rule.lang,
            source=rule.source,
            function=rule.function,
            parameters=dict(rule.parameters),
            pattern=rule.pattern,
            examples=len(rule.examples),
            removes=rule.removes,
        )
        for rule in RULES.rules
    ]
