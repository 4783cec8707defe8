"""The SQLite database: numbered migrations, WAL, foreign keys and all-or-nothing transactions.

Every test opens a real SQLite file in its own temporary folder.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import aiosqlite
import pytest

from digests.ingest.text import content_hash
from digests.models import Post, SourceKind
from digests.store import Store
from digests.store import database as database_module
from digests.store.database import (
    MIGRATION_NAME,
    Database,
    Migration,
    SqliteDatabase,
    load_migrations,
)

NOW = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)


def _post(text: str, guild_id: int = 1) -> Post:
    return Post(
        guild_id=guild_id,
        source="test",
        source_kind=SourceKind.TEXT,
        title="제목",
        lang="ko",
        text=text,
        content_hash=content_hash(text),
    )


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "nested" / "hindsight.db")


@pytest.fixture
async def store(db_path: str) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


async def _tables(database: Database) -> set[str]:
    rows = await database.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


# --- migration files --------------------------------------------------------------------------


def test_migration_files_are_numbered_from_one_each_number_once() -> None:
    migrations = load_migrations()

    assert migrations, "no migration files found"
    versions = [m.version for m in migrations]
    assert versions == sorted(set(versions)) and versions[0] == 1
    for migration in migrations:
        assert MIGRATION_NAME.match(migration.name)
        assert migration.name.startswith(f"{migration.version:04d}_")
        assert migration.sql.strip()
    assert migrations[0].name == "0001_posts.sql"


def _fake_migration_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, files: dict[str, str]
) -> None:
    folder = tmp_path / "package"
    (folder / "migrations").mkdir(parents=True)
    for name, sql in files.items():
        (folder / "migrations" / name).write_text(sql, encoding="utf-8")
    monkeypatch.setattr(database_module, "resources", SimpleNamespace(files=lambda _pkg: folder))


def test_load_migrations_sorts_and_ignores_other_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fake_migration_folder(
        monkeypatch,
        tmp_path,
        {
            "0002_second.sql": "CREATE TABLE b (x);",
            "0001_first.sql": "CREATE TABLE a (x);",
            "README.md": "not a migration",
            "01_short_number.sql": "CREATE TABLE c (x);",
            "0003_Upper.sql": "CREATE TABLE d (x);",
        },
    )

    migrations = load_migrations()

    assert [(m.version, m.name) for m in migrations] == [
        (1, "0001_first.sql"),
        (2, "0002_second.sql"),
    ]


@pytest.mark.parametrize(
    ("names", "broken_at", "reason"),
    [
        # Two files claim version 1: the one sorting second breaks the numbering.
        (["0001_a.sql", "0001_b.sql", "0002_c.sql"], "0001_b.sql", "also 0001_a.sql"),
        (["0003_c.sql", "0001_a.sql", "0003_b.sql"], "0003_c.sql", "also 0003_b.sql"),
        (["0000_zero.sql", "0001_a.sql"], "0000_zero.sql", "versions start at 1"),
    ],
)
def test_load_migrations_refuses_duplicate_versions(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    names: list[str],
    broken_at: str,
    reason: str,
) -> None:
    _fake_migration_folder(monkeypatch, tmp_path, {name: "SELECT 1;" for name in names})

    with pytest.raises(RuntimeError) as caught:
        load_migrations()

    message = str(caught.value)
    assert "numbering broken" in message
    assert broken_at in message and reason in message


def test_load_migrations_allows_numbers_handed_out_to_other_branches(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _fake_migration_folder(
        monkeypatch, tmp_path, {"0003_c.sql": "SELECT 3;", "0001_a.sql": "SELECT 1;"}
    )

    assert [m.name for m in load_migrations()] == ["0001_a.sql", "0003_c.sql"]


async def test_a_lower_number_merged_later_is_still_applied(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db_path: str
) -> None:
    files = {"0001_a.sql": "CREATE TABLE a (x);", "0003_c.sql": "CREATE TABLE c (x);"}
    _fake_migration_folder(monkeypatch, tmp_path, files)
    first = await Database.open(db_path)
    before = await first.fetch_all("SELECT version FROM schema_migrations ORDER BY version")
    await first.close()

    # Another branch's migration 0002 is merged after this database reached 0003.
    (tmp_path / "package" / "migrations" / "0002_b.sql").write_text("CREATE TABLE b (x);")
    second = await Database.open(db_path)
    try:
        rows = await second.fetch_all("SELECT version FROM schema_migrations ORDER BY version")
        tables = await _tables(second)
        assert await second.migrate() == []
    finally:
        await second.close()

    assert [row["version"] for row in before] == [1, 3]
    assert [row["version"] for row in rows] == [1, 2, 3]
    assert {"a", "b", "c"} <= tables


# --- applying migrations ----------------------------------------------------------------------


async def test_open_applies_every_migration_and_records_it(store: Store, db_path: str) -> None:
    migrations = load_migrations()

    rows = await store.database.fetch_all(
        "SELECT version, name, applied_at FROM schema_migrations ORDER BY version"
    )

    assert [(row["version"], row["name"]) for row in rows] == [
        (m.version, m.name) for m in migrations
    ]
    assert all(row["applied_at"] for row in rows)
    assert await store.database.schema_version() == migrations[-1].version
    assert {"posts", "posts_fts", "feeds", "feed_entries"} <= await _tables(store.database)
    files = await store.database.fetch_all("PRAGMA database_list")
    assert [row["file"] for row in files if row["name"] == "main"] == [db_path]


async def test_reopening_applies_nothing_new(db_path: str) -> None:
    first = await Store.open(db_path)
    before = [
        tuple(row) for row in await first.database.fetch_all("SELECT * FROM schema_migrations")
    ]
    again = await first.database.migrate()
    await first.close()

    second = await Store.open(db_path)
    try:
        after = [
            tuple(row) for row in await second.database.fetch_all("SELECT * FROM schema_migrations")
        ]
        assert await second.database.migrate() == []
    finally:
        await second.close()

    assert again == []
    assert after == before


async def test_pending_migrations_are_applied_in_order(
    monkeypatch: pytest.MonkeyPatch, db_path: str
) -> None:
    real = load_migrations()
    monkeypatch.setattr(database_module, "load_migrations", lambda: real[:1])
    old = await Store.open(db_path)
    assert await old.database.schema_version() == 1
    assert "feeds" not in await _tables(old.database)
    await old.close()

    monkeypatch.setattr(database_module, "load_migrations", lambda: real)
    connection = await aiosqlite.connect(db_path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    database = SqliteDatabase(connection, db_path)
    try:
        applied = await database.migrate()
        rows = await database.fetch_all("SELECT version FROM schema_migrations ORDER BY rowid")
        tables = await _tables(database)
    finally:
        await database.close()

    assert applied == [m.version for m in real[1:]]
    assert [row["version"] for row in rows] == [m.version for m in real]
    assert "feeds" in tables


async def test_a_failing_migration_leaves_the_schema_at_the_previous_version(
    monkeypatch: pytest.MonkeyPatch, db_path: str
) -> None:
    real = load_migrations()
    # After the newest version, not after the count: numbers may have gaps.
    broken = Migration(
        real[-1].version + 1,
        f"{real[-1].version + 1:04d}_broken.sql",
        "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);",
    )
    store = await Store.open(db_path)
    await store.close()
    monkeypatch.setattr(database_module, "load_migrations", lambda: [*real, broken])
    connection = await aiosqlite.connect(db_path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    database = SqliteDatabase(connection, db_path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
            await database.migrate()
        version = await database.schema_version()
        tables = await _tables(database)
    finally:
        await database.close()

    assert version == real[-1].version
    assert "half_done" not in tables


# --- connection settings ----------------------------------------------------------------------


async def test_file_database_uses_wal_and_foreign_keys(store: Store) -> None:
    journal = await store.database.fetch_one("PRAGMA journal_mode")
    foreign_keys = await store.database.fetch_one("PRAGMA foreign_keys")

    assert journal is not None and journal[0].lower() == "wal"
    assert foreign_keys is not None and foreign_keys[0] == 1


async def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await store.database.execute(
            "INSERT INTO feed_entries (guild_id, feed_id, entry_key, post_id, is_new, seen_ts)"
            " VALUES (1, 999, 'key', NULL, 0, 0)"
        )

    rows = await store.database.fetch_all("SELECT * FROM feed_entries")
    assert rows == []


async def test_in_memory_database_migrates_too() -> None:
    database = await Database.open(":memory:")
    try:
        assert await database.schema_version() == load_migrations()[-1].version
    finally:
        await database.close()


# --- transactions -----------------------------------------------------------------------------


async def test_transaction_commits_on_success(store: Store) -> None:
    async with store.transaction() as transaction:
        post_id = await store.posts.insert(transaction, _post("첫 번째 글의 본문입니다."), NOW)

    assert await store.posts.count(1) == 1
    stored = await store.posts.get(1, post_id)
    assert stored is not None and stored.text == "첫 번째 글의 본문입니다."


async def test_failing_statement_rolls_back_the_whole_transaction(store: Store) -> None:
    with pytest.raises(sqlite3.OperationalError):
        async with store.transaction() as transaction:
            await store.posts.insert(transaction, _post("희토류 수출 통제가 강화됐다."), NOW)
            await store.posts.insert(transaction, _post("두 번째 글입니다."), NOW)
            await transaction.execute("INSERT INTO no_such_table VALUES (1)")

    assert await store.posts.count(1) == 0
    assert await store.posts.search(1, "희토류") == []
    fts_rows = await store.database.fetch_one("SELECT COUNT(*) FROM posts_fts")
    assert fts_rows is not None and fts_rows[0] == 0


async def test_constraint_violation_rolls_back_earlier_statements(store: Store) -> None:
    post = _post("같은 내용이 두 번 들어간다.")

    with pytest.raises(sqlite3.IntegrityError):
        async with store.transaction() as transaction:
            await store.posts.insert(transaction, _post("먼저 들어간 다른 글."), NOW)
            await store.posts.insert(transaction, post, NOW)
            await store.posts.insert(transaction, post, NOW)

    assert await store.posts.count(1) == 0


async def test_python_error_inside_transaction_rolls_back_and_database_stays_usable(
    store: Store,
) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with store.transaction() as transaction:
            await store.posts.insert(transaction, _post("사라질 글입니다."), NOW)
            raise RuntimeError("boom")

    assert await store.posts.count(1) == 0
    async with store.transaction() as transaction:
        await store.posts.insert(transaction, _post("남을 글입니다."), NOW)
    assert [post.text for post in await store.posts.list(1)] == ["남을 글입니다."]


async def test_committed_data_survives_reopening(db_path: str) -> None:
    first = await Store.open(db_path)
    async with first.transaction() as transaction:
        await first.posts.insert(transaction, _post("다시 열어도 남아 있다."), NOW)
    await first.close()

    second = await Store.open(db_path)
    try:
        posts = await second.posts.list(1)
    finally:
        await second.close()

    assert [post.text for post in posts] == ["다시 열어도 남아 있다."]


async def test_processes_opening_a_new_file_together_apply_each_migration_once(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "shared.db")
    opened = await asyncio.gather(*(Database.open(path) for _ in range(4)))
    try:
        versions = [await database.schema_version() for database in opened]
        rows = await opened[0].fetch_all("SELECT version FROM schema_migrations ORDER BY version")
    finally:
        for database in opened:
            await database.close()
    latest = load_migrations()[-1].version
    assert versions == [latest] * 4
    assert [row["version"] for row in rows] == [m.version for m in load_migrations()]
