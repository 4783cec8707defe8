"""Moving a whole ledger between stores: every table, ids kept, derived tables rebuilt, the
target refused unless empty, nothing half copied. (SQLite → SQLite here; the PostgreSQL
directions run where a server is available.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.errors import InputError
from digests.ledger.service import Actor
from digests.store import Store
from digests.store.database import Database
from digests.store.transfer import copy_ledger, ledger_tables, migrate_store
from tests.conftest import make_settings
from tests.reminders.recording import RecordingTransport
from tests.support import stores
from tests.support.local_http import FeedItem, LocalHTTPServer, rss_xml

GUILD = 1_190_000_000_000_000_101
OTHER = 1_190_000_000_000_000_202
ALICE = Actor(GUILD, 400_000_000_000_000_001)
BOB = Actor(GUILD, 400_000_000_000_000_002)
KOREAN_POST = (
    "반도체 업황 메모. 삼성전자는 2026년 상반기에 HBM 공급을 두 배로 늘릴 것이다. "
    '김애널리스트는 "메모리 가격은 내년 2분기까지 오를 것"이라고 말했다. '
    "배터리 업체들의 수익성은 하반기에 회복될 전망이다."
)


async def populate(services: Services, clock: ManualClock, server: LocalHTTPServer) -> None:
    """A ledger with a row in every table, written the way the bot writes it."""
    await services.ingest.ingest_text(
        KOREAN_POST, GUILD, title="반도체 메모", published=clock.now() - timedelta(days=2)
    )
    feed_url = server.feed(
        "/feed.xml",
        rss_xml(
            "시장 블로그",
            "https://blog.example/",
            [
                FeedItem(
                    title="시장 메모",
                    link="https://blog.example/posts/1",
                    guid="post-1",
                    author="김작가",
                    published="Mon, 08 Dec 2025 09:00:00 +0900",
                    summary="반도체 업황은 내년 상반기에 회복될 것이다. 메모리 가격도 오를 것이다.",
                )
            ],
        ),
    )
    await services.feeds.add(GUILD, feed_url, channel_id=555, added_by="alice")
    await services.reminders.set_channel(GUILD, 500)
    first = await services.ledger.add(ALICE, claim="Rates fall by spring", due="2025-12-20")
    second = await services.ledger.add(BOB, claim="KOSPI above 3000", due="2026-06-30")
    await services.ledger.add(Actor(OTHER, 7), claim="Other server's claim", due="2025-12-20")
    await services.ledger.vote(BOB, first.id, "correct")
    await services.ledger.remind_at(BOB, second.id, "2026-01-10")
    await services.digests.schedule(GUILD, channel_id=600, weekday="daily", days=1)
    await services.store.jobs.record(
        OTHER, "digest", error="boom", now=clock.now(), wait=[timedelta(minutes=5)]
    )
    await services.store.leases.take(
        "feed:999",
        guild_id=GUILD,
        holder="w",
        now=clock.now(),
        until=clock.now() + timedelta(days=30),
    )
    clock.set(datetime(2025, 12, 21, 1, tzinfo=UTC))
    await services.scheduler(RecordingTransport()).tick()  # reminders, a digest, deliveries


async def counts(database: Database) -> dict[str, int]:
    found = {}
    for shape in ledger_tables():
        row = await database.fetch_one(f"SELECT COUNT(*) AS n FROM {shape.name}")
        found[shape.name] = row["n"] if row else 0
    return found


async def dump(database: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every copied table, in key order."""
    rows = {}
    for shape in ledger_tables():
        found = await database.fetch_all(
            f"SELECT {', '.join(shape.columns)} FROM {shape.name} ORDER BY {', '.join(shape.key)}"
        )
        rows[shape.name] = [tuple(row) for row in found]
    return rows


@pytest.fixture
async def source(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Path]:
    """A SQLite ledger with rows in every table (closed again)."""
    settings = make_settings(tmp_path / "source")
    async with LocalHTTPServer() as server:
        services = await Services.open(settings, clock)
        try:
            await populate(services, clock, server)
        finally:
            await services.close()
    yield Path(settings.database_path)


