"""Quoted speech and who said it.

Korean news writes "X는 “…”라고 말했다", "“…”며 … 강조했다", "X에 따르면"; English writes
"…," X said / said X / X says. Short quoted phrases (‘언택트’, "AI bubble") are scare quotes,
not speech. Pronouns (그는) and short forms (손 의장, 이 대표) are resolved to the last full name.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from digests.analysis.sentences import Sentence, Token

_PAIRS = [("“", "”"), ("「", "」"), ("『", "』"), ('"', '"'), ("‘", "’")]
_MIN_QUOTE_CHARS = 12
_ANY_QUOTE_MARK = re.compile("[“「『\"‘']")
_SPEECH_AFTER = re.compile(
    r"^\s*(?:이?라고|고|이?라며|며|이?라면서|면서|하며|하고|라는|이라는|는|이란|란|,|\.|라|이라)"
    r"|^\s*,?\s*(?:said|says|told|added|wrote|noted|explained|argued|warned|according)\b",
    re.IGNORECASE,
)
_EN_SAID_AFTER = re.compile(
    r"^\s*,?\s*(?:[A-Z][\w.'-]*\s+){0,4}(?:said|says|told|tells|added|adds|wrote|writes|noted|"
    r"notes|explained|argued|warned|asked|tweeted|posted)\b|^\s*[—–-]{1,2}\s*[A-Z]"
)
# "…”고 밝혔다", "…”이라고 내다봤다", "…”고 언급": a quotation closed by a verb of saying.
_KO_SAID_VERB_AFTER = re.compile(
    r"^\s*(?:이?라고|고)\s*(?:[^\s“”\"]+\s+){0,3}?(?:말했|말한|밝혔|밝힌|강조했|설명했|덧붙였|전했|"
    r"언급했|내다봤|전망했|예상했|분석했|지적했|평가했|주장했|발표했|밝힘|언급|강조|말함)"
)
# Markers of reported speech only (not of naming, as in "‘언택트’라는 말").
_SAID_AFTER = re.compile(
    r"^\s*(?:이?라고|고\s|고$|이?라며|며|이?라면서|면서)|^\s*,?\s*(?:said|says|told|added)\b", re.I
)
# "…”라고 했다": a quotative ending and then a verb of saying (not of naming: 불렀다, 표현했다).
_QUOTED_THEN_SAID = re.compile(
    r"^\s*이?라고\s*(?:[가-힣]+\s+)?(?:말했|했다|밝혔|강조했|설명했|덧붙였|답했|전했|말한|언급했)"
)
_SPEECH_VERBS = re.compile(
    r"(말했|말한|설명했|설명한|강조했|강조한|밝혔|밝힌|전했|덧붙였|주장했|지적했|언급했|진단했|내다봤|예상했|"
    r"전망했|평가했|강조|말|했다|한다|제언했|단언했|경고했|말했다|답했|물었|선언했|약속했|자신했|했다고)"
)
_EN_SAID = re.compile(
    r"\b(said|says|told|added|noted|wrote|explained|argued|warned|stated|according\s+to|predicted|"
    r"believes|asked|tweeted|posted)\b",
    re.IGNORECASE,
)
_TITLES = {
    "CEO", "CFO", "CTO", "COO", "CSO", "CIO", "대표", "의장", "회장", "사장", "부사장", "장관", "대통령",
    "교수", "연구원", "애널리스트", "이사", "총재", "위원장", "국장", "팀장", "리더", "창업자", "과학자",
    "수석", "담당", "기자", "최고경영자", "최고재무책임자", "최고기술책임자", "대변인", "의원", "총리",
    "주석", "부회장", "전무", "상무", "본부장", "센터장", "소장", "원장", "이사장", "대표이사", "창업주",
    "변호사", "박사", "전문가", "매니저", "디렉터", "파트너", "연구위원", "실장", "부장", "차관", "청장",
    "최고전략책임자", "최고운영책임자", "최고투자책임자", "최고마케팅책임자", "최고제품책임자",
    "최고정보책임자", "선임연구위원", "수석연구원", "책임연구원", "이코노미스트", "펀드매니저", "운용역",
    "유튜버", "블로거", "과장", "차장", "대리",
}  # fmt: skip


def _is_title(word: str) -> bool:
    """A title, also as the head of a Korean compound ("재무장관", "경제부총리", "리서치센터장"):
    Korean nouns are head-final. The prefix must have two syllables or more, since a surname and
    a title read as one word ("이주석") is as likely a name."""
    if word in _TITLES:
        return True
    if not _HANGUL_WORD.match(word) or len(word) < 4:
        return False
    return any(
        word.endswith(title) and len(word) - len(title) >= 2 for title in _KOREAN_TITLE_HEADS
    )


# Unnamed sources quoted by their role: "한 업계 관계자", "회사 측", "an industry official".
_ROLE_NOUNS = {
    "관계자", "측", "임원", "소식통", "대변인", "당국자", "관계자들", "담당자", "관계자는", "고위",
    "official", "officials", "spokesperson", "spokesman", "source", "sources", "executive",
    # people a personal blog quotes by how the writer knows them
    "아버지", "어머니", "엄마", "아빠", "할머니", "할아버지", "아내", "남편", "친구", "선배", "후배",
    "부장님", "팀장님", "사장님", "형", "누나", "언니", "오빠", "동생", "지인",
}  # fmt: skip
_KOREAN_TITLE_HEADS = sorted(
    (title for title in _TITLES if re.fullmatch("[\uac00-\ud7a3]{2,}", title)),
    key=len,
    reverse=True,
)
_SURNAMES = set(
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예봉경사부"
)
_PRONOUNS = {"그", "그녀", "그들", "이들", "he", "she", "they", "그는", "그녀는"}
_PARENTHETICAL = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")
_EN_NAME = re.compile(r"((?:[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\.?\s?){1,3})")


@dataclass(frozen=True)
class Quote:
    """A quotation with its speaker (None when it cannot be told) and its sentence."""

    text: str
    speaker: str | None
    sentence: str
    start: int
    end: int


def _quote_spans(line: str) -> list[tuple[int, int, int, int]]:
    """(open, close, inner_start, inner_end) for each quotation in a line."""
    spans: list[tuple[int, int, int, int]] = []
    taken = [False] * len(line)
    _mixed_pairs(line, spans, taken)
    for opening, closing in _PAIRS:
        position = 0
        while True:
            start = line.find(opening, position)
            if start < 0:
                break
            end = line.find(closing, start + 1)
            if end < 0:
                break
            if not any(taken[start : end + 1]):
                spans.append((start, end + 1, start + 1, end))
                for index in range(start, end + 1):
                    taken[index] = True
            position = end + 1
    _ascii_single_quotes(line, spans, taken)
    _unclosed_quote(line, spans, taken)
    spans.sort()
    return spans


_DOUBLE_MARKS = re.compile('[“”"]')


def _mixed_pairs(line: str, spans: list[tuple[int, int, int, int]], taken: list[bool]) -> None:
    """A quotation opened with one kind of double mark and closed with the other (“…," he said;
    "…,” she said), as pasted and edited text often has: the next double mark closes it."""
    marks = list(_DOUBLE_MARKS.finditer(line))
    for first, second in itertools.pairwise(marks):
        start, end = first.start(), second.start()
        opens = first.group() == "“" or (
            first.group() == '"' and (start == 0 or not line[start - 1].isalnum())
        )
        closes = second.group() == "”" or (
            second.group() == '"' and (end + 1 == len(line) or not line[end + 1].isalnum())
        )
        mixed = (first.group(), second.group()) in {("“", '"'), ('"', "”")}
        if mixed and opens and closes and not any(taken[start : end + 1]):
            spans.append((start, end + 1, start + 1, end))
            for index in range(start, end + 1):
                taken[index] = True


_OPENING_ONLY = ("“", "「", "『")


def _unclosed_quote(line: str, spans: list[tuple[int, int, int, int]], taken: list[bool]) -> None:
    """A typographic opening mark that is never closed runs to the end of the line: archive
    pages and feeds cut a post mid-quotation ("김 연구원은 “블랙웰 출하가 … 가팔라질 것”이"
    cut before its close). Only marks that can only open count, and only the last one."""
    start = max(line.rfind(mark) for mark in _OPENING_ONLY)
    if start < 0 or taken[start]:
        return
    if any(line.find(closing, start + 1) >= 0 for _, closing in _PAIRS[:3]):
        return
    if len(line) - start - 1 < 2 * _MIN_QUOTE_CHARS:
        return
    spans.append((start, len(line), start + 1, len(line)))
    for index in range(start, len(line)):
        taken[index] = True


_ASCII_QUOTE_SAID = re.compile(r"^(?:이?라고|고\s|이?라며|며\s|이?라면서)")


def _ascii_single_quotes(
    line: str, spans: list[tuple[int, int, int, int]], taken: list[bool]
) -> None:
    """Korean reports quote with plain apostrophes ("하나증권에서 '…전망한다.'라고 분석했다"); an
    apostrophe is also a year ('25년) or an English contraction, so a pair counts only when
    it holds Korean and a quotative ending follows it."""
    if "'" not in line or not re.search(r"[\uac00-\ud7a3]", line):
        return
    start = line.find("'")
    while start >= 0:
        end = line.find("'", start + 1)
        if end < 0:
            return
        inner = line[start + 1 : end]
        if (
            (start == 0 or not line[start - 1].isalnum())
            and re.search(r"[\uac00-\ud7a3]", inner)
            and _ASCII_QUOTE_SAID.match(line[end + 1 : end + 6] + " ")
            and not any(taken[start : end + 1])
        ):
            spans.append((start, end + 1, start + 1, end))
            for index in range(start, end + 1):
                taken[index] = True
            start = line.find("'", end + 1)
        else:
            start = end  # the closing mark may open the real quotation


# A verb of saying whose clause runs on to the quotation: "he said, emphasizing that suppliers
# also “have a responsibility”". Not verbs of naming or promising ("called the rally “the Great
# Reset”", "promised “amazing abundance”"), which quote a phrase rather than report speech.
_EN_REPORTED_CLAUSE = re.compile(
    r"\b(?:said|says|told|tells|added|adds|noted|notes|noting|suggested|suggests|warned|warns|"
    r"argued|argues|explained|explains|emphasizing|emphasized|stressed|insisted|indicated|saying|"
    r"adding)\b[^.!?\"“”]*$"
)


def _reported_phrase(inner: str, before: str) -> bool:
    """A short lower-case phrase quoted inside reported speech ("Schmid suggested that policy
    should remain “modestly restrictive”"): the speaker's own words, though not a sentence."""
    return (
        len(inner.split()) >= 2
        and inner[:1].islower()
        and not re.search(r"[\uac00-\ud7a3]", inner)
        and bool(_EN_REPORTED_CLAUSE.search(before))
    )


def _is_speech(inner: str, after: str, single_quotes: bool, before: str = "") -> bool:
    inner = inner.strip()
    words = inner.split()
    if not single_quotes and len(words) < 5 and _reported_phrase(inner, before):
        return True
    sentence_like = bool(re.search(r"(다|요|죠|니다|[.!?…,])\W*$", inner))
    if len(inner) < _MIN_QUOTE_CHARS:
        # Short, but said: "“혁신을 계속하겠다”고 설명했다", "“재미로 참고할 데이터”라고 했다".
        if sentence_like and len(inner) >= 6 and _SAID_AFTER.match(after):
            return True
        return (
            not single_quotes
            and len(words) >= 2
            and len(inner) >= 8
            and bool(_QUOTED_THEN_SAID.match(after))
        )
    attributed = bool(_SPEECH_AFTER.match(after))
    if single_quotes and not attributed:
        return False
    if "://" in inner:
        return False  # an address in quotation marks ("http://www.w3.org/2005/Atom")
    if (
        not re.search(r"[\uac00-\ud7a3]", inner)
        and len(words) < 4
        and not _EN_SAID_AFTER.match(after)
    ):
        # "‘amazing abundance,’", "“The Great Reset,”": English puts the comma or period inside
        # the marks, so a short phrase looks finished; without a verb of saying it is a phrase
        # being named, not speech.
        return False
    if len(words) < 3 and not sentence_like:
        return False
    return attributed or sentence_like or len(words) >= 5


_FOREIGN_SYLLABLES = set(
    "스즈츠드트크프브르그치쉬슈엘렌널런릭딘던티샘팀톰잭존짐빌밥"
)  # not 린: 태린, 하린


def looks_korean_name(word: str, common_nouns: frozenset[str] = frozenset()) -> bool:
    """A Korean full name: three syllables, a common surname first, no transliteration
    syllables, and not a word Kiwi knows as a common noun (반도체, 부사장)."""
    return (
        len(word) == 3
        and _HANGUL_WORD.match(word) is not None
        and word[0] in _SURNAMES
        and not set(word) & _FOREIGN_SYLLABLES
        and word not in _TITLES
        and word not in common_nouns
    )


_GLOSSED_NAME = re.compile(
    r"(?:^|\s)([가-힣]{1,5}(?:\s[가-힣]{1,5})?)\s*\((?:[A-Z][a-z]+\.?\s){1,2}[A-Z][a-z]+\)"
)


# Words that open a phrase naming nobody in particular: "한 애널리스트", "또 다른 관계자".
_UNNAMED_DETERMINERS = {
    "한",
    "또",
    "또다른",
    "다른",
    "익명의",
    "일부",
    "a",
    "an",
    "one",
    "A",
    "An",
    "One",
}
# Places and institutions written between a name and a title ("트럼프 미국 대통령", "파월 연준 의장").
_DESCRIPTOR_WORDS = {
    "미국", "중국", "일본", "한국", "러시아", "우크라이나", "영국", "독일", "프랑스", "인도", "대만", "유럽",
    "북한", "캐나다", "호주", "브라질", "멕시코", "이스라엘", "이란", "사우디", "베트남", "홍콩", "싱가포르",
    "연준", "백악관", "정부", "당국", "한은", "국회", "유럽연합", "미", "중", "일", "한", "전",
}  # fmt: skip
_ORG_SUFFIXES = (
    "증권", "은행", "투자", "자산운용", "운용", "리서치", "캐피탈", "그룹", "전자", "자동차", "에너지",
    "솔루션", "연구소", "硏", "금융", "보험", "카드", "화학", "중공업", "조선", "건설", "통신", "모건",
    "삭스", "뱅크", "파트너스", "위원회", "협회", "재단", "부", "청", "처",
)  # fmt: skip
_TIME_WORD = re.compile(
    r"^(?:이달|올해|내년|작년|지난해|금년|이번|다음|지난|매년|연말|연초|월말|말|초|중순|상반기|하반기|"
    r"\d+(?:분기|월|일|년|주)|[1-4]Q|(?:이번|다음|지난)?주)$"
)
_DATE_WORD = re.compile(r"^(?:\d{1,2}일|지난|이날|오늘|전날|최근|당시)$")


def _descriptor(word: str) -> bool:
    """A place, institution or company written before a title, not part of the person's name."""
    return (
        word in _DESCRIPTOR_WORDS
        or bool(re.search(r"[A-Za-z0-9]", word))
        or (len(word) > 2 and word.endswith(_ORG_SUFFIXES))
    )


def _name_before_title(words: list[str], common_nouns: frozenset[str]) -> str | None:
    """The name in the words before a title: "트럼프 미국" → "트럼프", "젠슨 황 엔비디아" → "젠슨 황",
    "팀 쿡" → "팀 쿡"; a lone surname keeps its title ("김 연구원") so it can be expanded."""
    picked: list[str] = []
    for word in reversed(words):
        one_syllable_before = bool(picked) and len(picked[0]) == 1
        if (
            len(picked) == 4
            or word.endswith("의")
            or not (_HANGUL_WORD.match(word) or _descriptor(word))
            or len(word) > 7
            or _is_title(word)
            or (
                word in common_nouns
                and len(word) > 1  # "탄", "쿡": a one-syllable word before a title is a name part
                and not one_syllable_before
                and not _descriptor(word)
            )
        ):
            break
        picked.insert(0, word)
    while picked and _descriptor(picked[-1]):
        picked.pop()
    while picked and _descriptor(picked[0]):
        picked.pop(0)
    if not picked:
        return None
    if len(picked) > 2:
        picked = picked[:2]
    return " ".join(picked)


# Words linking a body to the one it belongs to: "우리금융그룹 산하 우리금융경영연구소".
_AFFILIATION_WORDS = {"산하", "소속", "계열", "계열사", "자회사"}
# What kind of organisation the next word names: "투자은행 번스타인", "전문매체 더블록".
_ORGANISATION_KINDS = {
    "투자은행", "은행", "증권사", "운용사", "자산운용사", "매체", "전문매체", "외신", "통신", "리서치",
    "컨설팅", "컨설팅업체", "조사업체", "시장조사업체", "업체", "기업", "회사", "거래소", "기관",
    "신용평가사", "싱크탱크", "연구소", "헤지펀드", "펀드", "자산운용", "브로커", "중개업체",
}  # fmt: skip
# Words that praise or place a person before the title: "유명 애널리스트 플랜B".
_TITLE_MODIFIERS = {
    "유명",
    "유명한",
    "저명한",
    "전설적인",
    "베테랑",
    "스타",
    "간판",
    "수석",
    "전직",
    "전",
}


def _name_after_title(words: list[str], common_nouns: frozenset[str]) -> str | None:
    """The name written after its title, as Korean news often does for foreign names: "유명
    애널리스트 플랜B" → "플랜B", "테슬라 CEO 일론 머스크" → "일론 머스크"."""
    for index, word in enumerate(words[:-1]):
        if not _is_title(word):
            continue
        after = words[index + 1 : index + 3]
        if not after or _is_title(after[0]) or after[0] in common_nouns or after[0] in _ROLE_NOUNS:
            return None
        if any(
            before not in _TITLE_MODIFIERS and not _descriptor(before) for before in words[:index]
        ):
            return None  # "김민재 연구원 …": the name came first
        return " ".join(word for word in after if word not in common_nouns)
    return None


def person_name(phrase: str, common_nouns: frozenset[str] = frozenset()) -> str | None:
    """The speaker in a subject phrase, kept readable: the person when named ("토마스
    쿠리안(Thomas Kurian) 구글 클라우드 최고경영자(CEO)" → "토마스 쿠리안", "브로드컴의 호크 탄 CEO" →
    "호크 탄", "트럼프 미국 대통령" → "트럼프"), a surname with its title ("손 의장", expanded later to
    the full name), an organisation ("JP모건"), or an unnamed speaker as written ("한 애널리스트");
    never a one-syllable fragment."""
    if all(_TIME_WORD.match(word) for word in phrase.split()):
        return None  # "이달 말은", "내년 상반기가": a time, never a speaker
    glossed = _GLOSSED_NAME.search(phrase)
    if glossed:
        return glossed.group(1)  # "토마스 쿠리안(Thomas Kurian)": a name with its spelling
    phrase = _PARENTHETICAL.sub(" ", phrase)
    words = [word.strip(",.·'\"“”‘’") for word in phrase.split()]
    words = [word for word in words if word]
    while words and (_DATE_WORD.match(words[0]) or _TIME_WORD.match(words[0])) and len(words) > 1:
        words = words[1:]  # "7일 로이터는": the date is not the speaker
    while words and words[0].endswith("의") and len(words) > 1:
        words = words[1:]
    if len(words) > 1 and words[-1] == "등":
        words = words[:-1]  # "로이터와 CNBC 등"
    linked = [index for index, word in enumerate(words[:-1]) if word in _AFFILIATION_WORDS]
    if linked:
        words = words[linked[-1] + 1 :]  # "우리금융그룹 산하 우리금융경영연구소": the head is last
    if not words:
        return None
    if words[-1] in _ROLE_NOUNS or (
        words[0] in _UNNAMED_DETERMINERS and any(_is_title(word) for word in words[1:])
    ):
        # Nobody is named: the role is the speaker ("한 애널리스트", "업계 관계자").
        return " ".join(words[-5:]) if words else None
    if words[0] in _UNNAMED_DETERMINERS and len(words) > 1 and words[-1] in _UNNAMED_ROLES:
        return " ".join(words[-5:])  # "한 프로 투자자": an unnamed speaker, as written
    if len(words) == 2 and _KO_DEFINITE_ROLE.match(" ".join(words)):
        return " ".join(words)  # "해당 연구원": an anaphor, resolved to the person named before
    named = _name_after_title(words, common_nouns)
    if named:
        return named
    if (
        len(words) >= 2
        and words[-2] in _ORGANISATION_KINDS
        and words[-1] not in common_nouns
        and not _is_title(words[-1])
    ):
        return words[-1]  # "월스트리트 투자은행 번스타인", "암호화폐 전문매체 더블록"
    korean = next((word for word in words if looks_korean_name(word, common_nouns)), None)
    if korean:
        return korean
    titled = [index for index, word in enumerate(words) if _is_title(word)]
    if titled and titled[-1] >= 1:
        # "벨로사이트 로보틱스의 라이언 코스텔로 CEO": the words before the title
        name = _name_before_title(words[: titled[-1]], common_nouns)
        if name and len(name) == 1:
            return f"{name} {words[titled[-1]]}"  # "김 연구원": a surname keeps its title
        if name:
            return name
        if titled[-1] <= 3 and all(
            word in common_nouns or _descriptor(word) or _is_title(word)
            for word in words[: titled[-1]]
        ):
            # "AI 스타트업 대표": nobody named, the title and what it heads kept whole
            return " ".join(words[: titled[-1] + 1])
    if (
        len(words) == 1
        and re.match(r"^[A-Za-z0-9&.-]+[\uac00-\ud7a3]+$", words[0])
        and re.match(r"^[A-Z]", words[0])
    ):
        return words[0]  # "JP모건", "SK하이닉스": a company written half in Latin letters
    trailing = re.search(r"([A-Z][\w&.'-]*(?:\s[A-Z][\w&.'-]*){0,2}\s?)$", " ".join(words))
    if (
        trailing
        and len(words) > 1
        and _HANGUL_WORD.match(words[0])
        and not _is_title(trailing.group(1).strip())
    ):
        # "네덜란드의 반도체 장비 기업 ASML": descriptors first, the name last.
        return trailing.group(1).strip()
    if re.match(r"^[A-Z]", words[0]):
        english = _EN_NAME.match(" ".join(words))
        if english and english.group(1).strip() not in {"The", "This", "That", "It", "We", "I"}:
            return english.group(1).strip()
        if re.fullmatch(r"[A-Z][A-Z0-9&.-]{1,9}", words[0]):
            return words[0]
        return None
    first = words[0]
    if not _HANGUL_WORD.match(first) or first in _PRONOUNS or _is_title(first):
        return None
    if len(first) == 1:
        if first in _SURNAMES and len(words) > 1 and _is_title(words[1]):
            return f"{first} {words[1]}"
        return None  # a one-syllable word alone is a fragment, never a speaker
    name = [first]
    if (
        (
            len(words) > 1
            and not _is_title(words[1])
            and _HANGUL_WORD.match(words[1])
            and len(words[1]) <= 4
            and words[1] not in common_nouns
            and not _descriptor(words[1])
        )
        and len(first) <= 4
        and not looks_korean_name(first, common_nouns)
    ):
        name.append(words[1])
    return " ".join(name)


@dataclass(frozen=True)
class _Subject:
    start: int
    end: int
    phrase: str
    name: str | None
    pronoun: bool
    person_like: bool  # names someone or something that can speak (a person or an organisation)
    person: bool  # names a person (a title, a full name), so 그는 can refer to it
    report: bool = False  # "보고서는": the report of the source quoted last
    nominal: bool = True  # a noun takes the particle ("금융위는"), not a verb ("대해서는")
    # headed by a common noun that names no speaker: "연내 비트코인 가격이" is about a price
    thing: bool = False


_PHRASE_TAGS = {
    "NNP",
    "NNG",
    "SL",
    "SH",
    "SN",
    "NNB",
    "XSN",
    "SSO",
    "SSC",
    "JKG",
    "NR",
    "SP",
    "SW",
    "NP",
    "SO",
}


# "=" ends a byline ("[서울=뉴스핌] 이영기 기자 =권영식 넷마블 대표는"): the reporter is no speaker.
_PHRASE_BREAK = re.compile(r"[.!?]\s+|(?<=[가-힣])[.!?](?=\S)|[”’\"]\s*|,\s+|\n|=")
_BREAK_TAGS = {"EC", "ETM", "EF", "JKO", "JKB", "JKC", "JC", "JX", "JKS"}


_FINAL_JAMO = re.compile("^[\u11a8-\u11ff]$")


def _inside_a_name(token: Token, text: str) -> bool:
    """Kiwi reads some names as a word and a particle ("김태린" → 김태리 + ᆫ): such a lone final
    consonant inside a word that looks like a full name ends nothing."""
    if token.tag != "JX" or not _FINAL_JAMO.match(token.form):
        return False
    start = end = min(token.start, len(text) - 1)
    while start > 0 and _HANGUL_WORD.match(text[start - 1]):
        start -= 1
    while end < len(text) and _HANGUL_WORD.match(text[end]):
        end += 1
    return looks_korean_name(text[start:end])


_REPORT_NOUNS = {"보고서", "리포트", "보고서에서", "리포트에서", "자료", "노트"}
_REPORT_DETERMINERS = {
    "또",
    "또한",
    "이",
    "이번",
    "해당",
    "동",
    "같은",
    "그",
    "다만",
    "특히",
    "아울러",
}


# What a text is that quotes its author: "한 프로 투자자의 책에서 “…”", "버핏의 주주서한은 “…”".
_SOURCE_NOUNS = {
    "책", "저서", "글", "칼럼", "기고", "기고문", "인터뷰", "연설", "트윗", "게시글", "편지", "서한",
    "주주서한", "강연", "메모", "블로그", "명언", "발언",
}  # fmt: skip


def _authored_source(words: list[str]) -> bool:
    """ "X의 책", "X의 주주서한": a text named by its author's genitive (not "X와의 인터뷰", a
    conversation with X)."""
    return (
        len(words) >= 2
        and words[-1] in _SOURCE_NOUNS
        and words[-2].endswith("의")
        and not words[-2].endswith(("와의", "과의"))
        and len(words[-2]) > 1
    )


# What someone said, whose owner is the speaker: "일론 머스크의 이 한마디가".
_SAID_NOUNS = {
    "한마디", "말", "발언", "언급", "메시지", "주장", "설명", "답변", "경고", "조언", "지적", "평가",
}  # fmt: skip
# A market or a trade quoted as one voice: "시장에서는 “…”는 평가가 나온다", "증권가에서는 “…”".
_COLLECTIVE_SOURCES = {
    "시장", "업계", "증권가", "월가", "금융권", "재계", "정치권", "투자업계", "금융투자업계", "일각",
    "외신", "학계", "투자자들", "전문가들",
}  # fmt: skip


def _compound_nouns(text: str, start: int, end: int, tokens: Sequence[Token]) -> frozenset[str]:
    """Words of `text[start:end]` made only of common nouns of two syllables or more ("가상자산"
    = 가상 + 자산): a compound common noun, so no name ("가상자산 전문가" is an unnamed expert,
    not "가상자산")."""
    found = set()
    for match in re.finditer(r"[\uac00-\ud7a3]{2,}", text[start:end]):
        word_start, word_end = start + match.start(), start + match.end()
        inside = [t for t in tokens if word_start <= t.start and t.end <= word_end]
        # each piece a word of its own: Kiwi cuts foreign names into odd nouns ("플랜" + "비")
        if len(inside) > 1 and all(t.tag == "NNG" and len(t.form) >= 2 for t in inside):
            found.add(match.group())
    return frozenset(found)


def _determiner_han(token: Token, text: str, boundary: int) -> bool:
    """Kiwi reads the determiner "한" ("한 애널리스트는", "a certain analyst") as the verb 하다 and
    an ending when it opens a clause: there it ends no phrase, since nothing precedes it to do."""
    return (
        token.tag == "ETM"
        and text[token.start : token.start + 2] == "한 "
        and not text[boundary : token.start].strip()
    )


def _subjects(tokens: Sequence[Token], text: str) -> list[_Subject]:
    """Subject phrases (X는 / X가) in token order, with whether they name a person.

    A phrase runs back from its particle to the nearest punctuation, closing quote, or
    word-final ending; Kiwi sometimes cuts foreign names oddly ("크리슈나 이/VCP 라오/EF"), so
    only endings that close a whole word count.
    """
    found: list[_Subject] = []
    starts = [token.start for token in tokens]  # in order: a phrase's tokens are found by bisection
    for index, token in enumerate(tokens):
        organisation_source = token.form == "에서" and token.tag in {"JKS", "JKB"}
        if not organisation_source and (
            token.tag not in {"JX", "JKS"} or token.form not in {"은", "는", "이", "가", "도"}
        ):
            continue
        if index == 0 or tokens[index - 1].end != token.start:
            continue  # a particle attaches to the word before it
        limit = max(0, token.start - 80)
        boundary = limit
        for match in _PHRASE_BREAK.finditer(text, limit, token.start):
            boundary = max(boundary, match.end())
        # Tokens before the first boundary are never part of the phrase (it only moves on).
        for previous in tokens[bisect.bisect_left(starts, boundary, 0, index) : index]:
            if previous.start < boundary or previous.tag not in _BREAK_TAGS:
                continue
            if _inside_a_name(previous, text) or _determiner_han(previous, text, boundary):
                continue
            next_char = text[previous.end : previous.end + 1]
            if next_char.isspace() and previous.end < token.start:
                boundary = max(boundary, previous.end)
        phrase = text[boundary : token.start].strip()
        if not phrase or len(phrase.split()) > 9:
            continue
        collective = organisation_source and phrase.split()[-1] in _COLLECTIVE_SOURCES
        if organisation_source and not (
            (len(phrase.split()) <= 2 and phrase.split()[-1].endswith(_ORG_SUFFIXES))
            or _authored_source(phrase.split())
            or collective
        ):
            continue  # "하나증권에서 …라고 분석했다" speaks; "서울에서" is a place
        phrase_tokens = tokens[bisect.bisect_left(starts, boundary, 0, index) : index]
        tags = {t.tag for t in phrase_tokens}
        forms = {t.form for t in phrase_tokens}
        common = frozenset(t.form for t in phrase_tokens if t.tag == "NNG") | _compound_nouns(
            text, boundary, token.start, phrase_tokens
        )
        pronoun = phrase in {"그", "그녀", "그들"}
        words = phrase.split()
        titled = bool(forms & _TITLES) or any(_is_title(word.strip(",")) for word in words)
        person_like = bool(
            "NNP" in tags
            or any(t.form[:1].isupper() for t in phrase_tokens if t.tag == "SL")
            or titled
            or forms & _ROLE_NOUNS
            or collective
        )
        name = None if pronoun else person_name(phrase, common)
        start = boundary + (
            len(text[boundary : token.start]) - len(text[boundary : token.start].lstrip())
        )
        person = name is not None and (titled or " " in name or looks_korean_name(name, common))
        if words[-1] in _REPORT_NOUNS or _authored_source(words):
            # "번스타인 보고서는" names its author; "또 보고서는" is the report quoted before;
            # "한 프로 투자자의 책에서 “…”" quotes the book's author.
            author = [word for word in words[:-1] if word not in _REPORT_DETERMINERS]
            if author and author[-1].endswith("의"):
                author[-1] = author[-1][:-1]
            name = person_name(" ".join(author), common) if author else None
            found.append(
                _Subject(
                    start, token.start, phrase, name, False, name is not None, False, not author
                )
            )
            continue
        found.append(
            _Subject(
                start,
                token.start,
                phrase,
                name,
                pronoun,
                person_like and name is not None,
                person,
                nominal=tokens[index - 1].tag in {"NNG", "NNP", "SL", "SH", "XSN", "SW"},
                thing=len(words) > 1
                and tokens[index - 1].tag == "NNG"
                and not _is_title(tokens[index - 1].form)
                and tokens[index - 1].form not in _ROLE_NOUNS | _ORGANISATION_KINDS | _SAID_NOUNS
                and not words[-1].endswith(_ORG_SUFFIXES),
            )
        )
    return found


def _according_to(sentence: str) -> str | None:
    match = re.search(r"([^\s,.]+(?:\s[^\s,.]+){0,3})\s*에\s*따르면", sentence)
    if match:
        return match.group(1)
    match = re.search(r"according\s+to\s+([A-Z][\w.&'-]*(?:\s[A-Z][\w.&'-]*){0,3}\s?)", sentence)
    return match.group(1).strip() if match else None


_EN_TITLE_WORDS = {
    "CEO",
    "CFO",
    "CTO",
    "COO",
    "President",
    "Chairman",
    "Chair",
    "Director",
    "Analyst",
    "Partner",
    "Economist",
    "Strategist",
    "Trader",
    "Investor",
    "Founder",
    # the last word of a multi-word title: "Chief Strategy Officer", "Treasury Secretary"
    "Officer",
    "Executive",
    "Secretary",
    "Governor",
    "Minister",
    "Manager",
    "Head",
    "Editor",
    "Professor",
    "Senator",
    "Commissioner",
    "Chairwoman",
    "Chairperson",
    "Spokesperson",
    "Spokesman",
    "Spokeswoman",
    "Researcher",
    "Scientist",
    "Adviser",
    "Advisor",
    "Officials",
}
_EN_PRONOUNS = {"he", "she", "they", "He", "She", "They"}


def _clean_english_name(name: str) -> str:
    """ "Calder CEO Dana Whitfield" → "Dana Whitfield": the person, not the company or title."""
    words = name.split()
    titled = [index for index, word in enumerate(words) if word.strip(",") in _EN_TITLE_WORDS]
    if titled and titled[-1] + 1 < len(words):
        words = words[titled[-1] + 1 :]
    return " ".join(words).strip(" ,.")


_DASH_ATTRIBUTION = re.compile(r"^\s*[—–]{1,2}\s*((?:[A-Z][\w.'-]*\s?){1,4})")
_AS_PUT_IT = re.compile(
    r"\bAs\s+([A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*){0,3}\s?)(?:,[^,]{0,80},)?\s+(?:put\s+it|says|said|told\s+\w+)\b[^\"“]{0,60}[,:]?\s*$"
)


_EN_VERBS = (
    r"(?:said|says|added|adds|noted|notes|wrote|writes|explained|explains|told|tells|argued|argues|"
    r"warned|warns|stated|states|continued|cautioned|insisted|remarked|concluded|observed|"
    r"commented|emphasized|stressed|acknowledged|admitted|claimed|predicted|posted|tweeted|"
    r"asked|asks|say)"
)
_EN_ROLES = (
    r"(?:analysts?|economists?|strategists?|executives?|officials?|spokesperson|spokesman|"
    r"spokeswoman|investors?|traders?|bankers?|sources?|founder|managers?|researchers?|experts?|"
    r"director|chairman|president|CEO|CFO|chief\s+executive|people|person|insiders?)"
)
# "the company said": the organisation named before.
_EN_DEFINITE_ORG = (
    r"((?:the|our)\s+(?:company|firm|bank|group|automaker|carmaker|chipmaker|lender|retailer|"
    r"ministry|agency|central\s+bank|exchange|insurer|airline|startup)\b)"
)
# An organisation acting as the subject of a sentence: "Toyota said", "Texas Instruments Inc’s …".
_EN_ORG_SUBJECT = re.compile(
    r"\b([A-Z][\w&.-]+(?:\s(?:[A-Z][\w&.-]+|&))*)(?:’s|'s)?\s+(?:said|says|reported|reports|posted|"
    r"announced|announces|expects|plans|forecast|forecasts|will|has|had|is|was|gave|saw)\b"
)
_EN_COMPANY_SUFFIXES = {"Inc", "Corp", "Co", "Ltd", "LLC", "Plc", "AG", "SA"}


def _last_organisation(before: str, people: _EnglishPeople) -> str | None:
    """The organisation "the company" refers to: the latest one acting as a subject, not a
    person's name (one word that is no person's surname, or a name ending like a company's)."""
    for match in reversed(list(_EN_ORG_SUBJECT.finditer(before[-1500:]))):
        words = match.group(1).replace(" &", "").split()
        if words[0] in _EN_SENTENCE_OPENERS | _EN_NOT_NAMES or words[0] in _EN_PRONOUNS:
            continue
        if words[-1].rstrip(".") in _EN_COMPANY_SUFFIXES | _EN_ORG_WORDS:
            return " ".join(w for w in words if w.rstrip(".") not in _EN_COMPANY_SUFFIXES)
        if len(words) == 1 and people.full_name(words[0], len(before)) is None:
            return words[0]
    return None


# "the analyst added": someone named before; "a senior analyst at Halden said": nobody named.
_EN_DEFINITE_ROLE = re.compile(
    rf"^(?:the|our|this)\s+(?:[a-z-]+\s+){{0,2}}{_EN_ROLES}$", re.IGNORECASE
)
_EN_INDEFINITE_ROLE = (
    rf"(?:an?|one|some|several|many)\s+(?:[a-z-]+\s+){{0,3}}{_EN_ROLES}"
    r"(?:\s+(?:at|with|from|of)\s+[A-Z][\w&.'-]*(?:\s[A-Z][\w&.'-]*){0,3})?"
)
_EN_ACCORDING_BEFORE = re.compile(
    r"\baccording\s+to\s+([A-Z][\w&.'’-]*(?:\s+[\w&.'’-]+){0,4}?)\s*,\s*$", re.IGNORECASE
)


def is_anaphor(speaker: str | None) -> bool:
    """A speaker written as "he", "the analyst" or "해당 연구원": the person named earlier."""
    return bool(speaker) and (
        speaker in _EN_PRONOUNS
        or _EN_DEFINITE_ROLE.match(speaker or "") is not None
        or _KO_DEFINITE_ROLE.match(speaker or "") is not None
    )


_KO_DEFINITE_ROLE = re.compile(
    r"^(?:해당|그|이|동)\s+(?:" + "|".join(sorted(_TITLES, key=len, reverse=True)) + r")$"
)


_KO_FIRM = re.compile(
    r"([가-힣A-Za-z]{1,10}(?:증권|투자증권|리서치|자산운용|경제연구소|연구원))(?:은|는|이|가|의|에\s*따르면)"
)


def _last_named_firm(before: str) -> str | None:
    """ "해당 연구원", "그 연구원": the research house named last before the quote."""
    found = _KO_FIRM.findall(before[-1500:])
    return found[-1] if found else None


def _sentence_subject(before: str) -> str | None:
    """The subject of the sentence a quote sits in, when it opens the sentence: "The analyst cited
    the outlook for “…”" → "The analyst", "Cowen warned of a “…”" → "Cowen"."""
    start = max(before.rfind(". "), before.rfind("\n"), before.rfind("? "), before.rfind("! "))
    sentence = before[start + 1 :].strip()
    definite = re.match(
        rf"^((?:The|Our|This)\s+(?:[a-z-]+\s+){{0,2}}{_EN_ROLES})\s+[a-z]+", sentence
    )
    if definite:
        return definite.group(1)
    pronoun = re.match(r"^(He|She|They)\s+[a-z]+", sentence)
    if pronoun:
        return pronoun.group(1)
    named = re.match(
        r"^((?:[A-Z][a-z]+\s){0,2}[A-Z][a-z]+)\s+(?:also\s+)?[a-z]+(?:ed|s)\b", sentence
    ) or re.match(  # "Jennifer Okafor, chief economist at Brightline, put it well: “…”"
        r"^((?:[A-Z][a-z]+\s){1,2}[A-Z][a-z]+),[^,\"“”]{2,90},\s+[a-z]+\b", sentence
    )
    if named and named.group(1).split()[0] not in _EN_SENTENCE_OPENERS:
        return named.group(1)
    return None


_EN_SENTENCE_OPENERS = {
    "The", "This", "That", "These", "Those", "It", "We", "I", "In", "On", "At", "As", "But", "And",
    "If", "When", "While", "After", "Before", "For", "With", "Some", "Many", "Most", "Analysts",
    "Investors", "Markets", "Shares", "Stocks", "Prices", "There", "Here", "Our", "Its", "His", "Her",
}  # fmt: skip


def _english_speaker(after: str, before: str) -> str | None:
    # "CEO Daniel Seo(서다니엘) said": a gloss of the name is not part of the sentence.
    after, before = _PARENTHETICAL.sub("", after), _PARENTHETICAL.sub("", before)
    dash = _DASH_ATTRIBUTION.match(after)
    if dash:
        return _clean_english_name(dash.group(1))  # "…" — Priya Raman, CFO
    as_put = _AS_PUT_IT.search(before)
    if as_put:
        return _clean_english_name(as_put.group(1))
    # up to seven words: "Boeing Chief Strategy Officer Marc Allen" (the title is cut later)
    # one capitalised word after another, unambiguously: "(?:[A-Z]\w*\s?){1,7}" can split an
    # all-capitals word in exponentially many ways and stall on "REALLYLONGTICKER"
    name = r"([A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*){0,6}\s?|he|she|they)"
    verbs = _EN_VERBS
    definite = rf"((?:the|our|this)\s+(?:[a-z-]+\s+){{0,2}}{_EN_ROLES})"
    # "chief executive Elena Varga said", "Priya Nandakumar, a senior analyst at X, told us"
    role = r"(?:(?:[a-z][a-z-]*\s+){1,3})?"
    apposition = r"(?:,[^,\"“”]{2,90},)?"
    for pattern in (
        rf"^[\s,]*{_EN_DEFINITE_ORG},?\s+{verbs}\b",
        rf"^[\s,]*{verbs}\s+{_EN_DEFINITE_ORG}",
    ):
        match = re.match(pattern, after)
        if match:
            return match.group(1)  # "the company said": resolved to the company by the caller
    for pattern in (rf"^[\s,]*{definite},?\s+{verbs}\b", rf"^[\s,]*{verbs}\s+{definite}\b"):
        match = re.match(pattern, after)
        if match:
            return match.group(1)  # resolved to the person named before by the caller
    for pattern in (
        rf"^[\s,]*({_EN_INDEFINITE_ROLE}),?\s+{verbs}\b",
        rf"^[\s,]*{verbs}\s+({_EN_INDEFINITE_ROLE})\b",
    ):
        match = re.match(pattern, after)
        if match:
            return match.group(1)  # "an analyst": an unnamed speaker, as written
    for pattern, text in (
        (rf"^[\s,]*{verbs}\s+{name}", after),
        (rf"^[\s,]*{role}{name}{apposition},?\s+{verbs}", after),
    ):
        match = re.match(pattern, text)
        if match:
            return _clean_english_name(match.group(1))
    # "Raman said customers were “…”", "Ruth Calloway used to say, “…”": up to two words
    # between the name and its verb, and a clause of lower-case words before the quotation.
    match = re.search(
        rf"{name}{apposition},?\s+(?:(?!(?:he|she|they|we|it)\b)[a-z]+\s+){{0,2}}{verbs}"
        r"(?:\s+[a-z]+){0,6}[,:]?\s*$",
        before,
    )
    if match:
        return _clean_english_name(match.group(1))
    according = _EN_ACCORDING_BEFORE.search(before)
    if according:
        return according.group(1)  # "According to McKinsey analysts, "…""
    return _reporting_subject(before) or _sentence_subject(before)


# Verbs that report speech and may govern a clause holding a partial quotation further on.
_EN_REPORTING = (
    r"(?:said|says|told|tells|noted|notes|added|adds|suggested|suggests|called|calls|warned|"
    r"warns|argued|argues|wrote|writes|explained|explains|indicated|emphasized|stressed|insisted|"
    r"predicted|described|noting|saying|adding|reports|reported)"
)
_EN_CLAUSE_TO_QUOTE = r"[^.!?\"“”]*$"
# "Jack McIntyre, portfolio manager at X, said that the August report “was like …”",
# "But he noted that there’s a risk that inflation “may be getting stuck above”".
_EN_SUBJECT_REPORTS = re.compile(
    r"\b([A-Z][\w.'’-]*(?:\s[A-Z][\w.'’-]*){0,6}|he|she|He|She)(?:,(?P<apposition>[^,\"“”]{2,90}),)?\s+"
    rf"(?:(?:also|previously|then|later|recently|[a-z]+ly)\s+)?{_EN_REPORTING}\b{_EN_CLAUSE_TO_QUOTE}"
)
# "McIntyre also anticipates a 25-point cut, saying a 50-point cut “should not be …”".
_EN_SUBJECT_SAYING = re.compile(
    r"^([A-Z][\w.'’-]*(?:\s[A-Z][\w.'’-]*){0,3})\b[^.!?\"“”]*?,\s+(?:saying|noting|adding|arguing|"
    r"warning)\b" + _EN_CLAUSE_TO_QUOTE
)


# A line that ends by introducing the quotation on the next line.
_EN_LINE_REPORTS = re.compile(rf"\b{_EN_REPORTING}(?:\s+that)?\s*[:,]?\s*$")


def _reporting_subject(before: str) -> str | None:
    """The subject of a verb of saying earlier in the quotation's own sentence, whose clause
    runs on to the quotation: a partial quotation inside reported speech."""
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"‘])", before)[-1]
    for pattern in (_EN_SUBJECT_REPORTS, _EN_SUBJECT_SAYING):
        match = pattern.search(sentence)
        if match:
            name = _clean_english_name(match.group(1))
            apposition = (match.groupdict().get("apposition") or "").strip()
            if re.fullmatch(r"(?:[A-Z][a-z]+\s?){2,3}", apposition):
                name = apposition  # "Toyota EVP of Business Planning, Yoichi Miyazaki, told"
            first = name.split()[0] if name else ""
            if name in _EN_PRONOUNS:
                return name
            if first in _EN_SENTENCE_OPENERS:
                name = " ".join(name.split()[1:])
            if name:
                return name  # a person, or a body that reports ("Reuters reports that")
    return None


