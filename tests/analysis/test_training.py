"""Learning the forecast decision: labelling candidates from gold files, a deterministic fit."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

from digests.analysis.pipeline import Analyzer
from digests.analysis.training import Example, LabelledSet, examples_of, fit, folds, load_documents

ZONE = ZoneInfo("Asia/Seoul")


def write_set(folder: Path) -> LabelledSet:
    docs = folder / "docs"
    docs.mkdir(parents=True)
    (docs / "a.txt").write_text(
        "메모\n\n회사는 2026년 하반기 신공장을 가동할 계획이다.\n"
        "지난해 매출은 3조원을 기록했다.\n"
        "2027년에는 영업이익이 1조원을 넘을 것이다.\n",
        encoding="utf-8",
    )
    gold = {
        "documents": [
            {
                "file": "a.txt",
                "posts": [{"published": "2025-03-10"}],
                "predictions": [
                    {"anchor": "신공장을 가동할 계획", "due_end": ["2026-12-31", "2026-12-31"]},
                    {"anchor": "1조원을 넘을", "due_end": ["2028-12-31", "2028-12-31"]},
                ],
            }
        ]
    }
    (folder / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return LabelledSet("t", folder / "gold.json", docs)


def test_candidates_are_labelled_by_anchor_and_due_window(tmp_path: Path) -> None:
    (document,) = load_documents([write_set(tmp_path)], ZONE, Analyzer(forecast_model=None))
    examples = examples_of(document)
    assert len(examples) == 3
    # the plant (right window) is a forecast; last year's sales are not; 2027 has the wrong window
    assert [example.label for example in examples] == [True, False, False]
    assert [example.rules_keep for example in examples] == [True, False, True]


def test_fit_is_deterministic_and_learns_a_separating_feature() -> None:
    examples = [
        Example("d", {"good": 1.0, "shared": 1.0}, True, True),
        Example("d", {"good": 1.0}, True, True),
        Example("d", {"bad": 1.0, "shared": 1.0}, False, False),
        Example("d", {"bad": 1.0}, False, False),
        Example("d", {"rare": 1.0}, False, False),
    ]
    first, second = fit(examples, l2=1.0), fit(list(examples), l2=1.0)
    assert first == second
    assert first.weights["good"] > 0 > first.weights["bad"]
    assert "rare" not in first.weights  # seen once: below min_count
    assert first.probability({"good": 1.0}) > 0.5 > first.probability({"bad": 1.0})


def test_folds_deal_documents_by_name(tmp_path: Path) -> None:
    documents = load_documents([write_set(tmp_path)], ZONE, Analyzer(forecast_model=None))
    assert folds(documents * 3, 3)[0] == [documents[0]]
