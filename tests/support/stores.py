"""One suite, two stores: the `store_url` fixture, parametrised over SQLite and PostgreSQL.

A test folder's conftest imports `store_url` from here to run its tests on both stores (the
root conftest's `store_url` is SQLite only). The PostgreSQL half needs a server:
`HINDSIGHT_TEST_POSTGRES_URL` names one with an account that may create databases
(`scripts/dev.py test` starts a throwaway one); without it those tests are skipped, saying so.

Each PostgreSQL test gets a database of its own, cloned from a template migrated once per
session (`CREATE DATABASE … TEMPLATE`) or left by an earlier test and emptied (no rows, the
sequences restarted, the schema checked): tests stay independent and can run side by side
(each pytest process keeps its own databases).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ENV_URL = "HINDSIGHT_TEST_POSTGRES_URL"
SKIP_REASON = (
    f"PostgreSQL tests need {ENV_URL} (an admin URL); `python3 scripts/dev.py test` starts a"
    " throwaway server"
)

# What either engine raises for a failed statement (a test that breaks a table on purpose).
DATABASE_ERRORS = (sqlite3.Error, psycopg.Error)
# What either engine raises when a unique key or a CHECK refuses a row.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)

_template: str | None = None


def admin_url() -> str | None:
    """The test server's admin URL, or None when no server was given."""
    return os.environ.get(ENV_URL) or None


def database_url(admin: str, name: str) -> str:
    """The admin URL pointed at database `name`."""
    return urlunsplit(urlsplit(admin)._replace(path="/" + name))


async def _admin_execute(admin: str, sql: str) -> None:
    async with await psycopg.AsyncConnection.connect(admin, autocommit=True) as connection:
        await connection.execute(sql)


async def create_empty_database(admin: str, prefix: str = "hindsight_test") -> str:
    """A new database with nothing in it (not even migrations); its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _admin_execute(admin, f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
    return name


async def drop_database(admin: str, name: str) -> None:
    """Drop a test database, closing whatever is still connected to it."""
    await _admin_execute(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _migrated_template(admin: str) -> str:
    """The session's template database, with every migration applied (made on first use)."""
    global _template
    if _template is None:
        from digests.store.postgres import PostgresDatabase

        name = await create_empty_database(admin, "hindsight_template")
        database = await PostgresDatabase.open(database_url(admin, name))
        await database.close()
        # Nobody connects to it any more, autovacuum included: a connection to a template
        # makes CREATE DATABASE … TEMPLATE wait.
        await _admin_execute(admin, f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")
        _template = name
    return _template


def template_name() -> str | None:
    """The session's template database, if one was made."""
    return _template


def drop_template(admin: str) -> None:
    """Drop the session's template database (blocking; at the end of the session)."""
    global _template
    if _template is None:
        return
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {_template} WITH (FORCE)")  # type: ignore[arg-type]
    _template = None


async def _clone(admin: str, template: str) -> str:
    name = f"hindsight_test_{uuid.uuid4().hex[:12]}"
    for attempt in range(50):
        try:
            await _admin_execute(admin, f"CREATE DATABASE {name} TEMPLATE {template}")
            return name
        except psycopg.errors.ObjectInUse:
            # The template's last connection may still be closing on the server.
            await asyncio.sleep(0.05 * (attempt + 1))
    raise RuntimeError(f"template database {template} stays in use")


# Databases a finished test left, emptied and ready for the next one. Emptying a database
# (a few ms) is much cheaper than cloning one (CREATE DATABASE: 40 ms on an idle machine,
# close to a second on a busy one), and leaves it exactly as a fresh clone: no rows, the
# identity sequences back at 1, the same schema (checked; a test that changed the schema
# gets its database dropped instead).
_recycled: list[str] = []
_template_schema: str | None = None

_SCHEMA_FINGERPRINT = """
SELECT md5(string_agg(item, ',' ORDER BY item)) FROM (
    SELECT 'c:' || table_name || '.' || column_name || ':' || data_type AS item
    FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'i:' || indexname FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 't:' || tgname FROM pg_trigger WHERE NOT tgisinternal
) AS schema_items
"""


async def _empty(url: str) -> bool:
    """Delete every row (migrations' record aside) and restart the identity sequences; False
    when the schema is no longer the template's (the database must then go)."""
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as connection:
        cursor = await connection.execute(_SCHEMA_FINGERPRINT)
        fingerprint = (await cursor.fetchone())[0]
        if fingerprint != _template_schema:
            return False
        cursor = await connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'schema_migrations'"
        )
        tables = [row[0] for row in await cursor.fetchall()]
        cursor = await connection.execute(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        )
        sequences = [row[0] for row in await cursor.fetchall()]
        # Every foreign key cascades or sets NULL, so any order empties them all.
        statements = [f"DELETE FROM {table}" for table in tables]
        statements += [f"SELECT setval('{sequence}', 1, false)" for sequence in sequences]
        await connection.execute("; ".join(statements).encode())
    return True


async def _fresh_database(admin: str) -> str:
    """A migrated database with no rows: a recycled one, else a new clone of the template."""
    global _template_schema
    template = await _migrated_template(admin)
    if _recycled:
        return _recycled.pop()
    name = await _clone(admin, template)
    if _template_schema is None:
        async with await psycopg.AsyncConnection.connect(
            database_url(admin, name), autocommit=True
        ) as connection:
            cursor = await connection.execute(_SCHEMA_FINGERPRINT)
            _template_schema = (await cursor.fetchone())[0]
    return name


async def _give_back(admin: str, name: str) -> None:
    """Empty a test's database for the next test, or drop it when that cannot be done."""
    try:
        reusable = await _empty(database_url(admin, name))
    except psycopg.Error:
        reusable = False
    if reusable:
        _recycled.append(name)
    else:
        await drop_database(admin, name)


def drop_recycled(admin: str) -> None:
    """Drop the emptied databases kept for reuse (blocking; at the end of the session)."""
    with psycopg.connect(admin, autocommit=True) as connection:
        while _recycled:
            name = _recycled.pop()
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The database URL of a fresh, migrated store: a SQLite file in the test's folder, or a
    PostgreSQL database of the test's own (with no rows; see `_recycled`)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hindsight.db'}"
        return
    async with _own_postgres_database() as url:
        yield url


@pytest.fixture
async def postgres_store_url() -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database of the test's own (skipped without a server)."""
    async with _own_postgres_database() as url:
        yield url


@contextlib.asynccontextmanager
async def _own_postgres_database() -> AsyncIterator[str]:
    """A test's own empty, migrated database, given back (emptied for reuse) afterwards."""
    admin = admin_url()
    if admin is None:
        pytest.skip(SKIP_REASON)
    name = await _fresh_database(admin)
    try:
        yield database_url(admin, name)
    finally:
        await _give_back(admin, name)


@pytest.fixture
async def postgres_admin_url() -> str:
    """The admin URL of the test server (the test is skipped without one)."""
    admin = admin_url()
    if admin is None:
        pytest.skip(SKIP_REASON)
    return admin
