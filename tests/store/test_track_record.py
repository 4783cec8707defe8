"""TrackRecordRepository on a real SQLite file: scores by source, author and speaker; the verdict
marker; guild scoping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from digests.clock import to_timestamp
from digests.store import Store
from tests.store.conftest import GUILD, NOW, OTHER_GUILD, add_forecast, judge

DUE = date(2026, 3, 31)
BANK = "https://bank.example/outlook"
BLOG = "https://blog.example/post"


async def seed(store: Store) -> None:
    """Bank: correct at 0.8, wrong at 0.6, withdrawn; blog: partly without a probability;
    one open forecast; and another guild's verdict."""
    verdicts = [
        ("Rates fall by spring", BANK, "Kim", 0.8, "correct"),
        ("Won passes 1500", BANK, "Kim", 0.6, "wrong"),
        ("Not a real call", BANK, "Kim", 0.9, "withdrawn"),
        ("Oil tops 100", BLOG, None, None, "partly"),
    ]
    for claim, source, speaker, probability, outcome in verdicts:
        forecast_id = await add_forecast(
            store, GUILD, claim, DUE, speaker=speaker, probability=probability, source_url=source
        )
        await judge(store, forecast_id, outcome)
    await add_forecast(store, GUILD, "Still open", DUE, source_url=BLOG)
    elsewhere = await add_forecast(store, OTHER_GUILD, "Theirs", DUE, source_url=BANK)
    await judge(store, elsewhere, "correct")


async def test_scores_by_source_leave_out_withdrawn_and_open(ledger_store: Store) -> None:
    await seed(ledger_store)

    rows = {row.key: row for row in await ledger_store.track_record.rows(GUILD, "source")}

    assert list(rows) == [BANK, BLOG]  # most resolved first
    bank = rows[BANK]
    assert (bank.resolved, bank.correct, bank.wrong, bank.with_probability) == (2, 1, 1, 2)
    assert bank.brier == pytest.approx(((0.8 - 1) ** 2 + 0.6**2) / 2)
    assert bank.share_correct == pytest.approx(0.5)
    blog = rows[BLOG]
    assert (blog.resolved, blog.partly, blog.brier, blog.with_probability) == (1, 1, None, 0)
    assert blog.share_correct == pytest.approx(0.5)


async def test_scores_by_author_and_speaker(ledger_store: Store) -> None:
    await seed(ledger_store)

    by_author = await ledger_store.track_record.rows(GUILD, "author")
    by_speaker = await ledger_store.track_record.rows(GUILD, "speaker")

    assert [(row.key, row.resolved) for row in by_author] == [("Newsletter", 3)]
    # Without a speaker, the author spoke.
    assert [(row.key, row.resolved) for row in by_speaker] == [("Kim", 2), ("Newsletter", 1)]


async def test_the_limit_keeps_the_most_resolved(ledger_store: Store) -> None:
    await seed(ledger_store)

    assert [row.key for row in await ledger_store.track_record.rows(GUILD, "source", 1)] == [BANK]


async def test_an_unknown_grouping_is_refused(ledger_store: Store) -> None:
    with pytest.raises(KeyError):
        await ledger_store.track_record.rows(GUILD, "horoscope")


async def test_another_guild_has_its_own_track_record(ledger_store: Store) -> None:
    await seed(ledger_store)

    [theirs] = await ledger_store.track_record.rows(OTHER_GUILD, "source")

    assert (theirs.key, theirs.resolved, theirs.correct) == (BANK, 1, 1)
    assert await ledger_store.track_record.verdict_marker(OTHER_GUILD) == (1, to_timestamp(NOW))


async def test_the_verdict_marker_moves_with_every_verdict(ledger_store: Store) -> None:
    marker = ledger_store.track_record.verdict_marker
    assert await marker(GUILD) == (0, None)
    forecast_id = await add_forecast(ledger_store, GUILD, "Rates fall by spring", DUE)
    await judge(ledger_store, forecast_id, "correct")
    given = await marker(GUILD)
    await judge(ledger_store, forecast_id, "wrong", at=NOW + timedelta(hours=1))
    changed = await marker(GUILD)
    await judge(ledger_store, forecast_id, None)  # undone

    assert given[0] == changed[0] == 1
    assert given != changed
    assert await marker(GUILD) == (0, None)
    assert await marker(OTHER_GUILD) == (0, None)
