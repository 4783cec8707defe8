"""`python -m digests`: ingest, list posts, digests, the track record and the demo main job."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from digests.analysis.evaluate import evaluate
from digests.analysis.explain import explain_analyses
from digests.analysis.pipeline import Analyzer, PostAnalysis
from digests.app import Services
from digests.clock import ManualClock, SystemClock
from digests.dates import parse_instant, parse_post_date
from digests.digest.model import Digest
from digests.digest.render import render_markdown, render_text, to_json
from digests.errors import HindsightError, InputError
from digests.ingest.documents import build_posts
from digests.ingest.loaders import expand_inputs, load_file, pasted_document
from digests.ingest.service import IngestReport, is_url
from digests.ingest.text import clip
from digests.ledger.naming import member_id
from digests.ledger.service import SCOREBOARD_KEYS
from digests.models import IngestOutcome, IngestResult
from digests.settings import Settings, load_settings
from digests.store.transfer import migrate_store

if TYPE_CHECKING:
    from digests.reminders.outbox import Delivery
    from digests.store.outbox import OutboxMessage

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"

logger = logging.getLogger("digests")


def _published_argument(settings: Settings, value: str | None) -> datetime | None:
    """`--published YYYY-MM-DD` as midnight in the default timezone; a real date, not after
    today (a post cannot have been published tomorrow)."""
    if value is None:
        return None
    today = SystemClock().now().astimezone(settings.timezone).date()
    day = parse_post_date(value, today=today, subject="--published")
    return datetime.combine(day, time(0, 0), tzinfo=settings.timezone)


def format_result(result: IngestResult) -> str:
    """One line for a stored or skipped post (and a second one when forecasts need its date)."""
    day = result.published.date().isoformat() if result.published else "date unknown"
    who = f" · {result.author}" if result.author else ""
    title = clip(result.title, 70)
    if result.outcome is IngestOutcome.STORED:
        extra = f" · {result.predictions} forecasts" if result.predictions else ""
        extra += f" · {result.views} view{'s' if result.views != 1 else ''}" if result.views else ""
        line = f"stored   #{result.post_id:<5} {day}{who} · {title}{extra}  [{result.source}]"
        if result.needs_date:
            waiting = (
                "1 forecast needs"
                if result.needs_date == 1
                else f"{result.needs_date} forecasts need"
            )
            line += (
                f"\n         {waiting} the post's date: run"
                f" python -m digests posts date {result.post_id} YYYY-MM-DD"
            )
        return line
    return f"skipped  #{result.post_id:<5} {title}: {result.reason}  [{result.source}]"


async def command_ingest(services: Services, args: argparse.Namespace, out: Console) -> int:
    """Ingest files, folders and URLs; print a line per post and per failed input."""
    published = _published_argument(services.settings, args.published)
    guild = args.guild if args.guild is not None else services.settings.default_guild_id
    status, _ = await _ingest(services, args.inputs, guild, published, out)
    return status


async def _ingest(
    services: Services,
    inputs: Sequence[str],
    guild: int,
    published: datetime | None,
    out: Console,
) -> tuple[int, IngestReport]:
    """Ingest and print the report; the exit status and the report itself."""
    total = 0
    for raw in inputs:
        try:
            total += 1 if is_url(raw) else len(expand_inputs(Path(raw)))
        except HindsightError:
            total += 1
    errors = Console(stderr=True)
    failures = 0
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=True,
        disable=total < 2 or not errors.is_terminal,
    ) as progress:
        task = progress.add_task("ingesting", total=total)
        report = await services.ingest.ingest_inputs(
            inputs,
            guild,
            published=published,
            on_progress=lambda _source: progress.advance(task),
        )
    for result in report.results:
        out.print(format_result(result), markup=False, highlight=False, soft_wrap=True)
    for failure in report.failures:
        failures += 1
        errors.print(f"error: {failure.message}", markup=False, highlight=False, soft_wrap=True)
    stored = len(report.stored)
    skipped = len(report.results) - stored
    out.print(f"{stored} stored, {skipped} skipped, {failures} failed", highlight=False)
    return (1 if failures else 0), report


async def command_posts(services: Services, args: argparse.Namespace, out: Console) -> int:
    """List stored posts of a guild (or, with `posts date`, set one's date)."""
    if getattr(args, "posts_command", None) == "date":
        return await command_posts_date(services, args, out)
    guild = args.guild if args.guild is not None else services.settings.default_guild_id
    posts = await services.store.posts.list(guild, limit=args.limit)
    if args.json:
        payload = [
            {
                "id": post.id,
                "title": post.title,
                "author": post.author,
                "published": post.published.isoformat() if post.published else None,
                "published_source": post.date_source.value if post.date_source else None,
                "lang": post.lang,
                "source": post.source,
                "canonical_url": post.canonical_url,
                "chars": len(post.text),
            }
            for post in posts
        ]
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return 0
    if not posts:
        out.print(f"no posts stored for guild {guild}")
        return 0
    for post in posts:
        day = post.published.date().isoformat() if post.published else "date unknown"
        who = f" · {post.author}" if post.author else ""
        out.print(
            f"#{post.id:<5} {day}{who} · {clip(post.title, 80)}", markup=False, highlight=False
        )
    return 0


async def command_posts_date(services: Services, args: argparse.Namespace, out: Console) -> int:
    """`posts date ID YYYY-MM-DD`: give a post its publication date, as a moderator would on
    Discord; its forecasts are read again against it and their reminders move."""
    from digests.commands.handlers import Caller, Commands  # loads matplotlib; only here
    from digests.commands.replies import reply_as_text

    guild = next(
        (value for value in (args.date_guild, args.guild) if value is not None),
        services.settings.default_guild_id,
    )
    post = _whole_number("ID", args.post_id, 0, 1, 2**63 - 1)
    # The command line is the operator's: it acts with a moderator's rights.
    caller = Caller(guild, user_id=0, is_moderator=True, can_manage_messages=True)
    reply = await Commands(services).posts_date(caller, post, args.day)
    _plain(out, reply_as_text(reply))
    return 0


def _add_posts_date_parser(posts: argparse.ArgumentParser) -> None:
    """`posts date ID YYYY-MM-DD` under `posts` (which alone lists posts)."""
    actions = posts.add_subparsers(dest="posts_command", metavar="{date}")
    date_parser = actions.add_parser(
        "date", help="set a post's publication date; its forecasts are re-dated"
    )
    date_parser.add_argument("post_id", metavar="ID", help="the post's number (from `posts`)")
    date_parser.add_argument("day", metavar="YYYY-MM-DD", help="when the post was written")
    date_parser.add_argument(
        "--guild",
        dest="date_guild",
        type=int,
        metavar="GUILD",
        help="guild (server) id; default from settings",
    )


# --- digest and scoreboard ---------------------------------------------------------------------

DIGEST_FORMATS = ("text", "md", "json")
MAX_DAYS = 366
DEFAULT_COMING_DAYS = 14
SCOREBOARD_LIMIT = 15


def _plain(out: Console, text: str) -> None:
    """Print text exactly as it is: no markup, emoji codes, highlighting or wrapping."""
    out.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)


