"""The forecast ledger: list, add, judge, undo, vote, re-date, subscribe, remind, score, export.

Lifecycle: open → due (its window closed) → resolved (correct | wrong | partly | unknown |
withdrawn). Members vote (one vote each, changeable); a moderator's verdict is final and can be
undone. Every change is recorded in the forecast's history.
"""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from json.encoder import encode_basestring
from pathlib import Path
from zoneinfo import ZoneInfo

from digests.clock import Clock, from_timestamp, to_timestamp
from digests.dates import due_moment, parse_due_date, parse_reminder_time, parse_timezone
from digests.errors import Conflict, InputError, NotFound, PermissionDenied
from digests.i18n import message
from digests.ledger.model import ForecastRecord, manual_forecast
from digests.ledger.naming import member_author, named_sources
from digests.settings import Settings
from digests.store import Store, Transaction
from digests.store.ledger import ForecastEvent
from digests.store.track_record import TrackRecordRow
from digests.store.user_reminders import UserReminder
from digests.store.votes import VoteTally

logger = logging.getLogger(__name__)

OUTCOMES = ("correct", "wrong", "partly", "unknown", "withdrawn")
VOTE_OUTCOMES = ("correct", "wrong", "partly", "unknown")
OUTCOME_ALIASES = {
    "true": "correct", "came true": "correct", "yes": "correct", "right": "correct", "맞음": "correct",
    "false": "wrong", "didn't": "wrong", "no": "wrong", "틀림": "wrong", "partial": "partly",
    "half": "partly", "부분": "partly", "can't tell": "unknown", "cant tell": "unknown",
    "unclear": "unknown", "모름": "unknown", "withdraw": "withdrawn", "철회": "withdrawn",
}  # fmt: skip
# "all" is every tracked forecast and those waiting for their post's date; undated statements
# (views) are listed only when asked for, as "undated" (or "views").
STATUSES = ("open", "due", "resolved", "needs-date", "undated", "all")
STATUS_ALIASES = {"views": "undated", "view": "undated", "needs_date": "needs-date"}
SCOREBOARD_KEYS = ("source", "author", "speaker")
_CLAIM_LIMIT = 300


@dataclass(frozen=True)
class LedgerExport:
    """A guild's ledger written out. The files are temporary: whoever receives them removes
    them (the command layer hands them to attachments that delete them once sent)."""

    csv_path: Path
    json_path: Path
    forecasts: int

    @property
    def size(self) -> int:
        """Bytes in both files."""
        return self.csv_path.stat().st_size + self.json_path.stat().st_size

    def remove(self) -> None:
        """Delete both files."""
        self.csv_path.unlink(missing_ok=True)
        self.json_path.unlink(missing_ok=True)

    def zipped(self) -> Path:
        """Both files in one deflated zip (a ledger's CSV and JSON shrink about tenfold), written
        to a temporary file the caller owns; the two files are removed."""
        zip_path = _temporary_file(".zip")
        try:
            with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                archive.write(self.csv_path, "forecasts.csv")
                archive.write(self.json_path, "forecasts.json")
        except BaseException:
            zip_path.unlink(missing_ok=True)
            raise
        finally:
            self.remove()
        return zip_path


def _temporary_file(suffix: str) -> Path:
    handle, name = tempfile.mkstemp(prefix="hindsight-forecasts-", suffix=suffix)
    os.close(handle)
    return Path(name)


@dataclass(frozen=True)
class Actor:
    """Who asks: a member of a guild, and whether they may moderate."""

    guild_id: int
    user_id: int
    is_moderator: bool = False
    name: str | None = None  # the member's display name, when the front end knows it


@dataclass(frozen=True)
class ForecastView:
    """A forecast with its votes, history and subscribers."""

    forecast: ForecastRecord
    tally: VoteTally
    events: list[ForecastEvent]


@dataclass(frozen=True)
class ResolutionResult:
    """What a judgement did: a vote was counted, or a verdict was recorded."""

    forecast: ForecastRecord
    verdict: bool
    tally: VoteTally


