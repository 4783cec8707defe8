"""Themes: noun phrases from Kiwi's tags, aliases folded, scored by TF-IDF against a corpus.

"LFP 배터리" and "AI 인프라" stay whole because runs of adjacent nouns form one phrase; the
alias dictionary folds Tesla/TSLA/$TSLA into 테슬라. Document frequencies come from the guild's
stored posts (or, for a one-off analysis, from the posts being analysed).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from digests.analysis.noun_phrases import (
    english_noun_phrases,
    is_english_adjective,
    is_english_word,
)
from digests.analysis.sentences import Sentence

_NOUN_TAGS = {"NNG", "NNP", "SL", "SH"}
_KO_STOPWORDS = set(
    [
        "것",
        "수",
        "등",
        "때",
        "이",
        "그",
        "저",
        "거",
        "게",
        "데",
        "바",
        "중",
        "측",
        "점",
        "뜻",
        "위",
        "내",
        "외",
        "간",
        "명",
        "개",
        "분",
        "번",
        "곳",
        "쪽",
        "이번",
        "이날",
        "당시",
        "현재",
        "지금",
        "이후",
        "이전",
        "경우",
        "생각",
        "이야기",
        "얘기",
        "부분",
        "사람",
        "우리",
        "여러분",
        "자신",
        "사실",
        "정도",
        "가지",
        "모두",
        "다음",
        "관련",
        "대한",
        "통해",
        "위해",
        "대해",
        "최근",
        "오늘",
        "어제",
        "내일",
        "올해",
        "내년",
        "작년",
        "지난해",
        "연간",
        "기존",
        "대부분",
        "이상",
        "이하",
        "미만",
        "가운데",
        "동안",
        "하나",
        "모든",
        "전",
        "후",
        "초",
        "말",
        "시작",
        "결과",
        "상황",
        "문제",
        "방법",
        "의미",
        "내용",
        "정리",
        "기사",
        "소식",
        "설명",
        "발표",
        "언급",
        "평가",
        "기대",
        "예상",
        "전망",
        "가능",
        "가능성",
        "필요",
        "중요",
        "핵심",
        "대비",
        "규모",
        "수준",
        "시장",
        "업계",
        "기업",
        "회사",
        "전문가",
        "투자자",
        "주가",
        "뉴스",
        "뉴스레터",
        "구독자",
        "안녕",
        "하세요",
        "댓글",
        "본문",
        "사진",
        "영상",
        "그림",
        "자료",
        "출처",
        "참고",
        "제목",
        "요약",
        "결론",
        "그때",
        "이제",
        "다만",
        "특히",
        "또한",
        "그리고",
        "하지만",
        "그래서",
        "그러나",
        "아마",
        "정말",
        "진짜",
        "매우",
        "가장",
        "계속",
        "다시",
        "바로",
        "함께",
        "이런",
        "저런",
        "어떤",
        "무엇",
        "누구",
        "여기",
        "저기",
        "그것",
        "이것",
        "저것",
        "것들",
        "따름",
        "만큼",
        "대로",
        "뿐",
        "채",
        "줄",
        "리",
        "터",
        "듯",
        "척",
        "양",
        "체",
        "년",
        "월",
        "일",
        "분기",
        "시간",
        "달러",
        "원",
        "억",
        "조",
        "만",
        "배",
        "%",
    ]
)
_EN_STOPWORDS = set(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "if",
        "then",
        "than",
        "that",
        "this",
        "these",
        "those",
        "there",
        "their",
        "they",
        "them",
        "it",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "will",
        "would",
        "could",
        "should",
        "may",
        "might",
        "can",
        "shall",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "to",
        "into",
        "over",
        "under",
        "about",
        "after",
        "before",
        "between",
        "through",
        "during",
        "without",
        "within",
        "also",
        "just",
        "more",
        "most",
        "some",
        "such",
        "other",
        "any",
        "each",
        "every",
        "all",
        "both",
        "few",
        "many",
        "much",
        "very",
        "not",
        "no",
        "yes",
        "so",
        "as",
        "up",
        "down",
        "out",
        "off",
        "again",
        "further",
        "once",
        "here",
        "when",
        "where",
        "why",
        "how",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "said",
        "says",
        "say",
        "year",
        "years",
        "month",
        "months",
        "quarter",
        "quarters",
        "week",
        "weeks",
        "day",
        "days",
        "time",
        "today",
        "new",
        "one",
        "two",
        "three",
        "first",
        "second",
        "last",
        "next",
        "per",
        "cent",
        "percent",
        "inc",
        "corp",
        "co",
        "ltd",
        "company",
        "companies",
        "people",
        "thing",
        "things",
        "way",
        "lot",
        "however",
        "while",
        "because",
        "since",
        "although",
        "though",
        "according",
        "including",
        "include",
        "includes",
    ]
)
_TITLE_BOOST = 0.5
_LEAD_BOOST = 1.3
_PHRASE_BONUS = 1.0
_PROPER_BONUS = 1.5
_GENERIC_PENALTY = 0.35
_ONCE_PENALTY = 0.6
_ENTITY_BONUS = 1.4
_SOURCE_FACTOR = 0.7
_BURST_FACTOR = 0.7
_BURST_COUNT = 3


def _generic_nouns() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(words scored down, words never a theme, places) from generic_nouns.txt."""
    text = (resources.files("digests.analysis") / "resources" / "generic_nouns.txt").read_text(
        "utf-8"
    )
    generic: set[str] = set()
    never: set[str] = set()
    places: set[str] = set()
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if line.startswith(("change:", "place:")):
            words = line.split(":", 1)[1].split()
            generic.update(word.casefold() for word in words)
            if line.startswith("place:"):
                places.update(word.casefold() for word in words)
        elif line.startswith("never:"):
            never.update(
                word.casefold().replace("_", " ") for word in line.removeprefix("never:").split()
            )
        else:
            generic.update(word.casefold() for word in line.split())
    return frozenset(generic), frozenset(never), frozenset(places)


