"""Analysis as a service of the guild: run on every stored post, kept in the store."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from digests.analysis.anchoring import anchored_forecasts
from digests.analysis.forecasts import Forecast
from digests.analysis.pipeline import Analyzer, PostAnalysis
from digests.analysis.themes import score_themes
from digests.clock import Clock
from digests.models import ForecastCounts, Post
from digests.settings import Settings
from digests.store import Store, Transaction
from digests.store.analysis import QuoteRow, TermRow
from digests.store.forecasts import NewForecast

_SPACES = re.compile(r"\s+")


def window_closes(due_end: date, zone: ZoneInfo) -> datetime:
    """The moment a window ending on `due_end` closes: the next midnight where the guild lives."""
    return datetime.combine(due_end + timedelta(days=1), time(0, 0), tzinfo=zone)


def forecast_fingerprint(scope: str, sentence: str, timex: str | None) -> str:
    """A stable identity for a forecast: the same sentence and time expression in the same post
    is the same forecast, whatever the extractor now says about its window."""
    normalised = _SPACES.sub(" ", sentence).strip().casefold()
    digest = hashlib.sha256(f"{normalised}\x1f{timex or ''}".encode()).hexdigest()[:16]
    return f"{scope}:{digest}"


@dataclass
class StoredAnalysis:
    """What ingestion hands from the analysis thread to the storing transaction."""

    analysis: PostAnalysis
    # Positions of forecasts whose window is counted from the post's unknown date.
    needs_date: frozenset[int] = frozenset()


class AnalysisService:
    """Analyses posts for ingestion and stores the results with the post, in one transaction."""

    def __init__(
        self, store: Store, settings: Settings, clock: Clock, analyzer: Analyzer | None = None
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self.analyzer = analyzer or Analyzer()

    def analyze_for_store(self, post: Post) -> StoredAnalysis:
        """Analyse one post (CPU work; ingestion runs it in a worker thread). A post whose date
        is unknown is read as of today, the day it was ingested, and its forecasts whose window
        would be counted from that guess ("내년", "앞으로 2~3년") are held until it is dated."""
        today = self._clock.now().astimezone(self._settings.timezone).date()
        return self.analyze_as_of(post, today)

    def analyze_as_of(self, post: Post, anchor: date) -> StoredAnalysis:
        """Analyse one post; `anchor` stands for its date when it has none."""
        (analysis,) = self.analyzer.analyze([post], default_anchor=anchor, corpus=(0, {}))
        held = (
            frozenset(anchored_forecasts(self.analyzer, analysis))
            if post.published is None
            else frozenset()
        )
        return StoredAnalysis(analysis, held)

    async def store_analysis(
        self, transaction: Transaction, post_id: int, post: Post, analysis: object
    ) -> ForecastCounts:
        """Store a post's analysis and forecasts; themes are scored against the guild's corpus.
        Returns what went into the ledger."""
        assert isinstance(analysis, StoredAnalysis)
        result = analysis.analysis
        labels = [candidate.label for candidate in result.candidates if candidate.count]
        size, frequencies = await self._store.analysis.corpus_statistics(
            transaction, post.guild_id, labels
        )
        # This post is part of the corpus it is scored against.
        frequencies = {label: frequencies.get(label, 0) + 1 for label in labels}
        themes = score_themes(result.candidates, size + 1, frequencies)
        now = self._clock.now()
        await self._store.analysis.save(
            transaction,
            guild_id=post.guild_id,
            post_id=post_id,
            summary=result.summary,
            anchor=result.anchor,
            terms=[
                TermRow(c.label, c.count, c.in_title, c.first_position, c.proper)
                for c in result.candidates
                if c.count
            ],
            themes=themes,
            quotes=[QuoteRow(q.text, q.speaker, q.sentence) for q in result.quotes],
            now=now,
        )
        forecasts = self.new_forecasts(post_id, post, analysis)
        await self._store.forecasts.replace_for_post(
            transaction, guild_id=post.guild_id, post_id=post_id, forecasts=forecasts, now=now
        )
        return count_forecasts(forecasts)

    def new_forecasts(
        self, post_id: int, post: Post, analysis: StoredAnalysis
    ) -> list[NewForecast]:
        """The ledger rows for everything a post's analysis found."""
        return [
            self.new_forecast(post_id, post, forecast, needs_date=index in analysis.needs_date)
            for index, forecast in enumerate(analysis.analysis.forecasts)
        ]

    def new_forecast(
        self, post_id: int, post: Post, forecast: Forecast, *, needs_date: bool = False
    ) -> NewForecast:
        """The ledger row for a forecast found in a post. One that needs the post's date keeps
        its time expression but no window: nothing is scheduled on a guessed date."""
        if needs_date:
            forecast = replace(forecast, due_start=None, due_end=None)
        return NewForecast(
            fingerprint=forecast_fingerprint(f"post{post_id}", forecast.text, forecast.timex),
            sentence=forecast.text,
            claim=forecast.claim,
            speaker=forecast.speaker,
            timex=forecast.timex,
            due_start=forecast.due_start,
            due_end=forecast.due_end,
            due_at=window_closes(forecast.due_end, self._settings.timezone)
            if forecast.due_end
            else None,
            granularity=forecast.granularity,
            kind=forecast.kind,
            hedge=forecast.hedge,
            confidence=forecast.confidence,
            source_label=post.title,
            source_url=post.canonical_url,
            author=post.author,
            needs_date=needs_date,
        )


def count_forecasts(forecasts: list[NewForecast]) -> ForecastCounts:
    """How many rows are tracked, wait for their post's date, or are undated views."""
    waiting = sum(1 for forecast in forecasts if forecast.needs_date)
    views = sum(1 for forecast in forecasts if forecast.due_end is None and not forecast.needs_date)
    return ForecastCounts(tracked=len(forecasts) - waiting - views, needs_date=waiting, views=views)
