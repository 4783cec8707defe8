"""Tense, modality and hedging of a clause: Kiwi morphemes for Korean, word rules for English.

The forecast extractor asks two questions about the text after a time expression: is its
governing predicate past, present or future, and does the clause carry forecast vocabulary
(목표, 전망, guidance …)? Korean answers come from morphemes (EP 었/았 = past, ETM ㄹ + 것/터/수/
듯 = future or modal, 겠 = future); English answers from auxiliaries and verb forms.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from digests.analysis.sentences import Token

_STEM_TAGS = {"VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA"}
_PAST_EP = {"었", "았", "였", "었었", "았었", "ᆻ"}
_MODAL_NOUNS_AFTER_FUTURE_ETM = {
    "것",
    "거",
    "수",
    "터",
    "듯",
    "예정",
    "계획",
    "전망",
    "뻔",
    "리",
    "방침",
    "목표",
    "게",
}
_FUTURE_ETM = {"ᆯ", "을", "ㄹ", "를"}
_CONDITIONAL_EC = {
    "면",
    "으면",
    "다면",
    "라면",
    "이라면",
    "거든",
    "더라도",
    "어도",
    "아도",
    "여도",
    "려면",
    "으려면",
    "자면",
    "ᆫ다면",
    "는다면",
}
_ADVERBIAL_EC = {"게", "도록", "듯이", "듯", "이", "히", "든지", "거나", "ᆯ수록", "을수록"}
_CONTINUING_EC = {"어", "아", "여", "고", "지", "게", "어야", "아야", "고자"}

# Verbs whose past tense reports a forecast or a plan rather than a finished event.
REPORTING_STEMS = {
    "말하", "말", "밝히", "설명", "강조", "전망", "예상", "예측", "예고", "내다보", "관측", "주장", "언급",
    "시사", "전하", "보도", "제시", "약속", "다짐", "선언", "계획", "결정", "합의", "발표", "공언", "기대",
    "추정", "관망", "점치", "분석", "평가", "진단", "경고", "단언", "예견", "목표", "확신", "밝",
    "내놓", "내", "공개", "내비치", "예정", "알리", "공시", "잡", "정하", "확정", "세우",
}  # fmt: skip

FORECAST_NOUNS_KO = {
    "목표", "목표가", "목표치", "전망", "전망치", "예상", "예상치", "추정", "추정치", "추정범위", "예정",
    "계획", "가이던스", "컨센서스", "기대", "예측", "예상순익", "로드맵", "방침", "시나리오", "목표주가",
    "유력", "확실시", "불가피", "관측",
}  # fmt: skip
ESTIMATE_NOUNS_KO = {
    "추정",
    "추정치",
    "추정범위",
    "예상치",
    "전망치",
    "컨센서스",
    "가이던스",
    "예상",
    "전망",
    "예상순익",
}
TARGET_NOUNS_KO = {"목표", "목표가", "목표치", "목표주가"}
EVENT_NOUNS_KO = {
    "발표", "출시", "공개", "개최", "완료", "시행", "상장", "착공", "준공", "가동", "생산", "출범", "도입",
    "리밸런싱", "실적발표", "선거", "회의", "회담", "투표", "승인", "인도", "양산", "개통", "오픈", "발효",
    "인상", "인하", "결정", "마감", "만기", "배당", "청약", "예정",
}  # fmt: skip
HEDGE_POSSIBLE_KO = re.compile(
    r"(수\s*(?:도\s*)?있|않을까|을까|ㄹ까|듯|가능성|아마|지도\s*모르|기대|희망|바란|수도)"
)
HEDGE_LIKELY_KO = re.compile(
    r"(전망|예상|보인다|보임|것으로\s*보|관측|유력|가능성이\s*높|확률이\s*높|추정)"
)

_EN_FUTURE = re.compile(
    r"\b(will|won't|'ll|shall|going\s+to|expects?|expected|expecting|forecasts?|forecasted|projects?|projected|"
    r"predicts?|predicted|plans?\s+to|planned|planning\s+to|aims?\s+to|aiming|targets?|targeted|targeting|"
    r"guidance|guides?|guided|outlook|set\s+to|slated|scheduled|on\s+track|poised|likely|unlikely|should|"
    r"could|(?-i:may)|might|would|anticipates?|anticipated|estimates?|estimated|intends?\s+to|hopes?\s+to|"
    r"seeks?\s+to|due\s+to\s+(?:be|launch|start|open|arrive|ship)|upcoming|consensus|base\s+case|"
    r"(?:my|our)\s+(?:view|call|bet|prediction|forecast|guess)|i\s+(?:still\s+|really\s+|also\s+|do\s+)?(?:think|bet|believe|expect)|"
    r"(?:i|we)\s+(?:do\s+not\s+|don['’]t\s+|still\s+)?(?:think|believe|expect|see))\b",
    re.IGNORECASE,
)
_EN_STRONG_FUTURE = re.compile(
    r"\b(will|won't|'ll|shall|going\s+to|expects?\s+to|is\s+expected|are\s+expected|forecasts?|projects?|projected|"
    r"predicts?|plans?\s+to|aims?\s+to|targets?|guidance|set\s+to|slated|scheduled|on\s+track|poised|likely|"
    r"should|could|(?-i:may)|might|anticipates?|estimates?|intends?\s+to|expected\s+to|(?:is|are)\s+due|"
    r"expects?\s+(?:\w+\s+){1,3}to|(?:i|we)\s+(?:still\s+|really\s+|also\s+|do\s+)?(?:expect|think|believe|bet|predict|forecast|see)|"
    r"due\s+(?:in|on|by|to))\b",
    re.IGNORECASE,
)
_EN_PAST_WORDS = (
    r"was|were|had|did|didn['’]t|wasn['’]t|weren['’]t|hadn['’]t|rose|fell|grew|jumped|climbed|declined|dropped|soared|plunged|surged|slid|sank|"
    r"reported|posted|announced|launched|released|reached|closed|ended|missed|generated|delivered|"
    r"recorded|achieved|completed|raised|came|went|made|saw|became|began|took|gave|showed|said|told|"
    r"unveiled|introduced|opened|started|acquired|bought|sold|signed|agreed|approved|founded|established|"
    r"increased|decreased|doubled|tripled|topped|exceeded|surpassed|returned|earned|lost|booked|shipped|ago"
)
_EN_PAST = re.compile(rf"\b({_EN_PAST_WORDS})\b", re.IGNORECASE)
_EN_REPORTING = re.compile(
    r"\b(said|says|told|announced|stated|noted|added|expects?|expected|predicted|forecast|projected|guided|"
    r"estimated|believes?|believed|thinks?|argued|wrote|warned|reiterated|affirmed|promised|pledged|"
    r"confirmed|indicated|signaled|signalled|hinted)\b",
    re.IGNORECASE,
)
_EN_HEDGE_POSSIBLE = re.compile(
    r"\b(could|(?-i:may)|might|possibly|perhaps|maybe|potentially|hope|hopes|if)\b", re.I
)
_EN_HEDGE_LIKELY = re.compile(
    r"\b(expects?|expected|likely|probably|should|projected|forecasts?|anticipates?|estimates?|estimated|consensus)\b",
    re.I,
)
_EN_TARGET = re.compile(r"\b(targets?|targeted|targeting|goals?|aims?|aiming|ambition)\b", re.I)
_EN_ESTIMATE = re.compile(
    r"\b(estimates?|estimated|consensus|guidance|guides?|guided|forecasts?|projected|projections?|EPS|revenue|sales|"
    r"earnings|margin|capex|growth)\b",
    re.I,
)
_EN_EVENT = re.compile(
    r"\b(launch|launches|release|releases|ship|ships|open|opens|start|starts|begin|begins|complete|completes|"
    r"IPO|list|listing|vote|meeting|approval|announce|unveil|debut|rollout|roll\s+out|deliver|deadline|"
    r"scheduled|slated|event|conference|earnings\s+call|report)\b",
    re.I,
)


_BASE_TAGS: dict[str, str] = {}


def base_tag(tag: str) -> str:
    """Kiwi tags carry variants (VV-R, VA-I); compare on the base tag."""
    base = _BASE_TAGS.get(tag)
    if base is None:
        base = _BASE_TAGS[tag] = tag.split("-", 1)[0]
    return base


@dataclass(frozen=True)
class Predicate:
    """A Korean predicate: stem, tense, and how it ends (EF final, EC connective, ETM adnominal …)."""

    first_token: int
    last_token: int
    stem: str
    past: bool
    future: bool
    progressive: bool
    ending: str  # EF|EC|ETM|ETN|MODAL|NONE
    copula_or_adjective: bool

    conditional: bool = False  # does not close a clause (a condition or an adverbial ending)
    condition: bool = False  # a true condition: "통과하면", "오른다면"

    @property
    def governs(self) -> bool:
        """True for predicates that end a main clause: not adnominal modifiers of a following
        noun, not conditions ("…치면", "…라면") whose own tense says nothing of the claim."""
        return self.ending != "ETM" and not self.conditional


def korean_predicates(tokens: Sequence[Token], start: int = 0) -> list[Predicate]:
    """Predicates in `tokens[start:]`, in order."""
    predicates: list[Predicate] = []
    index = start
    count = len(tokens)
    while index < count:
        tag = tokens[index].tag
        if tag not in _STEM_TAGS:
            index += 1
            continue
        first = index
        stem = tokens[index].form
        if (
            tag in {"XSV", "XSA"}
            and index > 0
            and tokens[index - 1].tag in {"NNG", "XR", "NNP", "SL"}
        ):
            stem = tokens[index - 1].form
        copula_or_adjective = tag in {"VA", "VCP", "VCN", "XSA"}
        past = future = progressive = conditional = condition = False
        ending = "NONE"
        index += 1
        while index < count:
            token = tokens[index]
            tag = token.tag
            if tag == "EP":
                if token.form in _PAST_EP:
                    past = True
                elif token.form == "겠":
                    future = True
                index += 1
                continue
            if (
                tag == "EC"
                and token.form in _CONTINUING_EC
                and index + 1 < count
                and tokens[index + 1].tag == "VX"
            ):
                if token.form == "고" and tokens[index + 1].form == "있":
                    progressive = True
                index += 2
                continue
            if tag in {"VX", "XSV", "XSA"}:
                index += 1
                continue
            if tag == "ETM":
                nxt = tokens[index + 1] if index + 1 < count else None
                if nxt and token.form in _FUTURE_ETM and nxt.form in _MODAL_NOUNS_AFTER_FUTURE_ETM:
                    future = True
                    ending = "MODAL"
                    index += 2
                elif nxt and nxt.form in {"중", "중이"}:
                    progressive = True
                    ending = "MODAL"
                    index += 2
                elif nxt and nxt.form in {"것", "거"} and token.form in {"ᆫ", "은", "는"}:
                    # "마무리된 것으로 판단된다", "증가한 것": the embedded verb carries the tense.
                    past = past or (token.form != "는" and not copula_or_adjective)
                    ending = "NOMINAL"
                    index += 2
                else:
                    ending = "ETM"
                    index += 1
                break
            if tag in {"EF", "EC", "ETN"}:
                ending = tag
                # Conditions ("치면") and adverbial endings ("넘게", "오르도록") do not close a clause.
                conditional = tag == "EC" and (
                    token.form in _CONDITIONAL_EC or token.form in _ADVERBIAL_EC
                )
                condition = tag == "EC" and token.form in _CONDITIONAL_EC
                if tag == "EF" and token.form in {
                    "ᆯ까",
                    "을까",
                    "ㄹ까",
                    "ᆯ까요",
                    "을까요",
                    "ᆯ걸",
                    "을걸",
                    "ᆯ게",
                    "을게",
                    "ᆯ래",
                    "을래",
                    "려나",
                }:
                    future = True
                if tag == "EC" and token.form in {
                    "려고",
                    "으려고",
                    "려는",
                    "고자",
                    "기로",
                    "려",
                    "으려",
                }:
                    future = True
                index += 1
                break
            break
        predicates.append(
            Predicate(
                first,
                index - 1,
                stem,
                past,
                future,
                progressive,
                ending,
                copula_or_adjective,
                conditional,
                condition,
            )
        )
    return predicates


def token_index_at(tokens: Sequence[Token], offset: int) -> int:
    """Index of the first token starting at or after `offset` (absolute)."""
    for index, token in enumerate(tokens):
        if token.start >= offset:
            return index
    return len(tokens)


@dataclass(frozen=True)
class ClauseReading:
    """What the clause after a time expression says about time."""

    tense: str  # past|present|future|none
    reporting: bool  # the governing verb reports (말했다, 전망했다, said, expects)
    progressive: bool
    state: bool  # copula or adjective in the present: a description, not an event
    copula: bool  # the clause ends in 이다/아니다 ("2026년 기준입니다")
    forecast_vocabulary: bool
    estimate_vocabulary: bool
    event_vocabulary: bool
    target_vocabulary: bool
    relative_clause: bool = False  # English ", which is the swing factor for 2026"


def _governing_predicate(predicates: Sequence[Predicate]) -> Predicate | None:
    """The predicate whose tense a time expression takes. Korean marks tense on the last verb of
    a chain ("들여와 배분하겠다", "공개하고 배치한다"), so an untensed connective passes the
    question on; a connective with its own past marker ("넘어섰고") closes its clause."""
    candidates = [p for p in predicates if p.governs]
    for predicate in candidates:
        if predicate.ending != "EC" or predicate.past or predicate.future:
            return predicate
    return candidates[-1] if candidates else None


def read_korean_clause(
    tokens: Sequence[Token], after_offset: int, before_offset: int | None = None
) -> ClauseReading:
    """Read the clause that follows `after_offset` (the end of a time expression)."""
    start = token_index_at(tokens, after_offset)
    window_start = token_index_at(tokens, before_offset) if before_offset is not None else start
    predicates = korean_predicates(tokens, start)
    governing = _governing_predicate(predicates)
    modal = next((p for p in predicates if p.future), None)
    end_index = governing.last_token + 1 if governing else len(tokens)
    nouns = {
        token.form
        for token in tokens[max(0, window_start - 4) : end_index]
        if token.tag in {"NNG", "NNP", "NNB", "XR"}
    }
    stems_in_clause = (
        {p.stem for p in predicates[: predicates.index(governing) + 1]} if governing else set()
    )
    if governing is None:
        tense = "future" if modal else "none"
        reporting = False
        # "1분기 중" is "during the first quarter", not "in progress"
        progressive = any(p.progressive for p in predicates) or any(
            token.form == "중" for token in tokens[start + 1 : end_index]
        )
        state = copula = False
    else:
        if governing.future or (modal is not None and modal.first_token <= governing.last_token):
            tense = "future"
        elif governing.past:
            tense = "past"
        else:
            tense = "present"
        reporting = governing.stem in REPORTING_STEMS
        progressive = governing.progressive or any(
            token.form == "중" for token in tokens[start + 1 : governing.first_token]
        )
        state = governing.copula_or_adjective and tense == "present"
        copula = tense == "present" and tokens[governing.first_token].tag in {
            "VCP",
            "VCN",
        }
    vocabulary = nouns | stems_in_clause
    # "…가능하다고 봄", "…늘 거라고 생각한다": the writer's view of what comes
    belief = (
        governing is not None
        and not governing.past
        and governing.stem in {"보", "생각하", "판단하", "믿", "예상하"}
        and governing.first_token > 0
        and tokens[governing.first_token - 1].form in {"고", "다고", "라고", "이라고"}
    )
    return ClauseReading(
        tense=tense,
        reporting=reporting,
        progressive=progressive,
        state=state,
        copula=copula,
        forecast_vocabulary=bool(vocabulary & FORECAST_NOUNS_KO) or tense == "future" or belief,
        estimate_vocabulary=bool(vocabulary & ESTIMATE_NOUNS_KO),
        event_vocabulary=bool(vocabulary & EVENT_NOUNS_KO),
        target_vocabulary=bool(vocabulary & TARGET_NOUNS_KO),
    )


_EN_CLAUSE_SPLIT = re.compile(
    r";\s*|,\s+(?=(?:and|but|while|whereas|although|which|where|who|when)\s)|\s+(?=(?:while|whereas|but)\s)",
    re.I,
)
# Participles that are adjectives or passive futures, not past events.
_EN_NOT_PAST_PARTICIPLES = {
    "expected", "projected", "scheduled", "planned", "anticipated", "estimated", "targeted",
    "forecasted", "slated", "poised", "predicted", "guided", "intended", "needed", "based", "related",
    "used", "called", "priced", "sized", "advanced", "diversified", "leveraged", "integrated",
    "interested", "concerned", "required", "limited", "skilled", "detailed", "dedicated",
}  # fmt: skip
_EN_ED_WORD = re.compile(r"\b([A-Za-z]+)\s+([a-z]{3,}ed)\b")
_EN_AUXILIARY = {
    "is", "are", "be", "been", "being", "will", "to", "get", "gets", "would", "could", "should",
    "may", "might", "can", "has", "have", "had",
}  # fmt: skip
_EN_DETERMINERS = {"the", "a", "an", "of", "for", "its", "their", "our", "newly", "recently"}
# "I expected …", "we predicted …": a forecast made in the past, reported as past.
_EN_PAST_SUBJECT = re.compile(
    r"\b(?:I|we|he|she|they|it|the\s+(?:fed|committee|bank|company|board))\s+"
    r"(?:expected|predicted|forecast|thought|believed|called|cut|hit|set|put|bet|guessed|wrote|spoke|met|"
    r"knew|felt|said|told|heard|paid|spent|held|kept|found|lost|won|left|led)\b",
    re.I,
)


_EN_PASSIVE_AUX = re.compile(r"\b(?:gets?|getting|be|been|being|is|are|will\s+be)\s+$", re.I)


def _english_past_word(text: str) -> bool:
    """A past-tense verb, not a passive participle ("gets announced", "will be shipped")."""
    return any(
        not _EN_PASSIVE_AUX.search(text[: match.start()]) for match in _EN_PAST.finditer(text)
    )


# "on Wednesday gave a forecast", "OPEC's report on Sept. 10 showed …", "At the end of
# January, the manufacturer announced …": the date is when the past verb just after it happened.
_EN_DATE_OF_PAST_VERB = re.compile(
    r"^\s*,?\s*(?:(?!(?:will|would|to|that|which|who|is|are|be)\b)[\w’'.&-]+,?\s+){0,5}?"
    rf"(?:{_EN_PAST_WORDS})\b(?!\s+(?:to|by)\b)",
    re.IGNORECASE,
)


def english_date_of_past_verb(text_after: str) -> bool:
    """Whether the words after an English date lead to a past-tense verb it dates."""
    return bool(_EN_DATE_OF_PAST_VERB.match(text_after))


def english_past_belief(text: str) -> bool:
    """ "I expected …", "we predicted …": a forecast the writer made in the past."""
    return bool(_EN_PAST_SUBJECT.search(text))


def _english_simple_past(clause: str) -> bool:
    """A verb in -ed used as a finite past form ("Oklo listed in May"), not a participle."""
    if _EN_PAST_SUBJECT.search(clause):
        return True
    for match in _EN_ED_WORD.finditer(clause):
        before, word = match.group(1).lower(), match.group(2).lower()
        if before in _EN_AUXILIARY or before in _EN_DETERMINERS or word in _EN_NOT_PAST_PARTICIPLES:
            continue
        return True
    return False


def english_clause(text: str, start: int, end: int) -> tuple[str, int]:
    """The clause of an English sentence around [start, end), and where it begins."""
    cuts = [0] + [m.end() for m in _EN_CLAUSE_SPLIT.finditer(text)] + [len(text)]
    for left, right in itertools.pairwise(cuts):
        if left <= start < right:
            return text[left:right], left
    return text, 0


def read_english_clause(text: str, start: int, end: int) -> ClauseReading:
    """Read the clause of an English sentence that contains [start, end)."""
    clause, clause_start = english_clause(text, start, end)
    future = bool(_EN_STRONG_FUTURE.search(clause))
    past = _english_past_word(clause) or _english_simple_past(clause)
    tense = "future" if future else "past" if past else "present"
    return ClauseReading(
        tense=tense,
        reporting=bool(_EN_REPORTING.search(clause)),
        progressive=bool(re.search(r"\b(is|are)\s+\w+ing\b", clause)) and not future,
        state=bool(re.search(r"\b(is|are)\b", clause)) and not future and not past,
        copula=bool(re.search(r"\b(is|are)\b", clause)) and not future and not past,
        # ", where apps outnumber …, somewhere between 2027 and 2028": the relative clause ends
        # at its comma; what follows belongs to the main clause again.
        relative_clause=clause_start > 0
        and bool(re.match(r"^\s*(?:which|who|where)\b", clause, re.I))
        and "," not in text[clause_start:start],
        forecast_vocabulary=future or bool(_EN_FUTURE.search(clause)),
        estimate_vocabulary=bool(_EN_ESTIMATE.search(clause))
        and bool(
            _EN_HEDGE_LIKELY.search(clause)
            or re.search(r"\b(estimate|consensus|guid(?:ance|ed|es|e)|preview|model)", clause, re.I)
        ),
        event_vocabulary=bool(_EN_EVENT.search(clause)),
        target_vocabulary=bool(_EN_TARGET.search(clause)),
    )


def sentence_orientation(text: str, tokens: Sequence[Token], lang: str) -> str:
    """'future', 'past' or 'nearest': which way a date written without a year should resolve."""
    if lang == "en":
        if _EN_STRONG_FUTURE.search(text):
            return "future"
        if _english_past_word(text) or _english_simple_past(text):
            return "past"
        return "nearest"
    predicates = korean_predicates(tokens)
    # "…배치한다고 밝혔다": the reporting verb's tense says when it was said, not when it happens.
    governing = [p for p in predicates if p.governs and p.stem not in REPORTING_STEMS] or [
        p for p in predicates if p.governs
    ]
    if re.search(r"(어제|그제|그저께|지난|작년|지난해|이미|yesterday)", text):
        last = governing[-1] if governing else None
        # "지난달 … 마치고 …, 둘째 주엔 … 청약을 받습니다": the past is an earlier clause's; the
        # sentence ends on an action ahead.
        if not (
            last is not None
            and not last.past
            and not last.copula_or_adjective
            and not last.progressive
            and last.stem not in REPORTING_STEMS
            and last.ending == "EF"
        ):
            return "past"
    if any(p.future for p in predicates):
        return "future"
    if any(p.past for p in governing):
        # "4월 초 … 올랐다가 6월 말 … 내려옴": one past event makes the dates past.
        return "past"
    if any(
        token.form in FORECAST_NOUNS_KO and not _beat_or_missed(tokens, number)
        for number, token in enumerate(tokens)
        if token.tag in {"NNG", "NNB"}
    ):
        return "future"
    if (
        predicates
        and predicates[-1].ending == "ETN"
        and tokens[predicates[-1].last_token].form in {"ᆷ", "음"}
        and predicates[-1].last_token >= len(tokens) - 3
    ):
        # Note style ("실적을 발표함", "예상치를 초과함") tells what happened; its plans say so
        # ("출시 예정임", "늘릴 것임": future words, seen above).
        return "past"
    if not governing:
        return "nearest"
    last = governing[-1]
    if not last.copula_or_adjective and not last.progressive and last.stem not in REPORTING_STEMS:
        # A present-tense action with a date reads as scheduled: "7월에 생산한다".
        return "future"
    return "nearest"


# "예상보다 나은 실적", "예상치를 상회": results set against the estimate, not an estimate.
_BEAT_OR_MISSED_VERBS_KO = {"상회", "하회", "웃돌", "밑돌", "초과", "부합", "뛰어넘"}


def _beat_or_missed(tokens: Sequence[Token], number: int) -> bool:
    """Whether the forecast noun at `number` is the yardstick of reported results."""
    following = [token.form for token in tokens[number + 1 : number + 3] if token.form != "치"]
    if following[:1] == ["보다"]:
        return True
    # "예상치를 상회", "예상치인 645억 달러를 초과": a beat or a miss a few words on.
    return any(token.form in _BEAT_OR_MISSED_VERBS_KO for token in tokens[number + 1 : number + 9])


def hedge_of(text: str, lang: str) -> str:
    """certain | likely | possible."""
    if lang == "en":
        if _EN_HEDGE_POSSIBLE.search(text):
            return "possible"
        if _EN_HEDGE_LIKELY.search(text):
            return "likely"
        return "certain"
    if HEDGE_POSSIBLE_KO.search(text):
        return "possible"
    if HEDGE_LIKELY_KO.search(text):
        return "likely"
    return "certain"
