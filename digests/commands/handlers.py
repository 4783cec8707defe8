"""The command layer: one method per user command, shared by the terminal and Discord.

Each method takes the caller (guild, member, permissions) and typed options, makes one service
call, and returns a Reply. Domain errors propagate as HindsightError with a user-safe message;
front ends turn them into ephemeral replies in one place.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from digests.analysis.summary import normalised_line, repeats_title
from digests.commands.replies import Attachment, Button, Field, Formatter, PlainFormatter, Reply
from digests.digest.model import Digest
from digests.digest.render import defang, digest_title, render_markdown, trend_marker
from digests.errors import Conflict, InputError, NotFound, PermissionDenied
from digests.i18n import Catalog, catalog, in_language, message
from digests.ingest.text import clean_argument, clip, http_url
from digests.ledger.model import ForecastRecord
from digests.ledger.naming import MANUAL_SOURCE, member_id
from digests.ledger.post_dates import PostDating
from digests.ledger.service import STATUS_ALIASES, Actor, LedgerExport
from digests.models import DateSource, IngestOutcome, IngestResult, StoredPost
from digests.outbox_payloads import (
    DigestPayload,
    FeedPayload,
    FollowupPayload,
    ForecastPayload,
    OutboxPayload,
    PersonalPayload,
    ReminderPayload,
    SnoozePayload,
)
from digests.reminders.outbox import FORECASTS_PER_MESSAGE, Delivery
from digests.scheduling.digest_service import DigestStatus
from digests.scheduling.policy import zone_named

if TYPE_CHECKING:
    from digests.app import Services

PAGE_SIZE = 8
LANGUAGES = ("en", "ko")
REMINDER_GROUPINGS = ("grouped", "single")
BUTTON_PREFIX = "hs"
T = TypeVar("T")
C = TypeVar("C")
VIEWS_SHOWN = 3  # undated statements shown with a post's summary
# How a post's date was known, as a reader is told.
DATE_SOURCE_KEYS = {  # catalog keys
    DateSource.METADATA: "date_source.metadata",
    DateSource.URL: "date_source.url",
    DateSource.TEXT: "date_source.text",
    DateSource.GIVEN: "date_source.given",
}
LIST_TITLES = {  # catalog keys of the titles of the lists that have their own
    "needs-date": "reply.list_needs_date",
    "undated": "reply.list_undated",
}
ENGLISH = catalog("en")


def summary_lines(title: str, sentences: Sequence[str]) -> list[str]:
    """A stored summary as shown under its post's title: without the title again (summaries
    stored before the analysis left it out) and without a line twice."""
    seen: set[str] = set()
    lines = []
    for sentence in sentences:
        key = normalised_line(sentence)
        if key and key not in seen and not repeats_title(sentence, title):
            seen.add(key)
            lines.append(sentence)
    return lines


def post_date_hint(post_id: int) -> str:
    """How to give a post its date, in the terminal's and Discord's command syntax."""
    return f"/ingest date post:{post_id} date:YYYY-MM-DD"


def render_chart(digest: Digest) -> bytes | None:
    """The digest's chart as PNG bytes (blocking: `draw_chart` runs it in a worker thread).
    matplotlib is imported on the first chart, not when the bot starts."""
    from digests.digest.chart import render_chart as render

    return render(digest)


async def draw_chart(digest: Digest) -> bytes | None:
    """The digest's chart, drawn in a worker thread: a chart takes matplotlib 100–200 ms (the
    first one, with matplotlib's import and the font search, seconds), too long for the loop."""
    return await asyncio.to_thread(render_chart, digest)


def delivery_strings(language: object) -> Catalog:
    """The catalog for a queued message's language (English when absent or unknown)."""
    return catalog(language)


def plural_form(count: int, one: str, many: str) -> str:
    """The wording for `count`: `one` for exactly one ("1 member"), else `many` ("2 members");
    the caller fills in the number."""
    return one if count == 1 else many


@dataclass(frozen=True)
class Caller:
    """Who runs a command, where, and what they may do."""

    guild_id: int
    user_id: int
    is_moderator: bool = False  # Manage Server
    can_manage_messages: bool = False
    language: str = "en"  # the member's Discord language: replies and errors use it
    display_name: str | None = None  # how the server shows the member (kept as an author)

    @property
    def words(self) -> Catalog:
        """The message catalog of the caller's language."""
        return catalog(self.language)

    @property
    def actor(self) -> Actor:
        """The ledger's view of the caller."""
        return Actor(self.guild_id, self.user_id, self.is_moderator, self.display_name)


def vote_button_id(forecast_id: int, outcome: str) -> str:
    """The persistent custom id of a verdict button."""
    return f"{BUTTON_PREFIX}:vote:{forecast_id}:{outcome}"


