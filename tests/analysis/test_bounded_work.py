"""Bounded work: a document at the size limit (5 MB) costs little more than one of 1 MB.

Slow on purpose (about a minute on a 2-core machine): it cleans, splits and analyses eight
generated documents — repetitive and random-word text, Korean and English, 1 MB and 5 MB — the
way ingestion does, and measures the peak memory of 5 MB documents in a fresh interpreter.
Work is compared in CPU seconds of this process (other jobs on a shared CI machine slow the
wall clock of both runs unevenly); the wall clock of each run must stay under a minute.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from digests.analysis import pipeline
from digests.analysis.pipeline import MAX_ANALYSED_CHARS, Analyzer
from digests.ingest.documents import RawDocument, build_posts
from digests.models import SourceKind
from tests.conftest import REPO

pytestmark = pytest.mark.slow

MB = 1_000_000
ZONE = ZoneInfo("Asia/Seoul")
ANCHOR = date(2025, 3, 10)
PARAGRAPHS = {
    "ko": (
        "SK하이닉스는 2026년 상반기부터 HBM4 양산을 본격화할 것으로 보인다. 김태윤 한빛투자증권 "
        "연구원은 “메모리 가격은 내년 1분기까지 오를 것”이라고 말했다. 그는 “재고 조정은 "
        "상반기 중 마무리될 가능성이 높다”고 덧붙였다. 삼성전자 영업이익은 약 23조원이었다.\n\n"
    ),
    "en": (
        "Nvidia expects capex growth in 2026 to exceed 50%, the chief executive said on "
        'Tuesday. "Demand for Blackwell is insane and it will double by 2026," he said. '
        "Analysts remain cautious about memory prices. The company plans to ship Rubin by the "
        "end of 2025.\n\n"
    ),
}


def repetitive(lang: str, size: int) -> str:
    """One paragraph (forecasts, quotes, a pronoun) repeated up to `size` bytes of UTF-8."""
    paragraph = PARAGRAPHS[lang]
    copies = size // len(paragraph.encode())
    return paragraph * copies


def random_words(lang: str, size: int, seed: int = 7) -> str:
    """Sentences of words drawn from the paragraph's vocabulary, up to `size` bytes."""
    rng = random.Random(seed)
    words = PARAGRAPHS[lang].split()
    parts: list[str] = []
    total = 0
    while True:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(6, 20))) + ".\n"
        if rng.random() < 0.2:
            sentence += "\n"
        if total + len(sentence.encode()) > size:
            return "".join(parts)
        parts.append(sentence)
        total += len(sentence.encode())


GENERATORS = {"repetitive": repetitive, "random": random_words}


def analyse_document(analyzer: Analyzer, text: str) -> tuple[int, int]:
    """Clean, split and analyse a pasted document as ingestion does: (posts, forecasts)."""
    posts = build_posts(RawDocument("generated.txt", SourceKind.TEXT, text, "Generated"), 0, ZONE)
    analyses = analyzer.analyze(posts, default_anchor=ANCHOR, corpus=(0, {}))
    assert all(analysis.summary for analysis in analyses)
    return len(posts), sum(len(analysis.forecasts) for analysis in analyses)


