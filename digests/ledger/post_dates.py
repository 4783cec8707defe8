"""Giving a post its publication date: its forecasts are read again against that date.

A post whose date was unknown holds back the forecasts counted from it ("내년", "앞으로 2~3년");
a post whose date was read wrong has them in the wrong place. Setting the date re-reads the
post's stored text as of that day and reconciles the ledger by forecast identity (the same
sentence and time expression): windows move, and their pending reminders are replaced (the
sweep queues new ones for the new window; messages already sent stay sent); forecasts that need
the date get one; verdicts, votes and subscriptions stay with their forecast; forecasts only the
new date reveals are added; and ones it no longer finds are removed unless members already
acted on them. A window a member set by hand (/predictions redate) is theirs and stays.
Everything is written in one transaction.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, time

from digests.analysis.service import AnalysisService
from digests.clock import Clock
from digests.dates import parse_post_date
from digests.errors import NotFound
from digests.i18n import message
from digests.ledger.model import ForecastRecord
from digests.ledger.service import guild_zone
from digests.models import DateSource, StoredPost
from digests.settings import Settings
from digests.store import Store, Transaction

REANCHORED = "reanchored"  # the history step a forecast gets when its post is dated


@dataclass
class PostDating:
    """What dating a post did to it and to its forecasts."""

    post: StoredPost
    previous: datetime | None
    previous_source: DateSource | None
    moved: list[int] = field(default_factory=list)  # windows that moved with the date
    dated: list[int] = field(default_factory=list)  # needed the date and now have a window
    added: list[int] = field(default_factory=list)  # found only with the new date
    removed: int = 0  # no longer found, nobody had acted on them
    kept: list[int] = field(default_factory=list)  # no longer found, kept (judged or acted on)
    members_dated: list[int] = field(default_factory=list)  # a member's own window, left as is
    unchanged: int = 0
    verdicts_kept: int = 0  # judged forecasts among those touched


class PostDatingService:
    """Sets a post's publication date and re-reads its forecasts against it."""

    def __init__(
        self, store: Store, settings: Settings, clock: Clock, analysis: AnalysisService
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self._analysis = analysis

    async def set_date(
        self, guild_id: int, post_id: int, value: str, *, actor: int | None = None
    ) -> PostDating:
        """Date post `post_id` of the guild `value` (YYYY-MM-DD, midnight where the guild
        lives); `actor` is the member who did, for the forecasts' history. Raises InputError
        for a malformed or future date, NotFound for an unknown post (or another guild's).
        Re-dated windows close at the end of their due day in the guild's timezone."""
        zone = await guild_zone(self._store, self._settings, guild_id)
        now = self._clock.now()
        day = parse_post_date(value, today=now.astimezone(zone).date())
        post = await self._store.posts.get(guild_id, post_id)
        if post is None:
            raise NotFound(message("error.no_post", post=post_id))
        published = datetime.combine(day, time(0, 0), tzinfo=zone)
        dated = post.model_copy(
            update={"published": published, "published_source": DateSource.GIVEN}
        )
        # Reading the text again is CPU work: outside the write transaction, like ingestion.
        analysis = await asyncio.to_thread(self._analysis.analyze_as_of, dated, day)
        found = self._analysis.new_forecasts(post_id, dated, analysis, zone)
        async with self._store.transaction() as transaction:
            if not await self._store.posts.set_published(
                transaction, guild_id, post_id, published, DateSource.GIVEN
            ):
                raise NotFound(message("error.no_post", post=post_id))
            await self._store.analysis.set_anchor(transaction, guild_id, post_id, day, now)
            report = PostDating(
                post=dated, previous=post.published, previous_source=post.date_source
            )
            await self._reconcile(transaction, guild_id, post_id, found, day, now, actor, report)
        stored = await self._store.posts.get(guild_id, post_id)
        assert stored is not None
        report.post = stored
        return report

    async def _reconcile(
        self,
        transaction: Transaction,
        guild_id: int,
        post_id: int,
        found: list[ForecastRecord],
        day: date,
        now: datetime,
        actor: int | None,
        report: PostDating,
    ) -> None:
        forecasts = self._store.forecasts
        ledger = self._store.ledger
        existing = {
            record.fingerprint: record
            for record in await forecasts.for_post_locked(transaction, guild_id, post_id)
            if record.origin == "analysis"
        }
        wanted = {forecast.fingerprint for forecast in found}
        for forecast in found:
            record = existing.get(forecast.fingerprint)
            if record is None:
                report.added.append(
                    await forecasts.add_found(
                        transaction, guild_id=guild_id, post_id=post_id, forecast=forecast, now=now
                    )
                )
                continue
            if await ledger.last_event(transaction, record.id, ("redated",)) is not None:
                report.members_dated.append(record.id)
                continue
            if (record.due_start, record.due_end, record.due_at, record.needs_date) == (
                forecast.due_start,
                forecast.due_end,
                forecast.due_at,
                forecast.needs_date,
            ):
                report.unchanged += 1
                continue
            await self._move(transaction, record, forecast, day, now, actor)
            (report.dated if record.needs_date else report.moved).append(record.id)
            report.verdicts_kept += record.status == "resolved"
        gone = [record for fingerprint, record in existing.items() if fingerprint not in wanted]
        acted_on = await ledger.engaged(
            transaction, guild_id, [record.id for record in gone], ignore_events=(REANCHORED,)
        )
        removable = [
            record.id for record in gone if record.status == "open" and record.id not in acted_on
        ]
        for forecast_id in removable:
            await self._store.outbox.cancel_for_forecast(transaction, forecast_id)
        report.removed = await forecasts.delete(transaction, guild_id, removable)
        report.kept = [record.id for record in gone if record.id not in removable]
        report.verdicts_kept += sum(
            1 for record in gone if record.id in report.kept and record.status == "resolved"
        )

    async def _move(
        self,
        transaction: Transaction,
        record: ForecastRecord,
        forecast: ForecastRecord,
        day: date,
        now: datetime,
        actor: int | None,
    ) -> None:
        """Give one forecast its new window; a verdict stays, pending reminders are replaced."""
        if record.status == "resolved":
            status = "resolved"
        elif forecast.due_at is None or forecast.due_at > now:
            status = "open"
        else:
            # Already past: one that was waiting for a verdict still is; any other is found by
            # the next sweep like every forecast whose window just closed.
            status = "due" if record.status == "due" else "open"
        await self._store.forecasts.reanchor(
            transaction, record.guild_id, record.id, forecast=forecast, status=status, now=now
        )
        # Reminders queued for the old window are void; those already sent stay sent.
        await self._store.outbox.cancel_for_forecast(transaction, record.id)
        await self._store.ledger.add_event(
            transaction,
            guild_id=record.guild_id,
            forecast_id=record.id,
            kind=REANCHORED,
            actor=actor,
            payload={
                "post_date": day.isoformat(),
                "from": record.due_end.isoformat() if record.due_end else None,
                "to": forecast.due_end.isoformat() if forecast.due_end else None,
            },
            now=now,
        )