def _note(text: str) -> None:
    """A remark on stderr, so that stdout stays exactly the requested output (e.g. JSON)."""
    _plain(Console(stderr=True), text)


def _guild(settings: Settings, value: int | None) -> int:
    return value if value is not None else settings.default_guild_id


def _whole_number(option: str, value: str | None, default: int, low: int, high: int) -> int:
    """An option that must be a whole number in [low, high]; InputError naming it otherwise."""
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise InputError(option, f"{value!r} is not a whole number") from None
    if not low <= number <= high:
        raise InputError(option, f"{number} is not between {low} and {high}")
    return number


def _choice(option: str, value: str, allowed: Sequence[str]) -> str:
    cleaned = value.strip().lower()
    if cleaned not in allowed:
        raise InputError(option, f"{value!r} is not one of: {', '.join(allowed)}")
    return cleaned


def _now_argument(value: str | None) -> datetime | None:
    """`--now` as an aware datetime. A time without a UTC offset is refused rather than guessed."""
    return parse_instant(value, subject="--now") if value is not None else None


def _chart_target(value: str) -> Path:
    """Where `--chart` writes, checked before any work so that a bad path fails at once."""
    path = Path(value).expanduser()
    subject = f"--chart {value}"
    if path.is_dir():
        raise InputError(subject, "is a folder; give a file name such as digest.png")
    folder = path.parent
    if not folder.exists():
        raise InputError(subject, f"folder {folder} does not exist")
    if not folder.is_dir():
        raise InputError(subject, f"{folder} is not a folder")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(subject, "not writable")
    return path


