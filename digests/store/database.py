"""The SQLite connection: WAL, foreign keys, numbered migrations, and serialised transactions."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import aiosqlite

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class Migration:
    """One numbered SQL file from `digests/store/migrations`."""

    def __init__(self, version: int, name: str, sql: str) -> None:
        self.version = version
        self.name = name
        self.sql = sql


def load_migrations() -> list[Migration]:
    """All migration files, in version order. Duplicate versions are programming errors.

    Gaps are allowed: numbers are handed out to branches developed side by side, so a branch
    may carry 0009 before 0007 and 0008 are merged. `Database.migrate` applies every version a
    database has not recorded yet, so a number merged later is still applied."""
    folder = resources.files("digests.store") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda migration: (migration.version, migration.name))
    for previous, migration in pairwise(found):
        if migration.version == previous.version:
            raise RuntimeError(
                f"migration numbering broken at {migration.name}: version {migration.version}"
                f" is also {previous.name}"
            )
    if found and found[0].version < 1:
        raise RuntimeError(f"migration numbering broken at {found[0].name}: versions start at 1")
    return found


def split_statements(script: str) -> list[str]:
    """A migration's SQL as single statements (a trigger's body stays whole), so that they run
    inside a transaction this connection opened: `executescript` would commit it first."""
    statements: list[str] = []
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


class Database:
    """One aiosqlite connection shared by the store's repositories.

    All access goes through an asyncio lock: the connection is shared by every task of the
    process, and without the lock one task's statements could land inside another's open
    transaction. The task that holds a transaction may keep using the repositories' plain
    reads and writes; they join its transaction instead of waiting for the lock forever.
    """

    def __init__(self, connection: aiosqlite.Connection, path: str) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self.path = path

    def _in_own_transaction(self) -> bool:
        return self._owner is not None and self._owner is asyncio.current_task()

    @classmethod
    async def open(cls, path: str) -> Database:
        """Open (creating if needed) the database at `path` and apply pending migrations."""
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = sqlite3.Row
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA busy_timeout = 5000")
        if path != ":memory:":
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA synchronous = NORMAL")
        database = cls(connection, path)
        try:
            await database.migrate()
        except BaseException:
            await connection.close()
            raise
        return database

    async def close(self) -> None:
        """Close the connection."""
        await self._connection.close()

    def reader(self) -> sqlite3.Connection:
        """A read-only connection of its own to the same file, for a long read in a worker
        thread (an export): the shared connection stays free for everyone else meanwhile, and
        WAL gives the reader one consistent snapshot per statement. Close it when done."""
        if self.path == ":memory:":
            raise ValueError("an in-memory database has no second connection to read with")
        uri = f"{Path(self.path).resolve().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout = 5000")
        return connection

    async def migrate(self) -> list[int]:
        """Apply every migration the database has not recorded, in version order; return the
        versions applied."""
        async with self._lock:
            await self._connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied: list[int] = []
            for migration in load_migrations():
                # One transaction per migration (a failing one leaves the schema at the previous
                # version), holding the write lock while it checks what is recorded: processes
                # starting together on one file apply each migration once.
                await self._connection.execute("BEGIN IMMEDIATE")
                try:
                    recorded = await self._connection.execute_fetchall(
                        "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                    )
                    if not recorded:
                        for statement in split_statements(migration.sql):
                            await self._connection.execute(statement)
                        await self._connection.execute(
                            "INSERT INTO schema_migrations (version, name, applied_at)"
                            " VALUES (?, ?, datetime('now'))",
                            (migration.version, migration.name),
                        )
                        applied.append(migration.version)
                except BaseException:
                    await self._connection.execute("ROLLBACK")
                    raise
                await self._connection.execute("COMMIT")
            return applied

    async def schema_version(self) -> int:
        """The newest applied migration."""
        row = await self.fetch_one("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
        return int(row["v"]) if row else 0

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read query and return every row."""
        if self._in_own_transaction():
            return await Transaction(self._connection).fetch_all(sql, parameters)
        async with self._lock:
            cursor = await self._connection.execute(sql, parameters)
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Row | None:
        """Run a read query and return its first row, if any."""
        if self._in_own_transaction():
            return await Transaction(self._connection).fetch_one(sql, parameters)
        async with self._lock:
            cursor = await self._connection.execute(sql, parameters)
            return await cursor.fetchone()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run one write statement in its own transaction; return the changed row count."""
        async with self.transaction() as transaction:
            return await transaction.execute(sql, parameters)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Hold the connection for a write transaction: all or nothing. Inside a transaction
        the same task already holds, this joins it (and commits or fails with it)."""
        if self._in_own_transaction():
            yield Transaction(self._connection)
            return
        async with self._lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            self._owner = asyncio.current_task()
            transaction = Transaction(self._connection)
            try:
                yield transaction
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            else:
                await self._connection.execute("COMMIT")
            finally:
                self._owner = None


class Transaction:
    """Statements inside one open transaction."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        cursor = await self._connection.execute(sql, parameters)
        return cursor.rowcount

    async def insert(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run an INSERT; return the new row id."""
        cursor = await self._connection.execute(sql, parameters)
        return int(cursor.lastrowid or 0)

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a statement once per parameter row."""
        await self._connection.executemany(sql, rows)

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Read inside the transaction."""
        cursor = await self._connection.execute(sql, parameters)
        return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Row | None:
        """Read one row inside the transaction."""
        cursor = await self._connection.execute(sql, parameters)
        return await cursor.fetchone()