GENERIC_NOUNS, NEVER_THEMES, PLACES = _generic_nouns()


class ThemeCandidate(NamedTuple):
    """A theme term of one post: how often it occurs, whether in the title, how early."""

    label: str
    count: int
    in_title: bool
    first_position: float  # 0 = start of the post, 1 = end
    proper: bool = False  # a name or an acronym (NNP, Latin capitals)
    predicative: bool = False  # a Korean noun used mostly as a verb or adjective ("상향했다")
    entity: bool = False  # a known entity (in the alias dictionary) or a Korean organisation
    sections: int = 4  # in how many quarters of the post it occurs (1: one burst, a list)


class AliasBook:
    """Canonical labels for theme spellings (case-insensitive), from the bundled dictionary."""

    def __init__(self, mapping: dict[str, list[str]]) -> None:
        self._canonical: dict[str, str] = {}
        self._seen: dict[str, str] = {}  # spellings already looked up
        for label, spellings in mapping.items():
            if label.startswith("_"):
                continue
            self._canonical[label.casefold()] = label
            for spelling in spellings:
                self._canonical[spelling.casefold()] = label

    @classmethod
    def load(cls, extra_file: Path | None = None) -> AliasBook:
        """The bundled aliases, extended (and overridden) by `extra_file` when given."""
        text = (resources.files("digests.analysis") / "resources" / "aliases.json").read_text(
            "utf-8"
        )
        mapping: dict[str, list[str]] = json.loads(text)
        if extra_file is not None and extra_file.exists():
            for label, spellings in json.loads(extra_file.read_text("utf-8")).items():
                mapping.setdefault(label, []).extend(spellings)
        return cls(mapping)

    def canonical(self, term: str) -> str:
        """The canonical label of a spelling (the spelling itself when unknown)."""
        label = self._seen.get(term)
        if label is None:
            folded = term.casefold()
            label = self._canonical.get(folded.strip("$"), self._canonical.get(folded, term))
            self._seen[term] = label
        return label

    def knows(self, term: str) -> bool:
        """True when the dictionary lists the spelling (a known company, index, institution)."""
        return term.casefold().strip("$") in self._canonical

    def same(self, first: str, second: str) -> bool:
        """True when two spellings name the same theme."""
        return self.canonical(first).casefold() == self.canonical(second).casefold()


