"""Digests in the guild's language: Korean wording for a "ko" guild, English (unchanged) for "en",
and the language carried through JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from digests.app import Services
from digests.clock import ManualClock
from digests.digest import DigestBuilder
from digests.digest.render import (
    digest_title,
    empty_line,
    from_json,
    heading,
    render_markdown,
    render_text,
    to_json,
)
from digests.ledger.model import ForecastRecord
from digests.store import Store
from tests.digest import START, empty_digest, sample_digest

SEOUL = ZoneInfo("Asia/Seoul")
KO_GUILD = 7
EN_GUILD = 8
# A week in Seoul that contains the test clock (2025-12-15 09:00 UTC = 18:00 in Seoul).
WEEK_START = datetime(2025, 12, 9, tzinfo=SEOUL)
WEEK_END = datetime(2025, 12, 16, tzinfo=SEOUL)

BROADCOM = (
    "브로드컴의 호크 탄 CEO는 “2026년 이후에도 AI 매출이 상당히 개선될 것”이라며 자신감을 드러냈다.\n"
    "4분기 AI 매출 전망도 62억 달러로 전년 대비 66% 성장을 예고했다.\n"
)

KO_SECTIONS = [
    "새 글 (3)",
    "주요 테마",
    "새 예측 (4)",
    "앞으로 14일 안에 기한이 오는 예측",
    "기한이 지나 판정을 기다리는 예측 (2)",
    "최근 판정",
    "이번 기간의 인용",
    "적중 기록",
]


def test_a_korean_digest_is_worded_in_korean() -> None:
    digest = sample_digest(language="ko")
    text = render_text(digest)
    lines = text.splitlines()
    assert lines[0] == "다이제스트 (2025-12-08 – 2025-12-15, Asia/Seoul)"
    positions = [lines.index(section) for section in KO_SECTIONS]
    assert positions == sorted(positions)
    assert "  …외 1건" in lines
    assert "  • 브로드컴: 글 3건 (▲2)" in lines
    assert "  • Battery: 글 2건 (신규)" in lines
    assert "  • AI: 글 1건 (▼1)" in lines
    assert (
        "  • 엔비디아 차세대 GPU는 내년 상반기 양산 예정 — 젠슨 황 · 반도체 주간 메모"
        " · 기한 2026-06-30 · 70%"
    ) in lines
    assert "  • Lithium demand will double — Battery note · 기한 없음" in lines
    assert "  • 4분기 AI 매출 62억 달러 — 반도체 주간 메모 · 기한 2025-12-19 (5일 후)" in lines
    assert (
        "  • Rates will be cut in November — news.example.org · 기한 2025-12-09, 5일 지남"
    ) in lines
    assert "  • Apple ships a foldable in 2025 — 반도체 주간 메모 · 틀림" in lines
    assert "  • Samsung HBM4 passes qualification — 반도체 주간 메모 · 일부 맞음" in lines
    assert (
        "  “2026년 이후에도 AI 매출이 상당히 개선될 것” — 호크 탄, 출처: 브로드컴 실적 메모"
    ) in lines
    assert "  • example.com: 적중률 75%, 판정 4건, Brier 0.12" in lines
    assert "  • withdrawn only: 판정 1건" in lines
    for english in ("Digest for", "New posts", "due ", "overdue", "correct", "resolved", "more"):
        assert english not in text, english


def test_korean_markdown_headings_and_emphasis() -> None:
    markdown = render_markdown(sample_digest(language="ko"))
    lines = markdown.splitlines()
    assert lines[0] == "**다이제스트 (2025-12-08 – 2025-12-15, Asia/Seoul)**"
    for section in KO_SECTIONS:
        assert f"**{section}**" in lines, section
    assert "*…외 2건*" in lines
    assert "- Apple ships a foldable in 2025 — 반도체 주간 메모 · **틀림**" in lines
    assert lines[lines.index("**이번 기간의 인용**") + 1].endswith(
        "— 호크 탄, 출처: [브로드컴 실적 메모](<https://www.example.com/broadcom>)"
    )


def test_korean_spans_outcomes_and_catch_up() -> None:
    ahead = sample_digest(
        language="ko", as_of=datetime(2025, 12, 19, 20, tzinfo=SEOUL), catch_up=True
    )
    text = render_text(ahead)
    assert text.splitlines()[0] == "보충 다이제스트: 2025-12-08 – 2025-12-15 기간 (Asia/Seoul)"
    assert "기한 2025-12-19 (4시간 후)" in text
    later = sample_digest(language="ko", as_of=datetime(2026, 2, 1, tzinfo=SEOUL))
    assert "기한 2025-12-09, 7주 지남" in render_text(later)
    resolved = sample_digest(language="ko").resolved
    outcomes = ["correct", "unknown", "withdrawn", "odd"]
    digest = sample_digest(
        language="ko",
        resolved=[replace(resolved[0], outcome=outcome) for outcome in outcomes],
    )
    text = render_text(digest)
    for label in ("· 맞음", "· 판단 불가", "· 철회", "· odd"):
        assert label in text, label


def test_an_empty_korean_period_is_one_line() -> None:
    assert render_text(empty_digest(language="ko")) == (
        "다이제스트 (2025-12-08 – 2025-12-15, Asia/Seoul): 이 기간에는 새 소식이 없습니다."
    )
    assert render_markdown(empty_digest(language="ko", catch_up=True)) == (
        "**보충 다이제스트: 2025-12-08 – 2025-12-15 기간 (Asia/Seoul)**: 이 기간에는 새 소식이 없습니다."
    )
    assert empty_line(empty_digest(language="ko")) == render_text(empty_digest(language="ko"))


def test_english_and_unknown_languages_keep_the_english_wording() -> None:
    english = render_text(sample_digest())
    assert render_text(sample_digest(language="en")) == english
    assert render_text(sample_digest(language="xx")) == english
    assert render_markdown(sample_digest(language="xx")) == render_markdown(sample_digest())
    assert heading(sample_digest()) == "Digest for 2025-12-08 – 2025-12-15 (Asia/Seoul)"
    assert digest_title(sample_digest()) == "Digest"
    assert digest_title(sample_digest(language="ko")) == "다이제스트"


def test_json_keeps_the_language_and_old_json_reads_as_english() -> None:
    for digest in (
        sample_digest(language="ko"),
        sample_digest(language="ko", catch_up=True, start=START - timedelta(days=7)),
        empty_digest(language="ko"),
        sample_digest(),
    ):
        data = to_json(digest)
        assert data["language"] == digest.language
        restored = from_json(json.loads(json.dumps(data, ensure_ascii=False)))
        assert restored == digest
        assert render_markdown(restored) == render_markdown(digest)
    old = to_json(sample_digest(language="ko"))
    del old["language"]
    restored = from_json(old)
    assert restored.language == "en"
    assert restored == sample_digest()
    assert render_text(restored) == render_text(sample_digest())


# --- built from the store ----------------------------------------------------------------------


async def _add_forecast(
    store: Store, guild: int, claim: str, due_at: datetime, *, created: datetime
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
                due_end=due_at.astimezone(SEOUL).date() - timedelta(days=1),
                due_at=due_at,
                granularity="day",
                kind="event",
                hedge="certain",
                confidence=1.0,
                source_url=None,
                probability=None,
                added_by=42,
            ),
            now=created,
        )


async def _same_data_in(services: Services, guild: int, now: datetime) -> None:
    [result] = await services.ingest.ingest_text(
        BROADCOM, guild, title="브로드컴 실적 메모", published=WEEK_START + timedelta(days=3)
    )
    assert result.post_id is not None
    await _add_forecast(
        services.store, guild, "Chip export rules ease", WEEK_END + timedelta(days=3), created=now
    )
    await _add_forecast(
        services.store, guild, "Rates are cut", WEEK_END - timedelta(days=5), created=now
    )


async def test_the_builder_words_a_digest_in_each_guilds_language(
    services: Services, clock: ManualClock
) -> None:
    await services.store.guilds.update(KO_GUILD, clock.now(), language="ko")
    for guild in (KO_GUILD, EN_GUILD):
        await _same_data_in(services, guild, clock.now())
    builder = DigestBuilder(services.store, services.settings)
    korean = await builder.build(KO_GUILD, WEEK_START, WEEK_END)
    english = await builder.build(EN_GUILD, WEEK_START, WEEK_END)
    assert (korean.language, english.language) == ("ko", "en")

    text = render_text(korean)
    assert text.splitlines()[0] == "다이제스트 (2025-12-09 – 2025-12-16, Asia/Seoul)"
    assert "새 글 (1)" in text.splitlines()
    assert f"새 예측 ({korean.new_forecast_count})" in text.splitlines()
    assert "앞으로 14일 안에 기한이 오는 예측" in text.splitlines()
    assert "기한이 지나 판정을 기다리는 예측 (1)" in text.splitlines()
    assert "기한 2025-12-18 (3일 후)" in text
    assert "기한 2025-12-10, 5일 지남" in text
    markdown = render_markdown(korean)
    assert markdown.splitlines()[0] == "**다이제스트 (2025-12-09 – 2025-12-16, Asia/Seoul)**"
    assert "**새 글 (1)**" in markdown.splitlines()
    assert "**이번 기간의 인용**" in markdown.splitlines()

    english_text = render_text(english)
    assert english_text.splitlines()[0] == "Digest for 2025-12-09 – 2025-12-16 (Asia/Seoul)"
    assert "New posts (1)" in english_text.splitlines()
    assert f"New forecasts ({english.new_forecast_count})" in english_text.splitlines()
    assert "Coming due in the next 14 days" in english_text.splitlines()
    assert "due 2025-12-18 (in 3 days)" in english_text
    assert "due 2025-12-10, overdue 5 days" in english_text
    assert "**Quote of the period**" in render_markdown(english).splitlines()
    # Same data, only the wording differs.
    assert korean.posts[0].title == english.posts[0].title
    assert [item.claim for item in korean.coming_due] == [item.claim for item in english.coming_due]
    assert from_json(json.loads(json.dumps(to_json(korean)))) == korean
