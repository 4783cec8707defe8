"""Following RSS/Atom feeds: add, list, remove, and polling with backoff and auto-disable.

The first fetch of a new feed stores its entries without marking them as new, so following a
feed does not flood a channel with its back catalogue. An entry is marked seen in the same
transaction that stores its post: a crash between the two cannot lose or repeat an entry.

Several processes may share the store: a poll holds the lease `feed:<id>` (LEASE_SECONDS) for
as long as it runs, so no feed is polled by two processes at the same time, and re-reads the
feed under it, so a poll another process just finished is not repeated.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime, timedelta

from digests.clock import Clock
from digests.errors import HindsightError, InputError, NotFound, describe_failure
from digests.i18n import message
from digests.ingest.feeds import failure_backoff, should_disable
from digests.ingest.fetch import SafeFetcher
from digests.ingest.service import FeedPosts, IngestService
from digests.models import IngestOutcome, IngestResult, Post
from digests.outbox_payloads import FeedPayload
from digests.settings import Settings
from digests.store import Store, Transaction
from digests.store.feeds import FeedRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedAdded:
    """A feed now followed, with how many of its current entries were stored."""

    feed: FeedRecord
    stored: int


@dataclass(frozen=True)
class PollOutcome:
    """What one poll of one feed did."""

    feed_id: int
    guild_id: int
    new_posts: list[IngestResult]
    not_modified: bool = False
    error: str | None = None
    disabled: bool = False
    busy: bool = False  # another process holds the feed's lease (or just polled it): skipped


def spread_offset(url: str, interval: timedelta) -> timedelta:
    """A stable offset inside the polling interval, so feeds do not all poll at once."""
    digest = int(hashlib.sha256(url.encode("utf-8")).hexdigest()[:8], 16)
    return timedelta(seconds=digest % max(1, int(interval.total_seconds())))


class FeedService:
    """Feeds per guild, on top of the ingestion service."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock,
        ingest: IngestService,
        fetcher: SafeFetcher,
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self._ingest = ingest
        self._fetcher = fetcher

    @property
    def interval(self) -> timedelta:
        """How often an active feed is polled."""
        return timedelta(minutes=self._settings.feed_poll_minutes)

    async def _parse(self, body: bytes, url: str, guild_id: int) -> FeedPosts:
        # Parsing a large feed is seconds of CPU: never on the event loop (see workers).
        return await self._ingest.feed_posts(body, url, guild_id)

    async def add(
        self, guild_id: int, url: str, *, channel_id: int | None = None, added_by: str | None = None
    ) -> FeedAdded:
        """Follow a feed: fetch it now (it must parse), store current entries as not new."""
        existing = await self._store.feeds.find_by_url(guild_id, url)
        if existing is not None:
            key = (
                "feed_error.already_followed" if existing.active else "feed_error.already_disabled"
            )
            raise InputError(url, message(key, id=existing.id))
        resource = await self._fetcher.fetch(url)
        parsed = await self._parse(resource.body, url, guild_id)
        now = self._clock.now()
        next_poll = now + self.interval + spread_offset(url, self.interval)
        async with self._store.transaction() as transaction:
            feed_id = await self._store.feeds.add(
                transaction,
                guild_id=guild_id,
                url=url,
                title=parsed.title or None,
                channel_id=channel_id,
                added_by=added_by,
                now=now,
                next_poll=next_poll,
            )
        await self._store.feeds.record_success(
            feed_id,
            now=now,
            next_poll=next_poll,
            etag=resource.etag,
            last_modified=resource.last_modified,
            title=parsed.title or None,
        )
        stored, _ = await self._store_entries(
            feed_id, guild_id, parsed, url, is_new=False, channel_id=None
        )
        feed = await self._store.feeds.get(guild_id, feed_id)
        assert feed is not None
        return FeedAdded(feed=feed, stored=stored)

    async def remove(self, guild_id: int, feed_id: int) -> None:
        """Stop following a feed (stored posts stay)."""
        if not await self._store.feeds.remove(guild_id, feed_id):
            raise NotFound(message("feed_error.no_feed", id=feed_id))

    async def list(self, guild_id: int) -> list[FeedRecord]:
        """The guild's feeds with their state."""
        return await self._store.feeds.list(guild_id)

    async def _store_entries(
        self,
        feed_id: int,
        guild_id: int,
        parsed: FeedPosts,
        url: str,
        *,
        is_new: bool,
        channel_id: int | None,
    ) -> tuple[int, list[IngestResult]]:
        """Store the entries not seen before; (how many were stored, and the results of those
        when they are new entries to report). The first fetch of a large feed keeps only the
        count: thousands of results kept alive would slow every garbage collection."""
        known = await self._store.feeds.known_keys(feed_id)
        announce = is_new and channel_id is not None
        language = (await self._store.guilds.get(guild_id)).language if announce else "en"
        stored_count = 0
        results: list[IngestResult] = []
        for key, values in parsed.entries:
            if key in known:
                continue
            known.add(key)  # a feed repeating an id stores it once
            post = parsed.post(values)

            async def mark(
                transaction: Transaction, post_id: int, post: Post, key: str = key
            ) -> None:
                now = self._clock.now()
                await self._store.feeds.mark_entry(
                    transaction,
                    guild_id=guild_id,
                    feed_id=feed_id,
                    entry_key=key,
                    post_id=post_id,
                    is_new=is_new,
                    now=now,
                )
                if announce:
                    # Announced from the same transaction: stored, seen and queued together.
                    await self._store.outbox.enqueue(
                        transaction,
                        guild_id=guild_id,
                        dedupe_key=f"feed:{feed_id}:{key}",
                        destination="channel",
                        destination_id=channel_id,
                        payload=FeedPayload(
                            post_id=post_id,
                            title=post.title,
                            url=post.canonical_url,
                            author=post.author,
                            feed=parsed.title or url,
                            language=language,
                        ),
                        now=now,
                    )

            stored = await self._ingest.store_posts([post], after_store=mark)
            if stored and stored[0].outcome is IngestOutcome.DUPLICATE:
                # Already stored from elsewhere: remember the entry so it is not offered again.
                async with self._store.transaction() as transaction:
                    await self._store.feeds.mark_entry(
                        transaction,
                        guild_id=guild_id,
                        feed_id=feed_id,
                        entry_key=key,
                        post_id=stored[0].post_id,
                        is_new=False,
                        now=self._clock.now(),
                    )
            new = [result for result in stored if result.outcome is IngestOutcome.STORED]
            stored_count += len(new)
            if is_new:
                results.extend(new)
        return stored_count, results

    async def poll(self, feed: FeedRecord, *, only_if_due: bool = False) -> PollOutcome:
        """Poll one feed: conditional GET, store new entries, back off or disable on failure.
        Skipped (`busy`) while another process polls it; with `only_if_due`, also when its next
        poll is no longer due (another process polled it since `feed` was read).

        Never raises: whatever goes wrong (the network, the feed, a bug of ours) is recorded on
        the feed, shown by /feed list, and backs its polling off."""
        now = self._clock.now()
        lease = f"feed:{feed.id}"
        worker = self._settings.worker_name
        if not await self._store.leases.take(
            lease,
            guild_id=feed.guild_id,
            holder=worker,
            now=now,
            until=now + timedelta(seconds=self._settings.lease_seconds),
        ):
            return PollOutcome(feed.id, feed.guild_id, [], busy=True)
        try:
            current = await self._store.feeds.get(feed.guild_id, feed.id)
            if current is None or (
                only_if_due and (not current.active or current.next_poll_at > now)
            ):
                return PollOutcome(feed.id, feed.guild_id, [], busy=True)
            try:
                return await self._poll(current, now)
            except Exception as error:
                if not isinstance(error, HindsightError):
                    logger.exception("polling feed %s failed", current.url)
                return await self._failed(current, now, describe_failure(error))
        finally:
            await self._store.leases.release(lease, holder=worker)

    async def _poll(self, feed: FeedRecord, now: datetime) -> PollOutcome:
        resource = await self._fetcher.fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified
        )
        if resource.not_modified:
            await self._store.feeds.record_success(
                feed.id,
                now=now,
                next_poll=now + self.interval,
                etag=resource.etag,
                last_modified=resource.last_modified,
                title=None,
            )
            return PollOutcome(feed.id, feed.guild_id, [], not_modified=True)
        parsed = await self._parse(resource.body, feed.url, feed.guild_id)
        _, stored = await self._store_entries(
            feed.id,
            feed.guild_id,
            parsed,
            feed.url,
            is_new=True,
            channel_id=feed.channel_id,
        )
        await self._store.feeds.record_success(
            feed.id,
            now=now,
            next_poll=now + self.interval,
            etag=resource.etag,
            last_modified=resource.last_modified,
            title=parsed.title or None,
        )
        return PollOutcome(feed.id, feed.guild_id, stored)

    async def _failed(self, feed: FeedRecord, now: datetime, error: str) -> PollOutcome:
        failures = feed.failure_count + 1
        first_failure = feed.first_failure_at or now
        disable = should_disable(first_failure, now, self._settings.feed_disable_after_hours)
        # Catalog messages: the store keeps their keys, so /feed list shows them in the
        # reader's language.
        reason = (
            message(
                "feed_error.disabled_after",
                hours=self._settings.feed_disable_after_hours,
                error=error,
            )
            if disable
            else None
        )
        delay = failure_backoff(failures, self._settings.feed_backoff_base_minutes)
        await self._store.feeds.record_failure(
            feed.id, now=now, next_poll=now + delay, error=error, disable_reason=reason
        )
        logger.warning("feed %s failed (%d in a row): %s", feed.url, failures, error)
        return PollOutcome(feed.id, feed.guild_id, [], error=error, disabled=disable)

    async def poll_due(self, guild_ids: Container[int] | None = None) -> list[PollOutcome]:
        """Poll every feed whose time has come (optionally only for some guilds); one feed's
        failure is recorded on it and the others are polled all the same. Feeds another
        process is polling are left to it."""
        outcomes = []
        for feed in await self._store.feeds.due(self._clock.now(), guild_ids):
            try:
                outcome = await self.poll(feed, only_if_due=True)
                if not outcome.busy:
                    outcomes.append(outcome)
            except Exception:  # even recording the failure failed (the store): go on
                logger.exception("polling feed %s failed and could not be recorded", feed.url)
        return outcomes

    async def enable(self, guild_id: int, feed_id: int) -> FeedRecord:
        """Resume a disabled (or failing) feed: its failures are forgotten and it is polled at
        the next scheduler pass."""
        if not await self._store.feeds.enable(guild_id, feed_id, self._clock.now()):
            raise NotFound(message("feed_error.no_feed", id=feed_id))
        feed = await self._store.feeds.get(guild_id, feed_id)
        assert feed is not None
        return feed

    async def set_channel(self, guild_id: int, feed_id: int, channel_id: int | None) -> FeedRecord:
        """Announce the feed's new entries in `channel_id` from now on (None: announce nowhere)."""
        if not await self._store.feeds.set_channel(guild_id, feed_id, channel_id):
            raise NotFound(message("feed_error.no_feed", id=feed_id))
        feed = await self._store.feeds.get(guild_id, feed_id)
        assert feed is not None
        return feed
