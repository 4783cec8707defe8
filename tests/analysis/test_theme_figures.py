"""Top-5 theme matches against labelled themes (digests/analysis/theme_figures.py)."""

import json
from pathlib import Path

import pytest

from digests.analysis.pipeline import Analyzer
from digests.analysis.theme_figures import theme_figures
from digests.errors import InputError

DEV = Path(__file__).resolve().parents[1] / "fixtures" / "analysis" / "real" / "dev"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(forecast_model=None)


def write_gold(folder: Path, themes: list[str]) -> Path:
    docs = folder / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(
        "Nvidia earnings beat again.\n\nNvidia guidance for data centers rose. Nvidia said data "
        "center demand stays strong, and Nvidia guidance topped estimates.\n",
        "utf-8",
    )
    gold = folder / "gold.json"
    gold.write_text(json.dumps({"documents": [{"file": "a.txt", "themes": themes}]}), "utf-8")
    return gold


def test_counts_top_themes_that_match_labels(tmp_path: Path, analyzer: Analyzer) -> None:
    gold = write_gold(tmp_path, ["엔비디아", "guidance", "data centers", "earnings preview"])
    (row,) = theme_figures(gold, tmp_path / "docs", analyzer).documents
    # Nvidia (alias-folded, "Nvidia guidance" merged in as a variant), guidance (가이던스)
    # and data centers; nothing is an earnings preview.
    assert row.top[0] == "엔비디아" and {"가이던스", "데이터센터"} <= set(row.top[:3])
    assert row.matches == 3


def test_labels_nobody_wrote_match_nothing(tmp_path: Path, analyzer: Analyzer) -> None:
    gold = write_gold(tmp_path, ["부동산", "housing affordability"])
    figures = theme_figures(gold, tmp_path / "docs", analyzer)
    assert figures.average == 0 and figures.with_three == 0


def test_a_missing_document_is_named(tmp_path: Path, analyzer: Analyzer) -> None:
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps({"documents": [{"file": "gone.txt", "themes": ["x"]}]}), "utf-8")
    with pytest.raises(InputError, match=r"gone\.txt"):
        theme_figures(gold, tmp_path, analyzer)


def test_real_dev_figure_does_not_fall_below_its_measured_level(analyzer: Analyzer) -> None:
    # Measured 2.80 of 5 (scripts/theme_figures.py); the goal of 3 is not reached yet.
    figures = theme_figures(DEV / "gold.json", DEV / "docs", analyzer)
    assert len(figures.documents) == 55
    assert figures.average >= 2.7
