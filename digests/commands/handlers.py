"""The command layer: one method per user command, shared by the terminal and Discord.

Each method takes the caller (guild, member, permissions) and typed options, makes one service
call, and returns a Reply. Domain errors propagate as HindsightError with a user-safe message;
front ends turn them into ephemeral replies in one place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from digests.commands.replies import Attachment, Button, Field, Formatter, PlainFormatter, Reply
from digests.digest.model import Digest
from digests.digest.render import defang, digest_title, render_markdown, trend_marker
from digests.errors import InputError, NotFound, PermissionDenied
from digests.ingest.text import clip
from digests.ledger.service import Actor
from digests.models import IngestOutcome, IngestResult
from digests.scheduling.digest_service import DigestStatus
from digests.scheduling.policy import zone_named
from digests.store.forecasts import ForecastRecord

if TYPE_CHECKING:
    from digests.app import Services

PAGE_SIZE = 8
LANGUAGES = ("en", "ko")
OUTCOME_LABELS = {
    "correct": "came true",
    "wrong": "didn't happen",
    "partly": "partly",
    "unknown": "can't tell",
    "withdrawn": "withdrawn",
}
BUTTON_PREFIX = "hs"


@dataclass(frozen=True)
class DeliveryStrings:
    """The wording of messages the bot posts by itself (reminders, feed entries), per language."""

    reminder_title: str  # {id}
    reminder_lead: str
    followup_title: str  # {id}
    followup_lead: str  # {days}
    snooze_title: str  # {id}
    snooze_lead: str
    personal_title: str  # {id}
    personal_lead: str
    late_note: str
    subscribers: str  # {count}
    due: str
    speaker: str
    source: str
    votes: str
    outcomes: dict[str, str]  # vote tallies
    # button labels: correct, wrong, partly, unknown, snooze, remind
    buttons: tuple[str, str, str, str, str, str]
    feed_untitled: str
    feed_new_in: str  # {feed}
    feed_unnamed: str


DELIVERY_STRINGS: dict[str, DeliveryStrings] = {
    "en": DeliveryStrings(
        reminder_title="Forecast due: #{id}",
        reminder_lead="Its window has closed. Did it come true?",
        followup_title="Still waiting for a verdict: #{id}",
        followup_lead="Came due {days} days ago and nobody has judged it yet.",
        snooze_title="Snooze over: #{id}",
        snooze_lead="You asked to be reminded again.",
        personal_title="Your reminder: #{id}",
        personal_lead="You asked to be reminded of this forecast.",
        late_note="\n_Sorry, this reminder is late: the bot was offline when it came due._",
        subscribers=" ({count} subscribed members were messaged directly.)",
        due="Due",
        speaker="Speaker",
        source="Source",
        votes="Votes",
        outcomes=OUTCOME_LABELS,
        buttons=("Came true", "Didn't", "Partly", "Can't tell", "Snooze a week", "Remind me"),
        feed_untitled="New post",
        feed_new_in="New in {feed}",
        feed_unnamed="a followed feed",
    ),
    "ko": DeliveryStrings(
        reminder_title="기한이 된 예측: #{id}",
        reminder_lead="예측 기간이 끝났습니다. 예측이 맞았을까요?",
        followup_title="아직 판정을 기다리는 예측: #{id}",
        followup_lead="기한이 {days}일 지났지만 아직 아무도 판정하지 않았습니다.",
        snooze_title="미룬 알림: #{id}",
        snooze_lead="미뤄 두셨던 예측을 다시 알려 드립니다.",
        personal_title="요청하신 알림: #{id}",
        personal_lead="이 예측을 알려 달라고 요청하셨습니다.",
        late_note="\n_알림이 늦어 죄송합니다. 기한이 됐을 때 봇이 오프라인 상태였습니다._",
        subscribers=" (구독한 멤버 {count}명에게는 DM으로 따로 알렸습니다.)",
        due="기한",
        speaker="발언자",
        source="출처",
        votes="투표",
        outcomes={
            "correct": "맞음",
            "wrong": "틀림",
            "partly": "일부 맞음",
            "unknown": "판단 불가",
            "withdrawn": "철회",
        },
        buttons=("맞음", "틀림", "일부 맞음", "판단 불가", "일주일 미루기", "나에게 알림"),
        feed_untitled="새 글",
        feed_new_in="{feed}에 새 글",
        feed_unnamed="구독 중인 피드",
    ),
}


def render_chart(digest: Digest) -> bytes | None:
    """The digest's chart as PNG bytes (blocking: `draw_chart` runs it in a worker thread).
    matplotlib is imported on the first chart, not when the bot starts."""
    from digests.digest.chart import render_chart as render

    return render(digest)


async def draw_chart(digest: Digest) -> bytes | None:
    """The digest's chart, drawn in a worker thread: a chart takes matplotlib 100–200 ms (the
    first one, with matplotlib's import and the font search, seconds), too long for the loop."""
    return await asyncio.to_thread(render_chart, digest)