_BYLINE_TITLES = frozenset({"기자", "특파원", "연구원", "애널리스트", "인턴기자", "선임연구원"})


def _without_leading_never_phrase(surfaces: list[str]) -> list[str]:
    """A run opening with a never-theme of several words ("SBS Biz"): its words are no themes
    either, and a lone word after it is the reporter's name ("SBS Biz 류선우")."""
    for size in range(len(surfaces), 1, -1):
        if " ".join(surfaces[:size]).casefold() in NEVER_THEMES:
            rest = surfaces[size:]
            return rest if len(rest) > 1 else []
    return surfaces


def _versions_a_name(token, run: list[tuple[int, int, str]], glued_next) -> bool:
    """A number glued to the end of a name: a version or a model ("HBM4", "HBM3E", "블레이드&
    소울2"), not an amount ("23조원": the number starts the word) or a date ("3분기")."""
    if not run or token.start != run[-1][1]:
        return False
    if run[-1][2] == "SL":
        return glued_next is None or glued_next.tag == "SL"
    ends_word = glued_next is None or glued_next.tag.startswith("J")  # "부동산114에"
    return ends_word and run[-1][2] in {"NNP", "NNG"}


def _in_known_name(surfaces: list[str]) -> set[int]:
    """Positions of the words of a known name of several words ("도널드 트럼프", "일론 머스크"):
    the name counts whole, its given name alone is no theme."""
    if len(surfaces) < 2:
        return set()
    aliases = _bundled_aliases()
    covered: set[int] = set()
    for index in range(len(surfaces) - 1):
        pair = f"{surfaces[index]} {surfaces[index + 1]}"
        if aliases.knows(pair):
            covered.update((index, index + 1))
    return covered


def _ko_terms(sentence: Sentence, text: str) -> list[str]:
    """Korean theme terms: each run of nouns gives its words and its 2- and 3-word phrases."""
    terms: list[str] = []
    run: list[tuple[int, int, str]] = []

    def flush() -> None:
        if not run:
            return
        # Adjacent nouns with no space form one word ("수직통합"); a single space joins a phrase.
        words: list[tuple[int, int]] = []
        for start, end, _ in run:
            if words and start == words[-1][1]:
                words[-1] = (words[-1][0], end)
            else:
                words.append((start, end))
        segments = [[text[start:end] for start, end in words]]
        # A name before a reporter's or an analyst's title is the byline ("류선우 기자"): who
        # wrote it, not what it is about. The run is cut there and the name left out.
        for index in range(len(segments[0]) - 1, 0, -1):
            if segments[0][index] in _BYLINE_TITLES:
                surfaces = segments.pop()
                segments = [surfaces[: index - 1], surfaces[index:]]
                break
        for surfaces in segments:
            surfaces = _without_leading_never_phrase(surfaces)
            in_names = _in_known_name(surfaces)
            terms.extend(word for index, word in enumerate(surfaces) if index not in in_names)
            for size in (2, 3):
                for index in range(len(surfaces) - size + 1):
                    terms.append(" ".join(surfaces[index : index + size]))
        run.clear()

    tokens = sentence.tokens
    for index, token in enumerate(tokens):
        tag = token.tag
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        glued_next = following is not None and following.start == token.end
        if tag == "XSN" and token.form == "들":
            continue  # "주주들" is about 주주
        if tag == "SN" and _versions_a_name(token, run, following if glued_next else None):
            run.append((token.start, token.end, tag))  # "HBM4", "부동산114", "천룡팔부3D"
            continue
        if (
            tag == "SN"
            and not run
            and glued_next
            and following.form == "차"
            and index + 2 < len(tokens)
            and tokens[index + 2].start == following.end
            and tokens[index + 2].tag in _NOUN_TAGS
        ):
            # "2차전지": Kiwi reads a number, a counter and a noun.
            run.append((token.start, following.end, "NNG"))
            continue
        if tag == "NNB" and run and run[-1][2] == "NNG" and run[-1][1] == token.end:
            continue  # the counter of "2차전지", already in the run
        if tag == "XSN" and token.form == "적" and run and token.start == run[-1][1]:
            # "역사적", "구조적": the noun is an adjective here, not a subject of its own.
            run.pop()
            flush()
            continue
        if tag in _NOUN_TAGS or (tag == "XSN" and run and token.start == run[-1][1]):
            if run and token.start - run[-1][1] > 1:
                flush()
            run.append((token.start, token.end, tag))
        else:
            flush()
    flush()
    return terms


