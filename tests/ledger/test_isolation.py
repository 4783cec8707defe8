"""Every LedgerService read and write is scoped to the caller's guild: another guild's ids are
"not found" (exactly like ids that do not exist), its lists are empty, and nothing changes."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.errors import NotFound
from digests.ledger.service import Actor, LedgerService
from tests.ledger.conftest import ALICE, BOB, GUILD, MODERATOR, OTHER_GUILD, export_text

# The same person is a moderator of another server: being a member elsewhere grants nothing.
ALICE_ELSEWHERE = Actor(OTHER_GUILD, ALICE.user_id, is_moderator=True)


@dataclass
class Ledger:
    """Guild 1's data, as seen from guild 2."""

    services: Services
    open_id: int
    resolved_id: int
    reminder_id: int


@pytest.fixture
async def ledger(services: Services, clock: ManualClock) -> Ledger:
    await services.store.guilds.update(GUILD, clock.now(), timezone="America/New_York")
    opened = await services.ledger.add(
        ALICE, claim="Rates fall by spring", due="2026-03-31", probability="70%"
    )
    judged = await services.ledger.add(
        ALICE, claim="Won passes 1500", due="2026-01-31", source="https://example.com/won"
    )
    await services.ledger.vote(BOB, opened.id, "correct")
    await services.ledger.resolve(MODERATOR, judged.id, "wrong")
    reminder = await services.ledger.remind_at(ALICE, opened.id, "2026-02-01")
    assert reminder is not None
    return Ledger(services, opened.id, judged.id, reminder.id)


async def _snapshot(ledger: Ledger) -> object:
    service = ledger.services.ledger
    views = [await service.show(GUILD, fid) for fid in (ledger.open_id, ledger.resolved_id)]
    return (
        views,
        await service.reminders(ALICE),
        await service.subscriptions(ALICE),
        await export_text(ledger.services, GUILD),
        await service.scoreboard(GUILD),
    )


async def _not_found(call: Awaitable[object]) -> None:
    with pytest.raises(NotFound):
        await call


Check = Callable[[LedgerService, Ledger], Awaitable[None]]


async def _get(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.get(OTHER_GUILD, led.open_id))


async def _show(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.show(OTHER_GUILD, led.resolved_id))


async def _list(s: LedgerService, led: Ledger) -> None:
    for status in ("all", "open", "due", "resolved", "undated"):
        assert await s.list(OTHER_GUILD, status=status) == []
    assert await s.list(OTHER_GUILD, query="Rates") == []
    assert await s.list(OTHER_GUILD, source="example.com") == []


async def _add(s: LedgerService, led: Ledger) -> None:
    added = await s.add(ALICE_ELSEWHERE, claim="Rates fall by spring", due="2026-03-31")
    assert added.guild_id == OTHER_GUILD and added.id not in (led.open_id, led.resolved_id)
    assert [f.id for f in await s.list(GUILD)] == [led.resolved_id, led.open_id]


async def _resolve(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.resolve(ALICE_ELSEWHERE, led.open_id, "wrong"))


async def _vote(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.vote(ALICE_ELSEWHERE, led.open_id, "wrong"))


async def _undo(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.undo(ALICE_ELSEWHERE, led.resolved_id))


async def _redate(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.redate(ALICE_ELSEWHERE, led.open_id, "2027-01-01"))


async def _snooze(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.snooze(ALICE_ELSEWHERE, led.open_id, 7))


async def _subscribe(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.subscribe(ALICE_ELSEWHERE, led.open_id))


async def _unsubscribe(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.unsubscribe(ALICE_ELSEWHERE, led.open_id))


async def _remind_at(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.remind_at(ALICE_ELSEWHERE, led.open_id, "2026-02-10"))
    await _not_found(s.remind_at(ALICE_ELSEWHERE, led.open_id, None))


async def _reminders(s: LedgerService, led: Ledger) -> None:
    assert await s.reminders(ALICE_ELSEWHERE) == []


