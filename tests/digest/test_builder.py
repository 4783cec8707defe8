"""DigestBuilder on a real SQLite store: every section, guild isolation, windows and counts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.digest import DigestBuilder, DigestLimits, render_text, theme_trends
from digests.ledger.model import ForecastRecord
from digests.store import Store

SEOUL = ZoneInfo("Asia/Seoul")
GUILD = 7
OTHER = 8
# A week in Seoul that contains the test clock (2025-12-15 09:00 UTC = 18:00 in Seoul).
START = datetime(2025, 12, 9, tzinfo=SEOUL)
END = datetime(2025, 12, 16, tzinfo=SEOUL)
WEEK = timedelta(days=7)

BROADCOM = (
    "브로드컴의 호크 탄 CEO는 “2026년 이후에도 AI 매출이 상당히 개선될 것”이라며 자신감을 드러냈다.\n"
    "4분기 AI 매출 전망도 62억 달러로 전년 대비 66% 성장을 예고했다.\n"
    "지난주 발표한 3분기 실적은 시장에 충격을 줬다.\n"
)
BROADCOM_SHARES = (
    "브로드컴 주가가 사상 최고치를 기록했다. 브로드컴은 맞춤형 AI 칩 주문이 늘었다고 밝혔다."
    " 브로드컴의 데이터센터 매출도 늘었다.\n"
)
BROADCOM_DIVIDEND = "브로드컴이 배당을 늘렸다. 브로드컴 이사회는 배당 확대를 승인했다. 브로드컴 투자자들은 환영했다.\n"
BATTERY = (
    "Battery makers expect prices to fall. Battery demand keeps rising in Europe."
    " Battery recycling plants are opening.\n"
)
ZEPPELIN = (
    "Zeppelin airships are back in fashion. Zeppelin operators plan new routes over the Alps."
    " Zeppelin tickets sell out.\n"
)


async def ingest(services: Services, text: str, title: str, published: datetime, guild: int) -> int:
    [result] = await services.ingest.ingest_text(text, guild, title=title, published=published)
    assert result.post_id is not None
    return result.post_id


async def add_forecast(
    store: Store,
    guild: int,
    claim: str,
    due_at: datetime | None,
    *,
    created: datetime,
    source_url: str | None = None,
    probability: float | None = None,
) -> int:
    async with store.transaction() as transaction:
        return await store.forecasts.add_manual(
            transaction,
            forecast=ForecastRecord(
                guild_id=guild,
                origin="manual",
                fingerprint=f"manual:{guild}:{claim}",
                sentence=claim,
                claim=claim,
                speaker=None,
                timex=None,
                due_start=None,
                due_end=(due_at.astimezone(SEOUL).date() - timedelta(days=1)) if due_at else None,
                due_at=due_at,
                granularity="day" if due_at else None,
                kind="event",
                hedge="certain",
                confidence=1.0,
                source_url=source_url,
                probability=probability,
                added_by=42,
            ),
            now=created,
        )


async def resolve(store: Store, forecast_id: int, outcome: str, at: datetime) -> None:
    async with store.transaction() as transaction:
        await store.ledger.set_resolution(
            transaction,
            forecast_id,
            status="resolved",
            outcome=outcome,
            resolved_by=42,
            resolved_at=at,
            evidence=None,
            note=None,
            now=at,
        )


async def mark_due(store: Store, forecast_id: int, at: datetime) -> None:
    async with store.transaction() as transaction:
        await store.sweep.mark_due(transaction, forecast_id, 0, at)


def builder(services: Services) -> DigestBuilder:
    return DigestBuilder(services.store, services.settings)


async def test_each_section_is_collected_for_the_guild_only(
    services: Services, clock: ManualClock
) -> None:
    store, now = services.store, clock.now()
    broadcom = await ingest(
        services, BROADCOM, "브로드컴 실적 메모", START + timedelta(days=3), GUILD
    )
    battery = await ingest(services, BATTERY, "Battery note", START + timedelta(days=4), GUILD)
    await ingest(services, BROADCOM_SHARES, "브로드컴 주가", START - timedelta(days=2), GUILD)
    await ingest(services, ZEPPELIN, "Zeppelin revival", START + timedelta(days=1), OTHER)

    coming = await add_forecast(
        store, GUILD, "Chip export rules ease", END + timedelta(days=3), created=now
    )
    overdue = await add_forecast(
        store, GUILD, "Rates are cut", END - timedelta(days=5), created=now
    )
    await mark_due(store, overdue, now)
    right = await add_forecast(
        store,
        GUILD,
        "HBM4 qualifies",
        END - timedelta(days=20),
        created=now,
        source_url="https://blog.example/hbm",
        probability=0.8,
    )
    await resolve(store, right, "correct", START + timedelta(days=2))
    earlier = await add_forecast(
        store,
        GUILD,
        "Foldable ships",
        END - timedelta(days=30),
        created=START - timedelta(days=3),
        source_url="https://other.example/fold",
    )
    await resolve(store, earlier, "wrong", START - timedelta(days=1))
    # The other guild has something in every section too.
    foreign = [
        await add_forecast(store, OTHER, "Other coming", END + timedelta(days=2), created=now),
        await add_forecast(store, OTHER, "Other overdue", END - timedelta(days=2), created=now),
        await add_forecast(
            store,
            OTHER,
            "Other resolved",
            END - timedelta(days=9),
            created=now,
            source_url="https://other-guild.example",
        ),
    ]
    await mark_due(store, foreign[1], now)
    await resolve(store, foreign[2], "correct", START + timedelta(days=1))

    digest = await builder(services).build(GUILD, START, END)

    assert digest.guild_id == GUILD and digest.timezone == "Asia/Seoul"
    assert (digest.start, digest.end, digest.as_of, digest.catch_up) == (START, END, END, False)
    assert not digest.is_empty
    # Posts: only this guild's, in the period, newest first, with the first summary sentence.
    assert [post.post_id for post in digest.posts] == [battery, broadcom]
    assert digest.post_count == 2
    summary = await store.analysis.summary(GUILD, broadcom)
    assert summary and digest.posts[1].summary == summary[0]
    assert digest.posts[1].title == "브로드컴 실적 메모"
    # Themes: nothing from the other guild's post.
    labels = [trend.label for trend in digest.themes]
    assert "브로드컴" in labels and "battery" in labels  # a common noun, lower-case
    assert not any("Zeppelin" in label for label in labels)
    # New forecasts: tracked ones created in the period (not the one created before it, nor
    # undated views), this guild only.
    ledger = await store.ledger.list(GUILD, status="everything", limit=1000)
    created_in_period = sum(1 for forecast in ledger if forecast.due_at is not None) - 1
    assert digest.new_forecast_count == created_in_period
    assert len(digest.new_forecasts) == min(10, created_in_period)
    assert earlier not in {item.id for item in digest.new_forecasts}
    for item in digest.new_forecasts + digest.coming_due + digest.overdue + digest.resolved:
        assert await store.forecasts.get(GUILD, item.id) is not None
    # Coming due, overdue, resolved.
    assert [item.id for item in digest.coming_due] == [coming]
    assert digest.coming_days == 14
    assert [item.id for item in digest.overdue] == [overdue]
    assert digest.overdue_count == 1 and digest.overdue[0].status == "due"
    assert [(item.id, item.outcome) for item in digest.resolved] == [(right, "correct")]
    assert digest.resolved[0].probability == 0.8
    # Quote of the period: the attributed one from this guild's post.
    assert digest.quote is not None
    assert digest.quote.speaker == "호크 탄" and digest.quote.post_title == "브로드컴 실적 메모"
    # Scoreboard: this guild's track record by source, nothing of the other guild.
    keys = {item.key: item for item in digest.scoreboard}
    assert set(keys) == {"https://blog.example/hbm", "https://other.example/fold"}
    assert keys["https://blog.example/hbm"].share_correct == 1.0
    assert keys["https://blog.example/hbm"].brier is not None
    assert abs(keys["https://blog.example/hbm"].brier - 0.04) < 1e-9
    assert keys["https://other.example/fold"].share_correct == 0.0

    # The other guild sees only its own.
    other = await builder(services).build(OTHER, START, END)
    assert other.post_count == 1 and other.posts[0].title == "Zeppelin revival"
    assert [item.id for item in other.coming_due] == [foreign[0]]
    assert [item.id for item in other.overdue] == [foreign[1]]
    assert [item.id for item in other.resolved] == [foreign[2]]
    assert [item.key for item in other.scoreboard] == ["https://other-guild.example"]
    assert other.quote is None or other.quote.post_title == "Zeppelin revival"


async def test_theme_counts_change_against_the_previous_period(services: Services) -> None:
    store = services.store
    previous_posts = [
        await ingest(services, BROADCOM_SHARES, "브로드컴 주가", START - timedelta(days=3), GUILD),
    ]
    current_posts = [
        await ingest(services, BROADCOM, "브로드컴 실적 메모", START + timedelta(days=1), GUILD),
        await ingest(
            services, BROADCOM_DIVIDEND, "브로드컴 배당", START + timedelta(days=2), GUILD
        ),
        await ingest(services, BATTERY, "Battery note", START + timedelta(days=3), GUILD),
    ]
    # Another guild's post on the same theme in the same period does not count.
    await ingest(services, BROADCOM_SHARES, "브로드컴 주가", START + timedelta(days=1), OTHER)

    async def counted(post_ids: list[int]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for post_id in post_ids:
            counts.update({label for label, _ in await store.analysis.themes(GUILD, post_id)})
        return counts

    current, previous = await counted(current_posts), await counted(previous_posts)
    trends = await theme_trends(store, GUILD, START, END, limit=100)

    assert {trend.label for trend in trends} == set(current)
    for trend in trends:
        assert trend.count == current[trend.label]
        assert trend.previous == previous[trend.label]
        assert trend.change == current[trend.label] - previous[trend.label]
        assert trend.is_new == (previous[trend.label] == 0)
    assert [trend.count for trend in trends] == sorted((t.count for t in trends), reverse=True)
    by_label = {trend.label: trend for trend in trends}
    assert (by_label["브로드컴"].count, by_label["브로드컴"].previous) == (2, 1)
    assert by_label["브로드컴"].change == 1 and not by_label["브로드컴"].is_new
    assert by_label["battery"].is_new and by_label["battery"].change == 1
    assert trends[0].label == "브로드컴"
    # A limit keeps the top ones.
    assert [t.label for t in await theme_trends(store, GUILD, START, END, limit=1)] == ["브로드컴"]

    # The digest's history: only the periods since the guild's first post, oldest first.
    digest = await builder(services).build(GUILD, START, END, limits=DigestLimits(history_themes=2))
    assert [label for label, _ in digest.theme_history] == ["12-02", "12-09"]
    top = [trend.label for trend in digest.themes[:2]]
    assert digest.theme_history[-1][1] == {label: current[label] for label in top}
    assert digest.theme_history[0][1] == {label: previous[label] for label in top}


async def test_theme_history_covers_up_to_six_periods(services: Services) -> None:
    for weeks_back in range(8):
        text = f"{BROADCOM_DIVIDEND}브로드컴 {weeks_back}주 전 메모.\n"
        await ingest(services, text, f"브로드컴 {weeks_back}", START - WEEK * weeks_back, GUILD)
    digest = await builder(services).build(GUILD, START, END)
    assert len(digest.theme_history) == 6
    assert [label for label, _ in digest.theme_history][-1] == "12-09"
    assert all(counts["브로드컴"] == 1 for _, counts in digest.theme_history)


async def test_coming_due_window_boundaries(services: Services, clock: ManualClock) -> None:
    store, now = services.store, clock.now()
    at = datetime(2025, 12, 20, 3, tzinfo=UTC)  # "now" for the digest, after its end
    before = await add_forecast(store, GUILD, "just closed", at - timedelta(seconds=1), created=now)
    first = await add_forecast(store, GUILD, "closes now", at, created=now)
    last = await add_forecast(
        store, GUILD, "last second", at + timedelta(days=14, seconds=-1), created=now
    )
    await add_forecast(store, GUILD, "just outside", at + timedelta(days=14), created=now)
    judged = await add_forecast(store, GUILD, "judged early", at + timedelta(days=2), created=now)
    await resolve(store, judged, "withdrawn", now)
    await add_forecast(store, OTHER, "other guild", at + timedelta(days=1), created=now)

    digest = await builder(services).build(GUILD, START, END, now=at)
    assert digest.as_of == at
    assert [item.id for item in digest.coming_due] == [first, last]
    # The one whose window closed a second before "now" awaits a verdict instead.
    assert [item.id for item in digest.overdue] == [before]

    shorter = await builder(services).build(GUILD, START, END, now=at, coming_days=3)
    assert [item.id for item in shorter.coming_due] == [first]
    assert shorter.coming_days == 3

    # Without `now`, the window starts at the end of the period.
    from_end = await builder(services).build(GUILD, START, END, coming_days=5)
    assert [item.id for item in from_end.coming_due] == [before, first]


async def test_overdue_lists_the_longest_waiting_first_and_counts_them_all(
    services: Services, clock: ManualClock
) -> None:
    store, now = services.store, clock.now()
    ids = {}
    for days in (3, 40, 10):
        ids[days] = await add_forecast(
            store, GUILD, f"{days} days", END - timedelta(days=days), created=now
        )
        await mark_due(store, ids[days], now)
    # Window closed but the reminder sweep has not marked it yet: still awaiting a verdict.
    unmarked = await add_forecast(store, GUILD, "unswept", END - timedelta(days=20), created=now)
    judged = await add_forecast(store, GUILD, "judged", END - timedelta(days=50), created=now)
    await resolve(store, judged, "correct", now)
    other = await add_forecast(store, OTHER, "other", END - timedelta(days=60), created=now)
    await mark_due(store, other, now)

    digest = await builder(services).build(GUILD, START, END, limits=DigestLimits(forecasts=3))
    assert digest.overdue_count == 4
    assert [item.id for item in digest.overdue] == [ids[40], unmarked, ids[10]]
    assert render_text(digest).count("\n  …and 1 more") == 1


async def test_posts_are_capped_but_counted(services: Services) -> None:
    posted = []
    for day in range(4):
        text = f"{BATTERY}Day {day} of the battery diary.\n"
        posted.append(
            await ingest(services, text, f"Day {day}", START + timedelta(days=day), GUILD)
        )
    digest = await builder(services).build(GUILD, START, END, limits=DigestLimits(posts=3))
    assert digest.post_count == 4
    assert [post.post_id for post in digest.posts] == posted[::-1][:3]


async def test_catch_up_flag_and_guild_timezone(services: Services, clock: ManualClock) -> None:
    await services.store.guilds.update(GUILD, clock.now(), timezone="America/New_York")
    await ingest(services, BATTERY, "Battery note", START + timedelta(days=1), GUILD)
    digest = await builder(services).build(GUILD, START - WEEK * 2, END, catch_up=True)
    assert digest.catch_up and digest.timezone == "America/New_York"
    assert render_text(digest).startswith(
        "Catch-up digest covering 2025-11-24 10:00 – 2025-12-15 10:00 (America/New_York)"
    )
    # A guild without a timezone gets the bot's default.
    default = await builder(services).build(OTHER, START, END)
    assert default.timezone == services.settings.default_timezone == "Asia/Seoul"


async def test_an_empty_period_is_empty(services: Services, clock: ManualClock) -> None:
    store, now = services.store, clock.now()
    # Data outside the period and in another guild does not make the period non-empty (the old
    # post is ingested back then, or its forecasts would be new to the ledger in this period).
    clock.set(START - WEEK * 3)
    await ingest(services, BATTERY, "Old battery note", START - WEEK * 3, GUILD)
    clock.set(now)
    await ingest(services, ZEPPELIN, "Zeppelin revival", START + timedelta(days=1), OTHER)
    await add_forecast(store, GUILD, "far away", END + timedelta(days=200), created=START - WEEK)

    digest = await builder(services).build(GUILD, START, END, catch_up=True)
    assert digest.is_empty
    assert (digest.post_count, digest.posts, digest.themes, digest.quote) == (0, [], [], None)
    assert digest.theme_history == []
    text = render_text(digest)
    assert text == (
        "Catch-up digest covering 2025-12-09 – 2025-12-16 (Asia/Seoul): nothing happened in this"
        " range."
    )
    assert "\n" not in text


async def test_bad_arguments_are_refused(services: Services) -> None:
    with pytest.raises(ValueError):
        await builder(services).build(GUILD, END, START)
    with pytest.raises(ValueError):
        await builder(services).build(GUILD, START.replace(tzinfo=None), END)
    assert await theme_trends(services.store, GUILD, END, START) == []


async def test_views_and_forecasts_waiting_for_a_date_stay_out_of_the_forecast_sections(
    services: Services, clock: ManualClock
) -> None:
    essay = (
        "내년에는 HBM 가격이 20% 오를 것으로 전망한다.\n"
        "이번 주 금요일에 엔비디아 실적이 발표될 예정이다.\n"
        "반도체 업황은 결국 좋아질 것 같다.\n"
    )
    [undated] = await services.ingest.ingest_text(essay, GUILD, title="날짜 없는 메모")
    [dated] = await services.ingest.ingest_text(
        f"시장 메모 둘째 날\n{essay}",
        GUILD,
        title="날짜 있는 메모",
        published=START + timedelta(days=2),
    )
    forecasts = await services.store.ledger.list(GUILD, status="everything", limit=100)
    tracked = {f.id for f in forecasts if f.due_at is not None}
    untracked = {f.id for f in forecasts if f.due_at is None}
    assert undated.needs_date >= 1 and undated.views == 1 and dated.views == 1
    assert tracked and untracked

    digest = await builder(services).build(GUILD, START, END, coming_days=400)
    late = await builder(services).build(
        GUILD, START, END, coming_days=0, now=END + timedelta(days=800)
    )

    shown = {item.id for item in digest.new_forecasts + digest.coming_due}
    assert shown == tracked and digest.new_forecast_count == len(tracked)
    assert {item.id for item in late.overdue} == tracked
    assert "결국 좋아질 것 같다" not in render_text(digest)
