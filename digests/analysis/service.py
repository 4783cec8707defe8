"""Analysis as a service of the guild: run on every stored post, kept in the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from digests.analysis.anchoring import anchored_forecasts
from digests.analysis.pipeline import Analyzer, PostAnalysis
from digests.analysis.themes import score_themes
from digests.clock import Clock
from digests.ledger.model import ForecastRecord, forecast_from_analysis
from digests.ledger.service import guild_zone
from digests.models import ForecastCounts, Post
from digests.settings import Settings
from digests.store import Store, Transaction
from digests.store.analysis import QuoteRow, TermRow


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
        # Due moments close at the end of the due day in the guild's timezone, like a forecast
        # typed in by hand (digests.dates.due_moment).
        zone = await guild_zone(self._store, self._settings, post.guild_id)
        forecasts = self.new_forecasts(post_id, post, analysis, zone)
        await self._store.forecasts.replace_for_post(
            transaction, guild_id=post.guild_id, post_id=post_id, forecasts=forecasts, now=now
        )
        return count_forecasts(forecasts).model_copy(
            update={"analysed_chars": result.analysed_chars}
        )

    def new_forecasts(
        self, post_id: int, post: Post, analysis: StoredAnalysis, zone: tzinfo
    ) -> list[ForecastRecord]:
        """The ledger's records of everything a post's analysis found; `zone` is the guild's.
        Those that need the post's date keep their time expression but get no window."""
        return [
            forecast_from_analysis(
                found,
                guild_id=post.guild_id,
                post_id=post_id,
                source_label=post.title,
                source_url=post.canonical_url,
                author=post.author,
                zone=zone,
                needs_date=index in analysis.needs_date,
            )
            for index, found in enumerate(analysis.analysis.forecasts)
        ]


def count_forecasts(forecasts: list[ForecastRecord]) -> ForecastCounts:
    """How many records are tracked, wait for their post's date, or are undated views."""
    waiting = sum(1 for forecast in forecasts if forecast.needs_date)
    views = sum(1 for forecast in forecasts if forecast.is_view)
    return ForecastCounts(tracked=len(forecasts) - waiting - views, needs_date=waiting, views=views)