_EN_PERSON = re.compile(
    r"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+){1,2})(?=,|\s+(?:said|says|who|told|wrote|argued|expects|thinks|of|at)\b)"
)
# ", the chief planning officer", ", who runs": words that mark a person, not a company
# (matched where a name ends: `.match(text, end)`, no copy of the rest of the post per name).
_EN_PERSON_EVIDENCE = re.compile(r",?\s+(?:the|a|an|who|our|its|his|her)\b|\s+(?:of|at)\s+[A-Z]")
_EN_ORG_WORDS = {
    "Energy", "Capital", "Power", "Systems", "Labs", "Group", "Partners", "Securities", "Research",
    "Ventures", "Semiconductor", "Robotics", "Motors", "Bank", "Holdings", "Technologies", "Networks",
    "Foundry", "Memory", "Health", "Electric", "Industries", "Inc", "Corp", "Peak", "Fund", "Street",
    "Markets", "Advisors", "Management", "Analytics", "Commission", "Department", "Reserve",
}  # fmt: skip


# Where a name is followed by a verb or a comma it acts in the sentence: a person, not a
# company (matched where a name ends: `.match(text, end)`, no copy of the rest of the post).
_EN_ACTING = re.compile(
    r"\s+(?:also\s+)?(?:[a-z]+ed|said|says|told|tells|thinks|expects|believes|sees|warns|argues|"
    r"predicts|spoke|wrote|stands|adds|notes)\b"
)
_EN_NAME_ANYWHERE = re.compile(r"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+){1,2})\b(?=[,.;:]|\s+[a-z(])")
_EN_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
# "… at Northgate Research" names an employer, not a person.
_EMPLOYER_BEFORE = re.compile(r"\b(?:at|of|from|for|in|by)\s+$")


