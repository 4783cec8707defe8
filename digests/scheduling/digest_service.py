"""Digest schedules per guild, and producing each period's digest exactly once.

A digest answers one scheduled time (its period key). The key is unique per guild in the
database, so a reconnect, a second process or a restart cannot produce a second digest for
the same period. After downtime, the missed periods are covered by one catch-up digest that
says which range it covers, not by one digest per missed period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from digests.clock import Clock, to_timestamp
from digests.digest.builder import DigestBuilder
from digests.digest.model import Digest
from digests.digest.render import render_markdown, to_json
from digests.errors import InputError
from digests.i18n import message
from digests.ledger.service import realign_due_moments
from digests.outbox_payloads import DigestPayload
from digests.scheduling.isolation import JobRunner
from digests.scheduling.policy import latest_fire, next_fire, trigger, weekly_cron, zone_named
from digests.settings import Settings
from digests.store import Store
from digests.store.digests import DigestRecord
from digests.store.guilds import GuildSettings
from digests.store.jobs import JobFailure

DIGEST_JOB = "digest"


@dataclass(frozen=True)
class DigestStatus:
    """A guild's digest schedule as a moderator would want to see it."""

    enabled: bool
    channel_id: int | None
    cron: str | None
    timezone: str
    days: int
    next_run: datetime | None
    last: DigestRecord | None
    paused_reason: str | None
    held_messages: int
    reminders_paused_reason: str | None = None
    reminder_channel_id: int | None = None
    failures: tuple[JobFailure, ...] = ()


@dataclass(frozen=True)
class QueuedDigest:
    """A digest produced for a period and queued for delivery."""

    guild_id: int
    digest_id: int
    digest: Digest


