"""The store's tuned queries (migration 0005) answer exactly what the plain queries answered.

Each test seeds a real SQLite file with two guilds (rows inserted directly, with distinct
timestamps so every ordering is total), then compares the repositories' methods against the
queries they replaced, run on the same file, on every query plan they can choose (the plan
thresholds are patched to force each branch). New methods are also checked for guild isolation,
and EXPLAIN QUERY PLAN shows the new indexes in use.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from digests.clock import from_timestamp, to_timestamp
from digests.store import Store
from digests.store import analysis as analysis_module
from digests.store import ledger as ledger_module
from digests.store.forecasts import COLUMNS
from digests.store.postgres import translate

GUILD = 1_190_000_000_000_000_101
OTHER = 1_190_000_000_000_000_202
USER = 400_000_000_000_000_007
T0 = to_timestamp(datetime(2025, 6, 1, tzinfo=UTC))
NOW = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)
VOCABULARY = [
    "AI",
    "AI chips",
    "ai policy",
    "Apple",
    "반도체",
    "반도",
    "배터리",
    "x_y",
    "x%y",
    "xay",
    "HBM",
    "금리",
    "Zeta",
    "zulu",
    *(f"label{n}" for n in range(30)),
]
SPEAKERS = ["홍길동", "김철수", "Jensen Huang", "이순신", "Lisa Su", None, None]
_F_COLUMNS = ", ".join(f"f.{column.strip()}" for column in COLUMNS.split(","))


def _seed(connection: sqlite3.Connection) -> None:
    rng = random.Random(5)
    weights = [1 / (rank + 1) for rank in range(len(VOCABULARY))]
    posts, themes, quotes, forecasts, subscriptions = [], [], [], [], []
    forecast_id = 0
    for post_id in range(1, 221):
        guild = GUILD if post_id % 4 else OTHER
        effective = T0 + post_id * 7919
        undated = post_id % 10 == 3
        kind = ("feed", "url", "text")[post_id % 3]
        source = {
            "feed": f"https://feed{post_id % 5}.example/rss",
            "url": f"https://site{post_id % 7}.example/p/{post_id}",
            "text": "pasted text",
        }[kind]
        posts.append(
            (
                post_id,
                guild,
                source,
                kind,
                None if kind == "text" else f"https://news.example/{post_id}",
                f"제목 {post_id}",
                f"기자{post_id % 6}",
                None if undated else from_timestamp(effective).isoformat(),
                None if undated else effective,
                "ko",
                f"본문 {post_id} 시장 이야기",
                f"hash{post_id}",
                effective if undated else effective + rng.randint(1, 500_000),
            )
        )
        labels: list[str] = []
        while len(labels) < rng.randint(3, 6):
            label = rng.choices(VOCABULARY, weights)[0]
            if label not in labels:
                labels.append(label)
        if guild == OTHER and post_id % 8 == 0:
            labels.append("only-other")
        if post_id == 5:
            labels.append(labels[0])  # the same label at two ranks: still one post
        themes += [
            (guild, post_id, rank, label, 1.0 - rank / 10) for rank, label in enumerate(labels)
        ]
        for position in range(rng.choice((0, 1, 1, 2, 3))):
            text = rng.choice(["시장은 좋아질 것", "short", "금리는 내려갈 것이다 " * 3, "x" * 250])
            quotes.append(
                (guild, post_id, position, f"{text} {post_id}", rng.choice(SPEAKERS), f"“{text}”")
            )
        for _ in range(rng.choice((0, 1, 2, 3))):
            forecast_id += 1
            forecasts.append(_forecast(rng, forecast_id, guild, post_id, source))
    for _ in range(15):
        forecast_id += 1
        forecasts.append(_forecast(rng, forecast_id, rng.choice((GUILD, OTHER)), None, None))
    for row in forecasts[::5]:
        subscriptions.append((row[1], row[0], USER, T0))
    connection.executemany(
        "INSERT INTO posts (id, guild_id, source, source_kind, canonical_url, title, author,"
        " published_at, published_ts, lang, text, content_hash, ingested_ts)"
        f" VALUES ({','.join('?' * 13)})",
        posts,
    )
    connection.executemany(
        "INSERT INTO post_themes (guild_id, post_id, rank, label, score) VALUES (?, ?, ?, ?, ?)",
        themes,
    )
    connection.executemany(
        "INSERT INTO quotes (guild_id, post_id, position, text, speaker, sentence)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        quotes,
    )
    connection.executemany(
        f"INSERT INTO forecasts ({COLUMNS}, nudge_stage, snoozed_until_ts)"
        f" VALUES ({','.join('?' * 32)})",
        forecasts,
    )
    connection.executemany("INSERT INTO subscriptions VALUES (?, ?, ?, ?)", subscriptions)
    connection.commit()


def _forecast(
    rng: random.Random, forecast_id: int, guild: int, post_id: int | None, source: str | None
) -> tuple[Any, ...]:
    now = to_timestamp(NOW)
    due_ts = None if forecast_id % 7 == 0 else T0 + forecast_id * 35_711
    status = "open"
    outcome = resolved_ts = probability = snoozed = None
    nudge = -1
    if due_ts is not None and due_ts <= now:
        status = rng.choice(("due", "due", "resolved"))
        nudge = rng.choice((0, 7, 30)) if status == "due" else -1
        if status == "due" and forecast_id % 11 == 0:
            snoozed = now - 3600 + forecast_id
    elif forecast_id % 13 == 0:
        status = "resolved"
    if status == "resolved":
        outcome = rng.choice(("correct", "wrong", "partly", "unknown", "withdrawn"))
        resolved_ts = T0 + forecast_id * 10_007
    if rng.random() < 0.4:
        probability = round(rng.uniform(0.05, 0.95), 2)
    manual = post_id is None
    return (
        forecast_id,
        guild,
        post_id,
        "manual" if manual else "analysis",
        f"fp{forecast_id}",
        f"문장 {forecast_id} 시장",
        f"주장 {forecast_id}" + (" HBM" if forecast_id % 3 == 0 else ""),
        rng.choice(SPEAKERS),
        None,
        None,
        None if due_ts is None else from_timestamp(due_ts).date().isoformat(),
        due_ts,
        None if due_ts is None else "day",
        "outlook",
        "likely",
        0.8,
        probability,
        f"제목 {post_id}" if post_id else None,
        f"https://manual.example/{forecast_id % 4}"
        if manual
        else f"https://news.example/{post_id}",
        f"<@{forecast_id % 3}>" if manual else f"기자{(post_id or 0) % 6}",
        None,
        status,
        outcome,
        USER if status == "resolved" else None,
        resolved_ts,
        None,
        None,
        T0 + forecast_id * 101,
        T0 + forecast_id * 101,
        # Some forecasts without a window wait for their post's date; the rest are views.
        int(due_ts is None and not manual and forecast_id % 2 == 0),
        nudge,
        snoozed,
    )


class _PostgresSeeder:
    """What `_seed` needs of a sqlite3 connection, over a blocking psycopg one (the same SQL,
    translated as the store translates it)."""

    def __init__(self, url: str) -> None:
        self._connection = psycopg.connect(url)

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        text, _ = translate(sql)
        with self._connection.cursor() as cursor:
            cursor.executemany(text, rows)

    def commit(self) -> None:
        # The rows carry their ids: move the identity sequences past them.
        for table in ("posts", "quotes", "forecasts"):
            self._connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # type: ignore[arg-type]
                f" (SELECT MAX(id) FROM {table}))"
            )
        self._connection.commit()

    def close(self) -> None:
        self._connection.close()


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """The seeded ledger, on SQLite and on PostgreSQL: the fast queries must answer exactly
    what the plain ones do on both."""
    opened = await Store.open(store_url)
    connection: Any = (
        _PostgresSeeder(store_url)
        if opened.database.dialect == "postgresql"
        else sqlite3.connect(store_url.removeprefix("sqlite:///"))
    )
    try:
        _seed(connection)
    finally:
        connection.close()
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    """The seeded ledger on SQLite only: for the tests of SQLite's query plans."""
    path = tmp_path / "performance.db"
    opened = await Store.open(str(path))
    connection = sqlite3.connect(path)
    try:
        _seed(connection)
    finally:
        connection.close()
    try:
        yield opened
    finally:
        await opened.close()