class _EnglishPeople:
    """The people an English post names, found once per post, so that resolving each "she said"
    or "the analyst added" costs a few binary searches instead of passes over the text before it.

    A name counts from where it starts; a surname alone ("Cowen emphasized") counts as the latest
    full name with that surname written before the quote being resolved."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._subject: str | None = None  # found when first asked for
        mentions = sorted(
            (
                match.start(),
                _clean_english_name(match.group(1)),
                bool(
                    _EN_PERSON_EVIDENCE.match(text, match.end())
                    or _EN_ACTING.match(text, match.end())
                ),
            )
            for pattern in (_EN_PERSON, _EN_NAME_ANYWHERE)
            for match in pattern.finditer(text)
            if not _EMPLOYER_BEFORE.search(text[max(0, match.start() - 6) : match.start()])
            and match.group(1).split()[-1] not in _EN_ORG_WORDS
            and match.group(1).split()[0] not in _EN_SENTENCE_OPENERS
        )
        # Full names by surname, in text order (every mention, as the surname lookup sees them).
        self._full_names: dict[str, tuple[list[int], list[str]]] = {}
        for start, name, _ in mentions:
            starts, names = self._full_names.setdefault(name.split()[-1], ([], []))
            starts.append(start)
            names.append(name)
        # Mentions that can be a speaker, with for each the latest one up to it that reads as a
        # person (or -1).
        kept = [item for item in mentions if item[1] and item[1] not in _EN_PRONOUNS]
        self._starts = [start for start, _, _ in kept]
        self._mentions = kept
        self._latest_person: list[int] = []
        latest = -1
        for index, (_, _, evidence) in enumerate(kept):
            if evidence:
                latest = index
            self._latest_person.append(latest)
        # A surname alone that acts ("Cowen emphasized", "Cowen, …") counts once a full name with
        # that surname has been written: ordered by the position from which it counts, with the
        # latest occurrence among those counting so far.
        # (One pass over the capitalised words, not one per surname.)
        occurrences: list[tuple[int, int, str]] = []
        for match in _EN_CAPITALISED.finditer(text):
            full_names = self._full_names.get(match.group())
            if full_names and (
                _EN_ACTING.match(text, match.end()) or text.startswith(",", match.end())
            ):
                occurrences.append(
                    (max(match.start(), full_names[0][0]), match.start(), match.group())
                )
        occurrences.sort()
        self._surname_counts_from = [counts_from for counts_from, _, _ in occurrences]
        self._latest_surname: list[tuple[int, str]] = []
        best: tuple[int, str] = (-1, "")
        for _, start, surname in occurrences:
            best = max(best, (start, surname))
            self._latest_surname.append(best)

    def subject_of_post(self) -> str | None:
        """The person a post is about: a surname written at least three times and at least twice
        as often as any other person's (an essay on Keynes, a profile of Galbraith)."""
        if self._subject is None:
            # Every full name, wherever written ("the genius of John Maynard Keynes"), by surname.
            full_names: dict[str, str] = {}
            for match in _EN_FULL_NAME.finditer(self._text):
                words = match.group().split()
                if not (
                    words[0] in _EN_SENTENCE_OPENERS | _EN_NOT_NAMES
                    or words[-1] in _EN_ORG_WORDS | _EN_NOT_NAMES
                ):
                    full_names.setdefault(words[-1], match.group())
            # one pass over the capitalised words, not one per surname
            written = Counter(_EN_CAPITALISED.findall(self._text))
            counts = sorted(((written[surname], surname) for surname in full_names), reverse=True)
            self._subject = ""
            if (
                counts
                and counts[0][0] >= 3
                and (len(counts) < 2 or counts[0][0] >= 2 * counts[1][0])
            ):
                self._subject = full_names[counts[0][1]]
        return self._subject or None

    def full_name(self, surname: str, before: int) -> str | None:
        """ "Peterson" → "Timothy Peterson": the latest full name with this surname before."""
        starts, names = self._full_names.get(surname, ([], []))
        count = bisect.bisect_left(starts, before)
        return names[count - 1] if count else None

    def last_before(
        self, before: int, last_attributed: Quote | None, window: int | None = None
    ) -> str | None:
        """The person "she said" at `before` refers to: the latest quoted speaker or named person
        (with words marking a person) before it, else the latest name at all; with a `window`,
        only those starting at most that many characters before it."""
        earliest = -1 if window is None else before - window
        count = bisect.bisect_left(self._starts, before)
        candidates: list[tuple[int, str]] = []
        person = self._latest_person[count - 1] if count else -1
        if person >= 0:
            candidates.append(self._mentions[person][:2])
        counting = bisect.bisect_left(self._surname_counts_from, before)
        if counting:
            start, surname = self._latest_surname[counting - 1]
            starts, names = self._full_names[surname]
            candidates.append((start, names[bisect.bisect_left(starts, before) - 1]))
        if last_attributed is not None and last_attributed.start < before:
            assert last_attributed.speaker is not None
            candidates.append((last_attributed.start, last_attributed.speaker))
        candidates = [item for item in candidates if item[0] >= earliest]
        if candidates:
            return max(candidates)[1]
        if count and self._mentions[count - 1][0] >= earliest:
            return self._mentions[count - 1][1]
        return None


