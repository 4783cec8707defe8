"""Sources named by title or link and authors by name (issue 10, point 7): the naming rules, and
the scoreboard, digest and forecast replies through the command layer on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digests.app import Services
from digests.commands.handlers import Caller, Commands
from digests.commands.replies import reply_as_text
from digests.ledger.naming import (
    MANUAL_SOURCE,
    member_author,
    member_id,
    merge_rows,
    named_sources,
    source_name,
)
from digests.store.track_record import TrackRecordRow

GUILD = 1
MODERATOR = Caller(GUILD, 99, is_moderator=True, can_manage_messages=True)
NAMED = Caller(GUILD, 10, display_name="Alice Kim")
NAMELESS = Caller(GUILD, 11)  # the terminal knows no display names
BATTERY_NOTE = "\n".join(
    [
        "전고체 배터리 전망 메모",
        "2027년까지 전고체 배터리가 상용화될 것이다.",
        "내년에는 HBM 가격이 20% 오를 것으로 전망한다.",
        "배터리 업황은 결국 좋아질 것이라고 본다.",
    ]
)


def test_a_link_stays_a_link_and_a_file_is_named_by_its_title_or_file_name() -> None:
    assert source_name("https://bank.example/outlook", "Bank outlook") == (
        "https://bank.example/outlook"
    )
    assert source_name("/srv/hindsight/inbox/2025/note.txt", "Battery note") == "Battery note"
    assert source_name("/srv/hindsight/inbox/2025/note.txt", None) == "note.txt"
    assert source_name("C:\\Users\\kim\\memo.md", "  ") == "memo.md"
    assert source_name(MANUAL_SOURCE) == MANUAL_SOURCE


def test_a_member_author_is_their_name_or_the_mention_form_front_ends_rename() -> None:
    assert member_author("  Alice   Kim ", 10) == "Alice Kim"
    assert member_author(None, 10) == "<@10>"
    assert member_id("<@10>") == 10 and member_id("<@!10>") == 10
    assert member_id("Alice <@10>") is None and member_id(None) is None


def test_rows_that_come_to_share_a_name_are_merged_with_their_brier_weighted() -> None:
    first = TrackRecordRow("a", 2, 1, 0, 1, 0.25, 2)
    second = TrackRecordRow("b", 1, 1, 0, 0, 0.01, 1)
    merged = merge_rows("Note", [first, second])
    assert (merged.resolved, merged.correct, merged.wrong, merged.with_probability) == (3, 2, 1, 3)
    assert merged.brier == pytest.approx((0.25 * 2 + 0.01) / 3)


async def test_named_sources_asks_titles_only_for_files() -> None:
    asked: list[list[str]] = []

    async def titles_of(sources: list[str]) -> dict[str, str]:
        asked.append(sources)
        return {"/a/x.txt": "Same title", "/b/y.txt": "Same title"}

    rows = [
        TrackRecordRow("https://bank.example/", 1, 1, 0, 0, None, 0),
        TrackRecordRow("/a/x.txt", 1, 0, 0, 1, None, 0),
        TrackRecordRow("/b/y.txt", 1, 1, 0, 0, None, 0),
    ]
    named = await named_sources(rows, titles_of)
    assert asked == [["/a/x.txt", "/b/y.txt"]]
    assert [(row.key, row.resolved) for row in named] == [
        ("Same title", 2),
        ("https://bank.example/", 1),
    ]


async def _resolve_all(commands: Commands) -> None:
    for forecast in await commands.services.ledger.list(GUILD, page_size=100):
        await commands.predictions_resolve(MODERATOR, forecast.id, "correct")


async def test_a_file_post_is_named_by_its_title_never_its_path(
    services: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "server" / "inbox"
    folder.mkdir(parents=True)
    path = folder / "battery_note.txt"
    path.write_text(BATTERY_NOTE, encoding="utf-8")
    report = await services.ingest.ingest_inputs(
        [path], GUILD, published=datetime(2025, 11, 3, tzinfo=UTC)
    )
    assert [result.title for result in report.results] == ["전고체 배터리 전망 메모"]
    commands = Commands(services)
    await _resolve_all(commands)

    board = reply_as_text(await commands.scoreboard(MODERATOR, "source"))
    listing = reply_as_text(await commands.predictions_list(MODERATOR))
    [first, *_] = await services.ledger.list(GUILD, page_size=100)
    shown = reply_as_text(await commands.predictions_show(MODERATOR, first.id))
    digest = reply_as_text(await commands.digest_now(MODERATOR, days=60))

    assert "전고체 배터리 전망 메모 ·" in board
    assert "전고체 배터리 전망 메모" in shown and "전고체 배터리 전망 메모" in digest
    for text in (board, listing, shown, digest):
        assert str(tmp_path) not in text and "inbox" not in text, text


async def test_a_members_forecast_is_scored_under_their_name(commands: Commands) -> None:
    await commands.predictions_add(NAMED, "Rates fall by spring", "2026-03-31")
    await commands.predictions_add(NAMELESS, "Won passes 1500", "2026-03-31")
    await _resolve_all(commands)

    by_author = reply_as_text(await commands.scoreboard(MODERATOR, "author"))
    by_speaker = reply_as_text(await commands.scoreboard(MODERATOR, "speaker"))
    by_source = reply_as_text(await commands.scoreboard(MODERATOR, "source"))

    for text in (by_author, by_speaker):
        assert "Alice Kim · 1 resolved" in text
        assert "user 11 · 1 resolved" in text  # the terminal's mention-free form
        assert "<@" not in text
    assert "added by hand · 2 resolved" in by_source


async def test_a_korean_reader_sees_the_manual_source_in_korean(commands: Commands) -> None:
    await commands.predictions_add(NAMED, "Rates fall by spring", "2026-03-31")
    await _resolve_all(commands)
    korean = Caller(GUILD, 99, is_moderator=True, language="ko")
    assert "직접 입력" in reply_as_text(await commands.scoreboard(korean, "source"))


@pytest.fixture
def commands(services: Services) -> Commands:
    """Commands with the plain (terminal) formatter."""
    return Commands(services)
