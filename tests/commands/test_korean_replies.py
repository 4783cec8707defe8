"""Korean throughout (issue 10, point 6): every command of the command layer answers a member
whose Discord language is Korean with no English catalog text left in it, and the errors raised
deep in the domain reach them in Korean through the error funnel (`message_in`)."""

from __future__ import annotations

import re
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from digests.app import Services
from digests.clock import ManualClock
from digests.commands.handlers import Caller, Commands
from digests.commands.replies import Reply, reply_as_text
from digests.errors import HindsightError
from digests.i18n import message, messages
from tests.support.local_http import FeedItem, LocalHTTPServer, rss_xml

GUILD = 1
KOREAN_MODERATOR = Caller(GUILD, 99, True, True, language="ko", display_name="김관리")
KOREAN_MEMBER = Caller(GUILD, 10, language="ko", display_name="박회원")
ESSAY = "\n".join(
    [
        "배터리 산업에 대한 생각",
        "앞으로 2~3년 안에 전고체 배터리가 상용화될 것이다.",
        "내년에는 HBM 가격이 20% 오를 것으로 전망한다.",
        "2027년까지 로보택시가 미국 10개 도시에서 운행될 것이다.",
        "반도체 업황은 결국 좋아질 것 같다.",
    ]
)
# Catalog tables whose English text is also what Korean readers see (Discord's command
# descriptions are translated by Discord itself; the examples of dates are bilingual).
_SHARED_TABLES = ("command.",)
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_ENGLISH_WORD = re.compile(r"[A-Za-z][a-z']+")


def english_phrases() -> set[str]:
    """Phrases only the English catalog has: each template's literal runs of three or more
    English words ("is not a date", "Your reminders"), which a Korean reply must not contain."""
    english, korean = messages("en"), messages("ko")
    phrases = set()
    for key, template in english.items():
        if key.startswith(_SHARED_TABLES) or template == korean[key]:
            continue
        for run in _PLACEHOLDER.split(template):
            run = run.strip(" .,:;()·—-\n…*_⚠️")
            words = _ENGLISH_WORD.findall(run)
            if len(words) >= 3 and run not in korean[key]:
                phrases.add(run)
    return phrases


def untranslated(text: str) -> list[str]:
    """The English catalog phrases found in a text."""
    return sorted(phrase for phrase in english_phrases() if phrase in text)


# Text a Korean reply may show in Latin letters: links, command syntax, code.
_NOT_PROSE = re.compile(r"https?://\S+|`[^`]*`|(?<![\w/])/[a-z_]+(?: [a-z_]+)*(?: [a-z_]+:\S*)*")
# Three or more English words in a row, space-separated ("could not connect to"): an
# untranslated sentence, whether or not the catalog has it. (Lists of option values members
# type, "correct, wrong, partly", are not sentences.)
_ENGLISH_RUN = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z']*(?: +[A-Za-z][A-Za-z']*){2,}(?![\w-])")


def english_sentences(text: str) -> list[str]:
    """Runs of three or more English words in a text (outside links, commands and code)."""
    return _ENGLISH_RUN.findall(_NOT_PROSE.sub(" ", text))


def assert_korean(text: str, name: str = "") -> None:
    """Korean text with no English sentence and no English catalog phrase in it."""
    assert re.search("[가-힣]", text), f"{name}: {text}"
    assert english_sentences(text) == [], f"{name}: {text}"
    assert untranslated(text) == [], f"{name}: {text}"


def test_english_sentences_are_found_outside_links_and_commands() -> None:
    assert english_sentences("x: could not connect to host") == ["could not connect to host"]
    assert english_sentences("오류: 그 줄을 읽을 수 없습니다 (HTTP 404 Not Found)") == []
    assert english_sentences("/settings reminder_channel로 정하세요: http://a.b/c-d-e") == []
    assert english_sentences("/feed enable feed:3 로 재개하세요") == []
    assert english_sentences("'x'은(는) 다음 중 하나가 아닙니다: correct, wrong, partly") == []
    assert english_sentences("피드 XML이 잘못되었습니다: malformed feed XML here") == [
        "malformed feed XML here"
    ]


def test_the_phrase_list_finds_english_and_passes_korean() -> None:
    assert "is not a date I understand" in untranslated("x: 'soon' is not a date I understand; …")
    assert untranslated("예측 #3 기한이 되면 알려 드립니다") == []
    assert len(english_phrases()) > 100