# Capitalised words that open no name: dates and determiners ("Every December", "Last Friday").
_EN_NOT_NAMES = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
    "Saturday", "Sunday", "Every", "Each", "Last", "Next", "New", "North", "South", "East", "West",
}  # fmt: skip
_EN_FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s[A-Z]\.)?(?:\s[A-Z][a-z]+){1,2}\b")
# Two capitalised words in a row, as a person's name is written ("Paul Krugman’s “…”").
_EN_TWO_NAMES = re.compile(r"\b[A-Z][a-z]+\s[A-Z][a-z]+")
_QUOTATION = re.compile(r"“[^”]*”|\"[^\"]*\"")


def _without_quotations(sentence: str) -> str:
    """A sentence with its quotations taken out, to see whom the writer's own words name."""
    return _QUOTATION.sub(" ", sentence)


def _attributed(quote: Quote) -> bool:
    """A quote whose speaker can stand for a later "she said" or "the analyst added"."""
    return bool(quote.speaker) and not is_anaphor(quote.speaker)


# Case particles that end a two-syllable noun, not a given name ("300억달러 이상의 매출").
_CASE_SYLLABLES = set("의을를에로")


class _KoreanFullNames:
    """Korean full names of a post by surname, found once per surname, so that expanding each
    short form ("손 의장") costs a binary search instead of a pass over the text."""

    def __init__(self, text: str) -> None:
        self._text = text
        # surname → (starts, names, the words after each name up to a break, for its title)
        self._by_surname: dict[str, tuple[list[int], list[str], list[str]]] = {}
        self._by_title: dict[tuple[str, str], tuple[list[int], list[str]]] = {}

    def _found(self, surname: str) -> tuple[list[int], list[str], list[str]]:
        found = self._by_surname.get(surname)
        if found is None:
            found = ([], [], [])
            for match in re.finditer(
                rf"(?<![\uac00-\ud7a3])({re.escape(surname)}[\uac00-\ud7a3]{{2}})(?=[\s(]|은|는|이|가|의)",
                self._text,
            ):
                if looks_korean_name(match.group(1)) and match.group(1)[-1] not in _CASE_SYLLABLES:
                    found[0].append(match.start())
                    found[1].append(match.group(1))
                    found[2].append(
                        re.split(r"[.,\n“\"]", self._text[match.end() : match.end() + 40])[0]
                    )
            self._by_surname[surname] = found
        return found

    def latest(self, surname: str, title: str, before: int) -> str | None:
        """The latest full name with this surname that starts before `before`, preferring one
        written with the same title ("김민재 하나증권 연구원" for "김 연구원")."""
        titled = self._by_title.get((surname, title))
        if titled is None:
            starts, names, following = self._found(surname)
            titled = self._by_title[(surname, title)] = (
                [start for start, after in zip(starts, following, strict=True) if title in after],
                [name for name, after in zip(names, following, strict=True) if title in after],
            )
        count = bisect.bisect_left(titled[0], before)
        if count:
            return titled[1][count - 1]
        # Else a name written as one: a subject, glossed, or with some title ("이라고 설명했다",
        # "이상의 매출" are words that merely look like names).
        starts, names, following = self._found(surname)
        count = bisect.bisect_left(starts, before)
        for index in range(count - 1, -1, -1):
            after = following[index]
            if re.match(r"^(?:은|는|이|가|\()", after) or any(
                _is_title(word) for word in after.split()[:3]
            ):
                return names[index]
        return None


