"""The store's connection: one interface (`Database`, `Transaction`) over two engines.

SQLite (the default, `sqlite:///PATH`) is implemented here: WAL, foreign keys, numbered
migrations and serialised transactions. PostgreSQL (`postgresql://…`) lives in
`digests.store.postgres` and is loaded only when asked for. `open_database(url)` picks one.

Repositories write their SQL once, in SQLite's dialect with `?` placeholders; the PostgreSQL
engine translates it mechanically (`digests.store.postgres.translate`), and the few queries that
need a different shape on each engine (full-text search) branch on `Database.dialect`."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Each engine's migrations, with the same version numbers: version N means the same schema.
MIGRATION_FOLDERS = {"sqlite": "migrations", "postgresql": "migrations_postgresql"}


class Migration:
    """One numbered SQL file from `digests/store/migrations`."""

    def __init__(self, version: int, name: str, sql: str) -> None:
        self.version = version
        self.name = name
        self.sql = sql


def load_migrations(dialect: str = "sqlite") -> list[Migration]:
    """All migration files of an engine ("sqlite" or "postgresql"), in version order.
    Duplicate versions are programming errors.

    Gaps are allowed: numbers are handed out to branches developed side by side, so a branch
    may carry 0009 before 0007 and 0008 are merged. `Database.migrate` applies every version a
    database has not recorded yet, so a number merged later is still applied."""
    folder = resources.files("digests.store") / MIGRATION_FOLDERS[dialect]
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


def is_postgresql_url(target: str) -> bool:
    """True for a `postgresql://` (or `postgres://`) URL."""
    return target.startswith(("postgresql://", "postgres://"))


def sqlite_path(target: str) -> str:
    """The file of a `sqlite:///PATH` URL (`:memory:` when empty); a plain path as it is."""
    if target.startswith("sqlite:///"):
        return target.removeprefix("sqlite:///") or ":memory:"
    return target


async def open_database(target: str) -> Database:
    """Open the database `target` names and apply its pending migrations: a
    `postgresql://user:password@host:port/name` URL, a `sqlite:///PATH` URL, or a SQLite path."""
    if is_postgresql_url(target):
        # Imported here so that SQLite users never load the PostgreSQL driver.
        from digests.store.postgres import PostgresDatabase

        return await PostgresDatabase.open(target)
    return await SqliteDatabase.open(sqlite_path(target))


class Database:
    """What the repositories use, whatever the engine: reads, writes, transactions.

    `dialect` is "sqlite" or "postgresql"; repositories branch on it only where one SQL text
    cannot serve both engines."""

    dialect: str = "sqlite"

    @classmethod
    async def open(cls, target: str) -> Database:
        """Open the database `target` names (URL or SQLite path), applying migrations."""
        if cls is Database:
            return await open_database(target)
        raise NotImplementedError

    async def close(self) -> None:
        """Release the connection(s)."""
        raise NotImplementedError

    def reader(self) -> Reader:
        """A blocking connection of its own for a long read in a worker thread (an export):
        `execute(sql, parameters)` returns a cursor with `fetchmany`. Close it when done."""
        raise NotImplementedError

    async def migrate(self) -> list[int]:
        """Apply every migration the database has not recorded; return the versions applied."""
        raise NotImplementedError

    async def schema_version(self) -> int:
        """The newest applied migration."""
        row = await self.fetch_one("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
        return int(row["v"]) if row else 0

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """Run a read query and return every row (`row["column"]` and `row[0]` both work)."""
        raise NotImplementedError

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> Any | None:
        """Run a read query and return its first row, if any."""
        raise NotImplementedError

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run one write statement in its own transaction; return the changed row count."""
        async with self.transaction() as transaction:
            return await transaction.execute(sql, parameters)

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """Hold a connection for a write transaction: all or nothing. Inside a transaction
        the same task already holds, this joins it (and commits or fails with it)."""
        raise NotImplementedError


class Reader(Protocol):
    """A blocking read connection (see `Database.reader`)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        """Run a query; the returned cursor has `fetchmany(n)`."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


class Transaction:
    """Statements inside one open transaction."""

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        raise NotImplementedError

    async def insert(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run an INSERT into a table with an `id` column; return the new row's id."""
        raise NotImplementedError

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a statement once per parameter row."""
        raise NotImplementedError

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        """Read inside the transaction."""
        raise NotImplementedError

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> Any | None:
        """Read one row inside the transaction."""
        raise NotImplementedError


class SqliteDatabase(Database):
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

    dialect = "sqlite"

    @classmethod
    async def open(cls, path: str) -> SqliteDatabase:
        """Open (creating if needed) the database at `path` (a file path or `sqlite:///` URL)
        and apply pending migrations."""
        path = sqlite_path(path)
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

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read query and return every row."""
        if self._in_own_transaction():
            return await SqliteTransaction(self._connection).fetch_all(sql, parameters)
        async with self._lock:
            cursor = await self._connection.execute(sql, parameters)
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Row | None:
        """Run a read query and return its first row, if any."""
        if self._in_own_transaction():
            return await SqliteTransaction(self._connection).fetch_one(sql, parameters)
        async with self._lock:
            cursor = await self._connection.execute(sql, parameters)
            return await cursor.fetchone()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:  # type: ignore[override]
        """Hold the connection for a write transaction: all or nothing. Inside a transaction
        the same task already holds, this joins it (and commits or fails with it)."""
        if self._in_own_transaction():
            yield SqliteTransaction(self._connection)
            return
        async with self._lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            self._owner = asyncio.current_task()
            transaction = SqliteTransaction(self._connection)
            try:
                yield transaction
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            else:
                await self._connection.execute("COMMIT")
            finally:
                self._owner = None


class SqliteTransaction(Transaction):
    """Statements inside one open SQLite transaction."""

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
