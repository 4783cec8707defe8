"""When forecasts come due: at the end of the due day in the guild's timezone, whether found in a
post or added by hand, and still so after the guild (or the bot's default) changes timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.commands.handlers import Caller, Commands
from digests.ledger.model import ForecastRecord, forecast_fingerprint
from digests.ledger.service import realign_due_moments
from tests.conftest import make_settings
from tests.ledger.conftest import ALICE, GUILD, MODERATOR, OTHER_GUILD
from tests.reminders.recording import RecordingTransport

FED = "연준은 2026년 3월 31일까지 기준금리를 두 차례 인하할 것으로 전망된다."
NEW_YORK_CLOSE = datetime(2026, 4, 1, 4, 0, tzinfo=UTC)  # midnight after 2026-03-31 in New York
SEOUL_CLOSE = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)  # midnight after 2026-03-31 in Seoul


async def _found_in_a_post(services: Services, guild_id: int) -> ForecastRecord:
    [result] = await services.ingest.ingest_text(
        FED, guild_id, title="금리 메모", published=services.clock.now()
    )
    assert result.post_id is not None
    [forecast] = await services.store.forecasts.for_post(guild_id, result.post_id)
    return forecast


@pytest.mark.parametrize(
    ("timezone", "closes"), [("America/New_York", NEW_YORK_CLOSE), ("Asia/Seoul", SEOUL_CLOSE)]
)
async def test_found_and_added_forecasts_due_the_same_day_close_together(
    services: Services, clock: ManualClock, timezone: str, closes: datetime
) -> None:
    await services.store.guilds.update(GUILD, clock.now(), timezone=timezone)
    found = await _found_in_a_post(services, GUILD)
    added = await services.ledger.add(ALICE, claim="Fed cuts twice", due="2026-03-31")
    assert found.due_end == added.due_end == date(2026, 3, 31)
    assert found.due_at == added.due_at == closes
    redated = await services.ledger.redate(MODERATOR, added.id, "2026-04-30")
    back = await services.ledger.redate(MODERATOR, redated.id, "2026-03-31")
    assert back.due_at == closes


async def test_the_sweep_pings_at_the_guilds_midnight_not_the_defaults(
    services: Services, clock: ManualClock
) -> None:
    await services.store.guilds.update(GUILD, clock.now(), timezone="America/New_York")
    found = await _found_in_a_post(services, GUILD)
    transport = RecordingTransport()
    scheduler = services.scheduler(transport)
    clock.set(SEOUL_CLOSE)  # the bot's default (Seoul) would have closed it here
    await scheduler.tick()
    assert (await services.ledger.get(GUILD, found.id)).status == "open"
    clock.set(NEW_YORK_CLOSE)
    await scheduler.tick()
    assert (await services.ledger.get(GUILD, found.id)).status == "due"


async def _stored_in_seoul_time(services: Services, guild_id: int) -> ForecastRecord:
    """A forecast as older versions stored posts' forecasts: closing at the default's midnight."""
    record = ForecastRecord(
        guild_id=guild_id,
        origin="manual",
        fingerprint=forecast_fingerprint("test", FED, "2026-03-31"),
        sentence=FED,
        claim=FED,
        kind="outlook",
        hedge="likely",
        confidence=0.8,
        due_start=date(2025, 12, 15),
        due_end=date(2026, 3, 31),
        due_at=SEOUL_CLOSE,
    )
    async with services.store.transaction() as transaction:
        forecast_id = await services.store.forecasts.add_manual(
            transaction, forecast=record, now=services.clock.now()
        )
    return await services.ledger.get(guild_id, forecast_id)


async def test_stored_moments_move_to_the_guilds_timezone_at_start_up(
    tmp_path: Path, store_url: str, clock: ManualClock
) -> None:
    settings = make_settings(tmp_path, database_url=store_url)
    async with await Services.open(settings, clock) as services:
        await services.store.guilds.update(GUILD, clock.now(), timezone="America/New_York")
        new_york = await _stored_in_seoul_time(services, GUILD)
        seoul = await _stored_in_seoul_time(services, OTHER_GUILD)
    async with await Services.open(settings, clock) as services:
        assert (await services.ledger.get(GUILD, new_york.id)).due_at == NEW_YORK_CLOSE
        assert (await services.ledger.get(OTHER_GUILD, seoul.id)).due_at == SEOUL_CLOSE
        # Once aligned, nothing moves again.
        assert await realign_due_moments(services.store, settings) == 0


async def test_a_new_default_timezone_moves_the_guilds_that_use_it(
    tmp_path: Path, store_url: str, clock: ManualClock
) -> None:
    async with await Services.open(
        make_settings(tmp_path, database_url=store_url), clock
    ) as services:
        await services.store.guilds.update(GUILD, clock.now(), timezone="Asia/Seoul")
        own = await services.ledger.add(ALICE, claim="Fed cuts twice", due="2026-03-31")
        defaulted = await _found_in_a_post(services, OTHER_GUILD)
        assert own.due_at == defaulted.due_at == SEOUL_CLOSE
    moved = make_settings(tmp_path, database_url=store_url, default_timezone="America/New_York")
    async with await Services.open(moved, clock) as services:
        assert (await services.ledger.get(GUILD, own.id)).due_at == SEOUL_CLOSE
        assert (await services.ledger.get(OTHER_GUILD, defaulted.id)).due_at == NEW_YORK_CLOSE


async def test_changing_the_guilds_timezone_moves_its_forecasts(
    services: Services, clock: ManualClock
) -> None:
    commands = Commands(services)
    added = await services.ledger.add(ALICE, claim="Fed cuts twice", due="2026-03-31")
    elsewhere = await _found_in_a_post(services, OTHER_GUILD)
    assert added.due_at == SEOUL_CLOSE
    reply = await commands.settings_timezone(
        Caller(GUILD, 99, is_moderator=True), "America/New_York"
    )
    assert reply.title == "Timezone set to America/New_York"
    assert (await services.ledger.get(GUILD, added.id)).due_at == NEW_YORK_CLOSE
    assert (await services.ledger.get(OTHER_GUILD, elsewhere.id)).due_at == SEOUL_CLOSE
    # A digest schedule with a timezone sets the guild's timezone too.
    await services.digests.schedule(GUILD, channel_id=5, timezone="Asia/Seoul")
    assert (await services.ledger.get(GUILD, added.id)).due_at == SEOUL_CLOSE


async def test_a_timezone_change_by_a_whole_day_is_caught_too(
    services: Services, clock: ManualClock
) -> None:
    # Midnight in Kiritimati (UTC+14) is also a midnight in Honolulu (UTC-10), a day earlier:
    # only the check of every due date, which a timezone change runs, tells them apart.
    commands = Commands(services)
    moderator = Caller(GUILD, 99, is_moderator=True)
    await commands.settings_timezone(moderator, "Pacific/Kiritimati")
    added = await services.ledger.add(ALICE, claim="Fed cuts twice", due="2026-03-31")
    assert added.due_at == datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    await commands.settings_timezone(moderator, "Pacific/Honolulu")
    assert (await services.ledger.get(GUILD, added.id)).due_at == datetime(
        2026, 4, 1, 10, 0, tzinfo=UTC
    )
