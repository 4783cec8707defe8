"""Dated forecasts: statements about the future relative to the post's published date.

For every time expression in a sentence, its window is placed against the anchor date:
- wholly after the anchor: a forecast unless the clause reports a finished event;
- containing the anchor (this year, this month): a forecast only with future grammar or
  forecast vocabulary (목표, 전망, will, expects), or a scheduled action ("7월에 생산한다");
- just before the anchor (a quarter not yet reported): a forecast only when estimated
  (추정치, consensus, EPS preview);
- earlier: background, never a forecast.
The same forecast stated twice in a post (a restatement, a translated paragraph) is kept once.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from digests.analysis.decision import (
    CandidateTrace,
    ForecastModel,
    PostTrace,
    Step,
    days_bucket,
    default_model,
)
from digests.analysis.grammar import (
    EVENT_NOUNS_KO,
    REPORTING_STEMS,
    Predicate,
    english_date_of_past_verb,
    english_past_belief,
    hedge_of,
    korean_predicates,
    read_english_clause,
    read_korean_clause,
    sentence_orientation,
    token_index_at,
)
from digests.analysis.quotes import Quote, person_name
from digests.analysis.sentences import Sentence, Token
from digests.analysis.timex import MAYBE_TIME as _MAYBE_TIME
from digests.analysis.timex import TimeExpression, find_time_expressions

_RECENT_DAYS = 100
_HORIZON_TITLE = re.compile(
    r"(?:(?P<y1>(?:19|20)\d{2})\s*년?\s*(?:의\s*)?.{0,24}?"
    r"(?:전망|예측|예상|관전\s*포인트|트렌드|키워드|시나리오|predictions?|forecasts?|outlook|calls|bets|"
    r"what\s+to\s+expect|expectations?)"
    r"|(?:predictions?|forecasts?|outlook|what\s+to\s+expect|expectations?|calls|bets)\s+(?:for|in)\s+"
    r"(?P<y2>(?:19|20)\d{2}))",
    re.IGNORECASE,
)
_BULLET_PREFIX = re.compile(r"^\s*(?:[-–—•·*▶►▸▪■□◆◇○●※➤→✔✓☞]+|\d{1,2}[.)]|[①-⑳]|\(\d{1,2}\))\s*")
_TIME_WORDS = {
    "년", "월", "일", "분기", "상반기", "하반기", "올해", "내년", "연말", "연초", "말", "초", "중반",
    "year", "years", "month", "months", "quarter", "half", "end", "early", "late", "mid", "next", "this",
}  # fmt: skip
_EN_STOPWORDS = {
    "the", "and", "for", "that", "this", "with", "will", "from", "its", "are", "was", "were", "has",
    "have", "had", "been", "into", "than", "then", "also", "said", "says", "which", "their", "they",
    "our", "more", "most", "over", "about", "after", "before", "would", "could", "should", "may",
    "might", "can", "not", "but", "all", "any", "per", "via", "year", "years", "end", "first",
    "second", "half", "quarter", "next", "expected", "expects", "expect", "is", "it", "as", "of",
    "to", "in", "on", "by", "be", "an", "at", "or", "we",
}  # fmt: skip
# A post describing itself ("연말 결산 겸 내년 전망 글입니다") names a period without forecasting.
_META_SENTENCE = re.compile(
    r"\b(?:these|this|they|all)\s+(?:are|is)\s+(?:for|about|based\s+on)\s+(?:calendar|fiscal)?"
    r"|(글|포스팅|포스트|게시물|게시글|편|시리즈|정리|요약|후기|리뷰|뉴스레터|레터)\s*(입니다|이다|예요|이에요|임|입니당)\s*[.!~]*\s*$"
    r"|\b(this|in this)\s+(post|article|newsletter|note|piece)\b",
    re.IGNORECASE,
)
# "its 2026 margin target": a year naming the period of a target, not when the claim is judged.
_TARGET_PERIOD_AFTER = re.compile(
    r"^\s*(?:[\w-]+\s+){0,2}?(?:targets?|goals?|guidance|outlook|forecasts?|plans?|budgets?|목표|가이던스|전망치|목표치|"
    r"계획|예산|사업\s*계획)",
    re.IGNORECASE,
)
# "3분기 실적 발표는 10월 24일", "Q3 results on July 29": the period names what is reported.
_RESULTS_PERIOD_AFTER = re.compile(
    r"^\s*(?:[\w-]+\s+){0,1}?(?:results?|earnings|report|CPI|PPI|PCE|GDP|payrolls|jobs|data|"
    r"실적|결산|고용|지표|수출입?|물가|소비자물가|생산자물가|실업률|의사록|금통위|회의)",
    re.IGNORECASE,
)
_MEETING_AFTER = re.compile(r"^\s*(?:금통위|회의|FOMC|총회|주총|회담|meeting)", re.IGNORECASE)
# Forecast words used as a topic ("내년 전망을 묻는 독자") rather than a forecast.
_FORECAST_AS_TOPIC = re.compile(
    r"(전망|예측|예상|outlook|predictions?)\s*(을|를|은|는|도|에\s*대해|에\s*관해|글)?\s*(?:[가-힣]+\s+)?"
    r"(쓰|쓸|썼|묻|물|정리|작성|준비|궁금|고민|공유|요청|부탁|엇갈|분분|쏟아지|쏟아져|잇따|write|writing|ask|asking|diverge|are\s+mixed)",
    re.IGNORECASE,
)
# "예상대로 동결", "as expected": the outcome is known.
_AS_EXPECTED = re.compile(
    r"(예상대로|예상했던\s*대로|전망대로|예상처럼|as\s+expected|as\s+forecast)", re.I
)
# "통과할지가 최대 변수", "whether … remains to be seen": a question, not a forecast.
_OPEN_QUESTION = re.compile(
    r"(ᆯ지가|을지가|ᆯ지는|을지는|ᆯ지\s*여부|을지\s*여부|할지가|될지가|할지는|될지는|할지\s*여부|될지\s*여부|"
    r"느냐가|는지가|\bwhether\b|remains\s+to\s+be\s+seen|open\s+question)",
    re.I,
)
# "올해보다 두 배", "전년 대비", "than last year": a baseline, not a target period.
# "2025년을 바닥으로 2026년부터 반등": the low point a recovery is counted from.
_BASELINE_AFTER = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?(?:보다|대비|比|에\s*비해|와\s*비교|과\s*비교|"
    r"[을를]\s*(?:바닥|저점|정점|고점|기점|변곡점)으로|"
    # "2분기 수익 전망 역시 1분기와 마찬가지로": the period it is likened to.
    r"[와과]\s*(?:마찬가지로|같이|비슷하게)|처럼)"
)
_BASELINE_BEFORE = re.compile(
    r"(?:\bthan|compared\s+(?:with|to)|versus|vs\.?|from)\s+(?:in\s+)?$"
    # "a 0.2% decline, following a 0.6% increase in December": the figure it follows.
    r"|\b(?:improvement|increase|gain|rise|pickup|acceleration)\s+(?:over|on|from)\s+$"
    r"|\b(?:following|after)\s+(?:an?\s+)?(?:(?:upwardly|downwardly)\s+)?(?:revised\s+)?"
    r"[-+]?[\d.,]+\s*(?:%|percent)?[^.;:]{0,30}?\s+in\s+(?:the\s+)?$",
    re.I,
)
# "4분기 GDP 증가율(3분기 3.2%)", "(직전 -2.1%)": a calendar row's previous reading in brackets.
_PREVIOUS_READING = re.compile(r"^\s*[-+]?[\d.,]+\s*(?:%|bp|p)?\s*[),]")
# "주: 2025E~2027E는 당사 추정치", "Note: …": footnotes about the table.
# Wording an undated forecast needs; sentences without it or a date are skipped early.
_FUTURE_CUE = re.compile(
    r"것|겠|예정|전망|계획|듯|목표|예상|\b(?:will|expects?|expected|forecasts?|predicts?|set to|plans? to|aims? to)\b",
    re.I,
)
_FISCAL_DEFINITION = re.compile(r"fiscal\s+\d{4}\s+(?:runs|covers|spans|began|begins)", re.I)
_FOOTNOTE = re.compile(r"^\s*(?:주\s*[:)]|※|\*\s|note\s*:|source\s*:|자료\s*:|출처\s*:)", re.I)
# Explicitly undated: "언젠가", "someday" — no horizon applies.
_UNDATED = re.compile(
    r"(언젠가|언젠간|someday|some\s+day|eventually|one\s+day|sooner\s+or\s+later)", re.I
)
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
# "its fiscal year ends in September", "6월 결산 법인", "회계연도는 3월에 끝난다"
_FISCAL_YEAR_END = re.compile(
    r"fiscal\s+year\s+(?:that\s+)?(?:ends?|ending|closes?)\s+(?:in\s+|on\s+)?(?:late\s+|early\s+|mid-)?"
    r"(?P<mn>" + "|".join(_MONTH_NAMES) + r")(?:\s+\d{1,2}(?:st|nd|rd|th)?)?"
    r"|(?P<m>1[0-2]|[1-9])\s*월\s*결산|회계\s*연도[^.。]{0,20}?(?P<m2>1[0-2]|[1-9])\s*월",
    re.IGNORECASE,
)
# "the June quarter", "calendar Q4": named by the calendar, not the fiscal year.
_CALENDAR_QUARTER = re.compile(r"(?i)\b(?:march|june|september|december|calendar)\b|역년")
# A heading that sets the year for what follows ("Part 2: Ten predictions for 2027"), and lines
# that say so outright ("everything below is about calendar 2027", "별도 표시 없으면 2026년 기준").
_HORIZON_STATEMENT = re.compile(
    r"(?:everything|all(?:\s+of\s+this)?)\s+(?:below|here|that\s+follows)\s+(?:is\s+)?(?:about|for|refers\s+to|covers)\s+"
    r"(?:calendar\s+|fiscal\s+)?(?P<y>(?:19|20)\d{2})"
    r"|(?:별도|따로)[^.]{0,20}?(?:없으면|않으면)[^.]{0,15}?(?P<y2>(?:19|20)\d{2})\s*년?\s*기준",
    re.IGNORECASE,
)
# A line ending in its forecast noun ("Part 2: Ten predictions for 2027", "2026년 전망 10가지").
_HORIZON_AT_END = re.compile(
    r"(?:전망|예측|예상|시나리오|predictions?|forecasts?|outlook|calls|bets|(?:19|20)\d{2})"
    r"\s*(?:\d+\s*가지|\([^)]*\))?\s*[:：?]?\s*$",
    re.IGNORECASE,
)
_RETROSPECTIVE = re.compile(
    r"\b(?:did|grad(?:e|ed|ing)|review(?:ed|ing)?|scorecard|recap|look(?:ing)?\s+back)\b|돌아보|채점|결산|복기|성적표",
    re.IGNORECASE,
)
# "2025E", "3Q24E", "2024년(E)": an estimate column.
_ESTIMATE_SUFFIX = re.compile(r"^\s*(?:\(\s*[EeF]\s*\)|[EeF](?![A-Za-z]))")
# "said in October that …": the time of saying, not of the forecast.
_REPORTING_TIME_BEFORE = re.compile(
    r"\b(?:back|earlier)\s+(?:in|on)\s*$|\b(said|says|announced|reported|stated|told\s+\w+|wrote|noted|disclosed|unveiled|warned)"
    r"(?:\s+(?:in|at|during|a|an|the|his|her|its|their|separate|earnings|conference|press|interview|"
    r"statement|call|release|briefing|note|letter|speech|event|with|to|reporters|investors|analysts)){0,6}"
    r"\s+(?:in|on|last|this|earlier\s+this)?\s*$",
    re.IGNORECASE,
)
# A section heading such as "■ 2분기 실적 추정" or "2026 outlook": a title, not a claim.
_HEADING_NOUNS = {
    "추정", "전망", "예상", "실적", "추정치", "전망치", "리뷰", "프리뷰", "점검", "정리", "요약",
    "outlook", "preview", "estimates", "forecast", "forecasts", "review", "predictions", "상회", "하회",
    "부합", "연간", "분기별", "summary", "recap", "highlights", "일정", "schedule", "calendar",
    "체크포인트", "포인트", "checkpoints", "이슈", "주간", "관전", "예측", "전략", "분석", "기업분석",
    "strategy", "analysis",
}  # fmt: skip
_FIRST_PERSON_PLANS = re.compile(
    r"(알아보겠|정리해\s*보겠|살펴보겠|소개하겠|말씀드리겠|이야기하겠|적어보려|써보려|돌아보겠|채점|let's|"
    r"i'll\s+(?:write|cover|explain|revisit|come\s+back)|i\s+will\s+(?:come\s+back|revisit|grade|write)|grade\s+myself)",
    re.I,
)
# Reporting and revision wording: a forecast attributed to someone, or a forecast changed.
_EN_FORECAST_VERBS = re.compile(
    r"\b(?:predict(?:s|ed)?|forecast(?:s|ed)?|expect(?:s|ed)?|project(?:s|ed)?|estimat(?:es|ed)|"
    r"sees|saw|anticipat(?:es|ed)|guid(?:es|ed)|outlook|target(?:s|ed)?)\b",
    re.I,
)
_REVISION = re.compile(
    r"상향|하향|조정|올려\s*잡|낮춰\s*잡|올렸|낮췄|내렸|raised|lowered|cut|boosted|trimmed|revised|upgraded|"
    # "목표가를 255달러로 책정했다", "가이던스를 제시했다": a forecast given, told in the past.
    r"downgraded|(?:목표|가이던스|전망)[^.,]{0,20}?(?:책정|제시)",
    re.I,
)
_SCHEDULE = re.compile(
    r"예정|일정|발표\s*예정|scheduled|slated|due\s+to|set\s+to|expected\s+on", re.I
)
_PAST_FACT = re.compile(
    r"기록했|달성했|발표했|집계됐|나타났|였다|했다\s*[.]?$|\b(?:was|were|rose|fell|grew|reported|posted|hit|reached)\b",
    re.I,
)
# A line that opens with its period: "📅 2026년 상반기:", "- Q3 2026:", "* 6월 —".
_TIMELINE_LINE = re.compile(r"^[^\w가-힣]{0,4}$")
_TIMELINE_ITEM = re.compile(r"^\s*(?:[:：]|[-–—]\s)\s*(?=\S)[^:：]{4,}$")
# "released its 2026 forecast on Dec. 3": the publication day is the report's, not a due date.
_EN_RELEASED = re.compile(
    r"\b(?:released|published|issued|unveiled|announced|put\s+out|came\s+out)\b", re.I
)
# "이 글에서는 2026년 … 살펴보겠습니다", "Below are my calls for 2027", "Let's see how …":
# the post announcing its own contents.
_WRITER_ANNOUNCES = re.compile(
    r"(?:이번|이|오늘)\s*(?:글|포스팅|포스트|시간)에서는|(?:알아보|살펴보|정리해\s*보|짚어보|소개해\s*드리|"
    r"말씀드리|다뤄\s*보|정리하)(?:겠습니다|겠다|려고\s*합니다|고자\s*합니다|도록\s*하겠)"
    r"|(?:오늘은|이번\s*글|이\s*글|본\s*글)[^.?!]{0,80}?(?:(?:알아|살펴|짚어|정리해|다뤄|둘러)\s*(?:봅니다|보고|보려|볼게요|보도록)|"
    r"(?:정리|소개|분석|설명)(?:합니다|해\s*드립니다|해\s*드릴게요|할게요))"
    r"|\b(?:below\s+are|here\s+are|here['’]s|here\s+is)\s+(?:my|our|the|some|a\s+few|your)\b"
    r"|\blet['’]s\s+(?:see|look|take\s+a\s+look|review|revisit|check|dive)\b"
    r"|\bI(?:['’]ll|\s+will|['’]m\s+going\s+to)\s+(?:also\s+)?(?:be\s+)?(?:preview|cover|outlin|shar|releas|"
    r"publish|writ|discuss|go\s+over|look\s+at|walk\s+through|break\s+down)"
    r"|\bin\s+this\s+(?:post|article|piece|newsletter|issue|note|episode)\b",
    re.IGNORECASE,
)
# What a schedule line does on its day: "발표한다", "예정돼 있다", "is scheduled", "reports".
_SCHEDULE_PREDICATE = re.compile(
    r"(?:발표|공개|개최|결정|시작|진행|예정|출시|상장|청약|회의|내놓|열린|열리)[가-힣\s]{0,8}(?:한다|된다|이다|있다|할\s*예정)"
    r"|\b(?:is|are)\s+(?:scheduled|slated|due|set)\b|\b(?:will\s+)?(?:report|reports|release|releases)\b",
    re.I,
)
# "As we head into 2026, the market feels different": the year frames the remark after it.
_EN_FRAME = re.compile(
    r"^\s*(?:as\s+we\s+(?:head|move|go|step)\s+into|heading\s+into|going\s+into|entering)\s+"
    r"(?:the\s+)?(?:new\s+year|(?:19|20)\d{2}|next\s+year)\s*,",
    re.I,
)
_EN_FUTURE_MAIN = re.compile(
    r"\b(?:will|won['’]t|expect|expects|expected|forecast|predict|project|likely|should|could|may|"
    r"might|going\s+to|see|sees|target|guid)",
    re.I,
)
# A figure with its unit: "5조원", "12%", "$250", "50bp", "$200 billion", "1.00M".
_FIGURE = re.compile(
    r"\d[\d,.]*\s*(?:%|조|억|만|원|달러|\$|배|bp|bps|[KMB]\b|(?:billion|million|trillion)\b)"
    r"|\$\s?\d",
    re.I,
)
# "Here's what they expect next year:", "전망은 다음과 같다:": a line that introduces a list.
_LEAD_IN = re.compile(
    r"[:：]\s*$|^\s*(?:the\s+following\s+(?:are|is)|below\s+(?:are|is))\b|다음과\s*같(?:다|습니다)\.?\s*$",
    re.I,
)
# "20일 이평선", "(5,10일)": moving averages and counts of trading days, not calendar days.
_MARKET_DAYS_AFTER = re.compile(
    r"^\s*\)?\s*(?:이평선|이동\s*평균|이격도|선\b|봉|신고가|신저가|최고가|평균)"
)
# "이날", "같은 날", "that day": the day the post last named.
_DAY_ANAPHOR = re.compile(
    r"이날|이\s날(?=[은는에도])|같은\s*날|당일|\b(?:that|the\s+same)\s+day\b|\blater\s+that\s+day\b",
    re.I,
)
# "목표주가 17만원", "price target to $250": a target price, a twelve-month call by convention.
_PRICE_TARGET = re.compile(
    r"(?:목표\s*주가|목표가|적정\s*주가|(?:price\s+target|target\s+price|\bPT\b))"
    r"(?=[^.!?。]{0,60}?(?:\d[\d,.]*\s*(?:만\s*)?(?:원|달러|엔)|\$\s?\d))",
    re.I,
)
# "7월 8일 현재", "11월 말 기준", "as of June 30": the date the figures describe.
_AS_OF_AFTER = re.compile(r"^\s*(?:\([^)]{0,12}\)\s*)?(?:현재|기준(?!\s*금리)|종가\s*기준)")
_AS_OF_BEFORE = re.compile(r"\b(?:as\s+of|as\s+at)\s+(?:the\s+(?:end|close)\s+of\s+)?$", re.I)
_EN_KIND_TARGET = re.compile(r"\b(target|goal|aim|ambition)", re.I)
_EN_KIND_ESTIMATE = re.compile(
    r"\b(estimate|consensus|guidance|EPS|revenue|sales|earnings|margin|forecast)", re.I
)
_KO_SPEAKER_VERB = re.compile(
    r"(전망했|예상했|말했|밝혔|내다봤|예고했|강조했|설명했|주장했|예측했|관측했|언급했|시사했|전했|약속했|자신했|"
    r"전망한다|예상한다|말한다|밝힌다|내다본다|전망이다|설명한다)"
)
_EN_SPEAKER = re.compile(
    r"^\s*((?:[A-Z][\w.&'-]*\s?){1,4}?)(?:,[^,]{0,60},)?\s+(?:said|says|expects|predicts|forecasts|projects|"
    r"estimates|believes|thinks|told|wrote|sees|warned|argued)\b"
)


@dataclass
class Forecast:
    """One forecast found in a post (the analyze JSON contract's `predictions` item)."""

    text: str
    claim: str
    speaker: str | None
    timex: str | None
    due_start: date | None
    due_end: date | None
    granularity: str | None
    kind: str
    hedge: str
    confidence: float
    start: int
    end: int
    sentence_index: int
    lang: str
    content: frozenset[str] = field(default_factory=frozenset, repr=False)
    timex_start: int = -1  # offsets of the time expression inside `text`
    timex_end: int = -1


def horizon_year(title: str, anchor: date | None) -> int | None:
    """The year a title such as "2026 predictions" or "2026년 반도체 전망" sets, if any."""
    match = _HORIZON_TITLE.search(title or "")
    if not match:
        return None
    year = int(match.group("y1") or match.group("y2"))
    if anchor is not None and year < anchor.year:
        return None
    return year


def _content_words(sentence: Sentence, expressions: Sequence[TimeExpression]) -> frozenset[str]:
    """Distinctive words of a sentence (nouns, names, numbers), without its time expressions."""
    spans = [(sentence.start + e.start, sentence.start + e.end) for e in expressions]
    words: set[str] = set()
    for token in sentence.tokens:
        if any(a <= token.start < b for a, b in spans):
            continue
        tag = token.tag
        form = token.form.lower().strip("$")
        if (
            tag in {"NNG", "NNP", "SL", "SH"}
            and len(form) >= 2
            and form not in _TIME_WORDS
            and form not in _EN_STOPWORDS
        ) or (tag == "SN" and len(form) >= 2):
            words.add(form)
    return frozenset(words)


def _status(expression: TimeExpression, anchor: date) -> tuple[str, date, date]:
    start, end = expression.due_start, expression.due_end
    if expression.relation == "before":
        # "2030년 이전", "before June": placed by the named period, judged the day before it.
        status = _status(replace(expression, relation="at"), anchor)[0]
        return status, min(anchor, start), start - timedelta(days=1)
    if (
        end == anchor
        and start == anchor
        and expression.granularity == "day"
        and (expression.relative or not _BARE_DAY.match(expression.text))
    ):
        # "금일 … 예상", "today", or the post's own date written out ("2025년 11월 19일, … 발표
        # 예정"): only a call for the rest of the day.
        return "today", start, end
    if end <= anchor:
        recent = (anchor - end).days <= _RECENT_DAYS and expression.granularity in {
            "quarter",
            "half",
            "year",
            "month",
        }
        return ("recent" if recent else "past"), start, end
    if start > anchor:
        return "future", start, end
    return "current", start, end


def _accept(
    status: str,
    reading,
    expression: TimeExpression,
    lang: str,
    eventful: bool,
    text: str = "",
) -> tuple[bool, str]:
    """Whether the clause's grammar makes a claim about the window, and why (or why not)."""
    if status == "past":
        return False, "the window ended before the post"
    if status == "today":
        if lang == "en" and _EN_RELEASED.search(text):
            return False, "today: the day the report came out"
        if reading.tense == "future" or (lang == "ko" and reading.forecast_vocabulary):
            return True, "today, with future grammar"
        return False, "today, without future grammar"
    if status == "recent":
        if reading.estimate_vocabulary and (reading.tense != "past" or reading.reporting):
            return True, "a just-ended period, estimated before its report"
        return False, "a just-ended period without estimate wording"
    if status == "future":
        if reading.tense == "past" and not reading.reporting and not reading.forecast_vocabulary:
            return False, "a future window in a past-tense clause"
        # "2026년 기준입니다" describes; "하반기 변동성은 큽니다" predicts. English present
        # tense with a future date ("the rate ends next year …") is a claim.
        if lang == "en":
            if reading.relative_clause and reading.tense != "future":
                return False, "a relative clause describing, not claiming"
            return True, "a future window with a claim"
        if reading.copula and not eventful and not reading.forecast_vocabulary:
            return False, "a copula describing the period ('…기준입니다')"
        return True, "a future window with a claim"
    # current window
    if reading.progressive and reading.tense != "future" and not reading.forecast_vocabulary:
        return False, "the current period, progressive: what is happening now"
    if expression.granularity == "horizon" and expression.relation in {"within", "after"}:
        # "앞으로 3년", "another 18 months": the expression itself looks ahead.
        if (reading.tense != "past" or reading.reporting) and not reading.state:
            return True, "a horizon looking ahead"
        return False, "a horizon in a past or stative clause"
    if reading.tense == "past":
        if reading.reporting and reading.forecast_vocabulary:
            return True, "the current period, a reported forecast"
        return False, "the current period, past tense: a fact"
    if reading.tense == "future":
        return True, "the current period, future tense"
    if reading.forecast_vocabulary and (
        lang == "ko" or reading.target_vocabulary or reading.estimate_vocabulary
    ):
        return True, "the current period with forecast wording"
    if expression.relation == "until" and not reading.state and lang == "ko":
        return True, "a deadline in the current period"
    if (
        lang == "ko"
        and reading.tense == "present"
        and not reading.state
        and expression.granularity in {"day", "month"}
    ):
        return True, "a scheduled action this month"
    if (
        lang == "ko"
        and reading.tense == "none"
        and eventful
        and expression.granularity in {"year", "half", "quarter"}
    ):
        # "LG에너지솔루션 2026년 본격 양산": a telegraphic line naming the period's event.
        return True, "an event named for the period, without a predicate"
    return False, "the current period, present tense without forecast wording"


def _eventful(tokens: Sequence[Token], start: int, end_offset: int | None = None) -> bool:
    """True when an action verb (or event noun) follows the time expression in its clause."""
    first = token_index_at(tokens, start)
    for token in tokens[first : first + 14]:
        tag = token.tag
        if tag in {"VV", "XSV"} and token.form not in {"하", "되"}:
            return True
        if tag == "XSV" or (tag == "NNG" and token.form in EVENT_NOUNS_KO):
            return True
        if tag == "EF":
            break
    del end_offset
    return False


def _kind(
    sentence_text: str, lang: str, expression: TimeExpression | None, tokens: Sequence[Token]
) -> str:
    forms = {token.form for token in tokens}
    if lang == "ko":
        if forms & {"목표", "목표가", "목표치", "목표주가"}:
            return "target"
        if forms & {
            "추정",
            "추정치",
            "추정범위",
            "예상치",
            "전망치",
            "컨센서스",
            "가이던스",
            "예상순익",
            "EPS",
        }:
            return "estimate"
        if expression is not None and (
            expression.granularity == "day" or forms & EVENT_NOUNS_KO or "예정" in forms
        ):
            return "event"
        return "outlook"
    if _EN_KIND_TARGET.search(sentence_text):
        return "target"
    if _EN_KIND_ESTIMATE.search(sentence_text):
        return "estimate"
    if expression is not None and (
        expression.granularity == "day"
        or re.search(
            r"\b(launch|release|ship|open|start|begin|complete|IPO|list|vote|scheduled|slated|unveil)",
            sentence_text,
            re.I,
        )
    ):
        return "event"
    return "outlook"


def _claim(text: str, start: int | None, end: int | None) -> str:
    """A short statement of what is forecast: the clause around the time expression."""
    cleaned = _BULLET_PREFIX.sub("", text).strip().strip('"“”')
    offset = (
        len(text)
        - len(text.lstrip())
        + (len(text.strip()) - len(_BULLET_PREFIX.sub("", text.strip())))
    )
    if len(cleaned) <= 140 or start is None or end is None:
        return cleaned if len(cleaned) <= 160 else cleaned[:159].rstrip() + "…"
    start = max(0, start - offset)
    end = max(start, end - offset)
    boundaries = [m.end() for m in re.finditer(r",\s|며\s|고\s|[.;]\s|하지만\s|but\s", cleaned)]
    left = max([b for b in boundaries if b <= start] or [0])
    right = min([b for b in boundaries if b > end + 10] or [len(cleaned)])
    claim = cleaned[left:right].strip(" ,.;")
    return claim if len(claim) <= 160 else claim[:159].rstrip() + "…"


def _speaker(sentence: Sentence, quotes: Sequence[Quote]) -> str | None:
    for quote in quotes:
        if (
            sentence.start <= quote.start < sentence.end
            or quote.start <= sentence.start < quote.end
        ):
            return quote.speaker
    text = sentence.text
    according = re.search(r"([^\s,.]+(?:\s[^\s,.]+){0,3})\s*에\s*따르면", text)
    if according:
        return person_name(according.group(1)) or according.group(1)
    if sentence.lang == "en":
        match = _EN_SPEAKER.match(_BULLET_PREFIX.sub("", text))
        if match and match.group(1).strip() not in {
            "The",
            "It",
            "This",
            "We",
            "I",
            "He",
            "She",
            "They",
        }:
            return match.group(1).strip()
        match = re.search(r"according\s+to\s+((?:[A-Z][\w.&'-]*\s?){1,4})", text)
        return match.group(1).strip() if match else None
    if not _KO_SPEAKER_VERB.search(text):
        return None
    predicates = korean_predicates(sentence.tokens)
    if not any(p.stem in REPORTING_STEMS for p in predicates if p.governs):
        return None
    for index, token in enumerate(sentence.tokens[:20]):
        if token.tag in {"JX", "JKS"} and token.form in {"은", "는", "이", "가"} and index > 0:
            phrase_tokens = sentence.tokens[:index]
            if any(t.tag == "NNP" for t in phrase_tokens):
                phrase = text[: token.start - sentence.start]
                return person_name(_BULLET_PREFIX.sub("", phrase))
            return None
    return None


def _confidence(expression: TimeExpression | None, reading, hedge: str, status: str) -> float:
    score = 0.5
    if expression is not None:
        score += 0.15 if expression.explicit_year else 0.0
        score += 0.05 if expression.granularity in {"day", "month", "quarter"} else 0.0
        score -= 0.1 if expression.vague else 0.0
    if reading is not None:
        score += 0.15 if reading.tense == "future" else 0.0
        score += 0.1 if reading.forecast_vocabulary else 0.0
    score -= {"certain": 0.0, "likely": 0.05, "possible": 0.15}[hedge]
    score -= {"future": 0.0, "current": 0.05, "recent": 0.1, "undated": 0.2, "horizon": 0.1}.get(
        status, 0.0
    )
    return round(min(0.98, max(0.05, score)), 2)


_FORECAST_WORDS = {
    "목표",
    "전망",
    "예상",
    "추정",
    "가이던스",
    "target",
    "guidance",
    "forecast",
    "estimate",
    "outlook",
}


_KO_UNITS = {"천": 1e3, "만": 1e4, "억": 1e8, "조": 1e12}
_EN_UNITS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "t": 1e12,
}
_QUANTITY = re.compile(
    r"(?P<number>\d+(?:[.,]\d+)*)\s*(?P<unit>%|천|만|억|조|thousand|million|billion|trillion|bn|mn|[kmbt]\b)?",
    re.IGNORECASE,
)


