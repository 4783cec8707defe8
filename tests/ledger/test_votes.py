"""Votes (one per member, changeable), a moderator's final verdict, and undo, with history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.errors import Conflict, InputError, PermissionDenied
from tests.ledger.conftest import ALICE, BOB, CAROL, GUILD, MODERATOR

DUE = "2025-12-20"


async def test_one_vote_per_member_and_it_can_change(services: Services) -> None:
    forecast = await services.ledger.add(ALICE, claim="Rates fall by spring", due=DUE)
    await services.ledger.vote(BOB, forecast.id, "correct")
    await services.ledger.vote(CAROL, forecast.id, "wrong")
    result = await services.ledger.vote(BOB, forecast.id, "partly")  # Bob changes his mind
    assert result.verdict is False
    assert result.tally.counts == {"partly": 1, "wrong": 1}
    assert result.tally.by_user == {BOB.user_id: "partly", CAROL.user_id: "wrong"}
    assert result.tally.total == 2
    again = await services.ledger.vote(BOB, forecast.id, "came true")  # an alias
    assert again.tally.by_user[BOB.user_id] == "correct"
    # Votes never decide: the forecast still waits for a verdict.
    assert (await services.ledger.get(GUILD, forecast.id)).status == "open"


async def test_a_members_resolve_is_counted_as_a_vote(services: Services) -> None:
    forecast = await services.ledger.add(ALICE, claim="Rates fall by spring", due=DUE)
    result = await services.ledger.resolve(BOB, forecast.id, "wrong")
    assert result.verdict is False and result.tally.by_user == {BOB.user_id: "wrong"}
    assert result.forecast.status == "open" and result.forecast.outcome is None
    with pytest.raises(InputError):  # members cannot withdraw by voting
        await services.ledger.resolve(BOB, forecast.id, "withdrawn")
    with pytest.raises(InputError):
        await services.ledger.vote(BOB, forecast.id, "maybe?")


async def test_a_moderators_verdict_is_final(services: Services, clock: ManualClock) -> None:
    forecast = await services.ledger.add(ALICE, claim="Rates fall by spring", due=DUE)
    await services.ledger.vote(BOB, forecast.id, "wrong")
    clock.advance(days=6)
    result = await services.ledger.resolve(
        MODERATOR,
        forecast.id,
        "correct",
        evidence="https://example.com/rates",
        note="Cut on the 18th",
    )
    assert result.verdict is True
    judged = result.forecast
    assert (judged.status, judged.outcome, judged.resolved_by) == (
        "resolved",
        "correct",
        MODERATOR.user_id,
    )
    assert judged.resolved_at == clock.now()
    assert judged.evidence == "https://example.com/rates"

    with pytest.raises(Conflict):  # a member's vote after the verdict changes nothing
        await services.ledger.vote(CAROL, forecast.id, "wrong")
    with pytest.raises(Conflict):
        await services.ledger.resolve(BOB, forecast.id, "partly")
    with pytest.raises(Conflict):  # nor does another verdict without undo
        await services.ledger.resolve(MODERATOR, forecast.id, "wrong")
    after = await services.ledger.show(GUILD, forecast.id)
    assert (after.forecast.outcome, after.tally.by_user) == ("correct", {BOB.user_id: "wrong"})


async def test_evidence_must_be_a_link(services: Services) -> None:
    forecast = await services.ledger.add(ALICE, claim="Rates fall by spring", due=DUE)
    with pytest.raises(InputError):
        await services.ledger.resolve(MODERATOR, forecast.id, "correct", evidence="trust me")
    assert (await services.ledger.get(GUILD, forecast.id)).status == "open"


async def test_undo_restores_the_state_before_the_verdict_with_history(
    services: Services, clock: ManualClock
) -> None:
    forecast = await services.ledger.add(ALICE, claim="Rates fall by spring", due=DUE)
    await services.ledger.vote(BOB, forecast.id, "correct")
    await services.ledger.resolve(MODERATOR, forecast.id, "wrong", note="misread")

    with pytest.raises(PermissionDenied):
        await services.ledger.undo(ALICE, forecast.id)
    restored = await services.ledger.undo(MODERATOR, forecast.id)
    assert (restored.status, restored.outcome, restored.resolved_by, restored.resolved_at) == (
        "open",
        None,
        None,
        None,
    )
    assert restored.note is None and restored.evidence is None
    view = await services.ledger.show(GUILD, forecast.id)
    assert view.tally.by_user == {BOB.user_id: "correct"}  # votes survive
    assert [(e.kind, e.actor) for e in view.events] == [
        ("created", ALICE.user_id),
        ("resolved", MODERATOR.user_id),
        ("undone", MODERATOR.user_id),
    ]
    assert view.events[1].payload["outcome"] == "wrong"
    assert view.events[1].payload["previous_status"] == "open"
    assert view.events[2].payload == {"outcome": "wrong", "resolved_by": MODERATOR.user_id}

    with pytest.raises(Conflict):  # nothing left to undo
        await services.ledger.undo(MODERATOR, forecast.id)
    # Voting works again, and so does a new verdict.
    await services.ledger.vote(CAROL, forecast.id, "correct")
    final = await services.ledger.resolve(MODERATOR, forecast.id, "correct")
    assert final.forecast.outcome == "correct"


async def test_undo_after_the_due_date_leaves_it_awaiting_a_verdict(
    services: Services, clock: ManualClock
) -> None:
    forecast = await services.ledger.add(ALICE, claim="Rates fall by spring", due=DUE)
    assert forecast.due_at is not None
    clock.set(forecast.due_at + timedelta(hours=1))
    await services.reminders.sweep()
    assert (await services.ledger.get(GUILD, forecast.id)).status == "due"
    await services.ledger.resolve(MODERATOR, forecast.id, "unknown")
    restored = await services.ledger.undo(MODERATOR, forecast.id)
    assert restored.status == "due"
    assert [f.id for f in await services.ledger.list(GUILD, status="due")] == [forecast.id]


async def test_withdrawn_is_a_moderator_verdict(services: Services) -> None:
    forecast = await services.ledger.add(ALICE, claim="Rates fall by spring", due=DUE)
    result = await services.ledger.resolve(MODERATOR, forecast.id, "철회")
    assert result.forecast.outcome == "withdrawn"
    assert [f.id for f in await services.ledger.list(GUILD, status="resolved")] == [forecast.id]
