"""Moving a whole ledger from one store to another (SQLite ↔ PostgreSQL, or SQLite → SQLite).

Every table of the schema is copied — posts, analyses, forecasts, votes, subscriptions,
reminders, the outbox, settings, feeds, digests, job failures, leases — with its ids, parents
before children, in one transaction on the target: a failure leaves the target as empty as it
was. Tables the schema's triggers keep in step (the search index, `forecast_sources`,
`theme_periods`, `post_sources`) are not copied but rebuilt by those triggers as the rows
arrive; on PostgreSQL the per-guild counters (`forecast_counts`) are counted once at the end.
The target must be empty; the counts of every table are compared before the target commits.

The list of tables, their columns, keys and foreign keys is read from the SQLite migrations
(the reference schema: PostgreSQL's migrations have the same tables and columns at the same
version), so a table added by a later migration is moved without touching this module.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from digests.errors import InputError
from digests.store.database import Database, is_postgresql_url, load_migrations, open_database

PAGE_ROWS = 2000

# Per-guild counters kept by triggers that update one row per guild and key for every row
# written. PostgreSQL keeps each version of an updated row until the transaction ends, so a
# copy of 300k forecasts through these triggers, in one transaction, would walk ever longer
# chains of versions of a dozen counter rows (quadratic: 60k inserts into a test table took
# 24 s, 5k took 0.2 s). A copy into PostgreSQL therefore switches them off (the table's owner
# may) and counts each table once after copying. (table with the triggers, trigger names,
# the counter table, the query that fills it)
_COUNTED_AFTER_COPY = (
    (
        "forecasts",
        ("forecast_counts_insert", "forecast_counts_delete", "forecast_counts_update"),
        "forecast_counts",
        "INSERT INTO forecast_counts (guild_id, status, forecasts)"
        " SELECT guild_id, status, COUNT(*) FROM forecasts GROUP BY guild_id, status",
    ),
)
_TRIGGER_TARGET = re.compile(r"\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class TableShape:
    """A table as the copy needs it: its columns and its primary key, in order."""

    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]


@dataclass(frozen=True)
class TableCount:
    """Rows of one table in the source and, after the copy, in the target."""

    table: str
    source: int
    target: int


@cache
def ledger_tables() -> tuple[TableShape, ...]:
    """Every table a copy moves, parents before children (foreign keys)."""
    reference = sqlite3.connect(":memory:")
    try:
        for migration in load_migrations():
            reference.executescript(migration.sql)
        entries = reference.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')"
        ).fetchall()
        virtual = [
            name for kind, name, sql in entries if kind == "table" and "VIRTUAL" in sql.upper()
        ]
        derived = {
            target
            for kind, _, sql in entries
            if kind == "trigger"
            for target in _TRIGGER_TARGET.findall(sql)
        }
        names = [
            name
            for kind, name, _ in entries
            if kind == "table"
            and not name.startswith("sqlite_")
            and name != "schema_migrations"
            and name not in derived
            and not any(name == v or name.startswith(f"{v}_") for v in virtual)
        ]
        shapes: dict[str, TableShape] = {}
        parents: dict[str, set[str]] = {}
        for name in names:
            info = reference.execute(f"PRAGMA table_info({name})").fetchall()
            columns = tuple(row[1] for row in info)
            key = tuple(row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5]))
            if not key:
                raise RuntimeError(f"table {name} has no primary key to copy it in order by")
            shapes[name] = TableShape(name, columns, key)
            parents[name] = {
                row[2]
                for row in reference.execute(f"PRAGMA foreign_key_list({name})")
                if row[2] != name
            }
    finally:
        reference.close()
    order = TopologicalSorter(parents).static_order()
    return tuple(shapes[name] for name in order if name in shapes)


def _after(key: Sequence[str]) -> str:
    """The keyset condition "rows after the last one read" (row values: both engines)."""
    if len(key) == 1:
        return f"{key[0]} > ?"
    return f"({', '.join(key)}) > ({', '.join('?' for _ in key)})"


async def _count(database: Any, table: str) -> int:
    row = await database.fetch_one(f"SELECT COUNT(*) AS n FROM {table}")
    return int(row["n"]) if row else 0


async def copy_ledger(
    source: Database, target: Database, *, page_rows: int = PAGE_ROWS
) -> list[TableCount]:
    """Copy every ledger table of `source` into the empty `target` in one transaction on the
    target; return the per-table counts (equal, or nothing is committed).

    Raises InputError when the schemas are at different versions or the target holds data.
    Stop the processes writing to `source` first: on SQLite the copy holds its write lock
    (one consistent snapshot), on PostgreSQL writes made meanwhile may be missed."""
    source_version, target_version = await source.schema_version(), await target.schema_version()
    if source_version != target_version:
        raise InputError(
            "--to",
            f"the target's schema is at version {target_version} and the source's at"
            f" {source_version}: run the same Hindsight version on both",
        )
    tables = ledger_tables()
    counts: list[TableCount] = []
    async with source.transaction() as reading, target.transaction() as writing:
        occupied = [
            f"{shape.name} ({n} rows)"
            for shape in tables
            if (n := await _count(writing, shape.name)) > 0
        ]
        if occupied:
            raise InputError(
                "--to",
                "the target store is not empty ("
                + ", ".join(occupied[:5])
                + (", …" if len(occupied) > 5 else "")
                + "): migrate into a new, empty database",
            )
        postgresql = getattr(target, "dialect", "sqlite") == "postgresql"
        if postgresql:
            for table, triggers, _, _ in _COUNTED_AFTER_COPY:
                for trigger in triggers:
                    await writing.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        for shape in tables:
            columns = ", ".join(shape.columns)
            insert = (
                f"INSERT INTO {shape.name} ({columns})"
                f" VALUES ({', '.join('?' for _ in shape.columns)})"
            )
            order = ", ".join(shape.key)
            key_at = [shape.columns.index(column) for column in shape.key]
            last: list[Any] | None = None
            while True:
                where = f" WHERE {_after(shape.key)}" if last is not None else ""
                rows = await reading.fetch_all(
                    f"SELECT {columns} FROM {shape.name}{where} ORDER BY {order} LIMIT ?",
                    (*(last or []), page_rows),
                )
                if not rows:
                    break
                values = [tuple(row[i] for i in range(len(shape.columns))) for row in rows]
                await writing.execute_many(insert, values)
                last = [values[-1][i] for i in key_at]
                if len(rows) < page_rows:
                    break
            counts.append(
                TableCount(
                    shape.name, await _count(reading, shape.name), await _count(writing, shape.name)
                )
            )
        mismatched = [c for c in counts if c.source != c.target]
        if mismatched:
            raise RuntimeError(
                "copied counts differ, nothing committed: "
                + ", ".join(f"{c.table} {c.source} → {c.target}" for c in mismatched)
            )
        if postgresql:
            for table, triggers, counters, fill in _COUNTED_AFTER_COPY:
                await writing.execute(f"DELETE FROM {counters}")
                await writing.execute(fill)
                for trigger in triggers:
                    await writing.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
            await _reset_sequences(writing, tables)
    return counts


async def _reset_sequences(writing: Any, tables: Sequence[TableShape]) -> None:
    """PostgreSQL identity columns continue after the copied ids (SQLite needs nothing: a new
    rowid is one more than the largest)."""
    for shape in tables:
        if shape.key != ("id",):
            continue
        await writing.fetch_one(
            f"SELECT setval(pg_get_serial_sequence('{shape.name}', 'id'),"
            f" COALESCE(MAX(id), 0) + 1, false) FROM {shape.name}"
        )


def _sqlite_file(url: str) -> str | None:
    """The file of a `sqlite:///PATH` URL; None for any other URL."""
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None


def _missing_sqlite_file(url: str) -> str | None:
    """The path of a `sqlite:///` URL naming no existing file (opening it would create an
    empty store); None when the file exists or the URL is not SQLite's."""
    path = _sqlite_file(url)
    if path is None:
        return None
    if path in ("", ":memory:") or not Path(path).is_file():
        return path or "(an empty path)"
    return None


async def _open(url: str, option: str) -> Database:
    """Open the store a URL names (creating a SQLite target file if needed), migrated."""
    if _sqlite_file(url) is None and not is_postgresql_url(url):
        scheme = url.split("://", 1)[0] + "://" if "://" in url else repr(url)
        raise InputError(
            option, f"{scheme} is not a store URL; use sqlite:///PATH or postgresql://…"
        )
    return await open_database(url)


async def migrate_store(source_url: str, target_url: str) -> list[TableCount]:
    """Open both stores (applying their migrations), copy the whole ledger from the first to
    the empty second (`copy_ledger`), close both; return the per-table counts."""
    if source_url == target_url:
        raise InputError("--to", "is the same store as --from")
    missing = _missing_sqlite_file(source_url)
    if missing is not None:
        raise InputError("--from", f"no SQLite file at {missing}")
    source = await _open(source_url, "--from")
    try:
        target = await _open(target_url, "--to")
        try:
            return await copy_ledger(source, target)
        finally:
            await target.close()
    finally:
        await source.close()
