"""Extractive summaries with redundancy control (maximal marginal relevance).

Sentences are scored by the weight of their content words, with a lead bonus and a title
overlap bonus; each next pick is penalised by its overlap with what was already picked. List
fragments, headings, table rows, very short or very long lines and questions are never picked.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from digests.analysis.sentences import Sentence

_MIN_CHARS = 25
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


def eligible(sentence: Sentence) -> bool:
    """Prose sentences of a reasonable length that are not furniture or questions."""
    text = sentence.text.strip()
    if sentence.is_fragment or not _MIN_CHARS <= len(text) <= _MAX_CHARS:
        return False
    if text.endswith("?") or _JUNK.search(text):
        return False
    return len(re.findall(r"[\w\uac00-\ud7a3]", text)) >= 0.6 * len(text.replace(" ", ""))


def candidates_from(
    sentences: Sequence[Sentence],
    forecast_indexes: set[int] = frozenset(),
    title_words: frozenset[str] = frozenset(),
) -> list[SummaryCandidate]:
    """Summary candidates of one post."""
    total = max(1, len(sentences))
    result = []
    for sentence in sentences:
        if not eligible(sentence):
            continue
        words = content_words(sentence)
        bonus = 0.15 if sentence.index in forecast_indexes else 0.0
        if title_words and words & title_words:
            bonus += 0.1
        result.append(SummaryCandidate(sentence.text.strip(), words, sentence.index / total, bonus))
    return result


def summarize(candidates: Sequence[SummaryCandidate], size: int = 3) -> list[str]:
    """Pick up to `size` sentences: central, early, and not repeating each other."""
    if not candidates:
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

    scores = {id(candidate): relevance(candidate) for candidate in candidates}
    chosen: list[SummaryCandidate] = []
    remaining = list(candidates)
    while remaining and len(chosen) < size:

        def marginal(candidate: SummaryCandidate) -> float:
            overlap = max(
                (
                    len(candidate.words & other.words) / (len(candidate.words | other.words) or 1)
                    for other in chosen
                ),
                default=0.0,
            )
            return scores[id(candidate)] - _REDUNDANCY_WEIGHT * overlap * 2

        best = max(remaining, key=marginal)
        remaining.remove(best)
        if chosen and any(best.words and best.words <= other.words for other in chosen):
            continue
        chosen.append(best)
    order = {id(candidate): index for index, candidate in enumerate(candidates)}
    chosen.sort(key=lambda candidate: order[id(candidate)])
    return [candidate.text for candidate in chosen]
