"""Rendering digests as text, Markdown and JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from digests.app import Services
from digests.digest import DigestBuilder
from digests.digest.model import DigestPost, QuoteItem
from digests.digest.render import (
    ZERO_WIDTH_SPACE,
    clip,
    defang,
    format_range,
    from_json,
    render_markdown,
    render_text,
    to_json,
)
from tests.digest import END, START, empty_digest, forecast, sample_digest

SECTIONS = [
    "New posts (3)",
    "Top themes",
    "New forecasts (4)",
    "Coming due in the next 14 days",
    "Overdue, awaiting a verdict (2)",
    "Recently resolved",
    "Quote of the period",
    "Scoreboard",
]


def test_text_shows_the_range_and_every_section_in_order() -> None:
    text = render_text(sample_digest())
    lines = text.splitlines()
    assert lines[0] == "Digest for 2025-12-08 – 2025-12-15 (Asia/Seoul)"
    positions = [lines.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    # New posts: title, short source, one-sentence summary, and how many more there are.
    assert "  • 브로드컴 실적 메모 — example.com/feed.xml" not in text
    assert "  • 브로드컴 실적 메모 — example.com" in lines
    assert "    브로드컴의 호크 탄 CEO는 AI 매출이 개선될 것이라고 말했다." in lines
    assert "  • Battery note" in lines  # a file: its title, never its path or file name
    assert "  …and 1 more" in lines
    # Themes with counts and change against the previous period.
    assert "  • 브로드컴: 3 posts (▲2)" in lines
    assert "  • Battery: 2 posts (new)" in lines
    assert "  • AI: 1 post (▼1)" in lines
    assert "  • 실적: 1 post (=)" in lines
    # Forecasts.
    assert (
        "  • 엔비디아 차세대 GPU는 내년 상반기 양산 예정 — 젠슨 황 · 반도체 주간 메모"
        " · due 2026-06-30 · 70%"
    ) in lines
    assert "  • Lithium demand will double — Battery note · no date" in lines
    assert "  • 4분기 AI 매출 62억 달러 — 반도체 주간 메모 · due 2025-12-19 (in 5 days)" in lines
    assert (
        "  • Rates will be cut in November — news.example.org · due 2025-12-09, overdue 5 days"
    ) in lines
    assert "  • Apple ships a foldable in 2025 — 반도체 주간 메모 · wrong" in lines
    assert "  • Samsung HBM4 passes qualification — 반도체 주간 메모 · partly correct" in lines
    assert (
        "  “2026년 이후에도 AI 매출이 상당히 개선될 것” — 호크 탄, in 브로드컴 실적 메모" in lines
    )
    assert "  • example.com: 75% correct, 4 resolved, Brier 0.12" in lines
    assert "  • added by hand: 50% correct, 2 resolved" in lines
    assert "  • withdrawn only: 1 resolved" in lines


def test_empty_sections_are_left_out() -> None:
    digest = sample_digest(
        themes=[],
        new_forecasts=[],
        new_forecast_count=0,
        coming_due=[],
        overdue=[],
        overdue_count=0,
        quote=None,
        scoreboard=[],
    )
    kept = ["New posts (3)", "Recently resolved"]
    for render in (render_text, render_markdown):
        text = render(digest)
        assert all(section in text for section in kept)
        for absent in (section for section in SECTIONS if section not in kept):
            assert absent not in text, (render.__name__, absent)


def test_an_empty_period_is_one_line() -> None:
    assert render_text(empty_digest()) == (
        "Digest for 2025-12-08 – 2025-12-15 (Asia/Seoul): nothing happened in this range."
    )
    assert render_markdown(empty_digest(catch_up=True)) == (
        "**Catch-up digest covering 2025-12-08 – 2025-12-15 (Asia/Seoul)**:"
        " nothing happened in this range."
    )
    # An all-time scoreboard alone does not make a period worth a digest.
    assert "\n" not in render_text(empty_digest(scoreboard=sample_digest().scoreboard))


def test_catch_up_says_which_range_it_covers() -> None:
    text = render_text(sample_digest(catch_up=True, start=START - timedelta(days=14)))
    assert text.splitlines()[0] == "Catch-up digest covering 2025-11-24 – 2025-12-15 (Asia/Seoul)"
    markdown = render_markdown(sample_digest(catch_up=True))
    assert markdown.splitlines()[0] == (
        "**Catch-up digest covering 2025-12-08 – 2025-12-15 (Asia/Seoul)**"
    )


def test_range_is_shown_in_the_guild_timezone_across_a_dst_change() -> None:
    start = datetime(2025, 10, 27, 4, tzinfo=UTC)  # midnight in New York (EDT)
    end = datetime(2025, 11, 3, 5, tzinfo=UTC)  # midnight in New York (EST)
    assert format_range(start, end, "America/New_York") == (
        "2025-10-27 – 2025-11-03 (America/New_York)"
    )
    assert format_range(start, end, "Asia/Seoul") == (
        "2025-10-27 13:00 – 2025-11-03 14:00 (Asia/Seoul)"
    )
    digest = empty_digest(start=start, end=end, timezone="America/New_York")
    assert "2025-10-27 – 2025-11-03 (America/New_York)" in render_text(digest)


def test_markdown_uses_discord_formatting() -> None:
    markdown = render_markdown(sample_digest())
    lines = markdown.splitlines()
    assert lines[0] == "**Digest for 2025-12-08 – 2025-12-15 (Asia/Seoul)**"
    assert "**New posts (3)**" in lines and "**Scoreboard**" in lines
    assert "- [브로드컴 실적 메모](<https://www.example.com/broadcom>) — example.com" in lines
    assert "- **Battery note**" in lines
    assert "- 브로드컴: 3 posts (▲2)" in lines
    assert any(line.startswith("> “2026년 이후에도") for line in lines)
    assert "- Apple ships a foldable in 2025 — 반도체 주간 메모 · **wrong**" in lines
    assert "|" not in markdown  # no tables
    assert "\n\n\n" not in markdown


def test_markdown_defangs_mentions_and_escapes_formatting() -> None:
    hostile = "@everyone look <@123> <@!45> <@&678> <#90> @here **bold** [x](https://evil.example)"
    digest = sample_digest(
        posts=[
            DigestPost(7, hostile, "pasted text", None, "@here", None, "<@&1> says @everyone"),
        ],
        quote=QuoteItem(
            text="@everyone wake up <@1>", speaker="<@&2>", post_title=hostile, url=None
        ),
        new_forecasts=[forecast(1, "@here <#5> will rally", None, speaker="@everyone")],
    )
    markdown = render_markdown(digest)
    for ping in ("@everyone", "@here", "<@", "<#"):
        assert ping not in markdown, ping
    assert f"@{ZERO_WIDTH_SPACE}everyone" in markdown
    assert f"<{ZERO_WIDTH_SPACE}@&678>" in markdown
    assert "\\*\\*bold\\*\\*" in markdown and "\\[x\\](https://evil.example)" in markdown
    # The terminal text keeps the words as they are.
    assert "@everyone look <@123>" in render_text(digest)


def test_defang_helper() -> None:
    assert defang("hi @everyone and @here") == (
        f"hi @{ZERO_WIDTH_SPACE}everyone and @{ZERO_WIDTH_SPACE}here"
    )
    assert defang("<@12> <@!3> <@&4> <#5>") == " ".join(
        f"<{ZERO_WIDTH_SPACE}{rest}" for rest in ("@12>", "@!3>", "@&4>", "#5>")
    )
    assert defang(defang("@everyone <@1>")) == defang("@everyone <@1>")
    assert defang("mail me at a@b.com, 1 < 2") == "mail me at a@b.com, 1 < 2"


def test_long_claims_and_titles_are_clipped_with_an_ellipsis() -> None:
    claim = "반도체 " * 80
    title = "A very long title " * 20
    digest = sample_digest(
        new_forecasts=[forecast(1, claim, None)],
        posts=[DigestPost(1, title, "pasted text", None, None, None, None)],
    )
    for render in (render_text, render_markdown):
        text = render(digest)
        claim_line = next(line for line in text.splitlines() if "반도체 반도체" in line)
        assert "…" in claim_line and len(claim_line) < 220
        title_line = next(line for line in text.splitlines() if "A very long title" in line)
        assert "…" in title_line and len(title_line) < 130
    assert clip("  a\n b  ", 10) == "a b"
    assert clip("abcdefghij", 5) == "abcd…"


def test_korean_digest_renders() -> None:
    digest = sample_digest(timezone="Asia/Seoul")
    assert "브로드컴" in render_text(digest)
    assert "브로드컴" in render_markdown(digest)


def test_json_round_trip_is_exact() -> None:
    for digest in (sample_digest(), sample_digest(catch_up=True, as_of=None), empty_digest()):
        data = to_json(digest)
        encoded = json.dumps(data, ensure_ascii=False)
        restored = from_json(json.loads(encoded))
        assert restored == digest
        assert to_json(restored) == data
        assert render_markdown(restored) == render_markdown(digest)
    assert to_json(sample_digest())["start"] == START.isoformat()
    assert to_json(sample_digest())["end"] == END.isoformat()
    assert to_json(sample_digest())["theme_history"][0] == [
        "11-24",
        {"브로드컴": 0, "Battery": 0, "AI": 1, "실적": 0},
    ]


async def test_a_built_digest_round_trips_and_renders(services: Services) -> None:
    text = "브로드컴의 호크 탄 CEO는 “2026년 이후에도 AI 매출이 상당히 개선될 것”이라며 자신감을 드러냈다.\n"
    await services.ingest.ingest_text(
        text, 7, title="@everyone 브로드컴", published=datetime(2025, 12, 12, tzinfo=UTC)
    )
    digest = await DigestBuilder(services.store, services.settings).build(7, START, END)
    assert from_json(json.loads(json.dumps(to_json(digest)))) == digest
    markdown = render_markdown(digest)
    assert "@everyone" not in markdown and "브로드컴" in markdown
    assert "**Quote of the period**" in markdown
    assert replace(digest, catch_up=True) != digest