def _write_chart(path: Path, data: bytes, value: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise InputError(f"--chart {value}", error.strerror or str(error)) from None


def _render_chart(digest: Digest) -> bytes | None:
    from digests.digest.chart import render_chart  # matplotlib loads only when a chart is asked for

    return render_chart(digest)


def render_digest(digest: Digest, form: str) -> str:
    """A digest as `text`, `md` (Discord Markdown) or `json`."""
    if form == "json":
        return json.dumps(to_json(digest), ensure_ascii=False, indent=2)
    if form == "md":
        return render_markdown(digest)
    return render_text(digest)


async def command_digest(services: Services, args: argparse.Namespace, out: Console) -> int:
    """The guild's digest of the last N days up to now (or `--now`), ranges shown in the guild's
    timezone; `--chart FILE` also writes its chart as PNG."""
    settings = services.settings
    guild = _guild(settings, args.guild)
    days = _whole_number("--days", args.days, settings.digest_default_days, 1, MAX_DAYS)
    coming = _whole_number("--coming-days", args.coming_days, DEFAULT_COMING_DAYS, 0, MAX_DAYS)
    form = _choice("--format", args.format, DIGEST_FORMATS)
    now = _now_argument(args.now) or services.clock.now()
    chart = _chart_target(args.chart) if args.chart else None
    digest = await services.digests.builder.build(
        guild, now - timedelta(days=days), now, coming_days=coming, now=now
    )
    chart_note = None
    if chart is not None:
        png = await asyncio.to_thread(_render_chart, digest)
        if png is None:
            chart_note = (
                f"no chart written to {chart}: nothing to plot in this digest"
                " (it needs themes over time or judged forecasts)"
            )
        else:
            await asyncio.to_thread(_write_chart, chart, png, args.chart)
            chart_note = f"chart written to {chart} ({len(png):,} bytes)"
    _plain(out, render_digest(digest, form))
    if chart_note:
        _note(chart_note)
    return 0


def _score_name(key: str, by: str) -> str:
    """How a scoreboard key is shown: a link without its scheme (files are already named by
    their post's title), a member author without Discord's mention form."""
    if by != "source":
        member = member_id(key)
        return f"user {member}" if member is not None else key
    if is_url(key):
        return key.split("://", 1)[1].removeprefix("www.").rstrip("/") or key
    return key


async def command_scoreboard(services: Services, args: argparse.Namespace, out: Console) -> int:
    """The track record per source, author or speaker: forecasts judged, the share that came
    true (partly counts half), and the Brier score of those that carried a probability."""
    guild = _guild(services.settings, args.guild)
    by = _choice("--by", args.by, SCOREBOARD_KEYS)
    limit = _whole_number("--limit", args.limit, SCOREBOARD_LIMIT, 1, 1000)
    rows = await services.ledger.scoreboard(guild, by, limit)
    if args.json:
        payload = [
            {
                "key": row.key,
                "name": _score_name(row.key, by),
                "resolved": row.resolved,
                "correct": row.correct,
                "partly": row.partly,
                "wrong": row.wrong,
                "share_correct": row.share_correct,
                "brier": row.brier,
                "with_probability": row.with_probability,
            }
            for row in rows
        ]
        _plain(
            out,
            json.dumps(
                {"guild_id": guild, "by": by, "rows": payload}, ensure_ascii=False, indent=2
            ),
        )
        return 0
    if not rows:
        _plain(
            out,
            f"No resolved forecasts yet in guild {guild}, so there is no track record to show."
            " Forecasts count here once a moderator judges them (/predictions resolve).",
        )
        return 0
    table = Table(title=f"Track record by {by} · guild {guild}", title_justify="left")
    table.add_column(by, overflow="fold", ratio=1)
    table.add_column("resolved", justify="right", no_wrap=True)
    table.add_column("✓ / ½ / ✗", justify="right", no_wrap=True)
    table.add_column("correct", justify="right", no_wrap=True)
    table.add_column("Brier (n)", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            Text(_score_name(row.key, by)),
            str(row.resolved),
            f"{row.correct} / {row.partly} / {row.wrong}",
            f"{row.share_correct:.0%}" if row.share_correct is not None else "–",
            f"{row.brier:.3f} ({row.with_probability})" if row.brier is not None else "–",
        )
    out.print(table)
    _plain(
        out,
        "correct: share of judged forecasts that came true (partly counts half; can't-tell is"
        " resolved but not judged; withdrawn ones are left out). Brier: mean (probability −"
        " outcome)² where a probability was given; 0 is perfect, 0.25 is a coin flip.",
    )
    return 0


# --- the demo ----------------------------------------------------------------------------------

# The demo's "now" is this long after the newest sample post, and "coming due" looks this far ahead.
DEMO_OFFSET = timedelta(days=14)
DEMO_COMING_DAYS = 30


def demo_reference_time(results: Sequence[IngestResult], zone: ZoneInfo) -> datetime | None:
    """The demo's "now": local midnight `DEMO_OFFSET` after the newest dated sample post.

    It is derived from the samples, not from the wall clock, so every run (today or in a year)
    tells the same story: the short-range forecasts of `05_year_end_checklist.txt` (dated
    2025-12-19: "다음 주", "연말까지", "1월 8일", "1월 중순", "January 23"…) and the year-end
    calls of the other samples fall on both sides of it — some overdue, some coming due within
    `DEMO_COMING_DAYS`. None when no sample carries a date."""
    days = [result.published.astimezone(zone).date() for result in results if result.published]
    if not days:
        return None
    return datetime.combine(max(days) + DEMO_OFFSET, time(0, 0), tzinfo=zone)


@dataclass(frozen=True)
class PreviewedMessage:
    """An outbox message the preview would have delivered, and when."""

    at: datetime
    message: OutboxMessage
    text: str  # as the terminal bot prints it


class PreviewTransport:
    """A transport that delivers nothing: it renders each message the way the terminal bot
    would print it and keeps it for the preview."""

    def __init__(self, services: Services) -> None:
        from digests.commands.handlers import Commands  # loads matplotlib; only for the demo
        from digests.commands.replies import reply_as_text

        self._render = reply_as_text
        self._commands = Commands(services)
        self._clock = services.clock
        self.messages: list[PreviewedMessage] = []

    async def deliver(self, delivery: Delivery) -> None:
        """Record the message instead of sending it (a grouped one once per forecast, so the
        preview lists every reminder)."""
        for message in delivery.messages:
            reply = await self._commands.render_delivery(message.body, message.late)
            self.messages.append(PreviewedMessage(self._clock.now(), message, self._render(reply)))


def _copy_database(source: str, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API; WAL-safe)."""
    with (
        contextlib.closing(sqlite3.connect(source)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)


async def preview_reminders(
    services: Services, guild: int, now: datetime, horizon: timedelta
) -> list[PreviewedMessage]:
    """The messages the reminder sweep would send for `guild` at `now` and over `horizon` after
    it — without sending anything and without touching the real database.

    Why a throwaway copy: a sweep is not a read. In the same transactions as it queues outbox
    rows it marks forecasts due and records follow-up stages, and draining marks rows sent. Run on
    the real database with a made-up clock, that would leave reminders queued (their dedupe keys
    taken) or marked sent that nobody received, so a later real bot run would never send them.
    Rebuilding the messages by hand would duplicate the sweep's rules and drift from them. So the
    database is copied with SQLite's online backup API into a temporary folder, and the real sweep
    and the real outbox sender run there on a ManualClock with a transport that only records; the
    copy is deleted afterwards and the real database is never written.

    The clock is first set to `now` — the backlog: forecasts already past due, marked late as
    they would be after the bot was offline — and then stepped to every moment in the horizon
    when something falls due (a forecast's window closing, a follow-up nudge), so the coming
    reminders appear at the time a running bot would send them."""
    with tempfile.TemporaryDirectory(prefix="hindsight-preview-") as folder:
        copy = Path(folder) / "preview.db"
        await asyncio.to_thread(_copy_database, services.settings.database_path, copy)
        settings = services.settings.model_copy(update={"database_url": f"sqlite:///{copy}"})
        clock = ManualClock(now)
        async with await Services.open(
            settings, clock, analyzer=services.analysis.analyzer
        ) as preview:
            transport = PreviewTransport(preview)
            sender = preview.sender(transport)
            end = now + horizon
            stages = preview.reminders.followup_days(await preview.store.guilds.get(guild))
            moments: set[datetime] = set()
            for status in ("open", "due"):
                page = 0
                while True:
                    batch = await preview.ledger.list(
                        guild, status=status, page=page, page_size=500
                    )
                    for forecast in batch:
                        if forecast.due_at is None:
                            continue
                        for stage in (0, *stages):
                            moment = forecast.due_at + timedelta(days=stage)
                            if now < moment < end:
                                moments.add(moment)
                    if len(batch) < 500:
                        break
                    page += 1
            for moment in [now, *sorted(moments)]:
                clock.set(moment)
                await preview.reminders.sweep({guild})
                while (await sender.drain({guild}, limit=100)).sent:
                    pass
    return transport.messages


def _preview_line(item: PreviewedMessage, zone: ZoneInfo, with_time: bool) -> str:
    """One short line per message: when, what kind, where (unless the guild's channel), which."""
    message = item.message
    kind = {"reminder": "due", "followup": "follow-up", "snooze": "snooze over"}.get(
        message.kind, message.kind
    )
    if message.kind == "followup":
        kind += f" +{message.payload.get('stage')}d"
    if message.late:
        kind += " (late)"
    where = ""
    if message.destination == "user":
        where = f" → DM user {message.destination_id}"
    elif message.destination_id is not None:
        where = f" → #channel {message.destination_id}"
    forecast = message.payload.get("forecast")
    what = (
        f"#{forecast.get('id')} {clip(str(forecast.get('claim') or ''), 56)}"
        if isinstance(forecast, dict)
        else clip(str(message.payload.get("title") or ""), 56)
    )
    local = item.at.astimezone(zone)
    when = local.strftime("%Y-%m-%d" if (local.hour, local.minute) == (0, 0) else "%Y-%m-%d %H:%M")
    return f"  {when + '  ' if with_time else ''}{kind:<18}{where} {what}"


def _print_preview(
    out: Console, messages: list[PreviewedMessage], now: datetime, zone: ZoneInfo, days: int
) -> None:
    backlog = [item for item in messages if item.at == now]
    coming = [item for item in messages if item.at != now]
    stamp = f"{now.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"
    _plain(
        out,
        "A dry run of the reminder sweep on a throwaway copy of the database: nothing is sent"
        " and the real outbox is left as it was.",
    )
    if any(
        m.message.destination == "channel" and m.message.destination_id is None for m in messages
    ):
        _plain(
            out,
            "No reminder channel is set yet, so on Discord these wait until a moderator picks"
            " one (/settings reminder_channel); the terminal bot prints them.",
        )
    if backlog:
        _plain(out, f"\nAt {stamp}, already past due — late, as after the bot was offline:")
        for item in backlog:
            _plain(out, _preview_line(item, zone, with_time=False))
    else:
        _plain(out, f"\nAt {stamp}: nothing past due is waiting for a reminder.")
    if coming:
        _plain(out, f"\nOver the next {days} days, as the running bot would send them:")
        for item in coming:
            _plain(out, _preview_line(item, zone, with_time=True))
    else:
        _plain(out, f"\nNothing else falls due in the next {days} days.")
    if not messages:
        _plain(out, "\nNo reminders would be sent.")
        return
    example = next((item for item in coming if item.message.kind == "reminder"), messages[0])
    _plain(out, "\nOne of them as the terminal bot prints it:")
    _plain(out, "\n".join(f"  │ {line}" for line in example.text.splitlines()))
    kinds = [item.message.kind for item in messages]
    due, followups = kinds.count("reminder"), kinds.count("followup")
    other = f", {len(kinds) - due - followups} other" if len(kinds) > due + followups else ""
    _plain(
        out,
        f"\n{len(messages)} reminders would be sent: {due} due, {followups} follow-ups{other}.",
    )


async def command_demo(services: Services, args: argparse.Namespace, out: Console) -> int:
    """The demo main job: ingest the bundled samples (posts already stored are skipped), list the
    stored posts, then show the digest as of a reference time derived from the samples — with
    forecasts coming due and overdue — and the reminders the bot would send around it."""
    settings = services.settings
    guild = settings.default_guild_id
    out.print(f"Hindsight demo · database {settings.database_shown}", markup=False)
    status, report = await _ingest(services, [str(SAMPLES)], guild, None, out)
    out.print("\nStored posts:")
    args.guild, args.json, args.limit = guild, False, 20
    await command_posts(services, args, out)

    zone = ZoneInfo(await services.digests.builder.timezone_of(guild))
    now = demo_reference_time(report.results, zone)
    if now is None:
        _plain(out, "\nNo sample post carries a date, so there is no digest to show.")
        return status
    first = min(result.published for result in report.results if result.published)
    start = datetime.combine(first.astimezone(zone).date(), time(0, 0), tzinfo=zone)
    digest = await services.digests.builder.build(
        guild, start, now, coming_days=DEMO_COMING_DAYS, now=now
    )
    stamp = f"{now.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"
    out.print()
    out.rule(f"Digest as of {stamp}", style="cyan")
    _plain(
        out,
        f"The demo's 'now' is {DEMO_OFFSET.days} days after the newest sample post (not today's"
        " date), so every run shows forecasts both coming due and overdue.\n",
    )
    _plain(out, render_text(digest))
    out.print()
    out.rule("Reminders that would be sent", style="cyan")
    if settings.is_postgresql:
        # The preview runs the real sweep on a throwaway copy of the SQLite file; a shared
        # PostgreSQL database is never copied (nor written with a made-up clock).
        _plain(out, "The preview copies the SQLite file; it is skipped on PostgreSQL.")
        return status
    if settings.database_path == ":memory:":
        _plain(out, "The preview copies the database file; an in-memory database has none.")
        return status
    messages = await preview_reminders(services, guild, now, timedelta(days=DEMO_COMING_DAYS))
    _print_preview(out, messages, now, zone, DEMO_COMING_DAYS)
    return status


def _print_analysis(out: Console, analyses: list[PostAnalysis]) -> None:
    for analysis in analyses:
        post = analysis.post
        day = post.published.date().isoformat() if post.published else "date unknown"
        out.rule(clip(post.title, 90), style="cyan")
        out.print(f"{day} · {post.author or 'author unknown'} · {post.lang}", markup=False)
        if analysis.summary:
            out.print("[bold]Summary[/bold]")
            for sentence in analysis.summary:
                out.print(f"  • {clip(sentence, 200)}", markup=False)
        if analysis.themes:
            out.print(
                "[bold]Themes[/bold]  " + ", ".join(label for label, _ in analysis.themes),
                highlight=False,
            )
        for quote in analysis.quotes:
            out.print(
                f"[bold]Quote[/bold]  “{clip(quote.text, 160)}” — {quote.speaker or 'unknown speaker'}",
                highlight=False,
            )
        if analysis.forecasts:
            table = Table(title="Forecasts", expand=True, box=None, pad_edge=False)
            table.add_column("due", no_wrap=True)
            table.add_column("time", max_width=14)
            table.add_column("kind/hedge", no_wrap=True)
            table.add_column("conf", no_wrap=True)
            table.add_column("claim", ratio=3)
            table.add_column("speaker", max_width=14)
            for forecast in analysis.forecasts:
                due = (
                    f"{forecast.due_start}…{forecast.due_end}"
                    if forecast.due_start and forecast.due_start != forecast.due_end
                    else str(forecast.due_end or "undated")
                )
                table.add_row(
                    due,
                    forecast.timex or "",
                    f"{forecast.kind}/{forecast.hedge}",
                    f"{forecast.confidence:.2f}",
                    clip(forecast.claim, 120),
                    forecast.speaker or "",
                )
            out.print(table)


async def command_analyze(settings: Settings, args: argparse.Namespace, out: Console) -> int:
    """Analyse a document without storing it; print a report or the JSON contract."""
    published = _published_argument(settings, args.published)
    path = Path(args.file)
    document = load_file(path, settings.timezone, settings.max_document_bytes)
    posts = build_posts(document, settings.default_guild_id, settings.timezone, published)
    today = SystemClock().now().astimezone(settings.timezone).date()
    if published is None and any(post.published is None for post in posts):
        Console(stderr=True).print(
            f"note: {path} has posts without a date; relative dates are read as of {today}."
            " Pass --published YYYY-MM-DD to set it.",
            markup=False,
            highlight=False,
        )
    analyses = await asyncio.to_thread(Analyzer().analyze, posts, default_anchor=today)
    if not any(analysis.sentences for analysis in analyses):
        raise InputError(str(path), "no sentences to analyse")
    if args.json:
        print(Analyzer.report(analyses).model_dump_json(indent=2))
    else:
        _print_analysis(out, analyses)
    return 0


async def command_explain(settings: Settings, args: argparse.Namespace, out: Console) -> int:
    """Print, per sentence, why it was (not) taken as a dated forecast."""
    if (args.file is None) == (args.text is None):
        raise InputError("explain", "give a FILE or --text TEXT (one of them)")
    published = _published_argument(settings, args.published)
    if args.file is not None:
        path = Path(args.file)
        document = load_file(path, settings.timezone, settings.max_document_bytes)
    else:
        document = pasted_document(args.text, settings.max_document_bytes, "--text")
    posts = build_posts(document, settings.default_guild_id, settings.timezone, published)
    today = SystemClock().now().astimezone(settings.timezone).date()
    analyses = await asyncio.to_thread(Analyzer().analyze, posts, default_anchor=today, trace=True)
    for line in explain_analyses(analyses, every_sentence=args.all):
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    return 0


async def command_evaluate(settings: Settings, args: argparse.Namespace, out: Console) -> int:
    """Score the pipeline against a labelled set in the format of shared/gold."""
    gold, docs = Path(args.gold), Path(args.docs)
    if not await asyncio.to_thread(gold.is_file):
        raise InputError(str(gold), "no such labels file")
    if not await asyncio.to_thread(docs.is_dir):
        raise InputError(str(docs), "no such folder of documents")
    report = await asyncio.to_thread(
        evaluate, gold, docs, Analyzer(), settings.timezone, explain=args.verbose
    )
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return 0
    totals = report.as_dict()
    out.print(
        f"required forecasts found with the right date: {totals['found_with_right_date']}/"
        f"{totals['required_predictions']} (recall {totals['recall']:.3f})",
        highlight=False,
    )
    out.print(
        f"dated items correct: {totals['correct']}/{totals['dated_items_counted']}"
        f" (precision {totals['precision']:.3f}); not-predictions emitted: {totals['not_predictions_emitted']}",
        highlight=False,
    )
    out.print(
        f"quote speakers: {totals['quote_speakers_correct']}/{totals['quotes']};"
        f" theme hits: {totals['theme_hits']}/{totals['themes']};"
        f" posts: {totals['posts_found']}/{totals['posts_expected']}",
        highlight=False,
    )
    if args.verbose:
        for document in report.documents:
            out.print(
                f"— {document.file}: {document.found_required}/{document.required} found,"
                f" {document.correct}/{document.counted} correct",
                markup=False,
            )
            for line in document.misses:
                out.print(f"    missed: {line}", markup=False, soft_wrap=True)
            for line in document.false_positives:
                out.print(f"    wrong:  {line}", markup=False, soft_wrap=True)
            for line in (
                document.not_prediction_hits + document.quote_errors + document.post_metadata_errors
            ):
                out.print(f"    note:   {line}", markup=False)
    return 0


async def command_migrate_store(settings: Settings, args: argparse.Namespace, out: Console) -> int:
    """Move the whole ledger from one store to an empty other; print per-table counts."""
    counts = await migrate_store(args.source, args.target)
    width = max(len(count.table) for count in counts)
    _plain(out, f"{'table'.ljust(width)}  {'from':>9}  {'to':>9}")
    for count in counts:
        _plain(out, f"{count.table.ljust(width)}  {count.source:>9}  {count.target:>9}")
    total = sum(count.target for count in counts)
    _plain(out, f"moved {total} rows in {len(counts)} tables; every count matches")
    return 0


COMMANDS = {
    "ingest": command_ingest,
    "posts": command_posts,
    "demo": command_demo,
    "digest": command_digest,
    "scoreboard": command_scoreboard,
}
OFFLINE_COMMANDS = {
    "analyze": command_analyze,
    "explain": command_explain,
    "evaluate": command_evaluate,
    "migrate-store": command_migrate_store,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m digests", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="store posts from files, folders or URLs")
    ingest.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    ingest.add_argument(
        "--published", metavar="YYYY-MM-DD", help="date for posts whose own date is unknown"
    )
    ingest.add_argument("--guild", type=int, help="guild (server) id; default from settings")
    posts = sub.add_parser("posts", help="list stored posts")
    posts.add_argument("--guild", type=int)
    posts.add_argument("--json", action="store_true")
    posts.add_argument("--limit", type=int, default=100)
    _add_posts_date_parser(posts)
    sub.add_parser(
        "demo", help="ingest data/samples, then show a digest and the reminders it would send"
    )
    digest = sub.add_parser("digest", help="the digest of the last N days")
    digest.add_argument("--guild", type=int, help="guild (server) id; default from settings")
    digest.add_argument(
        "--days", metavar="N", help="days covered, up to now (default: DIGEST_DEFAULT_DAYS)"
    )
    digest.add_argument(
        "--coming-days",
        metavar="N",
        help=f"how far ahead 'coming due' looks (default {DEFAULT_COMING_DAYS})",
    )
    digest.add_argument("--format", default="text", metavar="text|md|json")
    digest.add_argument("--chart", metavar="FILE", help="also write the digest's chart as PNG")
    digest.add_argument(
        "--now",
        metavar="ISO",
        help="reference time with a UTC offset, e.g. 2026-01-02T09:00+09:00 (default: now)",
    )
    scoreboard = sub.add_parser(
        "scoreboard", help="track record per source, author or speaker (share correct, Brier)"
    )
    scoreboard.add_argument("--guild", type=int, help="guild (server) id; default from settings")
    scoreboard.add_argument("--by", default="source", metavar="source|author|speaker")
    scoreboard.add_argument("--limit", metavar="N", help=f"rows shown (default {SCOREBOARD_LIMIT})")
    scoreboard.add_argument("--json", action="store_true")
    analyze = sub.add_parser("analyze", help="analyse a document without storing it")
    analyze.add_argument("file", metavar="FILE")
    analyze.add_argument(
        "--published", metavar="YYYY-MM-DD", help="date for posts whose own date is unknown"
    )
    analyze.add_argument("--json", action="store_true", help="print the JSON contract")
    explain = sub.add_parser(
        "explain", help="why each sentence was (not) taken as a dated forecast"
    )
    explain.add_argument("file", metavar="FILE", nargs="?")
    explain.add_argument("--text", metavar="TEXT", help="explain this text instead of a file")
    explain.add_argument(
        "--published", metavar="YYYY-MM-DD", help="date for posts whose own date is unknown"
    )
    explain.add_argument(
        "--all", action="store_true", help="list every sentence, not only those with dates"
    )
    evaluate_parser = sub.add_parser(
        "evaluate", help="score the analysis against labelled documents"
    )
    evaluate_parser.add_argument("--gold", required=True, metavar="FILE")
    evaluate_parser.add_argument("--docs", required=True, metavar="DIR")
    evaluate_parser.add_argument("--json", action="store_true")
    evaluate_parser.add_argument(
        "-v", "--verbose", action="store_true", help="list misses and wrong items"
    )
    migrate = sub.add_parser(
        "migrate-store",
        help="copy the whole ledger into a new, empty store (SQLite or PostgreSQL)",
        description="Copy every table (ids kept) from one store into an empty other, in one"
        " transaction on the target, and compare the counts of every table. Stop the bot"
        " first. URLs: sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DATABASE.",
    )
    migrate.add_argument("--from", dest="source", required=True, metavar="URL")
    migrate.add_argument("--to", dest="target", required=True, metavar="URL")
    return parser


async def run(argv: Sequence[str], settings: Settings | None = None) -> int:
    """Parse arguments and run one command; domain errors become one clear line."""
    args = build_parser().parse_args(argv)
    out = Console(highlight=False)
    try:
        settings = settings or load_settings()
        if args.command in OFFLINE_COMMANDS:
            return await OFFLINE_COMMANDS[args.command](settings, args, out)
        async with await Services.open(settings) as services:
            return await COMMANDS[args.command](services, args, out)
    except HindsightError as error:
        _note(f"error: {error.user_message}")
        return 2


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(run(list(sys.argv[1:] if argv is None else argv))))