async def _subscriptions(s: LedgerService, led: Ledger) -> None:
    assert await s.subscriptions(ALICE_ELSEWHERE) == []


async def _cancel_reminder(s: LedgerService, led: Ledger) -> None:
    await _not_found(s.cancel_reminder(ALICE_ELSEWHERE, led.reminder_id))


async def _scoreboard(s: LedgerService, led: Ledger) -> None:
    for by in ("source", "author", "speaker"):
        assert await s.scoreboard(OTHER_GUILD, by) == []


async def _export(s: LedgerService, led: Ledger) -> None:
    export = await s.export(OTHER_GUILD)
    csv_text, json_text = export.csv_path.read_text("utf-8"), export.json_path.read_text("utf-8")
    export.remove()
    assert csv_text.strip().splitlines() == [csv_text.strip().splitlines()[0]]  # header only
    assert json.loads(json_text) == []


async def _zone(s: LedgerService, led: Ledger) -> None:
    assert await s.zone(GUILD) == ZoneInfo("America/New_York")
    assert await s.zone(OTHER_GUILD) == ZoneInfo("Asia/Seoul")  # the bot's default


async def _today(s: LedgerService, led: Ledger) -> None:
    # 2025-12-15 09:00 UTC is 04:00 in New York and 18:00 in Seoul: the same day here.
    assert await s.today(GUILD) == await s.today(OTHER_GUILD) == date(2025, 12, 15)


async def _realign_due_moments(s: LedgerService, led: Ledger) -> None:
    # Guild 1 moves to Seoul without realigning: realigning guild 2 leaves guild 1's moments be.
    await led.services.store.guilds.update(GUILD, led.services.clock.now(), timezone="Asia/Seoul")
    assert await s.realign_due_moments(OTHER_GUILD) == 0


CHECKS: dict[str, Check] = {
    "get": _get,
    "show": _show,
    "list": _list,
    "add": _add,
    "resolve": _resolve,
    "vote": _vote,
    "undo": _undo,
    "redate": _redate,
    "snooze": _snooze,
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "remind_at": _remind_at,
    "reminders": _reminders,
    "subscriptions": _subscriptions,
    "cancel_reminder": _cancel_reminder,
    "scoreboard": _scoreboard,
    "export": _export,
    "zone": _zone,
    "today": _today,
    "realign_due_moments": _realign_due_moments,
}


def test_every_public_ledger_method_has_an_isolation_check() -> None:
    public = {
        name
        for name in vars(LedgerService)
        if not name.startswith("_") and callable(getattr(LedgerService, name))
    }
    assert public == set(CHECKS)


@pytest.mark.parametrize("method", sorted(CHECKS))
async def test_another_guilds_ids_are_not_found_and_nothing_changes(
    ledger: Ledger, method: str
) -> None:
    before = await _snapshot(ledger)
    await CHECKS[method](ledger.services.ledger, ledger)
    assert await _snapshot(ledger) == before


async def test_the_other_guilds_own_data_stays_its_own(ledger: Ledger) -> None:
    service = ledger.services.ledger
    theirs = await service.add(ALICE_ELSEWHERE, claim="Kospi at 3000", due="2026-06-30")
    await service.resolve(ALICE_ELSEWHERE, theirs.id, "correct")
    assert [f.id for f in await service.list(OTHER_GUILD)] == [theirs.id]
    assert [r.key for r in await service.scoreboard(OTHER_GUILD, "author")] == ["<@10>"]
    assert [row.resolved for row in await service.scoreboard(OTHER_GUILD, "author")] == [1]
    await _not_found(service.get(GUILD, theirs.id))
    # Same member, two servers: each server's reminders are its own.
    assert [r.id for r in await service.reminders(ALICE)] == [ledger.reminder_id]
    assert await service.reminders(ALICE_ELSEWHERE) == []