async def _walk(commands: Commands, services: Services, clock: ManualClock) -> list[Reply]:
    """Every command a Korean moderator and member can run, in an order that gives each one
    something to show."""
    mod, member = KOREAN_MODERATOR, KOREAN_MEMBER
    replies = [
        await commands.settings_language(mod, "ko"),
        await commands.settings_timezone(mod, "Asia/Seoul"),
        await commands.settings_reminder_channel(mod, 555),
        await commands.settings_reminder_role(mod, 777),
        await commands.settings_reminder_role(mod, None),
        await commands.settings_reminder_grouping(mod, "single"),
        await commands.ingest_text(mod, ESSAY),
        await commands.ingest_text(mod, ESSAY),  # skipped: already stored
        await commands.ingest_file(mod, "memo.txt", ("반도체 메모\n" + ESSAY).encode()),
        await commands.posts_date(mod, 1, "2025-11-03"),
        await commands.summary(mod, post=1),
        await commands.summary(mod, days=90),
        await commands.themes(mod, days=90),
    ]
    added = await commands.predictions_add(member, "연말까지 코스피 3000 돌파", "2026-12-31")
    replies.append(added)
    forecast_id = int(re.search(r"#(\d+)", added.title or "").group(1))
    replies += [
        await commands.predictions_list(member),
        await commands.predictions_list(member, status="needs-date"),
        await commands.predictions_list(member, status="undated"),
        await commands.predictions_show(member, forecast_id),
        await commands.remind_prediction(member, forecast_id),
        await commands.remind_prediction(member, forecast_id, "2026-06-01"),
        await commands.remind_list(member),
        await commands.remind_cancel(member, prediction=forecast_id),
        await commands.predictions_resolve(member, forecast_id, "correct"),
        await commands.predictions_resolve(mod, forecast_id, "correct"),
        await commands.predictions_show(member, forecast_id),
        await commands.scoreboard(member, "source"),
        await commands.scoreboard(member, "author"),
        await commands.predictions_undo(mod, forecast_id),
        await commands.predictions_redate(mod, forecast_id, "2027-01-31"),
        await commands.button(member, f"hs:snooze:{forecast_id}"),
        await commands.digest_now(member, days=90),
        await commands.digest_status(mod),
        await commands.digest_schedule(mod, channel=555, weekday="mon", time="09:00"),
        await commands.digest_status(mod),
        await commands.digest_off(mod),
        await commands.feed_list(mod),
        await commands.export(member),
    ]
    return replies


async def test_every_reply_to_a_korean_member_is_korean(
    commands: Commands, services: Services, clock: ManualClock
) -> None:
    for reply in await _walk(commands, services, clock):
        text = reply_as_text(reply)
        assert untranslated(text) == [], text
        assert english_sentences(text) == [], text


async def test_a_forecasts_kind_and_history_read_in_korean(commands: Commands) -> None:
    added = await commands.predictions_add(KOREAN_MEMBER, "연말까지 코스피 3000 돌파", "2026-12-31")
    forecast_id = int(re.search(r"#(\d+)", added.title or "").group(1))
    await commands.predictions_resolve(KOREAN_MODERATOR, forecast_id, "correct")
    shown = await commands.predictions_show(KOREAN_MEMBER, forecast_id)
    kind = next(field.value for field in shown.fields if field.name == "종류")
    assert kind == "전망 · 단정"  # a manual forecast: an outlook, said without hedging
    assert shown.footer is not None and "등록" in shown.footer and "판정" in shown.footer
    assert not re.search("created|resolved", shown.footer)
    listed = await commands.predictions_list(KOREAN_MEMBER, status="resolved")
    assert listed.title == "예측 · 판정됨"
    english = await commands.predictions_show(Caller(GUILD, 10), forecast_id)
    assert english.footer is not None and "created" in english.footer


