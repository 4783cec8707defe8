"""Track records per source, author and speaker (share correct, Brier score), and the export."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from digests.app import Services
from digests.errors import InputError
from tests.ledger.conftest import (
    ALICE,
    BOB,
    GUILD,
    MODERATOR,
    OTHER_GUILD,
    OUTSIDE_MODERATOR,
    OUTSIDER,
    add_spoken,
    export_text,
)

BANK = "https://bank.example/outlook"
PAPER = "https://paper.example/column"


async def _judge(services: Services, forecast_id: int, outcome: str) -> None:
    await services.ledger.resolve(MODERATOR, forecast_id, outcome)


@pytest.fixture
async def judged(services: Services) -> Services:
    """Guild 1: Alice's forecasts from the bank (with probabilities), Bob's from the paper,
    and two spoken forecasts; guild 2 has one of its own."""
    ledger = services.ledger
    a1 = await ledger.add(
        ALICE, claim="Rates cut", due="2026-01-31", probability="80%", source=BANK
    )
    a2 = await ledger.add(
        ALICE, claim="Won weakens", due="2026-01-31", probability=0.6, source=BANK
    )
    a3 = await ledger.add(ALICE, claim="Kospi up", due="2026-01-31", probability=30, source=BANK)
    a4 = await ledger.add(ALICE, claim="Oil flat", due="2026-01-31", source=BANK)
    b1 = await ledger.add(BOB, claim="Jobs grow", due="2026-02-28", source=PAPER)
    b2 = await ledger.add(BOB, claim="CPI cools", due="2026-02-28", source=PAPER)
    b3 = await ledger.add(BOB, claim="Housing dips", due="2026-02-28", source=PAPER)
    await ledger.add(BOB, claim="Still open", due="2026-02-28", source=PAPER)
    s1 = await add_spoken(
        services, GUILD, claim="growth tops 2%", speaker="Powell", due=date(2026, 3, 31)
    )
    s2 = await add_spoken(
        services, GUILD, claim="no recession", speaker="Powell", due=date(2026, 3, 31)
    )
    await _judge(services, a1.id, "correct")  # p=0.8 → (0.8-1)² = 0.04
    await _judge(services, a2.id, "partly")  # p=0.6 → (0.6-0.5)² = 0.01
    await _judge(services, a3.id, "wrong")  # p=0.3 → (0.3-0)² = 0.09
    await _judge(services, a4.id, "correct")  # no probability: not in the Brier score
    await _judge(services, b1.id, "correct")
    await _judge(services, b2.id, "unknown")  # resolved, but neither right nor wrong
    await _judge(services, b3.id, "withdrawn")  # not scored at all
    await _judge(services, s1.id, "wrong")
    await _judge(services, s2.id, "correct")
    theirs = await ledger.add(OUTSIDER, claim="Rates cut", due="2026-01-31", source=BANK)
    await ledger.resolve(OUTSIDE_MODERATOR, theirs.id, "wrong")
    return services


async def test_by_source(judged: Services) -> None:
    rows = {row.key: row for row in await judged.ledger.scoreboard(GUILD, "source")}
    assert set(rows) == {BANK, PAPER, "manual"}
    bank = rows[BANK]
    assert (bank.resolved, bank.correct, bank.partly, bank.wrong) == (4, 2, 1, 1)
    assert bank.share_correct == pytest.approx((2 + 0.5) / 4)
    assert bank.with_probability == 3
    assert bank.brier == pytest.approx((0.04 + 0.01 + 0.09) / 3)
    paper = rows[PAPER]
    assert (paper.resolved, paper.correct, paper.wrong) == (2, 1, 0)  # withdrawn left out
    assert paper.share_correct == 1.0  # "unknown" is neither right nor wrong
    assert paper.brier is None and paper.with_probability == 0
    spoken = rows["manual"]  # no link given
    assert (spoken.resolved, spoken.share_correct) == (2, 0.5)
    # Most resolved first; the other guild's identical bank forecast is not counted.
    assert (await judged.ledger.scoreboard(GUILD, "source"))[0].key == BANK


async def test_by_author_and_by_speaker(judged: Services) -> None:
    by_author = {row.key: row for row in await judged.ledger.scoreboard(GUILD, "author")}
    assert {key: row.resolved for key, row in by_author.items()} == {
        "<@10>": 4,
        "<@11>": 2,
        "Newsletter": 2,
    }
    by_speaker = {row.key: row for row in await judged.ledger.scoreboard(GUILD, "speaker")}
    # A forecast nobody is quoted for is the author's own.
    assert {key: row.resolved for key, row in by_speaker.items()} == {
        "<@10>": 4,
        "<@11>": 2,
        "Powell": 2,
    }
    powell = by_speaker["Powell"]
    assert (powell.correct, powell.wrong, powell.share_correct) == (1, 1, 0.5)
    with pytest.raises(InputError):
        await judged.ledger.scoreboard(GUILD, "horoscope")


async def test_scoreboard_limit(judged: Services) -> None:
    rows = await judged.ledger.scoreboard(GUILD, "source", limit=1)
    assert [row.key for row in rows] == [BANK]


async def test_export_holds_the_guilds_forecasts_only(judged: Services) -> None:
    csv_text, json_text = await export_text(judged, GUILD)
    records = list(csv.DictReader(io.StringIO(csv_text)))
    items = json.loads(json_text)
    assert len(records) == len(items) == 10
    assert [int(r["id"]) for r in records] == [item["id"] for item in items]
    mine = {f.id for f in await judged.ledger.list(GUILD, page_size=100)}
    assert {item["id"] for item in items} == mine
    theirs = {f.id for f in await judged.ledger.list(OTHER_GUILD, page_size=100)}
    assert theirs and not theirs & mine
    cut = next(item for item in items if item["claim"] == "Rates cut")
    assert (cut["probability"], cut["outcome"], cut["source_url"], cut["status"]) == (
        0.8,
        "correct",
        BANK,
        "resolved",
    )
    assert cut["resolved_by"] == MODERATOR.user_id
    row = next(r for r in records if r["claim"] == "Rates cut")
    assert (row["probability"], row["due_end"], row["outcome"]) == ("0.8", "2026-01-31", "correct")
    assert "guild_id" not in records[0]

    other_csv, other_json = await export_text(judged, OTHER_GUILD)
    assert [item["id"] for item in json.loads(other_json)] == sorted(theirs)
    assert len(list(csv.DictReader(io.StringIO(other_csv)))) == 1


async def test_export_keeps_korean_text_readable(services: Services) -> None:
    await services.ledger.add(ALICE, claim="내년 3월 금리 인하", due="2026-03-31")
    csv_text, json_text = await export_text(services, GUILD)
    assert "내년 3월 금리 인하" in csv_text and "내년 3월 금리 인하" in json_text