def _quantities(text: str) -> set[float]:
    """Numbers of a sentence as values, so that 5만 and 50,000 compare equal; years left out."""
    values: set[float] = set()
    for match in _QUANTITY.finditer(text):
        raw = match.group("number").replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        if not math.isfinite(value):  # a 400-digit "number" is no quantity
            continue
        unit = (match.group("unit") or "").lower()
        if unit == "%":
            values.add(round(value, 1) + 0.001)  # keep percentages apart from counts
            continue
        value *= _KO_UNITS.get(unit, _EN_UNITS.get(unit, 1.0))
        if value < 10 or (1900 <= value <= 2100 and not unit):
            continue
        magnitude = 10 ** (len(str(int(value))) - 3) if value >= 1000 else 1
        values.add(round(value / magnitude) * magnitude)
    return values


# Words any two finance lines share ("QoQ", "영업이익"): alone they do not make two claims one.
_GENERIC_CLAIM_WORDS = {
    "qoq", "yoy", "mom", "op", "eps", "컨센", "컨센서스", "영업이익", "매출", "매출액", "순이익", "실적",
    "revenue", "margin", "당사", "consensus",
}  # fmt: skip


# Where one claim of a sentence ends and the next begins: "…34조원, 영업이익은 …",
# "…1.4%로 전망했으며 물가상승률에 대해선 …", "…$200 billion, and Meta's …".
_KO_CLAIM_BREAK = re.compile(r"(?:,|(?<=[며고])|(?<=으며))\s+")
_EN_CLAIM_BREAK = re.compile(r"(?:,\s+(?:and\s+|while\s+)?|;\s+)")
_EN_CLAIM_MAX_WORDS = 14
# How an elaboration of the claim before it begins, as opposed to a listed item.
_EN_NOT_A_LIST_ITEM = re.compile(
    r"(?:up|down|from|implying|which|not|compared|versus|vs|we|i|he|she|they|it|than|anything|"
    r"then|with|including|or|to|a|an|as|but|so|its|their|our|his|her|this|that|roughly|about|"
    r"after|following|before|when|if)\b",
    re.I,
)