def delivery_strings(language: object) -> DeliveryStrings:
    """The wording for a queued message's language (English when absent or unknown)."""
    return DELIVERY_STRINGS.get(str(language or "en"), DELIVERY_STRINGS["en"])


@dataclass(frozen=True)
class Caller:
    """Who runs a command, where, and what they may do."""

    guild_id: int
    user_id: int
    is_moderator: bool = False  # Manage Server
    can_manage_messages: bool = False

    @property
    def actor(self) -> Actor:
        """The ledger's view of the caller."""
        return Actor(self.guild_id, self.user_id, self.is_moderator)


def vote_button_id(forecast_id: int, outcome: str) -> str:
    """The persistent custom id of a verdict button."""
    return f"{BUTTON_PREFIX}:vote:{forecast_id}:{outcome}"


def parse_button_id(custom_id: str) -> tuple[str, int, str | None] | None:
    """(action, forecast id, argument) of one of our buttons, or None."""
    parts = custom_id.split(":")
    if len(parts) < 3 or parts[0] != BUTTON_PREFIX or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2]), parts[3] if len(parts) > 3 else None


def reminder_buttons(forecast_id: int, language: str = "en") -> list[Button]:
    """The buttons under every reminder ping (labels in `language`; the ids never change)."""
    correct, wrong, partly, unknown, snooze, remind = delivery_strings(language).buttons
    return [
        Button(vote_button_id(forecast_id, "correct"), correct, "success"),
        Button(vote_button_id(forecast_id, "wrong"), wrong, "danger"),
        Button(vote_button_id(forecast_id, "partly"), partly, "primary"),
        Button(vote_button_id(forecast_id, "unknown"), unknown, "secondary"),
        Button(f"{BUTTON_PREFIX}:snooze:{forecast_id}", snooze, "secondary"),
        Button(f"{BUTTON_PREFIX}:remind:{forecast_id}", remind, "secondary"),
    ]


