"""The ingestion service: inputs in, clean posts (and their analysis) stored, one line each out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from digests.clock import Clock
from digests.errors import HindsightError, InputError, describe_failure, input_failures
from digests.i18n import message
from digests.ingest.decode import decode_bytes
from digests.ingest.dedupe import same_article, search_fragments
from digests.ingest.documents import RawDocument, build_posts
from digests.ingest.feeds import FeedEntry, ParsedFeed, looks_like_feed, parse_feed
from digests.ingest.fetch import FetchedResource, SafeFetcher
from digests.ingest.html import extract_html, fragment_text
from digests.ingest.loaders import expand_inputs, load_bytes, load_file, pasted_document
from digests.ingest.workers import in_worker
from digests.models import ForecastCounts, IngestOutcome, IngestResult, Post, SourceKind
from digests.settings import Settings
from digests.store import Store, Transaction

logger = logging.getLogger(__name__)

# Why a post was found to be stored already (digests.store.posts and _near_duplicate), as the
# catalog says it in every language.
_DUPLICATE_REASONS = {
    "same canonical URL": "ingest.why.url",
    "same content": "ingest.why.content",
    "nearly the same text": "ingest.why.near",
}


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
    *,
    min_words: int = 0,
) -> list[tuple[FeedEntry, Post]]:
    """One post per feed entry (entries without text, or with fewer than `min_words` real
    words, are skipped). CPU work: run it in a worker thread."""
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
                document,
                guild_id,
                zone,
                fallback_published,
                split=False,
                not_after=not_after,
                min_words=min_words,
            )
        except HindsightError:
            continue
        pairs.append((entry, post))
    return pairs


_POST_FIELDS = tuple(Post.model_fields)


@dataclass(frozen=True)
class FeedPosts:
    """A parsed feed as it comes back from the parsing worker: its title and link, and per
    entry worth storing its key and its post's field values.

    Plain tuples of strings, numbers and dates are not tracked by the garbage collector, so
    10,000 entries waiting to be stored cannot set off the long full collections that stall
    the event loop (measured: 170-340 ms with a few hundred thousand objects around); each
    Post is built just before it is stored."""

    title: str
    link: str | None
    entries: list[tuple[str, tuple[object, ...]]]

    def post(self, values: tuple[object, ...]) -> Post:
        """The post of one entry."""
        return Post(**dict(zip(_POST_FIELDS, values, strict=True)))

    def posts(self) -> Iterator[Post]:
        """Every entry's post, built one at a time."""
        for _, values in self.entries:
            yield self.post(values)


def _post_values(post: Post) -> tuple[object, ...]:
    return tuple(
        value.value if isinstance(value, Enum) else value
        for value in (getattr(post, name) for name in _POST_FIELDS)
    )


