"""Every command that names a forecast, reminder, post or feed is scoped to the caller's
guild: another guild's ids are "not found" and its lists are empty."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.commands.handlers import Caller, Commands, reminder_buttons, vote_button_id
from digests.commands.replies import Reply
from digests.errors import NotFound
from digests.models import Post, SourceKind
from tests.commands.conftest import ELSEWHERE, GUILD, MEMBER, MODERATOR


@dataclass
class Guild1:
    services: Services
    forecast_id: int
    resolved_id: int
    reminder_id: int
    post_id: int
    feed_id: int


@pytest.fixture
async def guild1(services: Services, commands: Commands, clock: ManualClock) -> Guild1:
    ledger = services.ledger
    forecast = await ledger.add(
        MEMBER.actor, claim="Rates fall by spring", due="2026-03-31", source="https://a.example/x"
    )
    resolved = await ledger.add(MEMBER.actor, claim="Won passes 1500", due="2026-01-31")
    await ledger.resolve(MODERATOR.actor, resolved.id, "correct")
    reminder = await ledger.remind_at(MEMBER.actor, forecast.id, "2026-02-01")
    assert reminder is not None
    text = "Rates will fall by spring, the bank said."
    post = Post(
        guild_id=GUILD,
        source="https://a.example/x",
        source_kind=SourceKind.URL,
        canonical_url="https://a.example/x",
        title="Rates outlook",
        lang="en",
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    async with services.store.transaction() as transaction:
        post_id = await services.store.posts.insert(transaction, post, clock.now())
        feed_id = await services.store.feeds.add(
            transaction,
            guild_id=GUILD,
            url="https://a.example/feed.xml",
            title="A feed",
            channel_id=None,
            added_by="99",
            now=clock.now(),
            next_poll=clock.now(),
        )
    return Guild1(services, forecast.id, resolved.id, reminder.id, post_id, feed_id)


async def _state(g: Guild1) -> object:
    ledger = g.services.ledger
    return (
        [await ledger.show(GUILD, fid) for fid in (g.forecast_id, g.resolved_id)],
        await ledger.reminders(MEMBER.actor),
        await ledger.subscriptions(MEMBER.actor),
        await g.services.store.posts.get(GUILD, g.post_id),
        await g.services.store.feeds.list(GUILD),
    )


Call = Callable[[Commands, Guild1], Awaitable[object]]

NOT_FOUND: dict[str, Call] = {
    "summary post": lambda c, g: c.summary(ELSEWHERE, post=g.post_id),
    "predictions show": lambda c, g: c.predictions_show(ELSEWHERE, g.forecast_id),
    "predictions resolve": lambda c, g: c.predictions_resolve(ELSEWHERE, g.forecast_id, "wrong"),
    "predictions vote": lambda c, g: c.predictions_resolve(
        Caller(ELSEWHERE.guild_id, ELSEWHERE.user_id), g.forecast_id, "wrong"
    ),
    "predictions undo": lambda c, g: c.predictions_undo(ELSEWHERE, g.resolved_id),
    "predictions redate": lambda c, g: c.predictions_redate(ELSEWHERE, g.forecast_id, "2027-01-01"),
    "remind prediction": lambda c, g: c.remind_prediction(ELSEWHERE, g.forecast_id),
    "remind prediction when": lambda c, g: c.remind_prediction(
        ELSEWHERE, g.forecast_id, "2026-02-10"
    ),
    "remind cancel reminder": lambda c, g: c.remind_cancel(ELSEWHERE, reminder=g.reminder_id),
    "remind cancel prediction": lambda c, g: c.remind_cancel(ELSEWHERE, prediction=g.forecast_id),
    "feed remove": lambda c, g: c.feed_remove(ELSEWHERE, g.feed_id),
    "button vote": lambda c, g: c.button(ELSEWHERE, vote_button_id(g.forecast_id, "wrong")),
    "button snooze": lambda c, g: c.button(ELSEWHERE, reminder_buttons(g.forecast_id)[4].custom_id),
    "button remind": lambda c, g: c.button(ELSEWHERE, reminder_buttons(g.forecast_id)[5].custom_id),
}


@pytest.mark.parametrize("name", sorted(NOT_FOUND))
async def test_another_guilds_ids_are_not_found(
    guild1: Guild1, commands: Commands, name: str
) -> None:
    before = await _state(guild1)
    with pytest.raises(NotFound):
        await NOT_FOUND[name](commands, guild1)
    assert await _state(guild1) == before


def _text(reply: Reply) -> str:
    return "\n".join(
        [reply.title or "", reply.description, *(f.value for f in reply.fields)]
        + [_text(page) for page in reply.pages]
    )


async def test_another_guilds_lists_are_empty(guild1: Guild1, commands: Commands) -> None:
    for status in ("all", "open", "due", "resolved"):
        listed = await commands.predictions_list(ELSEWHERE, status=status)
        assert "Rates fall" not in _text(listed) and "Won passes" not in _text(listed)
        assert listed.pages == []
    assert "#" not in (await commands.remind_list(ELSEWHERE)).description
    assert "a.example" not in _text(await commands.feed_list(ELSEWHERE))
    scoreboard = await commands.scoreboard(ELSEWHERE, "author")
    assert "<@10>" not in _text(scoreboard) and "1 resolved" not in _text(scoreboard)
    export = await commands.export(ELSEWHERE)
    files = {attachment.filename: attachment.read_bytes().decode() for attachment in export.files}
    assert list(csv.DictReader(io.StringIO(files["forecasts.csv"]))) == []
    assert json.loads(files["forecasts.json"]) == []
    assert await commands.complete_forecasts(ELSEWHERE.guild_id, str(guild1.forecast_id)) == []
    assert await commands.complete_forecasts(ELSEWHERE.guild_id, "Rates") == []
    assert await commands.complete_sources(ELSEWHERE.guild_id, "") == []
    assert await commands.complete_posts(ELSEWHERE.guild_id, "") == []
    assert await commands.complete_posts(ELSEWHERE.guild_id, "Rates") == []


async def test_the_owning_guild_sees_its_own(guild1: Guild1, commands: Commands) -> None:
    """The same calls from the owning guild do find the data (so the checks above can fail)."""
    assert "Rates fall" in _text(await commands.predictions_show(MEMBER, guild1.forecast_id))
    assert "Rates fall" in _text(await commands.predictions_list(MEMBER))
    assert f"#{guild1.reminder_id}" in _text(await commands.remind_list(MEMBER))
    assert "1 resolved" in _text(await commands.scoreboard(MEMBER, "author"))
    assert await commands.complete_forecasts(GUILD, str(guild1.forecast_id)) != []
    assert await commands.complete_posts(GUILD, "") != []
    assert "a.example" in _text(await commands.feed_list(MODERATOR))
    assert "Rates outlook" in _text(await commands.summary(MEMBER, post=guild1.post_id))
    export = await commands.export(MEMBER)
    rows = list(csv.DictReader(io.StringIO(export.files[0].read_bytes().decode())))
    assert {int(r["id"]) for r in rows} == {guild1.forecast_id, guild1.resolved_id}
