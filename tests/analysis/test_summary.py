"""Extractive summaries: the picks of maximal marginal relevance, in linear work."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence

from digests.analysis.summary import SummaryCandidate, summarize


def reference_summarize(candidates: Sequence[SummaryCandidate], size: int = 3) -> list[str]:
    """The summary as first written: one pass over every remaining candidate per candidate
    taken out (quadratic when many candidates repeat a pick). The fast version must agree."""
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
            return scores[id(candidate)] - 0.7 * overlap * 2

        best = max(remaining, key=marginal)
        remaining.remove(best)
        if chosen and any(best.words and best.words <= other.words for other in chosen):
            continue
        chosen.append(best)
    order = {id(candidate): index for index, candidate in enumerate(candidates)}
    chosen.sort(key=lambda candidate: order[id(candidate)])
    return [candidate.text for candidate in chosen]


def random_candidates(rng: random.Random, count: int) -> list[SummaryCandidate]:
    """Candidates over a small vocabulary, so overlaps, subsets, twins and ties are common."""
    vocabulary = [f"w{number}" for number in range(rng.randint(3, 12))]
    candidates = []
    for index in range(count):
        if candidates and rng.random() < 0.25:
            twin = rng.choice(candidates)  # the same words again, elsewhere in the post
            words = twin.words
        else:
            words = frozenset(rng.sample(vocabulary, rng.randint(0, min(5, len(vocabulary)))))
        bonus = rng.choice([0.0, 0.0, 0.1, 0.15, 0.25])
        candidates.append(SummaryCandidate(f"sentence {index}", words, index / count, bonus))
    return candidates


def test_same_picks_as_the_first_version() -> None:
    for seed in range(500):
        rng = random.Random(seed)
        candidates = random_candidates(rng, rng.randint(0, 40))
        size = rng.choice([1, 2, 3, 3, 5])
        expected = reference_summarize(candidates, size)
        assert summarize(candidates, size) == expected, f"seed {seed}"


def test_picks_are_central_and_not_redundant() -> None:
    candidates = [
        SummaryCandidate("HBM demand grows", frozenset({"hbm", "demand"}), 0.0),
        SummaryCandidate("HBM demand grows again", frozenset({"hbm", "demand"}), 0.1),
        SummaryCandidate("DRAM prices rise", frozenset({"dram", "prices"}), 0.2),
        SummaryCandidate("HBM and DRAM", frozenset({"hbm", "dram"}), 0.3),
    ]
    picked = summarize(candidates, 2)
    assert picked[0] == "HBM demand grows"
    assert "HBM demand grows again" not in picked  # its words are all in the first pick
    assert len(picked) == 2


class CountingWords(frozenset):
    """A word set that counts the intersections taken with it (the summary's unit of work)."""

    intersections = 0

    def __and__(self, other: object) -> frozenset:
        CountingWords.intersections += 1
        return frozenset.__and__(self, other)


def test_a_sentence_repeated_many_times_costs_linear_work() -> None:
    """One sentence repeated (a pasted paragraph, a scraped page) used to cost a pass over all
    the repetitions for each repetition: 20,000 copies, 200 million intersections."""
    words = CountingWords({"tesla", "robotaxi", "launch"})
    other = CountingWords({"battery", "cost", "falls"})
    count = 20_000
    candidates = [
        SummaryCandidate("Tesla launches robotaxi", words, index / count) for index in range(count)
    ] + [SummaryCandidate("Battery cost falls", other, 0.99)]
    CountingWords.intersections = 0
    picked = summarize(candidates, 3)
    assert picked == ["Tesla launches robotaxi", "Battery cost falls"]
    # Each pick ranks what remains once against the picks so far: a few passes in all.
    assert CountingWords.intersections <= 4 * len(candidates)


def test_nothing_to_pick() -> None:
    assert summarize([], 3) == []
    assert summarize([SummaryCandidate("a sentence", frozenset({"word"}), 0.0)], 0) == []
