"""Benchmark: command latency, digest build and reminder sweep on a large ledger.

Seeds one SQLite file with the store's own schema (every migration applied, rows inserted
directly with executemany: analysing 100k real texts would take far too long), then measures
through the real services and the command layer:

  - every read command (and a few write commands) of `Commands`, p50/p95 per command, domain
    call plus reply rendering with `PlainFormatter`; charts are stubbed out there and measured
    on their own row (matplotlib, not the store);
  - the digest of a period holding ~5k posts of the big guild (`DigestBuilder.build` plus
    `render_markdown`; the chart separately);
  - the reminder sweep: the first one after opening, steady-state sweeps (clock +30 s, a handful
    come due each time) and the sweep just after a local midnight, when a day's windows close.

The seeded file is cached (keyed by sizes, seed, generator version and the migrations' text),
and each run works on a fresh copy of it, so re-runs are fast and see the same data.

Targets (issue): command p95 <= 50 ms, digest build <= 300 ms, sweep <= 100 ms.

Measured on the 2-core machine (p95, before -> after the bounded-work changes, same load):
themes 30d [big] 58 -> 17 ms; predictions list source rare [big] 91 -> 4 ms; complete sources
rare [big] 106 -> 4 ms (theme_periods and the forecast_sources trigram index, migration 0011).
The export of the big guild (210k forecasts) streams from a worker thread: the loop is never
blocked (it was for 7-14 s) and the process peaks at ~130 MB instead of 1.8 GB.

On PostgreSQL (`--database-url postgresql://USER:PASSWORD@HOST:PORT/NAME`): the SQLite seed
is copied once into a template database `NAME_seed_<key>` with `migrate-store`'s copy (timed,
then ANALYZE), and each run works on `NAME` freshly created from that template (the user needs
CREATEDB; NAME is dropped and recreated). Everything else is measured the same way.

Outbox throughput (`--outbox-rows N`, default 3000; 0 skips it): N due one-message-each
reminders are queued in a guild of their own, then drained by 1 and by 3 worker processes
(this script with `--outbox-worker`: the real `OutboxSender`, a transport that only counts);
sends per second from the moment all workers start to the last row marked sent.

Usage: python scripts/bench_ledger.py [--posts 100000 --forecasts 300000 --db PATH]
                                      [--iterations 40] [--json [PATH]] [--rebuild]
                                      [--only REGEX] [--keep] [--database-url URL]
                                      [--outbox-rows N] [--send-ms MS]
(`--only '^(?!export)'` skips the slow export rows.) The default cache lives under
$TMPDIR/hindsight-bench (about 1 GB at the default sizes; seeding takes one to two minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digests.app import Services  # noqa: E402
from digests.clock import ManualClock, SystemClock  # noqa: E402
from digests.commands import handlers as handlers_module  # noqa: E402
from digests.commands.handlers import Caller, Commands, vote_button_id  # noqa: E402
from digests.commands.replies import PlainFormatter  # noqa: E402
from digests.digest.chart import render_chart  # noqa: E402
from digests.digest.render import render_markdown  # noqa: E402
from digests.outbox_payloads import ForecastSnapshot, ReminderPayload  # noqa: E402
from digests.settings import Settings  # noqa: E402
from digests.store import Store  # noqa: E402
from digests.store.database import load_migrations, open_database  # noqa: E402
from digests.store.transfer import copy_ledger  # noqa: E402

GENERATOR_VERSION = 7
NOW = datetime(2025, 12, 15, 9, 0, 30, tzinfo=UTC)  # 18:00:30 in Seoul
SPAN_DAYS = 730
SWEEP_SECONDS = 30
TARGET_COMMAND_MS = 50.0
TARGET_DIGEST_MS = 300.0
TARGET_SWEEP_MS = 100.0

# Discord-sized ids (snowflakes), so rows and index entries have their real width.
GUILD_BASE = 1_190_000_000_000_000_000
USER_BASE = 400_000_000_000_000_000
# (guild id, share of the rows, timezone, feeds)
GUILDS = [
    (GUILD_BASE + 101, 0.70, "Asia/Seoul", 60),
    (GUILD_BASE + 102, 0.15, "Asia/Seoul", 20),
    (GUILD_BASE + 103, 0.10, "UTC", 12),
    (GUILD_BASE + 104, 0.05, "America/New_York", 6),
]
BIG, SMALL = GUILD_BASE + 101, GUILD_BASE + 104
MEMBERS = 5000
BENCH_USER = USER_BASE + 900_001  # the member running the commands (subscriptions, reminders)
MODERATOR = USER_BASE + 900_002


def member(n: int) -> int:
    """The id of the guild member numbered n."""
    return USER_BASE + n


FOLLOWUP_STAGES = (7, 30)

SYLLABLES = [
    "가",
    "나",
    "다",
    "라",
    "마",
    "바",
    "사",
    "아",
    "자",
    "차",
    "카",
    "타",
    "파",
    "하",
    "강",
    "경",
    "고",
    "관",
    "국",
    "금",
    "기",
    "대",
    "도",
    "동",
    "리",
    "무",
    "물",
    "미",
    "반",
    "발",
    "방",
    "보",
    "부",
    "산",
    "상",
    "서",
    "성",
    "소",
    "수",
    "시",
    "신",
    "안",
    "업",
    "연",
    "영",
    "원",
    "유",
    "인",
    "장",
    "전",
    "정",
    "제",
    "조",
    "주",
    "중",
    "지",
    "진",
    "채",
    "철",
    "체",
    "출",
    "통",
    "투",
    "판",
    "표",
    "한",
    "해",
    "행",
    "현",
    "화",
    "환",
    "회",
    "도체",
    "전지",
    "금리",
    "환율",
    "주가",
    "수출",
    "실적",
    "배당",
    "부채",
    "물가",
]
ENGLISH = [
    "AI",
    "Nvidia",
    "Broadcom",
    "Fed",
    "ECB",
    "OPEC",
    "Tesla",
    "Apple",
    "TSMC",
    "Samsung",
    "HBM",
    "ETF",
    "GDP",
    "CPI",
    "IPO",
    "SaaS",
    "Cloud",
    "Bitcoin",
    "Ethereum",
    "Yen",
    "Dollar",
    "Euro",
    "Oil",
    "Gold",
    "Copper",
    "Lithium",
    "Nickel",
    "Chip",
    "Memory",
    "Foundry",
]
FILLER = [
    "시장에서는 이번 발표가 예상보다 강했다는 평가가 나온다.",
    "업계 관계자는 하반기 수요가 회복될 것이라고 말했다.",
    "전문가들은 변동성이 당분간 이어질 수 있다고 지적했다.",
    "회사는 올해 투자 계획을 유지한다고 밝혔다.",
    "지난 분기 실적은 시장 기대치를 소폭 웃돌았다.",
    "The company said demand stayed strong across regions.",
    "Analysts expect margins to improve next year.",
    "정부는 관련 규제를 검토하고 있다고 설명했다.",
    "수출 물량은 전년 대비 두 자릿수 증가했다.",
    "투자자들은 다음 달 발표될 지표에 주목하고 있다.",
]
CLAIM_TEMPLATES = [
    "{a} 가격이 {year}년 말까지 {n}% 오를 것",
    "{a} 수요가 {year}년 상반기에 회복될 것",
    "{a}와 {b}의 점유율이 {year}년까지 {n}%를 넘을 것",
    "{a} 매출이 {year}년에 {n}조 원을 돌파할 것",
    "{a} will beat estimates by {n}% in {year}",
    "{a} 금리가 {year}년 {n}월에 인하될 것",
]
OUTCOMES = ["correct"] * 45 + ["wrong"] * 35 + ["partly"] * 12 + ["unknown"] * 5 + ["withdrawn"] * 3


# --- seeding --------------------------------------------------------------------------------


def migrations_hash(dialect: str = "sqlite", versions: set[int] | None = None) -> str:
    """A hash of the engine's migration files (only `versions`, when given)."""
    digest = hashlib.sha256()
    for migration in load_migrations(dialect):
        if versions is not None and migration.version not in versions:
            continue
        digest.update(migration.name.encode())
        digest.update(migration.sql.encode())
    return digest.hexdigest()[:12]


