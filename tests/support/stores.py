"""One suite, two stores: the `store_url` fixture, parametrised over SQLite and PostgreSQL.

A test folder's conftest imports `store_url` from here to run its tests on both stores (the
root conftest's `store_url` is SQLite only). The PostgreSQL half needs a server:
`HINDSIGHT_TEST_POSTGRES_URL` names one with an account that may create databases
(`scripts/dev.py test` starts a throwaway one); without it those tests are skipped, saying so.

Each PostgreSQL test gets a database of its own, cloned from a template migrated once per
session (`CREATE DATABASE … TEMPLATE`), and dropped afterwards: tests stay independent and
can run side by side.
"""

from __future__ import annotations

import asyncio
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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The database URL of a fresh, migrated store: a SQLite file in the test's folder, or a
    PostgreSQL database of the test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hindsight.db'}"
        return
    admin = admin_url()
    if admin is None:
        pytest.skip(SKIP_REASON)
    name = await _clone(admin, await _migrated_template(admin))
    try:
        yield database_url(admin, name)
    finally:
        await drop_database(admin, name)


@pytest.fixture
async def postgres_store_url() -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database of the test's own (skipped without a server)."""
    admin = admin_url()
    if admin is None:
        pytest.skip(SKIP_REASON)
    name = await _clone(admin, await _migrated_template(admin))
    try:
        yield database_url(admin, name)
    finally:
        await drop_database(admin, name)


@pytest.fixture
async def postgres_admin_url() -> str:
    """The admin URL of the test server (the test is skipped without one)."""
    admin = admin_url()
    if admin is None:
        pytest.skip(SKIP_REASON)
    return admin