def test_every_table_but_the_derived_ones_is_moved() -> None:
    names = {shape.name for shape in ledger_tables()}
    assert {
        "posts",
        "post_analysis",
        "forecasts",
        "votes",
        "subscriptions",
        "user_reminders",
        "outbox",
        "guild_settings",
        "feeds",
        "feed_entries",
        "digests",
        "job_failures",
        "leases",
        "forecast_events",
        "quotes",
        "post_terms",
        "post_themes",
    } <= names
    # Kept in step by triggers: rebuilt as the copied rows arrive, never copied.
    assert names.isdisjoint(
        {
            "posts_fts",
            "forecast_sources",
            "theme_periods",
            "post_sources",
            "forecast_counts",
            "schema_migrations",
        }
    )
    order = [shape.name for shape in ledger_tables()]
    assert order.index("posts") < order.index("forecasts") < order.index("votes")


async def _counted_in_step(database: Database) -> list[tuple[object, ...]]:
    """forecast_counts (migration 0018), checked against a count of the forecasts, and each
    forecast's post_source against its post."""
    kept = await database.fetch_all(
        "SELECT guild_id, status, forecasts FROM forecast_counts WHERE forecasts > 0"
        " ORDER BY guild_id, status"
    )
    counted = await database.fetch_all(
        "SELECT guild_id, status, COUNT(*) AS n FROM forecasts"
        " GROUP BY guild_id, status ORDER BY guild_id, status"
    )
    assert [tuple(row) for row in kept] == [tuple(row) for row in counted]
    astray = await database.fetch_one(
        "SELECT COUNT(*) AS n FROM forecasts f LEFT JOIN posts p ON p.id = f.post_id"
        " WHERE NOT (f.post_source = p.source OR (f.post_source IS NULL AND p.source IS NULL))"
    )
    assert astray["n"] == 0
    return [tuple(row) for row in kept]


