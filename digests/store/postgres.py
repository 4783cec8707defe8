"""PostgreSQL behind the store's `Database` interface (psycopg 3, async, with a small pool).

The repositories' SQL is written once, in SQLite's dialect with `?` placeholders. `translate`
turns it into PostgreSQL's mechanically; what it changes, and why each change keeps the
meaning:

- `?` → `%s` (and `?N` → the N-th parameter), `%` → `%%` (psycopg's placeholder syntax);
- `LIKE` → `ILIKE`: SQLite's LIKE ignores ASCII case, PostgreSQL's does not;
- `IS ?` → `IS NOT DISTINCT FROM %s`: SQLite's null-safe comparison with a parameter;
- `CROSS JOIN … ON` → `JOIN … ON`, `INDEXED BY name` and a unary `+` before a column are
  removed: they are SQLite planner hints (join order, index choice) that PostgreSQL's planner
  neither accepts nor needs;
- `Transaction.insert` appends `RETURNING id` (SQLite reports `lastrowid`).

Rows behave like `sqlite3.Row` (`row["column"]`, `row[0]`, `keys()`), Python booleans are sent
as 0/1 (the schema keeps SQLite's integer flags), `numeric` results (SUM, AVG of integers)
come back as int or float, as SQLite returns them, and a NUL character in text (which
PostgreSQL cannot store) is stored as U+FFFD.

Writes are serialised within the process as on SQLite (one write transaction at a time, and a
task inside its transaction joins it), so the repositories' read-then-write steps keep the
meaning they have there; reads run concurrently on the pool. Between processes, PostgreSQL's
row locks and unique keys decide.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg.types.string import StrDumperUnknown
from psycopg_pool import AsyncConnectionPool

from digests.errors import DatabaseUnavailable
from digests.store.database import Database, Transaction, load_migrations

# pg_advisory_xact_lock key held while migrations are applied ("hindsig" in ASCII): two
# processes starting together on a fresh database apply each migration once.
MIGRATION_LOCK_KEY = 0x68696E64736967
CONNECT_TIMEOUT_SECONDS = 10
POOL_MAX_SIZE = 4
# Parallel workers per query on the pool's connections (see `PostgresDatabase.open`).
PARALLEL_WORKERS = 0
# How the pool's connections plan prepared statements (see `PostgresDatabase.open`); tests
# set the other modes to show that no result depends on it.
PLAN_CACHE_MODE = "force_custom_plan"


def redact(url: str) -> str:
    """The URL with its password replaced by `***`, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


# --- dialect translation ------------------------------------------------------------------------

_LITERAL_OR_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?\d*|%|[^'\"?%]+")
_UNARY_PLUS = re.compile(r"(\b(?:AND|OR|WHERE|ON|NOT)\s+|\(\s*)\+(?=[A-Za-z_])", re.IGNORECASE)
_INDEXED_BY = re.compile(r"\s+INDEXED\s+BY\s+\w+", re.IGNORECASE)
_CROSS_JOIN = re.compile(r"\bCROSS\s+JOIN\b", re.IGNORECASE)
_LIKE = re.compile(r"(?<![\w])LIKE\b", re.IGNORECASE)
_ENDS_WITH_IS = re.compile(r"\bIS\s+$", re.IGNORECASE)


@functools.lru_cache(maxsize=2048)
def _translate(sql: str) -> tuple[str, tuple[int, ...] | None]:
    # Planner hints and operators first, outside string literals only.
    pieces: list[str] = []
    order: list[int] = []
    numbered = False
    sequential = 0
    for match in _LITERAL_OR_TOKEN.finditer(sql):
        token = match.group(0)
        if token.startswith(("'", '"')):
            pieces.append(token.replace("%", "%%"))
        elif token.startswith("?"):
            if pieces and _ENDS_WITH_IS.search(pieces[-1]):
                pieces[-1] = _ENDS_WITH_IS.sub("IS NOT DISTINCT FROM ", pieces[-1])
            if len(token) > 1:
                numbered = True
                order.append(int(token[1:]) - 1)
            else:
                order.append(sequential)
                sequential += 1
            pieces.append("%s")
        elif token == "%":
            pieces.append("%%")
        else:
            token = _INDEXED_BY.sub("", token)
            token = _CROSS_JOIN.sub("JOIN", token)
            token = _UNARY_PLUS.sub(r"\1", token)
            token = _LIKE.sub("ILIKE", token)
            pieces.append(token)
    return "".join(pieces), tuple(order) if numbered else None


def translate(sql: str, parameters: Sequence[Any] = ()) -> tuple[str, Sequence[Any]]:
    """SQLite-dialect SQL and its parameters as PostgreSQL SQL and parameters (see the module
    docstring for what changes)."""
    text, order = _translate(sql)
    if order is not None:
        parameters = [parameters[index] for index in order]
    return text, parameters


# --- rows and types ------------------------------------------------------------------------------


class Row(Sequence[Any]):
    """A result row read by position or by column name, like `sqlite3.Row` (names are matched
    without regard to case, as SQLite does and as PostgreSQL folds unquoted aliases)."""

    __slots__ = ("_columns", "_values")

    def __init__(self, values: Sequence[Any], columns: _Columns) -> None:
        self._values = tuple(values)
        self._columns = columns

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return self._values[self._columns.position(key)]
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values and self._columns.names == other._columns.names
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values)

    def keys(self) -> list[str]:
        """The column names, in order."""
        return list(self._columns.names)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._columns.names, self._values, strict=False))!r})"