# Each call fails deep in the domain (ledger, dates, feeds, schedules) or in the command layer.
FAILURES: list[tuple[str, Callable[[Commands], Awaitable[object]]]] = [
    ("unknown forecast", lambda c: c.predictions_show(KOREAN_MEMBER, 999)),
    ("bad outcome", lambda c: c.predictions_resolve(KOREAN_MEMBER, 1, "maybe")),
    ("empty claim", lambda c: c.predictions_add(KOREAN_MEMBER, "  ", "2026-12-31")),
    ("bad probability", lambda c: c.predictions_add(KOREAN_MEMBER, "x", "2026-12-31", "many")),
    ("bad source", lambda c: c.predictions_add(KOREAN_MEMBER, "x", "2026-12-31", None, "ftp:x")),
    ("past due", lambda c: c.predictions_add(KOREAN_MEMBER, "x", "2020-01-01")),
    ("impossible date", lambda c: c.predictions_add(KOREAN_MEMBER, "x", "2026-02-30")),
    ("unreadable date", lambda c: c.predictions_add(KOREAN_MEMBER, "x", "someday soon")),
    ("too far", lambda c: c.predictions_add(KOREAN_MEMBER, "x", "2300-01-01")),
    ("bad status", lambda c: c.predictions_list(KOREAN_MEMBER, status="sideways")),
    ("unknown reminder", lambda c: c.remind_cancel(KOREAN_MEMBER, reminder=42)),
    ("nothing to cancel", lambda c: c.remind_cancel(KOREAN_MEMBER)),
    ("not subscribed", lambda c: c.remind_cancel(KOREAN_MEMBER, prediction=1)),
    ("bad timezone", lambda c: c.settings_timezone(KOREAN_MODERATOR, "Mars/Olympus")),
    ("bad weekday", lambda c: c.digest_schedule(KOREAN_MODERATOR, 5, weekday="someday")),
    ("bad time", lambda c: c.digest_schedule(KOREAN_MODERATOR, 5, time="noonish")),
    ("bad days", lambda c: c.digest_now(KOREAN_MEMBER, days=999)),
    ("unknown feed", lambda c: c.feed_remove(KOREAN_MODERATOR, 42)),
    ("unknown post", lambda c: c.posts_date(KOREAN_MODERATOR, 42, "2025-11-03")),
    ("future post date", lambda c: c.posts_date(KOREAN_MODERATOR, 1, "2099-01-01")),
    ("not a moderator", lambda c: c.settings_language(KOREAN_MEMBER, "ko")),
    ("unsupported file", lambda c: c.ingest_file(KOREAN_MODERATOR, "memo.pdf", b"%PDF-1.7")),
    ("binary file", lambda c: c.ingest_file(KOREAN_MODERATOR, "memo.txt", b"a\x00b" * 20)),
    ("too short", lambda c: c.ingest_text(KOREAN_MODERATOR, "짧은 글")),
    ("no quote", lambda c: c.quote(KOREAN_MEMBER, query="없는 말")),
    ("not our button", lambda c: c.button(KOREAN_MEMBER, "other:vote:1:correct")),
]


@pytest.mark.parametrize(("name", "call"), FAILURES, ids=[name for name, _ in FAILURES])
async def test_every_error_reaches_a_korean_member_in_korean(
    commands: Commands,
    name: str,
    call: Callable[[Commands], Awaitable[object]],
) -> None:
    await commands.ingest_text(KOREAN_MODERATOR, ESSAY)
    await commands.predictions_add(KOREAN_MEMBER, "연말까지 코스피 3000 돌파", "2026-12-31")
    with pytest.raises(HindsightError) as raised:
        await call(commands)
    shown = raised.value.message_in("ko")
    assert_korean(shown, name)
    # The same error in English for an English member (the funnel picks by locale).
    assert raised.value.message_in("en") == raised.value.user_message


@pytest.fixture
def commands(services: Services) -> Commands:
    """Commands with the plain (terminal) formatter."""
    return Commands(services)


# --- what fetching, feeds and the scheduler tell a Korean member ------------------------------