def normalise_outcome(value: str, allowed: tuple[str, ...] = OUTCOMES) -> str:
    """An outcome from what a member typed; InputError when it is none of them."""
    cleaned = value.strip().lower()
    cleaned = OUTCOME_ALIASES.get(cleaned, cleaned)
    if cleaned not in allowed:
        raise InputError(
            "outcome", message("error.not_one_of", value=repr(value), choices=", ".join(allowed))
        )
    return cleaned


def parse_probability(value: float | str | None) -> float | None:
    """0–1 or a percentage ("70%", 70); None when not given."""
    if value is None or value == "":
        return None
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError as error:
        raise InputError(
            "probability", message("ledger.not_a_number", value=repr(value))
        ) from error
    if number > 1:
        number /= 100
    if not 0 <= number <= 1:
        raise InputError("probability", message("ledger.probability_range", value=repr(value)))
    return number


async def guild_zone(store: Store, settings: Settings, guild_id: int) -> ZoneInfo:
    """The guild's timezone: its own setting, or the bot's default (also when the stored name
    is no longer a known timezone)."""
    configured = (await store.guilds.get(guild_id)).timezone
    if configured:
        try:
            return parse_timezone(configured)
        except InputError:
            logger.warning(
                "guild %s has an unknown timezone %r; using the default", guild_id, configured
            )
    return settings.timezone


async def realign_due_moments(store: Store, settings: Settings, guild_id: int | None = None) -> int:
    """Make stored due moments the end of their due day in their guild's timezone, as
    `due_moment` computes it; returns how many forecasts moved. Idempotent.

    Needed where a moment was computed in another timezone: forecasts found in posts by older
    versions (they used the bot's default, not the guild's), forecasts of a guild that changed
    its timezone, and guilds on the default after DEFAULT_TIMEZONE changed.

    With `guild_id` (a timezone change) every due date of the guild is checked. Without it (at
    start-up, every guild) only stored moments that are not a local midnight of their guild are
    looked into: that reads an index instead of every row, and finds every moment computed in
    another timezone, except one whose offset differs by exactly a day (UTC+14 against UTC-10),
    which only a timezone change produces, and that change checks everything."""
    zones: dict[int, ZoneInfo] = {}

    async def zone_of(guild: int) -> ZoneInfo:
        if guild not in zones:
            zones[guild] = await guild_zone(store, settings, guild)
        return zones[guild]

    checked: list[tuple[int, date, int]] = []
    if guild_id is not None:
        checked = [
            (guild_id, day, stored) for day, stored in await store.forecasts.due_moments(guild_id)
        ]
    else:
        for guild, stored in await store.forecasts.stored_due_moments():
            local = from_timestamp(stored).astimezone(await zone_of(guild))
            if local.time() != time(0, 0):
                checked += [
                    (guild, day, stored)
                    for day in await store.forecasts.due_dates_at(guild, stored)
                ]
    moves = []
    for guild, day, stored in checked:
        wanted = due_moment(day, await zone_of(guild))
        if to_timestamp(wanted) != stored:
            moves.append((guild, day, stored, wanted))
    moved = 0
    for guild, day, stored, wanted in moves:
        # One transaction per due date: moving a big guild's ledger does not hold the database
        # (and every other command) for its whole length, and each step stands on its own.
        async with store.transaction() as transaction:
            moved += await store.forecasts.move_due_moment(
                transaction, guild_id=guild, due_end=day, stored=stored, due_at=wanted
            )
    if moved:
        logger.info("moved the due moment of %d forecasts to their guild's timezone", moved)
    return moved