def parse_feed_posts(
    body: bytes,
    source: str,
    guild_id: int,
    zone: ZoneInfo,
    published: datetime | None,
    not_after: datetime | None,
    min_words: int,
) -> FeedPosts:
    """Parse a feed and build a post per entry worth storing: the CPU work of a feed, run in
    the parsing worker (see `workers`). Raises InputError naming `source`."""
    parsed = parse_feed(body, source)
    pairs = feed_entry_posts(
        parsed, source, guild_id, zone, published, not_after, min_words=min_words
    )
    return FeedPosts(
        parsed.title, parsed.link, [(entry.key, _post_values(post)) for entry, post in pairs]
    )


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
        analysis = None
        if self._analyzer is not None:
            # Analysis is CPU work: look for a duplicate first, then analyse outside the write
            # transaction, then check again inside it.
            async with self._store.transaction() as transaction:
                duplicate = await self._duplicate_of(transaction, post)
            if duplicate:
                return self._duplicate_result(post, *duplicate)
            analysis = await asyncio.to_thread(self._analyze, post)
        async with self._store.transaction() as transaction:
            if self._analyzer is not None:
                duplicate = await self._store.posts.find_duplicate(transaction, post)
            else:
                duplicate = await self._duplicate_of(transaction, post)
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
            analysed_chars=counts.analysed_chars,
        )

    def _analyze(self, post: Post) -> object:
        """The post's analysis; a crash of the analyser on this text refuses the post (nothing is
        stored) with an InputError naming it, instead of escaping as a bug of the command."""
        assert self._analyzer is not None
        with input_failures(post.source, "analysis_text"):
            return self._analyzer.analyze_for_store(post)

    async def _duplicate_of(self, transaction: Transaction, post: Post) -> tuple[int, str] | None:
        """The stored post this one duplicates (same address or content, or nearly the same
        text), with why; None for a new post."""
        duplicate = await self._store.posts.find_duplicate(transaction, post)
        return duplicate or await self._near_duplicate(transaction, post)

    async def _near_duplicate(self, transaction: Transaction, post: Post) -> tuple[int, str] | None:
        """A stored post that is this one reached another way (a saved copy of a page stored
        from its URL, say), found through a few fragments of its text. Feed entries are left
        out: they carry their own links and ids, and come by the thousand, often from templates
        whose common sentences would make every search read the whole feed again."""
        if post.source_kind is SourceKind.FEED:
            return None
        fragments = search_fragments(post.text)
        for stored in await self._store.posts.containing(transaction, post.guild_id, fragments):
            if same_article(post, stored):
                return stored.id, "nearly the same text"
        return None

    @staticmethod
    def _duplicate_result(post: Post, post_id: int, why: str) -> IngestResult:
        return IngestResult(
            source=post.source,
            outcome=IngestOutcome.DUPLICATE,
            title=post.title,
            post_id=post_id,
            reason=f"already stored as post {post_id} ({why})",
            reason_key=_DUPLICATE_REASONS.get(why),
            published=post.published,
            published_source=post.date_source,
            author=post.author,
        )

    @property
    def min_words(self) -> int:
        """Fewest real words a document needs to be stored (MIN_DOCUMENT_WORDS)."""
        return self._settings.min_document_words

    def posts_from_file(
        self, path: Path, guild_id: int, published: datetime | None = None
    ) -> list[Post]:
        """Load, clean and split one file into posts (nothing is stored). CPU work."""
        document = load_file(path, self.zone, self._settings.max_document_bytes)
        return build_posts(
            document,
            guild_id,
            self.zone,
            published,
            not_after=self._latest_plausible_date(),
            min_words=self.min_words,
        )

    async def feed_posts(
        self, body: bytes, source: str, guild_id: int, published: datetime | None = None
    ) -> FeedPosts:
        """Parse a feed and build a post per entry worth storing (nothing is stored), in the
        parsing worker process. Raises InputError naming `source`."""
        return await in_worker(
            source,
            parse_feed_posts,
            body,
            source,
            guild_id,
            self.zone,
            published,
            self._latest_plausible_date(),
            self.min_words,
        )

    async def ingest_inputs(
        self,
        inputs: Iterable[str | Path],
        guild_id: int,
        *,
        published: datetime | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> IngestReport:
        """Ingest files, folders and URLs; each bad input is reported and the rest go on, even
        when one of them trips over a bug (logged, reported as an internal error)."""
        report = IngestReport([], [])
        for raw in inputs:
            if is_url(str(raw)):
                async with _reported(report, str(raw)):
                    report.results.extend(
                        await self.ingest_url(str(raw), guild_id, published=published)
                    )
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
                async with _reported(report, str(file)):
                    posts = await asyncio.to_thread(self.posts_from_file, file, guild_id, published)
                    report.results.extend(await self.store_posts(posts))
                if on_progress:
                    on_progress(str(file))
        return report

    def _uploaded_posts(self, filename: str, data: bytes, guild_id: int) -> list[Post]:
        document = load_bytes(
            data, filename, Path(filename).suffix, self.zone, self._settings.max_document_bytes
        )
        return build_posts(
            document,
            guild_id,
            self.zone,
            not_after=self._latest_plausible_date(),
            min_words=self.min_words,
        )

    async def ingest_bytes(self, filename: str, data: bytes, guild_id: int) -> list[IngestResult]:
        """Ingest an uploaded .txt/.md/.html file."""
        posts = await asyncio.to_thread(self._uploaded_posts, filename, data, guild_id)
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
        """Ingest pasted text. Raises InputError for empty, oversized or too short text."""
        document = pasted_document(text, self._settings.max_document_bytes, source)
        if title:
            document = RawDocument(**{**document.__dict__, "title": title})
        posts = await asyncio.to_thread(
            partial(
                build_posts,
                not_after=self._latest_plausible_date(),
                min_words=self.min_words,
            ),
            document,
            guild_id,
            self.zone,
            published,
        )
        return await self.store_posts(posts)

    def _page_posts(
        self, resource: FetchedResource, url: str, guild_id: int, published: datetime | None
    ) -> list[Post]:
        """Decode, extract, clean and split a fetched page (CPU work, in a worker thread)."""
        if len(resource.body) > self._settings.max_document_bytes:
            raise InputError(url, message("ingest_error.too_large"))
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
        return build_posts(
            document,
            guild_id,
            self.zone,
            published,
            not_after=self._latest_plausible_date(),
            min_words=self.min_words,
        )

    async def ingest_url(
        self, url: str, guild_id: int, *, published: datetime | None = None
    ) -> list[IngestResult]:
        """Fetch a page (or a feed) and store its posts. Raises FetchError/InputError."""
        if self._fetcher is None:
            raise InputError(url, message("ingest_error.no_fetching"))
        resource = await self._fetcher.fetch(url)
        if looks_like_feed(resource.content_type, resource.body):
            feed = await self.feed_posts(resource.body, url, guild_id, published)
            if not feed.entries:
                raise InputError(url, message("ingest_error.empty_feed"))
            return await self.store_posts(feed.posts())
        posts = await asyncio.to_thread(self._page_posts, resource, url, guild_id, published)
        return await self.store_posts(posts)


@asynccontextmanager
async def _reported(report: IngestReport, source: str) -> AsyncIterator[None]:
    """Record a failed input in `report` instead of stopping the batch: our errors with their
    message, anything else as an internal error (logged with its traceback)."""
    try:
        yield
    except HindsightError as error:
        report.failures.append(InputFailure(source, error.user_message))
    except Exception as error:
        logger.exception("ingesting %s failed", source)
        report.failures.append(InputFailure(source, f"{source}: {describe_failure(error)}"))
