"""Sentences with offsets: Korean through Kiwi (batched by line), English by rule.

Kiwi does not treat newlines as boundaries and does not split English runs, so the text is cut
into lines first (bullets and table rows stay whole), Korean lines go to Kiwi in one batch,
English lines and English runs inside Korean lines are split by a rule-based splitter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from digests.analysis.kiwi import get_kiwi

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_BULLET = re.compile(
    r"^\s*(?:[-–—•·*▶►▸▪■□◆◇○●※➤→✔✓☞]+|\d{1,2}[.)](?!\d)|[①-⑳]|\(\d{1,2}\)|[가-하][.)](?=\s))\s*"
)
_TABLE_CELL = re.compile(r"\s\|\s|\t|^\|")
# A sentence ends after . ! ? (a closing quote or bracket may follow) before a capital, a digit
# or an opening quote; "ET." and "GDP." end sentences like any word.
_EN_BOUNDARY = re.compile(
    r"(?<=[A-Za-z0-9%)\]”\"'’][.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9$])|(?<=[.!?][\"”’])\s+(?=[A-Z])"
)
# Abbreviations that never end a sentence ("Dr.", "U.S.", "e.g.", "vs.", initials "J.").
_EN_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Jr|Sr|St|Mt|Gov|Sen|Rep|Gen|Lt|Col|Capt|Sgt|Hon|Bros|Dept|Univ|"
    r"vs|etc|approx|No|Nos|Vol|Fig|est|al|cf|U\.S|e\.g|i\.e|a\.k\.a|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z])\.$"
)
# Company suffixes end a sentence only before a word that starts one ("Apple Inc. The
# company said"), not before a name ("Apple Inc. CEO Tim Cook").
_EN_COMPANY_SUFFIX = re.compile(r"\b(?:Inc|Corp|Co|Ltd|LLC|PLC|Plc|Cos|Bhd|AG|SA|NV)\.$")
_EN_SENTENCE_STARTERS = frozenset({
    "The", "This", "That", "These", "Those", "It", "Its", "We", "Our", "They", "Their", "He",
    "His", "She", "Her", "I", "In", "On", "At", "But", "And", "However", "Meanwhile", "A", "An",
    "As", "If", "When", "While", "After", "Before", "For", "With", "Still", "Yet", "So", "Also",
    "There", "Analysts", "Shares", "Investors", "Sales", "Revenue",
})  # fmt: skip
# "8:00 a.m. ET", "4 p.m. Tuesday": a time of day goes on into its zone, weekday or date.
_EN_CLOCK_SUFFIX = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
_EN_CLOCK_CONTINUES = re.compile(
    r"(?:ET|EST|EDT|CT|CST|CDT|MT|MST|MDT|PT|PST|PDT|GMT|UTC|BST|CET|CEST|KST|JST|HKT|SGT|AEST|"
    r"AEDT|E\.T\.|P\.T\.|(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?|"
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)(?![A-Za-z])|\d"
)
_BASE_TAG = {
    f"{tag}-{variant}": tag for tag in ("VV", "VA", "VX", "XSA", "XSV") for variant in ("R", "I")
}
_LATIN_RUN = re.compile(r"[A-Za-z0-9%)][.!?][\"”’)]?\s+[\"“‘(]?[A-Z0-9$]")
_EN_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\$?\d[\d,.]*%?|[^\sA-Za-z\d]")


class Token(NamedTuple):
    """A morpheme (Korean, from Kiwi) or a word (English), with offsets into the post text.

    A named tuple: posts hold hundreds of thousands of these, and tuples build fastest.
    """

    form: str
    tag: str
    start: int
    end: int


@dataclass
class Sentence:
    """A sentence (or a bullet, table row or heading line) of a post."""

    index: int
    text: str
    start: int
    end: int
    line: int
    kind: str  # prose|bullet|table|heading
    lang: str  # ko|en
    tokens: list[Token] = field(default_factory=list)

    @property
    def is_fragment(self) -> bool:
        """Bullets, table rows and headings: not summary material."""
        return self.kind != "prose"


@dataclass(frozen=True)
class _Line:
    text: str
    start: int
    number: int
    kind: str
    korean: bool
    body_offset: int = 0  # where the text starts after a bullet marker ("1. ", "- ")

    @property
    def body(self) -> str:
        """The line without its bullet marker."""
        return self.text[self.body_offset :]

    @property
    def body_start(self) -> int:
        """Absolute offset of the body."""
        return self.start + self.body_offset


_LIST_ARROWS = ("▲", "△")


def _line_kind(text: str) -> str:
    if len(_TABLE_CELL.findall(text)) >= 2 or text.count("|") >= 2:
        return "table"
    if _BULLET.match(text):
        return "bullet"
    stripped = text.rstrip()
    if len(stripped) <= 45 and not re.search(r"[.!?。…]$|다$|요$", stripped):
        return "heading"
    if len(stripped) <= 100 and _is_title_case(stripped):
        return "heading"  # "Tech: Raising Hyperscaler Capex 2026 Estimates"
    return "prose"


def _is_title_case(text: str) -> bool:
    """An English headline: no closing punctuation and its content words capitalised."""
    if re.search(r"[.!?。…:;,]$|[가-힣]|\s{3,}|\d%", text):  # not prose, a table row or figures
        return False
    words = [word for word in re.findall(r"[A-Za-z][\w'’-]*", text) if len(word) > 3]
    if len(words) < 3:
        return False
    return sum(word[0].isupper() for word in words) >= 0.8 * len(words)


def _lines(text: str) -> list[_Line]:
    lines = []
    offset = 0
    for number, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        if stripped:
            start = offset + raw.index(stripped[0])
            kind = _line_kind(stripped)
            marker = _BULLET.match(stripped) if kind == "bullet" else None
            body_offset = marker.end() if marker and marker.end() < len(stripped) else 0
            lines.append(
                _Line(stripped, start, number, kind, bool(_HANGUL.search(stripped)), body_offset)
            )
        offset += len(raw) + 1
    # "▲9일 … 발표." on several lines is a list (a briefing's items); one such line alone is a
    # photo caption, which the forecast rules set aside.
    if sum(line.text.startswith(_LIST_ARROWS) for line in lines) >= 2:
        lines = [
            replace(line, kind="bullet", body_offset=1 if len(line.text) > 1 else 0)
            if line.text.startswith(_LIST_ARROWS)
            else line
            for line in lines
        ]
    return lines


def _english_tokens(text: str, base: int) -> list[Token]:
    tokens = []
    for match in _EN_TOKEN.finditer(text):
        form = match.group(0)
        tag = "SN" if form[0].isdigit() or form[0] == "$" else "SL" if form[0].isalpha() else "SW"
        tokens.append(Token(form, tag, base + match.start(), base + match.end()))
    return tokens


def _ends_sentence(candidate: str, following: str) -> bool:
    """Whether a sentence that would end as `candidate` really ends before `following`."""
    if _EN_ABBREVIATION.search(candidate):
        return False
    next_word = re.match(r"[\"“‘(]?([A-Za-z][\w.’']*|\d)", following)
    word = next_word.group(1) if next_word else ""
    if _EN_CLOCK_SUFFIX.search(candidate):
        return not _EN_CLOCK_CONTINUES.match(word)
    if _EN_COMPANY_SUFFIX.search(candidate):
        return word in _EN_SENTENCE_STARTERS
    return True


def _english_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of English text (relative offsets)."""
    spans = []
    start = 0
    for match in _EN_BOUNDARY.finditer(text):
        candidate = text[start : match.start()].rstrip()
        if not _ends_sentence(candidate, text[match.end() :]):
            continue
        if candidate:
            spans.append((start, start + len(candidate)))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def _split_english_runs(sentence_text: str) -> list[tuple[int, int]]:
    """Split a Kiwi sentence where an English sentence ends and another begins."""
    spans = _english_spans(sentence_text)
    if len(spans) <= 1:
        return [(0, len(sentence_text))]
    # Only split where the part after the boundary is mostly Latin; Korean text after a
    # period was already split by Kiwi, so anything else is an abbreviation or a number.
    merged = [spans[0]]
    for start, end in spans[1:]:
        piece = sentence_text[start:end]
        latin = len(re.findall(r"[A-Za-z]", piece))
        hangul = len(_HANGUL.findall(piece))
        if latin > 3 * hangul:
            merged.append((start, end))
        else:
            merged[-1] = (merged[-1][0], end)
    return merged


