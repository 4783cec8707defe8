"""Learning the forecast decision from labelled posts (deterministic; used by
`scripts/train_forecast_model.py`).

Every candidate the named steps produce (see `decision.py`) becomes one example: positive when
its sentence holds a labelled forecast and its window ends inside the labelled due range,
negative otherwise. A logistic model with L2 regularisation is fitted by Newton's method from
zero weights, so the same data always gives the same model. Cross-validation holds out whole
documents and scores each fold with the real evaluator.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from digests.analysis.decision import ForecastModel
from digests.analysis.evaluate import EvaluationReport, _matches, _score_document
from digests.analysis.pipeline import Analyzer, PostAnalysis
from digests.ingest.documents import build_posts
from digests.ingest.loaders import load_file


@dataclass(frozen=True)
class LabelledSet:
    """A gold file and its documents folder."""

    name: str
    gold: Path
    docs: Path


@dataclass
class Document:
    """One labelled document, analysed once with traces."""

    set_name: str
    entry: dict
    analyses: list[PostAnalysis]


@dataclass(frozen=True)
class Example:
    """One candidate as a training example."""

    document: str
    features: dict[str, float]
    label: bool
    rules_keep: bool


def load_documents(
    sets: Sequence[LabelledSet], zone: ZoneInfo, analyzer: Analyzer
) -> list[Document]:
    """Analyse every document of the sets (rules alone, with traces)."""
    documents = []
    for labelled in sets:
        gold = json.loads(labelled.gold.read_text("utf-8"))
        for entry in gold.get("documents", []):
            documents.append(
                Document(labelled.name, entry, analyse_entry(entry, labelled.docs, zone, analyzer))
            )
    return documents


def analyse_entry(
    entry: dict, docs: Path, zone: ZoneInfo, analyzer: Analyzer
) -> list[PostAnalysis]:
    """Analyse one labelled document as `evaluate` does, keeping the traces."""
    published = entry.get("posts", [{}])[0].get("published")
    fallback = date.fromisoformat(published) if published else date.today()
    posts = build_posts(
        load_file(docs / entry["file"], zone, 5_000_000),
        0,
        zone,
        datetime.combine(fallback, time(0), tzinfo=zone),
    )
    return analyzer.analyze(posts, default_anchor=fallback, trace=True)


def examples_of(document: Document) -> list[Example]:
    """The document's candidates, labelled from its gold predictions."""
    gold = document.entry.get("predictions", [])
    examples = []
    for post_index, analysis in enumerate(document.analyses):
        if analysis.trace is None:
            continue
        for record in analysis.trace.sentences.values():
            matching = [
                item
                for item in gold
                if item.get("post_index", post_index) == post_index
                and (
                    _matches(item["anchor"], record.text)
                    or (item.get("same_as") and _matches(item["same_as"], record.text))
                )
            ]
            for candidate in record.candidates:
                if candidate.due_end is None:
                    continue
                label = any(
                    date.fromisoformat(item["due_end"][0])
                    <= candidate.due_end
                    <= date.fromisoformat(item["due_end"][1])
                    for item in matching
                )
                examples.append(
                    Example(
                        f"{document.set_name}/{document.entry['file']}",
                        candidate.features,
                        label,
                        candidate.rules_keep,
                    )
                )
    return examples


def fit(
    examples: Sequence[Example],
    *,
    l2: float = 1.0,
    min_count: int = 2,
    weights: Sequence[float] | None = None,
    iterations: int = 25,
) -> ForecastModel:
    """A logistic model fitted by Newton's method (deterministic), threshold 0.5."""
    counts: Counter[str] = Counter()
    for example in examples:
        counts.update(example.features)
    names = sorted(name for name, count in counts.items() if count >= min_count)
    index = {name: number for number, name in enumerate(names)}
    matrix = np.zeros((len(examples), len(names) + 1))
    matrix[:, -1] = 1.0  # bias column, not regularised
    for row, example in enumerate(examples):
        for name, value in example.features.items():
            column = index.get(name)
            if column is not None:
                matrix[row, column] = value
    target = np.array([1.0 if example.label else 0.0 for example in examples])
    sample = np.ones(len(examples)) if weights is None else np.asarray(weights, dtype=float)
    penalty = np.full(len(names) + 1, l2)
    penalty[-1] = 0.0
    theta = np.zeros(len(names) + 1)
    for _ in range(iterations):
        probability = 1.0 / (1.0 + np.exp(-np.clip(matrix @ theta, -30, 30)))
        gradient = matrix.T @ (sample * (probability - target)) + penalty * theta
        curvature = sample * probability * (1.0 - probability)
        hessian = (matrix * curvature[:, None]).T @ matrix + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    learned = {name: round(float(theta[column]), 4) for name, column in index.items()}
    return ForecastModel(
        weights={name: value for name, value in learned.items() if value},
        bias=round(float(theta[-1]), 4),
        threshold=0.5,
    )


def score_documents(
    documents: Sequence[Document],
    model: ForecastModel | None,
    zone: ZoneInfo,
    docs_of: dict[str, Path],
    analyzer_for=Analyzer,
) -> EvaluationReport:
    """Score documents with the real evaluator, deciding with `model` (None: the rules)."""
    analyzer = analyzer_for(forecast_model=model)
    scores = []
    for document in documents:
        analyses = analyse_entry(document.entry, docs_of[document.set_name], zone, analyzer)
        scores.append(_score_document(document.entry, analyses, analyzer))
    return EvaluationReport(scores)


def folds(documents: Sequence[Document], count: int) -> list[list[Document]]:
    """Documents dealt into `count` folds in file-name order (deterministic)."""
    ordered = sorted(documents, key=lambda d: (d.set_name, d.entry["file"]))
    return [ordered[number::count] for number in range(count)]
