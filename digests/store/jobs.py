"""Scheduler jobs that failed: why, since when, and when they may run again."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from digests.clock import from_timestamp, to_timestamp
from digests.i18n import from_stored, to_stored
from digests.store.database import Database

# The guild id of jobs that serve every server at once (the reminder sweep, deliveries).
EVERY_GUILD = -1
# An every-server job of a named process ("sweep@shards-0,1"): each process backs off and shows
# its own; the one process of a default setup ("main") keeps the plain name.
WORKER_SEPARATOR = "@"
DEFAULT_WORKER = "main"


def worker_job(job: str, worker: str) -> str:
    """The stored name of an every-server job run by `worker`."""
    return job if worker == DEFAULT_WORKER else f"{job}{WORKER_SEPARATOR}{worker}"


_ERROR_MAX_CHARS = 500
_COLUMNS = "guild_id, job, failure_count, first_failure_ts, last_failure_ts, retry_ts, last_error"


@dataclass(frozen=True)
class JobFailure:
    """A job that keeps failing, as a moderator would want to read it."""

    guild_id: int
    job: str
    failure_count: int
    first_failure_at: datetime
    last_failure_at: datetime
    retry_at: datetime
    last_error: str

    @property
    def name(self) -> str:
        """The job's name without the process that runs it ("sweep")."""
        return self.job.split(WORKER_SEPARATOR, 1)[0]

    @property
    def worker(self) -> str:
        """The process an every-server job belongs to (`main` for one process)."""
        _, _, worker = self.job.partition(WORKER_SEPARATOR)
        return worker or DEFAULT_WORKER

    def shown_to(self, worker: str) -> bool:
        """Whether a server served by `worker` should see this failure: its own jobs always,
        an every-server job only when that process runs it."""
        return self.guild_id != EVERY_GUILD or self.worker == worker


def _row(row: sqlite3.Row) -> JobFailure:
    return JobFailure(
        guild_id=row["guild_id"],
        job=row["job"],
        failure_count=row["failure_count"],
        first_failure_at=from_timestamp(row["first_failure_ts"]),
        last_failure_at=from_timestamp(row["last_failure_ts"]),
        retry_at=from_timestamp(row["retry_ts"]),
        last_error=from_stored(row["last_error"]) or "",
    )


class JobFailureRepository:
    """SQL for `job_failures`."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def record(
        self, guild_id: int, job: str, *, error: str, now: datetime, wait: list[timedelta]
    ) -> JobFailure:
        """Count one more failure of a job and schedule its next try: `wait[n - 1]` after the
        n-th failure in a row (the last entry once the list runs out)."""
        async with self._db.transaction() as transaction:
            row = await transaction.fetch_one(
                "SELECT failure_count FROM job_failures WHERE guild_id = ? AND job = ?",
                (guild_id, job),
            )
            count = (row["failure_count"] if row else 0) + 1
            retry = now + wait[min(count, len(wait)) - 1]
            await transaction.execute(
                "INSERT INTO job_failures (guild_id, job, failure_count, first_failure_ts,"
                " last_failure_ts, retry_ts, last_error) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (guild_id, job) DO UPDATE SET failure_count = excluded.failure_count,"
                " last_failure_ts = excluded.last_failure_ts, retry_ts = excluded.retry_ts,"
                " last_error = excluded.last_error",
                (
                    guild_id,
                    job,
                    count,
                    to_timestamp(now),
                    to_timestamp(now),
                    to_timestamp(retry),
                    to_stored(error, _ERROR_MAX_CHARS),
                ),
            )
        failure = await self.get(guild_id, job)
        assert failure is not None
        return failure

    async def clear(self, guild_id: int, job: str) -> bool:
        """The job worked: forget its failures. False when none were recorded."""
        return bool(
            await self._db.execute(
                "DELETE FROM job_failures WHERE guild_id = ? AND job = ?", (guild_id, job)
            )
        )

    async def get(self, guild_id: int, job: str) -> JobFailure | None:
        """The failure state of one job, or None when it last worked."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM job_failures WHERE guild_id = ? AND job = ?", (guild_id, job)
        )
        return _row(row) if row else None

    async def for_guild(self, guild_id: int) -> list[JobFailure]:
        """The guild's failing jobs and those that serve every server, oldest failure first."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM job_failures WHERE guild_id IN (?, ?)"
            " ORDER BY first_failure_ts, job",
            (guild_id, EVERY_GUILD),
        )
        return [_row(row) for row in rows]

    async def all_failing(self) -> list[JobFailure]:
        """Every failing job, across guilds (the scheduler's view at start)."""
        rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM job_failures ORDER BY guild_id")
        return [_row(row) for row in rows]
