"""Every scheduled job fails alone: one guild's digest, the reminder sweep, a pass of deliveries.

A job that raises is logged (with its traceback when it is a bug of ours), its failure is
recorded where a moderator sees it (/digest status), and it is skipped until its back-off has
passed, while every other job runs as usual. The first success forgets the failure.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from digests.clock import Clock
from digests.errors import HindsightError, describe_failure
from digests.store import Store
from digests.store.jobs import JobFailure

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Waits after the 1st, 2nd, … failure in a row; the last one repeats.
JOB_BACKOFF = [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 60)]


class JobRunner:
    """Runs jobs so that a failure is recorded and backed off instead of propagating."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        # Failures known to this process, so a healthy job costs no query per pass.
        self._failing: dict[tuple[int, str], JobFailure] | None = None

    async def _known(self) -> dict[tuple[int, str], JobFailure]:
        if self._failing is None:
            self._failing = {
                (failure.guild_id, failure.job): failure
                for failure in await self._store.jobs.all_failing()
            }
        return self._failing

    async def run(
        self, guild_id: int, job: str, work: Callable[[], Awaitable[T]], fallback: T
    ) -> tuple[T, JobFailure | None]:
        """Run `work` unless the job is backing off. Returns its result, or `fallback` and the
        recorded failure when it failed (or `fallback` and None when it was skipped)."""
        try:
            known = await self._known()
            failure = known.get((guild_id, job))
            if failure is not None and failure.retry_at > self._clock.now():
                return fallback, None
        except Exception:  # the store itself is failing: run the job, it will tell
            logger.exception("reading the state of job %s (guild %s) failed", job, guild_id)
            known, failure = {}, None
        try:
            result = await work()
        except Exception as error:
            return fallback, await self._failed(guild_id, job, error)
        if failure is not None:
            try:
                await self._store.jobs.clear(guild_id, job)
                known.pop((guild_id, job), None)
            except Exception:
                logger.exception("clearing the failure of job %s (guild %s) failed", job, guild_id)
        return result, None

    async def _failed(self, guild_id: int, job: str, error: Exception) -> JobFailure | None:
        if isinstance(error, HindsightError):
            logger.warning("job %s (guild %s) failed: %s", job, guild_id, error.user_message)
        else:
            logger.error("job %s (guild %s) failed", job, guild_id, exc_info=error)
        try:
            failure = await self._store.jobs.record(
                guild_id,
                job,
                error=describe_failure(error),
                now=self._clock.now(),
                wait=JOB_BACKOFF,
            )
        except Exception:
            logger.exception("recording the failure of job %s (guild %s) failed", job, guild_id)
            return None
        (await self._known())[(guild_id, job)] = failure
        return failure
