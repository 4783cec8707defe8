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
from rich.table import Table

from digests.analysis.evaluate import evaluate
from digests.analysis.pipeline import Analyzer, PostAnalysis
from digests.app import Services
from digests.clock import SystemClock
from digests.errors import HindsightError, InputError
from digests.ingest.dates import parse_cli_date
from digests.ingest.documents import build_posts
from digests.ingest.loaders import expand_inputs, load_file
from digests.ingest.service import is_url
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
    """Ingest files, folders and URLs; print a line per post and per failed input."""
    published = _published_argument(services.settings, args.published)
    guild = args.guild if args.guild is not None else services.settings.default_guild_id
    total = 0
    for raw in args.inputs:
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


async def command_evaluate(settings: Settings, args: argparse.Namespace, out: Console) -> int:
    """Score the pipeline against a labelled set in the format of shared/gold."""
    gold, docs = Path(args.gold), Path(args.docs)
    if not await asyncio.to_thread(gold.is_file):
        raise InputError(str(gold), "no such labels file")
    if not await asyncio.to_thread(docs.is_dir):
        raise InputError(str(docs), "no such folder of documents")
    report = await asyncio.to_thread(evaluate, gold, docs, Analyzer(), settings.timezone)
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
                out.print(f"    missed: {line}", markup=False)
            for line in document.false_positives:
                out.print(f"    wrong:  {line}", markup=False)
            for line in (
                document.not_prediction_hits + document.quote_errors + document.post_metadata_errors
            ):
                out.print(f"    note:   {line}", markup=False)
    return 0


COMMANDS = {"ingest": command_ingest, "posts": command_posts, "demo": command_demo}
OFFLINE_COMMANDS = {"analyze": command_analyze, "evaluate": command_evaluate}


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
    analyze = sub.add_parser("analyze", help="analyse a document without storing it")
    analyze.add_argument("file", metavar="FILE")
    analyze.add_argument(
        "--published", metavar="YYYY-MM-DD", help="date for posts whose own date is unknown"
    )
    analyze.add_argument("--json", action="store_true", help="print the JSON contract")
    evaluate_parser = sub.add_parser(
        "evaluate", help="score the analysis against labelled documents"
    )
    evaluate_parser.add_argument("--gold", required=True, metavar="FILE")
    evaluate_parser.add_argument("--docs", required=True, metavar="DIR")
    evaluate_parser.add_argument("--json", action="store_true")
    evaluate_parser.add_argument(
        "--verbose", action="store_true", help="list misses and wrong items"
    )
    return parser


async def run(argv: Sequence[str], settings: Settings | None = None) -> int:
    """Parse arguments and run one command; domain errors become one clear line."""
    args = build_parser().parse_args(argv)
    out = Console(highlight=False)
    try:
        settings = settings or Settings()
        if args.command in OFFLINE_COMMANDS:
            return await OFFLINE_COMMANDS[args.command](settings, args, out)
        async with await Services.open(settings) as services:
            return await COMMANDS[args.command](services, args, out)
    except HindsightError as error:
        Console(stderr=True).print(f"error: {error.user_message}", markup=False, highlight=False)
        return 2


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(asyncio.run(run(list(sys.argv[1:] if argv is None else argv))))