def segment_posts(texts: Sequence[str]) -> list[list[Sentence]]:
    """Sentences for every post, with one batched Kiwi call over all Korean lines."""
    all_lines = [_lines(text) for text in texts]
    korean = [line.body for lines in all_lines for line in lines if line.korean]
    # Kiwi's results are taken one line at a time, in the order the lines were given, as the
    # loop below reaches each Korean line: never all of them in memory at once.
    kiwi_results = (
        iter(get_kiwi().split_into_sents(korean, return_tokens=True)) if korean else iter(())
    )
    output: list[list[Sentence]] = []
    for post, lines in enumerate(all_lines):
        sentences: list[Sentence] = []
        for line in lines:
            pieces: list[tuple[int, int, list[Token], str]] = []
            base = line.body_start
            if line.korean:
                for kiwi_sentence in next(kiwi_results):
                    # Tags are kept without Kiwi's variant suffix (VV-R → VV): nothing needs it.
                    tokens = [
                        Token(
                            token.form,
                            _BASE_TAG.get(token.tag, token.tag),
                            base + token.start,
                            base + token.start + token.len,
                        )
                        for token in kiwi_sentence.tokens
                    ]
                    sentence_start = base + kiwi_sentence.start
                    sentence_text = kiwi_sentence.text
                    if not _LATIN_RUN.search(sentence_text):
                        # Only English runs need a second split; most Korean sentences have none.
                        pieces.append((sentence_start, base + kiwi_sentence.end, tokens, "ko"))
                        continue
                    for start, end in _split_english_runs(sentence_text):
                        absolute_start = sentence_start + start
                        absolute_end = sentence_start + end
                        piece_tokens = [
                            t for t in tokens if absolute_start <= t.start < absolute_end
                        ]
                        pieces.append((absolute_start, absolute_end, piece_tokens, "ko"))
            else:
                for start, end in _english_spans(line.body):
                    absolute_start, absolute_end = base + start, base + end
                    tokens = _english_tokens(line.body[start:end], absolute_start)
                    pieces.append((absolute_start, absolute_end, tokens, "en"))
            if line.kind in {"table", "heading"} and pieces:
                # A table row or heading stays one unit; bullets split like prose.
                tokens = [token for piece in pieces for token in piece[2]]
                lang = "ko" if line.korean else "en"
                pieces = [(line.start, line.start + len(line.text), tokens, lang)]
            for start, end, tokens, lang in pieces:
                text = texts[post][start:end]
                if not text.strip():
                    continue
                if lang == "ko" and not _HANGUL.search(text):
                    lang = "en"
                sentences.append(
                    Sentence(len(sentences), text, start, end, line.number, line.kind, lang, tokens)
                )
        output.append(sentences)
    return output


def segment(text: str) -> list[Sentence]:
    """Sentences of one text."""
    return segment_posts([text])[0]