class LedgerService:
    """Everything members and moderators do with forecasts."""

    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock

    async def zone(self, guild_id: int) -> ZoneInfo:
        """The guild's timezone (its own setting or the bot's default)."""
        return await guild_zone(self._store, self._settings, guild_id)

    async def realign_due_moments(self, guild_id: int | None = None) -> int:
        """Recompute stored due moments in their guild's timezone (after a timezone change, and
        once at start-up); returns how many forecasts moved."""
        return await realign_due_moments(self._store, self._settings, guild_id)

    async def today(self, guild_id: int) -> date:
        """Today's date where the guild lives."""
        return self._clock.now().astimezone(await self.zone(guild_id)).date()

    async def get(self, guild_id: int, forecast_id: int) -> ForecastRecord:
        """A forecast of the guild; NotFound for unknown ids and other guilds' ids alike."""
        forecast = await self._store.forecasts.get(guild_id, forecast_id)
        if forecast is None:
            raise NotFound(message("ledger.no_forecast", id=forecast_id))
        return forecast

    async def list(
        self,
        guild_id: int,
        *,
        status: str = "all",
        theme: str | None = None,
        source: str | None = None,
        query: str | None = None,
        page: int = 0,
        page_size: int = 10,
    ) -> list[ForecastRecord]:
        """The guild's forecasts, soonest due first."""
        status = STATUS_ALIASES.get(status.strip().lower(), status.strip().lower())
        if status not in STATUSES:
            raise InputError(
                "status",
                message("error.not_one_of", value=repr(status), choices=", ".join(STATUSES)),
            )
        return await self._store.ledger.list(
            guild_id,
            status=status,
            theme=theme,
            source=source,
            query=query,
            limit=page_size,
            offset=max(0, page) * page_size,
        )

    async def show(self, guild_id: int, forecast_id: int) -> ForecastView:
        """A forecast with its votes and history."""
        forecast = await self.get(guild_id, forecast_id)
        tally = await self._store.votes.tally(guild_id, forecast_id)
        events = await self._store.ledger.events(guild_id, forecast_id)
        return ForecastView(forecast, tally, events)

    async def add(
        self,
        actor: Actor,
        *,
        claim: str,
        due: str,
        probability: float | str | None = None,
        source: str | None = None,
    ) -> ForecastRecord:
        """A member records a forecast of their own (or one they read)."""
        claim = " ".join(claim.split())
        if not claim:
            raise InputError("claim", message("ledger.claim_empty"))
        if len(claim) > _CLAIM_LIMIT:
            raise InputError(
                "claim", message("ledger.claim_too_long", count=len(claim), limit=_CLAIM_LIMIT)
            )
        zone = await self.zone(actor.guild_id)
        now = self._clock.now()
        due_end = parse_due_date(
            due, now=now, zone=zone, horizon_years=self._settings.max_forecast_horizon_years
        )
        chance = parse_probability(probability)
        if source and not source.lower().startswith(("http://", "https://")):
            raise InputError("source", message("ledger.not_a_link"))
        forecast = manual_forecast(
            guild_id=actor.guild_id,
            user_id=actor.user_id,
            claim=claim,
            typed_due=due,
            today=now.astimezone(zone).date(),
            due_end=due_end,
            zone=zone,
            now=now,
            probability=chance,
            source=source,
            author=member_author(actor.name, actor.user_id),
        )
        async with self._store.transaction() as transaction:
            forecast_id = await self._store.forecasts.add_manual(
                transaction, forecast=forecast, now=now
            )
            await self._store.ledger.add_event(
                transaction,
                guild_id=actor.guild_id,
                forecast_id=forecast_id,
                kind="created",
                actor=actor.user_id,
                payload={"due_end": due_end.isoformat(), "probability": chance},
                now=now,
            )
            await self._store.subscriptions.subscribe(
                transaction,
                guild_id=actor.guild_id,
                forecast_id=forecast_id,
                user_id=actor.user_id,
                now=now,
            )
        return await self.get(actor.guild_id, forecast_id)

    async def resolve(
        self,
        actor: Actor,
        forecast_id: int,
        outcome: str,
        *,
        evidence: str | None = None,
        note: str | None = None,
    ) -> ResolutionResult:
        """A moderator's verdict is final; a member's judgement is counted as their vote."""
        if not actor.is_moderator:
            return await self.vote(actor, forecast_id, outcome)
        outcome = normalise_outcome(outcome)
        if evidence and not evidence.lower().startswith(("http://", "https://")):
            raise InputError("evidence", message("ledger.not_a_link"))
        now = self._clock.now()
        async with self._store.transaction() as transaction:
            forecast = await self._locked(transaction, actor.guild_id, forecast_id)
            if forecast.status == "resolved":
                raise Conflict(
                    message(
                        "ledger.already_resolved",
                        id=forecast_id,
                        outcome=message(f"vote.{forecast.outcome}"),
                    )
                )
            await self._store.ledger.set_resolution(
                transaction,
                forecast_id,
                status="resolved",
                outcome=outcome,
                resolved_by=actor.user_id,
                resolved_at=now,
                evidence=evidence,
                note=note,
                now=now,
            )
            await self._store.ledger.add_event(
                transaction,
                guild_id=actor.guild_id,
                forecast_id=forecast_id,
                kind="resolved",
                actor=actor.user_id,
                payload={
                    "outcome": outcome,
                    "evidence": evidence,
                    "note": note,
                    "previous_status": forecast.status,
                },
                now=now,
            )
            # A judged forecast needs no more reminders.
            await self._store.outbox.cancel_for_forecast(transaction, forecast_id)
        return ResolutionResult(
            await self.get(actor.guild_id, forecast_id),
            verdict=True,
            tally=await self._store.votes.tally(actor.guild_id, forecast_id),
        )

    async def vote(self, actor: Actor, forecast_id: int, outcome: str) -> ResolutionResult:
        """A member's judgement: one vote per member and forecast, changeable."""
        outcome = normalise_outcome(outcome, VOTE_OUTCOMES)
        now = self._clock.now()
        async with self._store.transaction() as transaction:
            forecast = await self._locked(transaction, actor.guild_id, forecast_id)
            if forecast.status == "resolved":
                raise Conflict(
                    message(
                        "ledger.already_judged",
                        id=forecast_id,
                        outcome=message(f"vote.{forecast.outcome}"),
                    )
                )
            await self._store.votes.vote(
                transaction,
                guild_id=actor.guild_id,
                forecast_id=forecast_id,
                user_id=actor.user_id,
                outcome=outcome,
                now=now,
            )
        return ResolutionResult(
            forecast,
            verdict=False,
            tally=await self._store.votes.tally(actor.guild_id, forecast_id),
        )

    async def undo(self, actor: Actor, forecast_id: int) -> ForecastRecord:
        """Take back the last verdict (moderators only); the forecast waits for a verdict again."""
        self._require_moderator(actor, "undo_verdict")
        now = self._clock.now()
        async with self._store.transaction() as transaction:
            forecast = await self._locked(transaction, actor.guild_id, forecast_id)
            if forecast.status != "resolved":
                raise Conflict(message("ledger.nothing_to_undo", id=forecast_id))
            status = "due" if forecast.due_at is not None and forecast.due_at <= now else "open"
            if forecast.due_at is None:
                status = "open"
            await self._store.ledger.set_resolution(
                transaction,
                forecast_id,
                status=status,
                outcome=None,
                resolved_by=None,
                resolved_at=None,
                evidence=None,
                note=None,
                now=now,
            )
            await self._store.ledger.add_event(
                transaction,
                guild_id=actor.guild_id,
                forecast_id=forecast_id,
                kind="undone",
                actor=actor.user_id,
                payload={"outcome": forecast.outcome, "resolved_by": forecast.resolved_by},
                now=now,
            )
        return await self.get(actor.guild_id, forecast_id)

    async def redate(self, actor: Actor, forecast_id: int, due: str) -> ForecastRecord:
        """Move a forecast's window (moderators); its reminders move with it. Any member may
        give an undated statement (a view) a date: from then on it is a tracked forecast."""
        zone = await self.zone(actor.guild_id)
        now = self._clock.now()
        due_end = parse_due_date(
            due, now=now, zone=zone, horizon_years=self._settings.max_forecast_horizon_years
        )
        async with self._store.transaction() as transaction:
            forecast = await self._locked(transaction, actor.guild_id, forecast_id)
            if not forecast.is_view:
                if forecast.needs_date and not actor.is_moderator:
                    raise PermissionDenied(message("ledger.needs_post_date", id=forecast_id))
                self._require_moderator(actor, "redate_forecast")
            if forecast.status == "resolved":
                raise Conflict(message("ledger.resolved_no_redate", id=forecast_id))
            due_at = due_moment(due_end, zone)
            await self._store.ledger.set_window(
                transaction,
                forecast_id,
                due_start=min(forecast.due_start or due_end, due_end),
                due_end=due_end,
                due_at=due_at,
                granularity="day",
                status="open" if due_at > now else forecast.status,
                now=now,
            )
            await self._store.outbox.cancel_for_forecast(transaction, forecast_id)
            await self._store.ledger.add_event(
                transaction,
                guild_id=actor.guild_id,
                forecast_id=forecast_id,
                kind="redated",
                actor=actor.user_id,
                payload={
                    "from": forecast.due_end.isoformat() if forecast.due_end else None,
                    "to": due_end.isoformat(),
                },
                now=now,
            )
        return await self.get(actor.guild_id, forecast_id)

    async def snooze(self, actor: Actor, forecast_id: int, days: int = 7) -> datetime:
        """Hold a forecast's nudges for some days; returns when they resume."""
        if not 1 <= days <= 365:
            raise InputError("days", message("error.not_between", value=days, low=1, high=365))
        now = self._clock.now()
        until = now + timedelta(days=days)
        async with self._store.transaction() as transaction:
            await self._locked(transaction, actor.guild_id, forecast_id)
            await self._store.ledger.snooze(transaction, forecast_id, until, now)
            await self._store.ledger.add_event(
                transaction,
                guild_id=actor.guild_id,
                forecast_id=forecast_id,
                kind="snoozed",
                actor=actor.user_id,
                payload={"until": until.isoformat()},
                now=now,
            )
        return until

    async def subscribe(self, actor: Actor, forecast_id: int) -> bool:
        """Ask to be pinged when the forecast comes due; False when already subscribed."""
        async with self._store.transaction() as transaction:
            await self._locked(transaction, actor.guild_id, forecast_id)
            return await self._store.subscriptions.subscribe(
                transaction,
                guild_id=actor.guild_id,
                forecast_id=forecast_id,
                user_id=actor.user_id,
                now=self._clock.now(),
            )

    async def unsubscribe(self, actor: Actor, forecast_id: int) -> bool:
        """Stop being pinged about a forecast."""
        await self.get(actor.guild_id, forecast_id)
        return await self._store.subscriptions.unsubscribe(
            actor.guild_id, forecast_id, actor.user_id
        )

    async def remind_at(
        self, actor: Actor, forecast_id: int, when: str | None
    ) -> UserReminder | None:
        """A personal reminder at a chosen time ("in 3 months", a date); without `when`, a
        subscription to the forecast's own due date. Returns the reminder, if one was made."""
        if not when:
            await self.subscribe(actor, forecast_id)
            return None
        zone = await self.zone(actor.guild_id)
        now = self._clock.now()
        remind_at = parse_reminder_time(
            when, now=now, zone=zone, horizon_years=self._settings.max_forecast_horizon_years
        )
        async with self._store.transaction() as transaction:
            await self._locked(transaction, actor.guild_id, forecast_id)
            reminder_id = await self._store.user_reminders.add(
                transaction,
                guild_id=actor.guild_id,
                forecast_id=forecast_id,
                user_id=actor.user_id,
                remind_at=remind_at,
                now=now,
            )
        return next(
            r
            for r in await self._store.user_reminders.pending(actor.guild_id, actor.user_id)
            if r.id == reminder_id
        )

    async def reminders(self, actor: Actor) -> list[UserReminder]:
        """A member's pending personal reminders."""
        return await self._store.user_reminders.pending(actor.guild_id, actor.user_id)

    async def subscriptions(self, actor: Actor) -> list[ForecastRecord]:
        """Open forecasts the member will be pinged about when they come due."""
        return await self._store.subscriptions.subscribed(actor.guild_id, actor.user_id)

    async def cancel_reminder(self, actor: Actor, reminder_id: int) -> None:
        """Cancel one of the member's reminders."""
        if not await self._store.user_reminders.cancel(
            actor.guild_id, actor.user_id, reminder_id, self._clock.now()
        ):
            raise NotFound(message("ledger.no_reminder", id=reminder_id))

    async def scoreboard(
        self, guild_id: int, by: str = "source", limit: int = 15
    ) -> list[TrackRecordRow]:
        """Track record per source, author or speaker."""
        if by not in SCOREBOARD_KEYS:
            raise InputError(
                "by",
                message("error.not_one_of", value=repr(by), choices=", ".join(SCOREBOARD_KEYS)),
            )
        rows = await self._store.track_record.rows(guild_id, by, limit)
        if by != "source":
            return rows
        # Files and pasted text are named by their post's title, never by a path on disk.
        return await named_sources(
            rows, lambda sources: self._store.posts.titles_by_source(guild_id, sources)
        )

    async def export(self, guild_id: int) -> LedgerExport:
        """The guild's whole ledger as a CSV and a JSON file, written in a worker thread one row
        at a time: the event loop keeps serving and memory holds a batch of rows, never the
        ledger. The files are temporary and belong to the caller (see `LedgerExport`)."""
        return await asyncio.to_thread(self._write_export, guild_id)

    def _write_export(self, guild_id: int) -> LedgerExport:
        csv_path = _temporary_file(".csv")
        json_path = _temporary_file(".json")
        count = 0
        try:
            with (
                csv_path.open("w", encoding="utf-8", newline="") as csv_file,
                json_path.open("w", encoding="utf-8") as json_file,
            ):
                writer = csv.DictWriter(csv_file, fieldnames=list(_EXPORT_FIELDS))
                writer.writeheader()
                for row in self._store.ledger.export_rows(guild_id, _EXPORT_FIELDS):
                    writer.writerow(row)
                    json_file.write(("[\n" if count == 0 else ",\n") + _json_item(row))
                    count += 1
                json_file.write("\n]" if count else "[]")
        except BaseException:
            csv_path.unlink(missing_ok=True)
            json_path.unlink(missing_ok=True)
            raise
        return LedgerExport(csv_path, json_path, count)

    async def _locked(
        self, transaction: Transaction, guild_id: int, forecast_id: int
    ) -> ForecastRecord:
        forecast = await self._store.ledger.lock(transaction, guild_id, forecast_id)
        if forecast is None:
            raise NotFound(message("ledger.no_forecast", id=forecast_id))
        return forecast

    @staticmethod
    def _require_moderator(actor: Actor, action: str) -> None:
        if not actor.is_moderator:
            raise PermissionDenied(
                message("ledger.moderators_only", action=message(f"action.{action}"))
            )


_EXPORT_FIELDS = (
    "id", "status", "outcome", "claim", "sentence", "speaker", "author", "source_label", "source_url",
    "timex", "due_start", "due_end", "kind", "hedge", "confidence", "probability", "origin",
    "resolved_by", "resolved_at", "evidence", "note", "created_at", "needs_date",
)  # fmt: skip

# Each export field's key as json.dumps writes it inside a list item (indent=2).
_JSON_KEYS = {name: f"    {encode_basestring(name)}: " for name in _EXPORT_FIELDS}


def _json_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return encode_basestring(value)  # what json.dumps(ensure_ascii=False) writes
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _json_item(row: dict[str, object]) -> str:
    """One ledger row as an item of `json.dumps(rows, ensure_ascii=False, indent=2,
    default=str)`, byte for byte, without its pure-Python indenting encoder (twice as fast)."""
    fields = ",\n".join(_JSON_KEYS[name] + _json_value(value) for name, value in row.items())
    return "  {\n" + fields + "\n  }"
