"""Reminders: when a forecast's window closes, queue pings; nudge until someone judges it.

Nothing is sent from here: the sweep writes outbox rows (with unique keys) in the same
transaction that advances each forecast's reminder stage, so a crash can neither lose a ping
nor queue it twice. After downtime, only the latest missed nudge of a forecast is queued, and
anything found late is marked late so the message can say so.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from digests.clock import Clock, to_timestamp
from digests.ledger.model import ForecastRecord
from digests.outbox_payloads import (
    FollowupPayload,
    ForecastSnapshot,
    PersonalPayload,
    ReminderPayload,
    SnoozePayload,
)
from digests.settings import Settings
from digests.store import Store, Transaction
from digests.store.guilds import GuildSettings

LATE_AFTER = timedelta(hours=2)


@dataclass
class SweepReport:
    """What one sweep queued."""

    due: int = 0
    followups: int = 0
    snoozes: int = 0
    personal: int = 0
    queued: list[str] = field(default_factory=list)


class ReminderService:
    """Turns the passing of time into outbox messages."""

    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock

    def followup_days(self, guild: GuildSettings) -> list[int]:
        """Days after the due date on which an unjudged forecast is nudged again."""
        days = (
            guild.followup_days
            if guild.followup_days is not None
            else self._settings.reminder_followup_days
        )
        return sorted({day for day in days if day > 0})

    async def set_channel(self, guild_id: int, channel_id: int) -> None:
        """Post the guild's reminders in `channel_id` from now on, including those held for a
        channel that refused them (or queued before any channel was chosen)."""
        now = self._clock.now()
        previous = (await self._store.guilds.get(guild_id)).reminder_channel_id
        async with self._store.transaction():
            await self._store.guilds.update(
                guild_id, now, reminder_channel_id=channel_id, reminders_paused_reason=None
            )
            await self._store.outbox.redirect_channel_reminders(guild_id, previous, channel_id, now)
            await self._store.outbox.release_destination(guild_id, channel_id, now)

    async def sweep(self, guild_ids: Container[int] | None = None, batch: int = 500) -> SweepReport:
        """Queue everything that has come due. `guild_ids` limits the sweep to a shard's guilds
        (in the queries: another shard's backlog never hides this shard's forecasts)."""
        report = SweepReport()
        now = self._clock.now()
        guilds: dict[int, GuildSettings] = {}

        async def guild(guild_id: int) -> GuildSettings:
            if guild_id not in guilds:
                guilds[guild_id] = await self._store.guilds.get(guild_id)
            return guilds[guild_id]

        while True:
            async with self._store.transaction() as transaction:
                found = await self._store.sweep.newly_due(transaction, now, batch, guild_ids)
                for forecast in found:
                    await self._queue_due(
                        transaction, forecast, await guild(forecast.guild_id), now, report
                    )
            if len(found) < batch:
                break
        # Snoozes first: the ping that ends a snooze stands for any follow-up that fell inside
        # it, so the member is not pinged twice at the same moment.
        async with self._store.transaction() as transaction:
            for forecast, until in await self._store.sweep.snooze_ended(
                transaction, now, batch, guild_ids
            ):
                settings = await guild(forecast.guild_id)
                key = f"snooze:{forecast.id}:{to_timestamp(until)}"
                late = now - until > LATE_AFTER
                snooze = SnoozePayload(
                    forecast=ForecastSnapshot.of(forecast),
                    snoozed_until=until,
                    language=settings.language,
                    late=late,
                    role_id=settings.reminder_role_id,
                )
                if await self._channel_message(
                    transaction, forecast, settings, key, snooze, now, late=late
                ):
                    report.snoozes += 1
                    report.queued.append(key)
                await self._store.sweep.clear_snooze(transaction, forecast.id)
                passed = self._passed_stages(forecast, settings, now)
                if passed:
                    await self._store.sweep.set_nudge_stage(transaction, forecast.id, passed[-1])
        stages = sorted(
            {
                day
                for g in [
                    self._settings.reminder_followup_days,
                    *(g.followup_days or [] for g in await self._store.guilds.all()),
                ]
                for day in g
                if day > 0
            },
            reverse=True,
        )
        for stage in stages:
            async with self._store.transaction() as transaction:
                for forecast in await self._store.sweep.needing_nudge(
                    transaction, now, stage, batch, guild_ids
                ):
                    settings = await guild(forecast.guild_id)
                    own_stages = [day for day in self.followup_days(settings) if day <= stage]
                    if stage not in own_stages:
                        continue
                    await self._queue_followup(transaction, forecast, settings, stage, now, report)
        async with self._store.transaction() as transaction:
            for reminder in await self._store.sweep.user_reminders_due(
                transaction, now, batch, guild_ids
            ):
                forecast = await self._store.ledger.lock(
                    transaction, reminder.guild_id, reminder.forecast_id
                )
                if forecast is not None:
                    key = f"personal:{reminder.id}"
                    settings = await guild(reminder.guild_id)
                    queued = await self._store.outbox.enqueue(
                        transaction,
                        guild_id=reminder.guild_id,
                        dedupe_key=key,
                        destination="user",
                        destination_id=reminder.user_id,
                        forecast_id=forecast.id,
                        payload=PersonalPayload(
                            forecast=ForecastSnapshot.of(forecast),
                            status=forecast.status,
                            outcome=forecast.outcome,
                            language=settings.language,
                        ),
                        now=now,
                        late=now - reminder.remind_at > LATE_AFTER,
                    )
                    if queued:
                        report.personal += 1
                        report.queued.append(key)
                await self._store.sweep.mark_user_reminder_queued(transaction, reminder.id, now)
        return report

    def _passed_stages(
        self, forecast: ForecastRecord, guild: GuildSettings, now: datetime
    ) -> list[int]:
        """The guild's follow-up days that have already passed for a forecast, ascending."""
        assert forecast.due_at is not None
        return [
            day for day in self.followup_days(guild) if forecast.due_at + timedelta(days=day) <= now
        ]

    async def _queue_due(
        self,
        transaction: Transaction,
        forecast: ForecastRecord,
        guild: GuildSettings,
        now: datetime,
        report: SweepReport,
    ) -> None:
        assert forecast.due_at is not None
        late = now - forecast.due_at > LATE_AFTER
        due_key = f"due:{forecast.id}:{to_timestamp(forecast.due_at)}"
        subscribers = await self._store.subscriptions.subscribers(transaction, forecast.id)
        # Found only after a follow-up day passed (downtime): the channel gets that follow-up
        # alone, later in this sweep, instead of the due ping and the follow-up at once.
        ping = ReminderPayload(
            forecast=ForecastSnapshot.of(forecast),
            language=guild.language,
            late=late,
            role_id=guild.reminder_role_id,
            subscriber_count=len(subscribers),
        )
        if not self._passed_stages(forecast, guild, now) and await self._channel_message(
            transaction, forecast, guild, due_key, ping, now, late=late
        ):
            report.due += 1
            report.queued.append(due_key)
        for user_id in subscribers:
            key = f"{due_key}:user:{user_id}"
            if await self._store.outbox.enqueue(
                transaction,
                guild_id=forecast.guild_id,
                dedupe_key=key,
                destination="user",
                destination_id=user_id,
                forecast_id=forecast.id,
                payload=ReminderPayload(
                    forecast=ForecastSnapshot.of(forecast), language=guild.language, late=late
                ),
                now=now,
                late=late,
            ):
                report.queued.append(key)
        await self._store.sweep.mark_due(transaction, forecast.id, 0, now)

    async def _queue_followup(
        self,
        transaction: Transaction,
        forecast: ForecastRecord,
        guild: GuildSettings,
        stage: int,
        now: datetime,
        report: SweepReport,
    ) -> None:
        assert forecast.due_at is not None
        nudge_time = forecast.due_at + timedelta(days=stage)
        key = f"followup:{forecast.id}:{to_timestamp(forecast.due_at)}:{stage}"
        tally = await self._store.votes.tally(forecast.guild_id, forecast.id)
        late = now - nudge_time > LATE_AFTER
        nudge = FollowupPayload(
            forecast=ForecastSnapshot.of(forecast),
            stage=stage,
            language=guild.language,
            late=late,
            role_id=guild.reminder_role_id,
            votes=tally.counts,
        )
        if await self._channel_message(transaction, forecast, guild, key, nudge, now, late=late):
            report.followups += 1
            report.queued.append(key)
        await self._store.sweep.set_nudge_stage(transaction, forecast.id, stage)

    async def _channel_message(
        self,
        transaction: Transaction,
        forecast: ForecastRecord,
        guild: GuildSettings,
        key: str,
        payload: ReminderPayload | FollowupPayload | SnoozePayload,
        now: datetime,
        *,
        late: bool,
    ) -> bool:
        return await self._store.outbox.enqueue(
            transaction,
            guild_id=forecast.guild_id,
            dedupe_key=key,
            destination="channel",
            destination_id=guild.reminder_channel_id,
            forecast_id=forecast.id,
            payload=payload,
            now=now,
            late=late,
        )
