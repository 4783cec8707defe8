"""Giving a post its date re-reads its forecasts against it (digests/ledger/post_dates.py).

Real services over a real SQLite file; the manual clock stands at 2025-12-15 09:00 UTC and
the guilds live in Asia/Seoul.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.errors import InputError, NotFound
from digests.ledger.model import ForecastRecord
from digests.ledger.post_dates import REANCHORED
from digests.models import DateSource
from tests.ledger.conftest import ALICE, BOB, GUILD, MODERATOR, OTHER_GUILD
from tests.support.stores import DATABASE_ERRORS

SEOUL = ZoneInfo("Asia/Seoul")
CHANNEL = 5550
ESSAY = "\n".join(
    [
        "배터리 산업에 대한 생각",
        "앞으로 2~3년 안에 전고체 배터리가 상용화될 것이다.",
        "내년에는 HBM 가격이 20% 오를 것으로 전망한다.",
        "2027년까지 로보택시가 미국 10개 도시에서 운행될 것이다.",
        "반도체 업황은 결국 좋아질 것 같다.",
    ]
)
# Forecasts about 2024 are forecasts only in a post written before 2024 ended.
RETRO = "\n".join(
    [
        "전고체 배터리 메모",
        "2024년 말까지 전고체 배터리 시제품이 나올 것이다.",
        "2024년 하반기에는 나트륨 배터리 가격이 30% 내려갈 것이다.",
        "2027년까지 로보택시가 미국 10개 도시에서 운행될 것이다.",
    ]
)


async def ingest(services: Services, text: str, guild: int = GUILD) -> int:
    [result] = await services.ingest.ingest_text(text, guild)
    assert result.post_id is not None
    return result.post_id


async def by_timex(
    services: Services, post_id: int, guild: int = GUILD
) -> dict[str, ForecastRecord]:
    return {
        forecast.timex or "": forecast
        for forecast in await services.store.forecasts.for_post(guild, post_id)
    }


async def test_an_undated_post_holds_the_forecasts_counted_from_its_date(
    services: Services, clock: ManualClock
) -> None:
    [result] = await services.ingest.ingest_text(ESSAY, GUILD)

    assert (result.published, result.published_source) == (None, DateSource.UNKNOWN)
    assert (result.predictions, result.needs_date, result.views) == (3, 2, 1)
    forecasts = await by_timex(services, result.post_id or 0)
    for timex in ("앞으로 2~3년 안에", "내년"):
        waiting = forecasts[timex]
        assert waiting.needs_date and waiting.status == "open"
        assert (waiting.due_start, waiting.due_end, waiting.due_at) == (None, None, None)
    assert forecasts["2027년"].due_end == date(2027, 12, 31) and not forecasts["2027년"].needs_date
    assert forecasts[""].is_view
    # Never scheduled: ten years on, only the tracked forecast has come due.
    await services.reminders.set_channel(GUILD, CHANNEL)
    clock.advance(seconds=10 * 366 * 86400)
    report = await services.reminders.sweep()
    queued = {m.forecast_id for m in await services.store.outbox.list(GUILD)}
    assert queued == {forecasts["2027년"].id} and report.due + report.followups == 1


async def test_dating_a_post_gives_the_waiting_forecasts_their_windows(
    services: Services,
) -> None:
    post_id = await ingest(services, ESSAY)
    before = await by_timex(services, post_id)

    dating = await services.post_dates.set_date(GUILD, post_id, "2020-09-23", actor=99)

    after = await by_timex(services, post_id)
    assert {f.id for f in after.values()} == {f.id for f in before.values()}
    assert sorted(dating.dated) == sorted([before["앞으로 2~3년 안에"].id, before["내년"].id])
    assert (dating.moved, dating.added, dating.removed, dating.kept) == ([], [], 0, [])
    assert dating.unchanged == 2  # the 2027 forecast and the view
    assert after["내년"].due_end == date(2021, 12, 31) and not after["내년"].needs_date
    assert after["앞으로 2~3년 안에"].due_end == date(2023, 9, 23)
    assert after["2027년"].due_end == date(2027, 12, 31)
    assert after[""].is_view
    post = await services.store.posts.get(GUILD, post_id)
    assert post is not None and post.published == datetime(2020, 9, 23, tzinfo=SEOUL)
    assert post.published_source is DateSource.GIVEN
    assert (dating.previous, dating.previous_source) == (None, DateSource.UNKNOWN)
    assert await services.store.analysis.anchor(GUILD, post_id) == date(2020, 9, 23)
    [event] = await services.store.ledger.events(GUILD, after["내년"].id)
    assert (event.kind, event.actor) == (REANCHORED, 99)
    assert event.payload == {"post_date": "2020-09-23", "from": None, "to": "2021-12-31"}


async def test_dated_windows_close_at_the_end_of_the_due_day_where_the_guild_lives(
    services: Services, clock: ManualClock
) -> None:
    new_york = ZoneInfo("America/New_York")
    await services.store.guilds.update(GUILD, clock.now(), timezone="America/New_York")
    post_id = await ingest(services, ESSAY)

    await services.post_dates.set_date(GUILD, post_id, "2020-09-23")

    after = await by_timex(services, post_id)
    assert after["내년"].due_end == date(2021, 12, 31)
    # The guild's midnight after the due day, not the bot's default (Seoul) one.
    assert after["내년"].due_at == datetime(2022, 1, 1, tzinfo=new_york)
    assert after["2027년"].due_at == datetime(2028, 1, 1, tzinfo=new_york)
    post = await services.store.posts.get(GUILD, post_id)
    assert post is not None and post.published == datetime(2020, 9, 23, tzinfo=new_york)


async def test_verdicts_votes_and_subscriptions_stay_with_their_forecast(
    services: Services,
) -> None:
    post_id = await ingest(services, ESSAY)
    await services.post_dates.set_date(GUILD, post_id, "2025-01-10")
    forecasts = await by_timex(services, post_id)
    next_year, horizon = forecasts["내년"], forecasts["앞으로 2~3년 안에"]
    assert next_year.due_end == date(2026, 12, 31)
    await services.ledger.vote(ALICE, next_year.id, "correct")
    await services.ledger.subscribe(BOB, next_year.id)
    await services.ledger.resolve(MODERATOR, horizon.id, "withdrawn", note="not a real call")

    dating = await services.post_dates.set_date(GUILD, post_id, "2020-09-23")

    after = await by_timex(services, post_id)
    assert sorted(dating.moved) == sorted([next_year.id, horizon.id])
    assert dating.verdicts_kept == 1
    assert after["내년"].id == next_year.id and after["내년"].due_end == date(2021, 12, 31)
    assert (await services.store.votes.tally(GUILD, next_year.id)).by_user == {
        ALICE.user_id: "correct"
    }
    assert [f.id for f in await services.ledger.subscriptions(BOB)] == [next_year.id]
    judged = after["앞으로 2~3년 안에"]
    assert (judged.status, judged.outcome, judged.note) == (
        "resolved",
        "withdrawn",
        "not a real call",
    )
    assert judged.due_end == date(2023, 9, 23)


async def test_pending_reminders_are_replaced_and_sent_ones_stay(
    services: Services, clock: ManualClock
) -> None:
    await services.reminders.set_channel(GUILD, CHANNEL)
    post_id = await ingest(services, ESSAY)
    # Written in mid-2024, "내년" closed at the end of 2025: due in a fortnight.
    await services.post_dates.set_date(GUILD, post_id, "2024-06-01")
    next_year = (await by_timex(services, post_id))["내년"]
    assert next_year.due_end == date(2025, 12, 31)
    clock.set(datetime.combine(date(2026, 1, 1), time(0, 5), tzinfo=SEOUL))
    await services.reminders.sweep()
    [sent] = [m for m in await services.store.outbox.list(GUILD) if m.forecast_id == next_year.id]
    await services.store.outbox.mark_sent([sent.id], clock.now())
    clock.advance(seconds=8 * 86400)  # a week on, the first follow-up is queued, not yet sent
    await services.reminders.sweep()
    [pending] = await services.store.outbox.list(GUILD, status="pending")
    assert (pending.forecast_id, pending.kind) == (next_year.id, "followup")

    # It was written in mid-2025 after all: "내년" is 2026, not over yet.
    dating = await services.post_dates.set_date(GUILD, post_id, "2025-06-01")

    moved = await services.ledger.get(GUILD, next_year.id)
    assert next_year.id in dating.moved
    assert (moved.due_end, moved.status) == (date(2026, 12, 31), "open")
    statuses = {m.id: m.status for m in await services.store.outbox.list(GUILD)}
    assert statuses[sent.id] == "sent" and statuses[pending.id] == "cancelled"
    # The sweep queues its reminder for the new date when that comes.
    await services.reminders.sweep()
    assert await services.store.outbox.list(GUILD, status="pending") == []
    clock.set(datetime.combine(date(2027, 1, 1), time(0, 5), tzinfo=SEOUL))
    await services.reminders.sweep()
    [new] = await services.store.outbox.list(GUILD, status="pending")
    assert new.forecast_id == next_year.id and new.kind == "reminder"
    assert new.payload["forecast"]["due_end"] == "2026-12-31"


async def test_a_date_a_member_gave_a_forecast_is_kept(services: Services) -> None:
    post_id = await ingest(services, ESSAY)
    waiting = (await by_timex(services, post_id))["내년"]
    await services.ledger.redate(MODERATOR, waiting.id, "2026-06-30")

    dating = await services.post_dates.set_date(GUILD, post_id, "2020-09-23")

    kept = await services.ledger.get(GUILD, waiting.id)
    assert dating.members_dated == [waiting.id]
    assert (kept.due_end, kept.needs_date) == (date(2026, 6, 30), False)


async def test_forecasts_the_date_no_longer_supports_go_unless_members_acted_on_them(
    services: Services,
) -> None:
    post_id = await ingest(services, RETRO)
    # Read as of today (December 2025), 2024 is the past: only the 2027 forecast is found.
    assert set(await by_timex(services, post_id)) == {"2027년"}

    written_2023 = await services.post_dates.set_date(GUILD, post_id, "2023-03-01")
    found = await by_timex(services, post_id)
    assert set(found) == {"2024년 말", "2024년 하반기", "2027년"}
    assert len(written_2023.added) == 2
    await services.ledger.vote(ALICE, found["2024년 말"].id, "wrong")

    # A later date makes both 2024 calls background again.
    written_2025 = await services.post_dates.set_date(GUILD, post_id, "2025-03-01")

    after = await by_timex(services, post_id)
    assert written_2025.removed == 1 and written_2025.kept == [found["2024년 말"].id]
    assert set(after) == {"2024년 말", "2027년"}
    assert (await services.store.votes.tally(GUILD, found["2024년 말"].id)).total == 1


async def test_dating_stays_in_the_guild(services: Services) -> None:
    post_id = await ingest(services, ESSAY)
    before = await by_timex(services, post_id)

    with pytest.raises(NotFound, match=f"No post #{post_id}"):
        await services.post_dates.set_date(OTHER_GUILD, post_id, "2020-09-23")

    post = await services.store.posts.get(GUILD, post_id)
    assert post is not None and post.published is None
    assert await by_timex(services, post_id) == before
    assert await services.store.posts.get(OTHER_GUILD, post_id) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-01-01", "in the future"),
        ("2020-13-01", "not a real date: there is no month 13"),
        ("2020-02-30", "not a real date: February 2020 has 29 days"),
        ("20200923", "not a date in YYYY-MM-DD form"),
        ("23 Sept 2020", "not a date in YYYY-MM-DD form"),
        ("", "not a date in YYYY-MM-DD form"),
        ("1850-01-01", "too early"),
    ],
)
async def test_bad_dates_are_refused_naming_the_reason(
    services: Services, value: str, reason: str
) -> None:
    post_id = await ingest(services, ESSAY)

    with pytest.raises(InputError, match=reason) as raised:
        await services.post_dates.set_date(GUILD, post_id, value)

    assert raised.value.subject == "date"
    post = await services.store.posts.get(GUILD, post_id)
    assert post is not None and post.published is None


async def test_a_failure_part_way_leaves_the_post_and_its_forecasts_as_they_were(
    services: Services, tmp_path
) -> None:
    post_id = await ingest(services, ESSAY)
    before = await by_timex(services, post_id)
    # Break the last table the dating writes to, so the transaction fails after the post's
    # date and the first window were already written inside it.
    await services.store.database.execute("ALTER TABLE forecast_events RENAME TO events_away")

    with pytest.raises(DATABASE_ERRORS):
        await services.post_dates.set_date(GUILD, post_id, "2020-09-23")

    await services.store.database.execute("ALTER TABLE events_away RENAME TO forecast_events")
    post = await services.store.posts.get(GUILD, post_id)
    assert post is not None and (post.published, post.published_source) == (
        None,
        DateSource.UNKNOWN,
    )
    assert await by_timex(services, post_id) == before
    assert await services.store.analysis.anchor(GUILD, post_id) == date(2025, 12, 15)


async def test_a_post_with_a_known_date_can_be_corrected(services: Services) -> None:
    [result] = await services.ingest.ingest_text(f"입력 2025.11.04 09:40\n{ESSAY}", GUILD)
    assert result.published_source is DateSource.TEXT and result.needs_date == 0
    before = await by_timex(services, result.post_id or 0)
    assert before["내년"].due_end == date(2026, 12, 31)

    dating = await services.post_dates.set_date(GUILD, result.post_id or 0, "2024-11-04")

    after = await by_timex(services, result.post_id or 0)
    assert dating.previous == datetime(2025, 11, 4, 9, 40, tzinfo=SEOUL)
    assert dating.previous_source is DateSource.TEXT
    assert after["내년"].due_end == date(2025, 12, 31)
    assert before["내년"].id in dating.moved and dating.unchanged == 2


async def test_the_date_is_midnight_where_the_guild_lives(services: Services) -> None:
    await services.store.guilds.update(GUILD, services.clock.now(), timezone="America/New_York")
    post_id = await ingest(services, ESSAY)

    await services.post_dates.set_date(GUILD, post_id, "2020-09-23")

    post = await services.store.posts.get(GUILD, post_id)
    assert post is not None and post.published is not None
    assert post.published.utcoffset() == timedelta(hours=-4)
    assert post.published.isoformat() == "2020-09-23T00:00:00-04:00"