def default_db(posts: int, forecasts: int, seed: int) -> Path:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / "hindsight-bench"
    return (
        folder
        / f"ledger-p{posts}-f{forecasts}-s{seed}-g{GENERATOR_VERSION}-m{migrations_hash()}.db"
    )


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


def make_labels(rng: random.Random, count: int) -> list[str]:
    labels: list[str] = []
    seen: set[str] = set()
    english = max(1, count // 10)
    while len(labels) < count - english:
        label = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4))))
        if label not in seen:
            seen.add(label)
            labels.append(label)
    while len(labels) < count:
        base = rng.choice(ENGLISH)
        label = (
            base if base not in seen else f"{base} {rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}"
        )
        if label not in seen:
            seen.add(label)
            labels.append(label)
    rng.shuffle(labels)
    return labels


def make_names(rng: random.Random, count: int) -> list[str]:
    family = [
        "김",
        "이",
        "박",
        "최",
        "정",
        "강",
        "조",
        "윤",
        "장",
        "임",
        "한",
        "오",
        "서",
        "신",
        "권",
        "황",
        "안",
        "송",
        "류",
        "홍",
    ]
    names: set[str] = set()
    while len(names) < count:
        names.add(rng.choice(family) + rng.choice(SYLLABLES[:60]) + rng.choice(SYLLABLES[:60]))
    return sorted(names)


@dataclass
class SeedInfo:
    """What the benchmark needs to know about the seeded rows (kept beside the cached file)."""

    posts: int = 0
    forecasts: int = 0
    digest_days: int = 0
    popular_labels: list[str] = field(default_factory=list)
    rare_labels: list[str] = field(default_factory=list)
    speakers_common: list[str] = field(default_factory=list)
    speakers_rare: list[str] = field(default_factory=list)
    feed_hosts: list[str] = field(default_factory=list)
    midnight_due: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    planted: list[list[int]] = field(default_factory=list)  # [forecast id, due moment] to plant
    build_seconds: float = 0.0