def _en_terms(sentence: Sentence, aliases: AliasBook) -> list[tuple[str, bool]]:
    """English theme terms: noun phrases (see noun_phrases), each with whether it names
    something. The single nouns of a phrase count too, unless the phrase is a known compound
    ("data center" is not about "center")."""
    terms: list[tuple[str, bool]] = []
    whole_is_alias = False
    whole_is_never = False
    for phrase in english_noun_phrases(sentence.text):
        if phrase.part or phrase.split:
            if not whole_is_alias and not whole_is_never:
                terms.append((phrase.label, phrase.proper))
            continue
        whole_is_alias = aliases.canonical(phrase.label) != phrase.label
        whole_is_never = " " in phrase.label and phrase.label.casefold() in NEVER_THEMES
        terms.append((phrase.label, phrase.proper))
    return terms


_NUMERIC = re.compile(r"[\d.,%$]+")
# Markup left in a feed's text ("p&gt", "&amp;nbsp"): never part of a theme.
_HTML_ENTITY = re.compile(r"&(?:[lg]t|amp|nbsp|quot|#\d+)\b", re.IGNORECASE)
_SINGLE_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
# A lone Latin letter glued to Korean ("m짜리", "x배"): a unit or a cut-off word, not a name.
_LETTER_FRAGMENT = re.compile(r"[A-Za-z][\uac00-\ud7a3]+")


@functools.lru_cache(maxsize=65536)
def _boilerplate_compound(word: str) -> bool:
    """A Korean word written as never-themes run together ("전년대비", "전년동기대비")."""
    if word.isascii() or len(word) < 4:
        return False
    ends = {0}
    for end in range(2, len(word) + 1):
        if any(word[start:end] in NEVER_THEMES for start in ends if end - start >= 2):
            ends.add(end)
    return len(word) in ends


@functools.lru_cache(maxsize=65536)
def _acceptable(term: str) -> bool:
    words = term.split()
    if term.casefold() in NEVER_THEMES:
        return False
    if any(
        word.lower() in _EN_STOPWORDS
        or word in _KO_STOPWORDS
        or (word in NEVER_THEMES and not word.isascii())
        for word in (words[0], words[-1])
    ):
        return False
    if _NUMERIC.fullmatch(term) or len(term) < 2 or _HTML_ENTITY.search(term):
        return False
    if any(_boilerplate_compound(word) for word in words):
        return False
    if _ADDRESS.fullmatch(words[-1]) or _FISCAL_YEAR.fullmatch(term):
        return False
    # A one-syllable Korean word alone or inside a phrase is a fragment: a surname before a
    # title ("장 사장"), a word cut by the segmenter ("국 주식").
    return not any(
        _SINGLE_SYLLABLE.fullmatch(word) or _LETTER_FRAGMENT.fullmatch(word) for word in words
    )