def measured(analyzer: Analyzer, text: str) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds) of analysing one document."""
    cpu, wall = time.process_time(), time.perf_counter()
    analyse_document(analyzer, text)
    return time.process_time() - cpu, time.perf_counter() - wall


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    analyzer = Analyzer()
    analyse_document(analyzer, PARAGRAPHS["ko"] + PARAGRAPHS["en"])  # Kiwi loaded and warm
    return analyzer


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("kind", ["repetitive", "random"])
def test_five_megabytes_cost_at_most_three_times_one(
    analyzer: Analyzer, kind: str, lang: str
) -> None:
    small = GENERATORS[kind](lang, 1 * MB)
    large = GENERATORS[kind](lang, 5 * MB)
    assert len(large.encode()) <= 5 * MB < len(large.encode()) + 200
    small_cpu, small_wall = measured(analyzer, small)
    large_cpu, large_wall = measured(analyzer, large)
    figures = f"1 MB: {small_cpu:.1f} s CPU, {small_wall:.1f} s; 5 MB: {large_cpu:.1f} s CPU, {large_wall:.1f} s"
    assert large_cpu <= 3 * small_cpu + 1.0, figures
    assert large_wall < 60, figures


def test_work_grows_linearly_below_the_analysis_limit(analyzer: Analyzer) -> None:
    """Below MAX_ANALYSED_CHARS everything is read, so this is the algorithms' own growth:
    four times the text may cost about four times the work (quadratic would be sixteen)."""
    one_sentence = "Tesla will launch its robotaxi service in Austin by June 2025.\n"
    for text in (one_sentence, PARAGRAPHS["en"], PARAGRAPHS["ko"]):
        small = text * (MAX_ANALYSED_CHARS // 4 // len(text))
        large = text * (MAX_ANALYSED_CHARS // len(text))
        small_cpu, _ = measured(analyzer, small)
        large_cpu, _ = measured(analyzer, large)
        assert large_cpu <= 7 * small_cpu + 0.5, (text[:30], small_cpu, large_cpu)


def test_a_post_past_the_limit_is_analysed_up_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "MAX_ANALYSED_CHARS", 2_000)
    early = "SK하이닉스는 2026년 상반기부터 HBM4 양산을 본격화할 것으로 보인다.\n"
    late = "삼성전자는 2027년 하반기에 파운드리 2나노 양산을 시작할 것으로 보인다.\n"
    filler = "".join(f"메모리 업황 이야기 {number}번째 문단이 이어진다.\n" for number in range(100))

    def analysed(text: str) -> pipeline.PostAnalysis:
        [post] = build_posts(RawDocument("long.txt", SourceKind.TEXT, text, "Long"), 0, ZONE)
        [analysis] = Analyzer().analyze([post], default_anchor=ANCHOR)
        return analysis

    long = analysed(early + filler + late)
    assert len(long.post.text) > 2_000 and long.truncated
    assert long.analysed_chars is not None and long.analysed_chars <= 2_000
    assert long.post.text[long.analysed_chars] == "\n"  # cut at a line break
    years = [forecast.due_end.year for forecast in long.forecasts if forecast.due_end]
    assert years == [2026]  # the forecast past the limit is not read
    short = analysed(early + late)
    assert not short.truncated and short.analysed_chars is None
    assert sorted(f.due_end.year for f in short.forecasts if f.due_end) == [2026, 2027]


def test_the_analysed_part_ends_at_a_line_break_or_a_space() -> None:
    assert pipeline.analysed_part("short", 10) == "short"
    assert pipeline.analysed_part("first line\nsecond line", 15) == "first line"
    assert pipeline.analysed_part("one two three four", 12) == "one two"
    assert pipeline.analysed_part("x" * 30, 10) == "x" * 10  # no break anywhere: cut at the limit


_PEAK_MEMORY = """
import gc, json, resource, sys
from datetime import date
from zoneinfo import ZoneInfo
from digests.analysis.pipeline import Analyzer
from digests.ingest.documents import RawDocument, build_posts
from digests.models import SourceKind
from tests.analysis.test_bounded_work import GENERATORS, MB, analyse_document, PARAGRAPHS

analyzer = Analyzer()
analyse_document(analyzer, PARAGRAPHS["ko"] + PARAGRAPHS["en"])  # Kiwi loaded and warm
texts = [GENERATORS[kind](lang, 5 * MB) for kind in ("random", "repetitive") for lang in ("ko", "en")]
gc.collect()
with open("/proc/self/statm") as statm:
    idle = int(statm.read().split()[1]) * resource.getpagesize()
for text in texts:
    analyse_document(analyzer, text)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"idle_mb": idle / 2**20, "peak_mb": peak / 2**20}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_peak_memory_of_five_megabyte_documents() -> None:
    """Idle: Kiwi loaded and the four 5 MB texts built; peak: after analysing each of them."""
    result = subprocess.run(
        [sys.executable, "-c", _PEAK_MEMORY],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["peak_mb"] - figures["idle_mb"] <= 600, figures
