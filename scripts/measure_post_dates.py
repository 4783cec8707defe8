"""How well post dates are read, and what an unknown date does to a post's forecasts.

Against the labelled sets (tests/fixtures/analysis/*/gold.json, and ../shared/gold/seeds.json
when present), whose gold labels give every post's publication date:

1. dates: each post's date as ingestion reads it (no fallback) — right, wrong or unknown.
2. unknown date: every post analysed as if its date were unknown and it were ingested DAYS
   after it was written. Before: every window read as of the ingest day. Now: forecasts whose
   due date depends on the post's date are held (needs-date); the others are tracked. Each
   tracked due date is compared with the one the true date gives.

    .venv/bin/python scripts/measure_post_dates.py [--days 365] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from digests.analysis.anchoring import anchored_forecasts  # noqa: E402
from digests.analysis.pipeline import Analyzer  # noqa: E402
from digests.ingest.documents import build_posts  # noqa: E402
from digests.ingest.loaders import load_file  # noqa: E402

ZONE = ZoneInfo("Asia/Seoul")


def labelled_sets() -> list[tuple[Path, Path]]:
    """(gold file, documents folder) of every labelled set found."""
    sets = [
        (gold, gold.parent / "docs")
        for gold in sorted((REPO / "tests" / "fixtures" / "analysis").glob("*/gold.json"))
    ]
    seeds = REPO.parent / "shared" / "gold" / "seeds.json"
    if seeds.is_file():
        sets.append((seeds, REPO.parent / "shared" / "seeds"))
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=365, help="ingested this long after writing")
    parser.add_argument("--verbose", action="store_true", help="list unknown and wrong dates")
    args = parser.parse_args()
    analyzer = Analyzer()
    right = wrong = unknown = 0
    before_right = before_total = tracked = tracked_right = held = views = later = 0
    notes: list[str] = []
    for gold_file, docs in labelled_sets():
        gold = json.loads(gold_file.read_text("utf-8"))
        for entry in gold["documents"]:
            document = load_file(docs / entry["file"], ZONE, 5_000_000)
            # Far enough ahead that no labelled date is "after ingestion".
            posts = build_posts(document, 0, ZONE, not_after=datetime(2100, 1, 1, tzinfo=ZONE))
            for post, labels in zip(posts, entry.get("posts", []), strict=False):
                truth = date.fromisoformat(labels["published"])
                read = post.published.date() if post.published else None
                if read is None:
                    unknown += 1
                    notes.append(f"unknown  {entry['file']}: {labels['published']}")
                elif read == truth:
                    right += 1
                else:
                    wrong += 1
                    notes.append(f"WRONG    {entry['file']}: {read} != {labels['published']}")
                undated = post.model_copy(update={"published": None})
                [true] = analyzer.analyze([undated], default_anchor=truth)
                [guess] = analyzer.analyze(
                    [undated], default_anchor=truth + timedelta(days=args.days)
                )
                true_due = {(f.text, f.timex): f.due_end for f in true.forecasts}
                waiting = anchored_forecasts(analyzer, guess)
                for index, forecast in enumerate(guess.forecasts):
                    if forecast.due_end is None:
                        views += 1
                        continue
                    correct = true_due.get((forecast.text, forecast.timex)) == forecast.due_end
                    before_total += 1
                    before_right += correct
                    if index in waiting:
                        held += 1
                    else:
                        tracked += 1
                        tracked_right += correct
                found = {(f.text, f.timex) for f in guess.forecasts}
                later += sum(
                    1
                    for f in true.forecasts
                    if f.due_end is not None and (f.text, f.timex) not in found
                )
    print(f"post dates read: {right} right, {wrong} wrong, {unknown} unknown")
    print(f"date unknown, ingested {args.days} days after writing:")
    print(f"  before: {before_right}/{before_total} due dates right (all read as of ingestion)")
    print(
        f"  now: {tracked_right}/{tracked} tracked due dates right; {held} held until the post"
        f" is dated; {views} undated views"
    )
    print(f"  found only once the post is dated (past as of ingestion): {later}")
    if args.verbose:
        print("\n".join(notes))


if __name__ == "__main__":
    main()
