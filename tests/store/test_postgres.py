"""PostgreSQL behind the store interface: the SQL translation, rows and types, migrations under
a lock (two processes starting together), the trigram index for Korean, connection errors.

The translation tests run everywhere; the rest need a server (HINDSIGHT_TEST_POSTGRES_URL) and
each gets empty databases of its own.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator

import psycopg
import pytest

from digests.errors import DatabaseUnavailable
from digests.store import Store
from digests.store.database import load_migrations, open_database
from digests.store.postgres import PostgresDatabase, Row, redact, translate
from tests.conftest import REPO
from tests.support.stores import create_empty_database, database_url, drop_database

# --- both engines' migrations ---------------------------------------------------------------


def test_both_engines_have_the_same_migration_versions() -> None:
    sqlite = load_migrations("sqlite")
    postgresql = load_migrations("postgresql")

    # The same number means the same change on both engines.
    assert [m.version for m in postgresql] == [m.version for m in sqlite]


def test_postgresql_migrations_use_no_sqlite_only_syntax() -> None:
    for migration in load_migrations("postgresql"):
        code = [line.split("--", 1)[0] for line in migration.sql.splitlines()]
        upper = "\n".join(code).upper()
        for sqlite_only in ("INSERT OR", "VIRTUAL TABLE", "FTS5", "WITHOUT ROWID", "NOCASE"):
            assert sqlite_only not in upper, (migration.name, sqlite_only)
        # SQLite's REAL is 8 bytes, PostgreSQL's 4: floats are DOUBLE PRECISION there.
        assert " REAL " not in upper, migration.name


# --- the translation --------------------------------------------------------------------------


def test_placeholders_become_psycopg_ones_and_percent_signs_are_escaped() -> None:
    sql, parameters = translate("SELECT * FROM t WHERE a = ? AND b = '100%' AND c = ?", (1, 2))

    assert sql == "SELECT * FROM t WHERE a = %s AND b = '100%%' AND c = %s"
    assert list(parameters) == [1, 2]


def test_numbered_placeholders_repeat_their_parameter() -> None:
    sql, parameters = translate("SELECT 1 WHERE g = ?1 AND t BETWEEN ?2 AND ?2", (7, 99))

    assert sql == "SELECT 1 WHERE g = %s AND t BETWEEN %s AND %s"
    assert list(parameters) == [7, 99, 99]


def test_question_marks_and_keywords_inside_literals_are_left_alone() -> None:
    sql, _ = translate("SELECT 'LIKE ? IS ? CROSS JOIN' AS x, \"odd?\" FROM t WHERE y = ?", (1,))

    assert sql == "SELECT 'LIKE ? IS ? CROSS JOIN' AS x, \"odd?\" FROM t WHERE y = %s"


def test_sqlite_semantics_and_planner_hints_are_translated() -> None:
    sql, _ = translate(
        "SELECT q.id FROM posts p INDEXED BY posts_guild CROSS JOIN quotes q ON q.post_id = p.id"
        " WHERE +q.guild_id = ? AND q.text LIKE ? ESCAPE '\\' AND destination_id IS ?"
        " AND attempts + 1 > ?",
        (1, "%a%", None, 2),
    )

    assert sql == (
        "SELECT q.id FROM posts p JOIN quotes q ON q.post_id = p.id"
        " WHERE q.guild_id = %s AND q.text ILIKE %s ESCAPE '\\'"
        " AND destination_id IS NOT DISTINCT FROM %s AND attempts + 1 > %s"
    )


def test_a_password_is_never_shown() -> None:
    assert redact("postgresql://bot:s3cret@db.example:5432/hindsight") == (
        "postgresql://bot:***@db.example:5432/hindsight"
    )
    assert redact("postgresql://db.example/hindsight") == "postgresql://db.example/hindsight"


# --- against a server -------------------------------------------------------------------------


@pytest.fixture
async def empty_url(postgres_admin_url: str) -> AsyncIterator[str]:
    """A database with nothing in it, not even migrations."""
    name = await create_empty_database(postgres_admin_url)
    try:
        yield database_url(postgres_admin_url, name)
    finally:
        await drop_database(postgres_admin_url, name)


async def _recorded_versions(url: str) -> list[int]:
    async with await psycopg.AsyncConnection.connect(url) as connection:
        cursor = await connection.execute("SELECT version FROM schema_migrations ORDER BY version")
        return [row[0] for row in await cursor.fetchall()]


@pytest.mark.postgresql
async def test_open_applies_every_migration_once_and_reopening_applies_none(empty_url: str) -> None:
    database = await open_database(empty_url)
    try:
        assert isinstance(database, PostgresDatabase)
        assert database.dialect == "postgresql"
        assert await database.schema_version() == load_migrations("postgresql")[-1].version
        assert await database.migrate() == []
    finally:
        await database.close()

    assert await _recorded_versions(empty_url) == [m.version for m in load_migrations("sqlite")]


@pytest.mark.postgresql
async def test_two_opens_at_once_on_a_fresh_database_apply_each_migration_once(
    empty_url: str,
) -> None:
    first, second = await asyncio.gather(open_database(empty_url), open_database(empty_url))
    await first.close()
    await second.close()

    versions = await _recorded_versions(empty_url)
    assert versions == sorted(set(versions)) == [m.version for m in load_migrations("postgresql")]


_OPEN_AND_REPORT = """
import asyncio, sys
from digests.store import Store