# Brokers and market-data providers: the source of a figure.
_REPORT_SOURCE = re.compile(
    r"(?:증권|금융투자|리서치센터)$|^(?:FactSet|LSEG|Refinitiv|S&P Capital IQ|Zacks|에프앤가이드)$"
)
# A street or a district of an address ("세종대로", "중구", "부평구"): where, not what.
_ADDRESS = re.compile(
    r"[\uac00-\ud7a3]{0,2}[동서남북중]구|[\uac00-\ud7a3]{1,3}대로|[\uac00-\ud7a3]{2}(?<![연도야요지가친추탐항완전기입출욕])구"
    r"|[\uac00-\ud7a3]{2}(?<![도통경회진항판활수])로"
)
# A fiscal year or a quarter written as a word ("FY19", "FY2025", "1Q24").
_FISCAL_YEAR = re.compile(
    r"(?:FY|CY)'?\d{2,4}|[1-4]?Q\d{2}|F?Q[1-4]|[1-2]H\d{2}|\d{0,2}[bm]ln", re.IGNORECASE
)
_PREDICATE_SUFFIXES = {"XSV", "XSA"}
# Korean organisations by their last word's ending: brokers, banks, makers, groups, agencies.
_ORGANISATION = re.compile(
    r"[\uac00-\ud7a3A-Za-z0-9](?:증권|투자증권|은행|금융지주|금융|전자|그룹|홀딩스|바이오로직스|바이오|제약|"
    r"화학|중공업|조선해양|건설|에너지|솔루션|자산운용|운용|생명|화재|보험|카드|캐피탈|모빌리티|"
    r"테크|텔레콤|통신|게임즈|엔터테인먼트|연구소|연구원|위원회|협회|공사|공단|상공회의소|거래소|재단)$"
)


def _predicates(sentence: Sentence) -> set[str]:
    """Nouns of a Korean sentence used as a verb or an adjective ("상향했다", "완벽한"): they
    tell what happened, not what the post is about."""
    tokens = sentence.tokens
    return {
        token.form
        for token, following in itertools.pairwise(tokens)
        if token.tag == "NNG"
        and following.tag in _PREDICATE_SUFFIXES
        and following.start == token.end
    }


def _names_a_thing(token_form: str, tag: str) -> bool:
    """A Korean proper noun, or Latin letters that name something: an acronym ("HBM", "SK")
    or a word the English lexicon does not know ("Nvidia"); a capitalised common English
    word in a Korean heading ("Momentum", "Valuation") is not a name."""
    if tag == "NNP":
        return True
    if not token_form.isascii() or not token_form[:1].isupper():
        return False
    return sum(1 for c in token_form if c.isupper()) >= 2 or not is_english_word(token_form)


def _sentence_terms(sentence: Sentence, text: str, aliases: AliasBook) -> list[tuple[str, bool]]:
    """A sentence's theme terms, each with whether it names something."""
    if sentence.lang != "ko":
        return _en_terms(sentence, aliases)
    names = {token.form for token in sentence.tokens if _names_a_thing(token.form, token.tag)}
    return [
        (term, term in names or any(word in names for word in term.split()))
        for term in _ko_terms(sentence, text)
    ]


_CREDIT_LEAD = re.compile(
    r"^(?:(?:written|reported|edited|photos?|words|text)\s+by|by|credits?:?|authors?:?)\s+",
    re.IGNORECASE,
)
_NAME_JOINERS = re.compile(r"\s*(?:,|&|\band\b|\|)\s*")
_NAME_WORD = re.compile(r"[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]\.")


def is_credit_line(text: str) -> bool:
    """A line that only names who wrote the post ("Michael Warren", "By Donald L. Luskin",
    "Michael Warren and Donald L. Luskin"): every part is a person's name of two to four words
    (initials allowed), each name with a word the English lexicon does not know ("Warren" is a
    noun, "Michael" is not), so a Title Case heading ("Consumer Price Index") is no byline."""
    body = _CREDIT_LEAD.sub("", text.strip().rstrip("."))
    if not body or len(body) > 80:
        return False
    names = [part for part in _NAME_JOINERS.split(body) if part]
    if not names:
        return False
    for name in names:
        words = name.split()
        if not 2 <= len(words) <= 4 or not all(_NAME_WORD.fullmatch(word) for word in words):
            return False
        full = [word for word in words if not word.endswith(".")]
        if not full or all(is_english_word(word) for word in full):
            return False
        aliases = _bundled_aliases()
        if any(aliases.canonical(part) != part for part in (name, *full)):
            return False  # a known name on a line of its own is a heading ("Elon Musk")
    return True