class Commands:
    """Every user command, transport-neutral."""

    def __init__(self, services: Services, formatter: Formatter | None = None) -> None:
        self.services = services
        self.fmt = formatter or PlainFormatter()

    # --- helpers -------------------------------------------------------------------------------

    def _forecast_line(self, forecast: ForecastRecord) -> str:
        due = self.fmt.date(forecast.due_end) if forecast.due_end else "undated"
        state = (
            OUTCOME_LABELS.get(forecast.outcome or "", forecast.outcome or "")
            if forecast.status == "resolved"
            else ("awaiting a verdict" if forecast.status == "due" else "open")
        )
        return f"**#{forecast.id}** · due {due} · {state}\n{defang(clip(forecast.claim, 180))}"

    def _forecast_fields(self, forecast: ForecastRecord) -> list[Field]:
        fields = [
            Field("Due", self.fmt.date(forecast.due_end) if forecast.due_end else "undated", True),
            Field(
                "Status",
                forecast.status
                if forecast.status != "resolved"
                else f"resolved: {OUTCOME_LABELS.get(forecast.outcome or '', forecast.outcome or '')}",
                True,
            ),
            Field("Kind", f"{forecast.kind} · {forecast.hedge}", True),
        ]
        if forecast.speaker:
            fields.append(Field("Speaker", defang(forecast.speaker), True))
        if forecast.probability is not None:
            fields.append(Field("Probability", f"{forecast.probability:.0%}", True))
        if forecast.source_label or forecast.source_url:
            fields.append(
                Field(
                    "Source",
                    defang(clip(forecast.source_label or forecast.source_url or "", 200)),
                    False,
                )
            )
        if forecast.sentence and forecast.sentence != forecast.claim:
            fields.append(Field("Said", defang(clip(forecast.sentence, 900)), False))
        return fields

    @staticmethod
    def _paged(title: str, lines: Sequence[str], empty: str, footer: str | None = None) -> Reply:
        if not lines:
            return Reply(title=title, description=empty)
        chunks = [lines[index : index + PAGE_SIZE] for index in range(0, len(lines), PAGE_SIZE)]
        pages = [
            Reply(
                title=title,
                description="\n\n".join(chunk),
                footer=(f"page {number} of {len(chunks)}" if len(chunks) > 1 else "")
                + (f" · {footer}" if footer and len(chunks) > 1 else footer or "")
                or None,
            )
            for number, chunk in enumerate(chunks, start=1)
        ]
        first = pages[0]
        first.pages = pages[1:]
        return first

    def _require_moderator(self, caller: Caller, action: str) -> None:
        if not caller.is_moderator:
            raise PermissionDenied(f"You need the Manage Server permission to {action}.")

    # --- /summary, /quote, /themes --------------------------------------------------------------

    async def summary(
        self,
        caller: Caller,
        post: int | None = None,
        theme: str | None = None,
        days: int | None = None,
    ) -> Reply:
        """Summary of one post, one theme, or the recent period."""
        store = self.services.store
        if post is not None:
            stored = await store.posts.get(caller.guild_id, post)
            if stored is None:
                raise NotFound(f"No post #{post} in this server.")
            sentences = await store.analysis.summary(caller.guild_id, post) or []
            themes = [label for label, _ in await store.analysis.themes(caller.guild_id, post)][:5]
            reply = Reply(
                title=defang(clip(stored.title, 250)),
                url=stored.canonical_url,
                description="\n".join(f"• {defang(s)}" for s in sentences)
                or "No summary sentences.",
                footer=" · ".join(
                    filter(
                        None,
                        [
                            stored.author,
                            stored.published.date().isoformat() if stored.published else None,
                        ],
                    )
                )
                or None,
            )
            if themes:
                reply.fields.append(Field("Themes", defang(", ".join(themes))))
            return reply
        window = days or 7
        if not 1 <= window <= 366:
            raise InputError("days", f"{window} is not between 1 and 366")
        since = self.services.clock.now() - timedelta(days=window)
        if theme:
            post_ids = await store.analysis.posts_with_theme(caller.guild_id, theme, since, limit=5)
            if not post_ids:
                return Reply(
                    title=f"Theme: {defang(theme)}",
                    description=f"No posts about {defang(theme)} in the last {window} days.",
                )
            lines = []
            for post_id in post_ids:
                stored = await store.posts.get(caller.guild_id, post_id)
                sentences = await store.analysis.summary(caller.guild_id, post_id) or []
                if stored:
                    lines.append(
                        f"**{defang(clip(stored.title, 120))}**\n{defang(sentences[0]) if sentences else ''}"
                    )
            return Reply(
                title=f"Theme: {defang(theme)} · last {window} days", description="\n\n".join(lines)
            )
        digest = await self.services.digests.build_now(caller.guild_id, window)
        return await self.digest_reply(digest, title=f"Summary of the last {window} days")

    async def quote(
        self,
        caller: Caller,
        theme: str | None = None,
        speaker: str | None = None,
        query: str | None = None,
    ) -> Reply:
        """A notable quote with its speaker, source and link."""
        quotes = await self.services.store.analysis.quotes(
            caller.guild_id, theme=theme, speaker=speaker, query=query, limit=5
        )
        if not quotes:
            raise NotFound("No quote matches that in this server.")
        best = next((q for q in quotes if q.speaker), quotes[0])
        return Reply(
            title=f"“{defang(clip(best.text, 240))}”",
            description=f"— {defang(best.speaker or 'unknown speaker')}",
            fields=[Field("Source", defang(clip(best.post_title or "", 200)))],
            url=best.source_url,
            footer=best.published_at[:10] if best.published_at else None,
        )

    async def themes(self, caller: Caller, days: int = 7) -> Reply:
        """Trending themes with counts and change against the previous period, with a chart."""
        digest = await self.services.digests.themes_now(caller.guild_id, days)
        if not digest.themes:
            return Reply(
                title=f"Themes · last {days} days",
                description="No themes yet: ingest some posts first.",
            )
        lines = [
            f"**{defang(trend.label)}** · {trend.count} posts ({trend_marker(trend)})"
            for trend in digest.themes
        ]
        chart = await draw_chart(digest)
        return Reply(
            title=f"Themes · last {days} days",
            description="\n".join(lines),
            files=[Attachment("themes.png", chart)] if chart else [],
        )

    # --- /predictions ---------------------------------------------------------------------------

    async def predictions_list(
        self,
        caller: Caller,
        status: str = "all",
        theme: str | None = None,
        source: str | None = None,
    ) -> Reply:
        """Forecasts of this server, soonest due first."""
        forecasts = await self.services.ledger.list(
            caller.guild_id, status=status, theme=theme, source=source, page_size=200
        )
        title = "Forecasts" + ("" if status == "all" else f" · {status}")
        return self._paged(
            title, [self._forecast_line(f) for f in forecasts], "No forecasts match."
        )

    async def predictions_show(self, caller: Caller, prediction: int) -> Reply:
        """One forecast with its votes and history."""
        view = await self.services.ledger.show(caller.guild_id, prediction)
        forecast = view.forecast
        reply = Reply(
            title=f"#{forecast.id} · {defang(clip(forecast.claim, 240))}",
            fields=self._forecast_fields(forecast),
            url=forecast.source_url,
            buttons=reminder_buttons(forecast.id) if forecast.status != "resolved" else [],
        )
        if view.tally.total:
            reply.fields.append(
                Field(
                    "Votes",
                    ", ".join(
                        f"{OUTCOME_LABELS[k]}: {v}" for k, v in sorted(view.tally.counts.items())
                    ),
                    False,
                )
            )
        if forecast.status == "resolved":
            verdict = f"{OUTCOME_LABELS.get(forecast.outcome or '', '')} by {self.fmt.user(forecast.resolved_by or 0)}"
            if forecast.resolved_at:
                verdict += f" on {self.fmt.moment(forecast.resolved_at)}"
            reply.fields.append(
                Field(
                    "Verdict",
                    verdict
                    + (f"\n{forecast.evidence}" if forecast.evidence else "")
                    + (f"\n{defang(forecast.note)}" if forecast.note else ""),
                )
            )
        if view.events:
            history = [
                f"{event.created_at.date().isoformat()} {event.kind}" for event in view.events[-5:]
            ]
            reply.footer = "History: " + " · ".join(history)
        return reply

    async def predictions_add(
        self,
        caller: Caller,
        claim: str,
        due: str,
        probability: str | None = None,
        source: str | None = None,
    ) -> Reply:
        """Record a forecast by hand."""
        forecast = await self.services.ledger.add(
            caller.actor, claim=claim, due=due, probability=probability, source=source
        )
        return Reply(
            title=f"Recorded forecast #{forecast.id}",
            description=defang(forecast.claim),
            fields=self._forecast_fields(forecast),
            tone="success",
            footer="You will be reminded when it comes due.",
        )

    async def predictions_resolve(
        self,
        caller: Caller,
        prediction: int,
        outcome: str,
        evidence: str | None = None,
        note: str | None = None,
    ) -> Reply:
        """Judge a forecast: final for moderators, a vote for everyone else."""
        result = await self.services.ledger.resolve(
            caller.actor, prediction, outcome, evidence=evidence, note=note
        )
        if result.verdict:
            return Reply(
                title=f"Forecast #{prediction} resolved: {OUTCOME_LABELS[result.forecast.outcome or 'unknown']}",
                description=defang(clip(result.forecast.claim, 300)),
                tone="success",
            )
        tally = ", ".join(
            f"{OUTCOME_LABELS[k]}: {v}" for k, v in sorted(result.tally.counts.items())
        )
        return Reply(
            title=f"Your vote on #{prediction} is counted",
            description=f"Votes so far: {tally}. A moderator's verdict is final.",
            tone="success",
            ephemeral=True,
        )

    async def predictions_undo(self, caller: Caller, prediction: int) -> Reply:
        """Take back the last verdict on a forecast (moderators)."""
        forecast = await self.services.ledger.undo(caller.actor, prediction)
        return Reply(
            title=f"Verdict on #{prediction} undone",
            description=f"It is {forecast.status} again.",
            tone="success",
        )

    async def predictions_redate(self, caller: Caller, prediction: int, due: str) -> Reply:
        """Move a forecast's due date (moderators); its reminders move too."""
        forecast = await self.services.ledger.redate(caller.actor, prediction, due)
        assert forecast.due_end is not None
        return Reply(
            title=f"#{prediction} re-dated",
            description=f"Now due {self.fmt.date(forecast.due_end)}; its reminders moved too.",
            tone="success",
        )

    # --- /remind --------------------------------------------------------------------------------

    async def remind_prediction(
        self, caller: Caller, prediction: int, when: str | None = None
    ) -> Reply:
        """Be reminded of a forecast when it comes due, or at a time you choose."""
        reminder = await self.services.ledger.remind_at(caller.actor, prediction, when)
        if reminder is None:
            forecast = await self.services.ledger.get(caller.guild_id, prediction)
            due = self.fmt.date(forecast.due_end) if forecast.due_end else "its due date (none yet)"
            return Reply(
                title=f"You will be reminded of #{prediction}",
                description=f"On {due}.",
                ephemeral=True,
                tone="success",
            )
        return Reply(
            title=f"Reminder #{reminder.id} set",
            description=f"#{prediction} on {self.fmt.moment(reminder.remind_at)}.",
            ephemeral=True,
            tone="success",
        )

    async def remind_list(self, caller: Caller) -> Reply:
        """Your pending reminders."""
        reminders = await self.services.ledger.reminders(caller.actor)
        subscriptions = await self.services.ledger.subscriptions(caller.actor)
        lines = [
            f"**#{r.id}** · forecast #{r.forecast_id} · {self.fmt.moment(r.remind_at)}"
            for r in reminders
        ] + [
            f"forecast #{f.id} · when due ({self.fmt.date(f.due_end) if f.due_end else 'undated'})"
            for f in subscriptions
        ]
        reply = self._paged("Your reminders", lines, "You have no pending reminders.")
        reply.ephemeral = True
        return reply

    async def remind_cancel(
        self, caller: Caller, reminder: int | None = None, prediction: int | None = None
    ) -> Reply:
        """Cancel one of your reminders, or stop being pinged when a forecast comes due."""
        if reminder is not None:
            await self.services.ledger.cancel_reminder(caller.actor, reminder)
            return Reply(title=f"Reminder #{reminder} cancelled", ephemeral=True, tone="success")
        if prediction is not None:
            if not await self.services.ledger.unsubscribe(caller.actor, prediction):
                raise NotFound(f"You were not going to be pinged about #{prediction}.")
            return Reply(
                title=f"No ping for #{prediction} when it comes due",
                ephemeral=True,
                tone="success",
            )
        raise InputError("reminder", "give the reminder's id or the prediction's id")

    # --- /digest --------------------------------------------------------------------------------

    async def digest_reply(self, digest: Digest, title: str | None = None) -> Reply:
        """A digest as a reply (Markdown body, chart attached)."""
        chart = await draw_chart(digest)
        text = render_markdown(digest)
        return Reply(
            title=title or digest_title(digest),
            description=text,
            files=[Attachment("digest.png", chart)] if chart else [],
        )

    async def digest_now(self, caller: Caller, days: int | None = None) -> Reply:
        """A digest of the last days, right now."""
        digest = await self.services.digests.build_now(caller.guild_id, days)
        return await self.digest_reply(digest)

    async def digest_schedule(
        self,
        caller: Caller,
        channel: int,
        weekday: str = "mon",
        time: str = "09:00",
        timezone: str | None = None,
    ) -> Reply:
        """Post a digest to a channel every week (moderators)."""
        self._require_moderator(caller, "schedule digests")
        status = await self.services.digests.schedule(
            caller.guild_id, channel_id=channel, weekday=weekday, at=time, timezone=timezone
        )
        return self._digest_status_reply(status, title="Digest scheduled")

    async def digest_status(self, caller: Caller) -> Reply:
        """When the next digest comes, and why it is paused if it is."""
        return self._digest_status_reply(await self.services.digests.status(caller.guild_id))

    async def digest_off(self, caller: Caller) -> Reply:
        """Stop scheduled digests (moderators)."""
        self._require_moderator(caller, "stop digests")
        await self.services.digests.off(caller.guild_id)
        return Reply(title="Scheduled digests are off", tone="success")

    def _digest_status_reply(self, status: DigestStatus, title: str = "Digest schedule") -> Reply:
        reply = self._schedule_reply(status, title)
        if status.reminders_paused_reason:
            reply.tone = "warning"
            reply.fields.append(
                Field(
                    "Reminders paused",
                    f"{status.reminders_paused_reason}\nChoose a channel I can post in with"
                    " /settings reminder_channel; held reminders are sent then.",
                )
            )
        elif status.reminder_channel_id is not None:
            reply.fields.append(
                Field("Reminders", f"go to {self.fmt.channel(status.reminder_channel_id)}")
            )
        return reply

    def _schedule_reply(self, status: DigestStatus, title: str) -> Reply:
        if not status.enabled or status.channel_id is None:
            return Reply(title=title, description="No digest is scheduled. Use /digest schedule.")
        fields = [
            Field("Channel", self.fmt.channel(status.channel_id), True),
            Field("Schedule", f"`{status.cron}` ({status.timezone})", True),
            Field("Covers", f"{status.days} days", True),
            Field("Next", self.fmt.moment(status.next_run) if status.next_run else "—", True),
        ]
        if status.last:
            fields.append(
                Field(
                    "Last",
                    self.fmt.moment(status.last.period_end)
                    + (" (catch-up)" if status.last.catch_up else ""),
                    True,
                )
            )
        reply = Reply(title=title, fields=fields, tone="success")
        if status.paused_reason:
            reply.tone = "warning"
            reply.description = f"⚠️ Paused: {status.paused_reason}\n{status.held_messages} message(s) held; fix the channel and run /digest schedule again."
        return reply

    # --- /feed ----------------------------------------------------------------------------------

    async def feed_add(self, caller: Caller, url: str, channel: int | None = None) -> Reply:
        """Follow an RSS/Atom feed; new entries are stored (and announced in a channel)."""
        self._require_moderator(caller, "add feeds")
        added = await self.services.feeds.add(
            caller.guild_id, url, channel_id=channel, added_by=str(caller.user_id)
        )
        return Reply(
            title=f"Following feed #{added.feed.id}",
            description=f"{defang(added.feed.title or url)}\n{added.stored} current entries stored (not announced).",
            tone="success",
        )

    async def feed_list(self, caller: Caller) -> Reply:
        """Feeds this server follows, with their state."""
        lines = []
        for feed in await self.services.feeds.list(caller.guild_id):
            state = "active" if feed.active else f"disabled: {feed.disabled_reason}"
            if feed.active and feed.failure_count:
                state = f"failing ({feed.failure_count}×): {feed.last_error}"
            lines.append(f"**#{feed.id}** {defang(feed.title or feed.url)}\n{feed.url} · {state}")
        return self._paged("Feeds", lines, "This server follows no feeds. Use /feed add.")

    async def feed_remove(self, caller: Caller, feed: int) -> Reply:
        """Stop following a feed (moderators)."""
        self._require_moderator(caller, "remove feeds")
        await self.services.feeds.remove(caller.guild_id, feed)
        return Reply(title=f"Feed #{feed} removed", tone="success")

    # --- /ingest --------------------------------------------------------------------------------

    def _ingest_reply(self, results: list[IngestResult], subject: str) -> Reply:
        stored = [r for r in results if r.outcome is IngestOutcome.STORED]
        lines = [
            f"{'stored' if r.outcome is IngestOutcome.STORED else 'skipped'} #{r.post_id} {defang(clip(r.title, 90))}"
            + (f" · {r.predictions} forecasts" if r.predictions else "")
            + (f" ({r.reason})" if r.reason else "")
            for r in results
        ]
        return Reply(
            title=f"{len(stored)} stored, {len(results) - len(stored)} skipped",
            description="\n".join(lines[:20]) or f"Nothing found in {defang(subject)}.",
            tone="success" if stored else "info",
        )

    def _require_ingest(self, caller: Caller) -> None:
        if not (caller.can_manage_messages or caller.is_moderator):
            raise PermissionDenied("You need the Manage Messages permission to ingest posts.")

    async def ingest_url(self, caller: Caller, url: str) -> Reply:
        """Store a post (or a feed's entries) from a link."""
        self._require_ingest(caller)
        return self._ingest_reply(await self.services.ingest.ingest_url(url, caller.guild_id), url)

    async def ingest_text(self, caller: Caller, text: str, title: str | None = None) -> Reply:
        """Store pasted text as a post."""
        self._require_ingest(caller)
        return self._ingest_reply(
            await self.services.ingest.ingest_text(text, caller.guild_id, title=title),
            "pasted text",
        )

    async def ingest_file(self, caller: Caller, filename: str, data: bytes) -> Reply:
        """Store an attached .txt/.md/.html file."""
        self._require_ingest(caller)
        results = await self.services.ingest.ingest_bytes(filename, data, caller.guild_id)
        return self._ingest_reply(results, filename)

    # --- /scoreboard, /export, /settings ---------------------------------------------------------

    async def scoreboard(self, caller: Caller, by: str = "source") -> Reply:
        """Track record per source, author or speaker."""
        rows = await self.services.ledger.scoreboard(caller.guild_id, by)
        lines = []
        for row in rows:
            share = (
                f"{row.share_correct:.0%} correct"
                if row.share_correct is not None
                else "no verdicts"
            )
            brier = (
                f" · Brier {row.brier:.3f} ({row.with_probability})"
                if row.brier is not None
                else ""
            )
            lines.append(
                f"**{defang(clip(row.key, 80))}** · {row.resolved} resolved · {share}{brier}"
            )
        return self._paged(f"Track record by {by}", lines, "No resolved forecasts yet.")

    async def export(self, caller: Caller) -> Reply:
        """The server's forecasts as CSV and JSON files (written off the event loop; sent from
        disk and deleted once the reply is gone)."""
        export = await self.services.ledger.export(caller.guild_id)
        return Reply(
            title="Forecast ledger export",
            files=[
                Attachment.temporary("forecasts.csv", export.csv_path),
                Attachment.temporary("forecasts.json", export.json_path),
            ],
            ephemeral=True,
        )

    async def settings_timezone(self, caller: Caller, timezone: str) -> Reply:
        """Set the server's timezone (moderators)."""
        self._require_moderator(caller, "change settings")
        zone = zone_named(timezone)
        await self.services.store.guilds.update(
            caller.guild_id, self.services.clock.now(), timezone=zone.key
        )
        return Reply(title=f"Timezone set to {zone.key}", tone="success", ephemeral=True)

    async def settings_reminder_channel(self, caller: Caller, channel: int) -> Reply:
        """Where due-date reminders are posted (moderators)."""
        self._require_moderator(caller, "change settings")
        await self.services.reminders.set_channel(caller.guild_id, channel)
        return Reply(
            title="Reminder channel set",
            description=f"Due-date reminders go to {self.fmt.channel(channel)}.",
            tone="success",
            ephemeral=True,
        )

    async def settings_reminder_role(self, caller: Caller, role: int | None) -> Reply:
        """A role pinged with every reminder (moderators)."""
        self._require_moderator(caller, "change settings")
        await self.services.store.guilds.update(
            caller.guild_id, self.services.clock.now(), reminder_role_id=role
        )
        text = f"Reminders ping {self.fmt.role(role)}." if role else "Reminders ping no role."
        return Reply(title="Reminder role set", description=text, tone="success", ephemeral=True)

    async def settings_language(self, caller: Caller, language: str) -> Reply:
        """The language of the digests, reminders and feed posts the bot sends (moderators)."""
        self._require_moderator(caller, "change settings")
        if language not in LANGUAGES:
            raise InputError("language", f"{language!r} is not one of: {', '.join(LANGUAGES)}")
        await self.services.store.guilds.update(
            caller.guild_id, self.services.clock.now(), language=language
        )
        return Reply(title=f"Language set to {language}", tone="success", ephemeral=True)

    # --- buttons under reminders ------------------------------------------------------------------

    async def button(self, caller: Caller, custom_id: str) -> Reply:
        """A click on a reminder's button (works after restarts: ids carry everything)."""
        parsed = parse_button_id(custom_id)
        if parsed is None:
            raise InputError("button", "this button is not one of Hindsight's")
        action, forecast_id, argument = parsed
        if action == "vote" and argument:
            return await self.predictions_resolve(
                Caller(caller.guild_id, caller.user_id, False), forecast_id, argument
            )
        if action == "snooze":
            until = await self.services.ledger.snooze(caller.actor, forecast_id, 7)
            return Reply(
                title=f"#{forecast_id} snoozed",
                description=f"Next nudge after {self.fmt.moment(until)}.",
                ephemeral=True,
                tone="success",
            )
        if action == "remind":
            return await self.remind_prediction(caller, forecast_id, None)
        raise InputError("button", f"unknown action {action!r}")

    async def forecast_guild(self, custom_id: str) -> int:
        """The server of the forecast a button (clicked in a DM) is about."""
        parsed = parse_button_id(custom_id)
        guild_id = await self.services.store.ledger.guild_of(parsed[1]) if parsed else None
        if guild_id is None:
            raise NotFound("That forecast no longer exists.")
        return guild_id

    # --- autocomplete ---------------------------------------------------------------------------

    async def complete_forecasts(self, guild_id: int, text: str) -> list[tuple[str, int]]:
        """(label, id) choices for forecast options."""
        if text.strip().isdigit():
            forecast = await self.services.store.forecasts.get(guild_id, int(text))
            if forecast:
                return [(f"#{forecast.id} {clip(forecast.claim, 90)}", forecast.id)]
        return [
            (f"#{fid} {clip(claim, 90)}", fid)
            for fid, claim in await self.services.store.ledger.claims_like(
                guild_id, text.strip(), 25
            )
        ]

    async def complete_posts(self, guild_id: int, text: str) -> list[tuple[str, int]]:
        """(label, id) choices for post options."""
        store = self.services.store
        text = text.strip()
        if not text:
            posts = await store.posts.list(guild_id, limit=25)
        else:
            # Recent titles first (fast even when every title matches); the full-text index
            # only when they do not fill the list.
            posts = await store.posts.recent_titled(guild_id, text, 25)
            if len(posts) < 25:
                seen = {post.id for post in posts}
                posts += [
                    post
                    for post in await store.posts.search(guild_id, text, 25)
                    if post.id not in seen
                ][: 25 - len(posts)]
        return [(f"#{post.id} {clip(post.title, 90)}", post.id) for post in posts]

    async def complete_themes(self, guild_id: int, text: str) -> list[str]:
        """Theme labels for theme options: with nothing typed, this month's themes first."""
        analysis = self.services.store.analysis
        if not text.strip():
            now = self.services.clock.now()
            recent = await analysis.theme_counts(
                guild_id, now - timedelta(days=30), now + timedelta(seconds=1), limit=25
            )
            if recent:
                return [theme.label for theme in recent]
        return await analysis.theme_labels(guild_id, text.strip(), 25)

    async def complete_sources(self, guild_id: int, text: str) -> list[str]:
        """Source names for source options."""
        sources: list[str] = []
        for forecast in await self.services.store.ledger.list(
            guild_id, source=text.strip() or None, limit=100
        ):
            label = forecast.source_label or forecast.author
            if label and label not in sources:
                sources.append(clip(label, 95))
        return sources[:25]

    # --- outbox messages ------------------------------------------------------------------------

    async def render_delivery(self, kind: str, payload: dict[str, object], late: bool) -> Reply:
        """How a queued message (reminder, follow-up, digest, feed entry) looks when sent."""
        if kind == "digest":
            from digests.digest.render import from_json

            digest = from_json(payload["digest"])  # type: ignore[arg-type]
            return await self.digest_reply(digest)
        words = delivery_strings(payload.get("language"))
        if kind == "feed":
            feed = defang(str(payload.get("feed") or words.feed_unnamed))
            return Reply(
                title=defang(clip(str(payload.get("title") or words.feed_untitled), 250)),
                url=str(payload["url"]) if payload.get("url") else None,
                description=words.feed_new_in.format(feed=feed)
                + (f" · {defang(str(payload['author']))}" if payload.get("author") else ""),
            )
        forecast = payload.get("forecast") or {}
        assert isinstance(forecast, dict)
        forecast_id = int(forecast["id"])
        claim = defang(clip(str(forecast.get("claim") or ""), 300))
        late_note = words.late_note if late else ""
        if kind == "followup":
            title = words.followup_title.format(id=forecast_id)
            lead = words.followup_lead.format(days=payload.get("stage"))
        elif kind == "snooze":
            title = words.snooze_title.format(id=forecast_id)
            lead = words.snooze_lead
        elif kind == "personal":
            title = words.personal_title.format(id=forecast_id)
            lead = words.personal_lead
        else:
            title = words.reminder_title.format(id=forecast_id)
            lead = words.reminder_lead
        fields = []
        if forecast.get("due_end"):
            fields.append(Field(words.due, str(forecast["due_end"]), True))
        if forecast.get("speaker"):
            fields.append(Field(words.speaker, defang(str(forecast["speaker"])), True))
        if forecast.get("source_label") or forecast.get("source_url"):
            fields.append(
                Field(
                    words.source,
                    defang(
                        clip(str(forecast.get("source_label") or forecast.get("source_url")), 200)
                    ),
                    False,
                )
            )
        votes = payload.get("votes")
        if isinstance(votes, dict) and votes:
            fields.append(
                Field(
                    words.votes,
                    ", ".join(f"{words.outcomes.get(k, k)}: {v}" for k, v in sorted(votes.items())),
                    False,
                )
            )
        # Subscribers get their own personal message; mentioning them here too would ping
        # them twice for one event, so the channel message only names how many there are.
        subscribers = payload.get("subscribers") or []
        if isinstance(subscribers, list) and subscribers:
            lead += words.subscribers.format(count=len(subscribers))
        role = payload.get("role_id")
        pings = [self.fmt.role(int(role))] if role else []
        return Reply(
            title=title,
            description=f"{claim}\n\n{lead}{late_note}",
            fields=fields,
            url=str(forecast["source_url"]) if forecast.get("source_url") else None,
            buttons=reminder_buttons(forecast_id, str(payload.get("language") or "en")),
            tone="warning" if kind == "followup" else "info",
            content=" ".join(pings),
            mention_roles=[int(role)] if role else [],
        )