def build_seed(path: Path, n_posts: int, n_forecasts: int, seed: int) -> SeedInfo:
    """Create the seeded database at `path` (schema from the migrations, rows via executemany)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    con = sqlite3.connect(tmp, isolation_level=None)
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -400000")
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for migration in load_migrations():
        con.executescript(
            "BEGIN;\n"
            + migration.sql
            + "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES "
            + f"({migration.version}, '{migration.name}', datetime('now'));\nCOMMIT;"
        )

    labels = make_labels(rng, 3000)
    # Zipf-like with a flattened head: the commonest theme is on ~15% of a guild's posts.
    weights = [1.0 / (rank + 8) for rank in range(len(labels))]
    cumulative: list[float] = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    speakers = make_names(rng, 500)
    speaker_weights = [1.0 / (rank + 1) for rank in range(len(speakers))]
    authors = make_names(random.Random(seed + 1), 800)
    zones = {guild: ZoneInfo(zone) for guild, _, zone, _ in GUILDS}
    start = NOW - timedelta(days=SPAN_DAYS)
    info = SeedInfo()

    def guild_counts(total_rows: int) -> dict[int, int]:
        counts = {guild: int(total_rows * share) for guild, share, _, _ in GUILDS}
        counts[BIG] += total_rows - sum(counts.values())
        return counts

    # feeds
    feed_rows, feeds_of = [], {}
    feed_id = 0
    for guild, _, _, n_feeds in GUILDS:
        feeds_of[guild] = []
        for index in range(n_feeds):
            feed_id += 1
            url = f"https://news{index}.g{guild % 1000}.example.com/rss"
            feeds_of[guild].append((feed_id, url))
            failing = index % 17 == 5
            feed_rows.append(
                (
                    feed_id, guild, url, f"뉴스 {index} ({guild % 1000})", 5000 + guild, "moderator",
                    None, None, ts(start), ts(NOW - timedelta(minutes=10)),
                    ts(NOW - timedelta(minutes=10 if not failing else 600)),
                    ts(NOW + timedelta(minutes=20)), 3 if failing else 0,
                    ts(NOW - timedelta(hours=10)) if failing else None,
                    "HTTP 503" if failing else None, None, None,
                )
            )  # fmt: skip
    con.executemany(f"INSERT INTO feeds VALUES ({','.join('?' * 17)})", feed_rows)
    info.feed_hosts = [url.split("/")[2] for _, url in feeds_of[BIG][:5]]

    # posts (ids follow ingestion order, as in real use)
    post_counts = guild_counts(n_posts)
    post_meta: list[tuple[int, int, int, str, str | None, str | None, list[str]]] = []
    drafts = []
    for guild, count in post_counts.items():
        for _ in range(count):
            # Activity grows over the two years (more posts recently).
            age = SPAN_DAYS * (1 - rng.random() ** 0.8)
            published = NOW - timedelta(days=age, seconds=rng.randint(60, 3600))
            ingested = published + timedelta(seconds=rng.randint(60, 3 * 86400))
            ingested = min(ingested, NOW - timedelta(seconds=30))
            drafts.append((ts(ingested), guild, published))
    drafts.sort(key=lambda draft: draft[0])
    posts_rows = []
    themes_rows, terms_rows, analysis_rows, quote_rows, entry_rows = [], [], [], [], []
    for post_id, (ingested_ts, guild, published) in enumerate(drafts, start=1):
        zone = zones[guild]
        roll = rng.random()
        if roll < 0.80:
            fid, feed_url = rng.choice(feeds_of[guild])
            source, kind = feed_url, "feed"
            url = f"https://{feed_url.split('/')[2]}/articles/{post_id}"
            entry_rows.append((guild, fid, url, post_id, 1, ingested_ts))
        elif roll < 0.95:
            url = f"https://site{rng.randint(1, 400)}.example.org/p/{post_id}"
            source, kind = url, "url"
        else:
            url, source, kind = None, "pasted text", "text"
        undated = rng.random() < 0.05
        published_at = None if undated else published.astimezone(zone).isoformat()
        published_ts = None if undated else ts(published)
        chosen: list[str] = []
        while len(chosen) < 8:
            label = rng.choices(labels, cum_weights=cumulative)[0]
            if label not in chosen:
                chosen.append(label)
        title = f"{chosen[0]} {chosen[1]} 전망: {rng.choice(FILLER)[:30]}"
        body = [f"{chosen[i % 8]} 관련 {rng.choice(FILLER)}" for i in range(rng.randint(4, 16))]
        text = "\n".join(body)
        author = None if rng.random() < 0.1 else rng.choice(authors)
        posts_rows.append(
            (
                post_id, guild, source, kind, url, title, author, published_at, published_ts,
                "ko", text, hashlib.sha1(f"{seed}:{post_id}".encode()).hexdigest(), ingested_ts,
                "unknown" if undated else "metadata",  # published_source (migration 0007)
            )
        )  # fmt: skip
        for rank, label in enumerate(chosen):
            themes_rows.append((guild, post_id, rank, label, round(1.0 - rank * 0.1, 3)))
        extra = [label for label in rng.sample(labels, 6) if label not in chosen][:4]
        for position, label in enumerate(chosen + extra):
            terms_rows.append((guild, post_id, label, rng.randint(1, 9), int(position < 2),
                               position / 12, int(label in ENGLISH)))  # fmt: skip
        summary = json.dumps(body[:3], ensure_ascii=False)
        analysis_rows.append((post_id, guild, summary, published.date().isoformat(), ingested_ts))
        for position in range(rng.choice((0, 0, 1, 1, 2, 2, 3))):
            speaker = (
                rng.choices(speakers, weights=speaker_weights)[0] if rng.random() < 0.7 else None
            )
            quote = f"{chosen[position]} 시장은 {rng.choice(FILLER)}"
            quote_rows.append(
                (guild, post_id, position, quote, speaker, f"그는 “{quote}”라고 말했다.")
            )
        post_meta.append((post_id, guild, ingested_ts, title, url, author, chosen))
    con.execute("BEGIN")
    con.executemany(f"INSERT INTO posts VALUES ({','.join('?' * 14)})", posts_rows)
    con.executemany(
        "INSERT INTO post_themes (guild_id, post_id, rank, label, score) VALUES (?, ?, ?, ?, ?)",
        themes_rows,
    )
    con.executemany("INSERT INTO post_terms VALUES (?, ?, ?, ?, ?, ?, ?)", terms_rows)
    con.executemany("INSERT INTO post_analysis VALUES (?, ?, ?, ?, ?)", analysis_rows)
    con.executemany(
        "INSERT INTO quotes (guild_id, post_id, position, text, speaker, sentence)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        quote_rows,
    )
    con.executemany(
        "INSERT INTO feed_entries (guild_id, feed_id, entry_key, post_id, is_new, seen_ts)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        entry_rows,
    )
    con.execute("COMMIT")
    info.rows.update(
        posts=len(posts_rows), post_themes=len(themes_rows), post_terms=len(terms_rows),
        quotes=len(quote_rows), feed_entries=len(entry_rows), feeds=len(feed_rows),
    )  # fmt: skip
    by_count: dict[str, int] = {}
    for row in themes_rows:
        if row[0] == BIG:
            by_count[row[3]] = by_count.get(row[3], 0) + 1
    ranked = sorted(by_count, key=lambda label: (-by_count[label], label))
    info.popular_labels = ranked[:20]
    info.rare_labels = ranked[-200:-180]
    info.speakers_common = speakers[:5]
    info.speakers_rare = speakers[-5:]
    posts_of: dict[int, list[tuple[int, int, int, str, str | None, str | None, list[str]]]] = {}
    for meta in post_meta:
        posts_of.setdefault(meta[1], []).append(meta)
    del posts_rows, themes_rows, terms_rows, analysis_rows, quote_rows, entry_rows

    # forecasts, their history, votes, subscriptions, reminders and the outbox they produced
    forecast_rows, event_rows, vote_rows, sub_rows, reminder_rows, outbox_rows = (
        [],
        [],
        [],
        [],
        [],
        [],
    )
    forecast_counts = guild_counts(n_forecasts)
    forecast_id = 0
    now_ts = ts(NOW)
    handful = {"first": 0, "steady": 0}
    for guild, count in forecast_counts.items():
        zone = zones[guild]
        guild_posts = posts_of[guild]
        for _ in range(count):
            forecast_id += 1
            manual = rng.random() < 0.10
            if manual:
                created_ts = now_ts - rng.randint(3600, SPAN_DAYS * 86400)
                post_id, title, url, author = (
                    None,
                    None,
                    None,
                    f"<@{member(rng.randint(1, MEMBERS))}>",
                )
                chosen = rng.sample(labels[:300], 2)
                added_by = member(rng.randint(1, MEMBERS))
                origin = "manual"
                probability = round(rng.uniform(0.05, 0.95), 2) if rng.random() < 0.8 else None
            else:
                post_id, _, created_ts, title, url, author, chosen = rng.choice(guild_posts)
                created_ts += rng.randint(1, 120)
                added_by, origin = None, "analysis"
                probability = round(rng.uniform(0.1, 0.9), 2) if rng.random() < 0.05 else None
            created_day = datetime.fromtimestamp(created_ts, zone).date()
            claim = rng.choice(CLAIM_TEMPLATES).format(
                a=chosen[0], b=chosen[1], year=rng.randint(2024, 2028), n=rng.randint(2, 60)
            )
            if rng.random() < 0.12:
                due_start = due_end = due_ts = granularity = timex = None
            else:
                days = int(2 ** rng.uniform(3, 10.2))  # 8 days .. ~3 years, log-uniform
                due_end = created_day + timedelta(days=days)
                due_start = due_end - timedelta(days=rng.choice((0, 30, 90)))
                due_ts = ts(
                    datetime.combine(due_end + timedelta(days=1), datetime.min.time(), zone)
                )
                granularity = rng.choice(("day", "month", "quarter", "year"))
                timex = f"{due_end.year}년 {due_end.month}월"
            status, outcome, resolved_by, resolved_ts, nudge, snoozed = (
                "open",
                None,
                None,
                None,
                -1,
                None,
            )
            if due_ts is not None and due_ts <= now_ts:
                age_days = (now_ts - due_ts) / 86400
                if rng.random() < 0.15:
                    status = "resolved"
                    resolved_ts = min(now_ts - 60, due_ts + rng.randint(0, 60 * 86400))
                else:
                    status = "due"
                    nudge = max([0, *[s for s in FOLLOWUP_STAGES if age_days >= s]])
                    if rng.random() < 0.01:
                        snoozed = now_ts + rng.randint(3600, 7 * 86400)
            elif rng.random() < 0.02:
                status = "resolved"  # judged early, or withdrawn
                resolved_ts = min(now_ts - 60, created_ts + rng.randint(3600, 90 * 86400))
            if status == "resolved":
                outcome = rng.choice(OUTCOMES)
                resolved_by = MODERATOR
                event_rows.append(
                    (guild, forecast_id, "resolved", MODERATOR,
                     json.dumps({"outcome": outcome}), resolved_ts)
                )  # fmt: skip
            if manual:
                event_rows.append((guild, forecast_id, "created", added_by, "{}", created_ts))
                sub_rows.append((guild, forecast_id, added_by, created_ts))
            forecast_rows.append(
                (
                    forecast_id, guild, post_id, origin, f"{origin}:{forecast_id:08x}",
                    f"그는 {claim}이라고 말했다.", claim,
                    rng.choices(speakers, weights=speaker_weights)[0] if rng.random() < 0.4 else None,
                    timex, due_start.isoformat() if due_start else None,
                    due_end.isoformat() if due_end else None, due_ts, granularity,
                    rng.choice(("outlook", "target", "event")),
                    rng.choice(("likely", "certain", "possible")), round(rng.uniform(0.3, 0.95), 2),
                    probability, title, url, author, added_by, status, outcome, resolved_by,
                    resolved_ts, None, None, created_ts, max(created_ts, resolved_ts or 0), nudge,
                    snoozed, 0,  # needs_date: every seeded post is dated
                )
            )  # fmt: skip
            if status in ("due", "resolved") and rng.random() < 0.2:
                for voter in map(member, rng.sample(range(1, MEMBERS), rng.randint(1, 5))):
                    vote_rows.append(
                        (guild, forecast_id, voter, rng.choice(OUTCOMES[:-3]),
                         (due_ts or created_ts) + rng.randint(60, 86400))
                    )  # fmt: skip
            if status == "open" and rng.random() < 0.08:
                for subscriber in rng.sample(range(1, MEMBERS), rng.randint(1, 3)):
                    sub_rows.append((guild, forecast_id, member(subscriber), created_ts + 60))
            if due_ts is not None and due_ts <= now_ts:
                # what earlier sweeps delivered: the due reminder and the follow-ups reached
                stamp = due_ts + 20
                outbox_rows.append(
                    (guild, f"due:{forecast_id}:{due_ts}", "reminder", "channel", 5000 + guild,
                     forecast_id, None, json.dumps({"forecast": {"id": forecast_id, "claim": claim}},
                     ensure_ascii=False), "sent", 1, stamp, None, 0, stamp, stamp + 2)
                )  # fmt: skip
                for stage in FOLLOWUP_STAGES:
                    nudge_ts = due_ts + stage * 86400
                    if nudge_ts <= now_ts and (resolved_ts is None or resolved_ts > nudge_ts):
                        outbox_rows.append(
                            (guild, f"followup:{forecast_id}:{due_ts}:{stage}", "followup",
                             "channel", 5000 + guild, forecast_id, None,
                             json.dumps({"forecast": {"id": forecast_id}, "stage": stage}),
                             "sent", 1, nudge_ts + 20, None, 0, nudge_ts + 20, nudge_ts + 22)
                        )  # fmt: skip
    # The bench member: subscriptions to ~30 open forecasts and 6 pending personal reminders in
    # the big guild; other members' reminders spread over the guilds (half already delivered).
    open_big = [row[0] for row in forecast_rows if row[1] == BIG and row[21] == "open"]
    for fid in rng.sample(open_big, 30):
        sub_rows.append((BIG, fid, BENCH_USER, now_ts - 86400))
    for fid in rng.sample(open_big, 6):
        reminder_rows.append((BIG, fid, BENCH_USER, now_ts + rng.randint(1, 90) * 86400,
                              now_ts - 86400, None, None))  # fmt: skip
    for _ in range(6000):
        row = rng.choice(forecast_rows)
        remind = now_ts + rng.randint(-300, 300) * 86400
        queued = remind + 10 if remind <= now_ts else None
        reminder_rows.append(
            (
                row[1],
                row[0],
                member(rng.randint(1, MEMBERS)),
                remind,
                remind - 86400 * 30,
                queued,
                None,
            )
        )
    # A realistic handful coming due: a few windows closing within the last sweep interval
    # (the first sweep) and within each of the next steady-state sweeps, and a few personal
    # reminders; everything else already handled by earlier sweeps.
    future_open = [
        index for index, row in enumerate(forecast_rows)
        if row[21] == "open" and row[11] is not None and row[11] > now_ts + 86400 * 2
    ]  # fmt: skip
    picks = iter(rng.sample(future_open, 5 + 60 * 5))
    planted = [(now_ts - rng.randint(1, SWEEP_SECONDS - 1), "first") for _ in range(5)]
    planted += [
        (now_ts + step * SWEEP_SECONDS - rng.randint(0, SWEEP_SECONDS - 1), "steady")
        for step in range(1, 61)
        for _ in range(rng.randint(2, 8))
    ]
    # Real due moments are local midnights (Services.open realigns any other one), so these
    # moments are not written into the seed: `run` plants them after opening, as a load model.
    for due_ts, which in planted:
        index = next(picks, None)
        if index is None:
            break
        info.planted.append([forecast_rows[index][0], due_ts])
        handful[which] += 1
    for step in range(0, 61, 3):
        reminder_rows.append(
            (BIG, rng.choice(open_big), member(rng.randint(1, MEMBERS)), now_ts + step * SWEEP_SECONDS - 5,
             now_ts - 86400, None, None)
        )  # fmt: skip
    con.execute("BEGIN")
    # The first 32 columns (their order in the migrations); later ones are derived (post_source,
    # migration 0018: set by a trigger from the post).
    forecast_columns = [row[1] for row in con.execute("PRAGMA table_info(forecasts)")][:32]
    con.executemany(
        f"INSERT INTO forecasts ({', '.join(forecast_columns)}) VALUES ({','.join('?' * 32)})",
        forecast_rows,
    )
    con.executemany(
        "INSERT INTO forecast_events (guild_id, forecast_id, kind, actor, payload_json, created_ts)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        event_rows,
    )
    con.executemany("INSERT OR IGNORE INTO votes VALUES (?, ?, ?, ?, ?)", vote_rows)
    con.executemany("INSERT OR IGNORE INTO subscriptions VALUES (?, ?, ?, ?)", sub_rows)
    con.executemany(
        "INSERT INTO user_reminders (guild_id, forecast_id, user_id, remind_ts, created_ts,"
        " queued_ts, cancelled_ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
        reminder_rows,
    )
    # weekly digests of the past two years, delivered
    digest_id = 0
    for guild, _, zone_name, _ in GUILDS:
        end = datetime(2025, 12, 15, 9, 0, tzinfo=ZoneInfo(zone_name))
        for week in range(SPAN_DAYS // 7, 0, -1):
            period_end = end - timedelta(weeks=week - 1)
            digest_id += 1
            con.execute(
                "INSERT INTO digests VALUES (?, ?, ?, ?, ?, 0, ?)",
                (digest_id, guild, period_end.isoformat(), ts(period_end - timedelta(days=7)),
                 ts(period_end), ts(period_end) + 5),
            )  # fmt: skip
            outbox_rows.append(
                (guild, f"digest:{guild}:{period_end.isoformat()}", "digest", "channel",
                 6000 + guild, None, digest_id, '{"digest": {}}', "sent", 1, ts(period_end),
                 None, 0, ts(period_end), ts(period_end) + 3)
            )  # fmt: skip
    outbox_rows.sort(key=lambda row: row[13])
    con.executemany(
        "INSERT INTO outbox (guild_id, dedupe_key, kind, destination, destination_id, forecast_id,"
        " digest_id, payload_json, status, attempts, next_attempt_ts, last_error, late,"
        " created_ts, sent_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        outbox_rows,
    )
    for guild, _, zone_name, _ in GUILDS:
        con.execute(
            "INSERT INTO guild_settings (guild_id, timezone, language, reminder_channel_id,"
            " reminder_role_id, digest_channel_id, digest_cron, digest_days, digest_enabled,"
            " updated_ts) VALUES (?, ?, 'ko', ?, ?, ?, '0 9 * * mon', 7, 1, ?)",
            (guild, zone_name, 5000 + guild, 7000 + guild, 6000 + guild, ts(start)),
        )
    con.execute("COMMIT")
    info.rows.update(
        forecasts=len(forecast_rows), forecast_events=len(event_rows), votes=len(vote_rows),
        subscriptions=len(sub_rows), user_reminders=len(reminder_rows), outbox=len(outbox_rows),
        digests=digest_id,
    )  # fmt: skip
    info.rows.update({f"planted_due_{key}": value for key, value in handful.items()})
    seoul_midnight = datetime.combine(
        NOW.astimezone(ZoneInfo("Asia/Seoul")).date() + timedelta(days=1),
        datetime.min.time(),
        ZoneInfo("Asia/Seoul"),
    )
    info.midnight_due = sum(
        1 for row in forecast_rows if row[21] == "open" and row[11] == ts(seoul_midnight)
    )
    # the digest period: the last N days holding ~5k posts of the big guild
    times = sorted(
        (meta[2] for meta in post_meta if meta[1] == BIG), reverse=True
    )  # approximate by ingestion; the exact count is reported by the run
    fifth = times[min(len(times) - 1, 4999)]
    info.digest_days = max(1, round((now_ts - fifth) / 86400))
    info.posts, info.forecasts = n_posts, n_forecasts
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    tmp.replace(path)
    info.build_seconds = round(time.perf_counter() - started, 1)
    Path(f"{path}.json").write_text(json.dumps(info.__dict__, ensure_ascii=False, indent=1))
    return info


def load_or_build(path: Path, posts: int, forecasts: int, seed: int, rebuild: bool) -> SeedInfo:
    meta = Path(f"{path}.json")
    if not rebuild and path.exists() and meta.exists():
        data = json.loads(meta.read_text())
        if data.get("posts") == posts and data.get("forecasts") == forecasts:
            return SeedInfo(**data)
    print(f"seeding {path} ({posts} posts, {forecasts} forecasts)…", file=sys.stderr)
    return build_seed(path, posts, forecasts, seed)


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    group: str
    samples: list[float] = field(default_factory=list)  # milliseconds
    target: float | None = None
    note: str = ""

    def percentile(self, share: float) -> float:
        ordered = sorted(self.samples)
        if not ordered:
            return float("nan")
        index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        return self.percentile(0.95)

    @property
    def ok(self) -> bool | None:
        return None if self.target is None else self.p95 <= self.target


class Bench:
    def __init__(self, iterations: int, seed: int, only: str | None = None) -> None:
        self.iterations = iterations
        self.rng = random.Random(seed)
        self.results: list[Result] = []
        self.only = re.compile(only) if only else None

    def wanted(self, name: str) -> bool:
        return self.only is None or bool(self.only.search(name))

    def add(self, result: Result) -> None:
        if not self.wanted(result.name):
            return
        self.results.append(result)
        print(f"  {result.name}: p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms", file=sys.stderr)

    async def measure(
        self,
        name: str,
        make: Callable[[], Awaitable[Any]],
        *,
        group: str = "command",
        target: float | None = TARGET_COMMAND_MS,
        iterations: int | None = None,
        warmup: int = 1,
        note: str = "",
    ) -> Result:
        result = Result(name, group, target=target, note=note)
        if not self.wanted(name):
            return result
        for _ in range(warmup):
            await make()
        for _ in range(iterations or self.iterations):
            started = time.perf_counter()
            await make()
            result.samples.append((time.perf_counter() - started) * 1000)
        self.add(result)
        return result


class ChartStub:
    """Stands in for matplotlib in the command rows (the chart is measured on its own row)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, digest: Any) -> bytes:
        self.calls += 1
        return b""


