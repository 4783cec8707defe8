"""`python -m digests scoreboard`, `digest` and the demo's digest and reminders preview, run
in-process through `digests.cli.run` on real SQLite files."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digests.app import Services
from digests.cli import SAMPLES, run
from digests.clock import ManualClock
from digests.ledger.service import Actor
from digests.settings import Settings
from tests.conftest import make_settings

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Two weeks after the newest sample post (05_year_end_checklist.txt, 2025-12-19): the demo's "now".
DEMO_NOW = "2026-01-02T00:00+09:00"
MEMBER = Actor(guild_id=0, user_id=1)
OTHER_MEMBER = Actor(guild_id=0, user_id=2)
MODERATOR = Actor(guild_id=0, user_id=99, is_moderator=True)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def copy_database(source: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(source)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)


@pytest.fixture(scope="module")
def samples_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/samples ingested once per module; tests work on their own copy of it."""
    folder = tmp_path_factory.mktemp("samples-db")
    settings = make_settings(folder)
    assert asyncio.run(run(["ingest", str(SAMPLES)], settings)) == 0
    return Path(settings.database_path)


@pytest.fixture
def seeded(settings: Settings, samples_database: Path) -> Settings:
    """Test settings whose database already holds the ingested samples."""
    copy_database(samples_database, Path(settings.database_path))
    return settings


async def run_cli(settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str):
    capsys.readouterr()
    code = await run(list(argv), settings)
    return code, capsys.readouterr()


# --- scoreboard --------------------------------------------------------------------------------


