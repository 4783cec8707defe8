"""Per-guild settings: timezone, reminder channel and role, digest schedule."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from digests.clock import from_timestamp, to_timestamp
from digests.i18n import from_stored, to_stored
from digests.store.database import Database

_COLUMNS = (
    "guild_id, timezone, language, reminder_channel_id, reminder_role_id, digest_channel_id,"
    " digest_cron, digest_days, digest_enabled, digest_paused_reason, reminders_paused_reason,"
    " followup_days_json, digest_since_ts, reminder_grouping"
)
_EDITABLE = {
    "timezone",
    "language",
    "reminder_channel_id",
    "reminder_role_id",
    "digest_channel_id",
    "digest_cron",
    "digest_days",
    "digest_enabled",
    "digest_paused_reason",
    "reminders_paused_reason",
    "followup_days_json",
    "digest_since_ts",
    "reminder_grouping",
}


@dataclass(frozen=True)
class GuildSettings:
    """What a guild configured (None where it kept the bot's defaults)."""

    guild_id: int
    timezone: str | None = None
    language: str = "en"
    reminder_channel_id: int | None = None
    reminder_role_id: int | None = None
    digest_channel_id: int | None = None
    digest_cron: str | None = None
    digest_days: int = 7
    digest_enabled: bool = False
    digest_paused_reason: str | None = None
    reminders_paused_reason: str | None = None
    followup_days: list[int] | None = field(default=None)
    digest_since: datetime | None = None
    reminder_grouping: str | None = None  # grouped|single; None: the bot's default


def _row(row: sqlite3.Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        timezone=row["timezone"],
        language=row["language"],
        reminder_channel_id=row["reminder_channel_id"],
        reminder_role_id=row["reminder_role_id"],
        digest_channel_id=row["digest_channel_id"],
        digest_cron=row["digest_cron"],
        digest_days=row["digest_days"],
        digest_enabled=bool(row["digest_enabled"]),
        digest_paused_reason=from_stored(row["digest_paused_reason"]),
        reminders_paused_reason=from_stored(row["reminders_paused_reason"]),
        followup_days=json.loads(row["followup_days_json"]) if row["followup_days_json"] else None,
        digest_since=from_timestamp(row["digest_since_ts"])
        if row["digest_since_ts"] is not None
        else None,
        reminder_grouping=row["reminder_grouping"],
    )


_REASON_COLUMNS = frozenset({"digest_paused_reason", "reminders_paused_reason"})


def _stored(column: str, value: object) -> object:
    """A setting as its column keeps it: reasons as catalog messages (see digests.i18n)."""
    return to_stored(value) if column in _REASON_COLUMNS and isinstance(value, str) else value


class GuildRepository:
    """SQL for `guild_settings`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, guild_id: int) -> GuildSettings:
        """The guild's settings (defaults when it never configured anything)."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return _row(row) if row else GuildSettings(guild_id=guild_id)

    async def update(self, guild_id: int, now: datetime, **values: object) -> GuildSettings:
        """Set some settings of a guild, creating its row on first use."""
        unknown = set(values) - _EDITABLE
        if unknown:
            raise ValueError(f"unknown guild settings: {sorted(unknown)}")
        columns = list(values)
        assignments = ", ".join(f"{column} = excluded.{column}" for column in columns)
        placeholders = ", ".join("?" for _ in columns)
        await self._db.execute(
            f"INSERT INTO guild_settings (guild_id, {', '.join(columns)}, updated_ts)"
            f" VALUES (?, {placeholders}, ?) ON CONFLICT (guild_id) DO UPDATE SET {assignments},"
            " updated_ts = excluded.updated_ts",
            (
                guild_id,
                *(_stored(column, value) for column, value in values.items()),
                to_timestamp(now),
            ),
        )
        return await self.get(guild_id)

    async def with_digests(self) -> list[GuildSettings]:
        """Guilds whose scheduled digest is switched on."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM guild_settings WHERE digest_enabled = 1 ORDER BY guild_id"
        )
        return [_row(row) for row in rows]

    async def all(self) -> list[GuildSettings]:
        """Every guild that configured something."""
        rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM guild_settings ORDER BY guild_id")
        return [_row(row) for row in rows]