def with_database(url: str, name: str) -> str:
    """`url` pointing at another database of the same PostgreSQL server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def template_facts(
    seed_path: Path, template: str, facts: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Save (with `facts`) or read what copying the seed into a template took."""
    saved = Path(f"{seed_path}.{template}.json")
    if facts is not None:
        saved.write_text(json.dumps(facts))
        return facts
    return json.loads(saved.read_text()) if saved.exists() else {}


def fresh_sqlite_copy(seed_path: Path, work: Path) -> None:
    """The run's working copy of the seed, read once so the OS page cache is warm (as a
    running bot's would be)."""
    for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(seed_path, work)
    with work.open("rb") as handle:
        while handle.read(1 << 23):
            pass


async def prepare_postgres(url: str, seed_path: Path, rebuild: bool) -> dict[str, Any]:
    """Create the run database NAME from a template holding the seed (copied into the template
    first when missing: that copy is `migrate-store`'s, and it is timed)."""
    import psycopg  # only the PostgreSQL runs need the driver

    name = urlsplit(url).path.strip("/")
    key = hashlib.sha256(seed_path.name.encode()).hexdigest()[:10]
    template = f"{name}_seed_{key}"
    admin = await psycopg.AsyncConnection.connect(with_database(url, "postgres"), autocommit=True)
    schema = migrations_hash("postgresql")
    facts: dict[str, Any] = {"template": template, "schema": schema}
    saved = template_facts(seed_path, template)
    # A template made before the PostgreSQL migrations changed is made again; one made before
    # migrations were only added is migrated forward (as a running bot's database would be).
    stale = saved.get("schema", schema) != schema
    try:
        found = await (
            await admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,))
        ).fetchone()
        if found is not None and stale and not rebuild:
            stale = not await migrate_template_forward(url, template, saved)
            if not stale:
                saved = template_facts(seed_path, template, {**saved, "schema": schema})
        if found is None or rebuild or stale:
            await admin.execute(f'DROP DATABASE IF EXISTS "{template}"')
            await admin.execute(f'CREATE DATABASE "{template}"')
            print(f"copying the seed into {template} (migrate-store)…", file=sys.stderr)
            source = await open_database(str(seed_path))
            target = await open_database(with_database(url, template))
            started = time.perf_counter()
            try:
                counts = await copy_ledger(source, target)
            finally:
                await source.close()
                await target.close()
            facts["copy_seconds"] = round(time.perf_counter() - started, 1)
            facts["copied_rows"] = sum(count.target for count in counts)
            analyzed = await psycopg.AsyncConnection.connect(
                with_database(url, template), autocommit=True
            )
            try:
                await analyzed.execute("VACUUM ANALYZE")
            finally:
                await analyzed.close()
            template_facts(seed_path, template, facts)
        else:
            facts.update(saved)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    return facts


