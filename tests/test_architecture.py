"""Rules of the architecture, checked on the source tree itself."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

from digests.store.database import load_migrations
from tests.conftest import REPO

SQL = re.compile(
    r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b",
    re.I | re.S,
)


def python_files(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_the_domain_never_imports_discord() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in python_files("digests")
        if any(
            module == "discord" or module.startswith("discord.")
            for module in imported_modules(path)
        )
    ]
    assert offenders == []


def test_sql_lives_only_in_the_store_layer() -> None:
    offenders = []
    for folder in ("digests", "bot"):
        for path in python_files(folder):
            if path.is_relative_to(REPO / "digests" / "store"):
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and SQL.search(node.value)
                ):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []


def test_every_community_table_carries_a_guild_id() -> None:
    connection = sqlite3.connect(":memory:")
    for migration in load_migrations():
        connection.executescript(migration.sql)
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'posts_fts%' AND name NOT LIKE 'forecast_sources_%'"
        )
    ]
    assert tables
    missing = [
        table
        for table in tables
        if "guild_id"
        not in {column[1] for column in connection.execute(f"PRAGMA table_info({table})")}
    ]
    assert missing == []


def test_migrations_are_numbered_from_one_each_number_once() -> None:
    # Gaps are allowed: numbers are handed out to branches developed side by side.
    versions = [migration.version for migration in load_migrations()]
    assert versions[0] == 1 and versions == sorted(set(versions))
