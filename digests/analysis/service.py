"""Analysis as a service of the guild: run on every stored post, kept in the store."""

from __future__ import annotations

from dataclasses import dataclass

from digests.analysis.pipeline import Analyzer, PostAnalysis
from digests.analysis.themes import score_themes
from digests.clock import Clock
from digests.ledger.model import forecast_from_analysis
from digests.ledger.service import guild_zone
from digests.models import Post
from digests.settings import Settings
from digests.store import Store, Transaction
from digests.store.analysis import QuoteRow, TermRow


@dataclass
class StoredAnalysis:
    """What ingestion hands from the analysis thread to the storing transaction."""

    analysis: PostAnalysis


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
        is unknown is read as of today, the day it was ingested."""
        today = self._clock.now().astimezone(self._settings.timezone).date()
        (analysis,) = self.analyzer.analyze([post], default_anchor=today, corpus=(0, {}))
        return StoredAnalysis(analysis)

    async def store_analysis(
        self, transaction: Transaction, post_id: int, post: Post, analysis: object
    ) -> int:
        """Store a post's analysis and forecasts; themes are scored against the guild's corpus.
        Returns the number of forecasts."""
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
        forecasts = [
            forecast_from_analysis(
                found,
                guild_id=post.guild_id,
                post_id=post_id,
                source_label=post.title,
                source_url=post.canonical_url,
                author=post.author,
                zone=zone,
            )
            for found in result.forecasts
        ]
        return await self._store.forecasts.replace_for_post(
            transaction, guild_id=post.guild_id, post_id=post_id, forecasts=forecasts, now=now
        )