async def migrate_template_forward(url: str, template: str, saved: dict[str, Any]) -> bool:
    """Apply the migrations added since `template` was copied, then VACUUM ANALYZE it; False
    (nothing done) when a migration it already has was changed since."""
    import psycopg

    connection = await psycopg.AsyncConnection.connect(
        with_database(url, template), autocommit=True
    )
    try:
        rows = await (await connection.execute("SELECT version FROM schema_migrations")).fetchall()
        if migrations_hash("postgresql", {row[0] for row in rows}) != saved.get("schema"):
            return False
    finally:
        await connection.close()
    print(f"migrating {template} forward…", file=sys.stderr)
    started = time.perf_counter()
    database = await open_database(with_database(url, template))
    await database.close()
    # On a connection opened after the migration: a VACUUM on the one opened before it left
    # the forecasts rewritten by migration 0019 unmarked (relallvisible 0, cause not pinned
    # down), and the runs then read the table instead of its indexes alone.
    vacuuming = await psycopg.AsyncConnection.connect(with_database(url, template), autocommit=True)
    try:
        await vacuuming.execute("VACUUM ANALYZE")
    finally:
        await vacuuming.close()
    saved["migrated_forward_seconds"] = round(time.perf_counter() - started, 1)
    return True


async def database_bytes(services: Services) -> int:
    db = services.store.database
    if getattr(db, "dialect", "sqlite") == "postgresql":
        row = await db.fetch_one("SELECT pg_database_size(current_database()) AS n")
        return int(row["n"]) if row else 0
    pages = await db.fetch_one("PRAGMA page_count")
    page_size = await db.fetch_one("PRAGMA page_size")
    return int(pages[0]) * int(page_size[0]) if pages and page_size else 0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    seed_path = Path(args.db) if args.db else default_db(args.posts, args.forecasts, args.seed)
    info = load_or_build(seed_path, args.posts, args.forecasts, args.seed, args.rebuild)
    work = seed_path.with_name(seed_path.stem + ".run.db")
    postgres: dict[str, Any] | None = None
    if args.database_url and args.database_url.startswith(("postgresql://", "postgres://")):
        postgres = await prepare_postgres(args.database_url, seed_path, args.rebuild)
        database_url = args.database_url
    else:
        if args.database_url:
            work = Path(args.database_url.removeprefix("sqlite:///"))
        fresh_sqlite_copy(seed_path, work)
        database_url = f"sqlite:///{work}"

    clock = ManualClock(NOW)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        default_timezone="Asia/Seoul",
        reminder_sweep_seconds=SWEEP_SECONDS,
    )
    opened = time.perf_counter()
    services = await Services.open(settings, clock)
    open_ms = (time.perf_counter() - opened) * 1000
    async with services.store.transaction() as transaction:
        await transaction.execute_many(
            "UPDATE forecasts SET due_ts = ? WHERE id = ?",
            [(due_ts, forecast_id) for forecast_id, due_ts in info.planted],
        )
    bench = Bench(args.iterations, args.seed, args.only)
    rng = bench.rng
    try:
        await run_sweeps_first(bench, services)
        await run_commands(bench, services, info, rng)
        await run_digest(bench, services, info)
        await run_sweeps_steady(bench, services, clock, info)
        db_bytes = await database_bytes(services)
    finally:
        await services.close()
    outbox: list[dict[str, Any]] = []
    if args.outbox_rows > 0 and bench.wanted("outbox"):
        for send_ms in sorted({0.0, args.send_ms}):
            for processes in (1, 3):
                outbox.append(await run_outbox(database_url, args.outbox_rows, processes, send_ms))
    if not args.keep and postgres is None:
        for leftover in (work, Path(f"{work}-wal"), Path(f"{work}-shm")):
            leftover.unlink(missing_ok=True)
    return {
        "database": "postgresql" if postgres else "sqlite",
        "postgres": postgres,
        "outbox": outbox,
        "seed_db": str(seed_path),
        "db_bytes": db_bytes,
        "seed_db_bytes": seed_path.stat().st_size,
        "open_ms": round(open_ms, 1),
        "seed": info.__dict__,
        "machine": machine(),
        "results": [
            {
                "name": r.name,
                "group": r.group,
                "n": len(r.samples),
                "p50_ms": round(r.p50, 2),
                "p95_ms": round(r.p95, 2),
                "max_ms": round(max(r.samples), 2) if r.samples else None,
                "target_ms": r.target,
                "ok": r.ok,
                "note": r.note,
            }
            for r in bench.results
        ],
    }


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
    }


