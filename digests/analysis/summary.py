"""Extractive summaries with redundancy control (maximal marginal relevance).

Sentences are scored by the weight of their content words, with a lead bonus and a title
overlap bonus; each next pick is penalised by its overlap with what was already picked. List
fragments, headings, table rows, very short or very long lines and questions are passed over
while a post has enough prose; a list-style post (bullets, numbered items, table rows) is
summarised from its items. No two picks say the same line.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from digests.analysis.sentences import Sentence

_MIN_CHARS = 25
_MIN_PICKS = 3  # below this many prose candidates, list items (bullets, table rows) count too
_LIST_ITEM_PENALTY = 0.3  # prose is preferred over a list item of the same weight
_TABLE_SEPARATORS = re.compile(r"\s*(?:\||\t)\s*")
_BULLET_MARKER = re.compile(r"^\s*(?:[-*•·▪◦‣]|\d{1,3}[.)]|[①-⑳]|[가-하][.)])\s+")
_TRAILING = re.compile(r"[\s.!?…。·:;,]+$")
_MAX_CHARS = 400
_REDUNDANCY_WEIGHT = 0.7
_CONTENT_TAGS = {"NNG", "NNP", "SL", "SH"}
_EN_STOP = set(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "as",
        "will",
        "would",
        "could",
        "should",
        "may",
        "might",
        "has",
        "have",
        "had",
        "not",
    ]
)
_JUNK = re.compile(
    r"(https?://|www\.|\.com\b|@\w|#\w|구독|좋아요|댓글|로그인|click|subscribe)", re.I
)


@dataclass(frozen=True)
class SummaryCandidate:
    """A sentence that may enter a summary, with its content words."""

    text: str
    words: frozenset[str]
    position: float
    bonus: float = 0.0


def content_words(sentence: Sentence) -> frozenset[str]:
    """Content words of a sentence (Korean nouns, English words), lower-cased."""
    if sentence.lang == "ko":
        return frozenset(
            token.form.lower()
            for token in sentence.tokens
            if token.tag in _CONTENT_TAGS and len(token.form) >= 2
        )
    return frozenset(
        word.lower()
        for word in re.findall(r"[A-Za-z][A-Za-z'\-]+", sentence.text)
        if word.lower() not in _EN_STOP and len(word) >= 3
    )


def normalised_line(text: str) -> str:
    """A line as compared for repeats: case, spacing, closing punctuation and a clipping
    ellipsis do not count ("Rates fall." and "rates fall…" are the same line)."""
    return _TRAILING.sub("", " ".join(text.split()).casefold())


def repeats_title(line: str, title: str | None) -> bool:
    """Whether a line says the title again: the same line, or the line the title was clipped
    from ("Rates will fall by…")."""
    if not title:
        return False
    clipped = title.rstrip().endswith("…")
    title_line, text = normalised_line(title), normalised_line(line)
    return bool(title_line) and (
        text == title_line or (clipped and len(title_line) >= 20 and text.startswith(title_line))
    )


def list_item_text(sentence: Sentence) -> str:
    """A bullet or table row as a summary line: its marker dropped, its cells joined."""
    text = sentence.text.strip()
    if sentence.kind == "table":
        cells = [cell for cell in _TABLE_SEPARATORS.split(text) if cell.strip(" -:")]
        return " · ".join(cells)
    return _BULLET_MARKER.sub("", text)


def eligible(sentence: Sentence, text: str | None = None) -> bool:
    """Prose sentences (or, given as `text`, list items) of a reasonable length that are not
    furniture or questions."""
    if text is None:
        if sentence.is_fragment:
            return False
        text = sentence.text
    text = text.strip()
    if not _MIN_CHARS <= len(text) <= _MAX_CHARS:
        return False
    if text.endswith("?") or _JUNK.search(text):
        return False
    return len(re.findall(r"[\w\uac00-\ud7a3]", text)) >= 0.6 * len(text.replace(" ", ""))


def candidates_from(
    sentences: Sequence[Sentence],
    forecast_indexes: set[int] = frozenset(),
    title_words: frozenset[str] = frozenset(),
    title: str | None = None,
) -> list[SummaryCandidate]:
    """Summary candidates of one post: its prose sentences and, when a list-style post has too
    little prose for a summary, its bullets and table rows too. A line that is the post's
    `title` (a pasted post is titled by its first sentence) is left out: readers see the title
    above the summary."""
    total = max(1, len(sentences))
    sentences = [s for s in sentences if not repeats_title(s.text, title)]

    def candidate(sentence: Sentence, text: str, penalty: float) -> SummaryCandidate:
        words = content_words(sentence)
        bonus = (0.15 if sentence.index in forecast_indexes else 0.0) - penalty
        if title_words and words & title_words:
            bonus += 0.1
        return SummaryCandidate(text, words, sentence.index / total, bonus)

    result = [
        candidate(sentence, sentence.text.strip(), 0.0)
        for sentence in sentences
        if eligible(sentence)
    ]
    if len(result) < _MIN_PICKS:
        for sentence in sentences:
            if sentence.kind in ("bullet", "table"):
                text = list_item_text(sentence)
                if eligible(sentence, text):
                    result.append(candidate(sentence, text, _LIST_ITEM_PENALTY))
    return result


def summarize(candidates: Sequence[SummaryCandidate], size: int = 3) -> list[str]:
    """Pick up to `size` sentences: central, early, and not repeating each other.

    Maximal marginal relevance: each pick is the best-scoring candidate after a penalty for
    its overlap with what was already picked; a candidate whose words all lie within a pick
    is passed over for good. Between two picks the penalties do not change, so the candidates
    are ranked once per pick and walked in that order (a text repeating one sentence a hundred
    thousand times costs a few passes, not a pass per repetition).
    """
    if not candidates or size <= 0:
        return []
    frequencies: Counter[str] = Counter()
    for candidate in candidates:
        frequencies.update(candidate.words)
    total = sum(frequencies.values()) or 1

    def relevance(candidate: SummaryCandidate) -> float:
        if not candidate.words:
            return 0.0
        weight = sum(frequencies[word] / total for word in candidate.words)
        lead = 0.2 * (1.0 - min(1.0, candidate.position * 3))
        return weight / math.sqrt(len(candidate.words)) * 10 + lead + candidate.bonus

    scores = [relevance(candidate) for candidate in candidates]
    chosen: list[int] = []  # indexes into candidates, in the order picked
    # A line said twice is one candidate (the first): no summary repeats a line.
    first_of: dict[str, int] = {}
    for index, candidate in enumerate(candidates):
        first_of.setdefault(normalised_line(candidate.text), index)
    remaining = sorted(first_of.values())
    while remaining and len(chosen) < size:

        def marginal(index: int) -> float:
            words = candidates[index].words
            overlap = max(
                (
                    len(words & candidates[other].words)
                    / (len(words | candidates[other].words) or 1)
                    for other in chosen
                ),
                default=0.0,
            )
            return scores[index] - _REDUNDANCY_WEIGHT * overlap * 2

        # Best first; on equal scores the earlier sentence, as max() over the list would pick.
        ranked = sorted(remaining, key=lambda index: (-marginal(index), index))
        picked = None
        for position, index in enumerate(ranked):
            words = candidates[index].words
            if chosen and any(words and words <= candidates[other].words for other in chosen):
                continue  # adds nothing to a sentence already picked: never a candidate again
            picked = position
            break
        if picked is None:
            break
        chosen.append(ranked[picked])
        passed_over = set(ranked[:picked])
        remaining = [
            index for index in remaining if index != ranked[picked] and index not in passed_over
        ]
    return [
        candidates[index].text
        for index in sorted(chosen, key=lambda i: (candidates[i].position, i))
    ]