def _is_id(text: str) -> bool:
    """ASCII digits ("²" is a digit to isdigit, not to int), few enough for SQLite."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def parse_button_id(custom_id: str) -> tuple[str, int, str | None] | None:
    """(action, forecast id, argument) of one of our buttons, or None."""
    parts = custom_id.split(":")
    if len(parts) < 3 or parts[0] != BUTTON_PREFIX or not _is_id(parts[2]):
        return None
    return parts[1], int(parts[2]), parts[3] if len(parts) > 3 else None


def reminder_buttons(forecast_id: int, language: str = "en") -> list[Button]:
    """The buttons under every reminder ping (labels in `language`; the ids never change)."""
    words = delivery_strings(language)
    correct, wrong, partly, unknown, snooze, remind = (
        words(f"delivery.button.{name}")
        for name in ("correct", "wrong", "partly", "unknown", "snooze", "remind")
    )
    return [
        Button(vote_button_id(forecast_id, "correct"), correct, "success"),
        Button(vote_button_id(forecast_id, "wrong"), wrong, "danger"),
        Button(vote_button_id(forecast_id, "partly"), partly, "primary"),
        Button(vote_button_id(forecast_id, "unknown"), unknown, "secondary"),
        Button(f"{BUTTON_PREFIX}:snooze:{forecast_id}", snooze, "secondary"),
        Button(f"{BUTTON_PREFIX}:remind:{forecast_id}", remind, "secondary"),
    ]


GROUP_BUTTONS_PER_FORECAST = 5  # one row of Discord buttons


def group_row_buttons(forecast_id: int, language: str = "en") -> list[Button]:
    """One forecast's row under a grouped reminder: its four votes and snooze, the first
    labelled with the forecast's number. ("Remind me" is left out to fit one row; /remind
    does the same.)"""
    buttons = reminder_buttons(forecast_id, language)[:GROUP_BUTTONS_PER_FORECAST]
    first = buttons[0]
    buttons[0] = Button(first.custom_id, f"#{forecast_id} · {first.label}", first.style)
    return buttons


_STORABLE_INTEGERS = range(-(2**63), 2**63)  # SQLite's INTEGER


def _checked(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """`method` with its arguments checked first: a number SQLite cannot hold is an InputError
    naming the option; text loses control characters and lone surrogates."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    async def checked(*args: Any, **kwargs: Any) -> T:
        bound = signature.bind(*args, **kwargs)
        for name, value in bound.arguments.items():
            if isinstance(value, int) and not isinstance(value, bool):
                if value not in _STORABLE_INTEGERS:
                    raise InputError(name, f"{value} is out of range")
            elif isinstance(value, str):
                bound.arguments[name] = clean_argument(value)
        return await method(*bound.args, **bound.kwargs)

    return checked


