"""Guild scopes as SQL: the condition selects exactly the guilds the Python scope contains."""

from __future__ import annotations

import sqlite3

import pytest

from digests.store.scope import ShardScope, scope_condition

# Guild ids spread over shards: Discord's snowflakes carry the shard in (id >> 22).
GUILD_IDS = [(number << 22) + number * 7919 for number in range(1, 200)] + [
    1_190_000_000_000_000_101,
    1_190_000_000_000_000_202,
]


def selected(scope: object) -> list[int]:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE rows (guild_id INTEGER)")
    connection.executemany("INSERT INTO rows VALUES (?)", [(g,) for g in GUILD_IDS])
    condition, parameters = scope_condition(scope)  # type: ignore[arg-type]
    found = connection.execute(
        f"SELECT guild_id FROM rows WHERE {condition} ORDER BY guild_id", parameters
    )
    return [row[0] for row in found]


@pytest.mark.parametrize(("shard_ids", "count"), [({0}, 1), ({0}, 3), ({1, 2}, 3), ({4}, 5)])
def test_a_shard_scope_in_sql_selects_the_guilds_it_contains(
    shard_ids: set[int], count: int
) -> None:
    scope = ShardScope(shard_ids, count)
    expected = sorted(g for g in GUILD_IDS if g in scope)
    assert 0 < len(expected) <= len(GUILD_IDS)
    assert selected(scope) == expected


def test_shards_of_one_bot_split_the_guilds_without_overlap() -> None:
    parts = [selected(ShardScope({shard}, 3)) for shard in range(3)]
    assert sorted(g for part in parts for g in part) == sorted(GUILD_IDS)


def test_a_set_of_ids_none_and_empty_scopes() -> None:
    assert selected({GUILD_IDS[0], GUILD_IDS[5]}) == sorted([GUILD_IDS[0], GUILD_IDS[5]])
    assert selected(None) == sorted(GUILD_IDS)
    assert selected(set()) == []
    assert selected(ShardScope(set(), 2)) == []


def test_a_scope_that_cannot_be_listed_is_refused_by_name() -> None:
    class Opaque:
        def __contains__(self, item: object) -> bool:
            return True

    with pytest.raises(TypeError, match="Opaque"):
        scope_condition(Opaque())  # type: ignore[arg-type]