def _expand_short_form(name: str | None, full_names: _KoreanFullNames, before: int) -> str | None:
    """ "손 의장" → "손영권": the latest Korean full name with that surname earlier in the post,
    preferring one written with the same title ("김민재 하나증권 연구원" for "김 연구원")."""
    if not name:
        return name
    parts = name.split()
    if len(parts) != 2 or len(parts[0]) != 1 or not _is_title(parts[1]):
        return name
    return full_names.latest(parts[0], parts[1], before) or name


_BOUNDARY = re.compile(r"(?<=[.!?])\s+|(?<=다\.)|(?<=요\.)|(?<=[가-힣]\.)(?=\S)")


def _attribution_spans(
    line: str, quote_spans: list[tuple[int, int, int, int]]
) -> list[tuple[int, int]]:
    """Sentence spans of a line, ignoring punctuation inside quotations."""
    masked = list(line)
    for _, _, inner_start, inner_end in quote_spans:
        for index in range(inner_start, inner_end):
            masked[index] = "x"
    masked_line = "".join(masked)
    spans, start = [], 0
    for match in _BOUNDARY.finditer(masked_line):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(line):
        spans.append((start, len(line)))
    return spans


def title_quotes(title: str, body_quotes: Sequence[Quote]) -> list[Quote]:
    """Quotes in a headline ("…“2027년까지 500대”"), attributed to the body quote they excerpt."""
    found = []
    for _, _, inner_start, inner_end in _quote_spans(title):
        inner = title[inner_start:inner_end].strip()
        if len(inner) < 8 or title[inner_start - 1] == "‘" or "://" in inner:
            continue
        words = set(re.findall(r"[\w\uac00-\ud7a3]{2,}", inner))
        best = max(
            body_quotes,
            key=lambda quote: len(words & set(re.findall(r"[\w\uac00-\ud7a3]{2,}", quote.text))),
            default=None,
        )
        overlap = len(words & set(re.findall(r"[\w\uac00-\ud7a3]{2,}", best.text))) if best else 0
        speaker = best.speaker if best is not None and overlap >= 2 else None
        named = headline_speaker(title) or _body_speaker_named(
            title[: inner_start - 1], body_quotes
        )
        found.append(Quote(inner, named or speaker, title, -1, -1))
    return found


