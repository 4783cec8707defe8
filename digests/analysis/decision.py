"""Why a dated candidate was (not) taken as a forecast: named steps, features and the learned model.

Every sentence with a time expression yields *candidates* (one per expression, or one for the
section's year when the sentence has none). Named steps look at the sentence and at each
candidate and record a verdict with a reason — the hand rules. The final decision is taken by a
small logistic model trained on labelled real posts (`scripts/train_forecast_model.py`), whose
inputs are those steps' verdicts plus what the grammar and the time expression say. Without a
model file the rules decide alone. `explain` prints all of it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

MODEL_FILE = Path(__file__).parent / "resources" / "forecast_model.json"


@dataclass(frozen=True)
class Step:
    """One named decision step's verdict on a sentence or a candidate."""

    name: str
    verdict: str  # drop|keep|note
    reason: str


@dataclass
class CandidateTrace:
    """A dated candidate of a sentence and everything decided about it."""

    text: str  # the time expression's text (or the section year for horizon candidates)
    rule: str  # the time rule that found it
    due_start: date | None
    due_end: date | None
    granularity: str | None
    relation: str
    status: str = ""  # future|current|recent|past|today|horizon
    steps: list[Step] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    rules_keep: bool = False
    score: float | None = None  # the model's probability, when a model decided
    taken: bool = False
    after: str = ""  # what happened after the decision (merged, duplicate of …)

    @property
    def decided_by(self) -> str:
        """'model' or 'rules'."""
        return "rules" if self.score is None else "model"


@dataclass
class SentenceTrace:
    """One sentence's role, its sentence-level steps and its candidates."""

    index: int
    text: str
    role: str  # heading|bullet|table|prose|quote
    lang: str
    steps: list[Step] = field(default_factory=list)
    candidates: list[CandidateTrace] = field(default_factory=list)


@dataclass
class PostTrace:
    """The traces of one post's sentences, by sentence index."""

    anchor: date
    sentences: dict[int, SentenceTrace] = field(default_factory=dict)

    def sentence(self, index: int, text: str, role: str, lang: str) -> SentenceTrace:
        """The trace of a sentence, created on first use."""
        found = self.sentences.get(index)
        if found is None:
            found = self.sentences[index] = SentenceTrace(index, text, role, lang)
        return found


@dataclass(frozen=True)
class ForecastModel:
    """A logistic model over named features: p = sigmoid(bias + Σ weight·value)."""

    weights: dict[str, float]
    bias: float
    threshold: float
    trained_on: str = ""

    def probability(self, features: dict[str, float]) -> float:
        """The probability that a candidate with these features is a dated forecast."""
        total = self.bias + sum(
            self.weights.get(name, 0.0) * value for name, value in features.items()
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, total))))

    def contributions(self, features: dict[str, float], top: int = 5) -> list[tuple[str, float]]:
        """The features that moved this candidate's score most, largest first."""
        parts = [
            (name, self.weights.get(name, 0.0) * value)
            for name, value in features.items()
            if self.weights.get(name, 0.0)
        ]
        return sorted(parts, key=lambda pair: -abs(pair[1]))[:top]

    def to_json(self) -> dict[str, object]:
        """The model file's content."""
        return {
            "kind": "logistic",
            "trained_on": self.trained_on,
            "threshold": self.threshold,
            "bias": self.bias,
            "weights": dict(sorted(self.weights.items())),
        }

    @classmethod
    def from_json(cls, data: dict) -> ForecastModel:
        """A model from its file's content."""
        return cls(
            weights={str(k): float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            trained_on=str(data.get("trained_on", "")),
        )


@cache
def default_model() -> ForecastModel | None:
    """The committed model, or None (rules decide) when the file is absent or switched off."""
    if not MODEL_FILE.exists():
        return None
    data = json.loads(MODEL_FILE.read_text("utf-8"))
    if not data.get("enabled", True):
        return None
    return ForecastModel.from_json(data)


def days_bucket(days: int) -> str:
    """A coarse distance from the published date to a window's end."""
    if days < 0:
        return "past"
    if days <= 31:
        return "month"
    if days <= 120:
        return "quarter"
    if days <= 400:
        return "year"
    if days <= 1200:
        return "3y"
    return "far"
