"""Which guilds a process works for, and the same as a SQL condition.

A process that runs some of a bot's shards sweeps, digests, polls and delivers only for the
guilds of those shards. Filtering in SQL (not after reading) matters: another shard's backlog
at the head of a queue must not hide this shard's rows behind a LIMIT.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from typing import Any

# Discord's shard of a guild: (guild_id >> 22) % shard_count.
_SHARD_SHIFT = 22


class ShardScope(Container[int]):
    """The guilds of some shards: those with (guild_id >> 22) % shard_count in shard_ids."""

    def __init__(self, shard_ids: Iterable[int], shard_count: int) -> None:
        self.shard_ids = frozenset(shard_ids)
        self.shard_count = shard_count

    def __contains__(self, guild_id: object) -> bool:
        return (
            isinstance(guild_id, int)
            and (guild_id >> _SHARD_SHIFT) % self.shard_count in self.shard_ids
        )

    def __repr__(self) -> str:
        return f"ShardScope({sorted(self.shard_ids)}, {self.shard_count})"


def scope_condition(
    scope: Container[int] | None, column: str = "guild_id"
) -> tuple[str, list[Any]]:
    """A SQL condition (with its parameters) true for the rows of `scope`'s guilds: everything
    for None, a shard test for a ShardScope, a list of ids for any other finite collection.
    Portable: SQLite and PostgreSQL both have `>>` and `%` on integers."""
    if scope is None:
        return "1 = 1", []
    if isinstance(scope, ShardScope):
        if not scope.shard_ids:
            return "1 = 0", []
        marks = ", ".join("?" for _ in scope.shard_ids)
        return (
            f"(({column} >> {_SHARD_SHIFT}) % ?) IN ({marks})",
            [scope.shard_count, *sorted(scope.shard_ids)],
        )
    if not isinstance(scope, Iterable):
        raise TypeError(f"a guild scope must be a ShardScope or a collection of ids, not {scope!r}")
    ids = sorted(int(guild_id) for guild_id in scope)
    if not ids:
        return "1 = 0", []
    return f"{column} IN ({', '.join('?' for _ in ids)})", ids
