"""The ingestion service: inputs in, clean posts (and their analysis) stored, one line each out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from digests.clock import Clock
from digests.errors import HindsightError, InputError
from digests.ingest.decode import decode_bytes
from digests.ingest.documents import RawDocument, build_posts
from digests.ingest.feeds import FeedEntry, ParsedFeed, looks_like_feed, parse_feed
from digests.ingest.fetch import SafeFetcher
from digests.ingest.html import extract_html, fragment_text
from digests.ingest.loaders import expand_inputs, load_bytes, load_file, pasted_document
from digests.models import ForecastCounts, IngestOutcome, IngestResult, Post, SourceKind
from digests.settings import Settings
from digests.store import Store, Transaction


class PostAnalyzer(Protocol):
    """Analysis run on every stored post (see digests.analysis)."""

    def analyze_for_store(self, post: Post) -> object:
        """Analyse a post; the result is handed to `store_analysis` inside the insert transaction."""

    async def store_analysis(
        self, transaction: Transaction, post_id: int, post: Post, analysis: object
    ) -> ForecastCounts:
        """Store an analysis; return what it put in the ledger."""


@dataclass(frozen=True)
class InputFailure:
    """An input that could not be ingested, with the user-safe reason."""

    source: str
    message: str


@dataclass
class IngestReport:
    """Everything one ingest call did: posts stored or skipped, and inputs that failed."""

    results: list[IngestResult]
    failures: list[InputFailure]

    @property
    def stored(self) -> list[IngestResult]:
        """The results that were stored."""
        return [result for result in self.results if result.outcome is IngestOutcome.STORED]


AfterStore = Callable[[Transaction, int, Post], Awaitable[None]]


def is_url(text: str) -> bool:
    """True for inputs that name a web address rather than a file."""
    return text.lower().startswith(("http://", "https://"))


def feed_entry_posts(
    parsed: ParsedFeed,
    source: str,
    guild_id: int,
    zone: ZoneInfo,
    fallback_published: datetime | None = None,
    not_after: datetime | None = None,
) -> list[tuple[FeedEntry, Post]]:
    """One post per feed entry (entries without any text are skipped)."""
    pairs = []
    for entry in parsed.entries:
        text = fragment_text(entry.content) if entry.content_is_html else entry.content
        document = RawDocument(
            source=source,
            source_kind=SourceKind.FEED,
            text=text if text.strip() else entry.title,
            title=entry.title or None,
            author=entry.author,
            published=entry.published,
            canonical_url=entry.link,
        )
        try:
            (post,) = build_posts(
                document, guild_id, zone, fallback_published, split=False, not_after=not_after
            )
        except HindsightError:
            continue
        pairs.append((entry, post))
    return pairs


class IngestService:
    """Turns files, URLs, feeds and pasted text into stored posts for a guild."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock,
        *,
        fetcher: SafeFetcher | None = None,
        analyzer: PostAnalyzer | None = None,
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self._fetcher = fetcher
        self._analyzer = analyzer

    @property
    def zone(self):
        """The default timezone for dates written without one."""
        return self._settings.timezone

    def _latest_plausible_date(self) -> datetime:
        """A date read from a post's text or address later than this is not when it was
        written (a target date, a typo); a day of slack covers timezones."""
        return self._clock.now() + timedelta(days=1)

    async def store_posts(
        self, posts: Iterable[Post], *, after_store: AfterStore | None = None
    ) -> list[IngestResult]:
        """Store posts one transaction each; duplicates change nothing and are reported as such."""
        results = []
        for post in posts:
            results.append(await self._store_one(post, after_store))
        return results

    async def _store_one(self, post: Post, after_store: AfterStore | None) -> IngestResult:
        async with self._store.transaction() as transaction:
            duplicate = await self._store.posts.find_duplicate(transaction, post)
        if duplicate:
            return self._duplicate_result(post, *duplicate)
        # Analysis is CPU work: do it outside the write transaction.
        analysis = (
            await asyncio.to_thread(self._analyzer.analyze_for_store, post)
            if self._analyzer
            else None
        )
        async with self._store.transaction() as transaction:
            duplicate = await self._store.posts.find_duplicate(transaction, post)
            if duplicate:
                return self._duplicate_result(post, *duplicate)
            post_id = await self._store.posts.insert(transaction, post, self._clock.now())
            counts = ForecastCounts()
            if self._analyzer is not None:
                counts = await self._analyzer.store_analysis(transaction, post_id, post, analysis)
            if after_store is not None:
                await after_store(transaction, post_id, post)
        return IngestResult(
            source=post.source,
            outcome=IngestOutcome.STORED,
            title=post.title,
            post_id=post_id,
            published=post.published,
            published_source=post.date_source,
            author=post.author,
            predictions=counts.forecasts,
            needs_date=counts.needs_date,
            views=counts.views,
        )

    @staticmethod
    def _duplicate_result(post: Post, post_id: int, why: str) -> IngestResult:
        return IngestResult(
            source=post.source,
            outcome=IngestOutcome.DUPLICATE,
            title=post.title,
            post_id=post_id,
            reason=f"already stored as post {post_id} ({why})",
            published=post.published,
            published_source=post.date_source,
            author=post.author,
        )

    def posts_from_file(
        self, path: Path, guild_id: int, published: datetime | None = None
    ) -> list[Post]:
        """Load, clean and split one file into posts (nothing is stored)."""
        document = load_file(path, self.zone, self._settings.max_document_bytes)
        return build_posts(
            document, guild_id, self.zone, published, not_after=self._latest_plausible_date()
        )

    async def ingest_inputs(
        self,
        inputs: Iterable[str | Path],
        guild_id: int,
        *,
        published: datetime | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> IngestReport:
        """Ingest files, folders and URLs; each bad input is reported and the rest go on."""
        report = IngestReport([], [])
        for raw in inputs:
            if is_url(str(raw)):
                try:
                    report.results.extend(
                        await self.ingest_url(str(raw), guild_id, published=published)
                    )
                except HindsightError as error:
                    report.failures.append(InputFailure(str(raw), error.user_message))
                if on_progress:
                    on_progress(str(raw))
                continue
            path = Path(raw)
            try:
                files = expand_inputs(path)
            except HindsightError as error:
                report.failures.append(InputFailure(str(path), error.user_message))
                continue
            for file in files:
                try:
                    posts = await asyncio.to_thread(self.posts_from_file, file, guild_id, published)
                    report.results.extend(await self.store_posts(posts))
                except HindsightError as error:
                    report.failures.append(InputFailure(str(file), error.user_message))
                if on_progress:
                    on_progress(str(file))
        return report

    async def ingest_bytes(self, filename: str, data: bytes, guild_id: int) -> list[IngestResult]:
        """Ingest an uploaded .txt/.md/.html file."""
        suffix = Path(filename).suffix
        document = await asyncio.to_thread(
            load_bytes, data, filename, suffix, self.zone, self._settings.max_document_bytes
        )
        posts = build_posts(document, guild_id, self.zone, not_after=self._latest_plausible_date())
        return await self.store_posts(posts)

    async def ingest_text(
        self,
        text: str,
        guild_id: int,
        *,
        source: str = "pasted text",
        title: str | None = None,
        published: datetime | None = None,
    ) -> list[IngestResult]:
        """Ingest pasted text. Raises InputError for empty or oversized text."""
        document = pasted_document(text, self._settings.max_document_bytes, source)
        if title:
            document = RawDocument(**{**document.__dict__, "title": title})
        posts = build_posts(
            document, guild_id, self.zone, published, not_after=self._latest_plausible_date()
        )
        return await self.store_posts(posts)

    async def ingest_url(
        self, url: str, guild_id: int, *, published: datetime | None = None
    ) -> list[IngestResult]:
        """Fetch a page (or a feed) and store its posts. Raises FetchError/InputError."""
        if self._fetcher is None:
            raise InputError(url, "fetching URLs is not available here")
        resource = await self._fetcher.fetch(url)
        if looks_like_feed(resource.content_type, resource.body):
            parsed = parse_feed(resource.body, url)
            posts = [
                post
                for _, post in feed_entry_posts(
                    parsed, url, guild_id, self.zone, published, self._latest_plausible_date()
                )
            ]
            if not posts:
                raise InputError(url, "the feed has no entries with text")
            return await self.store_posts(posts)
        if len(resource.body) > self._settings.max_document_bytes:
            raise InputError(url, "too large: over the document size limit")
        text = decode_bytes(resource.body, url, resource.charset)
        if resource.content_type in {"text/plain", "text/markdown"}:
            document = RawDocument(
                source=url, source_kind=SourceKind.URL, text=text, canonical_url=resource.url
            )
        else:
            page = extract_html(text, resource.url, url, self.zone)
            document = RawDocument(
                source=url,
                source_kind=SourceKind.URL,
                text=page.text,
                title=page.title,
                author=page.author,
                published=page.published,
                canonical_url=page.canonical_url or resource.url,
            )
        posts = await asyncio.to_thread(
            partial(build_posts, not_after=self._latest_plausible_date()),
            document,
            guild_id,
            self.zone,
            published,
        )
        return await self.store_posts(posts)
