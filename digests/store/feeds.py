"""Feeds a guild follows, their polling state, and the entries already stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime

from digests.clock import from_timestamp, to_timestamp
from digests.i18n import from_stored, to_stored
from digests.store.database import Database, Transaction

_COLUMNS = (
    "id, guild_id, url, title, channel_id, added_by, etag, last_modified, created_ts,"
    " last_polled_ts, last_success_ts, next_poll_ts, failure_count, first_failure_ts,"
    " last_error, disabled_ts, disabled_reason"
)


@dataclass(frozen=True)
class FeedRecord:
    """A followed feed and where its polling stands."""

    id: int
    guild_id: int
    url: str
    title: str | None
    channel_id: int | None
    added_by: str | None
    etag: str | None
    last_modified: str | None
    created_at: datetime
    last_polled_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime
    failure_count: int
    first_failure_at: datetime | None
    last_error: str | None
    disabled_at: datetime | None
    disabled_reason: str | None

    @property
    def active(self) -> bool:
        """False once polling was switched off after repeated failures."""
        return self.disabled_at is None


def _optional_time(value: int | None) -> datetime | None:
    return from_timestamp(value) if value is not None else None


def _row(row: sqlite3.Row) -> FeedRecord:
    return FeedRecord(
        id=row["id"],
        guild_id=row["guild_id"],
        url=row["url"],
        title=row["title"],
        channel_id=row["channel_id"],
        added_by=row["added_by"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        created_at=from_timestamp(row["created_ts"]),
        last_polled_at=_optional_time(row["last_polled_ts"]),
        last_success_at=_optional_time(row["last_success_ts"]),
        next_poll_at=from_timestamp(row["next_poll_ts"]),
        failure_count=row["failure_count"],
        first_failure_at=_optional_time(row["first_failure_ts"]),
        last_error=from_stored(row["last_error"]),
        disabled_at=_optional_time(row["disabled_ts"]),
        disabled_reason=from_stored(row["disabled_reason"]),
    )


class FeedRepository:
    """SQL for `feeds` and `feed_entries`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        url: str,
        title: str | None,
        channel_id: int | None,
        added_by: str | None,
        now: datetime,
        next_poll: datetime,
    ) -> int:
        """Insert a feed inside a transaction; return its id."""
        return await transaction.insert(
            "INSERT INTO feeds (guild_id, url, title, channel_id, added_by, created_ts,"
            " last_polled_ts, last_success_ts, next_poll_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                url,
                title,
                channel_id,
                added_by,
                to_timestamp(now),
                to_timestamp(now),
                to_timestamp(now),
                to_timestamp(next_poll),
            ),
        )

    async def find_by_url(self, guild_id: int, url: str) -> FeedRecord | None:
        """The guild's feed with this URL, if it follows it."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM feeds WHERE guild_id = ? AND url = ?", (guild_id, url)
        )
        return _row(row) if row else None

    async def get(self, guild_id: int, feed_id: int) -> FeedRecord | None:
        """One feed of the guild (None for another guild's id)."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM feeds WHERE guild_id = ? AND id = ?", (guild_id, feed_id)
        )
        return _row(row) if row else None

    async def list(self, guild_id: int) -> list[FeedRecord]:
        """The guild's feeds, oldest first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM feeds WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [_row(row) for row in rows]

    async def list_active(self) -> list[FeedRecord]:
        """Every feed still being polled, across guilds (the scheduler's view)."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM feeds WHERE disabled_ts IS NULL ORDER BY next_poll_ts"
        )
        return [_row(row) for row in rows]

    async def due(self, now: datetime, guild_ids: Container[int] | None = None) -> list[FeedRecord]:
        """Active feeds whose next poll time has come."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM feeds WHERE disabled_ts IS NULL AND next_poll_ts <= ?"
            " ORDER BY next_poll_ts",
            (to_timestamp(now),),
        )
        feeds = [_row(row) for row in rows]
        return [feed for feed in feeds if guild_ids is None or feed.guild_id in guild_ids]

    async def remove(self, guild_id: int, feed_id: int) -> bool:
        """Stop following a feed; False when the guild has no such feed."""
        return bool(
            await self._db.execute(
                "DELETE FROM feeds WHERE guild_id = ? AND id = ?", (guild_id, feed_id)
            )
        )

    async def known_keys(self, feed_id: int) -> set[str]:
        """Entry keys already stored for a feed."""
        rows = await self._db.fetch_all(
            "SELECT entry_key FROM feed_entries WHERE feed_id = ?", (feed_id,)
        )
        return {row["entry_key"] for row in rows}

    async def mark_entry(
        self,
        transaction: Transaction,
        *,
        guild_id: int,
        feed_id: int,
        entry_key: str,
        post_id: int | None,
        is_new: bool,
        now: datetime,
    ) -> None:
        """Record an entry as seen, inside the transaction that stored its post."""
        await transaction.execute(
            "INSERT INTO feed_entries (guild_id, feed_id, entry_key, post_id, is_new,"
            " seen_ts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, feed_id, entry_key, post_id, int(is_new), to_timestamp(now)),
        )

    async def record_success(
        self,
        feed_id: int,
        *,
        now: datetime,
        next_poll: datetime,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
    ) -> None:
        """A poll worked: reset failures, remember validators, schedule the next poll."""
        await self._db.execute(
            "UPDATE feeds SET last_polled_ts = ?, last_success_ts = ?, next_poll_ts = ?,"
            " failure_count = 0, first_failure_ts = NULL, last_error = NULL,"
            " etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),"
            " title = COALESCE(?, title) WHERE id = ?",
            (
                to_timestamp(now),
                to_timestamp(now),
                to_timestamp(next_poll),
                etag,
                last_modified,
                title,
                feed_id,
            ),
        )

    async def record_failure(
        self,
        feed_id: int,
        *,
        now: datetime,
        next_poll: datetime,
        error: str,
        disable_reason: str | None,
    ) -> None:
        """A poll failed: count it, back off, and switch the feed off when it keeps failing."""
        await self._db.execute(
            "UPDATE feeds SET last_polled_ts = ?, next_poll_ts = ?,"
            " failure_count = failure_count + 1, first_failure_ts = COALESCE(first_failure_ts, ?),"
            " last_error = ?,"
            " disabled_ts = CASE WHEN CAST(? AS TEXT) IS NULL THEN disabled_ts ELSE ? END,"
            " disabled_reason = COALESCE(?, disabled_reason) WHERE id = ?",
            (
                to_timestamp(now),
                to_timestamp(next_poll),
                to_timestamp(now),
                to_stored(error),
                to_stored(disable_reason),
                to_timestamp(now),
                to_stored(disable_reason),
                feed_id,
            ),
        )

    async def enable(self, guild_id: int, feed_id: int, now: datetime) -> bool:
        """Switch a disabled feed back on, polling right away."""
        return bool(
            await self._db.execute(
                "UPDATE feeds SET disabled_ts = NULL, disabled_reason = NULL, failure_count = 0,"
                " first_failure_ts = NULL, last_error = NULL, next_poll_ts = ?"
                " WHERE guild_id = ? AND id = ?",
                (to_timestamp(now), guild_id, feed_id),
            )
        )

    async def set_channel(self, guild_id: int, feed_id: int, channel_id: int | None) -> bool:
        """Where the feed's new entries are announced (None: nowhere); False when the guild has
        no such feed."""
        return bool(
            await self._db.execute(
                "UPDATE feeds SET channel_id = ? WHERE guild_id = ? AND id = ?",
                (channel_id, guild_id, feed_id),
            )
        )