def _moment(seconds: int) -> datetime:
    return from_timestamp(seconds)


WINDOWS = [
    (T0, T0 + 220 * 7919),
    (T0 + 50 * 7919, T0 + 90 * 7919),
    (T0 + 100 * 7919 + 1, T0 + 101 * 7919 + 1),
    (T0 - 10, T0),
]


async def _rows(store: Store, sql: str, parameters: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in await store.database.fetch_all(sql, parameters)]


# --- themes -------------------------------------------------------------------------------------

OLD_THEME_COUNTS = (
    "SELECT t.label, COUNT(DISTINCT t.post_id) AS n FROM post_themes t"
    " JOIN posts p ON p.id = t.post_id"
    " WHERE t.guild_id = ? AND p.guild_id = ?"
    " AND COALESCE(p.published_ts, p.ingested_ts) >= ? AND COALESCE(p.published_ts, p.ingested_ts) < ?"
    " GROUP BY t.label ORDER BY n DESC, t.label LIMIT ?"
)


@pytest.mark.parametrize("since, until", WINDOWS)
@pytest.mark.parametrize("guild", [GUILD, OTHER])
async def test_theme_counts_match_the_plain_query(
    store: Store, guild: int, since: int, until: int
) -> None:
    for limit in (3, 8, 1000):
        expected = await _rows(store, OLD_THEME_COUNTS, (guild, guild, since, until, limit))
        found = await store.analysis.theme_counts(guild, _moment(since), _moment(until), limit)
        assert [(row.label, row.posts) for row in found] == expected


@pytest.mark.parametrize("since, until", WINDOWS)
async def test_theme_counts_for_counts_every_label_asked(
    store: Store, since: int, until: int
) -> None:
    everything = dict(await _rows(store, OLD_THEME_COUNTS, (GUILD, GUILD, since, until, 10_000)))
    labels = ["AI", "반도체", "only-other", "never-used", "AI", "x%y", "x_y", "label3"]
    counts = await store.analysis.theme_counts_for(GUILD, labels, _moment(since), _moment(until))
    assert counts == {label: everything.get(label, 0) for label in labels}
    assert counts["only-other"] == 0  # the other guild's label is not counted here
    assert counts["never-used"] == 0


@pytest.mark.parametrize("guild", [GUILD, OTHER])
async def test_theme_counts_in_periods_match_theme_counts_for_each_period(
    store: Store, guild: int
) -> None:
    labels = ["AI", "반도체", "only-other", "never-used", "x%y", "label3", "AI"]
    # Unequal periods, the first before any post, edges exactly on posts' dates.
    edges = [T0 - 10**6, T0, T0 + 40 * 7919, T0 + 41 * 7919, T0 + 150 * 7919, T0 + 10**7]
    found = await store.analysis.theme_counts_in_periods(guild, labels, list(map(_moment, edges)))
    expected = [
        await store.analysis.theme_counts_for(guild, labels, _moment(start), _moment(end))
        for start, end in itertools.pairwise(edges)
    ]
    assert found == expected
    assert any(count for period in found for count in period.values())
    assert await store.analysis.theme_counts_in_periods(guild, labels, [_moment(T0)]) == []
    with pytest.raises(ValueError, match="increase"):
        await store.analysis.theme_counts_in_periods(guild, labels, [_moment(T0), _moment(T0)])


async def test_summaries_read_several_posts_of_the_guild_at_once(store: Store) -> None:
    for post_id in (1, 2, 3, 4):
        guild = GUILD if post_id % 4 else OTHER
        await store.database.execute(
            "INSERT INTO post_analysis (post_id, guild_id, summary_json, anchor_date,"
            " analysed_ts) VALUES (?, ?, ?, '2025-06-01', ?)",
            (post_id, guild, f'["요약 {post_id}", "둘째"]', T0),
        )
    found = await store.analysis.summaries(GUILD, [3, 1, 4, 2, 5, 1])
    assert found == {1: ["요약 1", "둘째"], 2: ["요약 2", "둘째"], 3: ["요약 3", "둘째"]}
    for post_id in (1, 2, 3, 5):
        assert found.get(post_id) == await store.analysis.summary(GUILD, post_id)
    assert await store.analysis.summaries(OTHER, [4, 1]) == {4: ["요약 4", "둘째"]}
    assert await store.analysis.summaries(GUILD, []) == {}


async def test_theme_counts_for_counts_a_post_once_and_asks_in_slices(store: Store) -> None:
    since, until = _moment(T0), _moment(T0 + 10**7)
    everything = dict(await _rows(store, OLD_THEME_COUNTS, (GUILD, GUILD, T0, T0 + 10**7, 10_000)))
    labels = [f"unused{n}" for n in range(1200)] + list(everything)
    counts = await store.analysis.theme_counts_for(GUILD, labels, since, until)
    assert {label: n for label, n in counts.items() if n} == everything
    assert len(counts) == len(labels)
    # Post 5 carries its first label twice; it still counts once.
    [(label,)] = await _rows(
        store, "SELECT label FROM post_themes WHERE post_id = 5 AND rank = 0", ()
    )
    alone = await store.analysis.theme_counts_for(
        OTHER if 5 % 4 == 0 else GUILD, [label], _moment(T0 + 5 * 7919), _moment(T0 + 6 * 7919)
    )
    assert alone == {label: 1}
    assert await store.analysis.theme_counts_for(GUILD, [], since, until) == {}