async def run_sweeps_first(bench: Bench, services: Services) -> None:
    started = time.perf_counter()
    report = await services.reminders.sweep()
    ms = (time.perf_counter() - started) * 1000
    bench.add(
        Result(
            "sweep: first after opening",
            "sweep",
            [ms],
            TARGET_SWEEP_MS,
            note=f"queued {len(report.queued)} (due {report.due}, personal {report.personal})",
        )
    )


async def run_sweeps_steady(
    bench: Bench, services: Services, clock: ManualClock, info: SeedInfo
) -> None:
    steady = Result("sweep: steady state (+30 s)", "sweep", target=TARGET_SWEEP_MS)
    queued = 0
    for _ in range(min(60, max(20, bench.iterations))):
        clock.advance(seconds=SWEEP_SECONDS)
        started = time.perf_counter()
        report = await services.reminders.sweep()
        steady.samples.append((time.perf_counter() - started) * 1000)
        queued += len(report.queued)
    steady.note = f"{queued / len(steady.samples):.1f} messages queued per sweep"
    bench.add(steady)
    idle = await bench.measure(
        "sweep: nothing due",
        services.reminders.sweep,
        group="sweep",
        target=TARGET_SWEEP_MS,
        iterations=20,
    )
    idle.note = "same clock again"
    zone = ZoneInfo("Asia/Seoul")
    midnight = datetime.combine(
        NOW.astimezone(zone).date() + timedelta(days=1), datetime.min.time(), zone
    )
    clock.set(midnight + timedelta(seconds=5))
    started = time.perf_counter()
    report = await services.reminders.sweep()
    ms = (time.perf_counter() - started) * 1000
    bench.add(
        Result(
            "sweep: just after Seoul midnight",
            "sweep",
            [ms],
            None,
            note=f"a day's windows close: {report.due} due, {len(report.queued)} messages",
        )
    )


async def run_digest(bench: Bench, services: Services, info: SeedInfo) -> None:
    builder = services.digests.builder
    end = NOW
    start = end - timedelta(days=info.digest_days)
    posts = await services.store.posts.count_between(BIG, start, end)
    digest = await builder.build(BIG, start, end, now=end)

    async def build_and_render() -> None:
        render_markdown(await builder.build(BIG, start, end, now=end))

    await bench.measure(
        f"digest build + render_markdown ({info.digest_days} d, {posts} posts)",
        build_and_render,
        group="digest",
        target=TARGET_DIGEST_MS,
        iterations=max(10, bench.iterations),
        note="big guild",
    )
    week = await builder.build(BIG, end - timedelta(days=7), end, now=end)
    del week

    async def build_week() -> None:
        render_markdown(await builder.build(BIG, end - timedelta(days=7), end, now=end))

    await bench.measure(
        "digest build + render_markdown (7 d)",
        build_week,
        group="digest",
        target=TARGET_DIGEST_MS,
        iterations=max(10, bench.iterations),
    )

    async def chart() -> None:
        render_chart(digest)

    await bench.measure(
        "render_chart (matplotlib PNG)", chart, group="digest", target=None, iterations=10
    )


async def run_commands(
    bench: Bench, services: Services, info: SeedInfo, rng: random.Random
) -> None:
    stub = ChartStub()
    real_chart = handlers_module.render_chart
    handlers_module.render_chart = stub  # type: ignore[assignment]
    try:
        for guild, label in ((BIG, "big"), (SMALL, "small")):
            await run_guild_commands(bench, services, info, rng, guild, label)
        await run_write_commands(bench, services, rng)
    finally:
        handlers_module.render_chart = real_chart  # type: ignore[assignment]
    await run_export(bench, services)


async def ids(services: Services, sql_kind: str, guild: int, limit: int = 400) -> list[int]:
    """Ids to pick arguments from, read through the store's own listing methods."""
    store = services.store
    if sql_kind == "posts":
        return [post.id for post in await store.posts.list(guild, limit=limit)]
    return [f.id for f in await store.ledger.list(guild, status=sql_kind, limit=limit)]


