"""ForecastRepository on a real SQLite file: a post's forecasts written again keep their rows and
verdicts, manual additions, lookups and deletion; every one scoped by guild."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from digests.ingest.text import content_hash
from digests.ledger.model import ForecastRecord
from digests.models import Post, SourceKind
from digests.store import Store
from tests.store.conftest import GUILD, NOW, OTHER_GUILD, add_forecast, due_at, judge

DUE = date(2026, 3, 31)


async def add_post(store: Store, guild_id: int) -> int:
    text = "내년 3월까지 금리는 내려간다."
    post = Post(
        guild_id=guild_id,
        source="test",
        source_kind=SourceKind.TEXT,
        title="메모",
        lang="ko",
        text=text,
        content_hash=content_hash(text),
    )
    async with store.transaction() as transaction:
        return await store.posts.insert(transaction, post, NOW)


def found(guild_id: int, post_id: int, fingerprint: str, claim: str) -> ForecastRecord:
    return ForecastRecord(
        guild_id=guild_id,
        post_id=post_id,
        origin="analysis",
        fingerprint=fingerprint,
        sentence=claim,
        claim=claim,
        kind="outlook",
        hedge="likely",
        confidence=0.8,
        due_end=DUE,
        due_at=due_at(DUE),
        granularity="month",
    )


async def write(store: Store, guild_id: int, post_id: int, forecasts: list[ForecastRecord]) -> int:
    async with store.transaction() as transaction:
        return await store.forecasts.replace_for_post(
            transaction, guild_id=guild_id, post_id=post_id, forecasts=forecasts, now=NOW
        )


async def test_writing_a_post_again_keeps_rows_and_verdicts(ledger_store: Store) -> None:
    post_id = await add_post(ledger_store, GUILD)
    rates = found(GUILD, post_id, "fp-rates", "금리는 내려간다")
    won = found(GUILD, post_id, "fp-won", "원화는 오른다")
    gone = found(GUILD, post_id, "fp-gone", "사라질 예측")
    await write(ledger_store, GUILD, post_id, [rates, won, gone])
    first = {f.fingerprint: f.id for f in await ledger_store.forecasts.for_post(GUILD, post_id)}
    await judge(ledger_store, first["fp-won"], "correct")

    await write(ledger_store, GUILD, post_id, [replace(rates, claim="금리는 더 내려간다"), won])

    again = {f.fingerprint: f for f in await ledger_store.forecasts.for_post(GUILD, post_id)}
    assert set(again) == {"fp-rates", "fp-won"}  # the open one no longer found is dropped
    assert again["fp-rates"].id == first["fp-rates"]
    assert again["fp-rates"].claim == "금리는 더 내려간다"
    assert (again["fp-won"].status, again["fp-won"].outcome) == ("resolved", "correct")


async def test_a_forecast_of_another_post_or_guild_is_refused(ledger_store: Store) -> None:
    post_id = await add_post(ledger_store, GUILD)
    with pytest.raises(ValueError, match="fp-x"):
        await write(ledger_store, GUILD, post_id, [found(OTHER_GUILD, post_id, "fp-x", "x")])
    with pytest.raises(ValueError, match="add_manual"):
        async with ledger_store.transaction() as transaction:
            await ledger_store.forecasts.add_manual(
                transaction, forecast=found(GUILD, post_id, "fp-y", "y"), now=NOW
            )
    assert await ledger_store.forecasts.count(GUILD) == 0


async def test_another_guild_neither_reads_nor_deletes_our_forecasts(ledger_store: Store) -> None:
    post_id = await add_post(ledger_store, GUILD)
    await write(ledger_store, GUILD, post_id, [found(GUILD, post_id, "fp-rates", "금리")])
    manual = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)

    assert await ledger_store.forecasts.get(OTHER_GUILD, manual) is None
    assert await ledger_store.forecasts.for_post(OTHER_GUILD, post_id) == []
    assert await ledger_store.forecasts.count(OTHER_GUILD) == 0
    assert await ledger_store.forecasts.due_moments(OTHER_GUILD) == []
    async with ledger_store.transaction() as transaction:
        assert await ledger_store.forecasts.delete(transaction, OTHER_GUILD, [manual]) == 0
    assert await ledger_store.forecasts.count(GUILD) == 2
    assert (await ledger_store.forecasts.get(GUILD, manual)).claim == "Rates fall by spring"