async def test_theme_periods_follow_new_analyses_and_new_dates(store: Store) -> None:
    """theme_periods is kept by triggers: re-analysed themes, a re-dated post, a post deleted
    and a label carried twice all give the plain query's counts."""
    database = store.database
    [post, other_post, gone] = [
        row["id"]
        for row in await database.fetch_all(
            "SELECT id FROM posts WHERE guild_id = ? ORDER BY id LIMIT 3", (GUILD,)
        )
    ]
    async with database.transaction() as transaction:  # re-analysed: new themes
        await transaction.execute("DELETE FROM post_themes WHERE post_id = ?", (post,))
        await transaction.execute(
            "INSERT INTO post_themes (guild_id, post_id, rank, label, score) VALUES"
            " (?, ?, 0, 'fresh', 1.0), (?, ?, 1, 'fresh', 0.9), (?, ?, 2, 'AI', 0.8)",
            (GUILD, post, GUILD, post, GUILD, post),
        )
    await database.execute(  # one of the two 'fresh' rows goes: the post still carries it
        "DELETE FROM post_themes WHERE post_id = ? AND rank = 1", (post,)
    )
    await database.execute(  # dated later
        "UPDATE posts SET published_ts = ? WHERE id = ?", (T0 + 10**6 + 5, other_post)
    )
    await database.execute("DELETE FROM posts WHERE id = ?", (gone,))
    labels = ["fresh", "AI", "반도체", "label3", "HBM"]
    for since, until in [*WINDOWS, (T0, T0 + 10**7), (T0 + 10**6, T0 + 10**6 + 10)]:
        everything = dict(
            await _rows(store, OLD_THEME_COUNTS, (GUILD, GUILD, since, until, 10_000))
        )
        counts = await store.analysis.theme_counts_for(
            GUILD, labels, _moment(since), _moment(until)
        )
        assert counts == {label: everything.get(label, 0) for label in labels}, (since, until)
    assert (
        await store.analysis.theme_counts_for(GUILD, ["fresh"], _moment(T0), _moment(T0 + 10**8))
    )["fresh"] == 1


OLD_THEME_LABELS = (
    "SELECT label, COUNT(*) AS n FROM post_themes WHERE guild_id = ? AND label LIKE ?"
    " ESCAPE '\\' GROUP BY label ORDER BY n DESC LIMIT ?"
)


@pytest.mark.parametrize(
    "prefix",
    ["", "a", "A", "ai", "AI C", "ai c", "반", "반도", "x_", "x%", "X", "Z", "z", "zzz", "\ud7ff"],
)
@pytest.mark.parametrize("guild", [GUILD, OTHER])
async def test_theme_labels_match_the_plain_query(store: Store, guild: int, prefix: str) -> None:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    expected = dict(await _rows(store, OLD_THEME_LABELS, (guild, escaped, 1000)))
    found = await store.analysis.theme_labels(guild, prefix, 1000)
    assert sorted(found) == sorted(expected)
    assert [expected[label] for label in found] == sorted(expected.values(), reverse=True)
    if guild == GUILD:
        assert "only-other" not in found


async def test_theme_labels_fold_ascii_case_only(store: Store) -> None:
    assert set(await store.analysis.theme_labels(GUILD, "ai", 100)) == {
        "AI",
        "AI chips",
        "ai policy",
    }
    assert set(await store.analysis.theme_labels(GUILD, "Z", 100)) == {"Zeta", "zulu"}
    assert set(await store.analysis.theme_labels(GUILD, "x_", 100)) == {"x_y"}
    assert set(await store.analysis.theme_labels(GUILD, "x%", 100)) == {"x%y"}
    assert set(await store.analysis.theme_labels(GUILD, "반도", 100)) == {"반도", "반도체"}
    assert set(await store.analysis.theme_labels(OTHER, "only", 100)) == {"only-other"}
    assert await store.analysis.theme_labels(GUILD, "only", 100) == []


RECENT_THEME_LABELS = (
    "SELECT t.label, COUNT(DISTINCT t.post_id) AS n FROM post_themes t"
    " JOIN posts p ON p.id = t.post_id WHERE t.guild_id = ?"
    " AND COALESCE(p.published_ts, p.ingested_ts) > ? GROUP BY t.label"
)


@pytest.mark.parametrize("guild", [GUILD, OTHER])
async def test_theme_labels_without_a_prefix_rank_the_newest_posts_themes(
    store: Store, monkeypatch: pytest.MonkeyPatch, guild: int
) -> None:
    """Without a prefix, the labels of the guild's newest posts, most carried first (posts,
    not theme rows, are counted); the whole guild once it has no more posts than that."""
    monkeypatch.setattr(analysis_module, "_RECENT_THEME_POSTS", 20)
    effective = sorted(
        (
            row[0]
            for row in await _rows(
                store,
                "SELECT COALESCE(published_ts, ingested_ts) FROM posts WHERE guild_id = ?",
                (guild,),
            )
        ),
        reverse=True,
    )
    expected = dict(await _rows(store, RECENT_THEME_LABELS, (guild, effective[20])))
    found = await store.analysis.theme_labels(guild, "", 5)
    assert len(found) == 5
    ranked = sorted(expected, key=lambda label: (-expected[label], label))
    assert found == ranked[:5]
    # More labels asked for than the newest posts carry: every theme row is counted.
    everything = dict(await _rows(store, OLD_THEME_LABELS, (guild, "%", 1000)))
    assert len(expected) < 1000
    assert sorted(await store.analysis.theme_labels(guild, "", 1000)) == sorted(everything)
    # A guild with no more posts than that: all of them.
    monkeypatch.setattr(analysis_module, "_RECENT_THEME_POSTS", len(effective))
    found = await store.analysis.theme_labels(guild, "", 5)
    assert [everything[label] for label in found] == sorted(everything.values(), reverse=True)[:5]


OLD_POSTS_WITH_THEME = (
    "SELECT DISTINCT t.post_id, COALESCE(p.published_ts, p.ingested_ts) AS effective"
    " FROM post_themes t JOIN posts p ON p.id = t.post_id"
    " WHERE t.guild_id = ? AND t.label = ? AND COALESCE(p.published_ts, p.ingested_ts) >= ?"
    " ORDER BY effective DESC LIMIT ?"
)