class DigestService:
    """Builds digests on demand and on schedule."""

    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self.builder = DigestBuilder(store, settings)
        self.jobs = JobRunner(store, clock)

    def _zone(self, guild: GuildSettings) -> ZoneInfo:
        return ZoneInfo(guild.timezone) if guild.timezone else self._settings.timezone

    def _last_days(self, days: int) -> tuple[datetime, datetime, datetime]:
        """(start, end, now) of the last `days` days. Ranges end exclusively at whole seconds;
        one more second includes what was stored in the very second it is asked for."""
        if not 1 <= days <= 366:
            raise InputError("days", message("error.not_between", value=days, low=1, high=366))
        now = self._clock.now()
        return now - timedelta(days=days), now + timedelta(seconds=1), now

    async def build_now(self, guild_id: int, days: int | None = None) -> Digest:
        """The digest of the last `days` days, for `/digest now` and the terminal."""
        guild = await self._store.guilds.get(guild_id)
        start, end, now = self._last_days(
            days or guild.digest_days or self._settings.digest_default_days
        )
        return await self.builder.build(guild_id, start, end, now=now)

    async def themes_now(self, guild_id: int, days: int) -> Digest:
        """The guild's themes over the last `days` days, with their history, for /themes."""
        start, end, _ = self._last_days(days)
        return await self.builder.build_themes(guild_id, start, end)

    async def schedule(
        self,
        guild_id: int,
        *,
        channel_id: int,
        weekday: str = "mon",
        at: str = "09:00",
        timezone: str | None = None,
        cron: str | None = None,
        days: int | None = None,
    ) -> DigestStatus:
        """Post a digest to `channel_id` every week on `weekday` at `at` (guild-local), or on a
        cron schedule. Re-scheduling also releases messages held for a refused channel."""
        guild = await self._store.guilds.get(guild_id)
        zone = zone_named(timezone) if timezone else self._zone(guild)
        schedule = cron.strip() if cron else weekly_cron(weekday, at)
        trigger(schedule, zone)  # validates
        if days is not None and not 1 <= days <= 366:
            raise InputError("days", message("error.not_between", value=days, low=1, high=366))
        now = self._clock.now()
        values: dict[str, object] = {
            "digest_channel_id": channel_id,
            "digest_cron": schedule,
            "digest_enabled": 1,
            "digest_paused_reason": None,
        }
        if not (guild.digest_enabled and guild.digest_cron == schedule):
            # A new schedule starts now: times before it were not missed.
            values["digest_since_ts"] = to_timestamp(now)
        if timezone:
            values["timezone"] = zone.key
        if days is not None:
            values["digest_days"] = days
        await self._store.guilds.update(guild_id, now, **values)
        if timezone:
            # Forecasts close at the end of their due day in the guild's timezone.
            await realign_due_moments(self._store, self._settings, guild_id)
        await self._store.outbox.release_destination(guild_id, channel_id, now)
        return await self.status(guild_id)

    async def off(self, guild_id: int) -> None:
        """Stop scheduled digests (the settings are kept)."""
        await self._store.guilds.update(guild_id, self._clock.now(), digest_enabled=0)

    async def status(self, guild_id: int) -> DigestStatus:
        """The schedule, the next run, the last digest, and why it is paused if it is."""
        guild = await self._store.guilds.get(guild_id)
        # A stored schedule gone bad must not hide the status that explains it (the failing
        # digest job is listed in `failures`).
        try:
            zone = self._zone(guild)
        except (ValueError, KeyError):
            zone = self._settings.timezone
        try:
            next_run = (
                next_fire(guild.digest_cron, zone, self._clock.now())
                if guild.digest_cron and guild.digest_enabled
                else None
            )
        except InputError:
            next_run = None
        held = 0
        if guild.digest_channel_id is not None:
            pending = await self._store.outbox.list(guild_id, status="pending")
            held = sum(
                1
                for message in pending
                if message.destination_id == guild.digest_channel_id
                and message.next_attempt_at > self._clock.now() + timedelta(days=30)
            )
        return DigestStatus(
            enabled=guild.digest_enabled,
            channel_id=guild.digest_channel_id,
            cron=guild.digest_cron,
            timezone=zone.key,
            days=guild.digest_days,
            next_run=next_run,
            last=await self._store.digests.latest(guild_id),
            paused_reason=guild.digest_paused_reason,
            held_messages=held,
            reminders_paused_reason=guild.reminders_paused_reason,
            reminder_channel_id=guild.reminder_channel_id,
            failures=tuple(
                failure
                for failure in await self._store.jobs.for_guild(guild_id)
                if failure.shown_to(self._settings.worker_name)
            ),
        )

    async def run_due(
        self, guild_ids: set[int] | None = None, failures: list[str] | None = None
    ) -> list[QueuedDigest]:
        """Produce every scheduled digest whose time has come (one catch-up digest per guild
        after downtime). Safe to call any number of times. One guild's failure is recorded
        for its /digest status, backed off and added to `failures`; the other guilds get their
        digests."""
        now = self._clock.now()
        produced = []
        for guild in await self._store.guilds.with_digests():
            if guild_ids is not None and guild.guild_id not in guild_ids:
                continue
            if guild.digest_paused_reason or not guild.digest_cron:
                continue
            queued, failure = await self.jobs.run(
                guild.guild_id, DIGEST_JOB, lambda guild=guild: self._run_guild(guild, now), None
            )
            if failure is not None and failures is not None:
                failures.append(f"digest (guild {guild.guild_id}): {failure.last_error}")
            if queued is not None:
                produced.append(queued)
        return produced

    async def _run_guild(self, guild: GuildSettings, now: datetime) -> QueuedDigest | None:
        zone = self._zone(guild)
        last = await self._store.digests.latest(guild.guild_id)
        period = timedelta(days=guild.digest_days)
        starts = [
            moment for moment in (last.period_end if last else None, guild.digest_since) if moment
        ]
        since = max(starts) if starts else now - period
        fire, missed = latest_fire(guild.digest_cron or "", zone, since, now)
        if fire is None:
            return None
        # Several missed times make one catch-up digest from where coverage stopped: the last
        # digest's end, or the start of the current schedule's first period if that is later.
        # With neither (a schedule from before `digest_since` existed) nothing is known missed.
        anchors = [last.period_end] if last else []
        if guild.digest_since is not None:
            first = next_fire(guild.digest_cron or "", zone, guild.digest_since)
            if first is not None:
                anchors.append(first - period)
        covered_until = max(anchors) if anchors else None
        catch_up = missed > 1 and covered_until is not None
        start = covered_until if catch_up and covered_until else fire - period
        if last and start < last.period_end:
            start = last.period_end
        digest = await self.builder.build(guild.guild_id, start, fire, catch_up=catch_up, now=now)
        # Claiming the period and queueing its message commit together: a crash in between
        # cannot leave a period marked done with nothing sent.
        async with self._store.transaction() as transaction:
            digest_id = await self._store.digests.claim(
                transaction,
                guild_id=guild.guild_id,
                period_key=fire.astimezone(zone).isoformat(),
                period_start=start,
                period_end=fire,
                catch_up=catch_up,
                now=now,
            )
            if digest_id is None:
                return None
            await self._store.outbox.enqueue(
                transaction,
                guild_id=guild.guild_id,
                dedupe_key=f"digest:{digest_id}",
                destination="channel",
                destination_id=guild.digest_channel_id,
                digest_id=digest_id,
                payload=DigestPayload(digest=to_json(digest), markdown=render_markdown(digest)),
                now=now,
            )
        return QueuedDigest(guild.guild_id, digest_id, digest)
