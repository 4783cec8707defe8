"""How well themes match a labelled corpus: the share of each document's top 5 themes that
are its labelled themes or variants of them (issue 10 asks for at least 3 of 5 on average).

All documents are analysed together, so document frequencies come from the corpus the way they
come from a guild's stored posts; a document's top themes are its posts' themes aggregated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from digests.analysis.pipeline import Analyzer
from digests.analysis.themes import aggregate_themes, top_theme_matches
from digests.errors import InputError
from digests.ingest.documents import build_posts
from digests.ingest.loaders import load_file

TOP_SIZE = 5


@dataclass(frozen=True)
class DocumentThemes:
    """One labelled document: its top themes, its labels and how many of the top match."""

    file: str
    top: list[str]
    labelled: list[str]
    matches: int


@dataclass(frozen=True)
class ThemeFigures:
    """Top-5 theme matches over a labelled corpus."""

    documents: list[DocumentThemes]

    @property
    def average(self) -> float:
        """Matching themes among the top 5, averaged over the documents."""
        return sum(row.matches for row in self.documents) / max(1, len(self.documents))

    @property
    def with_three(self) -> int:
        """Documents with at least 3 matching themes among their top 5."""
        return sum(1 for row in self.documents if row.matches >= 3)


def theme_figures(
    gold_file: Path,
    docs_dir: Path,
    analyzer: Analyzer | None = None,
    zone: ZoneInfo | None = None,
) -> ThemeFigures:
    """Analyse every labelled document (together, as one corpus) and count, per document, how
    many of its top 5 themes match or are variants of its labelled `themes`."""
    analyzer = analyzer or Analyzer(forecast_model=None)
    zone = zone or ZoneInfo("Asia/Seoul")
    try:
        gold = json.loads(gold_file.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(str(gold_file), f"cannot read the labels: {error}") from error
    entries = [entry for entry in gold.get("documents", []) if entry.get("themes")]
    posts, owners = [], []
    for number, entry in enumerate(entries):
        path = docs_dir / entry["file"]
        if not path.exists():
            raise InputError(str(path), "labelled document not found in the documents folder")
        published = entry.get("posts", [{}])[0].get("published")
        fallback = date.fromisoformat(published) if published else date(2026, 1, 1)
        built = build_posts(
            load_file(path, zone, 5_000_000), 0, zone, datetime.combine(fallback, time(0), zone)
        )
        posts.extend(built)
        owners.extend([number] * len(built))
    analyses = analyzer.analyze(posts, default_anchor=date(2026, 1, 1))
    rows = []
    for number, entry in enumerate(entries):
        mine = [
            analysis.themes
            for analysis, owner in zip(analyses, owners, strict=True)
            if owner == number
        ]
        top = [label for label, _ in aggregate_themes(mine, TOP_SIZE)]
        rows.append(
            DocumentThemes(
                entry["file"],
                top,
                list(entry["themes"]),
                top_theme_matches(top, entry["themes"], analyzer.aliases, TOP_SIZE),
            )
        )
    return ThemeFigures(rows)