@pytest.mark.parametrize("few", [0, 10**9])
async def test_posts_with_theme_match_the_plain_query(
    store: Store, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    monkeypatch.setattr(analysis_module, "_FEW_THEME_POSTS", few)
    for guild in (GUILD, OTHER):
        for label in ("AI", "반도체", "label20", "only-other", "never-used"):
            for since in (None, T0 + 120 * 7919):
                expected = [
                    row[0]
                    for row in await _rows(
                        store, OLD_POSTS_WITH_THEME, (guild, label, since or 0, 7)
                    )
                ]
                found = await store.analysis.posts_with_theme(
                    guild, label, _moment(since) if since else None, limit=7
                )
                assert found == expected


# --- quotes -------------------------------------------------------------------------------------

_OLD_QUOTE_SELECT = (
    "SELECT q.id FROM quotes q JOIN posts p ON p.id = q.post_id WHERE {where}"
    " ORDER BY COALESCE(p.published_ts, p.ingested_ts) DESC, q.position LIMIT ?"
)


async def _old_quotes(
    store: Store, guild: int, theme: str | None, speaker: str | None, query: str | None, limit: int
) -> list[int]:
    clauses = ["q.guild_id = ?"]
    parameters: list[Any] = [guild]
    if theme:
        clauses.append(
            "q.post_id IN (SELECT post_id FROM post_themes WHERE guild_id = ? AND label = ?)"
        )
        parameters += [guild, theme]
    if speaker:
        clauses.append("q.speaker LIKE ? ESCAPE '\\'")
        parameters.append(f"%{speaker}%")
    if query:
        clauses.append("(q.text LIKE ? ESCAPE '\\' OR q.sentence LIKE ? ESCAPE '\\')")
        parameters += [f"%{query}%", f"%{query}%"]
    sql = _OLD_QUOTE_SELECT.format(where=" AND ".join(clauses))
    return [row[0] for row in await _rows(store, sql, (*parameters, limit))]


QUOTE_FILTERS = [
    (None, None, None),
    ("AI", None, None),
    ("label25", None, None),
    ("only-other", None, None),
    (None, "홍", None),
    (None, "lisa", None),
    (None, "nobody", None),
    (None, None, "시장"),
    (None, None, "xxxxx"),
    (None, None, "없는 말"),
    ("AI", "김", "시장"),
    ("반도체", None, "short"),
]


@pytest.mark.parametrize("few, recent", [(0, 3), (0, 40), (0, 10**6), (10**9, 3)])
@pytest.mark.parametrize("theme, speaker, query", QUOTE_FILTERS)
async def test_quotes_match_the_plain_query_on_every_plan(
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    few: int,
    recent: int,
    theme: str | None,
    speaker: str | None,
    query: str | None,
) -> None:
    monkeypatch.setattr(analysis_module, "_FEW_THEME_POSTS", few)
    monkeypatch.setattr(analysis_module, "_RECENT_POSTS", recent)
    for guild in (GUILD, OTHER):
        for limit in (1, 5, 500):
            expected = await _old_quotes(store, guild, theme, speaker, query, limit)
            found = await store.analysis.quotes(
                guild, theme=theme, speaker=speaker, query=query, limit=limit
            )
            assert [quote.id for quote in found] == expected


async def test_quotes_stay_in_their_guild(store: Store) -> None:
    ours = await store.analysis.quotes(GUILD, limit=1000)
    theirs = await store.analysis.quotes(OTHER, limit=1000)
    assert ours and theirs
    guild_of = dict(await _rows(store, "SELECT id, guild_id FROM quotes", ()))
    assert {guild_of[quote.id] for quote in ours} == {GUILD}
    assert {guild_of[quote.id] for quote in theirs} == {OTHER}
    assert await store.analysis.quotes(GUILD, theme="only-other") == []
    [first] = await store.analysis.quotes(GUILD, limit=1)
    assert first.post_title and first.text and first.sentence


OLD_QUOTES_BETWEEN = (
    "SELECT q.id FROM quotes q JOIN posts p ON p.id = q.post_id"
    " WHERE q.guild_id = ? AND COALESCE(p.published_ts, p.ingested_ts) >= ?"
    " AND COALESCE(p.published_ts, p.ingested_ts) < ?"
    " ORDER BY q.speaker IS NULL, LENGTH(q.text) BETWEEN 20 AND 200 DESC, q.id LIMIT ?"
)


@pytest.mark.parametrize("since, until", WINDOWS)
async def test_quotes_between_match_the_plain_query(store: Store, since: int, until: int) -> None:
    for guild in (GUILD, OTHER):
        expected = [
            row[0] for row in await _rows(store, OLD_QUOTES_BETWEEN, (guild, since, until, 9))
        ]
        found = await store.analysis.quotes_between(guild, _moment(since), _moment(until), 9)
        assert [quote.id for quote in found] == expected


# --- the ledger ---------------------------------------------------------------------------------

_OLD_FILTERS = {
    "open": "f.status = 'open' AND f.due_end IS NOT NULL",
    "due": "f.status = 'due'",
    "resolved": "f.status = 'resolved'",
    "undated": "f.due_end IS NULL AND f.status != 'resolved' AND f.needs_date = 0",
    "needs-date": "f.needs_date = 1 AND f.status != 'resolved'",
    "all": "NOT (f.due_end IS NULL AND f.status != 'resolved' AND f.needs_date = 0)",
    "everything": "1 = 1",
}


async def _old_list(
    store: Store,
    guild: int,
    status: str,
    theme: str | None,
    source: str | None,
    query: str | None,
    limit: int,
    offset: int,
) -> list[int]:
    clauses = ["f.guild_id = ?", _OLD_FILTERS[status]]
    parameters: list[Any] = [guild]
    if theme:
        clauses.append(
            "f.post_id IN (SELECT post_id FROM post_themes WHERE guild_id = ? AND label = ?)"
        )
        parameters += [guild, theme]
    if source:
        clauses.append(
            "(f.source_label LIKE ? ESCAPE '\\' OR f.source_url LIKE ? ESCAPE '\\'"
            " OR f.author LIKE ? ESCAPE '\\' OR p.source LIKE ? ESCAPE '\\')"
        )
        parameters += [f"%{source}%"] * 4
    if query:
        clauses.append("(f.claim LIKE ? ESCAPE '\\' OR f.sentence LIKE ? ESCAPE '\\')")
        parameters += [f"%{query}%"] * 2
    sql = (
        "SELECT f.id FROM forecasts f LEFT JOIN posts p ON p.id = f.post_id"
        f" WHERE {' AND '.join(clauses)} ORDER BY f.due_ts IS NULL, f.due_ts, f.id LIMIT ? OFFSET ?"
    )
    return [row[0] for row in await _rows(store, sql, (*parameters, limit, offset))]


@pytest.mark.parametrize("few", [0, 10**9])
@pytest.mark.parametrize("status", list(_OLD_FILTERS))
async def test_ledger_list_matches_the_plain_query(
    store: Store, monkeypatch: pytest.MonkeyPatch, few: int, status: str
) -> None:
    monkeypatch.setattr(ledger_module, "_FEW_THEME_POSTS", few)
    # 0: the trigram index only ever rules a source out; 10**9: it always narrows the search.
    monkeypatch.setattr(ledger_module, "_FEW_SOURCE_MATCHES", few)
    monkeypatch.setattr(ledger_module, "_SMALL_LEDGER", 0)  # PostgreSQL: no ledger is small
    filters = [
        (None, None, None),
        ("AI", None, None),
        ("label20", None, None),
        ("only-other", None, None),
        (None, "feed1.example", None),  # the post's source
        (None, "site3.example", None),  # the forecast's source url
        (None, "manual.example/2", None),
        (None, "<@1>", None),  # the author
        (None, "제목 1", None),  # the source label
        (None, "nowhere", None),
        (None, "https://news.example/1", None),  # longer than a search window
        (None, "FEED1.Example", None),  # LIKE folds ASCII case
        (None, "e/", None),  # too short for trigrams
        (None, '"제목"', None),  # FTS syntax is taken literally
        ("AI", "feed", "HBM"),
        (None, None, "시장"),
    ]
    for guild in (GUILD, OTHER):
        for theme, source, query in filters:
            for limit, offset in ((5, 0), (7, 3), (1000, 0)):
                expected = await _old_list(
                    store, guild, status, theme, source, query, limit, offset
                )
                found = await store.ledger.list(
                    guild,
                    status=status,
                    theme=theme,
                    source=source,
                    query=query,
                    limit=limit,
                    offset=offset,
                )
                assert [forecast.id for forecast in found] == expected, (theme, source, query)
                assert {forecast.guild_id for forecast in found} <= {guild}


OLD_TRACK_RECORD = (
    "SELECT {key} AS k, COUNT(*) AS resolved,"
    " SUM(CASE WHEN f.outcome = 'correct' THEN 1 ELSE 0 END) AS correct,"
    " SUM(CASE WHEN f.outcome = 'partly' THEN 1 ELSE 0 END) AS partly,"
    " SUM(CASE WHEN f.outcome = 'wrong' THEN 1 ELSE 0 END) AS wrong,"
    " AVG(CASE WHEN f.probability IS NOT NULL AND f.outcome IN ('correct', 'wrong', 'partly') THEN"
    "   (f.probability - CASE f.outcome WHEN 'correct' THEN 1.0 WHEN 'partly' THEN 0.5 ELSE 0.0 END)"
    "   * (f.probability - CASE f.outcome WHEN 'correct' THEN 1.0 WHEN 'partly' THEN 0.5 ELSE 0.0 END)"
    " END) AS brier,"
    " SUM(CASE WHEN f.probability IS NOT NULL AND f.outcome IN ('correct', 'wrong', 'partly')"
    " THEN 1 ELSE 0 END) AS with_probability"
    " FROM forecasts f LEFT JOIN posts p ON p.id = f.post_id"
    " WHERE f.guild_id = ? AND f.status = 'resolved' AND f.outcome != 'withdrawn'"
    " GROUP BY k ORDER BY resolved DESC, k LIMIT ?"
)


# The keys as the plain query computed them: the source from the post itself.
OLD_TRACK_RECORD_KEYS = {
    "source": "COALESCE(p.source, f.source_url, 'manual')",
    "author": "COALESCE(f.author, 'unknown author')",
    "speaker": "COALESCE(f.speaker, f.author, 'the author')",
}


@pytest.mark.parametrize("by", ["source", "author", "speaker"])
async def test_track_record_matches_the_plain_query(store: Store, by: str) -> None:
    key = OLD_TRACK_RECORD_KEYS[by]
    for guild in (GUILD, OTHER):
        for limit in (3, 100):
            expected = await _rows(store, OLD_TRACK_RECORD.format(key=key), (guild, limit))
            found = await store.track_record.rows(guild, by, limit)
            assert len(found) == len(expected) > 0
            for row, (k, resolved, correct, partly, wrong, brier, with_probability) in zip(
                found, expected, strict=True
            ):
                assert (row.key, row.resolved, row.correct, row.partly, row.wrong) == (
                    k,
                    resolved,
                    correct or 0,
                    partly or 0,
                    wrong or 0,
                )
                assert row.with_probability == (with_probability or 0)
                assert row.brier == (None if brier is None else pytest.approx(brier))


async def test_subscriptions_match_the_plain_query(store: Store) -> None:
    for guild in (GUILD, OTHER):
        expected = await _rows(
            store,
            "SELECT f.id FROM subscriptions s JOIN forecasts f ON f.id = s.forecast_id"
            " WHERE s.guild_id = ? AND s.user_id = ? AND f.guild_id = ? AND f.status = 'open'"
            " ORDER BY f.due_ts IS NULL, f.due_ts, f.id",
            (guild, USER, guild),
        )
        found = await store.subscriptions.subscribed(guild, USER)
        assert [forecast.id for forecast in found] == [row[0] for row in expected]
        assert found


async def test_the_sweep_queries_match_the_plain_queries(store: Store) -> None:
    now = to_timestamp(NOW)
    async with store.transaction() as transaction:
        for stage in (0, 7, 30):
            for limit in (2, 500):
                expected = await _rows(
                    store,
                    "SELECT id FROM forecasts WHERE status = 'due' AND due_ts <= ?"
                    " AND nudge_stage < ? AND (snoozed_until_ts IS NULL OR snoozed_until_ts <= ?)"
                    " ORDER BY due_ts LIMIT ?",
                    (now - stage * 86400, stage, now, limit),
                )
                found = await store.sweep.needing_nudge(transaction, NOW, stage, limit)
                assert [forecast.id for forecast in found] == [row[0] for row in expected]
        expected = await _rows(
            store,
            "SELECT id, snoozed_until_ts FROM forecasts WHERE snoozed_until_ts IS NOT NULL"
            " AND snoozed_until_ts <= ? AND status = 'due' ORDER BY snoozed_until_ts LIMIT ?",
            (now, 500),
        )
        found = await store.sweep.snooze_ended(transaction, NOW, 500)
        assert [(forecast.id, to_timestamp(until)) for forecast, until in found] == expected
        assert expected


# --- the indexes are used -----------------------------------------------------------------------


async def _plans(store: Store, monkeypatch: pytest.MonkeyPatch, call: Any) -> list[tuple[str, str]]:
    """(sql, query plan) of every read the call makes."""
    seen: list[tuple[str, tuple[Any, ...]]] = []
    database = store.database
    fetch_all, fetch_one = database.fetch_all, database.fetch_one

    async def recording_all(sql: str, parameters: Any = ()) -> Any:
        seen.append((sql, tuple(parameters)))
        return await fetch_all(sql, parameters)

    async def recording_one(sql: str, parameters: Any = ()) -> Any:
        seen.append((sql, tuple(parameters)))
        return await fetch_one(sql, parameters)

    monkeypatch.setattr(database, "fetch_all", recording_all)
    monkeypatch.setattr(database, "fetch_one", recording_one)
    await call()
    monkeypatch.undo()
    plans = []
    for sql, parameters in seen:
        rows = await database.fetch_all("EXPLAIN QUERY PLAN " + sql, parameters)
        plans.append((sql, " | ".join(row["detail"] for row in rows)))
    return plans


async def test_period_queries_use_the_effective_date_index(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    since, until = _moment(T0), _moment(T0 + 10**6)
    [(_, plan)] = await _plans(
        sqlite_store, monkeypatch, lambda: sqlite_store.analysis.theme_counts(GUILD, since, until)
    )
    # The period's range of theme_periods (migration 0014), from the index alone.
    assert (
        "SEARCH theme_periods USING COVERING INDEX theme_periods_guild_effective"
        " (guild_id=? AND effective_ts>? AND effective_ts<?)" in plan
    )
    [(_, plan)] = await _plans(
        sqlite_store,
        monkeypatch,
        lambda: sqlite_store.analysis.theme_counts_for(GUILD, ["AI"], since, until),
    )
    # Each asked label's range of theme_periods (migration 0011), no post read.
    assert (
        "SEARCH theme_periods USING PRIMARY KEY (guild_id=? AND label=? AND effective_ts>?" in plan
    )
    [(_, plan)] = await _plans(
        sqlite_store, monkeypatch, lambda: sqlite_store.posts.count_between(GUILD, since, until)
    )
    assert "posts_guild_effective" in plan


async def test_ledger_listings_use_the_order_indexes(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {
        "all": "forecasts_guild_due_order",
        "open": "forecasts_guild_status_due_order",
        "undated": "forecasts_guild_undated",
        "needs-date": "forecasts_guild_needs_date",
    }
    for status, index in expected.items():
        [(_, plan)] = await _plans(
            sqlite_store,
            monkeypatch,
            lambda status=status: sqlite_store.ledger.list(GUILD, status=status),
        )
        assert index in plan and "TEMP B-TREE" not in plan
    [(_, plan)] = await _plans(
        sqlite_store, monkeypatch, lambda: sqlite_store.track_record.rows(GUILD, "source")
    )
    # Each forecast's post source is on the forecast (migration 0018): no post is read.
    assert "COVERING INDEX forecasts_guild_track_record" in plan and "posts" not in plan
    [(_, plan)] = await _plans(
        sqlite_store, monkeypatch, lambda: sqlite_store.analysis.theme_labels(GUILD, "ai")
    )
    assert "post_themes_guild_label_nocase (guild_id=? AND label>? AND label<?)" in plan


async def test_corpus_statistics_count_the_guild_by_its_index(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted for every post ingested: one guild's index entries, not every guild's rows."""
    await sqlite_store.database.execute(
        "INSERT INTO post_analysis (post_id, guild_id, summary_json, anchor_date, analysed_ts)"
        " SELECT id, guild_id, '[]', '2025-01-01', 0 FROM posts"
    )
    size, _ = await sqlite_store.analysis.corpus_statistics(None, GUILD, ["AI"])
    plain = await sqlite_store.database.fetch_one(
        "SELECT COUNT(*) AS n FROM post_analysis NOT INDEXED WHERE guild_id = ?", (GUILD,)
    )
    assert plain is not None and size == plain["n"] > 0
    plans = await _plans(
        sqlite_store,
        monkeypatch,
        lambda: sqlite_store.analysis.corpus_statistics(None, GUILD, ["AI"]),
    )
    assert "post_analysis_guild" in plans[0][1]


async def test_a_rare_source_is_looked_up_in_the_trigram_index(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = await _plans(
        sqlite_store,
        monkeypatch,
        lambda: sqlite_store.ledger.list(GUILD, source="manual.example/2"),
    )
    # The guild's distinct post sources say the text is rare (one range of their key)...
    assert plans[0][1] == "SEARCH post_sources USING PRIMARY KEY (guild_id=?)"
    assert "forecast_sources" in plans[1][1]  # ...the index answers which forecasts can match
    # Then just those forecasts are read, by id: not the guild's whole ledger.
    assert "SEARCH f USING INTEGER PRIMARY KEY" in plans[2][1]
    assert "forecasts_guild_due_order" not in plans[2][1]


async def test_a_common_post_source_skips_the_trigram_index(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_module, "_FEW_SOURCE_MATCHES", 5)  # feed1 has 11 posts: many
    plans = await _plans(
        sqlite_store, monkeypatch, lambda: sqlite_store.ledger.list(GUILD, source="feed1.example")
    )
    assert len(plans) == 2  # the count of matching posts, then the walk; no trigram lookup
    assert "forecast_sources" not in plans[1][1]
    # The walk's matching posts: the guild's matching sources, then each one's posts by index.
    assert "SEARCH s USING PRIMARY KEY (guild_id=?)" in plans[1][1]
    assert (
        "SEARCH p USING COVERING INDEX posts_guild_source (guild_id=? AND source=?)"
        in (plans[1][1])
    )


async def test_the_migration_indexes_exist(sqlite_store: Store) -> None:
    rows = await sqlite_store.database.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'index'"
    )
    names = {row["name"] for row in rows}
    assert {
        "posts_guild_effective",
        "posts_id_source",
        "posts_guild_source",
        "posts_guild",
        "post_themes_post_label",
        "post_themes_guild_label_nocase",
        "forecasts_guild_due_order",
        "forecasts_guild_status_due_order",
        "forecasts_guild_undated",
        "forecasts_guild_claim_order",
        "forecasts_guild_resolved",
        "forecasts_guild_track_record",
        "forecasts_due_nudge",
        "forecasts_guild_needs_date",
        "post_analysis_guild",
    } <= names


async def test_the_source_index_follows_changed_and_deleted_forecasts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_module, "_FEW_SOURCE_MATCHES", 10**9)  # always ask the index
    monkeypatch.setattr(ledger_module, "_SMALL_LEDGER", 0)  # PostgreSQL: no ledger is small
    [renamed, deleted] = [
        row["id"]
        for row in await store.database.fetch_all(
            "SELECT id FROM forecasts WHERE guild_id = ? AND post_id IS NOT NULL ORDER BY id"
            " LIMIT 2",
            (GUILD,),
        )
    ]
    await store.database.execute(
        "UPDATE forecasts SET source_label = 'Renamed Quarterly' WHERE id = ?", (renamed,)
    )
    await store.database.execute("DELETE FROM forecasts WHERE id = ?", (deleted,))
    for source in ("renamed quarterly", "제목", "feed1", "site3.example"):
        expected = await _old_list(store, GUILD, "all", None, source, None, 1000, 0)
        found = await store.ledger.list(GUILD, source=source, limit=1000)
        assert [forecast.id for forecast in found] == expected, source
    assert [f.id for f in await store.ledger.list(GUILD, source="Renamed Quarterly")] == [renamed]
    assert deleted not in {f.id for f in await store.ledger.list(GUILD, source="example")}


_COUNTED_DUE = "SELECT COUNT(*) FROM forecasts WHERE guild_id = ? AND status = 'due'"


async def test_count_overdue_adds_the_due_and_the_open_past_their_date(store: Store) -> None:
    for guild in (GUILD, OTHER):
        for now in (T0, T0 + 200 * 35_711, to_timestamp(NOW), T0 + 10**9):
            moment = _moment(now)
            [(marked_due,)] = await _rows(store, _COUNTED_DUE, (guild,))
            expected = marked_due + (
                await store.ledger.count_between(guild, "due_ts", _moment(0), moment, status="open")
            )
            assert await store.ledger.count_awaiting_verdict(guild) == marked_due > 0
            assert await store.ledger.count_overdue(guild, moment) == expected > 0


# --- post_sources (migration 0016) --------------------------------------------------------------

_COUNTED_SOURCES = "SELECT guild_id, source, COUNT(*) FROM posts GROUP BY guild_id, source ORDER BY guild_id, source"
_KEPT_SOURCES = "SELECT guild_id, source, posts FROM post_sources ORDER BY guild_id, source"


async def _post_sources_in_step(store: Store) -> list[tuple[Any, ...]]:
    kept = await _rows(store, _KEPT_SOURCES, ())
    assert kept == await _rows(store, _COUNTED_SOURCES, ())
    return kept


async def test_post_sources_follow_inserted_deleted_and_moved_posts(store: Store) -> None:
    from digests.ingest.text import content_hash
    from digests.models import Post, SourceKind

    kept = await _post_sources_in_step(store)
    assert (GUILD, "https://feed1.example/rss", 11) in kept  # many posts, one row

    async def add(source: str, guild: int = GUILD) -> int:
        text = f"새 글 {source} {guild}"
        post = Post(
            guild_id=guild,
            source=source,
            source_kind=SourceKind.URL,
            canonical_url=None,
            title="새 글",
            published=None,
            lang="ko",
            text=text,
            content_hash=content_hash(text),
        )
        async with store.transaction() as transaction:
            return await store.posts.insert(transaction, post, NOW)

    new_source = await add("https://brand-new.example/a")
    await add("https://feed1.example/rss")
    kept = await _post_sources_in_step(store)
    assert (GUILD, "https://brand-new.example/a", 1) in kept
    assert (GUILD, "https://feed1.example/rss", 12) in kept
    # A failed write leaves no count behind.
    with pytest.raises(RuntimeError):
        async with store.transaction() as transaction:
            await transaction.execute(
                "UPDATE posts SET source = 'never kept' WHERE id = ?", (new_source,)
            )
            raise RuntimeError("rolled back")
    await _post_sources_in_step(store)
    # Moved to another guild, then given another source: counted for the new pair only.
    await store.database.execute("UPDATE posts SET guild_id = ? WHERE id = ?", (OTHER, new_source))
    kept = await _post_sources_in_step(store)
    assert (OTHER, "https://brand-new.example/a", 1) in kept
    assert not [row for row in kept if row[:2] == (GUILD, "https://brand-new.example/a")]
    await store.database.execute(
        "UPDATE posts SET source = 'https://feed1.example/rss' WHERE id = ?", (new_source,)
    )
    kept = await _post_sources_in_step(store)
    assert "https://brand-new.example/a" not in {row[1] for row in kept}
    # Deleted posts (children go with them): a source's row goes with its last post.
    await store.database.execute("DELETE FROM posts WHERE source = 'https://feed1.example/rss'")
    kept = await _post_sources_in_step(store)
    assert "https://feed1.example/rss" not in {row[1] for row in kept}
    assert kept != []
    assert (
        await store.ledger.list(GUILD, source="feed1.example")
        == await store.ledger.list(GUILD, source="feed1.example", limit=1000)
        == []
    )


async def test_migration_0016_back_fills_post_sources(store: Store) -> None:
    database = store.database
    postgresql = database.dialect == "postgresql"
    counted = await _rows(store, _COUNTED_SOURCES, ())
    # Back to the schema before migration 0016, with the seeded posts in place.
    for trigger in ("post_sources_insert", "post_sources_delete", "post_sources_update"):
        await database.execute(f"DROP TRIGGER {trigger}" + (" ON posts" if postgresql else ""))
    await database.execute("DROP TABLE post_sources")
    if postgresql:
        await database.execute("DROP FUNCTION post_sources_changed()")
    await database.execute("DELETE FROM schema_migrations WHERE version = 16")

    assert await database.migrate() == [16]
    assert await _rows(store, _KEPT_SOURCES, ()) == counted != []
    await database.execute("DELETE FROM posts WHERE id = 1")  # the triggers are back too
    await _post_sources_in_step(store)


# --- forecast_counts and forecasts.post_source (migration 0018) -------------------------------

_KEPT_COUNTS = (
    "SELECT guild_id, status, forecasts FROM forecast_counts WHERE forecasts != 0"
    " ORDER BY guild_id, status"
)
_COUNTED_STATUSES = (
    "SELECT guild_id, status, COUNT(*) FROM forecasts GROUP BY guild_id, status"
    " ORDER BY guild_id, status"
)
# Forecasts whose post_source is not their post's source (NULL without a post).
_ASTRAY_POST_SOURCES = (
    "SELECT f.id, f.post_source, p.source FROM forecasts f LEFT JOIN posts p ON p.id = f.post_id"
    " WHERE NOT (f.post_source = p.source OR (f.post_source IS NULL AND p.source IS NULL))"
)


async def _summaries_in_step(store: Store) -> list[tuple[Any, ...]]:
    kept = await _rows(store, _KEPT_COUNTS, ())
    assert kept == await _rows(store, _COUNTED_STATUSES, ())
    assert await _rows(store, _ASTRAY_POST_SOURCES, ()) == []
    return kept


async def _add_forecast(store: Store, guild: int, post_id: int | None, status: str) -> int:
    async with store.transaction() as transaction:
        return await transaction.insert(
            "INSERT INTO forecasts (guild_id, post_id, origin, fingerprint, sentence, claim, kind,"
            " hedge, confidence, status, created_ts, updated_ts)"
            " VALUES (?, ?, 'manual', ?, 's', 'c', 'outlook', 'likely', 0.5, ?, 0, 0)",
            (guild, post_id, f"added-{guild}-{post_id}-{status}", status),
        )


async def test_forecast_counts_follow_added_deleted_judged_and_moved_forecasts(
    store: Store,
) -> None:
    kept = await _summaries_in_step(store)
    assert {row[1] for row in kept if row[0] == GUILD} == {"open", "due", "resolved"}
    due_before = await store.ledger.count_awaiting_verdict(GUILD)

    added = await _add_forecast(store, GUILD, 4, "due")
    await _summaries_in_step(store)
    assert await store.ledger.count_awaiting_verdict(GUILD) == due_before + 1
    # A failed write leaves no count behind.
    with pytest.raises(RuntimeError):
        async with store.transaction() as transaction:
            await transaction.execute(
                "UPDATE forecasts SET status = 'resolved' WHERE id = ?", (added,)
            )
            raise RuntimeError("rolled back")
    assert await store.ledger.count_awaiting_verdict(GUILD) == due_before + 1
    # Judged, judged again (no change of status), moved to another guild, deleted.
    await store.database.execute("UPDATE forecasts SET status = 'resolved' WHERE id = ?", (added,))
    await store.database.execute("UPDATE forecasts SET outcome = 'wrong' WHERE id = ?", (added,))
    await _summaries_in_step(store)
    await store.database.execute("UPDATE forecasts SET guild_id = ? WHERE id = ?", (OTHER, added))
    await _summaries_in_step(store)
    await store.database.execute(
        "UPDATE forecasts SET guild_id = ?, status = 'open' WHERE id = ?", (GUILD, added)
    )
    await _summaries_in_step(store)
    await store.database.execute("DELETE FROM forecasts WHERE id = ?", (added,))
    assert await _summaries_in_step(store) == kept
    # Many rows in one statement (the sweep marks a day's windows due at once), then all
    # of a guild's forecasts deleted.
    await store.database.execute(
        "UPDATE forecasts SET status = 'due' WHERE guild_id = ? AND status = 'open'", (GUILD,)
    )
    assert await store.ledger.count_awaiting_verdict(GUILD) > due_before
    await _summaries_in_step(store)
    await store.database.execute("DELETE FROM forecasts WHERE guild_id = ?", (OTHER,))
    assert {row[0] for row in await _summaries_in_step(store)} == {GUILD}
    assert await store.ledger.count_awaiting_verdict(OTHER) == 0


async def test_post_source_follows_the_forecasts_post(store: Store) -> None:
    await _summaries_in_step(store)
    [(post_id, source)] = await _rows(store, "SELECT id, source FROM posts WHERE id = 5", ())
    added = await _add_forecast(store, GUILD, post_id, "resolved")
    manual = await _add_forecast(store, GUILD, None, "resolved")
    [(kept,)] = await _rows(store, "SELECT post_source FROM forecasts WHERE id = ?", (added,))
    assert kept == source
    await _summaries_in_step(store)
    # The post given another source; the forecast pointed at another post, then at none.
    await store.database.execute(
        "UPDATE posts SET source = 'https://renamed.example/rss' WHERE id = ?", (post_id,)
    )
    await _summaries_in_step(store)
    await store.database.execute("UPDATE forecasts SET post_id = 6 WHERE id = ?", (added,))
    await _summaries_in_step(store)
    await store.database.execute("UPDATE forecasts SET post_id = NULL WHERE id = ?", (added,))
    await _summaries_in_step(store)
    await store.database.execute("UPDATE forecasts SET post_id = 7 WHERE id = ?", (manual,))
    await _summaries_in_step(store)
    # A deleted post's forecasts keep no source of it (the foreign key points them at none).
    await store.database.execute("DELETE FROM posts WHERE id = 7")
    [(after_delete,)] = await _rows(
        store, "SELECT post_source FROM forecasts WHERE id = ?", (manual,)
    )
    assert after_delete is None
    await _summaries_in_step(store)
    # And the track record by source still answers what the plain query answers.
    expected = await _rows(
        store,
        OLD_TRACK_RECORD.format(key=OLD_TRACK_RECORD_KEYS["source"]),
        (GUILD, 100),
    )
    found = await store.track_record.rows(GUILD, "source", 100)
    assert [(row.key, row.resolved) for row in found] == [row[:2] for row in expected]


async def test_migration_0018_back_fills_counts_and_post_sources(store: Store) -> None:
    database = store.database
    postgresql = database.dialect == "postgresql"
    counted = await _rows(store, _COUNTED_STATUSES, ())
    # Back to the schema before migration 0018, with the seeded rows in place.
    triggers = {
        "forecasts": [
            "forecast_counts_insert",
            "forecast_counts_delete",
            "forecast_counts_update",
            "forecasts_post_source_insert",
            "forecasts_post_source_update",
        ],
        "posts": ["posts_source_forecasts"],
    }
    for table, names in triggers.items():
        for trigger in names:
            await database.execute(
                f"DROP TRIGGER IF EXISTS {trigger}" + (f" ON {table}" if postgresql else "")
            )
    await database.execute("DROP TABLE forecast_counts")
    await database.execute("DROP INDEX forecasts_guild_track_record")
    await database.execute("ALTER TABLE forecasts DROP COLUMN post_source")
    await database.execute(
        "CREATE INDEX forecasts_guild_track_record ON forecasts (guild_id, status, post_id,"
        " outcome, probability, author, speaker, source_url) WHERE status = 'resolved'"
    )
    if postgresql:
        for function in (
            "forecast_counts_changed",
            "forecasts_post_source",
            "posts_source_forecasts",
        ):
            await database.execute(f"DROP FUNCTION {function}()")
    await database.execute("DELETE FROM schema_migrations WHERE version = 18")

    assert await database.migrate() == [18]
    assert await _summaries_in_step(store) == counted != []
    [(with_source,)] = await _rows(
        store, "SELECT COUNT(*) FROM forecasts WHERE post_source IS NOT NULL", ()
    )
    assert with_source > 0
    # The triggers are back too.
    await _add_forecast(store, GUILD, 3, "due")
    await store.database.execute("UPDATE posts SET source = 'moved' WHERE id = 3")
    await _summaries_in_step(store)


@pytest.mark.parametrize("few", [0, 10**9])
async def test_source_filter_folds_case_as_each_engines_like(
    store: Store, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """PostgreSQL tests one lower-cased text of label, link and author (source_text,
    migration 0019) instead of three ILIKEs: the same answers, non-ASCII letters and a text
    spanning two fields included."""
    monkeypatch.setattr(ledger_module, "_FEW_SOURCE_MATCHES", few)
    monkeypatch.setattr(ledger_module, "_SMALL_LEDGER", 0)  # PostgreSQL: no ledger is small
    [(first,), (second,)] = await _rows(
        store, "SELECT id FROM forecasts WHERE guild_id = ? ORDER BY id LIMIT 2", (GUILD,)
    )
    await store.database.execute(
        "UPDATE forecasts SET source_label = 'ÄRZTE Zeitung', author = 'Ōno' WHERE id = ?",
        (first,),
    )
    await store.database.execute(
        "UPDATE forecasts SET source_label = 'ärzte zeitung', source_url = NULL WHERE id = ?",
        (second,),
    )
    for text in ("ärzte zeit", "ÄRZTE", "ōno", "zeitung\nhttps", "Zeitung", "tung\n"):
        expected = await _old_list(store, GUILD, "all", None, text, None, 1000, 0)
        found = await store.ledger.list(GUILD, source=text, limit=1000)
        assert [forecast.id for forecast in found] == expected, text
    found = {f.id for f in await store.ledger.list(GUILD, source="Zeitung", limit=1000)}
    assert {first, second} <= found


async def test_a_small_ledger_on_postgresql_is_walked_without_the_trigram_lookup(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most _SMALL_LEDGER forecasts (forecast_counts): PostgreSQL walks the listing rather
    than read forecast_sources' posting lists; SQLite always asks its index for a rare text.
    Either way the answers are the plain query's."""
    monkeypatch.setattr(ledger_module, "_FEW_SOURCE_MATCHES", 10**9)
    asked: list[str] = []
    fetch_all = store.database.fetch_all

    async def recording(sql: str, parameters: Any = ()) -> Any:
        asked.append(sql)
        return await fetch_all(sql, parameters)

    monkeypatch.setattr(store.database, "fetch_all", recording)
    for small, text in itertools.product((0, 10**9), ("site3.example", "제목 1", "기자2")):
        monkeypatch.setattr(ledger_module, "_SMALL_LEDGER", small)
        asked.clear()
        found = await store.ledger.list(GUILD, source=text, limit=1000)
        expected = await _old_list(store, GUILD, "all", None, text, None, 1000, 0)
        assert [forecast.id for forecast in found] == expected != [], text
        looked_up = any("forecast_sources" in sql for sql in asked)
        assert looked_up == (store.database.dialect == "sqlite" or small == 0), (small, text)