class _Columns:
    """A result's column names and where each is, shared by its rows."""

    __slots__ = ("_index", "names")

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self._index: dict[str, int] = {}
        for position, name in enumerate(self.names):
            self._index.setdefault(name, position)
        for position, name in enumerate(self.names):
            self._index.setdefault(name.lower(), position)

    def position(self, name: str) -> int:
        found = self._index.get(name)
        if found is None:
            found = self._index.get(name.lower())
        if found is None:
            raise IndexError(f"no such column: {name}")
        return found


def _row_factory(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return tuple
    columns = _Columns([column.name for column in description])

    def make(values: Sequence[Any]) -> Row:
        return Row(values, columns)

    return make


class _FlagDumper(Dumper):
    """Python booleans as 0/1 integers: the schema keeps SQLite's integer flags."""

    format = Format.TEXT

    def __init__(self, cls: type, context: Any = None) -> None:
        super().__init__(cls, context)
        self.oid = psycopg.adapters.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _TextDumper(StrDumperUnknown):
    """Text as psycopg sends it, except NUL: PostgreSQL's text cannot hold U+0000 (SQLite's
    can), so it becomes U+FFFD, the replacement character, as an undecodable byte would."""

    def dump(self, obj: str) -> Any:
        return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)


class _NumberLoader(Loader):
    """`numeric` results as int when whole-valued in form (SUM of integers), else float (AVG),
    as SQLite returns them; never Decimal."""

    def load(self, data: Any) -> Any:
        text = bytes(data).decode()
        if text.lstrip("-").isdigit():
            return int(text)
        return float(text)


def _configure_types(connection: psycopg.BaseConnection[Any]) -> None:
    connection.adapters.register_dumper(bool, _FlagDumper)
    connection.adapters.register_dumper(str, _TextDumper)
    connection.adapters.register_loader("numeric", _NumberLoader)


def _configure(connection: psycopg.BaseConnection[Any]) -> None:
    _configure_types(connection)
    connection.row_factory = _row_factory  # type: ignore[assignment]


# --- the database --------------------------------------------------------------------------------


