"""Benchmark: analysis throughput against raw Kiwi batch tokenization of the same text.

Builds at least 1 MB of post text from the seed documents (each copy with its own numbers so
nothing is cached), then measures in one process:
  - Kiwi batch tokenization of the posts' paragraphs (the floor any Korean analysis pays);
  - the whole analysis pipeline (sentences, themes, summaries, quotes, forecasts);
and prints chars/s for both, their ratio, the number of Kiwi loads and the peak RSS.

Usage: python scripts/bench_analysis.py [--seeds ../shared/seeds] [--megabytes 1.0] [--repeat 3]

Measured on the 2-core machine: 1 MB of seed posts, analysis 1.3-1.4x Kiwi's tokenization;
peak RSS 735 MB with Kiwi's multi-word dictionary, 553 MB without it (load_multi_dict=False).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digests.analysis import kiwi as kiwi_module  # noqa: E402
from digests.analysis.pipeline import Analyzer  # noqa: E402
from digests.ingest.documents import build_posts  # noqa: E402
from digests.ingest.loaders import expand_inputs, load_file  # noqa: E402
from digests.models import Post  # noqa: E402


def corpus(seeds: Path, megabytes: float) -> list[Post]:
    """Seed posts repeated (with shifted numbers, so copies differ) until the size is reached."""
    zone = ZoneInfo("Asia/Seoul")
    base: list[Post] = []
    for path in expand_inputs(seeds):
        base.extend(build_posts(load_file(path, zone, 5_000_000), 0, zone))
    posts: list[Post] = []
    total, copy = 0, 0
    while total < megabytes * 1_000_000:
        for post in base:
            text = post.text.replace("2", str(2 + copy % 7)) if copy else post.text
            posts.append(
                post.model_copy(
                    update={"text": text, "content_hash": f"{copy}-{post.content_hash}"}
                )
            )
            total += len(text)
        copy += 1
    return posts


def best_of(repeat: int, action) -> float:
    """The fastest of `repeat` runs, in seconds."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    posts = corpus(args.seeds, args.megabytes)
    chars = sum(len(post.text) for post in posts)
    paragraphs = [line for post in posts for line in post.text.split("\n") if line.strip()]
    kiwi = kiwi_module.get_kiwi()
    analyzer = Analyzer()
    # Warm up both paths once (first calls pay for allocation and caches).
    list(kiwi.tokenize(paragraphs[:200]))
    analyzer.analyze(posts[:5], default_anchor=date(2025, 1, 1))

    kiwi_seconds = best_of(args.repeat, lambda: list(kiwi.tokenize(paragraphs)))
    analysis_seconds = best_of(
        args.repeat, lambda: analyzer.analyze(posts, default_anchor=date(2025, 1, 1))
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"text:            {chars:,} characters in {len(posts):,} posts")
    print(f"kiwi tokenize:   {kiwi_seconds:6.2f} s  {chars / kiwi_seconds:10,.0f} chars/s")
    print(f"whole analysis:  {analysis_seconds:6.2f} s  {chars / analysis_seconds:10,.0f} chars/s")
    print(f"ratio:           {analysis_seconds / kiwi_seconds:6.2f} x (target <= 2.00)")
    print(f"kiwi loads:      {kiwi_module.load_count()}")
    print(f"peak RSS:        {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