async def test_scoreboard_with_nothing_resolved(
    seeded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = await run_cli(seeded, capsys, "scoreboard")
    json_code, json_output = await run_cli(seeded, capsys, "scoreboard", "--json", "--by", "author")

    assert code == 0
    assert lines(output.out) == [
        "No resolved forecasts yet in guild 0, so there is no track record to show."
        " Forecasts count here once a moderator judges them (/predictions resolve)."
    ]
    assert output.err == ""
    assert json_code == 0
    assert json.loads(json_output.out) == {"guild_id": 0, "by": "author", "rows": []}


async def resolved_ledger(settings: Settings) -> dict[str, int]:
    """Judged forecasts: manual ones with and without a probability, and one from a sample."""
    clock = ManualClock(datetime(2025, 12, 15, 9, 0, tzinfo=UTC))
    async with await Services.open(settings, clock) as services:
        ledger = services.ledger
        made = {
            "sure_right": await ledger.add(
                MEMBER,
                claim="Rates are cut in March",
                due="2026-03-31",
                probability="80%",
                source="https://example.com/a",
            ),
            "sure_wrong": await ledger.add(
                MEMBER,
                claim="Oil tops $100",
                due="2026-03-31",
                probability=0.6,
                source="https://example.com/b",
            ),
            "no_chance": await ledger.add(
                MEMBER,
                claim="A merger is announced",
                due="2026-03-31",
                source="https://example.com/c",
            ),
            "withdrawn": await ledger.add(
                MEMBER,
                claim="Never mind",
                due="2026-03-31",
                probability=0.5,
                source="https://example.com/d",
            ),
            "other": await ledger.add(
                OTHER_MEMBER,
                claim="Snow in Seoul on New Year's Day",
                due="2026-01-05",
                probability=0.9,
                source="https://news.example.org/x",
            ),
        }
        await ledger.resolve(MODERATOR, made["sure_right"].id, "correct")
        await ledger.resolve(MODERATOR, made["sure_wrong"].id, "wrong")
        await ledger.resolve(MODERATOR, made["no_chance"].id, "partly")
        await ledger.resolve(MODERATOR, made["withdrawn"].id, "withdrawn")
        await ledger.resolve(MODERATOR, made["other"].id, "correct")
        (sample,) = await ledger.list(0, query="한국은행은 다음 주")
        await ledger.resolve(MODERATOR, sample.id, "correct")
        # A member's vote is not a verdict: it must not count.
        (open_one,) = await ledger.list(0, query="1월 8일")
        await ledger.vote(MEMBER, open_one.id, "wrong")
    return {name: forecast.id for name, forecast in made.items()}


async def test_scoreboard_by_source_with_brier(
    seeded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    await resolved_ledger(seeded)

    code, output = await run_cli(seeded, capsys, "scoreboard", "--json")
    text_code, text = await run_cli(seeded, capsys, "scoreboard")

    assert code == 0
    payload = json.loads(output.out)
    assert payload["by"] == "source"
    rows = {row["name"]: row for row in payload["rows"]}
    assert set(rows) == {
        "example.com/a",
        "example.com/b",
        "example.com/c",
        "news.example.org/x",
        "연말·연초 일정 점검 메모",  # a file by its post's title, never its path
    }
    assert rows["example.com/a"] == {
        "key": "https://example.com/a",
        "name": "example.com/a",
        "resolved": 1,
        "correct": 1,
        "partly": 0,
        "wrong": 0,
        "share_correct": 1.0,
        "brier": pytest.approx(0.04),
        "with_probability": 1,
    }
    assert rows["example.com/b"]["brier"] == pytest.approx(0.36)
    assert rows["example.com/b"]["share_correct"] == 0.0
    assert rows["example.com/c"]["share_correct"] == 0.5
    assert rows["example.com/c"]["brier"] is None
    sample = rows["연말·연초 일정 점검 메모"]
    assert sample["key"] == "연말·연초 일정 점검 메모"
    assert (sample["resolved"], sample["correct"], sample["brier"]) == (1, 1, None)

    assert text_code == 0
    out = text.out
    assert "Track record by source · guild 0" in out
    assert "연말·연초 일정 점검 메모" in out and str(SAMPLES) not in out
    assert "0.040 (1)" in out and "0.360 (1)" in out and "0.010 (1)" in out
    assert "50%" in out and "Brier" in out


async def test_scoreboard_by_author_and_speaker(
    seeded: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    await resolved_ledger(seeded)

    code, output = await run_cli(seeded, capsys, "scoreboard", "--by", "author", "--json")
    speaker_code, speaker = await run_cli(seeded, capsys, "scoreboard", "--by", "speaker")

    assert code == 0
    rows = {row["key"]: row for row in json.loads(output.out)["rows"]}
    # Member 1: right at 80%, wrong at 60%, partly without a probability; withdrawn left out.
    mine = rows["<@1>"]
    assert (mine["resolved"], mine["correct"], mine["partly"], mine["wrong"]) == (3, 1, 1, 1)
    assert mine["share_correct"] == pytest.approx(0.5)
    assert mine["brier"] == pytest.approx((0.2**2 + 0.6**2) / 2)
    assert mine["with_probability"] == 2
    assert rows["<@2>"]["brier"] == pytest.approx(0.01)
    assert rows["unknown author"]["resolved"] == 1  # the sample post has no author
    assert next(iter(rows)) == "<@1>"  # most resolved first

    assert speaker_code == 0
    assert "Track record by speaker" in speaker.out
    assert "user 1" in speaker.out and "<@" not in speaker.out and "0.200 (2)" in speaker.out


async def test_scoreboard_limit(seeded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    await resolved_ledger(seeded)

    code, output = await run_cli(seeded, capsys, "scoreboard", "--json", "--limit", "2")

    assert code == 0
    assert len(json.loads(output.out)["rows"]) == 2


# --- digest ------------------------------------------------------------------------------------


async def test_digest_text(seeded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = await run_cli(
        seeded, capsys, "digest", "--now", DEMO_NOW, "--days", "60", "--coming-days", "30"
    )

    assert code == 0
    assert output.err == ""
    out = output.out
    assert lines(out)[0] == "Digest for 2025-11-03 – 2026-01-02 (Asia/Seoul)"
    sections = out.split("\n\n")
    (coming,) = [s for s in sections if s.startswith("Coming due in the next 30 days")]
    assert "삼성전자는 1월 8일 4분기 잠정 실적을 발표할 예정" in coming
    assert "due 2026-01-08 (in 7 days)" in coming
    assert "January 23" in coming
    (overdue,) = [s for s in sections if s.startswith("Overdue, awaiting a verdict (4)")]
    assert "한국은행은 다음 주 중" in overdue and "due 2025-12-26, overdue 6 days" in overdue
    assert "SK하이닉스 4분기" in overdue
    assert "New posts (6)" in out and "Top themes" in out and "Quote of the period" in out


async def test_digest_markdown(seeded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = await run_cli(
        seeded, capsys, "digest", "--now", DEMO_NOW, "--days", "14", "--format", "md"
    )

    assert code == 0
    out = output.out
    assert out.startswith("**Digest for 2025-12-19 – 2026-01-02 (Asia/Seoul)**")
    assert "**Coming due in the next 14 days**" in out
    assert "**Overdue, awaiting a verdict (4)**" in out
    # A file is named by its post's title, never by its file name or path.
    assert "- **연말·연초 일정 점검 메모**" in out and "checklist" not in out


async def test_digest_json(seeded: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = await run_cli(
        seeded, capsys, "digest", "--format", "JSON", "--now", "2026-01-01T15:00:00Z"
    )

    assert code == 0
    digest = json.loads(output.out)
    assert {
        "guild_id",
        "start",
        "end",
        "timezone",
        "posts",
        "themes",
        "new_forecasts",
        "coming_due",
        "overdue",
        "overdue_count",
        "resolved",
        "quote",
        "scoreboard",
    } <= set(digest)
    # --now in UTC is the same moment as the demo's midnight in Seoul; 7 days by default.
    assert datetime.fromisoformat(digest["end"]) == datetime.fromisoformat(DEMO_NOW)
    assert (
        datetime.fromisoformat(digest["end"]) - datetime.fromisoformat(digest["start"])
    ).days == 7
    assert digest["timezone"] == "Asia/Seoul"
    assert digest["coming_days"] == 14
    assert [item["due_end"] for item in digest["coming_due"]] == ["2026-01-08"]
    assert digest["overdue_count"] == 4
    assert {item["due_end"] for item in digest["overdue"]} == {"2025-12-26", "2025-12-31"}


async def test_digest_days_default_from_settings(
    tmp_path: Path, samples_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, digest_default_days=3)
    copy_database(samples_database, Path(settings.database_path))

    code, output = await run_cli(settings, capsys, "digest", "--format", "json", "--now", DEMO_NOW)

    assert code == 0
    digest = json.loads(output.out)
    assert digest["start"] == "2025-12-30T00:00:00+09:00"


async def test_digest_without_now_uses_the_current_time(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    before = datetime.now(UTC)
    code, output = await run_cli(settings, capsys, "digest", "--format", "json")

    assert code == 0
    end = datetime.fromisoformat(json.loads(output.out)["end"])
    assert before <= end <= datetime.now(UTC)


async def test_digest_of_an_empty_period(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = await run_cli(settings, capsys, "digest", "--now", DEMO_NOW)

    assert code == 0
    assert lines(output.out) == [
        "Digest for 2025-12-26 – 2026-01-02 (Asia/Seoul): nothing happened in this range."
    ]


async def test_digest_chart_writes_a_png(
    seeded: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "charts" / "digest.png"
    chart.parent.mkdir()

    code, output = await run_cli(
        seeded, capsys, "digest", "--now", DEMO_NOW, "--days", "30", "--chart", str(chart)
    )

    assert code == 0
    assert chart.read_bytes().startswith(PNG_MAGIC)
    assert lines(output.err) == [f"chart written to {chart} ({chart.stat().st_size:,} bytes)"]
    assert output.out.startswith("Digest for 2025-12-03 – 2026-01-02")


async def test_digest_chart_with_nothing_to_plot(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "empty.png"

    code, output = await run_cli(
        settings, capsys, "digest", "--now", DEMO_NOW, "--chart", str(chart)
    )

    assert code == 0
    assert not chart.exists()
    assert lines(output.err) == [
        f"no chart written to {chart}: nothing to plot in this digest"
        " (it needs themes over time or judged forecasts)"
    ]
    assert "nothing happened in this range" in output.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--days", "0"], "--days: 0 is not between 1 and 366"),
        (["--days", "-3"], "--days: -3 is not between 1 and 366"),
        (["--days", "week"], "--days: 'week' is not a whole number"),
        (["--coming-days", "-1"], "--coming-days: -1 is not between 0 and 366"),
        (["--format", "html"], "--format: 'html' is not one of: text, md, json"),
        (
            ["--now", "2026-01-02T09:00"],
            "--now: '2026-01-02T09:00' has no timezone; add a UTC offset like +09:00 or Z",
        ),
        (
            ["--now", "2026-01-02"],
            "--now: '2026-01-02' has no timezone; add a UTC offset like +09:00 or Z",
        ),
        (
            ["--now", "next tuesday"],
            "--now: 'next tuesday' is not an ISO date-time like 2026-01-02T09:00+09:00",
        ),
        (
            ["--now", "9999-12-31T23:00:00Z"],
            "--now: '9999-12-31T23:00:00Z' is outside the years 1970–2199 this clock can be set to",
        ),
    ],
)
async def test_digest_bad_input(
    settings: Settings, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, output = await run_cli(settings, capsys, "digest", *argv)

    assert code != 0
    assert lines(output.err) == [f"error: {message}"]
    assert output.out == ""


async def test_digest_unwritable_chart_paths(
    seeded: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "chart.png"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    below_a_file = a_file / "chart.png"

    results = [
        await run_cli(seeded, capsys, "digest", "--now", DEMO_NOW, "--chart", str(path))
        for path in (missing, tmp_path, below_a_file)
    ]

    assert [code for code, _ in results] == [2, 2, 2]
    assert [lines(output.err) for _, output in results] == [
        [f"error: --chart {missing}: folder {missing.parent} does not exist"],
        [f"error: --chart {tmp_path}: is a folder; give a file name such as digest.png"],
        [f"error: --chart {below_a_file}: {a_file} is not a folder"],
    ]
    assert all(output.out == "" for _, output in results)
    assert not missing.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--by", "colour"], "--by: 'colour' is not one of: source, author, speaker"),
        (["--limit", "0"], "--limit: 0 is not between 1 and 1000"),
    ],
)
async def test_scoreboard_bad_input(
    settings: Settings, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, output = await run_cli(settings, capsys, "scoreboard", *argv)

    assert code != 0
    assert lines(output.err) == [f"error: {message}"]
    assert output.out == ""


# --- demo --------------------------------------------------------------------------------------


def after_posts(out: str) -> str:
    """The demo's output from its digest on (what does not depend on what was just stored)."""
    return out[out.index("Digest as of") :]


async def test_demo_shows_a_digest_and_the_reminders_it_would_send(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, first = await run_cli(settings, capsys, "demo")
    again_code, again = await run_cli(settings, capsys, "demo")

    assert code == 0 and again_code == 0
    out = first.out
    assert "Digest as of 2026-01-02 00:00 (Asia/Seoul)" in out
    assert "Digest for 2025-11-03 – 2026-01-02 (Asia/Seoul)" in out
    digest = out[out.index("Digest for") : out.index("Reminders that would be sent")]
    coming = digest[digest.index("Coming due in the next 30 days") :]
    coming = coming[: coming.index("\n\n")]
    assert len([line for line in coming.splitlines() if line.startswith("  • ")]) >= 3
    assert "due 2026-01-08 (in 7 days)" in coming
    overdue = digest[digest.index("Overdue, awaiting a verdict (4)") :]
    overdue = overdue[: overdue.index("\n\n")]
    assert len([line for line in overdue.splitlines() if line.startswith("  • ")]) == 4
    assert "due 2025-12-26, overdue 6 days" in overdue

    reminders = out[out.index("Reminders that would be sent") :]
    assert "nothing is sent" in reminders
    backlog = reminders[reminders.index("already past due") :]
    backlog = backlog[: backlog.index("\n\n")].splitlines()[1:]
    assert len(backlog) == 4 and all("due (late)" in line for line in backlog)
    assert any("#" in line and "한국은행은 다음 주 중" in line for line in backlog)
    upcoming = reminders[reminders.index("Over the next 30 days") :]
    assert "2026-01-09  due " in upcoming and "삼성전자는 1월 8일" in upcoming
    assert "follow-up +7d" in upcoming
    assert "== Forecast due: #" in reminders and "[Came true]" in reminders
    assert "reminders would be sent:" in reminders

    # The preview ran on a throwaway copy: the real outbox is empty and nothing was marked due.
    async with await Services.open(settings) as services:
        assert await services.store.outbox.list(0) == []
        assert await services.ledger.list(0, status="due") == []

    # A second run stores nothing new and shows the same digest and the same preview.
    assert "0 stored, 7 skipped, 0 failed" in lines(again.out)
    assert after_posts(again.out) == after_posts(out)
    assert again.err == ""
