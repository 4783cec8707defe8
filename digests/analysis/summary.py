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
    remaining = list(range(len(candidates)))
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
    return [candidates[index].text for index in sorted(chosen)]