async def run_guild_commands(
    bench: Bench,
    services: Services,
    info: SeedInfo,
    rng: random.Random,
    guild: int,
    tag: str,
) -> None:
    commands = Commands(services, PlainFormatter())
    member = Caller(guild, BENCH_USER)
    post_ids = await ids(services, "posts", guild)
    forecast_ids = (
        await ids(services, "open", guild)
        + await ids(services, "due", guild)
        + await ids(services, "resolved", guild)
    )
    popular = info.popular_labels
    pick = rng.choice

    def row(name: str) -> str:
        return f"{name} [{tag}]"

    measure = bench.measure
    await measure(row("summary post"), lambda: commands.summary(member, post=pick(post_ids)))
    await measure(
        row("summary theme 30d"),
        lambda: commands.summary(member, theme=pick(popular[:10]), days=30),
    )
    await measure(row("summary 7d (digest)"), lambda: commands.summary(member, days=7))
    await measure(row("quote"), lambda: commands.quote(member))
    await measure(row("quote theme"), lambda: commands.quote(member, theme=pick(popular)))
    await measure(
        row("quote speaker"), lambda: commands.quote(member, speaker=pick(info.speakers_common))
    )
    await measure(
        row("quote speaker rare"), lambda: commands.quote(member, speaker=pick(info.speakers_rare))
    )
    await measure(row("quote query"), lambda: commands.quote(member, query="시장"))
    await measure(row("themes 7d"), lambda: commands.themes(member, 7))
    await measure(row("themes 30d"), lambda: commands.themes(member, 30))
    for status in ("open", "due", "resolved", "undated", "all"):
        await measure(
            row(f"predictions list {status}"),
            lambda status=status: commands.predictions_list(member, status=status),
        )
    await measure(
        row("predictions list theme"),
        lambda: commands.predictions_list(member, theme=pick(popular)),
    )
    await measure(
        row("predictions list theme rare"),
        lambda: commands.predictions_list(member, theme=pick(info.rare_labels)),
    )
    await measure(
        row("predictions list source rare"),
        lambda: commands.predictions_list(
            member, source=f"site{rng.randint(1, 400)}.example.org/p/"
        ),
    )
    await measure(
        row("predictions list source"),
        lambda: commands.predictions_list(member, source=pick(info.feed_hosts)),
    )
    await measure(
        row("predictions show"), lambda: commands.predictions_show(member, pick(forecast_ids))
    )
    await measure(row("remind list"), lambda: commands.remind_list(member))
    await measure(row("digest status"), lambda: commands.digest_status(member))
    await measure(row("digest now 7d"), lambda: commands.digest_now(member, 7))
    for by in ("source", "author", "speaker"):
        await measure(row(f"scoreboard {by}"), lambda by=by: commands.scoreboard(member, by))
    await measure(row("feed list"), lambda: commands.feed_list(member))
    await measure(row("complete forecasts ''"), lambda: commands.complete_forecasts(guild, ""))
    await measure(
        row("complete forecasts id"),
        lambda: commands.complete_forecasts(guild, str(pick(forecast_ids))),
    )
    await measure(
        row("complete forecasts text"),
        lambda: commands.complete_forecasts(guild, pick(popular)[:2]),
    )
    await measure(row("complete posts ''"), lambda: commands.complete_posts(guild, ""))
    await measure(
        row("complete posts text"), lambda: commands.complete_posts(guild, pick(popular)[:3])
    )
    await measure(
        row("complete posts common phrase"),
        lambda: commands.complete_posts(guild, "전망:"),
        note="in every title: FTS ranks all guilds' matches",
    )
    await measure(row("complete themes ''"), lambda: commands.complete_themes(guild, ""))
    await measure(
        row("complete themes prefix"), lambda: commands.complete_themes(guild, pick(popular)[:1])
    )
    await measure(row("complete sources ''"), lambda: commands.complete_sources(guild, ""))
    await measure(row("complete sources text"), lambda: commands.complete_sources(guild, "news1"))
    await measure(
        row("complete sources rare"),
        lambda: commands.complete_sources(guild, f"site{rng.randint(100, 400)}."),
        note="few matches: scans the ledger",
    )


async def run_write_commands(bench: Bench, services: Services, rng: random.Random) -> None:
    commands = Commands(services, PlainFormatter())
    member = Caller(BIG, BENCH_USER)
    moderator = Caller(BIG, MODERATOR, is_moderator=True)
    due = await ids(services, "due", BIG, limit=2000)
    open_ = await ids(services, "open", BIG, limit=2000)
    rng.shuffle(due)
    rng.shuffle(open_)
    due_iter, open_iter = iter(due), iter(open_)
    counter = iter(range(10**6))

    await bench.measure(
        "predictions add",
        lambda: commands.predictions_add(
            member, f"벤치마크 예측 {next(counter)}: 금리가 내릴 것", "2026-06-30", "70%"
        ),
        note="write",
    )
    await bench.measure(
        "button vote",
        lambda: commands.button(member, vote_button_id(next(due_iter), "correct")),
        note="write",
    )
    await bench.measure(
        "predictions resolve (moderator)",
        lambda: commands.predictions_resolve(moderator, next(due_iter), "correct"),
        note="write",
    )
    await bench.measure(
        "remind prediction (when due)",
        lambda: commands.remind_prediction(member, next(open_iter)),
        note="write",
    )
    await bench.measure(
        "remind prediction (in 3 months)",
        lambda: commands.remind_prediction(member, next(open_iter), "2026-03-01"),
        note="write",
    )


async def run_export(bench: Bench, services: Services) -> None:
    commands = Commands(services, PlainFormatter())
    for guild, tag in ((BIG, "big"), (SMALL, "small")):
        count = await services.store.forecasts.count(guild)
        await bench.measure(
            f"export [{tag}]",
            lambda guild=guild: commands.export(Caller(guild, BENCH_USER)),
            group="export",
            target=None,
            iterations=3,
            warmup=0,
            note=f"{count} forecasts as CSV + JSON",
        )


# --- outbox throughput, several processes --------------------------------------------------

OUTBOX_GUILD = GUILD_BASE + 999  # a guild of its own, one message per reminder


async def queue_outbox_rows(database_url: str, count: int, tag: str) -> None:
    """`count` due one-message-each reminders, queued as the sweep queues them."""
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    store = Store(await open_database(database_url))
    try:
        now = SystemClock().now()
        await store.guilds.update(
            OUTBOX_GUILD, now, reminder_channel_id=5, reminder_grouping="single"
        )
        async with store.transaction() as transaction:
            for number in range(count):
                await store.outbox.enqueue(
                    transaction,
                    guild_id=OUTBOX_GUILD,
                    dedupe_key=f"bench:{tag}:{number}",
                    destination="channel",
                    destination_id=5,
                    payload=ReminderPayload(
                        forecast=ForecastSnapshot(id=number + 1, claim=f"claim {number}")
                    ),
                    now=now - timedelta(seconds=1),
                )
        del settings
    finally:
        await store.close()


async def unsent(store: Store) -> int:
    # Every status but 'sent', spelled out so outbox_pending (status first) finds the few rows:
    # `status != 'sent'` read all 509k rows of the seeded outbox, every 10 ms, on a core the
    # workers needed.
    row = await store.database.fetch_one(
        "SELECT COUNT(*) AS n FROM outbox WHERE guild_id = ?"
        " AND status IN ('pending', 'sending', 'failed', 'cancelled')",
        (OUTBOX_GUILD,),
    )
    return int(row["n"]) if row else 0


def wait_ready_then_go(workers: list[subprocess.Popen[bytes]]) -> None:
    """Every worker has opened its store (it says `ready`): tell them all to start."""
    for worker in workers:
        assert worker.stdout is not None
        line = worker.stdout.readline()
        if line.strip() != b"ready":
            raise RuntimeError(f"an outbox worker did not start: {line!r}")
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(b"go\n")
        worker.stdin.flush()


def start_outbox_workers(
    database_url: str, processes: int, send_ms: float
) -> list[subprocess.Popen[bytes]]:
    environment = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "ERROR"}
    return [
        subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--outbox-worker",
                f"bench-{number}",
                "--send-ms",
                str(send_ms),
            ],
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for number in range(processes)
    ]


