"""`python -m digests`: ingest, list posts, and the demo main job, from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from digests.app import Services
from digests.errors import HindsightError, InputError
from digests.ingest.dates import parse_cli_date
from digests.ingest.loaders import expand_inputs
from digests.ingest.text import clip
from digests.models import IngestOutcome, IngestResult
from digests.settings import Settings

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"

logger = logging.getLogger("digests")


def _published_argument(settings: Settings, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_cli_date(value, settings.timezone)
    except ValueError as error:
        raise InputError("--published", str(error)) from error


def format_result(result: IngestResult) -> str:
    """One line for a stored or skipped post."""
    day = result.published.date().isoformat() if result.published else "date unknown"
    who = f" · {result.author}" if result.author else ""
    title = clip(result.title, 70)
    if result.outcome is IngestOutcome.STORED:
        extra = f" · {result.predictions} forecasts" if result.predictions else ""
        return f"stored   #{result.post_id:<5} {day}{who} · {title}{extra}  [{result.source}]"
    return f"skipped  #{result.post_id:<5} {title}: {result.reason}  [{result.source}]"


async def command_ingest(services: Services, args: argparse.Namespace, out: Console) -> int:
    """Ingest paths (and later URLs); print a line per post and per failed input."""
    published = _published_argument(services.settings, args.published)
    guild = args.guild if args.guild is not None else services.settings.default_guild_id
    total = 0
    for raw in args.inputs:
        try:
            total += len(expand_inputs(Path(raw)))
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
        report = await services.ingest.ingest_paths(
            args.inputs,
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
    return 1 if failures else 0


async def command_posts(services: Services, args: argparse.Namespace, out: Console) -> int:
    """List stored posts of a guild."""
    guild = args.guild if args.guild is not None else services.settings.default_guild_id
    posts = await services.store.posts.list(guild, limit=args.limit)
    if args.json:
        payload = [
            {
                "id": post.id,
                "title": post.title,
                "author": post.author,
                "published": post.published.isoformat() if post.published else None,
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


async def command_demo(services: Services, args: argparse.Namespace, out: Console) -> int:
    """The demo main job: ingest the bundled samples and show what was stored."""
    out.print(f"Hindsight demo · database {services.settings.database_url}")
    args.inputs = [str(SAMPLES)]
    args.published = None
    args.guild = None
    status = await command_ingest(services, args, out)
    out.print("\nStored posts:")
    args.json = False
    args.limit = 20
    await command_posts(services, args, out)
    return status


COMMANDS = {"ingest": command_ingest, "posts": command_posts, "demo": command_demo}


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
    sub.add_parser("demo", help="ingest data/samples and show the result")
    return parser


async def run(argv: Sequence[str], settings: Settings | None = None) -> int:
    """Parse arguments and run one command; domain errors become one clear line."""
    args = build_parser().parse_args(argv)
    out = Console(highlight=False)
    try:
        settings = settings or Settings()
        async with await Services.open(settings) as services:
            return await COMMANDS[args.command](services, args, out)
    except HindsightError as error:
        Console(stderr=True).print(f"error: {error.user_message}", markup=False, highlight=False)
        return 2


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(run(list(sys.argv[1:] if argv is None else argv))))