def _split_claims(forecast: Forecast, sentence: Sentence) -> list[Forecast]:
    """One item per claim when a sentence puts several figures on one date: "2026년 매출은
    34조원, 영업이익은 3조8000억원으로 회복될 전망" is two claims a reader would judge apart.
    A Korean claim starts with its own subject or topic ("영업이익은", "전세가는"); an English
    one is a short listed item with its own figure ("Amazon's $200 billion, and Meta's …")."""
    text = sentence.text
    if sentence.lang == "ko":
        breaks = [match.end() for match in _KO_CLAIM_BREAK.finditer(text)]
        starts = [0] + [b for b in breaks if _opens_with_subject(sentence, b)]
    else:
        starts = [0] + [match.end() for match in _EN_CLAIM_BREAK.finditer(text)]
    pieces = [
        (start, end)
        for start, end in zip(starts, [*starts[1:], len(text)], strict=True)
        if text[start:end].strip()
    ]
    # A clause without a figure ("…며 특수선 부문이 수익성을 견인할 것으로 내다봤다") belongs to
    # the claim before it; it does not make the figures one claim.
    merged: list[tuple[int, int]] = []
    for start, end in pieces:
        if merged and not _FIGURE.search(text[start:end]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    if merged and not _FIGURE.search(text[merged[0][0] : merged[0][1]]) and len(merged) > 1:
        merged[1] = (merged[0][0], merged[1][1])
        merged.pop(0)
    pieces = merged  # each piece now carries a figure of its own
    if len(pieces) < 2:
        return [forecast]
    if (
        sentence.lang == "en"
        and any(
            len(text[start:end].split()) > _EN_CLAIM_MAX_WORDS
            or _EN_NOT_A_LIST_ITEM.match(text[start:end])
            for start, end in pieces[1:]
        )
    ) or (sentence.lang == "en" and any(_PAST_FACT.search(text[a:b]) for a, b in pieces)):
        return [forecast]  # "…, up from 14% in 2024", "…, implying 21% growth": one claim
    if sentence.lang == "ko" and all(
        (_clause_subject(sentence, start, 10) or "").endswith(_ESTIMATE_NOUNS)
        for start, _ in pieces
    ):
        return [forecast]  # "추정범위는 $0.93~0.97이며 추정치는 $0.95": one estimate, told twice
    if sentence.lang == "ko" and any(
        _past_clause(sentence, start, end) and not _REPORTED_FORECAST_KO.search(text[start:end])
        for start, end in pieces
    ):
        return [forecast]  # "백로그는 1100억 달러를 넘어섰고, …": a fact beside the claim
    return [
        # The item keeps its whole sentence as its text (what a reader checks it against);
        # its claim is its own part.
        replace(
            forecast,
            claim=_claim(text[start:end], None, None),
            start=sentence.start + start,
            end=sentence.start + end,
        )
        for start, end in pieces
    ]


# "지난해 매출은 … 전망됐다" written before the year's results: an estimate of a period just
# ended, which its report will settle.
_UNREPORTED_ESTIMATE = re.compile(
    r"전망(?:됐|된다|이다|치)|추정(?:됐|된다|치)|예상(?:됐|된다|치)|컨센서스|\b(?:consensus|estimates?|expected\s+to\s+report)\b",
    re.I,
)
_ESTIMATE_NOUNS = (
    "추정치",
    "추정범위",
    "범위",
    "전망치",
    "예상치",
    "컨센서스",
    "목표치",
    "추정",
    "전망",
)
# "전망했으며", "예상했다": a forecast reported in the past tense is still a forecast.
_REPORTED_FORECAST_KO = re.compile(r"전망|예상|추정|내다|관측|예측|제시|목표|기대|점쳤|봤")


def _past_clause(sentence: Sentence, start: int, end: int) -> bool:
    """Whether a Korean clause is told in the past ("넘어섰고", "기록했으며")."""
    low, high = sentence.start + start, sentence.start + end
    return any(
        token.tag == "EP" and token.form in {"었", "았", "였", "ᆻ", "었었", "았었"}
        for token in sentence.tokens
        if low <= token.start < high
    )


def _opens_with_subject(sentence: Sentence, offset: int) -> bool:
    """Whether the clause starting at `offset` names its own subject or topic within its first
    few words ("영업이익은", "물가상승률에 대해선", "삼성SDI는")."""
    return _clause_subject(sentence, offset) is not None


def _clause_subject(sentence: Sentence, offset: int, reach: int = 6) -> str | None:
    """The words a clause starting at `offset` takes as its subject or topic, if it names one."""
    absolute = sentence.start + offset
    first = token_index_at(sentence.tokens, absolute)
    window = sentence.tokens[first : first + reach]
    for previous, token in itertools.pairwise(window):
        if token.tag in {"JKS", "JX"} and previous.tag in {"NNG", "NNP", "SL", "SN", "XSN"}:
            # the words up to the particle: "추정치" is 추정 + 치 to Kiwi
            return sentence.text[offset : token.start - sentence.start].strip()
    return None


_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&]{1,6}\b")


def _acronyms(text: str) -> set[str]:
    """Upper-case names in a sentence (CPI, PPI, FOMC, TSMC): what a figure is about."""
    return set(_ACRONYM.findall(text))


def _same_forecast(first: Forecast, second: Forecast) -> bool:
    """The same claim stated twice: a translation, or a restatement with the same subject."""
    if first.due_end != second.due_end:
        return False
    shared = first.content & second.content
    if first.lang != second.lang:
        # A translated paragraph keeps its names and its numbers (5만 대 = 50,000 units), and
        # follows its original closely.
        if (
            first.granularity == second.granularity
            and first.granularity in {"half", "quarter", "month", "day"}
            and abs(first.sentence_index - second.sentence_index) <= 8
        ):
            return True
        return any(re.match(r"^[a-z$]", word) for word in shared) or bool(
            _quantities(first.text) & _quantities(second.text)
        )
    first_numbers, second_numbers = _quantities(first.text), _quantities(second.text)
    if first_numbers and second_numbers and not first_numbers & second_numbers:
        return False  # two figures for the same date: two claims (revenue 5조, margin 12%)
    first_names, second_names = _acronyms(first.text), _acronyms(second.text)
    if first_names and second_names and not first_names & second_names:
        return False  # the same figure for two subjects: "0.2% in CPI", "0.2% in PPI"
    specific = shared - _GENERIC_CLAIM_WORDS
    union = first.content | second.content
    if union and specific and len(shared) / len(union) >= 0.5:
        return True
    return len(specific) >= 2 and bool(shared & _FORECAST_WORDS)


def _undated(sentence: Sentence, reading_tense: str) -> bool:
    text = sentence.text
    if len(text) < 15 or _FIRST_PERSON_PLANS.search(text):
        return False
    if sentence.lang == "en":
        return bool(
            re.search(
                r"\b(will|expects?|is expected to|are expected to|forecasts?|predicts?|is set to|plans to|aims to)\b",
                text,
                re.I,
            )
        )
    if reading_tense != "future":
        return False
    return bool(
        re.search(
            r"(것이다|것으로\s*(보인|예상|전망|관측)|전망이다|예정이다|계획이다|것\s*같다|할\s*듯|될\s*듯|겠다|ᆯ\s*것)",
            text,
        )
        or re.search(r"(ㄹ|을|할|될|갈|올|클|날)\s*(것이|것으로|전망|예정|듯)", text)
    )