async def main(url):
    store = await Store.open(url)
    print(await store.database.schema_version())
    await store.close()

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.postgresql
def test_two_processes_starting_together_both_start_and_migrate_once(empty_url: str) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_AND_REPORT, empty_url],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]

    newest = load_migrations("postgresql")[-1].version
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert out.strip() == str(newest)
    versions = asyncio.run(_recorded_versions(empty_url))
    assert versions == sorted(set(versions)) == [m.version for m in load_migrations("postgresql")]


@pytest.mark.postgresql
async def test_a_failing_migration_leaves_the_schema_as_it_was(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from digests.store import postgres

    real = load_migrations("postgresql")
    broken = type(real[0])(99, "0099_broken.sql", "CREATE TABLE half (x INTEGER); SELECT nope;")
    monkeypatch.setattr(postgres, "load_migrations", lambda _dialect: [*real, broken])

    with pytest.raises(psycopg.errors.UndefinedColumn):
        await open_database(empty_url)

    async with await psycopg.AsyncConnection.connect(empty_url) as connection:
        cursor = await connection.execute("SELECT to_regclass('schema_migrations')")
        assert (await cursor.fetchone())[0] is None  # all in one transaction: nothing applied


@pytest.mark.postgresql
async def test_rows_read_like_sqlite_rows_and_types_come_back_as_on_sqlite(empty_url: str) -> None:
    database = await open_database(empty_url)
    try:
        row = await database.fetch_one(
            "SELECT 7 AS n, 'x' AS Label, SUM(v) AS total, AVG(v) AS mean, ? AS flag"
            " FROM (VALUES (1), (2)) AS t (v)",
            (True,),
        )
        async with database.transaction() as transaction:
            feed_id = await transaction.insert(
                "INSERT INTO feeds (guild_id, url, created_ts, next_poll_ts) VALUES (?, ?, ?, ?)",
                (5, "https://example.com/feed", 1, 1),
            )
    finally:
        await database.close()

    assert isinstance(row, Row)
    assert row["n"] == row[0] == 7
    assert row["label"] == row["Label"] == "x"  # names match without regard to case
    assert row["total"] == 3 and isinstance(row["total"], int)
    assert row["mean"] == 1.5 and isinstance(row["mean"], float)
    assert row["flag"] == 1  # a Python bool is stored as SQLite stores it: 1
    assert row.keys() == ["n", "label", "total", "mean", "flag"]
    assert dict(zip(row.keys(), row, strict=True))["n"] == 7
    assert feed_id == 1  # insert() returns the new row's id


@pytest.mark.postgresql
async def test_a_failed_transaction_leaves_nothing(empty_url: str) -> None:
    store = await Store.open(empty_url)
    try:
        with pytest.raises(RuntimeError):
            async with store.transaction() as transaction:
                await transaction.execute(
                    "INSERT INTO guild_settings (guild_id, updated_ts) VALUES (?, ?)", (1, 1)
                )
                # The same task's plain reads see its own transaction.
                assert await store.database.fetch_one(
                    "SELECT guild_id FROM guild_settings WHERE guild_id = 1"
                )
                raise RuntimeError("stop half way")
        assert await store.database.fetch_all("SELECT * FROM guild_settings") == []
    finally:
        await store.close()


@pytest.mark.postgresql
async def test_the_trigram_index_serves_a_korean_substring(store_url_postgresql: str) -> None:
    async with await psycopg.AsyncConnection.connect(store_url_postgresql) as connection:
        cursor = await connection.execute("SELECT show_trgm('반도체 수출')")
        trigrams = (await cursor.fetchone())[0]
        await connection.execute("SET enable_seqscan = off")
        cursor = await connection.execute(
            "EXPLAIN SELECT id FROM posts WHERE text ILIKE %s", ("%도체 수%",)
        )
        plan = "\n".join(row[0] for row in await cursor.fetchall())

    # Hangul counts as word characters (the cluster's LC_CTYPE), so Korean has trigrams and
    # the GIN index answers the substring instead of reading every post.
    assert trigrams, "no trigrams for Korean text: pg_trgm cannot index it in this locale"
    assert "posts_text_trgm" in plan


@pytest.fixture
async def store_url_postgresql(empty_url: str) -> str:
    """A migrated, empty PostgreSQL store."""
    database = await open_database(empty_url)
    await database.close()
    return empty_url


async def test_an_unreachable_server_is_named_without_its_password() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://bot:s3cret@127.0.0.1:{port}/hindsight"

    with pytest.raises(DatabaseUnavailable) as raised:
        await open_database(url)

    message = raised.value.user_message
    assert f"postgresql://bot:***@127.0.0.1:{port}/hindsight" in message
    assert "s3cret" not in message


def _sqlite_columns() -> dict[str, set[str]]:
    connection = sqlite3.connect(":memory:")
    for migration in load_migrations("sqlite"):
        connection.executescript(migration.sql)
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'posts_fts%' AND name NOT LIKE 'forecast_sources%'"
        )
    ]
    return {
        table: {column[1] for column in connection.execute(f"PRAGMA table_info({table})")}
        for table in tables
    }