def post_candidates(
    title: str,
    sentences: Sequence[Sentence],
    text: str,
    aliases: AliasBook,
    title_sentences: Sequence[Sentence] = (),
) -> list[ThemeCandidate]:
    """Theme terms of one post with their counts, title presence and first position.

    Spellings that differ only in case ("Dividend" opening a sentence, "dividend" inside one)
    or are aliases of each other count as one term, shown in its most frequent spelling."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    first_seen: dict[str, float] = {}
    proper: set[str] = set()
    predicate_uses: Counter[str] = Counter()
    quarters: dict[str, set[int]] = {}
    length = max(1, len(text))
    for sentence in sentences:
        if sentence.lang != "ko" and is_credit_line(sentence.text):
            continue  # a byline names the author, not the subject
        predicates = _predicates(sentence) if sentence.lang == "ko" else set()
        for term, named in _sentence_terms(sentence, text, aliases):
            if not _acceptable(term):
                continue
            label = aliases.canonical(term)
            key = label.casefold()
            counts[key] += 1
            if term in predicates:
                predicate_uses[key] += 1
            spellings.setdefault(key, Counter())[label] += 1
            first_seen.setdefault(key, sentence.start / length)
            quarters.setdefault(key, set()).add(min(3, 4 * sentence.start // length))
            if named or label != term:
                proper.add(key)
    title_keys: set[str] = set()
    for sentence in title_sentences:
        for term, _ in _sentence_terms(sentence, title, aliases):
            if _acceptable(term):
                label = aliases.canonical(term)
                title_keys.add(label.casefold())
                spellings.setdefault(label.casefold(), Counter())[label] += 0
    if not title_sentences and title:
        folded = title.casefold()
        title_keys.update(key for key in counts if key in folded)
    for key in title_keys:
        counts.setdefault(key, 0)
        first_seen.setdefault(key, 0.0)

    def shown(key: str) -> str:
        forms = spellings[key]
        # The most frequent spelling; among equals, one with capitals (a name as written).
        return max(forms, key=lambda form: (forms[form], form != form.casefold(), form))

    return [
        ThemeCandidate(
            label,
            counts[key],
            key in title_keys,
            first_seen.get(key, 1.0),
            key in proper,
            2 * predicate_uses[key] >= counts[key] > 0,
            aliases.knows(key) or bool(_ORGANISATION.search(label)),
            len(quarters.get(key, ())),
        )
        for key, label in ((key, shown(key)) for key in counts)
    ]


def _all_generic(label: str) -> bool:
    """A phrase of generic words only ("감소 전환", "supply growth", "전체 매출"): no subject
    named; a place in front makes one ("미국 주식", "중국 소비자")."""
    words = label.casefold().split()
    return words[0] not in PLACES and all(word in GENERIC_NOUNS for word in words)


DocumentFrequency = Callable[[Sequence[str]], tuple[int, dict[str, int]]]


def score_themes(
    candidates: Sequence[ThemeCandidate],
    corpus_size: int,
    frequencies: dict[str, int],
    limit: int = 8,
) -> list[tuple[str, float]]:
    """Rank a post's candidates by boosted TF-IDF; phrases beat the words they contain."""
    scored: list[tuple[str, float]] = []
    for candidate in candidates:
        if candidate.count == 0:
            continue  # a title word the body never uses is not what the post is about
        if candidate.count < 2 and not candidate.in_title and not candidate.proper:
            continue
        tf = math.log1p(candidate.count) + (_TITLE_BOOST if candidate.in_title else 0.0)
        if candidate.first_position < 0.2:
            tf *= _LEAD_BOOST
        df = frequencies.get(candidate.label, 0)
        idf = math.log((corpus_size + 1) / (df + 1)) + 1.0
        score = tf * idf
        if " " in candidate.label:
            score *= _PHRASE_BONUS if candidate.count >= 2 else 0.7
        elif candidate.count < 2 and not candidate.proper:
            # A common word used once (often only where the body repeats the title: "전환",
            # "증폭", "반격" in a headline) says how the post is told, not what it is about.
            score *= _ONCE_PENALTY
        if candidate.proper:
            score *= _PROPER_BONUS
        if candidate.entity:
            score *= _ENTITY_BONUS
        if candidate.count >= _BURST_COUNT and candidate.sections == 1 and not candidate.in_title:
            # Said often but in one stretch only (a table of tickers, an anecdote): a detail of
            # the post, not what runs through it.
            score *= _BURST_FACTOR
        if not candidate.in_title and _REPORT_SOURCE.search(candidate.label):
            # A broker or a data provider quoted for its numbers ("NH투자증권", "FactSet") is
            # where a figure comes from; it is the subject when the title names it.
            score *= _SOURCE_FACTOR
        if (" " in candidate.label and _all_generic(candidate.label)) or (
            " " not in candidate.label
            and (
                candidate.label.casefold() in GENERIC_NOUNS
                or candidate.predicative
                or (not candidate.proper and is_english_adjective(candidate.label))
            )
        ):
            # A generic word, a Korean noun that mostly says what happened ("상향했다") or an
            # English word that is as much an adjective ("current", "high", "average").
            score *= _GENERIC_PENALTY
        scored.append((candidate.label, score))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return merge_variants(scored, limit)


