"""The terminal front end: scripted sessions of `python -m bot --console` on a real database,
and `Console.handle`'s answers to lines it cannot run."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.console import Console, decode_line, quiet_libraries
from digests.app import Services
from digests.clock import ManualClock
from digests.ledger.service import Actor
from tests.commands.test_korean_replies import english_sentences, untranslated
from tests.conftest import REPO, make_settings
from tests.reminders.recording import RecordingTransport

START = "2025-12-15T09:00:00Z"


def console_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a console process: its own database, no developer settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith(("DISCORD_", "DATABASE_", "DEFAULT_", "REMINDER_", "MAX_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}",
        DEFAULT_TIMEZONE="Asia/Seoul",
        DEFAULT_GUILD_ID="7",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    return env


def run_console(
    tmp_path: Path,
    script: list[str],
    clock: str = START,
    *,
    log_level: str = "WARNING",
    with_log: bool = False,
) -> str:
    """Run a console session as its own process; return what it printed (and, `with_log`,
    the log a terminal shows after it, from standard error)."""
    env = console_environment(tmp_path)
    env["LOG_LEVEL"] = log_level
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--console",
            "--clock",
            clock,
            "--out",
            str(tmp_path / "out"),
        ],
        input="\n".join(script) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no developer .env is read
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout + (done.stderr if with_log else "")


def test_a_scripted_session_prints_the_due_reminder_once(tmp_path: Path) -> None:
    out = run_console(
        tmp_path,
        [
            '/predictions add claim:"Rates fall by spring" due:2025-12-20',
            "/remind prediction prediction:1",
            "/remind list",
            "/time +7d",
            "/remind list",
            "/time +1d",
            "/quit",
            "/predictions list",  # after /quit: never read
        ],
    )
    assert "== Recorded forecast #1 ==" in out
    assert "forecast #1 · when due (2025-12-20)" in out
    assert "time is now 2025-12-22T09:00:00+00:00" in out
    assert out.count(">>> reminder → the server (no channel configured)") == 1
    assert out.count(">>> reminder → DM to user 1") == 1
    assert out.count("== Forecast due: #1 ==") == 2
    assert ">>> followup" not in out
    after = out.split("time is now 2025-12-23T09:00:00+00:00", 1)[1]
    assert after.strip() == "(nothing due)"
    assert "== Forecasts ==" not in out


def test_a_restarted_session_sends_the_followup_once(tmp_path: Path) -> None:
    async def earlier_session() -> None:
        """What a first session left behind: a forecast whose due ping went out."""
        clock = ManualClock(datetime(2025, 12, 15, 9, tzinfo=UTC))
        settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'console.db'}")
        async with await Services.open(settings, clock) as services:
            await services.ledger.add(
                Actor(7, 1, True), claim="Rates fall by spring", due="2025-12-20"
            )
            clock.advance(days=7)
            report = await services.scheduler(RecordingTransport()).tick()
            assert len(report.drained.sent) == 2

    asyncio.run(earlier_session())
    # Started again a week later, the terminal catches up at start.
    later = run_console(tmp_path, ["/tick", "/quit"], clock="2025-12-30T09:00:00Z")
    assert later.count(">>> followup → the server (no channel configured)") == 1
    assert "Came due 7 days ago" in later
    assert "this reminder is late" in later
    assert ">>> reminder" not in later
    again = run_console(tmp_path, ["/tick", "/quit"], clock="2025-12-30T10:00:00Z")
    assert ">>>" not in again and "(nothing due)" in again


@pytest.fixture
async def console(services: Services, clock: ManualClock, tmp_path: Path) -> Console:
    return Console(
        services, guild_id=7, stream=io.StringIO(), out_dir=tmp_path / "out", manual_clock=clock
    )


async def said(console: Console, line: str) -> str:
    """What the console printed for one line."""
    stream = console.stream
    assert isinstance(stream, io.StringIO)
    start = len(stream.getvalue())
    assert await console.handle(line) is True
    return stream.getvalue()[start:].strip()


@pytest.mark.parametrize(
    ("line", "answer"),
    [
        ("/frobnicate now", "error: unknown command /frobnicate now (try /help)"),
        ("/predictions", "error: unknown command /predictions (try /help)"),
        ("/predictions show", "error: Missing option prediction:"),
        ("/predictions resolve outcome:correct", "error: Missing option id:"),
        ("/predictions show id:abc", "error: id: 'abc' is not a number"),
        ("/remind prediction prediction:two", "error: prediction: 'two' is not a number"),
        ("/predictions show id:42", "error: No forecast #42 in this server."),
        (
            "/time +3 fortnights",
            "error: /time: '+3 fortnights' is not a duration like +3d, +12h, +2w",
        ),
        (
            "/time +99999999999d",
            "error: /time: '+99999999999d' is longer than 18300 days, the longest step",
        ),
        (
            "/predictions add claim:x due:2025-02-30",
            "error: due: '2025-02-30' is not a real date: February 2025 has 28 days",
        ),
        (
            "/predictions add claim:x due:9999-12-31",
            "error: due: 9999-12-31 is more than 50 years ahead; dates can be at most 50 years"
            " away, until 2075-12-15 (MAX_FORECAST_HORIZON_YEARS)",
        ),
        (
            '/predictions add claim:x due:"in 10000 years"',
            "error: due: 'in 10000 years' is more than 50 years ahead; dates can be at most 50"
            " years away (MAX_FORECAST_HORIZON_YEARS)",
        ),
        (
            "/settings timezone timezone:" + "A" * 300,
            "error: timezone: 300 characters is too long for a timezone name; use an IANA name"
            " like Asia/Seoul or America/New_York",
        ),
        (
            "/digest schedule channel:5 timezone:Mars/Base",
            "error: timezone: 'Mars/Base' is not a known timezone; use an IANA name like"
            " Asia/Seoul or America/New_York",
        ),
    ],
)
async def test_lines_that_cannot_run_get_an_error_line(
    console: Console, line: str, answer: str
) -> None:
    assert await said(console, line) == answer


async def test_unreadable_lines_and_domain_errors(console: Console) -> None:
    assert (await said(console, '/predictions add claim:"unclosed')).startswith(
        "error: cannot read that line"
    )
    assert (await said(console, "/predictions add claim:x due:yesterday-ish")).startswith(
        "error: due:"
    )
    assert "Recorded forecast #1" in await said(
        console, '/predictions add claim:"Rates fall" due:2025-12-20'
    )
    assert await said(console, "/as user:5") == "acting as user 5 (moderator: False)"
    assert (await said(console, "/predictions undo id:1")).startswith("error: Only moderators")
    assert await said(console, "") == ""
    assert await said(console, "# a comment") == ""
    assert await console.handle("/quit") is False


async def test_dates_typed_in_the_console_go_through_the_one_parser(console: Console) -> None:
    added = await said(console, '/predictions add claim:"Rates fall" due:"3일 후"')
    assert "Due: 2025-12-18" in added
    assert "Reminder #1 set" in await said(
        console, '/remind prediction prediction:1 when:"in 3 days"'
    )
    redated = await said(console, "/predictions redate id:1 due:2025-13-45")
    assert (
        redated
        == "error: due: '2025-13-45' is not a real date: there is no month 13 (write YYYY-MM-DD)"
    )
    past = await said(console, "/predictions redate id:1 due:2025-12-01")
    assert (
        past
        == "error: due: 2025-12-01 is in the past; a due date must be today (2025-12-15) or later"
    )
    assert (await said(console, '/remind prediction prediction:1 when:"in 8000 years"')).startswith(
        "error: when: 'in 8000 years' is more than 50 years ahead"
    )


async def test_time_cannot_leave_the_clocks_range(console: Console, clock: ManualClock) -> None:
    clock.set(datetime(2199, 6, 1, tzinfo=UTC))
    assert (
        await said(console, "/time +1000d")
        == "error: /time: '+1000d' would move the clock past 2199"
    )
    assert clock.now() == datetime(2199, 6, 1, tzinfo=UTC)
    assert (await said(console, "/time +1d")).startswith("time is now 2199-06-02T00:00:00+00:00")


def test_lines_that_are_not_utf8_are_replaced_with_a_notice() -> None:
    notices: list[str] = []
    assert decode_line("/help 한국어\n".encode(), 1, notices.append) == "/help 한국어\n"
    assert decode_line(b"\xef\xbb\xbf/help\n", 1, notices.append) == "/help\n"  # a BOM
    assert notices == []
    assert decode_line(b"/predictions list \xff\xfe\n", 3, notices.append) == (
        "/predictions list \ufffd\ufffd\n"
    )
    assert notices == [
        "note: line 3 is not valid UTF-8; the unreadable bytes were replaced by \ufffd"
        " (save the script as UTF-8)"
    ]


def test_a_session_survives_invalid_utf8_on_stdin(tmp_path: Path) -> None:
    script = b'/predictions add claim:"caf\xe9 rates" due:2025-12-20\n/predictions list\n/quit\n'
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--console", "--clock", START],
        input=script,
        capture_output=True,
        cwd=tmp_path,
        env=console_environment(tmp_path),
        timeout=60,
        check=False,
    )
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()
    assert "note: line 1 is not valid UTF-8" in out
    assert "== Recorded forecast #1 ==" in out
    assert "caf\ufffd rates" in out


@pytest.mark.parametrize(
    ("clock", "message"),
    [
        ("tomorrow", "--clock: 'tomorrow' is not an ISO date-time like 2026-01-02T09:00+09:00"),
        ("2025-12-15T09:00", "--clock: '2025-12-15T09:00' has no timezone"),
        ("9999-12-31T00:00Z", "--clock: '9999-12-31T00:00Z' is outside the years 1970–2199"),
    ],
)
def test_a_bad_clock_is_refused_before_the_console_starts(
    tmp_path: Path, clock: str, message: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--console", "--clock", clock],
        input="/quit\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=console_environment(tmp_path),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert message in done.stderr


async def test_time_moves_only_a_manual_clock(services: Services, tmp_path: Path) -> None:
    console = Console(
        services, guild_id=7, stream=io.StringIO(), out_dir=tmp_path, manual_clock=None
    )
    assert await said(console, "/time +3d") == "error: /time needs the console started with --clock"


async def test_as_without_a_user_keeps_the_user(console: Console) -> None:
    assert await said(console, "/as mod:yes") == "acting as user 1 (moderator: True)"


async def test_a_bad_as_user_is_an_error_line_not_the_end_of_the_session(console: Console) -> None:
    assert await said(console, "/as user:abc") == "error: user: 'abc' is not a number"
    assert await said(console, "/as user:5") == "acting as user 5 (moderator: False)"


async def test_reminders_due_together_print_as_one_message_unless_set_to_single(
    console: Console, clock: ManualClock
) -> None:
    await said(console, "/as user:1 mod:yes")
    for claim in ("Rates fall", "Oil rises", "Chips double"):
        await said(console, f'/predictions add claim:"{claim}" due:2025-12-20')
    await said(console, "/settings reminder_channel channel:55")
    clock.set(datetime(2025, 12, 20, 15, tzinfo=UTC))
    grouped = await said(console, "/tick")
    assert grouped.count(">>> reminder → #channel 55") == 1
    assert "== 3 forecasts came due ==" in grouped
    assert "[#1 · Came true]" in grouped and "[#3 · Came true]" in grouped

    answer = await said(console, "/settings reminder_grouping grouping:single")
    assert "== Reminders: single ==" in answer
    for claim in ("Gold flat", "Yen weakens"):
        await said(console, f'/predictions add claim:"{claim}" due:2025-12-22')
    clock.set(datetime(2025, 12, 22, 15, tzinfo=UTC))
    single = await said(console, "/tick")
    assert single.count(">>> reminder → #channel 55") == 2
    assert "forecasts came due" not in single


def test_a_post_of_unknown_date_is_dated_and_its_forecast_comes_due(tmp_path: Path) -> None:
    essay = (
        "앞으로 2~3년 안에 전고체 배터리가 상용화될 것이다. 내년에는 HBM 가격이 20% 오를 것으로"
        " 전망한다. 반도체 업황은 결국 좋아질 것 같다."
    )
    out = run_console(
        tmp_path,
        [
            "/settings reminder_channel channel:42",
            f'/ingest text title:"배터리 메모" text:"{essay}"',
            "/predictions list status:needs-date",
            # Read as of the day it was stored, "내년" would have come due by now.
            "/time +400d",
            "/as user:5",
            "/ingest date post:1 date:2025-11-01",
            "/as user:1 mod:yes",
            "/ingest date post:1 date:2025-11-01",
            "/predictions list",
            "/tick",
            "/quit",
        ],
        clock="2025-12-01T09:00:00Z",
    )

    assert "stored #1 배터리 메모 · 2 forecasts · 1 view" in out
    assert "2 forecasts need the post's date: /ingest date post:1 date:YYYY-MM-DD" in out
    assert "== Forecasts waiting for their post's date ==" in out
    before_dating = out.split("== Post #1 dated 2025-11-01 ==")[0]
    assert ">>>" not in before_dating, "nothing is scheduled on a guessed date"
    assert "error: You need the Manage Messages permission to date posts." in out
    assert "• 2 forecasts waiting for this date are now tracked" in out
    assert "#2 · due 2026-12-31" in out and "#1 · due 2028-11-01" in out
    [_, reminder] = out.split(">>> reminder → #channel 42")
    assert "== Forecast due: #2 ==" in reminder and "Due: 2026-12-31" in reminder


async def test_as_without_options_says_who_you_are_and_changes_nothing(console: Console) -> None:
    assert await said(console, "/as") == "acting as user 1 (moderator: True)"
    assert console.session.caller.can_manage_messages


async def test_as_changes_only_what_it_names(console: Console) -> None:
    assert await said(console, "/as messages:no") == "acting as user 1 (moderator: True)"
    assert not console.session.caller.can_manage_messages
    assert await said(console, "/as mod:no") == "acting as user 1 (moderator: False)"
    assert not console.session.caller.can_manage_messages
    assert await said(console, "/as mod:maybe") == "error: mod: 'maybe' is not yes or no"
    # Another member starts as an ordinary member unless told otherwise.
    assert await said(console, "/as mod:yes") == "acting as user 1 (moderator: True)"
    assert await said(console, "/as user:5") == "acting as user 5 (moderator: False)"
    assert await said(console, "/as user:6 mod:yes") == "acting as user 6 (moderator: True)"
    assert console.session.caller.can_manage_messages


async def test_a_failing_job_is_a_warning_line_of_the_tick(
    services: Services, console: Console, clock: ManualClock
) -> None:
    await services.digests.schedule(7, channel_id=500, weekday="daily")
    await services.store.guilds.update(7, clock.now(), timezone="Mars/Olympus")
    clock.advance(days=1)

    printed = await said(console, "/tick")

    assert printed == (
        "warning: digest (guild 7): internal error (ZoneInfoNotFoundError); the details are in"
        " the bot's log"
    )


def test_the_console_keeps_apscheduler_quiet_unless_debugging() -> None:
    scheduler_log = logging.getLogger("apscheduler")
    level = scheduler_log.level
    try:
        quiet_libraries("INFO")
        assert scheduler_log.level == logging.WARNING
        scheduler_log.setLevel(logging.NOTSET)
        quiet_libraries("debug")
        assert scheduler_log.level == logging.NOTSET
    finally:
        scheduler_log.setLevel(level)


def test_a_console_session_prints_no_scheduler_chatter(tmp_path: Path) -> None:
    out = run_console(tmp_path, ["/tick", "/quit"], log_level="INFO", with_log=True)
    assert "(nothing due)" in out
    assert "apscheduler" not in out.lower() and "Added job" not in out


async def test_a_korean_console_session_reads_korean(console: Console) -> None:
    """After `/as language:ko` the console's own words, replies and errors are Korean."""
    lines = [
        "/as language:ko",
        "/help",
        "/frobnicate",
        "/predictions show",
        "/predictions show id:abc",
        "/as mod:maybe",
        "/predictions show id:999",
        "/tick",
        "/time +1d",
        "/ingest url url:http://10.0.0.1/",
    ]
    out = "\n".join([await said(console, line) for line in lines])
    assert "사용자 1(으)로 실행 중 (관리자: 예)" in out
    assert "명령 (Discord 봇과 같습니다):" in out
    assert "오류: 알 수 없는 명령 /frobnicate" in out
    assert "(기한이 된 일 없음)" in out
    assert "현재 시각: 2025-12-16T09:00:00+00:00" in out
    assert "오류: id: 'abc'은(는) 숫자가 아닙니다" in out
    # The help's command syntax stays as typed; everything else is Korean.
    prose = "\n".join(line for line in out.splitlines() if not line.startswith("  /"))
    assert english_sentences(prose) == [], prose
    assert untranslated(prose) == [], prose
    refused = await said(console, "/as language:fr")
    assert refused == "오류: language: 'fr'은(는) 다음 중 하나가 아닙니다: en, ko"
    assert await said(console, "/as language:en") == "acting as user 1 (moderator: True)"
