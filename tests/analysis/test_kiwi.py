"""The process-wide Kiwi: loaded once, without the multi-word dictionary, warmed up ahead."""

from __future__ import annotations

import json
import subprocess
import sys

from digests.analysis import kiwi
from tests.conftest import REPO

# A fresh interpreter: time the first analysis of a post, after warming Kiwi up or not.
_FIRST_ANALYSIS = """
import json, sys, time
from datetime import UTC, date, datetime
from digests.analysis import kiwi
from digests.analysis.pipeline import Analyzer
from digests.ingest.text import content_hash
from digests.models import Post, SourceKind

warm = sys.argv[1] == "warm"
if warm:
    assert not kiwi.is_warm()
    kiwi.start_warm_up().join(timeout=300)
    assert kiwi.is_warm()
text = "SK하이닉스는 2026년 상반기 HBM4 양산을 시작할 것이라고 밝혔다. Analysts expect more."
post = Post(guild_id=1, source="t", source_kind=SourceKind.TEXT, title="HBM",
            published=datetime(2025, 3, 10, tzinfo=UTC), lang="ko", text=text,
            content_hash=content_hash(text))
analyzer = Analyzer()
started = time.perf_counter()
[analysis] = analyzer.analyze([post], default_anchor=date(2025, 3, 10))
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "loads": kiwi.load_count(),
                  "forecasts": len(analysis.forecasts)}))
"""


def first_analysis(mode: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", _FIRST_ANALYSIS, mode],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_after_the_warm_up_the_first_analysis_does_not_wait_for_kiwi() -> None:
    cold = first_analysis("cold")
    warm = first_analysis("warm")
    assert cold["loads"] == warm["loads"] == 1  # the warm-up's Kiwi is the one analyses use
    assert cold["forecasts"] == warm["forecasts"] >= 1
    # Cold, the first analysis loads Kiwi and builds its tables (seconds); warm, it is the
    # analysis alone. Generous: a shared CI machine may slow either run down.
    assert warm["seconds"] < cold["seconds"] / 3, (cold, warm)


def test_warming_up_twice_loads_once() -> None:
    kiwi.warm_up()
    loads = kiwi.load_count()
    assert kiwi.is_warm()
    assert kiwi.warm_up() < 1.0  # already warm: nothing to do
    assert kiwi.load_count() == loads == 1


def test_multi_word_dictionary_is_not_loaded() -> None:
    """Without it a name is two nouns ("샘", "올트먼") instead of one multi-word entry; that
    dictionary costs ~200 MB and changes no forecast, theme or quote of the labelled sets."""
    tokens = kiwi.get_kiwi().tokenize("샘 올트먼 오픈AI CEO가 방한했다.")
    assert [token.form for token in tokens[:2]] == ["샘", "올트먼"]


def test_domain_words_are_added() -> None:
    forms = [token.form for token in kiwi.get_kiwi().tokenize("희토류 시총 전망")]
    assert "희토류" in forms and "시총" in forms