class Theme(tuple):
    """A theme as `(label, score)` (it unpacks and compares like that pair), with the spellings
    merged into it as `variants` ("AI 인프라" and "AI 시대" under "AI")."""

    variants: tuple[str, ...]

    def __new__(cls, label: str, score: float, variants: Sequence[str] = ()) -> Theme:
        theme = super().__new__(cls, (label, score))
        theme.variants = tuple(variants)
        return theme

    @property
    def label(self) -> str:
        """The theme's label."""
        return self[0]

    @property
    def score(self) -> float:
        """How central the theme is to its post(s)."""
        return self[1]


_VARIANT_BONUS = 0.1
_GENERAL_SHARE = 0.35


def merge_variants(scored: Sequence[tuple[str, float]], limit: int = 8) -> list[Theme]:
    """Near-duplicates as one theme: best first, a label whose words contain or are contained
    in a chosen theme's ("ESS용 LFP" / "ESS용 LFP 수요", "dividend" / "dividend increase")
    joins that theme as a variant and adds a little to its score. The more general label names
    the theme when it scores at least a third as much ("AI" over "AI 인프라")."""
    groups: list[dict] = []
    for label, score in scored:
        words = _variant_words(label)
        home = next(
            (
                group
                for group in groups
                if words and any(words <= other or other <= words for other in group["words"])
            ),
            None,
        )
        if home is None:
            if len(groups) < limit:
                groups.append(
                    {"label": label, "own": score, "score": score, "words": [words], "variants": []}
                )
            continue
        home["words"].append(words)
        home["score"] += _VARIANT_BONUS * score
        if (
            " " not in home["label"]
            and not home["label"].isupper()
            and is_english_word(home["label"])
            and _is_english_name(label)
            and len(label.split()) <= 4
            and home["label"] in label.split()
        ):
            # "Census Bureau" after "Bureau": a common word ("bureau", "university") alone is
            # part of the name, not a theme of its own.
            home["variants"].append(home["label"])
            home["label"] = label
        elif (
            words == _variant_words(home["label"])
            and _is_version(label)
            and not _is_version(home["label"])
            and score >= _GENERAL_SHARE * home["own"]
        ):
            # "HBM4" under "HBM": the generation the post talks about names the theme.
            home["variants"].append(home["label"])
            home["label"], home["own"] = label, score
        elif (
            words < _variant_words(home["label"])
            and score >= _GENERAL_SHARE * home["own"]
            and not _is_english_name(home["label"])
            and label.casefold() not in GENERIC_NOUNS  # "미국" never names "미국 주식"
        ):
            home["variants"].append(home["label"])
            home["label"], home["own"] = label, score
        else:
            home["variants"].append(label)
    return [Theme(group["label"], round(group["score"], 3), group["variants"]) for group in groups]