FEED = rss_xml(
    "시장 블로그",
    "https://blog.example/",
    [
        FeedItem(
            title="시장 메모",
            link="https://blog.example/posts/1",
            guid="p1",
            published="Mon, 15 Dec 2025 08:00:00 GMT",
            content=ESSAY,
        )
    ],
)


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_fetch_and_feed_errors_reach_a_korean_member_in_korean(commands: Commands) -> None:
    async with LocalHTTPServer() as server:
        server.error("/gone", 404)
        server.redirect_loop("/a", "/b")
        server.redirect("/inside", f"http://localhost:{server.port}/x")
        server.respond("/bad.xml", body=b"<rss><channel><item>", content_type="application/rss+xml")
        server.respond(
            "/bad.json",
            body=b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}',
            content_type="application/feed+json",
        )
        urls = {
            "HTTP status": server.url("/gone"),
            "redirect loop": server.url("/a"),
            "redirect to a refused host": server.url("/inside"),
            "loopback name": f"http://localhost:{server.port}/",
            "private address": "http://10.0.0.1/",
            "metadata host": "http://169.254.169.254/latest/",
            "no scheme": "blog.example/post",
            "other scheme": "ftp://blog.example/post",
            "credentials": f"http://user:pw@127.0.0.1:{server.port}/",
            "numeric host": "http://2130706433/",
            "connection refused": f"http://127.0.0.1:{_closed_port()}/",
            "broken feed XML": server.url("/bad.xml"),
            "broken JSON feed": server.url("/bad.json"),
        }
        for name, url in urls.items():
            with pytest.raises(HindsightError) as raised:
                await commands.ingest_url(KOREAN_MODERATOR, url)
            assert_korean(raised.value.message_in("ko"), name)
            assert raised.value.message_in("en") == raised.value.user_message
        with pytest.raises(HindsightError) as raised:
            await commands.feed_add(KOREAN_MODERATOR, server.url("/gone"))
        assert_korean(raised.value.message_in("ko"), "feed add")


async def test_stored_failure_reasons_show_in_each_readers_language(
    services: Services, commands: Commands, clock: ManualClock
) -> None:
    async with LocalHTTPServer() as server:
        url = server.feed("/feed.xml", FEED)
        await commands.feed_add(KOREAN_MODERATOR, url, channel=700)
        server.error("/feed.xml", 500)
        clock.advance(hours=2)
        await services.feeds.poll_due()
        failing = (await commands.feed_list(KOREAN_MEMBER)).description or ""
        assert "서버 응답: HTTP 500 서버 내부 오류" in failing
        assert_korean(failing, "failing feed")
        english = (await commands.feed_list(Caller(GUILD, 10))).description or ""
        assert f"⚠️ failing (1×): {url}: HTTP 500 Internal Server Error;" in english

        clock.advance(hours=services.settings.feed_disable_after_hours + 1)
        await services.feeds.poll_due()
        disabled = (await commands.feed_list(KOREAN_MEMBER)).description or ""
        assert (
            f"{services.settings.feed_disable_after_hours}시간 동안 실패해 중지되었습니다"
            in disabled
        )
        assert_korean(disabled, "disabled feed")
        english = (await commands.feed_list(Caller(GUILD, 10))).description or ""
        assert "disabled after failing for" in english

    now = clock.now()
    await services.store.jobs.record(
        GUILD,
        "digest",
        error=message("error.internal", kind="RuntimeError"),
        now=now,
        wait=[timedelta(minutes=5)],
    )
    await services.store.guilds.update(
        GUILD,
        now,
        reminder_channel_id=555,
        reminders_paused_reason=message("delivery_error.no_channel"),
        digest_channel_id=555,
        digest_cron="0 9 * * 1",
        digest_enabled=True,
        digest_paused_reason=message("delivery_error.refused", status=403, detail="Missing Access"),
    )
    status = reply_as_text(await commands.digest_status(KOREAN_MODERATOR))
    assert "내부 오류(RuntimeError)" in status
    assert "알림 채널이 정해지지 않았습니다" in status
    assert "Discord가 전달을 거부했습니다 (403)" in status
    assert_korean(status, "digest status")
    english = reply_as_text(await commands.digest_status(Caller(GUILD, 99, True, True)))
    assert "internal error (RuntimeError)" in english
    assert "Discord refused to deliver (403): Missing Access" in english


async def test_reasons_stored_as_plain_text_before_still_show(
    services: Services, commands: Commands
) -> None:
    # Rows written before reasons were stored as messages keep their English text.
    await services.store.guilds.update(
        GUILD, services.clock.now(), reminder_channel_id=555, reminders_paused_reason="gave up"
    )
    for caller in (KOREAN_MODERATOR, Caller(GUILD, 99, True, True)):
        assert "gave up" in reply_as_text(await commands.digest_status(caller))
