"""Digests built for one command: the theme sections alone, and a track record kept between
builds only while no verdict changes."""

from __future__ import annotations

from datetime import timedelta

from digests.app import Services
from digests.clock import ManualClock
from digests.ledger.service import Actor

GUILD = 41
MOD = Actor(GUILD, 1, is_moderator=True)


async def test_themes_only_digest_has_themes_and_nothing_else(
    services: Services, clock: ManualClock
) -> None:
    text = "배터리 공급망 메모\n\nLFP 배터리 수요가 늘고 있다. 배터리 공급망이 바뀐다. 테슬라와 배터리."
    await services.ingest.ingest_text(text, GUILD, title="배터리 공급망 메모")
    await services.ledger.add(MOD, claim="LFP share above 50%", due="2026-06-30")
    digest = await services.digests.themes_now(GUILD, 7)
    assert digest.themes and "배터리" in {trend.label for trend in digest.themes}
    assert digest.post_count == 1
    assert (digest.new_forecasts, digest.coming_due, digest.overdue, digest.scoreboard) == (
        [],
        [],
        [],
        [],
    )
    assert not digest.is_empty


async def test_the_digest_scoreboard_follows_every_verdict(
    services: Services, clock: ManualClock
) -> None:
    first = await services.ledger.add(
        MOD, claim="Fed cuts in December", due="2025-12-20", source="https://a.example/x"
    )
    second = await services.ledger.add(
        MOD, claim="Oil above $90", due="2025-12-21", source="https://a.example/x"
    )
    clock.advance(seconds=10 * 86400)

    async def board() -> list[tuple[int, float | None]]:
        digest = await services.digests.build_now(GUILD, 30)
        return [(item.resolved, item.share_correct) for item in digest.scoreboard]

    assert await board() == []
    await services.ledger.resolve(MOD, first.id, "correct")
    assert await board() == [(1, 1.0)]
    clock.advance(seconds=60)
    await services.ledger.resolve(MOD, second.id, "wrong")
    assert await board() == [(2, 0.5)]
    await services.ledger.undo(MOD, second.id)
    assert await board() == [(1, 1.0)]
    clock.advance(seconds=timedelta(minutes=1).total_seconds())
    await services.ledger.resolve(MOD, second.id, "correct")
    assert await board() == [(2, 1.0)]
