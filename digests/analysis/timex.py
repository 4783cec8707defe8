"""Time expressions in Korean and English finance writing, resolved to date windows.

Resolution is relative to an anchor (the post's published date). The parser works in three
passes: atoms (a year, a quarter, a month, "말", "early", "앞으로 2~3년" …), composites of
adjacent atoms ("2024년 2분기", "Q3 2025", "end of 2026"), and ranges joining two composites
("2024년 말에서 25년", "between 2026 and 2028"). Each result knows its window, granularity and
its relation to the text around it (until, since, after, within, ago …), which the forecast
extractor uses together with tense.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

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
# Written parts, in one vocabulary. year_*/month_* name their own period ("연말", "월초").
_PART_NAMES = {
    "초": "early", "초반": "early", "상순": "early", "early": "early", "beginning of": "early",
    "start of": "early", "중반": "mid", "중순": "mid", "mid": "mid", "middle of": "mid",
    "말": "end", "하순": "end", "end of": "end", "the end of": "end", "end-": "end", "late": "late",
    "후반": "second", "하반": "second", "연초": "year_early", "연말": "year_end", "연내": "year_within",
    "연중": "year_within", "year-end": "year_end", "year end": "year_end", "월초": "month_early",
    "월말": "month_end",
}  # fmt: skip


def _year_part_window(year: int, part: str) -> tuple[date, date]:
    first, last = _YEAR_PARTS[part]
    return date(year, first, 1), _month_end(year, last)


def _month_part_window(year: int, month: int, part: str) -> tuple[date, date]:
    first, last = _MONTH_PARTS[part]
    end_day = last or calendar.monthrange(year, month)[1]
    return date(year, month, first), date(year, month, end_day)


# ---------------------------------------------------------------------------------------------
# Vocabulary

_KO_NUMBERS = {
    "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10,
    "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9, "십": 10,
    "반": 0.5,
}  # fmt: skip
_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty": 20,
    "thirty": 30, "couple": 2, "a couple of": 2, "half": 0.5, "a half": 0.5,
}  # fmt: skip
_EN_ORDINAL = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
_MONTHS_EN = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
}  # fmt: skip
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_UNIT_KO = {
    "년": "year",
    "해": "year",
    "개월": "month",
    "달": "month",
    "주": "week",
    "일": "day",
    "분기": "quarter",
}
_UNIT_EN = {
    "year": "year",
    "yr": "year",
    "mo": "month",
    "month": "month",
    "week": "week",
    "day": "day",
    "quarter": "quarter",
    "decade": "decade",
}

# Words after "N년" that make it a duration, not a calendar year.
_KO_DURATION_AFTER = (
    r"(?:물|만기|짜리|간|동안|내|이내|안|안에|안으로|내로|후|뒤|만에|만|째|차|여|가량|이상|넘게|가까이|마다|전|"
    r"쯤\s*후|쯤\s*뒤|이\s*(?:지나|지난|흘러|흐른|걸리|걸린|넘|됐|되었|된)|의\s*(?:역사|경험|경력|세월|시간))"
)

# ---------------------------------------------------------------------------------------------
# Atoms


@dataclass
class _Atom:
    start: int
    end: int
    kind: str  # year|quarter|half|month|day|date|part|decade|relyear|relother|duration|range
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


def _two_digit_year(value: int) -> int:
    return 2000 + value if value < 70 else 1900 + value


_PATTERNS: list[tuple[str, re.Pattern[str]]] = []


def _pattern(name: str, regex: str) -> None:
    _PATTERNS.append((name, re.compile(regex, re.IGNORECASE)))


# Full numeric dates: 2025.11.04 / 2025-11-04 / 2025년 11월 4일 (the last is built from atoms).
_pattern(
    "numeric_date",
    r"(?<![\d.])(?P<y>(?:19|20)\d{2})(?P<sep>\s?[.\-/]\s?)(?P<m>1[0-2]|0?[1-9])(?P=sep)(?P<d>3[01]|[12]\d|0?[1-9])(?![\d])\.?",
)
# Korean ranges written with one unit: 2~3년 (duration handled separately), 3~4분기, 7~8월, 2025~2026년, 25~26년
_pattern(
    "ko_unit_range",
    r"(?<![\d.])(?P<a>\d{1,4})\s*(?:~|∼|〜|-|–)\s*(?P<b>\d{1,4})\s*(?P<unit>분기|월|년(?!\s*(?:간|동안|내|이내|안|후|뒤|만|째|전)))",
)
# Korean decades: 2030년대 (초/중반/후반)
_pattern("ko_decade", r"(?P<y>(?:19|20)\d)0\s*년대")
# English decades: the 2030s, mid-2020s
_pattern("en_decade", r"(?:(?P<part>early|mid|late)[\s-]+)?(?:the\s+)?(?P<y>(?:19|20)\d)0'?s\b")
# Years: 2024년, 2024년도, 24년, '26, FY2026, FY26, fiscal 2026, CY2026, bare 2026
_pattern("ko_year4", r"(?<![\d.,$])(?P<y>(?:19|20)\d{2})\s*년(?:도)?(?!\s*대)(?!형)")
_pattern(
    "ko_year2",
    r"(?<![\d.,$])(?P<y>\d{2})\s*년(?:도)?(?!\s*" + _KO_DURATION_AFTER + r")(?!대)(?!형)",
)
_pattern(
    "fiscal_year",
    r"\b(?:FY|F\.Y\.|fiscal(?:\s+year)?|CY|calendar(?:\s+year)?)\s*['’]?(?P<y>(?:19|20)?\d{2})(?:[EeF]|\([EeF]\))?\b",
)
_pattern("apostrophe_year", r"(?<![A-Za-z0-9_])['’‘](?P<y>\d{2})\b(?!\s*(?:s|%))")
_pattern(
    "bare_year",
    r"(?<![\d.,$#/A-Za-z_])(?P<y>(?:19|20)\d{2})(?![\d,.]?\d)(?!\s*(?:년|%|달러|원|억|만|조|개|명|대(?!\b)|건|톤|배|주|장|위|호|m\b|km|mm|\$|usd|krw))",
)
# Quarters: 3분기, 삼분기, Q3, 3Q, 23Q2, 3Q24, Q3 2025 (composite), third quarter
_pattern(
    "yyq",
    r"(?<![A-Za-z0-9_.])(?P<y>(?:20)?\d{2})\s?[Qq](?P<q>[1-4])(?:[EFef](?![A-Za-z0-9_]))?(?![A-DF-Za-df-z0-9_])",
)
_pattern(
    "qyy",
    r"(?<![A-Za-z0-9_.])(?P<q>[1-4])\s?[Qq]\s?['’]?(?P<y>(?:20)?\d{2})(?:[EFef](?![A-Za-z0-9_]))?(?![A-DF-Za-df-z0-9_.])",
)
# Broker shorthand: "26.3Q" (3Q of 2026), "Q1'26", "26E"/"27F"/"2026F" (estimates for a year).
_pattern("yy_dot_q", r"(?<![\d.])['’]?(?P<y>\d{2})\.(?P<q>[1-4])\s?Q(?![A-Za-z0-9])")
_pattern("q_apos_year", r"(?<![A-Za-z0-9_])Q(?P<q>[1-4])\s?['’](?P<y>\d{2})(?!\d)")
_pattern(
    "estimate_year",
    r"(?<![A-Za-z0-9_.,$'’])(?P<y>(?:20)?\d{2})(?-i:[EF])(?:\)|(?![A-Za-z0-9_]))",
)
# "EOY", "YE25", "EOQ", "EOM": the end of the year, quarter or month.
_pattern(
    "en_eo",
    r"(?<![A-Za-z])(?-i:(?P<eo>EOY|EOQ|EOM|YE))\s?(?P<y>['’]?(?:20)?\d{2})?(?![A-Za-z0-9])",
)
# "12M fwd", "12개월 fwd", "12MF": a target for twelve months from now.
_pattern(
    "fwd_months",
    r"(?<![\d.])(?P<a>\d{1,2})\s?(?:M|개월)\s?(?:fwd|forward|F)(?![A-Za-z])",
)
# "in the coming weeks", "over the next few months", "in the months ahead": a vague horizon.
_pattern(
    "en_coming",
    r"\b(?:in|over|within|during)\s+the\s+(?:coming|next\s+(?:few|several|couple\s+of))\s+"
    r"(?P<unit>days|weeks|months)\b|\b(?:in|over)\s+the\s+(?P<unit2>days|weeks|months)\s+ahead\b",
)
# "the June quarter": the calendar quarter that ends in that month.
_pattern(
    "en_month_quarter",
    r"\bthe\s+(?P<mn>march|june|september|december|mar|jun|sept?|dec)\.?\s+quarter\b",
)
# "내년 이맘때", "this time next year": the same time of year, a year on.
_pattern(
    "this_time",
    r"(?P<r>내년|내후년|올해|작년|next\s+year|last\s+year)\s*(?:이맘때|이\s*맘때|이\s*때쯤|이\s*무렵|이\s*즈음|this\s+time)"
    r"|this\s+time\s+(?P<r2>next|last)\s+year",
)
_pattern(
    "qyy_fy",
    r"(?<![A-Za-z0-9_.])(?P<q>[1-4])\s?[Qq]\s?(?:FY|F)\s?['’]?(?P<y>(?:20)?\d{2})(?![A-DF-Za-df-z0-9_])",
)
_pattern(
    "fiscal_quarter",
    r"(?<![A-Za-z0-9_.])F(?:Y\s?['’]?(?P<y>(?:20)?\d{2})\s?)?Q(?P<q>[1-4])(?:\s?['’]?(?P<y2>(?:20)?\d{2}))?(?![A-DF-Za-df-z0-9_])",
)
_pattern("ko_quarter", r"(?<![\d.])(?P<q>[1-4]|일|이|삼|사)\s*분기")
_pattern("en_quarter", r"(?<![A-Za-z0-9_])(?:Q(?P<q>[1-4])|(?P<q2>[1-4])Q)(?![A-DF-Za-df-z0-9_])")
_pattern("en_quarter_words", r"\b(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter\b")
# Halves: 상반기/하반기, H1/1H, 1H25, first half, back half
_pattern("ko_half", r"(?P<h>상반기|하반기|상반|하반|전반기|후반기)")
_pattern(
    "h_fy",
    r"(?<![A-Za-z0-9_.])(?P<h>[12])H\s?FY\s?['’]?(?P<y>(?:20)?\d{2})(?:[EeF])?(?![A-Za-z0-9])",
)
_pattern(
    "hyy",
    r"(?<![A-Za-z0-9_.])(?:(?P<h>[12])H|H(?P<h2>[12]))\s?['’]?(?P<y>(?:20)?\d{2})?(?![A-DF-Za-df-z0-9_])",
)
_pattern("en_half", r"\b(?P<h>first|second|back|1st|2nd)[\s-]+half\b")
# Months and days
_pattern("ko_month_day", r"(?<![\d.])(?P<m>1[0-2]|0?[1-9])\s*월\s*(?P<d>3[01]|[12]\d|0?[1-9])\s*일")
# "10/15(수)", "- 7/24 리밸런싱": a month/day written with a slash in schedules.
_pattern(
    "slash_month_day",
    r"(?:(?<=^)|(?<=[\s(\[>→-]))(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])(?![\d/%])"
    r"(?=\s*\((?:[월화수목금토일]|mon|tue|wed|thu|fri|sat|sun)[a-z]*\)|\s*[:：])",
)
# "March 18–19", "9월 16~17일"
_pattern(
    "en_day_range",
    rf"\b(?P<mn>{_MONTH_NAME})\.?\s+(?P<d>3[01]|[12]\d|0?[1-9])\s*[–\-~]\s*(?P<d2>3[01]|[12]\d|0?[1-9])\b(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?",
)
_pattern(
    "ko_day_range",
    r"(?<![\d.])(?:(?P<m>1[0-2]|0?[1-9])\s*월\s*)?(?P<d>3[01]|[12]\d|0?[1-9])\s*[~∼〜\-–]\s*(?P<d2>3[01]|[12]\d|0?[1-9])\s*일",
)
# Weekdays, for "다음주 수요일", "next Wednesday", "이번 주 금요일"
_pattern(
    "weekday",
    r"(?P<wd>월요일|화요일|수요일|목요일|금요일|토요일|일요일|monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
)
_pattern("ko_month", r"(?<![\d.])(?P<m>1[0-2]|0?[1-9])\s*월(?!\s*(?:간|동안|분|달))")
_pattern(
    "ko_day",
    r"(?<![\d.월])(?P<d>3[01]|[12]\d|0?[1-9])\s*일(?!\s*(?:간|동안|내|이내|후|뒤|만에|째|전|부터\s*\d|마다|치|분|자|일|본|반|률|정|제|상|대|회))",
)
_pattern(
    "en_month_day_year",
    rf"\b(?P<mn>{_MONTH_NAME})\.?\s+(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?\b",
)
_pattern(
    "en_day_month_year",
    rf"\b(?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\s+(?P<mn>{_MONTH_NAME})\.?(?:,?\s+(?P<y>(?:19|20)\d{{2}}))?\b",
)
_pattern("en_month_year", rf"\b(?P<mn>{_MONTH_NAME})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b")
_pattern(
    "en_month",
    rf"\b(?:in|by|until|through|from|since|during|before|after|early|mid|late|end\s+of|this|next|last)[\s-]+(?P<mn>{_MONTH_NAME})\b",
)
# Parts: 초/말/중반/연말 …, early/mid/late/end of
_pattern(
    "ko_part",
    r"(?P<p>연초|연말|연중|연내|월초|월말|초반|초|중반|중순|상순|하순|말|후반|하반)"
    r"(?=$|[^가-힣]|에|까지|부터|께|경|쯤|로|엔|즈음|무렵|의|이|은|을|도|과|와|까|이후|전후)"
    r"|(?P<p2>연초|연말|연중|연내|월초|월말|초반|중반|중순|후반)",
)
# Seasons: "내년 봄", "올 가을", "spring 2026", "next spring"
_pattern(
    "ko_season",
    r"(?P<season>봄|여름|가을|겨울)(?=$|[^가-힣]|에|까지|부터|께|쯤|중|의|엔|이|은|을|도|철|시즌)",
)
_pattern(
    "en_season",
    r"\b(?:(?P<rel>this|next|last|coming)\s+)?(?P<season>spring|summer|fall|autumn|winter)\b(?=\s+(?:of\s+)?(?:19|20)\d{2}|)",
)
# "the end of the year", "year-end", "end of this quarter", "the end of the decade"
_pattern(
    "en_end_of_period",
    r"\b(?:the\s+)?(?P<edge>end|start|beginning|middle)\s+of\s+(?:the|this)\s+(?:calendar\s+)?(?P<unit>year|quarter|month|decade)\b|\b(?P<ye>year[\s-]end)\b",
)
# Holidays that schedule markets and launches.
_pattern("ko_holiday", r"(?P<holiday>설\s*연휴|설날|설\s*명절|구정|추석\s*연휴|추석|한가위)")
_pattern(
    "holiday",
    r"\b(?P<holiday>Thanksgiving|Christmas(?:\s+Eve)?|New\s+Year['’]?s(?:\s+(?:Day|Eve))?|Black\s+Friday|Labor\s+Day|Independence\s+Day|Memorial\s+Day)\b",
)
_pattern(
    "en_part",
    r"\b(?P<p>early|mid|late|end\s+of|the\s+end\s+of|end-|year-end|year\s+end|beginning\s+of|start\s+of|middle\s+of)(?=[\s-])",
)
# Relative years and periods
_pattern(
    "ko_relyear",
    r"(?P<r>올해|금년|올\s*(?=\d|상반|하반|연말|연초|연내|한\s*해|봄|여름|가을|겨울)|내년|명년|내후년|후년|작년|지난해|재작년|이듬해|다음\s*해|이번\s*해|전년(?!\s*(?:대비|동기|比)))",
)
_pattern(
    "same_year",
    r"(?P<r>같은\s*해|그\s*해|당해|that\s+year|the\s+same\s+year|the\s+following\s+year)",
)
_pattern(
    "ko_relother",
    r"(?P<r>다음\s*달|이번\s*달|이달|지난\s*달|다음\s*분기|이번\s*분기|지난\s*분기|다음\s*주|이번\s*주|지난주|내일|모레|다음\s*날|"
    r"담주|차주|금주|금일|오늘|익일|명일|전일|작일|어제)"
    r"(?=$|[^가-힣]|에|는|도|부터|까지|중|말|내|안|의|엔|초|쯤|께|이|가|로)",
)
_pattern(
    "en_relyear",
    r"\b(?P<r>this\s+year|next\s+year|last\s+year|the\s+year\s+after\s+next|later\s+this\s+year|earlier\s+this\s+year|early\s+next\s+year|late\s+next\s+year|this\s+quarter|next\s+quarter|last\s+quarter|next\s+month|this\s+month|last\s+month|next\s+week|this\s+week|last\s+week|tomorrow|today|tonight|yesterday|mid-?year|(?:end|close)s?\s+the\s+year|(?:ending|closing)\s+the\s+year|(?:for|over)\s+the\s+(?:full\s+)?year|(?:next|this|last|current)\s+fiscal\s+year)\b",
)
# Durations: 앞으로 2~3년, 향후 10년간, 3년 내, 2년 후, 3년 전, within 18 months, in the next 3 years
_pattern(
    "ko_duration",
    r"(?P<pre>앞으로|향후|이후|최근|지난|과거|약|대략)?\s*(?<![\d.])(?P<a>\d{1,3}(?:\.\d+)?|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|몇|수|반|"
    r"(?:일|이|삼|사|오|육|칠|팔|구|십)(?=\s*(?:년|개월)))"
    r"\s*(?:(?:~|∼|〜|-|–)\s*(?P<b>\d{1,3}(?:\.\d+)?))?\s*(?P<unit>년|해|개월|달|주)"
    r"\s*(?P<post>간|동안|내외?|이내|안에|안으로|안|내로|후|뒤|전|만에|째|가량|정도|쯤|여|선행|포워드)?",
)
_pattern(
    "en_duration",
    r"\b(?P<pre>within|in|over|during|for|after|by)?\s*(?:the\s+)?(?:at\s+least\s+)?(?P<next>next|coming|following|past|last|previous|another|a\s+further|further|additional)?\s*"
    r"(?P<a>\d+(?:\.\d+)?|a\s+couple\s+of|a\s+few|few|several|couple|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|thirty)"
    r"(?:\s*(?:-|–|to|or|~)\s*(?P<b>\d+|two|three|four|five|six|seven|eight|nine|ten))?"
    r"[\s-]+(?P<unit>years?|yrs?|months?|mos?|quarters?|weeks?|decades?)(?:['’]s)?\b(?![\s-]+(?:of\s+a\s+)?(?:point|percent|percentage|bps?|basis))"
    r"(?P<post>\s+(?:from\s+now|ahead|later|ago|time|out))?",
)
_pattern(
    "en_next_decade",
    r"\b(?:the\s+)?(?P<next>next|coming)\s+(?P<unit>decade|year|years|few\s+years|several\s+years)\b",
)


def _ko_number(text: str) -> float | None:
    if text in _KO_NUMBERS:
        return float(_KO_NUMBERS[text])
    try:
        return float(text)
    except ValueError:
        return None


def _en_number(text: str) -> float | None:
    text = re.sub(r"\s+", " ", text.lower().strip())
    if text in _EN_NUMBERS:
        return float(_EN_NUMBERS[text])
    if text in {"a few", "few", "several"}:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _year_value(text: str) -> int:
    value = int(text)
    return _two_digit_year(value) if value < 100 else value


_MONTH_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Substrings at least one of which a pattern's match must contain: a cheap test that spares
# running fifty regular expressions over every sentence.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "numeric_date": (".", "-", "/"), "ko_unit_range": ("~", "-", "∼", "〜", "–"),
    "ko_decade": ("년대",), "en_decade": ("0s", "0's"), "ko_year4": ("년",), "ko_year2": ("년",),
    "fiscal_year": ("fy", "fiscal", "cy", "calendar", "f.y."), "apostrophe_year": ("'", "’", "‘"),
    "bare_year": ("19", "20"), "yyq": ("q",), "qyy": ("q",), "qyy_fy": ("q",), "fiscal_quarter": ("q",),
    "ko_quarter": ("분기",), "en_quarter": ("q",), "en_quarter_words": ("quarter",),
    "ko_half": ("반",), "h_fy": ("h",), "hyy": ("h",), "en_half": ("half",), "ko_month_day": ("월",),
    "slash_month_day": ("/",), "en_day_range": _MONTH_WORDS, "ko_day_range": ("일",),
    "weekday": ("요일", "day"), "ko_month": ("월",), "ko_day": ("일",),
    "en_month_day_year": _MONTH_WORDS, "en_day_month_year": _MONTH_WORDS,
    "en_month_year": _MONTH_WORDS, "en_month": _MONTH_WORDS,
    "ko_season": ("봄", "여름", "가을", "겨울"), "en_season": ("spring", "summer", "fall", "autumn", "winter"),
    "en_end_of_period": ("end", "start", "beginning", "middle"),
    "holiday": ("thanksgiving", "christmas", "new year", "black friday", "labor day", "independence", "memorial"),
    "ko_holiday": ("설", "구정", "추석", "한가위"),
    "en_part": ("early", "mid", "late", "end", "beginning", "start", "middle", "year"),
    "en_relyear": ("year", "quarter", "month", "week", "tomorrow", "today", "tonight", "yesterday"),
    "en_duration": ("year", "month", "quarter", "week", "decade", "yr", "mo"),
    "en_next_decade": ("next", "coming"), "yy_dot_q": ("q",), "q_apos_year": ("q",),
    "estimate_year": ("e", "f"), "en_eo": ("eoy", "eoq", "eom", "ye"), "fwd_months": ("fwd", "forward", "mf", "개월f"),
    "en_coming": ("coming", "next", "ahead"), "en_month_quarter": ("quarter",),
    "this_time": ("이맘", "이때", "무렵", "즈음", "this time"),
}  # fmt: skip


def _atoms(sentence: str) -> list[_Atom]:
    found: list[_Atom] = []
    lowered = sentence.lower()
    for name, pattern in _PATTERNS:
        needles = _NEEDLES.get(name)
        if needles is not None and not any(needle in lowered for needle in needles):
            continue
        for match in pattern.finditer(sentence):
            atom = _make_atom(name, match, sentence)
            if atom is not None:
                found.append(atom)
    # Longest match wins where atoms overlap; earlier pattern wins ties.
    order = {name: index for index, (name, _) in enumerate(_PATTERNS)}
    found.sort(
        key=lambda atom: (-(atom.end - atom.start), order.get(atom.extra.get("pattern", ""), 0))
    )
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


def _inherit_bracketed_month(atoms: list[_Atom], sentence: str) -> None:
    """ "9월 FOMC(16~17일)", "금요일(20일)": a bracketed day belongs to the month just before."""
    for index, atom in enumerate(atoms):
        if (
            atom.kind != "day"
            or atom.month is not None
            or sentence[max(0, atom.start - 1) : atom.start] != "("
        ):
            continue
        for previous in reversed(atoms[:index]):
            if atom.start - previous.end > 16:
                break
            if previous.kind in {"month", "day"} and previous.month is not None:
                atom.month = previous.month
                atom.year, atom.year_explicit = previous.year, previous.year_explicit
                atom.extra["bracketed"] = True
                break


_RANGE_CONNECTOR_BEFORE = re.compile(r"(?:에서|부터|~|∼|〜|-|–)\s*$")


def _range_end_year(atom: _Atom, chosen: list[_Atom], sentence: str) -> _Atom:
    """Read "25년 전" as the year 2025 when it closes a range ("2024년 말에서 25년 전도로")."""
    if atom.kind != "duration" or atom.extra.get("pattern") != "ko_duration":
        return atom
    if atom.extra.get("prefix") or atom.extra.get("suffix") != "전":
        return atom
    previous = [other for other in chosen if other.end <= atom.start]
    if not previous or previous[-1].kind not in {"year", "part", "quarter", "half"}:
        return atom
    if not _RANGE_CONNECTOR_BEFORE.search(sentence[previous[-1].end : atom.start]):
        return atom
    amount = atom.extra.get("amount")
    if amount is None or amount != int(amount) or not 0 <= amount < 100:
        return atom
    text = sentence[atom.start : atom.end]
    year_end = atom.start + text.index("년") + 1
    year = _Atom(
        atom.start, year_end, "year", year=_two_digit_year(int(amount)), year_explicit=True
    )
    year.extra["pattern"] = "ko_year2"
    return year


def _make_atom(name: str, match: re.Match[str], sentence: str) -> _Atom | None:
    groups = match.groupdict()
    start, end = match.span()
    atom: _Atom | None = None
    if name == "numeric_date":
        try:
            day = date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        except ValueError:
            return None
        atom = _Atom(
            start, end, "date", year=day.year, year_explicit=True, month=day.month, day=day.day
        )
    elif name == "ko_unit_range":
        atom = _Atom(start, end, "range")
        atom.extra.update(a=int(groups["a"]), b=int(groups["b"]), unit=groups["unit"])
    elif name in {"ko_decade", "en_decade"}:
        atom = _Atom(start, end, "decade", year=int(groups["y"]) * 10, year_explicit=True)
        if groups.get("part"):
            atom.part = _PART_NAMES[groups["part"].lower()]
    elif name in {"ko_year4", "ko_year2", "bare_year", "apostrophe_year"}:
        year = _year_value(groups["y"])
        if name == "ko_year2" and _looks_like_duration_context(sentence, start):
            return None
        if name == "bare_year" and not 1990 <= year <= 2100:
            return None
        atom = _Atom(start, end, "year", year=year, year_explicit=True)
        atom.extra["bare"] = name == "bare_year"
    elif name == "fiscal_year":
        fiscal = not re.match(
            r"(?i)c", match.group(0)
        )  # "calendar 2026", "CY26" are calendar years
        atom = _Atom(
            start, end, "year", year=_year_value(groups["y"]), year_explicit=True, fiscal=fiscal
        )
    elif name == "estimate_year":
        year = _year_value(groups["y"])
        if not 2015 <= year <= 2045:
            return None  # "10E" is more likely a part number than a 2010 estimate
        atom = _Atom(start, end, "year", year=year, year_explicit=True)
    elif name == "en_eo":
        unit = {"EOY": "year", "YE": "year", "EOQ": "quarter", "EOM": "month"}[groups["eo"]]
        if groups.get("y"):
            if unit != "year":
                return None
            year = _year_value(groups["y"].lstrip("'’"))
            atom = _Atom(start, end, "year", year=year, year_explicit=True)
        else:
            atom = _Atom(start, end, "rel")
            atom.extra["word"] = f"end of this {unit}"
    elif name == "fwd_months":
        atom = _Atom(start, end, "duration")
        atom.extra.update(
            amount=float(groups["a"]), amount_to=None, unit="month", prefix="next", suffix=""
        )
    elif name == "en_coming":
        unit = (groups.get("unit") or groups.get("unit2") or "").lower().rstrip("s")
        low, high = {"day": (3, 14), "week": (2, 8), "month": (3, 6)}[unit]
        atom = _Atom(start, end, "duration", vague=True)
        atom.extra.update(amount=low, amount_to=high, unit=unit, prefix="next", suffix="")
    elif name == "en_month_quarter":
        month = _MONTHS_EN[groups["mn"].lower().rstrip(".")]
        atom = _Atom(start, end, "quarter", quarter=(month - 1) // 3 + 1)
    elif name == "this_time":
        word = re.sub(r"\s+", " ", (groups.get("r") or f"{groups.get('r2')} year").lower())
        offset = {"내년": 1, "next year": 1, "내후년": 2, "올해": 0, "작년": -1, "last year": -1}[
            word
        ]
        atom = _Atom(start, end, "rel")
        atom.extra["word"] = f"this time {offset:+d}"
    elif name in {"yyq", "qyy", "qyy_fy", "yy_dot_q", "q_apos_year"}:
        atom = _Atom(
            start,
            end,
            "quarter",
            year=_year_value(groups["y"]),
            year_explicit=True,
            quarter=int(groups["q"]),
        )
        atom.fiscal = name == "qyy_fy"
    elif name == "fiscal_quarter":
        year_text = groups.get("y") or groups.get("y2")
        atom = _Atom(start, end, "quarter", quarter=int(groups["q"]), fiscal=True)
        if year_text:
            atom.year, atom.year_explicit = _year_value(year_text), True
    elif name == "ko_quarter":
        quarter = groups["q"]
        atom = _Atom(start, end, "quarter", quarter=int(_ko_number(quarter) or quarter))
    elif name == "en_quarter":
        atom = _Atom(start, end, "quarter", quarter=int(groups["q"] or groups["q2"]))
    elif name == "en_quarter_words":
        atom = _Atom(start, end, "quarter", quarter=_EN_ORDINAL[groups["ord"].lower()])
    elif name == "ko_half":
        atom = _Atom(
            start, end, "half", half=1 if groups["h"] in {"상반기", "상반", "전반기"} else 2
        )
    elif name == "h_fy":
        atom = _Atom(
            start,
            end,
            "half",
            half=int(groups["h"]),
            year=_year_value(groups["y"]),
            year_explicit=True,
        )
        atom.fiscal = True
    elif name == "hyy":
        atom = _Atom(start, end, "half", half=int(groups["h"] or groups["h2"]))
        if groups.get("y"):
            atom.year, atom.year_explicit = _year_value(groups["y"]), True
    elif name == "en_half":
        atom = _Atom(start, end, "half", half=1 if groups["h"].lower() in {"first", "1st"} else 2)
    elif name in {"ko_month_day", "slash_month_day"}:
        atom = _Atom(start, end, "day", month=int(groups["m"]), day=int(groups["d"]))
    elif name in {"en_day_range", "ko_day_range"}:
        month = (
            _MONTHS_EN[groups["mn"].lower()]
            if groups.get("mn")
            else (int(groups["m"]) if groups.get("m") else None)
        )
        atom = _Atom(start, end, "day", month=month, day=int(groups["d2"]))
        atom.extra["first_day"] = int(groups["d"])
        if groups.get("y"):
            atom.year, atom.year_explicit = int(groups["y"]), True
    elif name == "weekday":
        names = ["월", "화", "수", "목", "금", "토", "일"]
        english = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        word = groups["wd"].lower()
        index = english.index(word) if word in english else names.index(word[0])
        atom = _Atom(start, end, "weekday")
        atom.extra["weekday"] = index
    elif name == "ko_month":
        atom = _Atom(start, end, "month", month=int(groups["m"]))
    elif name == "ko_day":
        atom = _Atom(start, end, "day", day=int(groups["d"]))
    elif name in {"en_month_day_year", "en_day_month_year"}:
        atom = _Atom(
            start, end, "day", month=_MONTHS_EN[groups["mn"].lower()], day=int(groups["d"])
        )
        if groups.get("y"):
            atom.year, atom.year_explicit = int(groups["y"]), True
    elif name == "en_month_year":
        atom = _Atom(
            start,
            end,
            "month",
            month=_MONTHS_EN[groups["mn"].lower()],
            year=int(groups["y"]),
            year_explicit=True,
        )
    elif name == "en_month":
        month_start = match.start("mn")
        atom = _Atom(month_start, end, "month", month=_MONTHS_EN[groups["mn"].lower()])
        if groups["mn"].lower() == "may" and not re.match(
            r"(?i)(in|by|until|since|from|early|mid|late)", match.group(0)
        ):
            return None
        start = month_start
    elif name in {"ko_season", "en_season"}:
        season = {
            "봄": "spring",
            "여름": "summer",
            "가을": "autumn",
            "겨울": "winter",
            "fall": "autumn",
        }.get(groups["season"].lower(), groups["season"].lower())
        if (
            name == "en_season"
            and not groups.get("rel")
            and not re.match(r"\s+(?:of\s+)?(?:19|20)\d{2}", sentence[end:])
            and not re.search(
                r"(?:in|by|until|this|next|early|late|the)\s+$", sentence[:start], re.I
            )
        ):
            return None
        atom = _Atom(start, end, "part", part=f"season_{season}")
        rel = (groups.get("rel") or "").lower()
        if rel:
            atom.relative_years = {"this": 0, "next": 1, "coming": 1, "last": -1}[rel]
    elif name == "en_end_of_period":
        unit = (groups.get("unit") or "year").lower()
        edge = (groups.get("edge") or "end").lower()
        if groups.get("ye"):
            unit, edge = "year", "end"
        atom = _Atom(start, end, "rel")
        atom.extra["word"] = f"{edge} of this {unit}"
    elif name == "ko_holiday":
        atom = _Atom(start, end, "holiday")
        word = groups["holiday"]
        atom.extra["holiday"] = "chuseok" if word.startswith(("추석", "한가위")) else "seollal"
    elif name == "holiday":
        atom = _Atom(start, end, "holiday")
        atom.extra["holiday"] = re.sub(r"\s+", " ", groups["holiday"].lower().replace("’", "'"))
    elif name in {"ko_part", "en_part"}:
        raw = re.sub(r"\s+", " ", (groups.get("p") or groups.get("p2") or "").lower())
        atom = _Atom(start, end, "part", part=_PART_NAMES[raw])
    elif name in {"ko_relyear", "en_relyear", "ko_relother", "same_year"}:
        atom = _Atom(start, end, "rel")
        word = re.sub(r"\s+", " ", groups["r"].strip().lower())
        atom.extra["word"] = _REL_SYNONYMS.get(word, word)
        atom.fiscal = "fiscal" in word
    elif name in {"ko_duration", "en_duration", "en_next_decade"}:
        atom = _duration_atom(name, match)
    if atom is not None:
        atom.extra["pattern"] = name
    return atom


def _looks_like_duration_context(sentence: str, start: int) -> bool:
    before = sentence[max(0, start - 6) : start]
    return bool(re.search(r"(앞으로|향후|지난|최근|과거|무려|약|근|수|불과|이후)\s*$", before))


def _duration_atom(name: str, match: re.Match[str]) -> _Atom | None:
    groups = match.groupdict()
    start, end = match.span()
    if name == "en_next_decade":
        unit = groups["unit"].lower()
        years = {"decade": 10, "year": 1, "years": None, "few years": None, "several years": None}[
            unit
        ]
        atom = _Atom(start, end, "duration", relation="within", vague=years is None)
        atom.extra.update(amount=years or 0, amount_to=None, unit="year", prefix="next", suffix="")
        return atom
    if name == "ko_duration":
        prefix = (groups.get("pre") or "").strip()
        suffix = (groups.get("post") or "").strip()
        # "26년 정도" is "around 2026"; only a prefix makes such an amount a duration.
        weak_suffix = suffix in {"가량", "정도", "쯤", "여", "째", "내외"}
        if not prefix and (not suffix or weak_suffix):
            return None
        amount = _ko_number(groups["a"])
        unit = _UNIT_KO[groups["unit"]]
        if groups["unit"] == "해" and groups["a"] not in _KO_NUMBERS:
            return None
    else:
        prefix = (groups.get("pre") or "").strip().lower()
        suffix = (groups.get("post") or "").strip().lower()
        nxt = (groups.get("next") or "").lower()
        if nxt:
            prefix = {"past": "past", "last": "past", "previous": "past"}.get(nxt, "next")
        if not prefix and not suffix:
            return None
        if prefix == "for" and not nxt:
            return None  # "for 10 years" says how long, not when
        amount = _en_number(groups["a"])
        unit = _UNIT_EN[groups["unit"].lower().rstrip("s")]
        if unit == "decade":
            unit, amount = "year", (amount or 1) * 10
    amount_to = float(groups["b"]) if groups.get("b") and groups["b"].isdigit() else None
    if groups.get("b") and not groups["b"].isdigit():
        amount_to = _en_number(groups["b"])
    atom = _Atom(start, end, "duration")
    atom.extra.update(amount=amount, amount_to=amount_to, unit=unit, prefix=prefix, suffix=suffix)
    atom.vague = amount is None
    return atom


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
    if (a, b) == ("weekday", "day") and re.fullmatch(r"\s*\(", gap):
        return True  # "금요일(20일)"
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
        return left.extra.get("pattern") in {"en_part", "en_season"}
    if b == "part" and right.extra.get("pattern") in {"en_part", "en_season"}:
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


_REL_YEARS = {
    "올해": 0, "금년": 0, "올": 0, "이번 해": 0, "this year": 0, "later this year": 0, "earlier this year": 0,
    "내년": 1, "명년": 1, "next year": 1, "early next year": 1, "late next year": 1, "다음 해": 1, "이듬해": 1,
    "내후년": 2, "후년": 2, "the year after next": 2, "작년": -1, "지난해": -1, "last year": -1,
    "전년": -1, "재작년": -2,
}  # fmt: skip


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


# Colloquial and note-style words for the same relative periods.
_REL_SYNONYMS = {
    "담주": "다음 주", "차주": "다음 주", "다음주": "다음 주", "금주": "이번 주", "이번주": "이번 주",
    "금일": "오늘", "today": "오늘", "tonight": "오늘", "익일": "내일", "명일": "내일", "tomorrow": "내일",
    "다음날": "내일", "다음 날": "내일", "전일": "어제", "작일": "어제", "yesterday": "어제",
    "midyear": "middle of this year", "mid-year": "middle of this year",
    "end the year": "end of this year", "close the year": "end of this year",
    "ends the year": "end of this year", "closes the year": "end of this year",
    "ending the year": "end of this year", "closing the year": "end of this year",
    "for the year": "the year", "over the year": "the year", "for the full year": "the year",
    "over the full year": "the year", "next fiscal year": "next year", "this fiscal year": "this year",
    "current fiscal year": "this year", "last fiscal year": "last year",
    "this week": "이번 주", "last week": "지난주",
}  # fmt: skip
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
    if resolved is not None and any(atom.fiscal for atom in composite.atoms):
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
        if year is None and part_atom is not None and part_atom.extra.get("pattern") == "ko_season":
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
            # A bare weekday ("on Thursday") only dates a claim about the coming days.
            if prefer == "past":
                return None
            moment = anchor + timedelta(days=(target - anchor.weekday()) % 7)
        else:
            return None
        return _Resolved(composite.start, composite.end, (moment, moment), "day", False, True)
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
            # A bare "19일": the anchor's month, or the next one for a future reading.
            month_year = (anchor.year, anchor.month)
            candidate = _safe_date(anchor.year, anchor.month, day_of_month)
            if candidate is None:
                return None
            this_month = date(anchor.year, anchor.month, 1)
            nxt = _add_months(this_month, 1)
            prev = _add_months(this_month, -1)
            if prefer == "future" and candidate < anchor:
                month_year = (nxt.year, nxt.month)
            elif prefer == "past" and candidate > anchor:
                month_year = (prev.year, prev.month)
            elif prefer == "nearest":
                options = [
                    moment
                    for moment in (
                        _safe_date(prev.year, prev.month, day_of_month),
                        candidate,
                        _safe_date(nxt.year, nxt.month, day_of_month),
                    )
                    if moment is not None
                ]
                best = min(options, key=lambda moment: abs((moment - anchor).days))
                month_year = (best.year, best.month)
            moment = _safe_date(month_year[0], month_year[1], day_of_month)
            if moment is None or year is not None:
                return None
            return _Resolved(
                composite.start,
                composite.end,
                (moment, moment),
                "day",
                False,
                relative,
                past_marker,
            )
        if year is None:
            year = _pick_year(
                anchor,
                lambda y: (_safe_date(y, month, day_of_month) or date(y, month, 1),) * 2,
                prefer,
                0,
            )
        moment = _safe_date(year, month, day_of_month)
        if moment is None:
            return None
        return _Resolved(
            composite.start,
            composite.end,
            (moment, moment),
            "day",
            explicit_year,
            relative,
            past_marker,
        )
    if month_atom is not None:
        month = int(month_atom.month or 1)
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
    if word in {"다음 주", "다음주", "next week"}:
        start = anchor + timedelta(days=7 - anchor.weekday())
        return _Resolved(
            composite.start, composite.end, (start, start + timedelta(days=6)), "day", False, True
        )
    if word in {"이번 주", "이번주"}:
        start = anchor - timedelta(days=anchor.weekday())
        return _Resolved(
            composite.start, composite.end, (start, start + timedelta(days=6)), "day", False, True
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


def _resolve_duration(atom: _Atom, anchor: date) -> _Resolved | None:
    amount = atom.extra.get("amount")
    amount_to = atom.extra.get("amount_to")
    unit = str(atom.extra["unit"])
    prefix = str(atom.extra.get("prefix") or "")
    suffix = str(atom.extra.get("suffix") or "")
    if amount is None:
        return None
    months_per = {"year": 12, "month": 1, "quarter": 3}.get(unit)
    days_per = {"week": 7, "day": 1}.get(unit)

    def shift(value: float, sign: int = 1) -> date:
        if months_per:
            return _add_months(anchor, sign * round(float(value) * months_per))
        return anchor + timedelta(days=sign * float(value) * (days_per or 1))

    past_words = {"지난", "최근", "과거", "past", "last", "previous"}
    if prefix in past_words or suffix in {"전", "만에", "ago"}:
        start = shift(float(amount_to or amount), -1)
        return _Resolved(
            atom.start, atom.end, (start, anchor), "horizon", False, True, True, relation="ago"
        )
    low = shift(float(amount))
    high = shift(float(amount_to)) if amount_to else low
    if suffix in {"후", "뒤", "later", "from now", "ahead"} or (
        prefix in {"in", "after"} and suffix not in {"간", "동안"}
    ):
        relation = (
            "after"
            if suffix in {"후", "뒤", "later", "from now", "ahead"} or prefix == "after"
            else "within"
        )
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
    (re.compile(r"^\s*(?:\([^)]{1,6}\))?\s*(?:부터|이래|이후로|since)"), "since"),
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
                )
                joined[-1] = merged
                continue
        joined.append(item)
    return joined


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
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec",
    re.IGNORECASE,
)
# ‘2025 테크 데이’, "CES 2026": a year inside a short quoted name is part of the name.
_SHORT_QUOTE = re.compile(r"[‘“\"「『][^’”\"」』]{1,30}[’”\"」』]")


def _event_relative(atom: _Atom, sentence: str) -> bool:
    """ "반감기 후 3개월 안에", "17개월 뒤 2017년 12월": counted from an event, not from the post."""
    if atom.kind != "duration" or atom.extra.get("pattern") != "ko_duration":
        return False
    if atom.extra.get("prefix") in {"앞으로", "향후", "지난", "최근", "과거"}:
        return False
    before = sentence[max(0, atom.start - 8) : atom.start]
    if re.search(r"(후|이후|뒤|부터|이래)\s*$", before):
        return True
    after = sentence[atom.end : atom.end + 12]
    return atom.extra.get("suffix") in {"후", "뒤"} and bool(
        re.match(r"\s*(?:19|20)\d{2}\s*년", after)
    )


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
        if not (
            atom.extra.get("pattern") == "ko_year2"
            and atom.year is not None
            and not anchor.year - 25 <= atom.year <= anchor.year + 10
        )
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
            resolved.append(item)
    resolved.sort(key=lambda item: item.start)
    resolved = _join_ranges(resolved, sentence)
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