def _body_speaker_named(caption: str, body_quotes: Sequence[Quote]) -> str | None:
    """ "‘월가 황제’ 다이먼 “…”": the body's speaker whose name ends with the caption's last word
    (a headline calls people by surname)."""
    words = _NICKNAME.sub(" ", caption).split()
    if not words or len(words[-1]) < 2 or words[-1][-1] in _CAPTION_PARTICLES:
        return None
    return next(
        (
            quote.speaker
            for quote in body_quotes
            if quote.speaker and quote.speaker.split()[-1] == words[-1].strip("'\"‘’“”")
        ),
        None,
    )


def headline_speaker(title: str) -> str | None:
    """The person a headline names right before its quotation ("강훈식 “석유화학 업계 …”",
    "[인터뷰] 구용욱 연구위원 “…”"): the speaker of the headline and of the quoted deck under it."""
    first = min((span[0] for span in _quote_spans(title)), default=-1)
    return _label_speaker(title[:first]) if first > 0 else None


# "Tom Aldana, head of strategy at X, thinks the next leg is underway. "We'll …"": the person
# the sentence before an unattributed quote is about.
_EN_LEAD_PERSON = re.compile(
    r"(?:^|[.!?]\s+)((?:[A-Z][a-z]+\s){1,2}[A-Z][a-z]+)(?:,[^.]{0,100},)?\s+"
    r"(?:thinks|believes|expects|argues|says|sees|warns|predicts|is\s+convinced)\b[^\"“]*$"
)


def _lead_person(before: str) -> str | None:
    """The person the sentence just before a quote is about, if it is about one."""
    match = _EN_LEAD_PERSON.search(before)
    return match.group(1) if match and match.group(1).split()[-1] not in _EN_ORG_WORDS else None


_COLON_LABEL = re.compile(
    r"(?:^|[\s🔹▶•·\-])(?P<label>[A-Za-z가-힣][\w가-힣 .]{0,24}?)\s*(?:\((?P<inner>[^)]{2,20})\))?\s*(?:[:：]|→|->)\s*$"
)
_NOT_SPEAKER_LABELS = {
    "Q", "A", "Note", "Notes", "Source", "Update", "Answer", "Question", "Summary", "Guidance",
    "Comment", "Comments", "Quote", "Takeaway", "TL", "Bottom", "Edit",
}  # fmt: skip


# "마일스 도이처(Miles Deutscher)는 “…”": a name with its Latin spelling right before the quotation,
# whatever (mis)spelt particle or colon joins them.
_GLOSSED_BEFORE = re.compile(
    r"(?:^|\s)([가-힣]{1,5}(?:\s[가-힣]{1,5})?)\s*\((?:[A-Z][a-z]+\.?\s){1,2}[A-Z][a-z]+\)"
    r"[^\s\"“”'‘’「(),.]{0,3}\s*[:：]?\s*$"
)


def _glossed_name_before(before: str) -> str | None:
    """The person glossed with a Latin spelling just before a quotation."""
    match = _GLOSSED_BEFORE.search(before)
    return match.group(1) if match else None


# "[인터뷰]", "<인터뷰>", "[싱크]": broadcast transcripts tag the line naming who speaks next.
_TRANSCRIPT_TAG = re.compile(r"^\s*(?:[\[<(【]\s*(?:인터뷰|싱크|녹취|현장음|INT)\s*[\]>)】]\s*)+")
_NICKNAME = re.compile(r"[‘'`][^‘’'`]{1,20}[’'`]")


# A caption ends on the name or title itself; these end a subject or an object instead.
_CAPTION_PARTICLES = set("은는이가도의을를에")


