"""The command layer's behaviour: votes versus verdicts, permissions, reminder buttons, the
digest status showing why a schedule is paused, and how queued messages are rendered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from digests.analysis.pipeline import MAX_ANALYSED_CHARS, analysed_part
from digests.app import Services
from digests.clock import ManualClock
from digests.commands.handlers import (
    GROUP_BUTTONS_PER_FORECAST,
    Commands,
    parse_button_id,
    reminder_buttons,
    vote_button_id,
)
from digests.errors import InputError, PermissionDenied
from digests.outbox_payloads import FeedPayload, FollowupPayload, ForecastSnapshot, ReminderPayload
from tests.commands.conftest import GUILD, MEMBER, MODERATOR
from tests.reminders.recording import DUE_AT, DUE_DAY, RecordingTransport
from tests.support.local_http import FeedItem, LocalHTTPServer, rss_xml

FEED = rss_xml(
    "시장 블로그",
    "https://blog.example/",
    [
        FeedItem(
            title="시장 메모",
            link="https://blog.example/posts/1",
            guid="post-1",
            summary="반도체 업황은 내년 상반기에 회복될 것이다. 메모리 가격도 함께 오를 것이다.",
        )
    ],
)


async def test_a_member_votes_and_a_moderator_decides(
    services: Services, commands: Commands
) -> None:
    added = await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY, "70%")
    assert added.title is not None and "#1" in added.title
    vote = await commands.predictions_resolve(MEMBER, 1, "wrong")
    assert vote.ephemeral is True
    assert (await services.ledger.get(GUILD, 1)).status == "open"
    verdict = await commands.predictions_resolve(MODERATOR, 1, "correct")
    assert verdict.ephemeral is False
    assert (await services.ledger.get(GUILD, 1)).outcome == "correct"
    shown = await commands.predictions_show(MEMBER, 1)
    assert shown.buttons == []  # nothing left to vote on
    assert any(field.name == "Verdict" for field in shown.fields)
    undone = await commands.predictions_undo(MODERATOR, 1)
    assert undone.tone == "success"
    assert (await commands.predictions_show(MEMBER, 1)).buttons == reminder_buttons(1)


async def test_a_moderator_clicking_a_vote_button_only_votes(
    services: Services, commands: Commands
) -> None:
    await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY)
    await commands.button(MODERATOR, vote_button_id(1, "correct"))
    view = await services.ledger.show(GUILD, 1)
    assert view.forecast.status == "open"
    assert view.tally.by_user == {MODERATOR.user_id: "correct"}


async def test_the_snooze_button_snoozes_a_week(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY)
    snooze = next(b for b in reminder_buttons(1) if b.label == "Snooze a week")
    assert parse_button_id(snooze.custom_id) == ("snooze", 1, None)
    reply = await commands.button(MEMBER, snooze.custom_id)
    assert reply.ephemeral
    events = (await services.ledger.show(GUILD, 1)).events
    assert events[-1].kind == "snoozed"
    assert events[-1].payload["until"] == (clock.now() + timedelta(days=7)).isoformat()
    with pytest.raises(InputError):
        await commands.button(MEMBER, "someone-else:vote:1:correct")


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.predictions_undo(MEMBER, 1),
        lambda c: c.predictions_redate(MEMBER, 1, "2026-01-31"),
        lambda c: c.digest_schedule(MEMBER, 500),
        lambda c: c.digest_off(MEMBER),
        lambda c: c.settings_timezone(MEMBER, "America/New_York"),
        lambda c: c.settings_reminder_channel(MEMBER, 700),
        lambda c: c.feed_remove(MEMBER, 1),
        lambda c: c.feed_enable(MEMBER, 1),
        lambda c: c.feed_channel(MEMBER, 1, 700),
        lambda c: c.ingest_text(MEMBER, "Rates will fall by spring."),
    ],
)
async def test_members_cannot_moderate(
    services: Services, commands: Commands, call: Callable[[Commands], Awaitable[object]]
) -> None:
    await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY)
    await commands.predictions_resolve(MODERATOR, 1, "correct")
    with pytest.raises(PermissionDenied):
        await call(commands)
    assert (await services.ledger.get(GUILD, 1)).outcome == "correct"
    assert (await services.store.guilds.get(GUILD)).timezone is None


async def test_digest_status_says_why_the_schedule_is_paused(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    await commands.digest_schedule(MODERATOR, 500, "daily", "09:00")
    transport = RecordingTransport()
    transport.refused_channels[500] = "Missing Access (50001)"
    clock.set(datetime(2025, 12, 16, tzinfo=UTC))  # 09:00 in Seoul
    await services.scheduler(transport).tick()
    status = await commands.digest_status(MEMBER)
    assert status.tone == "warning"
    assert "Paused: Missing Access (50001)" in status.description
    assert "1 message(s) held" in status.description

    transport.refused_channels.clear()
    fixed = await commands.digest_schedule(MODERATOR, 500, "daily", "09:00")
    assert "Paused" not in fixed.description
    await services.scheduler(transport).tick()
    assert transport.kinds() == ["digest"]


async def test_a_late_reminder_says_so_and_pings_only_the_role(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    await services.store.guilds.update(GUILD, clock.now(), reminder_role_id=42)
    await commands.predictions_add(MEMBER, "Rates fall by spring", DUE_DAY)
    clock.set(DUE_AT + timedelta(days=2))
    transport = RecordingTransport()
    await services.scheduler(transport).tick()
    channel = next(m for m in transport.delivered if m.destination == "channel")
    reply = await commands.render_delivery(channel.body, channel.late)
    assert "late" in reply.description
    assert reply.mention_roles == [42] and reply.mention_users == []
    assert "(1 subscribed member was messaged directly.)" in reply.description
    on_time = await commands.render_delivery(channel.body, False)
    assert "late" not in on_time.description


# --- grouped reminders ------------------------------------------------------------------------


def _snapshot(forecast_id: int, **values: object) -> ForecastSnapshot:
    return ForecastSnapshot(
        id=forecast_id,
        claim=f"Claim number {forecast_id}",
        due_end=date(2025, 12, 20),
        **values,  # type: ignore[arg-type]
    )


def test_a_group_of_due_forecasts_has_a_field_and_a_row_of_buttons_for_each(
    commands: Commands,
) -> None:
    items = [
        (ReminderPayload(forecast=_snapshot(3), role_id=42, subscriber_count=1), False),
        (ReminderPayload(forecast=_snapshot(4, speaker="Powell"), role_id=42), True),
        (ReminderPayload(forecast=_snapshot(5), role_id=42, subscriber_count=2), False),
    ]
    reply = commands.render_reminder_group(items)

    assert reply.title == "3 forecasts came due"
    assert "Vote under each one." in reply.description and "late" in reply.description
    assert [field.name for field in reply.fields] == [
        "#3 · Due 2025-12-20",
        "#4 · Due 2025-12-20",
        "#5 · Due 2025-12-20",
    ]
    assert reply.fields[0].value.endswith("(1 subscribed member was messaged directly.)")
    assert "Speaker: Powell" in reply.fields[1].value
    assert reply.fields[2].value.endswith("(2 subscribed members were messaged directly.)")
    # One row of five per forecast: its four votes and snooze; the ids are the usual ones.
    rows = [reply.buttons[i : i + GROUP_BUTTONS_PER_FORECAST] for i in (0, 5, 10)]
    assert len(reply.buttons) == 15
    for forecast_id, row in zip((3, 4, 5), rows, strict=True):
        assert [b.custom_id for b in row] == [
            b.custom_id for b in reminder_buttons(forecast_id)[:GROUP_BUTTONS_PER_FORECAST]
        ]
        assert row[0].label == f"#{forecast_id} · Came true"
        assert [parse_button_id(b.custom_id)[1] for b in row] == [forecast_id] * 5  # type: ignore[index]
    # The role is pinged once for the whole message; nobody else.
    assert reply.content == "role 42" and reply.mention_roles == [42]
    assert reply.mention_users == []


def test_grouped_follow_ups_say_how_long_ago_and_show_the_votes_in_korean(
    commands: Commands,
) -> None:
    items = [
        (FollowupPayload(forecast=_snapshot(3), stage=1, language="ko"), False),
        (
            FollowupPayload(
                forecast=_snapshot(4), stage=7, language="ko", votes={"correct": 2, "wrong": 1}
            ),
            False,
        ),
    ]
    reply = commands.render_reminder_group(items)

    assert reply.title == "아직 판정을 기다리는 예측 2건"
    assert reply.tone == "warning" and reply.content == "" and reply.mention_roles == []
    assert "기한 1일 경과" in reply.fields[0].value
    assert "기한 7일 경과" in reply.fields[1].value
    assert "투표: 맞음: 2, 틀림: 1" in reply.fields[1].value
    assert reply.buttons[0].label == "#3 · 맞음"


def test_text_from_posts_in_a_group_cannot_ping(commands: Commands) -> None:
    sneaky = _snapshot(3, speaker="@everyone", source_label="<@123>")
    reply = commands.render_reminder_group(
        [(ReminderPayload(forecast=sneaky.model_copy(update={"claim": "@here <@&9>"})), False)] * 2
    )
    text = " ".join(field.value for field in reply.fields)
    for mention in ("@everyone", "@here", "<@123>", "<@&9>"):
        assert mention not in text
    assert reply.mention_roles == [] and reply.mention_users == [] and reply.content == ""


def test_a_group_holds_one_to_five_forecasts(commands: Commands) -> None:
    items = [(ReminderPayload(forecast=_snapshot(n)), False) for n in range(6)]
    with pytest.raises(ValueError, match="1 to 5"):
        commands.render_reminder_group(items)
    with pytest.raises(ValueError, match="1 to 5"):
        commands.render_reminder_group([])


async def test_a_one_day_follow_up_is_worded_in_the_singular(commands: Commands) -> None:
    one = await commands.render_delivery(FollowupPayload(forecast=_snapshot(3), stage=1), False)
    assert "Came due 1 day ago and nobody" in one.description
    seven = await commands.render_delivery(FollowupPayload(forecast=_snapshot(3), stage=7), False)
    assert "Came due 7 days ago and nobody" in seven.description


async def test_reminder_grouping_is_a_moderators_setting(
    services: Services, commands: Commands
) -> None:
    with pytest.raises(PermissionDenied):
        await commands.settings_reminder_grouping(MEMBER, "single")
    with pytest.raises(InputError) as caught:
        await commands.settings_reminder_grouping(MODERATOR, "bundled")
    assert "grouping" in str(caught.value) and "'bundled'" in str(caught.value)
    assert (await services.store.guilds.get(GUILD)).reminder_grouping is None

    reply = await commands.settings_reminder_grouping(MODERATOR, "single")
    assert reply.title == "Reminders: single" and reply.ephemeral
    assert (await services.store.guilds.get(GUILD)).reminder_grouping == "single"


# --- posts of unknown date, and undated views ---------------------------------------------------

UNDATED_ESSAY = "\n".join(
    [
        "배터리 산업에 대한 생각",
        "앞으로 2~3년 안에 전고체 배터리가 상용화될 것이다.",
        "내년에는 HBM 가격이 20% 오를 것으로 전망한다.",
        "2027년까지 로보택시가 미국 10개 도시에서 운행될 것이다.",
        "반도체 업황은 결국 좋아질 것 같다.",
    ]
)


async def test_the_ingest_reply_says_which_forecasts_need_the_posts_date(
    commands: Commands,
) -> None:
    reply = await commands.ingest_text(MODERATOR, UNDATED_ESSAY)
    dated = await commands.ingest_text(MODERATOR, f"입력 2025.11.04 09:40\n{UNDATED_ESSAY}")

    assert "stored #1 배터리 산업에 대한 생각 · 3 forecasts · 1 view" in reply.description
    assert (
        "2 forecasts need the post's date: /ingest date post:1 date:YYYY-MM-DD" in reply.description
    )
    assert "need the post's date" not in dated.description


async def test_the_ingest_reply_says_when_only_the_start_of_a_long_post_was_analysed(
    commands: Commands,
) -> None:
    paragraph = "반도체 업황은 2027년까지 회복될 것이다. 메모리 가격은 오르고 있다.\n"
    long_post = paragraph * (MAX_ANALYSED_CHARS // len(paragraph) + 50)
    reply = await commands.ingest_text(MODERATOR, long_post)
    short = await commands.ingest_text(MODERATOR, paragraph * 3)

    assert "Long post: its forecasts, quotes and themes come from its first" in reply.description
    assert f"{len(analysed_part(long_post)):,} characters" in reply.description
    assert "stored #2" in short.description and "Long post" not in short.description


async def test_dating_a_post_needs_manage_messages_and_reports_what_moved(
    services: Services, commands: Commands
) -> None:
    await commands.ingest_text(MODERATOR, UNDATED_ESSAY)

    with pytest.raises(PermissionDenied, match="Manage Messages"):
        await commands.posts_date(MEMBER, 1, "2020-09-23")
    reply = await commands.posts_date(MODERATOR, 1, "2020-09-23")

    assert reply.title == "Post #1 dated 2020-09-23" and reply.tone == "success"
    assert "2 forecasts waiting for this date are now tracked" in reply.description
    assert [(f.name, f.value) for f in reply.fields] == [("Date before", "unknown")]
    again = await commands.posts_date(MODERATOR, 1, "2020-09-23")
    assert "Its forecasts did not change." in again.description
    assert ("Date before", "2020-09-23 (given by hand)") in [
        (f.name, f.value) for f in again.fields
    ]
    with pytest.raises(InputError, match="date: '23 Sept' is not a date in YYYY-MM-DD form"):
        await commands.posts_date(MODERATOR, 1, "23 Sept")


async def test_a_posts_summary_shows_its_views_and_what_waits_for_its_date(
    commands: Commands,
) -> None:
    await commands.ingest_text(MODERATOR, UNDATED_ESSAY)

    undated = await commands.summary(MEMBER, post=1)
    await commands.posts_date(MODERATOR, 1, "2020-09-23")
    dated = await commands.summary(MEMBER, post=1)

    fields = {field.name: field.value for field in undated.fields}
    assert "반도체 업황은 결국 좋아질 것 같다." in fields["Views"]
    assert "/predictions redate" in fields["Views"]
    assert fields["Waiting for the post's date"].startswith("2 forecasts counted from when")
    assert "/ingest date post:1 date:YYYY-MM-DD" in fields["Waiting for the post's date"]
    assert undated.footer == "date unknown"
    assert "Waiting for the post's date" not in {field.name for field in dated.fields}
    assert "Views" in {field.name for field in dated.fields}
    assert dated.footer == "2020-09-23 (given by hand)"


async def test_the_default_list_leaves_views_out_and_says_what_waits(
    commands: Commands,
) -> None:
    await commands.ingest_text(MODERATOR, UNDATED_ESSAY)

    default = await commands.predictions_list(MEMBER)
    views = await commands.predictions_list(MEMBER, "views")
    waiting = await commands.predictions_list(MEMBER, "needs-date")

    assert "반도체 업황" not in default.description
    assert "due 2027-12-31 · open" in default.description
    assert default.description.count("needs the post's date") == 2
    assert "“내년” after the post's date, which is unknown" in default.description
    assert views.title == "Undated views (not tracked)"
    assert "반도체 업황은 결국 좋아질 것 같다." in views.description
    assert "undated (a view, not tracked) · view" in views.description
    assert waiting.title == "Forecasts waiting for their post's date"
    assert waiting.description.count("**#") == 2


async def test_a_member_dates_a_view_to_track_it(services: Services, commands: Commands) -> None:
    await commands.ingest_text(MODERATOR, UNDATED_ESSAY)
    [view] = await services.ledger.list(GUILD, status="undated")

    reply = await commands.predictions_redate(MEMBER, view.id, "2026-06-30")

    assert reply.title == f"#{view.id} is now tracked"
    assert reply.description.startswith("Due 2026-06-30")
    shown = await commands.predictions_show(MEMBER, view.id)
    assert ("Due", "2026-06-30") in [(f.name, f.value) for f in shown.fields]


# --- feeds and failing jobs, as moderators see them -----------------------------------------


async def test_a_feed_without_a_channel_says_its_entries_are_not_announced(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    async with LocalHTTPServer() as server:
        url = server.feed("/feed.xml", FEED)
        added = await commands.feed_add(MODERATOR, url)
        assert added.tone == "warning"
        assert "stored but **not announced**" in added.description
        assert "/feed channel feed:1 channel:" in added.description
        listed = await commands.feed_list(MEMBER)
        assert "not announced (no channel; set one with /feed channel)" in listed.description

        moved = await commands.feed_channel(MODERATOR, 1, 700)
        assert moved.title == "Feed #1: new entries announced in #channel 700"
        assert "announced in #channel 700" in (await commands.feed_list(MEMBER)).description

        other = await commands.feed_add(MODERATOR, server.feed("/other.xml", FEED), channel=800)
        assert other.tone == "success"
        assert "New entries will be announced in #channel 800." in other.description


async def test_feed_list_shows_failures_with_the_next_try_and_a_way_back_from_disabled(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    async with LocalHTTPServer() as server:
        url = server.feed("/feed.xml", FEED)
        await commands.feed_add(MODERATOR, url, channel=700)
        server.error("/feed.xml", 500)
        clock.advance(hours=2)
        await services.feeds.poll_due()
        failing = (await commands.feed_list(MEMBER)).description
        assert (
            f"⚠️ failing (1×): {url}: HTTP 500 Internal Server Error; next try 2025-12-15 11:05 UTC"
            in failing
        )

        await services.store.database.execute(
            "UPDATE feeds SET disabled_ts = 1, disabled_reason = 'gave up'"
        )
        disabled = (await commands.feed_list(MEMBER)).description
        assert "⚠️ disabled: gave up (resume with /feed enable feed:1)" in disabled

        server.feed("/feed.xml", FEED, etag='"v2"')
        resumed = await commands.feed_enable(MODERATOR, 1)
        assert resumed.title == "Feed #1 resumed"
        assert "new entries are announced in #channel 700" in resumed.description
        assert "active" in (await commands.feed_list(MEMBER)).description


async def test_digest_status_shows_failing_jobs(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    await commands.digest_schedule(MODERATOR, 500, "daily", "09:00")
    await services.store.guilds.update(GUILD, clock.now(), digest_cron="every full moon")
    clock.set(datetime(2025, 12, 16, tzinfo=UTC))
    await services.scheduler(RecordingTransport()).tick()

    status = await commands.digest_status(MEMBER)

    assert status.tone == "warning"
    (field,) = [f for f in status.fields if f.name.startswith("⚠️ Failing")]
    assert field.name == "⚠️ Failing: this server's digest"
    assert field.value == (
        "1× since 2025-12-16 00:00 UTC: schedule: 'every full moon' is not a valid cron"
        " schedule: Wrong number of fields; got 3, expected 5\nNext try 2025-12-16 00:01 UTC."
    )


async def test_a_feed_message_never_carries_an_identifier_as_its_link(commands: Commands) -> None:
    payload = FeedPayload(title="새 글", url="m2", feed="블로그", language="ko")

    assert (await commands.render_delivery(payload, False)).url is None
    payload = FeedPayload(title="새 글", url="https://blog.example/p/2", feed="블로그")
    assert (await commands.render_delivery(payload, False)).url == "https://blog.example/p/2"


async def test_a_theme_summary_names_several_posts_and_repeats_no_line(
    commands: Commands,
) -> None:
    """Issue 10: pasted posts are titled by their lead sentence, which their summary also
    began with, so `/summary theme:` said every line twice."""
    lead = "엔비디아는 내년에도 AI 데이터센터 투자가 계속 늘어날 것이라고 전망했다."
    body = "\n".join(
        [
            lead,
            "젠슨 황 CEO는 블랙웰 수요가 공급을 크게 웃돈다고 말했다.",
            "시장에서는 데이터센터 매출이 다음 분기에도 늘어날 것으로 본다.",
        ]
    )
    await commands.ingest_text(MODERATOR, body)
    await commands.ingest_text(MODERATOR, body + "\nAI 반도체 투자는 2027년까지 이어질 것이다.")
    reply = await commands.summary(MODERATOR, theme="AI")
    lines = [line for line in reply.description.splitlines() if line.strip()]
    assert "(#1)" in reply.description and "(#2)" in reply.description
    assert len(lines) == len(set(lines)), lines
    assert sum(lead in line for line in lines) == 2  # once per post, as its title
    post = await commands.summary(MODERATOR, post=1)
    assert lead not in post.description