def _is_english_name(label: str) -> bool:
    """A name of several capitalised words ("Census Bureau", "Brent Crude"): its last word
    alone ("Bureau") is a part of it, not a more general theme."""
    words = label.split()
    return len(words) > 1 and all(word.isascii() and word[:1].isupper() for word in words)


@functools.cache
def _bundled_aliases() -> AliasBook:
    return AliasBook.load()


@functools.lru_cache(maxsize=65536)
def _variant_words(label: str) -> frozenset[str]:
    """A label's words, alias-folded and case-folded ("Nvidia guidance" → 엔비디아, guidance)."""
    aliases = _bundled_aliases()
    words = set()
    for word in _MATCH_PUNCT.split(label):
        if not word:
            continue
        word = aliases.canonical(word).casefold()
        if word.isascii() and len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        version = _VERSION.fullmatch(word)
        words.add(version.group(1) if version else word)
    return frozenset(words)


# A product name with its version or generation ("HBM4", "HBM3E", "DDR5"): a variant of the name.
_VERSION = re.compile(r"([a-z]{3,})\d{1,2}[a-z]?")


def _is_version(label: str) -> bool:
    return any(_VERSION.fullmatch(word.casefold()) for word in label.split())


def aggregate_themes(
    per_post: Sequence[Sequence[tuple[str, float]]], limit: int = 10
) -> list[tuple[str, float]]:
    """Themes of several posts together: each post gives its themes up to 1 point by rank share,
    so a theme that recurs across posts beats one post's favourite word."""
    totals: dict[str, float] = {}
    for themes in per_post:
        if not themes:
            continue
        top = themes[0][1] or 1.0
        for label, score in themes:
            totals[label] = totals.get(label, 0.0) + score / top
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [(label, round(score, 3)) for label, score in ranked[:limit]]


_MATCH_PUNCT = re.compile(r"[\s\-_/·,.()'’\"]+")


def _match_words(label: str, aliases: AliasBook) -> frozenset[str]:
    """A label's words for matching: alias-folded, case-folded, plural 's' dropped."""
    words = []
    for word in _MATCH_PUNCT.split(label):
        if not word:
            continue
        folded = aliases.canonical(word).casefold()
        if (
            folded.isascii()
            and len(folded) > 3
            and folded.endswith("s")
            and not folded.endswith("ss")
        ):
            folded = folded[:-1]
        words.append(folded)
    return frozenset(words)


def matches_labelled(label: str, labelled: str, aliases: AliasBook) -> bool:
    """True when a found theme is a labelled theme or a variant of it: the same after alias
    folding ("Tesla" = "테슬라"), or one's words contain the other's ("robotaxi" within "Waymo
    robotaxi", "AI 인프라" containing "AI")."""
    if aliases.same(label, labelled):
        return True
    found, wanted = _match_words(label, aliases), _match_words(labelled, aliases)
    if not found or not wanted:
        return False
    if found <= wanted or wanted <= found:
        return True
    # Korean compounds written with or without a space ("기준금리" / "기준 금리").
    joined_found, joined_wanted = "".join(sorted(found)), "".join(sorted(wanted))
    squeezed = _MATCH_PUNCT.sub("", label).casefold()
    return squeezed == _MATCH_PUNCT.sub("", labelled).casefold() or joined_found == joined_wanted


def top_theme_matches(
    top: Sequence[str], labelled: Sequence[str], aliases: AliasBook, size: int = 5
) -> int:
    """How many of the first `size` found themes match or are variants of a labelled theme
    (the issue-10 figure: at least 3 of 5 on average)."""
    return sum(
        1
        for label in top[:size]
        if any(matches_labelled(label, gold, aliases) for gold in labelled)
    )