def _label_speaker(label: str, common_nouns: frozenset[str] = frozenset()) -> str | None:
    """The speaker a short label names when a quotation follows it with no particle or verb:
    a headline ("최태원 “…”", "‘월가 황제’ 다이먼 “…”") or a transcript's caption ("[인터뷰] 진양곤 /
    에이치엘비 회장" on the line before "“…”"). Only a Korean full name, a name with a title, or
    a tagged caption counts: a lone noun before a quotation ("전문가 “…”") names nobody."""
    tagged = bool(_TRANSCRIPT_TAG.match(label))
    label = _NICKNAME.sub(" ", _TRANSCRIPT_TAG.sub("", label)).replace("/", " ").strip(" -·:")
    words = label.split()
    if not words or len(words) > 6 or not re.search(r"[\uac00-\ud7a3]", label):
        return None
    if re.search(r"[.!?“”\"]|(?:다|요|죠|음|함)$", label):
        return None  # a sentence, not a caption
    titled = any(_is_title(word) for word in words)
    if not tagged and words[-1][-1] in _CAPTION_PARTICLES:
        return None  # "장 사장은 “…”": a subject with its particle (read as one elsewhere)
    if not (_is_title(words[-1]) or looks_korean_name(words[-1], common_nouns) or tagged):
        return None  # "… 부사장은 “…”": a subject with its particle is read as one elsewhere
    name = person_name(label, common_nouns)
    if name is None or (len(name) < 2 and not titled):
        return None
    return name


# A sentence ending in a verb of saying, right before a quotation ("찰리는 내게 조언했습니다. “…”").
_KO_SAID_BEFORE = re.compile(
    r"(?:^|[.!?]\s+)([^.!?“”\"]*?(?:말했|조언했|밝혔|강조했|설명했|전했|덧붙였|답했|물었|당부했|"
    r"주문했|털어놨|회고했|회상했|말하곤\s?했)(?:다|습니다|어요)\s*[.:]?)\s*$"
)


# "바비 리 CEO가 이 같이 전망했다": the sentence that names who said the quotations before it.
_KO_SAID_SO = re.compile(
    r"(?:이\s?같이|이와\s?같이|이렇게)\s*(?:말|밝|전망|강조|설명|주장|언급|예상|내다|진단|분석|전했|예견|"
    r"경고|평가)"
)


def _unnamed(speaker: str | None) -> bool:
    """No one in particular: no speaker, or a role without a name ("가상자산 전문가")."""
    if not speaker:
        return True
    words = speaker.split()
    return (
        len(words) > 1
        and (_is_title(words[-1]) or words[-1] in _UNNAMED_ROLES | _ROLE_NOUNS)
        and not any(looks_korean_name(word) for word in words)
    )


def _identify_unnamed(
    quotes: list[Quote], line: str, line_start: int, subjects: Sequence[_Subject]
) -> None:
    """A lede quotes "a crypto expert" and the next paragraph names him ("…바비 리 CEO가 이 같이
    전망했다"): the run of quotations just before without a named speaker are his."""
    for match in _KO_SAID_SO.finditer(line):
        at = line_start + match.start()
        sentence_start = line_start + max(line.rfind(". ", 0, match.start()) + 1, 0)
        named = [
            s for s in subjects if sentence_start <= s.start and s.end <= at and s.person and s.name
        ]
        if not named:
            continue
        index = len(quotes)
        while (
            index > 0
            and quotes[index - 1].start < sentence_start
            and at - quotes[index - 1].start <= _CONTINUATION_WINDOW
            and _unnamed(quotes[index - 1].speaker)
        ):
            index -= 1
        for position in range(index, len(quotes)):
            if quotes[position].start < sentence_start:
                quotes[position] = dataclasses.replace(quotes[position], speaker=named[-1].name)


def _caption_person(caption: str) -> str | None:
    """A heading line that credits a person ("■ 외국계 코멘트 (Pinecrest Securities, Evan Tolbert
    7/18 노트)") over a quotation standing alone: the last full name it writes."""
    if (
        len(caption) > 100
        or re.search(r"[.!?](?:\s|$)|[“”\"]|:\s*$", caption)
        or _EN_LINE_REPORTS.search(caption)
    ):
        return None  # a sentence, or a line introducing the quotation ("Yesterday he said:")
    names = [
        match.group()
        for match in _EN_FULL_NAME.finditer(caption)
        if match.group().split()[-1] not in _EN_ORG_WORDS | _EN_COMPANY_SUFFIXES
        and match.group().split()[0] not in _EN_SENTENCE_OPENERS | _EN_NOT_NAMES
    ]
    return names[-1] if names else None


def _line_before(text: str, line_start: int) -> str:
    """The last non-blank line before the line starting at `line_start`."""
    before = text[:line_start].rstrip()
    return before[before.rfind("\n") + 1 :]


# How far back a dropped subject still refers to the last speaker (about three paragraphs).
_CONTINUATION_WINDOW = 1500


def _latest_speaker(
    last_attributed: Quote | None, last_person: _Subject | None, at: int
) -> str | None:
    """Whoever was quoted or named as a person last before `at`, within the window."""
    candidates = []
    if last_attributed is not None and last_attributed.speaker:
        candidates.append((last_attributed.start, last_attributed.speaker))
    if last_person is not None and last_person.name:
        candidates.append((last_person.start, last_person.name))
    candidates = [item for item in candidates if at - item[0] <= _CONTINUATION_WINDOW]
    return max(candidates)[1] if candidates else None


def _colon_label(before: str) -> str | None:
    """ "CFO(박지훈): “…”", "Maya Okafor: "…"": a speaker label written before a colon."""
    match = _COLON_LABEL.search(before)
    if not match:
        return None
    inner, label = match.group("inner"), match.group("label").strip()
    if inner and (
        looks_korean_name(inner.strip())
        or re.fullmatch(r"[A-Z][a-z]+(?: [A-Z][a-z]+)+", inner.strip())
    ):
        return inner.strip()
    words = label.split()
    if words and words[0] in _TITLES | _EN_TITLE_WORDS and len(words) > 1:
        return " ".join(words[1:])  # "CFO Lena Hartmann:", "유튜버 테크몽키 →"
    if any(_is_title(word) for word in words):
        return person_name(label) or label
    if looks_korean_name(label) or re.fullmatch(r"(?:[A-Z][a-z]+ ){1,2}[A-Z][a-z]+", label):
        return label
    if re.fullmatch(r"[A-Z][a-z]{2,}", label) and label not in _NOT_SPEAKER_LABELS:
        return label  # "Hartmann:" in call notes
    return None


# A signature: "Benjamin Franklin", "Leo Tolstoy (novelist)", "Aristotle".
_EN_SIGNATURE = re.compile(
    r"^((?:[A-Z][\w.'’-]+)(?:\s+(?:[A-Z][\w.'’-]+|de|van|von|da)){0,3})\s*(?:\(.*\))?\s*$"
)
_DASH_AFTER = re.compile(r"^\s*[—–-]{1,2}\s*([^\s\"“”'‘’—–-][^\n\"“”]{1,40}?)\s*$")
_UNNAMED_ROLES = {"분석가", "애널리스트", "전문가", "관계자", "투자자", "트레이더"}
# Words that open a paragraph continuing the speech of the paragraph before.
_FOLLOW_ON = re.compile(
    r"^\s*(?:이어|이어서|또|또한|그러면서|아울러|그러나|다만|특히|이와 함께)?\s*[,]?\s*$"
)


# "In my view patience is the most important factor. - John Lee (UK private investor)": a saying
# without quotation marks, signed after a dash on its own line or bullet.
_SIGNED_LINE = re.compile(
    r"^[ \t]*(?:[•▪◦·*-][ \t]+)?(?P<body>[^\n\"“”‘’]{20,}?[.!?…])[ \t]+[—–-]{1,2}[ \t]+"
    r"(?P<who>[^\n\"“”‘’—–]{2,60}?)[ \t]*$",
    re.MULTILINE,
)


def _signed_lines(text: str) -> list[Quote]:
    """Sayings signed with a dash and a name, written without quotation marks."""
    found = []
    for match in _SIGNED_LINE.finditer(text):
        body, who = match.group("body").strip(), match.group("who")
        signed = _EN_SIGNATURE.match(who)
        name = signed.group(1).strip() if signed else None
        if name is None and looks_korean_name(_PARENTHETICAL.sub("", who).strip()):
            name = _PARENTHETICAL.sub("", who).strip()
        if name is None or len(body.split()) < 4 or name.split()[0] in _EN_SENTENCE_OPENERS:
            continue
        found.append(Quote(body, name, match.group().strip(), match.start("body"), match.end()))
    return found


def extract_quotes(
    text: str, sentences: Sequence[Sentence], title_speaker: str | None = None
) -> list[Quote]:
    """Quotes with speakers from a post's text and its sentences (for Kiwi tokens), and sayings
    signed after a dash without quotation marks. `title_speaker` (`headline_speaker` of the
    post's title) speaks the quotations that open the text under the headline."""
    signed = _signed_lines(text)
    if not _ANY_QUOTE_MARK.search(text):
        return signed
    marked = _marked_quotes(text, sentences, title_speaker)
    return sorted(marked + signed, key=lambda quote: quote.start)


