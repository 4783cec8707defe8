"""The terminal front end: the bot's commands on stdin, digests and reminders on stdout.

Lines look like Discord commands: `/predictions list status:due`, `/remind prediction
prediction:3 when:"in 3 months"`. It runs the same command layer as the Discord cogs and the
same scheduler, and prints every delivery the outbox makes. Extra console commands:
`/as user:ID mod:yes` (act as someone), `/tick` (run due work now), `/time +3d` (move a
`--clock` forward, for scripted sessions), `/help`, `/quit`.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from digests.app import Services
from digests.clock import Clock, ManualClock
from digests.commands.handlers import Caller, Commands
from digests.commands.replies import PlainFormatter, Reply, reply_as_text
from digests.dates import LATEST_INSTANT, parse_duration
from digests.errors import HindsightError, InputError
from digests.i18n import LANGUAGES, Catalog, catalog, in_language, message
from digests.reminders.outbox import Delivery, DeliveryFailed
from digests.settings import Settings
from digests.store.outbox import OutboxMessage

logger = logging.getLogger(__name__)


class ConsoleTransport:
    """Delivers outbox messages by printing them."""

    def __init__(
        self,
        commands: Commands,
        stream: TextIO,
        out_dir: Path | None,
        language: Callable[[], str] = lambda: "en",
    ) -> None:
        self._commands = commands
        self._stream = stream
        self._out_dir = out_dir
        self._language = language  # the console user's, for the line naming the destination
        self.delivered: list[OutboxMessage] = []

    async def deliver(self, delivery: Delivery) -> None:
        """Print one message (a broken stream is a retryable failure)."""
        reply = await self._commands.render_outgoing(delivery)
        words = catalog(self._language())
        where = (
            words("console.to_channel", id=delivery.destination_id)
            if delivery.destination == "channel"
            else words("console.to_user", id=delivery.destination_id)
        )
        if delivery.destination == "channel" and delivery.destination_id is None:
            where = words("console.to_server")
        try:
            self._stream.write(
                f"\n>>> {delivery.kind} → {where}\n{reply_as_text(reply, self._out_dir)}\n"
            )
            self._stream.flush()
        except OSError as error:
            raise DeliveryFailed(str(error)) from error
        self.delivered.extend(delivery.messages)


@dataclass
class Session:
    """Who the console acts as."""

    caller: Caller


def parse_line(line: str) -> tuple[list[str], dict[str, str]]:
    """`/remind prediction prediction:3 when:"in 3 months"` → (["remind", "prediction"], options)."""
    words = shlex.split(line.strip().lstrip("/"))
    path: list[str] = []
    options: dict[str, str] = {}
    for word in words:
        if ":" in word and not word.startswith(("http://", "https://")):
            key, _, value = word.partition(":")
            options[key.strip().lower()] = value
        elif options:
            # A bare word after options continues the last option's value.
            last = list(options)[-1]
            options[last] = f"{options[last]} {word}"
        else:
            path.append(word.lower())
    return path, options


def _int(options: dict[str, str], name: str, required: bool = True) -> int | None:
    value = options.get(name)
    if value is None or value == "":
        if required:
            raise HindsightError(message("console.missing_option", name=name))
        return None
    try:
        return int(value.lstrip("#"))
    except ValueError as error:
        raise InputError(name, message("ledger.not_a_number", value=repr(value))) from error


_YES = {"yes", "true", "1", "on"}
_NO = {"no", "false", "0", "off"}


def _flag(options: dict[str, str], name: str, current: bool) -> bool:
    """A yes/no option; absent keeps `current`, anything else is refused."""
    value = options.get(name)
    if value is None:
        return current
    if value.strip().lower() in _YES:
        return True
    if value.strip().lower() in _NO:
        return False
    raise InputError(name, message("console.not_yes_or_no", value=repr(value)))


def _language(options: dict[str, str], current: str) -> str:
    """The `language:` option of /as (en or ko); absent keeps `current`."""
    value = options.get("language")
    if value is None:
        return current
    if value.strip().lower() not in LANGUAGES:
        raise InputError(
            "language",
            message("error.not_one_of", value=repr(value), choices=", ".join(LANGUAGES)),
        )
    return value.strip().lower()


def act_as(caller: Caller, options: dict[str, str]) -> Caller:
    """`/as`: switch to another member (`user:`, an ordinary member unless `mod:`/`messages:`
    say otherwise) or change only the rights named. `mod:` also sets `messages:` unless that is
    given too (a moderator may ingest); `language:` is the member's Discord language (en, ko),
    which replies and errors follow. No options at all changes nothing."""
    user_id = _int(options, "user", False)
    other_member = user_id is not None and user_id != caller.user_id
    is_moderator = _flag(options, "mod", False if other_member else caller.is_moderator)
    default_messages = (
        is_moderator if "mod" in options or other_member else caller.can_manage_messages
    )
    return replace(
        caller,
        user_id=caller.user_id if user_id is None else user_id,
        is_moderator=is_moderator,
        can_manage_messages=_flag(options, "messages", default_messages),
        language=_language(options, caller.language),
    )


Handler = Callable[[Caller, dict[str, str]], Awaitable[Reply]]


def command_table(commands: Commands) -> dict[tuple[str, ...], Handler]:
    """Console command paths mapped onto the command layer."""
    c = commands
    return {
        ("summary",): lambda who, o: c.summary(
            who, _int(o, "post", False), o.get("theme"), _int(o, "days", False)
        ),
        ("quote",): lambda who, o: c.quote(who, o.get("theme"), o.get("speaker"), o.get("query")),
        ("themes",): lambda who, o: c.themes(who, _int(o, "days", False) or 7),
        ("predictions", "list"): lambda who, o: c.predictions_list(
            who, o.get("status", "all"), o.get("theme"), o.get("source")
        ),
        ("predictions", "show"): lambda who, o: c.predictions_show(
            who, _int(o, "id", False) or _int(o, "prediction")
        ),  # type: ignore[arg-type]
        ("predictions", "add"): lambda who, o: c.predictions_add(
            who, o.get("claim", ""), o.get("due", ""), o.get("probability"), o.get("source")
        ),
        ("predictions", "resolve"): lambda who, o: c.predictions_resolve(
            who, _int(o, "id"), o.get("outcome", ""), o.get("evidence"), o.get("note")
        ),  # type: ignore[arg-type]
        ("predictions", "undo"): lambda who, o: c.predictions_undo(who, _int(o, "id")),  # type: ignore[arg-type]
        ("predictions", "redate"): lambda who, o: c.predictions_redate(
            who, _int(o, "id"), o.get("due", "")
        ),  # type: ignore[arg-type]
        ("remind", "prediction"): lambda who, o: c.remind_prediction(
            who, _int(o, "prediction", False) or _int(o, "id"), o.get("when")
        ),  # type: ignore[arg-type]
        ("remind", "list"): lambda who, o: c.remind_list(who),
        ("remind", "cancel"): lambda who, o: c.remind_cancel(
            who, _int(o, "id", False) or _int(o, "reminder", False), _int(o, "prediction", False)
        ),
        ("digest", "now"): lambda who, o: c.digest_now(who, _int(o, "days", False)),
        ("digest", "schedule"): lambda who, o: c.digest_schedule(
            who,
            _int(o, "channel"),
            o.get("weekday", "mon"),
            o.get("time", "09:00"),
            o.get("timezone"),
        ),  # type: ignore[arg-type]
        ("digest", "status"): lambda who, o: c.digest_status(who),
        ("digest", "off"): lambda who, o: c.digest_off(who),
        ("feed", "add"): lambda who, o: c.feed_add(
            who, o.get("url", ""), _int(o, "channel", False)
        ),
        ("feed", "list"): lambda who, o: c.feed_list(who),
        ("feed", "remove"): lambda who, o: c.feed_remove(
            who, _int(o, "feed", False) or _int(o, "id")
        ),  # type: ignore[arg-type]
        ("feed", "enable"): lambda who, o: c.feed_enable(
            who, _int(o, "feed", False) or _int(o, "id")
        ),  # type: ignore[arg-type]
        ("feed", "channel"): lambda who, o: c.feed_channel(
            who, _int(o, "feed", False) or _int(o, "id"), _int(o, "channel", False)
        ),  # type: ignore[arg-type]
        ("ingest", "url"): lambda who, o: c.ingest_url(who, o.get("url", "")),
        ("ingest", "text"): lambda who, o: c.ingest_text(who, o.get("text", ""), o.get("title")),
        ("ingest", "date"): lambda who, o: c.posts_date(
            who, _int(o, "post", False) or _int(o, "id"), o.get("date", "")
        ),  # type: ignore[arg-type]
        # The command line's spelling of the same command (python -m digests posts date).
        ("posts", "date"): lambda who, o: c.posts_date(
            who, _int(o, "post", False) or _int(o, "id"), o.get("date", "")
        ),  # type: ignore[arg-type]
        ("scoreboard",): lambda who, o: c.scoreboard(who, o.get("by", "source")),
        ("export",): lambda who, o: c.export(who),
        ("settings", "timezone"): lambda who, o: c.settings_timezone(who, o.get("timezone", "")),
        ("settings", "reminder_channel"): lambda who, o: c.settings_reminder_channel(
            who, _int(o, "channel")
        ),  # type: ignore[arg-type]
        ("settings", "reminder_role"): lambda who, o: c.settings_reminder_role(
            who, _int(o, "role", False)
        ),
        ("settings", "language"): lambda who, o: c.settings_language(who, o.get("language", "en")),
        ("settings", "reminder_grouping"): lambda who, o: c.settings_reminder_grouping(
            who, o.get("grouping", "")
        ),
        ("button",): lambda who, o: c.button(who, o.get("id", "")),
    }


def help_text(language: str = "en") -> str:
    """The console's /help: the commands' syntax, with the words around it in `language`."""
    words = catalog(language)
    return "\n".join(
        [
            words("console.help_commands"),
            "  /summary [post:ID] [theme:T] [days:N]      /quote [theme:T] [speaker:S] [query:Q]",
            "  /themes [days:N]                            /scoreboard [by:source|author|speaker]",
            "  /predictions list [status:all|open|due|resolved|needs-date|undated] [theme:T]"
            " [source:S]",
            '  /predictions show id:N     /predictions add claim:"…" due:2026-12-31'
            " [probability:70%] [source:URL]",
            "  /predictions resolve id:N outcome:correct|wrong|partly|unknown|withdrawn"
            ' [evidence:URL] [note:"…"]',
            "  /predictions undo id:N     /predictions redate id:N due:…",
            '  /remind prediction prediction:N [when:"in 3 months"]   /remind list'
            "   /remind cancel id:N|prediction:N",
            "  /digest now [days:N]   /digest schedule channel:N [weekday:mon] [time:09:00]"
            " [timezone:Asia/Seoul]",
            "  /digest status   /digest off   /feed add url:URL [channel:N]   /feed list"
            "   /feed remove id:N",
            "  /feed enable id:N   /feed channel id:N [channel:N]  "
            + words("console.help_no_channel"),
            '  /ingest url url:URL   /ingest text text:"…" [title:"…"]'
            "   /ingest date post:N date:YYYY-MM-DD",
            "  /export",
            "  /settings timezone timezone:Asia/Seoul | reminder_channel channel:N"
            " | reminder_role role:N | language language:en",
            "  /settings reminder_grouping grouping:grouped|single",
            words("console.help_console_only")
            + " /as [user:N] [mod:yes|no] [messages:yes|no] [language:en|ko] "
            + words("console.help_as"),
            "  /tick   /time +3d " + words("console.help_with_clock") + "   /help   /quit",
        ]
    )


class Console:
    """One terminal session."""

    def __init__(
        self,
        services: Services,
        *,
        guild_id: int,
        stream: TextIO,
        out_dir: Path | None,
        manual_clock: ManualClock | None,
    ) -> None:
        self.services = services
        self.commands = Commands(services, PlainFormatter())
        self.session = Session(
            Caller(guild_id, user_id=1, is_moderator=True, can_manage_messages=True)
        )
        self.stream = stream
        self.out_dir = out_dir
        self.manual_clock = manual_clock
        self.transport = ConsoleTransport(
            self.commands, stream, out_dir, lambda: self.session.caller.language
        )
        self.scheduler = services.scheduler(self.transport)
        self.table = command_table(self.commands)

    @property
    def words(self) -> Catalog:
        """The catalog of the console user's language (/as language:)."""
        return self.session.caller.words

    def error(self, error: HindsightError) -> None:
        """Print a domain error in the console user's language."""
        self.write(self.words("console.error", message=error.message_in(self.words.language)))

    def note(self, text: str) -> None:
        """Print a notice (a catalog message in the console user's language)."""
        self.write(in_language(text, self.words.language))

    def write(self, text: str) -> None:
        """Print to the session's stream."""
        self.stream.write(text + "\n")
        self.stream.flush()

    async def handle(self, line: str) -> bool:
        """Run one input line; False when the session should end."""
        if not line.strip() or line.lstrip().startswith("#"):
            return True
        try:
            path, options = parse_line(line)
        except ValueError as error:
            self.write(self.words("console.unreadable_line", detail=str(error)))
            return True
        if path in (["quit"], ["exit"]):
            return False
        if path == ["help"]:
            self.write(help_text(self.words.language))
            return True
        if path == ["as"]:
            try:
                self.session.caller = act_as(self.session.caller, options)
            except HindsightError as error:
                self.error(error)
                return True
            caller = self.session.caller
            words = caller.words
            self.write(
                words(
                    "console.acting_as",
                    user=caller.user_id,
                    moderator=words("console.yes" if caller.is_moderator else "console.no"),
                )
            )
            return True
        try:
            if path == ["tick"]:
                await self.tick()
                return True
            if path[:1] == ["time"]:
                await self.move_time(options.get("by") or " ".join(path[1:]))
                return True
            handler = self.table.get(tuple(path))
            if handler is None:
                self.write(self.words("console.unknown_command", command=" ".join(path)))
                return True
            reply = await handler(self.session.caller, options)
        except HindsightError as error:
            self.error(error)
            return True
        except Exception:
            logger.exception("command %s failed", line.strip())
            self.write(self.words("console.error", message=self.words("console.crashed")))
            return True
        self.write(reply_as_text(reply, self.out_dir))
        return True

    async def tick(self) -> None:
        """Run everything that is due, print what was delivered and what failed."""
        report = await self.scheduler.tick()
        for failure in report.failures:
            self.write(self.words("console.warning", message=failure))
        if not (report.drained.sent or report.digests or report.sweep.queued or report.failures):
            self.write(self.words("console.nothing_due"))

    async def move_time(self, amount: str) -> None:
        """Advance the manual clock, then run what became due (InputError for a step that is
        not a duration, or that would take the clock beyond its range)."""
        if self.manual_clock is None:
            self.write(self.words("console.error", message=self.words("console.time_needs_clock")))
            return
        # At most as far as a forecast may lie ahead, and never past the clock's last year.
        horizon = timedelta(days=366 * self.services.settings.max_forecast_horizon_years)
        step = parse_duration(amount, subject="/time", limit=horizon)
        if self.manual_clock.now() + step >= LATEST_INSTANT:
            raise InputError(
                "/time",
                message(
                    "console.past_clock", value=repr(amount.strip()), year=LATEST_INSTANT.year - 1
                ),
            )
        now = self.manual_clock.advance(seconds=step.total_seconds())
        self.write(self.words("console.time_now", moment=now.isoformat()))
        await self.tick()

    async def run(self, lines: Any) -> None:
        """Start the scheduler, read commands until EOF or /quit, stop."""
        await self.scheduler.start(catch_up=True)
        try:
            async for line in lines:
                if not await self.handle(line):
                    break
            await self.scheduler.tick()
        finally:
            await self.scheduler.shutdown()