@pytest.mark.postgresql
async def test_both_schemas_have_the_same_tables_and_columns(store_url_postgresql: str) -> None:
    async with await psycopg.AsyncConnection.connect(store_url_postgresql) as connection:
        cursor = await connection.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND is_generated = 'NEVER'"
        )
        postgresql: dict[str, set[str]] = {}
        for table, column in await cursor.fetchall():
            postgresql.setdefault(table, set()).add(column)

    # The search indexes differ by engine (FTS5 tables there, pg_trgm here); the rest is one.
    assert set(postgresql.pop("forecast_sources")) == {"forecast_id", "guild_id", "sources"}
    postgresql.pop("schema_migrations")
    assert postgresql == _sqlite_columns()
    assert all("guild_id" in columns for columns in postgresql.values())
    # Columns computed from others (never copied, never written) may differ by engine.
    async with await psycopg.AsyncConnection.connect(store_url_postgresql) as connection:
        cursor = await connection.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND is_generated != 'NEVER'"
        )
        assert await cursor.fetchall() == [("forecasts", "source_text")]


@pytest.mark.postgresql
async def test_a_nul_character_in_text_is_stored_as_the_replacement_character(
    store_url_postgresql: str,
) -> None:
    database = await open_database(store_url_postgresql)
    try:
        await database.execute(
            "INSERT INTO guild_settings (guild_id, timezone, updated_ts) VALUES (?, ?, ?)",
            (1, "Asia/\x00Seoul", 1),
        )
        row = await database.fetch_one(
            "SELECT timezone FROM guild_settings WHERE timezone = ?", ("Asia/\x00Seoul",)
        )
    finally:
        await database.close()

    assert row is not None and row["timezone"] == "Asia/\ufffdSeoul"


@pytest.mark.postgresql
async def test_the_pool_plans_each_query_for_its_values_without_parallel_workers(
    store_url_postgresql: str,
) -> None:
    """Worker start-up costs more than the bot's short index walks; a generic plan ignores
    the values the store shaped the query for (see PostgresDatabase.open)."""
    database = await open_database(store_url_postgresql)
    try:
        row = await database.fetch_one("SHOW max_parallel_workers_per_gather")
        mode = await database.fetch_one("SHOW plan_cache_mode")
    finally:
        await database.close()
    assert row is not None and row[0] == "0"
    assert mode is not None and mode[0] == "force_custom_plan"


@pytest.mark.postgresql
async def test_migration_0014_replaces_the_listing_indexes(store_url_postgresql: str) -> None:
    """The ledger's listing indexes carry id in their keys and what the filters test (the
    figures are in migration 0014's notes; the answers are checked on both engines in
    tests/store/test_performance_queries.py)."""
    async with await psycopg.AsyncConnection.connect(store_url_postgresql) as connection:
        cursor = await connection.execute("SELECT indexname FROM pg_indexes")
        names = {row[0] for row in await cursor.fetchall()}
        cursor = await connection.execute(
            "SELECT stxname FROM pg_statistic_ext WHERE stxname = 'forecasts_guild_status_outcome'"
        )
        statistics = await cursor.fetchall()
    assert {
        "theme_periods_guild_effective",
        "post_themes_guild_label_folded",
        "forecasts_guild_listing",
        "forecasts_guild_status_listing",
        "forecasts_guild_undated_order",
        "forecasts_guild_needs_date_order",
    } <= names
    assert (
        not {
            "forecasts_guild_due_order",
            "forecasts_guild_status_due_order",
            "forecasts_guild_undated",
            "forecasts_guild_needs_date",
        }
        & names
    )
    assert statistics


@pytest.mark.postgresql
async def test_migrations_0019_and_0020_shape_the_listing_indexes(
    store_url_postgresql: str,
) -> None:
    """The listing indexes carry source_text (the source filter's one lower-cased text) and
    the undated one needs_date, so those pages are read from the indexes alone (figures in
    the migrations' notes)."""
    async with await psycopg.AsyncConnection.connect(store_url_postgresql) as connection:
        cursor = await connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'forecasts'"
        )
        definitions = dict(await cursor.fetchall())
    assert "source_text" in definitions["forecasts_guild_listing"]
    assert "source_text" in definitions["forecasts_guild_status_listing"]
    assert "source_label" not in definitions["forecasts_guild_listing"]
    assert "INCLUDE (needs_date)" in definitions["forecasts_guild_undated_order"]
    assert "post_source" in definitions["forecasts_guild_track_record"]
