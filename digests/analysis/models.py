"""The analysis results: the `analyze --json` contract, as pydantic models."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class ThemeResult(BaseModel):
    """A theme of a post with its score (higher is more central)."""

    label: str
    score: float
    variants: list[str] = []  # near-duplicate spellings merged into this theme


class QuoteResult(BaseModel):
    """A notable quote with its speaker (None when it cannot be told) and sentence."""

    text: str
    speaker: str | None
    sentence: str


class PredictionResult(BaseModel):
    """A forecast: the verbatim sentence, the claim, who forecasts, and when it can be judged."""

    text: str
    claim: str
    speaker: str | None
    timex: str | None
    due_start: date | None
    due_end: date | None
    granularity: str | None
    kind: str
    hedge: str
    confidence: float = Field(ge=0, le=1)


class PostAnalysisResult(BaseModel):
    """Everything the analysis found in one post."""

    title: str
    author: str | None
    published: str | None
    lang: str
    summary: list[str]
    themes: list[ThemeResult]
    quotes: list[QuoteResult]
    predictions: list[PredictionResult]


class AnalysisReport(BaseModel):
    """The JSON object `python -m digests analyze --json` prints."""

    posts: list[PostAnalysisResult]
