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


# --- issue 10, point 4: every post of three sentences or more gets a summary, none repeats ---

from datetime import date, datetime, time  # noqa: E402
from pathlib import Path  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402

from digests.analysis.pipeline import Analyzer, PostAnalysis  # noqa: E402
from digests.analysis.summary import normalised_line, repeats_title  # noqa: E402
from digests.ingest.documents import build_posts  # noqa: E402
from digests.ingest.loaders import load_file  # noqa: E402
from digests.models import Post, SourceKind  # noqa: E402

SEOUL = ZoneInfo("Asia/Seoul")
REAL_DEV_DOCS = Path(__file__).parents[1] / "fixtures" / "analysis" / "real" / "dev" / "docs"
LIST_POST = "\n".join(
    [
        "2026년 반도체 전망 정리",
        "- HBM 수요는 2026년에도 공급을 웃돌 것으로 예상된다",
        "- 삼성전자의 HBM4 퀄 테스트 통과 여부가 상반기 주가의 핵심 변수다",
        "- 메모리 가격은 1분기에 10% 이상 오를 가능성이 크다",
        "1) 엔비디아 블랙웰 출하 확대로 서버 투자 증가세가 이어질 전망",
    ]
)
TABLE_POST = "\n".join(
    [
        "Earnings calendar",
        "| Company | Date | Consensus EPS |",
        "| Nvidia Corporation | Feb 25 after the close | $1.52 per share |",
        "| Salesforce Incorporated | Feb 26 after the close | $2.61 per share |",
        "| Broadcom Incorporated | Mar 6 after the close | $1.71 per share |",
    ]
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(forecast_model=None)


def _analysed(analyzer: Analyzer, text: str, title: str | None = None) -> PostAnalysis:
    post = Post(
        guild_id=0,
        source="pasted",
        source_kind=SourceKind.TEXT,
        title=title or text.split("\n")[0],
        text=text,
        published=datetime(2025, 12, 1, tzinfo=SEOUL),
        lang="ko",
        content_hash="test",
    )
    [analysis] = analyzer.analyze([post], default_anchor=date(2025, 12, 1))
    return analysis


def _repeats(analysis: PostAnalysis) -> bool:
    lines = [normalised_line(line) for line in analysis.summary]
    return len(set(lines)) != len(lines) or any(
        repeats_title(line, analysis.post.title) for line in analysis.summary
    )


def test_a_bullet_list_post_is_summarised_from_its_items(analyzer: Analyzer) -> None:
    analysis = _analysed(analyzer, LIST_POST)
    assert len(analysis.summary) == 3
    assert all(not line.startswith(("-", "1)")) for line in analysis.summary)
    assert not _repeats(analysis)


def test_a_table_post_is_summarised_from_its_rows_cells_joined(analyzer: Analyzer) -> None:
    analysis = _analysed(analyzer, TABLE_POST)
    assert analysis.summary
    assert all("|" not in line and " · " in line for line in analysis.summary)


def test_a_line_said_twice_or_the_title_again_is_never_repeated(analyzer: Analyzer) -> None:
    lead = "엔비디아는 내년에도 AI 데이터센터 투자가 계속 늘어날 것이라고 전망했다."
    text = "\n".join(
        [
            lead,
            "젠슨 황 CEO는 블랙웰 수요가 공급을 크게 웃돈다고 말했다.",
            "젠슨 황 CEO는 블랙웰 수요가 공급을 크게 웃돈다고 말했다.",
            "시장에서는 데이터센터 매출이 다음 분기에도 늘어날 것으로 본다.",
        ]
    )
    analysis = _analysed(analyzer, text, title=lead)  # a pasted post is titled by its lead
    assert analysis.summary and not _repeats(analysis)
    assert repeats_title("Rates will fall by spring, the bank said.", "Rates will fall by sp…")


def test_the_real_posts_with_three_sentences_all_get_a_summary_without_repeats(
    analyzer: Analyzer,
) -> None:
    """The figure issue 10 asks for, on tests/fixtures/analysis/real/dev/docs (measured 54 of
    54 posts with at least three sentences summarised, none repeating a line or its title)."""
    posts = []
    for path in sorted(REAL_DEV_DOCS.iterdir()):
        posts += build_posts(
            load_file(path, SEOUL, 5_000_000),
            0,
            SEOUL,
            datetime.combine(date(2026, 1, 1), time(0), SEOUL),
        )
    analyses = analyzer.analyze(posts, default_anchor=date(2026, 1, 1))
    long_enough = [analysis for analysis in analyses if len(analysis.sentences) >= 3]
    assert len(long_enough) >= 50
    unsummarised = [analysis.post.title for analysis in long_enough if not analysis.summary]
    repeating = [analysis.post.title for analysis in analyses if _repeats(analysis)]
    assert unsummarised == [] and repeating == []