def extract_forecasts(
    sentences: Sequence[Sentence],
    anchor: date,
    *,
    title: str = "",
    quotes: Sequence[Quote] = (),
    trace: PostTrace | None = None,
    model: ForecastModel | bool | None = True,
) -> list[Forecast]:
    """Forecasts of one post, dated against `anchor` (the published date).

    `trace`, when given, receives every sentence's steps and candidates (for `explain`).
    `model`: True uses the committed model (rules alone when there is none), None or False
    the rules alone, or a given model.
    """
    chosen_model = default_model() if model is True else (model or None)
    horizon = horizon_year(title, anchor)
    fiscal_month = _fiscal_year_end_month(sentences)
    # Stated up front ("Orrin's fiscal year ends on June 30" in a call's opening), the fiscal
    # calendar is the post's own; stated later, it is one company's among several.
    fiscal_stated = any(
        (match := _FISCAL_YEAR_END.search(sentence.text)) is not None and match.group("mn")
        for sentence in sentences[: max(12, len(sentences) // 4)]
    )
    horizons = _section_horizons(sentences, anchor, horizon)
    lines: dict[int, list[Sentence]] = {}
    for sentence in sentences:
        lines.setdefault(sentence.line, []).append(sentence)
    found: list[Forecast] = []
    line_numbers = sorted(lines)
    next_line = dict(itertools.pairwise(line_numbers))
    count = max(1, len(sentences))
    context = _Reading(report_day=_report_day(sentences, anchor, title))
    week = _week_frame(sentences, anchor)
    if week is not None:
        context.week_frame, context.week_frame_sentence = week
    for sentence in sentences:
        line = lines[sentence.line]
        following = lines.get(next_line.get(sentence.line, -1), [])
        heads_paragraph = (
            bool(following) and following[0].kind == "prose" and sentence.kind == "bullet"
        )
        line_text = " ".join(member.text for member in line)
        if sentence.index in horizons.labels:
            if trace is not None:
                trace.sentence(
                    sentence.index, sentence.text, sentence.kind, sentence.lang
                ).steps.append(
                    Step("section_label", "drop", "sets the year for the lines below it")
                )
            continue  # the heading or note that sets a section's year
        found.extend(
            _sentence_forecasts(
                sentence,
                anchor,
                horizons.year_of.get(sentence.index, horizon),
                quotes,
                fiscal_month,
                line_text,
                line[0] is sentence,
                heads_paragraph,
                fiscal_stated,
                trace,
                chosen_model,
                sentence.index / count,
                context,
            )
        )
    kinds = {sentence.index: sentence.kind for sentence in sentences}
    kept: list[Forecast] = []
    for forecast in found:
        duplicate = next(
            (
                number
                for number, other in enumerate(kept)
                if other.due_end is not None
                # claims of one sentence were split on purpose
                and other.sentence_index != forecast.sentence_index
                and _same_forecast(other, forecast)
            ),
            None,
        )
        if duplicate is None:
            kept.append(forecast)
            continue
        earlier = kept[duplicate]
        if kinds.get(earlier.sentence_index) == "heading" and kinds.get(
            forecast.sentence_index
        ) in {"prose", "bullet"}:
            # A heading restating the claim written below it: the body sentence is the claim.
            kept[duplicate] = forecast
            earlier, forecast = forecast, earlier
        if trace is not None:
            _note_after(trace, forecast, f"duplicate of sentence {earlier.sentence_index}")
    return kept


def _note_after(trace: PostTrace, forecast: Forecast, what: str) -> None:
    """Record what happened to a taken candidate after its decision."""
    record = trace.sentences.get(forecast.sentence_index)
    if record is None:
        return
    for candidate in record.candidates:
        if candidate.taken and candidate.text == (forecast.timex or "") and not candidate.after:
            candidate.after = what
            return


@dataclass
class _Horizons:
    year_of: dict[int, int | None]  # sentence index → the year its section is about
    labels: set[int]  # sentences that only set that year


def _section_horizons(
    sentences: Sequence[Sentence], anchor: date, title_year: int | None
) -> _Horizons:
    """Years set part-way through a post: a heading ("Part 2: Ten predictions for 2027") or a
    note ("everything below is about calendar 2027") covers the lines after it, until the next
    such heading; a look back ("How did my 2026 calls do?") covers none."""
    result = _Horizons({}, set())
    current = title_year
    for sentence in sentences:
        text = sentence.text
        statement = _HORIZON_STATEMENT.search(text)
        heading = (
            _HORIZON_TITLE.search(text)
            if sentence.kind == "heading"
            or (sentence.kind == "prose" and len(text) <= 60 and _HORIZON_AT_END.search(text))
            else None
        )
        if statement:
            year = int(statement.group("y") or statement.group("y2"))
            current = year if year >= anchor.year else current
            result.labels.add(sentence.index)
        elif heading and len(text) <= 90:
            year = int(heading.group("y1") or heading.group("y2"))
            retrospective = _RETROSPECTIVE.search(text) is not None
            current = None if retrospective or year < anchor.year else year
            result.labels.add(sentence.index)
        result.year_of[sentence.index] = current
    return result


def _fiscal_year_end_month(sentences: Sequence[Sentence]) -> int | None:
    """The month a company's fiscal year ends in, when the post says so."""
    for sentence in sentences:
        match = _FISCAL_YEAR_END.search(sentence.text)
        if match:
            if match.group("mn"):
                return _MONTH_NAMES.index(match.group("mn").lower()) + 1
            return int(match.group("m") or match.group("m2"))
    return None


def _fiscal_window(expression: TimeExpression, month: int, anchor: date) -> tuple[date, date]:
    """FY2026 with a June year-end ends 2026-06-30; its Q3 ends three months earlier. Without a
    year, "FQ3" or "this quarter" is a quarter of the fiscal year the post was written in."""
    if expression.explicit_year and not expression.relative:
        fiscal_end = _month_end(expression.due_end.year, month)
    else:
        fiscal_end = _month_end(anchor.year, month)
        if fiscal_end < anchor:
            fiscal_end = _month_end(anchor.year + 1, month)
        if expression.relative and expression.granularity == "year":
            # "next fiscal year": one fiscal year after the one the post was written in
            fiscal_end = _month_end_after(fiscal_end, 12 * (expression.due_end.year - anchor.year))
    if expression.granularity == "quarter":
        if expression.relative:
            # "this quarter" / "next quarter": the fiscal quarter around (or after) the anchor.
            quarter_end = fiscal_end
            while _month_end_after(quarter_end, -3) >= anchor:
                quarter_end = _month_end_after(quarter_end, -3)
            if expression.due_start > anchor:
                quarter_end = _month_end_after(quarter_end, 3)
            return _month_end_after(quarter_end, -3) + timedelta(days=1), quarter_end
        quarter = (expression.due_end.month - 1) // 3 + 1
        end = _month_end_after(fiscal_end, -3 * (4 - quarter))
        if not expression.explicit_year and end < anchor - timedelta(days=100):
            end = _month_end_after(end, 12)
        return _month_end_after(end, -3) + timedelta(days=1), end
    if expression.granularity == "half":
        half = 1 if expression.due_end.month <= 6 else 2
        end = _month_end_after(fiscal_end, -6 * (2 - half))
        return _month_end_after(end, -6) + timedelta(days=1), end
    return _month_end_after(fiscal_end, -12) + timedelta(days=1), fiscal_end


def _month_end(year: int, month: int) -> date:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def _month_end_after(moment: date, months: int) -> date:
    total = moment.year * 12 + moment.month - 1 + months
    return _month_end(total // 12, total % 12 + 1)


def _clause_reading(sentence: Sentence, expression: TimeExpression):
    if sentence.lang == "ko":
        return read_korean_clause(
            sentence.tokens, sentence.start + expression.end, sentence.start + expression.start
        )
    return read_english_clause(sentence.text, expression.start, expression.end)


def _orient_to_clause(
    expression: TimeExpression,
    sentence: Sentence,
    anchor: date,
    prefer: str,
    horizon: int | None,
    schedule_before: bool = False,
) -> TimeExpression:
    """Re-resolve a yearless expression ("4분기", "June") by its own clause's tense: in
    "백로그는 넘어섰고 4분기 매출 전망도 … 예고했다" the quarter belongs to the forecast clause."""
    if (
        sentence.lang == "en"
        and prefer != "past"
        and (
            _english_looks_back(sentence.text, expression, schedule_before)
            or (
                not expression.explicit_year
                and (not expression.relative or _EN_BARE_WEEKDAY.match(expression.text.strip()))
                and english_date_of_past_verb(sentence.text[expression.end :])
            )
        )
    ):
        looked_back = _resolved_as(expression, sentence.text, anchor, "past", horizon)
        if looked_back is not expression:
            return looked_back
    if (
        sentence.lang == "en"
        and anchor.weekday() >= 5
        and expression.text.strip().lower() == "this week"
        and _clause_reading(sentence, expression).tense != "past"
        and _EN_WEEKDAY_AHEAD.search(sentence.text)
    ):
        # Written on a weekend, "this week" looking ahead ("The FOMC meets this week" in a
        # Sunday schedule post) is the coming market week; told in the past or as a plain
        # remark ("stocks fell this week", "That's it for this week") it is the week behind.
        ahead = anchor + timedelta(days=7 - anchor.weekday())
        return replace(
            expression,
            due_start=ahead,
            due_end=ahead + timedelta(days=4),
            rule=f"{expression.rule}@week_ahead",
        )
    if (
        expression.explicit_year
        or expression.relative
        or expression.granularity in {"year", "range", "horizon"}
    ):
        return expression
    reading = _clause_reading(sentence, expression)
    if reading.tense == "future" or (reading.forecast_vocabulary and reading.tense != "past"):
        wanted = "future"
    elif (
        sentence.lang == "en"
        and reading.tense == "present"
        and expression.relation in {"until", "before"}
    ):
        wanted = "future"  # "re-rates by summer": a deadline ahead
    elif reading.tense == "past" and not reading.reporting:
        wanted = "past"
    elif sentence.lang == "en" and english_past_belief(sentence.text):
        wanted = "past"  # "I expected Brent above $100 by the summer" (a call made last year)
    elif reading.reporting and reading.forecast_vocabulary and expression.granularity != "day":
        wanted = "future"
    else:
        return expression
    if wanted == prefer:
        return expression
    return _resolved_as(expression, sentence.text, anchor, wanted, horizon)


def _resolved_as(
    expression: TimeExpression, text: str, anchor: date, prefer: str, horizon: int | None
) -> TimeExpression:
    """The same words of `text` read again with another preference for the year or day."""
    for candidate in find_time_expressions(text, anchor, prefer=prefer, context_year=horizon):
        if candidate.start == expression.start and candidate.end == expression.end:
            return candidate
    return expression


# "since January 1"; "the latest nowcast (July 10)": the most recent such date.
_SINCE_BEFORE = re.compile(
    r"\bsince\s+$|\b(?:latest|most\s+recent|previous|prior)\s+(?:[\w’'-]+\s+){0,3}\(?\s*$", re.I
)
_EN_BARE_WEEKDAY = re.compile(r"^(?:mon|tues|wednes|thurs|fri|satur|sun)day$", re.I)
_EN_WEEKDAY_AHEAD = re.compile(
    r"\b(?:will|'ll|to\s+(?:report|release|announce|meet|publish|post)|is\s+(?:set|scheduled|slated|due|expected|projected|poised)|"
    r"are\s+(?:set|scheduled|slated|due|expected|projected)|reports?|releases?|meets?|begins?|starts?|kicks?\s+off|"
    r"upcoming|ahead\s+of|next|expects?|expected|forecasts?|projected|estimates?)\b",
    re.I,
)


def _english_looks_back(
    sentence_text: str, expression: TimeExpression, schedule_before: bool = False
) -> bool:
    """Whether an English date means the most recent one: "since January 1", or a bare weekday
    told in the past or as a plain fact ("closed higher Thursday", "it's currently Friday"):
    news names the day just gone by its weekday; only a sentence that looks ahead ("reports on
    Friday", "will meet Wednesday") means the coming one."""
    before = sentence_text[: expression.start]
    if _SINCE_BEFORE.search(before):
        return True
    if not _EN_BARE_WEEKDAY.match(expression.text.strip()):
        return False
    # The whole sentence ("… report Tuesday, with Meta on Wednesday"), or the one before it
    # ("151 companies are slated to report. That includes Meta on Wednesday …").
    return not (schedule_before or _EN_WEEKDAY_AHEAD.search(sentence_text))


_KEY_QUESTION_AFTER = re.compile(r"^[^,.;]{0,40}?(?:관건|변수|관심사|주목)")
# "10월 세계경제전망에서", "지난달 간담회에서", "in its October outlook": the occasion of saying.
_REPORT_SOURCE_AFTER = re.compile(
    r"^\s*(?:\([^)]{0,12}\)\s*)?(?:[가-힣A-Za-z]+\s*){0,2}?(?:전망|보고서|리포트|발표|회의|간담회|콘퍼런스|컨퍼런스|인터뷰|"
    r"성명|연설|서한|기자회견|설명회|행사|세미나|포럼|청문회)(?:\s*자료)?\s*(?:에서|를\s*통해|을\s*통해|때)"
)
# "A → B", "A에서 B로 연기": the earlier date is replaced.
_REPLACED_BY_LATER = re.compile(
    r"^\s*(?:\([^)]*\))?\s*(?:→|->|⇒|에서\s*(?=[^,.]{0,30}?(?:로|으로)\s*(?:연기|지연|변경|미뤄|미루|늦춰|앞당|조정|상향|하향)))"
)
# "✅ Priced June 11", "| Quillon IPO before July | ❌ |": a call already graded.
_GRADED = re.compile(r"[✅❌✔✘✗☑]")
# "목표가를 … 제시해 오차율 -2.44%로 …": a call already graded by how far it missed.
_GRADED_CALL = re.compile(r"오차율|적중|맞혔|맞췄|빗나갔|\b(?:hit\s+rate|accuracy)\b", re.I)
_QUESTION_END = re.compile(r"[?？]\s*[)\]」』\"'”’]*\s*$")
# "…지 않을까?", "isn't it?": a question that asserts.
_RHETORICAL = re.compile(
    r"(않을까|않겠|아닐까|아닌가|않나|않을까요|아닐까요|(?:듯|걸|텐데|같은데|같음|거든|잖아|려나)\s*[?？]|\b(?:won't|isn't|wouldn't|doesn't|don't)\s+(?:it|they|we|you)\b)",
    re.I,
)
_TIMESTAMP_PREFIX = re.compile(r"^\s*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?)\s+")
_CLAIM_CUE = re.compile(
    r"\d|목표|전망|예상|예정|추정|가이던스|컨센|[EF]\b|→|%|돌파|상회|하회|증가|감소|성장|상승|하락|출시|양산|가동|완공|인상|인하"
)


_BARE_DAY = re.compile(r"^\d{1,2}\s*일$")
# What may stand before a page's own date at the start of its text: a label, nothing else.
_DATELINE_LABEL = re.compile(
    r"\s*(?:(?:date[d]?|posted|published|updated?|입력|등록|작성일?|날짜)\s*[.:：]?\s*)?", re.I
)
_KO_SAYING_PAST = {
    "밝히",
    "발표하",
    "말하",
    "전하",
    "공시하",
    "설명하",
    "강조하",
    "언급하",
    "공개하",
    "발표",
    "말",  # "이같이 말했습니다": Kiwi reads 말 + 하 as the noun and its verb suffix
}
_KO_FIRST_PERSON = re.compile(r"(?:^|\s)(?:나는|저는|내가|제가|난|전|필자는)\s")
_KO_BELIEF_STEMS = {"믿", "생각하", "예상하", "보", "확신하", "기대하", "전망하", "예측하"}
_EN_OLD_CALL = re.compile(
    r"\b(?:I|we)\s+(?:wrote|said|thought|believed|predicted|expected|argued|called|was\s+convinced)\b"
    r"[^.;]*\b(?:would|was\s+going\s+to|were\s+going\s+to)\b",
    re.IGNORECASE,
)


def _said_on_a_day(sentence: Sentence) -> bool:
    """A Korean news sentence ending in "…고 밝혔다/발표했다": a bare "18일" in it is the day the
    statement was made."""
    if sentence.lang != "ko":
        return False
    final = _final_predicate(sentence)
    return final is not None and final.past and final.stem in _KO_SAYING_PAST


def _past_belief(sentence: Sentence) -> bool:
    """The writer's own old call: "I wrote … utilities would …", "나는 … 거라고 믿었다"."""
    if sentence.lang == "en":
        return bool(_EN_OLD_CALL.search(sentence.text))
    if not _KO_FIRST_PERSON.search(" " + sentence.text):
        return False
    final = _final_predicate(sentence)
    return final is not None and final.past and final.stem in _KO_BELIEF_STEMS


def _without_expressions(text: str, expressions: Sequence[TimeExpression], filler: str = "") -> str:
    """The sentence with its time expressions cut out (what else it says)."""
    for expression in sorted(expressions, key=lambda e: -e.start):
        text = text[: expression.start] + filler + text[expression.end :]
    return text


def _final_predicate(sentence: Sentence) -> Predicate | None:
    """The predicate that closes a Korean sentence (its EF ending), if any."""
    return next((p for p in reversed(korean_predicates(sentence.tokens)) if p.ending == "EF"), None)


def _is_time_label(text: str, expressions: Sequence[TimeExpression]) -> bool:
    """ "▶ 다음 달", "▶ 25년 말~26년 초": a label naming the period the next lines discuss."""
    rest = _without_expressions(text, expressions)
    rest = re.sub(r"[^\w\uac00-\ud7a3]+", " ", _BULLET_PREFIX.sub("", rest)).strip()
    return rest in {"", "오는", "올", "이번", "the", "in", "by", "at", "until", "까지", "부터"}


def _is_question(text: str) -> bool:
    """A question asks; only a rhetorical one ("…지 않을까?") asserts."""
    return bool(_QUESTION_END.search(text)) and not _RHETORICAL.search(text)


def _is_bare_fragment(sentence: Sentence, expressions: Sequence[TimeExpression]) -> bool:
    """ "15:52 내년 이맘때 코스피": a Korean line with no predicate, number or forecast word
    only names a topic (a video chapter, a menu item)."""
    if sentence.lang != "ko" or not expressions or korean_predicates(sentence.tokens):
        return False
    if any(token.tag == "XSV" or token.form in EVENT_NOUNS_KO for token in sentence.tokens):
        return False
    rest = _TIMESTAMP_PREFIX.sub("", _without_expressions(sentence.text, expressions, " "))
    words = re.findall(r"[A-Za-z]{2,}|[가-힣]{2,}", rest)
    return len(words) <= 2 and not _CLAIM_CUE.search(rest)


_EN_CONDITION_BEFORE = re.compile(r"\b(?:if|unless|assuming)\b[^,;]*$", re.I)
_EN_SAID_AFTER = re.compile(r"^\s*,\s*(?:[A-Z][\w.'-]*\s){1,4}(?:said|says|told|wrote|noted)\b")
_EN_OPENING_PREPOSITION = re.compile(
    r"\s*[\"“]?\s*(?:(?:back|earlier|later|late|early)\s+)?(?:(?:in|on|at|during|last|this)\s+)?(?:the\s+)?"
    # "In a note dated Sunday, Goldman wrote …"
    r"(?:(?:a|an|its|his|her|their)\s+[\w-]+(?:\s+[\w-]+)?\s+(?:dated|published|released|issued|sent)(?:\s+on)?\s+)?",
    re.I,
)
_EN_PAST_YEAR = re.compile(r"\b(?:back\s+)?in\s+(?:19|20)\d{2}\b", re.I)


def _is_condition_or_question(sentence: Sentence, expression: TimeExpression) -> bool:
    """ "연내 국회를 통과하면", "if … by 2026": the condition is not the claim; "연내 인하 횟수가
    관건": a key question; "In November, Jensen Huang said": the time of saying."""
    text = sentence.text
    after = text[expression.end :]
    if _KEY_QUESTION_AFTER.match(after):
        return True
    if sentence.lang == "en":
        if _EN_CONDITION_BEFORE.search(text[: expression.start]) and "," in text[expression.end :]:
            return True
        if _EN_SAID_AFTER.match(after) and _EN_OPENING_PREPOSITION.fullmatch(
            text[: expression.start]
        ):
            return True  # "In November, Jensen Huang said …" (not "… by 2026, Sato said")
        if expression.granularity == "horizon" and _EN_PAST_YEAR.search(text):
            return True  # "Back in 2021, a round could close in two weeks"
        return bool(re.match(r"^['’]s\b", after)) and expression.text.lower() in {
            "today",
            "tonight",
        }
    predicates = korean_predicates(
        sentence.tokens, token_index_at(sentence.tokens, sentence.start + expression.end)
    )
    first = next((p for p in predicates if p.ending != "ETM"), None)
    if first is None or not first.condition or first.stem in {"보", "치", "따지", "감안하", "이"}:
        return False  # "향후 12개월로 보면" frames, "2030년이면" dates; neither conditions
    between = text[expression.end : sentence.tokens[first.first_token].start - sentence.start]
    # "오늘 밤 CPI → 0.3% 예상, 상회하면 …": the condition opens a later clause
    return not re.search(r"[(),→]", between)


def _is_section_heading(sentence: Sentence, expressions: Sequence[TimeExpression]) -> bool:
    """ "■ 2분기 실적 추정", "3분기 Preview 및 연간 전망", "하반기 전망 (문태경 이코노미스트)"."""
    if sentence.kind not in {"heading", "bullet"}:
        return False
    rest = re.sub(r"\([^)]*\)", "", _without_expressions(sentence.text, expressions))
    last = expressions[-1]
    if (
        sentence.kind == "heading"
        and sentence.lang == "en"
        and not sentence.text[last.end :].strip(" .:!")
        and re.search(r"\b(?:for|of)\s+(?:the\s+)?$", sentence.text[: last.start], re.I)
        and not re.search(r"\d|\b(?:will|to|could|may|might)\b", rest, re.I)
    ):
        return True  # "Expected Dividend Increases for February 2026": what the post covers
    words = re.findall(r"[\w\uac00-\ud7a3]+", _BULLET_PREFIX.sub("", rest.replace("■", "")))
    if re.match(
        r"^\s*(?:preview|review|recap|리뷰|프리뷰)\s*:", sentence.text[expressions[0].end :], re.I
    ):
        return True  # "1Q preview: …", "2분기 리뷰: …"
    if not words or re.search(r"\d", rest) or len(words) > 5:
        return False
    heading_word = any(word.lower() in _HEADING_NOUNS for word in words)
    other_words = [word for word in words if word.lower() not in _HEADING_NOUNS]
    other_words = [word for word in other_words if word.lower() not in {"및", "and", "주요"}]
    if "→" in rest or (sentence.kind == "bullet" and len(other_words) >= 2):
        return False  # "15일 금통위 → 동결 예상": a telegraphic claim, not a title
    section_marker = bool(re.match(r"^\s*[■□◆◇▶▷【\[#]", sentence.text))
    return heading_word and (sentence.kind == "heading" or section_marker or len(words) <= 3)


_CAPTION = re.compile(
    r"^\s*(?:[▲△▶]\s*\S|\[?(?:사진|그래픽|자료|출처|이미지|photo|image|source|chart|graphic)\s*[=:：\]])"
    r"|/\s*(?:사진|그래픽)\s*=|\((?:사진|자료)\s*=",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^\s*(?:by|written\s+by|posted\s+by)\s+[A-Z]|[가-힣]{2,4}\s*(?:기자|특파원|에디터)\s*(?:[=/·|]|\S+@|$)"
    r"|^\s*\S+@\S+\.\w+\s*$"
    # "UPDATED. 2021-04-20 12:42 (화)", "입력 2025.03.04 10:21": the page's own timestamps
    r"|^\s*(?:updated?|posted|published|입력|수정|등록|승인|기사\s*입력)\s*[.:：]?\s*\d{2,4}[-./년]\s*\d",
    re.IGNORECASE,
)


def page_role(sentence: Sentence) -> str:
    """The sentence's role on the page: caption, byline, heading, bullet, table or prose."""
    if _CAPTION.search(sentence.text) and not (
        sentence.kind == "bullet" and sentence.text.lstrip().startswith(("▲", "△"))
    ):
        return "caption"
    if len(sentence.text) <= 80 and _BYLINE.search(sentence.text):
        return "byline"
    return sentence.kind


def _is_title_line(sentence: Sentence) -> bool:
    """ "셀트리온 기업분석: 합병 시너지 가시화 및 2026년 신약 모멘텀 점검": a Korean line without a
    predicate that ends in a heading noun is a title, whatever its length."""
    if (
        sentence.lang != "ko"
        or sentence.kind not in {"prose", "bullet", "heading"}
        or _final_predicate(sentence) is not None
    ):
        return False
    words = re.findall(r"[\w\uac00-\ud7a3]+", re.sub(r"\([^)]*\)", "", sentence.text))
    return bool(words) and words[-1].lower() in _TITLE_NOUNS


# Nouns a post's title ends in; unlike 전망/예상 they do not end a telegraphic claim.
_TITLE_NOUNS = {
    "점검", "분석", "기업분석", "정리", "요약", "리뷰", "프리뷰", "전략", "이슈", "포인트", "체크포인트",
    "총정리", "가이드", "일정", "캘린더", "타임라인", "로드맵", "시나리오", "체크리스트",
}  # fmt: skip


def _is_table_header(sentence: Sentence, expressions: Sequence[TimeExpression]) -> bool:
    """ "구분 | 2023 | 2024 | 2025E": a header row of years, not a claim."""
    if sentence.kind != "table":
        return False
    if not re.search(r"\d", _without_expressions(sentence.text, expressions)):
        return True  # "| Year | New Forecast (Dec '25) | Prior Forecast (Sept '25) |": no figures
    return len(expressions) >= 3 and not re.search(
        r"\d[\d,.]*\s*(?:조|억|만|원|%|\$|달러|배)", sentence.text
    )


# "No major economic releases scheduled.", "발표 일정 없음": a calendar's empty day.
_NOTHING_SCHEDULED = re.compile(
    r"^\s*(?:\W\s*)?no\s+(?:major\s+|other\s+|key\s+|significant\s+)?[\w\s-]{0,40}?"
    r"\b(?:scheduled|planned|expected|due)\b\s*\.?\s*$|(?:일정|예정|발표)\s*(?:이\s*)?없(?:음|습니다|다)\s*\.?\s*$",
    re.I,
)

_SENTENCE_STEPS: tuple[tuple[str, str, Callable[[str], object]], ...] = (
    ("meta_sentence", "the post describes itself", _META_SENTENCE.search),
    ("graded_call", "a call already graded (✅/❌)", _GRADED.search),
    ("forecast_as_topic", "forecast words name a topic", _FORECAST_AS_TOPIC.search),
    ("open_question", "an open question ('whether', '…할지가')", _OPEN_QUESTION.search),
    ("footnote", "a footnote or source line", _FOOTNOTE.match),
    ("fiscal_definition", "defines the fiscal calendar", _FISCAL_DEFINITION.search),
    ("nothing_scheduled", "says nothing is scheduled", _NOTHING_SCHEDULED.search),
)


def _sentence_steps(sentence: Sentence, expressions: Sequence[TimeExpression]) -> list[Step]:
    """Every sentence-level step that drops the sentence, in order (all are recorded)."""
    text = sentence.text
    steps = [Step(name, "drop", reason) for name, reason, test in _SENTENCE_STEPS if test(text)]
    if _past_belief(sentence):
        steps.append(Step("past_belief", "drop", "the writer's own old call"))
    if _WRITER_ANNOUNCES.search(text):
        steps.append(Step("writer_announces", "drop", "the post says what it will cover"))
    if expressions:
        if _is_section_heading(sentence, expressions):
            steps.append(Step("section_heading", "drop", "a heading naming a period"))
        if _is_table_header(sentence, expressions):
            steps.append(Step("table_header", "drop", "a table's header row of periods"))
        if _is_time_label(text, expressions):
            steps.append(Step("time_label", "drop", "a label naming only a period"))
    if _is_question(text):
        steps.append(Step("question", "drop", "a question"))
    if _is_title_line(sentence):
        steps.append(Step("title_line", "drop", "a title without a predicate ('… 전망 점검')"))
    if _EN_FRAME.search(text) and not _EN_FUTURE_MAIN.search(text.split(",", 1)[-1]):
        steps.append(
            Step("frame_only", "drop", "'As we head into 2026, …': the year frames a remark")
        )
    if _LEAD_IN.search(text):
        steps.append(Step("lead_in", "drop", "introduces a list: the items are the claims"))
    role = page_role(sentence)
    if role in {"caption", "byline"}:
        steps.append(Step(role, "drop", f"a {role}, not the post's text"))
    if _is_bare_fragment(sentence, expressions):
        steps.append(Step("bare_fragment", "drop", "a topic fragment without a predicate"))
    return steps


def _candidate_step(
    sentence: Sentence,
    expression: TimeExpression,
    expressions: Sequence[TimeExpression],
    fiscal_spans: Sequence[tuple[int, int]],
    anchor: date | None = None,
) -> Step | None:
    """The first candidate-level step that drops this time expression, if any."""
    text = sentence.text
    unreported = (
        anchor is not None
        and expression.relation != "ago"
        and expression.granularity in {"year", "quarter", "half"}
        and 0 <= (anchor - expression.due_end).days <= _RECENT_DAYS
        and _UNREPORTED_ESTIMATE.search(text[expression.end :]) is not None
    )
    if (expression.past_marker or expression.relation == "ago") and not unreported:
        return Step("past_marker", "drop", "marked as past (지난, last, ago)")
    if any(a <= expression.start and expression.end <= b for a, b in fiscal_spans):
        return Step("fiscal_calendar", "drop", "describes the fiscal calendar")
    if _BASELINE_AFTER.match(text[expression.end :]) or _BASELINE_BEFORE.search(
        text[: expression.start]
    ):
        return Step("baseline", "drop", "a baseline ('than …', '대비')")
    if (
        text[: expression.start].rstrip().endswith("(")
        and _PREVIOUS_READING.match(text[expression.end :])
        and any(
            other.end <= expression.start and other.granularity == expression.granularity
            for other in expressions
        )
    ):
        return Step("previous_reading", "drop", "the previous reading in brackets ('(3분기 3.2%)')")
    as_of = _AS_OF_AFTER.match(text[expression.end :])
    if (
        as_of and ("현재" in as_of.group(0) or expression.granularity == "day")
    ) or _AS_OF_BEFORE.search(text[: expression.start]):
        return Step("as_of", "drop", "the date the figures are as of ('현재', '기준', 'as of')")
    if sentence.lang == "en" and _REPORTING_TIME_BEFORE.search(text[: expression.start]):
        return Step("time_of_saying", "drop", "when something was said")
    if _REPORT_SOURCE_AFTER.match(text[expression.end :]) and not expression.explicit_year:
        return Step("occasion_of_saying", "drop", "the occasion a statement was made")
    if (
        anchor is not None
        and expression.explicit_year
        and expression.granularity == "day"
        and expression.due_end <= anchor
        and _DATELINE_LABEL.fullmatch(text[: expression.start])
        # "2025년 11월 19일 장 마감 후 …" written out in words is the sentence's own day.
        and not re.search(r"[가-힣]", expression.text)
        # "2025년 11월 19일, CNBC에 따르면 …" dates what the sentence tells, not the page.
        and not text[expression.end :].lstrip().startswith((",", "，"))
    ):
        return Step(
            "dateline", "drop", "the page's own date opening the text ('date 2021-07-23 …')"
        )
    if _BARE_DAY.match(expression.text) and _MARKET_DAYS_AFTER.match(text[expression.end :]):
        return Step("day_count", "drop", "a count of trading days ('20일 이평선')")
    if (
        _BARE_DAY.match(expression.text) or expression.text.replace(" ", "") in {"오늘", "금일"}
    ) and _said_on_a_day(sentence):
        return Step("dateline_day", "drop", "the news dateline ('18일 … 밝혔다')")
    if expression.text.lower() in {"today", "오늘"} and re.search(
        r"\bthan\b|보다", text[: expression.start]
    ):
        return Step("baseline", "drop", "a baseline ('than … today')")
    if _REPLACED_BY_LATER.match(text[expression.end :]) and any(
        other.start > expression.end for other in expressions
    ):
        return Step("replaced_date", "drop", "a date replaced by a later one (→, 연기)")
    return None


@dataclass
class _Reading:
    """What earlier sentences of the post tell later ones."""

    last_day: TimeExpression | None = None  # the latest day named, for "이날", "that day"
    last_day_sentence: int = -10  # the sentence that named it
    topic_day: bool = False  # whether a sentence without a date may take that day as its topic
    lead_in: TimeExpression | None = None  # "Capex estimates for 2026:" dates the list below it
    # The label the current list hangs from ("투자 전략 요약", "Key risks"): it says whether the
    # items below are claims about the section's year or points of an argument.
    parent_label: str = ""
    # The day an earnings preview says the results come out: estimates of the quarter being
    # reported are judged on that day, not at the quarter's end.
    report_day: date | None = None
    schedule_said: bool = False  # the sentence before looked ahead ("slated to report")
    in_heading: bool = False  # the sentence being read is a heading (no frame applies to it)
    # "Schedule for Week of December 8": a calendar post's week, which dates the estimates and
    # events listed under it ("The consensus is for a 0.2% increase in CPI").
    week_frame: TimeExpression | None = None
    week_frame_sentence: int = -1  # the heading that set it
    # "6월6일" on a line of its own in a calendar: the day of the rows below it, up to the
    # next such line ("미국: 재닛 옐런 의장 연설", "5월 CPI 전년비 2.3%(2.3%)").
    section_day: TimeExpression | None = None


# What a calendar row lists: an event or a figure.
_CALENDAR_EVENT = re.compile(
    r"연설|발표|회의|시작|개최|대화|청문회|입찰|실적|만기|지표|지수|"
    r"\b(?:speech|speaks?|meeting|release|auction|decision|hearing|testimony|earnings|results|index)\b",
    re.I,
)


# The words of an item a week's calendar dates: an estimate or an event ahead.
_WEEK_ITEM = re.compile(
    r"\b(?:consensus\s+is\s+for|consensus\s+(?:estimate|forecast)|(?:is|are)\s+expected|"
    r"expected\s+to|forecast\s+to)\b|컨센서스|예상치|전망치|발표\s*예정|예정(?:이다|입니다|됩니다|돼\s*있)",
    re.I,
)


# A calendar's lead: "forecasts for next week's U.S. data", "다음 주 주요 일정".
_CALENDAR_LEAD = re.compile(
    r"\b(?:forecasts?|consensus|calendar|schedule|data|releases?|economic\s+reports?|earnings)\b|"
    r"일정|캘린더|지표|발표|예정|주요\s*이벤트",
    re.I,
)


def _is_calendar_row(text: str) -> bool:
    """A calendar's row, not a sentence of prose: it does not end as a sentence does."""
    return not re.search(r"[.!?。]\s*$|[다요]\s*$", text)


def _into_week(expression: TimeExpression, week: TimeExpression) -> TimeExpression:
    """A bare weekday under a calendar's week is that week's day ("Friday 0830 Retail Sales" in
    a Friday post about next week is next Friday)."""
    weekday = expression.due_start.weekday()
    if (
        expression.granularity != "day"
        or expression.due_start != expression.due_end
        or week.due_start <= expression.due_start <= week.due_end
        or not re.fullmatch(
            r"(?i)(?:mon|tues|wednes|thurs|fri|satur|sun)day|[월화수목금토일]요일",
            expression.text.strip(),
        )
    ):
        return expression
    moment = week.due_start + timedelta(days=weekday - week.due_start.weekday())
    return replace(expression, due_start=moment, due_end=moment, rule=f"{expression.rule}@week")


def _week_frame(sentences: Sequence[Sentence], anchor: date) -> tuple[TimeExpression, int] | None:
    """The week a calendar post is about, from a heading or lead near its top ("Schedule for
    Week of December 8, 2019", "The following are forecasts for next week's U.S. data"), when
    that week lies ahead."""
    for sentence in sentences[:8]:
        if sentence.kind != "heading" and len(sentence.text) > 160:
            continue
        for expression in find_time_expressions(sentence.text, anchor, prefer="future"):
            # Only a week wholly ahead frames a calendar: a Friday's "this week" may be either.
            if expression.due_start < anchor or expression.past_marker:
                continue
            if "week_of" in expression.rule or "month_week" in expression.rule:
                return expression, sentence.index
            week_long = 4 <= (expression.due_end - expression.due_start).days <= 6
            if week_long and expression.relative and _CALENDAR_LEAD.search(sentence.text):
                return expression, sentence.index
    return None


# "실적을 공개한다", "reports results on Wednesday", "실적 발표 예정": the day results come out.
_REPORT_EVENT = re.compile(
    r"실적\s*(?:을|를)?\s*(?:발표|공개|내놓)|성적표|실적\s*발표|어닝\s*(?:발표|시즌)|"
    r"\b(?:reports?|report(?:ing)?\s+(?:its|their)?\s*(?:results|earnings)|earnings\s+(?:report|release|call|date)|"
    r"(?:results|earnings)\s+(?:are\s+)?(?:due|expected|scheduled))\b",
    re.I,
)
_REPORT_HORIZON_DAYS = 60
# How long after a period its results are usually out (quarterly reports within about a month,
# annual ones within about six weeks).
_REPORT_LAG_DAYS = {"quarter": 30, "half": 45, "year": 45}
# The words of an estimate of the previewed results.
_PREVIEW_ESTIMATE = re.compile(
    r"컨센서스|예상치|전망치|추정치|가이던스|시장\s*(?:기대|예상)|월가|"
    r"\b(?:consensus|estimates?|guidance|analysts?\s+(?:expect|forecast|see|project)|"
    r"expected\s+to\s+(?:report|post|deliver))\b",
    re.I,
)
_FIGURE_ANY = re.compile(r"\d")  # a preview is written within weeks of the report it previews


def _report_day(sentences: Sequence[Sentence], anchor: date, title: str = "") -> date | None:
    """The one upcoming day a post says results are reported on, when it names exactly one
    (days close together, as in "28일(현지시간) … 한국시간 29일", count as one); a weekly calendar
    that names many report days has none."""
    days: set[date] = set()
    # The headline counts too: "Deere is set to report Q2 results tomorrow morning".
    for text in [title, *(sentence.text for sentence in sentences)]:
        if not _REPORT_EVENT.search(text):
            continue
        for expression in find_time_expressions(text, anchor, prefer="future"):
            if (
                expression.granularity == "day"
                and expression.due_end == expression.due_start
                and 0 <= (expression.due_end - anchor).days <= _REPORT_HORIZON_DAYS
            ):
                days.add(expression.due_end)
    # A dateline ("26일 금융투자업계에 따르면") names the post's own day, not the report's.
    ahead = {day for day in days if day > anchor} or days
    if not ahead or (max(ahead) - min(ahead)).days > 3:
        return None
    return max(ahead)


def _reported_at(
    expression: TimeExpression, status: str, reading, report_day: date | None
) -> date | None:
    """The report day an estimate of the period being reported is judged on: a quarter or half
    just ended, or "this quarter" said in a preview of the quarter's results."""
    if report_day is None or not (reading.estimate_vocabulary or reading.forecast_vocabulary):
        return None
    if expression.granularity not in {"quarter", "half", "year"}:
        return None
    if status == "recent" and expression.due_end < report_day:
        return report_day
    if (
        status == "current"
        and expression.relative
        and expression.granularity == "quarter"
        and expression.due_start <= report_day
    ):
        return report_day
    return None


def _implied_expressions(
    text: str, expressions: list[TimeExpression], anchor: date, context: _Reading
) -> list[TimeExpression]:
    """Time a sentence states without a date of its own: "이날"/"that day" names the day the
    post last named; a price target with no horizon is a twelve-month call by convention."""
    implied = []
    if context.last_day is not None:
        for match in _DAY_ANAPHOR.finditer(text):
            if not any(e.start <= match.start() < e.end for e in expressions):
                implied.append(_borrowed(context.last_day, "anaphora_day", match))
                break
    if (
        not expressions
        and context.report_day is not None
        and _FIGURE_ANY.search(text)
        and not context.in_heading
    ):
        # "컨센서스는 매출 286억달러", "guidance calls for EPS of $0.62" in an earnings preview:
        # an estimate of the results being previewed, judged on the day they come out.
        estimate = _PREVIEW_ESTIMATE.search(text)
        if estimate is not None:
            implied.append(
                _renamed(
                    TimeExpression(
                        start=estimate.start(),
                        end=estimate.end(),
                        text=estimate.group(0),
                        due_start=context.report_day,
                        due_end=context.report_day,
                        granularity="day",
                        relation="at",
                        explicit_year=False,
                        relative=False,
                    ),
                    "report_frame",
                )
            )
    # A calendar row's bare month ("Retail Sales Dec +0.2%") names the data's period.
    own_future = any(
        e.due_end >= anchor and not e.past_marker and (e.explicit_year or e.granularity != "month")
        for e in expressions
    )
    if not own_future and not implied and context.section_day is not None:
        item = _CALENDAR_EVENT.search(text) or _FIGURE.search(text)
        if item is not None:
            implied.append(_borrowed(context.section_day, "day_section", item))
    if (
        not own_future
        and not implied
        and context.week_frame is not None
        and (not context.in_heading or _FIGURE.search(text))
    ):
        # "The consensus is for 212,000 initial claims, up from 203,000 last week": a past
        # baseline does not date the estimate; the week does (or the day of it named last,
        # which also dates a table row's figure: "0830 Consumer Price Index Y/Y Dec +7.1%").
        frame, day = context.week_frame, context.last_day
        in_week = day is not None and frame.due_start <= day.due_start <= frame.due_end
        # A figure alone dates a calendar's row, never a sentence of prose.
        item = _WEEK_ITEM.search(text) or (
            _FIGURE.search(text) if in_week and _is_calendar_row(text) else None
        )
        if (
            item is not None
            and item.group(0).startswith("예정")
            and not _CALENDAR_EVENT.search(text)
        ):
            item = None  # "…할 예정이다" of no event ("변수로 작용할 예정") names no calendar item
        if item is not None:
            source = day if in_week and day is not None else frame
            implied.append(_borrowed(source, "week_frame", item))
    names_reports = all(_RESULTS_PERIOD_AFTER.match(text[e.end :]) for e in expressions)
    if names_reports and not implied and context.topic_day and context.last_day is not None:
        # A schedule post: "28일은 FOMC가 시작한다. 한국은행이 GDP 속보치를 발표한다." — the
        # day named just before is the topic of the lines that follow it.
        implied.append(_borrowed(context.last_day, "topic_day"))
    if not any(e.due_end > anchor for e in expressions):
        # "3분기 실적 발표 후 목표주가를 170만원으로 올렸다": the dates name the results, the
        # target itself looks a year ahead.
        target = _PRICE_TARGET.search(text)
        if target is not None:
            end = _one_year_on(anchor)
            implied.append(
                _renamed(
                    TimeExpression(
                        start=target.start(),
                        end=target.end(),
                        text=target.group(0),
                        due_start=anchor,
                        due_end=end,
                        granularity="horizon",
                        relation="within",
                        explicit_year=False,
                        relative=True,
                    ),
                    "price_target_12m",
                )
            )
    return sorted(expressions + implied, key=lambda e: e.start)


_IMPLIED_RULES = {
    "anaphora_day", "topic_day", "price_target_12m", "list_lead_in", "report_frame", "week_frame",
    "day_section",
}  # fmt: skip


def _borrowed(
    source: TimeExpression, rule: str, words: re.Match[str] | None = None
) -> TimeExpression:
    """`source`'s window lent to a sentence without a date of its own, credited to `rule`, at
    the `words` that call for it (or at no words: the sentence as a whole)."""
    start, end, text = (
        (words.start(), words.end(), words.group(0)) if words else (0, 0, source.text)
    )
    return _renamed(
        replace(source, start=start, end=end, text=text, relative=False, past_marker=False), rule
    )


def _renamed(expression: TimeExpression, rule: str) -> TimeExpression:
    """The expression credited to `rule` (when time expressions carry their rule's name)."""
    if "rule" in getattr(expression, "__dataclass_fields__", {}):
        return replace(expression, rule=rule)
    return expression


def _one_year_on(moment: date) -> date:
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 1, day=28)


def _sentence_forecasts(
    sentence: Sentence,
    anchor: date,
    horizon: int | None,
    quotes: Sequence[Quote],
    fiscal_month: int | None = None,
    line_text: str = "",
    line_first: bool = True,
    heads_paragraph: bool = False,
    fiscal_stated: bool = False,
    trace: PostTrace | None = None,
    model: ForecastModel | None = None,
    position: float = 0.0,
    context: _Reading | None = None,
) -> list[Forecast]:
    text = sentence.text
    context = context if context is not None else _Reading()
    listing = context.lead_in if sentence.kind in {"bullet", "table"} else None
    # Under a calendar's week ("next week's data"), a bare weekday is a day of that week.
    schedule_before = context.schedule_said or (
        context.week_frame is not None and sentence.index > context.week_frame_sentence
    )
    context.schedule_said = sentence.lang == "en" and bool(_EN_WEEKDAY_AHEAD.search(text))
    parent_label = context.parent_label
    if sentence.kind == "heading" or _is_label_line(sentence) or _ARGUMENT_LABEL.search(text):
        context.parent_label = text
    elif sentence.kind == "prose":
        context.parent_label = ""
    if sentence.kind not in {"bullet", "table"}:
        context.lead_in = None  # a line of prose or a heading ends the list
    if (
        listing is None
        and horizon is None
        and not _MAYBE_TIME.search(text)
        and not _FUTURE_CUE.search(text)
        and not _PRICE_TARGET.search(text)
        and not (context.report_day is not None and _PREVIEW_ESTIMATE.search(text))
        and not (
            context.week_frame is not None
            and sentence.index > context.week_frame_sentence
            and (_WEEK_ITEM.search(text) or _FIGURE.search(text))
        )
        and not (context.last_day is not None and _DAY_ANAPHOR.search(text))
        and not (
            context.section_day is not None
            and (_FIGURE.search(text) or _CALENDAR_EVENT.search(text))
        )
        and not (
            context.last_day is not None
            and sentence.index - context.last_day_sentence <= 3
            and _SCHEDULE_PREDICATE.search(text)
        )
    ):
        return []  # no date and no future wording: nothing to look at
    expressions = find_time_expressions(text, anchor, prefer="future", context_year=horizon)
    days = [e for e in expressions if e.granularity == "day" and not e.relative]
    orientation = sentence_orientation(text, sentence.tokens, sentence.lang)
    # "이날 … 공개했다" in a news story is the day of the story; only a sentence that looks
    # ahead ("이날 … 결정한다") takes the day the post last named.
    looking_ahead = _Reading(
        context.last_day if orientation != "past" else None,
        topic_day=(
            orientation != "past"
            and sentence.index - context.last_day_sentence <= 3
            and context.last_day is not None
            and context.last_day.due_end >= anchor
            and bool(_SCHEDULE_PREDICATE.search(text))
        ),
        report_day=context.report_day,
        in_heading=sentence.kind == "heading",
        week_frame=(
            context.week_frame
            if orientation != "past" and sentence.index > context.week_frame_sentence
            else None
        ),
        section_day=context.section_day if orientation != "past" else None,
    )
    if sentence.kind in {"heading", "prose"} and expressions and _is_time_label(text, expressions):
        # A line naming only a day opens that day's rows; one naming a longer period ends them.
        single = [e for e in expressions if e.granularity == "day" and e.due_start == e.due_end]
        # A dateline ("Saturday, December 07, 2019") is the post's own day, not a row's; a
        # calendar's days lie in the weeks just after it.
        context.section_day = (
            single[-1]
            if len(single) == len(expressions) == 1
            and orientation != "past"
            and not single[0].past_marker
            and 0 < (single[0].due_end - anchor).days <= 31
            else None
        )
    expressions = _implied_expressions(text, expressions, anchor, looking_ahead)
    if context.week_frame is not None:
        # A calendar row's weekday ("Wednesday 0830 CPI …") is the day of the rows below it;
        # another date in the row ("Jobless Claims Jan 8") names the data's period.
        frame = context.week_frame
        days = [
            e
            for e in (_into_week(e, frame) for e in expressions)
            if e.granularity == "day"
            and e.due_start == e.due_end
            and frame.due_start <= e.due_start <= frame.due_end
            and e.rule not in _IMPLIED_RULES
        ] or days
    if days and page_role(sentence) != "caption":  # a photo's day is no topic of the text
        context.last_day, context.last_day_sentence = days[-1], sentence.index
    if listing is not None and not expressions:
        # "- Amazon's $200 billion" under "Capex estimates for 2026:": the lead-in's date.
        expressions = [_renamed(replace(listing, start=0, end=0), "list_lead_in")]
    if _LEAD_IN.search(text):
        ahead = [e for e in expressions if e.due_end > anchor and not e.past_marker]
        context.lead_in = ahead[-1] if ahead else None
    if not expressions and horizon is None and not _FUTURE_CUE.search(text):
        return []
    in_quote = any(
        sentence.start <= quote.start < sentence.end or quote.start <= sentence.start < quote.end
        for quote in quotes
    )
    record = (
        trace.sentence(
            sentence.index, text, "quote" if in_quote else page_role(sentence), sentence.lang
        )
        if trace is not None
        else None
    )
    prefer = "future" if horizon is not None and orientation != "past" else orientation
    if _AS_EXPECTED.search(text):
        orientation = prefer = "past"
    if prefer != "future" and any(not e.explicit_year or e.relative for e in expressions):
        # Dates written without a year resolve by the sentence's tense.
        expressions = _implied_expressions(
            text,
            find_time_expressions(text, anchor, prefer=prefer, context_year=horizon),
            anchor,
            looking_ahead,
        )
    sentence_steps = _sentence_steps(sentence, expressions)
    if record is not None:
        record.steps.extend(sentence_steps)
        record.steps.append(Step("orientation", "note", f"sentence reads as {orientation}"))
    # Features feed the model and the trace; without either only the figure test is needed.
    if model is not None or record is not None:
        base = _base_features(sentence, in_quote, horizon, orientation, position, sentence_steps)
    else:
        base = {"number": 1.0} if _FIGURE.search(text) else {}
    fiscal_spans = [match.span() for match in _FISCAL_YEAR_END.finditer(text)]
    content: frozenset[str] = frozenset()  # filled in below, only for sentences that forecast
    hedge = hedge_of(text, sentence.lang)
    speaker: str | None = None
    speaker_known = False
    results: list[Forecast] = []
    candidate_traces: dict[int, CandidateTrace] = {}
    any_time = False
    for expression in expressions:
        step = _candidate_step(sentence, expression, expressions, fiscal_spans, anchor)
        if step is None or step.name != "fiscal_calendar":
            any_time = True
        if step is None:
            expression = _orient_to_clause(
                expression, sentence, anchor, prefer, horizon, schedule_before
            )
            if (
                sentence.lang == "ko"
                and anchor.weekday() >= 5
                and expression.text.replace(" ", "") == "다음주"
                and any(e.text.replace(" ", "") == "이번주" for e in expressions)
            ):
                # Written on a weekend, "이번 주" is the week ahead; beside it "다음 주" is the
                # one after ("다음주 FOMC가 예정된 가운데 이번 주에는 …").
                expression = replace(
                    expression,
                    due_start=expression.due_start + timedelta(days=7),
                    due_end=expression.due_end + timedelta(days=7),
                    rule=f"{expression.rule}@after_this_week",
                )
            if context.week_frame is not None and sentence.index > context.week_frame_sentence:
                week = context.week_frame
                expression = _into_week(expression, week)
                inside = [
                    e
                    for e in expressions
                    if week.due_start <= _into_week(e, week).due_start <= week.due_end
                ]
                if (
                    _is_calendar_row(text)
                    and inside
                    and not week.due_start <= expression.due_start <= week.due_end
                ):
                    # "Thursday 0830 Jobless Claims Jan 8 205K": the row's day is the
                    # calendar's; its other date names the data's period.
                    step = Step("data_period", "drop", "the period of a calendar row's data")
            if fiscal_month is not None and (
                (expression.fiscal and expression.granularity in {"year", "quarter", "half"})
                or (expression.relative and expression.granularity == "quarter")
                or (
                    # A post that states its fiscal calendar ("our fiscal year ends on June 30")
                    # counts bare quarters in it.
                    fiscal_stated
                    and fiscal_month != 12
                    and not expression.explicit_year
                    and expression.granularity in {"quarter", "half"}
                    and not _CALENDAR_QUARTER.search(expression.text)
                )
            ):
                window_start, window_end = _fiscal_window(expression, fiscal_month, anchor)
                expression = replace(expression, due_start=window_start, due_end=window_end)
            if (
                orientation == "past"
                and expression.relation == "after"
                and expression.granularity == "horizon"
                and any(
                    other.past_marker or other.due_end < anchor
                    for other in expressions
                    if other is not expression
                )
            ):
                # "6개월 후인 지난 1월22일 이 목표가는 … 맞았다": the span runs from a moment
                # the post tells in the past, not from its own day.
                step = Step("counted_from_past", "drop", "a span counted from a past moment")
            elif _AS_EXPECTED.search(text):
                step = Step("as_expected", "drop", "the outcome is known ('예상대로')")
            elif _is_condition_or_question(sentence, expression):
                step = Step("condition", "drop", "a condition, key question or time of saying")
        status, due_start, due_end = _status(expression, anchor)
        if sentence.lang == "ko":
            reading = read_korean_clause(
                sentence.tokens, sentence.start + expression.end, sentence.start + expression.start
            )
            eventful = _eventful(sentence.tokens, sentence.start + expression.end)
        else:
            reading = read_english_clause(text, expression.start, expression.end)
            eventful = reading.event_vocabulary
        if (
            _REVISION.search(text)
            and status in {"future", "current"}
            and not _GRADED_CALL.search(text)
        ):
            # "목표주가를 … 상향했다", "raised its 2027 outlook": a revision reports a forecast.
            reading = replace(reading, reporting=True)
        if (
            getattr(expression, "rule", "") == "report_frame"
            or _ESTIMATE_SUFFIX.match(text[expression.end :])
            or (sentence.kind == "table" and re.search(r"\(\s*[EeF]\s*\)|\d[EeF]\b", text))
        ):
            reading = replace(reading, forecast_vocabulary=True, estimate_vocabulary=True)
        if (
            status == "recent"
            and context.report_day is not None
            and expression.due_end < context.report_day
            and reading.tense == "future"
        ):
            # "2분기 매출이 … 증가할 것으로 보고 있다" before the report: an estimate.
            reading = replace(reading, estimate_vocabulary=True)
        accepted, why = _accept(status, reading, expression, sentence.lang, eventful, text)
        if (
            not accepted
            and status in {"current", "future"}
            and _TIMELINE_LINE.match(text[: expression.start])
            and _TIMELINE_ITEM.match(text[expression.end :])
        ):
            # "📅 2026년 상반기: 아리바이오 'AR1001' 3상 결과", "*6월: 정례회의 (12일)": a line of
            # a timeline names what is due in its period.
            accepted, why = True, "a timeline line: a period, then what is due in it"
        reported_at = _reported_at(expression, status, reading, context.report_day)
        if accepted and reported_at is not None:
            due_start = due_end = reported_at
            why += f"; judged on the report day {reported_at.isoformat()}"
        elif accepted and status == "recent":
            # No report day named: results of a period come out weeks after it ends.
            due_end = due_end + timedelta(days=_REPORT_LAG_DAYS.get(expression.granularity, 0))
            due_start = min(due_start, due_end)
        steps = [step] if step is not None else []
        steps.append(Step("tense_and_window", "keep" if accepted else "drop", why))
        rules_keep = not sentence_steps and step is None and accepted
        features = (
            _candidate_features(
                base, expression, status, reading, hedge, eventful, anchor, due_end, steps
            )
            if model is not None or record is not None
            else {}
        )
        candidate = CandidateTrace(
            text=expression.text,
            rule=getattr(expression, "rule", "") or "",
            due_start=due_start,
            due_end=due_end,
            granularity=expression.granularity,
            relation=expression.relation,
            status=status,
            steps=steps,
            features=features,
            rules_keep=rules_keep,
        )
        taken = _decide(candidate, model, status)
        if record is not None:
            record.candidates.append(candidate)
        if not taken:
            continue
        if not speaker_known:
            speaker, speaker_known = _speaker(sentence, quotes), True
        results.append(
            Forecast(
                text=text,
                claim=_claim(text, expression.start, expression.end),
                speaker=speaker,
                timex=expression.text,
                due_start=due_start,
                due_end=due_end,
                granularity=expression.granularity,
                kind=_kind(text, sentence.lang, expression, sentence.tokens),
                hedge=hedge,
                confidence=_confidence(expression, reading, hedge, status),
                start=sentence.start,
                end=sentence.end,
                sentence_index=sentence.index,
                lang=sentence.lang,
                content=content,
                timex_start=expression.start,
                timex_end=expression.end,
            )
        )
        candidate_traces[len(results) - 1] = candidate
    if results:
        content = _content_words(sentence, expressions)
        results = [replace(forecast, content=content) for forecast in results]
    kept = _keep_finest(
        _drop_target_periods(_merge_parenthetical(_merge_overlapping(results, text), text), text),
        text,
    )
    if record is not None:
        for number, candidate in candidate_traces.items():
            forecast = results[number]
            if not any(
                k.timex_start == forecast.timex_start and k.timex_end == forecast.timex_end
                for k in kept
            ):
                candidate.after = "merged into another date of the same sentence"
    if len(kept) == 1:
        kept = _split_claims(kept[0], sentence)
        if record is not None and len(kept) > 1:
            record.steps.append(
                Step("claims", "note", f"{len(kept)} claims for one date, one item each")
            )
    if kept:
        return kept
    if sentence_steps or orientation == "past":
        return []
    tense = "future" if orientation == "future" else "present"
    if horizon is not None and not any_time:
        candidate = _horizon_candidate(
            sentence, base, horizon, tense, line_text, line_first, heads_paragraph, parent_label
        )
        taken = _decide(candidate, model, "horizon")
        if record is not None:
            record.candidates.append(candidate)
        if taken:
            return [
                Forecast(
                    text=text,
                    claim=_claim(text, None, None),
                    speaker=_speaker(sentence, quotes),
                    timex=str(horizon),
                    due_start=date(horizon, 1, 1),
                    due_end=date(horizon, 12, 31),
                    granularity="year",
                    kind=_kind(text, sentence.lang, None, sentence.tokens),
                    hedge=hedge,
                    confidence=_confidence(None, None, hedge, "horizon"),
                    start=sentence.start,
                    end=sentence.end,
                    sentence_index=sentence.index,
                    lang=sentence.lang,
                    content=_content_words(sentence, expressions),
                )
            ]
        if candidate.steps[-1].name == "short_heading":
            return []
    if not any_time and _undated(sentence, tense):
        if record is not None:
            record.steps.append(Step("undated", "keep", "a view without any date (not tracked)"))
        return [
            Forecast(
                text=text,
                claim=_claim(text, None, None),
                speaker=_speaker(sentence, quotes),
                timex=None,
                due_start=None,
                due_end=None,
                granularity=None,
                kind=_kind(text, sentence.lang, None, sentence.tokens),
                hedge=hedge,
                confidence=_confidence(None, None, hedge, "undated"),
                start=sentence.start,
                end=sentence.end,
                sentence_index=sentence.index,
                lang=sentence.lang,
                content=content,
            )
        ]
    return []


def _horizon_candidate(
    sentence: Sentence,
    base: dict[str, float],
    horizon: int,
    tense: str,
    line_text: str,
    line_first: bool,
    heads_paragraph: bool,
    parent_label: str = "",
) -> CandidateTrace:
    """A sentence without a date of its own under a heading that sets the year."""
    text = sentence.text
    steps: list[Step] = []
    if _UNDATED.search(line_text or text):
        steps.append(Step("explicitly_undated", "drop", "says 'someday'"))
    if _FIRST_PERSON_PLANS.search(text):
        steps.append(Step("writer_plans", "drop", "the writer announcing what the post does"))
    # A numbered line followed by its own paragraph is a heading; the paragraph holds the claims.
    if not (
        (sentence.kind == "bullet" and line_first and not heads_paragraph) or tense == "future"
    ):
        steps.append(Step("not_a_claim_line", "drop", "neither a list item nor future tense"))
    if sentence.kind == "heading" and tense != "future" and len(text) < 12:
        steps.append(Step("short_heading", "drop", "a short heading"))
    if _is_label_line(sentence):
        steps.append(Step("label_line", "drop", "a label or topic line, not a claim"))
    label, colon, _ = text.partition(":")
    labelled = bool(colon) and len(label) <= 30 and _ARGUMENT_LABEL.search(label)
    argument = labelled or (
        sentence.kind == "bullet" and tense != "future" and _ARGUMENT_LABEL.search(parent_label)
    )
    if argument and not base.get("number"):
        # "투자 전략 요약" / "Key factors driving …" and the points below it argue for a view;
        # only a figure or future tense turns one of them into a claim about the year.
        steps.append(
            Step("argument_point", "drop", f"a point of '{argument.group(0)}', not a claim")
        )
    if sentence.kind == "heading" and tense != "future" and not base.get("number"):
        steps.append(Step("topic_heading", "drop", "a heading naming a topic"))
    if sentence.kind == "prose" and not base.get("number"):
        # Body prose under a titled year explains and argues; it is a claim about that year
        # only when it puts a figure on it.
        steps.append(Step("prose_without_figure", "drop", "body prose without a figure"))
    if not steps:
        steps.append(Step("section_year", "keep", f"inherits {horizon} from its section"))
    # Inherited years behave unlike written ones: their features get their own weights.
    features = {f"h:{name}": value for name, value in base.items()}
    features["horizon_only"] = 1.0
    features[f"h:tense={tense}"] = 1.0
    for step in steps:
        features[f"h:step:{step.name}"] = 1.0
    if steps[0].verdict == "keep":
        features["h:rules_keep"] = 1.0
    return CandidateTrace(
        text=str(horizon),
        rule="section_year",
        due_start=date(horizon, 1, 1),
        due_end=date(horizon, 12, 31),
        granularity="year",
        relation="at",
        status="horizon",
        steps=steps,
        features=features,
        rules_keep=steps[0].verdict == "keep",
    )


# Labels of a post's argument rather than of its forecasts: strategy, summary, diagnosis, risks,
# drivers, background. "X 전략: …" as a numbered line counts too.
_ARGUMENT_LABEL = re.compile(
    r"전략|요약|진단|요인|리스크|배경|현황|결론|시사점|포인트|체크|"
    r"\b(?:strateg(?:y|ies)|summary|risks?|factors?|drivers?|background|conclusions?|"
    r"takeaways?|reasons?|why)\b",
    re.I,
)

_LABEL_NOUNS = _HEADING_NOUNS | {
    "전략", "요약", "진단", "요인", "리스크", "보기", "원문", "목차", "결론", "배경", "현황", "가능성은",
    "strategy", "summary", "risks", "factors", "background", "conclusion",
}  # fmt: skip


def _is_label_line(sentence: Sentence) -> bool:
    """ "기준금리 전망", "투자 전략 요약", "원문 보기 ⇒", "Key Factors Driving the Forecasts": a
    list line that names a topic instead of claiming something about it."""
    if sentence.kind not in {"bullet", "heading"} or re.search(r"\d", sentence.text):
        return False
    body = _BULLET_PREFIX.sub("", sentence.text)
    words = re.findall(r"[\w\uac00-\ud7a3]+", body)
    if len(words) <= 2:
        return True
    if sentence.lang == "ko" and korean_predicates(sentence.tokens):
        return False
    return len(words) <= 5 and words[-1].lower() in _LABEL_NOUNS


def _decide(candidate: CandidateTrace, model: ForecastModel | None, status: str) -> bool:
    """The final decision: the learned model where one is committed, else the rules' verdict.
    Years inherited from a title or section stay with the rules: too few real list posts were
    labelled to learn them, and the model learnt from prose under a titled year instead."""
    if model is None or status in {"past", "horizon"}:
        candidate.taken = candidate.rules_keep and status != "past"
        return candidate.taken
    candidate.score = round(model.probability(candidate.features), 3)
    candidate.taken = candidate.score >= model.threshold
    return candidate.taken


def _base_features(
    sentence: Sentence,
    in_quote: bool,
    horizon: int | None,
    orientation: str,
    position: float,
    sentence_steps: Sequence[Step],
) -> dict[str, float]:
    """Features every candidate of a sentence shares."""
    text = sentence.text
    role = "quote" if in_quote else sentence.kind
    features = {
        "bias_rules": 0.0,
        f"role={role}": 1.0,
        f"lang={sentence.lang}": 1.0,
        f"role={role}&lang={sentence.lang}": 1.0,
        f"orientation={orientation}": 1.0,
        "section_year": 1.0 if horizon is not None else 0.0,
        "opening": 1.0 if position < 0.1 else 0.0,
        "short": 1.0 if len(text) < 30 else 0.0,
        "long": 1.0 if len(text) > 160 else 0.0,
        "number": 1.0 if _FIGURE.search(text) else 0.0,
        "future_cue": 1.0 if _FUTURE_CUE.search(text) else 0.0,
        "reporting_verb": 1.0
        if _KO_SPEAKER_VERB.search(text) or _EN_FORECAST_VERBS.search(text)
        else 0.0,
        "revision": 1.0 if _REVISION.search(text) else 0.0,
        "schedule": 1.0 if _SCHEDULE.search(text) else 0.0,
        "past_fact": 1.0 if _PAST_FACT.search(text) else 0.0,
        "no_predicate": 1.0
        if sentence.lang == "ko" and _final_predicate(sentence) is None
        else 0.0,
        "colon_label": 1.0 if re.match(r"^[^:：]{1,30}[:：]\s*\S", text) else 0.0,
        "bracketed": 1.0 if re.match(r"^\s*[\[【<]", text) else 0.0,
        "first_person": 1.0
        if re.search(r"\b(?:I|I'm|I'll|we|my|our)\b|나는|저는|제가|내가", text)
        else 0.0,
    }
    for step in sentence_steps:
        features[f"step:{step.name}"] = 1.0
    if sentence_steps:
        features["sentence_dropped"] = 1.0
    return {name: value for name, value in features.items() if value}


def _candidate_features(
    base: dict[str, float],
    expression: TimeExpression,
    status: str,
    reading,
    hedge: str,
    eventful: bool,
    anchor: date,
    due_end: date,
    steps: Sequence[Step],
) -> dict[str, float]:
    """What the time expression, the clause's grammar and the steps say about one candidate."""
    features = dict(base)
    features[f"status={status}"] = 1.0
    features[f"granularity={expression.granularity}"] = 1.0
    features[f"relation={expression.relation}"] = 1.0
    features[f"ahead={days_bucket((due_end - anchor).days)}"] = 1.0
    features[f"tense={reading.tense}"] = 1.0
    features[f"status={status}&tense={reading.tense}"] = 1.0
    features[f"hedge={hedge}"] = 1.0
    for flag in ("explicit_year", "relative", "vague", "fiscal"):
        if getattr(expression, flag):
            features[flag] = 1.0
    for flag in (
        "reporting",
        "progressive",
        "state",
        "copula",
        "forecast_vocabulary",
        "estimate_vocabulary",
        "event_vocabulary",
        "target_vocabulary",
        "relative_clause",
    ):
        if getattr(reading, flag):
            features[f"clause:{flag}"] = 1.0
    if eventful:
        features["eventful"] = 1.0
    for step in steps:
        features[f"step:{step.name}={step.verdict}"] = 1.0
    rule = getattr(expression, "rule", "") or ""
    if rule in _IMPLIED_RULES:
        features[f"implied={rule}"] = 1.0  # a date the sentence does not write itself
    rules_keep = not base.get("sentence_dropped") and all(s.verdict != "drop" for s in steps)
    if rules_keep:
        features["rules_keep"] = 1.0
    return features


def _bracket_is_range_of(text: str, forecast: Forecast) -> bool:
    """ "1분기(2~4월)": the bracket spells out the period's months rather than a date."""
    return bool(re.match(r"\s*\d{1,2}\s*[~-]", text[forecast.timex_start :]))


def _merge_parenthetical(results: list[Forecast], text: str) -> list[Forecast]:
    """ "FY2024(2025년 3월 결산)", "fiscal 2025 (its fiscal year ends in September)": the date in
    brackets explains the one before it; keep one forecast, judged at the explained date."""
    merged: list[Forecast] = []
    for forecast in results:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and forecast.timex_start > previous.timex_end
            and re.fullmatch(r"\s*\([^()]*", text[previous.timex_end : forecast.timex_start])
            and forecast.due_end is not None
        ):
            if forecast.granularity in {"day", "month"} and not _bracket_is_range_of(
                text, forecast
            ):
                merged[-1] = replace(previous, due_end=forecast.due_end)
            continue
        merged.append(forecast)
    return merged


def _drop_target_periods(results: list[Forecast], text: str) -> list[Forecast]:
    """Keep "investor day on March 12" and drop "its 2026 margin target" in the same sentence:
    the year only names the target's period; the claim is judged at the dated event. Likewise
    "10/15 9월 CPI 발표", "3분기 실적 발표는 10월 24일": the period names what is reported."""
    if len(results) < 2:
        return results
    dated = [f for f in results if f.granularity in {"day", "month"} and f.due_end is not None]
    kept = []
    for forecast in results:
        if forecast.timex and forecast.due_end is not None and forecast.timex_end >= 0:
            after = re.sub(r"^\s*\([^)]*\)", "", text[forecast.timex_end :])  # "1분기(2~4월) 실적"
            names_target = forecast.granularity in {"year", "quarter", "half"} and bool(
                _TARGET_PERIOD_AFTER.match(after)
            )
            if names_target and any(
                d.due_end < forecast.due_end for d in dated if d is not forecast
            ):
                continue
            names_report = forecast.granularity in {"year", "quarter", "half", "month"} and bool(
                _RESULTS_PERIOD_AFTER.match(after)
            )
            if forecast.granularity == "month" and _MEETING_AFTER.match(after):
                names_report = False  # "7월 금통위": the meeting is in July
            if names_report and any(d is not forecast for d in dated):
                continue  # "하이닉스 4Q 실적은 이달 말 예정": judged when reported
        kept.append(forecast)
    return kept


def _same_clause(text: str, first: Forecast, second: Forecast) -> bool:
    """No new subject between two expressions ("7월 1일부터, 장외 유통플랫폼 인가는 하반기")."""
    left, right = sorted((first, second), key=lambda f: f.timex_start)
    between = text[left.timex_end : right.timex_start]
    return not re.search(r"[가-힣](?:은|는|이|가)\s|;|\.\s", between)


def _keep_finest(results: list[Forecast], text: str) -> list[Forecast]:
    """ "later this quarter, at the summit on October 14", "9월 FOMC(16~17일)": a date inside
    another expression's window says when that same event happens; keep the date."""
    days = [f for f in results if f.granularity == "day" and f.due_end is not None]
    kept = []
    for forecast in results:
        short_range = (
            forecast.granularity == "range"
            and forecast.due_start is not None
            and forecast.due_end is not None
            and (forecast.due_end - forecast.due_start).days <= 31
        )
        if (forecast.granularity in {"month", "quarter", "half"} or short_range) and any(
            forecast.due_start is not None
            and forecast.due_start <= day.due_end <= forecast.due_end
            and _same_clause(text, forecast, day)
            for day in days
        ):
            continue
        kept.append(forecast)
    return kept


def _quote_index(text: str, position: int) -> int | None:
    """Which quotation (“…”) of the sentence a position falls in, if any."""
    for number, match in enumerate(re.finditer(r"[“\"「][^”\"」]*[”\"」]", text)):
        if match.start() <= position < match.end():
            return number
    return None


def _merge_overlapping(results: list[Forecast], text: str) -> list[Forecast]:
    """One sentence naming the same window twice ("하반기 출하니까 하반기 실적은") makes one
    forecast, unless each mention sits in its own quotation (two quoted claims)."""
    merged: list[Forecast] = []
    for forecast in results:
        same = next(
            (
                kept
                for kept in merged
                if kept.due_end == forecast.due_end
                and kept.granularity == forecast.granularity
                and (
                    _quote_index(text, kept.timex_start) is None
                    or _quote_index(text, kept.timex_start)
                    == _quote_index(text, forecast.timex_start)
                )
            ),
            None,
        )
        if same is None:
            merged.append(forecast)
    return merged