class PostgresDatabase(Database):
    """A small pool of psycopg connections to one PostgreSQL database."""

    dialect = "postgresql"

    def __init__(self, pool: AsyncConnectionPool, url: str) -> None:
        self._pool = pool
        self.url = url
        self._write_lock = asyncio.Lock()
        self._owners: dict[asyncio.Task[Any], psycopg.AsyncConnection[Any]] = {}

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:  # type: ignore[override]
        """Connect to the database at `url` (`postgresql://user:password@host:port/name`) and
        apply pending migrations. Fails with the URL (password hidden) and the reason when the
        server cannot be reached."""
        try:
            connection = await psycopg.AsyncConnection.connect(
                url, connect_timeout=CONNECT_TIMEOUT_SECONDS
            )
        except psycopg.Error as error:
            raise DatabaseUnavailable(
                f"cannot connect to the database {redact(url)}: {str(error).strip()}"
            ) from error
        try:
            _configure(connection)
            await _migrate(connection)
        finally:
            await connection.close()

        async def configure(pooled: psycopg.AsyncConnection[Any]) -> None:
            _configure(pooled)
            await pooled.set_autocommit(True)
            # The bot's reads are short index walks that answer a command; starting parallel
            # workers took 10-45 ms before the first row on a 2-core server (EXPLAIN ANALYZE
            # of a ledger page: 61 ms parallel, 16 ms not), more than the walk itself.
            await pooled.execute(f"SET max_parallel_workers_per_gather = {PARALLEL_WORKERS}")
            # psycopg prepares a statement run five times, and PostgreSQL may then plan it once
            # for any parameters. The store's queries are shaped for their values (a common
            # theme is walked, a rare one looked up), and a generic plan of the theme listing
            # took 260 ms p95 where each value's own plan takes 15-40 ms: plan every execution.
            # (The outbox messages once lost under this setting were lost to a race between
            # two claims that any plan could lose; claims now run one at a time, and their
            # tests run under every mode.)
            await pooled.execute(f"SET plan_cache_mode = {PLAN_CACHE_MODE}")

        pool = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX_SIZE,
            open=False,
            configure=configure,
            kwargs={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
            name="hindsight",
        )
        await pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
        return cls(pool, url)

    async def close(self) -> None:
        """Close every pooled connection."""
        await self._pool.close()

    def reader(self) -> PostgresReader:
        """A blocking connection of its own (for an export in a worker thread) that reads
        through a server-side cursor, so only the rows asked for are in memory."""
        connection = psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_SECONDS)
        _configure_types(connection)
        return PostgresReader(connection)

    async def migrate(self) -> list[int]:
        """Apply every migration the database has not recorded (under the migration lock)."""
        async with self._pool.connection() as connection:
            await connection.set_autocommit(False)
            try:
                return await _migrate(connection)
            finally:
                await connection.set_autocommit(True)

    def _own_connection(self) -> psycopg.AsyncConnection[Any] | None:
        task = asyncio.current_task()
        return self._owners.get(task) if task is not None else None

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        """Run a read query and return every row."""
        own = self._own_connection()
        if own is not None:
            return await PostgresTransaction(own).fetch_all(sql, parameters)
        text, values = translate(sql, parameters)
        async with self._pool.connection() as connection:
            cursor = await connection.execute(text, values)
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        """Run a read query and return its first row, if any."""
        own = self._own_connection()
        if own is not None:
            return await PostgresTransaction(own).fetch_one(sql, parameters)
        text, values = translate(sql, parameters)
        async with self._pool.connection() as connection:
            cursor = await connection.execute(text, values)
            return await cursor.fetchone()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:  # type: ignore[override]
        """One write transaction at a time in this process: all or nothing. Inside a
        transaction the same task already holds, this joins it."""
        own = self._own_connection()
        if own is not None:
            yield PostgresTransaction(own)
            return
        task = asyncio.current_task()
        assert task is not None
        async with self._write_lock, self._pool.connection() as connection:
            self._owners[task] = connection
            try:
                async with connection.transaction():
                    yield PostgresTransaction(connection)
            finally:
                del self._owners[task]


class PostgresTransaction(Transaction):
    """Statements inside one open PostgreSQL transaction."""

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self._connection = connection

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        text, values = translate(sql, parameters)
        cursor = await self._connection.execute(text, values)
        return cursor.rowcount

    async def insert(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run an INSERT; return the new row's id (0 when a conflict left nothing inserted)."""
        text, values = translate(sql, parameters)
        cursor = await self._connection.execute(text + " RETURNING id", values)
        row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run a statement once per parameter row (pipelined by psycopg)."""
        text, order = _translate(sql)
        batch = [[row[index] for index in order] if order is not None else row for row in rows]
        if not batch:
            return
        async with self._connection.cursor() as cursor:
            await cursor.executemany(text, batch)

    async def fetch_all(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        """Read inside the transaction."""
        text, values = translate(sql, parameters)
        cursor = await self._connection.execute(text, values)
        return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        """Read one row inside the transaction."""
        text, values = translate(sql, parameters)
        cursor = await self._connection.execute(text, values)
        return await cursor.fetchone()


class PostgresReader:
    """A blocking connection for one long read: `execute` opens a server-side cursor."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection
        self._count = 0

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> psycopg.ServerCursor[Any]:
        """Run a query; fetch its rows with `fetchmany(n)`."""
        text, values = translate(sql, parameters)
        self._count += 1
        cursor = self._connection.cursor(name=f"hindsight_reader_{self._count}")
        cursor.execute(text, values)
        return cursor

    def close(self) -> None:
        """End the read and close the connection."""
        self._connection.close()


async def _migrate(connection: psycopg.AsyncConnection[Any]) -> list[int]:
    """Apply the PostgreSQL migrations not yet recorded, all in one transaction that first takes
    the migration lock: a second process starting at the same time waits, then finds them
    recorded. A failing migration leaves the schema as it was."""
    applied: list[int] = []
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        cursor = await connection.execute("SELECT version FROM schema_migrations")
        recorded = {row[0] for row in await cursor.fetchall()}
        for migration in load_migrations("postgresql"):
            if migration.version in recorded:
                continue
            # No parameters: psycopg sends the file as one multi-statement query.
            await connection.execute(migration.sql.encode())
            await connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)"
                " VALUES (%s, %s, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))",
                (migration.version, migration.name),
            )
            applied.append(migration.version)
    return applied