def decode_line(raw: bytes, number: int, notice: Callable[[str], None]) -> str:
    """One line of standard input as text. Bytes that are not UTF-8 become U+FFFD (with a
    notice naming the line) instead of ending the session; a byte-order mark is dropped."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
        notice(message("console.not_utf8", line=number))
    return text.removeprefix("\ufeff") if number == 1 else text


async def stdin_lines(notice: Callable[[str], None]) -> AsyncIterator[str]:
    """Lines of standard input, read as bytes without blocking the event loop and decoded by
    `decode_line`."""
    loop = asyncio.get_running_loop()
    number = 0
    while True:
        raw = await loop.run_in_executor(None, sys.stdin.buffer.readline)
        if not raw:
            return
        number += 1
        yield decode_line(raw, number, notice)


# Libraries that log routine work at INFO ("Added job …", "Job … executed successfully"): in a
# terminal session those lines land between the user's commands and replies.
_CHATTY_LOGGERS = ("apscheduler",)


def quiet_libraries(log_level: str) -> None:
    """Keep chatty libraries at WARNING in the terminal unless LOG_LEVEL asks for DEBUG."""
    if log_level.upper() != "DEBUG":
        for name in _CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


async def run_console(
    settings: Settings,
    *,
    guild_id: int | None = None,
    clock_start: datetime | None = None,
    out_dir: Path | None = None,
) -> int:
    """`python -m bot --console`: the terminal front end over the embedded store."""
    clock: Clock | None = ManualClock(clock_start) if clock_start else None
    async with await Services.open(settings, clock) as services:
        console = Console(
            services,
            guild_id=settings.default_guild_id if guild_id is None else guild_id,
            stream=sys.stdout,
            out_dir=out_dir,
            manual_clock=clock if isinstance(clock, ManualClock) else None,
        )
        if sys.stdin.isatty():
            console.write(console.words("console.banner"))
        await console.run(stdin_lines(console.note))
    return 0