async def test_the_whole_ledger_moves_with_its_ids(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "target.db"
    moved = await migrate_store(f"sqlite:///{source}", f"sqlite:///{target}")

    before, after = await Database.open(str(source)), await Database.open(str(target))
    try:
        source_counts = await counts(before)
        assert [t for t, n in source_counts.items() if n == 0] == []  # every table tested
        assert {c.table: (c.source, c.target) for c in moved} == {
            table: (n, n) for table, n in source_counts.items()
        }
        assert await dump(after) == await dump(before)
        # Page by page (one row a page: keyset paging over composite keys too), the same.
        paged = await Database.open(str(tmp_path / "paged.db"))
        try:
            await copy_ledger(before, paged, page_rows=1)
            assert await dump(paged) == await dump(before)
        finally:
            await paged.close()
        # Derived tables were rebuilt by the triggers: search and theme history still work.
        for table in ("theme_periods", "posts_fts"):
            count = "SELECT COUNT(*) AS n FROM " + table
            assert (await after.fetch_one(count))["n"] == (await before.fetch_one(count))["n"] > 0
        sources = "SELECT guild_id, source, posts FROM post_sources ORDER BY guild_id, source"
        assert (
            [tuple(row) for row in await after.fetch_all(sources)]
            == [tuple(row) for row in await before.fetch_all(sources)]
            != []
        )
        assert await _counted_in_step(after) == await _counted_in_step(before) != []
    finally:
        await before.close()
        await after.close()
    # New rows continue after the copied ids.
    store = await Store.open(str(target))
    try:
        async with store.transaction() as transaction:
            new_id = await transaction.insert(
                "INSERT INTO job_failures (guild_id, job, failure_count, first_failure_ts,"
                " last_failure_ts, retry_ts, last_error) VALUES (?, 'x', 1, 0, 0, 0, 'e')",
                (GUILD,),
            )
        assert new_id > 0
    finally:
        await store.close()


async def test_a_target_with_data_is_refused_and_left_alone(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "target.db"
    store = await Store.open(str(target))
    try:
        await store.leases.take(
            "feed:9", guild_id=GUILD, holder="x", now=datetime.now(UTC), until=datetime.now(UTC)
        )
    finally:
        await store.close()
    with pytest.raises(InputError) as refused:
        await migrate_store(f"sqlite:///{source}", f"sqlite:///{target}")
    assert refused.value.user_message.startswith("--to:") or "--to" in str(refused.value)
    assert "not empty" in str(refused.value) and "leases (1 rows)" in str(refused.value)
    database = await Database.open(str(target))
    try:
        assert (await counts(database))["leases"] == 1 and (await counts(database))["posts"] == 0
    finally:
        await database.close()


async def test_a_failed_copy_leaves_the_target_empty(source: Path, tmp_path: Path) -> None:
    source_db, target_db = (
        await Database.open(str(source)),
        await Database.open(str(tmp_path / "t.db")),
    )
    try:
        # A trigger on the target refuses the votes: the copy fails after posts, forecasts…
        await target_db.execute(
            "CREATE TRIGGER refuse_votes BEFORE INSERT ON votes BEGIN"
            " SELECT RAISE(ABORT, 'refused'); END"
        )
        with pytest.raises(Exception, match="refused"):
            await copy_ledger(source_db, target_db, page_rows=1)
        assert set((await counts(target_db)).values()) == {0}
    finally:
        await source_db.close()
        await target_db.close()


async def test_bad_urls_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no SQLite file"):
        await migrate_store(
            f"sqlite:///{tmp_path / 'missing.db'}", f"sqlite:///{tmp_path / 't.db'}"
        )
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(InputError, match="same store"):
        await migrate_store(f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'a.db'}")
    (tmp_path / "a.db").touch()
    with pytest.raises(InputError, match="mysql"):
        await migrate_store(f"sqlite:///{tmp_path / 'a.db'}", "mysql://db/x")


@pytest.mark.postgresql
async def test_sqlite_to_postgresql_and_back_keeps_every_row(
    source: Path, tmp_path: Path, postgres_admin_url: str
) -> None:
    name = await stores.create_empty_database(postgres_admin_url, "hindsight_transfer")
    server = stores.database_url(postgres_admin_url, name)
    try:
        there = await migrate_store(f"sqlite:///{source}", server)
        back = await migrate_store(server, f"sqlite:///{tmp_path / 'back.db'}")
        assert [(c.table, c.source, c.target) for c in back] == [
            (c.table, c.target, c.target) for c in there
        ]
        before, after = (
            await Database.open(str(source)),
            await Database.open(str(tmp_path / "back.db")),
        )
        try:
            assert await dump(after) == await dump(before)
        finally:
            await before.close()
            await after.close()
        # On PostgreSQL, ids go on after the copied ones, and derived tables were rebuilt.
        store = await Store.open(server)
        try:
            largest = await store.database.fetch_one("SELECT MAX(id) AS n FROM forecast_events")
            async with store.transaction() as transaction:
                new_id = await transaction.insert(
                    "INSERT INTO forecast_events (guild_id, forecast_id, kind, actor,"
                    " payload_json, created_ts) SELECT guild_id, forecast_id, 'note', actor,"
                    " payload_json, created_ts FROM forecast_events WHERE id = ?",
                    (largest["n"],),
                )
            assert new_id == largest["n"] + 1
            periods = await store.database.fetch_one("SELECT COUNT(*) AS n FROM theme_periods")
            assert periods["n"] > 0
            # post_sources was rebuilt by its triggers, one row per guild and source.
            rebuilt = await store.database.fetch_all(
                "SELECT guild_id, source, posts FROM post_sources ORDER BY guild_id, source"
            )
            counted = await store.database.fetch_all(
                "SELECT guild_id, source, COUNT(*) AS n FROM posts"
                " GROUP BY guild_id, source ORDER BY guild_id, source"
            )
            assert [tuple(row) for row in rebuilt] == [tuple(row) for row in counted] != []
            # forecast_counts was counted once after the copy, and its triggers are on again.
            assert await _counted_in_step(store.database) != []
            await store.database.execute(
                "UPDATE forecasts SET status = 'resolved' WHERE status != 'resolved'"
            )
            assert await _counted_in_step(store.database) != []
        finally:
            await store.close()
        # A second copy into the same server is refused: it is not empty any more.
        with pytest.raises(InputError, match="not empty"):
            await migrate_store(f"sqlite:///{source}", server)
    finally:
        await stores.drop_database(postgres_admin_url, name)
