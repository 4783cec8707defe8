"""Quoted speech and who said it.

Korean news writes "X는 “…”라고 말했다", "“…”며 … 강조했다", "X에 따르면"; English writes
"…," X said / said X / X says. Short quoted phrases (‘언택트’, "AI bubble") are scare quotes,
not speech. Pronouns (그는) and short forms (손 의장, 이 대표) are resolved to the last full name.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from digests.analysis.sentences import Sentence, Token

_PAIRS = [("“", "”"), ("「", "」"), ("『", "』"), ('"', '"'), ("‘", "’")]
_MIN_QUOTE_CHARS = 12
_ANY_QUOTE_MARK = re.compile('[“「『"‘]')
_SPEECH_AFTER = re.compile(
    r"^\s*(?:이?라고|고|이?라며|며|이?라면서|면서|하며|하고|라는|이라는|는|이란|란|,|\.|라|이라)"
    r"|^\s*,?\s*(?:said|says|told|added|wrote|noted|explained|argued|warned|according)\b",
    re.IGNORECASE,
)
# Markers of reported speech only (not of naming, as in "‘언택트’라는 말").
_SAID_AFTER = re.compile(
    r"^\s*(?:이?라고|고\s|고$|이?라며|며|이?라면서|면서)|^\s*,?\s*(?:said|says|told|added)\b", re.I
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
# Unnamed sources quoted by their role: "한 업계 관계자", "회사 측", "an industry official".
_ROLE_NOUNS = {
    "관계자", "측", "임원", "소식통", "대변인", "당국자", "관계자들", "담당자", "관계자는", "고위",
    "official", "officials", "spokesperson", "spokesman", "source", "sources", "executive",
    # people a personal blog quotes by how the writer knows them
    "아버지", "어머니", "엄마", "아빠", "할머니", "할아버지", "아내", "남편", "친구", "선배", "후배",
    "부장님", "팀장님", "사장님", "형", "누나", "언니", "오빠", "동생", "지인",
}  # fmt: skip
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
    spans.sort()
    return spans


def _is_speech(inner: str, after: str, single_quotes: bool) -> bool:
    inner = inner.strip()
    words = inner.split()
    sentence_like = bool(re.search(r"(다|요|죠|니다|[.!?…,])\W*$", inner))
    if len(inner) < _MIN_QUOTE_CHARS:
        # Short, but said: "“혁신을 계속하겠다”고 설명했다".
        return sentence_like and len(inner) >= 6 and bool(_SAID_AFTER.match(after))
    attributed = bool(_SPEECH_AFTER.match(after))
    if single_quotes and not attributed:
        return False
    if len(words) < 3 and not sentence_like:
        return False
    return attributed or sentence_like or len(words) >= 5


_FOREIGN_SYLLABLES = set("스즈츠드트크프브르그치쉬슈엘렌널런린릭딘던티샘팀톰잭존짐빌밥")


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


def person_name(phrase: str, common_nouns: frozenset[str] = frozenset()) -> str | None:
    """The person's name in a subject phrase such as "토마스 쿠리안(Thomas Kurian) 구글 클라우드
    최고경영자(CEO)" → "토마스 쿠리안", "브로드컴의 호크 탄 CEO" → "호크 탄", "손 의장" → "손 의장"."""
    glossed = _GLOSSED_NAME.search(phrase)
    if glossed:
        return glossed.group(1)  # "토마스 쿠리안(Thomas Kurian)": a name with its spelling
    phrase = _PARENTHETICAL.sub(" ", phrase)
    words = [word.strip(",.·'\"“”‘’") for word in phrase.split()]
    words = [word for word in words if word]
    while words and words[0].endswith("의") and len(words) > 1:
        words = words[1:]
    if not words:
        return None
    if words[-1] in _ROLE_NOUNS:
        # Nobody is named: the role is the speaker.
        while words and words[0] in {
            "한",
            "또",
            "또다른",
            "다른",
            "a",
            "an",
            "one",
            "A",
            "An",
            "One",
        }:
            words = words[1:]
        return " ".join(words[-5:]) if words else None
    korean = next((word for word in words if looks_korean_name(word, common_nouns)), None)
    if korean:
        return korean
    titled = [index for index, word in enumerate(words) if word in _TITLES]
    if titled and titled[-1] >= 1:
        # "벨로사이트 로보틱스의 라이언 코스텔로 CEO": the one or two words before the title
        picked: list[str] = []
        for word in reversed(words[: titled[-1]]):
            if (
                len(picked) == 2
                or word.endswith("의")
                or not _HANGUL_WORD.match(word)
                or len(word) > 5
                or word in common_nouns
                or word in _TITLES
            ):
                break
            picked.insert(0, word)
        if picked:
            return " ".join(picked)
    trailing = re.search(r"((?:[A-Z][\w&.'-]*\s?){1,3})$", " ".join(words))
    if (
        trailing
        and len(words) > 1
        and _HANGUL_WORD.match(words[0])
        and trailing.group(1).strip() not in _TITLES
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
    if not _HANGUL_WORD.match(first) or first in _PRONOUNS or first in _TITLES:
        return None
    if len(first) == 1 and first in _SURNAMES and len(words) > 1 and words[1] in _TITLES:
        return f"{first} {words[1]}"
    name = [first]
    if (
        (
            len(words) > 1
            and words[1] not in _TITLES
            and _HANGUL_WORD.match(words[1])
            and len(words[1]) <= 4
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


_PHRASE_BREAK = re.compile(r"[.!?]\s+|(?<=[가-힣])[.!?](?=\S)|[”’\"]\s*|,\s+|\n")
_BREAK_TAGS = {"EC", "ETM", "EF", "JKO", "JKB", "JKC", "JC", "JX", "JKS"}


def _subjects(tokens: Sequence[Token], text: str) -> list[_Subject]:
    """Subject phrases (X는 / X가) in token order, with whether they name a person.

    A phrase runs back from its particle to the nearest punctuation, closing quote, or
    word-final ending; Kiwi sometimes cuts foreign names oddly ("크리슈나 이/VCP 라오/EF"), so
    only endings that close a whole word count.
    """
    found: list[_Subject] = []
    for index, token in enumerate(tokens):
        if token.tag not in {"JX", "JKS"} or token.form not in {"은", "는", "이", "가", "도"}:
            continue
        if index == 0 or tokens[index - 1].end != token.start:
            continue  # a particle attaches to the word before it
        limit = max(0, token.start - 80)
        boundary = limit
        for match in _PHRASE_BREAK.finditer(text, limit, token.start):
            boundary = max(boundary, match.end())
        for previous in tokens[:index]:
            if previous.start < boundary or previous.tag not in _BREAK_TAGS:
                continue
            next_char = text[previous.end : previous.end + 1]
            if next_char.isspace() and previous.end < token.start:
                boundary = max(boundary, previous.end)
        phrase = text[boundary : token.start].strip()
        if not phrase or len(phrase.split()) > 9:
            continue
        phrase_tokens = [t for t in tokens[:index] if t.start >= boundary]
        tags = {t.tag for t in phrase_tokens}
        forms = {t.form for t in phrase_tokens}
        common = frozenset(t.form for t in phrase_tokens if t.tag == "NNG")
        pronoun = phrase in {"그", "그녀", "그들"}
        person_like = bool(
            "NNP" in tags
            or any(t.form[:1].isupper() for t in phrase_tokens if t.tag == "SL")
            or forms & _TITLES
            or forms & _ROLE_NOUNS
        )
        name = None if pronoun else person_name(phrase, common)
        start = boundary + (
            len(text[boundary : token.start]) - len(text[boundary : token.start].lstrip())
        )
        person = name is not None and (
            bool(forms & _TITLES) or " " in name or looks_korean_name(name, common)
        )
        found.append(
            _Subject(
                start, token.start, phrase, name, pronoun, person_like and name is not None, person
            )
        )
    return found


def _according_to(sentence: str) -> str | None:
    match = re.search(r"([^\s,.]+(?:\s[^\s,.]+){0,3})\s*에\s*따르면", sentence)
    if match:
        return match.group(1)
    match = re.search(r"according\s+to\s+((?:[A-Z][\w.&'-]*\s?){1,4})", sentence)
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
}
_EN_PRONOUNS = {"he", "she", "they", "He", "She", "They"}


def _clean_english_name(name: str) -> str:
    """ "Calder CEO Dana Whitfield" → "Dana Whitfield": the person, not the company or title."""
    words = name.split()
    titled = [index for index, word in enumerate(words) if word.strip(",") in _EN_TITLE_WORDS]
    if titled and titled[-1] + 1 < len(words):
        words = words[titled[-1] + 1 :]
    return " ".join(words).strip(" ,")


_DASH_ATTRIBUTION = re.compile(r"^\s*[—–]{1,2}\s*((?:[A-Z][\w.'-]*\s?){1,4})")
_AS_PUT_IT = re.compile(
    r"\bAs\s+((?:[A-Z][\w.'-]*\s?){1,4})(?:,[^,]{0,80},)?\s+(?:put\s+it|says|said|told\s+\w+)\b[^\"“]{0,60}[,:]?\s*$"
)


def _english_speaker(after: str, before: str) -> str | None:
    dash = _DASH_ATTRIBUTION.match(after)
    if dash:
        return _clean_english_name(dash.group(1))  # "…" — Priya Raman, CFO
    as_put = _AS_PUT_IT.search(before)
    if as_put:
        return _clean_english_name(as_put.group(1))
    name = r"((?:[A-Z][\w.'-]*\s?){1,5}|he|she|they)"
    verbs = r"(?:said|says|added|noted|wrote|explained|told|argued|warned)"
    # "chief executive Elena Varga said", "Priya Nandakumar, a senior analyst at X, told us"
    role = r"(?:(?:[a-z][a-z-]*\s+){1,3})?"
    apposition = r"(?:,[^,\"“”]{2,90},)?"
    for pattern, text in (
        (rf"^[\s,]*{verbs}\s+{name}", after),
        (rf"^[\s,]*{role}{name}{apposition},?\s+{verbs}", after),
    ):
        match = re.match(pattern, text)
        if match:
            return _clean_english_name(match.group(1))
    match = re.search(rf"{name}{apposition},?\s+{verbs}(?:\s+\w+)?[,:]?\s*$", before)
    if match:
        return _clean_english_name(match.group(1))
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


# "… at Northgate Research" names an employer, not a person.
_EMPLOYER_BEFORE = re.compile(r"\b(?:at|of|from|for|in|by)\s+$")


class _EnglishPeople:
    """The people an English post names, found once per post, so that resolving each "she
    said" costs a binary search instead of a pass over the text before it."""

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.names: list[str] = []
        # For each mention, the latest mention up to it that reads as a person (or -1).
        self.latest_person: list[int] = []
        latest = -1
        for match in _EN_PERSON.finditer(text):
            start, name = match.start(), match.group(1)
            if _EMPLOYER_BEFORE.search(text[max(0, start - 6) : start]):
                continue
            if name.split()[-1] in _EN_ORG_WORDS or name in _EN_PRONOUNS:
                continue
            if _EN_PERSON_EVIDENCE.match(text, match.end()):
                latest = len(self.names)
            self.starts.append(start)
            self.names.append(name)
            self.latest_person.append(latest)

    def last_before(self, before: int, last_quote: Quote | None) -> str | None:
        """The person "she said" at `before` refers to: the latest quoted speaker or named
        person (with words marking a person) before it, else the latest name at all."""
        count = bisect.bisect_left(self.starts, before)
        person = self.latest_person[count - 1] if count else -1
        candidates = [(self.starts[person], self.names[person])] if person >= 0 else []
        if last_quote is not None and last_quote.start < before:
            assert last_quote.speaker is not None
            candidates.append((last_quote.start, last_quote.speaker))
        if candidates:
            return max(candidates)[1]
        return self.names[count - 1] if count else None


def _attributed(quote: Quote) -> bool:
    """A quote whose speaker can stand for a later "she said"."""
    return bool(quote.speaker) and quote.speaker not in _EN_PRONOUNS


class _KoreanFullNames:
    """Korean full names of a post by surname, found once per surname, so that expanding
    each short form ("손 의장") costs a binary search instead of a pass over the text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._by_surname: dict[str, tuple[list[int], list[str]]] = {}

    def latest(self, surname: str, before: int) -> str | None:
        """The latest full name with this surname that starts before `before`."""
        found = self._by_surname.get(surname)
        if found is None:
            starts, names = [], []
            for match in re.finditer(
                rf"({re.escape(surname)}[\uac00-\ud7a3]{{2}})(?=[\s(]|은|는|이|가|의)", self._text
            ):
                if looks_korean_name(match.group(1)):
                    starts.append(match.start())
                    names.append(match.group(1))
            found = self._by_surname[surname] = (starts, names)
        starts, names = found
        count = bisect.bisect_left(starts, before)
        return names[count - 1] if count else None


def _expand_short_form(name: str | None, full_names: _KoreanFullNames, before: int) -> str | None:
    """ "손 의장" → "손영권": the latest Korean full name with that surname earlier in the post."""
    if not name:
        return name
    parts = name.split()
    if len(parts) != 2 or len(parts[0]) != 1 or parts[1] not in _TITLES:
        return name
    return full_names.latest(parts[0], before) or name


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
        if len(inner) < 8 or title[inner_start - 1] == "‘":
            continue
        words = set(re.findall(r"[\w\uac00-\ud7a3]{2,}", inner))
        best = max(
            body_quotes,
            key=lambda quote: len(words & set(re.findall(r"[\w\uac00-\ud7a3]{2,}", quote.text))),
            default=None,
        )
        overlap = len(words & set(re.findall(r"[\w\uac00-\ud7a3]{2,}", best.text))) if best else 0
        speaker = best.speaker if best is not None and overlap >= 2 else None
        found.append(Quote(inner, speaker, title, -1, -1))
    return found


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
    if label in _TITLES or any(word in _TITLES for word in words):
        return person_name(label) or label
    if looks_korean_name(label) or re.fullmatch(r"(?:[A-Z][a-z]+ ){1,2}[A-Z][a-z]+", label):
        return label
    if re.fullmatch(r"[A-Z][a-z]{2,}", label) and label not in _NOT_SPEAKER_LABELS:
        return label  # "Hartmann:" in call notes
    return None


def extract_quotes(text: str, sentences: Sequence[Sentence]) -> list[Quote]:
    """Quotes with speakers from a post's text and its sentences (for Kiwi tokens)."""
    if not _ANY_QUOTE_MARK.search(text):
        return []
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
    for _, line_sentences in sorted(lines.items()):
        line_start = line_sentences[0].start
        line = text[line_start : line_sentences[-1].end]
        spans = _quote_spans(line)
        speech = [
            span
            for span in spans
            if _is_speech(
                line[span[2] : span[3]], line[span[1] : span[1] + 40], line[span[0]] == "‘"
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
        attribution = _attribution_spans(line, spans)
        previous: tuple[tuple[int, int], str | None] | None = None
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
            before_subjects = [
                s for s in subjects if span_start <= s.start and s.end <= absolute_open
            ]
            after_subjects = [s for s in subjects if absolute_close <= s.start < span_end]
            speaker: str | None = _colon_label(line[max(0, open_at - 48) : open_at])
            if (
                speaker is None
                and re.search(r"[A-Za-z]", inner)
                and not re.search(r"[\uac00-\ud7a3]", inner)
            ):
                speaker = _english_speaker(
                    line[close_at : close_at + 60], line[max(0, open_at - 80) : open_at]
                )
            if speaker in _EN_PRONOUNS:
                english_people = english_people or _EnglishPeople(text)
                speaker = english_people.last_before(absolute_open, last_attributed)
            if speaker is None:
                named = [s for s in before_subjects if s.person_like]
                if named:
                    speaker = named[0].name
                elif any(s.pronoun for s in before_subjects) and people:
                    speaker = (last_person or people[-1]).name
                elif previous is not None and previous[0] == span:
                    speaker = previous[1]
                else:
                    according = _according_to(text[span_start:span_end])
                    if according:
                        speaker = person_name(according) or according
                    elif any(s.person_like for s in after_subjects):
                        speaker = next(s.name for s in after_subjects if s.person_like)
                    elif previous is not None and previous[1] and not before_subjects:
                        # "이어 “…”고 강조했다": a follow-on quote keeps its speaker.
                        speaker = previous[1]
                    elif not line[:open_at].strip() and people:
                        # A quotation standing on its own line: the person the text is about.
                        speaker = people[-1].name
            if speaker is None and not re.search(r"[\uac00-\ud7a3]", inner):
                speaker = _lead_person(text[max(0, absolute_open - 300) : absolute_open])
            speaker = _expand_short_form(speaker, full_names, absolute_open)
            previous = (span, speaker)
            sentence_text = text[span_start:span_end].strip()
            quote = Quote(inner.strip(), speaker, sentence_text, absolute_open, absolute_close)
            quotes.append(quote)
            if _attributed(quote):
                last_attributed = quote
        for subject in subjects[cursor:]:
            if subject.person_like:
                people.append(subject)
                if subject.person:
                    last_person = subject
        if line_start >= last_quote:
            break  # nothing after the last quotation can be a speaker for it
    return quotes