def _marked_quotes(
    text: str, sentences: Sequence[Sentence], title_speaker: str | None = None
) -> list[Quote]:
    """Quotations in quotation marks, with their speakers."""
    lines: dict[int, list[Sentence]] = {}
    for sentence in sentences:
        lines.setdefault(sentence.line, []).append(sentence)
    quotes: list[Quote] = []
    people: list[_Subject] = []  # person-like subjects seen so far, in text order
    last_person: _Subject | None = None  # the latest of them that is a person
    last_attributed: Quote | None = None  # the latest quote with a speaker
    english_people: _EnglishPeople | None = None  # found when first needed
    full_names = _KoreanFullNames(text)
    last_quote = max(match.start() for match in _ANY_QUOTE_MARK.finditer(text))
    # The headline is the "line" before the first: a deck of quotations under it carries on.
    last_speaker: str | None = title_speaker
    last_quote_line = previous_line = -1
    for _, line_sentences in sorted(lines.items()):
        line_start = line_sentences[0].start
        line = text[line_start : line_sentences[-1].end]
        spans = _quote_spans(line)
        speech = [
            span
            for span in spans
            if _is_speech(
                line[span[2] : span[3]],
                line[span[1] : span[1] + 40],
                line[span[0]] == "‘",
                line[max(0, span[0] - 200) : span[0]],
            )
        ]
        inside = [(line_start + a, line_start + b) for a, b, _, _ in speech]
        tokens = [
            token
            for sentence in line_sentences
            for token in sentence.tokens
            if not inside or not any(a <= token.start < b for a, b in inside)
        ]
        subjects = _subjects(tokens, text)
        line_nouns = frozenset(token.form for token in tokens if token.tag == "NNG")
        attribution = _attribution_spans(line, spans)
        previous: tuple[tuple[int, int], str | None] | None = None
        carried = last_speaker if last_quote_line == previous_line else None
        previous_line = line_start
        cursor = 0
        for open_at, close_at, inner_start, inner_end in speech:
            absolute_open, absolute_close = line_start + open_at, line_start + close_at
            # People mentioned before this quote become available for pronouns.
            while cursor < len(subjects) and subjects[cursor].end <= absolute_open:
                if subjects[cursor].person_like:
                    people.append(subjects[cursor])
                    if subjects[cursor].person:
                        last_person = subjects[cursor]
                cursor += 1
            span = next(((a, b) for a, b in attribution if a <= open_at < b), (0, len(line)))
            span_start, span_end = line_start + span[0], line_start + span[1]
            inner = line[inner_start:inner_end]
            # A subject counts by where it ends: a bullet line's phrase may start on the mark.
            before_subjects = [s for s in subjects if span_start < s.end and s.end <= absolute_open]
            after_subjects = [s for s in subjects if absolute_close <= s.start < span_end]
            speaker: str | None = _colon_label(line[max(0, open_at - 48) : open_at])
            if speaker is None:
                speaker = _glossed_name_before(line[max(0, open_at - 60) : open_at])
            if speaker is None and re.search(r"[\uac00-\ud7a3]", inner):
                # "[인터뷰] 구용욱 KDB대우증권 연구위원 “…”", "최태원 “…”": a caption, no particle
                speaker = _label_speaker(re.split(r"(?<=[.!?])\s+", line[:open_at])[-1], line_nouns)
            if speaker is None and not line[:open_at].strip():
                # "<인터뷰> 정재호 에이비엘바이오 전무" on the line before a quotation standing alone
                speaker = _label_speaker(_line_before(text, line_start)) or _caption_person(
                    _line_before(text, line_start)
                )
            dash = _DASH_AFTER.match(line[close_at:])
            if speaker is None and dash and re.search(r"[\uac00-\ud7a3]", inner):
                # "“…” – 월스트리트 기술 분석가": the source written after a dash
                speaker = (
                    person_name(dash.group(1))
                    if any(_is_title(word) for word in dash.group(1).split())
                    and not (set(dash.group(1).split()) & _UNNAMED_ROLES)
                    else dash.group(1).strip()
                )
            if speaker is None and dash and not re.search(r"[\uac00-\ud7a3]", inner):
                # "“Patience is bitter …” - Aristotle": a quotation signed after a dash.
                signed = _EN_SIGNATURE.match(dash.group(1))
                if signed:
                    speaker = signed.group(1).strip()
            if (
                speaker is None
                and re.search(r"[A-Za-z]", inner)
                and not re.search(r"[\uac00-\ud7a3]", inner)
            ):
                before_quote = line[max(0, open_at - 300) : open_at]
                # A partial quotation inside reported speech ("Schmid suggested that policy
                # should remain “modestly restrictive,” while Daly wrote …") is the reporting
                # subject's, whoever the rest of the sentence goes on to quote.
                speaker = (
                    _reporting_subject(before_quote)
                    if _reported_phrase(inner.strip(), before_quote)
                    else None
                ) or _english_speaker(line[close_at : close_at + 60], before_quote)
            if speaker and re.fullmatch(_EN_DEFINITE_ORG, speaker, re.IGNORECASE):
                english_people = english_people or _EnglishPeople(text)
                speaker = _last_organisation(text[:absolute_open], english_people)
            elif speaker in {"they", "They"}:
                # A group or a company, not the last person named: only the speaker quoted
                # just before can be "they".
                near = last_attributed is not None and absolute_open - last_attributed.end < 400
                speaker = last_attributed.speaker if near and last_attributed else None
            elif is_anaphor(speaker) and not _KO_DEFINITE_ROLE.match(speaker or ""):
                english_people = english_people or _EnglishPeople(text)
                speaker = english_people.last_before(absolute_open, last_attributed)
            if speaker is None:
                named = [s for s in before_subjects if s.person_like]
                reports = [s for s in before_subjects if s.report]
                if reports and not named and last_attributed is not None:
                    speaker = last_attributed.speaker  # "또 보고서는 “…”고 설명했다"
                elif named:
                    speaker = named[0].name
                elif any(s.pronoun for s in before_subjects) and people:
                    speaker = (last_person or people[-1]).name
                elif previous is not None and previous[0] == span:
                    speaker = previous[1]
                elif (
                    re.search(r"[\uac00-\ud7a3]", inner)
                    and (said := _KO_SAID_BEFORE.search(line[:open_at]))
                    and (
                        introducing := [
                            s
                            for s in subjects
                            if line_start + said.start(1) <= s.start
                            and s.end <= absolute_open
                            and (s.pronoun or (s.name and s.nominal and not s.report))
                        ]
                    )
                ):
                    # "1965년 찰리는 내게 조언했습니다. “워런, …”": the sentence before introduces
                    # the quotation with a verb of saying, as "X said:" does.
                    first = introducing[0]
                    speaker = (last_person or first).name if first.pronoun else first.name
                elif _KO_SAID_VERB_AFTER.match(line[close_at : close_at + 40]) and (
                    subject := next(
                        (
                            s
                            for s in before_subjects
                            if s.name and s.nominal and not s.pronoun and not s.report
                        ),
                        None,
                    )
                ):
                    # "금융위는 “…”고 밝혔다": whatever the subject of a verb of saying is, it
                    # speaks, though Kiwi knows it as no name (an abbreviated body, a board).
                    speaker = subject.name
                else:
                    according = _according_to(text[span_start:span_end])
                    if according:
                        speaker = person_name(according) or according
                    elif any(s.person_like and not s.thing for s in after_subjects):
                        speaker = next(
                            s.name for s in after_subjects if s.person_like and not s.thing
                        )
                    elif (
                        previous is not None
                        and previous[1]
                        and not any(s.person_like for s in before_subjects)
                        and (
                            # a Korean quotation carries on only when said ("…”고 말했다"),
                            # not a question the writer asks next ("“왜 샀을까?”")
                            not re.search(r"[\uac00-\ud7a3]", inner)
                            or _SPEECH_AFTER.match(line[close_at : close_at + 40])
                        )
                    ):
                        # "이어 “…”고 강조했다": a follow-on quote keeps its speaker.
                        speaker = previous[1]
                    elif (
                        carried is not None
                        and not any(s.person_like for s in before_subjects)
                        and _FOLLOW_ON.match(line[:open_at])
                    ):
                        # A paragraph opening "이어 “…”" continues the last paragraph's quote.
                        speaker = carried
                    elif not line[:open_at].strip() and people and people[-1].person:
                        # A quotation standing on its own line: the person the text is about
                        # (a person: "HBM는 …" before an analyst's note is a product).
                        speaker = people[-1].name
                    elif re.search(r"[\uac00-\ud7a3]", inner) and _SAID_AFTER.match(
                        line[close_at : close_at + 40]
                    ):
                        # "내년 전망에 대해선 “…”고 내비쳤다": Korean drops the subject while the
                        # same person goes on speaking: the one quoted or named last.
                        speaker = _latest_speaker(last_attributed, last_person, absolute_open)
            if (
                speaker is None
                and not re.search(r"[\uac00-\ud7a3]", inner)
                and not line[:open_at].strip()
                and _EN_LINE_REPORTS.search(_line_before(text, line_start))
            ):
                # "Reuters reports that" / "The CFO wrote:" ending the line above the quotation
                speaker = _reporting_subject(_line_before(text, line_start) + " ")
                if is_anaphor(speaker):
                    # "Chairman Powell seems to lean that way. Yesterday he said:": the person
                    # named nearest, as for a quotation standing alone.
                    english_people = english_people or _EnglishPeople(text)
                    speaker = english_people.last_before(absolute_open, last_attributed, window=400)
            if speaker is None and not re.search(r"[\uac00-\ud7a3]", inner):
                speaker = _lead_person(text[max(0, absolute_open - 300) : absolute_open])
            if (
                speaker is None
                and not re.search(r"[\uac00-\ud7a3]", inner)
                and not line[:open_at].strip()
            ):
                # "I expect …" on a line of its own: the person the paragraph before names.
                english_people = english_people or _EnglishPeople(text)
                speaker = english_people.last_before(absolute_open, last_attributed, window=400)
            if (
                speaker is None
                and re.search(r"[A-Za-z]{3}", inner)
                and not re.search(r"[\uac00-\ud7a3]", inner)
                and not _EN_TWO_NAMES.search(_without_quotations(text[span_start:span_end]))
            ):
                # An essay on an author quotes the author without saying so each time ("By
                # paying attention to the signs, "there is a chance …""): the person the post
                # is about, when its sentence names nobody else.
                english_people = english_people or _EnglishPeople(text)
                speaker = english_people.subject_of_post()
            speaker = _expand_short_form(speaker, full_names, absolute_open)
            if speaker and re.fullmatch(r"[A-Z][a-z]+", speaker):
                # "Peterson said": the full name written earlier in the post.
                english_people = english_people or _EnglishPeople(text)
                speaker = english_people.full_name(speaker, absolute_open) or speaker
            if speaker and _KO_DEFINITE_ROLE.match(speaker):
                # "해당 연구원은 …. 그는 “…”": the research house the post named before.
                speaker = _last_named_firm(text[:absolute_open]) or speaker
            previous = (span, speaker)
            last_speaker, last_quote_line = speaker, line_start
            sentence_text = text[span_start:span_end].strip()
            quote = Quote(inner.strip(), speaker, sentence_text, absolute_open, absolute_close)
            quotes.append(quote)
            if _attributed(quote):
                last_attributed = quote
        _identify_unnamed(quotes, line, line_start, subjects)
        for subject in subjects[cursor:]:
            if subject.person_like:
                people.append(subject)
                if subject.person:
                    last_person = subject
        if line_start >= last_quote:
            break  # nothing after the last quotation can be a speaker for it
    return _continued_paragraphs(quotes, text)


def _continued_paragraphs(quotes: list[Quote], text: str) -> list[Quote]:
    """A quotation running over paragraphs leaves each but the last unclosed and opens the next
    with a fresh mark ("“We expect … beyond.¶“Our backlog …,” said Lopez"): the paragraphs left
    open are the speaker of the one that closes."""
    for index in range(len(quotes) - 2, -1, -1):
        current, following = quotes[index], quotes[index + 1]
        unclosed = text[current.end - 1 : current.end] not in _CLOSING_MARKS
        if (
            current.speaker is None
            and following.speaker
            and unclosed
            and not text[current.end : following.start].strip()
            and text[following.start : following.start + 1] in _OPENING_MARKS
        ):
            quotes[index] = dataclasses.replace(current, speaker=following.speaker)
    return quotes


_OPENING_MARKS = {"“", '"', "「", "『"}
_CLOSING_MARKS = {"”", '"', "」", "』", "’", "'"}