async def run_outbox(
    database_url: str, rows: int, processes: int, send_ms: float
) -> dict[str, Any]:
    """Drain `rows` queued reminders with `processes` worker processes; sends per second."""
    await queue_outbox_rows(database_url, rows, f"{processes}p{time.time_ns()}")
    workers = start_outbox_workers(database_url, processes, send_ms)
    store = Store(await open_database(database_url))
    server_cpu_before = await server_cpu_seconds(store)
    try:
        await asyncio.to_thread(wait_ready_then_go, workers)
        started = time.perf_counter()
        machine_before = machine_busy_seconds()
        while await unsent(store) > 0:
            if any(worker.poll() not in (None, 0) for worker in workers):
                raise RuntimeError("an outbox worker failed")
            await asyncio.sleep(0.01)
        seconds = time.perf_counter() - started
        machine_busy = machine_busy_seconds() - machine_before
    finally:
        for worker in workers:
            worker.terminate()
    sent, worker_cpu = [], 0.0
    for worker in workers:
        out, _ = worker.communicate(timeout=30)
        last = (out or b"0 0").decode().strip().splitlines()[-1].split()
        sent.append(int(last[0]))
        worker_cpu += float(last[1]) if len(last) > 1 else 0.0
    # The server's CPU time includes the monitor's polls (a cheap count every 10 ms).
    server_cpu_after = await server_cpu_seconds(store)
    await store.close()
    server_cpu = (
        server_cpu_after - server_cpu_before
        if server_cpu_before is not None and server_cpu_after is not None
        else None
    )
    result = {
        "processes": processes,
        "rows": rows,
        "send_ms": send_ms,
        "seconds": round(seconds, 2),
        "sends_per_second": round(rows / seconds, 1),
        "per_process": sent,
        # CPU time per message sent: the worker processes (claim, render, confirm), the
        # PostgreSQL server (None when it is not on this machine), and how busy the whole
        # machine was meanwhile (cores; other work included).
        "worker_cpu_ms_per_send": round(worker_cpu * 1000 / rows, 2),
        "server_cpu_ms_per_send": round(server_cpu * 1000 / rows, 2) if server_cpu else None,
        "machine_busy_cores": round(machine_busy / seconds, 2),
    }
    print(
        f"  outbox, {processes} process(es): {result['sends_per_second']} sends/s"
        f" (CPU per send: workers {result['worker_cpu_ms_per_send']} ms, server"
        f" {result['server_cpu_ms_per_send']} ms; machine busy {result['machine_busy_cores']}"
        " cores)",
        file=sys.stderr,
    )
    return result


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all processes, all cores) since boot."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(value) for value in fields]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


async def server_cpu_seconds(store: Store) -> float | None:
    """CPU seconds of a PostgreSQL server on this machine: its postmaster, the backends that
    ended (reaped by it) and those alive. None for SQLite or a server elsewhere."""
    if store.database.dialect != "postgresql":
        return None
    try:
        row = await store.database.fetch_one(
            "SELECT setting FROM pg_settings WHERE name = 'data_directory'"
        )
        return _server_cpu(Path(row["setting"]))
    except (OSError, TypeError, ValueError, IndexError):
        return None


def _server_cpu(data_directory: Path) -> float:
    postmaster = int((data_directory / "postmaster.pid").read_text().split()[0])
    total = _process_cpu(postmaster, children=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                    total += _process_cpu(int(entry.name))
            except OSError:  # the process ended meanwhile
                continue
    return total


def _process_cpu(pid: int, children: bool = False) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime (reaped children)
    return ticks / os.sysconf("SC_CLK_TCK")


class CountingTransport:
    """A transport that takes `send_ms` per message (a Discord round-trip) and counts."""

    def __init__(self, send_ms: float) -> None:
        self.sent = 0
        self._seconds = send_ms / 1000

    async def deliver(self, delivery: Any) -> None:
        if self._seconds:
            await asyncio.sleep(self._seconds)
        self.sent += len(delivery.ids)


async def outbox_worker(worker: str, send_ms: float) -> None:
    """One worker process: open the store, say `ready`, wait for `go` on stdin, drain the
    bench guild's outbox until stopped (SIGTERM); print the number of rows it sent."""
    settings = Settings(_env_file=None, worker_id=worker)  # type: ignore[call-arg]
    services = await Services.open(settings)
    transport = CountingTransport(send_ms)
    sender = services.sender(transport)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    # CPU time from "go" on: the start-up (imports, opening the store) is not a send's.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started_cpu = usage.ru_utime + usage.ru_stime
    try:
        while not stop.is_set():
            report = await sender.drain({OUTBOX_GUILD}, limit=20)
            if not report.sent:
                await asyncio.sleep(0.02)
    finally:
        await services.close()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(transport.sent, round(usage.ru_utime + usage.ru_stime - started_cpu, 3), flush=True)


# --- output ---------------------------------------------------------------------------------


def print_table(report: dict[str, Any]) -> None:
    results = report["results"]
    width = max((len(r["name"]) for r in results), default=20) + 2
    print(f"{'':{width}}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'n':>5}  target")
    group = None
    for r in results:
        if r["group"] != group:
            group = r["group"]
            print(f"-- {group} " + "-" * (width + 30))
        verdict = "" if r["ok"] is None else ("ok" if r["ok"] else "MISS")
        target = f"<= {r['target_ms']:.0f} {verdict}" if r["target_ms"] else ""
        note = f"  ({r['note']})" if r["note"] and r["note"] != "write" else ""
        print(
            f"{r['name']:{width}}{r['p50_ms']:9.1f}{r['p95_ms']:9.1f}{r['max_ms']:9.1f}"
            f"{r['n']:5d}  {target}{note}"
        )
    seed = report["seed"]
    print()
    print(
        f"database: {report['db_bytes'] / 1e6:.0f} MB after the run"
        f" (seed file {report['seed_db_bytes'] / 1e6:.0f} MB, {report['seed_db']});"
        f" opened and migrated in {report['open_ms']:.0f} ms"
    )
    print("rows: " + ", ".join(f"{k} {v}" for k, v in seed["rows"].items()))
    m = report["machine"]
    print(f"machine: {m['cpu']} ({m['cpus']} CPUs), Python {m['python']}, SQLite {m['sqlite']}")
    for row in report.get("outbox") or []:
        print(
            f"outbox: {row['processes']} process(es) sent {row['rows']} messages in"
            f" {row['seconds']} s = {row['sends_per_second']} sends/s"
            f" (per process {row['per_process']}; {row['send_ms']} ms per send; CPU per send:"
            f" workers {row.get('worker_cpu_ms_per_send')} ms, server"
            f" {row.get('server_cpu_ms_per_send')} ms; machine busy"
            f" {row.get('machine_busy_cores')} cores)"
        )
    if report.get("postgres"):
        facts = report["postgres"]
        if "copy_seconds" in facts:
            print(
                f"migrate-store of the seed into {facts['template']}: {facts['copied_rows']} rows"
                f" in {facts['copy_seconds']} s"
            )
    misses = [r["name"] for r in results if r["ok"] is False]
    print(f"targets missed: {len(misses)}" + (": " + "; ".join(misses) if misses else ""))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--forecasts", type=int, default=300_000)
    parser.add_argument("--db", help="the seeded database file (cached; default under /tmp)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--iterations", type=int, default=40, help="timed calls per command")
    parser.add_argument("--rebuild", action="store_true", help="seed the database again")
    parser.add_argument("--only", help="run only the rows whose name matches this regex")
    parser.add_argument("--keep", action="store_true", help="keep the run's working copy")
    parser.add_argument(
        "--json", nargs="?", const="-", help="also write the figures as JSON (to PATH or stdout)"
    )
    parser.add_argument(
        "--database-url",
        help="run on this store: postgresql://… (NAME is recreated from a seeded template)"
        " or sqlite:///PATH (the run's working copy)",
    )
    parser.add_argument(
        "--outbox-rows", type=int, default=3000, help="messages drained by 1 and 3 processes"
    )
    parser.add_argument(
        "--send-ms",
        type=float,
        default=20.0,
        help="time a send takes (a Discord round-trip) in the outbox rows; also run at 0",
    )
    parser.add_argument("--outbox-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.outbox_worker:
        asyncio.run(outbox_worker(args.outbox_worker, args.send_ms))
        return
    report = asyncio.run(run(args))
    print_table(report)
    if args.json:
        text = json.dumps(report, ensure_ascii=False, indent=1)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