def _arguments_checked(cls: type[C]) -> type[C]:
    """Check the arguments of every public command: the one door all front ends go through."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.iscoroutinefunction(member):
            setattr(cls, name, _checked(member))
    return cls


def _zipped_within(export: LedgerExport, limit: int) -> tuple[Path | None, int]:
    """The export in one zip and its size; no zip (removed) when even that exceeds `limit`."""
    zip_path = export.zipped()
    size = zip_path.stat().st_size
    if size > limit:
        zip_path.unlink(missing_ok=True)
        return None, size
    return zip_path, size


@_arguments_checked
class Commands:
    """Every user command, transport-neutral."""

    def __init__(self, services: Services, formatter: Formatter | None = None) -> None:
        self.services = services
        self.fmt = formatter or PlainFormatter()

    # --- helpers -------------------------------------------------------------------------------

    def _due_text(self, forecast: ForecastRecord, words: Catalog = ENGLISH) -> str:
        """A forecast's due date, or why it has none."""
        if forecast.due_end:
            return self.fmt.date(forecast.due_end)
        if forecast.needs_date:
            when = (
                words("reply.due_after", timex=defang(clip(forecast.timex, 40)))
                if forecast.timex
                else ""
            )
            return words("reply.due_post_date_unknown", when=when)
        return words("reply.undated_view")

    @staticmethod
    def _outcome(words: Catalog, outcome: str | None) -> str:
        return words.get(f"vote.{outcome}", outcome or "") or ""

    def _forecast_line(self, forecast: ForecastRecord, words: Catalog = ENGLISH) -> str:
        state = (
            self._outcome(words, forecast.outcome)
            if forecast.status == "resolved"
            else words("state.due" if forecast.status == "due" else "state.open")
        )
        if forecast.needs_date and forecast.status != "resolved":
            state = words("state.needs_date")
        elif forecast.is_view and forecast.status != "resolved":
            state = words("state.view")
        line = words(
            "reply.forecast_line", id=forecast.id, due=self._due_text(forecast, words), state=state
        )
        return f"{line}\n{defang(clip(forecast.claim, 180))}"

    def _forecast_fields(self, forecast: ForecastRecord, words: Catalog = ENGLISH) -> list[Field]:
        fields = [
            Field(words("reply.field_due"), self._due_text(forecast, words), True),
            Field(
                words("reply.field_status"),
                words("state.due" if forecast.status == "due" else "state.open")
                if forecast.status != "resolved"
                else words("reply.status_resolved", outcome=self._outcome(words, forecast.outcome)),
                True,
            ),
            Field(
                words("reply.field_kind"),
                f"{words.get(f'forecast_kind.{forecast.kind}', forecast.kind)}"
                f" · {words.get(f'hedge.{forecast.hedge}', forecast.hedge)}",
                True,
            ),
        ]
        if forecast.speaker:
            fields.append(Field(words("reply.field_speaker"), defang(forecast.speaker), True))
        if forecast.probability is not None:
            fields.append(
                Field(words("reply.field_probability"), f"{forecast.probability:.0%}", True)
            )
        if forecast.source_label or forecast.source_url:
            fields.append(
                Field(
                    words("reply.field_source"),
                    defang(clip(forecast.source_label or forecast.source_url or "", 200)),
                    False,
                )
            )
        if forecast.sentence and forecast.sentence != forecast.claim:
            fields.append(
                Field(words("reply.field_said"), defang(clip(forecast.sentence, 900)), False)
            )
        return fields

    @staticmethod
    def _paged(
        title: str,
        lines: Sequence[str],
        empty: str,
        footer: str | None = None,
        words: Catalog = ENGLISH,
    ) -> Reply:
        if not lines:
            return Reply(title=title, description=empty)
        chunks = [lines[index : index + PAGE_SIZE] for index in range(0, len(lines), PAGE_SIZE)]
        pages = [
            Reply(
                title=title,
                description="\n\n".join(chunk),
                footer=(
                    words("reply.page", number=number, count=len(chunks)) if len(chunks) > 1 else ""
                )
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
            words = caller.words
            doing = words.get(f"action.{action.replace(' ', '_')}", action)
            raise PermissionDenied(words("error.need_manage_server", action=doing))

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
        words = caller.words
        if post is not None:
            stored = await store.posts.get(caller.guild_id, post)
            if stored is None:
                raise NotFound(words("error.no_post", post=post))
            sentences = summary_lines(
                stored.title, await store.analysis.summary(caller.guild_id, post) or []
            )
            themes = [label for label, _ in await store.analysis.themes(caller.guild_id, post)][:5]
            reply = Reply(
                title=defang(clip(stored.title, 250)),
                url=stored.canonical_url,
                description="\n".join(f"• {defang(s)}" for s in sentences)
                or words("reply.no_summary"),
                footer=" · ".join(filter(None, [stored.author, self._post_date(stored, words)])),
            )
            if themes:
                reply.fields.append(Field(words("reply.field_themes"), defang(", ".join(themes))))
            reply.fields.extend(await self._post_forecast_fields(caller.guild_id, post, words))
            return reply
        window = days or 7
        if not 1 <= window <= 366:
            raise InputError("days", words("error.not_between", value=window, low=1, high=366))
        since = self.services.clock.now() - timedelta(days=window)
        if theme:
            post_ids = await store.analysis.posts_with_theme(caller.guild_id, theme, since, limit=5)
            if not post_ids:
                return Reply(
                    title=words("reply.theme_title", theme=defang(theme)),
                    description=words("reply.theme_none", theme=defang(theme), days=window),
                )
            # One line from each post, named by its title and number; a line another post
            # already gave (the same text pasted twice) or the title again is not repeated.
            lines = []
            said: set[str] = set()
            for post_id in post_ids:
                stored = await store.posts.get(caller.guild_id, post_id)
                if stored is None:
                    continue
                sentences = summary_lines(
                    stored.title, await store.analysis.summary(caller.guild_id, post_id) or []
                )
                fresh = [s for s in sentences if normalised_line(s) not in said]
                heading = f"**{defang(clip(stored.title, 120))}** (#{post_id})"
                if fresh:
                    said.add(normalised_line(fresh[0]))
                    lines.append(f"{heading}\n{defang(fresh[0])}")
                else:
                    lines.append(heading)
            return Reply(
                title=words("reply.theme_window_title", theme=defang(theme), days=window),
                description="\n\n".join(lines),
            )
        digest = await self.services.digests.build_now(caller.guild_id, window)
        return await self.digest_reply(
            replace(digest, language=words.language),
            title=words("reply.summary_title", days=window),
        )

    @staticmethod
    def _post_date(post: StoredPost, words: Catalog = ENGLISH) -> str:
        """A post's date and how it was known ("date unknown" without one)."""
        if post.published is None:
            return words("reply.date_unknown")
        key = DATE_SOURCE_KEYS.get(post.date_source) if post.date_source else None
        how = words(key) if key else None
        day = post.published.date().isoformat()
        return f"{day} ({how})" if how else day

    async def _post_forecast_fields(
        self, guild_id: int, post_id: int, words: Catalog = ENGLISH
    ) -> list[Field]:
        """A post's views (undated statements) and the forecasts waiting for its date."""
        forecasts = await self.services.store.forecasts.for_post(guild_id, post_id)
        views = [f for f in forecasts if f.is_view and f.status != "resolved"]
        waiting = [f for f in forecasts if f.needs_date and f.status != "resolved"]
        fields = []
        if views:
            lines = [f"• {defang(clip(f.claim, 160))} (#{f.id})" for f in views[:VIEWS_SHOWN]]
            if len(views) > VIEWS_SHOWN:
                lines.append(words("post_date.views_more", count=len(views) - VIEWS_SHOWN))
            lines.append(words("post_date.views_hint"))
            fields.append(Field(words("post_date.views"), "\n".join(lines)))
        if waiting:
            fields.append(
                Field(
                    words("post_date.waiting"),
                    words.plural(
                        len(waiting), "post_date.waiting_detail", hint=post_date_hint(post_id)
                    ),
                )
            )
        return fields

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
            raise NotFound(caller.words("error.no_quote"))
        words = caller.words
        best = next((q for q in quotes if q.speaker), quotes[0])
        return Reply(
            title=f"“{defang(clip(best.text, 240))}”",
            description=f"— {defang(best.speaker or words('reply.unknown_speaker'))}",
            fields=[Field(words("reply.field_source"), defang(clip(best.post_title or "", 200)))],
            url=best.source_url,
            footer=best.published_at[:10] if best.published_at else None,
        )

    async def themes(self, caller: Caller, days: int = 7) -> Reply:
        """Trending themes with counts and change against the previous period, with a chart."""
        words = caller.words
        digest = await self.services.digests.themes_now(caller.guild_id, days)
        # The chart's words follow the member's language.
        digest = replace(digest, language=words.language)
        if not digest.themes:
            return Reply(
                title=words("reply.themes_title", days=days),
                description=words("reply.themes_empty"),
            )
        lines = [
            words(
                "reply.themes_line",
                label=defang(trend.label),
                count=trend.count,
                trend=trend_marker(trend, words.language),
            )
            for trend in digest.themes
        ]
        chart = await draw_chart(digest)
        return Reply(
            title=words("reply.themes_title", days=days),
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
        status = STATUS_ALIASES.get(status.strip().lower(), status.strip().lower())
        words = caller.words
        if status in LIST_TITLES:
            title = words(LIST_TITLES[status])
        elif status == "all":
            title = words("reply.list_all")
        else:
            title = words("reply.list_filtered", status=words.get(f"state.{status}", status))
        return self._paged(
            title,
            [self._forecast_line(f, words) for f in forecasts],
            words("reply.list_empty"),
            words=words,
        )

    async def predictions_show(self, caller: Caller, prediction: int) -> Reply:
        """One forecast with its votes and history."""
        view = await self.services.ledger.show(caller.guild_id, prediction)
        forecast = view.forecast
        words = caller.words
        reply = Reply(
            title=f"#{forecast.id} · {defang(clip(forecast.claim, 240))}",
            fields=self._forecast_fields(forecast, words),
            url=forecast.source_url,
            buttons=reminder_buttons(forecast.id, words.language)
            if forecast.status != "resolved"
            else [],
        )
        if view.tally.total:
            reply.fields.append(
                Field(
                    words("reply.field_votes"),
                    self._votes_line(words, view.tally.counts),
                    False,
                )
            )
        if forecast.status == "resolved":
            verdict = words(
                "reply.verdict_by",
                outcome=self._outcome(words, forecast.outcome),
                user=self.fmt.user(forecast.resolved_by or 0),
            )
            if forecast.resolved_at:
                verdict += words("reply.verdict_on", moment=self.fmt.moment(forecast.resolved_at))
            reply.fields.append(
                Field(
                    words("reply.field_verdict"),
                    verdict
                    + (f"\n{forecast.evidence}" if forecast.evidence else "")
                    + (f"\n{defang(forecast.note)}" if forecast.note else ""),
                )
            )
        if view.events:
            history = [
                f"{event.created_at.date().isoformat()} "
                + (words.get(f"event.{event.kind}", event.kind) or event.kind)
                for event in view.events[-5:]
            ]
            reply.footer = words("reply.history", events=" · ".join(history))
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
        words = caller.words
        return Reply(
            title=words("reply.recorded_title", id=forecast.id),
            description=defang(forecast.claim),
            fields=self._forecast_fields(forecast, words),
            tone="success",
            footer=words("reply.recorded_footer"),
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
        words = caller.words
        if result.verdict:
            outcome = self._outcome(words, result.forecast.outcome or "unknown")
            return Reply(
                title=words("reply.resolved_title", id=prediction, outcome=outcome),
                description=defang(clip(result.forecast.claim, 300)),
                tone="success",
            )
        tally = self._votes_line(words, result.tally.counts)
        return Reply(
            title=words("reply.vote_counted_title", id=prediction),
            description=words("reply.vote_counted", tally=tally),
            tone="success",
            ephemeral=True,
        )

    async def predictions_undo(self, caller: Caller, prediction: int) -> Reply:
        """Take back the last verdict on a forecast (moderators)."""
        forecast = await self.services.ledger.undo(caller.actor, prediction)
        return Reply(
            title=caller.words("reply.undone_title", id=prediction),
            description=caller.words(
                "reply.undone",
                status=caller.words("state.due" if forecast.status == "due" else "state.open"),
            ),
            tone="success",
        )

    async def predictions_redate(self, caller: Caller, prediction: int, due: str) -> Reply:
        """Move a forecast's due date (moderators); its reminders move too. Any member may
        date an undated view, which makes it a tracked forecast."""
        before = await self.services.ledger.get(caller.guild_id, prediction)
        forecast = await self.services.ledger.redate(caller.actor, prediction, due)
        assert forecast.due_end is not None
        words = caller.words
        if before.due_end is None:
            return Reply(
                title=words("reply.tracked_title", id=prediction),
                description=words("reply.tracked", date=self.fmt.date(forecast.due_end))
                + f"\n{defang(clip(forecast.claim, 300))}",
                tone="success",
            )
        return Reply(
            title=words("reply.redated_title", id=prediction),
            description=words("reply.redated", date=self.fmt.date(forecast.due_end)),
            tone="success",
        )

    # --- /remind --------------------------------------------------------------------------------

    async def remind_prediction(
        self, caller: Caller, prediction: int, when: str | None = None
    ) -> Reply:
        """Be reminded of a forecast when it comes due, or at a time you choose."""
        reminder = await self.services.ledger.remind_at(caller.actor, prediction, when)
        words = caller.words
        if reminder is None:
            forecast = await self.services.ledger.get(caller.guild_id, prediction)
            due = (
                self.fmt.date(forecast.due_end) if forecast.due_end else words("remind.no_due_yet")
            )
            return Reply(
                title=words("remind.when_due_title", id=prediction),
                description=words("remind.when_due", due=due),
                ephemeral=True,
                tone="success",
            )
        return Reply(
            title=words("remind.set_title", id=reminder.id),
            description=words(
                "remind.set", forecast=prediction, moment=self.fmt.moment(reminder.remind_at)
            ),
            ephemeral=True,
            tone="success",
        )

    async def remind_list(self, caller: Caller) -> Reply:
        """Your pending reminders."""
        reminders = await self.services.ledger.reminders(caller.actor)
        subscriptions = await self.services.ledger.subscriptions(caller.actor)
        words = caller.words
        lines = [
            words(
                "remind.line", id=r.id, forecast=r.forecast_id, moment=self.fmt.moment(r.remind_at)
            )
            for r in reminders
        ] + [
            words(
                "remind.subscription_line",
                forecast=f.id,
                due=self.fmt.date(f.due_end) if f.due_end else words("remind.undated"),
            )
            for f in subscriptions
        ]
        reply = self._paged(
            words("remind.list_title"), lines, words("remind.list_empty"), words=words
        )
        reply.ephemeral = True
        return reply

    async def remind_cancel(
        self, caller: Caller, reminder: int | None = None, prediction: int | None = None
    ) -> Reply:
        """Cancel one of your reminders, or stop being pinged when a forecast comes due."""
        words = caller.words
        if reminder is not None:
            await self.services.ledger.cancel_reminder(caller.actor, reminder)
            return Reply(
                title=words("remind.cancelled_title", id=reminder), ephemeral=True, tone="success"
            )
        if prediction is not None:
            if not await self.services.ledger.unsubscribe(caller.actor, prediction):
                raise NotFound(message("remind.not_subscribed", id=prediction))
            return Reply(
                title=words("remind.unsubscribed_title", id=prediction),
                ephemeral=True,
                tone="success",
            )
        raise InputError("reminder", message("remind.need_id"))

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
        """A digest of the last days, right now (in the member's language)."""
        digest = await self.services.digests.build_now(caller.guild_id, days)
        return await self.digest_reply(replace(digest, language=caller.words.language))

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
        words = caller.words
        return self._digest_status_reply(status, words, title=words("schedule.scheduled_title"))

    async def digest_status(self, caller: Caller) -> Reply:
        """When the next digest comes, and why it is paused if it is."""
        status = await self.services.digests.status(caller.guild_id)
        return self._digest_status_reply(status, caller.words)

    async def digest_off(self, caller: Caller) -> Reply:
        """Stop scheduled digests (moderators)."""
        self._require_moderator(caller, "stop digests")
        await self.services.digests.off(caller.guild_id)
        return Reply(title=caller.words("schedule.off_title"), tone="success")

    def _digest_status_reply(
        self, status: DigestStatus, words: Catalog = ENGLISH, title: str | None = None
    ) -> Reply:
        reply = self._schedule_reply(status, title or words("schedule.status_title"), words)
        for failure in status.failures:
            reply.tone = "warning"
            reply.fields.append(
                Field(
                    words("schedule.failing", job=words.get(f"job.{failure.name}", failure.name)),
                    words(
                        "schedule.failure",
                        count=failure.failure_count,
                        since=self.fmt.moment(failure.first_failure_at),
                        error=defang(clip(in_language(failure.last_error, words.language), 600)),
                        retry=self.fmt.moment(failure.retry_at),
                    ),
                )
            )
        if status.reminders_paused_reason:
            reply.tone = "warning"
            reply.fields.append(
                Field(
                    words("schedule.reminders_paused"),
                    words(
                        "schedule.reminders_paused_detail",
                        reason=in_language(status.reminders_paused_reason, words.language),
                    ),
                )
            )
        elif status.reminder_channel_id is not None:
            reply.fields.append(
                Field(
                    words("schedule.reminders"),
                    words(
                        "schedule.reminders_go_to",
                        channel=self.fmt.channel(status.reminder_channel_id),
                    ),
                )
            )
        return reply

    def _schedule_reply(self, status: DigestStatus, title: str, words: Catalog) -> Reply:
        if not status.enabled or status.channel_id is None:
            return Reply(title=title, description=words("schedule.none"))
        fields = [
            Field(words("schedule.channel"), self.fmt.channel(status.channel_id), True),
            Field(words("schedule.schedule"), f"`{status.cron}` ({status.timezone})", True),
            Field(words("schedule.covers"), words("schedule.covers_days", days=status.days), True),
            Field(
                words("schedule.next"),
                self.fmt.moment(status.next_run) if status.next_run else "—",
                True,
            ),
        ]
        if status.last:
            fields.append(
                Field(
                    words("schedule.last"),
                    self.fmt.moment(status.last.period_end)
                    + (words("schedule.catch_up") if status.last.catch_up else ""),
                    True,
                )
            )
        reply = Reply(title=title, fields=fields, tone="success")
        if status.paused_reason:
            reply.tone = "warning"
            reply.description = words(
                "schedule.paused",
                reason=in_language(status.paused_reason, words.language),
                count=status.held_messages,
            )
        return reply

    # --- /feed ----------------------------------------------------------------------------------

    def _announced_in(self, channel_id: int | None, words: Catalog = ENGLISH) -> str:
        if channel_id is None:
            return words("feed.not_announced")
        return words("feed.announced_in", channel=self.fmt.channel(channel_id))

    async def feed_add(self, caller: Caller, url: str, channel: int | None = None) -> Reply:
        """Follow an RSS/Atom/JSON feed; new entries are stored and announced in `channel`."""
        self._require_moderator(caller, "add feeds")
        added = await self.services.feeds.add(
            caller.guild_id, url, channel_id=channel, added_by=str(caller.user_id)
        )
        feed = added.feed
        words = caller.words
        if feed.channel_id is None:
            where = words("feed.not_announced_hint", id=feed.id)
        else:
            where = words("feed.announced_hint", channel=self.fmt.channel(feed.channel_id))
        return Reply(
            title=words("feed.following_title", id=feed.id),
            description=words(
                "feed.added", title=defang(feed.title or url), stored=added.stored, where=where
            ),
            tone="success" if feed.channel_id is not None else "warning",
        )

    async def feed_list(self, caller: Caller) -> Reply:
        """Feeds this server follows, with their state and where new entries go."""
        words = caller.words
        lines = []
        for feed in await self.services.feeds.list(caller.guild_id):
            if not feed.active:
                reason = in_language(feed.disabled_reason or "", words.language)
                state = words("feed.disabled", reason=reason, id=feed.id)
            elif feed.failure_count:
                state = words(
                    "feed.failing",
                    count=feed.failure_count,
                    error=in_language(feed.last_error or "", words.language),
                    moment=self.fmt.moment(feed.next_poll_at),
                )
            else:
                state = words("feed.active")
            lines.append(
                f"**#{feed.id}** {defang(feed.title or feed.url)}\n{feed.url} · {state}"
                f" · {self._announced_in(feed.channel_id, words)}"
            )
        return self._paged(words("feed.list_title"), lines, words("feed.list_empty"), words=words)

    async def feed_remove(self, caller: Caller, feed: int) -> Reply:
        """Stop following a feed (moderators)."""
        self._require_moderator(caller, "remove feeds")
        await self.services.feeds.remove(caller.guild_id, feed)
        return Reply(title=caller.words("feed.removed_title", id=feed), tone="success")

    async def feed_enable(self, caller: Caller, feed: int) -> Reply:
        """Resume a disabled or failing feed; it is polled at the next pass (moderators)."""
        self._require_moderator(caller, "resume feeds")
        resumed = await self.services.feeds.enable(caller.guild_id, feed)
        words = caller.words
        return Reply(
            title=words("feed.resumed_title", id=feed),
            description=words(
                "feed.resumed",
                title=defang(resumed.title or resumed.url),
                announced=self._announced_in(resumed.channel_id, words),
            ),
            tone="success",
        )

    async def feed_channel(self, caller: Caller, feed: int, channel: int | None = None) -> Reply:
        """Where a feed's new entries are announced; no channel stops announcing (moderators)."""
        self._require_moderator(caller, "change feeds")
        changed = await self.services.feeds.set_channel(caller.guild_id, feed, channel)
        words = caller.words
        return Reply(
            title=words(
                "feed.channel_title",
                id=feed,
                announced=self._announced_in(changed.channel_id, words),
            ),
            tone="success",
        )

    # --- /ingest --------------------------------------------------------------------------------

    def _ingest_reply(
        self, results: list[IngestResult], subject: str, words: Catalog = ENGLISH
    ) -> Reply:
        stored = [r for r in results if r.outcome is IngestOutcome.STORED]
        lines = [
            f"{words('ingest.stored' if r.outcome is IngestOutcome.STORED else 'ingest.skipped')}"
            f" #{r.post_id} {defang(clip(r.title, 90))}"
            + (words.plural(r.predictions, "ingest.forecasts") if r.predictions else "")
            + (words.plural(r.views, "ingest.views") if r.views else "")
            + (f" ({self._ingest_reason(r, words)})" if r.reason else "")
            + (
                "\n  "
                + words.plural(r.needs_date, "ingest.needs_date", hint=post_date_hint(r.post_id))
                if r.needs_date and r.post_id is not None
                else ""
            )
            + (
                "\n  " + words("ingest.analysed_part", chars=f"{r.analysed_chars:,}")
                if r.analysed_chars is not None
                else ""
            )
            for r in results
        ]
        return Reply(
            title=words("ingest.title", stored=len(stored), skipped=len(results) - len(stored)),
            description="\n".join(lines[:20]) or words("ingest.nothing", subject=defang(subject)),
            tone="success" if stored else "info",
        )

    @staticmethod
    def _ingest_reason(result: IngestResult, words: Catalog) -> str:
        """Why a post was skipped, in the reader's language where the catalog knows it."""
        if result.reason_key and result.post_id is not None:
            return words("ingest.duplicate", id=result.post_id, why=words(result.reason_key))
        return result.reason or ""

    def _require_ingest(self, caller: Caller) -> None:
        if not (caller.can_manage_messages or caller.is_moderator):
            raise PermissionDenied(caller.words("error.need_manage_messages_ingest"))

    async def ingest_url(self, caller: Caller, url: str) -> Reply:
        """Store a post (or a feed's entries) from a link."""
        self._require_ingest(caller)
        results = await self.services.ingest.ingest_url(url, caller.guild_id)
        return self._ingest_reply(results, url, caller.words)

    async def ingest_text(self, caller: Caller, text: str, title: str | None = None) -> Reply:
        """Store pasted text as a post."""
        self._require_ingest(caller)
        words = caller.words
        return self._ingest_reply(
            await self.services.ingest.ingest_text(text, caller.guild_id, title=title),
            words("ingest.pasted_text"),
            words,
        )

    async def ingest_file(self, caller: Caller, filename: str, data: bytes) -> Reply:
        """Store an attached .txt/.md/.html file."""
        self._require_ingest(caller)
        results = await self.services.ingest.ingest_bytes(filename, data, caller.guild_id)
        return self._ingest_reply(results, filename, caller.words)

    async def posts_date(self, caller: Caller, post: int, date: str) -> Reply:
        """Set a post's publication date (Manage Messages): its forecasts are read again against
        it, keeping verdicts and votes, and their reminders move."""
        if not (caller.can_manage_messages or caller.is_moderator):
            raise PermissionDenied(caller.words("error.need_manage_messages_date"))
        dating = await self.services.post_dates.set_date(
            caller.guild_id, post, date, actor=caller.user_id
        )
        return self._post_dating_reply(dating, caller.words)

    def _post_dating_reply(self, dating: PostDating, words: Catalog = ENGLISH) -> Reply:
        stored = dating.post
        assert stored.published is not None
        outcomes = [
            (len(dating.dated), "post_date.dated"),
            (len(dating.moved), "post_date.moved"),
            (len(dating.added), "post_date.added"),
            (dating.removed, "post_date.removed"),
            (len(dating.kept), "post_date.kept"),
            (len(dating.members_dated), "post_date.members_dated"),
        ]
        lines = [words.plural(number, key) for number, key in outcomes if number] or [
            words("post_date.unchanged")
        ]
        if dating.verdicts_kept:
            lines.append(words("post_date.verdicts_kept", count=dating.verdicts_kept))
        before = words("post_date.unknown")
        if dating.previous is not None:
            key = DATE_SOURCE_KEYS.get(dating.previous_source) if dating.previous_source else None
            how = words(key) if key else words("post_date.recorded_earlier")
            before = f"{dating.previous.date().isoformat()} ({how})"
        return Reply(
            title=words("post_date.title", id=stored.id, date=stored.published.date().isoformat()),
            description=f"**{defang(clip(stored.title, 200))}**\n"
            + "\n".join(f"• {line}" for line in lines),
            fields=[Field(words("post_date.before"), before, True)],
            url=stored.canonical_url,
            tone="success",
        )

    # --- /scoreboard, /export, /settings ---------------------------------------------------------

    async def scoreboard(self, caller: Caller, by: str = "source") -> Reply:
        """Track record per source, author or speaker."""
        rows = await self.services.ledger.scoreboard(caller.guild_id, by)
        words = caller.words
        lines = []
        for row in rows:
            share = (
                words("reply.score_share", share=f"{row.share_correct:.0%}")
                if row.share_correct is not None
                else words("reply.score_no_verdicts")
            )
            brier = (
                words("reply.score_brier", brier=f"{row.brier:.3f}", count=row.with_probability)
                if row.brier is not None
                else ""
            )
            lines.append(
                words(
                    "reply.score_line",
                    key=self._score_key(row.key, words),
                    resolved=row.resolved,
                    share=share,
                    brier=brier,
                )
            )
        return self._paged(
            words("reply.score_title", by=words.get(f"by.{by}", by)),
            lines,
            words("reply.score_empty"),
            words=words,
        )

    def _score_key(self, key: str, words: Catalog) -> str:
        """A track-record row's name: a source by its title or link (already named so by the
        ledger), a member author by their stored name or, for rows from before names were kept,
        in the front end's mention-free way (`fmt.user`); text from posts is defanged."""
        if key == MANUAL_SOURCE:
            return words("digest.manual_source")
        member = member_id(key)
        if member is not None:
            return self.fmt.user(member)
        return defang(clip(key, 80))

    async def export(self, caller: Caller, upload_limit: int | None = None) -> Reply:
        """The server's forecasts as CSV and JSON files (written off the event loop; sent from
        disk and deleted once the reply is gone). Above `upload_limit` bytes (what the front end
        may send, e.g. a Discord server's file size limit) both go in one zip; a zip still too
        large is refused with both sizes and the command that exports without a limit."""
        export = await self.services.ledger.export(caller.guild_id)
        if upload_limit is None or await asyncio.to_thread(lambda: export.size) <= upload_limit:
            return Reply(
                title=caller.words("reply.export_title"),
                files=[
                    Attachment.temporary("forecasts.csv", export.csv_path),
                    Attachment.temporary("forecasts.json", export.json_path),
                ],
                ephemeral=True,
            )
        zip_path, size = await asyncio.to_thread(_zipped_within, export, upload_limit)
        if zip_path is None:
            raise Conflict(
                message(
                    "error.export_too_large",
                    size=f"{size / 2**20:.1f}",
                    limit=f"{upload_limit / 2**20:.1f}",
                    forecasts=export.forecasts,
                )
            )
        return Reply(
            title=caller.words("reply.export_title"),
            description=caller.words("reply.export_zipped", forecasts=export.forecasts),
            files=[Attachment.temporary("forecasts.zip", zip_path)],
            ephemeral=True,
        )

    async def settings_timezone(self, caller: Caller, timezone: str) -> Reply:
        """Set the server's timezone (moderators)."""
        self._require_moderator(caller, "change settings")
        zone = zone_named(timezone)
        await self.services.store.guilds.update(
            caller.guild_id, self.services.clock.now(), timezone=zone.key
        )
        # Forecasts close at the end of their due day in the guild's timezone: move them along.
        await self.services.ledger.realign_due_moments(caller.guild_id)
        return Reply(
            title=caller.words("reply.timezone_title", zone=zone.key),
            description=caller.words("reply.timezone", zone=zone.key),
            tone="success",
            ephemeral=True,
        )

    async def settings_reminder_channel(self, caller: Caller, channel: int) -> Reply:
        """Where due-date reminders are posted (moderators)."""
        self._require_moderator(caller, "change settings")
        await self.services.reminders.set_channel(caller.guild_id, channel)
        return Reply(
            title=caller.words("reply.channel_title"),
            description=caller.words("reply.channel", channel=self.fmt.channel(channel)),
            tone="success",
            ephemeral=True,
        )

    async def settings_reminder_role(self, caller: Caller, role: int | None) -> Reply:
        """A role pinged with every reminder (moderators)."""
        self._require_moderator(caller, "change settings")
        await self.services.store.guilds.update(
            caller.guild_id, self.services.clock.now(), reminder_role_id=role
        )
        words = caller.words
        text = words("reply.role", role=self.fmt.role(role)) if role else words("reply.role_none")
        return Reply(
            title=words("reply.role_title"), description=text, tone="success", ephemeral=True
        )

    async def settings_language(self, caller: Caller, language: str) -> Reply:
        """The language of the digests, reminders and feed posts the bot sends (moderators)."""
        self._require_moderator(caller, "change settings")
        if language not in LANGUAGES:
            raise InputError(
                "language",
                caller.words(
                    "error.not_one_of", value=repr(language), choices=", ".join(LANGUAGES)
                ),
            )
        await self.services.store.guilds.update(
            caller.guild_id, self.services.clock.now(), language=language
        )
        return Reply(
            title=caller.words("reply.language_title", language=language),
            tone="success",
            ephemeral=True,
        )

    async def settings_reminder_grouping(self, caller: Caller, grouping: str) -> Reply:
        """One message for all the forecasts coming due together, or one per forecast
        (moderators)."""
        self._require_moderator(caller, "change settings")
        if grouping not in REMINDER_GROUPINGS:
            raise InputError(
                "grouping",
                caller.words(
                    "error.not_one_of", value=repr(grouping), choices=", ".join(REMINDER_GROUPINGS)
                ),
            )
        await self.services.store.guilds.update(
            caller.guild_id, self.services.clock.now(), reminder_grouping=grouping
        )
        words = caller.words
        return Reply(
            title=words("reply.grouping_title", grouping=grouping),
            description=words(f"reply.grouping_{grouping}"),
            tone="success",
            ephemeral=True,
        )

    # --- buttons under reminders ------------------------------------------------------------------

    async def button(self, caller: Caller, custom_id: str) -> Reply:
        """A click on a reminder's button (works after restarts: ids carry everything)."""
        parsed = parse_button_id(custom_id)
        if parsed is None:
            raise InputError("button", caller.words("error.not_our_button"))
        action, forecast_id, argument = parsed
        if action == "vote" and argument:
            return await self.predictions_resolve(
                Caller(caller.guild_id, caller.user_id, False, language=caller.language),
                forecast_id,
                argument,
            )
        if action == "snooze":
            until = await self.services.ledger.snooze(caller.actor, forecast_id, 7)
            return Reply(
                title=caller.words("reply.snoozed_title", id=forecast_id),
                description=caller.words("reply.snoozed", moment=self.fmt.moment(until)),
                ephemeral=True,
                tone="success",
            )
        if action == "remind":
            return await self.remind_prediction(caller, forecast_id, None)
        raise InputError("button", caller.words("error.unknown_action", action=repr(action)))

    async def forecast_guild(self, custom_id: str) -> int:
        """The server of the forecast a button (clicked in a DM) is about."""
        parsed = parse_button_id(custom_id)
        guild_id = await self.services.store.ledger.guild_of(parsed[1]) if parsed else None
        if guild_id is None:
            raise NotFound(message("error.forecast_gone"))
        return guild_id

    # --- autocomplete ---------------------------------------------------------------------------

    async def complete_forecasts(self, guild_id: int, text: str) -> list[tuple[str, int]]:
        """(label, id) choices for forecast options."""
        typed = text.strip()
        if _is_id(typed):
            forecast = await self.services.store.forecasts.get(guild_id, int(typed))
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

    async def render_delivery(self, payload: OutboxPayload, late: bool) -> Reply:
        """How one queued message (reminder, follow-up, digest, feed entry) looks when sent."""
        if isinstance(payload, DigestPayload):
            from digests.digest.render import from_json

            return await self.digest_reply(from_json(payload.digest))
        words = delivery_strings(payload.language)
        if isinstance(payload, FeedPayload):
            feed = defang(payload.feed or words("delivery.feed_unnamed"))
            return Reply(
                title=defang(clip(payload.title or words("delivery.feed_untitled"), 250)),
                # Queued before links were checked, a guid ("m2") may stand here: Discord
                # refuses an embed whose URL is not a web address.
                url=http_url(payload.url),
                description=words("delivery.feed_new_in", feed=feed)
                + (f" · {defang(payload.author)}" if payload.author else ""),
            )
        forecast = payload.forecast
        claim = defang(clip(forecast.claim, 300))
        late_note = words("delivery.late_note") if late else ""
        if isinstance(payload, FollowupPayload):
            title = words("delivery.followup_title", id=forecast.id)
            lead = words.plural(payload.stage, "delivery.followup_lead")
        elif isinstance(payload, SnoozePayload):
            title = words("delivery.snooze_title", id=forecast.id)
            lead = words("delivery.snooze_lead")
        elif isinstance(payload, PersonalPayload):
            title = words("delivery.personal_title", id=forecast.id)
            lead = words("delivery.personal_lead")
        else:
            title = words("delivery.reminder_title", id=forecast.id)
            lead = words("delivery.reminder_lead")
        fields = []
        if forecast.due_end:
            fields.append(Field(words("delivery.due"), forecast.due_end.isoformat(), True))
        if forecast.speaker:
            fields.append(Field(words("delivery.speaker"), defang(forecast.speaker), True))
        if forecast.source_label or forecast.source_url:
            source = forecast.source_label or forecast.source_url or ""
            fields.append(Field(words("delivery.source"), defang(clip(source, 200)), False))
        votes = payload.votes if isinstance(payload, FollowupPayload) else {}
        if votes:
            fields.append(Field(words("delivery.votes"), self._votes_line(words, votes), False))
        # Subscribers get their own personal message; mentioning them here too would ping
        # them twice for one event, so the channel message only names how many there are.
        if isinstance(payload, ReminderPayload) and payload.subscriber_count:
            count = payload.subscriber_count
            lead += words.plural(count, "delivery.subscribers")
        role = getattr(payload, "role_id", None)
        return Reply(
            title=title,
            description=f"{claim}\n\n{lead}{late_note}",
            fields=fields,
            url=forecast.source_url or None,
            buttons=reminder_buttons(forecast.id, payload.language),
            tone="warning" if isinstance(payload, FollowupPayload) else "info",
            content=self.fmt.role(role) if role else "",
            mention_roles=[role] if role else [],
        )

    @staticmethod
    def _votes_line(words: Catalog, votes: dict[str, int]) -> str:
        return ", ".join(f"{words.get(f'vote.{k}', k)}: {v}" for k, v in sorted(votes.items()))

    def render_reminder_group(self, items: Sequence[tuple[ForecastPayload, bool]]) -> Reply:
        """Several forecasts of one guild coming due (or still unjudged) in one message: one
        field per forecast and one row of buttons each. At most FORECASTS_PER_MESSAGE of them,
        so a message stays within Discord's five rows of buttons and 6,000 embed characters."""
        if not 1 <= len(items) <= FORECASTS_PER_MESSAGE:
            raise ValueError(f"a grouped reminder holds 1 to {FORECASTS_PER_MESSAGE} forecasts")
        language = items[0][0].language
        words = delivery_strings(language)
        followups = isinstance(items[0][0], FollowupPayload)
        count = len(items)
        if followups:
            title = words("delivery.group_followup_title", count=count)
            lead = words("delivery.group_followup_lead")
        else:
            title = words("delivery.group_reminder_title", count=count)
            lead = words("delivery.group_reminder_lead")
        fields: list[Field] = []
        buttons: list[Button] = []
        roles: list[int] = []
        for payload, _late in items:
            forecast = payload.forecast
            name = f"#{forecast.id}" + (
                f" · {words('delivery.due')} {forecast.due_end.isoformat()}"
                if forecast.due_end
                else ""
            )
            details: list[str] = []
            if isinstance(payload, FollowupPayload):
                details.append(words.plural(payload.stage, "delivery.group_due_ago"))
            if forecast.speaker:
                details.append(f"{words('delivery.speaker')}: {defang(clip(forecast.speaker, 80))}")
            source = forecast.source_label or forecast.source_url
            if source:
                details.append(f"{words('delivery.source')}: {defang(clip(source, 200))}")
            if isinstance(payload, FollowupPayload) and payload.votes:
                details.append(
                    f"{words('delivery.votes')}: {self._votes_line(words, payload.votes)}"
                )
            value = defang(clip(forecast.claim, 300)) or "—"
            if details:
                value += "\n" + " · ".join(details)
            if isinstance(payload, ReminderPayload) and payload.subscriber_count:
                subscribed = payload.subscriber_count
                value += words.plural(subscribed, "delivery.subscribers")
            fields.append(Field(name, value, False))
            buttons.extend(group_row_buttons(forecast.id, language))
            role = getattr(payload, "role_id", None)
            if role and role not in roles:
                roles.append(role)
        late_note = words("delivery.late_note") if any(late for _payload, late in items) else ""
        return Reply(
            title=title,
            description=f"{lead}{late_note}",
            fields=fields,
            buttons=buttons,
            tone="warning" if followups else "info",
            content=" ".join(self.fmt.role(role) for role in roles),
            mention_roles=roles,
        )

    async def render_outgoing(self, delivery: Delivery) -> Reply:
        """The message a claimed delivery sends: one row as `render_delivery` shows it, a group
        of reminders as `render_reminder_group` does."""
        if len(delivery.messages) == 1:
            message = delivery.messages[0]
            return await self.render_delivery(message.body, message.late)
        items: list[tuple[ForecastPayload, bool]] = []
        for message in delivery.messages:
            body = message.body
            if not isinstance(body, ReminderPayload | FollowupPayload):
                raise ValueError(f"{message.kind} messages are not sent grouped")
            items.append((body, message.late))
        return self.render_reminder_group(items)
